#!/usr/bin/env bats
# Fault injection (debug kernel, make check DEBUG=1): failslab and
# fail_page_alloc fail allocations of the workload's task while it
# migrates and evicts. Errors must surface as documented errnos (or be
# retried), and no page may be torn or lost: gmem-run -f checks that every
# page of an interrupted run is either untouched or done, and the whole
# range on success. Skipped on a kernel without fault injection.

RUN=build/bin/gmem-run
DBG=/sys/kernel/debug
G=/sys/kernel/gmem

setup_file() {
	insmod build/driver/gmem_sim.ko devices=2 mem_mb=16
}

teardown_file() {
	rmmod gmem_sim
}

inject_off() {
	local f
	for f in failslab fail_page_alloc; do
		[ -d $DBG/$f ] && echo 0 > $DBG/$f/probability
	done
	return 0
}

teardown() {
	inject_off
}

# Fail allocations of tasks with make-it-fail set: $1, $2% of them.
inject() {
	local d=$DBG/$1
	[ -d "$d" ] || skip "kernel without $1 (make check DEBUG=1)"
	echo Y > $d/task-filter
	echo 0 > $d/interval
	echo -1 > $d/times
	echo 0 > $d/space
	echo 1 > $d/verbose		# one ratelimited line, no stack dump
	echo N > $d/ignore-gfp-wait
	[ ! -e $d/ignore-gfp-highmem ] || echo N > $d/ignore-gfp-highmem
	[ ! -e $d/min-order ] || echo 0 > $d/min-order	# default 1: only order >= 1 fails
	echo "$2" > $d/probability
}

# Three 2x-oversubscribed runs under injection (each about 25 s on the
# debug kernel): every one intact.
runs_intact() {
	local pages=$(( 2 * $(cat $G/devices/gmem_sim0/mem_total) / 4096 )) i ok=0 stopped=0
	dmesg -C
	for i in $(seq 3); do
		run $RUN -n $pages -o rmw -c -f
		[ "$status" -eq 0 ] || { echo "$output"; return 1; }
		if [[ "$output" == *"stopped by"* ]]; then
			stopped=$((stopped + 1))
		else
			ok=$((ok + 1))
		fi
	done
	inject_off
	injected=$(dmesg | grep -c 'FAULT_INJECTION: forcing a failure' || true)
	echo "# $1: 3 runs, $ok completed, $stopped stopped by an error, every page intact; injection reports (ratelimited): $injected" >&3
	[ "$injected" -gt 0 ]
	# Without injection the same workload runs whole again.
	$RUN -n $pages -o rmw -c
	[ "$(cat $G/devices/gmem_sim0/mem_used)" -eq 0 ]
}

@test "failslab during migrations and evictions: documented errors, no torn page" {
	inject failslab 10
	runs_intact failslab
}

@test "fail_page_alloc during migrations and evictions: documented errors, no torn page" {
	inject fail_page_alloc 10
	runs_intact fail_page_alloc
}
