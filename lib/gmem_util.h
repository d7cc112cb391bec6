/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers the userspace programs share. */
#ifndef GMEM_UTIL_H
#define GMEM_UTIL_H

#include <stdint.h>
#include <time.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* CLOCK_MONOTONIC, for intervals: wall-clock steps do not move it. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline double now_ms(void)
{
	return now_ns() / 1e6;
}

#endif /* GMEM_UTIL_H */
