// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM hmadvise() and range attributes.
 *
 * The attributes of address ranges live in a maple tree per gm_as, not in
 * vm_area_struct and not in drivers: the tree splits a range on a partial
 * update and merges equal neighbours after it. An entry is a value entry
 * packing all attributes of its range; ranges with default attributes
 * have no entry.
 */

#include "internal.h"
#include <linux/pagewalk.h>
#include <linux/swapops.h>
#include <trace/events/gmem.h>

/*
 * The id of the accessed-by set of @attr plus device @dev in @as's table,
 * added if the table has no such set yet: the id, or -errno (-ENOSPC once
 * the table is full).
 */
static long gm_accessed_set_add(struct gm_as *as, unsigned long attr,
				struct gm_dev *dev)
{
	unsigned long old = (attr & GM_ATTR_ACCESSED_MASK) >>
			    GM_ATTR_ACCESSED_SHIFT, id;
	struct gm_dev_set want = {}, *set;
	u32 new_id;
	int ret;

	lockdep_assert_held(&as->attrs_lock);
	set = old ? xa_load(&as->accessed_sets, old) : NULL;
	if (set)
		bitmap_copy(want.ids, set->ids, GM_MAX_DEVICES);
	__set_bit(dev->id, want.ids);
	/* Few distinct sets in practice: a linear search. */
	xa_for_each(&as->accessed_sets, id, set) {
		if (bitmap_equal(set->ids, want.ids, GM_MAX_DEVICES))
			return id;
	}
	set = kmemdup(&want, sizeof(want), GFP_KERNEL_ACCOUNT);
	if (!set)
		return -ENOMEM;
	ret = xa_alloc(&as->accessed_sets, &new_id, set,
		       XA_LIMIT(1, GM_ATTR_ACCESSED_SETS), GFP_KERNEL_ACCOUNT);
	if (ret) {
		kfree(set);
		return ret == -EBUSY ? -ENOSPC : ret;
	}
	return new_id;
}

/* Apply @advice to the attributes *@attr of a range: 0 or -errno. */
static int gm_attr_apply(struct gm_as *as, unsigned long *attr, int advice,
			 int hnid, struct gm_dev *dev)
{
	unsigned long a = *attr;
	long id;

	switch (advice) {
	case MADV_PREFERRED_LOCATION:
		/* Every hnid fits, the last device's on the most nodes too. */
		BUILD_BUG_ON(MAX_NUMNODES + GM_MAX_DEVICES > GM_ATTR_PREF_MASK);
		a &= ~GM_ATTR_PREF_MASK;
		*attr = hnid < 0 ? a : a | (hnid + 1);
		return 0;
	case MADV_ACCESSED_BY:
		id = gm_accessed_set_add(as, a, dev);
		if (id < 0)
			return id;
		*attr = (a & ~GM_ATTR_ACCESSED_MASK) |
			((unsigned long)id << GM_ATTR_ACCESSED_SHIFT);
		return 0;
	case MADV_READ_MOSTLY:
		*attr = a | GM_ATTR_READ_MOSTLY;
		return 0;
	case MADV_PIN:
		*attr = a | GM_ATTR_PINNED;
		return 0;
	case MADV_UNPIN:
		*attr = a & ~GM_ATTR_PINNED;
		return 0;
	case MADV_CLEAR_ATTRIBUTES:
		*attr = 0;
		return 0;
	}
	/* A policy-defined hint. */
	a &= ~GM_ATTR_HINT_MASK;
	*attr = a | ((unsigned long)(advice - MADV_POLICY_HINT_FIRST + 1)
		     << GM_ATTR_HINT_SHIFT);
	return 0;
}

/* Join [start, last]'s neighbours that now carry equal attributes. */
static int gm_attr_merge(struct gm_as *as, unsigned long start,
			 unsigned long last)
{
	MA_STATE(mas, &as->attrs, start ? start - 1 : 0, 0);
	unsigned long prev_start = 0, prev_last = 0;
	void *prev = NULL, *entry;
	int ret = 0;

	mas_lock(&mas);
	for (;;) {
		entry = mas_walk(&mas);
		if (entry && entry == prev) {
			mas_set_range(&mas, prev_start, mas.last);
			ret = mas_store_gfp(&mas, entry, GFP_KERNEL_ACCOUNT);
			if (ret)
				break;
		} else {
			prev = entry;
			prev_start = mas.index;
		}
		prev_last = mas.last;
		if (prev_last > last || prev_last == ULONG_MAX)
			break;
		mas_set(&mas, prev_last + 1);
	}
	mas_unlock(&mas);
	return ret;
}

/* The ranges with attributes in [@index, @last] of @as's tree. */
static unsigned long gm_attr_ranges_in(struct gm_as *as, unsigned long index,
				       unsigned long last)
{
	MA_STATE(mas, &as->attrs, index, index);
	unsigned long n = 0;
	void *entry;

	rcu_read_lock();
	mas_for_each(&mas, entry, last)
		n++;
	rcu_read_unlock();
	return n;
}

/*
 * Room for @more ranges of distinct attributes: an address space may have
 * as many as it may have mappings (vm.max_map_count). Their maple tree
 * nodes are kernel memory, and advice on every other page of a large
 * mapping would otherwise make a range per page. as->attr_ranges stays at
 * least the ranges there are, and is counted again when it says there is
 * no room. Asking for no room never fails.
 */
static int gm_attr_make_room(struct gm_as *as, unsigned long more)
{
	unsigned long max = READ_ONCE(sysctl_max_map_count);

	lockdep_assert_held(&as->attrs_lock);
	if (more && as->attr_ranges + more > max)
		as->attr_ranges = gm_attr_ranges_in(as, 0, ULONG_MAX);
	if (more && as->attr_ranges + more > max)
		return -ENOMEM;
	as->attr_ranges += more;
	return 0;
}

/* Does an entry of @as's tree cover @index and also reach past it? */
static bool gm_attr_crosses(struct gm_as *as, unsigned long index,
			    bool before)
{
	MA_STATE(mas, &as->attrs, index, index);
	bool crosses;

	rcu_read_lock();
	crosses = mas_walk(&mas) &&
		  (before ? mas.index < index : mas.last > index);
	rcu_read_unlock();
	return crosses;
}

/*
 * Room for @advice on [start, last]. At most, it gives every piece of the
 * range an entry (the n ranges it meets, and the gaps around and between
 * them) and splits the ranges across its ends: n + 3 more. Advice that
 * only clears (MADV_UNPIN, MADV_CLEAR_ATTRIBUTES, no preferred location)
 * leaves the gaps empty: it adds ranges only by splitting those across
 * its ends, and needs no room where it splits none.
 */
static int gm_attr_reserve(struct gm_as *as, unsigned long start,
			   unsigned long last, int advice, int hnid)
{
	if (advice == MADV_UNPIN || advice == MADV_CLEAR_ATTRIBUTES ||
	    (advice == MADV_PREFERRED_LOCATION && hnid < 0))
		return gm_attr_make_room(as, gm_attr_crosses(as, start, true) +
					 gm_attr_crosses(as, last, false));
	return gm_attr_make_room(as, gm_attr_ranges_in(as, start, last) + 3);
}

/**
 * gm_attr_room() - room for a new peer-shared mapping's attributes
 * @as: the address space, its mm's mmap lock held for write
 *
 * A munmap() inside a range of attributes splits it: unmapping a page and
 * mapping it again would otherwise add a range each time, the number of
 * mappings unchanged. So a new mapping needs room for one range.
 *
 * Return: 0, or -ENOMEM with vm.max_map_count ranges already.
 */
int gm_attr_room(struct gm_as *as)
{
	int ret;

	mutex_lock(&as->attrs_lock);
	ret = gm_attr_make_room(as, 1);
	mutex_unlock(&as->attrs_lock);
	return ret;
}

/* Apply @advice to the attributes of [start, end), splitting as needed. */
static int gm_attr_update(struct gm_as *as, unsigned long start,
			  unsigned long end, int advice, int hnid,
			  struct gm_dev *dev)
{
	MA_STATE(mas, &as->attrs, start, 0);
	unsigned long index = start, last = end - 1;
	int ret = 0;

	lockdep_assert_held(&as->attrs_lock);
	ret = gm_attr_reserve(as, start, last, advice, hnid);
	if (ret)
		return ret;
	while (index <= last) {
		unsigned long piece_last, attr;
		void *entry;

		mas_lock(&mas);
		mas_set(&mas, index);
		entry = mas_walk(&mas);
		piece_last = min(mas.last, last);
		mas_unlock(&mas);
		/* Only writers change entries, and they hold attrs_lock. */
		attr = entry ? xa_to_value(entry) : 0;
		ret = gm_attr_apply(as, &attr, advice, hnid, dev);
		if (!ret)
			ret = mtree_store_range(&as->attrs, index, piece_last,
						attr ? xa_mk_value(attr) : NULL,
						GFP_KERNEL_ACCOUNT);
		if (ret || piece_last == last)
			break;
		index = piece_last + 1;
	}
	return ret ?: gm_attr_merge(as, start, last);
}

/* The device with heterogeneous NUMA id @hnid, or NULL. */
static struct gm_dev *gm_dev_by_hnid(int hnid)
{
	struct gm_dev *dev, *found = NULL;

	mutex_lock(&gm_global_lock);
	list_for_each_entry(dev, &gm_devices, node) {
		if (gm_dev_hnid(dev) == hnid) {
			found = dev;
			break;
		}
	}
	mutex_unlock(&gm_global_lock);
	return found;
}

/*
 * -ENOMEM if part of [start, end) is not mapped, -EFAULT if part is mapped
 * but not MAP_PEER_SHARED, else 0. Called with the mmap lock held.
 */
static int gm_check_peer_shared_range(struct mm_struct *mm,
				      unsigned long start, unsigned long end)
{
	VMA_ITERATOR(vmi, mm, start);
	struct vm_area_struct *vma;
	unsigned long next = start;

	for_each_vma_range(vmi, vma, end) {
		if (vma->vm_start > next)
			return -ENOMEM;
		if (!(vma->vm_flags & VM_PEER_SHARED))
			return -EFAULT;
		next = vma->vm_end;
		if (next >= end)
			return 0;
	}
	return -ENOMEM;
}

/* Prefetch [start, end) to @ctx's device, batch by batch. */
int gm_prefetch_to_dev(struct gm_context *ctx, unsigned long start,
		       unsigned long end)
{
	struct mm_struct *mm = ctx->as->mm;
	unsigned long va = start, moved = 0;
	int ret = 0;

	while (va < end && !ret) {
		struct vm_area_struct *vma = vma_lookup(mm, va);
		unsigned long batch_end = min3(end, vma->vm_end,
					       va + GM_MIGRATE_BATCH * PAGE_SIZE);
		unsigned long timeout = jiffies +
					msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
		struct gm_migrated migrated;
		unsigned long fresh, mapped, next, i;
		int err = 0;

		if (!(vma->vm_flags & VM_READ)) {
			ret = -EPERM;
			break;
		}
		ret = gm_migrate_to_dev(ctx, va, batch_end, false,
					GM_MIGRATE_PREFETCH, &migrated);
		fresh = migrated.moved;
		moved += hweight_long(fresh);
		/*
		 * Out of frames after some moved: an address space at its
		 * cap evicts only its pages on the LRU, which those are now.
		 * This batch ends after them (pages it skipped before them
		 * come in as faults, below) and the next one goes on from
		 * there. Strict capacity evicts nothing: the prefetch ends.
		 */
		next = batch_end;
		if (ret == -ENOMEM && fresh &&
		    !gm_as_strict_capacity(ctx->as)) {
			next = va + ((__fls(fresh) + 1) << PAGE_SHIFT);
			ret = -EAGAIN;
		}
		/*
		 * Map what is here now: the pages just moved, and those here
		 * already, which a prefetch maps but does not use (they keep
		 * their place in the LRU). A snapshot an invalidation
		 * overtook is taken again rather than the pages faulted in
		 * one by one, which would use them. The migration mapped
		 * what it moved, which may be all there is.
		 */
		mapped = migrated.mapped;
		if (mapped != GENMASK((next - va - 1) >> PAGE_SHIFT, 0))
			err = gm_map_range_retry(ctx, va, next, fresh,
						 GMEM_PAGE_PREFETCHED, timeout,
						 &mapped);
		if (ret == -EAGAIN) {
			/* Pages elsewhere (another device, busy): as faults. */
			ret = 0;
			for_each_clear_bit(i, &mapped, (next - va) >> PAGE_SHIFT) {
				ret = gm_fault_locked(ctx, va + (i << PAGE_SHIFT),
						      false, false, &moved);
				if (ret)
					break;
			}
		} else if (err != -EBUSY) {
			/* What is not mapped now, the device faults in. */
			ret = ret ?: err;
		}
		va = next;
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	atomic_long_add(moved, &ctx->dev->pages_prefetched);
	trace_gmem_prefetch(gm_dev_hnid(ctx->dev), start, end - start, moved,
			    ret);
	return ret;
}

/*
 * MADV_ACCESSED_BY: map on @ctx's device, without moving them, the pages
 * of [start, end) in host memory and in its own memory now. The others
 * it maps when it faults on them, from host memory too (the default
 * placement). Untouched pages stay so; unreadable mappings are skipped.
 */
static int gm_map_accessed_by(struct gm_context *ctx, unsigned long start,
			      unsigned long end)
{
	struct mm_struct *mm = ctx->as->mm;
	unsigned long va = start;
	int ret = 0;

	if (!ctx->dev->mmu->remote_map)
		return 0;
	while (va < end && !ret) {
		struct vm_area_struct *vma = vma_lookup(mm, va);
		unsigned long batch_end = min3(end, vma->vm_end,
					       va + GM_MIGRATE_BATCH * PAGE_SIZE);
		unsigned long timeout = jiffies +
					msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
		unsigned long mapped;

		/* Mapping them is no use of the device's own pages. */
		if (vma->vm_flags & VM_READ)
			ret = gm_map_range_retry(ctx, va, batch_end, 0,
						 GM_MAP_REMOTE |
						 GMEM_PAGE_PREFETCHED,
						 timeout, &mapped);
		/* What is not mapped now, the device faults in. */
		if (ret == -EBUSY)
			ret = 0;
		va = batch_end;
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	return ret;
}

/* gm_next_on_dev()'s walk: the device, and the first page found on it. */
struct gm_dev_walk {
	struct gm_dev *dev;
	unsigned long va;
};

/*
 * A huge PMD maps host memory: device pages are mapped by PTEs alone. A
 * large range with nothing on the device is walked whole: no PTE lock is
 * held here, so this is where the walk yields, and stops for a fatal
 * signal.
 */
static int gm_dev_walk_pmd(pmd_t *pmd, unsigned long addr, unsigned long next,
			   struct mm_walk *walk)
{
	pmd_t val = READ_ONCE(*pmd);

	cond_resched();
	if (fatal_signal_pending(current))
		return -EINTR;
	if (pmd_trans_huge(val) || pmd_devmap(val) || !pmd_present(val))
		walk->action = ACTION_CONTINUE;
	return 0;
}

static int gm_dev_walk_pte(pte_t *pte, unsigned long addr, unsigned long next,
			   struct mm_walk *walk)
{
	struct gm_dev_walk *w = walk->private;
	pte_t val = ptep_get(pte);
	swp_entry_t entry;

	if (pte_none(val) || pte_present(val))
		return 0;
	entry = pte_to_swp_entry(val);
	if (!is_device_private_entry(entry) ||
	    pfn_swap_entry_to_page(entry)->pgmap->owner != w->dev)
		return 0;
	w->va = addr;
	return 1;
}

static const struct mm_walk_ops gm_dev_walk_ops = {
	.pmd_entry = gm_dev_walk_pmd,
	.pte_entry = gm_dev_walk_pte,
};

/*
 * The first page of [start, end) that @mm maps on @dev, found in the CPU's
 * page table, which changes nothing: 1 and *@va, 0 if none, or -EINTR.
 * The logical page table cannot say it: a page left on the device by an
 * earlier attachment of the process has no record in it.
 */
static int gm_next_on_dev(struct mm_struct *mm, struct gm_dev *dev,
			  unsigned long start, unsigned long end,
			  unsigned long *va)
{
	struct gm_dev_walk w = { .dev = dev };
	int ret = walk_page_range(mm, start, end, &gm_dev_walk_ops, &w);

	if (ret > 0)
		*va = w.va;
	return ret;
}

/*
 * Move the pages of [start, end) that are on @dev back to host memory, on
 * node @nid (NUMA_NO_NODE: where the VMA's policy says). Each batch
 * starts at the next page on @dev: migrate_vma_setup() drops every device
 * mapping of its range, the remote ones to host pages too, even where
 * nothing moves.
 */
static int gm_range_to_host(struct gm_dev *dev, struct mm_struct *mm,
			    unsigned long start, unsigned long end, int nid)
{
	unsigned long src[GM_MIGRATE_BATCH], dst[GM_MIGRATE_BATCH];
	struct gm_as *as = mm->gm_as;
	unsigned long va = start, i, moved;	/* moved: a bit per page */
	struct vm_area_struct *vma;
	struct migrate_vma args;
	unsigned long npages;
	int ret;

	while (va < end) {
		ret = gm_next_on_dev(mm, dev, va, end, &va);
		if (ret <= 0)
			return ret;
		vma = vma_lookup(mm, va);
		args = (struct migrate_vma) {
			.vma = vma,
			.start = va,
			.end = min3(end, vma->vm_end,
				    va + GM_MIGRATE_BATCH * PAGE_SIZE),
			.src = src,
			.dst = dst,
			.pgmap_owner = dev,
			.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
		};
		npages = (args.end - va) >> PAGE_SHIFT;
		memset(src, 0, sizeof(src));
		memset(dst, 0, sizeof(dst));
		ret = migrate_vma_setup(&args);
		if (ret)
			return ret;
		for (i = 0; i < npages && !ret; i++) {
			struct page *spage = migrate_pfn_to_page(src[i]);

			if (spage && (src[i] & MIGRATE_PFN_MIGRATE))
				ret = gm_copy_to_host(dev, src[i], vma,
						      va + (i << PAGE_SHIFT),
						      nid, &dst[i]);
		}
		migrate_vma_pages(&args);
		for (i = 0, moved = 0; i < npages; i++) {
			if (dst[i] && (src[i] & MIGRATE_PFN_MIGRATE))
				__set_bit(i, &moved);
		}
		mutex_lock(&as->lock);
		gm_lpt_set_host_range(as, va, dev, src, moved, npages);
		mutex_unlock(&as->lock);
		migrate_vma_finalize(&args);
		atomic_long_add(hweight_long(moved), &dev->pages_to_host);
		if (moved)
			trace_gmem_migrate(gm_dev_hnid(dev), va,
					   hweight_long(moved), false,
					   GM_MIGRATE_HMADVISE);
		if (ret)
			return ret;
		va = args.end;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

/* Bring [start, end) back from every attached device. */
static int gm_all_to_host(struct gm_as *as, unsigned long start,
			  unsigned long end, int nid)
{
	struct gm_context *ctx;
	int ret;

	list_for_each_entry(ctx, &as->contexts, as_node) {
		ret = gm_range_to_host(ctx->dev, as->mm, start, end, nid);
		if (ret)
			return ret;
	}
	return 0;
}

static bool gm_advice_valid(int advice)
{
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_PREFETCH:
	case MADV_PREFERRED_LOCATION:
	case MADV_ACCESSED_BY:
	case MADV_READ_MOSTLY:
	case MADV_PIN:
	case MADV_UNPIN:
	case MADV_CLEAR_ATTRIBUTES:
	case MADV_STRICT_CAPACITY:
	case MADV_OVERSUBSCRIBE:
		return true;
	}
	return advice >= MADV_POLICY_HINT_FIRST &&
	       advice <= MADV_POLICY_HINT_LAST;
}

/* Which advice name a place by hnid, and whether it must be a device. */
static bool gm_advice_takes_hnid(int advice)
{
	return advice == MADV_PREFETCH || advice == MADV_ACCESSED_BY ||
	       advice == MADV_PREFERRED_LOCATION;
}

static int gm_hmadvise(struct mm_struct *mm, int hnid, unsigned long start,
		       unsigned long end, int advice)
{
	struct gm_as *as = mm->gm_as;
	struct gm_context *ctx = NULL;
	struct gm_dev *dev = NULL;
	int ret;

	if (gm_advice_takes_hnid(advice) &&
	    !(advice == MADV_PREFERRED_LOCATION && hnid == -1) &&
	    !(hnid >= 0 && hnid < nr_node_ids && node_online(hnid))) {
		dev = gm_dev_by_hnid(hnid);
		/* A device is reachable only if attached to this process. */
		ctx = dev && as ? gm_as_find_ctx(as, dev) : NULL;
		if (!ctx)
			return -ENODEV;
	}
	if (advice == MADV_ACCESSED_BY && !dev)
		return -EINVAL;

	ret = gm_check_peer_shared_range(mm, start, end);
	if (ret)
		return ret;
	/* Nothing is on a device, and no attribute to keep, without a gm_as. */
	if (!as)
		return advice == MADV_DONTNEED ||
		       (advice == MADV_PREFETCH && !dev) ? 0 : -ENODEV;

	switch (advice) {
	case MADV_PREFETCH:
		if (dev)
			return gm_prefetch_to_dev(ctx, start, end);
		return gm_all_to_host(as, start, end, hnid);
	case MADV_DONTNEED:
		return gm_all_to_host(as, start, end, NUMA_NO_NODE);
	}
	if (advice == MADV_PIN)
		WRITE_ONCE(as->has_pinned, true);
	mutex_lock(&as->attrs_lock);
	ret = gm_attr_update(as, start, end, advice, hnid, dev);
	mutex_unlock(&as->attrs_lock);
	/* Even after an error: part of the range may have changed. */
	if (advice == MADV_PIN || advice == MADV_UNPIN ||
	    advice == MADV_CLEAR_ATTRIBUTES)
		gm_lpt_update_pinned(as, start, end);
	if (!ret && advice == MADV_ACCESSED_BY)
		ret = gm_map_accessed_by(ctx, start, end);
	if (!ret && (advice >= MADV_POLICY_HINT_FIRST ||
		     advice == MADV_CLEAR_ATTRIBUTES))
		gm_policy_hmadvise(as, start, end, advice);
	return ret;
}

/**
 * sys_hmadvise - advise GMEM about memory shared with devices
 * @hnid: heterogeneous NUMA id: a host node, or a device's id from
 *	/sys/kernel/gmem/devices/NAME/hnid; used by MADV_PREFETCH,
 *	MADV_PREFERRED_LOCATION (-1 clears) and MADV_ACCESSED_BY, ignored
 *	by the rest
 * @start: page-aligned start of the range
 * @len: bytes, rounded up to whole pages
 * @advice: MADV_DONTNEED or one of <linux/gmem.h>
 *
 * The range must lie in MAP_PEER_SHARED mappings of the caller. Advice
 * that moves data stops at the first error, leaving a prefix of the range
 * done. See docs/hmadvise.md of GMEM-BPF for every error.
 *
 * Return: 0; -EINVAL for unknown advice, an unaligned start, a zero or
 * overflowing length, or MADV_ACCESSED_BY of a host node; -ENODEV for an
 * hnid that is neither an online host node nor a device attached to the
 * caller; -ENOMEM if part of the range is unmapped (or a device is full
 * with strict capacity, or has no memory); -EFAULT if part is mapped but
 * not peer-shared; -EPERM for MADV_PIN without CAP_IPC_LOCK, or
 * MADV_PREFETCH of unreadable memory to a device; -EINTR on a fatal
 * signal; -ENOSPC for MADV_ACCESSED_BY when the caller uses
 * GM_ATTR_ACCESSED_SETS distinct sets of devices already.
 * MADV_STRICT_CAPACITY and MADV_OVERSUBSCRIBE apply to the caller's whole
 * address space and take a zero @start and @len (else -EINVAL); -ENODEV
 * if no device is attached.
 */
/* MADV_STRICT_CAPACITY, MADV_OVERSUBSCRIBE: the caller's address space. */
static int gm_set_strict_capacity(struct mm_struct *mm, bool strict)
{
	int ret = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	if (mm->gm_as)
		WRITE_ONCE(mm->gm_as->strict_capacity, strict);
	else
		ret = -ENODEV;
	mmap_read_unlock(mm);
	return ret;
}

SYSCALL_DEFINE4(hmadvise, int, hnid, unsigned long, start, size_t, len,
		int, advice)
{
	struct mm_struct *mm = current->mm;
	unsigned long end = start + PAGE_ALIGN(len);
	int ret;

	if (advice == MADV_STRICT_CAPACITY || advice == MADV_OVERSUBSCRIBE) {
		ret = start || len ? -EINVAL :
			gm_set_strict_capacity(mm, advice == MADV_STRICT_CAPACITY);
	} else if (!gm_advice_valid(advice) || !PAGE_ALIGNED(start) || !len ||
	    end <= start || PAGE_ALIGN(len) < len || end > TASK_SIZE) {
		ret = -EINVAL;
	} else if (advice == MADV_PIN && !capable(CAP_IPC_LOCK)) {
		ret = -EPERM;
	} else if (mmap_read_lock_killable(mm)) {
		ret = -EINTR;
	} else {
		ret = gm_hmadvise(mm, hnid, start, end, advice);
		mmap_read_unlock(mm);
	}
	trace_gmem_hmadvise(hnid, start, len, advice, ret);
	return ret;
}
