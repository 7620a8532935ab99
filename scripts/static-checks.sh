#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of the sources, one TAP line each, with the findings as TAP
# comments: a W=1 build of mbox.ko without warnings, sparse (C=2) without
# warnings, and checkpatch.pl --strict --no-tree clean on every C source of
# the module, its uapi header, mboxctl and the examples.  Then packaging:
# `dkms build` of a copy of the tree against the VM's (Debian's) kernel
# headers (scripts/dkms.sh check), and `make install` into a DESTDIR with
# every file where it belongs.
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
find mbox include samples \( -name '*.[ch]' ! -name '*.mod.c' -o -name Kbuild -o -name Makefile \) \
	-exec cp --parents {} $work/ \;

# W=1: gcc's warnings and kbuild's (modpost prints "WARNING:").
status=0
make -C "$kdir" M="$PWD/$work" W=1 modules >$work/w1.log 2>&1 || status=$?
grep -iE "(warning|error):" $work/w1.log >$work/w1.found && status=1
report $status "mbox.ko and samples/mbox_tick build with W=1 without warnings" $work/w1.log

# C=2 runs sparse on every source; the objects are up to date, so what the
# run prints besides kbuild's progress lines is sparse's.
status=0
make -C "$kdir" M="$PWD/$work" W=1 C=2 modules >$work/sparse.log 2>&1 || status=$?
grep -E ': (warning|error):' $work/sparse.log >$work/sparse.found && status=1
report $status "sparse (C=2) reports no warnings on mbox.ko and samples/mbox_tick" $work/sparse.log

# mbox->lock is taken in hard-IRQ context (mbox_ksend(); main.c has the
# rules): a plain spin_lock() of it elsewhere could deadlock against it.
status=0
grep -nE '\bspin_(lock|unlock|trylock)(_bh)?\(&[^)]*->lock\)' mbox/*.c >$work/irqlock.found &&
	status=1
report $status "every acquisition of mbox->lock is IRQ-safe (no plain spin_lock)" $work/irqlock.found

checkpatch=(perl build/ksrc/scripts/checkpatch.pl --strict --no-tree --show-types --quiet -f)
for f in mbox/*.[ch] include/uapi/linux/mbox.h include/linux/mbox.h samples/*/*.c \
	 tools/mboxctl/*.[ch] examples/*.c; do
	case $f in *.mod.c) continue ;; esac
	status=0
	"${checkpatch[@]}" "$f" >$work/checkpatch.log 2>&1 || status=$?
	report $status "checkpatch --strict clean: $f" $work/checkpatch.log
done

# Packaging: DKMS, in a private tree (scripts/dkms.sh check prints its line).
bash scripts/dkms.sh check "$(bash scripts/guest-kernel.sh)" || true

# make install into a scratch DESTDIR: the module where modprobe finds it
# (with its modules.dep line), mboxctl, the uapi header and the man page.
dest=$PWD/$work/destdir
kver=$(bash scripts/guest-kernel.sh)
status=0
make --no-print-directory install KDIR="$kdir" DESTDIR="$dest" PREFIX=/usr \
	>$work/install.log 2>&1 || status=$?
for f in lib/modules/$kver/updates/mbox/mbox.ko usr/bin/mboxctl \
	 usr/include/linux/mbox.h usr/share/man/man8/mboxctl.8; do
	[ -f "$dest/$f" ] || { echo "missing: $f" >>$work/install.log; status=1; }
done
grep -q '^updates/mbox/mbox.ko:' "$dest/lib/modules/$kver/modules.dep" 2>/dev/null ||
	{ echo "modules.dep has no mbox.ko" >>$work/install.log; status=1; }
[ -x "$dest/usr/bin/mboxctl" ] || status=1
report $status "make install DESTDIR=... PREFIX=/usr: mbox.ko (depmod'ed), mboxctl, mbox.h, mboxctl.8" \
	$work/install.log
rm -rf "$dest"
