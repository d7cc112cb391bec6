#!/bin/bash
# The fuzz suite: gmem-fuzz replays every seed of selftests/fuzz-seeds (runs
# that once found a bug), then runs with a new random seed, which it prints
# with the command that reproduces it. One TAP result per run; each run's
# own TAP output follows as comments.
#
# On the debug kernel (KASAN, lockdep: 5-10x slower under TCG) only the
# random run, of 4,000 calls (and 2,000 racing ones) instead of 16,000:
# the replays are of logic bugs, which the normal kernel's run of this
# suite catches as well, and they took about 300 of its 472 s there; the
# random run of 16,000 took 253 s.
#
# Usage: selftests/fuzz.sh        (in the guest, as root; FUZZ_LIMIT=seconds
#                                 per run, 400 by default)
set -u
cd "$(dirname "$0")/.."
limit=${FUZZ_LIMIT:-400}

seeds=()
random_calls=()
if [[ $(uname -r) == *-debug ]]; then
	random_calls=(-n 4000)
else
	mapfile -t seeds < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' selftests/fuzz-seeds)
fi
echo "1..$((${#seeds[@]} + 1))"

n=0
failed=0
# run TITLE ARGS...: one gmem-fuzz run as test number n + 1.
run() {
	local title=$1 rc
	shift
	n=$((n + 1))
	# Said first and streamed: a run that takes the guest down still
	# leaves its seed on the console.
	echo "# $n: gmem-fuzz $*"
	timeout -k 10 "$limit" selftests/gmem-tests.sh gmem-fuzz "$@" 2>&1 |
		sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "not ok $n - $title: no result after ${limit} s"
	elif [ "$rc" -ne 0 ]; then
		echo "not ok $n - $title: exit $rc"
	else
		echo "ok $n - $title"
		return
	fi
	failed=1
	# What a hung or failed run left loaded must not fail the next ones.
	rmmod gmem_sim 2>/dev/null
}

for line in "${seeds[@]}"; do
	read -r seed calls race why <<<"$line"
	run "seed $seed, which found: $why" -s "$seed" -n "$calls" -r "$race"
done
seed=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
run "random seed $seed" -s "$seed" "${random_calls[@]}"
exit $failed
