// SPDX-License-Identifier: GPL-2.0
/*
 * A policy with a tunable of every kind gmemctl load --set handles, and
 * two it refuses (a string, and a static variable, which is no knob):
 * selftests/gmemctl.bats sets them and reads them back from the pinned
 * .rodata. Its prefetch hook reads each, so none is optimized away, and
 * prefetches knob_u16 pages.
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

enum knob_mode { KNOB_OFF, KNOB_ON };

const volatile __s8 knob_s8 = -5;
const volatile __u16 knob_u16;
const volatile int knob_int = -70000;
const volatile __u64 knob_u64 = 1ULL << 40;
const volatile bool knob_bool = true;
const volatile enum knob_mode knob_mode = KNOB_ON;
const volatile char knob_str[8] = "abc";
static const volatile __u32 not_a_knob = 7;

int BPF_STRUCT_OPS(knobs_prefetch, struct gmem_prefetch_ctx *req)
{
	__u64 sum = knob_s8 + knob_int + knob_u64 + knob_bool + knob_mode +
		    knob_str[0] + not_a_knob;

	if (sum && knob_u16 && req->va + GMEM_PAGE_SIZE < req->vma_end)
		gmem_prefetch_range(req, req->va + GMEM_PAGE_SIZE, knob_u16);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops knobs = {
	.prefetch = (void *)knobs_prefetch,
	.name = "knobs",
};
