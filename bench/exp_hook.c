// SPDX-License-Identifier: GPL-2.0
/*
 * Experiment "hook": hook overhead, the same LRU in C and in BPF.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "gmem_sysfs.h"

#define HOOK_MAX_ROUNDS 32

static double median_d(double *v, int n)
{
	int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : NAN;
}

/*
 * Short rounds, each running the three policies in a rotating order, so
 * that a host whose load drifts (TCG shares the CPUs) affects all three
 * alike; besides the pooled percentiles, the median over rounds of each
 * round's ratio to the C default.
 */
void exp_hook(const struct config *c)
{
	static const char *const pols[] = { "default", "lru", "none" };
	struct workload w;
	size_t cap = (size_t)c->mem_mb * 256;
	long long thrash = sysfs_long(SYS_GMEM "thrash_threshold");
	u32 *all[3] = { 0 };
	size_t nall[3] = { 0 }, i;
	u64 rp50[3][HOOK_MAX_ROUNDS] = { { 0 } }, rp99[3][HOOK_MAX_ROUNDS] = { { 0 } };
	u64 wall[3] = { 0 }, fsum[3] = { 0 }, f0[3] = { 0 };
	int p, k, rep, rounds = c->hook_reps, bad = 0, same_faults = 1;
	char buf[32];

	if (rounds > HOOK_MAX_ROUNDS)
		rounds = HOOK_MAX_ROUNDS;
	gmem_sim_load(c->mem_mb);
	/* Thrashing protection is the C default's alone: off, both are pure LRU. */
	sysfs_write(SYS_GMEM "thrash_threshold", "0");
	memset(&w, 0, sizeof(w));
	snprintf(w.name, sizeof(w.name), "random");
	snprintf(w.family, sizeof(w.family), "random");
	w.tenants = 1;
	w.capacity = cap;
	w.size_x = 2;
	w.npages[0] = 2 * cap;
	{
		u64 rng = c->seed * 77 + 5;

		for (i = 0; i < c->hook_accesses; i++)
			refs_push(&w.t[0], rng_next(&rng) % w.npages[0]);
	}
	w.opt = opt_faults(w.t[0].ref, w.t[0].n, w.npages[0], cap);
	progress_begin("hook", 3 * rounds);
	for (rep = 0; rep < rounds; rep++) {
		for (k = 0; k < 3; k++) {
			struct run_result r;

			p = (rep + k) % 3;
			if (!policy_available(pols[p])) {
				bad++;
				progress_step("missing");
				continue;
			}
			policy_use(pols[p]);
			run_workload(&w, pols[p], false, &r, true);
			emit_run("hook-run", &w, pols[p], rep, &r);
			all[p] = realloc(all[p], (nall[p] + r.lat_n) * sizeof(u32));
			if (r.lat_n && !all[p])
				die("out of memory");
			memcpy(all[p] + nall[p], r.lat, r.lat_n * sizeof(u32));
			nall[p] += r.lat_n;
			free(r.lat);
			rp50[p][rep] = r.lat_p50;
			rp99[p][rep] = r.lat_p99;
			fsum[p] += r.dev.faults;
			if (!rep)
				f0[p] = r.dev.faults;
			wall[p] += r.wall_ns;
			bad += r.errors || r.dev.checksum != r.expect_checksum;
			progress_step(pols[p]);
		}
	}
	policy_use("default");
	snprintf(buf, sizeof(buf), "%lld", thrash < 0 ? 3 : thrash);
	sysfs_write(SYS_GMEM "thrash_threshold", buf);
	for (p = 0; p < 3; p++) {
		double r50[HOOK_MAX_ROUNDS], r99[HOOK_MAX_ROUNDS];
		u64 sum = 0;
		int n = 0;

		same_faults &= fsum[p] == fsum[0];
		for (rep = 0; rep < rounds; rep++) {
			if (!rp50[0][rep] || !rp50[p][rep])
				continue;
			r50[n] = (double)rp50[p][rep] / rp50[0][rep];
			r99[n] = (double)rp99[p][rep] / rp99[0][rep];
			n++;
		}
		qsort(all[p], nall[p], sizeof(u32), cmp_u32);
		for (i = 0; i < nall[p]; i++)
			sum += all[p][i];
		jbegin("hook");
		jstr("policy", pols[p]);
		jstr("what", p == 0 ? "C built-in LRU" :
			     p == 1 ? "the same LRU in BPF (evict_lru)" :
				      "C LRU + an empty BPF prefetch hook (prefetch_none)");
		ju("rounds", rounds);
		ju("accesses_per_round", w.t[0].n);
		ju("opt_per_round", w.opt);
		ju("faults", fsum[p]);
		ju("faults_round0", f0[p]);
		ju("samples", nall[p]);
		ju("mean_ns", nall[p] ? sum / nall[p] : 0);
		ju("p10_ns", pct_u32(all[p], nall[p], 0.10));
		ju("p25_ns", pct_u32(all[p], nall[p], 0.25));
		ju("p50_ns", pct_u32(all[p], nall[p], 0.50));
		ju("p75_ns", pct_u32(all[p], nall[p], 0.75));
		ju("p90_ns", pct_u32(all[p], nall[p], 0.90));
		ju("p95_ns", pct_u32(all[p], nall[p], 0.95));
		ju("p99_ns", pct_u32(all[p], nall[p], 0.99));
		ju("p999_ns", pct_u32(all[p], nall[p], 0.999));
		ju("wall_per_fault_ns", fsum[p] ? wall[p] / fsum[p] : 0);
		jd("p50_ratio_rounds_median", median_d(r50, n));
		jd("p99_ratio_rounds_median", median_d(r99, n));
		jd("p50_ratio_rounds_min", n ? r50[0] : NAN);
		jd("p50_ratio_rounds_max", n ? r50[n - 1] : NAN);
		jend();
		free(all[p]);
	}
	workload_free(&w);
	check(!bad && nall[0] && nall[1],
	      "hook: C and BPF LRU ran, %zu and %zu fault latencies (%d bad)",
	      nall[0], nall[1], bad);
	check(same_faults, "hook: the C and BPF LRU took the same faults (%llu and %llu)",
	      (unsigned long long)fsum[0], (unsigned long long)fsum[1]);
}

