// SPDX-License-Identifier: GPL-2.0
/*
 * prodcons - a producer and a consumer passing messages through a mailbox
 *
 *	prodcons [-n COUNT] [-c CAPACITY] [-d DELAY_MS] [-k]
 *
 * The parent creates a mailbox, prints "mailbox ID" and forks a consumer.
 * The consumer sleeps DELAY_MS before it starts receiving, so the parent,
 * the producer, fills the mailbox and then blocks in mbox_send() until the
 * consumer makes room.  At the end the parent destroys the mailbox (unless
 * -k) and exits 0 only if every message arrived, in order.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mbox.h>

#define MSG_SIZE	128	/* the mailbox's maximum message size */

static const char usage[] =
	"usage: prodcons [-n COUNT] [-c CAPACITY] [-d DELAY_MS] [-k]\n"
	"  -n COUNT     messages to pass (default 8)\n"
	"  -c CAPACITY  capacity of the mailbox (default 4)\n"
	"  -d DELAY_MS  time the consumer waits before receiving (default 1500)\n"
	"  -k           keep the mailbox at the end instead of destroying it\n";

static int produce(int fd, int id, unsigned int count)
{
	char text[MSG_SIZE];
	unsigned int i;
	int len, ret;

	for (i = 1; i <= count; i++) {
		len = snprintf(text, sizeof(text), "message %u", i);
		ret = mbox_send(fd, id, text, len, MBOX_NONBLOCK);
		if (ret == -EAGAIN) {
			printf("producer: mailbox full, waiting\n");
			ret = mbox_send(fd, id, text, len, 0);
		}
		if (ret < 0)
			goto fail;
		printf("producer: sent #%u \"%s\"\n", i, text);
	}
	return 0;
fail:
	fprintf(stderr, "producer: send #%u: %s\n", i, strerror(-ret));
	return -1;
}

static int consume(int fd, int id, unsigned int count, unsigned int delay_ms)
{
	struct timespec delay = {
		.tv_sec = delay_ms / 1000,
		.tv_nsec = (delay_ms % 1000) * 1000000L,
	};
	char text[MSG_SIZE], expected[MSG_SIZE];
	unsigned int i;
	int len, ret = 0;

	nanosleep(&delay, NULL);
	for (i = 1; i <= count; i++) {
		len = mbox_recv(fd, id, text, sizeof(text), 0);
		if (len < 0) {
			fprintf(stderr, "consumer: receive #%u: %s\n", i, strerror(-len));
			return 1;
		}
		printf("consumer: received #%u \"%.*s\" (%d bytes)\n", i, len, text, len);
		snprintf(expected, sizeof(expected), "message %u", i);
		if (len != (int)strlen(expected) || memcmp(text, expected, len)) {
			fprintf(stderr, "consumer: #%u out of order, expected \"%s\"\n",
				i, expected);
			ret = 1;
		}
	}
	return ret;
}

/*
 * Catching SIGCHLD makes a blocked send fail with EINTR if the consumer dies
 * early.  mbox calls are never restarted, whatever SA_RESTART says; other
 * calls are.
 */
static void on_sigchld(int sig)
{
	(void)sig;
}

static unsigned int parse_number(const char *s, unsigned int min)
{
	unsigned long val;
	char *end;

	errno = 0;
	val = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || val < min || val > INT_MAX) {
		fprintf(stderr, "prodcons: invalid number '%s'\n", s);
		exit(2);
	}
	return val;
}

int main(int argc, char **argv)
{
	unsigned int count = 8, capacity = 4, delay_ms = 1500;
	struct sigaction sa = { .sa_handler = on_sigchld, .sa_flags = SA_RESTART };
	bool keep = false, ok;
	int c, fd, id, ret, status;
	pid_t pid, w;

	while ((c = getopt(argc, argv, "n:c:d:kh")) != -1) {
		switch (c) {
		case 'n':
			count = parse_number(optarg, 1);
			break;
		case 'c':
			capacity = parse_number(optarg, 1);
			break;
		case 'd':
			delay_ms = parse_number(optarg, 0);
			break;
		case 'k':
			keep = true;
			break;
		case 'h':
			printf("%s", usage);
			return 0;
		default:
			fprintf(stderr, "%s", usage);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "prodcons: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}

	fd = mbox_open(0);
	if (fd < 0) {
		fprintf(stderr, "prodcons: %s: %s\n", LIBMBOX_DEVICE, strerror(-fd));
		return 1;
	}
	id = mbox_create(fd, NULL, capacity, MSG_SIZE, 0, 0);
	if (id < 0) {
		fprintf(stderr, "prodcons: create: %s\n", strerror(-id));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);	/* one write per line */
	printf("mailbox %d\n", id);

	sigaction(SIGCHLD, &sa, NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "prodcons: fork: %s\n", strerror(errno));
		ok = false;
		goto out_destroy;
	}
	if (pid == 0)
		exit(consume(fd, id, count, delay_ms));

	ok = produce(fd, id, count) == 0;
	if (!ok)
		kill(pid, SIGTERM);
	w = waitpid(pid, &status, 0);
	if (w < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		ok = false;
	if (w > 0 && WIFSIGNALED(status))
		fprintf(stderr, "prodcons: consumer killed by signal %d\n", WTERMSIG(status));

out_destroy:
	if (!keep) {
		ret = mbox_destroy(fd, id);
		if (ret < 0) {
			fprintf(stderr, "prodcons: destroy: %s\n", strerror(-ret));
			ok = false;
		}
	}
	if (ok)
		printf("prodcons: all %u messages arrived in order\n", count);
	else
		fprintf(stderr, "prodcons: FAILED\n");
	return ok ? 0 : 1;
}
