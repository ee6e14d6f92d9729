// SPDX-License-Identifier: GPL-2.0
/*
 * The flight recorder: per-CPU rings, the per-trap assertions, fault
 * injection, and what happens after a violation.
 *
 * The trap path (fbt_rec_trap()) runs in the int3 handler, NMI-like: it
 * allocates nothing, takes no lock and calls nothing fbt could probe except
 * irq_work_queue() after a violation (NMI-safe by design; a trap inside it
 * is a recursion the handler replays). Everything else is deferred: the
 * irq_work prints the dump and emits the trace events, a work item takes
 * fbt_lock and quarantines the probe.
 */
#include <linux/atomic.h>
#include <linux/irq_work.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/panic.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/tsc.h>

#include "../core/fbt.h"
#include "recorder.h"
#include "fbt_trace.h"

unsigned int fbt_ring_records = 256;
module_param_named(ring_size, fbt_ring_records, uint, 0444);
MODULE_PARM_DESC(ring_size, "records per CPU ring, a power of two 16..65536 (256)");

static bool fbt_assert_trap = true;
module_param_named(assert, fbt_assert_trap, bool, 0644);
MODULE_PARM_DESC(assert, "check IF and the pushf image at every trap (1)");

bool fbt_rec_repair = true;
module_param_named(repair, fbt_rec_repair, bool, 0644);
MODULE_PARM_DESC(repair, "after a violation repair the flags and quarantine the probe (1)");

static unsigned int fbt_max_dumps = 4;
module_param_named(max_dumps, fbt_max_dumps, uint, 0644);
MODULE_PARM_DESC(max_dumps, "violation dumps printed before only one line each (4)");

static char *fbt_inject_param;
module_param_named(inject, fbt_inject_param, charp, 0444);
MODULE_PARM_DESC(inject, "test-only fault: pushf-if, pushf-image, popf-mask, xchg-swap, ip-advance (taints N)");

enum {
	FBT_INJ_NONE,
	FBT_INJ_PUSHF_IF,	/* after pushf, return with IF clear */
	FBT_INJ_PUSHF_IMAGE,	/* pushf pushes an image with IF clear */
	FBT_INJ_POPF_MASK,	/* after popf, IF clear whatever the image */
	FBT_INJ_XCHG_SWAP,	/* xchg %eax,%reg leaves both unchanged */
	FBT_INJ_IP_ADVANCE,	/* one byte too far after a straight insn */
};

static const char * const fbt_inject_names[] = {
	"none", "pushf-if", "pushf-image", "popf-mask", "xchg-swap", "ip-advance",
};

static int fbt_inject;

DEFINE_PER_CPU(struct fbt_ring *, fbt_rings);

/* Time: the TSC at the trap, made into ns of the monotonic clock later. */
static u64 fbt_tsc0, fbt_ns0;

u64 fbt_rec_tsc_to_ns(u64 tsc)
{
	if (!tsc_khz)
		return 0;
	if (tsc >= fbt_tsc0)
		return fbt_ns0 + mul_u64_u32_div(tsc - fbt_tsc0, 1000000, tsc_khz);
	return fbt_ns0 - mul_u64_u32_div(fbt_tsc0 - tsc, 1000000, tsc_khz);
}

/*
 * The snapshot of the ring that saw a violation, taken in the trap: 0 free,
 * 1 being filled, 2 waiting for the irq_work to print it.
 */
static struct fbt_snap *fbt_snap;
static atomic_t fbt_snap_state = ATOMIC_INIT(0);
static const char *fbt_snap_reason;
static atomic_t fbt_dumps = ATOMIC_INIT(0);
static atomic_t fbt_violations = ATOMIC_INIT(0);

/* Probes to quarantine, filled in trap context, emptied by a work item. */
#define FBT_QUAR_SLOTS	16
static struct fbt_probe *fbt_quar[FBT_QUAR_SLOTS];

static void fbt_rec_irq_work(struct irq_work *w);
static void fbt_quar_work_fn(struct work_struct *w);
static struct irq_work fbt_iw;
static DECLARE_WORK(fbt_quar_work, fbt_quar_work_fn);
static bool fbt_rec_live;

static __always_inline bool fbt_kind_branches(u8 kind)
{
	return kind == FBT_K_JMP || kind == FBT_K_JCC || kind == FBT_K_CALL ||
	       kind == FBT_K_RET;
}

/* pt_regs slot of GPR @n in encoding order (ax cx dx bx sp bp si di r8..). */
static unsigned long *fbt_gpr(struct pt_regs *regs, unsigned int n)
{
	switch (n) {
	case 0: return &regs->ax;
	case 1: return &regs->cx;
	case 2: return &regs->dx;
	case 3: return &regs->bx;
	case 4: return &regs->sp;
	case 5: return &regs->bp;
	case 6: return &regs->si;
	case 7: return &regs->di;
	case 8: return &regs->r8;
	case 9: return &regs->r9;
	case 10: return &regs->r10;
	case 11: return &regs->r11;
	case 12: return &regs->r12;
	case 13: return &regs->r13;
	case 14: return &regs->r14;
	case 15: return &regs->r15;
	}
	return NULL;
}

static __always_inline u64 fbt_peek(unsigned long addr)
{
	u64 v;

	__get_kernel_nofault(&v, (u64 *)addr, u64, fault);
	return v;
fault:
	return 0;
}

static __always_inline void fbt_poke(unsigned long addr, u64 v)
{
	__put_kernel_nofault((u64 *)addr, &v, u64, fault);
fault:
	return;
}

/* Break the emulation the way the test asked. True if it did. */
static bool fbt_do_inject(const struct fbt_emul *e, struct pt_regs *regs)
{
	unsigned long *r, t;

	switch (fbt_inject) {
	case FBT_INJ_PUSHF_IF:
		if (e->kind != FBT_K_PUSHF)
			return false;
		regs->flags &= ~X86_EFLAGS_IF;
		return true;
	case FBT_INJ_PUSHF_IMAGE:
		if (e->kind != FBT_K_PUSHF)
			return false;
		fbt_poke(regs->sp, fbt_peek(regs->sp) & ~X86_EFLAGS_IF);
		return true;
	case FBT_INJ_POPF_MASK:
		if (e->kind != FBT_K_POPF)
			return false;
		regs->flags &= ~X86_EFLAGS_IF;
		return true;
	case FBT_INJ_XCHG_SWAP:
		if (e->kind != FBT_K_XCHG_AX || e->size != 8)
			return false;
		r = fbt_gpr(regs, e->dst ? e->dst : e->src);
		if (!r || r == &regs->ax)
			return false;
		t = *r;
		*r = regs->ax;
		regs->ax = t;
		return true;
	case FBT_INJ_IP_ADVANCE:
		if (fbt_kind_branches(e->kind))
			return false;
		regs->ip++;
		return true;
	}
	return false;
}

/* Copy this CPU's ring into the snapshot; false if one is pending. */
static bool fbt_snap_take(u64 mark, u8 why, const char *reason)
{
	struct fbt_ring *r = this_cpu_read(fbt_rings);
	u64 i, h;

	if (!r || !fbt_snap || atomic_cmpxchg(&fbt_snap_state, 0, 1) != 0)
		return false;
	h = fbt_ring_head(r);
	fbt_snap->n = 0;
	for (i = fbt_ring_tail(r); i < h; i++)
		if (!fbt_ring_read(r, i, &fbt_snap->rec[fbt_snap->n]))
			fbt_snap->n++;
	fbt_snap->cpu = smp_processor_id();
	fbt_snap->mark = mark;
	fbt_snap->why = why;
	fbt_snap_reason = reason;
	atomic_set_release(&fbt_snap_state, 2);
	return true;
}

static void fbt_quar_add(struct fbt_probe *p)
{
	int i;

	for (i = 0; i < FBT_QUAR_SLOTS; i++)
		if (READ_ONCE(fbt_quar[i]) == p)
			return;
	for (i = 0; i < FBT_QUAR_SLOTS; i++)
		if (!cmpxchg(&fbt_quar[i], NULL, p))
			return;
}

static void fbt_rec_kick(void)
{
	if (READ_ONCE(fbt_rec_live))
		irq_work_queue(&fbt_iw);
}

void fbt_rec_trap(struct fbt_probe *p, struct pt_regs *regs,
		  unsigned long flags_in, unsigned long sp_in, bool nested)
{
	const struct fbt_emul *e = &p->emul;
	struct fbt_ring *r = this_cpu_read(fbt_rings);
	/*
	 * Every field is set below: no zeroing by INIT_STACK_ALL_ZERO (a
	 * rep stos on every trap, Documentation/performance.rst).
	 */
	struct fbt_rec_data d __uninitialized;
	long long seq;
	u8 why = 0;

	d.injected = false;
	if (unlikely(fbt_inject) && !nested)
		d.injected = fbt_do_inject(e, regs);
	d.value = 0;
	if (e->kind == FBT_K_PUSHF)
		d.value = fbt_peek(regs->sp);
	else if (e->kind == FBT_K_POPF)
		d.value = fbt_peek(sp_in);
	if (fbt_assert_trap) {
		if (e->kind != FBT_K_POPF &&
		    ((regs->flags ^ flags_in) & X86_EFLAGS_IF))
			why |= FBT_WHY_IF;
		if (e->kind == FBT_K_PUSHF &&
		    ((d.value ^ flags_in) & X86_EFLAGS_IF))
			why |= FBT_WHY_IMAGE;
		if (e->kind == FBT_K_POPF &&
		    ((regs->flags ^ d.value) & X86_EFLAGS_IF))
			why |= FBT_WHY_POPF;
		if (!fbt_kind_branches(e->kind) &&
		    regs->ip != p->addr + e->insn.len)
			why |= FBT_WHY_IP;
	}
	d.tsc = rdtsc();
	d.ip = p->addr;
	d.id = p->id;
	d.flags_in = flags_in;
	d.flags_out = regs->flags;
	d.kind = nested ? FBT_REC_RECURSION :
		 (p->flags & FBT_P_RETURN) ? FBT_REC_RETURN : FBT_REC_ENTRY;
	d.why = 0;
	d.len = e->insn.len;
	d.ekind = e->kind;
	d.map = e->insn.map > FBT_MAP_0F ? 2 : e->insn.map;
	d.opcode = e->insn.opcode;
	if (r)
		fbt_ring_write(r, &d);
	/*
	 * Not for a nested trap: that one may come from the tracing code of
	 * the outer trap's event; the ring has it.
	 */
	if (!nested)
		trace_fbt_hit(p->id, d.kind, p->addr, e->insn.opcode,
			      e->insn.len, e->kind, flags_in, regs->flags);
	if (likely(!why))
		return;

	/* A violation: its own record, then repair, snapshot, defer. */
	atomic_inc(&fbt_violations);
	d.kind = FBT_REC_VIOLATION;
	d.why = why;
	seq = r ? fbt_ring_write(r, &d) : -1;
	if (fbt_rec_repair) {
		if (why & FBT_WHY_IF)
			regs->flags = (regs->flags & ~X86_EFLAGS_IF) |
				      (flags_in & X86_EFLAGS_IF);
		if (why & FBT_WHY_IMAGE)
			fbt_poke(regs->sp, (d.value & ~X86_EFLAGS_IF) |
				 (flags_in & X86_EFLAGS_IF));
		if (why & FBT_WHY_POPF)
			regs->flags = (regs->flags & ~X86_EFLAGS_IF) |
				      (d.value & X86_EFLAGS_IF);
		if (why & FBT_WHY_IP)
			regs->ip = p->addr + e->insn.len;
		fbt_quar_add(p);
	}
	fbt_snap_take(seq, why, "violation at a trap");
	fbt_rec_kick();
}

void fbt_rec_ghost(const struct fbt_probe *p, struct pt_regs *regs)
{
	struct fbt_ring *r = this_cpu_read(fbt_rings);
	struct fbt_rec_data d = {
		.tsc = rdtsc(), .ip = p->addr, .id = p->id,
		.flags_in = regs->flags, .flags_out = regs->flags,
		.kind = FBT_REC_GHOST,
	};

	if (r)
		fbt_ring_write(r, &d);
}

/*
 * A violation seen outside a trap (irqs off at syscall or softirq exit, a
 * kernel assertion on the console): a record without probe, a snapshot, a dump.
 */
void fbt_rec_event(u8 why, unsigned long ip, unsigned long flags,
		   unsigned long value)
{
	struct fbt_ring *r = this_cpu_read(fbt_rings);
	struct fbt_rec_data d = {
		.tsc = rdtsc(), .ip = ip, .value = value, .id = FBT_NO_ID,
		.flags_in = flags, .flags_out = flags,
		.kind = FBT_REC_VIOLATION, .why = why,
	};
	long long seq = r ? fbt_ring_write(r, &d) : -1;

	atomic_inc(&fbt_violations);
	fbt_snap_take(seq, why, why == FBT_WHY_SYSEXIT ?
		      "interrupts disabled at syscall exit" :
		      why == FBT_WHY_SOFTIRQ ?
		      "interrupts disabled at softirq exit" :
		      "kernel assertion on the console");
	fbt_rec_kick();
}

static void fbt_rec_irq_work(struct irq_work *w)
{
	int n;

	if (atomic_read_acquire(&fbt_snap_state) == 2) {
		n = atomic_inc_return(&fbt_dumps);
		if (n <= fbt_max_dumps)
			fbt_dump(fbt_snap, fbt_snap_reason, true);
		else
			pr_warn("fbt: %s on cpu %u (%d violations, dumps limited by max_dumps)\n",
				fbt_snap_reason, fbt_snap->cpu,
				atomic_read(&fbt_violations));
		atomic_set_release(&fbt_snap_state, 0);
	}
	if (READ_ONCE(fbt_rec_live))
		schedule_work(&fbt_quar_work);
}

/* Is @p a probe of a live object? Called with fbt_lock held. */
static bool fbt_probe_known(const struct fbt_probe *p)
{
	struct fbt_obj *o;

	list_for_each_entry(o, &fbt_objs, list)
		if (p >= o->probes && p < o->probes + o->nprobes)
			return true;
	return false;
}

static void fbt_quar_work_fn(struct work_struct *w)
{
	struct fbt_probe *p;
	int i;

	mutex_lock(&fbt_lock);
	for (i = 0; i < FBT_QUAR_SLOTS; i++) {
		p = xchg(&fbt_quar[i], NULL);
		if (!p || !fbt_probe_known(p))
			continue;
		if (p->state == FBT_QUARANTINED)
			continue;
		fbt_quarantine_probe(p);
		pr_warn("fbt: probe at %pS quarantined (state %s)\n",
			(void *)p->addr,
			p->state == FBT_QUARANTINED ? "quarantined" : "unchanged");
	}
	mutex_unlock(&fbt_lock);
}

static int fbt_inject_parse(void)
{
	int i;

	if (!fbt_inject_param || !*fbt_inject_param)
		return 0;
	for (i = 0; i < ARRAY_SIZE(fbt_inject_names); i++) {
		if (!strcmp(fbt_inject_param, fbt_inject_names[i])) {
			fbt_inject = i;
			break;
		}
	}
	if (i == ARRAY_SIZE(fbt_inject_names)) {
		pr_err("fbt: inject=%s: unknown fault\n", fbt_inject_param);
		return -EINVAL;
	}
	if (fbt_inject) {
		/* A test asked for broken emulation: say so in every report. */
		add_taint(TAINT_TEST, LOCKDEP_STILL_OK);
		pr_warn("fbt: fault injection %s on: kernel tainted (N)\n",
			fbt_inject_names[fbt_inject]);
	}
	return 0;
}

static void fbt_rings_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		kvfree(per_cpu(fbt_rings, cpu));
		per_cpu(fbt_rings, cpu) = NULL;
	}
	kvfree(fbt_snap);
	fbt_snap = NULL;
}

int fbt_rec_init(void)
{
	int cpu, ret;

	if (fbt_ring_records < 16 || fbt_ring_records > 65536 ||
	    !is_power_of_2(fbt_ring_records)) {
		pr_err("fbt: ring_size=%u: want a power of two in 16..65536\n",
		       fbt_ring_records);
		return -EINVAL;
	}
	ret = fbt_inject_parse();
	if (ret)
		return ret;
	fbt_tsc0 = rdtsc();
	fbt_ns0 = ktime_get_mono_fast_ns();
	for_each_possible_cpu(cpu) {
		struct fbt_ring *r;

		r = kvzalloc_node(fbt_ring_bytes(fbt_ring_records), GFP_KERNEL,
				  cpu_to_node(cpu));
		if (!r)
			goto nomem;
		fbt_ring_init(r, fbt_ring_records, cpu);
		per_cpu(fbt_rings, cpu) = r;
	}
	fbt_snap = kvzalloc(struct_size(fbt_snap, rec, fbt_ring_records),
			    GFP_KERNEL);
	if (!fbt_snap)
		goto nomem;
	init_irq_work(&fbt_iw, fbt_rec_irq_work);
	WRITE_ONCE(fbt_rec_live, true);
	ret = fbt_dump_init();
	if (ret)
		goto err;
	ret = fbt_assert_init();
	if (ret) {
		fbt_dump_exit();
		goto err;
	}
	return 0;
nomem:
	ret = -ENOMEM;
err:
	WRITE_ONCE(fbt_rec_live, false);
	fbt_rings_free();
	return ret;
}

/* Before probes can go away: nothing deferred may still run. */
void fbt_rec_stop(void)
{
	fbt_assert_exit();
	WRITE_ONCE(fbt_rec_live, false);
	irq_work_sync(&fbt_iw);
	cancel_work_sync(&fbt_quar_work);
}

/* After the trap handler is gone. */
void fbt_rec_exit(void)
{
	irq_work_sync(&fbt_iw);
	fbt_dump_exit();
	fbt_rings_free();
}
