/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmemctl's command lines, parsed without libbpf or the device (args.c),
 * so that make test-host can check them (tests/host/test_args.c).
 *
 * The *_parse_args() functions return -1 to go on, or the exit status
 * when the command is done: 0 after --help (usage on stdout), 2 after a
 * message on stderr naming what is wrong with the command line.
 */
#ifndef GMEMCTL_ARGS_H
#define GMEMCTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A number of decimal digits only (no sign, space or suffix); else -1. */
long parse_number(const char *s);

/* May @s name a knob (a C identifier)? */
bool knob_name_valid(const char *s);

/*
 * An integer type of a knob: 1, 2, 4 or 8 bytes, signed or not; a bool
 * takes 0, 1, true or false.
 */
struct int_kind {
	unsigned int bytes;
	bool is_signed;
	bool is_bool;
};

/* The smallest and largest value of @k. */
void int_kind_range(const struct int_kind *k, int64_t *min, uint64_t *max);

/*
 * @s as a value of @k: decimal, or hexadecimal after 0x, a leading '-'
 * for a negative one; true/false for a bool. 0 and *@out (two's complement
 * for a negative value), -EINVAL if @s is no number, -ERANGE if @k cannot
 * hold it.
 */
int parse_int_value(const char *s, const struct int_kind *k, uint64_t *out);

/* Store @v in the @k->bytes bytes at @dst, in host byte order. */
void store_int(void *dst, const struct int_kind *k, uint64_t v);
/* The value of @k at @src, sign-extended for a signed kind. */
uint64_t load_int(const void *src, const struct int_kind *k);

#define KNOB_NAME_MAX	64

/*
 * One --set NAME=VALUE: 0 with the name in @name and *@value pointing
 * into @arg, or -EINVAL (no '=', no NAME, no VALUE, NAME not an
 * identifier or too long).
 */
int split_assignment(const char *arg, char name[KNOB_NAME_MAX],
		     const char **value);

#define LOAD_MAX_SETS	64

/* gmemctl load OBJ [--name NAME] [--default] [--set NAME=VALUE]... */
struct load_args {
	const char *path;
	const char *new_name;
	bool make_default;
	bool verbose;
	int nsets;
	const char *sets[LOAD_MAX_SETS];	/* NAME=VALUE, checked */
};

void load_usage(FILE *out);
int load_parse_args(int argc, char **argv, struct load_args *a);

/* gmemctl params OBJ */
struct params_args {
	const char *path;
};

void params_usage(FILE *out);
int params_parse_args(int argc, char **argv, struct params_args *a);

/* gmemctl use NAME [--pid PID] */
struct use_args {
	const char *name;
	long pid;			/* -1: none */
};

void use_usage(FILE *out);
int use_parse_args(int argc, char **argv, struct use_args *a);

/* gmemctl trace [--pid PID] [--count N] [--duration SEC] [--verbose] */
struct trace_args {
	long pid, count, duration;	/* 0: not given */
	bool verbose;
};

void trace_usage(FILE *out);
int trace_parse_args(int argc, char **argv, struct trace_args *a);

#endif /* GMEMCTL_ARGS_H */
