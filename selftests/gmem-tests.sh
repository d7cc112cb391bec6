#!/bin/bash
# Runs one gmem_sim based test program (default gmem-tests) with the driver
# loaded: two devices of 16 MiB, small enough for the device-full and
# oversubscription cases to run quickly under TCG. Prints kselftest TAP.
#
# Usage: [GMEM_SIM_ARGS=param=v,...] selftests/gmem-tests.sh [PROGRAM [ARGS...]]
# (PROGRAM: gmem-tests, gmem-evict-tests, hmadvise-tests, gmem-fuzz, ...)
set -u
ko=build/driver/gmem_sim.ko
bin=build/selftests/${1:-gmem-tests}
for f in "$ko" "$bin"; do
	[ -e "$f" ] || { echo "gmem-tests.sh: $f missing (make driver selftests)" >&2; exit 1; }
done
# GMEM_SIM_ARGS: other module parameters, comma separated.
args=${GMEM_SIM_ARGS:-devices=2,mem_mb=16}
insmod "$ko" ${args//,/ } || exit 1
shift $(($# > 0))
"$bin" "$@"
rc=$?
# Unloading moves anything left on the devices back to host memory.
rmmod gmem_sim || { echo "gmem-tests.sh: rmmod gmem_sim failed" >&2; rc=1; }
exit $rc
