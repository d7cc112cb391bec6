// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM migration and faults: CPU faults on device pages and device
 * faults that migrate pages to a device or map resident ones.
 */

#include <linux/sort.h>

#include "internal.h"
#include <trace/events/gmem.h>

/*
 * Copy the device page of migrate_vma source entry @src into a new locked
 * host page, allocated for @addr of @vma (if not NULL) or, unless @nid is
 * NUMA_NO_NODE, on node @nid, and set *@dst to its destination entry with
 * @src's write permission. Returns 0, -ENOMEM or -EIO (copy failed).
 * Six arguments at most: fentry programs (bench/) attach here.
 */
int gm_copy_to_host(struct gm_dev *dev, unsigned long src,
		    struct vm_area_struct *vma, unsigned long addr, int nid,
		    unsigned long *dst)
{
	struct page *spage = migrate_pfn_to_page(src), *dpage;

	if (nid != NUMA_NO_NODE)
		dpage = alloc_pages_node(nid, GFP_HIGHUSER_MOVABLE |
					 __GFP_THISNODE, 0);
	else if (vma)
		dpage = alloc_page_vma(GFP_HIGHUSER_MOVABLE, vma, addr);
	else
		dpage = alloc_page(GFP_HIGHUSER_MOVABLE);
	if (!dpage)
		return -ENOMEM;
	lock_page(dpage);
	if (dev->mmu->prepare_page(dev, dpage, spage)) {
		unlock_page(dpage);
		put_page(dpage);
		return -EIO;
	}
	*dst = migrate_pfn(page_to_pfn(dpage)) | (src & MIGRATE_PFN_WRITE);
	return 0;
}

/*
 * CPU touched a page that lives on a device: bring it back to host memory.
 * The device mappings go in the notifier that migrate_vma_setup() fires.
 */
vm_fault_t gm_devmem_migrate_to_ram(struct vm_fault *vmf)
{
	struct gm_dev *dev = gm_page_dev(vmf->page);
	unsigned long src = 0, dst = 0;
	struct migrate_vma args = {
		.vma = vmf->vma,
		.start = vmf->address & PAGE_MASK,
		.end = (vmf->address & PAGE_MASK) + PAGE_SIZE,
		.src = &src,
		.dst = &dst,
		.pgmap_owner = dev,
		.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
		.fault_page = vmf->page,
	};
	struct gm_as *as = vmf->vma->vm_mm->gm_as;
	vm_fault_t ret = 0;
	int err;

	if (migrate_vma_setup(&args))
		return VM_FAULT_SIGBUS;
	/*
	 * No page: the entry went meanwhile (MADV_DONTNEED on another CPU),
	 * so nothing is left to bring back; the access faults again.
	 */
	if (!(src & MIGRATE_PFN_MIGRATE) || !migrate_pfn_to_page(src))
		goto finalize;

	err = gm_copy_to_host(dev, src, args.vma, args.start, NUMA_NO_NODE,
			      &dst);
	if (err) {
		ret = err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
		goto finalize;
	}
	migrate_vma_pages(&args);
	if (src & MIGRATE_PFN_MIGRATE) {
		atomic_long_inc(&dev->pages_to_host);
		trace_gmem_migrate(gm_dev_hnid(dev), args.start, 1, false,
				   GM_MIGRATE_CPU_FAULT);
		/* A forked child has the page but not the gm_as. */
		if (as) {
			mutex_lock(&as->lock);
			gm_lpt_set_host(as, args.start, dev, vmf->page, true);
			mutex_unlock(&as->lock);
		}
	}
finalize:
	migrate_vma_finalize(&args);
	return ret;
}

/* Called with the mmap lock held, which keeps the context list stable. */
struct gm_context *gm_as_find_ctx(struct gm_as *as, struct gm_dev *dev)
{
	struct gm_context *ctx;

	list_for_each_entry(ctx, &as->contexts, as_node) {
		if (ctx->dev == dev)
			return ctx;
	}
	return NULL;
}

static int gm_check_access(struct vm_area_struct *vma, bool write)
{
	if (!vma || !(vma->vm_flags & VM_PEER_SHARED))
		return -EFAULT;
	/*
	 * A device reaches only what HMM can mirror, readable mappings
	 * (hmm_range_fault() reports the pages of others as errors): a
	 * write-only mapping refuses device writes too.
	 */
	if (!(vma->vm_flags & VM_READ) ||
	    (write && !(vma->vm_flags & VM_WRITE)))
		return -EPERM;
	return 0;
}

/*
 * Map on @ctx's device the pages of the range at @start a migration just
 * moved, whose records (marked, so the notifier unmaps them) could be
 * stored: @moved selects them, @dst names them. Under as->lock, before
 * migrate_vma_finalize(), as test_hmm maps. Returns the pages mapped.
 */
static unsigned long gm_map_moved(struct gm_context *ctx, unsigned long start,
				  const unsigned long *dst, unsigned long moved,
				  unsigned int npages)
{
	unsigned long i, mapped = 0;

	for_each_set_bit(i, &moved, npages) {
		if (gm_ctx_map(ctx, start + (i << PAGE_SHIFT),
			       migrate_pfn_to_page(dst[i]),
			       GM_PROT_READ | (dst[i] & MIGRATE_PFN_WRITE ?
					       GM_PROT_WRITE : 0)))
			break;
		__set_bit(i, &mapped);
	}
	return mapped;
}

/*
 * Migrate [start, end), inside one VMA, to @ctx's device, and map there
 * what moved. The caller holds the mmap lock for read. Returns 0 when all
 * of it moved, -EAGAIN when some page must first be faulted in on the CPU
 * (it lives on another device, is shared copy-on-write but written, or is
 * busy), -ENOMEM when the device is full, or the driver's error. Sets in
 * *@migrated the pages that moved and those of them it mapped.
 *
 * Until migrate_vma_finalize(), a concurrent MADV_DONTNEED (mmap lock for
 * read, like us) may zap a migration entry, and finalize then frees the
 * new page: a device must not keep a mapping of it. So the moved pages are
 * mapped only if no invalidation met the range since before the migration
 * began, but its own (gm_snapshot): one that comes later finds their
 * records marked and unmaps them. Else gm_map_range() maps from a snapshot
 * of the CPU page table, which shows what stuck.
 */
int gm_migrate_to_dev(struct gm_context *ctx, unsigned long start,
		      unsigned long end, bool write, int reason,
		      struct gm_migrated *migrated)
{
	/* Six arguments at most: fentry programs (bench/) attach here. */
	struct vm_area_struct *vma = vma_lookup(ctx->as->mm, start);
	unsigned long src[GM_MIGRATE_BATCH] = { 0 }, dst[GM_MIGRATE_BATCH] = { 0 };
	struct gm_dev *dev = ctx->dev;
	struct gm_as *as = ctx->as;
	struct migrate_vma args = {
		.vma = vma,
		.start = start,
		.end = end,
		.src = src,
		.dst = dst,
		.pgmap_owner = dev,
		.flags = MIGRATE_VMA_SELECT_SYSTEM,
	};
	struct gm_snapshot snap = {
		.start = start,
		.end = end,
		.migrating = current,
		.owner = dev,
	};
	unsigned long i, moved = 0, recorded, thrashing;
	unsigned long npages = (end - start) >> PAGE_SHIFT;
	struct gm_attr_cursor attrs = GM_ATTR_CURSOR_INIT;
	unsigned int taken = 0;		/* frames not tracked yet */
	unsigned long began;
	int ret = 0;

	migrated->moved = 0;
	migrated->mapped = 0;
	if (WARN_ON_ONCE(npages > GM_MIGRATE_BATCH || !vma || end > vma->vm_end))
		return -EINVAL;
	gm_snapshot_begin(as, &snap);
	ret = migrate_vma_setup(&args);
	if (ret) {
		mutex_lock(&as->lock);
		list_del(&snap.node);
		mutex_unlock(&as->lock);
		return ret;
	}
	/*
	 * The clock before the batch evicts for its own pages, which is no
	 * time they spent away (gm_lpt_set_device()). After setup: a page it
	 * collected was stamped when it left, before this.
	 */
	began = atomic_long_read(&gm_evict_clock);

	for (i = 0; i < npages; i++) {
		struct page *spage = migrate_pfn_to_page(src[i]);
		struct page *dpage;
		int err;

		if (!(src[i] & MIGRATE_PFN_MIGRATE) ||
		    (write && spage && !(src[i] & MIGRATE_PFN_WRITE))) {
			ret = ret ?: -EAGAIN;
			continue;
		}
		dpage = gm_dev_alloc_evicting(dev, as, taken);
		if (!dpage) {
			ret = fatal_signal_pending(current) ? -EINTR : -ENOMEM;
			break;
		}
		taken++;
		err = dev->mmu->prepare_page(dev, dpage, spage);
		if (err) {
			unlock_page(dpage);
			put_page(dpage);
			ret = err;
			break;
		}
		dst[i] = migrate_pfn(page_to_pfn(dpage));
		if ((src[i] & MIGRATE_PFN_WRITE) ||
		    (!spage && (vma->vm_flags & VM_WRITE)))
			dst[i] |= MIGRATE_PFN_WRITE;
	}

	migrate_vma_pages(&args);

	for (i = 0; i < npages; i++) {
		if (!dst[i])
			continue;
		if (src[i] & MIGRATE_PFN_MIGRATE)
			__set_bit(i, &moved);
		else
			ret = ret ?: -EAGAIN;
	}
	atomic_long_add(hweight_long(moved), &dev->pages_to_dev);
	migrated->moved = moved;

	/*
	 * Record the arrivals (thrashing history), put the frames on the LRU
	 * and map them, each under one lock hold for the batch. A page whose
	 * migration does not stick is freed by finalize, which takes its
	 * frame off the LRU again.
	 */
	mutex_lock(&as->lock);
	list_del(&snap.node);
	recorded = moved;
	thrashing = gm_lpt_set_device(as, start, dev, dst, &recorded, npages,
				      began);
	spin_lock(&dev->lock);
	for_each_set_bit(i, &moved, npages) {
		unsigned long va = start + (i << PAGE_SHIFT);

		gm_frame_track(dev, migrate_pfn_to_page(dst[i]), as, va,
			       (test_bit(i, &thrashing) ?
				GMEM_PAGE_THRASHING : 0) |
			       (reason == GM_MIGRATE_PREFETCH ?
				GMEM_PAGE_PREFETCHED : 0),
			       gm_attr_at(as, &attrs, va));
	}
	spin_unlock(&dev->lock);
	if (!snap.overtaken)
		migrated->mapped = gm_map_moved(ctx, start, dst, recorded,
						npages);
	mutex_unlock(&as->lock);
	migrate_vma_finalize(&args);
	if (moved)
		trace_gmem_migrate(gm_dev_hnid(dev), start, hweight_long(moved),
				   true, reason);
	return ret;
}

/**
 * gm_map_range() - map on a device the pages of a range in its memory
 * @ctx: the device's context
 * @start: page aligned start
 * @end: page aligned end, at most GM_MIGRATE_BATCH pages after @start
 * @fresh: bit i set: page i was just migrated in by the caller, and its
 *	policy heard of it (page_added)
 * @flags: for the others: 0, a device fault's use of them (page_accessed);
 *	GMEM_PAGE_PREFETCHED, a prefetch's, which is no use of them. With
 *	GM_MAP_REMOTE, host pages are mapped too, remotely (gm_mmu.remote_map);
 *	with GM_MAP_FAULT, missing pages are faulted in on the CPU first
 *	(those on other devices come back to host memory); with GM_MAP_WRITE,
 *	only pages the CPU page table lets be written are mapped (and
 *	faulted in for writing).
 * @mapped: out: bit i set: page i is mapped
 *
 * HMM's contract (Documentation/mm/hmm.rst): snapshot the CPU page table
 * with hmm_range_fault() under a notifier sequence, then commit under
 * as->lock, which the notifier takes, only if no invalidation ran since.
 * One notifier covers the whole mm, so "since" is narrowed to the range
 * (gm_snapshot_begin()). A page dropped or moved meanwhile is not in the
 * snapshot, so a device never maps a page the CPU page table does not
 * hold. Pages elsewhere are left alone. The caller holds the mmap lock
 * for read.
 *
 * Return: 0; -EBUSY when the range changed meanwhile; -ENOMEM when a
 * page's record cannot be stored (neither it nor the pages after it are
 * mapped then); or the driver's error.
 */
int gm_map_range(struct gm_context *ctx, unsigned long start,
		 unsigned long end, unsigned long fresh, unsigned int flags,
		 unsigned long *mapped)
{
	/* Six arguments at most: fentry programs (bench/) attach here. */
	bool write = flags & GM_MAP_WRITE;
	unsigned long i, which = 0, noted, used = 0, pfns[GM_MIGRATE_BATCH];
	unsigned int npages = (end - start) >> PAGE_SHIFT;
	struct gm_as *as = ctx->as;
	struct hmm_range range = {
		.notifier = &as->notifier,
		.start = start,
		.end = end,
		.hmm_pfns = pfns,
		.dev_private_owner = ctx->dev,
	};
	struct gm_snapshot snap = { .start = start, .end = end };
	struct gm_attr_cursor attrs = GM_ATTR_CURSOR_INIT;
	int ret, tries = 0;

	*mapped = 0;
	if (WARN_ON_ONCE(end - start > GM_MIGRATE_BATCH * PAGE_SIZE))
		return -EINVAL;
	if (flags & GM_MAP_FAULT)
		range.default_flags = HMM_PFN_REQ_FAULT |
				      (write ? HMM_PFN_REQ_WRITE : 0);
	range.notifier_seq = gm_snapshot_begin(as, &snap);
	atomic_long_inc(&ctx->dev->map_snapshots);
	/*
	 * hmm_range_fault() gives up when the mm-wide sequence moves: if the
	 * range is untouched, that is no reason to return.
	 */
	while ((ret = hmm_range_fault(&range)) == -EBUSY &&
	       !READ_ONCE(snap.overtaken) && ++tries < GM_SNAPSHOT_TRIES)
		range.notifier_seq = gm_snapshot_seq(as);

	mutex_lock(&as->lock);
	list_del(&snap.node);
	if (ret || snap.overtaken) {
		mutex_unlock(&as->lock);
		ret = ret ?: -EBUSY;
		/* A device fault's, overtaken: a cost others' changes cause. */
		if (ret == -EBUSY && !(flags & GMEM_PAGE_PREFETCHED))
			atomic_long_inc(&ctx->dev->fault_retries);
		return ret;
	}
	/* What to map: this device's pages; with GM_MAP_REMOTE, host pages. */
	for (i = 0; i < npages; i++) {
		struct page *page;

		if (!(pfns[i] & HMM_PFN_VALID) ||
		    (write && !(pfns[i] & HMM_PFN_WRITE)))
			continue;
		page = hmm_pfn_to_page(pfns[i]);
		if (is_device_private_page(page) ?
		    page->pgmap == &ctx->dev->pagemap :
		    flags & GM_MAP_REMOTE)
			__set_bit(i, &which);
	}
	/*
	 * Their records first, in one pass. A page noted but not mapped, as
	 * the driver failed before it, keeps its mark until the range's next
	 * invalidation: a mark too many costs an unmap (and lets a late
	 * access counter report in), one too few would leave a mapping
	 * behind.
	 */
	noted = gm_lpt_note_mapped(as, start, ctx->dev, pfns, which, npages);
	for_each_set_bit(i, &noted, npages) {
		unsigned long va = start + (i << PAGE_SHIFT);
		bool writable = pfns[i] & HMM_PFN_WRITE;
		unsigned int prot = GM_PROT_READ |
				    (writable ? GM_PROT_WRITE : 0);
		struct page *page = hmm_pfn_to_page(pfns[i]);

		if (is_device_private_page(page)) {
			ret = gm_ctx_map(ctx, va, page, prot);
			if (ret)
				break;
			__set_bit(i, mapped);
			if (!test_bit(i, &fresh))
				__set_bit(i, &used);
			continue;
		}
		ret = ctx->dev->mmu->remote_map(ctx, va, page, prot);
		if (ret)
			break;
		/*
		 * The device's writes dirty no CPU PTE: a page freed lazily
		 * (MADV_FREE) must not be dropped as clean.
		 */
		if (writable)
			set_page_dirty(page);
		atomic_long_inc(&ctx->dev->remote_maps);
		__set_bit(i, mapped);
	}
	if (!ret && noted != which)
		ret = -ENOMEM;
	/* The device's pages here before: one lock hold for their uses. */
	if (used) {
		spin_lock(&ctx->dev->lock);
		for_each_set_bit(i, &used, npages) {
			unsigned long va = start + (i << PAGE_SHIFT);

			gm_frame_track(ctx->dev, hmm_pfn_to_page(pfns[i]), as,
				       va, flags & GMEM_PAGE_PREFETCHED,
				       gm_attr_at(as, &attrs, va));
		}
		spin_unlock(&ctx->dev->lock);
	}
	mutex_unlock(&as->lock);
	return ret;
}

/*
 * gm_map_range(), a snapshot an invalidation overtook taken again, as
 * faults do, until @timeout (jiffies) or a fatal signal; then -EBUSY.
 */
int gm_map_range_retry(struct gm_context *ctx, unsigned long start,
		       unsigned long end, unsigned long fresh,
		       unsigned int flags, unsigned long timeout,
		       unsigned long *mapped)
{
	int ret;

	for (;;) {
		ret = gm_map_range(ctx, start, end, fresh, flags, mapped);
		if (ret != -EBUSY || fatal_signal_pending(current) ||
		    time_after_eq(jiffies, timeout))
			return ret;
		cond_resched();
	}
}

/*
 * Map the page at @va if it is in @ctx's device memory, or with @remote,
 * wherever it is: from host memory, faulted in there first if needed.
 * Returns 0 when mapped, -EAGAIN when the page is elsewhere (or read-only
 * for a write), -EBUSY when the CPU page table changed meanwhile.
 */
static int gm_map_resident(struct gm_context *ctx, unsigned long va,
			   bool write, unsigned long fresh, bool remote)
{
	unsigned long mapped;
	int ret = gm_map_range(ctx, va, va + PAGE_SIZE, fresh,
			       (remote ? GM_MAP_REMOTE | GM_MAP_FAULT : 0) |
			       (write ? GM_MAP_WRITE : 0), &mapped);

	return ret ?: (mapped ? 0 : -EAGAIN);
}

/* Let the CPU fault the page in (from another device, or breaking COW). */
static int gm_cpu_fault(struct vm_area_struct *vma, unsigned long va,
			bool write)
{
	unsigned int flags = write ? FAULT_FLAG_WRITE : 0;
	vm_fault_t fault;

	if (vma->vm_mm != current->mm)
		flags |= FAULT_FLAG_REMOTE;
	fault = handle_mm_fault(vma, va, flags, NULL);
	if (fault & VM_FAULT_OOM)
		return -ENOMEM;
	if (fault & VM_FAULT_ERROR)
		return -EFAULT;
	return 0;
}

/*
 * migrate_vma_setup() splits a transparent huge page mapped by a PMD, but
 * skips one mapped by PTEs (left so by a partial mprotect() or munmap()),
 * which would then never move, and the device would fault on it forever:
 * split it here. The caller holds the mmap lock for read.
 */
static void gm_split_pte_mapped_thp(struct vm_area_struct *vma,
				    unsigned long va)
{
	struct page *page = follow_page(vma, va, FOLL_GET);

	if (IS_ERR_OR_NULL(page))
		return;
	if (PageTransCompound(page) && !PageHuge(page) && trylock_page(page)) {
		split_huge_page(page);
		unlock_page(page);
	}
	put_page(page);
}

/*
 * Make the page at @va resident and mapped on @ctx's device, or with
 * @remote mapped from host memory; the caller holds the mmap lock for
 * read. Adds the pages it moved to the device to *@moved, if given: other
 * tasks move pages to the device meanwhile. See gm_dev_fault() for the
 * return values.
 *
 * A snapshot that an invalidation of its range overtook (-EBUSY) is
 * retried until HMM_RANGE_DEFAULT_TIMEOUT, as HMM's users do; a page that
 * has to come through the CPU first (-EAGAIN) is faulted in at most
 * GM_FAULT_TRIES times.
 */
int gm_fault_locked(struct gm_context *ctx, unsigned long va,
		    bool write, bool remote, unsigned long *moved)
{
	unsigned long timeout = jiffies +
				msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	struct mm_struct *mm = ctx->as->mm;
	struct gm_migrated migrated = {};	/* by this fault */
	struct vm_area_struct *vma;
	int cpu_faults = 0, ret;

	for (;;) {
		vma = vma_lookup(mm, va);
		ret = gm_check_access(vma, write);
		if (ret)
			break;
		ret = gm_map_resident(ctx, va, write, migrated.moved, remote);
		if (ret == -EAGAIN && !remote) {
			atomic_long_inc(&ctx->dev->fault_migrations);
			ret = gm_migrate_to_dev(ctx, va, va + PAGE_SIZE,
						write, GM_MIGRATE_FAULT,
						&migrated);
			if (moved)
				*moved += hweight_long(migrated.moved);
			/* Moved but not mapped: the next round maps it. */
			if (!ret && !migrated.mapped)
				ret = -EBUSY;
		}
		if (ret != -EAGAIN && ret != -EBUSY)
			break;
		if (ret == -EAGAIN) {
			if (++cpu_faults > GM_FAULT_TRIES) {
				ret = -EBUSY;
				break;
			}
			ret = gm_cpu_fault(vma, va, write);
			if (ret)
				break;
			gm_split_pte_mapped_thp(vma, va);
		}
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (time_after(jiffies, timeout)) {
			ret = -EBUSY;
			break;
		}
		cond_resched();
	}
	return ret;
}

/*
 * @dev's context in @mm, with @mm pinned and its mmap lock held for read
 * (gm_fault_exit() lets go); or an error of gm_dev_fault().
 */
static struct gm_context *gm_fault_enter(struct mm_struct *mm,
					 struct gm_dev *dev)
{
	struct gm_context *ctx;

	if (!dev->nr_pages)
		return ERR_PTR(-ENOMEM);
	if (!mmget_not_zero(mm))
		return ERR_PTR(-ESRCH);
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return ERR_PTR(-EINTR);
	}
	ctx = mm->gm_as ? gm_as_find_ctx(mm->gm_as, dev) : NULL;
	if (ctx)
		return ctx;
	mmap_read_unlock(mm);
	mmput(mm);
	return ERR_PTR(-ENODEV);
}

static void gm_fault_exit(struct mm_struct *mm)
{
	mmap_read_unlock(mm);
	mmput(mm);
}

/**
 * gm_dev_fault() - resolve a device page fault
 * @mm: address space the device faulted in
 * @va: faulting virtual address
 * @dev: the faulting device, attached to @mm's gm_as
 * @flags: GM_FAULT_WRITE for a write access
 *
 * Makes the page at @va resident in @dev's memory and mapped on the device
 * with the access the CPU mapping allows: an untouched page becomes a
 * zero-filled device page, a host page migrates to the device, a page on
 * another device moves through host memory, a page already on the device
 * is just mapped. Unless the policy's place hook (by default, the range's
 * hints: docs/hmadvise.md) has the device map it from host memory: then
 * it stays there, or comes back there from another device, and the device
 * reaches it over its link (gm_mmu.remote_map).
 *
 * Context: process context, may sleep; takes the mmap lock for read.
 * Return: 0; -EFAULT if @va is not in a MAP_PEER_SHARED mapping of @mm;
 * -EPERM if its protection forbids the access (a device needs a readable
 * mapping, and a writable one to write); -ENODEV if @dev is not
 * attached to @mm; -ESRCH if @mm has exited; -ENOMEM if device memory is
 * full (or GMEM could not allocate its record of the page); -EINTR on a
 * fatal signal; -EBUSY if the page could not be pinned down (the CPU
 * page table kept changing for HMM_RANGE_DEFAULT_TIMEOUT ms, or
 * GM_FAULT_TRIES CPU faults did not bring it within reach); or the
 * driver's error.
 */
int gm_dev_fault(struct mm_struct *mm, unsigned long va, struct gm_dev *dev,
		 unsigned int flags)
{
	bool write = flags & GM_FAULT_WRITE, remote;
	unsigned long page = va & PAGE_MASK;
	u64 start_ns = ktime_get_ns();
	struct gm_context *ctx;
	struct gm_fault fault;
	int ret, srcu_idx;

	ctx = gm_fault_enter(mm, dev);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		goto out;
	}
	srcu_idx = gm_fault_begin(&fault, ctx->as);
	atomic_long_inc(&dev->faults);
	atomic_long_inc(&mm->gm_as->faults);
	remote = gm_policy_place_remote(ctx, page,
					write ? GMEM_PLACE_WRITE : 0, 0);
	ret = gm_fault_locked(ctx, page, write, remote, NULL);
	/*
	 * Migrating a range unmaps it on the device first, the page just
	 * faulted in too if the policy's range covers it: map it again, or
	 * the device would fault on it again, and again. A page left in
	 * host memory is no pattern to prefetch from.
	 */
	if (!ret && !remote && gm_policy_prefetch(ctx, page, write))
		ret = gm_fault_locked(ctx, page, write, false, NULL);
	gm_fault_end(&fault, srcu_idx);
	gm_fault_exit(mm);
out:
	trace_gmem_fault(gm_dev_hnid(dev), va, flags & GM_FAULT_WRITE, ret,
			 ktime_get_ns() - start_ns);
	return ret;
}
EXPORT_SYMBOL_GPL(gm_dev_fault);

/*
 * Batch order: reads, then writes, each by page, so that runs form even
 * where the device both reads and writes pages.
 */
static int gm_fault_entry_cmp(const void *a, const void *b)
{
	const struct gm_fault_entry *x = a, *y = b;
	unsigned long px = x->va & PAGE_MASK, py = y->va & PAGE_MASK;
	int wx = x->flags & GM_FAULT_WRITE, wy = y->flags & GM_FAULT_WRITE;

	if (wx != wy)
		return wx - wy;
	return px == py ? 0 : px < py ? -1 : 1;
}

/*
 * Map on the device the pages it faulted on in [start, end), one VMA, as
 * gm_fault_locked() does for one: what is in its memory is mapped; the
 * host pages among the rest are migrated, a migration per gap between
 * mapped pages (one across them would unmap them: its invalidation
 * covers its whole range), which maps what it moved. Unless every gap's
 * migration mapped all of it, all is mapped again from a snapshot (a
 * migration may also unmap pages next to those it moves: a THP split). A
 * page still not mapped (elsewhere, busy, copy-on-write for a write)
 * takes the single fault's way. Each of @faults, the run's entries, gets
 * its page's result.
 */
static void gm_fault_run(struct gm_context *ctx, unsigned long start,
			 unsigned long end, bool write,
			 struct gm_fault_entry *faults, unsigned int nr)
{
	unsigned long timeout = jiffies +
				msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	unsigned int i, gap, gap_end, npages = (end - start) >> PAGE_SHIFT;
	unsigned int flags = write ? GM_MAP_WRITE : 0;
	unsigned long all = GENMASK(npages - 1, 0), mapped = 0, seen, done, va;
	struct gm_migrated migrated;

	/* An error leaves the pages it did not map to the single faults. */
	gm_map_range(ctx, start, end, 0, flags, &mapped);
	if (mapped != all) {
		/* Its policy hears of each page once: arrived, or used. */
		seen = mapped;
		done = mapped;
		for_each_clear_bitrange(gap, gap_end, &mapped, npages) {
			atomic_long_inc(&ctx->dev->fault_migrations);
			gm_migrate_to_dev(ctx, start + gap * PAGE_SIZE,
					  start + gap_end * PAGE_SIZE, write,
					  GM_MIGRATE_FAULT, &migrated);
			seen |= migrated.moved << gap;
			done |= migrated.mapped << gap;
		}
		mapped = done;
		if (done != all)
			gm_map_range_retry(ctx, start, end, seen, flags,
					   timeout, &mapped);
	}
	for (i = 0; i < nr; i++) {
		va = faults[i].va & PAGE_MASK;
		if (i && va == (faults[i - 1].va & PAGE_MASK))
			faults[i].result = faults[i - 1].result;
		else if (test_bit((va - start) >> PAGE_SHIFT, &mapped))
			faults[i].result = 0;
		else
			faults[i].result = gm_fault_locked(ctx, va, write,
							   false, NULL);
	}
}

/*
 * Resolve the faults from @faults[@first] on that form a run: the same
 * access to adjacent pages of one VMA, at most GM_MIGRATE_BATCH of them,
 * all to be migrated (their result says 0) rather than mapped remotely
 * (1), as gm_dev_fault_batch() asked the policy. A page to map remotely,
 * or that the access may not reach, is a run of its own, resolved as a
 * single fault. Returns the index past the run.
 */
static unsigned int gm_fault_batch_run(struct gm_context *ctx,
				       struct gm_fault_entry *faults,
				       unsigned int first, unsigned int nr)
{
	unsigned long start = faults[first].va & PAGE_MASK, end, va;
	bool write = faults[first].flags & GM_FAULT_WRITE;
	struct vm_area_struct *vma = vma_lookup(ctx->as->mm, start);
	unsigned int j = first + 1;
	int ret;

	if (faults[first].result || gm_check_access(vma, write)) {
		ret = gm_fault_locked(ctx, start, write, faults[first].result,
				      NULL);
		faults[first].result = ret;
		for (; j < nr && !gm_fault_entry_cmp(&faults[j], &faults[first]);
		     j++)
			faults[j].result = ret;
		return j;
	}
	for (end = start + PAGE_SIZE; j < nr; j++) {
		va = faults[j].va & PAGE_MASK;
		if ((faults[j].flags & GM_FAULT_WRITE) != write ||
		    faults[j].result)
			break;
		if (va == end - PAGE_SIZE)
			continue;
		if (va != end || end >= vma->vm_end ||
		    (end - start) >> PAGE_SHIFT >= GM_MIGRATE_BATCH)
			break;
		end += PAGE_SIZE;
	}
	gm_fault_run(ctx, start, end, write, faults + first, j - first);
	/* As after a single fault; its migration may unmap the run again. */
	if (!faults[j - 1].result &&
	    gm_policy_prefetch(ctx, end - PAGE_SIZE, write))
		gm_fault_run(ctx, start, end, write, faults + first,
			     j - first);
	return j;
}

/**
 * gm_dev_fault_batch() - resolve a batch of device page faults
 * @mm: address space the device faulted in
 * @dev: the faulting device, attached to @mm's gm_as
 * @faults: the faults, as a device's fault buffer holds them; sorted on
 *	return (reads, then writes, each by address)
 * @nr: how many, 1 to GM_FAULT_BATCH_MAX
 *
 * What gm_dev_fault() does for each, at the cost of fewer operations: one
 * mmap lock hold and one policy for the batch (the policy's place hook is
 * asked once per page, as by single faults); faults of the same access on
 * adjacent pages of one VMA, up to GM_MIGRATE_BATCH pages, are coalesced
 * into one migration and one mapping, and the policy's prefetch hook is
 * called once per such run, for its last page. A page that cannot be
 * handled with its run (elsewhere, busy) is resolved on its own.
 * Duplicates share one resolution. The batch gives up the mmap lock once
 * a writer waits for it, or after HMM_RANGE_DEFAULT_TIMEOUT: the faults
 * it did not get to then fail with -EBUSY, which a device replays.
 *
 * Context: process context, may sleep; takes the mmap lock for read.
 * Return: 0 when every fault was resolved, -EINVAL for a bad @nr (then no
 * entry is looked at), else the first error in the sorted order. Each
 * entry's own result is in @result, with gm_dev_fault()'s meanings; a
 * fatal signal gives the faults not yet resolved -EINTR.
 */
int gm_dev_fault_batch(struct mm_struct *mm, struct gm_dev *dev,
		       struct gm_fault_entry *faults, unsigned int nr)
{
	u64 start_ns = ktime_get_ns();
	unsigned long deadline;
	struct gm_context *ctx;
	struct gm_fault fault;
	unsigned int i, j;
	int ret = 0, srcu_idx;

	if (!nr || nr > GM_FAULT_BATCH_MAX)
		return -EINVAL;
	sort(faults, nr, sizeof(*faults), gm_fault_entry_cmp, NULL);
	ctx = gm_fault_enter(mm, dev);
	if (IS_ERR(ctx)) {
		for (i = 0; i < nr; i++)
			faults[i].result = PTR_ERR(ctx);
		goto out;
	}
	deadline = jiffies + msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	srcu_idx = gm_fault_begin(&fault, ctx->as);
	atomic_long_inc(&dev->fault_batches);
	atomic_long_add(nr, &dev->faults);
	atomic_long_add(nr, &mm->gm_as->faults);
	/* Where each page goes, asked once per page: 1 for a remote mapping. */
	for (i = 0; i < nr; i++) {
		unsigned long va = faults[i].va & PAGE_MASK;
		unsigned int how = faults[i].flags & GM_FAULT_WRITE ?
				   GMEM_PLACE_WRITE : 0;

		if (i && !gm_fault_entry_cmp(&faults[i], &faults[i - 1]))
			faults[i].result = faults[i - 1].result;
		else
			faults[i].result = gm_policy_place_remote(ctx, va, how, 0);
	}
	for (i = 0; i < nr; i = j) {
		/*
		 * The mmap lock is not held for long: once a writer waits for
		 * it or the batch took as long as one fault may, the faults
		 * left get -EBUSY, for the device to replay them.
		 */
		if (fatal_signal_pending(current) ||
		    (i && (mmap_lock_is_contended(mm) ||
			   time_after(jiffies, deadline)))) {
			ret = fatal_signal_pending(current) ? -EINTR : -EBUSY;
			for (j = i; j < nr; j++)
				faults[j].result = ret;
			ret = 0;
			break;
		}
		j = gm_fault_batch_run(ctx, faults, i, nr);
		cond_resched();
	}
	gm_fault_end(&fault, srcu_idx);
	gm_fault_exit(mm);
out:
	for (i = 0; i < nr; i++) {
		trace_gmem_fault(gm_dev_hnid(dev), faults[i].va,
				 faults[i].flags & GM_FAULT_WRITE,
				 faults[i].result, ktime_get_ns() - start_ns);
		ret = ret ?: faults[i].result;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(gm_dev_fault_batch);

/**
 * gm_dev_access_counter() - report a device's use of a page it maps remotely
 * @mm: address space of the page
 * @va: the page, mapped on @dev from host memory (gm_mmu.remote_map)
 * @dev: the device, attached to @mm's gm_as
 * @accesses: accesses to the page over the link since the last report
 *
 * What access counters on recent GPUs report: GMEM asks the policy's
 * place hook (GMEM_PLACE_COUNTER) whether the page should now move to
 * @dev, and if so migrates and maps it there. A device calls this when a
 * counter passes the threshold it was set to, not on every access.
 *
 * Context: process context, may sleep; takes the mmap lock for read.
 * Return: 0, whether the page moved or not (a report for a page no longer
 * mapped remotely is ignored); -EINVAL for no @accesses, or an error of
 * gm_dev_fault() from the migration.
 */
int gm_dev_access_counter(struct mm_struct *mm, unsigned long va,
			  struct gm_dev *dev, unsigned int accesses)
{
	struct gm_context *ctx;
	struct gm_fault fault;
	int ret = 0, srcu_idx;

	if (!accesses)
		return -EINVAL;
	ctx = gm_fault_enter(mm, dev);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	srcu_idx = gm_fault_begin(&fault, ctx->as);
	va &= PAGE_MASK;
	atomic_long_inc(&dev->counter_reports);
	/* Late: the mapping went meanwhile, and with it what was counted. */
	if (!xa_get_mark(&ctx->as->lpt, va >> PAGE_SHIFT, GM_LPT_REMOTE))
		goto out;
	if (!gm_policy_place_remote(ctx, va, GMEM_PLACE_COUNTER, accesses)) {
		ret = gm_fault_locked(ctx, va, false, false, NULL);
		if (!ret)
			atomic_long_inc(&dev->counter_migrations);
	}
out:
	gm_fault_end(&fault, srcu_idx);
	gm_fault_exit(mm);
	return ret;
}
EXPORT_SYMBOL_GPL(gm_dev_access_counter);
