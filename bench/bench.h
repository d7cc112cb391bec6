/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmem-bench: shared declarations. See bench/README.md.
 */
#ifndef GMEM_BENCH_H
#define GMEM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef uint64_t u64;
typedef uint32_t u32;

#define PAGE_SHIFT_4K	12
#define PAGE_4K		4096UL

/* ---- utilities (gmem-bench.c) ------------------------------------- */

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
u64 now_ns(void);

/* Deterministic random numbers (splitmix64). */
static inline u64 rng_next(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline double rng_unit(u64 *s)
{
	return (rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- reference strings and workloads (workloads.c) ---------------- */

/* A growable array of page indices. */
struct refs {
	u64 *ref;
	size_t n, cap;
};

void refs_push(struct refs *r, u64 page);
void refs_free(struct refs *r);

#define MAX_TENANTS	2
#define MAX_ROUNDS	16

struct workload {
	char name[48];		/* "random", "zipf-0.8", "stride-16", "trace:NAME" */
	char family[24];	/* "random", "zipf", "stride", ... */
	double size_x;		/* working set / device capacity */
	size_t capacity;	/* device pages */
	int tenants;		/* 1, or 2 in lockstep */
	size_t npages[MAX_TENANTS];
	struct refs t[MAX_TENANTS];
	size_t chunk;		/* tenants: accesses per turn */
	/* cpu-share: the device runs t[0] in rounds, the CPU writes after each. */
	int rounds;
	size_t round_end[MAX_ROUNDS];
	struct refs touch[MAX_ROUNDS];
	u64 opt;		/* Belady's minimum of demand faults */
	u64 lru_sim, fifo_sim;	/* offline LRU and FIFO at the same capacity */
	size_t distinct;	/* distinct pages referenced */
};

void workload_free(struct workload *w);
/* Build the named family at @size_x of @capacity; 0 or -1 (unknown). */
int workload_make(struct workload *w, const char *family, double param,
		  double size_x, size_t capacity, u64 seed);
/* Compute w->opt, w->lru_sim, w->fifo_sim, w->distinct. */
void workload_opt(struct workload *w);

/* ---- Belady's OPT and offline LRU/FIFO (opt.c) --------------------- */

/* A reference with this bit set removes the page (a CPU touch). */
#define OPT_REMOVE	(1ULL << 63)

u64 opt_faults(const u64 *seq, size_t n, size_t npages, size_t capacity);
u64 lru_faults(const u64 *seq, size_t n, size_t npages, size_t capacity);
u64 fifo_faults(const u64 *seq, size_t n, size_t npages, size_t capacity);
/*
 * opt_faults() against an exhaustive search on @strings short random
 * strings; the number that differ. *@big_seconds: its time on 10M references.
 */
int opt_check(unsigned long strings, u64 seed, double *big_seconds);

/* ---- trace files (tracefile.c) ------------------------------------- */

enum trace_format { TRACE_AUTO, TRACE_TEXT, TRACE_RAW };

/*
 * Read a trace of virtual page numbers (text: one per line, decimal or
 * 0x-hex, '#' comments; raw: little-endian u64), gzip-compressed or not,
 * and map its distinct pages densely (in order of first use) into @r.
 * Returns the number of distinct pages, or -1 with errno.
 */
long trace_load(const char *path, enum trace_format fmt, struct refs *r,
		size_t max_refs);
/* valgrind --tool=lackey --trace-mem=yes output on @in -> text trace. */
int lackey_convert(FILE *in, FILE *out, bool with_instr);

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

#endif /* GMEM_BENCH_H */
