// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU half of the differential test checked on its own, against
 * results computed here by hand: if the harness loaded or captured a
 * state wrongly, the emulator would be judged against garbage.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cpu_diff.h"

#define STATES	2000

static u8 mem0[CD_DATA_SIZE];
static unsigned int failures;

static void fail(const char *what, const struct cd_state *in,
		 const struct cd_state *got, const struct cd_state *want)
{
	unsigned int i;

	if (failures++ >= 5)
		return;
	printf("#   harness: %s: input flags %#llx\n", what,
	       (unsigned long long)in->flags);
	for (i = 0; i < CD_NGPR; i++)
		if (got->r[i] != want->r[i])
			printf("#     r%u: got %#llx want %#llx\n", i,
			       (unsigned long long)got->r[i],
			       (unsigned long long)want->r[i]);
	if (got->flags != want->flags)
		printf("#     rflags: got %#llx want %#llx\n",
		       (unsigned long long)got->flags,
		       (unsigned long long)want->flags);
	if (got->ip != want->ip)
		printf("#     rip: got %#llx want %#llx\n",
		       (unsigned long long)got->ip,
		       (unsigned long long)want->ip);
}

/* Run @bytes from @in and check against @want (ip included). */
static void expect(const char *what, const u8 *bytes, unsigned int len,
		   const struct cd_state *in, const struct cd_state *want)
{
	struct cd_state out;
	int sig;

	cd_cpu_place(bytes, len);
	sig = cd_cpu_run(in, &out);
	if (sig) {
		if (failures++ < 5)
			printf("#   harness: %s: signal %d at %#llx\n", what, sig,
			       (unsigned long long)out.ip);
		return;
	}
	if (memcmp(out.r, want->r, sizeof(out.r)) || out.flags != want->flags ||
	    out.ip != want->ip)
		fail(what, in, &out, want);
}

static u64 add_flags(u64 a, u64 b, u64 r)
{
	u64 f = 0;

	if (r < a)
		f |= CD_CF;
	if (!r)
		f |= CD_ZF;
	if (r >> 63)
		f |= CD_SF;
	if (!__builtin_parityll(r & 0xff))
		f |= CD_PF;
	if ((a ^ b ^ r) & 0x10)
		f |= CD_AF;
	if ((~(a ^ b) & (a ^ r)) >> 63)
		f |= CD_OF;
	return f;
}

int cd_self_check(struct cd_rng *g)
{
	u64 insn = (u64)cd_cpu_insn(), *sp, v;
	struct cd_state in, want, out;
	unsigned int i, k;
	u8 b[16];
	s32 d;

	for (i = 0; i < STATES; i++) {
		bool aligned = (i & 3) == 0;

		cd_rand_state(g, &in, aligned);
		memcpy(mem0, cd_cpu_data(), CD_DATA_SIZE);

		/* nop: nothing changes but ip */
		want = in;
		want.ip = insn + 1;
		expect("nop", (const u8 *)"\x90", 1, &in, &want);
		if (memcmp(mem0, cd_cpu_data(), CD_DATA_SIZE))
			fail("nop wrote memory", &in, &in, &in);

		/* add %rbx,%rax */
		want = in;
		want.r[CD_AX] = in.r[CD_AX] + in.r[CD_BX];
		want.flags = (in.flags & ~CD_STATUS) |
			     add_flags(in.r[CD_AX], in.r[CD_BX], want.r[CD_AX]);
		want.ip = insn + 3;
		expect("add %rbx,%rax", (const u8 *)"\x48\x01\xd8", 3, &in, &want);

		/* pushfq: the flags as loaded, below rsp */
		want = in;
		want.r[CD_SP] -= 8;
		want.ip = insn + 1;
		expect("pushfq", (const u8 *)"\x9c", 1, &in, &want);
		memcpy(&v, (void *)want.r[CD_SP], 8);
		if (v != in.flags)
			fail("pushfq image", &in, &in, &in);

		/* popfq of a user-mode-legal value */
		sp = (u64 *)in.r[CD_SP];
		v = cd_rand_flags(g, aligned && (i & 4));
		memcpy(sp, &v, 8);
		want = in;
		want.r[CD_SP] += 8;
		want.flags = v;
		want.ip = insn + 1;
		expect("popfq", (const u8 *)"\x9d", 1, &in, &want);

		/* mov %gs:disp32,%rax with a random %gs base */
		in.gs_base = cd_below(g, 0x3fff0000) + 0x10000;
		k = (0x100 + cd_below(g, CD_DATA_SIZE - 0x200)) & ~7U;
		d = (s32)((u64)cd_cpu_data() + k - in.gs_base);
		memcpy(b, "\x65\x48\x8b\x04\x25", 5);
		memcpy(b + 5, &d, 4);
		want = in;
		memcpy(&want.r[CD_AX], cd_cpu_data() + k, 8);
		want.ip = insn + 9;
		expect("mov %gs:disp32,%rax", b, 9, &in, &want);
		in.gs_base = 0;

		/* lea disp32(%rip),%rcx */
		d = (s32)cd_rand(g);
		memcpy(b, "\x48\x8d\x0d", 3);
		memcpy(b + 3, &d, 4);
		want = in;
		want.r[CD_CX] = insn + 7 + d;
		want.ip = insn + 7;
		expect("lea disp32(%rip),%rcx", b, 7, &in, &want);
	}

	/* jmp rel32 onto every landing pad */
	cd_rand_state(g, &in, false);
	for (k = 1; k < cd_cpu_npads(); k++) {
		d = (s32)(cd_cpu_pad(k) - (insn + 5));
		b[0] = 0xe9;
		memcpy(b + 1, &d, 4);
		want = in;
		want.ip = cd_cpu_pad(k);
		expect("jmp rel32 to a pad", b, 5, &in, &want);
	}

	/* a fault is reported, not fatal */
	cd_cpu_place((const u8 *)"\x0f\x0b", 2);
	if (cd_cpu_run(&in, &out) != SIGILL || out.ip != insn) {
		failures++;
		printf("#   harness: ud2 did not report SIGILL at the instruction\n");
	}

	printf("%s cpu-diff harness: nop, add, pushfq, popfq, %%gs:, rip-relative over %u states, jmp to %u pads, ud2 as computed by hand\n",
	       failures ? "not ok" : "ok", STATES, cd_cpu_npads() - 1);
	return failures;
}
