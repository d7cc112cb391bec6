// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM device mappings: mapping and unmapping pages on devices, and the
 * mmu interval notifier that keeps them coherent with the CPU.
 */

#include "internal.h"

void gm_ctx_unmap(struct gm_context *ctx, unsigned long start,
		  unsigned long end)
{
	const struct gm_mmu *mmu = ctx->dev->mmu;

	if (mmu->peer_unmap) {
		mmu->peer_unmap(ctx, start, end);
		return;
	}
	mmu->pmap_release(ctx, start, end);
	mmu->tlb_invl(ctx, start, end);
}

static void gm_ctx_write_protect(struct gm_context *ctx, unsigned long start,
				 unsigned long end)
{
	const struct gm_mmu *mmu = ctx->dev->mmu;

	if (!mmu->pmap_protect) {
		gm_ctx_unmap(ctx, start, end);
		return;
	}
	mmu->pmap_protect(ctx, start, end, GM_PROT_READ);
	if (mmu->tlb_invl)
		mmu->tlb_invl(ctx, start, end);
}

int gm_ctx_map(struct gm_context *ctx, unsigned long va,
	       struct page *page, unsigned int prot)
{
	const struct gm_mmu *mmu = ctx->dev->mmu;

	if (mmu->peer_map)
		return mmu->peer_map(ctx, va, page, prot);
	return mmu->pmap_enter(ctx, va, page, prot);
}

/*
 * An eviction round of ctx's device is unmapping [start, end): release the
 * device mappings now and leave the TLB to one coalesced invalidation per
 * context at the end of the round (gm_evict_flush_tlb()), before any page
 * is copied. The round holds the device's evict_lock, which gm_as_detach()
 * takes too, so @ctx stays attached until then.
 */
static void gm_evict_defer_unmap(struct gm_context *ctx, unsigned long start,
				 unsigned long end)
{
	struct gm_evict_batch *b = ctx->dev->evict;
	const struct gm_mmu *mmu = ctx->dev->mmu;

	if (!mmu->pmap_release || b->nr_ranges == GM_EVICT_BATCH) {
		gm_ctx_unmap(ctx, start, end);
		return;
	}
	mmu->pmap_release(ctx, start, end);
	b->range_ctx[b->nr_ranges] = ctx;
	b->ranges[b->nr_ranges].start = start;
	b->ranges[b->nr_ranges].end = end;
	b->nr_ranges++;
}

/* Snapshots of the CPU page table that the change of @range spoils. */
static void gm_overtake_snapshots(struct gm_as *as,
				  const struct mmu_notifier_range *range)
{
	struct gm_snapshot *snap;

	list_for_each_entry(snap, &as->snapshots, node) {
		/* Only MMU_NOTIFY_MIGRATE ranges have an owner set. */
		if (snap->migrating == current &&
		    range->event == MMU_NOTIFY_MIGRATE &&
		    range->owner == snap->owner)
			continue;
		if (snap->start < range->end && range->start < snap->end)
			WRITE_ONCE(snap->overtaken, true);
	}
}

/**
 * gm_snapshot_begin() - list a snapshot of the CPU page table being taken
 * @as: the address space
 * @snap: the snapshot, with its range
 *
 * From now on, an invalidation that meets @snap's range marks it
 * overtaken. One that met the range before may not have changed the CPU
 * page table yet: that is waited for, as mmu_interval_read_begin() does.
 * Invalidations elsewhere in the mm are not, unlike there.
 *
 * Return: the notifier sequence number for hmm_range_fault().
 */
unsigned long gm_snapshot_begin(struct gm_as *as, struct gm_snapshot *snap)
{
	unsigned long seq;
	bool met;

	mutex_lock(&as->lock);
	list_add(&snap->node, &as->snapshots);
	met = snap->start < as->inval_end && as->inval_start < snap->end;
	/* Set under as->lock by gm_as_invalidate(); see gm_snapshot_seq(). */
	seq = gm_snapshot_seq(as);
	mutex_unlock(&as->lock);
	return met ? mmu_interval_read_begin(&as->notifier) : seq;
}

/*
 * The CPU page table changes for [range->start, range->end): device
 * mappings there, of device pages and of host pages mapped remotely, go
 * before the CPU's change completes. Fork write-protects
 * (MMU_NOTIFY_PROTECTION_PAGE), so device copies become read-only; every
 * other event removes them, and the device faults them back in through
 * gm_dev_fault(), which checks the VMA again.
 */
static bool gm_as_invalidate(struct mmu_interval_notifier *mni,
			     const struct mmu_notifier_range *range,
			     unsigned long cur_seq)
{
	struct gm_as *as = container_of(mni, struct gm_as, notifier);
	unsigned long first = range->start >> PAGE_SHIFT;
	unsigned long last = (range->end - 1) >> PAGE_SHIFT;
	bool protect = range->event == MMU_NOTIFY_PROTECTION_PAGE;
	unsigned long index = first, remote_index = first;
	struct gm_context *ctx;
	bool remote;

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&as->lock);
	else if (!mutex_trylock(&as->lock))
		return false;
	if (mni->invalidate_seq != cur_seq) {
		as->inval_start = range->start;
		as->inval_end = range->end;
	} else {
		as->inval_start = min(as->inval_start, range->start);
		as->inval_end = max(as->inval_end, range->end);
	}
	mmu_interval_set_seq(mni, cur_seq);
	gm_overtake_snapshots(as, range);

	remote = xa_find(&as->lpt, &remote_index, last, GM_LPT_REMOTE);
	if (remote || xa_find(&as->lpt, &index, last, GM_LPT_ON_DEVICE)) {
		list_for_each_entry(ctx, &as->contexts, as_node) {
			if (protect)
				gm_ctx_write_protect(ctx, range->start,
						     range->end);
			else if (ctx->dev->evict_task == current &&
				 ctx->dev->evict->unmapping)
				gm_evict_defer_unmap(ctx, range->start,
						     range->end);
			else
				gm_ctx_unmap(ctx, range->start, range->end);
		}
		if (protect)
			gm_lpt_write_protect(as, first, last);
		else if (remote)
			gm_lpt_clear_remote(as, first, last);
	}
	if (range->event == MMU_NOTIFY_UNMAP ||
	    range->event == MMU_NOTIFY_RELEASE) {
		bool pinned = READ_ONCE(as->has_pinned);
		bool blockable = mmu_notifier_range_blockable(range);

		/*
		 * A device page outlives the unmapping (or the exit) if a
		 * forked child maps it too: its frame must not stay pinned by
		 * a range that is gone. Not from the OOM reaper (or
		 * process_mrelease()), which must not wait: it leaves the
		 * records to the victim's exit (blockable), which unpins
		 * through them; erased here, they would name nothing then.
		 */
		if (pinned && blockable)
			gm_lpt_refile_pinned(as, first, last, true);
		if (!pinned || blockable)
			gm_lpt_erase(as, first, last);
	}

	mutex_unlock(&as->lock);
	return true;
}

const struct mmu_interval_notifier_ops gm_as_notifier_ops = {
	.invalidate = gm_as_invalidate,
};
