// SPDX-License-Identifier: GPL-2.0
/*
 * fbt: function-boundary tracing with int3 probes.
 *
 * Module entry and exit: brings up the subsystems in order and tears them
 * down in reverse.
 */
#include <linux/module.h>
#include <linux/init.h>

#include "../emul/emul.h"

static int __init fbt_init(void)
{
	struct fbt_emul e;

	/* The emulator must accept the simplest site or nothing else works. */
	if (fbt_emul_prepare(&e, (const u8 *)"\x55", 1) != FBT_EMUL_OK)
		return -EINVAL;
	pr_info("fbt: loaded\n");
	return 0;
}

static void __exit fbt_exit(void)
{
	pr_info("fbt: unloaded\n");
}

module_init(fbt_init);
module_exit(fbt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("fbt: function-boundary tracing with emulated int3 probes");
MODULE_AUTHOR("The fbt developers");
