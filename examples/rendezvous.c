// SPDX-License-Identifier: GPL-2.0
/*
 * rendezvous - two processes meet at a mailbox of capacity 0
 *
 *	rendezvous [-d DELAY_MS]
 *
 * A mailbox of capacity 0 buffers nothing: a message goes straight from a
 * sender to a receiver, so whichever of the two comes first waits for the
 * other.  Three acts, timed with CLOCK_MONOTONIC:
 *
 * 0. alone: a non-blocking send and receive fail with EAGAIN, and a send
 *    with a 50 ms timeout fails with ETIMEDOUT;
 * 1. the sender comes first: the parent sends, the child arrives DELAY_MS
 *    later and sees the sender waiting (MBOX_IOC_STAT) with no message
 *    queued, then receives.  The send must return only after the receiver
 *    arrived;
 * 2. the receiver comes first: the parent receives, the child arrives
 *    DELAY_MS later, sees the receiver waiting, and sends with
 *    MBOX_NONBLOCK, which succeeds because a receiver is waiting.  The
 *    receive must return only after the sender arrived.
 *
 * Exits 0 only if all of that held.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mbox.h>

static unsigned long long t0;

/* Milliseconds since the program started, for the trace. */
static double ms(unsigned long long t)
{
	return (double)(t - t0) / 1e6;
}

static void sleep_ms(unsigned int n)
{
	struct timespec ts = { n / 1000, (n % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Receive a text into @buf, NUL-terminated; *@r says who sent it and when.
 * The length, or -errno.
 */
static int recv_text(int fd, int id, char *buf, size_t size,
		     unsigned int flags, struct mbox_recv *r)
{
	int len;

	*r = (struct mbox_recv){
		.id = id,
		.flags = flags,
		.buf = (uintptr_t)buf,
		.len = size - 1,
	};
	len = mbox_recv_args(fd, r, sizeof(*r));
	if (len >= 0)
		buf[len] = '\0';
	return len;
}

/* Print the mailbox's waiters; true if they are as expected, none queued. */
static bool waiting(int fd, int id, unsigned int senders,
		    unsigned int receivers)
{
	struct mbox_stat st;
	int ret = mbox_stat(fd, id, &st, sizeof(st));

	if (ret < 0) {
		fprintf(stderr, "stat: %s\n", strerror(-ret));
		return false;
	}
	printf("  +%7.1f ms  stat: %u blocked sender(s), %u blocked receiver(s), %u queued\n",
	       ms(mbox_now_ns()), st.blocked_senders, st.blocked_receivers, st.msgs);
	return st.blocked_senders == senders &&
	       st.blocked_receivers == receivers && st.msgs == 0;
}

static bool child_ok(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* Act 1: the parent sends first; the child receives DELAY_MS later. */
static bool sender_first(int fd, int id, unsigned int delay,
			 unsigned long long *arrived)
{
	unsigned long long start, end;
	struct mbox_recv r;
	char buf[64];
	pid_t pid;
	int ret;
	bool ok;

	printf("act 1: the sender comes first\n");
	pid = fork();
	if (pid == 0) {
		sleep_ms(delay);
		ok = waiting(fd, id, 1, 0);
		*arrived = mbox_now_ns();
		printf("  +%7.1f ms  child: receive\n", ms(*arrived));
		ret = recv_text(fd, id, buf, sizeof(buf), 0, &r);
		if (ret < 0) {
			fprintf(stderr, "child: receive: %s\n", strerror(-ret));
			exit(1);
		}
		printf("  +%7.1f ms  child: got \"%s\" from pid %d, sent at +%.1f ms\n",
		       ms(mbox_now_ns()), buf, r.pid, ms(r.send_ns));
		exit(ok ? 0 : 1);
	}
	start = mbox_now_ns();
	printf("  +%7.1f ms  parent: send \"ping\"\n", ms(start));
	ret = pid < 0 ? -errno : mbox_send(fd, id, "ping", 4, 0);
	if (ret < 0) {
		fprintf(stderr, "parent: send: %s\n", strerror(-ret));
		return false;
	}
	end = mbox_now_ns();
	ok = end >= *arrived && *arrived;
	printf("  +%7.1f ms  parent: send returned after %.1f ms: %s\n",
	       ms(end), (end - start) / 1e6,
	       ok ? "after the receiver came" : "BEFORE THE RECEIVER CAME");
	return child_ok(pid) && ok;
}

/* Act 2: the parent receives first; the child sends DELAY_MS later. */
static bool receiver_first(int fd, int id, unsigned int delay,
			   unsigned long long *arrived)
{
	unsigned long long start, end;
	struct mbox_recv r;
	char buf[64];
	pid_t pid;
	int ret;
	bool ok;

	printf("act 2: the receiver comes first\n");
	pid = fork();
	if (pid == 0) {
		sleep_ms(delay);
		ok = waiting(fd, id, 0, 1);
		*arrived = mbox_now_ns();
		printf("  +%7.1f ms  child: send \"pong\" with MBOX_NONBLOCK\n",
		       ms(*arrived));
		ret = mbox_send(fd, id, "pong", 4, MBOX_NONBLOCK);
		if (ret < 0) {
			fprintf(stderr, "child: send: %s\n", strerror(-ret));
			exit(1);
		}
		exit(ok ? 0 : 1);
	}
	start = mbox_now_ns();
	printf("  +%7.1f ms  parent: receive\n", ms(start));
	ret = pid < 0 ? -errno : recv_text(fd, id, buf, sizeof(buf), 0, &r);
	if (ret < 0) {
		fprintf(stderr, "parent: receive: %s\n", strerror(-ret));
		return false;
	}
	end = mbox_now_ns();
	ok = end >= *arrived && *arrived && !strcmp(buf, "pong");
	printf("  +%7.1f ms  parent: got \"%s\" after %.1f ms: %s\n",
	       ms(end), buf, (end - start) / 1e6,
	       ok ? "after the sender came" : "BEFORE THE SENDER CAME");
	return child_ok(pid) && ok;
}

/* Act 0: nobody on the other side. */
static bool alone(int fd, int id)
{
	unsigned long long start;
	bool ok = true;
	char buf[64];
	int ret;

	printf("act 0: nobody on the other side\n");
	ret = mbox_send(fd, id, "x", 1, MBOX_NONBLOCK);
	if (ret != -EAGAIN)
		ok = false;
	printf("  non-blocking send: %s\n", strerror(-ret));
	ret = mbox_recv(fd, id, buf, sizeof(buf), MBOX_NONBLOCK);
	if (ret != -EAGAIN)
		ok = false;
	printf("  non-blocking receive: %s\n", strerror(-ret));
	start = mbox_now_ns();
	ret = mbox_send_timeout(fd, id, "x", 1, MBOX_TIMEOUT, 50 * 1000000ULL);
	if (ret != -ETIMEDOUT)
		ok = false;
	printf("  send with a 50 ms timeout: %s after %.1f ms\n",
	       strerror(-ret), (mbox_now_ns() - start) / 1e6);
	return ok;
}

int main(int argc, char **argv)
{
	unsigned int delay = 200;
	unsigned long long *arrived;
	int c, fd, id;
	bool ok;

	while ((c = getopt(argc, argv, "d:")) != -1) {
		if (c != 'd') {
			fprintf(stderr, "usage: rendezvous [-d DELAY_MS]\n");
			return 2;
		}
		delay = strtoul(optarg, NULL, 10);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	t0 = mbox_now_ns();

	arrived = mmap(NULL, sizeof(*arrived), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (arrived == MAP_FAILED) {
		perror("rendezvous: mmap");
		return 1;
	}
	fd = mbox_open(0);
	id = fd < 0 ? fd : mbox_create(fd, NULL, 0, 64, 0, 0);
	if (id < 0) {
		fprintf(stderr, "rendezvous: create (capacity 0): %s\n",
			strerror(-id));
		return 1;
	}
	printf("rendezvous: mailbox %d, capacity 0\n", id);

	ok = alone(fd, id);
	*arrived = 0;
	ok = sender_first(fd, id, delay, arrived) && ok;
	*arrived = 0;
	ok = receiver_first(fd, id, delay, arrived) && ok;

	mbox_destroy(fd, id);
	printf("rendezvous: %s\n",
	       ok ? "each side waited for the other" : "FAILED");
	return ok ? 0 : 1;
}
