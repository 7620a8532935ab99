#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libmbox's ABI against the committed baseline lib/abi/libmbox.abi.
#
# Usage: scripts/abi-check.sh check    one TAP line (make check)
#        scripts/abi-check.sh update   rewrite the baseline (after a
#                                      deliberate, compatible addition)
#
# The library is built by `make -C lib` (with -g: abidiff reads the DWARF
# of the exported functions, so it sees their parameters and the structs
# they point to).  abidiff (Debian's abigail-tools) exits with bit 8 for an
# incompatible change (a symbol removed, a type changed incompatibly) and
# bit 4 for any other change (a symbol added, a parameter's type changed):
# the first fails the check; the second fails it too until the baseline is updated in the same
# commit, so that every change of the ABI is seen and reviewed.  The check
# also compares the exported symbols with lib/libmbox.map: nothing beyond
# the list may leak out, and everything is versioned MBOX_1.x; and that
# the library imports no allocator.
set -euo pipefail
cd "$(dirname "$0")/.."

lib=lib/libmbox.so.1.0.0
base=lib/abi/libmbox.abi
work=build/abi
mkdir -p $work

. scripts/tap.sh	# report STATUS DESCRIPTION [FINDINGS-FILE]

abidw_lib() {	# OUT
	abidw --no-corpus-path --no-comp-dir-path --short-locs \
	      --drop-undefined-syms --out-file "$1" "$lib"
}

if ! make --no-print-directory -C lib >$work/build.log 2>&1; then
	report 1 "libmbox ABI: library built" $work/build.log
	exit 0
fi
if ! readelf -S "$lib" | grep '\.debug_info' >/dev/null; then
	echo "$lib has no debug info: build it with -g" >$work/build.log
	report 1 "libmbox ABI: library built with -g" $work/build.log
	exit 0
fi

case ${1:-} in
update)
	mkdir -p "$(dirname $base)"
	abidw_lib $base
	echo "abi-check: $base rewritten from $lib" >&2
	exit 0
	;;
check) ;;
*) echo "usage: scripts/abi-check.sh check|update" >&2; exit 2 ;;
esac

# Exported symbols: exactly the map's, all versioned MBOX_1.x.
nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort >$work/exported
sed -n 's/^[[:space:]]*\(mbox_[a-z0-9_]*\);$/\1/p' lib/libmbox.map |
	sed 's/$/@@MBOX_1.0/' | sort >$work/listed
status=0
diff -u $work/listed $work/exported >$work/symbols.diff || status=1
report $status "libmbox exports exactly lib/libmbox.map's symbols, versioned MBOX_1.0" \
	$work/symbols.diff

# No allocation, anywhere (the send and receive paths must not, and the
# rest has no need): the library imports no allocator.
status=0
nm -D --undefined-only "$lib" | awk '{ print $2 }' |
	grep -E '^(malloc|calloc|realloc|reallocarray|free|posix_memalign|aligned_alloc|memalign|valloc|strdup|strndup|asprintf|vasprintf|mmap|mmap64)(@|$)' \
	>$work/alloc.found && status=1
report $status "libmbox imports no allocator (malloc, free, mmap...)" $work/alloc.found

status=0
abidiff --no-show-locs "$base" "$lib" >$work/abidiff.log 2>&1 || status=$?
if [ $((status & 8)) -ne 0 ]; then
	report 1 "libmbox ABI unchanged from $base (abidiff): INCOMPATIBLE change" \
		$work/abidiff.log
elif [ $((status & 4)) -ne 0 ]; then
	echo "a change abidiff does not call incompatible: if it is a" \
	     "deliberate addition, make -C lib abi-update and commit $base" \
	     "with it" >>$work/abidiff.log
	report 1 "libmbox ABI unchanged from $base (abidiff)" $work/abidiff.log
else
	report $status "libmbox ABI unchanged from $base (abidiff)" $work/abidiff.log
fi
