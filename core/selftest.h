/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probes on code a test names, for fbt's in-kernel tests (kunit/): see
 * core/selftest.c. Not part of fbt.ko.
 */
#ifndef FBT_CORE_SELFTEST_H
#define FBT_CORE_SELFTEST_H

#include "fbt.h"

/* One probe: an instruction boundary in a function. */
struct fbt_selftest_site {
	const char *name;	/* the function's name */
	unsigned long func;	/* its first byte */
	unsigned int size;	/* its size in bytes */
	unsigned long addr;	/* the probe, func <= addr < func + size */
	bool ret;		/* a return probe, else an entry probe */
};

struct fbt_obj *fbt_selftest_add(const char *name,
				 const struct fbt_selftest_site *s,
				 unsigned int n);
struct fbt_probe *fbt_selftest_probe(struct fbt_obj *o, unsigned long addr);
int fbt_selftest_arm(struct fbt_obj *o, bool arm);
void fbt_selftest_remove(struct fbt_obj *o);

#endif /* FBT_CORE_SELFTEST_H */
