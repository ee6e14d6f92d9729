# fbtvm-timeout: 600
# fbt provider, the control file: every error case fails with EINVAL,
# changes nothing and can be read back; then 1000 writes of random bytes,
# with the probe states unchanged.
. /fbt/lib.sh
D=/sys/kernel/debug/fbt
stat_of() { awk -v k="$1" '$1 == k { print $2 }' $D/stats; }
states() { awk '!/^#/ { print $1, $9 }' $D/probes | md5sum | cut -d' ' -f1; }

check "insmod fbt.ko arm=kernel:vfs_*:entry" insmod "$FBT_KO" 'arm=kernel:vfs_*:entry' || finish
armed0=$(stat_of armed)
s0=$(states)
[ "$armed0" -gt 0 ] && ok "the arm parameter armed $armed0 vfs_* entries" || notok "nothing armed by arm="

bad() { # what, then the bytes to write (printf format)
	_what=$1; shift
	if printf "$@" > $D/control 2>/dev/null; then
		notok "rejected: $_what (write succeeded)"
	elif head -n 1 $D/control | grep -q '^last: error: '; then
		ok "rejected: $_what ($(head -n 1 $D/control))"
	else
		notok "rejected: $_what: read back $(head -n 1 $D/control)"
	fi
}
bad "unknown verb" 'bogus\n'
bad "enable without argument" 'enable\n'
bad "disable without argument" 'disable \n'
bad "glob without colons" 'enable vfs_read\n'
bad "glob with one colon" 'enable kernel:vfs_read\n'
bad "glob with three colons" 'enable a:b:c:d\n'
bad "empty module field" 'enable :vfs_read:entry\n'
bad "empty function field" 'enable kernel::entry\n'
bad "empty kind field" 'enable kernel:vfs_read:\n'
bad "kind neither entry nor return" 'enable kernel:vfs_read:entyr\n'
bad "unbalanced bracket" 'enable kernel:[vfs:entry\n'
bad "empty class" 'enable kernel:[]:entry\n'
bad "empty negated class" 'enable kernel:[!]:entry\n'
bad "stray closing bracket" 'enable kernel:vfs]:entry\n'
bad "two arguments" 'enable kernel:a:entry kernel:b:entry\n'
bad "control character in glob" 'enable kernel:a\001:entry\n'
bad "non-ASCII glob" 'enable kernel:\351:entry\n'
bad "empty opcode" 'enable opcode=\n'
bad "opcode not hex" 'disable opcode=zz\n'
bad "opcode range reversed" 'enable opcode=9f-90\n'
bad "opcode too long" 'enable opcode=1234567\n'
bad "reset with argument" 'reset now\n'
bad "empty write" '\n'
bad "good line then bad line" 'disable *:*:*\nbogus\n'
bad "NUL byte" 'disable *:*:*\000\n'
if head -c 5000 /dev/zero | tr '\0' 'a' > $D/control 2>/dev/null; then
	notok "rejected: write over 4096 bytes"
else
	ok "rejected: write over 4096 bytes"
fi
[ "$(stat_of armed)" = "$armed0" ] && [ "$(states)" = "$s0" ] &&
	ok "state unchanged after the error cases" ||
	notok "state changed: armed $(stat_of armed) vs $armed0"

i=0; accepted=0
while [ $i -lt 1000 ]; do
	n=$(( (i * 7919) % 300 + 1 ))
	if dd if=/dev/urandom bs=$n count=1 2>/dev/null > $D/control 2>/dev/null; then
		accepted=$((accepted + 1))
	fi
	i=$((i + 1))
done
[ $accepted -eq 0 ] && ok "1000 random writes rejected" ||
	notok "$accepted of 1000 random writes accepted"
[ "$(stat_of armed)" = "$armed0" ] && [ "$(states)" = "$s0" ] &&
	ok "state unchanged after random writes" ||
	notok "state changed after random writes: armed $(stat_of armed) vs $armed0"
check "good commands still work" sh -c "printf 'disable *:*:*\nreset\n' > $D/control"
# Glob forms, matched part by part (module, function, kind); each count is
# checked against the probes file, matched here by awk on the same rows.
globcount() { # the awk condition on function name $f, kind $k
	awk -v want="$2" '!/^#/ && $8 !~ /^refused/ { split($7, a, ":"); f = a[2]; k = a[3]
		if (a[1] == "kernel" && ('"$1"')) n++ } END { print n + 0 }' $D/probes
}
globcheck() { # glob, awk condition
	_want=$(globcount "$2")	# before: arming may refuse returns (kprobes)
	echo "enable $1" > $D/control
	_got=$(sed -n 's/^last: ok: 1 commands, \([0-9]*\) matches$/\1/p' $D/control)
	[ -n "$_got" ] && [ "$_got" -eq "$_want" ] && [ "$_want" -gt 0 ] &&
		ok "glob $1 matches $_got probes" || notok "glob $1 matched ${_got:-?}, awk says $_want"
	echo 'disable *:*:*' > $D/control
}
globcheck 'kernel:[v]fs_rea?:*' 'f ~ /^vfs_rea.$/'
globcheck 'kernel:[!a-z]*:entry' 'f ~ /^[^a-z]/ && k == "entry"'
globcheck 'kernel:*_[rw]*:return' 'f ~ /_[rw]/ && k == "return"'
globcheck 'kernel:[]x]*:entry' 'f ~ /^[]x]/ && k == "entry"'
[ "$(stat_of armed)" -eq 0 ] && ok "disarmed" || notok "still armed"
check "rmmod fbt" rmmod fbt
finish
