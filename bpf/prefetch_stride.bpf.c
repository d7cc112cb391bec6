// SPDX-License-Identifier: GPL-2.0
/* Stride prefetch (bpf/lib/stride.h), the kernel's LRU evicting. */
#include "lib/stride.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(stride_prefetch, struct gmem_prefetch_ctx *req)
{
	return stride_do_prefetch(req);
}

void BPF_STRUCT_OPS(stride_page_removed, struct gmem_page *page)
{
	stride_do_page_removed(page);
}

void BPF_STRUCT_OPS(stride_exit, struct gmem_as_info *as)
{
	stride_do_exit(as);
}

SEC(".struct_ops")
struct gmem_policy_ops stride = {
	.prefetch = (void *)stride_prefetch,
	.page_removed = (void *)stride_page_removed,
	.exit = (void *)stride_exit,
	.name = "stride",
};
