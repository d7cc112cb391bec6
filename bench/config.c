// SPDX-License-Identifier: GPL-2.0
/*
 * What a suite run measures: the full and the --quick configuration.
 */
#include <string.h>

#include "bench.h"

static const double full_sizes[] = { 0.5, 1.25, 2, 4 };
static const double full_combo_sizes[] = { 1.25, 2 };
static const struct family full_families[] = {
	{ "seq", 0 }, { "stride", 4 }, { "stride", 16 }, { "stride", 128 },
	{ "random", 0 }, { "zipf", 0.8 }, { "zipf", 1.2 }, { "phase", 0 },
	{ "tenants", 0 }, { "cyclic", 0 }, { "cpu-share", 0 },
};
static const char *const full_shipped[] = {
	"default", "lru", "fifo", "lfu", "clock", "mru", "seq", "stride", "tree",
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
	"default", "lru", "fifo", "mru", "seq", "stride", "tree", "tree_lru",
};

static const double quick_sizes[] = { 2 };
static const struct family quick_families[] = {
	{ "seq", 0 }, { "stride", 16 }, { "random", 0 }, { "zipf", 0.8 },
	{ "phase", 0 }, { "tenants", 0 }, { "cyclic", 0 }, { "cpu-share", 0 },
};
static const char *const quick_shipped[] = { "default", "lru", "mru", "seq" };
static const char *const quick_combos[] = { "stride_fifo" };
static const size_t quick_scale[] = { 1024, 16384 };
static const unsigned int quick_peer[] = { 1, 4 };
static const double quick_frac[] = { 0.5 };
static const char *const quick_trace_policies[] = { "default", "seq", "lru" };

void config_init(struct config *c, bool quick)
{
	memset(c, 0, sizeof(*c));
	c->quick = quick;
	c->seed = 1;
	if (!quick) {
		c->reps_shipped = 3;
		c->reps_combo = 2;
		c->reps_replay = 2;
		c->mem_mb = 4;
		c->sizes = full_sizes, c->nsizes = N(full_sizes);
		c->combo_sizes = full_combo_sizes;
		c->ncombo_sizes = N(full_combo_sizes);
		c->families = full_families, c->nfamilies = N(full_families);
		c->shipped = full_shipped, c->nshipped = N(full_shipped);
		c->combos = full_combos, c->ncombos = N(full_combos);
		c->hook_accesses = 22000;	/* ~11k faults a round */
		c->hook_reps = 10;		/* rounds: > 100k faults per policy */
		c->swaps = 40;
		c->scale_n = full_scale, c->nscale = N(full_scale);
		c->scale_step = 4096;
		c->peer_mb = full_peer, c->npeer = N(full_peer);
		c->peer_reps = 3;
		c->trace_frac = full_frac, c->ntrace_frac = N(full_frac);
		c->trace_policies = full_trace_policies;
		c->ntrace_policies = N(full_trace_policies);
		c->trace_max_refs = 4000000;
		c->budget_s = 1140;	/* make bench < 25 min in all */
	} else {
		c->reps_shipped = 2;
		c->reps_combo = 2;
		c->reps_replay = 2;
		c->mem_mb = 1;
		c->sizes = quick_sizes, c->nsizes = N(quick_sizes);
		c->combo_sizes = quick_sizes, c->ncombo_sizes = N(quick_sizes);
		c->families = quick_families, c->nfamilies = N(quick_families);
		c->shipped = quick_shipped, c->nshipped = N(quick_shipped);
		c->combos = quick_combos, c->ncombos = N(quick_combos);
		c->hook_accesses = 3000;
		c->hook_reps = 2;
		c->swaps = 6;
		c->scale_n = quick_scale, c->nscale = N(quick_scale);
		c->scale_step = 1024;
		c->peer_mb = quick_peer, c->npeer = N(quick_peer);
		c->peer_reps = 2;
		c->trace_frac = quick_frac, c->ntrace_frac = N(quick_frac);
		c->trace_policies = quick_trace_policies;
		c->ntrace_policies = N(quick_trace_policies);
		c->trace_max_refs = 50000;
		c->budget_s = 0;
	}
}

