/* SPDX-License-Identifier: GPL-2.0 */
/* The benchmark module's targets (targets.S, ftrace_target.c). */
#ifndef FBT_BENCH_H
#define FBT_BENCH_H

/* targets.S: the first instruction of each is in its name. */
void bench_push(void);
void bench_push_floor(void);
void bench_pushf(void);
void bench_pushf_floor(void);
void bench_mov(void);
void bench_mov_floor(void);
void bench_xchg(void);
void bench_xchg_floor(void);
void bench_sub(void);
void bench_sub_floor(void);
void bench_lea(void);
void bench_lea_floor(void);

/* A C function with an ftrace site (ftrace_target.c). */
void bench_ftrace(void);

#endif /* FBT_BENCH_H */
