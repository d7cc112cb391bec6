// SPDX-License-Identifier: GPL-2.0
/*
 * gmemctl: the GMEM-BPF command line. Loads BPF policies (objects with one
 * SEC(".struct_ops") map of struct gmem_policy_ops), selects them
 * system-wide or per process, shows what they do, and traces faults.
 *
 *   gmemctl load OBJ [--name NAME] [--set KNOB=VALUE]... [--default] [--verbose]
 *   gmemctl params OBJ
 *   gmemctl unload NAME
 *   gmemctl use NAME [--pid PID]
 *   gmemctl list | status | stats [--json]
 *   gmemctl trace [--pid PID] [--count N] [--duration SEC] [--verbose]
 *
 * A loaded policy is held by the kernel, not by this process: load
 * registers the struct_ops map and exits; unload deletes the map's
 * element, as `bpftool struct_ops unregister` does.
 *
 * Exit status: 0 done, 1 something failed (the message says what), 2 bad
 * command line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gmemctl.h"

int fail(int err, const char *hint, const char *fmt, ...)
{
	va_list ap;

	fputs("gmemctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s", strerror(err));
	if (hint)
		fprintf(stderr, " (%s)", hint);
	fputc('\n', stderr);
	return 1;
}

const char *perm_hint(int err)
{
	return err == EPERM || err == EACCES ? "needs CAP_SYS_ADMIN" : NULL;
}

bool verbose;

int gmemctl_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose)
		return 0;
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

struct gmem_registry *registry(const char *cmd, int *ret)
{
	struct gmem_registry *r = malloc(sizeof(*r));
	int err;

	if (!r) {
		*ret = fail(ENOMEM, NULL, "%s", cmd);
		return NULL;
	}
	err = gmem_registry_read(r);
	if (err) {
		free(r);
		*ret = fail(-err, err == -ENOENT ? "is this the GMEM kernel?" : NULL,
			    "reading %s", GMEM_POLICY_FILE);
		return NULL;
	}
	return r;
}

int no_args(int argc, char **argv, void (*usage)(FILE *), bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int opt;

	while ((opt = getopt_long(argc, argv, json ? "jh" : "h", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'j':
			if (json) {
				*json = true;
				break;
			}
			/* fall through */
		default: usage(stderr); return 2;
		case 'h': usage(stdout); return 0;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return -1;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "load", cmd_load, "load and register a BPF policy object" },
	{ "params", cmd_params, "list a policy object's tunables (load --set)" },
	{ "unload", cmd_unload, "unregister a policy" },
	{ "use", cmd_use, "select a policy system-wide or for one process" },
	{ "list", cmd_list, "registered policies" },
	{ "status", cmd_status, "default, fallbacks, each process's policy" },
	{ "stats", cmd_stats, "policy and device counters (--json)" },
	{ "trace", cmd_trace, "print GMEM faults, migrations and evictions live" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: gmemctl COMMAND [ARGS]\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-7s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\ngmemctl COMMAND --help for a command's options.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	libbpf_set_print(gmemctl_libbpf_print);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "gmemctl: unknown command '%s' (gmemctl --help)\n",
		argv[1]);
	return 2;
}
