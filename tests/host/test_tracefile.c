// SPDX-License-Identifier: GPL-2.0
/*
 * bench/lib/tracefile.c: text, raw, gzip-compressed traces (each forced
 * and sniffed), the dense page numbering, --max-refs, malformed files, and
 * the lackey converter.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "host_test.h"
#include "tracefile.h"

/* vpns 4096, 16, 4096, 7, 16, 4096: pages 0, 1, 0, 2, 1, 0. */
static const char text[] =
	"# a comment\n  4096\n0x10\n\n4096\n   # indented comment\n7\n16\n"
	"0X1000\n";
static const u64 vpns[] = { 4096, 16, 4096, 7, 16, 4096 };
static const u64 dense[] = { 0, 1, 0, 2, 1, 0 };
#define NREFS	6

static bool loads_as(const char *path, enum trace_format fmt, size_t max,
		     const u64 *want, size_t nwant, long distinct)
{
	struct refs r = { 0 };
	long d = trace_load(path, fmt, &r, max);
	bool ok = d == distinct && r.n == nwant &&
		  !memcmp(r.ref, want, nwant * sizeof(u64));

	if (!ok)
		printf("# %s: %ld distinct, %zu references\n", path, d, r.n);
	refs_free(&r);
	return ok;
}

static const char *raw_file(const char *name)
{
	u64 le[NREFS];
	int i;

	for (i = 0; i < NREFS; i++)
		le[i] = htole64(vpns[i]);
	return tmp_file(name, le, sizeof(le));
}

/* @data gzip-compressed into @name. */
static const char *gz_file(const char *name, const void *data, size_t len)
{
	const char *path = tmp_file(name, "", 0);
	gzFile f = gzopen(path, "wb");

	if (!f || gzwrite(f, data, len) != (int)len || gzclose(f) != Z_OK) {
		perror(path);
		exit(2);
	}
	return path;
}

static int text_comments_hex_dense_pages(void)
{
	const char *path = tmp_file("t.txt", text, strlen(text));

	EXPECT(loads_as(path, TRACE_TEXT, SIZE_MAX, dense, NREFS, 3), "text");
	EXPECT(loads_as(path, TRACE_AUTO, SIZE_MAX, dense, NREFS, 3),
	       "text, sniffed");
	return 0;
}

static int raw_little_endian(void)
{
	const char *path = raw_file("t.raw");

	EXPECT(loads_as(path, TRACE_RAW, SIZE_MAX, dense, NREFS, 3), "raw");
	EXPECT(loads_as(path, TRACE_AUTO, SIZE_MAX, dense, NREFS, 3),
	       "raw, sniffed");
	return 0;
}

static int gzip_text_and_raw(void)
{
	u64 le[NREFS];
	const char *path;
	int i;

	for (i = 0; i < NREFS; i++)
		le[i] = htole64(vpns[i]);
	path = gz_file("t.txt.gz", text, strlen(text));
	EXPECT(loads_as(path, TRACE_TEXT, SIZE_MAX, dense, NREFS, 3), "gz text");
	EXPECT(loads_as(path, TRACE_AUTO, SIZE_MAX, dense, NREFS, 3),
	       "gz text, sniffed");
	path = gz_file("t.raw.gz", le, sizeof(le));
	EXPECT(loads_as(path, TRACE_RAW, SIZE_MAX, dense, NREFS, 3), "gz raw");
	EXPECT(loads_as(path, TRACE_AUTO, SIZE_MAX, dense, NREFS, 3),
	       "gz raw, sniffed");
	return 0;
}

static int max_refs_stops_reading(void)
{
	EXPECT(loads_as(tmp_file("m.txt", text, strlen(text)), TRACE_TEXT, 3,
			dense, 3, 2), "text, 3 references");
	EXPECT(loads_as(raw_file("m.raw"), TRACE_RAW, 2, dense, 2, 2),
	       "raw, 2 references");
	return 0;
}

/* Many scattered pages: numbered in order of first use, repeats kept. */
static int many_pages_numbered_densely(void)
{
	enum { PAGES = 50000, REFS = 3 * PAGES };
	u64 *le = malloc(REFS * sizeof(u64)), *want = malloc(REFS * sizeof(u64));
	u64 rng = 5;
	bool ok;
	size_t i;

	for (i = 0; i < REFS; i++) {
		/* Pages 0..PAGES-1 first, then again in a random order. */
		size_t p = i < PAGES ? i : rng_next(&rng) % PAGES;

		want[i] = p;
		le[i] = htole64((rng_next(&(u64){ p + 1 }) >> 12) | 1);
	}
	ok = loads_as(tmp_file("many.raw", le, REFS * sizeof(u64)), TRACE_RAW,
		      SIZE_MAX, want, REFS, PAGES);
	free(le);
	free(want);
	EXPECT(ok, "%d pages, %d references", PAGES, REFS);
	return 0;
}

static int malformed_files_refused(void)
{
	struct refs r = { 0 };

	errno = 0;
	EXPECT(trace_load("/nonexistent/trace", TRACE_AUTO, &r, SIZE_MAX) == -1 &&
	       errno == ENOENT, "missing file: errno %d", errno);
	errno = 0;
	EXPECT(trace_load(tmp_file("bad.txt", "12\nxyz\n", 7), TRACE_TEXT, &r,
			  SIZE_MAX) == -1 && errno == EINVAL,
	       "a line that is no number: errno %d", errno);
	refs_free(&r);
	errno = 0;
	EXPECT(trace_load(tmp_file("bad.raw", "\1\0\0\0\0\0\0\0\2\0", 10),
			  TRACE_RAW, &r, SIZE_MAX) == -1 && errno == EINVAL,
	       "raw, 10 bytes: errno %d", errno);
	refs_free(&r);
	EXPECT(trace_load(tmp_file("empty", "", 0), TRACE_AUTO, &r,
			  SIZE_MAX) == 0 && r.n == 0, "empty file: %zu", r.n);
	refs_free(&r);
	return 0;
}

/* Converts @in (a string) with lackey_convert(); the output in @buf. */
static int convert(const char *in, bool instr, char *buf, size_t len)
{
	FILE *f = fmemopen((void *)in, strlen(in), "r");
	FILE *o = fmemopen(buf, len, "w");
	int ret = lackey_convert(f, o, instr);

	fclose(f);
	fclose(o);
	return ret;
}

static int lackey_data_pages_without_repeats(void)
{
	static const char lk[] =
		"==123== Lackey, an example Valgrind tool\n"
		"I  04016c8e,3\n"
		" S 7ff000398,8\n"
		" L 7ff000f00,8\n"
		"I  04016c91,4\n"
		" M 04222cac,4\n"
		" L 04222000,8\n"
		" X 05000000,8\n"
		" L 04223000,8\n";
	char buf[256];

	EXPECT(!convert(lk, false, buf, sizeof(buf)) &&
	       !strcmp(buf, "8384512\n16930\n16931\n"),
	       "data accesses: '%s'", buf);
	EXPECT(!convert(lk, true, buf, sizeof(buf)) &&
	       !strcmp(buf, "16406\n8384512\n16406\n16930\n16931\n"),
	       "with instructions: '%s'", buf);
	EXPECT(convert("==1== nothing\n", false, buf, sizeof(buf)) == -1,
	       "no access: not refused");
	return 0;
}

const struct host_test tracefile_tests[] = {
	{ "text: comments, blanks, hex, pages numbered densely (forced, sniffed)",
	  text_comments_hex_dense_pages },
	{ "raw little-endian u64 (forced, sniffed)", raw_little_endian },
	{ "gzip-compressed text and raw (forced, sniffed)", gzip_text_and_raw },
	{ "max_refs stops reading", max_refs_stops_reading },
	{ "50000 scattered pages numbered in order of first use",
	  many_pages_numbered_densely },
	{ "missing, malformed and empty files", malformed_files_refused },
	{ "lackey: data pages, repeats dropped, instructions on request",
	  lackey_data_pages_without_repeats },
	{ NULL }
};
