/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the gmem_sim based tests, beside lib/gmem_sim.h
 * (MAP_PEER_SHARED mappings and the device's ioctls).
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
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <linux/mman.h>

#include "gmem_sim.h"
#include "gmem_sysfs.h"

/* gmem_sim0's directory: its GMEM counters and tunables. */
#define SYSFS_DEV0	GMEM_DEVICES_DIR "/gmem_sim0/"
/* GMEM's debugfs directory: a file per address space, as-PID. */
#define GMEM_DEBUGFS_DIR	"/sys/kernel/debug/gmem"

#ifdef TEST_TIMEOUT_DEFAULT
/*
 * kselftest's 30 s per test is too short on the debug kernel (make check
 * DEBUG=1: KASAN and lockdep under TCG run 5-10x slower); the suites keep
 * their own limits in run-in-guest.sh.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300
#endif

static size_t page_size;

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

/*
 * In a process a test forked to run beside it: die with the test, also
 * when a failed assertion ends the test before it told the process to
 * stop (the harness kills only a test that timed out), so that no process
 * goes on using a device after its test.
 */
static inline void die_with_test(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* A "name: value" line of this process's GMEM debugfs file, or -1. */
static inline long as_counter(const char *name)
{
	char path[64], line[256];
	size_t n = strlen(name);
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), GMEM_DEBUGFS_DIR "/as-%d", getpid());
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':')
			value = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return value;
}

#define FAILSLAB_DIR	"/sys/kernel/debug/failslab"

/*
 * failslab (debug kernel) for the tasks that asked for it with
 * make_this_thread_fail(): @percent % of their slab allocations fail, the
 * non-sleeping ones (GFP_ATOMIC, GFP_NOWAIT) only unless @sleeping, so
 * the injection can reach the atomic paths without failing everything
 * else. Each failure is reported in the kernel log (rate-limited, no
 * stack). 0, or -errno; -ENOENT on a kernel without failslab.
 */
static inline int failslab_inject(int percent, int sleeping)
{
	char prob[16];
	const char *const knobs[][2] = {
		{ "task-filter", "Y" }, { "ignore-gfp-wait", sleeping ? "N" : "Y" },
		{ "interval", "1" }, { "times", "-1" }, { "space", "0" },
		{ "verbose", "1" }, { "probability", prob },
	};
	char path[96];
	size_t i;
	int err;

	snprintf(prob, sizeof(prob), "%d", percent);
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), FAILSLAB_DIR "/%s", knobs[i][0]);
		err = sysfs_write(path, knobs[i][1]);
		if (err)
			return err;
	}
	return 0;
}

static inline int failslab_atomic(int percent)
{
	return failslab_inject(percent, 0);
}

/* No more failslab injection, for anyone; 0 or -errno. */
static inline int failslab_off(void)
{
	return sysfs_write(FAILSLAB_DIR "/probability", "0");
}

/*
 * Injected failures reported in the kernel log after @from (a /dev/kmsg
 * descriptor opened before the injection, at its end): failslab's
 * "forcing a failure" lines, which it rate-limits, so at least 1 if any.
 */
static inline unsigned long failslab_reports(int from)
{
	unsigned long n = 0;
	char rec[1024];
	ssize_t len;

	while ((len = read(from, rec, sizeof(rec) - 1)) > 0 ||
	       (len < 0 && errno == EPIPE)) {
		if (len <= 0)
			continue;	/* EPIPE: records were overwritten */
		rec[len] = 0;
		n += strstr(rec, "FAULT_INJECTION: forcing a failure") != NULL;
	}
	return n;
}

/* Injected failures (failslab_atomic()) for the calling thread: on or off. */
static inline int make_this_thread_fail(int on)
{
	return sysfs_write("/proc/thread-self/make-it-fail", on ? "1" : "0");
}

#endif /* GMEM_TEST_LIB_H */
