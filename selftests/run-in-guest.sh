#!/bin/bash
# Runs the test suites inside the vmtest.sh guest. For each suite, its TAP
# output goes to the console and to RESULTS/<suite>.tap, its exit status to
# RESULTS/<suite>.rc; scripts/check.sh tallies them on the host.
#
# Usage: selftests/run-in-guest.sh RESULTS [SUITE...]   (default: all suites)
#        selftests/run-in-guest.sh --list       the suites, one a line
#        selftests/run-in-guest.sh --check SUITE...
#                    exit 2 naming any SUITE that is not one (run first, on
#                    the host too: scripts/check.sh)
# An unknown SUITE fails the run before anything runs. "kmemleak" is known
# as well: it runs after the others on a kernel with kmemleak (DEBUG=1),
# when all suites or it is asked for.
set -u

# name, per-suite timeout (s), command printing TAP
suites=(
	"smoke 300 bats --tap --timing selftests/smoke.bats"
	"hmm 600 selftests/hmm-tests.sh"
	"gmem 900 selftests/gmem-tests.sh gmem-tests"
	"evict 1200 selftests/gmem-tests.sh gmem-evict-tests"
	"hmadvise 900 env GMEM_SIM_ARGS=devices=40,mem_mb=16 selftests/gmem-tests.sh hmadvise-tests"
	"placement 600 selftests/placement.sh"
	"trace 600 bats --tap --timing selftests/tracepoints.bats"
	"gmemctl 600 bats --tap --timing selftests/gmemctl.bats"
	"policy 900 bats --tap --timing selftests/policy.bats"
	"policy-stress 900 bats --tap --timing selftests/policy-stress.bats"
	"policy-matrix 1500 selftests/policy-matrix.sh"
	"device-size 900 bats --tap --timing selftests/device-size.bats"
	"docs 300 bats --tap --timing selftests/docs.bats"
	"fault-injection 900 bats --tap --timing selftests/fault-injection.bats"
	"fuzz 900 selftests/fuzz.sh"
	"race 600 env GMEM_SIM_ARGS=devices=1,mem_mb=1 selftests/gmem-tests.sh gmem-race"
	"lifecycle 900 bats --tap --timing selftests/lifecycle.bats"
	"unplug 300 bats --tap --timing selftests/unplug.bats"
	"security 600 bats --tap --timing selftests/security.bats"
	"security-root 300 selftests/gmem-tests.sh gmem-security"
	"bench-quick 900 bench/guest.sh --quick --tap"
)

# Exit 2 naming every argument that is no suite.
check_names() {
	local arg entry unknown=()
	for arg in "$@"; do
		[ "$arg" != kmemleak ] || continue
		for entry in "${suites[@]}"; do
			[ "${entry%% *}" != "$arg" ] || continue 2
		done
		unknown+=("'$arg'")
	done
	[ ${#unknown[@]} -eq 0 ] && return 0
	echo "run-in-guest.sh: unknown suite(s): ${unknown[*]}; the suites are:" $(
		for entry in "${suites[@]}"; do echo "${entry%% *}"; done) kmemleak >&2
	exit 2
}

case ${1:-} in
--list)
	for entry in "${suites[@]}"; do
		echo "${entry%% *}"
	done
	exit 0
	;;
--check)
	shift
	check_names "$@"
	exit 0
	;;
""|-*)
	echo "usage: $0 RESULTS [SUITE...] | --list | --check SUITE..." >&2
	exit 2
	;;
esac
results=$1
shift
check_names "$@"

# A suite runs in a session of its own, and whatever it leaves running (a
# test's child orphaned by a failed assertion) is killed when it ends: such
# a process holds the TAP pipe open, so the suite would never end, and may
# hold a device, so gmem_sim could not be unloaded for the next suite.
run_suite() {	# limit command...
	setsid -w bash -c '
		timeout -k 10 "$@"
		rc=$?
		for pid in $(pgrep -s $$); do
			[ "$pid" = $$ ] || kill -KILL "$pid" 2>/dev/null
		done
		exit $rc' run_suite "$@"
}

mkdir -p "$results"
for entry in "${suites[@]}"; do
	read -r name limit cmd <<<"$entry"
	if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then
		continue
	fi
	echo "=== suite $name: $cmd"
	start=$(date +%s)
	run_suite "$limit" $cmd 2>&1 | tee "$results/$name.tap"
	rc=${PIPESTATUS[0]}
	[ "$rc" -ne 124 ] || echo "# suite $name timed out after ${limit}s" | tee -a "$results/$name.tap"
	if grep -q '^gmem_sim ' /proc/modules; then
		sleep 1
		rmmod gmem_sim 2>/dev/null
		echo "# suite $name left gmem_sim loaded$(grep -q '^gmem_sim ' /proc/modules && echo ', and it cannot be unloaded')" |
			tee -a "$results/$name.tap"
		[ "$rc" -ne 0 ] || rc=1
	fi
	echo "$rc" > "$results/$name.rc"
	echo "=== suite $name: exit $rc in $(( $(date +%s) - start ))s"
done

# On a kernel with kmemleak (make check DEBUG=1): after every suite ran,
# nothing allocated by GMEM, gmem_sim or a policy may be left unreferenced.
kmemleak=/sys/kernel/debug/kmemleak
if [ ! -w "$kmemleak" ] && [[ " $* " == *" kmemleak "* ]]; then
	echo "1..0 # SKIP no kmemleak in this kernel (make check DEBUG=1)" | tee "$results/kmemleak.tap"
	echo 0 > "$results/kmemleak.rc"
elif [ -w "$kmemleak" ] && { [ $# -eq 0 ] || [[ " $* " == *" kmemleak "* ]]; }; then
	echo "=== suite kmemleak: two scans after the suites"
	{
		echo scan > $kmemleak; sleep 5; echo scan > $kmemleak
		report=$(cat $kmemleak)
		ours=$(awk -v RS='unreferenced object' '/gm_|gmem|sim_|bpf_struct_ops/' <<<"$report")
		echo "1..1"
		echo "# kmemleak: $(grep -c '^unreferenced object' <<<"$report") unreferenced object(s) in all"
		if [ -z "$ours" ]; then
			echo "ok 1 kmemleak finds nothing of GMEM's, gmem_sim's or a policy's"
		else
			sed 's/^/# /' <<<"$ours"
			echo "not ok 1 kmemleak finds nothing of GMEM's, gmem_sim's or a policy's"
		fi
	} 2>&1 | tee "$results/kmemleak.tap"
	grep -q '^ok 1' "$results/kmemleak.tap"
	echo $? > "$results/kmemleak.rc"
fi
