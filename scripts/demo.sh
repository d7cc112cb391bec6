#!/bin/bash
# Runs inside the guest for 'make demo': shows what the booted kernel offers
# to GMEM-BPF. Later issues turn this into the real demo.
set -eu

section() { printf '\n== %s\n' "$1"; }

section "kernel"
uname -a

section "memory-management features GMEM builds on"
zcat /proc/config.gz | grep -E '^CONFIG_(ZONE_DEVICE|DEVICE_PRIVATE|MIGRATION|MMU_NOTIFIER|HMM_MIRROR|TRANSPARENT_HUGEPAGE|NUMA|MEMCG|TEST_HMM)='
echo "THP: $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
echo "NUMA nodes online: $(cat /sys/devices/system/node/online)"

section "BPF"
zcat /proc/config.gz | grep -E '^CONFIG_(BPF_SYSCALL|BPF_JIT|DEBUG_INFO_BTF|DEBUG_INFO_BTF_MODULES|BPF_EVENTS)='
echo "vmlinux BTF: $(stat -c %s /sys/kernel/btf/vmlinux) bytes"
echo "struct_ops types built in:"
bpftool btf dump file /sys/kernel/btf/vmlinux format raw |
	sed -n "s/.*STRUCT 'bpf_struct_ops_\([a-z_]*\)'.*/  \1/p"
bpftool feature probe kernel | grep -E 'struct_ops|JIT compiler is'

section "HMM test driver"
modprobe test_hmm
ls /dev/hmm_dmirror*
modprobe -r test_hmm
