#!/usr/bin/env bash
# Record a program's page reference string for gmem-bench's trace replay:
# valgrind's lackey tool logs every data access, gmem-bench convert-lackey
# keeps each access's page number (dropping repeats of the page just
# accessed, which are hits under every policy), gzip -9 stores it.
#
#   bench/record-trace.sh OUT.vpn.gz PROGRAM [ARGS...]
#   bench/record-trace.sh             (re-records bench/traces/hashjoin.vpn.gz)
#
# Needs valgrind (Debian package valgrind) and build/bench/bin/gmem-bench
# (make bench-build).
set -euo pipefail
cd "$(dirname "$0")/.."
bench=build/bench/bin/gmem-bench
[ -x "$bench" ] || { echo "record-trace: $bench missing (make bench-build)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "record-trace: valgrind missing (apt-get install valgrind)" >&2; exit 1; }

if [ $# -eq 0 ]; then
	mkdir -p build/bench
	gcc -O2 -o build/bench/hashjoin bench/traces/hashjoin.c
	set -- bench/traces/hashjoin.vpn.gz build/bench/hashjoin
fi
out=$1
shift
valgrind --tool=lackey --trace-mem=yes --log-file=/dev/stderr "$@" 2>&1 >/dev/null |
	"$bench" convert-lackey | gzip -9 > "$out"
echo "record-trace: $out: $(zcat "$out" | wc -l) references, $(zcat "$out" | sort -u | wc -l) distinct pages, $(stat -c %s "$out") bytes"
