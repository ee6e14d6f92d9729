// SPDX-License-Identifier: GPL-2.0
/*
 * Compare fbt_insn_decode() with objdump, instruction by instruction, the way
 * the kernel's arch/x86/tools/insn_decoder_test does.
 *
 *   objdump -d --insn-width=16 FILE... | decode_vs_objdump -n NAME [-e EXC]
 *
 * For every instruction objdump prints, decode the same bytes (plus the bytes
 * that follow it, so that a decoder that reads too far shows up as a wrong
 * length, not as a truncation) and compare the lengths. Where objdump says
 * "(bad)" the decoder must say invalid too. A disagreement that matches an
 * entry of the exceptions file is counted as explained; the others are
 * printed (the first few) and make the test fail.
 *
 * Exceptions file: blocks of
 *   [name]
 *   bytes = POSIX ERE over objdump's bytes ("66 e8 00 00")
 *   mnem  = POSIX ERE over objdump's mnemonic and operands
 *   ours  = POSIX ERE over our result ("len=6", "invalid", "truncated",
 *           "too-long")
 *   why   = one line of explanation
 * A missing pattern matches anything. '#' starts a comment line.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "insn.h"

#define MAX_EXC		64
#define MAX_SHOW	10
#define RING		32	/* > 15: every byte of lookahead is an insn */
#define MNEM_LEN	112
#define SYM_LEN		96

struct exc {
	char name[64];
	char why[256];
	regex_t re[3];		/* bytes, mnem, ours */
	bool has[3];
	unsigned long used;
	char example[1024];
};

struct pend {
	unsigned long long addr;
	u8 bytes[16];
	unsigned int n;		/* objdump's length */
	bool overflow;		/* more than 16 bytes listed */
	char mnem[MNEM_LEN];
	char sym[SYM_LEN];
};

static struct exc excs[MAX_EXC];
static unsigned int nexc;
static struct pend ring[RING];
static unsigned int head, count;	/* pending window */
static char cur_file[256] = "?";
static char cur_sym[SYM_LEN] = "?";
static unsigned long n_compared, n_explained, n_unexplained, n_bad;
static char shown[MAX_SHOW][1024];
static unsigned long n_files;
static int verbose;

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void load_exceptions(const char *path)
{
	char line[1024];
	struct exc *e = NULL;
	FILE *f = fopen(path, "r");
	int lnr = 0;

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq, *key, *val;
		int idx;

		lnr++;
		if (!*s || *s == '#')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (!end || nexc == MAX_EXC) {
				fprintf(stderr, "%s:%d: bad section\n", path, lnr);
				exit(2);
			}
			*end = '\0';
			e = &excs[nexc++];
			snprintf(e->name, sizeof(e->name), "%s", s + 1);
			continue;
		}
		eq = strchr(s, '=');
		if (!e || !eq) {
			fprintf(stderr, "%s:%d: expected key = value\n", path, lnr);
			exit(2);
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (!strcmp(key, "why")) {
			snprintf(e->why, sizeof(e->why), "%s", val);
			continue;
		}
		if (!strcmp(key, "bytes"))
			idx = 0;
		else if (!strcmp(key, "mnem"))
			idx = 1;
		else if (!strcmp(key, "ours"))
			idx = 2;
		else {
			fprintf(stderr, "%s:%d: unknown key %s\n", path, lnr, key);
			exit(2);
		}
		if (regcomp(&e->re[idx], val, REG_EXTENDED | REG_NOSUB)) {
			fprintf(stderr, "%s:%d: bad regex %s\n", path, lnr, val);
			exit(2);
		}
		e->has[idx] = true;
	}
	fclose(f);
}

static struct exc *match_exception(const char *bytes, const char *mnem,
				   const char *ours)
{
	const char *subj[3] = { bytes, mnem, ours };
	unsigned int i, k;

	for (i = 0; i < nexc; i++) {
		for (k = 0; k < 3; k++)
			if (excs[i].has[k] &&
			    regexec(&excs[i].re[k], subj[k], 0, NULL, 0))
				break;
		if (k == 3)
			return &excs[i];
	}
	return NULL;
}

/* objdump's way of saying it could not decode these bytes. */
static bool objdump_bad(const char *mnem)
{
	return strstr(mnem, "(bad)") || !strncmp(mnem, ".byte", 5) ||
	       strstr(mnem, "<unknown>");
}

static void hexstr(char *out, size_t sz, const u8 *b, unsigned int n)
{
	size_t pos = 0;
	unsigned int i;

	out[0] = '\0';
	for (i = 0; i < n && pos + 4 < sz; i++)
		pos += snprintf(out + pos, sz - pos, "%s%02x", i ? " " : "", b[i]);
}

/* Decode the head of the window against the bytes that follow it. */
static void process_head(void)
{
	struct pend *p = &ring[head];
	u8 buf[FBT_INSN_MAX];
	unsigned int buflen = 0, i, k;
	struct fbt_insn insn;
	char bytes[64], ours[32], ctx[64];
	bool agree;
	int r;

	for (i = 0; i < count && buflen < FBT_INSN_MAX; i++) {
		struct pend *q = &ring[(head + i) % RING];

		for (k = 0; k < q->n && buflen < FBT_INSN_MAX; k++)
			buf[buflen++] = q->bytes[k];
	}
	r = fbt_insn_decode(&insn, buf, buflen);
	switch (r) {
	case FBT_DECODE_OK:
		snprintf(ours, sizeof(ours), "len=%u", insn.len);
		break;
	case FBT_DECODE_INVALID:
		snprintf(ours, sizeof(ours), "invalid");
		break;
	case FBT_DECODE_TRUNCATED:
		snprintf(ours, sizeof(ours), "truncated");
		break;
	default:
		snprintf(ours, sizeof(ours), "too-long");
		break;
	}
	if (objdump_bad(p->mnem)) {
		n_bad++;
		agree = r == FBT_DECODE_INVALID || r == FBT_DECODE_TOO_LONG;
	} else {
		agree = !p->overflow && r == FBT_DECODE_OK && insn.len == p->n;
	}
	n_compared++;
	if (!agree) {
		struct exc *e;

		hexstr(bytes, sizeof(bytes), p->bytes, p->n);
		e = match_exception(bytes, p->mnem, ours);
		if (e) {
			if (!e->used++)
				snprintf(e->example, sizeof(e->example),
					 "%s %llx <%s> %s: %s, ours %s",
					 cur_file, p->addr, p->sym, bytes,
					 p->mnem, ours);
			n_explained++;
		} else {
			hexstr(ctx, sizeof(ctx), buf, buflen);
			if (n_unexplained < MAX_SHOW)
				snprintf(shown[n_unexplained],
					 sizeof(shown[0]),
					 "%s %llx <%s>: objdump %u bytes (%s: %s), ours %s; bytes: %s",
					 cur_file, p->addr, p->sym, p->n,
					 bytes, p->mnem, ours, ctx);
			if (verbose)
				printf("# mismatch %s %llx <%s>: objdump %u (%s: %s), ours %s\n",
				       cur_file, p->addr, p->sym, p->n, bytes,
				       p->mnem, ours);
			n_unexplained++;
		}
	}
	head = (head + 1) % RING;
	count--;
}

/* Bytes pending after the head insn's first byte. */
static unsigned int window_bytes(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < count; i++)
		n += ring[(head + i) % RING].n;
	return n;
}

static void flush(void)
{
	while (count)
		process_head();
}

/* Parse "  addr:\tbytes \tmnemonic" (mnemonic may be missing). */
static bool parse_insn(char *line, unsigned long long *addr, u8 *b,
		       unsigned int *n, bool *overflow, char **mnem)
{
	char *s = line, *end, *tab;

	while (*s == ' ')
		s++;
	*addr = strtoull(s, &end, 16);
	if (end == s || end[0] != ':' || end[1] != '\t')
		return false;
	s = end + 2;
	tab = strchr(s, '\t');
	if (tab)
		*tab = '\0';
	*n = 0;
	*overflow = false;
	while (*s) {
		unsigned int v;

		while (*s == ' ')
			s++;
		if (!isxdigit((unsigned char)s[0]) ||
		    !isxdigit((unsigned char)s[1]))
			break;
		v = (unsigned int)strtoul((char[3]){ s[0], s[1], 0 }, NULL, 16);
		if (*n < 16)
			b[(*n)++] = (u8)v;
		else
			*overflow = true;
		s += 2;
	}
	*mnem = tab ? trim(tab + 1) : NULL;
	return true;
}

static void add_insn(unsigned long long addr, const u8 *b, unsigned int n,
		     bool overflow, const char *mnem)
{
	struct pend *p;

	if (count && !mnem) {
		/* A continuation line: more bytes of the previous insn. */
		unsigned int i;

		p = &ring[(head + count - 1) % RING];
		for (i = 0; i < n; i++) {
			if (p->n < 16)
				p->bytes[p->n++] = b[i];
			else
				p->overflow = true;
		}
		return;
	}
	if (count) {
		struct pend *last = &ring[(head + count - 1) % RING];

		/* Not contiguous: the window ends here. */
		if (last->addr + last->n != addr)
			flush();
	}
	while (count && (count == RING || window_bytes() -
			 ring[head].n >= FBT_INSN_MAX))
		process_head();
	p = &ring[(head + count) % RING];
	p->addr = addr;
	memcpy(p->bytes, b, n);
	p->n = n;
	p->overflow = overflow;
	snprintf(p->mnem, sizeof(p->mnem), "%s", mnem ? mnem : "");
	snprintf(p->sym, sizeof(p->sym), "%s", cur_sym);
	count++;
}

int main(int argc, char **argv)
{
	const char *name = "objdump", *exc_path = NULL;
	char line[4096];
	unsigned int i;
	int c;

	while ((c = getopt(argc, argv, "n:e:v")) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'e':
			exc_path = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr, "usage: objdump -d --insn-width=16 FILE | %s [-n name] [-e exceptions] [-v]\n",
				argv[0]);
			return 2;
		}
	}
	if (exc_path)
		load_exceptions(exc_path);

	while (fgets(line, sizeof(line), stdin)) {
		unsigned long long addr;
		unsigned int n;
		bool overflow;
		u8 b[16];
		char *mnem, *s;

		if (parse_insn(line, &addr, b, &n, &overflow, &mnem)) {
			if (n)
				add_insn(addr, b, n, overflow, mnem);
			continue;
		}
		/* Anything else ends the window ("...", headers, blanks). */
		s = trim(line);
		if (!*s)
			continue;
		flush();
		if (strstr(s, ":     file format ")) {
			*strstr(s, ":     file format ") = '\0';
			snprintf(cur_file, sizeof(cur_file), "%s",
				 strrchr(s, '/') ? strrchr(s, '/') + 1 : s);
			snprintf(cur_sym, sizeof(cur_sym), "?");
			n_files++;
		} else if (isxdigit((unsigned char)s[0]) && strchr(s, '<')) {
			char *lt = strchr(s, '<'), *gt = strrchr(s, '>');

			if (gt && gt > lt) {
				*gt = '\0';
				snprintf(cur_sym, sizeof(cur_sym), "%s", lt + 1);
			}
		}
	}
	flush();

	if (!n_compared) {
		printf("not ok decoder-vs-objdump %s: no instructions read\n", name);
		return 1;
	}
	printf("%s decoder-vs-objdump %s: %lu instructions compared, %lu unexplained disagreements (%lu explained)\n",
	       n_unexplained ? "not ok" : "ok", name, n_compared,
	       n_unexplained, n_explained);
	for (i = 0; i < n_unexplained && i < MAX_SHOW; i++)
		printf("#   %s\n", shown[i]);
	printf("# %s: %lu object files disassembled; %lu of the compared were objdump (bad), decoded as invalid or explained\n",
	       name, n_files, n_bad);
	for (i = 0; i < nexc; i++)
		if (excs[i].used)
			printf("# exception [%s] used %lu times: %s (e.g. %s)\n",
			       excs[i].name, excs[i].used, excs[i].why,
			       excs[i].example);
	return n_unexplained ? 1 : 0;
}
