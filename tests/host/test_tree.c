// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/lib/tree.h on the host: residency is per device, so pages on one
 * device do not make a region dense for a fault on another; a region
 * dense on the faulting device is still fetched. This file plays GMEM:
 * the blocks map, and gmem_prefetch_range() recording what it is asked.
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
#define pf_states		tree_pf_states
#define pf_fresh		tree_pf_fresh
#define pf_samples		tree_pf_samples
#define pf_bad_samples		tree_pf_bad_samples
#include "lib/tree.h"

#define BASE	0x7f0000000000ULL
#define MAX_BLOCKS	8

static struct {
	struct block_key key;
	struct block_bits bits;
	bool used;
} map[MAX_BLOCKS];
static unsigned long asked;	/* pages gmem_prefetch_range() was asked for */

/* Only the blocks: no page leaves here, so pf_feedback.h's map stays empty. */
void *tree_map_lookup_elem(void *m, const void *key)
{
	int i;

	if (m != &blocks)
		return NULL;
	for (i = 0; i < MAX_BLOCKS; i++) {
		if (map[i].used && !memcmp(&map[i].key, key, sizeof(map[i].key)))
			return &map[i].bits;
	}
	return NULL;
}

long tree_map_update_elem(void *m, const void *key, const void *value,
			  __u64 flags)
{
	int i;

	(void)flags;
	if (m != &blocks)
		return -1;
	for (i = 0; i < MAX_BLOCKS; i++) {
		if (!map[i].used) {
			map[i].used = true;
			memcpy(&map[i].key, key, sizeof(map[i].key));
			memcpy(&map[i].bits, value, sizeof(map[i].bits));
			return 0;
		}
	}
	return -1;
}

long tree_map_delete_elem(void *m, const void *key)
{
	struct block_bits *bits = tree_map_lookup_elem(m, key);

	if (!bits)
		return -1;
	map[(bits - &map[0].bits) / (sizeof(map[0]) / sizeof(*bits))].used = false;
	return 0;
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

/* Pages [first, last] of the first 2 MiB block arrive on device @dev. */
static void arrive(__u32 dev, __u32 first, __u32 last)
{
	__u32 i;

	for (i = first; i <= last; i++) {
		struct gmem_page page = {
			.va = BASE + (__u64)i * GMEM_PAGE_SIZE,
			.as_id = 1,
			.dev = dev,
		};

		tree_mark(&page, true);
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

static int residency_is_per_device(void)
{
	unsigned long n;

	memset(map, 0, sizeof(map));
	/* The block is all on device 0 but page 100. */
	arrive(0, 0, 99);
	arrive(0, 101, 511);
	EXPECT(blocks_dropped == 0, "%llu blocks dropped",
	       (unsigned long long)blocks_dropped);
	n = fault(1, 100);
	EXPECT(n == 0, "device 1's fault asked for %lu pages of device 0's block", n);
	/* Device 1 holds pages 0-299 of it: 58% of the block, dense there. */
	arrive(1, 0, 299);
	n = fault(1, 300);
	EXPECT(n == 512 - 288, "device 1's fault asked for %lu pages", n);
	return 0;
}

const struct host_test tree_tests[] = {
	{ "residency is per device: another device's pages are not density",
	  residency_is_per_device },
	{ NULL }
};
