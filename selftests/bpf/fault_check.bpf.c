// SPDX-License-Identifier: GPL-2.0
/*
 * Two policies, fchk_a and fchk_b, that check a device fault is decided by
 * one of them from start to end however fast they are swapped: place() is
 * where a fault of a page not on the device begins, and each later evict()
 * and prefetch() of the same task must come from the policy whose place()
 * began it. prefetch() ends a fault: a fault of a page already on the
 * device has no place(), and must not be judged by the one before.
 * Counted in .bss: faults begun, later hooks that agree, and those that do
 * not (mixed).
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);		/* the task */
	__type(value, __u32);		/* the policy its fault began with */
} fault_policy SEC(".maps");

__u64 begun, agreed, mixed;

static void begin(__u32 policy)
{
	__u64 task = bpf_get_current_task();

	bpf_map_update_elem(&fault_policy, &task, &policy, BPF_ANY);
	__sync_fetch_and_add(&begun, 1);
}

static void check(__u32 policy, bool end)
{
	__u64 task = bpf_get_current_task();
	__u32 *began = bpf_map_lookup_elem(&fault_policy, &task);

	if (!began)
		return;
	if (*began == policy)
		__sync_fetch_and_add(&agreed, 1);
	else
		__sync_fetch_and_add(&mixed, 1);
	if (end)
		bpf_map_delete_elem(&fault_policy, &task);
}

int BPF_STRUCT_OPS(fchk_a_place, struct gmem_place_ctx *req)
{
	begin(1);
	return GMEM_PLACE_MIGRATE;
}

int BPF_STRUCT_OPS(fchk_a_evict, struct gmem_evict_ctx *req)
{
	check(1, false);
	return 0;	/* the default fills in */
}

int BPF_STRUCT_OPS(fchk_a_prefetch, struct gmem_prefetch_ctx *req)
{
	check(1, true);
	return 0;
}

int BPF_STRUCT_OPS(fchk_b_place, struct gmem_place_ctx *req)
{
	begin(2);
	return GMEM_PLACE_MIGRATE;
}

int BPF_STRUCT_OPS(fchk_b_evict, struct gmem_evict_ctx *req)
{
	check(2, false);
	return 0;
}

int BPF_STRUCT_OPS(fchk_b_prefetch, struct gmem_prefetch_ctx *req)
{
	check(2, true);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops fchk_a = {
	.place = (void *)fchk_a_place,
	.evict = (void *)fchk_a_evict,
	.prefetch = (void *)fchk_a_prefetch,
	.name = "fchk_a",
};

SEC(".struct_ops")
struct gmem_policy_ops fchk_b = {
	.place = (void *)fchk_b_place,
	.evict = (void *)fchk_b_evict,
	.prefetch = (void *)fchk_b_prefetch,
	.name = "fchk_b",
};
