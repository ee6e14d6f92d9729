/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulator's only contact with the world: struct pt_regs, nofault memory
 * accessors and the %gs base. The kernel build maps them to inline nofault
 * accesses (no calls: the trap path must not call anything probeable); the
 * host build maps them to plain memory, with a hook for the tests.
 *
 * fbt_env_read()/fbt_env_write() copy 1, 2, 4 or 8 bytes and return 0, or
 * nonzero if the access faulted.
 */
#ifndef FBT_EMUL_ENV_H
#define FBT_EMUL_ENV_H

#ifdef __KERNEL__
#include "env_kernel.h"
#else
#include "env_user.h"
#endif

#endif /* FBT_EMUL_ENV_H */
