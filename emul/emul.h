/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulator: replays, on a struct pt_regs, the one instruction an int3
 * displaced, exactly as the CPU would have executed it at CPL0.
 *
 * Work is split in two so the trap handler does as little as possible:
 * fbt_emul_prepare() runs once per probe site (decode, classify, refuse
 * with a reason) and fills a compact struct fbt_emul; fbt_emul_run() runs
 * at every trap and only executes.
 */
#ifndef FBT_EMUL_EMUL_H
#define FBT_EMUL_EMUL_H

#include "types.h"
#include "insn.h"
#include "env.h"

/* Why a site is not emulated. 0 means it is. Names in fbt_refusal_name(). */
enum fbt_refusal {
	FBT_EMUL_OK = 0,
	FBT_REFUSE_TRUNCATED,	/* bytes end inside the instruction */
	FBT_REFUSE_INVALID,	/* not a valid 64-bit instruction (9a, 06, ...) */
	FBT_REFUSE_INT3,	/* already an int3 (cc): someone else's probe */
	FBT_REFUSE_LOCK,	/* lock prefix: atomics are not replayed */
	FBT_REFUSE_SEGMENT,	/* segment override other than %gs */
	FBT_REFUSE_ADDR32,	/* 67 prefix on a memory operand */
	FBT_REFUSE_VEX,		/* VEX/EVEX/XOP encoded (SIMD) */
	FBT_REFUSE_FPU,		/* x87 / fwait: needs FPU state */
	FBT_REFUSE_SYSTEM,	/* privileged or state-changing: cli, sti, hlt, mov cr, ... */
	FBT_REFUSE_INDIRECT,	/* indirect jump or call */
	FBT_REFUSE_TRAP,	/* int, int1, ud2, into: traps by design */
	FBT_REFUSE_UNSUPPORTED,	/* valid, but no emulation written for it */
	FBT_REFUSE_NR
};

/* The handler that fbt_emul_run() dispatches to. */
enum fbt_emul_kind {
	FBT_K_NONE = 0,
	FBT_K_NOP,		/* 90, 0f 1f /0, f3 90 (pause), 66 90 ... */
	FBT_K_XCHG_AX,		/* 91-97 (+REX.B, 66, REX.W) */
	FBT_K_CBW,		/* 98: cbw/cwde/cdqe */
	FBT_K_CWD,		/* 99: cwd/cdq/cqo */
	FBT_K_PUSHF,		/* 9c */
	FBT_K_POPF,		/* 9d */
	FBT_K_SAHF,		/* 9e */
	FBT_K_LAHF,		/* 9f */
	FBT_K_PUSH_REG,		/* 50-57, ff /6 (push r/m) */
	FBT_K_POP_REG,		/* 58-5f, 8f /0 with a register */
	FBT_K_PUSH_IMM,		/* 68, 6a */
	FBT_K_ALU,		/* add/or/adc/sbb/and/sub/xor/cmp, test, all forms */
	FBT_K_MOV,		/* 88-8b, c6, c7, b0-bf, a0-a3 */
	FBT_K_LEA,		/* 8d */
	FBT_K_MOVX,		/* 0f b6/b7/be/bf, 63 (movsxd) */
	FBT_K_UNARY,		/* f6/f7 /2 not, /3 neg; fe/ff /0 inc, /1 dec */
	FBT_K_SHIFT,		/* c0/c1/d0/d1/d3 rol..sar */
	FBT_K_XCHG_RM,		/* 86, 87 without lock (xchg mem is implicitly locked) */
	FBT_K_CMOV,		/* 0f 40-4f */
	FBT_K_SETCC,		/* 0f 90-9f */
	FBT_K_JMP,		/* eb, e9 */
	FBT_K_JCC,		/* 70-7f, 0f 80-8f */
	FBT_K_CALL,		/* e8 */
	FBT_K_RET,		/* c3, c2 imm16 */
	FBT_K_LEAVE,		/* c9 */
	FBT_K_MISC,		/* clc, stc, cmc, cld, std, bt/bts/btr/btc, bswap ... */
	FBT_K_NR
};

/*
 * Everything fbt_emul_run() needs for one site: a copy of the original
 * bytes and their decoded fields. Filled by fbt_emul_prepare().
 */
struct fbt_emul {
	struct fbt_insn insn;
	u8 bytes[FBT_INSN_MAX];
	u8 kind;		/* enum fbt_emul_kind */
	/* Operands, resolved once so the trap path only executes. */
	u8 op;			/* operation within the kind, see ops.h */
	u8 size;		/* operand size in bytes: 1, 2, 4 or 8 */
	u8 ssize;		/* source size of movzx/movsx/movsxd */
	u8 dst;			/* FBT_OPND_* or a GPR number */
	u8 src;			/* FBT_OPND_* or a GPR number */
	u8 base;		/* memory operand: base GPR or FBT_BASE_* */
	u8 index;		/* index GPR or FBT_INDEX_NONE */
	u8 scale;		/* index shift: 0-3 */
	bool gs;		/* %gs: prefixed: add the per-CPU base */
	s64 disp;		/* displacement, or the moffs address */
	u64 imm;		/* immediate, extended as the insn defines */
};

/*
 * Operand codes in fbt_emul.dst/src: 0-15 are the GPRs in encoding order
 * (ax cx dx bx sp bp si di r8-r15), then these.
 */
#define FBT_OPND_AH	16	/* 16-19: ah ch dh bh (byte regs 4-7, no REX) */
#define FBT_OPND_MEM	32	/* the ModRM or moffs memory operand */
#define FBT_OPND_IMM	33	/* fbt_emul.imm */
#define FBT_OPND_NONE	0xff

#define FBT_BASE_RIP	16	/* base is the address of the next insn */
#define FBT_BASE_NONE	0xff
#define FBT_INDEX_NONE	0xff

/*
 * Decode and classify the instruction at @buf (up to @buflen bytes).
 * Returns FBT_EMUL_OK and fills @e when fbt_emul_run() can replay it,
 * otherwise an enum fbt_refusal and @e->kind == FBT_K_NONE.
 */
int fbt_emul_prepare(struct fbt_emul *e, const u8 *buf, unsigned int buflen);

/*
 * Replay @e on @regs. On entry regs->ip is the address of the instruction
 * (the probe address, not the int3's return address). On success regs->ip
 * is the next instruction or the branch target and 0 is returned. On a
 * memory fault nothing in @regs has changed and FBT_EMUL_FAULT is returned.
 */
#define FBT_EMUL_FAULT	(-1)
int fbt_emul_run(const struct fbt_emul *e, struct pt_regs *regs);

const char *fbt_refusal_name(int refusal);
const char *fbt_emul_kind_name(int kind);

#endif /* FBT_EMUL_EMUL_H */
