/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driving the simulated accelerator (driver/gmem_sim.ko): MAP_PEER_SHARED
 * mappings and gmem_sim's ioctls, for the tools and the tests.
 */
#ifndef GMEM_SIM_H
#define GMEM_SIM_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/mman.h>

#include "gmem_sim_uapi.h"

#define DEV0 "/dev/gmem_sim0"
#define DEV1 "/dev/gmem_sim1"

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

#endif /* GMEM_SIM_H */
