// SPDX-License-Identifier: GPL-2.0
/*
 * Trace GMEM's device faults with bpftool alone (README, "Tracing"):
 *
 *   bpftool prog loadall build/docs/trace_faults.bpf.o \
 *           /sys/fs/bpf/trace_faults pinmaps /sys/fs/bpf/trace_faults autoattach
 *   bpftool prog tracelog
 *
 * Each fault is one line of the trace pipe; fault_counts counts them by
 * kind (0 read, 1 write). Removing /sys/fs/bpf/trace_faults detaches it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} fault_counts SEC(".maps");

SEC("tp_btf/gmem_fault")
int BPF_PROG(trace_fault, int hnid, unsigned long va, bool write, int result,
	     u64 latency_ns)
{
	__u32 kind = write;
	__u64 *n = bpf_map_lookup_elem(&fault_counts, &kind);

	if (n)
		__sync_fetch_and_add(n, 1);
	bpf_printk("gmem_fault pid=%d hnid=%d va=0x%lx %s result=%d latency_ns=%llu",
		   bpf_get_current_pid_tgid() >> 32, hnid, va,
		   write ? "write" : "read", result, latency_ns);
	return 0;
}
