// SPDX-License-Identifier: GPL-2.0
/*
 * One run of a workload under a policy: one process, or two tenants in
 * lockstep, traced or not; its JSON record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "gmem/hmadvise.h"

struct tracer *tracer;
bool debug;

void latency_summary(struct run_result *r, bool keep)
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

void run_workload(struct workload *w, const char *policy, bool traced,
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
		int h;

		bases[0] = (uintptr_t)buf;
		/* What the program knows of its data, whichever the policy. */
		for (h = 0; h < w->nhints; h++) {
			if (hmadvise(device_hnid(), buf + w->hints[h].first * (PAGE_4K / 8),
				     w->hints[h].n * PAGE_4K,
				     MADV_POLICY_HINT_FIRST + w->hints[h].hint))
				die("hmadvise(hint %d) of %s: %s", w->hints[h].hint,
				    w->name, strerror(errno));
		}
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
			run_add(&r->dev, &msg[t].run);
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

u64 dd(const struct run_result *r, size_t i)
{
	return r->d1.v[i] - r->d0.v[i];
}

u64 pd(const struct run_result *r, size_t i)
{
	return r->p1.v[i] >= 0 && r->p0.v[i] >= 0 ? r->p1.v[i] - r->p0.v[i] : 0;
}

/* The fault latency summary of @r, as latency_summary() left it. */
void emit_latency(const struct run_result *r)
{
	ju("lat_n", r->lat_n);
	ju("lat_p50_ns", r->lat_p50);
	ju("lat_p90_ns", r->lat_p90);
	ju("lat_p99_ns", r->lat_p99);
	ju("lat_mean_ns", r->lat_mean);
}

void emit_run(const char *exp, const struct workload *w,
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
	ju("arc_sim", w->arc_sim);
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
	emit_latency(r);
	jend();
}

