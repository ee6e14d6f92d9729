// SPDX-License-Identifier: GPL-2.0
/*
 * The checks beyond the trap itself, and the crash-time dumps.
 *
 * - Syscall exit: interrupts must be enabled there (the kernel checks it
 *   only under PROVE_LOCKING). A probe on the sys_exit tracepoint, found
 *   with for_each_kernel_tracepoint() and registered with
 *   tracepoint_probe_register() (both exported on 6.1 and 6.12), checks
 *   irqs_disabled().
 * - Softirq exit: the kernel runs each softirq action with interrupts
 *   enabled and goes on to the next one as if they still were; an action
 *   (an RCU callback freeing memory, say) that returns with them disabled
 *   is a bug the stock kernel does not look for. A probe on softirq_exit
 *   checks irqs_disabled() there.
 *   Both count every hit (fbt/stats: sysexit_violations,
 *   softirq_violations), report and record at most once per fbt_sysexit_ms
 *   each, and then, with repair=1, re-enable interrupts: what the kernel's
 *   own PROVE_LOCKING syscall-exit check does after its warning, at a point
 *   where the kernel guarantees they are on. Damage found there goes no
 *   further, so a broken emulation (inject=pushf-image) shows without
 *   freezing the machine.
 * - The console: the "console" tracepoint sees each message; after a
 *   WARNING, "BUG: sleeping function called from invalid context" or an
 *   irqflags warning, the rings are dumped (deferred to the irq_work).
 * - Oops (die chain, DIE_OOPS) and panic (panic_notifier_list): the rings
 *   are dumped right there, before the machine goes.
 */
#include <linux/jiffies.h>
#include <linux/kdebug.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/ptrace.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <asm/irqflags.h>
#include <asm/processor-flags.h>

#include "recorder.h"

static bool fbt_sysexit_check = true;
module_param_named(sysexit_check, fbt_sysexit_check, bool, 0444);
MODULE_PARM_DESC(sysexit_check, "check that interrupts are enabled at syscall exit (1)");

static unsigned int fbt_sysexit_ms = 1000;
module_param_named(sysexit_ms, fbt_sysexit_ms, uint, 0644);
MODULE_PARM_DESC(sysexit_ms, "at most one syscall-exit (and one softirq-exit) report per this many ms (1000)");

static bool fbt_softirq_check = true;
module_param_named(softirq_check, fbt_softirq_check, bool, 0444);
MODULE_PARM_DESC(softirq_check, "check that interrupts are enabled when a softirq action returns (1)");

static bool fbt_console_hook = true;
module_param_named(console_hook, fbt_console_hook, bool, 0444);
MODULE_PARM_DESC(console_hook, "dump after a kernel WARNING/BUG message (1)");

static struct tracepoint *fbt_tp_sys_exit, *fbt_tp_softirq_exit;
static struct tracepoint *fbt_tp_console;
static unsigned long fbt_sysexit_last, fbt_softirq_last, fbt_console_last;
static atomic_long_t fbt_sysexit_hits, fbt_softirq_hits, fbt_console_hits;
static atomic_t fbt_crash_dumped = ATOMIC_INIT(0);

static void fbt_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sys_exit"))
		fbt_tp_sys_exit = tp;
	else if (!strcmp(tp->name, "softirq_exit"))
		fbt_tp_softirq_exit = tp;
	else if (!strcmp(tp->name, "console"))
		fbt_tp_console = tp;
}

/* Rate limit: true if a report is due (at most one per fbt_sysexit_ms). */
static bool fbt_report_due(unsigned long *last)
{
	unsigned long now = jiffies, prev = READ_ONCE(*last);

	if (prev && time_before(now, prev + msecs_to_jiffies(fbt_sysexit_ms)))
		return false;
	WRITE_ONCE(*last, now);
	return true;
}

static void fbt_on_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	if (likely(!irqs_disabled()))
		return;
	atomic_long_inc(&fbt_sysexit_hits);
	if (fbt_report_due(&fbt_sysexit_last)) {
		pr_emerg("fbt: syscall %ld left interrupts disabled\n",
			 regs ? (long)regs->orig_ax : -1L);
		fbt_rec_event(FBT_WHY_SYSEXIT, regs ? regs->ip : 0,
			      native_save_fl(), regs ? regs->orig_ax : 0);
	}
	/* What the kernel does after its own check: carry on, enabled. */
	if (fbt_rec_repair)
		local_irq_enable();
}

/*
 * Called by handle_softirqs() right after an action returned, in the loop
 * that enabled interrupts for the actions and disables them only after the
 * last one: they must still be on here.
 */
static void fbt_on_softirq_exit(void *data, unsigned int vec)
{
	if (likely(!irqs_disabled()))
		return;
	atomic_long_inc(&fbt_softirq_hits);
	if (fbt_report_due(&fbt_softirq_last)) {
		pr_emerg("fbt: softirq %u left interrupts disabled\n", vec);
		fbt_rec_event(FBT_WHY_SOFTIRQ, _RET_IP_, native_save_fl(), vec);
	}
	if (fbt_rec_repair)
		local_irq_enable();
}

/* fbt/stats lines: what the checks outside the traps have seen. */
void fbt_assert_stats(struct seq_file *m)
{
	seq_printf(m, "sysexit_violations %ld\nsoftirq_violations %ld\nconsole_warnings %ld\n",
		   atomic_long_read(&fbt_sysexit_hits),
		   atomic_long_read(&fbt_softirq_hits),
		   atomic_long_read(&fbt_console_hits));
}

/*
 * strnstr() without memcmp(): memcmp is an armed probe, and every trap it
 * took here would push real history out of this CPU's ring.
 */
static bool fbt_has(const char *text, size_t len, const char *pat)
{
	size_t i, j;

	for (i = 0; i < len; i++) {
		for (j = 0; pat[j] && i + j < len && text[i + j] == pat[j]; j++)
			;
		if (!pat[j])
			return true;
	}
	return false;
}

static bool fbt_console_match(const char *text, size_t len)
{
	static const char * const pats[] = {
		"WARNING:",
		"BUG: sleeping function called from invalid context",
		"raw_local_irq_restore() called with IRQs enabled",
		"DEBUG_LOCKS_WARN_ON",
		"irqs_disabled()",
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(pats); i++)
		if (fbt_has(text, len, pats[i]))
			return true;
	return false;
}

static void fbt_on_console(void *data, const char *text, size_t len)
{
	unsigned long now;

	if (!text || fbt_has(text, len, "fbt: ") ||
	    !fbt_console_match(text, len))
		return;
	atomic_long_inc(&fbt_console_hits);
	now = jiffies;
	if (fbt_console_last && time_before(now, fbt_console_last + 10 * HZ))
		return;
	fbt_console_last = now;
	fbt_rec_event(FBT_WHY_CONSOLE, _RET_IP_, native_save_fl(), 0);
}

static int fbt_die_notify(struct notifier_block *nb, unsigned long val,
			  void *data)
{
	if (val != DIE_OOPS)
		return NOTIFY_DONE;
	if (atomic_inc_return(&fbt_crash_dumped) <= 2)
		fbt_dump(NULL, "oops", true);
	return NOTIFY_DONE;
}

static int fbt_panic_notify(struct notifier_block *nb, unsigned long val,
			    void *data)
{
	if (atomic_inc_return(&fbt_crash_dumped) <= 2)
		fbt_dump(NULL, "panic", true);
	return NOTIFY_DONE;
}

static struct notifier_block fbt_die_nb = {
	.notifier_call = fbt_die_notify,
	.priority = INT_MAX - 1,
};

static struct notifier_block fbt_panic_nb = {
	.notifier_call = fbt_panic_notify,
	.priority = INT_MAX,
};

void fbt_rec_request_dump(const char *reason)
{
	fbt_dump(NULL, reason, true);
}

static void fbt_assert_exit_tps(void)
{
	if (fbt_tp_sys_exit)
		tracepoint_probe_unregister(fbt_tp_sys_exit,
					    (void *)fbt_on_sys_exit, NULL);
	if (fbt_tp_softirq_exit)
		tracepoint_probe_unregister(fbt_tp_softirq_exit,
					    (void *)fbt_on_softirq_exit, NULL);
	if (fbt_tp_console)
		tracepoint_probe_unregister(fbt_tp_console,
					    (void *)fbt_on_console, NULL);
	fbt_tp_sys_exit = NULL;
	fbt_tp_softirq_exit = NULL;
	fbt_tp_console = NULL;
	tracepoint_synchronize_unregister();
}

int fbt_assert_init(void)
{
	int ret;

	for_each_kernel_tracepoint(fbt_find_tp, NULL);
	if (fbt_sysexit_check) {
		if (!fbt_tp_sys_exit ||
		    tracepoint_probe_register(fbt_tp_sys_exit,
					      (void *)fbt_on_sys_exit, NULL)) {
			pr_warn("fbt: no sys_exit tracepoint: syscall-exit check off\n");
			fbt_tp_sys_exit = NULL;
		}
	} else {
		fbt_tp_sys_exit = NULL;
	}
	if (fbt_softirq_check) {
		if (!fbt_tp_softirq_exit ||
		    tracepoint_probe_register(fbt_tp_softirq_exit,
					      (void *)fbt_on_softirq_exit, NULL)) {
			pr_warn("fbt: no softirq_exit tracepoint: softirq-exit check off\n");
			fbt_tp_softirq_exit = NULL;
		}
	} else {
		fbt_tp_softirq_exit = NULL;
	}
	if (fbt_console_hook) {
		if (!fbt_tp_console ||
		    tracepoint_probe_register(fbt_tp_console,
					      (void *)fbt_on_console, NULL)) {
			pr_warn("fbt: no console tracepoint: console hook off\n");
			fbt_tp_console = NULL;
		}
	} else {
		fbt_tp_console = NULL;
	}
	ret = register_die_notifier(&fbt_die_nb);
	if (ret)
		goto err;
	ret = atomic_notifier_chain_register(&panic_notifier_list,
					     &fbt_panic_nb);
	if (ret) {
		unregister_die_notifier(&fbt_die_nb);
		goto err;
	}
	return 0;
err:
	fbt_assert_exit_tps();
	return ret;
}

void fbt_assert_exit(void)
{
	atomic_notifier_chain_unregister(&panic_notifier_list, &fbt_panic_nb);
	unregister_die_notifier(&fbt_die_nb);
	fbt_assert_exit_tps();
}
