// SPDX-License-Identifier: GPL-2.0
/*
 * Experiment "oversub": fault latency when the pages fit in the device
 * against 2x oversubscription, where every fault needs a free frame that
 * an eviction gives back; without background eviction (each fault that
 * finds the device full runs a round itself) and with it (free_target).
 * Both copy a page from host memory per fault.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "gmem_sysfs.h"

/* Sequential writes of @npages at @buf, faults timed; 0 or -1. */
static int timed_write(int fd, void *buf, size_t npages, u64 value,
		       struct gmem_sim_run *run, struct run_result *r)
{
	int pids[1] = { getpid() }, ret;
	u64 t0;

	*run = (struct gmem_sim_run) {
		.addr = (uintptr_t)buf,
		.size = npages * PAGE_4K,
		.pattern = GMEM_SIM_SEQUENTIAL,
		.op = GMEM_SIM_WRITE,
		.value = value,
		.stride = 1,
	};
	tracer_start(tracer, pids, 1, false);
	t0 = now_ns();
	ret = ioctl(fd, GMEM_SIM_IOC_RUN, run);
	r->wall_ns = now_ns() - t0;
	tracer_stop(tracer);
	latency_summary(r, false);
	return ret || run->faults != npages || !r->lat_n ? -1 : 0;
}

/* Wait until the worker left @target frames free (it may be mid-round). */
static void wait_free(size_t cap, long target)
{
	int ms;

	for (ms = 0; ms < 5000; ms += 10) {
		long used = sysfs_long(SYS_DEV "mem_used");

		if (used >= 0 && (long)cap - used / (long)PAGE_4K >= target)
			return;
		usleep(10000);
	}
}

static void emit(long target, const char *phase, size_t cap,
		 const struct gmem_sim_run *run, const struct run_result *r,
		 long rounds, long background, long retries)
{
	jbegin("oversub");
	ju("free_target", target);
	jstr("phase", phase);
	ju("capacity", cap);
	ju("faults", run->faults);
	ju("rounds", rounds);
	ju("rounds_background", background);
	ju("fault_retries", retries);
	ju("wall_per_fault_ns", run->faults ? r->wall_ns / run->faults : 0);
	emit_latency(r);
	ju("lat_max_ns", r->lat_max);
	jend();
}

/* Both phases at one free_target; the number of runs that went wrong. */
static int oversub_target(size_t cap, long target)
{
	size_t half = cap / 2, twice = 2 * cap;
	struct gmem_sim_run run;
	struct run_result r = { 0 };
	long rounds, background, retries;
	char value[24];
	int fd, bad = 0;
	void *buf;

	snprintf(value, sizeof(value), "%ld", target);
	if (sysfs_write(SYS_DEV "free_target", value))
		return 1;
	fd = dev_open();

	/*
	 * Fits: half the device, faulted into free frames. Its pages start in
	 * host memory, as those of the 2x pass do: each fault copies one in.
	 */
	buf = peer_buffer(half, true);
	retries = sysfs_long(SYS_DEV "fault_retries");
	bad += timed_write(fd, buf, half, 1, &run, &r);
	retries = sysfs_long(SYS_DEV "fault_retries") - retries;
	emit(target, "fits (0.5x)", cap, &run, &r, 0, 0, retries);
	munmap(buf, half * PAGE_4K);
	progress_step("oversub");

	/* 2x: written once, so the device is full; then written again. */
	buf = peer_buffer(twice, false);
	bad += timed_write(fd, buf, twice, 2, &run, &r);
	wait_free(cap, target);
	rounds = sysfs_long(SYS_DEV "evictions");
	background = sysfs_long(SYS_DEV "evictions_background");
	retries = sysfs_long(SYS_DEV "fault_retries");
	memset(&r, 0, sizeof(r));
	bad += timed_write(fd, buf, twice, 3, &run, &r);
	rounds = sysfs_long(SYS_DEV "evictions") - rounds;
	background = sysfs_long(SYS_DEV "evictions_background") - background;
	retries = sysfs_long(SYS_DEV "fault_retries") - retries;
	emit(target, "2x oversubscribed", cap, &run, &r, rounds, background,
	     retries);
	bad += !rounds || (target && !background) || (!target && background);
	munmap(buf, twice * PAGE_4K);
	close(fd);
	progress_step("oversub");
	return bad + !!sysfs_write(SYS_DEV "free_target", "0");
}

void exp_oversub(const struct config *c)
{
	size_t cap = c->oversub_pages;
	long targets[] = { 0, cap / 16, cap / 4 };
	int i, bad = 0;

	progress_begin("oversub", 2 * N(targets));
	policy_use("default");
	gmem_sim_load_pages(cap);
	for (i = 0; i < N(targets); i++)
		bad += oversub_target(cap, targets[i]);
	check(!bad, "oversub: free_target 0, %ld and %ld, every page faulted once a pass, rounds in the background only with a target (%d bad)",
	      targets[1], targets[2], bad);
}
