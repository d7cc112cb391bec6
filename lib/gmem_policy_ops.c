// SPDX-License-Identifier: GPL-2.0
/* Registering GMEM policies: see gmem_policy_ops.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "gmem_policy_ops.h"

#define VALUE_TYPE	"bpf_struct_ops_gmem_policy_ops"
/* enum bpf_struct_ops_state in 6.1: INIT, INUSE (registered), TOBEFREE */
#define STATE_INUSE	1

/* Byte offset of member @name of struct @t, its type in *@type; or -1. */
static long member_offset(const struct btf *btf, const struct btf_type *t,
			  const char *name, __u32 *type)
{
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), name))
			continue;
		if (type)
			*type = m->type;
		return btf_member_bit_offset(t, i) / 8;
	}
	return -1;
}

int gmem_ops_layout_load(struct gmem_ops_layout *l)
{
	const struct btf_type *t;
	long state, data, name;
	__u32 data_type;
	struct btf *btf;
	__s32 id;
	int i;

	memset(l, 0, sizeof(*l));
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, VALUE_TYPE, BTF_KIND_STRUCT);
	if (id < 0)
		goto no_gmem;
	l->value_type_id = id;
	t = btf__type_by_id(btf, id);
	l->value_size = t->size;
	state = member_offset(btf, t, "state", NULL);
	data = member_offset(btf, t, "data", &data_type);
	if (state < 0 || data < 0)
		goto no_gmem;
	t = btf__type_by_id(btf, data_type);
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_struct(t) || btf_vlen(t) > GMEM_OPS_MAX_MEMBERS)
		goto no_gmem;
	name = member_offset(btf, t, "name", NULL);
	if (name < 0)
		goto no_gmem;
	l->state_off = state;
	l->data_off = data;
	l->name_off = name;
	l->nmembers = btf_vlen(t);
	for (i = 0; i < l->nmembers; i++)
		l->member_off[i] = btf_member_bit_offset(t, i) / 8;
	btf__free(btf);
	return 0;
no_gmem:
	btf__free(btf);
	return -ENOENT;
}

/*
 * The value the kernel expects, as libbpf builds it: each struct_ops
 * program's fd at the member it implements (libbpf sets the program's
 * expected_attach_type to the kernel's member index when it loads it), and
 * the name; gmem_policy_ops has no other data.
 */
int gmem_ops_register(const struct gmem_ops_layout *l, int map_fd,
		      struct bpf_object *obj, const char *name)
{
	struct bpf_program *prog;
	char *value;
	int key = 0, err = 0;

	value = calloc(1, l->value_size);
	if (!value)
		return -ENOMEM;
	bpf_object__for_each_program(prog, obj) {
		unsigned int idx = bpf_program__expected_attach_type(prog);

		if (bpf_program__type(prog) != BPF_PROG_TYPE_STRUCT_OPS ||
		    bpf_program__fd(prog) < 0 || idx >= (unsigned int)l->nmembers)
			continue;
		*(__u64 *)(value + l->data_off + l->member_off[idx]) =
			bpf_program__fd(prog);
	}
	memcpy(value + l->data_off + l->name_off, name,
	       strnlen(name, GMEM_POLICY_NAME_MAX - 1));
	if (bpf_map_update_elem(map_fd, &key, value, 0))
		err = -errno;
	free(value);
	return err;
}

int gmem_ops_register_new(const struct gmem_ops_layout *l,
			  struct bpf_object *obj, const char *name)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts,
		    .btf_fd = bpf_object__btf_fd(obj),
		    .btf_vmlinux_value_type_id = l->value_type_id);
	char map_name[BPF_OBJ_NAME_LEN];
	int fd, err, i;

	/* BPF object names take no '-'. */
	snprintf(map_name, sizeof(map_name), "%s", name);
	for (i = 0; map_name[i]; i++) {
		if (map_name[i] == '-')
			map_name[i] = '_';
	}
	fd = bpf_map_create(BPF_MAP_TYPE_STRUCT_OPS, map_name, sizeof(int),
			    l->value_size, 1, &opts);
	if (fd < 0)
		return -errno;
	err = gmem_ops_register(l, fd, obj, name);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int gmem_ops_unregister(int map_fd)
{
	int key = 0;

	return bpf_map_delete_elem(map_fd, &key) ? -errno : 0;
}

/* Is @fd a registered gmem_policy_ops map? Its value in @value if so. */
static int registered_value(const struct gmem_ops_layout *l, int fd,
			    char *value)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.type != BPF_MAP_TYPE_STRUCT_OPS ||
	    info.btf_vmlinux_value_type_id != l->value_type_id ||
	    info.value_size != l->value_size)
		return 0;
	if (bpf_map_lookup_elem(fd, &key, value))
		return 0;
	/* Loaded but not (or no longer) registered. */
	return *(int *)(value + l->state_off) == STATE_INUSE;
}

int gmem_ops_scan(struct gmem_ops_map **out)
{
	struct gmem_ops_map *maps = NULL, *grown;
	struct gmem_ops_layout l;
	char *value;
	int n = 0, err;
	__u32 id = 0;

	err = gmem_ops_layout_load(&l);
	if (err)
		return err;
	value = calloc(1, l.value_size);
	if (!value)
		return -ENOMEM;
	for (;;) {
		int fd, ok;

		if (bpf_map_get_next_id(id, &id)) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT)	/* gone meanwhile */
				continue;
			err = -errno;
			break;
		}
		ok = registered_value(&l, fd, value);
		close(fd);
		if (!ok)
			continue;
		grown = realloc(maps, (n + 1) * sizeof(*maps));
		if (!grown) {
			err = -ENOMEM;
			break;
		}
		maps = grown;
		memcpy(maps[n].name, value + l.data_off + l.name_off,
		       GMEM_POLICY_NAME_MAX);
		maps[n].name[GMEM_POLICY_NAME_MAX - 1] = '\0';
		maps[n].id = id;
		n++;
	}
	free(value);
	if (err) {
		free(maps);
		return err;
	}
	*out = maps;
	return n;
}

const struct gmem_ops_map *gmem_ops_find(const struct gmem_ops_map *maps,
					 int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(maps[i].name, name))
			return &maps[i];
	}
	return NULL;
}
