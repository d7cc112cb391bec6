// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-bench: the GMEM-BPF benchmark suite. Runs in the vmtest.sh guest
 * (bench/guest.sh starts it), except `opt` and `convert-lackey`, which
 * also run on the host. See bench/README.md for the method.
 *
 *   gmem-bench suite [--quick] [--out FILE] [--tap] [--reps N] [--only EXP,...]
 *   gmem-bench replay TRACE [--mem-mb M] [--policies P,...] [--reps N]
 *                     [--format auto|text|raw] [--max-refs N] [--out FILE]
 *   gmem-bench opt TRACE --capacity PAGES [--format ...]
 *   gmem-bench opt-check [STRINGS]   (OPT against an exhaustive search)
 *   gmem-bench convert-lackey [--instr] < lackey.out > trace.txt
 *   gmem-bench tsc-khz        (on the host: its TSC, which TCG guests read)
 *   gmem-bench policies [--quick]   (the BPF policies a suite run uses)
 *
 * Every measurement is one JSON object per line in --out (default
 * build/bench/raw.jsonl); bench/report.py turns them into results.json,
 * results.md and the plots.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mman.h>

#include "bench.h"
#include "gmem_sim_uapi.h"
#include "gmem/hmadvise.h"
#include "gmem_sysfs.h"
#include "test_hmm_uapi.h"

#define DEV0		"/dev/gmem_sim0"
#define SYS_DEV		"/sys/kernel/gmem/devices/gmem_sim0/"
#define SYS_GMEM	"/sys/kernel/gmem/"

/* ------------------------------------------------------------------ */
/* Utilities                                                           */

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "gmem-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die("out of memory (%zu bytes)", size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Split a comma-separated @list (in place) into @v; returns the count. */
static int split_list(char *list, const char **v, int max)
{
	char *tok, *save;
	int n = 0;

	for (tok = strtok_r(list, ",", &save); tok && n < max;
	     tok = strtok_r(NULL, ",", &save))
		v[n++] = tok;
	return n;
}

static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("%s: %s", path, strerror(errno));
	return f;
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Percentile @q (0..1) of sorted @v, nearest rank. */
static u64 pct_u32(const u32 *v, size_t n, double q)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)ceil(q * n);
	return v[i ? i - 1 : 0];
}

static u64 pct_u64(const u64 *v, size_t n, double q)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)ceil(q * n);
	return v[i ? i - 1 : 0];
}

/* ------------------------------------------------------------------ */
/* JSON lines                                                          */

static FILE *out;
static int json_first;

static void jbegin(const char *exp)
{
	fprintf(out, "{\"exp\":\"%s\"", exp);
	json_first = 0;
}

static void jstr(const char *k, const char *v)
{
	fprintf(out, ",\"%s\":\"", k);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', out);
		if ((unsigned char)*v >= 0x20)
			fputc(*v, out);
	}
	fputc('"', out);
}

static void ju(const char *k, u64 v)
{
	fprintf(out, ",\"%s\":%llu", k, (unsigned long long)v);
}

static void jd(const char *k, double v)
{
	if (isfinite(v))
		fprintf(out, ",\"%s\":%.6g", k, v);
	else
		fprintf(out, ",\"%s\":null", k);
}

static void jend(void)
{
	fprintf(out, "}\n");
	fflush(out);
}

/* ------------------------------------------------------------------ */
/* Sanity checks, printed as TAP with --tap                            */

#define MAX_CHECKS 64

static struct check {
	char name[160];
	bool ok;
} checks[MAX_CHECKS];
static int nchecks;

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (nchecks == MAX_CHECKS)
		return;
	checks[nchecks].ok = ok;
	va_start(ap, fmt);
	vsnprintf(checks[nchecks].name, sizeof(checks[0].name), fmt, ap);
	va_end(ap);
	fprintf(stderr, "# check %s: %s\n", ok ? "ok" : "FAILED",
		checks[nchecks].name);
	if (out) {
		jbegin("check");
		ju("ok", ok);
		jstr("name", checks[nchecks].name);
		jend();
	}
	nchecks++;
}

/* ------------------------------------------------------------------ */
/* Progress                                                            */

static struct {
	const char *exp;
	unsigned long done, total;
	u64 start, suite_start, last;
} prog;

static void progress_begin(const char *exp, unsigned long total)
{
	prog.exp = exp;
	prog.done = 0;
	prog.total = total;
	prog.start = now_ns();
	prog.last = 0;
	fprintf(stderr, "# [%s] %lu runs\n", exp, total);
}

static void progress_step(const char *what)
{
	u64 now = now_ns();
	double el = (now - prog.start) / 1e9;
	double left = prog.done ? el / prog.done * (prog.total - prog.done) : 0;

	prog.done++;
	/* A line every 10 s at most, and the last one. */
	if (prog.done != prog.total && now - prog.last < 10000000000ULL)
		return;
	prog.last = now;
	fprintf(stderr, "# [%s] %lu/%lu %s; %.0fs in this part, ~%.0fs left; %.0fs since start\n",
		prog.exp, prog.done, prog.total, what, el, left,
		(now - prog.suite_start) / 1e9);
}

/* ------------------------------------------------------------------ */
/* The device, the module, the policies                                */

static const char *driver_ko = "build/driver/gmem_sim.ko";
static size_t dev_capacity;	/* pages of the loaded gmem_sim device */

static bool module_loaded(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return !stat(path, &st);
}

static void gmem_sim_unload(void)
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
}

static void gmem_sim_load(unsigned int mem_mb)
{
	char params[128];
	int fd, i;

	if (dev_capacity == (size_t)mem_mb * 256)
		return;
	gmem_sim_unload();
	snprintf(params, sizeof(params), "devices=1 mem_mb=%u", mem_mb);
	fd = open(driver_ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", driver_ko, strerror(errno));
	if (syscall(__NR_finit_module, fd, params, 0))
		die("loading gmem_sim %s: %s", params, strerror(errno));
	close(fd);
	for (i = 0; access(DEV0, R_OK | W_OK); i++) {
		if (i == 100)
			die("%s did not appear", DEV0);
		usleep(10000);
	}
	dev_capacity = (size_t)mem_mb * 256;
}

static bool policy_available(const char *name)
{
	char buf[4096], *tok, *save;
	int fd = open(SYS_GMEM "policy", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	for (tok = strtok_r(buf, " []\n", &save); tok;
	     tok = strtok_r(NULL, " []\n", &save))
		if (!strcmp(tok, name))
			return true;
	return false;
}

/* Make @name the system default; returns the write's duration in ns. */
static u64 policy_use(const char *name)
{
	u64 t0 = now_ns();
	int err = sysfs_write(SYS_GMEM "policy", name);

	if (err)
		die("selecting policy %s: %s", name, strerror(-err));
	return now_ns() - t0;
}

/* Does the policy prefetch? (Only demand-paging ones are bound by OPT's faults.) */
static bool policy_prefetches(const char *name)
{
	return !strncmp(name, "seq", 3) || !strncmp(name, "stride", 6) ||
	       !strncmp(name, "tree", 4);
}

struct counters {
	long long v[16];
};

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

static void read_counters(const char *policy, struct counters *dev,
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

#define FILL_MUL 0x9e3779b97f4a7c15ULL

/* The sum of the words of page @p as filled by the CPU. */
static u64 page_sum(u64 p)
{
	u64 words = PAGE_4K / 8;

	return words * (p * FILL_MUL) + words * (words - 1) / 2;
}

static void *peer_buffer(size_t npages, bool fill)
{
	size_t size = npages * PAGE_4K, p, i;
	u64 *buf;

	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED |
		   (fill ? MAP_POPULATE : 0), -1, 0);
	if (buf == MAP_FAILED)
		die("mmap(MAP_PEER_SHARED, %zu pages): %s", npages,
		    strerror(errno));
	if (!fill)
		return buf;
	for (p = 0; p < npages; p++)
		for (i = 0; i < PAGE_4K / 8; i++)
			buf[p * (PAGE_4K / 8) + i] = p * FILL_MUL + i;
	return buf;
}

static int device_hnid(void)
{
	return sysfs_long(SYS_DEV "hnid");
}

static int dev_open(void)
{
	int fd = open(DEV0, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("%s: %s", DEV0, strerror(errno));
	return fd;
}

/* Run @n references of @list on the device; adds to *@acc. */
static int dev_run_list(int fd, void *buf, size_t npages, const u64 *list,
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
	acc->faults += run.faults;
	acc->tlb_misses += run.tlb_misses;
	acc->migrated_in += run.migrated_in;
	acc->sim_time_ns += run.sim_time_ns;
	acc->checksum += run.checksum;
	return ret;
}

/* ------------------------------------------------------------------ */
/* One run of a workload under a policy                                */

static struct tracer *tracer;
static bool debug;

#define DBG(...) do { if (debug) fprintf(stderr, "# debug: " __VA_ARGS__); } while (0)

struct run_result {
	struct gmem_sim_run dev;	/* summed over tenants */
	u64 wall_ns, expect_checksum;
	int errors;
	struct counters d0, d1, p0, p1;
	bool traced;
	struct ev_stats ev[MAX_TENANTS];
	size_t lat_n;
	u64 lat_p50, lat_p90, lat_p99, lat_mean, lat_max;
	u32 *lat;			/* sorted copy, if kept */
};

static void latency_summary(struct run_result *r, bool keep)
{
	size_t n, i;
	const u64 *lat = tracer ? tracer_latencies(tracer, &n) : NULL;
	u64 sum = 0;
	u32 *v;

	r->lat_n = 0;
	if (!lat || !n)
		return;
	v = xmalloc(n * sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = lat[i] > UINT32_MAX ? UINT32_MAX : lat[i];
	if (debug) {
		fprintf(stderr, "# debug: %zu latencies:", n);
		for (i = 0; i < n && i < 24; i++)
			fprintf(stderr, " %u", v[i]);
		fprintf(stderr, "\n");
	}
	qsort(v, n, sizeof(*v), cmp_u32);
	for (i = 0; i < n; i++)
		sum += v[i];
	r->lat_n = n;
	r->lat_p50 = pct_u32(v, n, 0.50);
	r->lat_p90 = pct_u32(v, n, 0.90);
	r->lat_p99 = pct_u32(v, n, 0.99);
	r->lat_max = v[n - 1];
	r->lat_mean = sum / n;
	if (keep)
		r->lat = v;
	else
		free(v);
}

/* A tenant process of a two-tenant run: waits for its turn, runs a chunk. */
struct tenant_msg {
	struct gmem_sim_run run;
	int errors;
	u64 base;
};

static void tenant_child(const struct workload *w, int t, int go_fd,
			 int done_fd)
{
	struct tenant_msg msg = { 0 };
	size_t pos = 0, n = w->t[t].n;
	int fd = dev_open();
	void *buf = peer_buffer(w->npages[t], true);
	char c;

	msg.base = (uintptr_t)buf;
	if (write(done_fd, &msg, sizeof(msg)) != sizeof(msg))
		_exit(1);
	while (read(go_fd, &c, 1) == 1 && c == 'g') {
		size_t len = n - pos < w->chunk ? n - pos : w->chunk;

		if (dev_run_list(fd, buf, w->npages[t], w->t[t].ref + pos, len,
				 &msg.run))
			msg.errors++;
		/* The other tenant runs next: its faults follow this mark. */
		tracer_mark();
		pos += len;
		if (write(done_fd, &msg, sizeof(msg)) != sizeof(msg))
			_exit(1);
	}
	_exit(0);
}

static void run_workload(struct workload *w, const char *policy, bool traced,
			 struct run_result *r, bool keep_lat)
{
	int pids[MAX_TENANTS] = { getpid(), 0 };
	u64 bases[MAX_TENANTS] = { 0 };
	size_t i;
	int t;

	memset(r, 0, sizeof(*r));
	r->traced = traced && tracer;
	DBG("run %s %.2gx under %s, traced %d\n", w->name, w->size_x, policy,
	    r->traced);
	for (t = 0; t < w->tenants; t++)
		for (i = 0; i < w->t[t].n; i++)
			r->expect_checksum += page_sum(w->t[t].ref[i]);

	if (w->tenants == 1) {
		int fd = dev_open();
		u64 *buf = peer_buffer(w->npages[0], true);

		bases[0] = (uintptr_t)buf;
		read_counters(policy, &r->d0, &r->p0);
		DBG("buffer ready\n");
		if (tracer)
			tracer_start(tracer, pids, 1, r->traced);
		DBG("tracer started\n");
		r->wall_ns = now_ns();
		if (!w->rounds) {
			r->errors += !!dev_run_list(fd, buf, w->npages[0],
						   w->t[0].ref, w->t[0].n,
						   &r->dev);
			tracer_mark();
		} else {
			size_t start = 0;
			int k;

			for (k = 0; k < w->rounds; k++) {
				r->errors += !!dev_run_list(fd, buf, w->npages[0],
					w->t[0].ref + start,
					w->round_end[k] - start, &r->dev);
				start = w->round_end[k];
				tracer_mark();
				/* The CPU writes: the pages come back to host memory. */
				for (i = 0; i < w->touch[k].n; i++) {
					u64 p = w->touch[k].ref[i];

					buf[p * (PAGE_4K / 8)] += 1;
				}
				/* Later reads of those pages see the new words. */
				for (i = w->round_end[k]; i < w->t[0].n; i++) {
					size_t m;

					for (m = 0; m < w->touch[k].n; m++)
						if (w->touch[k].ref[m] == w->t[0].ref[i])
							r->expect_checksum++;
				}
			}
		}
		r->wall_ns = now_ns() - r->wall_ns;
		DBG("device done\n");
		if (tracer)
			tracer_stop(tracer);
		DBG("tracer stopped\n");
		read_counters(policy, &r->d1, &r->p1);
		munmap(buf, w->npages[0] * PAGE_4K);
		close(fd);
		DBG("closed\n");
	} else {
		int go[MAX_TENANTS][2], done[2], alive[MAX_TENANTS] = { 1, 1 };
		struct tenant_msg msg[MAX_TENANTS];
		size_t pos[MAX_TENANTS] = { 0 };

		if (pipe(done))
			die("pipe");
		for (t = 0; t < 2; t++) {
			if (pipe(go[t]))
				die("pipe");
			pids[t] = fork();
			if (pids[t] < 0)
				die("fork");
			if (!pids[t]) {
				int u;

				/* Its turn pipe closing is its signal to exit. */
				for (u = 0; u <= t; u++)
					close(go[u][1]);
				close(done[0]);
				tenant_child(w, t, go[t][0], done[1]);
			}
			close(go[t][0]);
			/* Its buffer is mapped and filled. */
			if (read(done[0], &msg[t], sizeof(msg[t])) != sizeof(msg[t]))
				die("tenant %d did not start", t);
			bases[t] = msg[t].base;
		}
		read_counters(policy, &r->d0, &r->p0);
		if (tracer)
			tracer_start(tracer, pids, 2, r->traced);
		r->wall_ns = now_ns();
		while (alive[0] || alive[1]) {
			for (t = 0; t < 2; t++) {
				if (!alive[t])
					continue;
				if (pos[t] >= w->t[t].n) {
					alive[t] = 0;
					continue;
				}
				if (write(go[t][1], "g", 1) != 1 ||
				    read(done[0], &msg[t], sizeof(msg[t])) != sizeof(msg[t]))
					die("tenant %d died", t);
				pos[t] += w->chunk;
			}
		}
		r->wall_ns = now_ns() - r->wall_ns;
		if (tracer)
			tracer_stop(tracer);
		read_counters(policy, &r->d1, &r->p1);
		for (t = 0; t < 2; t++) {
			close(go[t][1]);
			waitpid(pids[t], NULL, 0);
			r->dev.faults += msg[t].run.faults;
			r->dev.tlb_misses += msg[t].run.tlb_misses;
			r->dev.migrated_in += msg[t].run.migrated_in;
			r->dev.sim_time_ns += msg[t].run.sim_time_ns;
			r->dev.checksum += msg[t].run.checksum;
			r->errors += msg[t].errors;
		}
		close(done[0]);
		close(done[1]);
	}
	latency_summary(r, keep_lat);
	if (r->traced) {
		/* Marks: the end of each round, chunk (tenants) or run. */
		for (t = 0; t < w->tenants; t++) {
			size_t n = w->t[t].n, nmarks = 0, k;
			size_t *marks = xmalloc((n / (w->chunk ? w->chunk : n) +
						 w->rounds + 2) * sizeof(*marks));

			if (w->rounds) {
				for (k = 0; k < (size_t)w->rounds; k++)
					marks[nmarks++] = w->round_end[k];
			} else if (w->tenants > 1) {
				for (k = w->chunk; k < n; k += w->chunk)
					marks[nmarks++] = k;
				marks[nmarks++] = n;
			} else {
				marks[nmarks++] = n;
			}
			tracer_replay(tracer, pids[t], bases[t], w->t[t].ref, n,
				      w->npages[t], marks, nmarks, &r->ev[t]);
			free(marks);
		}
	}
}

static u64 dd(const struct run_result *r, size_t i)
{
	return r->d1.v[i] - r->d0.v[i];
}

static u64 pd(const struct run_result *r, size_t i)
{
	return r->p1.v[i] >= 0 && r->p0.v[i] >= 0 ? r->p1.v[i] - r->p0.v[i] : 0;
}

static void emit_run(const char *exp, const struct workload *w,
		     const char *policy, int rep, const struct run_result *r)
{
	struct ev_stats ev = { 0 };
	size_t accesses = w->t[0].n + (w->tenants > 1 ? w->t[1].n : 0);
	int t;

	for (t = 0; t < w->tenants; t++) {
		ev.events += r->ev[t].events;
		ev.lost = r->ev[t].lost;
		ev.arrivals += r->ev[t].arrivals;
		ev.departures += r->ev[t].departures;
		ev.demand_in += r->ev[t].demand_in;
		ev.prefetch_in += r->ev[t].prefetch_in;
		ev.prefetch_unused_evicted += r->ev[t].prefetch_unused_evicted;
		ev.prefetch_unused_end += r->ev[t].prefetch_unused_end;
		ev.refaults += r->ev[t].refaults;
		ev.mismatches += r->ev[t].mismatches;
	}
	jbegin(exp);
	jstr("workload", w->name);
	jstr("family", w->family);
	jd("size_x", w->size_x);
	ju("pages", w->npages[0] + (w->tenants > 1 ? w->npages[1] : 0));
	ju("capacity", w->capacity);
	ju("accesses", accesses);
	ju("tenants", w->tenants);
	ju("distinct", w->distinct);
	ju("opt", w->opt);
	ju("lru_sim", w->lru_sim);
	ju("fifo_sim", w->fifo_sim);
	jstr("policy", policy);
	ju("prefetching", policy_prefetches(policy));
	ju("rep", rep);
	ju("traced", r->traced);
	ju("faults", r->dev.faults);
	ju("tlb_misses", r->dev.tlb_misses);
	ju("migrated_in", r->dev.migrated_in);
	ju("sim_time_ns", r->dev.sim_time_ns);
	ju("wall_ns", r->wall_ns);
	ju("errors", r->errors);
	ju("checksum_ok", r->dev.checksum == r->expect_checksum);
	ju("dev_faults", dd(r, 0));
	ju("to_device", dd(r, 1));
	ju("to_host", dd(r, 2));
	ju("evictions", dd(r, 3));
	ju("pages_evicted", dd(r, 4));
	ju("pol_calls", pd(r, 0));
	ju("pol_errors", pd(r, 1));
	ju("pol_refused", pd(r, 2));
	ju("pol_clamped", pd(r, 3));
	ju("pol_prefetched", pd(r, 4));
	ju("pol_victims", pd(r, 5));
	ju("pol_filled", pd(r, 6));
	if (r->traced) {
		ju("events", ev.events);
		ju("events_lost", ev.lost);
		ju("arrivals", ev.arrivals);
		ju("departures", ev.departures);
		ju("demand_in", ev.demand_in);
		ju("prefetch_in", ev.prefetch_in);
		ju("prefetch_unused_evicted", ev.prefetch_unused_evicted);
		ju("prefetch_unused_end", ev.prefetch_unused_end);
		ju("refaults", ev.refaults);
		ju("mismatches", ev.mismatches);
	}
	ju("lat_n", r->lat_n);
	ju("lat_p50_ns", r->lat_p50);
	ju("lat_p90_ns", r->lat_p90);
	ju("lat_p99_ns", r->lat_p99);
	ju("lat_mean_ns", r->lat_mean);
	jend();
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

struct family {
	const char *family;
	double param;
};

struct config {
	bool quick;
	unsigned int reps_shipped;	/* shipped policies: rep 0 traced, then untraced */
	unsigned int reps_combo;	/* prefetch x eviction pairs */
	unsigned int reps_replay;
	unsigned int mem_mb;		/* matrix device */
	const double *sizes;		/* shipped policies, every size */
	int nsizes;
	const double *combo_sizes;	/* pairs: the oversubscribed sizes */
	int ncombo_sizes;
	const struct family *families;
	int nfamilies;
	const char *const *shipped;
	int nshipped;
	const char *const *combos;
	int ncombos;
	u64 hook_accesses;
	int hook_reps;
	int swaps;
	const size_t *scale_n;
	int nscale;
	size_t scale_step;
	const unsigned int *peer_mb;
	int npeer;
	int peer_reps;
	const char *traces[8];
	int ntraces;
	const double *trace_frac;
	int ntrace_frac;
	const char *const *trace_policies;
	int ntrace_policies;
	size_t trace_max_refs;
	unsigned int budget_s;		/* 0: none */
	u64 seed;
};

static const double full_sizes[] = { 0.5, 1.25, 2, 4 };
static const double full_combo_sizes[] = { 1.25, 2 };
static const struct family full_families[] = {
	{ "seq", 0 }, { "stride", 4 }, { "stride", 16 }, { "stride", 128 },
	{ "random", 0 }, { "zipf", 0.8 }, { "zipf", 1.2 }, { "phase", 0 },
	{ "tenants", 0 }, { "cyclic", 0 }, { "cpu-share", 0 },
};
static const char *const full_shipped[] = {
	"default", "lru", "fifo", "lfu", "clock", "mru", "seq", "stride", "tree",
};
static const char *const full_combos[] = {
	"seq_lru", "seq_fifo", "seq_lfu", "seq_clock", "seq_mru",
	"stride_lru", "stride_fifo", "stride_lfu", "stride_clock", "stride_mru",
	"tree_lru", "tree_fifo", "tree_lfu", "tree_clock", "tree_mru",
};
static const size_t full_scale[] = { 1024, 16384, 262144 };
static const unsigned int full_peer[] = { 4, 32, 128 };
static const double full_frac[] = { 0.25, 0.5 };
static const char *const full_trace_policies[] = {
	"default", "lru", "fifo", "mru", "seq", "stride", "tree", "tree_lru",
};

static const double quick_sizes[] = { 2 };
static const struct family quick_families[] = {
	{ "seq", 0 }, { "stride", 16 }, { "random", 0 }, { "zipf", 0.8 },
	{ "phase", 0 }, { "tenants", 0 }, { "cyclic", 0 }, { "cpu-share", 0 },
};
static const char *const quick_shipped[] = { "default", "lru", "mru", "seq" };
static const char *const quick_combos[] = { "stride_fifo" };
static const size_t quick_scale[] = { 1024, 16384 };
static const unsigned int quick_peer[] = { 1, 4 };
static const double quick_frac[] = { 0.5 };
static const char *const quick_trace_policies[] = { "default", "seq", "lru" };

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void config_init(struct config *c, bool quick)
{
	memset(c, 0, sizeof(*c));
	c->quick = quick;
	c->seed = 1;
	if (!quick) {
		c->reps_shipped = 3;
		c->reps_combo = 2;
		c->reps_replay = 2;
		c->mem_mb = 4;
		c->sizes = full_sizes, c->nsizes = N(full_sizes);
		c->combo_sizes = full_combo_sizes;
		c->ncombo_sizes = N(full_combo_sizes);
		c->families = full_families, c->nfamilies = N(full_families);
		c->shipped = full_shipped, c->nshipped = N(full_shipped);
		c->combos = full_combos, c->ncombos = N(full_combos);
		c->hook_accesses = 22000;	/* ~11k faults a round */
		c->hook_reps = 10;		/* rounds: > 100k faults per policy */
		c->swaps = 40;
		c->scale_n = full_scale, c->nscale = N(full_scale);
		c->scale_step = 4096;
		c->peer_mb = full_peer, c->npeer = N(full_peer);
		c->peer_reps = 3;
		c->trace_frac = full_frac, c->ntrace_frac = N(full_frac);
		c->trace_policies = full_trace_policies;
		c->ntrace_policies = N(full_trace_policies);
		c->trace_max_refs = 4000000;
		c->budget_s = 1140;	/* make bench < 25 min in all */
	} else {
		c->reps_shipped = 2;
		c->reps_combo = 2;
		c->reps_replay = 2;
		c->mem_mb = 1;
		c->sizes = quick_sizes, c->nsizes = N(quick_sizes);
		c->combo_sizes = quick_sizes, c->ncombo_sizes = N(quick_sizes);
		c->families = quick_families, c->nfamilies = N(quick_families);
		c->shipped = quick_shipped, c->nshipped = N(quick_shipped);
		c->combos = quick_combos, c->ncombos = N(quick_combos);
		c->hook_accesses = 3000;
		c->hook_reps = 2;
		c->swaps = 6;
		c->scale_n = quick_scale, c->nscale = N(quick_scale);
		c->scale_step = 1024;
		c->peer_mb = quick_peer, c->npeer = N(quick_peer);
		c->peer_reps = 2;
		c->trace_frac = quick_frac, c->ntrace_frac = N(quick_frac);
		c->trace_policies = quick_trace_policies;
		c->ntrace_policies = N(quick_trace_policies);
		c->trace_max_refs = 50000;
		c->budget_s = 0;
	}
}

/* ------------------------------------------------------------------ */
/* Workloads x policies, against OPT: the matrix and the trace replay  */

struct entry {
	struct workload w;
	const char *exp;		/* "matrix" or "replay" */
	unsigned int mem_mb;
	bool oversub;			/* at a size the pairs run at too */
};

/*
 * A tier: policies x entries of one experiment x reps. Tiers run in order
 * against the suite's time budget: first every workload under every
 * shipped policy once (traced), the trace replay, the pairs at the
 * oversubscribed sizes; then the further (untraced) reps. What the budget
 * leaves out is counted in a "skipped" record.
 */
struct tier {
	const char *name;
	const char *exp;
	const char *const *pols;
	int npols;
	bool oversub_only;
	unsigned int rep_lo, rep_hi;
};

static bool demand_ge_opt(const char *policy, const struct workload *w,
			  const struct run_result *r)
{
	/*
	 * Faults of a demand-paging policy, and pages moved to the device
	 * by any policy, are at least OPT's faults at the same capacity.
	 */
	return dd(r, 1) >= w->opt &&
	       (policy_prefetches(policy) || r->dev.faults >= w->opt);
}

static bool tier_has(const struct tier *t, const struct entry *e)
{
	return !strcmp(t->exp, e->exp) && (!t->oversub_only || e->oversub);
}

static unsigned long tier_runs(const struct tier *t, const struct entry *es,
			       int n)
{
	unsigned long runs = 0;
	int i;

	for (i = 0; i < n; i++)
		runs += tier_has(t, &es[i]);
	return runs * t->npols * (t->rep_hi > t->rep_lo ? t->rep_hi - t->rep_lo : 0);
}

/* bad[0]: errors or wrong data; [1]: below OPT; [2]: replay out of step;
 * [3]: policy missing. */
static void run_tier(const struct tier *t, struct entry *es, int n,
		     unsigned long bad[4], u64 deadline)
{
	unsigned long skipped = 0;
	unsigned int rep;
	int p, i;

	for (p = 0; p < t->npols; p++) {
		const char *pol = t->pols[p];
		bool selected = false, avail = policy_available(pol);

		if (!avail) {
			fprintf(stderr, "# policy %s is not loaded: skipped\n", pol);
			bad[3]++;
		}
		for (i = 0; i < n; i++) {
			struct entry *e = &es[i];

			if (!tier_has(t, e))
				continue;
			for (rep = t->rep_lo; rep < t->rep_hi; rep++) {
				struct run_result r;
				char what[128];

				if (!avail || (deadline && now_ns() > deadline)) {
					skipped += avail;
					progress_step("skipped");
					continue;
				}
				if (!selected) {
					policy_use(pol);
					selected = true;
				}
				gmem_sim_load(e->mem_mb);
				run_workload(&e->w, pol, rep == 0, &r, false);
				emit_run(e->exp, &e->w, pol, rep, &r);
				bad[0] += r.errors ||
					  r.dev.checksum != r.expect_checksum;
				bad[1] += !demand_ge_opt(pol, &e->w, &r);
				if (r.traced) {
					u64 arr = 0, mis = 0;
					int k;

					for (k = 0; k < e->w.tenants; k++) {
						arr += r.ev[k].arrivals;
						mis += r.ev[k].mismatches;
					}
					bad[2] += mis || r.ev[0].lost ||
						  arr != dd(&r, 1);
				}
				snprintf(what, sizeof(what), "%s %s %.3gx rep %u",
					 pol, e->w.name, e->w.size_x, rep);
				progress_step(what);
			}
		}
	}
	policy_use("default");
	if (skipped) {
		fprintf(stderr, "# [%s] %lu runs skipped: the time budget is spent\n",
			t->name, skipped);
		jbegin("skipped");
		jstr("tier", t->name);
		ju("runs", skipped);
		jend();
	}
}

static void emit_workload(const struct entry *e, const char *file)
{
	const struct workload *w = &e->w;

	jbegin("workload");
	jstr("part", e->exp);
	jstr("workload", w->name);
	jstr("family", w->family);
	if (file)
		jstr("file", file);
	jd("size_x", w->size_x);
	ju("capacity", w->capacity);
	ju("pages", w->npages[0] + w->npages[1]);
	ju("accesses", w->t[0].n + w->t[1].n);
	ju("distinct", w->distinct);
	ju("opt", w->opt);
	ju("lru_sim", w->lru_sim);
	ju("fifo_sim", w->fifo_sim);
	jend();
}

static bool in_sizes(double x, const double *sizes, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (fabs(sizes[i] - x) < 1e-9)
			return true;
	return false;
}

/* The matrix's workloads: every family at every size (cyclic and cpu-share
 * at 1.25x, by definition). */
static int matrix_entries(const struct config *c, struct entry *es)
{
	size_t cap = (size_t)c->mem_mb * 256;
	int n = 0, f, s;

	for (f = 0; f < c->nfamilies; f++) {
		for (s = 0; s < c->nsizes; s++) {
			const struct family *fam = &c->families[f];
			double x = c->sizes[s];
			struct entry *e = &es[n];

			if (!strcmp(fam->family, "cyclic") ||
			    !strcmp(fam->family, "cpu-share")) {
				if (s)
					continue;
				x = 1.25;
			}
			if (workload_make(&e->w, fam->family, fam->param, x, cap,
					  c->seed))
				die("workload %s", fam->family);
			workload_opt(&e->w);
			e->exp = "matrix";
			e->mem_mb = c->mem_mb;
			e->oversub = in_sizes(x, c->combo_sizes, c->ncombo_sizes);
			emit_workload(e, NULL);
			n++;
		}
	}
	return n;
}

/* A trace at each capacity: fractions of its distinct pages, whole MiB. */
static int trace_entries(const struct config *c, const char *path,
			 enum trace_format fmt, const unsigned int *force_mb,
			 struct entry *es, int max)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct refs r = { 0 };
	unsigned int mbs[8];
	int n = 0, nmb = 0, f, i;
	long d;

	d = trace_load(path, fmt, &r, c->trace_max_refs);
	if (d <= 0) {
		fprintf(stderr, "gmem-bench: %s: %s\n", path,
			d < 0 ? strerror(errno) : "empty");
		return -1;
	}
	if (force_mb) {
		mbs[nmb++] = *force_mb;
	} else {
		for (f = 0; f < c->ntrace_frac && nmb < 8; f++) {
			unsigned int mb = (unsigned int)(d * c->trace_frac[f] /
							 256 + 0.5);

			mb = mb ? mb : 1;
			if ((long)mb * 256 >= d || (nmb && mbs[nmb - 1] == mb))
				continue;
			mbs[nmb++] = mb;
		}
	}
	for (i = 0; i < nmb && n < max; i++) {
		struct entry *e = &es[n++];
		struct workload *w = &e->w;

		memset(e, 0, sizeof(*e));
		snprintf(w->name, sizeof(w->name), "trace:%.*s",
			 (int)(strcspn(base, ".") < 40 ? strcspn(base, ".") : 40),
			 base);
		snprintf(w->family, sizeof(w->family), "trace");
		w->tenants = 1;
		w->npages[0] = d;
		w->capacity = (size_t)mbs[i] * 256;
		w->size_x = (double)d / w->capacity;
		w->t[0].n = w->t[0].cap = r.n;
		w->t[0].ref = xmalloc(r.n * sizeof(u64));
		memcpy(w->t[0].ref, r.ref, r.n * sizeof(u64));
		workload_opt(w);
		e->exp = "replay";
		e->mem_mb = mbs[i];
		e->oversub = true;
		emit_workload(e, path);
		fprintf(stderr, "# trace %s: %zu references, %ld pages; device %u MiB (%zu pages): OPT %llu faults, LRU %llu, FIFO %llu\n",
			path, r.n, d, mbs[i], w->capacity,
			(unsigned long long)w->opt,
			(unsigned long long)w->lru_sim,
			(unsigned long long)w->fifo_sim);
	}
	refs_free(&r);
	return n;
}

static void run_tiers(const struct tier *tiers, int ntiers, struct entry *es,
		      int n, u64 deadline, unsigned long bad[2][4])
{
	unsigned long total = 0;
	int t;

	for (t = 0; t < ntiers; t++)
		total += tier_runs(&tiers[t], es, n);
	progress_begin("matrix+replay", total);
	for (t = 0; t < ntiers; t++) {
		if (!tier_runs(&tiers[t], es, n))
			continue;
		fprintf(stderr, "# [%s] %lu runs\n", tiers[t].name,
			tier_runs(&tiers[t], es, n));
		run_tier(&tiers[t], es, n,
			 bad[!strcmp(tiers[t].exp, "replay")], deadline);
	}
}

static void exp_workloads(const struct config *c, bool matrix, bool replay,
			  u64 deadline)
{
	const struct tier tiers[] = {
		{ "matrix: shipped policies, every size, rep 0 (traced)", "matrix",
		  c->shipped, c->nshipped, false, 0, 1 },
		{ "replay: rep 0 (traced)", "replay",
		  c->trace_policies, c->ntrace_policies, false, 0, 1 },
		{ "matrix: prefetch x eviction pairs, oversubscribed sizes, rep 0 (traced)",
		  "matrix", c->combos, c->ncombos, true, 0, 1 },
		{ "matrix: shipped policies, more reps", "matrix",
		  c->shipped, c->nshipped, false, 1, c->reps_shipped },
		{ "matrix: pairs, more reps", "matrix",
		  c->combos, c->ncombos, true, 1, c->reps_combo },
		{ "replay: more reps", "replay",
		  c->trace_policies, c->ntrace_policies, false, 1, c->reps_replay },
	};
	int max = c->nfamilies * c->nsizes + 8 * 8, n = 0, i, k;
	struct entry *es = xcalloc(max, sizeof(*es));
	unsigned long bad[2][4] = { { 0 } };
	int ntr = 0;

	if (matrix)
		n = matrix_entries(c, es);
	for (i = 0; replay && i < c->ntraces; i++) {
		k = trace_entries(c, c->traces[i], TRACE_AUTO, NULL, es + n,
				  max - n);
		if (k < 0)
			bad[1][0]++;
		else
			n += k, ntr++;
	}
	run_tiers(tiers, N(tiers), es, n, deadline, bad);
	if (matrix) {
		check(!bad[0][0], "matrix: %d shipped policies at %d sizes, %d pairs at %d, %d workload families: data checked on every run (%lu bad)",
		      c->nshipped, c->nsizes, c->ncombos, c->ncombo_sizes,
		      c->nfamilies, bad[0][0]);
		check(!bad[0][1], "matrix: pages moved >= OPT, and demand faults >= OPT, on every run (%lu not)",
		      bad[0][1]);
		check(!bad[0][2], "matrix: event replay in step with the reference string, nothing lost, arrivals == migrations (%lu runs not)",
		      bad[0][2]);
		check(!bad[0][3], "matrix: every policy loaded (%lu missing)",
		      bad[0][3]);
	}
	if (replay) {
		check(ntr > 0 && ntr == c->ntraces && !bad[1][0] && !bad[1][3],
		      "replay: %d of %d trace(s) replayed under %d policies, data checked (%lu bad)",
		      ntr, c->ntraces, c->ntrace_policies, bad[1][0] + bad[1][3]);
		check(!bad[1][1], "replay: pages moved >= OPT, demand faults >= OPT (%lu not)",
		      bad[1][1]);
		check(!bad[1][2], "replay: event replay in step (%lu runs not)",
		      bad[1][2]);
	}
	for (i = 0; i < n; i++)
		workload_free(&es[i].w);
	free(es);
}

/* ------------------------------------------------------------------ */
/* Experiment: migration throughput, gmem_sim against test_hmm         */

static bool buffer_ok(const u64 *buf, size_t npages)
{
	size_t p;

	for (p = 0; p < npages; p++)
		if (buf[p * (PAGE_4K / 8)] != p * FILL_MUL ||
		    buf[p * (PAGE_4K / 8) + 511] != p * FILL_MUL + 511)
			return false;
	return true;
}

static void fill_plain(u64 *buf, size_t npages)
{
	size_t p, i;

	for (p = 0; p < npages; p++)
		for (i = 0; i < PAGE_4K / 8; i++)
			buf[p * (PAGE_4K / 8) + i] = p * FILL_MUL + i;
}

static void exp_peer(const struct config *c)
{
	unsigned int max_mb = 0;
	int i, s, rep, hnid, ok_gmem = 0, ok_hmm = 0, bad = 0;
	bool have_hmm = !access("/dev/hmm_dmirror0", R_OK | W_OK);

	for (s = 0; s < c->npeer; s++)
		if (c->peer_mb[s] > max_mb)
			max_mb = c->peer_mb[s];
	gmem_sim_load(max_mb + 8);
	hnid = device_hnid();
	progress_begin("peer", c->npeer * (c->peer_reps + 1) * 2);
	for (s = 0; s < c->npeer; s++) {
		size_t size = (size_t)c->peer_mb[s] << 20;
		size_t npages = size / PAGE_4K;

		/* Rep 0 warms up (test_hmm allocates its device memory then). */
		for (rep = 0; rep <= c->peer_reps; rep++) {
			for (i = 0; i < 2; i++) {
				u64 t0, to_dev = 0, to_host = 0, readback = 0;
				bool ok;
				u64 *buf;

				if (i == 0) {
					int fd = dev_open();
					long long used;

					buf = peer_buffer(npages, true);
					t0 = now_ns();
					if (hmadvise(hnid, buf, size, MADV_PREFETCH))
						die("hmadvise(MADV_PREFETCH to the device): %s",
						    strerror(errno));
					to_dev = now_ns() - t0;
					used = sysfs_long(SYS_DEV "mem_used");
					t0 = now_ns();
					if (hmadvise(0, buf, size, MADV_PREFETCH))
						die("hmadvise(MADV_PREFETCH to node 0): %s",
						    strerror(errno));
					to_host = now_ns() - t0;
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
					fill_plain(buf, npages);
					memset(bounce, 0, size);
					cmd.addr = (uintptr_t)buf;
					cmd.ptr = (uintptr_t)bounce;
					cmd.npages = npages;
					t0 = now_ns();
					if (ioctl(fd, HMM_DMIRROR_MIGRATE_TO_DEV, &cmd))
						die("HMM_DMIRROR_MIGRATE_TO_DEV: %s", strerror(errno));
					to_dev = now_ns() - t0;
					ok = cmd.cpages == npages;
					/* What its to-device ioctl spends reading back. */
					cmd.cpages = 0;
					t0 = now_ns();
					if (ioctl(fd, HMM_DMIRROR_READ, &cmd))
						die("HMM_DMIRROR_READ: %s", strerror(errno));
					readback = now_ns() - t0;
					cmd.cpages = 0;
					t0 = now_ns();
					if (ioctl(fd, HMM_DMIRROR_MIGRATE_TO_SYS, &cmd))
						die("HMM_DMIRROR_MIGRATE_TO_SYS: %s", strerror(errno));
					to_host = now_ns() - t0;
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
				jstr("driver", i == 0 ? "gmem_sim" : "test_hmm");
				ju("size_mb", c->peer_mb[s]);
				ju("rep", rep);
				ju("warmup", rep == 0);
				ju("to_device_ns", to_dev);
				ju("to_host_ns", to_host);
				ju("readback_ns", readback);
				ju("ok", ok);
				jend();
				progress_step(i == 0 ? "gmem_sim" : "test_hmm");
			}
		}
	}
	check(!bad && ok_gmem && ok_hmm,
	      "peer: gmem_sim (%d runs) and test_hmm (%d runs) moved every page there and back, data checked (%d bad)",
	      ok_gmem, ok_hmm, bad);
}

/* ------------------------------------------------------------------ */
/* Experiment: hook overhead, the same LRU in C and in BPF             */

#define HOOK_MAX_ROUNDS 32

static double median_d(double *v, int n)
{
	int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : NAN;
}

/*
 * Short rounds, each running the three policies in a rotating order, so
 * that a host whose load drifts (TCG shares the CPUs) affects all three
 * alike; besides the pooled percentiles, the median over rounds of each
 * round's ratio to the C default.
 */
static void exp_hook(const struct config *c)
{
	static const char *const pols[] = { "default", "lru", "none" };
	struct workload w;
	size_t cap = (size_t)c->mem_mb * 256;
	long long thrash = sysfs_long(SYS_GMEM "thrash_threshold");
	u32 *all[3] = { 0 };
	size_t nall[3] = { 0 }, i;
	u64 rp50[3][HOOK_MAX_ROUNDS] = { { 0 } }, rp99[3][HOOK_MAX_ROUNDS] = { { 0 } };
	u64 wall[3] = { 0 }, fsum[3] = { 0 }, f0[3] = { 0 };
	int p, k, rep, rounds = c->hook_reps, bad = 0, same_faults = 1;
	char buf[32];

	if (rounds > HOOK_MAX_ROUNDS)
		rounds = HOOK_MAX_ROUNDS;
	gmem_sim_load(c->mem_mb);
	/* Thrashing protection is the C default's alone: off, both are pure LRU. */
	sysfs_write(SYS_GMEM "thrash_threshold", "0");
	memset(&w, 0, sizeof(w));
	snprintf(w.name, sizeof(w.name), "random");
	snprintf(w.family, sizeof(w.family), "random");
	w.tenants = 1;
	w.capacity = cap;
	w.size_x = 2;
	w.npages[0] = 2 * cap;
	{
		u64 rng = c->seed * 77 + 5;

		for (i = 0; i < c->hook_accesses; i++)
			refs_push(&w.t[0], rng_next(&rng) % w.npages[0]);
	}
	w.opt = opt_faults(w.t[0].ref, w.t[0].n, w.npages[0], cap);
	progress_begin("hook", 3 * rounds);
	for (rep = 0; rep < rounds; rep++) {
		for (k = 0; k < 3; k++) {
			struct run_result r;

			p = (rep + k) % 3;
			if (!policy_available(pols[p])) {
				bad++;
				progress_step("missing");
				continue;
			}
			policy_use(pols[p]);
			run_workload(&w, pols[p], false, &r, true);
			emit_run("hook-run", &w, pols[p], rep, &r);
			all[p] = realloc(all[p], (nall[p] + r.lat_n) * sizeof(u32));
			if (r.lat_n && !all[p])
				die("out of memory");
			memcpy(all[p] + nall[p], r.lat, r.lat_n * sizeof(u32));
			nall[p] += r.lat_n;
			free(r.lat);
			rp50[p][rep] = r.lat_p50;
			rp99[p][rep] = r.lat_p99;
			fsum[p] += r.dev.faults;
			if (!rep)
				f0[p] = r.dev.faults;
			wall[p] += r.wall_ns;
			bad += r.errors || r.dev.checksum != r.expect_checksum;
			progress_step(pols[p]);
		}
	}
	policy_use("default");
	snprintf(buf, sizeof(buf), "%lld", thrash < 0 ? 3 : thrash);
	sysfs_write(SYS_GMEM "thrash_threshold", buf);
	for (p = 0; p < 3; p++) {
		double r50[HOOK_MAX_ROUNDS], r99[HOOK_MAX_ROUNDS];
		u64 sum = 0;
		int n = 0;

		same_faults &= fsum[p] == fsum[0];
		for (rep = 0; rep < rounds; rep++) {
			if (!rp50[0][rep] || !rp50[p][rep])
				continue;
			r50[n] = (double)rp50[p][rep] / rp50[0][rep];
			r99[n] = (double)rp99[p][rep] / rp99[0][rep];
			n++;
		}
		qsort(all[p], nall[p], sizeof(u32), cmp_u32);
		for (i = 0; i < nall[p]; i++)
			sum += all[p][i];
		jbegin("hook");
		jstr("policy", pols[p]);
		jstr("what", p == 0 ? "C built-in LRU" :
			     p == 1 ? "the same LRU in BPF (evict_lru)" :
				      "C LRU + an empty BPF prefetch hook (prefetch_none)");
		ju("rounds", rounds);
		ju("accesses_per_round", w.t[0].n);
		ju("opt_per_round", w.opt);
		ju("faults", fsum[p]);
		ju("faults_round0", f0[p]);
		ju("samples", nall[p]);
		ju("mean_ns", nall[p] ? sum / nall[p] : 0);
		ju("p10_ns", pct_u32(all[p], nall[p], 0.10));
		ju("p25_ns", pct_u32(all[p], nall[p], 0.25));
		ju("p50_ns", pct_u32(all[p], nall[p], 0.50));
		ju("p75_ns", pct_u32(all[p], nall[p], 0.75));
		ju("p90_ns", pct_u32(all[p], nall[p], 0.90));
		ju("p95_ns", pct_u32(all[p], nall[p], 0.95));
		ju("p99_ns", pct_u32(all[p], nall[p], 0.99));
		ju("p999_ns", pct_u32(all[p], nall[p], 0.999));
		ju("wall_per_fault_ns", fsum[p] ? wall[p] / fsum[p] : 0);
		jd("p50_ratio_rounds_median", median_d(r50, n));
		jd("p99_ratio_rounds_median", median_d(r99, n));
		jd("p50_ratio_rounds_min", n ? r50[0] : NAN);
		jd("p50_ratio_rounds_max", n ? r50[n - 1] : NAN);
		jend();
		free(all[p]);
	}
	workload_free(&w);
	check(!bad && nall[0] && nall[1],
	      "hook: C and BPF LRU ran, %zu and %zu fault latencies (%d bad)",
	      nall[0], nall[1], bad);
	check(same_faults, "hook: the C and BPF LRU took the same faults (%llu and %llu)",
	      (unsigned long long)fsum[0], (unsigned long long)fsum[1]);
}

/* ------------------------------------------------------------------ */
/* Experiment: policy swap latency, idle and under load                */

struct load_state {
	volatile int stop;
	volatile u64 faults, runs, errors;
};

static void swap_load(struct load_state *ls, size_t npages)
{
	int fd = dev_open();
	void *buf = peer_buffer(npages, true);
	struct gmem_sim_run run = {
		.addr = (uintptr_t)buf,
		.size = npages * PAGE_4K,
		.pattern = GMEM_SIM_RANDOM,
		.op = GMEM_SIM_READ,
		.accesses = 1024,
		.stride = 1,
	};

	while (!ls->stop) {
		run.seed++;
		if (ioctl(fd, GMEM_SIM_IOC_RUN, &run))
			ls->errors++;
		ls->faults += run.faults;
		ls->runs++;
	}
	_exit(0);
}

static void exp_swap(const struct config *c)
{
	static const char *const pair[2] = { "lru", "fifo" };
	size_t cap = (size_t)c->mem_mb * 256;
	struct load_state *ls;
	u64 *lat = xcalloc(c->swaps, sizeof(u64));
	int phase, i, bad = 0;
	pid_t pid = 0;

	if (!policy_available(pair[0]) || !policy_available(pair[1])) {
		check(false, "swap: policies %s and %s loaded", pair[0], pair[1]);
		return;
	}
	gmem_sim_load(c->mem_mb);
	ls = mmap(NULL, sizeof(*ls), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ls == MAP_FAILED)
		die("mmap");
	progress_begin("swap", 2 * c->swaps);
	for (phase = 0; phase < 2; phase++) {
		u64 f0 = 0, f1, sum = 0;

		memset(ls, 0, sizeof(*ls));
		policy_use("default");
		if (phase == 1) {
			pid = fork();
			if (pid < 0)
				die("fork");
			if (!pid)
				swap_load(ls, 2 * cap);
			/* Until the device is full and evicting. */
			while (ls->faults < 2 * cap && !ls->errors)
				usleep(10000);
			f0 = ls->faults;
		}
		for (i = 0; i < c->swaps; i++) {
			lat[i] = policy_use(pair[i % 2]);
			sum += lat[i];
			usleep(20000);
			progress_step(phase ? "under load" : "idle");
		}
		f1 = ls->faults;
		if (phase == 1) {
			ls->stop = 1;
			waitpid(pid, NULL, 0);
			bad += !!ls->errors || f1 == f0;
		}
		policy_use("default");
		qsort(lat, c->swaps, sizeof(u64), cmp_u64);
		jbegin("swap");
		jstr("load", phase ? "device random reads, 2x capacity" : "none");
		jstr("policies", "lru<->fifo");
		ju("swaps", c->swaps);
		ju("p50_ns", pct_u64(lat, c->swaps, 0.5));
		ju("p90_ns", pct_u64(lat, c->swaps, 0.9));
		ju("p99_ns", pct_u64(lat, c->swaps, 0.99));
		ju("max_ns", lat[c->swaps - 1]);
		ju("mean_ns", sum / c->swaps);
		ju("load_faults_during", f1 - f0);
		ju("load_errors", ls->errors);
		ju("capacity", cap);
		jend();
	}
	munmap(ls, sizeof(*ls));
	free(lat);
	check(!bad, "swap: %d swaps idle and %d under load, the load kept faulting without errors",
	      c->swaps, c->swaps);
}

/* ------------------------------------------------------------------ */
/* Experiment: per-fault cost against resident pages                   */

static void exp_scale(const struct config *c)
{
	int s, phase, bad = 0;

	progress_begin("scale", c->nscale * 3);
	policy_use("default");
	for (s = 0; s < c->nscale; s++) {
		size_t n = c->scale_n[s], step = c->scale_step;
		unsigned int mb = (n + step + 255) / 256;
		size_t total = n + 2 * step;
		int pids[1] = { getpid() }, fd;
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
			u64 t0, ev0 = sysfs_long(SYS_DEV "pages_evicted");

			tracer_start(tracer, pids, 1, false);
			t0 = now_ns();
			if (ioctl(fd, GMEM_SIM_IOC_RUN, &run))
				bad++;
			r.wall_ns = now_ns() - t0;
			tracer_stop(tracer);
			latency_summary(&r, false);
			jbegin("scale");
			ju("resident", phase == 0 ? 0 : n + (phase - 1) * step);
			ju("n", n);
			jstr("phase", phase == 0 ? "fill" : phase == 1 ?
			     "fault, free frames" : "fault, device full (evicting)");
			ju("capacity", (size_t)mb * 256);
			ju("faults", run.faults);
			ju("pages_evicted", sysfs_long(SYS_DEV "pages_evicted") - ev0);
			ju("wall_ns", r.wall_ns);
			ju("wall_per_fault_ns", run.faults ? r.wall_ns / run.faults : 0);
			ju("lat_n", r.lat_n);
			ju("lat_p50_ns", r.lat_p50);
			ju("lat_p90_ns", r.lat_p90);
			ju("lat_p99_ns", r.lat_p99);
			ju("lat_mean_ns", r.lat_mean);
			jend();
			bad += run.faults != len || !r.lat_n;
			progress_step("scale");
		}
		munmap(buf, total * PAGE_4K);
		close(fd);
	}
	check(!bad, "scale: %d sizes, every page faulted in once, latencies recorded (%d bad)",
	      c->nscale, bad);
}

/* ------------------------------------------------------------------ */
/* Experiment: OPT itself, against an exhaustive search                */

static void exp_opt(const struct config *c)
{
	unsigned long strings = 20000;
	double secs;
	int bad = opt_check(strings, c->seed, &secs);

	jbegin("opt");
	ju("strings", strings);
	ju("differ", bad);
	jd("seconds_10m_refs", secs);
	jend();
	check(!bad, "opt: Belady's OPT equals an exhaustive search on %lu random strings (%d differ); 10M references in %.2f s",
	      strings, bad, secs);
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

static int cmd_suite(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "tap", no_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "reps", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'O' },
		{ "trace", required_argument, NULL, 'T' },
		{ "driver", required_argument, NULL, 'd' },
		{ "policies", required_argument, NULL, 'p' },
		{ "budget", required_argument, NULL, 'b' },
		{}
	};
	const char *outpath = "build/bench/raw.jsonl", *only = NULL;
	const char *pols[32];
	int npols = 0;
	struct config c;
	bool quick = false, tap = false;
	unsigned int reps = 0;
	long budget = -1;
	u64 deadline = 0;
	const char *traces[8];
	int ntraces = 0, opt, i, failed = 0;

	while ((opt = getopt_long(argc, argv, "qto:r:O:T:d:p:b:", opts, NULL)) != -1) {
		switch (opt) {
		case 'q': quick = true; break;
		case 't': tap = true; break;
		case 'o': outpath = optarg; break;
		case 'r': reps = strtoul(optarg, NULL, 0); break;
		case 'O': only = optarg; break;
		case 'T':
			if (ntraces < 8)
				traces[ntraces++] = optarg;
			break;
		case 'd': driver_ko = optarg; break;
		case 'b': budget = strtol(optarg, NULL, 0); break;
		case 'p':
			npols = split_list(optarg, pols, 32);
			break;
		default:
			fprintf(stderr, "usage: gmem-bench suite [--quick] [--tap] [--out FILE] [--reps N] [--only opt,matrix,replay,hook,swap,scale,peer] [--trace FILE]... [--policies P,...] [--budget SECONDS] [--driver KO]\n");
			return 2;
		}
	}
	config_init(&c, quick);
	/* --policies: these, at every size, instead of shipped and pairs. */
	if (npols) {
		c.shipped = pols;
		c.nshipped = npols;
		c.ncombos = 0;
	}
	if (reps)
		c.reps_shipped = c.reps_combo = c.reps_replay = reps;
	if (budget >= 0)
		c.budget_s = budget;
	for (i = 0; i < ntraces; i++)
		c.traces[c.ntraces++] = traces[i];
	out = open_out(outpath);
	prog.suite_start = now_ns();
	tracer = tracer_open();
	if (!tracer)
		die("the tracer is needed (run as root in the guest)");
	if (c.budget_s)
		deadline = prog.suite_start + c.budget_s * 1000000000ULL;
	jbegin("config");
	ju("quick", quick);
	ju("reps_shipped", c.reps_shipped);
	ju("reps_pairs", c.reps_combo);
	ju("reps_replay", c.reps_replay);
	ju("matrix_capacity_pages", (size_t)c.mem_mb * 256);
	ju("budget_s", c.budget_s);
	jend();

	/* Fixed-size experiments first, then the workload tiers until the budget. */
#define WANT(x) (!only || strstr(only, x))
	if (WANT("opt"))
		exp_opt(&c);
	if (WANT("hook"))
		exp_hook(&c);
	if (WANT("swap"))
		exp_swap(&c);
	if (WANT("scale"))
		exp_scale(&c);
	if (WANT("peer"))
		exp_peer(&c);
	if (WANT("matrix") || WANT("replay"))
		exp_workloads(&c, WANT("matrix"), WANT("replay"), deadline);
#undef WANT
	/* The module parameters of the cost model, for the report. */
	jbegin("params");
	ju("fault_latency_ns", sysfs_long("/sys/module/gmem_sim/parameters/fault_latency_ns"));
	ju("link_mbps", sysfs_long("/sys/module/gmem_sim/parameters/link_mbps"));
	ju("access_ns", sysfs_long("/sys/module/gmem_sim/parameters/access_ns"));
	ju("suite_s", (now_ns() - prog.suite_start) / 1000000000ULL);
	jend();
	gmem_sim_unload();
	tracer_close(tracer);
	fclose(out);

	if (tap) {
		printf("1..%d\n", nchecks);
		for (i = 0; i < nchecks; i++)
			printf("%sok %d - %s\n", checks[i].ok ? "" : "not ",
			       i + 1, checks[i].name);
	}
	for (i = 0; i < nchecks; i++)
		failed += !checks[i].ok;
	fprintf(stderr, "# suite done in %.0f s, %d of %d checks failed\n",
		(now_ns() - prog.suite_start) / 1e9, failed, nchecks);
	return failed ? 1 : 0;
}

static enum trace_format parse_format(const char *s)
{
	if (!strcmp(s, "text"))
		return TRACE_TEXT;
	if (!strcmp(s, "raw"))
		return TRACE_RAW;
	if (!strcmp(s, "auto"))
		return TRACE_AUTO;
	die("unknown trace format '%s' (auto, text, raw)", s);
}

static int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem-mb", required_argument, NULL, 'm' },
		{ "policies", required_argument, NULL, 'p' },
		{ "reps", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "max-refs", required_argument, NULL, 'M' },
		{ "out", required_argument, NULL, 'o' },
		{ "driver", required_argument, NULL, 'd' },
		{}
	};
	const char *pols[32] = { "default" }, *outpath = "/dev/stdout";
	enum trace_format fmt = TRACE_AUTO;
	unsigned long bad[2][4] = { { 0 } };
	unsigned int mem_mb = 0;
	struct entry es[1];
	struct config c;
	int npols = 1, opt, n;
	char *list = NULL;

	config_init(&c, false);
	c.reps_replay = 1;
	while ((opt = getopt_long(argc, argv, "m:p:r:f:M:o:d:", opts, NULL)) != -1) {
		switch (opt) {
		case 'm': mem_mb = strtoul(optarg, NULL, 0); break;
		case 'p': list = optarg; break;
		case 'r': c.reps_replay = strtoul(optarg, NULL, 0); break;
		case 'f': fmt = parse_format(optarg); break;
		case 'M': c.trace_max_refs = strtoull(optarg, NULL, 0); break;
		case 'o': outpath = optarg; break;
		case 'd': driver_ko = optarg; break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || !c.reps_replay) {
		fprintf(stderr, "usage: gmem-bench replay TRACE [--mem-mb M] [--policies P,...] [--reps N] [--format auto|text|raw] [--max-refs N] [--out FILE]\n");
		return 2;
	}
	if (list)
		npols = split_list(list, pols, 32);
	out = open_out(outpath);
	prog.suite_start = now_ns();
	/* Default capacity: half the trace's distinct pages. */
	if (!mem_mb) {
		static const double half[] = { 0.5 };

		c.trace_frac = half;
		c.ntrace_frac = 1;
	}
	n = trace_entries(&c, argv[optind], fmt, mem_mb ? &mem_mb : NULL, es, 1);
	if (n <= 0)
		return 1;
	tracer = tracer_open();
	{
		const struct tier tiers[] = {
			{ "replay", "replay", pols, npols, false, 0, c.reps_replay },
		};

		run_tiers(tiers, 1, es, n, 0, bad);
	}
	workload_free(&es[0].w);
	gmem_sim_unload();
	tracer_close(tracer);
	fclose(out);
	return bad[1][0] || bad[1][1] || bad[1][3] ? 1 : 0;
}

static int cmd_opt(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "capacity", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{}
	};
	enum trace_format fmt = TRACE_AUTO;
	size_t cap = 0;
	struct refs r = { 0 };
	long d;
	int opt;
	u64 t0;

	while ((opt = getopt_long(argc, argv, "c:f:", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': cap = strtoull(optarg, NULL, 0); break;
		case 'f': fmt = parse_format(optarg); break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || !cap) {
		fprintf(stderr, "usage: gmem-bench opt TRACE --capacity PAGES [--format auto|text|raw]\n");
		return 2;
	}
	d = trace_load(argv[optind], fmt, &r, SIZE_MAX);
	if (d < 0)
		die("%s: %s", argv[optind], strerror(errno));
	t0 = now_ns();
	printf("references %zu\ndistinct_pages %ld\ncapacity %zu\nopt_faults %llu\n",
	       r.n, d, cap, (unsigned long long)opt_faults(r.ref, r.n, d, cap));
	printf("opt_seconds %.3f\n", (now_ns() - t0) / 1e9);
	printf("lru_faults %llu\nfifo_faults %llu\n",
	       (unsigned long long)lru_faults(r.ref, r.n, d, cap),
	       (unsigned long long)fifo_faults(r.ref, r.n, d, cap));
	refs_free(&r);
	return 0;
}

static int cmd_opt_check(int argc, char **argv)
{
	unsigned long strings = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	double secs;
	int bad = opt_check(strings, 1, &secs);

	printf("opt-check: %d of %lu random strings differ from the exhaustive search; 10M references in %.2f s\n",
	       bad, strings, secs);
	return bad ? 1 : 0;
}

static int cmd_convert(int argc, char **argv)
{
	bool instr = argc > 1 && !strcmp(argv[1], "--instr");

	return lackey_convert(stdin, stdout, instr) ? 1 : 0;
}

/* The BPF policies a suite run uses, one per line (bench/guest.sh loads them). */
static int cmd_policies(int argc, char **argv)
{
	static const char *const extra[] = { "lru", "none", "fifo" };
	const char *seen[64];
	struct config c;
	int n = 0, i, k, lists;

	config_init(&c, argc > 1 && !strcmp(argv[1], "--quick"));
	for (lists = 0; lists < 4; lists++) {
		const char *const *l = lists == 0 ? c.shipped :
				       lists == 1 ? c.combos :
				       lists == 2 ? c.trace_policies : extra;
		int nl = lists == 0 ? c.nshipped : lists == 1 ? c.ncombos :
			 lists == 2 ? c.ntrace_policies : N(extra);

		for (i = 0; i < nl; i++) {
			for (k = 0; k < n && strcmp(seen[k], l[i]); k++)
				;
			if (k == n && n < 64 && strcmp(l[i], "default")) {
				seen[n++] = l[i];
				printf("%s\n", l[i]);
			}
		}
	}
	return 0;
}

/* The TSC frequency against CLOCK_MONOTONIC_RAW over half a second. */
static int cmd_tsc_khz(void)
{
	struct timespec a, b;
	unsigned int lo, hi;
	u64 t0, t1, ns;

	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	t0 = (u64)hi << 32 | lo;
	usleep(500000);
	clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	t1 = (u64)hi << 32 | lo;
	ns = (b.tv_sec - a.tv_sec) * 1000000000ULL + b.tv_nsec - a.tv_nsec;
	printf("%llu\n", (unsigned long long)((t1 - t0) * 1000000ULL / ns));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: gmem-bench suite|replay|opt|opt-check|convert-lackey|tsc-khz|policies ... (see bench/README.md)\n");
		return 2;
	}
	out = stdout;
	debug = getenv("GMEM_BENCH_DEBUG");
	if (!strcmp(argv[1], "suite"))
		return cmd_suite(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return cmd_replay(argc - 1, argv + 1);
	if (!strcmp(argv[1], "opt"))
		return cmd_opt(argc - 1, argv + 1);
	if (!strcmp(argv[1], "opt-check"))
		return cmd_opt_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "convert-lackey"))
		return cmd_convert(argc - 1, argv + 1);
	if (!strcmp(argv[1], "tsc-khz"))
		return cmd_tsc_khz();
	if (!strcmp(argv[1], "policies"))
		return cmd_policies(argc - 1, argv + 1);
	fprintf(stderr, "gmem-bench: unknown command '%s'\n", argv[1]);
	return 2;
}
