// SPDX-License-Identifier: GPL-2.0
/*
 * hashjoin: the program whose memory references bench/traces/hashjoin.vpn.gz
 * holds (bench/record-trace.sh records it under valgrind's lackey tool).
 *
 * A hash join with aggregation, the inner loop of many analytics engines:
 * build an open-addressing hash table over R (64 Ki tuples), generate S
 * (64 Ki tuples whose keys are drawn from R with a heavy skew: a few keys
 * are hot), probe the table with S, summing S's values per key, then scan
 * the table. About 1000 distinct 4 KiB pages; streaming (R, S), skewed
 * random (table) and uniform random (R while generating S) phases.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define R_N	(1 << 16)
#define S_N	(1 << 16)
#define BUCKETS	(1 << 17)

struct tuple {
	uint64_t key, val;
};

static uint64_t rng = 88172645463325252ULL;

static inline uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static inline uint64_t hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	return k ^ (k >> 33);
}

int main(void)
{
	struct tuple *r = malloc(R_N * sizeof(*r));
	struct tuple *s = malloc(S_N * sizeof(*s));
	struct tuple *h = calloc(BUCKETS, sizeof(*h));
	uint64_t i, b, total = 0;

	if (!r || !s || !h)
		return 1;
	for (i = 0; i < R_N; i++) {
		r[i].key = next() | 1;
		r[i].val = i;
	}
	for (i = 0; i < R_N; i++) {
		for (b = hash(r[i].key) & (BUCKETS - 1); h[b].key;
		     b = (b + 1) & (BUCKETS - 1))
			;
		h[b].key = r[i].key;
	}
	/* Skewed keys: a range of R_N >> 0..11, uniform within it. */
	for (i = 0; i < S_N; i++) {
		s[i].key = r[next() % (R_N >> (next() % 12))].key;
		s[i].val = i;
	}
	for (i = 0; i < S_N; i++) {
		for (b = hash(s[i].key) & (BUCKETS - 1); h[b].key != s[i].key;
		     b = (b + 1) & (BUCKETS - 1))
			;
		h[b].val += s[i].val;
	}
	for (b = 0; b < BUCKETS; b++)
		total += h[b].val;
	printf("%llu\n", (unsigned long long)total);
	return 0;
}
