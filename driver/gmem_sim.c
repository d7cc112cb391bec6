// SPDX-License-Identifier: GPL-2.0
/*
 * gmem_sim: a simulated accelerator that uses GMEM the way a real driver
 * would. It has its own four-level device page table, a software TLB, a
 * fixed amount of "device DRAM" and a copy engine, implements struct gm_mmu
 * for them, and leaves everything else (coherence with the CPU, migration,
 * address space lifetime) to GMEM.
 *
 * The device DRAM is host memory (vmalloc) standing in for the device's
 * local memory: frame N of the device is bytes [N * PAGE_SIZE, +PAGE_SIZE)
 * of it. GMEM hands out the frames; this driver only moves data.
 */

#define pr_fmt(fmt) "gmem_sim: " fmt

#include <linux/cdev.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/gmem.h>
#include <linux/highmem.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "gmem_sim_uapi.h"

static unsigned int devices = 2;
module_param(devices, uint, 0444);
MODULE_PARM_DESC(devices, "Number of simulated devices (1-64, default 2)");

static unsigned int mem_mb = 64;
module_param(mem_mb, uint, 0444);
MODULE_PARM_DESC(mem_mb, "Device memory per device in MiB (default 64; 0: none)");

/* The bench's trace replay sizes a device to a fraction of a trace's pages. */
static unsigned int mem_pages;
module_param(mem_pages, uint, 0444);
MODULE_PARM_DESC(mem_pages,
		 "Device memory per device in pages; if set, instead of mem_mb");

static unsigned int fault_latency_ns = 20000;
module_param(fault_latency_ns, uint, 0644);
MODULE_PARM_DESC(fault_latency_ns,
		 "Simulated cost of stopping a kernel for GMEM to resolve its faults, one or a batch, in ns (default 20000)");

static unsigned int link_mbps = 16000;
module_param(link_mbps, uint, 0644);
MODULE_PARM_DESC(link_mbps,
		 "Simulated host-device link bandwidth in MB/s (default 16000)");

static unsigned int access_ns = 100;
module_param(access_ns, uint, 0644);
MODULE_PARM_DESC(access_ns,
		 "Simulated cost of one device page access in ns (default 100)");

static unsigned int remote_access_ns = 1000;
module_param(remote_access_ns, uint, 0644);
MODULE_PARM_DESC(remote_access_ns,
		 "Simulated cost of one access to a host page over the link in ns (default 1000)");

/* As wide as the PTE's counter field: see SIM_PTE_COUNT_*. */
static unsigned int access_counter_threshold = 16;
module_param(access_counter_threshold, uint, 0644);
MODULE_PARM_DESC(access_counter_threshold,
		 "Report a remotely mapped page to GMEM every this many accesses (1-511, 0 never; default 16)");

static unsigned int va_bits = 47;

/* Checked on every write too: "1UL << va_bits" must stay defined. */
static int sim_set_va_bits(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 32, 47);
}

static const struct kernel_param_ops sim_va_bits_ops = {
	.set = sim_set_va_bits,
	.get = param_get_uint,
};
module_param_cb(va_bits, &sim_va_bits_ops, &va_bits, 0644);
MODULE_PARM_DESC(va_bits,
		 "Bits of device virtual address space (32-47, default 47)");

/*
 * A GPU's fault buffer: the faults a kernel raises while it keeps running
 * the accesses that do not fault, which GMEM then resolves as a batch.
 */
static unsigned int fault_batch = 1;

static int sim_set_fault_batch(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, GM_FAULT_BATCH_MAX);
}

static const struct kernel_param_ops sim_fault_batch_ops = {
	.set = sim_set_fault_batch,
	.get = param_get_uint,
};
module_param_cb(fault_batch, &sim_fault_batch_ops, &fault_batch, 0644);
MODULE_PARM_DESC(fault_batch,
		 "Faults a device kernel buffers before GMEM resolves them as one batch (1-256; default 1: each at once)");

#define SIM_MAX_DEVICES	64
#define SIM_MAX_RW	(64UL << 20)

/* Device page table: 4 levels of 512 entries, like x86-64's. */
#define SIM_PT_LEVELS	4
#define SIM_PT_BITS	9
#define SIM_PT_ENTRIES	BIT(SIM_PT_BITS)
#define SIM_PTE_VALID	BIT_ULL(0)
#define SIM_PTE_WRITE	BIT_ULL(1)
/* Maps a host page (its pfn in the frame field), reached over the link. */
#define SIM_PTE_REMOTE	BIT_ULL(2)
/* Remote accesses since the last access counter report. */
#define SIM_PTE_COUNT_SHIFT 3
#define SIM_PTE_COUNT_MAX 511
#define SIM_PTE_FRAME_SHIFT 12

/* Scratch memory: device-only, in 2 MiB blocks. */
#define SIM_SCRATCH_ORDER	9
#define SIM_SCRATCH_BLOCK	(PAGE_SIZE << SIM_SCRATCH_ORDER)
#define SIM_MAX_SCRATCH		64

/* Direct-mapped software TLB. */
#define SIM_TLB_ENTRIES	64

struct sim_device {
	struct miscdevice misc;
	char name[16];
	struct kref ref;		/* sim_devices[] and each open file */
	/*
	 * Hot-unplug (sim_device_unplug()) takes it for write: no ioctl is in
	 * flight and none starts once @gone is set, and @gm is destroyed.
	 */
	struct rw_semaphore unplug_sem;
	bool unplugging;	/* device kernels stop: the rwsem is wanted */
	bool gone;
	struct gm_dev *gm;
	void *dram;
	unsigned long nr_frames;
	atomic64_t faults, fault_errors, tlb_hits, tlb_misses, tlb_invls;
	atomic64_t pages_in, pages_out, zero_fills, mapped, va_reserved;
	atomic64_t pt_pages;
	atomic64_t contexts, tlb_coalesced, tlb_coalesced_ranges;
	atomic64_t remote_maps, remote_accesses, counter_reports;
};

struct sim_tlb_entry {
	unsigned long vpn;	/* ULONG_MAX: empty */
	u64 pte;
};

struct sim_context {
	struct sim_device *sdev;
	struct gm_context *gm_ctx;
	struct mm_struct *mm;		/* mmgrab()ed */
	spinlock_t lock;		/* page table and TLB */
	void **pt_root;
	struct sim_tlb_entry tlb[SIM_TLB_ENTRIES];
	struct mutex scratch_lock;		/* nr_scratch, scratch */
	unsigned int nr_scratch;
	unsigned long scratch[SIM_MAX_SCRATCH];	/* first frames */
};

static DEFINE_MUTEX(sim_devices_lock);
static struct sim_device *sim_devices[SIM_MAX_DEVICES];
static struct dentry *sim_debugfs;

static struct sim_context *sim_ctx(struct gm_context *ctx)
{
	return gm_context_data(ctx);
}

static void *sim_frame(struct sim_device *sdev, struct page *page)
{
	return sdev->dram + gm_dev_page_index(sdev->gm, page) * PAGE_SIZE;
}

static u64 sim_copy_ns(void)
{
	return div_u64((u64)PAGE_SIZE * 1000, max(link_mbps, 1U));
}

/* ------------------------------------------------------------------ */
/* Device page table                                                   */

static unsigned int sim_pt_index(unsigned long va, int level)
{
	return (va >> (PAGE_SHIFT + SIM_PT_BITS * level)) & (SIM_PT_ENTRIES - 1);
}

/* A table of the device page table, counted in the pt_pages counter. */
static void **sim_pt_alloc(struct sim_device *sdev, gfp_t gfp)
{
	void **table = (void **)get_zeroed_page(gfp);

	if (table)
		atomic64_inc(&sdev->pt_pages);
	return table;
}

static void sim_pt_free_table(struct sim_device *sdev, void **table)
{
	free_page((unsigned long)table);
	atomic64_dec(&sdev->pt_pages);
}

/* The PTE slot for @va, creating missing tables if @create; or NULL. */
static u64 *sim_pt_slot(struct sim_context *sctx, unsigned long va,
			bool create)
{
	void **table = sctx->pt_root;
	int level;

	for (level = SIM_PT_LEVELS - 1; level > 0; level--) {
		void **next = &table[sim_pt_index(va, level)];

		if (!*next) {
			if (!create)
				return NULL;
			/* Called under GMEM's as->lock: no reclaim. */
			*next = sim_pt_alloc(sctx->sdev, GFP_ATOMIC);
			if (!*next)
				return NULL;
		}
		table = *next;
	}
	return (u64 *)&table[sim_pt_index(va, 0)];
}

enum sim_pt_op {
	SIM_PT_CLEAR,		/* unmap, and free the tables it empties */
	SIM_PT_WRPROTECT,
};

/*
 * Apply @op to the PTEs of [start, end) under @table at @level, visiting
 * only the tables there are: GMEM asks for whole mappings (fork
 * write-protects a private one), which may span terabytes where a few
 * pages are mapped; a walk page by page held sctx->lock for seconds.
 * Clearing frees the tables it empties, or mapping and dropping pages
 * across a large range would grow them until the device is closed.
 * Returns whether @table holds nothing now.
 */
static bool sim_pt_apply(struct sim_context *sctx, void **table, int level,
			 unsigned long base, unsigned long start,
			 unsigned long end, enum sim_pt_op op)
{
	unsigned long span = 1UL << (PAGE_SHIFT + SIM_PT_BITS * level);
	bool empty = true;
	unsigned int i;

	for (i = 0; i < SIM_PT_ENTRIES; i++) {
		unsigned long lo = base + i * span, hi = lo + span;

		if (!table[i])
			continue;
		if (hi <= start || lo >= end) {
			empty = false;
		} else if (level) {
			if (sim_pt_apply(sctx, table[i], level - 1, lo, start,
					 end, op)) {
				sim_pt_free_table(sctx->sdev, table[i]);
				table[i] = NULL;
			} else {
				empty = false;
			}
		} else if (op == SIM_PT_CLEAR) {
			table[i] = NULL;
			atomic64_dec(&sctx->sdev->mapped);
		} else {
			*(u64 *)&table[i] &= ~SIM_PTE_WRITE;
			empty = false;
		}
	}
	return empty;
}

/* ------------------------------------------------------------------ */
/* struct gm_mmu                                                       */

static int sim_peer_va_alloc_fixed(struct gm_context *ctx, unsigned long va,
				   unsigned long size)
{
	/*
	 * The device sees the process's addresses 1:1, so the host's VMA
	 * tree already rules out overlaps; only the device's VA width can
	 * refuse a range.
	 */
	if (va + size > (1UL << va_bits) || va + size < va)
		return -ENOMEM;
	atomic64_add(size, &sim_ctx(ctx)->sdev->va_reserved);
	return 0;
}

static void sim_peer_va_free(struct gm_context *ctx, unsigned long va,
			     unsigned long size)
{
	atomic64_sub(size, &sim_ctx(ctx)->sdev->va_reserved);
}

/*
 * debugfs "fail_unplug_copies": so many copies back to host memory fail
 * with -EIO while a device is being unplugged (a link going down, say),
 * then copies work again. GMEM must retry them, not lose the data.
 */
static atomic_t sim_fail_unplug_copies = ATOMIC_INIT(0);

/* The copy engine. */
static int sim_prepare_page(struct gm_dev *gm, struct page *dst,
			    struct page *src)
{
	struct sim_device *sdev = gm_dev_driver_data(gm);

	if (is_device_private_page(dst)) {
		void *frame = sim_frame(sdev, dst);

		if (src) {
			memcpy_from_page(frame, src, 0, PAGE_SIZE);
			atomic64_inc(&sdev->pages_in);
		} else {
			memset(frame, 0, PAGE_SIZE);
			atomic64_inc(&sdev->zero_fills);
		}
		return 0;
	}
	if (WARN_ON_ONCE(!src || !is_device_private_page(src)))
		return -EINVAL;
	if (READ_ONCE(sdev->unplugging) &&
	    atomic_dec_if_positive(&sim_fail_unplug_copies) >= 0)
		return -EIO;
	memcpy_to_page(dst, 0, sim_frame(sdev, src), PAGE_SIZE);
	atomic64_inc(&sdev->pages_out);
	return 0;
}

static int sim_pmap_create(struct gm_context *ctx)
{
	struct sim_context *sctx = sim_ctx(ctx);

	sctx->pt_root = sim_pt_alloc(sctx->sdev, GFP_KERNEL);
	return sctx->pt_root ? 0 : -ENOMEM;
}

static void sim_pmap_destroy(struct gm_context *ctx)
{
	struct sim_context *sctx = sim_ctx(ctx);

	sim_pt_apply(sctx, sctx->pt_root, SIM_PT_LEVELS - 1, 0, 0, ULONG_MAX,
		     SIM_PT_CLEAR);
	sim_pt_free_table(sctx->sdev, sctx->pt_root);
	sctx->pt_root = NULL;
}

/* Set the PTE of @va to @frame (a device frame, or a pfn) with @flags. */
static int sim_pt_set(struct sim_context *sctx, unsigned long va, u64 frame,
		      u64 flags, unsigned int prot)
{
	u64 *pte;
	int ret = 0;

	spin_lock(&sctx->lock);
	pte = sim_pt_slot(sctx, va, true);
	if (!pte) {
		ret = -ENOMEM;
	} else {
		if (!*pte)
			atomic64_inc(&sctx->sdev->mapped);
		*pte = (frame << SIM_PTE_FRAME_SHIFT) | SIM_PTE_VALID | flags |
		       ((prot & GM_PROT_WRITE) ? SIM_PTE_WRITE : 0);
		/* A permission upgrade must not hide behind a stale entry. */
		sctx->tlb[(va >> PAGE_SHIFT) % SIM_TLB_ENTRIES].vpn = ULONG_MAX;
	}
	spin_unlock(&sctx->lock);
	return ret;
}

static int sim_pmap_enter(struct gm_context *ctx, unsigned long va,
			  struct page *page, unsigned int prot)
{
	struct sim_context *sctx = sim_ctx(ctx);

	return sim_pt_set(sctx, va, gm_dev_page_index(sctx->sdev->gm, page),
			  0, prot);
}

/*
 * A host page, reached over the link: until GMEM unmaps it (under
 * sctx->lock, which every access holds) the CPU page table holds it, so
 * the page stays allocated while the device uses it.
 */
static int sim_remote_map(struct gm_context *ctx, unsigned long va,
			  struct page *page, unsigned int prot)
{
	struct sim_context *sctx = sim_ctx(ctx);
	int ret = sim_pt_set(sctx, va, page_to_pfn(page), SIM_PTE_REMOTE,
			     prot);

	if (!ret)
		atomic64_inc(&sctx->sdev->remote_maps);
	return ret;
}

static void sim_pmap_release(struct gm_context *ctx, unsigned long start,
			     unsigned long end)
{
	struct sim_context *sctx = sim_ctx(ctx);

	spin_lock(&sctx->lock);
	sim_pt_apply(sctx, sctx->pt_root, SIM_PT_LEVELS - 1, 0, start, end,
		     SIM_PT_CLEAR);
	spin_unlock(&sctx->lock);
}

static void sim_pmap_protect(struct gm_context *ctx, unsigned long start,
			     unsigned long end, unsigned int prot)
{
	struct sim_context *sctx = sim_ctx(ctx);

	if (!(prot & GM_PROT_READ)) {
		sim_pmap_release(ctx, start, end);
		return;
	}
	if (prot & GM_PROT_WRITE)
		return;
	spin_lock(&sctx->lock);
	sim_pt_apply(sctx, sctx->pt_root, SIM_PT_LEVELS - 1, 0, start, end,
		     SIM_PT_WRPROTECT);
	spin_unlock(&sctx->lock);
}

static void sim_tlb_invl(struct gm_context *ctx, unsigned long start,
			 unsigned long end)
{
	struct sim_context *sctx = sim_ctx(ctx);
	unsigned int i;

	spin_lock(&sctx->lock);
	for (i = 0; i < SIM_TLB_ENTRIES; i++) {
		unsigned long va = sctx->tlb[i].vpn << PAGE_SHIFT;

		if (sctx->tlb[i].vpn != ULONG_MAX && va >= start && va < end)
			sctx->tlb[i].vpn = ULONG_MAX;
	}
	spin_unlock(&sctx->lock);
	atomic64_inc(&sctx->sdev->tlb_invls);
}

/* One request for many ranges, as a device with a ranged flush would do. */
static void sim_tlb_invl_coalesced(struct gm_context *ctx,
				   const struct gm_va_range *ranges,
				   unsigned int nr)
{
	struct sim_context *sctx = sim_ctx(ctx);
	unsigned int i, r;

	spin_lock(&sctx->lock);
	for (i = 0; i < SIM_TLB_ENTRIES; i++) {
		unsigned long va = sctx->tlb[i].vpn << PAGE_SHIFT;

		for (r = 0; r < nr && sctx->tlb[i].vpn != ULONG_MAX; r++)
			if (va >= ranges[r].start && va < ranges[r].end)
				sctx->tlb[i].vpn = ULONG_MAX;
	}
	spin_unlock(&sctx->lock);
	atomic64_inc(&sctx->sdev->tlb_coalesced);
	atomic64_add(nr, &sctx->sdev->tlb_coalesced_ranges);
}

static const struct gm_mmu sim_mmu = {
	.peer_va_alloc_fixed = sim_peer_va_alloc_fixed,
	.peer_va_free = sim_peer_va_free,
	.prepare_page = sim_prepare_page,
	.pmap_create = sim_pmap_create,
	.pmap_destroy = sim_pmap_destroy,
	.pmap_enter = sim_pmap_enter,
	.pmap_release = sim_pmap_release,
	.pmap_protect = sim_pmap_protect,
	.tlb_invl = sim_tlb_invl,
	.tlb_invl_coalesced = sim_tlb_invl_coalesced,
	.remote_map = sim_remote_map,
};

/* ------------------------------------------------------------------ */
/* The device's view of memory                                         */

/*
 * Translate @va under sctx->lock; 0 when the device must fault first.
 * Returns the PTE and counts TLB hits and misses. Like a hardware page
 * walker that sets accessed bits, a TLB miss that finds a mapping tells
 * GMEM the frame is in use (@report), unless the walk is the replay of
 * the access that just faulted: GMEM saw that one.
 */
static u64 sim_translate(struct sim_context *sctx, unsigned long va,
			 u64 *misses, bool report)
{
	unsigned long vpn = va >> PAGE_SHIFT;
	struct sim_tlb_entry *e = &sctx->tlb[vpn % SIM_TLB_ENTRIES];
	u64 *pte;

	if (e->vpn == vpn) {
		atomic64_inc(&sctx->sdev->tlb_hits);
		return e->pte;
	}
	atomic64_inc(&sctx->sdev->tlb_misses);
	(*misses)++;
	pte = sim_pt_slot(sctx, va, false);
	if (!pte || !*pte)
		return 0;
	e->vpn = vpn;
	e->pte = *pte;
	if (report && !(*pte & SIM_PTE_REMOTE))
		gm_dev_frame_accessed(sctx->sdev->gm,
				      *pte >> SIM_PTE_FRAME_SHIFT);
	return *pte;
}

/*
 * Count an access to the remotely mapped page at @va, under sctx->lock,
 * in its PTE, as the access counters of recent GPUs do: returns the count
 * when it reaches access_counter_threshold (and starts it again), else 0.
 */
static unsigned int sim_count_remote(struct sim_context *sctx,
				     unsigned long va)
{
	unsigned int threshold = min(READ_ONCE(access_counter_threshold),
				     SIM_PTE_COUNT_MAX);
	u64 *pte = sim_pt_slot(sctx, va, false);
	unsigned int count;

	atomic64_inc(&sctx->sdev->remote_accesses);
	/* Unmapped since the TLB cached it: GMEM is invalidating it now. */
	if (!threshold || !pte || !(*pte & SIM_PTE_REMOTE))
		return 0;
	count = ((*pte >> SIM_PTE_COUNT_SHIFT) & SIM_PTE_COUNT_MAX) + 1;
	if (count >= threshold)
		count = 0;
	*pte = (*pte & ~((u64)SIM_PTE_COUNT_MAX << SIM_PTE_COUNT_SHIFT)) |
	       ((u64)count << SIM_PTE_COUNT_SHIFT);
	return count ? 0 : threshold;
}

/* The CPU's address of the memory PTE @pte maps. */
static void *sim_pte_memory(struct sim_device *sdev, u64 pte)
{
	u64 frame = pte >> SIM_PTE_FRAME_SHIFT;

	if (pte & SIM_PTE_REMOTE)
		return page_address(pfn_to_page(frame));
	return sdev->dram + frame * PAGE_SIZE;
}

/* What a device kernel's accesses took; an access counter report due. */
struct sim_stats {
	u64 faults;
	u64 batches;	/* stops for GMEM to resolve faults */
	u64 misses;
	u64 remote;
	unsigned int report;	/* accesses to report for the page just used */
};

/* sim_access_begin() @how: the fault goes to the buffer; a replay of one. */
#define SIM_ACCESS_BUFFER	BIT(0)
#define SIM_ACCESS_REPLAY	BIT(1)

/*
 * Make the page at @va accessible to the device for @write and return with
 * sctx->lock held and the memory's address in *@frame; sim_access_end()
 * ends the access. Faults through GMEM as long as the translation is
 * missing, unless @how has SIM_ACCESS_BUFFER: then -EAGAIN, the fault for
 * the buffer. SIM_ACCESS_REPLAY: the access's miss was counted already.
 */
static int sim_access_begin(struct sim_context *sctx, unsigned long va,
			    bool write, void **frame, struct sim_stats *st,
			    unsigned int how)
{
	struct sim_device *sdev = sctx->sdev;
	bool faulted = how & SIM_ACCESS_REPLAY;
	int ret;

	/*
	 * The page table walk only looks at va_bits of the address: anything
	 * above would alias a mapped page instead of faulting.
	 */
	if (va >> va_bits)
		return -EFAULT;

	for (;;) {
		u64 pte;

		/* A kernel of any length must not hold up a hot-unplug. */
		if (READ_ONCE(sdev->unplugging))
			return -ENODEV;
		spin_lock(&sctx->lock);
		pte = sim_translate(sctx, va, &st->misses, !faulted);
		if ((pte & SIM_PTE_VALID) && (!write || (pte & SIM_PTE_WRITE))) {
			*frame = sim_pte_memory(sdev, pte);
			if (pte & SIM_PTE_REMOTE) {
				st->remote++;
				st->report = sim_count_remote(sctx, va);
			}
			return 0;
		}
		spin_unlock(&sctx->lock);
		if (how & SIM_ACCESS_BUFFER)
			return -EAGAIN;

		/* Faults that keep coming back must not make a task unkillable. */
		if (fatal_signal_pending(current))
			return -EINTR;
		ret = gm_dev_fault(sctx->mm, va, sdev->gm,
				   write ? GM_FAULT_WRITE : 0);
		/* Contended page: replay the fault, as hardware would. */
		if (ret == -EBUSY) {
			cond_resched();
			continue;
		}
		if (ret) {
			atomic64_inc(&sdev->fault_errors);
			return ret;
		}
		atomic64_inc(&sdev->faults);
		st->faults++;
		st->batches++;
		faulted = true;
	}
}

/* End an access to @va: unlock, then make the report it called for. */
static void sim_access_end(struct sim_context *sctx, unsigned long va,
			   struct sim_stats *st)
{
	spin_unlock(&sctx->lock);
	if (!st->report)
		return;
	atomic64_inc(&sctx->sdev->counter_reports);
	/* Advice: if it fails, the page just stays where it is. */
	gm_dev_access_counter(sctx->mm, va, sctx->sdev->gm, st->report);
	st->report = 0;
}

static u64 sim_page_op(void *frame, unsigned long va, u32 op, u64 value)
{
	u64 *word = frame, sum = 0;
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(u64); i++) {
		switch (op) {
		case GMEM_SIM_READ:
			sum += word[i];
			break;
		case GMEM_SIM_WRITE:
			word[i] = value ^ (va + i * sizeof(u64));
			break;
		case GMEM_SIM_RMW:
			sum += ++word[i];
			break;
		}
	}
	return sum;
}

static u64 sim_next_random(u64 *state)
{
	u64 x = *state ?: 0x9e3779b97f4a7c15ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* Page index of access @i, or -EFAULT/-EINVAL for a bad list entry. */
static long sim_pick_page(struct gmem_sim_run *run, u64 i, u64 npages,
			  u64 *rng)
{
	u64 idx, bits, lo;

	switch (run->pattern) {
	case GMEM_SIM_SEQUENTIAL:
		return i % npages;
	case GMEM_SIM_STRIDED:
		return (i * run->stride) % npages;
	case GMEM_SIM_RANDOM:
		return sim_next_random(rng) % npages;
	case GMEM_SIM_ZIPF:
		/* Uniform bit length, then uniform below it: P(k) ~ 1/k. */
		bits = sim_next_random(rng) % (ilog2(npages) + 1);
		lo = (1ULL << bits) - 1;
		idx = lo + sim_next_random(rng) % (1ULL << bits);
		return min(idx, npages - 1);
	case GMEM_SIM_LIST:
		if (get_user(idx, (u64 __user *)u64_to_user_ptr(run->list) + i))
			return -EFAULT;
		return idx < npages ? idx : -EINVAL;
	}
	return -EINVAL;
}

/*
 * The kernel's buffered faults, resolved by GMEM as one batch; then their
 * accesses run, in the batch's (address) order. An access whose page left
 * again meanwhile faults on its own; a fault GMEM could not resolve ends
 * the kernel with its error, as a single fault's does.
 */
static int sim_run_batch(struct sim_context *sctx, struct gmem_sim_run *run,
			 struct gm_fault_entry *buf, unsigned int n,
			 struct sim_stats *st)
{
	struct sim_device *sdev = sctx->sdev;
	bool write = run->op != GMEM_SIM_READ;
	unsigned int i;
	void *frame;
	int ret;

	gm_dev_fault_batch(sctx->mm, sdev->gm, buf, n);
	st->batches++;
	for (i = 0; i < n; i++) {
		/* Busy, or not got to: its replay faults alone, and counts. */
		if (buf[i].result == -EBUSY)
			continue;
		if (buf[i].result) {
			if (buf[i].result != -EINTR)
				atomic64_inc(&sdev->fault_errors);
			return buf[i].result;
		}
		atomic64_inc(&sdev->faults);
		st->faults++;
	}
	for (i = 0; i < n; i++) {
		ret = sim_access_begin(sctx, buf[i].va, write, &frame, st,
				       SIM_ACCESS_REPLAY);
		if (ret)
			return ret;
		run->checksum += sim_page_op(frame, buf[i].va, run->op,
					     run->value);
		sim_access_end(sctx, buf[i].va, st);
	}
	return 0;
}

static long sim_ioctl_run(struct sim_context *sctx, void __user *uarg)
{
	unsigned int batch = READ_ONCE(fault_batch), buffered = 0;
	struct sim_device *sdev = sctx->sdev;
	struct gm_fault_entry *buf = NULL;
	struct sim_stats st = {};
	u64 npages, i, rng, in_before;
	struct gmem_sim_run run;
	long ret = 0;

	if (copy_from_user(&run, uarg, sizeof(run)))
		return -EFAULT;
	if (!PAGE_ALIGNED(run.addr) || !run.size || !PAGE_ALIGNED(run.size) ||
	    run.addr + run.size < run.addr || run.pattern >= GMEM_SIM_NR_PATTERNS ||
	    run.op >= GMEM_SIM_NR_OPS ||
	    (run.pattern == GMEM_SIM_STRIDED && !run.stride))
		return -EINVAL;
	npages = run.size >> PAGE_SHIFT;
	if (!run.accesses)
		run.accesses = npages;
	if (batch > 1) {
		buf = kmalloc_array(batch, sizeof(*buf), GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	rng = run.seed;
	run.checksum = 0;
	in_before = atomic64_read(&sdev->pages_in) +
		    atomic64_read(&sdev->zero_fills);

	for (i = 0; i < run.accesses; i++) {
		unsigned long va;
		void *frame;
		long idx;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		idx = sim_pick_page(&run, i, npages, &rng);
		if (idx < 0) {
			ret = idx;
			break;
		}
		va = run.addr + (idx << PAGE_SHIFT);
		ret = sim_access_begin(sctx, va, run.op != GMEM_SIM_READ,
				       &frame, &st, buf ? SIM_ACCESS_BUFFER : 0);
		if (ret == -EAGAIN && buf) {
			buf[buffered++] = (struct gm_fault_entry) {
				.va = va,
				.flags = run.op != GMEM_SIM_READ ?
					 GM_FAULT_WRITE : 0,
			};
			ret = 0;
			if (buffered == batch) {
				ret = sim_run_batch(sctx, &run, buf, buffered,
						    &st);
				buffered = 0;
				if (ret)
					break;
			}
			continue;
		}
		if (ret)
			break;
		run.checksum += sim_page_op(frame, va, run.op, run.value);
		sim_access_end(sctx, va, &st);
		cond_resched();
	}
	/* The kernel ends once its buffered accesses ran. */
	if (!ret && buffered)
		ret = sim_run_batch(sctx, &run, buf, buffered, &st);
	kfree(buf);

	run.faults = st.faults;
	run.fault_batches = st.batches;
	run.tlb_misses = st.misses;
	run.remote_accesses = st.remote;
	run.migrated_in = atomic64_read(&sdev->pages_in) +
			  atomic64_read(&sdev->zero_fills) - in_before;
	run.sim_time_ns = st.batches * fault_latency_ns +
			  run.migrated_in * sim_copy_ns() +
			  (i - st.remote) * access_ns +
			  st.remote * remote_access_ns;
	if (copy_to_user(uarg, &run, sizeof(run)))
		return -EFAULT;
	return ret;
}

static long sim_ioctl_rw(struct sim_context *sctx, void __user *uarg,
			 bool write)
{
	struct sim_stats st = {};
	struct gmem_sim_rw rw;
	unsigned long done = 0;
	void *bounce;
	long ret = 0;

	if (copy_from_user(&rw, uarg, sizeof(rw)))
		return -EFAULT;
	if (!rw.size || rw.size > SIM_MAX_RW || rw.addr + rw.size < rw.addr)
		return -EINVAL;
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;

	while (done < rw.size) {
		unsigned long va = rw.addr + done;
		unsigned long off = offset_in_page(va);
		unsigned long n = min(PAGE_SIZE - off, rw.size - done);
		void __user *uptr = u64_to_user_ptr(rw.ptr + done);
		void *frame;

		if (write && copy_from_user(bounce, uptr, n)) {
			ret = -EFAULT;
			break;
		}
		ret = sim_access_begin(sctx, va & PAGE_MASK, write, &frame,
				       &st, 0);
		if (ret)
			break;
		if (write)
			memcpy(frame + off, bounce, n);
		else
			memcpy(bounce, frame + off, n);
		sim_access_end(sctx, va & PAGE_MASK, &st);
		if (!write && copy_to_user(uptr, bounce, n)) {
			ret = -EFAULT;
			break;
		}
		done += n;
	}
	kfree(bounce);
	rw.faults = st.faults;
	if (copy_to_user(uarg, &rw, sizeof(rw)))
		return -EFAULT;
	return ret;
}

static void sim_scratch_free(struct sim_context *sctx)
{
	while (sctx->nr_scratch)
		gm_dev_free_frames(sctx->sdev->gm,
				   sctx->scratch[--sctx->nr_scratch],
				   SIM_SCRATCH_ORDER);
}

static long sim_ioctl_scratch(struct sim_context *sctx, void __user *uarg)
{
	struct gmem_sim_scratch sc;
	unsigned long blocks;
	long ret = 0;

	if (copy_from_user(&sc, uarg, sizeof(sc)))
		return -EFAULT;
	if (sc.size > SIM_MAX_SCRATCH * SIM_SCRATCH_BLOCK)
		return -EINVAL;
	/* Never evicted, so it is locked memory, as MADV_PIN's pages are. */
	if (sc.size && !capable(CAP_IPC_LOCK))
		return -EPERM;
	blocks = DIV_ROUND_UP(sc.size, SIM_SCRATCH_BLOCK);
	mutex_lock(&sctx->scratch_lock);
	sim_scratch_free(sctx);
	while (sctx->nr_scratch < blocks) {
		long frame = gm_dev_alloc_frames(sctx->sdev->gm,
						 SIM_SCRATCH_ORDER);

		if (frame < 0) {
			sim_scratch_free(sctx);
			ret = frame;
			break;
		}
		sctx->scratch[sctx->nr_scratch++] = frame;
	}
	mutex_unlock(&sctx->scratch_lock);
	return ret;
}

static long sim_ioctl_counters(struct sim_device *sdev, void __user *uarg)
{
	struct gmem_sim_counters c = {};
	unsigned long total, used;

	gm_dev_mem_usage(sdev->gm, &total, &used);
	c.mem_total = total;
	c.mem_used = used;
	c.faults = atomic64_read(&sdev->faults);
	c.fault_errors = atomic64_read(&sdev->fault_errors);
	c.tlb_hits = atomic64_read(&sdev->tlb_hits);
	c.tlb_misses = atomic64_read(&sdev->tlb_misses);
	c.tlb_invalidations = atomic64_read(&sdev->tlb_invls);
	c.pages_in = atomic64_read(&sdev->pages_in);
	c.pages_out = atomic64_read(&sdev->pages_out);
	c.zero_fills = atomic64_read(&sdev->zero_fills);
	c.mapped = atomic64_read(&sdev->mapped);
	c.va_reserved = atomic64_read(&sdev->va_reserved);
	c.contexts = atomic64_read(&sdev->contexts);
	c.tlb_coalesced = atomic64_read(&sdev->tlb_coalesced);
	c.tlb_coalesced_ranges = atomic64_read(&sdev->tlb_coalesced_ranges);
	c.remote_maps = atomic64_read(&sdev->remote_maps);
	c.remote_accesses = atomic64_read(&sdev->remote_accesses);
	c.counter_reports = atomic64_read(&sdev->counter_reports);
	c.pt_pages = atomic64_read(&sdev->pt_pages);
	return copy_to_user(uarg, &c, sizeof(c)) ? -EFAULT : 0;
}

/* ------------------------------------------------------------------ */
/* Character device                                                    */

static int sim_open(struct inode *inode, struct file *file)
{
	struct sim_device *sdev = container_of(file->private_data,
					       struct sim_device, misc);
	struct sim_context *sctx;
	struct gm_as *as;
	unsigned int i;

	if (!current->mm)
		return -EINVAL;
	sctx = kzalloc(sizeof(*sctx), GFP_KERNEL);
	if (!sctx)
		return -ENOMEM;
	sctx->sdev = sdev;
	spin_lock_init(&sctx->lock);
	mutex_init(&sctx->scratch_lock);
	for (i = 0; i < SIM_TLB_ENTRIES; i++)
		sctx->tlb[i].vpn = ULONG_MAX;

	as = gm_as_create(current->mm);
	if (IS_ERR(as)) {
		kfree(sctx);
		return PTR_ERR(as);
	}
	sctx->gm_ctx = gm_as_attach(as, sdev->gm, sctx);
	gm_as_put(as);
	if (IS_ERR(sctx->gm_ctx)) {
		int ret = PTR_ERR(sctx->gm_ctx);

		kfree(sctx);
		return ret;
	}
	sctx->mm = current->mm;
	mmgrab(sctx->mm);
	atomic64_inc(&sdev->contexts);
	/* misc_open() holds misc_mtx: the device is not unplugged yet. */
	kref_get(&sdev->ref);
	file->private_data = sctx;
	return 0;
}

static void sim_device_free(struct kref *ref)
{
	struct sim_device *sdev = container_of(ref, struct sim_device, ref);

	vfree(sdev->dram);
	kfree(sdev);
}

static int sim_release(struct inode *inode, struct file *file)
{
	struct sim_context *sctx = file->private_data;
	struct sim_device *sdev = sctx->sdev;

	down_read(&sdev->unplug_sem);
	/* An unplugged device's frames went with it. */
	if (!sdev->gone)
		sim_scratch_free(sctx);
	gm_as_detach(sctx->gm_ctx);
	up_read(&sdev->unplug_sem);
	atomic64_dec(&sdev->contexts);
	mmdrop(sctx->mm);
	kfree(sctx);
	kref_put(&sdev->ref, sim_device_free);
	return 0;
}

static long sim_ioctl_locked(struct sim_context *sctx, unsigned int cmd,
			     void __user *uarg)
{
	switch (cmd) {
	case GMEM_SIM_IOC_RUN:
		return sim_ioctl_run(sctx, uarg);
	case GMEM_SIM_IOC_READ:
		return sim_ioctl_rw(sctx, uarg, false);
	case GMEM_SIM_IOC_WRITE:
		return sim_ioctl_rw(sctx, uarg, true);
	case GMEM_SIM_IOC_COUNTERS:
		return sim_ioctl_counters(sctx->sdev, uarg);
	case GMEM_SIM_IOC_SCRATCH:
		return sim_ioctl_scratch(sctx, uarg);
	}
	return -ENOTTY;
}

static long sim_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct sim_context *sctx = file->private_data;
	struct sim_device *sdev = sctx->sdev;
	long ret = -ENODEV;

	if (down_read_killable(&sdev->unplug_sem))
		return -EINTR;
	if (!sdev->gone)
		ret = sim_ioctl_locked(sctx, cmd, (void __user *)arg);
	up_read(&sdev->unplug_sem);
	return ret;
}

static const struct file_operations sim_fops = {
	.owner = THIS_MODULE,
	.open = sim_open,
	.release = sim_release,
	.unlocked_ioctl = sim_ioctl,
	.llseek = noop_llseek,
};

/*
 * Hot-unplug, as a PCI remove would do it: no new opens, wait for ioctls
 * in flight, then let GMEM revoke the contexts of files still open and
 * bring the device's pages home. Those files get -ENODEV from now on.
 */
static void sim_device_unplug(struct sim_device *sdev)
{
	misc_deregister(&sdev->misc);
	WRITE_ONCE(sdev->unplugging, true);
	down_write(&sdev->unplug_sem);
	sdev->gone = true;
	gm_dev_destroy(sdev->gm);
	up_write(&sdev->unplug_sem);
	/* What its page tables still map and its VA space still holds. */
	pr_info("%s unplugged: %lld pages mapped, %lld bytes reserved\n",
		sdev->name, (long long)atomic64_read(&sdev->mapped),
		(long long)atomic64_read(&sdev->va_reserved));
	kref_put(&sdev->ref, sim_device_free);
}

static unsigned long sim_mem_bytes(void)
{
	if (mem_pages)
		return (unsigned long)mem_pages << PAGE_SHIFT;
	return (unsigned long)mem_mb << 20;
}

static struct sim_device *sim_device_create(unsigned int id)
{
	unsigned long size = sim_mem_bytes();
	struct sim_device *sdev;
	int ret;

	sdev = kzalloc(sizeof(*sdev), GFP_KERNEL);
	if (!sdev)
		return ERR_PTR(-ENOMEM);
	snprintf(sdev->name, sizeof(sdev->name), "gmem_sim%u", id);
	kref_init(&sdev->ref);
	init_rwsem(&sdev->unplug_sem);
	/* mem_mb=0: a device whose driver has registered no memory (yet). */
	sdev->dram = size ? vzalloc(size) : NULL;
	if (size && !sdev->dram) {
		ret = -ENOMEM;
		goto err_free;
	}
	sdev->gm = gm_dev_create(sdev->name, &sim_mmu, sdev);
	if (IS_ERR(sdev->gm)) {
		ret = PTR_ERR(sdev->gm);
		goto err_dram;
	}
	ret = size ? gm_dev_register_physmem(sdev->gm, size) : 0;
	if (ret)
		goto err_gm;
	/* Registered by sim_init() once every device exists. */
	sdev->misc.minor = MISC_DYNAMIC_MINOR;
	sdev->misc.name = sdev->name;
	sdev->misc.fops = &sim_fops;
	sdev->misc.mode = 0666;
	return sdev;

err_gm:
	gm_dev_destroy(sdev->gm);
err_dram:
	vfree(sdev->dram);
err_free:
	kfree(sdev);
	return ERR_PTR(ret);
}

/* Unplug device @id; false if there is none (any more). */
static bool sim_unplug_id(unsigned int id)
{
	struct sim_device *sdev;

	mutex_lock(&sim_devices_lock);
	sdev = id < SIM_MAX_DEVICES ? sim_devices[id] : NULL;
	if (sdev)
		sim_devices[id] = NULL;
	mutex_unlock(&sim_devices_lock);
	if (sdev)
		sim_device_unplug(sdev);
	return sdev;
}

/* debugfs gmem_sim/unplug: write a device number to hot-unplug it. */
static ssize_t sim_unplug_write(struct file *file, const char __user *buf,
				size_t count, loff_t *ppos)
{
	unsigned int id;
	int ret;

	ret = kstrtouint_from_user(buf, count, 10, &id);
	if (ret)
		return ret;
	return sim_unplug_id(id) ? count : -ENODEV;
}

static const struct file_operations sim_unplug_fops = {
	.owner = THIS_MODULE,
	.write = sim_unplug_write,
	.llseek = noop_llseek,
};

static void sim_exit(void)
{
	unsigned int i;

	debugfs_remove_recursive(sim_debugfs);
	for (i = 0; i < SIM_MAX_DEVICES; i++)
		sim_unplug_id(i);
}

/* Undo sim_device_create() of device @id, which no file can have open. */
static void sim_device_discard(unsigned int id)
{
	struct sim_device *sdev = sim_devices[id];

	sim_devices[id] = NULL;
	gm_dev_destroy(sdev->gm);
	kref_put(&sdev->ref, sim_device_free);
}

static int __init sim_init(void)
{
	unsigned int i, registered;
	int ret = 0;

	if (!devices || devices > SIM_MAX_DEVICES) {
		pr_err("bad parameter: devices=%u (1-%u)\n", devices,
		       SIM_MAX_DEVICES);
		return -EINVAL;
	}
	for (i = 0; i < devices; i++) {
		struct sim_device *sdev = sim_device_create(i);

		if (IS_ERR(sdev)) {
			pr_err("device %u: error %ld\n", i, PTR_ERR(sdev));
			while (i--)
				sim_device_discard(i);
			return PTR_ERR(sdev);
		}
		sim_devices[i] = sdev;
	}
	/*
	 * Only now can user space open a device. Were the init to fail after
	 * that, a file opened meanwhile would outlive the module's code:
	 * do_init_module() frees a module whose init failed without waiting
	 * for the references its files hold. So once a device is registered
	 * the init does not fail; a device that cannot register is dropped.
	 */
	for (registered = 0; registered < devices; registered++) {
		ret = misc_register(&sim_devices[registered]->misc);
		if (ret) {
			pr_err("device %u: misc_register: error %d\n",
			       registered, ret);
			break;
		}
	}
	for (i = registered; i < devices; i++)
		sim_device_discard(i);
	if (!registered)
		return ret;
	sim_debugfs = debugfs_create_dir("gmem_sim", NULL);
	debugfs_create_file("unplug", 0200, sim_debugfs, NULL,
			    &sim_unplug_fops);
	debugfs_create_atomic_t("fail_unplug_copies", 0600, sim_debugfs,
				&sim_fail_unplug_copies);
	pr_info("%u of %u devices, %lu pages each\n", registered, devices,
		sim_mem_bytes() >> PAGE_SHIFT);
	return 0;
}

module_init(sim_init);
module_exit(sim_exit);
MODULE_DESCRIPTION("Simulated accelerator on GMEM");
MODULE_LICENSE("GPL");
