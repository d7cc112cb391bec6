// SPDX-License-Identifier: GPL-2.0
/*
 * Experiment "peer": migration throughput, gmem_sim against test_hmm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gmem/hmadvise.h"
#include "test_hmm_uapi.h"

#include "bench.h"
#include "gmem_sysfs.h"

static bool buffer_ok(const u64 *buf, size_t npages)
{
	size_t p;

	for (p = 0; p < npages; p++)
		if (buf[p * (PAGE_4K / 8)] != p * FILL_MUL ||
		    buf[p * (PAGE_4K / 8) + 511] != p * FILL_MUL + 511)
			return false;
	return true;
}

void exp_peer(const struct config *c)
{
	unsigned int max_mb = 0;
	int i, s, rep, reps, hnid, ok_gmem = 0, ok_hmm = 0, bad = 0;
	bool have_hmm = !access("/dev/hmm_dmirror0", R_OK | W_OK);
	struct profiler *prof;

	for (s = 0; s < c->npeer; s++)
		if (c->peer_mb[s] > max_mb)
			max_mb = c->peer_mb[s];
	gmem_sim_load(max_mb + 8);
	hnid = device_hnid();
	/* After gmem_sim and test_hmm are loaded: it probes their functions. */
	prof = profiler_open();
	progress_begin("peer", (c->npeer * (c->peer_reps + 1) + !!prof) * 2);
	for (s = 0; s < c->npeer; s++) {
		size_t size = (size_t)c->peer_mb[s] << 20;
		size_t npages = size / PAGE_4K;

		/*
		 * Rep 0 warms up (test_hmm allocates its device memory then);
		 * at the largest size, one more rep runs under the profiler,
		 * whose probes slow it: its times are not the throughput.
		 */
		reps = c->peer_reps + (prof && s == c->npeer - 1);
		for (rep = 0; rep <= reps; rep++) {
			for (i = 0; i < 2; i++) {
				u64 t0, to_dev = 0, to_host = 0, readback = 0;
				bool profiled = rep > c->peer_reps;
				const char *driver = i == 0 ? "gmem_sim" : "test_hmm";
				bool ok;
				u64 *buf;

				if (i == 0) {
					int fd = dev_open();
					long long used;

					buf = peer_buffer(npages, true);
					if (profiled)
						profiler_start(prof, getpid());
					t0 = now_ns();
					if (hmadvise(hnid, buf, size, MADV_PREFETCH))
						die("hmadvise(MADV_PREFETCH to the device): %s",
						    strerror(errno));
					to_dev = now_ns() - t0;
					if (profiled) {
						profiler_emit(prof, driver, "to device", to_dev);
						profiler_start(prof, getpid());
					}
					used = sysfs_long(SYS_DEV "mem_used");
					t0 = now_ns();
					if (hmadvise(0, buf, size, MADV_PREFETCH))
						die("hmadvise(MADV_PREFETCH to node 0): %s",
						    strerror(errno));
					to_host = now_ns() - t0;
					if (profiled)
						profiler_emit(prof, driver, "to host", to_host);
					/* All of it went there, and all came back intact. */
					ok = used >= (long long)size &&
					     sysfs_long(SYS_DEV "mem_used") == 0 &&
					     buffer_ok(buf, npages);
					munmap(buf, size);
					close(fd);
				} else {
					struct hmm_dmirror_cmd cmd = { 0 };
					void *bounce;
					int fd;

					if (!have_hmm) {
						progress_step("test_hmm missing");
						continue;
					}
					fd = open("/dev/hmm_dmirror0", O_RDWR);
					if (fd < 0)
						die("/dev/hmm_dmirror0: %s", strerror(errno));
					buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
						   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
						   -1, 0);
					bounce = malloc(size);
					if (buf == MAP_FAILED || !bounce)
						die("test_hmm buffers");
					fill_pages(buf, npages);
					memset(bounce, 0, size);
					cmd.addr = (uintptr_t)buf;
					cmd.ptr = (uintptr_t)bounce;
					cmd.npages = npages;
					if (profiled)
						profiler_start(prof, getpid());
					t0 = now_ns();
					if (ioctl(fd, HMM_DMIRROR_MIGRATE_TO_DEV, &cmd))
						die("HMM_DMIRROR_MIGRATE_TO_DEV: %s", strerror(errno));
					to_dev = now_ns() - t0;
					if (profiled)
						profiler_emit(prof, driver, "to device", to_dev);
					ok = cmd.cpages == npages;
					/* What its to-device ioctl spends reading back. */
					cmd.cpages = 0;
					t0 = now_ns();
					if (ioctl(fd, HMM_DMIRROR_READ, &cmd))
						die("HMM_DMIRROR_READ: %s", strerror(errno));
					readback = now_ns() - t0;
					cmd.cpages = 0;
					if (profiled)
						profiler_start(prof, getpid());
					t0 = now_ns();
					if (ioctl(fd, HMM_DMIRROR_MIGRATE_TO_SYS, &cmd))
						die("HMM_DMIRROR_MIGRATE_TO_SYS: %s", strerror(errno));
					to_host = now_ns() - t0;
					if (profiled)
						profiler_emit(prof, driver, "to host", to_host);
					/* The mirror's copy and the pages back are intact. */
					ok = ok && cmd.cpages == npages &&
					     buffer_ok(buf, npages) &&
					     buffer_ok(bounce, npages);
					munmap(buf, size);
					free(bounce);
					close(fd);
				}
				bad += !ok;
				if (i == 0)
					ok_gmem++;
				else
					ok_hmm++;
				jbegin("peer");
				jstr("driver", driver);
				ju("size_mb", c->peer_mb[s]);
				ju("rep", rep);
				ju("warmup", rep == 0);
				ju("profiled", profiled);
				ju("to_device_ns", to_dev);
				ju("to_host_ns", to_host);
				ju("readback_ns", readback);
				ju("ok", ok);
				jend();
				progress_step(driver);
			}
		}
	}
	profiler_close(prof);
	check(!bad && ok_gmem && ok_hmm,
	      "peer: gmem_sim (%d runs) and test_hmm (%d runs) moved every page there and back, data checked (%d bad)",
	      ok_gmem, ok_hmm, bad);
}

