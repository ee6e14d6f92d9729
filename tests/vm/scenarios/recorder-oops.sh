# fbtvm-timeout: 400
# fbtvm-expect: oops
# Flight recorder without fault injection, a few probes armed:
#  - every record carries the probe id of the probes file row of its address;
#  - the recorder's deferred path (irq_work, workqueue) is refused trappath;
#  - trace-cmd record -e fbt:fbt_hit works and trace-cmd report prints the
#    events readably (id, kind, name, ip, opcode, length, flags in -> out);
#  - the test-only oops (test_oops=1, "oops" into fbt/recorder) oopses a
#    kthread: fbt's dump (die chain, DIE_OOPS) is printed before the oops
#    report completes ("---[ end trace"), and the guest carries on to its
#    end marker (run.sh accepts the oops: fbtvm-expect above).
. /fbt/lib.sh
D=/sys/kernel/debug/fbt

work() { ls / >/dev/null; cat /proc/version >/dev/null; /bin/true; sh -c 'echo x >/tmp/x; cat /tmp/x >/dev/null'; }

check "insmod fbt.ko test_oops=1" insmod "$FBT_KO" test_oops=1 || { dmesg | tail -30; finish; }

# The probes file is long (about 100k rows): read it once.
cat $D/probes >/tmp/probes.txt
# The deferred path after a violation must never be probed.
n=0; bad=0
for f in irq_work_queue irq_work_single irq_work_run __irq_work_queue_local \
	 irq_work_claim arch_irq_work_raise llist_add_batch queue_work_on \
	 __queue_work insert_work kick_pool wake_up_worker; do
	rows=$(grep ":$f:entry " /tmp/probes.txt) || continue
	n=$((n + 1))
	case "$rows" in
	*refused:trappath*) ;;
	*) bad=$((bad + 1)); echo "# not refused: $rows" ;;
	esac
done
[ $n -ge 4 ] && [ $bad -eq 0 ] &&
	ok "deferred path refused trappath ($n functions with an entry probe)" ||
	notok "deferred path: $n functions found, $bad not refused trappath"

check "arm vfs_* and do_sys_* entry probes" \
	sh -c "echo 'enable kernel:vfs_*:entry' > $D/control && echo 'enable kernel:do_sys_*:entry' > $D/control"
awk '$1 == "armed" { print "# armed:", $2 }' $D/stats
work

# Probe ids: every record's id is the probes file row of its ip.
awk '$1 !~ /^#/ { print $1, $3 }' /tmp/probes.txt >/tmp/ids
awk '$1 !~ /^#/ && ($4 == "entry" || $4 == "return") { print $5, $6 }' $D/recorder >/tmp/rec
head -3 /tmp/rec | sed 's/^/# record id ip: /'
res=$(awk 'NR == FNR { a[$1] = $2; next }
	{ n++; if (a[$1] != $2) { bad++; if (bad < 4) print "# mismatch: id " $1 " ip " $2 " probes row " a[$1] } }
	END { print n + 0, bad + 0 }' /tmp/ids /tmp/rec)
echo "$res" | grep '^#'
set -- $(echo "$res" | tail -n 1)
[ "${1:-0}" -ge 1 ] && [ "${2:-1}" -eq 0 ] &&
	ok "record ids match the probes file ($1 records)" ||
	notok "record ids: $1 records, $2 mismatches"

# trace-cmd record -e fbt:fbt_hit, and a readable report.
cd /tmp
if check "trace-cmd record -e fbt:fbt_hit" \
	trace-cmd record -e fbt:fbt_hit -o /tmp/hit.dat sh -c 'ls / >/dev/null; cat /proc/version >/dev/null'; then
	trace-cmd report -i /tmp/hit.dat >/tmp/hit.txt 2>/tmp/hit.err
	grep -m3 'fbt_hit:' /tmp/hit.txt | sed 's/^/# /'
	echo "# fbt_hit events: $(grep -c 'fbt_hit:' /tmp/hit.txt)"
	# id=N entry|return name ip=hex op=hex len=N kind flags A -> B
	if grep -qE 'fbt_hit: +id=[0-9]+ entry (vfs|do_sys)_[a-z_0-9]+ ip=ffffffff[0-9a-f]+ op=[0-9a-f]{2} len=[0-9]+ [a-z_]+ flags [A-Z|]+ -> [A-Z|]+$' /tmp/hit.txt; then
		ok "trace-cmd report prints fbt_hit readably"
	else
		notok "fbt_hit not readable: $(grep -m1 'fbt_hit' /tmp/hit.txt)"
	fi
	grep -q 'FAILED TO PARSE\|__print_\|REC->' /tmp/hit.txt &&
		notok "trace-cmd report could not format some fbt_hit events" ||
		ok "no unparsed fbt_hit field"
	# The event's id and ip name the same probe as the probes file.
	sed -nE 's/.*fbt_hit: +id=([0-9]+) [a-z]+ [^ ]+ ip=([0-9a-f]+) .*/\1 \2/p' /tmp/hit.txt >/tmp/hitids
	set -- $(awk 'NR == FNR { a[$1] = $2; next } { n++; if (a[$1] != $2) bad++ } END { print n + 0, bad + 0 }' /tmp/ids /tmp/hitids)
	[ "$1" -ge 1 ] && [ "$2" -eq 0 ] && ok "fbt_hit ids match the probes file ($1 events)" ||
		notok "fbt_hit ids: $1 events, $2 mismatches"
fi

# The oops.
check "echo oops > fbt/recorder" sh -c "echo oops > $D/recorder"
dmesg_wait '---\[ end trace' 30 || dmesg_wait 'fbt: ---\[ end of flight recorder' 5
sleep 1
dmesg >/tmp/dmesg.txt
lo=$(grep -n -m1 -E 'Oops|BUG: kernel NULL pointer' /tmp/dmesg.txt | cut -d: -f1)
l1=$(grep -n -m1 'fbt: ---\[ flight recorder: oops' /tmp/dmesg.txt | cut -d: -f1)
l2=$(grep -n -m1 'fbt: ---\[ end of flight recorder' /tmp/dmesg.txt | cut -d: -f1)
le=$(grep -n -m1 -- '---\[ end trace' /tmp/dmesg.txt | cut -d: -f1)
echo "# dmesg lines: oops $lo, dump $l1..$l2, end of oops report $le"
if [ -n "$lo" ] && [ -n "$l1" ] && [ -n "$l2" ] && [ -n "$le" ] &&
   [ "$lo" -lt "$l1" ] && [ "$l1" -lt "$l2" ] && [ "$l2" -lt "$le" ]; then
	ok "fbt's dump is printed inside the oops report, before it completes"
else
	notok "line order: oops $lo, dump $l1..$l2, end trace $le"
fi
sed -n "${l1:-1},$((${l1:-1} + 6))p" /tmp/dmesg.txt | sed 's/^/# /'
grep -q 'fbt: .*cpu[0-9]* #[0-9]* .* id [0-9]' /tmp/dmesg.txt &&
	ok "the oops dump has records with probe ids" || notok "no record with an id in the oops dump"
work
check "machine keeps running after the oops" sh -c '/bin/true && ls / >/dev/null'
check "disarm everything" sh -c "echo 'disable *:*:*' > $D/control"
check "rmmod fbt" rmmod fbt
finish
