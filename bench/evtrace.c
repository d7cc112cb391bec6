// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's tracer (bench/bpf/bench_trace.bpf.c) and the replay that
 * tells which prefetched pages were used.
 *
 * Fault latencies come from the gmem:gmem_fault tracepoint (tp_btf) into
 * an mmapable array. Page events (fault entered, migration to the device
 * with its reason, page on the device, page off it) come from fentry
 * probes through a ring buffer, drained by a thread while the device runs.
 *
 * The device's hits leave no event, but its reference string is known: a
 * fault at page P means every reference before the next reference to P was
 * a hit on a resident page. Replaying the events in order against the
 * string therefore knows, exactly, whether each prefetched page was
 * referenced before it left the device. A fault the string does not
 * explain (a retried fault) is counted in mismatches, which should be 0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "bench.h"
#include "bench_trace.h"
#include "bench_trace.skel.h"
#include "gmem/hmadvise.h"

struct tracer {
	struct bench_trace *skel;
	struct bpf_link *lat_link, *mark_link;
	struct bpf_link *ev_links[4];
	struct ring_buffer *rb;
	u64 *lat;
	size_t lat_size;
	struct bench_ev *ev;
	size_t nev, cap;
	pthread_t thread;
	volatile int running;
	bool events, attached;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;

	if (size < sizeof(struct bench_ev))
		return 0;
	if (t->nev == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1 << 16;
		t->ev = realloc(t->ev, t->cap * sizeof(*t->ev));
		if (!t->ev)
			die("out of memory");
	}
	memcpy(&t->ev[t->nev++], data, sizeof(struct bench_ev));
	return 0;
}

static void *poller(void *arg)
{
	struct tracer *t = arg;

	/* Records are submitted without a wakeup (cheaper): poll by time. */
	while (t->running) {
		ring_buffer__consume(t->rb);
		usleep(5000);
	}
	return NULL;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

struct tracer *tracer_open(void)
{
	struct tracer *t = xcalloc(1, sizeof(*t));
	int err;

	libbpf_set_print(libbpf_quiet);
	t->skel = bench_trace__open_and_load();
	if (!t->skel) {
		fprintf(stderr, "gmem-bench: cannot load the tracer: %s\n",
			strerror(errno));
		free(t);
		return NULL;
	}
	t->lat_size = (size_t)BENCH_LAT_MAX * sizeof(u64);
	t->lat = mmap(NULL, t->lat_size, PROT_READ, MAP_SHARED,
		      bpf_map__fd(t->skel->maps.latency), 0);
	if (t->lat == MAP_FAILED)
		die("mmap of the latency map: %s", strerror(errno));
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_event,
				 t, NULL);
	if (!t->rb)
		die("ring buffer: %s", strerror(errno));
	t->lat_link = bpf_program__attach(t->skel->progs.bench_fault_latency);
	err = libbpf_get_error(t->lat_link);
	if (err)
		die("attaching tp_btf/gmem_fault: %s", strerror(-err));
	return t;
}

void tracer_close(struct tracer *t)
{
	int i;

	if (!t)
		return;
	if (t->attached) {
		for (i = 0; i < 4; i++)
			bpf_link__destroy(t->ev_links[i]);
		bpf_link__destroy(t->mark_link);
	}
	bpf_link__destroy(t->lat_link);
	ring_buffer__free(t->rb);
	munmap(t->lat, t->lat_size);
	bench_trace__destroy(t->skel);
	free(t->ev);
	free(t);
}

/*
 * Attaching an fentry program patches kernel text, which under TCG takes a
 * good part of a second: the page-event programs are attached once, the
 * first time a run wants them, and gated by events_on afterwards.
 */
static void tracer_attach_events(struct tracer *t)
{
	struct bpf_program *progs[4] = {
		t->skel->progs.bench_fault, t->skel->progs.bench_migrate,
		t->skel->progs.bench_track, t->skel->progs.bench_host,
	};
	int i;

	if (t->attached)
		return;
	for (i = 0; i < 4; i++) {
		t->ev_links[i] = bpf_program__attach(progs[i]);
		if (libbpf_get_error(t->ev_links[i]))
			die("attaching %s: %s", bpf_program__name(progs[i]),
			    strerror(-libbpf_get_error(t->ev_links[i])));
	}
	t->mark_link = bpf_program__attach(t->skel->progs.bench_mark);
	if (libbpf_get_error(t->mark_link))
		die("attaching tp_btf/gmem_hmadvise");
	t->attached = true;
}

int tracer_start(struct tracer *t, const int *pids, int npids, bool events)
{
	t->skel->bss->events_on = 0;
	t->skel->bss->pids[0] = npids > 0 ? pids[0] : 0;
	t->skel->bss->pids[1] = npids > 1 ? pids[1] : 0;
	t->skel->bss->lat_count = 0;
	t->skel->bss->events_lost = 0;
	t->events = events;
	if (!events)
		return 0;
	tracer_attach_events(t);
	/* Drop what an earlier run left behind. */
	ring_buffer__consume(t->rb);
	t->nev = 0;
	t->skel->bss->events_on = 1;
	t->running = 1;
	if (pthread_create(&t->thread, NULL, poller, t))
		die("pthread_create");
	return 0;
}

void tracer_stop(struct tracer *t)
{
	t->skel->bss->events_on = 0;
	t->skel->bss->pids[0] = 0;
	t->skel->bss->pids[1] = 0;
	if (!t->events)
		return;
	t->running = 0;
	pthread_join(t->thread, NULL);
	ring_buffer__consume(t->rb);
}

void tracer_mark(void)
{
	hmadvise(-1, NULL, 0, MADV_OVERSUBSCRIBE);
}

const u64 *tracer_latencies(struct tracer *t, size_t *n)
{
	*n = t->skel->bss->lat_count;
	if (*n > BENCH_LAT_MAX)
		*n = BENCH_LAT_MAX;
	return t->lat;
}

#define ST_RESIDENT	1
#define ST_UNUSED	2	/* arrived by prefetch, not referenced yet */

/* Page @idx of the replay's state @s left the device. */
static void replay_departure(unsigned char *s, u64 idx, struct ev_stats *st)
{
	if (!(s[idx] & ST_RESIDENT))
		return;
	st->departures++;
	if (s[idx] & ST_UNUSED)
		st->prefetch_unused_evicted++;
	s[idx] = 0;
}

void tracer_replay(struct tracer *t, int pid, u64 base, const u64 *ref,
		   size_t n, size_t npages, const size_t *marks, size_t nmarks,
		   struct ev_stats *st)
{
	unsigned char *s = xcalloc(npages, 1);
	size_t j = 0, i;
	int reason = 0;
	size_t mi = 0;

	memset(st, 0, sizeof(*st));
	st->lost = t->skel->bss->events_lost;
	if (getenv("GMEM_BENCH_DUMP")) {
		char path[256];
		FILE *f;

		snprintf(path, sizeof(path), "%s/ev-%d.txt",
			 getenv("GMEM_BENCH_DUMP"), pid);
		f = fopen(path, "w");
		for (i = 0; f && i < t->nev; i++)
			fprintf(f, "%u %u %lld %llx\n", t->ev[i].kind, t->ev[i].pid,
				t->ev[i].va >= base ? (long long)((t->ev[i].va - base) >> 12) : -1LL,
				(unsigned long long)t->ev[i].arg);
		if (f)
			fclose(f);
		snprintf(path, sizeof(path), "%s/ref-%d.txt",
			 getenv("GMEM_BENCH_DUMP"), pid);
		f = fopen(path, "w");
		for (i = 0; f && i < n; i++)
			fprintf(f, "%llu\n", (unsigned long long)ref[i]);
		if (f)
			fclose(f);
	}
	for (i = 0; i < t->nev; i++) {
		const struct bench_ev *e = &t->ev[i];
		u64 idx = (e->va - base) >> PAGE_SHIFT_4K;

		if (e->pid != (u32)pid)
			continue;
		st->events++;
		if (e->kind == BENCH_EV_MARK) {
			size_t target;

			if (e->va != MADV_OVERSUBSCRIBE || mi >= nmarks)
				continue;
			target = marks[mi++];
			for (; j < target && j < n; j++) {
				if (s[ref[j]] & ST_RESIDENT)
					s[ref[j]] &= ~ST_UNUSED;
				else
					st->mismatches++;
			}
			continue;
		}
		if (e->kind == BENCH_EV_MIGRATE) {
			reason = e->arg >> 32;
			continue;
		}
		if (e->kind == BENCH_EV_HOST_RANGE) {
			/* A batch may start below the traced buffer. */
			for (unsigned int b = 0; b < 64; b++) {
				u64 va = e->va + ((u64)b << PAGE_SHIFT_4K);

				if ((e->arg >> b & 1) && va >= base &&
				    (va - base) >> PAGE_SHIFT_4K < npages)
					replay_departure(s, (va - base) >>
							 PAGE_SHIFT_4K, st);
			}
			continue;
		}
		if (e->va < base || idx >= npages)
			continue;
		switch (e->kind) {
		case BENCH_EV_FAULT:
			reason = 0;	/* GM_MIGRATE_FAULT */
			while (j < n && ref[j] != idx &&
			       (s[ref[j]] & ST_RESIDENT))
				s[ref[j++]] &= ~ST_UNUSED;
			if (j < n && ref[j] == idx) {
				if (s[idx] & ST_RESIDENT)
					st->refaults++;
				s[idx] &= ~ST_UNUSED;
				j++;
			} else {
				st->mismatches++;
			}
			break;
		case BENCH_EV_TRACK:
			if (s[idx] & ST_RESIDENT)
				break;	/* mapped again, not an arrival */
			s[idx] = ST_RESIDENT;
			st->arrivals++;
			if (reason == 1) {	/* GM_MIGRATE_PREFETCH */
				s[idx] |= ST_UNUSED;
				st->prefetch_in++;
			} else {
				st->demand_in++;
			}
			break;
		case BENCH_EV_HOST:
			replay_departure(s, idx, st);
			break;
		}
	}
	/* References after the last event hit resident pages. */
	for (; j < n; j++) {
		if (s[ref[j]] & ST_RESIDENT)
			s[ref[j]] &= ~ST_UNUSED;
		else
			st->mismatches++;
	}
	for (i = 0; i < npages; i++)
		st->prefetch_unused_end += !!(s[i] & ST_UNUSED);
	free(s);
}
