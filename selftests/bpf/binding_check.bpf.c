// SPDX-License-Identifier: GPL-2.0
/*
 * Checks that init() and exit() alternate for each address space, however
 * fast the policy is swapped in and out: init() of an address space it is
 * already bound to, or exit() of one it is not, is counted (in .bss).
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);		/* gmem_as_info.id */
	__type(value, __u8);
} bound SEC(".maps");

__u64 inits, exits, double_inits, stray_exits;

int BPF_STRUCT_OPS(bindchk_init, struct gmem_as_info *as)
{
	__u64 id = as->id;
	__u8 one = 1;

	__sync_fetch_and_add(&inits, 1);
	if (bpf_map_update_elem(&bound, &id, &one, BPF_NOEXIST))
		__sync_fetch_and_add(&double_inits, 1);
	return 0;
}

void BPF_STRUCT_OPS(bindchk_exit, struct gmem_as_info *as)
{
	__u64 id = as->id;

	__sync_fetch_and_add(&exits, 1);
	if (bpf_map_delete_elem(&bound, &id))
		__sync_fetch_and_add(&stray_exits, 1);
}

SEC(".struct_ops")
struct gmem_policy_ops bindchk = {
	.init = (void *)bindchk_init,
	.exit = (void *)bindchk_exit,
	.name = "bindchk",
};
