// SPDX-License-Identifier: GPL-2.0
/*
 * example: the policy of docs/writing-a-policy.md. After a device fault,
 * prefetch the 8 pages that follow it; when a device is full, evict its
 * pages in the order they arrived (FIFO), kept in bpf/lib's frame list.
 */
#include "lib/frame_list.h"	/* gmem_policy.h and the per-device frame list */

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(example_prefetch, struct gmem_prefetch_ctx *req)
{
	/* GMEM clamps the range to the fault's mapping and budget. */
	if (req->va + GMEM_PAGE_SIZE < req->vma_end)
		gmem_prefetch_range(req, req->va + GMEM_PAGE_SIZE, 8);
	return 0;
}

void BPF_STRUCT_OPS(example_page_added, struct gmem_page *page)
{
	gmem_list_add(page->dev, gmem_slot(page->dev, page->frame), false);
}

void BPF_STRUCT_OPS(example_page_removed, struct gmem_page *page)
{
	gmem_list_del(gmem_slot(page->dev, page->frame));
}

int BPF_STRUCT_OPS(example_evict, struct gmem_evict_ctx *req)
{
	gmem_list_evict(req, false);		/* oldest first */
	bpf_printk("example: dev %u evicts %u of %u", req->dev, req->nominated,
		   req->wanted);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops example = {
	.prefetch = (void *)example_prefetch,
	.evict = (void *)example_evict,
	.page_added = (void *)example_page_added,
	.page_removed = (void *)example_page_removed,
	.name = "example",
};
