#!/usr/bin/env bats
# gmemctl: the command line, and `gmemctl trace` against real workloads.

GMEMCTL=build/bin/gmemctl
RUN=build/bin/gmem-run
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"

setup_file() {
	insmod build/driver/gmem_sim.ko devices=2 mem_mb=16
}

teardown_file() {
	rmmod gmem_sim
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
	start_trace --duration 8
	$RUN -n 64 -o write
	wait $TRACE_PID
	[ "$(grep -c '^fault-write .* result=0' "$BATS_TEST_TMPDIR/out")" -eq 64 ]
	[ "$(grep -c '^to-device .* pages=1 reason=fault' "$BATS_TEST_TMPDIR/out")" -eq 64 ]
	grep -q -- '--- events fault-read=0 fault-write=64 to-device=64' "$BATS_TEST_TMPDIR/out"
}

@test "gmemctl trace shows eviction rounds of an oversubscribed workload" {
	rounds=$(cat /sys/kernel/gmem/devices/gmem_sim0/evictions)
	start_trace --duration 15
	$RUN -n 8192 -o write
	wait $TRACE_PID
	[ "$(grep -c '^evict ' "$BATS_TEST_TMPDIR/out")" -eq $(( $(cat /sys/kernel/gmem/devices/gmem_sim0/evictions) - rounds )) ]
	[ "$(grep -c '^evict ' "$BATS_TEST_TMPDIR/out")" -gt 0 ]
}

@test "gmemctl trace --pid keeps other processes out, --count stops it" {
	start_trace --pid $$ --duration 5
	$RUN -n 16 -o write
	wait $TRACE_PID
	grep -q -- '--- events fault-read=0 fault-write=0 to-device=0' "$BATS_TEST_TMPDIR/out"
	# --pid of a workload: its events, all of them, and no other's (one
	# on the other device at the same time). It waits for the tracer, then
	# execs, keeping its pid.
	( while [ ! -e "$BATS_TEST_TMPDIR/go" ]; do sleep 0.05; done
	  exec $RUN -n 64 -o write ) &
	wl=$!
	start_trace --pid $wl --duration 10
	touch "$BATS_TEST_TMPDIR/go"
	$RUN -d /dev/gmem_sim1 -n 32 -o write
	wait $wl
	wait $TRACE_PID
	cat "$BATS_TEST_TMPDIR/out"
	[ "$(grep -cE "^fault-write +pid=$wl .* result=0" "$BATS_TEST_TMPDIR/out")" -eq 64 ]
	[ "$(grep -cE "^to-device +pid=$wl .* reason=fault" "$BATS_TEST_TMPDIR/out")" -eq 64 ]
	[ "$(grep -vc -e '^---' -e " pid=$wl " "$BATS_TEST_TMPDIR/out")" -eq 0 ]
	grep -q -- '--- events fault-read=0 fault-write=64 to-device=64' "$BATS_TEST_TMPDIR/out"
	start_trace --count 10 --duration 30
	$RUN -n 64 -o write
	wait $TRACE_PID
	[ "$(grep -vc '^---' "$BATS_TEST_TMPDIR/out")" -eq 10 ]
}

@test "bpftool sees gmemctl trace's programs and counts while it runs" {
	start_trace --duration 30
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
