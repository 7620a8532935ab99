#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build everything for the guest kernel, run the static checks,
# then the selftests in the VM.  Every result is a TAP line on stdout (kept in
# build/check.tap); the last line is the summary "N passed, N failed".
# Exit status 0 only if nothing failed.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build

steps() {
	local start=$SECONDS built=0
	if ! bash scripts/ksrc.sh; then
		echo "not ok - kselftest and checkpatch files extracted from linux-source-6.1"
		return
	fi
	if ${MAKE:-make} --no-print-directory bins \
		KDIR="$(bash scripts/guest-kernel.sh --kdir)" >build/build.log 2>&1; then
		echo "ok - build: mbox.ko, mboxctl, examples, selftests"
		built=1
	else
		echo "not ok - build: mbox.ko, mboxctl, examples, selftests"
		tail -n 40 build/build.log | sed 's/^/#   /'
	fi
	bash scripts/static-checks.sh
	[ $built -eq 1 ] && { bash scripts/vm.sh test || true; }
	echo "# make check took $((SECONDS - start)) s"
}

steps 2>&1 | tee build/check.tap
bash scripts/tap-summary.sh build/check.tap
