// SPDX-License-Identifier: GPL-2.0
/*
 * No prefetch, LRU eviction by the kernel: the default's behaviour with a
 * BPF prefetch hook that decides nothing, so the cost of calling a hook
 * on every fault can be measured against the built-in default.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(none_prefetch, struct gmem_prefetch_ctx *req)
{
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops none = {
	.prefetch = (void *)none_prefetch,
	.name = "none",
};
