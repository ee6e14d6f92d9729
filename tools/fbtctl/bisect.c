// SPDX-License-Identifier: GPL-2.0
/*
 * fbtctl bisect: the seed's binary search, automated. Arm half of the
 * candidate probes, run the workload, look for the failure signal; keep the
 * half that fails. First by opcode family (0xFn, 0xEn, ... as the seed did
 * by hand), then by opcode, then by probe. Families and opcodes are armed
 * through the module's opcode filters (enable GLOB, disable opcode=X for
 * the rest); single probes by name.
 *
 * The failure signal, any of:
 *  - the kernel log (/dev/kmsg) gets an fbt violation or dump line, a
 *    syscall-exit or softirq-exit report, or a kernel WARNING/BUG;
 *  - a counter of fbt/stats rises: sysexit_violations, softirq_violations,
 *    console_warnings (the checks outside the traps), quarantined (the
 *    per-trap assertion with repair=1), violations or warnings (when the
 *    module has them);
 *  - the workload exits non-zero (not counting the timeout, 124).
 * With the per-trap assertion off (assert=0) only the checks outside the
 * traps and the workload can tell, as in the seed: the signal is sporadic,
 * so a step that passes is retried (--retries) before a half is cleared,
 * and each step checks once more after disarming, for damage found late.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fbtctl.h"

static const char *const kmsg_pats[] = {
	"fbt: violation",
	"fbt: ---[ flight recorder: violation",
	"dumps limited by max_dumps",
	"left interrupts disabled",
	"WARNING:",
	"BUG:",
};
static const char *const stat_keys[] = {
	"sysexit_violations", "softirq_violations", "console_warnings",
	"quarantined", "violations", "warnings",
};

#define NSTAT	(sizeof(stat_keys) / sizeof(stat_keys[0]))

struct group {
	char label[64];		/* 9?, 9c, 0f?? or a probe name */
	size_t first, n;	/* range in the candidate array */
};

struct bisect {
	const char *glob, *workload;
	double timeout, settle;
	int repeat, retries;
	bool use_status, verbose;
	struct probe *cand;	/* sorted by family desc, opcode, name */
	size_t ncand;
	int step;
	int kmsg;
	char why[256];
};

static volatile sig_atomic_t stop;

static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		warnx_("open /dev/kmsg: %s (kernel log signal off)",
		       strerror(errno));
	return fd;
}

static void kmsg_skip(int fd)
{
	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
}

/* New kernel log records matching a pattern since the last skip; the first
 * match goes to @first. */
static int kmsg_count(int fd, char *first, size_t len)
{
	char buf[8192];
	int n = 0;
	size_t i;

	if (fd < 0)
		return 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf) - 1);
		char *msg;

		if (r < 0) {
			if (errno == EPIPE)	/* overwritten: go on */
				continue;
			break;
		}
		if (r == 0)
			break;
		buf[r] = '\0';
		msg = strchr(buf, ';');
		msg = msg ? msg + 1 : buf;
		{
			char *nl = strchr(msg, '\n');

			if (nl)
				*nl = '\0';
		}
		for (i = 0; i < sizeof(kmsg_pats) / sizeof(kmsg_pats[0]); i++) {
			if (strstr(msg, kmsg_pats[i])) {
				if (!n && first)
					snprintf(first, len, "%.*s", (int)len - 1, msg);
				n++;
				break;
			}
		}
	}
	return n;
}

static void stats_snap(unsigned long long *v)
{
	struct kv *kv;
	int n = stats_read(&kv);
	size_t i;

	for (i = 0; i < sizeof(stat_keys) / sizeof(stat_keys[0]); i++) {
		v[i] = 0;
		if (n > 0)
			stats_get(kv, n, stat_keys[i], &v[i]);
	}
	if (n >= 0)
		free(kv);
}

/* Is the opcode of @p in the groups? (opcode mode) */
static void cmd_opcodes(struct bisect *b, struct sbuf *s,
			const struct group *g, size_t ng)
{
	size_t i, k;
	const char *lastop = "";

	sb_addf(s, "disable %s\nenable opcode=0-ffffff\n", b->glob);
	for (i = 0; i < b->ncand; i++) {
		bool in = false;

		if (!strcmp(b->cand[i].opcode, lastop))
			continue;
		lastop = b->cand[i].opcode;
		for (k = 0; k < ng && !in; k++)
			in = i >= g[k].first && i < g[k].first + g[k].n;
		/* opcodes are contiguous in cand: membership of the first
		 * probe of an opcode decides for all of them */
		if (!in)
			sb_addf(s, "disable opcode=%s\n", lastop);
	}
	sb_addf(s, "enable %s\n", b->glob);
}

static void cmd_probes(struct bisect *b, struct sbuf *s,
		       const struct group *g, size_t ng)
{
	size_t k, i;

	sb_addf(s, "disable %s\nenable opcode=0-ffffff\n", b->glob);
	for (k = 0; k < ng; k++)
		for (i = g[k].first; i < g[k].first + g[k].n; i++)
			sb_addf(s, "enable %s\n", b->cand[i].name);
}

static size_t nprobes(const struct group *g, size_t ng)
{
	size_t n = 0, k;

	for (k = 0; k < ng; k++)
		n += g[k].n;
	return n;
}

static void describe(char *buf, size_t len, const struct group *g, size_t ng,
		     bool probes)
{
	size_t k, off = 0;

	buf[0] = '\0';
	for (k = 0; k < ng && off + 1 < len; k++) {
		int w;

		if (k >= 6 && probes) {
			snprintf(buf + off, len - off, " +%zu more", ng - k);
			break;
		}
		if (probes) {
			w = snprintf(buf + off, len - off, "%s%s", k ? " " : "",
				     g[k].label);
		} else if (strlen(g[k].label) == 2 && g[k].label[1] == '?') {
			w = snprintf(buf + off, len - off, "%s0x%cn", k ? " " : "",
				     g[k].label[0]);
		} else {
			w = snprintf(buf + off, len - off, "%s%s", k ? " " : "",
				     g[k].label);
		}
		if (w < 0)
			break;
		off += w;
	}
	if (off >= len)
		buf[len - 1] = '\0';
}

static bool first_json_step = true;

/* Did the signal appear since st0? Sets b->why. */
static bool signal_seen(struct bisect *b, const unsigned long long *st0,
			int wst)
{
	unsigned long long st1[NSTAT];
	char first[200] = "";
	size_t i;
	int nk;

	nk = kmsg_count(b->kmsg, first, sizeof(first));
	stats_snap(st1);
	for (i = 0; i < NSTAT; i++) {
		if (st1[i] > st0[i]) {
			snprintf(b->why, sizeof(b->why), "stats %s +%llu%s%s",
				 stat_keys[i], st1[i] - st0[i],
				 nk ? "; kernel log: " : "", nk ? first : "");
			return true;
		}
	}
	if (nk) {
		snprintf(b->why, sizeof(b->why), "%d kernel log lines: %s",
			 nk, first);
		return true;
	}
	if (b->use_status && wst && wst != 124) {
		snprintf(b->why, sizeof(b->why), "workload exit status %d",
			 wst);
		return true;
	}
	return false;
}

/* Arm the set, run the workload, look for the signal, disarm. */
static int try_set(struct bisect *b, const struct group *g, size_t ng,
		   bool probes, bool *failed)
{
	struct sbuf s = { 0 };
	unsigned long long st0[NSTAT];
	char what[200];
	int r, wst = 0;
	double t0 = now_s();

	*failed = false;
	b->why[0] = '\0';
	b->step++;
	describe(what, sizeof(what), g, ng, probes);
	if (!opt_json) {
		printf("step %2d: arm %-40s (%5zu probes) ... ", b->step, what,
		       nprobes(g, ng));
		fflush(stdout);
	}
	if (probes)
		cmd_probes(b, &s, g, ng);
	else
		cmd_opcodes(b, &s, g, ng);
	stats_snap(st0);
	kmsg_skip(b->kmsg);
	if (control_write(s.s)) {
		sb_free(&s);
		return -1;
	}
	sb_free(&s);
	for (r = 0; r < b->repeat && !*failed && !stop; r++) {
		wst = run_workload(b->workload, b->timeout, !b->verbose);
		sleep_s(b->settle);
		*failed = signal_seen(b, st0, wst);
	}
	s = (struct sbuf){ 0 };
	sb_addf(&s, "disable %s\n", b->glob);
	if (control_write(s.s)) {
		sb_free(&s);
		return -1;
	}
	sb_free(&s);
	sleep_s(b->settle);
	/* damage done while armed and found after: this step's */
	if (!*failed)
		*failed = signal_seen(b, st0, 0);
	else
		kmsg_count(b->kmsg, NULL, 0);
	if (opt_json) {
		printf("%s{\"step\":%d,\"set\":", first_json_step ? "" : ",",
		       b->step);
		json_str(stdout, what);
		printf(",\"probes\":%zu,\"failed\":%s,\"why\":", nprobes(g, ng),
		       *failed ? "true" : "false");
		json_str(stdout, b->why);
		printf(",\"runs\":%d,\"seconds\":%.1f}", r, now_s() - t0);
		first_json_step = false;
	} else {
		printf("%s%s%s (%d run%s, %.0f s)\n",
		       *failed ? "FAILS" : "passes",
		       *failed ? ": " : "", b->why, r, r == 1 ? "" : "s",
		       now_s() - t0);
	}
	fflush(stdout);
	return 0;
}

/*
 * Halve @g (in place) while one half fails on its own. A sporadic signal
 * can miss a step: when neither half fails, both are tried again, up to
 * b->retries more times, before giving up.
 */
static int narrow(struct bisect *b, struct group *g, size_t *ng, bool probes)
{
	int tries = 0;

	while (*ng > 1 && !stop) {
		size_t h = *ng / 2;
		bool f;

		if (try_set(b, g, h, probes, &f))
			return -1;
		if (f) {
			*ng = h;
			tries = 0;
			continue;
		}
		if (try_set(b, g + h, *ng - h, probes, &f))
			return -1;
		if (f) {
			memmove(g, g + h, (*ng - h) * sizeof(*g));
			*ng -= h;
			tries = 0;
			continue;
		}
		if (tries++ < b->retries) {
			if (!opt_json)
				printf("# neither half failed: absence of "
				       "evidence is not evidence of absence, "
				       "trying again\n");
			continue;
		}
		if (!opt_json)
			printf("# neither half fails alone: the failure needs "
			       "both, or is too rare for --repeat %d\n",
			       b->repeat);
		break;
	}
	return 0;
}

/* A bool parameter of the module: 1, 0, or -1 if unreadable. */
static int param_bool(const char *name)
{
	char path[128], *t;
	int v = -1;

	snprintf(path, sizeof(path), "/sys/module/fbt/parameters/%s", name);
	t = read_file(path, NULL);
	if (t) {
		v = t[0] == 'Y' || t[0] == '1';
		free(t);
	}
	return v;
}

static int fam_rank(const char *op)
{
	/* 0xFn first, down to 0x0n, then the escapes (0f.., 0f38..) */
	if (strlen(op) == 2)
		return 15 - (op[0] >= 'a' ? op[0] - 'a' + 10 : op[0] - '0');
	return 16 + (int)strlen(op);
}

static int cand_cmp(const void *a, const void *b)
{
	const struct probe *x = a, *y = b;
	int r = fam_rank(x->opcode) - fam_rank(y->opcode);

	if (r)
		return r;
	r = strcmp(x->opcode, y->opcode);
	return r ? r : strcmp(x->name, y->name);
}

/* Groups over cand[first, first+n) by key: 0 family, 1 opcode, 2 probe. */
static size_t make_groups(struct bisect *b, size_t first, size_t n, int key,
			  struct group **out)
{
	struct group *g = xmalloc((n + 1) * sizeof(*g));
	size_t ng = 0, i;

	for (i = first; i < first + n; i++) {
		char k[160];

		if (key == 0)
			opcode_family(b->cand[i].opcode, k, sizeof(k));
		else if (key == 1)
			snprintf(k, sizeof(k), "%s", b->cand[i].opcode);
		else
			snprintf(k, sizeof(k), "%s", b->cand[i].name);
		if (ng && !strcmp(g[ng - 1].label, k) && key != 2) {
			g[ng - 1].n++;
			continue;
		}
		snprintf(g[ng].label, sizeof(g[ng].label), "%.*s", (int)sizeof(g[ng].label) - 1, k);
		g[ng].first = i;
		g[ng].n = 1;
		ng++;
	}
	*out = g;
	return ng;
}

/* Probe groups keep their full name for describe(): label is too short. */
static void label_probes(struct bisect *b, struct group *g, size_t ng)
{
	size_t k;

	for (k = 0; k < ng; k++) {
		const char *nm = b->cand[g[k].first].name;
		const char *c1 = strchr(nm, ':');
		const char *fn = c1 ? c1 + 1 : nm;
		const char *c2 = strchr(fn, ':');
		int l = c2 ? (int)(c2 - fn) : (int)strlen(fn);

		snprintf(g[k].label, sizeof(g[k].label), "%.*s", l, fn);
	}
}

static void bisect_usage(void)
{
	fprintf(stderr,
		"usage: %s bisect --workload CMD [--timeout S] [--repeat N] "
		"[--no-status] [--verbose] [--json] [GLOB]\n"
		"  finds the smallest set of probes of GLOB (default *:*:entry) "
		"whose arming makes\n"
		"  the failure appear: by opcode family (0xFn, 0xEn, ...), then "
		"opcode, then probe.\n"
		"  failure: fbt violation/dump, syscall-exit report, WARNING or "
		"BUG in the kernel log,\n"
		"  a violations/warnings/quarantined counter of stats rising, or "
		"CMD exiting non-zero.\n"
		"  --timeout S  each workload run stops after S seconds "
		"(default 10; not a failure)\n"
		"  --repeat N   run the workload up to N times per step "
		"(default 1)\n"
		"  --retries N  when neither half fails, try both again up to "
		"N times (default 2)\n", prog);
}

int cmd_bisect(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "workload", required_argument, 0, 'w' },
		{ "timeout", required_argument, 0, 't' },
		{ "repeat", required_argument, 0, 'r' },
		{ "retries", required_argument, 0, 'R' },
		{ "no-status", no_argument, 0, 'S' },
		{ "verbose", no_argument, 0, 'v' },
		{ "json", no_argument, 0, 'j' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct bisect b = { .glob = "*:*:entry", .timeout = 10, .repeat = 1,
			    .retries = 2, .use_status = true, .settle = 0.5 };
	struct probes ps;
	struct group *g, all;
	size_t ng, i, first, n, nq = 0;
	bool f;
	char *end;
	int c, ret = 0;
	double t0 = now_s();
	bool steps_open = false;
	int assert_on;

	while ((c = getopt_long(argc, argv, "w:t:r:R:Svjh", lo, NULL)) != -1) {
		switch (c) {
		case 'w': b.workload = optarg; break;
		case 't':
			b.timeout = strtod(optarg, &end);
			if (*end || b.timeout <= 0) {
				bisect_usage();
				return EX_USAGE;
			}
			break;
		case 'r':
			b.repeat = strtol(optarg, &end, 10);
			if (*end || b.repeat < 1) {
				bisect_usage();
				return EX_USAGE;
			}
			break;
		case 'R':
			b.retries = strtol(optarg, &end, 10);
			if (*end || b.retries < 0) {
				bisect_usage();
				return EX_USAGE;
			}
			break;
		case 'S': b.use_status = false; break;
		case 'v': b.verbose = true; break;
		case 'j': opt_json = true; break;
		case 'h': bisect_usage(); return 0;
		default: bisect_usage(); return EX_USAGE;
		}
	}
	if (optind < argc)
		b.glob = norm_glob(argv[optind++]);
	b.glob = xstrdup(b.glob);
	if (optind < argc || !b.workload) {
		if (!b.workload)
			warnx_("bisect needs --workload CMD");
		bisect_usage();
		return EX_USAGE;
	}
	need_module();
	if (probes_read(&ps))
		return EX_FAIL;
	b.cand = xmalloc((ps.n + 1) * sizeof(*b.cand));
	for (i = 0; i < ps.n; i++) {
		if (!glob_ok(b.glob, ps.v[i].name))
			continue;
		if (!strcmp(ps.v[i].state, "quarantined"))
			nq++;
		if (strcmp(ps.v[i].state, "armed") &&
		    strcmp(ps.v[i].state, "disarmed"))
			continue;
		b.cand[b.ncand++] = ps.v[i];
	}
	if (!b.ncand)
		fatal(EX_FAIL, "no armable probe matches %s", b.glob);
	if (nq && !opt_json)
		printf("# %zu probes of %s are quarantined by the recorder and "
		       "cannot be armed:\n#   fbtctl list --state quarantined "
		       "(load with repair=0 to bisect them)\n", nq, b.glob);
	qsort(b.cand, b.ncand, sizeof(*b.cand), cand_cmp);
	assert_on = param_bool("assert");
	b.kmsg = kmsg_open();
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	if (opt_json) {
		printf("{\"glob\":");
		json_str(stdout, b.glob);
		printf(",\"candidates\":%zu,\"assert\":%s,\"steps\":[",
		       b.ncand, assert_on < 0 ? "null" :
		       assert_on ? "true" : "false");
		steps_open = true;
	} else {
		printf("# bisect %s: %zu candidate probes; workload: %s\n",
		       b.glob, b.ncand, b.workload);
		printf("# per-trap assertion %s; failure signal: %s\n",
		       assert_on < 0 ? "unknown" : assert_on ? "on" : "off",
		       assert_on > 0 ? "a violation at a trap, the exit checks, "
		       "the console, the workload's status" :
		       "the syscall/softirq-exit checks, the console, "
		       "the workload's status");
	}

	all.first = 0;
	all.n = b.ncand;
	snprintf(all.label, sizeof(all.label), "all");
	if (try_set(&b, &all, 1, false, &f)) {
		ret = EX_FAIL;
		goto out;
	}
	if (!f) {
		if (!opt_json)
			printf("# no failure with every probe of %s armed: "
			       "nothing to bisect (longer --timeout, --repeat?)\n",
			       b.glob);
		ret = EX_FAIL;
		goto out;
	}
	/* 1: opcode families */
	ng = make_groups(&b, 0, b.ncand, 0, &g);
	if (narrow(&b, g, &ng, false)) {
		ret = EX_FAIL;
		goto out;
	}
	first = g[0].first;
	n = nprobes(g, ng);
	/* families are contiguous in cand, in the order kept */
	if (ng > 1)
		n = g[ng - 1].first + g[ng - 1].n - first;
	free(g);
	/* 2: opcodes within */
	ng = make_groups(&b, first, n, 1, &g);
	if (ng > 1 && narrow(&b, g, &ng, false)) {
		ret = EX_FAIL;
		goto out;
	}
	first = g[0].first;
	n = ng > 1 ? g[ng - 1].first + g[ng - 1].n - first : g[0].n;
	free(g);
	/* 3: probes */
	ng = make_groups(&b, first, n, 2, &g);
	label_probes(&b, g, ng);
	if (ng > 1 && narrow(&b, g, &ng, true)) {
		ret = EX_FAIL;
		goto out;
	}
	if (opt_json) {
		printf("],\"culprit\":[");
		steps_open = false;
		for (i = 0; i < ng; i++) {
			struct probe *p = &b.cand[g[i].first];

			printf("%s{\"name\":", i ? "," : "");
			json_str(stdout, p->name);
			printf(",\"opcode\":\"%s\",\"mnemonic\":\"%s\",\"id\":%lu,"
			       "\"count\":%llu}", p->opcode,
			       opcode_mnemonic(p->opcode), p->id, p->hits);
		}
		printf("],\"steps_run\":%d,\"seconds\":%.1f", b.step,
		       now_s() - t0);
	} else {
		printf("# culprit%s after %d steps, %.1f s:\n",
		       ng > 1 ? "s (no single probe fails alone)" : "", b.step,
		       now_s() - t0);
		for (i = 0; i < ng; i++) {
			struct probe *p = &b.cand[g[i].first];

			printf("culprit: %s opcode %s (%s) at %llx\n", p->name,
			       p->opcode, opcode_mnemonic(p->opcode), p->addr);
		}
	}
	free(g);
out:
	{
		struct sbuf s = { 0 };

		sb_addf(&s, "disable %s\nenable opcode=0-ffffff\n", b.glob);
		control_write(s.s);
		sb_free(&s);
	}
	if (opt_json)
		printf("%s,\"ok\":%s}\n", steps_open ? "]" : "",
		       ret || stop ? "false" : "true");
	if (stop && !opt_json)
		printf("# interrupted\n");
	if (b.kmsg >= 0)
		close(b.kmsg);
	free(b.cand);
	probes_free(&ps);
	return stop ? EX_FAIL : ret;
}
