#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Link fbt's sources into the kernel tree TREE as drivers/misc/fbt, so that
# kunit.py builds fbt's KUnit suites there. Idempotent. The two kernel files
# it appends a line to are rewritten (not edited in place), so a tree made
# of hard links to another one keeps that one intact.
#
#   kunit/setup-tree.sh TREE
#   cd TREE && ./tools/testing/kunit/kunit.py run --arch=x86_64 \
#       --kunitconfig=drivers/misc/fbt/kunit
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:?usage: $0 KERNEL_TREE}
[ -f "$tree/drivers/misc/Kconfig" ] || { echo "$0: $tree is not a kernel tree" >&2; exit 1; }
dir="$tree/drivers/misc/fbt"
mkdir -p "$dir"
ln -sfn "$top/kunit/Kconfig" "$dir/Kconfig"
ln -sfn "$top/kunit/Kbuild" "$dir/Kbuild"
for d in emul core recorder kunit; do
	[ -d "$top/$d" ] && ln -sfn "$top/$d" "$dir/$d"
done

# append_once FILE LINE: add LINE to FILE unless it is there already
append_once() {
	local f=$1 line=$2
	grep -qxF "$line" "$f" && return 0
	cp "$f" "$f.fbt-tmp"
	printf '%s\n' "$line" >>"$f.fbt-tmp"
	mv -f "$f.fbt-tmp" "$f"
}
append_once "$tree/drivers/misc/Kconfig" 'source "drivers/misc/fbt/Kconfig"'
append_once "$tree/drivers/misc/Makefile" 'obj-y				+= fbt/'
