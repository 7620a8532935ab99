#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# in-root.sh - run a command in a build root (scripts/kernel.sh's trixie
# root for 7.x), with a clean environment and a /proc of its own: kbuild's
# objtool and dkms read /proc.  The proc mount lives in a private mount
# namespace, so nothing stays mounted when the command ends, however it
# ends.  Usage: scripts/in-root.sh ROOT CMD [ARG...]
set -euo pipefail
root=${1:?usage: scripts/in-root.sh ROOT CMD [ARG...]}
shift
exec unshare --mount --propagation private -- /bin/sh -c '
	root=$1
	shift
	mount -t proc proc "$root/proc" || exit 1
	exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"' sh "$root" "$@"
