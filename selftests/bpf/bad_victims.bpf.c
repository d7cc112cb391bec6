// SPDX-License-Identifier: GPL-2.0
/*
 * Built to misbehave: nominates only victims GMEM must refuse: frame
 * numbers past the device, the same frame twice, free frames. The data
 * must stay intact and the watchdog must eject it.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(bad_victims_evict, struct gmem_evict_ctx *req)
{
	__u32 i, nr = req->nr_frames;

	gmem_evict_frame(req, nr);
	gmem_evict_frame(req, nr + 12345);
	gmem_evict_frame(req, 0xffffffff);
	/* A frame twice: if the first is taken, the second is refused. */
	for (i = 0; i < 64 && i < nr; i++) {
		if (gmem_frame_state(req, i) & GMEM_FRAME_RESIDENT)
			continue;
		/* Free or busy: refused. */
		gmem_evict_frame(req, i);
	}
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops bad_victims = {
	.evict = (void *)bad_victims_evict,
	.name = "bad_victims",
};
