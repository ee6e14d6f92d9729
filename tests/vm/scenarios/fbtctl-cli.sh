# fbtvm-timeout: 300
# fbtctl against the live module: each subcommand, its --json form, and
# the error cases (module not loaded, not root, bad glob).
. /fbt/lib.sh
D=/sys/kernel/debug/fbt
command -v fbtctl >/dev/null || { notok "fbtctl not in PATH"; finish; }

# Before the module is there: a clear error, exit status 3.
out=$(fbtctl stats 2>&1); st=$?
case "$out" in
*"not loaded"*) [ $st -eq 3 ] && ok "not loaded: exit 3, '$out'" || notok "not loaded: exit $st" ;;
*) notok "not loaded: '$out' (exit $st)" ;;
esac

check "insmod fbt.ko" insmod "$FBT_KO" || finish

# Not root: a clear error (busybox su drops to nobody; the initramfs has
# no passwd file, so give it one).
grep -q '^nobody:' /etc/passwd 2>/dev/null || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
grep -q '^nogroup:' /etc/group 2>/dev/null || echo 'nogroup:x:65534:' >>/etc/group
if [ "$(su -p -s /bin/sh nobody -c 'id -u' 2>/dev/null)" = 65534 ]; then
	out=$(su -p -s /bin/sh nobody -c 'fbtctl list' 2>&1); st=$?
	case "$out" in *"must be root"*) [ $st -eq 3 ] && ok "not root: '$out'" || notok "not root: exit $st" ;;
	*) notok "not root: '$out' (exit $st)" ;; esac
else
	notok "su nobody failed: not-root case not run ($(su -p -s /bin/sh nobody -c 'id' 2>&1))"
fi

n=$(fbtctl list | grep -c ':entry ')
[ "$n" -gt 1000 ] && ok "list: $n entry probes" || notok "list: $n entry probes"
fbtctl list 'vfs_read' | sed 's/^/# /'
fbtctl list 'kernel:vfs_read:entry' | grep -q 'kernel:vfs_read:entry' && ok "list GLOB" || notok "list GLOB"
r=$(fbtctl list --state 'refused' | grep -c ' refused:')
[ "$r" -gt 0 ] && ok "list --state refused: $r" || notok "list --state refused: $r"
fbtctl list --state refused | awk '{print $NF}' | sort | uniq -c | sort -rn | head -5 | sed 's/^/#   /'
fbtctl list --opcode '9?' --state 'disarmed' | tail -n 12 | sed 's/^/# /'
fbtctl list --opcode '9?' | grep -Eq '^9c +pushfq' && ok "list --opcode 9?: the pushfq row" || notok "list --opcode 9?: no pushfq row"
fbtctl --json list --opcode 9c | grep -q '"by_opcode":\[{"opcode":"9c"' && ok "list --json" || notok "list --json"

check "enable vfs_*" fbtctl enable 'vfs_*'
a=$(fbtctl list 'vfs_*' --state armed | grep -c ' armed$')
[ "$a" -gt 3 ] && ok "enable armed $a vfs_* probes" || notok "enable: $a armed"
check "disable vfs_*" fbtctl disable 'vfs_*'
a=$(fbtctl list 'vfs_*' --state armed | grep -c ' armed$')
[ "$a" -eq 0 ] && ok "disable: none armed" || notok "disable: $a still armed"
out=$(fbtctl enable 'no-colon-but:bad:kind' 2>&1); st=$?
case "$out" in *"control says: error"*) [ $st -ne 0 ] && ok "bad glob refused with the module's reason" || notok "bad glob: exit 0" ;;
*) notok "bad glob: '$out' (exit $st)" ;; esac
# Opcode families: deny 0x5n, arm vfs_*, nothing of 0x5n gets armed.
check "disable opcode=5?" fbtctl disable 'opcode=5?'
fbtctl enable 'vfs_*' >/dev/null
a=$(fbtctl list 'vfs_*' --opcode '5?' --state armed | grep -c ' armed$')
b=$(fbtctl list 'vfs_*' --state armed | grep -c ' armed$')
[ "$a" -eq 0 ] && [ "$b" -gt 0 ] && ok "opcode family filter: 0 of 0x5n armed, $b others" || notok "opcode filter: $a 0x5n armed, $b armed"
check "enable opcode=5? lifts the filter" fbtctl enable 'opcode=5?'
a=$(fbtctl list 'vfs_*' --opcode '5?' --state armed | grep -c ' armed$')
[ "$a" -gt 0 ] && ok "0x5n armed after the lift: $a" || notok "0x5n after lift: $a"
fbtctl disable 'vfs_*' >/dev/null

fbtctl stats | grep -Eq '^functions +[0-9]+' && ok "stats" || notok "stats"
fbtctl stats --json | grep -q '"armed":' && ok "stats --json" || notok "stats --json"

# count: the seed's fbt:::entry{cnt++;}, with a workload.
fbtctl count -d 20 -n 10 --workload 'for i in 1 2 3 4 5 6 7 8 9 10; do ls -R /proc/self >/dev/null 2>&1; cat /fbt/lib.sh >/dev/null; /bin/true; done' >/tmp/count.txt 2>&1
st=$?
sed 's/^/# /' /tmp/count.txt
[ $st -eq 0 ] && grep -q ' hits in ' /tmp/count.txt && ok "count ran" || notok "count: exit $st"
grep -Eq '^ +[0-9]+ +[0-9a-f?]+ +[a-z0-9_]+:[^ ]+:entry$' /tmp/count.txt && ok "count lists probes" || notok "count: no probe rows"
a=$(fbtctl list --state armed | grep -c ' armed$')
[ "$a" -eq 0 ] && ok "count disarmed what it armed" || notok "count left $a armed"
fbtctl --json count -d 2 'kernel:vfs_*:entry' | grep -q '"top":\[' && ok "count --json" || notok "count --json"
# count keeps what was armed before armed
fbtctl enable kernel:vfs_read:entry >/dev/null
fbtctl count -d 1 'vfs_*' >/dev/null
fbtctl list kernel:vfs_read:entry | grep -q ' armed$' && ok "count leaves probes armed before armed" || notok "count disarmed a probe armed before"
a=$(fbtctl list 'vfs_*' --state armed | grep -c ' armed$')
[ "$a" -eq 1 ] && ok "count disarmed only its own" || notok "count: $a vfs_* armed after"
fbtctl disable 'vfs_*' >/dev/null

fbtctl enable kernel:vfs_read:entry >/dev/null
cat /fbt/lib.sh >/dev/null
fbtctl recorder --last 3 >/tmp/rec.txt; st=$?
head -8 /tmp/rec.txt | sed 's/^/# /'
[ $st -eq 0 ] && grep -q '^cpu[0-9]*: [0-9]* records' /tmp/rec.txt && ok "recorder" || notok "recorder: exit $st"
fbtctl recorder --cpu 0 | grep -q '^cpu1' && notok "recorder --cpu 0 shows cpu1" || ok "recorder --cpu 0"
fbtctl --json recorder --last 2 | grep -q '"kind":' && ok "recorder --json" || notok "recorder --json"
fbtctl disable '*:*:*' >/dev/null

if command -v trace-cmd >/dev/null; then
	echo dump > $D/recorder
	cd /tmp && fbtctl extract -o /tmp/x.dat >/tmp/ex.txt 2>&1; st=$?
	cat /tmp/ex.txt | tail -3 | sed 's/^/# /'
	[ $st -eq 0 ] && [ -s /tmp/x.dat ] && ok "extract -o FILE" || notok "extract: exit $st"
	trace-cmd report -i /tmp/x.dat 2>/dev/null | grep -c fbt_history | sed 's/^/# fbt_history events: /'
else
	notok "trace-cmd not in the guest"
fi
check "rmmod fbt" rmmod fbt
out=$(fbtctl list 2>&1); st=$?
[ $st -eq 3 ] && ok "after rmmod: exit 3" || notok "after rmmod: exit $st '$out'"
finish
