// SPDX-License-Identifier: GPL-2.0
/*
 * gmemctl load's view of a policy object file: the checks libbpf does not
 * make (a GPL-compatible license, one gmem_policy_ops map) and the
 * policy's name, read from and written to the map's data before load
 * (libbpf >= 1.4 keeps a struct_ops map's data until load:
 * bpf_map__initial_value()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "object.h"

/* include/linux/license.h: license_is_gpl_compatible() */
static bool gpl_compatible(const char *license)
{
	static const char *const ok[] = {
		"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
		"Dual MIT/GPL", "Dual MPL/GPL",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (!strcmp(license, ok[i]))
			return true;
	}
	return false;
}

/*
 * The object's "license" section into @buf: 0, 1 if it has none, -ENOEXEC
 * if the file is no ELF object, or another -errno. libbpf reads the
 * section but has no getter for it.
 */
static int read_license(const char *path, char *buf, size_t size)
{
	int fd, err = 1;
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	Elf *elf;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF ||
	    elf_getshdrstrndx(elf, &shstrndx)) {
		err = -ENOEXEC;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		Elf_Data *data;
		GElf_Shdr sh;
		size_t len;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, "license"))
			continue;
		data = elf_getdata(scn, NULL);
		len = 0;
		if (data && data->d_buf) {
			len = strnlen(data->d_buf, data->d_size < size ?
					data->d_size : size - 1);
			memcpy(buf, data->d_buf, len);
		}
		buf[len] = '\0';
		err = 0;
		break;
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}

/* Byte offset of member @name of struct @t, or -1. */
static long member_offset(const struct btf *btf, const struct btf_type *t,
			  const char *name)
{
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name))
			return btf_member_bit_offset(t, i) / 8;
	}
	return -1;
}

/* Is @map a struct_ops map of struct gmem_policy_ops? */
static bool is_policy_map(const struct btf *btf, const struct bpf_map *map)
{
	const struct btf_type *t;

	if (!btf || bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
		return false;
	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t && btf_is_struct(t) &&
	       !strcmp(btf__name_by_offset(btf, t->name_off), "gmem_policy_ops");
}

int policy_obj_open(const char *path, struct policy_obj *po)
{
	const struct btf *btf;
	struct bpf_map *map;
	char license[128];
	size_t size;
	long off;
	int count = 0, err;

	memset(po, 0, sizeof(*po));
	err = read_license(path, license, sizeof(license));
	if (err == -ENOEXEC)
		return fail(ENOEXEC, NULL, "%s is not a BPF object", path);
	if (err == 1) {
		fprintf(stderr, "gmemctl: %s has no license section: GMEM policies must be GPL-compatible (char LICENSE[] SEC(\"license\") = \"GPL\";)\n",
			path);
		return 1;
	}
	if (err)
		return fail(-err, NULL, "opening %s", path);
	if (!gpl_compatible(license)) {
		fprintf(stderr, "gmemctl: %s is licensed \"%s\", which is not GPL-compatible: GMEM policies use GPL-only kernel functions, refusing to load it\n",
			path, license);
		return 1;
	}

	po->obj = bpf_object__open_file(path, NULL);
	if (!po->obj)
		return fail(errno, NULL, "opening %s with libbpf", path);
	btf = bpf_object__btf(po->obj);
	bpf_object__for_each_map(map, po->obj) {
		if (!is_policy_map(btf, map))
			continue;
		po->map = map;
		count++;
	}
	if (!po->map) {
		fprintf(stderr, "gmemctl: %s has no gmem_policy_ops map (a SEC(\".struct_ops\") variable of struct gmem_policy_ops)\n",
			path);
		return 1;
	}
	if (count > 1) {
		fprintf(stderr, "gmemctl: %s has %d gmem_policy_ops maps; a policy object has one\n",
			path, count);
		return 1;
	}
	po->data = bpf_map__initial_value(po->map, &size);
	off = member_offset(btf, btf__type_by_id(btf, bpf_map__btf_value_type_id(po->map)),
			    "name");
	if (!po->data || off < 0 || (size_t)off + GMEM_POLICY_NAME_MAX > size) {
		fprintf(stderr, "gmemctl: %s: cannot find the name of struct_ops map %s in its BTF\n",
			path, bpf_map__name(po->map));
		return 1;
	}
	po->name = po->data + off;
	po->name[GMEM_POLICY_NAME_MAX - 1] = '\0';
	return 0;
}

void policy_obj_set_name(struct policy_obj *po, const char *name)
{
	size_t len = strnlen(name, GMEM_POLICY_NAME_MAX - 1);

	memset(po->name, 0, GMEM_POLICY_NAME_MAX);
	memcpy(po->name, name, len);
}

void policy_obj_close(struct policy_obj *po)
{
	bpf_object__close(po->obj);
	memset(po, 0, sizeof(*po));
}
