# fbtvm-timeout: 300
# Debug aid: which function names are refused as thunks, by prefix.
. /fbt/lib.sh
D=/sys/kernel/debug/fbt
check "insmod fbt.ko" insmod "$FBT_KO" || finish
grep 'entry refused:thunk' $D/probes | awk '{ split($7, a, ":"); print substr(a[2], 1, 10) }' | sort | uniq -c | sort -rn | head -15 | sed 's/^/# /'
check "rmmod fbt" rmmod fbt
finish
