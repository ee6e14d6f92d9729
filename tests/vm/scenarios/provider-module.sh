# fbtvm-timeout: 600
# fbt provider, modules: a module loaded after fbt gets probes; armed, it
# fires; unloading it removes its probes first; a module loads while fbt
# asks kprobes about thousands of return sites, without waiting for all of
# them; fbt unloads cleanly.
. /fbt/lib.sh
D=/sys/kernel/debug/fbt
M=${FBTVM_TESTMOD:-loop}
rows_of() { grep -c " $1:" $D/probes; }
cs() { awk '{ printf "%d", $1 * 100 }' /proc/uptime; }

modprobe -r $M 2>/dev/null
check "insmod fbt.ko" insmod "$FBT_KO" || finish
[ "$(rows_of $M)" -eq 0 ] && ok "no $M probes before it loads" || notok "$M probes before load"
check "modprobe $M" modprobe $M || finish
n=$(rows_of $M)
[ "$n" -gt 0 ] && ok "$M has $n probes after it loads" || notok "$M has no probes"
check "enable $M:*:*" sh -c "echo '$M:*:*' | sed 's/^/enable /' > $D/control"
armed=$(awk -v m="$M:" 'index($7, m) == 1 && $8 == "armed"' $D/probes | wc -l)
[ "$armed" -gt 0 ] && ok "$armed $M probes armed" || notok "no $M probe armed"
if [ "$M" = loop ]; then
	dd if=/dev/zero of=/tmp/img bs=1M count=4 2>/dev/null
	losetup /dev/loop0 /tmp/img 2>/dev/null && dd if=/dev/loop0 of=/dev/null bs=4k 2>/dev/null
	losetup -d /dev/loop0 2>/dev/null
	hits=$(awk -v m="$M:" 'index($7, m) == 1 { s += $2 } END { print s + 0 }' $D/probes)
	[ "$hits" -gt 0 ] && ok "$M probes hit $hits times" || notok "no hits in $M"
fi
check "rmmod $M while its probes are armed" modprobe -r $M
[ "$(rows_of $M)" -eq 0 ] && ok "$M probes gone after unload" || notok "$M probes remain"
# The first arming of a return probe asks kprobes about its site (the
# oracle: about 1.4 ms a site under TCG). A module's notifier takes fbt's
# lock, and the oracle lets it go between chunks of 512 sites, so the load
# is done long before the oracle: tens of thousands of sites held the lock
# for over a minute before, and the guest reported modprobe as a hung task.
rm -f /tmp/oracle.done
(printf 'enable kernel:s*:return\nenable kernel:d*:return\nenable kernel:p*:return\nenable kernel:i*:return\n' > $D/control
 echo $? > /tmp/oracle.done) &
sleep 1
t0=$(cs)
check "modprobe $M again, while the oracle runs" modprobe $M
t1=$(cs)
if [ -f /tmp/oracle.done ]; then
	notok "the oracle ended before modprobe $M did ($(( (t1 - t0) * 10 )) ms): the load waited for it"
else
	ok "modprobe $M took $(( (t1 - t0) * 10 )) ms while the oracle ran"
fi
wait
[ "$(cat /tmp/oracle.done)" = 0 ] && ok "the oracle's write succeeded" || notok "the oracle's write failed"
echo "# oracle_us $(awk '$1 == "oracle_us" { print $2 }' $D/stats), oracle_n $(awk '$1 == "oracle_n" { print $2 }' $D/stats)"
check "disable everything" sh -c "echo 'disable *:*:*' > $D/control"
check "rmmod $M again" modprobe -r $M
check "rmmod fbt" rmmod fbt
finish
