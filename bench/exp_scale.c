// SPDX-License-Identifier: GPL-2.0
/*
 * Experiment "scale": per-fault cost against resident pages, with every
 * resident page evictable, and with half of them pinned and a quarter
 * protected as thrashing (which an eviction round must not have to walk
 * past).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "gmem/hmadvise.h"
#include "gmem_sysfs.h"

static const char *const variants[] = {
	"all evictable", "half pinned, quarter protected",
};

/*
 * Pin the first half of the @n resident pages at @buf and have the default
 * policy protect the next quarter: with a thrash threshold of 1, a page
 * that comes back to the device right after leaving it is thrashing, so
 * the quarter goes to host memory and is faulted back. 0 or -1.
 */
static int pin_and_protect(int fd, char *buf, size_t n)
{
	char *quarter = buf + n / 2 * PAGE_4K;
	size_t qlen = n / 4 * PAGE_4K;
	long threshold = sysfs_long(SYS_GMEM "thrash_threshold");
	struct gmem_sim_run run = {
		.addr = (uintptr_t)quarter,
		.size = qlen,
		.pattern = GMEM_SIM_SEQUENTIAL,
		.op = GMEM_SIM_WRITE,
		.value = 1,
		.stride = 1,
	};
	char old[24];
	int ret;

	if (hmadvise(-1, buf, n / 2 * PAGE_4K, MADV_PIN) ||
	    hmadvise(0, quarter, qlen, MADV_PREFETCH) || threshold < 0)
		return -1;
	snprintf(old, sizeof(old), "%ld", threshold);
	if (sysfs_write(SYS_GMEM "thrash_threshold", "1"))
		return -1;
	ret = ioctl(fd, GMEM_SIM_IOC_RUN, &run);
	sysfs_write(SYS_GMEM "thrash_threshold", old);
	return ret || run.faults != n / 4 ? -1 : 0;
}

/* One size @n of variant @v: fill, fault into free frames, then evicting. */
static int scale_size(const struct config *c, int v, size_t n)
{
	size_t step = c->scale_step, total = n + 2 * step;
	unsigned int mb = (n + step + 255) / 256;
	int pids[1] = { getpid() }, fd, phase, bad = 0;
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
		u64 t0, rounds, ev0, rounds0, scan0;

		if (phase == 1 && v == 1 && pin_and_protect(fd, buf, n))
			bad++;
		ev0 = sysfs_long(SYS_DEV "pages_evicted");
		rounds0 = sysfs_long(SYS_DEV "evictions");
		scan0 = sysfs_long(SYS_DEV "evict_scanned");
		tracer_start(tracer, pids, 1, false);
		t0 = now_ns();
		if (ioctl(fd, GMEM_SIM_IOC_RUN, &run))
			bad++;
		r.wall_ns = now_ns() - t0;
		tracer_stop(tracer);
		latency_summary(&r, false);
		rounds = sysfs_long(SYS_DEV "evictions") - rounds0;
		jbegin("scale");
		jstr("variant", variants[v]);
		ju("resident", phase == 0 ? 0 : n + (phase - 1) * step);
		ju("n", n);
		jstr("phase", phase == 0 ? "fill" : phase == 1 ?
		     "fault, free frames" : "fault, device full (evicting)");
		ju("capacity", (size_t)mb * 256);
		ju("pinned", sysfs_long(SYS_DEV "pages_pinned"));
		ju("protected", sysfs_long(SYS_DEV "pages_protected"));
		ju("faults", run.faults);
		ju("pages_evicted", sysfs_long(SYS_DEV "pages_evicted") - ev0);
		ju("rounds", rounds);
		ju("scanned_per_round", rounds ?
		   (sysfs_long(SYS_DEV "evict_scanned") - scan0) / rounds : 0);
		ju("wall_ns", r.wall_ns);
		ju("wall_per_fault_ns", run.faults ? r.wall_ns / run.faults : 0);
		emit_latency(&r);
		jend();
		bad += run.faults != len || !r.lat_n;
		progress_step("scale");
	}
	munmap(buf, total * PAGE_4K);
	close(fd);
	return bad;
}

void exp_scale(const struct config *c)
{
	int s, v, bad = 0;

	progress_begin("scale", c->nscale * 3 * N(variants));
	policy_use("default");
	for (v = 0; v < N(variants); v++)
		for (s = 0; s < c->nscale; s++)
			bad += scale_size(c, v, c->scale_n[s]);
	check(!bad, "scale: %d sizes x %d variants, every page faulted in once, latencies recorded, pages pinned and protected as asked (%d bad)",
	      c->nscale, N(variants), bad);
}
