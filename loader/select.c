// SPDX-License-Identifier: GPL-2.0
/*
 * gmemctl use: select a policy as the system default
 * (/sys/kernel/gmem/policy) or for one process (/proc/PID/gmem_policy),
 * timing the switch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "gmemctl.h"

/* @where: "as the system default" or "for pid N (COMM)". */
static int select_fail(int err, const char *name, const char *where,
		       bool process)
{
	const char *hint = perm_hint(err);

	if (err == ENOENT)
		hint = "no policy of that name is loaded: gmemctl list";
	else if (err == ESTALE)
		hint = "the watchdog ejected it: gmemctl status says why";
	else if (err == ENODEV)
		hint = "the process has no GMEM address space yet";
	else if (err == EACCES && process)
		hint = "needs CAP_SYS_ADMIN and ptrace access to the process";
	return fail(err, hint, "selecting policy %s %s", name, where);
}

int set_default(const char *name)
{
	double ms;
	int err;

	err = sysfs_write_timed(GMEM_POLICY_FILE, name, &ms);
	if (err)
		return select_fail(-err, name, "as the system default", false);
	printf("system default: %s (switched in %.3f ms)\n", name, ms);
	return 0;
}

/* Select @name for process @pid. */
static int use_for_pid(const char *name, long pid)
{
	char path[64], comm[64], where[128];
	double ms;
	int err;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if (sysfs_read_text(path, comm, sizeof(comm)))
		return fail(ESRCH, NULL, "selecting policy %s for pid %ld", name,
			    pid);
	snprintf(path, sizeof(path), "/proc/%ld/gmem_policy", pid);
	snprintf(where, sizeof(where), "for pid %ld (%s)", pid, comm);
	err = sysfs_write_timed(path, name, &ms);
	/* It exited since its comm was read: not a policy that is missing. */
	if (err == -ENOENT && access(path, F_OK))
		err = -ESRCH;
	if (err)
		return select_fail(-err, name, where, true);
	if (!strcmp(name, "system"))
		printf("pid %ld (%s): follows the system default (switched in %.3f ms)\n",
		       pid, comm, ms);
	else
		printf("pid %ld (%s): %s (switched in %.3f ms)\n", pid, comm,
		       name, ms);
	return 0;
}

int cmd_use(int argc, char **argv)
{
	struct use_args a;
	int ret;

	ret = use_parse_args(argc, argv, &a);
	if (ret >= 0)
		return ret;
	if (a.pid >= 0)
		return use_for_pid(a.name, a.pid);
	return set_default(a.name);
}
