/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading and writing GMEM's sysfs and procfs files, for the tests and the
 * benchmark.
 */
#ifndef GMEM_SYSFS_H
#define GMEM_SYSFS_H

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Read @path into @buf (NUL-terminated, at most @len - 1 bytes); 0 or -errno. */
static inline int sysfs_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	buf[n] = 0;
	return 0;
}

/* A number read from a sysfs or debugfs file, or -1. */
static inline long sysfs_long(const char *path)
{
	char buf[128];

	if (sysfs_read(path, buf, sizeof(buf)) || !buf[0])
		return -1;
	return strtol(buf, NULL, 10);
}

/* Write @value to @path in one write(); 0, or -errno (-EIO if short). */
static inline int sysfs_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	return n == (ssize_t)strlen(value) ? 0 : -EIO;
}

#endif /* GMEM_SYSFS_H */
