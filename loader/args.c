// SPDX-License-Identifier: GPL-2.0
/*
 * gmemctl's command lines: numbers, knob assignments and the options of
 * load, params, use and trace. No libbpf and no device here, so the host
 * tests link this file alone (with lib/gmem_sysfs.c for policy names).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "gmem_sysfs.h"

long parse_number(const char *s)
{
	unsigned long long v;
	char *end;

	/* strtoul() would take "", " 5", "+5" and "-5" (as a huge value). */
	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > (unsigned long long)__LONG_MAX__)
		return -1;
	return (long)v;
}

bool knob_name_valid(const char *s)
{
	size_t i;

	if (!isalpha((unsigned char)s[0]) && s[0] != '_')
		return false;
	for (i = 1; s[i]; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	}
	return i < KNOB_NAME_MAX;
}

void int_kind_range(const struct int_kind *k, int64_t *min, uint64_t *max)
{
	unsigned int bits = k->bytes * 8;

	if (k->is_bool) {
		*min = 0;
		*max = 1;
	} else if (k->is_signed) {
		*max = bits >= 64 ? (uint64_t)INT64_MAX : (1ULL << (bits - 1)) - 1;
		*min = -(int64_t)*max - 1;
	} else {
		*min = 0;
		*max = bits >= 64 ? UINT64_MAX : (1ULL << bits) - 1;
	}
}

/* Digits of base 10, or 16 after "0x": 0 and *@v, -EINVAL, -ERANGE. */
static int parse_magnitude(const char *s, uint64_t *v)
{
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!(base == 16 ? isxdigit((unsigned char)s[0]) :
			   isdigit((unsigned char)s[0])))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, base);
	if (*end)
		return -EINVAL;
	return errno == ERANGE ? -ERANGE : 0;
}

int parse_int_value(const char *s, const struct int_kind *k, uint64_t *out)
{
	bool negative = s[0] == '-';
	uint64_t mag, max;
	int64_t min;
	int err;

	if (k->is_bool && (!strcmp(s, "true") || !strcmp(s, "false"))) {
		*out = s[0] == 't';
		return 0;
	}
	err = parse_magnitude(s + negative, &mag);
	if (err)
		return err;
	int_kind_range(k, &min, &max);
	if (!negative) {
		if (mag > max)
			return -ERANGE;
		*out = mag;
		return 0;
	}
	/* -mag >= min, i.e. mag <= -min, without overflowing int64_t. */
	if (mag > (uint64_t)(-(min + 1)) + 1)
		return -ERANGE;
	if (mag && min == 0)
		return -ERANGE;
	*out = (uint64_t)0 - mag;
	return 0;
}

void store_int(void *dst, const struct int_kind *k, uint64_t v)
{
	uint8_t v8 = v;
	uint16_t v16 = v;
	uint32_t v32 = v;

	switch (k->bytes) {
	case 1: memcpy(dst, &v8, 1); break;
	case 2: memcpy(dst, &v16, 2); break;
	case 4: memcpy(dst, &v32, 4); break;
	default: memcpy(dst, &v, 8); break;
	}
}

uint64_t load_int(const void *src, const struct int_kind *k)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v;

	switch (k->bytes) {
	case 1:
		memcpy(&v8, src, 1);
		return k->is_signed ? (uint64_t)(int64_t)(int8_t)v8 : v8;
	case 2:
		memcpy(&v16, src, 2);
		return k->is_signed ? (uint64_t)(int64_t)(int16_t)v16 : v16;
	case 4:
		memcpy(&v32, src, 4);
		return k->is_signed ? (uint64_t)(int64_t)(int32_t)v32 : v32;
	default:
		memcpy(&v, src, 8);
		return v;
	}
}

int split_assignment(const char *arg, char name[KNOB_NAME_MAX],
		     const char **value)
{
	const char *eq = strchr(arg, '=');
	size_t len;

	if (!eq || eq == arg || !eq[1])
		return -EINVAL;
	len = eq - arg;
	if (len >= KNOB_NAME_MAX)
		return -EINVAL;
	memcpy(name, arg, len);
	name[len] = '\0';
	if (!knob_name_valid(name))
		return -EINVAL;
	*value = eq + 1;
	return 0;
}

void load_usage(FILE *out)
{
	fprintf(out,
		"Usage: gmemctl load OBJ [--name NAME] [--set KNOB=VALUE]... [--default] [--verbose]\n"
		"\n"
		"Load the BPF object OBJ (its one SEC(\".struct_ops\") map of struct\n"
		"gmem_policy_ops; GPL-compatible license) and register it as a GMEM\n"
		"policy. It stays registered after gmemctl exits: gmemctl unload\n"
		"removes it. Its maps are pinned in /sys/fs/bpf/gmem/NAME/ (the data\n"
		"sections as rodata, data, bss) until then.\n"
		"  --name NAME       register it as NAME instead of the name in OBJ\n"
		"                    (" GMEM_NAME_RULE ")\n"
		"  --set KNOB=VALUE  set the policy's tunable KNOB (a const volatile\n"
		"                    integer of OBJ) before it loads; repeatable.\n"
		"                    gmemctl params OBJ lists them\n"
		"  --default         then make it the system default\n"
		"  --verbose         show libbpf's messages\n");
}

int load_parse_args(int argc, char **argv, struct load_args *a)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "set", required_argument, NULL, 's' },
		{ "default", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char name[KNOB_NAME_MAX], other[KNOB_NAME_MAX];
	const char *value;
	int opt, i;

	memset(a, 0, sizeof(*a));
	optind = 0;
	while ((opt = getopt_long(argc, argv, "n:s:dvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': a->new_name = optarg; break;
		case 's':
			if (split_assignment(optarg, name, &value)) {
				fprintf(stderr, "gmemctl load: --set wants KNOB=VALUE, KNOB a C identifier, not '%s'\n",
					optarg);
				return 2;
			}
			for (i = 0; i < a->nsets; i++) {
				split_assignment(a->sets[i], other, &value);
				if (!strcmp(name, other)) {
					fprintf(stderr, "gmemctl load: knob %s is set twice\n",
						name);
					return 2;
				}
			}
			if (a->nsets == LOAD_MAX_SETS) {
				fprintf(stderr, "gmemctl load: more than %d --set\n",
					LOAD_MAX_SETS);
				return 2;
			}
			a->sets[a->nsets++] = optarg;
			break;
		case 'd': a->make_default = true; break;
		case 'v': a->verbose = true; break;
		case 'h': load_usage(stdout); return 0;
		default: load_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "gmemctl load: wants one OBJ (gmemctl load --help)\n");
		return 2;
	}
	if (a->new_name && !gmem_policy_name_valid(a->new_name)) {
		fprintf(stderr, "gmemctl load: invalid policy name '%s': " GMEM_NAME_RULE "\n",
			a->new_name);
		return 2;
	}
	a->path = argv[optind];
	return -1;
}

void params_usage(FILE *out)
{
	fprintf(out,
		"Usage: gmemctl params OBJ\n"
		"\n"
		"List the tunables of the policy object OBJ: its const volatile\n"
		"integers (the .rodata section), with their type, default value and\n"
		"range. gmemctl load OBJ --set KNOB=VALUE sets one before loading.\n"
		"Needs no privileges: OBJ is only read.\n");
}

int params_parse_args(int argc, char **argv, struct params_args *a)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int opt;

	memset(a, 0, sizeof(*a));
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h': params_usage(stdout); return 0;
		default: params_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "gmemctl params: wants one OBJ (gmemctl params --help)\n");
		return 2;
	}
	a->path = argv[optind];
	return -1;
}

void use_usage(FILE *out)
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

int use_parse_args(int argc, char **argv, struct use_args *a)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int opt;

	memset(a, 0, sizeof(*a));
	a->pid = -1;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			a->pid = parse_number(optarg);
			if (a->pid <= 0) {
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
	a->name = argv[optind];
	/*
	 * Checked here: an empty write to a sysfs file succeeds without
	 * reaching the kernel's own check, so "" would seem selected.
	 */
	if (strcmp(a->name, "system") && !gmem_policy_name_valid(a->name)) {
		fprintf(stderr, "gmemctl use: invalid policy name '%s': " GMEM_NAME_RULE "\n",
			a->name);
		return 2;
	}
	if (a->pid < 0 && !strcmp(a->name, "system")) {
		fprintf(stderr, "gmemctl use: \"system\" only goes with --pid (a process following the system default)\n");
		return 2;
	}
	return -1;
}

void trace_usage(FILE *out)
{
	fprintf(out,
		"Usage: gmemctl trace [--pid PID] [--count N] [--duration SEC] [--verbose]\n"
		"\n"
		"Print GMEM device faults, migrations and eviction rounds as they\n"
		"happen (tp_btf programs on the gmem:* tracepoints), then a count\n"
		"per kind. Stops after N events, SEC seconds, or on Ctrl-C. Events\n"
		"the ring buffer had no room for are counted and reported as lost.\n"
		"  --pid PID       only events of process PID\n"
		"  --count N       stop after N events\n"
		"  --duration SEC  stop after SEC seconds\n"
		"  --verbose       show libbpf's messages\n");
}

int trace_parse_args(int argc, char **argv, struct trace_args *a)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int opt;

	memset(a, 0, sizeof(*a));
	optind = 0;
	while ((opt = getopt_long(argc, argv, "p:n:d:vh", opts, NULL)) != -1) {
		long v = optarg ? parse_number(optarg) : 0;

		if (v < 0) {
			fprintf(stderr, "gmemctl trace: bad number '%s'\n", optarg);
			return 2;
		}
		switch (opt) {
		case 'p': a->pid = v; break;
		case 'n': a->count = v; break;
		case 'd': a->duration = v; break;
		case 'v': a->verbose = true; break;
		case 'h': trace_usage(stdout); return 0;
		default: trace_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "gmemctl trace: unexpected argument '%s' (gmemctl trace --help)\n",
			argv[optind]);
		return 2;
	}
	return -1;
}
