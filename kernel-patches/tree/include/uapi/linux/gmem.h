/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * GMEM user interface: hmadvise(2) advice for memory shared with devices
 * (mmap(MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED)).
 *
 *   long hmadvise(int hnid, unsigned long start, size_t len, int advice);
 *
 * hnid is a heterogeneous NUMA id: a host NUMA node, or a device's id from
 * /sys/kernel/gmem/devices/NAME/hnid.
 */
#ifndef _UAPI_LINUX_GMEM_H
#define _UAPI_LINUX_GMEM_H

/* MADV_DONTNEED (4, as for madvise) moves device copies back to host. */

/* Migrate the range to hnid now: a device (then mapped there) or a host node. */
#define MADV_PREFETCH			64
/*
 * Range attributes, kept by GMEM for the range (debugfs as-PID lists
 * them) and handed to the policy's place hook. By default, on a device
 * that can map host memory, a fault on a range that prefers host memory
 * or another device, or is accessed by the faulting device, maps the
 * page from host memory instead of migrating it, and MADV_ACCESSED_BY
 * maps the range's host pages on the device at once. MADV_READ_MOSTLY is
 * recorded only. See docs/hmadvise.md of GMEM-BPF.
 */
#define MADV_PREFERRED_LOCATION		65	/* hnid, or -1 to clear */
#define MADV_ACCESSED_BY		66	/* add device hnid to the set */
#define MADV_READ_MOSTLY		67
#define MADV_PIN			68	/* device copies never evicted */
#define MADV_UNPIN			69
#define MADV_CLEAR_ATTRIBUTES		70	/* all of the above back to default */
/*
 * For the caller's whole address space (start and len 0): a device fault
 * on a full device fails with ENOMEM instead of evicting to host memory,
 * or evicts. Until either is given, /sys/kernel/gmem/strict_capacity
 * decides.
 */
#define MADV_STRICT_CAPACITY		71
#define MADV_OVERSUBSCRIBE		72
/* Policy-defined hints: stored for the range, meaning is the policy's. */
#define MADV_POLICY_HINT_FIRST		256
#define MADV_POLICY_HINT_LAST		511

/*
 * Policy names, as /sys/kernel/gmem/policy, /proc/PID/gmem_policy and
 * struct gmem_policy_ops take them: 1 to GMEM_POLICY_NAME_MAX - 1 characters
 * of [A-Za-z0-9_-], not "system". An enum, so that vmlinux BTF has it too.
 */
enum gmem_limits {
	GMEM_POLICY_NAME_MAX	= 16,	/* with the NUL */
};

#endif /* _UAPI_LINUX_GMEM_H */
