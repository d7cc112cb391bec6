/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reference strings and the benchmark's workloads (workloads.c).
 */
#ifndef BENCH_LIB_WORKLOADS_H
#define BENCH_LIB_WORKLOADS_H

#include "util.h"

/* A growable array of page indices. */
struct refs {
	u64 *ref;
	size_t n, cap;
};

void refs_push(struct refs *r, u64 page);
void refs_free(struct refs *r);

#define MAX_TENANTS	2
/* llm-decode's model, ivf's index (workloads.c). */
#define LLM_LAYERS	8
#define LLM_TOKENS	16
#define IVF_LISTS	64
#define MAX_HINTS	2

/*
 * What the program tells GMEM of a range of its pages: hmadvise() of
 * MADV_POLICY_HINT_FIRST + hint (bpf/gmem_policy.h: 0 streaming, 1 hot).
 */
struct wl_hint {
	size_t first, n;
	int hint;
};
#define WL_HINT_STREAMING	0
#define WL_HINT_HOT		1
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
	/* Hints the program gives (single-tenant workloads only). */
	int nhints;
	struct wl_hint hints[MAX_HINTS];
	u64 opt;		/* Belady's minimum of demand faults */
	u64 lru_sim, fifo_sim;	/* offline LRU and FIFO at the same capacity */
	u64 arc_sim;		/* offline ARC, told of every use */
	size_t distinct;	/* distinct pages referenced */
};

void workload_free(struct workload *w);
/* Build the named family at @size_x of @capacity; 0 or -1 (unknown). */
int workload_make(struct workload *w, const char *family, double param,
		  double size_x, size_t capacity, u64 seed);
/* Compute w->opt, w->lru_sim, w->fifo_sim, w->arc_sim, w->distinct. */
void workload_opt(struct workload *w);

#endif /* BENCH_LIB_WORKLOADS_H */
