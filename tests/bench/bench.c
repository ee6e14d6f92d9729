// SPDX-License-Identifier: GPL-2.0
/*
 * fbt_bench: the benchmark module of tests/bench/ (Documentation/
 * performance.rst). It never patches text itself; it offers targets and
 * times calls to them while a mechanism probes their first instruction:
 *
 *  plain   just call: fbt's probes are armed or not by the runner through
 *          fbt's control file, so "plain" with an armed probe is fbt's path;
 *  floor   call the twin bench_<name>_floor, whose int3 fbt armed: this
 *          module's DIE_INT3 notifier (registered before fbt loads, so it
 *          runs first in the die chain) claims the trap and only replays
 *          the instruction with the same emulator (emul/): the floor of a
 *          die-notifier design;
 *  kprobe  a kprobe with an empty pre_handler at the same instruction (for
 *          the target "ftrace": at the C function's ftrace site).
 *
 * What runs in the trap path is kept out of reach of fbt's own probes (an
 * int3 in a die notifier recurses): NOKPROBE_SYMBOL puts it on the kprobe
 * blacklist and its name starts with fbt_, both of which fbt refuses.
 *
 * /sys/kernel/debug/fbt_bench/:
 *  run      write "<target> <plain|floor|kprobe> <calls>": runs the loop
 *           in 8 chunks (preemption off in each); read: "<target> <mode>
 *           <calls> <ns> <hits> <ftrace> <best> <trapped>": total ns, hits
 *           as counted by the mechanism (0 for plain), ftrace 1 when the
 *           kprobe sits on an ftrace site, best the fastest chunk times 8,
 *           trapped the kprobe hits that came through the int3 handler
 *           (the rest came through a jump-optimized kprobe);
 *  targets  one line per target: name, probe address, first bytes;
 *  now      ktime_get_ns(), for the runner's wall-clock timings.
 */
#include <linux/debugfs.h>
#include <linux/kdebug.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/kdebug.h>

#include "emul.h"
#include "bench.h"

struct bench_target {
	const char *name;
	void (*fn)(void);
	void (*floor)(void);
	unsigned long insn;		/* first real instruction of fn */
	unsigned long floor_insn;	/* the same in the twin */
	struct fbt_emul emul;		/* that instruction, for the floor */
};

#define BENCH_T(n) { #n, bench_##n, bench_##n##_floor }

static struct bench_target bench_targets[] = {
	BENCH_T(push), BENCH_T(pushf), BENCH_T(mov), BENCH_T(xchg),
	BENCH_T(sub), BENCH_T(lea),
	{ "ftrace", bench_ftrace, NULL },
};

/* The target whose twin the notifier claims, or NULL. */
static struct bench_target *bench_floor_on;
static DEFINE_PER_CPU(unsigned long, bench_hits);
static DEFINE_PER_CPU(unsigned long, bench_trapped);
static DEFINE_MUTEX(bench_lock);
static char bench_result[160] = "none\n";	/* under bench_lock */
static struct dentry *bench_dir;

/* Skip an ENDBR (or its sealed form): where fbt and kprobes probe. */
static unsigned long bench_insn_addr(void (*fn)(void))
{
	static const u8 endbr[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const u8 sealed[4] = { 0x66, 0x0f, 0x1f, 0x00 };
	unsigned long a = (unsigned long)fn;
	u8 b[4];

	if (copy_from_kernel_nofault(b, fn, 4))
		return a;
	if (!memcmp(b, endbr, 4) || !memcmp(b, sealed, 4))
		a += 4;
	return a;
}

static int notrace fbt_bench_int3_notify(struct notifier_block *nb,
					 unsigned long val, void *data)
{
	struct die_args *args = data;
	struct pt_regs *regs = args->regs;
	struct bench_target *t = READ_ONCE(bench_floor_on);
	unsigned long addr;

	if (val != DIE_INT3 || !t || !regs || user_mode(regs))
		return NOTIFY_DONE;
	addr = regs->ip - 1;
	if (addr != t->floor_insn)
		return NOTIFY_DONE;
	regs->ip = addr;
	if (fbt_emul_run(&t->emul, regs)) {
		regs->ip = addr + 1;
		return NOTIFY_DONE;
	}
	this_cpu_inc(bench_hits);
	return NOTIFY_STOP;
}

NOKPROBE_SYMBOL(fbt_bench_int3_notify);

static struct notifier_block bench_nb = {
	.notifier_call = fbt_bench_int3_notify,
	.priority = INT_MAX,
};

/*
 * The empty handler, but for CPU-local increments that prove it ran and
 * tell how: from the int3 handler (in_nmi()) or from a jump-optimized
 * kprobe's detour (no trap at all).
 */
static int notrace fbt_bench_kp_pre(struct kprobe *kp, struct pt_regs *regs)
{
	this_cpu_inc(bench_hits);
	if (in_nmi())
		this_cpu_inc(bench_trapped);
	return 0;
}

NOKPROBE_SYMBOL(fbt_bench_kp_pre);

static unsigned long bench_sum(unsigned long __percpu *v)
{
	unsigned long s = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		s += *per_cpu_ptr(v, cpu);
	return s;
}

/*
 * Call @fn @n times, in BENCH_CHUNKS chunks; returns the total time and,
 * in @best, the fastest chunk scaled to @n calls: on a loaded host a vCPU
 * thread descheduled in the middle of a chunk makes that chunk slow, the
 * fastest one is the cost of the code.
 */
#define BENCH_CHUNKS	8

static u64 bench_loop(void (*fn)(void), unsigned long n, u64 *best)
{
	unsigned long i, c, per = DIV_ROUND_UP(n, BENCH_CHUNKS);
	u64 t0, t1, total = 0, fast = U64_MAX;

	for (c = 0; c < BENCH_CHUNKS; c++) {
		preempt_disable();
		t0 = ktime_get_ns();
		for (i = 0; i < per; i++)
			fn();
		t1 = ktime_get_ns();
		preempt_enable();
		total += t1 - t0;
		fast = min(fast, t1 - t0);
	}
	*best = fast * BENCH_CHUNKS;
	return total;
}

static int bench_run(struct bench_target *t, const char *mode,
		     unsigned long n)
{
	struct kprobe kp = { .pre_handler = fbt_bench_kp_pre };
	unsigned long h0 = bench_sum(&bench_hits);
	unsigned long k0 = bench_sum(&bench_trapped);
	bool ftrace = false;
	u64 ns, best;
	int ret;

	if (!strcmp(mode, "plain")) {
		ns = bench_loop(t->fn, n, &best);
	} else if (!strcmp(mode, "floor")) {
		if (!t->floor)
			return -EINVAL;
		WRITE_ONCE(bench_floor_on, t);
		ns = bench_loop(t->floor, n, &best);
		WRITE_ONCE(bench_floor_on, NULL);
		synchronize_rcu();	/* no CPU still in the notifier */
	} else if (!strcmp(mode, "kprobe")) {
		if (t->floor)
			kp.addr = (kprobe_opcode_t *)t->insn;
		else
			kp.symbol_name = "bench_ftrace";
		ret = register_kprobe(&kp);
		if (ret)
			return ret;
		ftrace = kp.flags & KPROBE_FLAG_FTRACE;
		ns = bench_loop(t->fn, n, &best);
		unregister_kprobe(&kp);
	} else {
		return -EINVAL;
	}
	snprintf(bench_result, sizeof(bench_result),
		 "%s %s %lu %llu %lu %d %llu %lu\n", t->name, mode,
		 DIV_ROUND_UP(n, BENCH_CHUNKS) * BENCH_CHUNKS, ns,
		 bench_sum(&bench_hits) - h0, ftrace, best,
		 bench_sum(&bench_trapped) - k0);
	return 0;
}

static ssize_t bench_run_write(struct file *f, const char __user *ubuf,
			       size_t len, loff_t *off)
{
	char buf[64], name[16], mode[16];
	unsigned long n;
	unsigned int i;
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%15s %15s %lu", name, mode, &n) != 3 || !n ||
	    n > 100000000)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(bench_targets); i++)
		if (!strcmp(name, bench_targets[i].name))
			break;
	if (i == ARRAY_SIZE(bench_targets))
		return -ENOENT;
	mutex_lock(&bench_lock);
	ret = bench_run(&bench_targets[i], mode, n);
	mutex_unlock(&bench_lock);
	return ret ? ret : len;
}

static int bench_run_show(struct seq_file *m, void *v)
{
	mutex_lock(&bench_lock);
	seq_puts(m, bench_result);
	mutex_unlock(&bench_lock);
	return 0;
}

static int bench_run_open(struct inode *inode, struct file *file)
{
	return single_open(file, bench_run_show, NULL);
}

static const struct file_operations bench_run_fops = {
	.owner = THIS_MODULE,
	.open = bench_run_open,
	.read = seq_read,
	.write = bench_run_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int bench_targets_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bench_targets); i++) {
		const struct bench_target *t = &bench_targets[i];

		seq_printf(m, "%s %ps+%lu %*ph\n", t->name, t->fn,
			   t->insn - (unsigned long)t->fn,
			   t->floor ? t->emul.insn.len : 1, (u8 *)t->insn);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bench_targets);

static int bench_now_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%llu\n", ktime_get_ns());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bench_now);

static int __init bench_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bench_targets); i++) {
		struct bench_target *t = &bench_targets[i];
		u8 b[FBT_INSN_MAX];

		t->insn = bench_insn_addr(t->fn);
		if (!t->floor)
			continue;
		t->floor_insn = bench_insn_addr(t->floor);
		if (copy_from_kernel_nofault(b, (void *)t->insn, sizeof(b)))
			return -EFAULT;
		ret = fbt_emul_prepare(&t->emul, b, sizeof(b));
		if (ret) {
			pr_err("fbt_bench: %s: the emulator refuses %*ph (%d)\n",
			       t->name, 4, b, ret);
			return -EINVAL;
		}
	}
	ret = register_die_notifier(&bench_nb);
	if (ret)
		return ret;
	bench_dir = debugfs_create_dir("fbt_bench", NULL);
	debugfs_create_file("run", 0600, bench_dir, NULL, &bench_run_fops);
	debugfs_create_file("targets", 0400, bench_dir, NULL,
			    &bench_targets_fops);
	debugfs_create_file("now", 0400, bench_dir, NULL, &bench_now_fops);
	return 0;
}

static void __exit bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
	unregister_die_notifier(&bench_nb);
}

module_init(bench_init);
module_exit(bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("fbt benchmark targets and reference mechanisms");
