# fbtvm-timeout: 600
# fbt provider, modules: a module loaded after fbt gets probes; armed, it
# fires; unloading it removes its probes first; fbt unloads cleanly.
. /fbt/lib.sh
D=/sys/kernel/debug/fbt
M=${FBTVM_TESTMOD:-loop}
rows_of() { grep -c " $1:" $D/probes; }

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
check "modprobe $M again" modprobe $M
check "rmmod $M again" modprobe -r $M
check "rmmod fbt" rmmod fbt
finish
