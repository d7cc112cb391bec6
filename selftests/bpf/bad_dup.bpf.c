// SPDX-License-Identifier: GPL-2.0
/*
 * Nominates every victim twice: the oldest resident frames it finds, each
 * a second time right after. GMEM takes the first, refuses the second
 * (-EBUSY); with valid decisions among them the policy is not ejected.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(bad_dup_evict, struct gmem_evict_ctx *req)
{
	__u32 i, nr = req->nr_frames;

	for (i = 0; i < 256 && i < nr; i++) {
		if (req->nominated >= req->wanted)
			break;
		if (!(gmem_frame_state(req, i) & GMEM_FRAME_RESIDENT))
			continue;
		if (!gmem_evict_frame(req, i))
			gmem_evict_frame(req, i);	/* refused: -EBUSY */
	}
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops bad_dup = {
	.evict = (void *)bad_dup_evict,
	.name = "bad_dup",
};
