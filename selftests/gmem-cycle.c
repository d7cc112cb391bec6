// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-cycle: register, select and unregister GMEM policies many times,
 * fast, for the lifecycle tests (selftests/lifecycle.bats).
 *
 *   gmem-cycle [-n CYCLES] [-k LIVE] [-f FULL] [-r ROUNDS] OBJ...
 *
 * Each policy object is loaded once (its programs through the verifier).
 * A cycle then registers a new policy: a new gmem_policy_ops struct_ops map
 * with a fresh name ("cN-OBJ"), whose members are the object's programs,
 * created and registered by lib/gmem_policy_ops.c as gmemctl load does
 * (BPF_MAP_CREATE, BPF_MAP_UPDATE_ELEM); makes it the system default (write to
 * /sys/kernel/gmem/policy: the swap); every third cycle also selects it for
 * one running gmem-run process (/proc/PID/gmem_policy); and unregisters
 * (BPF_MAP_DELETE_ELEM, as bpftool struct_ops unregister) the oldest of
 * the policies registered, once more than LIVE (default 3) are: a policy
 * some processes still use. Every tenth cycle unregisters the new system
 * default itself instead. Every FULL-th cycle (default 25) the next
 * object is closed and loaded again from its file, programs and all, while
 * maps still registered hold its old programs. At the end every policy is
 * unregistered.
 *
 * Then ROUNDS times (default 0) a policy's name is taken again while it is
 * being unregistered: a thread keeps registering a policy named "again"
 * (the first object's), retried while the name is taken (-EEXIST), while
 * the main thread unregisters the "again" that is the system default, so
 * that unregistering has bindings to end. The name must come free only
 * once the old policy is gone from sysfs too (selftests/lifecycle.bats
 * checks that the kernel never met a sysfs directory of that name still
 * there); the new one is unregistered the next round.
 *
 * Every step is checked: the policy appears in and leaves
 * /sys/kernel/gmem/policy and /sys/kernel/gmem/policies/, the swap takes
 * effect. Exit status 0 if all went as expected; the counts and the swap
 * latencies are printed. Needs CAP_SYS_ADMIN (and CAP_BPF).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "gmem_policy_ops.h"
#include "gmem_sysfs.h"
#include "gmem_util.h"

#define MAX_OBJS	32
#define MAX_LIVE	64

struct obj {
	const char *path;
	char short_name[8];
	struct bpf_object *bpf;
};

struct live {
	int fd;
	char name[GMEM_POLICY_NAME_MAX];
};

static struct obj objs[MAX_OBJS];
static int nobjs;
static struct live live[MAX_LIVE];
static int nlive;
static int errors;

/* The kernel's layout of the struct_ops value, from vmlinux BTF. */
static struct gmem_ops_layout layout;

#define fail(fmt, ...)							\
	do {								\
		fprintf(stderr, "gmem-cycle: " fmt "\n", ##__VA_ARGS__); \
		errors++;						\
	} while (0)

/* Is @name in /sys/kernel/gmem/policy, and is it the default ("[name]")? */
static int policy_listed(const char *name, int *is_default)
{
	static struct gmem_registry r;
	int i;

	*is_default = 0;
	if (gmem_registry_read(&r))
		return 0;
	i = gmem_registry_find(&r, name);
	*is_default = i >= 0 && i == r.cur;
	return i >= 0;
}

static int load_obj(struct obj *o)
{
	int err;

	o->bpf = bpf_object__open_file(o->path, NULL);
	if (!o->bpf) {
		fail("opening %s: %s", o->path, strerror(errno));
		return -1;
	}
	err = bpf_object__load(o->bpf);
	if (err) {
		fail("loading %s: %s", o->path, strerror(-err));
		bpf_object__close(o->bpf);
		o->bpf = NULL;
		return -1;
	}
	return 0;
}

static void unregister_policy(int i)
{
	char path[128];
	int def, err;

	err = gmem_ops_unregister(live[i].fd);
	if (err)
		fail("unregistering %s: %s", live[i].name, strerror(-err));
	close(live[i].fd);
	snprintf(path, sizeof(path), GMEM_POLICIES_DIR "/%s", live[i].name);
	if (!access(path, F_OK) || policy_listed(live[i].name, &def))
		fail("%s still registered after unregistering", live[i].name);
	live[i] = live[--nlive];
}

#define AGAIN_NAME	"again"

struct again {
	struct bpf_object *bpf;
	int fd;			/* the registration, or -errno */
	int tries;
};

/* Register "again" as soon as its name is free. */
static void *register_again(void *arg)
{
	struct again *a = arg;

	a->tries = 0;
	do {
		a->fd = gmem_ops_register_new(&layout, a->bpf, AGAIN_NAME);
		a->tries++;
	} while (a->fd == -EEXIST);
	return NULL;
}

/* Unregister "again" while a thread registers it anew, @rounds times. */
static void reregister_rounds(int rounds)
{
	struct again a = { .bpf = objs[0].bpf };
	int fd, r, err, tries = 0;
	pthread_t t;

	fd = gmem_ops_register_new(&layout, a.bpf, AGAIN_NAME);
	if (fd < 0) {
		fail("registering %s: %s", AGAIN_NAME, strerror(-fd));
		return;
	}
	for (r = 0; r < rounds; r++) {
		err = sysfs_write(GMEM_POLICY_FILE, AGAIN_NAME);
		if (err)
			fail("round %d: selecting %s: %s", r, AGAIN_NAME,
			     strerror(-err));
		err = pthread_create(&t, NULL, register_again, &a);
		if (err) {
			fail("round %d: pthread_create: %s", r, strerror(err));
			break;
		}
		err = gmem_ops_unregister(fd);
		close(fd);
		pthread_join(t, NULL);
		if (err)
			fail("round %d: unregistering %s: %s", r, AGAIN_NAME,
			     strerror(-err));
		tries += a.tries;
		fd = a.fd;
		if (fd < 0) {
			fail("round %d: registering %s again: %s", r, AGAIN_NAME,
			     strerror(-fd));
			return;
		}
	}
	err = gmem_ops_unregister(fd);
	if (err)
		fail("unregistering %s: %s", AGAIN_NAME, strerror(-err));
	close(fd);
	printf("%d rounds: %s re-registered while being unregistered, %d tries\n",
	       r, AGAIN_NAME, tries);
}

/* A random running gmem-run, or 0. */
static int some_workload(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int pids[64], n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < 64) {
		char path[64], comm[32];
		int pid = atoi(e->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if (!sysfs_read(path, comm, sizeof(comm)) &&
		    !strcmp(comm, "gmem-run\n"))
			pids[n++] = pid;
	}
	closedir(d);
	return n ? pids[rand() % n] : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int cycles = 1000, max_live = 3, full_every = 25, rounds = 0, opt, i, c;
	int full_loads = 0, selected = 0, select_gone = 0, default_unreg = 0;
	double t0, t1, *swap_ms;

	while ((opt = getopt(argc, argv, "n:k:f:r:h")) != -1) {
		switch (opt) {
		case 'n':
			cycles = atoi(optarg);
			break;
		case 'k':
			max_live = atoi(optarg);
			break;
		case 'f':
			full_every = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-n CYCLES] [-k LIVE] [-f FULL] [-r ROUNDS] OBJ...\n",
				argv[0]);
			return 2;
		}
	}
	if (optind == argc || max_live < 1 || max_live >= MAX_LIVE) {
		fprintf(stderr, "gmem-cycle: no policy object\n");
		return 2;
	}
	libbpf_set_print(NULL);
	srand(getpid());
	if (gmem_ops_layout_load(&layout)) {
		fprintf(stderr, "gmem-cycle: no struct gmem_policy_ops in vmlinux BTF\n");
		return 1;
	}
	for (i = optind; i < argc && nobjs < MAX_OBJS; i++) {
		struct obj *o = &objs[nobjs];
		const char *base = strrchr(argv[i], '/');
		char *dot;

		o->path = argv[i];
		base = base ? base + 1 : argv[i];
		/* "evict_lru.bpf.o" -> "lru": the part after the last '_' */
		if (strchr(base, '_'))
			base = strrchr(base, '_') + 1;
		snprintf(o->short_name, sizeof(o->short_name), "%s", base);
		dot = strchr(o->short_name, '.');
		if (dot)
			*dot = 0;
		if (load_obj(o))
			return 1;
		nobjs++;
	}
	swap_ms = calloc(cycles, sizeof(*swap_ms));
	t0 = now_ms();
	for (c = 0; c < cycles && !errors; c++) {
		struct obj *o = &objs[c % nobjs];
		char name[GMEM_POLICY_NAME_MAX], path[128];
		int fd, def, pid, err;

		if (full_every && c && c % full_every == 0) {
			bpf_object__close(o->bpf);
			if (load_obj(o))
				break;
			full_loads++;
		}
		snprintf(name, sizeof(name), "c%d-%s", c, o->short_name);
		fd = gmem_ops_register_new(&layout, o->bpf, name);
		if (fd < 0) {
			fail("cycle %d: registering %s: %s", c, name, strerror(-fd));
			break;
		}
		live[nlive].fd = fd;
		strcpy(live[nlive].name, name);
		nlive++;
		snprintf(path, sizeof(path), GMEM_POLICIES_DIR "/%s/state", name);
		if (access(path, F_OK))
			fail("cycle %d: %s registered, but no %s", c, name, path);

		/* The swap: the new policy becomes the system default. */
		err = sysfs_write_timed(GMEM_POLICY_FILE, name, &swap_ms[c]);
		if (err)
			fail("cycle %d: selecting %s: %s", c, name, strerror(-err));
		if (!policy_listed(name, &def) || !def)
			fail("cycle %d: %s is not the system default", c, name);

		if (c % 3 == 0 && (pid = some_workload())) {
			int ret;

			snprintf(path, sizeof(path), "/proc/%d/gmem_policy", pid);
			/* The process may have exited meanwhile. */
			ret = sysfs_write(path, name);
			if (!ret)
				selected++;
			else if (ret == -ESRCH || ret == -ENODEV || ret == -ENOENT)
				select_gone++;
			else
				fail("cycle %d: %s for pid %d: %s", c, name, pid,
				     strerror(-ret));
		}

		if (c % 10 == 9) {
			/* Unregister the system default itself. */
			unregister_policy(nlive - 1);
			default_unreg++;
			if (!policy_listed("default", &def) || !def)
				fail("cycle %d: the built-in default did not take over", c);
		} else if (nlive > max_live) {
			unregister_policy(0);	/* the oldest, maybe selected */
		}
	}
	while (nlive)
		unregister_policy(nlive - 1);
	t1 = now_ms();
	if (rounds && !errors)
		reregister_rounds(rounds);

	qsort(swap_ms, c, sizeof(*swap_ms), cmp_double);
	printf("%d cycles (register, swap, unregister) in %.1f s, %.1f ms each: %d full object loads, %d per-process selections (%d processes gone), %d unregistrations of the system default\n",
	       c, (t1 - t0) / 1e3, c ? (t1 - t0) / c : 0, full_loads, selected,
	       select_gone, default_unreg);
	if (c)
		printf("swap latency: median %.1f ms, max %.1f ms\n",
		       swap_ms[c / 2], swap_ms[c - 1]);
	for (i = 0; i < nobjs; i++)
		bpf_object__close(objs[i].bpf);
	free(swap_ms);
	if (errors || c < cycles) {
		printf("gmem-cycle: %d errors\n", errors);
		return 1;
	}
	return 0;
}
