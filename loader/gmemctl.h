/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmemctl's commands (load.c, params.c, select.c, show.c, status.c,
 * trace.c), what they share (main.c), their command lines (args.c), the
 * object file checks of load (object.c), a policy's tunables (params.c),
 * its per-frame state sized to the devices (sizing.c) and its pinned maps
 * (pin.c).
 */
#ifndef GMEMCTL_H
#define GMEMCTL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "args.h"
#include "gmem_sysfs.h"

/* main.c */

/*
 * "gmemctl: WHAT: strerror(err)" and, if @hint, " (HINT)". Returns 1, the
 * exit status of a runtime error.
 */
int fail(int err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* --verbose: libbpf's messages, which gmemctl_libbpf_print() shows then. */
extern bool verbose;
int gmemctl_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap);
/* A hint for errors of files and syscalls only root may use. */
const char *perm_hint(int err);
/* The registry, malloc'd (it is large), or NULL once it said why not. */
struct gmem_registry *registry(const char *cmd, int *ret);
/*
 * Options of a command without arguments: --help, and --json if @json.
 * The exit status if the command is done (help, or 2), -1 to go on.
 */
int no_args(int argc, char **argv, void (*usage)(FILE *), bool *json);

/* The commands. */
int cmd_load(int argc, char **argv);	/* load.c */
int cmd_unload(int argc, char **argv);
int cmd_params(int argc, char **argv);	/* params.c */
int cmd_use(int argc, char **argv);	/* select.c */
int cmd_list(int argc, char **argv);	/* show.c */
int cmd_stats(int argc, char **argv);
int cmd_status(int argc, char **argv);	/* status.c */
int cmd_trace(int argc, char **argv);	/* trace.c */

/* select.c: make @name the system default, printing how long it took. */
int set_default(const char *name);

#endif /* GMEMCTL_H */
