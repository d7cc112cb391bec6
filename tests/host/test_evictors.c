// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/lib/'s evictors on the host, held to offline versions of their
 * algorithms: this file plays GMEM (the maps, bpf_loop(), the evict
 * kfuncs, a device of CAPACITY frames that reports every use) and runs
 * reference strings through each policy's hooks, one victim per eviction
 * round. lru and fifo must take exactly the faults of opt.c's offline
 * LRU and FIFO, s3fifo, sieve and lirs those of evictors.c.
 */
#include <errno.h>
#include <string.h>

#include "host_test.h"
#include "evictors.h"
#include "workloads.h"

/*
 * test_stride.c defines the map helpers of its own map: these are this
 * file's, under other names.
 */
#define bpf_map_lookup_elem	ev_map_lookup_elem
#define bpf_map_update_elem	ev_map_update_elem
#define bpf_map_delete_elem	ev_map_delete_elem
/* bpf_loop() callbacks take the iteration number, which they ignore. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "lib/s3fifo.h"
#include "lib/sieve.h"
#include "lib/lirs.h"
#pragma GCC diagnostic pop

#define CAPACITY	256
#define MAX_PAGES	4096
#define AS_ID		7

/* The maps' contents. */
static struct gmem_node nodes[GMEM_SLOTS + GMEM_LISTS * GMEM_MAX_DEVICES];
static struct s3_page s3pages[GMEM_SLOTS];
static __u32 s3sizes[GMEM_MAX_DEVICES * GMEM_LISTS];
static struct gmem_ghost_slot ghost_ring[GMEM_SLOTS];
static __u64 ghost_next[GMEM_MAX_DEVICES];
static struct gmem_ghost ghosts[MAX_PAGES];	/* gmem_ghosts of device 0 */
static __u32 hands[GMEM_MAX_DEVICES];
static struct lirs_page lirspages[GMEM_SLOTS];
static struct lirs_dev lirsdevs[GMEM_MAX_DEVICES];

/* The device: the page in each frame (or -1), each page's frame (or -1). */
static int frame_page[CAPACITY], page_frame[MAX_PAGES];
static bool nominated[CAPACITY];
static unsigned long refused, filled;

static void *array(void *base, size_t size, size_t n, const void *key)
{
	__u32 i = *(const __u32 *)key;

	return i < n ? (char *)base + i * size : NULL;
}

#define ARRAY(a, key)	array(a, sizeof(a[0]), sizeof(a) / sizeof(a[0]), key)

/* The hash map gmem_ghosts: pages of device 0 in address space AS_ID. */
static bool ghost_key_ok(const struct gmem_page_key *k)
{
	return k->as_id == AS_ID && k->dev == 0 && k->vpn < MAX_PAGES;
}

void *ev_map_lookup_elem(void *map, const void *key)
{
	if (map == &gmem_nodes)
		return ARRAY(nodes, key);
	if (map == &s3_pages)
		return ARRAY(s3pages, key);
	if (map == &s3_sizes)
		return ARRAY(s3sizes, key);
	if (map == &sieve_hands)
		return ARRAY(hands, key);
	if (map == &lirs_pages)
		return ARRAY(lirspages, key);
	if (map == &lirs_devs)
		return ARRAY(lirsdevs, key);
	if (map == &gmem_ghost_ring)
		return ARRAY(ghost_ring, key);
	if (map == &gmem_ghost_next)
		return ARRAY(ghost_next, key);
	if (map == &gmem_ghosts) {
		const struct gmem_page_key *k = key;

		return ghost_key_ok(k) && ghosts[k->vpn].seq1 ?
		       &ghosts[k->vpn] : NULL;
	}
	return NULL;
}

long ev_map_update_elem(void *map, const void *key, const void *value,
			__u64 flags)
{
	const struct gmem_page_key *k = key;

	(void)flags;
	if (map != &gmem_ghosts || !ghost_key_ok(k))
		return -EINVAL;
	ghosts[k->vpn] = *(const struct gmem_ghost *)value;
	return 0;
}

long ev_map_delete_elem(void *map, const void *key)
{
	const struct gmem_page_key *k = key;

	if (map != &gmem_ghosts || !ghost_key_ok(k) || !ghosts[k->vpn].seq1)
		return -ENOENT;
	memset(&ghosts[k->vpn], 0, sizeof(ghosts[k->vpn]));
	return 0;
}

long bpf_loop(__u32 nr_loops, void *callback_fn, void *callback_ctx,
	      __u64 flags)
{
	int (*fn)(__u32, void *) = (int (*)(__u32, void *))callback_fn;
	__u32 i;

	(void)flags;
	for (i = 0; i < nr_loops; i++) {
		if (fn(i, callback_ctx))
			return i + 1;
	}
	return i;
}

__u32 gmem_frame_state(struct gmem_evict_ctx *ctx, __u32 frame)
{
	(void)ctx;
	if (frame >= CAPACITY || frame_page[frame] < 0)
		return 0;
	return nominated[frame] ? GMEM_FRAME_BUSY : GMEM_FRAME_RESIDENT;
}

/*
 * Uses the device reported and GMEM has not passed on (replay() with
 * @pending): what gmem_frame_take_referenced() takes.
 */
static bool referenced[CAPACITY];

__u32 gmem_frame_take_referenced(struct gmem_evict_ctx *ctx, __u32 frame)
{
	bool was;

	(void)ctx;
	if (frame >= CAPACITY)
		return 0;
	was = referenced[frame];
	referenced[frame] = false;
	return was;
}

/* As mm/gmem/decide.c: a resident frame not yet nominated, until wanted. */
int gmem_evict_frame(struct gmem_evict_ctx *ctx, __u32 frame)
{
	if (ctx->nominated >= ctx->wanted)
		return -ENOSPC;
	if (!(gmem_frame_state(ctx, frame) & GMEM_FRAME_RESIDENT) ||
	    nominated[frame]) {
		refused++;
		return -EBUSY;
	}
	nominated[frame] = true;
	ctx->nominated++;
	return 0;
}

struct evictor {
	const char *name;
	void (*added)(struct gmem_page *page);
	void (*accessed)(struct gmem_page *page);
	void (*removed)(struct gmem_page *page);
	void (*evict)(struct gmem_evict_ctx *req);
};

/* bpf/evict_lru.bpf.c and evict_fifo.bpf.c, which are only these calls. */
static void lru_evict(struct gmem_evict_ctx *req)
{
	gmem_list_evict(req, false);
}

static void none(struct gmem_page *page)
{
	(void)page;
}

static const struct evictor lru = {
	"lru", gmem_list_add_page, gmem_list_add_page, gmem_list_del_page,
	lru_evict,
};
static const struct evictor fifo = {
	"fifo", gmem_list_add_page, none, gmem_list_del_page, lru_evict,
};
static const struct evictor s3fifo = {
	"s3fifo", s3fifo_do_page_added, s3fifo_do_page_accessed,
	s3fifo_do_page_removed, s3fifo_do_evict,
};
static const struct evictor sieve = {
	"sieve", sieve_do_page_added, sieve_do_page_accessed,
	sieve_do_page_removed, sieve_do_evict,
};
static const struct evictor lirs = {
	"lirs", lirs_do_page_added, lirs_do_page_accessed,
	lirs_do_page_removed, lirs_do_evict,
};

static struct gmem_page page_of(int page, int frame)
{
	struct gmem_page p = {
		.va = (__u64)page << GMEM_PAGE_SHIFT,
		.as_id = AS_ID,
		.dev = 0,
		.frame = frame,
	};

	return p;
}

/*
 * Device faults of @seq under @ev; a round the policy left short is
 * filled. A hit reaches the policy as page_accessed or, if @pending, only
 * through gmem_frame_take_referenced(): GMEM's aging passes a reported use
 * on only once the frame reaches the tail of its own LRU, which a policy
 * with an order of its own may never wait for.
 */
static u64 replay_reporting(const struct evictor *ev, const u64 *seq,
			    size_t n, bool pending)
{
	int free_frames = CAPACITY, f;
	struct gmem_page pg;
	u64 faults = 0;
	size_t i;

	memset(nodes, 0, sizeof(nodes));
	memset(s3pages, 0, sizeof(s3pages));
	memset(s3sizes, 0, sizeof(s3sizes));
	memset(ghosts, 0, sizeof(ghosts));
	memset(ghost_ring, 0, sizeof(ghost_ring));
	memset(ghost_next, 0, sizeof(ghost_next));
	memset(hands, 0, sizeof(hands));
	memset(lirspages, 0, sizeof(lirspages));
	memset(lirsdevs, 0, sizeof(lirsdevs));
	memset(frame_page, -1, sizeof(frame_page));
	memset(page_frame, -1, sizeof(page_frame));
	memset(nominated, 0, sizeof(nominated));
	memset(referenced, 0, sizeof(referenced));
	refused = filled = 0;
	for (i = 0; i < n; i++) {
		int p = seq[i];

		if (page_frame[p] >= 0 && pending) {
			referenced[page_frame[p]] = true;
			continue;
		}
		if (page_frame[p] >= 0) {
			pg = page_of(p, page_frame[p]);
			pg.flags = GMEM_PAGE_REFERENCED;
			ev->accessed(&pg);
			continue;
		}
		faults++;
		if (!free_frames) {
			struct gmem_evict_ctx req = {
				.as_id = AS_ID, .nr_frames = CAPACITY, .wanted = 1,
			};

			ev->evict(&req);
			if (!req.nominated) {
				filled++;
				nominated[0] = true;
			}
			for (f = 0; f < CAPACITY; f++) {
				if (!nominated[f])
					continue;
				pg = page_of(frame_page[f], f);
				ev->removed(&pg);
				referenced[f] = false;
				page_frame[frame_page[f]] = -1;
				frame_page[f] = -1;
				nominated[f] = false;
				free_frames++;
			}
		}
		for (f = 0; frame_page[f] >= 0; f++)
			;
		frame_page[f] = p;
		page_frame[p] = f;
		free_frames--;
		pg = page_of(p, f);
		ev->added(&pg);
	}
	return faults;
}

static u64 replay(const struct evictor *ev, const u64 *seq, size_t n)
{
	return replay_reporting(ev, seq, n, false);
}

#define HOT		64
#define SCAN		224	/* HOT + SCAN > CAPACITY: LRU loses HOT */
#define ROUNDS		120

/*
 * A hot set of HOT pages used once a round, and between rounds a scan of
 * SCAN pages not used again for 17 rounds.
 */
static u64 *scan_with_hot_set(size_t *n)
{
	static u64 seq[ROUNDS * (HOT + SCAN)];
	size_t k = 0, scan = 0, j;

	while (k < sizeof(seq) / sizeof(seq[0])) {
		for (j = 0; j < HOT; j++)
			seq[k++] = j;
		for (j = 0; j < SCAN; j++)
			seq[k++] = HOT + scan++ % (MAX_PAGES - HOT);
	}
	*n = k;
	return seq;
}

/*
 * The same string with the device's uses pending until the policy takes
 * them (replay_reporting()): SIEVE has one visited bit, taken when its
 * hand reaches the frame, so it must take the offline faults still.
 * S3-FIFO counts uses up to 3 and now sees at most one between two looks
 * at a frame: where it beats the LRU with every use told (@s3_told faults
 * against @l), it may take a tenth more faults, no more (without the uses
 * it would take up to a quarter more: its ghosts still tell it of some).
 * LIRS learns of uses at the bottom of its LIR list and in the HIR queue
 * when it evicts: at most 5% more faults than with @li_told (without
 * them, the bottom looks unused for laps and every ghost seems in S: a
 * loop of 1.25x the device took 2.6x the faults).
 */
static int check_pending(const char *what, const u64 *seq, size_t n,
			 u64 s3_told, u64 li_told, u64 l)
{
	u64 si = replay_reporting(&sieve, seq, n, true);
	u64 s3 = replay_reporting(&s3fifo, seq, n, true);
	u64 li = replay_reporting(&lirs, seq, n, true);
	u64 want_si = sieve_faults(seq, n, MAX_PAGES, CAPACITY);

	printf("# %s, uses pending until taken: s3fifo %llu, sieve %llu, lirs %llu faults\n",
	       what, (unsigned long long)s3, (unsigned long long)si,
	       (unsigned long long)li);
	EXPECT(si == want_si, "%s, uses pending: sieve %llu, offline %llu",
	       what, (unsigned long long)si, (unsigned long long)want_si);
	EXPECT(s3_told >= l || s3 * 10 <= s3_told * 11,
	       "%s, uses pending: s3fifo %llu, %llu with every use told",
	       what, (unsigned long long)s3, (unsigned long long)s3_told);
	EXPECT(li * 100 <= li_told * 105,
	       "%s, uses pending: lirs %llu, %llu with every use told",
	       what, (unsigned long long)li, (unsigned long long)li_told);
	return 0;
}

static int check(const char *what, const u64 *seq, size_t n)
{
	u64 l = replay(&lru, seq, n), fi = replay(&fifo, seq, n);
	u64 s3 = replay(&s3fifo, seq, n), si, li;
	u64 want_li = lirs_faults(seq, n, MAX_PAGES, CAPACITY);
	u64 want_s3 = s3fifo_faults(seq, n, MAX_PAGES, CAPACITY, 10, CAPACITY);
	u64 want_si = sieve_faults(seq, n, MAX_PAGES, CAPACITY);

	EXPECT(!refused && !filled, "%s: s3fifo: %lu refused, %lu filled",
	       what, refused, filled);
	si = replay(&sieve, seq, n);
	EXPECT(!refused && !filled, "%s: sieve: %lu refused, %lu filled",
	       what, refused, filled);
	li = replay(&lirs, seq, n);
	EXPECT(!refused && !filled, "%s: lirs: %lu refused, %lu filled",
	       what, refused, filled);
	printf("# %s: %zu references: lru %llu, fifo %llu, s3fifo %llu, sieve %llu, lirs %llu faults; OPT %llu\n",
	       what, n, (unsigned long long)l, (unsigned long long)fi,
	       (unsigned long long)s3, (unsigned long long)si,
	       (unsigned long long)li,
	       (unsigned long long)opt_faults(seq, n, MAX_PAGES, CAPACITY));
	EXPECT(l == lru_faults(seq, n, MAX_PAGES, CAPACITY), "%s: lru %llu",
	       what, (unsigned long long)l);
	EXPECT(fi == fifo_faults(seq, n, MAX_PAGES, CAPACITY), "%s: fifo %llu",
	       what, (unsigned long long)fi);
	EXPECT(s3 == want_s3, "%s: s3fifo %llu, offline %llu", what,
	       (unsigned long long)s3, (unsigned long long)want_s3);
	EXPECT(si == want_si, "%s: sieve %llu, offline %llu", what,
	       (unsigned long long)si, (unsigned long long)want_si);
	EXPECT(li == want_li, "%s: lirs %llu, offline %llu", what,
	       (unsigned long long)li, (unsigned long long)want_li);
	return check_pending(what, seq, n, s3, li, l);
}

/*
 * bench/lib's workload @family at @size_x the device, one tenant, eight
 * times over with other seeds (a bench string has only two references
 * per page).
 */
static int generated(const char *family, double param, double size_x)
{
	struct refs all = { 0 };
	struct workload w;
	char what[64];
	u64 seed;
	size_t i;
	int ret;

	for (seed = 1; seed <= 8; seed++) {
		if (workload_make(&w, family, param, size_x, CAPACITY, seed))
			return 1;
		EXPECT(w.tenants == 1 && w.npages[0] <= MAX_PAGES,
		       "%s: %zu pages", w.name, w.npages[0]);
		for (i = 0; i < w.t[0].n; i++)
			refs_push(&all, w.t[0].ref[i]);
		snprintf(what, sizeof(what), "%s at %.3gx", w.name, size_x);
		workload_free(&w);
	}
	ret = check(what, all.ref, all.n);
	refs_free(&all);
	return ret;
}

static int bpf_evictors_match_offline_on_zipf(void)
{
	return generated("zipf", 0.8, 2) || generated("zipf", 1.2, 4);
}

static int bpf_evictors_match_offline_on_random_and_phases(void)
{
	return generated("random", 0, 1.25) || generated("phase", 0, 2) ||
	       generated("cyclic", 0, 1.25);
}

/* The string S3-FIFO is for: LRU lets the scan push the hot set out. */
static int scans_do_not_push_out_a_hot_set(void)
{
	size_t n;
	const u64 *seq = scan_with_hot_set(&n);
	u64 l = replay(&lru, seq, n), s3 = replay(&s3fifo, seq, n);
	u64 li = replay(&lirs, seq, n);

	if (check("hot set under a scan", seq, n))
		return 1;
	/*
	 * LRU: every reference; S3-FIFO and LIRS: the scan, and the hot set
	 * twice. SIEVE's hand passes the hot set twice a round: it loses it
	 * too.
	 */
	EXPECT(l == n, "lru %llu faults", (unsigned long long)l);
	EXPECT(s3 <= ROUNDS * SCAN + 2 * HOT, "s3fifo %llu faults",
	       (unsigned long long)s3);
	EXPECT(li <= ROUNDS * SCAN + 2 * HOT, "lirs %llu faults",
	       (unsigned long long)li);
	return 0;
}

/*
 * The string LIRS is for: a loop a quarter larger than the device. LRU
 * lets every page go just before its use; LIRS keeps the pages that were
 * there when the device filled, all but its cold share (1%: 2 frames of
 * 256), and cycles the rest through that: 2 faults a lap more than OPT.
 */
static int lirs_keeps_most_of_a_loop(void)
{
	enum { LAPS = 8, LOOP = CAPACITY + CAPACITY / 4 };
	static u64 seq[LAPS * LOOP];
	const u64 lir = CAPACITY - CAPACITY / 100;
	size_t n = 0, p;
	u64 l, li, o;
	int lap;

	for (lap = 0; lap < LAPS; lap++)
		for (p = 0; p < LOOP; p++)
			seq[n++] = p;
	if (check("a loop of 1.25x the device", seq, n))
		return 1;
	l = replay(&lru, seq, n);
	li = replay(&lirs, seq, n);
	o = opt_faults(seq, n, MAX_PAGES, CAPACITY);
	EXPECT(l == n, "lru %llu faults", (unsigned long long)l);
	EXPECT(li == LOOP + (LAPS - 1) * (LOOP - lir) &&
	       li == o + (LAPS - 1) * (CAPACITY / 100),
	       "lirs %llu faults, OPT %llu", (unsigned long long)li,
	       (unsigned long long)o);
	return 0;
}

/*
 * ARC, offline (for the report): by hand on two frames, 0 0 1 2 0 takes
 * 3 faults where the LRU takes 4 (0 was used twice, so it waits in T2
 * while 1, seen once, goes); 0 0 1 2 1 0 2 3 0 2 takes 8, its target for
 * T1 moved by each ghost hit: 1 in B1 grows it, the second 0 (in B2)
 * shrinks it to 0, and the third 0 then lets 3 go from T1, not 2 from T2
 * (9 faults if B2 hits did not shrink it, 7 if B1 hits did not grow it;
 * the lists were followed by hand). On random strings it is never below OPT, with
 * and without removals (every 50th reference), and takes one fault a page
 * when all fit. Under a scan it keeps a hot set the LRU loses if the set
 * is used twice a round (into T2), not if once: then nothing is ever seen
 * twice within the device and ARC is the LRU (S3-FIFO's ghosts keep it).
 */
static int arc_by_hand_and_bounds(void)
{
	static const u64 by_hand[] = { 0, 0, 1, 2, 0 };
	static const u64 ghost_hits[] = { 0, 0, 1, 2, 1, 0, 2, 3, 0, 2 };
	static u64 seq[ROUNDS * (2 * HOT + SCAN)], removals[20000];
	static bool seen[256];
	const u64 *scan;
	u64 rng = 7, arc;
	size_t n, i;
	int k;

	arc = arc_faults(by_hand, 5, 3, 2);
	EXPECT(arc == 3 && lru_faults(by_hand, 5, 3, 2) == 4, "arc %llu",
	       (unsigned long long)arc);
	arc = arc_faults(ghost_hits, 10, 4, 2);
	EXPECT(arc == 8, "ghost hits: arc %llu", (unsigned long long)arc);
	for (k = 0; k < 20; k++) {
		size_t npages = 16 + rng_next(&rng) % 240;
		size_t cap = 1 + rng_next(&rng) % npages, distinct = 0;

		memset(seen, 0, sizeof(seen));
		for (i = 0; i < 20000; i++) {
			seq[i] = rng_next(&rng) % npages;
			removals[i] = seq[i] | (i % 50 == 49 ? OPT_REMOVE : 0);
			distinct += !seen[seq[i]];
			seen[seq[i]] = true;
		}
		arc = arc_faults(seq, 20000, npages, cap);
		EXPECT(arc >= opt_faults(seq, 20000, npages, cap),
		       "%zu pages, %zu frames: arc %llu", npages, cap,
		       (unsigned long long)arc);
		arc = arc_faults(removals, 20000, npages, cap);
		EXPECT(arc >= opt_faults(removals, 20000, npages, cap),
		       "%zu pages, %zu frames, removals: arc %llu", npages, cap,
		       (unsigned long long)arc);
		arc = arc_faults(seq, 20000, npages, npages);
		EXPECT(arc == distinct, "all fit: arc %llu, %zu pages",
		       (unsigned long long)arc, distinct);
	}
	scan = scan_with_hot_set(&n);
	arc = arc_faults(scan, n, MAX_PAGES, CAPACITY);
	EXPECT(arc == n, "hot set once a round: arc %llu faults",
	       (unsigned long long)arc);
	for (i = n = 0; n < ROUNDS * (2 * HOT + SCAN); i++) {
		for (k = 0; k < 2 * HOT; k++)
			seq[n++] = k % HOT;
		for (k = 0; k < SCAN; k++)
			seq[n++] = HOT + (i * SCAN + k) % (MAX_PAGES - HOT);
	}
	arc = arc_faults(seq, n, MAX_PAGES, CAPACITY);
	printf("# hot set twice a round under a scan: arc %llu faults, lru %llu\n",
	       (unsigned long long)arc,
	       (unsigned long long)lru_faults(seq, n, MAX_PAGES, CAPACITY));
	EXPECT(arc == HOT + ROUNDS * SCAN, "hot set twice a round: arc %llu",
	       (unsigned long long)arc);
	return 0;
}

const struct host_test evictor_tests[] = {
	{ "lru, fifo, s3fifo and sieve take the offline faults on zipf strings",
	  bpf_evictors_match_offline_on_zipf },
	{ "the same on random and phased strings",
	  bpf_evictors_match_offline_on_random_and_phases },
	{ "s3fifo and lirs keep a hot set under a scan that LRU and SIEVE lose",
	  scans_do_not_push_out_a_hot_set },
	{ "lirs takes 1% of the device a lap more than opt on a loop larger than it",
	  lirs_keeps_most_of_a_loop },
	{ "arc (offline): by hand, never below opt, keeps a hot set under a scan",
	  arc_by_hand_and_bounds },
	{ NULL }
};
