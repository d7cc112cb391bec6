// SPDX-License-Identifier: GPL-2.0
/*
 * The shipped prefetchers (bpf/lib/seq.h, stride.h, tree.h) with their
 * feedback (pf_feedback.h) on the host, in a model of GMEM's device: an
 * LRU of frames; the device reporting a use of a resident page on a miss
 * of its 64-entry direct-mapped TLB, as gmem_sim does (so the LRU alone
 * takes the kernel's faults on every trace: with a report of every use,
 * 253 on bc at a quarter, not 286, and 599 on sqlite, not 631); aging of
 * the coldest pages and eviction rounds of 16, fewer on small devices
 * (mm/gmem/evict.c); prefetch ranges clamped as gmem_prefetch_range()
 * does (mm/gmem/decide.c); page_removed carrying GMEM_PAGE_PREFETCHED,
 * GMEM_PAGE_UNUSED and prefetched_pending as mm/gmem/devmem.c sets them;
 * and thrashing protection (mm/gmem/lpt.c, devmem.c), which the guest's
 * default has: without it the model missed the tree taking 1.3x the
 * default's faults on the hash join at half its pages, when protection
 * kept prefetched pages that bounced but went unused. It is a model: seq
 * and stride on bc at half its pages move 1.14x and 1.19x the LRU's pages
 * here, 0.99x and 0.98x in the guest.
 * Every workload of the benchmark at four sizes of a 1024-page device, and
 * every trace of bench/traces/ at a quarter and half of its pages, runs
 * with no prefetcher (the kernel's LRU alone) and under each prefetcher:
 * a prefetcher may not take more faults nor move more than 1.1x the pages
 * (issue 18), and it must keep its wins on the patterns it is for.
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "host_test.h"
#include "tracefile.h"
#include "workloads.h"

/*
 * test_stride.c and test_tree.c define the globals of these headers and
 * the map helpers of their maps: these are this file's.
 */
#define bpf_map_lookup_elem	sim_map_lookup_elem
#define bpf_map_update_elem	sim_map_update_elem
#define bpf_map_delete_elem	sim_map_delete_elem
#define gmem_prefetch_range	sim_prefetch_range
#define gmem_prefetch_verdicts	sim_prefetch_verdicts
#define stride_ahead		sim_stride_ahead
#define strides			sim_strides
#define density_threshold	sim_density_threshold
#define blocks			sim_blocks
#define blocks_dropped		sim_blocks_dropped
#define blocks_used		sim_blocks_used
#define pf_sample		sim_pf_sample
#define pf_waste_pct		sim_pf_waste_pct
#define pf_miss_pct		sim_pf_miss_pct
#define pf_states		sim_pf_states
#define pf_fresh		sim_pf_fresh
#define pf_samples		sim_pf_samples
#define pf_bad_samples		sim_pf_bad_samples
#define gmem_ghost_ring		sim_ghost_ring
#define gmem_ghost_next		sim_ghost_next
#define gmem_ghosts		sim_ghosts
#include "lib/seq.h"
#include "lib/stride.h"
#include "lib/tree.h"

#define BASE		0x7f0000000000ULL
#define CAPACITY	1024		/* the benchmark's device, in pages */
#define EVICT_BATCH	16		/* GM_EVICT_BATCH */
#define EVICT_SHARE	64		/* GM_EVICT_SHARE */
#define PREFETCH_BUDGET	512		/* GM_PREFETCH_BUDGET */
#define PREFETCH_DEV_SHARE 8		/* GM_PREFETCH_DEV_SHARE */
#define PREFETCH_RANGES	4		/* GM_PREFETCH_RANGES */
#define SIM_TLB_ENTRIES	64		/* driver/gmem_sim.c */
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- the maps: one table, entries tagged with their map ---------------- */

#define MAP_SLOTS	4096
enum { SLOT_EMPTY, SLOT_USED, SLOT_DELETED };
static struct {
	const void *map;
	unsigned char key[24];
	unsigned char value[1024];
	int state;
} slots[MAP_SLOTS];

static size_t key_size(const void *map)
{
	if (map == &blocks || map == &blocks_used)
		return sizeof(struct block_key);
	return sizeof(__u64);	/* the others are keyed by as_id */
}

static size_t value_size(const void *map)
{
	if (map == &blocks || map == &blocks_used)
		return sizeof(struct block_bits);
	if (map == &seq_streams)
		return sizeof(struct seq_stream);
	if (map == &strides)
		return sizeof(struct stride_state);
	return sizeof(struct pf_state);
}

/*
 * Open addressing: the key's slot, or with @insert the first free one on
 * its probe sequence (deleted slots are reused, not ends of a sequence).
 */
static int slot_of(const void *map, const void *key, bool insert)
{
	unsigned int h = 2166136261u, i;
	const unsigned char *k = key;
	int reuse = -1;

	for (i = 0; i < key_size(map); i++)
		h = (h ^ k[i]) * 16777619u;
	h ^= (unsigned int)(uintptr_t)map;
	for (i = 0; i < MAP_SLOTS; i++) {
		unsigned int s = (h + i) % MAP_SLOTS;

		if (slots[s].state == SLOT_EMPTY)
			return insert ? (reuse >= 0 ? reuse : (int)s) : -1;
		if (slots[s].state == SLOT_DELETED) {
			if (reuse < 0)
				reuse = s;
			continue;
		}
		if (!insert && slots[s].map == map &&
		    !memcmp(slots[s].key, key, key_size(map)))
			return s;
	}
	return insert ? reuse : -1;
}

/*
 * The tree's ghosts (bpf/lib/ghost.h), of the one device and address
 * space: the ring of device 0, and each page's ghost (seq1 0: none).
 */
static struct gmem_ghost_slot ghost_ring[GMEM_MAX_FRAMES];
static __u64 ghost_next;
static struct gmem_ghost *ghost_of_page;	/* ghost_pages of them */
static size_t ghost_pages;

static struct gmem_ghost *ghost_find(const void *key)
{
	const struct gmem_page_key *k = key;
	__u64 p = k->vpn - (BASE >> GMEM_PAGE_SHIFT);

	return k->as_id == 1 && !k->dev && p < ghost_pages ?
	       &ghost_of_page[p] : NULL;
}

void *sim_map_lookup_elem(void *map, const void *key)
{
	static struct pf_state fresh;	/* pf_fresh: an array has its entry */
	struct gmem_ghost *g;
	__u32 i;
	int s;

	if (map == &pf_fresh)
		return *(const __u32 *)key ? NULL : &fresh;
	if (map == &gmem_ghost_ring) {
		i = *(const __u32 *)key;
		return i < GMEM_MAX_FRAMES ? &ghost_ring[i] : NULL;
	}
	if (map == &gmem_ghost_next)
		return *(const __u32 *)key ? NULL : &ghost_next;
	if (map == &gmem_ghosts) {
		g = ghost_find(key);
		return g && g->seq1 ? g : NULL;
	}
	s = slot_of(map, key, false);

	return s < 0 ? NULL : slots[s].value;
}

long sim_map_update_elem(void *map, const void *key, const void *value,
			 __u64 flags)
{
	struct gmem_ghost *g;
	int s;

	if (map == &gmem_ghosts) {
		g = ghost_find(key);
		if (!g)
			return -1;
		*g = *(const struct gmem_ghost *)value;
		return 0;
	}
	s = slot_of(map, key, false);
	if (s >= 0 && flags == BPF_NOEXIST)
		return -1;
	if (s < 0)
		s = slot_of(map, key, true);
	if (s < 0)
		return -1;
	slots[s].map = map;
	slots[s].state = SLOT_USED;
	memcpy(slots[s].key, key, key_size(map));
	memcpy(slots[s].value, value, value_size(map));
	return 0;
}

long sim_map_delete_elem(void *map, const void *key)
{
	struct gmem_ghost *g;
	int s;

	if (map == &gmem_ghosts) {
		g = ghost_find(key);
		if (!g || !g->seq1)
			return -1;
		g->seq1 = 0;
		return 0;
	}
	s = slot_of(map, key, false);
	if (s < 0)
		return -1;
	slots[s].state = SLOT_DELETED;
	return 0;
}

/* ---- the device ---------------------------------------------------------- */

enum prefetcher { PF_NONE, PF_SEQ, PF_STRIDE, PF_TREE, NR_PF };
static const char *const pf_names[NR_PF] = { "none", "seq", "stride", "tree" };

struct sim_page {
	bool resident, prefetched, used, protected, thrashing;
	unsigned char referenced;	/* reports since aging looked, up to 2 */
	bool judged;		/* gmem_prefetch_verdicts() took its verdict */
	bool pending;		/* prefetched, not used yet (gm_frame.pending) */
	unsigned char bounces;
	u32 prev, next;		/* LRU, head = newest */
	u64 left;		/* clock when it last left, 0: never */
	u64 protect_until;
};

static struct sim {
	enum prefetcher pf;
	bool feedback;		/* page_removed reaches the prefetcher */
	size_t npages, capacity, nr_resident;
	struct sim_page *page;
	u32 head;		/* npages: empty */
	/* This fault's prefetch ranges. */
	int nr_ranges;
	u64 range_start[PREFETCH_RANGES], range_pages[PREFETCH_RANGES];
	u64 faults, moved, unused;
	/* Thrashing protection, as mm/gmem/ has it by default. */
	u64 clock;		/* pages evicted (gm_evict_clock) */
	size_t nr_protected;
	u32 tlb[SIM_TLB_ENTRIES];	/* gmem_sim's: pages, NIL if none */
	u32 prefetched_pending;	/* pages with pending set */
} sim;

#define THRASH_THRESHOLD	3	/* gm_thrash_threshold */
#define MIGRATE_BATCH		64	/* GM_MIGRATE_BATCH */
#define BOUNCE_MAX		15	/* GM_LPT_BOUNCE_MAX */
#define NIL	((u32)-1)

/* Is @p spared by eviction (gm_frame_protected())? Expired ones are not. */
static bool sim_protected(u32 p)
{
	struct sim_page *pg = &sim.page[p];

	if (pg->protected && sim.clock >= pg->protect_until) {
		pg->protected = false;
		sim.nr_protected--;
	}
	return pg->protected;
}

/* gm_frame_protect(): for two device turnovers; a quarter never is. */
static void sim_protect(u32 p)
{
	struct sim_page *pg = &sim.page[p];

	if (!pg->protected && sim.nr_protected < sim.capacity / 4 * 3) {
		pg->protected = true;
		sim.nr_protected++;
	}
	pg->protect_until = sim.clock + 2 * sim.capacity;
}

/* gm_frame_end_pending(): @p is used now, or leaving. */
static void sim_end_pending(u32 p)
{
	if (sim.page[p].pending) {
		sim.page[p].pending = false;
		sim.prefetched_pending--;
	}
}

/*
 * gm_frame_use(): the device used @p; a fault just brought it back
 * thrashing, or a prefetch did and this is its first use: protected.
 */
static void sim_use(u32 p, bool arrived_thrashing)
{
	struct sim_page *pg = &sim.page[p];

	if (pg->thrashing &&
	    (arrived_thrashing || (pg->prefetched && !pg->used)))
		sim_protect(p);
	pg->used = true;
	sim_end_pending(p);
}

/*
 * gm_lpt_set_device(): a page that comes back before a device's worth of
 * pages were evicted since it left bounced; bouncing thrash_threshold
 * times in a row, it is thrashing. @began: the clock before its batch
 * evicted for its pages.
 */
static void sim_arrive(u32 p, bool prefetched, u64 began)
{
	struct sim_page *pg = &sim.page[p];

	if (pg->left && began - pg->left < sim.capacity)
		pg->bounces = pg->bounces < BOUNCE_MAX ? pg->bounces + 1 : BOUNCE_MAX;
	else
		pg->bounces = 0;
	pg->thrashing = pg->bounces >= THRASH_THRESHOLD;
	pg->prefetched = prefetched;
	pg->used = false;
	if (prefetched) {
		pg->pending = true;
		sim.prefetched_pending++;
	} else {
		sim_use(p, pg->thrashing);
	}
}

static void lru_unlink(u32 p)
{
	struct sim_page *pg = &sim.page[p];

	if (pg->next == p) {
		sim.head = NIL;
	} else {
		sim.page[pg->prev].next = pg->next;
		sim.page[pg->next].prev = pg->prev;
		if (sim.head == p)
			sim.head = pg->next;
	}
}

static void lru_push_head(u32 p)
{
	struct sim_page *pg = &sim.page[p];

	if (sim.head == NIL) {
		pg->prev = pg->next = p;
	} else {
		u32 tail = sim.page[sim.head].prev;

		pg->next = sim.head;
		pg->prev = tail;
		sim.page[tail].next = p;
		sim.page[sim.head].prev = p;
	}
	sim.head = p;
}

static struct gmem_page event_page(u32 p)
{
	struct sim_page *pg = &sim.page[p];
	struct gmem_page page = {
		.va = BASE + (u64)p * GMEM_PAGE_SIZE,
		.as_id = 1,
	};

	if (pg->prefetched)
		page.flags |= GMEM_PAGE_PREFETCHED;
	if (pg->judged)
		page.flags |= GMEM_PAGE_JUDGED;
	return page;
}

static void page_added(u32 p)
{
	struct gmem_page page = event_page(p);

	if (sim.pf == PF_TREE)
		tree_do_page_added(&page);
}

/* gm_frame_prefetch_unused(): @pg came by prefetch and was never used. */
static bool sim_prefetch_unused(const struct sim_page *pg)
{
	return pg->prefetched && !pg->used && !pg->referenced;
}

static void page_removed(u32 p)
{
	struct gmem_page page = event_page(p);

	sim_end_pending(p);
	page.prefetched_pending = sim.prefetched_pending;

	if (sim_prefetch_unused(&sim.page[p])) {
		page.flags |= GMEM_PAGE_UNUSED;
		sim.unused++;
	}
	if (sim.feedback) {
		if (sim.pf == PF_SEQ)
			seq_do_page_removed(&page);
		else if (sim.pf == PF_STRIDE)
			stride_do_page_removed(&page);
		else if (sim.pf == PF_TREE)
			tree_do_page_removed(&page);
	} else if (sim.pf == PF_TREE) {
		/* Without its feedback, the tree still keeps its residency. */
		tree_mark(&page, false);
	}
}

/* gm_frame_take_reports(): a use again, not a prefetched page's first. */
static bool sim_take_reports(u32 p)
{
	struct sim_page *pg = &sim.page[p];
	bool first = pg->prefetched && !pg->used;
	unsigned char seen = pg->referenced;

	pg->referenced = 0;
	sim_use(p, false);
	return !first || seen > 1;
}

/* gm_dev.evict_batch: 16, or 1/64 of a smaller device, at least 1. */
static size_t evict_batch(void)
{
	size_t batch = sim.capacity / EVICT_SHARE;

	return batch < 1 ? 1 : batch > EVICT_BATCH ? EVICT_BATCH : batch;
}

/*
 * A round as mm/gmem/evict.c runs it: age the coldest pages (those the
 * device used go back to the head, their note cleared) until a round's
 * unused ones are at the tail or a lap is done; evict those.
 */
static void evict_round(void)
{
	size_t looked = 0, unused = 0, i, batch = evict_batch();
	u32 p = sim.page[sim.head].prev;

	while (unused < batch && looked < sim.nr_resident) {
		u32 prev = sim.page[p].prev;

		if (sim_protected(p)) {
			/* On a list of its own in the kernel. */
		} else if (sim.page[p].referenced &&
			   (sim_take_reports(p) || sim_protected(p))) {
			lru_unlink(p);
			lru_push_head(p);
		} else {
			unused++;
		}
		looked++;
		p = prev;
	}
	p = sim.page[sim.head].prev;
	for (i = 0, looked = 0; i < batch && looked < sim.nr_resident;
	     looked++) {
		u32 prev = sim.page[p].prev;

		if (!sim_protected(p)) {
			struct sim_page *pg = &sim.page[p];
			/* gm_lpt_set_host(): left unused, it never left. */
			bool used = !sim_prefetch_unused(pg);

			page_removed(p);
			lru_unlink(p);
			if (sim.tlb[p % SIM_TLB_ENTRIES] == p)
				sim.tlb[p % SIM_TLB_ENTRIES] = NIL;
			pg->resident = false;
			pg->left = ++sim.clock * used;
			sim.nr_resident--;
			i++;
		}
		p = prev;
	}
}

/* Bring @p in, a page of a batch that began when the clock was @began. */
static void bring(u32 p, bool prefetched, u64 began)
{
	struct sim_page *pg = &sim.page[p];

	if (sim.nr_resident == sim.capacity)
		evict_round();
	pg->resident = true;
	pg->referenced = 0;
	pg->judged = false;
	sim_arrive(p, prefetched, began);
	lru_push_head(p);
	sim.nr_resident++;
	sim.moved++;
	page_added(p);
}

/* As mm/gmem/decide.c: clamped to the mapping, the budget, four ranges. */
int sim_prefetch_range(struct gmem_prefetch_ctx *ctx, __u64 start,
		       __u64 nr_pages)
{
	__u64 end, pages;

	start &= ~(GMEM_PAGE_SIZE - 1);
	end = start + nr_pages * GMEM_PAGE_SIZE;
	if (!nr_pages || end < start)
		return -22;
	if (start < ctx->vma_start)
		start = ctx->vma_start;
	if (end > ctx->vma_end)
		end = ctx->vma_end;
	if (start >= end)
		return -34;
	if (!ctx->budget || sim.nr_ranges == PREFETCH_RANGES)
		return -28;
	pages = (end - start) / GMEM_PAGE_SIZE;
	if (pages > ctx->budget)
		pages = ctx->budget;
	ctx->budget -= pages;
	sim.range_start[sim.nr_ranges] = (start - BASE) / GMEM_PAGE_SIZE;
	sim.range_pages[sim.nr_ranges++] = pages;
	return pages;
}

/*
 * As decide.c: the verdicts of the range's prefetched pages not judged
 * yet, used << 32 | unused.
 */
__u64 sim_prefetch_verdicts(struct gmem_prefetch_ctx *ctx, __u64 start,
			    __u64 nr_pages)
{
	__u64 used = 0, unused = 0, p = (start - BASE) / GMEM_PAGE_SIZE, end;

	(void)ctx;
	if (!sim.feedback)	/* no verdict reaches the prefetcher */
		return 0;
	for (end = p + nr_pages; p < end && p < sim.npages; p++) {
		struct sim_page *pg = &sim.page[p];

		if (!pg->resident || !pg->prefetched || pg->judged)
			continue;
		pg->judged = true;
		if (pg->used || pg->referenced)
			used++;
		else
			unused++;
	}
	return used << 32 | unused;
}

/* As decide.c: at most a share of the device. */
static u32 prefetch_budget(void)
{
	size_t share = sim.capacity / PREFETCH_DEV_SHARE;

	return share < 1 ? 1 : share < PREFETCH_BUDGET ? share : PREFETCH_BUDGET;
}

static void access(u32 p)
{
	struct gmem_prefetch_ctx req = {
		.va = BASE + (u64)p * GMEM_PAGE_SIZE,
		.vma_start = BASE,
		.vma_end = BASE + sim.npages * GMEM_PAGE_SIZE,
		.as_id = 1,
		.budget = prefetch_budget(),
	};
	int r;
	u64 q;

	if (sim.page[p].resident) {
		/* A TLB miss: the device's report (gm_dev_frame_accessed()). */
		if (sim.tlb[p % SIM_TLB_ENTRIES] != p) {
			sim.tlb[p % SIM_TLB_ENTRIES] = p;
			sim_end_pending(p);
			if (sim.page[p].referenced < 2)
				sim.page[p].referenced++;
		}
		return;
	}
	sim.faults++;
	bring(p, false, sim.clock);
	/* The access, replayed: no report, GMEM saw the fault. */
	sim.tlb[p % SIM_TLB_ENTRIES] = p;
	sim.nr_ranges = 0;
	if (sim.pf == PF_SEQ)
		seq_do_prefetch(&req);
	else if (sim.pf == PF_STRIDE)
		stride_do_prefetch(&req);
	else if (sim.pf == PF_TREE)
		tree_do_prefetch(&req);
	/* As gm_prefetch_to_dev(): a range in batches of MIGRATE_BATCH. */
	for (r = 0; r < sim.nr_ranges; r++) {
		u64 began = sim.clock;

		for (q = sim.range_start[r];
		     q < sim.range_start[r] + sim.range_pages[r]; q++) {
			if ((q - sim.range_start[r]) % MIGRATE_BATCH == 0)
				began = sim.clock;
			if (!sim.page[q].resident)
				bring(q, true, began);
		}
	}
}

struct outcome {
	u64 faults, moved, unused, samples, bad_samples;
};

/* >= 0: the address space starts at this level of distrust. */
static int preset_level = -1;

static struct outcome run(const u64 *ref, size_t n, size_t npages,
			  size_t capacity, enum prefetcher pf, bool feedback)
{
	struct outcome o;
	size_t i;

	memset(slots, 0, sizeof(slots));
	memset(&sim, 0, sizeof(sim));
	pf_samples = 0;
	pf_bad_samples = 0;
	if (preset_level >= 0) {
		struct pf_state st = { .level = preset_level };
		__u64 key = pf_key(1, PF_KIND_FIRST);	/* access()'s */

		sim_map_update_elem(&pf_states, &key, &st, BPF_NOEXIST);
	}
	sim.pf = pf;
	sim.feedback = feedback;
	sim.npages = npages;
	sim.capacity = capacity;
	sim.head = NIL;
	memset(sim.tlb, 0xff, sizeof(sim.tlb));
	sim.page = xcalloc(npages, sizeof(*sim.page));
	memset(ghost_ring, 0, sizeof(ghost_ring));
	ghost_next = 0;
	ghost_pages = npages;
	ghost_of_page = xcalloc(npages, sizeof(*ghost_of_page));
	for (i = 0; i < n; i++)
		access(ref[i]);
	o = (struct outcome){ sim.faults, sim.moved, sim.unused, pf_samples,
			      pf_bad_samples };
	free(sim.page);
	free(ghost_of_page);
	return o;
}

/* ---- the cases ----------------------------------------------------------- */

static const struct {
	const char *family;
	double param;
} families[] = {
	{ "seq", 0 }, { "stride", 4 }, { "stride", 16 }, { "stride", 128 },
	{ "random", 0 }, { "zipf", 0.8 }, { "zipf", 1.2 }, { "phase", 0 },
	{ "cyclic", 0 }, { "llm-decode", 0 }, { "gnn", 0 }, { "ivf", 0 },
	{ "gemm", 0 },
};
static const double sizes[] = { 0.5, 1.25, 2, 4 };

struct sim_case {
	char name[64];
	struct refs refs;
	size_t npages, capacity;
};

static struct sim_case *cases;
static size_t ncases;

static struct sim_case *new_case(void)
{
	cases = realloc(cases, (ncases + 1) * sizeof(*cases));
	if (!cases)
		die("out of memory");
	memset(&cases[ncases], 0, sizeof(*cases));
	return &cases[ncases++];
}

/* The workloads (single process, no CPU writes) and bench/traces/. */
static void make_cases(void)
{
	glob_t g = { 0 };
	size_t f, s, i, last;

	if (cases)
		return;
	for (f = 0; f < ARRAY_LEN(families); f++) {
		for (s = 0; s < ARRAY_LEN(sizes); s++) {
			struct sim_case *c;
			struct workload w;

			if (workload_make(&w, families[f].family,
					  families[f].param, sizes[s], CAPACITY, 1))
				die("workload %s", families[f].family);
			c = new_case();
			snprintf(c->name, sizeof(c->name), "%s %.2gx", w.name,
				 sizes[s]);
			c->refs = w.t[0];
			w.t[0] = (struct refs){ 0 };
			c->npages = w.npages[0];
			c->capacity = CAPACITY;
			workload_free(&w);
		}
	}
	if (glob("bench/traces/*.vpn.gz", 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++) {
		struct refs r = { 0 };
		long distinct = trace_load(g.gl_pathv[i], TRACE_AUTO, &r, SIZE_MAX);
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;

		if (distinct <= 0)
			die("%s", g.gl_pathv[i]);
		for (s = 4, last = 0; s >= 2; s -= 2) {
			size_t cap = trace_capacity(distinct, 1.0 / s);
			struct sim_case *c;

			if (!cap || cap == last)
				continue;
			last = cap;
			c = new_case();
			snprintf(c->name, sizeof(c->name), "trace:%.*s %zu/%ld",
				 (int)(strcspn(base, ".")), base, cap, distinct);
			c->npages = distinct;
			c->capacity = cap;
			c->refs.n = r.n;
			c->refs.ref = xmalloc(r.n * sizeof(u64));
			memcpy(c->refs.ref, r.ref, r.n * sizeof(u64));
		}
		refs_free(&r);
	}
	globfree(&g);
}

static struct outcome run_case(const struct sim_case *c, enum prefetcher pf,
			       bool feedback)
{
	return run(c->refs.ref, c->refs.n, c->npages, c->capacity, pf,
		   feedback);
}

static bool under_pressure(const struct sim_case *c)
{
	return c->npages > c->capacity;
}

/*
 * Issue 18's goal: on every workload and trace, no prefetcher takes more
 * faults than the LRU alone (1% of slack: a stream's first fault, chance
 * neighbours on random access) or moves more than 1.1x its pages. The
 * feedback reaches the first everywhere. A bet that pays in faults can
 * still move more pages (the pages used late take frames earlier, posting
 * lists overshot by a window). Asserted: the faults everywhere, at most
 * 1.5x the pages under pressure, and 1.25x with room (0.5x), where no
 * page leaves and the verdicts come only from gmem_prefetch_verdicts()
 * (without it the tree moved 1.51x on zipf-0.8); the cases over 1.1x are
 * listed.
 */
static int test_prefetchers_never_hurt(void)
{
	int more_faults = 0, more_moved = 0, over_goal = 0, pf;
	size_t i;

	make_cases();
	for (i = 0; i < ncases; i++) {
		struct outcome none = run_case(&cases[i], PF_NONE, true);

		for (pf = PF_SEQ; pf < NR_PF; pf++) {
			struct outcome o = run_case(&cases[i], pf, true);
			bool faults_ok = o.faults * 100 <= none.faults * 101;
			bool moved_ok = under_pressure(&cases[i]) ?
					o.moved * 10 <= none.moved * 15 :
					o.moved * 100 <= none.moved * 125;
			bool goal = faults_ok && o.moved * 10 <= none.moved * 11;

			printf("# %-24s %-6s faults %6llu (none %6llu) moved %6llu (%.2fx) unused %6llu samples %llu/%llu%s\n",
			       cases[i].name, pf_names[pf],
			       (unsigned long long)o.faults,
			       (unsigned long long)none.faults,
			       (unsigned long long)o.moved,
			       (double)o.moved / none.moved,
			       (unsigned long long)o.unused,
			       (unsigned long long)o.bad_samples,
			       (unsigned long long)o.samples,
			       !faults_ok || !moved_ok ? "  <- hurts" :
			       goal ? "" : "  (over 1.1x)");
			more_faults += !faults_ok;
			more_moved += !moved_ok;
			over_goal += !goal;
		}
	}
	printf("# %d of %zu workload x prefetcher pairs move over 1.1x the pages\n",
	       over_goal, ncases * (NR_PF - 1));
	EXPECT(!more_faults, "%d pairs take more faults than the LRU alone",
	       more_faults);
	EXPECT(!more_moved,
	       "%d pairs move over 1.5x the pages under pressure, or 1.25x with room",
	       more_moved);
	return 0;
}

static const struct sim_case *find_case(const char *name)
{
	size_t i;

	make_cases();
	for (i = 0; i < ncases; i++) {
		if (!strcmp(cases[i].name, name))
			return &cases[i];
	}
	die("no case %s", name);
}

/*
 * The feedback must not cost the wins: on the patterns each prefetcher is
 * for, at 2x the device, it takes under a quarter of the LRU's faults.
 */
static int test_prefetchers_keep_their_wins(void)
{
	static const struct {
		const char *name;
		enum prefetcher pf;
	} wins[] = {
		{ "seq 2x", PF_SEQ }, { "cyclic 2x", PF_SEQ },
		{ "llm-decode 2x", PF_SEQ }, { "stride-4 2x", PF_STRIDE },
		{ "stride-16 2x", PF_STRIDE }, { "seq 2x", PF_STRIDE },
		{ "seq 2x", PF_TREE }, { "cyclic 2x", PF_TREE },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(wins); i++) {
		const struct sim_case *c = find_case(wins[i].name);
		struct outcome none = run_case(c, PF_NONE, true);
		struct outcome with = run_case(c, wins[i].pf, true);
		struct outcome without = run_case(c, wins[i].pf, false);

		printf("# %s, %s: %llu faults, %llu without feedback, %llu with no prefetcher\n",
		       c->name, pf_names[wins[i].pf],
		       (unsigned long long)with.faults,
		       (unsigned long long)without.faults,
		       (unsigned long long)none.faults);
		EXPECT(with.faults * 4 < none.faults, "%s lost its win on %s",
		       pf_names[wins[i].pf], c->name);
	}
	return 0;
}

/*
 * A distrusted stream fetches at most its length so far scaled by the
 * trust (pf_stream_allowed()): at level 3 (64 of 512 pages allowed) an
 * eighth. 64 streams of 8 to 96 pages, 256 pages apart, read once, on a
 * device with room, the level held (no verdicts reach the prefetcher):
 * what seq and stride fetch past a stream's end is at most an eighth of
 * the pages read, and a page a stream (202 of 3,364 each: seq finds a
 * stream where stride does; capped at 64 pages without the scaling, seq
 * fetched 2,008), and they still take under half as many faults as pages
 * (a window of one page: 1,726).
 */
static int test_distrusted_streams_waste_their_share(void)
{
	enum { STREAMS = 64, GAP = 256, LEVEL = 3 };
	static const enum prefetcher pfs[] = { PF_SEQ, PF_STRIDE };
	size_t n = 0, npages = STREAMS * GAP, i, k;
	u64 *ref = xmalloc(npages * sizeof(*ref)), rng = 1;

	for (i = 0; i < STREAMS; i++) {
		size_t len = 8 + rng_next(&rng) % 89;

		for (k = 0; k < len; k++)
			ref[n++] = i * GAP + k;
	}
	for (k = 0; k < ARRAY_LEN(pfs); k++) {
		struct outcome o;
		u64 waste;

		preset_level = LEVEL;
		o = run(ref, n, npages, npages, pfs[k], false);
		preset_level = -1;
		waste = o.moved - n;
		printf("# %zu pages in %d streams, %s at level %d: %llu faults, %llu pages fetched past the streams\n",
		       n, STREAMS, pf_names[pfs[k]], LEVEL,
		       (unsigned long long)o.faults,
		       (unsigned long long)waste);
		EXPECT(waste * 8 <= n + 8 * STREAMS,
		       "%s fetched %llu pages past %zu pages of streams",
		       pf_names[pfs[k]], (unsigned long long)waste, n);
		EXPECT(o.faults * 2 < n, "%s: %llu faults for %zu pages",
		       pf_names[pfs[k]], (unsigned long long)o.faults, n);
	}
	free(ref);
	return 0;
}

/*
 * Two faults in a row are no stream for seq, three are (SEQ_MIN_RUN):
 * faults land next to each other by chance. 64 pairs of neighbouring
 * pages, 256 pages apart, on a device with room and without feedback:
 * seq moves only the 128 pages read (from the second fault it fetched a
 * window after each pair: 1,152 pages). 64 runs of three: it fetches
 * after each.
 */
static int test_seq_stream_is_three_faults_in_a_row(void)
{
	enum { RUNS = 64, GAP = 256 };
	size_t npages = RUNS * GAP, len, n, i, k;
	u64 *ref = xmalloc(3 * RUNS * sizeof(*ref));
	struct outcome o;

	for (len = 2; len <= 3; len++) {
		for (i = 0, n = 0; i < RUNS; i++) {
			for (k = 0; k < len; k++)
				ref[n++] = i * GAP + k;
		}
		o = run(ref, n, npages, npages, PF_SEQ, false);
		printf("# %d runs of %zu neighbouring faults: seq moved %llu pages\n",
		       RUNS, len, (unsigned long long)o.moved);
		if (len == 2)
			EXPECT(o.moved == n, "seq moved %llu pages after pairs of %zu",
			       (unsigned long long)o.moved, n);
		else
			EXPECT(o.moved >= n + RUNS * 16,
			       "seq moved %llu pages after runs of three, %zu pages",
			       (unsigned long long)o.moved, n);
	}
	free(ref);
	return 0;
}

/*
 * Streams of one program tend to be alike: 256 posting lists of 32 pages
 * side by side, half of them read once each, in a random order, on a
 * device with room. Once a bet's verdicts showed where a stream ended,
 * seq and stride fetch no further than that length (pf_stream_window()):
 * what they fetch past the lists read is at most 2% of the pages read
 * (20 of 4,096 each; seq 68 when it found a stream at its second fault),
 * in at most a fault per 5 pages (559). Without the ends they fetched
 * 1,136 pages past the lists, in 1,022 faults: the windows that overshoot
 * cost them trust.
 */
static int test_streams_end_where_streams_ended(void)
{
	enum { LISTS = 256, LEN = 32 };
	static const enum prefetcher pfs[] = { PF_SEQ, PF_STRIDE };
	size_t n = 0, npages = LISTS * LEN, order[LISTS], i, k;
	u64 *ref = xmalloc(npages * sizeof(*ref)), rng = 1;

	for (i = 0; i < LISTS; i++)
		order[i] = i;
	for (i = LISTS - 1; i > 0; i--) {
		size_t j = rng_next(&rng) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < LISTS / 2; i++) {
		for (k = 0; k < LEN; k++)
			ref[n++] = order[i] * LEN + k;
	}
	for (k = 0; k < ARRAY_LEN(pfs); k++) {
		struct outcome o = run(ref, n, npages, npages, pfs[k], true);
		u64 waste = o.moved - n;

		printf("# %zu pages of %d-page lists, %s: %llu faults, %llu pages fetched past the lists\n",
		       n, LEN, pf_names[pfs[k]],
		       (unsigned long long)o.faults,
		       (unsigned long long)waste);
		EXPECT(waste * 50 <= n,
		       "%s fetched %llu pages past %zu pages of lists",
		       pf_names[pfs[k]], (unsigned long long)waste, n);
		EXPECT(o.faults * 5 <= n, "%s: %llu faults for %zu pages",
		       pf_names[pfs[k]], (unsigned long long)o.faults, n);
	}
	free(ref);
	return 0;
}

/*
 * A stream past the length where one ended fetches no more than it has
 * come past it (pf_stream_window()). LLM decode at twice the device: each
 * token reads each layer's KV cache one page further, so its streams pass
 * by a page the ends the last token's left. seq and stride leave at most
 * 1% of the pages the LRU alone moves (25,228) unused on the device: 104;
 * with a window past the end they left 832, and moved 1.09x.
 */
static int test_streams_past_an_end_fetch_what_they_passed(void)
{
	static const enum prefetcher pfs[] = { PF_SEQ, PF_STRIDE };
	const struct sim_case *c = find_case("llm-decode 2x");
	struct outcome none = run_case(c, PF_NONE, true), o;
	size_t i;

	for (i = 0; i < ARRAY_LEN(pfs); i++) {
		o = run_case(c, pfs[i], true);
		printf("# %s, %s: %llu prefetched pages unused, %llu pages moved, %llu with no prefetcher\n",
		       c->name, pf_names[pfs[i]], (unsigned long long)o.unused,
		       (unsigned long long)o.moved,
		       (unsigned long long)none.moved);
		EXPECT(o.unused * 100 <= none.moved,
		       "%s left %llu prefetched pages unused, the LRU moved %llu",
		       pf_names[pfs[i]], (unsigned long long)o.unused,
		       (unsigned long long)none.moved);
	}
	return 0;
}

/*
 * The tree on each of the @n cases @names moves at most 1.1x the pages of
 * the LRU alone.
 */
static int tree_moves_within_goal(const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct sim_case *c = find_case(names[i]);
		struct outcome none = run_case(c, PF_NONE, true);
		struct outcome o = run_case(c, PF_TREE, true);

		printf("# %s, tree: %llu pages moved (%llu faults, %llu samples, %llu over budget), %llu with no prefetcher\n",
		       c->name, (unsigned long long)o.moved,
		       (unsigned long long)o.faults,
		       (unsigned long long)o.samples,
		       (unsigned long long)o.bad_samples,
		       (unsigned long long)none.moved);
		EXPECT(o.moved * 100 <= none.moved * 110,
		       "tree moved %llu pages on %s, the LRU alone %llu",
		       (unsigned long long)o.moved, c->name,
		       (unsigned long long)none.moved);
	}
	return 0;
}

/*
 * A sample in which most bets missed is over budget, however many faults
 * came with it (pf_miss_pct). Judged only against the pages needed, the
 * tree kept its trust where faults are many and moved 1.15x the LRU's
 * pages on LLM decode at twice the device, and 1.11x on random access
 * there; now at most 1.1x on both.
 */
static int test_bets_that_mostly_miss_back_off(void)
{
	static const char *const names[] = { "llm-decode 2x", "random 2x" };

	return tree_moves_within_goal(names, ARRAY_LEN(names));
}

/*
 * The waste ledger (pf_over_ledger()): while the pages the tree's judged
 * bets of both kinds wasted, ever, are over pf_waste_pct of the pages the
 * device needed, it bets nothing. Judged only in samples of 32 verdicts,
 * each kind within its own budget, the tree moved 1.14x, 1.18x and 1.11x
 * the LRU's pages on zipf-1.2, phase and ivf at half the device (its
 * first probes, wasted before a sample was judged; gmem_sim gave the
 * same); now 1.01x, 1.02x and 1.03x. The ledger counts as waste the
 * faults on pages the bets pushed out too (tree_charge_displaced()): on
 * the hash join at half its pages the tree wasted 6% of the pages
 * needed, yet moved 1.12x the LRU's pages (gmem_sim 1.16x); now 1.06x.
 */
static int test_waste_stays_within_the_ledger(void)
{
	static const char *const names[] = {
		"zipf-1.2 0.5x", "phase 0.5x", "ivf 0.5x",
		"trace:hashjoin 555/1110",
	};

	return tree_moves_within_goal(names, ARRAY_LEN(names));
}

/*
 * A page a prefetch brought stops pending at the device's first use of
 * it, a fault or a report (gm_frame_end_pending()). Left pending until
 * aging took the report, the pages of LLM decode's layers, streamed and
 * used once, stood as bets ahead of every page that left: the tree
 * charged itself the refaults of those (tree_charge_displaced()), and on
 * LLM decode at 1.25x the device took 10,418 faults of the LRU's 11,522,
 * not 3,660.
 */
static int test_pending_ends_at_first_use(void)
{
	const struct sim_case *c = find_case("llm-decode 1.2x");
	struct outcome none = run_case(c, PF_NONE, true);
	struct outcome o = run_case(c, PF_TREE, true);

	printf("# %s, tree: %llu faults, %llu with no prefetcher\n", c->name,
	       (unsigned long long)o.faults, (unsigned long long)none.faults);
	EXPECT(o.faults * 2 < none.faults, "tree took %llu faults, the LRU %llu",
	       (unsigned long long)o.faults, (unsigned long long)none.faults);
	return 0;
}

/*
 * A dense region's leaves that have no page on the device are fetched
 * only among the fault's 64 pages (bpf/lib/tree.h). An IVF index's
 * posting lists that no query read are bets on their address alone: with
 * every such leaf of a dense region fetched (UVM's rule), the tree moved
 * 1.31x and 1.17x the LRU's pages at 2x and 4x the device; now 1.02x and
 * 1.00x.
 */
static int test_tree_leaves_unread_lists_alone(void)
{
	static const char *const names[] = { "ivf 2x", "ivf 4x" };

	return tree_moves_within_goal(names, ARRAY_LEN(names));
}

/*
 * A prefetched page's first use stands for the fault the prefetch saved:
 * aging gives it no second chance, as it gives none to a page that
 * faulted in and was not used since (gm_frame_take_reports()). An IVF
 * index at 4x the device: its hot lists are read again, its cold ones
 * once. seq and stride move 1.04x the pages of the LRU alone; when a
 * first use counted as a use again, the lists read once outlived the hot
 * ones, and they moved 1.22x.
 */
static int test_prefetched_first_use_earns_no_second_chance(void)
{
	static const enum prefetcher pfs[] = { PF_SEQ, PF_STRIDE };
	const struct sim_case *c = find_case("ivf 4x");
	struct outcome none = run_case(c, PF_NONE, true), o;
	size_t i;

	for (i = 0; i < ARRAY_LEN(pfs); i++) {
		o = run_case(c, pfs[i], true);
		printf("# %s, %s: %llu pages moved, %llu with no prefetcher\n",
		       c->name, pf_names[pfs[i]], (unsigned long long)o.moved,
		       (unsigned long long)none.moved);
		EXPECT(o.moved * 100 <= none.moved * 110,
		       "%s moved %llu pages, the LRU alone %llu",
		       pf_names[pfs[i]], (unsigned long long)o.moved,
		       (unsigned long long)none.moved);
	}
	return 0;
}

const struct host_test prefetch_tests[] = {
	{ "prefetchers_never_hurt", test_prefetchers_never_hurt },
	{ "prefetchers_keep_their_wins", test_prefetchers_keep_their_wins },
	{ "distrusted_streams_waste_their_share",
	  test_distrusted_streams_waste_their_share },
	{ "seq_stream_is_three_faults_in_a_row",
	  test_seq_stream_is_three_faults_in_a_row },
	{ "streams_end_where_streams_ended",
	  test_streams_end_where_streams_ended },
	{ "streams_past_an_end_fetch_what_they_passed",
	  test_streams_past_an_end_fetch_what_they_passed },
	{ "bets_that_mostly_miss_back_off", test_bets_that_mostly_miss_back_off },
	{ "waste_stays_within_the_ledger", test_waste_stays_within_the_ledger },
	{ "pending_ends_at_first_use", test_pending_ends_at_first_use },
	{ "tree_leaves_unread_lists_alone", test_tree_leaves_unread_lists_alone },
	{ "prefetched_first_use_earns_no_second_chance",
	  test_prefetched_first_use_earns_no_second_chance },
	{ NULL },
};
