// SPDX-License-Identifier: GPL-2.0
/* Stride prefetch (bpf/lib/stride.h), the kernel's LRU evicting. */
#include "lib/stride.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(stride_prefetch, struct gmem_prefetch_ctx *req)
{
	return stride_do_prefetch(req);
}

void BPF_STRUCT_OPS(stride_exit, struct gmem_as_info *as)
{
	stride_do_exit(as);
}

SEC(".struct_ops")
struct gmem_policy_ops stride = {
	.prefetch = (void *)stride_prefetch,
	.exit = (void *)stride_exit,
	.name = "stride",
};
