// SPDX-License-Identifier: GPL-2.0
/*
 * fbt_decoder: fbt_insn_decode() on a table of tricky encodings (the host
 * table test's), and on the live text of kernel functions: every
 * instruction from a function's entry must decode, the boundaries must
 * land exactly on the symbol's end as kallsyms reports it, and, in a
 * built-in test, each length must match the kernel's own decoder.
 */
#include <kunit/test.h>
#include <linux/hex.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/list_sort.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/bsearch.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/insn.h>

#include "insn.h"
#include "emul.h"

struct fbt_kt_dcase {
	const char *group;
	const char *bytes;	/* hex bytes, space separated */
	int result;		/* the length, or an FBT_DECODE_* error */
};

static const struct fbt_kt_dcase fbt_kt_dcases[] = {
#include "decode_cases.h"
};

static void fbt_kt_dcase_desc(const struct fbt_kt_dcase *t, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s: %s", t->group, t->bytes);
}

KUNIT_ARRAY_PARAM(fbt_kt_dcase, fbt_kt_dcases, fbt_kt_dcase_desc);

static void fbt_kt_lengths(struct kunit *test)
{
	const struct fbt_kt_dcase *t = test->param_value;
	struct fbt_insn insn;
	u8 buf[32];
	const char *s;
	unsigned int n = 0;
	int ret;

	for (s = t->bytes; *s; s++) {
		if (*s == ' ')
			continue;
		KUNIT_ASSERT_LT(test, n, sizeof(buf));
		KUNIT_ASSERT_EQ(test, hex2bin(&buf[n++], s, 1), 0);
		s++;
	}
	ret = fbt_insn_decode(&insn, buf, n);
	if (t->result < 0) {
		KUNIT_EXPECT_EQ(test, ret, t->result);
		return;
	}
	KUNIT_ASSERT_EQ(test, ret, FBT_DECODE_OK);
	KUNIT_EXPECT_EQ(test, insn.len, t->result);
}

/* Live kernel text: functions the kernel runs, as patched at boot. */
struct fbt_kt_func {
	const char *name;
	const void *addr;
};

#define FBT_KT_FUNC(f)	{ #f, (const void *)(f) }
static const struct fbt_kt_func fbt_kt_funcs[] = {
	FBT_KT_FUNC(kfree),
	FBT_KT_FUNC(vmap),
	FBT_KT_FUNC(vfree),
	FBT_KT_FUNC(sprint_symbol),
	FBT_KT_FUNC(kstrtoull),
	FBT_KT_FUNC(sort),
	FBT_KT_FUNC(list_sort),
	FBT_KT_FUNC(_printk),
	FBT_KT_FUNC(mutex_unlock),
	FBT_KT_FUNC(copy_from_kernel_nofault),
	FBT_KT_FUNC(fbt_insn_decode),
	FBT_KT_FUNC(fbt_emul_prepare),
	FBT_KT_FUNC(fbt_emul_run),
};

static void fbt_kt_func_desc(const struct fbt_kt_func *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fbt_kt_func, fbt_kt_funcs, fbt_kt_func_desc);

/* Size of the symbol at @addr as kallsyms reports it ("name+0x0/0xSIZE") */
static unsigned long fbt_kt_sym_size(struct kunit *test, const void *addr)
{
	char sym[KSYM_SYMBOL_LEN], *slash;
	unsigned long size;

	sprint_symbol(sym, (unsigned long)addr);
	slash = strchr(sym, '/');
	KUNIT_ASSERT_NOT_NULL_MSG(test, slash, "no size in %s", sym);
	slash = strsep(&slash, " ");	/* drop a module name */
	KUNIT_ASSERT_EQ(test, kstrtoul(slash + 1, 16, &size), 0);
	KUNIT_ASSERT_NOT_NULL(test, strstr(sym, "+0x0/"));
	return size;
}

/*
 * Does the function leave here: ret, a jump to the return thunk, or a
 * tail call (a jump out of [@start, @end))?
 */
static bool fbt_kt_is_exit(const u8 *p, const u8 *buf, const struct fbt_insn *insn,
			   const u8 *start, const u8 *end)
{
	const u8 *target;
	s32 rel;

	if (insn->map != FBT_MAP_1B || insn->vex != FBT_VEX_NONE)
		return false;
	if (insn->opcode == 0xc3 || insn->opcode == 0xc2)
		return true;
	if (insn->opcode == 0xe9)
		memcpy(&rel, buf + insn->imm_off, 4);
	else if (insn->opcode == 0xeb)
		rel = (s8)buf[insn->imm_off];
	else
		return false;
	target = p + insn->len + rel;
	return target < start || target >= end;
}

static void fbt_kt_live_text(struct kunit *test)
{
	const struct fbt_kt_func *t = test->param_value;
	const u8 *start = t->addr, *p;
	unsigned long size = fbt_kt_sym_size(test, t->addr);
	unsigned int n = 0, exits = 0;
	u8 buf[FBT_INSN_MAX];
	struct fbt_insn insn;
	int ret;

	KUNIT_ASSERT_GT(test, size, 0UL);
	for (p = start; p < start + size; p += insn.len, n++) {
		unsigned int avail = min_t(unsigned long, sizeof(buf),
					   start + size - p);

		KUNIT_ASSERT_EQ(test, copy_from_kernel_nofault(buf, p, avail), 0);
		ret = fbt_insn_decode(&insn, buf, avail);
		KUNIT_ASSERT_EQ_MSG(test, ret, FBT_DECODE_OK,
				    "%s+%#lx: %*ph does not decode", t->name,
				    (unsigned long)(p - start), (int)avail, buf);
#if IS_BUILTIN(CONFIG_FBT_KUNIT_TEST)
		{
			struct insn kinsn;

			KUNIT_EXPECT_EQ(test, insn_decode_kernel(&kinsn, p), 0);
			KUNIT_EXPECT_EQ_MSG(test, insn.len, kinsn.length,
					    "%s+%#lx: %*ph: kernel decoder differs",
					    t->name, (unsigned long)(p - start),
					    (int)insn.len, buf);
		}
#endif
		if (fbt_kt_is_exit(p, buf, &insn, start, start + size))
			exits++;
	}
	KUNIT_EXPECT_PTR_EQ_MSG(test, (const void *)p, (const void *)(start + size),
				"%s: boundaries overshoot the symbol end by %ld bytes",
				t->name, (long)(p - start - size));
	KUNIT_EXPECT_GT_MSG(test, exits, 0U, "%s: no return or tail call found",
			    t->name);
	kunit_info(test, "%s: %u instructions, %lu bytes, %u returns or tail calls\n",
		   t->name, n, size, exits);
}

static struct kunit_case fbt_decoder_cases[] = {
	{ .name = "lengths", .run_case = fbt_kt_lengths,
	  .generate_params = fbt_kt_dcase_gen_params },
	{ .name = "live_text", .run_case = fbt_kt_live_text,
	  .generate_params = fbt_kt_func_gen_params },
	{}
};

static struct kunit_suite fbt_decoder_suite = {
	.name = "fbt_decoder",
	.test_cases = fbt_decoder_cases,
};

kunit_test_suite(fbt_decoder_suite);
