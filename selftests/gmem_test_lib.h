/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the gmem_sim based tests: MAP_PEER_SHARED mappings and
 * the device's ioctls.
 */
#ifndef GMEM_TEST_LIB_H
#define GMEM_TEST_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mman.h>

#include "gmem_sim_uapi.h"
#include "gmem_sysfs.h"

#ifdef TEST_TIMEOUT_DEFAULT
/*
 * kselftest's 30 s per test is too short on the debug kernel (make check
 * DEBUG=1: KASAN and lockdep under TCG run 5-10x slower); the suites keep
 * their own limits in run-in-guest.sh.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300
#endif

#define DEV0 "/dev/gmem_sim0"
#define DEV1 "/dev/gmem_sim1"

static size_t page_size;

static inline void *peer_mmap(size_t size, int prot)
{
	return mmap(NULL, size, prot,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED, -1, 0);
}

/* Run a device kernel; returns 0 or -errno. */
static inline int dev_run(int fd, void *addr, size_t size, int pattern,
			  int op, uint64_t value, struct gmem_sim_run *out)
{
	struct gmem_sim_run run = {
		.addr = (uintptr_t)addr,
		.size = size,
		.pattern = pattern,
		.op = op,
		.stride = 1,
		.seed = 42,
		.value = value,
	};
	int ret = ioctl(fd, GMEM_SIM_IOC_RUN, &run);

	if (out)
		*out = run;
	return ret ? -errno : 0;
}

static inline int dev_rw(int fd, unsigned long cmd, void *addr, void *buf,
			 size_t size)
{
	struct gmem_sim_rw rw = {
		.addr = (uintptr_t)addr,
		.ptr = (uintptr_t)buf,
		.size = size,
	};

	return ioctl(fd, cmd, &rw) ? -errno : 0;
}

static inline struct gmem_sim_counters dev_counters(int fd)
{
	struct gmem_sim_counters c;

	memset(&c, 0xff, sizeof(c));
	if (ioctl(fd, GMEM_SIM_IOC_COUNTERS, &c))
		perror("GMEM_SIM_IOC_COUNTERS");
	return c;
}

/* What GMEM_SIM_WRITE leaves in the word at @p. */
static inline uint64_t written_word(uint64_t value, const uint64_t *p)
{
	return value ^ (uint64_t)(uintptr_t)p;
}

static inline uint64_t cpu_checksum(const void *buf, size_t size)
{
	const uint64_t *w = buf;
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < size / sizeof(*w); i++)
		sum += w[i];
	return sum;
}

static inline void fill(void *buf, size_t size, uint64_t seed)
{
	uint64_t *w = buf;
	size_t i;

	for (i = 0; i < size / sizeof(*w); i++)
		w[i] = seed * 0x9e3779b97f4a7c15ULL + i;
}

/* Does /proc/self/smaps show @flag in the VmFlags of the VMA at @addr? */
static inline int vma_has_flag(void *addr, const char *flag)
{
	char line[512], want[32];
	unsigned long start, end, a = (uintptr_t)addr;
	int in_vma = 0, found = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), " %s", flag);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in_vma = a >= start && a < end;
			continue;
		}
		if (in_vma && !strncmp(line, "VmFlags:", 8))
			found = strstr(line, want) != NULL;
	}
	fclose(f);
	return found;
}

/*
 * Device faults of a demand-paged run: exactly @want, unless the policy
 * under test prefetches (selftests/policy-matrix.sh sets
 * GMEM_POLICY_PREFETCHES), which may only make them fewer.
 */
#define EXPECT_DEMAND_FAULTS(got, want)					\
	do {								\
		if (getenv("GMEM_POLICY_PREFETCHES")) {			\
			EXPECT_LE(got, want);				\
		} else {						\
			EXPECT_EQ(got, want);				\
		}							\
	} while (0)

#endif /* GMEM_TEST_LIB_H */
