# fbtvm-timeout: 600
# fbtvm-allow-taint: N
# fbtctl bisect on the seed's bug with the per-trap assertion off, as the
# seed had it: fbt loaded with inject=pushf-image (the emulated pushf pushes
# an image with IF clear, so the function's local_irq_restore() leaves
# interrupts off) and assert=0. Only the checks outside the traps can tell:
# interrupts found disabled at softirq or syscall exit (counted in stats,
# reported in the kernel log, then re-enabled). bisect, from every safe entry
# probe, by opcode family then probe, must name a pushf (9c) probe in a sane
# number of steps, and the guest must keep running.
. /fbt/lib.sh
command -v fbtctl >/dev/null || { notok "fbtctl not in PATH"; finish; }
dmesg -n 1
stat_of() { fbtctl stats | awk -v k="$1" '$1 == k { print $2 }'; }
check "insmod fbt.ko inject=pushf-image assert=0 max_dumps=1" insmod "$FBT_KO" inject=pushf-image assert=0 max_dumps=1 || finish
fbtctl list --opcode 9c | grep -v '^#' | head -20 | sed 's/^/# /'
W='for i in 1 2 3 4 5 6 7 8 9 10 11 12; do /bin/true; sh -c "echo x >/dev/null"; dd if=/dev/zero of=/tmp/w bs=4k count=32 2>/dev/null; cat /tmp/w >/dev/null; rm -f /tmp/w; done'
t0=$(cut -d' ' -f1 /proc/uptime)
fbtctl bisect --workload "$W" --timeout 8 --repeat 3 >/tmp/bisect.txt 2>&1
st=$?
t1=$(cut -d' ' -f1 /proc/uptime)
sed 's/^/# /' /tmp/bisect.txt
echo "# bisect took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
[ $st -eq 0 ] && ok "bisect exit 0" || notok "bisect exit $st"
grep -q '^# per-trap assertion off' /tmp/bisect.txt && ok "bisect ran with the per-trap assertion off" || notok "assertion not off"
c=$(grep '^culprit:' /tmp/bisect.txt)
n=$(echo "$c" | grep -c .)
case "$c" in
*"opcode 9c (pushfq)"*) [ "$n" -eq 1 ] && ok "bisect names one pushf probe: $(echo "$c" | cut -d' ' -f2)" || notok "bisect named $n probes: $c" ;;
*) notok "bisect culprit: '$c'" ;;
esac
steps=$(sed -n 's/^# culprit.* after \([0-9]*\) steps.*/\1/p' /tmp/bisect.txt)
# 1 (all) + about 2 per halving: ~5 family, ~2 opcode, ~4 probe levels,
# with a few retries of a sporadic step on top
[ -n "$steps" ] && [ "$steps" -ge 4 ] && [ "$steps" -le 40 ] && ok "step count sane: $steps" || notok "step count: '${steps}'"
grep -q '^step  1: arm all .*FAILS' /tmp/bisect.txt && grep -q 'arm 0x9n .*FAILS' /tmp/bisect.txt && ok "bisect went by opcode family, 0x9n failing" || notok "no failing 0x9n family step"
grep -q 'FAILS: stats s[oy][fs]*[a-z]*_violations' /tmp/bisect.txt && ok "the failure signal: the exit checks' counters" || notok "no exit-check signal in the steps"
v=$(dmesg | grep 'fbt: violation:' | grep -vc ' exit at ')
[ "$v" -eq 0 ] && ok "no per-trap violation reported (assertion off)" || notok "$v per-trap violations with assert=0"
echo "# sysexit_violations $(stat_of sysexit_violations) softirq_violations $(stat_of softirq_violations) console_warnings $(stat_of console_warnings)"
dmesg | grep -m3 'left interrupts disabled' | sed 's/^/# /'
a=$(fbtctl list --state armed | grep -c ' armed$')
[ "$a" -eq 0 ] && ok "bisect left nothing armed" || notok "bisect left $a armed"
check "machine keeps running: fork, exec, I/O" sh -c "$W"
fbtctl bisect --json --workload 'exit 0' --timeout 2 kernel:vfs_read:entry >/tmp/b.json; st=$?
[ $st -eq 1 ] && grep -q '"ok":false' /tmp/b.json && grep -q '"assert":false' /tmp/b.json && ok "bisect without failure: exit 1, json" || notok "bisect no-failure: exit $st $(cat /tmp/b.json)"
fbtctl bisect --workload 'exit 3' --timeout 2 'kernel:vfs_r*:entry' >/tmp/b2.txt 2>&1; st=$?
grep -q 'workload exit status 3' /tmp/b2.txt && ok "workload exit status is a failure signal" || notok "exit status signal: $(tail -3 /tmp/b2.txt)"
check "rmmod fbt" rmmod fbt
finish
