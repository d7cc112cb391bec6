// SPDX-License-Identifier: GPL-2.0
/*
 * Hot-unplug of a device that two processes have open, with their pages in
 * its memory and its kernels running: gmem_sim's debugfs "unplug" file
 * calls gm_dev_destroy() as a PCI remove would.
 *
 * Process A runs read-modify-write kernels over its range (every word + 1
 * per kernel, page after page) in a thread, counting the kernels that
 * completed; the one the unplug stops leaves a prefix of pages done, which
 * gmem_sim never splits (a page is one access). Process B
 * alternates device reads and CPU reads of its range, which moves pages
 * both ways while the device goes. After the unplug:
 *  - every word of both ranges is what the kernels left (the pages came
 *    home intact);
 *  - the device's ioctls fail with ENODEV, its node and GMEM's sysfs
 *    directory are gone;
 *  - GMEM no longer lists the device in either address space (debugfs
 *    as-PID); unplug.bats checks that the device's page tables and
 *    address space were emptied (gmem_sim logs what is left).
 *
 * With FREE_TARGET, the device's background evictor keeps that many frames
 * free, so its worker is evicting while the device goes; the test checks
 * that it ran.
 *
 * Usage: gmem-unplug DEVICE_NUMBER [FREE_TARGET] (root; debugfs mounted).
 * The caller loads gmem_sim again afterwards.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/wait.h>

#include "gmem_test_lib.h"

#define A_SIZE		(8UL << 20)
#define B_SIZE		(4UL << 20)
#define B_VALUE		0x5eedb0b0ULL
#define MIN_ROUNDS	2

static int failures;

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "gmem-unplug: " __VA_ARGS__);	\
			fputc('\n', stderr);				\
			failures++;					\
		}							\
	} while (0)

struct loader {
	int fd;
	uint64_t *buf;
	atomic_long rounds;	/* kernels that completed */
	int err;		/* the error that stopped it */
};

static void *a_loader(void *arg)
{
	struct loader *l = arg;
	int ret;

	while (!(ret = dev_run(l->fd, l->buf, A_SIZE, GMEM_SIM_SEQUENTIAL,
			       GMEM_SIM_RMW, 0, NULL)))
		atomic_fetch_add(&l->rounds, 1);
	l->err = ret;
	return NULL;
}

/*
 * Words of A's range that are not what @rounds complete kernels and a
 * prefix of pages of one more left: fill()'s value + @rounds (+ 1).
 */
static size_t bad_words_a(const uint64_t *buf, uint64_t rounds)
{
	size_t words = page_size / sizeof(*buf), i, bad = 0;
	uint64_t add = rounds + 1;

	for (i = 0; i < A_SIZE / sizeof(*buf); i++) {
		uint64_t base = 7 * 0x9e3779b97f4a7c15ULL + i;

		/* Past the pages the stopped kernel did: the others' result. */
		if (i % words == 0 && buf[i] != base + add)
			add = rounds;
		bad += buf[i] != base + add;
	}
	return bad;
}

static size_t bad_words_b(const uint64_t *buf)
{
	size_t i, bad = 0;

	for (i = 0; i < B_SIZE / sizeof(*buf); i++)
		bad += buf[i] != written_word(B_VALUE, &buf[i]);
	return bad;
}

/*
 * Process B: device reads and CPU reads of its range in turn until the
 * device is gone; @rounds (shared) counts its loops. It keeps its file
 * open until A has looked at its address space (@done). Exit status 0
 * when the device failed with ENODEV and the data is intact.
 */
static int run_b(const char *node, atomic_long *rounds, int ready, int done)
{
	uint64_t *buf = peer_mmap(B_SIZE, PROT_READ | PROT_WRITE);
	int fd = open(node, O_RDWR), ret;
	size_t bad;

	if (fd < 0 || buf == MAP_FAILED ||
	    dev_run(fd, buf, B_SIZE, GMEM_SIM_SEQUENTIAL, GMEM_SIM_WRITE,
		    B_VALUE, NULL)) {
		perror("B: setup");
		return 2;
	}
	if (write(ready, "b", 1) != 1)
		return 2;
	for (;;) {
		bad = bad_words_b(buf);
		if (bad) {
			fprintf(stderr, "B: %zu words wrong during the unplug\n",
				bad);
			return 1;
		}
		ret = dev_run(fd, buf, B_SIZE, GMEM_SIM_SEQUENTIAL,
			      GMEM_SIM_READ, 0, NULL);
		if (ret)
			break;
		atomic_fetch_add(rounds, 1);
	}
	if (ret != -ENODEV) {
		fprintf(stderr, "B: device read failed with %s, not ENODEV\n",
			strerror(-ret));
		return 1;
	}
	bad = bad_words_b(buf);
	if (bad) {
		fprintf(stderr, "B: %zu words wrong after the unplug\n", bad);
		return 1;
	}
	if (read(done, &bad, 1) != 1)
		return 2;
	return close(fd) ? 1 : 0;
}

/* GMEM's debugfs for @pid must not list @name among its devices. */
static void check_as(pid_t pid, const char *name)
{
	char path[64], line[256];
	bool listed = false;
	FILE *f;

	snprintf(path, sizeof(path), GMEM_DEBUGFS_DIR "/as-%d", pid);
	f = fopen(path, "r");
	if (!f) {
		CHECK(0, "%s: %s", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "devices:", 8))
			listed = strstr(line, name) != NULL;
	}
	fclose(f);
	CHECK(!listed, "%s still lists %s", path, name);
}

int main(int argc, char **argv)
{
	char node[32], name[16], sysfs[64], path[96];
	struct loader l = { 0 };
	atomic_long *b_rounds;
	int ready[2], done[2], status, unplug;
	pthread_t thread;
	long rounds;
	pid_t b;
	char c;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: gmem-unplug DEVICE_NUMBER [FREE_TARGET]\n");
		return 2;
	}
	page_size = sysconf(_SC_PAGESIZE);
	snprintf(name, sizeof(name), "gmem_sim%s", argv[1]);
	snprintf(node, sizeof(node), "/dev/%s", name);
	snprintf(sysfs, sizeof(sysfs), "/sys/kernel/gmem/devices/%s", name);
	snprintf(path, sizeof(path), "%s/free_target", sysfs);
	if (argc == 3 && sysfs_write(path, argv[2])) {
		fprintf(stderr, "gmem-unplug: cannot set %s\n", path);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/evictions_background", sysfs);

	b_rounds = mmap(NULL, sizeof(*b_rounds), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b_rounds == MAP_FAILED || pipe(ready) || pipe(done))
		return 2;
	b = fork();
	if (b == 0)
		_exit(run_b(node, b_rounds, ready[1], done[0]));
	if (b < 0 || read(ready[0], &c, 1) != 1)
		return 2;

	l.fd = open(node, O_RDWR);
	l.buf = peer_mmap(A_SIZE, PROT_READ | PROT_WRITE);
	if (l.fd < 0 || l.buf == MAP_FAILED) {
		perror("A: setup");
		return 2;
	}
	fill(l.buf, A_SIZE, 7);
	if (pthread_create(&thread, NULL, a_loader, &l))
		return 2;
	/* Unplug under load: both have been through their loops a few times. */
	while (atomic_load(&l.rounds) < MIN_ROUNDS ||
	       atomic_load(b_rounds) < MIN_ROUNDS) {
		if (l.err || waitpid(b, &status, WNOHANG)) {
			fprintf(stderr, "gmem-unplug: a worker stopped early (A: %s)\n",
				strerror(-l.err));
			return 1;
		}
		usleep(10000);
	}

	if (argc == 3)
		CHECK(sysfs_long(path) > 0,
		      "free_target %s: no background eviction round ran",
		      argv[2]);
	unplug = open("/sys/kernel/debug/gmem_sim/unplug", O_WRONLY);
	CHECK(unplug >= 0, "open debugfs unplug: %s", strerror(errno));
	CHECK(write(unplug, argv[1], strlen(argv[1])) ==
	      (ssize_t)strlen(argv[1]), "unplug %s: %s", name, strerror(errno));
	close(unplug);

	pthread_join(thread, NULL);
	rounds = atomic_load(&l.rounds);
	CHECK(l.err == -ENODEV, "A: device kernel failed with %s, not ENODEV",
	      strerror(-l.err));
	CHECK(bad_words_a(l.buf, rounds) == 0,
	      "A: %zu words differ from what %ld kernels (and part of one) left",
	      bad_words_a(l.buf, rounds), rounds);
	CHECK(dev_run(l.fd, l.buf, A_SIZE, GMEM_SIM_SEQUENTIAL, GMEM_SIM_READ,
		      0, NULL) == -ENODEV, "A: a new kernel did not get ENODEV");
	CHECK(access(node, F_OK) && errno == ENOENT, "%s is still there", node);
	CHECK(access(sysfs, F_OK) && errno == ENOENT, "%s is still there",
	      sysfs);
	check_as(getpid(), name);
	check_as(b, name);
	CHECK(close(l.fd) == 0, "A: close: %s", strerror(errno));
	CHECK(write(done[1], "d", 1) == 1, "cannot tell B to finish");

	CHECK(waitpid(b, &status, 0) == b && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0, "B failed (status %#x)", status);
	printf("unplugged %s after %ld kernels of A and %ld loops of B: %s\n",
	       name, rounds, atomic_load(b_rounds),
	       failures ? "FAILED" : "data intact, nothing left on it");
	return failures ? 1 : 0;
}
