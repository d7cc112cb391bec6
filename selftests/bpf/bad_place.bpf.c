// SPDX-License-Identifier: GPL-2.0
/*
 * Built to misbehave: answers the place hook with values that are no
 * placement. GMEM must count each as refused, decide by the default
 * (the range's hints) instead, and eject the policy once it keeps on.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(bad_place, struct gmem_place_ctx *req)
{
	return req->flags & GMEM_PLACE_COUNTER ? -1 : 7;
}

SEC(".struct_ops")
struct gmem_policy_ops bad_place_ops = {
	.place = (void *)bad_place,
	.name = "bad_place",
};
