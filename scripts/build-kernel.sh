#!/usr/bin/env bash
# Build the GMEM guest kernel:
#   1. extract Debian's linux-source-6.1 tarball once (build/linux-pristine),
#   2. copy kernel-patches/tree/ (the new files: mm/gmem/, the gmem.h
#      headers) over a fresh copy of it, then apply kernel-patches/series
#      (changes to existing files) in order,
#   3. sync that copy into build/linux by content, so unchanged files keep
#      their mtimes and the build stays incremental,
#   4. merge kernel-patches/gmem.config onto tinyconfig in build/kbuild and
#      check that every option of the fragment survived olddefconfig,
#   5. build bzImage, modules (with BTF), headers and the module tree.
# Nothing is done when the inputs (tarball version, patches, fragment, this
# script) have not changed since the last successful build.
#
# Usage: scripts/build-kernel.sh [--force] [--debug]
#
# --debug builds the debug variant (kernel-patches/debug.config merged on
# top: KASAN, lockdep, kmemleak, fault injection...) in build/kbuild-debug,
# with its modules in build/modroot-debug; the source tree is shared.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
patches=$repo/kernel-patches
tree=$patches/tree
tarball=/usr/src/linux-source-6.1.tar.xz
pristine=$build/linux-pristine
staging=$build/linux-staging
src=$build/linux
obj=$build/kbuild
stamp=$build/kernel.stamp
modroot=$build/modroot
fragments=("$patches/gmem.config")
force=
for arg in "$@"; do
	case $arg in
	--force) force=1 ;;
	--debug)
		obj=$build/kbuild-debug
		stamp=$build/kernel-debug.stamp
		modroot=$build/modroot-debug
		fragments+=("$patches/debug.config")
		;;
	*) echo "usage: $0 [--force] [--debug]" >&2; exit 2 ;;
	esac
done
jobs=$(( $(nproc) + 1 ))

die() { echo "build-kernel: error: $*" >&2; exit 1; }
say() { echo "build-kernel: $*"; }

mkdir -p "$build"
[ -r "$tarball" ] || die "$tarball missing: run 'make deps' (package linux-source-6.1)"

installed=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo unknown)
based_on=$(cat "$patches/BASE_VERSION")
if [ "$installed" != "$based_on" ]; then
	echo "build-kernel: warning: kernel-patches were made on linux-source-6.1 $based_on," \
	     "installed is $installed" >&2
fi

# Patch files in series order; comments and blank lines ignored.
mapfile -t series < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$patches/series" | grep -v '^$' || true)

inputs_hash() {
	{
		echo "$installed"
		cat "$0" "$patches/series" "${fragments[@]}"
		for p in "${series[@]}"; do cat "$patches/$p"; done
		# Every file of the tree, by name and content.
		(cd "$tree" && find . -type f -print0 | LC_ALL=C sort -z |
			xargs -0 sha256sum)
	} | sha256sum | cut -d' ' -f1
}

want=$(inputs_hash)
exit_if_up_to_date() {
	if [ -z "$force" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
	   [ -f "$obj/arch/x86/boot/bzImage" ]; then
		say "up to date ($(cat "$obj/include/config/kernel.release"))"
		exit 0
	fi
}
exit_if_up_to_date
# One build at a time: two would sync and compile over each other. Taken
# only to build, so that a check of the other variant, up to date, does
# not wait for this one (.ci/run builds the debug kernel during the
# normal suites).
exec 9>"$build/.kernel.lock"
flock -n 9 || { say "waiting for another build"; flock 9; exit_if_up_to_date; }
rm -f "$stamp"

for p in "${series[@]}"; do
	[ -f "$patches/$p" ] || die "kernel-patches/series lists '$p', which does not exist"
done

if [ "$(cat "$pristine/.debian-version" 2>/dev/null)" != "$installed" ]; then
	say "extracting $tarball ($installed)"
	rm -rf "$pristine" "$pristine.tmp"
	mkdir -p "$pristine.tmp"
	tar -C "$pristine.tmp" --strip-components=1 -xf "$tarball"
	echo "$installed" > "$pristine.tmp/.debian-version"
	mv "$pristine.tmp" "$pristine"
fi

[ -d "$tree" ] || die "kernel-patches/tree missing"

say "copying kernel-patches/tree, applying ${#series[@]} patch(es)"
rm -rf "$staging"
cp -a "$pristine" "$staging"
rm -f "$staging/.debian-version"
cp -a "$tree/." "$staging/"
for p in "${series[@]}"; do
	if ! out=$(patch -d "$staging" -p1 --batch --forward --no-backup-if-mismatch \
		      -i "$patches/$p" 2>&1); then
		echo "$out" >&2
		die "patch kernel-patches/$p does not apply"
	fi
done

# Content-based sync without -t: files whose content changed get a new
# mtime, untouched ones keep theirs, so make rebuilds only what changed.
mkdir -p "$src"
rsync -rlc --delete "$staging/" "$src/"
rm -rf "$staging"

say "configuring (tinyconfig + ${fragments[*]#"$repo/"})"
mkdir -p "$obj"
# The fragments as one, a later setting of an option replacing an earlier.
fragment=$obj/gmem-fragment.config
awk '{ key = $0
       if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) key = substr($0, 1, RLENGTH - 1)
       else if (match($0, /^# CONFIG_[A-Za-z0-9_]+ is not set/)) key = $2
       else next
       if (!(key in line)) order[++n] = key
       line[key] = $0 }
     END { for (i = 1; i <= n; i++) print line[order[i]] }' "${fragments[@]}" > "$fragment"
kmake() { make -s -C "$src" O="$obj" ARCH=x86_64 "$@"; }
kmake tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"$fragment" >/dev/null
kmake olddefconfig >/dev/null

# Every line of the fragment must be in the final .config verbatim.
missing=()
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" "$obj/.config" || missing+=("$line (got: $(grep -E "^(# )?${line%%=*}[= ]" "$obj/.config" || echo 'absent'))")
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		if grep -qE "^$opt=" "$obj/.config"; then
			missing+=("$line (got: $(grep -E "^$opt=" "$obj/.config"))")
		fi
		;;
	esac
done < "$fragment"
if [ ${#missing[@]} -gt 0 ]; then
	printf 'build-kernel: option did not stick: %s\n' "${missing[@]}" >&2
	die "${#missing[@]} option(s) of ${fragments[*]#"$repo/"} lost in olddefconfig"
fi

say "building bzImage and modules with $jobs jobs (a first build takes ~9 minutes on 2 cores)"
export CCACHE_BASEDIR=$repo CCACHE_NOHASHDIR=1
# A line every 30 s, so that a first build is not minutes of silence (the
# sleep writes nowhere: once the loop is killed, no writer holds a pipe).
touch "$obj/.build-start"
(
	start=$SECONDS
	while sleep 30 >/dev/null; do
		say "building: $((SECONDS - start)) s, $(find "$obj" -name '*.o' -newer "$obj/.build-start" | wc -l) objects compiled"
	done
) &
progress=$!
trap 'kill $progress 2>/dev/null || true' EXIT
kmake -j"$jobs" CC="ccache gcc" bzImage modules
kill $progress 2>/dev/null || true
kmake headers_install INSTALL_HDR_PATH="$build/headers" >/dev/null
rm -rf "$modroot"
kmake modules_install INSTALL_MOD_PATH="$modroot" >/dev/null

echo "$want" > "$stamp"
say "built $(cat "$obj/include/config/kernel.release"): $obj/arch/x86/boot/bzImage"
