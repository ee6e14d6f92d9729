# fbtvm-timeout: 120
# Load and unload fbt.ko twice; each time it shows in lsmod and says so in
# the kernel log.
. /fbt/lib.sh

if [ ! -f "$FBT_KO" ]; then
	notok "load-unload: $FBT_KO missing from the initramfs (make modules-all)"
	finish
fi

for round in 1 2; do
	if ! check "insmod fbt.ko (round $round)" insmod "$FBT_KO"; then
		dmesg | tail -n 20
		finish
	fi
	if lsmod | grep -q '^fbt '; then
		ok "fbt listed by lsmod (round $round)"
	else
		notok "fbt listed by lsmod (round $round): $(lsmod | tr '\n' ';')"
	fi
	if dmesg_wait "fbt: loaded" && [ "$(dmesg_count 'fbt: loaded')" -eq $round ]; then
		ok "dmesg says 'fbt: loaded' (round $round)"
	else
		notok "dmesg says 'fbt: loaded' (round $round): seen $(dmesg_count 'fbt: loaded') times"
	fi
	check "rmmod fbt (round $round)" rmmod fbt || finish
	if is_loaded fbt; then
		notok "fbt gone from /proc/modules (round $round)"
	else
		ok "fbt gone from /proc/modules (round $round)"
	fi
	if dmesg_wait "fbt: unloaded" && [ "$(dmesg_count 'fbt: unloaded')" -eq $round ]; then
		ok "dmesg says 'fbt: unloaded' (round $round)"
	else
		notok "dmesg says 'fbt: unloaded' (round $round): seen $(dmesg_count 'fbt: unloaded') times"
	fi
done
finish
