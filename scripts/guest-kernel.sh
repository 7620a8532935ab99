#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the version V of the kernel the VM boots: the newest V for which
# both /boot/vmlinuz-V and headers for V are installed (never uname -r: the
# host may run another kernel).  With --kdir, print V's headers directory,
# the KDIR to build the guest's mbox.ko against.
set -euo pipefail

kdir_of() {
	local d
	for d in "/lib/modules/$1/build" "/usr/src/linux-headers-$1"; do
		[ -f "$d/Makefile" ] && { echo "$d"; return 0; }
	done
	return 1
}

best=$(for img in /boot/vmlinuz-*; do
	v=${img#/boot/vmlinuz-}
	if [ -f "$img" ] && kdir_of "$v" >/dev/null; then echo "$v"; fi
done | sort -V | tail -n 1)
if [ -z "$best" ]; then
	echo "guest-kernel: no V with both /boot/vmlinuz-V and its headers" \
	     "(apt-get install linux-image-amd64 linux-headers-amd64)" >&2
	exit 1
fi

if [ "${1:-}" = --kdir ]; then
	kdir_of "$best"
else
	echo "$best"
fi
