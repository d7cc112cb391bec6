// SPDX-License-Identifier: GPL-2.0
/*
 * Experiment "swap": policy swap latency, idle and under load.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

struct load_state {
	volatile int stop;
	volatile u64 faults, runs, errors;
};

static void swap_load(struct load_state *ls, size_t npages)
{
	int fd = dev_open();
	void *buf = peer_buffer(npages, true);
	struct gmem_sim_run run = {
		.addr = (uintptr_t)buf,
		.size = npages * PAGE_4K,
		.pattern = GMEM_SIM_RANDOM,
		.op = GMEM_SIM_READ,
		.accesses = 1024,
		.stride = 1,
	};

	while (!ls->stop) {
		run.seed++;
		if (ioctl(fd, GMEM_SIM_IOC_RUN, &run))
			ls->errors++;
		ls->faults += run.faults;
		ls->runs++;
	}
	_exit(0);
}

void exp_swap(const struct config *c)
{
	static const char *const pair[2] = { "lru", "fifo" };
	size_t cap = (size_t)c->mem_mb * 256;
	struct load_state *ls;
	u64 *lat = xcalloc(c->swaps, sizeof(u64));
	int phase, i, bad = 0;
	pid_t pid = 0;

	if (!policy_available(pair[0]) || !policy_available(pair[1])) {
		check(false, "swap: policies %s and %s loaded", pair[0], pair[1]);
		return;
	}
	gmem_sim_load(c->mem_mb);
	ls = mmap(NULL, sizeof(*ls), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ls == MAP_FAILED)
		die("mmap");
	progress_begin("swap", 2 * c->swaps);
	for (phase = 0; phase < 2; phase++) {
		u64 f0 = 0, f1, sum = 0;

		memset(ls, 0, sizeof(*ls));
		policy_use("default");
		if (phase == 1) {
			pid = fork();
			if (pid < 0)
				die("fork");
			if (!pid)
				swap_load(ls, 2 * cap);
			/* Until the device is full and evicting. */
			while (ls->faults < 2 * cap && !ls->errors)
				usleep(10000);
			f0 = ls->faults;
		}
		for (i = 0; i < c->swaps; i++) {
			lat[i] = policy_use(pair[i % 2]);
			sum += lat[i];
			usleep(20000);
			progress_step(phase ? "under load" : "idle");
		}
		f1 = ls->faults;
		if (phase == 1) {
			ls->stop = 1;
			waitpid(pid, NULL, 0);
			bad += !!ls->errors || f1 == f0;
		}
		policy_use("default");
		qsort(lat, c->swaps, sizeof(u64), cmp_u64);
		jbegin("swap");
		jstr("load", phase ? "device random reads, 2x capacity" : "none");
		jstr("policies", "lru<->fifo");
		ju("swaps", c->swaps);
		ju("p50_ns", pct_u64(lat, c->swaps, 0.5));
		ju("p90_ns", pct_u64(lat, c->swaps, 0.9));
		ju("p99_ns", pct_u64(lat, c->swaps, 0.99));
		ju("max_ns", lat[c->swaps - 1]);
		ju("mean_ns", sum / c->swaps);
		ju("load_faults_during", f1 - f0);
		ju("load_errors", ls->errors);
		ju("capacity", cap);
		jend();
	}
	munmap(ls, sizeof(*ls));
	free(lat);
	check(!bad, "swap: %d swaps idle and %d under load, the load kept faulting without errors",
	      c->swaps, c->swaps);
}

