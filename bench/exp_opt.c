// SPDX-License-Identifier: GPL-2.0
/*
 * Experiment "opt": Belady's OPT itself, against an exhaustive search.
 */
#include "bench.h"

void exp_opt(const struct config *c)
{
	unsigned long strings = 20000;
	double secs;
	int bad = opt_check(strings, c->seed, &secs);

	jbegin("opt");
	ju("strings", strings);
	ju("differ", bad);
	jd("seconds_10m_refs", secs);
	jend();
	check(!bad, "opt: Belady's OPT equals an exhaustive search on %lu random strings (%d differ); 10M references in %.2f s",
	      strings, bad, secs);
}

