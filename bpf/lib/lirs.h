/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LIRS (Jiang and Zhang, "LIRS: an efficient low inter-reference recency
 * set replacement policy", SIGMETRICS 2002) on the frame lists, with a
 * cold share that grows as CLOCK-Pro's (Jiang et al., USENIX ATC 2005).
 *  - LIR pages (list LIRS_LIR, by recency) were used twice within a short
 *    distance; they are the device's settled working set.
 *  - HIR pages (list LIRS_HIR, a FIFO) are the rest: the cold share of
 *    the device, where a page must prove itself. Victims come from here.
 *  - The paper's stack S is kept as a test rather than a list: a page is
 *    "in S" when it was used more recently than the least recently used
 *    LIR page. A HIR page used again while in S becomes LIR. Each page
 *    has a clock of its last use; pages let go keep theirs as ghosts
 *    (ghost.h), so one that comes back while in S is LIR at once.
 *  - The shares are of the pages LIRS held when it last had to evict
 *    (the device, less what other policies, pinning and GMEM's free
 *    target keep). The cold share is 1% of them (at least a round's
 *    victims) until a ghost comes back while in S: the HIR queue was too
 *    short to see that page's reuse, and the share becomes half. LIR
 *    pages over their share, least recent first, are made HIR at the
 *    next evictions, LIRS_DEMOTE_MAX per victim wanted. As CLOCK-Pro, a
 *    HIR page that leaves after its test period, not used again while in
 *    S, gives a frame of the share back. Under GMEM without it, the share
 *    once grown stayed half where LRU does well: the hash join at half
 *    its pages took 1.07x the lru's faults (2,732), and GEMM at 4x the
 *    device 1.10x; with it 1.02x (2,605) and 1.07x.
 * On loops larger than the device, LRU lets every page go just before
 * its use; here the LIR pages stay and only the rest cycle. Until the
 * first eviction, and again once LIRS holds no page on the device, every
 * page is LIR.
 */
#ifndef GMEM_LIB_LIRS_H
#define GMEM_LIB_LIRS_H

#include "frame_list.h"
#include "ghost.h"

#define LIRS_LIR	0
#define LIRS_HIR	1
/*
 * Demotions per victim a round wants: when the cold share grows to half,
 * the HIR queue fills over the following rounds, not in one long hold of
 * the device's lock.
 */
#define LIRS_DEMOTE_MAX	64

/* What LIRS knows of the page in a frame slot. */
struct lirs_page {
	struct gmem_page_key key;
	__u64 used;		/* the device's clock at its last use */
	__u32 hir;
	__u32 pad;
};

/* Per device. */
struct lirs_dev {
	__u64 clock;		/* uses (faults and reported uses) */
	__u32 nlir;		/* LIR pages */
	__u32 pages;		/* pages on the lists, LIR and HIR */
	__u32 held;		/* pages at the last eviction; 0 before */
	__u32 cold;		/* of them, for HIR pages */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GMEM_SLOTS);
	__type(key, __u32);
	__type(value, struct lirs_page);
} lirs_pages SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GMEM_MAX_DEVICES);
	__type(key, __u32);
	__type(value, struct lirs_dev);
} lirs_devs SEC(".maps");

static __always_inline struct lirs_dev *lirs_dev(__u32 dev)
{
	return bpf_map_lookup_elem(&lirs_devs, &dev);
}

/* The last use of device @dev's least recently used LIR page, or 0. */
static __always_inline __u64 lirs_bottom(__u32 dev, struct lirs_dev *d)
{
	struct gmem_node *head = gmem_list_head_at(gmem_list_slot(dev, LIRS_LIR));
	struct lirs_page *p;
	__u32 slot;

	if (!head || !d->nlir)
		return 0;
	slot = head->next;
	p = bpf_map_lookup_elem(&lirs_pages, &slot);
	return p ? p->used : 0;
}

/* @slot as the newest of the LIR list, or of the HIR queue. */
static __always_inline void lirs_set(__u32 dev, struct lirs_dev *d,
				     __u32 slot, struct lirs_page *p, bool hir)
{
	struct gmem_node *n = gmem_node(slot);

	if (!n)
		return;
	if (n->linked && !p->hir && d->nlir)
		d->nlir--;
	gmem_list_add_at(gmem_list_slot(dev, hir), slot, false);
	p->hir = hir;
	if (!hir)
		d->nlir++;
}

/* A use of the page in @slot: LIR if it is, or if it was used while in S. */
static __always_inline void lirs_use(__u32 dev, struct lirs_dev *d, __u32 slot)
{
	struct lirs_page *p = bpf_map_lookup_elem(&lirs_pages, &slot);

	if (!p)
		return;
	d->clock++;
	lirs_set(dev, d, slot, p, p->hir && p->used <= lirs_bottom(dev, d));
	p->used = d->clock;
}

static __always_inline void lirs_do_page_added(struct gmem_page *page)
{
	__u32 slot = gmem_slot(page->dev, page->frame);
	struct lirs_page *p = bpf_map_lookup_elem(&lirs_pages, &slot);
	struct lirs_dev *d = lirs_dev(page->dev);
	struct gmem_node *n;
	__u64 used;
	bool hir;

	if (!p || !d)
		return;
	p->key = gmem_page_key_of(page);
	if (gmem_ghost_take(&p->key, &used) &&
	    used > lirs_bottom(page->dev, d)) {
		d->cold = d->held / 2;
		hir = false;
	} else {
		hir = d->held && d->nlir + d->cold >= d->held;
	}
	n = gmem_node(slot);
	if (n && !n->linked)
		d->pages++;
	d->clock++;
	lirs_set(page->dev, d, slot, p, hir);
	p->used = d->clock;
}

static __always_inline void lirs_do_page_accessed(struct gmem_page *page)
{
	__u32 slot = gmem_slot(page->dev, page->frame);
	struct gmem_node *n = gmem_node(slot);
	struct lirs_dev *d = lirs_dev(page->dev);

	if (n && n->linked && d)
		lirs_use(page->dev, d, slot);
}

static __always_inline void lirs_do_page_removed(struct gmem_page *page)
{
	__u32 slot = gmem_slot(page->dev, page->frame);
	struct gmem_node *n = gmem_node(slot);
	struct lirs_page *p = bpf_map_lookup_elem(&lirs_pages, &slot);
	struct lirs_dev *d = lirs_dev(page->dev);

	if (!n || !p || !d || !n->linked)
		return;
	if (!p->hir && d->nlir)
		d->nlir--;
	gmem_list_del(slot);
	/* With no page left, start over: the next program's loop is its own. */
	if (d->pages && !--d->pages) {
		d->held = 0;
		d->cold = 0;
	}
}

struct lirs_walk {
	struct gmem_evict_ctx *req;
	__u32 cur;		/* the slot to look at next */
	__u32 list;		/* LIRS_HIR, then LIRS_LIR */
	__u32 demote;		/* demotions left this round */
};

/*
 * One step at the bottom of the LIR list. A page the device reported
 * using since GMEM last looked has that use counted now: it becomes the
 * most recent. Otherwise, while LIR pages are over their share, it is
 * made HIR. The bottom the test for S compares with is then a page not
 * used since GMEM last looked, not one whose uses were never told.
 */
static int lirs_bottom_step(__u32 i, void *data)
{
	struct lirs_walk *w = data;
	__u32 dev = w->req->dev, slot;
	struct gmem_node *head = gmem_node(gmem_list_slot(dev, LIRS_LIR));
	struct lirs_dev *d = lirs_dev(dev);
	struct lirs_page *p;

	if (!head || !d)
		return 1;
	slot = head->next;
	p = bpf_map_lookup_elem(&lirs_pages, &slot);
	if (!p || slot == gmem_list_slot(dev, LIRS_LIR))
		return 1;
	if (gmem_frame_take_referenced(w->req, gmem_slot_frame(dev, slot))) {
		lirs_use(dev, d, slot);
		return 0;
	}
	if (d->nlir + d->cold <= d->held || !w->demote)
		return 1;
	w->demote--;
	lirs_set(dev, d, slot, p, true);
	return 0;
}

/*
 * One step of the victim walk, each list oldest first. A use the device
 * reported and GMEM has not passed on counts as a use now (the page
 * moves on).
 */
static int lirs_evict_step(__u32 i, void *data)
{
	struct lirs_walk *w = data;
	struct gmem_evict_ctx *req = w->req;
	__u32 dev = req->dev, slot = w->cur, frame;
	struct lirs_dev *d = lirs_dev(dev);
	struct gmem_node *n;
	struct lirs_page *p;
	bool shrink;

	if (req->nominated >= req->wanted || !d)
		return 1;
	if (slot == gmem_list_slot(dev, w->list)) {
		if (w->list == LIRS_LIR)
			return 1;
		w->list = LIRS_LIR;
		n = gmem_node(gmem_list_slot(dev, LIRS_LIR));
		if (n)
			w->cur = n->next;
		return !n;
	}
	n = gmem_node(slot);
	p = bpf_map_lookup_elem(&lirs_pages, &slot);
	if (!n || !p)
		return 1;
	w->cur = n->next;
	frame = gmem_slot_frame(dev, slot);
	/*
	 * LIRS is its own thrashing protection. GMEM's would spare the HIR
	 * pages of a loop larger than the device (each comes back soon after
	 * it left) and make the LIR pages victims: LIRS would be an LRU.
	 */
	if (!gmem_frame_evictable(req, frame, true))
		return 0;
	if (gmem_frame_take_referenced(req, frame)) {
		lirs_use(dev, d, slot);
		return 0;
	}
	/*
	 * A HIR page leaving after its test period, not used again while in
	 * S, gives a frame of the cold share back (CLOCK-Pro), down to the
	 * least it starts at.
	 */
	shrink = p->hir && d->cold > d->held / 100 && d->cold > req->wanted &&
		 p->used <= lirs_bottom(dev, d);
	if (!gmem_evict_frame(req, frame)) {
		gmem_ghost_add(dev, req->nr_frames, &p->key, p->used);
		d->cold -= shrink;
	}
	return 0;
}

/**
 * lirs_do_evict() - the evict hook: LIRS's victims
 * @req: the full device's eviction round
 *
 * At the bottom of the LIR list, pages the device reported using move up
 * and LIR pages over their share become HIR (LIRS_DEMOTE_MAX per victim
 * wanted); then victims come from the HIR queue, oldest first, and from
 * the LIR pages if it has too few. A page may move on once for a use it
 * reported, so each walk takes up to two steps per frame.
 */
static __always_inline void lirs_do_evict(struct gmem_evict_ctx *req)
{
	struct gmem_node *hir = gmem_list_head_at(gmem_list_slot(req->dev, LIRS_HIR));
	struct lirs_dev *d = lirs_dev(req->dev);
	struct lirs_walk w = { .req = req, .list = LIRS_HIR };

	if (!gmem_list_head_at(gmem_list_slot(req->dev, LIRS_LIR)) || !hir ||
	    !d)
		return;
	d->held = d->pages;
	/* 1% of the pages, and enough HIR pages for a round's victims. */
	if (d->cold < d->held / 100)
		d->cold = d->held / 100;
	if (d->cold < req->wanted && req->wanted <= d->held / 2)
		d->cold = req->wanted;
	w.demote = req->wanted * LIRS_DEMOTE_MAX;
	bpf_loop(gmem_walk_steps(req, 2), lirs_bottom_step, &w, 0);
	w.cur = hir->next;
	bpf_loop(gmem_walk_steps(req, 2), lirs_evict_step, &w, 0);
}

#endif /* GMEM_LIB_LIRS_H */
