// SPDX-License-Identifier: GPL-2.0
/*
 * Placement tests: what MADV_PREFERRED_LOCATION and MADV_ACCESSED_BY do,
 * remote mappings (a device reaching host pages without migrating them)
 * under CPU changes, fork and munmap, and the place hook of BPF policies.
 * Every effect is counted exactly: faults, pages migrated, accesses over
 * the link, and the device's own count of the pages it maps.
 *
 * Run with gmem_sim loaded (two devices) and the policies place_remote,
 * place_counter, place_migrate and bad_place registered: selftests/
 * placement.sh does both.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

/* The harness's own functions have parameters they do not use. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "gmem_test_lib.h"
#include "gmem/hmadvise.h"

#define HOST_NODE	0
#define NPAGES		16
#define G		"/sys/kernel/gmem"

static int hmadv(int hnid, void *start, size_t len, int advice)
{
	return hmadvise(hnid, start, len, advice) ? -errno : 0;
}

/* A device kernel of @accesses page accesses in order over the range. */
static int dev_run_n(int fd, void *addr, size_t size, int op, uint64_t value,
		     uint64_t accesses, struct gmem_sim_run *out)
{
	struct gmem_sim_run run = {
		.addr = (uintptr_t)addr,
		.size = size,
		.pattern = GMEM_SIM_SEQUENTIAL,
		.op = op,
		.accesses = accesses,
		.value = value,
	};
	int ret = ioctl(fd, GMEM_SIM_IOC_RUN, &run);

	*out = run;
	return ret ? -errno : 0;
}

/* GMEM's counter @name of gmem_simN. */
static long gmem_counter(int dev, const char *name)
{
	char path[96];

	snprintf(path, sizeof(path), G "/devices/gmem_sim%d/%s", dev, name);
	return sysfs_long(path);
}

static long policy_counter(const char *policy, const char *name)
{
	char path[96];

	snprintf(path, sizeof(path), G "/policies/%s/%s", policy, name);
	return sysfs_long(path);
}

/* Have this process's address space decide with policy @name. */
static int use_policy(const char *name)
{
	return sysfs_write("/proc/self/gmem_policy", name);
}

/* Every word of [p, p + size) as GMEM_SIM_WRITE of @value leaves it? */
static int all_written(const void *p, size_t size, uint64_t value)
{
	const uint64_t *w = p;
	size_t i;

	for (i = 0; i < size / sizeof(*w); i++)
		if (w[i] != written_word(value, &w[i]))
			return 0;
	return 1;
}

FIXTURE(place)
{
	int fd0;
	int fd1;
	int hnid0;
	int hnid1;
	size_t size;
	void *p;
};

FIXTURE_SETUP(place)
{
	page_size = sysconf(_SC_PAGE_SIZE);
	self->fd0 = open(DEV0, O_RDWR);
	ASSERT_GE(self->fd0, 0);
	self->fd1 = open(DEV1, O_RDWR);
	ASSERT_GE(self->fd1, 0);
	self->hnid0 = sysfs_long(G "/devices/gmem_sim0/hnid");
	self->hnid1 = sysfs_long(G "/devices/gmem_sim1/hnid");
	ASSERT_GT(self->hnid0, 0);
	self->size = NPAGES * page_size;
	self->p = peer_mmap(self->size, PROT_READ | PROT_WRITE);
	ASSERT_NE(self->p, MAP_FAILED);
	fill(self->p, self->size, 7);
}

FIXTURE_TEARDOWN(place)
{
	munmap(self->p, self->size);
	close(self->fd0);
	close(self->fd1);
}

/* The baseline the hints change: every page a device touches moves. */
TEST_F(place, without_hints_a_fault_migrates)
{
	struct gmem_sim_run run;

	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_READ, 0,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.faults, NPAGES);
	EXPECT_EQ(run.migrated_in, NPAGES);
	EXPECT_EQ(run.remote_accesses, 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, self->size);
	EXPECT_EQ(run.checksum, cpu_checksum(self->p, self->size));
}

TEST_F(place, preferred_host_maps_remotely_and_both_sides_see_writes)
{
	struct gmem_sim_counters before = dev_counters(self->fd0), after;
	long maps = gmem_counter(0, "remote_maps");
	struct gmem_sim_run run;

	ASSERT_EQ(hmadv(HOST_NODE, self->p, self->size,
			MADV_PREFERRED_LOCATION), 0);
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_READ, 0,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.faults, NPAGES);
	EXPECT_EQ(run.migrated_in, 0);
	EXPECT_EQ(run.remote_accesses, NPAGES);
	EXPECT_EQ(run.checksum, cpu_checksum(self->p, self->size));
	after = dev_counters(self->fd0);
	EXPECT_EQ(after.mem_used, 0);
	EXPECT_EQ(after.mapped - before.mapped, NPAGES);
	EXPECT_EQ(after.remote_maps - before.remote_maps, NPAGES);
	EXPECT_EQ(gmem_counter(0, "remote_maps") - maps, NPAGES);

	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_WRITE, 5,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.migrated_in, 0);
	EXPECT_EQ(run.remote_accesses, NPAGES);
	/* The CPU sees the device's writes where they were made. */
	EXPECT_TRUE(all_written(self->p, self->size, 5));
	/* And the device the CPU's, with no fault: still mapped. */
	fill(self->p, self->size, 9);
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_READ, 0,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.faults, 0);
	EXPECT_EQ(run.checksum, cpu_checksum(self->p, self->size));
}

TEST_F(place, preferred_device_migrates_there_and_maps_remotely_elsewhere)
{
	uint64_t mapped0 = dev_counters(self->fd0).mapped;
	struct gmem_sim_run run;

	ASSERT_EQ(hmadv(self->hnid1, self->p, self->size,
			MADV_PREFERRED_LOCATION), 0);
	/* Device 0 is not where the pages prefer to be: it reaches them. */
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_READ, 0,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.migrated_in, 0);
	EXPECT_EQ(run.remote_accesses, NPAGES);
	/* Device 1 is: they move to it, and device 0 loses its mappings. */
	ASSERT_EQ(dev_run_n(self->fd1, self->p, self->size, GMEM_SIM_RMW, 0,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.migrated_in, NPAGES);
	EXPECT_EQ(run.remote_accesses, 0);
	EXPECT_EQ(dev_counters(self->fd0).mapped, mapped0);
	EXPECT_EQ(dev_counters(self->fd1).mem_used, self->size);
}

TEST_F(place, accessed_by_maps_host_pages_at_once_and_never_migrates)
{
	size_t untouched = 4 * page_size;
	void *q = peer_mmap(untouched, PROT_READ | PROT_WRITE);
	uint64_t mapped0 = dev_counters(self->fd0).mapped;
	struct gmem_sim_run run;

	ASSERT_NE(q, MAP_FAILED);
	ASSERT_EQ(hmadv(self->hnid0, self->p, self->size, MADV_ACCESSED_BY), 0);
	EXPECT_EQ(dev_counters(self->fd0).mapped - mapped0, NPAGES);
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_READ, 0,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.faults, 0);
	EXPECT_EQ(run.remote_accesses, NPAGES);
	EXPECT_EQ(run.checksum, cpu_checksum(self->p, self->size));
	/* Not populated at the advice: faulted in, still not migrated. */
	ASSERT_EQ(hmadv(self->hnid0, q, untouched, MADV_ACCESSED_BY), 0);
	ASSERT_EQ(dev_run_n(self->fd0, q, untouched, GMEM_SIM_READ, 0,
			    untouched / page_size, &run), 0);
	EXPECT_EQ(run.faults, untouched / page_size);
	EXPECT_EQ(run.migrated_in, 0);
	EXPECT_EQ(run.checksum, 0);
	/* Device 1 is not in the set: its faults migrate. */
	ASSERT_EQ(dev_run_n(self->fd1, q, untouched, GMEM_SIM_READ, 0,
			    untouched / page_size, &run), 0);
	EXPECT_EQ(run.migrated_in, untouched / page_size);
	munmap(q, untouched);
}

/*
 * Bringing a range home moves what is on a device, and only that: with
 * every page in host memory, hmadvise(MADV_PREFETCH) to a host node and
 * MADV_DONTNEED leave the device's remote mappings of an accessed-by
 * range in place (the oracle is the device's page table), where each
 * 64-page batch's migrate_vma_setup() dropped them and the device
 * faulted on every page again.
 */
TEST_F(place, bringing_host_pages_home_keeps_their_remote_mappings)
{
	uint64_t mapped0 = dev_counters(self->fd0).mapped;
	struct gmem_sim_run run;

	ASSERT_EQ(hmadv(self->hnid0, self->p, self->size, MADV_ACCESSED_BY), 0);
	ASSERT_EQ(dev_counters(self->fd0).mapped - mapped0, NPAGES);
	ASSERT_EQ(hmadv(HOST_NODE, self->p, self->size, MADV_PREFETCH), 0);
	EXPECT_EQ(dev_counters(self->fd0).mapped - mapped0, NPAGES);
	ASSERT_EQ(hmadv(0, self->p, self->size, MADV_DONTNEED), 0);
	EXPECT_EQ(dev_counters(self->fd0).mapped - mapped0, NPAGES);
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_READ, 0,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.faults, 0);
	EXPECT_EQ(run.remote_accesses, NPAGES);
	EXPECT_EQ(run.checksum, cpu_checksum(self->p, self->size));
}

/*
 * The oracle is the device's page table: after the CPU lets go of the
 * pages, the device must map none of them, and fault to reach them again.
 */
TEST_F(place, remote_mappings_go_when_the_cpu_drops_or_unmaps_the_pages)
{
	uint64_t mapped0 = dev_counters(self->fd0).mapped;
	struct gmem_sim_run run;

	ASSERT_EQ(hmadv(HOST_NODE, self->p, self->size,
			MADV_PREFERRED_LOCATION), 0);
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_READ, 0,
			    NPAGES, &run), 0);
	ASSERT_EQ(dev_counters(self->fd0).mapped - mapped0, NPAGES);
	ASSERT_EQ(madvise(self->p, self->size / 2, MADV_DONTNEED), 0);
	EXPECT_EQ(dev_counters(self->fd0).mapped - mapped0, NPAGES / 2);
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_READ, 0,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.faults, NPAGES / 2);
	EXPECT_EQ(run.checksum, cpu_checksum(self->p, self->size));
	ASSERT_EQ(munmap(self->p, self->size), 0);
	EXPECT_EQ(dev_counters(self->fd0).mapped, mapped0);
	self->p = peer_mmap(self->size, PROT_READ | PROT_WRITE);
}

/*
 * fork() shares the pages copy-on-write: the device's write mappings must
 * become read-only, so that its next write breaks the sharing like a CPU
 * write would, and the child keeps what it had.
 */
TEST_F(place, fork_write_protects_remote_mappings)
{
	int to_child[2], status;
	struct gmem_sim_run run;
	pid_t pid;
	char c;

	ASSERT_EQ(hmadv(HOST_NODE, self->p, self->size,
			MADV_PREFERRED_LOCATION), 0);
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_WRITE, 1,
			    NPAGES, &run), 0);
	ASSERT_EQ(run.remote_accesses, NPAGES);
	ASSERT_EQ(pipe(to_child), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (read(to_child[0], &c, 1) != 1)
			_exit(2);
		_exit(all_written(self->p, self->size, 1) ? 0 : 1);
	}
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_WRITE, 2,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.faults, NPAGES);
	EXPECT_EQ(run.migrated_in, 0);
	EXPECT_TRUE(all_written(self->p, self->size, 2));
	ASSERT_EQ(write(to_child[1], "x", 1), 1);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(to_child[0]);
	close(to_child[1]);
}

TEST_F(place, place_remote_policy_maps_without_hints)
{
	struct gmem_sim_run run;

	ASSERT_EQ(use_policy("place_remote"), 0);
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_RMW, 0,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.migrated_in, 0);
	EXPECT_EQ(run.remote_accesses, NPAGES);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, 0);
	/* MADV_PREFETCH still moves pages, whatever the policy says. */
	ASSERT_EQ(hmadv(self->hnid0, self->p, self->size, MADV_PREFETCH), 0);
	EXPECT_EQ(dev_counters(self->fd0).mem_used, self->size);
}

TEST_F(place, place_migrate_policy_overrides_the_hints)
{
	struct gmem_sim_run run;

	ASSERT_EQ(hmadv(HOST_NODE, self->p, self->size,
			MADV_PREFERRED_LOCATION), 0);
	ASSERT_EQ(use_policy("place_migrate"), 0);
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_READ, 0,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.migrated_in, NPAGES);
	EXPECT_EQ(run.remote_accesses, 0);
	EXPECT_EQ(run.checksum, cpu_checksum(self->p, self->size));
}

/*
 * place_counter: each page is mapped remotely at its fault, and moves
 * once the device's counter reports (every 16 accesses, the module's
 * default) add up to its promote_accesses, 64: exactly 64 remote accesses
 * and 4 reports per page, then local accesses only.
 */
TEST_F(place, place_counter_promotes_pages_after_their_accesses)
{
	long reports = gmem_counter(0, "counter_reports");
	long moved = gmem_counter(0, "counter_migrations");
	struct gmem_sim_run run;

	ASSERT_EQ(use_policy("place_counter"), 0);
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_READ, 0,
			    100 * NPAGES, &run), 0);
	EXPECT_EQ(run.faults, NPAGES);
	EXPECT_EQ(run.remote_accesses, 64 * NPAGES);
	EXPECT_EQ(run.migrated_in, NPAGES);
	EXPECT_EQ(gmem_counter(0, "counter_reports") - reports, 4 * NPAGES);
	EXPECT_EQ(gmem_counter(0, "counter_migrations") - moved, NPAGES);
	EXPECT_EQ(run.checksum, 100 * cpu_checksum(self->p, self->size));
}

/* The default hears the reports too, and a host preference keeps pages. */
TEST_F(place, counter_reports_do_not_move_pages_that_prefer_host)
{
	long reports = gmem_counter(0, "counter_reports");
	long moved = gmem_counter(0, "counter_migrations");
	struct gmem_sim_run run;

	ASSERT_EQ(hmadv(HOST_NODE, self->p, self->size,
			MADV_PREFERRED_LOCATION), 0);
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_READ, 0,
			    100 * NPAGES, &run), 0);
	EXPECT_EQ(run.remote_accesses, 100 * NPAGES);
	EXPECT_EQ(run.migrated_in, 0);
	EXPECT_EQ(gmem_counter(0, "counter_reports") - reports, 6 * NPAGES);
	EXPECT_EQ(gmem_counter(0, "counter_migrations") - moved, 0);
}

/* Nonsense is refused, and the hints decide instead. */
TEST_F(place, a_garbage_answer_is_refused_and_the_default_decides)
{
	long refused = policy_counter("bad_place", "refused");
	struct gmem_sim_run run;

	ASSERT_EQ(hmadv(HOST_NODE, self->p, self->size,
			MADV_PREFERRED_LOCATION), 0);
	ASSERT_EQ(use_policy("bad_place"), 0);
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_READ, 0,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.migrated_in, 0);
	EXPECT_EQ(run.remote_accesses, NPAGES);
	EXPECT_EQ(run.checksum, cpu_checksum(self->p, self->size));
	EXPECT_EQ(policy_counter("bad_place", "refused") - refused, NPAGES);
}

/*
 * The default evictor takes pages that prefer their device last: a range
 * that prefers device 0, faulted in first (the oldest in its LRU), stays
 * while a range as large as the device streams through.
 */
TEST_F(place, eviction_spares_pages_that_prefer_the_device)
{
	size_t dev_size = dev_counters(self->fd0).mem_total;
	size_t keep = dev_size / 4;
	void *a = peer_mmap(keep, PROT_READ | PROT_WRITE);
	void *b = peer_mmap(dev_size, PROT_READ | PROT_WRITE);
	struct gmem_sim_run run;

	ASSERT_NE(a, MAP_FAILED);
	ASSERT_NE(b, MAP_FAILED);
	ASSERT_EQ(hmadv(self->hnid0, a, keep, MADV_PREFERRED_LOCATION), 0);
	ASSERT_EQ(dev_run_n(self->fd0, a, keep, GMEM_SIM_WRITE, 4,
			    keep / page_size, &run), 0);
	ASSERT_EQ(run.migrated_in, keep / page_size);
	ASSERT_EQ(dev_run_n(self->fd0, b, dev_size, GMEM_SIM_WRITE, 6,
			    dev_size / page_size, &run), 0);
	ASSERT_EQ(dev_run_n(self->fd0, a, keep, GMEM_SIM_READ, 0,
			    keep / page_size, &run), 0);
	EXPECT_EQ(run.faults, 0);
	EXPECT_TRUE(all_written(a, keep, 4));
	EXPECT_TRUE(all_written(b, dev_size, 6));
	munmap(a, keep);
	munmap(b, dev_size);
}

/* Removing a device drops its remote mappings; the host pages stay. */
TEST_F(place, unplugging_a_device_leaves_the_host_pages_intact)
{
	struct gmem_sim_run run;

	ASSERT_EQ(hmadv(HOST_NODE, self->p, self->size,
			MADV_PREFERRED_LOCATION), 0);
	ASSERT_EQ(dev_run_n(self->fd1, self->p, self->size, GMEM_SIM_WRITE, 3,
			    NPAGES, &run), 0);
	ASSERT_EQ(run.remote_accesses, NPAGES);
	ASSERT_EQ(sysfs_write("/sys/kernel/debug/gmem_sim/unplug", "1"), 0);
	EXPECT_EQ(dev_run_n(self->fd1, self->p, self->size, GMEM_SIM_READ, 0,
			    NPAGES, &run), -ENODEV);
	EXPECT_TRUE(all_written(self->p, self->size, 3));
	ASSERT_EQ(dev_run_n(self->fd0, self->p, self->size, GMEM_SIM_READ, 0,
			    NPAGES, &run), 0);
	EXPECT_EQ(run.checksum, cpu_checksum(self->p, self->size));
}

TEST_HARNESS_MAIN
