/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Private UAPI of gmem_sim, the simulated GMEM accelerator. Like
 * lib/test_hmm_uapi.h, this is an interface for tests and benchmarks, not a
 * stable ABI.
 *
 * Each device is /dev/gmem_simN. Opening it attaches the calling process's
 * address space to the device; closing it detaches. The device then sees
 * the process's MAP_PEER_SHARED mappings at the same virtual addresses and
 * takes page faults on them through GMEM, like a real accelerator.
 */
#ifndef _GMEM_SIM_UAPI_H
#define _GMEM_SIM_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Which pages of [addr, addr + size) a device kernel touches, in order. */
enum gmem_sim_pattern {
	GMEM_SIM_SEQUENTIAL,	/* page i % npages */
	GMEM_SIM_STRIDED,	/* page (i * stride) % npages */
	GMEM_SIM_RANDOM,	/* uniform, from seed */
	GMEM_SIM_ZIPF,		/* log-uniform (Zipf, s ~ 1): low pages hot */
	GMEM_SIM_LIST,		/* page list[i] */
	GMEM_SIM_NR_PATTERNS,
};

/* What the device does to each page it touches. */
enum gmem_sim_op {
	GMEM_SIM_READ,		/* checksum += every 64-bit word */
	GMEM_SIM_WRITE,		/* word at address a = value ^ a */
	GMEM_SIM_RMW,		/* every word += 1, checksum += new word */
	GMEM_SIM_NR_OPS,
};

/**
 * struct gmem_sim_run - GMEM_SIM_IOC_RUN: run a "device kernel"
 * @addr: in: start of the range, page aligned
 * @size: in: bytes, a non-zero multiple of the page size
 * @pattern: in: enum gmem_sim_pattern
 * @op: in: enum gmem_sim_op
 * @accesses: in: pages to touch; 0 means one per page of the range
 * @stride: in: pages, for GMEM_SIM_STRIDED (non-zero)
 * @seed: in: for GMEM_SIM_RANDOM and GMEM_SIM_ZIPF
 * @list: in: user pointer to @accesses __u64 page indices, GMEM_SIM_LIST
 * @value: in: GMEM_SIM_WRITE's value
 * @checksum: out: wrapping sum of the words read (READ, RMW)
 * @faults: out: device page faults taken
 * @tlb_misses: out: device TLB misses
 * @migrated_in: out: pages copied into device memory meanwhile
 * @sim_time_ns: out: simulated device time, from the cost model
 * @remote_accesses: out: accesses to host pages over the link (pages GMEM
 *	mapped without migrating them), among @accesses
 * @fault_batches: out: times the kernel stopped for GMEM to resolve faults:
 *	batches of up to the fault_batch parameter's faults, or single
 *	faults (a replayed access that faults again is resolved alone)
 */
struct gmem_sim_run {
	__u64 addr;
	__u64 size;
	__u32 pattern;
	__u32 op;
	__u64 accesses;
	__u64 stride;
	__u64 seed;
	__u64 list;
	__u64 value;
	__u64 checksum;
	__u64 faults;
	__u64 tlb_misses;
	__u64 migrated_in;
	__u64 sim_time_ns;
	__u64 remote_accesses;
	__u64 fault_batches;
};

/**
 * struct gmem_sim_rw - GMEM_SIM_IOC_READ/WRITE: copy through the device
 * @addr: in: device virtual address, any alignment
 * @ptr: in: user buffer
 * @size: in: bytes, at most 64 MiB
 * @faults: out: device page faults taken
 */
struct gmem_sim_rw {
	__u64 addr;
	__u64 ptr;
	__u64 size;
	__u64 faults;
};

/**
 * struct gmem_sim_counters - GMEM_SIM_IOC_COUNTERS: the device's counters
 * @mem_total: bytes of device memory
 * @mem_used: bytes of it holding pages
 * @faults: device page faults resolved
 * @fault_errors: device page faults that failed
 * @tlb_hits: device TLB hits
 * @tlb_misses: device TLB misses
 * @tlb_invalidations: TLB invalidation requests from GMEM
 * @pages_in: pages copied from host memory into the device
 * @pages_out: pages copied from the device to host memory
 * @zero_fills: device pages zero-filled
 * @mapped: device page table entries currently valid
 * @va_reserved: bytes of virtual address space reserved on the device
 * @contexts: address spaces attached
 * @tlb_coalesced: coalesced TLB invalidation requests (eviction rounds)
 * @tlb_coalesced_ranges: ranges those requests covered
 * @remote_maps: host pages GMEM mapped on the device remotely
 * @remote_accesses: accesses to such pages, over the link
 * @counter_reports: access counter reports made (a page's remote accesses
 *	reached access_counter_threshold)
 * @pt_pages: pages the device page tables of its contexts take
 */
struct gmem_sim_counters {
	__u64 mem_total;
	__u64 mem_used;
	__u64 faults;
	__u64 fault_errors;
	__u64 tlb_hits;
	__u64 tlb_misses;
	__u64 tlb_invalidations;
	__u64 pages_in;
	__u64 pages_out;
	__u64 zero_fills;
	__u64 mapped;
	__u64 va_reserved;
	__u64 contexts;
	__u64 tlb_coalesced;
	__u64 tlb_coalesced_ranges;
	__u64 remote_maps;
	__u64 remote_accesses;
	__u64 counter_reports;
	__u64 pt_pages;
};

/**
 * struct gmem_sim_scratch - GMEM_SIM_IOC_SCRATCH: device-only memory
 * @size: in: bytes of scratch memory the context keeps on the device, in
 *	2 MiB blocks (at most 64); 0 frees it. Counted in mem_used, never
 *	evicted, so it needs CAP_IPC_LOCK (EPERM); ENOMEM when no free 2 MiB
 *	block is left, even if smaller free pieces add up (see
 *	/sys/kernel/gmem/devices/NAME/fragmentation).
 */
struct gmem_sim_scratch {
	__u64 size;
};

/*
 * Errors (errno of ioctl()):
 *  - every command: EFAULT when the argument struct cannot be copied in or
 *    back out; ENOTTY for an unknown command.
 *  - RUN: EINVAL for an unaligned, zero or overflowing range, a bad
 *    pattern or op, a zero stride, or a LIST index out of range; EFAULT
 *    for an unreadable list; EINTR on a fatal signal. Each access can fail
 *    as a device fault does (gm_dev_fault() in include/linux/gmem.h):
 *    EFAULT for an address not mapped MAP_PEER_SHARED or beyond the
 *    device's va_bits, EPERM (protection), ENODEV, ESRCH (the address
 *    space has exited), ENOMEM (device full under strict capacity, or no
 *    memory for the device page table). The run stops at the first error;
 *    the out fields count what was done.
 *  - READ/WRITE: EINVAL for a zero, over 64 MiB or overflowing size;
 *    ENOMEM (bounce buffer); EFAULT for the user buffer; the fault errors.
 *  - COUNTERS: EFAULT only.
 *  - SCRATCH: EINVAL over 128 MiB; EPERM without CAP_IPC_LOCK (any size
 *    but 0); ENOMEM when no free 2 MiB block.
 */
#define GMEM_SIM_IOC_RUN	_IOWR('G', 0x00, struct gmem_sim_run)
#define GMEM_SIM_IOC_READ	_IOWR('G', 0x01, struct gmem_sim_rw)
#define GMEM_SIM_IOC_WRITE	_IOWR('G', 0x02, struct gmem_sim_rw)
#define GMEM_SIM_IOC_COUNTERS	_IOR('G', 0x03, struct gmem_sim_counters)
#define GMEM_SIM_IOC_SCRATCH	_IOW('G', 0x04, struct gmem_sim_scratch)

#endif /* _GMEM_SIM_UAPI_H */
