/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every GMEM policy (a struct_ops map of struct gmem_policy_ops)
 * shares: the kfuncs, the hints and macros vmlinux.h cannot carry (the
 * GMEM_PAGE_* and GMEM_FRAME_* flags are enums of include/linux/gmem.h,
 * so vmlinux.h has them), per-frame slots and BPF_STRUCT_OPS(). The
 * algorithms policies are built from are in bpf/lib/: the frame list
 * (frame_list.h, LRU, MRU and FIFO orders), lfu.h, clock.h, seq.h,
 * stride.h and tree.h.
 */
#ifndef GMEM_POLICY_H
#define GMEM_POLICY_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* include/uapi/linux/gmem.h: hints policies give a meaning to. */
#define MADV_POLICY_HINT_FIRST	256
#define GMEM_HINT_STREAMING	(MADV_POLICY_HINT_FIRST + 0)
#define GMEM_HINT_HOT		(MADV_POLICY_HINT_FIRST + 1)

#define GMEM_PAGE_SHIFT		12
#define GMEM_PAGE_SIZE		(1ULL << GMEM_PAGE_SHIFT)

/*
 * A hook of struct gmem_policy_ops, named @name, with typed arguments:
 *	int BPF_STRUCT_OPS(lru_evict, struct gmem_evict_ctx *req) { ... }
 * BPF_PROG() keeps the raw context in a variable called ctx: no argument
 * may be called ctx.
 */
#define BPF_STRUCT_OPS(name, args...) \
	SEC("struct_ops/" #name) BPF_PROG(name, ##args)

extern int gmem_prefetch_range(struct gmem_prefetch_ctx *ctx, __u64 start,
			       __u64 nr_pages) __ksym;
extern __u64 gmem_prefetch_verdicts(struct gmem_prefetch_ctx *ctx,
				    __u64 start, __u64 nr_pages) __ksym;
extern int gmem_evict_frame(struct gmem_evict_ctx *ctx, __u32 frame) __ksym;
extern __u32 gmem_frame_state(struct gmem_evict_ctx *ctx, __u32 frame) __ksym;
extern __u32 gmem_frame_take_referenced(struct gmem_evict_ctx *ctx,
					__u32 frame) __ksym;

/*
 * Per-frame state lives in maps indexed by slot (gmem_slots.h): device id
 * times the frames per device, plus frame number. gmemctl load sizes it
 * to the devices present (loader/sizing.c): gmem_nr_devices becomes the
 * highest device id plus one (at most GMEM_MAX_DEVICES), gmem_dev_frames
 * the largest device's frame count, and every array or hash map of
 * GMEM_SLOTS (+ n) entries gmem_nr_slots() (+ n).
 * Loaded any other way (bpftool), a policy has slots for GMEM_MAX_DEVICES
 * devices of GMEM_MAX_FRAMES frames (256 MiB). Frames beyond get no slot:
 * the policy never sees them, so never picks them; the kernel's default
 * LRU steps in when its own victims run short (policies/NAME/filled).
 */
#include "gmem_slots.h"
#define GMEM_NO_SLOT		0xffffffffU

/*
 * Static, as bpf/lib/ headers are compiled on the host too (tests/host/).
 * An object that never uses them (the prefetchers: their maps are per
 * address space or per 2 MiB block, capped, not per frame) has none, and
 * gmemctl leaves its maps as compiled. gmem_nr_devices is at most
 * GMEM_MAX_DEVICES: per-device maps and list heads are that many.
 */
static const volatile __u32 gmem_nr_devices __attribute__((unused)) =
	GMEM_MAX_DEVICES;
static const volatile __u32 gmem_dev_frames __attribute__((unused)) =
	GMEM_MAX_FRAMES;

static __always_inline __u32 gmem_nr_slots(void)
{
	return gmem_nr_devices * gmem_dev_frames;
}

static __always_inline __u32 gmem_slot(__u32 dev, __u32 frame)
{
	if (dev >= gmem_nr_devices || dev >= GMEM_MAX_DEVICES ||
	    frame >= gmem_dev_frames)
		return GMEM_NO_SLOT;
	return dev * gmem_dev_frames + frame;
}

/* The slot's frame number on device @dev. */
static __always_inline __u32 gmem_slot_frame(__u32 dev, __u32 slot)
{
	return slot - dev * gmem_dev_frames;
}

#endif /* GMEM_POLICY_H */
