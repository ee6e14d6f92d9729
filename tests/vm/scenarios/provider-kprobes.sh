# fbtvm-timeout: 900
# fbt provider against kprobes: load with oracle_all=N (kprobes is asked
# about every Nth entry site, N=4 here; fbt.oracle_all=1 asks about all of
# them, about 270 s more under TCG), arm every safe entry probe, and
# compare on that sample: at least 95% of the entries kprobes accepts must
# be armed.
. /fbt/lib.sh
D=/sys/kernel/debug/fbt
N=${KP_SAMPLE:-4}
stat_of() { awk -v k="$1" '$1 == k { print $2 }' $D/stats; }

check "insmod fbt.ko oracle_all=$N" insmod "$FBT_KO" oracle_all=$N || finish
check "arm every safe entry probe" sh -c "echo 'enable *:*:entry' > $D/control"
[ "$(stat_of kprobes_entry_sample)" = "$N" ] && ok "sample of 1 in $N entry sites" ||
	notok "kprobes_entry_sample $(stat_of kprobes_entry_sample), wanted $N"
# kprobes accepts static-call trampolines (__SCT__*), which static_call_update
# rewrites after checking their bytes (an int3 there is a BUG): fbt refuses
# them as thunks, so they leave the comparison.
thunk=$(stat_of kprobes_entry_accepted_thunk)
checked=$(stat_of kprobes_entry_checked)
acc=$(( $(stat_of kprobes_entry_accepted) - thunk ))
kparmed=$(stat_of kprobes_entry_accepted_armed)
echo "# kprobes asked about $checked entry sites (1 in $N) in $(( $(stat_of oracle_us) / 1000 )) ms:"
echo "#   accepted $(stat_of kprobes_entry_accepted), $thunk of them thunks/trampolines fbt refuses; $acc compared"
echo "# fbt armed $(stat_of armed) entry probes in all; of the $acc sampled entries kprobes accepts, $kparmed"
grep '^refused' $D/stats | sed 's/^/# /'
[ "${checked:-0}" -gt 1000 ] && ok "kprobes asked about $checked entry sites" ||
	notok "kprobes asked about ${checked:-0} entry sites"
pct=$(awk -v a="$kparmed" -v k="$acc" 'BEGIN { if (k > 0) printf "%.1f", 100 * a / k; else print "n/a" }')
awk -v a="$kparmed" -v k="$acc" 'BEGIN { exit !(k > 0 && a >= 0.95 * k) }' &&
	ok "armed $kparmed = $pct% of the $acc sampled entries kprobes accepts (>= 95%)" ||
	notok "armed $kparmed = $pct% of the $acc sampled entries kprobes accepts (< 95%)"
sleep 2
check "disarm" sh -c "echo 'disable *:*:*' > $D/control"
check "rmmod fbt" rmmod fbt
finish
