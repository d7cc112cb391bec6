// SPDX-License-Identifier: GPL-2.0
/*
 * Decides nothing: evict nominates no victim, prefetch proposes nothing.
 * Legal: GMEM's default fills every eviction (the "filled" counter) and
 * the policy is not ejected.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(bad_idle_evict, struct gmem_evict_ctx *req)
{
	return 0;
}

int BPF_STRUCT_OPS(bad_idle_prefetch, struct gmem_prefetch_ctx *req)
{
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops bad_idle = {
	.evict = (void *)bad_idle_evict,
	.prefetch = (void *)bad_idle_prefetch,
	.name = "bad_idle",
};
