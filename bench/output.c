// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-bench's output: JSON lines (--out), the sanity checks (TAP with
 * --tap), progress on stderr.
 */
#include <math.h>
#include <stdarg.h>

#include "bench.h"
#include "json.h"

/* ------------------------------------------------------------------ */
/* JSON lines                                                          */

FILE *out;
u64 suite_start;
static struct json_writer json;

/* One record per line: {"exp": EXP, KEY: VALUE, ...}. */
void jbegin(const char *exp)
{
	json_init(&json, out);
	json_object_begin(&json);
	jstr("exp", exp);
}

void jstr(const char *k, const char *v)
{
	json_key(&json, k);
	json_string(&json, v);
}

void ju(const char *k, u64 v)
{
	json_key(&json, k);
	json_uint(&json, v);
}

void jd(const char *k, double v)
{
	json_key(&json, k);
	json_double(&json, v);
}

void jend(void)
{
	json_object_end(&json);
	fputc('\n', out);
	fflush(out);
}

/* ------------------------------------------------------------------ */
/* Sanity checks, printed as TAP with --tap                            */

#define MAX_CHECKS 64

static struct check {
	char name[160];
	bool ok;
} checks[MAX_CHECKS];
static int nchecks;

void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (nchecks == MAX_CHECKS)
		return;
	checks[nchecks].ok = ok;
	va_start(ap, fmt);
	vsnprintf(checks[nchecks].name, sizeof(checks[0].name), fmt, ap);
	va_end(ap);
	fprintf(stderr, "# check %s: %s\n", ok ? "ok" : "FAILED",
		checks[nchecks].name);
	if (out) {
		jbegin("check");
		ju("ok", ok);
		jstr("name", checks[nchecks].name);
		jend();
	}
	nchecks++;
}

/* ------------------------------------------------------------------ */
/* Progress                                                            */

static struct {
	const char *exp;
	unsigned long done, total;
	u64 start, last;
} prog;

void progress_begin(const char *exp, unsigned long total)
{
	prog.exp = exp;
	prog.done = 0;
	prog.total = total;
	prog.start = now_ns();
	prog.last = 0;
	fprintf(stderr, "# [%s] %lu runs\n", exp, total);
}

void progress_step(const char *what)
{
	u64 now = now_ns();
	double el = (now - prog.start) / 1e9;
	double left = prog.done ? el / prog.done * (prog.total - prog.done) : 0;

	prog.done++;
	/* A line every 10 s at most, and the last one. */
	if (prog.done != prog.total && now - prog.last < 10000000000ULL)
		return;
	prog.last = now;
	fprintf(stderr, "# [%s] %lu/%lu %s; %.0fs in this part, ~%.0fs left; %.0fs since start\n",
		prog.exp, prog.done, prog.total, what, el, left,
		(now - suite_start) / 1e9);
}


int checks_report(bool tap)
{
	int i, failed = 0;

	if (tap) {
		printf("1..%d\n", nchecks);
		for (i = 0; i < nchecks; i++)
			printf("%sok %d - %s\n", checks[i].ok ? "" : "not ",
			       i + 1, checks[i].name);
	}
	for (i = 0; i < nchecks; i++)
		failed += !checks[i].ok;
	fprintf(stderr, "# suite done in %.0f s, %d of %d checks failed\n",
		(now_ns() - suite_start) / 1e9, failed, nchecks);
	return failed;
}
