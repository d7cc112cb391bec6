// SPDX-License-Identifier: GPL-2.0
/*
 * A policy without a name: the kernel refuses to register it (-EINVAL),
 * and gmemctl load must say so (selftests/policy.bats).
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(noname_evict, struct gmem_evict_ctx *req)
{
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops noname = {
	.evict = (void *)noname_evict,
};
