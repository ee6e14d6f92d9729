// SPDX-License-Identifier: GPL-2.0
/*
 * Probes on code a test names, for fbt's in-kernel tests (kunit/live_test.c);
 * built into the KUnit kernel only, not into fbt.ko.
 *
 * fbt_selftest_add() makes an object of the given functions with a probe
 * at each given address, prepared by the emulator as sites.c prepares a
 * site (without the name, blacklist and kprobes checks: the test chooses
 * its code), and publishes it to the trap handler's table like a module
 * that comes. Arming and disarming go through fbt_reconcile(), the path
 * globs take; fbt_selftest_remove() is what enum.c does for a module that
 * goes. Everything else (trap handler, text patching, recorder) is fbt's.
 */
#include <linux/kernel.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "fbt.h"
#include "selftest.h"

static int fbt_selftest_cmp(const void *a, const void *b)
{
	const struct fbt_probe *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void fbt_selftest_free(struct fbt_obj *o)
{
	kfree(o->funcs);
	kfree(o->probes);
	kfree(o->names);
	kfree(o);
}

/* Index of the function of @s in @o, added if new. */
static u32 fbt_selftest_func(struct fbt_obj *o,
			     const struct fbt_selftest_site *s)
{
	size_t len = strlen(s->name) + 1;
	u32 i;

	for (i = 0; i < o->nfuncs; i++)
		if (o->funcs[i].addr == s->func)
			return i;
	o->funcs[i].addr = s->func;
	o->funcs[i].size = s->size;
	o->funcs[i].name = o->names_len;
	memcpy(o->names + o->names_len, s->name, len);	/* sized in _add() */
	o->names_len += len;
	o->nfuncs++;
	return i;
}

static void fbt_selftest_prepare(struct fbt_probe *p, unsigned long fend)
{
	unsigned int n = min_t(unsigned long, FBT_INSN_MAX, fend - p->addr);
	u8 b[FBT_INSN_MAX];
	int r;

	memset(&p->emul, 0, sizeof(p->emul));
	p->emul.insn.modrm_off = -1;
	if (copy_from_kernel_nofault(b, (void *)p->addr, n)) {
		p->state = FBT_REFUSED;
		p->reason = FBT_R_UNREADABLE;
		return;
	}
	r = fbt_emul_prepare(&p->emul, b, n);
	if (r != FBT_EMUL_OK) {
		p->state = FBT_REFUSED;
		p->reason = r;
	}
}

/*
 * An object @name with a probe at each of @s[0 .. n-1], disarmed, visible
 * to the trap handler. Returns the object or an ERR_PTR.
 */
struct fbt_obj *fbt_selftest_add(const char *name,
				 const struct fbt_selftest_site *s,
				 unsigned int n)
{
	size_t names = 0;
	struct fbt_obj *o, *x;
	unsigned int i;
	int ret;

	if (!n)
		return ERR_PTR(-EINVAL);
	for (i = 0; i < n; i++) {
		if (s[i].addr < s[i].func || s[i].addr >= s[i].func + s[i].size)
			return ERR_PTR(-EINVAL);
		names += strlen(s[i].name) + 1;
	}
	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&o->list);
	strscpy(o->name, name, sizeof(o->name));
	o->funcs = kcalloc(n, sizeof(*o->funcs), GFP_KERNEL);
	o->probes = kcalloc(n, sizeof(*o->probes), GFP_KERNEL);
	o->names = kzalloc(names, GFP_KERNEL);
	if (!o->funcs || !o->probes || !o->names) {
		fbt_selftest_free(o);
		return ERR_PTR(-ENOMEM);
	}
	o->text_start = ULONG_MAX;
	for (i = 0; i < n; i++) {
		struct fbt_probe *p = &o->probes[i];

		p->addr = s[i].addr;
		p->func = fbt_selftest_func(o, &s[i]);
		p->flags = s[i].ret ? FBT_P_RETURN : 0;
		fbt_selftest_prepare(p, s[i].func + s[i].size);
		o->text_start = min(o->text_start, s[i].func);
		o->text_end = max(o->text_end, s[i].func + s[i].size);
	}
	o->nprobes = n;
	/* The recorder's id lookup bisects the probes by address. */
	sort(o->probes, n, sizeof(*o->probes), fbt_selftest_cmp, NULL);
	for (i = 1; i < n; i++) {
		if (o->probes[i].addr == o->probes[i - 1].addr) {
			fbt_selftest_free(o);
			return ERR_PTR(-EINVAL);
		}
	}
	o->bytes = sizeof(*o) + n * (sizeof(*o->funcs) + sizeof(*o->probes)) +
		   names;

	mutex_lock(&fbt_lock);
	list_for_each_entry(x, &fbt_objs, list)
		o->id_base = max(o->id_base, x->id_base + x->nprobes);
	list_add_tail(&o->list, &fbt_objs);
	fbt_stats.functions += o->nfuncs;
	ret = fbt_table_publish();
	if (ret) {
		list_del(&o->list);
		fbt_stats.functions -= o->nfuncs;
	}
	mutex_unlock(&fbt_lock);
	if (ret) {
		fbt_selftest_free(o);
		return ERR_PTR(ret);
	}
	return o;
}

/* The probe of @o at @addr, or NULL. */
struct fbt_probe *fbt_selftest_probe(struct fbt_obj *o, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < o->nprobes; i++)
		if (o->probes[i].addr == addr)
			return &o->probes[i];
	return NULL;
}

/*
 * Want (@arm) or stop wanting every probe of @o, and make the text match,
 * as a glob written to the control file does. Refused and quarantined
 * probes stay as they are.
 */
int fbt_selftest_arm(struct fbt_obj *o, bool arm)
{
	unsigned int i;
	int ret;

	mutex_lock(&fbt_lock);
	for (i = 0; i < o->nprobes; i++) {
		if (arm)
			o->probes[i].flags |= FBT_P_WANT;
		else
			o->probes[i].flags &= ~FBT_P_WANT;
	}
	ret = fbt_reconcile();
	mutex_unlock(&fbt_lock);
	return ret;
}

/* Restore @o's bytes, take it out of the table, free it after a grace period. */
void fbt_selftest_remove(struct fbt_obj *o)
{
	mutex_lock(&fbt_lock);
	fbt_disarm_obj(o);
	list_del(&o->list);
	fbt_stats.functions -= o->nfuncs;
	if (fbt_table_publish())
		fbt_table_drop_obj(o);
	mutex_unlock(&fbt_lock);
	/* No CPU can be in the handler with o's probes after this. */
	synchronize_rcu();
	fbt_selftest_free(o);
}
