#!/usr/bin/env bash
# The differential test must be able to fail: build cpu_diff once per bug
# planted in emul/ (-DFBT_PLANT_BUG=N, the list is emul/plant.h) and check
# that each build reports disagreements and exits non-zero.
#
# FBT_DIFF_STATES (default 100 here) and FBT_DIFF_SEED pass through.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export FBT_DIFF_STATES=${FBT_DIFF_STATES:-100}

mutants=$(sed -nE 's/^#define[[:space:]]+FBT_PLANT_([A-Z0-9_]+)[[:space:]]+([0-9]+).*/\2 \1/p' \
	"$top/emul/plant.h" | grep -v ' BUG$')
if [ -z "$mutants" ]; then
	echo "not ok mutants: no FBT_PLANT_* bugs found in emul/plant.h"
	exit 1
fi

rc=0
while read -r n name; do
	name=$(echo "$name" | tr 'A-Z' 'a-z')
	bin="$tmp/m$n"
	if ! make -s -C "$here" BIN="$bin" EXTRA_CFLAGS="-DFBT_PLANT_BUG=$n" \
			"$bin/cpu_diff" >"$tmp/build$n.log" 2>&1; then
		echo "not ok mutant $name: build with -DFBT_PLANT_BUG=$n failed"
		sed 's/^/# /' "$tmp/build$n.log" | head -20
		rc=1
		continue
	fi
	"$bin/cpu_diff" >"$tmp/run$n.log" 2>&1
	status=$?
	summary=$(grep -E '^(not )?ok cpu-diff: ' "$tmp/run$n.log" | tail -1)
	bad=$(echo "$summary" | sed -nE 's/.* ([0-9]+) disagreements$/\1/p')
	if [ "$status" -ne 0 ] && [ -n "$bad" ] && [ "$bad" -gt 0 ]; then
		families=$(grep -cE '^not ok cpu-diff [^:]' "$tmp/run$n.log")
		[ "$families" -eq 1 ] && fw=family || fw=families
		echo "ok mutant $name caught ($bad disagreements in $families form $fw)"
	elif [ "$status" -ne 0 ]; then
		echo "not ok mutant $name: cpu_diff failed without a disagreement count (status $status)"
		tail -5 "$tmp/run$n.log" | sed 's/^/# /'
		rc=1
	else
		echo "not ok mutant $name survived"
		rc=1
	fi
done <<<"$mutants"
exit $rc
