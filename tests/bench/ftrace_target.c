// SPDX-License-Identifier: GPL-2.0
/*
 * The one benchmark target built with ftrace hooks: a kprobe registered at
 * its symbol lands on its ftrace site (KPROBE_FLAG_FTRACE).
 */
#include <linux/compiler.h>

#include "bench.h"

static unsigned long bench_ftrace_calls;

noinline void bench_ftrace(void)
{
	WRITE_ONCE(bench_ftrace_calls, READ_ONCE(bench_ftrace_calls) + 1);
}
