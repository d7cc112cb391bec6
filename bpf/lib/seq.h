/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sequential prefetch: after a fault, fetch the pages that follow. A fault
 * right where the last prefetch ended means the stream goes on, and the
 * window doubles (seq_min_window pages, 16 by default, up to
 * seq_max_window, 256); any other fault starts again at seq_min_window.
 * One stream per address space, in the map seq_streams.
 */
#ifndef GMEM_LIB_SEQ_H
#define GMEM_LIB_SEQ_H

#include "gmem_policy.h"

/*
 * Tunables (gmemctl load --set): the first window and the largest, in
 * pages. GMEM clamps a prefetch to 512 pages and to the faulting mapping.
 */
const volatile __u32 seq_min_window = 16;
const volatile __u32 seq_max_window = 256;

struct seq_stream {
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
	struct seq_stream fresh = { .window = seq_min_window }, *s;
	__u64 as_id = req->as_id, va = req->va;
	int pages;

	s = bpf_map_lookup_elem(&seq_streams, &as_id);
	if (!s) {
		bpf_map_update_elem(&seq_streams, &as_id, &fresh, BPF_ANY);
		s = bpf_map_lookup_elem(&seq_streams, &as_id);
		if (!s)
			return 0;
	} else if (va == s->next_va) {
		s->window = s->window * 2 > seq_max_window ? seq_max_window :
			    s->window * 2;
	} else {
		s->window = seq_min_window;
	}
	if (va + GMEM_PAGE_SIZE >= req->vma_end)
		return 0;
	pages = gmem_prefetch_range(req, va + GMEM_PAGE_SIZE, s->window);
	s->next_va = va + GMEM_PAGE_SIZE + (pages > 0 ? pages : 0) *
		     GMEM_PAGE_SIZE;
	return 0;
}

static __always_inline void seq_do_exit(struct gmem_as_info *as)
{
	__u64 as_id = as->id;

	bpf_map_delete_elem(&seq_streams, &as_id);
}

#endif /* GMEM_LIB_SEQ_H */
