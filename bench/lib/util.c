// SPDX-License-Identifier: GPL-2.0
/*
 * bench/lib utilities: errors, allocation, time, percentiles (util.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "util.h"

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "gmem-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die("out of memory (%zu bytes)", size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* The nearest rank's index: ceil(q * n) - 1, at least 0. */
static size_t pct_index(size_t n, double q)
{
	size_t i = (size_t)ceil(q * n);

	return i ? i - 1 : 0;
}

u64 pct_u32(const u32 *v, size_t n, double q)
{
	return n ? v[pct_index(n, q)] : 0;
}

u64 pct_u64(const u64 *v, size_t n, double q)
{
	return n ? v[pct_index(n, q)] : 0;
}
