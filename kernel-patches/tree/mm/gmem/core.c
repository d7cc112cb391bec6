// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM core: the global lists of devices and address spaces, the
 * global tunables shared by several parts, and initialization.
 */

#include "internal.h"

#define CREATE_TRACE_POINTS
#include <trace/events/gmem.h>

DEFINE_MUTEX(gm_global_lock);	/* the two lists and the ids */
LIST_HEAD(gm_devices);
LIST_HEAD(gm_address_spaces);
DEFINE_IDA(gm_dev_ida);
/*
 * Devices with memory by id, for walks that hold a record's device id and
 * no gm_global_lock (under as->lock, or in the mmu notifier): set once a
 * device's frames are, cleared a grace period before they are freed.
 */
struct gm_dev __rcu *gm_dev_table[GM_MAX_DEVICES];
struct dentry *gm_debugfs_root;

/*
 * /sys/kernel/gmem/strict_capacity: when set, a device fault on a full
 * device fails with -ENOMEM instead of evicting to host memory, so sizing
 * bugs show up at once rather than as silent slowdowns.
 */
bool gm_strict_capacity;

static int __init gm_init(void)
{
	gm_debugfs_root = debugfs_create_dir("gmem", NULL);
	gm_sysfs_root = kobject_create_and_add("gmem", kernel_kobj);
	if (!gm_sysfs_root)
		return -ENOMEM;
	gm_devices_kobj = kobject_create_and_add("devices", gm_sysfs_root);
	if (!gm_devices_kobj)
		return -ENOMEM;
	return gm_policy_layer_init();
}
subsys_initcall(gm_init);
