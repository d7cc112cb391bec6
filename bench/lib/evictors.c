// SPDX-License-Identifier: GPL-2.0
/*
 * Offline S3-FIFO and SIEVE (evictors.h), written from their papers'
 * descriptions as plain queues of page numbers; bpf/lib/ has the BPF
 * versions, which keep the same queues in frame slots.
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

enum { NOWHERE, SMALL, MAIN };

u64 s3fifo_faults(const u64 *seq, size_t n, size_t npages, size_t capacity,
		  unsigned int small_percent, size_t ghosts)
{
	u32 small = npages, main = npages + 1;
	unsigned char *where = xcalloc(npages, 1), *freq = xcalloc(npages, 1);
	/* The ghost queue: a ring of pages; ghost[p] = its stamp + 1. */
	u64 *ghost = xcalloc(npages, sizeof(u64));
	u32 *ring = xmalloc((ghosts ? ghosts : 1) * sizeof(u32));
	u64 *ring_stamp = xmalloc((ghosts ? ghosts : 1) * sizeof(u64));
	size_t target = capacity * small_percent / 100, size[3] = { 0 };
	size_t ring_head = 0, ring_len = 0, i;
	u64 faults = 0, stamp = 0;
	struct queues q;

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
				if (ghosts) {
					size_t slot;

					if (ring_len == ghosts) {	/* forget the oldest */
						u32 old = ring[ring_head];

						if (ghost[old] == ring_stamp[ring_head] + 1)
							ghost[old] = 0;
						ring_head = (ring_head + 1) % ghosts;
						ring_len--;
					}
					slot = (ring_head + ring_len++) % ghosts;
					ring[slot] = t;
					ring_stamp[slot] = stamp;
					ghost[t] = ++stamp;
				}
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
		where[p] = ghost[p] ? MAIN : SMALL;
		ghost[p] = 0;
		push_newest(&q, where[p] == MAIN ? main : small, p);
		size[where[p]]++;
	}
	queues_free(&q);
	free(where);
	free(freq);
	free(ghost);
	free(ring);
	free(ring_stamp);
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
