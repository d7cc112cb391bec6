#!/usr/bin/env bats
# Lifecycle under load: policies registered, swapped and unregistered a
# thousand times while checksummed workloads run on both devices; kill -9 of
# gmemctl mid-load and of workloads mid-migration; process exit with pages
# on two devices; rmmod of gmem_sim with and without attached processes;
# bpftool struct_ops unregister of the active system default. Afterwards
# nothing may be left: no policy, no address space, no device memory in
# use. Counts and wall times are printed as TAP comments.

GMEMCTL=build/bin/gmemctl
RUN=build/bin/gmem-run
HOLD=build/bin/gmem-hold
CYCLE=build/selftests/gmem-cycle
G=/sys/kernel/gmem
KO=build/driver/gmem_sim.ko

setup_file() {
	insmod $KO devices=2 mem_mb=16
	date +%s.%N > "$BATS_FILE_TMPDIR/start"
}

teardown_file() {
	rmmod gmem_sim
}

teardown() {
	local pid p
	touch "$BATS_TEST_TMPDIR/stop"
	for pid in ${WL[@]+"${WL[@]}"} ${BG:-} ${hpid:-}; do
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	WL=()
	[ -d $G/devices/gmem_sim0 ] || insmod $KO devices=2 mem_mb=16
	echo default > $G/policy
	for p in $(tr -d '[]' < $G/policy); do
		[ "$p" = default ] || bpftool struct_ops unregister name "$p" >/dev/null 2>&1 ||
			$GMEMCTL unload "$p" >/dev/null 2>&1 || true
	done
}

pages() {	# device memory in pages
	echo $(( $(cat $G/devices/gmem_sim0/mem_total) / 4096 ))
}

# Seconds since $1 (a date +%s.%N), to a tenth.
since() {
	local now
	now=$(date +%s.%N)
	awk -v a="$1" -v b="$now" 'BEGIN { printf "%.1f", b - a }'
}

# Wait (10 s at most) until nothing is left on the devices: no memory in
# use, no GMEM address space, no policy binding one.
wait_idle() {
	local _ d busy
	for _ in $(seq 100); do
		busy=
		for d in $G/devices/*/; do
			[ "$(cat "$d/mem_used")" -eq 0 ] || busy="$busy $(basename "$d") mem_used=$(cat "$d/mem_used")"
		done
		for d in $G/policies/*/; do
			[ "$(cat "$d/address_spaces")" -eq 0 ] || busy="$busy $(basename "$d") address_spaces=$(cat "$d/address_spaces")"
		done
		compgen -G "/sys/kernel/debug/gmem/as-*" > /dev/null && busy="$busy $(cd /sys/kernel/debug/gmem && echo as-*)"
		[ -n "$busy" ] || return 0
		sleep 0.1
	done
	echo "still busy:$busy" >&2
	return 1
}

# Checksummed workloads 1.5 times a device's memory (so that the policies
# evict), one device after the other, until stop_workloads; a failed run
# is recorded in wl-fail. One at a time: the guest has two CPUs, and the
# other is for what the test does meanwhile.
start_workloads() {
	local n=$(( 3 * $(pages) / 2 ))
	rm -f "$BATS_TEST_TMPDIR/stop"
	(
		runs=0
		while [ ! -e "$BATS_TEST_TMPDIR/stop" ]; do
			dev=/dev/gmem_sim$((runs % 2))
			out=$($RUN -d $dev -n $n -o rmw -p random -a $n -c 2>&1) ||
				echo "$dev: $out" >> "$BATS_TEST_TMPDIR/wl-fail"
			runs=$((runs + 1))
		done
		echo $runs > "$BATS_TEST_TMPDIR/wl-runs"
	) 3>&- &
	WL=($!)
}

stop_workloads() {
	touch "$BATS_TEST_TMPDIR/stop"
	wait "${WL[@]}"
	WL=()
	if [ -e "$BATS_TEST_TMPDIR/wl-fail" ]; then
		cat "$BATS_TEST_TMPDIR/wl-fail"
		return 1
	fi
	WL_RUNS=$(cat "$BATS_TEST_TMPDIR/wl-runs")
}

no_policies_left() {
	[ "$(cat $G/policy)" = "[default]" ]
	[ "$(ls $G/policies)" = default ]
	[ -z "$(bpftool struct_ops list)" ]
}

# bpf_objects, nothing_new_since
source "$BATS_TEST_DIRNAME/bpf_objects.bash"

# The policy objects of build/bpf (not the tracer).
policy_objects() {
	local o
	for o in build/bpf/*.bpf.o; do
		[ "$o" = build/bpf/gmem_trace.bpf.o ] || echo "$o"
	done
}

@test "1000 register/swap/unregister cycles while checksummed workloads run on both devices" {
	local t0
	t0=$(date +%s.%N)
	start_workloads
	run $CYCLE -n 1000 -k 3 -f 25 $(policy_objects)
	echo "$output"
	stop_workloads
	[ "$status" -eq 0 ]
	echo "# ${lines[0]}" >&3
	echo "# ${lines[1]}" >&3
	echo "# $WL_RUNS checksummed workload runs, all correct; $(since "$t0") s" >&3
	[ "$WL_RUNS" -ge 2 ]
	no_policies_left
	wait_idle
}

@test "a policy's name taken again while it is unregistered, 50 times under load: refused until it is gone from sysfs too" {
	local before after
	before=$(dmesg | grep -c 'duplicate filename' || true)
	start_workloads
	run $CYCLE -n 0 -r 50 build/bpf/evict_lru.bpf.o
	echo "$output"
	stop_workloads
	[ "$status" -eq 0 ]
	echo "# ${lines[2]}" >&3
	after=$(dmesg | grep -c 'duplicate filename' || true)
	[ "$after" -eq "$before" ] || { dmesg | grep -B2 -A2 'duplicate filename' | tail -20; false; }
	no_policies_left
	wait_idle
}

@test "gmemctl load --default, use --pid and unload, 5 cycles under load" {
	local t0 i objs pid
	t0=$(date +%s.%N)
	objs=($(policy_objects))
	start_workloads
	for i in $(seq 0 4); do
		o=${objs[i * 2 % ${#objs[@]}]}
		run $GMEMCTL load "$o" --default --name "g$i"
		[ "$status" -eq 0 ] || { echo "$output"; false; }
		[[ "$(cat $G/policy)" == *"[g$i]"* ]]
		pid=$(pgrep -n -x gmem-run) || true
		if [ -n "$pid" ]; then
			# The workload may end meanwhile: then it is gone, or has no
			# address space any more.
			run $GMEMCTL use "g$i" --pid "$pid"
			[ "$status" -eq 0 ] || [[ "$output" == *"No such process"* ||
				"$output" == *"No such device"* ]] || { echo "$output"; false; }
		fi
		if [ "$i" -gt 0 ]; then
			run $GMEMCTL unload "g$((i - 1))"
			[ "$status" -eq 0 ] || { echo "$output"; false; }
		fi
	done
	run $GMEMCTL unload g4
	[ "$status" -eq 0 ]
	stop_workloads
	echo "# 5 gmemctl load/use/unload cycles, $WL_RUNS checksummed workload runs: $(since "$t0") s" >&3
	no_policies_left
	wait_idle
}

@test "kill -9 of gmemctl mid-load under load, 8 times: the policy is registered whole or absent" {
	local t0 t1 us i delay registered=0 absent=0 default=0 base
	base=$(bpf_objects)
	start_workloads
	t0=$EPOCHREALTIME
	$GMEMCTL load build/bpf/evict_lru.bpf.o --default > /dev/null
	t1=$EPOCHREALTIME
	us=$(( ${t1/./} - ${t0/./} ))
	$GMEMCTL unload lru > /dev/null
	for i in $(seq 0 7); do
		delay=$(( us * i * 3 / 16 ))
		$GMEMCTL load build/bpf/evict_lru.bpf.o --default > /dev/null 2>&1 &
		BG=$!
		sleep "$(printf '%d.%06d' $((delay / 1000000)) $((delay % 1000000)))"
		kill -9 $BG 2>/dev/null || true
		wait $BG || true
		BG=
		if [ -e $G/policies/lru ]; then
			registered=$((registered + 1))
			[ "$(cat $G/policies/lru/state)" = active ]
			bpftool struct_ops list | grep -qE '^[0-9]+: lru +gmem_policy_ops'
			# Killed before or after it selected the policy.
			[ "$(cat $G/policy)" = "default [lru]" ] || [ "$(cat $G/policy)" = "[default] lru" ]
			[ "$(cat $G/policy)" = "[default] lru" ] || default=$((default + 1))
			run $GMEMCTL unload lru
			[ "$status" -eq 0 ] || { echo "$output"; false; }
		else
			absent=$((absent + 1))
			[ "$(cat $G/policy)" = "[default]" ]
			# Absent means wholly: no map or program of the killed
			# load is left, struct_ops or not.
			nothing_new_since "$base" || { echo "kill $i: lru absent, but its objects are not"; false; }
		fi
		no_policies_left
		nothing_new_since "$base"
	done
	stop_workloads
	echo "# load takes $((us / 1000)) ms under load; after kill -9: $registered registered ($default also the default), $absent absent; $WL_RUNS workload runs correct" >&3
	[ "$registered" -ge 1 ]
	[ "$absent" -ge 1 ]
	wait_idle
}

@test "kill -9 of workloads mid-migration, 60 times: every page and address space is freed" {
	local t0 i n=$(( 3 * $(pages) / 2 )) dev args killed=0 finished=0
	t0=$(date +%s.%N)
	$GMEMCTL load build/bpf/evict_lfu.bpf.o --default > /dev/null
	for i in $(seq 0 59); do
		dev=/dev/gmem_sim$((i % 2))
		# Demand faults and evictions; every fourth also hmadvise prefetch.
		args="-d $dev -n $n -o rmw -p random -a 1000000"
		[ $((i % 4)) -ne 3 ] || args="$args -P"
		$RUN $args > /dev/null 2>&1 &
		BG=$!
		sleep "0.$(printf '%03d' $((RANDOM % 250 + 50)))"
		if kill -9 $BG 2>/dev/null; then
			killed=$((killed + 1))
		else
			finished=$((finished + 1))
		fi
		wait $BG || true
		BG=
	done
	wait_idle
	$GMEMCTL unload lfu > /dev/null
	echo "# 60 workloads: $killed killed mid-run, $finished had finished; $(since "$t0") s" >&3
	[ "$killed" -ge 50 ]
	no_policies_left
}

@test "process exit and kill -9 with pages on two devices: both devices' memory comes back" {
	local t0 i used0 used1
	t0=$(date +%s.%N)
	for i in $(seq 6); do
		run $HOLD -n 1024 -d /dev/gmem_sim0 -d /dev/gmem_sim1 -e
		[ "$status" -eq 0 ]
		[ "$output" = "ready: 1024 pages on 2 devices" ]
		wait_idle
	done
	for i in $(seq 6); do
		coproc HOLDER { exec $HOLD -n 1024 -d /dev/gmem_sim0 -d /dev/gmem_sim1; }
		hpid=$HOLDER_PID
		read -r -u "${HOLDER[0]}" line
		[[ "$line" == ready:* ]]
		used0=$(cat $G/devices/gmem_sim0/mem_used)
		used1=$(cat $G/devices/gmem_sim1/mem_used)
		[ "$used0" -eq $((512 * 4096)) ]
		[ "$used1" -eq $((512 * 4096)) ]
		kill -9 "$hpid"
		wait "$hpid" || true
		wait_idle
	done
	echo "# 6 exits and 6 kill -9 with 512 pages on each device: $(since "$t0") s" >&3
}

@test "rmmod while a process is attached fails with EBUSY and breaks nothing; after it exits rmmod works" {
	local t0 line
	t0=$(date +%s.%N)
	coproc HOLDER { exec $HOLD -n 1024 -d /dev/gmem_sim0 -d /dev/gmem_sim1; }
	hpid=$HOLDER_PID
	read -r -u "${HOLDER[0]}" line
	[[ "$line" == ready:* ]]
	run rmmod gmem_sim
	[ "$status" -ne 0 ]
	[[ "$output" == *"in use"* || "$output" == *"Resource temporarily unavailable"* ||
		"$output" == *"busy"* ]] || { echo "$output"; false; }
	run python3 -c 'import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(176, b"gmem_sim", os.O_NONBLOCK)
print(r, os.strerror(ctypes.get_errno()))'
	echo "# rmmod with an attached process: $output" >&3
	[[ "$output" == "-1 Resource temporarily unavailable" || "$output" == "-1 Device or resource busy" ]]
	# Still there, still working.
	[ -c /dev/gmem_sim0 ]
	run $RUN -d /dev/gmem_sim1 -n 512 -o rmw -p random -a 2048 -c
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	kill -USR1 "$hpid"
	read -r -u "${HOLDER[0]}" line
	[ "$line" = "checked 1024 pages: ok" ]
	wait "$hpid"
	wait_idle
	rmmod gmem_sim
	[ ! -e /dev/gmem_sim0 ]
	[ ! -e $G/devices/gmem_sim0 ]
	insmod $KO devices=2 mem_mb=16
	[ -c /dev/gmem_sim1 ]
	run $RUN -n 256 -o write -c
	[ "$status" -eq 0 ]
	echo "# $(since "$t0") s" >&3
}

@test "rmmod with a detached process's pages on both devices brings them back intact" {
	local line
	coproc HOLDER { exec $HOLD -n 2048 -c -d /dev/gmem_sim0 -d /dev/gmem_sim1; }
	hpid=$HOLDER_PID
	read -r -u "${HOLDER[0]}" line
	[ "$line" = "ready: 2048 pages on 2 devices, detached" ]
	[ "$(cat $G/devices/gmem_sim0/mem_used)" -eq $((1024 * 4096)) ]
	[ "$(cat $G/devices/gmem_sim1/mem_used)" -eq $((1024 * 4096)) ]
	# No file open: the module can go, and its devices' pages come home.
	rmmod gmem_sim
	kill -USR1 "$hpid"
	read -r -u "${HOLDER[0]}" line
	[ "$line" = "checked 2048 pages: ok" ]
	wait "$hpid"
	insmod $KO devices=2 mem_mb=16
	wait_idle
}

@test "bpftool struct_ops unregister of the active system default and of a selected policy under load, 5 times" {
	local t0 i pid
	t0=$(date +%s.%N)
	start_workloads
	for i in $(seq 5); do
		bpftool struct_ops register build/bpf/evict_lru.bpf.o > /dev/null
		bpftool struct_ops register build/bpf/prefetch_seq.bpf.o > /dev/null
		echo lru > $G/policy
		pid=$(pgrep -n -x gmem-run) || true
		[ -z "$pid" ] || echo seq > /proc/$pid/gmem_policy 2>/dev/null || true
		sleep 0.$((RANDOM % 5))
		run bpftool struct_ops unregister name lru
		[ "$status" -eq 0 ] || { echo "$output"; false; }
		[ "$(cat $G/policy)" = "[default] seq" ]
		run bpftool struct_ops unregister name seq
		[ "$status" -eq 0 ] || { echo "$output"; false; }
		[ "$(cat $G/policy)" = "[default]" ]
		[ -z "$pid" ] || [ ! -e /proc/$pid/gmem_policy ] ||
			[[ "$(cat /proc/$pid/gmem_policy 2>/dev/null)" =~ ^(default\ system|none|)$ ]]
	done
	stop_workloads
	echo "# 5 times: $WL_RUNS checksummed workload runs correct; $(since "$t0") s" >&3
	no_policies_left
	wait_idle
}

@test "after an exec() that kept a device file open, as-PID is the new address space's" {
	local clashes
	clashes=$(dmesg | grep -c "File 'as-" || true)
	# The first shell attaches gmem_sim0, execs a second with the file
	# still open (its address space stays), which attaches gmem_sim1.
	run bash -c 'exec 3<>/dev/gmem_sim0
		exec bash -c "exec 4<>/dev/gmem_sim1
			cd /sys/kernel/debug/gmem && echo \$\$ && head -1 as-\$\$ &&
			ls -d as-\$\$.*"'
	echo "$output"
	[ "$status" -eq 0 ]
	# Its own, not the one exec() left, which is as-PID.ID now.
	[ "${lines[1]}" = "devices: gmem_sim1" ]
	[[ "${lines[2]}" =~ ^as-${lines[0]}\.[0-9]+$ ]]
	[ "$(dmesg | grep -c "File 'as-" || true)" -eq "$clashes" ]
}

@test "afterwards: no policy, no address space, no device memory in use, no splat" {
	no_policies_left
	wait_idle
	for p in $G/policies/*/; do
		[ "$(cat "$p/address_spaces")" -eq 0 ]
	done
	# A negated pipeline not ending the test cannot fail it: '|| false' can.
	! dmesg | grep -E 'BUG:|WARNING:|Oops|Call Trace|general protection' || false
	echo "# lifecycle suite: $(since "$(cat "$BATS_FILE_TMPDIR/start")") s" >&3
}
