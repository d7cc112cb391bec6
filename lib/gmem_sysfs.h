/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GMEM's sysfs and procfs files from userspace: reading and writing them,
 * the policy registry (/sys/kernel/gmem/policy) and policy names. Used by
 * gmemctl, the selftests and the benchmark.
 */
#ifndef GMEM_SYSFS_H
#define GMEM_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/gmem.h>	/* GMEM_POLICY_NAME_MAX */

#define GMEM_SYSFS		"/sys/kernel/gmem"
#define GMEM_POLICY_FILE	GMEM_SYSFS "/policy"
#define GMEM_POLICIES_DIR	GMEM_SYSFS "/policies"
#define GMEM_DEVICES_DIR	GMEM_SYSFS "/devices"

#define GMEM_NAME_RULE \
	"1 to 15 characters of [A-Za-z0-9_-], not \"system\""

/* Read @path into @buf (NUL-terminated, at most @len - 1 bytes); 0 or -errno. */
int sysfs_read(const char *path, char *buf, size_t len);
/* sysfs_read() without the trailing newlines. */
int sysfs_read_text(const char *path, char *buf, size_t len);
/* A number read from a sysfs or debugfs file, or -1. */
long sysfs_long(const char *path);
/* Write @value to @path in one write(); 0, or -errno (-EIO if short). */
int sysfs_write(const char *path, const char *value);
/*
 * sysfs_write() that sets *@ms to how long write() took: for the policy
 * files, the swap including the kernel's RCU grace period.
 */
int sysfs_write_timed(const char *path, const char *value, double *ms);

/* May @name be a policy's name? (the kernel's gm_policy_name_valid()) */
bool gmem_policy_name_valid(const char *name);

/* /sys/kernel/gmem/policy, "lru [default] seq": names in registration order. */
struct gmem_registry {
	char text[8192];
	char *names[4096];
	int n;
	int cur;		/* index of the system default, or -1 */
};

/* Parse /sys/kernel/gmem/policy into @r; 0 or -errno. */
int gmem_registry_read(struct gmem_registry *r);
/* Index of policy @name in @r, or -1. */
int gmem_registry_find(const struct gmem_registry *r, const char *name);
/* /sys/kernel/gmem/policies/NAME/FILE without newline; "?" if unreadable. */
void gmem_policy_attr(const char *name, const char *file, char *buf,
		      size_t size);

#endif /* GMEM_SYSFS_H */
