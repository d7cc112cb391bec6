// SPDX-License-Identifier: GPL-2.0
/*
 * MRU eviction: the most recently faulted page goes first. Wrong for most
 * programs, right for cyclic scans a little larger than the device, where
 * LRU evicts every page just before it is needed again.
 */
#include "lib/frame_list.h"

char LICENSE[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(mru_page_added, struct gmem_page *page)
{
	gmem_list_add_page(page);
}

void BPF_STRUCT_OPS(mru_page_accessed, struct gmem_page *page)
{
	gmem_list_add_page(page);
}

void BPF_STRUCT_OPS(mru_page_removed, struct gmem_page *page)
{
	gmem_list_del_page(page);
}

int BPF_STRUCT_OPS(mru_evict, struct gmem_evict_ctx *req)
{
	gmem_list_evict(req, true);
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
