// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's probes (gmem-bench loads them through a skeleton):
 *  - tp_btf/gmem_fault: the latency of every device fault of the processes
 *    under test, into an mmapable array (exact medians and percentiles);
 *  - fentry on four GMEM functions: one record per fault, migration to a
 *    device, page arriving on a device and page leaving it, through a ring
 *    buffer, so that user space can replay them against the reference
 *    string and count prefetched pages never used.
 * hmadvise(-1, NULL, 0, MADV_OVERSUBSCRIBE), which changes nothing for a
 * process that never asked for strict capacity, puts a marker in the
 * stream (gmem-bench's rounds). Only processes listed in pids[] (gm_as.pid, or the current tgid for
 * faults) are recorded.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bench_trace.h"

char LICENSE[] SEC("license") = "GPL";

__u32 pids[BENCH_MAX_PIDS];
__u32 events_on;	/* the page events stay attached; this gates them */
__u32 lat_count;
__u64 events_lost;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, BENCH_LAT_MAX);
	__type(key, __u32);
	__type(value, __u64);	/* array elements are 8-byte aligned anyway */
} latency SEC(".maps");

static __always_inline bool tracked(__u32 pid)
{
	return pid && (pid == pids[0] || pid == pids[1]);
}

static __always_inline int emit(__u32 kind, __u32 pid, __u64 va, __u64 arg)
{
	struct bench_ev *e;

	if (!events_on || !tracked(pid))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&events_lost, 1);
		return 0;
	}
	e->kind = kind;
	e->pid = pid;
	e->va = va;
	e->arg = arg;
	/* No wakeup per record: gmem-bench drains the buffer every few ms. */
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("tp_btf/gmem_fault")
int BPF_PROG(bench_fault_latency, int hnid, unsigned long va, bool write,
	     int result, u64 latency_ns)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, idx;
	__u64 *slot;

	if (!tracked(tgid) || result)
		return 0;
	/*
	 * Not atomic (fetch-and-add with a result needs -mcpu=v3): the
	 * processes under test fault one at a time (the two tenants run in
	 * lockstep), so no two faults race here.
	 */
	idx = lat_count;
	lat_count = idx + 1;
	if (idx >= BENCH_LAT_MAX)
		return 0;
	slot = bpf_map_lookup_elem(&latency, &idx);
	if (slot)
		*slot = latency_ns;
	return 0;
}

SEC("fentry/gm_dev_fault")
int BPF_PROG(bench_fault, struct mm_struct *mm, unsigned long va,
	     struct gm_dev *dev, unsigned int flags)
{
	struct gm_as *as = mm->gm_as;

	return as ? emit(BENCH_EV_FAULT, as->pid, va & ~0xfffUL, 0) : 0;
}

SEC("fentry/gm_migrate_to_dev")
int BPF_PROG(bench_migrate, struct gm_context *gctx, unsigned long start,
	     unsigned long end, bool write, int reason)
{
	return emit(BENCH_EV_MIGRATE, gctx->as->pid, start,
		    ((end - start) >> 12) | ((__u64)reason << 32));
}

SEC("fentry/gm_frame_track")
int BPF_PROG(bench_track, struct gm_dev *dev, struct page *page,
	     struct gm_as *as, unsigned long va, bool thrashing)
{
	return emit(BENCH_EV_TRACK, as->pid, va, 0);
}

SEC("fentry/gm_lpt_set_host")
int BPF_PROG(bench_host, struct gm_as *as, unsigned long va)
{
	return emit(BENCH_EV_HOST, as->pid, va, 0);
}

SEC("fentry/gm_lpt_set_host_range")
int BPF_PROG(bench_host_range, struct gm_as *as, unsigned long start,
	     struct gm_dev *dev, const unsigned long *src, unsigned long moved)
{
	return moved ? emit(BENCH_EV_HOST_RANGE, as->pid, start, moved) : 0;
}

SEC("tp_btf/gmem_hmadvise")
int BPF_PROG(bench_mark, int hnid, unsigned long start, unsigned long len,
	     int advice, int result)
{
	return emit(BENCH_EV_MARK, bpf_get_current_pid_tgid() >> 32, advice,
		    result);
}
