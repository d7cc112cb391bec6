// SPDX-License-Identifier: GPL-2.0
/* Built to misbehave: every hook fails. The watchdog must eject it. */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/bad_errors_init")
int BPF_PROG(bad_errors_init, struct gmem_as_info *as)
{
	return -22;
}

SEC("struct_ops/bad_errors_prefetch")
int BPF_PROG(bad_errors_prefetch, struct gmem_prefetch_ctx *req)
{
	return -22;
}

SEC("struct_ops/bad_errors_evict")
int BPF_PROG(bad_errors_evict, struct gmem_evict_ctx *req)
{
	return -22;
}

SEC("struct_ops/bad_errors_hmadvise")
int BPF_PROG(bad_errors_hmadvise, struct gmem_hint_ctx *req)
{
	return -22;
}

SEC(".struct_ops")
struct gmem_policy_ops bad_errors = {
	.init = (void *)bad_errors_init,
	.prefetch = (void *)bad_errors_prefetch,
	.evict = (void *)bad_errors_evict,
	.hmadvise = (void *)bad_errors_hmadvise,
	.name = "bad_errors",
};
