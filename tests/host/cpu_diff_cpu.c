// SPDX-License-Identifier: GPL-2.0
/*
 * The real-CPU half of the differential test: execute one instruction in
 * user mode from a fully specified state and capture the full result.
 *
 * One RWX region below 2 GB holds a state block, the data area and
 * generated code. The entry stub saves the host's callee-saved registers,
 * rsp and rflags with RIP-relative stores, points rsp at the input flags and
 * popfq's them, loads all 16 GPRs with RIP-relative movs (mov leaves the
 * flags alone; rsp last) and jumps to the instruction. Right after the
 * instruction sits landing pad 0; more pads sit every 16 bytes around it,
 * elsewhere in the region and, when they can be mapped, about 1 GB away
 * either side. A pad stores its number with `movl $n, landed(%rip)` (no
 * register or flag touched) and jumps to the epilogue, which stores the 16
 * GPRs, moves to a scratch stack, pushfq's the flags and restores the host.
 * Every other code byte is int3, so a branch that misses every pad traps
 * and the signal handler reports where it went.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "cpu_diff.h"

#define REGION_HINT	0x40000000UL
#define REGION_SIZE	0x40000UL
#define FAR_DIST	0x3f000000UL
#define DATA_OFF	0x1000UL
#define CODE_OFF	0x4000UL	/* entry stub and epilogue */
#define INSN_OFF	0x20000UL	/* the instruction under test */
#define MAX_PADS	64

struct block {
	u64 in[CD_NGPR];
	u64 out[CD_NGPR];
	u64 in_flags;		/* popfq reads it */
	u64 out_flags;
	u64 host_flags;
	u64 host_rsp;
	u64 host_cs[6];		/* rbx rbp r12 r13 r14 r15 */
	u32 landed;
	u32 unused;
	u64 scratch[16];	/* the epilogue's stack */
};

static u8 *region;
static struct block *blk;
static u8 *insn_addr;
static void (*entry)(void);
static u8 *epilogue;
static u64 pads[MAX_PADS];
static unsigned int npads;
static u64 cur_gs = ~0UL;

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_sig;
static volatile sig_atomic_t in_cpu;	/* only faults of the insn are ours */
static volatile u64 fault_ip;

/* ---- a tiny emitter ---------------------------------------------------- */

static u8 *pc;

static void emit(u8 b)
{
	*pc++ = b;
}

static void emit32(u32 v)
{
	memcpy(pc, &v, 4);
	pc += 4;
}

static u32 rel32(const void *target, const u8 *next)
{
	s64 d = (s64)((u64)target - (u64)next);

	if (d != (s32)d) {
		fprintf(stderr, "cpu_diff: rel32 out of range\n");
		exit(2);
	}
	return (u32)d;
}

/* REX.W op reg <-> [rip + target]; @imm bytes follow the displacement. */
static void emit_rip(u8 op, unsigned int reg, const void *target, unsigned int imm)
{
	emit(0x48 | ((reg & 8) ? 0x04 : 0));
	emit(op);
	emit(((reg & 7) << 3) | 5);
	emit32(rel32(target, pc + 4 + imm));
}

static void emit_jmp(const void *target)
{
	emit(0xe9);
	emit32(rel32(target, pc + 4));
}

/* movl $id, landed(%rip); jmp epilogue: 15 bytes */
static void emit_pad(u8 *at, unsigned int id)
{
	pc = at;
	emit(0xc7);
	emit(0x05);
	emit32(rel32(&blk->landed, pc + 8));
	emit32(id);
	emit_jmp(epilogue);
}

static void add_pad(u8 *at)
{
	if (npads >= MAX_PADS)
		return;
	emit_pad(at, npads);
	pads[npads++] = (u64)at;
}

/* ---- setup ------------------------------------------------------------- */

static void gen_stub(void)
{
	static const unsigned int cs_regs[6] = {
		CD_BX, CD_BP, CD_R12, CD_R13, CD_R14, CD_R15
	};
	unsigned int i;

	/* epilogue first, so entry and pads know where it is */
	epilogue = region + CODE_OFF + 0x400;
	pc = epilogue;
	for (i = 0; i < CD_NGPR; i++)
		emit_rip(0x89, i, &blk->out[i], 0);		/* mov reg, out */
	emit_rip(0x8d, CD_SP, &blk->scratch[15], 0);		/* lea scratch, rsp */
	emit(0x9c);						/* pushfq */
	emit(0x58);						/* pop rax */
	emit_rip(0x89, CD_AX, &blk->out_flags, 0);
	emit_rip(0x8b, CD_AX, &blk->host_flags, 0);
	emit(0x50);						/* push rax */
	emit(0x9d);						/* popfq */
	for (i = 0; i < 6; i++)
		emit_rip(0x8b, cs_regs[i], &blk->host_cs[i], 0);
	emit_rip(0x8b, CD_SP, &blk->host_rsp, 0);
	emit(0xc3);

	pc = region + CODE_OFF;
	entry = (void (*)(void))(void *)pc;
	emit_rip(0x89, CD_SP, &blk->host_rsp, 0);
	for (i = 0; i < 6; i++)
		emit_rip(0x89, cs_regs[i], &blk->host_cs[i], 0);
	emit(0x9c);
	emit(0x58);
	emit_rip(0x89, CD_AX, &blk->host_flags, 0);
	emit_rip(0x8d, CD_SP, &blk->in_flags, 0);
	emit(0x9d);						/* popfq: test flags */
	for (i = 0; i < CD_NGPR; i++)
		if (i != CD_SP)
			emit_rip(0x8b, i, &blk->in[i], 0);
	emit_rip(0x8b, CD_SP, &blk->in[CD_SP], 0);		/* rsp last */
	emit_jmp(insn_addr);
}

static void *map_at(u64 addr, size_t size)
{
	void *p = mmap((void *)addr, size, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if ((u64)p != addr) {
		munmap(p, size);
		return NULL;
	}
	return p;
}

static void on_fault(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;

	/* the instruction may have left AC set: clear it before any C runs */
	__asm__ volatile("pushfq; andq %0, (%%rsp); popfq"
			 : : "i"(~(CD_AC | CD_DF)) : "cc", "memory");
	(void)si;
	if (!in_cpu) {		/* a crash elsewhere: die of it */
		signal(sig, SIG_DFL);
		return;
	}
	in_cpu = 0;
	fault_sig = sig;
	fault_ip = (u64)uc->uc_mcontext.gregs[REG_RIP];
	if (sig == SIGTRAP)	/* int3 filler: rip is past it */
		fault_ip--;
	siglongjmp(fault_jmp, 1);
}

static int setup_signals(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE };
	struct sigaction sa;
	stack_t ss;
	unsigned int i;

	ss.ss_sp = malloc(1 << 16);
	ss.ss_size = 1 << 16;
	ss.ss_flags = 0;
	if (!ss.ss_sp || sigaltstack(&ss, NULL))
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -1;
	return 0;
}

int cd_cpu_init(void)
{
	u8 *far;
	int k;

	region = map_at(REGION_HINT, REGION_SIZE);
	if (!region) {
		region = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		if (region == MAP_FAILED)
			return -1;
	}
	memset(region + CODE_OFF, 0xcc, REGION_SIZE - CODE_OFF);
	blk = (struct block *)region;
	insn_addr = region + INSN_OFF;
	gen_stub();

	/* pad 0 follows the instruction; cd_cpu_place() writes it */
	pads[npads++] = 0;
	/* near: every 16 bytes up to 256 back and 240 ahead */
	for (k = 1; k <= 16; k++)
		add_pad(insn_addr - 16 * k);
	for (k = 0; k < 15; k++)
		add_pad(insn_addr + 32 + 16 * k);
	/* farther within the region */
	add_pad(region + CODE_OFF + 0x1000);
	add_pad(region + 0x10010);
	add_pad(region + 0x2ff00);
	add_pad(region + REGION_SIZE - 0x20);
	/* about 1 GB away, when the addresses are free */
	far = map_at((u64)region + FAR_DIST, 0x1000);
	if (far) {
		memset(far, 0xcc, 0x1000);
		add_pad(far + 0x800);
	}
	if ((u64)region > FAR_DIST + 0x100000) {
		far = map_at((u64)region - FAR_DIST, 0x1000);
		if (far) {
			memset(far, 0xcc, 0x1000);
			add_pad(far + 0x100);
		}
	}
	return setup_signals();
}

u8 *cd_cpu_insn(void)
{
	return insn_addr;
}

u8 *cd_cpu_data(void)
{
	return region + DATA_OFF;
}

unsigned int cd_cpu_npads(void)
{
	return npads;
}

u64 cd_cpu_pad(unsigned int i)
{
	return pads[i];
}

void cd_cpu_place(const u8 *bytes, unsigned int len)
{
	/* rewriting code costs a pipeline flush: skip it when unchanged */
	if (pads[0] == (u64)insn_addr + len && !memcmp(insn_addr, bytes, len))
		return;
	memset(insn_addr, 0xcc, 32);
	memcpy(insn_addr, bytes, len);
	emit_pad(insn_addr + len, 0);
	pads[0] = (u64)insn_addr + len;
}

static void set_gs(u64 base)
{
	static int fsgsbase = -1;

	if (base == cur_gs)
		return;
	if (fsgsbase < 0)	/* HWCAP2_FSGSBASE: the kernel allows wrgsbase */
		fsgsbase = !!(getauxval(AT_HWCAP2) & 2);
	if (fsgsbase) {
		__asm__ volatile("wrgsbase %0" : : "r"(base) : "memory");
		cur_gs = base;
		return;
	}
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, base)) {
		perror("cpu_diff: arch_prctl(ARCH_SET_GS)");
		exit(2);
	}
	cur_gs = base;
}

int cd_cpu_run(const struct cd_state *in, struct cd_state *out)
{
	unsigned int i;

	set_gs(in->gs_base);
	memcpy(blk->in, in->r, sizeof(blk->in));
	blk->in_flags = in->flags;
	blk->landed = ~0U;
	fault_sig = 0;
	if (sigsetjmp(fault_jmp, 0) == 0) {
		in_cpu = 1;
		entry();
		in_cpu = 0;
	} else {
		memset(out, 0, sizeof(*out));
		out->ip = fault_ip;
		out->gs_base = in->gs_base;
		return fault_sig;
	}
	for (i = 0; i < CD_NGPR; i++)
		out->r[i] = blk->out[i];
	out->flags = blk->out_flags;
	out->gs_base = in->gs_base;
	out->ip = blk->landed < npads ? pads[blk->landed] : 0;
	return 0;
}
