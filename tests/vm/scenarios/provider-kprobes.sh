# fbtvm-timeout: 1500
# fbt provider against kprobes: load with oracle_all=1 (kprobes is asked
# about every entry site), arm every safe entry probe, and compare: at
# least 95% of the entries kprobes accepts must be armed.
. /fbt/lib.sh
D=/sys/kernel/debug/fbt
stat_of() { awk -v k="$1" '$1 == k { print $2 }' $D/stats; }

check "insmod fbt.ko oracle_all=1" insmod "$FBT_KO" oracle_all=1 || finish
check "arm every safe entry probe" sh -c "echo 'enable *:*:entry' > $D/control"
# kprobes accepts static-call trampolines (__SCT__*), which static_call_update
# rewrites after checking their bytes (an int3 there is a BUG): fbt refuses
# them as thunks, so they leave the comparison.
thunk=$(stat_of kprobes_entry_accepted_thunk)
echo "# kprobes accepted $(stat_of kprobes_entry_accepted) entries, $thunk of them thunks/trampolines fbt refuses"
acc=$(( $(stat_of kprobes_entry_accepted) - thunk ))
armed=$(stat_of armed)
echo "# kprobes asked about $(stat_of kprobes_entry_checked) entry sites in $(( $(stat_of oracle_us) / 1000 )) ms, accepted $acc"
echo "# fbt armed $armed entry probes"
grep '^refused' $D/stats | sed 's/^/# /'
pct=$(awk -v a="$armed" -v k="$acc" 'BEGIN { printf "%.1f", 100 * a / k }')
awk -v a="$armed" -v k="$acc" 'BEGIN { exit !(k > 0 && a >= 0.95 * k) }' &&
	ok "armed $armed = $pct% of the $acc entries kprobes accepts (>= 95%)" ||
	notok "armed $armed = $pct% of the $acc entries kprobes accepts (< 95%)"
sleep 5
check "disarm" sh -c "echo 'disable *:*:*' > $D/control"
check "rmmod fbt" rmmod fbt
finish
