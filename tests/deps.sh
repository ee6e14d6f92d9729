#!/usr/bin/env bash
# Install, with apt-get, everything fbt needs to build and test. Idempotent:
# when every package is present it only asks dpkg and returns.
set -euo pipefail

pkgs=(
	# the two target kernels: image and headers in one call so versions match
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	linux-image-amd64 linux-headers-amd64
	linux-source-6.12
	# kernel and module builds
	gcc make bc flex bison libelf-dev libssl-dev dwarves sparse
	# guests
	qemu-system-x86 busybox-static kmod cpio xz-utils zstd e2fsprogs
	# oracles and tools
	binutils trace-cmd python3 dkms gnuplot-nox
)

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
