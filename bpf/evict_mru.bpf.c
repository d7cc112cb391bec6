// SPDX-License-Identifier: GPL-2.0
/*
 * MRU eviction: the most recently faulted page goes first. Wrong for most
 * programs, right for cyclic scans a little larger than the device, where
 * LRU evicts every page just before it is needed again.
 */
#define GMEM_FRAME_LIST
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/mru_page_added")
void BPF_PROG(mru_page_added, struct gmem_page *page)
{
	gmem_list_add(page->dev, gmem_slot(page->dev, page->frame), false);
}

SEC("struct_ops/mru_page_accessed")
void BPF_PROG(mru_page_accessed, struct gmem_page *page)
{
	gmem_list_add(page->dev, gmem_slot(page->dev, page->frame), false);
}

SEC("struct_ops/mru_page_removed")
void BPF_PROG(mru_page_removed, struct gmem_page *page)
{
	gmem_list_del(gmem_slot(page->dev, page->frame));
}

SEC("struct_ops/mru_evict")
int BPF_PROG(mru_evict, struct gmem_evict_ctx *req)
{
	gmem_list_evict(req, true, 0);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops mru = {
	.page_added = (void *)mru_page_added,
	.page_accessed = (void *)mru_page_accessed,
	.page_removed = (void *)mru_page_removed,
	.evict = (void *)mru_evict,
	.name = "mru",
};
