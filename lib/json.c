// SPDX-License-Identifier: GPL-2.0
/* A small JSON writer: see json.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "json.h"

void json_init(struct json_writer *w, FILE *out)
{
	w->out = out;
	w->depth = 0;
	w->first[0] = true;
	w->after_key = false;
}

/* The separator before a value or key, if one is due. */
static void separate(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		fputs(", ", w->out);
	w->first[w->depth] = false;
}

static void begin(struct json_writer *w, char c)
{
	separate(w);
	fputc(c, w->out);
	if (w->depth < JSON_MAX_DEPTH - 1)
		w->depth++;
	w->first[w->depth] = true;
}

static void end(struct json_writer *w, char c)
{
	fputc(c, w->out);
	if (w->depth > 0)
		w->depth--;
}

void json_object_begin(struct json_writer *w)
{
	begin(w, '{');
}

void json_object_end(struct json_writer *w)
{
	end(w, '}');
}

void json_array_begin(struct json_writer *w)
{
	begin(w, '[');
}

void json_array_end(struct json_writer *w)
{
	end(w, ']');
}

static void quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void json_key(struct json_writer *w, const char *key)
{
	separate(w);
	quoted(w->out, key);
	fputs(": ", w->out);
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	separate(w);
	quoted(w->out, s);
}

void json_int(struct json_writer *w, long long v)
{
	separate(w);
	fprintf(w->out, "%lld", v);
}

void json_uint(struct json_writer *w, unsigned long long v)
{
	separate(w);
	fprintf(w->out, "%llu", v);
}

void json_double(struct json_writer *w, double v)
{
	separate(w);
	if (isfinite(v))
		fprintf(w->out, "%.6g", v);
	else
		fputs("null", w->out);
}

void json_bool(struct json_writer *w, bool v)
{
	separate(w);
	fputs(v ? "true" : "false", w->out);
}

void json_null(struct json_writer *w)
{
	separate(w);
	fputs("null", w->out);
}

/* JSON's integers: no leading zeros, no "-0", no '+'. */
void json_value(struct json_writer *w, const char *s)
{
	char *end;

	errno = 0;
	strtoll(s, &end, 10);
	if (*s && !*end && !errno &&
	    (isdigit((unsigned char)s[0]) || s[0] == '-') &&
	    !(s[0] == '0' && s[1]) && !(s[0] == '-' && (!s[1] || s[1] == '0'))) {
		separate(w);
		fputs(s, w->out);
	} else {
		json_string(w, s);
	}
}
