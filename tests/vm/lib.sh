# Shell helpers for the scenarios under tests/vm/scenarios/, sourced as
# `. /fbt/lib.sh` inside the guest. A scenario prints TAP-like lines,
# `ok <what>` or `not ok <what>: <why>`, and exits nonzero if any failed
# (finish does that).

# busybox sh runs its own applets before looking at PATH: route the module
# tools to kmod (in the image when the host had it) by their full path.
# (kmod picks its tool by the name it is called by: /sbin/insmod -> kmod.)
if [ -x /usr/bin/kmod ]; then
	insmod() { /sbin/insmod "$@"; }
	rmmod() { /sbin/rmmod "$@"; }
	lsmod() { /sbin/lsmod "$@"; }
	modprobe() { /sbin/modprobe "$@"; }
	modinfo() { /sbin/modinfo "$@"; }
fi

FBTVM_FAILED=0
FBTVM_PASSED=0

ok() { echo "ok $*"; FBTVM_PASSED=$((FBTVM_PASSED + 1)); }
notok() { echo "not ok $*"; FBTVM_FAILED=$((FBTVM_FAILED + 1)); }

# check "what" command...: ok if the command succeeds.
check() {
	_what=$1
	shift
	if _out=$("$@" 2>&1); then
		ok "$_what"
	else
		notok "$_what: \`$*\` failed: $(echo "$_out" | tail -n 3 | tr '\n' ' ')"
		return 1
	fi
}

# Wait up to $2 seconds (default 5) for the kernel log to contain $1.
dmesg_wait() {
	_n=$(( ${2:-5} * 10 ))
	while [ $_n -gt 0 ]; do
		dmesg | grep -q -- "$1" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# How many kernel log lines contain $1.
dmesg_count() { dmesg | grep -c -- "$1"; }

is_loaded() { grep -q "^$1 " /proc/modules; }

# End of a scenario: a summary line and the exit status.
finish() {
	echo "# $FBTVM_SCENARIO: $FBTVM_PASSED passed, $FBTVM_FAILED failed"
	[ "$FBTVM_FAILED" -eq 0 ]
	exit $?
}

# The provider scenarios' mixed workload, all parts at once until
# workload_stop: fork and exec; file I/O on tmpfs and on an ext4 image
# (mkfs.ext4 on a loop device); loopback TCP and UDP and timers (netload);
# a module (dummy) loaded and unloaded every second. Each part counts its
# rounds; workload_stop prints them and fails a check for a part that did
# nothing.
WL=/tmp/wl
workload_start() {
	rm -rf $WL; mkdir -p $WL /mnt/ext4
	ip link set lo up 2>/dev/null
	modprobe crc32c_generic 2>/dev/null  # ext4 wants crc32c (a soft dependency)
	if dd if=/dev/zero of=$WL/ext4.img bs=1M count=24 2>/dev/null &&
	   /sbin/mkfs.ext4 -q -F $WL/ext4.img >$WL/mkfs.log 2>&1 &&
	   mount -o loop -t ext4 $WL/ext4.img /mnt/ext4; then
		:
	else
		echo "# ext4 image not mounted: $(tail -n 2 $WL/mkfs.log 2>/dev/null)"
	fi
	WL_PIDS=
	( n=0; while [ ! -e $WL/stop ]; do
		/bin/true; sh -c 'echo x >/dev/null'; ls /proc/self/ >/dev/null
		n=$((n + 1)); echo $n > $WL/exec.n
	done ) &
	WL_PIDS="$WL_PIDS $!"
	( n=0; while [ ! -e $WL/stop ]; do
		dd if=/dev/zero of=/tmp/wl.t bs=4k count=32 2>/dev/null
		cat /tmp/wl.t >/dev/null; rm -f /tmp/wl.t
		n=$((n + 1)); echo $n > $WL/tmpfs.n
	done ) &
	WL_PIDS="$WL_PIDS $!"
	( n=0; while [ ! -e $WL/stop ] && grep -q ' /mnt/ext4 ' /proc/mounts; do
		dd if=/dev/urandom of=/mnt/ext4/f bs=4k count=16 conv=fsync 2>/dev/null
		cat /mnt/ext4/f >/dev/null; rm -f /mnt/ext4/f; sync
		n=$((n + 1)); echo $n > $WL/ext4.n
	done ) &
	WL_PIDS="$WL_PIDS $!"
	( n=0; while [ ! -e $WL/stop ]; do
		modprobe dummy 2>/dev/null && sleep 0.5 && modprobe -r dummy 2>/dev/null &&
			n=$((n + 1)) && echo $n > $WL/module.n
		sleep 0.5
	done ) &
	WL_PIDS="$WL_PIDS $!"
	/fbt/bin/netload 100000 > $WL/netload.out 2>&1 &
	WL_NETLOAD=$!
	WL_PIDS="$WL_PIDS $!"
}

workload_stop() {
	touch $WL/stop
	kill "$WL_NETLOAD" 2>/dev/null
	# shellcheck disable=SC2086
	wait $WL_PIDS
	umount /mnt/ext4 2>/dev/null
	for p in exec tmpfs ext4 module; do
		_n=$(cat $WL/$p.n 2>/dev/null || echo 0)
		[ "$_n" -gt 0 ] && ok "workload $p: $_n rounds" || notok "workload $p did nothing"
	done
	_net=$(grep -c ' [1-9][0-9]*$' $WL/netload.out 2>/dev/null)
	[ "${_net:-0}" -eq 3 ] && ok "workload net and timers: $(sed 's/^netload: //' $WL/netload.out | tr '\n' ',' | sed 's/,$//')" ||
		notok "workload netload: $(tr '\n' ' ' < $WL/netload.out)"
}

# workload SECONDS: the mixed workload for that long.
workload_for() {
	workload_start
	sleep "$1"
	workload_stop
}
