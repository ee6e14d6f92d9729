/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fbtctl: the command line of fbt. Shared declarations.
 *
 * util.c     errors, files under /sys/kernel/debug/fbt, control writes,
 *            stats, JSON strings, glob shorthand
 * probes.c   the coverage view: parsing, list, enable/disable, count
 * bisect.c   the opcode-family then probe bisection
 * recorder.c the live rings (recorder) and trace-cmd extract
 */
#ifndef FBTCTL_H
#define FBTCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define FBT_DIR_DEFAULT	"/sys/kernel/debug/fbt"

/* Exit statuses. */
#define EX_FAIL		1	/* an operation failed */
#define EX_USAGE	2	/* bad command line */
#define EX_NOMOD	3	/* module not loaded, debugfs missing, not root */

extern const char *fbt_dir;	/* $FBT_DEBUGFS or FBT_DIR_DEFAULT */
extern bool opt_json;
extern const char *prog;

void fatal(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Check that fbt's debugfs directory is there and usable; exits if not. */
void need_module(void);
char *fbt_path(const char *file);	/* static buffer */
char *read_file(const char *path, size_t *len);	/* NULL + errno */

/* Write commands (one per line) to control, in writes of at most 4096
 * bytes cut at line ends. On failure prints the module's reason and
 * returns -1. */
int control_write(const char *text);

/* A growing text buffer. */
struct sbuf {
	char *s;
	size_t len, cap;
};
void sb_addf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_free(struct sbuf *b);

/* stats: "key value" lines. */
struct kv {
	char key[64];
	unsigned long long val;
};
int stats_parse(const char *text, struct kv **out);	/* count */
bool stats_get(const struct kv *v, int n, const char *key,
	       unsigned long long *val);
int stats_read(struct kv **out);	/* -1 on error */

void json_str(FILE *f, const char *s);

/* Glob shorthand: "vfs_*" -> "*:vfs_*:entry", "ext4:*" -> "ext4:*:entry",
 * full module:function:kind globs unchanged. Returns a static buffer. */
const char *norm_glob(const char *g);
bool glob_ok(const char *pattern, const char *s);	/* fnmatch */

/* ---- probes ---- */
struct probe {
	unsigned long id;
	unsigned long long hits;
	unsigned long long addr;
	char opcode[12];
	unsigned int len;
	int modrm;
	char *name;		/* module:function:entry|return */
	char state[48];
};

struct probes {
	struct probe *v;
	size_t n;
};

int probe_parse_line(const char *line, struct probe *p);	/* 0, or -1 */
int probes_parse(char *text, struct probes *ps);
int probes_read(struct probes *ps);
void probes_free(struct probes *ps);
bool state_match(const char *state, const char *want);
/* "9c" -> "9?", "0f1f" -> "0f??", "0f3801" -> "0f38??" */
void opcode_family(const char *op, char *fam, size_t len);
const char *opcode_mnemonic(const char *op);

int cmd_list(int argc, char **argv);
int cmd_enable(int argc, char **argv, bool enable);
int cmd_stats(int argc, char **argv);
int cmd_count(int argc, char **argv);
int cmd_recorder(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_bisect(int argc, char **argv);

/* Run "sh -c cmd" for at most timeout seconds; returns the exit status,
 * 128+signal, or 124 on timeout. */
int run_workload(const char *cmd, double timeout, bool quiet);
double now_s(void);
void sleep_s(double s);

#endif
