// SPDX-License-Identifier: GPL-2.0
/* Density (tree) prefetch (bpf/lib/tree.h), the kernel's LRU evicting. */
#include "lib/tree.h"

char LICENSE[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(tree_page_added, struct gmem_page *page)
{
	tree_mark(page, true);
}

void BPF_STRUCT_OPS(tree_page_removed, struct gmem_page *page)
{
	tree_mark(page, false);
}

int BPF_STRUCT_OPS(tree_prefetch, struct gmem_prefetch_ctx *req)
{
	return tree_do_prefetch(req);
}

SEC(".struct_ops")
struct gmem_policy_ops tree = {
	.page_added = (void *)tree_page_added,
	.page_removed = (void *)tree_page_removed,
	.prefetch = (void *)tree_prefetch,
	.name = "tree",
};
