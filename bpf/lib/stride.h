/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stride prefetch: when two faults in a row of an address space are the
 * same distance apart, fetch along that stride: the next stride_ahead
 * pages (4; a fault may propose four ranges), or, for a stride of one page, a window
 * of pages in its direction, 16 at first, doubling up to 256 while the
 * stream goes on. One state per address space, in the map strides.
 *
 * The prefetch moves the stream's next fault: after fetching N strides
 * ahead of va, it comes at va + (N + 1) * stride, not at va + stride. A
 * fault there continues the stream and fetches further; taken for a new
 * stride, it would cost two more faults to find the stride again. The
 * prefetcher backs off while its pages go unused, and while it does,
 * fetches at most a share of the strides the stream has taken so far
 * (pf_feedback.h). A window of pages upwards stops at a length at which
 * the address space's last streams ended.
 */
#ifndef GMEM_LIB_STRIDE_H
#define GMEM_LIB_STRIDE_H

#include "gmem_policy.h"
#include "pf_feedback.h"

/*
 * Tunable (gmemctl load --set): strides fetched ahead, 0 to 16 (GMEM takes
 * four ranges a fault, so more than 4 only fills the budget).
 */
const volatile __u32 stride_ahead = 4;
#define STRIDE_AHEAD_MAX	16
#define STRIDE_MAX		(64 * GMEM_PAGE_SIZE)
#define STRIDE_MIN_WINDOW	16
#define STRIDE_MAX_WINDOW	256

struct stride_state {
	__u64 start_va;		/* the stream's first fault */
	__u64 last_va;		/* the last fault */
	__s64 stride;		/* bytes between the last two faults */
	__u64 next_va;		/* where the stream faults next; 0: no stream */
	__u32 window;		/* pages a stride of one page fetches */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);	/* gmem_as_info.id */
	__type(value, struct stride_state);
} strides SEC(".maps");

/*
 * Fetch ahead of the fault along @stride (@window pages for a stride of
 * one page), @allowed pages at most. Returns where the stream's next
 * fault is expected, just past what was fetched, or 0 when nothing was.
 */
static __always_inline __u64 stride_fetch(struct gmem_prefetch_ctx *req,
					  const struct pf_state *st,
					  __s64 stride, __u32 window,
					  __u32 allowed, __u32 run)
{
	__u64 va = req->va, start;
	__u32 i;
	int n = 0;

	if (window > allowed)
		window = allowed;
	if (stride == (__s64)GMEM_PAGE_SIZE) {
		if (va + GMEM_PAGE_SIZE < req->vma_end)
			n = pf_prefetch_stream(req, va + GMEM_PAGE_SIZE,
					       pf_stream_window(st, run, window),
					       run);
	} else if (stride == -(__s64)GMEM_PAGE_SIZE) {
		/* Downwards: the window below the fault, within the mapping. */
		start = va - window * GMEM_PAGE_SIZE;
		if (start < req->vma_start || start > va)
			start = req->vma_start;
		if (start < va)
			n = pf_prefetch_range(req, start,
						(va - start) / GMEM_PAGE_SIZE);
	} else if (stride && stride <= (__s64)STRIDE_MAX &&
		   stride >= -(__s64)STRIDE_MAX) {
		/* The verifier sees stride_ahead's value; the bound is for others. */
		for (i = 1; i <= STRIDE_AHEAD_MAX && i <= stride_ahead &&
			    i <= allowed; i++) {
			__u64 next = va + i * stride;

			if (next < req->vma_start || next >= req->vma_end ||
			    pf_prefetch_range(req, next, 1) <= 0)
				break;
			n = i;
		}
	}
	return n > 0 ? va + (n + 1) * stride : 0;
}

/**
 * stride_do_prefetch() - the prefetch hook: follow a stride, or find one
 * @req: the fault, at @req->va
 *
 * A fault where the stream's last prefetch expects it continues the
 * stream; any other one is compared with the fault before it.
 *
 * Return: 0; what GMEM refuses is left out, not an error.
 */
static __always_inline int stride_do_prefetch(struct gmem_prefetch_ctx *req)
{
	struct stride_state fresh = { .last_va = req->va }, *s;
	__u64 as_id = req->as_id, va = req->va;
	struct pf_state *st;
	__u32 allowed = pf_feedback_fault(req, 0, &st);
	__s64 stride;
	__u64 run;

	s = bpf_map_lookup_elem(&strides, &as_id);
	if (!s) {
		bpf_map_update_elem(&strides, &as_id, &fresh, BPF_ANY);
		return 0;
	}
	if (s->next_va && va == s->next_va) {
		/* Just past the last prefetch: the stream goes on. */
		stride = s->stride;
		s->window = s->window * 2 > STRIDE_MAX_WINDOW ?
			    STRIDE_MAX_WINDOW : s->window * 2;
	} else {
		stride = (__s64)(va - s->last_va);
		s->window = STRIDE_MIN_WINDOW;
		if (stride != s->stride)
			s->start_va = s->last_va;
	}
	s->last_va = va;
	s->next_va = 0;
	if (stride != s->stride) {
		s->stride = stride;
		return 0;
	}
	if (!stride)		/* faults on one page are no stream */
		return 0;
	run = (stride > 0 ? va - s->start_va : s->start_va - va) /
	      (stride > 0 ? stride : -stride) + 1;
	allowed = pf_stream_allowed(allowed, run);
	if (allowed)
		s->next_va = stride_fetch(req, st, stride, s->window, allowed,
					   run);
	return 0;
}

/* page_removed: the prefetcher's feedback. */
static __always_inline void stride_do_page_removed(struct gmem_page *page)
{
	pf_feedback_removed(page);
}

static __always_inline void stride_do_exit(struct gmem_as_info *as)
{
	__u64 as_id = as->id;

	bpf_map_delete_elem(&strides, &as_id);
	pf_feedback_exit(as);
}

#endif /* GMEM_LIB_STRIDE_H */
