#!/usr/bin/env bash
# Run the test suites in one QEMU guest and tally their TAP results.
# Prints, as its very last line, "N passed, N failed" (", N skipped" if any)
# and exits non-zero if anything failed, including the guest itself
# (crash, timeout, kernel splat).
#
# Usage: scripts/check.sh [SUITE...]     (SUITES are names from
#        selftests/run-in-guest.sh; default: all)
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
results=build/test-results
rm -rf "$results"
mkdir -p "$results"

# GMEM_KERNEL: another bzImage (make check DEBUG=1 sets the debug one).
# One 1 GiB huge page (4G, so that a 1 GiB aligned block stays free):
# gmem-tests checks MAP_HUGE_1GB mappings work beside MAP_PEER_SHARED.
./vmtest.sh ${GMEM_KERNEL:+-k "$GMEM_KERNEL"} -t "${VMTEST_TIMEOUT:-2400}" \
	-m 4G -a "hugepagesz=1G hugepages=1" \
	-- selftests/run-in-guest.sh "$results" "$@"
vm_rc=$?

passed=0 failed=0 skipped=0
echo
echo "=== summary"
for tap in "$results"/*.tap; do
	[ -e "$tap" ] || break
	suite=$(basename "$tap" .tap)
	rc=$(cat "$results/$suite.rc" 2>/dev/null || echo "missing")
	# Only top-level TAP result lines count. A kselftest fixture that
	# skips from its setup exits 0 and is reported "ok" without "# SKIP";
	# its "#      SKIP" diagnostic line makes it count as skipped here.
	read -r ok skip notok < <(awk '
		/^#[ \t]+SKIP/ { skipped = 1 }
		/^ok / { if ($0 ~ /# (SKIP|skip)/ || skipped) s++; else p++; skipped = 0 }
		/^not ok / { f++; skipped = 0 }
		END { print p + 0, s + 0, f + 0 }' "$tap")
	plan=$(grep -m1 -oE '^1\.\.[0-9]+' "$tap" | cut -d. -f3)
	missing=0
	if [ -n "$plan" ] && [ "$plan" -gt $((ok + skip + notok)) ]; then
		missing=$((plan - ok - skip - notok))
	fi
	# A suite that exits non-zero with no failing test still failed.
	extra=0
	if [ "$rc" != 0 ] && [ $((notok + missing)) -eq 0 ]; then
		extra=1
	fi
	passed=$((passed + ok))
	skipped=$((skipped + skip))
	failed=$((failed + notok + missing + extra))
	printf '%-8s %3d passed, %d failed, %d skipped, %d not run (exit %s)\n' \
		"$suite" "$ok" $((notok + extra)) "$skip" "$missing" "$rc"
done
if [ "$vm_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "guest    failed: vmtest.sh exited $vm_rc (see above)"
	failed=$((failed + 1))
fi
if [ $((passed + failed + skipped)) -eq 0 ]; then
	echo "no test ran"
	failed=1
fi

line="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
