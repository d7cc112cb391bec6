// SPDX-License-Identifier: GPL-2.0
/*
 * gmemctl use: select a policy as the system default
 * (/sys/kernel/gmem/policy) or for one process (/proc/PID/gmem_policy),
 * timing the switch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <string.h>

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

static void use_usage(FILE *out)
{
	fprintf(out,
		"Usage: gmemctl use NAME [--pid PID]\n"
		"\n"
		"Make policy NAME the system default, which every address space\n"
		"follows unless it selected its own, or, with --pid, select it for\n"
		"process PID alone (/proc/PID/gmem_policy). NAME \"system\" with --pid\n"
		"makes the process follow the system default again. Prints how long\n"
		"the switch took.\n"
		"  --pid PID  only process PID (it must have mapped GMEM memory)\n");
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
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *name;
	long pid = -1;
	int opt;

	while ((opt = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			pid = parse_number(optarg);
			if (pid <= 0) {
				fprintf(stderr, "gmemctl use: bad pid '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': use_usage(stdout); return 0;
		default: use_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "gmemctl use: wants one policy NAME (gmemctl use --help)\n");
		return 2;
	}
	name = argv[optind];
	/*
	 * Checked here: an empty write to a sysfs file succeeds without
	 * reaching the kernel's own check, so "" would seem selected.
	 */
	if (strcmp(name, "system") && !gmem_policy_name_valid(name)) {
		fprintf(stderr, "gmemctl use: invalid policy name '%s': " GMEM_NAME_RULE "\n",
			name);
		return 2;
	}
	if (pid >= 0)
		return use_for_pid(name, pid);
	if (!strcmp(name, "system")) {
		fprintf(stderr, "gmemctl use: \"system\" only goes with --pid (a process following the system default)\n");
		return 2;
	}
	return set_default(name);
}
