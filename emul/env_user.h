/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host build of the emulator's environment: the kernel's x86-64 struct
 * pt_regs layout, plain memory, and a %gs base the test sets.
 */
#ifndef FBT_EMUL_ENV_USER_H
#define FBT_EMUL_ENV_USER_H

#include <string.h>
#include "types.h"

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx;
	unsigned long r11, r10, r9, r8, ax, cx, dx, si, di;
	unsigned long orig_ax;
	unsigned long ip, cs, flags, sp, ss;
};

/* Set by the tests: the %gs base the emulated context sees. */
extern unsigned long fbt_user_gs_base;
/* Optional test hook: return nonzero to make an access at addr fault. */
extern int (*fbt_user_fault_hook)(unsigned long addr, unsigned int size, bool write);

static inline int fbt_env_read(void *dst, unsigned long addr, unsigned int size)
{
	if (fbt_user_fault_hook && fbt_user_fault_hook(addr, size, false))
		return -1;
	memcpy(dst, (const void *)addr, size);
	return 0;
}

static inline int fbt_env_write(unsigned long addr, const void *src, unsigned int size)
{
	if (fbt_user_fault_hook && fbt_user_fault_hook(addr, size, true))
		return -1;
	memcpy((void *)addr, src, size);
	return 0;
}

static inline unsigned long fbt_env_gs_base(void)
{
	return fbt_user_gs_base;
}

#endif /* FBT_EMUL_ENV_USER_H */
