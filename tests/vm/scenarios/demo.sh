# fbtvm-timeout: 900
# fbtvm-allow-taint: N
# The demo (make demo): the seed's story told by fbt, one narrated step at a
# time. tools/demo.sh boots it and streams these lines; tests/vm/run.sh
# --show demo runs it like any scenario.
. /fbt/lib.sh
dmesg -n 1
t_start=$(cut -d' ' -f1 /proc/uptime)
# each step's narration, with the guest seconds since the demo began
say() { echo; echo "==> [$(awk -v a="$t_start" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.0f", b - a }') s] $*"; }
W='i=0; while [ $i -lt 40 ]; do i=$((i+1)); /bin/true; sh -c "echo x >/dev/null"; ls -R /proc/self >/dev/null 2>&1; dd if=/dev/zero of=/tmp/w bs=4k count=32 2>/dev/null; cat /tmp/w >/dev/null; rm -f /tmp/w; done'
# bisect: a lighter workload, run up to twice per step
WB='for i in 1 2 3 4 5 6 7 8 9 10 11 12; do /bin/true; sh -c "echo x >/dev/null"; dd if=/dev/zero of=/tmp/w bs=4k count=32 2>/dev/null; cat /tmp/w >/dev/null; rm -f /tmp/w; done'
stat_of() { fbtctl stats | awk -v k="$1" '$1 == k { print $2 }'; }

say "fbt on Linux $(uname -r), $(nproc) CPUs. Loading fbt.ko: every function of the kernel is decoded and each safe entry and return gets a probe."
check "insmod fbt.ko" insmod "$FBT_KO" || finish
echo "    $(stat_of functions) functions, $(stat_of probes) probes ($(stat_of entry) entries), $(stat_of refused) refused as unsafe; why:"
fbtctl stats | grep '^refused:' | sort -k2 -rn | head -6 | sed 's/^/      /'

say "1. The seed's  dtrace -n 'fbt:::entry{cnt++;}'  is  fbtctl count: arm every safe function entry, run a workload (fork, exec, file I/O), print the most-hit probes, disarm."
fbtctl count -d 20 -n 12 --workload "$W" 2>&1
ok "fbt:::entry armed and counted"

say "2. The coverage view, summed by opcode: the seed's 0x9n table (fbtctl list --opcode '9?'). Counts are hits under the workload above."
fbtctl list --opcode '9?' --by-opcode | grep -v '^# [0-9]* of'
echo "    the pushfq (9c) probes, each with its hit count:"
fbtctl list --opcode 9c | awk '$1 ~ /^[0-9]+$/ { printf "      %-44s %8s hits  %s\n", $8, $2, $9 }'

say "3. The seed's bug, injected: reload fbt with inject=pushf-image (the trap's emulation of pushf pushes the flags with IF clear, so the function's local_irq_restore() leaves interrupts off when it returns) and arm every entry. The per-trap assertion checks IF and the pushed image at each trap: it catches the bug at its first trap and dumps the flight recorder."
rmmod fbt
check "insmod fbt.ko inject=pushf-image" insmod "$FBT_KO" inject=pushf-image || finish
t0=$(cut -d' ' -f1 /proc/uptime)
fbtctl enable '*:*:entry' >/dev/null
n=0
while ! dmesg | grep -q 'fbt: violation:' && [ $n -lt 60 ]; do
	sh -c "$W" >/dev/null 2>&1 &
	sleep 2; n=$((n + 1))
done
wait
t1=$(cut -d' ' -f1 /proc/uptime)
if dmesg | grep -q 'fbt: violation:'; then
	ok "violation caught $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s after arming $(stat_of armed) probes"
else
	notok "no violation dumped"
fi
echo "    the automatic dump (kernel log), trimmed:"
dmesg | sed -n '/fbt: ---\[ flight recorder/,/fbt: ---\[ end of flight recorder/{p;/end of flight recorder/q}' |
	grep -E 'flight recorder|violation|=>' | head -8 | sed 's/^\[ *[0-9.]*\] /      /'
dmesg | grep -m1 'quarantined' | sed 's/^\[ *[0-9.]*\] /      /'
echo "    the probe is quarantined (fbtctl list --state quarantined):"
fbtctl list --state quarantined | awk '$1 ~ /^[0-9]+$/ { printf "      %s opcode %s %s: %s\n", $8, $4, $5, $9 }'
if fbtctl list --state quarantined | grep -q ' 9c .*quarantined$'; then
	ok "the dump named a pushf probe at its first trap"
else
	notok "no pushf probe quarantined"
fi
cd /tmp && fbtctl extract -o /tmp/trace.dat >/dev/null 2>&1 && ok "history saved: fbtctl extract -o /tmp/trace.dat (trace-cmd extract -B fbt)" || notok "fbtctl extract"
fbtctl disable '*:*:*' >/dev/null

say "4. As the seed had it: the same bug with the per-trap assertion off (assert=0). Only the module's sporadic checks can tell: interrupts found disabled where the kernel guarantees them on, at syscall exit or when a softirq action returns (each counted in fbtctl stats, reported, then re-enabled). fbtctl bisect arms halves, by opcode family first (0xFn, 0xEn, ... as the seed did by hand), then by opcode, then by probe, and keeps the half that fails."
rmmod fbt
check "insmod fbt.ko inject=pushf-image assert=0" insmod "$FBT_KO" inject=pushf-image assert=0 max_dumps=1 || finish
fbtctl bisect --workload "$WB" --timeout 8 --repeat 2 '*:*:entry' >/tmp/bisect.txt 2>&1
st=$?
sed 's/^/    /' /tmp/bisect.txt
echo "    the exit checks' counters: $(fbtctl stats | grep -E '^(sysexit|softirq)_violations' | tr '\n' ' ')"
if [ $st -eq 0 ] && [ "$(grep -c '^culprit: .* opcode 9c' /tmp/bisect.txt)" -eq 1 ]; then
	ok "bisect named the pushf probe with the assertion off: $(grep -m1 '^culprit:' /tmp/bisect.txt | cut -d' ' -f2)"
else
	notok "bisect (exit $st)"
fi
rmmod fbt

say "5. The history of step 3 read back with trace-cmd: trace-cmd report -i trace.dat (fbt_violation, then fbt_history: the last traps of that CPU)"
if [ -s /tmp/trace.dat ]; then
	trace-cmd report -i /tmp/trace.dat 2>/dev/null >/tmp/report.txt
	grep -m1 'fbt_violation' /tmp/report.txt | sed 's/^ */    /'
	grep 'fbt_history' /tmp/report.txt | tail -n 6 | sed 's/^ */    /'
	grep -q 'fbt_violation' /tmp/report.txt && ok "trace-cmd report shows the violation" || notok "trace-cmd report: no violation"
fi
t_end=$(cut -d' ' -f1 /proc/uptime)
say "Done in $(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.0f", b - a }') s of guest time. More: Documentation/user-guide.rst, fbtctl --help."
finish
