/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GMEM: generalized memory management for devices with their own MMU and
 * local memory.
 *
 * GMEM is a thin layer on HMM's mechanisms. Device memory is a
 * MEMORY_DEVICE_PRIVATE pagemap, so a page on a device is an ordinary
 * device-private entry in the CPU page table and the core fault path needs
 * no change: a CPU touch reaches gm_devmem_migrate_to_ram(). Device faults
 * migrate pages in with migrate_vma_*(). One mmu_interval_notifier per
 * address space tells every attached device when its mappings must go.
 *
 * The CPU page table stays the authority on where a page is; the logical
 * page table (an xarray per gm_as) records what GMEM did: which device
 * frame backs a page and whether that mapping is writable. Pinning is a
 * range attribute (hmadvise()), and a frame being migrated is simply off
 * its device's LRU. The device path checks residency with hmm_range_fault()
 * before trusting a record.
 *
 * Locking order: mmap_lock -> gm_dev.evict_lock -> gm_as.lock ->
 * gm_dev.lock. An eviction round holds its device's evict_lock and takes
 * no mmap lock (it finds victims through the rmap); tearing a context
 * down takes evict_lock inside the mmap lock, as a faulting task that
 * evicts does. The list of a gm_as's contexts changes only under both the
 * mmap lock held for write and gm_as.lock, so holding either one is enough
 * to walk it: the mmu notifier takes gm_as.lock (it may run from reclaim,
 * without the mmap lock), every other path already holds the mmap lock.
 * Nothing under gm_as.lock may enter reclaim, since reclaim may call the
 * notifier.
 *
 * The code is split by concern: core.c (global lists, init), lpt.c (the
 * logical page table), sysfs.c, debugfs.c, policy.c (the policy registry,
 * binding and the watchdog), decide.c (calling policies, their kfuncs),
 * devmem.c (devices and their memory), mirror.c (device mappings and the
 * mmu notifier), vaddr.c (address spaces and contexts), fault.c (migration
 * and faults), evict.c (aging and eviction), hmadvise.c (range attributes)
 * and bpf.c (policies as BPF struct_ops).
 */

#ifndef _MM_GMEM_INTERNAL_H
#define _MM_GMEM_INTERNAL_H

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/gmem.h>
#include <linux/hmm.h>
#include <linux/idr.h>
#include <linux/kobject.h>
#include <linux/maple_tree.h>
#include <linux/mman.h>
#include <linux/ioport.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/nodemask.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <uapi/linux/gmem.h>

/* Device ids fit the logical page table entry. */
#define GM_MAX_DEVICES		256

/*
 * Pages migrated per migrate_vma call, as test_hmm does: bounds the stack
 * arrays, and a batch's pages are bits of an unsigned long.
 */
#define GM_MIGRATE_BATCH	64
static_assert(GM_MIGRATE_BATCH <= BITS_PER_LONG);

/* Rounds of "fault on the CPU, then migrate" before a device fault gives up. */
#define GM_FAULT_TRIES		8

/* Device memory comes in blocks of 2^0 .. 2^GM_MAX_ORDER frames (4K-2M). */
#define GM_MAX_ORDER		9

/*
 * Victims migrated back to host memory per eviction round: at most
 * GM_EVICT_BATCH, and at most 1/GM_EVICT_SHARE of the device
 * (gm_dev.evict_batch). A round amortizes its TLB invalidation over its
 * victims; on a small device a round of 16 would evict a large share of
 * what it holds, pages the next faults need (an LRU on a device of 64
 * frames took 1.25x the faults of one that evicts a page at a time).
 */
#define GM_EVICT_BATCH		16
#define GM_EVICT_SHARE		64
/* Frames aging moves under one hold of the frame lock. */
#define GM_AGE_CHUNK		64

/* gm_frame.thrashing: page events carry GMEM_PAGE_THRASHING if not NO. */
enum gm_thrashing {
	GM_THRASHING_NO,
	GM_THRASHING_YES,
	/* A prefetch brought it back so, unused since: see gm_frame_use(). */
	GM_THRASHING_UNUSED,
};

/*
 * What GMEM knows of each frame of device memory holding a page: the LRU
 * order (by device fault, most recent first) and where the page is mapped,
 * to evict it with migrate_vma_*().
 */
struct gm_frame {
	/*
	 * While it holds a page: one of its device's lists, the one its flags
	 * name (gm_frame_file()); empty while the page is being migrated.
	 * While it heads a free block: a free list.
	 */
	struct list_head lru;
	struct gm_as *as;		/* NULL once the address space is gone */
	unsigned long va;
	/* The policy told of the page (page_added), until page_removed. */
	struct gm_policy *policy;
	/* Thrashing page: the default policy spares it until then. */
	unsigned long protect_until;		/* gm_evict_clock */
	/* Heads a free block of 2^(free_order - 1) frames; 0 if not. */
	u8 free_order;
	u8 thrashing;				/* enum gm_thrashing */
	u8 protected;				/* counts in nr_protected */
	/* Its range is pinned (hmadvise(MADV_PIN)): counts in nr_pinned */
	u8 pinned;
	/*
	 * The device's reports of using it since GMEM last looked, up to 2
	 * (gm_dev_frame_accessed(), gm_frame_take_reports())
	 */
	u8 referenced;
	/* On the LRU with no address space (its gm_as went): still evictable */
	u8 orphan;
	/* Arrived by a prefetch (GMEM_PAGE_PREFETCHED), not by a fault... */
	u8 prefetched;
	/* ...and the device used it since: a fault, or a report aging found */
	u8 used;
	/* ...and its policy took its verdict: gmem_prefetch_verdicts() */
	u8 judged;
	/*
	 * Arrived by a prefetch, and the device has used it neither by a
	 * fault nor by a report since: counts in dev->prefetched_pending.
	 * Whoever ends that takes it with xchg(), as a report may race a
	 * fault (gm_frame_end_pending()).
	 */
	u32 pending;
};

/*
 * Under the device's lock: @frame holds a page that is not being migrated,
 * so it is on one of its device's lists. The head of a free block links
 * its free list through the same node, so a non-empty node alone does not
 * say it.
 */
static inline bool gm_frame_resident(const struct gm_frame *frame)
{
	return !list_empty(&frame->lru) && !frame->free_order;
}

/* Under the device's lock: @frame is on its device's evictable LRU. */
static inline bool gm_frame_on_lru(const struct gm_frame *frame)
{
	return gm_frame_resident(frame) && !frame->pinned && !frame->protected;
}

/*
 * Under the device's lock: @frame's page came by prefetch and the device
 * has not used it, neither faulting on it nor reporting it (a report not
 * yet aged is still in @frame->referenced).
 */
static inline bool gm_frame_prefetch_unused(struct gm_frame *frame)
{
	return frame->prefetched && !frame->used &&
	       !READ_ONCE(frame->referenced);
}

/*
 * Walks over all of a device's frames drop its lock every GM_FRAMES_CHUNK
 * frames (gm_frames_lock_break()), so none holds the spinlock for long on
 * a device of any size.
 */
#define GM_FRAMES_CHUNK		1024

/* One eviction round's victims, kept per device under evict_lock. */
struct gm_evict_batch {
	unsigned int nr;
	struct gm_as *as[GM_EVICT_BATCH];
	unsigned long va[GM_EVICT_BATCH];
	unsigned long frame[GM_EVICT_BATCH];
	unsigned long src[GM_EVICT_BATCH];
	unsigned long dst[GM_EVICT_BATCH];
	/*
	 * Device TLB ranges the batch's unmapping left to invalidate. Only
	 * while @unmapping: an invalidation the round causes later (reclaim
	 * while it allocates host pages) must flush at once, as the page it
	 * is for may be freed before the round ends.
	 */
	bool unmapping;
	unsigned int nr_ranges;
	struct gm_context *range_ctx[GM_EVICT_BATCH];
	struct gm_va_range ranges[GM_EVICT_BATCH];
};

struct gm_dev {
	char name[32];
	const struct gm_mmu *mmu;
	void *driver_data;
	unsigned int id;
	struct list_head node;			/* gm_devices */
	bool dying;		/* in gm_dev_destroy(): no new contexts */

	/* Local memory, when registered. */
	struct dev_pagemap pagemap;
	struct resource *res;
	unsigned long base_pfn;
	unsigned long nr_pages;
	spinlock_t lock;			/* buddy lists, frames, lru */
	/*
	 * The isolated buddy allocator of the RFC discussion: free blocks of
	 * 2^order frames per order, split on allocation, merged with their
	 * buddy on free, so both are O(GM_MAX_ORDER).
	 */
	struct list_head free_area[GM_MAX_ORDER + 1];
	unsigned long nr_free_blocks[GM_MAX_ORDER + 1];
	unsigned long nr_free;			/* frames */
	struct gm_frame *frames;
	/*
	 * Frames holding pages, on three lists, so that an eviction round
	 * looks only at frames it may take: the evictable LRU, most recently
	 * faulted first; frames spared as thrashing, most recently protected
	 * first (gm_dev_expire_protected() takes them back to the LRU); and
	 * pinned frames, which no round looks at (as mlock's unevictable
	 * list).
	 */
	struct list_head lru;
	struct list_head protected_list;
	struct list_head unevictable;
	unsigned long nr_protected;		/* thrashing frames spared */
	unsigned long nr_pinned;
	unsigned long nr_driver;		/* gm_dev_alloc_frames() */

	/* Eviction: one round at a time per device, of evict_batch victims. */
	struct mutex evict_lock;
	unsigned int evict_batch;
	struct gm_evict_batch *evict;
	struct task_struct *evict_task;		/* running a round */
	unsigned int evict_reserved;		/* frames freed for evict_task */
	unsigned int evict_reserve[GM_EVICT_BATCH];
	/*
	 * Background eviction (gm_dev_evict_work()): free frames the worker
	 * keeps, 0 for none; the address space whose allocation woke it,
	 * referenced, its policy choosing the victims.
	 */
	unsigned long free_target;
	struct work_struct evict_work;
	struct gm_as *evict_work_as;

	atomic_long_t faults;
	atomic_long_t fault_batches;		/* gm_dev_fault_batch() calls */
	atomic_long_t fault_migrations;		/* migrations faults made */
	atomic_long_t fault_retries;		/* snapshots overtaken */
	atomic_long_t map_snapshots;		/* gm_map_range() calls */
	atomic_long_t pages_to_dev;
	atomic_long_t pages_to_host;
	atomic_long_t evictions;		/* rounds */
	atomic_long_t evictions_background;	/* ...that the worker ran */
	atomic_long_t pages_evicted;
	atomic_long_t pages_prefetched;
	atomic_long_t pages_referenced;		/* found so by aging */
	atomic_long_t evict_scanned;		/* frames the LRU walks saw */
	atomic_long_t prefetched_unused;	/* left, never used */
	atomic_long_t prefetched_pending;	/* here, not used yet */
	atomic_long_t remote_maps;		/* host pages mapped remotely */
	atomic_long_t counter_reports;		/* gm_dev_access_counter() */
	atomic_long_t counter_migrations;	/* ...that moved the page */
	struct kobject kobj;			/* /sys/kernel/gmem/devices/NAME */
};

/*
 * Any context: @frame's page, if a prefetch brought it and the device had
 * not used it, no longer counts so (used now, or leaving). The device's
 * report of a use races GMEM's own use and the frame's release: xchg()
 * lets one of them take it. A late report of a page the frame held before
 * may end its next page's wait: the count only steers, as the reports do
 * (gm_dev_frame_accessed()).
 */
static inline void gm_frame_end_pending(struct gm_dev *dev,
					struct gm_frame *frame)
{
	if (READ_ONCE(frame->pending) && xchg(&frame->pending, 0))
		atomic_long_dec(&dev->prefetched_pending);
}

/*
 * Under @dev->lock, in a walk that may sleep between chunks: count one more
 * frame in @n; at @chunk, drop the lock for a moment and start counting
 * again. Returns true if the lock was dropped.
 */
static inline bool gm_frames_lock_break(struct gm_dev *dev, unsigned int *n,
					unsigned int chunk)
{
	if (++*n < chunk)
		return false;
	*n = 0;
	spin_unlock(&dev->lock);
	cond_resched();
	spin_lock(&dev->lock);
	return true;
}

#define GM_SNAPSHOT_TRIES	8	/* hmm_range_fault() calls per snapshot */

/*
 * A device fault's snapshot of the CPU page table for [start, end), listed
 * from gm_snapshot_begin() until its commit under gm_as.lock. The
 * notifier, which sees every invalidation of the mm, marks it overtaken
 * when an invalidation meets the range: unlike the notifier's sequence,
 * eviction elsewhere in the mm neither delays the fault nor makes it take
 * the snapshot again.
 */
struct gm_snapshot {
	struct list_head node;		/* gm_as.snapshots */
	unsigned long start;
	unsigned long end;
	bool overtaken;
	/*
	 * A migration's snapshot (gm_migrate_to_dev()): what @migrating
	 * itself invalidates as MMU_NOTIFY_MIGRATE to @owner is that
	 * migration (migrate_vma_setup() and the holes migrate_vma_pages()
	 * fills); it does not overtake the snapshot.
	 */
	struct task_struct *migrating;
	void *owner;
};

struct gm_as {
	struct mm_struct *mm;			/* mmgrab()ed */
	refcount_t refcount;
	struct mutex lock;			/* see "Locking order" */
	struct list_head contexts;
	struct xarray lpt;			/* logical page table */
	struct mmu_interval_notifier notifier;
	/* struct gm_snapshot being taken, under lock: see gm_map_range(). */
	struct list_head snapshots;
	/*
	 * What the invalidations of the notifier's latest sequence number
	 * (those that overlapped in time) met, under lock: a snapshot of it
	 * waits for their end.
	 */
	unsigned long inval_start;
	unsigned long inval_end;
	struct list_head node;			/* gm_address_spaces */
	struct dentry *debugfs;
	struct work_struct release_work;
	/* hmadvise() attributes of address ranges, see gm_attr_*(). */
	struct maple_tree attrs;
	/*
	 * Serializes changes to attrs: an update reads, then stores, and the
	 * tree's own lock is dropped while a store allocates.
	 */
	struct mutex attrs_lock;
	/* At least the ranges in attrs (gm_attr_reserve()); attrs_lock */
	unsigned long attr_ranges;
	/* id -> struct gm_dev_set: accessed-by sets in attrs; attrs_lock */
	struct xarray accessed_sets;
	/* MADV_PIN was used: munmap, exit unpin frames (gm_lpt_refile_pinned) */
	bool has_pinned;
	/* 1: faults never evict, 0: they do, -1: gm_strict_capacity decides */
	int strict_capacity;
	/* The policy bound to it, see policy.c; never NULL once created. */
	struct gm_policy __rcu *policy;
	bool policy_selected;			/* else follows the default */
	bool policy_told;		/* its init() ran: exit() will */
	struct list_head retiring;	/* gm_retire, under gm_policy_lock */
	u64 bind_seq;			/* switches, under gm_policy_lock */
	struct work_struct handover_work;	/* gm_as_handover_fn() */
	u64 id;
	pid_t pid;
	/* Counters for debugfs; the page counts under lock. */
	atomic_long_t faults;
	unsigned long pages_to_device;
	unsigned long pages_to_host;
	unsigned long pages_evicted;
	/* Frames it holds on each device, under that device's lock. */
	unsigned int dev_pages[GM_MAX_DEVICES];
};

/*
 * The notifier's sequence number, as mmu_interval_check_retry() reads it,
 * without mmu_interval_read_begin()'s wait for invalidations anywhere in
 * the mm: a listed snapshot learns of those that meet it from its mark.
 */
static inline unsigned long gm_snapshot_seq(struct gm_as *as)
{
	return READ_ONCE(as->notifier.invalidate_seq);
}

unsigned long gm_snapshot_begin(struct gm_as *as, struct gm_snapshot *snap);

struct gm_context {
	struct gm_as *as;
	struct gm_dev *dev;
	void *data;
	struct list_head as_node;
	bool revoked;		/* by gm_dev_destroy(); under the mmap lock */
};

/*
 * Logical page table entry: an xarray value entry, so 8 bytes per slot.
 * Pages on a device also carry GM_LPT_ON_DEVICE as an xarray mark, so the
 * notifier can skip ranges with nothing on any device.
 */
#define GM_LPT_DEVICE		BIT(0)	/* resident on a device */
#define GM_LPT_WRITE		BIT(1)	/* device copy mapped writable */
#define GM_LPT_DEV_SHIFT	4	/* bits 2-3 free */
#define GM_LPT_DEV_MASK		(GM_MAX_DEVICES - 1)
#define GM_LPT_FRAME_SHIFT	12
/*
 * On a device, bits 12-43 hold the frame; in host memory, when it left
 * (gm_evict_clock).
 */
#define GM_LPT_LEFT_MASK	GENMASK_ULL(43, 12)
/* Bounces: arrivals on a device within thrash_window evictions of leaving. */
#define GM_LPT_BOUNCE_SHIFT	44
#define GM_LPT_BOUNCE_MAX	15UL
#define GM_LPT_ON_DEVICE	XA_MARK_0
/*
 * Host pages some device maps remotely (gm_mmu.remote_map) carry this
 * mark instead, on a host record, so the notifier unmaps them too.
 */
#define GM_LPT_REMOTE		XA_MARK_1

/* The device id a record with GM_LPT_DEVICE set names... */
static inline unsigned int gm_lpt_dev(unsigned long v)
{
	return (v >> GM_LPT_DEV_SHIFT) & GM_LPT_DEV_MASK;
}

/* ...and the frame of that device. */
static inline unsigned long gm_lpt_frame(unsigned long v)
{
	return (v & GM_LPT_LEFT_MASK) >> GM_LPT_FRAME_SHIFT;
}

/*
 * hmadvise() attributes of an address range, packed in a maple tree value
 * entry (see hmadvise.c).
 */
#define GM_ATTR_PREF_BITS	11	/* hnid + 1: MAX_NUMNODES + 256 fit */
#define GM_ATTR_PREF_MASK	GENMASK_ULL(GM_ATTR_PREF_BITS - 1, 0)
/*
 * The devices a range is accessed by are a set of up to GM_MAX_DEVICES,
 * more than a value entry holds: the entry holds the set's id in the
 * address space's table of the distinct sets it used (gm_as.accessed_sets,
 * which only grows, to GM_ATTR_ACCESSED_SETS sets, until the address space
 * goes). Id 0 is the empty set.
 */
#define GM_ATTR_ACCESSED_SHIFT	GM_ATTR_PREF_BITS
#define GM_ATTR_ACCESSED_BITS	12
#define GM_ATTR_ACCESSED_MASK	GENMASK_ULL(GM_ATTR_ACCESSED_SHIFT + \
					    GM_ATTR_ACCESSED_BITS - 1, \
					    GM_ATTR_ACCESSED_SHIFT)
#define GM_ATTR_ACCESSED_SETS	((1U << GM_ATTR_ACCESSED_BITS) - 1)
#define GM_ATTR_READ_MOSTLY	BIT_ULL(43)
#define GM_ATTR_PINNED		BIT_ULL(44)
#define GM_ATTR_HINT_SHIFT	45			/* policy hint + 1 */
#define GM_ATTR_HINT_MASK	GENMASK_ULL(53, 45)

struct gm_dev_set {
	DECLARE_BITMAP(ids, GM_MAX_DEVICES);	/* gm_dev.id */
};

/* The attributes of @va; 0 (all default) if none were set. */
static inline unsigned long gm_attr_load(struct gm_as *as, unsigned long va)
{
	void *entry = mtree_load(&as->attrs, va);

	return entry ? xa_to_value(entry) : 0;
}

/*
 * A walk over consecutive addresses reads their attributes once per range
 * of the tree: the cursor keeps the last range found. Start it with
 * GM_ATTR_CURSOR_INIT, under as->lock, and use it only under that hold:
 * attributes that change afterwards are then applied to the pages by
 * gm_lpt_update_pinned() and its like, which take as->lock.
 */
struct gm_attr_cursor {
	unsigned long first, last;	/* where @attr holds */
	unsigned long attr;
};

#define GM_ATTR_CURSOR_INIT	{ .first = 1, .last = 0 }

/* gm_attr_load(), through @c. */
static inline unsigned long gm_attr_at(struct gm_as *as,
				       struct gm_attr_cursor *c,
				       unsigned long va)
{
	MA_STATE(mas, &as->attrs, va, va);
	void *entry;

	if (va >= c->first && va <= c->last)
		return c->attr;
	/* The range of the entry or of the gap @va is in. */
	rcu_read_lock();
	entry = mas_walk(&mas);
	rcu_read_unlock();
	c->first = mas.index;
	c->last = mas.last;
	c->attr = entry ? xa_to_value(entry) : 0;
	return c->attr;
}

static inline struct gm_dev *gm_page_dev(struct page *page)
{
	return container_of(page->pgmap, struct gm_dev, pagemap);
}

/* Calls of one hook in a row that fail before the policy is ejected. */
#define GM_POLICY_STRIKES	32
/*
 * Pages one device fault may prefetch, and in how many ranges. A small
 * device, or an address space capped below it (gm_as_max_pages), gets at
 * most 1/GM_PREFETCH_DEV_SHARE of its frames: a prefetch evicts as many
 * pages as it brings, and a wrong bet on a big share of a small device
 * evicts its working set.
 */
#define GM_PREFETCH_BUDGET	512
#define GM_PREFETCH_DEV_SHARE	8
#define GM_PREFETCH_RANGES	4

enum gm_policy_hook {
	GM_HOOK_INIT, GM_HOOK_EXIT, GM_HOOK_PREFETCH, GM_HOOK_EVICT,
	GM_HOOK_PAGE_ADDED, GM_HOOK_PAGE_ACCESSED, GM_HOOK_PAGE_REMOVED,
	GM_HOOK_HMADVISE, GM_HOOK_PLACE, GM_HOOK_NR
};

struct gm_policy {
	struct gmem_policy_ops *ops;
	char name[GMEM_POLICY_NAME_MAX];
	struct list_head node;			/* gm_policies */
	struct kobject kobj;			/* /sys/kernel/gmem/policies/NAME */
	bool builtin;
	atomic_t ejecting;			/* hooks are no longer called */
	bool ejected;				/* exit_reason is complete */
	char exit_reason[160];
	atomic_t strikes[GM_HOOK_NR];		/* failed calls in a row */
	unsigned int nr_as;			/* under gm_policy_lock */
	unsigned int nr_retiring;	/* exit()s to run, same lock */
	atomic_long_t calls;
	atomic_long_t errors;
	atomic_long_t refused;
	atomic_long_t clamped;
	atomic_long_t prefetched;
	atomic_long_t victims;
	atomic_long_t filled;
	atomic_long_t stalls;
	atomic64_t max_ns;
};

/*
 * A device fault in progress (gm_fault_begin()): the policy that decides
 * it from start to end, placement, the eviction rounds of its migrations
 * and its prefetch, even if its address space is switched to another
 * meanwhile. The eviction runs deep in the migration and finds it through
 * current->gm_fault, as compaction finds its capture_control.
 */
struct gm_fault {
	struct gm_as *as;
	struct gm_policy *policy;
	struct gm_fault *prev;		/* current->gm_fault before */
};

/* A fault's prefetch proposals; the policy sees only @pub. */
struct gm_prefetch_req {
	struct gmem_prefetch_ctx pub;
	struct gm_policy *policy;
	struct gm_as *as;
	struct gm_dev *dev;
	unsigned int nr;
	struct gm_va_range ranges[GM_PREFETCH_RANGES];
	unsigned int accepted, refused;
};

/* An eviction round's nominations, into gm_dev.evict. */
struct gm_evict_req {
	struct gmem_evict_ctx pub;
	struct gm_dev *dev;
	struct gm_policy *policy;
	unsigned int refused;
};

/* Heterogeneous NUMA id: past the host's node ids, one per device. */
static inline int gm_dev_hnid(struct gm_dev *dev)
{
	return nr_node_ids + dev->id;
}

/* The MADV_POLICY_HINT_* advice in range attributes @attr, or 0. */
static inline u32 gm_attr_hint(unsigned long attr)
{
	unsigned long hint = (attr & GM_ATTR_HINT_MASK) >> GM_ATTR_HINT_SHIFT;

	return hint ? hint - 1 + MADV_POLICY_HINT_FIRST : 0;
}

static inline bool gm_policy_live(struct gm_policy *p)
{
	return !atomic_read(&p->ejecting);
}

/* core.c */
extern struct mutex gm_global_lock;
extern struct list_head gm_devices;
extern struct list_head gm_address_spaces;
extern struct ida gm_dev_ida;
extern struct gm_dev __rcu *gm_dev_table[GM_MAX_DEVICES];
extern struct dentry *gm_debugfs_root;
extern bool gm_strict_capacity;
extern unsigned int gm_as_max_pages;

/* lpt.c */
extern unsigned int gm_thrash_threshold;
extern unsigned int gm_thrash_window;
extern unsigned int gm_thrash_protect;
extern atomic_long_t gm_evict_clock;
unsigned long gm_thrash_span(unsigned int tunable, struct gm_dev *dev,
			     unsigned int times);
bool gm_frame_protected(struct gm_frame *frame);
void gm_lpt_refile_pinned(struct gm_as *as, unsigned long first,
			  unsigned long last, bool unmapping);
void gm_lpt_update_pinned(struct gm_as *as, unsigned long start,
			  unsigned long end);
unsigned long gm_lpt_set_device(struct gm_as *as, unsigned long start,
				struct gm_dev *dev, const unsigned long *dst,
				unsigned long *moved, unsigned int npages,
				unsigned long began);
unsigned long gm_lpt_note_mapped(struct gm_as *as, unsigned long start,
				 struct gm_dev *dev, const unsigned long *pfns,
				 unsigned long which, unsigned int npages);
void gm_lpt_set_host(struct gm_as *as, unsigned long va, struct gm_dev *dev,
		     struct page *page, bool used);
void gm_lpt_set_host_range(struct gm_as *as, unsigned long start,
			   struct gm_dev *dev, const unsigned long *src,
			   unsigned long moved, unsigned int npages);
void gm_lpt_clear_remote(struct gm_as *as, unsigned long first,
			 unsigned long last);
void gm_lpt_write_protect(struct gm_as *as, unsigned long first,
			  unsigned long last);
void gm_lpt_erase(struct gm_as *as, unsigned long first,
		  unsigned long last);
void gm_lpt_forget_device(struct gm_as *as, unsigned int id);

/* sysfs.c */
extern struct kobject *gm_sysfs_root;
extern struct kobject *gm_devices_kobj;
extern struct kobj_type gm_dev_ktype;
extern const struct attribute_group gm_root_group;
extern struct kobj_type gm_policy_ktype;

/* policy.c */
extern struct mutex gm_policy_lock;
extern struct list_head gm_policies;
extern unsigned int gm_watchdog_ms;
extern struct gm_policy gm_default_policy;
struct gm_policy *gm_as_policy(struct gm_as *as);

/*
 * The policy @as is bound to, for a frame of @dev to record in the same
 * hold of dev->lock: a switch stores as->policy under gm_policy_lock
 * alone, but the policy it replaces is retired only after its frames on
 * every device were handed over under that device's lock
 * (gm_as_handover_fn()), or, when @as goes, orphaned under it
 * (gm_as_release()). So a policy read under dev->lock stays valid while a
 * frame of @dev records it: read before the handover took the lock, the
 * handover moves the frame on; read after, it is the new one.
 */
static inline struct gm_policy *gm_as_frame_policy(struct gm_as *as,
						   struct gm_dev *dev)
{
	return rcu_dereference_check(as->policy, lockdep_is_held(&dev->lock));
}

int gm_fault_begin(struct gm_fault *fault, struct gm_as *as);
void gm_fault_end(struct gm_fault *fault, int srcu_idx);
u64 gm_policy_enter(struct gm_policy *p);
void gm_policy_leave(struct gm_policy *p, enum gm_policy_hook hook,
		     u64 start, int err, bool bad);
struct gm_policy *gm_system_default(void);
void gm_policy_select(struct gm_policy *p, struct gm_as *as);
void gm_as_policy_init(struct gm_as *as);
void gm_as_policy_exit(struct gm_as *as);
void gm_as_handover_fn(struct work_struct *work);
struct gm_policy *gm_policy_find(const char *name);
int __init gm_policy_layer_init(void);

/* decide.c */
bool gm_policy_call_init(struct gm_policy *p, struct gm_as *as);
void gm_policy_call_exit(struct gm_policy *p, struct gm_as *as);
void __gm_policy_page_event(struct gm_policy *p,
			    enum gm_policy_hook hook, struct gm_dev *dev,
			    struct gm_frame *frame, bool referenced,
			    const unsigned long *attr);
void gm_policy_page_event(struct gm_policy *p, enum gm_policy_hook hook,
			  struct gm_dev *dev, struct gm_frame *frame);
bool gm_policy_prefetch(struct gm_context *ctx, unsigned long va,
			bool write);
void gm_policy_evict(struct gm_dev *dev, struct gm_as *as);
void gm_policy_hmadvise(struct gm_as *as, unsigned long start,
			unsigned long end, int advice);
bool gm_policy_place_remote(struct gm_context *ctx, unsigned long va,
			    unsigned int flags, unsigned int accesses);
int gm_default_evict(struct gmem_evict_ctx *ctx);
int gm_default_place(struct gmem_place_ctx *ctx);
void gm_evict_own(struct gm_dev *dev, struct gm_as *as);

/* devmem.c */
void gm_buddy_free(struct gm_dev *dev, unsigned long index,
		   unsigned int order);
void gm_frame_track(struct gm_dev *dev, struct page *page,
		    struct gm_as *as, unsigned long va, unsigned int flags,
		    unsigned long attr);
void gm_frame_file(struct gm_dev *dev, struct gm_frame *frame);
void gm_frame_unprotect(struct gm_dev *dev, struct gm_frame *frame);
void gm_frame_use(struct gm_dev *dev, struct gm_frame *frame,
		  bool arrived_thrashing);
bool gm_frame_take_reports(struct gm_dev *dev, struct gm_frame *frame);
void gm_frame_set_pinned(struct gm_dev *dev, struct gm_frame *frame,
			 bool pinned);
void gm_frame_orphan(struct gm_dev *dev, struct gm_frame *frame);
struct page *gm_dev_alloc_page(struct gm_dev *dev);

/* mirror.c */
void gm_ctx_unmap(struct gm_context *ctx, unsigned long start,
		  unsigned long end);
int gm_ctx_map(struct gm_context *ctx, unsigned long va,
	       struct page *page, unsigned int prot);
extern const struct mmu_interval_notifier_ops gm_as_notifier_ops;

/* fault.c */
int gm_copy_to_host(struct gm_dev *dev, unsigned long src,
		    struct vm_area_struct *vma, unsigned long addr, int nid,
		    unsigned long *dst);
vm_fault_t gm_devmem_migrate_to_ram(struct vm_fault *vmf);
struct gm_context *gm_as_find_ctx(struct gm_as *as, struct gm_dev *dev);
void gm_dev_revoke_contexts(struct gm_dev *dev);
/* What gm_migrate_to_dev() did, bit i for page i of its range. */
struct gm_migrated {
	unsigned long moved;	/* in the device's memory now */
	unsigned long mapped;	/* and mapped on the device */
};

int gm_migrate_to_dev(struct gm_context *ctx, unsigned long start,
		      unsigned long end, bool write, int reason,
		      struct gm_migrated *migrated);
/*
 * gm_map_range() flags, beside GMEM_PAGE_PREFETCHED: map host pages too,
 * remotely; fault missing pages in on the CPU first (HMM's mirror mode);
 * map only pages that may be written, for a write.
 */
#define GM_MAP_REMOTE	BIT(16)
#define GM_MAP_FAULT	BIT(17)
#define GM_MAP_WRITE	BIT(18)
int gm_map_range(struct gm_context *ctx, unsigned long start,
		 unsigned long end, unsigned long fresh, unsigned int flags,
		 unsigned long *mapped);
int gm_map_range_retry(struct gm_context *ctx, unsigned long start,
		       unsigned long end, unsigned long fresh,
		       unsigned int flags, unsigned long timeout,
		       unsigned long *mapped);
int gm_fault_locked(struct gm_context *ctx, unsigned long va,
		    bool write, bool remote, unsigned long *moved);

/* evict.c */
void gm_evict_flush_tlb(struct gm_dev *dev);
void gm_dev_evict_work(struct work_struct *work);
void gm_dev_evict_work_stop(struct gm_dev *dev);
bool gm_as_strict_capacity(struct gm_as *as);
struct page *gm_dev_alloc_evicting(struct gm_dev *dev, struct gm_as *as,
				   unsigned int pending);

/* hmadvise.c */
int gm_attr_room(struct gm_as *as);
int gm_prefetch_to_dev(struct gm_context *ctx, unsigned long start,
		       unsigned long end);

/* debugfs.c */
void gm_as_debugfs_add(struct gm_as *as);
void gm_as_debugfs_remove(struct gm_as *as);

#endif /* _MM_GMEM_INTERNAL_H */
