/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Registering GMEM policies: struct_ops maps of struct gmem_policy_ops.
 * The one registration path of the repository (gmemctl load, gmem-cycle):
 * the map's value is built here, as the kernel's BTF lays it out, from a
 * loaded object's struct_ops programs and a name, so that a name other
 * than the object's needs no change to the object, and one loaded object
 * can be registered any number of times.
 */
#ifndef GMEM_POLICY_OPS_H
#define GMEM_POLICY_OPS_H

#include <linux/types.h>

#include "gmem_sysfs.h"

struct bpf_object;

#define GMEM_OPS_MAX_MEMBERS	32

/*
 * struct bpf_struct_ops_gmem_policy_ops { refcnt, state, data }, the value
 * of a gmem_policy_ops map, in vmlinux BTF; data is a gmem_policy_ops.
 */
struct gmem_ops_layout {
	__u32 value_type_id;
	__u32 value_size;
	__u32 state_off;	/* in the value */
	__u32 data_off;		/* in the value */
	__u32 name_off;		/* in gmem_policy_ops */
	__u32 member_off[GMEM_OPS_MAX_MEMBERS];	/* in gmem_policy_ops */
	int nmembers;
};

/* Fill @l from the kernel's BTF; 0, or -ENOENT if it has no GMEM policies. */
int gmem_ops_layout_load(struct gmem_ops_layout *l);

/*
 * Register @map_fd, a gmem_policy_ops struct_ops map, as policy @name with
 * the struct_ops programs of @obj (loaded): 0 or -errno. The kernel holds
 * the registration after the fd closes; gmem_ops_unregister() ends it.
 */
int gmem_ops_register(const struct gmem_ops_layout *l, int map_fd,
		      struct bpf_object *obj, const char *name);
/* A new struct_ops map, registered as above: its fd, or -errno. */
int gmem_ops_register_new(const struct gmem_ops_layout *l,
			  struct bpf_object *obj, const char *name);
/* Delete the map's element, as `bpftool struct_ops unregister`: 0 or -errno. */
int gmem_ops_unregister(int map_fd);

/* A registered policy's struct_ops map. */
struct gmem_ops_map {
	char name[GMEM_POLICY_NAME_MAX];
	__u32 id;
};

/* Every registered gmem_policy_ops map: how many (*@out, malloc'd) or -errno. */
int gmem_ops_scan(struct gmem_ops_map **out);
const struct gmem_ops_map *gmem_ops_find(const struct gmem_ops_map *maps,
					 int n, const char *name);

#endif /* GMEM_POLICY_OPS_H */
