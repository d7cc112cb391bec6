// SPDX-License-Identifier: GPL-2.0
/*
 * Access-counter migration, as NVIDIA UVM does it on GPUs with access
 * counters: a device fault maps the page from host memory; the page moves
 * to the device once the device's access counter reports add up to
 * promote_accesses accesses (gmemctl load --set promote_accesses=N).
 * Pages touched a few times never pay a migration; hot ones stop paying
 * the link on every access. Where the range has a preferred location,
 * the hint wins: a page that prefers this device migrates at once, one
 * that prefers elsewhere is never promoted.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 promote_accesses = 64;

struct page_key {
	__u64 as_id;
	__u64 va;
};

/* Accesses reported per page not promoted yet; the coldest go first. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct page_key);
	__type(value, __u32);
} reported SEC(".maps");

int BPF_STRUCT_OPS(counter_place, struct gmem_place_ctx *req)
{
	struct page_key key = { .as_id = req->as_id, .va = req->va };
	__u32 *sum, total;

	if (req->preferred_dev == (__s32)req->dev)
		return GMEM_PLACE_MIGRATE;
	if (req->preferred_dev >= 0 || (req->flags & GMEM_PLACE_PREFER_HOST))
		return GMEM_PLACE_REMOTE;
	if (!(req->flags & GMEM_PLACE_COUNTER))
		return GMEM_PLACE_REMOTE;
	sum = bpf_map_lookup_elem(&reported, &key);
	total = (sum ? *sum : 0) + req->accesses;
	if (total < promote_accesses) {
		bpf_map_update_elem(&reported, &key, &total, BPF_ANY);
		return GMEM_PLACE_REMOTE;
	}
	bpf_map_delete_elem(&reported, &key);
	return GMEM_PLACE_MIGRATE;
}

SEC(".struct_ops")
struct gmem_policy_ops place_counter = {
	.place = (void *)counter_place,
	.name = "place_counter",
};
