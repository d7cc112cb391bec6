// SPDX-License-Identifier: GPL-2.0
/* FIFO eviction: pages leave in the order they arrived; later uses do not count. */
#define GMEM_FRAME_LIST
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/fifo_page_added")
void BPF_PROG(fifo_page_added, struct gmem_page *page)
{
	gmem_list_add(page->dev, gmem_slot(page->dev, page->frame), false);
}

SEC("struct_ops/fifo_page_removed")
void BPF_PROG(fifo_page_removed, struct gmem_page *page)
{
	gmem_list_del(gmem_slot(page->dev, page->frame));
}

SEC("struct_ops/fifo_evict")
int BPF_PROG(fifo_evict, struct gmem_evict_ctx *req)
{
	gmem_list_evict(req, false, 0);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops fifo = {
	.page_added = (void *)fifo_page_added,
	.page_removed = (void *)fifo_page_removed,
	.evict = (void *)fifo_evict,
	.name = "fifo",
};
