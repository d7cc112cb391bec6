// SPDX-License-Identifier: GPL-2.0
/*
 * hmadvise() tests: every advice, every documented error, range attributes
 * splitting and merging, pinning against eviction. Run with gmem_sim
 * loaded (two devices).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <linux/capability.h>

/* The harness's own functions have parameters they do not use. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "gmem_test_lib.h"
#include "gmem/hmadvise.h"

#define HOST_NODE 0

/* hmadvise() as 0 or -errno. */
static int hmadv(int hnid, void *start, size_t len, int advice)
{
	return hmadvise(hnid, start, len, advice) ? -errno : 0;
}

/*
 * The attribute lines of this process's GMEM debugfs file that fall in
 * [lo, hi), copied to @out; returns how many.
 */
static int attr_lines(void *lo, void *hi, char out[][160], int max)
{
	char path[64], line[160];
	unsigned long s, e;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), GMEM_DEBUGFS_DIR "/as-%d",
		 getpid());
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "attr %lx-%lx", &s, &e) != 2)
			continue;
		if (s < (uintptr_t)lo || e > (uintptr_t)hi || n == max)
			continue;
		line[strcspn(line, "\n")] = 0;
		strcpy(out[n++], line);
	}
	fclose(f);
	return n;
}

/* Lines of /proc/self/maps: this process's mappings. */
static int vma_count(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

FIXTURE(hmadv)
{
	int fd0;
	int fd1;
	int hnid0;
	int hnid1;
};

FIXTURE_SETUP(hmadv)
{
	page_size = sysconf(_SC_PAGE_SIZE);
	self->fd0 = open(DEV0, O_RDWR);
	ASSERT_GE(self->fd0, 0);
	self->fd1 = open(DEV1, O_RDWR);
	ASSERT_GE(self->fd1, 0);
	self->hnid0 = sysfs_long("/sys/kernel/gmem/devices/gmem_sim0/hnid");
	self->hnid1 = sysfs_long("/sys/kernel/gmem/devices/gmem_sim1/hnid");
	ASSERT_GT(self->hnid0, 0);
	ASSERT_GT(self->hnid1, 0);
}

FIXTURE_TEARDOWN(hmadv)
{
	close(self->fd0);
	close(self->fd1);
}

TEST_F(hmadv, prefetch_to_device_then_no_faults)
{
	size_t size = 64 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	struct gmem_sim_run run;

	ASSERT_NE(p, MAP_FAILED);
	fill(p, size, 11);
	ASSERT_EQ(hmadv(self->hnid0, p, size, MADV_PREFETCH), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, size);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, &run), 0);
	EXPECT_EQ(run.faults, 0);
	EXPECT_EQ(run.checksum, cpu_checksum(p, size));
	munmap(p, size);
}

TEST_F(hmadv, prefetch_untouched_range_zero_fills)
{
	size_t size = 16 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	uint64_t zero_before = dev_counters(self->fd1).zero_fills;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(hmadv(self->hnid1, p, size, MADV_PREFETCH), 0);
	EXPECT_EQ(dev_counters(self->fd1).zero_fills - zero_before, 16);
	EXPECT_EQ(((uint64_t *)p)[0], 0);
	munmap(p, size);
}

TEST_F(hmadv, prefetch_moves_between_devices)
{
	size_t size = 16 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 3, NULL), 0);
	ASSERT_EQ(hmadv(self->hnid1, p, size, MADV_PREFETCH), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 0);
	EXPECT_EQ(dev_counters(self->fd1).mem_used, size);
	EXPECT_EQ(((uint64_t *)p)[5], written_word(3, &((uint64_t *)p)[5]));
	munmap(p, size);
}

TEST_F(hmadv, prefetch_to_host_node_and_dontneed_bring_data_back)
{
	size_t size = 32 * page_size, i;
	uint64_t *w;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 8, NULL), 0);
	ASSERT_EQ(hmadv(HOST_NODE, p, size / 2, MADV_PREFETCH), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, size / 2);
	ASSERT_EQ(hmadv(-1, (char *)p + size / 2, size / 2, MADV_DONTNEED), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 0);
	/* Never discarded: the device's data is all there. */
	w = p;
	for (i = 0; i < size / 8; i++)
		ASSERT_EQ(w[i], written_word(8, &w[i]));
	munmap(p, size);
}

/*
 * The logical page table follows prefetches both ways, a batch at a time:
 * 67 pages, a full batch and a partial one, and back to host memory from
 * the middle of the first batch to the middle of the second.
 */
TEST_F(hmadv, prefetch_records_where_each_page_lives)
{
	size_t n = 67, size = n * page_size;
	char *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	long before = as_counter("lpt_on_device");
	uint64_t sum;

	ASSERT_NE(p, MAP_FAILED);
	fill(p, size, 5);
	sum = cpu_checksum(p, size);
	ASSERT_EQ(hmadv(self->hnid0, p, size, MADV_PREFETCH), 0);
	EXPECT_EQ(as_counter("lpt_on_device") - before, n);
	ASSERT_EQ(hmadv(HOST_NODE, p + 32 * page_size, 34 * page_size,
			MADV_PREFETCH), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 33 * page_size);
	EXPECT_EQ(as_counter("lpt_on_device") - before, 33);
	ASSERT_EQ(hmadv(HOST_NODE, p, size, MADV_PREFETCH), 0);
	EXPECT_EQ(as_counter("lpt_on_device") - before, 0);
	EXPECT_EQ(cpu_checksum(p, size), sum);
	munmap(p, size);
}

TEST_F(hmadv, length_is_rounded_up_to_pages)
{
	size_t size = 4 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(hmadv(self->hnid0, p, page_size + 1, MADV_PREFETCH), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 2 * page_size);
	munmap(p, size);
}

TEST_F(hmadv, errors_for_bad_arguments)
{
	size_t size = 4 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(hmadv(self->hnid0, p, size, 12345), -EINVAL);
	EXPECT_EQ(hmadv(self->hnid0, p, size, MADV_POLICY_HINT_LAST + 1),
		  -EINVAL);
	EXPECT_EQ(hmadv(self->hnid0, (char *)p + 1, size, MADV_PREFETCH),
		  -EINVAL);
	EXPECT_EQ(hmadv(self->hnid0, p, 0, MADV_PREFETCH), -EINVAL);
	EXPECT_EQ(hmadv(self->hnid0, p, SIZE_MAX - page_size, MADV_PREFETCH),
		  -EINVAL);
	EXPECT_EQ(hmadv(9999, p, size, MADV_PREFETCH), -ENODEV);
	EXPECT_EQ(hmadv(-5, p, size, MADV_PREFETCH), -ENODEV);
	EXPECT_EQ(hmadv(HOST_NODE, p, size, MADV_ACCESSED_BY), -EINVAL);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 0);
	munmap(p, size);
}

TEST_F(hmadv, detached_device_is_enodev)
{
	size_t size = 4 * page_size;
	void *p = peer_mmap(size, PROT_READ | PROT_WRITE);

	ASSERT_NE(p, MAP_FAILED);
	close(self->fd1);
	EXPECT_EQ(hmadv(self->hnid1, p, size, MADV_PREFETCH), -ENODEV);
	self->fd1 = open(DEV1, O_RDWR);
	ASSERT_GE(self->fd1, 0);
	EXPECT_EQ(hmadv(self->hnid1, p, size, MADV_PREFETCH), 0);
	munmap(p, size);
}

TEST_F(hmadv, ranges_outside_peer_shared_memory)
{
	size_t size = 4 * page_size;
	char *p = peer_mmap(3 * size, PROT_READ | PROT_WRITE);
	void *plain = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_NE(plain, MAP_FAILED);
	/* A hole in the middle. */
	ASSERT_EQ(munmap(p + size, size), 0);
	EXPECT_EQ(hmadv(self->hnid0, p, 3 * size, MADV_PREFETCH), -ENOMEM);
	EXPECT_EQ(hmadv(self->hnid0, p, 3 * size, MADV_PIN), -ENOMEM);
	/* Mapped, but not MAP_PEER_SHARED. */
	EXPECT_EQ(hmadv(self->hnid0, plain, size, MADV_PREFETCH), -EFAULT);
	EXPECT_EQ(hmadv(-1, plain, size, MADV_DONTNEED), -EFAULT);
	/* Either side of the hole alone is fine. */
	EXPECT_EQ(hmadv(self->hnid0, p, size, MADV_PREFETCH), 0);
	EXPECT_EQ(hmadv(self->hnid0, p + 2 * size, size, MADV_PREFETCH), 0);
	munmap(p, size);
	munmap(p + 2 * size, size);
	munmap(plain, size);
}

TEST_F(hmadv, range_spanning_two_vmas)
{
	size_t size = 4 * page_size;
	char *p = peer_mmap(2 * size, PROT_READ | PROT_WRITE);

	ASSERT_NE(p, MAP_FAILED);
	/* Different protections: two VMAs, one range. */
	ASSERT_EQ(mprotect(p + size, size, PROT_READ), 0);
	EXPECT_EQ(hmadv(self->hnid0, p, 2 * size, MADV_PREFETCH), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 2 * size);
	EXPECT_EQ(hmadv(self->hnid0, p, 2 * size, MADV_DONTNEED), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 0);
	munmap(p, 2 * size);
}

TEST_F(hmadv, prefetch_of_unreadable_memory_is_eperm)
{
	void *p = peer_mmap(page_size, PROT_NONE);

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(hmadv(self->hnid0, p, page_size, MADV_PREFETCH), -EPERM);
	munmap(p, page_size);
}

TEST_F(hmadv, pin_needs_cap_ipc_lock)
{
	void *p = peer_mmap(page_size, PROT_READ | PROT_WRITE);
	int status;
	pid_t pid;

	ASSERT_NE(p, MAP_FAILED);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct __user_cap_header_struct hdr = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct data[2] = {};

		if (syscall(SYS_capget, &hdr, data))
			_exit(2);
		data[0].effective &= ~(1U << CAP_IPC_LOCK);
		if (syscall(SYS_capset, &hdr, data))
			_exit(3);
		_exit(hmadv(-1, p, page_size, MADV_PIN) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	EXPECT_EQ(hmadv(-1, p, page_size, MADV_PIN), 0);
	munmap(p, page_size);
}

TEST_F(hmadv, attributes_split_and_merge)
{
	char lines[8][160];
	char *p = peer_mmap(16 * page_size, PROT_READ | PROT_WRITE);
	char *end = p + 16 * page_size;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(hmadv(-1, p, 10 * page_size, MADV_PIN), 0);
	ASSERT_EQ(attr_lines(p, end, lines, 8), 1);
	/* [0,10) pinned, then [3,5) also read-mostly: three ranges. */
	ASSERT_EQ(hmadv(-1, p + 3 * page_size, 2 * page_size,
			MADV_READ_MOSTLY), 0);
	ASSERT_EQ(attr_lines(p, end, lines, 8), 3);
	EXPECT_NE(strstr(lines[1], "read_mostly=1 pinned=1"), NULL);
	EXPECT_NE(strstr(lines[0], "read_mostly=0 pinned=1"), NULL);
	/* Cleared: a gap in the middle. */
	ASSERT_EQ(hmadv(-1, p + 3 * page_size, 2 * page_size,
			MADV_CLEAR_ATTRIBUTES), 0);
	ASSERT_EQ(attr_lines(p, end, lines, 8), 2);
	/* Pinned again: equal neighbours merge back into one range. */
	ASSERT_EQ(hmadv(-1, p + 3 * page_size, 2 * page_size, MADV_PIN), 0);
	ASSERT_EQ(attr_lines(p, end, lines, 8), 1);
	EXPECT_EQ(strtoul(strchr(lines[0], '-') + 1, NULL, 16),
		  (uintptr_t)(p + 10 * page_size));
	/* Adjacent ranges set separately merge too. */
	ASSERT_EQ(hmadv(-1, p + 10 * page_size, 6 * page_size, MADV_PIN), 0);
	ASSERT_EQ(attr_lines(p, end, lines, 8), 1);
	/* munmap of part of it drops that part. */
	ASSERT_EQ(munmap(p + 12 * page_size, 4 * page_size), 0);
	ASSERT_EQ(attr_lines(p, end, lines, 8), 1);
	EXPECT_EQ(strtoul(strchr(lines[0], '-') + 1, NULL, 16),
		  (uintptr_t)(p + 12 * page_size));
	munmap(p, 12 * page_size);
	EXPECT_EQ(attr_lines(p, end, lines, 8), 0);
}

TEST_F(hmadv, location_accessed_by_and_policy_hints_are_kept)
{
	char lines[4][160], want[64];
	char *p = peer_mmap(4 * page_size, PROT_READ | PROT_WRITE);
	char *end = p + 4 * page_size;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(hmadv(self->hnid1, p, page_size, MADV_PREFERRED_LOCATION), 0);
	ASSERT_EQ(hmadv(self->hnid0, p, page_size, MADV_ACCESSED_BY), 0);
	ASSERT_EQ(hmadv(-1, p, page_size, MADV_POLICY_HINT_FIRST + 5), 0);
	ASSERT_EQ(attr_lines(p, end, lines, 4), 1);
	snprintf(want, sizeof(want), "pref=%d ", self->hnid1);
	EXPECT_NE(strstr(lines[0], want), NULL);
	EXPECT_NE(strstr(lines[0], "hint=5"), NULL);
	snprintf(want, sizeof(want), " accessed_by=%d ", self->hnid0);
	EXPECT_NE(strstr(lines[0], want), NULL);
	/* A host node as preferred location, then -1 clears it. */
	ASSERT_EQ(hmadv(HOST_NODE, p, page_size, MADV_PREFERRED_LOCATION), 0);
	ASSERT_EQ(attr_lines(p, end, lines, 4), 1);
	EXPECT_NE(strstr(lines[0], "pref=0 "), NULL);
	ASSERT_EQ(hmadv(-1, p, page_size, MADV_PREFERRED_LOCATION), 0);
	ASSERT_EQ(attr_lines(p, end, lines, 4), 1);
	EXPECT_NE(strstr(lines[0], "pref=-1 "), NULL);
	munmap(p, 4 * page_size);
}

TEST_F_TIMEOUT(hmadv, pinned_pages_are_never_evicted, 120)
{
	uint64_t capacity = dev_counters(self->fd0).mem_total;
	size_t pinned = 32 * page_size;
	char *p = peer_mmap(pinned, PROT_READ | PROT_WRITE);
	char *big = peer_mmap(2 * capacity, PROT_READ | PROT_WRITE);
	struct gmem_sim_run run;

	ASSERT_NE(p, MAP_FAILED);
	ASSERT_NE(big, MAP_FAILED);
	fill(p, pinned, 21);
	ASSERT_EQ(hmadv(-1, p, pinned, MADV_PIN), 0);
	ASSERT_EQ(hmadv(self->hnid0, p, pinned, MADV_PREFETCH), 0);
	ASSERT_EQ(dev_run(self->fd0, big, 2 * capacity, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 1, NULL), 0);
	/* Still resident: reading them migrates nothing. */
	ASSERT_EQ(dev_run(self->fd0, p, pinned, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, &run), 0);
	EXPECT_EQ(run.migrated_in, 0);
	EXPECT_EQ(run.checksum, cpu_checksum(p, pinned));
	/* Unpinned, they go like any other page. */
	ASSERT_EQ(hmadv(-1, p, pinned, MADV_UNPIN), 0);
	ASSERT_EQ(dev_run(self->fd0, big, 2 * capacity, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 2, NULL), 0);
	ASSERT_EQ(dev_run(self->fd0, p, pinned, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_READ, 0, &run), 0);
	EXPECT_EQ(run.migrated_in, 32);
	munmap(p, pinned);
	munmap(big, 2 * capacity);
}

TEST_F(hmadv, prefetch_stops_at_strict_capacity_with_a_prefix_done)
{
	uint64_t capacity = dev_counters(self->fd0).mem_total;
	size_t size = capacity + 16 * page_size;
	char *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	int fd, ret;

	ASSERT_NE(p, MAP_FAILED);
	fd = open("/sys/kernel/gmem/strict_capacity", O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "1", 1), 1);
	ret = hmadv(self->hnid0, p, size, MADV_PREFETCH);
	ASSERT_EQ(pwrite(fd, "0", 1, 0), 1);
	close(fd);
	EXPECT_EQ(ret, -ENOMEM);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, capacity);
	munmap(p, size);
}

TEST_F(hmadv, strict_capacity_per_address_space)
{
	uint64_t capacity = dev_counters(self->fd0).mem_total;
	size_t size = capacity + 64 * page_size;
	char *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	int status;
	pid_t pid;

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(hmadv(-1, p, page_size, MADV_STRICT_CAPACITY), -EINVAL);
	ASSERT_EQ(hmadv(-1, NULL, 0, MADV_STRICT_CAPACITY), 0);
	EXPECT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 1, NULL), -ENOMEM);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, capacity);

	/* Another address space still evicts ours. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = open(DEV0, O_RDWR);
		void *q = peer_mmap(64 * page_size, PROT_READ | PROT_WRITE);

		_exit(fd < 0 || q == MAP_FAILED ||
		      dev_run(fd, q, 64 * page_size, GMEM_SIM_SEQUENTIAL,
			      GMEM_SIM_WRITE, 2, NULL) ? 1 : 0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);

	/* Back to oversubscribing: the same run completes. */
	ASSERT_EQ(hmadv(-1, NULL, 0, MADV_OVERSUBSCRIBE), 0);
	EXPECT_EQ(dev_run(self->fd0, p, size, GMEM_SIM_SEQUENTIAL,
			  GMEM_SIM_WRITE, 1, NULL), 0);
	EXPECT_EQ(((uint64_t *)p)[0], written_word(1, (uint64_t *)p));
	munmap(p, size);
}

TEST_F(hmadv, strict_capacity_needs_a_device)
{
	int status;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	/* A forked child has no device context of its own. */
	if (pid == 0)
		_exit(hmadv(-1, NULL, 0, MADV_STRICT_CAPACITY) == -ENODEV ? 0 : 1);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(hmadv, clearing_a_split_value_merges_back)
{
	char lines[8][160];
	char *p = peer_mmap(16 * page_size, PROT_READ | PROT_WRITE);
	char *end = p + 16 * page_size;

	ASSERT_NE(p, MAP_FAILED);
	/* Set [0,10), another value on [3,5): three ranges. */
	ASSERT_EQ(hmadv(-1, p, 10 * page_size, MADV_PIN), 0);
	ASSERT_EQ(hmadv(self->hnid0, p + 3 * page_size, 2 * page_size,
			MADV_PREFERRED_LOCATION), 0);
	ASSERT_EQ(attr_lines(p, end, lines, 8), 3);
	/* Clearing that value merges them back into [0,10). */
	ASSERT_EQ(hmadv(-1, p + 3 * page_size, 2 * page_size,
			MADV_PREFERRED_LOCATION), 0);
	ASSERT_EQ(attr_lines(p, end, lines, 8), 1);
	EXPECT_EQ(strtoul(lines[0] + 5, NULL, 16), (uintptr_t)p);
	EXPECT_EQ(strtoul(strchr(lines[0], '-') + 1, NULL, 16),
		  (uintptr_t)(p + 10 * page_size));
	munmap(p, 16 * page_size);
}

/*
 * Ranges of distinct attributes are bounded as mappings are, by
 * vm.max_map_count (here 1,000): a hint on every other page of a large
 * mapping is refused with ENOMEM before they pass it, and the refused
 * call changes nothing. Clearing is never refused, and makes room again.
 * Without the bound the 2,048 hints all made a range.
 */
TEST_F(hmadv, attribute_ranges_are_bounded_by_max_map_count)
{
	const size_t pages = 4096, max = 1000;
	char *p = peer_mmap(pages * page_size, PROT_READ | PROT_WRITE);
	char *end = p + pages * page_size, (*lines)[160], old[32];
	int ret = 0, before, after;
	size_t i;

	ASSERT_NE(p, MAP_FAILED);
	lines = malloc(2 * max * sizeof(*lines));
	ASSERT_NE(lines, NULL);
	snprintf(old, sizeof(old), "%ld",
		 sysfs_long("/proc/sys/vm/max_map_count"));
	ASSERT_EQ(sysfs_write("/proc/sys/vm/max_map_count", "1000"), 0);
	for (i = 0; i < pages && !ret; i += 2)
		ret = hmadv(-1, p + i * page_size, page_size,
			    MADV_POLICY_HINT_FIRST);
	before = attr_lines(p, end, lines, 2 * max);
	/* The page after the refused one: refused too, and nothing changed. */
	if (i < pages)
		after = hmadv(-1, p + i * page_size, page_size,
			      MADV_POLICY_HINT_FIRST);
	else
		after = 0;
	EXPECT_EQ(sysfs_write("/proc/sys/vm/max_map_count", old), 0);
	TH_LOG("%d ranges of distinct attributes, then %d", before, ret);
	EXPECT_EQ(ret, -ENOMEM);
	EXPECT_EQ(after, -ENOMEM);
	EXPECT_LE(before, max);
	EXPECT_GE(before, max - 10);
	EXPECT_EQ(attr_lines(p, end, lines, 2 * max), before);
	/* Clearing is not refused, and gives the room back. */
	ASSERT_EQ(sysfs_write("/proc/sys/vm/max_map_count", "1000"), 0);
	EXPECT_EQ(hmadv(-1, p, pages * page_size, MADV_CLEAR_ATTRIBUTES), 0);
	EXPECT_EQ(hmadv(-1, p + page_size, page_size, MADV_POLICY_HINT_FIRST),
		  0);
	EXPECT_EQ(sysfs_write("/proc/sys/vm/max_map_count", old), 0);
	EXPECT_EQ(attr_lines(p, end, lines, 2 * max), 1);
	free(lines);
	munmap(p, pages * page_size);
}

/*
 * Pages a closed device file left on the device stay mapped there by the
 * process, with no record in the logical page table of its next
 * attachment: MADV_DONTNEED must still bring them home (it looks for them
 * in the CPU's page table). Found by their absence from the device.
 */
TEST_F(hmadv, dontneed_reaches_pages_an_earlier_attachment_left)
{
	size_t size = 16 * page_size;
	char *p = peer_mmap(size, PROT_READ | PROT_WRITE), path[64];
	uint64_t sum;
	int i;

	ASSERT_NE(p, MAP_FAILED);
	fill(p, size, 5);
	sum = cpu_checksum(p, size);
	ASSERT_EQ(hmadv(self->hnid0, p, size, MADV_PREFETCH), 0);
	ASSERT_EQ(dev_counters(self->fd0).mem_used, size);
	/* The last file closed: the address space's GMEM state goes. */
	close(self->fd0);
	close(self->fd1);
	snprintf(path, sizeof(path), GMEM_DEBUGFS_DIR "/as-%d",
		 getpid());
	for (i = 0; i < 100 && !access(path, F_OK); i++)
		usleep(10000);
	usleep(300000);		/* its release runs in a worker */
	self->fd0 = open(DEV0, O_RDWR);
	ASSERT_GE(self->fd0, 0);
	self->fd1 = open(DEV1, O_RDWR);
	ASSERT_GE(self->fd1, 0);
	ASSERT_EQ(dev_counters(self->fd0).mem_used, size);
	ASSERT_EQ(hmadv(0, p, size, MADV_DONTNEED), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 0);
	EXPECT_EQ(cpu_checksum(p, size), sum);
	munmap(p, size);
}

/*
 * munmap() inside a range of attributes splits it, and mapping the page
 * again leaves the split while the mappings merge back: each cycle added
 * a range, with vm.max_map_count (here 1,000) never reached. A new
 * peer-shared mapping needs room for one range: the cycles stop with
 * ENOMEM at the bound, the mappings still few.
 */
TEST_F(hmadv, unmapping_and_mapping_again_is_bounded_too)
{
	const size_t pages = 4096, max = 1000;
	char *p = peer_mmap(pages * page_size, PROT_READ | PROT_WRITE), *q;
	char *end = p + pages * page_size, (*lines)[160], old[32];
	size_t i, cycles = 0;
	int err = 0;

	ASSERT_NE(p, MAP_FAILED);
	lines = malloc(2 * max * sizeof(*lines));
	ASSERT_NE(lines, NULL);
	ASSERT_EQ(hmadv(-1, p, pages * page_size, MADV_POLICY_HINT_FIRST), 0);
	snprintf(old, sizeof(old), "%ld",
		 sysfs_long("/proc/sys/vm/max_map_count"));
	ASSERT_EQ(sysfs_write("/proc/sys/vm/max_map_count", "1000"), 0);
	for (i = 1; i < pages - 1 && !err; i += 2, cycles++) {
		if (munmap(p + i * page_size, page_size)) {
			err = errno;
			break;
		}
		q = mmap(p + i * page_size, page_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED |
			 MAP_FIXED, -1, 0);
		if (q == MAP_FAILED)
			err = errno;
	}
	EXPECT_EQ(sysfs_write("/proc/sys/vm/max_map_count", old), 0);
	TH_LOG("%zu cycles, then %s; %d ranges, %d mappings", cycles,
	       strerror(err), attr_lines(p, end, lines, 2 * max),
	       vma_count());
	EXPECT_EQ(err, ENOMEM);
	EXPECT_LE(attr_lines(p, end, lines, 2 * max), max + 1);
	EXPECT_LT(vma_count(), 100);
	free(lines);
	munmap(p, pages * page_size);
}

/*
 * Any of the 256 devices can be named accessed-by, not only ids below 32:
 * the hmadvise suite loads gmem_sim with 40 devices for this test. The
 * last and the first device, on overlapping ranges.
 */
TEST_F(hmadv, accessed_by_takes_any_device)
{
	char lines[2][160], want[64], path[64];
	long hnid_last;
	int last, fd;
	char *p;

	for (last = 63; last > 0; last--) {
		snprintf(path, sizeof(path), "/dev/gmem_sim%d", last);
		if (!access(path, F_OK))
			break;
	}
	snprintf(path, sizeof(path), "/sys/kernel/gmem/devices/gmem_sim%d/hnid",
		 last);
	hnid_last = sysfs_long(path);
	if (hnid_last - self->hnid0 < 32)
		SKIP(return, "no device with an id of 32 or more (gmem_sim devices=40)");
	snprintf(path, sizeof(path), "/dev/gmem_sim%d", last);
	fd = open(path, O_RDWR);
	ASSERT_GE(fd, 0);
	p = peer_mmap(2 * page_size, PROT_READ | PROT_WRITE);
	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(hmadv(hnid_last, p, 2 * page_size, MADV_ACCESSED_BY), 0);
	ASSERT_EQ(hmadv(self->hnid0, p, page_size, MADV_ACCESSED_BY), 0);
	ASSERT_EQ(attr_lines(p, p + 2 * page_size, lines, 2), 2);
	snprintf(want, sizeof(want), " accessed_by=%d,%ld ", self->hnid0,
		 hnid_last);
	EXPECT_NE(strstr(lines[0], want), NULL) TH_LOG("%s", lines[0]);
	snprintf(want, sizeof(want), " accessed_by=%ld ", hnid_last);
	EXPECT_NE(strstr(lines[1], want), NULL) TH_LOG("%s", lines[1]);
	munmap(p, 2 * page_size);
	close(fd);
}

/*
 * Attribute updates of one range from two threads at once must not undo
 * each other. An update reads a range's attributes, then stores new ones,
 * and the tree's lock is not held in between (the store, and a new
 * accessed-by set, may allocate): only as->attrs_lock keeps a thread from
 * writing back what it read before the other thread's store. failslab
 * (debug kernel) fails every non-sleeping allocation of the pinning
 * thread, so that its stores allocate the slow way. Seen failing without
 * attrs_lock (and 200 us between read and store): round 17 lost a hint.
 */
#define RACE_PAGES	8
#define RACE_ROUNDS	400

struct attr_race {
	char *p;
	volatile int stop;
	int errors;
};

/* Pins and unpins every other page of the range until told to stop. */
static void *pin_toggler(void *arg)
{
	struct attr_race *r = arg;
	int i, k, ret;

	if (make_this_thread_fail(1))
		r->errors++;
	for (i = 0; !r->stop; i++) {
		for (k = 0; k < RACE_PAGES; k += 2) {
			ret = hmadv(-1, r->p + k * page_size, page_size,
				    i & 1 ? MADV_UNPIN : MADV_PIN);
			if (ret && ret != -ENOMEM)
				r->errors++;
		}
	}
	make_this_thread_fail(0);
	return NULL;
}

TEST_F_TIMEOUT(hmadv, concurrent_updates_are_not_lost, 600)
{
	char lines[RACE_PAGES][160], want[32];
	struct attr_race r = { 0 };
	char *end;
	int round, lost = 0, n;
	pthread_t t;

	if (access(FAILSLAB_DIR, F_OK))
		SKIP(return, "no failslab (make check DEBUG=1)");
	r.p = peer_mmap(RACE_PAGES * page_size, PROT_READ | PROT_WRITE);
	ASSERT_NE(r.p, MAP_FAILED);
	end = r.p + RACE_PAGES * page_size;
	/* Non-sleeping allocations of make-it-fail tasks fail, all of them. */
	ASSERT_EQ(failslab_atomic(100), 0);
	for (round = 0; round < RACE_ROUNDS && !lost; round++) {
		int hint = round % 200;

		r.stop = 0;
		ASSERT_EQ(pthread_create(&t, NULL, pin_toggler, &r), 0);
		/* Each round's last hint is the one every page must keep. */
		for (n = 0; n <= hint % 8; n++)
			ASSERT_EQ(hmadv(-1, r.p, RACE_PAGES * page_size,
					MADV_POLICY_HINT_FIRST + (hint + n) % 200), 0);
		hint = (hint + n - 1) % 200;
		usleep(100);
		r.stop = 1;
		pthread_join(t, NULL);
		/* The last field: " hint=N". */
		snprintf(want, sizeof(want), " hint=%d", hint);
		n = attr_lines(r.p, end, lines, RACE_PAGES);
		ASSERT_GT(n, 0);
		while (n--) {
			size_t len = strlen(lines[n]);

			if (len < strlen(want) ||
			    strcmp(lines[n] + len - strlen(want), want)) {
				TH_LOG("round %d: want %s, have %s", round,
				       want, lines[n]);
				lost++;
			}
		}
	}
	EXPECT_EQ(failslab_off(), 0);
	TH_LOG("%d rounds, %d updates lost", round, lost);
	EXPECT_EQ(r.errors, 0);
	EXPECT_EQ(lost, 0);
	munmap(r.p, RACE_PAGES * page_size);
}

TEST_HARNESS_MAIN
