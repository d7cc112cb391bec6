#!/usr/bin/env bats
# Real device sizes: accelerators have GiBs of memory, and BPF policies
# keep per-frame state in maps. gmemctl load sizes that state to the
# devices present (loader/sizing.c); compiled in, it covers 64 Ki frames
# (256 MiB) a device. On a 1 GiB device (256 Ki frames), every shipped
# evictor must know every frame (its list holds frames past 64 Ki) and
# pick every victim itself: the kernel's LRU never fills in for it
# (policies/NAME/filled stays 0), and the data stays intact. And small
# devices: an eviction round takes at most 1/64 of one.

GMEMCTL=${GMEMCTL:-build/bin/gmemctl}	# another for a mutant
HOLD=build/bin/gmem-hold
G=/sys/kernel/gmem
DEV=$G/devices/gmem_sim0

setup_file() {
	insmod build/driver/gmem_sim.ko devices=1 mem_mb=1024
}

teardown_file() {
	rmmod gmem_sim
}

teardown() {
	local p
	if [ -n "${hpid:-}" ]; then	# a holder a failed test left
		kill -9 "$hpid" 2>/dev/null || true
		wait "$hpid" 2>/dev/null || true
	fi
	echo default > $G/policy
	for p in $(tr -d '[]' < $G/policy); do
		[ "$p" = default ] || $GMEMCTL unload "$p" >/dev/null 2>&1 || true
	done
}

# Little-endian bytes of $1, a bpftool key.
le32() {
	echo $(( $1 & 255 )) $(( ($1 >> 8) & 255 )) $(( ($1 >> 16) & 255 )) $(( $1 >> 24 ))
}

# Under evictor $1: put 1.0625x the device on it (the last 1/16 evicted
# by the policy) and hold it there. Every frame of the full device is then
# on the policy's list, frames past the 64 Ki that compiled-in slots cover
# too (a sample of 8: a round's few free frames may be among them); no
# victim was filled in by the kernel. $2 = check: the data too, on the CPU
# (that doubles a run's time).
manages_whole_device() {
	local name=$1 pages e0 line f linked=0
	run $GMEMCTL load --verbose "build/bpf/evict_$name.bpf.o" --default
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	pages=$(( $(cat $DEV/mem_total) / 4096 ))
	[ "$pages" -eq 262144 ]
	e0=$(cat $DEV/pages_evicted)
	coproc HOLDER { exec $HOLD -n $(( pages * 17 / 16 )); }
	hpid=$HOLDER_PID
	read -r -u "${HOLDER[0]}" line
	[[ "$line" == ready:* ]] || { echo "$line"; return 1; }
	for f in 65536 81920 98304 131072 163840 196608 229376 262143; do
		bpftool map lookup pinned /sys/fs/bpf/gmem/$name/gmem_nodes \
			key $(le32 $f) | grep -q '"linked": 1' && linked=$(( linked + 1 ))
	done
	echo "# $name: $(( $(cat $DEV/pages_evicted) - e0 )) pages evicted, filled $(cat $G/policies/$name/filled), victims $(cat $G/policies/$name/victims); $linked of 8 frames past 64 Ki on its list" >&3
	[ "$linked" -ge 6 ]
	echo "$output" | grep -q 'per-frame state for 1 devices of 262144 frames' ||
		{ echo "$output"; return 1; }
	[ $(( $(cat $DEV/pages_evicted) - e0 )) -ge $(( pages / 16 )) ]
	[ "$(cat $G/policies/$name/filled)" -eq 0 ]
	[ "$(cat $G/policies/$name/victims)" -ge $(( pages / 16 )) ]
	[ "$(cat $G/policies/$name/state)" = active ]
	if [ "${2:-}" = check ]; then
		kill -USR1 "$hpid"
		read -r -u "${HOLDER[0]}" line
		[ "$line" = "checked $(( pages * 17 / 16 )) pages: ok" ] || { echo "$line"; return 1; }
	else
		kill -TERM "$hpid"
	fi
	wait "$hpid" || [ "${2:-}" != check ]
	hpid=
	$GMEMCTL use default
	$GMEMCTL unload "$name"
}

@test "lru manages a 1 GiB device whole" { manages_whole_device lru; }
@test "fifo manages a 1 GiB device whole" { manages_whole_device fifo; }
@test "lfu manages a 1 GiB device whole" { manages_whole_device lfu; }
@test "clock manages a 1 GiB device whole" { manages_whole_device clock; }
@test "mru manages a 1 GiB device whole" { manages_whole_device mru; }
@test "s3fifo manages a 1 GiB device whole; data intact" { manages_whole_device s3fifo check; }
@test "sieve manages a 1 GiB device whole" { manages_whole_device sieve; }
@test "lirs manages a 1 GiB device whole; data intact" { manages_whole_device lirs check; }

# An eviction round takes 16 victims, but at most 1/64 of the device's
# frames (at least one): on a device of 64 frames a round of 16 evicted a
# quarter of what it held, pages the next faults needed. $1 frames, $2
# victims a round: twice the device written, every round that took a
# full batch.
rounds_of() {
	local e0 p0 rounds pages
	rmmod gmem_sim
	insmod build/driver/gmem_sim.ko devices=1 mem_pages="$1"
	[ "$(cat $DEV/evict_batch)" -eq "$2" ]
	e0=$(cat $DEV/evictions)
	p0=$(cat $DEV/pages_evicted)
	run $HOLD -n $(( $1 * 2 )) -e
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	rounds=$(( $(cat $DEV/evictions) - e0 ))
	pages=$(( $(cat $DEV/pages_evicted) - p0 ))
	echo "# $1 frames: $pages pages evicted in $rounds rounds" >&3
	[ "$pages" -ge "$1" ]
	[ "$pages" -le $(( rounds * $2 )) ]
	[ "$pages" -gt $(( rounds * ($2 - 1) )) ]
}

@test "an eviction round takes at most 1/64 of a small device" {
	rounds_of 64 1
	rounds_of 512 8
	rounds_of 2048 16
	rmmod gmem_sim
	insmod build/driver/gmem_sim.ko devices=1 mem_mb=1024
}
