#!/usr/bin/env bash
# Print the path of an extracted linux-source-6.12 tree under $FBT_CACHE,
# extracting /usr/src/linux-source-6.12.tar.xz on first use (about 10 s).
# checkpatch.pl, extract-vmlinux and kunit.py all come from it.
set -euo pipefail
cache=${FBT_CACHE:-$HOME/.cache/fbt}
tree="$cache/linux-source-6.12"
if [ ! -f "$tree/.fbt-extracted" ]; then
	tarball=/usr/src/linux-source-6.12.tar.xz
	[ -f "$tarball" ] || { echo "kernel-source: $tarball missing (make deps)" >&2; exit 1; }
	mkdir -p "$cache"
	rm -rf "$tree"
	tar -xJf "$tarball" -C "$cache"
	touch "$tree/.fbt-extracted"
fi
echo "$tree"
