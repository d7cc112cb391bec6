/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by bench/bpf/bench_trace.bpf.c and gmem-bench: the per-page
 * events the benchmark records to tell which prefetched pages were never
 * used before they left the device.
 */
#ifndef BENCH_TRACE_H
#define BENCH_TRACE_H

enum bench_ev_kind {
	BENCH_EV_FAULT = 1,	/* gm_dev_fault() entered: va */
	BENCH_EV_MIGRATE,	/* gm_migrate_to_dev(): va = start, arg = pages | reason << 32 */
	BENCH_EV_TRACK,		/* gm_frame_track(): page va now on the device (arrived or refaulted) */
	BENCH_EV_HOST,		/* gm_lpt_set_host(): page va left the device */
	BENCH_EV_MARK,		/* hmadvise(MADV_OVERSUBSCRIBE) by the process: a marker */
	BENCH_EV_HOST_RANGE,	/* gm_lpt_set_host_range(): page va + i left it for each bit i of arg */
};

struct bench_ev {
	__u32 kind;
	__u32 pid;		/* gm_as.pid: the process owning the page */
	__u64 va;
	__u64 arg;
};

#define BENCH_MAX_PIDS		2
#define BENCH_LAT_MAX		(1U << 20)	/* fault latencies kept per run (u64) */

#endif /* BENCH_TRACE_H */
