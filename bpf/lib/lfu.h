/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LFU on the frame list: the page with the fewest uses since it arrived
 * (faults and the device's access reports) goes first, the least recently
 * used among equals. Passes over the pages, least recently used first,
 * with a rising bound on the count: a page used often long ago
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

/* One step of a pass: nominate the page if counted at most w->bound. */
static int lfu_step(__u32 i, void *data)
{
	struct gmem_walk *w = data;
	struct gmem_evict_ctx *req = w->req;
	__u32 dev = req->dev, frame;
	struct gmem_node *n;

	if (w->cur == gmem_list_slot(dev, 0) || req->nominated >= req->wanted)
		return 1;
	n = gmem_node(w->cur);
	if (!n)
		return 1;
	frame = gmem_slot_frame(dev, w->cur);
	if (n->count <= w->bound &&
	    gmem_frame_evictable(req, frame, w->take_protected))
		gmem_evict_frame(req, frame);
	w->cur = n->next;
	return 0;
}

/* One pass, oldest first, over pages counted at most @bound. */
static __always_inline void lfu_pass(struct gmem_evict_ctx *req, __u32 bound,
				     bool take_protected)
{
	struct gmem_node *head = gmem_list_head(req->dev);
	struct gmem_walk w = {
		.req = req,
		.bound = bound,
		.take_protected = take_protected,
	};

	if (!head || req->nominated >= req->wanted)
		return;
	w.cur = head->next;
	bpf_loop(gmem_walk_steps(req, 1), lfu_step, &w, 0);
}

/**
 * lfu_do_evict() - the evict hook: the fewest uses first
 * @req: the full device's eviction round
 *
 * Each pass skips the frames earlier ones nominated (gmem_frame_state()
 * says they are busy), so none is nominated twice; protected frames go
 * only in a last pass, when the others were not enough.
 */
static __always_inline void lfu_do_evict(struct gmem_evict_ctx *req)
{
	lfu_pass(req, 1, false);
	lfu_pass(req, 4, false);
	lfu_pass(req, 0xffffffffU, false);
	lfu_pass(req, 0xffffffffU, true);
}

#endif /* GMEM_LIB_LFU_H */
