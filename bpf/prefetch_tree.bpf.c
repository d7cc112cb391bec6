// SPDX-License-Identifier: GPL-2.0
/* Density (tree) prefetch (bpf/lib/tree.h), the kernel's LRU evicting. */
#include "lib/tree.h"

char LICENSE[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(tree_page_added, struct gmem_page *page)
{
	tree_do_page_added(page);
}

void BPF_STRUCT_OPS(tree_page_removed, struct gmem_page *page)
{
	tree_do_page_removed(page);
}

int BPF_STRUCT_OPS(tree_prefetch, struct gmem_prefetch_ctx *req)
{
	return tree_do_prefetch(req);
}

void BPF_STRUCT_OPS(tree_exit, struct gmem_as_info *as)
{
	tree_do_exit(as);
}

SEC(".struct_ops")
struct gmem_policy_ops tree = {
	.page_added = (void *)tree_page_added,
	.page_removed = (void *)tree_page_removed,
	.prefetch = (void *)tree_prefetch,
	.exit = (void *)tree_exit,
	.name = "tree",
};
