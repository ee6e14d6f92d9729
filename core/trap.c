// SPDX-License-Identifier: GPL-2.0
/*
 * The trap handler: a DIE_INT3 notifier at the highest priority.
 *
 * Lookup: an open-addressing hash of probe addresses (linear probing, load
 * at most 1/2), published with RCU and rebuilt whenever objects come or go;
 * it holds every probe that can ever be armed, so the lookup is O(1) and
 * lock free. Removing an object without a new table (no memory) replaces
 * its slots with a tombstone in place.
 *
 * Per trap: count, rewind ip to the probe address, and for an ARMED probe
 * replay the displaced instruction with fbt_emul_run(); a trap taken while
 * this CPU is already in the handler (an NMI) is replayed the same way and
 * counted as a recursion. For a known address whose probe is no longer
 * armed and whose byte is no longer 0xcc (a ghost: a CPU that fetched the
 * int3 and was not parked while the byte was restored, see patch.c; an
 * NMI, or a rendezvous that timed out), replay the original instruction.
 * Probes are dropped only after an RCU grace period has passed since their
 * bytes were restored (enum.c), so every ghost is claimed.
 *
 * Nothing here allocates, locks, or calls out: the module is built without
 * ftrace hooks, fbt_emul_run() and the nofault accessors are inline code,
 * and fbt's own text is never probed (sites.c refuses fbt_*, and fbt.ko is
 * not enumerated).
 */
#include <linux/kdebug.h>
#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/kdebug.h>

#include "fbt.h"
#include "../recorder/recorder.h"

struct fbt_table {
	struct rcu_head rcu;
	unsigned int mask;
	unsigned int n;
	struct fbt_probe *slot[];
};

static struct fbt_table __rcu *fbt_tab;

/* Never matches an address (0 is not text), but keeps probe chains going. */
static struct fbt_probe fbt_tombstone;

struct fbt_pcpu {
	unsigned long traps, hits, recursions, ghosts, faults;
	unsigned int depth;
};

static DEFINE_PER_CPU(struct fbt_pcpu, fbt_pcpu);

/* Benchmarks (Documentation/performance.rst): the trap without recorder. */
static bool fbt_record = true;
module_param_named(record, fbt_record, bool, 0644);
MODULE_PARM_DESC(record, "record and check every trap in the flight recorder (1); 0 only to measure its cost");

static __always_inline unsigned int fbt_hash(unsigned long addr,
					     unsigned int mask)
{
	return (unsigned int)((addr * GOLDEN_RATIO_64) >> 32) & mask;
}

static __always_inline struct fbt_probe *fbt_lookup(struct fbt_table *t,
						    unsigned long addr)
{
	unsigned int i = fbt_hash(addr, t->mask), n;
	struct fbt_probe *p;

	for (n = 0; n <= t->mask; n++, i = (i + 1) & t->mask) {
		p = READ_ONCE(t->slot[i]);
		if (!p)
			return NULL;
		if (p->addr == addr)
			return p;
	}
	return NULL;
}

/* The probe at @addr, or NULL; lock free, for any context (watch.c). */
struct fbt_probe *fbt_trap_lookup(unsigned long addr)
{
	struct fbt_table *t = rcu_dereference_raw(fbt_tab);

	return t ? fbt_lookup(t, addr) : NULL;
}

static int notrace fbt_int3_notify(struct notifier_block *nb,
				   unsigned long val, void *data)
{
	struct die_args *args = data;
	struct pt_regs *regs = args->regs;
	struct fbt_table *t;
	struct fbt_probe *p;
	unsigned long addr;
	u8 byte;

	if (val != DIE_INT3 || !regs || user_mode(regs))
		return NOTIFY_DONE;
	t = rcu_dereference_raw(fbt_tab);
	if (!t)
		return NOTIFY_DONE;
	addr = regs->ip - 1;
	p = fbt_lookup(t, addr);
	if (!p)
		return NOTIFY_DONE;
	this_cpu_inc(fbt_pcpu.traps);
	if (READ_ONCE(p->state) == FBT_ARMED) {
		unsigned long flags_in = regs->flags, sp_in = regs->sp;
		bool nested;
		int ret;

		nested = this_cpu_inc_return(fbt_pcpu.depth) > 1;
		if (nested)
			this_cpu_inc(fbt_pcpu.recursions);
		regs->ip = addr;
		ret = fbt_emul_run(&p->emul, regs);
		/* recorder/: record, check, inject (before depth goes down) */
		if (likely(!ret) && likely(READ_ONCE(fbt_record)))
			fbt_rec_trap(p, regs, flags_in, sp_in, nested);
		this_cpu_dec(fbt_pcpu.depth);
		if (unlikely(ret)) {
			/*
			 * The instruction itself would have faulted here: let
			 * the kernel report the trap as it would the fault.
			 */
			regs->ip = addr + 1;
			this_cpu_inc(fbt_pcpu.faults);
			return NOTIFY_DONE;
		}
		p->hits++;	/* racy by design: no atomic on the hot path */
		this_cpu_inc(fbt_pcpu.hits);
		return NOTIFY_STOP;
	}
	/* Someone else's int3 at a probe address we do not hold: not ours. */
	__get_kernel_nofault(&byte, (u8 *)addr, u8, fault);
	if (byte == 0xcc)
		return NOTIFY_DONE;
	/*
	 * A ghost: the byte is back. Replay the instruction rather than
	 * re-execute it, so a CPU that keeps fetching a stale int3 (seen
	 * under qemu TCG) still makes progress.
	 */
	regs->ip = addr;
	if (p->emul.kind != FBT_K_NONE && fbt_emul_run(&p->emul, regs))
		regs->ip = addr;
	this_cpu_inc(fbt_pcpu.ghosts);
	fbt_rec_ghost(p, regs);	/* recorder/ */
	return NOTIFY_STOP;
fault:
	return NOTIFY_DONE;
}

static struct notifier_block fbt_int3_nb = {
	.notifier_call = fbt_int3_notify,
	.priority = INT_MAX,
};

static bool fbt_in_table(const struct fbt_probe *p)
{
	return p->state != FBT_REFUSED;
}

/*
 * Build and publish a table of every probe that can be armed; free the old
 * one after a grace period. Called with fbt_lock held.
 */
int fbt_table_publish(void)
{
	struct fbt_table *t, *old;
	struct fbt_obj *o;
	unsigned long n = 0, size;
	unsigned int i;

	lockdep_assert_held(&fbt_lock);
	list_for_each_entry(o, &fbt_objs, list)
		for (i = 0; i < o->nprobes; i++)
			n += fbt_in_table(&o->probes[i]);
	size = roundup_pow_of_two(max(2 * n, 64UL));
	t = kvzalloc(struct_size(t, slot, size), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->mask = size - 1;
	t->n = n;
	list_for_each_entry(o, &fbt_objs, list) {
		for (i = 0; i < o->nprobes; i++) {
			struct fbt_probe *p = &o->probes[i];
			unsigned int h;

			if (!fbt_in_table(p))
				continue;
			h = fbt_hash(p->addr, t->mask);
			while (t->slot[h])
				h = (h + 1) & t->mask;
			t->slot[h] = p;
		}
	}
	old = rcu_dereference_protected(fbt_tab, lockdep_is_held(&fbt_lock));
	rcu_assign_pointer(fbt_tab, t);
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

/* Tombstone @o's probes in the current table. Called with fbt_lock held. */
void fbt_table_drop_obj(struct fbt_obj *o)
{
	struct fbt_table *t;
	unsigned int i;

	t = rcu_dereference_protected(fbt_tab, lockdep_is_held(&fbt_lock));
	if (!t)
		return;
	for (i = 0; i <= t->mask; i++) {
		struct fbt_probe *p = t->slot[i];

		if (p && p >= o->probes && p < o->probes + o->nprobes)
			WRITE_ONCE(t->slot[i], &fbt_tombstone);
	}
}

size_t fbt_table_bytes(void)
{
	struct fbt_table *t;
	size_t b = 0;

	rcu_read_lock();
	t = rcu_dereference(fbt_tab);
	if (t)
		b = struct_size(t, slot, t->mask + 1);
	rcu_read_unlock();
	return b;
}

void fbt_trap_counters(unsigned long *traps, unsigned long *hits,
		       unsigned long *recursions, unsigned long *ghosts,
		       unsigned long *faults)
{
	int cpu;

	*traps = *hits = *recursions = *ghosts = *faults = 0;
	for_each_possible_cpu(cpu) {
		struct fbt_pcpu *c = per_cpu_ptr(&fbt_pcpu, cpu);

		*traps += READ_ONCE(c->traps);
		*hits += READ_ONCE(c->hits);
		*recursions += READ_ONCE(c->recursions);
		*ghosts += READ_ONCE(c->ghosts);
		*faults += READ_ONCE(c->faults);
	}
}

void fbt_trap_reset(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct fbt_pcpu *c = per_cpu_ptr(&fbt_pcpu, cpu);

		WRITE_ONCE(c->traps, 0);
		WRITE_ONCE(c->hits, 0);
		WRITE_ONCE(c->recursions, 0);
		WRITE_ONCE(c->ghosts, 0);
		WRITE_ONCE(c->faults, 0);
	}
}

/* The handler goes in before any byte is written. */
int fbt_trap_init(void)
{
	fbt_watch_init();
	return register_die_notifier(&fbt_int3_nb);
}

/* After every byte is restored and a grace period has passed. */
static unsigned long fbt_ghosts_now(void)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(&fbt_pcpu, cpu)->ghosts);
	return sum;
}

/*
 * Under qemu TCG a vCPU was seen to trap on a byte well after it had been
 * restored and every CPU serialized (see Documentation/design.rst, "Late
 * traps"). Without a handler such a trap is a die("int3"), so keep
 * claiming ghosts until none has come for FBT_QUIET_MS, for at most
 * FBT_QUIESCE_MS, before the handler goes away.
 */
#define FBT_QUIET_MS	200
#define FBT_QUIESCE_MS	3000

static void fbt_trap_quiesce(void)
{
	unsigned long last = fbt_ghosts_now(), now;
	unsigned int waited = 0, quiet = 0;

	while (quiet < FBT_QUIET_MS && waited < FBT_QUIESCE_MS) {
		msleep(20);
		waited += 20;
		now = fbt_ghosts_now();
		quiet = now == last ? quiet + 20 : 0;
		last = now;
	}
	if (quiet < FBT_QUIET_MS)
		pr_warn("fbt: ghost traps still arriving after %u ms\n", waited);
}

void fbt_trap_exit(void)
{
	struct fbt_table *t;

	fbt_trap_quiesce();
	fbt_watch_exit();	/* its timers read the table */
	unregister_die_notifier(&fbt_int3_nb);	/* waits for RCU */
	mutex_lock(&fbt_lock);
	t = rcu_dereference_protected(fbt_tab, lockdep_is_held(&fbt_lock));
	RCU_INIT_POINTER(fbt_tab, NULL);
	mutex_unlock(&fbt_lock);
	synchronize_rcu();
	kvfree(t);
}
