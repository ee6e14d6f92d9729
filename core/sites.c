// SPDX-License-Identifier: GPL-2.0
/*
 * Site selection: where probes go and which are refused, with a reason.
 *
 * Entry: the first real instruction, after the ENDBR (f3 0f 1e fa, or its
 * sealed form 66 0f 1f 00) and after the 5-byte ftrace site (0f 1f 44 00 00
 * or, while ftrace uses it, e8 rel32). Returns: every c3/c2 and every e9
 * whose target is a return thunk, found by decoding the whole function.
 *
 * Refused, in this order: fbt's own text and what the trap path runs (by
 * name); thunks, trampolines and text the kernel rewrites wholesale; the
 * kprobe blacklist (entry, noinstr, kprobes text, NOKPROBE_SYMBOL), read
 * from debugfs through a private mount; what the emulator refuses; module
 * sites with an exception-table fixup; and, for the forms jump labels and
 * static calls produce (66 0f eb e9 e8 c3 c2 2e 3e first bytes) and for
 * every return, whatever kprobes refuses: a kprobe registered with
 * KPROBE_FLAG_DISABLED runs all of the kernel's checks (jump labels, static
 * calls, alternatives, BUG sites, boundaries) and arms nothing.
 */
#include <linux/bsearch.h>
#include <linux/debugfs.h>
#include <linux/extable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/uio.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "fbt.h"

/*
 * What the trap path runs besides entry/noinstr/NOKPROBE text (which the
 * blacklist covers), what the compiler calls from fbt's own code, and the
 * nofault accessors' fault path. A trailing '*' matches a prefix.
 */
static const char * const fbt_trappath_names[] = {
	"__rcu_read_lock", "__rcu_read_unlock", "rcu_read_unlock_special*",
	"rcu_preempt_deferred_qs*", "rcu_read_unlock_strict",
	"notify_die", "atomic_notifier_call_chain*", "notifier_call_chain*",
	"hw_breakpoint_exceptions_notify", "hw_breakpoint_handler",
	"kprobe_exceptions_notify", "arch_uprobe_exception_notify",
	"do_int3*", "exc_int3", "poke_int3_handler", "kprobe_int3_handler",
	"kgdb*", "__kgdb*", "kprobe_*", "get_kprobe",
	"irqentry_*", "rcu_nmi_*", "ct_nmi_*", "ct_irq_*",
	"memcpy*", "memset*", "memmove*", "__memcpy*", "__memset*",
	"__memmove*", "__stack_chk_fail*", "__ubsan*", "__sanitizer*",
	"fixup_exception", "ex_handler_*", "search_exception_tables",
	"search_extable", "__search_exception_tables", "search_module_extables",
	"search_kernel_exception_table", "search_bpf_extables", "bsearch*",
	"cmp_ex_search", "exc_page_fault", "do_kern_addr_fault",
	"kernelmode_fixup_or_oops*", "page_fault_oops", "spurious_kernel_fault*",
	"fixup_bad_iret", "sync_regs", "error_entry",
	"pv_native_*", "native_save_fl", "native_restore_fl", "native_irq_*",
	"sync_core*", "trace_hardirqs_*", "lockdep_*", "debug_smp_processor_id",
	"__this_cpu_preempt_check", "check_preemption_disabled",
	"preempt_count_add", "preempt_count_sub",
	"fbt_*",
	/*
	 * The recorder's deferred path after a violation (recorder.c): the
	 * trap queues an irq_work (the self-IPI below), which prints the dump
	 * and queues the quarantine work. A probe here would trap inside the
	 * trap or re-enter the path that reports the previous violation.
	 */
	"irq_work_*", "__irq_work_*", "arch_irq_work_raise", "llist_add_batch",
	"__sysvec_irq_work", "sysvec_irq_work",
	"x2apic_send_IPI_self", "default_send_IPI_self",
	"__default_send_IPI_shortcut", "__x2apic_send_IPI_shorthand",
	"native_apic_msr_write", "native_apic_mem_write",
	"native_apic_icr_write", "native_x2apic_icr_write",
	"queue_work_on", "__queue_work", "insert_work", "kick_pool",
	"wake_up_worker", "wq_select_unbound_cpu",
	NULL
};

/* Thunks, trampolines, padding and text rewritten as a whole at run time. */
static const char * const fbt_thunk_names[] = {
	"__x86_*", "srso_*", "retbleed_*", "entry_untrain_ret*", "its_*",
	"call_depth_*", "__pfx_*", "__cfi_*", "__SCT__*", "__static_call*",
	"__fentry__", "ftrace_*", "__ftrace_*", "return_to_handler",
	"bpf_dispatcher_*", "__bpf_tramp*", "arch_rethook_trampoline*",
	"__kretprobe_trampoline*", "kretprobe_trampoline*", "__indirect_thunk*",
	"__x86_indirect_*", "__x64_sys_ni_syscall*", "__ret*", "zen_untrain_ret",
	NULL
};

/* Names whose target is a return thunk. */
static const char * const fbt_rethunk_names[] = {
	"__x86_return_thunk", "srso_return_thunk", "srso_alias_return_thunk",
	"retbleed_return_thunk", "its_return_thunk", "call_depth_return_thunk",
	"__x86_return_skl", NULL
};

static unsigned long fbt_rethunks[8];
static unsigned int fbt_nrethunks;

static bool fbt_name_in(const char * const *list, const char *name)
{
	for (; *list; list++) {
		size_t n = strlen(*list);

		if ((*list)[n - 1] == '*') {
			if (!strncmp(*list, name, n - 1))
				return true;
		} else if (!strcmp(*list, name)) {
			return true;
		}
	}
	return false;
}

/* ---- the kprobe blacklist ---------------------------------------------- */

struct fbt_bl {
	unsigned long start, end;
};

static struct fbt_bl *fbt_bl;
static unsigned int fbt_bl_n;
static char *fbt_bl_pool;		/* names, NUL separated */
static u32 *fbt_bl_names;		/* offsets into fbt_bl_pool, sorted */
static unsigned int fbt_bl_nnames;
static bool fbt_bl_ok;

static int fbt_bl_cmp(const void *a, const void *b)
{
	const struct fbt_bl *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int fbt_bl_name_cmp(const void *a, const void *b)
{
	return strcmp(fbt_bl_pool + *(const u32 *)a,
		      fbt_bl_pool + *(const u32 *)b);
}

static int fbt_bl_name_key(const void *key, const void *elt)
{
	return strcmp(key, fbt_bl_pool + *(const u32 *)elt);
}

static void fbt_bl_free(void)
{
	kvfree(fbt_bl);
	kvfree(fbt_bl_pool);
	kvfree(fbt_bl_names);
	fbt_bl = NULL;
	fbt_bl_pool = NULL;
	fbt_bl_names = NULL;
	fbt_bl_n = 0;
	fbt_bl_nnames = 0;
	fbt_bl_ok = false;
}

/*
 * debugfs files have no read_iter, so kernel_read() refuses them; the
 * blacklist is a seq_file, read here with seq_read_iter() into a kvec.
 */
static ssize_t fbt_seq_read(struct file *f, char *buf, size_t len,
			    loff_t *pos)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter it;
	struct kiocb kiocb;
	ssize_t r;

	if (debugfs_real_fops(f)->read != seq_read)
		return -EINVAL;
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, len);
	init_sync_kiocb(&kiocb, f);
	kiocb.ki_pos = *pos;
	r = seq_read_iter(&kiocb, &it);
	*pos = kiocb.ki_pos;
	return r;
}

/* Read all of debugfs' kprobes/blacklist through a private mount. */
static char *fbt_bl_read(size_t *lenp)
{
	struct file_system_type *type;
	struct vfsmount *mnt;
	struct file *f;
	size_t cap = 256 * 1024, len = 0;
	char *buf = NULL;
	struct path root;
	loff_t pos = 0;
	ssize_t r;

	type = get_fs_type("debugfs");
	if (!type)
		return NULL;
	mnt = vfs_kern_mount(type, SB_KERNMOUNT, "debugfs", NULL);
	module_put(type->owner);
	if (IS_ERR(mnt))
		return NULL;
	root.mnt = mnt;
	root.dentry = mnt->mnt_root;
	f = file_open_root(&root, "kprobes/blacklist", O_RDONLY, 0);
	if (IS_ERR(f))
		goto out_mnt;
	for (;;) {
		if (!buf || len + 4096 > cap) {
			char *nb;

			if (buf)
				cap *= 2;
			nb = kvmalloc(cap + 1, GFP_KERNEL);
			if (!nb) {
				kvfree(buf);
				buf = NULL;
				break;
			}
			if (buf)
				memcpy(nb, buf, len);
			kvfree(buf);
			buf = nb;
		}
		r = fbt_seq_read(f, buf + len, cap - len, &pos);
		if (r < 0) {
			kvfree(buf);
			buf = NULL;
			break;
		}
		if (!r)
			break;
		len += r;
	}
	fput(f);
	if (buf)
		buf[len] = '\0';
	*lenp = len;
out_mnt:
	kern_unmount(mnt);
	return buf;
}

/* (Re)load the blacklist: ranges sorted by start, names sorted. */
static int fbt_bl_load(void)
{
	size_t len = 0, pool = 0;
	unsigned int n = 0, i;
	char *buf, *line, *next;

	fbt_bl_free();
	buf = fbt_bl_read(&len);
	if (!buf)
		return -ENOENT;
	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	fbt_bl = kvmalloc_array(n + 1, sizeof(*fbt_bl), GFP_KERNEL);
	fbt_bl_names = kvmalloc_array(n + 1, sizeof(*fbt_bl_names),
				      GFP_KERNEL);
	fbt_bl_pool = kvmalloc(len + 1, GFP_KERNEL);
	if (!fbt_bl || !fbt_bl_names || !fbt_bl_pool) {
		kvfree(buf);
		fbt_bl_free();
		return -ENOMEM;
	}
	for (line = buf; line && *line; line = next) {
		char *dash, *tab, *sp;
		unsigned long s, e;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		dash = strchr(line, '-');
		tab = strchr(line, '\t');
		if (!dash || !tab || tab < dash)
			continue;
		*dash = '\0';
		*tab = '\0';
		if (kstrtoul(line, 0, &s) || kstrtoul(dash + 1, 0, &e))
			continue;
		if (s && e > s && fbt_bl_n < n) {
			fbt_bl[fbt_bl_n].start = s;
			fbt_bl[fbt_bl_n].end = e;
			fbt_bl_n++;
		}
		sp = strchr(tab + 1, ' ');
		if (sp)
			*sp = '\0';
		if (tab[1] && fbt_bl_nnames < n) {
			size_t l = strlen(tab + 1) + 1;

			fbt_bl_names[fbt_bl_nnames++] = pool;
			memcpy(fbt_bl_pool + pool, tab + 1, l);
			pool += l;
		}
	}
	kvfree(buf);
	sort(fbt_bl, fbt_bl_n, sizeof(*fbt_bl), fbt_bl_cmp, NULL);
	sort(fbt_bl_names, fbt_bl_nnames, sizeof(*fbt_bl_names),
	     fbt_bl_name_cmp, NULL);
	/* Addresses hidden (kptr_restrict): useless, refuse everything. */
	fbt_bl_ok = fbt_bl_n > 0;
	return fbt_bl_ok ? 0 : -EPERM;
}

/* Does the blacklist cover @addr in function @name (foo.cold -> foo)? */
static bool fbt_bl_hit(unsigned long addr, const char *name)
{
	unsigned int lo = 0, hi = fbt_bl_n;
	char base[KSYM_NAME_LEN];
	char *dot;

	if (!fbt_bl_ok)
		return true;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (fbt_bl[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && addr < fbt_bl[lo - 1].end)
		return true;
	strscpy(base, name, sizeof(base));
	if (bsearch(base, fbt_bl_names, fbt_bl_nnames, sizeof(u32),
		    fbt_bl_name_key))
		return true;
	dot = strchr(base, '.');
	if (!dot)
		return false;
	*dot = '\0';
	return bsearch(base, fbt_bl_names, fbt_bl_nnames, sizeof(u32),
		       fbt_bl_name_key);
}

/* ---- site discovery ----------------------------------------------------- */

struct fbt_site {
	u32 func;
	u32 off;
	bool ret;
};

struct fbt_sitevec {
	struct fbt_site *v;
	unsigned int n, cap;
};

static int fbt_site_push(struct fbt_sitevec *sv, u32 func, u32 off, bool ret)
{
	if (sv->n == sv->cap) {
		unsigned int ncap = sv->cap ? sv->cap * 2 : 4096;
		struct fbt_site *nv = kvmalloc_array(ncap, sizeof(*nv),
						     GFP_KERNEL);

		if (!nv)
			return -ENOMEM;
		if (sv->v)
			memcpy(nv, sv->v, sv->n * sizeof(*nv));
		kvfree(sv->v);
		sv->v = nv;
		sv->cap = ncap;
	}
	sv->v[sv->n].func = func;
	sv->v[sv->n].off = off;
	sv->v[sv->n].ret = ret;
	sv->n++;
	return 0;
}

static bool fbt_is_rethunk(unsigned long target)
{
	unsigned int i;

	for (i = 0; i < fbt_nrethunks; i++)
		if (fbt_rethunks[i] == target)
			return true;
	return false;
}

/* Offset of the first real instruction of a function whose bytes are @b. */
static unsigned int fbt_entry_off(const u8 *b, unsigned int len)
{
	static const u8 endbr[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const u8 sealed[4] = { 0x66, 0x0f, 0x1f, 0x00 };
	static const u8 nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	unsigned int off = 0;

	if (len >= 4 && (!memcmp(b, endbr, 4) || !memcmp(b, sealed, 4)))
		off = 4;
	if (len >= off + 5 && (!memcmp(b + off, nop5, 5) || b[off] == 0xe8))
		off += 5;
	return off;
}

#define FBT_WIN	4096

/*
 * Decode one function from its start; push its entry site and its return
 * sites. A body that does not decode keeps the sites found before the
 * failure (all returns go through the kprobes oracle, which checks the
 * boundary again with the kernel's own decoder).
 */
static int fbt_func_sites(struct fbt_obj *o, u32 fi, struct fbt_sitevec *sv,
			  u8 *win)
{
	const struct fbt_func *f = &o->funcs[fi];
	unsigned long wstart = 0, wlen = 0;
	unsigned int entry = 0, pos = 0;
	struct fbt_insn insn;
	int ret;

	while (pos < f->size) {
		unsigned int avail;

		if (pos + FBT_INSN_MAX > wstart + wlen && wstart + wlen < f->size) {
			wstart = pos;
			wlen = min_t(unsigned long, f->size - pos,
				     FBT_WIN + FBT_INSN_MAX);
			if (copy_from_kernel_nofault(win, (void *)(f->addr + pos),
						     wlen))
				return pos ? 0 : -EFAULT;
			if (!pos) {
				entry = fbt_entry_off(win, wlen);
				if (entry >= f->size)
					return 0;
				ret = fbt_site_push(sv, fi, entry, false);
				if (ret)
					return ret;
			}
		}
		avail = wstart + wlen - pos;
		if (fbt_insn_decode(&insn, win + pos - wstart, avail)) {
			fbt_stats.undecodable++;
			return 0;
		}
		/* A return at the entry gets its own row (refused: atentry). */
		if (insn.map == FBT_MAP_1B) {
			const u8 *b = win + pos - wstart + insn.opc_off;
			bool r = insn.opcode == 0xc3 || insn.opcode == 0xc2;

			if (insn.opcode == 0xe9 && insn.len == insn.opc_off + 5) {
				s32 rel;

				memcpy(&rel, b + 1, 4);
				r = fbt_is_rethunk(f->addr + pos + insn.len + rel);
			}
			if (r) {
				ret = fbt_site_push(sv, fi, pos, true);
				if (ret)
					return ret;
			}
		}
		pos += insn.len;
	}
	return 0;
}

/* Exception-table fixup at @addr? Modules only: the kernel's is unexported. */
static bool fbt_extable_hit(const struct fbt_obj *o, unsigned long addr)
{
	const struct exception_table_entry *e;
	unsigned int i;

	if (!o->mod || !o->mod->extable)
		return false;
	for (i = 0; i < o->mod->num_exentries; i++) {
		e = &o->mod->extable[i];
		if ((unsigned long)&e->insn + e->insn == addr)
			return true;
	}
	return false;
}

static void fbt_refuse(struct fbt_probe *p, unsigned int reason)
{
	p->state = FBT_REFUSED;
	p->reason = reason;
}

static bool fbt_risky_first_byte(u8 b)
{
	switch (b) {
	case 0x66: case 0x0f: case 0xeb: case 0xe9: case 0xe8:
	case 0xc3: case 0xc2: case 0x2e: case 0x3e:
		return true;
	}
	return false;
}

/*
 * A %gs memory operand reads or writes per-CPU data. The emulation runs in
 * the int3 handler, after the trap entry raised preempt_count by NMI and
 * HARDIRQ (and moved context tracking): emulated there, a read of those
 * sees the handler's values, not the interrupted code's (in_nmi() true in
 * irq_fpu_usable, in_hardirq() in __local_bh_enable_ip). Refuse them all.
 */
static bool fbt_percpu_operand(const struct fbt_insn *in)
{
	if (in->seg != 0x65)
		return false;
	if (in->modrm_off >= 0)
		return true;
	return in->map == FBT_MAP_1B && in->opcode >= 0xa0 && in->opcode <= 0xa3;
}

static void fbt_probe_prepare(struct fbt_obj *o, struct fbt_probe *p,
			      unsigned long fend, const char *name)
{
	u8 b[FBT_INSN_MAX];
	unsigned int n = min_t(unsigned long, FBT_INSN_MAX, fend - p->addr);
	int r;

	memset(&p->emul, 0, sizeof(p->emul));
	p->emul.insn.modrm_off = -1;
	if (copy_from_kernel_nofault(b, (void *)p->addr, n)) {
		fbt_refuse(p, FBT_R_UNREADABLE);
		return;
	}
	r = fbt_emul_prepare(&p->emul, b, n);
	if (r != FBT_EMUL_OK) {
		/* Keep the decoded fields for the coverage view. */
		if (fbt_insn_decode(&p->emul.insn, b, n)) {
			memset(&p->emul.insn, 0, sizeof(p->emul.insn));
			p->emul.insn.modrm_off = -1;
		} else {
			memcpy(p->emul.bytes, b, p->emul.insn.len);
		}
		p->emul.kind = FBT_K_NONE;
	}
	if (fbt_name_in(fbt_trappath_names, name))
		fbt_refuse(p, FBT_R_TRAPPATH);
	else if (fbt_name_in(fbt_thunk_names, name))
		fbt_refuse(p, FBT_R_THUNK);
	else if (fbt_bl_hit(p->addr, name))
		fbt_refuse(p, FBT_R_BLACKLIST);
	else if (r != FBT_EMUL_OK)
		fbt_refuse(p, r);
	else if (fbt_percpu_operand(&p->emul.insn))
		fbt_refuse(p, FBT_R_PERCPU);
	else if (fbt_extable_hit(o, p->addr))
		fbt_refuse(p, FBT_R_EXTABLE);
	else if ((p->flags & FBT_P_RETURN) || fbt_risky_first_byte(b[0]))
		p->flags |= FBT_P_ORACLE;
}

int fbt_sites_build(struct fbt_obj *o)
{
	struct fbt_sitevec sv = { };
	u8 *win;
	u32 i;
	int ret = 0;

	win = kmalloc(FBT_WIN + FBT_INSN_MAX, GFP_KERNEL);
	if (!win)
		return -ENOMEM;
	if (o->mod)
		fbt_bl_load();	/* kprobes added the module's entries */
	if (!o->mod) {
		for (i = 0; i < o->nfuncs; i++) {
			const char *name = fbt_func_name(o, i);

			if (fbt_name_in(fbt_rethunk_names, name) &&
			    fbt_nrethunks < ARRAY_SIZE(fbt_rethunks))
				fbt_rethunks[fbt_nrethunks++] = o->funcs[i].addr;
		}
	}
	for (i = 0; i < o->nfuncs && !ret; i++) {
		ret = fbt_func_sites(o, i, &sv, win);
		if (ret == -EFAULT)
			ret = 0;
		if (!(i & 255))
			cond_resched();
	}
	kfree(win);
	if (ret)
		goto out;
	o->probes = kvcalloc(sv.n ? sv.n : 1, sizeof(*o->probes), GFP_KERNEL);
	if (!o->probes) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < sv.n; i++) {
		struct fbt_probe *p = &o->probes[i];
		const struct fbt_func *f = &o->funcs[sv.v[i].func];

		p->addr = f->addr + sv.v[i].off;
		p->func = sv.v[i].func;
		p->flags = sv.v[i].ret ? FBT_P_RETURN : 0;
		fbt_probe_prepare(o, p, f->addr + f->size,
				  fbt_func_name(o, p->func));
		/*
		 * The function returns at its first instruction: one site for
		 * both probes. The entry probe holds it (its hits are the
		 * returns); the return row shows why it is not armed itself.
		 */
		if (i && (p->flags & FBT_P_RETURN) && o->probes[i - 1].addr == p->addr)
			fbt_refuse(p, FBT_R_ATENTRY);
		if (!(i & 255))
			cond_resched();
	}
	o->nprobes = sv.n;
out:
	kvfree(sv.v);
	return ret;
}

/* ---- the kprobes oracle -------------------------------------------------- */

#define FBT_ORACLE_BATCH	512

/*
 * Ask kprobes about @n probes: each accepted one gets its FBT_P_ORACLE flag
 * cleared, each refused one is refused. Disabled registrations run every
 * check and arm nothing; they are unregistered in batches (one RCU grace
 * period per batch). With @thunks (the oracle_all sample), acceptances
 * are counted in @accepted and @thunks, and an accepted probe that is not
 * a thunk is marked FBT_P_KPACC. Called with or without fbt_lock.
 */
static int fbt_oracle(struct fbt_probe **v, unsigned int n,
		      unsigned long *accepted, unsigned long *thunks)
{
	struct kprobe *kps, **kpp;
	unsigned int i, nb = 0;
	u64 t0 = ktime_get_ns();

	kps = kvcalloc(FBT_ORACLE_BATCH, sizeof(*kps), GFP_KERNEL);
	kpp = kcalloc(FBT_ORACLE_BATCH, sizeof(*kpp), GFP_KERNEL);
	if (!kps || !kpp) {
		kvfree(kps);
		kfree(kpp);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct kprobe *kp = &kps[nb];

		memset(kp, 0, sizeof(*kp));
		kp->addr = (kprobe_opcode_t *)v[i]->addr;
		kp->flags = KPROBE_FLAG_DISABLED;
		if (register_kprobe(kp)) {
			if (v[i]->state != FBT_REFUSED)
				fbt_refuse(v[i], FBT_R_KPROBES);
		} else {
			kpp[nb++] = kp;
			v[i]->flags &= ~FBT_P_ORACLE;
			if (thunks) {	/* the oracle_all sample */
				(*accepted)++;
				if (v[i]->state == FBT_REFUSED &&
				    v[i]->reason == FBT_R_THUNK)
					(*thunks)++;
				else
					v[i]->flags |= FBT_P_KPACC;
			}
		}
		if (nb == FBT_ORACLE_BATCH) {
			unregister_kprobes(kpp, nb);
			nb = 0;
		}
		cond_resched();
	}
	if (nb)
		unregister_kprobes(kpp, nb);
	kvfree(kps);
	kfree(kpp);
	fbt_stats.oracle_ns += ktime_get_ns() - t0;
	fbt_stats.oracle_n += n;
	return 0;
}

static unsigned int oracle_all;
module_param(oracle_all, uint, 0400);
MODULE_PARM_DESC(oracle_all,
		 "measure kprobes' acceptance at load: ask it about every entry site (1) or every Nth (N); slow");

/* Entry @i of an object is in the oracle_all sample. */
static bool fbt_kp_sampled(const struct fbt_probe *p, unsigned int i)
{
	return oracle_all && !(p->flags & FBT_P_RETURN) && i % oracle_all == 0;
}

static bool fbt_oracle_pending(const struct fbt_probe *p, bool all)
{
	if (p->flags & FBT_P_RETURN)
		return all && (p->flags & FBT_P_ORACLE);
	return p->flags & FBT_P_ORACLE;
}

/* Collect @o's probes for which @pick says yes, into a new array. */
static struct fbt_probe **fbt_collect(struct fbt_obj *o, unsigned int *n,
				      bool (*pick)(const struct fbt_probe *,
						   unsigned int, bool),
				      bool all)
{
	struct fbt_probe **v;
	unsigned int i;

	*n = 0;
	for (i = 0; i < o->nprobes; i++)
		*n += pick(&o->probes[i], i, all);
	if (!*n)
		return NULL;
	v = kvmalloc_array(*n, sizeof(*v), GFP_KERNEL);
	if (!v)
		return ERR_PTR(-ENOMEM);
	*n = 0;
	for (i = 0; i < o->nprobes; i++)
		if (pick(&o->probes[i], i, all))
			v[(*n)++] = &o->probes[i];
	return v;
}

static bool fbt_pick_pending(const struct fbt_probe *p, unsigned int i,
			     bool all)
{
	return fbt_oracle_pending(p, all) && !fbt_kp_sampled(p, i);
}

static bool fbt_pick_sample(const struct fbt_probe *p, unsigned int i,
			    bool all)
{
	return !all && fbt_kp_sampled(p, i);
}

/*
 * Oracle for @o's pending entries (and returns too if @all). With
 * oracle_all=N, every Nth entry site is asked too, refused or not, and
 * kprobes' acceptance of that sample is counted for the stats.
 */
int fbt_sites_oracle(struct fbt_obj *o, bool all)
{
	unsigned long accepted = 0, thunks = 0;
	struct fbt_probe **v;
	unsigned int n;
	int ret;

	v = fbt_collect(o, &n, fbt_pick_sample, all);
	if (IS_ERR(v))
		return PTR_ERR(v);
	if (v) {
		ret = fbt_oracle(v, n, &accepted, &thunks);
		kvfree(v);
		if (ret)
			return ret;
		fbt_stats.kp_sample = oracle_all;
		fbt_stats.kp_entry_checked += n;
		fbt_stats.kp_entry_accepted += accepted;
		fbt_stats.kp_entry_accepted_thunk += thunks;
	}
	v = fbt_collect(o, &n, fbt_pick_pending, all);
	if (IS_ERR_OR_NULL(v))
		return PTR_ERR_OR_ZERO(v);
	ret = fbt_oracle(v, n, &accepted, NULL);
	kvfree(v);
	return ret;
}

/* Oracle for a list the caller collected (patch.c, under fbt_lock). */
int fbt_sites_oracle_list(struct fbt_probe **v, unsigned int n)
{
	unsigned long accepted = 0;

	return fbt_oracle(v, n, &accepted, NULL);
}

/* ---- names and opcodes for the interface ------------------------------- */

static const char * const fbt_own_reasons[] = {
	[FBT_R_BLACKLIST - FBT_REFUSE_NR] = "blacklist",
	[FBT_R_KPROBES - FBT_REFUSE_NR] = "kprobes",
	[FBT_R_TRAPPATH - FBT_REFUSE_NR] = "trappath",
	[FBT_R_THUNK - FBT_REFUSE_NR] = "thunk",
	[FBT_R_UNREADABLE - FBT_REFUSE_NR] = "unreadable",
	[FBT_R_EXTABLE - FBT_REFUSE_NR] = "extable",
	[FBT_R_CHANGED - FBT_REFUSE_NR] = "changed",
	[FBT_R_PERCPU - FBT_REFUSE_NR] = "percpu",
	[FBT_R_ATENTRY - FBT_REFUSE_NR] = "atentry",
};

const char *fbt_reason_name(unsigned int reason)
{
	if (reason < FBT_REFUSE_NR)
		return fbt_refusal_name(reason);
	if (reason < FBT_R_NR)
		return fbt_own_reasons[reason - FBT_REFUSE_NR];
	return "?";
}

/* Opcode as a number: map escape bytes then the opcode byte. */
unsigned int fbt_probe_opcode_val(const struct fbt_probe *p)
{
	const struct fbt_insn *in = &p->emul.insn;

	if (!in->len)
		return 0xffffffff;
	switch (in->map) {
	case FBT_MAP_1B:
		return in->opcode;
	case FBT_MAP_0F:
		return 0x0f00 | in->opcode;
	case FBT_MAP_0F38:
		return 0x0f3800 | in->opcode;
	case FBT_MAP_0F3A:
		return 0x0f3a00 | in->opcode;
	default:
		return 0xff0000 | (in->map << 8) | in->opcode;
	}
}

void fbt_probe_opcode(const struct fbt_probe *p, char *buf, size_t len)
{
	unsigned int v = fbt_probe_opcode_val(p);

	if (v == 0xffffffff)
		strscpy(buf, "??", len);
	else if (v > 0xffff)
		snprintf(buf, len, "%06x", v);
	else if (v > 0xff)
		snprintf(buf, len, "%04x", v);
	else
		snprintf(buf, len, "%02x", v);
}

int fbt_sites_init(void)
{
	int ret = fbt_bl_load();

	if (ret)
		pr_warn("fbt: kprobe blacklist unreadable (%d): refusing all\n",
			ret);
	return 0;
}

void fbt_sites_exit(void)
{
	fbt_bl_free();
}
