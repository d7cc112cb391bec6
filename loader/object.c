// SPDX-License-Identifier: GPL-2.0
/*
 * gmemctl load's view of a policy object file: the checks libbpf does not
 * make (a GPL-compatible license, one gmem_policy_ops map, at least one
 * hook) and the policy's name, which libbpf 1.1 does not show before load
 * (bpf_map__initial_value() is NULL for struct_ops maps): it is read from
 * the file's .struct_ops section, where the object's BTF places it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

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

/* Where the object file keeps its license string and .struct_ops data. */
struct obj_sections {
	char license[128];
	bool has_license;
	size_t st_off, st_size;	/* .struct_ops in the file, if st_size */
};

static int read_sections(char *buf, size_t size, struct obj_sections *s)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	Elf *elf;

	memset(s, 0, sizeof(*s));
	elf_version(EV_CURRENT);
	elf = elf_memory(buf, size);
	if (!elf || elf_kind(elf) != ELF_K_ELF ||
	    elf_getshdrstrndx(elf, &shstrndx)) {
		if (elf)
			elf_end(elf);
		return -ENOEXEC;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || sh.sh_type == SHT_NOBITS ||
		    sh.sh_offset > size || sh.sh_size > size - sh.sh_offset)
			continue;
		if (!strcmp(name, "license")) {
			size_t len = sh.sh_size < sizeof(s->license) - 1 ?
				     sh.sh_size : sizeof(s->license) - 1;

			memcpy(s->license, buf + sh.sh_offset, len);
			s->license[len] = '\0';
			s->has_license = true;
		} else if (!strcmp(name, ".struct_ops")) {
			s->st_off = sh.sh_offset;
			s->st_size = sh.sh_size;
		}
	}
	elf_end(elf);
	return 0;
}

/* Skip modifiers and typedefs. */
static const struct btf_type *resolve(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
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

/*
 * @map's variable in the object's .struct_ops section (BTF DATASEC): its
 * offset in the section and its struct type, if it is a gmem_policy_ops.
 * libbpf 1.1 has no BTF value type id for struct_ops maps before load.
 */
static const struct btf_type *policy_var(const struct btf *btf,
					 const struct bpf_map *map,
					 __u32 *offset)
{
	const struct btf_var_secinfo *vsi;
	const struct btf_type *sec, *t;
	__s32 sec_id;
	int i;

	if (!btf || bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
		return NULL;
	sec_id = btf__find_by_name_kind(btf, ".struct_ops", BTF_KIND_DATASEC);
	if (sec_id < 0)
		return NULL;
	sec = btf__type_by_id(btf, sec_id);
	vsi = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);

		if (!var || !btf_is_var(var) ||
		    strcmp(btf__name_by_offset(btf, var->name_off),
			   bpf_map__name(map)))
			continue;
		t = resolve(btf, var->type);
		if (!t || !btf_is_struct(t) ||
		    strcmp(btf__name_by_offset(btf, t->name_off),
			   "gmem_policy_ops"))
			return NULL;
		*offset = vsi->offset;
		return t;
	}
	return NULL;
}

/*
 * The object's one gmem_policy_ops struct_ops map, *@count of them, and
 * in *@name_off where its `name` is in the .struct_ops section.
 */
static struct bpf_map *policy_map_of(struct bpf_object *obj, int *count,
				     long *name_off)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map, *found = NULL;

	*count = 0;
	*name_off = -1;
	bpf_object__for_each_map(map, obj) {
		const struct btf_type *t;
		__u32 offset;
		long off;

		t = policy_var(btf, map, &offset);
		if (!t)
			continue;
		found = map;
		(*count)++;
		off = member_offset(btf, t, "name");
		*name_off = off < 0 ? -1 : (long)offset + off;
	}
	return found;
}

/* The whole file into po->buf: its sections are checked. */
static int read_file(const char *path, struct policy_obj *po)
{
	ssize_t size;
	FILE *f;
	int err;

	f = fopen(path, "rb");
	if (!f)
		return fail(errno, NULL, "opening %s", path);
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return fail(errno, NULL, "reading %s", path);
	}
	po->buf = malloc(size ? size : 1);
	if (!po->buf || fread(po->buf, 1, size, f) != (size_t)size) {
		err = po->buf ? (ferror(f) ? errno : EIO) : ENOMEM;
		fclose(f);
		return fail(err, NULL, "reading %s", path);
	}
	fclose(f);
	po->size = size;
	return 0;
}

int policy_obj_open(const char *path, struct policy_obj *po)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	struct obj_sections sec;
	char obj_name[64];
	const char *base;
	long name_off;
	int count;

	memset(po, 0, sizeof(*po));
	if (read_file(path, po))
		return 1;
	if (read_sections(po->buf, po->size, &sec))
		return fail(ENOEXEC, NULL, "%s is not a BPF object", path);
	if (!sec.has_license) {
		fprintf(stderr, "gmemctl: %s has no license section: GMEM policies must be GPL-compatible (char LICENSE[] SEC(\"license\") = \"GPL\";)\n",
			path);
		return 1;
	}
	if (!gpl_compatible(sec.license)) {
		fprintf(stderr, "gmemctl: %s is licensed \"%s\", which is not GPL-compatible: GMEM policies use GPL-only kernel functions, refusing to load it\n",
			path, sec.license);
		return 1;
	}

	/* libbpf names the object after the file, as bpf_object__open_file(). */
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(obj_name, sizeof(obj_name), "%.*s",
		 (int)strcspn(base, "."), base);
	open_opts.object_name = obj_name;
	po->obj = bpf_object__open_mem(po->buf, po->size, &open_opts);
	if (!po->obj)
		return fail(errno, NULL, "opening %s with libbpf", path);
	po->map = policy_map_of(po->obj, &count, &name_off);
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
	if (name_off < 0 || !sec.st_size ||
	    (size_t)name_off + GMEM_POLICY_NAME_MAX > sec.st_size) {
		fprintf(stderr, "gmemctl: %s: cannot find the name of struct_ops map %s in its BTF\n",
			path, bpf_map__name(po->map));
		return 1;
	}
	memcpy(po->name, po->buf + sec.st_off + name_off, GMEM_POLICY_NAME_MAX);
	po->name[GMEM_POLICY_NAME_MAX - 1] = '\0';
	/*
	 * A gmem_policy_ops that sets only .name has no program: libbpf 1.1
	 * then never loads the kernel's BTF, which its struct_ops maps need,
	 * and crashes in bpf_object__load().
	 */
	if (!bpf_object__next_program(po->obj, NULL)) {
		fprintf(stderr, "gmemctl: %s: policy '%s' sets no hook, only its name: a policy needs at least one of gmem_policy_ops' hooks (a SEC(\"struct_ops/...\") program)\n",
			path, po->name);
		return 1;
	}
	return 0;
}

void policy_obj_close(struct policy_obj *po)
{
	bpf_object__close(po->obj);
	free(po->buf);
	memset(po, 0, sizeof(*po));
}
