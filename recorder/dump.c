// SPDX-License-Identifier: GPL-2.0
/*
 * The dump: every CPU's ring, oldest to newest, the violating record
 * marked, to printk and as fbt_history events into the ftrace instance
 * "fbt"; and /sys/kernel/debug/fbt/recorder, the live rings.
 *
 * Safe in NMI, oops and panic context: it reads the rings without waiting
 * (a record being written is skipped), allocates nothing, takes no lock;
 * printk and %pS are what the kernel's own oops report uses there.
 */
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/trace.h>
#include <linux/trace_events.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>

#include "../core/fbt.h"
#include "recorder.h"
#include "fbt_trace.h"

unsigned int fbt_dump_records = 64;
module_param_named(dump_records, fbt_dump_records, uint, 0644);
MODULE_PARM_DESC(dump_records, "newest records of each CPU printed in a dump (64)");

static bool fbt_test_oops;
module_param_named(test_oops, fbt_test_oops, bool, 0600);
MODULE_PARM_DESC(test_oops, "test only: writing 'oops' to debugfs fbt/recorder oopses a kthread (0)");

static struct trace_array *fbt_tr;

const char *fbt_rec_kind_name(unsigned int kind)
{
	static const char * const names[FBT_REC_KIND_NR] = {
		"none", "entry", "return", "recursion", "ghost", "violation",
	};

	return kind < FBT_REC_KIND_NR ? names[kind] : "?";
}

/* The mnemonic: the opcode's name where the kind has several. */
const char *fbt_rec_mnemonic(const struct fbt_rec_data *d)
{
	if (d->kind == FBT_REC_GHOST || (d->kind == FBT_REC_VIOLATION &&
					 d->id == FBT_NO_ID && !d->len))
		return "-";
	if (d->map == 0) {
		switch (d->opcode) {
		case 0x9c: return "pushf";
		case 0x9d: return "popf";
		case 0x55: return "push %rbp";
		case 0xc3: return "ret";
		case 0xe9: return "jmp";
		case 0xe8: return "call";
		case 0x90: return "nop";
		case 0x89: case 0x8b: return "mov";
		case 0x31: case 0x33: return "xor";
		case 0x85: return "test";
		}
	}
	return fbt_emul_kind_name(d->ekind);
}

int fbt_flags_str(char *buf, size_t len, unsigned long flags)
{
	return scnprintf(buf, len, "%s%s%s%s%s%s%s",
			 flags & X86_EFLAGS_IF ? "IF" : "if",
			 flags & X86_EFLAGS_DF ? " DF" : "",
			 flags & X86_EFLAGS_TF ? " TF" : "",
			 flags & X86_EFLAGS_ZF ? " ZF" : "",
			 flags & X86_EFLAGS_CF ? " CF" : "",
			 flags & X86_EFLAGS_SF ? " SF" : "",
			 flags & X86_EFLAGS_OF ? " OF" : "");
}

static const char *fbt_why_str(u8 why)
{
	switch (why) {
	case 0: return "";
	case FBT_WHY_IF: return "IF changed";
	case FBT_WHY_IMAGE: return "pushf image lost IF";
	case FBT_WHY_POPF: return "IF differs from popped image";
	case FBT_WHY_IP: return "ip not after insn";
	case FBT_WHY_SYSEXIT: return "irqs disabled at syscall exit";
	case FBT_WHY_CONSOLE: return "kernel assertion";
	case FBT_WHY_SOFTIRQ: return "irqs disabled at softirq exit";
	}
	return "several checks";
}

/* The probe id of a record, -1 for a record without probe. */
static int fbt_rec_id(const struct fbt_rec_data *d)
{
	return d->id == FBT_NO_ID ? -1 : (int)d->id;
}

/* A pushf whose image lost the interrupted IF, checked or not. */
static bool fbt_rec_suspect(const struct fbt_rec_data *d)
{
	return d->map == 0 && d->opcode == 0x9c && d->kind != FBT_REC_GHOST &&
	       ((d->value ^ d->flags_in) & X86_EFLAGS_IF);
}

static void fbt_dump_one(unsigned int cpu, const struct fbt_rec_data *d,
			 u64 t_last, bool mark, bool events)
{
	char fi[40], fo[40];
	bool suspect;
	s64 dt;

	fbt_flags_str(fi, sizeof(fi), d->flags_in);
	fbt_flags_str(fo, sizeof(fo), d->flags_out);
	dt = (s64)(fbt_rec_tsc_to_ns(d->tsc) - fbt_rec_tsc_to_ns(t_last));
	suspect = fbt_rec_suspect(d);
	pr_emerg("fbt: %s cpu%u #%llu %+lldns %-9s id %d %pS %s op %02x [%s -> %s]%s%s%s%s%s\n",
		 mark ? "=>" : "  ", cpu, d->seq, dt,
		 fbt_rec_kind_name(d->kind), fbt_rec_id(d), (void *)d->ip,
		 fbt_rec_mnemonic(d), d->opcode, fi, fo,
		 d->value ? " image " : "",
		 d->value ? ((d->value & X86_EFLAGS_IF) ? "IF" : "if") : "",
		 suspect ? " SUSPECT: image IF differs from IF at trap" : "",
		 d->why ? ": " : "", d->why ? fbt_why_str(d->why) : "");
	if (events)
		trace_fbt_history(cpu, d->seq, dt, d->kind, d->ip, d->ekind,
				  d->opcode, d->flags_in, d->flags_out,
				  d->value, d->why, mark || suspect);
}

/* The newest fbt_dump_records of @cpu's live ring. */
static void fbt_dump_live(unsigned int cpu, bool events)
{
	struct fbt_ring *r = per_cpu(fbt_rings, cpu);
	struct fbt_rec_data d, last;
	u64 h, t, i, skipped = 0;

	if (!r)
		return;
	h = fbt_ring_head(r);
	t = fbt_ring_tail(r);
	if (h - t > fbt_dump_records)
		t = h - fbt_dump_records;
	if (!h || fbt_ring_read(r, h - 1, &last))
		last.tsc = 0;
	pr_emerg("fbt: cpu%u: records %llu..%llu (live, dropped %llu)\n",
		 cpu, t, h ? h - 1 : 0, fbt_ring_dropped(r));
	for (i = t; i < h; i++) {
		if (fbt_ring_read(r, i, &d)) {
			skipped++;
			continue;
		}
		fbt_dump_one(cpu, &d, last.tsc ? last.tsc : d.tsc, false,
			     events);
	}
	if (skipped)
		pr_emerg("fbt: cpu%u: %llu records overwritten or in flight\n",
			 cpu, skipped);
}

#define FBT_DUMP_SUSPECTS	8

void fbt_dump(const struct fbt_snap *s, const char *reason, bool events)
{
	unsigned int cpu, i, n, first;
	const struct fbt_rec_data *m = NULL;
	u64 t_last;

	pr_emerg("fbt: ---[ flight recorder: %s ]---\n", reason);
	if (s && s->n) {
		for (i = 0; i < s->n; i++)
			if (s->rec[i].seq == s->mark)
				m = &s->rec[i];
		if (m) {
			char fi[40], fo[40];

			fbt_flags_str(fi, sizeof(fi), m->flags_in);
			fbt_flags_str(fo, sizeof(fo), m->flags_out);
			pr_emerg("fbt: violation: %s at %pS (%s) on cpu%u, IF %d -> %d, flags [%s -> %s]\n",
				 fbt_why_str(m->why), (void *)m->ip,
				 fbt_rec_mnemonic(m), s->cpu,
				 !!(m->flags_in & X86_EFLAGS_IF),
				 !!(m->flags_out & X86_EFLAGS_IF), fi, fo);
			if (events)
				trace_fbt_violation(s->cpu, m->seq, m->ip,
						    m->ekind, m->opcode, m->why,
						    m->flags_in, m->flags_out,
						    m->value);
		}
		first = s->n > fbt_dump_records ? s->n - fbt_dump_records : 0;
		t_last = s->rec[s->n - 1].tsc;
		/*
		 * The culprit of a check made later than the trap (syscall
		 * exit, console) can lie further back than dump_records:
		 * print the newest few suspects from before the window too.
		 */
		for (i = first, n = 0; i > 0 && n < FBT_DUMP_SUSPECTS; i--)
			n += fbt_rec_suspect(&s->rec[i - 1]);
		if (n)
			pr_emerg("fbt: cpu%u: the newest %u suspect records before the last %u\n",
				 s->cpu, n, s->n - first);
		for (i = first; i > 0 && n; i--)
			if (fbt_rec_suspect(&s->rec[i - 1]))
				n--;
		for (; i < first; i++)
			if (fbt_rec_suspect(&s->rec[i]))
				fbt_dump_one(s->cpu, &s->rec[i], t_last, false,
					     events);
		pr_emerg("fbt: cpu%u: records %llu..%llu (at the violation)\n",
			 s->cpu, s->rec[first].seq, s->rec[s->n - 1].seq);
		for (i = first; i < s->n; i++)
			fbt_dump_one(s->cpu, &s->rec[i], t_last,
				     s->rec[i].seq == s->mark, events);
	}
	for_each_online_cpu(cpu)
		if (!s || !s->n || cpu != s->cpu)
			fbt_dump_live(cpu, events);
	pr_emerg("fbt: ---[ end of flight recorder ]---\n");
}

/* ---- debugfs: fbt/recorder ---------------------------------------------- */

/*
 * Each CPU's ring is copied first (fbt_ring_read() of every index: a few
 * microseconds for the whole ring) and formatted from the copy: formatting
 * while reading live slots would lose the records the CPU writes meanwhile
 * and mix records from different moments. No lock: the probe id is in the
 * record.
 */
static int fbt_recorder_show(struct seq_file *m, void *v)
{
	struct fbt_rec_data *snap, *d;
	unsigned int cpu, n, j;
	char fi[40], fo[40];
	u64 i, h;

	snap = kvmalloc_array(fbt_ring_records, sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	seq_puts(m, "# cpu seq time_ns kind id ip name mnemonic len flags_in flags_out image why\n");
	for_each_online_cpu(cpu) {
		struct fbt_ring *r = per_cpu(fbt_rings, cpu);

		if (!r)
			continue;
		n = 0;
		h = fbt_ring_head(r);
		for (i = fbt_ring_tail(r); i < h; i++)
			if (!fbt_ring_read(r, i, &snap[n]))
				n++;
		seq_printf(m, "# cpu%u head %llu dropped %llu size %u copied %u\n",
			   cpu, h, fbt_ring_dropped(r), r->mask + 1, n);
		for (j = 0; j < n; j++) {
			d = &snap[j];
			fbt_flags_str(fi, sizeof(fi), d->flags_in);
			fbt_flags_str(fo, sizeof(fo), d->flags_out);
			seq_printf(m, "%u %llu %llu %s %d %llx %ps %s %u [%s] [%s] %llx %s\n",
				   cpu, d->seq, fbt_rec_tsc_to_ns(d->tsc),
				   fbt_rec_kind_name(d->kind), fbt_rec_id(d),
				   d->ip, (void *)d->ip, fbt_rec_mnemonic(d),
				   d->len, fi, fo, d->value,
				   fbt_why_str(d->why));
		}
		cond_resched();
	}
	kvfree(snap);
	return 0;
}

static int fbt_recorder_open(struct inode *inode, struct file *file)
{
	return single_open_size(file, fbt_recorder_show, NULL,
				(num_online_cpus() + 1) * 160 *
				(fbt_ring_records + 2));
}

/* Stays NULL: the test oops writes through it. */
static int *fbt_oops_target;

static int fbt_oops_fn(void *unused)
{
	pr_emerg("fbt: test_oops: oopsing on purpose\n");
	/* A NULL write: an oops in a kthread, the machine carries on. */
	WRITE_ONCE(*fbt_oops_target, 0);
	return 0;
}

static ssize_t fbt_recorder_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	char buf[16];
	size_t n = min(len, sizeof(buf) - 1);

	if (copy_from_user(buf, ubuf, n))
		return -EFAULT;
	buf[n] = 0;
	strim(buf);
	if (!strcmp(buf, "dump")) {
		fbt_dump(NULL, "requested", true);
	} else if (!strcmp(buf, "oops")) {
		struct task_struct *t;

		if (!fbt_test_oops)
			return -EPERM;
		t = kthread_run(fbt_oops_fn, NULL, "fbt_oops");
		if (IS_ERR(t))
			return PTR_ERR(t);
	} else {
		return -EINVAL;
	}
	return len;
}

static const struct file_operations fbt_recorder_fops = {
	.owner = THIS_MODULE,
	.open = fbt_recorder_open,
	.read = seq_read,
	.write = fbt_recorder_write,
	.llseek = seq_lseek,
	.release = single_release,
};

void fbt_rec_debugfs(struct dentry *dir)
{
	debugfs_create_file("recorder", 0600, dir, NULL, &fbt_recorder_fops);
}

/* ---- the ftrace instance "fbt" ------------------------------------------ */

int fbt_dump_init(void)
{
#ifdef FBT_TA_GET_BY_NAME_SYSTEMS	/* Kbuild: the 6.7+ signature */
	fbt_tr = trace_array_get_by_name("fbt", NULL);
#else
	fbt_tr = trace_array_get_by_name("fbt");
#endif
	if (!fbt_tr) {
		pr_warn("fbt: no ftrace instance fbt: dumps go to printk only\n");
		return 0;
	}
	/* History and violations land there with nothing set up. */
	trace_array_set_clr_event(fbt_tr, "fbt", "fbt_history", true);
	trace_array_set_clr_event(fbt_tr, "fbt", "fbt_violation", true);
	return 0;
}

void fbt_dump_exit(void)
{
	if (!fbt_tr)
		return;
	trace_array_set_clr_event(fbt_tr, "fbt", "fbt_history", false);
	trace_array_set_clr_event(fbt_tr, "fbt", "fbt_violation", false);
	trace_array_put(fbt_tr);
	fbt_tr = NULL;
}
