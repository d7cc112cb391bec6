// SPDX-License-Identifier: GPL-2.0
/*
 * gmemctl status: the system default, each policy's state, the policies
 * the watchdog ejected and why, and each process's policy
 * (/proc/PID/gmem_policy), as text or JSON.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gmemctl.h"
#include "json.h"

static void status_usage(FILE *out)
{
	fprintf(out,
		"Usage: gmemctl status [--json]\n"
		"\n"
		"The system default, every policy's state and address spaces, the\n"
		"policies the watchdog ejected and why (their address spaces fell\n"
		"back to the default), and which policy each process's GMEM address\n"
		"space uses (/proc/PID/gmem_policy).\n"
		"  --json  one JSON object: {\"system_default\": NAME, \"policies\":\n"
		"          [{\"name\", \"state\", \"address_spaces\"}], \"fallbacks\":\n"
		"          [{\"name\", \"reason\"}], \"address_spaces\": [{\"pid\",\n"
		"          \"comm\", \"policy\"}]}\n");
}

/* A process with a GMEM address space, and its /proc/PID/gmem_policy. */
struct gmem_process {
	long pid;
	char comm[64];
	char policy[64];
};

/* Every process with a GMEM address space: how many (*@out), or -errno. */
static int gmem_processes(struct gmem_process **out)
{
	struct gmem_process *procs = NULL, *grown, p;
	struct dirent *de;
	int n = 0;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char path[300];

		p.pid = parse_number(de->d_name);
		if (p.pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/gmem_policy", p.pid);
		if (sysfs_read_text(path, p.policy, sizeof(p.policy)) ||
		    !strcmp(p.policy, "none"))
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/comm", p.pid);
		if (sysfs_read_text(path, p.comm, sizeof(p.comm)))
			snprintf(p.comm, sizeof(p.comm), "?");
		grown = realloc(procs, (n + 1) * sizeof(*procs));
		if (!grown) {
			free(procs);
			closedir(dir);
			return -ENOMEM;
		}
		procs = grown;
		procs[n++] = p;
	}
	closedir(dir);
	*out = procs;
	return n;
}

static void status_text(const struct gmem_registry *r,
			const struct gmem_process *procs, int nprocs)
{
	int i, ejected = 0;

	printf("system default: %s\n", r->cur >= 0 ? r->names[r->cur] : "?");
	printf("policies:\n");
	for (i = 0; i < r->n; i++) {
		char state[32], nr_as[32];

		gmem_policy_attr(r->names[i], "state", state, sizeof(state));
		gmem_policy_attr(r->names[i], "address_spaces", nr_as, sizeof(nr_as));
		printf("  %-15s %-7s %4s address spaces\n", r->names[i], state,
		       nr_as);
	}
	printf("fallbacks:\n");
	for (i = 0; i < r->n; i++) {
		char reason[256];

		gmem_policy_attr(r->names[i], "exit_reason", reason, sizeof(reason));
		if (!reason[0] || !strcmp(reason, "?"))
			continue;
		printf("  %-15s ejected: %s\n", r->names[i], reason);
		ejected++;
	}
	if (!ejected)
		printf("  none\n");
	printf("address spaces:\n");
	for (i = 0; i < nprocs; i++)
		printf("  pid %-7ld %-16s %s\n", procs[i].pid, procs[i].comm,
		       procs[i].policy);
	if (!nprocs)
		printf("  none\n");
}

static void status_json(const struct gmem_registry *r,
			const struct gmem_process *procs, int nprocs)
{
	struct json_writer w;
	int i;

	json_init(&w, stdout);
	json_object_begin(&w);
	json_key(&w, "system_default");
	if (r->cur >= 0)
		json_string(&w, r->names[r->cur]);
	else
		json_null(&w);
	json_key(&w, "policies");
	json_array_begin(&w);
	for (i = 0; i < r->n; i++) {
		char state[32], nr_as[32];

		gmem_policy_attr(r->names[i], "state", state, sizeof(state));
		gmem_policy_attr(r->names[i], "address_spaces", nr_as, sizeof(nr_as));
		json_object_begin(&w);
		json_key(&w, "name");
		json_string(&w, r->names[i]);
		json_key(&w, "state");
		json_string(&w, state);
		json_key(&w, "address_spaces");
		json_value(&w, nr_as);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_key(&w, "fallbacks");
	json_array_begin(&w);
	for (i = 0; i < r->n; i++) {
		char reason[256];

		gmem_policy_attr(r->names[i], "exit_reason", reason, sizeof(reason));
		if (!reason[0] || !strcmp(reason, "?"))
			continue;
		json_object_begin(&w);
		json_key(&w, "name");
		json_string(&w, r->names[i]);
		json_key(&w, "reason");
		json_string(&w, reason);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_key(&w, "address_spaces");
	json_array_begin(&w);
	for (i = 0; i < nprocs; i++) {
		json_object_begin(&w);
		json_key(&w, "pid");
		json_int(&w, procs[i].pid);
		json_key(&w, "comm");
		json_string(&w, procs[i].comm);
		json_key(&w, "policy");
		json_string(&w, procs[i].policy);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	printf("\n");
}

int cmd_status(int argc, char **argv)
{
	struct gmem_process *procs = NULL;
	struct gmem_registry *r;
	bool json = false;
	int ret, nprocs;

	ret = no_args(argc, argv, status_usage, &json);
	if (ret >= 0)
		return ret;
	r = registry("status", &ret);
	if (!r)
		return ret;
	nprocs = gmem_processes(&procs);
	if (nprocs < 0) {
		free(r);
		return fail(-nprocs, NULL, "reading /proc");
	}
	if (json)
		status_json(r, procs, nprocs);
	else
		status_text(r, procs, nprocs);
	free(procs);
	free(r);
	return 0;
}
