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
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#endif

#endif /* FBT_EMUL_TYPES_H */
