#!/usr/bin/env bats
# Hot-unplug: gmem_sim's debugfs "unplug" file removes a device the way a
# PCI remove would, with processes still holding it open. GMEM revokes
# their contexts and brings the device's pages home (gm_dev_destroy()).
# And the other end of a device's life: one whose driver has registered
# no memory (yet) must refuse to take pages, not crash.
# Also run on the debug kernel (KASAN, lockdep, kmemleak: .ci/run). A
# splat anywhere in the console fails the run (vmtest.sh scans it).

G=/sys/kernel/gmem
KO=build/driver/gmem_sim.ko
bats_require_minimum_version 1.5.0
UNPLUG=/sys/kernel/debug/gmem_sim/unplug
FAIL_COPIES=/sys/kernel/debug/gmem_sim/fail_unplug_copies

setup_file() {
	dmesg -C
}

setup() {
	insmod $KO devices=2 mem_mb=16
}

teardown() {
	# A holder a failed test left waiting for its signal.
	[ -z "${hpid:-}" ] || kill -9 "$hpid" 2>/dev/null || true
	rmmod gmem_sim
}

@test "hot-unplug of a device two processes use, under load: pages come home intact, contexts revoked, ENODEV" {
	run build/selftests/gmem-unplug 0
	echo "$output"
	[ "$status" -eq 0 ]
	echo "# $output" >&3
	# gmem_sim's own count: GMEM had it drop every mapping and reservation.
	dmesg | grep -q "gmem_sim0 unplugged: 0 pages mapped, 0 bytes reserved"

	# Only that device went.
	[ -d $G/devices/gmem_sim1 ]
	[ -e /dev/gmem_sim1 ]
}

@test "hot-unplug while the background evictor is evicting: pages come home intact, the worker stopped" {
	# Half the device kept free: A's and B's pages do not fit beside it,
	# so the worker evicts until the device goes.
	run build/selftests/gmem-unplug 0 2048
	echo "$output"
	[ "$status" -eq 0 ]
	echo "# $output" >&3
	dmesg | grep -q "gmem_sim0 unplugged: 0 pages mapped, 0 bytes reserved"
	[ -d $G/devices/gmem_sim1 ]
}

@test "unplug of an idle device removes it; of a number that is no device (any more) fails with ENODEV" {
	echo 1 > $UNPLUG
	[ ! -e $G/devices/gmem_sim1 ]
	[ ! -e /dev/gmem_sim1 ]
	run -1 bash -c "echo 1 > $UNPLUG"
	[[ "$output" == *"No such device"* ]]
	run -1 bash -c "echo 7 > $UNPLUG"
	[[ "$output" == *"No such device"* ]]
	[ -d $G/devices/gmem_sim0 ]
}

# hold PAGES: gmem-hold puts PAGES pages on gmem_sim0, detached; its pid
# in $hpid, its output on fd $hout (copied: bash unsets HOLDER once the
# coprocess is reaped).
hold() {
	local line
	coproc HOLDER { exec build/bin/gmem-hold -n "$1" -c -d /dev/gmem_sim0; }
	hpid=$HOLDER_PID
	exec {hout}<&"${HOLDER[0]}"
	read -r -u "$hout" line
	[ "$line" = "ready: $1 pages on 1 device, detached" ]
}

# gm_dev_evict_all() tries a failed copy for 10 passes, then gives the page
# up, zeroed, with an error naming it.
@test "copies home that fail during an unplug are retried: no word is lost" {
	local line
	hold 1024
	# Every copy of the first 9 passes fails (-EIO), the 10th works.
	echo $((9 * 1024)) > $FAIL_COPIES
	echo 0 > $UNPLUG
	[ "$(cat $FAIL_COPIES)" -eq 0 ]
	kill -USR1 "$hpid"
	read -r -u "$hout" line
	[ "$line" = "checked 1024 pages: ok" ]
	wait "$hpid"
	run ! grep -q "its data is lost" <(dmesg)
}

@test "a copy home that keeps failing is given up after 10 passes, loudly" {
	local line rc=0
	hold 64
	echo $((11 * 64)) > $FAIL_COPIES
	echo 0 > $UNPLUG
	[ "$(cat $FAIL_COPIES)" -eq 0 ]
	[ "$(dmesg | grep -c 'gmem_sim0: copy of frame .* to host failed: its data is lost')" -eq 64 ]
	kill -USR1 "$hpid"
	read -r -u "$hout" line
	[ "$line" = "checked 64 pages: 32768 words wrong" ]
	wait "$hpid" || rc=$?
	[ "$rc" -eq 1 ]
}

@test "a device without memory: a prefetch to it and its faults fail with ENOMEM" {
	rmmod gmem_sim
	insmod $KO devices=1 mem_mb=0
	[ "$(cat $G/devices/gmem_sim0/mem_total)" -eq 0 ]
	# The process is attached (open) before any memory is there: hmadvise()
	# found the device's free lists never set up and oopsed in the buddy.
	run build/bin/gmem-run -d /dev/gmem_sim0 -n 16 -o write -P
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"hmadvise(MADV_PREFETCH): Cannot allocate memory"* ]]
	run build/bin/gmem-run -d /dev/gmem_sim0 -n 16 -o write
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"GMEM_SIM_IOC_RUN: Cannot allocate memory"* ]]
	[ "$(cat $G/devices/gmem_sim0/mem_used)" -eq 0 ]
}
