/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stride prefetch: when two faults in a row of an address space are the
 * same distance apart, fetch the next stride_ahead pages (4 by default)
 * along that stride (for a stride of one page, the next 16 pages in its
 * direction). One state per address space, in the map strides.
 */
#ifndef GMEM_LIB_STRIDE_H
#define GMEM_LIB_STRIDE_H

#include "gmem_policy.h"

/* Tunable (gmemctl load --set): pages fetched along a stride, 0 to 16. */
const volatile __u32 stride_ahead = 4;
#define STRIDE_AHEAD_MAX	16
#define STRIDE_MAX	(64 * GMEM_PAGE_SIZE)

struct stride_state {
	__u64 last_va;
	__s64 stride;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);	/* gmem_as_info.id */
	__type(value, struct stride_state);
} strides SEC(".maps");

static __always_inline int stride_do_prefetch(struct gmem_prefetch_ctx *req)
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
	/* The verifier sees stride_ahead's value; the bound is for others. */
	for (i = 1; i <= STRIDE_AHEAD_MAX && i <= stride_ahead; i++) {
		__u64 next = va + i * stride;

		if (next < req->vma_start || next >= req->vma_end)
			break;
		gmem_prefetch_range(req, next, 1);
	}
	return 0;
}

static __always_inline void stride_do_exit(struct gmem_as_info *as)
{
	__u64 as_id = as->id;

	bpf_map_delete_elem(&strides, &as_id);
}

#endif /* GMEM_LIB_STRIDE_H */
