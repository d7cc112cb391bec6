// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM debugfs: /sys/kernel/debug/gmem/as-<pid>, and as-<pid>.<id> for an
 * address space its process no longer has (gm_as_debugfs_add()).
 */

#include "internal.h"

/*
 * Bytes the xarray uses for the logical page table, from its layout: every
 * level-l node covers 64^(l+1) indices, and a node exists wherever one of
 * those ranges holds an entry.
 */
static unsigned long gm_lpt_bytes(struct gm_as *as, unsigned long *entries)
{
	unsigned long last[6], nodes = 0, index;
	unsigned int level;
	void *entry;

	memset(last, 0xff, sizeof(last));
	*entries = 0;
	xa_for_each(&as->lpt, index, entry) {
		(*entries)++;
		for (level = 0; level < ARRAY_SIZE(last); level++) {
			unsigned long span = index >> (XA_CHUNK_SHIFT * (level + 1));

			if (span == last[level])
				break;
			last[level] = span;
			nodes++;
		}
	}
	return nodes * sizeof(struct xa_node);
}

/* The hnids of the devices in accessed-by set @id: "hnid,hnid", or "-". */
static void gm_accessed_show(struct seq_file *m, struct gm_as *as,
			     unsigned long id)
{
	struct gm_dev_set *set = id ? xa_load(&as->accessed_sets, id) : NULL;
	const char *sep = "";
	unsigned int bit;

	if (!set) {
		seq_putc(m, '-');
		return;
	}
	for_each_set_bit(bit, set->ids, GM_MAX_DEVICES) {
		seq_printf(m, "%s%u", sep, nr_node_ids + bit);
		sep = ",";
	}
}

/*
 * One line per range with attributes: "attr START-END pref=HNID
 * accessed_by=HNID,... read_mostly=0|1 pinned=0|1 hint=N", -1 or "-" for
 * none. Sets of accessed_sets are freed only with the address space.
 */
static void gm_attr_show(struct seq_file *m, struct gm_as *as)
{
	MA_STATE(mas, &as->attrs, 0, 0);
	void *entry;

	rcu_read_lock();
	mas_for_each(&mas, entry, ULONG_MAX) {
		unsigned long attr = xa_to_value(entry);

		seq_printf(m, "attr %lx-%lx pref=%ld accessed_by=",
			   mas.index, mas.last + 1,
			   (long)(attr & GM_ATTR_PREF_MASK) - 1);
		gm_accessed_show(m, as, (attr & GM_ATTR_ACCESSED_MASK) >>
				 GM_ATTR_ACCESSED_SHIFT);
		seq_printf(m, " read_mostly=%d pinned=%d hint=%ld\n",
			   !!(attr & GM_ATTR_READ_MOSTLY),
			   !!(attr & GM_ATTR_PINNED),
			   (long)((attr & GM_ATTR_HINT_MASK) >>
				  GM_ATTR_HINT_SHIFT) - 1);
	}
	rcu_read_unlock();
}

static int gm_as_debugfs_show(struct seq_file *m, void *unused)
{
	struct gm_as *as = m->private;
	unsigned long entries, bytes, on_device = 0, index;
	struct gm_context *ctx;
	void *entry;

	mutex_lock(&as->lock);
	bytes = gm_lpt_bytes(as, &entries);
	xa_for_each_marked(&as->lpt, index, entry, GM_LPT_ON_DEVICE)
		on_device++;
	seq_puts(m, "devices:");
	list_for_each_entry(ctx, &as->contexts, as_node)
		seq_printf(m, " %s", ctx->dev->name);
	mutex_unlock(&as->lock);
	seq_printf(m, "\nlpt_entries: %lu\nlpt_on_device: %lu\nlpt_bytes: %lu\n",
		   entries, on_device, bytes);
	seq_printf(m, "lpt_bytes_per_page: %lu\n",
		   entries ? DIV_ROUND_UP(bytes, entries) : 0);
	mutex_lock(&as->lock);
	seq_printf(m, "faults: %ld\npages_to_device: %lu\npages_to_host: %lu\npages_evicted: %lu\nstrict_capacity: %d\n",
		   atomic_long_read(&as->faults), as->pages_to_device,
		   as->pages_to_host, as->pages_evicted,
		   gm_as_strict_capacity(as));
	mutex_unlock(&as->lock);
	gm_attr_show(m, as);
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(gm_as_debugfs);

/* Names and removals, so that a name looked up stays its owner's. */
static DEFINE_MUTEX(gm_debugfs_lock);

/**
 * gm_as_debugfs_add() - publish an address space as as-PID
 * @as: a new address space of current's mm
 *
 * An older address space of the same process may hold the name: one its
 * exec() left behind while a device file stayed open across it (or one of
 * a process whose PID was reused). It moves to as-PID.ID, so that as-PID
 * is always the process's current one.
 */
void gm_as_debugfs_add(struct gm_as *as)
{
	char name[24], old_name[48];
	struct dentry *old;
	struct gm_as *old_as;

	snprintf(name, sizeof(name), "as-%d", task_tgid_nr(current));
	mutex_lock(&gm_debugfs_lock);
	old = debugfs_lookup(name, gm_debugfs_root);
	if (old) {
		/* Alive: its gm_as_debugfs_remove() waits for the lock. */
		old_as = d_inode(old)->i_private;
		snprintf(old_name, sizeof(old_name), "%s.%llu", name,
			 old_as->id);
		debugfs_rename(gm_debugfs_root, old, gm_debugfs_root, old_name);
		dput(old);
	}
	as->debugfs = debugfs_create_file(name, 0400, gm_debugfs_root, as,
					  &gm_as_debugfs_fops);
	mutex_unlock(&gm_debugfs_lock);
}

/**
 * gm_as_debugfs_remove() - withdraw an address space's file
 * @as: the address space, going away
 */
void gm_as_debugfs_remove(struct gm_as *as)
{
	mutex_lock(&gm_debugfs_lock);
	debugfs_remove(as->debugfs);
	as->debugfs = NULL;
	mutex_unlock(&gm_debugfs_lock);
}
