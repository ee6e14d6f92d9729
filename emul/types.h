/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-width types for emul/: the kernel's in a module build, our own in a
 * host build, so the decoder and emulator sources compile unchanged in both.
 */
#ifndef FBT_EMUL_TYPES_H
#define FBT_EMUL_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
/* The compiler's own width macros: no libc header needed. */
typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
typedef __INT8_TYPE__ s8;
typedef __INT16_TYPE__ s16;
typedef __INT32_TYPE__ s32;
typedef __INT64_TYPE__ s64;
#endif

#endif /* FBT_EMUL_TYPES_H */
