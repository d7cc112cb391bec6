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
 * Doubly linked lists through an array: GMEM_LISTS per device. Slot
 * gmem_list_slot(dev, list) is the head of list @list of device dev
 * (list 0 is "the" list of the helpers taking a device); head.next is the
 * oldest entry, head.prev the newest. A frame is on one list at a time.
 */
struct gmem_node {
	__u32 prev;
	__u32 next;
	__u32 count;		/* for policies that count accesses */
	__u8 linked;
	__u8 referenced;	/* for CLOCK */
	__u16 hint;		/* hint - MADV_POLICY_HINT_FIRST + 1, or 0 */
};

#define GMEM_LISTS	2

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GMEM_SLOTS + GMEM_LISTS * GMEM_MAX_DEVICES);
	__type(key, __u32);
	__type(value, struct gmem_node);
} gmem_nodes SEC(".maps");

static __always_inline struct gmem_node *gmem_node(__u32 slot)
{
	return bpf_map_lookup_elem(&gmem_nodes, &slot);
}

/* The head slot of list @list (< GMEM_LISTS) of device @dev. */
static __always_inline __u32 gmem_list_slot(__u32 dev, __u32 list)
{
	return gmem_nr_slots() + list * GMEM_MAX_DEVICES + dev;
}

/* The head of the list whose head slot is @h, set up on first use. */
static __always_inline struct gmem_node *gmem_list_head_at(__u32 h)
{
	struct gmem_node *head = gmem_node(h);

	if (head && !head->linked) {
		head->next = h;
		head->prev = h;
		head->linked = 1;
	}
	return head;
}

static __always_inline struct gmem_node *gmem_list_head(__u32 dev)
{
	return gmem_list_head_at(gmem_list_slot(dev, 0));
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

/*
 * Insert @slot as the newest entry of the list whose head slot is @h, or
 * as its oldest; off any list it was on.
 */
static __always_inline void gmem_list_add_at(__u32 h, __u32 slot, bool oldest)
{
	struct gmem_node *head, *n, *nb;
	__u32 nb_slot;

	gmem_list_del(slot);
	head = gmem_list_head_at(h);
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

/* Insert @slot of device @dev as its newest entry, or its oldest. */
static __always_inline void gmem_list_add(__u32 dev, __u32 slot, bool oldest)
{
	gmem_list_add_at(gmem_list_slot(dev, 0), slot, oldest);
}

/*
 * May @frame be nominated? Not if GMEM would refuse it (free, being
 * migrated, nominated already, pinned): a refusal counts against the
 * policy. Nor, unless @take_protected, while thrashing protection covers
 * it: like the default LRU, the walks from the oldest entry below spare
 * protected frames and take them only when nothing else is left.
 */
static __always_inline bool gmem_frame_evictable(struct gmem_evict_ctx *req,
						 __u32 frame,
						 bool take_protected)
{
	__u32 state = gmem_frame_state(req, frame);

	if (!(state & GMEM_FRAME_RESIDENT) ||
	    (state & (GMEM_FRAME_BUSY | GMEM_FRAME_PINNED)))
		return false;
	return take_protected || !(state & GMEM_FRAME_PROTECTED);
}

/*
 * A walk of a device's list by bpf_loop(), one entry per step: sparing
 * protected frames may mean looking at all of them, more than the
 * verifier follows in a bounded loop.
 */
struct gmem_walk {
	struct gmem_evict_ctx *req;
	__u32 cur;		/* slot of the entry to look at next */
	__u32 bound;		/* for lfu.h: the largest count taken */
	__u16 skip_hint;	/* pages with this hint stay, or 0 */
	__u16 take_hint;	/* pages with this hint go even if protected, or 0 */
	bool from_newest;
	bool take_protected;
};

/* bpf_loop() runs nothing, and fails, when asked for more steps. */
#define GMEM_MAX_LOOPS		(1U << 23)

/*
 * Steps enough for @laps passes over every entry of the device's list, or
 * as many as bpf_loop() takes: on a device of 16 GiB and more, a walk of
 * several laps ends early (the default fills in what it did not find).
 */
static __always_inline __u32 gmem_walk_steps(struct gmem_evict_ctx *req,
					     __u32 laps)
{
	__u64 n = req->nr_frames < gmem_dev_frames ? req->nr_frames :
						      gmem_dev_frames;

	n = laps * (n + 1);
	return n < GMEM_MAX_LOOPS ? n : GMEM_MAX_LOOPS;
}

/* One step of gmem_list_evict(): 1 ends the walk. */
static __attribute__((unused)) int gmem_list_evict_step(__u32 i, void *data)
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
	if ((!w->skip_hint || n->hint != w->skip_hint) &&
	    gmem_frame_evictable(req, frame, w->take_protected ||
				 (w->take_hint && n->hint == w->take_hint)))
		gmem_evict_frame(req, frame);
	w->cur = w->from_newest ? n->prev : n->next;
	return 0;
}

/*
 * Nominate victims of the full device walking its list from the oldest
 * entry (or the newest), skipping what GMEM would refuse and, with
 * @skip_hint, pages carrying that hint; protected frames only if the
 * others are not enough, except pages carrying @take_hint (when not 0).
 *
 * From the newest entry (MRU), the one walk is that last one: MRU exists
 * for loops larger than the device, whose pages all come back soon after
 * they leave, and so are all protected; sparing them would evict the
 * pages MRU keeps and make it an LRU, which thrashes there.
 */
static __always_inline void gmem_list_evict_hinted(struct gmem_evict_ctx *ctx,
						   bool from_newest,
						   __u16 skip_hint,
						   __u16 take_hint)
{
	struct gmem_node *head = gmem_list_head(ctx->dev);
	struct gmem_walk w = {
		.req = ctx,
		.skip_hint = skip_hint,
		.take_hint = take_hint,
		.from_newest = from_newest,
	};
	int pass;

	if (!head)
		return;
	for (pass = from_newest; pass < 2 && ctx->nominated < ctx->wanted;
	     pass++) {
		w.cur = from_newest ? head->prev : head->next;
		w.take_protected = pass;
		bpf_loop(gmem_walk_steps(ctx, 1), gmem_list_evict_step, &w, 0);
	}
}

/* gmem_list_evict_hinted() for policies without hints. */
static __always_inline void gmem_list_evict(struct gmem_evict_ctx *ctx,
					    bool from_newest)
{
	gmem_list_evict_hinted(ctx, from_newest, 0, 0);
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
