#!/usr/bin/env bats
# Hot-unplug: gmem_sim's debugfs "unplug" file removes a device the way a
# PCI remove would, with processes still holding it open. GMEM revokes
# their contexts and brings the device's pages home (gm_dev_destroy()).
# Also run on the debug kernel (KASAN, lockdep, kmemleak: .ci/run).

G=/sys/kernel/gmem
KO=build/driver/gmem_sim.ko
bats_require_minimum_version 1.5.0
UNPLUG=/sys/kernel/debug/gmem_sim/unplug

setup_file() {
	dmesg -C
}

setup() {
	insmod $KO devices=2 mem_mb=16
}

teardown() {
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

@test "copies home that fail during an unplug are retried: no word is lost" {
	local fail=/sys/kernel/debug/gmem_sim/fail_unplug_copies line
	coproc HOLDER { exec build/bin/gmem-hold -n 1024 -c -d /dev/gmem_sim0; }
	read -r -u "${HOLDER[0]}" line
	[ "$line" = "ready: 1024 pages on 1 device, detached" ]
	# The first 100 copies back to host memory fail with -EIO.
	echo 100 > $fail
	echo 0 > $UNPLUG
	[ "$(cat $fail)" -eq 0 ]
	kill -USR1 "$HOLDER_PID"
	read -r -u "${HOLDER[0]}" line
	[ "$line" = "checked 1024 pages: ok" ]
	wait "$HOLDER_PID"
	run ! grep -q "its data is lost" <(dmesg)
}

@test "afterwards: no splat in the kernel log" {
	run bash -c "dmesg | grep -E 'BUG:|WARNING:|Oops|Call Trace|general protection|INFO: task'"
	echo "$output"
	[ "$status" -eq 1 ]
}
