/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Density (tree) prefetch, after NVIDIA UVM's: device memory is seen as
 * 2 MiB blocks, each a binary tree of regions of 16, 32, ... 512 pages.
 * After a fault, the largest region around it that is more than
 * density_threshold percent resident (51 by default) is fetched whole:
 * dense regions are promoted, sparse ones left alone. tree_mark() keeps a
 * residency bitmap per block and device (the map blocks) from the
 * page_added and page_removed events: pages on another device do not make
 * a region dense for this one. The prefetcher backs off while its pages go
 * unused (pf_feedback.h).
 *
 * Holes are of two kinds, bet on and judged apart (pf_feedback.h's
 * kinds): pages the device never had, FIRST, and pages it used before
 * and lost, AGAIN (the map blocks_used remembers which). In programs the
 * first are the rest of a structure being filled in, a good bet; the
 * second were evicted because the device had not used them for longest,
 * a good bet on a loop over more than the device holds, a poor one on
 * most programs' scattered reuse. Judged together, the misses of the
 * second cost the first its trust (tests/host/test_prefetch.c: judged
 * apart, on sqlite's trace at half its pages the tree takes 102 faults
 * where it took 267, and moves 1.04x the default's pages, not 1.21x).
 * Their waste is added up in one ledger (pf_over_ledger()): while the
 * pages both kinds wasted are over pf_waste_pct of the pages the device
 * needed, the tree bets nothing. A bet wastes more than its unused pages:
 * on a full device each page it brings pushes another out, and one that
 * comes back is a fault no verdict shows. A page that leaves while N
 * prefetched pages wait unused on the device (gmem_page's
 * prefetched_pending): without those bets the device would have had N
 * frames more and kept it N evictions longer. If it faults back within
 * N evictions (a ghost, ghost.h), the fault is charged to the ledger.
 * The count is the device's: bets of hmadvise() and of other address
 * spaces on it count too. On the hash join at half its pages the tree's
 * bets wasted 6% of the pages needed, yet 883 used prefetched pages
 * saved only 654 faults: it moved 1.16x the default's pages (1.12x in the
 * host model); charged for them, 1.07x (1.06x).
 *
 * A FIRST leaf with no page on the device is no structure being filled
 * in: the region is dense with the structures around the fault, and one
 * nobody has begun (an IVF index's posting list no query read) is a bet
 * on its address alone. Such a leaf is fetched only among the aligned
 * TREE_NEAR_PAGES that hold the fault, where it may be what the fault
 * begins. In the guest, the tree on ivf at 0.5x, 2x and 4x the device
 * moved 1.23x, 1.31x and 1.17x the default's pages with every such leaf
 * fetched (UVM's rule), 1.11x, 1.02x and 1.00x since, in 225, 223 and
 * 505 faults (217, 641, 560); a scan at 2x takes 323 faults of 4,096
 * (307). The TREE_NEAR_PAGES from the fault on instead: in the host
 * model the tree on LLM decode at 2x moved 1.12x the default's pages,
 * not 1.08x, and scans took no fewer faults. AGAIN leaves are of
 * structures the device used: held to the fault's pages too, the tree's
 * faults on LLM decode at 2x fell 14,711 -> 5,385 in the host model, but
 * its pages rose 1.08x -> 1.12x.
 */
#ifndef GMEM_LIB_TREE_H
#define GMEM_LIB_TREE_H

#include "gmem_policy.h"
#include "ghost.h"
#include "pf_feedback.h"

#define BLOCK_PAGES	512
#define BLOCK_WORDS	(BLOCK_PAGES / 64)
#define LEAF_PAGES	16
/* Empty leaves of a dense region: fetched in the fault's aligned 64 pages. */
#define TREE_NEAR_PAGES	64

/*
 * Percent of a region that must be resident to fetch the rest of it; a
 * tunable (gmemctl load --set density_threshold=N): 100 fetches nothing.
 */
const volatile __u32 density_threshold = 51;

/*
 * Density is a weaker bet than a stream: on random access, half the
 * pages of every region are resident once the device is full. The tree
 * starts distrusted (16 pages on every other fault, pf_feedback.h) and
 * earns more with samples of pages the device used.
 */
#define TREE_FIRST_LEVEL	(PF_PROBE_LEVEL + 1)
/* Refetching is the weaker bet still: a probe on one fault in 16. */
#define TREE_AGAIN_FIRST_LEVEL	(PF_PROBE_LEVEL + 4)

struct block_key {
	__u64 as_id;
	__u64 block;		/* va / 2 MiB */
	__u32 dev;
	__u32 pad;
};

struct block_bits {
	__u64 word[BLOCK_WORDS];
};

/*
 * A block per resident page at most: as many as the frames policies give
 * slots to, allocated as blocks come.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GMEM_SLOTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct block_key);
	__type(value, struct block_bits);
} blocks SEC(".maps");

/* Blocks the map had no room for (bpftool map dump name tree.bss). */
__u64 blocks_dropped;

/*
 * The pages of a block the device used, resident or not. An LRU of the
 * blocks used last: a block forgotten (or of an address space gone) only
 * makes its holes FIRST again.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct block_key);
	__type(value, struct block_bits);
} blocks_used SEC(".maps");

static __always_inline struct block_key tree_key(__u64 as_id, __u64 va,
						 __u32 dev)
{
	return (struct block_key){
		.as_id = as_id,
		.block = va / (BLOCK_PAGES * GMEM_PAGE_SIZE),
		.dev = dev,
	};
}

/* Is page @idx of the block set in @bits? */
static __always_inline bool tree_bit(struct block_bits *bits, __u32 idx)
{
	return bits->word[(idx / 64) % BLOCK_WORDS] >> (idx % 64) & 1;
}

static __always_inline void tree_mark_used(struct gmem_page *page)
{
	struct block_key key = tree_key(page->as_id, page->va, page->dev);
	__u32 idx = (page->va / GMEM_PAGE_SIZE) % BLOCK_PAGES;
	struct block_bits zero = {}, *bits;

	bits = bpf_map_lookup_elem(&blocks_used, &key);
	if (!bits) {
		bpf_map_update_elem(&blocks_used, &key, &zero, BPF_NOEXIST);
		bits = bpf_map_lookup_elem(&blocks_used, &key);
		if (!bits)
			return;
	}
	bits->word[(idx / 64) % BLOCK_WORDS] |= 1ULL << (idx % 64);
}

static __always_inline void tree_mark(struct gmem_page *page, bool resident)
{
	struct block_key key = tree_key(page->as_id, page->va, page->dev);
	__u32 idx = (page->va / GMEM_PAGE_SIZE) % BLOCK_PAGES;
	struct block_bits zero = {}, *bits;
	int i;

	bits = bpf_map_lookup_elem(&blocks, &key);
	if (!bits) {
		if (!resident)
			return;
		bpf_map_update_elem(&blocks, &key, &zero, BPF_NOEXIST);
		bits = bpf_map_lookup_elem(&blocks, &key);
		if (!bits) {
			__sync_fetch_and_add(&blocks_dropped, 1);
			return;
		}
	}
	if (resident) {
		bits->word[(idx / 64) % BLOCK_WORDS] |= 1ULL << (idx % 64);
		return;
	}
	bits->word[(idx / 64) % BLOCK_WORDS] &= ~(1ULL << (idx % 64));
	/* Empty blocks go, so the map holds only blocks with pages on a device. */
	for (i = 0; i < BLOCK_WORDS; i++) {
		if (bits->word[i])
			return;
	}
	bpf_map_delete_elem(&blocks, &key);
}

/* Resident pages among [first, first + nr) of the block; nr >= 16. */
static __always_inline __u32 tree_count(struct block_bits *bits, __u32 first,
					 __u32 nr)
{
	__u32 count = 0, w, i;

	if (nr < 64) {
		w = first / 64;
		return __builtin_popcountll((bits->word[w % BLOCK_WORDS] >>
					     (first % 64)) &
					    ((1ULL << nr) - 1));
	}
	for (i = 0; i < BLOCK_WORDS; i++) {
		if (i >= first / 64 && i < (first + nr) / 64)
			count += __builtin_popcountll(bits->word[i]);
	}
	return count;
}

/* The bits of 16-page leaf @leaf of the block. */
static __always_inline __u32 tree_leaf_bits(struct block_bits *bits, __u32 leaf)
{
	return (bits->word[(leaf / 4) % BLOCK_WORDS] >> (leaf % 4 * 16)) & 0xffff;
}

/* 1 if the 16-bit @x is not 0: arithmetic, no branch for the verifier. */
static __always_inline __u64 tree_nz16(__u64 x)
{
	return (x + 0xffff) >> 16;
}

/*
 * Trailing zeros of @x, not 0. BPF has no such instruction, and clang 16
 * crashes selecting one for popcount((x & -x) - 1): the empty asm hides
 * that the bit is the lowest.
 */
static __always_inline __u32 tree_ctz64(__u64 x)
{
	__u64 low = x & -x;

	asm volatile("" : "+r"(low));
	return __builtin_popcountll(low - 1);
}

/*
 * The leaves of the block that need @kind, as a mask: those with holes,
 * AGAIN if the device used every page missing before, else FIRST; FIRST
 * leaves with no page resident only among @near (a mask of leaves).
 * Straight arithmetic over the 32 leaves: with a branch per leaf and
 * kind, the verifier gave up after its million instructions.
 */
static __always_inline __u32 tree_need_mask(struct block_bits *bits,
					    struct block_bits *used,
					    enum pf_kind kind, __u32 near)
{
	__u32 mask = 0, leaf;
	__u64 have, holes, fresh;

	for (leaf = 0; leaf < BLOCK_PAGES / LEAF_PAGES; leaf++) {
		have = tree_leaf_bits(bits, leaf);
		holes = ~have & 0xffff;
		/* Holes the device never had: all of them without a map. */
		fresh = tree_nz16(holes & ~(__u64)tree_leaf_bits(used, leaf));
		if (kind == PF_KIND_FIRST)
			mask |= (__u32)(fresh & (tree_nz16(have) |
						 (near >> leaf & 1))) << leaf;
		else
			mask |= (__u32)(tree_nz16(holes) & (fresh ^ 1)) << leaf;
	}
	return mask;
}

/*
 * Fetch the region's leaves with holes of @kind, runs of them as one
 * range, up to the four ranges a fault gets and the @allowed pages.
 * @used: the block's used pages (zeros if the map has none).
 */
static __always_inline void tree_fetch(struct gmem_prefetch_ctx *req,
				       struct block_bits *bits,
				       struct block_bits *used, __u32 region,
				       __u32 nr, enum pf_kind kind,
				       __u32 allowed)
{
	__u64 block_va = req->va & ~(BLOCK_PAGES * GMEM_PAGE_SIZE - 1);
	__u32 fault_leaf = (req->va - block_va) / GMEM_PAGE_SIZE / LEAF_PAGES;
	__u32 near_first = fault_leaf & ~(TREE_NEAR_PAGES / LEAF_PAGES - 1) & 31;
	__u32 near = ((1U << TREE_NEAR_PAGES / LEAF_PAGES) - 1) << near_first;
	__u64 mask = tree_need_mask(bits, used, kind, near), run;
	__u32 first = region / LEAF_PAGES % 32, len, i;
	int pages;

	/* The region's leaves only. */
	mask &= ((1ULL << (nr / LEAF_PAGES % 33)) - 1) << first;
	/* At most 16 runs in 32 leaves. */
	for (i = 0; mask && allowed && i < BLOCK_PAGES / LEAF_PAGES / 2; i++) {
		first = tree_ctz64(mask);
		len = tree_ctz64(~(mask >> first));
		run = (1ULL << len) - 1;
		mask &= ~(run << first);
		pages = pf_prefetch_bet(req, kind, block_va +
			(__u64)first * LEAF_PAGES * GMEM_PAGE_SIZE,
			len * LEAF_PAGES < allowed ? len * LEAF_PAGES : allowed,
			0);
		if (pages == -28 /* ENOSPC */ || (pages > 0 &&
		    (__u32)pages >= allowed))
			break;
		if (pages > 0)
			allowed -= pages;
	}
}

/*
 * A fault on a page that left the device within the last @ahead
 * evictions, @ahead being the prefetched pages the device had not used
 * when it left: with as many frames more, free of those bets, it would
 * still be there. The fault is charged to the ledger of @st (NULL: none)
 * as waste.
 */
static __always_inline void tree_charge_displaced(struct gmem_prefetch_ctx *req,
						  struct pf_state *st)
{
	struct gmem_page_key key = {
		.as_id = req->as_id,
		.vpn = req->va >> GMEM_PAGE_SHIFT,
		.dev = req->dev,
	};
	__u64 ahead, age;

	if (gmem_ghost_take_aged(&key, &ahead, &age) && age <= ahead && st)
		st->displaced_all++;
}

static __always_inline int tree_do_prefetch(struct gmem_prefetch_ctx *req)
{
	__u64 block_va = req->va & ~(BLOCK_PAGES * GMEM_PAGE_SIZE - 1);
	struct block_key key = tree_key(req->as_id, req->va, req->dev);
	__u32 idx = (req->va - block_va) / GMEM_PAGE_SIZE;
	__u32 best_first = 0, best_nr = 0, nr, first, allowed, again;
	struct block_bits *bits, *used, no_use = {};
	struct pf_state *states[PF_NR_KINDS];

	allowed = pf_feedback_fault_kind(req, PF_KIND_FIRST, TREE_FIRST_LEVEL,
					 &states[PF_KIND_FIRST]);
	again = pf_feedback_fault_kind(req, PF_KIND_AGAIN,
				       TREE_AGAIN_FIRST_LEVEL,
				       &states[PF_KIND_AGAIN]);
	tree_charge_displaced(req, states[PF_KIND_FIRST]);
	if ((!allowed && !again) || pf_over_ledger(states))
		return 0;
	bits = bpf_map_lookup_elem(&blocks, &key);
	if (!bits)
		return 0;
	for (nr = LEAF_PAGES; nr <= BLOCK_PAGES; nr *= 2) {
		first = idx & ~(nr - 1);
		if (tree_count(bits, first, nr) * 100 > density_threshold * nr) {
			best_first = first;
			best_nr = nr;
		}
	}
	if (!best_nr)
		return 0;
	used = bpf_map_lookup_elem(&blocks_used, &key);
	if (!used)
		used = &no_use;
	tree_fetch(req, bits, used, best_first, best_nr, PF_KIND_FIRST, allowed);
	tree_fetch(req, bits, used, best_first, best_nr, PF_KIND_AGAIN, again);
	return 0;
}

/*
 * page_added: residency; a page that came by a fault is marked used (one
 * that came by prefetch, when it leaves used), one that came by prefetch
 * forgets its ghost.
 */
static __always_inline void tree_do_page_added(struct gmem_page *page)
{
	struct gmem_page_key ghost = gmem_page_key_of(page);

	tree_mark(page, true);
	if (!(page->flags & GMEM_PAGE_PREFETCHED))
		tree_mark_used(page);
	else	/* back by a bet: no fault of its own to charge */
		bpf_map_delete_elem(&gmem_ghosts, &ghost);
}

/*
 * page_removed: the residency bitmap, the prefetcher's feedback, and a
 * prefetched page the device used is marked used.
 */
static __always_inline void tree_do_page_removed(struct gmem_page *page)
{
	struct block_key key = tree_key(page->as_id, page->va, page->dev);
	struct block_bits *used = bpf_map_lookup_elem(&blocks_used, &key);
	bool again = used && tree_bit(used, (page->va / GMEM_PAGE_SIZE) %
					    BLOCK_PAGES);
	struct gmem_page_key ghost = gmem_page_key_of(page);

	tree_mark(page, false);
	/* A page of a bet that went unused was charged for already. */
	if ((page->flags & GMEM_PAGE_UNUSED) || !page->prefetched_pending)
		gmem_ghost_pass(page->dev, gmem_dev_frames, &ghost);
	else
		gmem_ghost_add(page->dev, gmem_dev_frames, &ghost,
			       page->prefetched_pending);
	/*
	 * A verdict gmem_prefetch_verdicts() did not give: the page's kind
	 * is whether the device had used it before it came (a leaf of mixed
	 * holes was bet FIRST: close enough for feedback that only steers).
	 */
	pf_feedback_removed_kind(page, again ? PF_KIND_AGAIN : PF_KIND_FIRST);
	if ((page->flags & GMEM_PAGE_PREFETCHED) &&
	    !(page->flags & GMEM_PAGE_UNUSED))
		tree_mark_used(page);
}

static __always_inline void tree_do_exit(struct gmem_as_info *as)
{
	pf_feedback_exit(as);
}

#endif /* GMEM_LIB_TREE_H */
