// SPDX-License-Identifier: GPL-2.0
/*
 * The stale-int3 watch, the fallback for a batch whose rendezvous timed out
 * (patch.c: a CPU that was not parked while bytes were restored). For a
 * while after such a batch, a timer on every CPU looks at where it
 * interrupted the CPU, and when that is a probe address whose byte is back,
 * writes the byte once more, the same value.
 *
 * Why: under qemu TCG a vCPU that translates a page while another restores
 * a byte there can keep a translation that still holds the int3
 * (Documentation/design.rst, "Late traps"). Where kprobes claims such a
 * trap first (it does on 6.1: the byte is not 0xcc, so it rewinds ip and
 * returns), the CPU loops on it for ever. A CPU in that loop is interrupted
 * at the probe address; a store to the byte from any CPU makes qemu drop
 * the translations that hold it, so the next fetch sees the real
 * instruction. On hardware the loop cannot happen and a rewrite is one
 * redundant store.
 *
 * A CPU looping that way with interrupts disabled is never interrupted, so
 * a work item also sweeps: 20 ms, 200 ms and 1 s after the last such batch
 * it stores every byte that batch restored once more, which ends such a
 * loop from any other CPU.
 *
 * The store goes through a writable alias of the object's text that exists
 * only while the watch runs (vmap of its pages, made when the watch starts,
 * removed when it ends or when an object comes or goes). It is a locked
 * cmpxchg of the original byte with itself: it cannot undo an int3 written
 * in the meantime, and it is a store on every CPU model.
 */
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <asm/irq_regs.h>

#include "fbt.h"

#define FBT_WATCH_MS		2000	/* how long after the last restore */
#define FBT_WATCH_PERIOD_NS	(10 * NSEC_PER_MSEC)

/* One object's text and its writable alias. */
struct fbt_alias {
	unsigned long start;	/* page-aligned text start */
	unsigned long end;	/* page-aligned text end */
	u8 *rw;
};

struct fbt_alias_set {
	unsigned int n;
	struct fbt_alias a[];
};

static struct fbt_alias_set *fbt_aliases;	/* read by the timers */
static unsigned long fbt_watch_until;		/* jiffies */
static DEFINE_PER_CPU(struct hrtimer, fbt_watch_timer);
static atomic_long_t fbt_watch_rewrites;
static bool fbt_watch_running;			/* under fbt_lock */
static unsigned long fbt_swept;			/* under fbt_lock */
static unsigned int fbt_sweeps_done;		/* under fbt_lock */
static const unsigned int fbt_sweep_ms[] = { 20, 200, 1000 };

static void fbt_watch_reap(struct work_struct *w);
static DECLARE_DELAYED_WORK(fbt_watch_reap_work, fbt_watch_reap);
static void fbt_watch_sweep(struct work_struct *w);
static DECLARE_DELAYED_WORK(fbt_watch_sweep_work, fbt_watch_sweep);

static u8 *fbt_alias_of(const struct fbt_alias_set *s, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (addr >= s->a[i].start && addr < s->a[i].end)
			return s->a[i].rw + (addr - s->a[i].start);
	return NULL;
}

static enum hrtimer_restart fbt_watch_fire(struct hrtimer *t)
{
	struct pt_regs *regs = get_irq_regs();
	const struct fbt_alias_set *s = READ_ONCE(fbt_aliases);
	struct fbt_probe *p;
	u8 byte, *rw;

	if (regs && !user_mode(regs) && s) {
		p = fbt_trap_lookup(regs->ip);
		if (!p)
			goto skip;
		__get_kernel_nofault(&byte, (u8 *)regs->ip, u8, skip);
		if (byte == p->emul.bytes[0] && byte != FBT_INT3) {
			rw = fbt_alias_of(s, regs->ip);
			if (rw) {
				cmpxchg(rw, byte, byte);
				atomic_long_inc(&fbt_watch_rewrites);
			}
		}
	}
skip:
	if (time_after(jiffies, READ_ONCE(fbt_watch_until)))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(FBT_WATCH_PERIOD_NS));
	return HRTIMER_RESTART;
}

static void fbt_alias_free(struct fbt_alias_set *s)
{
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		vunmap(s->a[i].rw);
	kfree(s);
}

/* A writable alias of [start, end), or NULL. */
static u8 *fbt_alias_map(unsigned long start, unsigned long end)
{
	unsigned int n = (end - start) >> PAGE_SHIFT, i;
	struct page **pages;
	u8 *rw = NULL;

	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return NULL;
	for (i = 0; i < n; i++) {
		pages[i] = fbt_text_page(start + ((unsigned long)i << PAGE_SHIFT));
		if (!pages[i])
			goto out;
	}
	rw = vmap(pages, n, VM_MAP, PAGE_KERNEL);
out:
	kvfree(pages);
	return rw;
}

static struct fbt_alias_set *fbt_alias_build(void)
{
	struct fbt_alias_set *s;
	struct fbt_obj *o;
	unsigned int n = 0;

	list_for_each_entry(o, &fbt_objs, list)
		n++;
	s = kzalloc(struct_size(s, a, n), GFP_KERNEL);
	if (!s)
		return NULL;
	list_for_each_entry(o, &fbt_objs, list) {
		struct fbt_alias *a = &s->a[s->n];

		a->start = o->text_start & PAGE_MASK;
		a->end = PAGE_ALIGN(o->text_end);
		a->rw = fbt_alias_map(a->start, a->end);
		if (a->rw)
			s->n++;
	}
	return s;
}

static void fbt_watch_start_cpu(void *unused)
{
	struct hrtimer *t = this_cpu_ptr(&fbt_watch_timer);

	if (!hrtimer_active(t))
		hrtimer_start(t, ns_to_ktime(FBT_WATCH_PERIOD_NS),
			      HRTIMER_MODE_REL_PINNED);
}

/* Stop the timers and drop the alias. Called with fbt_lock held. */
void fbt_watch_stop(void)
{
	struct fbt_alias_set *s;
	int cpu;

	lockdep_assert_held(&fbt_lock);
	WRITE_ONCE(fbt_watch_until, jiffies - 1);
	for_each_possible_cpu(cpu)
		hrtimer_cancel(per_cpu_ptr(&fbt_watch_timer, cpu));
	s = fbt_aliases;
	WRITE_ONCE(fbt_aliases, NULL);
	fbt_watch_running = false;
	cancel_delayed_work(&fbt_watch_sweep_work);	/* it finds no alias */
	/* hrtimer_cancel() waited for every running callback. */
	fbt_alias_free(s);
}

/*
 * An object came or went: map the text of the objects there are now, and
 * go on watching (a module loaded or unloaded every second must not end
 * the watch). Called with fbt_lock held, after the list changed.
 */
void fbt_watch_remap(void)
{
	struct fbt_alias_set *s;
	int cpu;

	lockdep_assert_held(&fbt_lock);
	if (!fbt_aliases)
		return;
	WRITE_ONCE(fbt_aliases, NULL);	/* timers see no alias ... */
	for_each_possible_cpu(cpu)	/* ... or have finished with it */
		hrtimer_cancel(per_cpu_ptr(&fbt_watch_timer, cpu));
	s = fbt_alias_build();
	swap(s, fbt_aliases);
	fbt_alias_free(s);
	if (fbt_watch_running && fbt_aliases &&
	    time_before(jiffies, READ_ONCE(fbt_watch_until)))
		on_each_cpu(fbt_watch_start_cpu, NULL, 1);
}

/*
 * Bytes were just restored: watch every CPU for FBT_WATCH_MS more.
 * Called with fbt_lock held.
 */
void fbt_watch_kick(void)
{
	lockdep_assert_held(&fbt_lock);
	WRITE_ONCE(fbt_watch_until, jiffies + msecs_to_jiffies(FBT_WATCH_MS));
	if (!fbt_aliases)
		WRITE_ONCE(fbt_aliases, fbt_alias_build());
	if (!fbt_aliases)
		return;
	/* Timers that ran out start again; running ones see the new end. */
	on_each_cpu(fbt_watch_start_cpu, NULL, 1);
	fbt_watch_running = true;
	fbt_sweeps_done = 0;
	mod_delayed_work(system_wq, &fbt_watch_sweep_work,
			 msecs_to_jiffies(fbt_sweep_ms[0]));
	mod_delayed_work(system_wq, &fbt_watch_reap_work,
			 msecs_to_jiffies(FBT_WATCH_MS + 100));
}

/* Store every lately restored byte once more; the last sweep forgets them. */
static void fbt_watch_sweep(struct work_struct *w)
{
	const struct fbt_alias_set *s;
	struct fbt_obj *o;
	bool last;
	u32 i;

	mutex_lock(&fbt_lock);
	s = fbt_aliases;
	if (!s || fbt_sweeps_done >= ARRAY_SIZE(fbt_sweep_ms))
		goto out;
	last = ++fbt_sweeps_done == ARRAY_SIZE(fbt_sweep_ms);
	list_for_each_entry(o, &fbt_objs, list) {
		for (i = 0; i < o->nprobes; i++) {
			struct fbt_probe *p = &o->probes[i];
			u8 orig = p->emul.bytes[0], *rw;

			if (!(p->flags & FBT_P_RESTORED))
				continue;
			if (last || p->state == FBT_ARMED)
				p->flags &= ~FBT_P_RESTORED;
			if (p->state == FBT_ARMED)
				continue;
			rw = fbt_alias_of(s, p->addr);
			if (rw && cmpxchg(rw, orig, orig) == orig)
				fbt_swept++;
		}
		cond_resched();
	}
	if (!last)
		mod_delayed_work(system_wq, &fbt_watch_sweep_work,
				 msecs_to_jiffies(fbt_sweep_ms[fbt_sweeps_done] -
						  fbt_sweep_ms[fbt_sweeps_done - 1]));
out:
	mutex_unlock(&fbt_lock);
}

unsigned long fbt_watch_swept(void)
{
	return READ_ONCE(fbt_swept);
}

static void fbt_watch_reap(struct work_struct *w)
{
	mutex_lock(&fbt_lock);
	if (fbt_watch_running && time_after(jiffies, fbt_watch_until))
		fbt_watch_stop();
	mutex_unlock(&fbt_lock);
}

unsigned long fbt_watch_count(void)
{
	return atomic_long_read(&fbt_watch_rewrites);
}

void fbt_watch_reset(void)
{
	atomic_long_set(&fbt_watch_rewrites, 0);
	WRITE_ONCE(fbt_swept, 0);
}

void fbt_watch_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct hrtimer *t = per_cpu_ptr(&fbt_watch_timer, cpu);

		hrtimer_init(t, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED);
		t->function = fbt_watch_fire;
	}
}

/* Before the probe table goes away. */
void fbt_watch_exit(void)
{
	cancel_delayed_work_sync(&fbt_watch_reap_work);
	cancel_delayed_work_sync(&fbt_watch_sweep_work);
	mutex_lock(&fbt_lock);
	fbt_watch_stop();
	mutex_unlock(&fbt_lock);
}
