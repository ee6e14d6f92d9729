# fbtvm-timeout: 1200
# fbt provider under load: arm and disarm everything (every safe entry and
# return probe) 20 times while a workload runs; then unload with everything
# armed and the workload still running; the machine stays healthy. Before
# the workload, everything is armed and disarmed once: that first arming
# asks kprobes about every return site (the oracle, a minute or more under
# TCG, kept for the module's life), which is not what is under test here.
. /fbt/lib.sh
D=/sys/kernel/debug/fbt
stat_of() { awk -v k="$1" '$1 == k { print $2 }' $D/stats; }
cs() { awk '{ printf "%d", $1 * 100 }' /proc/uptime; }

check "insmod fbt.ko" insmod "$FBT_KO" || finish
t0=$(cs)
check "arm and disarm everything once (the kprobes oracle on return sites)" \
	sh -c "echo 'enable *:*:*' > $D/control && echo 'disable *:*:*' > $D/control"
echo "# that took $(( ($(cs) - t0) * 10 )) ms: oracle_us $(stat_of oracle_us), oracle_n $(stat_of oracle_n)"
workload_start
i=1; fails=0
while [ $i -le 20 ]; do
	echo 'enable *:*:*' > $D/control || fails=$((fails + 1))
	a=$(stat_of armed)
	sleep 1
	echo 'disable *:*:*' > $D/control || fails=$((fails + 1))
	echo "# round $i: armed $a in $(stat_of arm_last_us) us, disarmed in $(stat_of disarm_last_us) us, hits $(stat_of hits), ghosts $(stat_of ghosts), watch_rewrites $(stat_of watch_rewrites), watch_swept $(stat_of watch_swept), park_timeouts $(stat_of park_timeouts), recursions $(stat_of recursions)"
	[ "$(stat_of armed)" -eq 0 ] || fails=$((fails + 1))
	i=$((i + 1))
done
[ $fails -eq 0 ] && ok "20 arm/disarm rounds under load" || notok "$fails failures in 20 rounds"
check "arm everything for the unload" sh -c "echo 'enable *:*:*' > $D/control"
sleep 3
check "rmmod fbt with everything armed, workload running" rmmod fbt
sleep 3
workload_stop
check "insmod fbt.ko again" insmod "$FBT_KO"
check "rmmod fbt again" rmmod fbt
finish
