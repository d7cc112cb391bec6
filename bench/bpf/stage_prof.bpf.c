// SPDX-License-Identifier: GPL-2.0
/*
 * Where a migration's time goes: fentry/fexit on the functions of
 * stage_prof.h, summing each one's duration in the calls of one process
 * (tgid; 0 for all). Stages nest (a migration holds its setup), so each
 * is reported on its own, not as a share of a sum. gmem-bench attaches a
 * program only if its function is in the kernel (test_hmm's and
 * gmem_sim's only while the module is loaded).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "stage_prof.h"

char LICENSE[] SEC("license") = "GPL";

__u32 tgid;
struct stage_total totals[STAGE_MAX];

/* Start time per (thread, stage): a stage may sleep and change CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} starts SEC(".maps");

static __always_inline __u64 stage_key(__u32 id)
{
	return (bpf_get_current_pid_tgid() & 0xffffffff) << 8 | id;
}

static __always_inline bool traced(void)
{
	return !tgid || bpf_get_current_pid_tgid() >> 32 == tgid;
}

static __always_inline int stage_enter(__u32 id)
{
	__u64 key = stage_key(id), now = bpf_ktime_get_ns();

	if (traced())
		bpf_map_update_elem(&starts, &key, &now, BPF_ANY);
	return 0;
}

static __always_inline int stage_exit(__u32 id)
{
	__u64 key = stage_key(id), *start;

	if (!traced() || id >= STAGE_MAX)
		return 0;
	start = bpf_map_lookup_elem(&starts, &key);
	if (!start)
		return 0;
	__sync_fetch_and_add(&totals[id].ns, bpf_ktime_get_ns() - *start);
	__sync_fetch_and_add(&totals[id].calls, 1);
	bpf_map_delete_elem(&starts, &key);
	return 0;
}

#define STAGE_PROGS(id, fn, name)					\
SEC("fentry/" #fn) int BPF_PROG(enter_##fn) { return stage_enter(id); }	\
SEC("fexit/" #fn) int BPF_PROG(exit_##fn) { return stage_exit(id); }

STAGE_LIST(STAGE_PROGS)
