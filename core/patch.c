// SPDX-License-Identifier: GPL-2.0
/*
 * Text patching: an int3 written, or the original byte restored, through a
 * temporary writable alias of the text (one vmap of the batch's pages, from
 * virt_to_page for the kernel image, vmalloc_to_page for module text),
 * while every other CPU is parked in fbt's own code, then every CPU
 * serialized.
 *
 * Batches: up to FBT_BATCH probes, one mapping and one rendezvous per batch.
 * Only the first byte of an instruction chosen by sites.c is ever written:
 * never an ENDBR, never an ftrace site. Each byte is checked before it is
 * written (the original before arming, 0xcc before disarming).
 *
 * The rendezvous: an IPI parks every other CPU in fbt_park(), a spin on a
 * generation number with interrupts off that calls nothing; the bytes are
 * written with interrupts off on this CPU; the release lets the parked CPUs
 * go, each through sync_core(). So no CPU runs or fetches kernel text while
 * a byte changes, which is what x86 asks of cross-modifying code, and which
 * qemu TCG needs as well: a vCPU that translates a page while another
 * restores a byte there can keep a translation holding the int3 (qemu drops
 * translations before the store lands), and on 6.1 kprobes then rewinds
 * every trap on it, so that vCPU loops for ever (Documentation/design.rst,
 * "Late traps under qemu TCG").
 *
 * Ordering with the trap handler (trap.c):
 *  arm:    state = ARMED, write 0xcc, release.
 *  disarm: write the original byte, release, state = DISARMED.
 * So a trap on an armed byte always finds ARMED: a CPU in the handler has
 * interrupts off and cannot be parked, so it finishes before the write. A
 * trap that finds the probe disarmed and the byte back (a ghost) needs a
 * CPU that was not parked; trap.c replays the instruction.
 */
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <asm/sync_core.h>

#include "fbt.h"

#define FBT_BATCH	4096
#define FBT_PARK_WAIT_MS	1000	/* then write anyway, counted */

struct fbt_poke {
	struct fbt_probe *p;
	unsigned int off;	/* the byte's offset in the batch's alias */
	u8 old, new;
	bool done;
};

static struct fbt_poke *fbt_pokes;	/* FBT_BATCH entries, under fbt_lock */
static struct page **fbt_batch_pages;	/* FBT_BATCH entries, under fbt_lock */

/* The rendezvous; the generation is written under fbt_lock only. */
static unsigned long fbt_park_gen;
static unsigned long fbt_park_released;
static DEFINE_PER_CPU(unsigned long, fbt_parked_gen);
static unsigned long fbt_park_timeouts;	/* stats: park_timeouts */

struct page *fbt_text_page(unsigned long addr)
{
	if (addr >= MODULES_VADDR && addr < MODULES_END)
		return vmalloc_to_page((void *)addr);
	return virt_to_page((void *)addr);
}

/*
 * Map the pages of the batch (sorted by address) as one writable alias and
 * note each poke's offset in it. Returns the alias or NULL.
 */
static u8 *fbt_batch_map(struct fbt_poke *pk, unsigned int n)
{
	unsigned long base = 0;
	unsigned int i, np = 0;

	for (i = 0; i < n; i++) {
		if (!np || (pk[i].p->addr & PAGE_MASK) != base) {
			base = pk[i].p->addr & PAGE_MASK;
			fbt_batch_pages[np] = fbt_text_page(base);
			if (!fbt_batch_pages[np++])
				return NULL;
		}
		pk[i].off = ((np - 1) << PAGE_SHIFT) +
			    offset_in_page(pk[i].p->addr);
	}
	return vmap(fbt_batch_pages, np, VM_MAP, PAGE_KERNEL);
}

/*
 * Runs on every other CPU, from the IPI, interrupts off: say so, spin until
 * released, serialize. Inline code only: a parked CPU must fetch no text
 * that this batch may change.
 */
static void fbt_park(void *info)
{
	unsigned long gen = (unsigned long)info;

	WRITE_ONCE(*this_cpu_ptr(&fbt_parked_gen), gen);
	/* Pairs with the release in fbt_poke_write(): the bytes are seen. */
	while ((long)(smp_load_acquire(&fbt_park_released) - gen) < 0)
		cpu_relax();
	sync_core();
}

/*
 * Park every other online CPU; returns the generation to release. *@all
 * says whether they all came.
 */
static unsigned long fbt_park_others(bool *all_parked)
{
	unsigned long gen = READ_ONCE(fbt_park_gen) + 1;
	unsigned int cpu, me = smp_processor_id();
	u64 t0;
	bool all;

	WRITE_ONCE(fbt_park_gen, gen);
	smp_call_function(fbt_park, (void *)gen, 0);
	t0 = ktime_get_mono_fast_ns();
	do {
		all = true;
		for_each_online_cpu(cpu)
			if (cpu != me &&
			    READ_ONCE(per_cpu(fbt_parked_gen, cpu)) != gen)
				all = false;
		if (all) {
			*all_parked = true;
			return gen;
		}
		cpu_relax();
	} while (ktime_get_mono_fast_ns() - t0 <
		 FBT_PARK_WAIT_MS * NSEC_PER_MSEC);
	/* A CPU that never came (interrupts off that long): write anyway. */
	fbt_park_timeouts++;
	*all_parked = false;
	return gen;
}

/*
 * Write the pokes whose byte is ->old with the other CPUs parked. A poke
 * whose byte is not ->old is left alone (->done stays false). Returns 0, or
 * -ENOMEM when the batch could not be mapped after retries; *@all_parked
 * says whether every other CPU was parked during the writes.
 */
static int fbt_poke_write(struct fbt_poke *pk, unsigned int n,
			  bool *all_parked)
{
	unsigned long gen, flags;
	unsigned int i, tries;
	u8 *va;

	for (tries = 0; !(va = fbt_batch_map(pk, n)); tries++) {
		if (tries == 10)
			return -ENOMEM;
		msleep(20);
	}
	cpus_read_lock();
	preempt_disable();
	gen = fbt_park_others(all_parked);
	local_irq_save(flags);
	for (i = 0; i < n; i++) {
		if (READ_ONCE(va[pk[i].off]) != pk[i].old)
			continue;
		WRITE_ONCE(va[pk[i].off], pk[i].new);
		pk[i].done = true;
	}
	sync_core();
	/* The bytes are visible before a parked CPU leaves and fetches. */
	smp_store_release(&fbt_park_released, gen);
	local_irq_restore(flags);
	preempt_enable();
	cpus_read_unlock();
	vunmap(va);
	return 0;
}

unsigned long fbt_patch_park_timeouts(void)
{
	return READ_ONCE(fbt_park_timeouts);
}

static int fbt_disarm_batch(struct fbt_poke *pk, unsigned int n)
{
	bool parked = true;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		pk[i].old = FBT_INT3;
		pk[i].new = pk[i].p->emul.bytes[0];
		pk[i].done = false;
	}
	ret = fbt_poke_write(pk, n, &parked);
	/*
	 * A CPU that was not parked may have translated a page while its byte
	 * changed: let the watch store those bytes again (core/watch.c).
	 */
	if (!parked)
		fbt_watch_kick();
	for (i = 0; i < n; i++) {
		if (pk[i].done) {
			if (!parked)
				pk[i].p->flags |= FBT_P_RESTORED;
			WRITE_ONCE(pk[i].p->state, FBT_DISARMED);
		} else if (!ret) {
			/* Not our 0xcc any more: someone rewrote the text. */
			pr_warn("fbt: %lx lost its int3, quarantined\n",
				pk[i].p->addr);
			WRITE_ONCE(pk[i].p->state, FBT_QUARANTINED);
		}
	}
	return ret;
}

static int fbt_arm_batch(struct fbt_poke *pk, unsigned int n)
{
	bool parked = true;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		pk[i].old = pk[i].p->emul.bytes[0];
		pk[i].new = FBT_INT3;
		pk[i].done = false;
		WRITE_ONCE(pk[i].p->state, FBT_ARMED);
	}
	/* The handler must see ARMED before any CPU can fetch the int3. */
	smp_wmb();
	ret = fbt_poke_write(pk, n, &parked);
	for (i = 0; i < n; i++) {
		if (pk[i].done)
			continue;
		if (ret) {
			WRITE_ONCE(pk[i].p->state, FBT_DISARMED);
		} else {
			WRITE_ONCE(pk[i].p->state, FBT_REFUSED);
			pk[i].p->reason = FBT_R_CHANGED;
		}
	}
	return ret;
}

static bool fbt_wanted(const struct fbt_probe *p)
{
	return (p->flags & (FBT_P_WANT | FBT_P_OPDENY)) == FBT_P_WANT;
}

typedef bool (*fbt_pred_t)(const struct fbt_probe *p, const void *arg);

/* Apply @batch to every probe of @only (or of all objects) matching @pred. */
static int fbt_for_batches(struct fbt_obj *only, fbt_pred_t pred,
			   const void *arg,
			   int (*batch)(struct fbt_poke *, unsigned int),
			   unsigned long *count)
{
	struct fbt_obj *o;
	unsigned int n = 0, i;
	int ret = 0, r;

	list_for_each_entry(o, &fbt_objs, list) {
		if (only && o != only)
			continue;
		for (i = 0; i < o->nprobes; i++) {
			if (!pred(&o->probes[i], arg))
				continue;
			fbt_pokes[n++].p = &o->probes[i];
			(*count)++;
			if (n < FBT_BATCH)
				continue;
			r = batch(fbt_pokes, n);
			ret = ret ? ret : r;
			n = 0;
			cond_resched();
		}
	}
	if (n) {
		r = batch(fbt_pokes, n);
		ret = ret ? ret : r;
	}
	return ret;
}

static bool fbt_pred_unwanted(const struct fbt_probe *p, const void *arg)
{
	return p->state == FBT_ARMED && !fbt_wanted(p);
}

static bool fbt_pred_oracle(const struct fbt_probe *p, const void *arg)
{
	return p->state == FBT_DISARMED && fbt_wanted(p) &&
	       (p->flags & FBT_P_ORACLE);
}

static bool fbt_pred_arm(const struct fbt_probe *p, const void *arg)
{
	return p->state == FBT_DISARMED && fbt_wanted(p);
}

static bool fbt_pred_armed(const struct fbt_probe *p, const void *arg)
{
	return p->state == FBT_ARMED;
}

/*
 * Ask kprobes about wanted probes not yet checked (return sites), in chunks
 * of FBT_ORACLE_CHUNK with fbt_lock let go between them: the first
 * `enable *:*:return' asks about some 50,000 sites (70 s under qemu TCG),
 * and a module loading meanwhile must not wait that long for the lock
 * (its notifier takes it). Each chunk is collected afresh under the lock,
 * and every probe asked leaves the set (accepted or refused), so the loop
 * ends.
 */
#define FBT_ORACLE_CHUNK	512

static int fbt_reconcile_oracle(void)
{
	struct fbt_probe **v;
	struct fbt_obj *o;
	unsigned int n, i;
	int ret = 0;

	v = kvmalloc_array(FBT_ORACLE_CHUNK, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	for (;;) {
		n = 0;
		list_for_each_entry(o, &fbt_objs, list)
			for (i = 0; i < o->nprobes && n < FBT_ORACLE_CHUNK; i++)
				if (fbt_pred_oracle(&o->probes[i], NULL))
					v[n++] = &o->probes[i];
		if (!n)
			break;
		ret = fbt_sites_oracle_list(v, n);
		if (ret || n < FBT_ORACLE_CHUNK)
			break;
		mutex_unlock(&fbt_lock);
		cond_resched();
		mutex_lock(&fbt_lock);
	}
	kvfree(v);
	return ret;
}

/*
 * Make the text match the flags: armed exactly when wanted (enabled by a
 * glob, not denied by an opcode filter) and not refused. Called with
 * fbt_lock held; the kprobes oracle lets it go between chunks.
 */
int fbt_reconcile(void)
{
	unsigned long n = 0;
	u64 t0;
	int ret, r;

	lockdep_assert_held(&fbt_lock);
	t0 = ktime_get_ns();
	ret = fbt_for_batches(NULL, fbt_pred_unwanted, NULL, fbt_disarm_batch,
			      &n);
	if (n) {
		fbt_stats.disarm_ns = ktime_get_ns() - t0;
		fbt_stats.disarm_n = n;
	}
	r = fbt_reconcile_oracle();
	ret = ret ? ret : r;
	n = 0;
	t0 = ktime_get_ns();
	r = fbt_for_batches(NULL, fbt_pred_arm, NULL, fbt_arm_batch, &n);
	ret = ret ? ret : r;
	if (n) {
		fbt_stats.arm_ns = ktime_get_ns() - t0;
		fbt_stats.arm_n = n;
	}
	return ret;
}

/* Restore every armed byte of @o (or of everything if NULL). */
void fbt_disarm_obj(struct fbt_obj *o)
{
	unsigned long n = 0;
	int tries;

	lockdep_assert_held(&fbt_lock);
	for (tries = 0; tries < 100; tries++) {
		if (!fbt_for_batches(o, fbt_pred_armed, NULL, fbt_disarm_batch,
				     &n))
			return;
		msleep(50);
	}
	pr_err("fbt: could not restore the text of %s\n",
	       o ? o->name : "everything");
}

/*
 * recorder/: disarm @p for good after a violation (state quarantined: no
 * glob arms it again). Called with fbt_lock held.
 */
int fbt_quarantine_probe(struct fbt_probe *p)
{
	int ret = 0;

	lockdep_assert_held(&fbt_lock);
	if (p->state == FBT_ARMED) {
		fbt_pokes[0].p = p;
		ret = fbt_disarm_batch(fbt_pokes, 1);
	}
	if (!ret && p->state == FBT_DISARMED)
		WRITE_ONCE(p->state, FBT_QUARANTINED);
	return ret;
}

int fbt_patch_init(void)
{
	fbt_pokes = kvcalloc(FBT_BATCH, sizeof(*fbt_pokes), GFP_KERNEL);
	fbt_batch_pages = kvcalloc(FBT_BATCH, sizeof(*fbt_batch_pages),
				   GFP_KERNEL);
	if (fbt_pokes && fbt_batch_pages)
		return 0;
	fbt_patch_exit();
	return -ENOMEM;
}

void fbt_patch_exit(void)
{
	kvfree(fbt_pokes);
	fbt_pokes = NULL;
	kvfree(fbt_batch_pages);
	fbt_batch_pages = NULL;
}
