/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The frame list: an order of a device's frames kept in an array map, the
 * one list 6.1 BPF can have. LRU (a use moves the page to the newest
 * end, victims from the oldest), MRU (victims from the newest) and FIFO
 * (uses do not move it) are this list; lfu.h and clock.h walk it.
 *
 * Hooks of one device run under its frame lock, so the list of a device
 * is never changed by two programs at once; devices have their own lists.
 */
#ifndef GMEM_LIB_FRAME_LIST_H
#define GMEM_LIB_FRAME_LIST_H

#include "gmem_policy.h"


/*
 * A doubly linked list per device through an array: slot GMEM_SLOTS + dev
 * is the head of device dev's list; head.next is the oldest entry,
 * head.prev the newest.
 */
struct gmem_node {
	__u32 prev;
	__u32 next;
	__u32 count;		/* for policies that count accesses */
	__u8 linked;
	__u8 referenced;	/* for CLOCK */
	__u16 hint;		/* hint - MADV_POLICY_HINT_FIRST + 1, or 0 */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GMEM_SLOTS + GMEM_MAX_DEVICES);
	__type(key, __u32);
	__type(value, struct gmem_node);
} gmem_nodes SEC(".maps");

/* Entries an evict hook looks at, at most, before leaving it to GMEM. */
#define GMEM_EVICT_SCAN		512

static __always_inline struct gmem_node *gmem_node(__u32 slot)
{
	return bpf_map_lookup_elem(&gmem_nodes, &slot);
}

static __always_inline struct gmem_node *gmem_list_head(__u32 dev)
{
	__u32 h = GMEM_SLOTS + dev;
	struct gmem_node *head = gmem_node(h);

	if (head && !head->linked) {
		head->next = h;
		head->prev = h;
		head->linked = 1;
	}
	return head;
}

static __always_inline void gmem_list_del(__u32 slot)
{
	struct gmem_node *n = gmem_node(slot), *prev, *next;

	if (!n || !n->linked)
		return;
	prev = gmem_node(n->prev);
	next = gmem_node(n->next);
	if (!prev || !next)
		return;
	prev->next = n->next;
	next->prev = n->prev;
	n->linked = 0;
}

/* Insert @slot of device @dev as its newest entry, or its oldest. */
static __always_inline void gmem_list_add(__u32 dev, __u32 slot, bool oldest)
{
	__u32 h = GMEM_SLOTS + dev;
	struct gmem_node *head, *n, *nb;
	__u32 nb_slot;

	gmem_list_del(slot);
	head = gmem_list_head(dev);
	n = gmem_node(slot);
	if (!head || !n)
		return;
	nb_slot = oldest ? head->next : head->prev;
	nb = gmem_node(nb_slot);
	if (!nb)
		return;
	if (oldest) {
		n->prev = h;
		n->next = nb_slot;
		nb->prev = slot;
		head->next = slot;
	} else {
		n->prev = nb_slot;
		n->next = h;
		nb->next = slot;
		head->prev = slot;
	}
	n->linked = 1;
}

/*
 * Nominate victims of the full device walking its list from the oldest
 * entry (or the newest), skipping what GMEM refuses (busy, pinned) and,
 * with @skip_hint, pages carrying that hint.
 */
static __always_inline void gmem_list_evict(struct gmem_evict_ctx *ctx,
					    bool from_newest, __u16 skip_hint)
{
	__u32 dev = ctx->dev, h = GMEM_SLOTS + dev, cur;
	struct gmem_node *head = gmem_list_head(dev), *n;
	int i;

	if (!head)
		return;
	cur = from_newest ? head->prev : head->next;
	for (i = 0; i < GMEM_EVICT_SCAN; i++) {
		if (cur == h || ctx->nominated >= ctx->wanted)
			break;
		n = gmem_node(cur);
		if (!n)
			break;
		if (!skip_hint || n->hint != skip_hint)
			gmem_evict_frame(ctx, cur - dev * GMEM_MAX_FRAMES);
		cur = from_newest ? n->prev : n->next;
	}
}

/* @page as the newest entry of its device's list (it arrived, or was used). */
static __always_inline void gmem_list_add_page(struct gmem_page *page)
{
	gmem_list_add(page->dev, gmem_slot(page->dev, page->frame), false);
}

/* The same, and @page's node, for the state an algorithm keeps in it. */
static __always_inline struct gmem_node *
gmem_list_add_page_node(struct gmem_page *page)
{
	__u32 slot = gmem_slot(page->dev, page->frame);

	gmem_list_add(page->dev, slot, false);
	return gmem_node(slot);
}

/* @page off its device's list (it left the device). */
static __always_inline void gmem_list_del_page(struct gmem_page *page)
{
	gmem_list_del(gmem_slot(page->dev, page->frame));
}

#endif /* GMEM_LIB_FRAME_LIST_H */
