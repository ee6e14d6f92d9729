#!/usr/bin/env bash
# dkms add / build / install of fbt (dkms.conf) for every installed kernel
# with headers, in a sandbox: --sourcetree, --dkmstree and --installtree
# point into a temporary directory, depmod is off and module signing is
# off, so neither /usr/src, /var/lib/dkms nor /lib/modules of this machine
# change. Prints one ok / not ok line per step and kernel.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
command -v dkms >/dev/null || { echo "not ok dkms: dkms not installed (make deps)"; exit 1; }
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
[ -n "$ver" ] || { echo "not ok dkms: no PACKAGE_VERSION in dkms.conf"; exit 1; }
sb=$(mktemp -d "${TMPDIR:-/tmp}/fbt-dkms.XXXXXX")
trap 'rm -rf "$sb"' EXIT
src=$sb/src/fbt-$ver
mkdir -p "$src" "$sb/dkms" "$sb/lib"
(cd "$top" && tar cf - dkms.conf Kbuild Makefile core emul recorder) | tar xf - -C "$src"
# Environment: no signing (dkms would make a key in /var/lib/dkms).
export sign_file=/nonexistent/sign-file
D=(dkms --sourcetree "$sb/src" --dkmstree "$sb/dkms" --installtree "$sb/lib")
fails=0
step() { # what, log, command...
	local what=$1 log=$2
	shift 2
	if "$@" >"$log" 2>&1; then
		echo "ok dkms $what"
	else
		echo "not ok dkms $what"
		tail -n 15 "$log" | sed 's/^/#   /'
		fails=$((fails + 1))
		return 1
	fi
}
step "add fbt/$ver" "$sb/add.log" "${D[@]}" add -m fbt -v "$ver"
n=0
for d in /lib/modules/*/; do
	rel=$(basename "$d")
	[ -e "$d/build/Makefile" ] || continue
	n=$((n + 1))
	mkdir -p "$sb/lib/$rel"
	ln -sfn "$d/build" "$sb/lib/$rel/build"
	t0=$(date +%s)
	step "build $rel" "$sb/build-$rel.log" "${D[@]}" build -m fbt -v "$ver" -k "$rel" \
		--kernelsourcedir "$d/build" || continue
	echo "# build $rel: $(($(date +%s) - t0)) s"
	step "install $rel (no depmod)" "$sb/install-$rel.log" "${D[@]}" install -m fbt -v "$ver" -k "$rel" \
		--kernelsourcedir "$d/build" --no-depmod || continue
	ko=$(find "$sb/lib/$rel" -name 'fbt.ko*' -print -quit)
	if [ -n "$ko" ] && modinfo -F vermagic "$ko" | grep -q "^$rel "; then
		echo "ok dkms $rel: ${ko#$sb/lib/} vermagic $rel"
	else
		echo "not ok dkms $rel: no fbt.ko with vermagic $rel under the install tree"
		fails=$((fails + 1))
	fi
	"${D[@]}" status -m fbt -v "$ver" -k "$rel" 2>/dev/null | sed 's/^/# /'
done
[ $n -gt 0 ] || { echo "not ok dkms: no kernel headers under /lib/modules/*/build"; fails=$((fails + 1)); }
step "remove fbt/$ver --all" "$sb/remove.log" "${D[@]}" remove -m fbt -v "$ver" --all --no-depmod
[ $fails -eq 0 ]
