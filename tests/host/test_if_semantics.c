// SPDX-License-Identifier: GPL-2.0
/*
 * pushf/popf/sahf/lahf semantics that user mode cannot observe, checked
 * on the emulator alone against the SDM: the interrupted IF in the pushf
 * image, popf changing IF and IOPL at CPL0, reserved bits, VM/VIP/VIF,
 * RF, the 16-bit forms, and faults leaving the registers untouched.
 * Prints `ok <name>` or `not ok <name> <detail>` per case.
 */
#include <stdio.h>
#include <string.h>
#include "emul.h"
#include "flags.h"

unsigned long fbt_user_gs_base;
int (*fbt_user_fault_hook)(unsigned long addr, unsigned int size, bool write);

static int failures;
static u64 stack[64];
#define STACK_TOP ((unsigned long)&stack[32])
#define CODE_IP 0xffffffff81000000UL

static int fault_all(unsigned long addr, unsigned int size, bool write)
{
	(void)addr;
	(void)size;
	(void)write;
	return 1;
}

static void result(const char *name, bool ok, const char *fmt,
		   unsigned long a, unsigned long b)
{
	if (ok) {
		printf("ok %s\n", name);
		return;
	}
	printf("not ok %s ", name);
	printf(fmt, a, b);
	printf("\n");
	failures++;
}

static void init_regs(struct pt_regs *r, unsigned long flags)
{
	memset(r, 0, sizeof(*r));
	memset(stack, 0x5a, sizeof(stack));
	r->ax = 0x1122334455667788UL;
	r->flags = flags;
	r->sp = STACK_TOP;
	r->ip = CODE_IP;
}

/* Prepare and run @bytes; returns fbt_emul_run()'s result or -100 - why. */
static int run(const u8 *bytes, unsigned int len, struct pt_regs *r)
{
	struct fbt_emul e;
	int ret = fbt_emul_prepare(&e, bytes, len);

	if (ret)
		return -100 - ret;
	return fbt_emul_run(&e, r);
}

static const u8 PUSHF[] = { 0x9c }, PUSHF_W[] = { 0x48, 0x9c };
static const u8 PUSHF16[] = { 0x66, 0x9c }, POPF[] = { 0x9d };
static const u8 POPF_W[] = { 0x48, 0x9d }, POPF16[] = { 0x66, 0x9d };
static const u8 SAHF[] = { 0x9e }, LAHF[] = { 0x9f };

#define RUN(b, r)	run(b, sizeof(b), r)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* pushf of a context with @flags: image, sp, ip and the flags after */
static void pushf_case(const char *name, const u8 *b, unsigned int len,
		       unsigned long flags, unsigned int size)
{
	unsigned long want = flags & ~(FBT_FL_RF | FBT_FL_VM), got;
	struct pt_regs r;
	int ret;

	init_regs(&r, flags);
	ret = run(b, len, &r);
	if (ret) {
		result(name, false, "run returned %ld%.0lu", ret, 0);
		return;
	}
	got = stack[31];
	if (size == 2) {
		u16 w;

		memcpy(&w, (char *)STACK_TOP - 2, 2);
		got = w;
	}
	if (size == 2)
		want &= 0xffff;
	if (got != want) {
		result(name, false, "image %#lx want %#lx", got, want);
		return;
	}
	if (r.sp != STACK_TOP - size || r.ip != CODE_IP + len) {
		result(name, false, "sp %#lx ip %#lx", r.sp, r.ip);
		return;
	}
	if (size == 2 && (stack[31] & 0xffffffffffffUL) != 0x5a5a5a5a5a5aUL) {
		result(name, false, "wrote past 2 bytes: %#lx%.0lu", stack[31], 0);
		return;
	}
	result(name, r.flags == (flags & ~FBT_FL_RF),
	       "flags after %#lx want %#lx", r.flags, flags & ~FBT_FL_RF);
}

/* popf of @val in a context with @flags: must give @want, sp moved */
static void popf_case(const char *name, const u8 *b, unsigned int len,
		      unsigned long flags, u64 val, unsigned int size,
		      unsigned long want)
{
	struct pt_regs r;
	int ret;

	init_regs(&r, flags);
	if (size == 8)
		stack[32] = val;
	else
		memcpy(&stack[32], &val, 2);
	ret = run(b, len, &r);
	if (ret) {
		result(name, false, "run returned %ld%.0lu", ret, 0);
		return;
	}
	if (r.sp != STACK_TOP + size || r.ip != CODE_IP + len) {
		result(name, false, "sp %#lx ip %#lx", r.sp, r.ip);
		return;
	}
	result(name, r.flags == want, "flags %#lx want %#lx", r.flags, want);
}

static void test_pushf(void)
{
	const unsigned long st = FBT_FL_CF | FBT_FL_ZF | FBT_FL_OF;

	pushf_case("pushf_if1", PUSHF, sizeof(PUSHF), 0x202 | st, 8);
	pushf_case("pushf_if0", PUSHF, sizeof(PUSHF), 0x002 | st, 8);
	pushf_case("pushf_rex_w_if1", PUSHF_W, sizeof(PUSHF_W), 0x202, 8);
	pushf_case("pushf_rex_w_if0", PUSHF_W, sizeof(PUSHF_W), 0x002, 8);
	pushf_case("pushf_rf_vm_cleared", PUSHF, sizeof(PUSHF),
		   0x202 | FBT_FL_RF | FBT_FL_VM, 8);
	pushf_case("pushf_iopl_nt_ac_id_tf_df", PUSHF, sizeof(PUSHF),
		   0x202 | FBT_FL_IOPL | FBT_FL_NT | FBT_FL_AC | FBT_FL_ID |
		   FBT_FL_TF | FBT_FL_DF, 8);
	pushf_case("pushf_vif_vip_kept", PUSHF, sizeof(PUSHF),
		   0x002 | FBT_FL_VIF | FBT_FL_VIP, 8);
	pushf_case("pushf16_if1", PUSHF16, sizeof(PUSHF16), 0x202 | FBT_FL_AC | st, 2);
	pushf_case("pushf16_if0", PUSHF16, sizeof(PUSHF16), 0x002 | FBT_FL_RF | st, 2);
}

static void test_popf(void)
{
	const unsigned long keep = FBT_FL_VM | FBT_FL_VIF | FBT_FL_VIP;

	popf_case("popf_if_0_to_1", POPF, sizeof(POPF), 0x002, 0x202, 8, 0x202);
	popf_case("popf_if_1_to_0", POPF, sizeof(POPF), 0x202, 0x002, 8, 0x002);
	popf_case("popf_rex_w_if_0_to_1", POPF_W, sizeof(POPF_W), 0x002, 0x202, 8, 0x202);
	popf_case("popf_iopl_0_to_3", POPF, sizeof(POPF), 0x202, 0x3202, 8, 0x3202);
	popf_case("popf_iopl_3_to_0", POPF, sizeof(POPF), 0x3202, 0x202, 8, 0x202);
	popf_case("popf_all_ones", POPF, sizeof(POPF), 0x002, ~0ULL, 8,
		  FBT_FL_POPF | FBT_FL_FIXED);
	popf_case("popf_all_ones_value", POPF, sizeof(POPF), 0x002, ~0ULL, 8, 0x247fd7);
	popf_case("popf_zero_keeps_bit1", POPF, sizeof(POPF), 0x2d7, 0, 8, 0x002);
	popf_case("popf_reserved_3_5_15_stay_0", POPF, sizeof(POPF), 0x002,
		  0x8028 | 0x202, 8, 0x202);
	popf_case("popf_reserved_22_63_stay_0", POPF, sizeof(POPF), 0x002,
		  ~0x3fffffULL | 0x202, 8, 0x202);
	popf_case("popf_vm_vip_vif_preserved_set", POPF, sizeof(POPF), 0x002 | keep,
		  0x202, 8, 0x202 | keep);
	popf_case("popf_vm_vip_vif_preserved_clear", POPF, sizeof(POPF), 0x002,
		  0x202 | keep, 8, 0x202);
	popf_case("popf_rf_cleared", POPF, sizeof(POPF), 0x002 | FBT_FL_RF,
		  0x202 | FBT_FL_RF, 8, 0x202);
	popf_case("popf_tf_df_nt_ac_id", POPF, sizeof(POPF), 0x002,
		  0x002 | FBT_FL_TF | FBT_FL_DF | FBT_FL_NT | FBT_FL_AC |
		  FBT_FL_ID, 8,
		  0x002 | FBT_FL_TF | FBT_FL_DF | FBT_FL_NT | FBT_FL_AC |
		  FBT_FL_ID);
	popf_case("popf_clears_ac_id", POPF, sizeof(POPF), 0x202 | FBT_FL_AC | FBT_FL_ID,
		  0x202, 8, 0x202);
	popf_case("popf_status_flags", POPF, sizeof(POPF), 0x202, 0x2d7, 8, 0x2d7);
	popf_case("popf16_if_0_to_1", POPF16, sizeof(POPF16), 0x002, 0x202, 2, 0x202);
	popf_case("popf16_if_1_to_0", POPF16, sizeof(POPF16), 0x202, 0x002, 2, 0x002);
	popf_case("popf16_iopl", POPF16, sizeof(POPF16), 0x002, 0x3002, 2, 0x3002);
	popf_case("popf16_keeps_ac_id_vm_vip_vif", POPF16, sizeof(POPF16),
		  0x202 | FBT_FL_AC | FBT_FL_ID | keep, 0x0000, 2,
		  0x002 | FBT_FL_AC | FBT_FL_ID | keep);
	popf_case("popf16_all_ones", POPF16, sizeof(POPF16), 0x002 | FBT_FL_AC, 0xffff, 2,
		  0x7fd7 | FBT_FL_AC);
	popf_case("popf16_rf_cleared", POPF16, sizeof(POPF16), 0x202 | FBT_FL_RF, 0x202, 2,
		  0x202);
}

static void test_sahf_lahf(void)
{
	const unsigned long other = 0x002 | FBT_FL_TF | FBT_FL_IF |
		FBT_FL_DF | FBT_FL_OF | FBT_FL_IOPL | FBT_FL_AC;
	struct pt_regs r;
	u64 ax;
	int ret;

	init_regs(&r, other);
	r.ax = 0xff00;
	ret = RUN(SAHF, &r);
	result("sahf_ones", !ret && r.flags == (other | FBT_FL_SAHF),
	       "flags %#lx want %#lx", r.flags, other | FBT_FL_SAHF);

	init_regs(&r, other | FBT_FL_SAHF);
	r.ax = 0xffffffffffff00ffUL;
	ret = RUN(SAHF, &r);
	result("sahf_zeros", !ret && r.flags == other,
	       "flags %#lx want %#lx", r.flags, other);

	init_regs(&r, 0x002);
	r.ax = 0x2a00;		/* bits 1, 3, 5 of AH */
	ret = RUN(SAHF, &r);
	result("sahf_bits_1_3_5", !ret && r.flags == 0x002,
	       "flags %#lx want %#lx", r.flags, 0x002);

	init_regs(&r, 0x202);
	r.ax = 0x1000;		/* AF alone */
	ret = RUN(SAHF, &r);
	result("sahf_af", !ret && r.flags == (0x202 | FBT_FL_AF),
	       "flags %#lx want %#lx", r.flags, 0x202 | FBT_FL_AF);

	init_regs(&r, other | FBT_FL_SAHF);
	ax = r.ax;
	ret = RUN(LAHF, &r);
	ax = (ax & ~0xff00UL) | (FBT_FL_SAHF | FBT_FL_FIXED) << 8;
	result("lahf_ones", !ret && r.ax == ax && r.flags == (other | FBT_FL_SAHF),
	       "rax %#lx want %#lx", r.ax, ax);

	init_regs(&r, other);
	ax = r.ax;
	ret = RUN(LAHF, &r);
	ax = (ax & ~0xff00UL) | FBT_FL_FIXED << 8;
	result("lahf_zeros", !ret && r.ax == ax && r.flags == other,
	       "rax %#lx want %#lx", r.ax, ax);
}

static void test_faults(void)
{
	struct pt_regs r, before;
	const struct { const char *name; const u8 *b; unsigned int len; } c[] = {
		{ "pushf_fault_regs_unchanged", PUSHF, sizeof(PUSHF) },
		{ "pushf16_fault_regs_unchanged", PUSHF16, sizeof(PUSHF16) },
		{ "popf_fault_regs_unchanged", POPF, sizeof(POPF) },
		{ "popf16_fault_regs_unchanged", POPF16, sizeof(POPF16) },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		init_regs(&r, 0x202 | FBT_FL_RF);
		before = r;
		fbt_user_fault_hook = fault_all;
		ret = run(c[i].b, c[i].len, &r);
		fbt_user_fault_hook = NULL;
		result(c[i].name,
		       ret == FBT_EMUL_FAULT && !memcmp(&r, &before, sizeof(r)),
		       "ret %ld, regs changed: %lu", ret,
		       !!memcmp(&r, &before, sizeof(r)));
	}
}

/* The seed's path: pushf then popf must give the context back its IF. */
static void test_roundtrip(void)
{
	static const char * const name[] = {
		"pushf_popf_roundtrip_if0", "pushf_popf_roundtrip_if1",
		"pushf_popf_roundtrip_iopl3_ac", "pushf_popf_roundtrip_status",
	};
	unsigned long f[] = { 0x002, 0x202, 0x3202 | FBT_FL_AC, 0x2d7 };
	struct pt_regs r;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		init_regs(&r, f[i]);
		ret = RUN(PUSHF, &r);
		r.flags ^= FBT_FL_IF;	/* the code in between flips IF */
		ret |= RUN(POPF, &r);
		result(name[i], !ret && r.flags == f[i] && r.sp == STACK_TOP,
		       "flags %#lx want %#lx", r.flags, f[i]);
	}
}

int main(void)
{
	test_pushf();
	test_popf();
	test_sahf_lahf();
	test_faults();
	test_roundtrip();
	printf("# test_if_semantics: %d failed\n", failures);
	return failures ? 1 : 0;
}
