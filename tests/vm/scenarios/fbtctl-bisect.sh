# fbtvm-timeout: 600
# fbtvm-allow-taint: N
# fbtctl bisect on the seed's bug: fbt loaded with inject=pushf-if (after a
# pushf the trap returns with IF clear), the per-trap assertion on but
# repair=0 (no flags repair, no quarantine): every violation is counted in
# the kernel log and the culprit stays armable. bisect, from every safe entry
# probe, by opcode family then probe, must name a pushf (9c) probe.
. /fbt/lib.sh
command -v fbtctl >/dev/null || { notok "fbtctl not in PATH"; finish; }
dmesg -n 1
check "insmod fbt.ko inject=pushf-if repair=0 max_dumps=1" insmod "$FBT_KO" inject=pushf-if repair=0 max_dumps=1 || finish
fbtctl list --opcode 9c | grep -v '^#' | head -20 | sed 's/^/# /'
W='for i in 1 2 3 4 5 6 7 8 9 10 11 12; do /bin/true; sh -c "echo x >/dev/null"; dd if=/dev/zero of=/tmp/w bs=4k count=32 2>/dev/null; cat /tmp/w >/dev/null; rm -f /tmp/w; done'
t0=$(cut -d' ' -f1 /proc/uptime)
fbtctl bisect --workload "$W" --timeout 8 --repeat 2 >/tmp/bisect.txt 2>&1
st=$?
t1=$(cut -d' ' -f1 /proc/uptime)
cat /tmp/bisect.txt | sed 's/^/# /'
echo "# bisect took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
[ $st -eq 0 ] && ok "bisect exit 0" || notok "bisect exit $st"
c=$(grep '^culprit:' /tmp/bisect.txt)
case "$c" in
*"opcode 9c (pushfq)"*) ok "bisect names a pushf probe: $(echo "$c" | head -1 | cut -d' ' -f2)" ;;
*) notok "bisect culprit: '$c'" ;;
esac
grep -q '^step  1: arm all ' /tmp/bisect.txt && grep -q '0x9n' /tmp/bisect.txt && ok "bisect went by opcode family" || notok "no family steps"
a=$(fbtctl list --state armed | grep -c ' armed$')
[ "$a" -eq 0 ] && ok "bisect left nothing armed" || notok "bisect left $a armed"
fbtctl bisect --json --workload 'exit 0' --timeout 2 kernel:vfs_read:entry >/tmp/b.json; st=$?
[ $st -eq 1 ] && grep -q '"ok":false' /tmp/b.json && ok "bisect without failure: exit 1, json" || notok "bisect no-failure: exit $st $(cat /tmp/b.json)"
fbtctl bisect --workload 'exit 3' --timeout 2 'kernel:vfs_r*:entry' >/tmp/b2.txt 2>&1; st=$?
grep -q 'workload exit status 3' /tmp/b2.txt && ok "workload exit status is a failure signal" || notok "exit status signal: $(tail -3 /tmp/b2.txt)"
check "rmmod fbt" rmmod fbt
finish
