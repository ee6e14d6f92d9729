/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flight recorder's ring: per CPU, the last N traps, lockless.
 *
 * One ring per CPU, written only by that CPU, possibly by several nested
 * writers (a trap interrupted by an NMI that traps, and so on). Readers run
 * on any CPU, never block a writer and never take a record that a writer
 * was changing while they copied it. The protocol, its ordering guarantees
 * and why it is safe in each context: Documentation/recorder.rst.
 *
 * This file and ring.c build in the kernel and in userspace
 * (tests/host/test_ring.c); ring_env.h maps the atomics.
 */
#ifndef FBT_RECORDER_RING_H
#define FBT_RECORDER_RING_H

#include "ring_env.h"

#ifndef BIT_ULL
#define BIT_ULL(n)	(1ULL << (n))
#endif

/* What a record is. */
enum fbt_rec_kind {
	FBT_REC_NONE = 0,
	FBT_REC_ENTRY,		/* a trap on an entry probe */
	FBT_REC_RETURN,		/* a trap on a return probe */
	FBT_REC_RECURSION,	/* a trap taken inside the handler */
	FBT_REC_GHOST,		/* a trap on a byte just restored */
	FBT_REC_VIOLATION,	/* an assertion failed (fbt_rec_why() says which) */
	FBT_REC_KIND_NR
};

/* Why a violation record was written: bits of fbt_rec_why(). */
#define FBT_WHY_IF	0x1	/* IF out differs from IF in, not a popf */
#define FBT_WHY_IMAGE	0x2	/* a pushf image without the interrupted IF */
#define FBT_WHY_POPF	0x4	/* IF out differs from the popped image's IF */
#define FBT_WHY_IP	0x8	/* ip not after the insn, not a branch */
/*
 * A record without probe (a check outside the traps) takes a value no trap
 * can produce: a trap's IF check excludes popf, and pushf and popf exclude
 * each other, so IF|POPF and IMAGE|POPF never come from a trap.
 */
#define FBT_WHY_CONSOLE	0x5	/* with no probe: a kernel assertion printed */
#define FBT_WHY_SOFTIRQ	0x6	/* with no probe: irqs off at softirq exit */
#define FBT_WHY_SYSEXIT	0x7	/* with no probe: irqs off at syscall exit */

/* A sequence number whose record a writer is changing. */
#define FBT_SEQ_BUSY	BIT_ULL(63)

/*
 * One record: 48 bytes, six words, each stored and loaded whole.
 * @seq: the record's index in this ring's history (0, 1, 2 ...), or
 *       FBT_SEQ_BUSY | index while a writer fills it.
 * @tsc: the CPU's time stamp counter at the trap.
 * @ip: the probe address (for a violation without probe: the caller's ip).
 * @value: the flags image pushed by pushf or popped by popf, else 0.
 * @info: see fbt_rec_pack().
 * @flags: EFLAGS at the trap (low half) and after emulation (high half).
 */
struct fbt_rec {
	u64 seq;
	u64 tsc;
	u64 ip;
	u64 value;
	u64 info;
	u64 flags;
};

/*
 * @head: the index the next writer reserves; only the owning CPU moves it.
 * @dropped: writes given up because an interrupted writer of this CPU
 *           still held the slot (the ring wrapped inside one nesting).
 */
struct fbt_ring {
	fbt_ring_ctr head;
	fbt_ring_ctr dropped;
	u32 mask;		/* records - 1; records is a power of two */
	u32 cpu;
	struct fbt_rec rec[];
};

/* What a writer hands in, and what a reader gets back. */
struct fbt_rec_data {
	u64 seq;		/* filled by the ring */
	u64 tsc;
	u64 ip;
	u64 value;
	u32 id;			/* probe id, or ~0 when there is none */
	u32 flags_in, flags_out;
	u8 kind;		/* enum fbt_rec_kind */
	u8 why;			/* FBT_WHY_* for a violation */
	u8 len;			/* instruction length */
	u8 ekind;		/* the emulator's enum fbt_emul_kind */
	u8 map;			/* 0: one-byte map, 1: 0f, 2: other */
	u8 opcode;		/* opcode byte within its map */
	bool injected;		/* fault injection changed this trap */
};

#define FBT_NO_ID	0xffffffffu

/*
 * info: id in bits 0-31, kind 32-35, why 36-39, len 40-43, emulator kind
 * 44-49, map 50-51, injected 52, opcode 56-63.
 */
static inline u64 fbt_rec_pack(const struct fbt_rec_data *d)
{
	return (u64)d->id | (u64)(d->kind & 0xf) << 32 |
	       (u64)(d->why & 0xf) << 36 | (u64)(d->len & 0xf) << 40 |
	       (u64)(d->ekind & 0x3f) << 44 | (u64)(d->map & 0x3) << 50 |
	       (u64)d->injected << 52 | (u64)d->opcode << 56;
}

static inline void fbt_rec_unpack(struct fbt_rec_data *d, u64 info)
{
	d->id = (u32)info;
	d->kind = (info >> 32) & 0xf;
	d->why = (info >> 36) & 0xf;
	d->len = (info >> 40) & 0xf;
	d->ekind = (info >> 44) & 0x3f;
	d->map = (info >> 50) & 0x3;
	d->injected = (info >> 52) & 1;
	d->opcode = info >> 56;
}

/* Bytes of a ring of @records records. */
static inline unsigned long fbt_ring_bytes(unsigned int records)
{
	return sizeof(struct fbt_ring) +
	       (unsigned long)records * sizeof(struct fbt_rec);
}

/* Prepare @r (fbt_ring_bytes(records) zeroed bytes) for @records records. */
void fbt_ring_init(struct fbt_ring *r, unsigned int records, unsigned int cpu);

/*
 * Append @d (its seq is ignored). Only on the ring's own CPU, any context,
 * nesting allowed. Returns the record's index, or -1 when it was dropped.
 */
long long fbt_ring_write(struct fbt_ring *r, const struct fbt_rec_data *d);

/*
 * Copy record @idx into @d if it is whole and still in the ring. Returns 0,
 * or -1 when the slot holds another record, is being written, or changed
 * while it was copied (torn). Any CPU, any context; never waits.
 */
int fbt_ring_read(struct fbt_ring *r, u64 idx, struct fbt_rec_data *d);

/* The index the next record will get: records are [head - size, head). */
static inline u64 fbt_ring_head(struct fbt_ring *r)
{
	return fbt_ring_ctr_read(&r->head);
}

static inline u64 fbt_ring_dropped(struct fbt_ring *r)
{
	return fbt_ring_ctr_read(&r->dropped);
}

/* The oldest index a reader can still hope to find. */
static inline u64 fbt_ring_tail(struct fbt_ring *r)
{
	u64 h = fbt_ring_head(r), n = (u64)r->mask + 1;

	return h > n ? h - n : 0;
}

#endif /* FBT_RECORDER_RING_H */
