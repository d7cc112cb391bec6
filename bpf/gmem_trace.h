/* SPDX-License-Identifier: GPL-2.0 */
/* Records of bpf/gmem_trace.bpf.c, shared with gmemctl. */
#ifndef GMEM_TRACE_H
#define GMEM_TRACE_H

enum gmem_trace_kind {
	GMEM_TRACE_FAULT_READ,
	GMEM_TRACE_FAULT_WRITE,
	GMEM_TRACE_TO_DEVICE,
	GMEM_TRACE_TO_HOST,
	GMEM_TRACE_EVICT,
	GMEM_TRACE_NR_KINDS,
};

struct gmem_trace_event {
	__u32 kind;
	__u32 tgid;
	__s32 hnid;
	__s32 result;		/* faults: 0/-errno; migrations: reason; evict: victims */
	__u64 va;
	__u64 pages;
	__u64 latency_ns;
};

#endif /* GMEM_TRACE_H */
