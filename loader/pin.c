// SPDX-License-Identifier: GPL-2.0
/* Pinning a loaded policy's maps in bpffs, and removing the pins (pin.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gmemctl.h"
#include "pin.h"

static void warn(int err, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "gmemctl: warning: policy NAME's maps: WHAT: strerror(err)". */
static void warn(int err, const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gmemctl: warning: policy %s's maps: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
}

/* Is bpffs mounted at BPFFS_DIR? Mount it if not, as bpftool does. */
static int ensure_bpffs(void)
{
	struct statfs st;

	if (!statfs(BPFFS_DIR, &st) && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", BPFFS_DIR, "bpf", 0, "mode=0700"))
		return -errno;
	return 0;
}

/* Remove the files of @dir, then @dir: 0, or -errno of the first failure. */
static int remove_dir(const char *dir)
{
	char path[512];
	struct dirent *de;
	int err = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) && !err)
			err = -errno;
	}
	closedir(d);
	if (rmdir(dir) && !err)
		err = -errno;
	return err;
}

/* A map's file name: its name, or a data section's without the dot. */
static const char *pin_name(const struct bpf_map *map)
{
	const char *name = bpf_map__name(map), *dot = strchr(name, '.');

	/* libbpf names a data section's map OBJNAME.SECTION. */
	return bpf_map__is_internal(map) && dot && dot[1] ? dot + 1 : name;
}

void pin_policy_maps(struct bpf_object *obj, const struct bpf_map *ops_map,
		     const char *name)
{
	char dir[256], path[512];
	struct bpf_map *map;
	int err;

	err = ensure_bpffs();
	if (err) {
		warn(-err, name, "not pinned: no bpffs at %s, and mounting one failed",
		     BPFFS_DIR);
		return;
	}
	if (mkdir(GMEM_PIN_DIR, 0755) && errno != EEXIST) {
		warn(errno, name, "not pinned: creating %s", GMEM_PIN_DIR);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/%s", GMEM_PIN_DIR, name);
	/*
	 * The policy was just registered under @name, so no policy of that
	 * name was: what is there belongs to one gone.
	 */
	if (!access(dir, F_OK)) {
		err = remove_dir(dir);
		if (err) {
			warn(-err, name, "not pinned: removing the stale %s", dir);
			return;
		}
		fprintf(stderr, "gmemctl: removed %s, left by an earlier policy %s\n",
			dir, name);
	}
	if (mkdir(dir, 0700)) {
		warn(errno, name, "not pinned: creating %s", dir);
		return;
	}
	bpf_object__for_each_map(map, obj) {
		if (map == ops_map || bpf_map__fd(map) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, pin_name(map));
		if (bpf_obj_pin(bpf_map__fd(map), path))
			warn(errno, name, "pinning %s", path);
		else if (verbose)
			fprintf(stderr, "gmemctl: pinned map %s at %s\n",
				bpf_map__name(map), path);
	}
}

int unpin_policy_maps(const char *name, bool *had)
{
	char dir[256];
	int err;

	snprintf(dir, sizeof(dir), "%s/%s", GMEM_PIN_DIR, name);
	*had = !access(dir, F_OK);
	if (!*had)
		return 0;
	err = remove_dir(dir);
	if (err)
		warn(-err, name, "removing the pins in %s", dir);
	return err;
}
