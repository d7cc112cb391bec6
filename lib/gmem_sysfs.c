// SPDX-License-Identifier: GPL-2.0
/* GMEM's sysfs and procfs files: see gmem_sysfs.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gmem_sysfs.h"

int sysfs_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return 0;
}

int sysfs_read_text(const char *path, char *buf, size_t len)
{
	int err = sysfs_read(path, buf, len);
	size_t n;

	if (err)
		return err;
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

long sysfs_long(const char *path)
{
	char buf[128];

	if (sysfs_read(path, buf, sizeof(buf)) || !buf[0])
		return -1;
	return strtol(buf, NULL, 10);
}

int sysfs_write_timed(const char *path, const char *value, double *ms)
{
	size_t len = strlen(value);
	struct timespec t0, t1;
	int fd, err = 0;
	ssize_t n;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = write(fd, value, len);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	if (ms)
		*ms = (t1.tv_sec - t0.tv_sec) * 1e3 +
		      (t1.tv_nsec - t0.tv_nsec) / 1e6;
	return err;
}

int sysfs_write(const char *path, const char *value)
{
	return sysfs_write_timed(path, value, NULL);
}

bool gmem_policy_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || len >= GMEM_POLICY_NAME_MAX || !strcmp(name, "system"))
		return false;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '-')
			return false;
	}
	return true;
}

int gmem_registry_read(struct gmem_registry *r)
{
	int max = sizeof(r->names) / sizeof(r->names[0]);
	char *save = NULL, *tok;
	int err;

	r->n = 0;
	r->cur = -1;
	err = sysfs_read_text(GMEM_POLICY_FILE, r->text, sizeof(r->text));
	if (err)
		return err;
	for (tok = strtok_r(r->text, " \n", &save); tok && r->n < max;
	     tok = strtok_r(NULL, " \n", &save)) {
		size_t len = strlen(tok);

		if (tok[0] == '[' && len > 2 && tok[len - 1] == ']') {
			tok[len - 1] = '\0';
			tok++;
			r->cur = r->n;
		}
		r->names[r->n++] = tok;
	}
	return 0;
}

int gmem_registry_find(const struct gmem_registry *r, const char *name)
{
	int i;

	for (i = 0; i < r->n; i++) {
		if (!strcmp(r->names[i], name))
			return i;
	}
	return -1;
}

void gmem_policy_attr(const char *name, const char *file, char *buf,
		      size_t size)
{
	char path[256];

	snprintf(path, sizeof(path), GMEM_POLICIES_DIR "/%s/%s", name, file);
	if (sysfs_read_text(path, buf, size))
		snprintf(buf, size, "?");
}
