// SPDX-License-Identifier: GPL-2.0
/* fbtctl: errors, debugfs files, control writes, stats, JSON, globs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fbtctl.h"

const char *fbt_dir = FBT_DIR_DEFAULT;
bool opt_json;
const char *prog = "fbtctl";

void fatal(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fatal(EX_FAIL, "out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		fatal(EX_FAIL, "out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		fatal(EX_FAIL, "out of memory");
	return d;
}

char *fbt_path(const char *file)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", fbt_dir, file);
	return buf;
}

void need_module(void)
{
	struct stat st;
	const char *env = getenv("FBT_DEBUGFS");

	if (env && *env) {	/* tests: a fake directory, no root needed */
		fbt_dir = env;
	} else if (geteuid() != 0) {
		fatal(EX_NOMOD, "must be root: %s is readable by root only "
		      "(try sudo)", fbt_dir);
	}
	if (stat(fbt_dir, &st) == 0 && S_ISDIR(st.st_mode))
		return;
	if (!env && stat("/sys/kernel/debug", &st) == 0 &&
	    stat("/proc/modules", &st) == 0) {
		char *mods = read_file("/proc/modules", NULL);
		bool loaded = mods && (!strncmp(mods, "fbt ", 4) ||
				       strstr(mods, "\nfbt "));

		free(mods);
		if (loaded)
			fatal(EX_NOMOD, "fbt is loaded but %s is missing: is "
			      "debugfs mounted? (mount -t debugfs none "
			      "/sys/kernel/debug)", fbt_dir);
	}
	fatal(EX_NOMOD, "the fbt module is not loaded (no %s): "
	      "insmod fbt.ko, or modprobe fbt after a DKMS install", fbt_dir);
}

char *read_file(const char *path, size_t *lenp)
{
	size_t len = 0, cap = 65536;
	char *buf;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = xmalloc(cap);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;

			close(fd);
			free(buf);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

static void control_reason(void)
{
	char *t = read_file(fbt_path("control"), NULL);
	char *nl;

	if (!t)
		return;
	nl = strchr(t, '\n');
	if (nl)
		*nl = '\0';
	if (!strncmp(t, "last: ", 6))
		warnx_("control says: %s", t + 6);
	free(t);
}

static int control_write_one(int fd, const char *s, size_t len)
{
	ssize_t n = write(fd, s, len);

	if (n == (ssize_t)len)
		return 0;
	if (n < 0)
		warnx_("writing %s: %s", fbt_path("control"), strerror(errno));
	else
		warnx_("short write to %s", fbt_path("control"));
	control_reason();
	return -1;
}

int control_write(const char *text)
{
	const size_t max = 4096;
	size_t len = strlen(text), off = 0;
	int fd, ret = 0;

	fd = open(fbt_path("control"), O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		warnx_("open %s: %s", fbt_path("control"), strerror(errno));
		return -1;
	}
	while (off < len && !ret) {
		size_t n = len - off;

		if (n > max) {
			/* cut after the last newline that fits */
			n = max;
			while (n > 0 && text[off + n - 1] != '\n')
				n--;
			if (!n) {
				warnx_("control command longer than %zu bytes", max);
				ret = -1;
				break;
			}
		}
		ret = control_write_one(fd, text + off, n);
		off += n;
	}
	close(fd);
	return ret;
}

void sb_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt,
			      ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->s && (size_t)n < room) {
			b->len += n;
			return;
		}
		b->cap = (b->cap ? b->cap * 2 : 256) + n + 1;
		b->s = xrealloc(b->s, b->cap);
	}
}

void sb_free(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

int stats_parse(const char *text, struct kv **out)
{
	const char *p = text;
	struct kv *v = NULL;
	int n = 0, cap = 0;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		char line[256], *sp, *end;

		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, p, l);
		line[l] = '\0';
		p = nl ? nl + 1 : NULL;
		sp = strchr(line, ' ');
		if (!sp || line[0] == '#' || sp == line ||
		    (size_t)(sp - line) >= sizeof(v->key))
			continue;
		*sp++ = '\0';
		errno = 0;
		unsigned long long val = strtoull(sp, &end, 10);

		if (errno || end == sp || (*end && *end != ' '))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		snprintf(v[n].key, sizeof(v[n].key), "%.*s", (int)sizeof(v[n].key) - 1, line);
		v[n].val = val;
		n++;
	}
	*out = v;
	return n;
}

bool stats_get(const struct kv *v, int n, const char *key,
	       unsigned long long *val)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(v[i].key, key)) {
			if (val)
				*val = v[i].val;
			return true;
		}
	}
	return false;
}

int stats_read(struct kv **out)
{
	char *t = read_file(fbt_path("stats"), NULL);
	int n;

	if (!t) {
		warnx_("read %s: %s", fbt_path("stats"), strerror(errno));
		return -1;
	}
	n = stats_parse(t, out);
	free(t);
	return n;
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

const char *norm_glob(const char *g)
{
	static char buf[512];
	int colons = 0;
	const char *p;

	for (p = g; *p; p++)
		colons += *p == ':';
	if (colons == 0)
		snprintf(buf, sizeof(buf), "*:%s:entry", g);
	else if (colons == 1)
		snprintf(buf, sizeof(buf), "%s:entry", g);
	else
		snprintf(buf, sizeof(buf), "%s", g);
	return buf;
}

bool glob_ok(const char *pattern, const char *s)
{
	return fnmatch(pattern, s, 0) == 0;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int run_workload(const char *cmd, double timeout, bool quiet)
{
	double end = now_s() + timeout;
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		warnx_("fork: %s", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		setpgid(0, 0);
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);

			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
			}
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return 127;
		if (timeout > 0 && now_s() >= end) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return 124;
		}
		sleep_s(0.05);
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 127;
}
