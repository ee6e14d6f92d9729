// SPDX-License-Identifier: GPL-2.0
/* fbtctl: the live rings (fbt/recorder) decoded, and trace-cmd extract. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fbtctl.h"

/*
 * A row of fbt/recorder:
 *   cpu seq time_ns kind id ip name mnemonic... len [flags_in] [flags_out] image why...
 * The mnemonic may hold spaces ("push %rbp"), the flags are in brackets.
 */
struct rec {
	unsigned int cpu;
	unsigned long long seq, ns, ip, image;
	long id;
	char kind[16], name[160], mnem[64], fin[48], fout[48], why[64];
	unsigned int len;
};

int rec_parse_line(const char *line, struct rec *r);

int rec_parse_line(const char *line, struct rec *r)
{
	const char *b1, *e1, *b2, *e2, *p;
	char head[512];
	int n;
	size_t l;

	memset(r, 0, sizeof(*r));
	if (line[0] == '#' || !line[0])
		return -1;
	b1 = strchr(line, '[');
	e1 = b1 ? strchr(b1, ']') : NULL;
	b2 = e1 ? strchr(e1, '[') : NULL;
	e2 = b2 ? strchr(b2, ']') : NULL;
	if (!e2)
		return -1;
	l = b1 - line;
	if (l >= sizeof(head))
		return -1;
	memcpy(head, line, l);
	head[l] = '\0';
	if (sscanf(head, "%u %llu %llu %15s %ld %llx %159s %n", &r->cpu,
		   &r->seq, &r->ns, r->kind, &r->id, &r->ip, r->name, &n) != 7)
		return -1;
	/* the rest of head: "mnemonic words... len " */
	{
		char *rest = head + n, *end = rest + strlen(rest), *sp;

		while (end > rest && end[-1] == ' ')
			*--end = '\0';
		sp = strrchr(rest, ' ');
		if (sp) {
			r->len = strtoul(sp + 1, NULL, 10);
			*sp = '\0';
			snprintf(r->mnem, sizeof(r->mnem), "%s", rest);
		} else {
			r->len = strtoul(rest, NULL, 10);
		}
	}
	snprintf(r->fin, sizeof(r->fin), "%.*s", (int)(e1 - b1 - 1), b1 + 1);
	snprintf(r->fout, sizeof(r->fout), "%.*s", (int)(e2 - b2 - 1), b2 + 1);
	p = e2 + 1;
	if (sscanf(p, " %llx%n", &r->image, &n) == 1) {
		p += n;
		while (*p == ' ')
			p++;
		snprintf(r->why, sizeof(r->why), "%s", p);
	}
	return 0;
}

/* IF in the kernel's decoded flags: uppercase "IF" set, "if" clear. */
static int flag_if(const char *f)
{
	const char *p;

	for (p = f; (p = strstr(p, "IF")); p += 2)
		if ((p == f || p[-1] == ' ') && (p[2] == ' ' || !p[2]))
			return 1;
	return 0;
}

static void rec_usage(void)
{
	fprintf(stderr, "usage: %s recorder [--cpu N] [--last N] [--json]\n"
		"  the live per-CPU rings of the flight recorder, oldest first\n",
		prog);
}

int cmd_recorder(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "cpu", required_argument, 0, 'c' },
		{ "last", required_argument, 0, 'l' },
		{ "json", no_argument, 0, 'j' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	long cpu = -1, last = 0;
	char *t, *line, *next, *end;
	struct rec *v = NULL;
	size_t n = 0, cap = 0, i, from;
	int c;

	while ((c = getopt_long(argc, argv, "c:l:jh", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			cpu = strtol(optarg, &end, 10);
			if (*end || cpu < 0) {
				rec_usage();
				return EX_USAGE;
			}
			break;
		case 'l':
			last = strtol(optarg, &end, 10);
			if (*end || last < 0) {
				rec_usage();
				return EX_USAGE;
			}
			break;
		case 'j': opt_json = true; break;
		case 'h': rec_usage(); return 0;
		default: rec_usage(); return EX_USAGE;
		}
	}
	if (optind < argc) {
		rec_usage();
		return EX_USAGE;
	}
	need_module();
	t = read_file(fbt_path("recorder"), NULL);
	if (!t) {
		warnx_("read %s: %s", fbt_path("recorder"), strerror(errno));
		return EX_FAIL;
	}
	for (line = t; line && *line; line = next) {
		struct rec r;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (rec_parse_line(line, &r))
			continue;
		if (cpu >= 0 && r.cpu != (unsigned long)cpu)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = r;
	}
	free(t);
	if (opt_json)
		printf("[");
	for (i = 0; i < n; i++) {
		struct rec *r = &v[i];
		bool newcpu = !i || v[i - 1].cpu != r->cpu;
		size_t j, cnt = 0;
		unsigned long long tlast;

		/* per CPU: optionally only the last N, times relative to newest */
		for (j = i; j < n && v[j].cpu == r->cpu; j++)
			cnt++;
		tlast = v[i + cnt - 1].ns;
		from = last && cnt > (size_t)last ? i + cnt - last : i;
		if (!opt_json && newcpu)
			printf("cpu%u: %zu records, newest at %llu ns\n", r->cpu,
			       cnt, tlast);
		for (j = from; j < i + cnt; j++) {
			struct rec *x = &v[j];
			bool viol = !strcmp(x->kind, "violation");

			if (opt_json) {
				printf("%s{\"cpu\":%u,\"seq\":%llu,\"time_ns\":%llu,"
				       "\"kind\":\"%s\",\"id\":%ld,\"ip\":\"%llx\","
				       "\"name\":", j ? "," : "", x->cpu, x->seq,
				       x->ns, x->kind, x->id, x->ip);
				json_str(stdout, x->name);
				printf(",\"mnemonic\":");
				json_str(stdout, x->mnem);
				printf(",\"len\":%u,\"flags_in\":", x->len);
				json_str(stdout, x->fin);
				printf(",\"flags_out\":");
				json_str(stdout, x->fout);
				printf(",\"image\":\"%llx\",\"why\":", x->image);
				json_str(stdout, x->why);
				printf("}");
				continue;
			}
			printf("%s cpu%u #%-8llu %+10lldns %-9s %-36s %-14s IF %d -> %d",
			       viol ? "=>" : "  ", x->cpu, x->seq,
			       (long long)(x->ns - tlast), x->kind, x->name,
			       x->mnem, flag_if(x->fin), flag_if(x->fout));
			if (x->why[0] && strcmp(x->why, "-"))
				printf("  %s", x->why);
			printf("\n");
		}
		i += cnt - 1;
	}
	if (opt_json)
		printf("]\n");
	else if (!n)
		printf("# no records%s\n", cpu >= 0 ? " on that CPU" : "");
	free(v);
	return 0;
}

int cmd_extract(int argc, char **argv)
{
	const char *out = "trace.dat";
	pid_t pid;
	int i, st;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else {
			fprintf(stderr, "usage: %s extract [-o FILE]\n"
				"  trace-cmd extract -B fbt -o FILE: the history and "
				"violations the recorder put in the ftrace instance "
				"fbt\n", prog);
			return EX_USAGE;
		}
	}
	need_module();
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fatal(EX_FAIL, "fork: %s", strerror(errno));
	if (!pid) {
		execlp("trace-cmd", "trace-cmd", "extract", "-B", "fbt", "-o",
		       out, (char *)NULL);
		fprintf(stderr, "%s: trace-cmd: %s (apt-get install trace-cmd)\n",
			prog, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		warnx_("trace-cmd extract -B fbt -o %s failed", out);
		return EX_FAIL;
	}
	if (opt_json) {
		printf("{\"file\":");
		json_str(stdout, out);
		printf("}\n");
	} else {
		printf("# wrote %s: trace-cmd report -i %s\n", out, out);
	}
	return 0;
}
