#!/usr/bin/env bats
# gmemctl: the command line, `gmemctl trace` against real workloads,
# policy tunables (load --set, params) and the pins of a policy's maps.

GMEMCTL=${GMEMCTL:-build/bin/gmemctl}	# a mutant's, to see a test fail
RUN=build/bin/gmem-run
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"

setup_file() {
	insmod build/driver/gmem_sim.ko devices=2 mem_mb=16
}

teardown_file() {
	rmmod gmem_sim
}

G=/sys/kernel/gmem
PINS=/sys/fs/bpf/gmem
KNOBS=build/selftests/bpf/knobs_policy.bpf.o

# Policies a test loaded go, and their pins.
teardown() {
	local p
	echo default > $G/policy
	for p in $(tr -d '[]' < $G/policy); do
		[ "$p" = default ] || $GMEMCTL unload "$p" >/dev/null 2>&1 ||
			bpftool struct_ops unregister name "$p" >/dev/null 2>&1 || true
	done
	rm -rf $PINS
}

# The knobs in the pinned .rodata of policy $1, as one JSON object.
pinned_knobs() {
	bpftool -j map lookup pinned $PINS/$1/rodata key 0 0 0 0 |
		jq -c '.formatted.value[".rodata"] | add'
}

# faults=N of `gmem-run -n 2048 -o read` under the system default.
seq_read_faults() {
	build/bin/gmem-run -n 2048 -o read | sed -n 's/.* faults=\([0-9]*\) .*/\1/p'
}

# Start `gmemctl trace ARGS` in the background; returns once it is attached.
start_trace() {
	$GMEMCTL trace "$@" > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
	TRACE_PID=$!
	for _ in $(seq 100); do
		grep -q attached "$BATS_TEST_TMPDIR/err" && return 0
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/err" >&2
	return 1
}

# Stop the tracer started by start_trace once the workload has ended: on
# SIGINT it drains the ring buffer and prints its summary. (A fixed
# --duration would lose the end of a workload slower than planned.)
stop_trace() {
	kill -INT $TRACE_PID
	wait $TRACE_PID
}

@test "gmemctl --help lists trace; unknown commands and bad numbers fail" {
	run $GMEMCTL --help
	[ "$status" -eq 0 ]
	[[ "$output" == *trace* ]]
	run $GMEMCTL bogus
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown command 'bogus'"* ]]
	run $GMEMCTL trace --count many
	[ "$status" -eq 2 ]
	[[ "$output" == *"bad number 'many'"* ]]
	run $GMEMCTL trace --help
	[ "$status" -eq 0 ]
	[[ "$output" == *--duration* ]]
}

@test "gmemctl trace refuses extra arguments and empty numbers" {
	# timeout: a tracer that takes them runs until stopped.
	run timeout 20 $GMEMCTL trace extra
	[ "$status" -eq 2 ]
	[[ "$output" == *"unexpected argument 'extra'"* ]]
	for opt in --count --duration --pid; do
		run timeout 20 $GMEMCTL trace $opt ""
		[ "$status" -eq 2 ]
		[[ "$output" == *"bad number ''"* ]]
	done
}

@test "gmemctl trace --duration 1 traces for a whole second" {
	local i t0 t1
	mkfifo "$BATS_TEST_TMPDIR/err"
	# Three windows: time(NULL) seconds ended ~0.5 s early on average.
	for i in 1 2 3; do
		$GMEMCTL trace --duration 1 2> "$BATS_TEST_TMPDIR/err" > /dev/null &
		exec 4< "$BATS_TEST_TMPDIR/err"
		read -r line <&4
		t0=${EPOCHREALTIME/./}
		wait $!
		t1=${EPOCHREALTIME/./}
		exec 4<&-
		[ "$line" = "gmemctl trace: attached" ]
		echo "# window $i: $(( (t1 - t0) / 1000 )) ms" >&3
		[ $(( t1 - t0 )) -ge 900000 ]
	done
}

@test "gmemctl trace without privileges: a permission error, no libbpf noise" {
	run $NOBODY $GMEMCTL trace --duration 1
	[ "$status" -eq 1 ]
	[[ "$output" == "gmemctl trace: cannot load or attach ("*"); tracing needs CAP_SYS_ADMIN" ]]
	[[ "$output" != *"libbpf"* ]]
	[[ "$output" != *"tracepoints and BTF"* ]]
}

@test "gmemctl trace counts the events the ring buffer had no room for" {
	start_trace
	kill -STOP $TRACE_PID
	# ~40,000 records, twice what the 1 MiB ring buffer holds.
	$RUN -n 8192 -o write -r 2 > /dev/null
	kill -CONT $TRACE_PID
	kill -INT $TRACE_PID
	wait $TRACE_PID
	cat "$BATS_TEST_TMPDIR/err"
	printed=$(grep -vc '^---' "$BATS_TEST_TMPDIR/out")
	total=$(grep '^--- events' "$BATS_TEST_TMPDIR/out" | grep -oE '=[0-9]+' | tr -d = | paste -sd+ | bc)
	[ "$total" -gt "$printed" ]
	grep -qx "gmemctl trace: $(( total - printed )) events lost: the ring buffer was full" "$BATS_TEST_TMPDIR/err"
}

@test "gmemctl trace shows every fault and migration of a workload" {
	start_trace --duration 600
	$RUN -n 64 -o write
	stop_trace
	[ "$(grep -c '^fault-write .* result=0' "$BATS_TEST_TMPDIR/out")" -eq 64 ]
	[ "$(grep -c '^to-device .* pages=1 reason=fault' "$BATS_TEST_TMPDIR/out")" -eq 64 ]
	grep -q -- '--- events fault-read=0 fault-write=64 to-device=64' "$BATS_TEST_TMPDIR/out"
}

@test "gmemctl trace shows eviction rounds of an oversubscribed workload" {
	rounds=$(cat /sys/kernel/gmem/devices/gmem_sim0/evictions)
	start_trace --duration 600
	$RUN -n 8192 -o write
	stop_trace
	[ "$(grep -c '^evict ' "$BATS_TEST_TMPDIR/out")" -eq $(( $(cat /sys/kernel/gmem/devices/gmem_sim0/evictions) - rounds )) ]
	[ "$(grep -c '^evict ' "$BATS_TEST_TMPDIR/out")" -gt 0 ]
}

@test "gmemctl trace --pid keeps other processes out, --count stops it" {
	start_trace --pid $$ --duration 600
	$RUN -n 16 -o write
	stop_trace
	grep -q -- '--- events fault-read=0 fault-write=0 to-device=0' "$BATS_TEST_TMPDIR/out"
	# --pid of a workload: its events, all of them, and no other's (one
	# on the other device at the same time). It waits for the tracer, then
	# execs, keeping its pid.
	( while [ ! -e "$BATS_TEST_TMPDIR/go" ]; do sleep 0.05; done
	  exec $RUN -n 64 -o write ) &
	wl=$!
	start_trace --pid $wl --duration 600
	touch "$BATS_TEST_TMPDIR/go"
	$RUN -d /dev/gmem_sim1 -n 32 -o write
	wait $wl
	stop_trace
	cat "$BATS_TEST_TMPDIR/out"
	[ "$(grep -cE "^fault-write +pid=$wl .* result=0" "$BATS_TEST_TMPDIR/out")" -eq 64 ]
	[ "$(grep -cE "^to-device +pid=$wl .* reason=fault" "$BATS_TEST_TMPDIR/out")" -eq 64 ]
	[ "$(grep -vc -e '^---' -e " pid=$wl " "$BATS_TEST_TMPDIR/out")" -eq 0 ]
	grep -q -- '--- events fault-read=0 fault-write=64 to-device=64' "$BATS_TEST_TMPDIR/out"
	start_trace --count 10 --duration 600
	$RUN -n 64 -o write
	wait $TRACE_PID
	[ "$(grep -vc '^---' "$BATS_TEST_TMPDIR/out")" -eq 10 ]
}

@test "bpftool sees gmemctl trace's programs and counts while it runs" {
	start_trace --duration 600
	run bpftool prog list
	[ "$status" -eq 0 ]
	for p in on_fault on_migrate on_evict; do
		[[ "$output" == *"tracing  name $p "* ]]
	done
	$RUN -n 8 -o write
	run bpftool -j map dump name event_counts
	[ "$status" -eq 0 ]
	# Key 1 counts write faults.
	[[ "$output" == *'"key":1,"value":8'* ]]
	kill $TRACE_PID
	wait $TRACE_PID
}

@test "gmemctl params lists a policy's knobs with type, default and range" {
	run $GMEMCTL params build/bpf/prefetch_tree.bpf.o
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^KNOB\ +TYPE\ +DEFAULT\ +VALUES$ ]]
	[[ "$output" =~ $'\n'density_threshold\ +__u32\ +51\ +0\.\.4294967295($'\n'|$) ]]
	# The prefetch feedback's (bpf/lib/pf_feedback.h).
	[[ "$output" =~ $'\n'pf_sample\ +__u32\ +32\ +0\.\.4294967295($'\n'|$) ]]
	[[ "$output" =~ $'\n'pf_waste_pct\ +__u32\ +10\ +0\.\.4294967295($'\n'|$) ]]
	[[ "$output" =~ $'\n'pf_miss_pct\ +__u32\ +33\ +0\.\.4294967295($'\n'|$) ]]
	[ "${#lines[@]}" -eq 5 ]
	run $GMEMCTL params build/bpf/prefetch_seq.bpf.o
	[ "$status" -eq 0 ]
	[[ "$output" =~ $'\n'seq_min_window\ +__u32\ +16\ +0\.\.4294967295$'\n' ]]
	[[ "$output" =~ $'\n'seq_max_window\ +__u32\ +256\ +0\.\.4294967295$ ]]
	run $GMEMCTL params build/bpf/prefetch_stride.bpf.o
	[[ "$output" =~ $'\n'stride_ahead\ +__u32\ +4\ +0\.\.4294967295($'\n'|$) ]]
	run $GMEMCTL params $KNOBS
	[ "$status" -eq 0 ]
	echo "$output"
	grep -qE '^knob_s8 +__s8 +-5 +-128\.\.127$' <<<"$output"
	grep -qE '^knob_u16 +__u16 +0 +0\.\.65535$' <<<"$output"
	grep -qE '^knob_int +int +-70000 +-2147483648\.\.2147483647$' <<<"$output"
	grep -qE '^knob_u64 +__u64 +1099511627776 +0\.\.18446744073709551615$' <<<"$output"
	grep -qE '^knob_bool +bool +true +true, false$' <<<"$output"
	grep -qE '^knob_mode +enum knob_mode +1 +0\.\.4294967295$' <<<"$output"
	grep -qE '^knob_str +char\[8\] +- +\(not an integer: not settable\)$' <<<"$output"
	# A static const volatile is the object's own, no knob.
	[[ "$output" != *not_a_knob* ]]
	run $GMEMCTL params build/bpf/evict_lru.bpf.o
	[ "$status" -eq 0 ]
	[ "$output" = "policy lru (build/bpf/evict_lru.bpf.o) has no tunables" ]
	run $GMEMCTL params
	[ "$status" -eq 2 ]
	run $GMEMCTL --help
	[[ "$output" == *"  params "* ]]
}

@test "gmemctl load --set: the loaded policy holds the values and acts on them" {
	# seq's window doubles up to 256 pages by default, stays at 16 here.
	run $GMEMCTL load build/bpf/prefetch_seq.bpf.o --default
	[ "$status" -eq 0 ]
	[ "$(pinned_knobs seq | jq -c '{seq_min_window, seq_max_window}')" = '{"seq_min_window":16,"seq_max_window":256}' ]
	faults=$(seq_read_faults)
	run $GMEMCTL load build/bpf/prefetch_seq.bpf.o --name seq16 --set seq_max_window=16 --default
	[ "$status" -eq 0 ]
	[ "$(pinned_knobs seq16 | jq -c '{seq_min_window, seq_max_window}')" = '{"seq_min_window":16,"seq_max_window":16}' ]
	faults16=$(seq_read_faults)
	echo "# 2048 sequential reads: $faults faults under seq, $faults16 with seq_max_window=16" >&3
	# Pages 0, 1 and 2 (three in a row start the stream), then 16 + 32 +
	# ... + 256 pages a fault, then 257: 14; with 16 at most, 0, 1 and
	# then every 17th page from 2: 2 + 121.
	[ "$faults" -eq 14 ]
	[ "$faults16" -eq 123 ]

	# Every kind of knob, at its limits; those not set keep their default.
	run $GMEMCTL load $KNOBS --set knob_s8=-128 --set knob_u64=0xffffffffffffffff \
		--set knob_bool=false --set knob_mode=0 --set knob_int=2147483647 \
		--set knob_u16=8 --default
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	pinned_knobs knobs
	[ "$(pinned_knobs knobs | jq -c '[.knob_s8, .knob_u16, .knob_int, .knob_bool, .knob_mode, .knob_str]')" = \
	  '[-128,8,2147483647,false,"KNOB_OFF","abc"]' ]
	# jq holds numbers as doubles: the u64 as bpftool printed it.
	bpftool -j map lookup pinned $PINS/knobs/rodata key 0 0 0 0 | grep -q '"knob_u64":18446744073709551615}'
	# knob_u16 pages prefetched after each fault: 2048 / 9 rounded up.
	[ "$(seq_read_faults)" -eq 228 ]
	$GMEMCTL unload knobs
	run $GMEMCTL load $KNOBS --set knob_s8=127 --set knob_int=-2147483648 --set knob_bool=1
	[ "$status" -eq 0 ]
	[ "$(pinned_knobs knobs | jq -c '[.knob_s8, .knob_u16, .knob_int, .knob_bool]')" = '[127,0,-2147483648,true]' ]
}

@test "gmemctl load --set refuses unknown knobs, non-integers and values out of range: exit 2, nothing loaded" {
	local tree=build/bpf/prefetch_tree.bpf.o
	run $GMEMCTL load $tree --set bogus=1
	[ "$status" -eq 2 ]
	[[ "$output" == "gmemctl load: $tree has no knob 'bogus'; its knobs: "*"density_threshold (__u32)"*" (gmemctl params OBJ)" ]]
	[[ "$output" == *"pf_sample (__u32)"* ]]
	run $GMEMCTL load $KNOBS --set knob_str=1
	[ "$status" -eq 2 ]
	[ "$output" = "gmemctl load: knob knob_str of $KNOBS is of type char[8], not an integer: --set takes integer knobs only" ]
	run $GMEMCTL load $KNOBS --set not_a_knob=1
	[ "$status" -eq 2 ]
	[[ "$output" == *"has no knob 'not_a_knob'; its knobs: knob_s8 (__s8), "* ]]
	run $GMEMCTL load $tree --set density_threshold=4294967296
	[ "$status" -eq 2 ]
	[ "$output" = "gmemctl load: --set density_threshold=4294967296: out of range for density_threshold (__u32), which holds 0..4294967295" ]
	run $GMEMCTL load $tree --set density_threshold=-1
	[ "$status" -eq 2 ]
	[[ "$output" == *"out of range for density_threshold (__u32)"* ]]
	run $GMEMCTL load $KNOBS --set knob_s8=128
	[ "$status" -eq 2 ]
	[[ "$output" == *"--set knob_s8=128: out of range for knob_s8 (__s8), which holds -128..127" ]]
	run $GMEMCTL load $KNOBS --set knob_bool=2
	[ "$status" -eq 2 ]
	[[ "$output" == *"out of range for knob_bool (bool)"* ]]
	run $GMEMCTL load $tree --set density_threshold=5x
	[ "$status" -eq 2 ]
	[ "$output" = "gmemctl load: --set density_threshold: '5x' is not a number (decimal, or hexadecimal after 0x)" ]
	run $GMEMCTL load $tree --set density_threshold=
	[ "$status" -eq 2 ]
	[ "$output" = "gmemctl load: --set wants KNOB=VALUE, KNOB a C identifier, not 'density_threshold='" ]
	run $GMEMCTL load $tree --set density_threshold=60 --set density_threshold=70
	[ "$status" -eq 2 ]
	[ "$output" = "gmemctl load: knob density_threshold is set twice" ]
	run $GMEMCTL load build/bpf/evict_lru.bpf.o --set x=1
	[ "$status" -eq 2 ]
	[[ "$output" == *"evict_lru.bpf.o has no tunables"* ]]
	# Refused before loading: nothing registered, nothing pinned.
	[ "$(cat $G/policy)" = "[default]" ]
	[ -z "$(ls $PINS 2>/dev/null)" ]
}

@test "gmemctl load pins a policy's maps in /sys/fs/bpf/gmem/NAME; unload removes them" {
	run $GMEMCTL load build/bpf/prefetch_seq.bpf.o
	[ "$status" -eq 0 ]
	run $GMEMCTL load build/bpf/evict_lru.bpf.o --name lru2
	[ "$status" -eq 0 ]
	[ "$(ls $PINS/seq | xargs)" = "bss pf_fresh pf_states rodata seq_streams" ]
	[ "$(ls $PINS/lru2 | xargs)" = "gmem_nodes rodata" ]
	# The pins are the loaded policy's maps.
	[ "$(bpftool -j map show pinned $PINS/seq/seq_streams | jq -r .name)" = seq_streams ]
	[ "$(bpftool -j map show pinned $PINS/lru2/gmem_nodes | jq -r .name)" = gmem_nodes ]
	[ "$(bpftool -j map show pinned $PINS/seq/rodata | jq -r .frozen)" = 1 ]
	run $GMEMCTL unload seq
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^unloaded\ policy\ seq\ \(struct_ops\ map\ id\ [0-9]+\)$ ]]
	[ ! -e $PINS/seq ]
	[ -e $PINS/lru2/gmem_nodes ]
	run $GMEMCTL unload lru2
	[ "$status" -eq 0 ]
	[ ! -e $PINS/lru2 ]
}

@test "gmemctl load replaces stale pins of a policy gone; unload of a policy gone removes them" {
	local id1 id2
	$GMEMCTL load build/bpf/evict_lru.bpf.o
	id1=$(bpftool -j map show pinned $PINS/lru/gmem_nodes | jq .id)
	# Unregistered behind gmemctl's back (or gmemctl killed before it
	# pinned): the pins stay.
	bpftool struct_ops unregister name lru
	[ -e $PINS/lru/gmem_nodes ]
	run $GMEMCTL load build/bpf/evict_lru.bpf.o
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "gmemctl: removed $PINS/lru, left by an earlier policy lru" ]
	[[ "${lines[1]}" =~ ^loaded\ policy\ lru\  ]]
	id2=$(bpftool -j map show pinned $PINS/lru/gmem_nodes | jq .id)
	[ "$id2" -gt "$id1" ]
	bpftool struct_ops unregister name lru
	run $GMEMCTL unload lru
	[ "$status" -eq 1 ]
	[[ "$output" == *"no policy of that name is loaded"*"removed the stale pins in $PINS/lru" ]]
	[ ! -e $PINS/lru ]
}

@test "the documented bpftool recipe for a policy's maps works with several policies loaded" {
	local doc=docs/writing-a-policy.md cmds line
	$GMEMCTL load build/docs/example_policy.bpf.o --default
	$GMEMCTL load build/bpf/evict_lru.bpf.o
	$GMEMCTL load build/bpf/prefetch_seq.bpf.o
	build/bin/gmem-run -n 8192 -o write > /dev/null
	# By name, gmem_nodes is ambiguous now: two policies have one.
	run bpftool map lookup name gmem_nodes key 0 0 4 0
	[ "$status" -ne 0 ]
	[[ "$output" == *"several maps match"* ]]
	# The page's pinned lookups and dumps, as written there.
	cmds=$(grep -E '^bpftool map (lookup|dump) pinned ' $doc | sed 's/ *#.*//')
	[ "$(wc -l <<<"$cmds")" -ge 3 ]
	while IFS= read -r line; do
		echo "# $line"
		run $line
		[ "$status" -eq 0 ] || { echo "$output"; false; }
	done <<<"$cmds"
	# The head of device 0's list, in the example's own map.
	# gmemctl sized it to the 2 devices of 4096 frames: slot 2 * 4096.
	run bpftool -j map lookup pinned $PINS/example/gmem_nodes key 0 32 0 0
	[ "$(jq .formatted.key <<<"$output")" -eq 8192 ]
	[ "$(bpftool -j map show pinned $PINS/example/gmem_nodes | jq .id)" != \
	  "$(bpftool -j map show pinned $PINS/lru/gmem_nodes | jq .id)" ]
}
