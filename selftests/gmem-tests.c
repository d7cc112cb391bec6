// SPDX-License-Identifier: GPL-2.0
/*
 * GMEM core tests, run against gmem_sim (loaded by selftests/gmem-tests.sh
 * with two devices). Written in the style of the kernel's hmm-tests: each
 * TEST_F maps MAP_PEER_SHARED memory, drives the simulated device through
 * its ioctls and checks what the CPU and the devices see.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

#include <linux/mman.h>

/* The harness's own functions have parameters they do not use. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "gmem_test_lib.h"
#include "gmem/hmadvise.h"

FIXTURE(gmem)
{
	int fd0;
	int fd1;
};

FIXTURE_SETUP(gmem)
{
	page_size = sysconf(_SC_PAGE_SIZE);
	self->fd0 = open(DEV0, O_RDWR);
	ASSERT_GE(self->fd0, 0);
	self->fd1 = open(DEV1, O_RDWR);
	ASSERT_GE(self->fd1, 0);
}

#define FAULT_BATCH	"/sys/module/gmem_sim/parameters/fault_batch"
/* The devices' VA width: as loaded, and too narrow for any mmap() here */
#define VA_BITS		"/sys/module/gmem_sim/parameters/va_bits"
#define VA_BITS_LOADED	"47"
#define VA_BITS_NARROW	"32"

FIXTURE_TEARDOWN(gmem)
{
	/* Whatever a failed test left: the others fault one at a time. */
	sysfs_write(FAULT_BATCH, "1");
	close(self->fd0);
	close(self->fd1);
}

TEST_F(gmem, peer_shared_vma_is_flagged)
{
	size_t size = 4 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	void *q = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_NE(q, MAP_FAILED);
	EXPECT_EQ(vma_has_flag(p, "ps"), 1);
	EXPECT_EQ(vma_has_flag(q, "ps"), 0);
	munmap(p, size);
	munmap(q, size);
}

TEST_F(gmem, peer_shared_rejects_unsupported_mappings)
{
	int memfd = memfd_create("gmem", 0);
	void *p;

	p = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_PEER_SHARED, -1, 0);
	EXPECT_EQ(p, MAP_FAILED);
	EXPECT_EQ(errno, EINVAL);

	ASSERT_GE(memfd, 0);
	ASSERT_EQ(ftruncate(memfd, page_size), 0);
	p = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_PEER_SHARED, memfd, 0);
	EXPECT_EQ(p, MAP_FAILED);
	EXPECT_EQ(errno, EINVAL);
	close(memfd);

	p = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_PEER_SHARED,
		 -1, 0);
	EXPECT_EQ(p, MAP_FAILED);
	EXPECT_EQ(errno, EINVAL);
}

/*
 * MAP_PEER_SHARED once sat in the MAP_HUGE_* size bits (26-31), where
 * MAP_HUGE_1GB (30 << 26) has it set: every 1 GiB hugetlb mmap() failed.
 * make check boots the guest with one 1 GiB page (hugepagesz=1G).
 */
static long free_huge_pages(const char *size)
{
	char path[128];

	snprintf(path, sizeof(path),
		 "/sys/kernel/mm/hugepages/hugepages-%s/free_hugepages", size);
	return sysfs_long(path);
}

TEST_F(gmem, hugetlb_mappings_of_every_size_still_work)
{
	static const struct { const char *name; size_t size; int flag; } h[] = {
		{ "2048kB", 2UL << 20, MAP_HUGE_2MB },
		{ "1048576kB", 1UL << 30, MAP_HUGE_1GB },
	};
	unsigned int i, tested = 0;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		char *p;

		if (free_huge_pages(h[i].name) < 1) {
			TH_LOG("no free %s huge page: not tried", h[i].name);
			continue;
		}
		p = mmap(NULL, h[i].size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | h[i].flag,
			 -1, 0);
		ASSERT_NE(p, MAP_FAILED) TH_LOG("%s: %s", h[i].name,
						  strerror(errno));
		p[0] = 1;
		p[h[i].size - 1] = 2;
		EXPECT_EQ(p[0] + p[h[i].size - 1], 3);
		EXPECT_EQ(munmap(p, h[i].size), 0);
		tested++;
	}
	if (!tested)
		SKIP(return, "no free huge page of any size (hugepagesz=1G)");
}

TEST_F(gmem, peer_shared_refuses_mremap)
{
	size_t size = 2 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(mremap(p, size, 2 * size, MREMAP_MAYMOVE), MAP_FAILED);
	EXPECT_EQ(errno, EINVAL);
	munmap(p, size);
}

/*
 * Peer-shared ranges start on a 2 MiB boundary whatever their size
 * (gm_get_unmapped_area()): a policy working in 2 MiB blocks
 * (prefetch_tree) then splits a buffer the same way in every run,
 * wherever ASLR puts it. Odd sizes, kept mapped, would leave the next
 * range unaligned otherwise. An address the caller gives is kept.
 */
TEST_F(gmem, peer_shared_ranges_start_on_2m_boundaries)
{
	static const size_t sizes[] = { 4096, (1UL << 20) + 4096, 2UL << 20,
					(3UL << 20) + 4096, 64UL << 20 };
	const unsigned int n = ARRAY_SIZE(sizes);
	const size_t block = 2UL << 20;
	char *p[ARRAY_SIZE(sizes) * 8], *hinted, *fixed;
	unsigned int i;

	for (i = 0; i < n * 8; i++) {
		p[i] = peer_mmap(sizes[i % n], PROT_READ | PROT_WRITE);
		ASSERT_NE(p[i], MAP_FAILED);
		EXPECT_EQ((uintptr_t)p[i] % block, 0)
			TH_LOG("%zu bytes at %p", sizes[i % n], p[i]);
	}
	/* A free hint, then MAP_FIXED, both off the boundary. */
	ASSERT_EQ(munmap(p[4], sizes[4]), 0);
	hinted = mmap(p[4] + page_size, page_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED, -1, 0);
	EXPECT_EQ(hinted, p[4] + page_size);
	fixed = mmap(p[2] + page_size, page_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED | MAP_FIXED,
		     -1, 0);
	EXPECT_EQ(fixed, p[2] + page_size);
	munmap(hinted, page_size);
	for (i = 0; i < n * 8; i++) {
		if (i != 4)
			munmap(p[i], sizes[i % n]);
	}
}

TEST_F(gmem, device_reads_cpu_written_data)
{
	size_t size = 16 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	void *buf = malloc(size);

	ASSERT_NE(p, MAP_FAILED);
	fill(p, size, 1);
	ASSERT_EQ(dev_rw(self->fd0, GMEM_SIM_IOC_READ, p, buf, size), 0);
	EXPECT_EQ(memcmp(buf, p, size), 0);
	free(buf);
	munmap(p, size);
}

TEST_F(gmem, device_checksum_matches_cpu)
{
	size_t size = 32 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	struct gmem_sim_run run;

	ASSERT_NE(p, MAP_FAILED);
	fill(p, size, 7);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, &run), 0);
	EXPECT_EQ(run.checksum, cpu_checksum(p, size));
	EXPECT_DEMAND_FAULTS(run.faults, 32);
	EXPECT_EQ(run.migrated_in, 32);
	munmap(p, size);
}

TEST_F(gmem, cpu_reads_device_written_data)
{
	size_t size = 16 * page_size, i;
	uint64_t *w;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 0xabcdef, NULL), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, size);
	w = p;
	for (i = 0; i < size / 8; i++)
		ASSERT_EQ(w[i], written_word(0xabcdef, &w[i]));
	/* Every page came back to host memory on touch. */
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 0);
	munmap(p, size);
}

TEST_F(gmem, untouched_pages_are_zero_on_device)
{
	size_t size = 8 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	struct gmem_sim_counters before = dev_counters(self->fd0);
	struct gmem_sim_run run;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, &run), 0);
	EXPECT_EQ(run.checksum, 0);
	EXPECT_EQ(dev_counters(self->fd0).zero_fills - before.zero_fills, 8);
	EXPECT_EQ(dev_counters(self->fd0).pages_in - before.pages_in, 0);
	munmap(p, size);
}

TEST_F(gmem, resident_page_faults_once)
{
	size_t size = 8 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	struct gmem_sim_run run;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 1, &run), 0);
	EXPECT_DEMAND_FAULTS(run.faults, 8);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, &run), 0);
	EXPECT_EQ(run.faults, 0);
	EXPECT_EQ(run.migrated_in, 0);
	munmap(p, size);
}

TEST_F(gmem, ping_pong_cpu_device_writes)
{
	size_t size = 64 * page_size, i;
	uint64_t *w;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	struct gmem_sim_run run;
	int round;

	ASSERT_NE(p, MAP_FAILED);
	w = p;
	for (round = 0; round < 10; round++) {
		for (i = 0; i < size / 8; i++)
			w[i]++;
		ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
				  GMEM_SIM_RMW, 0, &run), 0);
	}
	for (i = 0; i < size / 8; i++)
		ASSERT_EQ(w[i], 20);
	munmap(p, size);
}

TEST_F(gmem, two_devices_share_one_address_space)
{
	size_t size = 16 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	void *buf = malloc(size);
	uint64_t *w;
	size_t i;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 0x55, NULL), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, size);
	ASSERT_EQ(dev_rw(self->fd1, GMEM_SIM_IOC_READ, p, buf, size), 0);
	/* The pages moved from device 0 to device 1. */
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 0);
	EXPECT_EQ(dev_counters(self->fd1).mem_used, size);
	w = buf;
	for (i = 0; i < size / 8; i++)
		ASSERT_EQ(w[i], written_word(0x55, &((uint64_t *)p)[i]));
	free(buf);
	munmap(p, size);
}

TEST_F(gmem, devices_alternate_rmw)
{
	size_t size = 8 * page_size, i;
	uint64_t *w;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	int round;

	ASSERT_NE(p, MAP_FAILED);
	for (round = 0; round < 6; round++)
		ASSERT_EQ(dev_run(round & 1 ? self->fd1 : self->fd0, p, size,
				  GMEM_SIM_SEQUENTIAL, GMEM_SIM_RMW, 0, NULL), 0);
	w = p;
	for (i = 0; i < size / 8; i++)
		ASSERT_EQ(w[i], 6);
	munmap(p, size);
}

TEST_F(gmem, fork_with_device_resident_pages)
{
	size_t size = 8 * page_size, i;
	uint64_t *w;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	void *buf = malloc(size);
	pid_t pid;
	int status;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 0x77, NULL), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* The child reads the parent's data, then writes its own. */
		w = p;
		for (i = 0; i < size / 8; i++)
			if (w[i] != written_word(0x77, &w[i]))
				_exit(1);
		memset(p, 0x11, size);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	/* The child's writes are its own: the parent and device see 0x77. */
	ASSERT_EQ(dev_rw(self->fd0, GMEM_SIM_IOC_READ, p, buf, size), 0);
	w = buf;
	for (i = 0; i < size / 8; i++)
		ASSERT_EQ(w[i], written_word(0x77, &((uint64_t *)p)[i]));
	/* And the parent can still write through the device (COW broken). */
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 0x78, NULL), 0);
	w = p;
	for (i = 0; i < size / 8; i++)
		ASSERT_EQ(w[i], written_word(0x78, &w[i]));
	free(buf);
	munmap(p, size);
}

/*
 * fork() write-protects the whole of a private mapping for copy-on-write,
 * and GMEM passes the range on to the device: gmem_sim walked it page by
 * page under its page table lock, so a 1 TiB mapping with one page on the
 * device stalled fork for seconds (a soft lockup at 64 TiB, which any
 * user could map with MAP_NORESERVE). It walks the tables it has now.
 */
TEST_F(gmem, fork_of_a_huge_mapping_write_protects_only_what_is_mapped)
{
	size_t size = 1UL << 40;
	struct timespec t0, t1;
	uint64_t *w;
	double ms;
	pid_t pid;
	int status;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		       MAP_PEER_SHARED, -1, 0);

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, page_size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 5, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	TH_LOG("fork with 1 TiB mapped, a page of it on the device: %.1f ms",
	       ms);
	EXPECT_LT(ms, 1000);
	/* Write-protected on the device: its next write still lands. */
	ASSERT_EQ(dev_run(self->fd0, p, page_size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 6, NULL), 0);
	w = (uint64_t *)p;
	EXPECT_EQ(w[1], written_word(6, &w[1]));
	munmap(p, size);
}

/*
 * Pages dropped from the device leave none of its page tables behind:
 * mapping and dropping a page in each GiB of a large range would
 * otherwise grow the tables (kernel memory charged to no one) until the
 * process closes the device.
 */
TEST_F(gmem, dropped_pages_leave_no_device_page_tables)
{
	size_t gib = 1UL << 30, n = 16, i;
	uint64_t before, mapped_all;
	char *p = mmap(NULL, n * gib, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		       MAP_PEER_SHARED, -1, 0);

	ASSERT_NE(p, MAP_FAILED);
	before = dev_counters(self->fd0).pt_pages;
	for (i = 0; i < n; i++)
		ASSERT_EQ(dev_run(self->fd0, p + i * gib, page_size,
				  GMEM_SIM_SEQUENTIAL, GMEM_SIM_WRITE, i, NULL),
			  0);
	mapped_all = dev_counters(self->fd0).pt_pages;
	ASSERT_EQ(madvise(p, n * gib, MADV_DONTNEED), 0);
	TH_LOG("device page table pages: %llu, %llu with a page in each of %zu GiB, %llu after MADV_DONTNEED",
	       (unsigned long long)before, (unsigned long long)mapped_all, n,
	       (unsigned long long)dev_counters(self->fd0).pt_pages);
	EXPECT_GE(mapped_all, before + 2 * n);
	EXPECT_EQ(dev_counters(self->fd0).pt_pages, before);
	munmap(p, n * gib);
}

/*
 * A forked child shares the parent's device pages but not its address
 * space's records: the child's own address space, made when it opens the
 * device, has none of them. Mapping them on the child's device context
 * must record them first, or the notifier, which unmaps only what records
 * name, leaves the mapping when the child drops the pages: its device
 * would still read the parent's data there.
 */
TEST_F(gmem, a_forked_child_unmaps_the_parents_device_pages_it_dropped)
{
	size_t size = 8 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	struct gmem_sim_run run;
	pid_t pid;
	int status, fd;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 0x77, NULL), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		fd = open(DEV0, O_RDWR);
		/* Mapped where they are, for the child's device context. */
		if (fd < 0 || dev_run(fd, p, size, GMEM_SIM_SEQUENTIAL,
				      GMEM_SIM_READ, 0, &run) ||
		    run.migrated_in || !run.checksum)
			_exit(1);
		if (madvise(p, size, MADV_DONTNEED))
			_exit(2);
		/* Dropped: the child's device reads zeros now. */
		if (dev_run(fd, p, size, GMEM_SIM_SEQUENTIAL, GMEM_SIM_READ,
			    0, &run))
			_exit(3);
		_exit(run.checksum ? 4 : 0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
	munmap(p, size);
}

TEST_F(gmem, munmap_releases_device_memory_and_mappings)
{
	size_t size = 16 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	struct gmem_sim_counters c;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 3, NULL), 0);
	c = dev_counters(self->fd0);
	EXPECT_EQ(c.mem_used, size);
	EXPECT_EQ(c.mapped, 16);
	ASSERT_EQ(munmap(p, size), 0);
	c = dev_counters(self->fd0);
	EXPECT_EQ(c.mem_used, 0);
	EXPECT_EQ(c.mapped, 0);
	EXPECT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, NULL), -EFAULT);
}

/*
 * Peer-shared pages move to devices, so peer-shared VMAs are not mlocked
 * (as DAX ones are not). A locked VMA's munmap parked its device pages in
 * the per-CPU mlock pagevec, their frames in use until that CPU drained:
 * the fuzzer once found 4 frames used 5 s after its process exited.
 */
TEST_F(gmem, a_locked_peer_shared_mapping_frees_its_device_frames_at_munmap)
{
	size_t size = 4 * page_size;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED |
		       MAP_LOCKED, -1, 0);

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(mlock(p, size), 0);
	EXPECT_EQ(vma_has_flag(p, "lo"), 0);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 3, NULL), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, size);
	ASSERT_EQ(munmap(p, size), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 0);
}

TEST_F(gmem, partial_munmap_keeps_the_rest)
{
	size_t size = 8 * page_size, i;
	char *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	uint64_t *w;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 9, NULL), 0);
	ASSERT_EQ(munmap(p + 2 * page_size, 2 * page_size), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 6 * page_size);
	EXPECT_EQ(dev_run(self->fd0, p + 2 * page_size, page_size,
			  GMEM_SIM_SEQUENTIAL, GMEM_SIM_READ, 0, NULL), -EFAULT);
	w = (uint64_t *)(p + 4 * page_size);
	for (i = 0; i < 4 * page_size / 8; i++)
		ASSERT_EQ(w[i], written_word(9, &w[i]));
	munmap(p, 2 * page_size);
	munmap(p + 4 * page_size, 4 * page_size);
}

TEST_F(gmem, mprotect_read_only_stops_device_writes)
{
	size_t size = 4 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	struct gmem_sim_run run;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 4, NULL), 0);
	ASSERT_EQ(mprotect(p, size, PROT_READ), 0);
	EXPECT_EQ(dev_counters(self->fd0).mapped, 0);
	EXPECT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 5, NULL), -EPERM);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, &run), 0);
	EXPECT_EQ(((uint64_t *)p)[0], written_word(4, p));
	munmap(p, size);
}

TEST_F(gmem, device_write_to_read_only_mapping_fails)
{
	size_t size = 4 * page_size;
	void *p = peer_mmap(size, PROT_READ);

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 1, NULL), -EPERM);
	EXPECT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, NULL), 0);
	munmap(p, size);
}

TEST_F(gmem, device_access_to_prot_none_fails)
{
	void *p = peer_mmap(page_size, PROT_NONE);

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(dev_run(self->fd0, p, page_size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, NULL), -EPERM);
	munmap(p, page_size);
}

TEST_F(gmem, plain_mmap_is_refused_to_the_device)
{
	size_t size = 4 * page_size;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(p, MAP_FAILED);
	memset(p, 1, size);
	EXPECT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, NULL), -EFAULT);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 0);
	munmap(p, size);
}

TEST_F(gmem, process_exit_returns_device_memory)
{
	size_t size = 32 * page_size;
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = open(DEV1, O_RDWR);
		void *p = peer_mmap(size, PROT_READ | PROT_WRITE);

		if (fd < 0 || p == MAP_FAILED ||
		    dev_run(fd, p, size, GMEM_SIM_SEQUENTIAL, GMEM_SIM_WRITE,
			    2, NULL))
			_exit(1);
		if (dev_counters(fd).mem_used != size)
			_exit(2);
		_exit(0);	/* fd and mapping left for exit to clean */
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_EQ(WEXITSTATUS(status), 0);
	EXPECT_EQ(dev_counters(self->fd1).mem_used, 0);
	EXPECT_EQ(dev_counters(self->fd1).contexts, 1);
}

TEST_F(gmem, data_survives_detach)
{
	size_t size = 8 * page_size, i;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	uint64_t *w = p;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 0x99, NULL), 0);
	close(self->fd0);
	self->fd0 = open(DEV0, O_RDWR);
	ASSERT_GE(self->fd0, 0);
	/* Still on the device, but no longer mapped there. */
	EXPECT_EQ(dev_counters(self->fd0).mem_used, size);
	EXPECT_EQ(dev_counters(self->fd0).mapped, 0);
	for (i = 0; i < size / 8; i++)
		ASSERT_EQ(w[i], written_word(0x99, &w[i]));
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 0);
	munmap(p, size);
}

TEST_F(gmem, mmap_reserves_device_va_and_munmap_releases)
{
	size_t size = 64 * page_size;
	uint64_t before = dev_counters(self->fd0).va_reserved;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(dev_counters(self->fd0).va_reserved - before, size);
	EXPECT_EQ(dev_counters(self->fd1).va_reserved - before, size);
	ASSERT_EQ(munmap((char *)p + 16 * page_size, 16 * page_size), 0);
	EXPECT_EQ(dev_counters(self->fd0).va_reserved - before, 48 * page_size);
	munmap(p, size);
	EXPECT_EQ(dev_counters(self->fd0).va_reserved, before);
}

TEST_F(gmem, attach_reserves_existing_mappings)
{
	size_t size = 32 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	uint64_t before;

	ASSERT_NE(p, MAP_FAILED);
	close(self->fd1);
	before = dev_counters(self->fd0).va_reserved;
	self->fd1 = open(DEV1, O_RDWR);
	ASSERT_GE(self->fd1, 0);
	EXPECT_EQ(dev_counters(self->fd1).va_reserved, before);
	munmap(p, size);
}

TEST_F(gmem, device_va_exhaustion_fails_mmap)
{
	int param = open(VA_BITS, O_RDWR);
	uint64_t before = dev_counters(self->fd1).va_reserved;
	void *p;

	ASSERT_GE(param, 0);
	/* Out of range: refused, or a shift by it would be undefined. */
	EXPECT_EQ(write(param, "64", 2), -1);
	EXPECT_EQ(errno, EINVAL);
	EXPECT_EQ(pwrite(param, "31", 2, 0), -1);
	ASSERT_EQ(pwrite(param, VA_BITS_NARROW, 2, 0), 2);
	/* Default mmaps are far above 4 GiB: no device can map them. */
	p = peer_mmap(page_size, PROT_READ | PROT_WRITE);
	ASSERT_EQ(pwrite(param, VA_BITS_LOADED, 2, 0), 2);
	close(param);
	EXPECT_EQ(p, MAP_FAILED);
	EXPECT_EQ(errno, ENOMEM);
	/* Undoing the mmap released nothing it had not reserved. */
	EXPECT_EQ(dev_counters(self->fd1).va_reserved, before);
	p = peer_mmap(page_size, PROT_READ | PROT_WRITE);
	EXPECT_NE(p, MAP_FAILED);
	munmap(p, page_size);
}

/* Is any of [p, p + size) mapped? mincore() fails on a hole (ENOMEM). */
static int mapped_anywhere(void *p, size_t size)
{
	unsigned char vec[64];
	size_t i;

	for (i = 0; i < size; i += page_size)
		if (!mincore((char *)p + i, page_size, vec) || errno != ENOMEM)
			return 1;
	return 0;
}

/*
 * Devices reserve a peer-shared range before mmap() maps it. A refusal
 * used to be undone by unmapping the new mapping again; merged with its
 * neighbours, that took a split, and when the split's allocations failed
 * the mapping stayed, reserved on no device, though mmap() had failed
 * (its munmap() then released what no device had reserved). Here the
 * devices' VA width refuses the hole between two mappings 200 times, half
 * of this thread's slab allocations failing (debug kernel): no failed
 * mmap() may leave anything mapped. Then 200 more with the range allowed:
 * an mmap() that fails after the devices reserved (its allocations failed)
 * must release what they reserved. The reservations must balance.
 */
TEST_F(gmem, refused_mmap_between_mappings_leaves_nothing_mapped)
{
	const size_t size = 6 * page_size, hole = 2 * page_size;
	uint64_t before0 = dev_counters(self->fd0).va_reserved;
	uint64_t before1 = dev_counters(self->fd1).va_reserved;
	int param, fail, i, refused = 0, stale = 0, mapped = 0;
	char *p, *q;

	if (access(FAILSLAB_DIR, F_OK))
		SKIP(return, "kernel without failslab (make check DEBUG=1)");
	p = peer_mmap(size, PROT_READ | PROT_WRITE);
	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(munmap(p + 2 * page_size, hole), 0);
	param = open(VA_BITS, O_RDWR);
	ASSERT_GE(param, 0);
	/* Injection on, the file cannot be opened: opened before. */
	fail = open("/proc/thread-self/make-it-fail", O_WRONLY);
	ASSERT_GE(fail, 0);
	ASSERT_EQ(failslab_inject(50, 1), 0);
	ASSERT_EQ(pwrite(param, VA_BITS_NARROW, 2, 0), 2);
	for (i = 0; i < 400; i++) {
		/* The second 200: the devices take the range. */
		if (i == 200)
			EXPECT_EQ(pwrite(param, VA_BITS_LOADED, 2, 0), 2);
		EXPECT_EQ(pwrite(fail, "1", 1, 0), 1);
		q = mmap(p + 2 * page_size, hole, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
			 MAP_PEER_SHARED, -1, 0);
		EXPECT_EQ(pwrite(fail, "0", 1, 0), 1);
		if (q != MAP_FAILED) {
			mapped++;
			/* Reserved: released by munmap() below. */
		} else if (mapped_anywhere(p + 2 * page_size, hole)) {
			stale++;
		} else {
			refused++;
			continue;
		}
		munmap(p + 2 * page_size, hole);
	}
	EXPECT_EQ(failslab_off(), 0);
	EXPECT_EQ(pwrite(param, VA_BITS_LOADED, 2, 0), 2);
	close(param);
	close(fail);
	TH_LOG("400 mmap()s, 200 refused by the devices: %d failed leaving nothing, %d leaving a mapping; %d mapped",
	       refused, stale, mapped);
	EXPECT_EQ(stale, 0);
	EXPECT_GE(refused, 200);
	EXPECT_GE(mapped, 1);
	/* The neighbours are untouched. */
	EXPECT_TRUE(mapped_anywhere(p, page_size));
	EXPECT_TRUE(mapped_anywhere(p + 4 * page_size, page_size));
	munmap(p, size);
	EXPECT_EQ(dev_counters(self->fd0).va_reserved, before0);
	EXPECT_EQ(dev_counters(self->fd1).va_reserved, before1);
}

#define STRICT_CAPACITY "/sys/kernel/gmem/strict_capacity"

TEST_F(gmem, strict_capacity_reports_enomem_and_keeps_data)
{
	uint64_t total = dev_counters(self->fd0).mem_total;
	size_t size = total + 4 * page_size, i;
	uint64_t *w;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	struct gmem_sim_run run;
	int ret;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(sysfs_write(STRICT_CAPACITY, "1"), 0);
	ret = dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL, GMEM_SIM_WRITE,
		      0x42, &run);
	ASSERT_EQ(sysfs_write(STRICT_CAPACITY, "0"), 0);
	EXPECT_EQ(ret, -ENOMEM);
	EXPECT_DEMAND_FAULTS(run.faults, total / page_size);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, total);
	w = p;
	for (i = 0; i < total / 8; i += page_size / 8)
		ASSERT_EQ(w[i], written_word(0x42, &w[i]));
	EXPECT_EQ(w[total / 8], 0);
	munmap(p, size);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 0);
}

TEST_F(gmem, bad_ioctl_arguments)
{
	void *p = peer_mmap(4 * page_size, PROT_READ | PROT_WRITE);
	struct gmem_sim_run run = { .addr = (uintptr_t)p, .size = page_size };

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(dev_run(self->fd0, (char *)p + 1, page_size,
			  GMEM_SIM_SEQUENTIAL, GMEM_SIM_READ, 0, NULL), -EINVAL);
	EXPECT_EQ(dev_run(self->fd0, p, 0, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, NULL), -EINVAL);
	EXPECT_EQ(dev_run(self->fd0, p, page_size + 1, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, NULL), -EINVAL);
	EXPECT_EQ(dev_run(self->fd0, p, page_size, GMEM_SIM_NR_PATTERNS,
			  GMEM_SIM_READ, 0, NULL), -EINVAL);
	EXPECT_EQ(dev_run(self->fd0, p, page_size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_NR_OPS, 0, NULL), -EINVAL);
	EXPECT_EQ(dev_run(self->fd0, (void *)-page_size, 2 * page_size,
			  GMEM_SIM_SEQUENTIAL, GMEM_SIM_READ, 0, NULL), -EINVAL);
	run.pattern = GMEM_SIM_STRIDED;
	run.stride = 0;
	EXPECT_EQ(ioctl(self->fd0, GMEM_SIM_IOC_RUN, &run), -1);
	EXPECT_EQ(errno, EINVAL);
	EXPECT_EQ(dev_rw(self->fd0, GMEM_SIM_IOC_READ, p, p, 0), -EINVAL);
	EXPECT_EQ(ioctl(self->fd0, _IO('G', 0x7f)), -1);
	EXPECT_EQ(errno, ENOTTY);
	munmap(p, 4 * page_size);
}

TEST_F(gmem, bad_user_pointers)
{
	void *p = peer_mmap(4 * page_size, PROT_READ | PROT_WRITE);
	struct gmem_sim_run run = {
		.addr = (uintptr_t)p, .size = page_size,
		.pattern = GMEM_SIM_LIST, .accesses = 1, .list = 16,
	};

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(ioctl(self->fd0, GMEM_SIM_IOC_RUN, NULL), -1);
	EXPECT_EQ(errno, EFAULT);
	EXPECT_EQ(ioctl(self->fd0, GMEM_SIM_IOC_COUNTERS, (void *)16), -1);
	EXPECT_EQ(errno, EFAULT);
	EXPECT_EQ(ioctl(self->fd0, GMEM_SIM_IOC_RUN, &run), -1);
	EXPECT_EQ(errno, EFAULT);
	EXPECT_EQ(dev_rw(self->fd0, GMEM_SIM_IOC_READ, p, (void *)16,
			 page_size), -EFAULT);
	EXPECT_EQ(dev_rw(self->fd0, GMEM_SIM_IOC_WRITE, p, (void *)16,
			 page_size), -EFAULT);
	munmap(p, 4 * page_size);
}

TEST_F(gmem, list_pattern_out_of_range_page)
{
	void *p = peer_mmap(4 * page_size, PROT_READ | PROT_WRITE);
	uint64_t list[2] = { 1, 4 };
	struct gmem_sim_run run = {
		.addr = (uintptr_t)p, .size = 4 * page_size,
		.pattern = GMEM_SIM_LIST, .accesses = 2,
		.list = (uintptr_t)list,
	};

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(ioctl(self->fd0, GMEM_SIM_IOC_RUN, &run), -1);
	EXPECT_EQ(errno, EINVAL);
	EXPECT_EQ(run.faults, 1);
	munmap(p, 4 * page_size);
}

TEST_F(gmem, module_unload_refused_while_attached)
{
	EXPECT_EQ(syscall(SYS_delete_module, "gmem_sim", O_NONBLOCK), -1);
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY);
}

TEST_F(gmem, device_sees_cpu_writes_after_device_mapping)
{
	size_t size = 4 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	void *buf = malloc(size);

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 1, NULL), 0);
	/* The CPU write pulls the page back and unmaps it on the device. */
	memset(p, 0x5a, size);
	ASSERT_EQ(dev_rw(self->fd0, GMEM_SIM_IOC_READ, p, buf, size), 0);
	EXPECT_EQ(memcmp(buf, p, size), 0);
	free(buf);
	munmap(p, size);
}

TEST_F(gmem, logical_page_table_costs_at_most_16_bytes_per_page)
{
	size_t size = 1024 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	char path[64], line[128];
	long bytes_per_page = -1, entries = -1;
	FILE *f;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 1, NULL), 0);
	snprintf(path, sizeof(path), GMEM_DEBUGFS_DIR "/as-%d", getpid());
	f = fopen(path, "r");
	ASSERT_NE(f, NULL);
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "lpt_bytes_per_page: %ld", &bytes_per_page);
		sscanf(line, "lpt_entries: %ld", &entries);
	}
	fclose(f);
	TH_LOG("logical page table: %ld entries, %ld bytes per page",
	       entries, bytes_per_page);
	EXPECT_GE(entries, 1024);
	EXPECT_GT(bytes_per_page, 0);
	EXPECT_LE(bytes_per_page, 16);
	munmap(p, size);
}

TEST_F(gmem, context_outlives_its_process)
{
	size_t size = 8 * page_size;
	int sync[2], pidfd, fd;
	struct gmem_sim_counters c;
	char byte;
	pid_t pid;

	ASSERT_EQ(pipe(sync), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int cfd = open(DEV1, O_RDWR);
		void *p = peer_mmap(size, PROT_READ | PROT_WRITE);

		if (cfd < 0 || p == MAP_FAILED ||
		    dev_run(cfd, p, size, GMEM_SIM_SEQUENTIAL, GMEM_SIM_WRITE,
			    1, NULL))
			_exit(1);
		if (write(sync[1], &cfd, 1) != 1)
			_exit(2);
		pause();	/* until the parent has the fd */
		_exit(0);
	}
	ASSERT_EQ(read(sync[0], &byte, 1), 1);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	ASSERT_GE(pidfd, 0);
	/* The child's device fd, holding the child's address space. */
	fd = syscall(SYS_pidfd_getfd, pidfd, byte, 0);
	ASSERT_GE(fd, 0);
	kill(pid, SIGKILL);
	ASSERT_EQ(waitpid(pid, NULL, 0), pid);

	/* The address space is gone; its context is not. */
	c = dev_counters(fd);
	EXPECT_EQ(c.contexts, 2);
	EXPECT_EQ(c.mem_used, 0);
	EXPECT_EQ(dev_run(fd, (void *)0x10000, page_size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, NULL), -ESRCH);
	close(fd);
	c = dev_counters(self->fd1);
	EXPECT_EQ(c.contexts, 1);
	EXPECT_EQ(c.va_reserved, 0);
	close(pidfd);
	close(sync[0]);
	close(sync[1]);
}

/* Free 2 MiB blocks of device 0: the last of the free_blocks counts. */
static long free_2m_blocks(void)
{
	char buf[256] = "", *last;
	int fd = open("/sys/kernel/gmem/devices/gmem_sim0/free_blocks",
		      O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	last = strrchr(buf, ' ');
	return last ? strtol(last + 1, NULL, 10) : -1;
}

static int set_scratch(int fd, uint64_t size)
{
	struct gmem_sim_scratch sc = { .size = size };

	return ioctl(fd, GMEM_SIM_IOC_SCRATCH, &sc) ? -errno : 0;
}

#define FRAGMENTATION "/sys/kernel/gmem/devices/gmem_sim0/fragmentation"

TEST_F(gmem, scratch_memory_takes_2m_blocks)
{
	uint64_t total = dev_counters(self->fd0).mem_total;
	long blocks = free_2m_blocks();

	ASSERT_EQ(blocks, total >> 21);
	EXPECT_EQ(sysfs_long(FRAGMENTATION), 0);
	ASSERT_EQ(set_scratch(self->fd0, 4 << 20), 0);
	EXPECT_EQ(free_2m_blocks(), blocks - 2);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 4 << 20);
	/* Rounded up to whole blocks. */
	ASSERT_EQ(set_scratch(self->fd0, 1), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 2 << 20);
	EXPECT_EQ(set_scratch(self->fd0, 65ULL << 21), -EINVAL);
	ASSERT_EQ(set_scratch(self->fd0, 0), 0);
	EXPECT_EQ(free_2m_blocks(), blocks);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 0);
}

TEST_F(gmem, freed_pages_merge_back_into_2m_blocks)
{
	uint64_t total = dev_counters(self->fd0).mem_total;
	size_t i, npages = total / page_size;
	char *p = peer_mmap(total, PROT_READ | PROT_WRITE);

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, total, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 1, NULL), 0);
	EXPECT_EQ(free_2m_blocks(), 0);
	/* Every other page freed: half the memory free, none of it in 2M. */
	for (i = 0; i < npages; i += 2)
		ASSERT_EQ(munmap(p + i * page_size, page_size), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, total / 2);
	EXPECT_EQ(sysfs_long(FRAGMENTATION), 100);
	EXPECT_EQ(set_scratch(self->fd0, 2 << 20), -ENOMEM);
	/* The rest freed: buddies merge all the way up. */
	for (i = 1; i < npages; i += 2)
		ASSERT_EQ(munmap(p + i * page_size, page_size), 0);
	EXPECT_EQ(sysfs_long(FRAGMENTATION), 0);
	EXPECT_EQ(free_2m_blocks(), total >> 21);
	EXPECT_EQ(set_scratch(self->fd0, 2 << 20), 0);
	EXPECT_EQ(set_scratch(self->fd0, 0), 0);
}

/*
 * munmap erases the records of the range in chunks, dropping the table's
 * lock between them. 8,192 records from a 2 MiB boundary: a break falls
 * just after the record that empties an xarray node, where resuming with
 * 6.1's xas_pause() skipped the next node's records.
 */
TEST_F(gmem, munmap_erases_every_record_of_a_large_range)
{
	size_t align = 2UL << 20, size = 8192 * page_size;
	char *map = peer_mmap(size + align, PROT_READ | PROT_WRITE);
	long before, after;
	char *p;

	ASSERT_NE(map, MAP_FAILED);
	p = (char *)(((uintptr_t)map + align - 1) & ~(align - 1));
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 1, NULL), 0);
	before = as_counter("lpt_entries");
	ASSERT_EQ(munmap(map, size + align), 0);
	after = as_counter("lpt_entries");
	TH_LOG("logical page table: %ld entries before munmap, %ld after",
	       before, after);
	EXPECT_GE(before, 8192);
	EXPECT_EQ(after, 0);
}

/* Takes and drops this process's mmap lock for write until told to stop. */
static void *mmap_churn(void *arg)
{
	atomic_bool *stop = arg;

	while (!atomic_load(stop)) {
		void *p = mmap(NULL, page_size, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED)
			munmap(p, page_size);
	}
	return NULL;
}

/*
 * Listing GMEM's debugfs directory copies to user memory under the
 * directory's lock, and a fault there takes the mmap lock: the trylock
 * first, the lock itself (which lockdep sees) when a writer holds it, as
 * a thread here keeps doing. A process's first open of a device file adds
 * its address space's file there; under the mmap lock, that was the other
 * order of the two locks, a deadlock that lockdep reports on the debug
 * kernel (vmtest fails the run on a report). Each listing goes to memory
 * not faulted in yet.
 */
TEST_F(gmem, debugfs_listing_faults_in_its_buffer)
{
	struct dirent64 {
		uint64_t d_ino;
		int64_t d_off;
		unsigned short d_reclen;
		unsigned char d_type;
		char d_name[];
	} *d;
	size_t size = 16 * page_size;
	char *buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int dir = open(GMEM_DEBUGFS_DIR, O_RDONLY | O_DIRECTORY);
	atomic_bool stop = false;
	char want[32];
	int i, found = 0;
	pthread_t churn;
	long n, off;

	ASSERT_NE(buf, MAP_FAILED);
	ASSERT_GE(dir, 0);
	ASSERT_EQ(pthread_create(&churn, NULL, mmap_churn, &stop), 0);
	snprintf(want, sizeof(want), "as-%d", getpid());
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(madvise(buf, size, MADV_DONTNEED), 0);
		ASSERT_EQ(lseek(dir, 0, SEEK_SET), 0);
		n = syscall(SYS_getdents64, dir, buf, size);
		ASSERT_GT(n, 0);
		for (off = 0; off < n; off += d->d_reclen) {
			d = (struct dirent64 *)(buf + off);
			found |= !strcmp(d->d_name, want);
		}
	}
	atomic_store(&stop, true);
	pthread_join(churn, NULL);
	EXPECT_TRUE(found);
	close(dir);
	munmap(buf, size);
}

TEST_F(gmem, address_space_counters_in_debugfs)
{
	size_t size = 16 * page_size;
	volatile uint64_t *w;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	size_t i;

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(as_counter("faults"), 0);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 1, NULL), 0);
	EXPECT_DEMAND_FAULTS(as_counter("faults"), 16);
	EXPECT_EQ(as_counter("pages_to_device"), 16);
	EXPECT_EQ(as_counter("pages_to_host"), 0);
	w = p;
	for (i = 0; i < size / 8; i += page_size / 8)
		(void)w[i];
	EXPECT_EQ(as_counter("pages_to_host"), 16);
	EXPECT_EQ(as_counter("strict_capacity"), 0);
	munmap(p, size);
}


/*
 * Batched faults: gmem_sim buffers up to fault_batch faults of a kernel
 * and GMEM resolves them together (gm_dev_fault_batch()), one migration
 * for each run of up to 64 adjacent pages (each gap between pages already
 * on the device).
 */

static long dev0_counter(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), SYSFS_DEV0 "%s", name);
	return sysfs_long(path);
}

TEST_F(gmem, batched_faults_migrate_64_adjacent_pages_at_once)
{
	size_t n = 256, size = n * page_size, i;
	long batches, migrations;
	struct gmem_sim_run run;
	uint64_t *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	uint64_t *q = peer_mmap(size, PROT_READ | PROT_WRITE);

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_NE(q, MAP_FAILED);
	fill(p, size, 1);
	fill(q, size, 2);

	/* One at a time: a migration per fault. */
	migrations = dev0_counter("fault_migrations");
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 0x71, &run), 0);
	EXPECT_DEMAND_FAULTS(run.faults, n);
	EXPECT_EQ(run.fault_batches, run.faults);
	EXPECT_EQ(dev0_counter("fault_migrations") - migrations,
		  (long)run.faults);

	/* In batches of 64: four batches, a migration each. */
	ASSERT_EQ(sysfs_write(FAULT_BATCH, "64"), 0);
	batches = dev0_counter("fault_batches");
	migrations = dev0_counter("fault_migrations");
	ASSERT_EQ(dev_run(self->fd0, q, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 0x72, &run), 0);
	ASSERT_EQ(sysfs_write(FAULT_BATCH, "1"), 0);
	TH_LOG("%llu faults in %llu batches, %ld migrations",
	       (unsigned long long)run.faults,
	       (unsigned long long)run.fault_batches,
	       dev0_counter("fault_migrations") - migrations);
	EXPECT_DEMAND_FAULTS(run.faults, n);
	EXPECT_EQ(run.fault_batches, (run.faults + 63) / 64);
	EXPECT_EQ(dev0_counter("fault_batches") - batches,
		  (long)run.fault_batches);
	/* A prefetcher's pages split the runs: still no more than a fault's. */
	if (getenv("GMEM_POLICY_PREFETCHES")) {
		EXPECT_LE(dev0_counter("fault_migrations") - migrations,
			  (long)run.faults);
	} else {
		EXPECT_EQ(dev0_counter("fault_migrations") - migrations,
			  (long)n / 64);
	}
	for (i = 0; i < size / 8; i++) {
		ASSERT_EQ(p[i], written_word(0x71, &p[i]));
		ASSERT_EQ(q[i], written_word(0x72, &q[i]));
	}
	munmap(p, size);
	munmap(q, size);
}

/*
 * The accesses a batch held run once each, duplicates too: read-modify-
 * write kernels over a page list with repeats leave each word incremented
 * once per access of its page, whatever the batch size.
 */
TEST_F(gmem, batched_faults_run_every_access_once)
{
	enum { PAGES = 96, ACCESSES = 400 };
	static const char *const sizes[] = { "1", "7", "64", "256" };
	unsigned int counts[PAGES] = { 0 }, b, j;
	size_t size = PAGES * page_size, i;
	uint64_t list[ACCESSES], *p = peer_mmap(size, PROT_READ | PROT_WRITE);

	ASSERT_NE(p, MAP_FAILED);
	memset(p, 0, size);
	srand(7);
	for (b = 0; b < sizeof(sizes) / sizeof(sizes[0]); b++) {
		struct gmem_sim_run run = {
			.addr = (uintptr_t)p,
			.size = size,
			.pattern = GMEM_SIM_LIST,
			.op = GMEM_SIM_RMW,
			.accesses = ACCESSES,
			.list = (uintptr_t)list,
		};

		for (j = 0; j < ACCESSES; j++) {
			/* Runs of neighbours, repeats, and jumps. */
			list[j] = j % 3 ? (list[j - 1] + rand() % 3) % PAGES :
					  (uint64_t)rand() % PAGES;
			counts[list[j]]++;
		}
		ASSERT_EQ(sysfs_write(FAULT_BATCH, sizes[b]), 0);
		ASSERT_EQ(ioctl(self->fd0, GMEM_SIM_IOC_RUN, &run), 0);
		/* The CPU takes every page back: the next kernel faults again. */
		for (i = 0; i < size / 8; i += page_size / 8)
			ASSERT_EQ(p[i], counts[i / (page_size / 8)]);
	}
	ASSERT_EQ(sysfs_write(FAULT_BATCH, "1"), 0);
	for (i = 0; i < size / 8; i++)
		ASSERT_EQ(p[i], counts[i / (page_size / 8)]);
	munmap(p, size);
}

/*
 * A run holding pages already in the device's memory (faulting because
 * their mappings went: mprotect() makes their entries read-only, so a
 * read maps them again) migrates only the span of the others: the pages
 * it has just mapped are not unmapped again by the migration.
 */
TEST_F(gmem, a_batch_migrates_around_pages_already_on_the_device)
{
	size_t n = 64, size = n * page_size, i, g;
	struct gmem_sim_counters before;
	long migrations;
	struct gmem_sim_run run;
	uint64_t *p = peer_mmap(size, PROT_READ | PROT_WRITE);

	if (getenv("GMEM_POLICY_PREFETCHES"))
		SKIP(return, "a prefetcher would move the other pages in too");
	ASSERT_NE(p, MAP_FAILED);
	fill(p, size, 5);
	/* The first 8 pages of every 16 on the device, then unmapped there. */
	for (g = 0; g < n / 16; g++)
		ASSERT_EQ(dev_run(self->fd0, (char *)p + g * 16 * page_size,
				  8 * page_size, GMEM_SIM_SEQUENTIAL,
				  GMEM_SIM_WRITE, 0x81, NULL), 0);
	ASSERT_EQ(mprotect(p, size, PROT_READ), 0);
	ASSERT_EQ(mprotect(p, size, PROT_READ | PROT_WRITE), 0);

	ASSERT_EQ(sysfs_write(FAULT_BATCH, "64"), 0);
	before = dev_counters(self->fd0);
	migrations = dev0_counter("fault_migrations");
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, &run), 0);
	ASSERT_EQ(sysfs_write(FAULT_BATCH, "1"), 0);
	EXPECT_EQ(run.faults, n);
	EXPECT_EQ(run.fault_batches, 1);
	EXPECT_EQ(dev0_counter("fault_migrations") - migrations, (long)n / 16);
	EXPECT_EQ(dev_counters(self->fd0).pages_in - before.pages_in, n / 2);
	EXPECT_EQ(dev_counters(self->fd0).tlb_invalidations -
		  before.tlb_invalidations, 0);
	/* What the device read is what is there: its writes, the CPU's fill. */
	EXPECT_EQ(run.checksum, cpu_checksum(p, size));
	for (i = 0; i < size / 8; i++)
		if ((i * 8 / page_size) % 16 < 8)
			ASSERT_EQ(p[i], written_word(0x81, &p[i]));
	munmap(p, size);
}

/* A fault buffer holds 1 to 256 faults (GM_FAULT_BATCH_MAX). */
TEST_F(gmem, fault_batch_is_1_to_256)
{
	EXPECT_EQ(sysfs_write(FAULT_BATCH, "0"), -EINVAL);
	EXPECT_EQ(sysfs_write(FAULT_BATCH, "257"), -EINVAL);
	EXPECT_EQ(sysfs_write(FAULT_BATCH, "256"), 0);
	EXPECT_EQ(sysfs_long(FAULT_BATCH), 256);
	EXPECT_EQ(sysfs_write(FAULT_BATCH, "1"), 0);
}

TEST_HARNESS_MAIN

struct zapper {
	volatile int stop;
	char *page;
	long zaps;
};

/* Invalidate one page of the mm over and over, under the mmap read lock. */
static void *zap_loop(void *arg)
{
	struct zapper *z = arg;

	while (!z->stop) {
		z->page[0] = 1;
		if (madvise(z->page, page_size, MADV_DONTNEED))
			break;
		z->zaps++;
	}
	return NULL;
}

/*
 * One mmu notifier covers the whole mm, and every invalidation bumps its
 * sequence; a device fault retakes its snapshot of the CPU page table only
 * when an invalidation meets the fault's own range. The oracle is the
 * device's fault_retries: the faults here touch only p, while another
 * thread invalidates a page elsewhere (MADV_DONTNEED takes the mmap lock
 * for read, as the faults do, so it can run in the middle of one).
 */
TEST_F(gmem, invalidations_elsewhere_do_not_overtake_faults)
{
	size_t n = 256, size = n * page_size, i;
	uint64_t *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	struct zapper z = { 0 };
	long retries, faults = 0;
	struct gmem_sim_run run;
	pthread_t thread;
	int round;

	ASSERT_NE(p, MAP_FAILED);
	z.page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(z.page, MAP_FAILED);
	fill(p, size, 3);
	retries = dev0_counter("fault_retries");
	ASSERT_EQ(pthread_create(&thread, NULL, zap_loop, &z), 0);
	for (round = 0; round < 20; round++) {
		/* Device faults migrate every page in; the CPU takes it back. */
		ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
				  GMEM_SIM_RMW, 0, &run), 0);
		faults += run.faults;
		for (i = 0; i < size / 8; i += page_size / 8)
			ASSERT_EQ(p[i], 3 * 0x9e3779b97f4a7c15ULL + i + round + 1);
	}
	z.stop = 1;
	pthread_join(thread, NULL);
	retries = dev0_counter("fault_retries") - retries;
	TH_LOG("%ld faults, %ld snapshots retaken, %ld invalidations elsewhere",
	       faults, retries, z.zaps);
	ASSERT_GE(z.zaps, faults / 4);
	EXPECT_DEMAND_FAULTS(faults, 20 * n);
	/* None retaken here; 1,700-2,800 when any invalidation overtook. */
	EXPECT_LE(retries * 100, faults);
	for (i = 0; i < size / 8; i++)
		ASSERT_EQ(p[i], 3 * 0x9e3779b97f4a7c15ULL + i + 20);
	munmap(z.page, page_size);
	munmap(p, size);
}

/*
 * A migration to the device maps the pages it moved itself, before
 * migrate_vma_finalize(), with no snapshot of the CPU page table (the
 * device's map_snapshots): a prefetch of 256 host pages takes none, and the
 * device then reads them all without a fault; a device fault on a host page
 * takes one (to see whether it is on the device already), where mapping
 * after the migration took two. The race suite checks that no mapping of a
 * page the migration did not keep is left.
 */
TEST_F(gmem, a_migration_maps_the_pages_it_moved)
{
	size_t n = 256, size = n * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	long hnid = sysfs_long(SYSFS_DEV0 "hnid"), snapshots;
	struct gmem_sim_run run;

	ASSERT_NE(p, MAP_FAILED);
	fill(p, size, 5);
	snapshots = dev0_counter("map_snapshots");
	ASSERT_EQ(hmadvise(hnid, p, size, MADV_PREFETCH), 0);
	EXPECT_EQ(dev0_counter("map_snapshots") - snapshots, 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, size);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, &run), 0);
	EXPECT_EQ(run.faults, 0);
	EXPECT_EQ(run.checksum, cpu_checksum(p, size));

	/* The CPU read them back: now a fault a page, a snapshot each. */
	snapshots = dev0_counter("map_snapshots");
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, &run), 0);
	EXPECT_DEMAND_FAULTS(run.faults, n);
	EXPECT_EQ(run.migrated_in, n);
	/* A policy that prefetches maps the faulting page again. */
	if (!getenv("GMEM_POLICY_PREFETCHES"))
		EXPECT_EQ(dev0_counter("map_snapshots") - snapshots, n);
	EXPECT_EQ(run.checksum, cpu_checksum(p, size));
	munmap(p, size);
}
