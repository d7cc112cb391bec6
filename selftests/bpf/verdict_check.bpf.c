// SPDX-License-Identifier: GPL-2.0
/*
 * vchk: gmem_prefetch_verdicts() on a sequential read whose accesses are
 * known. The first fault (page 0 of the mapping) prefetches pages 1-8,
 * which the device reads next, and the mapping's last 4 pages, which it
 * reads only at the end; the second fault (page 9) takes the verdicts of
 * both ranges, then asks again. In .bss: the first answer's used and
 * unused pages, the second answer (nothing left to judge: 0), and the
 * pages that left the device with GMEM_PAGE_JUDGED.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

#define NEAR_PAGES	8
#define FAR_PAGES	4

__u64 faults, near_start, far_start;
__u64 used, unused, again, judged_removed;

int BPF_STRUCT_OPS(vchk_prefetch, struct gmem_prefetch_ctx *req)
{
	__u64 fault = __sync_fetch_and_add(&faults, 1), v;

	if (fault == 0) {
		near_start = req->va + GMEM_PAGE_SIZE;
		far_start = req->vma_end - FAR_PAGES * GMEM_PAGE_SIZE;
		gmem_prefetch_range(req, near_start, NEAR_PAGES);
		gmem_prefetch_range(req, far_start, FAR_PAGES);
	} else if (fault == 1) {
		v = gmem_prefetch_verdicts(req, near_start, NEAR_PAGES) +
		    gmem_prefetch_verdicts(req, far_start, FAR_PAGES);
		used = v >> 32;
		unused = (__u32)v;
		again = gmem_prefetch_verdicts(req, near_start, NEAR_PAGES) +
			gmem_prefetch_verdicts(req, far_start, FAR_PAGES);
	}
	return 0;
}

void BPF_STRUCT_OPS(vchk_page_removed, struct gmem_page *page)
{
	if (page->flags & GMEM_PAGE_JUDGED)
		__sync_fetch_and_add(&judged_removed, 1);
}

SEC(".struct_ops")
struct gmem_policy_ops vchk = {
	.prefetch = (void *)vchk_prefetch,
	.page_removed = (void *)vchk_page_removed,
	.name = "vchk",
};
