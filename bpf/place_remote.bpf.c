// SPDX-License-Identifier: GPL-2.0
/*
 * Never migrate on a device fault: every page a device wants is mapped
 * from host memory and reached over the link (pages on another device come
 * back to host memory first), and access counter reports never move it.
 * Pages still reach a device by hmadvise(MADV_PREFETCH). The opposite of
 * the default without hints; for a device reading a large table once.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(remote_place, struct gmem_place_ctx *req)
{
	return GMEM_PLACE_REMOTE;
}

SEC(".struct_ops")
struct gmem_policy_ops place_remote = {
	.place = (void *)remote_place,
	.name = "place_remote",
};
