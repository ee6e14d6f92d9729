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
for build in /lib/modules/*/build; do
	[ -e "$build/Makefile" ] || continue
	found=1
	rel=$(basename "$(dirname "$build")")
	out="$top/.build/$rel"
	mkdir -p "$out"
	(cd "$top" && cp -a --parents Kbuild core emul recorder "$out"/ 2>/dev/null)
	log="$out/build.log"
	if make -C "$build" M="$out" W=1 "$@" modules >"$log" 2>&1 &&
	   ! grep -qiE 'warning|error' "$log"; then
		echo "ok build-W=1 $rel ($(stat -c %s "$out/fbt.ko") bytes)"
	else
		echo "not ok build-W=1 $rel"
		grep -iE -A3 'warning|error' "$log" | head -40
		rc=1
	fi
	bout="$out/bench"
	mkdir -p "$bout"
	(cd "$top" && cp -a tests/bench/Kbuild tests/bench/*.[chS] "$bout"/ && cp -a emul "$bout"/)
	blog="$bout/build.log"
	if make -C "$build" M="$bout" W=1 "$@" modules >"$blog" 2>&1 &&
	   ! grep -qiE 'warning|error' "$blog"; then
		echo "ok build-W=1 bench $rel ($(stat -c %s "$bout/fbt_bench.ko") bytes)"
	else
		echo "not ok build-W=1 bench $rel"
		grep -iE -A3 'warning|error' "$blog" | head -40
		rc=1
	fi
done
[ $found -eq 1 ] || { echo "not ok build: no kernel headers under /lib/modules"; exit 1; }
exit $rc
