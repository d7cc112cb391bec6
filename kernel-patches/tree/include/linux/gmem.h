/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GMEM: generalized memory management for devices with their own MMU and
 * local memory, built on HMM's mechanisms (device-private pages,
 * migrate_vma_*, mmu_interval_notifier).
 *
 * A driver describes its hardware with a struct gm_mmu, creates a gm_dev,
 * registers its local memory and attaches device contexts to the address
 * space (gm_as) of a process. GMEM then keeps the device's view of every
 * MAP_PEER_SHARED mapping coherent with the CPU's: it migrates pages
 * between host and device memory, and tells the driver when to map, unmap
 * and invalidate. See Documentation in docs/gmem.md of GMEM-BPF.
 */
#ifndef _LINUX_GMEM_H
#define _LINUX_GMEM_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/memremap.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <uapi/linux/gmem.h>

struct gm_as;
struct gm_context;
struct gm_dev;
struct mm_struct;
struct page;
struct seq_file;
struct task_struct;

/* Access rights for gm_mmu.pmap_enter, pmap_protect, peer_map, remote_map. */
#define GM_PROT_READ	0x1
#define GM_PROT_WRITE	0x2

/**
 * struct gm_va_range - a range of virtual addresses, [@start, @end)
 * @start: first byte
 * @end: first byte past the range
 */
struct gm_va_range {
	unsigned long start;
	unsigned long end;
};

/* Why GMEM moved pages, as the gmem:gmem_migrate tracepoint reports it. */
enum gm_migrate_reason {
	GM_MIGRATE_FAULT,		/* device fault */
	GM_MIGRATE_PREFETCH,		/* hmadvise(MADV_PREFETCH) to a device */
	GM_MIGRATE_CPU_FAULT,		/* CPU touched a device page */
	GM_MIGRATE_EVICT,		/* device full */
	GM_MIGRATE_HMADVISE,		/* hmadvise() back to host memory */
	GM_MIGRATE_DEVICE_GONE,		/* gm_dev_destroy() */
};

/* Flags of gm_dev_fault(). */
#define GM_FAULT_WRITE	0x1

/**
 * struct gm_fault_entry - one fault of a batch, for gm_dev_fault_batch()
 * @va: faulting virtual address
 * @flags: GM_FAULT_WRITE for a write access
 * @result: out: what gm_dev_fault() would have returned for it
 */
struct gm_fault_entry {
	unsigned long va;
	unsigned int flags;
	int result;
};

/* The most faults gm_dev_fault_batch() takes at once (NVIDIA UVM's batch). */
#define GM_FAULT_BATCH_MAX	256

/**
 * struct gm_mmu - hardware-dependent operations a GMEM device implements
 *
 * GMEM calls these ops; a driver never calls them itself. Unless noted,
 * an op is called in process context and may sleep. "as->lock" is the
 * address space's mutex, which GMEM also takes in its mmu notifier: ops
 * called under it must not call back into GMEM and must not enter memory
 * reclaim (allocate with GFP_ATOMIC/GFP_NOWAIT or preallocate), since
 * reclaim can invalidate through that notifier. Ops marked optional may be
 * NULL; GMEM then does what is described.
 *
 * @peer_va_alloc_fixed: reserve [@va, @va + @size) in the device's own
 *	virtual address space for @ctx. Called for every MAP_PEER_SHARED
 *	mapping, at mmap() time for attached devices (before the VMA exists:
 *	the range was free a moment before) and at gm_as_attach() for
 *	mappings that already exist, with the mmap lock held for write and
 *	not under as->lock, so it may allocate. An error fails the mmap() (or
 *	the attach) with it. Optional: without it every range is accepted.
 * @peer_va_free: release a range reserved by @peer_va_alloc_fixed. Called
 *	at munmap(), at detach and at exit with the mmap lock held, not under
 *	as->lock, possibly for part of a reserved range or for neighbouring
 *	ranges reserved apart whose mappings merged; and by an mmap() that
 *	fails after the reservation. Optional.
 * @prepare_page: fill @dst: zero it when @src is NULL, else copy @src into
 *	it. Either page may be device memory of this device, the other one is
 *	then host memory. This is the device's copy engine; it is called with
 *	both pages locked, under no GMEM lock, and may sleep. Required when
 *	physical memory is registered.
 * @pmap_create: create the device page table of a new context. Called by
 *	gm_as_attach(). Optional.
 * @pmap_destroy: destroy it; no mapping is left. Called by gm_as_detach(),
 *	or by gm_dev_destroy() for contexts still attached, either way with
 *	the mmap lock held for write and the device's eviction lock (not
 *	under as->lock), before gm_dev_destroy() returns: it must not wait
 *	for anything that takes those locks. Optional.
 * @pmap_enter: map device page @page at @va with @prot (GM_PROT_*).
 *	Called under as->lock with the mmap lock held for read; when a
 *	migration maps the pages it moved, also with them locked and under
 *	migration in the CPU page table: it must not lock a page or touch
 *	user memory. Required.
 * @pmap_release: remove the device mappings of [@start, @end). Called under
 *	as->lock, possibly from an mmu notifier (no page allocation with
 *	__GFP_FS, no sleeping on the mmap lock). Required unless @peer_unmap
 *	is given.
 * @pmap_protect: reduce the device mappings of [@start, @end) to @prot.
 *	Called under as->lock from an mmu notifier when the CPU write-protects
 *	pages (fork's copy-on-write). Optional: @pmap_release is used instead.
 * @tlb_invl: invalidate the device TLB for [@start, @end). Called under
 *	as->lock after @pmap_release or @pmap_protect, before the pages can be
 *	freed or reused. Required with either of them.
 * @tlb_invl_coalesced: invalidate the device TLB for @nr ranges at once.
 *	Called under as->lock. Optional: @tlb_invl is called per range.
 * @peer_map: map @page at @va with @prot and make the mapping visible, in
 *	one step for devices that can batch them. Same context as
 *	@pmap_enter. Optional: @pmap_enter is used.
 * @peer_unmap: unmap [@start, @end) and invalidate the TLB in one step.
 *	Same context as @pmap_release. Optional: @pmap_release then
 *	@tlb_invl are used.
 * @remote_map: map host page @page at @va with @prot without migrating
 *	it: the device reaches it over its link (HMM's mirror mode). Same
 *	context as @pmap_enter; the mapping goes like the others, through
 *	@pmap_release or @peer_unmap, before the CPU page table lets go of
 *	the page. A device with access counters reports the use of such
 *	pages with gm_dev_access_counter(). Optional: without it a device
 *	fault always migrates the page to the device.
 */
struct gm_mmu {
	int (*peer_va_alloc_fixed)(struct gm_context *ctx, unsigned long va,
				   unsigned long size);
	void (*peer_va_free)(struct gm_context *ctx, unsigned long va,
			     unsigned long size);
	int (*prepare_page)(struct gm_dev *dev, struct page *dst,
			    struct page *src);
	int (*pmap_create)(struct gm_context *ctx);
	void (*pmap_destroy)(struct gm_context *ctx);
	int (*pmap_enter)(struct gm_context *ctx, unsigned long va,
			  struct page *page, unsigned int prot);
	void (*pmap_release)(struct gm_context *ctx, unsigned long start,
			     unsigned long end);
	void (*pmap_protect)(struct gm_context *ctx, unsigned long start,
			     unsigned long end, unsigned int prot);
	void (*tlb_invl)(struct gm_context *ctx, unsigned long start,
			 unsigned long end);
	void (*tlb_invl_coalesced)(struct gm_context *ctx,
				   const struct gm_va_range *ranges,
				   unsigned int nr);
	int (*peer_map)(struct gm_context *ctx, unsigned long va,
			struct page *page, unsigned int prot);
	void (*peer_unmap)(struct gm_context *ctx, unsigned long start,
			   unsigned long end);
	int (*remote_map)(struct gm_context *ctx, unsigned long va,
			  struct page *page, unsigned int prot);
};

/*
 * Policies: what GMEM asks a policy, and what it tells it. A policy is a
 * struct gmem_policy_ops, built in or a BPF struct_ops map; BPF programs
 * see the structures below through BTF, read-only, and act through the
 * kfuncs gmem_prefetch_range(), gmem_prefetch_verdicts(), gmem_evict_frame(),
 * gmem_frame_state() and gmem_frame_take_referenced().
 * See mm/gmem/policy.c and docs/writing-a-policy.md of GMEM-BPF.
 *
 * The constants policies need are enums, not macros, so that they are in
 * vmlinux BTF and BPF programs get them from vmlinux.h (GMEM_POLICY_NAME_MAX
 * is one of the UAPI, as userspace writes policy names too).
 */
/* gmem_page.flags, gmem_prefetch_ctx.flags */
enum gmem_page_flags {
	GMEM_PAGE_WRITE		= 0x1,	/* prefetch: a write fault */
	GMEM_PAGE_THRASHING	= 0x2,	/* keeps bouncing to and from devices */
	GMEM_PAGE_REFERENCED	= 0x4,	/* page_accessed: reported, not faulted */
	GMEM_PAGE_PREFETCHED	= 0x8,	/* arrived by a prefetch, not a fault */
	GMEM_PAGE_UNUSED	= 0x10,	/* page_removed: prefetched, never used */
	GMEM_PAGE_PREFER_HOST	= 0x20,	/* the range prefers host memory */
	GMEM_PAGE_ACCESSED_BY	= 0x40,	/* the device is in the range's set */
	GMEM_PAGE_JUDGED	= 0x80,	/* page_removed: gmem_prefetch_verdicts() took it */
};

/* gmem_frame_state() */
enum gmem_frame_state_flags {
	GMEM_FRAME_RESIDENT	= 0x1,	/* holds a page, may be nominated */
	GMEM_FRAME_PINNED	= 0x2,	/* its range is hmadvise(MADV_PIN)ned */
	GMEM_FRAME_BUSY		= 0x4,	/* being migrated, or nominated */
	GMEM_FRAME_PROTECTED	= 0x8,	/* thrashing: the default spares it */
};

/* gmem_place_ctx.flags */
enum gmem_place_flags {
	GMEM_PLACE_WRITE	= 0x1,	/* a write access */
	GMEM_PLACE_COUNTER	= 0x2,	/* an access counter report, no fault */
	GMEM_PLACE_ACCESSED_BY	= 0x4,	/* the device is in the range's set */
	GMEM_PLACE_PREFER_HOST	= 0x8,	/* the range prefers host memory */
};

/* What the place hook decides. */
enum gmem_placement {
	GMEM_PLACE_MIGRATE	= 0,	/* move the page to the device */
	GMEM_PLACE_REMOTE	= 1,	/* map it from host memory */
};

/**
 * struct gmem_as_info - an address space a policy is bound to
 * @id: unique for the life of the system
 * @pid: the process that created it
 */
struct gmem_as_info {
	u64 id;
	s32 pid;
};

/**
 * struct gmem_page - a page of device memory, for residency events
 * @va: virtual address of the page
 * @as_id: gmem_as_info.id of its address space
 * @dev: device id (the hnid is nr_node_ids + @dev)
 * @frame: frame number in the device's memory, below its frame count
 * @flags: GMEM_PAGE_*
 * @hint: MADV_POLICY_HINT_FIRST.. hint of @va's range, or 0
 * @preferred_dev: the device @va's range prefers, or -1 (none, or a host
 *	node: then GMEM_PAGE_PREFER_HOST)
 * @prefetched_pending: pages on the device that a prefetch brought (a
 *	policy's or hmadvise()'s, of any address space) and the device has
 *	not used yet; on page_removed, not counting this one: without those
 *	bets the device would have had as many frames more, and kept it
 *	that many evictions longer
 */
struct gmem_page {
	u64 va;
	u64 as_id;
	u32 dev;
	u32 frame;
	u32 flags;
	u32 hint;
	s32 preferred_dev;
	u32 prefetched_pending;
};

/**
 * struct gmem_prefetch_ctx - a device fault, just resolved
 * @va: the faulting page
 * @vma_start: start of its MAP_PEER_SHARED mapping
 * @vma_end: end of it; prefetch is clamped to [@vma_start, @vma_end)
 * @as_id: gmem_as_info.id of the faulting address space
 * @dev: device id
 * @flags: GMEM_PAGE_WRITE for a write fault; GMEM_PAGE_PREFER_HOST,
 *	GMEM_PAGE_ACCESSED_BY as the range's hints say
 * @hint: MADV_POLICY_HINT_FIRST.. hint of @va's range, or 0
 * @budget: pages gmem_prefetch_range() may still add for this fault
 * @kernel: GMEM's own. Being a pointer, it also keeps the verifier from
 *	taking a copy on a program's stack for a kfunc's argument.
 * @preferred_dev: as in struct gmem_page
 */
struct gmem_prefetch_ctx {
	u64 va;
	u64 vma_start;
	u64 vma_end;
	u64 as_id;
	u32 dev;
	u32 flags;
	u32 hint;
	u32 budget;
	const void *kernel;
	s32 preferred_dev;
};

/**
 * struct gmem_evict_ctx - a device is full
 * @as_id: gmem_as_info.id of the address space whose fault needs a frame
 * @dev: device id
 * @nr_frames: frames of device memory; frame numbers are below it
 * @wanted: victims GMEM asks for
 * @nominated: victims accepted so far
 * @kernel: GMEM's own, as in struct gmem_prefetch_ctx
 */
struct gmem_evict_ctx {
	u64 as_id;
	u32 dev;
	u32 nr_frames;
	u32 wanted;
	u32 nominated;
	const void *kernel;
};

/**
 * struct gmem_place_ctx - where should a page a device wants live?
 * @va: the page
 * @as_id: gmem_as_info.id of its address space
 * @dev: id of the device that faulted on it, or reported its accesses
 * @flags: GMEM_PLACE_*
 * @preferred_dev: the device the range prefers (MADV_PREFERRED_LOCATION),
 *	or -1 (none, or a host node: then GMEM_PLACE_PREFER_HOST)
 * @location: the device the page is on, or -1 (host memory, or not
 *	populated yet)
 * @accesses: GMEM_PLACE_COUNTER: the device's accesses to the page over
 *	the link since its last report; else 0
 * @hint: MADV_POLICY_HINT_FIRST.. hint of @va's range, or 0
 */
struct gmem_place_ctx {
	u64 va;
	u64 as_id;
	u32 dev;
	u32 flags;
	s32 preferred_dev;
	s32 location;
	u32 accesses;
	u32 hint;
};

/**
 * struct gmem_hint_ctx - hmadvise() gave a policy-defined hint
 * @start: first byte of the range
 * @end: first byte past it
 * @as_id: gmem_as_info.id of the address space
 * @hint: the advice, MADV_POLICY_HINT_FIRST..LAST; 0 after
 *	MADV_CLEAR_ATTRIBUTES
 */
struct gmem_hint_ctx {
	u64 start;
	u64 end;
	u64 as_id;
	u32 hint;
};

/**
 * struct gmem_policy_ops - a GMEM policy: prefetch, eviction, hints
 *
 * Every hook is optional. Hooks run without sleeping (BPF struct_ops
 * programs are not sleepable in 6.1) under rcu_read_lock(); the bpf_*
 * helpers of all program types (maps, bpf_loop, bpf_ktime_get_ns) may be
 * used. A hook returning an error, a hook whose decisions GMEM refuses,
 * or one that runs longer than /sys/kernel/gmem/watchdog_ms counts
 * against the policy; the watchdog ejects a policy that keeps failing.
 * Decisions are validated, so a policy can make GMEM slower, never wrong.
 *
 * @init: the policy is bound to address space @as: at its creation, or
 *	when it selects this policy, or when this one becomes the system
 *	default it follows. Process context; page_added() follows for each
 *	page @as already has on a device. A negative return is counted.
 * @exit: the policy is released from @as: after page_removed() for each of
 *	its pages, and once no hook of this binding can still be running (a
 *	grace period later, in a worker). Runs exactly once per init(): an
 *	address space switched back before its exit() ran keeps its binding,
 *	without a new init(). A policy being ejected is told of no new
 *	binding, so neither of its end.
 * @prefetch: a device fault at @ctx->va was resolved. Propose more pages
 *	with gmem_prefetch_range(): they are clamped to the fault's mapping
 *	and to @ctx->budget pages, then migrated before the fault returns;
 *	gmem_prefetch_verdicts() tells how earlier ones went. Process
 *	context, the mmap lock held for read, in an RCU read-side section.
 * @evict: the device is full: nominate up to @ctx->wanted victims with
 *	gmem_evict_frame(). The default LRU fills any shortfall. Called with
 *	the device's frame lock (a spinlock) held.
 * @page_added: a page became resident in a frame of a device, for an
 *	address space bound to this policy. Frame lock held.
 * @page_accessed: a device faulted again on a resident page (its mapping
 *	had been invalidated), or, with GMEM_PAGE_REFERENCED, the device
 *	reported using the page (gm_dev_frame_accessed()) and GMEM found so
 *	while aging its coldest pages before an eviction round. Frame lock
 *	held.
 * @page_removed: the frame no longer holds the page (migrated away, freed,
 *	or the address space left this policy). Frame lock held. With
 *	GMEM_PAGE_PREFETCHED the page had come by prefetch (the policy's, or
 *	hmadvise(MADV_PREFETCH)), and with GMEM_PAGE_UNUSED as well the
 *	device never used it: no fault on it, no use it reported
 *	(gm_dev_frame_accessed()): a prefetcher's feedback on its accuracy.
 *	A device that reports no use tells only of faults. With
 *	GMEM_PAGE_JUDGED the prefetch hook took that verdict already
 *	(gmem_prefetch_verdicts()).
 * @hmadvise: hmadvise() stored a policy-defined hint for a range. Process
 *	context, the mmap lock held for read.
 * @place: a device faulted on a page that is not in its memory, or (with
 *	GMEM_PLACE_COUNTER) reported many accesses to a page it maps from
 *	host memory: return GMEM_PLACE_MIGRATE to move the page to the
 *	device, GMEM_PLACE_REMOTE to map it from host memory (from another
 *	device it comes to host memory first). Called only for devices that
 *	can map host memory (gm_mmu.remote_map). Any other return counts as
 *	refused and the default decides: hints first (see docs/hmadvise.md),
 *	else migrate. Process context, the mmap lock held for read.
 * @name: unique among policies: [A-Za-z0-9_-], 1-15 characters, not
 *	"system".
 */
struct gmem_policy_ops {
	int (*init)(struct gmem_as_info *as);
	void (*exit)(struct gmem_as_info *as);
	int (*prefetch)(struct gmem_prefetch_ctx *ctx);
	int (*evict)(struct gmem_evict_ctx *ctx);
	void (*page_added)(struct gmem_page *page);
	void (*page_accessed)(struct gmem_page *page);
	void (*page_removed)(struct gmem_page *page);
	int (*hmadvise)(struct gmem_hint_ctx *ctx);
	int (*place)(struct gmem_place_ctx *ctx);
	char name[GMEM_POLICY_NAME_MAX];
};

#ifdef CONFIG_GMEM

struct gm_dev *gm_dev_create(const char *name, const struct gm_mmu *mmu,
			     void *driver_data);
void gm_dev_destroy(struct gm_dev *dev);
void *gm_dev_driver_data(struct gm_dev *dev);
int gm_dev_register_physmem(struct gm_dev *dev, unsigned long size);
unsigned long gm_dev_page_index(struct gm_dev *dev, struct page *page);
void gm_dev_frame_accessed(struct gm_dev *dev, unsigned long index);
struct page *gm_dev_frame_page(struct gm_dev *dev, unsigned long index);
long gm_dev_alloc_frames(struct gm_dev *dev, unsigned int order);
void gm_dev_free_frames(struct gm_dev *dev, unsigned long index,
			unsigned int order);
void gm_dev_mem_usage(struct gm_dev *dev, unsigned long *total,
		      unsigned long *used);

struct gm_as *gm_as_create(struct mm_struct *mm);
void gm_as_put(struct gm_as *as);
struct gm_context *gm_as_attach(struct gm_as *as, struct gm_dev *dev,
				void *ctx_data);
void gm_as_detach(struct gm_context *ctx);
void *gm_context_data(struct gm_context *ctx);
struct gm_dev *gm_context_dev(struct gm_context *ctx);

int gm_dev_fault(struct mm_struct *mm, unsigned long va, struct gm_dev *dev,
		 unsigned int flags);
int gm_dev_fault_batch(struct mm_struct *mm, struct gm_dev *dev,
		       struct gm_fault_entry *faults, unsigned int nr);
int gm_dev_access_counter(struct mm_struct *mm, unsigned long va,
			  struct gm_dev *dev, unsigned int accesses);

int gm_policy_register(struct gmem_policy_ops *ops);
void gm_policy_unregister(struct gmem_policy_ops *ops);
bool gm_policy_name_valid(const char *name);
int gm_policy_proc_show(struct seq_file *m, struct task_struct *task);
int gm_policy_proc_select(struct task_struct *task, const char *name);
int gmem_prefetch_range(struct gmem_prefetch_ctx *ctx, u64 start,
			u64 nr_pages);
u64 gmem_prefetch_verdicts(struct gmem_prefetch_ctx *ctx, u64 start,
			   u64 nr_pages);
int gmem_evict_frame(struct gmem_evict_ctx *ctx, u32 frame);
u32 gmem_frame_state(struct gmem_evict_ctx *ctx, u32 frame);
u32 gmem_frame_take_referenced(struct gmem_evict_ctx *ctx, u32 frame);

/* Hooks from core mm (mm/mmap.c, kernel/fork.c). */
unsigned long gm_get_unmapped_area(struct file *file, unsigned long addr,
				   unsigned long len, unsigned long pgoff,
				   unsigned long flags);
int gm_peer_shared_reserve(struct mm_struct *mm, unsigned long start,
			   unsigned long len);
void gm_peer_shared_unreserve(struct mm_struct *mm, unsigned long start,
			      unsigned long len);
void gm_peer_shared_unmap(struct vm_area_struct *vma);

static inline void gm_mm_init(struct mm_struct *mm)
{
	mm->gm_as = NULL;
}

#else /* !CONFIG_GMEM */

#define gm_get_unmapped_area	NULL

static inline int gm_peer_shared_reserve(struct mm_struct *mm,
					 unsigned long start,
					 unsigned long len)
{
	return 0;
}

static inline void gm_peer_shared_unreserve(struct mm_struct *mm,
					    unsigned long start,
					    unsigned long len) {}

static inline void gm_peer_shared_unmap(struct vm_area_struct *vma) {}
static inline void gm_mm_init(struct mm_struct *mm) {}

#endif /* CONFIG_GMEM */
#endif /* _LINUX_GMEM_H */
