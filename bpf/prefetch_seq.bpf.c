// SPDX-License-Identifier: GPL-2.0
/* Sequential prefetch (bpf/lib/seq.h), the kernel's LRU evicting. */
#include "lib/seq.h"

char LICENSE[] SEC("license") = "GPL";

int BPF_STRUCT_OPS(seq_prefetch, struct gmem_prefetch_ctx *req)
{
	return seq_do_prefetch(req);
}

void BPF_STRUCT_OPS(seq_page_removed, struct gmem_page *page)
{
	seq_do_page_removed(page);
}

void BPF_STRUCT_OPS(seq_exit, struct gmem_as_info *as)
{
	seq_do_exit(as);
}

SEC(".struct_ops")
struct gmem_policy_ops seq = {
	.prefetch = (void *)seq_prefetch,
	.page_removed = (void *)seq_page_removed,
	.exit = (void *)seq_exit,
	.name = "seq",
};
