// SPDX-License-Identifier: GPL-2.0
/*
 * cpu_diff: the differential test of emul/ against the real CPU.
 *
 * For every form fbt_emul_prepare() accepts (90-9f with every prefix
 * variant first, then opcode x ModRM shape x prefixes, then the kernel's
 * multi-byte nops), run thousands of random register, flag, stack and
 * memory states on the CPU (user mode) and in the emulator and compare all
 * 16 GPRs, ip, rflags and the memory. One line per form family, the first
 * disagreement of a family dumped in full, and a summary line.
 *
 * Every comparison also reruns the emulator with its 1st, 2nd or 3rd memory
 * access made to fault: it must return FBT_EMUL_FAULT with pt_regs intact.
 *
 * Environment: FBT_DIFF_SEED (default: from the clock), FBT_DIFF_STATES
 * (states per form), FBT_DIFF_ONLY (only families whose name contains it),
 * FBT_DIFF_VERBOSE=1 (list every form).
 *
 * What user mode cannot show, and so is not compared here: IF=0, IOPL>0,
 * TF, RF, VM, VIF and VIP in the input flags (inputs always have IF=1,
 * IOPL=0 and the rest 0; a popped popf image gets IF=1, IOPL=0, TF=0 so CPL3
 * and CPL0 agree), CPL0-only behaviour (tests/host/test_if_semantics.c),
 * kernel (negative) addresses other than through %gs: with a negative
 * disp32, and faults on the CPU side. AC is set only in states whose
 * accesses are all aligned. Undefined flags: see cpu_diff_cmp.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpu_diff.h"

#define MAX_FORMS	80000
#define MAX_FAMILIES	1024
#define PROBES		32
#define DEFAULT_STATES	2000

struct disagreement {
	struct cd_inst in;
	struct cd_state st;
	u8 mem0[CD_DATA_SIZE];
	struct cd_result cpu, emu;
	u64 masked;
};

struct family {
	char name[64];
	const struct cd_form *first;
	unsigned int forms;
	bool mixed;
	unsigned long long states, bad, skipped;
	struct disagreement *d;
};

static struct cd_form forms[MAX_FORMS];
static struct family fams[MAX_FAMILIES];
static unsigned int nfams;
static struct cd_result cpu_res, emu_res;
static u8 mem0[CD_DATA_SIZE];
static int verbose;

static struct family *family_of(struct cd_form *f)
{
	char name[64];
	unsigned int i;

	cd_form_family_name(f, name, sizeof(name));
	for (i = 0; i < nfams; i++)
		if (!strcmp(fams[i].name, name))
			break;
	if (i == nfams) {
		if (nfams == MAX_FAMILIES) {
			fprintf(stderr, "cpu_diff: too many families\n");
			exit(2);
		}
		snprintf(fams[i].name, sizeof(fams[i].name), "%s", name);
		fams[i].first = f;
		nfams++;
	}
	f->family = i;
	return &fams[i];
}

/* Place an instance and prepare it from the code, as the kernel would. */
static int prepare(struct fbt_emul *e, const struct cd_inst *in)
{
	cd_cpu_place(in->bytes, in->len);
	return fbt_emul_prepare(e, cd_cpu_insn(), FBT_INSN_MAX);
}

/* How many of PROBES random instances of @f the emulator accepts. */
static unsigned int probe(const struct cd_form *f, struct cd_rng *g, int *why)
{
	unsigned int i, ok = 0;
	struct cd_state st;
	struct cd_inst in;
	struct fbt_emul e;
	int r;

	for (i = 0; i < PROBES; i++) {
		memset(&st, 0, sizeof(st));
		st.ip = (u64)cd_cpu_insn();
		st.r[CD_SP] = (u64)cd_cpu_data() + CD_DATA_SIZE / 2;
		cd_form_instance(f, g, &st, false, &in);
		r = prepare(&e, &in);
		if (r == FBT_EMUL_OK)
			ok++;
		else
			*why = r;
	}
	return ok;
}

/* 9a and 9b must be refused whatever the prefixes. */
static unsigned int check_refused(u8 op, int want)
{
	static const u8 pfx[][2] = {
		{0}, {0x66}, {0x48}, {0x41}, {0x49}, {0xf3}, {0x65}, {0x66, 0x41},
	};
	unsigned int i, n = sizeof(pfx) / sizeof(pfx[0]), bad = 0;
	struct cd_inst in;
	struct fbt_emul e;
	int r;

	for (i = 0; i < n; i++) {
		unsigned int k = pfx[i][0] ? (pfx[i][1] ? 2 : 1) : 0;

		memset(&in, 0, sizeof(in));
		memcpy(in.bytes, pfx[i], k);
		in.bytes[k] = op;
		/* 9a took ptr16:32 in 32-bit code: give it the bytes */
		memset(in.bytes + k + 1, 0, 6);
		in.len = k + 7;
		r = prepare(&e, &in);
		if (r != want) {
			printf("#   %s%02x: fbt_emul_prepare() = %d (%s), want %s\n",
			       k ? "prefixed " : "", op, r, fbt_refusal_name(r),
			       fbt_refusal_name(want));
			bad++;
		}
	}
	printf("%s cpu-diff %02x %s refused as %s (%u prefix variants)\n",
	       bad ? "not ok" : "ok", op, op == 0x9a ? "(bad)" : "fwait",
	       fbt_refusal_name(want), n);
	return bad;
}

static u64 env_u64(const char *name, u64 def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

static void run_form(struct cd_form *f, struct family *fam, u64 seed,
		     unsigned int states, unsigned long long *total_bad)
{
	struct cd_state st;
	struct cd_inst in;
	struct fbt_emul e;
	struct cd_rng g;
	unsigned int s, tries;
	u64 h = seed, masked;
	unsigned int i;

	/* the form's own stream: reproducible whatever else runs */
	for (i = 0; i < f->npfx; i++)
		h = cd_hash(h, f->pfx[i]);
	h = cd_hash(h, f->rex | f->map0f << 8 | f->op << 16 |
		    (u64)(u8)f->ext << 24 | (u64)f->shape << 32);
	for (i = 0; i < f->nfixed; i++)
		h = cd_hash(h, f->fixed[i]);
	cd_rng_seed(&g, h);
	cd_rand_data(&g);

	for (s = 0; s < states; s++) {
		bool aligned = (s & 3) == 0;

		for (tries = 0; tries < 100; tries++) {
			cd_rand_state(&g, &st, aligned);
			cd_form_instance(f, &g, &st, aligned, &in);
			if (!in.bad && prepare(&e, &in) == FBT_EMUL_OK)
				break;
		}
		if (tries == 100) {
			fam->skipped++;
			continue;
		}
		memcpy(mem0, cd_cpu_data(), CD_DATA_SIZE);
		fam->states++;
		if (cd_compare(&e, &in, &st, mem0, &cpu_res, &emu_res, &masked))
			continue;
		fam->bad++;
		(*total_bad)++;
		if (!fam->d) {
			fam->d = malloc(sizeof(*fam->d));
			if (!fam->d)
				exit(2);
			fam->d->in = in;
			fam->d->st = st;
			memcpy(fam->d->mem0, mem0, CD_DATA_SIZE);
			fam->d->cpu = cpu_res;
			fam->d->emu = emu_res;
			fam->d->masked = masked;
		}
	}
}

int main(void)
{
	u64 seed = env_u64("FBT_DIFF_SEED", (u64)time(NULL) * 1000003 ^ (u64)getpid());
	unsigned int states = env_u64("FBT_DIFF_STATES", DEFAULT_STATES);
	const char *only = getenv("FBT_DIFF_ONLY");
	unsigned long long comparisons = 0, bad = 0;
	unsigned int n, i, kept = 0, mixed = 0, nx = 0, nx_kept = 0;
	unsigned int refused_bad, nx9;
	struct timespec t0, t1;
	struct cd_rng g;
	int why;

	verbose = env_u64("FBT_DIFF_VERBOSE", 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cd_cpu_init()) {
		perror("cpu_diff: setting up the execution region");
		return 2;
	}
	printf("# cpu-diff: seed %#llx (FBT_DIFF_SEED), %u states per form (FBT_DIFF_STATES)\n",
	       (unsigned long long)seed, states);

	printf("# cpu-diff: undefined flags: %s\n", cd_is_amd() ?
	       "AMD CPU, the emulator reproduces AMD's values: nothing masked" :
	       "not an AMD CPU: the emulator reproduces AMD's values, the SDM-undefined flags are masked where noted");
	cd_rng_seed(&g, seed);
	refused_bad = cd_self_check(&g);
	refused_bad += check_refused(0x9a, FBT_REFUSE_INVALID);
	refused_bad += check_refused(0x9b, FBT_REFUSE_FPU);

	n = cd_forms_enumerate(forms, MAX_FORMS, &nx9);
	cd_rng_seed(&g, seed);
	for (i = 0; i < n; i++) {
		struct cd_form *f = &forms[i];
		bool x9 = i < nx9;
		unsigned int ok;
		char var[64];

		if (x9)
			nx++;
		why = 0;
		ok = probe(f, &g, &why);
		if (!ok) {
			f->family = 0xffff;
			continue;
		}
		if (ok != PROBES) {
			mixed++;
			f->mixed = true;
		}
		if (x9)
			nx_kept++;
		family_of(f);
		if (only && !strstr(fams[f->family].name, only)) {
			f->family = 0xffff;
			continue;
		}
		kept++;
		fams[f->family].forms++;
		fams[f->family].mixed |= f->mixed;
		if (verbose) {
			cd_form_variant(f, var, sizeof(var));
			printf("# form %s: %s%s\n", fams[f->family].name, var,
			       ok != PROBES ? " (some instances refused)" : "");
		}
	}
	printf("# cpu-diff: %u forms accepted by fbt_emul_prepare() of %u tried (90-9f: %u of %u prefix variants), %u families\n",
	       kept, n, nx_kept, nx, nfams);

	for (i = 0; i < n; i++) {
		if (forms[i].family == 0xffff)
			continue;
		run_form(&forms[i], &fams[forms[i].family], seed, states, &bad);
	}

	for (i = 0; i < nfams; i++) {
		struct family *fam = &fams[i];
		const char *note;

		if (!fam->forms)
			continue;
		comparisons += fam->states;
		note = cd_undefined_note(fam->first);
		if (!fam->bad) {
			printf("ok cpu-diff %s: %u forms x %llu states%s%s%s%s\n",
			       fam->name, fam->forms, fam->states / fam->forms,
			       note ? "; masked: " : "", note ? note : "",
			       fam->mixed ? " (refused instances redrawn)" : "",
			       fam->skipped ? " (some states skipped)" : "");
			continue;
		}
		printf("not ok cpu-diff %s: %llu of %llu comparisons disagree (%u forms)%s%s\n",
		       fam->name, fam->bad, fam->states, fam->forms,
		       note ? "; masked: " : "", note ? note : "");
		cd_dump(&fam->d->in, &fam->d->st, fam->d->mem0, &fam->d->cpu,
			&fam->d->emu, fam->d->masked);
	}

	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# cpu-diff: %.1f s, seed %#llx; %u forms have instances the emulator refuses (an immediate it does not take): redrawn\n",
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       (unsigned long long)seed, mixed);
	printf("%s cpu-diff: %u forms x %u states = %llu comparisons, %llu disagreements\n",
	       bad || refused_bad ? "not ok" : "ok", kept, states, comparisons, bad);
	return bad || refused_bad ? 1 : 0;
}
