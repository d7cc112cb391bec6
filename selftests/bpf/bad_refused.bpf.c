// SPDX-License-Identifier: GPL-2.0
/*
 * Built to misbehave at one hook: every eviction round nominates only
 * frames past the device, so the default takes victims in its place, and
 * their page_removed() comes here without fault. Its prefetches are good
 * ones (the first page of the mapping). Neither the page events nor the
 * prefetches may clear the strikes the rounds earn: the watchdog must
 * eject the policy.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

__u64 events;

int BPF_STRUCT_OPS(bad_refused_evict, struct gmem_evict_ctx *req)
{
	gmem_evict_frame(req, req->nr_frames);
	gmem_evict_frame(req, 0xffffffff);
	return 0;
}

int BPF_STRUCT_OPS(bad_refused_prefetch, struct gmem_prefetch_ctx *req)
{
	gmem_prefetch_range(req, req->vma_start, 1);
	return 0;
}

void BPF_STRUCT_OPS(bad_refused_page_added, struct gmem_page *page)
{
	__sync_fetch_and_add(&events, 1);
}

void BPF_STRUCT_OPS(bad_refused_page_removed, struct gmem_page *page)
{
	__sync_fetch_and_add(&events, 1);
}

SEC(".struct_ops")
struct gmem_policy_ops bad_refused = {
	.evict = (void *)bad_refused_evict,
	.prefetch = (void *)bad_refused_prefetch,
	.page_added = (void *)bad_refused_page_added,
	.page_removed = (void *)bad_refused_page_removed,
	.name = "bad_refused",
};
