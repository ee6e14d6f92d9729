// SPDX-License-Identifier: GPL-2.0
/*
 * Enumeration: every function of the core kernel and of every module, found
 * with exported interfaces only.
 *
 * The core kernel is walked with sprint_symbol(): from an exported function
 * down to the first text symbol and up to _etext, parsing "name+off/size"
 * and stepping by size. Modules are found by walking the module list from
 * THIS_MODULE under RCU (the list head is the one node outside module
 * memory) and their text the same way. A module notifier adds the probes
 * of a module that comes later and disarms and drops those of a module
 * going away, before its text is freed.
 */
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "fbt.h"

/* Serializes object list, probe states and flags, and text changes. */
DEFINE_MUTEX(fbt_lock);
LIST_HEAD(fbt_objs);
struct fbt_stats fbt_stats;

static u32 fbt_next_id;
/* Serializes building objects (module loads can run in parallel). */
static DEFINE_MUTEX(fbt_build_lock);

/*
 * sprint_symbol() at @addr, parsed. Returns 0 and fills @name (the bare
 * symbol name), @start and @size, or -ENOENT when no symbol covers @addr.
 */
static int fbt_sym(unsigned long addr, char *name, unsigned long *start,
		   unsigned long *size)
{
	char buf[KSYM_SYMBOL_LEN];
	unsigned long off;
	char *plus, *slash, *sp;

	sprint_symbol(buf, addr);
	sp = strchr(buf, ' ');
	if (sp)
		*sp = '\0';		/* drop " [module]" */
	plus = strrchr(buf, '+');
	if (!plus || plus == buf)
		return -ENOENT;
	slash = strchr(plus, '/');
	if (!slash)
		return -ENOENT;
	*plus = '\0';
	*slash = '\0';
	if (kstrtoul(plus + 1, 16, &off) || kstrtoul(slash + 1, 16, size))
		return -ENOENT;
	if (!*size || off > addr)
		return -ENOENT;
	*start = addr - off;
	strscpy(name, buf, KSYM_NAME_LEN);
	return 0;
}

/* Grow @o's function and name arrays so one more function fits. */
static int fbt_obj_add_func(struct fbt_obj *o, u32 *cap, u32 *names_cap,
			    unsigned long addr, unsigned long size,
			    const char *name)
{
	size_t nlen = strlen(name) + 1;

	if (size > U32_MAX)
		return 0;
	if (o->nfuncs == *cap) {
		u32 ncap = *cap ? *cap * 2 : 256;
		struct fbt_func *nf = kvmalloc_array(ncap, sizeof(*nf),
						     GFP_KERNEL);

		if (!nf)
			return -ENOMEM;
		if (o->funcs)
			memcpy(nf, o->funcs, o->nfuncs * sizeof(*nf));
		kvfree(o->funcs);
		o->funcs = nf;
		*cap = ncap;
	}
	if (o->names_len + nlen > *names_cap) {
		u32 ncap = max_t(u32, *names_cap * 2, 4096);
		char *nn;

		while (ncap < o->names_len + nlen)
			ncap *= 2;
		nn = kvmalloc(ncap, GFP_KERNEL);
		if (!nn)
			return -ENOMEM;
		if (o->names)
			memcpy(nn, o->names, o->names_len);
		kvfree(o->names);
		o->names = nn;
		*names_cap = ncap;
	}
	memcpy(o->names + o->names_len, name, nlen);
	o->funcs[o->nfuncs].addr = addr;
	o->funcs[o->nfuncs].size = size;
	o->funcs[o->nfuncs].name = o->names_len;
	o->names_len += nlen;
	o->nfuncs++;
	return 0;
}

/* Symbols that are not functions: padding, CFI preambles, boundaries. */
static bool fbt_is_label(const char *name)
{
	size_t n = strlen(name);

	if (!strncmp(name, "__pfx_", 6) || !strncmp(name, "__cfi_", 6))
		return true;
	if (strncmp(name, "__", 2))
		return false;
	return (n > 6 && !strcmp(name + n - 6, "_start")) ||
	       (n > 4 && !strcmp(name + n - 4, "_end"));
}

static bool fbt_is_text_end(const char *name)
{
	return !strcmp(name, "_etext") || !strcmp(name, "__start_rodata") ||
	       !strcmp(name, "_sdata") || !strcmp(name, "__end_rodata");
}

static int fbt_walk_kernel(struct fbt_obj *o)
{
	char name[KSYM_NAME_LEN];
	unsigned long a, start, size, low;
	u32 cap = 0, names_cap = 0;
	int ret;

	if (fbt_sym((unsigned long)sprint_symbol, name, &start, &size))
		return -ENOENT;
	/* Down to the first text symbol: below it sprint_symbol fails. */
	low = start;
	for (a = start; a; a = start) {
		if (fbt_sym(a - 1, name, &start, &size) || start >= a)
			break;
		low = start;
		if (!strcmp(name, "_stext") || !strcmp(name, "_text"))
			break;
		cond_resched();
	}
	o->text_start = low;
	/* Up to _etext. */
	for (a = low; ; a = start + size) {
		if (fbt_sym(a, name, &start, &size) || start != a)
			break;
		if (fbt_is_text_end(name))
			break;
		if (!fbt_is_label(name)) {
			ret = fbt_obj_add_func(o, &cap, &names_cap, start,
					       size, name);
			if (ret)
				return ret;
		}
		if (!(o->nfuncs & 1023))
			cond_resched();
	}
	o->text_end = a;
	return 0;
}

static int fbt_walk_range(struct fbt_obj *o)
{
	char name[KSYM_NAME_LEN];
	unsigned long a = o->text_start, start, size;
	u32 cap = 0, names_cap = 0;
	int ret;

	while (a < o->text_end) {
		if (fbt_sym(a, name, &start, &size) || start + size <= a) {
			a += 16;
			continue;
		}
		if (start == a && start + size <= o->text_end &&
		    !fbt_is_label(name)) {
			ret = fbt_obj_add_func(o, &cap, &names_cap, start,
					       size, name);
			if (ret)
				return ret;
		}
		a = start + size;
	}
	return 0;
}

void fbt_obj_free(struct fbt_obj *o)
{
	if (!o)
		return;
	kvfree(o->funcs);
	kvfree(o->probes);
	kvfree(o->names);
	kfree(o);
}

static struct fbt_obj *fbt_obj_new(const char *name, struct module *mod)
{
	struct fbt_obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return NULL;
	INIT_LIST_HEAD(&o->list);
	o->mod = mod;
	strscpy(o->name, name, sizeof(o->name));
	return o;
}

/* Functions, sites and the kprobes oracle for one object, unlocked. */
static int fbt_obj_fill(struct fbt_obj *o)
{
	int ret;

	mutex_lock(&fbt_build_lock);
	ret = o->mod ? fbt_walk_range(o) : fbt_walk_kernel(o);
	if (!ret)
		ret = fbt_sites_build(o);
	if (!ret)
		ret = fbt_sites_oracle(o, false);
	if (!ret)
		o->bytes = sizeof(*o) + o->nfuncs * sizeof(*o->funcs) +
			   o->nprobes * sizeof(*o->probes) + o->names_len;
	mutex_unlock(&fbt_build_lock);
	return ret;
}

/* Called with fbt_lock held. */
static struct fbt_obj *fbt_obj_find(struct module *mod)
{
	struct fbt_obj *o;

	list_for_each_entry(o, &fbt_objs, list)
		if (o->mod == mod)
			return o;
	return NULL;
}

/* Called with fbt_lock held: make @o visible and its probes findable. */
static int fbt_obj_publish(struct fbt_obj *o)
{
	u32 i;

	o->id_base = fbt_next_id;
	/* The trap path records p->id (recorder/): set before the table. */
	for (i = 0; i < o->nprobes; i++)
		o->probes[i].id = o->id_base + i;
	fbt_next_id += o->nprobes;
	list_add_tail(&o->list, &fbt_objs);
	fbt_stats.functions += o->nfuncs;
	return fbt_table_publish();
}

static void fbt_mod_text(struct module *mod, unsigned long *start,
			 unsigned long *end)
{
#ifdef for_each_mod_mem_type	/* 6.4+: mod->mem[] */
	*start = (unsigned long)mod->mem[MOD_TEXT].base;
	*end = *start + mod->mem[MOD_TEXT].size;
#else
	*start = (unsigned long)mod->core_layout.base;
	*end = *start + mod->core_layout.text_size;
#endif
}

static void fbt_module_add(struct module *mod)
{
	struct fbt_obj *o;
	u64 t0 = ktime_get_ns();
	int ret;

	if (mod == THIS_MODULE)
		return;
	mutex_lock(&fbt_lock);
	o = fbt_obj_find(mod);
	mutex_unlock(&fbt_lock);
	if (o)
		return;
	o = fbt_obj_new(mod->name, mod);
	if (!o)
		return;
	fbt_mod_text(mod, &o->text_start, &o->text_end);
	if (o->text_end <= o->text_start) {
		fbt_obj_free(o);
		return;
	}
	ret = fbt_obj_fill(o);
	mutex_lock(&fbt_lock);
	if (!ret && !fbt_obj_find(mod)) {
		ret = fbt_obj_publish(o);
		if (ret) {
			list_del(&o->list);
		} else {
			fbt_watch_remap();	/* with o's text */
			o = NULL;
		}
	}
	fbt_stats.enum_ns += ktime_get_ns() - t0;
	mutex_unlock(&fbt_lock);
	if (ret)
		pr_warn("fbt: no probes for module %s (%d)\n", mod->name, ret);
	fbt_obj_free(o);
}

static void fbt_module_remove(struct module *mod)
{
	struct fbt_obj *o;

	mutex_lock(&fbt_lock);
	o = fbt_obj_find(mod);
	if (o) {
		fbt_disarm_obj(o);
		list_del(&o->list);
		fbt_watch_remap();	/* without o's text */
		fbt_stats.functions -= o->nfuncs;
		/* Failing to shrink the table leaves o's probes in the old one. */
		if (fbt_table_publish())
			fbt_table_drop_obj(o);
	}
	mutex_unlock(&fbt_lock);
	if (!o)
		return;
	/* No CPU can be in the handler with o's probes after this. */
	synchronize_rcu();
	fbt_obj_free(o);
}

static int fbt_module_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct module *mod = data;

	if (action == MODULE_STATE_COMING)
		fbt_module_add(mod);
	else if (action == MODULE_STATE_GOING)
		fbt_module_remove(mod);
	return NOTIFY_DONE;
}

static struct notifier_block fbt_module_nb = {
	.notifier_call = fbt_module_notify,
};

static bool fbt_in_module_area(const void *p)
{
	unsigned long a = (unsigned long)p;

	return a >= MODULES_VADDR && a < MODULES_END;
}

/*
 * Modules already live: hold a reference on each (so none can go away while
 * its probes are built) and build their objects outside RCU.
 */
static void fbt_enum_modules(void)
{
	struct module *mod, **mods;
	unsigned int n = 0, cap = 0, i;

	rcu_read_lock();
	list_for_each_entry_rcu(mod, &THIS_MODULE->list, list)
		cap++;
	rcu_read_unlock();
	cap += 16;
	mods = kcalloc(cap, sizeof(*mods), GFP_KERNEL);
	if (!mods)
		return;
	rcu_read_lock();
	list_for_each_entry_rcu(mod, &THIS_MODULE->list, list) {
		/* The list head `modules' is the one node outside modules. */
		if (!fbt_in_module_area(&mod->list))
			continue;
		if (n == cap)
			break;
		if (mod->state != MODULE_STATE_LIVE || !try_module_get(mod))
			continue;
		mods[n++] = mod;
	}
	rcu_read_unlock();
	for (i = 0; i < n; i++) {
		fbt_module_add(mods[i]);
		module_put(mods[i]);
	}
	kfree(mods);
}

int fbt_enum_init(void)
{
	struct fbt_obj *o;
	u64 t0 = ktime_get_ns();
	int ret;

	o = fbt_obj_new("kernel", NULL);
	if (!o)
		return -ENOMEM;
	ret = fbt_obj_fill(o);
	if (ret) {
		fbt_obj_free(o);
		return ret;
	}
	mutex_lock(&fbt_lock);
	ret = fbt_obj_publish(o);
	if (ret)
		list_del(&o->list);
	fbt_stats.enum_ns += ktime_get_ns() - t0;
	mutex_unlock(&fbt_lock);
	if (ret) {
		fbt_obj_free(o);
		return ret;
	}
	ret = register_module_notifier(&fbt_module_nb);
	if (ret)
		return ret;
	fbt_enum_modules();
	return 0;
}

/* Stop following modules and restore every byte. The handler stays. */
void fbt_enum_exit(void)
{
	struct fbt_obj *o;

	unregister_module_notifier(&fbt_module_nb);
	mutex_lock(&fbt_lock);
	list_for_each_entry(o, &fbt_objs, list)
		fbt_disarm_obj(o);
	mutex_unlock(&fbt_lock);
	/* Ghost traps are still claimed while the handler is in. */
	synchronize_rcu();
}

/* After the handler is gone: free everything. */
void fbt_enum_free(void)
{
	struct fbt_obj *o, *n;

	mutex_lock(&fbt_lock);
	list_for_each_entry_safe(o, n, &fbt_objs, list) {
		list_del(&o->list);
		fbt_obj_free(o);
	}
	mutex_unlock(&fbt_lock);
}
