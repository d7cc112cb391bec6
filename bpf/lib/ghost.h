/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ghosts: pages a policy let go and still remembers, the last as many as
 * the device has frames, each with a word the policy keeps for it
 * (S3-FIFO: nothing; LIRS: when the page was last used). A ring per
 * device holds them in the order they came, a hash finds a page's.
 */
#ifndef GMEM_LIB_GHOST_H
#define GMEM_LIB_GHOST_H

#include "gmem_policy.h"

/* A page of an address space on a device. */
struct gmem_page_key {
	__u64 as_id;
	__u64 vpn;
	__u32 dev;
	__u32 pad;
};

/* A place in a device's ring: the page, and its ghost's number. */
struct gmem_ghost_slot {
	struct gmem_page_key key;
	__u64 seq;
};

/* A page's ghost, in the hash: its number + 1, and the policy's word. */
struct gmem_ghost {
	__u64 seq1;
	__u64 data;
};

/* Rings: [dev * gmem_dev_frames + i], the device's frames long. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GMEM_SLOTS);
	__type(key, __u32);
	__type(value, struct gmem_ghost_slot);
} gmem_ghost_ring SEC(".maps");

/* Per device: the number of its next ghost (ghosts it has had). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GMEM_MAX_DEVICES);
	__type(key, __u32);
	__type(value, __u64);
} gmem_ghost_next SEC(".maps");

/* Ghosts by page: allocated as they come. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GMEM_SLOTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct gmem_page_key);
	__type(value, struct gmem_ghost);
} gmem_ghosts SEC(".maps");

static __always_inline struct gmem_page_key
gmem_page_key_of(const struct gmem_page *page)
{
	struct gmem_page_key key = {
		.as_id = page->as_id,
		.vpn = page->va >> GMEM_PAGE_SHIFT,
		.dev = page->dev,
	};

	return key;
}

/*
 * The place of device @dev's next ghost in its ring, @frames long, the
 * oldest ghost forgotten once the ring is full; *@nextp is set to the
 * device's count of ghosts. NULL if there is no place.
 */
static __always_inline struct gmem_ghost_slot *
gmem_ghost_place(__u32 dev, __u32 frames, __u64 **nextp)
{
	__u64 *next = bpf_map_lookup_elem(&gmem_ghost_next, &dev);
	struct gmem_ghost_slot *g;
	__u32 i;

	if (!next || !frames)
		return NULL;
	if (frames > gmem_dev_frames)
		frames = gmem_dev_frames;
	i = dev * gmem_dev_frames + *next % frames;
	g = bpf_map_lookup_elem(&gmem_ghost_ring, &i);
	if (!g)
		return NULL;
	if (*next >= frames) {
		struct gmem_ghost *old = bpf_map_lookup_elem(&gmem_ghosts,
							     &g->key);

		if (old && old->seq1 == g->seq + 1)
			bpf_map_delete_elem(&gmem_ghosts, &g->key);
	}
	*nextp = next;
	return g;
}

/*
 * Remember @key with @data as the newest ghost of device @dev, forgetting
 * the oldest once the ring holds @frames (a page may be in the ring more
 * than once: only its newest place counts).
 */
static __always_inline void gmem_ghost_add(__u32 dev, __u32 frames,
					   const struct gmem_page_key *key,
					   __u64 data)
{
	struct gmem_ghost_slot *g;
	struct gmem_ghost ghost;
	__u64 *next;

	g = gmem_ghost_place(dev, frames, &next);
	if (!g)
		return;
	g->key = *key;
	g->seq = *next;
	ghost.seq1 = *next + 1;
	ghost.data = data;
	bpf_map_update_elem(&gmem_ghosts, key, &ghost, BPF_ANY);
	(*next)++;
}

/*
 * @key's page left device @dev, and no ghost need remember it, but it
 * counts in the others' ages (gmem_ghost_take_aged()): its place in the
 * ring stays empty, and a ghost it had from before is forgotten.
 */
static __always_inline void gmem_ghost_pass(__u32 dev, __u32 frames,
					    const struct gmem_page_key *key)
{
	struct gmem_ghost_slot *g;
	__u64 *next;

	bpf_map_delete_elem(&gmem_ghosts, key);
	g = gmem_ghost_place(dev, frames, &next);
	if (!g)
		return;
	/* No ghost has this number: its next lap expires nothing. */
	g->seq = *next;
	(*next)++;
}

/*
 * Forget @key's ghost (its page is back): true if there was one, and its
 * word in *@data. Unless @age is NULL, *@age is set to the ghosts its
 * device has had since, this one included (1: it was the last).
 */
static __always_inline bool gmem_ghost_take_aged(const struct gmem_page_key *key,
						 __u64 *data, __u64 *age)
{
	struct gmem_ghost *ghost = bpf_map_lookup_elem(&gmem_ghosts, key);
	__u32 dev = key->dev;
	__u64 *next;

	if (!ghost)
		return false;
	*data = ghost->data;
	if (age) {
		next = bpf_map_lookup_elem(&gmem_ghost_next, &dev);
		*age = next ? *next - (ghost->seq1 - 1) : ~0ULL;
	}
	bpf_map_delete_elem(&gmem_ghosts, key);
	return true;
}

static __always_inline bool gmem_ghost_take(const struct gmem_page_key *key,
					    __u64 *data)
{
	return gmem_ghost_take_aged(key, data, NULL);
}

#endif /* GMEM_LIB_GHOST_H */
