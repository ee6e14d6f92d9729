/* SPDX-License-Identifier: GPL-2.0 */
/* The benchmark module's targets (targets.S, ftrace_target.c). */
#ifndef FBT_BENCH_H
#define FBT_BENCH_H

#define BENCH_DECLARE(name) \
	void bench_##name(void); \
	void bench_##name##_floor(void)

BENCH_DECLARE(push);
BENCH_DECLARE(pushf);
BENCH_DECLARE(mov);
BENCH_DECLARE(xchg);
BENCH_DECLARE(sub);
BENCH_DECLARE(lea);

/* A C function with an ftrace site (ftrace_target.c). */
void bench_ftrace(void);

#endif /* FBT_BENCH_H */
