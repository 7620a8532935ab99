#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check, check-stock, check-debug.   Usage: scripts/check.sh [all|stock|debug]
#
# all (make check): build everything for Debian's stock kernel, run the
#   static checks, run the selftests in the VM on the stock kernel, then get
#   the debug kernel (scripts/debug-kernel.sh: built once, then cached),
#   build mbox.ko against it and run the selftests again on it.
# stock (make check-stock): the build and the stock kernel's VM run only.
# debug (make check-debug): the userspace build, the debug kernel, its
#   mbox.ko and the debug kernel's VM run only.
#
# Every result is a TAP line on stdout (kept in build/check.tap); the lines
# of a VM run carry the kernel's tag ("ok 3 [debug] global.create").  The
# last line is the summary "N passed, N failed" over all of them.  Exit
# status 0 only if nothing failed.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build

what=${1:-all}
case $what in
all|stock|debug) ;;
*) echo "usage: scripts/check.sh [all|stock|debug]" >&2; exit 2 ;;
esac
make=("${MAKE:-make}" --no-print-directory)

stock() {	# build for and run on the stock kernel
	local kdir built=0
	kdir=$(bash scripts/guest-kernel.sh --kdir)
	if "${make[@]}" bins KDIR="$kdir" >build/build.log 2>&1; then
		echo "ok - build: mbox.ko (for $kdir), mboxctl, examples, selftests"
		built=1
	else
		echo "not ok - build: mbox.ko (for $kdir), mboxctl, examples, selftests"
		tail -n 40 build/build.log | sed 's/^/#   /'
	fi
	[ "$what" = all ] && bash scripts/static-checks.sh
	[ $built -eq 1 ] || return 0
	local t=$SECONDS
	bash scripts/vm.sh test stock || true
	echo "# stock kernel run took $((SECONDS - t)) s"
}

debug() {	# get the debug kernel, build for and run on it
	local t kdir how
	if [ "$what" = debug ]; then
		if ! "${make[@]}" userspace >build/build.log 2>&1; then
			echo "not ok - build: mboxctl, examples, selftests"
			tail -n 40 build/build.log | sed 's/^/#   /'
			return 0
		fi
		echo "ok - build: mboxctl, examples, selftests"
	fi

	t=$SECONDS
	# A fresh build takes minutes: its progress lines are shown as TAP
	# comments, its log stays in the cache directory.
	if bash scripts/debug-kernel.sh 2>&1 >build/debug-kernel.dir |
	   tee build/debug-kernel.log | sed -u 's/^/# /'; then
		kdir=$(cat build/debug-kernel.dir)
		if grep -q 'cached debug kernel' build/debug-kernel.log; then
			how="taken from the cache"
		else
			how="built"
		fi
		echo "ok - [debug] debug kernel (linux-source-6.1 + scripts/debug.config) $how in" \
		     "$((SECONDS - t)) s: $kdir"
	else
		echo "not ok - [debug] debug kernel (linux-source-6.1 + scripts/debug.config) built" \
		     "($((SECONDS - t)) s)"
		return 0
	fi

	t=$SECONDS
	if "${make[@]}" debug-module >build/debug-module.log 2>&1; then
		echo "ok - [debug] build: mbox.ko against the debug kernel ($((SECONDS - t)) s)"
	else
		echo "not ok - [debug] build: mbox.ko against the debug kernel"
		tail -n 40 build/debug-module.log | sed 's/^/#   /'
		return 0
	fi

	t=$SECONDS
	bash scripts/vm.sh test debug || true
	echo "# debug kernel run took $((SECONDS - t)) s"
}

steps() {
	local start=$SECONDS
	if ! bash scripts/ksrc.sh; then
		echo "not ok - kselftest and checkpatch files extracted from linux-source-6.1"
		return
	fi
	case $what in
	all) stock; debug ;;
	stock) stock ;;
	debug) debug ;;
	esac
	echo "# make check ($what) took $((SECONDS - start)) s"
}

steps 2>&1 | tee build/check.tap
bash scripts/tap-summary.sh build/check.tap
