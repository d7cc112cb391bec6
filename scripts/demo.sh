#!/bin/bash
# Runs inside the guest for 'make demo': GMEM on the simulated accelerator.
# A process shares MAP_PEER_SHARED memory with a device, the device faults
# it in, host DRAM backs it when it does not fit, hmadvise() prefetches it,
# and the gmem tracepoints show what happened.
set -eu

T=/sys/kernel/tracing
DEV=/sys/kernel/gmem/devices/gmem_sim0
RUN=build/selftests/gmem-run
section() { printf '\n== %s\n' "$1"; }
counters() {
	for f in hnid mem_total mem_used faults migrations_to_device \
		 migrations_to_host evictions pages_evicted prefetched; do
		printf '  %-22s %s\n' "$f" "$(cat $DEV/$f)"
	done
}

section "kernel"
uname -r
zcat /proc/config.gz | grep -E '^CONFIG_(GMEM|DEVICE_PRIVATE|HMM_MIRROR)='

section "load gmem_sim: 2 simulated devices, 16 MiB of device memory each"
insmod build/driver/gmem_sim.ko devices=2 mem_mb=16
ls /sys/kernel/gmem/devices/
mem_pages=$(( $(cat $DEV/mem_total) / 4096 ))

echo 8192 > $T/buffer_size_kb
echo 1 > $T/events/gmem/enable

section "a working set that fits: 1024 pages written by the device, checked by the CPU"
$RUN -n 1024 -o write -c

section "oversubscribed 2x: $((2 * mem_pages)) pages on a $mem_pages-page device"
$RUN -n $((2 * mem_pages)) -o write -c

section "the same reads, first faulting, then after hmadvise(MADV_PREFETCH)"
$RUN -n 2048 -o read
$RUN -n 2048 -o read -P

section "device counters (/sys/kernel/gmem/devices/gmem_sim0)"
counters

section "trace events (tracefs, gmem:*), by kind"
echo 0 > $T/events/gmem/enable
grep -oE ' gmem_[a-z]+: ' $T/trace | sort | uniq -c
echo "samples:"
for e in gmem_fault gmem_migrate gmem_evict gmem_prefetch gmem_hmadvise; do
	grep -m1 " $e: " $T/trace | sed 's/^ *//'
done
echo > $T/trace

rmmod gmem_sim
