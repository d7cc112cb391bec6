// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM logical page table: per address space records of which device
 * frame backs a page, whether it is writable, and thrashing history.
 */

#include "internal.h"

/* What a record keeps of a page's past whatever it names: its bounces. */
#define GM_LPT_HISTORY	GENMASK(BITS_PER_LONG - 1, GM_LPT_BOUNCE_SHIFT)

static unsigned long gm_lpt_device_entry(struct gm_dev *dev,
					 unsigned long frame, bool writable)
{
	return GM_LPT_DEVICE | (writable ? GM_LPT_WRITE : 0) |
	       ((unsigned long)dev->id << GM_LPT_DEV_SHIFT) |
	       (frame << GM_LPT_FRAME_SHIFT);
}

/*
 * Thrashing, judged by events, not time, so that the same program takes
 * the same faults however fast it runs: a page that comes back to a device
 * thrash_threshold times in a row, each before thrash_window pages were
 * evicted (from any device) since it left one, is thrashing (a page a
 * prefetch brought that left unused never left: gm_lpt_set_host()).
 * Policies see GMEM_PAGE_THRASHING, and the default policy spares it from
 * eviction (one a prefetch brought, from the device's first use of it)
 * until thrash_protect more pages were evicted, as long as at most 3/4 of
 * the device's frames are spared, so that the rest keeps turning over.
 * A window of 0 is the device's size in frames (a page that returns
 * before the device turned over once would have stayed on a device twice
 * as big), a protection of 0 twice that: a pass of a loop larger than
 * the device, where every page faults under plain LRU, evicts more pages
 * than the device holds, and the protected pages must outlast it. A
 * threshold of 0 turns detection off.
 */
unsigned int gm_thrash_threshold = 3;
unsigned int gm_thrash_window;
unsigned int gm_thrash_protect;

/* Pages evicted from any device so far: the clock thrashing is timed by. */
atomic_long_t gm_evict_clock = ATOMIC_LONG_INIT(0);

/* Tunable @tunable in evictions, or @dev's size times @times if it is 0. */
unsigned long gm_thrash_span(unsigned int tunable, struct gm_dev *dev,
			     unsigned int times)
{
	return tunable ?: times * dev->nr_pages;
}

/* Is @frame spared by the default policy (under its device's lock)? */
bool gm_frame_protected(struct gm_frame *frame)
{
	return frame->protected &&
	       (long)(atomic_long_read(&gm_evict_clock) -
		      frame->protect_until) < 0;
}

/* Eviction clock value @clock as it fits GM_LPT_LEFT_MASK. */
static unsigned long gm_lpt_stamp(unsigned long clock)
{
	return (clock & (GM_LPT_LEFT_MASK >> GM_LPT_FRAME_SHIFT)) <<
	       GM_LPT_FRAME_SHIFT;
}

/* The eviction clock as it fits GM_LPT_LEFT_MASK. */
static unsigned long gm_lpt_now(void)
{
	return gm_lpt_stamp(atomic_long_read(&gm_evict_clock));
}

/*
 * Under @xas's lock, in a batch's walk by increasing index: go to @index.
 * The next index is the next slot of the node @xas is at, most often, not
 * a walk down from the root as after xas_set().
 */
static void gm_lpt_seek(struct xa_state *xas, unsigned long index)
{
	if (index == xas->xa_index + 1 && !xas_invalid(xas))
		xas_next(xas);
	else
		xas_set(xas, index);
}

/*
 * Under as->lock and @xas's lock: store record @v at @xas's index. The
 * xarray first tries an allocation that does not wait; GFP_ATOMIC is the
 * second try (reclaim would call the notifier, which takes as->lock).
 * Returns false if the record could not be stored.
 */
static bool gm_lpt_store(struct xa_state *xas, unsigned long v)
{
	do {
		xas_store(xas, xa_mk_value(v));
	} while (xas_nomem(xas, GFP_ATOMIC));
	return !xas_error(xas);
}

/* Does record @v name @dev's frame @frame? */
static bool gm_lpt_names(unsigned long v, struct gm_dev *dev,
			 unsigned long frame)
{
	return (v & GM_LPT_DEVICE) &&
	       gm_lpt_dev(v) == dev->id &&
	       gm_lpt_frame(v) == frame;
}

/*
 * Under as->lock and RCU: the frame device record @v names, if it holds
 * @as's page at @va, with its device's lock held (*@devp); else NULL.
 */
static struct gm_frame *gm_lpt_lock_frame(struct gm_as *as, unsigned long v,
					  unsigned long va,
					  struct gm_dev **devp)
{
	struct gm_dev *dev = rcu_dereference(gm_dev_table[gm_lpt_dev(v)]);
	unsigned long index = gm_lpt_frame(v);
	struct gm_frame *frame;

	if (!dev || index >= dev->nr_pages)
		return NULL;
	spin_lock(&dev->lock);
	frame = &dev->frames[index];
	if (frame->as == as && frame->va == va) {
		*devp = dev;
		return frame;
	}
	spin_unlock(&dev->lock);
	return NULL;
}

/*
 * Under as->lock, before the record of page @index comes to name another
 * page (@dev's frame @frame, or a host page if @dev is NULL): a frame it
 * names now that still holds this address's page lives on because a
 * forked child maps the page (MADV_DONTNEED left it to the child). It is
 * an orphan now: once its record is gone nothing would name it, and
 * munmap(), MADV_UNPIN and exit unpin through records; and a pinned
 * range's frame, unpinned, would still be refused to eviction. Records
 * change only under as->lock: no xarray lock is needed to read one.
 */
static void gm_lpt_orphan_replaced(struct gm_as *as, unsigned long index,
				   struct gm_dev *dev, unsigned long frame)
{
	struct gm_frame *old_frame;
	struct gm_dev *old_dev;
	unsigned long v;
	void *old;

	if (!READ_ONCE(as->has_pinned))
		return;
	old = xa_load(&as->lpt, index);
	if (!old)
		return;
	v = xa_to_value(old);
	if (!(v & GM_LPT_DEVICE) || (dev && gm_lpt_names(v, dev, frame)))
		return;
	rcu_read_lock();
	old_frame = gm_lpt_lock_frame(as, v, index << PAGE_SHIFT, &old_dev);
	if (old_frame) {
		if (gm_frame_resident(old_frame))
			gm_frame_orphan(old_dev, old_frame);
		else
			gm_frame_set_pinned(old_dev, old_frame, false);
		spin_unlock(&old_dev->lock);
	}
	rcu_read_unlock();
}

/*
 * Record under as->lock that the pages of the range at @start whose bits
 * are set in *@moved now live on @dev, in the frames @dst, migrate_vma()'s
 * destination entries, names; one xarray lock hold for the batch. The
 * records are marked, so the notifier unmaps the pages: *@moved keeps only
 * those whose record could be stored, which may be mapped. Returns the
 * pages that are thrashing. @began is the eviction clock before the batch
 * took its frames: the evictions it made for its own pages are not time
 * they spent away. Counted, they made a page a batch brought back seem
 * away up to a batch longer than one that faulted back alone, and a loop
 * twice the device, whose pages return about a device's worth of
 * evictions after they left, was never judged thrashing under a
 * prefetcher.
 */
unsigned long gm_lpt_set_device(struct gm_as *as, unsigned long start,
				struct gm_dev *dev, const unsigned long *dst,
				unsigned long *moved, unsigned int npages,
				unsigned long began)
{
	unsigned long threshold = READ_ONCE(gm_thrash_threshold);
	unsigned long window = gm_thrash_span(READ_ONCE(gm_thrash_window),
					      dev, 1);
	unsigned long now = gm_lpt_stamp(began), thrashing = 0, i;
	XA_STATE(xas, &as->lpt, 0);

	lockdep_assert_held(&as->lock);
	if (!*moved)
		return 0;
	as->pages_to_device += hweight_long(*moved);
	for_each_set_bit(i, moved, npages)
		gm_lpt_orphan_replaced(as, (start >> PAGE_SHIFT) + i, dev,
				       page_to_pfn(migrate_pfn_to_page(dst[i])) -
				       dev->base_pfn);
	xas_lock(&xas);
	for_each_set_bit(i, moved, npages) {
		struct page *page = migrate_pfn_to_page(dst[i]);
		unsigned long v = gm_lpt_device_entry(dev, page_to_pfn(page) -
						      dev->base_pfn,
						      dst[i] & MIGRATE_PFN_WRITE);
		unsigned long bounces = 0;
		void *old;

		gm_lpt_seek(&xas, (start >> PAGE_SHIFT) + i);
		old = xas_load(&xas);
		if (old && !(xa_to_value(old) & GM_LPT_DEVICE)) {
			unsigned long ov = xa_to_value(old);
			unsigned long away = ((now - ov) & GM_LPT_LEFT_MASK) >>
					     GM_LPT_FRAME_SHIFT;

			if ((ov & GM_LPT_LEFT_MASK) && away < window)
				bounces = min(GM_LPT_BOUNCE_MAX,
					      (ov >> GM_LPT_BOUNCE_SHIFT) + 1);
		}
		v |= bounces << GM_LPT_BOUNCE_SHIFT;
		/* If it cannot be stored, the page is not mapped here. */
		if (gm_lpt_store(&xas, v))
			xas_set_mark(&xas, GM_LPT_ON_DEVICE);
		else
			__clear_bit(i, moved);
		if (threshold && bounces >= threshold)
			__set_bit(i, &thrashing);
	}
	xas_unlock(&xas);
	return thrashing;
}

/*
 * Under as->lock and @xas's lock, just before @dev maps @page at @xas's
 * index: make the record name exactly this page, marked, because the
 * notifier unmaps only what marked records name. The record may be
 * missing (the page arrived under an earlier gm_as of the mm, or storing
 * it failed when it arrived) or name a page dropped since.
 */
static bool gm_lpt_note_device(struct xa_state *xas, struct gm_dev *dev,
			       struct page *page, bool writable)
{
	unsigned long v = gm_lpt_device_entry(dev, page_to_pfn(page) -
					      dev->base_pfn, writable);
	void *old = xas_load(xas);

	if (old) {
		if (xas_get_mark(xas, GM_LPT_ON_DEVICE) &&
		    (xa_to_value(old) & ~GM_LPT_HISTORY) == v)
			return true;
		v |= xa_to_value(old) & GM_LPT_HISTORY;
	}
	if (!gm_lpt_store(xas, v))
		return false;
	xas_set_mark(xas, GM_LPT_ON_DEVICE);
	return true;
}

/*
 * Under as->lock and @xas's lock, just before a device maps the host page
 * at @xas's index remotely: mark its record, a host one, so that the
 * notifier unmaps it. A device record there is stale (the page was
 * dropped meanwhile; the snapshot shows it in host memory): it becomes a
 * host record with its history.
 */
static bool gm_lpt_note_host(struct xa_state *xas)
{
	void *old = xas_load(xas);

	if (!old || (xa_to_value(old) & GM_LPT_DEVICE)) {
		if (!gm_lpt_store(xas, old ? xa_to_value(old) & GM_LPT_HISTORY
					   : 0))
			return false;
		xas_clear_mark(xas, GM_LPT_ON_DEVICE);
	}
	xas_set_mark(xas, GM_LPT_REMOTE);
	return true;
}

/*
 * Under as->lock, just before @dev maps them: make the records of the
 * pages of the range at @start that @which selects name what @pfns, the
 * range's hmm_range_fault() snapshot, shows, marked (pages of @dev, and
 * host pages to be mapped remotely); one xarray lock hold for the batch.
 * Returns the pages noted: all of @which, or those before the first whose
 * record could not be stored, as the pages after it must not be mapped.
 */
unsigned long gm_lpt_note_mapped(struct gm_as *as, unsigned long start,
				 struct gm_dev *dev, const unsigned long *pfns,
				 unsigned long which, unsigned int npages)
{
	unsigned long i, noted = 0;
	XA_STATE(xas, &as->lpt, 0);

	lockdep_assert_held(&as->lock);
	if (!which)
		return 0;
	for_each_set_bit(i, &which, npages) {
		struct page *page = hmm_pfn_to_page(pfns[i]);
		bool on_dev = is_device_private_page(page);

		gm_lpt_orphan_replaced(as, (start >> PAGE_SHIFT) + i,
				       on_dev ? dev : NULL,
				       on_dev ? page_to_pfn(page) - dev->base_pfn
					      : 0);
	}
	xas_lock(&xas);
	for_each_set_bit(i, &which, npages) {
		struct page *page = hmm_pfn_to_page(pfns[i]);

		gm_lpt_seek(&xas, (start >> PAGE_SHIFT) + i);
		if (is_device_private_page(page) ?
		    !gm_lpt_note_device(&xas, dev, page,
					pfns[i] & HMM_PFN_WRITE) :
		    !gm_lpt_note_host(&xas))
			break;
		__set_bit(i, &noted);
	}
	xas_unlock(&xas);
	return noted;
}

/*
 * Under as->lock and @xas's lock: @page of @dev, which held @xas's index,
 * was migrated back to host memory at eviction clock @now (0: as if it
 * never left). Only a record that still names @page is told so. No
 * record: the address was unmapped while @page migrated (an eviction
 * round holds no lock of the owner's mm, so munmap() may erase the
 * record in between), and a record stored now would outlive every
 * mapping of the address. A record of another page, host or device: the
 * address was dropped (MADV_DONTNEED) and faulted in again meanwhile;
 * that record, and the mark that makes the notifier unmap the new page,
 * stay.
 */
static void gm_lpt_host(struct xa_state *xas, struct gm_dev *dev,
			struct page *page, unsigned long now)
{
	void *old = xas_load(xas);

	if (!old || !gm_lpt_names(xa_to_value(old), dev,
				  page_to_pfn(page) - dev->base_pfn))
		return;
	/* A store over an entry allocates nothing: it cannot fail. */
	gm_lpt_store(xas, now | (xa_to_value(old) & GM_LPT_HISTORY));
	xas_clear_mark(xas, GM_LPT_ON_DEVICE);
}

/* The eviction clock for a host record: never 0, which means "never left". */
static unsigned long gm_lpt_host_now(void)
{
	return gm_lpt_now() ?: BIT(GM_LPT_FRAME_SHIFT);
}

/*
 * Record under as->lock that @page of @dev, which held @va, was migrated
 * back to host memory. @used: the device used the page while it held it.
 * A page a prefetch brought that left unused is recorded as never having
 * left: it was not part of what the device needed, so its return is no
 * bounce. Counted as one, a prefetcher's misses that later faulted back
 * made pages seem thrashing, and their protection took frames the pages
 * in use needed (the tree on the hash join at half its pages).
 */
void gm_lpt_set_host(struct gm_as *as, unsigned long va, struct gm_dev *dev,
		     struct page *page, bool used)
{
	XA_STATE(xas, &as->lpt, va >> PAGE_SHIFT);

	lockdep_assert_held(&as->lock);
	as->pages_to_host++;
	xas_lock(&xas);
	gm_lpt_host(&xas, dev, page, used ? gm_lpt_host_now() : 0);
	xas_unlock(&xas);
}

/*
 * gm_lpt_set_host() for the pages of the range at @start whose bits are set
 * in @moved, the device pages @src, migrate_vma()'s source entries, names;
 * one xarray lock hold for the batch.
 */
void gm_lpt_set_host_range(struct gm_as *as, unsigned long start,
			   struct gm_dev *dev, const unsigned long *src,
			   unsigned long moved, unsigned int npages)
{
	unsigned long now = gm_lpt_host_now(), i;
	XA_STATE(xas, &as->lpt, 0);

	lockdep_assert_held(&as->lock);
	if (!moved)
		return;
	as->pages_to_host += hweight_long(moved);
	xas_lock(&xas);
	for_each_set_bit(i, &moved, npages) {
		gm_lpt_seek(&xas, (start >> PAGE_SHIFT) + i);
		gm_lpt_host(&xas, dev, migrate_pfn_to_page(src[i]), now);
	}
	xas_unlock(&xas);
}

/*
 * In a walk of @xas's table under its lock, after each entry: every
 * XA_CHECK_SCHED entries the lock goes for a moment and the walk resumes
 * after the entry, so that a munmap of a large range or a device going
 * away holds it for a bounded stretch. Not xas_pause(): after a store of
 * NULL freed the entry's node, @xas points at the parent, and 6.1's
 * xas_pause() would then skip the parent's whole slot. Walkers may sleep
 * (the notifier's non-blocking calls only must not wait for locks).
 */
static void gm_lpt_walk_break(struct xa_state *xas, unsigned int *n)
{
	unsigned long next = xas->xa_index + 1;

	if (++*n % XA_CHECK_SCHED || !next)
		return;
	xas_unlock(xas);
	cond_resched();
	xas_lock(xas);
	xas_set(xas, next);
}

/* The remote mappings of [first, last] are gone: clear their marks. */
void gm_lpt_clear_remote(struct gm_as *as, unsigned long first,
			 unsigned long last)
{
	XA_STATE(xas, &as->lpt, first);
	unsigned int n = 0;
	void *entry;

	xas_lock(&xas);
	xas_for_each_marked(&xas, entry, last, GM_LPT_REMOTE) {
		xas_clear_mark(&xas, GM_LPT_REMOTE);
		gm_lpt_walk_break(&xas, &n);
	}
	xas_unlock(&xas);
}

/* Drop write permission from the records of [first, last]. */
void gm_lpt_write_protect(struct gm_as *as, unsigned long first,
			  unsigned long last)
{
	XA_STATE(xas, &as->lpt, first);
	unsigned int n = 0;
	void *entry;

	xas_lock(&xas);
	xas_for_each_marked(&xas, entry, last, GM_LPT_ON_DEVICE) {
		unsigned long v = xa_to_value(entry);

		if (v & GM_LPT_WRITE)
			xas_store(&xas, xa_mk_value(v & ~GM_LPT_WRITE));
		gm_lpt_walk_break(&xas, &n);
	}
	xas_unlock(&xas);
}

void gm_lpt_erase(struct gm_as *as, unsigned long first,
		  unsigned long last)
{
	XA_STATE(xas, &as->lpt, first);
	unsigned int n = 0;
	void *entry;

	xas_lock(&xas);
	xas_for_each(&xas, entry, last) {
		xas_store(&xas, NULL);
		gm_lpt_walk_break(&xas, &n);
	}
	xas_unlock(&xas);
}

/* Device @id is gone: its records become empty host ones. */
void gm_lpt_forget_device(struct gm_as *as, unsigned int id)
{
	XA_STATE(xas, &as->lpt, 0);
	unsigned int n = 0;
	void *entry;

	xas_lock(&xas);
	xas_for_each_marked(&xas, entry, ULONG_MAX, GM_LPT_ON_DEVICE) {
		unsigned long v = xa_to_value(entry);

		if (gm_lpt_dev(v) == id) {
			xas_store(&xas, xa_mk_value(0));
			xas_clear_mark(&xas, GM_LPT_ON_DEVICE);
		}
		gm_lpt_walk_break(&xas, &n);
	}
	xas_unlock(&xas);
}

/*
 * Under as->lock: file again the frames the records of [first, last] name
 * (gm_frame_set_pinned()), pinned as the range's attribute says, or not
 * pinned if the range is @unmapping. Records change only under as->lock,
 * so the walk needs no xarray lock; devices are looked up by id under RCU,
 * as a device may be detached from @as and still hold its pages.
 */
void gm_lpt_refile_pinned(struct gm_as *as, unsigned long first,
			  unsigned long last, bool unmapping)
{
	XA_STATE(xas, &as->lpt, first);
	unsigned int n = 0;
	void *entry;

	lockdep_assert_held(&as->lock);
	rcu_read_lock();
	xas_for_each_marked(&xas, entry, last, GM_LPT_ON_DEVICE) {
		unsigned long v, va;
		struct gm_frame *frame;
		struct gm_dev *dev;
		bool pinned;

		if (xas_retry(&xas, entry))
			continue;
		v = xa_to_value(entry);
		va = xas.xa_index << PAGE_SHIFT;
		pinned = !unmapping && (gm_attr_load(as, va) & GM_ATTR_PINNED);
		frame = gm_lpt_lock_frame(as, v, va, &dev);
		if (frame) {
			gm_frame_set_pinned(dev, frame, pinned);
			spin_unlock(&dev->lock);
		}
		if (++n % XA_CHECK_SCHED == 0) {
			xas_pause(&xas);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
}

/*
 * Under the mmap lock, after the pinned attribute of [start, end) changed.
 * A fault that set a record this walk did not see read the attribute after
 * it (for gm_frame_track(), under as->lock), so every frame of the range
 * ends up pinned as the attribute is now.
 */
void gm_lpt_update_pinned(struct gm_as *as, unsigned long start,
			  unsigned long end)
{
	mutex_lock(&as->lock);
	gm_lpt_refile_pinned(as, start >> PAGE_SHIFT, (end - 1) >> PAGE_SHIFT,
			     false);
	mutex_unlock(&as->lock);
}
