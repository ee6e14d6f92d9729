#!/usr/bin/env bash
# make bench: boot a guest, run the bench scenario (tests/vm/scenarios/
# bench.sh) and print its table (tests/bench/report.py) with a gnuplot PNG.
#   tests/bench/run.sh [RELEASE|all]     default: BENCH_KERNEL, else 6.12
# Output in $FBT_CACHE/bench/: <release>.log (the scenario's lines),
# <release>.txt (the table), <release>.png (per-hit cost by mechanism).
# Timings under qemu TCG: only ratios within one run mean anything.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${FBT_CACHE:-$HOME/.cache/fbt}
export FBT_CACHE=$cache
out=$cache/bench
mkdir -p "$out"
want=${1:-${BENCH_KERNEL:-6.12}}

rels=()
for d in /lib/modules/*/; do
	rel=$(basename "$d")
	[ -f "/boot/vmlinuz-$rel" ] || continue
	# 6.1 means 6.1.*, not 6.12.*
	case "$rel" in "$want"|"$want".*|"$want"-*) rels+=("$rel") ;; esac
	[ "$want" != all ] || rels+=("$rel")
done
[ ${#rels[@]} -gt 0 ] || { echo "bench: no installed kernel matches '$want'" >&2; exit 2; }

rc=0
for rel in "${rels[@]}"; do
	echo "bench: $rel (host: $(uptime | sed 's/.*load/load/'))"
	"$top/tests/vm/run.sh" --kernel "$rel" --jobs 1 --show bench | tee "$out/$rel.log" || rc=1
	"$top/tests/bench/report.py" "$out/$rel.log" --png "$out/$rel.png" \
		--title "fbt per-hit cost, $rel, qemu TCG" | tee "$out/$rel.txt" || rc=1
	echo "bench: $out/$rel.txt, $out/$rel.png"
done
exit $rc
