#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot Debian's stock kernel in QEMU (TCG) with the mbox initramfs.
# Usage: scripts/vm.sh test|demo|shell   (the binaries must be built: make bins)
#
# test, demo: what the guest writes to its second serial port (ttyS1, kept in
# build/vm/ttyS1.log) is streamed to stdout; the kernel console goes to
# build/vm/console.log.  A hard timeout (VM_TIMEOUT seconds) stops a hung
# guest.  In test mode the outcome of the run itself is a TAP line.  Exit
# status 0 only if the guest got to its verdict line "mbox-vm: done".
# shell: the console is on stdin/stdout; quit with "exit" or Ctrl-A X.
# VM_APPEND adds to the kernel command line.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:?usage: scripts/vm.sh test|demo|shell}
vm=build/vm
kver=$(bash scripts/guest-kernel.sh)
mkdir -p $vm
bash scripts/mkinitramfs.sh $vm/initramfs.cpio.gz

qemu=(qemu-system-x86_64 -accel "tcg,thread=multi" -smp 2 -m 1G
      -nographic -no-reboot -monitor none -nic none
      -kernel "/boot/vmlinuz-$kver" -initrd "$vm/initramfs.cpio.gz"
      -append "console=ttyS0 panic=-1 oops=panic loglevel=4 mboxvm=$mode ${VM_APPEND:-}")

if [ "$mode" = shell ]; then
	exec "${qemu[@]}" -serial mon:stdio -serial file:$vm/ttyS1.log
fi

case $mode in
test) limit=${VM_TIMEOUT:-900} ;;
demo) limit=${VM_TIMEOUT:-300} ;;
*) echo "vm.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac

: >$vm/ttyS1.log
start=$SECONDS
timeout -k 10 "$limit" "${qemu[@]}" \
	-serial file:$vm/console.log -serial file:$vm/ttyS1.log </dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT	# also stops QEMU on Ctrl-C
tail -n +1 -f --pid=$pid $vm/ttyS1.log | tr -d '\r'
rc=0
wait $pid || rc=$?
trap - EXIT

if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	why="timed out after $limit s"
elif ! grep -q '^mbox-vm: done' $vm/ttyS1.log; then
	why="ended without its verdict line (QEMU status $rc)"
fi
if [ -n "${why:-}" ]; then
	[ "$mode" = test ] && echo "not ok - VM ran the tests to the end: $why"
	echo "# VM $why; last lines of $vm/console.log:"
	tail -n 30 $vm/console.log |
		awk '{ gsub(/\r|\033(\[[?0-9;]*[a-zA-Z]|c)/, ""); print "#   " $0 }'
	exit 1
fi
[ "$mode" = test ] && echo "ok - VM ran the tests to the end"
echo "# VM ($kver, TCG) ran for $((SECONDS - start)) s; console log in $vm/console.log"
