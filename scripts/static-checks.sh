#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks, one TAP line each, with the findings as TAP comments.
#
# Usage: scripts/static-checks.sh kernel NAME
#   For one kernel of scripts/kernel.sh, after scripts/module.sh NAME has
#   built the module with W=1: that build printed no warning (gcc's or
#   modpost's), sparse (C=2) finds nothing, and, for Debian's kernels,
#   `dkms build` of a copy of the tree against the kernel's headers works
#   (scripts/dkms.sh check NAME).  The lines carry the kernel's tag.
# Usage: scripts/static-checks.sh common
#   What does not depend on a kernel: no plain spin_lock() of mbox->lock,
#   checkpatch.pl --strict --no-tree clean on every C source of the module,
#   its headers, the sample, mboxctl and the examples, and mandoc -T lint
#   clean on the manual pages in Documentation/.
# Usage: scripts/static-checks.sh common-install KERNEL...
#   `make install KERNELS="KERNEL..."` into a scratch DESTDIR puts every
#   file where it belongs.
#
# Usage: scripts/static-checks.sh lib
#   libmbox (lib/): its ABI against the committed baseline
#   (scripts/abi-check.sh), its section-3 pages' lint (scripts/man-lint.sh),
#   and its make install into a scratch DESTDIR, where a program builds with
#   pkg-config alone and runs; lib/mbox_ring.h compiles alone as C and C++.  (checkpatch of lib/ is in common.)
# Needs build/ksrc/ (scripts/ksrc.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
unset MAKEFLAGS MFLAGS	# our kbuild runs take no options from a calling make

. scripts/tap.sh	# report STATUS DESCRIPTION [FINDINGS-FILE]

kernel() {	# NAME
	local name=$1 work=build/kernels/$1 status sources checked
	# W=1: gcc's warnings and kbuild's (modpost prints "WARNING:").
	status=0
	grep -iE "(warning|error):" "$work/build.log" >"$work/w1.found" && status=1
	report $status "[$name] mbox.ko and samples/mbox_tick build with W=1 without warnings" \
		"$work/w1.found"

	# C=2 runs sparse on every source; the objects are up to date, so what
	# the run prints besides kbuild's progress lines is sparse's.
	status=0
	bash scripts/module.sh "$name" sparse 2>/dev/null || status=$?
	grep -E ': (warning|error):' "$work/sparse.log" >"$work/sparse.found" && status=1
	# kbuild turns C=2 off, with a warning, when it finds sparse unfit
	# (except where scripts/module.sh forces a sparse it checked itself):
	# sparse must be seen to have run on every source.
	if [ -z "$(bash scripts/kernel.sh "$name" sparse 2>/dev/null)" ]; then
		grep -E 'not available or not up to date' "$work/sparse.log" >>"$work/sparse.found" &&
			status=1
	fi
	sources=$(find "$work/mbox" "$work/samples" -name '*.c' ! -name '*.mod.c' | wc -l)
	checked=$(grep -c '^  CHECK ' "$work/sparse.log" || true)
	if [ "$checked" -ne "$sources" ]; then
		echo "sparse ran on $checked of $sources sources" >>"$work/sparse.found"
		status=1
	fi
	[ $status -ne 0 ] && [ ! -s "$work/sparse.found" ] && tail -n 20 "$work/sparse.log" >"$work/sparse.found"
	report $status "[$name] sparse (C=2) ran on every source of mbox.ko and samples/mbox_tick, no warnings" \
		"$work/sparse.found"

	# Packaging: DKMS, in a private tree (it prints its own line).
	[ "$name" = debug ] || bash scripts/dkms.sh check "$name" || true
}

common() {
	local work=build/static status f
	rm -rf $work
	mkdir -p $work

	# mbox->lock is taken in hard-IRQ context (mbox_ksend(); main.c has
	# the rules): a plain spin_lock() of it elsewhere could deadlock.
	status=0
	grep -nE '\bspin_(lock|unlock|trylock)(_bh)?\(&[^)]*->lock\)' mbox/*.c >$work/irqlock.found &&
		status=1
	report $status "every acquisition of mbox->lock is IRQ-safe (no plain spin_lock)" $work/irqlock.found

	checkpatch=(perl build/ksrc/scripts/checkpatch.pl --strict --no-tree --show-types --quiet -f)
	for f in mbox/*.[ch] include/uapi/linux/mbox.h include/linux/mbox.h samples/*/*.c \
		 lib/*.[ch] tools/mboxctl/*.[ch] examples/*.c; do
		case $f in *.mod.c) continue ;; esac
		status=0
		ignore=()
		# The one place for kernel version tests, in their usual
		# spelling, "LINUX_VERSION_CODE < KERNEL_VERSION(...)" (its
		# header says so).
		[ "$f" = mbox/compat.h ] &&
			ignore=(--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON)
		# libmbox is userspace: its API is in <stdint.h> types, and
		# there is no BIT() to use.
		case $f in lib/*)
			ignore=(--ignore PREFER_KERNEL_TYPES,BIT_MACRO) ;;
		esac
		"${checkpatch[@]}" "${ignore[@]}" "$f" >$work/checkpatch.log 2>&1 || status=$?
		report $status "checkpatch --strict clean: $f" $work/checkpatch.log
	done

	# Manual pages: mandoc's lint, every level down to style, finds nothing.
	for f in Documentation/*.[1-8]; do
		status=0
		mandoc -T lint "$f" >$work/mandoc.log 2>&1 || status=$?
		[ -s $work/mandoc.log ] && status=1
		report $status "mandoc -T lint clean: $f" $work/mandoc.log
	done
}

install_check() {	# KERNEL...
	local work=build/static status f dest k kver
	mkdir -p $work
	# make install into a scratch DESTDIR: for each kernel the module
	# where modprobe finds it (with its modules.dep line); mboxctl, the
	# uapi header and the man page once.
	dest=$PWD/$work/destdir
	status=0
	make --no-print-directory install KERNELS="$*" DESTDIR="$dest" PREFIX=/usr \
		>$work/install.log 2>&1 || status=$?
	for k in "$@"; do
		kver=$(bash scripts/kernel.sh "$k" release)
		f=lib/modules/$kver/updates/mbox/mbox.ko
		[ -f "$dest/$f" ] || { echo "missing: $f" >>$work/install.log; status=1; }
		grep -q '^updates/mbox/mbox.ko:' "$dest/lib/modules/$kver/modules.dep" 2>/dev/null ||
			{ echo "$kver: modules.dep has no mbox.ko" >>$work/install.log; status=1; }
	done
	for f in usr/bin/mboxctl usr/include/linux/mbox.h usr/share/man/man8/mboxctl.8 \
		 usr/share/man/man4/mbox.4; do
		[ -f "$dest/$f" ] || { echo "missing: $f" >>$work/install.log; status=1; }
	done
	[ -x "$dest/usr/bin/mboxctl" ] || status=1
	report $status "make install KERNELS=\"$*\" DESTDIR=... PREFIX=/usr: mbox.ko for each (depmod'ed), mboxctl, mbox.h, mboxctl.8, mbox.4" \
		$work/install.log
	rm -rf "$dest"
}

# libmbox's make install into a scratch DESTDIR: the library, its links,
# the headers, mbox.pc and the section-3 pages land; then a program (the
# README's, examples/hello.c) builds with `cc prog.c $(pkg-config --cflags
# --libs mbox)` against that DESTDIR alone (PKG_CONFIG_SYSROOT_DIR and
# PKG_CONFIG_LIBDIR point pkg-config there, so neither the tree nor
# /usr/include is seen), is linked to libmbox.so.1, and runs: on a host
# without /dev/mbox it reports ENOENT from mbox_open().
lib_install() {
	local work=build/static/lib-install dest status f out
	rm -rf $work
	mkdir -p $work
	dest=$PWD/$work/destdir
	status=0
	make --no-print-directory -C lib install DESTDIR="$dest" PREFIX=/usr \
		>$work/install.log 2>&1 || status=1
	for f in usr/lib/libmbox.so.1.0.0 usr/lib/libmbox.a usr/include/mbox.h \
		 usr/include/mbox_ring.h usr/include/linux/mbox.h usr/lib/pkgconfig/mbox.pc \
		 usr/share/man/man3/libmbox.3 usr/share/man/man3/mbox_send.3 \
		 usr/share/man/man3/mbox_recv.3; do
		[ -f "$dest/$f" ] || { echo "missing: $f" >>$work/install.log; status=1; }
	done
	[ "$(readlink "$dest/usr/lib/libmbox.so.1")" = libmbox.so.1.0.0 ] &&
	[ "$(readlink "$dest/usr/lib/libmbox.so")" = libmbox.so.1 ] ||
		{ echo "libmbox.so.1 and libmbox.so are not the expected links" >>$work/install.log; status=1; }
	if [ $status -eq 0 ]; then
		export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$dest/usr/lib/pkgconfig
		# shellcheck disable=SC2046	# the flags are words
		cc -std=c11 -Wall -Wextra -Werror examples/hello.c -o $work/hello \
			$(pkg-config --cflags --libs mbox) >>$work/install.log 2>&1 || status=1
		unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
	fi
	if [ $status -eq 0 ]; then
		readelf -d $work/hello | grep -F '[libmbox.so.1]' >/dev/null ||
			{ echo "hello is not linked to libmbox.so.1" >>$work/install.log; status=1; }
		out=$(LD_LIBRARY_PATH=$dest/usr/lib $work/hello 2>&1 || true)
		if [ -e /dev/mbox ]; then
			[ "$out" = hello ] || status=1
		else
			[ "$out" = "mbox: No such file or directory" ] || status=1
		fi
		[ $status -eq 0 ] || echo "hello printed: $out" >>$work/install.log
	fi
	report $status "libmbox: make -C lib install DESTDIR=... PREFIX=/usr; cc hello.c \$(pkg-config --cflags --libs mbox) in that DESTDIR alone builds and runs" \
		$work/install.log
	rm -rf "$dest"
}

# <mbox_ring.h>, static inline only, compiles on its own with every
# function used, from the tree's lib/ and include/uapi alone: as strict
# C11 and C99 with -Wpedantic, and as C++11 (it promises all three).
ring_header() {
	local work=build/static/ring-header status=0 std
	rm -rf $work
	mkdir -p $work
	cat >$work/use.c <<'EOF_USE'
#include <mbox_ring.h>

int main(void)
{
	const struct mbox_ring_rec *rec;
	struct mbox_ring r;
	uint32_t n = 0;

	if (mbox_ring_attach(&r, 3, MBOX_RING_SIZE_MIN))
		return 1;
	while ((rec = mbox_ring_next(&r)) != NULL) {
		n += mbox_ring_len(rec) + *(const unsigned char *)mbox_ring_data(rec);
		mbox_ring_release(&r, rec);
	}
	n += mbox_ring_refill_wanted(&r) + mbox_ring_dead(&r) + mbox_ring_empty(&r);
	n += (uint32_t)mbox_ring_wait(&r, MBOX_NONBLOCK, 0);
	mbox_ring_detach(&r);
	return (int)n;
}
EOF_USE
	cp $work/use.c $work/use.cc
	for std in c11 c99; do
		cc -std=$std -Wall -Wextra -Wpedantic -Werror -Ilib -Iinclude/uapi \
			-c $work/use.c -o $work/use-$std.o >>$work/build.log 2>&1 || status=1
	done
	if command -v c++ >/dev/null; then
		c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -Ilib -Iinclude/uapi \
			-c $work/use.cc -o $work/use-cxx.o >>$work/build.log 2>&1 || status=1
	else
		echo "no c++ compiler" >>$work/build.log
		status=1
	fi
	report $status "lib/mbox_ring.h compiles alone as C11, C99 (-Wpedantic) and C++11, every function used" \
		$work/build.log
}

lib_checks() {
	bash scripts/abi-check.sh check
	bash scripts/man-lint.sh
	lib_install
	ring_header
}

case ${1:-} in
kernel) kernel "${2:?usage: scripts/static-checks.sh kernel NAME}" ;;
common) common ;;
common-install) shift; install_check "$@" ;;
lib) lib_checks ;;
*) echo "usage: scripts/static-checks.sh kernel NAME | common | common-install KERNEL... | lib" >&2; exit 2 ;;
esac
