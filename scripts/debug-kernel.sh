#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build (once) and cache the mbox debug kernel.
#
# Builds Debian's linux-source-6.1 with `make tinyconfig` plus the fragment
# scripts/debug.config (KASAN, lockdep, kmemleak, UBSAN, failslab, ...),
# checks that every option of the fragment survived `make olddefconfig`,
# builds bzImage, runs `make modules_prepare` and checks that an out-of-tree
# module builds against the tree.
#
# Prints the path of the ready build directory on stdout, and nothing else;
# all progress and build output go to stderr.  Use it as
#
#	KDIR=$(scripts/debug-kernel.sh)
#	make -C "$KDIR" M=<copy of the module sources> modules
#	qemu-system-x86_64 -kernel "$KDIR/arch/x86/boot/bzImage" ...
#
# The tree is cached in $MBOX_KERNEL_CACHE/kernel-<key> (default
# /var/cache/mbox), where <key> is a sha256 over this script, the fragment,
# the linux-source-6.1 package version and the compiler version.  A complete
# cached build is reused as is.  The build happens in a temporary directory
# renamed into place at the end, so an interrupted build is never taken as
# complete.  Concurrent runs for the same key wait for each other (flock).
#
# Environment:
#	MBOX_KERNEL_CACHE	cache root (default /var/cache/mbox)
#	MBOX_KERNEL_JOBS	make -j value (default 3)
#	MBOX_KERNEL_KEEP	complete builds kept in the cache, most recently
#				used first (default 2; each is about 1.7 GB)
#	MBOX_LINUX_SOURCE	source tarball (default
#				/usr/src/linux-source-6.1.tar.xz)

set -euo pipefail

# stdout carries only the result; everything else goes to stderr.
exec 3>&1 1>&2

prog=${0##*/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self=$here/${BASH_SOURCE[0]##*/}
frag=$here/debug.config
src_pkg=linux-source-6.1
src_tar=${MBOX_LINUX_SOURCE:-/usr/src/$src_pkg.tar.xz}
cache_root=${MBOX_KERNEL_CACHE:-/var/cache/mbox}
jobs=${MBOX_KERNEL_JOBS:-3}
keep=${MBOX_KERNEL_KEEP:-2}
stamp=.mbox-debug-kernel-complete

say() { printf '%s: %s\n' "$prog" "$*"; }
die() { printf '%s: error: %s\n' "$prog" "$*"; exit 1; }

usage() {
	sed -n '4,/^$/s/^# \{0,1\}//p' "$self"
	exit "${1:-0}"
}

case "${1:-}" in
-h|--help) usage 0 ;;
'') ;;
*) usage 2 >&2 ;;
esac

[ -r "$frag" ] || die "config fragment $frag not found"

# --- cache key -------------------------------------------------------------
src_ver=$(dpkg-query -W -f='${Version}' "$src_pkg" 2>/dev/null) ||
	die "package $src_pkg is not installed (apt-get install $src_pkg)"
cc_ver=$(gcc --version 2>/dev/null | head -n 1) || die "gcc not found"
key=$({
	printf 'script\n'; cat "$self"
	printf 'fragment\n'; cat "$frag"
	printf 'source %s\ncc %s\n' "$src_ver" "$cc_ver"
} | sha256sum | cut -c1-16)
dir=$cache_root/kernel-$key

complete() {
	[ -f "$1/$stamp" ] && [ -f "$1/arch/x86/boot/bzImage" ] &&
		[ -f "$1/Module.symvers" ]
}

cached() {
	touch "$dir/$stamp" 2>/dev/null || true	# most recently used
	say "cached debug kernel: $dir"
	echo "$dir" >&3
	exit 0
}

complete "$dir" && cached

# --- prerequisites ----------------------------------------------------------
missing=()
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need_hdr() { [ -e "/usr/include/$1" ] || missing+=("$2"); }
need_cmd make make
need_cmd gcc gcc
need_cmd flex flex
need_cmd bison bison
need_cmd bc bc
need_cmd xz xz-utils
need_cmd perl perl
need_cmd flock util-linux
need_hdr gelf.h libelf-dev
need_hdr openssl/opensslv.h libssl-dev
need_hdr stdio.h libc6-dev
[ -r "$src_tar" ] || missing+=("$src_pkg")
if [ ${#missing[@]} -gt 0 ]; then
	die "missing build dependencies; run: apt-get install -y ${missing[*]}"
fi

# Keep the caller's make/kbuild settings (W=1, C=2, V=1, -j jobserver, O=,
# ...) away from the kernel build: they would apply to the whole kernel.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS
unset O M W C V CROSS_COMPILE LLVM CC LD CFLAGS LDFLAGS
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(KBUILD|KCONFIG)_' || true)
export ARCH=x86

mkdir -p "$cache_root" || die "cannot create $cache_root (set MBOX_KERNEL_CACHE)"
exec 9>"$cache_root/.kernel-$key.lock"
if ! flock -n 9; then
	say "another build of kernel-$key is running; waiting for it"
	flock 9
fi
complete "$dir" && cached

# Nobody else holds the lock: leftovers of this key are from killed builds.
rm -rf "$cache_root/.kernel-$key.tmp."* "$dir"

tmp=$(mktemp -d "$cache_root/.kernel-$key.tmp.XXXXXX")
chmod 755 "$tmp"
log=$cache_root/kernel-$key.log
cleanup() {
	local rc=$?
	if [ -n "${tmp:-}" ] && [ -d "$tmp" ]; then
		rm -rf "$tmp"
	fi
	if [ -n "${probe:-}" ] && [ -d "$probe" ]; then
		rm -rf "$probe"
	fi
	if [ $rc -ne 0 ]; then
		say "FAILED (exit $rc); build log: $log"
		[ -f "$log" ] && tail -n 40 "$log"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

t0=$(date +%s)
step() { say "[$(( $(date +%s) - t0 ))s] $*"; }
run() { "$@" >>"$log" 2>&1; }
: >"$log"

step "building debug kernel kernel-$key ($src_pkg $src_ver, -j$jobs); log: $log"
step "extracting $src_tar"
run tar -xf "$src_tar" -C "$tmp" --strip-components=1
cd "$tmp"

step "configuring: tinyconfig + ${frag##*/}"
run make tinyconfig
run scripts/kconfig/merge_config.sh -m .config "$frag"
run make olddefconfig
cp "$frag" .mbox-debug.config

# Every CONFIG_X=v line must be in .config verbatim, and every
# "# CONFIG_X is not set" must be unset: olddefconfig silently drops options
# whose dependencies are missing.
verify_config() {
	awk '
	FNR == NR {
		if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) {
			k = substr($0, 1, RLENGTH - 1)
			want[k] = substr($0, RLENGTH + 1)
			order[++n] = k
		} else if ($0 ~ /^# CONFIG_[A-Za-z0-9_]+ is not set$/) {
			want[$2] = "n"
			order[++n] = $2
		}
		next
	}
	match($0, /^CONFIG_[A-Za-z0-9_]+=/) {
		have[substr($0, 1, RLENGTH - 1)] = substr($0, RLENGTH + 1)
	}
	END {
		bad = 0
		for (i = 1; i <= n; i++) {
			k = order[i]
			h = (k in have) ? have[k] : "n"
			if (h != want[k]) {
				printf "config mismatch: %s: fragment wants %s, .config has %s\n", k, want[k], h
				bad++
			}
		}
		printf "%d of %d fragment options verified, %d mismatches\n", n - bad, n, bad
		exit bad > 0
	}' "$1" "$2"
}
verify_config "$frag" .config ||
	die "the fragment does not apply to $src_pkg $src_ver (see above): fix scripts/debug.config"

step "make -j$jobs (bzImage, modules)"
run make -j"$jobs" all
step "make modules_prepare"
run make -j"$jobs" modules_prepare

# An out-of-tree module must build against the finished tree.
step "checking that an out-of-tree module builds"
probe=$(mktemp -d /tmp/mbox-kprobe.XXXXXX)
cat >"$probe/probe.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/slab.h>

static int __init probe_init(void)
{
	kfree(kmalloc(16, GFP_KERNEL));
	return 0;
}

static void __exit probe_exit(void)
{
}

module_init(probe_init);
module_exit(probe_exit);
MODULE_LICENSE("GPL");
EOF
echo 'obj-m := probe.o' >"$probe/Kbuild"
if ! run make -C "$tmp" M="$probe" modules || [ ! -f "$probe/probe.ko" ]; then
	die "an out-of-tree module does not build against the new tree"
fi
rm -rf "$probe"
probe=

[ -f arch/x86/boot/bzImage ] || die "no arch/x86/boot/bzImage after the build"
{
	echo "key $key"
	echo "source $src_pkg $src_ver"
	echo "cc $cc_ver"
	echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $(( $(date +%s) - t0 ))s"
	make -s kernelrelease
} >"$stamp"
cd /
mv "$tmp" "$dir"
tmp=

# Drop the least recently used builds beyond $keep (ours only: they have
# the stamp).  The names are kernel-<hex>, so ls is safe here.
# shellcheck disable=SC2012
ls -dt "$cache_root"/kernel-*/"$stamp" 2>/dev/null | tail -n +"$((keep + 1))" |
while read -r old; do
	old=${old%/"$stamp"}
	[ "$old" = "$dir" ] && continue
	say "removing old cached build $old"
	rm -rf "$old" "$old.log" "$cache_root/.${old##*/}.lock"
done || true
step "done: $dir ($(sed -n '$p' "$dir/$stamp"))"
echo "$dir" >&3
