// SPDX-License-Identifier: GPL-2.0
/*
 * Experiment "place": where should a page a device reads live? Three
 * workloads, each under every placement: migrate the page to the device
 * at its fault (the default without hints), map it from host memory
 * (hints, place_remote), or map it first and migrate it once the device's
 * access counters show it hot (place_counter). See bench/README.md,
 * "Placement".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gmem/hmadvise.h"

#include "bench.h"
#include "gmem_sysfs.h"

#define PLACE_DEVS	2	/* gmem_sim0 and gmem_sim1, of c->place_pages each */
#define HOST_NODE	0
#define HOT_SHARE	16	/* hot-subset: one page in 16 is hot ... */
#define HOT_READS	200	/* ... and read this many times */
#define SHARED_ROUNDS	4	/* shared-2dev: each device reads the table 4 times */

/* Hints a placement gives for the buffer before the device runs. */
#define PH_PREFER_HOST	0x1	/* MADV_PREFERRED_LOCATION host node 0 */
#define PH_ACCESSED_BY	0x2	/* MADV_ACCESSED_BY each reading device */

struct placement {
	const char *name;
	const char *policy;
	unsigned int hints;
};

static const struct placement placements[] = {
	/* The baseline: every device fault migrates. */
	{ "migrate", "default", 0 },
	/* The default, told: pages mapped at once, never migrated. */
	{ "hints", "default", PH_PREFER_HOST | PH_ACCESSED_BY },
	{ "place_remote", "place_remote", 0 },
	{ "place_counter", "place_counter", 0 },
	/*
	 * Counter promotion without the fault that maps each page first:
	 * accessed-by alone, as a host preference stops place_counter
	 * promoting anything.
	 */
	{ "counter_hints", "place_counter", PH_ACCESSED_BY },
};

/* Devices take turns reading the same reference string over one buffer. */
struct place_wl {
	const char *name;
	int ndev;		/* readers: gmem_sim0 .. ndev - 1 */
	int turns;		/* turn k: device k % ndev reads all of ref */
	size_t pages;		/* the buffer's */
	size_t hot;		/* hot-subset's hot pages, else 0 */
	struct refs ref;
};

/* GMEM's counters of each device (sysfs), summed over the part's devices. */
static const char *const gm_files[] = {
	"faults", "migrations_to_device", "migrations_to_host", "remote_maps",
	"counter_reports", "counter_migrations",
};
enum { GM_FAULTS, GM_TO_DEV, GM_TO_HOST, GM_REMOTE_MAPS, GM_REPORTS,
       GM_COUNTER_MIGR, GM_N };

struct place_result {
	struct gmem_sim_run dev;	/* summed over turns and devices */
	u64 expect_checksum;
	u64 wall_ns;			/* hints and every turn */
	u64 hint_ns;			/* hmadvise() of the hints alone */
	long long gm[GM_N];		/* change of gm_files over the run */
	int errors;
};

/* Which runs broke an expectation the checks name, and how many ran. */
struct place_tally {
	int runs, skipped, bad_data;
	int remote_migrated;	/* place_remote or hints runs that migrated */
	int hints_faulted;	/* hints runs with a device fault */
	int baseline_bad;	/* migrate runs with a remote access or a page not migrated */
	int promote_bad;	/* hot-subset: counter runs outside 1..hot migrations */
};

/* ------------------------------------------------------------------ */
/* The workloads                                                       */

/* table-once: a table of half a device, each page read once, in order. */
static void make_table_once(struct place_wl *w, size_t cap)
{
	size_t p;

	*w = (struct place_wl){ .name = "table-once", .ndev = 1, .turns = 1,
				.pages = cap / 2 };
	for (p = 0; p < w->pages; p++)
		refs_push(&w->ref, p);
}

/*
 * hot-subset: a range of the whole device, every HOT_SHARE-th page hot.
 * The hot pages are read HOT_READS times each, round robin, their reads
 * spread evenly among the single reads of the cold pages (in order), so
 * that hot and cold alternate throughout the run.
 */
static void make_hot_subset(struct place_wl *w, size_t cap)
{
	size_t cold, hot_refs, done = 0, c = 0, p;

	*w = (struct place_wl){ .name = "hot-subset", .ndev = 1, .turns = 1,
				.pages = cap,
				.hot = (cap + HOT_SHARE - 1) / HOT_SHARE };
	cold = w->pages - w->hot;
	hot_refs = w->hot * HOT_READS;
	for (p = 0; p < w->pages; p++) {
		if (p % HOT_SHARE == 0)
			continue;
		c++;
		/* The hot reads due up to the c-th cold read: c/cold of them. */
		while (done * cold < hot_refs * c) {
			refs_push(&w->ref, (done % w->hot) * HOT_SHARE);
			done++;
		}
		refs_push(&w->ref, p);
	}
}

/*
 * shared-2dev: both devices read the same table of half a device, in
 * turns (device 0 all of it, then device 1), SHARED_ROUNDS rounds.
 */
static void make_shared(struct place_wl *w, size_t cap)
{
	size_t p;

	*w = (struct place_wl){ .name = "shared-2dev", .ndev = 2,
				.turns = 2 * SHARED_ROUNDS, .pages = cap / 2 };
	for (p = 0; p < w->pages; p++)
		refs_push(&w->ref, p);
}

/* ------------------------------------------------------------------ */
/* One run                                                             */

static void gm_counters(long long v[GM_N])
{
	char path[128];
	int d, i;

	for (i = 0; i < GM_N; i++) {
		v[i] = 0;
		for (d = 0; d < PLACE_DEVS; d++) {
			snprintf(path, sizeof(path), SYS_GMEM "devices/gmem_sim%d/%s",
				 d, gm_files[i]);
			v[i] += sysfs_long(path);
		}
	}
}

static const char *hints_name(unsigned int hints)
{
	return hints == (PH_PREFER_HOST | PH_ACCESSED_BY) ? "prefer-host+accessed-by" :
	       hints == PH_PREFER_HOST ? "prefer-host" :
	       hints == PH_ACCESSED_BY ? "accessed-by" : "none";
}

/* @pl's hints for @w's buffer, as a program would give them; 0 or -errno. */
static int give_hints(const struct placement *pl, const struct place_wl *w,
		      const int *hnid, void *buf)
{
	size_t len = w->pages * PAGE_4K;
	int d;

	if ((pl->hints & PH_PREFER_HOST) &&
	    hmadvise(HOST_NODE, buf, len, MADV_PREFERRED_LOCATION))
		return -errno;
	for (d = 0; d < w->ndev && (pl->hints & PH_ACCESSED_BY); d++)
		if (hmadvise(hnid[d], buf, len, MADV_ACCESSED_BY))
			return -errno;
	return 0;
}

/*
 * A fresh buffer, filled by the CPU; the hints, then every turn on its
 * device. The hints count in the wall time: MADV_ACCESSED_BY maps the
 * range then, work the other placements do in their faults.
 */
static void run_place(const struct place_wl *w, const struct placement *pl,
		      const int *hnid, struct place_result *r)
{
	long long g0[GM_N], g1[GM_N];
	int fd[PLACE_DEVS], d, k, err;
	u64 *buf, t0;
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < w->ref.n; i++)
		r->expect_checksum += page_sum(w->ref.ref[i]);
	/* Every turn reads the same string: the sum wraps alike. */
	r->expect_checksum *= w->turns;
	/* The devices attach before the buffer is mapped, as in a program. */
	for (d = 0; d < w->ndev; d++)
		fd[d] = dev_open_n(d);
	buf = peer_buffer(w->pages, true);
	gm_counters(g0);
	t0 = now_ns();
	err = give_hints(pl, w, hnid, buf);
	r->hint_ns = now_ns() - t0;
	if (err) {
		fprintf(stderr, "# place: hints %s of %s: %s\n",
			hints_name(pl->hints), w->name, strerror(-err));
		r->errors++;
	}
	for (k = 0; k < w->turns; k++)
		r->errors += !!dev_run_list(fd[k % w->ndev], buf, w->pages,
					    w->ref.ref, w->ref.n, &r->dev);
	r->wall_ns = now_ns() - t0;
	gm_counters(g1);
	for (i = 0; i < GM_N; i++)
		r->gm[i] = g1[i] - g0[i];
	munmap(buf, w->pages * PAGE_4K);
	for (d = 0; d < w->ndev; d++)
		close(fd[d]);
}

static void emit_place(const struct place_wl *w, const struct placement *pl,
		       size_t cap, int rep, const struct place_result *r)
{
	jbegin("place");
	jstr("workload", w->name);
	jstr("placement", pl->name);
	jstr("policy", pl->policy);
	jstr("hints", hints_name(pl->hints));
	ju("devices", w->ndev);
	ju("pages", w->pages);
	ju("hot_pages", w->hot);
	ju("capacity", cap);
	ju("turns", w->turns);
	ju("accesses", w->ref.n * w->turns);
	ju("rep", rep);
	ju("faults", r->dev.faults);
	ju("migrated_in", r->dev.migrated_in);
	ju("remote_accesses", r->dev.remote_accesses);
	ju("counter_reports", r->gm[GM_REPORTS]);
	ju("counter_migrations", r->gm[GM_COUNTER_MIGR]);
	ju("remote_maps", r->gm[GM_REMOTE_MAPS]);
	ju("dev_faults", r->gm[GM_FAULTS]);
	ju("to_device", r->gm[GM_TO_DEV]);
	ju("to_host", r->gm[GM_TO_HOST]);
	ju("sim_time_ns", r->dev.sim_time_ns);
	ju("wall_ns", r->wall_ns);
	ju("hint_ns", r->hint_ns);
	ju("errors", r->errors);
	ju("checksum_ok", r->dev.checksum == r->expect_checksum);
	jend();
}

/* What the checks expect of run @r of @pl on @w. */
static void tally(struct place_tally *t, const struct place_wl *w,
		  const struct placement *pl, const struct place_result *r)
{
	bool counter = !strcmp(pl->policy, "place_counter");

	t->runs++;
	t->bad_data += r->errors || r->dev.checksum != r->expect_checksum;
	/* Neither ever migrates: the hints keep pages that prefer host memory. */
	if (!strcmp(pl->name, "place_remote") || !strcmp(pl->name, "hints"))
		t->remote_migrated += r->dev.migrated_in != 0;
	/* MADV_ACCESSED_BY mapped every (populated) page at once. */
	if (!strcmp(pl->name, "hints"))
		t->hints_faulted += r->dev.faults != 0;
	if (!strcmp(pl->name, "migrate"))
		t->baseline_bad += r->dev.remote_accesses != 0 ||
				   r->dev.migrated_in < w->pages;
	/* Cold pages are read once, never reported: only hot ones move. */
	if (counter && w->hot)
		t->promote_bad += r->dev.migrated_in < 1 ||
				  r->dev.migrated_in > w->hot;
}

/* ------------------------------------------------------------------ */

/*
 * Runs share this process's address space, and so place_counter's
 * per-page sums: a run leaves none behind, as every page reported to it
 * was promoted, which forgets it (hot pages are read past
 * promote_accesses, the rest below one report).
 */
void exp_place(const struct config *c)
{
	size_t cap = c->place_pages;
	struct place_wl ws[3];
	struct place_tally t = { 0 };
	int hnid[PLACE_DEVS], nw = N(ws), p, i, d, rep;

	make_table_once(&ws[0], cap);
	make_hot_subset(&ws[1], cap);
	make_shared(&ws[2], cap);
	gmem_sim_load_devices(PLACE_DEVS, cap);
	for (d = 0; d < PLACE_DEVS; d++)
		hnid[d] = device_hnid_n(d);
	progress_begin("place", (unsigned long)N(placements) * nw * c->place_reps);
	for (p = 0; p < N(placements); p++) {
		const struct placement *pl = &placements[p];

		if (!policy_available(pl->policy)) {
			fprintf(stderr, "# policy %s is not loaded: placement %s skipped\n",
				pl->policy, pl->name);
			t.skipped++;
			for (i = 0; i < nw * c->place_reps; i++)
				progress_step("skipped");
			continue;
		}
		policy_use(pl->policy);
		for (i = 0; i < nw; i++) {
			for (rep = 0; rep < c->place_reps; rep++) {
				struct place_result r;
				char what[96];

				run_place(&ws[i], pl, hnid, &r);
				emit_place(&ws[i], pl, cap, rep, &r);
				tally(&t, &ws[i], pl, &r);
				snprintf(what, sizeof(what), "%s %s rep %d",
					 pl->name, ws[i].name, rep);
				progress_step(what);
			}
		}
	}
	policy_use("default");
	for (i = 0; i < nw; i++)
		refs_free(&ws[i].ref);

	check(t.runs && !t.bad_data,
	      "place: %d workloads x %d placements x %d reps on %d devices of %zu pages: data checked on every run (%d of %d bad)",
	      nw, N(placements), c->place_reps, PLACE_DEVS, cap, t.bad_data,
	      t.runs);
	check(!t.skipped, "place: every placement's policy loaded (%d placements skipped)",
	      t.skipped);
	check(!t.baseline_bad, "place: migrate moved every page it read to the device, none read over the link (%d runs not)",
	      t.baseline_bad);
	check(!t.remote_migrated, "place: place_remote and hints migrated no page, on any workload (%d runs did)",
	      t.remote_migrated);
	check(!t.hints_faulted, "place: hints (MADV_ACCESSED_BY) mapped every page at once: no device fault (%d runs faulted)",
	      t.hints_faulted);
	check(!t.promote_bad, "place: hot-subset: place_counter and counter_hints migrated between 1 and its %zu hot pages (%d runs not)",
	      ws[1].hot, t.promote_bad);
}
