#!/usr/bin/env bash
# Install every Debian 12 package GMEM-BPF needs to build the kernel, the
# driver, the BPF policies and tools, and to run the tests in QEMU.
# Idempotent: packages already installed are not touched, and nothing is
# downloaded when all are present. Runs apt-get as root (or through sudo).
set -euo pipefail

packages=(
	# kernel build
	linux-source-6.1 build-essential patch flex bison bc libelf-dev
	libssl-dev dwarves cpio kmod rsync xz-utils ccache python3
	# guest
	qemu-system-x86 util-linux iproute2 procps jq
	# BPF: libbpf and bpftool are built from linux-source-6.12's tools/
	# (scripts/build-bpf-tools.sh), newer than Debian 12's libbpf-dev and
	# bpftool
	clang-16 lld-16 llvm-16 linux-source-6.12 zlib1g-dev pkg-config
	# tests; make bench: plots (gnuplot), recording traces (valgrind,
	# and sqlite3 for its corpus: bench/record-trace.sh only)
	bats gnuplot-nox valgrind gzip sqlite3
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}"
