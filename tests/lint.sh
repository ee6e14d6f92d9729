#!/usr/bin/env bash
# Static checks of the module sources: checkpatch --strict on every kernel C
# file, and sparse (make C=2) against every installed kernel.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tree=$(tests/kernel-source.sh) || exit 1
rc=0
for f in $(git ls-files -co --exclude-standard -- 'core/*.[ch]' 'emul/*.[ch]' \
		'recorder/*.[ch]' 'kunit/*.[ch]' 'tests/bench/*.[ch]'); do
	out=$(perl "$tree/scripts/checkpatch.pl" --strict --no-tree --terse -f "$f" 2>&1 | grep -E ': (ERROR|WARNING|CHECK):')
	if [ -z "$out" ]; then
		echo "ok checkpatch $f"
	else
		echo "not ok checkpatch $f"
		echo "$out" | head -10
		rc=1
	fi
done
if command -v sparse >/dev/null; then
	tools/build-all-kernels.sh C=2 | sed 's/build-W=1/sparse/' || rc=1
fi
exit $rc
