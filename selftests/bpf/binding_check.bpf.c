// SPDX-License-Identifier: GPL-2.0
/*
 * Checks the life of a binding, however fast the policy is swapped in and
 * out, and counts (in .bss) what breaks it: init() of an address space it
 * is already bound to, exit() of one it is not; exit() while the binding
 * still has pages (page_removed() must come first); a page event for an
 * address space not bound; a page added twice, or removed without being
 * added.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

struct binding {
	__u64 pages;		/* added and not removed */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);		/* gmem_as_info.id */
	__type(value, struct binding);
} bound SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);		/* dev << 32 | frame */
	__type(value, __u64);		/* as_id */
} held SEC(".maps");

/* Iterations of an idle loop in each page_removed(); set by the test. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} slow_removes SEC(".maps");

__u64 inits, exits, double_inits, stray_exits;
__u64 adds, removes, exits_with_pages, unbound_events, double_adds,
	stray_removes;

int BPF_STRUCT_OPS(bindchk_init, struct gmem_as_info *as)
{
	struct binding fresh = { };
	__u64 id = as->id;

	__sync_fetch_and_add(&inits, 1);
	if (bpf_map_update_elem(&bound, &id, &fresh, BPF_NOEXIST))
		__sync_fetch_and_add(&double_inits, 1);
	return 0;
}

void BPF_STRUCT_OPS(bindchk_exit, struct gmem_as_info *as)
{
	__u64 id = as->id;
	struct binding *b;

	__sync_fetch_and_add(&exits, 1);
	b = bpf_map_lookup_elem(&bound, &id);
	if (!b) {
		__sync_fetch_and_add(&stray_exits, 1);
		return;
	}
	if (b->pages)
		__sync_fetch_and_add(&exits_with_pages, 1);
	bpf_map_delete_elem(&bound, &id);
}

void BPF_STRUCT_OPS(bindchk_page_added, struct gmem_page *page)
{
	__u64 key = (__u64)page->dev << 32 | page->frame;
	__u64 id = page->as_id;
	struct binding *b;

	__sync_fetch_and_add(&adds, 1);
	b = bpf_map_lookup_elem(&bound, &id);
	if (!b) {
		__sync_fetch_and_add(&unbound_events, 1);
		return;
	}
	__sync_fetch_and_add(&b->pages, 1);
	if (bpf_map_update_elem(&held, &key, &id, BPF_NOEXIST))
		__sync_fetch_and_add(&double_adds, 1);
}

static long idle_step(__u32 i, void *ctx)
{
	return 0;
}

void BPF_STRUCT_OPS(bindchk_page_removed, struct gmem_page *page)
{
	__u64 key = (__u64)page->dev << 32 | page->frame;
	__u64 id = page->as_id;
	__u32 zero = 0, *loops;
	struct binding *b;

	loops = bpf_map_lookup_elem(&slow_removes, &zero);
	if (loops && *loops)
		bpf_loop(*loops, idle_step, NULL, 0);
	__sync_fetch_and_add(&removes, 1);
	if (bpf_map_delete_elem(&held, &key))
		__sync_fetch_and_add(&stray_removes, 1);
	b = bpf_map_lookup_elem(&bound, &id);
	if (!b) {
		__sync_fetch_and_add(&unbound_events, 1);
		return;
	}
	__sync_fetch_and_sub(&b->pages, 1);
}

SEC(".struct_ops")
struct gmem_policy_ops bindchk = {
	.init = (void *)bindchk_init,
	.exit = (void *)bindchk_exit,
	.page_added = (void *)bindchk_page_added,
	.page_removed = (void *)bindchk_page_removed,
	.name = "bindchk",
};
