// SPDX-License-Identifier: GPL-2.0
/*
 * LRU eviction in BPF: the least recently used page goes first, "used"
 * being a fault or a use the device reported (page_accessed). The same
 * order as the built-in default, kept by the policy itself, so the two
 * can be compared (make bench: BPF against C).
 */
#include "lib/frame_list.h"

char LICENSE[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(lru_page_added, struct gmem_page *page)
{
	gmem_list_add_page(page);
}

void BPF_STRUCT_OPS(lru_page_accessed, struct gmem_page *page)
{
	gmem_list_add_page(page);
}

void BPF_STRUCT_OPS(lru_page_removed, struct gmem_page *page)
{
	gmem_list_del_page(page);
}

int BPF_STRUCT_OPS(lru_evict, struct gmem_evict_ctx *req)
{
	gmem_list_evict(req, false);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops lru = {
	.page_added = (void *)lru_page_added,
	.page_accessed = (void *)lru_page_accessed,
	.page_removed = (void *)lru_page_removed,
	.evict = (void *)lru_evict,
	.name = "lru",
};
