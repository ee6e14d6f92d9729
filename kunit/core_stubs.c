// SPDX-License-Identifier: GPL-2.0
/*
 * The KUnit kernel builds fbt's trap handler, text patching and recorder
 * (core/trap.c, core/patch.c, recorder/) and core/selftest.c, but neither
 * the enumeration nor the site selection: those need KPROBES and DEBUG_FS
 * (the blacklist, the oracle), which would lengthen every KUnit build, and
 * the live tests name their own code. This file defines what enum.c and
 * sites.c define for the others.
 */
#include <linux/list.h>
#include <linux/mutex.h>

#include "fbt.h"

/* As in enum.c: objects, probe states and flags, text changes. */
DEFINE_MUTEX(fbt_lock);
LIST_HEAD(fbt_objs);
struct fbt_stats fbt_stats;

/*
 * patch.c asks kprobes about probes flagged FBT_P_ORACLE before arming
 * them. core/selftest.c flags none; without kprobes, refuse any.
 */
int fbt_sites_oracle_list(struct fbt_probe **v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		v[i]->state = FBT_REFUSED;
		v[i]->reason = FBT_R_KPROBES;
		v[i]->flags &= ~FBT_P_ORACLE;
	}
	return 0;
}
