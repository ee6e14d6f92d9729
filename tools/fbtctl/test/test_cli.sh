#!/bin/sh
# fbtctl against a fake debugfs directory (FBT_DEBUGFS): output shapes and
# error cases, no kernel needed. TAP-like ok / not ok lines.
here=$(cd "$(dirname "$0")" && pwd)
F=${FBTCTL:-$here/../fbtctl}
fails=0
t() { # what, command...; ok if it succeeds
	what=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok fbtctl cli $what"; else echo "not ok fbtctl cli $what"; fails=$((fails + 1)); fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$here/fake" "$tmp/fbt"
export FBT_DEBUGFS=$tmp/fbt
t "list" sh -c "$F list | grep -q 'kernel:put_cpu_partial:entry armed'"
t "list --state refused" sh -c "test \$($F list --state refused | grep -c refused:) -eq 1"
t "list --opcode 9? sums 0x9n" sh -c "$F list --opcode '9?' | grep -Eq '^9c +pushfq +2 +1 +1 +16'"
t "list glob shorthand" sh -c "test \$($F list 'vfs_*' | grep -c vfs_read) -eq 1"
t "list --json" sh -c "$F --json list --opcode 9c | grep -q '\"by_opcode\":\\[{\"opcode\":\"9c\"'"
t "stats" sh -c "$F stats | grep -Eq '^traps +146'"
t "stats --json" sh -c "$F stats --json | grep -q '\"refused:jumplabel\":1'"
t "enable writes control" sh -c "$F enable 'vfs_*' opcode=9? && grep -q 'enable \\*:vfs_\\*:entry' $tmp/fbt/control && grep -q 'enable opcode=9?' $tmp/fbt/control"
t "recorder decodes" sh -c "$F recorder | grep -q '=> cpu0 #2 .*put_cpu_partial.*IF 1 -> 0'"
t "recorder --cpu 1" sh -c "! $F recorder --cpu 1 | grep -q put_cpu_partial"
t "bisect needs --workload" sh -c "$F bisect; test \$? -eq 2"
t "unknown command is a usage error" sh -c "$F frobnicate; test \$? -eq 2"
t "module not loaded: exit 3 and says so" sh -c "FBT_DEBUGFS=$tmp/none $F stats 2>&1 | grep -q 'not loaded' && { FBT_DEBUGFS=$tmp/none $F stats; test \$? -eq 3; }"
# Not root (the real check, no FBT_DEBUGFS): needs root to drop to nobody.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	cp "$F" "$tmp/fbtctl-nr"
	chmod 755 "$tmp" "$tmp/fbtctl-nr"
	t "not root: exit 3 and says so" sh -c "out=\$(env -u FBT_DEBUGFS setpriv --reuid=65534 --regid=65534 --clear-groups $tmp/fbtctl-nr stats 2>&1); st=\$?; echo \"\$out\" | grep -q 'must be root' && test \$st -eq 3"
else
	echo "# fbtctl cli not-root case skipped (needs root and setpriv)"
fi
[ $fails -eq 0 ]
