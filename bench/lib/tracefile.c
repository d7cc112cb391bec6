// SPDX-License-Identifier: GPL-2.0
/*
 * Trace files for replay: virtual page numbers, as text (one per line,
 * decimal or 0x-hex; blank lines and '#' comments skipped) or raw
 * little-endian u64s, either gzip-compressed or not (zlib reads both).
 * Distinct pages are numbered densely in order of first use, which is how
 * they are laid out in the MAP_PEER_SHARED buffer the device replays on.
 */
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tracefile.h"

/* Open addressing, vpn -> dense index. */
struct pagemap {
	u64 *key;
	u64 *val;
	size_t cap, size;
};

static u64 hash64(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void pagemap_grow(struct pagemap *m);

static u64 pagemap_get(struct pagemap *m, u64 vpn)
{
	size_t i;

	if (2 * (m->size + 1) > m->cap)
		pagemap_grow(m);
	for (i = hash64(vpn) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->val[i] == 0) {
			m->key[i] = vpn;
			m->val[i] = ++m->size;
			return m->size - 1;
		}
		if (m->key[i] == vpn)
			return m->val[i] - 1;
	}
}

static void pagemap_grow(struct pagemap *m)
{
	struct pagemap n = { .cap = m->cap ? m->cap * 2 : 1 << 16 };
	size_t i;

	n.key = xcalloc(n.cap, sizeof(u64));
	n.val = xcalloc(n.cap, sizeof(u64));
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->val[i])
			continue;
		for (j = hash64(m->key[i]) & (n.cap - 1); n.val[j];
		     j = (j + 1) & (n.cap - 1))
			;
		n.key[j] = m->key[i];
		n.val[j] = m->val[i];
	}
	n.size = m->size;
	free(m->key);
	free(m->val);
	*m = n;
}

/* Text unless the first bytes hold a NUL or other binary. */
static enum trace_format sniff(const unsigned char *buf, int len)
{
	int i;

	for (i = 0; i < len; i++)
		if (!isprint(buf[i]) && !isspace(buf[i]))
			return TRACE_RAW;
	return TRACE_TEXT;
}

long trace_load(const char *path, enum trace_format fmt, struct refs *r,
		size_t max_refs)
{
	struct pagemap m = { 0 };
	unsigned char head[256];
	char line[256];
	gzFile f;
	int len;

	f = gzopen(path, "rb");
	if (!f)
		return -1;
	if (fmt == TRACE_AUTO) {
		len = gzread(f, head, sizeof(head));
		if (len < 0) {
			gzclose(f);
			errno = EIO;
			return -1;
		}
		fmt = len ? sniff(head, len) : TRACE_TEXT;
		gzrewind(f);
	}
	if (fmt == TRACE_RAW) {
		u64 v[512];

		while ((len = gzread(f, v, sizeof(v))) > 0) {
			int i;

			if (len % 8) {
				gzclose(f);
				errno = EINVAL;
				return -1;
			}
			for (i = 0; i < len / 8 && r->n < max_refs; i++)
				refs_push(r, pagemap_get(&m, le64toh(v[i])));
		}
	} else {
		while (r->n < max_refs && gzgets(f, line, sizeof(line))) {
			char *p = line, *end;
			u64 vpn;

			while (isspace((unsigned char)*p))
				p++;
			if (!*p || *p == '#')
				continue;
			errno = 0;
			vpn = strtoull(p, &end, 0);
			if (errno || end == p) {
				gzclose(f);
				errno = EINVAL;
				return -1;
			}
			refs_push(r, pagemap_get(&m, vpn));
		}
	}
	gzclose(f);
	free(m.key);
	free(m.val);
	return m.size;
}

/*
 * Lackey's lines: "I  addr,size" (instruction fetch), " L addr,size",
 * " S addr,size", " M addr,size" (data load, store, modify). Writes the page
 * number of each access, dropping repeats of the page just written: a
 * repeated reference is a hit under every policy and changes no fault
 * count, OPT's included.
 */
int lackey_convert(FILE *in, FILE *out, bool with_instr)
{
	char line[256];
	u64 last = UINT64_MAX, n = 0;

	while (fgets(line, sizeof(line), in)) {
		char *comma;
		u64 addr, vpn;

		if (line[0] == 'I' ? !with_instr :
		    !(line[0] == ' ' && strchr("LSM", line[1]) && line[1]))
			continue;
		comma = strchr(line, ',');
		if (!comma)
			continue;
		addr = strtoull(line + 2, NULL, 16);
		vpn = addr >> PAGE_SHIFT_4K;
		if (vpn == last)
			continue;
		last = vpn;
		fprintf(out, "%llu\n", (unsigned long long)vpn);
		n++;
	}
	return n > 0 ? 0 : -1;
}

size_t trace_capacity(long distinct, double frac)
{
	size_t cap = (size_t)(distinct * frac + 0.5);

	if (cap < TRACE_MIN_PAGES)
		cap = TRACE_MIN_PAGES;
	return (long)cap < distinct ? cap : 0;
}
