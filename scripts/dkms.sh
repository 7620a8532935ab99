#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS for mbox.  Usage: scripts/dkms.sh check [KERNEL] | install | uninstall
#
# check:     CI.  Copies the module's sources (what dkms.conf needs: the
#            top-level Makefile, Kbuild, dkms.conf, mbox/, include/) into
#            build/dkms/source/mbox-VERSION and runs dkms add, build (for
#            KERNEL, a name of scripts/kernel.sh, default 6.1, against its
#            installed headers) and remove --all, with a private source and
#            dkms tree under build/dkms, so that it touches neither /usr/src
#            nor /var/lib/dkms and can be run again and again.  For a
#            kernel with a build root (7.x) all of this happens inside the
#            root, with the root's dkms, in /var/tmp/mbox-dkms there.
#            Prints one TAP line, tagged with KERNEL.
# install:   as root on a real host: copy the sources to /usr/src/mbox-VERSION,
#            dkms add, then dkms install for every kernel with headers in
#            /lib/modules/*/build.  Running it again replaces the copy.
# uninstall: dkms remove --all, and the copy in /usr/src.
set -euo pipefail
cd "$(dirname "$0")/.."

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
top=$PWD

copy_sources() {	# DEST: the files dkms builds from, nothing else
	rm -rf "$1"
	mkdir -p "$1/mbox"
	cp dkms.conf Makefile Kbuild "$1/"
	cp -r include "$1/"
	cp mbox/Kbuild mbox/*.[ch] "$1/mbox/"
	rm -f "$1"/mbox/*.mod.c
}

case ${1:-} in
check)
	name=${2:-6.1}
	env=$(bash scripts/kernel.sh "$name")
	kver=$(sed -n 's/^release=//p' <<<"$env")
	root=$(sed -n 's/^root=//p' <<<"$env")
	if [ -z "$root" ]; then
		work=$top/build/dkms
		inner=$work
		run=()
	else
		work=$root/var/tmp/mbox-dkms
		inner=/var/tmp/mbox-dkms
		run=(bash scripts/in-root.sh "$root")
	fi
	dkms=("${run[@]}" dkms --sourcetree "$inner/source" --dkmstree "$inner/tree")
	rm -rf "$work"
	mkdir -p "$work/tree" "$top/build"
	copy_sources "$work/source/mbox-$ver"
	status=0
	{
		"${dkms[@]}" add -m mbox -v "$ver" &&
		"${dkms[@]}" build -m mbox -v "$ver" -k "$kver" &&
		ls "$work/tree/mbox/$ver/$kver"/*/module/mbox.ko* &&
		"${dkms[@]}" remove -m mbox -v "$ver" --all
	} >"$top/build/dkms-$name.log" 2>&1 || status=$?
	what="[$name] dkms add, build (for $kver) and remove --all of mbox/$ver"
	if [ $status -eq 0 ]; then
		echo "ok - $what"
	else
		echo "not ok - $what"
		tail -n 30 "$top/build/dkms-$name.log" | sed 's/^/#   /'
		find "$work/tree" -name make.log -exec tail -n 20 {} \; 2>/dev/null |
			sed 's/^/#   /'
	fi
	rm -rf "$work"
	exit $status
	;;
install)
	src=/usr/src/mbox-$ver
	dkms remove -m mbox -v "$ver" --all 2>/dev/null || true
	copy_sources "$src"
	dkms add -m mbox -v "$ver"
	for build in /lib/modules/*/build; do
		[ -e "$build/Makefile" ] || continue
		kver=$(basename "$(dirname "$build")")
		dkms install -m mbox -v "$ver" -k "$kver"
	done
	;;
uninstall)
	dkms remove -m mbox -v "$ver" --all || true
	rm -rf "/usr/src/mbox-$ver"
	;;
*)
	echo "usage: scripts/dkms.sh check [KVER] | install | uninstall" >&2
	exit 2
	;;
esac
