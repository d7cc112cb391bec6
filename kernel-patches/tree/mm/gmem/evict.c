// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM eviction: aging device pages by the device's access reports and
 * evicting victims to host memory when a device is full.
 */

#include "internal.h"
#include <trace/events/gmem.h>

/* Invalidate, once per context, the device TLB ranges a round unmapped. */
void gm_evict_flush_tlb(struct gm_dev *dev)
{
	struct gm_evict_batch *b = dev->evict;
	struct gm_va_range ranges[GM_EVICT_BATCH];
	unsigned int i, j, n;

	for (i = 0; i < b->nr_ranges; i++) {
		struct gm_context *ctx = b->range_ctx[i];

		if (!ctx)
			continue;
		for (n = 0, j = i; j < b->nr_ranges; j++) {
			if (b->range_ctx[j] != ctx)
				continue;
			ranges[n++] = b->ranges[j];
			b->range_ctx[j] = NULL;
		}
		mutex_lock(&ctx->as->lock);
		if (dev->mmu->tlb_invl_coalesced) {
			dev->mmu->tlb_invl_coalesced(ctx, ranges, n);
		} else {
			for (j = 0; j < n; j++)
				dev->mmu->tlb_invl(ctx, ranges[j].start,
						   ranges[j].end);
		}
		mutex_unlock(&ctx->as->lock);
	}
	b->nr_ranges = 0;
}

/**
 * gm_dev_frame_accessed() - the device used a frame of its memory
 * @dev: the device
 * @index: frame number, as from gm_dev_page_index()
 *
 * A device hit raises no fault, so without word from the device a page in
 * constant use ages like an idle one. A device that can tell (an accessed
 * bit set by its page walker, an access counter, a TLB fill) reports the
 * use here. GMEM only notes it; before an eviction round it moves the
 * noted frames among the device's coldest back to the head of its LRU and
 * tells their policy (page_accessed, with GMEM_PAGE_REFERENCED). The use
 * that caused a device fault needs no report: the fault is one. Nor does
 * the first use of a page a prefetch brought, which stands for the fault
 * it saved: its first report only marks it used (gm_frame_take_reports()).
 *
 * Context: any, including atomic; takes no lock.
 */
void gm_dev_frame_accessed(struct gm_dev *dev, unsigned long index)
{
	/* Set up before gm_dev_register_physmem() publishes them. */
	struct gm_frame *frames = smp_load_acquire(&dev->frames);
	u8 reports;

	if (!frames || index >= dev->nr_pages)
		return;
	gm_frame_end_pending(dev, &frames[index]);
	/* Racing reports may count as one: the count only steers aging. */
	reports = READ_ONCE(frames[index].referenced);
	if (reports < 2)
		WRITE_ONCE(frames[index].referenced, reports + 1);
}
EXPORT_SYMBOL_GPL(gm_dev_frame_accessed);

/*
 * Second chance for the coldest frames the device reported using again:
 * up to GM_AGE_CHUNK of them go back to the head of the LRU (a thrashing
 * page a prefetch brought, used for the first time, to the protected
 * list), their reports taken, their policy told. A prefetched page's
 * first use stays where it is, as a page that faulted in and was not used
 * since does. Returns true once the tail holds a round's frames not used
 * again since the last look (or no reported one is left).
 */
static bool gm_dev_age_chunk(struct gm_dev *dev, unsigned long *aged)
{
	struct gm_frame *frame, *tmp;
	unsigned int unused = 0, moved = 0;

	spin_lock(&dev->lock);
	list_for_each_entry_safe_reverse(frame, tmp, &dev->lru, lru) {
		if (unused >= dev->evict_batch || moved >= GM_AGE_CHUNK ||
		    *aged >= dev->nr_pages)
			break;
		if (!READ_ONCE(frame->referenced) ||
		    (!gm_frame_take_reports(dev, frame) && !frame->protected)) {
			unused++;
			continue;
		}
		gm_frame_file(dev, frame);
		__gm_policy_page_event(frame->policy, GM_HOOK_PAGE_ACCESSED, dev,
				       frame, true, NULL);
		moved++;
		(*aged)++;
	}
	spin_unlock(&dev->lock);
	atomic_long_add(moved, &dev->pages_referenced);
	return moved < GM_AGE_CHUNK || *aged >= dev->nr_pages;
}

/*
 * Age the tail of @dev's LRU, CLOCK-like: referenced frames go round
 * again, so the victims that follow are frames the device has not used
 * since GMEM last looked. Every frame moved had its bit cleared, so one
 * lap of the LRU at most, paid for by the reports that set the bits.
 */
static void gm_dev_age(struct gm_dev *dev)
{
	unsigned long aged = 0;

	while (!gm_dev_age_chunk(dev, &aged))
		cond_resched();
}

/*
 * Thrashing frames whose protection ended go back to the tail of the LRU,
 * oldest last, where they would be had they stayed on it. The protected
 * list is in the order protection began or was renewed, most recent
 * first, and every protection lasts as long, so the walk from its tail
 * stops at the first frame still protected; a frame filed out of that
 * order (unpinned, or faulted again) waits for the older ones. Each frame
 * is moved once per protection, GM_FRAMES_CHUNK per hold of the lock.
 */
static void gm_dev_expire_protected(struct gm_dev *dev)
{
	struct list_head *older;
	struct gm_frame *frame;
	unsigned int n;

	do {
		spin_lock(&dev->lock);
		older = &dev->lru;
		for (n = 0; n < GM_FRAMES_CHUNK; n++) {
			if (list_empty(&dev->protected_list))
				break;
			frame = list_last_entry(&dev->protected_list,
						struct gm_frame, lru);
			if (gm_frame_protected(frame))
				break;
			gm_frame_unprotect(dev, frame);
			/* Just before the older frame moved back before it. */
			list_move_tail(&frame->lru, older);
			older = &frame->lru;
		}
		spin_unlock(&dev->lock);
		cond_resched();
	} while (n == GM_FRAMES_CHUNK);
}

/*
 * Take up to dev->evict_batch victims, with a reference on their address
 * spaces, as the policy of @as (the faulting one) nominates them and the
 * default LRU fills in. Frames not on the device's lists (being migrated
 * in, or of a gone address space) are never victims.
 */
static void gm_evict_pick(struct gm_dev *dev, struct gm_as *as, bool own)
{
	gm_dev_expire_protected(dev);
	gm_dev_age(dev);
	dev->evict->nr = 0;
	spin_lock(&dev->lock);
	if (own)
		gm_evict_own(dev, as);
	else
		gm_policy_evict(dev, as);
	spin_unlock(&dev->lock);
}

/*
 * The host node an evicted page of @as at @va goes to: the one its range
 * prefers (MADV_PREFERRED_LOCATION), if online, else any. The round holds
 * a reference on @as (NULL for an orphan).
 */
static int gm_evict_node(struct gm_as *as, unsigned long va)
{
	unsigned long pref = as ? gm_attr_load(as, va) & GM_ATTR_PREF_MASK : 0;

	if (pref && pref - 1 < nr_node_ids && node_online(pref - 1))
		return pref - 1;
	return NUMA_NO_NODE;
}

/*
 * The frames a round freed came back to it (gm_page_free()): one for the
 * caller's fault if @keep, so that no other task can take it (forward
 * progress), the others to the free pool.
 */
static void gm_evict_hand_out(struct gm_dev *dev, struct page **keep)
{
	struct page *page = NULL;

	spin_lock(&dev->lock);
	if (keep && dev->evict_reserved)
		page = pfn_to_page(dev->base_pfn +
				   dev->evict_reserve[--dev->evict_reserved]);
	while (dev->evict_reserved)
		gm_buddy_free(dev, dev->evict_reserve[--dev->evict_reserved], 0);
	spin_unlock(&dev->lock);
	if (page)
		zone_device_page_init(page);
	if (keep)
		*keep = page;
}

/*
 * Whether frame @i of the round still holds the page picked for it, off
 * the device's lists. Between the pick and migrate_device_range() its page
 * may have been freed (munmap, MADV_DONTNEED) and the frame given to
 * another page, filed on a list of its own or held by a migration: that
 * page was never a victim (it may be pinned). Under dev->lock.
 */
static bool gm_evict_still_victim(struct gm_dev *dev,
				  struct gm_evict_batch *b, unsigned int i)
{
	struct gm_frame *frame = &dev->frames[b->frame[i]];

	lockdep_assert_held(&dev->lock);
	return list_empty(&frame->lru) && frame->va == b->va[i] &&
	       (b->as[i] ? frame->as == b->as[i] : frame->orphan);
}

/*
 * One eviction round: migrate up to dev->evict_batch of @dev's least
 * recently faulted pages back to host memory, with one device TLB
 * invalidation per context for the whole round. The caller holds
 * dev->evict_lock; the round runs as dev->evict_task, which the notifier
 * and gm_page_free() know it by. @as is the address space whose policy
 * chooses, unless @own: then @as is at its cap and its own pages go. A
 * frame freed goes to *@keep, if given (see gm_evict_hand_out()). Returns
 * the pages evicted.
 *
 * Victims are taken by frame (migrate_device_range(), through the rmap),
 * not through their owners' page tables: no mmap lock of another process
 * is needed, so no process can make its pages unevictable by keeping its
 * mmap lock busy, and pages whose address space went (orphans) go too.
 */
static unsigned int gm_dev_evict(struct gm_dev *dev, struct gm_as *as,
				 bool own, struct page **keep)
{
	struct gm_evict_batch *b = dev->evict;
	unsigned long migrated = 0, unused = 0;
	u64 start_ns = ktime_get_ns();
	unsigned int i;

	dev->evict_task = current;
	gm_evict_pick(dev, as, own);
	memset(b->src, 0, sizeof(b->src));
	memset(b->dst, 0, sizeof(b->dst));

	/* The notifier unmaps each victim from the devices, TLB deferred. */
	b->unmapping = true;
	for (i = 0; i < b->nr; i++)
		migrate_device_range(&b->src[i], dev->base_pfn + b->frame[i], 1);
	b->unmapping = false;
	/* Every victim is unmapped on the device: one flush, then copy. */
	gm_evict_flush_tlb(dev);

	for (i = 0; i < b->nr; i++) {
		struct page *spage = migrate_pfn_to_page(b->src[i]);
		bool victim;

		if (!spage || !(b->src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		/*
		 * Collected, its page is referenced: its frame is not given
		 * to another any more. A range pinned since the pick stays.
		 */
		spin_lock(&dev->lock);
		victim = gm_evict_still_victim(dev, b, i) &&
			 !dev->frames[b->frame[i]].pinned;
		/* Unmapped: the device can use it no more. */
		if (gm_frame_prefetch_unused(&dev->frames[b->frame[i]]))
			__set_bit(i, &unused);
		spin_unlock(&dev->lock);
		/* A page that is no victim, or cannot be copied now, stays. */
		if (victim)
			gm_copy_to_host(dev, b->src[i], NULL, 0,
					gm_evict_node(b->as[i], b->va[i]),
					&b->dst[i]);
	}
	migrate_device_pages(b->src, b->dst, b->nr);

	for (i = 0; i < b->nr; i++) {
		if (!b->dst[i] || !(b->src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		__set_bit(i, &migrated);
		atomic_long_inc(&gm_evict_clock);
		if (!b->as[i])
			continue;
		mutex_lock(&b->as[i]->lock);
		gm_lpt_set_host(b->as[i], b->va[i], dev,
				migrate_pfn_to_page(b->src[i]),
				!test_bit(i, &unused));
		b->as[i]->pages_evicted++;
		mutex_unlock(&b->as[i]->lock);
	}
	migrate_device_finalize(b->src, b->dst, b->nr);

	for (i = 0; i < b->nr; i++) {
		struct gm_frame *frame = &dev->frames[b->frame[i]];

		/*
		 * Busy victims go back, as recently used, unless the page
		 * was freed meanwhile (its frame has no owner left, or
		 * another page).
		 */
		if (!test_bit(i, &migrated)) {
			spin_lock(&dev->lock);
			if (gm_evict_still_victim(dev, b, i))
				gm_frame_file(dev, frame);
			spin_unlock(&dev->lock);
		}
		if (b->as[i])
			gm_as_put(b->as[i]);
	}
	dev->evict_task = NULL;
	gm_evict_hand_out(dev, keep);
	atomic_long_inc(&dev->evictions);
	atomic_long_add(hweight_long(migrated), &dev->pages_evicted);
	atomic_long_add(hweight_long(migrated), &dev->pages_to_host);
	if (migrated)
		trace_gmem_migrate(gm_dev_hnid(dev), b->va[__ffs(migrated)],
				   hweight_long(migrated), false,
				   GM_MIGRATE_EVICT);
	trace_gmem_evict(gm_dev_hnid(dev), b->nr, hweight_long(migrated),
			 ktime_get_ns() - start_ns);
	return hweight_long(migrated);
}

/*
 * free_target, but at most half the frames pages can use (not pinned, not
 * the driver's): a target that pinning made unreachable would otherwise
 * have the worker evict every page it may on every wake.
 */
static unsigned long gm_dev_free_goal(struct gm_dev *dev)
{
	unsigned long held = READ_ONCE(dev->nr_pinned) +
			     READ_ONCE(dev->nr_driver);
	unsigned long usable = dev->nr_pages > held ? dev->nr_pages - held : 0;

	return min(READ_ONCE(dev->free_target), usable / 2);
}

/*
 * Background eviction, as kswapd does for host memory: once an allocation
 * leaves fewer frames free than gm_dev_free_goal(), a worker runs eviction
 * rounds until that many are, so that faults seldom wait for a round of their
 * own. A fault that still finds the device full evicts for itself, as
 * direct reclaim does. The worker's rounds ask the policy of the address
 * space whose allocation woke it, which a fault would have asked.
 *
 * Called with the mmap lock of @as held, so never after the revoke in
 * gm_dev_destroy().
 */
static void gm_dev_wake_evictor(struct gm_dev *dev, struct gm_as *as)
{
	unsigned long goal = gm_dev_free_goal(dev);
	struct gm_as *old;

	if (!goal || READ_ONCE(dev->nr_free) >= goal || READ_ONCE(dev->dying))
		return;
	if (READ_ONCE(dev->evict_work_as) != as) {
		refcount_inc(&as->refcount);
		old = xchg(&dev->evict_work_as, as);
		if (old)
			gm_as_put(old);
	}
	queue_work(system_unbound_wq, &dev->evict_work);
}

/*
 * The worker: rounds, each under evict_lock as a fault's, until the goal
 * is met, nothing is left to take, or the device goes.
 */
void gm_dev_evict_work(struct work_struct *work)
{
	struct gm_dev *dev = container_of(work, struct gm_dev, evict_work);
	struct gm_as *as = xchg(&dev->evict_work_as, NULL);
	unsigned int evicted;

	if (!as)
		return;
	while (!READ_ONCE(dev->dying)) {
		mutex_lock(&dev->evict_lock);
		/* Rounds of faults may have freed enough while it waited. */
		if (READ_ONCE(dev->nr_free) >= gm_dev_free_goal(dev)) {
			mutex_unlock(&dev->evict_lock);
			break;
		}
		evicted = gm_dev_evict(dev, as, false, NULL);
		atomic_long_inc(&dev->evictions_background);
		mutex_unlock(&dev->evict_lock);
		/* Nothing it may take: the next allocation wakes it again. */
		if (!evicted)
			break;
		cond_resched();
	}
	gm_as_put(as);
}

/*
 * gm_dev_destroy(), once no allocation can wake the worker: it is not
 * running and will not, and the reference it would have taken is dropped.
 */
void gm_dev_evict_work_stop(struct gm_dev *dev)
{
	struct gm_as *as;

	cancel_work_sync(&dev->evict_work);
	as = xchg(&dev->evict_work_as, NULL);
	if (as)
		gm_as_put(as);
}

/*
 * Pages of one device an address space may hold (0: any number), so that
 * no process keeps the device from the others; see gm_evict_own().
 */
unsigned int gm_as_max_pages;

/*
 * @pending: frames the caller took for @as and has not tracked yet (a
 * migration batch tracks its pages only once they moved).
 */
static bool gm_as_at_cap(struct gm_dev *dev, struct gm_as *as,
			 unsigned int pending)
{
	unsigned int max = READ_ONCE(gm_as_max_pages);

	return max && READ_ONCE(as->dev_pages[dev->id]) + pending >= max;
}

bool gm_as_strict_capacity(struct gm_as *as)
{
	int strict = READ_ONCE(as->strict_capacity);

	return strict < 0 ? READ_ONCE(gm_strict_capacity) : strict;
}

/*
 * A free frame of @dev for a fault in @as (whose mm's mmap lock the caller
 * holds), evicting when the device is full unless capacity is strict; an
 * address space at gm_as_max_pages, counting the @pending frames the
 * caller took for it and has not tracked yet, evicts its own pages
 * instead. NULL when none can be had, or on a fatal signal while waiting
 * for another task's eviction round.
 *
 * A round can free nothing: its victims busy, pinned since the pick, or
 * freed meanwhile (their frames then go to the free pool). Rounds run
 * until GM_EVICT_BATCH victims were tried, so a small device's rounds of
 * one fail a fault no sooner than one round of 16 did.
 */
struct page *gm_dev_alloc_evicting(struct gm_dev *dev, struct gm_as *as,
				   unsigned int pending)
{
	struct page *page = NULL;
	bool own = gm_as_at_cap(dev, as, pending);
	bool strict = gm_as_strict_capacity(as);
	unsigned int tried;

	if (!own)
		page = gm_dev_alloc_page(dev);
	if (page || !dev->frames || strict)
		goto out;

	if (mutex_lock_killable(&dev->evict_lock))
		return NULL;
	/* A round that ran while we waited may have left frames. */
	own = gm_as_at_cap(dev, as, pending);
	for (tried = 0; !page && tried < GM_EVICT_BATCH;
	     tried += dev->evict_batch) {
		if (!own)
			page = gm_dev_alloc_page(dev);
		if (!page)
			gm_dev_evict(dev, as, own, &page);
	}
	mutex_unlock(&dev->evict_lock);
out:
	/*
	 * An address space that may not evict, or is at its cap (whose
	 * policy is not asked), has no worker evict for it.
	 */
	if (page && !strict && !own)
		gm_dev_wake_evictor(dev, as);
	return page;
}
