/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differential test: run one instruction on the real CPU and in the
 * emulator from the same state and compare everything. Shared declarations
 * of its parts:
 *   cpu_diff_cpu.c    executes bytes on the CPU, captures the result
 *   cpu_diff_state.c  PRNG and random register, flag and memory states
 *   cpu_diff_forms.c  the forms: opcode x prefixes x ModRM shapes
 *   cpu_diff_cmp.c    runs the emulator, compares, dumps disagreements
 *   cpu_diff_self.c   checks the CPU half alone against hand-computed results
 *   cpu_diff.c        main: enumerate, loop, report
 */
#ifndef FBT_CPU_DIFF_H
#define FBT_CPU_DIFF_H

#include "types.h"
#include "emul.h"

/* GPRs in hardware encoding order. */
enum {
	CD_AX, CD_CX, CD_DX, CD_BX, CD_SP, CD_BP, CD_SI, CD_DI,
	CD_R8, CD_R9, CD_R10, CD_R11, CD_R12, CD_R13, CD_R14, CD_R15,
	CD_NGPR
};

/* RFLAGS bits the harness deals with. */
#define CD_CF	0x0001UL
#define CD_FIX1	0x0002UL
#define CD_PF	0x0004UL
#define CD_AF	0x0010UL
#define CD_ZF	0x0040UL
#define CD_SF	0x0080UL
#define CD_TF	0x0100UL
#define CD_IF	0x0200UL
#define CD_DF	0x0400UL
#define CD_OF	0x0800UL
#define CD_IOPL	0x3000UL
#define CD_NT	0x4000UL
#define CD_RF	0x10000UL
#define CD_VM	0x20000UL
#define CD_AC	0x40000UL
#define CD_VIF	0x80000UL
#define CD_VIP	0x100000UL
#define CD_ID	0x200000UL
#define CD_STATUS (CD_CF | CD_PF | CD_AF | CD_ZF | CD_SF | CD_OF)

/* A machine state: input or result. */
struct cd_state {
	u64 r[CD_NGPR];
	u64 flags;
	u64 ip;
	u64 gs_base;
};

/* ---- cpu_diff_cpu.c ---------------------------------------------------- */

/* The data area: the only memory an instruction under test may touch. */
#define CD_DATA_SIZE	0x1000

int cd_cpu_init(void);
u8 *cd_cpu_insn(void);		/* where the instruction under test sits */
u8 *cd_cpu_data(void);		/* CD_DATA_SIZE bytes, within 2 GB of it */
unsigned int cd_cpu_npads(void);
u64 cd_cpu_pad(unsigned int i);	/* landing pad i; pad 0 follows the insn */
/* Write the instruction and, right after it, landing pad 0. */
void cd_cpu_place(const u8 *bytes, unsigned int len);
/*
 * Execute the placed instruction from @in (in->ip is ignored, it is
 * cd_cpu_insn()). Returns 0 and fills @out (out->ip: the pad it reached),
 * or the number of the signal the instruction raised, with @out->ip the
 * faulting address.
 */
int cd_cpu_run(const struct cd_state *in, struct cd_state *out);

/* ---- cpu_diff_state.c -------------------------------------------------- */

struct cd_rng {
	u64 s[4];
};

void cd_rng_seed(struct cd_rng *g, u64 seed);
u64 cd_rand(struct cd_rng *g);
u64 cd_below(struct cd_rng *g, u64 n);	/* uniform in [0, n) */
u64 cd_value(struct cd_rng *g);		/* register value, edge cases likely */
u64 cd_hash(u64 h, u64 v);

/* Random flags the CPU lets user mode load; AC only if @ac. */
u64 cd_rand_flags(struct cd_rng *g, bool ac);
/* Random data memory. */
void cd_rand_data(struct cd_rng *g);
/* Random registers, rsp in the data area, and a fresh stack around it. */
void cd_rand_state(struct cd_rng *g, struct cd_state *st, bool aligned);

/* ---- cpu_diff_forms.c -------------------------------------------------- */

/* How the ModRM operand is encoded. */
enum cd_shape {
	CD_SH_NONE,	/* no ModRM */
	CD_SH_REG,	/* mod = 3 */
	CD_SH_MEM,	/* [base + disp0/8/32], no SIB */
	CD_SH_SIB,	/* [base + index*scale + disp0/8/32] */
	CD_SH_ABS,	/* [index*scale + disp32], SIB without base */
	CD_SH_RIP,	/* [rip + disp32] */
	CD_SH_FIXED,	/* the bytes are given as they are */
	CD_SH_NR
};

struct cd_form {
	u8 pfx[4];	/* legacy prefixes, in order */
	u8 npfx;
	u8 rex;		/* 0: none, else the REX byte (RXB bits: see rex_rand) */
	bool rex_rand;	/* randomize REX.R/X/B per state */
	bool map0f;	/* 0f xx */
	u8 op;
	s8 ext;		/* ModRM reg of a group opcode, -1 if not a group */
	u8 shape;	/* enum cd_shape */
	u8 fixed[15];	/* CD_SH_FIXED: the bytes */
	u8 nfixed;
	bool nop;	/* one of the kernel's and GCC's multi-byte nops */
	bool mixed;	/* the emulator refuses some instances */
	u16 family;	/* index into the family table of cpu_diff.c */
};

/* One concrete instruction of a form, and the state constraints it needs. */
struct cd_inst {
	const struct cd_form *form;
	u8 bytes[15];
	u8 len;
	u8 op;			/* opcode byte (in its map) */
	u8 osize;		/* operand size of a v operand: 2, 4 or 8 */
	u8 mod, reg, rm;	/* ModRM fields, reg and rm with REX bits */
	bool mem;		/* has an explicit memory operand */
	bool gs;		/* %gs: prefix */
	bool bad;		/* constraints collide: draw another */
	u64 imm;		/* the immediate as drawn (low bytes used) */
	u64 gs_base;
};

/*
 * Fill @out (at most @max) with every candidate form, the @n9x forms of
 * 90-9f first. Returns how many. Which the emulator accepts is decided by
 * the caller.
 */
unsigned int cd_forms_enumerate(struct cd_form *out, unsigned int max,
				unsigned int *n9x);
/*
 * Build one random instance of @f for state @st: fills the bytes and fixes
 * the registers, displacement and stack so every access lands in the data
 * area and every branch on a landing pad. @aligned: all accesses aligned.
 */
void cd_form_instance(const struct cd_form *f, struct cd_rng *g,
		      struct cd_state *st, bool aligned, struct cd_inst *in);
/* A name such as "01 add Ev,Gv" for the family of @f. */
void cd_form_family_name(const struct cd_form *f, char *buf, size_t n);
/* The prefix and shape part of the form, e.g. "66 REX sib". */
void cd_form_variant(const struct cd_form *f, char *buf, size_t n);

/* ---- cpu_diff_self.c --------------------------------------------------- */

/* Check the harness on its own; prints one line, returns the failures. */
int cd_self_check(struct cd_rng *g);

/* ---- cpu_diff_cmp.c ---------------------------------------------------- */

/*
 * Flags whose value the SDM leaves undefined for this instance and the
 * emulator documents as not matching the CPU: masked out of the compare.
 */
bool cd_is_amd(void);
u64 cd_undefined_flags(const struct cd_inst *in, const struct cd_state *st);
const char *cd_undefined_note(const struct cd_form *f);

struct cd_result {
	struct cd_state st;
	int sig;		/* CPU: signal raised; emulator: run() result */
	char why[160];		/* emulator: what went wrong, for the dump */
	u8 mem[CD_DATA_SIZE];
};

/*
 * Run the placed instruction @in on the CPU and, prepared as @e, in the
 * emulator, both from @st and @mem0 (the data area before). Returns true
 * when they agree; fills @cpu and @emu either way.
 */
bool cd_compare(const struct fbt_emul *e, const struct cd_inst *in, const struct cd_state *st,
		const u8 *mem0, struct cd_result *cpu, struct cd_result *emu,
		u64 *masked);
void cd_dump(const struct cd_inst *in, const struct cd_state *st,
	     const u8 *mem0, const struct cd_result *cpu,
	     const struct cd_result *emu, u64 masked);
void cd_flags_str(u64 flags, char *buf, size_t n);

#endif /* FBT_CPU_DIFF_H */
