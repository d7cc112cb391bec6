#!/usr/bin/env bats
# Smoke tests: the guest runs our kernel and offers what GMEM-BPF builds on.

@test "guest runs the -gmem kernel built from this tree" {
	case $(uname -r) in
	*-gmem) kbuild=build/kbuild ;;
	*-gmem-debug) kbuild=build/kbuild-debug ;;	# make check DEBUG=1
	*) false ;;
	esac
	[ "$(uname -r)" = "$(cat $kbuild/include/config/kernel.release)" ]
}

@test "vmlinux BTF is exposed and parses" {
	[ -s /sys/kernel/btf/vmlinux ]
	bpftool btf dump file /sys/kernel/btf/vmlinux format raw | grep -q "STRUCT 'mm_struct'"
}

@test "bpffs is mounted at /sys/fs/bpf" {
	[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]
}

@test "debugfs, tracefs and cgroup2 are mounted" {
	[ "$(stat -f -c %T /sys/kernel/debug)" = debugfs ]
	[ "$(stat -f -c %T /sys/kernel/tracing)" = tracefs ]
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
}

@test "/tmp is a fresh tmpfs and the repository is writable" {
	[ "$(stat -f -c %T /tmp)" = tmpfs ]
	local f=build/.vm-write-test.$$
	echo ok > "$f"
	[ "$(cat "$f")" = ok ]
	rm "$f"
}

@test "bpftool prog list works" {
	bpftool prog list
}

@test "bpftool feature probe reports struct_ops programs and the JIT" {
	run bpftool feature probe kernel
	[ "$status" -eq 0 ]
	[[ "$output" == *"program_type struct_ops is available"* ]]
	[[ "$output" == *"JIT compiler is enabled"* ]]
}

@test "struct_ops types are built in (bpf_struct_ops_tcp_congestion_ops in BTF)" {
	bpftool btf dump file /sys/kernel/btf/vmlinux format raw |
		grep -q "STRUCT 'bpf_struct_ops_tcp_congestion_ops'"
}

@test "transparent hugepages default to madvise" {
	grep -q '\[madvise\]' /sys/kernel/mm/transparent_hugepage/enabled
}

@test "HMM test driver loads with BTF and creates its devices" {
	modprobe test_hmm
	[ -c /dev/hmm_dmirror0 ]
	[ -s /sys/kernel/btf/test_hmm ]
	modprobe -r test_hmm
	[ ! -e /dev/hmm_dmirror0 ]
}

@test "gm_dev_create() refuses a device that cannot unmap or flush its TLB" {
	case $(uname -r) in
	*-gmem-debug) ko=build/selftests/kmod-debug/gmem_api_test.ko ;;
	*) ko=build/selftests/kmod/gmem_api_test.ko ;;
	esac
	run insmod "$ko"
	dmesg | grep 'gmem_api_test:' | tail -n 8
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	rmmod gmem_api_test
}
