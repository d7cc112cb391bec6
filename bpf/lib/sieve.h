/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIEVE (Zhang et al., "SIEVE is simpler than LRU", NSDI 2024) on the
 * frame list: pages queue in the order they arrived and a use only sets
 * their visited bit. A hand moves from the oldest page toward the newest,
 * clearing visited bits and taking the first page not visited; it stays
 * where it stopped for the next round and wraps to the oldest at the end.
 * Unlike CLOCK (clock.h), a page the hand spares keeps its place, so new
 * pages that are not used again leave before older ones that were.
 */
#ifndef GMEM_LIB_SIEVE_H
#define GMEM_LIB_SIEVE_H

#include "frame_list.h"

/* Where each device's hand stopped: its slot + 1, or 0 for the oldest. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GMEM_MAX_DEVICES);
	__type(key, __u32);
	__type(value, __u32);
} sieve_hands SEC(".maps");

/* The slot device @dev's hand is on: a page of its list, or the head. */
static __always_inline __u32 sieve_hand(__u32 dev)
{
	__u32 *hand = bpf_map_lookup_elem(&sieve_hands, &dev);
	__u32 slot, first = dev * gmem_dev_frames;
	struct gmem_node *n;

	if (!hand || !*hand)
		return gmem_list_slot(dev, 0);
	slot = *hand - 1;
	n = gmem_node(slot);
	if (slot < first || slot >= first + gmem_dev_frames || !n || !n->linked)
		return gmem_list_slot(dev, 0);
	return slot;
}

static __always_inline void sieve_set_hand(__u32 dev, __u32 slot)
{
	__u32 *hand = bpf_map_lookup_elem(&sieve_hands, &dev);

	if (hand)
		*hand = slot == gmem_list_slot(dev, 0) ? 0 : slot + 1;
}

/* A new page: the newest, not visited. */
static __always_inline void sieve_do_page_added(struct gmem_page *page)
{
	struct gmem_node *n = gmem_list_add_page_node(page);

	if (n)
		n->referenced = 0;
}

static __always_inline void sieve_do_page_accessed(struct gmem_page *page)
{
	struct gmem_node *n = gmem_node(gmem_slot(page->dev, page->frame));

	if (n)
		n->referenced = 1;
}

/* A page leaves: a hand resting on it moves on to the next one. */
static __always_inline void sieve_do_page_removed(struct gmem_page *page)
{
	__u32 dev = page->dev, slot = gmem_slot(dev, page->frame);
	struct gmem_node *n = gmem_node(slot);

	if (n && n->linked && sieve_hand(dev) == slot)
		sieve_set_hand(dev, n->next);
	gmem_list_del(slot);
}

/* One step of the hand; 1 ends the walk. */
static int sieve_step(__u32 i, void *data)
{
	struct gmem_walk *w = data;
	struct gmem_evict_ctx *req = w->req;
	__u32 dev = req->dev, head = gmem_list_slot(dev, 0), frame;
	struct gmem_node *n;

	if (req->nominated >= req->wanted)
		return 1;
	if (w->cur == head) {		/* wrap to the oldest */
		n = gmem_node(head);
		if (!n || n->next == head)
			return 1;
		w->cur = n->next;
	}
	n = gmem_node(w->cur);
	if (!n)
		return 1;
	frame = gmem_slot_frame(dev, w->cur);
	w->cur = n->next;
	if (!gmem_frame_evictable(req, frame, w->take_protected))
		return 0;
	/* Visited: a fault, or a hit the device reported. */
	if (n->referenced || gmem_frame_take_referenced(req, frame))
		n->referenced = 0;
	else
		gmem_evict_frame(req, frame);
	return 0;
}

/**
 * sieve_do_evict() - the evict hook: move the hand to the victims
 * @req: the full device's eviction round
 *
 * Two laps clear every visited bit and so always find victims among the
 * frames GMEM would take. Protected frames are spared in a first walk and
 * taken in a second only if the first fell short.
 */
static __always_inline void sieve_do_evict(struct gmem_evict_ctx *req)
{
	struct gmem_walk w = { .req = req };
	int pass;

	if (!gmem_list_head(req->dev))
		return;
	w.cur = sieve_hand(req->dev);
	for (pass = 0; pass < 2 && req->nominated < req->wanted; pass++) {
		w.take_protected = pass;
		bpf_loop(gmem_walk_steps(req, 2), sieve_step, &w, 0);
	}
	sieve_set_hand(req->dev, w.cur);
}

#endif /* GMEM_LIB_SIEVE_H */
