/* SPDX-License-Identifier: GPL-2.0 */
/* A policy object file as gmemctl load checks it (object.c). */
#ifndef GMEMCTL_OBJECT_H
#define GMEMCTL_OBJECT_H

#include <stddef.h>

#include "gmemctl.h"

struct bpf_map;
struct bpf_object;

struct policy_obj {
	char *buf;			/* the file */
	size_t size;
	struct bpf_object *obj;		/* opened, not loaded */
	struct bpf_map *map;		/* its one gmem_policy_ops map */
	char name[GMEM_POLICY_NAME_MAX];	/* the name the object gives it */
};

/*
 * Read and check the object file @path, and open it with libbpf: 0, or 1
 * (the exit status) once a message said what is wrong. Close @po either way.
 */
int policy_obj_open(const char *path, struct policy_obj *po);
void policy_obj_close(struct policy_obj *po);

#endif /* GMEMCTL_OBJECT_H */
