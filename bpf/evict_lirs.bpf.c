// SPDX-License-Identifier: GPL-2.0
/*
 * LIRS eviction (bpf/lib/lirs.h): pages used twice within a short
 * distance stay; the others pass through a small FIFO, as ghosts after.
 */
#include "lib/lirs.h"

char LICENSE[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(lirs_page_added, struct gmem_page *page)
{
	lirs_do_page_added(page);
}

void BPF_STRUCT_OPS(lirs_page_accessed, struct gmem_page *page)
{
	lirs_do_page_accessed(page);
}

void BPF_STRUCT_OPS(lirs_page_removed, struct gmem_page *page)
{
	lirs_do_page_removed(page);
}

int BPF_STRUCT_OPS(lirs_evict, struct gmem_evict_ctx *req)
{
	lirs_do_evict(req);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops lirs = {
	.page_added = (void *)lirs_page_added,
	.page_accessed = (void *)lirs_page_accessed,
	.page_removed = (void *)lirs_page_removed,
	.evict = (void *)lirs_evict,
	.name = "lirs",
};
