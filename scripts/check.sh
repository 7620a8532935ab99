#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check, make check-vm.   Usage: scripts/check.sh [all|vm]
#
# The kernels are the names in $KERNELS (scripts/kernel.sh: 6.1, 6.12, 7.x,
# debug), in that order; the default is all four.
#
# all (make check): extract the kselftest and checkpatch files, build
#   libmbox and the userspace binaries once (they are static and run on
#   every kernel), run the checks that need no kernel (checkpatch, the
#   IRQ-safe lock rule, libmbox's ABI, the man pages' lint, libmbox
#   installed and used through pkg-config),
#   then for each kernel: make it ready (install or build it, once; cached
#   later), build mbox.ko for it with W=1, check that build for warnings,
#   run sparse and (Debian's kernels) dkms, and run the whole selftest
#   suite in a QEMU VM booting that kernel.  Last, `make install` of
#   Debian's kernels' modules into a scratch DESTDIR.
# vm (make check-vm, check-stock, check-debug): the builds and the VM runs
#   only.
#
# Every result is a TAP line on stdout (kept in build/check.tap); the lines
# of one kernel carry its tag ("ok 3 [6.12] global.create").  The summary
# counts each kernel's lines apart, then ends with "N passed, N failed"
# over all of them.  Exit status 0 only if nothing failed.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build

what=${1:-all}
case $what in
all|vm) ;;
*) echo "usage: scripts/check.sh [all|vm]" >&2; exit 2 ;;
esac
read -r -a kernels <<<"${KERNELS:-6.1 6.12 7.x debug}"
make=("${MAKE:-make}" --no-print-directory)

one_kernel() {	# NAME: make it ready, build for it, check, run the VM
	local name=$1 t env
	t=$SECONDS
	# A fresh debug kernel or build root takes minutes: its progress lines
	# are shown as TAP comments.
	if env=$(bash scripts/kernel.sh "$name" 2> >(sed -u 's/^/# /')); then
		echo "ok - [$name] kernel $(sed -n 's/^release=//p' <<<"$env") ready in" \
		     "$((SECONDS - t)) s: $(sed -n 's/^origin=//p' <<<"$env")"
	else
		echo "not ok - [$name] kernel ready ($((SECONDS - t)) s)"
		return 0
	fi

	t=$SECONDS
	if bash scripts/module.sh "$name" 2>build/module-$name.log; then
		echo "ok - [$name] build: mbox.ko and mbox_tick.ko ($((SECONDS - t)) s)"
	else
		echo "not ok - [$name] build: mbox.ko and mbox_tick.ko"
		sed 's/^/#   /' build/module-$name.log
		return 0
	fi
	[ "$what" = all ] && bash scripts/static-checks.sh kernel "$name"

	t=$SECONDS
	bash scripts/vm.sh test "$name" || true
	echo "# $name kernel run took $((SECONDS - t)) s"
}

steps() {
	local start=$SECONDS k debian=()
	if ! bash scripts/ksrc.sh; then
		echo "not ok - kselftest and checkpatch files extracted from linux-source-6.1"
		return
	fi
	if "${make[@]}" userspace >build/build.log 2>&1; then
		echo "ok - build: libmbox, mboxctl, examples, selftests"
	else
		echo "not ok - build: libmbox, mboxctl, examples, selftests"
		tail -n 40 build/build.log | sed 's/^/#   /'
		return
	fi
	[ "$what" = all ] && bash scripts/static-checks.sh common
	[ "$what" = all ] && bash scripts/static-checks.sh lib
	for k in "${kernels[@]}"; do
		one_kernel "$k"
		case $k in debug) ;; *) debian+=("$k") ;; esac
	done
	if [ "$what" = all ] && [ ${#debian[@]} -gt 0 ]; then
		bash scripts/static-checks.sh common-install "${debian[@]}"
	fi
	echo "# make check ($what, kernels: ${kernels[*]}) took $((SECONDS - start)) s"
}

steps 2>&1 | tee build/check.tap
bash scripts/tap-summary.sh build/check.tap
