// SPDX-License-Identifier: GPL-2.0
/*
 * combo: one prefetch policy of bpf/ combined with one eviction policy of
 * bpf/, for the benchmark's policy matrix (a struct_ops map is one policy,
 * so each pair needs its own object). Built once per pair by the Makefile:
 *
 *   -DCOMBO=seq_lru -DPF_SEQ -DEV_LRU     (PF_SEQ|PF_STRIDE|PF_TREE,
 *                                          EV_LRU|EV_FIFO|EV_LFU|EV_CLOCK|EV_MRU)
 *
 * The algorithms are those of bpf/prefetch_{seq,stride,tree}.bpf.c and
 * bpf/evict_{lru,fifo,lfu,clock,mru}.bpf.c, unchanged; keep them in step.
 */
#define GMEM_FRAME_LIST
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

#define COMBO_STR2(x)	#x
#define COMBO_STR(x)	COMBO_STR2(x)

#if !defined(COMBO)
#error "define COMBO (the policy's name)"
#endif

/* ------------------------------------------------------------------ */
/* Prefetch                                                            */

#ifdef PF_SEQ
#define SEQ_MIN_WINDOW	16
#define SEQ_MAX_WINDOW	256

struct seq_stream {
	__u64 next_va;
	__u32 window;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct seq_stream);
} seq_streams SEC(".maps");

static __always_inline int pf_prefetch(struct gmem_prefetch_ctx *req)
{
	struct seq_stream fresh = { .window = SEQ_MIN_WINDOW }, *s;
	__u64 as_id = req->as_id, va = req->va;
	int pages;

	s = bpf_map_lookup_elem(&seq_streams, &as_id);
	if (!s) {
		bpf_map_update_elem(&seq_streams, &as_id, &fresh, BPF_ANY);
		s = bpf_map_lookup_elem(&seq_streams, &as_id);
		if (!s)
			return 0;
	} else if (va == s->next_va) {
		s->window = s->window * 2 > SEQ_MAX_WINDOW ? SEQ_MAX_WINDOW :
			    s->window * 2;
	} else {
		s->window = SEQ_MIN_WINDOW;
	}
	if (va + GMEM_PAGE_SIZE >= req->vma_end)
		return 0;
	pages = gmem_prefetch_range(req, va + GMEM_PAGE_SIZE, s->window);
	s->next_va = va + GMEM_PAGE_SIZE + (pages > 0 ? pages : 0) *
		     GMEM_PAGE_SIZE;
	return 0;
}

static __always_inline void pf_exit(struct gmem_as_info *as)
{
	__u64 as_id = as->id;

	bpf_map_delete_elem(&seq_streams, &as_id);
}
#endif /* PF_SEQ */

#ifdef PF_STRIDE
#define STRIDE_AHEAD	4
#define STRIDE_MAX	(64 * GMEM_PAGE_SIZE)

struct stride_state {
	__u64 last_va;
	__s64 stride;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct stride_state);
} strides SEC(".maps");

static __always_inline int pf_prefetch(struct gmem_prefetch_ctx *req)
{
	struct stride_state fresh = { .last_va = req->va }, *s;
	__u64 as_id = req->as_id, va = req->va;
	__s64 stride;
	int i;

	s = bpf_map_lookup_elem(&strides, &as_id);
	if (!s) {
		bpf_map_update_elem(&strides, &as_id, &fresh, BPF_ANY);
		return 0;
	}
	stride = (__s64)(va - s->last_va);
	s->last_va = va;
	if (stride != s->stride) {
		s->stride = stride;
		return 0;
	}
	if (stride == GMEM_PAGE_SIZE) {
		gmem_prefetch_range(req, va + GMEM_PAGE_SIZE, 16);
		return 0;
	}
	if (stride == -(__s64)GMEM_PAGE_SIZE) {
		if (va >= req->vma_start + 16 * GMEM_PAGE_SIZE)
			gmem_prefetch_range(req, va - 16 * GMEM_PAGE_SIZE, 16);
		return 0;
	}
	if (!stride || stride > (__s64)STRIDE_MAX || stride < -(__s64)STRIDE_MAX)
		return 0;
	for (i = 1; i <= STRIDE_AHEAD; i++) {
		__u64 next = va + i * stride;

		if (next < req->vma_start || next >= req->vma_end)
			break;
		gmem_prefetch_range(req, next, 1);
	}
	return 0;
}

static __always_inline void pf_exit(struct gmem_as_info *as)
{
	__u64 as_id = as->id;

	bpf_map_delete_elem(&strides, &as_id);
}
#endif /* PF_STRIDE */

#ifdef PF_TREE
#define BLOCK_PAGES	512
#define BLOCK_WORDS	(BLOCK_PAGES / 64)
#define LEAF_PAGES	16

const volatile __u32 density_threshold = 51;

struct block_key {
	__u64 as_id;
	__u64 block;
};

struct block_bits {
	__u64 word[BLOCK_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct block_key);
	__type(value, struct block_bits);
} blocks SEC(".maps");

static __always_inline void tree_mark(struct gmem_page *page, bool resident)
{
	struct block_key key = {
		.as_id = page->as_id,
		.block = page->va / (BLOCK_PAGES * GMEM_PAGE_SIZE),
	};
	__u32 idx = (page->va / GMEM_PAGE_SIZE) % BLOCK_PAGES;
	struct block_bits zero = {}, *bits;
	int i;

	bits = bpf_map_lookup_elem(&blocks, &key);
	if (!bits) {
		if (!resident)
			return;
		bpf_map_update_elem(&blocks, &key, &zero, BPF_NOEXIST);
		bits = bpf_map_lookup_elem(&blocks, &key);
		if (!bits)
			return;
	}
	if (resident) {
		bits->word[(idx / 64) % BLOCK_WORDS] |= 1ULL << (idx % 64);
		return;
	}
	bits->word[(idx / 64) % BLOCK_WORDS] &= ~(1ULL << (idx % 64));
	for (i = 0; i < BLOCK_WORDS; i++) {
		if (bits->word[i])
			return;
	}
	bpf_map_delete_elem(&blocks, &key);
}

static __always_inline __u32 tree_count(struct block_bits *bits, __u32 first,
					 __u32 nr)
{
	__u32 count = 0, w;
	int i;

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

static __always_inline __u32 tree_leaf_bits(struct block_bits *bits, __u32 leaf)
{
	return (bits->word[(leaf / 4) % BLOCK_WORDS] >> (leaf % 4 * 16)) & 0xffff;
}

static __always_inline int pf_prefetch(struct gmem_prefetch_ctx *req)
{
	__u64 block_va = req->va & ~(BLOCK_PAGES * GMEM_PAGE_SIZE - 1);
	struct block_key key = {
		.as_id = req->as_id,
		.block = req->va / (BLOCK_PAGES * GMEM_PAGE_SIZE),
	};
	__u32 idx = (req->va - block_va) / GMEM_PAGE_SIZE;
	__u32 best_first = 0, best_nr = 0, nr, first, run = 0, i;
	struct block_bits *bits;

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
	for (i = 0; i <= BLOCK_PAGES / LEAF_PAGES; i++) {
		__u32 leaf = best_first / LEAF_PAGES + i;
		bool hole = i < best_nr / LEAF_PAGES &&
			    tree_leaf_bits(bits, leaf) != 0xffff;

		if (hole) {
			run++;
			continue;
		}
		if (run && gmem_prefetch_range(req, block_va +
				(__u64)(leaf - run) * LEAF_PAGES * GMEM_PAGE_SIZE,
				run * LEAF_PAGES) == -28 /* ENOSPC */)
			break;
		run = 0;
		if (i >= best_nr / LEAF_PAGES)
			break;
	}
	return 0;
}

#define PF_PAGE_EVENTS
static __always_inline void pf_page_added(struct gmem_page *page)
{
	tree_mark(page, true);
}

static __always_inline void pf_page_removed(struct gmem_page *page)
{
	tree_mark(page, false);
}
#endif /* PF_TREE */

#if !defined(PF_SEQ) && !defined(PF_STRIDE) && !defined(PF_TREE)
#error "define one of PF_SEQ, PF_STRIDE, PF_TREE"
#endif

#ifndef PF_PAGE_EVENTS
static __always_inline void pf_page_added(struct gmem_page *page) { }
static __always_inline void pf_page_removed(struct gmem_page *page) { }
#endif

/* ------------------------------------------------------------------ */
/* Eviction: the frame list of gmem_policy.h                          */

static __always_inline void ev_page_added(struct gmem_page *page)
{
	__u32 slot = gmem_slot(page->dev, page->frame);
	struct gmem_node *n;

	gmem_list_add(page->dev, slot, false);
	n = gmem_node(slot);
	if (n) {
		n->count = 1;		/* LFU */
		n->referenced = 0;	/* CLOCK */
	}
}

/* FIFO has no page_accessed: a re-fault changes nothing. */
#ifndef EV_FIFO
static __always_inline void ev_page_accessed(struct gmem_page *page)
{
	__u32 slot = gmem_slot(page->dev, page->frame);
#if defined(EV_LFU) || defined(EV_CLOCK)
	struct gmem_node *n = gmem_node(slot);

	if (!n)
		return;
#endif
#if defined(EV_LRU) || defined(EV_MRU)
	gmem_list_add(page->dev, slot, false);
#elif defined(EV_LFU)
	if (n->count < 0xffffffffU)
		n->count++;
#elif defined(EV_CLOCK)
	n->referenced = 1;
#endif
}
#endif

#ifdef EV_LFU
static __always_inline void lfu_pass(struct gmem_evict_ctx *req, __u32 bound)
{
	__u32 dev = req->dev, h = GMEM_SLOTS + dev, cur;
	struct gmem_node *head = gmem_list_head(dev), *n;
	int i;

	if (!head)
		return;
	cur = head->next;
	for (i = 0; i < GMEM_EVICT_SCAN; i++) {
		if (cur == h || req->nominated >= req->wanted)
			break;
		n = gmem_node(cur);
		if (!n)
			break;
		if (n->count <= bound)
			gmem_evict_frame(req, cur - dev * GMEM_MAX_FRAMES);
		cur = n->next;
	}
}
#endif

#ifdef EV_CLOCK
static __always_inline void clock_sweep(struct gmem_evict_ctx *req)
{
	__u32 dev = req->dev, h = GMEM_SLOTS + dev, cur, next;
	struct gmem_node *head = gmem_list_head(dev), *n;
	int i;

	if (!head)
		return;
	cur = head->next;
	for (i = 0; i < GMEM_EVICT_SCAN; i++) {
		if (cur == h || req->nominated >= req->wanted)
			break;
		n = gmem_node(cur);
		if (!n)
			break;
		next = n->next;
		if (n->referenced) {
			n->referenced = 0;
			gmem_list_add(dev, cur, false);
		} else {
			gmem_evict_frame(req, cur - dev * GMEM_MAX_FRAMES);
		}
		cur = next;
	}
}
#endif

static __always_inline void ev_evict(struct gmem_evict_ctx *req)
{
#if defined(EV_LRU) || defined(EV_FIFO)
	gmem_list_evict(req, false, 0);
#elif defined(EV_MRU)
	gmem_list_evict(req, true, 0);
#elif defined(EV_LFU)
	lfu_pass(req, 1);
	lfu_pass(req, 4);
	lfu_pass(req, 0xffffffffU);
#elif defined(EV_CLOCK)
	clock_sweep(req);
#else
#error "define one of EV_LRU, EV_FIFO, EV_LFU, EV_CLOCK, EV_MRU"
#endif
}

/* ------------------------------------------------------------------ */
/* The hooks                                                           */

SEC("struct_ops/combo_prefetch")
int BPF_PROG(combo_prefetch, struct gmem_prefetch_ctx *req)
{
	return pf_prefetch(req);
}

SEC("struct_ops/combo_page_added")
void BPF_PROG(combo_page_added, struct gmem_page *page)
{
	ev_page_added(page);
	pf_page_added(page);
}

#ifndef EV_FIFO
SEC("struct_ops/combo_page_accessed")
void BPF_PROG(combo_page_accessed, struct gmem_page *page)
{
	ev_page_accessed(page);
}
#endif

SEC("struct_ops/combo_page_removed")
void BPF_PROG(combo_page_removed, struct gmem_page *page)
{
	gmem_list_del(gmem_slot(page->dev, page->frame));
	pf_page_removed(page);
}

SEC("struct_ops/combo_evict")
int BPF_PROG(combo_evict, struct gmem_evict_ctx *req)
{
	ev_evict(req);
	return 0;
}

#if defined(PF_SEQ) || defined(PF_STRIDE)
SEC("struct_ops/combo_exit")
void BPF_PROG(combo_exit, struct gmem_as_info *as)
{
	pf_exit(as);
}
#endif

SEC(".struct_ops")
struct gmem_policy_ops COMBO = {
	.prefetch = (void *)combo_prefetch,
	.page_added = (void *)combo_page_added,
#ifndef EV_FIFO
	.page_accessed = (void *)combo_page_accessed,
#endif
	.page_removed = (void *)combo_page_removed,
	.evict = (void *)combo_evict,
#if defined(PF_SEQ) || defined(PF_STRIDE)
	.exit = (void *)combo_exit,
#endif
	.name = COMBO_STR(COMBO),
};
