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
