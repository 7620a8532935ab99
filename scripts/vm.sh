#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU (TCG) with the mbox initramfs.
# Usage: scripts/vm.sh test|demo|bench|shell [KERNEL]
#
# KERNEL is a name of scripts/kernel.sh: 6.1 (the default), 6.12, 7.x or
# debug.  The guest boots that kernel's image with the mbox.ko built for it
# by scripts/module.sh (build/kernels/KERNEL/mbox/mbox.ko), with 1 GB of
# memory; the debug kernel (KASAN, lockdep, kmemleak, UBSAN, failslab) gets
# 2 GB and slub_debug=FZPU.  KASAN reports only its first bug: a bug on a
# hot path reported every time floods the console for minutes (VM_APPEND=
# kasan_multi_shot reports them all).
# The userspace binaries are the same for every kernel (make userspace).
#
# bench: the guest runs tools/mbox-bench/mbox-bench (make bench; a debug
# kernel's figures mean nothing), default limit 840 s.
# test, demo, bench: what the guest writes to its second serial port (ttyS1,
# kept in build/vm/KERNEL/ttyS1.log) is streamed to stdout; the kernel
# console goes to build/vm/KERNEL/console.log.  A hard timeout stops a hung
# guest after VM_TIMEOUT seconds (Debian's kernels; default 900 for test,
# 300 for demo) or VM_TIMEOUT_DEBUG seconds (the debug kernel; default 1800
# for test, 900 for demo).  In test mode every TAP result line gets the
# kernel's tag, e.g. "ok 3 [6.12] global.create", and the outcome of the
# run itself is a TAP line too.  Exit status 0 only if the guest got to its
# verdict line "mbox-vm: done".
# shell: the console is on stdin/stdout; quit with "exit" or Ctrl-A X.
# The debug guest's clock is the TSC at the host's frequency, measured at
# boot time (VM_TSC_KHZ: see below).
# VM_APPEND adds to the kernel command line; in test mode
# VM_APPEND=mboxtests=fd,batch runs only those selftests (their names
# without _test).
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: scripts/vm.sh test|demo|bench|shell [6.1|6.12|7.x|debug]"
mode=${1:?$usage}
kernel=${2:-6.1}
cpus=2
mkdir -p build/vm
if ! env=$(bash scripts/kernel.sh "$kernel" 2>build/vm/kernel-$kernel.log); then
	cat build/vm/kernel-$kernel.log >&2
	[ "$mode" = test ] && echo "not ok - [$kernel] VM ran the tests to the end: kernel $kernel not ready"
	exit 1
fi
kver=$(sed -n 's/^release=//p' <<<"$env")
image=$(sed -n 's/^image=//p' <<<"$env")
module=build/kernels/$kernel/mbox/mbox.ko
case $kernel in
debug)
	mem=2G
	append="slub_debug=FZPU"
	timeout=${VM_TIMEOUT_DEBUG:-}
	test_limit=1800 demo_limit=900 bench_limit=1800
	;;
*)
	mem=1G
	append=
	timeout=${VM_TIMEOUT:-}
	test_limit=900 demo_limit=300 bench_limit=1500
	;;
esac
case $mode in
test) limit=${timeout:-$test_limit} ;;
demo) limit=${timeout:-$demo_limit} ;;
bench) limit=${timeout:-$bench_limit} ;;
shell) ;;
*) echo "$usage" >&2; exit 2 ;;
esac

# Refuse a module built for another kernel: insmod would fail in the guest
# with a less helpful message.
vermagic=$(modinfo -F vermagic "$module" 2>/dev/null || true)
if [ "${vermagic%% *}" != "$kver" ]; then
	msg="$module is built for '${vermagic%% *}', not for the $kernel kernel $kver"
	[ "$mode" = test ] && echo "not ok - [$kernel] VM ran the tests to the end: $msg"
	echo "vm.sh: $msg" >&2
	exit 1
fi

vm=build/vm/$kernel
mkdir -p "$vm"

# The debug kernel has no ACPI, hence no HPET or PM timer to calibrate the
# TSC against, and falls back to jiffies for its clock: too coarse for the
# irqsoff tracer (irqsoff_test) and for timing.  Under TCG the guest's TSC
# is the host's, so give it the host's frequency, measured now by
# scripts/tsc-khz.c, and mark it reliable (no watchdog clock to check it
# against).  VM_TSC_KHZ=N uses N instead; VM_TSC_KHZ=none, or a host whose
# TSC cannot be measured, keeps jiffies (irqsoff_test then skips).
if [ "$kernel" = debug ] && [[ "${VM_APPEND:-}" != *tsc_early_khz=* ]]; then
	khz=${VM_TSC_KHZ:-}
	if [ -z "$khz" ] && cc -O2 -o "$vm"/tsc-khz scripts/tsc-khz.c 2>/dev/null; then
		khz=$("$vm"/tsc-khz || true)
	fi
	[[ "$khz" =~ ^[0-9]+$ ]] && append+=" tsc_early_khz=$khz tsc=reliable"
fi
bash scripts/mkinitramfs.sh "$vm"/initramfs.cpio.gz "$module"

# The lockup and stall detectors stay on, with syzkaller's thresholds for
# emulated guests: a TCG vCPU thread that the host does not run for 20 s
# is reported as a soft lockup or an RCU stall by the defaults (20 s and
# 21 s) although the guest did nothing wrong.  A real lockup or stall
# lasts, and is still reported, after 110 s (soft lockup), 100 s (RCU) or
# 140 s (a work queue).
detectors="watchdog_thresh=55 rcupdate.rcu_cpu_stall_timeout=100 workqueue.watchdog_thresh=140"

# Without ACPI (the debug kernel) the guest finds its CPUs in the BIOS MP
# table, which lists one per socket: give each CPU its own socket.
qemu=(qemu-system-x86_64 -accel "tcg,thread=multi"
      -smp "$cpus,sockets=$cpus,cores=1,threads=1" -m "$mem"
      -nographic -no-reboot -monitor none -nic none
      -kernel "$image" -initrd "$vm/initramfs.cpio.gz"
      -append "console=ttyS0 panic=-1 oops=panic loglevel=4 $detectors $append mboxvm=$mode mboxkernel=$kernel mboxcpus=$cpus ${VM_APPEND:-}")

if [ "$mode" = shell ]; then
	exec "${qemu[@]}" -serial mon:stdio -serial file:"$vm"/ttyS1.log
fi

# Drop the serial port's carriage returns; in test mode also tag the TAP
# result lines with the kernel.
filter=(-e 's/\r//g')
[ "$mode" = test ] && filter+=(-E -e "s/^(not )?ok( [0-9]+)?( -)? /&[$kernel] /")

[ "$mode" = test ] && echo "# kernel: $kernel ($kver, $image, TCG, $cpus CPUs, $mem)"
: >"$vm"/ttyS1.log
start=$SECONDS
timeout -k 10 "$limit" "${qemu[@]}" \
	-serial file:"$vm"/console.log -serial file:"$vm"/ttyS1.log </dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT	# also stops QEMU on Ctrl-C
tail -n +1 -f --pid=$pid "$vm"/ttyS1.log | sed -u "${filter[@]}"
rc=0
wait $pid || rc=$?
trap - EXIT

if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	why="timed out after $limit s"
elif ! grep -q '^mbox-vm: done' "$vm"/ttyS1.log; then
	why="ended without its verdict line (QEMU status $rc)"
fi
if [ -n "${why:-}" ]; then
	[ "$mode" = test ] && echo "not ok - [$kernel] VM ran the tests to the end: $why"
	echo "# VM $why; last lines of $vm/console.log:"
	tail -n 40 "$vm"/console.log |
		awk '{ gsub(/\r|\033(\[[?0-9;]*[a-zA-Z]|c)/, ""); print "#   " $0 }'
	exit 1
fi
[ "$mode" = test ] && echo "ok - [$kernel] VM ran the tests to the end"
echo "# VM ($kernel kernel $kver, TCG) ran for $((SECONDS - start)) s; console log in $vm/console.log"
