// SPDX-License-Identifier: GPL-2.0
/* CLOCK (second chance) eviction (bpf/lib/clock.h). */
#include "lib/clock.h"

char LICENSE[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(clock_page_added, struct gmem_page *page)
{
	clock_do_page_added(page);
}

void BPF_STRUCT_OPS(clock_page_accessed, struct gmem_page *page)
{
	clock_do_page_accessed(page);
}

void BPF_STRUCT_OPS(clock_page_removed, struct gmem_page *page)
{
	gmem_list_del_page(page);
}

int BPF_STRUCT_OPS(clock_evict, struct gmem_evict_ctx *req)
{
	clock_do_evict(req);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops clock = {
	.page_added = (void *)clock_page_added,
	.page_accessed = (void *)clock_page_accessed,
	.page_removed = (void *)clock_page_removed,
	.evict = (void *)clock_evict,
	.name = "clock",
};
