// SPDX-License-Identifier: GPL-2.0
/*
 * loader/args.c: gmemctl's numbers, knob values and NAME=VALUE
 * assignments, and the command lines of load, params, use and trace:
 * what they take, and what must exit 2 with a message naming the problem.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "host_test.h"

/* What the last parse() wrote on stderr. */
static char err_text[4096];

/*
 * Run @fn on the NULL-terminated arguments, stderr (and stdout, which
 * --help writes) into err_text: its return value.
 */
#define parse(fn, a, ...) ({						\
	char *argv_[] = { __VA_ARGS__, NULL };				\
	int argc_ = sizeof(argv_) / sizeof(argv_[0]) - 1;		\
	capture_begin();						\
	int r_ = fn(argc_, argv_, a);					\
	capture_end();							\
	r_;								\
})

static int saved_fd[2] = { -1, -1 };
static FILE *capture_file;

static void capture_begin(void)
{
	fflush(stdout);
	fflush(stderr);
	capture_file = tmpfile();
	if (!capture_file) {
		perror("tmpfile");
		exit(2);
	}
	saved_fd[0] = dup(1);
	saved_fd[1] = dup(2);
	dup2(fileno(capture_file), 1);
	dup2(fileno(capture_file), 2);
}

static void capture_end(void)
{
	size_t n;

	fflush(stdout);
	fflush(stderr);
	dup2(saved_fd[0], 1);
	dup2(saved_fd[1], 2);
	close(saved_fd[0]);
	close(saved_fd[1]);
	rewind(capture_file);
	n = fread(err_text, 1, sizeof(err_text) - 1, capture_file);
	err_text[n] = '\0';
	fclose(capture_file);
}

static bool said(const char *s)
{
	return strstr(err_text, s) != NULL;
}

static int numbers_are_digits_only(void)
{
	static const char *const bad[] = {
		"", " 5", "5 ", "+5", "-5", "5x", "0x10", "1e3", "1.0",
		"99999999999999999999", "9223372036854775808",
	};
	size_t i;

	EXPECT(parse_number("0") == 0, "0");
	EXPECT(parse_number("42") == 42, "42");
	EXPECT(parse_number("007") == 7, "007");
	EXPECT(parse_number("9223372036854775807") == 9223372036854775807L,
	       "LONG_MAX");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT(parse_number(bad[i]) == -1, "'%s' taken: %ld", bad[i],
		       parse_number(bad[i]));
	return 0;
}

static const struct int_kind U8 = { 1, false, false }, S8 = { 1, true, false },
	U32 = { 4, false, false }, S16 = { 2, true, false },
	U64 = { 8, false, false }, S64 = { 8, true, false },
	BOOL = { 1, false, true };

/* parse_int_value(@s, @k): its return value; *@v the value. */
static int value(const char *s, const struct int_kind *k, uint64_t *v)
{
	*v = 0xdeadbeef;
	return parse_int_value(s, k, v);
}

static int knob_values_fit_their_type(void)
{
	uint64_t v;

	EXPECT(!value("51", &U32, &v) && v == 51, "51: %llu", (unsigned long long)v);
	EXPECT(!value("0x10", &U32, &v) && v == 16, "0x10");
	EXPECT(!value("0XfF", &U8, &v) && v == 255, "0XfF");
	EXPECT(!value("4294967295", &U32, &v) && v == 4294967295ULL, "u32 max");
	EXPECT(value("4294967296", &U32, &v) == -ERANGE, "u32 max + 1");
	EXPECT(value("256", &U8, &v) == -ERANGE, "u8 256");
	EXPECT(value("-1", &U32, &v) == -ERANGE, "-1 unsigned");
	EXPECT(!value("-0", &U32, &v) && v == 0, "-0");
	EXPECT(!value("127", &S8, &v) && v == 127, "s8 127");
	EXPECT(value("128", &S8, &v) == -ERANGE, "s8 128");
	EXPECT(!value("-128", &S8, &v) && (int64_t)v == -128, "s8 -128");
	EXPECT(value("-129", &S8, &v) == -ERANGE, "s8 -129");
	EXPECT(!value("18446744073709551615", &U64, &v) && v == UINT64_MAX,
	       "u64 max");
	EXPECT(value("18446744073709551616", &U64, &v) == -ERANGE, "u64 max + 1");
	EXPECT(!value("-9223372036854775808", &S64, &v) && v == 1ULL << 63,
	       "s64 min");
	EXPECT(value("-9223372036854775809", &S64, &v) == -ERANGE, "s64 min - 1");
	EXPECT(value("9223372036854775808", &S64, &v) == -ERANGE, "s64 max + 1");
	EXPECT(!value("true", &BOOL, &v) && v == 1, "true");
	EXPECT(!value("false", &BOOL, &v) && v == 0, "false");
	EXPECT(!value("1", &BOOL, &v) && v == 1, "1");
	EXPECT(value("2", &BOOL, &v) == -ERANGE, "bool 2");
	EXPECT(value("true", &U32, &v) == -EINVAL, "true for a u32");
	EXPECT(value("yes", &BOOL, &v) == -EINVAL, "yes");
	EXPECT(value("", &U32, &v) == -EINVAL, "empty");
	EXPECT(value("-", &S8, &v) == -EINVAL, "-");
	EXPECT(value("0x", &U32, &v) == -EINVAL, "0x");
	EXPECT(value("12abc", &U32, &v) == -EINVAL, "trailing garbage");
	EXPECT(value("1.5", &U32, &v) == -EINVAL, "1.5");
	EXPECT(value(" 1", &U32, &v) == -EINVAL, "leading space");
	EXPECT(value("+1", &U32, &v) == -EINVAL, "+1");
	EXPECT(value("--1", &S8, &v) == -EINVAL, "--1");
	return 0;
}

static int values_stored_in_their_width(void)
{
	unsigned char buf[10];
	int64_t min;
	uint64_t max;

	memset(buf, 0xaa, sizeof(buf));
	store_int(buf + 1, &S16, (uint64_t)-2);
	EXPECT(buf[0] == 0xaa && buf[3] == 0xaa, "neighbours overwritten");
	EXPECT((int64_t)load_int(buf + 1, &S16) == -2, "s16 -2 reads %lld",
	       (long long)load_int(buf + 1, &S16));
	store_int(buf, &U32, 4000000000U);
	EXPECT(buf[4] == 0xaa && load_int(buf, &U32) == 4000000000U, "u32");
	store_int(buf, &S8, (uint64_t)-1);
	/* 4000000000 is 0xee6b2800: its second byte stays. */
	EXPECT(buf[1] == 0x28 && (int64_t)load_int(buf, &S8) == -1 &&
	       load_int(buf, &U8) == 255, "s8 -1");
	store_int(buf, &U64, 0x0102030405060708ULL);
	EXPECT(load_int(buf, &U64) == 0x0102030405060708ULL && buf[8] == 0xaa,
	       "u64");
	int_kind_range(&S16, &min, &max);
	EXPECT(min == -32768 && max == 32767, "s16 range %lld..%llu",
	       (long long)min, (unsigned long long)max);
	int_kind_range(&U32, &min, &max);
	EXPECT(min == 0 && max == 4294967295ULL, "u32 range");
	int_kind_range(&BOOL, &min, &max);
	EXPECT(min == 0 && max == 1, "bool range");
	return 0;
}

static int assignments_are_name_equals_value(void)
{
	static const char *const bad[] = {
		"a", "a=", "=1", "", "1a=2", "a-b=1", "a b=1", "=",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1",
	};
	char name[KNOB_NAME_MAX];
	const char *v = NULL;
	size_t i;

	EXPECT(!split_assignment("density_threshold=90", name, &v) &&
	       !strcmp(name, "density_threshold") && !strcmp(v, "90"), "plain");
	EXPECT(!split_assignment("_x1=b=c", name, &v) && !strcmp(name, "_x1") &&
	       !strcmp(v, "b=c"), "value with '='");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT(split_assignment(bad[i], name, &v) == -EINVAL,
		       "'%s' taken", bad[i]);
	return 0;
}

static int load_command_line(void)
{
	struct load_args a;

	EXPECT(parse(load_parse_args, &a, "load", "x.o") == -1 &&
	       !strcmp(a.path, "x.o") && !a.nsets && !a.make_default &&
	       !a.new_name, "plain: %s", err_text);
	EXPECT(parse(load_parse_args, &a, "load", "--set", "a=1", "x.o",
		     "--default", "--set", "b=-2", "--name", "t") == -1 &&
	       a.nsets == 2 && !strcmp(a.sets[0], "a=1") &&
	       !strcmp(a.sets[1], "b=-2") && a.make_default &&
	       !strcmp(a.new_name, "t") && !strcmp(a.path, "x.o"),
	       "--set twice: %s", err_text);
	EXPECT(parse(load_parse_args, &a, "load") == 2 &&
	       said("wants one OBJ"), "no OBJ: %s", err_text);
	EXPECT(parse(load_parse_args, &a, "load", "x.o", "y.o") == 2 &&
	       said("wants one OBJ"), "two OBJ: %s", err_text);
	EXPECT(parse(load_parse_args, &a, "load", "x.o", "--set", "a") == 2 &&
	       said("--set wants KNOB=VALUE, KNOB a C identifier, not 'a'"),
	       "--set a: %s", err_text);
	EXPECT(parse(load_parse_args, &a, "load", "x.o", "--set", "=1") == 2 &&
	       said("not '=1'"), "--set =1: %s", err_text);
	EXPECT(parse(load_parse_args, &a, "load", "x.o", "--set", "a=") == 2 &&
	       said("not 'a='"), "--set a=: %s", err_text);
	EXPECT(parse(load_parse_args, &a, "load", "x.o", "--set", "a=1",
		     "--set", "a=2") == 2 && said("knob a is set twice"),
	       "same knob twice: %s", err_text);
	EXPECT(parse(load_parse_args, &a, "load", "x.o", "--set") == 2,
	       "--set without argument: %s", err_text);
	EXPECT(parse(load_parse_args, &a, "load", "--name", "a/b", "x.o") == 2 &&
	       said("invalid policy name 'a/b'"), "--name a/b: %s", err_text);
	EXPECT(parse(load_parse_args, &a, "load", "--name", "", "x.o") == 2 &&
	       said("invalid policy name ''"), "--name '': %s", err_text);
	EXPECT(parse(load_parse_args, &a, "load", "x.o", "--bogus") == 2,
	       "--bogus: %s", err_text);
	EXPECT(parse(load_parse_args, &a, "load", "--help") == 0 &&
	       said("--set KNOB=VALUE") && said("gmemctl params OBJ"),
	       "--help: %s", err_text);
	return 0;
}

static int params_command_line(void)
{
	struct params_args a;

	EXPECT(parse(params_parse_args, &a, "params", "x.o") == -1 &&
	       !strcmp(a.path, "x.o"), "plain: %s", err_text);
	EXPECT(parse(params_parse_args, &a, "params") == 2 &&
	       said("wants one OBJ"), "no OBJ: %s", err_text);
	EXPECT(parse(params_parse_args, &a, "params", "x.o", "y") == 2 &&
	       said("wants one OBJ"), "extra: %s", err_text);
	EXPECT(parse(params_parse_args, &a, "params", "--help") == 0 &&
	       said("Usage: gmemctl params OBJ"), "--help: %s", err_text);
	return 0;
}

static int use_command_line(void)
{
	struct use_args a;

	EXPECT(parse(use_parse_args, &a, "use", "lru") == -1 &&
	       !strcmp(a.name, "lru") && a.pid == -1, "plain: %s", err_text);
	EXPECT(parse(use_parse_args, &a, "use", "system", "--pid", "62") == -1 &&
	       a.pid == 62, "system --pid: %s", err_text);
	EXPECT(parse(use_parse_args, &a, "use") == 2 &&
	       said("wants one policy NAME"), "no NAME: %s", err_text);
	EXPECT(parse(use_parse_args, &a, "use", "lru", "mru") == 2 &&
	       said("wants one policy NAME"), "extra: %s", err_text);
	EXPECT(parse(use_parse_args, &a, "use", "") == 2 &&
	       said("invalid policy name ''"), "'': %s", err_text);
	EXPECT(parse(use_parse_args, &a, "use", "system") == 2 &&
	       said("only goes with --pid"), "system: %s", err_text);
	EXPECT(parse(use_parse_args, &a, "use", "lru", "--pid", "") == 2 &&
	       said("bad pid ''"), "--pid '': %s", err_text);
	EXPECT(parse(use_parse_args, &a, "use", "lru", "--pid", "0") == 2 &&
	       said("bad pid '0'"), "--pid 0: %s", err_text);
	EXPECT(parse(use_parse_args, &a, "use", "lru", "--pid", "62x") == 2 &&
	       said("bad pid '62x'"), "--pid 62x: %s", err_text);
	return 0;
}

static int trace_command_line(void)
{
	struct trace_args a;

	EXPECT(parse(trace_parse_args, &a, "trace") == -1 && !a.pid &&
	       !a.count && !a.duration, "plain: %s", err_text);
	EXPECT(parse(trace_parse_args, &a, "trace", "--pid", "5", "--count",
		     "3", "--duration", "10", "--verbose") == -1 && a.pid == 5 &&
	       a.count == 3 && a.duration == 10 && a.verbose,
	       "all: %s", err_text);
	EXPECT(parse(trace_parse_args, &a, "trace", "extra") == 2 &&
	       said("unexpected argument 'extra'"), "extra: %s", err_text);
	EXPECT(parse(trace_parse_args, &a, "trace", "--count", "") == 2 &&
	       said("bad number ''"), "--count '': %s", err_text);
	EXPECT(parse(trace_parse_args, &a, "trace", "--duration", "1x") == 2 &&
	       said("bad number '1x'"), "--duration 1x: %s", err_text);
	EXPECT(parse(trace_parse_args, &a, "trace", "--pid", "-1") == 2 &&
	       said("bad number '-1'"), "--pid -1: %s", err_text);
	return 0;
}

const struct host_test args_tests[] = {
	{ "numbers: digits only, no sign, space or suffix", numbers_are_digits_only },
	{ "knob values: decimal or 0x, within their type", knob_values_fit_their_type },
	{ "knob values stored and read in their width", values_stored_in_their_width },
	{ "--set NAME=VALUE: NAME an identifier, VALUE not empty", assignments_are_name_equals_value },
	{ "load: OBJ, --set, --name; bad usage exits 2", load_command_line },
	{ "params: one OBJ; bad usage exits 2", params_command_line },
	{ "use: NAME, --pid; bad usage exits 2", use_command_line },
	{ "trace: numbers, no extra arguments; bad usage exits 2", trace_command_line },
	{ NULL }
};
