// SPDX-License-Identifier: GPL-2.0
/*
 * Asks for more than it may on every fault: 8 pages straddling the start
 * of the mapping, then 100000 pages from the fault on. GMEM clamps the
 * first to the mapping and the second to what is left of the 512-page
 * budget; the policy is not ejected for that.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(big_prefetch_prefetch, struct gmem_prefetch_ctx *req)
{
	gmem_prefetch_range(req, req->vma_start - 4 * GMEM_PAGE_SIZE, 8);
	gmem_prefetch_range(req, req->va, 100000);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops big_prefetch = {
	.prefetch = (void *)big_prefetch_prefetch,
	.name = "big_prefetch",
};
