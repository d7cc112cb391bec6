// SPDX-License-Identifier: GPL-2.0
/*
 * peek: asks gmem_frame_take_referenced() about every frame of the full
 * device, its own pages' and other address spaces'. It nominates nothing
 * (the default takes the victims). In .bss: the answers of 1 for frames
 * whose page events came here (own_taken) and for resident frames whose
 * events go to another policy (foreign_taken, which GMEM must keep at 0:
 * those reports are the other policy's), and how many such foreign
 * frames it looked at (foreign_seen).
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

#define PEEK_FRAMES	4096	/* gmem_sim mem_mb=16 */

__u64 own_taken, foreign_taken, foreign_seen;

/* Frames of device 0 whose page is this policy's: 1. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PEEK_FRAMES);
	__type(key, __u32);
	__type(value, __u8);
} owned SEC(".maps");

static void peek_mark(struct gmem_page *page, __u8 own)
{
	__u32 frame = page->frame;
	__u8 *o;

	if (page->dev)
		return;
	o = bpf_map_lookup_elem(&owned, &frame);
	if (o)
		*o = own;
}

void BPF_STRUCT_OPS(peek_page_added, struct gmem_page *page)
{
	peek_mark(page, 1);
}

void BPF_STRUCT_OPS(peek_page_removed, struct gmem_page *page)
{
	peek_mark(page, 0);
}

static int peek_frame(__u32 i, void *data)
{
	struct gmem_evict_ctx *req = *(struct gmem_evict_ctx **)data;
	__u8 *o = bpf_map_lookup_elem(&owned, &i);

	if (!o)
		return 1;
	if (*o) {
		own_taken += gmem_frame_take_referenced(req, i);
		return 0;
	}
	if (!(gmem_frame_state(req, i) & GMEM_FRAME_RESIDENT))
		return 0;
	foreign_seen++;
	foreign_taken += gmem_frame_take_referenced(req, i);
	return 0;
}

int BPF_STRUCT_OPS(peek_evict, struct gmem_evict_ctx *req)
{
	if (req->dev)
		return 0;
	bpf_loop(req->nr_frames < PEEK_FRAMES ? req->nr_frames : PEEK_FRAMES,
		 peek_frame, &req, 0);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops peek = {
	.evict = (void *)peek_evict,
	.page_added = (void *)peek_page_added,
	.page_removed = (void *)peek_page_removed,
	.name = "peek",
};
