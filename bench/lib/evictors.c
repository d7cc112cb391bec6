// SPDX-License-Identifier: GPL-2.0
/*
 * Offline S3-FIFO, SIEVE, LIRS and ARC (evictors.h), written from their
 * papers' descriptions as plain queues of page numbers; bpf/lib/ has BPF
 * versions of the first three, which keep the same queues in frame slots.
 */
#include <stdlib.h>

#include "evictors.h"

#define NONE	UINT32_MAX
#define MAX_FREQ	3

/*
 * Doubly linked queues of pages 0..npages-1 with sentinels at npages and
 * up: next goes from the oldest toward the newest, as in bpf/lib.
 */
struct queues {
	u32 *prev, *next;
};

static void queues_init(struct queues *q, size_t npages, unsigned int nheads)
{
	unsigned int h;

	q->prev = xmalloc((npages + nheads) * sizeof(u32));
	q->next = xmalloc((npages + nheads) * sizeof(u32));
	for (h = 0; h < nheads; h++)
		q->prev[npages + h] = q->next[npages + h] = npages + h;
}

static void queues_free(struct queues *q)
{
	free(q->prev);
	free(q->next);
}

static void unlink_page(struct queues *q, u32 p)
{
	q->next[q->prev[p]] = q->next[p];
	q->prev[q->next[p]] = q->prev[p];
}

/* @p as the newest of the queue with sentinel @head. */
static void push_newest(struct queues *q, u32 head, u32 p)
{
	q->prev[p] = q->prev[head];
	q->next[p] = head;
	q->next[q->prev[head]] = p;
	q->prev[head] = p;
}

/*
 * Pages let go and still remembered, the last @len of them, as
 * bpf/lib/ghost.h keeps them: seq1[p] is the number of p's newest ghost
 * plus one (0: none), ring[k % len] the page of ghost k.
 */
struct ghosts {
	u64 *seq1;
	u32 *ring;
	size_t len;
	u64 next;		/* ghosts so far */
};

static void ghosts_init(struct ghosts *g, size_t npages, size_t len)
{
	g->seq1 = xcalloc(npages, sizeof(u64));
	g->ring = xmalloc((len ? len : 1) * sizeof(u32));
	g->len = len;
	g->next = 0;
}

static void ghosts_free(struct ghosts *g)
{
	free(g->seq1);
	free(g->ring);
}

/*
 * @p as the newest ghost, the oldest forgotten once there are @len (a
 * page may be in the ring more than once: only its newest place counts).
 */
static void ghost_add(struct ghosts *g, u32 p)
{
	u32 *slot;

	if (!g->len)
		return;
	slot = &g->ring[g->next % g->len];
	if (g->next >= g->len && g->seq1[*slot] == g->next - g->len + 1)
		g->seq1[*slot] = 0;
	*slot = p;
	g->seq1[p] = ++g->next;
}

/* Forget @p's ghost (it is back): whether it had one. */
static bool ghost_take(struct ghosts *g, u32 p)
{
	bool had = g->seq1[p];

	g->seq1[p] = 0;
	return had;
}

enum { NOWHERE, SMALL, MAIN };

u64 s3fifo_faults(const u64 *seq, size_t n, size_t npages, size_t capacity,
		  unsigned int small_percent, size_t ghosts)
{
	u32 small = npages, main = npages + 1;
	unsigned char *where = xcalloc(npages, 1), *freq = xcalloc(npages, 1);
	size_t target = capacity * small_percent / 100, size[3] = { 0 }, i;
	struct ghosts ghost;
	u64 faults = 0;
	struct queues q;

	ghosts_init(&ghost, npages, ghosts);
	queues_init(&q, npages, 2);
	for (i = 0; i < n; i++) {
		u32 p = seq[i] & ~OPT_REMOVE;

		if (seq[i] & OPT_REMOVE) {
			if (where[p]) {
				unlink_page(&q, p);
				size[where[p]]--;
				where[p] = NOWHERE;
			}
			continue;
		}
		if (where[p]) {
			if (freq[p] < MAX_FREQ)
				freq[p]++;
			continue;
		}
		faults++;
		while (size[SMALL] + size[MAIN] >= capacity) {
			u32 t;

			if (size[SMALL] && (size[SMALL] > target || !size[MAIN])) {
				t = q.next[small];
				unlink_page(&q, t);
				size[SMALL]--;
				if (freq[t]) {
					freq[t] = 0;
					push_newest(&q, main, t);
					where[t] = MAIN;
					size[MAIN]++;
					continue;
				}
				where[t] = NOWHERE;
				ghost_add(&ghost, t);
				break;
			}
			t = q.next[main];
			unlink_page(&q, t);
			if (freq[t]) {
				freq[t]--;
				push_newest(&q, main, t);
				continue;
			}
			size[MAIN]--;
			where[t] = NOWHERE;
			break;
		}
		freq[p] = 0;
		where[p] = ghost_take(&ghost, p) ? MAIN : SMALL;
		push_newest(&q, where[p] == MAIN ? main : small, p);
		size[where[p]]++;
	}
	queues_free(&q);
	free(where);
	free(freq);
	ghosts_free(&ghost);
	return faults;
}

u64 sieve_faults(const u64 *seq, size_t n, size_t npages, size_t capacity)
{
	u32 head = npages, hand = head;
	unsigned char *in = xcalloc(npages, 1), *visited = xcalloc(npages, 1);
	size_t size = 0, i;
	u64 faults = 0;
	struct queues q;

	queues_init(&q, npages, 1);
	for (i = 0; i < n; i++) {
		u32 p = seq[i] & ~OPT_REMOVE;

		if (seq[i] & OPT_REMOVE) {
			if (in[p]) {
				if (hand == p)
					hand = q.next[p];
				unlink_page(&q, p);
				in[p] = 0;
				size--;
			}
			continue;
		}
		if (in[p]) {
			visited[p] = 1;
			continue;
		}
		faults++;
		if (size >= capacity) {
			for (;;) {
				u32 t = hand == head ? q.next[head] : hand;

				hand = q.next[t];
				if (!visited[t]) {
					unlink_page(&q, t);
					in[t] = 0;
					size--;
					break;
				}
				visited[t] = 0;
			}
		}
		push_newest(&q, head, p);
		in[p] = 1;
		visited[p] = 0;
		size++;
	}
	queues_free(&q);
	free(in);
	free(visited);
	return faults;
}

/* ARC's lists: T1 and T2 hold pages, B1 and B2 remember pages let go. */
enum { ARC_NONE, ARC_T1, ARC_T2, ARC_B1, ARC_B2, ARC_LISTS };

struct arc {
	struct queues q;
	u32 npages;
	unsigned char *where;
	size_t size[ARC_LISTS];
};

static void arc_move(struct arc *a, u32 p, unsigned int to)
{
	if (a->where[p]) {
		unlink_page(&a->q, p);
		a->size[a->where[p]]--;
	}
	a->where[p] = to;
	if (to) {
		push_newest(&a->q, a->npages + to - 1, p);
		a->size[to]++;
	}
}

static u32 arc_oldest(struct arc *a, unsigned int list)
{
	return a->q.next[a->npages + list - 1];
}

/*
 * REPLACE of the paper: free a frame, from T1 while it is over its
 * target @t1_target (or at it, when @p came from B2), else from T2.
 */
static void arc_replace(struct arc *a, u32 p, size_t t1_target)
{
	if (a->size[ARC_T1] && (a->size[ARC_T1] > t1_target ||
	    (a->where[p] == ARC_B2 && a->size[ARC_T1] == t1_target)))
		arc_move(a, arc_oldest(a, ARC_T1), ARC_B1);
	else if (a->size[ARC_T2])
		arc_move(a, arc_oldest(a, ARC_T2), ARC_B2);
	else
		arc_move(a, arc_oldest(a, ARC_T1), ARC_B1);
}

/*
 * ARC (Megiddo and Modha, FAST 2003): pages seen once in T1, more often in
 * T2; the target size of T1 grows on a hit in B1 (T1 let go too early)
 * and shrinks on a hit in B2, by the ratio of the ghost lists' sizes.
 */
u64 arc_faults(const u64 *seq, size_t n, size_t npages, size_t capacity)
{
	struct arc a = { .npages = npages };
	size_t t1_target = 0, i, delta, l1, total;
	u64 faults = 0;
	bool full;

	a.where = xcalloc(npages, 1);
	queues_init(&a.q, npages, ARC_LISTS - 1);
	for (i = 0; i < n; i++) {
		u32 p = seq[i] & ~OPT_REMOVE;

		if (seq[i] & OPT_REMOVE) {
			if (a.where[p] == ARC_T1 || a.where[p] == ARC_T2)
				arc_move(&a, p, ARC_NONE);
			continue;
		}
		if (a.where[p] == ARC_T1 || a.where[p] == ARC_T2) {
			arc_move(&a, p, ARC_T2);
			continue;
		}
		faults++;
		full = a.size[ARC_T1] + a.size[ARC_T2] >= capacity;
		if (a.where[p] == ARC_B1 || a.where[p] == ARC_B2) {
			if (a.where[p] == ARC_B1) {
				delta = a.size[ARC_B2] > a.size[ARC_B1] ?
					a.size[ARC_B2] / a.size[ARC_B1] : 1;
				t1_target = t1_target + delta > capacity ?
					    capacity : t1_target + delta;
			} else {
				delta = a.size[ARC_B1] > a.size[ARC_B2] ?
					a.size[ARC_B1] / a.size[ARC_B2] : 1;
				t1_target = t1_target > delta ?
					    t1_target - delta : 0;
			}
			if (full)
				arc_replace(&a, p, t1_target);
			arc_move(&a, p, ARC_T2);
			continue;
		}
		/* A new page; the lists stay within c and 2c pages. */
		l1 = a.size[ARC_T1] + a.size[ARC_B1];
		total = l1 + a.size[ARC_T2] + a.size[ARC_B2];
		if (!full) {
			/* Room (a start, or pages taken off): no replacement. */
			if (l1 >= capacity)
				arc_move(&a, arc_oldest(&a, ARC_B1), ARC_NONE);
			else if (total >= 2 * capacity)
				arc_move(&a, arc_oldest(&a, ARC_B2), ARC_NONE);
		} else if (l1 >= capacity) {
			if (a.size[ARC_T1] < capacity) {
				arc_move(&a, arc_oldest(&a, ARC_B1), ARC_NONE);
				arc_replace(&a, p, t1_target);
			} else {
				arc_move(&a, arc_oldest(&a, ARC_T1), ARC_NONE);
			}
		} else {
			if (total >= 2 * capacity)
				arc_move(&a, arc_oldest(&a, ARC_B2), ARC_NONE);
			arc_replace(&a, p, t1_target);
		}
		arc_move(&a, p, ARC_T1);
	}
	queues_free(&a.q);
	free(a.where);
	return faults;
}

/* LIRS's two lists: LIR pages by recency, resident HIR pages in a FIFO. */
#define LIRS_DEMOTE_MAX	64	/* LIR pages made HIR per eviction, at most */
enum { LIRS_NONE, LIRS_LIR, LIRS_HIR };

struct lirs {
	struct queues q;
	u32 lir, hir;			/* the sentinels */
	unsigned char *where;
	u64 *stamp;			/* last use, kept while a ghost */
	size_t nlir;
};

static void lirs_move(struct lirs *l, u32 p, unsigned int to)
{
	if (l->where[p]) {
		unlink_page(&l->q, p);
		l->nlir -= l->where[p] == LIRS_LIR;
	}
	l->where[p] = to;
	if (to) {
		push_newest(&l->q, to == LIRS_LIR ? l->lir : l->hir, p);
		l->nlir += to == LIRS_LIR;
	}
}

/* The last use of the least recently used LIR page, 0 if there is none. */
static u64 lirs_bottom(const struct lirs *l)
{
	return l->nlir ? l->stamp[l->q.next[l->lir]] : 0;
}

/*
 * LIRS (Jiang and Zhang, SIGMETRICS 2002) as bpf/lib/lirs.h keeps it: the
 * stack S is not a list but a test, "used more recently than the least
 * recently used LIR page", on a last-use stamp per page (for a page let
 * go, in a ghost ring of @capacity entries). The cold (HIR) share is 1%
 * of the device until a page comes back while still in S (the HIR queue
 * was too short to keep it); then it is half the device, less a page for
 * each HIR page let go after its test period (not used again while in
 * S), down to 1% again; after the device emptied, 1%. At most
 * LIRS_DEMOTE_MAX LIR pages over their share are made HIR per eviction.
 * Until the device first fills, and again after it emptied, pages are
 * LIR.
 */
u64 lirs_faults(const u64 *seq, size_t n, size_t npages, size_t capacity)
{
	struct lirs l = { .lir = npages, .hir = npages + 1 };
	size_t base = capacity / 100 ? capacity / 100 : 1, cold = base;
	u64 faults = 0, t = 0, g;
	size_t size = 0, i, k;
	struct ghosts ghost;
	bool full = false;

	ghosts_init(&ghost, npages, capacity);
	l.where = xcalloc(npages, 1);
	l.stamp = xcalloc(npages, sizeof(u64));
	queues_init(&l.q, npages, 2);
	for (i = 0; i < n; i++) {
		u32 p = seq[i] & ~OPT_REMOVE, v;

		if (seq[i] & OPT_REMOVE) {
			if (l.where[p]) {
				lirs_move(&l, p, LIRS_NONE);
				if (!--size) {		/* start over */
					cold = base;
					full = false;
				}
			}
			continue;
		}
		t++;
		if (l.where[p] == LIRS_LIR ||
		    (l.where[p] == LIRS_HIR && l.stamp[p] > lirs_bottom(&l))) {
			lirs_move(&l, p, LIRS_LIR);
			l.stamp[p] = t;
			continue;
		}
		if (l.where[p] == LIRS_HIR) {
			lirs_move(&l, p, LIRS_HIR);
			l.stamp[p] = t;
			continue;
		}
		faults++;
		if (size >= capacity) {
			full = true;
			for (k = 0; k < LIRS_DEMOTE_MAX &&
			     l.nlir > capacity - cold; k++)
				lirs_move(&l, l.q.next[l.lir], LIRS_HIR);
			v = l.q.next[l.hir] != l.hir ? l.q.next[l.hir] :
						      l.q.next[l.lir];
			/* Its test period over, unused: the share shrinks. */
			if (l.where[v] == LIRS_HIR && cold > base &&
			    l.stamp[v] <= lirs_bottom(&l))
				cold--;
			lirs_move(&l, v, LIRS_NONE);
			size--;
			ghost_add(&ghost, v);	/* its stamp stays in l.stamp */
		}
		g = ghost_take(&ghost, p) ? l.stamp[p] : 0;
		if (g && g > lirs_bottom(&l)) {
			if (full)	/* not after a start over, until full */
				cold = capacity / 2;
			lirs_move(&l, p, LIRS_LIR);
		} else {
			lirs_move(&l, p, !full || l.nlir < capacity - cold ?
				  LIRS_LIR : LIRS_HIR);
		}
		l.stamp[p] = t;
		size++;
	}
	queues_free(&l.q);
	free(l.where);
	free(l.stamp);
	ghosts_free(&ghost);
	return faults;
}
