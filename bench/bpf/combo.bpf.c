// SPDX-License-Identifier: GPL-2.0
/*
 * combo: one prefetch policy of bpf/ combined with one eviction policy of
 * bpf/, for the benchmark's policy matrix (a struct_ops map is one policy,
 * so each pair needs its own object). Built once per pair by the Makefile:
 *
 *   -DCOMBO=seq_lru -DPF_SEQ -DEV_LRU     (PF_SEQ|PF_STRIDE|PF_TREE,
 *                                          EV_LRU|EV_FIFO|EV_LFU|EV_CLOCK|EV_MRU)
 *
 * The algorithms are not copied: this file includes bpf/prefetch_*.bpf.c
 * and bpf/evict_{lfu,clock}.bpf.c with GMEM_POLICY_PART defined, which
 * leaves out their struct_ops maps and keeps the functions they are built
 * from. LRU, MRU and FIFO are gmem_policy.h's frame list as they use it.
 */
#define GMEM_FRAME_LIST
#define GMEM_POLICY_PART
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

#define COMBO_STR2(x)	#x
#define COMBO_STR(x)	COMBO_STR2(x)

#if !defined(COMBO)
#error "define COMBO (the policy's name)"
#endif

/* ------------------------------------------------------------------ */
/* Prefetch                                                            */

#if defined(PF_SEQ)
#include "prefetch_seq.bpf.c"
#define pf_prefetch	seq_do_prefetch
#define pf_exit		seq_do_exit
#elif defined(PF_STRIDE)
#include "prefetch_stride.bpf.c"
#define pf_prefetch	stride_do_prefetch
#define pf_exit		stride_do_exit
#elif defined(PF_TREE)
#include "prefetch_tree.bpf.c"
#define pf_prefetch	tree_do_prefetch
/* The tree keeps a residency bitmap from the page events. */
#define pf_page_added(page)	tree_mark(page, true)
#define pf_page_removed(page)	tree_mark(page, false)
#else
#error "define one of PF_SEQ, PF_STRIDE, PF_TREE"
#endif

#ifndef pf_page_added
#define pf_page_added(page)	do { } while (0)
#define pf_page_removed(page)	do { } while (0)
#endif

/* ------------------------------------------------------------------ */
/* Eviction: the frame list of gmem_policy.h                          */

#if defined(EV_LFU)
#include "evict_lfu.bpf.c"
#define ev_page_accessed	lfu_do_page_accessed
#define ev_evict		lfu_do_evict
#elif defined(EV_CLOCK)
#include "evict_clock.bpf.c"
#define ev_page_accessed	clock_do_page_accessed
#define ev_evict		clock_do_evict
#elif defined(EV_LRU) || defined(EV_MRU)
/* A re-fault moves the page to the list's tail, as a new one. */
static __always_inline void ev_page_accessed(struct gmem_page *page)
{
	gmem_list_add(page->dev, gmem_slot(page->dev, page->frame), false);
}

static __always_inline void ev_evict(struct gmem_evict_ctx *req)
{
#ifdef EV_MRU
	gmem_list_evict(req, true, 0);
#else
	gmem_list_evict(req, false, 0);
#endif
}
#elif defined(EV_FIFO)
/* FIFO has no page_accessed: a re-fault changes nothing. */
static __always_inline void ev_evict(struct gmem_evict_ctx *req)
{
	gmem_list_evict(req, false, 0);
}
#else
#error "define one of EV_LRU, EV_FIFO, EV_LFU, EV_CLOCK, EV_MRU"
#endif

/* A new page: at the list's tail, counted once (LFU), not referenced (CLOCK). */
static __always_inline void ev_page_added(struct gmem_page *page)
{
	__u32 slot = gmem_slot(page->dev, page->frame);
	struct gmem_node *n;

	gmem_list_add(page->dev, slot, false);
	n = gmem_node(slot);
	if (n) {
		n->count = 1;
		n->referenced = 0;
	}
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

#ifdef pf_exit
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
#ifdef pf_exit
	.exit = (void *)combo_exit,
#endif
	.name = COMBO_STR(COMBO),
};
