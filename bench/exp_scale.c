// SPDX-License-Identifier: GPL-2.0
/*
 * Experiment "scale": per-fault cost against resident pages.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "gmem_sysfs.h"

void exp_scale(const struct config *c)
{
	int s, phase, bad = 0;

	progress_begin("scale", c->nscale * 3);
	policy_use("default");
	for (s = 0; s < c->nscale; s++) {
		size_t n = c->scale_n[s], step = c->scale_step;
		unsigned int mb = (n + step + 255) / 256;
		size_t total = n + 2 * step;
		int pids[1] = { getpid() }, fd;
		void *buf;

		gmem_sim_load(mb);
		fd = dev_open();
		buf = peer_buffer(total, false);
		for (phase = 0; phase < 3; phase++) {
			/* Fill N pages; then fault in more while N (+step) stay. */
			size_t first = phase == 0 ? 0 : n + (phase - 1) * step;
			size_t len = phase == 0 ? n : step;
			struct gmem_sim_run run = {
				.addr = (uintptr_t)buf + first * PAGE_4K,
				.size = len * PAGE_4K,
				.pattern = GMEM_SIM_SEQUENTIAL,
				.op = GMEM_SIM_WRITE,
				.value = 1,
				.stride = 1,
			};
			struct run_result r = { 0 };
			u64 t0, ev0 = sysfs_long(SYS_DEV "pages_evicted");

			tracer_start(tracer, pids, 1, false);
			t0 = now_ns();
			if (ioctl(fd, GMEM_SIM_IOC_RUN, &run))
				bad++;
			r.wall_ns = now_ns() - t0;
			tracer_stop(tracer);
			latency_summary(&r, false);
			jbegin("scale");
			ju("resident", phase == 0 ? 0 : n + (phase - 1) * step);
			ju("n", n);
			jstr("phase", phase == 0 ? "fill" : phase == 1 ?
			     "fault, free frames" : "fault, device full (evicting)");
			ju("capacity", (size_t)mb * 256);
			ju("faults", run.faults);
			ju("pages_evicted", sysfs_long(SYS_DEV "pages_evicted") - ev0);
			ju("wall_ns", r.wall_ns);
			ju("wall_per_fault_ns", run.faults ? r.wall_ns / run.faults : 0);
			ju("lat_n", r.lat_n);
			ju("lat_p50_ns", r.lat_p50);
			ju("lat_p90_ns", r.lat_p90);
			ju("lat_p99_ns", r.lat_p99);
			ju("lat_mean_ns", r.lat_mean);
			jend();
			bad += run.faults != len || !r.lat_n;
			progress_step("scale");
		}
		munmap(buf, total * PAGE_4K);
		close(fd);
	}
	check(!bad, "scale: %d sizes, every page faulted in once, latencies recorded (%d bad)",
	      c->nscale, bad);
}
