/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bpf/gmem_policy.h takes from the patched kernel's vmlinux.h, for
 * compiling bpf/lib/ algorithms on the host (tests/host/test_stride.c,
 * test_evictors.c):
 * the types, and the structs and enums of include/linux/gmem.h they use.
 */
#ifndef HOST_SHIM_VMLINUX_H
#define HOST_SHIM_VMLINUX_H

#include <stdbool.h>
#include <stdint.h>

typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef int32_t __s32;
typedef int64_t __s64;

enum {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
};
enum { BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2 };
enum { BPF_F_NO_PREALLOC = 1 };

enum {
	GMEM_PAGE_WRITE = 0x1,
	GMEM_PAGE_THRASHING = 0x2,
	GMEM_PAGE_REFERENCED = 0x4,
	GMEM_PAGE_PREFETCHED = 0x8,
	GMEM_PAGE_UNUSED = 0x10,
	GMEM_PAGE_JUDGED = 0x80,
};

enum {
	GMEM_FRAME_RESIDENT = 0x1,
	GMEM_FRAME_PINNED = 0x2,
	GMEM_FRAME_BUSY = 0x4,
	GMEM_FRAME_PROTECTED = 0x8,
};

struct gmem_as_info {
	__u64 id;
	__s32 pid;
};

struct gmem_page {
	__u64 va;
	__u64 as_id;
	__u32 dev;
	__u32 frame;
	__u32 flags;
	__u32 hint;
	__u32 prefetched_pending;
};

struct gmem_prefetch_ctx {
	__u64 va;
	__u64 vma_start;
	__u64 vma_end;
	__u64 as_id;
	__u32 dev;
	__u32 flags;
	__u32 hint;
	__u32 budget;
	const void *kernel;
};

struct gmem_evict_ctx {
	__u64 as_id;
	__u32 dev;
	__u32 nr_frames;
	__u32 wanted;
	__u32 nominated;
	const void *kernel;
};

#endif /* HOST_SHIM_VMLINUX_H */
