/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring's only contact with the world: the few atomic operations and
 * barriers of its protocol (Documentation/recorder.rst). The kernel build
 * maps them to inline, CPU-local instructions (no call: the trap path must
 * not call anything probeable); the host build maps them to C11 atomics so
 * that ThreadSanitizer sees the protocol (tests/host/test_ring.c).
 */
#ifndef FBT_RECORDER_RING_ENV_H
#define FBT_RECORDER_RING_ENV_H

#include "../emul/types.h"

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <asm/barrier.h>
#include <asm/cmpxchg.h>
#include <asm/local.h>

/*
 * Only the owning CPU writes: CPU-local (unlocked) read-modify-write,
 * atomic against an interrupt, an NMI or an exception on the same CPU.
 */
#define fbt_ring_ctr local_t

static __always_inline u64 fbt_ring_fetch_inc(fbt_ring_ctr *p)
{
	return (u64)local_add_return(1, p) - 1;
}

static __always_inline u64 fbt_ring_ctr_read(fbt_ring_ctr *p)
{
	return (u64)local_read(p);
}

static __always_inline bool fbt_ring_cas(u64 *p, u64 old, u64 new)
{
	return cmpxchg_local(p, old, new) == old;
}

#define fbt_ring_load(p)		READ_ONCE(*(p))
#define fbt_ring_store(p, v)		WRITE_ONCE(*(p), (v))
/* The reader's first seq load: pairs with the commit's release. */
#define fbt_ring_load_acquire(p)	smp_load_acquire(p)
/* The commit: data stores before the seq store. */
#define fbt_ring_store_release(p, v)	smp_store_release((p), (v))
/* Data after the claim (writer); data before the re-check (reader). */
#define fbt_ring_wmb()			smp_wmb()
/* Pairs with fbt_ring_wmb() and the commit's release. */
#define fbt_ring_rmb()			smp_rmb()

#else /* host build */

#define fbt_ring_ctr u64

static inline u64 fbt_ring_fetch_inc(fbt_ring_ctr *p)
{
	return __atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
}

static inline u64 fbt_ring_ctr_read(fbt_ring_ctr *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline bool fbt_ring_cas(u64 *p, u64 old, u64 new)
{
	return __atomic_compare_exchange_n(p, &old, new, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/*
 * Field accesses are release stores and acquire loads: that is what the
 * kernel's smp_wmb()/smp_rmb() pairs give, in a form ThreadSanitizer
 * understands (it does not model standalone fences).
 */
#define fbt_ring_load(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define fbt_ring_store(p, v)		__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define fbt_ring_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define fbt_ring_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define fbt_ring_wmb()			do { } while (0)
#define fbt_ring_rmb()			do { } while (0)

#endif /* __KERNEL__ */

#endif /* FBT_RECORDER_RING_ENV_H */
