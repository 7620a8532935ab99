#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh - the kernels mbox is built for and tested on, by name.
#
#   6.1    Debian 12's kernel: linux-image-amd64 and linux-headers-amd64
#          from bookworm (scripts/deps.sh installs them); gcc-12.
#   6.12   the 6.12 LTS that Debian 13 runs, as bookworm-backports builds
#          it for Debian 12: linux-headers-6.12.*+deb12-amd64 and
#          linux-image-6.12.*+deb12-amd64-unsigned, installed on the host
#          (the headers depend on the image); gcc-12.
#   7.x    the newest 7.x in trixie-backports, chosen when its build root
#          is made.  Its headers need gcc-14 and trixie's glibc, so they
#          live in a trixie build root made by debootstrap, where the
#          module is built (chroot); only the image's vmlinuz is taken
#          (from linux-binary-unsigned-REL).
#   debug  linux-source-6.1 with tinyconfig + scripts/debug.config (KASAN,
#          lockdep, kmemleak, UBSAN, failslab): scripts/debug-kernel.sh.
#
# Usage: scripts/kernel.sh NAME [FIELD]
#
# Makes NAME ready, once (installs or builds what it lacks; the progress
# goes to stderr), then prints FIELD=VALUE lines, or with FIELD only that
# value:
#   name     NAME
#   release  the kernel release, `uname -r` in the guest
#   kdir     the kbuild directory to build modules against; inside the
#            build root when root is set
#   root     the build root to chroot into for kbuild, or empty (the host)
#   sparse   the sparse to check with (CHECK=), when not the one on PATH
#   image    the kernel image QEMU boots
#   origin   where the kernel comes from: suite, package and version
#
# A kernel, once chosen, stays chosen: installing headers for one kernel
# never changes what another name builds or boots.  6.1 follows Debian 12's
# linux-image-amd64; 6.12 is recorded in $MBOX_KERNEL_CACHE/6.12.release
# when first installed; 7.x is fixed by its build root, which is cached in
# $MBOX_KERNEL_CACHE/root-trixie-<key>, <key> a hash of the root's recipe
# below (remove the directory to pick a newer 7.x).
#
# apt: the backports suites are never added to the host's sources.  The
# host's apt-get runs with a private source list, list directory and
# archive cache under $MBOX_KERNEL_CACHE/apt-bookworm-backports (bookworm +
# bookworm-backports at its default low priority), so the machine's own
# `apt-get update/upgrade` sees and does what it did before; the trixie
# root has its own apt.
#
# Environment: MBOX_KERNEL_CACHE (default /var/cache/mbox), MBOX_DEBIAN_MIRROR
# (default http://deb.debian.org/debian).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${MBOX_KERNEL_CACHE:-/var/cache/mbox}
mirror=${MBOX_DEBIAN_MIRROR:-http://deb.debian.org/debian}
prog=${0##*/}

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }

usage="usage: scripts/kernel.sh 6.1|6.12|7.x|debug [name|release|kdir|root|sparse|image|origin]"
name=${1:?$usage}
field=${2:-}
case $field in
''|name|release|kdir|root|sparse|image|origin) ;;
*) die "$usage" ;;
esac

lock() {	# NAME: serialise concurrent preparations of one kernel
	mkdir -p "$cache"
	exec 9>"$cache/.$1.lock"
	flock 9
}

need_root() {
	[ "$(id -u)" -eq 0 ] || die "$name is not installed yet; run this as root once: $*"
}

# --- 6.1: Debian 12's own kernel --------------------------------------------
k61() {
	local pkg
	pkg=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
	      grep -o 'linux-image-6\.1\.[^ ,]*-amd64' | head -n 1) ||
		die "linux-image-amd64 (bookworm) is not installed: make deps"
	release=${pkg#linux-image-}
	kdir=/usr/src/linux-headers-$release
	root=
	image=/boot/vmlinuz-$release
	[ -f "$kdir/Makefile" ] ||
		die "$kdir missing: apt-get install linux-headers-amd64 (make deps)"
	[ -f "$image" ] || die "$image missing: apt-get install --reinstall $pkg"
	origin="bookworm $pkg $(dpkg-query -W -f='${Version}' "$pkg")"
}

# --- 6.12: bookworm-backports, installed on the host ------------------------
bpo=$cache/apt-bookworm-backports

bpo_apt() {	# apt-get or apt-cache with the private configuration
	local tool=$1
	shift
	"$tool" -o Dir::Etc::SourceList="$bpo/sources.list" \
		-o Dir::Etc::SourceParts="$bpo/parts.d" \
		-o Dir::State::Lists="$bpo/lists" \
		-o Dir::Cache::Archives="$bpo/archives" \
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
		-o APT::Get::List-Cleanup=false "$@"
}

k612_installed() {	# RELEASE
	[ -f "/usr/src/linux-headers-$1/Makefile" ] && [ -f "/boot/vmlinuz-$1" ]
}

k612() {
	local rec=$cache/6.12.release
	release=$(cat "$rec" 2>/dev/null || true)
	if [ -z "$release" ] || ! k612_installed "$release"; then
		need_root "scripts/kernel.sh 6.12"
		lock 6.12
		release=$(cat "$rec" 2>/dev/null || true)
	fi
	if [ -z "$release" ] || ! k612_installed "$release"; then
		mkdir -p "$bpo/lists/partial" "$bpo/archives/partial" "$bpo/parts.d"
		printf 'deb %s %s main\n' "$mirror" bookworm "$mirror" bookworm-backports \
			>"$bpo/sources.list"
		say "6.12: reading bookworm-backports (private apt configuration in $bpo)"
		bpo_apt apt-get -q update >&2 || die "apt-get update of bookworm-backports failed"
		if [ -z "$release" ]; then
			release=$(bpo_apt apt-cache pkgnames linux-headers-6.12. |
				  sed -n 's/^linux-headers-\(6\.12\.[0-9]*+deb12-amd64\)$/\1/p' |
				  sort -V | tail -n 1)
			[ -n "$release" ] || die "bookworm-backports offers no linux-headers-6.12.*+deb12-amd64"
		fi
		say "6.12: installing linux-headers-$release and linux-image-$release-unsigned"
		DEBIAN_FRONTEND=noninteractive bpo_apt apt-get -q -y \
			--no-install-recommends install \
			"linux-headers-$release" "linux-image-$release-unsigned" </dev/null >&2 ||
			die "installing the 6.12 kernel $release failed"
		bpo_apt apt-get -q clean
		k612_installed "$release" || die "6.12 $release: headers or /boot/vmlinuz missing after install"
		echo "$release" >"$rec"
	fi
	kdir=/usr/src/linux-headers-$release
	root=
	image=/boot/vmlinuz-$release
	origin="bookworm-backports linux-image-$release-unsigned $(dpkg-query -W \
		-f='${Version}' "linux-image-$release-unsigned" 2>/dev/null || echo '?')"
}

# --- 7.x: trixie-backports, in a trixie build root --------------------------
# The recipe of the root: any change here makes a new root (a new key).
root_suite=trixie
root_pkgs=gcc-14,make,libc6-dev,bc,flex,bison,libelf-dev,libssl-dev,kmod,sparse,dkms,ca-certificates
root_recipe="debootstrap --variant=minbase --include=$root_pkgs $root_suite $mirror;
backports=$root_suite-backports; headers+image of the newest 7.x; sparse from forky; v2"
# trixie's sparse (0.6.4) cannot parse 7.x's headers (__typeof_unqual__);
# forky's can.  Its binary needs only libc, so it is unpacked, not
# installed (the package would pull in forky's gcc), into this directory:
root_sparse=/opt/sparse-forky

in_root() {	# ROOT CMD...: run CMD in the build root
	bash "$here/in-root.sh" "$@"
}

k7_make_root() {	# DIR: debootstrap, install the newest 7.x headers, take its image
	local dir=$1 tmp rel pkg deb vmlinuz t0=$SECONDS
	command -v debootstrap >/dev/null || die "debootstrap missing (make deps)"
	rm -rf "$cache/.root-$root_suite-"*.tmp
	tmp=$(mktemp -d "$cache/.root-$root_suite-XXXXXX.tmp")
	chmod 755 "$tmp"
	say "7.x: debootstrap $root_suite into $tmp (about a minute)"
	debootstrap --variant=minbase --include="$root_pkgs" "$root_suite" "$tmp" "$mirror" \
		>"$cache/root-$root_suite.log" 2>&1 ||
		{ tail -n 20 "$cache/root-$root_suite.log" >&2; die "debootstrap $root_suite failed"; }
	printf 'deb %s %s-backports main\n' "$mirror" "$root_suite" \
		>"$tmp/etc/apt/sources.list.d/backports.list"
	in_root "$tmp" apt-get -q update >&2 || die "apt-get update in the $root_suite root failed"
	rel=$(in_root "$tmp" apt-cache pkgnames linux-headers-7. |
	      sed -n 's/^linux-headers-\(7\.[0-9]*\.[0-9]*+deb13-amd64\)$/\1/p' |
	      sort -V | tail -n 1)
	[ -n "$rel" ] || die "$root_suite-backports offers no linux-headers-7.*+deb13-amd64"
	say "7.x: the newest 7.x in $root_suite-backports is $rel"
	in_root "$tmp" apt-get -q -y --no-install-recommends install \
		"linux-headers-$rel" </dev/null >&2 || die "installing linux-headers-$rel failed"
	# The image: only its vmlinuz, not its modules.  Debian's packaging
	# of it changed: 7.x has it in linux-binary-unsigned-REL (as
	# usr/lib/modules/REL/vmlinuz.unsigned), 6.x in linux-image-REL-unsigned.
	for pkg in "linux-binary-unsigned-$rel" "linux-image-$rel-unsigned" ""; do
		[ -n "$pkg" ] || die "no package of $root_suite-backports has the image of $rel"
		in_root "$tmp" apt-cache show "$pkg" >/dev/null 2>&1 && break
	done
	mkdir -p "$tmp/var/tmp/image/x"
	in_root "$tmp" sh -c "cd /var/tmp/image && apt-get -q download $pkg" >&2 ||
		die "downloading $pkg failed"
	deb=$(ls "$tmp"/var/tmp/image/*.deb)
	pkg="$pkg $(dpkg-deb -f "$deb" Version)"
	dpkg-deb -x "$deb" "$tmp/var/tmp/image/x"
	vmlinuz=$(find "$tmp/var/tmp/image/x" -type f -name 'vmlinuz*' | head -n 1)
	[ -n "$vmlinuz" ] || die "$pkg has no vmlinuz"
	mkdir -p "$tmp/boot"
	cp "$vmlinuz" "$tmp/boot/vmlinuz-$rel"

	# sparse from forky, at priority 1 so that nothing else comes from there.
	# (The mirror's forky Release file may have passed its Valid-Until.)
	printf 'deb [check-valid-until=no] %s forky main\n' "$mirror" \
		>"$tmp/etc/apt/sources.list.d/forky.list"
	printf 'Package: *\nPin: release n=forky\nPin-Priority: 1\n' \
		>"$tmp/etc/apt/preferences.d/forky"
	in_root "$tmp" apt-get -q update >&2 || die "apt-get update (forky) in the root failed"
	rm -f "$tmp"/var/tmp/image/*.deb
	in_root "$tmp" sh -c "cd /var/tmp/image && apt-get -q download sparse/forky" >&2 ||
		die "downloading forky's sparse failed"
	dpkg-deb -x "$tmp"/var/tmp/image/sparse_*.deb "$tmp$root_sparse"
	in_root "$tmp" "$root_sparse/usr/bin/sparse" --version >&2 ||
		die "forky's sparse does not run in the $root_suite root"
	{
		echo "release=$rel"
		echo "origin=$root_suite-backports $pkg"
	} >"$tmp/mbox-kernel.env"
	rm -rf "$tmp/var/tmp/image"
	in_root "$tmp" apt-get -q clean
	mv "$tmp" "$dir"
	say "7.x: build root $dir ready in $((SECONDS - t0)) s"
}

k7() {
	local key dir old
	key=$(printf '%s\n' "$root_recipe" | sha256sum | cut -c1-16)
	dir=$cache/root-$root_suite-$key
	if [ ! -f "$dir/mbox-kernel.env" ]; then
		need_root "scripts/kernel.sh 7.x"
		lock "root-$root_suite"
		if [ ! -f "$dir/mbox-kernel.env" ]; then
			# Roots of older recipes go: each is about 700 MB.
			for old in "$cache/root-$root_suite-"*; do
				[ -d "$old" ] && [ "$old" != "$dir" ] && rm -rf "$old"
			done
			k7_make_root "$dir"
		fi
	fi
	release=$(sed -n 's/^release=//p' "$dir/mbox-kernel.env")
	origin=$(sed -n 's/^origin=//p' "$dir/mbox-kernel.env")
	root=$dir
	sparse=$root_sparse/usr/bin/sparse
	kdir=/usr/src/linux-headers-$release
	image=$dir/boot/vmlinuz-$release
	[ -f "$root$kdir/Makefile" ] && [ -f "$image" ] ||
		die "the build root $dir is incomplete: remove it and run again"
}

# --- debug: linux-source-6.1 + scripts/debug.config -------------------------
kdebug() {
	kdir=$(bash "$here/debug-kernel.sh") || die "the debug kernel is not ready"
	release=$(cat "$kdir/include/config/kernel.release")
	root=
	image=$kdir/arch/x86/boot/bzImage
	origin="linux-source-6.1 $(dpkg-query -W -f='${Version}' linux-source-6.1) + scripts/debug.config"
}

sparse=
case $name in
6.1) k61 ;;
6.12) k612 ;;
7.x) k7 ;;
debug) kdebug ;;
*) die "unknown kernel '$name'; $usage" ;;
esac

if [ -n "$field" ]; then
	eval "echo \"\$$field\""
else
	printf 'name=%s\nrelease=%s\nkdir=%s\nroot=%s\nsparse=%s\nimage=%s\norigin=%s\n' \
		"$name" "$release" "$kdir" "$root" "$sparse" "$image" "$origin"
fi
