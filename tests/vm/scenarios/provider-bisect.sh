# fbtvm-timeout: 900
# Debug aid: arm entry probes family by family (the seed's binary search),
# a short workload after each step, so a hang or crash names its family.
. /fbt/lib.sh
D=/sys/kernel/debug/fbt
stat_of() { awk -v k="$1" '$1 == k { print $2 }' $D/stats; }
work() {
	for i in 1 2 3 4 5 6 7 8; do /bin/true; sh -c 'echo x >/dev/null'; done
	dd if=/dev/zero of=/tmp/w bs=4k count=64 2>/dev/null; cat /tmp/w >/dev/null
	ls -R /proc/self >/dev/null 2>&1; sleep 1
}
check "insmod fbt.ko" insmod "$FBT_KO" || finish
step() {
	echo "# step: $*"
	check "control: $*" sh -c "printf '%s\n' \"\$@\" > $D/control" - "$@" || cat $D/control
	work
	echo "# arm_us $(stat_of arm_last_us) armed $(stat_of armed) hits $(stat_of hits) recursions $(stat_of recursions) ghosts $(stat_of ghosts)"
}
step "enable kernel:vfs_read:entry"
step "enable kernel:vfs_*:entry"
step "disable opcode=0-ffffff" "enable kernel:*:entry" "enable opcode=${FAM1:-50-57}"
for fam in ${FAMS:-80-8f 0-3f 40-4f 58-7f 90-bf c0-df e0-ff f00-fff 100-ffffff}; do
	step "enable opcode=$fam"
done
step "disable *:*:*"
check "rmmod fbt" rmmod fbt
finish
