/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmem-bench's guest side: the declarations its files share. What runs
 * without the device or libbpf is in bench/lib/. See bench/README.md.
 */
#ifndef GMEM_BENCH_H
#define GMEM_BENCH_H

#include "lib/util.h"
#include "lib/opt.h"
#include "lib/workloads.h"
#include "lib/tracefile.h"

#include "gmem_sim_uapi.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- output (output.c): JSON lines, sanity checks, progress -------- */

extern FILE *out;		/* JSON lines: --out, or stdout */
extern u64 suite_start;		/* now_ns() when the suite started */

void jbegin(const char *exp);
void jstr(const char *k, const char *v);
void ju(const char *k, u64 v);
void jd(const char *k, double v);
void jend(void);

/* A sanity check: "# check ..." on stderr, a "check" record in out. */
void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The checks as TAP on stdout if @tap, a summary on stderr; the number
 * that failed. */
int checks_report(bool tap);

void progress_begin(const char *exp, unsigned long total);
void progress_step(const char *what);

/* ---- the device, the module, the policies (device.c) --------------- */

#define DEV0		"/dev/gmem_sim0"
#define SYS_DEV		"/sys/kernel/gmem/devices/gmem_sim0/"
#define SYS_GMEM	"/sys/kernel/gmem/"

extern const char *driver_ko;	/* --driver */

void gmem_sim_unload(void);
/* Load gmem_sim with one device of @mem_mb MiB (of @pages pages), unless
 * it is loaded so. */
void gmem_sim_load(unsigned int mem_mb);
void gmem_sim_load_pages(size_t pages);
/* The same with @ndev devices (gmem_simN, N from 0) of @pages each. */
void gmem_sim_load_devices(unsigned int ndev, size_t pages);
bool policy_available(const char *name);
/* Make @name the system default; returns the write's duration in ns. */
u64 policy_use(const char *name);
/* Does the policy prefetch? (Only demand-paging ones are bound by OPT's faults.) */
bool policy_prefetches(const char *name);

struct counters {
	long long v[16];
};

/* The device's counters and those of @policy, from sysfs. */
void read_counters(const char *policy, struct counters *dev,
		   struct counters *pol);

#define FILL_MUL 0x9e3779b97f4a7c15ULL

/* The sum of the words of page @p as filled by the CPU. */
u64 page_sum(u64 p);
/* Word i of page p = p * FILL_MUL + i. */
void fill_pages(u64 *buf, size_t npages);
/* @npages of MAP_PEER_SHARED memory, filled by fill_pages() if @fill. */
void *peer_buffer(size_t npages, bool fill);
int device_hnid(void);
int dev_open(void);
/* The same for gmem_sim@n; dev_path()'s string is overwritten by the next call. */
int device_hnid_n(int n);
const char *dev_path(int n);
int dev_open_n(int n);
/* Adds the counts of @run (faults, ..., remote accesses, checksum) to *@acc. */
void run_add(struct gmem_sim_run *acc, const struct gmem_sim_run *run);
/* Run @n references of @list on the device; adds to *@acc. */
int dev_run_list(int fd, void *buf, size_t npages, const u64 *list,
		 size_t n, struct gmem_sim_run *acc);

/* ---- per-page event replay (evtrace.c) ----------------------------- */

struct ev_stats {
	u64 events, lost;
	u64 arrivals, departures;	/* pages onto / off the device */
	u64 demand_in, prefetch_in;	/* arrivals by fault, by prefetch */
	u64 prefetch_unused_evicted;	/* prefetched, left before any use */
	u64 prefetch_unused_end;	/* prefetched, unused, still resident */
	u64 refaults;			/* faults on resident pages */
	u64 mismatches;			/* replay out of step with the string */
};

struct bench_trace;
struct tracer;

struct tracer *tracer_open(void);
void tracer_close(struct tracer *t);
/* Watch these processes' faults (latency) and, if @events, page events. */
int tracer_start(struct tracer *t, const int *pids, int npids, bool events);
void tracer_stop(struct tracer *t);
/* A marker in the event stream (round ends of cpu-share). */
void tracer_mark(void);
/* Latencies of the faults since tracer_start(), in ns. */
const u64 *tracer_latencies(struct tracer *t, size_t *n);
/*
 * Replay the events of @pid against its reference string (page indices of
 * a buffer at @base), whose rounds end at @marks (one per marker).
 */
void tracer_replay(struct tracer *t, int pid, u64 base, const u64 *ref,
		   size_t n, size_t npages, const size_t *marks, size_t nmarks,
		   struct ev_stats *st);

/* ---- one run of a workload under a policy (run.c) ------------------ */

extern struct tracer *tracer;	/* NULL: not traced */
extern bool debug;		/* GMEM_BENCH_DEBUG set */

#define DBG(...) do { if (debug) fprintf(stderr, "# debug: " __VA_ARGS__); } while (0)

struct run_result {
	struct gmem_sim_run dev;	/* summed over tenants */
	u64 wall_ns, expect_checksum;
	int errors;
	struct counters d0, d1, p0, p1;
	bool traced;
	struct ev_stats ev[MAX_TENANTS];
	size_t lat_n;
	u64 lat_p50, lat_p90, lat_p99, lat_mean, lat_max;
	u32 *lat;			/* sorted copy, if kept */
};

/* The tracer's fault latencies into @r; a sorted copy in r->lat if @keep. */
void latency_summary(struct run_result *r, bool keep);
void run_workload(struct workload *w, const char *policy, bool traced,
		  struct run_result *r, bool keep_lat);
/* Device counter @i, policy counter @i: their change over the run. */
u64 dd(const struct run_result *r, size_t i);
u64 pd(const struct run_result *r, size_t i);
/* @r's fault latency summary (lat_*) into the record being written. */
void emit_latency(const struct run_result *r);
void emit_run(const char *exp, const struct workload *w,
	      const char *policy, int rep, const struct run_result *r);

/* ---- what a suite run measures (config.c) -------------------------- */

struct family {
	const char *family;
	double param;
};

struct config {
	bool quick;
	unsigned int reps_shipped;	/* shipped policies: rep 0 traced, then untraced */
	unsigned int reps_combo;	/* prefetch x eviction pairs */
	unsigned int reps_replay;
	unsigned int mem_mb;		/* matrix device */
	const double *sizes;		/* shipped policies, every size */
	int nsizes;
	const double *combo_sizes;	/* pairs: the oversubscribed sizes */
	int ncombo_sizes;
	const struct family *families;
	int nfamilies;
	const char *const *shipped;
	int nshipped;
	const char *const *combos;
	int ncombos;
	u64 hook_accesses;
	int hook_reps;
	int swaps;
	const size_t *scale_n;
	int nscale;
	size_t scale_step;
	size_t oversub_pages;		/* device of the oversub part */
	size_t batch_pages;		/* pages a kernel of the batch part faults */
	const unsigned int *peer_mb;
	int npeer;
	int peer_reps;
	size_t place_pages;		/* each of the place part's two devices */
	int place_reps;
	const char *traces[8];
	int ntraces;
	const double *trace_frac;
	int ntrace_frac;
	const char *const *trace_policies;
	int ntrace_policies;
	size_t trace_max_refs;
	unsigned int budget_s;		/* 0: none */
	u64 seed;
};

void config_init(struct config *c, bool quick);

/* ---- experiments (exp_*.c), each ends with its check()s ------------ */

void exp_opt(const struct config *c);
void exp_hook(const struct config *c);
void exp_swap(const struct config *c);
void exp_scale(const struct config *c);
void exp_oversub(const struct config *c);

/* ---- the stage profiler (profile.c) ---------------------------------- */
struct profiler;
/* NULL if it cannot load (then a note on stderr). */
struct profiler *profiler_open(void);
void profiler_close(struct profiler *p);
/* Zero the stage totals, attach; count only process @pid's calls (0: all). */
void profiler_start(struct profiler *p, int pid);
/* A "profile" record per stage that ran since profiler_start(); detaches. */
void profiler_emit(struct profiler *p, const char *driver,
		   const char *direction, u64 wall_ns);
void exp_batch(const struct config *c);
void exp_peer(const struct config *c);
void exp_place(const struct config *c);
/* The matrix and the replay of c->traces, until @deadline (0: none). */
void exp_workloads(const struct config *c, bool matrix, bool replay,
		   u64 deadline);
/*
 * gmem-bench replay: one trace (device of *@pages pages, or of
 * c->trace_frac of its pages) under @pols, c->reps_replay times;
 * 0 if every run was right, 1 if not, -1 if the trace did not load.
 */
int exp_replay_file(struct config *c, const char *path, enum trace_format fmt,
		    const size_t *pages, const char *const *pols, int npols);

#endif /* GMEM_BENCH_H */
