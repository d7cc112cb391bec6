// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's workloads, as device reference strings generated in user
 * space (page indices into the workload's buffer) and handed to gmem_sim's
 * GMEM_SIM_LIST pattern, so the string Belady's OPT sees is exactly the one
 * the device ran.
 *
 *   seq        two sequential passes over the working set
 *   stride-S   two passes, each visiting pages 0, S, 2S, ..., then 1, 1+S, ...
 *   random     2 x pages uniform random references
 *   zipf-S     2 x pages references, P(page k) ~ 1/(k+1)^S (low pages hot)
 *   cyclic     four sequential passes (LRU's worst case at 1.25x)
 *   phase      zipf(1.0) over the first half, then uniform over the second
 *   tenants    two processes in lockstep: uniform random over their half,
 *              and two sequential passes over the other half
 *   cpu-share  four rounds: the device reads uniform random pages, then a
 *              CPU thread writes 5% of the pages (pulling them back)
 * Shaped after accelerator programs (deterministic unless said):
 *   llm-decode LLM_TOKENS tokens of a model of LLM_LAYERS layers: per token
 *              and layer its weights in order (most of the pages), then its
 *              KV cache so far, which grows by a page per token and layer;
 *              it hints the weights streaming and the KV cache hot
 *   gnn        two epochs of a sampled GNN: the edge list (half the pages)
 *              in order, and after each page of it a gather of a random
 *              feature page (the other half); seeded
 *   ivf        an IVF vector search: queries probe 4 of 64 posting lists,
 *              popular lists more often (zipf 1.0), each scanned in order,
 *              2 x pages references; seeded
 *   gemm       C = A x B over a grid of 1-page tiles, i-j-k order: A's row
 *              and B's column of tiles per C tile, then the C tile
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evictors.h"
#include "opt.h"
#include "workloads.h"

void refs_push(struct refs *r, u64 page)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4096;
		r->ref = realloc(r->ref, r->cap * sizeof(*r->ref));
		if (!r->ref)
			die("out of memory");
	}
	r->ref[r->n++] = page;
}

void refs_free(struct refs *r)
{
	free(r->ref);
	memset(r, 0, sizeof(*r));
}

void workload_free(struct workload *w)
{
	int i;

	for (i = 0; i < MAX_TENANTS; i++)
		refs_free(&w->t[i]);
	for (i = 0; i < MAX_ROUNDS; i++)
		refs_free(&w->touch[i]);
}

static void gen_seq(struct refs *r, size_t n, int passes)
{
	size_t i;
	int p;

	for (p = 0; p < passes; p++)
		for (i = 0; i < n; i++)
			refs_push(r, i);
}

static void gen_stride(struct refs *r, size_t n, size_t stride, int passes)
{
	size_t off, i;
	int p;

	for (p = 0; p < passes; p++)
		for (off = 0; off < stride && off < n; off++)
			for (i = off; i < n; i += stride)
				refs_push(r, i);
}

static void gen_random(struct refs *r, size_t base, size_t n, size_t count,
		       u64 *rng)
{
	size_t i;

	for (i = 0; i < count; i++)
		refs_push(r, base + rng_next(rng) % n);
}

static void gen_zipf(struct refs *r, size_t base, size_t n, size_t count,
		     double s, u64 *rng)
{
	double *cdf = xmalloc(n * sizeof(*cdf)), sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		sum += 1.0 / pow((double)(i + 1), s);
		cdf[i] = sum;
	}
	for (i = 0; i < count; i++) {
		double u = rng_unit(rng) * sum;
		size_t lo = 0, hi = n - 1;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		refs_push(r, base + lo);
	}
	free(cdf);
}

/*
 * llm-decode: weights [0, w) in LLM_LAYERS equal parts, then per layer a
 * KV cache of LLM_TOKENS pages; token t reads each layer's weights and its
 * first t + 1 KV pages.
 */
static void gen_llm(struct refs *r, size_t n)
{
	size_t kv = LLM_LAYERS * LLM_TOKENS, w = n - kv, t, l, i;

	for (t = 0; t < LLM_TOKENS; t++) {
		for (l = 0; l < LLM_LAYERS; l++) {
			for (i = w * l / LLM_LAYERS; i < w * (l + 1) / LLM_LAYERS; i++)
				refs_push(r, i);
			for (i = 0; i <= t; i++)
				refs_push(r, w + l * LLM_TOKENS + i);
		}
	}
}

/* gnn: edges [0, n / 2) in order, each page followed by a feature gather. */
static void gen_gnn(struct refs *r, size_t n, u64 *rng)
{
	size_t e = n / 2, i;
	int epoch;

	for (epoch = 0; epoch < 2; epoch++) {
		for (i = 0; i < e; i++) {
			refs_push(r, i);
			refs_push(r, e + rng_next(rng) % (n - e));
		}
	}
}

/* ivf: IVF_LISTS lists of n / IVF_LISTS pages, 4 probed per query. */
static void gen_ivf(struct refs *r, size_t n, u64 *rng)
{
	size_t len = n / IVF_LISTS, i, list;
	struct refs probes = { 0 };
	size_t p;

	gen_zipf(&probes, 0, IVF_LISTS, 2 * n / len, 1.0, rng);
	for (p = 0; p < probes.n; p++) {
		list = probes.ref[p];
		for (i = 0; i < len; i++)
			refs_push(r, list * len + i);
	}
	refs_free(&probes);
}

/* gemm: m x m tiles each of A [0, m²), B [m², 2m²) and C [2m², 3m²). */
static void gen_gemm(struct refs *r, size_t m)
{
	size_t i, j, k;

	for (i = 0; i < m; i++) {
		for (j = 0; j < m; j++) {
			for (k = 0; k < m; k++) {
				refs_push(r, i * m + k);
				refs_push(r, m * m + k * m + j);
			}
			refs_push(r, 2 * m * m + i * m + j);
		}
	}
}

static u64 name_seed(const char *s, double size_x, u64 seed)
{
	u64 h = seed ^ 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h ^ (u64)(size_x * 1000);
}

int workload_make(struct workload *w, const char *family, double param,
		  double size_x, size_t capacity, u64 seed)
{
	size_t n = (size_t)(size_x * capacity + 0.5);
	u64 rng;
	int r;

	memset(w, 0, sizeof(*w));
	snprintf(w->family, sizeof(w->family), "%s", family);
	w->size_x = size_x;
	w->capacity = capacity;
	w->tenants = 1;
	w->npages[0] = n;
	if (n < 2)
		return -1;
	if (!strcmp(family, "seq")) {
		snprintf(w->name, sizeof(w->name), "seq");
		gen_seq(&w->t[0], n, 2);
	} else if (!strcmp(family, "stride")) {
		snprintf(w->name, sizeof(w->name), "stride-%d", (int)param);
		gen_stride(&w->t[0], n, (size_t)param, 2);
	} else if (!strcmp(family, "random")) {
		snprintf(w->name, sizeof(w->name), "random");
		rng = name_seed(w->name, size_x, seed);
		gen_random(&w->t[0], 0, n, 2 * n, &rng);
	} else if (!strcmp(family, "zipf")) {
		snprintf(w->name, sizeof(w->name), "zipf-%.1f", param);
		rng = name_seed(w->name, size_x, seed);
		gen_zipf(&w->t[0], 0, n, 2 * n, param, &rng);
	} else if (!strcmp(family, "cyclic")) {
		snprintf(w->name, sizeof(w->name), "cyclic");
		gen_seq(&w->t[0], n, 4);
	} else if (!strcmp(family, "phase")) {
		snprintf(w->name, sizeof(w->name), "phase");
		rng = name_seed(w->name, size_x, seed);
		gen_zipf(&w->t[0], 0, n / 2, n, 1.0, &rng);
		gen_random(&w->t[0], n / 2, n - n / 2, n, &rng);
	} else if (!strcmp(family, "tenants")) {
		snprintf(w->name, sizeof(w->name), "tenants");
		rng = name_seed(w->name, size_x, seed);
		w->tenants = 2;
		w->npages[0] = n / 2;
		w->npages[1] = n - n / 2;
		w->chunk = 256;
		gen_random(&w->t[0], 0, w->npages[0], 2 * w->npages[0], &rng);
		gen_seq(&w->t[1], w->npages[1], 2);
	} else if (!strcmp(family, "cpu-share")) {
		snprintf(w->name, sizeof(w->name), "cpu-share");
		rng = name_seed(w->name, size_x, seed);
		w->rounds = 4;
		for (r = 0; r < w->rounds; r++) {
			size_t i;

			gen_random(&w->t[0], 0, n, n / 2, &rng);
			w->round_end[r] = w->t[0].n;
			for (i = 0; i < n / 20; i++)
				refs_push(&w->touch[r], rng_next(&rng) % n);
		}
	} else if (!strcmp(family, "llm-decode")) {
		snprintf(w->name, sizeof(w->name), "llm-decode");
		if (n < 2 * LLM_LAYERS * LLM_TOKENS)
			return -1;
		gen_llm(&w->t[0], n);
		w->nhints = 2;
		w->hints[0] = (struct wl_hint){ 0, n - LLM_LAYERS * LLM_TOKENS,
						WL_HINT_STREAMING };
		w->hints[1] = (struct wl_hint){ n - LLM_LAYERS * LLM_TOKENS,
						LLM_LAYERS * LLM_TOKENS,
						WL_HINT_HOT };
	} else if (!strcmp(family, "gnn")) {
		snprintf(w->name, sizeof(w->name), "gnn");
		rng = name_seed(w->name, size_x, seed);
		gen_gnn(&w->t[0], n, &rng);
	} else if (!strcmp(family, "ivf")) {
		snprintf(w->name, sizeof(w->name), "ivf");
		if (n < IVF_LISTS)
			return -1;
		w->npages[0] = n / IVF_LISTS * IVF_LISTS;
		rng = name_seed(w->name, size_x, seed);
		gen_ivf(&w->t[0], w->npages[0], &rng);
	} else if (!strcmp(family, "gemm")) {
		size_t m = (size_t)sqrt((double)n / 3);

		snprintf(w->name, sizeof(w->name), "gemm");
		if (m < 2)
			return -1;
		w->npages[0] = 3 * m * m;
		gen_gemm(&w->t[0], m);
	} else {
		return -1;
	}
	return 0;
}

/* The device's reference string as OPT sees it: tenants interleaved as they
 * run, CPU touches as removals. */
static void merged(const struct workload *w, struct refs *out, size_t *npages)
{
	size_t i, pos[MAX_TENANTS] = { 0 };
	int r, t;

	*npages = w->npages[0] + (w->tenants > 1 ? w->npages[1] : 0);
	if (w->tenants > 1) {
		while (pos[0] < w->t[0].n || pos[1] < w->t[1].n) {
			for (t = 0; t < 2; t++) {
				size_t end = pos[t] + w->chunk;

				if (end > w->t[t].n)
					end = w->t[t].n;
				for (; pos[t] < end; pos[t]++)
					refs_push(out, w->t[t].ref[pos[t]] +
						  (t ? w->npages[0] : 0));
			}
		}
		return;
	}
	if (w->rounds) {
		for (r = 0, i = 0; r < w->rounds; r++) {
			size_t k;

			for (; i < w->round_end[r]; i++)
				refs_push(out, w->t[0].ref[i]);
			for (k = 0; k < w->touch[r].n; k++)
				refs_push(out, w->touch[r].ref[k] | OPT_REMOVE);
		}
		return;
	}
	for (i = 0; i < w->t[0].n; i++)
		refs_push(out, w->t[0].ref[i]);
}

void workload_opt(struct workload *w)
{
	struct refs m = { 0 };
	size_t npages, i;
	bool *seen;

	merged(w, &m, &npages);
	seen = xcalloc(npages, sizeof(bool));
	w->distinct = 0;
	for (i = 0; i < m.n; i++) {
		u64 p = m.ref[i] & ~OPT_REMOVE;

		if (!(m.ref[i] & OPT_REMOVE) && !seen[p]) {
			seen[p] = true;
			w->distinct++;
		}
	}
	w->opt = opt_faults(m.ref, m.n, npages, w->capacity);
	w->lru_sim = lru_faults(m.ref, m.n, npages, w->capacity);
	w->fifo_sim = fifo_faults(m.ref, m.n, npages, w->capacity);
	w->arc_sim = arc_faults(m.ref, m.n, npages, w->capacity);
	free(seen);
	refs_free(&m);
}
