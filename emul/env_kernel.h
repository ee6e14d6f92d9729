/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FBT_EMUL_ENV_KERNEL_H
#define FBT_EMUL_ENV_KERNEL_H

#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/percpu.h>
#include <asm/ptrace.h>
#include <asm/percpu.h>

/*
 * __get_kernel_nofault() expands inline to one access with an exception
 * table fixup: no call that fbt itself could have probed.
 */
static __always_inline int fbt_env_read(void *dst, unsigned long addr,
					unsigned int size)
{
	switch (size) {
	case 1:
		__get_kernel_nofault(dst, (void *)addr, u8, fault);
		return 0;
	case 2:
		__get_kernel_nofault(dst, (void *)addr, u16, fault);
		return 0;
	case 4:
		__get_kernel_nofault(dst, (void *)addr, u32, fault);
		return 0;
	case 8:
		__get_kernel_nofault(dst, (void *)addr, u64, fault);
		return 0;
	}
fault:
	return -1;
}

static __always_inline int fbt_env_write(unsigned long addr, const void *src,
					 unsigned int size)
{
	switch (size) {
	case 1:
		__put_kernel_nofault((void *)addr, src, u8, fault);
		return 0;
	case 2:
		__put_kernel_nofault((void *)addr, src, u16, fault);
		return 0;
	case 4:
		__put_kernel_nofault((void *)addr, src, u32, fault);
		return 0;
	case 8:
		__put_kernel_nofault((void *)addr, src, u64, fault);
		return 0;
	}
fault:
	return -1;
}

/* Kernel-mode %gs base of this CPU: the per-CPU offset (trap runs on it). */
static __always_inline unsigned long fbt_env_gs_base(void)
{
	return this_cpu_read(this_cpu_off);
}

#endif /* FBT_EMUL_ENV_KERNEL_H */
