# fbtvm-timeout: 900
# fbtvm-exclusive: yes
# The benchmark of Documentation/performance.rst, in one guest run:
#  hit   per-hit ns over the unprobed call, per target instruction and
#        mechanism (fbt, fbt with record=0, the floor notifier, a kprobe,
#        a kprobe on an ftrace site), BENCH_REPS repetitions;
#  arm   arming/disarming every safe entry probe against the function
#        tracer's enable/disable on all functions, BENCH_ARM_REPS times;
#  mem   fbt's own accounting against meminfo and vmallocinfo;
#  wl    a fixed kernel-heavy workload with nothing, every entry probe
#        armed, the function tracer on, BENCH_WL_REPS times.
# Prints one `bench ...` line per measurement; tests/bench/report.py makes
# the table. bench-smoke.sh runs it small, with BENCH_SMOKE=1.
. /fbt/lib.sh
D=/sys/kernel/debug/fbt
B=/sys/kernel/debug/fbt_bench
P=/sys/module/fbt/parameters
T=/sys/kernel/tracing
REPS=${BENCH_REPS:-5}
N=${BENCH_CALLS:-20000}
ARM_REPS=${BENCH_ARM_REPS:-5}
WL_REPS=${BENCH_WL_REPS:-3}
WL_N=${BENCH_WL_N:-10}
TARGETS=${BENCH_TARGETS:-push pushf mov xchg sub lea}

now() { cat $B/now; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
stat_of() { awk -v k="$1" '$1 == k { print $2 }' $D/stats; }
ctl() { echo "$1" > $D/control || notok "control: $1: $(head -n 1 $D/control)"; }
mi() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
# run TARGET MODE: sets ns (the fastest of 8 chunks, times 8), tot (all
# chunks), hits and ftr from the module's answer.
run() {
	if ! echo "$1 $2 $N" > $B/run; then
		notok "run $1 $2 failed"
		ns=0 tot=0 hits=0 ftr=0 trapped=0
		return 1
	fi
	read -r _t _m N tot hits ftr ns trapped < $B/run
}
expect_hits() { # what got want
	[ "$2" -ge "$3" ] && [ "$2" -le $(( $3 + $3 / 10 + 100 )) ] ||
		notok "$1: $2 hits for $3 calls"
}

echo "# bench: $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpus, reps $REPS, calls $N"
# The bench module first: its DIE_INT3 notifier then runs before fbt's.
check "insmod fbt_bench.ko" insmod /fbt/fbt_bench.ko || finish
sed 's/^/# target: /' $B/targets
m0_free=$(mi MemFree) m0_slab=$(mi SUnreclaim) m0_vm=$(mi VmallocUsed) m0_pcpu=$(mi Percpu)
t0=$(now)
check "insmod fbt.ko" insmod "$FBT_KO" || finish
echo "# fbt load took $(ms $t0 $(now)) ms"

# --- memory: fbt's accounting, then what the kernel says -------------------
cpus=$(grep -c ^processor /proc/cpuinfo)
rs=$(cat $P/ring_size)
vmi=$(awk '/\[fbt\]/ { for (i = 3; i <= NF; i++) if ($i ~ /^pages=/) s += substr($i, 7) * 4096 } END { print s + 0 }' /proc/vmallocinfo)
modsz=$(awk '$1 == "fbt" { print $2 }' /proc/modules)
echo "bench mem probes=$(stat_of probes) bytes=$(stat_of bytes) per_probe=$(stat_of bytes_per_probe) probe_struct=$(stat_of probe_struct) ring_records=$rs ring_bytes=$(( rs * 48 + 24 )) cpus=$cpus d_memfree_kb=$(( m0_free - $(mi MemFree) )) d_slab_kb=$(( $(mi SUnreclaim) - m0_slab )) d_vmalloc_kb=$(( $(mi VmallocUsed) - m0_vm )) d_percpu_kb=$(( $(mi Percpu) - m0_pcpu )) vmallocinfo_fbt=$vmi module_size=$modsz"
[ "$(stat_of bytes)" -gt 0 ] && ok "memory accounted: $(stat_of bytes) bytes for $(stat_of probes) probes" ||
	notok "no memory accounting in stats"

# --- per hit ----------------------------------------------------------------
probe_state() { awk -v n="$1" '$7 == n { print $8 }' $D/probes; }
for t in $TARGETS; do
	for f in bench_$t bench_${t}_floor; do
		s=$(probe_state "fbt_bench:$f:entry")
		[ "$s" = disarmed ] || notok "fbt_bench:$f:entry is '${s:-missing}', not disarmed"
	done
done
for f in fbt_bench_int3_notify fbt_bench_kp_pre; do
	s=$(probe_state "fbt_bench:$f:entry")
	case "$s" in refused:*) ;; *) notok "fbt_bench:$f:entry (trap path) is '${s:-missing}', not refused" ;; esac
done
echo "# hit runs start at $(cut -d' ' -f1 /proc/uptime) s"
rep=1
while [ $rep -le $REPS ]; do
	for t in $TARGETS; do
		run $t plain; b1=$ns
		ctl "enable fbt_bench:bench_$t:entry"
		h0=$(stat_of hits); run $t plain; fbt=$ns; expect_hits "fbt $t" $(( $(stat_of hits) - h0 )) $N
		echo 0 > $P/record
		h0=$(stat_of hits); run $t plain; norec=$ns; expect_hits "fbt record=0 $t" $(( $(stat_of hits) - h0 )) $N
		echo 1 > $P/record
		ctl "disable fbt_bench:bench_$t:entry"
		ctl "enable fbt_bench:bench_${t}_floor:entry"
		run $t floor; floor=$ns; expect_hits "floor $t" $hits $N
		ctl "disable fbt_bench:bench_${t}_floor:entry"
		run $t kprobe; kp=$ns; kpt=$trapped; expect_hits "kprobe $t" $hits $N
		run $t plain; b2=$ns
		for m in "fbt $fbt" "fbt-norec $norec" "floor $floor" "kprobe $kp"; do
			set -- $m
			echo "bench hit rep=$rep target=$t mech=$1 calls=$N ns=$2 base_ns=$(( (b1 + b2) / 2 ))"
		done
		echo "bench kprobe rep=$rep target=$t hits=$N trapped=$kpt"
	done
	run ftrace plain; b1=$ns
	run ftrace kprobe; kp=$ns; expect_hits "kprobe ftrace" $hits $N
	[ "$trapped" -eq 0 ] || notok "the kprobe on bench_ftrace trapped $trapped times"
	[ "$ftr" = 1 ] || notok "the kprobe on bench_ftrace is not on its ftrace site"
	run ftrace plain; b2=$ns
	echo "bench hit rep=$rep target=ftrace mech=kprobe-ftrace calls=$N ns=$kp base_ns=$(( (b1 + b2) / 2 ))"
	rep=$((rep + 1))
done
[ "$(stat_of armed)" -eq 0 ] || notok "probes still armed after the hit runs"
ok "per-hit runs: $REPS reps x $(echo $TARGETS | wc -w) targets"

# --- arming against ftrace ---------------------------------------------------
echo "# arm runs start at $(cut -d' ' -f1 /proc/uptime) s"
if [ "$ARM_REPS" -gt 0 ]; then
	nf=$(wc -l < $T/available_filter_functions)
	# The first arm asks kprobes about some entry sites (once): not timed.
	t0=$(now); ctl 'enable *:*:entry'; t1=$(now); ctl 'disable *:*:*'
	echo "# first arm of every entry probe, with the kprobes oracle: $(ms $t0 $t1) ms"
	rep=1
	while [ $rep -le $ARM_REPS ]; do
		t0=$(now); ctl 'enable *:*:entry'; t1=$(now)
		n=$(stat_of armed) au=$(stat_of arm_last_us)
		t2=$(now); ctl 'disable *:*:*'; t3=$(now)
		du=$(stat_of disarm_last_us)
		t4=$(now); echo function > $T/current_tracer; t5=$(now)
		echo nop > $T/current_tracer; t6=$(now)
		echo "bench arm rep=$rep probes=$n fbt_arm_ms=$(ms 0 $((au * 1000))) fbt_arm_wall_ms=$(ms $t0 $t1) fbt_disarm_ms=$(ms 0 $((du * 1000))) fbt_disarm_wall_ms=$(ms $t2 $t3) ftrace_functions=$nf ftrace_on_ms=$(ms $t4 $t5) ftrace_off_ms=$(ms $t5 $t6)"
		rep=$((rep + 1))
	done
	[ "${n:-0}" -gt 1000 ] && ok "arm/disarm of $n entry probes against ftrace on $nf functions" ||
		notok "armed only ${n:-0} entry probes"
fi

# --- workload ------------------------------------------------------------------
wl() {
	_i=0
	while [ $_i -lt $WL_N ]; do
		/bin/true; sh -c 'echo x >/dev/null'
		dd if=/dev/zero of=/tmp/w bs=4k count=16 2>/dev/null
		cat /tmp/w >/dev/null; ls /proc/self/ >/dev/null; rm -f /tmp/w
		_i=$((_i + 1))
	done
}
echo "# workload runs start at $(cut -d' ' -f1 /proc/uptime) s"
if [ "$WL_REPS" -gt 0 ]; then
	wl	# warm the caches
	rep=1
	while [ $rep -le $WL_REPS ]; do
		t0=$(now); wl; t1=$(now)
		ctl 'enable *:*:entry'
		h0=$(stat_of hits); t2=$(now); wl; t3=$(now); h1=$(stat_of hits)
		ctl 'disable *:*:*'
		echo function > $T/current_tracer
		t4=$(now); wl; t5=$(now)
		echo nop > $T/current_tracer
		echo "bench wl rep=$rep loops=$WL_N none_ms=$(ms $t0 $t1) fbt_ms=$(ms $t2 $t3) fbt_hits=$((h1 - h0)) ftrace_ms=$(ms $t4 $t5)"
		rep=$((rep + 1))
	done
	ok "workload: $WL_REPS reps"
fi

check "rmmod fbt" rmmod fbt
sleep 2
echo "bench mem-unload d_memfree_kb=$(( m0_free - $(mi MemFree) )) d_slab_kb=$(( $(mi SUnreclaim) - m0_slab )) d_vmalloc_kb=$(( $(mi VmallocUsed) - m0_vm ))"
check "rmmod fbt_bench" rmmod fbt_bench
finish
