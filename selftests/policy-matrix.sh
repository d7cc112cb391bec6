#!/bin/bash
# The core/driver and oversubscription tests (gmem-tests, gmem-evict-tests)
# once per shipped policy: each bpf/ policy is registered and made the
# system default, then both programs run under it. A policy must not
# change what the tests check (data, errors, coherence), only how fast;
# it must also end the run active, without errors, and an evictor with no
# refused nomination. Prints one TAP stream:
# "ok N [POLICY] test", and per program "[POLICY] PROGRAM ran whole": its
# plan was printed and met, and it exited 0.
#
# Usage: selftests/policy-matrix.sh [POLICY-OBJECT...]  (default build/bpf/*)
set -u
G=/sys/kernel/gmem
objs=("$@")
[ ${#objs[@]} -gt 0 ] || objs=(build/bpf/evict_*.bpf.o build/bpf/prefetch_*.bpf.o build/bpf/hints.bpf.o)
n=0 failed=0

result() {	# ok|not ok, description
	n=$((n + 1))
	echo "$1 $n $2"
	[ "$1" = ok ] || failed=1
}

for obj in "${objs[@]}"; do
	name=$(bpftool struct_ops register "$obj" 2>&1 | sed -n 's/^Registered gmem_policy_ops \([^ ]*\) .*/\1/p')
	if [ -z "$name" ]; then
		result "not ok" "[$obj] registers"
		continue
	fi
	echo "$name" > $G/policy
	# Prefetching policies may take fewer faults than the tests' counts.
	case $obj in
	*/prefetch_none.bpf.o) unset GMEM_POLICY_PREFETCHES ;;
	*/prefetch_*) export GMEM_POLICY_PREFETCHES=1 ;;
	*) unset GMEM_POLICY_PREFETCHES ;;
	esac
	for prog in gmem-tests gmem-evict-tests; do
		# The kselftest TAP, renumbered into ours. Its plan and exit
		# status are checked after it: a run that stops early (insmod
		# failing, a crash) must not just lose its tests.
		plan= results=0 rc=
		while IFS= read -r line; do
			case $line in
			"ok "*|"not ok "*)
				status=${line%% [0-9]*}
				rest=${line#"$status "}
				result "$status" "[$name] ${rest#* }"
				results=$((results + 1))
				;;
			1..*) [ -n "$plan" ] || plan=${line#1..} ;;
			"@@ exit "*) rc=${line#@@ exit } ;;
			*) echo "$line" ;;
			esac
		done < <(selftests/gmem-tests.sh "$prog" 2>&1; echo "@@ exit $?")
		what="[$name] $prog ran whole: plan 1..${plan:-(none)}, $results results, exit ${rc:-(unknown)}"
		if [ -n "$plan" ] && [ "$results" -eq "$plan" ] && [ "$rc" = 0 ]; then
			result ok "$what"
		else
			result "not ok" "$what"
		fi
	done
	state=$(cat $G/policies/$name/state) errors=$(cat $G/policies/$name/errors)
	refused=$(cat $G/policies/$name/refused)
	echo default > $G/policy
	bpftool struct_ops unregister name "$name" >/dev/null
	if [ "$state" = active ] && [ "$errors" -eq 0 ]; then
		result ok "[$name] still active, no hook errors"
	else
		result "not ok" "[$name] still active, no hook errors (state $state, errors $errors)"
	fi
	# Evictors ask gmem_frame_state() before they nominate a frame: GMEM
	# refuses none of their victims, however the tests use the devices.
	case $obj in
	*/evict_*|*/hints.bpf.o)
		if [ "$refused" -eq 0 ]; then
			result ok "[$name] no refused nominations"
		else
			result "not ok" "[$name] no refused nominations (refused $refused)"
		fi
		;;
	esac
done
echo "1..$n"
exit $failed
