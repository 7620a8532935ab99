#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot KERNEL's VM (scripts/kernel.sh; default 6.1, Debian 12's:
# never the debug kernel, whose figures mean nothing) with its mbox.ko and
# run tools/mbox-bench/mbox-bench there, then keep its results under
# build/bench/KERNEL/:
#   results.csv  every cell: workload,mechanism,size,n,metric,median,min,max
#   table.txt    the ratio table (also printed here)
#   stream.png   streaming throughput (MB/s) against message size, per
#                mechanism, with half the memcpy bandwidth as the floor
#   guest.log    the guest's whole output
# Everything must be built already (the Makefile does it).  MBOX_BENCH_MS
# (default 400) and MBOX_BENCH_REPS (default 5) set the time per cell and
# the repetitions; MBOX_BENCH_ONLY=single,stream,... runs only those
# workloads, MBOX_BENCH_SIZES=64,4096 only those sizes in (a) and (c);
# MBOX_BENCH_RING_BYTES (a ring's least size, default 4 MiB),
# MBOX_BENCH_RING_SPIN (looks before the ring's consumer sleeps) and
# MBOX_BENCH_RING_WRITE=1 (its producer sends with write()) tune mbox-ring;
# MBOX_BENCH_PROFILE=perf adds perf's sampling profile of a 64-byte loop
# per mechanism (linux-perf is installed, and copied into the initramfs);
# MBOX_BENCH_PROFILE=rr adds the round trip's profile on one CPU: kernel
# functions per round trip (ftrace) and perf's profile, for SENDRECV, two
# ioctls, SysV and a pipe;
# MBOX_BENCH_PROFILE=count adds the kernel functions one thread enters per
# 64-byte and 4 KiB message (ftrace), for the ring, a bound file, SysV and
# POSIX mq;
# MBOX_BENCH_PROFILE=1 adds an ftrace function_graph profile of
# one mbox and one SysV send+receive (build/bench/KERNEL/profile.txt).
# Usage: scripts/bench.sh [KERNEL]
#
# The guest boots with clocksource=tsc tsc=reliable: under TCG its kernel
# otherwise falls back to the HPET, every read of which takes QEMU's global
# lock and serialises the vCPUs, which no real x86 machine does; then
# anything that reads the clock per message (mbox's send and receive times)
# pays an emulator artifact.  MBOX_BENCH_CLOCKSOURCE=hpet keeps the
# kernel's own choice, to see that cost.
set -euo pipefail
cd "$(dirname "$0")/.."

kernel=${1:-6.1}
out=build/bench/$kernel
mkdir -p "$out"
append="MBOX_BENCH_MS=${MBOX_BENCH_MS:-400} MBOX_BENCH_REPS=${MBOX_BENCH_REPS:-5}"
[ -n "${MBOX_BENCH_ONLY:-}" ] && append="$append MBOX_BENCH_ONLY=$MBOX_BENCH_ONLY"
[ -n "${MBOX_BENCH_SIZES:-}" ] && append="$append MBOX_BENCH_SIZES=$MBOX_BENCH_SIZES"
[ -n "${MBOX_BENCH_RING_SPIN:-}" ] && append="$append MBOX_BENCH_RING_SPIN=$MBOX_BENCH_RING_SPIN"
[ -n "${MBOX_BENCH_RING_BYTES:-}" ] && append="$append MBOX_BENCH_RING_BYTES=$MBOX_BENCH_RING_BYTES"
[ -n "${MBOX_BENCH_RING_WRITE:-}" ] && append="$append MBOX_BENCH_RING_WRITE=$MBOX_BENCH_RING_WRITE"
case ${MBOX_BENCH_PROFILE:-} in
'') ;;
perf) append="$append mboxprofile=perf"; export MBOX_PERF=1 ;;
rr) append="$append mboxprofile=rr"; export MBOX_PERF=1 ;;
count) append="$append mboxprofile=count" ;;
*) append="$append mboxprofile=1" ;;
esac
if [ "${MBOX_BENCH_CLOCKSOURCE:-tsc}" = tsc ]; then
	append="clocksource=tsc tsc=reliable $append"
fi

start=$SECONDS
VM_APPEND="$append ${VM_APPEND:-}" bash scripts/vm.sh bench "$kernel" |
	tee "$out"/guest.log | grep --line-buffered '^#' || true
if ! grep -q '^mbox-vm: done' "$out"/guest.log; then
	echo "bench: the guest did not finish; see $out/guest.log and build/vm/$kernel/console.log" >&2
	exit 1
fi

{
	echo "workload,mechanism,size,n,metric,median,min,max"
	sed -n 's/^csv,//p' "$out"/guest.log
} >"$out"/results.csv
sed -n 's/^table,//p' "$out"/guest.log >"$out"/table.txt
sed -n '/^# profile/,/^# end of profile/p' "$out"/guest.log >"$out"/profile.txt
[ -s "$out"/profile.txt ] || rm -f "$out"/profile.txt

{
	echo "# host: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "# guest: $(sed -n 's/^# guest kernel //p' "$out"/guest.log | head -n 1), qemu TCG -smp 2, clocksource $(sed -n 's/^# clocksource //p' "$out"/guest.log | head -n 1)"
	echo "# host load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), make bench took $((SECONDS - start)) s in the VM"
} >>"$out"/table.txt
cat "$out"/table.txt

# One data file per mechanism: size, MB/s.
plot=()
for mech in mbox mbox-fd mbox-bound sysv posix-mq pipe seqpacket mbox-ring; do
	awk -F, -v m="$mech" '$1 == "stream" && $2 == m && $4 == 1 {
		s = ($3 > 0 ? $3 : 1); printf "%d %.6g\n", s, $6 * $3 / 1e6 }' \
		"$out"/results.csv | sort -n >"$out/stream-$mech.dat"
	plot+=("'$out/stream-$mech.dat' using 1:2 with linespoints title '$mech'")
done
awk -F, '$1 == "memcpy" { s = ($3 > 0 ? $3 : 1); printf "%d %.6g\n", s, $6 / 2e6 }' \
	"$out"/results.csv | sort -n >"$out/memcpy-half.dat"
plot+=("'$out/memcpy-half.dat' using 1:2 with lines dashtype 2 title 'memcpy / 2 (floor)'")
if ! grep -q '^stream,' "$out"/results.csv; then
	rm -f "$out"/stream*.dat "$out"/memcpy-half.dat "$out"/stream.png
	echo "# no stream figures in this run: no plot"
elif command -v gnuplot >/dev/null; then
	gnuplot <<GP
set terminal pngcairo size 900,600 noenhanced
set output '$out/stream.png'
set title 'one producer, one consumer: throughput against message size (TCG guest, same boot)'
set logscale xy
set xlabel 'message size (bytes; 0 plotted at 1)'
set ylabel 'MB/s (medians)'
set key left top
set grid
plot $(IFS=,; echo "${plot[*]}")
GP
	echo "# plot: $out/stream.png"
else
	echo "# gnuplot missing: no plot" >&2
fi
echo "# results: $out/results.csv, $out/table.txt; make bench took $((SECONDS - start)) s in the VM"
