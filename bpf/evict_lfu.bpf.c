// SPDX-License-Identifier: GPL-2.0
/* LFU eviction (bpf/lib/lfu.h): the fewest uses since arrival go first. */
#include "lib/lfu.h"

char LICENSE[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(lfu_page_added, struct gmem_page *page)
{
	lfu_do_page_added(page);
}

void BPF_STRUCT_OPS(lfu_page_accessed, struct gmem_page *page)
{
	lfu_do_page_accessed(page);
}

void BPF_STRUCT_OPS(lfu_page_removed, struct gmem_page *page)
{
	gmem_list_del_page(page);
}

int BPF_STRUCT_OPS(lfu_evict, struct gmem_evict_ctx *req)
{
	lfu_do_evict(req);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops lfu = {
	.page_added = (void *)lfu_page_added,
	.page_accessed = (void *)lfu_page_accessed,
	.page_removed = (void *)lfu_page_removed,
	.evict = (void *)lfu_evict,
	.name = "lfu",
};
