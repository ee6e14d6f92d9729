// SPDX-License-Identifier: GPL-2.0
/*
 * The flight recorder's ring: reserve, claim, fill, commit.
 *
 * Writer (only on the ring's CPU, nesting allowed):
 *  1. reserve: idx = head++ (one CPU-local xadd: a nested writer that
 *     interrupts us gets the next index, never ours);
 *  2. claim the slot idx & mask with a CPU-local cmpxchg of its seq to
 *     BUSY | idx + 1, unless a writer we interrupted still holds it (BUSY)
 *     or a nested writer already put a newer record there: then the record
 *     is dropped, never written over someone else's;
 *  3. fill the five data words;
 *  4. commit: seq = idx + 1, ordered after the data (release).
 * Reader (any CPU): seq must read idx + 1 before the copy (acquire) and
 * still read idx + 1 after it, or the copy is thrown away.
 *
 * See Documentation/recorder.rst for why this is enough in every context.
 */
#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/string.h>
#else
#include <string.h>
#endif

#include "ring.h"

/*
 * Test points: kunit/recorder_test.c builds its own copy of this file with
 * FBT_RING_TEST_POINT defined, to run a nested writer or a writer racing a
 * reader exactly there. Everywhere else they compile to nothing.
 */
enum { FBT_RING_AT_RESERVED = 1, FBT_RING_AT_FILLED, FBT_RING_AT_COPIED };
#ifndef FBT_RING_TEST_POINT
#define FBT_RING_TEST_POINT(at, r, idx) \
	do { (void)(at); (void)(r); (void)(idx); } while (0)
#endif

void fbt_ring_init(struct fbt_ring *r, unsigned int records, unsigned int cpu)
{
	r->mask = records - 1;
	r->cpu = cpu;
}

long long fbt_ring_write(struct fbt_ring *r, const struct fbt_rec_data *d)
{
	u64 idx = fbt_ring_fetch_inc(&r->head);
	struct fbt_rec *rec = &r->rec[idx & r->mask];
	u64 old;

	FBT_RING_TEST_POINT(FBT_RING_AT_RESERVED, r, idx);
	for (;;) {
		old = fbt_ring_load(&rec->seq);
		/* An interrupted writer holds the slot, or ours is stale. */
		if ((old & FBT_SEQ_BUSY) || (long long)(old - (idx + 1)) > 0)
			goto drop;
		if (fbt_ring_cas(&rec->seq, old, FBT_SEQ_BUSY | (idx + 1)))
			break;
		/* A nested writer committed in between: look again. */
	}
	fbt_ring_wmb();
	fbt_ring_store(&rec->tsc, d->tsc);
	fbt_ring_store(&rec->ip, d->ip);
	fbt_ring_store(&rec->value, d->value);
	fbt_ring_store(&rec->info, fbt_rec_pack(d));
	fbt_ring_store(&rec->flags, (u64)d->flags_in | (u64)d->flags_out << 32);
	FBT_RING_TEST_POINT(FBT_RING_AT_FILLED, r, idx);
	fbt_ring_store_release(&rec->seq, idx + 1);
	return (long long)idx;
drop:
	fbt_ring_fetch_inc(&r->dropped);
	return -1;
}

int fbt_ring_read(struct fbt_ring *r, u64 idx, struct fbt_rec_data *d)
{
	struct fbt_rec *rec = &r->rec[idx & r->mask];
	u64 s1, s2, info, flags;

	s1 = fbt_ring_load_acquire(&rec->seq);
	if (s1 != idx + 1)
		return -1;
	d->tsc = fbt_ring_load(&rec->tsc);
	d->ip = fbt_ring_load(&rec->ip);
	d->value = fbt_ring_load(&rec->value);
	info = fbt_ring_load(&rec->info);
	flags = fbt_ring_load(&rec->flags);
	FBT_RING_TEST_POINT(FBT_RING_AT_COPIED, r, idx);
	fbt_ring_rmb();
	s2 = fbt_ring_load(&rec->seq);
	if (s2 != s1)
		return -1;
	d->seq = idx;
	fbt_rec_unpack(d, info);
	d->flags_in = (u32)flags;
	d->flags_out = (u32)(flags >> 32);
	return 0;
}
