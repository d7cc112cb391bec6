// SPDX-License-Identifier: GPL-2.0
/*
 * A policy whose program writes to its argument: GMEM hooks may only read
 * what they are given, so the verifier refuses page_added, and gmemctl
 * load must name the program and show the verifier's reason
 * (selftests/policy.bats).
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(badprog_page_added, struct gmem_page *page)
{
	page->frame = 0;
}

SEC(".struct_ops")
struct gmem_policy_ops badprog = {
	.page_added = (void *)badprog_page_added,
	.name = "badprog",
};
