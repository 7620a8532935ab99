#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install.sh - the module part of `make install KERNELS="..."`: for each
# named kernel of scripts/kernel.sh, mbox.ko and mbox_tick.ko (built by
# scripts/module.sh unless build/kernels/NAME/ is newer than every source)
# go to $DESTDIR/lib/modules/RELEASE/updates/, where kbuild's
# modules_install would put them, and depmod indexes them there.
# Usage: DESTDIR=... scripts/install.sh KERNEL...
set -euo pipefail
cd "$(dirname "$0")/.."

dest=${DESTDIR:-}
for name in "$@"; do
	work=build/kernels/$name
	ko=$work/mbox/mbox.ko
	if [ ! -f "$ko" ] || [ -n "$(find Kbuild mbox include samples -newer "$ko" \
	     \( -name '*.[ch]' -o -name Kbuild \) ! -name '*.mod.c' -print -quit)" ]; then
		bash scripts/module.sh "$name"
	fi
	kver=$(bash scripts/kernel.sh "$name" release)
	mods=$dest/lib/modules/$kver/updates
	install -D -m 644 "$ko" "$mods/mbox/mbox.ko"
	install -D -m 644 "$work/samples/mbox_tick/mbox_tick.ko" \
		"$mods/samples/mbox_tick/mbox_tick.ko"
	depmod -b "${dest:-/}" "$kver"
	echo "install: mbox.ko for $name ($kver) in $mods"
done
