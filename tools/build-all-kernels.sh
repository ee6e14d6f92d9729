#!/usr/bin/env bash
# Build fbt.ko with W=1 against every kernel whose headers are installed,
# each in its own copy under .build/<release>/ so objects never mix; the
# benchmark module (tests/bench/) likewise in .build/<release>/bench/.
# Fails if any build fails or prints a warning. Prints one TAP-style line
# per kernel for tests/check.sh. Extra make arguments pass through (C=1).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rc=0
found=0
# build_one LABEL DIR KO [make args]: W=1 build of the Kbuild in DIR; any
# warning fails it.
build_one() {
	local label=$1 dir=$2 ko=$3 log=$2/build.log
	shift 3
	if make -C "$build" M="$dir" W=1 "$@" modules >"$log" 2>&1 &&
	   ! grep -qiE 'warning|error' "$log"; then
		echo "ok build-W=1 $label$rel ($(stat -c %s "$dir/$ko") bytes)"
		return 0
	fi
	echo "not ok build-W=1 $label$rel"
	grep -iE -A3 'warning|error' "$log" | head -40
	return 1
}

for build in /lib/modules/*/build; do
	[ -e "$build/Makefile" ] || continue
	found=1
	rel=$(basename "$(dirname "$build")")
	out="$top/.build/$rel"
	mkdir -p "$out"
	(cd "$top" && cp -a --parents Kbuild core emul recorder "$out"/ 2>/dev/null)
	build_one "" "$out" fbt.ko "$@" || rc=1
	bout="$out/bench"
	mkdir -p "$bout"
	(cd "$top" && cp -a tests/bench/Kbuild tests/bench/*.[chS] "$bout"/ && cp -a emul "$bout"/)
	build_one "bench " "$bout" fbt_bench.ko "$@" || rc=1
done
[ $found -eq 1 ] || { echo "not ok build: no kernel headers under /lib/modules"; exit 1; }
exit $rc
