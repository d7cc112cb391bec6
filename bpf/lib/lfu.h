/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LFU on the frame list: the page with the fewest uses since it arrived
 * (faults and the device's access reports) goes first, the least recently
 * used among equals. Passes over the GMEM_EVICT_SCAN least recently used
 * pages with a rising bound on the count: a page used often long ago
 * still outlasts one used once, and a page in use is not stuck among the
 * oldest.
 */
#ifndef GMEM_LIB_LFU_H
#define GMEM_LIB_LFU_H

#include "frame_list.h"

/* A new page: the newest, used once. */
static __always_inline void lfu_do_page_added(struct gmem_page *page)
{
	struct gmem_node *n = gmem_list_add_page_node(page);

	if (n)
		n->count = 1;
}

static __always_inline void lfu_do_page_accessed(struct gmem_page *page)
{
	__u32 slot = gmem_slot(page->dev, page->frame);
	struct gmem_node *n = gmem_node(slot);

	if (n && n->count < 0xffffffffU)
		n->count++;
	gmem_list_add(page->dev, slot, false);
}

/* One pass: nominate pages counted at most @bound, oldest first. */
static __always_inline void lfu_pass(struct gmem_evict_ctx *req, __u32 bound)
{
	__u32 dev = req->dev, h = GMEM_SLOTS + dev, cur;
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
		if (n->count <= bound)
			gmem_evict_frame(req, cur - dev * GMEM_MAX_FRAMES);
		cur = n->next;
	}
}

static __always_inline void lfu_do_evict(struct gmem_evict_ctx *req)
{
	lfu_pass(req, 1);
	lfu_pass(req, 4);
	lfu_pass(req, 0xffffffffU);
}

#endif /* GMEM_LIB_LFU_H */
