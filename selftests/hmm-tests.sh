#!/bin/bash
# The kernel's own HMM selftests (tools/testing/selftests/vm/hmm-tests from
# the extracted tree), loaded the way the kernel's test_hmm.sh does. They
# prove the device-private / migrate_vma machinery GMEM builds on works in
# our configuration. Prints kselftest TAP.
set -u
bin=build/selftests/hmm-tests
[ -x "$bin" ] || { echo "hmm-tests.sh: $bin missing (make selftests)" >&2; exit 1; }
# With THP 'always' three device-exclusive tests fail and the 6.1 harness
# loops for minutes; the config default is madvise, make sure of it.
grep -q '\[always\]' /sys/kernel/mm/transparent_hugepage/enabled &&
	echo madvise > /sys/kernel/mm/transparent_hugepage/enabled
# The hugetlbfs cases need a few free huge pages to run rather than skip.
echo 4 > /proc/sys/vm/nr_hugepages
modprobe test_hmm || exit 1
"$bin"
rc=$?
modprobe -r test_hmm || rc=1
echo 0 > /proc/sys/vm/nr_hugepages
exit $rc
