#!/usr/bin/env bash
# Build the initramfs of the fbt test guest for one kernel release:
#   tests/vm/mkinitramfs.sh <release> <out.cpio.gz>
# Contents: static busybox with its applet links, kmod (with its shared
# libraries) as insmod/rmmod/lsmod/modprobe/modinfo, /init (tests/vm/init),
# /fbt/fbt.ko from .build/<release>/, /fbt/fbt_bench.ko (tests/bench/) from
# .build/<release>/bench/, /fbt/lib.sh and /fbt/scenarios/*.sh,
# the static helpers of tests/vm/Makefile in /fbt/bin, and the kernel modules
# of tests/vm/modules.list (plus dependencies, decompressed, depmod'ed).
# Rebuilds only when an input changed (a hash of them sits next to <out>).
#
# Environment: FBT_CACHE (default ~/.cache/fbt); FBT_BUILD=<dir> to take
# <dir>/<release>/fbt.ko instead of .build/; FBT_KO=<path> to ship another
# fbt.ko; EMUL_SRCS=<files> to build the helpers against a stub emulator.
set -euo pipefail

die() { echo "mkinitramfs: $*" >&2; exit 1; }
warn() { echo "mkinitramfs: warning: $*" >&2; }

[ $# -eq 2 ] || die "usage: $0 <release> <out.cpio.gz>"
rel=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${FBT_CACHE:-$HOME/.cache/fbt}
moddir=/lib/modules/$rel

[ -d "$moddir" ] || die "no $moddir: is the kernel $rel installed?"
[ -f "$moddir/modules.dep" ] || die "no $moddir/modules.dep"
for tool in cpio gzip depmod; do
	command -v $tool >/dev/null || die "$tool not found (make deps)"
done

busybox=$(command -v busybox || true)
[ -n "$busybox" ] || die "busybox not found (apt-get install busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked (apt-get install busybox-static)"
fi
kmod=$(command -v kmod || true)
[ -n "$kmod" ] || warn "kmod not found: the guest uses busybox insmod/rmmod/lsmod"
# trace-cmd (recorder scenarios: trace-cmd extract -B fbt / report).
tracecmd=$(command -v trace-cmd || true)
[ -n "$tracecmd" ] || warn "trace-cmd not found: recorder-trace scenarios will fail (make deps)"

# mkfs.ext4 (e2fsprogs) for the workload's ext4 image.
mkfs=$(command -v mkfs.ext4 || command -v /sbin/mkfs.ext4 || true)

fbt_ko=${FBT_KO:-${FBT_BUILD:-$top/.build}/$rel/fbt.ko}
if [ ! -f "$fbt_ko" ]; then
	warn "$fbt_ko missing (make modules-all): the guest has no fbt.ko"
	fbt_ko=
fi

bench_ko=${FBT_BENCH_KO:-${FBT_BUILD:-$top/.build}/$rel/bench/fbt_bench.ko}
if [ ! -f "$bench_ko" ]; then
	warn "$bench_ko missing (make modules-all): the guest has no fbt_bench.ko"
	bench_ko=
fi

# The static helpers (shared by all releases; make skips what is current).
bindir=$cache/vm/bin${EMUL_SRCS:+-stub}
make -s -C "$here" O="$bindir" ${EMUL_SRCS:+EMUL_SRCS="$EMUL_SRCS"} ||
	die "building the guest helpers (tests/vm/Makefile) failed"

# Kernel modules to ship: each listed name and its dependencies.
declare -A want=()
while read -r name _; do
	case "$name" in ''|'#'*) continue ;; esac
	line=$(grep -E "(^|/)(${name}|${name//_/-}|${name//-/_})\.ko(\.(xz|zst|gz))?:" \
		"$moddir/modules.dep" | head -n 1 || true)
	if [ -z "$line" ]; then
		warn "$rel: module $name not in modules.dep (built in?), skipped"
		continue
	fi
	for m in ${line/:/ }; do
		want[$m]=1
	done
done <"$here/modules.list"
mods=$(printf '%s\n' "${!want[@]}" | sort)

# Everything the image is made of, hashed to decide whether to rebuild.
inputs() {
	echo "$rel"
	sha256sum "$0" "$here/init" "$here/lib.sh" "$here/modules.list" \
		"$here"/scenarios/*.sh "$busybox" ${kmod:+"$kmod"} ${mkfs:+"$mkfs"} ${tracecmd:+"$tracecmd"} ${fbt_ko:+"$fbt_ko"} ${bench_ko:+"$bench_ko"} \
		"$bindir"/* "$moddir/modules.dep"
	for m in $mods; do
		stat -c '%n %s %Y' "$moddir/$m"
	done
}
hash=$(inputs | sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ "$(cat "$out.hash" 2>/dev/null)" = "$hash" ]; then
	exit 0
fi

mkdir -p "$(dirname "$out")"
stage=$(mktemp -d "$(dirname "$out")/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
r=$stage/root
mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc,mnt,fbt/bin,fbt/scenarios,"lib/modules/$rel"}

cp "$busybox" "$r/bin/busybox"
"$busybox" --list-full | while read -r applet; do
	[ -e "$r/$applet" ] || ln -s /bin/busybox "$r/$applet"
done

if [ -n "$kmod" ]; then
	cp "$kmod" "$r/usr/bin/kmod"
	# kmod's shared libraries and loader, at the paths ldd names.
	for lib in $(ldd "$kmod" | grep -oE '/[^ ]+'); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
	for t in insmod rmmod lsmod modprobe modinfo depmod; do
		rm -f "$r/sbin/$t" "$r/bin/$t" "$r/usr/sbin/$t" "$r/usr/bin/$t"
		ln -s /usr/bin/kmod "$r/sbin/$t"
	done
fi

if [ -n "$tracecmd" ]; then
	cp "$tracecmd" "$r/usr/bin/trace-cmd"
	for lib in $(ldd "$tracecmd" | grep -oE '/[^ ]+'); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
fi

# mkfs.ext4 (the workload's ext4 image) and its configuration.
if [ -n "$mkfs" ]; then
	cp -L "$mkfs" "$r/sbin/mkfs.ext4"
	for lib in $(ldd "$mkfs" | grep -oE '/[^ ]+'); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
	[ ! -f /etc/mke2fs.conf ] || cp /etc/mke2fs.conf "$r/etc/"
else
	warn "mkfs.ext4 not found: the workload runs without its ext4 part (make deps)"
fi

cp "$here/init" "$r/init"
chmod 755 "$r/init"
cp "$here/lib.sh" "$r/fbt/lib.sh"
cp "$here"/scenarios/*.sh "$r/fbt/scenarios/"
cp "$bindir"/* "$r/fbt/bin/"
[ -z "$fbt_ko" ] || cp "$fbt_ko" "$r/fbt/fbt.ko"
[ -z "$bench_ko" ] || cp "$bench_ko" "$r/fbt/fbt_bench.ko"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
printf 'root:x:0:\n' >"$r/etc/group"
printf '127.0.0.1 localhost\n' >"$r/etc/hosts"
# The kernel opens /dev/console before devtmpfs is mounted.
mknod -m 600 "$r/dev/console" c 5 1 2>/dev/null || warn "cannot mknod dev/console"
mknod -m 666 "$r/dev/null" c 1 3 2>/dev/null || true

for m in $mods; do
	src=$moddir/$m
	dst=$r/lib/modules/$rel/${m%.*}
	case "$m" in
	*.ko) dst=$r/lib/modules/$rel/$m; mkdir -p "$(dirname "$dst")"; cp "$src" "$dst" ;;
	*.ko.xz) mkdir -p "$(dirname "$dst")"; xz -dc "$src" >"$dst" ;;
	*.ko.zst) mkdir -p "$(dirname "$dst")"; zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) mkdir -p "$(dirname "$dst")"; gzip -dc "$src" >"$dst" ;;
	*) die "unknown module file type: $m" ;;
	esac
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ ! -f "$moddir/$f" ] || cp "$moddir/$f" "$r/lib/modules/$rel/"
done
# modules.order names the compressed files; depmod wants what is there.
sed -i -E 's/\.ko\.(xz|zst|gz)$/.ko/' "$r/lib/modules/$rel/modules.order"
depmod -b "$r" "$rel" || die "depmod for $rel failed"

(cd "$r" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
	gzip -6 >"$stage/out.cpio.gz"
mv "$stage/out.cpio.gz" "$out"
echo "$hash" >"$out.hash"
echo "mkinitramfs: $out ($(du -k "$out" | cut -f1) KiB, $(echo "$mods" | grep -c . || true) kernel modules, fbt.ko ${fbt_ko:-absent})" >&2
