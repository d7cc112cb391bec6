/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM gmem

#if !defined(_TRACE_GMEM_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_GMEM_H

#include <linux/gmem.h>
#include <linux/tracepoint.h>

TRACE_DEFINE_ENUM(GM_MIGRATE_FAULT);
TRACE_DEFINE_ENUM(GM_MIGRATE_PREFETCH);
TRACE_DEFINE_ENUM(GM_MIGRATE_CPU_FAULT);
TRACE_DEFINE_ENUM(GM_MIGRATE_EVICT);
TRACE_DEFINE_ENUM(GM_MIGRATE_HMADVISE);
TRACE_DEFINE_ENUM(GM_MIGRATE_DEVICE_GONE);

/**
 * gmem_fault - a device fault was resolved (or failed)
 * @hnid: the device's heterogeneous NUMA id
 * @va: faulting address
 * @write: write access
 * @result: 0 or the -errno gm_dev_fault() returned
 * @latency_ns: time spent in gm_dev_fault()
 */
TRACE_EVENT(gmem_fault,
	TP_PROTO(int hnid, unsigned long va, bool write, int result,
		 u64 latency_ns),
	TP_ARGS(hnid, va, write, result, latency_ns),
	TP_STRUCT__entry(__field(int, hnid)
			 __field(unsigned long, va)
			 __field(bool, write)
			 __field(int, result)
			 __field(u64, latency_ns)
	),
	TP_fast_assign(__entry->hnid = hnid;
		       __entry->va = va;
		       __entry->write = write;
		       __entry->result = result;
		       __entry->latency_ns = latency_ns;
	),
	TP_printk("hnid=%d va=%#lx %s result=%d latency_ns=%llu",
		  __entry->hnid, __entry->va, __entry->write ? "write" : "read",
		  __entry->result, __entry->latency_ns)
);

/**
 * gmem_migrate - pages moved between host memory and a device
 * @hnid: the device's heterogeneous NUMA id
 * @va: address of the first page (0 when not known, device_gone)
 * @pages: pages moved
 * @to_device: direction
 * @reason: enum gm_migrate_reason
 */
TRACE_EVENT(gmem_migrate,
	TP_PROTO(int hnid, unsigned long va, unsigned long pages,
		 bool to_device, int reason),
	TP_ARGS(hnid, va, pages, to_device, reason),
	TP_STRUCT__entry(__field(int, hnid)
			 __field(unsigned long, va)
			 __field(unsigned long, pages)
			 __field(bool, to_device)
			 __field(int, reason)
	),
	TP_fast_assign(__entry->hnid = hnid;
		       __entry->va = va;
		       __entry->pages = pages;
		       __entry->to_device = to_device;
		       __entry->reason = reason;
	),
	TP_printk("hnid=%d va=%#lx pages=%lu %s reason=%s",
		  __entry->hnid, __entry->va, __entry->pages,
		  __entry->to_device ? "to_device" : "to_host",
		  __print_symbolic(__entry->reason,
				   { GM_MIGRATE_FAULT, "fault" },
				   { GM_MIGRATE_PREFETCH, "prefetch" },
				   { GM_MIGRATE_CPU_FAULT, "cpu_fault" },
				   { GM_MIGRATE_EVICT, "evict" },
				   { GM_MIGRATE_HMADVISE, "hmadvise" },
				   { GM_MIGRATE_DEVICE_GONE, "device_gone" }))
);

/**
 * gmem_evict - an eviction round of a full device
 * @hnid: the device's heterogeneous NUMA id
 * @victims: victims chosen
 * @evicted: of them, pages moved to host memory
 * @latency_ns: duration of the round
 */
TRACE_EVENT(gmem_evict,
	TP_PROTO(int hnid, unsigned int victims, unsigned int evicted,
		 u64 latency_ns),
	TP_ARGS(hnid, victims, evicted, latency_ns),
	TP_STRUCT__entry(__field(int, hnid)
			 __field(unsigned int, victims)
			 __field(unsigned int, evicted)
			 __field(u64, latency_ns)
	),
	TP_fast_assign(__entry->hnid = hnid;
		       __entry->victims = victims;
		       __entry->evicted = evicted;
		       __entry->latency_ns = latency_ns;
	),
	TP_printk("hnid=%d victims=%u evicted=%u latency_ns=%llu",
		  __entry->hnid, __entry->victims, __entry->evicted,
		  __entry->latency_ns)
);

/**
 * gmem_prefetch - MADV_PREFETCH of a range to a device finished
 * @hnid: the device's heterogeneous NUMA id
 * @start: start of the range
 * @len: its length in bytes
 * @pages: pages moved to the device
 * @result: 0 or -errno
 */
TRACE_EVENT(gmem_prefetch,
	TP_PROTO(int hnid, unsigned long start, unsigned long len,
		 unsigned long pages, int result),
	TP_ARGS(hnid, start, len, pages, result),
	TP_STRUCT__entry(__field(int, hnid)
			 __field(unsigned long, start)
			 __field(unsigned long, len)
			 __field(unsigned long, pages)
			 __field(int, result)
	),
	TP_fast_assign(__entry->hnid = hnid;
		       __entry->start = start;
		       __entry->len = len;
		       __entry->pages = pages;
		       __entry->result = result;
	),
	TP_printk("hnid=%d start=%#lx len=%#lx pages=%lu result=%d",
		  __entry->hnid, __entry->start, __entry->len,
		  __entry->pages, __entry->result)
);

/**
 * gmem_hmadvise - an hmadvise() call returned
 * @hnid: as passed
 * @start: as passed
 * @len: as passed
 * @advice: as passed
 * @result: 0 or -errno returned
 */
TRACE_EVENT(gmem_hmadvise,
	TP_PROTO(int hnid, unsigned long start, unsigned long len, int advice,
		 int result),
	TP_ARGS(hnid, start, len, advice, result),
	TP_STRUCT__entry(__field(int, hnid)
			 __field(unsigned long, start)
			 __field(unsigned long, len)
			 __field(int, advice)
			 __field(int, result)
	),
	TP_fast_assign(__entry->hnid = hnid;
		       __entry->start = start;
		       __entry->len = len;
		       __entry->advice = advice;
		       __entry->result = result;
	),
	TP_printk("hnid=%d start=%#lx len=%#lx advice=%d result=%d",
		  __entry->hnid, __entry->start, __entry->len,
		  __entry->advice, __entry->result)
);

#endif /* _TRACE_GMEM_H */

#include <trace/define_trace.h>
