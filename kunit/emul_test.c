// SPDX-License-Identifier: GPL-2.0
/*
 * fbt_emul: every emulated form of opcodes 0x90-0x9f and the common entry
 * forms, run on the CPU in kernel mode by a stub (emul_stubs.S) and by
 * fbt_emul_run() on a pt_regs holding the same state; registers, EFLAGS,
 * the next IP, the stack and memory must agree. Each form runs from a few
 * hundred random states with interrupts enabled and disabled: the CPL0
 * semantics of IF in pushf and popf that user mode cannot observe.
 */
#include <kunit/test.h>
#include <linux/irqflags.h>
#include <linux/prandom.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/ptrace.h>
#include <asm/segment.h>

#include "emul.h"
#include "flags.h"
#include "harness.h"

#define FBT_KT_SEED	0x66627400u	/* fixed: every run sees the same states */
#define FBT_KT_ITER	300		/* random states per form and IRQ state */

/* EFLAGS bits a random input state may have (popf can load them at CPL0) */
#define FBT_KT_STATUS	(FBT_FL_CF | FBT_FL_PF | FBT_FL_AF | FBT_FL_ZF | \
			 FBT_FL_SF | FBT_FL_OF)

struct fbt_kt_form {
	const char *name;
	u8 bytes[FBT_INSN_MAX];
	u8 len;
	u8 flags;
};

#define FBT_KT_FORM(n, fl, b...) { #n, { b }, sizeof((u8[]){ b }), fl },

static const struct fbt_kt_form fbt_kt_9x[] = {
#include "forms_9x.h"
};

static const struct fbt_kt_form fbt_kt_entry[] = {
#include "forms_entry.h"
};

#undef FBT_KT_FORM

struct fbt_kt_param {
	const struct fbt_kt_form *form;
	bool irq_on;
};

/*
 * Buffers of one test. The emulator's window (ewin) lies in ebuf at the
 * same offset within 256 bytes as the CPU's, so addresses computed from
 * %rsp have the same low byte (and parity) in both. The data buffers are
 * allocated apart: fbt_kt_xlate() must not take them for stack addresses.
 */
struct fbt_kt_run {
	struct fbt_kt_state in, out;
	u64 ebuf[1024 / 8] __aligned(16);
	u64 *ewin;
	u64 *data, *data_in, *data_real;
};

#define FBT_KT_DATA_BYTES	(16 * sizeof(u64))

static unsigned long *fbt_kt_reg(struct pt_regs *r, unsigned int n)
{
	switch (n) {
	case 0: return &r->ax;
	case 1: return &r->cx;
	case 2: return &r->dx;
	case 3: return &r->bx;
	case 4: return &r->sp;
	case 5: return &r->bp;
	case 6: return &r->si;
	case 7: return &r->di;
	case 8: return &r->r8;
	case 9: return &r->r9;
	case 10: return &r->r10;
	case 11: return &r->r11;
	case 12: return &r->r12;
	case 13: return &r->r13;
	case 14: return &r->r14;
	}
	return &r->r15;
}

static const char * const fbt_kt_reg_name[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static u64 fbt_kt_rand64(struct rnd_state *rs)
{
	return (u64)prandom_u32_state(rs) << 32 | prandom_u32_state(rs);
}

/* A random input state the CPU can safely run with. */
static void fbt_kt_random_state(struct fbt_kt_run *r, struct rnd_state *rs,
				const struct fbt_kt_form *f, bool irq_on)
{
	struct fbt_kt_state *in = &r->in;
	unsigned long fl;
	unsigned int i;
	u64 v;

	for (i = 0; i < 16; i++)
		in->gpr[i] = fbt_kt_rand64(rs);
	/* a few values where sign and zero extension matter */
	if (!(prandom_u32_state(rs) & 3))
		in->gpr[0] = (s64)(s16)in->gpr[0];
	/* %rsp: the window's middle, give or take two slots */
	in->gpr[4] = ((s64)(prandom_u32_state(rs) % 5) - 2) * 8;

	fl = FBT_FL_FIXED | (fbt_kt_rand64(rs) &
	     (FBT_KT_STATUS | FBT_FL_AC | FBT_FL_ID | FBT_FL_IOPL));
	if (irq_on)
		fl |= FBT_FL_IF;
	else if (prandom_u32_state(rs) & 1)
		fl |= FBT_FL_DF;	/* no interrupt handler sees it */
	in->flags = fl;

	for (i = 0; i < ARRAY_SIZE(in->win); i++)
		in->win[i] = fbt_kt_rand64(rs);
	if (f->flags & FBT_KT_POPF) {
		/* the popped image: no trap flag, no NT, DF only with IF off */
		i = (FBT_KT_SP0 + (s64)in->gpr[4]) / 8;
		v = in->win[i] & ~(u64)(FBT_FL_TF | FBT_FL_NT);
		if (irq_on || (v & FBT_FL_IF))
			v &= ~(u64)FBT_FL_DF;
		in->win[i] = v;
	}
	for (i = 0; i < FBT_KT_DATA_BYTES / 8; i++)
		r->data[i] = fbt_kt_rand64(rs);
	if (f->flags & FBT_KT_RDI_DATA)
		in->gpr[7] = (unsigned long)&r->data[8];
	memcpy(r->data_in, r->data, FBT_KT_DATA_BYTES);
}

/* The stub of a form: the tables in emul_stubs.S follow the form headers */
static fbt_kt_stub_t fbt_kt_stub(const struct fbt_kt_form *f)
{
	if (f >= fbt_kt_9x && f < fbt_kt_9x + ARRAY_SIZE(fbt_kt_9x))
		return fbt_kt_stubs_9x[f - fbt_kt_9x];
	return fbt_kt_stubs_entry[f - fbt_kt_entry];
}

/* The CPU's run: the stub, with the interrupts as the state says. */
static void fbt_kt_run_cpu(struct fbt_kt_run *r, const struct fbt_kt_form *f)
{
	unsigned long irqf;

	if (r->in.flags & FBT_FL_IF) {
		fbt_kt_stub(f)(&r->in, &r->out);
		return;
	}
	local_irq_save(irqf);
	fbt_kt_stub(f)(&r->in, &r->out);
	local_irq_restore(irqf);
}

/* From the emulator's window to the CPU's */
static u64 fbt_kt_delta(const struct fbt_kt_run *r)
{
	return r->out.sp0 - FBT_KT_SP0 - (unsigned long)r->ewin;
}

/* Map an address near the emulator's window to the CPU's window. */
static u64 fbt_kt_xlate(const struct fbt_kt_run *r, u64 v)
{
	u64 lo = (unsigned long)r->ewin - 512;
	u64 hi = (unsigned long)r->ewin + FBT_KT_WIN_BYTES;

	if (v < lo || v >= hi)
		return v;
	return v + fbt_kt_delta(r);
}

/*
 * Does the emulator's @got match the CPU's @want? Equal, or equal once an
 * address in the window is mapped. The forms that exchange %esp or %sp
 * leave part of %rsp in a register and part of a register in %rsp: there
 * the two may differ exactly where the two %rsp values differ, in the low
 * 16 or 32 bits or above the low 16.
 */
static bool fbt_kt_reg_ok(const struct fbt_kt_run *r,
			  const struct fbt_kt_form *f, u64 got, u64 want)
{
	u64 x = (r->out.sp0 + r->in.gpr[4]) ^
		((unsigned long)r->ewin + FBT_KT_SP0 + r->in.gpr[4]);
	u64 d = got ^ want;

	if (fbt_kt_xlate(r, got) == want)
		return true;
	if (!(f->flags & FBT_KT_IF0))
		return false;
	return d == (x & 0xffff) || d == (x & 0xffffffff) ||
	       d == (x & ~0xffffULL) || d == x;
}

/* EFLAGS the SDM leaves undefined after this form */
static u64 fbt_kt_undef(const struct fbt_kt_form *f)
{
	if (f->flags & FBT_KT_UNDEF_SHIFT)
		return FBT_FL_AF | FBT_FL_OF;
	if (f->flags & FBT_KT_UNDEF_BT)
		return FBT_FL_OF | FBT_FL_SF | FBT_FL_AF | FBT_FL_PF;
	return 0;
}

static bool fbt_kt_pushes(const struct fbt_emul *e)
{
	return e->kind == FBT_K_PUSHF || e->kind == FBT_K_PUSH_REG ||
	       e->kind == FBT_K_PUSH_IMM;
}

/*
 * One state: the CPU, then the emulator on the same state. Returns false
 * (after reporting) on the first difference.
 */
static bool fbt_kt_one(struct kunit *test, struct fbt_kt_run *r,
		       const struct fbt_kt_form *f, const struct fbt_emul *e,
		       unsigned long ip, unsigned int iter)
{
	const struct fbt_kt_state *in = &r->in, *out = &r->out;
	unsigned long win_real, sp_in, sp_out, lo;
	struct pt_regs regs = {};
	unsigned int i;
	u64 undef = fbt_kt_undef(f);
	u8 *ewin;
	int ret;

	preempt_disable();
	fbt_kt_run_cpu(r, f);
	memcpy(r->data_real, r->data, FBT_KT_DATA_BYTES);
	memcpy(r->data, r->data_in, FBT_KT_DATA_BYTES);

	/* the emulator's window: at the CPU's window's offset modulo 256 */
	lo = (unsigned long)r->ebuf + 256;
	r->ewin = (u64 *)(lo + ((out->sp0 - FBT_KT_SP0 - lo) & 0xff));
	ewin = (u8 *)r->ewin;
	for (i = 0; i < 16; i++)
		*fbt_kt_reg(&regs, i) = in->gpr[i];
	memcpy(r->ewin, in->win, FBT_KT_WIN_BYTES);
	regs.sp = (unsigned long)r->ewin + FBT_KT_SP0 + in->gpr[4];
	regs.flags = in->flags;
	regs.ip = ip;
	regs.cs = __KERNEL_CS;
	regs.ss = __KERNEL_DS;
	ret = fbt_emul_run(e, &regs);
	preempt_enable();

	if (ret) {
		KUNIT_FAIL(test, "%s state %u: fbt_emul_run returned %d",
			   f->name, iter, ret);
		return false;
	}
	for (i = 0; i < 16; i++) {
		u64 want = out->gpr[i], got = *fbt_kt_reg(&regs, i);

		if (!fbt_kt_reg_ok(r, f, got, want)) {
			KUNIT_FAIL(test,
				   "%s state %u: %s cpu %#llx emul %#llx (in %#llx, flags %#llx)",
				   f->name, iter, fbt_kt_reg_name[i], want, got,
				   in->gpr[i], in->flags);
			return false;
		}
	}
	if ((regs.flags ^ out->flags) & ~undef) {
		KUNIT_FAIL(test, "%s state %u: eflags cpu %#llx emul %#lx (in %#llx)",
			   f->name, iter, out->flags, regs.flags, in->flags);
		return false;
	}
	if (regs.ip != ip + f->len) {
		KUNIT_FAIL(test, "%s state %u: ip %#lx, want %#lx",
			   f->name, iter, regs.ip, ip + f->len);
		return false;
	}
	if (memcmp(r->data, r->data_real, FBT_KT_DATA_BYTES)) {
		KUNIT_FAIL(test, "%s state %u: memory differs", f->name, iter);
		return false;
	}

	/*
	 * The stack window. With interrupts on at any time, what lies below
	 * %rsp may have been overwritten by an interrupt: compare from the
	 * lowest byte the instruction itself left defined.
	 */
	for (i = 0; i < FBT_KT_WIN_BYTES / 8; i++)
		r->ewin[i] = fbt_kt_xlate(r, r->ewin[i]);
	win_real = out->sp0 - FBT_KT_SP0;
	sp_in = win_real + FBT_KT_SP0 + in->gpr[4];
	sp_out = out->gpr[4];
	lo = 0;
	if ((in->flags | out->flags) & FBT_FL_IF) {
		lo = fbt_kt_pushes(e) ? sp_out : max(sp_in, sp_out);
		lo = clamp(lo, win_real, win_real + FBT_KT_WIN_BYTES) - win_real;
	}
	for (i = lo; i < FBT_KT_WIN_BYTES; i++) {
		if (ewin[i] != ((const u8 *)out->win)[i]) {
			KUNIT_FAIL(test, "%s state %u: stack byte %d from %%rsp: cpu %#x emul %#x",
				   f->name, iter, (int)(i - (sp_in - win_real)),
				   ((const u8 *)out->win)[i], ewin[i]);
			return false;
		}
	}
	return true;
}

static struct fbt_kt_run *fbt_kt_alloc(struct kunit *test)
{
	struct fbt_kt_run *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	u64 *data = kunit_kcalloc(test, 3, FBT_KT_DATA_BYTES, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, data);
	r->data = data;
	r->data_in = data + FBT_KT_DATA_BYTES / 8;
	r->data_real = data + 2 * FBT_KT_DATA_BYTES / 8;
	return r;
}

static void fbt_kt_form_test(struct kunit *test)
{
	const struct fbt_kt_param *p = test->param_value;
	const struct fbt_kt_form *f = p->form;
	const u8 *insn = (const u8 *)fbt_kt_stub(f) + fbt_kt_insn_offset;
	struct fbt_kt_run *r;
	struct rnd_state rs;
	struct fbt_emul e;
	unsigned int i;
	u64 seed;
	int ret;

	KUNIT_ASSERT_EQ(test, fbt_kt_nr_9x, ARRAY_SIZE(fbt_kt_9x));
	KUNIT_ASSERT_EQ(test, fbt_kt_nr_entry, ARRAY_SIZE(fbt_kt_entry));
	KUNIT_ASSERT_EQ_MSG(test, memcmp(insn, f->bytes, f->len), 0,
			    "stub text does not hold the form's bytes");
	ret = fbt_emul_prepare(&e, insn, FBT_INSN_MAX);
	KUNIT_ASSERT_EQ_MSG(test, ret, FBT_EMUL_OK, "refused: %s",
			    fbt_refusal_name(ret));
	KUNIT_ASSERT_EQ(test, e.insn.len, f->len);

	r = fbt_kt_alloc(test);
	seed = FBT_KT_SEED ^ p->irq_on;
	for (i = 0; i < f->len; i++)
		seed = seed * 31 + f->bytes[i];
	prandom_seed_state(&rs, seed);
	for (i = 0; i < FBT_KT_ITER; i++) {
		fbt_kt_random_state(r, &rs, f, p->irq_on);
		if (!fbt_kt_one(test, r, f, &e, (unsigned long)insn, i))
			break;
	}
}

/* Parameters: every form with interrupts off, and on where it is safe. */
static struct fbt_kt_param fbt_kt_9x_params[ARRAY_SIZE(fbt_kt_9x) * 2];
static struct fbt_kt_param fbt_kt_entry_params[ARRAY_SIZE(fbt_kt_entry) * 2];

static const void *fbt_kt_gen(const struct fbt_kt_form *forms, size_t n,
			      struct fbt_kt_param *params, const void *prev,
			      char *desc)
{
	const struct fbt_kt_param *p = prev;
	size_t i;

	if (!p) {
		for (i = 0; i < n * 2; i++)
			params[i] = (struct fbt_kt_param){ &forms[i / 2], i & 1 };
		p = params;
	} else {
		p++;
	}
	for (; p < params + n * 2; p++) {
		if (p->irq_on && (p->form->flags & FBT_KT_IF0))
			continue;
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s_irq_%s",
			 p->form->name + (p->form->name[0] == 'x'),
			 p->irq_on ? "on" : "off");
		return p;
	}
	return NULL;
}

static const void *fbt_kt_9x_gen(const void *prev, char *desc)
{
	return fbt_kt_gen(fbt_kt_9x, ARRAY_SIZE(fbt_kt_9x), fbt_kt_9x_params,
			  prev, desc);
}

static const void *fbt_kt_entry_gen(const void *prev, char *desc)
{
	return fbt_kt_gen(fbt_kt_entry, ARRAY_SIZE(fbt_kt_entry),
			  fbt_kt_entry_params, prev, desc);
}

/* The forms of 0x90-0x9f the emulator must refuse, and why. */
struct fbt_kt_refusal {
	const char *name;
	u8 bytes[8];
	u8 len;
	int why;
};

static const struct fbt_kt_refusal fbt_kt_refusals[] = {
	{ "9a_callf", { 0x9a, 1, 2, 3, 4, 5, 6 }, 7, FBT_REFUSE_INVALID },
	{ "66_9a_callf", { 0x66, 0x9a, 1, 2, 3, 4 }, 6, FBT_REFUSE_INVALID },
	{ "48_9a_callf", { 0x48, 0x9a, 1, 2, 3, 4, 5, 6 }, 8, FBT_REFUSE_INVALID },
	{ "9b_fwait", { 0x9b }, 1, FBT_REFUSE_FPU },
	{ "48_9b_fwait", { 0x48, 0x9b }, 2, FBT_REFUSE_FPU },
	{ "f0_90_lock_nop", { 0xf0, 0x90 }, 2, FBT_REFUSE_LOCK },
	{ "f0_91_lock_xchg", { 0xf0, 0x91 }, 2, FBT_REFUSE_LOCK },
	{ "f0_9c_lock_pushf", { 0xf0, 0x9c }, 2, FBT_REFUSE_LOCK },
	{ "f3_91_rep_xchg", { 0xf3, 0x91 }, 2, FBT_REFUSE_UNSUPPORTED },
	{ "f2_90_repne_nop", { 0xf2, 0x90 }, 2, FBT_REFUSE_UNSUPPORTED },
	{ "f3_9c_rep_pushf", { 0xf3, 0x9c }, 2, FBT_REFUSE_UNSUPPORTED },
	{ "f3_9d_rep_popf", { 0xf3, 0x9d }, 2, FBT_REFUSE_UNSUPPORTED },
	{ "67_9c_addr32_pushf", { 0x67, 0x9c }, 2, FBT_REFUSE_ADDR32 },
	{ "67_9d_addr32_popf", { 0x67, 0x9d }, 2, FBT_REFUSE_ADDR32 },
	{ "67_9e_addr32_sahf", { 0x67, 0x9e }, 2, FBT_REFUSE_ADDR32 },
	{ "67_98_addr32_cwde", { 0x67, 0x98 }, 2, FBT_REFUSE_ADDR32 },
	{ "9c_truncated_66", { 0x66 }, 1, FBT_REFUSE_TRUNCATED },
};

static void fbt_kt_refusal_desc(const struct fbt_kt_refusal *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fbt_kt_refusal, fbt_kt_refusals, fbt_kt_refusal_desc);

static void fbt_kt_refused(struct kunit *test)
{
	const struct fbt_kt_refusal *t = test->param_value;
	struct fbt_emul e;
	int ret;

	ret = fbt_emul_prepare(&e, t->bytes, t->len);
	KUNIT_EXPECT_EQ_MSG(test, ret, t->why, "got %s, want %s",
			    fbt_refusal_name(ret), fbt_refusal_name(t->why));
	KUNIT_EXPECT_EQ(test, e.kind, FBT_K_NONE);
}

/*
 * IF at CPL0, spelled out: pushf stores the interrupted IF, and popf loads
 * IF from the image, on the CPU and in the emulator alike; the stub gives
 * the interrupt state back afterwards.
 */
static void fbt_kt_cpl0_if(struct kunit *test)
{
	static const char * const names[] = { "x9d", "x48_9d", "x66_9d", "x9c", "x66_9c" };
	const struct fbt_kt_form *f = NULL;
	struct fbt_kt_run *r;
	struct fbt_emul e;
	unsigned int i, j, k;
	bool was_off;
	u16 image;

	r = fbt_kt_alloc(test);
	for (k = 0; k < ARRAY_SIZE(names); k++) {
		for (i = 0; i < ARRAY_SIZE(fbt_kt_9x); i++)
			if (!strcmp(fbt_kt_9x[i].name, names[k]))
				f = &fbt_kt_9x[i];
		KUNIT_ASSERT_NOT_NULL(test, f);
		KUNIT_ASSERT_EQ(test, fbt_emul_prepare(&e, f->bytes, f->len), 0);
		for (j = 0; j < 4; j++) {
			bool if_in = j & 1, if_img = j & 2;
			unsigned long ip = (unsigned long)fbt_kt_stub(f) +
					   fbt_kt_insn_offset;
			u64 img = FBT_FL_FIXED | (if_img ? FBT_FL_IF : 0);
			u64 want;

			memset(&r->in, 0, sizeof(r->in));
			r->in.flags = FBT_FL_FIXED | (if_in ? FBT_FL_IF : 0);
			r->in.win[FBT_KT_SP0 / 8] = img;
			was_off = irqs_disabled();
			if (!fbt_kt_one(test, r, f, &e, ip, j))
				return;
			KUNIT_EXPECT_EQ(test, irqs_disabled(), was_off);
			if (e.kind == FBT_K_POPF) {
				want = if_img ? FBT_FL_IF : 0;
				KUNIT_EXPECT_EQ_MSG(test, r->out.flags & FBT_FL_IF, want,
						    "%s: popf of IF=%d with IF=%d",
						    f->name, if_img, if_in);
			} else {
				want = if_in ? FBT_FL_IF : 0;
				memcpy(&image, (u8 *)r->out.win + FBT_KT_SP0 - e.size, 2);
				KUNIT_EXPECT_EQ_MSG(test, image & FBT_FL_IF, want,
						    "%s: pushf with IF=%d", f->name, if_in);
			}
		}
	}
}

/* The opcode byte of @b after its legacy and REX prefixes. */
static u8 fbt_kt_opcode_of(const u8 *b, unsigned int len)
{
	unsigned int i;

	for (i = 0; i + 1 < len; i++) {
		switch (b[i]) {
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64:
		case 0x65: case 0x66: case 0x67: case 0xf0: case 0xf2:
		case 0xf3:
			continue;
		}
		if ((b[i] & 0xf0) != 0x40)
			break;
	}
	return b[i];
}

/* Cases of the 0x90-0x9f forms, this one included; set by suite init. */
static unsigned int fbt_kt_op9x_cases;
static char fbt_kt_op9x_total_name[40] = "op9x_total";

/*
 * Every opcode 0x90-0x9f has cases: accepted forms run on the CPU, or
 * refusals with their reason; and the number of 0x90-0x9f cases is the
 * one in this case's name, so that kunit.py's report says it.
 */
static void fbt_kt_op9x_total(struct kunit *test)
{
	unsigned int seen[16] = {}, i, n = 0;
	char desc[KUNIT_PARAM_DESC_SIZE];
	const void *p = NULL;
	u8 op;

	for (i = 0; i < ARRAY_SIZE(fbt_kt_9x); i++) {
		op = fbt_kt_opcode_of(fbt_kt_9x[i].bytes, fbt_kt_9x[i].len);
		KUNIT_EXPECT_EQ_MSG(test, op & 0xf0, 0x90, "form %s",
				    fbt_kt_9x[i].name);
		seen[op & 15]++;
	}
	for (i = 0; i < ARRAY_SIZE(fbt_kt_refusals); i++) {
		op = fbt_kt_opcode_of(fbt_kt_refusals[i].bytes,
				      fbt_kt_refusals[i].len);
		/* the truncated case has no opcode byte */
		if ((op & 0xf0) == 0x90)
			seen[op & 15]++;
	}
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_GT_MSG(test, seen[i], 0U, "no case for opcode %#x",
				    0x90 + i);
	while ((p = fbt_kt_9x_gen(p, desc)))
		n++;
	n += ARRAY_SIZE(fbt_kt_refusals) + 2;	/* op9x_cpl0_if, this one */
	KUNIT_EXPECT_EQ(test, n, fbt_kt_op9x_cases);
}

static int fbt_kt_emul_init(struct kunit_suite *suite);

static struct kunit_case fbt_emul_cases[] = {
	/* names starting with op9x are the 0x90-0x9f cases */
	{ .name = "op9x", .run_case = fbt_kt_form_test,
	  .generate_params = fbt_kt_9x_gen },
	{ .name = "op9x_refused", .run_case = fbt_kt_refused,
	  .generate_params = fbt_kt_refusal_gen_params },
	{ .name = "op9x_cpl0_if", .run_case = fbt_kt_cpl0_if },
	/* "op9x_total_N_cases", N counted by fbt_kt_emul_init() */
	{ .name = fbt_kt_op9x_total_name, .run_case = fbt_kt_op9x_total },
	{ .name = "entry", .run_case = fbt_kt_form_test,
	  .generate_params = fbt_kt_entry_gen },
	{}
};

/* Name the total case after the number of cases named op9x*. */
static int fbt_kt_emul_init(struct kunit_suite *suite)
{
	char desc[KUNIT_PARAM_DESC_SIZE];
	struct kunit_case *c;
	const void *p;

	fbt_kt_op9x_cases = 0;
	for (c = fbt_emul_cases; c->run_case; c++) {
		if (strncmp(c->name, "op9x", 4) && c->run_case != fbt_kt_op9x_total)
			continue;
		if (!c->generate_params) {
			fbt_kt_op9x_cases++;
			continue;
		}
		for (p = c->generate_params(NULL, desc); p;
		     p = c->generate_params(p, desc))
			fbt_kt_op9x_cases++;
	}
	snprintf(fbt_kt_op9x_total_name, sizeof(fbt_kt_op9x_total_name),
		 "op9x_total_%u_cases", fbt_kt_op9x_cases);
	return 0;
}

static struct kunit_suite fbt_emul_suite = {
	.name = "fbt_emul",
	.suite_init = fbt_kt_emul_init,
	.test_cases = fbt_emul_cases,
};

kunit_test_suite(fbt_emul_suite);

MODULE_DESCRIPTION("fbt: KUnit tests of the emulator against the CPU");
MODULE_LICENSE("GPL");
