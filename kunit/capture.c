// SPDX-License-Identifier: GPL-2.0
/*
 * Every printk message, caught on the "console" tracepoint as fbt's own
 * console hook catches them (recorder/assert.c), appended to one buffer:
 * a writer reserves its bytes with one atomic add, so messages from any
 * context and CPU land whole and in the order they were printed.
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/vmalloc.h>

#include "capture.h"

#define FBT_KT_CAP_BYTES	(512 * 1024)

static char *fbt_kt_cap;
static atomic_t fbt_kt_cap_len;
static struct tracepoint *fbt_kt_tp_console;

static void fbt_kt_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "console"))
		fbt_kt_tp_console = tp;
}

static void fbt_kt_on_console(void *data, const char *text, size_t len)
{
	int end, start;

	if (!text)
		return;
	end = atomic_add_return(len + 1, &fbt_kt_cap_len);
	start = end - (int)len - 1;
	if (end >= FBT_KT_CAP_BYTES)	/* full: keep the last byte a NUL */
		return;
	memcpy(fbt_kt_cap + start, text, len);
	fbt_kt_cap[start + len] = '\n';
}

int fbt_kt_capture_start(void)
{
	int ret;

	if (!fbt_kt_cap) {
		fbt_kt_cap = vzalloc(FBT_KT_CAP_BYTES);
		if (!fbt_kt_cap)
			return -ENOMEM;
	}
	memset(fbt_kt_cap, 0, FBT_KT_CAP_BYTES);
	atomic_set(&fbt_kt_cap_len, 0);
	if (!fbt_kt_tp_console)
		for_each_kernel_tracepoint(fbt_kt_find_tp, NULL);
	if (!fbt_kt_tp_console)
		return -ENOENT;
	ret = tracepoint_probe_register(fbt_kt_tp_console,
					(void *)fbt_kt_on_console, NULL);
	return ret;
}

void fbt_kt_capture_stop(void)
{
	if (!fbt_kt_tp_console)
		return;
	tracepoint_probe_unregister(fbt_kt_tp_console,
				    (void *)fbt_kt_on_console, NULL);
	tracepoint_synchronize_unregister();
}

const char *fbt_kt_captured(void)
{
	return fbt_kt_cap ? fbt_kt_cap : "";
}

long fbt_kt_find(const char *s, long from)
{
	const char *t = fbt_kt_captured(), *hit, *line;

	if (from < 0 || from >= FBT_KT_CAP_BYTES)
		return -1;
	hit = strstr(t + from, s);
	if (!hit)
		return -1;
	for (line = hit; line > t + from && line[-1] != '\n'; line--)
		;
	return line - t;
}

unsigned int fbt_kt_count(const char *s, long from)
{
	const char *t = fbt_kt_captured();
	unsigned int n = 0;
	long at;

	while ((at = fbt_kt_find(s, from)) >= 0) {
		const char *nl = strchr(t + at, '\n');

		n++;
		if (!nl)
			break;
		from = nl + 1 - t;
	}
	return n;
}

long fbt_kt_wait_for(const char *s, unsigned int ms)
{
	long at;

	for (;;) {
		at = fbt_kt_find(s, 0);
		if (at >= 0 || !ms)
			return at;
		msleep(20);
		ms = ms > 20 ? ms - 20 : 0;
	}
}
