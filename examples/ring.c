// SPDX-License-Identifier: GPL-2.0
/*
 * ring - a consumer reading a mailbox through its receive ring
 *
 *	ring [-n COUNT]
 *
 * The parent creates a mailbox, opens a file of it and makes that file the
 * mailbox's ring consumer (<mbox_ring.h>), then forks a producer that
 * sends COUNT messages (default 8) with mbox_send(), as to any mailbox.
 * The parent takes each message from the ring in place, with no system
 * call while there is one, and sleeps in mbox_ring_wait() only when the
 * ring is empty.  It prints what it got and how many waits it made, and
 * exits 0 only if every message arrived, in order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mbox.h>
#include <mbox_ring.h>

#define MSG_SIZE	64
#define RING_SIZE	4096

static int produce(int dev, int id, unsigned int count)
{
	char text[MSG_SIZE];
	unsigned int i;
	int len, ret;

	for (i = 1; i <= count; i++) {
		len = snprintf(text, sizeof(text), "message %u", i);
		ret = mbox_send(dev, id, text, len, 0);
		if (ret < 0) {
			fprintf(stderr, "producer: send #%u: %s\n", i, strerror(-ret));
			return 1;
		}
	}
	return 0;
}

static int consume(struct mbox_ring *ring, unsigned int count)
{
	const struct mbox_ring_rec *rec;
	unsigned int got = 0, waits = 0;
	char expected[MSG_SIZE];
	int ret, bad = 0;

	while (got < count) {
		rec = mbox_ring_next(ring);
		if (!rec) {
			/* Empty: sleep until a record is complete. */
			ret = mbox_ring_wait(ring, 0, 0);
			if (ret < 0) {
				fprintf(stderr, "consumer: wait: %s\n", strerror(-ret));
				return 1;
			}
			waits++;
			continue;
		}
		got++;
		printf("consumer: seq %llu from pid %d: \"%.*s\" (%u bytes)\n",
		       (unsigned long long)rec->seq, rec->pid,
		       (int)mbox_ring_len(rec), (const char *)mbox_ring_data(rec),
		       mbox_ring_len(rec));
		snprintf(expected, sizeof(expected), "message %u", got);
		if (mbox_ring_len(rec) != strlen(expected) ||
		    memcmp(mbox_ring_data(rec), expected, strlen(expected)))
			bad = 1;
		/* Done with it: its space may be written again. */
		mbox_ring_release(ring, rec);
	}
	printf("consumer: %u messages, %u waits\n", got, waits);
	return bad;
}

int main(int argc, char **argv)
{
	unsigned int count = 8;
	struct mbox_ring ring;
	int dev, id, fd, ret, opt, status;
	pid_t pid;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			return fprintf(stderr, "usage: ring [-n COUNT]\n"), 2;
		count = strtoul(optarg, NULL, 0);
	}
	dev = mbox_open(0);
	id = dev < 0 ? dev : mbox_create(dev, NULL, 16, MSG_SIZE,
					 MBOX_CREATE_AUTODESTROY, 0);
	fd = id < 0 ? id : mbox_open_mailbox(dev, id, MBOX_FD_CLOEXEC);
	ret = fd < 0 ? fd : mbox_ring_attach(&ring, fd, RING_SIZE);
	if (ret < 0)
		return fprintf(stderr, "ring: %s\n", strerror(-ret)), 1;
	printf("mailbox %d, ring of %u bytes\n", id, ring.size);

	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (!pid)
		_exit(produce(dev, id, count));
	ret = consume(&ring, count);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ret = 1;
	mbox_ring_detach(&ring);
	close(fd);
	close(dev);	/* the mailbox goes with it (autodestroy) */
	return ret;
}
