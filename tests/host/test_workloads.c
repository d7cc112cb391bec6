// SPDX-License-Identifier: GPL-2.0
/*
 * bench/lib/workloads.c: the generators are deterministic given a seed,
 * reference only their pages, have the lengths and shapes bench/README.md
 * describes, and workload_opt() sees the string the device runs.
 */
#include <string.h>

#include "host_test.h"
#include "opt.h"
#include "workloads.h"

#define CAP	256

static const struct {
	const char *family;
	double param;
	const char *name;
	bool seeded;		/* drawn from the seed */
} fams[] = {
	{ "seq", 0, "seq", false },
	{ "stride", 4, "stride-4", false },
	{ "stride", 16, "stride-16", false },
	{ "random", 0, "random", true },
	{ "zipf", 0.8, "zipf-0.8", true },
	{ "zipf", 1.2, "zipf-1.2", true },
	{ "phase", 0, "phase", true },
	{ "tenants", 0, "tenants", true },
	{ "cyclic", 0, "cyclic", false },
	{ "cpu-share", 0, "cpu-share", true },
};
#define NFAMS	(sizeof(fams) / sizeof(fams[0]))
static const double sizes[] = { 0.5, 1.25, 2, 4 };
#define NSIZES	(sizeof(sizes) / sizeof(sizes[0]))

static bool refs_equal(const struct refs *a, const struct refs *b)
{
	return a->n == b->n && !memcmp(a->ref, b->ref, a->n * sizeof(u64));
}

static bool workloads_equal(const struct workload *a, const struct workload *b)
{
	int i;

	if (strcmp(a->name, b->name) || a->tenants != b->tenants ||
	    a->rounds != b->rounds || a->chunk != b->chunk)
		return false;
	for (i = 0; i < MAX_TENANTS; i++)
		if (a->npages[i] != b->npages[i] || !refs_equal(&a->t[i], &b->t[i]))
			return false;
	for (i = 0; i < a->rounds; i++)
		if (a->round_end[i] != b->round_end[i] ||
		    !refs_equal(&a->touch[i], &b->touch[i]))
			return false;
	return true;
}

static size_t family(const char *name)
{
	size_t f;

	for (f = 0; f < NFAMS && strcmp(fams[f].name, name); f++)
		;
	return f;
}

static int make(struct workload *w, size_t f, double x, u64 seed)
{
	return workload_make(w, fams[f].family, fams[f].param, x, CAP, seed);
}

static int same_seed_same_string(void)
{
	struct workload a, b;
	size_t f, s;

	for (f = 0; f < NFAMS; f++) {
		for (s = 0; s < NSIZES; s++) {
			EXPECT(!make(&a, f, sizes[s], 1) && !make(&b, f, sizes[s], 1),
			       "%s", fams[f].name);
			EXPECT(workloads_equal(&a, &b), "%s at %gx", fams[f].name,
			       sizes[s]);
			workload_free(&a);
			workload_free(&b);
		}
	}
	return 0;
}

/* Another seed, or another size, draws another string. */
static int seed_and_size_change_random_strings(void)
{
	struct workload a, b;
	size_t f, i, same = 0;

	for (f = 0; f < NFAMS; f++) {
		if (!fams[f].seeded)
			continue;
		make(&a, f, 2, 1);
		make(&b, f, 2, 2);
		EXPECT(!workloads_equal(&a, &b), "%s: seeds 1 and 2 alike",
		       fams[f].name);
		workload_free(&a);
		workload_free(&b);
	}
	/*
	 * random at 2x (512 pages) and 4x (1024): from the same draws, each
	 * page at 4x would be the one at 2x, or 512 pages further.
	 */
	make(&a, family("random"), 2, 1);
	make(&b, family("random"), 4, 1);
	for (i = 0; i < 256; i++)
		same += b.t[0].ref[i] % a.npages[0] == a.t[0].ref[i];
	EXPECT(same < 16, "random at 2x and 4x: %zu of 256 draws alike", same);
	workload_free(&a);
	workload_free(&b);
	return 0;
}

static int names_sizes_and_page_ranges(void)
{
	struct workload w;
	size_t f, s, i, k;
	int t;

	for (f = 0; f < NFAMS; f++) {
		for (s = 0; s < NSIZES; s++) {
			size_t n = (size_t)(sizes[s] * CAP + 0.5);

			make(&w, f, sizes[s], 1);
			EXPECT(!strcmp(w.name, fams[f].name) &&
			       !strcmp(w.family, fams[f].family),
			       "%s: name %s, family %s", fams[f].name, w.name,
			       w.family);
			EXPECT(w.capacity == CAP && w.size_x == sizes[s],
			       "%s: capacity %zu, size %g", w.name, w.capacity,
			       w.size_x);
			EXPECT(w.npages[0] + w.npages[1] == n,
			       "%s at %gx: %zu + %zu pages, not %zu", w.name,
			       sizes[s], w.npages[0], w.npages[1], n);
			for (t = 0; t < w.tenants; t++)
				for (i = 0; i < w.t[t].n; i++)
					EXPECT(w.t[t].ref[i] < w.npages[t],
					       "%s tenant %d: page %llu of %zu",
					       w.name, t,
					       (unsigned long long)w.t[t].ref[i],
					       w.npages[t]);
			for (k = 0; k < (size_t)w.rounds; k++)
				for (i = 0; i < w.touch[k].n; i++)
					EXPECT(w.touch[k].ref[i] < w.npages[0],
					       "%s: CPU touch of page %llu",
					       w.name,
					       (unsigned long long)w.touch[k].ref[i]);
			workload_free(&w);
		}
	}
	return 0;
}

/* Lengths, for n pages: what bench/lib/workloads.c's comment says. */
static int lengths(void)
{
	struct workload w;
	size_t f, n = 2 * CAP;
	int k;

	for (f = 0; f < NFAMS; f++) {
		const char *fam = fams[f].family;
		size_t want = !strcmp(fam, "cyclic") ? 4 * n :
			      !strcmp(fam, "cpu-share") ? 4 * (n / 2) : 2 * n;

		make(&w, f, 2, 1);
		EXPECT(w.t[0].n + w.t[1].n == want, "%s: %zu + %zu references, not %zu",
		       w.name, w.t[0].n, w.t[1].n, want);
		if (!strcmp(fam, "tenants"))
			EXPECT(w.tenants == 2 && w.chunk == 256 &&
			       w.t[0].n == 2 * w.npages[0] &&
			       w.t[1].n == 2 * w.npages[1],
			       "tenants: %d, chunk %zu, %zu and %zu references",
			       w.tenants, w.chunk, w.t[0].n, w.t[1].n);
		else
			EXPECT(w.tenants == 1 && !w.t[1].n, "%s: %d tenants",
			       w.name, w.tenants);
		EXPECT(w.rounds == (!strcmp(fam, "cpu-share") ? 4 : 0),
		       "%s: %d rounds", w.name, w.rounds);
		for (k = 0; k < w.rounds; k++)
			EXPECT(w.round_end[k] == (k + 1) * (n / 2) &&
			       w.touch[k].n == n / 20,
			       "round %d ends at %zu, %zu touches", k,
			       w.round_end[k], w.touch[k].n);
		workload_free(&w);
	}
	return 0;
}

static int shapes(void)
{
	struct workload w;
	size_t n = 2 * CAP, i, count[2 * CAP] = { 0 }, low = 0, seen = 0;

	make(&w, family("seq"), 2, 1);
	for (i = 0; i < w.t[0].n; i++)
		EXPECT(w.t[0].ref[i] == i % n, "seq[%zu] = %llu", i,
		       (unsigned long long)w.t[0].ref[i]);
	workload_free(&w);
	make(&w, family("cyclic"), 2, 1);
	for (i = 0; i < w.t[0].n; i++)
		EXPECT(w.t[0].ref[i] == i % n, "cyclic[%zu] = %llu", i,
		       (unsigned long long)w.t[0].ref[i]);
	workload_free(&w);
	/* Pass by pass: 0, 16, 32, ..., then 1, 17, ... */
	make(&w, family("stride-16"), 2, 1);
	for (i = 0; i < w.t[0].n; i++) {
		size_t k = i % n;

		EXPECT(w.t[0].ref[i] == k / (n / 16) + 16 * (k % (n / 16)),
		       "stride-16[%zu] = %llu", i,
		       (unsigned long long)w.t[0].ref[i]);
	}
	workload_free(&w);
	/* zipf: low pages hot; random: ~86% of the pages seen in 2n draws. */
	make(&w, family("zipf-1.2"), 2, 1);
	for (i = 0; i < w.t[0].n; i++)
		low += w.t[0].ref[i] < n / 2;
	EXPECT(low > w.t[0].n * 3 / 4, "zipf-1.2: %zu of %zu in the low half",
	       low, w.t[0].n);
	workload_free(&w);
	make(&w, family("random"), 2, 1);
	for (i = 0; i < w.t[0].n; i++)
		seen += !count[w.t[0].ref[i]]++;
	EXPECT(seen > n * 8 / 10 && seen < n * 92 / 100,
	       "random: %zu of %zu pages seen", seen, n);
	workload_free(&w);
	/* phase: n references over the first half, then n over the second. */
	make(&w, family("phase"), 2, 1);
	for (i = 0; i < w.t[0].n; i++)
		EXPECT((w.t[0].ref[i] < n / 2) == (i < n), "phase[%zu] = %llu",
		       i, (unsigned long long)w.t[0].ref[i]);
	workload_free(&w);
	/* tenants: the second one scans its half twice. */
	make(&w, family("tenants"), 2, 1);
	for (i = 0; i < w.t[1].n; i++)
		EXPECT(w.t[1].ref[i] == i % w.npages[1], "tenant 1 [%zu] = %llu",
		       i, (unsigned long long)w.t[1].ref[i]);
	workload_free(&w);
	return 0;
}

static int unknown_family_or_too_small_refused(void)
{
	struct workload w;

	EXPECT(workload_make(&w, "nope", 0, 2, CAP, 1) == -1, "nope");
	workload_free(&w);
	EXPECT(workload_make(&w, "seq", 0, 1.0 / CAP, CAP, 1) == -1, "1 page");
	workload_free(&w);
	EXPECT(workload_make(&w, "seq", 0, 2.0 / CAP, CAP, 1) == 0, "2 pages");
	workload_free(&w);
	return 0;
}

/*
 * workload_opt(): OPT, LRU, FIFO and distinct pages of the string the
 * device runs: tenants interleaved chunk by chunk (the second's pages
 * after the first's), CPU writes as removals after their round.
 */
static int opt_sees_the_device_string(void)
{
	static u64 m[8 * CAP];
	static bool seen[4 * CAP];
	struct workload w;
	size_t f, i, k, n, pos[2], npages;
	u64 distinct;

	for (f = 0; f < NFAMS; f++) {
		make(&w, f, 2, 1);
		n = 0;
		npages = w.npages[0] + w.npages[1];
		if (w.tenants == 2) {
			pos[0] = pos[1] = 0;
			while (pos[0] < w.t[0].n || pos[1] < w.t[1].n)
				for (k = 0; k < 2; k++)
					for (i = 0; i < w.chunk && pos[k] < w.t[k].n; i++)
						m[n++] = w.t[k].ref[pos[k]++] +
							 (k ? w.npages[0] : 0);
		} else {
			for (k = 0, i = 0; i < w.t[0].n; i++) {
				m[n++] = w.t[0].ref[i];
				if (w.rounds && i + 1 == w.round_end[k]) {
					for (pos[0] = 0; pos[0] < w.touch[k].n; pos[0]++)
						m[n++] = w.touch[k].ref[pos[0]] | OPT_REMOVE;
					k++;
				}
			}
		}
		memset(seen, 0, sizeof(seen));
		for (distinct = 0, i = 0; i < n; i++) {
			if (m[i] & OPT_REMOVE)
				continue;
			distinct += !seen[m[i]];
			seen[m[i]] = true;
		}
		workload_opt(&w);
		EXPECT(w.opt == opt_faults(m, n, npages, CAP), "%s: opt %llu, not %llu",
		       w.name, (unsigned long long)w.opt,
		       (unsigned long long)opt_faults(m, n, npages, CAP));
		EXPECT(w.lru_sim == lru_faults(m, n, npages, CAP) &&
		       w.fifo_sim == fifo_faults(m, n, npages, CAP),
		       "%s: lru %llu, fifo %llu", w.name,
		       (unsigned long long)w.lru_sim,
		       (unsigned long long)w.fifo_sim);
		EXPECT(w.distinct == distinct, "%s: %zu distinct, not %llu",
		       w.name, w.distinct, (unsigned long long)distinct);
		workload_free(&w);
	}
	return 0;
}

/* The accelerator-shaped families at 2x (n = 512 pages): what workloads.c says. */
static int accelerator_shapes(void)
{
	size_t n = 2 * CAP, w_pages = n - LLM_LAYERS * LLM_TOKENS, i, k;
	size_t reads[2 * CAP] = { 0 }, m = 13, len = n / IVF_LISTS;
	struct workload w, w2;

	EXPECT(!workload_make(&w, "llm-decode", 0, 2, CAP, 1), "llm-decode");
	EXPECT(w.npages[0] == n && w.t[0].n == LLM_TOKENS * w_pages +
	       LLM_LAYERS * LLM_TOKENS * (LLM_TOKENS + 1) / 2,
	       "llm-decode: %zu pages, %zu references", w.npages[0], w.t[0].n);
	for (i = 0; i < w.t[0].n; i++)
		reads[w.t[0].ref[i]]++;
	/* Weights every token; KV page i of a layer from token i on. */
	for (i = 0; i < n; i++)
		EXPECT(reads[i] == (i < w_pages ? LLM_TOKENS :
				    LLM_TOKENS - (i - w_pages) % LLM_TOKENS),
		       "llm-decode: page %zu read %zu times", i, reads[i]);
	EXPECT(w.nhints == 2 && w.hints[0].first == 0 &&
	       w.hints[0].n == w_pages && w.hints[0].hint == WL_HINT_STREAMING &&
	       w.hints[1].first == w_pages && w.hints[1].n == n - w_pages &&
	       w.hints[1].hint == WL_HINT_HOT, "llm-decode: hints");
	EXPECT(w.t[0].ref[w_pages / LLM_LAYERS] == w_pages,
	       "llm-decode: layer 0's KV after its weights: %llu",
	       (unsigned long long)w.t[0].ref[w_pages / LLM_LAYERS]);
	workload_free(&w);

	EXPECT(!workload_make(&w, "gnn", 0, 2, CAP, 1) &&
	       !workload_make(&w2, "gnn", 0, 2, CAP, 2), "gnn");
	EXPECT(w.npages[0] == n && w.t[0].n == 2 * n, "gnn: %zu references",
	       w.t[0].n);
	for (i = 0; i < w.t[0].n; i += 2)
		EXPECT(w.t[0].ref[i] == i / 2 % (n / 2) &&
		       w.t[0].ref[i + 1] >= n / 2 && w.t[0].ref[i + 1] < n,
		       "gnn[%zu]: %llu, %llu", i, (unsigned long long)w.t[0].ref[i],
		       (unsigned long long)w.t[0].ref[i + 1]);
	EXPECT(!refs_equal(&w.t[0], &w2.t[0]), "gnn: seeds 1 and 2 alike");
	workload_free(&w);
	workload_free(&w2);

	EXPECT(!workload_make(&w, "ivf", 0, 2, CAP, 1), "ivf");
	EXPECT(w.npages[0] == n && w.t[0].n == 2 * n, "ivf: %zu references",
	       w.t[0].n);
	memset(reads, 0, sizeof(reads));
	for (k = 0; k < w.t[0].n; k += len) {
		for (i = 0; i < len; i++)
			EXPECT(w.t[0].ref[k + i] == w.t[0].ref[k] + i &&
			       w.t[0].ref[k] % len == 0,
			       "ivf: scan at %zu: %llu", k + i,
			       (unsigned long long)w.t[0].ref[k + i]);
		reads[w.t[0].ref[k] / len]++;
	}
	EXPECT(reads[0] > reads[IVF_LISTS - 1], "ivf: list 0 probed %zu times, list %d %zu",
	       reads[0], IVF_LISTS - 1, reads[IVF_LISTS - 1]);
	workload_free(&w);

	EXPECT(!workload_make(&w, "gemm", 0, 2, CAP, 1), "gemm");
	EXPECT(w.npages[0] == 3 * m * m && w.t[0].n == 2 * m * m * m + m * m,
	       "gemm: %zu pages, %zu references", w.npages[0], w.t[0].n);
	/* C[1][2] follows A's row 1 and B's column 2. */
	k = (1 * m + 2) * (2 * m + 1);
	EXPECT(w.t[0].ref[k + 2 * m] == 2 * m * m + m + 2 &&
	       w.t[0].ref[k] == m && w.t[0].ref[k + 1] == m * m + 2,
	       "gemm: C[1][2] at %zu", k);
	workload_free(&w);

	EXPECT(workload_make(&w, "llm-decode", 0, 0.5, CAP, 1) == -1,
	       "llm-decode in 128 pages");
	return 0;
}

const struct host_test workload_tests[] = {
	{ "the same seed gives the same strings", same_seed_same_string },
	{ "another seed or size draws another string",
	  seed_and_size_change_random_strings },
	{ "names, sizes, every reference within its pages",
	  names_sizes_and_page_ranges },
	{ "lengths, tenants, rounds", lengths },
	{ "shapes: seq, cyclic, stride order, zipf skew, random cover, phase, tenants",
	  shapes },
	{ "unknown family or fewer than 2 pages refused",
	  unknown_family_or_too_small_refused },
	{ "workload_opt() sees the device's string (interleaving, removals)",
	  opt_sees_the_device_string },
	{ "shapes: llm-decode, gnn, ivf, gemm", accelerator_shapes },
	{ NULL }
};
