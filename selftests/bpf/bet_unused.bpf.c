// SPDX-License-Identifier: GPL-2.0
/*
 * bet_unused: at every fault, bets on the last 16 pages of the mapping,
 * which a scan of it reads only at its end. On a mapping several times
 * the device, the bet leaves unused and comes back at the next fault
 * after, again and again. Counted in .bss: the bet's pages arriving
 * (arrivals) and those of them that arrive flagged thrashing
 * (thrashing_arrivals). A page that left unused did not bounce: the
 * device never needed it, and it must not be judged thrashing for it.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

#define BET_PAGES	16

__u64 arrivals, thrashing_arrivals;

int BPF_STRUCT_OPS(bet_unused_prefetch, struct gmem_prefetch_ctx *req)
{
	gmem_prefetch_range(req, req->vma_end - BET_PAGES * GMEM_PAGE_SIZE,
			    BET_PAGES);
	return 0;
}

void BPF_STRUCT_OPS(bet_unused_page_added, struct gmem_page *page)
{
	if (!(page->flags & GMEM_PAGE_PREFETCHED))
		return;
	__sync_fetch_and_add(&arrivals, 1);
	if (page->flags & GMEM_PAGE_THRASHING)
		__sync_fetch_and_add(&thrashing_arrivals, 1);
}

SEC(".struct_ops")
struct gmem_policy_ops bet_unused = {
	.prefetch = (void *)bet_unused_prefetch,
	.page_added = (void *)bet_unused_page_added,
	.name = "bet_unused",
};
