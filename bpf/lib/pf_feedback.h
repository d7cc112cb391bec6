/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prefetch feedback: a prefetcher that keeps bringing pages the device
 * never uses moves pages for nothing, and on a full device evicts pages
 * that would have been used: more traffic, then more faults. GMEM tells
 * the policy how each bet went (docs/writing-a-policy.md, "Prefetch
 * accuracy"): a prefetched page leaves with GMEM_PAGE_PREFETCHED in
 * page_removed, and GMEM_PAGE_UNUSED too if the device never used it.
 *
 * Every shipped prefetcher keeps a waste budget per address space: the
 * pages it prefetched for nothing may be at most pf_waste_pct percent of
 * the pages the device needed (its faults, and the prefetched pages it
 * used), aiming at pages moved of about 1 + pf_waste_pct / 100 times what
 * demand paging alone moves (the tree's ledger, below, holds its waste
 * to the budget over its whole life, counting the pages its bets push
 * out and that come back, a cost no verdict sees). It is judged on samples of
 * pf_sample verdicts, and its level of distrust follows: two levels up
 * for a sample over budget, one down for one within. A sample is over
 * budget too when more than pf_miss_pct percent of its verdicts are
 * unused: where faults are many, a tenth of the pages needed lets bets
 * that mostly miss go on, and the pages they take from the device cost
 * faults the budget does not see (the tree on LLM decode at twice the
 * device: 1.15x the default's pages, 1.08x with it, in the host model).
 * At level 0 it prefetches as it likes; at level L up to PF_PROBE_LEVEL
 * a fault may prefetch 512 >> L pages; above that, PF_PROBE_PAGES on one
 * fault in 2^(L - PF_PROBE_LEVEL), up to one in 1024. Those few pages are its
 * probes, judged in later samples, so it regains trust when the pattern
 * turns predictable. Like Linux's read-around, which stops after too many
 * misses, this costs nothing while prefetching pays. A stream prefetcher
 * (seq, stride) also fetches no more than the stream's length so far
 * scaled by its trust (pf_stream_allowed()): streams of unknown length
 * that end where it bet on more (an IVF index's posting lists) then waste
 * a share of each, not a window.
 *
 * Streams of one program tend to be alike: an index's posting lists, a
 * table's rows. A stream bet whose pages the device used up to some page
 * and not after tells where that stream ended; the address space keeps
 * the last PF_ENDS such lengths, and a stream fetches no further than the
 * shortest of them longer than itself (pf_stream_window()). A stream that
 * goes on past one faults there and goes on, fetching no more than it has
 * come past the end: it ends again soon as often as not. A KV cache read
 * one page further each token is such a stream; fetching a window past
 * its end, seq moved 1.09x the default's pages on LLM decode at twice the
 * device (host model), 1.04x without. A fault per doubling past each
 * length passed buys that, where a window past every end of an IVF
 * index's lists cost a window of pages each time. The lengths are
 * estimates: pages of a bet that were on the device already, or left it
 * before the verdict, make an end look early; it stays until PF_ENDS
 * later ones replace it.
 *
 * Waiting for pages to leave made the verdicts late: on a device of N
 * frames a bet is judged N evictions after it was made, all the bets made
 * meanwhile at the old level of trust; and on a device with room nothing
 * leaves, so nothing was ever judged. So the prefetcher keeps its last
 * PF_BETS ranges and asks GMEM how each went (gmem_prefetch_verdicts())
 * PF_JUDGE_AGE faults of the address space later: pages the device used
 * by then count as used, the others as unused. Those pages leave with
 * GMEM_PAGE_JUDGED and are not counted again. A bet on another device
 * than the fault's, or one the ring had no room for, is judged when its
 * pages leave, as before.
 *
 * Samples forgive: each is judged alone, and a prefetcher whose bets are
 * of two kinds (the tree's) may waste a tenth with each. The address
 * space's ledger (pf_over_ledger()) adds up every verdict since its first
 * fault (bets of the last PF_JUDGE_AGE faults are not in it yet); the
 * tree bets nothing while the ledger is over budget. Without it, on
 * workloads of a few hundred pages on a device with room, the tree's
 * first probes were wasted before a sample was judged (1.14x,
 * 1.18x and 1.11x the default's pages on zipf-1.2, phase and ivf at half
 * the device), and on the hash join at half its pages it moved 1.13x in
 * the host model. The tree adds to it the faults on pages its bets pushed
 * out (displaced_all, tree.h's tree_charge_displaced()): the hash join's
 * bets wasted only 6% of the pages needed, yet it moved 1.16x the
 * default's pages. seq and stride keep to no ledger: their bets follow
 * streams they saw, and with one they failed test_prefetch.c's posting
 * lists (streams_end_where_streams_ended), the misses past the first
 * lists' ends holding back their bets on the later ones.
 */
#ifndef GMEM_LIB_PF_FEEDBACK_H
#define GMEM_LIB_PF_FEEDBACK_H

#include "gmem_policy.h"

/*
 * Tunables (gmemctl load --set): verdicts judged at a time, the waste
 * allowed in percent of the pages needed, and the misses allowed in
 * percent of the verdicts; pf_sample=0 never judges, so never backs off.
 */
const volatile __u32 pf_sample = 32;
const volatile __u32 pf_waste_pct = 10;
const volatile __u32 pf_miss_pct = 33;

#define PF_MAX_PAGES		512	/* GMEM's budget for one fault */
#define PF_PROBE_PAGES		16
#define PF_PROBE_LEVEL		5	/* 512 >> 5 == PF_PROBE_PAGES */
#define PF_MAX_LEVEL		15	/* a probe every 1024 faults */
#define PF_BETS			32	/* ranges awaiting verdicts: 4 a fault */
#define PF_JUDGE_AGE		8	/* faults after which a range is judged */
#define PF_ENDS			8	/* lengths at which streams ended */

/*
 * An address space's bets of one kind share a state: the tree's fetches
 * of pages the device never had and of pages it had before are judged
 * apart (tree.h), so one kind's misses do not cost the other its trust.
 * Its ledger (pf_over_ledger()) adds both kinds' waste up.
 */
enum pf_kind {
	PF_KIND_FIRST,		/* the only kind of seq and stride */
	PF_KIND_AGAIN,
	PF_NR_KINDS,
};

struct pf_bet {
	__u64 start;
	__u32 pages;
	__u32 clock;		/* pf_state.clock when made */
	__u32 dev;
	__u32 run;		/* a stream's pages before it; 0: no stream */
};

/*
 * Faults of two threads and page_removed on two devices may update one
 * state at once: the counts are estimates, and only steer.
 */
struct pf_state {
	__u32 faults;		/* since the last judgement */
	__u32 used;		/* prefetched pages used since... */
	__u32 unused;		/* ...and not */
	__u32 level;		/* of distrust, 0..PF_MAX_LEVEL */
	__u32 wait;		/* faults before the next probe */
	__u32 clock;		/* faults, ever */
	__u32 first_bet;	/* oldest of bets[], a ring */
	__u32 nr_bets;
	__u32 next_end;		/* ends[] is a ring */
	__u32 used_all;		/* prefetched pages used, ever... */
	__u32 unused_all;	/* ...and not */
	__u32 displaced_all;	/* faults bets caused (tree.h) */
	__u32 ends[PF_ENDS];	/* lengths at which streams ended */
	struct pf_bet bets[PF_BETS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024 * PF_NR_KINDS);
	__type(key, __u64);	/* pf_key() */
	__type(value, struct pf_state);
} pf_states SEC(".maps");

/* A new address space's state is made here: it is too big for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_state);
} pf_fresh SEC(".maps");

/* Samples judged, and those over budget (bpftool map dump ... .bss). */
__u64 pf_samples;
__u64 pf_bad_samples;

static __always_inline __u64 pf_key(__u64 as_id, enum pf_kind kind)
{
	return as_id * PF_NR_KINDS + kind;
}

static __always_inline struct pf_state *pf_state_of(__u64 key,
						    __u32 first_level)
{
	struct pf_state *st, *fresh;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&pf_states, &key);
	if (st)
		return st;
	fresh = bpf_map_lookup_elem(&pf_fresh, &zero);
	if (!fresh)
		return NULL;
	__builtin_memset(fresh, 0, sizeof(*fresh));
	fresh->level = pf_sample ? first_level : 0;
	bpf_map_update_elem(&pf_states, &key, fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&pf_states, &key);
}

/* Judge the sample once it holds pf_sample verdicts. */
static __always_inline void pf_judge(struct pf_state *st)
{
	__u64 needed;

	if (st->used + st->unused < pf_sample)
		return;
	__sync_fetch_and_add(&pf_samples, 1);
	needed = (__u64)st->faults + st->used;
	if ((__u64)st->unused * 100 > needed * pf_waste_pct ||
	    (__u64)st->unused * 100 >
	    (__u64)(st->used + st->unused) * pf_miss_pct) {
		__sync_fetch_and_add(&pf_bad_samples, 1);
		st->level = st->level + 2 > PF_MAX_LEVEL ? PF_MAX_LEVEL :
			    st->level + 2;
	} else if (st->level) {
		st->level--;
	}
	st->wait = 0;
	st->faults = 0;
	st->used = 0;
	st->unused = 0;
}

/*
 * Take the verdicts of the oldest bet and forget it. GMEM judges the pages
 * on the faulting device: a bet on another leaves it to page_removed.
 */
static __always_inline void pf_judge_oldest(struct gmem_prefetch_ctx *req,
					    struct pf_state *st)
{
	struct pf_bet *bet = &st->bets[st->first_bet % PF_BETS];
	__u64 verdicts = 0;

	/* Two faults may race for the last bet: the counts only steer. */
	if (!st->nr_bets || st->nr_bets > PF_BETS) {
		st->nr_bets = 0;
		return;
	}
	if (bet->dev == req->dev)
		verdicts = gmem_prefetch_verdicts(req, bet->start, bet->pages);
	st->used += verdicts >> 32;
	st->unused += (__u32)verdicts;
	st->used_all += verdicts >> 32;
	st->unused_all += (__u32)verdicts;
	/* A stream bet used up to a page and not after: the stream ended. */
	if (bet->run && (__u32)verdicts && verdicts >> 32 < bet->pages) {
		st->ends[st->next_end % PF_ENDS] = bet->run + (verdicts >> 32);
		st->next_end = (st->next_end + 1) % PF_ENDS;
	}
	st->first_bet = (st->first_bet + 1) % PF_BETS;
	st->nr_bets--;
	pf_judge(st);
}

/*
 * Prefetch as gmem_prefetch_range() does, and keep the range, to be
 * judged PF_JUDGE_AGE faults later (or now, the oldest, if PF_BETS are
 * waiting already).
 */
static __always_inline int pf_prefetch_bet(struct gmem_prefetch_ctx *req,
					   enum pf_kind kind, __u64 start,
					   __u64 nr_pages, __u32 run)
{
	int pages = gmem_prefetch_range(req, start, nr_pages);
	__u64 key = pf_key(req->as_id, kind);
	struct pf_state *st;
	struct pf_bet *bet;

	if (pages <= 0 || !pf_sample)
		return pages;
	st = bpf_map_lookup_elem(&pf_states, &key);
	if (!st)
		return pages;
	if (st->nr_bets >= PF_BETS)
		pf_judge_oldest(req, st);
	if (st->nr_bets >= PF_BETS)
		return pages;
	bet = &st->bets[(st->first_bet + st->nr_bets) % PF_BETS];
	/* GMEM clamps a range to the mapping: the pages it took. */
	bet->start = start < req->vma_start ? req->vma_start : start;
	bet->pages = pages;
	bet->clock = st->clock;
	bet->dev = req->dev;
	bet->run = run;
	st->nr_bets++;
	return pages;
}

static __always_inline int pf_prefetch_range(struct gmem_prefetch_ctx *req,
					     __u64 start, __u64 nr_pages)
{
	return pf_prefetch_bet(req, PF_KIND_FIRST, start, nr_pages, 0);
}

/*
 * A stream's bet: @run pages of it come before @start. Its verdicts tell
 * where the stream ended (pf_stream_window()). None for a stream at a
 * length where one ended (@nr_pages 0): GMEM would count it refused.
 */
static __always_inline int pf_prefetch_stream(struct gmem_prefetch_ctx *req,
					      __u64 start, __u64 nr_pages,
					      __u32 run)
{
	if (!nr_pages)
		return 0;
	return pf_prefetch_bet(req, PF_KIND_FIRST, start, nr_pages, run);
}

/*
 * How many of @window pages a stream @run pages long so far fetches: not
 * past the shortest length over @run at which one of the address space's
 * last PF_ENDS streams ended (@st, from pf_feedback_fault()), and no more
 * than it has come past the longest such length up to @run (0 at it). A
 * stream of 32-page lists that ended at 32 says the next one may too,
 * wherever it lies; one that went on to 33 may end at 34. Trusted or not:
 * the windows of a trusted stream are the longest, so its overshoot the
 * worst.
 */
static __always_inline __u32 pf_stream_window(const struct pf_state *st,
					      __u32 run, __u32 window)
{
	__u32 i, end, best = window, passed = 0;

	if (!st)
		return window;
	for (i = 0; i < PF_ENDS; i++) {
		end = st->ends[i];
		if (end > run && end - run < best)
			best = end - run;
		if (end <= run && end > passed)
			passed = end;
	}
	if (passed && run - passed < best)
		best = run - passed;
	return best;
}

/*
 * page_removed: count the verdict of a prefetched page not judged yet,
 * judge full samples.
 */
static __always_inline void pf_feedback_removed_kind(struct gmem_page *page,
						     enum pf_kind kind)
{
	__u64 key = pf_key(page->as_id, kind);
	struct pf_state *st;

	if (!(page->flags & GMEM_PAGE_PREFETCHED) ||
	    (page->flags & GMEM_PAGE_JUDGED) || !pf_sample)
		return;
	/* Only address spaces that faulted under this policy have a state. */
	st = bpf_map_lookup_elem(&pf_states, &key);
	if (!st)
		return;
	if (page->flags & GMEM_PAGE_UNUSED) {
		st->unused++;
		st->unused_all++;
	} else {
		st->used++;
		st->used_all++;
	}
	pf_judge(st);
}

static __always_inline void pf_feedback_removed(struct gmem_page *page)
{
	pf_feedback_removed_kind(page, PF_KIND_FIRST);
}

/*
 * Has the address space's prefetcher, over all its bets of every kind,
 * wasted more than pf_waste_pct percent of the pages the device needed
 * (its faults, and the prefetched pages it used)? @states: its state of
 * each kind, as pf_feedback_fault_kind() gave them this fault (NULL: no
 * room in the map). The samples judge the recent bets of a kind; this
 * judges them all (tree.h keeps to it).
 */
static __always_inline bool
pf_over_ledger(struct pf_state *const states[PF_NR_KINDS])
{
	__u64 wasted = 0, needed = 0, faults = 0;
	struct pf_state *st;
	int kind;

	for (kind = 0; kind < PF_NR_KINDS; kind++) {
		st = states[kind];
		if (!st)
			continue;
		wasted += st->unused_all + st->displaced_all;
		needed += st->used_all;
		/* Each kind counts every fault (one made later, fewer). */
		if (st->clock > faults)
			faults = st->clock;
	}
	return wasted * 100 > (needed + faults) * pf_waste_pct;
}

/*
 * The prefetch hook, first thing on every fault: counts the fault and
 * returns how many pages this fault may prefetch (0: none). An address
 * space starts at @first_level: 0 for a prefetcher whose bets are sure
 * (a stream it saw), higher for one that must earn trust. *@stp, unless
 * @stp is NULL, is set to the address space's state (NULL if the map had
 * no room), for pf_stream_window() later in the same fault.
 */
static __always_inline __u32 pf_feedback_fault_kind(struct gmem_prefetch_ctx *req,
						    enum pf_kind kind,
						    __u32 first_level,
						    struct pf_state **stp)
{
	struct pf_state *st = pf_state_of(pf_key(req->as_id, kind),
					  first_level);
	__u32 level, i;

	if (stp)
		*stp = st;
	if (!st)
		return PF_MAX_PAGES;
	st->faults++;
	st->clock++;
	for (i = 0; i < PF_BETS && st->nr_bets; i++) {
		if (st->clock - st->bets[st->first_bet % PF_BETS].clock <
		    PF_JUDGE_AGE)
			break;
		pf_judge_oldest(req, st);
	}
	level = st->level;
	if (level <= PF_PROBE_LEVEL)
		return PF_MAX_PAGES >> level;
	if (st->wait) {
		st->wait--;
		return 0;
	}
	st->wait = (1U << ((level - PF_PROBE_LEVEL) & 31)) - 1;
	return PF_PROBE_PAGES;
}

static __always_inline __u32 pf_feedback_fault(struct gmem_prefetch_ctx *req,
					       __u32 first_level,
					       struct pf_state **stp)
{
	return pf_feedback_fault_kind(req, PF_KIND_FIRST, first_level, stp);
}

/*
 * What a stream @run pages (or strides) long so far may fetch of the
 * @allowed pages pf_feedback_fault() gave: all of them while trusted;
 * distrusted, at most the run scaled down as far as the trust is (at 64
 * of 512 pages allowed, an eighth of it), so that a stream which ends
 * where the prefetch guessed wrong wastes at most that share of it.
 * Streams of every length then cost what the trust allows, where a cap
 * alone lets a short one waste the whole window.
 */
static __always_inline __u32 pf_stream_allowed(__u32 allowed, __u64 run)
{
	__u64 share;

	if (!allowed || allowed >= PF_MAX_PAGES)
		return allowed;
	share = run * allowed / PF_MAX_PAGES;
	if (!share)
		return 1;
	return share < allowed ? share : allowed;
}

static __always_inline void pf_feedback_exit(struct gmem_as_info *as)
{
	__u64 key = pf_key(as->id, PF_KIND_FIRST);

	bpf_map_delete_elem(&pf_states, &key);
	key = pf_key(as->id, PF_KIND_AGAIN);
	bpf_map_delete_elem(&pf_states, &key);
}

#endif /* GMEM_LIB_PF_FEEDBACK_H */
