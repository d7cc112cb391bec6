// SPDX-License-Identifier: GPL-2.0
/*
 * LRU eviction that gives meaning to two policy hints:
 *   hmadvise(hnid, addr, len, GMEM_HINT_STREAMING)  (MADV_POLICY_HINT_FIRST)
 *	data read once: its pages are evicted first, protected from
 *	thrashing or not (a stream larger than the device comes back
 *	soon, and that protection would keep it at the expense of the rest);
 *   hmadvise(hnid, addr, len, GMEM_HINT_HOT)  (MADV_POLICY_HINT_FIRST + 1)
 *	keep it: its pages are evicted last (only when GMEM's default fills
 *	what this policy leaves short).
 * A hint applies to pages as they arrive on a device; hints_seen counts
 * the hmadvise() calls the policy was told of: [0] cleared, [1 + n] hint
 * MADV_POLICY_HINT_FIRST + n.
 */
#include "lib/frame_list.h"

char LICENSE[] SEC("license") = "GPL";

#define HINT_SLOT(h)	((h) - MADV_POLICY_HINT_FIRST + 1)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 257);	/* 0: cleared, then each hint */
	__type(key, __u32);
	__type(value, __u64);
} hints_seen SEC(".maps");

static __always_inline void hints_track(struct gmem_page *page)
{
	__u32 slot = gmem_slot(page->dev, page->frame);
	struct gmem_node *n;

	gmem_list_add(page->dev, slot, page->hint == GMEM_HINT_STREAMING);
	n = gmem_node(slot);
	if (n)
		n->hint = page->hint ? HINT_SLOT(page->hint) : 0;
}

void BPF_STRUCT_OPS(hints_page_added, struct gmem_page *page)
{
	hints_track(page);
}

void BPF_STRUCT_OPS(hints_page_accessed, struct gmem_page *page)
{
	hints_track(page);
}

void BPF_STRUCT_OPS(hints_page_removed, struct gmem_page *page)
{
	gmem_list_del_page(page);
}

int BPF_STRUCT_OPS(hints_evict, struct gmem_evict_ctx *req)
{
	gmem_list_evict_hinted(req, false, HINT_SLOT(GMEM_HINT_HOT),
			       HINT_SLOT(GMEM_HINT_STREAMING));
	return 0;
}

int BPF_STRUCT_OPS(hints_hmadvise, struct gmem_hint_ctx *req)
{
	__u32 key = req->hint ? HINT_SLOT(req->hint) : 0;
	__u64 *seen = bpf_map_lookup_elem(&hints_seen, &key);

	if (seen)
		__sync_fetch_and_add(seen, 1);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops hints = {
	.page_added = (void *)hints_page_added,
	.page_accessed = (void *)hints_page_accessed,
	.page_removed = (void *)hints_page_removed,
	.evict = (void *)hints_evict,
	.hmadvise = (void *)hints_hmadvise,
	.name = "hints",
};
