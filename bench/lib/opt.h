/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Belady's OPT and offline LRU/FIFO on a reference string (opt.c).
 */
#ifndef BENCH_LIB_OPT_H
#define BENCH_LIB_OPT_H

#include "util.h"

/* A reference with this bit set removes the page (a CPU touch). */
#define OPT_REMOVE	(1ULL << 63)

/* Demand faults on @n references to pages 0..@npages-1, @capacity frames. */
u64 opt_faults(const u64 *seq, size_t n, size_t npages, size_t capacity);
u64 lru_faults(const u64 *seq, size_t n, size_t npages, size_t capacity);
u64 fifo_faults(const u64 *seq, size_t n, size_t npages, size_t capacity);

/*
 * opt_faults() against an exhaustive search on @strings short random strings;
 * the number that differ. *@big_seconds: its time on 10M references.
 */
int opt_check(unsigned long strings, u64 seed, double *big_seconds);

#endif /* BENCH_LIB_OPT_H */
