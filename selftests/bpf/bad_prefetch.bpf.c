// SPDX-License-Identifier: GPL-2.0
/*
 * Built to misbehave: prefetches outside the faulting mapping, with
 * overflowing and zero lengths, and beyond the per-fault budget. GMEM
 * clamps or refuses each; the refusals get it ejected.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(bad_prefetch_prefetch, struct gmem_prefetch_ctx *req)
{
	gmem_prefetch_range(req, req->vma_end, 16);		/* -ERANGE */
	gmem_prefetch_range(req, 0, 1);				/* -ERANGE */
	gmem_prefetch_range(req, req->va, 0);			/* -EINVAL */
	gmem_prefetch_range(req, req->va, ~0ULL >> 12);		/* -EINVAL */
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops bad_prefetch = {
	.prefetch = (void *)bad_prefetch_prefetch,
	.name = "bad_prefetch",
};
