#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make kunit: build and boot a KUnit kernel (x86_64, qemu) with fbt's suites
# and print one "ok kunit SUITE.CASE[.PARAM]" or "not ok kunit ..." line per
# result, which tests/check.sh counts. kunit.py's own report follows "# ".
#
# Cached under $FBT_CACHE/kunit (reused across runs):
#   linux/  hard-link copy of linux-source-6.12 with fbt linked in
#   build/  kunit.py's O= build directory
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${FBT_CACHE:-$HOME/.cache/fbt}/kunit
jobs=${FBT_KUNIT_JOBS:-$(nproc)}

src=$("$top/tests/kernel-source.sh") || exit 1
tree="$cache/linux"
if [ ! -f "$tree/.fbt-tree" ] || [ "$(cat "$tree/.fbt-tree")" != "$src" ]; then
	echo "# kunit: linking a kernel tree at $tree"
	rm -rf "$tree"
	mkdir -p "$cache"
	cp -al "$src" "$tree" || exit 1
	echo "$src" >"$tree/.fbt-tree"
fi
"$top/kunit/setup-tree.sh" "$tree" || exit 1

build="$cache/build"
json="$cache/results.json"
mkdir -p "$build"
rm -f "$json"
start=$(date +%s)
(cd "$tree" && python3 tools/testing/kunit/kunit.py run --arch=x86_64 \
	--kunitconfig="$top/kunit/.kunitconfig" --build_dir="$build" \
	--jobs="$jobs" --json="$json" --qemu_args="-smp 2" "$@") 2>&1 | sed -u 's/^/# /'
rc=${PIPESTATUS[0]}
echo "# kunit: kunit.py exited $rc after $(($(date +%s) - start)) s"
[ -f "$json" ] || { echo "not ok kunit no results (kunit.py exited $rc)"; exit 1; }
python3 "$top/kunit/ktap2ok.py" "$json"
ret=$?
[ "$rc" -eq 0 ] || exit "$rc"
exit "$ret"
