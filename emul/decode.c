// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 instruction length decoder (64-bit mode only).
 *
 * The decoder walks the instruction in this order: legacy prefixes and REX,
 * then either a VEX2/VEX3/EVEX/XOP prefix or a legacy opcode (one byte, 0F,
 * 0F 38 or 0F 3A), then ModRM, SIB, displacement and immediate. Per-opcode
 * facts for the legacy maps live in the tables below; the few opcodes whose
 * length or validity depends on the ModRM reg field or on a prefix are
 * handled in code. The sources are the Intel SDM volume 2 (opcode maps in
 * appendix A) and the AMD APM volume 3; where they disagree on length, the
 * Intel behaviour is used (66 does not shorten near branches in 64-bit mode).
 *
 * Validity: opcodes undefined in 64-bit mode, undefined one-byte group
 * members and a few 0F group members are FBT_DECODE_INVALID, as is a REX,
 * 66, F2, F3 or lock prefix before VEX/EVEX/XOP. Which mandatory prefix or
 * ModRM form an SSE/AVX opcode accepts, and the reserved x87 register forms,
 * are not checked: such bytes decode to the length they would have. For
 * VEX/EVEX/XOP instructions rex stays 0 (those bits live in the prefix).
 *
 * No library or kernel calls: this file builds into the module and into the
 * host tests unchanged.
 */
#include "insn.h"

/* Table entry bits: the low three bits are the immediate kind. */
#define I_NO	0	/* no immediate */
#define I_B	1	/* imm8 */
#define I_W	2	/* imm16 */
#define I_Z	3	/* imm16 with 66 (unless REX.W), else imm32 */
#define I_V	4	/* imm64 with REX.W, imm16 with 66, else imm32 */
#define I_O	5	/* moffs: 8 bytes, 4 with 67 */
#define I_E	6	/* enter: imm16 + imm8 */
#define I_D	7	/* rel32: 4 bytes whatever 66 says (64-bit mode) */
#define I_MASK	7
#define MR	0x10	/* a ModRM byte follows */
#define XX	0x20	/* invalid in 64-bit mode */

/* Shorthands so that a table row fits on a line. */
#define __	I_NO
#define MB	(MR | I_B)
#define MZ	(MR | I_Z)

/*
 * One-byte map. Prefix bytes (26 2e 36 3e 40-4f 64-67 f0 f2 f3) and the
 * escapes (0f, 62, 8f, c4, c5) never reach this table; their entries are 0.
 */
static const u8 fbt_map_1b[256] = {
	/* 00 */ MR, MR, MR, MR, I_B, I_Z, XX, XX,
	/* 08 */ MR, MR, MR, MR, I_B, I_Z, XX, __,
	/* 10 */ MR, MR, MR, MR, I_B, I_Z, XX, XX,
	/* 18 */ MR, MR, MR, MR, I_B, I_Z, XX, XX,
	/* 20 */ MR, MR, MR, MR, I_B, I_Z, __, XX,
	/* 28 */ MR, MR, MR, MR, I_B, I_Z, __, XX,
	/* 30 */ MR, MR, MR, MR, I_B, I_Z, __, XX,
	/* 38 */ MR, MR, MR, MR, I_B, I_Z, __, XX,
	/* 40 */ __, __, __, __, __, __, __, __,
	/* 48 */ __, __, __, __, __, __, __, __,
	/* 50 */ __, __, __, __, __, __, __, __,
	/* 58 */ __, __, __, __, __, __, __, __,
	/* 60 */ XX, XX, __, MR, __, __, __, __,
	/* 68 */ I_Z, MZ, I_B, MB, __, __, __, __,
	/* 70 */ I_B, I_B, I_B, I_B, I_B, I_B, I_B, I_B,
	/* 78 */ I_B, I_B, I_B, I_B, I_B, I_B, I_B, I_B,
	/* 80 */ MB, MZ, XX, MB, MR, MR, MR, MR,
	/* 88 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* 90 */ __, __, __, __, __, __, __, __,
	/* 98 */ __, __, XX, __, __, __, __, __,
	/* a0 */ I_O, I_O, I_O, I_O, __, __, __, __,
	/* a8 */ I_B, I_Z, __, __, __, __, __, __,
	/* b0 */ I_B, I_B, I_B, I_B, I_B, I_B, I_B, I_B,
	/* b8 */ I_V, I_V, I_V, I_V, I_V, I_V, I_V, I_V,
	/* c0 */ MB, MB, I_W, __, __, __, MB, MZ,
	/* c8 */ I_E, __, I_W, __, __, I_B, XX, __,
	/* d0 */ MR, MR, MR, MR, XX, XX, XX, __,
	/* d8 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* e0 */ I_B, I_B, I_B, I_B, I_B, I_B, I_B, I_B,
	/* e8 */ I_D, I_D, XX, I_B, __, __, __, __,
	/* f0 */ __, __, __, __, __, __, MR, MR,
	/* f8 */ __, __, __, __, __, __, MR, MR,
};

/* Two-byte map 0F xx. 0f 38 and 0f 3a are escapes handled in code. */
static const u8 fbt_map_0f[256] = {
	/* 00 */ MR, MR, MR, MR, XX, __, __, __,
	/* 08 */ __, __, XX, __, XX, MR, __, MB,
	/* 10 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* 18 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* 20 */ MR, MR, MR, MR, XX, XX, XX, XX,
	/* 28 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* 30 */ __, __, __, __, __, __, XX, __,
	/* 38 */ __, XX, __, XX, XX, XX, XX, XX,
	/* 40 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* 48 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* 50 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* 58 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* 60 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* 68 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* 70 */ MB, MB, MB, MB, MR, MR, MR, __,
	/* 78 */ MR, MR, XX, XX, MR, MR, MR, MR,
	/* 80 */ I_D, I_D, I_D, I_D, I_D, I_D, I_D, I_D,
	/* 88 */ I_D, I_D, I_D, I_D, I_D, I_D, I_D, I_D,
	/* 90 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* 98 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* a0 */ __, __, __, MR, MB, MR, MR, MR,
	/* a8 */ __, __, __, MR, MB, MR, MR, MR,
	/* b0 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* b8 */ MR, MR, MB, MR, MR, MR, MR, MR,
	/* c0 */ MR, MR, MB, MR, MB, MB, MB, MR,
	/* c8 */ __, __, __, __, __, __, __, __,
	/* d0 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* d8 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* e0 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* e8 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* f0 */ MR, MR, MR, MR, MR, MR, MR, MR,
	/* f8 */ MR, MR, MR, MR, MR, MR, MR, MR,
};

#undef __
#undef MB
#undef MZ

/*
 * Map 0F 38 (legacy, VEX map 2, EVEX map 2): ModRM, no immediate. The
 * opcodes that no CPU defines in the legacy encoding are marked invalid,
 * one bit per opcode (bit n of word n / 32).
 */
static const u32 fbt_0f38_bad[8] = {
	/* 00-1f: 00-0b, 10, 14, 15, 17, 1c-1e defined */
	~(0x00000fffu | (1u << 0x10) | (1u << 0x14) | (1u << 0x15) |
	  (1u << 0x17) | (0x7u << 0x1c)),
	/* 20-3f: 20-25, 28-2b, 30-35, 37-3f defined */
	~(0x0000003fu | (0xfu << 0x08) | (0x3fu << 0x10) | (0x1ffu << 0x17)),
	/* 40-5f: 40, 41 */
	~0x00000003u,
	/* 60-7f: none */
	~0u,
	/* 80-9f: 80-82 (invept, invvpid, invpcid) */
	~0x00000007u,
	/* a0-bf: none */
	~0u,
	/* c0-df: c8-cd (sha), cf (gf2p8mulb), d8, db-df (aes, keylocker) */
	~((0x3fu << 0x08) | (1u << 0x0f) | (1u << 0x18) | (0x1fu << 0x1b)),
	/*
	 * e0-ff: f0-f6 (movbe, crc32, wrss, wruss, adcx/adox), f8-fc
	 * (movdir64b/enqcmd, movdiri, encodekey, aadd and friends)
	 */
	~((0x7fu << 0x10) | (0x1fu << 0x18)),
};

/*
 * Legacy-encoded 0F 3A: ModRM and imm8. Defined: 08-0f, 14-17, 20-22,
 * 40-42, 44, 60-63, cc, ce, cf, df, f0 (hreset).
 */
static const u32 fbt_0f3a_bad[8] = {
	~((0xffu << 0x08) | (0xfu << 0x14)),
	~0x00000007u,
	~(0x7u | (1u << 0x04)),
	~0x0000000fu,
	~0u,
	~0u,
	~((1u << 0x0c) | (3u << 0x0e) | (1u << 0x1f)),
	~(1u << 0x10),
};

static inline bool fbt_bit(const u32 *bits, u8 op)
{
	return bits[op >> 5] & (1u << (op & 31));
}

/* 0 if the first @n bytes may be read, else the decode error. */
static inline int fbt_need(unsigned int n, unsigned int buflen)
{
	if (n > FBT_INSN_MAX)
		return FBT_DECODE_TOO_LONG;
	if (n > buflen)
		return FBT_DECODE_TRUNCATED;
	return 0;
}

/*
 * ModRM at @off: fill SIB and displacement and return the offset just past
 * them (or a negative decode error). @reg_only: the mod bits are ignored and
 * the operand is always a register (mov to/from CR and DR).
 */
static int fbt_decode_modrm(struct fbt_insn *insn, const u8 *buf,
			    unsigned int buflen, unsigned int off,
			    bool reg_only)
{
	u8 modrm, mod, rm;
	unsigned int disp = 0;
	int ret;

	ret = fbt_need(off + 1, buflen);
	if (ret)
		return ret;
	modrm = buf[off];
	insn->modrm_off = off;
	off++;
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3 || reg_only)
		return off;

	if (rm == 4) {
		ret = fbt_need(off + 1, buflen);
		if (ret)
			return ret;
		insn->sib_off = off;
		if (mod == 0 && (buf[off] & 7) == 5)
			disp = 4;
		off++;
	} else if (mod == 0 && rm == 5) {
		insn->rip_rel = true;
		disp = 4;
	}
	if (mod == 1)
		disp = 1;
	else if (mod == 2)
		disp = 4;
	if (disp) {
		insn->disp_off = off;
		insn->disp_size = disp;
	}
	return off + disp;
}

/* Immediate bytes of a legacy-map entry's kind. */
static unsigned int fbt_imm_size(const struct fbt_insn *insn, u8 kind)
{
	switch (kind) {
	case I_B:
		return 1;
	case I_W:
		return 2;
	case I_Z:
		if (insn->rex & FBT_REX_W)
			return 4;
		return (insn->pfx & FBT_PFX_66) ? 2 : 4;
	case I_V:
		if (insn->rex & FBT_REX_W)
			return 8;
		return (insn->pfx & FBT_PFX_66) ? 2 : 4;
	case I_E:
		return 3;
	case I_D:
		return 4;
	default:
		return 0;
	}
}

/*
 * VEX2 (c5), VEX3 (c4), EVEX (62) or XOP (8f) at @off. Fills map, opcode,
 * ModRM and immediate, and returns the total length or a decode error.
 */
static int fbt_decode_vex(struct fbt_insn *insn, const u8 *buf,
			  unsigned int buflen, unsigned int off)
{
	u8 esc = buf[off];
	unsigned int plen, imm = 0;
	u8 sel, op, map;
	int ret;

	/* 66, f2, f3, lock or REX before any of these is #UD. */
	if (insn->rex || (insn->pfx & (FBT_PFX_66 | FBT_PFX_F2 |
				       FBT_PFX_F3 | FBT_PFX_LOCK)))
		return FBT_DECODE_INVALID;

	switch (esc) {
	case 0xc5:
		insn->vex = FBT_VEX_VEX2;
		plen = 2;
		break;
	case 0xc4:
		insn->vex = FBT_VEX_VEX3;
		plen = 3;
		break;
	case 0x62:
		insn->vex = FBT_VEX_EVEX;
		plen = 4;
		break;
	default:
		insn->vex = FBT_VEX_XOP;
		plen = 3;
		break;
	}
	/* The prefix and the opcode byte. */
	ret = fbt_need(off + plen + 1, buflen);
	if (ret)
		return ret;
	sel = buf[off + 1];

	switch (insn->vex) {
	case FBT_VEX_VEX2:
		map = FBT_MAP_0F;
		break;
	case FBT_VEX_VEX3:
		sel &= 0x1f;
		if (sel < 1 || sel > 3)
			return FBT_DECODE_INVALID;
		map = FBT_MAP_0F + sel - 1;
		break;
	case FBT_VEX_EVEX:
		/* P0 bit 3 must be 0, P1 bit 2 must be 1. */
		if ((sel & 0x08) || !(buf[off + 2] & 0x04))
			return FBT_DECODE_INVALID;
		sel &= 0x07;
		if (sel >= 1 && sel <= 3)
			map = FBT_MAP_0F + sel - 1;
		else if (sel == 5 || sel == 6)
			map = FBT_MAP_EVEX5 + sel - 5;
		else
			return FBT_DECODE_INVALID;
		break;
	default:
		sel &= 0x1f;
		if (sel < 8 || sel > 10)
			return FBT_DECODE_INVALID;
		map = FBT_MAP_XOP8 + sel - 8;
		break;
	}

	off += plen;
	op = buf[off];
	insn->map = map;
	insn->opcode = op;
	insn->opc_off = off;
	off++;

	/* VEX.0F 77 (vzeroupper, vzeroall) is the one form without ModRM. */
	if (insn->vex != FBT_VEX_EVEX && map == FBT_MAP_0F && op == 0x77)
		return off;

	ret = fbt_decode_modrm(insn, buf, buflen, off, false);
	if (ret < 0)
		return ret;
	off = ret;

	switch (map) {
	case FBT_MAP_0F:
		if ((op >= 0x70 && op <= 0x73) || op == 0xc2 ||
		    (op >= 0xc4 && op <= 0xc6))
			imm = 1;
		break;
	case FBT_MAP_0F3A:
	case FBT_MAP_XOP8:
		imm = 1;
		break;
	case FBT_MAP_XOPA:
		imm = 4;
		break;
	default:
		break;
	}
	if (imm) {
		insn->imm_off = off;
		insn->imm_size = imm;
	}
	return off + imm;
}

/* Validity of one-byte group opcodes that depends on ModRM. */
static bool fbt_group_bad(u8 op, u8 modrm)
{
	u8 reg = (modrm >> 3) & 7;

	switch (op) {
	case 0x8d:	/* lea needs a memory operand */
		return (modrm >> 6) == 3;
	case 0x8f:	/* pop r/m is /0; the rest is XOP */
		return reg != 0;
	case 0xc6:	/* mov r/m8, imm8; c6 f8 is xabort */
	case 0xc7:	/* mov r/m, imm; c7 f8 is xbegin */
		return reg != 0 && modrm != 0xf8;
	case 0xfe:	/* inc, dec */
		return reg > 1;
	case 0xff:	/* far call and far jmp need memory; /7 is undefined */
		if (reg == 7)
			return true;
		return (reg == 3 || reg == 5) && (modrm >> 6) == 3;
	default:
		return false;
	}
}

int fbt_insn_decode(struct fbt_insn *insn, const u8 *buf, unsigned int buflen)
{
	unsigned int off, imm = 0;
	u8 b, attr = 0;
	int ret;

	insn->len = 0;
	insn->pfx = 0;
	insn->seg = 0;
	insn->rex = 0;
	insn->vex = FBT_VEX_NONE;
	insn->map = FBT_MAP_1B;
	insn->opcode = 0;
	insn->opc_off = 0;
	insn->modrm_off = -1;
	insn->sib_off = -1;
	insn->disp_off = -1;
	insn->disp_size = 0;
	insn->imm_off = -1;
	insn->imm_size = 0;
	insn->rip_rel = false;

	/* Legacy prefixes and REX; a REX counts only right before the opcode. */
	for (off = 0;; off++) {
		ret = fbt_need(off + 1, buflen);
		if (ret)
			return ret;
		b = buf[off];
		switch (b) {
		case 0x66:
			insn->pfx |= FBT_PFX_66;
			break;
		case 0x67:
			insn->pfx |= FBT_PFX_67;
			break;
		case 0xf2:
			insn->pfx |= FBT_PFX_F2;
			break;
		case 0xf3:
			insn->pfx |= FBT_PFX_F3;
			break;
		case 0xf0:
			insn->pfx |= FBT_PFX_LOCK;
			break;
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
		case 0x64:
		case 0x65:
			insn->pfx |= FBT_PFX_SEG;
			insn->seg = b;
			break;
		default:
			if ((b & 0xf0) == 0x40) {
				insn->rex = b;
				continue;
			}
			goto opcode;
		}
		insn->rex = 0;
	}

opcode:
	/* In 64-bit mode c4, c5 and 62 are always VEX/EVEX; 8f is XOP when
	 * its map select (the low five bits of the next byte) is 8 or more.
	 */
	if (b == 0xc4 || b == 0xc5 || b == 0x62) {
		ret = fbt_decode_vex(insn, buf, buflen, off);
		goto done;
	}
	if (b == 0x8f) {
		ret = fbt_need(off + 2, buflen);
		if (ret)
			return ret;
		if ((buf[off + 1] & 0x1f) >= 8) {
			ret = fbt_decode_vex(insn, buf, buflen, off);
			goto done;
		}
	}

	if (b != 0x0f) {
		attr = fbt_map_1b[b];
	} else {
		off++;
		ret = fbt_need(off + 1, buflen);
		if (ret)
			return ret;
		b = buf[off];
		if (b == 0x38 || b == 0x3a) {
			off++;
			ret = fbt_need(off + 1, buflen);
			if (ret)
				return ret;
			if (b == 0x38) {
				insn->map = FBT_MAP_0F38;
				attr = MR;
				if (fbt_bit(fbt_0f38_bad, buf[off]))
					attr |= XX;
			} else {
				insn->map = FBT_MAP_0F3A;
				attr = MR | I_B;
				if (fbt_bit(fbt_0f3a_bad, buf[off]))
					attr |= XX;
			}
			b = buf[off];
		} else {
			insn->map = FBT_MAP_0F;
			attr = fbt_map_0f[b];
		}
	}
	insn->opcode = b;
	insn->opc_off = off;
	off++;
	if (attr & XX)
		return FBT_DECODE_INVALID;

	if (attr & MR) {
		/* 0F 20-23: mov to/from CR/DR always takes a register. */
		bool reg_only = insn->map == FBT_MAP_0F &&
				b >= 0x20 && b <= 0x23;

		ret = fbt_decode_modrm(insn, buf, buflen, off, reg_only);
		if (ret < 0)
			return ret;
		off = ret;
	}

	imm = fbt_imm_size(insn, attr & I_MASK);
	if (insn->map == FBT_MAP_1B) {
		u8 modrm = insn->modrm_off >= 0 ? buf[insn->modrm_off] : 0;

		if ((attr & MR) && fbt_group_bad(b, modrm))
			return FBT_DECODE_INVALID;
		switch (b) {
		case 0xa0:
		case 0xa1:
		case 0xa2:
		case 0xa3:
			/* moffs is a displacement, not an immediate. */
			insn->disp_off = off;
			insn->disp_size = (insn->pfx & FBT_PFX_67) ? 4 : 8;
			off += insn->disp_size;
			imm = 0;
			break;
		case 0xf6:
		case 0xf7:
			/* test r/m, imm is /0 (and its alias /1). */
			if (((modrm >> 3) & 7) < 2)
				imm = fbt_imm_size(insn, b == 0xf6 ? I_B : I_Z);
			break;
		default:
			break;
		}
	} else if (insn->map == FBT_MAP_0F) {
		u8 modrm = insn->modrm_off >= 0 ? buf[insn->modrm_off] : 0;
		u8 reg = (modrm >> 3) & 7;

		switch (b) {
		case 0x00:	/* group 6: /6 and /7 undefined */
			if (reg > 5)
				return FBT_DECODE_INVALID;
			break;
		case 0x78:
			/* SSE4a extrq (66) and insertq (f2): imm8, imm8 */
			if (insn->pfx & (FBT_PFX_66 | FBT_PFX_F2))
				imm = 2;
			break;
		case 0xa6:	/* VIA PadLock: montmul, xsha*, xstore, */
		case 0xa7:	/* xcrypt-*, register forms only */
			if ((modrm >> 6) != 3)
				return FBT_DECODE_INVALID;
			break;
		case 0xba:	/* group 8: bt, bts, btr, btc are /4-/7 */
			if (reg < 4)
				return FBT_DECODE_INVALID;
			break;
		default:
			break;
		}
	}

	if (imm) {
		insn->imm_off = off;
		insn->imm_size = imm;
		off += imm;
	}
	ret = off;

done:
	if (ret < 0)
		return ret;
	off = ret;
	ret = fbt_need(off, buflen);
	if (ret)
		return ret;
	insn->len = off;
	return FBT_DECODE_OK;
}
