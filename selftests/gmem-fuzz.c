// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-fuzz: a seeded fuzzer for GMEM's user interface, run in the guest
 * with gmem_sim loaded (selftests/gmem-tests.sh gmem-fuzz).
 *
 *   gmem-fuzz [-s SEED] [-n CALLS] [-r RACE_CALLS] [-v] [-x] [-P]
 *
 * It makes CALLS random calls (default 16000) of hmadvise() (every advice,
 * policy hints, invalid advice, bad hnids, unaligned, overflowing, zero and
 * huge lengths, unmapped and non-peer ranges), mmap() with MAP_PEER_SHARED
 * (good and bad flag and protection combinations), munmap(), mprotect(),
 * mremap(), madvise(), every gmem_sim ioctl (RUN with every pattern and op,
 * READ/WRITE, COUNTERS, SCRATCH, unknown commands) with random and boundary
 * arguments and bad user pointers, opening and closing the devices, CPU
 * touches, /proc/self/mem and fork(); then RACE_CALLS (default CALLS / 2)
 * device runs, copies and hmadvise() calls on a range that a second thread
 * keeps unmapping, remapping, reprotecting and forking over.
 *
 * The oracle: every call's result is checked twice.
 *  - The documented set: the call returned 0 or an errno its documentation
 *    allows (docs/hmadvise.md for hmadvise(), docs/gmem.md and the man
 *    pages for mmap and friends; for the ioctls, the set derived from
 *    driver/gmem_sim.c, see ioctl_documented()). Anything else is
 *    "undocumented".
 *  - The predicted result: a model of every page of the area the fuzzer
 *    works in (unmapped, plain or peer-shared, protection, pinned) and of
 *    the open devices predicts the exact outcome of most calls (for a
 *    device run, the pages it will touch, replaying gmem_sim's pattern
 *    generators). A call that succeeds where it should fail, or fails with
 *    another documented errno than predicted, is "unexpected". Only ENOMEM
 *    from a full device is never predicted exactly: it is accepted while
 *    the model says the device can be full (strict capacity, scratch
 *    memory or pinned pages).
 * Data: a canary range, never written, is moved between the devices and
 * the host all along; device reads of it must see its contents, and every
 * word is checked at the end; a "verify" call compares device and CPU
 * views of random ranges.
 *
 * The fuzzing runs in a child process. Afterwards, in the parent, each
 * device's memory in use, mappings, VA reservations and contexts must be
 * back to zero. Then two targeted checks of what fuzzing found (-P skips
 * them): hmadvise(MADV_PREFETCH) racing fork(), and a MAP_GROWSDOWN peer
 * mapping that grows. Output is TAP; the counts of every call type by
 * result are "#" lines. Exit status 0 only if every check passed. The
 * seed is printed: -s SEED -n CALLS -r RACE_CALLS reproduces a run (-v
 * prints every call, -x stops at the first failed check).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include "gmem_test_lib.h"
#include "gmem/hmadvise.h"

#define PAGE		4096UL
#define TASK_SIZE_MAX	0x7ffffffff000UL	/* x86-64, 4-level paging */
#define MAX_DEVS	8
#define SIM_MAX_RW	(64UL << 20)
#define SCRATCH_BLOCK	(2UL << 20)
#define SCRATCH_MAX	(64 * SCRATCH_BLOCK)

/*
 * Everything the fuzzer maps lives in one fixed window far below the
 * kernel's top-down mmap base, so that nothing else ever lands in its
 * holes and the model knows every page of it.
 */
#define WIN		0x100000000000UL
#define WIN_PAGES	(128UL << 8)			/* 128 MiB */
#define ARENA		WIN				/* fuzzed freely */
#define ARENA_PAGES	(20UL << 8)			/* 20 MiB: > a device */
#define RACE		(WIN + (32UL << 20))		/* the race phase's */
#define RACE_PAGES	512UL
#define CANARY		(WIN + (64UL << 20))		/* never written */
#define CANARY_PAGES	256UL
#define LISTMAP		(WIN + (80UL << 20))		/* peer list, + guard */
#define BUFS		(WIN + (96UL << 20))
#define BUF_RW		BUFS				/* 16 pages, + guard */
#define BUF_RO		(BUFS + 32 * PAGE)		/* 2 pages read-only */
#define BUF_NONE	(BUFS + 40 * PAGE)		/* 1 page PROT_NONE */
#define LISTBUF		(BUFS + 48 * PAGE)		/* 1 page, + guard */
#define BUF_RW_PAGES	16UL

/* Page model: kind, protection, pinned. */
#define K_HOLE		0
#define K_PLAIN		1
#define K_PEER		2
#define K_UNKNOWN	3	/* the race zone while the race runs */
#define KIND(s)		((s) & 3)
#define PROT(s)		(((s) >> 2) & 7)
#define PINNED		0x20
#define ST(kind, prot)	((uint8_t)((kind) | ((prot) << 2)))

static uint8_t model[WIN_PAGES];

/* ------------------------------------------------------------------ */
/* Results: counts per call type and errno, in memory shared with the  */
/* parent so that a crashed child still reports them.                 */

enum call_type {
	C_H_PREFETCH, C_H_DONTNEED, C_H_PREFLOC, C_H_ACCESSED, C_H_READMOSTLY,
	C_H_PIN, C_H_UNPIN, C_H_CLEAR, C_H_HINT, C_H_STRICT, C_H_OVERSUB,
	C_H_BADADVICE,
	C_MMAP_PEER, C_MMAP_PLAIN, C_MMAP_BAD, C_MUNMAP, C_MPROTECT, C_MREMAP,
	C_MADVISE,
	C_IO_RUN, C_IO_READ, C_IO_WRITE, C_IO_COUNTERS, C_IO_SCRATCH,
	C_IO_BADCMD, C_DEV_OPEN, C_DEV_CLOSE,
	C_CPU, C_PROCMEM, C_FORK, C_VERIFY,
	C_NR,
};

static const char *const call_names[C_NR] = {
	"hmadvise PREFETCH", "hmadvise DONTNEED", "hmadvise PREFERRED_LOCATION",
	"hmadvise ACCESSED_BY", "hmadvise READ_MOSTLY", "hmadvise PIN",
	"hmadvise UNPIN", "hmadvise CLEAR_ATTRIBUTES", "hmadvise policy hint",
	"hmadvise STRICT_CAPACITY", "hmadvise OVERSUBSCRIBE",
	"hmadvise invalid advice",
	"mmap MAP_PEER_SHARED", "mmap plain", "mmap bad combination",
	"munmap", "mprotect", "mremap", "madvise",
	"ioctl RUN", "ioctl READ", "ioctl WRITE", "ioctl COUNTERS",
	"ioctl SCRATCH", "ioctl unknown cmd", "open device", "close device",
	"cpu touch", "/proc/self/mem", "fork", "verify device vs cpu",
};

#define NR_ERRNO	134
#define MAX_REPORTS	40

struct shared {
	unsigned long count[2][C_NR][NR_ERRNO + 1];	/* [phase][type][errno] */
	unsigned long undocumented, unexpected, data_errors;
	unsigned long calls[2];
	char last[2][256];				/* per thread */
	int reports;
};

static struct shared *sh;
static int verbose, stop_first, no_probes;

/* errno bit sets */
typedef unsigned __int128 eset;
#define B(e)		((eset)1 << (e))

static const char *ename(int e)
{
	const char *n = e ? strerrorname_np(e) : "ok";

	return n ? n : "E?";
}

static void eset_str(eset s, char *buf, size_t len)
{
	int e;

	buf[0] = 0;
	for (e = 0; e < 128; e++)
		if (s & B(e))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? "|" : "", ename(e));
	if (!buf[0])
		snprintf(buf, len, "ok");
}

static void report(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&sh->reports, 1, __ATOMIC_RELAXED) >= MAX_REPORTS)
		return;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	if (stop_first)
		_exit(3);	/* -x: leave the state as it is for a look */
}

static __thread int phase;	/* 0: model phase, 1: race phase */
static __thread int tid;	/* 0: main, 1: race mapper */

/*
 * Record a call's result @err (0 or an errno). @documented: what the
 * documentation allows; @must: errors the call must fail with one of (0:
 * it must succeed unless it fails with one of @may); @may: errors it may
 * also fail with.
 */
static void check(enum call_type t, int err, eset documented, eset must,
		  eset may)
{
	char want[256];

	__atomic_fetch_add(&sh->count[phase][t][err > NR_ERRNO ? NR_ERRNO : err],
			   1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->calls[phase], 1, __ATOMIC_RELAXED);
	if (verbose)
		printf("#   -> %s\n", ename(err));
	if (err && (err >= 128 || !(documented & B(err)))) {
		__atomic_fetch_add(&sh->undocumented, 1, __ATOMIC_RELAXED);
		eset_str(documented, want, sizeof(want));
		report("UNDOCUMENTED %s: %s; documented: %s", sh->last[tid],
		       ename(err), want);
		return;
	}
	if (must ? (!err || !((must | may) & B(err))) :
		   (err && !(may & B(err)))) {
		__atomic_fetch_add(&sh->unexpected, 1, __ATOMIC_RELAXED);
		eset_str(must | may, want, sizeof(want));
		report("UNEXPECTED %s: %s; predicted: %s%s", sh->last[tid],
		       ename(err), must ? "" : "ok|", want);
	}
}

static void describe(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sh->last[tid], sizeof(sh->last[tid]), fmt, ap);
	va_end(ap);
	if (verbose) {
		printf("# [%d] %s\n", tid, sh->last[tid]);
		fflush(stdout);
	}
}

/* ------------------------------------------------------------------ */
/* Random numbers: xorshift64*, one state per thread.                  */

static __thread uint64_t rng;

static uint64_t rnd64(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t rnd(uint64_t n)
{
	return n ? rnd64() % n : 0;
}

static bool chance(unsigned int percent)
{
	return rnd(100) < percent;
}

#define PICK(...)							\
	({								\
		const uint64_t _v[] = { __VA_ARGS__ };			\
		_v[rnd(sizeof(_v) / sizeof(_v[0]))];			\
	})

/* ------------------------------------------------------------------ */
/* Devices                                                             */

static int ndevs;
static int dev_fd[MAX_DEVS];
static long dev_hnid[MAX_DEVS];
static unsigned long scratch_blocks[MAX_DEVS];
static int host_online[64];	/* host nodes 0..63 */
static bool cap_ipc_lock;

enum { S_OFF, S_ON, S_UNKNOWN };
static int strict_state;	/* this address space's strict capacity */
static long pinned_pages;

static int fds_open(void)
{
	int d, n = 0;

	for (d = 0; d < ndevs; d++)
		n += dev_fd[d] >= 0;
	return n;
}

static bool enomem_plausible(void)
{
	int d;

	if (strict_state != S_OFF || pinned_pages > 0)
		return true;
	for (d = 0; d < ndevs; d++)
		if (scratch_blocks[d])
			return true;
	return false;
}

/* -1: not a valid place; 0: online host node; 1: attached device. */
enum { H_BAD, H_HOST, H_DEV, H_DETACHED };

static int hnid_class(long hnid)
{
	int d;

	if (hnid >= 0 && hnid < 64 && host_online[hnid])
		return H_HOST;
	for (d = 0; d < ndevs; d++)
		if (dev_hnid[d] == hnid)
			return dev_fd[d] >= 0 ? H_DEV : H_DETACHED;
	return H_BAD;
}

/* ------------------------------------------------------------------ */
/* The model                                                           */

static bool in_win(uint64_t a)
{
	return a >= WIN && a < WIN + WIN_PAGES * PAGE;
}

static bool in_zone(uint64_t a, uint64_t zone, uint64_t pages)
{
	return a >= zone && a < zone + pages * PAGE;
}

/*
 * State of the page at @a: the model inside the window, the few fixed
 * facts outside it (nothing mapped below 1 MiB, nothing user-accessible
 * from TASK_SIZE on), K_UNKNOWN elsewhere.
 */
static uint8_t page_state(uint64_t a)
{
	if (in_win(a))
		return model[(a - WIN) / PAGE];
	if (a < (1UL << 20))	/* below any ELF or mmap base */
		return K_HOLE;
	return K_UNKNOWN;
}

static void model_set(uint64_t a, uint64_t len, uint8_t st)
{
	uint64_t p;

	for (p = a; p < a + len; p += PAGE) {
		uint8_t *m = &model[(p - WIN) / PAGE];

		if (*m & PINNED)
			pinned_pages--;
		*m = st;
	}
}

/* CPU access rights of a page (x86: any protection but none reads). */
static bool cpu_can(uint8_t st, bool write)
{
	if (KIND(st) != K_PLAIN && KIND(st) != K_PEER)
		return false;
	return write ? PROT(st) & PROT_WRITE : PROT(st) != 0;
}

/*
 * Can the kernel copy @len bytes from (or, @write, to) user address @a?
 * 1 yes, 0 no, -1 unknown (outside what the model knows).
 */
static int user_ok(uint64_t a, uint64_t len, bool write)
{
	uint64_t p;

	if (!len)
		return 1;
	if (a >= TASK_SIZE_MAX || a + len > TASK_SIZE_MAX || a + len < a)
		return 0;
	for (p = a & ~(PAGE - 1); p < a + len; p += PAGE) {
		uint8_t st = page_state(p);

		if (KIND(st) == K_UNKNOWN)
			return -1;
		if (!cpu_can(st, write))
			return 0;
	}
	return 1;
}

/*
 * What a device access at @a finds: 0, EFAULT or EPERM (gm_check_access),
 * -1 when unknown. Devices reach readable mappings only (what HMM can
 * mirror), so a write-only page refuses device writes too.
 */
static int dev_access(uint64_t a, bool write, eset *may)
{
	uint8_t st = page_state(a);

	(void)may;
	if (a >= TASK_SIZE_MAX || KIND(st) == K_HOLE || KIND(st) == K_PLAIN)
		return EFAULT;
	if (KIND(st) == K_UNKNOWN)
		return -1;
	if (!(PROT(st) & PROT_READ))
		return EPERM;
	return write && !(PROT(st) & PROT_WRITE) ? EPERM : 0;
}

/* ------------------------------------------------------------------ */
/* Argument generators                                                 */

static uint64_t canary_word(uint64_t i)
{
	return (i * 0x9e3779b97f4a7c15ULL) ^ 0x5a5a5a5a12345678ULL;
}

/* A page-aligned range in the arena: mostly small, sometimes all of it. */
static void arena_range(uint64_t *addr, uint64_t *len)
{
	uint64_t first = rnd(ARENA_PAGES), n;

	switch (rnd(20)) {
	case 0 ... 5:
		n = 1;
		break;
	case 6 ... 13:
		n = 2 + rnd(15);
		break;
	case 14 ... 17:
		n = 17 + rnd(240);
		break;
	case 18:
		n = ARENA_PAGES - first;
		break;
	default:
		first = 0;
		n = ARENA_PAGES;
		break;
	}
	if (first + n > ARENA_PAGES)
		n = ARENA_PAGES - first;
	*addr = ARENA + first * PAGE;
	*len = n * PAGE;
}

/* Mostly a run of peer pages of the arena, for device work that gets far. */
static void peer_range(uint64_t *addr, uint64_t *len)
{
	uint64_t first = rnd(ARENA_PAGES), n = 0, max = PICK(1, 8, 32, 256);

	while (first < ARENA_PAGES && KIND(model[first]) != K_PEER)
		first++;
	while (first + n < ARENA_PAGES && n < max &&
	       KIND(model[first + n]) == K_PEER)
		n++;
	if (!n) {
		arena_range(addr, len);
		return;
	}
	*addr = ARENA + first * PAGE;
	*len = n * PAGE;
}

/* A range anywhere the device ops may look (never the race zone here). */
static void any_range(uint64_t *addr, uint64_t *len, bool for_write)
{
	uint64_t n;

	switch (rnd(10)) {
	case 0:		/* the canary (read only) or the peer list */
		if (!for_write) {
			n = 1 + rnd(CANARY_PAGES);
			*addr = CANARY + rnd(CANARY_PAGES - n + 1) * PAGE;
			*len = n * PAGE;
			return;
		}
		/* fall through */
	case 1:		/* across the end of the arena into the hole */
		n = 1 + rnd(8);
		*addr = ARENA + (ARENA_PAGES - rnd(n + 1)) * PAGE;
		*len = n * PAGE;
		return;
	case 2:		/* plain buffers */
		*addr = BUFS + rnd(50) * PAGE;
		*len = (1 + rnd(4)) * PAGE;
		return;
	case 3 ... 5:
		arena_range(addr, len);
		return;
	default:
		peer_range(addr, len);
	}
}

/* Kernel, non-canonical, NULL and unmapped addresses. */
static uint64_t bad_address(void)
{
	return PICK(0, 4096, 65536, 0x10000 + 8 * PAGE,
		    0xffff888000000000ULL, 0xffffffff81000000ULL,
		    0xfffffffffffff000ULL, 0x0000800000000000ULL,
		    0x8000000000000000ULL, TASK_SIZE_MAX,
		    TASK_SIZE_MAX - PAGE, WIN + 120UL * (1 << 20));
}

/*
 * A user pointer to @len bytes: valid most of the time, else NULL, kernel,
 * unmapped, read-only, PROT_NONE, misaligned, running past the end of a
 * mapping, or in peer-shared memory (which may be on a device).
 */
static uint64_t user_ptr(uint64_t len, bool dst)
{
	uint64_t a;

	switch (rnd(16)) {
	case 0:
		return bad_address();
	case 1:
		return BUF_RO + rnd(PAGE);
	case 2:
		return BUF_NONE + rnd(PAGE);
	case 3:		/* straddles the end of the buffer */
		return BUF_RW + BUF_RW_PAGES * PAGE - 1 - rnd(len ? len : 1);
	case 4:
	case 5:		/* peer memory of the arena; for reads the canary too */
		if (!dst && chance(50))
			return CANARY + rnd(CANARY_PAGES * PAGE);
		return ARENA + rnd(ARENA_PAGES * PAGE);
	case 6:
		return BUF_RW + 1 + rnd(7);	/* misaligned */
	default:
		a = len < BUF_RW_PAGES * PAGE ?
			rnd(BUF_RW_PAGES * PAGE - len + 1) : 0;
		return BUF_RW + (a & ~7UL);
	}
}

/* ------------------------------------------------------------------ */
/* hmadvise()                                                          */

/* EBUSY: a page stayed busy through GMEM's retries (docs/hmadvise.md). */
static const eset hmadvise_doc = B(EINVAL) | B(ENODEV) | B(ENOMEM) |
				 B(EFAULT) | B(EPERM) | B(EINTR) | B(EBUSY);

static enum call_type advice_type(int advice)
{
	switch (advice) {
	case MADV_PREFETCH: return C_H_PREFETCH;
	case MADV_DONTNEED: return C_H_DONTNEED;
	case MADV_PREFERRED_LOCATION: return C_H_PREFLOC;
	case MADV_ACCESSED_BY: return C_H_ACCESSED;
	case MADV_READ_MOSTLY: return C_H_READMOSTLY;
	case MADV_PIN: return C_H_PIN;
	case MADV_UNPIN: return C_H_UNPIN;
	case MADV_CLEAR_ATTRIBUTES: return C_H_CLEAR;
	case MADV_STRICT_CAPACITY: return C_H_STRICT;
	case MADV_OVERSUBSCRIBE: return C_H_OVERSUB;
	}
	if (advice >= MADV_POLICY_HINT_FIRST && advice <= MADV_POLICY_HINT_LAST)
		return C_H_HINT;
	return C_H_BADADVICE;
}

static long random_hnid(void)
{
	int d = rnd(ndevs);

	switch (rnd(20)) {
	case 0 ... 7:
		return dev_hnid[d];
	case 8 ... 10:
		return 0;
	case 11 ... 13:
		return -1;
	default:
		return PICK(-2, INT_MIN, INT_MAX, 1, 63, 64,
			    dev_hnid[ndevs - 1] + 1, dev_hnid[0] - 1, 1000);
	}
}

static void fuzz_hmadvise(void)
{
	static const int valid[] = {
		MADV_PREFETCH, MADV_PREFETCH, MADV_PREFETCH, MADV_DONTNEED,
		MADV_DONTNEED, MADV_PREFERRED_LOCATION, MADV_ACCESSED_BY,
		MADV_READ_MOSTLY, MADV_PIN, MADV_UNPIN, MADV_CLEAR_ATTRIBUTES,
	};
	uint64_t start, len, end, p;
	eset must = 0, may = 0;
	long hnid = random_hnid();
	int advice, hc, ret, err;
	bool range_ok = true;

	switch (rnd(20)) {
	case 0 ... 13:
		advice = valid[rnd(sizeof(valid) / sizeof(valid[0]))];
		break;
	case 14 ... 15:
		advice = PICK(MADV_POLICY_HINT_FIRST, MADV_POLICY_HINT_LAST,
			      MADV_POLICY_HINT_FIRST + rnd(256));
		break;
	case 16:
		advice = PICK(MADV_STRICT_CAPACITY, MADV_OVERSUBSCRIBE);
		break;
	default:
		advice = PICK(-1, 0, 1, 2, 3, 5, 63, 73, 100, 255, 512, 4096,
			      INT_MAX, INT_MIN, (int)rnd64());
		if (advice_type(advice) != C_H_BADADVICE)
			advice = 12345;
		break;
	}

	switch (rnd(24)) {
	case 0:
		start = ARENA + rnd(ARENA_PAGES * PAGE - 1) + 1;
		if (!(start % PAGE))
			start++;
		len = PAGE;
		break;
	case 1:
		arena_range(&start, &len);
		len = PICK(0, SIZE_MAX, SIZE_MAX - PAGE + 1, SIZE_MAX - 2 * PAGE,
			   1UL << 47, TASK_SIZE_MAX, TASK_SIZE_MAX - start + PAGE);
		break;
	case 2:
		start = PICK(0xffff888000000000ULL, TASK_SIZE_MAX,
			     TASK_SIZE_MAX - PAGE, TASK_SIZE_MAX - 2 * PAGE,
			     0x10000, 0, 0x800000000000ULL);
		len = PICK(PAGE, 2 * PAGE, 3 * PAGE, 1, 0);
		break;
	case 3:		/* length rounded up to whole pages */
		arena_range(&start, &len);
		len = len - PAGE + 1 + rnd(PAGE - 1);
		break;
	case 4:		/* STRICT/OVERSUBSCRIBE want 0, 0 */
		start = 0;
		len = 0;
		break;
	default:
		any_range(&start, &len, false);
		break;
	}
	if (advice_type(advice) == C_H_STRICT ||
	    advice_type(advice) == C_H_OVERSUB) {
		if (chance(80))
			start = len = 0;
	}

	describe("hmadvise(%ld, %#" PRIx64 ", %#" PRIx64 ", %d)", hnid, start,
		 len, advice);
	ret = hmadvise(hnid, (void *)start, len, advice);
	err = ret ? errno : 0;

	if (advice == MADV_STRICT_CAPACITY || advice == MADV_OVERSUBSCRIBE) {
		if (start || len) {
			must = B(EINVAL);
		} else if (!fds_open()) {
			/* The address space may outlive the last close a while. */
			may = B(ENODEV);
		}
		check(advice_type(advice), err, hmadvise_doc, must, may);
		if (!err)
			strict_state = advice == MADV_STRICT_CAPACITY ? S_ON : S_OFF;
		return;
	}

	end = start + ((len + PAGE - 1) & ~(PAGE - 1));
	if (advice_type(advice) == C_H_BADADVICE || start % PAGE || !len ||
	    len > SIZE_MAX - PAGE + 1 || end <= start || end > TASK_SIZE_MAX)
		must |= B(EINVAL);
	if (advice == MADV_PIN && !cap_ipc_lock)
		must |= B(EPERM);
	hc = hnid_class(hnid);
	if ((advice == MADV_PREFETCH || advice == MADV_ACCESSED_BY ||
	     advice == MADV_PREFERRED_LOCATION) &&
	    !(advice == MADV_PREFERRED_LOCATION && hnid == -1) &&
	    hc != H_HOST && hc != H_DEV)
		must |= B(ENODEV);
	if (advice == MADV_ACCESSED_BY && hc == H_HOST)
		must |= B(EINVAL);
	if (!(must & B(EINVAL))) {
		/* The first page not peer-shared decides (address order). */
		for (p = start; p < end; p += PAGE) {
			uint8_t st = page_state(p);

			if (KIND(st) == K_HOLE) {
				must |= B(ENOMEM);
				range_ok = false;
				break;
			}
			if (KIND(st) == K_PLAIN) {
				must |= B(EFAULT);
				range_ok = false;
				break;
			}
			if (KIND(st) == K_UNKNOWN) {
				may |= B(ENOMEM) | B(EFAULT);
				range_ok = false;
				break;
			}
		}
	}
	/* Attribute advice needs an address space, i.e. a device attached. */
	if (advice != MADV_PREFETCH && advice != MADV_DONTNEED) {
		if (!fds_open())
			may |= B(ENODEV);
	}
	if (!must && advice == MADV_PREFETCH && hc == H_DEV) {
		for (p = start; p < end && range_ok; p += PAGE)
			if (!(PROT(page_state(p)) & PROT_READ)) {
				must |= B(EPERM);
				break;
			}
		if (enomem_plausible())
			may |= B(ENOMEM);
	}
	check(advice_type(advice), err, hmadvise_doc, must, may);

	if (err || start < WIN || end > WIN + WIN_PAGES * PAGE)
		return;
	for (p = start; p < end; p += PAGE) {
		uint8_t *m = &model[(p - WIN) / PAGE];

		if (advice == MADV_PIN && !(*m & PINNED)) {
			*m |= PINNED;
			pinned_pages++;
		} else if ((advice == MADV_UNPIN ||
			    advice == MADV_CLEAR_ATTRIBUTES) && (*m & PINNED)) {
			*m &= ~PINNED;
			pinned_pages--;
		}
	}
}

/* ------------------------------------------------------------------ */
/* mmap, munmap, mprotect, mremap, madvise on the arena                */

static const eset mmap_doc = B(EACCES) | B(EAGAIN) | B(EBADF) | B(EEXIST) |
			     B(EINVAL) | B(ENFILE) | B(ENODEV) | B(ENOMEM) |
			     B(EOVERFLOW) | B(EPERM);
static int memfd = -1;

static int random_prot(void)
{
	return PICK(PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		    PROT_READ | PROT_WRITE, PROT_READ, PROT_READ, PROT_NONE,
		    PROT_WRITE, PROT_EXEC, PROT_READ | PROT_EXEC,
		    PROT_READ | PROT_WRITE | PROT_EXEC);
}

static bool all_holes(uint64_t a, uint64_t len)
{
	uint64_t p;

	for (p = a; p < a + len; p += PAGE)
		if (KIND(page_state(p)) != K_HOLE)
			return false;
	return true;
}

static void fuzz_mmap(void)
{
	uint64_t a, len;
	int prot = random_prot(), flags, fd = -1, err;
	enum call_type t;
	eset must = 0, may = 0;
	void *ret;
	bool peer = chance(80), noreplace = chance(10), bad = chance(20);

	arena_range(&a, &len);
	if (len > 64 * PAGE && chance(70))
		len = (1 + rnd(64)) * PAGE;
	flags = MAP_PRIVATE | MAP_ANONYMOUS |
		(noreplace ? MAP_FIXED_NOREPLACE : MAP_FIXED);
	if (peer)
		flags |= MAP_PEER_SHARED;
	if (chance(20))
		flags |= PICK(MAP_POPULATE, MAP_NORESERVE, MAP_STACK,
			      MAP_LOCKED, MAP_POPULATE | MAP_LOCKED);
	t = peer ? C_MMAP_PEER : C_MMAP_PLAIN;

	if (bad) {
		t = C_MMAP_BAD;
		flags |= MAP_PEER_SHARED;
		switch (rnd(8)) {
		case 0:
			flags = (flags & ~MAP_PRIVATE) | MAP_SHARED;
			must = B(EINVAL);
			break;
		case 1:
			flags = (flags & ~MAP_PRIVATE) | MAP_SHARED_VALIDATE;
			must = B(EINVAL);
			break;
		case 2:		/* a file */
			flags &= ~MAP_ANONYMOUS;
			fd = memfd;
			must = B(EINVAL);
			break;
		case 3:
			flags |= MAP_HUGETLB;
			must = B(EINVAL);
			break;
		case 4:
			a += 1 + rnd(PAGE - 1);
			must = B(EINVAL);
			break;
		case 5:
			len = 0;
			must = B(EINVAL);
			break;
		case 6:		/* no mapping type */
			flags &= ~MAP_PRIVATE;
			must = B(EINVAL);
			break;
		default:	/* not anonymous, no file */
			flags &= ~MAP_ANONYMOUS;
			must = B(EBADF);
			break;
		}
	}
	/* Checked before the flags are (do_mmap()). */
	if (noreplace && len && !(a % PAGE) && !all_holes(a, len))
		must = (bad ? must : 0) | B(EEXIST);
	/*
	 * MAP_HUGETLB rounds the length up to the huge page size before
	 * that check, so the range it finds occupied may be longer.
	 */
	if (noreplace && (flags & MAP_HUGETLB))
		may |= B(EEXIST);
	if (flags & MAP_LOCKED)
		may |= B(EAGAIN) | B(ENOMEM);	/* RLIMIT_MEMLOCK */

	describe("mmap(%#" PRIx64 ", %#" PRIx64 ", %#x, %#x, %d)", a, len,
		 prot, flags, fd);
	ret = mmap((void *)a, len, prot, flags, fd, 0);
	err = ret == MAP_FAILED ? errno : 0;
	if (!err && (uint64_t)ret != a) {
		report("mmap returned %p, not %#" PRIx64 ": %s", ret, a,
		       sh->last[tid]);
		sh->unexpected++;
	}
	check(t, err, mmap_doc, must, may);
	if (!err)
		model_set(a, len, ST(peer ? K_PEER : K_PLAIN, prot));
}

/* A mapping far too big for the device VA or memory: not in the window. */
static void fuzz_mmap_huge(void)
{
	uint64_t len = PICK(1UL << 46, 1UL << 47, 1UL << 40, 1UL << 30);
	void *ret;
	int err;

	describe("mmap(NULL, %#" PRIx64 ", RW, PEER)", len);
	ret = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED |
		   MAP_NORESERVE, -1, 0);
	err = ret == MAP_FAILED ? errno : 0;
	check(C_MMAP_PEER, err, mmap_doc, 0, B(ENOMEM));
	if (!err)
		munmap(ret, len);
}

static void fuzz_munmap(void)
{
	uint64_t a, len;
	eset must = 0;
	int err;

	arena_range(&a, &len);
	switch (rnd(12)) {
	case 0:
		a += 1 + rnd(PAGE - 1);
		must = B(EINVAL);
		break;
	case 1:
		len = 0;
		must = B(EINVAL);
		break;
	case 2:
		a = PICK(0xffff888000000000ULL, TASK_SIZE_MAX + PAGE,
			 0x8000000000000000ULL);
		must = B(EINVAL);
		break;
	case 3:
		len = PICK(SIZE_MAX - PAGE + 1, TASK_SIZE_MAX);
		must = B(EINVAL);
		break;
	default:	/* a length that is not a page multiple is fine */
		if (chance(20))
			len -= rnd(PAGE - 1);
		break;
	}
	describe("munmap(%#" PRIx64 ", %#" PRIx64 ")", a, len);
	err = munmap((void *)a, len) ? errno : 0;
	check(C_MUNMAP, err, B(EINVAL) | B(ENOMEM), must, 0);
	if (!err)
		model_set(a, (len + PAGE - 1) & ~(PAGE - 1), K_HOLE);
}

static void fuzz_mprotect(void)
{
	uint64_t a, len, p;
	int prot = random_prot(), err;
	bool hole = false, invalid = true;
	eset must = 0;

	arena_range(&a, &len);
	switch (rnd(12)) {
	case 0:
		a += 1 + rnd(PAGE - 1);
		must = B(EINVAL);
		break;
	case 1:
		prot |= PICK(0x10, 0x100, PROT_GROWSUP | PROT_GROWSDOWN);
		must = B(EINVAL);
		break;
	case 2:		/* not a growing mapping: EINVAL, or ENOMEM first */
		prot |= PICK(PROT_GROWSDOWN, PROT_GROWSUP);
		must = B(EINVAL) | B(ENOMEM);
		break;
	case 3:
		len = 0;
		invalid = false;
		break;
	default:
		invalid = false;
		break;
	}
	if (!must && len) {
		for (p = a; p < a + len; p += PAGE)
			if (KIND(page_state(p)) == K_HOLE)
				hole = true;
		if (hole)
			must = B(ENOMEM);
	}
	describe("mprotect(%#" PRIx64 ", %#" PRIx64 ", %#x)", a, len, prot);
	err = mprotect((void *)a, len, prot) ? errno : 0;
	check(C_MPROTECT, err, B(EACCES) | B(EINVAL) | B(ENOMEM), must, 0);
	if (invalid)
		return;
	/* Applied up to the first hole, even when it fails. */
	for (p = a; p < a + len && (!err || err == ENOMEM); p += PAGE) {
		uint8_t *m = &model[(p - WIN) / PAGE];

		if (KIND(*m) == K_HOLE)
			break;
		*m = (*m & ~(7 << 2)) | ((prot & 7) << 2);
	}
}

static void fuzz_mremap(void)
{
	uint64_t a, len, nlen;
	int flags = PICK(0, MREMAP_MAYMOVE), err;
	uint8_t st;
	eset must = 0;
	void *ret;

	arena_range(&a, &len);
	if (len > 16 * PAGE)
		len = (1 + rnd(16)) * PAGE;
	st = page_state(a);
	if (KIND(st) == K_PLAIN)
		return;		/* would move: not modelled */
	nlen = PICK(len + PAGE, len * 2, len, len - PAGE, 0);
	if (!nlen)
		must = B(EINVAL);
	else if (KIND(st) == K_HOLE)
		must = B(EFAULT);
	else if (nlen <= len)
		must = 0;	/* shrinking unmaps the tail, peer or not */
	else
		must = B(EINVAL);	/* docs/gmem.md: peer mappings don't move */
	describe("mremap(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ", %d)", a,
		 len, nlen, flags);
	ret = mremap((void *)a, len, nlen, flags);
	err = ret == MAP_FAILED ? errno : 0;
	check(C_MREMAP, err, B(EAGAIN) | B(EFAULT) | B(EINVAL) | B(ENOMEM),
	      must, 0);
	if (!err && nlen < len)
		model_set(a + nlen, len - nlen, K_HOLE);
}

static void fuzz_madvise(void)
{
	uint64_t a, len, p;
	int advice = PICK(MADV_DONTNEED, MADV_FREE, MADV_COLD, MADV_PAGEOUT,
			  MADV_WILLNEED, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
			  MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK,
			  MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_REMOVE,
			  MADV_MERGEABLE, MADV_RANDOM, MADV_SEQUENTIAL);
	/* EBADF: MADV_WILLNEED of anonymous memory without CONFIG_SWAP */
	eset may = B(EINVAL) | B(EFAULT) | B(EAGAIN) | B(EPERM) | B(EIO) |
		   B(EBADF);
	eset must = 0;
	int err;

	arena_range(&a, &len);
	for (p = a; p < a + len; p += PAGE)
		if (KIND(page_state(p)) == K_HOLE)
			must = B(ENOMEM);
	describe("madvise(%#" PRIx64 ", %#" PRIx64 ", %d)", a, len, advice);
	err = madvise((void *)a, len, advice) ? errno : 0;
	check(C_MADVISE, err, may | B(ENOMEM) | B(EBADF), must, may);
}

/* ------------------------------------------------------------------ */
/* gmem_sim ioctls                                                     */

/*
 * What driver/gmem_sim.c can return, ioctl by ioctl: the list in
 * driver/gmem_sim_uapi.h. EBUSY from gm_dev_fault() is retried inside.
 */
static const eset fault_doc = B(EFAULT) | B(EPERM) | B(ENODEV) | B(ESRCH) |
			      B(ENOMEM) | B(EINTR);

static eset ioctl_documented(enum call_type t)
{
	switch (t) {
	case C_IO_RUN:
		return fault_doc | B(EINVAL);
	case C_IO_READ:
	case C_IO_WRITE:
		return fault_doc | B(EINVAL);
	case C_IO_COUNTERS:
		return B(EFAULT);
	case C_IO_SCRATCH:
		return B(EFAULT) | B(EINVAL) | B(EPERM) | B(ENOMEM);
	default:
		return B(ENOTTY);
	}
}

static int random_dev(void)
{
	int d = rnd(ndevs);

	if (dev_fd[d] >= 0)
		return d;
	for (d = 0; d < ndevs; d++)
		if (dev_fd[d] >= 0)
			return d;
	return -1;
}

/*
 * Where to put an ioctl's argument struct of @size bytes: a valid buffer
 * (sometimes misaligned), or a bad pointer. *@in_ok and *@out_ok: can
 * the driver copy it in, and back out.
 */
static void *arg_ptr(size_t size, void *good, int *in_ok, int *out_ok)
{
	uint64_t a;

	switch (rnd(24)) {
	case 0:
		a = bad_address();
		break;
	case 1:		/* read-only: copied in, not back */
		a = BUF_RO + PAGE - size - rnd(64) * 8;
		break;
	case 2:		/* runs off the end of the buffer into the guard */
		a = BUF_RW + BUF_RW_PAGES * PAGE - size + 8 * (1 + rnd(size / 8 - 1));
		break;
	case 3:
		a = BUF_NONE;
		break;
	case 4:		/* misaligned, but fine */
		a = BUF_RW + 8 * PAGE + 1 + rnd(7);
		break;
	default:
		*in_ok = *out_ok = 1;
		return good;
	}
	*in_ok = user_ok(a, size, false);
	*out_ok = user_ok(a, size, true);
	return (void *)a;
}

/* Store @src at @dst, which may be read-only: through /proc/self/mem. */
static void poke(void *dst, const void *src, size_t size)
{
	static int memfd_self = -1;

	/* Outside the window: this process's own stack or data. */
	if (!in_win((uint64_t)dst) || user_ok((uint64_t)dst, size, true) == 1) {
		memcpy(dst, src, size);
		return;
	}
	if (user_ok((uint64_t)dst, size, false) != 1)
		return;
	if (memfd_self < 0)
		memfd_self = open("/proc/self/mem", O_RDWR);
	if (pwrite(memfd_self, src, size, (off_t)(uintptr_t)dst) != (ssize_t)size)
		report("poke %p: %s", dst, strerror(errno));
}

static uint64_t sim_next_random(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/*
 * Replay gmem_sim's RUN over the model: the errno it should end with (0
 * when all accesses are allowed), after at most @limit accesses (-1 when
 * the limit was hit first). *@steps: accesses made.
 */
static int predict_run(const struct gmem_sim_run *run, uint64_t limit,
		       uint64_t *steps, eset *may)
{
	uint64_t npages = run->size / PAGE, acc = run->accesses ?: npages;
	uint64_t i, rng_state = run->seed, idx, bits, lo;
	bool write = run->op != GMEM_SIM_READ;
	int r;

	for (i = 0; i < acc; i++) {
		if (i >= limit) {
			*steps = i;
			return -1;
		}
		switch (run->pattern) {
		case GMEM_SIM_SEQUENTIAL:
			idx = i % npages;
			break;
		case GMEM_SIM_STRIDED:
			idx = (i * run->stride) % npages;
			break;
		case GMEM_SIM_RANDOM:
			idx = sim_next_random(&rng_state) % npages;
			break;
		case GMEM_SIM_ZIPF:
			bits = sim_next_random(&rng_state) %
			       (63 - __builtin_clzll(npages) + 1);
			lo = (1ULL << bits) - 1;
			idx = lo + sim_next_random(&rng_state) % (1ULL << bits);
			if (idx > npages - 1)
				idx = npages - 1;
			break;
		default:	/* LIST */
			r = user_ok(run->list + i * 8, 8, false);
			if (r != 1) {
				*steps = i;
				return r ? -2 : EFAULT;
			}
			idx = ((uint64_t *)(uintptr_t)run->list)[i];
			if (idx >= npages) {
				*steps = i;
				return EINVAL;
			}
			break;
		}
		r = dev_access(run->addr + idx * PAGE, write, may);
		if (r) {
			*steps = i;
			return r < 0 ? -2 : r;
		}
	}
	*steps = acc;
	return 0;
}

/* Fill the list buffers: mostly in range, some past the end. */
static void fill_lists(uint64_t npages)
{
	uint64_t *l = (uint64_t *)LISTBUF, *pl = (uint64_t *)LISTMAP, i, v;

	for (i = 0; i < PAGE / 8; i++) {
		v = chance(97) ? rnd(npages ?: 1) :
			PICK(npages, npages + 1, UINT64_MAX, 1UL << 63);
		l[i] = v;
	}
	for (i = 0; i < 2 * PAGE / 8; i++)
		pl[i] = rnd(npages ?: 1);
}

static uint64_t canary_sum(uint64_t a, uint64_t len)
{
	uint64_t sum = 0, i, first = (a - CANARY) / 8;

	for (i = 0; i < len / 8; i++)
		sum += canary_word(first + i);
	return sum;
}

static void fuzz_run(void)
{
	struct gmem_sim_run good = { 0 }, *arg, run;
	uint64_t a, len, steps;
	int d = random_dev(), in_ok, out_ok, ret, err, p;
	eset must = 0, may = 0;
	bool canary, args_invalid = false;

	if (d < 0)
		return;
	any_range(&a, &len, chance(70));
	canary = in_zone(a, CANARY, CANARY_PAGES);
	good.addr = a;
	good.size = len;
	good.pattern = rnd(GMEM_SIM_NR_PATTERNS);
	good.op = canary ? GMEM_SIM_READ : rnd(GMEM_SIM_NR_OPS);
	good.accesses = PICK(0, 0, 0, 1, len / PAGE, 2 * len / PAGE,
			     rnd(64) + 1);
	good.stride = PICK(1, 1 + rnd(7), 0, UINT64_MAX, 1UL << 40);
	good.seed = rnd64();
	good.value = rnd64();
	if (good.pattern == GMEM_SIM_LIST) {
		fill_lists(good.size / PAGE);
		switch (rnd(6)) {
		case 0:
			good.list = bad_address();
			break;
		case 1:
			good.list = LISTMAP + 8 * rnd(2 * PAGE / 8);
			break;
		default:	/* its end runs into the guard page */
			good.list = LISTBUF + 8 * rnd(PAGE / 8);
			break;
		}
	}
	/* Boundary values; each of these is invalid. */
	switch (rnd(24)) {
	case 0:
		good.addr += 1 + rnd(PAGE - 1);
		break;
	case 1:
		good.size = PICK(0, 1, PAGE - 1, PAGE + 1, len + 8);
		break;
	case 2:
		good.size = PICK(UINT64_MAX & ~(PAGE - 1), -good.addr,
				 (uint64_t)1 << 63);
		break;
	case 3:
		good.pattern = PICK(GMEM_SIM_NR_PATTERNS, UINT32_MAX, 1000);
		break;
	case 4:
		good.op = PICK(GMEM_SIM_NR_OPS, UINT32_MAX, 7);
		break;
	case 5:
		good.pattern = GMEM_SIM_STRIDED;
		good.stride = 0;
		break;
	case 6:
		good.addr = bad_address() & ~(PAGE - 1);
		break;
	}

	if (!(good.addr % PAGE) && good.size && !(good.size % PAGE) &&
	    good.addr + good.size >= good.addr &&
	    good.pattern < GMEM_SIM_NR_PATTERNS && good.op < GMEM_SIM_NR_OPS &&
	    !(good.pattern == GMEM_SIM_STRIDED && !good.stride)) {
		/* Valid arguments: how far the run gets decides. */
		p = predict_run(&good, 4096, &steps, &may);
		if (p == -1) {
			good.accesses = 1 + rnd(256);
			may = 0;
			p = predict_run(&good, 4096, &steps, &may);
		}
		if (p == -2)
			return;		/* outside the model: not tried */
		if (p)
			must = B(p);
		if (enomem_plausible())
			may |= B(ENOMEM);
	} else {
		must = B(EINVAL);
		args_invalid = true;
	}
	arg = arg_ptr(sizeof(run), &run, &in_ok, &out_ok);
	if (in_ok < 0 || out_ok < 0)
		return;
	if (!in_ok) {
		must = B(EFAULT);
		may = 0;
	} else if (!out_ok && !args_invalid) {
		must = B(EFAULT);	/* the results cannot be copied back */
		may = 0;
	}
	if (in_ok)
		poke(arg, &good, sizeof(good));
	describe("RUN dev%d addr=%#llx size=%#llx pattern=%u op=%u acc=%llu stride=%#llx list=%#llx arg=%p",
		 d, (unsigned long long)good.addr,
		 (unsigned long long)good.size, good.pattern, good.op,
		 (unsigned long long)good.accesses,
		 (unsigned long long)good.stride,
		 (unsigned long long)good.list, (void *)arg);
	ret = ioctl(dev_fd[d], GMEM_SIM_IOC_RUN, arg);
	err = ret ? errno : 0;
	check(C_IO_RUN, err, ioctl_documented(C_IO_RUN), must, may);
	/* A complete sequential read of the canary sums its words. */
	if (!err && canary && arg == &run && good.op == GMEM_SIM_READ &&
	    good.pattern == GMEM_SIM_SEQUENTIAL &&
	    (good.accesses == 0 || good.accesses == good.size / PAGE) &&
	    run.checksum != canary_sum(good.addr, good.size)) {
		sh->data_errors++;
		report("DATA: canary checksum %#llx, want %#llx: %s",
		       (unsigned long long)run.checksum,
		       (unsigned long long)canary_sum(good.addr, good.size),
		       sh->last[tid]);
	}
}

/* Predict a READ/WRITE: walk it page by page, as the driver does. */
static int predict_rw(const struct gmem_sim_rw *rw, bool write, eset *may)
{
	uint64_t done = 0, va, n;
	int r;

	while (done < rw->size) {
		va = rw->addr + done;
		n = PAGE - va % PAGE;
		if (n > rw->size - done)
			n = rw->size - done;
		if (write) {
			r = user_ok(rw->ptr + done, n, false);
			if (r != 1)
				return r ? -2 : EFAULT;
		}
		r = dev_access(va & ~(PAGE - 1), write, may);
		if (r)
			return r < 0 ? -2 : r;
		if (!write) {
			r = user_ok(rw->ptr + done, n, true);
			if (r != 1)
				return r ? -2 : EFAULT;
		}
		done += n;
		if (done > 64 * PAGE)
			return -3;	/* too long to walk: not tried */
	}
	return 0;
}

static void fuzz_rw(bool write)
{
	enum call_type t = write ? C_IO_WRITE : C_IO_READ;
	struct gmem_sim_rw good = { 0 }, *arg, rw;
	uint64_t a, len;
	int d = random_dev(), in_ok, out_ok, ret, err, p;
	eset must = 0, may = 0;
	bool args_invalid = false;

	if (d < 0)
		return;
	any_range(&a, &len, write);
	if (len > 8 * PAGE)
		len = (1 + rnd(8)) * PAGE;
	good.addr = a + (chance(30) ? rnd(PAGE) : 0);
	good.size = chance(30) ? 1 + rnd(len) : len;
	if (!write && in_zone(good.addr, CANARY, CANARY_PAGES) && chance(50))
		good.ptr = BUF_RW;	/* and compare */
	else
		good.ptr = user_ptr(good.size, !write);
	/* Never write into the canary or the peer list. */
	if (!write && (in_zone(good.ptr, CANARY, CANARY_PAGES + 1) ||
		       in_zone(good.ptr + good.size, CANARY, CANARY_PAGES)))
		good.ptr = BUF_RW;
	switch (rnd(20)) {
	case 0:
		good.size = 0;
		break;
	case 1:
		good.size = PICK(SIM_MAX_RW + 1, UINT64_MAX, 1UL << 40);
		break;
	case 2:
		good.addr = bad_address() + rnd(PAGE);
		break;
	case 3:		/* addr + size overflows */
		good.addr = UINT64_MAX - rnd(PAGE);
		good.size = PAGE;
		break;
	}
	if (!good.size || good.size > SIM_MAX_RW ||
	    good.addr + good.size < good.addr) {
		must = B(EINVAL);
		args_invalid = true;
	} else {
		p = predict_rw(&good, write, &may);
		if (p < 0)
			return;
		if (p)
			must = B(p);
		if (enomem_plausible())
			may |= B(ENOMEM);
	}
	arg = arg_ptr(sizeof(rw), &rw, &in_ok, &out_ok);
	if (in_ok < 0 || out_ok < 0)
		return;
	if (!in_ok) {
		must = B(EFAULT);
		may = 0;
	} else if (!out_ok && !args_invalid) {
		must = B(EFAULT);
		may = 0;
	}
	if (in_ok)
		poke(arg, &good, sizeof(good));
	describe("%s dev%d addr=%#llx ptr=%#llx size=%#llx arg=%p",
		 write ? "WRITE" : "READ", d, (unsigned long long)good.addr,
		 (unsigned long long)good.ptr, (unsigned long long)good.size,
		 (void *)arg);
	ret = ioctl(dev_fd[d], write ? GMEM_SIM_IOC_WRITE : GMEM_SIM_IOC_READ,
		    arg);
	err = ret ? errno : 0;
	check(t, err, ioctl_documented(t), must, may);
	if (!err && !write && good.ptr == BUF_RW &&
	    in_zone(good.addr, CANARY, CANARY_PAGES) &&
	    in_zone(good.addr + good.size - 1, CANARY, CANARY_PAGES)) {
		uint64_t i, off = good.addr - CANARY;
		const uint8_t *b = (const uint8_t *)BUF_RW;

		for (i = 0; i < good.size; i++) {
			uint64_t w = canary_word((off + i) / 8);

			if (b[i] != (uint8_t)(w >> (8 * ((off + i) % 8)))) {
				sh->data_errors++;
				report("DATA: canary byte %#llx read %#x: %s",
				       (unsigned long long)(off + i), b[i],
				       sh->last[tid]);
				break;
			}
		}
	}
}

static void fuzz_counters(void)
{
	struct gmem_sim_counters c, *arg;
	int d = random_dev(), in_ok, out_ok, err;

	if (d < 0)
		return;
	arg = arg_ptr(sizeof(c), &c, &in_ok, &out_ok);
	if (out_ok < 0)
		return;
	describe("COUNTERS dev%d arg=%p", d, (void *)arg);
	err = ioctl(dev_fd[d], GMEM_SIM_IOC_COUNTERS, arg) ? errno : 0;
	check(C_IO_COUNTERS, err, B(EFAULT), out_ok ? 0 : B(EFAULT), 0);
	if (!err && arg == &c &&
	    (c.mem_used > c.mem_total || !c.contexts ||
	     c.mapped > c.mem_total / PAGE)) {
		sh->unexpected++;
		report("COUNTERS dev%d: mem_used %llu of %llu, mapped %llu, contexts %llu",
		       d, (unsigned long long)c.mem_used,
		       (unsigned long long)c.mem_total,
		       (unsigned long long)c.mapped,
		       (unsigned long long)c.contexts);
	}
}

static void fuzz_scratch(void)
{
	struct gmem_sim_scratch sc, *arg;
	int d = random_dev(), in_ok, out_ok, err;
	eset must = 0, may = 0;

	if (d < 0)
		return;
	sc.size = PICK(0, 0, 0, 1, SCRATCH_BLOCK, 2 * SCRATCH_BLOCK + 1,
		       SCRATCH_MAX, SCRATCH_MAX + 1, UINT64_MAX,
		       rnd(8 * SCRATCH_BLOCK));
	arg = arg_ptr(sizeof(sc), &sc, &in_ok, &out_ok);
	if (in_ok < 0)
		return;
	if (!in_ok)
		must = B(EFAULT);
	else if (sc.size > SCRATCH_MAX)
		must = B(EINVAL);
	else if (sc.size && !cap_ipc_lock)
		must = B(EPERM);
	else if (sc.size)
		may = B(ENOMEM);
	if (in_ok)
		poke(arg, &sc, sizeof(sc));
	describe("SCRATCH dev%d size=%#llx arg=%p", d,
		 (unsigned long long)sc.size, (void *)arg);
	err = ioctl(dev_fd[d], GMEM_SIM_IOC_SCRATCH, arg) ? errno : 0;
	check(C_IO_SCRATCH, err, ioctl_documented(C_IO_SCRATCH), must, may);
	if (!err)
		scratch_blocks[d] = (sc.size + SCRATCH_BLOCK - 1) / SCRATCH_BLOCK;
	else if (err == ENOMEM)
		scratch_blocks[d] = 0;	/* freed before trying */
}

static void fuzz_badcmd(void)
{
	static const unsigned int known[] = {
		GMEM_SIM_IOC_RUN, GMEM_SIM_IOC_READ, GMEM_SIM_IOC_WRITE,
		GMEM_SIM_IOC_COUNTERS, GMEM_SIM_IOC_SCRATCH,
	};
	unsigned int cmd, k;
	int d = random_dev(), err, j;
	uint64_t buf[32] = { 0 };

	if (d < 0)
		return;
	switch (rnd(4)) {
	case 0:		/* a known number, another size or direction */
		k = known[rnd(5)];
		cmd = _IOC(rnd(4), 'G', _IOC_NR(k), _IOC_SIZE(k) + PICK(8, -8, 1));
		break;
	case 1:
		cmd = _IOC(rnd(4), 'G', 5 + rnd(251), rnd(1 << 14));
		break;
	case 2:
		cmd = PICK(_IO('G', 0), _IO('G', 0xff), _IOR('G', 3, int));
		break;
	default:
		cmd = (rnd64() & ~0xff00U) | ('G' << 8);
		break;
	}
	for (j = 0; j < 5; j++)
		if (cmd == known[j])
			return;
	describe("ioctl dev%d cmd=%#x", d, cmd);
	err = ioctl(dev_fd[d], cmd, chance(50) ? (void *)buf :
		    (void *)bad_address()) ? errno : 0;
	check(C_IO_BADCMD, err, B(ENOTTY), B(ENOTTY), 0);
}

static void fuzz_open_close(void)
{
	int d = rnd(ndevs), fd, err;
	char path[32];

	snprintf(path, sizeof(path), "/dev/gmem_sim%d", d);
	if (dev_fd[d] >= 0 && chance(60)) {
		describe("close %s", path);
		err = close(dev_fd[d]) ? errno : 0;
		check(C_DEV_CLOSE, err, 0, 0, 0);
		dev_fd[d] = -1;
		scratch_blocks[d] = 0;
		if (!fds_open())
			strict_state = S_UNKNOWN;
		return;
	}
	describe("open %s (%s)", path, dev_fd[d] >= 0 ? "attached" : "detached");
	fd = open(path, O_RDWR | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	/* gm_as_attach(): a device attaches to an address space once. */
	check(C_DEV_OPEN, err, B(EBUSY) | B(ENOMEM) | B(EINTR),
	      dev_fd[d] >= 0 ? B(EBUSY) : 0, 0);
	if (fd >= 0 && dev_fd[d] >= 0)
		close(fd);
	else if (fd >= 0)
		dev_fd[d] = fd;
}

/* ------------------------------------------------------------------ */
/* CPU side                                                            */

static void fuzz_cpu(void)
{
	uint64_t a = ARENA + rnd(ARENA_PAGES) * PAGE + 8 * rnd(PAGE / 8);
	uint8_t st = page_state(a);
	volatile uint64_t *w = (volatile uint64_t *)a;

	if (chance(20)) {	/* a canary word */
		uint64_t i = rnd(CANARY_PAGES * PAGE / 8);

		describe("cpu read canary word %#llx", (unsigned long long)i);
		if (((volatile uint64_t *)CANARY)[i] != canary_word(i)) {
			sh->data_errors++;
			report("DATA: canary word %#llx: %#llx", (unsigned long long)i,
			       (unsigned long long)((uint64_t *)CANARY)[i]);
		}
		check(C_CPU, 0, 0, 0, 0);
		return;
	}
	if (!cpu_can(st, false))
		return;
	describe("cpu %s %#" PRIx64, cpu_can(st, true) ? "write" : "read", a);
	if (cpu_can(st, true))
		*w = rnd64();
	else
		(void)*w;
	check(C_CPU, 0, 0, 0, 0);
}

/* pread/pwrite of /proc/self/mem: GUP on peer memory, maybe on a device. */
static void fuzz_procmem(void)
{
	static int fd = -1;
	static uint8_t buf[16 * 4096];
	uint64_t a, len, p, ok_bytes = 0;
	bool write = chance(30);
	ssize_t n;
	int err;

	if (fd < 0)
		fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (write)
		arena_range(&a, &len);
	else
		any_range(&a, &len, false);
	if (len > sizeof(buf))
		len = sizeof(buf);
	for (p = a; p < a + len; p += PAGE) {
		uint8_t k = KIND(page_state(p));

		if (k == K_UNKNOWN)
			return;
		if (k == K_HOLE)
			break;
		ok_bytes += PAGE;
	}
	if (write)
		memset(buf, (int)rnd(256), len);
	describe("%s /proc/self/mem at %#" PRIx64 ", %#" PRIx64,
		 write ? "pwrite" : "pread", a, len);
	n = write ? pwrite(fd, buf, len, (off_t)a) : pread(fd, buf, len, (off_t)a);
	err = n < 0 ? errno : 0;
	check(C_PROCMEM, err, B(EIO) | B(EFAULT) | B(ENOMEM),
	      ok_bytes ? 0 : B(EIO), 0);
	if (n >= 0 && (uint64_t)n != ok_bytes) {
		sh->unexpected++;
		report("UNEXPECTED %s: %zd bytes, want %llu", sh->last[tid], n,
		       (unsigned long long)ok_bytes);
	}
	if (!err && !write && in_zone(a, CANARY, CANARY_PAGES) &&
	    memcmp(buf, (void *)a, n)) {
		sh->data_errors++;
		report("DATA: /proc/self/mem read of the canary differs: %s",
		       sh->last[tid]);
	}
}

/*
 * fork(): the child sees the canary (device pages are shared copy-on-write
 * like host pages), writes its copy of the peer list, and exits.
 */
static void fuzz_fork(void)
{
	int status, err = 0;
	pid_t pid;

	describe("fork");
	pid = fork();
	if (pid == 0) {
		uint64_t i, bad = 0;

		for (i = 0; i < CANARY_PAGES * PAGE / 8; i += 61)
			bad += ((uint64_t *)CANARY)[i] != canary_word(i);
		((volatile uint64_t *)LISTMAP)[rnd(2 * PAGE / 8)] = 1;
		if (hmadvise(-1, (void *)CANARY, CANARY_PAGES * PAGE,
			     MADV_DONTNEED))
			bad++;
		_exit(bad ? 1 : 0);
	}
	if (pid < 0) {
		err = errno;
	} else if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		   WEXITSTATUS(status)) {
		sh->data_errors++;
		report("DATA: forked child: status %#x (canary wrong or crash)",
		       status);
	}
	check(C_FORK, err, B(EAGAIN) | B(ENOMEM), 0, B(EAGAIN) | B(ENOMEM));
}

/* Device and CPU agree on a readable, fully mapped peer range. */
static void fuzz_verify(void)
{
	static uint8_t buf[64 * 4096];
	uint64_t a = ARENA + rnd(ARENA_PAGES) * PAGE, len = 0, sum = 0, i;
	struct gmem_sim_run run = { .pattern = GMEM_SIM_SEQUENTIAL,
				    .op = GMEM_SIM_READ };
	struct gmem_sim_rw rw = { 0 };
	int d = random_dev(), err;
	bool device_first = chance(50);

	if (d < 0)
		return;
	while (len < sizeof(buf) && a + len < ARENA + ARENA_PAGES * PAGE) {
		uint8_t st = page_state(a + len);

		if (KIND(st) != K_PEER || !(PROT(st) & PROT_READ))
			break;
		len += PAGE;
	}
	if (!len)
		return;
	describe("verify dev%d %#" PRIx64 " %#" PRIx64 " %s first", d, a, len,
		 device_first ? "device" : "cpu");
	run.addr = a;
	run.size = len;
	rw.addr = a;
	rw.size = len;
	rw.ptr = (uintptr_t)buf;
	if (!device_first) {
		for (i = 0; i < len / 8; i++)
			sum += ((volatile uint64_t *)a)[i];
	}
	err = ioctl(dev_fd[d], GMEM_SIM_IOC_RUN, &run) ? errno : 0;
	if (!err)
		err = ioctl(dev_fd[d], GMEM_SIM_IOC_READ, &rw) ? errno : 0;
	check(C_VERIFY, err, fault_doc, 0, enomem_plausible() ? B(ENOMEM) : 0);
	if (err)
		return;
	if (device_first) {
		for (i = 0; i < len / 8; i++)
			sum += ((volatile uint64_t *)a)[i];
	}
	if (run.checksum != sum || memcmp(buf, (void *)a, len)) {
		for (i = 0; i < len / 8; i++)
			if (((uint64_t *)buf)[i] != ((uint64_t *)a)[i])
				break;
		if (i < len / 8)
			report("DATA: at %#llx the device reads %#llx, the CPU %#llx",
			       (unsigned long long)(a + i * 8),
			       (unsigned long long)((uint64_t *)buf)[i],
			       (unsigned long long)((uint64_t *)a)[i]);
		sh->data_errors++;
		report("DATA: device sum %#llx, cpu %#llx, copy %s: %s",
		       (unsigned long long)run.checksum,
		       (unsigned long long)sum,
		       memcmp(buf, (void *)a, len) ? "differs" : "same",
		       sh->last[tid]);
	}
}

/* ------------------------------------------------------------------ */
/* The race phase                                                      */

static volatile int race_stop;

/* Thread 2: unmaps, remaps, reprotects and forks over the race zone. */
static void *race_mapper(void *arg)
{
	uint8_t st[RACE_PAGES];
	uint64_t first, n, a, p;
	int err, prot;

	(void)arg;
	tid = 1;
	phase = 1;
	rng = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1;
	memset(st, K_PEER | ((PROT_READ | PROT_WRITE) << 2), sizeof(st));
	while (!race_stop) {
		first = rnd(RACE_PAGES);
		n = 1 + rnd(RACE_PAGES - first < 32 ? RACE_PAGES - first : 32);
		a = RACE + first * PAGE;
		switch (rnd(10)) {
		case 0 ... 2:
			describe("race munmap %#" PRIx64 " %#" PRIx64, a, n * PAGE);
			err = munmap((void *)a, n * PAGE) ? errno : 0;
			check(C_MUNMAP, err, B(EINVAL), 0, 0);
			memset(st + first, K_HOLE, n);
			break;
		case 3 ... 5:
			prot = PICK(PROT_READ | PROT_WRITE, PROT_READ);
			describe("race mmap %#" PRIx64 " %#" PRIx64, a, n * PAGE);
			err = mmap((void *)a, n * PAGE, prot,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
				   MAP_PEER_SHARED, -1, 0) == MAP_FAILED ?
				errno : 0;
			check(C_MMAP_PEER, err, mmap_doc, 0, 0);
			if (!err)
				memset(st + first, K_PEER | (prot << 2), n);
			break;
		case 6:
			prot = PICK(PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE);
			describe("race mprotect %#" PRIx64 " %#" PRIx64, a, n * PAGE);
			err = mprotect((void *)a, n * PAGE, prot) ? errno : 0;
			for (p = 0; p < n && KIND(st[first + p]) == K_PEER; p++)
				st[first + p] = K_PEER | (prot << 2);
			check(C_MPROTECT, err, B(ENOMEM) | B(EINVAL) | B(EACCES),
			      p < n ? B(ENOMEM) : 0, B(ENOMEM));
			break;
		case 7 ... 8:	/* touch what this thread knows is there */
			for (p = first; p < first + n; p++) {
				volatile uint64_t *w = (volatile uint64_t *)
						       (RACE + p * PAGE);

				if (KIND(st[p]) != K_PEER || !PROT(st[p]))
					continue;
				describe("race cpu touch %p", (void *)w);
				if (PROT(st[p]) & PROT_WRITE)
					*w += 1;
				else
					(void)*w;
				check(C_CPU, 0, 0, 0, 0);
			}
			break;
		default:
			fuzz_fork();
			break;
		}
	}
	return NULL;
}

/* The main thread's side: device work on the race zone. */
static void race_device_call(void)
{
	uint64_t first = rnd(RACE_PAGES), n, a;
	int d = random_dev(), err, advice;
	bool write;
	struct gmem_sim_run run = { 0 };
	struct gmem_sim_rw rw = { 0 };
	static uint8_t buf[32 * 4096];
	/* The zone only ever holds peer mappings and holes. */
	eset may = enomem_plausible() ? B(ENOMEM) : 0;

	if (d < 0)
		return;
	n = 1 + rnd(RACE_PAGES - first < 32 ? RACE_PAGES - first : 32);
	a = RACE + first * PAGE;
	switch (rnd(8)) {
	case 0 ... 3:
		run.addr = a;
		run.size = n * PAGE;
		run.pattern = rnd(GMEM_SIM_LIST);
		run.op = rnd(GMEM_SIM_NR_OPS);
		run.stride = 1 + rnd(3);
		run.seed = rnd64();
		run.accesses = PICK(0, n, 4 * n);
		describe("race RUN dev%d %#" PRIx64 " %#" PRIx64 " op %u", d,
			 a, n * PAGE, run.op);
		err = ioctl(dev_fd[d], GMEM_SIM_IOC_RUN, &run) ? errno : 0;
		check(C_IO_RUN, err, ioctl_documented(C_IO_RUN), 0,
		      may | B(EFAULT) | B(EPERM));
		break;
	case 4 ... 5:
		write = chance(50);
		rw.addr = a + rnd(PAGE);
		rw.size = 1 + rnd(n * PAGE - (rw.addr - a));
		rw.ptr = (uintptr_t)buf;
		describe("race %s dev%d %#llx %#llx", write ? "WRITE" : "READ",
			 d, (unsigned long long)rw.addr,
			 (unsigned long long)rw.size);
		err = ioctl(dev_fd[d], write ? GMEM_SIM_IOC_WRITE :
			    GMEM_SIM_IOC_READ, &rw) ? errno : 0;
		check(write ? C_IO_WRITE : C_IO_READ, err,
		      ioctl_documented(C_IO_READ), 0, may | B(EFAULT) | B(EPERM));
		break;
	default:
		advice = PICK(MADV_PREFETCH, MADV_PREFETCH, MADV_DONTNEED,
			      MADV_READ_MOSTLY, MADV_POLICY_HINT_FIRST + 1,
			      MADV_CLEAR_ATTRIBUTES);
		describe("race hmadvise(%ld, %#" PRIx64 ", %#" PRIx64 ", %d)",
			 dev_hnid[d], a, n * PAGE, advice);
		err = hmadvise(dev_hnid[d], (void *)a, n * PAGE, advice) ?
			errno : 0;
		/*
		 * ENOMEM: part of it unmapped; EPERM: unreadable; EBUSY: the
		 * mapper's munmap, mprotect or fork held a page through every
		 * retry of a prefetch.
		 */
		check(advice_type(advice), err, hmadvise_doc, 0,
		      B(ENOMEM) | (advice == MADV_PREFETCH ?
				   B(EPERM) | B(EBUSY) : 0));
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Setup and the two phases                                            */

static void *map_fixed(uint64_t a, uint64_t len, int prot, int extra)
{
	void *p = mmap((void *)a, len, prot, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_FIXED_NOREPLACE | extra, -1, 0);

	if (p != (void *)a) {
		printf("Bail out! mmap at %#" PRIx64 ": %s\n", a, strerror(errno));
		exit(1);
	}
	model_set(a, len, ST(extra & MAP_PEER_SHARED ? K_PEER : K_PLAIN, prot));
	return p;
}

static void setup(void)
{
	uint64_t i;
	char path[64];
	int d;

	page_size = PAGE;
	for (d = 0; d < MAX_DEVS; d++) {
		dev_fd[d] = -1;
		snprintf(path, sizeof(path), "/sys/kernel/gmem/devices/gmem_sim%d/hnid", d);
		dev_hnid[d] = sysfs_long(path);
		if (dev_hnid[d] < 0)
			break;
		snprintf(path, sizeof(path), "/dev/gmem_sim%d", d);
		dev_fd[d] = open(path, O_RDWR | O_CLOEXEC);
		if (dev_fd[d] < 0) {
			printf("Bail out! %s: %s\n", path, strerror(errno));
			exit(1);
		}
	}
	ndevs = d;
	if (!ndevs) {
		printf("Bail out! no gmem_sim device (insmod gmem_sim.ko)\n");
		exit(1);
	}
	for (i = 0; i < 64; i++) {
		/* No sysfs node directory without NUMA: node 0 only. */
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d",
			 (int)i);
		host_online[i] = !access(path, F_OK) || i == 0;
	}
	{
		struct __user_cap_header_struct hdr = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct data[2] = { 0 };

		syscall(SYS_capget, &hdr, data);
		cap_ipc_lock = data[0].effective & (1U << CAP_IPC_LOCK);
	}
	strict_state = sysfs_long("/sys/kernel/gmem/strict_capacity") == 0 ?
		       S_OFF : S_UNKNOWN;
	memfd = memfd_create("gmem-fuzz", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, 64 << 20))
		printf("# memfd: %s\n", strerror(errno));

	/* The arena starts half peer-shared, half unmapped. */
	for (i = 0; i < ARENA_PAGES; i += 64)
		if (i % 128 == 0)
			map_fixed(ARENA + i * PAGE, 64 * PAGE,
				  PROT_READ | PROT_WRITE, MAP_PEER_SHARED);
	map_fixed(RACE, RACE_PAGES * PAGE, PROT_READ | PROT_WRITE,
		  MAP_PEER_SHARED);
	memset((void *)(model + (RACE - WIN) / PAGE), K_UNKNOWN, RACE_PAGES);
	map_fixed(CANARY, CANARY_PAGES * PAGE, PROT_READ | PROT_WRITE,
		  MAP_PEER_SHARED);
	for (i = 0; i < CANARY_PAGES * PAGE / 8; i++)
		((uint64_t *)CANARY)[i] = canary_word(i);
	map_fixed(LISTMAP, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PEER_SHARED);
	map_fixed(BUF_RW, BUF_RW_PAGES * PAGE, PROT_READ | PROT_WRITE, 0);
	map_fixed(BUF_RO, 2 * PAGE, PROT_READ, 0);
	map_fixed(BUF_NONE, PAGE, PROT_NONE, 0);
	map_fixed(LISTBUF, PAGE, PROT_READ | PROT_WRITE, 0);
}

static void fuzz_one(void)
{
	switch (rnd(100)) {
	case 0 ... 21:
		fuzz_hmadvise();
		break;
	case 22 ... 29:
		fuzz_mmap();
		break;
	case 30:
		if (chance(10))
			fuzz_mmap_huge();
		else
			fuzz_mremap();
		break;
	case 31 ... 34:
		fuzz_munmap();
		break;
	case 35 ... 38:
		fuzz_mprotect();
		break;
	case 39 ... 40:
		fuzz_madvise();
		break;
	case 41 ... 56:
		fuzz_run();
		break;
	case 57 ... 62:
		fuzz_rw(false);
		break;
	case 63 ... 67:
		fuzz_rw(true);
		break;
	case 68 ... 69:
		fuzz_counters();
		break;
	case 70 ... 71:
		fuzz_scratch();
		break;
	case 72 ... 73:
		fuzz_badcmd();
		break;
	case 74 ... 75:
		fuzz_open_close();
		break;
	case 76 ... 85:
		fuzz_cpu();
		break;
	case 86 ... 89:
		fuzz_procmem();
		break;
	case 90:
		if (chance(30))
			fuzz_fork();
		else
			fuzz_verify();
		break;
	default:
		fuzz_verify();
		break;
	}
}

static int fuzz(uint64_t seed, unsigned long calls, unsigned long race_calls)
{
	struct timespec t0, t1, t2;
	pthread_t mapper;
	unsigned long target;
	uint64_t i, bad = 0;
	int d, failed = 0;
	double s1, s2;

	rng = seed ? seed : 1;
	setup();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sh->calls[0] < calls)
		fuzz_one();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s1 = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	/* The race: every device attached, the zone mapped again. */
	for (d = 0; d < ndevs; d++) {
		char path[32];

		snprintf(path, sizeof(path), "/dev/gmem_sim%d", d);
		if (dev_fd[d] < 0)
			dev_fd[d] = open(path, O_RDWR | O_CLOEXEC);
	}
	mmap((void *)RACE, RACE_PAGES * PAGE, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_PEER_SHARED, -1, 0);
	phase = 1;
	if (pthread_create(&mapper, NULL, race_mapper, (void *)(uintptr_t)rnd64())) {
		printf("Bail out! pthread_create\n");
		return 1;
	}
	for (target = 0; target < race_calls; target++)
		race_device_call();
	race_stop = 1;
	pthread_join(mapper, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	s2 = t2.tv_sec - t1.tv_sec + (t2.tv_nsec - t1.tv_nsec) / 1e9;
	phase = 0;

	printf("%sok 1 - %lu calls in %.1f s, every result documented and as predicted (%lu undocumented, %lu unexpected)\n",
	       sh->undocumented || sh->unexpected ? "not " : "", sh->calls[0], s1,
	       sh->undocumented, sh->unexpected);
	failed += sh->undocumented || sh->unexpected;
	printf("# race: %lu calls in %.1f s\n", sh->calls[1], s2);

	/* Every word of the canary, wherever it is now. */
	for (i = 0; i < CANARY_PAGES * PAGE / 8; i++)
		bad += ((uint64_t *)CANARY)[i] != canary_word(i);
	if (bad)
		sh->data_errors++;
	printf("%sok 2 - canary intact (%" PRIu64 " of %lu words wrong), device and CPU agree (%lu data errors)\n",
	       sh->data_errors ? "not " : "", bad, CANARY_PAGES * PAGE / 8,
	       sh->data_errors);
	failed += !!sh->data_errors;

	/* Undo everything: no device memory may stay in use. */
	for (d = 0; d < ndevs; d++)
		if (dev_fd[d] >= 0)
			close(dev_fd[d]);
	munmap((void *)WIN, WIN_PAGES * PAGE);
	fflush(stdout);
	return failed;
}

/* ------------------------------------------------------------------ */
/* Two targeted checks of what the fuzzing found                       */

static volatile int fork_stop;

static void *forker(void *arg)
{
	(void)arg;
	while (!fork_stop) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	return NULL;
}

/*
 * hmadvise(MADV_PREFETCH) moving pages between the devices while another
 * thread forks (and its children exit at once): only documented errnos.
 * Returns the number of calls that failed otherwise.
 */
static int prefetch_racing_fork(int *calls)
{
	size_t size = 64 * PAGE;
	char *p = peer_mmap(size, PROT_READ | PROT_WRITE);
	int fd0 = open(DEV0, O_RDWR), fd1 = open(DEV1, O_RDWR), i, bad = 0;
	long hnid[2] = { sysfs_long("/sys/kernel/gmem/devices/gmem_sim0/hnid"),
			 sysfs_long("/sys/kernel/gmem/devices/gmem_sim1/hnid") };
	pthread_t t;

	*calls = 0;
	if (p == MAP_FAILED || fd0 < 0 || fd1 < 0)
		return -1;
	memset(p, 1, size);
	if (pthread_create(&t, NULL, forker, NULL))
		return -1;
	for (i = 0; i < 400; i++, (*calls)++) {
		if (!hmadvise(hnid[i & 1], p, size, MADV_PREFETCH))
			continue;
		if (!(hmadvise_doc & B(errno)) && bad++ < 3)
			printf("# hmadvise(MADV_PREFETCH) racing fork: %s\n",
			       ename(errno));
	}
	fork_stop = 1;
	pthread_join(t, NULL);
	return bad;
}

/*
 * A MAP_PEER_SHARED | MAP_GROWSDOWN mapping that grows on a CPU fault
 * below it: either mmap() refuses the combination, or the device
 * reservations stay balanced (va_reserved back where it was).
 */
static int growsdown(long long *delta)
{
	char *base = (char *)(WIN + 64 * PAGE), *p;
	int fd = open(DEV0, O_RDWR);
	long long before;

	if (fd < 0)
		return -1;
	before = dev_counters(fd).va_reserved;
	p = mmap(base, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		 MAP_ANONYMOUS | MAP_PEER_SHARED | MAP_GROWSDOWN | MAP_FIXED,
		 -1, 0);
	if (p == MAP_FAILED)
		return errno == EINVAL ? 0 : -1;
	p[-3 * (long)PAGE] = 1;	/* grows by three pages */
	munmap(p - 3 * PAGE, 7 * PAGE);
	*delta = dev_counters(fd).va_reserved - before;
	return *delta != 0;
}

static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg) ? 1 : 0);
	return pid > 0 && waitpid(pid, &status, 0) == pid &&
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int prefetch_racing_fork_child(void *arg)
{
	int calls, bad = prefetch_racing_fork(&calls);

	(void)arg;
	printf("%sok 4 - %d hmadvise(MADV_PREFETCH) racing fork(): %d undocumented errnos\n",
	       bad ? "not " : "", calls, bad);
	return bad != 0;
}

static int growsdown_child(void *arg)
{
	long long delta = 0;
	int ret = growsdown(&delta);

	(void)arg;
	printf("%sok 5 - a MAP_PEER_SHARED|MAP_GROWSDOWN mapping that grows keeps device reservations balanced (va_reserved %+lld)\n",
	       ret ? "not " : "", delta);
	return ret != 0;
}

/* ------------------------------------------------------------------ */
/* The parent: counts, and the devices afterwards                      */

static void print_counts(void)
{
	int ph, t, e;
	char line[1024];

	for (ph = 0; ph < 2; ph++) {
		printf("# %s phase: calls per type, by result\n",
		       ph ? "race" : "model");
		for (t = 0; t < C_NR; t++) {
			unsigned long total = 0;

			line[0] = 0;
			for (e = 0; e <= NR_ERRNO; e++) {
				unsigned long n = sh->count[ph][t][e];

				if (!n)
					continue;
				total += n;
				snprintf(line + strlen(line),
					 sizeof(line) - strlen(line), " %s=%lu",
					 ename(e), n);
			}
			if (total)
				printf("#   %-28s %6lu:%s\n", call_names[t], total,
				       line);
		}
	}
}

static int devices_idle(int *ndev)
{
	int d, bad = 0;
	char path[96];

	for (d = 0; d < MAX_DEVS; d++) {
		struct gmem_sim_counters c;
		int fd;

		snprintf(path, sizeof(path), "/dev/gmem_sim%d", d);
		fd = open(path, O_RDWR);
		if (fd < 0)
			break;
		c = dev_counters(fd);
		close(fd);
		/* Our own context is the only one. */
		if (c.mem_used || c.mapped || c.va_reserved || c.contexts != 1) {
			printf("# gmem_sim%d: mem_used %llu, mapped %llu, va_reserved %lld, contexts %llu\n",
			       d, (unsigned long long)c.mem_used,
			       (unsigned long long)c.mapped,
			       (long long)c.va_reserved,
			       (unsigned long long)c.contexts - 1);
			bad++;
		}
	}
	*ndev = d;
	return bad;
}

int main(int argc, char **argv)
{
	unsigned long calls = 16000, race_calls = ~0UL;
	uint64_t seed = 0;
	int opt, status, failed, ndev, bad, i;
	pid_t pid;

	while ((opt = getopt(argc, argv, "s:n:r:vxPh")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			calls = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			race_calls = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			verbose = 1;
			break;
		case 'x':
			stop_first = 1;
			break;
		case 'P':
			no_probes = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-n CALLS] [-r RACE_CALLS] [-v] [-x] [-P]\n",
				argv[0]);
			return 2;
		}
	}
	if (!seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (ts.tv_sec * 1000000007ULL) ^ ts.tv_nsec ^ getpid();
	}
	if (race_calls == ~0UL)
		race_calls = calls / 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	printf("TAP version 13\n1..%d\n", no_probes ? 3 : 5);
	printf("# seed %" PRIu64 ": reproduce with gmem-fuzz -s %" PRIu64 " -n %lu -r %lu\n",
	       seed, seed, calls, race_calls);
	fflush(stdout);

	pid = fork();
	if (pid == 0)
		_exit(fuzz(seed, calls, race_calls));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	print_counts();
	failed = !WIFEXITED(status) || WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		printf("not ok 1 - the fuzzer died of signal %d in: %s / %s\n",
		       WTERMSIG(status), sh->last[0], sh->last[1]);
		printf("not ok 2 - not reached\n");
	}
	/* Exit frees what the process had; give the workers a moment. */
	for (i = 0; i < 50; i++) {
		bad = devices_idle(&ndev);
		if (!bad)
			break;
		usleep(100000);
	}
	printf("%sok 3 - after exit, %d devices have no memory in use, mapping, reservation or context left\n",
	       bad ? "not " : "", ndev);
	printf("# %lu calls: %lu model phase, %lu race phase; seed %" PRIu64 "\n",
	       sh->calls[0] + sh->calls[1], sh->calls[0], sh->calls[1], seed);
	fflush(stdout);
	if (no_probes)
		return failed || bad;
	failed |= in_child(prefetch_racing_fork_child, NULL) != 0;
	/* Last: if it fails, the device's va_reserved stays wrong. */
	failed |= in_child(growsdown_child, NULL) != 0;
	return failed || bad;
}
