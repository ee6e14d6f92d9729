# fbtvm-timeout: 60
# The guest boots, runs a scenario and powers off: the harness's own check
# (and its KVM probe). Loads nothing.
. /fbt/lib.sh
check "guest up: $(uname -r), $(nproc) CPUs" test -d /sys/kernel/tracing/events
check "debugfs mounted" test -d /sys/kernel/debug/tracing
# The kernel modules of modules.list load with their dependencies.
check "modprobe loop" modprobe loop
check "modprobe ext4 (with crc16, mbcache, jbd2)" modprobe ext4
if is_loaded ext4 && is_loaded jbd2 && is_loaded loop; then
	ok "loop, ext4 and jbd2 in /proc/modules"
else
	notok "loop, ext4 and jbd2 in /proc/modules: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
fi
check "rmmod ext4 jbd2 mbcache loop" rmmod ext4 jbd2 mbcache loop
finish
