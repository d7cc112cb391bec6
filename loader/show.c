// SPDX-License-Identifier: GPL-2.0
/*
 * gmemctl list and stats: the registered policies, and the policies' and
 * devices' counters in sysfs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gmem_policy_ops.h"
#include "gmemctl.h"
#include "json.h"
#include "gmem_util.h"


static void list_usage(FILE *out)
{
	fprintf(out,
		"Usage: gmemctl list [--json]\n"
		"\n"
		"One line per registered policy: its name, * for the system default,\n"
		"state (active, or ejected by the watchdog), the address spaces using\n"
		"it, and its struct_ops map id (\"built-in\" for the C default).\n"
		"  --json  a JSON array: [{\"name\": NAME, \"default\": BOOL,\n"
		"          \"state\": STATE, \"address_spaces\": N, \"map_id\": ID}]\n"
		"          (map_id null for the built-in default, or when unknown)\n");
}

/* One policy as a JSON object; @pm NULL if its map id is unknown. */
static void list_json(struct json_writer *json, const char *name,
		      bool is_default, const char *state, const char *nr_as,
		      const struct gmem_ops_map *pm)
{
	json_object_begin(json);
	json_key(json, "name");
	json_string(json, name);
	json_key(json, "default");
	json_bool(json, is_default);
	json_key(json, "state");
	json_string(json, state);
	json_key(json, "address_spaces");
	json_value(json, nr_as);
	json_key(json, "map_id");
	if (pm)
		json_int(json, pm->id);
	else
		json_null(json);
	json_object_end(json);
}

int cmd_list(int argc, char **argv)
{
	struct json_writer w, *json = NULL;
	struct gmem_ops_map *maps = NULL;
	struct gmem_registry *r;
	bool want_json = false;
	int i, n, ret;

	ret = no_args(argc, argv, list_usage, &want_json);
	if (ret >= 0)
		return ret;
	r = registry("list", &ret);
	if (!r)
		return ret;
	/* Map ids need CAP_SYS_ADMIN; without them, "?". */
	n = gmem_ops_scan(&maps);
	if (n < 0) {
		n = 0;
		maps = NULL;
	}
	if (want_json) {
		json = &w;
		json_init(json, stdout);
		json_array_begin(json);
	} else {
		printf("%-15s %c %-7s %-19s  %s\n", "NAME", '*', "STATE",
		       "ADDRESS SPACES", "REGISTERED AS");
	}
	for (i = 0; i < r->n; i++) {
		const struct gmem_ops_map *pm = gmem_ops_find(maps, n, r->names[i]);
		char state[32], nr_as[32], where[48];

		gmem_policy_attr(r->names[i], "state", state, sizeof(state));
		gmem_policy_attr(r->names[i], "address_spaces", nr_as, sizeof(nr_as));
		if (json) {
			list_json(json, r->names[i], i == r->cur, state, nr_as, pm);
			continue;
		}
		if (!strcmp(r->names[i], "default"))
			snprintf(where, sizeof(where), "built-in");
		else if (pm)
			snprintf(where, sizeof(where), "struct_ops map id %u", pm->id);
		else
			snprintf(where, sizeof(where), "struct_ops map id ?");
		printf("%-15s %c %-7s %4s address spaces  %s\n", r->names[i],
		       i == r->cur ? '*' : ' ', state, nr_as, where);
	}
	if (json) {
		json_array_end(json);
		printf("\n");
	}
	free(maps);
	free(r);
	return 0;
}

static void stats_usage(FILE *out)
{
	fprintf(out,
		"Usage: gmemctl stats [--json]\n"
		"\n"
		"Every policy's counters (/sys/kernel/gmem/policies/NAME) and every\n"
		"device's (/sys/kernel/gmem/devices/NAME).\n"
		"  --json  one JSON object: {\"system_default\": NAME,\n"
		"          \"policies\": {NAME: {...}}, \"devices\": {NAME: {...}}}\n");
}

static const char *const policy_files[] = {
	"state", "address_spaces", "calls", "errors", "refused", "clamped",
	"prefetched", "victims", "filled", "stalls", "max_hook_ns",
	"exit_reason",
};

static const char *const device_files[] = {
	"hnid", "mem_total", "mem_used", "faults", "migrations_to_device",
	"migrations_to_host", "evictions", "pages_evicted", "prefetched",
	"free_blocks", "fragmentation",
};

/*
 * The counters of policy or device @name (@kind), those of @files that its
 * directory under @base has: a line "KIND NAME[SUFFIX]: FILE=VALUE ..." or,
 * with @json, a member NAME: {FILE: VALUE, ...}.
 */
static void print_counters(struct json_writer *json, const char *kind,
			   const char *base, const char *name,
			   const char *suffix, const char *const *files, int n)
{
	int i;

	if (json) {
		json_key(json, name);
		json_object_begin(json);
	} else {
		printf("%s %s%s:", kind, name, suffix);
	}
	for (i = 0; i < n; i++) {
		char path[512], value[512];

		snprintf(path, sizeof(path), "%s/%s/%s", base, name, files[i]);
		if (sysfs_read_text(path, value, sizeof(value)))
			continue;
		if (json) {
			json_key(json, files[i]);
			json_value(json, value);
		} else if (strchr(value, ' ') || !value[0]) {
			if (value[0])
				printf(" %s=\"%s\"", files[i], value);
		} else {
			printf(" %s=%s", files[i], value);
		}
	}
	if (json)
		json_object_end(json);
	else
		printf("\n");
}

int cmd_stats(int argc, char **argv)
{
	struct json_writer w, *json = NULL;
	struct dirent **devs = NULL;
	struct gmem_registry *r;
	bool want_json = false;
	int i, ret, ndevs;

	ret = no_args(argc, argv, stats_usage, &want_json);
	if (ret >= 0)
		return ret;
	r = registry("stats", &ret);
	if (!r)
		return ret;
	ndevs = scandir(GMEM_DEVICES_DIR, &devs, NULL, alphasort);
	if (ndevs < 0)
		ndevs = 0;	/* no device driver loaded */

	if (want_json) {
		json = &w;
		json_init(json, stdout);
		json_object_begin(json);
		json_key(json, "system_default");
		json_string(json, r->cur >= 0 ? r->names[r->cur] : "");
		json_key(json, "policies");
		json_object_begin(json);
	}
	for (i = 0; i < r->n; i++)
		print_counters(json, "policy", GMEM_POLICIES_DIR, r->names[i],
			       i == r->cur ? " (system default)" : "",
			       policy_files, ARRAY_SIZE(policy_files));
	if (json) {
		json_object_end(json);
		json_key(json, "devices");
		json_object_begin(json);
	}
	for (i = 0; i < ndevs; i++) {
		if (devs[i]->d_name[0] != '.')
			print_counters(json, "device", GMEM_DEVICES_DIR,
				       devs[i]->d_name, "", device_files,
				       ARRAY_SIZE(device_files));
	}
	if (json) {
		json_object_end(json);
		json_object_end(json);
		printf("\n");
	}
	for (i = 0; i < ndevs; i++)
		free(devs[i]);
	free(devs);
	free(r);
	return 0;
}
