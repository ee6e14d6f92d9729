// SPDX-License-Identifier: GPL-2.0
/*
 * Random states for the differential test: a seeded PRNG (xoshiro256**),
 * register values that favour the edges where flags change, the flags user
 * mode can load, and random data memory with rsp inside it.
 */
#include <string.h>

#include "cpu_diff.h"

static u64 rotl(u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static u64 splitmix(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void cd_rng_seed(struct cd_rng *g, u64 seed)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		g->s[i] = splitmix(&seed);
}

u64 cd_rand(struct cd_rng *g)
{
	u64 r = rotl(g->s[1] * 5, 7) * 9;
	u64 t = g->s[1] << 17;

	g->s[2] ^= g->s[0];
	g->s[3] ^= g->s[1];
	g->s[1] ^= g->s[2];
	g->s[0] ^= g->s[3];
	g->s[2] ^= t;
	g->s[3] = rotl(g->s[3], 45);
	return r;
}

u64 cd_below(struct cd_rng *g, u64 n)
{
	return n ? cd_rand(g) % n : 0;
}

u64 cd_hash(u64 h, u64 v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return splitmix(&h);
}

/* Values around the sign and carry edges of 8, 16, 32 and 64 bits. */
static u64 edge(struct cd_rng *g)
{
	static const u64 e[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
		0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL,
	};
	u64 v = e[cd_below(g, sizeof(e) / sizeof(e[0]))];

	v += cd_below(g, 3) - 1;	/* -1, 0 or +1 */
	if (cd_below(g, 2))
		v = -v;
	return v;
}

u64 cd_value(struct cd_rng *g)
{
	u64 v;

	switch (cd_below(g, 8)) {
	case 0:
	case 1:
		return edge(g);
	case 2:
		return cd_below(g, 600) - 300;
	case 3:	/* a random byte, word or dword, zero or sign extended */
		v = cd_rand(g);
		switch (cd_below(g, 3)) {
		case 0:
			v = cd_below(g, 2) ? (u64)(s8)v : (u8)v;
			break;
		case 1:
			v = cd_below(g, 2) ? (u64)(s16)v : (u16)v;
			break;
		default:
			v = cd_below(g, 2) ? (u64)(s32)v : (u32)v;
			break;
		}
		return v;
	case 4:	/* random high half over an edge low half */
		return (cd_rand(g) & ~0xffffffffULL) | (u32)edge(g);
	default:
		return cd_rand(g);
	}
}

u64 cd_rand_flags(struct cd_rng *g, bool ac)
{
	u64 f = cd_rand(g) & (CD_STATUS | CD_DF | CD_NT | CD_ID);

	if (ac)
		f |= CD_AC;
	/* user mode: IF=1 and IOPL=0 always, TF never (it would trap) */
	return f | CD_FIX1 | CD_IF;
}

void cd_rand_data(struct cd_rng *g)
{
	u64 *d = (u64 *)cd_cpu_data();
	unsigned int i;

	for (i = 0; i < CD_DATA_SIZE / 8; i++)
		d[i] = cd_below(g, 4) ? cd_rand(g) : cd_value(g);
}

void cd_rand_state(struct cd_rng *g, struct cd_state *st, bool aligned)
{
	unsigned int i;
	u64 sp, *w;

	for (i = 0; i < CD_NGPR; i++)
		st->r[i] = cd_value(g);
	/* now and then two registers alike: cmp and sub reach ZF */
	if (cd_below(g, 4) == 0)
		st->r[cd_below(g, CD_NGPR)] = st->r[cd_below(g, CD_NGPR)];
	st->flags = cd_rand_flags(g, aligned && cd_below(g, 2));
	st->gs_base = 0;
	st->ip = (u64)cd_cpu_insn();

	/* rsp in the middle of the data area: room for pushes and disp8 */
	sp = (u64)cd_cpu_data() + 0x600 + cd_below(g, CD_DATA_SIZE - 0xc00);
	if (aligned || cd_below(g, 8))
		sp &= ~7ULL;
	st->r[CD_SP] = sp;

	/* fresh stack around rsp; the rest keeps the form's random fill */
	w = (u64 *)((sp & ~7ULL) - 32);
	for (i = 0; i < 10; i++)
		w[i] = cd_below(g, 2) ? cd_rand(g) : cd_value(g);
}
