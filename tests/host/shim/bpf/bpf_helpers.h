/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of libbpf's bpf_helpers.h that bpf/lib/ uses, for the host:
 * map definitions become plain variables, and the map helpers functions
 * that the test defines (tests/host/test_stride.c, test_evictors.c).
 */
#ifndef HOST_SHIM_BPF_HELPERS_H
#define HOST_SHIM_BPF_HELPERS_H

#define SEC(name)
#define __uint(name, val)	int (*name)[val]
#define __type(name, val)	__typeof__(val) *name
#define __ksym
#ifndef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#endif

void *bpf_map_lookup_elem(void *map, const void *key);
long bpf_map_update_elem(void *map, const void *key, const void *value,
			 __u64 flags);
long bpf_map_delete_elem(void *map, const void *key);
long bpf_loop(__u32 nr_loops, void *callback_fn, void *callback_ctx,
	      __u64 flags);

#endif /* HOST_SHIM_BPF_HELPERS_H */
