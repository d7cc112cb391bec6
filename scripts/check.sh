#!/usr/bin/env bash
# Run the test suites in one QEMU guest and tally their TAP results.
# Prints a line per requested suite, then, as its very last line, "N passed,
# N failed" (", N skipped" if any), and exits non-zero if anything failed:
# a failing test, a test of the plan that never reported, a suite exiting
# non-zero, printing neither plan nor result, or not run at all (the guest
# crashed or timed out before it), or the guest itself (crash, timeout,
# kernel splat).
#
# Usage: scripts/check.sh [SUITE...]     (SUITES are names from
#        selftests/run-in-guest.sh --list; default: all)
#        CHECK_RESULTS=DIR: results there, not in build/test-results
#        CHECK_HOST=0: without the host unit tests (make test-host), which
#        otherwise run first, before the guest boots, as suite "host"
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
# CHECK_RESULTS: another results directory (two runs at once).
results=${CHECK_RESULTS:-build/test-results}

# The suites come from run-in-guest.sh's table: an unknown name fails here,
# before the guest boots, and every suite asked for is accounted for below.
selftests/run-in-guest.sh --check "$@" || exit 2
if [ $# -gt 0 ]; then
	requested=("$@")
else
	mapfile -t requested < <(selftests/run-in-guest.sh --list)
fi

rm -rf "$results"
mkdir -p "$results"

# The host unit tests (tests/host/, built by make check) need no guest.
host_test=build/tests/host/test-host
if [ "${CHECK_HOST:-1}" != 0 ] && [ -x "$host_test" ]; then
	echo "=== host: $host_test"
	"$host_test" > "$results/host.tap"
	echo $? > "$results/host.rc"
	cat "$results/host.tap"
fi

# GMEM_KERNEL: another bzImage (make check DEBUG=1 sets the debug one).
# One 1 GiB huge page (4G, so that a 1 GiB aligned block stays free):
# gmem-tests checks MAP_HUGE_1GB mappings work beside MAP_PEER_SHARED.
./vmtest.sh ${GMEM_KERNEL:+-k "$GMEM_KERNEL"} -t "${VMTEST_TIMEOUT:-2400}" \
	-m 4G -a "hugepagesz=1G hugepages=1" \
	-- selftests/run-in-guest.sh "$results" "$@"
vm_rc=$?

# Requested suites, without repeats, then any other that reported (kmemleak
# after all suites on the debug kernel).
suites=()
for s in $([ ! -e "$results/host.tap" ] || echo host) "${requested[@]}" \
	$(cd "$results" && ls -- *.tap 2>/dev/null | sed 's/\.tap$//'); do
	[[ " ${suites[*]-} " == *" $s "* ]] || suites+=("$s")
done
width=5
for s in "${suites[@]}"; do
	[ ${#s} -le $width ] || width=${#s}
done

passed=0 failed=0 skipped=0 bad=()
echo
echo "=== summary"
for suite in "${suites[@]}"; do
	tap=$results/$suite.tap
	if [ ! -e "$tap" ]; then
		printf '%-*s   not run: the guest never started it\n' "$width" "$suite"
		failed=$((failed + 1))
		bad+=("$suite")
		continue
	fi
	# "missing": it started, and the guest ended before it did.
	rc=$(cat "$results/$suite.rc" 2>/dev/null || echo "missing")
	# Only top-level TAP result lines count. A kselftest fixture that
	# skips from its setup exits 0 and is reported "ok" without "# SKIP";
	# its "#      SKIP" diagnostic line makes it count as skipped here.
	read -r ok skip notok < <(awk '
		/^#[ \t]+SKIP/ { skipped = 1 }
		/^ok / { if ($0 ~ /# (SKIP|skip)/ || skipped) s++; else p++; skipped = 0 }
		/^not ok / { f++; skipped = 0 }
		/^1\.\.0 *# *(SKIP|skip)/ { s++ }
		END { print p + 0, s + 0, f + 0 }' "$tap")
	plan=$(grep -m1 -oE '^1\.\.[0-9]+' "$tap" | cut -d. -f3)
	missing=0
	if [ -n "$plan" ] && [ "$plan" -gt $((ok + skip + notok)) ]; then
		missing=$((plan - ok - skip - notok))
	fi
	# A suite that exits non-zero with no failing test still failed, and
	# so did one that printed neither a plan nor a result.
	extra=0 why=
	if [ "$rc" != 0 ] && [ $((notok + missing)) -eq 0 ]; then
		extra=1
	fi
	if [ -z "$plan" ] && [ $((ok + skip + notok)) -eq 0 ]; then
		extra=1 why=", no plan, no result"
	fi
	passed=$((passed + ok))
	skipped=$((skipped + skip))
	failed=$((failed + notok + missing + extra))
	[ $((notok + missing + extra)) -eq 0 ] || bad+=("$suite")
	printf '%-*s %4d passed, %d failed, %d skipped, %d not run (exit %s%s)\n' \
		"$width" "$suite" "$ok" $((notok + extra)) "$skip" "$missing" "$rc" "$why"
done
# The guest failing (crash, timeout, splat) is one failure more, unless a
# suite's failure already counts it.
if [ "$vm_rc" -ne 0 ]; then
	printf '%-*s   failed: vmtest.sh exited %s (see above)\n' "$width" guest "$vm_rc"
	[ "$failed" -ne 0 ] || failed=1
fi
if [ $((passed + failed + skipped)) -eq 0 ]; then
	echo "no test ran"
	failed=1
fi
if [ "$failed" -ne 0 ]; then
	echo "where to look:"
	for suite in "${bad[@]+"${bad[@]}"}"; do
		if [ -e "$results/$suite.tap" ]; then
			echo "  $suite: $results/$suite.tap"
		else
			echo "  $suite: not run"
		fi
	done
	echo "  the guest's console: build/vm/last/console.log"
fi

line="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
