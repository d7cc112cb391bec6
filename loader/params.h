/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A policy's tunables ("knobs"): its global const volatile integers, which
 * the compiler places in .rodata and libbpf in the object's .rodata map.
 * The object's BTF (the DATASEC .rodata) gives each its name, offset, size
 * and type; gmemctl load --set writes them into the map's initial value
 * before load, when the map is still writable (params.c).
 */
#ifndef GMEMCTL_PARAMS_H
#define GMEMCTL_PARAMS_H

#include <linux/types.h>

#include "args.h"

struct bpf_map;
struct bpf_object;

struct knob {
	const char *name;	/* in the object's BTF */
	char type[64];		/* as declared: "__u32", "enum mode", ... */
	__u32 offset, size;	/* in .rodata */
	bool integer;		/* else @kind is unset: not settable */
	struct int_kind kind;
};

struct knobs {
	struct bpf_map *rodata;	/* NULL: the object has no .rodata */
	int n;
	struct knob *knob;	/* malloc'd */
};

/* The knobs of the opened @obj: 0, or -errno. */
int knobs_find(struct bpf_object *obj, struct knobs *k);
void knobs_free(struct knobs *k);

/*
 * Apply load's --set KNOB=VALUE assignments (@n of @sets, checked by
 * load_parse_args()) to the opened, not loaded @obj: 0, or the exit status
 * (2 for an unknown knob, a non-integer one or a value that does not fit)
 * once a message said why. @path names the object in messages.
 */
int knobs_apply(struct bpf_object *obj, const char *path, const char *const *sets,
		int n);

#endif /* GMEMCTL_PARAMS_H */
