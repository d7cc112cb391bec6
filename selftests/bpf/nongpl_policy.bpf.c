// SPDX-License-Identifier: GPL-2.0
/*
 * A policy object whose license section is not GPL-compatible: gmemctl
 * load must refuse it (selftests/policy.bats). The program itself is fine.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "Proprietary";

int BPF_STRUCT_OPS(nongpl_evict, struct gmem_evict_ctx *req)
{
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops nongpl = {
	.evict = (void *)nongpl_evict,
	.name = "nongpl",
};
