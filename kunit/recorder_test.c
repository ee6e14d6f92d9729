// SPDX-License-Identifier: GPL-2.0
/*
 * fbt_recorder: the flight recorder's ring (recorder/ring.c) and its dump
 * (recorder/dump.c).
 *
 * The ring is tested on a copy of ring.c built here with its test points
 * (FBT_RING_TEST_POINT) defined: at FBT_RING_AT_RESERVED (index taken,
 * slot not yet claimed) and FBT_RING_AT_FILLED (slot claimed and filled,
 * not committed) a nested writer runs, as an NMI interrupting the writer
 * would; at FBT_RING_AT_COPIED (a reader has copied the data, not yet
 * re-checked the sequence) a writer overwrites the slot. The copy's
 * functions are renamed fbt_kt_ring_*; the recorder that the live tests
 * use is built from the same file without test points.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/processor-flags.h>
#include <asm/tsc.h>

#define fbt_ring_init	fbt_kt_ring_init
#define fbt_ring_write	fbt_kt_ring_write
#define fbt_ring_read	fbt_kt_ring_read
#include "ring.h"

static void fbt_kt_point(int at, struct fbt_ring *r, u64 idx);
#define FBT_RING_TEST_POINT(at, r, idx)	fbt_kt_point(at, r, idx)
#include "../recorder/ring.c"

#include "recorder.h"
#include "capture.h"

#define FBT_KT_RING	16

/* What runs at a test point: once, when the outer operation is on @idx. */
struct fbt_kt_nest {
	int at;				/* FBT_RING_AT_* */
	u64 idx;
	unsigned int writes;		/* nested writes of ids 1000, 1001 ... */
	bool fired;
	long long ret[FBT_KT_RING + 1];	/* what each nested write returned */
	int read_outer;			/* filled: reading the outer's index */
	int read_nested;		/* filled: reading the first nested one */
	struct fbt_rec_data nested;	/* ... and what it read */
};

static struct fbt_kt_nest *fbt_kt_nest;

/* A record whose every field says which one it is. */
static void fbt_kt_rec(struct fbt_rec_data *d, u32 id)
{
	memset(d, 0, sizeof(*d));
	d->tsc = 1000000 + id;
	d->ip = 0xffffffff81000000UL + id * 16;
	d->value = (u64)id << 32 | 0x246;
	d->id = id;
	d->flags_in = 0x202 | (id & 0xd5);
	d->flags_out = 0x2 | (id & 0xd5);
	d->kind = FBT_REC_ENTRY + id % 4;
	d->why = id % 16;
	d->len = 1 + id % 15;
	d->ekind = id % 64;
	d->map = id % 3;
	d->opcode = 0x90 + id % 16;
	d->injected = id & 1;
}

static bool fbt_kt_rec_eq(const struct fbt_rec_data *a,
			  const struct fbt_rec_data *b)
{
	return a->tsc == b->tsc && a->ip == b->ip && a->value == b->value &&
	       a->id == b->id && a->flags_in == b->flags_in &&
	       a->flags_out == b->flags_out && a->kind == b->kind &&
	       a->why == b->why && a->len == b->len && a->ekind == b->ekind &&
	       a->map == b->map && a->opcode == b->opcode &&
	       a->injected == b->injected;
}

static void fbt_kt_point(int at, struct fbt_ring *r, u64 idx)
{
	struct fbt_kt_nest *n = fbt_kt_nest;
	struct fbt_rec_data d;
	unsigned int i;

	if (!n || n->at != at || n->idx != idx || n->fired)
		return;
	n->fired = true;
	for (i = 0; i < n->writes; i++) {
		fbt_kt_rec(&d, 1000 + i);
		n->ret[i] = fbt_kt_ring_write(r, &d);
	}
	if (at == FBT_RING_AT_FILLED) {
		n->read_outer = fbt_kt_ring_read(r, idx, &d);
		n->read_nested = fbt_kt_ring_read(r, idx + 1, &n->nested);
	}
}

static struct fbt_ring *fbt_kt_ring_new(struct kunit *test)
{
	struct fbt_ring *r;

	r = kunit_kzalloc(test, fbt_ring_bytes(FBT_KT_RING), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	fbt_kt_ring_init(r, FBT_KT_RING, 0);
	fbt_kt_nest = NULL;
	return r;
}

/* Write records of ids @from .. @to - 1, checking the indices returned. */
static void fbt_kt_fill(struct kunit *test, struct fbt_ring *r, u32 from,
			u32 to)
{
	struct fbt_rec_data d;
	u32 id;

	for (id = from; id < to; id++) {
		u64 want = fbt_ring_head(r);

		fbt_kt_rec(&d, id);
		KUNIT_ASSERT_EQ(test, fbt_kt_ring_write(r, &d), (long long)want);
	}
}

/* Record @idx reads back whole, as record @id. */
static void fbt_kt_expect_rec(struct kunit *test, struct fbt_ring *r, u64 idx,
			      u32 id)
{
	struct fbt_rec_data got, want;

	fbt_kt_rec(&want, id);
	KUNIT_ASSERT_EQ_MSG(test, fbt_kt_ring_read(r, idx, &got), 0,
			    "record %llu unreadable", idx);
	KUNIT_EXPECT_EQ(test, got.seq, idx);
	KUNIT_EXPECT_TRUE_MSG(test, fbt_kt_rec_eq(&got, &want),
			      "record %llu: id %u, want %u", idx, got.id, id);
}

static void fbt_kt_expect_gone(struct kunit *test, struct fbt_ring *r, u64 idx)
{
	struct fbt_rec_data d;

	KUNIT_EXPECT_EQ_MSG(test, fbt_kt_ring_read(r, idx, &d), -1,
			    "record %llu should be gone", idx);
}

/* Every field survives the ring, at its widest values too. */
static void fbt_kt_roundtrip(struct kunit *test)
{
	struct fbt_ring *r = fbt_kt_ring_new(test);
	struct fbt_rec_data d, got;

	memset(&d, 0, sizeof(d));
	d.tsc = ~0ULL;
	d.ip = ~0UL;
	d.value = 0x8000000000000001ULL;
	d.id = FBT_NO_ID;
	d.flags_in = ~0U;
	d.flags_out = 0x80000000U;
	d.kind = 15;
	d.why = 15;
	d.len = 15;
	d.ekind = 63;
	d.map = 3;
	d.opcode = 0xff;
	d.injected = true;
	KUNIT_ASSERT_EQ(test, fbt_kt_ring_write(r, &d), 0);
	KUNIT_ASSERT_EQ(test, fbt_kt_ring_read(r, 0, &got), 0);
	KUNIT_EXPECT_TRUE(test, fbt_kt_rec_eq(&got, &d));
	fbt_kt_fill(test, r, 1, 12);
	fbt_kt_expect_rec(test, r, 7, 7);
}

/*
 * Records come back in the order they were written, each under its own
 * index: the ring's history is [tail, head) with no gaps.
 */
static void fbt_kt_order(struct kunit *test)
{
	struct fbt_ring *r = fbt_kt_ring_new(test);
	u64 i;

	KUNIT_EXPECT_EQ(test, fbt_ring_head(r), 0ULL);
	KUNIT_EXPECT_EQ(test, fbt_ring_tail(r), 0ULL);
	fbt_kt_expect_gone(test, r, 0);
	fbt_kt_fill(test, r, 0, 10);
	KUNIT_EXPECT_EQ(test, fbt_ring_head(r), 10ULL);
	KUNIT_EXPECT_EQ(test, fbt_ring_tail(r), 0ULL);
	for (i = fbt_ring_tail(r); i < fbt_ring_head(r); i++)
		fbt_kt_expect_rec(test, r, i, i);
	fbt_kt_expect_gone(test, r, 10);
	KUNIT_EXPECT_EQ(test, fbt_ring_dropped(r), 0ULL);
}

/* Past its size the ring keeps the newest records, the older ones are gone. */
static void fbt_kt_wrap(struct kunit *test)
{
	struct fbt_ring *r = fbt_kt_ring_new(test);
	u64 i;

	fbt_kt_fill(test, r, 0, 3 * FBT_KT_RING + 5);
	KUNIT_EXPECT_EQ(test, fbt_ring_head(r), 3ULL * FBT_KT_RING + 5);
	KUNIT_EXPECT_EQ(test, fbt_ring_tail(r), 2ULL * FBT_KT_RING + 5);
	for (i = 0; i < fbt_ring_tail(r); i++)
		fbt_kt_expect_gone(test, r, i);
	for (i = fbt_ring_tail(r); i < fbt_ring_head(r); i++)
		fbt_kt_expect_rec(test, r, i, i);
	KUNIT_EXPECT_EQ(test, fbt_ring_dropped(r), 0ULL);
}

/*
 * A writer interrupted after taking its index, before claiming the slot:
 * the nested writer gets the next index; both records stay, in the order
 * of the indices (the interrupted one first) although the nested one was
 * committed first.
 */
static void fbt_kt_nested_reserve(struct kunit *test)
{
	struct fbt_ring *r = fbt_kt_ring_new(test);
	struct fbt_kt_nest n = { .at = FBT_RING_AT_RESERVED, .idx = 5, .writes = 1 };
	struct fbt_rec_data d;

	fbt_kt_fill(test, r, 0, 5);
	fbt_kt_nest = &n;
	fbt_kt_rec(&d, 5);
	KUNIT_EXPECT_EQ(test, fbt_kt_ring_write(r, &d), 5LL);
	fbt_kt_nest = NULL;
	KUNIT_ASSERT_TRUE(test, n.fired);
	KUNIT_EXPECT_EQ(test, n.ret[0], 6LL);
	fbt_kt_expect_rec(test, r, 5, 5);
	fbt_kt_expect_rec(test, r, 6, 1000);
	KUNIT_EXPECT_EQ(test, fbt_ring_head(r), 7ULL);
	KUNIT_EXPECT_EQ(test, fbt_ring_dropped(r), 0ULL);
}

/*
 * A writer interrupted between filling and committing: its slot reads as
 * in progress (no reader takes it), the nested record is readable at
 * once, and after the commit both are there.
 */
static void fbt_kt_nested_fill(struct kunit *test)
{
	struct fbt_ring *r = fbt_kt_ring_new(test);
	struct fbt_kt_nest n = { .at = FBT_RING_AT_FILLED, .idx = 3, .writes = 1 };
	struct fbt_rec_data d, want;

	fbt_kt_fill(test, r, 0, 3);
	fbt_kt_nest = &n;
	fbt_kt_rec(&d, 3);
	KUNIT_EXPECT_EQ(test, fbt_kt_ring_write(r, &d), 3LL);
	fbt_kt_nest = NULL;
	KUNIT_ASSERT_TRUE(test, n.fired);
	KUNIT_EXPECT_EQ(test, n.ret[0], 4LL);
	KUNIT_EXPECT_EQ_MSG(test, n.read_outer, -1,
			    "a record being written was read");
	KUNIT_EXPECT_EQ(test, n.read_nested, 0);
	fbt_kt_rec(&want, 1000);
	KUNIT_EXPECT_TRUE(test, fbt_kt_rec_eq(&n.nested, &want));
	fbt_kt_expect_rec(test, r, 3, 3);
	fbt_kt_expect_rec(test, r, 4, 1000);
	KUNIT_EXPECT_EQ(test, fbt_ring_dropped(r), 0ULL);
}

/*
 * The nested writer wraps the whole ring before the interrupted one
 * claims its slot: the slot already holds a newer record, which the
 * interrupted writer must not overwrite; it drops its own and counts it.
 */
static void fbt_kt_nested_wrap_reserve(struct kunit *test)
{
	struct fbt_ring *r = fbt_kt_ring_new(test);
	struct fbt_kt_nest n = { .at = FBT_RING_AT_RESERVED, .idx = 2,
				 .writes = FBT_KT_RING };
	struct fbt_rec_data d;
	unsigned int i;

	fbt_kt_fill(test, r, 0, 2);
	fbt_kt_nest = &n;
	fbt_kt_rec(&d, 2);
	KUNIT_EXPECT_EQ(test, fbt_kt_ring_write(r, &d), -1LL);
	fbt_kt_nest = NULL;
	KUNIT_ASSERT_TRUE(test, n.fired);
	for (i = 0; i < FBT_KT_RING; i++)
		KUNIT_EXPECT_EQ(test, n.ret[i], 3LL + i);
	KUNIT_EXPECT_EQ(test, fbt_ring_dropped(r), 1ULL);
	KUNIT_EXPECT_EQ(test, fbt_ring_head(r), 3ULL + FBT_KT_RING);
	fbt_kt_expect_gone(test, r, 2);
	for (i = 0; i < FBT_KT_RING; i++)
		fbt_kt_expect_rec(test, r, 3 + i, 1000 + i);
}

/*
 * The nested writer wraps onto the slot the interrupted writer holds:
 * that one nested record is dropped (never written over a record being
 * written), the interrupted record commits whole.
 */
static void fbt_kt_nested_wrap_fill(struct kunit *test)
{
	struct fbt_ring *r = fbt_kt_ring_new(test);
	struct fbt_kt_nest n = { .at = FBT_RING_AT_FILLED, .idx = 1,
				 .writes = FBT_KT_RING };
	struct fbt_rec_data d;
	unsigned int i;

	fbt_kt_fill(test, r, 0, 1);
	fbt_kt_nest = &n;
	fbt_kt_rec(&d, 1);
	KUNIT_EXPECT_EQ(test, fbt_kt_ring_write(r, &d), 1LL);
	fbt_kt_nest = NULL;
	KUNIT_ASSERT_TRUE(test, n.fired);
	for (i = 0; i < FBT_KT_RING - 1; i++)
		KUNIT_EXPECT_EQ(test, n.ret[i], 2LL + i);
	KUNIT_EXPECT_EQ(test, n.ret[FBT_KT_RING - 1], -1LL);
	KUNIT_EXPECT_EQ(test, fbt_ring_dropped(r), 1ULL);
	fbt_kt_expect_rec(test, r, 1, 1);
	fbt_kt_expect_gone(test, r, 1 + FBT_KT_RING);
	for (i = 0; i < FBT_KT_RING - 1; i++)
		fbt_kt_expect_rec(test, r, 2 + i, 1000 + i);
}

/*
 * A reader whose copy straddles a writer reusing the slot: the sequence
 * changed under it, so the torn copy is thrown away; the same read with
 * nobody writing succeeds.
 */
static void fbt_kt_torn(struct kunit *test)
{
	struct fbt_ring *r = fbt_kt_ring_new(test);
	struct fbt_kt_nest n = { .at = FBT_RING_AT_COPIED, .idx = 4,
				 .writes = FBT_KT_RING };
	struct fbt_rec_data d;

	fbt_kt_fill(test, r, 0, 8);
	fbt_kt_expect_rec(test, r, 4, 4);
	fbt_kt_nest = &n;
	memset(&d, 0, sizeof(d));
	KUNIT_EXPECT_EQ_MSG(test, fbt_kt_ring_read(r, 4, &d), -1,
			    "torn copy accepted: id %u", d.id);
	fbt_kt_nest = NULL;
	KUNIT_ASSERT_TRUE(test, n.fired);
	/* The slot now holds index 4 + size, whole. */
	fbt_kt_expect_gone(test, r, 4);
	fbt_kt_expect_rec(test, r, 4 + FBT_KT_RING, 1000 + FBT_KT_RING - 4);
}

/* ---- the dump ----------------------------------------------------------- */

struct fbt_kt_snap {
	struct fbt_snap s;
	struct fbt_rec_data rec[4];
};

static void fbt_kt_expect_line(struct kunit *test, const char *want,
			       long *from)
{
	const char *t = fbt_kt_captured();
	long at = fbt_kt_find(want, *from);
	size_t n = strlen(want);

	KUNIT_ASSERT_GE_MSG(test, at, 0, "no line \"%s\" in the dump:\n%s",
			    want, t + *from);
	/* the whole line, not a part of one */
	KUNIT_EXPECT_TRUE_MSG(test, !strncmp(t + at, want, n) && t[at + n] == '\n',
			      "line differs:\n want %s\n got  %.*s", want,
			      (int)(strchrnul(t + at, '\n') - (t + at)), t + at);
	*from = at + n;
}

static s64 fbt_kt_dt(u64 tsc, u64 last)
{
	return (s64)(fbt_rec_tsc_to_ns(tsc) - fbt_rec_tsc_to_ns(last));
}

/*
 * fbt_dump() of a known snapshot, caught on the console: the header, the
 * violation's summary, one line per record with its time relative to the
 * newest, kind, symbol, mnemonic, flags, pushf image and why, the
 * violation marked "=>", a pushf whose image lost IF flagged SUSPECT.
 */
static void fbt_kt_dump_format(struct kunit *test)
{
	struct fbt_kt_snap *ks = kunit_kzalloc(test, sizeof(*ks), GFP_KERNEL);
	unsigned long a = (unsigned long)fbt_kt_order;
	unsigned long b = (unsigned long)fbt_kt_wrap;
	struct fbt_rec_data *r;
	char want[256];
	long at = 0;
	u64 t0 = 10ULL * tsc_khz, last;

	KUNIT_ASSERT_NOT_NULL(test, ks);
	/* inside functions, computed at run time (no relocation to there) */
	OPTIMIZER_HIDE_VAR(a);
	OPTIMIZER_HIDE_VAR(b);
	b += 4;
	r = ks->rec;
	r[0] = (struct fbt_rec_data){ .seq = 40, .tsc = t0, .ip = a,
		.id = 7, .flags_in = 0x246, .flags_out = 0x246,
		.kind = FBT_REC_ENTRY, .len = 1, .opcode = 0x55 };
	r[1] = (struct fbt_rec_data){ .seq = 41, .tsc = t0 + tsc_khz, .ip = a + 9,
		.id = 8, .flags_in = 0x283, .flags_out = 0x283,
		.kind = FBT_REC_RETURN, .len = 1, .opcode = 0xc3 };
	r[2] = (struct fbt_rec_data){ .seq = 42, .tsc = t0 + 2 * tsc_khz, .ip = b,
		.id = 9, .flags_in = 0x246, .flags_out = 0x246, .value = 0x46,
		.kind = FBT_REC_ENTRY, .len = 1, .opcode = 0x9c };
	r[3] = r[2];
	r[3].seq = 43;
	r[3].flags_out = 0x46;
	r[3].kind = FBT_REC_VIOLATION;
	r[3].why = FBT_WHY_IF | FBT_WHY_IP;
	ks->s.cpu = 3;
	ks->s.n = 4;
	ks->s.mark = 43;
	ks->s.why = r[3].why;
	last = r[3].tsc;

	KUNIT_ASSERT_EQ(test, fbt_kt_capture_start(), 0);
	fbt_dump(&ks->s, "kunit", false);
	fbt_kt_capture_stop();

	fbt_kt_expect_line(test, "fbt: ---[ flight recorder: kunit ]---", &at);
	snprintf(want, sizeof(want),
		 "fbt: violation: several checks at %pS (pushf) on cpu3, IF 1 -> 0, flags [IF ZF -> if ZF]",
		 (void *)b);
	fbt_kt_expect_line(test, want, &at);
	fbt_kt_expect_line(test, "fbt: cpu3: records 40..43 (at the violation)",
			   &at);
	snprintf(want, sizeof(want),
		 "fbt:    cpu3 #40 %+lldns entry     id 7 %pS push %%rbp op 55 [IF ZF -> IF ZF]",
		 fbt_kt_dt(r[0].tsc, last), (void *)a);
	fbt_kt_expect_line(test, want, &at);
	snprintf(want, sizeof(want),
		 "fbt:    cpu3 #41 %+lldns return    id 8 %pS ret op c3 [IF CF SF -> IF CF SF]",
		 fbt_kt_dt(r[1].tsc, last), (void *)(a + 9));
	fbt_kt_expect_line(test, want, &at);
	snprintf(want, sizeof(want),
		 "fbt:    cpu3 #42 %+lldns entry     id 9 %pS pushf op 9c [IF ZF -> IF ZF] image if SUSPECT: image IF differs from IF at trap",
		 fbt_kt_dt(r[2].tsc, last), (void *)b);
	fbt_kt_expect_line(test, want, &at);
	snprintf(want, sizeof(want),
		 "fbt: => cpu3 #43 +0ns violation id 9 %pS pushf op 9c [IF ZF -> if ZF] image if SUSPECT: image IF differs from IF at trap: several checks",
		 (void *)b);
	fbt_kt_expect_line(test, want, &at);
	fbt_kt_expect_line(test, "fbt: ---[ end of flight recorder ]---", &at);
	/* tsc_khz ticks apart: 1 ms */
	KUNIT_EXPECT_EQ(test, fbt_kt_dt(r[2].tsc, last), 0LL);
	KUNIT_EXPECT_EQ(test, fbt_kt_dt(r[1].tsc, r[2].tsc), -1000000LL);
}

#define FBT_KT_CASE(c)	{ .name = #c, .run_case = fbt_kt_##c }

static struct kunit_case fbt_recorder_cases[] = {
	FBT_KT_CASE(roundtrip),
	FBT_KT_CASE(order),
	FBT_KT_CASE(wrap),
	FBT_KT_CASE(nested_reserve),
	FBT_KT_CASE(nested_fill),
	FBT_KT_CASE(nested_wrap_reserve),
	FBT_KT_CASE(nested_wrap_fill),
	FBT_KT_CASE(torn),
	FBT_KT_CASE(dump_format),
	{}
};

static struct kunit_suite fbt_recorder_suite = {
	.name = "fbt_recorder",
	.test_cases = fbt_recorder_cases,
};

kunit_test_suite(fbt_recorder_suite);
