/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 instruction length decoder.
 *
 * fbt_insn_decode() finds the boundaries and fields of one instruction in
 * 64-bit mode: legacy prefixes, REX, VEX2/VEX3/EVEX/XOP, the one-byte, 0F,
 * 0F38 and 0F3A maps, ModRM/SIB/displacement/immediate and the 66/67/REX.W
 * size rules. It reads at most @buflen bytes and never more than 15.
 */
#ifndef FBT_EMUL_INSN_H
#define FBT_EMUL_INSN_H

#include "types.h"

#define FBT_INSN_MAX	15

enum fbt_insn_map {
	FBT_MAP_1B,	/* one-byte opcode map */
	FBT_MAP_0F,	/* 0F xx */
	FBT_MAP_0F38,	/* 0F 38 xx, VEX/EVEX map 2 */
	FBT_MAP_0F3A,	/* 0F 3A xx, VEX/EVEX map 3 */
	FBT_MAP_XOP8,	/* AMD XOP maps 8, 9, A */
	FBT_MAP_XOP9,
	FBT_MAP_XOPA,
	FBT_MAP_EVEX5,	/* EVEX maps 5 and 6 (FP16) */
	FBT_MAP_EVEX6,
};

/* Legacy prefixes seen, as bits of fbt_insn.pfx. */
#define FBT_PFX_66	0x01	/* operand size */
#define FBT_PFX_67	0x02	/* address size */
#define FBT_PFX_F2	0x04	/* repne */
#define FBT_PFX_F3	0x08	/* rep */
#define FBT_PFX_LOCK	0x10	/* f0 */
#define FBT_PFX_SEG	0x20	/* a segment override; the byte is in seg */

/* What kind of extended prefix carries the opcode, in fbt_insn.vex. */
#define FBT_VEX_NONE	0
#define FBT_VEX_VEX2	1	/* c5 */
#define FBT_VEX_VEX3	2	/* c4 */
#define FBT_VEX_EVEX	3	/* 62 */
#define FBT_VEX_XOP	4	/* 8f with map select >= 8 */

/* REX bits in fbt_insn.rex (0x40 set when a REX prefix is present). */
#define FBT_REX_B	0x01
#define FBT_REX_X	0x02
#define FBT_REX_R	0x04
#define FBT_REX_W	0x08

struct fbt_insn {
	u8 len;		/* total length in bytes */
	u8 pfx;		/* FBT_PFX_* */
	u8 seg;		/* segment override byte (26 2e 36 3e 64 65) or 0 */
	u8 rex;		/* the REX byte, 0 if none (REX before opcode only) */
	u8 vex;		/* FBT_VEX_* */
	u8 map;		/* enum fbt_insn_map */
	u8 opcode;	/* opcode byte within its map */
	u8 opc_off;	/* offset of that opcode byte */
	s8 modrm_off;	/* offset of ModRM, -1 if none */
	s8 sib_off;	/* offset of SIB, -1 if none */
	s8 disp_off;	/* offset of the displacement, -1 if none */
	u8 disp_size;	/* 0, 1, 2 or 4 (8 for moffs forms a0-a3) */
	s8 imm_off;	/* offset of the first immediate, -1 if none */
	u8 imm_size;	/* total immediate bytes (enter: 2+1) */
	bool rip_rel;	/* ModRM mod=00 rm=101 without SIB: [rip+disp32] */
};

/* fbt_insn_decode() results. */
#define FBT_DECODE_OK		0
#define FBT_DECODE_TRUNCATED	(-1)	/* buffer ended inside the insn */
#define FBT_DECODE_INVALID	(-2)	/* not a valid insn in 64-bit mode */
#define FBT_DECODE_TOO_LONG	(-3)	/* longer than 15 bytes */

int fbt_insn_decode(struct fbt_insn *insn, const u8 *buf, unsigned int buflen);

/* Operand size in bytes (2, 4 or 8) of a default-32-bit GPR operand. */
static inline unsigned int fbt_insn_opsize(const struct fbt_insn *insn)
{
	if (insn->rex & FBT_REX_W)
		return 8;
	return (insn->pfx & FBT_PFX_66) ? 2 : 4;
}

#endif /* FBT_EMUL_INSN_H */
