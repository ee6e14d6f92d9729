// SPDX-License-Identifier: GPL-2.0
/* The definitions of fbt's trace events (fbt_trace.h). */
#include <linux/module.h>

#define CREATE_TRACE_POINTS
#include "fbt_trace.h"
