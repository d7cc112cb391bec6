// SPDX-License-Identifier: GPL-2.0
/*
 * S3-FIFO eviction (bpf/lib/s3fifo.h): a small queue that filters out
 * pages used once, a main queue with second chances, a ghost queue.
 */
#include "lib/s3fifo.h"

char LICENSE[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(s3fifo_page_added, struct gmem_page *page)
{
	s3fifo_do_page_added(page);
}

void BPF_STRUCT_OPS(s3fifo_page_accessed, struct gmem_page *page)
{
	s3fifo_do_page_accessed(page);
}

void BPF_STRUCT_OPS(s3fifo_page_removed, struct gmem_page *page)
{
	s3fifo_do_page_removed(page);
}

int BPF_STRUCT_OPS(s3fifo_evict, struct gmem_evict_ctx *req)
{
	s3fifo_do_evict(req);
	return 0;
}

SEC(".struct_ops")
struct gmem_policy_ops s3fifo = {
	.page_added = (void *)s3fifo_page_added,
	.page_accessed = (void *)s3fifo_page_accessed,
	.page_removed = (void *)s3fifo_page_removed,
	.evict = (void *)s3fifo_evict,
	.name = "s3fifo",
};
