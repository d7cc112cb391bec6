// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-run: run one gmem_sim device kernel over fresh MAP_PEER_SHARED
 * memory and print what it cost. A workload for the tracepoint tests and
 * the demo.
 *
 *   gmem-run [-d DEV] [-n PAGES] [-o read|write|rmw]
 *            [-p sequential|strided|random|zipf] [-s STRIDE] [-a ACCESSES]
 *            [-r PASSES] [-w MS] [-u FILE] [-P] [-c]
 *
 * -s is the distance in pages between two accesses of the strided
 * pattern (1 by default): page (i * STRIDE) % PAGES.
 *
 * -r runs the device kernel PASSES times over the same memory, printing
 * each pass's cost and the GMEM policy it ran under (/proc/self/gmem_policy;
 * "A>B" when it was swapped during the pass), so that policies can be
 * swapped under a running workload; -w waits MS milliseconds between two
 * passes (a slower program). -u FILE ends the run after the first
 * pass that finds FILE exists: a test decides when the workload stops.
 * -f runs the device with fault injection on (/proc/self/make-it-fail, for
 * failslab and fail_page_alloc); a run the injected failures stop must
 * fail with ENOMEM, EFAULT or EINTR and leave every page of a sequential
 * rmw either as it was or done (exit 0), anything else exits 1. -f also
 * locks the program's pages in memory (mlockall: CAP_IPC_LOCK, or a
 * large enough RLIMIT_MEMLOCK).
 * -P prefetches the range to the device with hmadvise() first; -c checks
 * the device's work on the CPU afterwards (exit 1 on a mismatch): every
 * word of a sequential write; for rmw, which adds 1 to every word of each
 * page it touches, that the sum of all words grew by exactly that (any
 * pattern) and, for a sequential pattern, every word.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "gmem_sim.h"
#include "gmem_sysfs.h"
#include "gmem/hmadvise.h"

static size_t page_size;

static int lookup(const char *name, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return i;
	fprintf(stderr, "gmem-run: unknown value '%s'\n", name);
	exit(2);
}

static int device_hnid(const char *dev)
{
	const char *name = strrchr(dev, '/');
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/gmem/devices/%s/hnid",
		 name ? name + 1 : dev);
	return sysfs_long(path);
}

/*
 * Fault injection (failslab, fail_page_alloc task-filter) for this task.
 * The file is opened once, before injection starts: opening it then could
 * fail, and so could turning injection off.
 */
static void make_it_fail(int on)
{
	static int fd = -1;

	if (fd < 0)
		fd = open("/proc/self/make-it-fail", O_WRONLY);
	if (fd < 0 || pwrite(fd, on ? "1" : "0", 1, 0) != 1) {
		perror("gmem-run: /proc/self/make-it-fail");
		exit(1);
	}
}

/*
 * See -f: a run stopped by error @err. Each page of a one-pass sequential
 * rmw over words initialised to i * 3 must be untouched or done.
 */
static int check_interrupted_rmw(const uint64_t *p, unsigned long npages,
				 int op, int pattern, unsigned long passes,
				 int err)
{
	unsigned long words = page_size / 8, i, j, done = 0;

	if (err != ENOMEM && err != EFAULT && err != EINTR) {
		fprintf(stderr, "gmem-run: undocumented error %d\n", err);
		return 1;
	}
	if (op != GMEM_SIM_RMW || pattern != GMEM_SIM_SEQUENTIAL ||
	    passes != 1) {
		fprintf(stderr, "gmem-run: -f checks one pass of sequential rmw -c\n");
		return 1;
	}
	for (i = 0; i < npages; i++) {
		uint64_t delta = p[i * words] - i * words * 3;

		for (j = 0; j < words; j++) {
			if (delta > 1 ||
			    p[i * words + j] != (i * words + j) * 3 + delta) {
				fprintf(stderr, "gmem-run: page %lu is torn\n", i);
				return 1;
			}
		}
		done += delta;
	}
	printf("stopped by %s after %lu of %lu pages; every page intact\n",
	       strerror(err), done, npages);
	return 0;
}

/* The policy deciding for this process now, into @name: "NAME", or "?" */
static void current_policy(char name[32])
{
	FILE *f = fopen("/proc/self/gmem_policy", "r");

	if (!f || fscanf(f, "%31s", name) != 1)
		strcpy(name, "?");
	if (f)
		fclose(f);
}

/* See -c: the words of an rmw run over words initialised to i * 3. */
static int check_rmw(const uint64_t *p, unsigned long npages, int pattern,
		     unsigned long accesses, unsigned long passes)
{
	unsigned long words = page_size / 8, i;
	uint64_t sum = 0, want = 0;

	for (i = 0; i < npages * words; i++) {
		sum += p[i];
		want += i * 3;
		if (pattern == GMEM_SIM_SEQUENTIAL &&
		    p[i] != i * 3 + passes * (accesses / npages +
					      (i / words < accesses % npages))) {
			fprintf(stderr, "gmem-run: word %lu is %#llx\n", i,
				(unsigned long long)p[i]);
			return 1;
		}
	}
	want += (uint64_t)accesses * passes * words;
	if (sum != want) {
		fprintf(stderr, "gmem-run: sum of words %#llx, want %#llx\n",
			(unsigned long long)sum, (unsigned long long)want);
		return 1;
	}
	printf("checked %lu pages on the CPU: ok\n", npages);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const ops[] = { "read", "write", "rmw" };
	static const char *const patterns[] = {
		"sequential", "strided", "random", "zipf",
	};
	const char *dev = DEV0, *until = NULL;
	int op = GMEM_SIM_WRITE, pattern = GMEM_SIM_SEQUENTIAL;
	int prefetch = 0, check = 0, inject = 0, fd, opt;
	unsigned long npages = 256, accesses = 0, passes = 1, pass, i;
	unsigned long wait_ms = 0;
	struct gmem_sim_run run = { .value = 0x5eed, .seed = 1, .stride = 1 };
	struct timespec t0, t1;
	size_t size;
	uint64_t *p;

	while ((opt = getopt(argc, argv, "d:n:o:p:s:a:r:w:u:fPch")) != -1) {
		switch (opt) {
		case 'd': dev = optarg; break;
		case 'n': npages = strtoul(optarg, NULL, 0); break;
		case 'o': op = lookup(optarg, ops, 3); break;
		case 'p': pattern = lookup(optarg, patterns, 4); break;
		case 's': run.stride = strtoul(optarg, NULL, 0); break;
		case 'a': accesses = strtoul(optarg, NULL, 0); break;
		case 'r': passes = strtoul(optarg, NULL, 0); break;
		case 'w': wait_ms = strtoul(optarg, NULL, 0); break;
		case 'u': until = optarg; break;
		case 'P': prefetch = 1; break;
		case 'c': check = 1; break;
		case 'f': inject = 1; break;
		default:
			fprintf(stderr, "usage: %s [-d DEV] [-n PAGES] [-o read|write|rmw] [-p sequential|strided|random|zipf] [-s STRIDE] [-a ACCESSES] [-r PASSES] [-w MS] [-u FILE] [-f] [-P] [-c]\n",
				argv[0]);
			return 2;
		}
	}
	/*
	 * With injection on, a fault on a page of our own program or libc
	 * not read in yet fails in the filesystem (in the guest, 9p) and
	 * kills us with SIGBUS: lock what is mapped now, before the range
	 * under test exists, so that injection only meets the device's work.
	 */
	if (inject && mlockall(MCL_CURRENT)) {
		perror("gmem-run: mlockall");
		return 1;
	}
	page_size = sysconf(_SC_PAGE_SIZE);
	size = npages * page_size;
	fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	p = peer_mmap(size, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED) {
		perror("mmap(MAP_PEER_SHARED)");
		return 1;
	}
	/* rmw starts from known contents, written on the CPU. */
	if (check && op == GMEM_SIM_RMW) {
		for (i = 0; i < size / 8; i++)
			p[i] = i * 3;
	}
	if (prefetch && hmadvise(device_hnid(dev), p, size, MADV_PREFETCH)) {
		perror("hmadvise(MADV_PREFETCH)");
		return 1;
	}
	run.addr = (uintptr_t)p;
	run.size = size;
	run.op = op;
	run.pattern = pattern;
	run.accesses = accesses;
	for (pass = 1; pass <= passes; pass++) {
		char before[32], after[32];

		current_policy(before);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (inject)
			make_it_fail(1);
		if (ioctl(fd, GMEM_SIM_IOC_RUN, &run)) {
			int err = errno;

			if (inject)
				make_it_fail(0);
			fprintf(stderr, "GMEM_SIM_IOC_RUN: %s\n", strerror(err));
			if (!inject)
				return 1;
			return check_interrupted_rmw(p, npages, op, pattern,
						     passes, err);
		}
		if (inject)
			make_it_fail(0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		current_policy(after);
		/* "policy A>B": swapped from A to B during the pass. */
		if (passes > 1 && strcmp(before, after))
			printf("pass %lu (policy %s>%s): ", pass, before, after);
		else if (passes > 1)
			printf("pass %lu (policy %s): ", pass, after);
		printf("%s: %lu pages %s %s: faults=%llu tlb_misses=%llu migrated_in=%llu sim_time_us=%llu wall_time_us=%ld checksum=%#llx\n",
		       dev, npages, patterns[pattern], ops[op],
		       (unsigned long long)run.faults,
		       (unsigned long long)run.tlb_misses,
		       (unsigned long long)run.migrated_in,
		       (unsigned long long)run.sim_time_ns / 1000,
		       (t1.tv_sec - t0.tv_sec) * 1000000 +
		       (t1.tv_nsec - t0.tv_nsec) / 1000,
		       (unsigned long long)run.checksum);
		fflush(stdout);
		if (until && !access(until, F_OK)) {
			passes = pass;	/* what -c checks */
			break;
		}
		if (wait_ms && pass < passes)
			usleep(wait_ms * 1000);
	}
	if (check && op == GMEM_SIM_WRITE && pattern == GMEM_SIM_SEQUENTIAL) {
		for (i = 0; i < size / 8; i++) {
			if (p[i] != written_word(run.value, &p[i])) {
				fprintf(stderr, "gmem-run: word %lu differs\n", i);
				return 1;
			}
		}
		printf("checked %lu pages on the CPU: ok\n", npages);
	}
	if (check && op == GMEM_SIM_RMW)
		return check_rmw(p, npages, pattern,
				 accesses ? accesses : npages, passes);
	return 0;
}
