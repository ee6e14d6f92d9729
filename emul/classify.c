// SPDX-License-Identifier: GPL-2.0
/*
 * fbt_emul_prepare(): decide once per probe site whether fbt_emul_run()
 * can replay the instruction exactly, and resolve its operands so the
 * trap path only executes. Anything not known to be exact is refused with
 * a reason; nothing is guessed.
 */
#include "emul.h"
#include "ops.h"

static s64 le_signed(const u8 *p, unsigned int size)
{
	u32 lo;

	switch (size) {
	case 1:
		return (s8)p[0];
	case 2:
		return (s16)(p[0] | p[1] << 8);
	case 4:
		return (s32)(p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24);
	case 8:
		lo = p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
		return (s64)((u64)lo | (u64)le_signed(p + 4, 4) << 32);
	}
	return 0;
}

static bool legacy_prefix(u8 b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	}
	return false;
}

/*
 * The segment of a memory operand. In 64-bit mode the es, cs, ss and ds
 * overrides are null prefixes (base 0), %gs is the per-CPU base and %fs
 * belongs to user space; two different overrides are not worth a guess.
 */
static int mem_segment(struct fbt_emul *e)
{
	bool gs = false, other = false;
	unsigned int i;

	for (i = 0; i < e->insn.len && legacy_prefix(e->bytes[i]); i++) {
		switch (e->bytes[i]) {
		case 0x64:
			return FBT_REFUSE_SEGMENT;
		case 0x65:
			gs = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			other = true;
			break;
		}
	}
	if (gs && other)
		return FBT_REFUSE_SEGMENT;
	e->gs = gs;
	return 0;
}

/* Base, index, scale and displacement of a ModRM memory operand. */
static int set_mem(struct fbt_emul *e, u8 modrm)
{
	const struct fbt_insn *in = &e->insn;
	unsigned int mod = modrm >> 6, rm = modrm & 7, want = 0;
	u8 rex = in->rex, sib;

	if (in->pfx & FBT_PFX_67)
		return FBT_REFUSE_ADDR32;
	e->index = FBT_INDEX_NONE;
	e->scale = 0;
	if (rm == 4) {
		if (in->sib_off < 0)
			return FBT_REFUSE_UNSUPPORTED;
		sib = e->bytes[in->sib_off];
		e->scale = sib >> 6;
		if (((sib >> 3) & 7) != 4 || (rex & FBT_REX_X))
			e->index = ((sib >> 3) & 7) | (rex & FBT_REX_X ? 8 : 0);
		if ((sib & 7) == 5 && mod == 0) {
			e->base = FBT_BASE_NONE;
			want = 4;
		} else {
			e->base = (sib & 7) | (rex & FBT_REX_B ? 8 : 0);
		}
	} else if (rm == 5 && mod == 0) {
		e->base = FBT_BASE_RIP;
		want = 4;
	} else {
		e->base = rm | (rex & FBT_REX_B ? 8 : 0);
	}
	if (mod == 1)
		want = 1;
	else if (mod == 2)
		want = 4;
	/* Never trust a displacement the decoder sized differently. */
	if (in->disp_size != want || (want && in->disp_off < 0))
		return FBT_REFUSE_UNSUPPORTED;
	e->disp = want ? le_signed(e->bytes + in->disp_off, want) : 0;
	return mem_segment(e);
}

/* Byte register @r: without any REX prefix, 4-7 are ah ch dh bh. */
static u8 gpr8(const struct fbt_emul *e, unsigned int r)
{
	if (!e->insn.rex && r >= 4 && r < 8)
		return FBT_OPND_AH + r - 4;
	return r;
}

static u8 modrm_byte(const struct fbt_emul *e)
{
	return e->bytes[e->insn.modrm_off];
}

/*
 * Resolve the ModRM operands: @reg (may be NULL) with @regsize and @rm, a
 * register of @rmsize or FBT_OPND_MEM.
 */
static int modrm(struct fbt_emul *e, unsigned int regsize, u8 *reg,
		 unsigned int rmsize, u8 *rm)
{
	const struct fbt_insn *in = &e->insn;
	unsigned int r, b;
	u8 m;

	if (in->modrm_off < 0)
		return FBT_REFUSE_UNSUPPORTED;
	m = modrm_byte(e);
	r = ((m >> 3) & 7) | (in->rex & FBT_REX_R ? 8 : 0);
	b = (m & 7) | (in->rex & FBT_REX_B ? 8 : 0);
	if (reg)
		*reg = regsize == 1 ? gpr8(e, r) : r;
	if ((m >> 6) == 3) {
		*rm = rmsize == 1 ? gpr8(e, b) : b;
		return 0;
	}
	*rm = FBT_OPND_MEM;
	return set_mem(e, m);
}

/* The immediate, which must be @size bytes, sign-extended into e->imm. */
static int get_imm(struct fbt_emul *e, unsigned int size)
{
	const struct fbt_insn *in = &e->insn;

	if (in->imm_off < 0 || in->imm_size != size)
		return FBT_REFUSE_UNSUPPORTED;
	e->imm = (u64)le_signed(e->bytes + in->imm_off, size);
	return 0;
}

/* Size of an immediate for an operand of @size: at most 4, sign-extended. */
static unsigned int imm_size(unsigned int size)
{
	return size > 4 ? 4 : size;
}

/* 16-bit push/pop: 66 without REX.W. */
static unsigned int stack_size(const struct fbt_insn *in)
{
	return fbt_insn_opsize(in) == 2 ? 2 : 8;
}

/* r/m, reg (dir 0) or reg, r/m (dir 1) forms of ALU, test, mov, xchg. */
static int rm_reg(struct fbt_emul *e, unsigned int kind, unsigned int size,
		  bool to_reg)
{
	u8 reg, rm;
	int ret;

	ret = modrm(e, size, &reg, size, &rm);
	if (ret)
		return ret;
	e->kind = kind;
	e->size = size;
	e->dst = to_reg ? reg : rm;
	e->src = to_reg ? rm : reg;
	return 0;
}

/* r/m, imm forms: 80 81 83 c6 c7 f6 f7 (immediate of @isize bytes). */
static int rm_imm(struct fbt_emul *e, unsigned int kind, unsigned int op,
		  unsigned int size, unsigned int isize)
{
	int ret;

	ret = modrm(e, size, NULL, size, &e->dst);
	if (!ret)
		ret = get_imm(e, isize);
	if (ret)
		return ret;
	e->kind = kind;
	e->op = op;
	e->size = size;
	e->src = FBT_OPND_IMM;
	return 0;
}

static int branch(struct fbt_emul *e, unsigned int kind, unsigned int cc,
		  unsigned int isize)
{
	/* 66 truncates the target to 16 bits on AMD, not on Intel. */
	if (e->insn.pfx & FBT_PFX_66)
		return FBT_REFUSE_UNSUPPORTED;
	e->kind = kind;
	e->op = cc;
	return get_imm(e, isize);
}

/*
 * Shifts and rotates. Undefined flags are reproduced as measured on AMD
 * (Zen): shl/shr/sar set AF; OF follows the 1-bit rule for shl, rol and
 * ror at any count and is 0 for shr and sar at counts above 1. The forms
 * where CF is undefined too (8/16-bit counts past the width) are refused,
 * and so are 8/16-bit counts other than 1, rcl, rcr and the sal alias.
 */
static int shift(struct fbt_emul *e, u8 opc)
{
	unsigned int size = (opc & 1) ? fbt_insn_opsize(&e->insn) : 1;
	unsigned int sub, count;
	int ret;

	ret = modrm(e, size, NULL, size, &e->dst);
	if (ret)
		return ret;
	sub = (modrm_byte(e) >> 3) & 7;
	if (sub == 2 || sub == 3 || sub == 6)
		return FBT_REFUSE_UNSUPPORTED;
	e->kind = FBT_K_SHIFT;
	e->op = sub;
	e->size = size;
	e->src = FBT_OPND_IMM;
	switch (opc) {
	case 0xc0: case 0xc1:
		ret = get_imm(e, 1);
		if (ret)
			return ret;
		count = e->imm & (size == 8 ? 63 : 31);
		if (!count || (size < 4 && count != 1))
			return FBT_REFUSE_UNSUPPORTED;
		e->imm = count;
		return 0;
	case 0xd0: case 0xd1:
		e->imm = 1;
		return 0;
	}
	/* d2/d3: count in %cl, only where every count is exact */
	if (size < 4 || e->dst == FBT_OPND_MEM)
		return FBT_REFUSE_UNSUPPORTED;
	e->src = 1;
	return 0;
}

/* f6/f7 and fe/ff: the ModRM reg field selects the operation. */
static int group3(struct fbt_emul *e, u8 opc)
{
	unsigned int size = (opc & 1) ? fbt_insn_opsize(&e->insn) : 1;
	unsigned int sub;

	if (e->insn.modrm_off < 0)
		return FBT_REFUSE_UNSUPPORTED;
	sub = (modrm_byte(e) >> 3) & 7;
	switch (sub) {
	case 0:
		return rm_imm(e, FBT_K_ALU, FBT_ALU_TEST, size, imm_size(size));
	case 2:
		e->op = FBT_UN_NOT;
		break;
	case 3:
		e->op = FBT_UN_NEG;
		break;
	default:
		/* /1 is an undocumented test alias; mul, imul, div, idiv */
		return FBT_REFUSE_UNSUPPORTED;
	}
	e->kind = FBT_K_UNARY;
	e->size = size;
	return modrm(e, size, NULL, size, &e->dst);
}

static int group5(struct fbt_emul *e, u8 opc)
{
	unsigned int size = (opc & 1) ? fbt_insn_opsize(&e->insn) : 1;
	unsigned int sub;

	if (e->insn.modrm_off < 0)
		return FBT_REFUSE_UNSUPPORTED;
	sub = (modrm_byte(e) >> 3) & 7;
	if (sub >= 2 && opc == 0xfe)
		return FBT_REFUSE_INVALID;
	switch (sub) {
	case 0:
	case 1:
		e->kind = FBT_K_UNARY;
		e->op = sub ? FBT_UN_DEC : FBT_UN_INC;
		e->size = size;
		return modrm(e, size, NULL, size, &e->dst);
	case 2: case 3: case 4: case 5:
		return FBT_REFUSE_INDIRECT;
	case 6:
		e->kind = FBT_K_PUSH_REG;
		e->size = stack_size(&e->insn);
		return modrm(e, 8, NULL, e->size, &e->src);
	}
	return FBT_REFUSE_INVALID;
}

static int misc(struct fbt_emul *e, unsigned int op)
{
	e->kind = FBT_K_MISC;
	e->op = op;
	return 0;
}

/* 90-9f, the family of the seed's bug. */
static int op_9x(struct fbt_emul *e, u8 opc)
{
	const struct fbt_insn *in = &e->insn;
	unsigned int size = fbt_insn_opsize(in);

	/* 90 is nop even with REX.W; with REX.B it is xchg %eax,%r8d */
	if (opc == 0x90 && !(in->rex & FBT_REX_B)) {
		e->kind = FBT_K_NOP;
		return 0;
	}
	if (opc <= 0x97) {
		e->kind = FBT_K_XCHG_AX;
		e->size = size;
		e->dst = 0;
		e->src = (opc & 7) | (in->rex & FBT_REX_B ? 8 : 0);
		return 0;
	}
	switch (opc) {
	case 0x98:
		e->kind = FBT_K_CBW;
		e->size = size;
		return 0;
	case 0x99:
		e->kind = FBT_K_CWD;
		e->size = size;
		return 0;
	case 0x9a:
		return FBT_REFUSE_INVALID;
	case 0x9b:
		/*
		 * fwait raises #MF if an x87 exception is pending: replaying it
		 * needs the FPU state of the interrupted context, so refuse.
		 */
		return FBT_REFUSE_FPU;
	case 0x9c:
		e->kind = FBT_K_PUSHF;
		e->size = stack_size(in);
		return 0;
	case 0x9d:
		e->kind = FBT_K_POPF;
		e->size = stack_size(in);
		return 0;
	case 0x9e:
		e->kind = FBT_K_SAHF;
		return 0;
	}
	e->kind = FBT_K_LAHF;
	return 0;
}

static int map_1b(struct fbt_emul *e)
{
	const struct fbt_insn *in = &e->insn;
	unsigned int size = fbt_insn_opsize(in);
	u8 opc = in->opcode;
	int ret;

	if (opc < 0x40 && (opc & 7) < 6) {
		/* add or adc sbb and sub xor cmp: r/m,r  r,r/m  acc,imm */
		unsigned int sz = (opc & 1) ? size : 1;

		e->op = opc >> 3;
		if ((opc & 7) < 4)
			return rm_reg(e, FBT_K_ALU, sz, opc & 2);
		e->kind = FBT_K_ALU;
		e->size = sz;
		e->dst = 0;
		e->src = FBT_OPND_IMM;
		return get_imm(e, imm_size(sz));
	}
	if (opc >= 0x50 && opc < 0x60) {
		u8 r = (opc & 7) | (in->rex & FBT_REX_B ? 8 : 0);

		e->size = stack_size(in);
		if (opc < 0x58) {
			e->kind = FBT_K_PUSH_REG;
			e->src = r;
		} else {
			e->kind = FBT_K_POP_REG;
			e->dst = r;
		}
		return 0;
	}
	if (opc >= 0x70 && opc < 0x80)
		return branch(e, FBT_K_JCC, opc & 15, 1);
	if (opc >= 0x90 && opc < 0xa0)
		return op_9x(e, opc);
	if (opc >= 0xb0 && opc < 0xc0) {
		unsigned int r = (opc & 7) | (in->rex & FBT_REX_B ? 8 : 0);

		e->kind = FBT_K_MOV;
		e->size = opc < 0xb8 ? 1 : size;
		e->dst = e->size == 1 ? gpr8(e, r) : r;
		e->src = FBT_OPND_IMM;
		return get_imm(e, e->size);
	}
	if (opc >= 0xd8 && opc < 0xe0)
		return FBT_REFUSE_FPU;

	switch (opc) {
	case 0x63:
		/* movsxd; without REX.W a plain 32-bit mov */
		if (in->pfx & FBT_PFX_66)
			return FBT_REFUSE_UNSUPPORTED;
		e->kind = FBT_K_MOVX;
		e->op = size == 8 ? FBT_MOVX_SIGN : FBT_MOVX_ZERO;
		e->size = size;
		e->ssize = 4;
		return modrm(e, size, &e->dst, 4, &e->src);
	case 0x68:
	case 0x6a:
		e->kind = FBT_K_PUSH_IMM;
		e->size = stack_size(in);
		return get_imm(e, opc == 0x6a ? 1 : imm_size(e->size));
	case 0x80:
	case 0x81:
	case 0x83:
		if (in->modrm_off < 0)
			return FBT_REFUSE_UNSUPPORTED;
		size = opc == 0x80 ? 1 : size;
		return rm_imm(e, FBT_K_ALU, (modrm_byte(e) >> 3) & 7, size,
			      opc == 0x81 ? imm_size(size) : 1);
	case 0x84:
	case 0x85:
		e->op = FBT_ALU_TEST;
		return rm_reg(e, FBT_K_ALU, opc & 1 ? size : 1, false);
	case 0x86:
	case 0x87:
		ret = rm_reg(e, FBT_K_XCHG_RM, opc & 1 ? size : 1, false);
		/* xchg with memory is an implicitly locked atomic */
		if (!ret && e->dst == FBT_OPND_MEM)
			return FBT_REFUSE_LOCK;
		return ret;
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		return rm_reg(e, FBT_K_MOV, opc & 1 ? size : 1, opc & 2);
	case 0x8c:
		return FBT_REFUSE_UNSUPPORTED;
	case 0x8e:
		return FBT_REFUSE_SYSTEM;
	case 0x8d:
		ret = modrm(e, size, &e->dst, 8, &e->src);
		/* lea ignores the segment: an override changes nothing */
		if (ret == FBT_REFUSE_SEGMENT)
			ret = 0;
		if (ret)
			return ret;
		if (e->src != FBT_OPND_MEM)
			return FBT_REFUSE_INVALID;
		e->kind = FBT_K_LEA;
		e->size = size;
		e->gs = false;
		return 0;
	case 0x8f:
		/* pop r/m: only the register form (mem uses the new rsp) */
		ret = modrm(e, 8, NULL, stack_size(in), &e->dst);
		if (ret)
			return ret;
		if (((modrm_byte(e) >> 3) & 7) != 0)
			return FBT_REFUSE_INVALID;
		if (e->dst == FBT_OPND_MEM)
			return FBT_REFUSE_UNSUPPORTED;
		e->kind = FBT_K_POP_REG;
		e->size = stack_size(in);
		return 0;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		if (in->pfx & FBT_PFX_67)
			return FBT_REFUSE_ADDR32;
		if (in->disp_size != 8 || in->disp_off < 0)
			return FBT_REFUSE_UNSUPPORTED;
		e->kind = FBT_K_MOV;
		e->size = opc & 1 ? size : 1;
		e->base = FBT_BASE_NONE;
		e->index = FBT_INDEX_NONE;
		e->disp = le_signed(e->bytes + in->disp_off, 8);
		e->dst = opc & 2 ? FBT_OPND_MEM : 0;
		e->src = opc & 2 ? 0 : FBT_OPND_MEM;
		return mem_segment(e);
	case 0xa8:
	case 0xa9:
		e->kind = FBT_K_ALU;
		e->op = FBT_ALU_TEST;
		e->size = opc & 1 ? size : 1;
		e->dst = 0;
		e->src = FBT_OPND_IMM;
		return get_imm(e, imm_size(e->size));
	case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
		return shift(e, opc);
	case 0xc2:
	case 0xc3:
		if (in->pfx & FBT_PFX_66)
			return FBT_REFUSE_UNSUPPORTED;
		e->kind = FBT_K_RET;
		if (opc == 0xc3)
			return 0;
		ret = get_imm(e, 2);
		e->imm &= 0xffff;
		return ret;
	case 0xc6:
	case 0xc7:
		if (in->modrm_off < 0)
			return FBT_REFUSE_UNSUPPORTED;
		/* /7 f8 is xabort/xbegin */
		if ((modrm_byte(e) >> 3) & 7)
			return FBT_REFUSE_UNSUPPORTED;
		size = opc & 1 ? size : 1;
		return rm_imm(e, FBT_K_MOV, 0, size, imm_size(size));
	case 0xc9:
		if (in->pfx & FBT_PFX_66)
			return FBT_REFUSE_UNSUPPORTED;
		e->kind = FBT_K_LEAVE;
		return 0;
	case 0xcc:
		return FBT_REFUSE_INT3;
	case 0xcd: case 0xf1:
		return FBT_REFUSE_TRAP;
	case 0xce: case 0xd4: case 0xd5: case 0xd6: case 0xea:
		return FBT_REFUSE_INVALID;
	case 0xe8:
		return branch(e, FBT_K_CALL, 0, 4);
	case 0xe9:
		return branch(e, FBT_K_JMP, 0, 4);
	case 0xeb:
		return branch(e, FBT_K_JMP, 0, 1);
	case 0xf5:
		return misc(e, FBT_MISC_CMC);
	case 0xf6: case 0xf7:
		return group3(e, opc);
	case 0xf8:
		return misc(e, FBT_MISC_CLC);
	case 0xf9:
		return misc(e, FBT_MISC_STC);
	case 0xfc:
		return misc(e, FBT_MISC_CLD);
	case 0xfd:
		return misc(e, FBT_MISC_STD);
	case 0xfe: case 0xff:
		return group5(e, opc);
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:
	case 0xca: case 0xcb: case 0xcf:
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
	case 0xec: case 0xed: case 0xee: case 0xef:
	case 0xf4: case 0xfa: case 0xfb:
		return FBT_REFUSE_SYSTEM;
	}
	/* imul, string ops, xlat, loop, jrcxz, enter, ... */
	return FBT_REFUSE_UNSUPPORTED;
}

/* bt/bts/btr/btc on a register (a memory bit string can reach anywhere) */
static int bit_test(struct fbt_emul *e, unsigned int op, bool imm)
{
	unsigned int size = fbt_insn_opsize(&e->insn);
	int ret;

	ret = modrm(e, size, &e->src, size, &e->dst);
	if (ret)
		return ret;
	if (e->dst == FBT_OPND_MEM)
		return FBT_REFUSE_UNSUPPORTED;
	if (imm) {
		ret = get_imm(e, 1);
		e->src = FBT_OPND_IMM;
	}
	e->kind = FBT_K_MISC;
	e->op = op;
	e->size = size;
	return ret;
}

static int map_0f(struct fbt_emul *e)
{
	const struct fbt_insn *in = &e->insn;
	unsigned int size = fbt_insn_opsize(in), sub = 0;
	u8 opc = in->opcode;
	bool mem = false;

	if (in->modrm_off >= 0) {
		sub = (modrm_byte(e) >> 3) & 7;
		mem = (modrm_byte(e) >> 6) != 3;
	}
	if (opc >= 0x40 && opc < 0x50) {
		e->kind = FBT_K_CMOV;
		e->op = opc & 15;
		e->size = size;
		return modrm(e, size, &e->dst, size, &e->src);
	}
	if (opc >= 0x80 && opc < 0x90)
		return branch(e, FBT_K_JCC, opc & 15, 4);
	if (opc >= 0x90 && opc < 0xa0) {
		e->kind = FBT_K_SETCC;
		e->op = opc & 15;
		e->size = 1;
		return modrm(e, 1, NULL, 1, &e->dst);
	}
	if (opc >= 0xc8 && opc <= 0xcf) {
		if (in->pfx & FBT_PFX_66)	/* undefined result */
			return FBT_REFUSE_UNSUPPORTED;
		e->kind = FBT_K_MISC;
		e->op = FBT_MISC_BSWAP;
		e->size = size;
		e->dst = (opc & 7) | (in->rex & FBT_REX_B ? 8 : 0);
		return 0;
	}

	switch (opc) {
	case 0x0d:
		/* prefetch, prefetchw: hints that never fault */
		if (!mem || sub > 1)
			return FBT_REFUSE_UNSUPPORTED;
		e->kind = FBT_K_NOP;
		return 0;
	case 0x18:
		if (!mem || sub > 3)
			return FBT_REFUSE_UNSUPPORTED;
		e->kind = FBT_K_NOP;
		return 0;
	case 0x1f:
		if (in->modrm_off < 0 || sub)
			return FBT_REFUSE_UNSUPPORTED;
		e->kind = FBT_K_NOP;
		return 0;
	case 0x1e:
		/*
		 * endbr64 and friends: an int3 on an ENDBR breaks IBT, so
		 * the core never probes one; not an instruction to replay.
		 */
		return FBT_REFUSE_UNSUPPORTED;
	case 0x0b: case 0xb9: case 0xff:
		return FBT_REFUSE_TRAP;
	case 0x00: case 0x01: case 0x02: case 0x03: case 0x05: case 0x06:
	case 0x07: case 0x08: case 0x09: case 0x20: case 0x21: case 0x22:
	case 0x23: case 0x30: case 0x31: case 0x32: case 0x33: case 0x34:
	case 0x35: case 0x37: case 0x78: case 0x79: case 0xa0: case 0xa1:
	case 0xa2: case 0xa8: case 0xa9: case 0xaa:
		return FBT_REFUSE_SYSTEM;
	case 0xa3:
		return bit_test(e, FBT_MISC_BT, false);
	case 0xab:
		return bit_test(e, FBT_MISC_BTS, false);
	case 0xb3:
		return bit_test(e, FBT_MISC_BTR, false);
	case 0xbb:
		return bit_test(e, FBT_MISC_BTC, false);
	case 0xba:
		if (in->modrm_off < 0 || sub < 4)
			return FBT_REFUSE_UNSUPPORTED;
		return bit_test(e, FBT_MISC_BT + sub - 4, true);
	case 0xb6: case 0xb7: case 0xbe: case 0xbf:
		e->kind = FBT_K_MOVX;
		e->op = opc & 8 ? FBT_MOVX_SIGN : FBT_MOVX_ZERO;
		e->size = size;
		e->ssize = opc & 1 ? 2 : 1;
		return modrm(e, size, &e->dst, e->ssize, &e->src);
	}
	return FBT_REFUSE_UNSUPPORTED;
}

static int classify(struct fbt_emul *e)
{
	const struct fbt_insn *in = &e->insn;
	int ret;

	if (in->vex != FBT_VEX_NONE)
		return FBT_REFUSE_VEX;
	if (in->map == FBT_MAP_1B && in->opcode == 0xcc)
		return FBT_REFUSE_INT3;
	if (in->pfx & FBT_PFX_LOCK)
		return FBT_REFUSE_LOCK;
	if (in->map == FBT_MAP_1B)
		ret = map_1b(e);
	else if (in->map == FBT_MAP_0F)
		ret = map_0f(e);
	else
		ret = FBT_REFUSE_UNSUPPORTED;
	if (ret)
		return ret;

	/*
	 * rep/repne only mean something to string ops and as mandatory
	 * prefixes; pause (f3 90) is the one form taken with them.
	 */
	if (in->pfx & (FBT_PFX_F2 | FBT_PFX_F3)) {
		if ((in->pfx & FBT_PFX_F2) || e->kind != FBT_K_NOP ||
		    in->map != FBT_MAP_1B || in->opcode != 0x90)
			return FBT_REFUSE_UNSUPPORTED;
	}
	/* 67 only matters to memory operands, but refuse it on all but nops */
	if ((in->pfx & FBT_PFX_67) && e->kind != FBT_K_NOP)
		return FBT_REFUSE_ADDR32;
	return 0;
}

int fbt_emul_prepare(struct fbt_emul *e, const u8 *buf, unsigned int buflen)
{
	unsigned int i;
	int ret;

	*e = (struct fbt_emul){ .kind = FBT_K_NONE };
	ret = fbt_insn_decode(&e->insn, buf, buflen);
	if (ret == FBT_DECODE_TRUNCATED)
		return FBT_REFUSE_TRUNCATED;
	if (ret)
		return FBT_REFUSE_INVALID;
	for (i = 0; i < e->insn.len && i < FBT_INSN_MAX; i++)
		e->bytes[i] = buf[i];
	ret = classify(e);
	if (ret)
		e->kind = FBT_K_NONE;
	return ret;
}

const char *fbt_refusal_name(int refusal)
{
	static const char * const names[FBT_REFUSE_NR] = {
		[FBT_EMUL_OK]		 = "ok",
		[FBT_REFUSE_TRUNCATED]	 = "truncated",
		[FBT_REFUSE_INVALID]	 = "invalid",
		[FBT_REFUSE_INT3]	 = "int3",
		[FBT_REFUSE_LOCK]	 = "lock",
		[FBT_REFUSE_SEGMENT]	 = "segment",
		[FBT_REFUSE_ADDR32]	 = "addr32",
		[FBT_REFUSE_VEX]	 = "vex",
		[FBT_REFUSE_FPU]	 = "fpu",
		[FBT_REFUSE_SYSTEM]	 = "system",
		[FBT_REFUSE_INDIRECT]	 = "indirect",
		[FBT_REFUSE_TRAP]	 = "trap",
		[FBT_REFUSE_UNSUPPORTED] = "unsupported",
	};

	if (refusal < 0 || refusal >= FBT_REFUSE_NR || !names[refusal])
		return "?";
	return names[refusal];
}

const char *fbt_emul_kind_name(int kind)
{
	static const char * const names[FBT_K_NR] = {
		[FBT_K_NONE]	 = "none",
		[FBT_K_NOP]	 = "nop",
		[FBT_K_XCHG_AX]	 = "xchg_ax",
		[FBT_K_CBW]	 = "cbw",
		[FBT_K_CWD]	 = "cwd",
		[FBT_K_PUSHF]	 = "pushf",
		[FBT_K_POPF]	 = "popf",
		[FBT_K_SAHF]	 = "sahf",
		[FBT_K_LAHF]	 = "lahf",
		[FBT_K_PUSH_REG] = "push_reg",
		[FBT_K_POP_REG]	 = "pop_reg",
		[FBT_K_PUSH_IMM] = "push_imm",
		[FBT_K_ALU]	 = "alu",
		[FBT_K_MOV]	 = "mov",
		[FBT_K_LEA]	 = "lea",
		[FBT_K_MOVX]	 = "movx",
		[FBT_K_UNARY]	 = "unary",
		[FBT_K_SHIFT]	 = "shift",
		[FBT_K_XCHG_RM]	 = "xchg_rm",
		[FBT_K_CMOV]	 = "cmov",
		[FBT_K_SETCC]	 = "setcc",
		[FBT_K_JMP]	 = "jmp",
		[FBT_K_JCC]	 = "jcc",
		[FBT_K_CALL]	 = "call",
		[FBT_K_RET]	 = "ret",
		[FBT_K_LEAVE]	 = "leave",
		[FBT_K_MISC]	 = "misc",
	};

	if (kind < 0 || kind >= FBT_K_NR || !names[kind])
		return "?";
	return names[kind];
}
