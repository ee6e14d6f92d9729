# fbtvm-timeout: 1200
# fbt provider, entry probes: load; arm every safe entry probe; the mixed
# workload of lib.sh for 60 s; the common paths show hits; the same with
# return probes armed too; disarm; unload; load again.
. /fbt/lib.sh
D=/sys/kernel/debug/fbt
WORK_SECS=${WORK_SECS:-60}
T=/sys/kernel/tracing
cs() { awk '{ printf "%d", $1 * 100 }' /proc/uptime; }

stat_of() { awk -v k="$1" '$1 == k { print $2 }' $D/stats; }
hits_of() { awk -v n="$1" '$7 == n { s += $2 } END { print s + 0 }' $D/probes; }

t0=$(date +%s)
check "insmod fbt.ko" insmod "$FBT_KO" || { dmesg | tail -30; finish; }
echo "# load took $(( $(date +%s) - t0 )) s"
cat $D/stats | sed 's/^/# /'
check "arm every safe entry probe" sh -c "echo 'enable *:*:entry' > $D/control"
cat $D/control | sed 's/^/# control: /'
armed=$(stat_of armed)
[ "${armed:-0}" -gt 1000 ] && ok "armed $armed entry probes" || notok "armed: ${armed:-none}"
echo "# arm_last_us $(stat_of arm_last_us) for $(stat_of arm_last_n) probes"
workload_for $WORK_SECS
for f in vfs_read schedule do_sys_openat2; do
	h=$(hits_of "kernel:$f:entry")
	[ "$h" -gt 0 ] && ok "hits on $f: $h" || notok "no hits on $f"
done
rows=$(grep -vc '^#' $D/probes)
[ "$rows" -gt 1000 ] && ok "probes readable: $rows rows" || notok "probes rows $rows"
cat $D/stats | sed 's/^/# /'
check "disarm everything" sh -c "echo 'disable *:*:*' > $D/control"
if [ -w $T/current_tracer ]; then
	nf=$(wc -l < $T/available_filter_functions)
	t0=$(cs); echo function > $T/current_tracer; t1=$(cs)
	echo nop > $T/current_tracer; t2=$(cs)
	arm_us=$(stat_of arm_last_us); n=$(stat_of arm_last_n)
	echo "# ftrace function tracer on $nf functions: enable $(( (t1 - t0) * 10 )) ms, disable $(( (t2 - t1) * 10 )) ms"
	echo "# fbt arm of $n entry probes: $(( arm_us / 1000 )) ms; ratio fbt/ftrace: $(awk -v a=$arm_us -v f=$(( (t1 - t0) * 10000 )) 'BEGIN { if (f > 0) printf "%.3f", a / f; else print "n/a" }')"
	ok "ftrace comparison measured"
fi
t0=$(cs)
check "arm every safe entry and return probe" sh -c "printf 'enable *:*:entry\nenable kernel:*:return\n' > $D/control"
echo "# arming returns (with the kprobes oracle on first use) took $(( ($(cs) - t0) * 10 )) ms"
echo "# armed $(stat_of armed); oracle_us $(stat_of oracle_us) for $(stat_of oracle_n)"
# A function that returns at its first instruction: one site, held by the
# entry probe; its return row says so (refused:atentry), same address.
awk '$8 == "refused:atentry" { r[$3] = 1 } $7 ~ /:entry$/ { e[$3] = 1 }
	END { for (a in r) { n++; if (a in e) m++ } print n + 0, m + 0 }' $D/probes > /tmp/atentry
read -r nat mat < /tmp/atentry
[ "$nat" -gt 0 ] && [ "$nat" -eq "$mat" ] &&
	ok "$nat returns at the entry: refused:atentry, each at an entry probe's address" ||
	notok "atentry rows $nat, at an entry probe's address $mat"
workload_for $WORK_SECS
for f in vfs_read schedule; do
	h=$(hits_of "kernel:$f:return")
	[ "$h" -gt 0 ] && ok "return hits on $f: $h" || notok "no return hits on $f"
done
cat $D/stats | sed 's/^/# /'
check "disarm everything again" sh -c "echo 'disable *:*:*' > $D/control"
[ "$(stat_of armed)" -eq 0 ] && ok "nothing armed" || notok "still armed $(stat_of armed)"
echo "# disarm_last_us $(stat_of disarm_last_us) for $(stat_of disarm_last_n) probes"
workload_for 2
check "rmmod fbt" rmmod fbt
check "insmod fbt.ko again" insmod "$FBT_KO"
check "rmmod fbt again" rmmod fbt
finish
