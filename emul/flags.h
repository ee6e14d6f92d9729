/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RFLAGS bits and the flag arithmetic the emulator shares between forms.
 */
#ifndef FBT_EMUL_FLAGS_H
#define FBT_EMUL_FLAGS_H

#include "types.h"

#define FBT_FL_CF	0x00000001UL
#define FBT_FL_FIXED	0x00000002UL	/* bit 1: always 1 */
#define FBT_FL_PF	0x00000004UL
#define FBT_FL_AF	0x00000010UL
#define FBT_FL_ZF	0x00000040UL
#define FBT_FL_SF	0x00000080UL
#define FBT_FL_TF	0x00000100UL
#define FBT_FL_IF	0x00000200UL
#define FBT_FL_DF	0x00000400UL
#define FBT_FL_OF	0x00000800UL
#define FBT_FL_IOPL	0x00003000UL
#define FBT_FL_NT	0x00004000UL
#define FBT_FL_RF	0x00010000UL
#define FBT_FL_VM	0x00020000UL
#define FBT_FL_AC	0x00040000UL
#define FBT_FL_VIF	0x00080000UL
#define FBT_FL_VIP	0x00100000UL
#define FBT_FL_ID	0x00200000UL

/* The six status flags arithmetic sets. */
#define FBT_FL_ARITH	(FBT_FL_CF | FBT_FL_PF | FBT_FL_AF | FBT_FL_ZF | \
			 FBT_FL_SF | FBT_FL_OF)

/* sahf/lahf: SF ZF AF PF CF, the status flags that live in bits 0-7. */
#define FBT_FL_SAHF	(FBT_FL_SF | FBT_FL_ZF | FBT_FL_AF | FBT_FL_PF | FBT_FL_CF)

/*
 * popf at CPL0: every non-reserved flag except RF, VM, VIP and VIF. The
 * 16-bit form only reaches bits 0-15.
 */
#define FBT_FL_POPF	(FBT_FL_SAHF | FBT_FL_TF | FBT_FL_IF | FBT_FL_DF | \
			 FBT_FL_OF | FBT_FL_IOPL | FBT_FL_NT | FBT_FL_AC | \
			 FBT_FL_ID)
#define FBT_FL_POPF16	(FBT_FL_POPF & 0xffffUL)

/* PF: set when the low byte of the result has an even number of ones. */
static inline unsigned long fbt_fl_pf(u64 res)
{
	unsigned int v = (unsigned int)res & 0xff;

	v ^= v >> 4;
	/* bit n of 0x6996 is the parity of the nibble n: 1 when odd */
	return ((0x6996U >> (v & 0xf)) & 1) ? 0 : FBT_FL_PF;
}

/* ZF, SF and PF of a result already truncated to @bits. */
static inline unsigned long fbt_fl_szp(u64 res, unsigned int bits)
{
	unsigned long f = fbt_fl_pf(res);

	if (!res)
		f |= FBT_FL_ZF;
	if ((res >> (bits - 1)) & 1)
		f |= FBT_FL_SF;
	return f;
}

/*
 * Condition code @cc (the low nibble of jcc, setcc, cmovcc) against
 * @flags: o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g.
 */
static inline bool fbt_fl_cond(unsigned long flags, unsigned int cc)
{
	bool sf_ne_of = !(flags & FBT_FL_SF) != !(flags & FBT_FL_OF);
	bool r;

	switch ((cc >> 1) & 7) {
	case 0:
		r = flags & FBT_FL_OF;
		break;
	case 1:
		r = flags & FBT_FL_CF;
		break;
	case 2:
		r = flags & FBT_FL_ZF;
		break;
	case 3:
		r = flags & (FBT_FL_CF | FBT_FL_ZF);
		break;
	case 4:
		r = flags & FBT_FL_SF;
		break;
	case 5:
		r = flags & FBT_FL_PF;
		break;
	case 6:
		r = sf_ne_of;
		break;
	default:
		r = (flags & FBT_FL_ZF) || sf_ne_of;
		break;
	}
	return r ^ (cc & 1);
}

#endif /* FBT_EMUL_FLAGS_H */
