// SPDX-License-Identifier: GPL-2.0
/*
 * CLOCK (second chance): the hand sweeps frames oldest first; a page used
 * since the last sweep (re-faulted, or reported by the device) loses its
 * reference bit and goes round again, an unreferenced one is the victim.
 */
#define GMEM_FRAME_LIST
#include "gmem_policy.h"

static __always_inline void clock_do_page_accessed(struct gmem_page *page)
{
	struct gmem_node *n = gmem_node(gmem_slot(page->dev, page->frame));

	if (n)
		n->referenced = 1;
}

static __always_inline void clock_do_evict(struct gmem_evict_ctx *req)
{
	__u32 dev = req->dev, h = GMEM_SLOTS + dev, cur, next;
	struct gmem_node *head = gmem_list_head(dev), *n;
	int i;

	if (!head)
		return;
	cur = head->next;
	for (i = 0; i < GMEM_EVICT_SCAN; i++) {
		if (cur == h || req->nominated >= req->wanted)
			break;
		n = gmem_node(cur);
		if (!n)
			break;
		next = n->next;
		if (n->referenced) {
			n->referenced = 0;
			gmem_list_add(dev, cur, false);	/* behind the hand */
		} else {
			gmem_evict_frame(req, cur - dev * GMEM_MAX_FRAMES);
		}
		cur = next;
	}
}

/* bench/bpf/combo.bpf.c includes this file for the functions above. */
#ifndef GMEM_POLICY_PART
char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/clock_page_added")
void BPF_PROG(clock_page_added, struct gmem_page *page)
{
	__u32 slot = gmem_slot(page->dev, page->frame);
	struct gmem_node *n;

	gmem_list_add(page->dev, slot, false);
	n = gmem_node(slot);
	if (n)
		n->referenced = 0;
}

SEC("struct_ops/clock_page_accessed")
void BPF_PROG(clock_page_accessed, struct gmem_page *page)
{
	clock_do_page_accessed(page);
}

SEC("struct_ops/clock_page_removed")
void BPF_PROG(clock_page_removed, struct gmem_page *page)
{
	gmem_list_del(gmem_slot(page->dev, page->frame));
}

SEC("struct_ops/clock_evict")
int BPF_PROG(clock_evict, struct gmem_evict_ctx *req)
{
	clock_do_evict(req);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops clock = {
	.page_added = (void *)clock_page_added,
	.page_accessed = (void *)clock_page_accessed,
	.page_removed = (void *)clock_page_removed,
	.evict = (void *)clock_evict,
	.name = "clock",
};
#endif /* GMEM_POLICY_PART */
