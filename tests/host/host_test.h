/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host unit tests (make test-host): a test is a function returning 0 when
 * it passes; EXPECT() ends it with a diagnostic line on the first failed
 * condition. main.c runs every table and prints TAP.
 */
#ifndef HOST_TEST_H
#define HOST_TEST_H

#include <stdio.h>

struct host_test {
	const char *name;
	int (*fn)(void);
};

#define EXPECT(cond, ...) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: %s: ", __FILE__, __LINE__, #cond);	\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		return 1;						\
	}								\
} while (0)

/* Each file's tests, ended by { NULL }. */
extern const struct host_test util_tests[];
extern const struct host_test opt_tests[];
extern const struct host_test workload_tests[];
extern const struct host_test tracefile_tests[];
extern const struct host_test args_tests[];
extern const struct host_test stride_tests[];
extern const struct host_test evictor_tests[];
extern const struct host_test tree_tests[];
extern const struct host_test prefetch_tests[];

/* A file under $TMPDIR (or /tmp) holding @len bytes of @data; its path. */
const char *tmp_file(const char *name, const void *data, size_t len);

#endif /* HOST_TEST_H */
