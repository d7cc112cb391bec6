// SPDX-License-Identifier: GPL-2.0
/*
 * gmemctl: the GMEM-BPF command line. Loads BPF policies (objects with one
 * SEC(".struct_ops") map of struct gmem_policy_ops), selects them
 * system-wide or per process, shows what they do, and traces faults.
 *
 *   gmemctl load OBJ [--name NAME] [--default] [--verbose]
 *   gmemctl unload NAME
 *   gmemctl use NAME [--pid PID]
 *   gmemctl list | status | stats [--json]
 *   gmemctl trace [--pid PID] [--count N] [--duration SEC]
 *
 * A loaded policy is held by the kernel, not by this process: load
 * registers the struct_ops map and exits; unload deletes the map's
 * element, as `bpftool struct_ops unregister` does.
 *
 * Exit status: 0 done, 1 something failed (the message says what), 2 bad
 * command line.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <libelf.h>
#include <linux/types.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "gmem_trace.h"
#include "gmem_trace.skel.h"

#define GMEM_SYSFS	"/sys/kernel/gmem"
#define POLICY_FILE	GMEM_SYSFS "/policy"
#define POLICIES_DIR	GMEM_SYSFS "/policies"
#define DEVICES_DIR	GMEM_SYSFS "/devices"

/* include/linux/gmem.h: GMEM_POLICY_NAME_MAX, with the NUL */
#define NAME_LEN	16
#define NAME_RULE	"1 to 15 characters of [A-Za-z0-9_-], not \"system\""

/* The kernel's value type of a gmem_policy_ops struct_ops map. */
#define ST_VALUE_TYPE	"bpf_struct_ops_gmem_policy_ops"
/* enum bpf_struct_ops_state in 6.1: INIT, INUSE (registered), TOBEFREE */
#define ST_STATE_INUSE	1

/*
 * "gmemctl: WHAT: strerror(err)" and, if @hint, " (HINT)". Returns 1, the
 * exit status of a runtime error.
 */
static int __attribute__((format(printf, 3, 4)))
fail(int err, const char *hint, const char *fmt, ...)
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

/* A hint for errors of files and syscalls only root may use. */
static const char *perm_hint(int err)
{
	return err == EPERM || err == EACCES ? "needs CAP_SYS_ADMIN" : NULL;
}

/* One file's content without its trailing newline; 0 or -errno. */
static int read_text(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/*
 * Write @text to @path in one write(); *ms is how long write() took (for
 * the policy files, that includes the kernel's RCU grace period).
 */
static int write_timed(const char *path, const char *text, double *ms)
{
	struct timespec t0, t1;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = write(fd, text, strlen(text));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(text))
		err = -EIO;
	close(fd);
	*ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	return err;
}

static bool name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || len >= NAME_LEN || !strcmp(name, "system"))
		return false;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '-')
			return false;
	}
	return true;
}

/* A decimal number for --pid; -1 if it is not one. */
static long parse_number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return -1;
	return v;
}

/* --- the registry: /sys/kernel/gmem/policy -------------------------------- */

/* "[default] lru seq": the names in registration order, and the default. */
struct registry {
	char text[8192];
	char *names[4096];
	int n;
	int cur;		/* index of the system default, or -1 */
};

static int read_registry(struct registry *r)
{
	char *save = NULL, *tok;
	int err;

	r->n = 0;
	r->cur = -1;
	err = read_text(POLICY_FILE, r->text, sizeof(r->text));
	if (err)
		return err;
	for (tok = strtok_r(r->text, " \n", &save); tok && r->n < 4096;
	     tok = strtok_r(NULL, " \n", &save)) {
		size_t len = strlen(tok);

		if (tok[0] == '[' && len > 2 && tok[len - 1] == ']') {
			tok[len - 1] = '\0';
			tok++;
			r->cur = r->n;
		}
		r->names[r->n++] = tok;
	}
	return 0;
}

static int registry_fail(int err)
{
	return fail(-err, err == -ENOENT ? "is this the GMEM kernel?" : NULL,
		    "reading %s", POLICY_FILE);
}

/* /sys/kernel/gmem/policies/NAME/FILE into @buf; "?" if unreadable. */
static void policy_attr(const char *name, const char *file, char *buf,
			size_t size)
{
	char path[256];

	snprintf(path, sizeof(path), POLICIES_DIR "/%s/%s", name, file);
	if (read_text(path, buf, size))
		snprintf(buf, size, "?");
}

/* --- struct_ops maps of registered policies --------------------------------- */

struct policy_map {
	char name[NAME_LEN];
	__u32 id;
};

/* Skip modifiers and typedefs. */
static const struct btf_type *resolve(const struct btf *btf, __u32 id,
				      __u32 *res_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (res_id)
		*res_id = id;
	return t;
}

/* Byte offset of member @name of struct @t, its type in *@type; or -1. */
static long member_offset(const struct btf *btf, const struct btf_type *t,
			  const char *name, __u32 *type)
{
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), name))
			continue;
		if (type)
			*type = m->type;
		return btf_member_bit_offset(t, i) / 8;
	}
	return -1;
}

/*
 * Every registered gmem_policy_ops struct_ops map, with the name in its
 * value: struct bpf_struct_ops_gmem_policy_ops { refcnt, state, data },
 * laid out as the kernel's BTF says. Returns how many, or -errno.
 */
static int scan_policy_maps(struct policy_map **out)
{
	long state_off, data_off, name_off;
	struct policy_map *maps = NULL;
	const struct btf_type *t;
	int n = 0, err = 0;
	struct btf *btf;
	__u32 id = 0, data_type;
	__s32 value_type;
	void *value = NULL;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return -errno;
	value_type = btf__find_by_name_kind(btf, ST_VALUE_TYPE, BTF_KIND_STRUCT);
	if (value_type < 0) {
		btf__free(btf);
		return -ENOENT;
	}
	t = btf__type_by_id(btf, value_type);
	state_off = member_offset(btf, t, "state", NULL);
	data_off = member_offset(btf, t, "data", &data_type);
	t = resolve(btf, data_type, NULL);
	name_off = t && btf_is_struct(t) ? member_offset(btf, t, "name", NULL) : -1;
	btf__free(btf);
	if (state_off < 0 || data_off < 0 || name_off < 0)
		return -ENOENT;

	for (;;) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info), key = 0;
		struct policy_map *grown;
		int fd;

		err = bpf_map_get_next_id(id, &id);
		if (err) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT)	/* gone meanwhile */
				continue;
			err = -errno;
			break;
		}
		if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
		    info.type != BPF_MAP_TYPE_STRUCT_OPS ||
		    info.btf_vmlinux_value_type_id != (__u32)value_type ||
		    info.value_size < data_off + name_off + NAME_LEN) {
			close(fd);
			continue;
		}
		free(value);
		value = calloc(1, info.value_size);
		if (!value) {
			close(fd);
			err = -ENOMEM;
			break;
		}
		err = bpf_map_lookup_elem(fd, &key, value);
		close(fd);
		if (err) {
			err = 0;
			continue;
		}
		/* Loaded but not (or no longer) registered. */
		if (*(int *)(value + state_off) != ST_STATE_INUSE)
			continue;
		grown = realloc(maps, (n + 1) * sizeof(*maps));
		if (!grown) {
			err = -ENOMEM;
			break;
		}
		maps = grown;
		memcpy(maps[n].name, value + data_off + name_off, NAME_LEN);
		maps[n].name[NAME_LEN - 1] = '\0';
		maps[n].id = id;
		n++;
	}
	free(value);
	if (err) {
		free(maps);
		return err;
	}
	*out = maps;
	return n;
}

static const struct policy_map *find_map(const struct policy_map *maps, int n,
					 const char *name)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(maps[i].name, name))
			return &maps[i];
	}
	return NULL;
}

/* --- load ----------------------------------------------------------------- */

static bool verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (!verbose)
		return 0;
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

/* include/linux/license.h: license_is_gpl_compatible() */
static bool gpl_compatible(const char *license)
{
	static const char *const ok[] = {
		"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
		"Dual MIT/GPL", "Dual MPL/GPL",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (!strcmp(license, ok[i]))
			return true;
	}
	return false;
}

/* Where the object file keeps its license string and .struct_ops data. */
struct obj_sections {
	char license[128];
	bool has_license;
	size_t st_off, st_size;	/* .struct_ops in the file, if st_size */
};

static int read_sections(char *buf, size_t size, struct obj_sections *s)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	Elf *elf;

	memset(s, 0, sizeof(*s));
	elf_version(EV_CURRENT);
	elf = elf_memory(buf, size);
	if (!elf || elf_kind(elf) != ELF_K_ELF ||
	    elf_getshdrstrndx(elf, &shstrndx)) {
		if (elf)
			elf_end(elf);
		return -ENOEXEC;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || sh.sh_type == SHT_NOBITS ||
		    sh.sh_offset > size || sh.sh_size > size - sh.sh_offset)
			continue;
		if (!strcmp(name, "license")) {
			size_t len = sh.sh_size < sizeof(s->license) - 1 ?
				     sh.sh_size : sizeof(s->license) - 1;

			memcpy(s->license, buf + sh.sh_offset, len);
			s->license[len] = '\0';
			s->has_license = true;
		} else if (!strcmp(name, ".struct_ops")) {
			s->st_off = sh.sh_offset;
			s->st_size = sh.sh_size;
		}
	}
	elf_end(elf);
	return 0;
}

/*
 * @map's variable in the object's .struct_ops section (BTF DATASEC): its
 * offset in the section and its struct type, if it is a gmem_policy_ops.
 * libbpf 1.1 has no BTF value type id for struct_ops maps before load.
 */
static const struct btf_type *policy_var(const struct btf *btf,
					 const struct bpf_map *map,
					 __u32 *offset)
{
	const struct btf_var_secinfo *vsi;
	const struct btf_type *sec, *t;
	__s32 sec_id;
	int i;

	if (!btf || bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
		return NULL;
	sec_id = btf__find_by_name_kind(btf, ".struct_ops", BTF_KIND_DATASEC);
	if (sec_id < 0)
		return NULL;
	sec = btf__type_by_id(btf, sec_id);
	vsi = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);

		if (!var || !btf_is_var(var) ||
		    strcmp(btf__name_by_offset(btf, var->name_off),
			   bpf_map__name(map)))
			continue;
		t = resolve(btf, var->type, NULL);
		if (!t || !btf_is_struct(t) ||
		    strcmp(btf__name_by_offset(btf, t->name_off),
			   "gmem_policy_ops"))
			return NULL;
		*offset = vsi->offset;
		return t;
	}
	return NULL;
}

/*
 * The object's one gmem_policy_ops struct_ops map, *@count of them, and
 * in *@name_off where its `name` is in the .struct_ops section.
 */
static struct bpf_map *policy_map_of(struct bpf_object *obj, int *count,
				     long *name_off)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map, *found = NULL;

	*count = 0;
	*name_off = -1;
	bpf_object__for_each_map(map, obj) {
		const struct btf_type *t;
		__u32 offset;
		long off;

		t = policy_var(btf, map, &offset);
		if (!t)
			continue;
		found = map;
		(*count)++;
		off = member_offset(btf, t, "name", NULL);
		*name_off = off < 0 ? -1 : (long)offset + off;
	}
	return found;
}

static void load_usage(FILE *out)
{
	fprintf(out,
		"Usage: gmemctl load OBJ [--name NAME] [--default] [--verbose]\n"
		"\n"
		"Load the BPF object OBJ (its one SEC(\".struct_ops\") map of struct\n"
		"gmem_policy_ops; GPL-compatible license) and register it as a GMEM\n"
		"policy. It stays registered after gmemctl exits: gmemctl unload\n"
		"removes it.\n"
		"  --name NAME  register it as NAME instead of the name in OBJ\n"
		"               (" NAME_RULE ")\n"
		"  --default    then make it the system default\n"
		"  --verbose    show libbpf's messages\n");
}

static int set_default(const char *name);

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

static int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "default", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	const char *path, *new_name = NULL, *base;
	bool make_default = false;
	struct bpf_object *obj = NULL;
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	struct bpf_program *prog;
	struct obj_sections sec;
	char obj_name[64], name[NAME_LEN];
	size_t log_size = 16 << 20;	/* libbpf's own default */
	char *buf = NULL, *log = NULL;
	struct bpf_map *map;
	struct bpf_link *link;
	int opt, err, ret = 1, count;
	long name_off;
	ssize_t size;
	FILE *f;

	while ((opt = getopt_long(argc, argv, "n:dvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': new_name = optarg; break;
		case 'd': make_default = true; break;
		case 'v': verbose = true; break;
		case 'h': load_usage(stdout); return 0;
		default: load_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "gmemctl load: wants one OBJ (gmemctl load --help)\n");
		return 2;
	}
	if (new_name && !name_valid(new_name)) {
		fprintf(stderr, "gmemctl load: invalid policy name '%s': " NAME_RULE "\n",
			new_name);
		return 2;
	}
	path = argv[optind];
	libbpf_set_print(libbpf_print);

	/* The whole file: its sections are checked, and may be renamed. */
	f = fopen(path, "rb");
	if (!f)
		return fail(errno, NULL, "opening %s", path);
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return fail(errno, NULL, "reading %s", path);
	}
	buf = malloc(size ? size : 1);
	if (!buf || fread(buf, 1, size, f) != (size_t)size) {
		err = buf ? (ferror(f) ? errno : EIO) : ENOMEM;
		fclose(f);
		free(buf);
		return fail(err, NULL, "reading %s", path);
	}
	fclose(f);

	if (read_sections(buf, size, &sec)) {
		fail(ENOEXEC, NULL, "%s is not a BPF object", path);
		goto out;
	}
	if (!sec.has_license) {
		fprintf(stderr, "gmemctl: %s has no license section: GMEM policies must be GPL-compatible (char LICENSE[] SEC(\"license\") = \"GPL\";)\n",
			path);
		goto out;
	}
	if (!gpl_compatible(sec.license)) {
		fprintf(stderr, "gmemctl: %s is licensed \"%s\", which is not GPL-compatible: GMEM policies use GPL-only kernel functions, refusing to load it\n",
			path, sec.license);
		goto out;
	}

	/* libbpf names the object after the file, as bpf_object__open_file(). */
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(obj_name, sizeof(obj_name), "%.*s",
		 (int)strcspn(base, "."), base);
	open_opts.object_name = obj_name;

	for (;;) {
		obj = bpf_object__open_mem(buf, size, &open_opts);
		if (!obj) {
			fail(errno, NULL, "opening %s with libbpf", path);
			goto out;
		}
		map = policy_map_of(obj, &count, &name_off);
		if (!map) {
			fprintf(stderr, "gmemctl: %s has no gmem_policy_ops map (a SEC(\".struct_ops\") variable of struct gmem_policy_ops)\n",
				path);
			goto out;
		}
		if (count > 1) {
			fprintf(stderr, "gmemctl: %s has %d gmem_policy_ops maps; a policy object has one\n",
				path, count);
			goto out;
		}
		if (name_off < 0 || !sec.st_size ||
		    (size_t)name_off + NAME_LEN > sec.st_size) {
			fprintf(stderr, "gmemctl: %s: cannot find the name of struct_ops map %s in its BTF\n",
				path, bpf_map__name(map));
			goto out;
		}
		memcpy(name, buf + sec.st_off + name_off, NAME_LEN);
		name[NAME_LEN - 1] = '\0';
		/*
		 * A gmem_policy_ops that sets only .name has no program:
		 * libbpf 1.1 then never loads the kernel's BTF, which its
		 * struct_ops maps need, and crashes in bpf_object__load().
		 */
		if (!bpf_object__next_program(obj, NULL)) {
			fprintf(stderr, "gmemctl: %s: policy '%s' sets no hook, only its name: a policy needs at least one of gmem_policy_ops' hooks (a SEC(\"struct_ops/...\") program)\n",
				path, name);
			goto out;
		}
		if (!new_name || !strcmp(name, new_name))
			break;
		/*
		 * libbpf 1.1 gives no access to a struct_ops map's data before
		 * load (bpf_map__initial_value() is NULL for them), so the name
		 * is changed in the file's .struct_ops data, and the object
		 * opened again from the changed copy.
		 */
		memset(buf + sec.st_off + name_off, 0, NAME_LEN);
		memcpy(buf + sec.st_off + name_off, new_name, strlen(new_name));
		bpf_object__close(obj);
		obj = NULL;
	}

	/*
	 * One buffer for all programs: libbpf loads them in order and stops
	 * at the first one refused, and only a failed load (retried with
	 * log_level 1) writes the log.
	 */
	log = malloc(log_size);
	if (!log) {
		fail(ENOMEM, NULL, "loading %s", path);
		goto out;
	}
	log[0] = '\0';
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_log_buf(prog, log, log_size);

	err = bpf_object__load(obj);
	if (err) {
		const char *failed = NULL;

		bpf_object__for_each_program(prog, obj) {
			if (bpf_program__autoload(prog) &&
			    bpf_program__fd(prog) < 0) {
				failed = bpf_program__name(prog);
				break;
			}
		}
		if (log[0] && failed) {
			/* 6.1 keeps the start of a log too long: -ENOSPC. */
			fprintf(stderr, "gmemctl: loading %s: the verifier refused program %s: %s\n",
				path, failed, err == -ENOSPC ?
				"its log was too long to keep whole" :
				strerror(-err));
			fprintf(stderr, "gmemctl: end of the verifier log:\n");
			print_log_tail(log, 6);
		} else {
			fail(-err, err == -EPERM ? "loading a policy needs CAP_SYS_ADMIN" :
			     "gmemctl load --verbose shows libbpf's messages",
			     "loading %s", path);
		}
		goto out;
	}

	link = bpf_map__attach_struct_ops(map);
	if (!link) {
		err = errno;
		if (err == EEXIST)
			fail(err, "a policy of that name is loaded; --name gives this one another",
			     "registering policy '%s' from %s", name, path);
		else if (err == EINVAL)
			fail(err, "a policy name is " NAME_RULE,
			     "registering policy '%s' from %s", name, path);
		else
			fail(err, perm_hint(err),
			     "registering policy '%s' from %s", name, path);
		goto out;
	}
	/*
	 * Without BPF_F_LINK (6.1), destroying the link would delete the
	 * map's element, unregistering the policy: disconnected, the
	 * registration stays with the kernel.
	 */
	bpf_link__disconnect(link);
	bpf_link__destroy(link);

	bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &info_len);
	printf("loaded policy %s (struct_ops map id %u)\n", name, info.id);
	fflush(stdout);
	if (make_default && set_default(name))
		fprintf(stderr, "gmemctl: policy %s stays loaded (gmemctl unload %s)\n",
			name, name);
	else
		ret = 0;
out:
	bpf_object__close(obj);
	free(log);
	free(buf);
	return ret;
}

/* --- use ------------------------------------------------------------------ */

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

static int set_default(const char *name)
{
	double ms;
	int err;

	err = write_timed(POLICY_FILE, name, &ms);
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

static int cmd_use(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char path[64], comm[64], where[128];
	const char *name;
	long pid = -1;
	double ms;
	int opt, err;

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
	if (strcmp(name, "system") && !name_valid(name)) {
		fprintf(stderr, "gmemctl use: invalid policy name '%s': " NAME_RULE "\n",
			name);
		return 2;
	}
	if (pid < 0) {
		if (!strcmp(name, "system")) {
			fprintf(stderr, "gmemctl use: \"system\" only goes with --pid (a process following the system default)\n");
			return 2;
		}
		return set_default(name);
	}

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if (read_text(path, comm, sizeof(comm)))
		return fail(ESRCH, NULL, "selecting policy %s for pid %ld", name,
			    pid);
	snprintf(path, sizeof(path), "/proc/%ld/gmem_policy", pid);
	snprintf(where, sizeof(where), "for pid %ld (%s)", pid, comm);
	err = write_timed(path, name, &ms);
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

/* --- unload --------------------------------------------------------------- */

static void unload_usage(FILE *out)
{
	fprintf(out,
		"Usage: gmemctl unload NAME\n"
		"\n"
		"Unregister policy NAME (delete its struct_ops map's element). Address\n"
		"spaces using it fall back to the system default, or to the built-in\n"
		"\"default\" if it was the system default. \"default\" stays.\n");
}

static int cmd_unload(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const struct policy_map *pm;
	struct policy_map *maps = NULL;
	const char *name;
	int opt, n, key = 0;

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
	if (!name_valid(name)) {
		fprintf(stderr, "gmemctl unload: invalid policy name '%s': " NAME_RULE "\n",
			name);
		return 2;
	}
	if (!strcmp(name, "default")) {
		fprintf(stderr, "gmemctl: unloading policy default: it is the built-in policy, which cannot be unloaded\n");
		return 1;
	}
	n = scan_policy_maps(&maps);
	if (n < 0)
		return fail(-n, perm_hint(-n), "unloading policy %s: looking for its struct_ops map",
			    name);
	pm = find_map(maps, n, name);
	if (!pm) {
		free(maps);
		fprintf(stderr, "gmemctl: unloading policy %s: no policy of that name is loaded (gmemctl list)\n",
			name);
		return 1;
	}
	n = bpf_map_get_fd_by_id(pm->id);
	if (n < 0 || bpf_map_delete_elem(n, &key)) {
		int err = errno;

		if (n >= 0)
			close(n);
		fail(err, perm_hint(err), "unloading policy %s (struct_ops map id %u)",
		     name, pm->id);
		free(maps);
		return 1;
	}
	close(n);
	printf("unloaded policy %s (struct_ops map id %u)\n", name, pm->id);
	free(maps);
	return 0;
}

/* --- list, status, stats -------------------------------------------------- */

static void list_usage(FILE *out)
{
	fprintf(out,
		"Usage: gmemctl list\n"
		"\n"
		"One line per registered policy: its name, * for the system default,\n"
		"state (active, or ejected by the watchdog), the address spaces using\n"
		"it, and its struct_ops map id (\"built-in\" for the C default).\n");
}

/* The map ids of loaded policies if we may see them; NULL otherwise. */
static struct policy_map *maps_if_allowed(int *n)
{
	struct policy_map *maps = NULL;

	*n = scan_policy_maps(&maps);
	if (*n < 0) {
		*n = 0;
		return NULL;
	}
	return maps;
}

static int no_args(int argc, char **argv, void (*usage)(FILE *), bool *json)
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

static int cmd_list(int argc, char **argv)
{
	struct registry *r;
	struct policy_map *maps;
	int i, n, ret;

	ret = no_args(argc, argv, list_usage, NULL);
	if (ret >= 0)
		return ret;
	r = malloc(sizeof(*r));
	if (!r)
		return fail(ENOMEM, NULL, "list");
	ret = read_registry(r);
	if (ret) {
		free(r);
		return registry_fail(ret);
	}
	maps = maps_if_allowed(&n);
	for (i = 0; i < r->n; i++) {
		const struct policy_map *pm = find_map(maps, n, r->names[i]);
		char state[32], nr_as[32], where[48];

		policy_attr(r->names[i], "state", state, sizeof(state));
		policy_attr(r->names[i], "address_spaces", nr_as, sizeof(nr_as));
		if (!strcmp(r->names[i], "default"))
			snprintf(where, sizeof(where), "built-in");
		else if (pm)
			snprintf(where, sizeof(where), "struct_ops map id %u", pm->id);
		else
			snprintf(where, sizeof(where), "struct_ops map id ?");
		printf("%-15s %c %-7s %4s address spaces  %s\n", r->names[i],
		       i == r->cur ? '*' : ' ', state, nr_as, where);
	}
	free(maps);
	free(r);
	return 0;
}

static void status_usage(FILE *out)
{
	fprintf(out,
		"Usage: gmemctl status\n"
		"\n"
		"The system default, every policy's state and address spaces, the\n"
		"policies the watchdog ejected and why (their address spaces fell\n"
		"back to the default), and which policy each process's GMEM address\n"
		"space uses (/proc/PID/gmem_policy).\n");
}

static int cmd_status(int argc, char **argv)
{
	struct registry *r;
	struct dirent *de;
	int i, ret, ejected = 0, spaces = 0;
	DIR *proc;

	ret = no_args(argc, argv, status_usage, NULL);
	if (ret >= 0)
		return ret;
	r = malloc(sizeof(*r));
	if (!r)
		return fail(ENOMEM, NULL, "status");
	ret = read_registry(r);
	if (ret) {
		free(r);
		return registry_fail(ret);
	}
	printf("system default: %s\n", r->cur >= 0 ? r->names[r->cur] : "?");
	printf("policies:\n");
	for (i = 0; i < r->n; i++) {
		char state[32], nr_as[32];

		policy_attr(r->names[i], "state", state, sizeof(state));
		policy_attr(r->names[i], "address_spaces", nr_as, sizeof(nr_as));
		printf("  %-15s %-7s %4s address spaces\n", r->names[i], state,
		       nr_as);
	}
	printf("fallbacks:\n");
	for (i = 0; i < r->n; i++) {
		char reason[256];

		policy_attr(r->names[i], "exit_reason", reason, sizeof(reason));
		if (!reason[0] || !strcmp(reason, "?"))
			continue;
		printf("  %-15s ejected: %s\n", r->names[i], reason);
		ejected++;
	}
	if (!ejected)
		printf("  none\n");

	printf("address spaces:\n");
	proc = opendir("/proc");
	if (!proc) {
		free(r);
		return fail(errno, NULL, "reading /proc");
	}
	while ((de = readdir(proc))) {
		char path[300], sel[64], comm[64];
		long pid = parse_number(de->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/gmem_policy", pid);
		if (read_text(path, sel, sizeof(sel)) || !strcmp(sel, "none"))
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		if (read_text(path, comm, sizeof(comm)))
			snprintf(comm, sizeof(comm), "?");
		printf("  pid %-7ld %-16s %s\n", pid, comm, sel);
		spaces++;
	}
	closedir(proc);
	if (!spaces)
		printf("  none\n");
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

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* A JSON number if @s is an integer, else a string. */
static void json_value(const char *s)
{
	char *end;

	errno = 0;
	strtoll(s, &end, 10);
	if (*s && !*end && !errno &&
	    (isdigit((unsigned char)s[0]) || s[0] == '-') &&
	    !(s[0] == '0' && s[1]) && !(s[0] == '-' && (!s[1] || s[1] == '0')))
		fputs(s, stdout);
	else
		json_string(s);
}

/* One object: the files of @dir we know, those that exist. */
static void print_attrs(const char *dir, const char *const *files, int n,
			bool json)
{
	bool first = true;
	int i;

	for (i = 0; i < n; i++) {
		char path[512], value[512];

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (read_text(path, value, sizeof(value)))
			continue;
		if (json) {
			printf("%s\"%s\": ", first ? "" : ", ", files[i]);
			json_value(value);
		} else if (strchr(value, ' ') || !value[0]) {
			if (value[0])
				printf(" %s=\"%s\"", files[i], value);
		} else {
			printf(" %s=%s", files[i], value);
		}
		first = false;
	}
}

static int cmd_stats(int argc, char **argv)
{
	struct dirent **devs = NULL;
	struct registry *r;
	bool json = false;
	int i, ret, ndevs;

	ret = no_args(argc, argv, stats_usage, &json);
	if (ret >= 0)
		return ret;
	r = malloc(sizeof(*r));
	if (!r)
		return fail(ENOMEM, NULL, "stats");
	ret = read_registry(r);
	if (ret) {
		free(r);
		return registry_fail(ret);
	}
	ndevs = scandir(DEVICES_DIR, &devs, NULL, alphasort);
	if (ndevs < 0)
		ndevs = 0;	/* no device driver loaded */

	if (json) {
		printf("{\"system_default\": ");
		json_string(r->cur >= 0 ? r->names[r->cur] : "");
		printf(", \"policies\": {");
	}
	for (i = 0; i < r->n; i++) {
		char dir[256];

		snprintf(dir, sizeof(dir), POLICIES_DIR "/%s", r->names[i]);
		if (json) {
			printf("%s", i ? ", " : "");
			json_string(r->names[i]);
			printf(": {");
		} else {
			printf("policy %s%s:", r->names[i],
			       i == r->cur ? " (system default)" : "");
		}
		print_attrs(dir, policy_files,
			    sizeof(policy_files) / sizeof(policy_files[0]), json);
		printf(json ? "}" : "\n");
	}
	if (json)
		printf("}, \"devices\": {");
	for (i = 0, ret = 0; i < ndevs; i++) {
		char dir[512];

		if (devs[i]->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), DEVICES_DIR "/%s", devs[i]->d_name);
		if (json) {
			printf("%s", ret++ ? ", " : "");
			json_string(devs[i]->d_name);
			printf(": {");
		} else {
			printf("device %s:", devs[i]->d_name);
		}
		print_attrs(dir, device_files,
			    sizeof(device_files) / sizeof(device_files[0]), json);
		printf(json ? "}" : "\n");
	}
	if (json)
		printf("}}\n");
	for (i = 0; i < ndevs; i++)
		free(devs[i]);
	free(devs);
	free(r);
	return 0;
}

/* --- trace ---------------------------------------------------------------- */

static const char *const kind_names[GMEM_TRACE_NR_KINDS] = {
	[GMEM_TRACE_FAULT_READ] = "fault-read",
	[GMEM_TRACE_FAULT_WRITE] = "fault-write",
	[GMEM_TRACE_TO_DEVICE] = "to-device",
	[GMEM_TRACE_TO_HOST] = "to-host",
	[GMEM_TRACE_EVICT] = "evict",
};

/* gmem:gmem_migrate's reasons, as the tracepoint prints them. */
static const char *const reasons[] = {
	"fault", "prefetch", "cpu_fault", "evict", "hmadvise", "device_gone",
};

static volatile sig_atomic_t stop;
static unsigned long seen, wanted;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void trace_usage(FILE *out)
{
	fprintf(out,
		"Usage: gmemctl trace [--pid PID] [--count N] [--duration SEC]\n"
		"\n"
		"Print GMEM device faults, migrations and eviction rounds as they\n"
		"happen (tp_btf programs on the gmem:* tracepoints), then a count\n"
		"per kind. Stops after N events, SEC seconds, or on Ctrl-C.\n"
		"  --pid PID       only events of process PID\n"
		"  --count N       stop after N events\n"
		"  --duration SEC  stop after SEC seconds\n");
}

static int print_event(void *ctx, void *data, size_t size)
{
	const struct gmem_trace_event *e = data;

	(void)ctx;
	if (size < sizeof(*e) || e->kind >= GMEM_TRACE_NR_KINDS)
		return 0;
	switch (e->kind) {
	case GMEM_TRACE_FAULT_READ:
	case GMEM_TRACE_FAULT_WRITE:
		printf("%-11s pid=%u hnid=%d va=%#llx result=%d latency_ns=%llu\n",
		       kind_names[e->kind], e->tgid, e->hnid,
		       (unsigned long long)e->va, e->result,
		       (unsigned long long)e->latency_ns);
		break;
	case GMEM_TRACE_TO_DEVICE:
	case GMEM_TRACE_TO_HOST:
		printf("%-11s pid=%u hnid=%d va=%#llx pages=%llu reason=%s\n",
		       kind_names[e->kind], e->tgid, e->hnid,
		       (unsigned long long)e->va, (unsigned long long)e->pages,
		       e->result >= 0 && e->result < 6 ? reasons[e->result] : "?");
		break;
	case GMEM_TRACE_EVICT:
		printf("%-11s pid=%u hnid=%d victims=%d evicted=%llu latency_ns=%llu\n",
		       kind_names[e->kind], e->tgid, e->hnid, e->result,
		       (unsigned long long)e->pages,
		       (unsigned long long)e->latency_ns);
		break;
	}
	/* A negative return stops the ring buffer right after this record. */
	if (wanted && ++seen >= wanted) {
		stop = 1;
		return -ECANCELED;
	}
	return 0;
}

static int cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct ring_buffer *rb = NULL;
	struct gmem_trace *skel;
	long duration = 0, pid = 0;
	time_t deadline = 0;
	int opt, err;
	__u32 kind;

	while ((opt = getopt_long(argc, argv, "p:n:d:h", opts, NULL)) != -1) {
		char *end = NULL;
		long v = optarg ? strtol(optarg, &end, 10) : 0;

		if (optarg && (*end || v < 0)) {
			fprintf(stderr, "gmemctl trace: bad number '%s'\n", optarg);
			return 2;
		}
		switch (opt) {
		case 'p': pid = v; break;
		case 'n': wanted = v; break;
		case 'd': duration = v; break;
		case 'h': trace_usage(stdout); return 0;
		default: trace_usage(stderr); return 2;
		}
	}

	skel = gmem_trace__open();
	if (!skel) {
		fprintf(stderr, "gmemctl trace: cannot open the BPF object: %s\n",
			strerror(errno));
		return 1;
	}
	skel->rodata->target_tgid = pid;
	err = gmem_trace__load(skel);
	if (!err)
		err = gmem_trace__attach(skel);
	if (err) {
		fprintf(stderr, "gmemctl trace: cannot load or attach (%s); does the kernel have GMEM's tracepoints and BTF?\n",
			strerror(-err));
		gmem_trace__destroy(skel);
		return 1;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), print_event,
			      NULL, NULL);
	if (!rb) {
		fprintf(stderr, "gmemctl trace: ring buffer: %s\n",
			strerror(errno));
		gmem_trace__destroy(skel);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (duration)
		deadline = time(NULL) + duration;
	fprintf(stderr, "gmemctl trace: attached\n");

	while (!stop && (!deadline || time(NULL) < deadline)) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR && !stop) {
			fprintf(stderr, "gmemctl trace: poll: %s\n",
				strerror(-err));
			break;
		}
		err = 0;
	}
	if (!wanted || seen < wanted)
		ring_buffer__consume(rb);

	printf("--- events");
	for (kind = 0; kind < GMEM_TRACE_NR_KINDS; kind++) {
		__u64 count = 0;

		bpf_map__lookup_elem(skel->maps.event_counts, &kind,
				     sizeof(kind), &count, sizeof(count), 0);
		printf(" %s=%llu", kind_names[kind], (unsigned long long)count);
	}
	printf("\n");
	ring_buffer__free(rb);
	gmem_trace__destroy(skel);
	return err < 0 ? 1 : 0;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "load", cmd_load, "load and register a BPF policy object" },
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
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "gmemctl: unknown command '%s' (gmemctl --help)\n",
		argv[1]);
	return 2;
}
