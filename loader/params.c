// SPDX-License-Identifier: GPL-2.0
/*
 * gmemctl params, and load --set: a policy's tunables, found through the
 * object's BTF (params.h). libbpf keeps a data section's initial
 * value until load (bpf_map__initial_value(), bpf_map__set_initial_value())
 * and freezes .rodata then, so the verifier sees the values as constants.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "gmemctl.h"
#include "object.h"
#include "params.h"

/* Is @map the object's .rodata (libbpf names it OBJNAME.rodata)? */
static bool is_rodata(const struct bpf_map *map)
{
	const char *dot = strchr(bpf_map__name(map), '.');

	return bpf_map__is_internal(map) && dot && !strcmp(dot, ".rodata");
}

/* The name of an array's element type @id, without const and volatile. */
static const char *elem_name(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name;

	while (t && btf_is_mod(t))
		t = btf__type_by_id(btf, t->type);
	name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	return name && *name ? name : "?";
}

/*
 * @knob's type from the variable's type @id: its declared name (the
 * typedef's, without const and volatile) and, for an integer or an enum
 * of 1, 2, 4 or 8 bytes, its kind.
 */
static void knob_type(const struct btf *btf, __u32 id, struct knob *knob)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name;
	__u8 enc;

	while (t && btf_is_mod(t))
		t = btf__type_by_id(btf, t->type);
	name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	if (!t) {
		snprintf(knob->type, sizeof(knob->type), "?");
		return;
	}
	if (btf_is_any_enum(t))
		snprintf(knob->type, sizeof(knob->type), "enum %s",
			 name && *name ? name : "(anonymous)");
	else if (btf_is_array(t))
		snprintf(knob->type, sizeof(knob->type), "%s[%u]",
			 elem_name(btf, btf_array(t)->type), btf_array(t)->nelems);
	else
		snprintf(knob->type, sizeof(knob->type), "%s",
			 name && *name ? name : "(anonymous)");

	if (btf_is_int(t)) {
		enc = btf_int_encoding(t);
		if (btf_int_offset(t) || btf_int_bits(t) != t->size * 8)
			return;
		knob->kind.is_signed = enc & BTF_INT_SIGNED;
		knob->kind.is_bool = enc & BTF_INT_BOOL;
	} else if (btf_is_any_enum(t)) {
		knob->kind.is_signed = btf_kflag(t);
	} else {
		return;
	}
	if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
		return;
	knob->kind.bytes = t->size;
	knob->integer = true;
}

int knobs_find(struct bpf_object *obj, struct knobs *k)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vsi;
	const struct btf_type *sec;
	struct bpf_map *map;
	size_t size = 0;
	__s32 sec_id;
	int i;

	memset(k, 0, sizeof(*k));
	bpf_object__for_each_map(map, obj) {
		if (is_rodata(map))
			k->rodata = map;
	}
	if (!k->rodata || !btf)
		return 0;
	bpf_map__initial_value(k->rodata, &size);
	sec_id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (sec_id < 0)
		return 0;
	sec = btf__type_by_id(btf, sec_id);
	k->knob = calloc(btf_vlen(sec) ? btf_vlen(sec) : 1, sizeof(*k->knob));
	if (!k->knob)
		return -ENOMEM;
	vsi = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);
		struct knob *knob = &k->knob[k->n];

		/* Static variables are the object's own, not knobs. */
		if (!var || !btf_is_var(var) ||
		    btf_var(var)->linkage == BTF_VAR_STATIC ||
		    (size_t)vsi->offset + vsi->size > size)
			continue;
		knob->name = btf__name_by_offset(btf, var->name_off);
		knob->offset = vsi->offset;
		knob->size = vsi->size;
		knob_type(btf, var->type, knob);
		if (knob->integer && knob->kind.bytes != knob->size)
			knob->integer = false;
		k->n++;
	}
	return 0;
}

void knobs_free(struct knobs *k)
{
	free(k->knob);
	memset(k, 0, sizeof(*k));
}

static const struct knob *knob_by_name(const struct knobs *k, const char *name)
{
	int i;

	for (i = 0; i < k->n; i++) {
		if (!strcmp(k->knob[i].name, name))
			return &k->knob[i];
	}
	return NULL;
}

/* "a (__u32), b (bool)", or "none". */
static void print_knob_names(FILE *out, const struct knobs *k)
{
	int i, printed = 0;

	for (i = 0; i < k->n; i++) {
		if (!k->knob[i].integer)
			continue;
		fprintf(out, "%s%s (%s)", printed++ ? ", " : "", k->knob[i].name,
			k->knob[i].type);
	}
	if (!printed)
		fputs("none", out);
}

static const char *format_value(char *buf, size_t len,
				const struct int_kind *kind, uint64_t v)
{
	if (kind->is_bool)
		snprintf(buf, len, "%s", v ? "true" : "false");
	else if (kind->is_signed)
		snprintf(buf, len, "%" PRId64, (int64_t)v);
	else
		snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

int knobs_apply(struct bpf_object *obj, const char *path,
		const char *const *sets, int n)
{
	char name[KNOB_NAME_MAX], text[32];
	const struct knob *knob;
	const char *value;
	struct knobs k;
	const void *init;
	size_t size = 0;
	uint64_t max, v;
	int64_t min;
	int i, err, ret = 2;
	char *buf;

	if (!n)
		return 0;
	err = knobs_find(obj, &k);
	if (err)
		return fail(-err, NULL, "reading the tunables of %s", path);
	init = k.rodata ? bpf_map__initial_value(k.rodata, &size) : NULL;
	if (!init || !k.n) {
		fprintf(stderr, "gmemctl load: %s has no tunables (const volatile variables, in .rodata): nothing for --set %s\n",
			path, sets[0]);
		knobs_free(&k);
		return 2;
	}
	buf = malloc(size);
	if (!buf) {
		knobs_free(&k);
		return fail(ENOMEM, NULL, "loading %s", path);
	}
	memcpy(buf, init, size);
	for (i = 0; i < n; i++) {
		split_assignment(sets[i], name, &value);
		knob = knob_by_name(&k, name);
		if (!knob) {
			fprintf(stderr, "gmemctl load: %s has no knob '%s'; its knobs: ",
				path, name);
			print_knob_names(stderr, &k);
			fputs(" (gmemctl params OBJ)\n", stderr);
			goto out;
		}
		if (!knob->integer) {
			fprintf(stderr, "gmemctl load: knob %s of %s is of type %s, not an integer: --set takes integer knobs only\n",
				name, path, knob->type);
			goto out;
		}
		err = parse_int_value(value, &knob->kind, &v);
		if (err == -EINVAL) {
			fprintf(stderr, "gmemctl load: --set %s: '%s' is not %s\n",
				name, value, knob->kind.is_bool ?
				"a bool (0, 1, true or false)" :
				"a number (decimal, or hexadecimal after 0x)");
			goto out;
		}
		if (err) {
			int_kind_range(&knob->kind, &min, &max);
			fprintf(stderr, "gmemctl load: --set %s=%s: out of range for %s (%s), which holds %" PRId64 "..%" PRIu64 "\n",
				name, value, name, knob->type, min, max);
			goto out;
		}
		store_int(buf + knob->offset, &knob->kind, v);
		if (verbose)
			fprintf(stderr, "gmemctl load: %s = %s\n", name,
				format_value(text, sizeof(text), &knob->kind, v));
	}
	err = bpf_map__set_initial_value(k.rodata, buf, size);
	ret = err ? fail(-err, NULL, "setting the tunables of %s", path) : 0;
out:
	free(buf);
	knobs_free(&k);
	return ret;
}

int cmd_params(int argc, char **argv)
{
	struct params_args a;
	struct policy_obj po;
	char text[32];
	const void *init;
	struct knobs k;
	size_t size = 0;
	int ret, i;

	ret = params_parse_args(argc, argv, &a);
	if (ret >= 0)
		return ret;
	if (policy_obj_open(a.path, &po)) {
		policy_obj_close(&po);
		return 1;
	}
	ret = knobs_find(po.obj, &k);
	if (ret) {
		policy_obj_close(&po);
		return fail(-ret, NULL, "reading the tunables of %s", a.path);
	}
	init = k.rodata ? bpf_map__initial_value(k.rodata, &size) : NULL;
	if (!init || !k.n) {
		printf("policy %s (%s) has no tunables\n", po.name, a.path);
	} else {
		printf("%-20s %-16s %-20s %s\n", "KNOB", "TYPE", "DEFAULT",
		       "VALUES");
		for (i = 0; i < k.n; i++) {
			const struct knob *knob = &k.knob[i];
			uint64_t max;
			int64_t min;

			printf("%-20s %-16s ", knob->name, knob->type);
			if (!knob->integer) {
				printf("%-20s %s\n", "-", "(not an integer: not settable)");
				continue;
			}
			int_kind_range(&knob->kind, &min, &max);
			printf("%-20s ", format_value(text, sizeof(text), &knob->kind,
				load_int((const char *)init + knob->offset,
					 &knob->kind)));
			if (knob->kind.is_bool)
				printf("true, false\n");
			else
				printf("%" PRId64 "..%" PRIu64 "\n", min, max);
		}
	}
	knobs_free(&k);
	policy_obj_close(&po);
	return 0;
}
