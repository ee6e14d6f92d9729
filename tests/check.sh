#!/usr/bin/env bash
# make check: build and run every test layer, then print one line
# "N passed, N failed" summing every test any layer ran.
#
# Each layer prints TAP-like lines, "ok <what>" or "not ok <what>", possibly
# behind a "[tag] " (the VM harness tags lines with the kernel). A layer that
# exits non-zero without printing a "not ok" line counts as one failure, so
# a crash is never a silent pass.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export FBT_CACHE=${FBT_CACHE:-$HOME/.cache/fbt}
logdir="$FBT_CACHE/check-logs"
mkdir -p "$logdir"

passed=0
failed=0
ok_re='^(\[[^]]*\] *)?ok '
nok_re='^(\[[^]]*\] *)?not ok '

# layer NAME TIMEOUT_SECONDS COMMAND...
layer() {
	local name=$1 limit=$2
	shift 2
	local log="$logdir/$name.log" start rc p f
	start=$(date +%s)
	echo "=== $name: $*"
	timeout --foreground -k 10 "$limit" "$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -cE "$ok_re" "$log")
	f=$(grep -cE "$nok_re" "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok $name exited with status $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "=== $name: $p passed, $f failed in $(($(date +%s) - start)) s"
}

layer build 600 tools/build-all-kernels.sh
layer lint 300 tests/lint.sh
layer dkms 600 tests/dkms.sh
layer host 600 make -s -C tests/host run
[ -x tests/host/run-mutants.sh ] && layer mutants 600 tests/host/run-mutants.sh
layer kunit 900 kunit/run.sh
if [ -x tests/vm/run.sh ]; then
	layer vm 3000 tests/vm/run.sh --kernel all $(cat tests/vm/check-scenarios 2>/dev/null || echo load-unload)
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
