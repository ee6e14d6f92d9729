// SPDX-License-Identifier: GPL-2.0
/*
 * fbt_emul_run(): replay one prepared instruction on a struct pt_regs, as
 * the CPU would have executed it at CPL0 in 64-bit mode.
 *
 * This runs in the int3 handler: one switch on the kind, no calls out of
 * emul/, memory only through fbt_env_read()/fbt_env_write(). Each handler
 * reads and computes first, then does its one memory write, and only then
 * changes @regs: a fault anywhere leaves @regs as it was.
 */
#include "emul.h"
#include "flags.h"
#include "ops.h"
#include "plant.h"

#define GPR(f)	offsetof(struct pt_regs, f)

/* pt_regs offset of each operand code 0-19 (16-19: ah ch dh bh) */
static const u8 gpr_off[20] = {
	GPR(ax), GPR(cx), GPR(dx), GPR(bx), GPR(sp), GPR(bp), GPR(si), GPR(di),
	GPR(r8), GPR(r9), GPR(r10), GPR(r11), GPR(r12), GPR(r13), GPR(r14),
	GPR(r15), GPR(ax), GPR(cx), GPR(dx), GPR(bx),
};

static inline unsigned long *gpr(struct pt_regs *regs, unsigned int r)
{
	return (unsigned long *)((char *)regs + gpr_off[r]);
}

static inline u64 size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static inline u64 reg_get(struct pt_regs *regs, unsigned int r)
{
	u64 v = *gpr(regs, r);

	return r >= FBT_OPND_AH ? v >> 8 : v;
}

/* 32-bit writes zero-extend; 8- and 16-bit writes keep the other bits. */
static inline void reg_put(struct pt_regs *regs, unsigned int r,
			   unsigned int size, u64 v)
{
	unsigned long *p = gpr(regs, r);

	if (r >= FBT_OPND_AH) {
		*p = (*p & ~0xff00UL) | (unsigned long)(v & 0xff) << 8;
		return;
	}
	switch (size) {
	case 1:
		*p = (*p & ~0xffUL) | (v & 0xff);
		break;
	case 2:
		*p = (*p & ~0xffffUL) | (v & 0xffff);
		break;
	case 4:
		*p = (u32)v;
		break;
	default:
		*p = v;
		break;
	}
}

static inline int mem_get(unsigned long addr, unsigned int size, u64 *v)
{
	u8 b;
	u16 w;
	u32 d;

	switch (size) {
	case 1:
		if (fbt_env_read(&b, addr, 1))
			return FBT_EMUL_FAULT;
		*v = b;
		return 0;
	case 2:
		if (fbt_env_read(&w, addr, 2))
			return FBT_EMUL_FAULT;
		*v = w;
		return 0;
	case 4:
		if (fbt_env_read(&d, addr, 4))
			return FBT_EMUL_FAULT;
		*v = d;
		return 0;
	}
	return fbt_env_read(v, addr, 8) ? FBT_EMUL_FAULT : 0;
}

static inline int mem_put(unsigned long addr, unsigned int size, u64 v)
{
	u8 b = v;
	u16 w = v;
	u32 d = v;

	switch (size) {
	case 1:
		return fbt_env_write(addr, &b, 1) ? FBT_EMUL_FAULT : 0;
	case 2:
		return fbt_env_write(addr, &w, 2) ? FBT_EMUL_FAULT : 0;
	case 4:
		return fbt_env_write(addr, &d, 4) ? FBT_EMUL_FAULT : 0;
	}
	return fbt_env_write(addr, &v, 8) ? FBT_EMUL_FAULT : 0;
}

/* Effective address of the memory operand; @next is the next insn's ip. */
static inline unsigned long ea(const struct fbt_emul *e, struct pt_regs *regs,
			       unsigned long next)
{
	unsigned long a = e->disp;

	if (e->base == FBT_BASE_RIP)
		a += next;
	else if (e->base != FBT_BASE_NONE)
		a += *gpr(regs, e->base);
	if (e->index != FBT_INDEX_NONE)
		a += *gpr(regs, e->index) << e->scale;
	if (e->gs)
		a += fbt_env_gs_base();
	return a;
}

/* Value of operand @o, truncated to @size; @addr if it is memory. */
static inline int opnd_get(const struct fbt_emul *e, struct pt_regs *regs,
			   unsigned int o, unsigned long addr,
			   unsigned int size, u64 *v)
{
	if (o == FBT_OPND_MEM)
		return mem_get(addr, size, v);
	*v = (o == FBT_OPND_IMM ? e->imm : reg_get(regs, o)) & size_mask(size);
	return 0;
}

/* Store @v in operand @o; the only fallible step is a memory store. */
static inline int opnd_put(struct pt_regs *regs, unsigned int o,
			   unsigned long addr, unsigned int size, u64 v)
{
	if (o == FBT_OPND_MEM)
		return mem_put(addr, size, v);
	reg_put(regs, o, size, v);
	return 0;
}

static inline bool uses_mem(const struct fbt_emul *e)
{
	return e->dst == FBT_OPND_MEM || e->src == FBT_OPND_MEM;
}

static inline s64 sign_extend(u64 v, unsigned int bits)
{
	return (s64)(v << (64 - bits)) >> (64 - bits);
}

/* CF, OF and AF of r = a + b (+ carry); a, b, r truncated to @bits */
static inline unsigned long add_flags(u64 a, u64 b, u64 r, unsigned int bits)
{
	unsigned long f = (a ^ b ^ r) & FBT_FL_AF;

	if ((((a & b) | ((a | b) & ~r)) >> (bits - 1)) & 1)
		f |= FBT_FL_CF;
	if ((((a ^ r) & (b ^ r)) >> (bits - 1)) & 1)
		f |= FBT_FL_OF;
	return f;
}

/* CF, OF and AF of r = a - b (- borrow) */
static inline unsigned long sub_flags(u64 a, u64 b, u64 r, unsigned int bits)
{
	unsigned long f = (a ^ b ^ r) & FBT_FL_AF;

	if ((((~a & b) | ((~a | b) & r)) >> (bits - 1)) & 1)
		f |= FBT_FL_CF;
	if ((((a ^ b) & (a ^ r)) >> (bits - 1)) & 1)
		f |= FBT_FL_OF;
	return f;
}

static int do_alu(const struct fbt_emul *e, struct pt_regs *regs,
		  unsigned long next)
{
	unsigned int size = e->size, bits = size * 8;
	u64 m = size_mask(size), a, b, r, c = regs->flags & FBT_FL_CF;
	unsigned long addr = 0, f = 0;

	if (uses_mem(e))
		addr = ea(e, regs, next);
	if (opnd_get(e, regs, e->dst, addr, size, &a) ||
	    opnd_get(e, regs, e->src, addr, size, &b))
		return FBT_EMUL_FAULT;
	switch (e->op) {
	case FBT_ALU_ADD:
	case FBT_ALU_ADC:
		if (e->op == FBT_ALU_ADD)
			c = 0;
		r = (a + b + c) & m;
		f = add_flags(a, b, r, bits);
		break;
	case FBT_ALU_SUB:
	case FBT_ALU_SBB:
	case FBT_ALU_CMP:
		if (e->op != FBT_ALU_SBB)
			c = 0;
		r = (a - b - c) & m;
		f = sub_flags(a, b, r, bits);
		break;
	case FBT_ALU_OR:
		r = a | b;
		break;
	case FBT_ALU_XOR:
		r = a ^ b;
		break;
	default:		/* and, test: AF is undefined, CPUs clear it */
		r = a & b;
		break;
	}
	f |= fbt_fl_szp(r, bits);
	if (e->op != FBT_ALU_CMP && e->op != FBT_ALU_TEST &&
	    opnd_put(regs, e->dst, addr, size, r))
		return FBT_EMUL_FAULT;
	regs->flags = (regs->flags & ~FBT_FL_ARITH) | f;
	return 0;
}

static int do_unary(const struct fbt_emul *e, struct pt_regs *regs,
		    unsigned long next)
{
	unsigned int size = e->size, bits = size * 8;
	u64 m = size_mask(size), a, r;
	unsigned long addr = 0, f = regs->flags;

	if (uses_mem(e))
		addr = ea(e, regs, next);
	if (opnd_get(e, regs, e->dst, addr, size, &a))
		return FBT_EMUL_FAULT;
	switch (e->op) {
	case FBT_UN_NOT:
		r = ~a & m;
		break;
	case FBT_UN_NEG:
		r = -a & m;
		f = (f & ~FBT_FL_ARITH) | sub_flags(0, a, r, bits) |
		    fbt_fl_szp(r, bits);
		break;
	default:
		/* inc and dec keep CF */
		if (e->op == FBT_UN_INC) {
			r = (a + 1) & m;
			f = add_flags(a, 1, r, bits);
		} else {
			r = (a - 1) & m;
			f = sub_flags(a, 1, r, bits);
		}
		f = (regs->flags & ~FBT_FL_ARITH) | (regs->flags & FBT_FL_CF) |
		    (f & ~FBT_FL_CF) | fbt_fl_szp(r, bits);
		break;
	}
	if (opnd_put(regs, e->dst, addr, size, r))
		return FBT_EMUL_FAULT;
	regs->flags = f;
	return 0;
}

/*
 * Shifts and rotates by a nonzero count (prepare refused the rest). What
 * the SDM leaves undefined is what AMD Zen does, see shift() in classify.c.
 */
static int do_shift(const struct fbt_emul *e, struct pt_regs *regs,
		    unsigned long next)
{
	unsigned int size = e->size, bits = size * 8, n;
	u64 m = size_mask(size), a, r;
	unsigned long addr = 0, f, cf;

	if (e->src == FBT_OPND_IMM)
		n = e->imm;
	else
		n = regs->cx & (size == 8 ? 63 : 31);
	if (uses_mem(e))
		addr = ea(e, regs, next);
	if (opnd_get(e, regs, e->dst, addr, size, &a))
		return FBT_EMUL_FAULT;
	if (!n) {
		/* by %cl = 0: flags kept, a 32-bit register still zero-extends */
		reg_put(regs, e->dst, size, a);
		return 0;
	}
	switch (e->op) {
	case FBT_SH_ROL:
		n &= bits - 1;
		r = n ? ((a << n) | (a >> (bits - n))) & m : a;
		cf = r & 1;
		f = (regs->flags & ~(FBT_FL_CF | FBT_FL_OF)) | cf;
		if (((r >> (bits - 1)) ^ cf) & 1)
			f |= FBT_FL_OF;
		break;
	case FBT_SH_ROR:
		n &= bits - 1;
		r = n ? ((a >> n) | (a << (bits - n))) & m : a;
		cf = (r >> (bits - 1)) & 1;
		f = (regs->flags & ~(FBT_FL_CF | FBT_FL_OF)) | cf;
		if (((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1)
			f |= FBT_FL_OF;
		break;
	default:
		if (e->op == FBT_SH_SHL) {
			r = (a << n) & m;
			cf = (a >> (bits - n)) & 1;
		} else if (e->op == FBT_SH_SHR) {
			r = a >> n;
			cf = (a >> (n - 1)) & 1;
		} else {
			r = (u64)(sign_extend(a, bits) >> n) & m;
			cf = (u64)(sign_extend(a, bits) >> (n - 1)) & 1;
		}
		f = (regs->flags & ~FBT_FL_ARITH) | cf | FBT_FL_AF |
		    fbt_fl_szp(r, bits);
		/* shl: MSB ^ CF; shr: top two result bits; sar: 0 */
		if (e->op == FBT_SH_SHL && ((r >> (bits - 1)) ^ cf) & 1)
			f |= FBT_FL_OF;
		if (e->op == FBT_SH_SHR &&
		    ((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1)
			f |= FBT_FL_OF;
		break;
	}
	if (opnd_put(regs, e->dst, addr, size, r))
		return FBT_EMUL_FAULT;
	regs->flags = f;
	return 0;
}

/* mov, movzx, movsx, movsxd, lea */
static int do_mov(const struct fbt_emul *e, struct pt_regs *regs,
		  unsigned long next)
{
	unsigned long addr = 0;
	u64 v;

	if (uses_mem(e))
		addr = ea(e, regs, next);
	if (e->kind == FBT_K_LEA) {
		reg_put(regs, e->dst, e->size, addr);
		return 0;
	}
	if (e->kind == FBT_K_MOVX) {
		if (opnd_get(e, regs, e->src, addr, e->ssize, &v))
			return FBT_EMUL_FAULT;
		if (e->op == FBT_MOVX_SIGN)
			v = sign_extend(v, e->ssize * 8);
		reg_put(regs, e->dst, e->size, v);
		return 0;
	}
	if (opnd_get(e, regs, e->src, addr, e->size, &v))
		return FBT_EMUL_FAULT;
	return opnd_put(regs, e->dst, addr, e->size, v);
}

/* cmovcc reads its source and, at 32 bits, writes its destination always */
static int do_cmov(const struct fbt_emul *e, struct pt_regs *regs,
		   unsigned long next)
{
	unsigned long addr = 0;
	u64 v;

	if (uses_mem(e))
		addr = ea(e, regs, next);
	if (opnd_get(e, regs, e->src, addr, e->size, &v))
		return FBT_EMUL_FAULT;
	if (fbt_fl_cond(regs->flags, e->op))
		reg_put(regs, e->dst, e->size, v);
	else if (e->size == 4)
		reg_put(regs, e->dst, 4, reg_get(regs, e->dst));
	return 0;
}

static int do_setcc(const struct fbt_emul *e, struct pt_regs *regs,
		    unsigned long next)
{
	unsigned long addr = 0;

	if (uses_mem(e))
		addr = ea(e, regs, next);
	return opnd_put(regs, e->dst, addr, 1,
			fbt_fl_cond(regs->flags, e->op));
}

static int do_xchg(const struct fbt_emul *e, struct pt_regs *regs)
{
	u64 a = reg_get(regs, e->dst), b = reg_get(regs, e->src);

#if FBT_PLANT_BUG == FBT_PLANT_XCHG
	if (e->kind == FBT_K_XCHG_AX && e->size == 4) {
		*gpr(regs, e->dst) = (*gpr(regs, e->dst) & ~0xffffffffUL) | (u32)b;
		*gpr(regs, e->src) = (*gpr(regs, e->src) & ~0xffffffffUL) | (u32)a;
		return 0;
	}
#endif
	reg_put(regs, e->dst, e->size, b);
	reg_put(regs, e->src, e->size, a);
	return 0;
}

/* cbw/cwde/cdqe and cwd/cdq/cqo */
static void do_convert(const struct fbt_emul *e, struct pt_regs *regs)
{
	unsigned int half = e->size * 4;
	u64 ax = regs->ax;

	if (e->kind == FBT_K_CBW) {
#if FBT_PLANT_BUG == FBT_PLANT_CLTQ
		if (e->size == 8)
			half = 16;
#endif
		reg_put(regs, 0, e->size, sign_extend(ax, half));
		return;
	}
	reg_put(regs, 2, e->size, sign_extend(ax, half * 2) < 0 ? ~0ULL : 0);
}

static int push(struct pt_regs *regs, unsigned int size, u64 v)
{
	unsigned long sp = regs->sp - size;

	if (mem_put(sp, size, v))
		return FBT_EMUL_FAULT;
	regs->sp = sp;
	return 0;
}

static int do_push(const struct fbt_emul *e, struct pt_regs *regs,
		   unsigned long next)
{
	unsigned long addr = 0;
	u64 v;

	if (e->kind == FBT_K_PUSHF) {
		/* the interrupted context's flags, IF included; RF, VM clear */
		v = regs->flags & ~(FBT_FL_RF | FBT_FL_VM);
#if FBT_PLANT_BUG == FBT_PLANT_PUSHF
		v &= ~FBT_FL_IF;
#endif
		return push(regs, e->size, v);
	}
	if (e->kind == FBT_K_PUSH_IMM)
		return push(regs, e->size, e->imm);
	if (uses_mem(e))
		addr = ea(e, regs, next);
	if (opnd_get(e, regs, e->src, addr, e->size, &v))
		return FBT_EMUL_FAULT;
	return push(regs, e->size, v);
}

static int do_pop(const struct fbt_emul *e, struct pt_regs *regs)
{
	unsigned long mask;
	u64 v;

	if (mem_get(regs->sp, e->size, &v))
		return FBT_EMUL_FAULT;
	regs->sp += e->size;
	if (e->kind == FBT_K_POP_REG) {
		/* after the increment: pop %rsp loads the popped value */
		reg_put(regs, e->dst, e->size, v);
		return 0;
	}
	/*
	 * popf at CPL0 may change every flag but RF, VM, VIP and VIF; the
	 * 16-bit form only reaches bits 0-15. Reserved bits stay as they
	 * are (0), bit 1 stays 1; RF clears as after any instruction.
	 */
	mask = e->size == 8 ? FBT_FL_POPF : FBT_FL_POPF16;
#if FBT_PLANT_BUG == FBT_PLANT_POPF
	mask &= ~FBT_FL_AC;
#endif
	regs->flags = (regs->flags & ~mask) | (v & mask) | FBT_FL_FIXED;
	return 0;
}

static void do_sahf(struct pt_regs *regs)
{
	unsigned long mask = FBT_FL_SAHF;

#if FBT_PLANT_BUG == FBT_PLANT_SAHF
	mask = (mask & ~FBT_FL_AF) | 0x08;
#endif
	regs->flags = (regs->flags & ~mask) | ((regs->ax >> 8) & mask) |
		      FBT_FL_FIXED;
}

static int do_ret(const struct fbt_emul *e, struct pt_regs *regs,
		  unsigned long *ip)
{
	u64 v;

	if (mem_get(regs->sp, 8, &v))
		return FBT_EMUL_FAULT;
	regs->sp += 8 + e->imm;
	*ip = v;
	return 0;
}

static int do_leave(struct pt_regs *regs)
{
	u64 v;

	if (mem_get(regs->bp, 8, &v))
		return FBT_EMUL_FAULT;
	regs->sp = regs->bp + 8;
	regs->bp = v;
	return 0;
}

/* flag ops, bswap and bt/bts/btr/btc on a register */
static void do_misc(const struct fbt_emul *e, struct pt_regs *regs)
{
	unsigned long f = regs->flags;
	unsigned int bits = e->size * 8, n;
	u64 a, bit;

	switch (e->op) {
	case FBT_MISC_CLC:
		regs->flags = f & ~FBT_FL_CF;
		return;
	case FBT_MISC_STC:
		regs->flags = f | FBT_FL_CF;
		return;
	case FBT_MISC_CMC:
		regs->flags = f ^ FBT_FL_CF;
		return;
	case FBT_MISC_CLD:
		regs->flags = f & ~FBT_FL_DF;
		return;
	case FBT_MISC_STD:
		regs->flags = f | FBT_FL_DF;
		return;
	case FBT_MISC_BSWAP:
		a = reg_get(regs, e->dst);
		if (e->size == 8)
			reg_put(regs, e->dst, 8, __builtin_bswap64(a));
		else
			reg_put(regs, e->dst, 4, __builtin_bswap32((u32)a));
		return;
	}
	/* bt*: only CF is defined; the others are left alone, as AMD does */
	n = (e->src == FBT_OPND_IMM ? e->imm : reg_get(regs, e->src)) &
	    (bits - 1);
	a = reg_get(regs, e->dst) & size_mask(e->size);
	bit = 1ULL << n;
	regs->flags = (f & ~FBT_FL_CF) | ((a >> n) & 1);
	if (e->op == FBT_MISC_BTS)
		reg_put(regs, e->dst, e->size, a | bit);
	else if (e->op == FBT_MISC_BTR)
		reg_put(regs, e->dst, e->size, a & ~bit);
	else if (e->op == FBT_MISC_BTC)
		reg_put(regs, e->dst, e->size, a ^ bit);
}

int fbt_emul_run(const struct fbt_emul *e, struct pt_regs *regs)
{
	unsigned long next = regs->ip + e->insn.len, ip = next;
	int ret = 0;

	switch (e->kind) {
	case FBT_K_NOP:
		break;
	case FBT_K_ALU:
		ret = do_alu(e, regs, next);
		break;
	case FBT_K_MOV:
	case FBT_K_LEA:
	case FBT_K_MOVX:
		ret = do_mov(e, regs, next);
		break;
	case FBT_K_PUSH_REG:
	case FBT_K_PUSH_IMM:
	case FBT_K_PUSHF:
		ret = do_push(e, regs, next);
		break;
	case FBT_K_POP_REG:
	case FBT_K_POPF:
		ret = do_pop(e, regs);
		break;
	case FBT_K_UNARY:
		ret = do_unary(e, regs, next);
		break;
	case FBT_K_SHIFT:
		ret = do_shift(e, regs, next);
		break;
	case FBT_K_XCHG_AX:
	case FBT_K_XCHG_RM:
		ret = do_xchg(e, regs);
		break;
	case FBT_K_CBW:
	case FBT_K_CWD:
		do_convert(e, regs);
		break;
	case FBT_K_SAHF:
		do_sahf(regs);
		break;
	case FBT_K_LAHF:
		reg_put(regs, FBT_OPND_AH, 1,
			(regs->flags & FBT_FL_SAHF) | FBT_FL_FIXED);
		break;
	case FBT_K_CMOV:
		ret = do_cmov(e, regs, next);
		break;
	case FBT_K_SETCC:
		ret = do_setcc(e, regs, next);
		break;
	case FBT_K_JMP:
		ip = next + e->imm;
		break;
	case FBT_K_JCC:
		if (fbt_fl_cond(regs->flags, e->op))
			ip = next + e->imm;
		break;
	case FBT_K_CALL:
		ret = push(regs, 8, next);
		ip = next + e->imm;
		break;
	case FBT_K_RET:
		ret = do_ret(e, regs, &ip);
		break;
	case FBT_K_LEAVE:
		ret = do_leave(regs);
		break;
	case FBT_K_MISC:
		do_misc(e, regs);
		break;
	default:
		/* not prepared: never reached for a site prepare accepted */
		return FBT_EMUL_FAULT;
	}
	if (ret)
		return ret;
	regs->ip = ip;
	/* RF clears once an instruction completes */
	regs->flags &= ~FBT_FL_RF;
	return 0;
}
