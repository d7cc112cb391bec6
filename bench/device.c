// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-bench's device: loading gmem_sim, selecting policies, counters,
 * MAP_PEER_SHARED buffers and runs of reference lists on the device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/mman.h>

#include "bench.h"
#include "gmem_sysfs.h"

/* ------------------------------------------------------------------ */
/* The device, the module, the policies                                */

const char *driver_ko = "build/driver/gmem_sim.ko";
static size_t dev_capacity;	/* pages of each loaded gmem_sim device */
static unsigned int dev_count;	/* devices of the loaded gmem_sim */

static bool module_loaded(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return !stat(path, &st);
}

void gmem_sim_unload(void)
{
	int i;

	for (i = 0; module_loaded("gmem_sim"); i++) {
		if (!syscall(__NR_delete_module, "gmem_sim", O_NONBLOCK))
			break;
		if (i == 100)
			die("cannot unload gmem_sim: %s", strerror(errno));
		usleep(100000);
	}
	dev_capacity = 0;
	dev_count = 0;
}

void gmem_sim_load(unsigned int mem_mb)
{
	gmem_sim_load_pages((size_t)mem_mb * 256);
}

void gmem_sim_load_pages(size_t pages)
{
	gmem_sim_load_devices(1, pages);
}

void gmem_sim_load_devices(unsigned int ndev, size_t pages)
{
	char params[128];
	unsigned int d;
	int fd, i;

	if (dev_capacity == pages && dev_count == ndev)
		return;
	gmem_sim_unload();
	snprintf(params, sizeof(params), "devices=%u mem_pages=%zu", ndev,
		 pages);
	fd = open(driver_ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", driver_ko, strerror(errno));
	if (syscall(__NR_finit_module, fd, params, 0))
		die("loading gmem_sim %s: %s", params, strerror(errno));
	close(fd);
	for (d = 0; d < ndev; d++) {
		for (i = 0; access(dev_path(d), R_OK | W_OK); i++) {
			if (i == 100)
				die("%s did not appear", dev_path(d));
			usleep(10000);
		}
	}
	dev_capacity = pages;
	dev_count = ndev;
}

bool policy_available(const char *name)
{
	static struct gmem_registry r;	/* 40 KiB: not on the stack */

	return !gmem_registry_read(&r) && gmem_registry_find(&r, name) >= 0;
}

u64 policy_use(const char *name)
{
	u64 t0 = now_ns();
	int err = sysfs_write(SYS_GMEM "policy", name);

	if (err)
		die("selecting policy %s: %s", name, strerror(-err));
	return now_ns() - t0;
}

bool policy_prefetches(const char *name)
{
	return !strncmp(name, "seq", 3) || !strncmp(name, "stride", 6) ||
	       !strncmp(name, "tree", 4);
}

static const char *const dev_files[] = {
	"faults", "migrations_to_device", "migrations_to_host", "evictions",
	"pages_evicted",
};
#define NDEV (sizeof(dev_files) / sizeof(dev_files[0]))
static const char *const pol_files[] = {
	"calls", "errors", "refused", "clamped", "prefetched", "victims",
	"filled", "stalls",
};
#define NPOL (sizeof(pol_files) / sizeof(pol_files[0]))

void read_counters(const char *policy, struct counters *dev,
			  struct counters *pol)
{
	char path[256];
	size_t i;

	for (i = 0; i < NDEV; i++) {
		snprintf(path, sizeof(path), SYS_DEV "%s", dev_files[i]);
		dev->v[i] = sysfs_long(path);
	}
	for (i = 0; i < NPOL; i++) {
		snprintf(path, sizeof(path), SYS_GMEM "policies/%s/%s", policy,
			 pol_files[i]);
		pol->v[i] = sysfs_long(path);
	}
}

/* ------------------------------------------------------------------ */
/* Buffers the device works on                                         */

u64 page_sum(u64 p)
{
	u64 words = PAGE_4K / 8;

	return words * (p * FILL_MUL) + words * (words - 1) / 2;
}

void fill_pages(u64 *buf, size_t npages)
{
	size_t p, i;

	for (p = 0; p < npages; p++)
		for (i = 0; i < PAGE_4K / 8; i++)
			buf[p * (PAGE_4K / 8) + i] = p * FILL_MUL + i;
}

void *peer_buffer(size_t npages, bool fill)
{
	size_t size = npages * PAGE_4K;
	u64 *buf;

	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED |
		   (fill ? MAP_POPULATE : 0), -1, 0);
	if (buf == MAP_FAILED)
		die("mmap(MAP_PEER_SHARED, %zu pages): %s", npages,
		    strerror(errno));
	if (fill)
		fill_pages(buf, npages);
	return buf;
}

int device_hnid(void)
{
	return device_hnid_n(0);
}

int device_hnid_n(int n)
{
	char path[96];

	snprintf(path, sizeof(path), SYS_GMEM "devices/gmem_sim%d/hnid", n);
	return sysfs_long(path);
}

const char *dev_path(int n)
{
	static char path[32];

	snprintf(path, sizeof(path), "/dev/gmem_sim%d", n);
	return path;
}

int dev_open(void)
{
	return dev_open_n(0);
}

int dev_open_n(int n)
{
	const char *path = dev_path(n);
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	return fd;
}

void run_add(struct gmem_sim_run *acc, const struct gmem_sim_run *run)
{
	acc->faults += run->faults;
	acc->tlb_misses += run->tlb_misses;
	acc->migrated_in += run->migrated_in;
	acc->sim_time_ns += run->sim_time_ns;
	acc->remote_accesses += run->remote_accesses;
	acc->checksum += run->checksum;
}

int dev_run_list(int fd, void *buf, size_t npages, const u64 *list,
			size_t n, struct gmem_sim_run *acc)
{
	struct gmem_sim_run run = {
		.addr = (uintptr_t)buf,
		.size = npages * PAGE_4K,
		.pattern = GMEM_SIM_LIST,
		.op = GMEM_SIM_READ,
		.accesses = n,
		.list = (uintptr_t)list,
		.stride = 1,
	};
	int ret;

	if (!n)
		return 0;
	ret = ioctl(fd, GMEM_SIM_IOC_RUN, &run) ? -errno : 0;
	run_add(acc, &run);
	return ret;
}

