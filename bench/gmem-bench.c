// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-bench: the GMEM-BPF benchmark suite. Runs in the vmtest.sh guest
 * (bench/guest.sh starts it), except `opt` and `convert-lackey`, which
 * also run on the host. See bench/README.md for the method.
 *
 *   gmem-bench suite [--quick] [--out FILE] [--tap] [--reps N] [--only EXP,...]
 *                    [--workloads FAMILY,...]
 *   gmem-bench replay TRACE [--mem-mb M | --pages N] [--policies P,...] [--reps N]
 *                     [--format auto|text|raw] [--max-refs N] [--out FILE]
 *   gmem-bench opt TRACE --capacity PAGES [--format ...]
 *   gmem-bench opt-check [STRINGS]   (OPT against an exhaustive search)
 *   gmem-bench convert-lackey [--instr] < lackey.out > trace.txt
 *   gmem-bench tsc-khz        (on the host: its TSC, which TCG guests read)
 *   gmem-bench policies [--quick]   (the BPF policies a suite run uses)
 *
 * Every measurement is one JSON object per line in --out (default
 * build/bench/raw.jsonl); bench/report.py turns them into results.json,
 * results.md and the plots.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "gmem_sysfs.h"

/* Split a comma-separated @list (in place) into @v; returns the count. */
static int split_list(char *list, const char **v, int max)
{
	char *tok, *save;
	int n = 0;

	for (tok = strtok_r(list, ",", &save); tok && n < max;
	     tok = strtok_r(NULL, ",", &save))
		v[n++] = tok;
	return n;
}

static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("%s: %s", path, strerror(errno));
	return f;
}

/*
 * Keep the matrix's workload families named in @list (comma-separated, in
 * place; "stride" keeps every stride). Exits 2 naming one it does not know.
 */
static void keep_families(struct config *c, char *list)
{
	static struct family kept[32];
	const char *names[32];
	int n = split_list(list, names, 32), nk = 0, i, f;

	for (i = 0; i < n; i++) {
		int found = 0;

		for (f = 0; f < c->nfamilies; f++) {
			if (strcmp(c->families[f].family, names[i]))
				continue;
			found = 1;
			if (nk < 32)
				kept[nk++] = c->families[f];
		}
		if (!found) {
			fprintf(stderr, "gmem-bench: --workloads: no workload family '%s' in this configuration\n",
				names[i]);
			exit(2);
		}
	}
	c->families = kept;
	c->nfamilies = nk;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

static int cmd_suite(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "tap", no_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "reps", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'O' },
		{ "trace", required_argument, NULL, 'T' },
		{ "driver", required_argument, NULL, 'd' },
		{ "policies", required_argument, NULL, 'p' },
		{ "budget", required_argument, NULL, 'b' },
		{ "workloads", required_argument, NULL, 'w' },
		{}
	};
	const char *outpath = "build/bench/raw.jsonl", *only = NULL;
	char *families = NULL;
	const char *pols[32];
	int npols = 0;
	struct config c;
	bool quick = false, tap = false;
	unsigned int reps = 0;
	long budget = -1;
	u64 deadline = 0;
	const char *traces[8];
	int ntraces = 0, opt, i, failed = 0;

	while ((opt = getopt_long(argc, argv, "qto:r:O:T:d:p:b:w:", opts, NULL)) != -1) {
		switch (opt) {
		case 'q': quick = true; break;
		case 't': tap = true; break;
		case 'o': outpath = optarg; break;
		case 'r': reps = strtoul(optarg, NULL, 0); break;
		case 'O': only = optarg; break;
		case 'T':
			if (ntraces < 8)
				traces[ntraces++] = optarg;
			break;
		case 'd': driver_ko = optarg; break;
		case 'b': budget = strtol(optarg, NULL, 0); break;
		case 'w': families = optarg; break;
		case 'p':
			npols = split_list(optarg, pols, 32);
			break;
		default:
			fprintf(stderr, "usage: gmem-bench suite [--quick] [--tap] [--out FILE] [--reps N] [--only opt,matrix,replay,hook,swap,scale,oversub,batch,peer,place] [--trace FILE]... [--policies P,...] [--workloads FAMILY,...] [--budget SECONDS] [--driver KO]\n");
			return 2;
		}
	}
	config_init(&c, quick);
	if (families)
		keep_families(&c, families);
	/* --policies: these, at every size, instead of shipped and pairs. */
	if (npols) {
		c.shipped = pols;
		c.nshipped = npols;
		c.ncombos = 0;
	}
	if (reps)
		c.reps_shipped = c.reps_combo = c.reps_replay = c.place_reps = reps;
	if (budget >= 0)
		c.budget_s = budget;
	for (i = 0; i < ntraces; i++)
		c.traces[c.ntraces++] = traces[i];
	out = open_out(outpath);
	suite_start = now_ns();
	tracer = tracer_open();
	if (!tracer)
		die("the tracer is needed (run as root in the guest)");
	if (c.budget_s)
		deadline = suite_start + c.budget_s * 1000000000ULL;
	jbegin("config");
	ju("quick", quick);
	ju("reps_shipped", c.reps_shipped);
	ju("reps_pairs", c.reps_combo);
	ju("reps_replay", c.reps_replay);
	ju("matrix_capacity_pages", (size_t)c.mem_mb * 256);
	ju("place_capacity_pages", c.place_pages);
	ju("reps_place", c.place_reps);
	ju("budget_s", c.budget_s);
	jend();

	/* Fixed-size experiments first, then the workload tiers until the budget. */
#define WANT(x) (!only || strstr(only, x))
	if (WANT("opt"))
		exp_opt(&c);
	if (WANT("hook"))
		exp_hook(&c);
	if (WANT("swap"))
		exp_swap(&c);
	if (WANT("scale"))
		exp_scale(&c);
	if (WANT("oversub"))
		exp_oversub(&c);
	if (WANT("batch"))
		exp_batch(&c);
	if (WANT("peer"))
		exp_peer(&c);
	if (WANT("place"))
		exp_place(&c);
	if (WANT("matrix") || WANT("replay"))
		exp_workloads(&c, WANT("matrix"), WANT("replay"), deadline);
#undef WANT
	/* The module parameters of the cost model, for the report. */
	jbegin("params");
	ju("fault_latency_ns", sysfs_long("/sys/module/gmem_sim/parameters/fault_latency_ns"));
	ju("link_mbps", sysfs_long("/sys/module/gmem_sim/parameters/link_mbps"));
	ju("access_ns", sysfs_long("/sys/module/gmem_sim/parameters/access_ns"));
	ju("remote_access_ns", sysfs_long("/sys/module/gmem_sim/parameters/remote_access_ns"));
	ju("access_counter_threshold",
	   sysfs_long("/sys/module/gmem_sim/parameters/access_counter_threshold"));
	ju("suite_s", (now_ns() - suite_start) / 1000000000ULL);
	jend();
	gmem_sim_unload();
	tracer_close(tracer);
	fclose(out);

	failed = checks_report(tap);
	return failed ? 1 : 0;
}

static enum trace_format parse_format(const char *s)
{
	if (!strcmp(s, "text"))
		return TRACE_TEXT;
	if (!strcmp(s, "raw"))
		return TRACE_RAW;
	if (!strcmp(s, "auto"))
		return TRACE_AUTO;
	die("unknown trace format '%s' (auto, text, raw)", s);
}

static int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem-mb", required_argument, NULL, 'm' },
		{ "pages", required_argument, NULL, 'P' },
		{ "policies", required_argument, NULL, 'p' },
		{ "reps", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "max-refs", required_argument, NULL, 'M' },
		{ "out", required_argument, NULL, 'o' },
		{ "driver", required_argument, NULL, 'd' },
		{}
	};
	const char *pols[32] = { "default" }, *outpath = "/dev/stdout";
	enum trace_format fmt = TRACE_AUTO;
	size_t pages = 0;
	struct config c;
	int npols = 1, opt, bad;
	char *list = NULL;

	config_init(&c, false);
	c.reps_replay = 1;
	while ((opt = getopt_long(argc, argv, "m:P:p:r:f:M:o:d:", opts, NULL)) != -1) {
		switch (opt) {
		case 'm': pages = strtoul(optarg, NULL, 0) * 256; break;
		case 'P': pages = strtoul(optarg, NULL, 0); break;
		case 'p': list = optarg; break;
		case 'r': c.reps_replay = strtoul(optarg, NULL, 0); break;
		case 'f': fmt = parse_format(optarg); break;
		case 'M': c.trace_max_refs = strtoull(optarg, NULL, 0); break;
		case 'o': outpath = optarg; break;
		case 'd': driver_ko = optarg; break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || !c.reps_replay) {
		fprintf(stderr, "usage: gmem-bench replay TRACE [--mem-mb M | --pages N] [--policies P,...] [--reps N] [--format auto|text|raw] [--max-refs N] [--out FILE]\n");
		return 2;
	}
	if (list)
		npols = split_list(list, pols, 32);
	out = open_out(outpath);
	suite_start = now_ns();
	/* Default capacity: half the trace's distinct pages. */
	if (!pages) {
		static const double half[] = { 0.5 };

		c.trace_frac = half;
		c.ntrace_frac = 1;
	}
	bad = exp_replay_file(&c, argv[optind], fmt, pages ? &pages : NULL,
			      pols, npols);
	if (bad < 0)
		return 1;
	gmem_sim_unload();
	tracer_close(tracer);
	fclose(out);
	return bad;
}

static int cmd_opt(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "capacity", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{}
	};
	enum trace_format fmt = TRACE_AUTO;
	size_t cap = 0;
	struct refs r = { 0 };
	long d;
	int opt;
	u64 t0;

	while ((opt = getopt_long(argc, argv, "c:f:", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': cap = strtoull(optarg, NULL, 0); break;
		case 'f': fmt = parse_format(optarg); break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || !cap) {
		fprintf(stderr, "usage: gmem-bench opt TRACE --capacity PAGES [--format auto|text|raw]\n");
		return 2;
	}
	d = trace_load(argv[optind], fmt, &r, SIZE_MAX);
	if (d < 0)
		die("%s: %s", argv[optind], strerror(errno));
	t0 = now_ns();
	printf("references %zu\ndistinct_pages %ld\ncapacity %zu\nopt_faults %llu\n",
	       r.n, d, cap, (unsigned long long)opt_faults(r.ref, r.n, d, cap));
	printf("opt_seconds %.3f\n", (now_ns() - t0) / 1e9);
	printf("lru_faults %llu\nfifo_faults %llu\n",
	       (unsigned long long)lru_faults(r.ref, r.n, d, cap),
	       (unsigned long long)fifo_faults(r.ref, r.n, d, cap));
	refs_free(&r);
	return 0;
}

static int cmd_opt_check(int argc, char **argv)
{
	unsigned long strings = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	double secs;
	int bad = opt_check(strings, 1, &secs);

	printf("opt-check: %d of %lu random strings differ from the exhaustive search; 10M references in %.2f s\n",
	       bad, strings, secs);
	return bad ? 1 : 0;
}

static int cmd_convert(int argc, char **argv)
{
	bool instr = argc > 1 && !strcmp(argv[1], "--instr");

	return lackey_convert(stdin, stdout, instr) ? 1 : 0;
}

/* The BPF policies a suite run uses, one per line (bench/guest.sh loads them). */
static int cmd_policies(int argc, char **argv)
{
	/* Those of the hook and swap parts, and of the place part. */
	static const char *const extra[] = {
		"lru", "none", "fifo", "place_remote", "place_counter",
	};
	const char *seen[64];
	struct config c;
	int n = 0, i, k, lists;

	config_init(&c, argc > 1 && !strcmp(argv[1], "--quick"));
	for (lists = 0; lists < 4; lists++) {
		const char *const *l = lists == 0 ? c.shipped :
				       lists == 1 ? c.combos :
				       lists == 2 ? c.trace_policies : extra;
		int nl = lists == 0 ? c.nshipped : lists == 1 ? c.ncombos :
			 lists == 2 ? c.ntrace_policies : N(extra);

		for (i = 0; i < nl; i++) {
			for (k = 0; k < n && strcmp(seen[k], l[i]); k++)
				;
			if (k == n && n < 64 && strcmp(l[i], "default")) {
				seen[n++] = l[i];
				printf("%s\n", l[i]);
			}
		}
	}
	return 0;
}

/* The TSC frequency against CLOCK_MONOTONIC_RAW over half a second. */
static int cmd_tsc_khz(void)
{
	struct timespec a, b;
	unsigned int lo, hi;
	u64 t0, t1, ns;

	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	t0 = (u64)hi << 32 | lo;
	usleep(500000);
	clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	t1 = (u64)hi << 32 | lo;
	ns = (b.tv_sec - a.tv_sec) * 1000000000ULL + b.tv_nsec - a.tv_nsec;
	printf("%llu\n", (unsigned long long)((t1 - t0) * 1000000ULL / ns));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: gmem-bench suite|replay|opt|opt-check|convert-lackey|tsc-khz|policies ... (see bench/README.md)\n");
		return 2;
	}
	out = stdout;
	debug = getenv("GMEM_BENCH_DEBUG");
	if (!strcmp(argv[1], "suite"))
		return cmd_suite(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return cmd_replay(argc - 1, argv + 1);
	if (!strcmp(argv[1], "opt"))
		return cmd_opt(argc - 1, argv + 1);
	if (!strcmp(argv[1], "opt-check"))
		return cmd_opt_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "convert-lackey"))
		return cmd_convert(argc - 1, argv + 1);
	if (!strcmp(argv[1], "tsc-khz"))
		return cmd_tsc_khz();
	if (!strcmp(argv[1], "policies"))
		return cmd_policies(argc - 1, argv + 1);
	fprintf(stderr, "gmem-bench: unknown command '%s'\n", argv[1]);
	return 2;
}

