#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build mbox.ko for the debug kernel (scripts/debug-kernel.sh builds it, or
# takes it from its cache) in a copy of the module's sources under
# build/debug-src/: kbuild 6.1 has no separate output directory for external
# modules, so building the real tree against a second kernel would overwrite
# the stock kernel's objects.  The results are build/debug-src/mbox/mbox.ko
# and build/debug-src/samples/mbox_tick/mbox_tick.ko.
# The build output goes to build/debug-src/build.log; on failure its end is
# printed to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
unset MAKEFLAGS MFLAGS	# no options from a calling make (W=1, C=2, ...)

kdir=$(bash scripts/debug-kernel.sh)
work=build/debug-src

rm -rf $work
mkdir -p $work
cp Kbuild $work/
find mbox include samples \( -name '*.[ch]' ! -name '*.mod.c' -o -name Kbuild -o -name Makefile \) \
	-exec cp --parents {} $work/ \;

if ! make -C "$kdir" M="$PWD/$work" modules >$work/build.log 2>&1 ||
   [ ! -f $work/mbox/mbox.ko ] || [ ! -f $work/samples/mbox_tick/mbox_tick.ko ]; then
	echo "debug-module: building mbox.ko against $kdir failed:" >&2
	tail -n 40 $work/build.log >&2
	exit 1
fi
