#!/usr/bin/env bash
# Build libbpf 1.5 and bpftool 7.5 from Debian's linux-source-6.12 (its
# tools/), for the host side only: the guest kernel stays 6.1.
#
# Debian 12's own libbpf (1.1) shows no struct_ops data before load and
# gives skeletons no struct_ops types; its bpftool (7.1, from Linux 6.1)
# cannot attach tracing programs by itself (`prog loadall ... autoattach`
# came with 6.2). Both tools/ trees build without the rest of the kernel.
#
# Output:
#   build/libbpf/libbpf.a, build/libbpf/include/bpf/*.h
#   build/bin/bpftool
# Nothing is rebuilt while the package version and this script are
# unchanged (build/bpf-tools.stamp).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
tarball=/usr/src/linux-source-6.12.tar.xz
src=$build/linux-6.12
out=$build/libbpf
stamp=$build/bpf-tools.stamp

say() { echo "build-bpf-tools: $*"; }
die() { echo "build-bpf-tools: error: $*" >&2; exit 1; }

[ -r "$tarball" ] ||
	die "$tarball missing: run 'make deps' (package linux-source-6.12)"
version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
want="$version $(sha1sum < "$0" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
   [ -x "$build/bin/bpftool" ] && [ -f "$out/libbpf.a" ]; then
	exit 0
fi

# Only what tools/lib/bpf and tools/bpf/bpftool read: their sources, the
# tools/ build system and UAPI copies, bpftool's disassembler
# (kernel/bpf/disasm.c) and the helper-definitions generator.
say "extracting libbpf and bpftool from linux-source-6.12 $version"
rm -rf "$src" "$out" "$build/bpftool-obj"
mkdir -p "$src" "$out" "$build/bpftool-obj" "$build/bin"
top=linux-source-6.12
tar -xf "$tarball" -C "$src" --strip-components=1 \
	$top/tools/lib $top/tools/bpf/bpftool $top/tools/include \
	$top/tools/build $top/tools/scripts $top/tools/arch/x86 \
	$top/kernel/bpf $top/scripts/bpf_doc.py $top/include/uapi \
	$top/arch/x86/include/uapi $top/include/linux/bpf.h

jobs=$(( $(nproc) + 1 ))
say "building libbpf (static) into build/libbpf"
mkdir -p "$out/obj"
make -s -C "$src/tools/lib/bpf" -j"$jobs" OUTPUT="$out/obj/" \
	DESTDIR="$out" prefix= "$out/obj/libbpf.a" install_headers >/dev/null
mv "$out/obj/libbpf.a" "$out/libbpf.a"
# bpftool links its own copy of the same libbpf. feature-llvm=0: no JIT
# disassembler, which would need LLVM's development files (and would
# otherwise depend on whichever llvm-config is first in PATH).
# feature-clang-bpf-co-re=0: none of bpftool's own BPF programs, as in
# Debian's bpftool. With them, every `bpftool map show` loads a task
# iterator (to name the processes holding each map) after libbpf's
# feature probes: maps and programs that outlive the command for a
# moment, which tests that look for leftover BPF objects would find.
say "building bpftool into build/bin"
make -s -C "$src/tools/bpf/bpftool" -j"$jobs" OUTPUT="$build/bpftool-obj/" \
	CLANG=clang-16 LLVM_STRIP=llvm-strip-16 feature-llvm=0 \
	feature-clang-bpf-co-re=0 \
	>/dev/null
install -m 755 "$build/bpftool-obj/bpftool" "$build/bin/bpftool"
"$build/bin/bpftool" version | head -n 2 | sed 's/^/build-bpf-tools: /'
echo "$want" > "$stamp"
