// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM address spaces and contexts: gm_as per mm, device attach and
 * detach, and MAP_PEER_SHARED mmap and unmap.
 */

#include "internal.h"

static void gm_as_release(struct work_struct *work);

/**
 * gm_as_create() - get the GMEM address space of an mm, creating it
 * @mm: the process's mm, with a user reference (mm_users) held by the
 *	caller; usually current->mm
 *
 * An mm has at most one gm_as. The caller gets a reference and drops it
 * with gm_as_put(), usually right after gm_as_attach() took its own.
 *
 * Context: process context, may sleep; takes the mmap lock for write.
 * Return: the address space or an ERR_PTR (-ENOMEM, -EINTR).
 */
struct gm_as *gm_as_create(struct mm_struct *mm)
{
	struct gm_as *as;
	int ret;

	if (mmap_write_lock_killable(mm))
		return ERR_PTR(-EINTR);
	as = mm->gm_as;
	if (as && refcount_inc_not_zero(&as->refcount))
		goto out;

	as = kzalloc(sizeof(*as), GFP_KERNEL);
	if (!as) {
		as = ERR_PTR(-ENOMEM);
		goto out;
	}
	as->mm = mm;
	refcount_set(&as->refcount, 1);
	mutex_init(&as->lock);
	INIT_LIST_HEAD(&as->contexts);
	INIT_LIST_HEAD(&as->retiring);
	INIT_LIST_HEAD(&as->snapshots);
	/*
	 * Inserted while the mm is invalidating, the notifier does not hear
	 * of the invalidations that run (mmu_interval_notifier_insert()):
	 * until its sequence moves on, every snapshot waits for their end.
	 */
	as->inval_end = ULONG_MAX;
	xa_init(&as->lpt);
	/* Faults read it without attrs_lock (gm_attr_load()). */
	mt_init_flags(&as->attrs, MT_FLAGS_USE_RCU);
	mutex_init(&as->attrs_lock);
	xa_init_flags(&as->accessed_sets, XA_FLAGS_ALLOC1);
	as->strict_capacity = -1;
	INIT_WORK(&as->release_work, gm_as_release);
	INIT_WORK(&as->handover_work, gm_as_handover_fn);
	ret = mmu_interval_notifier_insert_locked(&as->notifier, mm, 0,
						  ULONG_MAX & PAGE_MASK,
						  &gm_as_notifier_ops);
	if (ret) {
		kfree(as);
		as = ERR_PTR(ret);
		goto out;
	}
	mmgrab(mm);
	mm->gm_as = as;
	gm_as_policy_init(as);
	mmap_write_unlock(mm);
	/*
	 * Not under the mmap lock: debugfs takes its directory's lock, which
	 * a reader holds while copying to user memory, which may fault.
	 */
	gm_as_debugfs_add(as);
	return as;
out:
	mmap_write_unlock(mm);
	return as;
}
EXPORT_SYMBOL_GPL(gm_as_create);

/**
 * gm_as_put() - drop a reference to an address space
 * @as: from gm_as_create()
 *
 * The last reference tears the address space down: the notifier goes, the
 * mm forgets it, the logical page table is freed. Pages on devices stay
 * where they are; the CPU fetches them on touch.
 *
 * Context: process context, may sleep.
 */
void gm_as_put(struct gm_as *as)
{
	if (!refcount_dec_and_test(&as->refcount))
		return;
	/*
	 * Eviction drops references with mmap locks held, so the teardown,
	 * which takes the mmap lock for write and waits for debugfs readers
	 * (who may wait for an mmap lock), runs in a worker.
	 */
	schedule_work(&as->release_work);
}
EXPORT_SYMBOL_GPL(gm_as_put);

static void gm_as_release(struct work_struct *work)
{
	struct gm_as *as = container_of(work, struct gm_as, release_work);
	struct mm_struct *mm = as->mm;
	struct gm_dev_set *set;
	struct gm_dev *dev;
	unsigned long i, id;
	unsigned int n;

	gm_as_debugfs_remove(as);
	mmap_write_lock(mm);
	if (mm->gm_as == as)
		mm->gm_as = NULL;
	mmap_write_unlock(mm);

	mutex_lock(&gm_policy_lock);
	mutex_lock(&gm_global_lock);
	list_del(&as->node);
	/*
	 * Pages of this address space left on devices (the process still
	 * maps them) are nobody's now (gm_frame_orphan()).
	 */
	list_for_each_entry(dev, &gm_devices, node) {
		n = 0;
		spin_lock(&dev->lock);
		for (i = 0; dev->frames && i < dev->nr_pages; i++) {
			struct gm_frame *frame = &dev->frames[i];

			gm_frames_lock_break(dev, &n, GM_FRAMES_CHUNK);
			if (frame->as == as)
				gm_frame_orphan(dev, frame);
		}
		spin_unlock(&dev->lock);
	}
	mutex_unlock(&gm_global_lock);
	gm_as_policy_exit(as);
	mutex_unlock(&gm_policy_lock);
	mmu_interval_notifier_remove(&as->notifier);
	xa_destroy(&as->lpt);
	mtree_destroy(&as->attrs);
	xa_for_each(&as->accessed_sets, id, set)
		kfree(set);
	xa_destroy(&as->accessed_sets);
	mmdrop(mm);
	kfree(as);
}

static int gm_ctx_reserve(struct gm_context *ctx, unsigned long start,
			  unsigned long len)
{
	const struct gm_mmu *mmu = ctx->dev->mmu;

	return mmu->peer_va_alloc_fixed ?
		mmu->peer_va_alloc_fixed(ctx, start, len) : 0;
}

static void gm_ctx_unreserve(struct gm_context *ctx, unsigned long start,
			     unsigned long len)
{
	const struct gm_mmu *mmu = ctx->dev->mmu;

	if (mmu->peer_va_free)
		mmu->peer_va_free(ctx, start, len);
}

/*
 * Reserve (or, with @undo, release) every peer-shared VMA below @stop on
 * @ctx's device. Called with the mmap lock held.
 */
static int gm_ctx_reserve_vmas(struct gm_context *ctx, unsigned long stop,
			       bool undo)
{
	VMA_ITERATOR(vmi, ctx->as->mm, 0);
	struct vm_area_struct *vma;
	int ret;

	for_each_vma_range(vmi, vma, stop) {
		if (!(vma->vm_flags & VM_PEER_SHARED))
			continue;
		if (undo) {
			gm_ctx_unreserve(ctx, vma->vm_start,
					 vma->vm_end - vma->vm_start);
			continue;
		}
		ret = gm_ctx_reserve(ctx, vma->vm_start,
				     vma->vm_end - vma->vm_start);
		if (ret) {
			gm_ctx_reserve_vmas(ctx, vma->vm_start, true);
			return ret;
		}
	}
	return 0;
}

/**
 * gm_as_attach() - attach a device context to an address space
 * @as: address space, from gm_as_create()
 * @dev: GMEM device
 * @ctx_data: driver data of the context, see gm_context_data()
 *
 * Creates the device page table (gm_mmu.pmap_create) and reserves every
 * existing MAP_PEER_SHARED range on the device. From now on the device
 * may call gm_dev_fault() for this mm, and GMEM keeps its mappings
 * coherent. A device may attach to an address space once.
 *
 * Context: process context, may sleep; takes the mmap lock for write.
 * Return: the context or an ERR_PTR: -EBUSY if @dev is already attached,
 * -ENODEV if @dev is being destroyed, -ESRCH if the mm has exited,
 * -ENOMEM, or the driver's error.
 */
struct gm_context *gm_as_attach(struct gm_as *as, struct gm_dev *dev,
				void *ctx_data)
{
	struct mm_struct *mm = as->mm;
	struct gm_context *ctx, *other;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	ctx->as = as;
	ctx->dev = dev;
	ctx->data = ctx_data;

	if (!mmget_not_zero(mm)) {
		ret = -ESRCH;
		goto err_free;
	}
	if (dev->mmu->pmap_create) {
		ret = dev->mmu->pmap_create(ctx);
		if (ret)
			goto err_mmput;
	}

	mmap_write_lock(mm);
	list_for_each_entry(other, &as->contexts, as_node) {
		if (other->dev == dev) {
			ret = -EBUSY;
			goto err_unlock;
		}
	}
	ret = gm_ctx_reserve_vmas(ctx, ULONG_MAX, false);
	if (ret)
		goto err_unlock;
	/*
	 * The driver stops attaching before gm_dev_destroy() (see there);
	 * this catches one that does not, as long as @dev is still there:
	 * checked under as->lock, which gm_dev_revoke_contexts() takes after
	 * setting dev->dying, so either it finds this context or we see it.
	 */
	mutex_lock(&as->lock);
	if (READ_ONCE(dev->dying)) {
		mutex_unlock(&as->lock);
		gm_ctx_reserve_vmas(ctx, ULONG_MAX, true);
		ret = -ENODEV;
		goto err_unlock;
	}
	refcount_inc(&as->refcount);
	/* Until gm_as_detach(), which may run as gm_dev_destroy() ends. */
	kobject_get(&dev->kobj);
	list_add_tail(&ctx->as_node, &as->contexts);
	mutex_unlock(&as->lock);
	mmap_write_unlock(mm);
	mmput(mm);
	return ctx;

err_unlock:
	mmap_write_unlock(mm);
	if (dev->mmu->pmap_destroy)
		dev->mmu->pmap_destroy(ctx);
err_mmput:
	mmput(mm);
err_free:
	kfree(ctx);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(gm_as_attach);

/*
 * Take @ctx off its address space: unmap everything it maps and release
 * its reservations. Called with the mmap lock held for write, under which
 * a context is torn down once: by gm_as_detach(), or earlier by
 * gm_dev_destroy() revoking it. Returns whether it did; the caller then
 * destroys the page table.
 */
static bool gm_ctx_teardown(struct gm_context *ctx)
{
	struct gm_as *as = ctx->as;
	struct mm_struct *mm = as->mm;

	mmap_assert_write_locked(mm);
	if (ctx->revoked)
		return false;
	mutex_lock(&as->lock);
	list_del(&ctx->as_node);
	/* The mm's own bound: TASK_SIZE is the caller's, 4 GiB if 32-bit. */
	gm_ctx_unmap(ctx, 0, mm->task_size);
	ctx->revoked = true;
	mutex_unlock(&as->lock);
	/*
	 * Release the reservations unless exit_mmap() has destroyed the VMA
	 * tree (it released them VMA by VMA before that).
	 */
	if (!mtree_empty(&mm->mm_mt))
		gm_ctx_reserve_vmas(ctx, ULONG_MAX, true);
	return true;
}

/**
 * gm_as_detach() - detach a device context from its address space
 * @ctx: from gm_as_attach()
 *
 * Releases the device's reservations and mappings, destroys its page
 * table and drops the context's references on the address space and on
 * the device's structure. Pages the device holds stay valid: the CPU
 * fetches them on touch, and gm_dev_destroy() moves the rest back to host
 * memory. A context that gm_dev_destroy() revoked is only freed. The
 * driver's pmap_destroy() for it runs before a concurrent gm_dev_destroy()
 * returns, and the context's reference keeps GMEM's device structure
 * until this call's end.
 *
 * Context: process context, may sleep; takes the mmap lock for write.
 */
void gm_as_detach(struct gm_context *ctx)
{
	struct gm_as *as = ctx->as;
	struct gm_dev *dev = ctx->dev;

	/* The mm may have exited: gm_as holds mm_count, so its lock is there. */
	mmap_write_lock(as->mm);
	/*
	 * An eviction round of the device may hold @ctx for a deferred TLB
	 * flush (gm_evict_defer_unmap()) without the mmap lock: tear it down
	 * only between rounds. A revoked context was torn down so, and its
	 * device may be gone.
	 */
	if (!ctx->revoked) {
		mutex_lock(&dev->evict_lock);
		/*
		 * The page table goes under the lock gm_dev_destroy() waits
		 * on once its revoke is done: never after destroy returned.
		 */
		if (gm_ctx_teardown(ctx) && dev->mmu->pmap_destroy)
			dev->mmu->pmap_destroy(ctx);
		mutex_unlock(&dev->evict_lock);
	}
	mmap_write_unlock(as->mm);
	kfree(ctx);
	gm_as_put(as);
	kobject_put(&dev->kobj);
}
EXPORT_SYMBOL_GPL(gm_as_detach);

/*
 * Pick an address space that still has a context of @dev, and take a
 * reference on it; NULL when none is left.
 */
static struct gm_as *gm_dev_next_attached(struct gm_dev *dev)
{
	struct gm_as *as, *found = NULL;

	mutex_lock(&gm_global_lock);
	list_for_each_entry(as, &gm_address_spaces, node) {
		mutex_lock(&as->lock);
		if (gm_as_find_ctx(as, dev) &&
		    refcount_inc_not_zero(&as->refcount))
			found = as;
		mutex_unlock(&as->lock);
		if (found)
			break;
	}
	mutex_unlock(&gm_global_lock);
	return found;
}

/**
 * gm_dev_revoke_contexts() - take every context of a dying device away
 * @dev: device in gm_dev_destroy()
 *
 * Hot-unplug: processes may still have the device open. Their contexts
 * lose their mappings, reservations and page tables now, as at detach, and
 * stay allocated until the driver's gm_as_detach(), which then only frees
 * them. No context can be attached to @dev from here on.
 */
void gm_dev_revoke_contexts(struct gm_dev *dev)
{
	struct gm_as *as;

	WRITE_ONCE(dev->dying, true);
	while ((as = gm_dev_next_attached(dev))) {
		struct gm_context *ctx;

		/*
		 * Found again under the lock a concurrent gm_as_detach() takes;
		 * which frees @ctx once it is revoked, so its page table goes
		 * under that lock too.
		 */
		mmap_write_lock(as->mm);
		ctx = gm_as_find_ctx(as, dev);
		/* Between eviction rounds, as in gm_as_detach(). */
		mutex_lock(&dev->evict_lock);
		if (ctx && gm_ctx_teardown(ctx) && dev->mmu->pmap_destroy)
			dev->mmu->pmap_destroy(ctx);
		mutex_unlock(&dev->evict_lock);
		mmap_write_unlock(as->mm);
		gm_as_put(as);
	}
}

/**
 * gm_context_data() - driver data of a context
 * @ctx: device context
 *
 * Return: the @ctx_data given to gm_as_attach().
 */
void *gm_context_data(struct gm_context *ctx)
{
	return ctx->data;
}
EXPORT_SYMBOL_GPL(gm_context_data);

/**
 * gm_context_dev() - device of a context
 * @ctx: device context
 *
 * Return: the device given to gm_as_attach().
 */
struct gm_dev *gm_context_dev(struct gm_context *ctx)
{
	return ctx->dev;
}
EXPORT_SYMBOL_GPL(gm_context_dev);

/**
 * gm_get_unmapped_area() - place a MAP_PEER_SHARED mapping
 * @file: NULL: peer-shared mappings are anonymous
 * @addr: the caller's address (a hint, or MAP_FIXED's), or 0
 * @len: length of the mapping
 * @pgoff: page offset, passed on
 * @flags: mmap() flags
 *
 * Unless the caller gives an address, a peer-shared mapping starts on a
 * 2 MiB boundary whatever its length: policies that reason in 2 MiB blocks
 * of the address (the tree prefetcher, after UVM's) then split a buffer
 * the same way in every run, where ASLR would put it anywhere in its
 * block. The cost: the search asks for 2 MiB more address space, and
 * these mappings keep 9 bits less of ASLR.
 *
 * Return: the address, or the error of the mm's get_unmapped_area().
 */
unsigned long gm_get_unmapped_area(struct file *file, unsigned long addr,
				   unsigned long len, unsigned long pgoff,
				   unsigned long flags)
{
	unsigned long (*get_area)(struct file *file, unsigned long addr,
				  unsigned long len, unsigned long pgoff,
				  unsigned long flags);
	unsigned long start;

	get_area = current->mm->get_unmapped_area;
	if (addr || (flags & MAP_FIXED))
		return get_area(file, addr, len, pgoff, flags);
	/* get_unmapped_area() checked len <= TASK_SIZE: no overflow. */
	start = get_area(file, 0, len + SZ_2M, pgoff, flags);
	/* No room for the padding: room for the mapping will do. */
	if (IS_ERR_VALUE(start))
		return get_area(file, 0, len, pgoff, flags);
	return ALIGN(start, SZ_2M);
}

/**
 * gm_peer_shared_reserve() - reserve a new peer-shared range on all devices
 * @mm: the mm, with its mmap lock held for write
 * @start: start of the range
 * @len: its length
 *
 * Called by mmap() for a MAP_PEER_SHARED mapping once what was mapped in
 * the range is gone, before the new mapping is made. A refusal then leaves
 * nothing to undo: undoing a mapping already merged with its neighbours
 * would take a split, and a split can fail. If mmap() fails later, it
 * calls gm_peer_shared_unreserve().
 *
 * Return: 0, -ENOMEM if the address space has no room for the range's
 * attributes (gm_attr_room()), or the first device's error.
 */
int gm_peer_shared_reserve(struct mm_struct *mm, unsigned long start,
			   unsigned long len)
{
	struct gm_as *as = mm->gm_as;
	struct gm_context *ctx, *done;
	int ret;

	if (!as)
		return 0;
	ret = gm_attr_room(as);
	if (ret)
		return ret;
	list_for_each_entry(ctx, &as->contexts, as_node) {
		ret = gm_ctx_reserve(ctx, start, len);
		if (!ret)
			continue;
		list_for_each_entry(done, &as->contexts, as_node) {
			if (done == ctx)
				break;
			gm_ctx_unreserve(done, start, len);
		}
		return ret;
	}
	return 0;
}

/**
 * gm_peer_shared_unreserve() - release a peer-shared range on all devices
 * @mm: the mm, with its mmap lock held
 * @start: start of the range
 * @len: its length
 *
 * For an mmap() that fails after gm_peer_shared_reserve(), and for the
 * mappings munmap() or exit removes (gm_peer_shared_unmap()).
 */
void gm_peer_shared_unreserve(struct mm_struct *mm, unsigned long start,
			      unsigned long len)
{
	struct gm_as *as = mm->gm_as;
	struct gm_context *ctx;

	if (!as)
		return;
	list_for_each_entry(ctx, &as->contexts, as_node)
		gm_ctx_unreserve(ctx, start, len);
}

/**
 * gm_peer_shared_unmap() - release a peer-shared range on all devices
 * @vma: a VM_PEER_SHARED VMA being removed, mmap lock held
 *
 * Called for each VMA munmap() or exit removes; after a partial munmap
 * the VMA is the part removed.
 */
void gm_peer_shared_unmap(struct vm_area_struct *vma)
{
	struct gm_as *as = vma->vm_mm->gm_as;

	if (!as)
		return;
	/*
	 * A failure would leave the range's attributes, PINNED among them,
	 * to the next mapping at this address: the few nodes a split takes
	 * are worth __GFP_NOFAIL.
	 */
	mutex_lock(&as->attrs_lock);
	mtree_store_range(&as->attrs, vma->vm_start, vma->vm_end - 1, NULL,
			  GFP_KERNEL_ACCOUNT | __GFP_NOFAIL);
	/* It may split a range in two (gm_attr_reserve()). */
	as->attr_ranges++;
	mutex_unlock(&as->attrs_lock);
	gm_peer_shared_unreserve(vma->vm_mm, vma->vm_start,
				 vma->vm_end - vma->vm_start);
}
