#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract the few kernel-tree files the build needs from Debian's
# linux-source-6.1 tarball into build/ksrc/ (never into the repository):
# the kselftest harness headers and checkpatch.pl with its data files.
# Does nothing when they are all there already.
set -euo pipefail
cd "$(dirname "$0")/.."

tarball=/usr/src/linux-source-6.1.tar.xz
dest=build/ksrc
files=(
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
)

need=0
for f in "${files[@]}"; do
	[ -f "$dest/$f" ] || need=1
done
[ $need -eq 1 ] || exit 0

echo "# extracting ${#files[@]} files from $tarball into $dest" >&2
mkdir -p build
tmp=$(mktemp -d build/ksrc.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tarball" -C "$tmp" --strip-components=1 "${files[@]/#/linux-source-6.1/}"
rm -rf "$dest"
mv "$tmp" "$dest"
