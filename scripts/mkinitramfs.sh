#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pack the VM's initramfs: static busybox, mbox.ko (MODULE, default
# mbox/mbox.ko: the build for the stock kernel) and mbox_tick.ko (the
# sample of the same build), the selftests in /tests,
# mboxctl, mbox-bench (if built) and the examples in /bin, /init and /demo.sh.  Everything must be
# built already (make bins).  Usage: scripts/mkinitramfs.sh OUT [MODULE]
set -euo pipefail
cd "$(dirname "$0")/.."

out=$1
module=${2:-mbox/mbox.ko}
tick=$(dirname "$module")/../samples/mbox_tick/mbox_tick.ko
root=$(dirname "$out")/root

static_elf() {	# FILE: true if FILE is a statically linked ELF executable
	[ "$(head -c 4 "$1" | tail -c 3)" = ELF ] || return 1
	if readelf -l "$1" | grep -q INTERP; then
		echo "mkinitramfs: $1 is not statically linked" >&2
		exit 1
	fi
}

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,tests}
static_elf /bin/busybox
cp /bin/busybox "$root/bin/"
for applet in $(/bin/busybox --list-full); do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done

install -m 755 scripts/guest-init.sh "$root/init"
install -m 755 scripts/guest-demo.sh "$root/demo.sh"
install -m 644 "$module" "$root/mbox.ko"
install -m 644 "$tick" "$root/mbox_tick.ko"
static_elf tools/mboxctl/mboxctl
install -m 755 tools/mboxctl/mboxctl "$root/bin/"
# The benchmark, when built (make bench).
if [ -f tools/mbox-bench/mbox-bench ] && static_elf tools/mbox-bench/mbox-bench; then
	install -m 755 tools/mbox-bench/mbox-bench "$root/bin/"
fi
for f in examples/* selftests/mbox/*_test; do
	if [ ! -f "$f" ] || [ ! -x "$f" ] || ! static_elf "$f"; then
		continue
	fi
	case $f in
	selftests/*) install -m 755 "$f" "$root/tests/" ;;
	*) install -m 755 "$f" "$root/bin/" ;;
	esac
done

# perf and the libraries it links, for MBOX_BENCH_PROFILE=perf (make bench).
if [ -n "${MBOX_PERF:-}" ]; then
	perf=$(command -v perf_6.1 || readlink -f "$(command -v perf)")
	install -m 755 "$perf" "$root/bin/perf"
	for lib in $(ldd "$perf" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\).*/\1/p'); do
		mkdir -p "$root/$(dirname "$lib")"
		cp -L "$lib" "$root/$lib"
	done
fi

(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out"
