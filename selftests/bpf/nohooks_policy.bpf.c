// SPDX-License-Identifier: GPL-2.0
/*
 * A policy that sets only its name: no hook, so no program at all. libbpf
 * 1.1 crashes loading it (bpftool struct_ops register too): gmemctl load
 * refuses it, saying why (selftests/policy.bats).
 */
#include "gmem_policy.h"

char LICENSE[] SEC("license") = "GPL";

SEC(".struct_ops")
struct gmem_policy_ops nohooks = {
	.name = "nohooks",
};
