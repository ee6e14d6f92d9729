// SPDX-License-Identifier: GPL-2.0
/*
 * Text patching: an int3 written, or the original byte restored, through a
 * temporary writable alias of the text page (vm_map_ram of the page from
 * virt_to_page for the kernel image, vmalloc_to_page for module text), then
 * every CPU serialized by an IPI running sync_core().
 *
 * Batches: up to FBT_BATCH probes, one mapping per page, one sync per batch.
 * Only the first byte of an instruction chosen by sites.c is ever written:
 * never an ENDBR, never an ftrace site. Each byte is checked before it is
 * written (the original before arming, 0xcc before disarming).
 *
 * Ordering with the trap handler (trap.c):
 *  arm:    state = ARMED, write 0xcc, sync.
 *  disarm: write the original byte, sync, state = DISARMED.
 * So a trap on an armed byte always finds ARMED, and a trap that finds
 * DISARMED (a CPU that hit the int3 just before it was restored) sees the
 * original byte and is claimed as a ghost: it re-executes the instruction.
 */
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <asm/sync_core.h>

#include "fbt.h"

#define FBT_BATCH	4096

struct fbt_poke {
	struct fbt_probe *p;
	u8 old, new;
	bool done;
	bool restored;		/* disarm: the first write put the byte back */
};

static struct fbt_poke *fbt_pokes;	/* FBT_BATCH entries, under fbt_lock */

/* Serialize this CPU: no stale prefetched bytes survive the IPI. */
static void fbt_sync_one(void *unused)
{
	sync_core();
}

static void fbt_sync_all(void)
{
	on_each_cpu(fbt_sync_one, NULL, 1);
}

struct page *fbt_text_page(unsigned long addr)
{
	if (addr >= MODULES_VADDR && addr < MODULES_END)
		return vmalloc_to_page((void *)addr);
	return virt_to_page((void *)addr);
}

/*
 * Write the pokes (sorted by address within a page run). A poke whose byte
 * is not ->old is left alone (->done stays false). Returns 0, or -ENOMEM
 * when a page could not be mapped after retries (the rest are not done).
 */
static int fbt_poke_write(struct fbt_poke *pk, unsigned int n)
{
	unsigned int i = 0, tries = 0;

	while (i < n) {
		unsigned long page_base = pk[i].p->addr & PAGE_MASK;
		struct page *page = fbt_text_page(pk[i].p->addr);
		u8 *va = page ? vm_map_ram(&page, 1, NUMA_NO_NODE) : NULL;

		if (!va) {
			if (!page || ++tries > 10)
				return -ENOMEM;
			msleep(20);
			continue;
		}
		tries = 0;
		for (; i < n && (pk[i].p->addr & PAGE_MASK) == page_base; i++) {
			u8 *b = va + offset_in_page(pk[i].p->addr);

			if (READ_ONCE(*b) != pk[i].old)
				continue;
			WRITE_ONCE(*b, pk[i].new);
			pk[i].done = true;
		}
		vm_unmap_ram(va, 1);
	}
	return 0;
}

/*
 * Write every restored byte once more, the same value, after the sync, and
 * sync again. Under qemu TCG a vCPU that translated the page while the
 * first write landed can keep a translation still holding the int3 (its
 * cross-vCPU tracking of self-modifying code races with the translation),
 * and then trap on the restored byte long after; a later write to a page
 * with translated code invalidates such translations. On hardware this is
 * one redundant store per probe. See Documentation/design.rst.
 */
static void fbt_poke_rewrite(struct fbt_poke *pk, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		pk[i].restored = pk[i].done;
		/* An unrestored byte is left alone: 0xcc -> 0xcc if anything. */
		if (!pk[i].done)
			pk[i].new = FBT_INT3;
		pk[i].old = pk[i].new;
	}
	fbt_poke_write(pk, n);
	fbt_sync_all();
}

static int fbt_disarm_batch(struct fbt_poke *pk, unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		pk[i].old = FBT_INT3;
		pk[i].new = pk[i].p->emul.bytes[0];
		pk[i].done = false;
	}
	ret = fbt_poke_write(pk, n);
	fbt_sync_all();
	fbt_poke_rewrite(pk, n);
	fbt_watch_kick();
	for (i = 0; i < n; i++) {
		if (pk[i].restored) {
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
	ret = fbt_poke_write(pk, n);
	fbt_sync_all();
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

/* Ask kprobes about wanted probes not yet checked (return sites). */
static int fbt_reconcile_oracle(void)
{
	struct fbt_probe **v;
	struct fbt_obj *o;
	unsigned int n = 0, i;
	int ret;

	list_for_each_entry(o, &fbt_objs, list)
		for (i = 0; i < o->nprobes; i++)
			n += fbt_pred_oracle(&o->probes[i], NULL);
	if (!n)
		return 0;
	v = kvmalloc_array(n, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	n = 0;
	list_for_each_entry(o, &fbt_objs, list)
		for (i = 0; i < o->nprobes; i++)
			if (fbt_pred_oracle(&o->probes[i], NULL))
				v[n++] = &o->probes[i];
	ret = fbt_sites_oracle_list(v, n);
	kvfree(v);
	return ret;
}

/*
 * Make the text match the flags: armed exactly when wanted (enabled by a
 * glob, not denied by an opcode filter) and not refused. Called with
 * fbt_lock held.
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
	return fbt_pokes ? 0 : -ENOMEM;
}

void fbt_patch_exit(void)
{
	kvfree(fbt_pokes);
	fbt_pokes = NULL;
}
