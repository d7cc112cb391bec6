#!/bin/bash
# Runs the benchmark inside the vmtest.sh guest: a fine-grained clock
# (bench_clock), test_hmm, every policy the suite compares, then
# gmem-bench suite, then everything is unloaded again.
#
# Usage: bench/guest.sh [--quick] [--tap] [--out FILE] [--tsc-khz KHZ]
#                       [gmem-bench suite options]
# With --tap (make check's bench-quick suite): TAP on stdout, the numbers
# as TAP comments; without it, progress and checks on stderr.
set -u
cd "$(dirname "$0")/.."

quick= tap= out= tsc_khz=
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=--quick ;;
	--tap) tap=--tap ;;
	--out) out=$2; shift ;;
	--tsc-khz) tsc_khz=$2; shift ;;
	*) args+=("$1") ;;
	esac
	shift
done
if [ -z "$out" ]; then
	out=build/bench/raw.jsonl
	[ -z "$quick" ] || out=build/bench/quick/raw.jsonl
fi
mkdir -p "$(dirname "$out")"
bench=build/bench/bin/gmem-bench
gmemctl=build/bin/gmemctl
for f in "$bench" "$gmemctl" build/bench/clock/bench_clock.ko build/driver/gmem_sim.ko; do
	if [ ! -e "$f" ]; then
		[ -z "$tap" ] || echo "1..1"
		echo "${tap:+not ok 1 - }bench: $f missing (make all)"
		exit 1
	fi
done
log() { echo "# $*" >&2; }

# Private copies: others may rebuild build/ (for another kernel) while this
# runs, and a module built for another kernel does not load.
priv=$(mktemp -d /tmp/gmem-bench.XXXXXX)
cp "$bench" build/driver/gmem_sim.ko build/bench/clock/bench_clock.ko "$priv/"
bench=$priv/gmem-bench

# Under TCG the kernel often fails to calibrate the TSC, or its watchdog
# marks it unstable against jiffies that lag on a busy host, and keeps time
# with refined-jiffies (4 ms steps): bench_clock reads the TSC instead.
cs=/sys/devices/system/clocksource/clocksource0
if ! grep -q '^bench_clock ' /proc/modules; then
	insmod "$priv/bench_clock.ko" ${tsc_khz:+khz=$tsc_khz} ||
		log "bench_clock did not load"
fi
echo bench_tsc > $cs/current_clocksource 2>/dev/null ||
	log "bench_tsc not selectable: times may be in 4 ms steps"
log "clocksource: $(cat $cs/current_clocksource) ($(dmesg | grep -o 'bench_clock: TSC at [0-9]* kHz' | tail -1))"
modprobe test_hmm || log "test_hmm did not load: no peer comparison"
# Tracing-heavy runs: room for the page events.
echo 0 > /proc/sys/kernel/printk_ratelimit 2>/dev/null

# The policies this run compares (shipped ones from build/bpf, prefetch x
# eviction pairs from build/bench/bpf).
loaded=()
for name in $("$bench" policies $quick); do
	obj=
	for o in build/bpf/evict_$name.bpf.o build/bpf/prefetch_$name.bpf.o \
		 build/bpf/$name.bpf.o build/bench/bpf/$name.bpf.o; do
		[ -e "$o" ] && obj=$o
	done
	if [ -z "$obj" ]; then
		log "no object for policy $name"
		continue
	fi
	msg=$("$gmemctl" load "$obj" 2>&1) || { log "gmemctl load $obj: $msg"; continue; }
	loaded+=("$name")
done
log "policies loaded: ${loaded[*]}"

# The quick run (make check) replays one trace: the path, not the corpus.
traces=()
for t in bench/traces/*.vpn.gz; do
	[ -e "$t" ] && traces+=(--trace "$t")
done
[ -z "$quick" ] || traces=(--trace bench/traces/hashjoin.vpn.gz)

start=$(date +%s)
"$bench" suite $quick $tap --out "$out" --driver "$priv/gmem_sim.ko" \
	"${traces[@]}" "${args[@]}"
rc=$?
log "gmem-bench suite: exit $rc after $(( $(date +%s) - start )) s"

echo default > /sys/kernel/gmem/policy
for name in "${loaded[@]}"; do
	"$gmemctl" unload "$name" >/dev/null || log "gmemctl unload $name failed"
done
modprobe -r test_hmm 2>/dev/null
! grep -q bench_clock /proc/modules || rmmod bench_clock

# The numbers, as comments (make check prints them; asserts nothing).
if [ -n "$tap" ] && command -v python3 >/dev/null; then
	python3 bench/report.py --summary "$(dirname "$out")" | sed 's/^/# /'
fi
exit $rc
