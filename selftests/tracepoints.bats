#!/usr/bin/env bats
# GMEM tracepoints: they exist with their fields, carry BTF for tp_btf
# programs, and agree with the sysfs counters for real workloads.

T=/sys/kernel/tracing
DEV=/sys/kernel/gmem/devices/gmem_sim0
RUN=build/bin/gmem-run

setup_file() {
	insmod build/driver/gmem_sim.ko devices=2 mem_mb=16
	echo 8192 > $T/buffer_size_kb
}

teardown_file() {
	echo 0 > $T/events/gmem/enable
	echo > $T/trace
	rmmod gmem_sim
}

setup() {
	echo 0 > $T/tracing_on
	echo > $T/trace
	echo 1 > $T/events/gmem/enable
	echo 1 > $T/tracing_on
}

# Events of one kind in the trace buffer.
events() { grep -E " $1: " $T/trace || true; }
# Sum of field $2 (name=value) over events $1.
sum_field() { events "$1" | grep -oE " $2=[0-9]+" | cut -d= -f2 | awk '{s += $1} END {print s + 0}'; }

@test "the five gmem events exist with their fields" {
	for e in gmem_fault gmem_migrate gmem_evict gmem_prefetch gmem_hmadvise; do
		[ -f $T/events/gmem/$e/format ]
	done
	grep -q "field:int hnid" $T/events/gmem/gmem_fault/format
	grep -q "field:u64 latency_ns" $T/events/gmem/gmem_fault/format
	grep -q "field:int reason" $T/events/gmem/gmem_migrate/format
	grep -q "field:unsigned int evicted" $T/events/gmem/gmem_evict/format
	grep -q "field:int advice" $T/events/gmem/gmem_hmadvise/format
}

@test "tracepoints carry BTF types for tp_btf programs" {
	run bpftool btf dump file /sys/kernel/btf/vmlinux format raw
	[ "$status" -eq 0 ]
	for e in gmem_fault gmem_migrate gmem_evict gmem_prefetch gmem_hmadvise; do
		[[ "$output" == *"TYPEDEF 'btf_trace_$e'"* ]]
	done
}

@test "gmem_fault events match the faults counter and name the device" {
	before=$(cat $DEV/faults)
	$RUN -n 64 -o write
	[ "$(events gmem_fault | wc -l)" -eq $(( $(cat $DEV/faults) - before )) ]
	[ "$(events gmem_fault | wc -l)" -eq 64 ]
	[ "$(events gmem_fault | grep -c "hnid=$(cat $DEV/hnid) .* write result=0")" -eq 64 ]
}

@test "gmem_migrate pages match the migration counters both ways" {
	to_dev=$(cat $DEV/migrations_to_device)
	to_host=$(cat $DEV/migrations_to_host)
	$RUN -n 128 -o write -c
	[ "$(sum_field gmem_migrate pages)" -eq $(( $(cat $DEV/migrations_to_device) - to_dev + $(cat $DEV/migrations_to_host) - to_host )) ]
	# The CPU check pulled every page back.
	[ "$(events gmem_migrate | grep -c 'to_host reason=cpu_fault')" -eq 128 ]
}

@test "gmem_evict rounds match the eviction counters at 2x capacity" {
	rounds=$(cat $DEV/evictions)
	pages=$(cat $DEV/pages_evicted)
	$RUN -n $(( 2 * $(cat $DEV/mem_total) / 4096 )) -o write
	[ "$(events gmem_evict | wc -l)" -eq $(( $(cat $DEV/evictions) - rounds )) ]
	[ "$(sum_field gmem_evict evicted)" -eq $(( $(cat $DEV/pages_evicted) - pages )) ]
	[ "$(events gmem_evict | wc -l)" -gt 0 ]
}

@test "gmem_prefetch and gmem_hmadvise report a prefetch" {
	$RUN -n 32 -o read -P
	[ "$(events gmem_prefetch | grep -c 'pages=32 result=0')" -eq 1 ]
	[ "$(events gmem_hmadvise | grep -c 'advice=64 result=0')" -eq 1 ]
	# Prefetched pages do not fault.
	[ "$(events gmem_fault | wc -l)" -eq 0 ]
}

@test "bpftool alone traces faults: the README's prog loadall ... autoattach recipe" {
	local p=/sys/fs/bpf/trace_faults pid n
	# The README gives these commands.
	grep -qxF "bpftool prog loadall build/docs/trace_faults.bpf.o $p pinmaps $p autoattach" README.md
	grep -qxF "rm -r $p" README.md
	echo 0 > $T/events/gmem/enable		# the program's lines only
	bpftool prog loadall build/docs/trace_faults.bpf.o $p pinmaps $p autoattach
	f0=$(cat $DEV/faults)
	$RUN -n 64 -o write > /dev/null &
	pid=$!
	wait $pid
	[ $(( $(cat $DEV/faults) - f0 )) -eq 64 ]
	n=$(grep -cE "bpf_trace_printk: gmem_fault pid=$pid hnid=[0-9]+ va=0x[0-9a-f]+ write result=0 latency_ns=[0-9]+$" $T/trace || true)
	echo "# $n trace lines for pid $pid" >&3
	[ "$n" -eq 64 ]
	[ "$(bpftool -j map dump pinned $p/fault_counts | jq '.[] | .formatted // . | select(.key == 1) | .value')" -eq 64 ]
	# Removing the pins detaches it: the next run adds no line.
	rm -r $p
	echo > $T/trace
	$RUN -n 64 -o write > /dev/null
	run ! grep -q 'bpf_trace_printk: gmem_fault' $T/trace
}
