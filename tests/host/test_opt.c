// SPDX-License-Identifier: GPL-2.0
/*
 * bench/lib/opt.c: Belady's OPT against an exhaustive search of its own
 * (every victim tried, memoised over position and resident set), offline
 * LRU and FIFO against naive simulations, and textbook values.
 */
#include <stdbool.h>
#include <string.h>

#include "host_test.h"
#include "opt.h"

#define BRUTE_PAGES	6
#define BRUTE_LEN	14

static unsigned int memo[BRUTE_LEN + 1][1 << BRUTE_PAGES];
static bool known[BRUTE_LEN + 1][1 << BRUTE_PAGES];

/* The fewest faults of seq[i..n) from resident set @s, @cap frames. */
static unsigned int brute(const u64 *seq, size_t n, size_t cap, size_t i,
			  unsigned int s)
{
	unsigned int bit, best, v, q;

	if (i == n)
		return 0;
	if (known[i][s])
		return memo[i][s];
	bit = 1U << (seq[i] & ~OPT_REMOVE);
	if (seq[i] & OPT_REMOVE) {
		best = brute(seq, n, cap, i + 1, s & ~bit);
	} else if (s & bit) {
		best = brute(seq, n, cap, i + 1, s);
	} else if ((size_t)__builtin_popcount(s) < cap) {
		best = 1 + brute(seq, n, cap, i + 1, s | bit);
	} else {
		best = ~0U;
		for (q = 0; q < BRUTE_PAGES; q++) {
			if (!(s & 1U << q))
				continue;
			v = 1 + brute(seq, n, cap, i + 1, (s & ~(1U << q)) | bit);
			if (v < best)
				best = v;
		}
	}
	known[i][s] = true;
	memo[i][s] = best;
	return best;
}

static unsigned int brute_opt(const u64 *seq, size_t n, size_t cap)
{
	memset(known, 0, sizeof(known));
	return brute(seq, n, cap, 0, 0);
}

/* A random string over @npages pages, one reference in 8 a removal. */
static size_t random_string(u64 *seq, size_t max, size_t npages, u64 *rng,
			    bool removals)
{
	size_t n = 1 + rng_next(rng) % max, i;

	for (i = 0; i < n; i++) {
		seq[i] = rng_next(rng) % npages;
		if (removals && rng_next(rng) % 8 == 0)
			seq[i] |= OPT_REMOVE;
	}
	return n;
}

static int opt_equals_exhaustive_search(void)
{
	u64 seq[BRUTE_LEN], rng = 42;
	int k;

	for (k = 0; k < 5000; k++) {
		size_t npages = 2 + rng_next(&rng) % (BRUTE_PAGES - 1);
		size_t cap = 1 + rng_next(&rng) % 4;
		size_t n = random_string(seq, BRUTE_LEN, npages, &rng, k % 2);
		u64 got = opt_faults(seq, n, npages, cap);
		unsigned int want = brute_opt(seq, n, cap);

		EXPECT(got == want, "string %d (%zu refs, %zu pages, %zu frames): %llu faults, exhaustive %u",
		       k, n, npages, cap, (unsigned long long)got, want);
	}
	return 0;
}

/* Naive LRU (@fifo false: stamp = last use) or FIFO (stamp = arrival). */
static u64 naive(const u64 *seq, size_t n, size_t cap, bool fifo)
{
	u64 page[64], stamp[64], faults = 0;
	size_t size = 0, i, j, old;

	for (i = 0; i < n; i++) {
		u64 p = seq[i] & ~OPT_REMOVE;

		for (j = 0; j < size && page[j] != p; j++)
			;
		if (seq[i] & OPT_REMOVE) {
			if (j < size) {
				page[j] = page[size - 1];
				stamp[j] = stamp[size - 1];
				size--;
			}
			continue;
		}
		if (j < size) {
			if (!fifo)
				stamp[j] = i;
			continue;
		}
		faults++;
		if (size == cap) {
			for (old = 0, j = 1; j < size; j++)
				if (stamp[j] < stamp[old])
					old = j;
			page[old] = p;
			stamp[old] = i;
			continue;
		}
		page[size] = p;
		stamp[size++] = i;
	}
	return faults;
}

static int lru_and_fifo_equal_naive_simulations(void)
{
	u64 seq[300], rng = 7;
	int k;

	for (k = 0; k < 2000; k++) {
		size_t npages = 2 + rng_next(&rng) % 30;
		size_t cap = 1 + rng_next(&rng) % 12;
		size_t n = random_string(seq, 300, npages, &rng, k % 2);
		u64 lru = lru_faults(seq, n, npages, cap);
		u64 fifo = fifo_faults(seq, n, npages, cap);

		EXPECT(lru == naive(seq, n, cap, false),
		       "string %d: lru %llu, naive %llu", k,
		       (unsigned long long)lru,
		       (unsigned long long)naive(seq, n, cap, false));
		EXPECT(fifo == naive(seq, n, cap, true),
		       "string %d: fifo %llu, naive %llu", k,
		       (unsigned long long)fifo,
		       (unsigned long long)naive(seq, n, cap, true));
	}
	return 0;
}

/* Silberschatz's example: 20 references, 3 frames: OPT 9, LRU 12, FIFO 15. */
static int textbook_values(void)
{
	static const u64 seq[] = {
		7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1,
	};
	size_t n = sizeof(seq) / sizeof(seq[0]);

	EXPECT(opt_faults(seq, n, 8, 3) == 9, "opt %llu",
	       (unsigned long long)opt_faults(seq, n, 8, 3));
	EXPECT(lru_faults(seq, n, 8, 3) == 12, "lru %llu",
	       (unsigned long long)lru_faults(seq, n, 8, 3));
	EXPECT(fifo_faults(seq, n, 8, 3) == 15, "fifo %llu",
	       (unsigned long long)fifo_faults(seq, n, 8, 3));
	return 0;
}

/*
 * A removal frees the frame (LRU and FIFO would otherwise evict page 0,
 * needed next), and costs the page's next reference a fault. OPT evicts a
 * removed page first anyway: only the refault shows in its count.
 */
static int removals_free_frames_and_refault(void)
{
	const u64 freed[] = { 0, 1, 1 | OPT_REMOVE, 2, 0 };
	const u64 refault[] = { 0, 0 | OPT_REMOVE, 0 };

	EXPECT(lru_faults(freed, 5, 3, 2) == 3, "lru %llu",
	       (unsigned long long)lru_faults(freed, 5, 3, 2));
	EXPECT(fifo_faults(freed, 5, 3, 2) == 3, "fifo %llu",
	       (unsigned long long)fifo_faults(freed, 5, 3, 2));
	EXPECT(opt_faults(refault, 3, 1, 4) == 2 &&
	       lru_faults(refault, 3, 1, 4) == 2 &&
	       fifo_faults(refault, 3, 1, 4) == 2, "opt %llu",
	       (unsigned long long)opt_faults(refault, 3, 1, 4));
	return 0;
}

/*
 * Long strings: distinct pages <= OPT <= LRU, FIFO; with a frame for every
 * page, each of them takes exactly the distinct pages.
 */
static int bounds_on_long_strings(void)
{
	static u64 seq[20000];
	static bool seen[512];
	u64 rng = 99;
	int k;

	for (k = 0; k < 20; k++) {
		size_t npages = 16 + rng_next(&rng) % 496;
		size_t cap = 1 + rng_next(&rng) % npages, n = 20000, i;
		u64 distinct = 0, opt;

		memset(seen, 0, sizeof(seen));
		for (i = 0; i < n; i++) {
			seq[i] = rng_next(&rng) % npages;
			distinct += !seen[seq[i]];
			seen[seq[i]] = true;
		}
		opt = opt_faults(seq, n, npages, cap);
		EXPECT(distinct <= opt && opt <= lru_faults(seq, n, npages, cap) &&
		       opt <= fifo_faults(seq, n, npages, cap),
		       "distinct %llu, opt %llu", (unsigned long long)distinct,
		       (unsigned long long)opt);
		EXPECT(opt_faults(seq, n, npages, npages) == distinct &&
		       lru_faults(seq, n, npages, npages) == distinct &&
		       fifo_faults(seq, n, npages, npages) == distinct,
		       "capacity %zu pages: not %llu faults", npages,
		       (unsigned long long)distinct);
	}
	return 0;
}

/* The library's own check (the suite's "opt" experiment) agrees. */
static int opt_check_finds_no_difference(void)
{
	double secs;
	int bad = opt_check(2000, 3, &secs);

	EXPECT(bad == 0, "%d strings differ", bad);
	EXPECT(secs > 0, "10M references in %g s", secs);
	return 0;
}

const struct host_test opt_tests[] = {
	{ "opt equals an exhaustive search (5000 strings, removals)",
	  opt_equals_exhaustive_search },
	{ "lru and fifo equal naive simulations (2000 strings, removals)",
	  lru_and_fifo_equal_naive_simulations },
	{ "textbook values (OPT 9, LRU 12, FIFO 15)", textbook_values },
	{ "removals free frames and refault", removals_free_frames_and_refault },
	{ "distinct <= OPT <= LRU, FIFO; all equal with a frame per page",
	  bounds_on_long_strings },
	{ "opt_check() finds no difference", opt_check_finds_no_difference },
	{ NULL }
};
