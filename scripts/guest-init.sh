#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the mbox VM (busybox sh).  The kernel command line picks the mode:
#   mboxvm=test   load mbox.ko, run every /tests/*_test, unload, check dmesg
#   mboxvm=demo   load mbox.ko and run /demo.sh
#   mboxvm=shell  load mbox.ko and start a shell on the console
# Results (kselftest TAP) go to the second serial port, ttyS1, which the host
# reads; the kernel console is ttyS0.  The last line on ttyS1 is the verdict
# line "mbox-vm: done": without it the host knows the guest died.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
check() { # DESCRIPTION COMMAND...: one TAP line for COMMAND's success
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

example() { # NAME: run examples/NAME (at most 60 s), its output as TAP comments
	timeout 60 "$1" >/tmp/example.out 2>&1
	rc=$?
	sed 's/^/#   /' /tmp/example.out
	return $rc
}

run_test() { # PATH: run one kselftest binary, then check it reported all it planned
	name=${1##*/}
	echo "# selftests: mbox: $name"
	{ (cd /tmp && "$1" 2>&1); echo $? >/tmp/rc; } | tee /tmp/out
	rc=$(cat /tmp/rc)
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' /tmp/out | head -n 1)
	results=$(grep -cE '^(not )?ok ' /tmp/out)
	failed=$(grep -cE '^not ok ' /tmp/out)
	if [ -z "$plan" ] || [ "$plan" -ne "$results" ]; then
		not_ok "$name reported $results results of the ${plan:-?} it planned (status $rc)"
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$failed" -eq 0 ]; then
		not_ok "$name exited with status $rc"
	fi
}

run_tests() {
	echo "# guest kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s"
	check "insmod mbox.ko" insmod /mbox.ko
	check "/dev/mbox is a character device" test -c /dev/mbox
	[ -c /dev/mbox ] || return

	found=0
	for t in /tests/*_test; do
		[ -x "$t" ] || continue
		found=1
		run_test "$t"
	done
	[ $found -eq 1 ] || not_ok "selftest binaries found in /tests"
	check "examples/hello (the README's program) prints hello" \
		eval '[ "$(hello)" = hello ]'
	check "examples/prodcons_credit: N credits keep at most N messages in flight, all in order" \
		example prodcons_credit
	check "examples/mutex: a one-token mailbox gives mutual exclusion, counter exact" \
		example mutex
	check "examples/rendezvous: with capacity 0 sender and receiver wait for each other" \
		example rendezvous
	check "examples/reqreply: each client gets its own replies; reply mailboxes auto-destroyed" \
		example reqreply
	check "examples/epoll_set: epoll over 100 mailbox fds gets every message once; EPOLLHUP" \
		example epoll_set

	exec 3</dev/mbox
	check "rmmod mbox fails while /dev/mbox is open" eval '! rmmod mbox 2>/dev/null'
	exec 3<&-
	check "rmmod mbox" rmmod mbox
	check "/dev/mbox is gone after rmmod" test ! -e /dev/mbox

	# A splat in the log, or the taint flags it leaves: B (bad page),
	# D (oops), W (warning), L (soft lockup).
	splat='BUG:|WARNING:|Oops|general protection|Call Trace|kernel BUG'
	taint=$(cat /proc/sys/kernel/tainted)
	if dmesg | grep -E "$splat" >/tmp/splat || [ $((taint & 0x42a0)) -ne 0 ]; then
		not_ok "no kernel splat in dmesg (taint flags $taint)"
		sed 's/^/# /' /tmp/splat
	else
		ok "no kernel splat in dmesg"
	fi
	dmesg >/dev/console	# the whole log, for build/vm/console.log
	echo "# guest done, up $(cut -d' ' -f1 /proc/uptime) s"
}

case " $(cat /proc/cmdline) " in
*" mboxvm=test "*)
	stty -F /dev/ttyS1 -onlcr 2>/dev/null
	run_tests >/dev/ttyS1 2>&1
	echo "mbox-vm: done" >/dev/ttyS1
	;;
*" mboxvm=demo "*)
	stty -F /dev/ttyS1 -onlcr 2>/dev/null
	if insmod /mbox.ko && sh /demo.sh >/dev/ttyS1 2>&1; then
		echo "mbox-vm: done" >/dev/ttyS1
	else
		echo "mbox-vm: demo failed" >/dev/ttyS1
	fi
	;;
*)
	insmod /mbox.ko && echo "mbox.ko loaded; tools: mboxctl, prodcons; tests in /tests"
	setsid cttyhack sh
	;;
esac
sync
reboot -f
