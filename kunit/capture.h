/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel prints, as the tests see it: every printk message, one
 * line each, caught on the "console" tracepoint (kunit/capture.c).
 */
#ifndef FBT_KUNIT_CAPTURE_H
#define FBT_KUNIT_CAPTURE_H

#include <linux/types.h>

struct kunit;

/* Start catching messages (a fresh buffer); 0 or an error. */
int fbt_kt_capture_start(void);
/* Stop; the buffer stays readable until the next start. */
void fbt_kt_capture_stop(void);
/* The messages so far, NUL terminated, one per line. */
const char *fbt_kt_captured(void);
/* Offset of the first line at or after @from containing @s, or -1. */
long fbt_kt_find(const char *s, long from);
/* Lines at or after @from containing @s. */
unsigned int fbt_kt_count(const char *s, long from);
/* Wait up to @ms for a line containing @s; its offset or -1. */
long fbt_kt_wait_for(const char *s, unsigned int ms);

#endif /* FBT_KUNIT_CAPTURE_H */
