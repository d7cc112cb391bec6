// SPDX-License-Identifier: GPL-2.0
/*
 * make test-host: bench/lib's computations and gmemctl's command lines
 * (loader/args.c) on the host, without the guest, the device or libbpf. TAP on stdout ("ok N - file: test"); exits 1 if a
 * test failed.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host_test.h"

static const struct {
	const char *file;
	const struct host_test *tests;
} tables[] = {
	{ "util", util_tests },
	{ "opt", opt_tests },
	{ "workloads", workload_tests },
	{ "tracefile", tracefile_tests },
	{ "args", args_tests },
	{ "stride", stride_tests },
	{ "evictors", evictor_tests },
	{ "tree", tree_tests },
	{ "prefetch", prefetch_tests },
};

#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static char tmpdir[256];

const char *tmp_file(const char *name, const void *data, size_t len)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(2);
	}
	return path;
}

static void cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	int n = 0, failed = 0;
	size_t i, k;

	snprintf(tmpdir, sizeof(tmpdir), "%s/gmem-host-test.XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror(tmpdir);
		return 2;
	}
	atexit(cleanup);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < NTABLES; i++)
		for (k = 0; tables[i].tests[k].name; k++)
			n++;
	printf("1..%d\n", n);
	n = 0;
	for (i = 0; i < NTABLES; i++) {
		for (k = 0; tables[i].tests[k].name; k++) {
			int bad = tables[i].tests[k].fn();

			failed += !!bad;
			printf("%sok %d - %s: %s\n", bad ? "not " : "", ++n,
			       tables[i].file, tables[i].tests[k].name);
		}
	}
	return failed ? 1 : 0;
}
