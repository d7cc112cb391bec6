#!/bin/bash
# Runs placement-tests with the policies it selects registered (not made
# the system default), and unregisters them after. Prints kselftest TAP.
set -u
gmemctl=build/bin/gmemctl
objs=(build/bpf/place_remote.bpf.o build/bpf/place_counter.bpf.o
      build/selftests/bpf/place_migrate.bpf.o build/selftests/bpf/bad_place.bpf.o)
names=(place_remote place_counter place_migrate bad_place)
for o in "${objs[@]}"; do
	"$gmemctl" load "$o" >&2 || { echo "placement.sh: gmemctl load $o failed" >&2; exit 1; }
done
selftests/gmem-tests.sh placement-tests
rc=$?
for n in "${names[@]}"; do
	"$gmemctl" unload "$n" >&2 || rc=1
done
exit $rc
