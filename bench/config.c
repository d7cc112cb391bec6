// SPDX-License-Identifier: GPL-2.0
/*
 * What a suite run measures: the full and the --quick configuration.
 */
#include "bench.h"

static const double full_sizes[] = { 0.5, 1.25, 2, 4 };
static const double full_combo_sizes[] = { 1.25, 2 };
static const struct family full_families[] = {
	{ "seq", 0 }, { "stride", 4 }, { "stride", 16 }, { "stride", 128 },
	{ "random", 0 }, { "zipf", 0.8 }, { "zipf", 1.2 }, { "phase", 0 },
	{ "tenants", 0 }, { "cyclic", 0 }, { "cpu-share", 0 },
	{ "llm-decode", 0 }, { "gnn", 0 }, { "ivf", 0 }, { "gemm", 0 },
};
static const char *const full_shipped[] = {
	"default", "lru", "fifo", "lfu", "clock", "mru", "s3fifo", "sieve", "lirs",
	"hints", "seq", "stride", "tree",
};
static const char *const full_combos[] = {
	"seq_lru", "seq_fifo", "seq_lfu", "seq_clock", "seq_mru",
	"stride_lru", "stride_fifo", "stride_lfu", "stride_clock", "stride_mru",
	"tree_lru", "tree_fifo", "tree_lfu", "tree_clock", "tree_mru",
};
static const size_t full_scale[] = { 1024, 16384, 262144 };
static const unsigned int full_peer[] = { 4, 32, 128 };
static const double full_frac[] = { 0.25, 0.5 };
static const char *const full_trace_policies[] = {
	"default", "lru", "fifo", "mru", "s3fifo", "sieve", "lirs", "seq", "stride",
	"tree", "tree_lru",
};

static const double quick_sizes[] = { 2 };
static const struct family quick_families[] = {
	{ "seq", 0 }, { "stride", 16 }, { "random", 0 }, { "zipf", 0.8 },
	{ "phase", 0 }, { "tenants", 0 }, { "cyclic", 0 }, { "cpu-share", 0 },
};
static const char *const quick_shipped[] = {
	"default", "lru", "mru", "s3fifo", "sieve", "seq",
};
static const char *const quick_combos[] = { "stride_fifo" };
static const size_t quick_scale[] = { 1024, 16384 };
static const unsigned int quick_peer[] = { 1, 4 };
static const double quick_frac[] = { 0.5 };
static const char *const quick_trace_policies[] = { "default", "seq", "lru" };

/* A list and its length, for the pointer and count pairs of struct config. */
#define LIST(name, a)	.name = a, .n##name = N(a)

static const struct config full = {
	.reps_shipped = 3,
	.reps_combo = 2,
	.reps_replay = 2,
	.mem_mb = 4,
	LIST(sizes, full_sizes),
	LIST(combo_sizes, full_combo_sizes),
	LIST(families, full_families),
	LIST(shipped, full_shipped),
	LIST(combos, full_combos),
	.hook_accesses = 22000,		/* ~11k faults a round */
	.hook_reps = 10,		/* rounds: > 100k faults per policy */
	.swaps = 40,
	.scale_n = full_scale, .nscale = N(full_scale),
	.scale_step = 4096,
	.oversub_pages = 4096,
	.batch_pages = 4096,
	.peer_mb = full_peer, .npeer = N(full_peer),
	.peer_reps = 3,
	.place_pages = 2048,		/* 8 MiB a device */
	.place_reps = 3,
	.trace_frac = full_frac, .ntrace_frac = N(full_frac),
	LIST(trace_policies, full_trace_policies),
	.trace_max_refs = 4000000,
	.budget_s = 1140,		/* make bench < 25 min in all */
	.seed = 1,
};

static const struct config quick = {
	.quick = true,
	.reps_shipped = 2,
	.reps_combo = 2,
	.reps_replay = 2,
	.mem_mb = 1,
	LIST(sizes, quick_sizes),
	.combo_sizes = quick_sizes, .ncombo_sizes = N(quick_sizes),
	LIST(families, quick_families),
	LIST(shipped, quick_shipped),
	LIST(combos, quick_combos),
	.hook_accesses = 3000,
	.hook_reps = 2,
	.swaps = 6,
	.scale_n = quick_scale, .nscale = N(quick_scale),
	.scale_step = 1024,
	.oversub_pages = 1024,
	.batch_pages = 512,
	.peer_mb = quick_peer, .npeer = N(quick_peer),
	.peer_reps = 2,
	.place_pages = 256,
	.place_reps = 2,
	.trace_frac = quick_frac, .ntrace_frac = N(quick_frac),
	LIST(trace_policies, quick_trace_policies),
	.trace_max_refs = 50000,
	.budget_s = 0,
	.seed = 1,
};

void config_init(struct config *c, bool is_quick)
{
	*c = is_quick ? quick : full;
}
