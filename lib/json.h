/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON writer, after bpftool's json_writer: the writer places the
 * separators (", " between members, ": " after a key), callers say what
 * comes next. Output is one line; the caller ends it.
 */
#ifndef GMEM_JSON_H
#define GMEM_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	8

struct json_writer {
	FILE *out;
	int depth;
	bool first[JSON_MAX_DEPTH];	/* nothing written at this depth yet */
	bool after_key;			/* a value completes a member */
};

void json_init(struct json_writer *w, FILE *out);
void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);
void json_string(struct json_writer *w, const char *s);
void json_int(struct json_writer *w, long long v);
void json_uint(struct json_writer *w, unsigned long long v);
/* %.6g; null for infinities and NaN, which JSON has not. */
void json_double(struct json_writer *w, double v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);
/* A sysfs value: a number if @s is a decimal integer, else a string. */
void json_value(struct json_writer *w, const char *s);

#endif /* GMEM_JSON_H */
