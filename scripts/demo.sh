#!/bin/bash
# Runs inside the guest for 'make demo': GMEM with BPF policies on the
# simulated accelerator. One process reads 2x more MAP_PEER_SHARED memory
# than the device has, pass after pass; while it runs, policies are loaded
# and swapped under it, and each pass reports the device faults and the
# pages migrated under the policy it ran with.
set -eu

G=/sys/kernel/gmem
DEV=$G/devices/gmem_sim0
RUN=build/bin/gmem-run
GMEMCTL=build/bin/gmemctl
OUT=$(mktemp)
section() { printf '\n== %s\n' "$1"; }

# Wait until the workload has finished pass $1.
after_pass() {
	until grep -q "^pass $1 " "$OUT"; do
		kill -0 "$WL" 2>/dev/null || { cat "$OUT"; echo "demo: workload died" >&2; exit 1; }
		sleep 0.1
	done
}

section "kernel $(uname -r), the simulated accelerator gmem_sim"
insmod build/driver/gmem_sim.ko devices=1 mem_mb=16
# A TCG guest usually keeps time in 4 ms jiffies steps: the TSC clocksource
# of the benchmark (bench/clock) makes swap latencies measured, not rounded.
cs=/sys/devices/system/clocksource/clocksource0
if ! grep -qx tsc $cs/current_clocksource && [ -e build/bench/clock/bench_clock.ko ]; then
	insmod build/bench/clock/bench_clock.ko &&
		echo bench_tsc > $cs/current_clocksource || true
fi
echo "clocksource: $(cat $cs/current_clocksource)"
pages=$(( $(cat $DEV/mem_total) / 4096 ))
echo "device gmem_sim0: $pages pages (16 MiB) of device memory, hnid $(cat $DEV/hnid)"

section "policies: the built-in default, and BPF ones loaded with gmemctl"
$GMEMCTL load build/bpf/prefetch_seq.bpf.o
$GMEMCTL load build/bpf/evict_mru.bpf.o
$GMEMCTL list

passes=12
section "a workload: $passes passes reading $((2 * pages)) pages, 2x the device, sequentially"
echo "(each pass faults its pages in; host DRAM holds what does not fit)"
$RUN -n $((2 * pages)) -o read -r $passes > "$OUT" &
WL=$!
shown=0
show_passes() {	# print the passes finished since the last call
	local n
	n=$(grep -c '^pass ' "$OUT" || true)
	if [ "$n" -gt "$shown" ]; then
		grep '^pass ' "$OUT" | sed -n "$((shown + 1)),${n}p" |
			sed -E 's/: \/dev\/gmem_sim0: [0-9]+ pages sequential read:/:/;
				s/ tlb_misses=[0-9]+//; s/ checksum=.*//; s/^/  /'
		shown=$n
	fi
}

after_pass 3; show_passes
section "swap to 'seq' (sequential prefetch) while the workload runs"
$GMEMCTL use seq
after_pass 4
section "trace a few fault events of the workload (gmemctl trace, tp_btf + ring buffer)"
$GMEMCTL trace --pid "$WL" --count 6 --duration 20
after_pass 6; show_passes
section "swap eviction: 'mru' keeps most of a cyclic scan resident (LRU evicts each page just before its reuse)"
$GMEMCTL use mru
after_pass 9; show_passes
section "unload 'mru' under the workload: it falls back to the default"
$GMEMCTL unload mru
wait "$WL"
show_passes

section "what changed: per pass, by policy (A>B: swapped during the pass)"
printf '  %-12s %6s %14s %16s %16s\n' policy passes "device faults" "pages migrated" "device time us"
awk '/^pass / {
	match($0, /policy [^)]*/); p = substr($0, RSTART + 7, RLENGTH - 7)
	match($0, /faults=[0-9]+/); f = substr($0, RSTART + 7, RLENGTH - 7)
	match($0, /migrated_in=[0-9]+/); m = substr($0, RSTART + 12, RLENGTH - 12)
	match($0, /sim_time_us=[0-9]+/); t = substr($0, RSTART + 12, RLENGTH - 12)
	if (!(p in n)) order[++k] = p
	n[p]++; F[p] += f; M[p] += m; T[p] += t
} END {
	for (i = 1; i <= k; i++) { p = order[i]
		printf "  %-12s %6d %14d %16d %16d\n", p, n[p], F[p] / n[p], M[p] / n[p], T[p] / n[p] }
}' "$OUT"

section "policy counters (gmemctl stats)"
$GMEMCTL stats | grep -E '^policy (default|seq)'
$GMEMCTL unload seq
echo
$GMEMCTL list
rm -f "$OUT"
rmmod gmem_sim
