// SPDX-License-Identifier: GPL-2.0
/*
 * Experiment "batch": gmem_sim's fault buffer at 1 (each fault resolved at
 * once) to 256 faults, on a sequential and a random kernel over pages in
 * host memory: faults per batch, migrations per fault, and the time a page
 * takes to come in.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "gmem_sysfs.h"

#define FAULT_BATCH "/sys/module/gmem_sim/parameters/fault_batch"

static const char *const batch_sizes[] = { "1", "16", "64", "256" };

/* One kernel over @npages fresh host pages; the number of things wrong. */
static int batch_run(size_t npages, const char *batch, int pattern)
{
	void *buf = peer_buffer(npages, true);
	long batches0 = sysfs_long(SYS_DEV "fault_batches");
	long migr0 = sysfs_long(SYS_DEV "fault_migrations");
	struct gmem_sim_run run = {
		.addr = (uintptr_t)buf,
		.size = npages * PAGE_4K,
		.pattern = pattern,
		.op = GMEM_SIM_READ,
		.stride = 1,
		.seed = 1,
	};
	long migrations;
	int fd = dev_open(), bad;
	u64 t0, wall;

	t0 = now_ns();
	bad = ioctl(fd, GMEM_SIM_IOC_RUN, &run) != 0;
	wall = now_ns() - t0;
	migrations = sysfs_long(SYS_DEV "fault_migrations") - migr0;
	jbegin("batch");
	jstr("pattern", pattern == GMEM_SIM_SEQUENTIAL ? "sequential" : "random");
	jstr("fault_batch", batch);
	ju("pages", npages);
	ju("faults", run.faults);
	ju("batches", run.fault_batches);
	ju("gmem_batches", sysfs_long(SYS_DEV "fault_batches") - batches0);
	ju("migrations", migrations);
	ju("migrated_in", run.migrated_in);
	jd("faults_per_batch", run.fault_batches ?
	   (double)run.faults / run.fault_batches : 0);
	jd("migrations_per_fault", run.faults ?
	   (double)migrations / run.faults : 0);
	ju("wall_ns", wall);
	ju("wall_per_page_ns", run.migrated_in ? wall / run.migrated_in : 0);
	ju("sim_time_ns", run.sim_time_ns);
	jend();
	/* Sums of the filled pages, read on the device. */
	if (pattern == GMEM_SIM_SEQUENTIAL) {
		u64 sum = 0, p;

		for (p = 0; p < npages; p++)
			sum += page_sum(p);
		bad += run.checksum != sum;
	}
	bad += !run.faults;
	munmap(buf, npages * PAGE_4K);
	close(fd);
	progress_step("batch");
	return bad;
}

void exp_batch(const struct config *c)
{
	static const int patterns[] = { GMEM_SIM_SEQUENTIAL, GMEM_SIM_RANDOM };
	size_t npages = c->batch_pages;
	int b, p, bad = 0;

	progress_begin("batch", N(batch_sizes) * N(patterns));
	policy_use("default");
	/* Room for every page: what is measured is faulting, not eviction. */
	gmem_sim_load_pages(2 * npages);
	for (p = 0; p < N(patterns); p++) {
		for (b = 0; b < N(batch_sizes); b++) {
			if (sysfs_write(FAULT_BATCH, batch_sizes[b])) {
				bad++;
				continue;
			}
			bad += batch_run(npages, batch_sizes[b], patterns[p]);
		}
	}
	bad += !!sysfs_write(FAULT_BATCH, "1");
	check(!bad, "batch: fault buffers of 1 to 256, sequential and random kernels, data read back (%d bad)",
	      bad);
}
