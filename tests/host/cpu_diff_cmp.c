// SPDX-License-Identifier: GPL-2.0
/*
 * One comparison of the differential test: run the instruction on the CPU
 * and in the emulator from the same state and memory, compare all 16 GPRs,
 * ip, rflags and the data area; dump a disagreement in full.
 *
 * Undefined flags: the emulator reproduces what the SDM leaves undefined as
 * AMD Zen does for shifts (shift() in classify.c) and bt* (emulate.c), and
 * clears AF after logic ops as "CPUs" do. So nothing is masked on an AMD
 * CPU, and AF after logic ops is compared everywhere. On any other vendor
 * the shift and bt* flags are masked where the SDM calls them undefined:
 * OF after any shift or rotate by more than 1, AF after shl/shr/sar by a
 * nonzero count, and OF SF AF PF after bt/bts/btr/btc.
 */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>

#include "cpu_diff.h"

/* The host build of emul/ reads these (env_user.h). */
unsigned long fbt_user_gs_base;
int (*fbt_user_fault_hook)(unsigned long addr, unsigned int size, bool write);

static u64 bad_addr;
static unsigned int bad_size;
static bool bad_write;

/* fault injection: access number fault_at faults */
static unsigned int accesses, fault_at;
static bool fault_fired;

/* The emulator may touch the data area only; anything else is a bug. */
static int data_only(unsigned long addr, unsigned int size, bool write)
{
	u64 lo = (u64)cd_cpu_data();

	if (addr >= lo && addr + size <= lo + CD_DATA_SIZE && addr + size > addr)
		return 0;
	bad_addr = addr;
	bad_size = size;
	bad_write = write;
	return 1;
}

static int fault_kth(unsigned long addr, unsigned int size, bool write)
{
	if (data_only(addr, size, write))
		return 1;
	if (accesses++ != fault_at)
		return 0;
	fault_fired = true;
	return 1;
}

static int amd = -1;

bool cd_is_amd(void)
{
	unsigned int a, b, c, d;

	if (amd < 0) {
		__cpuid(0, a, b, c, d);
		amd = b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163;
	}
	return amd;
}

u64 cd_undefined_flags(const struct cd_inst *in, const struct cd_state *st)
{
	unsigned int count, ext = in->reg % 8, size;
	u8 op = in->op;

	if (cd_is_amd() || in->form->shape == CD_SH_FIXED)
		return 0;
	if (in->form->map0f) {
		if (op == 0xa3 || op == 0xab || op == 0xb3 || op == 0xbb ||
		    (op == 0xba && ext >= 4))
			return CD_OF | CD_SF | CD_AF | CD_PF;
		return 0;
	}
	if (op < 0xc0 || (op > 0xc1 && op < 0xd0) || op > 0xd3)
		return 0;
	size = (op & 1) ? in->osize : 1;
	if (op == 0xc0 || op == 0xc1)
		count = (u8)in->imm;
	else if (op == 0xd2 || op == 0xd3)
		count = (u8)st->r[CD_CX];
	else
		count = 1;
	count &= size == 8 ? 63 : 31;
	if (!count)
		return 0;
	if (ext < 2)	/* rol, ror: AF untouched */
		return count > 1 ? CD_OF : 0;
	return count > 1 ? CD_OF | CD_AF : CD_AF;
}

const char *cd_undefined_note(const struct cd_form *f)
{
	struct cd_inst in;

	if (cd_is_amd() || f->shape == CD_SH_FIXED)
		return NULL;
	memset(&in, 0, sizeof(in));
	in.form = f;
	in.op = f->op;
	in.reg = f->ext >= 0 ? f->ext : 0;
	if (f->map0f && (f->op == 0xa3 || f->op == 0xab || f->op == 0xb3 ||
			 f->op == 0xbb || (f->op == 0xba && f->ext >= 4)))
		return "OF SF AF PF (undefined after bt*; not AMD)";
	if (!f->map0f && ((f->op >= 0xc0 && f->op <= 0xc1) ||
			  (f->op >= 0xd0 && f->op <= 0xd3)))
		return "OF for counts > 1, AF for shl/shr/sar (undefined; not AMD)";
	return NULL;
}

static void to_regs(const struct cd_state *st, struct pt_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->ax = st->r[CD_AX];
	r->cx = st->r[CD_CX];
	r->dx = st->r[CD_DX];
	r->bx = st->r[CD_BX];
	r->sp = st->r[CD_SP];
	r->bp = st->r[CD_BP];
	r->si = st->r[CD_SI];
	r->di = st->r[CD_DI];
	r->r8 = st->r[CD_R8];
	r->r9 = st->r[CD_R9];
	r->r10 = st->r[CD_R10];
	r->r11 = st->r[CD_R11];
	r->r12 = st->r[CD_R12];
	r->r13 = st->r[CD_R13];
	r->r14 = st->r[CD_R14];
	r->r15 = st->r[CD_R15];
	r->flags = st->flags;
	r->ip = st->ip;
	r->cs = 0x10;		/* __KERNEL_CS */
	r->ss = 0x18;		/* __KERNEL_DS */
	r->orig_ax = ~0UL;
}

static void from_regs(const struct pt_regs *r, struct cd_state *st)
{
	st->r[CD_AX] = r->ax;
	st->r[CD_CX] = r->cx;
	st->r[CD_DX] = r->dx;
	st->r[CD_BX] = r->bx;
	st->r[CD_SP] = r->sp;
	st->r[CD_BP] = r->bp;
	st->r[CD_SI] = r->si;
	st->r[CD_DI] = r->di;
	st->r[CD_R8] = r->r8;
	st->r[CD_R9] = r->r9;
	st->r[CD_R10] = r->r10;
	st->r[CD_R11] = r->r11;
	st->r[CD_R12] = r->r12;
	st->r[CD_R13] = r->r13;
	st->r[CD_R14] = r->r14;
	st->r[CD_R15] = r->r15;
	st->flags = r->flags;
	st->ip = r->ip;
}

/*
 * Run the emulator again with its first, second or third memory access
 * faulting: it must report FBT_EMUL_FAULT and leave every register as it
 * was (emul.h), as the kernel's nofault accessors need.
 */
static bool fault_injection(const struct fbt_emul *e, const struct cd_state *st,
			    const u8 *mem0, struct cd_result *emu)
{
	static unsigned int rot;
	struct pt_regs regs, orig;
	int ret;

	memcpy(cd_cpu_data(), mem0, CD_DATA_SIZE);
	to_regs(st, &regs);
	orig = regs;
	accesses = 0;
	fault_at = rot++ % 3;
	fault_fired = false;
	fbt_user_fault_hook = fault_kth;
	ret = fbt_emul_run(e, &regs);
	fbt_user_fault_hook = NULL;
	if (!fault_fired)
		return true;
	if (ret == FBT_EMUL_FAULT && !memcmp(&regs, &orig, sizeof(regs)))
		return true;
	snprintf(emu->why, sizeof(emu->why), "fault injection, access %u made to fault: %s",
		 fault_at + 1, ret == FBT_EMUL_FAULT ?
		 "registers changed on FBT_EMUL_FAULT" :
		 "fbt_emul_run() did not report it");
	emu->sig = ret;
	from_regs(&regs, &emu->st);
	memcpy(emu->mem, cd_cpu_data(), CD_DATA_SIZE);
	return false;
}

bool cd_compare(const struct fbt_emul *e, const struct cd_inst *in,
		const struct cd_state *st, const u8 *mem0,
		struct cd_result *cpu, struct cd_result *emu, u64 *masked)
{
	u8 *data = cd_cpu_data();
	struct pt_regs regs;

	/* the CPU */
	cpu->sig = cd_cpu_run(st, &cpu->st);
	memcpy(cpu->mem, data, CD_DATA_SIZE);

	/* the emulator, from the same memory */
	memcpy(data, mem0, CD_DATA_SIZE);
	to_regs(st, &regs);
	fbt_user_gs_base = st->gs_base;
	fbt_user_fault_hook = data_only;
	bad_addr = 0;
	emu->sig = fbt_emul_run(e, &regs);
	fbt_user_fault_hook = NULL;
	from_regs(&regs, &emu->st);
	emu->st.gs_base = st->gs_base;
	memcpy(emu->mem, data, CD_DATA_SIZE);

	*masked = cd_undefined_flags(in, st);
	if (emu->sig && bad_addr)
		snprintf(emu->why, sizeof(emu->why),
			 "the emulator's %s of %u bytes at %#llx is outside the data area",
			 bad_write ? "write" : "read", bad_size,
			 (unsigned long long)bad_addr);
	else
		snprintf(emu->why, sizeof(emu->why), "CPU and emulator differ");
	if (cpu->sig || emu->sig)
		return false;
	if (memcmp(cpu->st.r, emu->st.r, sizeof(cpu->st.r)) ||
	    cpu->st.ip != emu->st.ip ||
	    ((cpu->st.flags ^ emu->st.flags) & ~*masked))
		return false;
	if (memcmp(cpu->mem, emu->mem, CD_DATA_SIZE))
		return false;
	return fault_injection(e, st, mem0, emu);
}

/* ---- dumps ---------------------------------------------------------------- */

void cd_flags_str(u64 flags, char *buf, size_t n)
{
	static const struct {
		u64 bit;
		const char *name;
	} fl[] = {
		{ CD_CF, "CF" }, { CD_PF, "PF" }, { CD_AF, "AF" }, { CD_ZF, "ZF" },
		{ CD_SF, "SF" }, { CD_TF, "TF" }, { CD_IF, "IF" }, { CD_DF, "DF" },
		{ CD_OF, "OF" }, { CD_NT, "NT" }, { CD_RF, "RF" }, { CD_VM, "VM" },
		{ CD_AC, "AC" }, { CD_VIF, "VIF" }, { CD_VIP, "VIP" },
		{ CD_ID, "ID" },
	};
	size_t o = 0;
	unsigned int i;

	o += snprintf(buf, n, "%#llx", (unsigned long long)flags);
	for (i = 0; i < sizeof(fl) / sizeof(fl[0]) && o + 6 < n; i++)
		if (flags & fl[i].bit)
			o += snprintf(buf + o, n - o, " %s", fl[i].name);
	if ((flags & CD_IOPL) && o + 8 < n)
		o += snprintf(buf + o, n - o, " IOPL=%llu",
			      (unsigned long long)((flags & CD_IOPL) >> 12));
}

static const char *const gpr_name[CD_NGPR] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static void dump_state(const char *who, const struct cd_state *s,
		       const struct cd_state *ref)
{
	char fb[160];
	unsigned int i;

	printf("#   %s:\n#    ", who);
	for (i = 0; i < CD_NGPR; i++) {
		bool diff = ref && ref->r[i] != s->r[i];

		printf(" %3s=%016llx%c", gpr_name[i], (unsigned long long)s->r[i],
		       diff ? '*' : ' ');
		if (i % 4 == 3)
			printf("\n#    ");
	}
	cd_flags_str(s->flags, fb, sizeof(fb));
	printf(" rip=%016llx%c rflags=%s%s\n", (unsigned long long)s->ip,
	       ref && ref->ip != s->ip ? '*' : ' ', fb,
	       ref && ref->flags != s->flags ? " *" : "");
}

void cd_dump(const struct cd_inst *in, const struct cd_state *st,
	     const u8 *mem0, const struct cd_result *cpu,
	     const struct cd_result *emu, u64 masked)
{
	u64 base = (u64)cd_cpu_data();
	unsigned int i, shown = 0;
	char fb[160];

	printf("#   %s\n#   bytes:", emu->why);
	for (i = 0; i < in->len; i++)
		printf(" %02x", in->bytes[i]);
	printf("  at %#llx, %%gs base %#llx, data area %#llx+%#x\n",
	       (unsigned long long)st->ip, (unsigned long long)st->gs_base,
	       (unsigned long long)base, CD_DATA_SIZE);
	dump_state("input", st, NULL);
	if (cpu->sig)
		printf("#   CPU: signal %d at %#llx\n", cpu->sig,
		       (unsigned long long)cpu->st.ip);
	else
		dump_state("CPU", &cpu->st, NULL);
	if (emu->sig)
		printf("#   emulator: fbt_emul_run() = %d\n", emu->sig);
	dump_state("emulator", &emu->st, cpu->sig ? NULL : &cpu->st);
	if (masked) {
		cd_flags_str(masked, fb, sizeof(fb));
		printf("#   flags masked (undefined): %s\n", fb + 2 + strcspn(fb + 2, " "));
	}
	for (i = 0; i < CD_DATA_SIZE; i++) {
		if (cpu->mem[i] == emu->mem[i] && (cpu->mem[i] == mem0[i] || cpu->sig))
			continue;
		if (cpu->mem[i] == emu->mem[i] && shown >= 24)
			continue;
		if (shown++ >= 48)
			break;
		printf("#   mem %#llx: before %02x CPU %02x emulator %02x%s\n",
		       (unsigned long long)(base + i), mem0[i], cpu->mem[i],
		       emu->mem[i], cpu->mem[i] != emu->mem[i] ? "  *" : "");
	}
}
