// SPDX-License-Identifier: GPL-2.0
/*
 * Built to misbehave: spins in evict and prefetch as long as the verifier
 * lets it (bpf_loop's 8M iterations). Slow, never wrong; ejected for
 * running past watchdog_ms.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

static int spin_step(__u32 i, void *data)
{
	__u64 *acc = data;

	*acc = *acc * 31 + i;
	return 0;
}

static __always_inline int spin(void)
{
	__u64 acc = 0;

	bpf_loop(1 << 23, spin_step, &acc, 0);
	return acc == 42;	/* never: keeps the loop */
}

int BPF_STRUCT_OPS(bad_spin_evict, struct gmem_evict_ctx *req)
{
	return spin();
}

int BPF_STRUCT_OPS(bad_spin_prefetch, struct gmem_prefetch_ctx *req)
{
	return spin();
}

SEC(".struct_ops")
struct gmem_policy_ops bad_spin = {
	.evict = (void *)bad_spin_evict,
	.prefetch = (void *)bad_spin_prefetch,
	.name = "bad_spin",
};
