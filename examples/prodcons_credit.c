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
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mbox.h>

#define MSG_SIZE	64

/* The messages queued in mailbox @id, or -errno. */
static int queued(int fd, int id)
{
	struct mbox_stat st;
	int ret = mbox_stat(fd, id, &st, sizeof(st));

	return ret < 0 ? ret : (int)st.msgs;
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
	int len, ret, bad = 0;

	for (i = 0; i < window; i++) {
		ret = mbox_send(fd, credit, NULL, 0, 0);
		if (ret < 0) {
			fprintf(stderr, "consumer: send credit: %s\n",
				strerror(-ret));
			return 1;
		}
	}
	printf("consumer: granted %u credits\n", window);

	for (i = 1; i <= count; i++) {
		if (i <= 2)
			sleep_ms(100);	/* slow start: the producer runs dry */
		/* mbox_recv_args(): for the message's sequence number. */
		r = (struct mbox_recv){
			.id = data,
			.buf = (uintptr_t)text,
			.len = sizeof(text),
		};
		len = mbox_recv_args(fd, &r, sizeof(r));
		if (len < 0) {
			fprintf(stderr, "consumer: receive #%u: %s\n", i,
				strerror(-len));
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
		ret = mbox_send(fd, credit, NULL, 0, 0);
		if (ret < 0) {
			fprintf(stderr, "consumer: return credit: %s\n",
				strerror(-ret));
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
	int len, n, ret;

	for (i = 1; i <= count; i++) {
		ret = mbox_recv(fd, credit, NULL, 0, MBOX_NONBLOCK);
		if (ret == -EAGAIN) {
			if (waits++ < 3)
				printf("producer: no credit for item %u, waiting\n",
				       i);
			ret = mbox_recv(fd, credit, NULL, 0, 0);
		}
		if (ret < 0)
			goto fail;
		len = snprintf(text, sizeof(text), "item %u", i);
		ret = mbox_send(fd, data, text, len, MBOX_NONBLOCK);
		if (ret < 0) {
			fprintf(stderr, "producer: item %u with a credit: %s\n",
				i, strerror(-ret));
			return 1;
		}
		n = queued(fd, data);
		if (n > (int)max_in_flight)
			max_in_flight = n;
	}
	printf("producer: sent %u items, waited for a credit %u times, at most %u queued\n",
	       count, waits, max_in_flight);
	return max_in_flight <= window ? 0 : 1;
fail:
	fprintf(stderr, "producer: take credit for item %u: %s\n", i,
		strerror(-ret));
	return 1;
}

int main(int argc, char **argv)
{
	unsigned int count = 64, window = 4;
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

	fd = mbox_open(0);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", LIBMBOX_DEVICE, strerror(-fd));
		return 1;
	}
	data = mbox_create(fd, NULL, window, MSG_SIZE, 0, 0);
	credit = data < 0 ? data : mbox_create(fd, NULL, window, 0, 0, 0);
	if (credit < 0) {
		fprintf(stderr, "create: %s\n", strerror(-credit));
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

	left = queued(fd, credit);
	printf("prodcons_credit: %d of %u credits back in their mailbox\n",
	       left, window);
	if (left != (int)window)
		ok = false;

	mbox_destroy(fd, data);
	mbox_destroy(fd, credit);
	if (ok)
		printf("prodcons_credit: %u items in order, at most %u in flight\n",
		       count, window);
	else
		fprintf(stderr, "prodcons_credit: FAILED\n");
	return ok ? 0 : 1;
}
