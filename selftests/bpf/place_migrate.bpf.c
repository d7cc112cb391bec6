// SPDX-License-Identifier: GPL-2.0
/*
 * Always migrate, whatever the range's hints say: the opposite of
 * place_remote, so a test can tell the hook's answer from the hints'.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(migrate_place, struct gmem_place_ctx *req)
{
	return GMEM_PLACE_MIGRATE;
}

SEC(".struct_ops")
struct gmem_policy_ops place_migrate = {
	.place = (void *)migrate_place,
	.name = "place_migrate",
};
