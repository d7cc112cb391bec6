// SPDX-License-Identifier: GPL-2.0
/*
 * A policy that sets only its name: no hook, so no program at all, and
 * every decision is the default's. libbpf 1.1 crashed loading it; 1.5
 * loads it (selftests/policy.bats).
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

SEC(".struct_ops")
struct gmem_policy_ops nohooks = {
	.name = "nohooks",
};
