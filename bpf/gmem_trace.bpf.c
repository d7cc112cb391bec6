// SPDX-License-Identifier: GPL-2.0
/*
 * Fault tracer: tp_btf programs on GMEM's tracepoints send one record per
 * device fault, migration and eviction round to user space through a ring
 * buffer, and count them per kind. Loaded by `gmemctl trace`.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "gmem_trace.h"

char LICENSE[] SEC("license") = "GPL";

/* Only events of this process (tgid), when non-zero; set before load. */
const volatile __u32 target_tgid;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GMEM_TRACE_NR_KINDS);
	__type(key, __u32);
	__type(value, __u64);
} event_counts SEC(".maps");

static __always_inline int emit(__u32 kind, int hnid, __u64 va, __u64 pages,
				int result, __u64 latency_ns)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct gmem_trace_event *e;
	__u64 *count;

	if (target_tgid && tgid != target_tgid)
		return 0;
	count = bpf_map_lookup_elem(&event_counts, &kind);
	if (count)
		__sync_fetch_and_add(count, 1);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->kind = kind;
	e->tgid = tgid;
	e->hnid = hnid;
	e->result = result;
	e->va = va;
	e->pages = pages;
	e->latency_ns = latency_ns;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/gmem_fault")
int BPF_PROG(on_fault, int hnid, unsigned long va, bool write, int result,
	     u64 latency_ns)
{
	return emit(write ? GMEM_TRACE_FAULT_WRITE : GMEM_TRACE_FAULT_READ,
		    hnid, va, 1, result, latency_ns);
}

SEC("tp_btf/gmem_migrate")
int BPF_PROG(on_migrate, int hnid, unsigned long va, unsigned long pages,
	     bool to_device, int reason)
{
	return emit(to_device ? GMEM_TRACE_TO_DEVICE : GMEM_TRACE_TO_HOST,
		    hnid, va, pages, reason, 0);
}

SEC("tp_btf/gmem_evict")
int BPF_PROG(on_evict, int hnid, unsigned int victims, unsigned int evicted,
	     u64 latency_ns)
{
	return emit(GMEM_TRACE_EVICT, hnid, 0, evicted, victims, latency_ns);
}
