#!/usr/bin/env bats
# docs/writing-a-policy.md: its example policy is what the page shows, stays
# short, and does what the page says when loaded the way the page says:
# prefetch cuts device faults, FIFO eviction keeps an oversubscribed run
# correct, bpf_printk reaches `bpftool prog tracelog`, unregistering puts
# the default back.

OBJ=build/docs/example_policy.bpf.o
SRC=docs/example_policy.bpf.c
DOC=docs/writing-a-policy.md
POLICY=/sys/kernel/gmem/policy
STATS=/sys/kernel/gmem/policies/example
DEV=/sys/kernel/gmem/devices/gmem_sim0
RUN=build/bin/gmem-run

setup_file() {
	insmod build/driver/gmem_sim.ko devices=1 mem_mb=16
}

# Whatever failed: no policy left registered, the default selected.
teardown_file() {
	if bpftool struct_ops list 2>/dev/null | grep -qw example; then
		bpftool struct_ops unregister name example || true
	fi
	echo default > $POLICY || true
	rmmod gmem_sim
}

teardown() {
	if [ -n "${TRACELOG_PID:-}" ]; then
		kill "$TRACELOG_PID" 2>/dev/null || true
		wait "$TRACELOG_PID" 2>/dev/null || true
	fi
}

# The value of field NAME=N in $output.
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$output"; }

@test "the example is under 50 lines and the page shows it verbatim" {
	[ "$(wc -l < $SRC)" -lt 50 ]
	[ -s $OBJ ]
	# The page's first C block is the file.
	diff -u $SRC <(awk '/^```c$/ { on = 1; next } on && /^```$/ { exit } on' $DOC)
}

@test "bpftool struct_ops register adds the example to the registry" {
	run bpftool struct_ops register $OBJ
	[ "$status" -eq 0 ]
	[[ "$output" == *"Registered gmem_policy_ops example"* ]]
	bpftool struct_ops list | grep -q "example *gmem_policy_ops"
	# Registered, not selected.
	[[ "$(cat $POLICY)" == *"[default]"*"example"* ]]
	[ "$(cat $STATS/state)" = active ]
}

@test "selected as the system default, its prefetch cuts device faults" {
	echo example > $POLICY
	[[ "$(cat $POLICY)" == *"[example]"* ]]
	run $RUN -n 2048 -o read
	[ "$status" -eq 0 ]
	echo "$output"
	# A fault brings 8 more pages: 228 faults, not 2048, as the page
	# documents (deterministic: one process, one device, nothing evicted).
	[ "$(field faults)" -eq 228 ]
	[ "$(cat $STATS/prefetched)" -gt 0 ]
	[ "$(cat $STATS/errors)" -eq 0 ]
}

@test "a 2x oversubscribed run is correct under its FIFO eviction" {
	victims=$(cat $STATS/victims)
	rounds=$(cat $DEV/evictions)
	bpftool prog tracelog > "$BATS_TEST_TMPDIR/tracelog" 2>&1 3>&- &
	TRACELOG_PID=$!
	for _ in $(seq 50); do
		ls -l /proc/$TRACELOG_PID/fd 2>/dev/null | grep -q trace_pipe && break
		sleep 0.1
	done
	run $RUN -n 8192 -o write -c
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"checked 8192 pages on the CPU: ok"* ]]
	[ "$(cat $DEV/evictions)" -gt "$rounds" ]
	# The victims were the policy's, not the default's filling in: the
	# page documents filled 0.
	[ "$(cat $STATS/victims)" -gt "$victims" ]
	[ "$(cat $STATS/filled)" -eq 0 ]
	[ "$(cat $STATS/state)" = active ]
	sleep 1
	# bpf_printk of the evict hook, through trace_pipe.
	grep -q "bpf_trace_printk: example: dev 0 evicts 16 of 16" "$BATS_TEST_TMPDIR/tracelog"
}

@test "bpftool struct_ops unregister puts the default back" {
	run bpftool struct_ops unregister name example
	[ "$status" -eq 0 ]
	[[ "$(cat $POLICY)" == *"[default]"* ]]
	[[ "$(cat $POLICY)" != *example* ]]
	[ ! -e $STATS ]
	run bpftool struct_ops list
	[[ "$output" != *example* ]]
}
