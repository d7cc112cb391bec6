/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stages bench/bpf/stage_prof.bpf.c times, shared with gmem-bench:
 * one fentry/fexit pair per kernel function, in this order.
 */
#ifndef STAGE_PROF_H
#define STAGE_PROF_H

/* X(id, function, stage name): the function's time goes to the stage. */
#define STAGE_LIST(X)							\
	X(0, gm_migrate_to_dev, "migration to the device (all of it)")	\
	X(1, migrate_vma_setup, "setup: collect and unmap (migrate_vma_setup)") \
	X(2, gm_dev_alloc_evicting, "device frame allocation")		\
	X(3, sim_prepare_page, "copy (gmem_sim prepare_page)")		\
	X(4, migrate_vma_pages, "move the struct pages (migrate_vma_pages)") \
	X(5, migrate_vma_finalize, "finalize (migrate_vma_finalize)")	\
	X(6, gm_lpt_set_device, "bookkeeping: logical page table, to device") \
	X(7, gm_frame_track, "bookkeeping: LRU and policy page events")	\
	X(8, gm_map_range, "map on the device (snapshot + pmap_enter)")	\
	X(9, hmm_range_fault, "snapshot (hmm_range_fault)")		\
	X(10, gm_copy_to_host, "host page allocation + copy to host")	\
	X(11, gm_lpt_set_host_range, "bookkeeping: logical page table, to host (hmadvise)") \
	X(12, __gm_policy_page_event, "policy page events (hooks)")	\
	X(13, dmirror_migrate_alloc_and_copy, "test_hmm: allocation + copy to device") \
	X(14, dmirror_migrate_finalize_and_map, "test_hmm: finalize and map") \
	X(15, dmirror_devmem_fault_alloc_and_copy, "test_hmm: allocation + copy to host")

#define STAGE_MAX	16

struct stage_total {
	__u64 ns;
	__u64 calls;
};

#endif /* STAGE_PROF_H */
