// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM devices and their memory: device creation and destruction, the
 * device-private pagemap and its isolated buddy allocator.
 */

#define pr_fmt(fmt) "gmem: " fmt

#include <linux/delay.h>

#include "internal.h"
#include <trace/events/gmem.h>

/**
 * gm_dev_create() - create a GMEM device
 * @name: name for logs and debugfs, unique among GMEM devices
 * @mmu: the device's operations; must outlive the device
 * @driver_data: returned by gm_dev_driver_data()
 *
 * Context: process context, may sleep.
 * Return: the device, or an ERR_PTR: -EINVAL if @mmu lacks a required op,
 * -EEXIST if @name is taken, -ENOSPC past 256 devices, -ENOMEM.
 */
struct gm_dev *gm_dev_create(const char *name, const struct gm_mmu *mmu,
			     void *driver_data)
{
	struct gm_dev *dev, *other;
	int id, ret, order;

	/*
	 * A device maps, unmaps, and flushes its TLB after any unmapping or
	 * write-protection it is asked to do in two steps.
	 */
	if (!mmu || (!mmu->pmap_enter && !mmu->peer_map) ||
	    (!mmu->peer_unmap && !mmu->pmap_release) ||
	    ((mmu->pmap_release || mmu->pmap_protect) && !mmu->tlb_invl))
		return ERR_PTR(-EINVAL);

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	strscpy(dev->name, name, sizeof(dev->name));
	dev->mmu = mmu;
	dev->driver_data = driver_data;
	spin_lock_init(&dev->lock);
	INIT_LIST_HEAD(&dev->lru);
	INIT_LIST_HEAD(&dev->protected_list);
	INIT_LIST_HEAD(&dev->unevictable);
	/*
	 * Empty free lists from the start: a device whose driver attaches
	 * processes before registering memory (or never does) has no frame
	 * to give, not a list to walk.
	 */
	for (order = 0; order <= GM_MAX_ORDER; order++)
		INIT_LIST_HEAD(&dev->free_area[order]);
	mutex_init(&dev->evict_lock);
	INIT_WORK(&dev->evict_work, gm_dev_evict_work);

	mutex_lock(&gm_global_lock);
	list_for_each_entry(other, &gm_devices, node) {
		if (!strcmp(other->name, dev->name)) {
			mutex_unlock(&gm_global_lock);
			kfree(dev);
			return ERR_PTR(-EEXIST);
		}
	}
	id = ida_alloc_max(&gm_dev_ida, GM_MAX_DEVICES - 1, GFP_KERNEL);
	if (id < 0) {
		mutex_unlock(&gm_global_lock);
		kfree(dev);
		return ERR_PTR(id);
	}
	dev->id = id;
	/* From here on the kobject owns @dev: kobject_put() frees it. */
	ret = kobject_init_and_add(&dev->kobj, &gm_dev_ktype, gm_devices_kobj,
				   "%s", dev->name);
	if (ret) {
		mutex_unlock(&gm_global_lock);
		ida_free(&gm_dev_ida, id);
		kobject_put(&dev->kobj);
		return ERR_PTR(ret);
	}
	list_add_tail(&dev->node, &gm_devices);
	mutex_unlock(&gm_global_lock);
	return dev;
}
EXPORT_SYMBOL_GPL(gm_dev_create);

/**
 * gm_dev_driver_data() - the driver data given to gm_dev_create()
 * @dev: GMEM device
 *
 * Return: the pointer passed as @driver_data.
 */
void *gm_dev_driver_data(struct gm_dev *dev)
{
	return dev->driver_data;
}
EXPORT_SYMBOL_GPL(gm_dev_driver_data);

/* Under dev->lock: put the free block of 2^@order frames at @index on its list. */
static void gm_buddy_add(struct gm_dev *dev, unsigned long index,
			 unsigned int order)
{
	dev->frames[index].free_order = order + 1;
	list_add(&dev->frames[index].lru, &dev->free_area[order]);
	dev->nr_free_blocks[order]++;
}

static void gm_buddy_del(struct gm_dev *dev, unsigned long index,
			 unsigned int order)
{
	dev->frames[index].free_order = 0;
	list_del_init(&dev->frames[index].lru);
	dev->nr_free_blocks[order]--;
}

/* Under dev->lock: free 2^@order frames at @index, merging with buddies. */
void gm_buddy_free(struct gm_dev *dev, unsigned long index,
		   unsigned int order)
{
	dev->nr_free += 1UL << order;
	while (order < GM_MAX_ORDER) {
		unsigned long buddy = index ^ (1UL << order);

		if (buddy + (1UL << order) > dev->nr_pages ||
		    dev->frames[buddy].free_order != order + 1)
			break;
		gm_buddy_del(dev, buddy, order);
		index = min(index, buddy);
		order++;
	}
	gm_buddy_add(dev, index, order);
}

/* Under dev->lock: 2^@order contiguous frames, or -ENOMEM. */
static long gm_buddy_alloc(struct gm_dev *dev, unsigned int order)
{
	unsigned int o = order;
	unsigned long index;

	while (o <= GM_MAX_ORDER && list_empty(&dev->free_area[o]))
		o++;
	if (o > GM_MAX_ORDER)
		return -ENOMEM;
	index = list_first_entry(&dev->free_area[o], struct gm_frame, lru) -
		dev->frames;
	gm_buddy_del(dev, index, o);
	/* Split: the upper halves go back, the lowest block is ours. */
	while (o > order) {
		o--;
		gm_buddy_add(dev, index + (1UL << o), o);
	}
	dev->nr_free -= 1UL << order;
	return index;
}

/**
 * gm_dev_alloc_frames() - allocate contiguous device memory
 * @dev: GMEM device with registered memory
 * @order: 2^@order frames, 0 (4 KiB) to 9 (2 MiB)
 *
 * For device-only buffers of the driver (not shared with the CPU); they
 * count against the device's capacity but are never evicted.
 *
 * Return: the first frame number, -EINVAL for a bad order or a device
 * without registered memory, -ENOMEM when no free block is large enough.
 */
long gm_dev_alloc_frames(struct gm_dev *dev, unsigned int order)
{
	long index;

	if (order > GM_MAX_ORDER || !dev->frames)
		return -EINVAL;
	spin_lock(&dev->lock);
	index = gm_buddy_alloc(dev, order);
	if (index >= 0)
		dev->nr_driver += 1UL << order;
	spin_unlock(&dev->lock);
	return index;
}
EXPORT_SYMBOL_GPL(gm_dev_alloc_frames);

/**
 * gm_dev_free_frames() - free memory from gm_dev_alloc_frames()
 * @dev: GMEM device
 * @index: the first frame number it returned
 * @order: the order it was allocated with
 */
void gm_dev_free_frames(struct gm_dev *dev, unsigned long index,
			unsigned int order)
{
	spin_lock(&dev->lock);
	gm_buddy_free(dev, index, order);
	dev->nr_driver -= 1UL << order;
	spin_unlock(&dev->lock);
}
EXPORT_SYMBOL_GPL(gm_dev_free_frames);

/* Under dev->lock: note whether @frame's range is pinned. */
static void gm_frame_note_pinned(struct gm_dev *dev, struct gm_frame *frame,
				 bool pinned)
{
	if (frame->pinned == pinned)
		return;
	frame->pinned = pinned;
	if (pinned)
		dev->nr_pinned++;
	else
		dev->nr_pinned--;
}

/*
 * Under dev->lock: put @frame, which holds a page, at the head of the list
 * of its device its flags call for, as the most recent there.
 */
void gm_frame_file(struct gm_dev *dev, struct gm_frame *frame)
{
	if (frame->pinned)
		list_move(&frame->lru, &dev->unevictable);
	else if (frame->protected)
		list_move(&frame->lru, &dev->protected_list);
	else
		list_move(&frame->lru, &dev->lru);
}

/*
 * Under dev->lock: spare @frame, thrashing, from eviction until
 * thrash_protect more pages were evicted. A quarter of the frames keeps
 * turning over, always.
 */
static void gm_frame_protect(struct gm_dev *dev, struct gm_frame *frame)
{
	if (!frame->protected && dev->nr_protected < dev->nr_pages / 4 * 3) {
		frame->protected = 1;
		dev->nr_protected++;
	}
	frame->protect_until = atomic_long_read(&gm_evict_clock) +
		gm_thrash_span(READ_ONCE(gm_thrash_protect), dev, 2);
}

/*
 * Under dev->lock: the device used @frame's page; @arrived_thrashing, a
 * fault just brought it back thrashing, which protects it. A page a
 * prefetch brought back thrashing is protected from the device's first
 * use of it, not before: a prefetcher's bets that keep bouncing unused
 * would hold frames that pages in use need, and make those bounce in
 * turn. An orphan's page is no one's to spare. The caller files the
 * frame (gm_frame_file()) on the list this calls for.
 */
void gm_frame_use(struct gm_dev *dev, struct gm_frame *frame,
		  bool arrived_thrashing)
{
	if (arrived_thrashing ||
	    (frame->thrashing == GM_THRASHING_UNUSED && frame->as)) {
		frame->thrashing = GM_THRASHING_YES;
		gm_frame_protect(dev, frame);
	}
	frame->used = 1;
	gm_frame_end_pending(dev, frame);
}

/*
 * Under dev->lock: take the device's reports of using @frame's page since
 * GMEM last looked (gm_dev_frame_accessed(); the caller saw at least one)
 * and note the use. Returns true if they show the page used again, which
 * earns it a second chance. The first use of a page a prefetch brought
 * does not: it stands for the fault the prefetch saved, and a page that
 * faulted in gets no second chance for that fault either. Counted as one,
 * every page a stream prefetched and the device read once outlived the
 * pages that faulted in beside it, and pushed out pages used again (an
 * IVF index's hot lists: 1.22x the pages the same scans moved without
 * prefetch, tests/host/test_prefetch.c). The caller files the frame
 * (gm_frame_file()) if it is to move: used again, or now protected.
 */
bool gm_frame_take_reports(struct gm_dev *dev, struct gm_frame *frame)
{
	bool first = frame->prefetched && !frame->used;
	u8 reports = READ_ONCE(frame->referenced);

	WRITE_ONCE(frame->referenced, 0);
	gm_frame_use(dev, frame, false);
	return !first || reports > 1;
}

/* Under dev->lock: @frame is no longer spared as thrashing. */
void gm_frame_unprotect(struct gm_dev *dev, struct gm_frame *frame)
{
	if (frame->protected) {
		frame->protected = 0;
		dev->nr_protected--;
	}
}

/*
 * Under dev->lock: @frame's range was pinned or unpinned. A frame being
 * migrated is filed when it comes back.
 */
void gm_frame_set_pinned(struct gm_dev *dev, struct gm_frame *frame,
			 bool pinned)
{
	if (frame->pinned == pinned)
		return;
	gm_frame_note_pinned(dev, frame, pinned);
	if (gm_frame_resident(frame))
		gm_frame_file(dev, frame);
}

/*
 * Under dev->lock: @frame's page is no longer its address space's (that
 * went, or dropped the page while a forked child still maps it). Its
 * policy is told; it is nobody's and not pinned, but stays evictable:
 * eviction finds it by frame.
 */
void gm_frame_orphan(struct gm_dev *dev, struct gm_frame *frame)
{
	gm_policy_page_event(frame->policy, GM_HOOK_PAGE_REMOVED, dev, frame);
	frame->policy = NULL;
	frame->as->dev_pages[dev->id]--;
	frame->as = NULL;
	gm_frame_set_pinned(dev, frame, false);
	frame->orphan = !list_empty(&frame->lru);
}

static void gm_devmem_page_free(struct page *page)
{
	struct gm_dev *dev = gm_page_dev(page);
	unsigned long index = page_to_pfn(page) - dev->base_pfn;
	struct gm_frame *frame;

	spin_lock(&dev->lock);
	frame = &dev->frames[index];
	gm_frame_end_pending(dev, frame);
	gm_policy_page_event(frame->policy, GM_HOOK_PAGE_REMOVED, dev, frame);
	if (gm_frame_prefetch_unused(frame))
		atomic_long_inc(&dev->prefetched_unused);
	frame->policy = NULL;
	frame->thrashing = GM_THRASHING_NO;
	frame->prefetched = 0;
	frame->judged = 0;
	gm_frame_unprotect(dev, frame);
	gm_frame_note_pinned(dev, frame, false);
	list_del_init(&frame->lru);
	if (frame->as)
		frame->as->dev_pages[dev->id]--;
	frame->as = NULL;
	frame->orphan = 0;
	/*
	 * Frames an eviction round frees go to the task that evicted, so the
	 * fault it evicts for cannot lose them to another: forward progress.
	 */
	if (dev->evict_task == current &&
	    dev->evict_reserved < GM_EVICT_BATCH)
		dev->evict_reserve[dev->evict_reserved++] = index;
	else
		gm_buddy_free(dev, index, 0);
	spin_unlock(&dev->lock);
}

/*
 * Under as->lock and dev->lock, which callers hold for a batch of at most
 * GM_MIGRATE_BATCH pages (as aging does for GM_AGE_CHUNK frames): @page,
 * now holding @va of @as, whose attributes are @attr, is the device's
 * newest; tell the policy of @as. @flags: GMEM_PAGE_THRASHING, the page
 * keeps bouncing; GMEM_PAGE_PREFETCHED, a prefetch brought or mapped it, which
 * is no use of a page that was here already for @as at @va (nothing
 * changes then). Without it, this is the device's use of the page: a
 * fault.
 */
void gm_frame_track(struct gm_dev *dev, struct page *page,
		    struct gm_as *as, unsigned long va, unsigned int flags,
		    unsigned long attr)
{
	enum gm_policy_hook hook = GM_HOOK_PAGE_ADDED;
	struct gm_frame *frame;

	lockdep_assert_held(&dev->lock);
	frame = &dev->frames[page_to_pfn(page) - dev->base_pfn];
	if (frame->policy && frame->as == as && frame->va == va) {
		if (flags & GMEM_PAGE_PREFETCHED)
			return;
		hook = GM_HOOK_PAGE_ACCESSED;
	} else {	/* new, or a forked child's or a moved (mremap) page */
		gm_frame_end_pending(dev, frame);
		gm_policy_page_event(frame->policy, GM_HOOK_PAGE_REMOVED, dev,
				     frame);
	}
	if (frame->as != as) {
		if (frame->as)
			frame->as->dev_pages[dev->id]--;
		as->dev_pages[dev->id]++;
	}
	frame->as = as;
	frame->va = va;
	frame->orphan = 0;
	if (hook == GM_HOOK_PAGE_ADDED) {
		frame->prefetched = !!(flags & GMEM_PAGE_PREFETCHED);
		frame->used = 0;
		frame->judged = 0;
		/*
		 * Counted before the frame shows it, so that a report ending
		 * it decrements after; the frame's last page ended its own
		 * (above), and only this sets it.
		 */
		if (frame->prefetched) {
			atomic_long_inc(&dev->prefetched_pending);
			WARN_ON_ONCE(xchg(&frame->pending, 1));
		}
	}
	/* Protection that ended, not yet taken back by an eviction round. */
	if (!gm_frame_protected(frame))
		gm_frame_unprotect(dev, frame);
	if (flags & GMEM_PAGE_THRASHING)
		frame->thrashing = frame->used || !frame->prefetched ?
				   GM_THRASHING_YES : GM_THRASHING_UNUSED;
	if (hook == GM_HOOK_PAGE_ACCESSED || !frame->prefetched)
		gm_frame_use(dev, frame, flags & GMEM_PAGE_THRASHING);
	/*
	 * @attr was read under as->lock: gm_lpt_refile_pinned() runs under
	 * it after the attribute changed, and finds this frame by its record
	 * if it ran before.
	 */
	gm_frame_note_pinned(dev, frame, attr & GM_ATTR_PINNED);
	gm_frame_file(dev, frame);
	/* The policy hears of this use now; a report of it would repeat it. */
	WRITE_ONCE(frame->referenced, 0);
	if (hook == GM_HOOK_PAGE_ADDED)
		frame->policy = gm_as_frame_policy(as, dev);
	__gm_policy_page_event(frame->policy, hook, dev, frame, false, &attr);
}

static const struct dev_pagemap_ops gm_devmem_ops = {
	.page_free = gm_devmem_page_free,
	.migrate_to_ram = gm_devmem_migrate_to_ram,
};

/**
 * gm_dev_register_physmem() - register the device's local memory
 * @dev: GMEM device
 * @size: bytes of device memory, a multiple of PAGE_SIZE
 *
 * GMEM creates a MEMORY_DEVICE_PRIVATE pagemap of @size bytes for the
 * device: every page of device memory gets a struct page, which is what
 * the CPU page table points to while the data lives on the device. GMEM
 * allocates these pages itself (drivers have no allocator of their own:
 * every page GMEM migrates must be on its LRU and known to its policy),
 * up to a hard capacity of @size.
 * gm_dev_page_index() turns such a page into the device's frame number.
 *
 * Context: process context, may sleep. Once per device.
 * Return: 0, -EINVAL for a bad size or without gm_mmu.prepare_page,
 * -EBUSY if already registered, -ENOMEM, or the error of memremap_pages().
 */
int gm_dev_register_physmem(struct gm_dev *dev, unsigned long size)
{
	struct gm_frame *frames;
	unsigned long i;
	void *addr;
	int ret;

	if (!size || !PAGE_ALIGNED(size) || !dev->mmu->prepare_page)
		return -EINVAL;
	/* Frame numbers fit the logical page table entry. */
	if (size >> PAGE_SHIFT > GM_LPT_LEFT_MASK >> GM_LPT_FRAME_SHIFT)
		return -EINVAL;
	if (dev->nr_pages)
		return -EBUSY;

	dev->res = request_free_mem_region(&iomem_resource, size, dev->name);
	if (IS_ERR(dev->res))
		return PTR_ERR(dev->res);

	dev->nr_pages = size >> PAGE_SHIFT;
	dev->evict_batch = clamp_t(unsigned long, dev->nr_pages / GM_EVICT_SHARE,
				   1, GM_EVICT_BATCH);
	/*
	 * Walks of every device's frames (a switch's handover, an address
	 * space's release) see them once set up: published under
	 * gm_global_lock, which they hold, and never freed under them.
	 */
	frames = kvcalloc(dev->nr_pages, sizeof(*frames), GFP_KERNEL);
	dev->evict = kzalloc(sizeof(*dev->evict), GFP_KERNEL);
	if (!frames || !dev->evict) {
		ret = -ENOMEM;
		goto err_stack;
	}
	for (i = 0; i < dev->nr_pages; i++)
		INIT_LIST_HEAD(&frames[i].lru);

	dev->pagemap.type = MEMORY_DEVICE_PRIVATE;
	dev->pagemap.range.start = dev->res->start;
	dev->pagemap.range.end = dev->res->end;
	dev->pagemap.nr_range = 1;
	dev->pagemap.ops = &gm_devmem_ops;
	dev->pagemap.owner = dev;
	addr = memremap_pages(&dev->pagemap, numa_node_id());
	if (IS_ERR(addr)) {
		ret = PTR_ERR(addr);
		goto err_stack;
	}
	dev->base_pfn = dev->res->start >> PAGE_SHIFT;

	mutex_lock(&gm_global_lock);
	/* gm_dev_frame_accessed() reads it without a lock. */
	smp_store_release(&dev->frames, frames);
	rcu_assign_pointer(gm_dev_table[dev->id], dev);
	mutex_unlock(&gm_global_lock);
	/* The largest aligned blocks that fit; a size not in 2M adds small ones. */
	for (i = 0; i < dev->nr_pages; ) {
		unsigned int order = __ffs(i | BIT(GM_MAX_ORDER));

		while (i + (1UL << order) > dev->nr_pages)
			order--;
		spin_lock(&dev->lock);
		gm_buddy_free(dev, i, order);
		spin_unlock(&dev->lock);
		i += 1UL << order;
	}
	return 0;

err_stack:
	kvfree(frames);
	kfree(dev->evict);
	dev->evict = NULL;
	release_mem_region(dev->res->start, resource_size(dev->res));
	dev->nr_pages = 0;
	return ret;
}
EXPORT_SYMBOL_GPL(gm_dev_register_physmem);

/**
 * gm_dev_page_index() - device frame number of a page of device memory
 * @dev: GMEM device
 * @page: a page of @dev's registered memory
 *
 * Return: the page's index in the device memory, 0 .. size / PAGE_SIZE - 1.
 */
unsigned long gm_dev_page_index(struct gm_dev *dev, struct page *page)
{
	return page_to_pfn(page) - dev->base_pfn;
}
EXPORT_SYMBOL_GPL(gm_dev_page_index);

/**
 * gm_dev_frame_page() - page of device memory from a frame number
 * @dev: GMEM device with registered memory
 * @index: frame number, below the registered size / PAGE_SIZE
 *
 * Return: the page, or NULL for an index out of range.
 */
struct page *gm_dev_frame_page(struct gm_dev *dev, unsigned long index)
{
	return index < dev->nr_pages ? pfn_to_page(dev->base_pfn + index) : NULL;
}
EXPORT_SYMBOL_GPL(gm_dev_frame_page);

/**
 * gm_dev_mem_usage() - capacity and use of the device's memory
 * @dev: GMEM device
 * @total: set to the bytes registered
 * @used: set to the bytes holding pages of some address space
 */
void gm_dev_mem_usage(struct gm_dev *dev, unsigned long *total,
		      unsigned long *used)
{
	spin_lock(&dev->lock);
	*total = dev->nr_pages << PAGE_SHIFT;
	*used = (dev->nr_pages - dev->nr_free) << PAGE_SHIFT;
	spin_unlock(&dev->lock);
}
EXPORT_SYMBOL_GPL(gm_dev_mem_usage);

/* A locked, referenced page of device memory, or NULL when the device is full. */
struct page *gm_dev_alloc_page(struct gm_dev *dev)
{
	struct page *page = NULL;
	long index;

	spin_lock(&dev->lock);
	index = gm_buddy_alloc(dev, 0);
	spin_unlock(&dev->lock);
	if (index >= 0) {
		page = pfn_to_page(dev->base_pfn + index);
		zone_device_page_init(page);
	}
	return page;
}

/* Frames gm_dev_evict_all() migrates at a time: bounds its stack arrays. */
#define GM_EVICT_ALL_CHUNK	64
/* Passes in which a failed copy is retried before the data is given up. */
#define GM_EVICT_ALL_COPY_TRIES	10

/*
 * One pass of gm_dev_evict_all() over @dev's frames, a chunk at a time.
 * Pages busy right now (locked by a migration in flight, say) are left for
 * the next pass. A page whose copy fails is left too, its data being
 * nowhere else, unless @give_up: then it becomes a zeroed page, loudly.
 * Returns the pages still in use after the pass.
 */
static unsigned long gm_dev_evict_all_pass(struct gm_dev *dev, bool give_up)
{
	unsigned long src[GM_EVICT_ALL_CHUNK], dst[GM_EVICT_ALL_CHUNK];
	unsigned long start, i, n, moved = 0, busy = 0;

	for (start = 0; start < dev->nr_pages; start += n) {
		n = min_t(unsigned long, GM_EVICT_ALL_CHUNK,
			  dev->nr_pages - start);
		memset(dst, 0, sizeof(dst));
		migrate_device_range(src, dev->base_pfn + start, n);
		for (i = 0; i < n; i++) {
			struct page *spage = migrate_pfn_to_page(src[i]);
			struct page *dpage;

			if (!spage || !(src[i] & MIGRATE_PFN_MIGRATE))
				continue;
			dpage = alloc_page(GFP_HIGHUSER_MOVABLE);
			if (!dpage)
				continue;
			lock_page(dpage);
			if (dev->mmu->prepare_page(dev, dpage, spage)) {
				if (!give_up) {
					unlock_page(dpage);
					put_page(dpage);
					continue;
				}
				pr_err("%s: copy of frame %lu to host failed: its data is lost\n",
				       dev->name, start + i);
				clear_highpage(dpage);
			}
			dst[i] = migrate_pfn(page_to_pfn(dpage)) |
				 (src[i] & MIGRATE_PFN_WRITE);
		}
		migrate_device_pages(src, dst, n);
		for (i = 0; i < n; i++)
			moved += dst[i] && (src[i] & MIGRATE_PFN_MIGRATE);
		migrate_device_finalize(src, dst, n);
		cond_resched();
	}
	atomic_long_add(moved, &dev->pages_to_host);
	if (moved)
		trace_gmem_migrate(gm_dev_hnid(dev), 0, moved, false,
				   GM_MIGRATE_DEVICE_GONE);
	for (i = 0; i < dev->nr_pages; i++)
		busy += !!page_ref_count(pfn_to_page(dev->base_pfn + i));
	return busy;
}

/*
 * Move every page still on the device back to host memory, wherever it is
 * mapped, until none is left: memunmap_pages() waits for the last one
 * anyway. Called when the device goes away.
 */
static void gm_dev_evict_all(struct gm_dev *dev)
{
	unsigned long busy, pass;

	for (pass = 1;; pass++) {
		busy = gm_dev_evict_all_pass(dev,
					     pass > GM_EVICT_ALL_COPY_TRIES);
		if (!busy)
			break;
		if (pass % 100 == 0)
			pr_warn("%s: %lu pages still busy after %lu passes\n",
				dev->name, busy, pass);
		msleep(20);
	}
}

/* Forget, in every address space, the records of @dev's frames. */
static void gm_dev_forget_records(struct gm_dev *dev)
{
	struct gm_as *as;

	lockdep_assert_held(&gm_global_lock);
	list_for_each_entry(as, &gm_address_spaces, node) {
		mutex_lock(&as->lock);
		gm_lpt_forget_device(as, dev->id);
		mutex_unlock(&as->lock);
	}
}

/**
 * gm_dev_destroy() - remove a GMEM device
 * @dev: GMEM device
 *
 * Hot-unplug: contexts still attached are revoked first (their device
 * mappings, reservations and page tables go, gm_as_detach() later only
 * frees them) and no new one can attach; a gm_as_detach() running
 * meanwhile has destroyed its page table when this returns. Pages still
 * in the device's memory are migrated back to host memory, so processes
 * keep their data; a page busy at the moment is retried until it can go,
 * and one whose copy keeps failing is replaced by a zeroed page with an
 * error in the log. Then the memory is unregistered. The device stays
 * visible to GMEM until its last page is gone, so that address spaces
 * released meanwhile still let go of its frames.
 *
 * The driver makes sure that no other call for @dev is in flight or
 * starts once this is called (gm_dev_fault(), gm_as_attach(), frame
 * allocation), except gm_as_detach() of its contexts, at any time: each
 * context holds @dev's structure until it is detached.
 *
 * Context: process context, may sleep.
 */
void gm_dev_destroy(struct gm_dev *dev)
{
	gm_dev_revoke_contexts(dev);
	/*
	 * A gm_as_detach() that took its context off before the revoke
	 * looked may still be destroying its page table: it holds
	 * evict_lock until the driver's pmap_destroy() returned.
	 */
	mutex_lock(&dev->evict_lock);
	mutex_unlock(&dev->evict_lock);
	/* No context is left, so no fault or prefetch allocates a frame. */
	gm_dev_evict_work_stop(dev);
	if (dev->nr_pages) {
		gm_dev_evict_all(dev);
		memunmap_pages(&dev->pagemap);
	}

	/*
	 * Out of sysfs before off the list, as gm_policy_unregister(): a
	 * device of the same name created meanwhile gets -EEXIST.
	 */
	kobject_del(&dev->kobj);
	mutex_lock(&gm_global_lock);
	list_del(&dev->node);
	RCU_INIT_POINTER(gm_dev_table[dev->id], NULL);
	gm_dev_forget_records(dev);
	mutex_unlock(&gm_global_lock);

	if (dev->nr_pages) {
		synchronize_rcu();	/* gm_dev_table readers */
		release_mem_region(dev->res->start, resource_size(dev->res));
		kvfree(dev->frames);
		kfree(dev->evict);
	}
	ida_free(&gm_dev_ida, dev->id);
	kobject_put(&dev->kobj);
}
EXPORT_SYMBOL_GPL(gm_dev_destroy);
