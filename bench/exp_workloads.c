// SPDX-License-Identifier: GPL-2.0
/*
 * Experiments "matrix" and "replay": workloads and traces x policies,
 * against OPT, in tiers against the suite's time budget.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct entry {
	struct workload w;
	const char *exp;		/* "matrix" or "replay" */
	size_t pages;			/* the device's */
	bool oversub;			/* at a size the pairs run at too */
};

/*
 * A tier: policies x entries of one experiment x reps. Tiers run in order
 * against the suite's time budget: first every workload under every
 * shipped policy once (traced), the trace replay, the pairs at the
 * oversubscribed sizes; then the further (untraced) reps. What the budget
 * leaves out is counted in a "skipped" record.
 */
struct tier {
	const char *name;
	const char *exp;
	const char *const *pols;
	int npols;
	bool oversub_only;
	unsigned int rep_lo, rep_hi;
};

static bool demand_ge_opt(const char *policy, const struct workload *w,
			  const struct run_result *r)
{
	/*
	 * Faults of a demand-paging policy, and pages moved to the device
	 * by any policy, are at least OPT's faults at the same capacity.
	 */
	return dd(r, 1) >= w->opt &&
	       (policy_prefetches(policy) || r->dev.faults >= w->opt);
}

static bool tier_has(const struct tier *t, const struct entry *e)
{
	return !strcmp(t->exp, e->exp) && (!t->oversub_only || e->oversub);
}

static unsigned long tier_runs(const struct tier *t, const struct entry *es,
			       int n)
{
	unsigned long runs = 0;
	int i;

	for (i = 0; i < n; i++)
		runs += tier_has(t, &es[i]);
	return runs * t->npols * (t->rep_hi > t->rep_lo ? t->rep_hi - t->rep_lo : 0);
}

/* bad[0]: errors or wrong data; [1]: below OPT; [2]: replay out of step;
 * [3]: policy missing. */
static void run_tier(const struct tier *t, struct entry *es, int n,
		     unsigned long bad[4], u64 deadline)
{
	unsigned long skipped = 0;
	unsigned int rep;
	int p, i;

	for (p = 0; p < t->npols; p++) {
		const char *pol = t->pols[p];
		bool selected = false, avail = policy_available(pol);

		if (!avail) {
			fprintf(stderr, "# policy %s is not loaded: skipped\n", pol);
			bad[3]++;
		}
		for (i = 0; i < n; i++) {
			struct entry *e = &es[i];

			if (!tier_has(t, e))
				continue;
			for (rep = t->rep_lo; rep < t->rep_hi; rep++) {
				struct run_result r;
				char what[128];

				if (!avail || (deadline && now_ns() > deadline)) {
					skipped += avail;
					progress_step("skipped");
					continue;
				}
				if (!selected) {
					policy_use(pol);
					selected = true;
				}
				gmem_sim_load_pages(e->pages);
				run_workload(&e->w, pol, rep == 0, &r, false);
				emit_run(e->exp, &e->w, pol, rep, &r);
				bad[0] += r.errors ||
					  r.dev.checksum != r.expect_checksum;
				bad[1] += !demand_ge_opt(pol, &e->w, &r);
				if (r.traced) {
					u64 arr = 0, mis = 0;
					int k;

					for (k = 0; k < e->w.tenants; k++) {
						arr += r.ev[k].arrivals;
						mis += r.ev[k].mismatches;
					}
					bad[2] += mis || r.ev[0].lost ||
						  arr != dd(&r, 1);
				}
				snprintf(what, sizeof(what), "%s %s %.3gx rep %u",
					 pol, e->w.name, e->w.size_x, rep);
				progress_step(what);
			}
		}
	}
	policy_use("default");
	if (skipped) {
		fprintf(stderr, "# [%s] %lu runs skipped: the time budget is spent\n",
			t->name, skipped);
		jbegin("skipped");
		jstr("tier", t->name);
		ju("runs", skipped);
		jend();
	}
}

static void emit_workload(const struct entry *e, const char *file)
{
	const struct workload *w = &e->w;

	jbegin("workload");
	jstr("part", e->exp);
	jstr("workload", w->name);
	jstr("family", w->family);
	if (file)
		jstr("file", file);
	jd("size_x", w->size_x);
	ju("capacity", w->capacity);
	ju("pages", w->npages[0] + w->npages[1]);
	ju("accesses", w->t[0].n + w->t[1].n);
	ju("distinct", w->distinct);
	ju("opt", w->opt);
	ju("lru_sim", w->lru_sim);
	ju("fifo_sim", w->fifo_sim);
	ju("arc_sim", w->arc_sim);
	jend();
}

static bool in_sizes(double x, const double *sizes, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (fabs(sizes[i] - x) < 1e-9)
			return true;
	return false;
}

/* The matrix's workloads: every family at every size (cyclic and cpu-share
 * at 1.25x, by definition). */
static int matrix_entries(const struct config *c, struct entry *es)
{
	size_t cap = (size_t)c->mem_mb * 256;
	int n = 0, f, s;

	for (f = 0; f < c->nfamilies; f++) {
		for (s = 0; s < c->nsizes; s++) {
			const struct family *fam = &c->families[f];
			double x = c->sizes[s];
			struct entry *e = &es[n];

			if (!strcmp(fam->family, "cyclic") ||
			    !strcmp(fam->family, "cpu-share")) {
				if (s)
					continue;
				x = 1.25;
			}
			if (workload_make(&e->w, fam->family, fam->param, x, cap,
					  c->seed))
				die("workload %s", fam->family);
			workload_opt(&e->w);
			e->exp = "matrix";
			e->pages = cap;
			e->oversub = in_sizes(x, c->combo_sizes, c->ncombo_sizes);
			emit_workload(e, NULL);
			n++;
		}
	}
	return n;
}

/* A trace at each capacity: fractions of its distinct pages, in pages. */
static int trace_entries(const struct config *c, const char *path,
			 enum trace_format fmt, const size_t *force_pages,
			 struct entry *es, int max)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct refs r = { 0 };
	size_t caps[8];
	int n = 0, ncap = 0, f, i;
	long d;

	d = trace_load(path, fmt, &r, c->trace_max_refs);
	if (d <= 0) {
		fprintf(stderr, "gmem-bench: %s: %s\n", path,
			d < 0 ? strerror(errno) : "empty");
		return -1;
	}
	if (force_pages) {
		caps[ncap++] = *force_pages;
	} else {
		for (f = 0; f < c->ntrace_frac && ncap < 8; f++) {
			size_t cap = trace_capacity(d, c->trace_frac[f]);

			if (!cap || (ncap && caps[ncap - 1] == cap))
				continue;
			caps[ncap++] = cap;
		}
	}
	for (i = 0; i < ncap && n < max; i++) {
		struct entry *e = &es[n++];
		struct workload *w = &e->w;

		memset(e, 0, sizeof(*e));
		snprintf(w->name, sizeof(w->name), "trace:%.*s",
			 (int)(strcspn(base, ".") < 40 ? strcspn(base, ".") : 40),
			 base);
		snprintf(w->family, sizeof(w->family), "trace");
		w->tenants = 1;
		w->npages[0] = d;
		w->capacity = caps[i];
		w->size_x = (double)d / w->capacity;
		w->t[0].n = w->t[0].cap = r.n;
		w->t[0].ref = xmalloc(r.n * sizeof(u64));
		memcpy(w->t[0].ref, r.ref, r.n * sizeof(u64));
		workload_opt(w);
		e->exp = "replay";
		e->pages = caps[i];
		e->oversub = true;
		emit_workload(e, path);
		fprintf(stderr, "# trace %s: %zu references, %ld pages; device of %zu pages: OPT %llu faults, LRU %llu, FIFO %llu\n",
			path, r.n, d, w->capacity,
			(unsigned long long)w->opt,
			(unsigned long long)w->lru_sim,
			(unsigned long long)w->fifo_sim);
	}
	refs_free(&r);
	return n;
}

static void run_tiers(const struct tier *tiers, int ntiers, struct entry *es,
		      int n, u64 deadline, unsigned long bad[2][4])
{
	unsigned long total = 0;
	int t;

	for (t = 0; t < ntiers; t++)
		total += tier_runs(&tiers[t], es, n);
	progress_begin("matrix+replay", total);
	for (t = 0; t < ntiers; t++) {
		if (!tier_runs(&tiers[t], es, n))
			continue;
		fprintf(stderr, "# [%s] %lu runs\n", tiers[t].name,
			tier_runs(&tiers[t], es, n));
		run_tier(&tiers[t], es, n,
			 bad[!strcmp(tiers[t].exp, "replay")], deadline);
	}
}

void exp_workloads(const struct config *c, bool matrix, bool replay,
			  u64 deadline)
{
	const struct tier tiers[] = {
		{ "matrix: shipped policies, every size, rep 0 (traced)", "matrix",
		  c->shipped, c->nshipped, false, 0, 1 },
		{ "replay: rep 0 (traced)", "replay",
		  c->trace_policies, c->ntrace_policies, false, 0, 1 },
		{ "matrix: prefetch x eviction pairs, oversubscribed sizes, rep 0 (traced)",
		  "matrix", c->combos, c->ncombos, true, 0, 1 },
		{ "matrix: shipped policies, more reps", "matrix",
		  c->shipped, c->nshipped, false, 1, c->reps_shipped },
		{ "matrix: pairs, more reps", "matrix",
		  c->combos, c->ncombos, true, 1, c->reps_combo },
		{ "replay: more reps", "replay",
		  c->trace_policies, c->ntrace_policies, false, 1, c->reps_replay },
	};
	int max = c->nfamilies * c->nsizes + 8 * 8, n = 0, i, k;
	struct entry *es = xcalloc(max, sizeof(*es));
	unsigned long bad[2][4] = { { 0 } };
	int ntr = 0;

	if (matrix)
		n = matrix_entries(c, es);
	for (i = 0; replay && i < c->ntraces; i++) {
		k = trace_entries(c, c->traces[i], TRACE_AUTO, NULL, es + n,
				  max - n);
		if (k < 0)
			bad[1][0]++;
		else
			n += k, ntr++;
	}
	run_tiers(tiers, N(tiers), es, n, deadline, bad);
	if (matrix) {
		check(!bad[0][0], "matrix: %d shipped policies at %d sizes, %d pairs at %d, %d workload families: data checked on every run (%lu bad)",
		      c->nshipped, c->nsizes, c->ncombos, c->ncombo_sizes,
		      c->nfamilies, bad[0][0]);
		check(!bad[0][1], "matrix: pages moved >= OPT, and demand faults >= OPT, on every run (%lu not)",
		      bad[0][1]);
		check(!bad[0][2], "matrix: event replay in step with the reference string, nothing lost, arrivals == migrations (%lu runs not)",
		      bad[0][2]);
		check(!bad[0][3], "matrix: every policy loaded (%lu missing)",
		      bad[0][3]);
	}
	if (replay) {
		check(ntr > 0 && ntr == c->ntraces && !bad[1][0] && !bad[1][3],
		      "replay: %d of %d trace(s) replayed under %d policies, data checked (%lu bad)",
		      ntr, c->ntraces, c->ntrace_policies, bad[1][0] + bad[1][3]);
		check(!bad[1][1], "replay: pages moved >= OPT, demand faults >= OPT (%lu not)",
		      bad[1][1]);
		check(!bad[1][2], "replay: event replay in step (%lu runs not)",
		      bad[1][2]);
	}
	for (i = 0; i < n; i++)
		workload_free(&es[i].w);
	free(es);
}

int exp_replay_file(struct config *c, const char *path, enum trace_format fmt,
		    const size_t *pages, const char *const *pols, int npols)
{
	const struct tier tiers[] = {
		{ "replay", "replay", pols, npols, false, 0, c->reps_replay },
	};
	unsigned long bad[2][4] = { { 0 } };
	struct entry es[1];
	int n;

	n = trace_entries(c, path, fmt, pages, es, 1);
	if (n <= 0)
		return -1;
	tracer = tracer_open();
	run_tiers(tiers, 1, es, n, 0, bad);
	workload_free(&es[0].w);
	return bad[1][0] || bad[1][1] || bad[1][3] ? 1 : 0;
}
