/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Planted bugs, to prove the tests can fail. Build with -DFBT_PLANT_BUG=N
 * to plant exactly one; a normal build defines none and emulate.c only
 * carries the #if lines.
 */
#ifndef FBT_EMUL_PLANT_H
#define FBT_EMUL_PLANT_H

#define FBT_PLANT_PUSHF	1	/* pushf image has IF cleared (the seed's bug) */
#define FBT_PLANT_POPF	2	/* popf cannot change AC */
#define FBT_PLANT_XCHG	3	/* 32-bit xchg with eax keeps the upper halves */
#define FBT_PLANT_CLTQ	4	/* cltq sign-extends from 16 bits */
#define FBT_PLANT_SAHF	5	/* sahf drops AF and loads bit 3 */

#ifndef FBT_PLANT_BUG
#define FBT_PLANT_BUG	0
#endif

#endif /* FBT_EMUL_PLANT_H */
