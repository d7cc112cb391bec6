#!/usr/bin/env bash
# Create build/dev-linux: Debian's linux-source-6.1 as a git repository with
# kernel-patches/tree (the new files) as one commit and kernel-patches/series
# (changes to existing files) applied on top as commits. Edit there, commit
# (or amend / rebase), then write back: new files with
#   cp -a build/dev-linux/mm/gmem/. kernel-patches/tree/mm/gmem/  (etc.)
# and the series with
#   git -C build/dev-linux format-patch -o "$PWD/kernel-patches" TREE..
# (TREE: the second commit), updating kernel-patches/series; `make kernel`
# rebuilds from kernel-patches only, never from this tree.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dev=$repo/build/dev-linux
[ ! -e "$dev" ] || { echo "kernel-dev-tree: $dev exists; remove it first" >&2; exit 1; }
"$repo/scripts/build-kernel.sh" >/dev/null   # makes build/linux-pristine
cp -a "$repo/build/linux-pristine" "$dev"
cd "$dev"
rm -f .debian-version
# Debian's tarball ignores everything at its top level; track it all.
sed -i '/^# Debian packaging/,$d' .gitignore
git init -q
git add -A
git -c user.name=base -c user.email=base@localhost commit -qm "linux-source-6.1 $(cat "$repo/kernel-patches/BASE_VERSION")"
cp -a "$repo/kernel-patches/tree/." .
git add -A
git -c user.name=base -c user.email=base@localhost commit -qm "GMEM: kernel-patches/tree"
sed -e 's/#.*//' "$repo/kernel-patches/series" | grep -v '^[[:space:]]*$' |
	while read -r p; do git am -q "$repo/kernel-patches/$p"; done
git log --oneline | head -20
