// SPDX-License-Identifier: GPL-2.0
/*
 * Adversarial races between device faults and changes to the CPU page
 * table, judged by what the device can still reach.
 *
 * Process A maps a small MAP_PEER_SHARED range and, for a few seconds per
 * test, runs device workers (writes and reads through /dev/gmem_sim0), a
 * CPU writer and one "chaos" thread that keeps changing the range under
 * them: MADV_DONTNEED, MADV_FREE, munmap + mmap(MAP_FIXED), mprotect,
 * fork + exit, or hmadvise() attributes (which the device's faults read
 * without the writers' lock). Process B writes its own range, twice the device's memory,
 * through the same device all the while, so a frame GMEM frees is reused
 * for B's data at once.
 *
 * Every word anyone writes in A's range is MARK_A ^ address, in B's range
 * MARK_B ^ address; a word may also be 0 (a dropped page). The oracle:
 *  - every word A's device reads is 0 or A's word for that address, so a
 *    device mapping left to a freed frame shows up as B's data (or as A's
 *    data of another address);
 *  - every word B's device reads is B's word for that address, so writes
 *    through such a stale mapping show up in B's pages;
 *  - after each round, with everything stopped, the device's view of each
 *    of A's pages equals the CPU's, word for word.
 * Process C keeps dropping a small pinned range (MADV_PIN) and faulting it
 * back onto the device, then looks where its pages are (/proc/self/pagemap:
 * a device page is a swap entry there, a host page present): a pinned page
 * never leaves the device. An eviction round picks its victims, then
 * migrates them one by one; a victim A dropped meanwhile frees its frame,
 * which C's fault may take: the round must not evict C's page from it.
 *
 * Run by selftests/gmem-tests.sh with GMEM_SIM_ARGS="devices=1 mem_mb=1";
 * GMEM_RACE_SECONDS sets each test's length (default 10).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mman.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "gmem_test_lib.h"
#include "gmem/hmadvise.h"

#define MARK_A		0xa11a000000000000ULL
#define MARK_B		0xb22b000000000000ULL
#define MARK_MASK	0xffff000000000000ULL
#define A_PAGES		64
#define C_PAGES		8
#define NR_DEV_WORKERS	2
/* Of the device workers' non-sleeping allocations, in the failslab test */
#define FAILSLAB_PERCENT 50

enum chaos {
	CHAOS_DONTNEED,
	CHAOS_FREE,
	CHAOS_REMAP,
	CHAOS_MPROTECT,
	CHAOS_FORK,
	CHAOS_HMADVISE,
};

struct race {
	int fd;
	char *base;
	size_t size;
	enum chaos chaos;
	/* Device workers' non-sleeping allocations fail (failslab_atomic()) */
	bool failslab;
	/*
	 * gmem_sim's fault buffer (its fault_batch), 0 to leave it alone: the
	 * device workers' writes then cover up to 8 pages, so that a batch
	 * holds runs of adjacent pages (gm_dev_fault_batch()).
	 */
	unsigned int batch;
	/* Chaos and the CPU writer exclude each other around unmapped or
	 * read-only windows, where a CPU write would SIGSEGV. */
	pthread_rwlock_t cpu_lock;
	/* Held for read by every worker while it works; the oracle takes it
	 * for write to stop them all between rounds. */
	pthread_rwlock_t round_lock;
	atomic_bool stop;
	atomic_ulong bad;		/* words that failed the oracle */
	atomic_ulong foreign;		/* of them, B's data */
	atomic_ulong dev_ops, chaos_ops;
	atomic_ulong dev_enomem;	/* device operations failed by it */
	/* Faults of the device workers' writes, and the stops they took */
	atomic_ulong dev_faults, dev_batches;
};

/* Shared with process B. */
struct neighbour {
	atomic_ulong bad;
	atomic_ulong passes;
	atomic_ulong enomem;
	atomic_bool stop;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Check one page of A as a device or the CPU saw it at @va. */
static void check_a(struct race *r, const uint64_t *buf, uintptr_t va,
		    const char *who)
{
	size_t i, n = page_size / 8;

	for (i = 0; i < n; i++) {
		uintptr_t a = va + i * 8;
		uint64_t v = buf[i];

		if (v == 0 || v == (MARK_A ^ a))
			continue;
		if ((v & MARK_MASK) == MARK_B)
			atomic_fetch_add(&r->foreign, 1);
		if (atomic_fetch_add(&r->bad, 1) < 4)
			fprintf(stderr, "# %s sees %#018llx at %#lx (want 0 or %#018llx)\n",
				who, (unsigned long long)v, (unsigned long)a,
				(unsigned long long)(MARK_A ^ a));
	}
}

static void *dev_worker(void *arg)
{
	struct race *r = arg;
	uint64_t seed = (uintptr_t)&seed ^ 0x1234567;
	uint64_t *buf = malloc(page_size);

	if (r->failslab && make_this_thread_fail(1))
		abort();
	while (!atomic_load(&r->stop)) {
		size_t pg = rnd(&seed) % A_PAGES, n = 1;
		char *p = r->base + pg * page_size;
		int err;

		if (r->batch)
			n = 1 + rnd(&seed) % (pg + 8 <= A_PAGES ? 8 : A_PAGES - pg);
		pthread_rwlock_rdlock(&r->round_lock);
		if (rnd(&seed) & 1) {
			struct gmem_sim_run run = { 0 };

			/* Errors are expected: unmapped, read-only now. */
			err = dev_run(r->fd, p, n * page_size,
				      GMEM_SIM_SEQUENTIAL, GMEM_SIM_WRITE,
				      MARK_A, &run);
			atomic_fetch_add(&r->dev_faults, run.faults);
			atomic_fetch_add(&r->dev_batches, run.fault_batches);
		} else {
			err = dev_rw(r->fd, GMEM_SIM_IOC_READ, p, buf,
				     page_size);
			if (!err)
				check_a(r, buf, (uintptr_t)p, "device");
		}
		if (err == -ENOMEM)
			atomic_fetch_add(&r->dev_enomem, 1);
		atomic_fetch_add(&r->dev_ops, 1);
		pthread_rwlock_unlock(&r->round_lock);
	}
	free(buf);
	return NULL;
}

static void *cpu_writer(void *arg)
{
	struct race *r = arg;
	uint64_t seed = 0xfeedface;

	while (!atomic_load(&r->stop)) {
		size_t pg = rnd(&seed) % A_PAGES;
		uint64_t *w = (uint64_t *)(r->base + pg * page_size);
		size_t i;

		pthread_rwlock_rdlock(&r->round_lock);
		pthread_rwlock_rdlock(&r->cpu_lock);
		for (i = 0; i < page_size / 8; i += 61)
			w[i] = MARK_A ^ (uintptr_t)&w[i];
		pthread_rwlock_unlock(&r->cpu_lock);
		pthread_rwlock_unlock(&r->round_lock);
	}
	return NULL;
}

static void chaos_once(struct race *r, uint64_t *seed)
{
	size_t pg = rnd(seed) % A_PAGES;
	size_t n = 1 + rnd(seed) % 8;
	enum chaos chaos = r->chaos;
	char *p;
	pid_t pid;

	if (pg + n > A_PAGES)
		n = A_PAGES - pg;
	/*
	 * Under failslab, now and then the whole range, whose unmap erases
	 * the records and empties their xarray nodes, so that the next
	 * records need memory; otherwise one page, so that the notifier
	 * looks at that page's record alone.
	 */
	if (r->failslab && rnd(seed) % 4 == 0) {
		pg = 0;
		n = A_PAGES;
	} else if (r->failslab) {
		chaos = CHAOS_DONTNEED;
		n = 1;
	}
	p = r->base + pg * page_size;
	switch (chaos) {
	case CHAOS_DONTNEED:
		madvise(p, n * page_size, MADV_DONTNEED);
		break;
	case CHAOS_FREE:
		madvise(p, n * page_size, MADV_FREE);
		break;
	case CHAOS_REMAP:
		pthread_rwlock_wrlock(&r->cpu_lock);
		munmap(p, n * page_size);
		if (mmap(p, n * page_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED |
			 MAP_FIXED, -1, 0) != p)
			abort();
		pthread_rwlock_unlock(&r->cpu_lock);
		break;
	case CHAOS_MPROTECT:
		pthread_rwlock_wrlock(&r->cpu_lock);
		mprotect(p, n * page_size, PROT_READ);
		usleep(100);
		mprotect(p, n * page_size, PROT_READ | PROT_WRITE);
		pthread_rwlock_unlock(&r->cpu_lock);
		break;
	case CHAOS_FORK:
		pid = fork();
		if (pid == 0) {
			volatile uint64_t sum = 0;
			size_t i;

			for (i = 0; i < n; i++)
				sum += *(uint64_t *)(p + i * page_size);
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
		break;
	case CHAOS_HMADVISE:
		/*
		 * A different hint on every few pages, then one for the whole
		 * range: the attribute tree splits and merges its nodes.
		 */
		if (hmadvise(-1, p, n * page_size,
			     MADV_POLICY_HINT_FIRST + rnd(seed) % 64) ||
		    (rnd(seed) % 16 == 0 &&
		     hmadvise(-1, r->base, r->size,
			      MADV_CLEAR_ATTRIBUTES)))
			abort();
		break;
	}
	atomic_fetch_add(&r->chaos_ops, 1);
}

static void *chaos_thread(void *arg)
{
	struct race *r = arg;
	uint64_t seed = 0xdecafbad;

	while (!atomic_load(&r->stop)) {
		pthread_rwlock_rdlock(&r->round_lock);
		chaos_once(r, &seed);
		pthread_rwlock_unlock(&r->round_lock);
	}
	return NULL;
}

/* With everything stopped: the device's view of A equals the CPU's. */
static void quiescent_check(struct race *r)
{
	uint64_t *dev = malloc(page_size);
	size_t pg;

	for (pg = 0; pg < A_PAGES; pg++) {
		char *p = r->base + pg * page_size;

		/* The device first: a CPU read would drop its mapping. */
		if (dev_rw(r->fd, GMEM_SIM_IOC_READ, p, dev, page_size)) {
			atomic_fetch_add(&r->bad, 1);
			fprintf(stderr, "# device read of page %zu: %s\n", pg,
				strerror(errno));
			continue;
		}
		check_a(r, dev, (uintptr_t)p, "device (quiescent)");
		check_a(r, (uint64_t *)p, (uintptr_t)p, "CPU (quiescent)");
		if (memcmp(dev, p, page_size)) {
			if (atomic_fetch_add(&r->bad, 1) < 4)
				fprintf(stderr, "# page %zu: device and CPU differ\n",
					pg);
		}
	}
	free(dev);
}

/* Shared with process C. */
struct pinned {
	atomic_ulong left;	/* pinned pages found gone from the device */
	atomic_ulong passes;
	atomic_bool stop;
};

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst) */
#define PM_SWAP		(1ULL << 62)	/* a swap entry: device-private too */
#define PM_PRESENT	(1ULL << 63)

/* C's pages not on the device now: pagemap shows them present, or none. */
static unsigned long pinned_off_device(int pagemap, const char *c)
{
	uint64_t e[C_PAGES];
	unsigned long off = 0;
	int i;

	if (pread(pagemap, e, sizeof(e),
		  (uintptr_t)c / page_size * sizeof(e[0])) != sizeof(e))
		_exit(5);
	for (i = 0; i < C_PAGES; i++)
		off += !(e[i] & PM_SWAP) || (e[i] & PM_PRESENT);
	return off;
}

static void pinned_neighbour(struct pinned *pn)
{
	size_t size = C_PAGES * page_size;
	int fd = open(DEV0, O_RDWR);
	int pagemap = open("/proc/self/pagemap", O_RDONLY);
	char *c = peer_mmap(size, PROT_READ | PROT_WRITE);
	int err, i;

	die_with_test();
	if (fd < 0 || pagemap < 0 || c == MAP_FAILED ||
	    hmadvise(-1, c, size, MADV_PIN))
		_exit(2);
	while (!atomic_load(&pn->stop)) {
		if (madvise(c, size, MADV_DONTNEED))
			_exit(3);
		err = dev_run(fd, c, size, GMEM_SIM_SEQUENTIAL, GMEM_SIM_WRITE,
			      MARK_B, NULL);
		if (err == -ENOMEM)
			continue;
		if (err) {
			fprintf(stderr, "# pinned neighbour: device run: %s\n",
				strerror(-err));
			_exit(4);
		}
		/* Now, and after the rounds in flight had time to end. */
		for (i = 0; i < 2; i++) {
			atomic_fetch_add(&pn->left, pinned_off_device(pagemap, c));
			usleep(1000);
		}
		atomic_fetch_add(&pn->passes, 1);
	}
	_exit(0);
}

/* Process B: its range, twice the device, written and checked forever. */
static void neighbour(struct neighbour *nb, size_t size)
{
	int fd = open(DEV0, O_RDWR);
	char *b = peer_mmap(size, PROT_READ | PROT_WRITE);
	uint64_t *buf = malloc(page_size);
	uint64_t seed = 0xb22b;
	size_t npages = size / page_size;

	die_with_test();
	if (fd < 0 || b == MAP_FAILED || !buf)
		_exit(2);
	while (!atomic_load(&nb->stop)) {
		size_t i, pg;

		int err = dev_run(fd, b, size, GMEM_SIM_SEQUENTIAL,
				  GMEM_SIM_WRITE, MARK_B, NULL);

		/* ENOMEM: eviction found nothing it could take just now. */
		if (err == -ENOMEM) {
			atomic_fetch_add(&nb->enomem, 1);
			continue;
		}
		if (err) {
			fprintf(stderr, "# neighbour: device run: %s\n",
				strerror(-err));
			_exit(3);
		}
		for (i = 0; i < 16; i++) {
			pg = rnd(&seed) % npages;
			err = dev_rw(fd, GMEM_SIM_IOC_READ, b + pg * page_size,
				     buf, page_size);
			if (err == -ENOMEM) {
				atomic_fetch_add(&nb->enomem, 1);
				continue;
			}
			if (err) {
				fprintf(stderr, "# neighbour: device read: %s\n",
					strerror(-err));
				_exit(4);
			}
			for (size_t w = 0; w < page_size / 8; w++) {
				uintptr_t a = (uintptr_t)b + pg * page_size + w * 8;

				if (buf[w] != (MARK_B ^ a) &&
				    atomic_fetch_add(&nb->bad, 1) < 4)
					fprintf(stderr, "# neighbour sees %#018llx at %#lx\n",
						(unsigned long long)buf[w],
						(unsigned long)a);
			}
		}
		atomic_fetch_add(&nb->passes, 1);
	}
	_exit(0);
}

/* Forks process B writing @size bytes: its counters, or NULL. */
static struct neighbour *start_neighbour(size_t size, pid_t *pid)
{
	struct neighbour *nb = mmap(NULL, sizeof(*nb), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (nb == MAP_FAILED)
		return NULL;
	*pid = fork();
	if (*pid < 0) {
		munmap(nb, sizeof(*nb));
		return NULL;
	}
	if (*pid == 0)
		neighbour(nb, size);
	return nb;
}

#define FAULT_BATCH	"/sys/module/gmem_sim/parameters/fault_batch"

/* fault_batch as the suite loaded gmem_sim, put back by the teardown. */
static long loaded_batch = -1;

static void run_race(struct __test_metadata *_metadata, enum chaos chaos,
		     bool failslab, double length, unsigned int batch)
{
	const char *env = getenv("GMEM_RACE_SECONDS");
	double seconds = (env ? atof(env) : 10) * length, end;
	struct gmem_sim_counters c;
	struct neighbour *nb;
	struct pinned *pn;
	pthread_t dev[NR_DEV_WORKERS], cpu, ch;
	struct race r = {
		.chaos = chaos,
		.failslab = failslab,
		.batch = batch,
	};
	char value[16];
	pthread_rwlockattr_t attr;
	unsigned long rounds = 0, injected = 0;
	int i, status, c_status, kmsg = -1;
	long retries;
	pid_t b, pc;

	page_size = sysconf(_SC_PAGE_SIZE);
	r.fd = open(DEV0, O_RDWR);
	ASSERT_GE(r.fd, 0);
	c = dev_counters(r.fd);
	retries = sysfs_long(SYSFS_DEV0 "fault_retries");
	if (batch) {
		loaded_batch = sysfs_long(FAULT_BATCH);
		ASSERT_GT(loaded_batch, 0);
		snprintf(value, sizeof(value), "%u", batch);
		ASSERT_EQ(sysfs_write(FAULT_BATCH, value), 0);
	}
	/* Injected, a fault on our own code could fail in the filesystem. */
	if (failslab)
		ASSERT_EQ(mlockall(MCL_CURRENT), 0);
	r.size = A_PAGES * page_size;
	r.base = peer_mmap(r.size, PROT_READ | PROT_WRITE);
	ASSERT_NE(r.base, MAP_FAILED);
	/* Writers first, or the oracle and chaos would starve. */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&r.cpu_lock, &attr);
	pthread_rwlock_init(&r.round_lock, &attr);

	if (failslab) {
		kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
		ASSERT_GE(kmsg, 0);
		lseek(kmsg, 0, SEEK_END);
		ASSERT_EQ(failslab_atomic(FAILSLAB_PERCENT), 0);
	}
	nb = start_neighbour(2 * c.mem_total, &b);
	ASSERT_NE(nb, NULL);
	pn = mmap(NULL, sizeof(*pn), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(pn, MAP_FAILED);
	pc = fork();
	ASSERT_GE(pc, 0);
	if (pc == 0)
		pinned_neighbour(pn);

	for (i = 0; i < NR_DEV_WORKERS; i++)
		ASSERT_EQ(pthread_create(&dev[i], NULL, dev_worker, &r), 0);
	ASSERT_EQ(pthread_create(&cpu, NULL, cpu_writer, &r), 0);
	ASSERT_EQ(pthread_create(&ch, NULL, chaos_thread, &r), 0);

	end = now_s() + seconds;
	while (now_s() < end && !atomic_load(&r.bad) && !atomic_load(&nb->bad)) {
		usleep(200 * 1000);
		pthread_rwlock_wrlock(&r.round_lock);
		quiescent_check(&r);
		pthread_rwlock_unlock(&r.round_lock);
		rounds++;
	}
	atomic_store(&r.stop, true);
	for (i = 0; i < NR_DEV_WORKERS; i++)
		pthread_join(dev[i], NULL);
	pthread_join(cpu, NULL);
	pthread_join(ch, NULL);
	atomic_store(&nb->stop, true);
	atomic_store(&pn->stop, true);
	ASSERT_EQ(waitpid(b, &status, 0), b);
	ASSERT_EQ(waitpid(pc, &c_status, 0), pc);
	/* A's writes took several faults at a stop. */
	if (batch)
		EXPECT_GT(atomic_load(&r.dev_faults),
			  atomic_load(&r.dev_batches));
	if (failslab) {
		EXPECT_EQ(failslab_off(), 0);
		munlockall();
		injected = failslab_reports(kmsg);
		close(kmsg);
	}

	retries = sysfs_long(SYSFS_DEV0 "fault_retries") - retries;
	fprintf(stderr, "# %lu rounds, %lu device ops (%lu ENOMEM), %lu chaos ops, %ld snapshots retaken, neighbour %lu passes (%lu ENOMEM), pinned %lu passes\n",
		rounds, atomic_load(&r.dev_ops), atomic_load(&r.dev_enomem),
		atomic_load(&r.chaos_ops), retries, atomic_load(&nb->passes),
		atomic_load(&nb->enomem), atomic_load(&pn->passes));
	EXPECT_EQ(status, 0);
	EXPECT_EQ(c_status, 0);
	/* The races were run, not skipped. */
	EXPECT_GT(rounds, 2);
	EXPECT_GT(atomic_load(&r.chaos_ops), 10);
	EXPECT_GT(atomic_load(&nb->passes), 0);
	/*
	 * The injection hit the device workers' work (only they have
	 * make-it-fail), and failed some of their operations with ENOMEM.
	 */
	if (failslab) {
		fprintf(stderr, "# failslab reported %lu failures (rate-limited)\n",
			injected);
		EXPECT_GT(injected, 0);
		EXPECT_GT(atomic_load(&r.dev_enomem), 0);
	}
	/* The oracle. */
	EXPECT_EQ(atomic_load(&r.foreign), 0);
	EXPECT_EQ(atomic_load(&r.bad), 0);
	EXPECT_EQ(atomic_load(&nb->bad), 0);
	EXPECT_GT(atomic_load(&pn->passes), 0);
	EXPECT_EQ(atomic_load(&pn->left), 0);
	munmap(r.base, r.size);
	munmap(nb, sizeof(*nb));
	munmap(pn, sizeof(*pn));
	close(r.fd);
}

FIXTURE(race)
{
};

FIXTURE_SETUP(race)
{
	page_size = sysconf(_SC_PAGE_SIZE);
}

FIXTURE_TEARDOWN(race)
{
	char value[24];

	/* Even after a failed assertion: the next tests run unbatched. */
	if (loaded_batch > 0) {
		snprintf(value, sizeof(value), "%ld", loaded_batch);
		EXPECT_EQ(sysfs_write(FAULT_BATCH, value), 0);
		loaded_batch = -1;
	}
}

TEST_F(race, dontneed_under_device_faults)
{
	run_race(_metadata, CHAOS_DONTNEED, false, 1, 0);
}

/*
 * Batched faults: a run of adjacent pages is migrated a gap at a time, and
 * each migration maps what it moved before finalize; a page dropped
 * meanwhile must not stay mapped.
 */
TEST_F(race, dontneed_under_batched_device_faults)
{
	run_race(_metadata, CHAOS_DONTNEED, false, 1, 64);
}

TEST_F(race, madv_free_under_device_faults)
{
	run_race(_metadata, CHAOS_FREE, false, 1, 0);
}

TEST_F(race, munmap_mmap_fixed_under_device_faults)
{
	run_race(_metadata, CHAOS_REMAP, false, 1, 0);
}

TEST_F(race, mprotect_under_device_faults)
{
	run_race(_metadata, CHAOS_MPROTECT, false, 1, 0);
}

TEST_F(race, fork_exit_under_device_faults)
{
	run_race(_metadata, CHAOS_FORK, false, 1, 0);
}

/*
 * Faults read the range's attributes locklessly (the policy's hints, the
 * preferred location): the tree must free its nodes after a grace period.
 * KASAN judges this one (the oracle checks only the data), so it runs four
 * times as long on the debug kernel: a tree freeing nodes at once was
 * caught in 40 s, not in 10.
 */
TEST_F(race, hmadvise_under_device_faults)
{
	run_race(_metadata, CHAOS_HMADVISE, false,
		 access(FAILSLAB_DIR, F_OK) ? 1 : 4, 0);
}

/*
 * The logical page table's records are stored with GFP_ATOMIC under
 * as->lock: a record that cannot be stored must mean "not mapped", since
 * the notifier unmaps only what records name. failslab fails those stores
 * (and the other atomic allocations of the device's faults) while chaos
 * unmaps the range, which erases the records, and drops single pages.
 */
TEST_F(race, munmap_mmap_fixed_under_device_faults_and_failslab)
{
	if (access(FAILSLAB_DIR, F_OK))
		SKIP(return, "no failslab (make check DEBUG=1)");
	run_race(_metadata, CHAOS_REMAP, true, 1, 0);
}

/*
 * An eviction round collects its victims, copies them to host memory, then
 * records in each owner's logical page table that the page went there. The
 * owner holds no lock that keeps its munmap() out meanwhile (B's faults run
 * the round): a page unmapped in between must leave no record behind.
 * A maps slots of a reservation, has the device write each, and unmaps it
 * a page at a time, in random order, while B's writes evict. No slot is
 * mapped again, so a record left for one stays: A's table must be empty at
 * the end. Judged by what the kernel still holds, not by A's data.
 */
#define SLOT_PAGES	64
#define NR_SLOTS	4096
/* Iterations of A's spin between munmap()s, at most */
#define SPIN		100000

TEST_F(race, munmap_under_eviction_leaves_no_records)
{
	const char *env = getenv("GMEM_RACE_SECONDS");
	double end = now_s() + (env ? atof(env) : 10);
	size_t slot = SLOT_PAGES * page_size, order[SLOT_PAGES];
	struct gmem_sim_counters c;
	struct neighbour *nb;
	uint64_t seed = 0xa11a;
	unsigned long slots = 0;
	long evicted, entries;
	int fd, status;
	char *resv;
	pid_t b;

	fd = open(DEV0, O_RDWR);
	ASSERT_GE(fd, 0);
	c = dev_counters(fd);
	resv = mmap(NULL, NR_SLOTS * slot, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(resv, MAP_FAILED);
	nb = start_neighbour(2 * c.mem_total, &b);
	ASSERT_NE(nb, NULL);

	while (now_s() < end && slots < NR_SLOTS) {
		char *p = resv + slots++ * slot;
		size_t i, j, t;
		int err;

		ASSERT_EQ(mmap(p, slot, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
			       MAP_PEER_SHARED, -1, 0), p);
		err = dev_run(fd, p, slot, GMEM_SIM_SEQUENTIAL, GMEM_SIM_WRITE,
			      MARK_A, NULL);
		ASSERT_TRUE(!err || err == -ENOMEM);
		for (i = 0; i < SLOT_PAGES; i++)
			order[i] = i;
		for (i = SLOT_PAGES - 1; i > 0; i--) {
			j = rnd(&seed) % (i + 1);
			t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		/*
		 * Spread over B's eviction rounds, which reach A's pages a few
		 * milliseconds later: a spin, as a sleep takes a 4 ms tick.
		 */
		for (i = 0; i < SLOT_PAGES; i++) {
			for (volatile unsigned long n = rnd(&seed) % SPIN; n; n--)
				;
			ASSERT_EQ(munmap(p + order[i] * page_size, page_size), 0);
		}
	}
	atomic_store(&nb->stop, true);
	ASSERT_EQ(waitpid(b, &status, 0), b);
	evicted = as_counter("pages_evicted");
	entries = as_counter("lpt_entries");
	fprintf(stderr, "# %lu slots of %d pages, %ld of A's pages evicted, neighbour %lu passes, %ld records left\n",
		slots, SLOT_PAGES, evicted, atomic_load(&nb->passes), entries);
	EXPECT_EQ(status, 0);
	EXPECT_EQ(atomic_load(&nb->bad), 0);
	/* The race was run: B's rounds took pages of A's. */
	EXPECT_GT(evicted, 0);
	EXPECT_EQ(entries, 0);
	munmap(resv, NR_SLOTS * slot);
	munmap(nb, sizeof(*nb));
	close(fd);
}

TEST_HARNESS_MAIN
