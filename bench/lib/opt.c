// SPDX-License-Identifier: GPL-2.0
/*
 * Belady's OPT (MIN): the fewest demand faults any eviction policy can take
 * on a reference string with a device of @capacity pages, computed offline
 * in O(n log k): a backward pass gives each reference the index of the next
 * reference to the same page; a forward pass keeps the resident pages in an
 * indexed max-heap keyed by that next use and, on a fault with the device
 * full, evicts the page used furthest in the future (or never again).
 *
 * References with OPT_REMOVE set take the page off the device (the CPU
 * touched it): a removal frees its frame, and a page whose next event is a
 * removal counts as never used again, so it goes first. Evicting the
 * furthest next use stays optimal with such forced removals.
 *
 * Also LRU and FIFO at the same capacity, for reference (O(n)).
 */
#include <stdlib.h>
#include <string.h>

#include "opt.h"

#define NEVER	UINT32_MAX
#define NOWHERE	UINT32_MAX

struct heap {
	u32 *page;	/* heap of pages */
	u32 *key;	/* key[page]: next use */
	u32 *pos;	/* pos[page]: index in the heap, or NOWHERE */
	size_t size;
};

static void heap_swap(struct heap *h, size_t a, size_t b)
{
	u32 pa = h->page[a], pb = h->page[b];

	h->page[a] = pb;
	h->page[b] = pa;
	h->pos[pb] = a;
	h->pos[pa] = b;
}

static void heap_up(struct heap *h, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (h->key[h->page[parent]] >= h->key[h->page[i]])
			break;
		heap_swap(h, i, parent);
		i = parent;
	}
}

static void heap_down(struct heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, big = i;

		if (l < h->size && h->key[h->page[l]] > h->key[h->page[big]])
			big = l;
		if (r < h->size && h->key[h->page[r]] > h->key[h->page[big]])
			big = r;
		if (big == i)
			break;
		heap_swap(h, i, big);
		i = big;
	}
}

static void heap_remove(struct heap *h, u32 page)
{
	size_t i = h->pos[page];

	h->pos[page] = NOWHERE;
	if (--h->size == i)
		return;
	h->page[i] = h->page[h->size];
	h->pos[h->page[i]] = i;
	heap_up(h, i);
	heap_down(h, h->pos[h->page[i]]);
}

u64 opt_faults(const u64 *seq, size_t n, size_t npages, size_t capacity)
{
	u32 *next = xmalloc(n * sizeof(*next));
	u32 *last = xmalloc(npages * sizeof(*last));
	struct heap h = {
		.page = xmalloc((capacity + 1) * sizeof(u32)),
		.key = xmalloc(npages * sizeof(u32)),
		.pos = xmalloc(npages * sizeof(u32)),
	};
	u64 faults = 0;
	size_t i;

	if (n >= NEVER)
		die("opt: reference string too long");
	/* Backward: the next access to the same page, unless removed first. */
	for (i = 0; i < npages; i++) {
		last[i] = NEVER;
		h.pos[i] = NOWHERE;
	}
	for (i = n; i-- > 0;) {
		u64 p = seq[i] & ~OPT_REMOVE;

		if (seq[i] & OPT_REMOVE) {
			last[p] = NEVER;
			continue;
		}
		next[i] = last[p];
		last[p] = i;
	}
	for (i = 0; i < n; i++) {
		u32 p = seq[i] & ~OPT_REMOVE;

		if (seq[i] & OPT_REMOVE) {
			if (h.pos[p] != NOWHERE)
				heap_remove(&h, p);
			continue;
		}
		if (h.pos[p] != NOWHERE) {
			/* Hit: the next use moves later, never earlier. */
			h.key[p] = next[i];
			heap_up(&h, h.pos[p]);
			heap_down(&h, h.pos[p]);
			continue;
		}
		faults++;
		if (h.size == capacity)
			heap_remove(&h, h.page[0]);
		h.key[p] = next[i];
		h.page[h.size] = p;
		h.pos[p] = h.size++;
		heap_up(&h, h.pos[p]);
	}
	free(next);
	free(last);
	free(h.page);
	free(h.key);
	free(h.pos);
	return faults;
}

/* LRU: a doubly linked list through arrays, most recent at the head. */
u64 lru_faults(const u64 *seq, size_t n, size_t npages, size_t capacity)
{
	u32 *prev = xmalloc((npages + 1) * sizeof(u32));
	u32 *nxt = xmalloc((npages + 1) * sizeof(u32));
	bool *in = xcalloc(npages, sizeof(bool));
	u32 head = npages;	/* sentinel */
	size_t size = 0, i;
	u64 faults = 0;

	prev[head] = nxt[head] = head;
#define UNLINK(p) do { nxt[prev[p]] = nxt[p]; prev[nxt[p]] = prev[p]; } while (0)
#define PUSH(p) do { prev[p] = head; nxt[p] = nxt[head]; prev[nxt[head]] = p; \
		     nxt[head] = p; } while (0)
	for (i = 0; i < n; i++) {
		u32 p = seq[i] & ~OPT_REMOVE;

		if (seq[i] & OPT_REMOVE) {
			if (in[p]) {
				UNLINK(p);
				in[p] = false;
				size--;
			}
			continue;
		}
		if (in[p]) {
			UNLINK(p);
			PUSH(p);
			continue;
		}
		faults++;
		if (size == capacity) {
			u32 victim = prev[head];

			UNLINK(victim);
			in[victim] = false;
			size--;
		}
		PUSH(p);
		in[p] = true;
		size++;
	}
#undef UNLINK
#undef PUSH
	free(prev);
	free(nxt);
	free(in);
	return faults;
}

/* FIFO: arrival order; a removed page leaves a hole the queue skips. */
u64 fifo_faults(const u64 *seq, size_t n, size_t npages, size_t capacity)
{
	u64 *arrived = xcalloc(npages, sizeof(u64));	/* arrival stamp + 1 */
	u32 *queue = xmalloc((n + 1) * sizeof(u32));
	u64 *stamp = xmalloc((n + 1) * sizeof(u64));
	size_t qh = 0, qt = 0, size = 0, i;
	u64 faults = 0, clock = 0;

	for (i = 0; i < n; i++) {
		u32 p = seq[i] & ~OPT_REMOVE;

		if (seq[i] & OPT_REMOVE) {
			if (arrived[p]) {
				arrived[p] = 0;
				size--;
			}
			continue;
		}
		if (arrived[p])
			continue;
		faults++;
		while (size == capacity && qh < qt) {
			u32 victim = queue[qh];

			/* Stale entries: pages removed (and maybe back) since. */
			if (arrived[victim] == stamp[qh] + 1) {
				arrived[victim] = 0;
				size--;
			}
			qh++;
		}
		stamp[qt] = clock;
		queue[qt++] = p;
		arrived[p] = ++clock;
		size++;
	}
	free(arrived);
	free(queue);
	free(stamp);
	return faults;
}

/*
 * The check of opt_faults(): on short random strings over a few pages
 * (with removals), the true minimum by exhaustive search, a table over
 * (position, resident set) in which a fault may evict any resident page,
 * even with a frame free.
 */
#define CHECK_PAGES	6
#define CHECK_LEN	16

static u32 exhaustive(const u64 *seq, size_t n, size_t capacity)
{
	u32 best[CHECK_LEN + 1][1 << CHECK_PAGES];
	unsigned int s, q;
	size_t i;

	for (s = 0; s < 1U << CHECK_PAGES; s++)
		best[n][s] = 0;
	for (i = n; i-- > 0;) {
		u32 bit = 1U << (seq[i] & ~OPT_REMOVE);

		for (s = 0; s < 1U << CHECK_PAGES; s++) {
			u32 m = UINT32_MAX;

			if ((size_t)__builtin_popcount(s) > capacity) {
				best[i][s] = UINT32_MAX;
				continue;
			}
			if (seq[i] & OPT_REMOVE) {
				best[i][s] = best[i + 1][s & ~bit];
				continue;
			}
			if (s & bit) {
				best[i][s] = best[i + 1][s];
				continue;
			}
			if ((size_t)__builtin_popcount(s) < capacity)
				m = best[i + 1][s | bit];
			for (q = 0; q < CHECK_PAGES; q++)
				if ((s & 1U << q) && best[i + 1][(s & ~(1U << q)) | bit] < m)
					m = best[i + 1][(s & ~(1U << q)) | bit];
			best[i][s] = m + 1;
		}
	}
	return best[0][0];
}

int opt_check(unsigned long strings, u64 seed, double *big_seconds)
{
	u64 seq[CHECK_LEN], rng = seed, *big, t0;
	unsigned long k, bad = 0;
	size_t n, i, cap, npages;

	for (k = 0; k < strings; k++) {
		npages = 2 + rng_next(&rng) % (CHECK_PAGES - 1);
		cap = 1 + rng_next(&rng) % 4;
		n = 1 + rng_next(&rng) % CHECK_LEN;
		for (i = 0; i < n; i++) {
			seq[i] = rng_next(&rng) % npages;
			if (rng_next(&rng) % 8 == 0)
				seq[i] |= OPT_REMOVE;
		}
		if (opt_faults(seq, n, npages, cap) != exhaustive(seq, n, cap))
			bad++;
	}
	/* And the time for 10M uniform references over 64 Ki pages at 16 Ki. */
	n = 10000000;
	big = xmalloc(n * sizeof(*big));
	for (i = 0; i < n; i++)
		big[i] = rng_next(&rng) % 65536;
	t0 = now_ns();
	opt_faults(big, n, 65536, 16384);
	*big_seconds = (now_ns() - t0) / 1e9;
	free(big);
	return bad;
}
