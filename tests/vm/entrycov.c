// SPDX-License-Identifier: GPL-2.0
/*
 * entrycov: how many function-entry sites of the running kernel's core text
 * the emulator accepts. Runs as root inside a test guest (scenario
 * entry-coverage); built static with the host environment of emul/.
 *
 * Functions: the t/T symbols of /proc/kallsyms without a [module] suffix in
 * [_stext, _etext), one per distinct address, __pfx_/__cfi_ padding symbols
 * left out; a function ends where the next symbol starts. Bytes: the live
 * text, read from /proc/kcore (ELF core file: PT_LOAD headers map kernel
 * virtual addresses to file offsets). Probe point: the first instruction
 * after the ENDBR (f3 0f 1e fa) or its sealed form (66 0f 1f 00) and after
 * the ftrace site (0f 1f 44 00 00, or while ftrace is on an e8 call at an
 * address ftrace lists in available_filter_functions_addrs, or where that
 * file does not exist (before 6.5), an e8 to ftrace_caller,
 * ftrace_regs_caller or a trampoline outside the core text). fbt_emul_prepare() then says whether fbt can emulate it.
 *
 * Prints a table (lines starting with '#') and a last line
 * `ok entry-coverage <release>: N functions, M emulated (P%)`.
 * Exits nonzero (with a `not ok` line) only when the text cannot be read.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "emul.h"

/* The host environment of emul/ (env_user.h): no %gs, no fault injection. */
unsigned long fbt_user_gs_base;
int (*fbt_user_fault_hook)(unsigned long addr, unsigned int size, bool write);

static const char *release = "?";

static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("not ok entry-coverage %s: ", release);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		fail("out of memory (%zu bytes)", n);
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		fail("out of memory");
	return p;
}

/* ---- /proc/kallsyms ---- */

struct sym {
	unsigned long addr;
	char *name;
};

static struct sym *syms;
static size_t nsyms, syms_cap;

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool is_padding(const char *name)
{
	return !strncmp(name, "__pfx_", 6) || !strncmp(name, "__cfi_", 6);
}

/* Every core-kernel text symbol; sets *stext and *etext. */
static void read_kallsyms(unsigned long *stext, unsigned long *etext)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[1024], name[600], type;
	unsigned long addr;
	bool zero = true;

	if (!f)
		fail("/proc/kallsyms: %s", strerror(errno));
	*stext = *etext = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %599s", &addr, &type, name) != 3)
			continue;
		if (strchr(line, '['))		/* [module] */
			continue;
		if (addr)
			zero = false;
		if (!strcmp(name, "_stext"))
			*stext = addr;
		else if (!strcmp(name, "_etext"))
			*etext = addr;
		if (type != 't' && type != 'T')
			continue;
		if (nsyms == syms_cap) {
			syms_cap = syms_cap ? 2 * syms_cap : 65536;
			syms = realloc(syms, syms_cap * sizeof(*syms));
			if (!syms)
				fail("out of memory");
		}
		syms[nsyms].addr = addr;
		syms[nsyms].name = xstrdup(name);
		nsyms++;
	}
	fclose(f);
	if (zero)
		fail("/proc/kallsyms shows no addresses (kptr_restrict? not root?)");
	if (!*stext || !*etext || *etext <= *stext)
		fail("/proc/kallsyms: no _stext/_etext");
	qsort(syms, nsyms, sizeof(*syms), sym_cmp);
}

/* ---- /proc/kcore ---- */

static Elf64_Phdr *phdrs;
static int nphdrs;
static int kcore_fd = -1;

static void open_kcore(void)
{
	Elf64_Ehdr eh;

	kcore_fd = open("/proc/kcore", O_RDONLY);
	if (kcore_fd < 0)
		fail("/proc/kcore: %s", strerror(errno));
	if (pread(kcore_fd, &eh, sizeof(eh), 0) != sizeof(eh))
		fail("/proc/kcore: cannot read the ELF header: %s", strerror(errno));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum)
		fail("/proc/kcore: not a 64-bit ELF core file");
	nphdrs = eh.e_phnum;
	phdrs = xmalloc(nphdrs * sizeof(*phdrs));
	if (pread(kcore_fd, phdrs, nphdrs * sizeof(*phdrs), eh.e_phoff) !=
	    (ssize_t)(nphdrs * sizeof(*phdrs)))
		fail("/proc/kcore: cannot read the program headers: %s", strerror(errno));
}

/* Copy [addr, addr+len) of kernel memory into buf through the PT_LOADs. */
static void read_kmem(unsigned long addr, unsigned char *buf, size_t len)
{
	while (len) {
		const Elf64_Phdr *ph = NULL;
		size_t n;
		ssize_t r;
		int i;

		for (i = 0; i < nphdrs; i++) {
			if (phdrs[i].p_type == PT_LOAD && phdrs[i].p_vaddr <= addr &&
			    addr - phdrs[i].p_vaddr < phdrs[i].p_filesz) {
				ph = &phdrs[i];
				break;
			}
		}
		if (!ph)
			fail("/proc/kcore: no PT_LOAD covers %#lx", addr);
		n = ph->p_vaddr + ph->p_filesz - addr;
		if (n > len)
			n = len;
		if (n > (1u << 20))
			n = 1u << 20;
		r = pread(kcore_fd, buf, n, ph->p_offset + (addr - ph->p_vaddr));
		if (r <= 0)
			fail("/proc/kcore: read at %#lx: %s", addr, r ? strerror(errno) : "EOF");
		addr += r;
		buf += r;
		len -= r;
	}
}

/* ---- ftrace's own list of sites, for a cross-check ---- */

static unsigned long *ftrace_addrs;
static size_t nftrace;

static int ul_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* available_filter_functions_addrs exists from 6.5 on; false if absent. */
static bool read_ftrace_addrs(unsigned long stext, unsigned long etext)
{
	FILE *f = fopen("/sys/kernel/tracing/available_filter_functions_addrs", "r");
	char line[1024];
	size_t cap = 0;
	unsigned long a;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx", &a) != 1 || a < stext || a >= etext)
			continue;
		if (nftrace == cap) {
			cap = cap ? 2 * cap : 65536;
			ftrace_addrs = realloc(ftrace_addrs, cap * sizeof(*ftrace_addrs));
			if (!ftrace_addrs)
				fail("out of memory");
		}
		ftrace_addrs[nftrace++] = a;
	}
	fclose(f);
	qsort(ftrace_addrs, nftrace, sizeof(*ftrace_addrs), ul_cmp);
	return true;
}

static bool is_ftrace_addr(unsigned long a)
{
	return bsearch(&a, ftrace_addrs, nftrace, sizeof(a), ul_cmp) != NULL;
}

/* The name of the symbol at exactly @addr, or NULL. */
static const char *sym_at(unsigned long addr)
{
	size_t lo = 0, hi = nsyms;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (syms[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nsyms && syms[lo].addr == addr ? syms[lo].name : NULL;
}

/* ---- counting distinct instruction forms ---- */

#define NEXAMPLES 16

struct form {
	struct form *next;
	char key[3 * FBT_INSN_MAX + 32];
	int refusal;
	unsigned long count;
	const char *examples[NEXAMPLES];
};

#define NBUCKETS 16384
static struct form *refused_forms[NBUCKETS];	/* first insn of refused sites */
static struct form *nop9x_forms[NBUCKETS];	/* opcodes 0x90-0x9f, any verdict */

static unsigned int hash(const char *s)
{
	unsigned int h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % NBUCKETS;
}

static void count_form(struct form **tab, const char *key, int refusal, const char *fn)
{
	unsigned int h = hash(key);
	struct form *f;

	for (f = tab[h]; f; f = f->next)
		if (!strcmp(f->key, key) && f->refusal == refusal)
			break;
	if (!f) {
		f = xmalloc(sizeof(*f));
		snprintf(f->key, sizeof(f->key), "%s", key);
		f->refusal = refusal;
		f->next = tab[h];
		tab[h] = f;
	}
	if (f->count < NEXAMPLES)
		f->examples[f->count] = fn;
	f->count++;
}

static int form_cmp(const void *a, const void *b)
{
	const struct form *x = *(struct form *const *)a, *y = *(struct form *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The forms of a table, most frequent first; returns how many. */
static size_t sorted_forms(struct form **tab, struct form ***out)
{
	size_t n = 0, i;
	struct form *f, **v;

	for (i = 0; i < NBUCKETS; i++)
		for (f = tab[i]; f; f = f->next)
			n++;
	v = xmalloc(n * sizeof(*v));
	n = 0;
	for (i = 0; i < NBUCKETS; i++)
		for (f = tab[i]; f; f = f->next)
			v[n++] = f;
	qsort(v, n, sizeof(*v), form_cmp);
	*out = v;
	return n;
}

static void hex(char *out, size_t outsz, const unsigned char *p, unsigned int n)
{
	size_t o = 0;
	unsigned int i;

	out[0] = 0;
	for (i = 0; i < n && o + 4 < outsz; i++)
		o += snprintf(out + o, outsz - o, "%s%02x", i ? " " : "", p[i]);
}

static double pct(unsigned long a, unsigned long b)
{
	return b ? 100.0 * a / b : 0.0;
}

static void print_examples(const char *what, const char **ex, unsigned long n)
{
	unsigned long i;

	if (!n)
		return;
	printf("#   %s:", what);
	for (i = 0; i < n && i < NEXAMPLES; i++)
		printf(" %s", ex[i]);
	printf("%s\n", n > NEXAMPLES ? " ..." : "");
}

/* ---- main ---- */

int main(void)
{
	static const unsigned char endbr[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const unsigned char sealed[4] = { 0x66, 0x0f, 0x1f, 0x00 };
	static const unsigned char nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	unsigned long refusals[FBT_REFUSE_NR + 1] = { 0 };
	unsigned long kinds[FBT_K_NR + 1] = { 0 };
	unsigned long offsets[10] = { 0 };
	unsigned long nfunc = 0, nemul = 0, npad = 0, nalias = 0, nlabels = 0, nempty = 0, ncc = 0;
	unsigned long nzero = 0, n_endbr = 0, n_sealed = 0, n_nop5 = 0, n_call5 = 0;
	unsigned long n_nop5_norec = 0;
	unsigned long op9x[16] = { 0 };
	const char *call5_ex[NEXAMPLES], *nop5_ex[NEXAMPLES], *cc_ex[NEXAMPLES];
	unsigned long stext, etext;
	struct utsname u;
	unsigned char *text;
	struct form **v;
	bool have_ft;
	size_t i, n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!uname(&u))
		release = xstrdup(u.release);

	read_kallsyms(&stext, &etext);
	open_kcore();
	text = xmalloc(etext - stext + FBT_INSN_MAX);
	read_kmem(stext, text, etext - stext);
	have_ft = read_ftrace_addrs(stext, etext);

	for (i = 0; i < nsyms; i++) {
		unsigned long addr = syms[i].addr, end, p, left;
		const unsigned char *b;
		struct fbt_emul e;
		struct fbt_insn insn;
		char key[3 * FBT_INSN_MAX + 32];
		const char *fn;
		bool pad;
		size_t j;
		int r;

		if (addr < stext || addr >= etext)
			continue;
		/* Only the first symbol of each address: the group decides. */
		if (i && syms[i - 1].addr == addr)
			continue;
		fn = NULL;
		pad = false;
		for (j = i; j < nsyms && syms[j].addr == addr; j++) {
			if (is_padding(syms[j].name))
				pad = true;
			else if (!fn)
				fn = syms[j].name;
			else
				nalias++;
		}
		/* __pfx_x is the padding before x; a label sharing it is no function. */
		if (pad) {
			npad++;
			nlabels += fn != NULL;
			continue;
		}
		/* The function ends where the next symbol (padding included) starts. */
		end = j < nsyms && syms[j].addr < etext ? syms[j].addr : etext;
		nfunc++;

		b = text + (addr - stext);
		p = 0;
		if (end - addr >= 4 && !memcmp(b, endbr, 4)) {
			n_endbr++;
			p = 4;
		} else if (end - addr >= 4 && !memcmp(b, sealed, 4)) {
			n_sealed++;
			p = 4;
		}
		/*
		 * Where ftrace lists its sites, a 5-byte NOP it does not list is
		 * something else (a jump label): the probe point, not skipped.
		 */
		if (end - addr >= p + 5 && !memcmp(b + p, nop5, 5) &&
		    (!have_ft || is_ftrace_addr(addr + p))) {
			n_nop5++;
			p += 5;
		} else if (end - addr >= p + 5 && !memcmp(b + p, nop5, 5)) {
			if (n_nop5_norec < NEXAMPLES)
				nop5_ex[n_nop5_norec] = fn;
			n_nop5_norec++;
		} else if (end - addr >= p + 5 && b[p] == 0xe8) {
			s32 rel;
			unsigned long target;
			const char *tn;

			memcpy(&rel, b + p + 1, 4);
			target = addr + p + 5 + (long)rel;
			tn = sym_at(target);
			/*
			 * A call at the ftrace site while ftrace is on: ftrace's
			 * record says so where it can be read; else the target is
			 * ftrace_caller & co, or a trampoline outside the core text.
			 */
			if (have_ft ? is_ftrace_addr(addr + p) :
			    target < stext || target >= etext ||
			    (tn && (!strcmp(tn, "ftrace_caller") || !strcmp(tn, "ftrace_regs_caller")))) {
				if (n_call5 < NEXAMPLES)
					call5_ex[n_call5] = fn;
				n_call5++;
				p += 5;
			}
		}
		offsets[p < 10 ? p : 0]++;
		if (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0)
			nzero++;
		if (p >= end - addr) {
			nempty++;
			refusals[FBT_REFUSE_TRUNCATED]++;
			continue;
		}
		left = end - addr - p;
		if (left > FBT_INSN_MAX)
			left = FBT_INSN_MAX;
		b += p;
		if (b[0] == 0xcc) {
			if (ncc < NEXAMPLES)
				cc_ex[ncc] = fn;
			ncc++;
		}

		memset(&e, 0, sizeof(e));
		r = fbt_emul_prepare(&e, b, left);
		if (r < 0 || r >= FBT_REFUSE_NR)
			r = FBT_REFUSE_NR;	/* out of range: counted as such */
		refusals[r]++;
		if (r == FBT_EMUL_OK) {
			nemul++;
			kinds[e.kind < FBT_K_NR ? e.kind : FBT_K_NR]++;
		}

		memset(&insn, 0, sizeof(insn));
		if (fbt_insn_decode(&insn, b, left) == FBT_DECODE_OK && insn.len)
			hex(key, sizeof(key), b, insn.len);
		else {
			hex(key, sizeof(key), b, left < 4 ? left : 4);
			strcat(key, " ?");
			insn.len = 0;
		}
		if (r != FBT_EMUL_OK)
			count_form(refused_forms, key, r, fn);
		if (insn.len && insn.vex == FBT_VEX_NONE && insn.map == FBT_MAP_1B &&
		    insn.opcode >= 0x90 && insn.opcode <= 0x9f) {
			op9x[insn.opcode - 0x90]++;
			count_form(nop9x_forms, key, r, fn);
		}
	}

	if (!nfunc)
		fail("no functions between _stext and _etext in /proc/kallsyms");
	if (nzero * 2 > nfunc)
		fail("/proc/kcore returned zeros for %lu of %lu functions", nzero, nfunc);

	printf("# entry-coverage %s\n", release);
	printf("# core text %#lx-%#lx (%lu KiB) read from /proc/kcore\n", stext, etext,
	       (etext - stext) >> 10);
	printf("# functions: %lu (distinct t/T addresses; left out: %lu aliases, %lu __pfx_/__cfi_ paddings, %lu labels on a padding)\n",
	       nfunc, nalias, npad, nlabels);
	printf("# prologue: endbr64 %lu, sealed endbr %lu, ftrace nop %lu, ftrace call %lu\n",
	       n_endbr, n_sealed, n_nop5, n_call5);
	printf("# probe offset: +0 %lu (%.1f%%), +4 %lu (%.1f%%), +5 %lu (%.1f%%), +9 %lu (%.1f%%)\n",
	       offsets[0], pct(offsets[0], nfunc), offsets[4], pct(offsets[4], nfunc),
	       offsets[5], pct(offsets[5], nfunc), offsets[9], pct(offsets[9], nfunc));
	if (have_ft)
		printf("# ftrace sites: as listed in available_filter_functions_addrs (%zu in the core text); %lu 5-byte NOPs at that place that ftrace does not list (jump labels?) are probe points\n",
		       nftrace, n_nop5_norec);
	else
		printf("# ftrace sites: by their bytes (no available_filter_functions_addrs before 6.5)\n");
	print_examples("5-byte NOP not listed by ftrace", nop5_ex, n_nop5_norec);
	print_examples("ftrace call", call5_ex, n_call5);
	printf("# functions with nothing after the prologue: %lu\n", nempty);
	printf("# first byte 0xcc at the probe point: %lu\n", ncc);
	print_examples("0xcc", cc_ex, ncc);
	printf("#\n# %-28s %8s %8s\n", "verdict", "sites", "share");
	for (i = 0; i <= FBT_REFUSE_NR; i++) {
		if (!refusals[i] && i)
			continue;
		printf("# %-28s %8lu %7.2f%%\n",
		       i == FBT_EMUL_OK ? "emulated" :
		       i == FBT_REFUSE_NR ? "(bad refusal code)" : fbt_refusal_name(i),
		       refusals[i], pct(refusals[i], nfunc));
	}

	printf("#\n# emulated sites by handler\n# %-28s %8s %8s\n", "kind", "sites", "share");
	for (i = 0; i <= FBT_K_NR; i++)
		if (kinds[i])
			printf("# %-28s %8lu %7.2f%%\n",
			       i == FBT_K_NR ? "(bad kind)" : fbt_emul_kind_name(i),
			       kinds[i], pct(kinds[i], nfunc));

	n = sorted_forms(refused_forms, &v);
	printf("#\n# top 20 non-emulated first instructions (%zu distinct)\n", n);
	printf("# %7s  %-32s %-14s %s\n", "sites", "bytes", "reason", "e.g.");
	for (i = 0; i < n && i < 20; i++)
		printf("# %7lu  %-32s %-14s %s\n", v[i]->count, v[i]->key,
		       v[i]->refusal == FBT_REFUSE_NR ? "?" : fbt_refusal_name(v[i]->refusal),
		       v[i]->examples[0]);
	free(v);

	printf("#\n# opcodes 0x90-0x9f at probe points\n# %-6s %7s\n", "opcode", "sites");
	for (i = 0; i < 16; i++)
		printf("# %02zx     %7lu\n", 0x90 + i, op9x[i]);
	n = sorted_forms(nop9x_forms, &v);
	if (n)
		printf("# by form: %7s  %-24s %-14s %s\n", "sites", "bytes", "verdict", "functions");
	for (i = 0; i < n; i++) {
		unsigned long k;

		printf("# by form: %7lu  %-24s %-14s", v[i]->count, v[i]->key,
		       v[i]->refusal == FBT_EMUL_OK ? "emulated" :
		       v[i]->refusal == FBT_REFUSE_NR ? "?" : fbt_refusal_name(v[i]->refusal));
		for (k = 0; k < v[i]->count && k < NEXAMPLES; k++)
			printf(" %s", v[i]->examples[k]);
		printf("%s\n", v[i]->count > NEXAMPLES ? " ..." : "");
	}
	free(v);

	printf("ok entry-coverage %s: %lu functions, %lu emulated (%.2f%%)\n", release, nfunc,
	       nemul, pct(nemul, nfunc));
	return 0;
}
