#!/usr/bin/env bash
# make demo: install what is missing (apt-get), build fbt.ko and fbtctl,
# boot a guest of the stock Debian kernel and stream the narrated story of
# tests/vm/scenarios/demo.sh, kernel noise filtered out.
#   tools/demo.sh [--kernel REL|6.1|6.12] [--no-deps]
#   make demo [DEMO_KERNEL=6.1]
# Exit status: 0 when every step of the demo passed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${FBT_CACHE:-$HOME/.cache/fbt}
export FBT_CACHE=$cache
want=${DEMO_KERNEL:-6.12}
deps=1
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) want=$2; shift 2 ;;
	--no-deps) deps=0; shift ;;
	*) echo "usage: $0 [--kernel REL|6.1|6.12] [--no-deps]" >&2; exit 2 ;;
	esac
done
t0=$(date +%s)
say() { printf '\n### %s\n' "$*"; }

if [ $deps -eq 1 ]; then
	say "dependencies (apt-get, only what is missing)"
	"$top/tests/deps.sh"
fi
# The kernel: an exact release, or the newest installed one of a series.
rel=
for d in /lib/modules/*/; do
	r=$(basename "$d")
	[ -f "/boot/vmlinuz-$r" ] && [ -e "$d/build/Makefile" ] || continue
	case "$r" in "$want"|"$want".*|"$want"-*) rel=$r ;; esac
done
[ -n "$rel" ] || { echo "demo: no installed kernel matches '$want' (with /boot/vmlinuz and headers)" >&2; exit 2; }

say "building fbt.ko for $rel and fbtctl"
out=$cache/demo/build/$rel
mkdir -p "$out"
(cd "$top" && cp -a --parents Kbuild core emul recorder "$out"/)
make -s -C "/lib/modules/$rel/build" M="$out" modules >"$out/build.log" 2>&1 ||
	{ tail -20 "$out/build.log"; echo "demo: building fbt.ko failed" >&2; exit 1; }
make -s -C "$top/tools/fbtctl" >/dev/null
echo "fbt.ko: $out/fbt.ko; fbtctl: tools/fbtctl/fbtctl (static copy in the guest)"

say "guest image (busybox, kmod, trace-cmd, fbt.ko, fbtctl)"
img=$cache/demo/$rel/initramfs.cpio.gz
FBT_KO=$out/fbt.ko "$top/tests/vm/mkinitramfs.sh" "$rel" "$img"

accel=tcg
if [ -c /dev/kvm ] && [ "$(cut -d' ' -f2 "$cache/vm/kvm-probe" 2>/dev/null)" = kvm ]; then
	accel=kvm
fi
say "booting stock Debian $rel under qemu ($accel, 2 vCPUs); the guest narrates:"
log=$cache/demo/$rel/console.log
status=1
# Kernel messages stay off the console (loglevel=1); the guest prints its
# own lines between the FBTVM markers, then a copy of dmesg we do not show.
set +e
timeout -k 5 900 qemu-system-x86_64 -accel "$accel" -cpu max -m 1024 -smp 2 \
	-nographic -no-reboot -kernel "/boot/vmlinuz-$rel" -initrd "$img" \
	-append "console=ttyS0 panic=-1 loglevel=1 fbtvm.scenario=demo" </dev/null 2>&1 |
	tee "$log" | {
		on=0
		while IFS= read -r line; do
			line=${line%$'\r'}
			case "$line" in
			*FBTVM-BEGIN\ *) on=1; continue ;;	# after the console's escapes
			*FBTVM-END\ *) on=0; continue ;;
			esac
			[ $on -eq 1 ] || continue
			[[ $line =~ ^dmesg:\  || $line =~ ^\[\ *[0-9]+\.[0-9]+\]\  ]] && continue
			printf '%s\n' "$line"
		done
	}
set -e
endline=$(tr -d '\r' <"$log" | grep -m1 -o 'FBTVM-END scenario=demo status=[0-9]*' || true)
[ "${endline##*status=}" = 0 ] && status=0
if grep -qE 'Kernel panic|BUG: unable|general protection' "$log"; then
	echo "demo: the guest kernel reported a crash: see $log" >&2
	status=1
fi
say "demo on $rel: $([ $status -eq 0 ] && echo passed || echo FAILED) in $(($(date +%s) - t0)) s wall (console log: $log)"
exit $status
