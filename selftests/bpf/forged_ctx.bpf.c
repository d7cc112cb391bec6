// SPDX-License-Identifier: GPL-2.0
/*
 * Built to be refused: passes a gmem_evict_ctx of its own making, on its
 * stack, to a kfunc that trusts the one GMEM handed to the hook. The
 * verifier must reject it at load time.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(forged_prefetch, struct gmem_prefetch_ctx *req)
{
	struct gmem_evict_ctx fake = { .wanted = 16 };

	return gmem_evict_frame(&fake, 0);
}

SEC(".struct_ops")
struct gmem_policy_ops forged = {
	.prefetch = (void *)forged_prefetch,
	.name = "forged",
};
