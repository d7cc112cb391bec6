// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM policy calls: hooks called with validation, the kfuncs policies
 * decide with, and the default policy's victim choice.
 */

#include "internal.h"

static void gm_as_info(struct gm_as *as, struct gmem_as_info *info)
{
	info->id = as->id;
	info->pid = as->pid;
}

/*
 * Tell @p of a new binding of @as; false if it is being ejected: then it
 * is not told, and will not be told of the binding's end either.
 */
bool gm_policy_call_init(struct gm_policy *p, struct gm_as *as)
{
	struct gmem_as_info info;
	u64 start;
	int ret;

	if (!gm_policy_live(p))
		return false;
	if (!p->ops->init)
		return true;
	gm_as_info(as, &info);
	start = gm_policy_enter(p);
	rcu_read_lock();
	ret = p->ops->init(&info);
	rcu_read_unlock();
	gm_policy_leave(p, GM_HOOK_INIT, start, ret, false);
	return true;
}

void gm_policy_call_exit(struct gm_policy *p, struct gm_as *as)
{
	struct gmem_as_info info;
	u64 start;

	/*
	 * Even an ejected policy hears of the end of each binding it was
	 * told of, once: exit() is where it frees per-address-space state.
	 */
	if (!p->ops->exit)
		return;
	gm_as_info(as, &info);
	start = gm_policy_enter(p);
	rcu_read_lock();
	p->ops->exit(&info);
	rcu_read_unlock();
	gm_policy_leave(p, GM_HOOK_EXIT, start, 0, false);
}

/*
 * The placement hints of range attributes @attr for @dev: returns the
 * device the range prefers, or -1, and adds GMEM_PAGE_PREFER_HOST and
 * GMEM_PAGE_ACCESSED_BY to *@flags as they apply.
 */
static s32 gm_place_hints(struct gm_as *as, unsigned long attr,
			  struct gm_dev *dev, u32 *flags)
{
	unsigned long pref = attr & GM_ATTR_PREF_MASK;
	unsigned long set_id = (attr & GM_ATTR_ACCESSED_MASK) >>
			       GM_ATTR_ACCESSED_SHIFT;
	struct gm_dev_set *set;

	/* Sets only grow, and are freed with @as. */
	set = set_id ? xa_load(&as->accessed_sets, set_id) : NULL;
	if (set && test_bit(dev->id, set->ids))
		*flags |= GMEM_PAGE_ACCESSED_BY;
	if (pref && pref - 1 < nr_node_ids)
		*flags |= GMEM_PAGE_PREFER_HOST;
	else if (pref)
		return pref - 1 - nr_node_ids;
	return -1;
}

/*
 * Under dev->lock: tell @p about @frame of @dev; @referenced: the device
 * reported the access (gm_dev_frame_accessed()), no fault did. @attr: the
 * attributes of the frame's address if the caller read them, or NULL.
 */
void __gm_policy_page_event(struct gm_policy *p,
			    enum gm_policy_hook hook, struct gm_dev *dev,
			    struct gm_frame *frame, bool referenced,
			    const unsigned long *attr)
{
	void (*fn)(struct gmem_page *page);
	struct gmem_page page;
	unsigned long attr_val;
	long pending;
	u64 start;

	lockdep_assert_held(&dev->lock);
	if (!p || !gm_policy_live(p))
		return;
	fn = hook == GM_HOOK_PAGE_ADDED ? p->ops->page_added :
	     hook == GM_HOOK_PAGE_ACCESSED ? p->ops->page_accessed :
	     p->ops->page_removed;
	if (!fn || !frame->as)
		return;
	/* The page leaving is not among them, though it stays (an orphan). */
	pending = atomic_long_read(&dev->prefetched_pending);
	if (hook == GM_HOOK_PAGE_REMOVED)
		pending -= READ_ONCE(frame->pending);
	page = (struct gmem_page) {
		.va = frame->va,
		.as_id = frame->as->id,
		.dev = dev->id,
		.frame = frame - dev->frames,
		.flags = (frame->thrashing ? GMEM_PAGE_THRASHING : 0) |
			 (referenced ? GMEM_PAGE_REFERENCED : 0) |
			 (frame->prefetched ? GMEM_PAGE_PREFETCHED : 0) |
			 (frame->judged ? GMEM_PAGE_JUDGED : 0) |
			 (hook == GM_HOOK_PAGE_REMOVED &&
			  gm_frame_prefetch_unused(frame) ? GMEM_PAGE_UNUSED : 0),
		.prefetched_pending = clamp_val(pending, 0, U32_MAX),
	};
	attr_val = attr ? *attr : gm_attr_load(frame->as, frame->va);
	page.hint = gm_attr_hint(attr_val);
	page.preferred_dev = gm_place_hints(frame->as, attr_val, dev,
					    &page.flags);
	start = gm_policy_enter(p);
	rcu_read_lock();
	fn(&page);
	rcu_read_unlock();
	gm_policy_leave(p, hook, start, 0, false);
}

void gm_policy_page_event(struct gm_policy *p, enum gm_policy_hook hook,
			  struct gm_dev *dev, struct gm_frame *frame)
{
	__gm_policy_page_event(p, hook, dev, frame, false, NULL);
}

/*
 * What a fault's prefetch may add on @dev: GM_PREFETCH_BUDGET pages, and
 * at most a GM_PREFETCH_DEV_SHARE-th of the frames the address space may
 * hold there (the device's, or gm_as_max_pages).
 */
static unsigned long gm_prefetch_budget(struct gm_dev *dev)
{
	unsigned long room = dev->nr_pages, cap = READ_ONCE(gm_as_max_pages);

	if (cap && cap < room)
		room = cap;
	return clamp(room / GM_PREFETCH_DEV_SHARE, 1UL,
		     (unsigned long)GM_PREFETCH_BUDGET);
}

/*
 * Mmap lock held, a fault at @va resolved: prefetch what the policy asks.
 * Returns true if it tried to migrate anything.
 */
bool gm_policy_prefetch(struct gm_context *ctx, unsigned long va,
			bool write)
{
	struct gm_as *as = ctx->as;
	struct vm_area_struct *vma = vma_lookup(as->mm, va);
	struct gm_prefetch_req req = { };
	struct gm_policy *p;
	unsigned long attr;
	unsigned int i;
	u64 start;
	int ret;

	if (!vma)
		return false;
	rcu_read_lock();
	p = gm_as_policy(as);
	if (!p->ops->prefetch) {
		rcu_read_unlock();
		return false;
	}
	attr = gm_attr_load(as, va);
	req.policy = p;
	req.as = as;
	req.dev = ctx->dev;
	req.pub = (struct gmem_prefetch_ctx) {
		.va = va,
		.vma_start = vma->vm_start,
		.vma_end = vma->vm_end,
		.as_id = as->id,
		.dev = ctx->dev->id,
		.flags = write ? GMEM_PAGE_WRITE : 0,
		.hint = gm_attr_hint(attr),
		.budget = gm_prefetch_budget(ctx->dev),
		.kernel = &req,
	};
	req.pub.preferred_dev = gm_place_hints(as, attr, ctx->dev,
					       &req.pub.flags);
	start = gm_policy_enter(p);
	ret = p->ops->prefetch(&req.pub);
	gm_policy_leave(p, GM_HOOK_PREFETCH, start, ret,
			req.refused && !req.accepted);
	rcu_read_unlock();

	/* Decided; the migration runs like hmadvise(MADV_PREFETCH). */
	for (i = 0; i < req.nr; i++) {
		ret = gm_prefetch_to_dev(ctx, req.ranges[i].start,
					 req.ranges[i].end);
		if (ret == -EINTR || ret == -ENOMEM)
			break;
	}
	return req.nr;
}

/* An eviction request of a fault of @as on the full @dev. */
static void gm_evict_req_init(struct gm_evict_req *req, struct gm_dev *dev,
			      struct gm_as *as)
{
	req->dev = dev;
	req->pub = (struct gmem_evict_ctx) {
		.as_id = as->id,
		.dev = dev->id,
		.nr_frames = dev->nr_pages,
		.wanted = dev->evict_batch,
		.kernel = req,
	};
}

/* Under dev->lock: nominate victims for a fault of @as on a full @dev. */
void gm_policy_evict(struct gm_dev *dev, struct gm_as *as)
{
	struct gm_evict_req req = { };
	struct gm_policy *p;
	unsigned int chosen;
	u64 start;
	int ret;

	lockdep_assert_held(&dev->lock);
	gm_evict_req_init(&req, dev, as);
	rcu_read_lock();
	p = gm_as_policy(as);
	if (p != &gm_default_policy && p->ops->evict) {
		req.policy = p;
		start = gm_policy_enter(p);
		ret = p->ops->evict(&req.pub);
		gm_policy_leave(p, GM_HOOK_EVICT, start, ret,
				req.refused && !req.pub.nominated);
	}
	chosen = req.pub.nominated;
	if (chosen < req.pub.wanted) {
		req.policy = &gm_default_policy;
		gm_default_evict(&req.pub);
		if (p != &gm_default_policy)
			atomic_long_add(req.pub.nominated - chosen, &p->filled);
	}
	rcu_read_unlock();
}

/* Under the mmap lock: a policy hint was stored for [start, end). */
void gm_policy_hmadvise(struct gm_as *as, unsigned long start,
			unsigned long end, int advice)
{
	struct gmem_hint_ctx hint = {
		.start = start,
		.end = end,
		.as_id = as->id,
		.hint = advice == MADV_CLEAR_ATTRIBUTES ? 0 : advice,
	};
	struct gm_policy *p;
	u64 t;
	int ret;

	rcu_read_lock();
	p = gm_as_policy(as);
	if (p->ops->hmadvise) {
		t = gm_policy_enter(p);
		ret = p->ops->hmadvise(&hint);
		gm_policy_leave(p, GM_HOOK_HMADVISE, t, ret, false);
	}
	rcu_read_unlock();
}

/* The device the LPT has page @index on, or -1 (host memory, or none). */
static s32 gm_lpt_location(struct gm_as *as, unsigned long index)
{
	void *rec = xa_load(&as->lpt, index);

	if (!rec || !(xa_to_value(rec) & GM_LPT_DEVICE) ||
	    !xa_get_mark(&as->lpt, index, GM_LPT_ON_DEVICE))
		return -1;
	return gm_lpt_dev(xa_to_value(rec));
}

/*
 * Mmap lock held: should @ctx's device map the page at @va from host
 * memory, rather than migrate it? @flags: GMEM_PLACE_WRITE for a write
 * fault, GMEM_PLACE_COUNTER for an access counter report of @accesses.
 * Asks the policy's place hook, the default's if it has none or answers
 * nonsense; not at all for a device that cannot map host memory, or for
 * a fault on a page already in the device's memory.
 */
bool gm_policy_place_remote(struct gm_context *ctx, unsigned long va,
			    unsigned int flags, unsigned int accesses)
{
	struct gm_as *as = ctx->as;
	struct gm_dev *dev = ctx->dev;
	struct gmem_place_ctx pc = {
		.va = va,
		.as_id = as->id,
		.dev = dev->id,
		.flags = flags,
		.location = gm_lpt_location(as, va >> PAGE_SHIFT),
		.accesses = accesses,
	};
	unsigned long attr;
	struct gm_policy *p;
	int ret = -EINVAL;
	u32 hints = 0;
	bool bad;
	u64 start;

	if (!dev->mmu->remote_map ||
	    (pc.location == dev->id && !(flags & GMEM_PLACE_COUNTER)))
		return false;
	attr = gm_attr_load(as, va);
	pc.hint = gm_attr_hint(attr);
	pc.preferred_dev = gm_place_hints(as, attr, dev, &hints);
	if (hints & GMEM_PAGE_PREFER_HOST)
		pc.flags |= GMEM_PLACE_PREFER_HOST;
	if (hints & GMEM_PAGE_ACCESSED_BY)
		pc.flags |= GMEM_PLACE_ACCESSED_BY;

	rcu_read_lock();
	p = gm_as_policy(as);
	if (p->ops->place) {
		start = gm_policy_enter(p);
		ret = p->ops->place(&pc);
		bad = ret != GMEM_PLACE_MIGRATE && ret != GMEM_PLACE_REMOTE;
		if (bad)
			atomic_long_inc(&p->refused);
		gm_policy_leave(p, GM_HOOK_PLACE, start, 0, bad);
	}
	rcu_read_unlock();
	if (ret != GMEM_PLACE_MIGRATE && ret != GMEM_PLACE_REMOTE)
		ret = gm_default_place(&pc);
	return ret == GMEM_PLACE_REMOTE;
}

/*
 * The default placement: the range's hints (docs/hmadvise.md). A range
 * that prefers host memory is mapped from there; one that prefers another
 * device, or is accessed by this one, too, unless the page is on another
 * device, which this one cannot reach: then it migrates, as without hints.
 */
int gm_default_place(struct gmem_place_ctx *ctx)
{
	bool on_other_dev = ctx->location >= 0 && ctx->location != ctx->dev;

	if (ctx->preferred_dev == ctx->dev)
		return GMEM_PLACE_MIGRATE;
	if (ctx->flags & GMEM_PLACE_PREFER_HOST)
		return GMEM_PLACE_REMOTE;
	if ((ctx->preferred_dev >= 0 || (ctx->flags & GMEM_PLACE_ACCESSED_BY)) &&
	    !on_other_dev)
		return GMEM_PLACE_REMOTE;
	return GMEM_PLACE_MIGRATE;
}

/*
 * kfuncs: the decisions a policy makes, validated here. Global and not
 * declared static, so they are in vmlinux BTF for bpf.c.
 */
__diag_push();
__diag_ignore_all("-Wmissing-prototypes",
		  "Global functions as their definitions will be in vmlinux BTF");

/**
 * gmem_prefetch_range() - propose pages to prefetch after a device fault
 * @ctx: the prefetch hook's argument
 * @start: virtual address of the first page (rounded down to a page)
 * @nr_pages: pages from @start
 *
 * The range is clamped to the faulting mapping and to @ctx->budget pages;
 * up to four ranges per fault. Pages already on the device are just
 * mapped. Context: the prefetch hook.
 *
 * Return: pages accepted (> 0), or -EINVAL for zero or overflowing
 * @nr_pages, -ERANGE if no page of it is in the mapping, -ENOSPC when the
 * budget or the four ranges are used up. Errors count as refused.
 */
int gmem_prefetch_range(struct gmem_prefetch_ctx *ctx, u64 start,
			u64 nr_pages)
{
	struct gm_prefetch_req *req =
		container_of(ctx, struct gm_prefetch_req, pub);
	u64 end, pages;
	int ret;

	if (WARN_ON_ONCE(ctx->kernel != req))
		return -EINVAL;
	start &= PAGE_MASK;
	if (!nr_pages || nr_pages > ctx->vma_end >> PAGE_SHIFT ||
	    check_add_overflow(start, nr_pages << PAGE_SHIFT, &end)) {
		ret = -EINVAL;
		goto refuse;
	}
	if (start < ctx->vma_start || end > ctx->vma_end) {
		atomic_long_inc(&req->policy->clamped);
		start = max(start, ctx->vma_start);
		end = min(end, ctx->vma_end);
		if (start >= end) {
			ret = -ERANGE;
			goto refuse;
		}
	}
	if (!ctx->budget || req->nr == GM_PREFETCH_RANGES) {
		ret = -ENOSPC;
		goto refuse;
	}
	pages = (end - start) >> PAGE_SHIFT;
	if (pages > ctx->budget) {
		atomic_long_inc(&req->policy->clamped);
		pages = ctx->budget;
		end = start + (pages << PAGE_SHIFT);
	}
	req->ranges[req->nr].start = start;
	req->ranges[req->nr].end = end;
	req->nr++;
	req->accepted++;
	ctx->budget -= pages;
	atomic_long_add(pages, &req->policy->prefetched);
	return pages;
refuse:
	req->refused++;
	atomic_long_inc(&req->policy->refused);
	return ret;
}

/**
 * gmem_evict_frame() - nominate a victim on a full device
 * @ctx: the evict hook's argument
 * @frame: frame number on @ctx->dev
 *
 * Context: the evict hook (the device's frame lock held).
 * Return: 0 if accepted; -EINVAL for a frame number out of range, -ENOENT
 * if the frame holds no page of a live address space, -EBUSY if it is
 * being migrated or already nominated, -EPERM if its range is pinned,
 * -ENOSPC once @ctx->wanted victims are nominated. Errors count as
 * refused.
 */
int gmem_evict_frame(struct gmem_evict_ctx *ctx, u32 frame)
{
	struct gm_evict_req *req = container_of(ctx, struct gm_evict_req, pub);
	struct gm_evict_batch *b;
	struct gm_dev *dev;
	struct gm_frame *f;
	int ret;

	if (WARN_ON_ONCE(ctx->kernel != req))
		return -EINVAL;
	dev = req->dev;
	b = dev->evict;
	lockdep_assert_held(&dev->lock);
	if (frame >= dev->nr_pages) {
		ret = -EINVAL;
		goto refuse;
	}
	f = &dev->frames[frame];
	if (!f->as && !f->orphan) {
		ret = -ENOENT;
		goto refuse;
	}
	if (list_empty(&f->lru)) {
		ret = -EBUSY;
		goto refuse;
	}
	/*
	 * The attribute too, in case the bit missed a change: a record that
	 * could not be stored hides its frame from gm_lpt_refile_pinned(),
	 * which could then not unpin it either, so it stays where it is.
	 */
	if (f->pinned ||
	    (f->as && (gm_attr_load(f->as, f->va) & GM_ATTR_PINNED))) {
		ret = -EPERM;
		goto refuse;
	}
	if (b->nr == GM_EVICT_BATCH || ctx->nominated >= ctx->wanted) {
		ret = -ENOSPC;
		goto refuse;
	}
	if (f->as && !refcount_inc_not_zero(&f->as->refcount)) {
		ret = -ENOENT;
		goto refuse;
	}
	list_del_init(&f->lru);
	b->as[b->nr] = f->as;
	b->va[b->nr] = f->va;
	b->frame[b->nr] = frame;
	b->nr++;
	ctx->nominated++;
	atomic_long_inc(&req->policy->victims);
	return 0;
refuse:
	req->refused++;
	atomic_long_inc(&req->policy->refused);
	return ret;
}

/*
 * The hook runs under rcu_read_lock(): the walk of the logical page table
 * needs no xa_lock. Its records may be stale; the frame says what it holds.
 */
static u64 gm_prefetch_judge(struct gm_prefetch_req *req, unsigned long first,
			     unsigned long last)
{
	XA_STATE(xas, &req->as->lpt, first);
	struct gm_dev *dev = req->dev;
	u64 used = 0, unused = 0;
	struct gm_frame *frame;
	unsigned long v;
	void *entry;

	spin_lock(&dev->lock);
	xas_for_each(&xas, entry, last) {
		if (xas_retry(&xas, entry) || !xa_is_value(entry))
			continue;
		v = xa_to_value(entry);
		if (!(v & GM_LPT_DEVICE) || gm_lpt_dev(v) != dev->id ||
		    gm_lpt_frame(v) >= dev->nr_pages)
			continue;
		frame = &dev->frames[gm_lpt_frame(v)];
		if (!gm_frame_resident(frame) || frame->as != req->as ||
		    frame->va != xas.xa_index << PAGE_SHIFT ||
		    frame->policy != req->policy || !frame->prefetched ||
		    frame->judged)
			continue;
		frame->judged = 1;
		if (gm_frame_prefetch_unused(frame))
			unused++;
		else
			used++;
	}
	spin_unlock(&dev->lock);
	return used << 32 | unused;
}

/**
 * gmem_prefetch_verdicts() - take the verdicts of pages a prefetch brought
 * @ctx: the prefetch hook's argument
 * @start: virtual address of the first page (rounded down to a page)
 * @nr_pages: pages from @start; the first 512 (a fault's most) are judged
 *
 * Without it a prefetched page is judged when it leaves the device
 * (page_removed: GMEM_PAGE_PREFETCHED, and GMEM_PAGE_UNUSED if the device
 * never used it): a device's worth of evictions after the bet, and never
 * while the device has room. This judges now the pages of the range that
 * a prefetch brought to @ctx->dev for the faulting address space, whose
 * page events go to this policy, and that were not judged yet: used if
 * the device used them since (it faulted on one, or reported a use,
 * gm_dev_frame_accessed()), else unused. Their
 * page_removed carries GMEM_PAGE_JUDGED too, so that they count once.
 *
 * Context: the prefetch hook.
 * Return: the pages used << 32 | the pages unused.
 */
u64 gmem_prefetch_verdicts(struct gmem_prefetch_ctx *ctx, u64 start,
			   u64 nr_pages)
{
	struct gm_prefetch_req *req =
		container_of(ctx, struct gm_prefetch_req, pub);
	unsigned long first = start >> PAGE_SHIFT;

	if (WARN_ON_ONCE(ctx->kernel != req) || !nr_pages)
		return 0;
	return gm_prefetch_judge(req, first, first +
				 min_t(u64, nr_pages, GM_PREFETCH_BUDGET) - 1);
}

/**
 * gmem_frame_state() - what a frame of the full device holds
 * @ctx: the evict hook's argument
 * @frame: frame number on @ctx->dev
 *
 * Context: the evict hook.
 * Return: GMEM_FRAME_* flags; 0 for a free frame or one out of range.
 */
u32 gmem_frame_state(struct gmem_evict_ctx *ctx, u32 frame)
{
	struct gm_evict_req *req = container_of(ctx, struct gm_evict_req, pub);
	struct gm_dev *dev;
	struct gm_frame *f;
	u32 state = 0;

	if (WARN_ON_ONCE(ctx->kernel != req))
		return 0;
	dev = req->dev;
	if (frame >= dev->nr_pages)
		return 0;
	f = &dev->frames[frame];
	if (!f->as && !f->orphan)
		return 0;
	state |= list_empty(&f->lru) ? GMEM_FRAME_BUSY : GMEM_FRAME_RESIDENT;
	if (f->pinned)
		state |= GMEM_FRAME_PINNED;
	if (gm_frame_protected(f))
		state |= GMEM_FRAME_PROTECTED;
	return state;
}

/**
 * gmem_frame_take_referenced() - take the device's report of using a frame
 * @ctx: the evict hook's argument
 * @frame: frame number on @ctx->dev
 *
 * A device hit raises no fault. A device that can tell reports the use
 * (gm_dev_frame_accessed()), and GMEM passes it on as page_accessed only
 * when its aging reaches the frame at the tail of its own LRU: a policy
 * that keeps its own order (a CLOCK or SIEVE hand, S3-FIFO's queues) would
 * otherwise nominate frames the device keeps using. It asks here about the
 * frame it is about to nominate; the report is taken (it does not come
 * again as page_accessed) and the frame counts as just used for GMEM's
 * own LRU too, as aging would have made it. The first use of a page a
 * prefetch brought is not a hit, as the fault it saved would not be one.
 *
 * Context: the evict hook.
 * Return: 1 if the device reported using @frame again since GMEM last
 * looked, else 0; 0 for a frame whose page events go to another policy.
 */
u32 gmem_frame_take_referenced(struct gmem_evict_ctx *ctx, u32 frame)
{
	struct gm_evict_req *req = container_of(ctx, struct gm_evict_req, pub);
	struct gm_dev *dev;
	struct gm_frame *f;
	bool on_lru, again;

	if (WARN_ON_ONCE(ctx->kernel != req))
		return 0;
	dev = req->dev;
	lockdep_assert_held(&dev->lock);
	if (frame >= dev->nr_pages)
		return 0;
	f = &dev->frames[frame];
	/* Another policy's page: its reports are for that policy to hear. */
	if (!gm_frame_resident(f) || f->policy != req->policy ||
	    !READ_ONCE(f->referenced))
		return 0;
	/* Pinned and protected frames are not the LRU's to reorder. */
	on_lru = gm_frame_on_lru(f);
	again = gm_frame_take_reports(dev, f);
	if (on_lru && (again || f->protected))
		gm_frame_file(dev, f);
	if (!again)
		return 0;
	atomic_long_inc(&dev->pages_referenced);
	return 1;
}

__diag_pop();

/*
 * Under dev->lock: victims for a fault of @as, which holds as much of @dev
 * as gm_as_max_pages allows: its own least recently faulted pages, not
 * pinned ones. Its policy is not asked: the cap is the administrator's.
 */
void gm_evict_own(struct gm_dev *dev, struct gm_as *as)
{
	struct gm_evict_req req = { .policy = &gm_default_policy };
	struct list_head *lists[] = { &dev->lru, &dev->protected_list };
	struct gm_frame *frame, *tmp;
	unsigned int i;

	lockdep_assert_held(&dev->lock);
	gm_evict_req_init(&req, dev, as);
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		list_for_each_entry_safe_reverse(frame, tmp, lists[i], lru) {
			if (req.pub.nominated >= req.pub.wanted)
				return;
			atomic_long_inc(&dev->evict_scanned);
			if (frame->as == as)
				gmem_evict_frame(&req.pub,
						 frame - dev->frames);
		}
	}
}

/*
 * Nominate frames of @list, coldest first, until @ctx has its victims;
 * with @spare, not those whose range prefers this device
 * (MADV_PREFERRED_LOCATION).
 */
static void gm_default_evict_list(struct gmem_evict_ctx *ctx,
				  struct list_head *list, bool spare)
{
	struct gm_evict_req *req = container_of(ctx, struct gm_evict_req, pub);
	struct gm_dev *dev = req->dev;
	unsigned long here = gm_dev_hnid(dev) + 1;	/* as GM_ATTR_PREF */
	struct gm_frame *frame, *tmp;

	list_for_each_entry_safe_reverse(frame, tmp, list, lru) {
		if (ctx->nominated >= ctx->wanted)
			return;
		atomic_long_inc(&dev->evict_scanned);
		/* A frame with no address space is an orphan: fair game. */
		if (spare && frame->as &&
		    (gm_attr_load(frame->as, frame->va) & GM_ATTR_PREF_MASK) ==
		    here)
			continue;
		gmem_evict_frame(ctx, frame - dev->frames);
	}
}

/*
 * The default policy: no prefetch; evict the least recently faulted pages,
 * sparing, unless nothing else is left, thrashing ones while they are
 * protected and those whose range prefers this device. Pinned ones are
 * not on the lists it walks. It also fills whatever another policy's
 * evict() left short.
 */
int gm_default_evict(struct gmem_evict_ctx *ctx)
{
	struct gm_evict_req *req = container_of(ctx, struct gm_evict_req, pub);
	struct gm_dev *dev = req->dev;

	gm_default_evict_list(ctx, &dev->lru, true);
	if (ctx->nominated < ctx->wanted)
		gm_default_evict_list(ctx, &dev->lru, false);
	if (ctx->nominated < ctx->wanted)
		gm_default_evict_list(ctx, &dev->protected_list, false);
	return 0;
}
