// SPDX-License-Identifier: GPL-2.0
/*
 * fbt: function-boundary tracing with int3 probes.
 *
 * Module entry and exit: brings up the subsystems in order and tears them
 * down in reverse. The trap handler is registered before any byte can be
 * written and unregistered only after every byte is restored.
 */
#include <linux/module.h>
#include <linux/init.h>

#include "../emul/emul.h"
#include "fbt.h"
#include "../recorder/recorder.h"

static int __init fbt_init(void)
{
	struct fbt_emul e;
	int ret;

	/* The emulator must accept the simplest site or nothing else works. */
	if (fbt_emul_prepare(&e, (const u8 *)"\x55", 1) != FBT_EMUL_OK)
		return -EINVAL;
	ret = fbt_rec_init();		/* recorder/: rings before any trap */
	if (ret)
		return ret;
	ret = fbt_patch_init();
	if (ret)
		goto err_rec;
	ret = fbt_trap_init();
	if (ret)
		goto err_patch;
	ret = fbt_sites_init();
	if (ret)
		goto err_trap;
	ret = fbt_enum_init();
	if (ret)
		goto err_enum;
	ret = fbt_debugfs_init();
	if (ret)
		goto err_enum;
	fbt_control_apply_arm_param();
	pr_info("fbt: loaded\n");
	return 0;

err_enum:
	fbt_rec_stop();
	fbt_enum_exit();
	fbt_sites_exit();
err_trap:
	fbt_trap_exit();
	fbt_enum_free();
err_patch:
	fbt_patch_exit();
err_rec:
	fbt_rec_stop();
	fbt_rec_exit();
	return ret;
}

static void __exit fbt_exit(void)
{
	fbt_debugfs_exit();
	fbt_rec_stop();		/* recorder/: no deferred work past here */
	fbt_enum_exit();	/* module notifier off, every byte restored */
	fbt_sites_exit();
	fbt_trap_exit();	/* handler off after a grace period */
	fbt_enum_free();
	fbt_patch_exit();
	fbt_rec_exit();
	pr_info("fbt: unloaded\n");
}

module_init(fbt_init);
module_exit(fbt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("fbt: function-boundary tracing with emulated int3 probes");
MODULE_AUTHOR("The fbt developers");
