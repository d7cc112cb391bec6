/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Offline S3-FIFO, SIEVE, LIRS and ARC on a reference string
 * (evictors.c); the first three make the same decisions as
 * bpf/lib/s3fifo.h, sieve.h and lirs.h make when a device reports every
 * use and each eviction round takes one victim, so the host tests can
 * hold the BPF code to them (tests/host/test_evictors.c).
 * References as for opt.h (OPT_REMOVE takes a page off the device).
 */
#ifndef BENCH_LIB_EVICTORS_H
#define BENCH_LIB_EVICTORS_H

#include "opt.h"

/*
 * S3-FIFO with a small queue of @small_percent of @capacity and a ghost
 * queue remembering the last @ghosts pages the small queue let go.
 */
u64 s3fifo_faults(const u64 *seq, size_t n, size_t npages, size_t capacity,
		  unsigned int small_percent, size_t ghosts);
u64 sieve_faults(const u64 *seq, size_t n, size_t npages, size_t capacity);
/* LIRS with an adaptive cold share, as bpf/lib/lirs.h (evictors.c). */
u64 lirs_faults(const u64 *seq, size_t n, size_t npages, size_t capacity);
/* ARC, for the report: no BPF version (bench/README.md, "Evictors"). */
u64 arc_faults(const u64 *seq, size_t n, size_t npages, size_t capacity);

#endif /* BENCH_LIB_EVICTORS_H */
