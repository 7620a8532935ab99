#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# module.sh - build mbox.ko and samples/mbox_tick/mbox_tick.ko for one of
# the kernels of scripts/kernel.sh.
#
# Usage: scripts/module.sh NAME [sparse]
#
# The module's sources are copied to build/kernels/NAME/ and built there
# with W=1 (kbuild 6.1 has no separate output directory for external
# modules, so one tree cannot hold the objects of two kernels); the results
# are build/kernels/NAME/mbox/mbox.ko and .../samples/mbox_tick/mbox_tick.ko,
# and kbuild's output is build/kernels/NAME/build.log.  For a kernel with a
# build root (7.x) the copy is built inside the root, by chroot, and the
# results are copied back (scripts/in-root.sh).
# With "sparse", the last build is checked again with C=2 (sparse on every
# source; nothing is recompiled), into build/kernels/NAME/sparse.log; with
# the kernel's own sparse if scripts/kernel.sh names one.
# On failure the end of the log goes to stderr and the exit status is 1.
set -euo pipefail
cd "$(dirname "$0")/.."
unset MAKEFLAGS MFLAGS MAKELEVEL	# no options from a calling make

name=${1:?usage: scripts/module.sh NAME [sparse]}
what=${2:-build}
env=$(bash scripts/kernel.sh "$name")
kdir=$(sed -n 's/^kdir=//p' <<<"$env")
root=$(sed -n 's/^root=//p' <<<"$env")
work=build/kernels/$name

if [ "$what" = build ]; then
	rm -rf "$work"
	mkdir -p "$work"
	cp Kbuild "$work/"
	find mbox include samples \( -name '*.[ch]' ! -name '*.mod.c' -o -name Kbuild \
		-o -name Makefile \) -exec cp --parents {} "$work/" \;
	log=$work/build.log
	args=(W=1 modules)
else
	log=$work/sparse.log
	args=(W=1 C=2 modules)
	# A sparse of the root's own (7.x: Debian's headers leave out
	# scripts/checker-valid.sh, without which kbuild turns C=2 off).
	sparse=$(sed -n 's/^sparse=//p' <<<"$env")
	if [ -n "$sparse" ]; then
		args=(W=1 C=2 CHECK="$sparse" KBUILD_CHECKSRC=2 modules)
		# What checker-valid.sh asks of it: __typeof_unqual__.
		printf 'static inline int u(const int *q)\n{\n\t__typeof_unqual__(*q) v = *q;\n\treturn v;\n}\n' \
			>"$root/var/tmp/mbox-sparse-probe.c"
		if bash scripts/in-root.sh "$root" "$sparse" /var/tmp/mbox-sparse-probe.c 2>&1 |
		   grep -q error; then
			echo "module.sh: $sparse cannot parse $name's headers (__typeof_unqual__)" >&2
			exit 1
		fi
	fi
fi

status=0
if [ -z "$root" ]; then
	make -C "$kdir" M="$PWD/$work" "${args[@]}" >"$log" 2>&1 || status=$?
else
	# The same tree inside the root; kept between a build and its sparse run.
	inner=/var/tmp/mbox-build/$name
	if [ "$what" = build ]; then
		rm -rf "$root$inner"
		mkdir -p "$root$inner"
		cp -a "$work/." "$root$inner/"
	fi
	bash scripts/in-root.sh "$root" make -C "$kdir" M="$inner" "${args[@]}" \
		>"$log" 2>&1 || status=$?
	cp -a "$root$inner/." "$work/"
fi

if [ $status -ne 0 ] || [ ! -f "$work/mbox/mbox.ko" ] ||
   [ ! -f "$work/samples/mbox_tick/mbox_tick.ko" ]; then
	echo "module.sh: building mbox.ko for $name ($kdir${root:+ in $root}) failed:" >&2
	tail -n 40 "$log" >&2
	exit 1
fi
