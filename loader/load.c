// SPDX-License-Identifier: GPL-2.0
/*
 * gmemctl load and unload: register a policy object's gmem_policy_ops
 * map with the kernel (libbpf's bpf_map__attach_struct_ops()), and
 * unregister it (lib/gmem_policy_ops.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gmem_policy_ops.h"
#include "object.h"
#include "params.h"
#include "pin.h"
#include "sizing.h"

/* Print the last @lines non-empty lines of a verifier log, indented. */
static void print_log_tail(const char *log, int lines)
{
	const char *p;
	int total = 0, i = 0;

	for (p = log; *p; ) {
		size_t len = strcspn(p, "\n");

		total += len > 0;
		p += len + (p[len] ? 1 : 0);
	}
	for (p = log; *p; ) {
		size_t len = strcspn(p, "\n");

		if (len && i++ >= total - lines)
			fprintf(stderr, "  %.*s\n", (int)len, p);
		p += len + (p[len] ? 1 : 0);
	}
}

/*
 * Load @po's programs through the verifier; 0, or 1 once the end of the
 * verifier's log (or libbpf's error) was shown.
 */
static int load_programs(const char *path, struct policy_obj *po)
{
	size_t log_size = 16 << 20;	/* libbpf's own default */
	const char *failed = NULL;
	struct bpf_program *prog;
	char *log;
	int err;

	/*
	 * One buffer for all programs: libbpf loads them in order and stops
	 * at the first one refused, and only a failed load (retried with
	 * log_level 1) writes the log.
	 */
	log = malloc(log_size);
	if (!log)
		return fail(ENOMEM, NULL, "loading %s", path);
	log[0] = '\0';
	bpf_object__for_each_program(prog, po->obj)
		bpf_program__set_log_buf(prog, log, log_size);

	err = bpf_object__load(po->obj);
	if (!err) {
		free(log);
		return 0;
	}
	bpf_object__for_each_program(prog, po->obj) {
		if (bpf_program__autoload(prog) && bpf_program__fd(prog) < 0) {
			failed = bpf_program__name(prog);
			break;
		}
	}
	if (log[0] && failed) {
		/* 6.1 keeps the start of a log too long: -ENOSPC. */
		fprintf(stderr, "gmemctl: loading %s: the verifier refused program %s: %s\n",
			path, failed, err == -ENOSPC ?
			"its log was too long to keep whole" : strerror(-err));
		fprintf(stderr, "gmemctl: end of the verifier log:\n");
		print_log_tail(log, 6);
	} else {
		fail(-err, err == -EPERM ? "loading a policy needs CAP_SYS_ADMIN" :
		     "gmemctl load --verbose shows libbpf's messages",
		     "loading %s", path);
	}
	free(log);
	return 1;
}

/*
 * Register the loaded @po as policy @name; 0, or 1 once it said why not.
 * The registration outlives gmemctl: the kernel holds the map while it is
 * registered, so the link libbpf returns is only let go of (a 6.1 kernel
 * has no struct_ops links: destroying it would unregister the policy).
 */
static int register_policy(const char *path, struct policy_obj *po,
			   const char *name)
{
	struct bpf_link *link;
	int err;

	link = bpf_map__attach_struct_ops(po->map);
	if (link) {
		bpf_link__disconnect(link);
		bpf_link__destroy(link);
		return 0;
	}
	err = errno;
	if (err == EEXIST)
		return fail(err, "a policy of that name is loaded; --name gives this one another",
			    "registering policy '%s' from %s", name, path);
	if (err == EINVAL)
		return fail(err, "a policy name is " GMEM_NAME_RULE,
			    "registering policy '%s' from %s", name, path);
	return fail(err, perm_hint(err), "registering policy '%s' from %s",
		    name, path);
}

int cmd_load(int argc, char **argv)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	struct policy_obj po;
	struct load_args a;
	const char *name;
	int ret;

	ret = load_parse_args(argc, argv, &a);
	if (ret >= 0)
		return ret;
	verbose = a.verbose;

	ret = 1;
	if (policy_obj_open(a.path, &po))
		goto out;
	ret = knobs_apply(po.obj, a.path, a.sets, a.nsets);
	if (ret)
		goto out;
	ret = 1;
	if (size_frame_state(po.obj, a.path))
		goto out;
	if (a.new_name)
		policy_obj_set_name(&po, a.new_name);
	name = po.name;
	if (load_programs(a.path, &po))
		goto out;
	if (register_policy(a.path, &po, name))
		goto out;
	/* After registration: a load killed before leaves nothing behind. */
	pin_policy_maps(po.obj, po.map, name);
	bpf_obj_get_info_by_fd(bpf_map__fd(po.map), &info, &info_len);
	printf("loaded policy %s (struct_ops map id %u)\n", name, info.id);
	fflush(stdout);
	if (a.make_default && set_default(name))
		fprintf(stderr, "gmemctl: policy %s stays loaded (gmemctl unload %s)\n",
			name, name);
	else
		ret = 0;
out:
	policy_obj_close(&po);
	return ret;
}

static void unload_usage(FILE *out)
{
	fprintf(out,
		"Usage: gmemctl unload NAME\n"
		"\n"
		"Unregister policy NAME (delete its struct_ops map's element). Address\n"
		"spaces using it fall back to the system default, or to the built-in\n"
		"\"default\" if it was the system default. \"default\" stays. Removes\n"
		"the pins of its maps, " GMEM_PIN_DIR "/NAME/, also those a policy\n"
		"unregistered otherwise (bpftool struct_ops unregister) left.\n");
}

int cmd_unload(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const struct gmem_ops_map *pm;
	struct gmem_ops_map *maps = NULL;
	const char *name;
	int opt, n, fd, err;
	bool had_pins;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': unload_usage(stdout); return 0;
		default: unload_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "gmemctl unload: wants one policy NAME (gmemctl unload --help)\n");
		return 2;
	}
	name = argv[optind];
	if (!gmem_policy_name_valid(name)) {
		fprintf(stderr, "gmemctl unload: invalid policy name '%s': " GMEM_NAME_RULE "\n",
			name);
		return 2;
	}
	if (!strcmp(name, "default")) {
		fprintf(stderr, "gmemctl: unloading policy default: it is the built-in policy, which cannot be unloaded\n");
		return 1;
	}
	n = gmem_ops_scan(&maps);
	if (n < 0)
		return fail(-n, perm_hint(-n), "unloading policy %s: looking for its struct_ops map",
			    name);
	pm = gmem_ops_find(maps, n, name);
	if (!pm) {
		free(maps);
		fprintf(stderr, "gmemctl: unloading policy %s: no policy of that name is loaded (gmemctl list)\n",
			name);
		if (!unpin_policy_maps(name, &had_pins) && had_pins)
			fprintf(stderr, "gmemctl: removed the stale pins in %s/%s\n",
				GMEM_PIN_DIR, name);
		return 1;
	}
	fd = bpf_map_get_fd_by_id(pm->id);
	err = fd < 0 ? -errno : gmem_ops_unregister(fd);
	if (fd >= 0)
		close(fd);
	if (err) {
		fail(-err, perm_hint(-err), "unloading policy %s (struct_ops map id %u)",
		     name, pm->id);
		free(maps);
		return 1;
	}
	/* Unregistered: the pins go, and with them the maps. */
	unpin_policy_maps(name, &had_pins);
	printf("unloaded policy %s (struct_ops map id %u)\n", name, pm->id);
	free(maps);
	return 0;
}
