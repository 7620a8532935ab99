#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The producer/consumer demo, run by the VM's /init with mbox.ko loaded.
# prodcons fills a small mailbox while its consumer sleeps, so the producer
# blocks; meanwhile mboxctl shows the mailbox from outside.
set -e

show() {
	echo "\$ $*"
	"$@"
}

echo "== mbox demo: a producer and a consumer in two processes =="
show mboxctl list
echo "\$ prodcons -n 12 -c 4 -d 2000 -k &"
mkfifo /tmp/prodcons.fifo
prodcons -n 12 -c 4 -d 2000 -k >/tmp/prodcons.fifo 2>&1 &
pid=$!
exec 4</tmp/prodcons.fifo
read -r first <&4
echo "$first"
id=${first#mailbox }
case $id in
''|*[!0-9]*) echo "demo: prodcons printed no mailbox id"; exit 1 ;;
esac
cat <&4 &		# the rest of prodcons's output, as it comes

sleep 1		# by now the producer has filled the mailbox and blocks
show mboxctl list
show mboxctl stat "$id"
rc=0
wait $pid || rc=$?
wait
echo "== after the consumer drained it =="
show mboxctl stat "$id"
echo "prodcons exited with status $rc"
exit $rc
