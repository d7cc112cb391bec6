// SPDX-License-Identifier: GPL-2.0
/*
 * gmemctl trace: GMEM's device faults, migrations and eviction rounds as
 * they happen, from tp_btf programs on the gmem:* tracepoints
 * (bpf/gmem_trace.bpf.c) through a ring buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "gmem_trace.h"
#include "gmem_trace.skel.h"
#include "gmemctl.h"
#include "gmem_util.h"

static const char *const kind_names[GMEM_TRACE_NR_KINDS] = {
	[GMEM_TRACE_FAULT_READ] = "fault-read",
	[GMEM_TRACE_FAULT_WRITE] = "fault-write",
	[GMEM_TRACE_TO_DEVICE] = "to-device",
	[GMEM_TRACE_TO_HOST] = "to-host",
	[GMEM_TRACE_EVICT] = "evict",
};

/* gmem:gmem_migrate's reasons, as the tracepoint prints them. */
static const char *const reasons[] = {
	"fault", "prefetch", "cpu_fault", "evict", "hmadvise", "device_gone",
};

static volatile sig_atomic_t stop;
/* Records read from the ring buffer, and --count. */
static unsigned long long received, wanted;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int print_event(void *ctx, void *data, size_t size)
{
	const struct gmem_trace_event *e = data;

	(void)ctx;
	if (size < sizeof(*e) || e->kind >= GMEM_TRACE_NR_KINDS)
		return 0;
	switch (e->kind) {
	case GMEM_TRACE_FAULT_READ:
	case GMEM_TRACE_FAULT_WRITE:
		printf("%-11s pid=%u hnid=%d va=%#llx result=%d latency_ns=%llu\n",
		       kind_names[e->kind], e->tgid, e->hnid,
		       (unsigned long long)e->va, e->result,
		       (unsigned long long)e->latency_ns);
		break;
	case GMEM_TRACE_TO_DEVICE:
	case GMEM_TRACE_TO_HOST:
		printf("%-11s pid=%u hnid=%d va=%#llx pages=%llu reason=%s\n",
		       kind_names[e->kind], e->tgid, e->hnid,
		       (unsigned long long)e->va, (unsigned long long)e->pages,
		       e->result >= 0 && e->result < 6 ? reasons[e->result] : "?");
		break;
	case GMEM_TRACE_EVICT:
		printf("%-11s pid=%u hnid=%d victims=%d evicted=%llu latency_ns=%llu\n",
		       kind_names[e->kind], e->tgid, e->hnid, e->result,
		       (unsigned long long)e->pages,
		       (unsigned long long)e->latency_ns);
		break;
	}
	/* A negative return stops the ring buffer right after this record. */
	if (++received >= wanted && wanted) {
		stop = 1;
		return -ECANCELED;
	}
	return 0;
}

/* Load and attach the tracer for process @pid (0: all); NULL once it said why not. */
static struct gmem_trace *attach(long pid)
{
	struct gmem_trace *skel;
	int err;

	skel = gmem_trace__open();
	if (!skel) {
		fprintf(stderr, "gmemctl trace: cannot open the BPF object: %s\n",
			strerror(errno));
		return NULL;
	}
	skel->rodata->target_tgid = pid;
	err = gmem_trace__load(skel);
	if (!err)
		err = gmem_trace__attach(skel);
	if (!err)
		return skel;
	/* Permissions are not a missing kernel feature. */
	if (perm_hint(-err))
		fprintf(stderr, "gmemctl trace: cannot load or attach (%s); tracing needs CAP_SYS_ADMIN\n",
			strerror(-err));
	else
		fprintf(stderr, "gmemctl trace: cannot load or attach (%s); does the kernel have GMEM's tracepoints and BTF?\n",
			strerror(-err));
	gmem_trace__destroy(skel);
	return NULL;
}

/* The last line: events per kind. Returns how many in all. */
static unsigned long long print_counts(struct gmem_trace *skel)
{
	unsigned long long total = 0;
	__u32 kind;

	printf("--- events");
	for (kind = 0; kind < GMEM_TRACE_NR_KINDS; kind++) {
		__u64 count = 0;

		bpf_map__lookup_elem(skel->maps.event_counts, &kind,
				     sizeof(kind), &count, sizeof(count), 0);
		printf(" %s=%llu", kind_names[kind], (unsigned long long)count);
		total += count;
	}
	printf("\n");
	return total;
}

int cmd_trace(int argc, char **argv)
{
	struct ring_buffer *rb = NULL;
	struct gmem_trace *skel;
	unsigned long long total;
	struct trace_args a;
	__u64 deadline = 0;
	int err;

	err = trace_parse_args(argc, argv, &a);
	if (err >= 0)
		return err;
	verbose = a.verbose;
	wanted = a.count;

	skel = attach(a.pid);
	if (!skel)
		return 1;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), print_event,
			      NULL, NULL);
	if (!rb) {
		fprintf(stderr, "gmemctl trace: ring buffer: %s\n",
			strerror(errno));
		gmem_trace__destroy(skel);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* Monotonic: a window of SEC seconds, not until the next SEC'th second. */
	if (a.duration)
		deadline = now_ns() + a.duration * 1000000000ULL;
	fprintf(stderr, "gmemctl trace: attached\n");

	while (!stop && (!deadline || now_ns() < deadline)) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR && !stop) {
			fprintf(stderr, "gmemctl trace: poll: %s\n",
				strerror(-err));
			break;
		}
		err = 0;
	}
	/*
	 * No new events once detached: every event counted is then either
	 * in the ring buffer or was lost because it had no room.
	 */
	gmem_trace__detach(skel);
	if (!wanted || received < wanted)
		ring_buffer__consume(rb);

	total = print_counts(skel);
	if ((!wanted || received < wanted) && total > received)
		fprintf(stderr, "gmemctl trace: %llu events lost: the ring buffer was full\n",
			total - received);
	ring_buffer__free(rb);
	gmem_trace__destroy(skel);
	return err < 0 ? 1 : 0;
}
