// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-hints: does the policy in charge honour the "hot" and "streaming"
 * hints of bpf/hints.bpf.c? Marks a small range hot and a range twice the
 * device streaming, has the device read the hot range, stream through the
 * big one (filling the device many times over), then read the hot range
 * again, and prints the faults of that last read. Under bpf/hints.bpf.c
 * the hot pages stay on the device (few faults); under LRU they are
 * evicted by the stream (one fault each).
 *
 * -r reads the stream ROUNDS (>= 1) times (a loop over data larger than the
 * device, as LLM decode streams its weights each token) and prints the
 * faults of the rounds after the first; -S sets its size in pages.
 *
 *   gmem-hints [-d DEV] [-H HOT_PAGES] [-S STREAM_PAGES] [-r ROUNDS]
 */
#define _GNU_SOURCE
#include <getopt.h>

#include "gmem_test_lib.h"
#include "gmem/hmadvise.h"

#define GMEM_HINT_STREAMING	(MADV_POLICY_HINT_FIRST + 0)
#define GMEM_HINT_HOT		(MADV_POLICY_HINT_FIRST + 1)

int main(int argc, char **argv)
{
	const char *dev = DEV0, *name;
	unsigned long hot_pages = 256, stream_pages = 0, dev_pages, rounds = 1, i;
	unsigned long long refaults = 0;
	struct gmem_sim_run run;
	char path[128];
	void *hot, *stream;
	int fd, opt, hnid;

	while ((opt = getopt(argc, argv, "d:H:S:r:")) != -1) {
		switch (opt) {
		case 'd': dev = optarg; break;
		case 'H': hot_pages = strtoul(optarg, NULL, 0); break;
		case 'S': stream_pages = strtoul(optarg, NULL, 0); break;
		case 'r': rounds = strtoul(optarg, NULL, 0); break;
		default: goto usage;
		}
	}
	if (!rounds)
		goto usage;
	page_size = sysconf(_SC_PAGE_SIZE);
	name = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	snprintf(path, sizeof(path), "/sys/kernel/gmem/devices/%s/hnid", name);
	hnid = sysfs_long(path);
	snprintf(path, sizeof(path), "/sys/kernel/gmem/devices/%s/mem_total", name);
	dev_pages = sysfs_long(path) / page_size;
	if (!stream_pages)
		stream_pages = 2 * dev_pages;

	fd = open(dev, O_RDWR);
	hot = peer_mmap(hot_pages * page_size, PROT_READ | PROT_WRITE);
	stream = peer_mmap(stream_pages * page_size, PROT_READ | PROT_WRITE);
	if (fd < 0 || hot == MAP_FAILED || stream == MAP_FAILED) {
		perror("gmem-hints: setup");
		return 1;
	}
	if (hmadvise(hnid, hot, hot_pages * page_size, GMEM_HINT_HOT) ||
	    hmadvise(hnid, stream, stream_pages * page_size,
		     GMEM_HINT_STREAMING)) {
		perror("gmem-hints: hmadvise");
		return 1;
	}
	if (dev_run(fd, hot, hot_pages * page_size, GMEM_SIM_SEQUENTIAL,
		    GMEM_SIM_READ, 0, NULL))
		goto run_failed;
	for (i = 0; i < rounds; i++) {
		if (dev_run(fd, stream, stream_pages * page_size,
			    GMEM_SIM_SEQUENTIAL, GMEM_SIM_READ, 0, &run))
			goto run_failed;
		if (i)
			refaults += run.faults;
	}
	if (dev_run(fd, hot, hot_pages * page_size, GMEM_SIM_SEQUENTIAL,
		    GMEM_SIM_READ, 0, &run))
		goto run_failed;
	if (rounds > 1)
		printf("stream of %lu pages read %lu times: %llu faults after the first\n",
		       stream_pages, rounds, refaults);
	printf("hot pages faulted again after streaming %lu pages: %llu of %lu\n",
	       stream_pages, (unsigned long long)run.faults, hot_pages);
	return 0;
run_failed:
	perror("gmem-hints: GMEM_SIM_IOC_RUN");
	return 1;
usage:
	fprintf(stderr,
		"usage: %s [-d DEV] [-H HOT_PAGES] [-S STREAM_PAGES] [-r ROUNDS]\n",
		argv[0]);
	return 2;
}
