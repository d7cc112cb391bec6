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

/*
 * One step of the hand. A frame GMEM would refuse, or a protected one
 * while they are spared, is passed over as it is: its reference bit is
 * for when it can go.
 */
static int clock_step(__u32 i, void *data)
{
	struct gmem_walk *w = data;
	struct gmem_evict_ctx *req = w->req;
	__u32 dev = req->dev, slot = w->cur, frame;
	struct gmem_node *n;

	if (slot == gmem_list_slot(dev, 0) || req->nominated >= req->wanted)
		return 1;
	n = gmem_node(slot);
	if (!n)
		return 1;
	w->cur = n->next;
	frame = gmem_slot_frame(dev, slot);
	if (!gmem_frame_evictable(req, frame, w->take_protected))
		return 0;
	/* Referenced: a fault, or a hit the device reported. */
	if (n->referenced || gmem_frame_take_referenced(req, frame)) {
		n->referenced = 0;
		gmem_list_add(dev, slot, false);	/* behind the hand */
	} else {
		gmem_evict_frame(req, frame);
	}
	return 0;
}

/**
 * clock_do_evict() - the evict hook: sweep the hand from the oldest frame
 * @req: the full device's eviction round
 *
 * A referenced frame goes behind the hand, so a sweep may meet every frame
 * twice. Protected frames are spared in a first sweep and taken in a
 * second only if the first fell short.
 */
static __always_inline void clock_do_evict(struct gmem_evict_ctx *req)
{
	struct gmem_node *head = gmem_list_head(req->dev);
	struct gmem_walk w = { .req = req };
	int pass;

	if (!head)
		return;
	for (pass = 0; pass < 2 && req->nominated < req->wanted; pass++) {
		w.cur = head->next;
		w.take_protected = pass;
		bpf_loop(gmem_walk_steps(req, 2), clock_step, &w, 0);
	}
}

#endif /* GMEM_LIB_CLOCK_H */
