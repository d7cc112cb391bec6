// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/lib/stride.h on the host: the faults of strided scans under it,
 * with this file playing GMEM (the map, gmem_prefetch_range() as
 * mm/gmem/decide.c validates it, a device that holds every page). The
 * same scans run in the guest, selftests/policy.bats.
 */
#include <stdlib.h>
#include <string.h>

#include "host_test.h"
#include "lib/stride.h"

#define BASE		0x7f0000000000ULL
#define MAX_PAGES	8192

/* The device: which pages of [BASE, BASE + MAX_PAGES pages) it holds. */
static bool resident[MAX_PAGES];
/* This fault's ranges so far, and the kfunc calls GMEM refused. */
static int nr_ranges;
static unsigned long refused;

/* The map strides, for one address space at a time. */
static struct stride_state state;
static bool state_used;

/*
 * The device here holds every page, so no prefetched page ever leaves:
 * the feedback's map (pf_feedback.h) stays empty.
 */
void *bpf_map_lookup_elem(void *map, const void *key)
{
	(void)key;
	return map == &strides && state_used ? &state : NULL;
}

long bpf_map_update_elem(void *map, const void *key, const void *value,
			 __u64 flags)
{
	(void)key;
	(void)flags;
	if (map != &strides)
		return -1;
	memcpy(&state, value, sizeof(state));
	state_used = true;
	return 0;
}

long bpf_map_delete_elem(void *map, const void *key)
{
	(void)key;
	if (map != &strides)
		return -1;
	state_used = false;
	return 0;
}

/* No feedback here (pf_states is not this file's map): nothing to judge. */
__u64 gmem_prefetch_verdicts(struct gmem_prefetch_ctx *ctx, __u64 start,
			     __u64 nr_pages)
{
	(void)ctx;
	(void)start;
	(void)nr_pages;
	return 0;
}

/* As GMEM: clamped to the mapping and the budget, four ranges a fault. */
int gmem_prefetch_range(struct gmem_prefetch_ctx *ctx, __u64 start,
			__u64 nr_pages)
{
	__u64 end, pages, va;

	start &= ~(GMEM_PAGE_SIZE - 1);
	end = start + nr_pages * GMEM_PAGE_SIZE;
	if (!nr_pages || nr_pages > ctx->vma_end / GMEM_PAGE_SIZE ||
	    end < start)
		goto refuse;
	if (start < ctx->vma_start)
		start = ctx->vma_start;
	if (end > ctx->vma_end)
		end = ctx->vma_end;
	if (start >= end || !ctx->budget || nr_ranges == 4)
		goto refuse;
	pages = (end - start) / GMEM_PAGE_SIZE;
	if (pages > ctx->budget)
		pages = ctx->budget;
	ctx->budget -= pages;
	nr_ranges++;
	for (va = start; va < start + pages * GMEM_PAGE_SIZE;
	     va += GMEM_PAGE_SIZE)
		resident[(va - BASE) / GMEM_PAGE_SIZE] = true;
	return pages;
refuse:
	refused++;
	return -1;
}

/*
 * Faults of @accesses accesses over a fresh mapping of @npages pages,
 * the i-th at page (i * @step) % @npages, counted from the top when
 * @down: gmem_sim's strided pattern.
 */
static unsigned long scan(unsigned long npages, unsigned long step,
			  unsigned long accesses, bool down)
{
	struct gmem_as_info as = { .id = 1 };
	unsigned long i, page, faults = 0;

	memset(resident, 0, sizeof(resident));
	refused = 0;
	for (i = 0; i < accesses; i++) {
		struct gmem_prefetch_ctx req = {
			.vma_start = BASE,
			.vma_end = BASE + npages * GMEM_PAGE_SIZE,
			.as_id = as.id,
			.budget = 512,
		};

		page = i * step % npages;
		if (down)
			page = npages - 1 - page;
		if (resident[page])
			continue;
		faults++;
		resident[page] = true;
		req.va = BASE + page * GMEM_PAGE_SIZE;
		nr_ranges = 0;
		stride_do_prefetch(&req);
	}
	stride_do_exit(&as);
	return faults;
}

/*
 * Faults on the first three pages (the third finds the stride), then
 * just past each prefetch: 16, 32, ... 256 pages, then every 257 pages
 * (19, 52, 117, 246, 503, 760, ...).
 */
static int sequential_scans_follow_the_window(void)
{
	unsigned long up = scan(8192, 1, 8192, false);
	unsigned long down = scan(8192, 1, 8192, true);

	EXPECT(up == 37, "8192 pages upwards: %lu faults", up);
	EXPECT(down == 37, "8192 pages downwards: %lu faults", down);
	return 0;
}

/*
 * Four strides ahead after the third fault: one fault per five pages. The
 * last fault (page 8128 of the stride of 64) proposes nothing past the
 * mapping, which GMEM would refuse.
 */
static int strided_scans_take_one_fault_in_five(void)
{
	unsigned long s4 = scan(8192, 4, 2048, false);
	unsigned long s16 = scan(8192, 16, 512, false);
	unsigned long s64 = scan(8192, 64, 128, false);

	EXPECT(s4 == 3 + (2048 - 3) / 5, "stride 4: %lu faults", s4);
	EXPECT(s16 == 3 + (512 - 3) / 5, "stride 16: %lu faults", s16);
	EXPECT(s64 == 3 + (128 - 3) / 5, "stride 64: %lu faults", s64);
	EXPECT(refused == 0, "%lu refused", refused);
	return 0;
}

/* Beyond 64 pages apart is no stride: every page faults. */
static int wider_strides_prefetch_nothing(void)
{
	unsigned long s65 = scan(8192, 65, 126, false);

	EXPECT(s65 == 126, "stride 65: %lu faults", s65);
	return 0;
}

const struct host_test stride_tests[] = {
	{ "sequential scans, up and down: 37 faults in 8192 pages",
	  sequential_scans_follow_the_window },
	{ "strides of 4, 16 and 64 pages: a fault in five",
	  strided_scans_take_one_fault_in_five },
	{ "strides over 64 pages prefetch nothing",
	  wider_strides_prefetch_nothing },
	{ NULL }
};
