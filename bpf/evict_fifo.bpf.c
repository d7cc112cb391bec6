// SPDX-License-Identifier: GPL-2.0
/* FIFO eviction: pages leave in the order they arrived; later uses do not count. */
#include "lib/frame_list.h"

char LICENSE[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(fifo_page_added, struct gmem_page *page)
{
	gmem_list_add_page(page);
}

void BPF_STRUCT_OPS(fifo_page_removed, struct gmem_page *page)
{
	gmem_list_del_page(page);
}

int BPF_STRUCT_OPS(fifo_evict, struct gmem_evict_ctx *req)
{
	gmem_list_evict(req, false);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops fifo = {
	.page_added = (void *)fifo_page_added,
	.page_removed = (void *)fifo_page_removed,
	.evict = (void *)fifo_evict,
	.name = "fifo",
};
