#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of the sources, one TAP line each, with the findings as TAP
# comments: a W=1 build of mbox.ko without warnings, sparse (C=2) without
# warnings, and checkpatch.pl --strict --no-tree clean on every C source of
# the module, its uapi header, mboxctl and the examples.
# The module is built in a copy of its sources under build/static/, so the
# checks always see every file compiled and leave the real build alone.
# Needs build/ksrc/ (scripts/ksrc.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
unset MAKEFLAGS MFLAGS	# our kbuild runs take no options from a calling make

kdir=$(bash scripts/guest-kernel.sh --kdir)
work=build/static

report() {	# STATUS DESCRIPTION [FINDINGS-FILE]
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
		[ -s "${3:-}" ] && sed 's/^/#   /' "$3"
	fi
	return 0
}

rm -rf $work
mkdir -p $work
cp Kbuild $work/
find mbox include \( -name '*.[ch]' ! -name '*.mod.c' -o -name Kbuild -o -name Makefile \) \
	-exec cp --parents {} $work/ \;

# W=1: gcc's warnings and kbuild's (modpost prints "WARNING:").
status=0
make -C "$kdir" M="$PWD/$work" W=1 modules >$work/w1.log 2>&1 || status=$?
grep -iE "(warning|error):" $work/w1.log >$work/w1.found && status=1
report $status "mbox.ko builds with W=1 without warnings" $work/w1.log

# C=2 runs sparse on every source; the objects are up to date, so what the
# run prints besides kbuild's progress lines is sparse's.
status=0
make -C "$kdir" M="$PWD/$work" W=1 C=2 modules >$work/sparse.log 2>&1 || status=$?
grep -E ': (warning|error):' $work/sparse.log >$work/sparse.found && status=1
report $status "sparse (C=2) reports no warnings on mbox.ko" $work/sparse.log

checkpatch=(perl build/ksrc/scripts/checkpatch.pl --strict --no-tree --show-types --quiet -f)
for f in mbox/*.[ch] include/uapi/linux/mbox.h tools/mboxctl/*.[ch] examples/*.c; do
	case $f in *.mod.c) continue ;; esac
	status=0
	"${checkpatch[@]}" "$f" >$work/checkpatch.log 2>&1 || status=$?
	report $status "checkpatch --strict clean: $f" $work/checkpatch.log
done
