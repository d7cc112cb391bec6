/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sequential prefetch: once faults show a stream (three faults in a row,
 * each on the page after the last), fetch the pages that follow. A fault
 * right where the last prefetch ended means the stream goes on, and the
 * window doubles (seq_min_window pages, 16 by default, up to
 * seq_max_window, 256); any other fault fetches nothing and starts
 * again: a lone fault is no stream, and fetching after every one of them
 * is what makes a prefetcher a loss on random access. Nor are two faults
 * in a row: programs' faults land next to each other by chance (on the
 * traces of bc, tsort and the hash join, a stream from the second fault
 * moved 1.12-1.19x the default's pages; from the third, as stride finds
 * one, 0.99-1.06x). The prefetcher backs off while its pages go unused,
 * and while it does, fetches at most a share of the stream's length so
 * far (pf_feedback.h), and never past a length at which the address
 * space's last streams ended. One stream per address space, in the map
 * seq_streams.
 */
#ifndef GMEM_LIB_SEQ_H
#define GMEM_LIB_SEQ_H

#include "gmem_policy.h"
#include "pf_feedback.h"

/*
 * Tunables (gmemctl load --set): the first window and the largest, in
 * pages. GMEM clamps a prefetch to 512 pages and to the faulting mapping.
 */
const volatile __u32 seq_min_window = 16;
const volatile __u32 seq_max_window = 256;

/* Faults in a row that make a stream: two in a row often come by chance. */
#define SEQ_MIN_RUN	3

struct seq_stream {
	__u64 start_va;		/* the stream's first fault */
	__u64 last_va;		/* the last fault */
	__u64 next_va;		/* first page after the last prefetch */
	__u32 window;		/* pages */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);	/* gmem_as_info.id */
	__type(value, struct seq_stream);
} seq_streams SEC(".maps");

static __always_inline int seq_do_prefetch(struct gmem_prefetch_ctx *req)
{
	struct seq_stream fresh = { .start_va = req->va, .last_va = req->va };
	struct seq_stream *s;
	__u64 as_id = req->as_id, va = req->va;
	struct pf_state *st;
	__u32 allowed = pf_feedback_fault(req, 0, &st), run;
	int pages;

	s = bpf_map_lookup_elem(&seq_streams, &as_id);
	if (!s) {
		bpf_map_update_elem(&seq_streams, &as_id, &fresh, BPF_ANY);
		return 0;
	}
	if (s->next_va && va == s->next_va) {
		s->window = s->window * 2 > seq_max_window ? seq_max_window :
			    s->window * 2;
	} else if (va == s->last_va + GMEM_PAGE_SIZE) {
		s->window = seq_min_window;
	} else {
		s->start_va = va;
		s->last_va = va;
		s->next_va = 0;
		return 0;
	}
	s->last_va = va;
	s->next_va = 0;
	run = (va - s->start_va) / GMEM_PAGE_SIZE + 1;
	if (run < SEQ_MIN_RUN)
		return 0;
	allowed = pf_stream_allowed(allowed, run);
	if (va + GMEM_PAGE_SIZE >= req->vma_end || !allowed)
		return 0;
	pages = pf_prefetch_stream(req, va + GMEM_PAGE_SIZE,
				   pf_stream_window(st, run, s->window < allowed ?
						    s->window : allowed), run);
	if (pages > 0)
		s->next_va = va + GMEM_PAGE_SIZE + pages * GMEM_PAGE_SIZE;
	return 0;
}

/* page_removed: the prefetcher's feedback. */
static __always_inline void seq_do_page_removed(struct gmem_page *page)
{
	pf_feedback_removed(page);
}

static __always_inline void seq_do_exit(struct gmem_as_info *as)
{
	__u64 as_id = as->id;

	bpf_map_delete_elem(&seq_streams, &as_id);
	pf_feedback_exit(as);
}

#endif /* GMEM_LIB_SEQ_H */
