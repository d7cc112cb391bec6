/* SPDX-License-Identifier: GPL-2.0 */
/*
 * S3-FIFO (Yang et al., "FIFO queues are all you need for cache
 * eviction", SOSP 2023) on the frame lists: three FIFO queues per device.
 *  - small (list S3_SMALL, about s3_small_percent of the device): where a
 *    page starts. A page used again while in it moves to main when it
 *    reaches the queue's end; one that was not leaves the device, and
 *    its address is remembered in the ghost queue.
 *  - main (list S3_MAIN): pages that were used again, or came back while
 *    remembered as ghosts. At the end of the queue a page used since it
 *    last passed goes round again (up to 3 uses are counted), others
 *    leave the device.
 *  - ghost: the last pages small let go, as many as the device has
 *    frames (a ring of them per device, and a hash to find them).
 * Most pages a program touches once never reach main; that is what it
 * does better than LRU on scans mixed with a reused set.
 */
#ifndef GMEM_LIB_S3FIFO_H
#define GMEM_LIB_S3FIFO_H

#include "frame_list.h"
#include "ghost.h"

#define S3_SMALL	0
#define S3_MAIN		1
#define S3_MAX_FREQ	3

/* The small queue's share of a device, in percent (the paper's 10). */
const volatile __u32 s3_small_percent = 10;

/* What S3-FIFO knows of the page in a frame slot. */
struct s3_page {
	struct gmem_page_key key;
	__u32 queue;		/* S3_SMALL or S3_MAIN */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GMEM_SLOTS);
	__type(key, __u32);
	__type(value, struct s3_page);
} s3_pages SEC(".maps");

/* Pages on each queue of each device: [dev * GMEM_LISTS + queue]. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GMEM_MAX_DEVICES * GMEM_LISTS);
	__type(key, __u32);
	__type(value, __u32);
} s3_sizes SEC(".maps");

static __always_inline __u32 *s3_size(__u32 dev, __u32 queue)
{
	__u32 i = dev * GMEM_LISTS + queue;

	return bpf_map_lookup_elem(&s3_sizes, &i);
}

/* A page left @queue of device @dev. */
static __always_inline void s3_size_dec(__u32 dev, __u32 queue)
{
	__u32 *size = s3_size(dev, queue);

	if (size && *size)
		(*size)--;
}

/* Move @slot of device @dev to the newest end of @queue. */
static __always_inline void s3_enqueue(__u32 dev, __u32 slot,
				       struct s3_page *p, __u32 queue)
{
	struct gmem_node *n = gmem_node(slot);
	__u32 *size;

	if (!n)
		return;
	if (n->linked)
		s3_size_dec(dev, p->queue);
	gmem_list_add_at(gmem_list_slot(dev, queue), slot, false);
	p->queue = queue;
	size = s3_size(dev, queue);
	if (size)
		(*size)++;
}

/* A new page: into main if the ghost queue remembers it, else small. */
static __always_inline void s3fifo_do_page_added(struct gmem_page *page)
{
	__u32 slot = gmem_slot(page->dev, page->frame);
	struct gmem_page_key key = gmem_page_key_of(page);
	struct gmem_node *n;
	struct s3_page *p;
	__u32 queue = S3_SMALL;
	__u64 unused;

	p = bpf_map_lookup_elem(&s3_pages, &slot);
	n = gmem_node(slot);
	if (!p || !n)
		return;
	if (gmem_ghost_take(&key, &unused))
		queue = S3_MAIN;
	p->key = key;
	n->count = 0;
	s3_enqueue(page->dev, slot, p, queue);
}

static __always_inline void s3fifo_do_page_accessed(struct gmem_page *page)
{
	struct gmem_node *n = gmem_node(gmem_slot(page->dev, page->frame));

	if (n && n->count < S3_MAX_FREQ)
		n->count++;
}

static __always_inline void s3fifo_do_page_removed(struct gmem_page *page)
{
	__u32 slot = gmem_slot(page->dev, page->frame);
	struct gmem_node *n = gmem_node(slot);
	struct s3_page *p = bpf_map_lookup_elem(&s3_pages, &slot);

	if (!n || !p || !n->linked)
		return;
	s3_size_dec(page->dev, p->queue);
	gmem_list_del(slot);
}

struct s3_walk {
	struct gmem_evict_ctx *req;
	__u32 small;		/* next slot to look at in small */
	__u32 main;		/* and in main */
	__u32 small_target;	/* small's share of the device, in frames */
	bool take_protected;
};

/*
 * The page at *@cursor of @queue, and the cursor moved past it; NULL if
 * GMEM would refuse its frame (it stays where it is) or at the list's end.
 */
static __always_inline struct gmem_node *
s3_take(struct s3_walk *w, __u32 dev, __u32 queue, __u32 *cursor,
	struct s3_page **p)
{
	__u32 slot = *cursor;
	struct gmem_node *n = gmem_node(slot);

	*p = bpf_map_lookup_elem(&s3_pages, &slot);
	if (!n || !*p) {
		*cursor = gmem_list_slot(dev, queue);
		return NULL;
	}
	*cursor = n->next;
	if (!gmem_frame_evictable(w->req, gmem_slot_frame(dev, slot),
				  w->take_protected))
		return NULL;
	/* A hit the device reported and GMEM's aging has not passed on. */
	if (gmem_frame_take_referenced(w->req, gmem_slot_frame(dev, slot)) &&
	    n->count < S3_MAX_FREQ)
		n->count++;
	return n;
}

/*
 * The end of small: a page used again moves to main, the others are
 * nominated and remembered as ghosts.
 */
static __always_inline void s3_small_step(struct s3_walk *w, __u32 dev)
{
	__u32 slot = w->small;
	struct s3_page *p;
	struct gmem_node *n = s3_take(w, dev, S3_SMALL, &w->small, &p);

	if (!n || !p)
		return;
	if (n->count) {
		n->count = 0;
		s3_enqueue(dev, slot, p, S3_MAIN);
	} else if (!gmem_evict_frame(w->req, gmem_slot_frame(dev, slot))) {
		gmem_ghost_add(dev, w->req->nr_frames, &p->key, 0);
	}
}

/* The end of main: a page used since it last passed goes round again. */
static __always_inline void s3_main_step(struct s3_walk *w, __u32 dev)
{
	__u32 slot = w->main, head = gmem_list_slot(dev, S3_MAIN);
	struct s3_page *p;
	struct gmem_node *n = s3_take(w, dev, S3_MAIN, &w->main, &p);

	if (!n || !p)
		return;
	if (!n->count) {
		gmem_evict_frame(w->req, gmem_slot_frame(dev, slot));
		return;
	}
	n->count--;
	s3_enqueue(dev, slot, p, S3_MAIN);
	/* It was the newest: go on from the oldest, now older. */
	if (w->main == head) {
		n = gmem_node(head);
		if (n)
			w->main = n->next;
	}
}

/*
 * One step: from small while it holds more than its share (or main has
 * nothing left to offer), else from main; 1 ends the walk.
 */
static int s3_step(__u32 i, void *data)
{
	struct s3_walk *w = data;
	struct gmem_evict_ctx *req = w->req;
	__u32 dev = req->dev, *small_size;
	bool small_left = w->small != gmem_list_slot(dev, S3_SMALL);
	bool main_left = w->main != gmem_list_slot(dev, S3_MAIN);

	if (req->nominated >= req->wanted || (!small_left && !main_left))
		return 1;
	small_size = s3_size(dev, S3_SMALL);
	if (small_left &&
	    (!main_left || (small_size && *small_size > w->small_target)))
		s3_small_step(w, dev);
	else
		s3_main_step(w, dev);
	return 0;
}

/**
 * s3fifo_do_evict() - the evict hook: S3-FIFO's victims
 * @req: the full device's eviction round
 *
 * Each queue is walked once from its oldest page; a page of main may
 * pass S3_MAX_FREQ times more, so the walk takes up to
 * S3_MAX_FREQ + 2 steps per frame. Protected frames are spared in a
 * first walk and taken in a second only if the first fell short.
 */
static __always_inline void s3fifo_do_evict(struct gmem_evict_ctx *req)
{
	struct gmem_node *small = gmem_list_head_at(gmem_list_slot(req->dev, S3_SMALL));
	struct gmem_node *main = gmem_list_head_at(gmem_list_slot(req->dev, S3_MAIN));
	struct s3_walk w = { .req = req };
	int pass;

	if (!small || !main)
		return;
	w.small_target = (__u64)req->nr_frames * s3_small_percent / 100;
	for (pass = 0; pass < 2 && req->nominated < req->wanted; pass++) {
		w.small = small->next;
		w.main = main->next;
		w.take_protected = pass;
		bpf_loop(gmem_walk_steps(req, S3_MAX_FREQ + 2), s3_step, &w, 0);
	}
}

#endif /* GMEM_LIB_S3FIFO_H */
