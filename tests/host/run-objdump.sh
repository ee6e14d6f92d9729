#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Decoder vs objdump over every installed Debian kernel: the text of its
# vmlinux (extracted from /boot/vmlinuz-<release>, cached in
# $FBT_CACHE/vmlinux-<release>) and of every module it ships, compared
# instruction by instruction by bin/decode_vs_objdump. One line per kernel:
#   ok decoder-vs-objdump <release>: N instructions compared, ...
# Kernels run in parallel. Set FBT_OBJDUMP_MODULES=0 to skip the modules.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
FBT_CACHE=${FBT_CACHE:-$HOME/.cache/fbt}
tool=$here/bin/decode_vs_objdump
exc=$here/objdump-exceptions.txt
modules=${FBT_OBJDUMP_MODULES:-1}
objdump="objdump -d --insn-width=16"

fail() {
	echo "not ok decoder-vs-objdump: $*"
	exit 1
}

[ -x "$tool" ] || make -s -C "$here" bin/decode_vs_objdump >&2 ||
	fail "cannot build $tool"
command -v objdump >/dev/null || fail "objdump missing (binutils)"
mkdir -p "$FBT_CACHE"

# scripts/extract-vmlinux from the linux-source-6.12 tree, or, when the tree
# is missing, from its tarball (just that file, into a directory of its own
# so that the partial tree is never mistaken for the real one).
extract=$FBT_CACHE/linux-source-6.12/scripts/extract-vmlinux
if [ ! -x "$extract" ]; then
	extract=$FBT_CACHE/extract-vmlinux/linux-source-6.12/scripts/extract-vmlinux
fi
if [ ! -x "$extract" ]; then
	tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1)
	[ -n "$tarball" ] || fail "no extract-vmlinux and no /usr/src/linux-source-6.12.tar.*"
	mkdir -p "$FBT_CACHE/extract-vmlinux"
	tar -xf "$tarball" -C "$FBT_CACHE/extract-vmlinux" \
		linux-source-6.12/scripts/extract-vmlinux ||
		fail "cannot extract extract-vmlinux from $tarball"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fbt-objdump.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# Disassemble every module of release $1 into stdout, in batches
# decompressed into a scratch directory.
dump_modules() {
	kdir=/lib/modules/$1/kernel
	[ -d "$kdir" ] || return 0
	mdir=$tmp/mod-$1
	mkdir -p "$mdir"
	find "$kdir" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' \
		-o -name '*.ko.gz' | sort | xargs -n 250 sh -c '
		mdir=$0
		for f; do
			n=$(echo "${f#*/kernel/}" | tr / _)
			case $f in
			*.xz) xz -dc "$f" > "$mdir/${n%.xz}" ;;
			*.zst) zstd -qdc "$f" > "$mdir/${n%.zst}" ;;
			*.gz) gzip -dc "$f" > "$mdir/${n%.gz}" ;;
			*) ln -s "$f" "$mdir/$n" ;;
			esac
		done
		objdump -d --insn-width=16 "$mdir"/*.ko
		rm -f "$mdir"/*.ko' "$mdir"
}

# Compare one kernel; output into $tmp/out-<release>.
one_kernel() {
	rel=$1
	vml=$FBT_CACHE/vmlinux-$rel
	if [ ! -s "$vml" ]; then
		"$extract" "/boot/vmlinuz-$rel" > "$vml.tmp" 2>/dev/null &&
			[ -s "$vml.tmp" ] && mv "$vml.tmp" "$vml" || {
			rm -f "$vml.tmp"
			echo "not ok decoder-vs-objdump $rel: cannot extract vmlinux"
			return 1
		}
	fi
	{
		$objdump "$vml"
		[ "$modules" = 0 ] || dump_modules "$rel"
	} | "$tool" -n "$rel" -e "$exc"
}

start=$(date +%s)
pids=""
rels=""
for img in /boot/vmlinuz-*; do
	[ -e "$img" ] || fail "no /boot/vmlinuz-* installed"
	rel=${img#/boot/vmlinuz-}
	rels="$rels $rel"
	one_kernel "$rel" > "$tmp/out-$rel" 2>&1 &
	pids="$pids $!"
done

rc=0
for p in $pids; do
	wait "$p" || rc=1
done
for rel in $rels; do
	cat "$tmp/out-$rel"
done
echo "# decoder-vs-objdump: $(($(date +%s) - start)) s for$rels"
exit $rc
