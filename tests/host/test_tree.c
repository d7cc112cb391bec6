// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/lib/tree.h on the host: residency is per device, so pages on one
 * device do not make a region dense for a fault on another; a region
 * dense on the faulting device is still fetched; holes the device used
 * before are bet apart from those it never had. This file plays GMEM:
 * the maps, and gmem_prefetch_range() recording what it is asked.
 */
#include <string.h>

#include "host_test.h"

/*
 * test_stride.c defines the map helpers of its map, and the globals of
 * pf_feedback.h: these are this file's.
 */
#define bpf_map_lookup_elem	tree_map_lookup_elem
#define bpf_map_update_elem	tree_map_update_elem
#define bpf_map_delete_elem	tree_map_delete_elem
#define gmem_prefetch_range	tree_prefetch_range
#define gmem_prefetch_verdicts	tree_prefetch_verdicts
#define pf_sample		tree_pf_sample
#define pf_waste_pct		tree_pf_waste_pct
#define pf_miss_pct		tree_pf_miss_pct
#define pf_states		tree_pf_states
#define pf_fresh		tree_pf_fresh
#define pf_samples		tree_pf_samples
#define pf_bad_samples		tree_pf_bad_samples
#define gmem_ghost_ring		tree_ghost_ring
#define gmem_ghost_next		tree_ghost_next
#define gmem_ghosts		tree_ghosts
#include "lib/tree.h"

#define BASE		0x7f0000000000ULL
#define MAX_ENTRIES	16

/*
 * The maps: blocks, blocks_used and pf_states, entries tagged by map. The
 * ghosts are not kept (test_prefetch.c has them): no ring, no ghost.
 */
static struct {
	const void *m;
	unsigned char key[sizeof(struct block_key)];
	union {
		struct block_bits bits;
		struct pf_state st;
	} value;
	bool used;
} map[MAX_ENTRIES];
static unsigned long asked;	/* pages gmem_prefetch_range() was asked for */

static size_t key_size(const void *m)
{
	return m == &pf_states ? sizeof(__u64) : sizeof(struct block_key);
}

void *tree_map_lookup_elem(void *m, const void *key)
{
	static struct pf_state fresh;	/* pf_fresh: an array has its entry */
	int i;

	if (m == &pf_fresh)
		return &fresh;
	if (m == &gmem_ghost_next || m == &gmem_ghosts)
		return NULL;
	for (i = 0; i < MAX_ENTRIES; i++) {
		if (map[i].used && map[i].m == m &&
		    !memcmp(map[i].key, key, key_size(m)))
			return &map[i].value;
	}
	return NULL;
}

long tree_map_update_elem(void *m, const void *key, const void *value,
			  __u64 flags)
{
	int i;

	(void)flags;
	for (i = 0; i < MAX_ENTRIES; i++) {
		if (!map[i].used) {
			map[i].used = true;
			map[i].m = m;
			memcpy(map[i].key, key, key_size(m));
			memcpy(&map[i].value, value, m == &pf_states ?
			       sizeof(struct pf_state) : sizeof(struct block_bits));
			return 0;
		}
	}
	return -1;
}

long tree_map_delete_elem(void *m, const void *key)
{
	int i;

	for (i = 0; i < MAX_ENTRIES; i++) {
		if (map[i].used && map[i].m == m &&
		    !memcmp(map[i].key, key, key_size(m))) {
			map[i].used = false;
			return 0;
		}
	}
	return -1;
}

/* The tree's choices are what is tested here, not its feedback. */
__u64 tree_prefetch_verdicts(struct gmem_prefetch_ctx *ctx, __u64 start,
			     __u64 nr_pages)
{
	(void)ctx;
	(void)start;
	(void)nr_pages;
	return 0;
}

int tree_prefetch_range(struct gmem_prefetch_ctx *ctx, __u64 start,
			__u64 nr_pages)
{
	(void)ctx;
	(void)start;
	asked += nr_pages;
	return nr_pages;
}

/*
 * Pages [first, last] of the first 2 MiB block arrive on device @dev
 * (@arrive) or leave it, as page_added and page_removed tell the tree.
 */
static void pages(__u32 dev, __u32 first, __u32 last, bool arrive,
		  __u32 flags)
{
	__u32 i;

	for (i = first; i <= last; i++) {
		struct gmem_page page = {
			.va = BASE + (__u64)i * GMEM_PAGE_SIZE,
			.as_id = 1,
			.dev = dev,
			.flags = flags,
		};

		if (arrive)
			tree_do_page_added(&page);
		else
			tree_do_page_removed(&page);
	}
}

/* Pages asked for after a fault of device @dev on page @page. */
static unsigned long fault(__u32 dev, __u32 page)
{
	struct gmem_prefetch_ctx req = {
		.va = BASE + (__u64)page * GMEM_PAGE_SIZE,
		.vma_start = BASE,
		.vma_end = BASE + 4 * BLOCK_PAGES * GMEM_PAGE_SIZE,
		.as_id = 1,
		.dev = dev,
		.budget = 512,
	};

	asked = 0;
	tree_do_prefetch(&req);
	return asked;
}

/*
 * The address space's FIRST and AGAIN bets at these levels of distrust
 * (at a level past the probes, none due for a thousand faults), a
 * thousand faults into a sample, so that a test's few verdicts do not
 * tip it.
 */
static void trust(__u32 first_level, __u32 again_level)
{
	struct pf_state st = { .wait = 1000, .faults = 1000 };
	__u64 key;

	st.level = first_level;
	key = pf_key(1, PF_KIND_FIRST);
	tree_map_delete_elem(&pf_states, &key);
	tree_map_update_elem(&pf_states, &key, &st, 0);
	st.level = again_level;
	key = pf_key(1, PF_KIND_AGAIN);
	tree_map_delete_elem(&pf_states, &key);
	tree_map_update_elem(&pf_states, &key, &st, 0);
}

static struct pf_state *state(enum pf_kind kind)
{
	__u64 key = pf_key(1, kind);

	return tree_map_lookup_elem(&pf_states, &key);
}

static int residency_is_per_device(void)
{
	unsigned long n;

	memset(map, 0, sizeof(map));
	trust(0, 0);
	/* The block is all on device 0 but page 100. */
	pages(0, 0, 99, true, 0);
	pages(0, 101, 511, true, 0);
	EXPECT(blocks_dropped == 0, "%llu blocks dropped",
	       (unsigned long long)blocks_dropped);
	n = fault(1, 100);
	EXPECT(n == 0, "device 1's fault asked for %lu pages of device 0's block", n);
	/*
	 * Device 1 holds pages 0-299 of it: 58% of the block, dense there.
	 * The rest of leaf 18 (288-303) and leaf 19, the empty one of the
	 * fault's 64 pages; no leaf past them has a page on the device.
	 */
	pages(1, 0, 299, true, 0);
	n = fault(1, 300);
	EXPECT(n == 32, "device 1's fault asked for %lu pages", n);
	return 0;
}

static int holes_used_before_are_bet_apart(void)
{
	struct pf_state *first, *again;
	unsigned long n;

	/*
	 * Pages 0-299 came by faults, 0-31 left again: 268 of 512 pages
	 * resident, dense. Leaves 0-1 are AGAIN, 18 (300- never came)
	 * FIRST: a range of each kind, each in its kind's bets. (Leaves
	 * 19-31 are FIRST too, but empty and away from the fault.)
	 */
	memset(map, 0, sizeof(map));
	trust(0, 0);
	pages(0, 0, 299, true, 0);
	pages(0, 0, 31, false, 0);
	n = fault(0, 40);
	first = state(PF_KIND_FIRST);
	again = state(PF_KIND_AGAIN);
	EXPECT(n == 32 + 16, "asked for %lu pages", n);
	EXPECT(first->nr_bets == 1 && first->bets[0].start == BASE + 288 *
	       GMEM_PAGE_SIZE && first->bets[0].pages == 16,
	       "FIRST: %u bets, the first %u pages at page %llu", first->nr_bets,
	       first->bets[0].pages,
	       (first->bets[0].start - BASE) / GMEM_PAGE_SIZE);
	EXPECT(again->nr_bets == 1 && again->bets[0].start == BASE &&
	       again->bets[0].pages == 32,
	       "AGAIN: %u bets, the first %u pages at page %llu", again->nr_bets,
	       again->bets[0].pages,
	       (again->bets[0].start - BASE) / GMEM_PAGE_SIZE);

	/*
	 * Refetching distrusted, fetching trusted: only the FIRST leaves.
	 * Leaf 19 came by prefetch and left used (AGAIN now), leaf 20 came
	 * by prefetch and left unused (FIRST still). A fault on leaf 20:
	 * leaf 18 and the fault's 64 pages, leaves 20-23.
	 */
	memset(map, 0, sizeof(map));
	pages(0, 0, 299, true, 0);
	pages(0, 0, 31, false, 0);
	pages(0, 304, 335, true, GMEM_PAGE_PREFETCHED);
	pages(0, 304, 319, false, GMEM_PAGE_PREFETCHED);
	pages(0, 320, 335, false, GMEM_PAGE_PREFETCHED | GMEM_PAGE_UNUSED);
	trust(0, PF_MAX_LEVEL);
	n = fault(0, 330);
	EXPECT(n == 16 + 4 * 16, "asked for %lu pages, not leaves 18, 20-23",
	       n);
	return 0;
}

/*
 * A leaf of a dense region with no page on the device is fetched only
 * among the fault's 64 pages: a structure nobody began is a bet on its
 * address alone. Pages 0-299 resident, 58% of the block: a fault on page
 * 300 fetches the rest of leaf 18 and leaf 19 (32 pages; all 224 of
 * leaves 18-31 before), one on page 360 leaf 18 and leaves 20-23 (80).
 */
static int empty_leaves_only_near_the_fault(void)
{
	unsigned long n;

	memset(map, 0, sizeof(map));
	trust(0, 0);
	pages(0, 0, 299, true, 0);
	n = fault(0, 300);
	EXPECT(n == 32, "a fault on page 300 asked for %lu pages", n);
	n = fault(0, 360);
	EXPECT(n == 16 + 64, "a fault on page 360 asked for %lu pages", n);
	return 0;
}

const struct host_test tree_tests[] = {
	{ "residency is per device: another device's pages are not density",
	  residency_is_per_device },
	{ "holes the device used before are bet apart from those it never had",
	  holes_used_before_are_bet_apart },
	{ "a dense region's empty leaves are fetched only near the fault",
	  empty_leaves_only_near_the_fault },
	{ NULL }
};
