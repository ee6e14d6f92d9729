# fbtvm-timeout: 300
# The benchmark (bench.sh) made small for make check: every mechanism runs
# and is checked to have fired once per call; no timing is asserted.
BENCH_REPS=1 BENCH_CALLS=2000 BENCH_ARM_REPS=1 BENCH_WL_REPS=1 BENCH_WL_N=1
export BENCH_REPS BENCH_CALLS BENCH_ARM_REPS BENCH_WL_REPS BENCH_WL_N
. /fbt/scenarios/bench.sh
