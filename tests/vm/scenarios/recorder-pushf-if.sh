# fbtvm-timeout: 400
# fbtvm-allow-taint: N
# Flight recorder, the seed's bug: every safe entry probe armed with
# inject=pushf-if (after pushf the trap returns with IF clear). The per-trap
# assertion catches it at the trap: the dump names a pushf probe with IF
# going 1 -> 0, the probe is quarantined, the machine keeps running, and
# trace-cmd extract -B fbt gets the violation from the ftrace instance.
. /fbt/lib.sh
D=/sys/kernel/debug/fbt
stat_of() { awk -v k="$1" '$1 == k { print $2 }' $D/stats; }

workload() { # seconds
	_end=$(( $(cut -d. -f1 /proc/uptime) + $1 ))
	while [ "$(cut -d. -f1 /proc/uptime)" -lt $_end ]; do
		for i in 1 2 3; do /bin/true; sh -c 'echo x >/dev/null'; done
		dd if=/dev/zero of=/tmp/w bs=4k count=64 2>/dev/null
		cat /tmp/w >/dev/null; rm -f /tmp/w
		dmesg | grep -q 'fbt: violation:' && return 0
	done
}

check "insmod fbt.ko inject=pushf-if" insmod "$FBT_KO" inject=pushf-if || { dmesg | tail -30; finish; }
t0=$(cut -d' ' -f1 /proc/uptime)
check "arm every safe entry probe" sh -c "echo 'enable *:*:entry' > $D/control"
echo "# armed $(stat_of armed)"
workload 120
if dmesg_wait 'fbt: violation:' 10; then
	t1=$(cut -d' ' -f1 /proc/uptime)
	ok "violation dumped"
	echo "# time from arming to dump: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s (guest uptime; dump at $(dmesg | grep -m1 'fbt: violation:' | sed 's/^\[ *\([0-9.]*\)\].*/\1/') s)"
else
	notok "no violation dumped"
fi
v=$(dmesg | grep -m1 'fbt: violation:')
echo "# $v"
case "$v" in
*"IF changed"*"pushf"*"IF 1 -> 0"*) ok "caught at the trap: a pushf probe, IF 1 -> 0" ;;
*) notok "violation line: $v" ;;
esac
dmesg | grep -m1 -A40 'fbt: ---\[ flight recorder' | sed 's/^/# /' | head -45
dmesg | grep -q 'fbt: => cpu' && ok "the dump marks the violating record" || notok "no marked record"
sleep 2
q=$(stat_of quarantined)
[ "${q:-0}" -ge 1 ] && ok "quarantined probes: $q" || notok "quarantined: ${q:-none}"
grep ' quarantined$' $D/probes | head -5 | sed 's/^/# /'
grep -q 'pushf\|9c' $D/probes && true
workload 5
check "machine keeps running: fork, exec, I/O" sh -c '/bin/true && ls / >/dev/null'
check "recorder file readable" sh -c "head -3 $D/recorder"
grep -c . $D/recorder | sed 's/^/# recorder lines: /'
if command -v trace-cmd >/dev/null; then
	cd /tmp
	check "trace-cmd extract -B fbt" trace-cmd extract -B fbt -o /tmp/trace.dat
	trace-cmd report -i /tmp/trace.dat 2>/dev/null >/tmp/report.txt
	grep -m3 'VIOLATION' /tmp/report.txt | sed 's/^/# /'
	grep -m3 'fbt_history' /tmp/report.txt | sed 's/^/# /'
	grep -q 'fbt_violation.*VIOLATION.*IF 1 -> 0' /tmp/report.txt &&
		ok "trace-cmd report shows the violation" ||
		notok "trace-cmd report: no violation ($(wc -l </tmp/report.txt) lines)"
	grep -q 'fbt_history' /tmp/report.txt && ok "trace-cmd report shows the history" ||
		notok "no fbt_history in the report"
else
	notok "trace-cmd not in the guest"
fi
check "disarm everything" sh -c "echo 'disable *:*:*' > $D/control"
check "rmmod fbt" rmmod fbt
finish
