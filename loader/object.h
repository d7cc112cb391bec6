/* SPDX-License-Identifier: GPL-2.0 */
/* A policy object file as gmemctl load checks it (object.c). */
#ifndef GMEMCTL_OBJECT_H
#define GMEMCTL_OBJECT_H

#include <stddef.h>

#include "gmemctl.h"

struct bpf_map;
struct bpf_object;

struct policy_obj {
	struct bpf_object *obj;		/* opened, not loaded */
	struct bpf_map *map;		/* its one gmem_policy_ops map */
	char *data;			/* the map's value, until load */
	char *name;			/* in @data: the policy's name */
};

/*
 * Read and check the object file @path, and open it with libbpf: 0, or 1
 * (the exit status) once a message said what is wrong. Close @po either way.
 */
int policy_obj_open(const char *path, struct policy_obj *po);
/*
 * Name the policy @name (at most GMEM_POLICY_NAME_MAX - 1 bytes are kept):
 * before bpf_object__load(), which copies the map's value.
 */
void policy_obj_set_name(struct policy_obj *po, const char *name);
void policy_obj_close(struct policy_obj *po);

#endif /* GMEMCTL_OBJECT_H */
