// SPDX-License-Identifier: GPL-2.0
/*
 * combo: one prefetch algorithm and one eviction algorithm of bpf/lib/ in
 * one struct_ops map, for the benchmark's policy matrix (a struct_ops map
 * is one policy, so each pair needs its own object). Built once per pair
 * by the Makefile:
 *
 *   -DCOMBO=seq_lru -DPF_SEQ -DEV_LRU     (PF_SEQ|PF_STRIDE|PF_TREE,
 *                                          EV_LRU|EV_FIFO|EV_LFU|EV_CLOCK|EV_MRU)
 *
 * The shipped policies of bpf/ are built from the same headers, so
 * a pair runs the shipped algorithms, not a copy.
 */
#include "lib/frame_list.h"

char LICENSE[] SEC("license") = "GPL";

#define COMBO_STR2(x)	#x
#define COMBO_STR(x)	COMBO_STR2(x)

#if !defined(COMBO)
#error "define COMBO (the policy's name)"
#endif

/* ------------------------------------------------------------------ */
/* Prefetch                                                            */

#if defined(PF_SEQ)
#include "lib/seq.h"
#define pf_prefetch		seq_do_prefetch
#define pf_page_removed		seq_do_page_removed
#define pf_exit			seq_do_exit
#elif defined(PF_STRIDE)
#include "lib/stride.h"
#define pf_prefetch		stride_do_prefetch
#define pf_page_removed		stride_do_page_removed
#define pf_exit			stride_do_exit
#elif defined(PF_TREE)
#include "lib/tree.h"
#define pf_prefetch		tree_do_prefetch
/* The tree keeps a residency bitmap from the page events. */
#define pf_page_added		tree_do_page_added
#define pf_page_removed		tree_do_page_removed
#define pf_exit			tree_do_exit
#else
#error "define one of PF_SEQ, PF_STRIDE, PF_TREE"
#endif

#ifndef pf_page_added
#define pf_page_added(page)	do { } while (0)
#endif

/* ------------------------------------------------------------------ */
/* Eviction: on the frame list                                         */

#if defined(EV_LFU)
#include "lib/lfu.h"
#define ev_page_added		lfu_do_page_added
#define ev_page_accessed	lfu_do_page_accessed
#define ev_evict		lfu_do_evict
#elif defined(EV_CLOCK)
#include "lib/clock.h"
#define ev_page_added		clock_do_page_added
#define ev_page_accessed	clock_do_page_accessed
#define ev_evict		clock_do_evict
#elif defined(EV_LRU) || defined(EV_MRU)
/* A re-fault moves the page to the list's newest end, as a new one. */
#define ev_page_added		gmem_list_add_page
#define ev_page_accessed	gmem_list_add_page
#ifdef EV_MRU
#define ev_evict(req)		gmem_list_evict(req, true)
#else
#define ev_evict(req)		gmem_list_evict(req, false)
#endif
#elif defined(EV_FIFO)
/* FIFO has no page_accessed: a re-fault changes nothing. */
#define ev_page_added		gmem_list_add_page
#define ev_evict(req)		gmem_list_evict(req, false)
#else
#error "define one of EV_LRU, EV_FIFO, EV_LFU, EV_CLOCK, EV_MRU"
#endif

/* ------------------------------------------------------------------ */
/* The hooks                                                           */

int BPF_STRUCT_OPS(combo_prefetch, struct gmem_prefetch_ctx *req)
{
	return pf_prefetch(req);
}

void BPF_STRUCT_OPS(combo_page_added, struct gmem_page *page)
{
	ev_page_added(page);
	pf_page_added(page);
}

#ifdef ev_page_accessed
void BPF_STRUCT_OPS(combo_page_accessed, struct gmem_page *page)
{
	ev_page_accessed(page);
}
#endif

void BPF_STRUCT_OPS(combo_page_removed, struct gmem_page *page)
{
	gmem_list_del_page(page);
	pf_page_removed(page);
}

int BPF_STRUCT_OPS(combo_evict, struct gmem_evict_ctx *req)
{
	ev_evict(req);
	return 0;
}

void BPF_STRUCT_OPS(combo_exit, struct gmem_as_info *as)
{
	pf_exit(as);
}

SEC(".struct_ops")
struct gmem_policy_ops COMBO = {
	.prefetch = (void *)combo_prefetch,
	.page_added = (void *)combo_page_added,
#ifdef ev_page_accessed
	.page_accessed = (void *)combo_page_accessed,
#endif
	.page_removed = (void *)combo_page_removed,
	.evict = (void *)combo_evict,
	.exit = (void *)combo_exit,
	.name = COMBO_STR(COMBO),
};
