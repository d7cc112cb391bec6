#!/usr/bin/env bash
# Boot the GMEM guest kernel in QEMU and run a command inside it.
#
# The guest's root is the host's root, read-only over virtio-9p; this
# repository is shared read-write at the same path and is the command's
# working directory. The command's exit status becomes ours. A guest that
# panics, hangs past the timeout or prints a kernel splat is a failure.
set -euo pipefail

repo=$(cd "$(dirname "$0")" && pwd)
kernel=$repo/build/kbuild/arch/x86/boot/bzImage
mem=2G
cpus=2
timeout_s=1800
extra_params=

usage() {
	cat <<EOF
Usage: $0 [-k bzImage] [-m MEM] [-s CPUS] [-a PARAMS] [-t TIMEOUT] [-- CMD ARGS...]

Boots the kernel built by 'make kernel' and runs CMD in the guest with the
repository ($repo) as working directory. Exits with CMD's exit status.
Without CMD, opens an interactive shell on the console ('exit' powers off).

  -k bzImage  kernel image (default: build/kbuild/arch/x86/boot/bzImage)
  -m MEM      guest memory, QEMU syntax (default: $mem)
  -s CPUS     guest CPUs (default: $cpus); the guest fails the run if it
              does not bring all of them up
  -a PARAMS   more kernel command line parameters, e.g.
              -a "hugepagesz=1G hugepages=1" (may be given more than once)
  -t TIMEOUT  seconds before QEMU is killed and the run fails
              (default: $timeout_s; 0 = none)

The console of each run is kept in build/vm/<run>/console.log (build/vm/last
points to the newest) and scanned for kernel splats afterwards.
EOF
	exit "${1:-2}"
}

while getopts "k:m:s:a:t:h" opt; do
	case "$opt" in
	k) kernel=$OPTARG ;;
	m) mem=$OPTARG ;;
	s) cpus=$OPTARG ;;
	a) extra_params+=" $OPTARG" ;;
	t) timeout_s=$OPTARG ;;
	h) usage 0 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" != "--" ] || shift

die() { echo "vmtest: error: $*" >&2; exit 2; }
[ -f "$kernel" ] || die "no kernel at $kernel: run 'make kernel' first"
[[ "$cpus" =~ ^[1-9][0-9]*$ ]] || die "-s wants a positive number of CPUs, got '$cpus'"
[[ "$timeout_s" =~ ^[0-9]+$ ]] || die "-t wants seconds, got '$timeout_s'"
[[ "$extra_params" =~ ^[A-Za-z0-9_.,=\ :/+-]*$ ]] || die "-a '$extra_params': only plain key=value parameters can be passed"
# The path travels on the kernel command line, which splits at spaces.
[[ "$repo" =~ ^[A-Za-z0-9_./+-]+$ ]] || die "repository path '$repo' has characters the kernel command line cannot carry"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run 'make deps'"

if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	accel=(-machine q35,accel=kvm -cpu host)
	echo "vmtest: using KVM"
else
	accel=(-machine q35,accel=tcg -cpu max)
	echo "vmtest: using TCG (no usable KVM: /dev/kvm or vmx/svm missing)"
fi

run=$repo/build/vm/$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$run"
ln -sfn "$run" "$repo/build/vm/last"
# Failing status first: only a guest that finishes cleanly overwrites it.
echo "none: the guest did not finish (crash, panic or timeout)" > "$run/status"
if [ $# -gt 0 ]; then
	printf '%q ' "$@" > "$run/cmd"
	echo >> "$run/cmd"
fi

# The root is read-only and the host leaves it alone while the guest runs,
# so the guest may cache it (cache=loose): under TCG a fork+exec of a
# binary read over 9p each time took 58 ms, cached 35 ms, and bats suites
# run about twice as fast. The repository, which both sides write, is not
# cached (scripts/vm-init.sh).
cmdline="console=ttyS0 printk.time=1 quiet panic=-1 oops=panic
	root=root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose
	ro init=$repo/scripts/vm-init.sh vmtest_repo=$repo vmtest_run=$run
	vmtest_cpus=$cpus $extra_params"

# One socket per CPU: SeaBIOS lists one CPU per package in the MP
# table, and the kernel (no ACPI) finds its CPUs there.
qemu=(qemu-system-x86_64 "${accel[@]}" -smp "$cpus,sockets=$cpus,cores=1,threads=1" -m "$mem"
	-kernel "$kernel" -append "$(echo $cmdline)"
	-nographic -no-reboot -nodefaults
	-chardev "stdio,id=con,signal=off,logfile=$run/console.log"
	-serial chardev:con
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=root,mount_tag=root
	-fsdev "local,id=repo,path=$repo,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=repo,mount_tag=repo)

start=$(date +%s)
set +e
if [ "$timeout_s" -gt 0 ]; then
	timeout --foreground -k 10 "$timeout_s" "${qemu[@]}"
else
	"${qemu[@]}"
fi
qemu_rc=$?
set -e
[ -t 0 ] && stty sane 2>/dev/null
elapsed=$(( $(date +%s) - start ))

status=$(cat "$run/status")
if [ "$qemu_rc" -eq 124 ]; then
	echo "vmtest: timed out after ${timeout_s}s, QEMU killed" >&2
	rc=124
elif [[ "$status" =~ ^[0-9]+$ ]]; then
	rc=$status
else
	echo "vmtest: $status (QEMU exit $qemu_rc)" >&2
	rc=1
fi

# Kernel lines carry a printk timestamp; user output does not, so a test
# printing one of these words does not trip the scan. dmesg.txt is the full
# log the guest saved at the end, past the console's 'quiet' level.
splat='BUG:|WARNING:|Oops|KASAN|UBSAN|possible (circular|recursive) locking|inconsistent lock state|unreferenced object|Call Trace|Kernel panic|general protection fault|soft lockup|blocked for more than|detected stall'
{
	grep -aE '^\[ *[0-9]+\.[0-9]+\]' "$run/console.log" | tr -d '\r'
	[ -f "$run/dmesg.txt" ] && cat "$run/dmesg.txt"
} > "$run/kernel.log" || true
if grep -qaE "$splat" "$run/kernel.log"; then
	echo "vmtest: kernel splat in the console ($run/kernel.log):" >&2
	grep -aE -m1 -B5 -A25 "$splat" "$run/kernel.log" >&2
	[ "$rc" -ne 0 ] || rc=1
fi

echo "vmtest: exit $rc after ${elapsed}s; console in $run/console.log"
exit "$rc"
