// SPDX-License-Identifier: GPL-2.0
/*
 * prodcons_credit - producer/consumer with at most N messages in flight
 *
 *	prodcons_credit [-n COUNT] [-w WINDOW]
 *
 * The classic flow control with two mailboxes: "data" carries the messages
 * from the producer to the consumer, "credit" carries empty messages back.
 * The consumer starts by sending WINDOW empty messages (credits); the
 * producer takes a credit before each send, and the consumer returns one
 * after each receive.  So at most WINDOW messages are ever in flight, and
 * the producer never waits on the data mailbox: it waits for credits.
 *
 * The data mailbox is given a capacity of exactly WINDOW, and the producer
 * sends with MBOX_NONBLOCK: EAGAIN would mean the credits did not bound
 * the messages in flight.  Exits 0 only if no such send failed, every
 * message arrived once and in order (payload and sequence number), and all
 * WINDOW credits are back in their mailbox at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mbox.h>

#define MSG_SIZE	64

static int mbox_send(int fd, int id, const void *buf, size_t len,
		     unsigned int flags)
{
	struct mbox_send s = {
		.id = id,
		.flags = flags,
		.buf = (uintptr_t)buf,
		.len = len,
	};

	return ioctl(fd, MBOX_IOC_SEND, &s);
}

static int mbox_recv(int fd, struct mbox_recv *r, int id, void *buf,
		     size_t size, unsigned int flags)
{
	*r = (struct mbox_recv){
		.id = id,
		.flags = flags,
		.buf = (uintptr_t)buf,
		.len = size,
	};
	return ioctl(fd, MBOX_IOC_RECV, r);
}

static int mbox_msgs(int fd, int id)
{
	struct mbox_stat st = { .id = id };

	return ioctl(fd, MBOX_IOC_STAT, &st) < 0 ? -1 : (int)st.msgs;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * The consumer: grant WINDOW credits, then receive COUNT messages,
 * returning a credit after each.  It is slow for the first messages, so
 * the producer uses up its credits and has to wait for more.
 */
static int consume(int fd, int data, int credit, unsigned int count,
		   unsigned int window)
{
	char text[MSG_SIZE], want[MSG_SIZE];
	struct mbox_recv r;
	unsigned int i;
	int len, bad = 0;

	for (i = 0; i < window; i++) {
		if (mbox_send(fd, credit, NULL, 0, 0) < 0) {
			perror("consumer: send credit");
			return 1;
		}
	}
	printf("consumer: granted %u credits\n", window);

	for (i = 1; i <= count; i++) {
		if (i <= 2)
			sleep_ms(100);	/* slow start: the producer runs dry */
		len = mbox_recv(fd, &r, data, text, sizeof(text), 0);
		if (len < 0) {
			fprintf(stderr, "consumer: receive #%u: %s\n", i,
				strerror(errno));
			return 1;
		}
		snprintf(want, sizeof(want), "item %u", i);
		if (len != (int)strlen(want) || memcmp(text, want, len) ||
		    r.seq != i) {
			fprintf(stderr,
				"consumer: got \"%.*s\" seq %llu, expected \"%s\" seq %u\n",
				len, text, (unsigned long long)r.seq, want, i);
			bad = 1;
		}
		if (i <= 2 || i > count - 2)
			printf("consumer: received \"%.*s\" (seq %llu)\n", len,
			       text, (unsigned long long)r.seq);
		if (mbox_send(fd, credit, NULL, 0, 0) < 0) {
			perror("consumer: return credit");
			return 1;
		}
	}
	return bad;
}

/* The producer: one credit per message; the data send must never wait. */
static int produce(int fd, int data, int credit, unsigned int count,
		   unsigned int window)
{
	unsigned int i, waits = 0, max_in_flight = 0;
	char text[MSG_SIZE];
	struct mbox_recv r;
	int len, n;

	for (i = 1; i <= count; i++) {
		if (mbox_recv(fd, &r, credit, NULL, 0, MBOX_NONBLOCK) < 0) {
			if (errno != EAGAIN)
				goto fail;
			if (waits++ < 3)
				printf("producer: no credit for item %u, waiting\n",
				       i);
			if (mbox_recv(fd, &r, credit, NULL, 0, 0) < 0)
				goto fail;
		}
		len = snprintf(text, sizeof(text), "item %u", i);
		if (mbox_send(fd, data, text, len, MBOX_NONBLOCK) < 0) {
			fprintf(stderr, "producer: item %u with a credit: %s\n",
				i, strerror(errno));
			return 1;
		}
		n = mbox_msgs(fd, data);
		if (n > (int)max_in_flight)
			max_in_flight = n;
	}
	printf("producer: sent %u items, waited for a credit %u times, at most %u queued\n",
	       count, waits, max_in_flight);
	return max_in_flight <= window ? 0 : 1;
fail:
	fprintf(stderr, "producer: take credit for item %u: %s\n", i,
		strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	unsigned int count = 64, window = 4;
	struct mbox_create dc = { .max_msg_size = MSG_SIZE };
	struct mbox_create cc = { .max_msg_size = 0 };
	struct mbox_destroy d = { 0 };
	int c, fd, data, credit, status, left;
	bool ok;
	pid_t pid;

	while ((c = getopt(argc, argv, "n:w:")) != -1) {
		switch (c) {
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 'w':
			window = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: prodcons_credit [-n COUNT] [-w WINDOW]\n");
			return 2;
		}
	}
	if (count < 4 || window < 1) {
		fprintf(stderr, "prodcons_credit: COUNT >= 4 and WINDOW >= 1\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	fd = open("/dev/mbox", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("/dev/mbox");
		return 1;
	}
	dc.capacity = window;
	cc.capacity = window;
	data = ioctl(fd, MBOX_IOC_CREATE, &dc);
	credit = ioctl(fd, MBOX_IOC_CREATE, &cc);
	if (data < 0 || credit < 0) {
		perror("create");
		return 1;
	}
	printf("prodcons_credit: data mailbox %d (capacity %u), credit mailbox %d, %u items\n",
	       data, window, credit, count);

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0)
		exit(consume(fd, data, credit, count, window));

	ok = produce(fd, data, credit, count, window) == 0;
	if (!ok)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ok = false;

	left = mbox_msgs(fd, credit);
	printf("prodcons_credit: %d of %u credits back in their mailbox\n",
	       left, window);
	if (left != (int)window)
		ok = false;

	d.id = data;
	ioctl(fd, MBOX_IOC_DESTROY, &d);
	d.id = credit;
	ioctl(fd, MBOX_IOC_DESTROY, &d);
	if (ok)
		printf("prodcons_credit: %u items in order, at most %u in flight\n",
		       count, window);
	else
		fprintf(stderr, "prodcons_credit: FAILED\n");
	return ok ? 0 : 1;
}
