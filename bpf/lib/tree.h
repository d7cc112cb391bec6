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
 */
#ifndef GMEM_LIB_TREE_H
#define GMEM_LIB_TREE_H

#include "gmem_policy.h"
#include "pf_feedback.h"

#define BLOCK_PAGES	512
#define BLOCK_WORDS	(BLOCK_PAGES / 64)
#define LEAF_PAGES	16

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

/*
 * What leaf @leaf needs: 0 nothing (all resident); else a kind + 1, AGAIN
 * if the device used every page missing before.
 */
static __always_inline __u32 tree_leaf_need(struct block_bits *bits,
					    struct block_bits *used, __u32 leaf)
{
	__u32 holes = ~tree_leaf_bits(bits, leaf) & 0xffff;

	if (!holes)
		return 0;
	if (used && !(holes & ~tree_leaf_bits(used, leaf)))
		return PF_KIND_AGAIN + 1;
	return PF_KIND_FIRST + 1;
}

/*
 * Fetch the region's leaves with holes of @kind, runs of them as one
 * range, up to the four ranges a fault gets and the @allowed pages.
 */
static __always_inline void tree_fetch(struct gmem_prefetch_ctx *req,
				       struct block_bits *bits,
				       struct block_bits *used, __u32 region,
				       __u32 nr, enum pf_kind kind,
				       __u32 allowed)
{
	__u64 block_va = req->va & ~(BLOCK_PAGES * GMEM_PAGE_SIZE - 1);
	__u32 run = 0, i;
	int pages;

	for (i = 0; allowed && i <= BLOCK_PAGES / LEAF_PAGES; i++) {
		__u32 leaf = region / LEAF_PAGES + i;

		if (i < nr / LEAF_PAGES &&
		    tree_leaf_need(bits, used, leaf) == kind + 1) {
			run++;
			continue;
		}
		if (run) {
			pages = pf_prefetch_bet(req, kind, block_va +
				(__u64)(leaf - run) * LEAF_PAGES * GMEM_PAGE_SIZE,
				run * LEAF_PAGES < allowed ? run * LEAF_PAGES :
							     allowed, 0);
			if (pages == -28 /* ENOSPC */ || (pages > 0 &&
			    (__u32)pages >= allowed))
				break;
			if (pages > 0)
				allowed -= pages;
		}
		run = 0;
		if (i >= nr / LEAF_PAGES)
			break;
	}
}

static __always_inline int tree_do_prefetch(struct gmem_prefetch_ctx *req)
{
	__u64 block_va = req->va & ~(BLOCK_PAGES * GMEM_PAGE_SIZE - 1);
	struct block_key key = tree_key(req->as_id, req->va, req->dev);
	__u32 idx = (req->va - block_va) / GMEM_PAGE_SIZE;
	__u32 best_first = 0, best_nr = 0, nr, first, allowed, again;
	struct block_bits *bits, *used;

	allowed = pf_feedback_fault_kind(req, PF_KIND_FIRST, TREE_FIRST_LEVEL,
					 NULL);
	again = pf_feedback_fault_kind(req, PF_KIND_AGAIN,
				       TREE_AGAIN_FIRST_LEVEL, NULL);
	if (!allowed && !again)
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
	tree_fetch(req, bits, used, best_first, best_nr, PF_KIND_FIRST, allowed);
	tree_fetch(req, bits, used, best_first, best_nr, PF_KIND_AGAIN, again);
	return 0;
}

/*
 * page_added: residency; a page that came by a fault is marked used (one
 * that came by prefetch, when it leaves used).
 */
static __always_inline void tree_do_page_added(struct gmem_page *page)
{
	tree_mark(page, true);
	if (!(page->flags & GMEM_PAGE_PREFETCHED))
		tree_mark_used(page);
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

	tree_mark(page, false);
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
