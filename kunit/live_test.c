// SPDX-License-Identifier: GPL-2.0
/*
 * fbt_live: real probes on the functions of live_funcs.S, hit through the
 * real int3 path: fbt's trap handler (core/trap.c, a DIE_INT3 notifier),
 * its text patching (core/patch.c) and its flight recorder (recorder/),
 * built into the KUnit kernel; core/selftest.c makes the probe object.
 *
 * forms: each function's first instruction (push, pushf, popf, xchg,
 *   cltq, cqto, lahf, sahf, nop, and mov with a return probe) is probed
 *   and the function called from random states, interrupts on and off:
 *   its result must be right, the probe's hit count must be the number of
 *   calls and the newest record of the CPU's ring must hold the probe,
 *   the EFLAGS at the trap and after the emulation, and the pushf/popf
 *   image.
 * violation: with inject=pushf-if the per-trap assertion must catch the
 *   first trap, repair IF, print the dump and quarantine the probe.
 * kernel_assert: with assert=0 and inject=pushf-if nothing of fbt's
 *   notices; the function returns with interrupts disabled, the kernel's
 *   own check (might_sleep(), DEBUG_ATOMIC_SLEEP) prints its BUG, and
 *   fbt's console hook (recorder/assert.c) dumps the rings after it.
 * rendezvous: while another CPU calls the nop function in a loop, its
 *   probe is armed and disarmed 200 times. Every call must return the
 *   right value, some must trap, every batch must park the other CPU
 *   (park_timeouts unchanged) and no trap may be a ghost: a CPU inside
 *   the handler cannot be parked, so with the rendezvous a trap can never
 *   find its probe already disarmed (core/patch.c).
 *
 * The recorder's parameters are set as on the kernel command line
 * (fbt_kunit.inject=...), and the recorder restarted to take them.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/irqflags.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>

#include "fbt.h"
#include "selftest.h"
#include "recorder.h"
#include "capture.h"
#include "live_funcs.h"

#define FBT_KT_CALLS	64
#define FBT_KT_STATUS	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF)
#define FBT_KT_LAHF	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF)
/* EFLAGS bits the checks compare */
#define FBT_KT_FLMASK	(FBT_KT_STATUS | X86_EFLAGS_TF | X86_EFLAGS_IF | \
			 X86_EFLAGS_DF | X86_EFLAGS_FIXED)

/* One call: inputs, what came back, what the record must say. */
struct fbt_kt_lc {
	u64 a, b, rax;
	unsigned long flags;	/* EFLAGS the probed insn runs with */
	unsigned long in_mask;	/* the bits of them the caller set */
	u64 result, want;
	unsigned long out, out_mask;	/* EFLAGS after the insn */
	u64 value;		/* the pushf/popf image, else 0 */
};

struct fbt_kt_lform {
	const char *name;
	void (*fn)(void);
	u8 opcode;		/* the first instruction's opcode byte */
	u8 ekind;		/* and the emulator's kind for it */
	bool ret;		/* also a return probe after the first insn */
	void (*call)(struct fbt_kt_lc *c, bool irq_on);
};

static void fbt_kt_call(struct fbt_kt_lc *c, void (*fn)(void))
{
	c->result = fbt_kt_live_call(fn, c->a, c->b, c->rax, c->flags);
}

static void fbt_kt_l_push(struct fbt_kt_lc *c, bool irq_on)
{
	fbt_kt_call(c, fbt_kt_live_push);
	c->want = c->a + c->b;
}

static void fbt_kt_l_pushf(struct fbt_kt_lc *c, bool irq_on)
{
	fbt_kt_call(c, fbt_kt_live_pushf);
	c->want = c->flags;
	c->value = c->flags;
}

/*
 * popf loads IF at CPL0: with interrupts on the image keeps them on (an
 * image without IF would turn them off behind lockdep's back); with them
 * off, images with and without IF alternate, and the caller turns them
 * off again.
 */
static void fbt_kt_l_popf(struct fbt_kt_lc *c, bool irq_on)
{
	unsigned long image = X86_EFLAGS_FIXED | (c->a & FBT_KT_STATUS);

	if (irq_on || (c->b & 1))
		image |= X86_EFLAGS_IF;
	c->result = fbt_kt_live_call_popf(image);
	c->flags = irq_on ? X86_EFLAGS_IF : 0;
	c->in_mask = X86_EFLAGS_IF;
	c->want = image;
	c->out = image;
	c->value = image;
}

static void fbt_kt_l_xchg(struct fbt_kt_lc *c, bool irq_on)
{
	fbt_kt_call(c, fbt_kt_live_xchg);
	c->want = c->b - c->rax;
}

static void fbt_kt_l_cltq(struct fbt_kt_lc *c, bool irq_on)
{
	fbt_kt_call(c, fbt_kt_live_cltq);
	c->want = (s64)(s32)c->rax;
}

static void fbt_kt_l_cqto(struct fbt_kt_lc *c, bool irq_on)
{
	fbt_kt_call(c, fbt_kt_live_cqto);
	c->want = (s64)c->rax < 0 ? ~0ULL : 0;
}

static void fbt_kt_l_lahf(struct fbt_kt_lc *c, bool irq_on)
{
	fbt_kt_call(c, fbt_kt_live_lahf);
	c->want = (c->flags & FBT_KT_LAHF) | X86_EFLAGS_FIXED;
}

static void fbt_kt_l_sahf(struct fbt_kt_lc *c, bool irq_on)
{
	unsigned long ah = (c->rax >> 8) & FBT_KT_LAHF;

	fbt_kt_call(c, fbt_kt_live_sahf);
	c->out = (c->flags & ~FBT_KT_LAHF) | ah;
	c->want = c->out;
}

static void fbt_kt_l_nop(struct fbt_kt_lc *c, bool irq_on)
{
	fbt_kt_call(c, fbt_kt_live_nop);
	c->want = c->a + 1;
}

static void fbt_kt_l_mov(struct fbt_kt_lc *c, bool irq_on)
{
	fbt_kt_call(c, fbt_kt_live_mov);
	c->want = c->a;
}

static const struct fbt_kt_lform fbt_kt_lforms[] = {
	{ "push", fbt_kt_live_push, 0x57, FBT_K_PUSH_REG, false, fbt_kt_l_push },
	{ "pushf", fbt_kt_live_pushf, 0x9c, FBT_K_PUSHF, false, fbt_kt_l_pushf },
	{ "popf", fbt_kt_live_popf, 0x9d, FBT_K_POPF, false, fbt_kt_l_popf },
	{ "xchg", fbt_kt_live_xchg, 0x96, FBT_K_XCHG_AX, false, fbt_kt_l_xchg },
	{ "cltq", fbt_kt_live_cltq, 0x98, FBT_K_CBW, false, fbt_kt_l_cltq },
	{ "cqto", fbt_kt_live_cqto, 0x99, FBT_K_CWD, false, fbt_kt_l_cqto },
	{ "lahf", fbt_kt_live_lahf, 0x9f, FBT_K_LAHF, false, fbt_kt_l_lahf },
	{ "sahf", fbt_kt_live_sahf, 0x9e, FBT_K_SAHF, false, fbt_kt_l_sahf },
	{ "nop", fbt_kt_live_nop, 0x90, FBT_K_NOP, false, fbt_kt_l_nop },
	{ "mov_ret", fbt_kt_live_mov, 0x89, FBT_K_MOV, true, fbt_kt_l_mov },
};

/* ---- the recorder's parameters, set as on the command line ------------ */

static int fbt_kt_unknown(char *param, char *val, const char *doing, void *arg)
{
	return -ENOENT;
}

static int fbt_kt_param(const char *name, const char *val)
{
	char buf[96];
	char *err;

	snprintf(buf, sizeof(buf), MODULE_PARAM_PREFIX "%s=%s", name, val);
	err = parse_args("fbt_kunit", buf, __start___param,
			 __stop___param - __start___param, -1, -1, NULL,
			 fbt_kt_unknown);
	return IS_ERR(err) ? PTR_ERR(err) : 0;
}

/* Restart the recorder with inject=@inject and assert=@assert. */
static int fbt_kt_rec_restart(const char *inject, const char *assert)
{
	int ret;

	fbt_rec_stop();
	fbt_rec_exit();
	ret = fbt_kt_param("inject", inject);
	if (!ret)
		ret = fbt_kt_param("assert", assert);
	if (!ret)
		ret = fbt_kt_param("max_dumps", "1000");
	if (ret)
		return ret;
	return fbt_rec_init();
}

static void fbt_kt_rec_defaults(void *unused)
{
	WARN_ON(fbt_kt_rec_restart("none", "1"));
}

/* ---- probes ------------------------------------------------------------ */

/* The first real instruction: after the ENDBR, sealed or not. */
static unsigned long fbt_kt_entry(void (*fn)(void))
{
	static const u8 endbr[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const u8 sealed[4] = { 0x66, 0x0f, 0x1f, 0x00 };
	const u8 *b = (const u8 *)fn;

	return (unsigned long)fn +
	       (!memcmp(b, endbr, 4) || !memcmp(b, sealed, 4) ? 4 : 0);
}

static void fbt_kt_remove(void *o)
{
	fbt_selftest_remove(o);
}

/*
 * An armed object with a probe on @f's first instruction (and on the one
 * after it, a return, for f->ret); removed when the test ends.
 */
static struct fbt_obj *fbt_kt_probe(struct kunit *test,
				    const struct fbt_kt_lform *f,
				    struct fbt_probe **entry,
				    struct fbt_probe **ret)
{
	struct fbt_selftest_site s[2] = {};
	unsigned long size = 0, off = 0;
	struct fbt_insn in;
	struct fbt_obj *o;
	unsigned int n = 1;

	KUNIT_ASSERT_TRUE(test, kallsyms_lookup_size_offset((unsigned long)f->fn,
							    &size, &off));
	s[0].name = f->name;
	s[0].func = (unsigned long)f->fn;
	s[0].size = size;
	s[0].addr = fbt_kt_entry(f->fn);
	if (f->ret) {
		KUNIT_ASSERT_EQ(test, fbt_insn_decode(&in, (const u8 *)s[0].addr,
						      FBT_INSN_MAX), 0);
		s[1] = s[0];
		s[1].addr += in.len;
		s[1].ret = true;
		n = 2;
	}
	o = fbt_selftest_add("kunit", s, n);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(o), "fbt_selftest_add: %ld",
			       PTR_ERR(o));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fbt_kt_remove, o), 0);
	*entry = fbt_selftest_probe(o, s[0].addr);
	KUNIT_ASSERT_NOT_NULL(test, *entry);
	KUNIT_ASSERT_EQ_MSG(test, (*entry)->state, FBT_DISARMED,
			    "refused, reason %u", (*entry)->reason);
	if (ret) {
		*ret = f->ret ? fbt_selftest_probe(o, s[1].addr) : NULL;
		if (f->ret)
			KUNIT_ASSERT_EQ(test, (*ret)->state, FBT_DISARMED);
	}
	KUNIT_ASSERT_EQ(test, fbt_selftest_arm(o, true), 0);
	KUNIT_ASSERT_EQ(test, (*entry)->state, FBT_ARMED);
	return o;
}

static u8 fbt_kt_byte(unsigned long addr)
{
	u8 b = 0;

	if (copy_from_kernel_nofault(&b, (void *)addr, 1))
		return 0;
	return b;
}

/* ---- forms ------------------------------------------------------------- */

struct fbt_kt_lparam {
	const struct fbt_kt_lform *form;
	bool irq_on;
};

static struct fbt_kt_lparam fbt_kt_lparams[ARRAY_SIZE(fbt_kt_lforms) * 2];

static const void *fbt_kt_lform_gen(const void *prev, char *desc)
{
	const struct fbt_kt_lparam *p = prev;
	unsigned int i;

	if (!p) {
		for (i = 0; i < ARRAY_SIZE(fbt_kt_lparams); i++)
			fbt_kt_lparams[i] = (struct fbt_kt_lparam){
				&fbt_kt_lforms[i / 2], i & 1 };
		p = fbt_kt_lparams;
	} else if (++p == fbt_kt_lparams + ARRAY_SIZE(fbt_kt_lparams)) {
		return NULL;
	}
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s_irq_%s", p->form->name,
		 p->irq_on ? "on" : "off");
	return p;
}

/*
 * Record @back records from the head of this CPU's ring, read right after
 * the call, in the call's critical section (no KUnit check there: a failed
 * one allocates, and an assertion would end the test with interrupts off).
 */
static int fbt_kt_grab(u64 back, struct fbt_rec_data *d)
{
	struct fbt_ring *r = this_cpu_read(fbt_rings);
	u64 h = r ? fbt_ring_head(r) : 0;

	if (h < back)
		return -1;
	return fbt_ring_read(r, h - back, d);
}

/* That record must be probe @p's, with the EFLAGS and image of call @c. */
static bool fbt_kt_check_record(struct kunit *test, struct fbt_probe *p,
				u8 kind, const struct fbt_kt_lc *c, int got,
				const struct fbt_rec_data *d)
{
	bool ok;

	if (got) {
		KUNIT_FAIL(test, "no %s record in the ring",
			   kind == FBT_REC_ENTRY ? "entry" : "return");
		return false;
	}
	KUNIT_EXPECT_EQ(test, d->ip, p->addr);
	KUNIT_EXPECT_EQ(test, d->kind, kind);
	KUNIT_EXPECT_EQ(test, d->ekind, p->emul.kind);
	KUNIT_EXPECT_EQ(test, d->len, p->emul.insn.len);
	KUNIT_EXPECT_EQ(test, d->why, 0);
	KUNIT_EXPECT_FALSE(test, d->injected);
	KUNIT_EXPECT_EQ_MSG(test, d->flags_in & c->in_mask, c->flags & c->in_mask,
			    "EFLAGS in %#x, the caller's %#lx", d->flags_in, c->flags);
	ok = d->ip == p->addr && d->kind == kind && d->why == 0 &&
	     (d->flags_in & c->in_mask) == (c->flags & c->in_mask);
	if (kind == FBT_REC_ENTRY) {
		KUNIT_EXPECT_EQ_MSG(test, d->flags_out & c->out_mask,
				    c->out & c->out_mask,
				    "EFLAGS out %#x, want %#lx (in %#x)",
				    d->flags_out, c->out, d->flags_in);
		KUNIT_EXPECT_EQ(test, d->value, c->value);
		ok = ok && (d->flags_out & c->out_mask) == (c->out & c->out_mask) &&
		     d->value == c->value;
	} else {
		KUNIT_EXPECT_EQ(test, d->flags_out, d->flags_in);
	}
	return ok;
}

static void fbt_kt_live_form(struct kunit *test)
{
	const struct fbt_kt_lparam *prm = test->param_value;
	const struct fbt_kt_lform *f = prm->form;
	unsigned long hits_e, hits_r = 0, irqf = 0;
	struct fbt_kt_lc last = {};
	struct fbt_rec_data de, dr;
	struct fbt_probe *pe, *pr;
	int got_e, got_r;
	bool off;
	struct rnd_state rs;
	bool failed = false;
	struct fbt_obj *o;
	unsigned int i;

	prandom_seed_state(&rs, 0x6c697665 ^ f->opcode ^ prm->irq_on);
	o = fbt_kt_probe(test, f, &pe, &pr);
	KUNIT_ASSERT_EQ(test, pe->emul.kind, f->ekind);
	KUNIT_ASSERT_EQ(test, pe->emul.insn.opcode, f->opcode);
	if (pr) {
		KUNIT_EXPECT_TRUE(test, pr->emul.kind == FBT_K_RET ||
				  pr->emul.kind == FBT_K_JMP);
		KUNIT_EXPECT_EQ(test, pr->state, FBT_ARMED);
		hits_r = pr->hits;
	}
	KUNIT_EXPECT_EQ(test, fbt_kt_byte(pe->addr), 0xcc);
	hits_e = pe->hits;

	for (i = 0; i < FBT_KT_CALLS && !failed; i++) {
		struct fbt_kt_lc c = {};

		c.a = (u64)prandom_u32_state(&rs) << 32 | prandom_u32_state(&rs);
		c.b = (u64)prandom_u32_state(&rs) << 32 | prandom_u32_state(&rs);
		c.rax = (u64)prandom_u32_state(&rs) << 32 | prandom_u32_state(&rs);
		c.flags = X86_EFLAGS_FIXED | (c.a & FBT_KT_STATUS) |
			  (prm->irq_on ? X86_EFLAGS_IF : 0);
		c.in_mask = FBT_KT_FLMASK;
		c.out_mask = FBT_KT_FLMASK;
		c.out = c.flags;

		/* One CPU from the call to reading its ring. */
		if (prm->irq_on)
			preempt_disable();
		else
			local_irq_save(irqf);
		f->call(&c, prm->irq_on);
		/*
		 * A popf of IF=1 turned interrupts on behind lockdep's back:
		 * off again, as local_irq_save() left them, before lockdep
		 * (or DEBUG_IRQFLAGS in local_irq_restore) looks.
		 */
		if (!prm->irq_on && !irqs_disabled())
			raw_local_irq_disable();
		off = prm->irq_on && irqs_disabled();
		if (off)
			local_irq_enable();
		got_e = fbt_kt_grab(pr ? 2 : 1, &de);
		got_r = pr ? fbt_kt_grab(1, &dr) : 0;
		if (prm->irq_on)
			preempt_enable();
		else
			local_irq_restore(irqf);
		if (off) {
			KUNIT_FAIL(test, "returned with interrupts off");
			failed = true;
		}
		if (!fbt_kt_check_record(test, pe, FBT_REC_ENTRY, &c, got_e, &de))
			failed = true;
		if (pr && !fbt_kt_check_record(test, pr, FBT_REC_RETURN, &c,
					       got_r, &dr))
			failed = true;
		if (c.result != c.want) {
			KUNIT_FAIL(test,
				   "call %u: result %#llx, want %#llx (a %#llx b %#llx rax %#llx flags %#lx)",
				   i, c.result, c.want, c.a, c.b, c.rax, c.flags);
			failed = true;
		}
	}
	KUNIT_EXPECT_EQ(test, i, FBT_KT_CALLS);
	KUNIT_EXPECT_EQ(test, pe->hits - hits_e, (unsigned long)i);
	if (pr)
		KUNIT_EXPECT_EQ(test, pr->hits - hits_r, (unsigned long)i);

	/* Disarmed: the original byte back, no more hits. */
	KUNIT_ASSERT_EQ(test, fbt_selftest_arm(o, false), 0);
	KUNIT_EXPECT_EQ(test, pe->state, FBT_DISARMED);
	KUNIT_EXPECT_EQ(test, fbt_kt_byte(pe->addr), pe->emul.bytes[0]);
	hits_e = pe->hits;
	last.flags = X86_EFLAGS_FIXED | (prm->irq_on ? X86_EFLAGS_IF : 0);
	if (!prm->irq_on)
		local_irq_save(irqf);
	f->call(&last, prm->irq_on);
	if (!prm->irq_on)
		local_irq_restore(irqf);
	KUNIT_EXPECT_EQ(test, last.result, last.want);
	KUNIT_EXPECT_EQ(test, pe->hits, hits_e);
}

/* ---- a violation, caught by fbt ---------------------------------------- */

static const struct fbt_kt_lform *fbt_kt_lform_named(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fbt_kt_lforms); i++)
		if (!strcmp(fbt_kt_lforms[i].name, name))
			return &fbt_kt_lforms[i];
	return NULL;
}

/* Has the line of the capture at @at all of @parts, in this order? */
static bool fbt_kt_line_has(long at, const char * const *parts)
{
	const char *t = fbt_kt_captured() + at;
	const char *end = strchrnul(t, '\n');

	for (; *parts; parts++) {
		t = strnstr(t, *parts, end - t);
		if (!t)
			return false;
		t += strlen(*parts);
	}
	return true;
}

/* The first line at or after @from with all of @parts, or -1. */
static long fbt_kt_find_line(const char *first, const char * const *parts,
			     long from)
{
	long at;

	while ((at = fbt_kt_find(first, from)) >= 0) {
		if (fbt_kt_line_has(at, parts))
			return at;
		from = strchrnul(fbt_kt_captured() + at, '\n') -
		       fbt_kt_captured();
	}
	return -1;
}

static void fbt_kt_stop_capture(void *unused)
{
	fbt_kt_capture_stop();
}

static void fbt_kt_start_capture(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, fbt_kt_capture_start(), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fbt_kt_stop_capture,
							NULL), 0);
}

#define FBT_KT_DUMP	"fbt: ---[ flight recorder: "
#define FBT_KT_DUMP_END	"fbt: ---[ end of flight recorder ]---"

/*
 * inject=pushf-if, assert=1: the trap on pushf returns with IF clear; the
 * per-trap assertion sees it, repairs IF, writes a violation record, dumps
 * the ring with that record marked, and quarantines the probe: its byte
 * restored for good, no more hits.
 */
static void fbt_kt_live_violation(struct kunit *test)
{
	const struct fbt_kt_lform *f = fbt_kt_lform_named("pushf");
	unsigned long flags = X86_EFLAGS_FIXED | X86_EFLAGS_IF | X86_EFLAGS_ZF;
	struct fbt_probe *p;
	char sym[KSYM_SYMBOL_LEN], cpus[16], want[KSYM_SYMBOL_LEN + 96];
	struct fbt_obj *o;
	unsigned long hits;
	bool on;
	u64 image;
	int cpu, i;
	long at;

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fbt_kt_rec_defaults,
							NULL), 0);
	KUNIT_ASSERT_EQ(test, fbt_kt_rec_restart("pushf-if", "1"), 0);
	o = fbt_kt_probe(test, f, &p, NULL);
	fbt_kt_start_capture(test);

	preempt_disable();
	image = fbt_kt_live_call(fbt_kt_live_pushf, 0, 0, 0, flags);
	on = !irqs_disabled();
	cpu = smp_processor_id();
	preempt_enable();
	if (!on)
		local_irq_enable();
	KUNIT_EXPECT_TRUE_MSG(test, on, "IF not repaired");
	KUNIT_EXPECT_EQ(test, image, (u64)flags);
	KUNIT_EXPECT_EQ(test, p->hits, 1UL);

	KUNIT_ASSERT_GE_MSG(test, fbt_kt_wait_for(FBT_KT_DUMP_END, 3000), 0L,
			    "no dump:\n%s", fbt_kt_captured());
	for (i = 0; i < 150 && READ_ONCE(p->state) != FBT_QUARANTINED; i++)
		msleep(20);
	KUNIT_EXPECT_EQ_MSG(test, p->state, FBT_QUARANTINED, "state %u",
			    p->state);

	sprint_symbol(sym, p->addr);
	snprintf(cpus, sizeof(cpus), "cpu%d", cpu);
	KUNIT_EXPECT_GE(test, fbt_kt_find(FBT_KT_DUMP "violation at a trap ]---", 0), 0L);
	snprintf(want, sizeof(want),
		 "fbt: violation: IF changed at %s (pushf) on cpu%d, IF 1 -> 0, flags [IF ZF -> if ZF]",
		 sym, cpu);
	KUNIT_EXPECT_GE_MSG(test, fbt_kt_find(want, 0), 0L, "no \"%s\" in\n%s",
			    want, fbt_kt_captured());
	{
		const char * const entry[] = {
			cpus, " entry ", sym,
			" pushf op 9c [IF ZF -> if ZF] image IF", NULL };
		const char * const viol[] = {
			cpus, " violation ", sym,
			" pushf op 9c [IF ZF -> if ZF] image IF: IF changed", NULL };

		at = fbt_kt_find_line("fbt:    ", entry, 0);
		KUNIT_EXPECT_GE_MSG(test, at, 0L, "no entry record in\n%s",
				    fbt_kt_captured());
		KUNIT_EXPECT_GT_MSG(test, fbt_kt_find_line("fbt: => ", viol, at), at,
				    "no marked violation record after it in\n%s",
				    fbt_kt_captured());
	}
	snprintf(want, sizeof(want), "fbt: probe at %s quarantined (state quarantined)",
		 sym);
	KUNIT_EXPECT_GE(test, fbt_kt_wait_for(want, 1000), 0L);

	/* Quarantined: the original byte, no trap, right results. */
	KUNIT_EXPECT_EQ(test, fbt_kt_byte(p->addr), 0x9c);
	hits = p->hits;
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, fbt_kt_live_call(fbt_kt_live_pushf, 0, 0, 0, flags),
				(u64)flags);
	KUNIT_EXPECT_EQ(test, p->hits, hits);
	KUNIT_EXPECT_EQ(test, fbt_kt_count(FBT_KT_DUMP, 0), 1U);
	/* Arming again leaves a quarantined probe alone. */
	KUNIT_EXPECT_EQ(test, fbt_selftest_arm(o, true), 0);
	KUNIT_EXPECT_EQ(test, p->state, FBT_QUARANTINED);
	KUNIT_EXPECT_EQ(test, fbt_kt_byte(p->addr), 0x9c);
}

/* ---- a violation fbt does not check, caught by the kernel -------------- */

/*
 * inject=pushf-if, assert=0: the trap on pushf returns with IF clear and
 * fbt says nothing. The kernel's own check does: might_sleep() with
 * interrupts disabled (DEBUG_ATOMIC_SLEEP) prints "BUG: sleeping function
 * called from invalid context", and fbt's console hook dumps the rings
 * after it, the bad trap's record (IF in, if out) in the dump.
 */
static void fbt_kt_live_kernel_assert(struct kunit *test)
{
	const struct fbt_kt_lform *f = fbt_kt_lform_named("pushf");
	unsigned long flags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	char sym[KSYM_SYMBOL_LEN], cpus[16];
	unsigned int dumps_before;
	struct fbt_probe *p;
	long bug, dump;
	bool off;
	int cpu;

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fbt_kt_rec_defaults,
							NULL), 0);
	KUNIT_ASSERT_EQ(test, fbt_kt_rec_restart("pushf-if", "0"), 0);
	fbt_kt_probe(test, f, &p, NULL);
	fbt_kt_start_capture(test);

	/*
	 * Two rate limits can hide what this case looks for: the kernel
	 * prints one might_sleep() BUG a second, and fbt's console hook
	 * dumps once in 10 s. In a run where no earlier test made the
	 * kernel warn, neither applies.
	 *
	 * Not in a preempt-disabled section: might_sleep() would be right.
	 */
	KUNIT_ASSERT_FALSE(test, irqs_disabled());
	fbt_kt_live_call(fbt_kt_live_pushf, 0, 0, 0, flags);
	off = irqs_disabled();
	cpu = raw_smp_processor_id();
	dumps_before = fbt_kt_count(FBT_KT_DUMP, 0);
	if (off) {
		might_sleep();
		local_irq_enable();
	}
	KUNIT_EXPECT_TRUE_MSG(test, off, "inject=pushf-if left IF set");
	KUNIT_EXPECT_EQ(test, p->hits, 1UL);
	KUNIT_EXPECT_EQ_MSG(test, dumps_before, 0U, "fbt dumped with assert=0");
	KUNIT_EXPECT_EQ(test, p->state, FBT_ARMED);

	KUNIT_ASSERT_GE_MSG(test, fbt_kt_wait_for(FBT_KT_DUMP_END, 3000), 0L,
			    "no dump:\n%s", fbt_kt_captured());
	bug = fbt_kt_find("BUG: sleeping function called from invalid context", 0);
	dump = fbt_kt_find(FBT_KT_DUMP "kernel assertion on the console ]---", 0);
	KUNIT_EXPECT_GE_MSG(test, bug, 0L, "no BUG from might_sleep() in\n%s",
			    fbt_kt_captured());
	KUNIT_EXPECT_GT_MSG(test, dump, bug, "no fbt dump after the BUG in\n%s",
			    fbt_kt_captured());
	KUNIT_EXPECT_EQ(test, fbt_kt_count(FBT_KT_DUMP, 0), 1U);
	sprint_symbol(sym, p->addr);
	snprintf(cpus, sizeof(cpus), "cpu%d", cpu);
	{
		const char * const entry[] = {
			cpus, " entry ", sym, " pushf op 9c [IF -> if] image IF", NULL };
		const char * const viol[] = {
			cpus, " violation ", " - op 00 [if", "kernel assertion", NULL };

		KUNIT_EXPECT_GT_MSG(test, fbt_kt_find_line("fbt:    ", entry, dump), dump,
				    "the dump lacks the bad trap in\n%s",
				    fbt_kt_captured() + max(dump, 0L));
		KUNIT_EXPECT_GT_MSG(test, fbt_kt_find_line("fbt: => ", viol, dump), dump,
				    "the dump lacks the assertion record in\n%s",
				    fbt_kt_captured() + max(dump, 0L));
	}
}

/* fbt's pieces in the order fbt_init() brings them up, minus enumeration. */
static int fbt_kt_live_init(struct kunit_suite *suite)
{
	int ret;

	ret = fbt_rec_init();
	if (ret)
		return ret;
	ret = fbt_patch_init();
	if (ret)
		goto err_rec;
	ret = fbt_trap_init();
	if (ret)
		goto err_patch;
	return 0;
err_patch:
	fbt_patch_exit();
err_rec:
	fbt_rec_stop();
	fbt_rec_exit();
	return ret;
}

/* ---- rendezvous ---------------------------------------------------- */

struct fbt_kt_hammer {
	unsigned long calls, wrong;
	bool stop;
};

/* On another CPU: call the nop function until told to stop. */
static int fbt_kt_hammer_fn(void *arg)
{
	struct fbt_kt_hammer *h = arg;
	u64 a;

	while (!READ_ONCE(h->stop)) {
		a = get_random_u64();
		if (fbt_kt_live_call(fbt_kt_live_nop, a, 0, 0,
				     X86_EFLAGS_IF | X86_EFLAGS_FIXED) != a + 1)
			WRITE_ONCE(h->wrong, h->wrong + 1);
		WRITE_ONCE(h->calls, h->calls + 1);
		cond_resched();
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void fbt_kt_live_rendezvous(struct kunit *test)
{
	const struct fbt_kt_lform *f = &fbt_kt_lforms[8];
	unsigned long t, g0, g1, park0, calls0;
	struct fbt_kt_hammer h = {};
	struct task_struct *k;
	struct fbt_probe *p;
	struct fbt_obj *o;
	int cpu, i, ret = 0;

	KUNIT_ASSERT_STREQ(test, f->name, "nop");
	if (num_online_cpus() < 2)
		kunit_skip(test, "one CPU online: nobody to park");
	o = fbt_kt_probe(test, f, &p, NULL);
	KUNIT_ASSERT_EQ(test, fbt_selftest_arm(o, false), 0);
	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	k = kthread_create(fbt_kt_hammer_fn, &h, "fbt_kt_hammer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	kthread_bind(k, cpu);
	wake_up_process(k);
	while (!READ_ONCE(h.calls))
		usleep_range(1000, 2000);
	fbt_trap_counters(&t, &t, &t, &g0, &t);
	park0 = fbt_patch_park_timeouts();
	calls0 = READ_ONCE(h.calls);
	for (i = 0; i < 200 && !ret; i++) {
		ret = fbt_selftest_arm(o, true);
		usleep_range(200, 400);
		if (!ret)
			ret = fbt_selftest_arm(o, false);
	}
	WRITE_ONCE(h.stop, true);
	kthread_stop(k);
	fbt_trap_counters(&t, &t, &t, &g1, &t);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, p->state, FBT_DISARMED);
	KUNIT_EXPECT_EQ(test, fbt_kt_byte(p->addr), f->opcode);
	KUNIT_EXPECT_GT(test, h.calls - calls0, 0UL);
	KUNIT_EXPECT_EQ(test, h.wrong, 0UL);
	KUNIT_EXPECT_GT(test, (unsigned long)p->hits, 0UL);
	KUNIT_EXPECT_EQ(test, fbt_patch_park_timeouts(), park0);
	KUNIT_EXPECT_EQ_MSG(test, g1 - g0, 0UL, "ghost traps");
	kunit_info(test, "%lu calls on cpu%d, %u trapped, 400 batches",
		   h.calls - calls0, cpu, p->hits);
}

static void fbt_kt_live_exit(struct kunit_suite *suite)
{
	fbt_rec_stop();
	fbt_trap_exit();
	fbt_patch_exit();
	fbt_rec_exit();
}

static struct kunit_case fbt_live_cases[] = {
	{ .name = "forms", .run_case = fbt_kt_live_form,
	  .generate_params = fbt_kt_lform_gen },
	{ .name = "violation", .run_case = fbt_kt_live_violation },
	{ .name = "kernel_assert", .run_case = fbt_kt_live_kernel_assert },
	{ .name = "rendezvous", .run_case = fbt_kt_live_rendezvous },
	{}
};

static struct kunit_suite fbt_live_suite = {
	.name = "fbt_live",
	.suite_init = fbt_kt_live_init,
	.suite_exit = fbt_kt_live_exit,
	.test_cases = fbt_live_cases,
};

kunit_test_suite(fbt_live_suite);
