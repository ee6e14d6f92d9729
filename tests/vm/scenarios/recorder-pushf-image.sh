# fbtvm-timeout: 400
# fbtvm-allow-taint: N
# Flight recorder, the check after the fact: every safe entry probe armed
# with inject=pushf-image (a pushf pushes an image with IF clear, so the
# matching popf leaves interrupts disabled) and the per-trap assertion off
# (assert=0). The sporadic syscall-exit check (or the console hook) must
# fire (the workload's aiosubmit makes a syscall run __get_reqs_available(),
# which starts with pushf, and return right away), the dump must be printed, and the culprit pushf record (opcode 9c,
# its image IF differing from IF at the trap: SUSPECT) must be in the dumped
# history, its id and name those of a pushf row of the probes file.
. /fbt/lib.sh
D=/sys/kernel/debug/fbt
stat_of() { awk -v k="$1" '$1 == k { print $2 }' $D/stats; }
dumped() { dmesg | grep -q 'fbt: ---\[ flight recorder: \(interrupts disabled at syscall exit\|kernel assertion\)'; }

workload() { # seconds
	_end=$(( $(cut -d. -f1 /proc/uptime) + $1 ))
	while [ "$(cut -d. -f1 /proc/uptime)" -lt $_end ]; do
		# io_submit: a pushf function, then straight to syscall exit
		aiosubmit 1 >/dev/null
		for i in 1 2 3; do /bin/true; sh -c 'echo x >/dev/null'; done
		dd if=/dev/zero of=/tmp/w bs=4k count=64 2>/dev/null
		cat /tmp/w >/dev/null; rm -f /tmp/w
		dumped && return 0
	done
}

check "insmod fbt.ko inject=pushf-image assert=0 ring_size=4096" \
	insmod "$FBT_KO" inject=pushf-image assert=0 ring_size=4096 || { dmesg | tail -30; finish; }
echo "# pushf entry probes: $(grep -c ' 9c .*:entry ' $D/probes)"
t0=$(cut -d' ' -f1 /proc/uptime)
check "arm every safe entry probe" sh -c "echo 'enable *:*:entry' > $D/control"
echo "# armed $(stat_of armed)"
workload 150
if dumped; then
	t1=$(cut -d' ' -f1 /proc/uptime)
	ok "a check after the trap dumped the rings"
	echo "# time from arming to dump: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s (guest uptime; dump at $(dmesg | grep -m1 'fbt: ---\[ flight recorder' | sed 's/^\[ *\([0-9.]*\)\].*/\1/') s)"
else
	notok "no dump from the syscall-exit check or the console hook"
fi
# Stop the damage before looking.
check "disarm everything" sh -c "echo 'disable *:*:*' > $D/control"
echo "# pushf entry probes (id hits address opcode len modrm name state):"
grep ' 9c .*:entry ' $D/probes | sed 's/^/#   /'
dmesg >/tmp/dmesg.txt
grep -m1 'fbt: syscall .* left interrupts disabled' /tmp/dmesg.txt | sed 's/^/# /'
[ "$(grep -c 'fbt: ---\[ flight recorder: violation at a trap' /tmp/dmesg.txt)" -eq 0 ] &&
	ok "no per-trap violation (assert=0)" || notok "a per-trap violation was reported with assert=0"
# The first dump, from its header to its end.
sed -n '/fbt: ---\[ flight recorder: /,/fbt: ---\[ end of flight recorder/p' /tmp/dmesg.txt |
	sed '/end of flight recorder/q' >/tmp/dump.txt
echo "# dump lines: $(wc -l </tmp/dump.txt)"
grep -m1 'flight recorder:' /tmp/dump.txt | sed 's/^/# /'
grep 'SUSPECT' /tmp/dump.txt | head -4 | sed 's/^/# /'
# e.g. "fbt:    cpu1 #123 -4567ns entry     id 4711 foo+0x0/0x20 pushf op 9c [IF -> IF] image if SUSPECT: ..."
line=$(grep -m1 ' id [0-9]* .* pushf op 9c .*SUSPECT' /tmp/dump.txt)
if [ -n "$line" ]; then
	id=$(echo "$line" | sed -n 's/.* id \([0-9]*\) .*/\1/p')
	name=$(echo "$line" | sed -n 's/.* id [0-9]* \([^+ ]*\)+0x.*/\1/p')
	row=$(awk -v id="$id" '$1 == id' $D/probes)
	echo "# probes row $id: $row"
	case "$row" in
	*" 9c "*":$name:entry "*) ok "the culprit pushf is in the dumped history: $name (id $id, op 9c)" ;;
	*) notok "suspect record id $id name $name does not match its probes row: $row" ;;
	esac
else
	notok "no pushf (9c) SUSPECT record in the dump"
fi
check "machine keeps running: fork, exec, I/O" sh -c '/bin/true && ls / >/dev/null'
check "rmmod fbt" rmmod fbt
finish
