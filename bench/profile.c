// SPDX-License-Identifier: GPL-2.0
/*
 * The stage profiler (bench/bpf/stage_prof.bpf.c): load probes for what
 * the kernel has of its functions, attach them to time a section, emit
 * one "profile" record per stage that ran and detach them.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include <bpf/libbpf.h>

#include "bench.h"
#include "stage_prof.h"
#include "stage_prof.skel.h"

#define STAGE_FN(id, fn, name)		[id] = #fn,
#define STAGE_NAME(id, fn, name)	[id] = name,
static const char *const stage_fn[STAGE_MAX] = { STAGE_LIST(STAGE_FN) };
static const char *const stage_name[STAGE_MAX] = { STAGE_LIST(STAGE_NAME) };

struct profiler {
	struct stage_prof *skel;
	struct bpf_link *links[2 * STAGE_MAX];
	int nlinks;
};

/*
 * Which stages' functions the running kernel and its loaded modules have:
 * one pass over /proc/kallsyms, which is long.
 */
static void stages_present(bool present[STAGE_MAX])
{
	char line[256], name[128];
	FILE *f = fopen("/proc/kallsyms", "r");
	int i;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %127s", name) != 1)
			continue;
		for (i = 0; i < STAGE_MAX; i++)
			present[i] |= !strcmp(name, stage_fn[i]);
	}
	if (f)
		fclose(f);
}

/* The stage of a program named enter_FN or exit_FN. */
static int stage_of(const struct bpf_program *prog)
{
	const char *fn = strchr(bpf_program__name(prog), '_') + 1;
	int i;

	for (i = 0; i < STAGE_MAX; i++)
		if (!strcmp(fn, stage_fn[i]))
			return i;
	return -1;
}

struct profiler *profiler_open(void)
{
	struct profiler *p = xcalloc(1, sizeof(*p));
	bool present[STAGE_MAX] = { false };
	struct bpf_program *prog;
	int stage;

	p->skel = stage_prof__open();
	if (!p->skel)
		goto fail;
	stages_present(present);
	bpf_object__for_each_program(prog, p->skel->obj) {
		stage = stage_of(prog);
		bpf_program__set_autoload(prog, stage >= 0 && present[stage]);
	}
	if (stage_prof__load(p->skel))
		goto fail;
	return p;
fail:
	fprintf(stderr, "# stage profiler not loaded: no per-stage breakdown\n");
	profiler_close(p);
	return NULL;
}

/* Probes cost even when they record nothing: attached only while timing. */
static void profiler_detach(struct profiler *p)
{
	while (p->nlinks)
		bpf_link__destroy(p->links[--p->nlinks]);
}

void profiler_close(struct profiler *p)
{
	if (!p)
		return;
	profiler_detach(p);
	stage_prof__destroy(p->skel);
	free(p);
}

void profiler_start(struct profiler *p, int pid)
{
	struct bpf_program *prog;

	memset(p->skel->bss->totals, 0, sizeof(p->skel->bss->totals));
	p->skel->bss->tgid = pid;
	bpf_object__for_each_program(prog, p->skel->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		if (link)
			p->links[p->nlinks++] = link;
	}
}

void profiler_emit(struct profiler *p, const char *driver,
		   const char *direction, u64 wall_ns)
{
	int i;

	for (i = 0; i < STAGE_MAX; i++) {
		const struct stage_total *t = &p->skel->bss->totals[i];

		if (!t->calls)
			continue;
		jbegin("profile");
		jstr("driver", driver);
		jstr("direction", direction);
		jstr("stage", stage_name[i]);
		jstr("function", stage_fn[i]);
		ju("ns", t->ns);
		ju("calls", t->calls);
		ju("wall_ns", wall_ns);
		jend();
	}
	profiler_detach(p);
}
