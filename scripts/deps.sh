#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages that building mbox, its checks and its QEMU VM
# need; `deps.sh bench` installs what make bench adds (gnuplot).  Installed
# packages are left alone.  As root, missing ones are
# installed with apt-get; otherwise the apt-get line to run is printed and
# the script fails.
set -euo pipefail

pkgs=(
	linux-headers-amd64	# kbuild and headers for Debian 12's 6.1 (scripts/kernel.sh)
	linux-image-amd64	# its image, booted in QEMU
	debootstrap		# the trixie build root of the 7.x kernel
	linux-source-6.1	# kselftest_harness.h, checkpatch.pl
	qemu-system-x86
	busybox-static		# the guest's userspace
	cpio
	gzip
	xz-utils		# to read linux-source-6.1.tar.xz
	sparse
	abigail-tools		# abidiff: libmbox's ABI against its baseline
	pkgconf			# pkg-config: a program built against libmbox
	kmod
	gcc
	make
	libc6-dev		# static userspace binaries
	libelf-dev		# kbuild (objtool), for the stock and the debug kernel
	perl			# checkpatch.pl, the debug kernel's build
	flex			# the debug kernel's build (scripts/debug-kernel.sh)
	bison
	bc
	libssl-dev
	dkms			# scripts/dkms.sh check (static checks)
	mandoc			# mandoc -T lint of the manual pages (static checks)
)

if [ "${1:-}" = bench ]; then
	pkgs=(gnuplot-nox)	# make bench's plot
	# MBOX_BENCH_PROFILE=perf: perf runs in the guest
	[ "${MBOX_BENCH_PROFILE:-}" = perf ] && pkgs+=(linux-perf)
fi

missing=()
for pkg in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

install=(apt-get install -y --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -ne 0 ]; then
	echo "mbox: missing Debian packages: ${missing[*]}" >&2
	echo "mbox: install them as root, then retry:" >&2
	echo "sudo apt-get update && sudo ${install[*]}"
	exit 1
fi

echo "mbox: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -q update
apt-get -q "${install[@]:1}" </dev/null
