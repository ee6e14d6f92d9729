/* SPDX-License-Identifier: GPL-2.0 */
/* The functions of live_funcs.S that kunit/live_test.c probes and calls. */
#ifndef FBT_KUNIT_LIVE_FUNCS_H
#define FBT_KUNIT_LIVE_FUNCS_H

#include <linux/types.h>

/* fn(a, b) entered with %rax = rax and EFLAGS = flags */
u64 fbt_kt_live_call(void *fn, u64 a, u64 b, u64 rax, unsigned long flags);
/* fbt_kt_live_popf() entered with @image on top of the stack */
u64 fbt_kt_live_call_popf(unsigned long image);

/* Called only through the two above: no C prototype is honest. */
void fbt_kt_live_push(void);
void fbt_kt_live_pushf(void);
void fbt_kt_live_popf(void);
void fbt_kt_live_xchg(void);
void fbt_kt_live_cltq(void);
void fbt_kt_live_cqto(void);
void fbt_kt_live_lahf(void);
void fbt_kt_live_sahf(void);
void fbt_kt_live_nop(void);
void fbt_kt_live_mov(void);

#endif /* FBT_KUNIT_LIVE_FUNCS_H */
