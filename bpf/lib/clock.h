/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CLOCK (second chance) on the frame list: the hand sweeps frames oldest
 * first; a page used since the last sweep (re-faulted, or reported by the
 * device) loses its reference bit and goes round again, an unreferenced
 * one is the victim.
 */
#ifndef GMEM_LIB_CLOCK_H
#define GMEM_LIB_CLOCK_H

#include "frame_list.h"

/* A new page: the newest, not referenced. */
static __always_inline void clock_do_page_added(struct gmem_page *page)
{
	struct gmem_node *n = gmem_list_add_page_node(page);

	if (n)
		n->referenced = 0;
}

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

#endif /* GMEM_LIB_CLOCK_H */
