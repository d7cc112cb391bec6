// SPDX-License-Identifier: GPL-2.0
/*
 * Built to misbehave: every hook fails. The watchdog must eject it, and
 * still call exit() once for each init() (inits and exits, in .bss).
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

__u64 inits, exits;

int BPF_STRUCT_OPS(bad_errors_init, struct gmem_as_info *as)
{
	__sync_fetch_and_add(&inits, 1);
	return -22;
}

void BPF_STRUCT_OPS(bad_errors_exit, struct gmem_as_info *as)
{
	__sync_fetch_and_add(&exits, 1);
}

int BPF_STRUCT_OPS(bad_errors_prefetch, struct gmem_prefetch_ctx *req)
{
	return -22;
}

int BPF_STRUCT_OPS(bad_errors_evict, struct gmem_evict_ctx *req)
{
	return -22;
}

int BPF_STRUCT_OPS(bad_errors_hmadvise, struct gmem_hint_ctx *req)
{
	return -22;
}

SEC(".struct_ops")
struct gmem_policy_ops bad_errors = {
	.init = (void *)bad_errors_init,
	.exit = (void *)bad_errors_exit,
	.prefetch = (void *)bad_errors_prefetch,
	.evict = (void *)bad_errors_evict,
	.hmadvise = (void *)bad_errors_hmadvise,
	.name = "bad_errors",
};
