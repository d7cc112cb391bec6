/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/lib: what the benchmark computes without the device or libbpf
 * (util, Belady's OPT, workloads, trace files), so that the host unit
 * tests (tests/host/) link it alone. This header: types, errors,
 * allocation, time, random numbers, percentiles.
 */
#ifndef BENCH_LIB_UTIL_H
#define BENCH_LIB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gmem_util.h"	/* now_ns(), from lib/: header only */

typedef uint64_t u64;
typedef uint32_t u32;

#define PAGE_SHIFT_4K	12
#define PAGE_4K		4096UL

/* "gmem-bench: MESSAGE" on stderr, exit(1). */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);

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

/* qsort() comparators. */
int cmp_u32(const void *a, const void *b);
int cmp_u64(const void *a, const void *b);
/* Percentile @q (0..1) of sorted @v, nearest rank; 0 if @n is 0. */
u64 pct_u32(const u32 *v, size_t n, double q);
u64 pct_u64(const u64 *v, size_t n, double q);

#endif /* BENCH_LIB_UTIL_H */
