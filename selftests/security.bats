#!/usr/bin/env bats
# What an unprivileged user can and cannot do with GMEM. policy.bats
# already checks that uid 65534 can list but not load, use or unload
# policies with gmemctl, and that selecting for another user's process
# takes ptrace rights as well as CAP_SYS_ADMIN. Here: the kernel's own
# checks with the file modes out of the way (CAP_DAC_OVERRIDE), the BPF
# capabilities without CAP_SYS_ADMIN, the process's own policy, debugfs and
# the module parameters; and, as that user, gmem-security (device files
# passed on, bad pointers to every ioctl, no data across processes; run as
# root by the gmem-security suite) and the fuzzer.

GMEMCTL=build/bin/gmemctl
RUN=build/bin/gmem-run
G=/sys/kernel/gmem
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
# uid 65534 past the file modes, without CAP_SYS_ADMIN.
DAC="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+dac_override --ambient-caps=-all,+dac_override"
# uid 65534 with the BPF capabilities, without CAP_SYS_ADMIN.
BPFCAPS="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+bpf,+perfmon,+net_admin --ambient-caps=-all,+bpf,+perfmon,+net_admin"

setup_file() {
	insmod build/driver/gmem_sim.ko devices=2 mem_mb=16
}

teardown_file() {
	rmmod gmem_sim
}

teardown() {
	local p
	if [ -n "${BG:-}" ]; then
		kill -9 "$BG" 2>/dev/null || true
		wait "$BG" 2>/dev/null || true
	fi
	echo default > $G/policy
	echo 250 > $G/watchdog_ms
	echo 3 > $G/thrash_threshold
	echo 0 > $G/thrash_window
	echo 0 > $G/thrash_protect
	echo 0 > $G/strict_capacity
	echo 0 > $G/as_max_pages
	for p in $(tr -d '[]' < $G/policy); do
		[ "$p" = default ] || bpftool struct_ops unregister name "$p" >/dev/null 2>&1 || true
	done
}

no_leftovers() {
	[ "$(cat $G/policy)" = "[default]" ]
	[ -z "$(bpftool struct_ops list)" ]
}

# Wait (20 s at most) until /proc/$1/gmem_policy reads "$2".
wait_policy() {
	local _
	for _ in $(seq 200); do
		[ "$(cat /proc/"$1"/gmem_policy 2>/dev/null)" != "$2" ] || return 0
		sleep 0.1
	done
	return 1
}

@test "without CAP_SYS_ADMIN no GMEM knob can be written, even past the file modes" {
	local f want
	bpftool struct_ops register build/bpf/evict_lru.bpf.o > /dev/null
	# Each a value other than the current one.
	for f in policy:lru watchdog_ms:0 thrash_threshold:0 thrash_window:1 \
		 thrash_protect:1 strict_capacity:1 as_max_pages:1; do
		want=$(cat $G/${f%%:*})
		run $DAC bash -c "echo ${f#*:} > $G/${f%%:*}"
		echo "$G/${f%%:*}: status $status: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"Operation not permitted"* ]]
		[ "$(cat $G/${f%%:*})" = "$want" ]
	done
	bpftool struct_ops unregister name lru > /dev/null
	no_leftovers
}

@test "an unprivileged user cannot select a policy for its own process either" {
	bpftool struct_ops register build/bpf/evict_lru.bpf.o > /dev/null
	# The workload runs as uid 65534: its own process.
	$NOBODY $RUN -n 2048 -o rmw -p random -a 100000000 > /dev/null 2>&1 &
	BG=$!
	wait_policy $BG "default system"
	[ "$(stat -c %u /proc/$BG/gmem_policy)" -eq 65534 ]
	run $NOBODY bash -c "echo lru > /proc/$BG/gmem_policy"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	run $NOBODY $GMEMCTL use lru --pid $BG
	[ "$status" -eq 1 ]
	[[ "$output" == *"Operation not permitted"* || "$output" == *"Permission denied"* ]]
	# Nor make it follow the system default, nor the emergency switch.
	run $NOBODY bash -c "echo system > /proc/$BG/gmem_policy"
	[ "$status" -ne 0 ]
	run $DAC bash -c "echo default > $G/policy"
	[ "$status" -ne 0 ]
	[ "$(cat /proc/$BG/gmem_policy)" = "default system" ]
	[ "$(cat $G/policies/lru/address_spaces)" -eq 0 ]
	kill -9 $BG
	wait $BG || true
	BG=
	bpftool struct_ops unregister name lru > /dev/null
	no_leftovers
}

@test "with CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN but not CAP_SYS_ADMIN, registering a policy fails and leaves nothing" {
	run $BPFCAPS bpftool struct_ops register build/bpf/evict_lru.bpf.o
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"can't register struct_ops lru"* ]]
	[ ! -e $G/policies/lru ]
	run $BPFCAPS $GMEMCTL load build/bpf/evict_fifo.bpf.o
	[ "$status" -eq 1 ]
	[[ "$output" == *"Operation not permitted"* ]]
	[ ! -e $G/policies/fifo ]
	no_leftovers
	# No struct_ops map left behind either.
	! bpftool map list | grep struct_ops || false
}

@test "with CAP_BPF, root's policy can be neither unregistered nor dumped" {
	bpftool struct_ops register build/bpf/evict_lru.bpf.o > /dev/null
	# Refused for want of CAP_SYS_ADMIN (finding a map by id), not for any
	# other reason.
	run $BPFCAPS bpftool struct_ops unregister name lru
	echo "unregister: status $status: $output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	run $BPFCAPS bpftool struct_ops dump name lru
	echo "dump: status $status: $output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	[ "$(cat $G/policies/lru/state)" = active ]
	[ "$(cat $G/policy)" = "[default] lru" ]
	bpftool struct_ops unregister name lru > /dev/null
	no_leftovers
}

@test "an unprivileged user cannot read GMEM's debugfs nor write gmem_sim's parameters" {
	local p
	$RUN -n 2048 -o rmw -p random -a 100000000 > /dev/null 2>&1 &
	BG=$!
	wait_policy $BG "default system"
	[ -e /sys/kernel/debug/gmem/as-$BG ]
	run $NOBODY cat /sys/kernel/debug/gmem/as-$BG
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
	for p in fault_latency_ns link_mbps access_ns va_bits; do
		run $NOBODY bash -c "echo 40 > /sys/module/gmem_sim/parameters/$p"
		[ "$status" -ne 0 ]
		[[ "$output" == *"Permission denied"* ]]
		[ "$(cat /sys/module/gmem_sim/parameters/$p)" != 40 ]
	done
}

@test "gmem-security as an unprivileged user: fds passed on, bad pointers, no data across processes" {
	run $NOBODY build/selftests/gmem-security
	echo "$output"
	echo "# $(grep -E '^# Totals' <<<"$output")" >&3
	[ "$status" -eq 0 ]
}

@test "the fuzzer as an unprivileged user: every result documented, nothing left behind" {
	run $NOBODY build/selftests/gmem-fuzz -n 4000 -r 2000 -P
	echo "$output"
	grep -E '^# seed|^(not )?ok|^# [0-9]+ calls' <<<"$output" | sed 's/^/# /' >&3
	[ "$status" -eq 0 ]
}
