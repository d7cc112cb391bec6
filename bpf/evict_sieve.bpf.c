// SPDX-License-Identifier: GPL-2.0
/*
 * SIEVE eviction (bpf/lib/sieve.h): FIFO order, a visited bit per page,
 * and a hand that keeps its place between rounds.
 */
#include "lib/sieve.h"

char LICENSE[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(sieve_page_added, struct gmem_page *page)
{
	sieve_do_page_added(page);
}

void BPF_STRUCT_OPS(sieve_page_accessed, struct gmem_page *page)
{
	sieve_do_page_accessed(page);
}

void BPF_STRUCT_OPS(sieve_page_removed, struct gmem_page *page)
{
	sieve_do_page_removed(page);
}

int BPF_STRUCT_OPS(sieve_evict, struct gmem_evict_ctx *req)
{
	sieve_do_evict(req);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops sieve = {
	.page_added = (void *)sieve_page_added,
	.page_accessed = (void *)sieve_page_accessed,
	.page_removed = (void *)sieve_page_removed,
	.evict = (void *)sieve_evict,
	.name = "sieve",
};
