// SPDX-License-Identifier: GPL-2.0
/*
 * bench/lib/util.c: the comparators and nearest-rank percentiles the
 * latency summaries use, and the deterministic random numbers.
 */
#include <stdlib.h>

#include "host_test.h"
#include "util.h"

static int sort_and_nearest_rank_percentiles(void)
{
	u64 v64[10] = { 7, 3, 10, 1, 9, 2, 8, 4, 6, 5 };
	u32 v32[10] = { 70, 30, 100, 10, 90, 20, 80, 40, 60, 50 };
	int i;

	qsort(v64, 10, sizeof(u64), cmp_u64);
	qsort(v32, 10, sizeof(u32), cmp_u32);
	for (i = 0; i < 10; i++)
		EXPECT(v64[i] == (u64)i + 1 && v32[i] == 10 * ((u32)i + 1),
		       "sorted [%d]: %llu, %u", i, (unsigned long long)v64[i],
		       v32[i]);
	EXPECT(pct_u64(v64, 10, 0.5) == 5 && pct_u64(v64, 10, 0.9) == 9 &&
	       pct_u64(v64, 10, 0.99) == 10 && pct_u64(v64, 10, 0) == 1 &&
	       pct_u64(v64, 10, 0.51) == 6,
	       "p50 %llu, p90 %llu, p99 %llu",
	       (unsigned long long)pct_u64(v64, 10, 0.5),
	       (unsigned long long)pct_u64(v64, 10, 0.9),
	       (unsigned long long)pct_u64(v64, 10, 0.99));
	EXPECT(pct_u32(v32, 10, 0.5) == 50 && pct_u32(v32, 10, 1) == 100 &&
	       pct_u32(v32, 10, 0.11) == 20,
	       "p50 %llu, p100 %llu", (unsigned long long)pct_u32(v32, 10, 0.5),
	       (unsigned long long)pct_u32(v32, 10, 1));
	EXPECT(pct_u64(v64, 0, 0.5) == 0 && pct_u32(v32, 0, 0.5) == 0,
	       "no samples");
	return 0;
}

/* splitmix64 from seed 0: the published first outputs; units in [0, 1). */
static int splitmix64_sequence(void)
{
	u64 s = 0, t = 1;
	int i;

	EXPECT(rng_next(&s) == 0xe220a8397b1dcdafULL, "first");
	EXPECT(rng_next(&s) == 0x6e789e6aa1b965f4ULL, "second");
	for (i = 0; i < 1000; i++) {
		double u = rng_unit(&t);

		EXPECT(u >= 0 && u < 1, "unit %g", u);
	}
	return 0;
}

const struct host_test util_tests[] = {
	{ "comparators sort; nearest-rank percentiles", sort_and_nearest_rank_percentiles },
	{ "splitmix64 sequence, units in [0, 1)", splitmix64_sequence },
	{ NULL }
};
