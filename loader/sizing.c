// SPDX-License-Identifier: GPL-2.0
/*
 * gmemctl load: per-frame state sized to the devices present. A policy
 * built on bpf/gmem_policy.h indexes its per-frame maps by slot, device
 * id times gmem_dev_frames plus frame (bpf/gmem_slots.h). Compiled in,
 * they cover 4 devices of 256 MiB; accelerators have 16 GiB and more. At
 * load, before the maps exist, gmemctl sets the two static .rodata
 * variables from /sys/kernel/gmem/devices/ (highest id + 1, at most
 * GMEM_MAX_DEVICES; largest device's frames) and gives every array or
 * hash map of GMEM_SLOTS + n entries (n < GMEM_SLOTS_EXTRA)
 * nr_devices * dev_frames + n. Frames of a device
 * added later that do not fit get no slots: the policy never picks them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "gmem_slots.h"
#include "gmem_sysfs.h"
#include "gmemctl.h"
#include "sizing.h"

#define PAGE_BYTES	4096UL

/* Highest device id + 1 and most frames of a device; 0 if there is none. */
static void devices_present(__u32 *nr_devices, __u32 *dev_frames)
{
	char path[512];
	struct dirent *d;
	DIR *dir;

	*nr_devices = 0;
	*dev_frames = 0;
	dir = opendir(GMEM_DEVICES_DIR);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		long id, bytes;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), GMEM_DEVICES_DIR "/%s/id", d->d_name);
		id = sysfs_long(path);
		snprintf(path, sizeof(path), GMEM_DEVICES_DIR "/%s/mem_total",
			 d->d_name);
		bytes = sysfs_long(path);
		if (id < 0 || bytes <= 0)
			continue;
		/* Per-device maps and list heads hold GMEM_MAX_DEVICES. */
		if (id < GMEM_MAX_DEVICES && (__u32)id + 1 > *nr_devices)
			*nr_devices = id + 1;
		if (bytes / PAGE_BYTES > *dev_frames)
			*dev_frames = bytes / PAGE_BYTES;
	}
	closedir(dir);
}

/* Where the __u32 .rodata variable @name is in @buf (@size bytes), or NULL. */
static __u32 *rodata_u32(const struct btf *btf, void *buf, size_t size,
			 const char *name)
{
	const struct btf_var_secinfo *vsi;
	const struct btf_type *sec;
	__s32 id;
	int i;

	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return NULL;
	sec = btf__type_by_id(btf, id);
	vsi = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);

		if (var && btf_is_var(var) && vsi->size == sizeof(__u32) &&
		    (size_t)vsi->offset + vsi->size <= size &&
		    !strcmp(btf__name_by_offset(btf, var->name_off), name))
			return (__u32 *)((char *)buf + vsi->offset);
	}
	return NULL;
}

int size_frame_state(struct bpf_object *obj, const char *path)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map, *rodata = NULL;
	__u32 nr_devices, dev_frames, *devs, *frames;
	unsigned long long bytes = 0;
	const void *init;
	size_t size = 0;
	char *buf;
	int err;

	devices_present(&nr_devices, &dev_frames);
	if (!nr_devices || !btf)
		return 0;
	bpf_object__for_each_map(map, obj) {
		const char *dot = strchr(bpf_map__name(map), '.');

		if (bpf_map__is_internal(map) && dot && !strcmp(dot, ".rodata"))
			rodata = map;
	}
	init = rodata ? bpf_map__initial_value(rodata, &size) : NULL;
	if (!init)
		return 0;
	buf = malloc(size);
	if (!buf)
		return fail(ENOMEM, NULL, "loading %s", path);
	memcpy(buf, init, size);
	devs = rodata_u32(btf, buf, size, "gmem_nr_devices");
	frames = rodata_u32(btf, buf, size, "gmem_dev_frames");
	if (!devs || !frames) {
		free(buf);
		return 0;	/* no per-frame state */
	}
	*devs = nr_devices;
	*frames = dev_frames;
	err = bpf_map__set_initial_value(rodata, buf, size);
	free(buf);
	if (err)
		return fail(-err, NULL, "sizing the per-frame state of %s", path);

	bpf_object__for_each_map(map, obj) {
		__u32 max = bpf_map__max_entries(map);
		__u64 entries;

		if (bpf_map__is_internal(map) || max < GMEM_SLOTS ||
		    max >= GMEM_SLOTS + GMEM_SLOTS_EXTRA ||
		    (bpf_map__type(map) != BPF_MAP_TYPE_ARRAY &&
		     bpf_map__type(map) != BPF_MAP_TYPE_HASH))
			continue;
		entries = (__u64)nr_devices * dev_frames + (max - GMEM_SLOTS);
		if (entries > UINT32_MAX)
			return fail(E2BIG, NULL, "%s: map %s would need %llu entries",
				    path, bpf_map__name(map),
				    (unsigned long long)entries);
		err = bpf_map__set_max_entries(map, entries);
		if (err)
			return fail(-err, NULL, "sizing map %s of %s",
				    bpf_map__name(map), path);
		if (bpf_map__type(map) == BPF_MAP_TYPE_ARRAY)
			bytes += entries * bpf_map__value_size(map);
	}
	if (verbose)
		fprintf(stderr, "gmemctl load: per-frame state for %u devices of %u frames: %.1f MiB of arrays\n",
			nr_devices, dev_frames, bytes / 1048576.0);
	return 0;
}
