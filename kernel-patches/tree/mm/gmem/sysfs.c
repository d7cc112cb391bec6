// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM sysfs: /sys/kernel/gmem/{strict_capacity,policy,tunables},
 * devices/NAME/ and policies/NAME/.
 */

#include "internal.h"

struct kobject *gm_sysfs_root;
struct kobject *gm_devices_kobj;

static struct gm_dev *gm_kobj_dev(struct kobject *kobj)
{
	return container_of(kobj, struct gm_dev, kobj);
}

static ssize_t hnid_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%d\n", gm_dev_hnid(gm_kobj_dev(kobj)));
}

/* gmem_page.dev of policies: what BPF policies index per-device state by */
static ssize_t id_show(struct kobject *kobj, struct kobj_attribute *attr,
		       char *buf)
{
	return sysfs_emit(buf, "%u\n", gm_kobj_dev(kobj)->id);
}

static ssize_t mem_total_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	unsigned long total, used;

	gm_dev_mem_usage(gm_kobj_dev(kobj), &total, &used);
	return sysfs_emit(buf, "%lu\n", total);
}

static ssize_t mem_used_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	unsigned long total, used;

	gm_dev_mem_usage(gm_kobj_dev(kobj), &total, &used);
	return sysfs_emit(buf, "%lu\n", used);
}

/* A read-only file showing one of struct gm_dev's atomic_long_t counters. */
struct gm_counter_attribute {
	struct kobj_attribute attr;
	size_t offset;
};

static ssize_t gm_counter_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct gm_counter_attribute *ca =
		container_of(attr, struct gm_counter_attribute, attr);
	atomic_long_t *counter = (void *)gm_kobj_dev(kobj) + ca->offset;

	return sysfs_emit(buf, "%ld\n", atomic_long_read(counter));
}

#define GM_DEV_COUNTER(_name, _member)					\
static struct gm_counter_attribute gm_attr_##_name = {			\
	.attr = __ATTR(_name, 0444, gm_counter_show, NULL),		\
	.offset = offsetof(struct gm_dev, _member),			\
}

GM_DEV_COUNTER(faults, faults);
GM_DEV_COUNTER(fault_batches, fault_batches);
GM_DEV_COUNTER(fault_migrations, fault_migrations);
GM_DEV_COUNTER(fault_retries, fault_retries);
GM_DEV_COUNTER(map_snapshots, map_snapshots);
GM_DEV_COUNTER(migrations_to_device, pages_to_dev);
GM_DEV_COUNTER(migrations_to_host, pages_to_host);
GM_DEV_COUNTER(evictions, evictions);
GM_DEV_COUNTER(evictions_background, evictions_background);
GM_DEV_COUNTER(pages_evicted, pages_evicted);
GM_DEV_COUNTER(prefetched, pages_prefetched);
GM_DEV_COUNTER(pages_referenced, pages_referenced);
GM_DEV_COUNTER(evict_scanned, evict_scanned);
GM_DEV_COUNTER(prefetched_unused, prefetched_unused);
GM_DEV_COUNTER(prefetched_pending, prefetched_pending);
GM_DEV_COUNTER(remote_maps, remote_maps);
GM_DEV_COUNTER(counter_reports, counter_reports);
GM_DEV_COUNTER(counter_migrations, counter_migrations);
/* Free blocks per order, 4K to 2M, like /proc/buddyinfo. */
static ssize_t free_blocks_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct gm_dev *dev = gm_kobj_dev(kobj);
	unsigned long counts[GM_MAX_ORDER + 1];
	int order, len = 0;

	spin_lock(&dev->lock);
	memcpy(counts, dev->nr_free_blocks, sizeof(counts));
	spin_unlock(&dev->lock);
	for (order = 0; order <= GM_MAX_ORDER; order++)
		len += sysfs_emit_at(buf, len, "%lu%c", counts[order],
				     order == GM_MAX_ORDER ? '\n' : ' ');
	return len;
}

/*
 * Percent of free device memory not in 2M blocks: 0 when every free frame
 * could back a 2M allocation, 100 when none could.
 */
static ssize_t fragmentation_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct gm_dev *dev = gm_kobj_dev(kobj);
	unsigned long free, large;

	spin_lock(&dev->lock);
	free = dev->nr_free;
	large = dev->nr_free_blocks[GM_MAX_ORDER] << GM_MAX_ORDER;
	spin_unlock(&dev->lock);
	return sysfs_emit(buf, "%lu\n", free ? (free - large) * 100 / free : 0);
}

/* Frames holding pages of pinned ranges, and thrashing ones protected. */
static ssize_t pages_pinned_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(gm_kobj_dev(kobj)->nr_pinned));
}

static ssize_t pages_protected_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  READ_ONCE(gm_kobj_dev(kobj)->nr_protected));
}

/*
 * Free frames the background evictor keeps (0: none). At most half the
 * device: the frames kept free are memory no page can use.
 */
static ssize_t free_target_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct gm_dev *dev = gm_kobj_dev(kobj);

	return sysfs_emit(buf, "%lu\n", READ_ONCE(dev->free_target));
}

static ssize_t free_target_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t count)
{
	struct gm_dev *dev = gm_kobj_dev(kobj);
	unsigned long target;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = kstrtoul(buf, 0, &target);
	if (ret)
		return ret;
	if (target > READ_ONCE(dev->nr_pages) / 2)
		return -EINVAL;
	WRITE_ONCE(dev->free_target, target);
	return count;
}

/* Victims an eviction round takes: 16, fewer on a device under 4 MiB. */
static ssize_t evict_batch_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", gm_kobj_dev(kobj)->evict_batch);
}

static struct kobj_attribute gm_attr_hnid = __ATTR_RO(hnid);
static struct kobj_attribute gm_attr_evict_batch = __ATTR_RO(evict_batch);
static struct kobj_attribute gm_attr_free_target =
	__ATTR_RW_MODE(free_target, 0644);
static struct kobj_attribute gm_attr_pages_pinned = __ATTR_RO(pages_pinned);
static struct kobj_attribute gm_attr_pages_protected =
	__ATTR_RO(pages_protected);
static struct kobj_attribute gm_attr_id = __ATTR_RO(id);
static struct kobj_attribute gm_attr_free_blocks = __ATTR_RO(free_blocks);
static struct kobj_attribute gm_attr_fragmentation = __ATTR_RO(fragmentation);
static struct kobj_attribute gm_attr_mem_total = __ATTR_RO(mem_total);
static struct kobj_attribute gm_attr_mem_used = __ATTR_RO(mem_used);

static struct attribute *gm_dev_attrs[] = {
	&gm_attr_hnid.attr,
	&gm_attr_id.attr,
	&gm_attr_mem_total.attr,
	&gm_attr_mem_used.attr,
	&gm_attr_free_blocks.attr,
	&gm_attr_fragmentation.attr,
	&gm_attr_faults.attr.attr,
	&gm_attr_fault_batches.attr.attr,
	&gm_attr_fault_migrations.attr.attr,
	&gm_attr_fault_retries.attr.attr,
	&gm_attr_map_snapshots.attr.attr,
	&gm_attr_migrations_to_device.attr.attr,
	&gm_attr_migrations_to_host.attr.attr,
	&gm_attr_evictions.attr.attr,
	&gm_attr_evictions_background.attr.attr,
	&gm_attr_evict_batch.attr,
	&gm_attr_free_target.attr,
	&gm_attr_pages_evicted.attr.attr,
	&gm_attr_prefetched.attr.attr,
	&gm_attr_pages_referenced.attr.attr,
	&gm_attr_evict_scanned.attr.attr,
	&gm_attr_pages_pinned.attr,
	&gm_attr_pages_protected.attr,
	&gm_attr_prefetched_unused.attr.attr,
	&gm_attr_prefetched_pending.attr.attr,
	&gm_attr_remote_maps.attr.attr,
	&gm_attr_counter_reports.attr.attr,
	&gm_attr_counter_migrations.attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(gm_dev);

static void gm_dev_kobj_release(struct kobject *kobj)
{
	kfree(gm_kobj_dev(kobj));
}

struct kobj_type gm_dev_ktype = {
	.release = gm_dev_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = gm_dev_groups,
};

static ssize_t strict_capacity_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(gm_strict_capacity));
}

static ssize_t strict_capacity_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	bool strict;
	int ret = kstrtobool(buf, &strict);

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (ret)
		return ret;
	WRITE_ONCE(gm_strict_capacity, strict);
	return count;
}

static struct kobj_attribute gm_attr_strict_capacity =
	__ATTR_RW_MODE(strict_capacity, 0644);

/* /sys/kernel/gmem/policy: "[current] other ...", write a name to switch. */
static ssize_t policy_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	struct gm_policy *p, *cur;
	int len = 0;

	mutex_lock(&gm_policy_lock);
	cur = gm_system_default();
	list_for_each_entry(p, &gm_policies, node) {
		len += sysfs_emit_at(buf, len, p == cur ? "[%s] " : "%s ",
				     p->name);
	}
	mutex_unlock(&gm_policy_lock);
	if (len)
		buf[len - 1] = '\n';
	return len;
}

static ssize_t policy_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	/* Room for the newline echo adds to the longest name. */
	char name[GMEM_POLICY_NAME_MAX + 1];
	struct gm_policy *p;
	int ret = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (strscpy(name, buf, sizeof(name)) < 0)
		return -EINVAL;
	strim(name);
	mutex_lock(&gm_policy_lock);
	p = gm_policy_find(name);
	if (!p)
		ret = -ENOENT;
	else if (!gm_policy_live(p))
		ret = -ESTALE;
	else
		gm_policy_select(p, NULL);
	mutex_unlock(&gm_policy_lock);
	return ret ?: count;
}

static struct kobj_attribute gm_attr_policy = __ATTR_RW_MODE(policy, 0644);

/* Tunables of the policy layer, each an unsigned int in sysfs. */
struct gm_tunable_attribute {
	struct kobj_attribute attr;
	unsigned int *value;
};

static ssize_t gm_tunable_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct gm_tunable_attribute *ta =
		container_of(attr, struct gm_tunable_attribute, attr);

	return sysfs_emit(buf, "%u\n", READ_ONCE(*ta->value));
}

static ssize_t gm_tunable_store(struct kobject *kobj,
				struct kobj_attribute *attr, const char *buf,
				size_t count)
{
	struct gm_tunable_attribute *ta =
		container_of(attr, struct gm_tunable_attribute, attr);
	unsigned int value;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = kstrtouint(buf, 0, &value);
	if (ret)
		return ret;
	WRITE_ONCE(*ta->value, value);
	return count;
}

#define GM_TUNABLE(_name, _var)						\
static struct gm_tunable_attribute gm_attr_##_name = {			\
	.attr = __ATTR(_name, 0644, gm_tunable_show, gm_tunable_store),	\
	.value = &(_var),						\
}

GM_TUNABLE(watchdog_ms, gm_watchdog_ms);
GM_TUNABLE(thrash_threshold, gm_thrash_threshold);
GM_TUNABLE(thrash_window, gm_thrash_window);
GM_TUNABLE(thrash_protect, gm_thrash_protect);
GM_TUNABLE(as_max_pages, gm_as_max_pages);

static struct attribute *gm_root_attrs[] = {
	&gm_attr_strict_capacity.attr,
	&gm_attr_policy.attr,
	&gm_attr_watchdog_ms.attr.attr,
	&gm_attr_thrash_threshold.attr.attr,
	&gm_attr_thrash_window.attr.attr,
	&gm_attr_thrash_protect.attr.attr,
	&gm_attr_as_max_pages.attr.attr,
	NULL,
};

const struct attribute_group gm_root_group = {
	.attrs = gm_root_attrs,
};

/* /sys/kernel/gmem/policies/NAME/: what a policy did. */
static struct gm_policy *gm_kobj_policy(struct kobject *kobj)
{
	return container_of(kobj, struct gm_policy, kobj);
}

static ssize_t gm_policy_counter_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	struct gm_counter_attribute *ca =
		container_of(attr, struct gm_counter_attribute, attr);
	atomic_long_t *counter = (void *)gm_kobj_policy(kobj) + ca->offset;

	return sysfs_emit(buf, "%ld\n", atomic_long_read(counter));
}

#define GM_POLICY_COUNTER(_name, _member)				\
static struct gm_counter_attribute gm_attr_policy_##_name = {		\
	.attr = __ATTR(_name, 0444, gm_policy_counter_show, NULL),	\
	.offset = offsetof(struct gm_policy, _member),			\
}

GM_POLICY_COUNTER(calls, calls);
GM_POLICY_COUNTER(errors, errors);
GM_POLICY_COUNTER(refused, refused);
GM_POLICY_COUNTER(clamped, clamped);
GM_POLICY_COUNTER(prefetched, prefetched);
GM_POLICY_COUNTER(victims, victims);
GM_POLICY_COUNTER(filled, filled);
GM_POLICY_COUNTER(stalls, stalls);

static ssize_t address_spaces_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(gm_kobj_policy(kobj)->nr_as));
}

static ssize_t max_hook_ns_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&gm_kobj_policy(kobj)->max_ns));
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", gm_policy_live(gm_kobj_policy(kobj)) ?
			  "active" : "ejected");
}

static ssize_t exit_reason_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct gm_policy *p = gm_kobj_policy(kobj);

	/* Pairs with gm_policy_eject(). */
	if (!smp_load_acquire(&p->ejected))
		return sysfs_emit(buf, "\n");
	return sysfs_emit(buf, "%s\n", p->exit_reason);
}

static struct kobj_attribute gm_attr_address_spaces = __ATTR_RO(address_spaces);
static struct kobj_attribute gm_attr_max_hook_ns = __ATTR_RO(max_hook_ns);
static struct kobj_attribute gm_attr_state = __ATTR_RO(state);
static struct kobj_attribute gm_attr_exit_reason = __ATTR_RO(exit_reason);

static struct attribute *gm_policy_attrs[] = {
	&gm_attr_policy_calls.attr.attr,
	&gm_attr_policy_errors.attr.attr,
	&gm_attr_policy_refused.attr.attr,
	&gm_attr_policy_clamped.attr.attr,
	&gm_attr_policy_prefetched.attr.attr,
	&gm_attr_policy_victims.attr.attr,
	&gm_attr_policy_filled.attr.attr,
	&gm_attr_policy_stalls.attr.attr,
	&gm_attr_address_spaces.attr,
	&gm_attr_max_hook_ns.attr,
	&gm_attr_state.attr,
	&gm_attr_exit_reason.attr,
	NULL,
};
ATTRIBUTE_GROUPS(gm_policy);

static void gm_policy_kobj_release(struct kobject *kobj)
{
	struct gm_policy *p = container_of(kobj, struct gm_policy, kobj);

	if (!p->builtin)
		kfree(p);
}

struct kobj_type gm_policy_ktype = {
	.release = gm_policy_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = gm_policy_groups,
};
