#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS for mbox.  Usage: scripts/dkms.sh check [KVER] | install | uninstall
#
# check:     CI.  Copies the module's sources (what dkms.conf needs: the
#            top-level Makefile, Kbuild, dkms.conf, mbox/, include/) into
#            build/dkms/source/mbox-VERSION and runs dkms add, build (for
#            KVER, default the VM's stock kernel, whose headers are
#            installed) and remove --all, with a private source and dkms
#            tree under build/dkms, so that it touches neither /usr/src nor
#            /var/lib/dkms and can be run again and again.  Prints one TAP
#            line.
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
	kver=${2:-$(bash scripts/guest-kernel.sh)}
	work=$top/build/dkms
	dkms=(dkms --sourcetree "$work/source" --dkmstree "$work/tree")
	rm -rf "$work"
	mkdir -p "$work/tree"
	copy_sources "$work/source/mbox-$ver"
	status=0
	{
		"${dkms[@]}" add -m mbox -v "$ver" &&
		"${dkms[@]}" build -m mbox -v "$ver" -k "$kver" &&
		ls "$work/tree/mbox/$ver/$kver"/*/module/mbox.ko* &&
		"${dkms[@]}" remove -m mbox -v "$ver" --all
	} >"$top/build/dkms.log" 2>&1 || status=$?
	if [ $status -eq 0 ]; then
		echo "ok - dkms add, build (for $kver) and remove --all of mbox/$ver"
	else
		echo "not ok - dkms add, build (for $kver) and remove --all of mbox/$ver"
		tail -n 30 "$top/build/dkms.log" | sed 's/^/#   /'
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
