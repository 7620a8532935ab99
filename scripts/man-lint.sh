#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libmbox's section-3 pages (lib/man3/), one TAP line each: mandoc -T lint
# (Debian's mandoc) finds nothing, not even a style remark, in each page;
# each link page, a single ".so man3/PAGE.3" line as Debian ships them,
# names a page that exists and is no link itself, and lints clean of
# errors once resolved (mandoc warns that .so is fragile, which is what
# such a link is); and every function of libmbox.map has a page.  (The
# pages of Documentation/ are linted by scripts/static-checks.sh common.)
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob

work=build/man
rm -rf $work
mkdir -p $work

. scripts/tap.sh	# report STATUS DESCRIPTION [FINDINGS-FILE]

if ! command -v mandoc >/dev/null; then
	echo "not ok - libmbox's man pages lint clean (mandoc is missing: scripts/deps.sh installs it)"
	exit 0
fi

status=0
pages=0
for f in lib/man3/*.3; do
	if [ "$(head -c 4 "$f")" = ".so " ]; then
		target=$(sed -n '1s/^\.so man3\///p' "$f")
		if [ "$(wc -l <"$f")" -ne 1 ] || [ -z "$target" ] ||
		   [ ! -f "lib/man3/$target" ] ||
		   [ "$(head -c 4 "lib/man3/$target")" = ".so " ]; then
			echo "$f: not a single .so man3/PAGE.3 line naming a page" >>$work/lint.log
			status=1
			continue
		fi
		(cd lib && mandoc -T lint -W error "man3/${f##*/}") >>$work/lint.log 2>&1 || status=1
	else
		mandoc -T lint "$f" >>$work/lint.log 2>&1 || status=1
		pages=$((pages + 1))
	fi
done
[ -s $work/lint.log ] && status=1
report $status "libmbox's man pages lint clean (mandoc -T lint): $pages pages of lib/man3, and its .so links" \
	$work/lint.log

# Every exported function has a page or a link named after it.
status=0
for fn in $(sed -n 's/^[[:space:]]*\(mbox_[a-z0-9_]*\);$/\1/p' lib/libmbox.map); do
	[ -f "lib/man3/$fn.3" ] || { echo "no lib/man3/$fn.3" >>$work/missing.log; status=1; }
done
report $status "every function of lib/libmbox.map has its lib/man3 page" $work/missing.log
