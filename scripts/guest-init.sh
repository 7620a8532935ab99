#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the mbox VM (busybox sh).  The kernel command line picks the mode:
#   mboxvm=test   load mbox.ko, run every /tests/*_test, unload, check dmesg
#   mboxvm=demo   load mbox.ko and run /demo.sh
#   mboxvm=bench  load mbox.ko (room for 20000 mailboxes) and run mbox-bench
#   mboxvm=shell  load mbox.ko and start a shell on the console
# mboxcpus=N is the number of CPUs the guest must see; mboxkernel=debug (the
# debug kernel: KASAN, lockdep, kmemleak, ...) adds a kmemleak scan after
# rmmod.  The dmesg check looks for the reports of every checker of both.
# Results (kselftest TAP) go to the second serial port, ttyS1, which the host
# reads; the kernel console is ttyS0.  The last line on ttyS1 is the verdict
# line "mbox-vm: done": without it the host knows the guest died.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null	# kmemleak, failslab
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1

param() { # NAME: the value of NAME=... on the kernel command line
	sed -n "s/^\(.* \)\{0,1\}$1=\([^ ]*\).*/\2/p" /proc/cmdline
}

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
	before=$(splats | wc -l)
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
	after=$(splats | wc -l)
	if [ "$after" -gt "$before" ]; then
		not_ok "$name: no kernel splat while it ran ($((after - before)) new lines in dmesg)"
		# The new lines, then the dmesg lines around the first.
		splats | tail -n +$((before + 1)) | head -n 20 | sed 's/^/#   /'
		first=$(splats | sed -n "$((before + 1))p")
		dmesg | FIRST=$first awk '
			$0 == ENVIRON["FIRST"] { go = 1; n = 0 }
			go && n++ < 40' | sed 's/^/#     /'
	fi
}

run_tests() {
	echo "# guest kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s"
	cpus=$(param mboxcpus)
	check "the guest sees ${cpus:-?} CPUs (nproc: $(nproc))" test "$(nproc)" = "${cpus:-?}"
	check "insmod mbox.ko" insmod /mbox.ko
	check "/dev/mbox is a character device" test -c /dev/mbox
	check "/proc/mbox is readable, its first line a header" \
		eval '[ "$(head -n 1 /proc/mbox | cut -c1-12)" = "        id  " ]'
	[ -c /dev/mbox ] || return
	text=$(cat /sys/module/mbox/sections/.text 2>/dev/null)	# for leak reports

	found=0
	only=$(param mboxtests)	# e.g. mboxtests=fd,batch: only those tests
	for t in /tests/*_test; do
		[ -x "$t" ] || continue
		name=${t#/tests/}
		case ",${only:-${name%_test}}," in
		*",${name%_test},"*) ;;
		*) continue ;;
		esac
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
	check "examples/ring: a receive ring consumer gets every message once, in order" \
		example ring

	if [ -d /sys/module/mbox_tick ]; then
		not_ok "mbox_tick was unloaded by its test"
		rmmod mbox_tick
	fi
	exec 3</dev/mbox
	check "rmmod mbox fails while /dev/mbox is open" eval '! rmmod mbox 2>/dev/null'
	exec 3<&-
	check "rmmod mbox" rmmod mbox
	check "/dev/mbox is gone after rmmod" test ! -e /dev/mbox
	check "/proc/mbox is gone after rmmod" test ! -e /proc/mbox

	if [ "$(param mboxkernel)" = debug ]; then
		leak_check
	fi
	splat_check
	dmesg >/dev/console	# the whole log, for build/vm/console.log
	echo "# guest done, up $(cut -d' ' -f1 /proc/uptime) s"
}

leak_check() { # kmemleak (debug kernel) finds no unreferenced object
	f=/sys/kernel/debug/kmemleak
	if [ ! -w $f ]; then
		not_ok "kmemleak: $f exists"
		return
	fi
	# kmemleak reports an object once it is more than 5 s old and no
	# reference to it was found in two scans in a row.
	sleep 6
	if ! echo scan >$f || ! echo scan >$f; then
		not_ok "kmemleak: no leak after rmmod (scan failed: kmemleak disabled?)"
		return
	fi
	cat $f >/tmp/kmemleak
	if [ -s /tmp/kmemleak ]; then
		not_ok "kmemleak: no leak after rmmod" \
			"($(grep -c '^unreferenced object' /tmp/kmemleak) objects reported)"
		# mbox.ko's frames are bare addresses now: addr2line names them.
		echo "#   mbox.ko's frames: addr2line -f -e build/kernels/debug/mbox/mbox.ko" \
			"<address - ${text:-its .text}>; the first objects reported:"
		head -n 48 /tmp/kmemleak | sed 's/^/#   /'
	else
		ok "kmemleak: no leak after rmmod"
	fi
}

splat_check() { # no checker of either kernel reported anything in dmesg
	# ... nor left the taint flags of a splat: B (bad page, KASAN),
	# D (oops), W (warning), L (soft lockup).
	taint=$(cat /proc/sys/kernel/tainted)
	splats >/tmp/splat
	if [ ! -s /tmp/splat ] && [ $((taint & 0x42a0)) -eq 0 ]; then
		ok "no kernel splat in dmesg"
		return
	fi
	not_ok "no kernel splat in dmesg ($(wc -l </tmp/splat) lines match, taint flags $taint)"
	# Each kind of line once, then the first report in full.
	sed 's/^\[[ 0-9.]*\] //' /tmp/splat | awk '!seen[$0]++' | head -n 20 | sed 's/^/#   /'
	first=$(head -n 1 /tmp/splat)
	[ -n "$first" ] || return
	echo "#   the first report (all of dmesg is in the console log):"
	# From 2 lines before it to its closing ===== line (KASAN, UBSAN,
	# lockdep open with one), the end of a WARN's trace, or 150 lines.
	dmesg | FIRST=$first awk '
		!go && $0 != ENVIRON["FIRST"] { p2 = p1; p1 = $0; next }
		!go { go = 1; if (p2 != "") print p2; if (p1 != "") print p1 }
		{ print; n++ }
		n > 3 && /\] =+$/ || /---\[ end trace/ || n >= 150 { exit }
	' | sed 's/^/#     /'
}

# What the checkers print: oopses and warnings, KASAN, UBSAN, lockdep,
# might_sleep, the hung task and soft lockup detectors, RCU stalls, kmemleak
# (but its banners).
SPLAT='BUG:|WARNING:|Oops|general protection|Call Trace|kernel BUG|KASAN|UBSAN'
SPLAT="$SPLAT|possible circular locking|possible recursive locking"
SPLAT="$SPLAT|inconsistent lock state|lockdep is turned off|locking correctness validator"
SPLAT="$SPLAT|sleeping function called from invalid context"
SPLAT="$SPLAT|hung_task|blocked for more than|soft lockup|detected stall"
SPLAT="$SPLAT|kmemleak|suspected memory leak"
# kmemleak's notices, no bug: its start, and (under failslab, which can fail
# the scan area kmemleak adds to each vmap area) its fallback to scanning
# the whole object.
BANNER='kmemleak: (Kernel memory leak detector initialized|Automatic memory scanning'
BANNER="$BANNER|Cannot allocate a scan area, scanning the full object)"
# perf's sampling profile (cpu-clock, every CPU) of one thread sending and
# receiving 64 bytes for 4 s, per mechanism: where the time goes, untraced.
perf_profile() {
	echo 0 >/proc/sys/kernel/kptr_restrict
	echo -1 >/proc/sys/kernel/perf_event_paranoid
	echo "# profile: perf record -e cpu-clock -F 4999, 64-byte send+receive, self time per symbol"
	for m in mbox mbox-bound sysv posix-mq; do
		echo "# perf: $m"
		perf record -q -e cpu-clock -F 4999 -o /tmp/perf.data -- \
			mbox-bench --loop "$m" 64 4 >/tmp/loop.out 2>&1
		sed 's/^/# /' /tmp/loop.out
		perf report -i /tmp/perf.data --stdio --no-children --sort sym \
			--percent-limit 0.7 -q 2>/dev/null | sed '/^$/d; s/^/# /'
	done
	echo "# end of profile"
}

# The round trip on one CPU (issue 16): what the kernel does per round trip
# (ftrace's function tracer, calls per round trip) and where the time goes
# (perf, cpu-clock, CPU 0), for SENDRECV, two ioctls, SysV and a pipe.
rr_profile() {
	echo 0 >/proc/sys/kernel/kptr_restrict
	echo -1 >/proc/sys/kernel/perf_event_paranoid
	echo "# profile: 64-byte round trips, client and server on CPU 0"
	for m in mbox-sr mbox sysv pipe; do
		mbox-bench --rr-count "$m" 300
	done
	for m in mbox-sr mbox sysv pipe; do
		echo "# perf stat: $m"
		perf stat -C 0 -e context-switches,cpu-migrations,task-clock -- \
			mbox-bench --rr-loop "$m" 2 2>&1 | sed '/^$/d; s/^/# /'
	done
	for m in mbox-sr mbox sysv pipe; do
		echo "# perf: $m"
		perf record -q -C 0 -e cpu-clock -F 4999 -o /tmp/perf.data -- \
			mbox-bench --rr-loop "$m" 4 >/tmp/loop.out 2>&1
		sed 's/^/# /' /tmp/loop.out
		perf report -i /tmp/perf.data --stdio --no-children --sort sym \
			--percent-limit 0.5 -q 2>/dev/null | sed '/^$/d; s/^/# /'
	done
	echo "# end of profile"
}

# One thread on CPU 0 sending and receiving (issue 15): every kernel
# function entered per message (ftrace's function tracer), for the ring
# (one MBOX_IOC_SEND, or one write(); the consumer makes no call), a bound
# file, SysV and POSIX mq, at 64 bytes and 4 KiB.
count_profile() {
	echo "# profile: kernel functions per message, one thread on CPU 0"
	for s in 64 4096; do
		for m in mbox-ring mbox-bound sysv posix-mq; do
			mbox-bench --count "$m" "$s" 300
		done
		MBOX_BENCH_RING_WRITE=1 mbox-bench --count mbox-ring "$s" 300
	done
	echo "# end of profile"
}

splats() { # the lines of dmesg that report a bug
	dmesg | grep -E "$SPLAT" | grep -vE "$BANNER"
}

profile() { # ftrace function_graph of mbox, SysV and POSIX mq (mbox-bench --profile)
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
	case $(param mboxprofile) in
	perf) perf_profile; return ;;
	rr) rr_profile; return ;;
	count) count_profile; return ;;
	esac
	mbox-bench --profile
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
*" mboxvm=bench "*)
	stty -F /dev/ttyS1 -onlcr 2>/dev/null
	echo "# guest kernel $(uname -r), $(nproc) CPUs, up $(cut -d' ' -f1 /proc/uptime) s" >/dev/ttyS1
	echo "# clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" >/dev/ttyS1
	if insmod /mbox.ko max_mailboxes=20000 max_mailboxes_per_ns=20000 max_mailboxes_per_user=20000 && mbox-bench >/dev/ttyS1 2>&1; then
		[ -n "$(param mboxprofile)" ] && profile >/dev/ttyS1 2>&1
		echo "mbox-vm: done" >/dev/ttyS1
	else
		echo "mbox-vm: bench failed" >/dev/ttyS1
	fi
	;;
*)
	insmod /mbox.ko && echo "mbox.ko loaded; tools: mboxctl, prodcons; tests in /tests"
	setsid cttyhack sh
	;;
esac
sync
reboot -f
