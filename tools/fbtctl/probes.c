// SPDX-License-Identifier: GPL-2.0
/* fbtctl: the coverage view (probes), list, enable/disable, stats, count. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fbtctl.h"

/* "id count patchpoint opcode inslen modrm module:function:kind state" */
int probe_parse_line(const char *line, struct probe *p)
{
	char name[512], state[64], op[16];
	int n;

	if (line[0] == '#' || !line[0])
		return -1;
	if (sscanf(line, "%lu %llu %llx %15s %u %d %511s %63s%n", &p->id,
		   &p->hits, &p->addr, op, &p->len, &p->modrm, name, state,
		   &n) != 8)
		return -1;
	if (strlen(op) >= sizeof(p->opcode) || strlen(state) >= sizeof(p->state))
		return -1;
	/* a name has exactly two colons: module:function:kind */
	{
		char *c1 = strchr(name, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c1 || !c2 || strchr(c2 + 1, ':'))
			return -1;
	}
	strcpy(p->opcode, op);
	strcpy(p->state, state);
	p->name = xstrdup(name);
	return 0;
}

int probes_parse(char *text, struct probes *ps)
{
	size_t cap = 1024;
	char *line, *next;

	ps->n = 0;
	ps->v = xmalloc(cap * sizeof(*ps->v));
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (ps->n == cap) {
			cap *= 2;
			ps->v = xrealloc(ps->v, cap * sizeof(*ps->v));
		}
		if (!probe_parse_line(line, &ps->v[ps->n]))
			ps->n++;
	}
	return 0;
}

int probes_read(struct probes *ps)
{
	char *t = read_file(fbt_path("probes"), NULL);

	if (!t) {
		warnx_("read %s: %s", fbt_path("probes"), strerror(errno));
		return -1;
	}
	probes_parse(t, ps);
	free(t);
	return 0;
}

void probes_free(struct probes *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		free(ps->v[i].name);
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

/* "refused" matches every refused:<reason>; otherwise a glob. */
bool state_match(const char *state, const char *want)
{
	if (!strcmp(want, "refused"))
		return !strncmp(state, "refused:", 8);
	return glob_ok(want, state);
}

void opcode_family(const char *op, char *fam, size_t len)
{
	size_t l = strlen(op);

	if (l <= 2)
		snprintf(fam, len, "%c?", op[0]);
	else
		snprintf(fam, len, "%.*s??", (int)(l - 2), op);
}

const char *opcode_mnemonic(const char *op)
{
	static const struct { const char *op, *m; } t[] = {
		{ "90", "nop" }, { "91", "xchg %eax,%ecx" },
		{ "92", "xchg %eax,%edx" }, { "93", "xchg %eax,%ebx" },
		{ "94", "xchg %eax,%esp" }, { "95", "xchg %eax,%ebp" },
		{ "96", "xchg %eax,%esi" }, { "97", "xchg %eax,%edi" },
		{ "98", "cwtl" }, { "99", "cltd" }, { "9a", "(bad)" },
		{ "9b", "fwait" }, { "9c", "pushfq" }, { "9d", "popfq" },
		{ "9e", "sahf" }, { "9f", "lahf" },
		{ "50", "push" }, { "51", "push" }, { "52", "push" },
		{ "53", "push" }, { "54", "push" }, { "55", "push" },
		{ "56", "push" }, { "57", "push" },
		{ "58", "pop" }, { "59", "pop" }, { "5a", "pop" }, { "5b", "pop" },
		{ "5c", "pop" }, { "5d", "pop" }, { "5e", "pop" }, { "5f", "pop" },
		{ "01", "add" }, { "03", "add" }, { "09", "or" }, { "0b", "or" },
		{ "29", "sub" }, { "2b", "sub" }, { "31", "xor" }, { "33", "xor" },
		{ "39", "cmp" }, { "3b", "cmp" }, { "80", "grp1 imm8" },
		{ "81", "grp1 imm32" }, { "83", "grp1 imm8" }, { "84", "test" },
		{ "85", "test" }, { "88", "mov" }, { "89", "mov" }, { "8b", "mov" },
		{ "8d", "lea" }, { "b8", "mov imm" }, { "c3", "ret" },
		{ "c6", "mov imm8" }, { "c7", "mov imm32" }, { "e8", "call" },
		{ "e9", "jmp" }, { "eb", "jmp short" }, { "f6", "grp3" },
		{ "f7", "grp3" }, { "fa", "cli" }, { "fb", "sti" }, { "ff", "grp5" },
		{ "0f1f", "nopl" }, { "0f0b", "ud2" }, { "0fb6", "movzbl" },
		{ "0fb7", "movzwl" }, { "0f31", "rdtsc" }, { "0f01", "grp7" },
		{ "0f20", "mov from %cr" }, { "0f22", "mov to %cr" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(t[i].op, op))
			return t[i].m;
	return "";
}

/* ---- list ---- */

struct opsum {
	char op[12];
	unsigned long probes, armed, hit;
	unsigned long long hits;
};

static int opsum_cmp(const void *a, const void *b)
{
	return strcmp(((const struct opsum *)a)->op,
		      ((const struct opsum *)b)->op);
}

static void print_opsum(struct opsum *s, size_t n)
{
	size_t i;

	qsort(s, n, sizeof(*s), opsum_cmp);
	if (opt_json) {
		printf("\"by_opcode\":[");
		for (i = 0; i < n; i++)
			printf("%s{\"opcode\":\"%s\",\"mnemonic\":\"%s\","
			       "\"probes\":%lu,\"armed\":%lu,\"hit\":%lu,"
			       "\"hits\":%llu}", i ? "," : "", s[i].op,
			       opcode_mnemonic(s[i].op), s[i].probes,
			       s[i].armed, s[i].hit, s[i].hits);
		printf("]");
		return;
	}
	printf("\n# by opcode: probes, armed, probes hit, hits\n");
	printf("%-8s %-16s %8s %8s %8s %12s\n", "opcode", "mnemonic", "probes",
	       "armed", "hit", "hits");
	for (i = 0; i < n; i++)
		printf("%-8s %-16s %8lu %8lu %8lu %12llu\n", s[i].op,
		       opcode_mnemonic(s[i].op), s[i].probes, s[i].armed,
		       s[i].hit, s[i].hits);
}

static void list_usage(void)
{
	fprintf(stderr, "usage: %s list [GLOB] [--state S] [--opcode X] "
		"[--hit] [--by-opcode] [--json]\n"
		"  GLOB   module:function:entry|return (vfs_* means *:vfs_*:entry)\n"
		"  --state armed|disarmed|quarantined|refused|refused:REASON\n"
		"  --opcode 9c, 9? (a family), 0f1f: adds a per-opcode summary\n"
		"  --hit  only probes hit at least once\n"
		"  --by-opcode  only the per-opcode summary\n", prog);
}

int cmd_list(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "state", required_argument, 0, 's' },
		{ "opcode", required_argument, 0, 'o' },
		{ "hit", no_argument, 0, 'H' },
		{ "by-opcode", no_argument, 0, 'b' },
		{ "json", no_argument, 0, 'j' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *state = NULL, *opcode = NULL, *glob = NULL;
	bool hit = false, byop = false, first = true;
	struct opsum *sum = NULL;
	size_t nsum = 0, i, j, shown = 0;
	struct probes ps;
	int c;

	while ((c = getopt_long(argc, argv, "s:o:Hbjh", lo, NULL)) != -1) {
		switch (c) {
		case 's': state = optarg; break;
		case 'o': opcode = optarg; break;
		case 'H': hit = true; break;
		case 'b': byop = true; break;
		case 'j': opt_json = true; break;
		case 'h': list_usage(); return 0;
		default: list_usage(); return EX_USAGE;
		}
	}
	if (optind < argc)
		glob = xstrdup(norm_glob(argv[optind++]));
	if (optind < argc) {
		list_usage();
		return EX_USAGE;
	}
	need_module();
	if (probes_read(&ps))
		return EX_FAIL;
	sum = xmalloc((ps.n + 1) * sizeof(*sum));
	if (opt_json)
		printf("{\"probes\":[");
	else if (!byop)
		printf("%7s %10s %-16s %-6s %-14s %3s %5s %s %s\n", "# id",
		       "count", "patchpoint", "opcode", "mnemonic", "len",
		       "modrm", "name", "state");
	for (i = 0; i < ps.n; i++) {
		struct probe *p = &ps.v[i];

		if (glob && !glob_ok(glob, p->name))
			continue;
		if (state && !state_match(p->state, state))
			continue;
		if (opcode && !glob_ok(opcode, p->opcode))
			continue;
		if (hit && !p->hits)
			continue;
		shown++;
		for (j = 0; j < nsum && strcmp(sum[j].op, p->opcode); j++)
			;
		if (j == nsum) {
			memset(&sum[nsum], 0, sizeof(sum[0]));
			strcpy(sum[nsum++].op, p->opcode);
		}
		sum[j].probes++;
		sum[j].armed += !strcmp(p->state, "armed");
		sum[j].hit += p->hits > 0;
		sum[j].hits += p->hits;
		if (byop)
			continue;
		if (opt_json) {
			printf("%s{\"id\":%lu,\"count\":%llu,\"patchpoint\":\"%llx\","
			       "\"opcode\":\"%s\",\"inslen\":%u,\"modrm\":%d,"
			       "\"name\":", first ? "" : ",", p->id, p->hits,
			       p->addr, p->opcode, p->len, p->modrm);
			json_str(stdout, p->name);
			printf(",\"state\":");
			json_str(stdout, p->state);
			printf("}");
			first = false;
		} else {
			printf("%7lu %10llu %016llx %-6s %-14s %3u %5d %s %s\n",
			       p->id, p->hits, p->addr, p->opcode,
			       opcode_mnemonic(p->opcode), p->len, p->modrm,
			       p->name, p->state);
		}
	}
	if (opt_json) {
		printf("]");
		if (opcode || byop) {
			printf(",");
			print_opsum(sum, nsum);
		}
		printf("}\n");
	} else {
		if (opcode || byop)
			print_opsum(sum, nsum);
		printf("# %zu of %zu probes\n", shown, ps.n);
	}
	free(sum);
	probes_free(&ps);
	return 0;
}

/* ---- enable / disable ---- */

int cmd_enable(int argc, char **argv, bool enable)
{
	struct sbuf b = { 0 };
	int i, ret;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json"))
			opt_json = true;
		else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "usage: %s %s GLOB|opcode=X... \n", prog,
				argv[0]);
			return EX_USAGE;
		}
	if (argc < 2) {
		fprintf(stderr, "usage: %s %s GLOB|opcode=HEX[-HEX]|opcode=9?...\n"
			"  GLOB: module:function:entry|return; vfs_* means "
			"*:vfs_*:entry\n"
			"  opcode=9?: %s the 0x9n family (a filter: a disabled "
			"family is never armed)\n", prog, argv[0], argv[0]);
		return EX_USAGE;
	}
	need_module();
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			continue;
		if (!strncmp(argv[i], "opcode=", 7))
			sb_addf(&b, "%s %s\n", enable ? "enable" : "disable",
				argv[i]);
		else
			sb_addf(&b, "%s %s\n", enable ? "enable" : "disable",
				norm_glob(argv[i]));
	}
	ret = control_write(b.s);
	if (!ret) {
		char *t = read_file(fbt_path("control"), NULL);
		char *nl = t ? strchr(t, '\n') : NULL;

		if (nl)
			*nl = '\0';
		if (opt_json) {
			printf("{\"ok\":true,\"result\":");
			json_str(stdout, t && !strncmp(t, "last: ", 6) ? t + 6 : "");
			printf("}\n");
		} else {
			printf("%s", b.s);
			if (t && !strncmp(t, "last: ", 6))
				printf("# %s\n", t + 6);
		}
		free(t);
	}
	sb_free(&b);
	return ret ? EX_FAIL : 0;
}

/* ---- stats ---- */

int cmd_stats(int argc, char **argv)
{
	struct kv *v;
	int n, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			opt_json = true;
		} else {
			fprintf(stderr, "usage: %s stats [--json]\n", prog);
			return EX_USAGE;
		}
	}
	need_module();
	n = stats_read(&v);
	if (n < 0)
		return EX_FAIL;
	if (opt_json) {
		printf("{");
		for (i = 0; i < n; i++) {
			json_str(stdout, v[i].key);
			printf(":%llu%s", v[i].val, i + 1 < n ? "," : "");
		}
		printf("}\n");
	} else {
		for (i = 0; i < n; i++)
			printf("%-28s %llu\n", v[i].key, v[i].val);
	}
	free(v);
	return 0;
}

/* ---- count: fbt:::entry{cnt++;} ---- */

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct delta {
	const char *name;
	const char *opcode;
	unsigned long long n;
};

static int delta_cmp(const void *a, const void *b)
{
	const struct delta *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->name, y->name);
}

static int probe_id_cmp(const void *a, const void *b)
{
	const struct probe *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static struct probe *find_id(struct probes *ps, unsigned long id)
{
	struct probe key = { .id = id };

	return bsearch(&key, ps->v, ps->n, sizeof(key), probe_id_cmp);
}

static void count_usage(void)
{
	fprintf(stderr, "usage: %s count [-d SECONDS] [-n TOP] [--workload CMD] "
		"[--json] [GLOB]\n"
		"  arms GLOB (default *:*:entry: every safe function entry), "
		"waits SECONDS (default 5)\n"
		"  or until CMD ends, prints the TOP (default 20) most-hit "
		"probes, disarms what it armed\n", prog);
}

int cmd_count(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "duration", required_argument, 0, 'd' },
		{ "top", required_argument, 0, 'n' },
		{ "workload", required_argument, 0, 'w' },
		{ "json", no_argument, 0, 'j' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *glob = "*:*:entry", *workload = NULL;
	double dur = 5, t0, el;
	long top = 20;
	struct probes before, after;
	struct delta *d;
	struct sbuf undo = { 0 };
	size_t i, nd = 0, narmed = 0, was_armed = 0, nhit = 0;
	unsigned long long total = 0;
	char *end;
	int c, ret = 0, wst = -1;

	while ((c = getopt_long(argc, argv, "d:n:w:jh", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			dur = strtod(optarg, &end);
			if (*end || dur < 0) {
				count_usage();
				return EX_USAGE;
			}
			break;
		case 'n':
			top = strtol(optarg, &end, 10);
			if (*end || top < 0) {
				count_usage();
				return EX_USAGE;
			}
			break;
		case 'w': workload = optarg; break;
		case 'j': opt_json = true; break;
		case 'h': count_usage(); return 0;
		default: count_usage(); return EX_USAGE;
		}
	}
	if (optind < argc)
		glob = norm_glob(argv[optind++]);
	glob = xstrdup(glob);
	if (optind < argc) {
		count_usage();
		return EX_USAGE;
	}
	need_module();
	if (probes_read(&before))
		return EX_FAIL;
	qsort(before.v, before.n, sizeof(*before.v), probe_id_cmp);
	for (i = 0; i < before.n; i++) {
		struct probe *p = &before.v[i];

		if (!glob_ok(glob, p->name))
			continue;
		if (!strcmp(p->state, "armed"))
			was_armed++;
		else if (!strcmp(p->state, "disarmed"))
			sb_addf(&undo, "disable %s\n", p->name);
	}
	if (!undo.len && !was_armed) {
		probes_free(&before);
		fatal(EX_FAIL, "no probe matches %s (fbtctl list '%s')", glob,
		      glob);
	}
	signal(SIGINT, on_sigint);
	signal(SIGTERM, on_sigint);
	{
		struct sbuf cmd = { 0 };

		sb_addf(&cmd, "enable %s\n", glob);
		if (control_write(cmd.s)) {
			sb_free(&cmd);
			return EX_FAIL;
		}
		sb_free(&cmd);
	}
	if (!opt_json)
		fprintf(stderr, "# armed %s; counting for %s%.0f s (Ctrl-C stops)\n",
			glob, workload ? "the workload, at most " : "", dur);
	t0 = now_s();
	if (workload)
		wst = run_workload(workload, dur, false);
	else
		while (!interrupted && now_s() - t0 < dur)
			sleep_s(0.1);
	el = now_s() - t0;
	/* Disarm first (what we armed: everything if nothing was armed
	 * before), then read: reading 100k rows while armed would count the
	 * read's own traps. The hit counts stay after disarming. */
	{
		struct kv *kv;
		int nkv = stats_read(&kv);
		unsigned long long a = 0;

		if (nkv > 0 && stats_get(kv, nkv, "armed", &a))
			narmed = a;
		if (nkv >= 0)
			free(kv);
	}
	if (!was_armed) {
		struct sbuf cmd = { 0 };

		sb_addf(&cmd, "disable %s\n", glob);
		if (control_write(cmd.s))
			ret = EX_FAIL;
		sb_free(&cmd);
	} else if (undo.len && control_write(undo.s)) {
		ret = EX_FAIL;
	}
	sb_free(&undo);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (!ret && probes_read(&after))
		ret = EX_FAIL;
	if (ret) {
		probes_free(&before);
		return ret;
	}
	d = xmalloc((after.n + 1) * sizeof(*d));
	for (i = 0; i < after.n; i++) {
		struct probe *p = &after.v[i], *b;
		unsigned long long base = 0;

		if (!glob_ok(glob, p->name))
			continue;
		b = find_id(&before, p->id);
		if (b && !strcmp(b->name, p->name) && b->hits <= p->hits)
			base = b->hits;
		if (p->hits == base)
			continue;
		d[nd].name = p->name;
		d[nd].opcode = p->opcode;
		d[nd].n = p->hits - base;
		total += d[nd].n;
		nd++;
	}
	nhit = nd;
	qsort(d, nd, sizeof(*d), delta_cmp);
	if ((size_t)top < nd)
		nd = top;
	if (opt_json) {
		printf("{\"glob\":");
		json_str(stdout, glob);
		printf(",\"seconds\":%.2f,\"armed\":%zu,\"probes_hit\":%zu,"
		       "\"hits\":%llu,", el, narmed, nhit, total);
		if (workload)
			printf("\"workload_status\":%d,", wst);
		printf("\"top\":[");
		for (i = 0; i < nd; i++) {
			printf("%s{\"name\":", i ? "," : "");
			json_str(stdout, d[i].name);
			printf(",\"opcode\":\"%s\",\"count\":%llu}", d[i].opcode,
			       d[i].n);
		}
		printf("]}\n");
	} else {
		printf("# %s: %zu probes armed, %zu hit, %llu hits in %.1f s "
		       "(%.0f/s)\n", glob, narmed, nhit, total, el,
		       el > 0 ? total / el : 0.0);
		printf("%12s  %-6s %s\n", "count", "opcode", "probe");
		for (i = 0; i < nd; i++)
			printf("%12llu  %-6s %s\n", d[i].n, d[i].opcode,
			       d[i].name);
		if (was_armed)
			printf("# %zu probes were armed before and stay armed\n",
			       was_armed);
	}
	free(d);
	probes_free(&before);
	probes_free(&after);
	return 0;
}
