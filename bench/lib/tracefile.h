/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace files for replay (tracefile.c).
 */
#ifndef BENCH_LIB_TRACEFILE_H
#define BENCH_LIB_TRACEFILE_H

#include "workloads.h"

enum trace_format { TRACE_AUTO, TRACE_TEXT, TRACE_RAW };

/*
 * Read a trace of virtual page numbers (text: one per line, decimal or
 * 0x-hex, '#' comments; raw: little-endian u64), gzip-compressed or not,
 * and map its distinct pages densely (in order of first use) into @r.
 * Returns the number of distinct pages, or -1 with errno.
 */
long trace_load(const char *path, enum trace_format fmt, struct refs *r,
		size_t max_refs);
/*
 * A device smaller than this says more about GMEM's mechanism (aging,
 * eviction rounds) than about a policy.
 */
#define TRACE_MIN_PAGES 64
/*
 * Pages of the device a trace of @distinct pages is replayed on at @frac
 * of them: at least TRACE_MIN_PAGES; 0 if that would hold the whole trace.
 */
size_t trace_capacity(long distinct, double frac);
/* valgrind --tool=lackey --trace-mem=yes output on @in -> text trace. */
int lackey_convert(FILE *in, FILE *out, bool with_instr);

#endif /* BENCH_LIB_TRACEFILE_H */
