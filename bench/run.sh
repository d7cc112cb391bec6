#!/usr/bin/env bash
# make bench / make bench-quick: the whole benchmark in ONE guest (so that
# ratios compare like with like), then the report on the host.
#
#   bench/run.sh [--quick] [gmem-bench suite options]
#
# Results: build/bench/ (build/bench/quick/ for --quick): raw.jsonl,
# results.json, results.md, *.png, console.log.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=
if [ "${1:-}" = --quick ]; then
	quick=--quick
	shift
fi
dir=build/bench
[ -z "$quick" ] || dir=build/bench/quick
mkdir -p "$dir"
rm -f "$dir"/raw.jsonl "$dir"/results.* "$dir"/*.png

if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	accel=KVM
else
	accel=TCG
fi
cpus=$(nproc)
model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-Linux}" || echo Linux)
# TCG guests read the host's TSC: its frequency, measured here, where the
# clock is right, sets the guest's benchmark clock (bench/clock/).
tsc_khz=$(build/bench/bin/gmem-bench tsc-khz 2>/dev/null || true)

start=$(date +%s)
set +e
./vmtest.sh -m 3G -s 2 -t "${BENCH_TIMEOUT:-1800}" -- \
	bench/guest.sh $quick --out "$dir/raw.jsonl" ${tsc_khz:+--tsc-khz "$tsc_khz"} "$@"
rc=$?
set -e
wall=$(( $(date +%s) - start ))
cp build/vm/last/console.log "$dir/console.log" 2>/dev/null || true

cat > "$dir/host.json" <<JSON
{"date": "$(date +%Y-%m-%d)", "machine": "$os, $cpus cores ($model), no KVM: QEMU TCG, 2 guest CPUs, 3 GiB",
 "accel": "$accel", "cpus": $cpus, "tsc_khz": "${tsc_khz:-}", "wall_s": $wall,
 "mode": "${quick:-full}", "guest_exit": $rc}
JSON
[ "$accel" = TCG ] || sed -i 's/no KVM: QEMU TCG/QEMU with KVM/' "$dir/host.json"

if [ -s "$dir/raw.jsonl" ]; then
	python3 bench/report.py "$dir"
fi
echo "bench: ${quick:-full} run: guest exit $rc, ${wall} s wall (make bench${quick:+-quick}); results in $dir/results.md"
exit $rc
