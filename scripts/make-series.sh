#!/usr/bin/env bash
# Write the kernel side as an upstream-style patch series, build/series/:
# 0000-cover-letter.patch, then one patch per concern, [RFC PATCH n/N].
#
#   1. a throwaway git repository, build/series-work, whose base commit
#      holds the pristine linux-source-6.1 versions of the existing files
#      the series changes (format-patch output depends only on those:
#      blob ids, context and diffstat are the same as against the whole
#      tree, which `git am` onto a full pristine tree confirms),
#   2. one commit per record of kernel-patches/tree-commits: files of
#      kernel-patches/tree and a commit message, signed off,
#   3. kernel-patches/series applied with `git am` (they change existing
#      files and wire mm/gmem/ into the build, so the commits before them
#      build trivially),
#   4. git format-patch --cover-letter --thread, the cover letter's subject
#      and blurb filled from kernel-patches/cover-letter.txt,
#   5. checkpatch --strict on every patch (two checks ignored, see there).
#
# Authorship is the repository's git identity (git config user.name and
# user.email); the script stops if it is not set. Commit dates are those
# of the last commit touching kernel-patches/, so a re-run writes the same
# series (apart from format-patch's Message-Id timestamps). build/series
# is replaced as a whole, only once the new series is complete.
#
# Usage: scripts/make-series.sh
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
patches=$repo/kernel-patches
tree=$patches/tree
records=$patches/tree-commits
cover=$patches/cover-letter.txt
tarball=/usr/src/linux-source-6.1.tar.xz
pristine=$build/linux-pristine
work=$build/series-work
out=$build/series

die() { echo "make-series: error: $*" >&2; exit 1; }
say() { echo "make-series: $*"; }

name=$(git -C "$repo" config user.name || true)
email=$(git -C "$repo" config user.email || true)
[ -n "$name" ] && [ -n "$email" ] ||
	die "set the repository's git identity (git config user.name/user.email)"
for f in "$records" "$cover" "$patches/series"; do
	[ -f "$f" ] || die "${f#"$repo"/} missing"
done

date=$(git -C "$repo" log -1 --format=%aD -- kernel-patches 2>/dev/null || true)
[ -n "$date" ] || date=$(date -R)
export GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email
export GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email
export GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date
# The work repository's own settings only, whatever the user's are.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
g() { git -C "$work" -c core.abbrev=12 -c init.defaultBranch=series "$@"; }

mapfile -t series < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$patches/series" | grep -v '^$' || true)
for p in "${series[@]}"; do
	[ -f "$patches/$p" ] || die "kernel-patches/series lists '$p', which does not exist"
done

# --- 1. base: the pristine versions of the files the patches change -------
mapfile -t changed < <(for p in "${series[@]}"; do
	sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$patches/$p"
done | LC_ALL=C sort -u)

rm -rf "$work"
mkdir -p "$work"
installed=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo unknown)
if [ "$(cat "$pristine/.debian-version" 2>/dev/null)" = "$installed" ]; then
	(cd "$pristine" && cp --parents -- "${changed[@]}" "$work/")
else
	[ -r "$tarball" ] || die "$tarball missing: run 'make deps' (package linux-source-6.1)"
	say "taking ${#changed[@]} files from $tarball"
	top=linux-source-6.1
	tar -C "$work" --strip-components=1 -xf "$tarball" "${changed[@]/#/$top/}"
fi
for f in "${changed[@]}"; do
	[ -f "$work/$f" ] || die "$f, changed by the series, is not in linux-source-6.1"
done

g init -q
g add -A
g commit -q -m "linux-source-6.1 $(cat "$patches/BASE_VERSION"): the files the series changes"
g tag base

# --- 2. the new files, one concern per commit -----------------------------
# Records of tree-commits: "Files:" lines, then the message; "%%" between.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
	/^#/ { next }
	/^%%$/ { n++; next }
	/^Files:/ { sub(/^Files:[ \t]*/, ""); print > (dir "/files." n + 0); next }
	{ print > (dir "/msg." n + 0) }
' "$records"
nrec=$(find "$tmp" -name 'files.*' | wc -l)
[ "$nrec" -gt 0 ] || die "no records in kernel-patches/tree-commits"

declare -A seen=()
for ((i = 0; i < nrec; i++)); do
	[ -s "$tmp/msg.$i" ] || die "tree-commits record $((i + 1)) has no message"
	for f in $(cat "$tmp/files.$i"); do
		[ -f "$tree/$f" ] || die "tree-commits names $f, not a file of kernel-patches/tree"
		[ -z "${seen[$f]:-}" ] || die "tree-commits names $f twice"
		seen[$f]=1
		mkdir -p "$work/$(dirname "$f")"
		cp "$tree/$f" "$work/$f"
		g add -- "$f"
	done
	g commit -q -s --cleanup=strip -F "$tmp/msg.$i"
done
while IFS= read -r f; do
	[ -n "${seen[$f]:-}" ] || die "kernel-patches/tree/$f is in no record of kernel-patches/tree-commits"
done < <(cd "$tree" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)

# --- 3. the changes to existing files --------------------------------------
for p in "${series[@]}"; do
	g am -q --committer-date-is-author-date "$patches/$p" ||
		die "kernel-patches/$p does not apply with git am"
done

# --- 4. format-patch and the cover letter -----------------------------------
rm -rf "$out.tmp"
g format-patch -q --cover-letter --thread --subject-prefix='RFC PATCH' \
	-o "$out.tmp" base..HEAD
subject=$(awk '!/^#/ { print; exit }' "$cover")
awk '!/^#/' "$cover" | tail -n +2 | sed '1{/^$/d}' > "$tmp/blurb"
[ -n "$subject" ] && [ -s "$tmp/blurb" ] || die "kernel-patches/cover-letter.txt: subject or body missing"
SUBJECT=$subject BLURB=$tmp/blurb perl -0pi -e '
	open(my $fh, "<", $ENV{BLURB}) or die "$ENV{BLURB}: $!\n";
	my $b = do { local $/; <$fh> };
	$b =~ s/\n+\z//;
	s/\*\*\* SUBJECT HERE \*\*\*/$ENV{SUBJECT}/ or die "no subject placeholder\n";
	s/\*\*\* BLURB HERE \*\*\*/$b/ or die "no blurb placeholder\n";
' "$out.tmp/0000-cover-letter.patch"

# --- 5. checkpatch --strict on every patch ----------------------------------
# Ignored: FILE_PATH_CHANGES, which every patch adding files gets unless it
# also changes MAINTAINERS (the series' MAINTAINERS patch covers them all),
# and, for the tracepoint header, PARENTHESIS_ALIGNMENT (TRACE_EVENT()'s
# layout, as in every header of include/trace/events/).
checkpatch=$pristine/scripts/checkpatch.pl
if [ -x "$checkpatch" ]; then
	bad=0
	for p in "$out.tmp"/0*.patch; do
		[ "${p##*/}" != 0000-cover-letter.patch ] || continue
		ignore=FILE_PATH_CHANGES
		grep -q '^+++ b/include/trace/events/' "$p" && ignore+=,PARENTHESIS_ALIGNMENT
		(cd "$pristine" && ./scripts/checkpatch.pl --strict -q --ignore "$ignore" "$p") ||
			{ echo "make-series: checkpatch: ${p##*/}" >&2; bad=1; }
	done
	[ "$bad" -eq 0 ] || die "checkpatch --strict found problems (above)"
	say "checkpatch --strict: clean"
else
	say "checkpatch not run: $checkpatch missing (make kernel extracts it)"
fi

rm -rf "$out"
mv "$out.tmp" "$out"
say "$(find "$out" -name '*.patch' | wc -l) files in ${out#"$repo"/}:"
(cd "$out" && ls)
