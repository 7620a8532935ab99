// SPDX-License-Identifier: GPL-2.0
/*
 * epoll_set - one epoll set over 100 mailboxes, used as a mailbox set
 *
 *	epoll_set [-m MESSAGES] [-s SEED]
 *
 * The parent creates 100 mailboxes, opens a file descriptor on each with
 * mbox_open_mailbox() (MBOX_IOC_OPEN) and adds them all to one epoll set.
 * A child sends MESSAGES messages to mailboxes picked at random: half with
 * write() on the mailbox's fd, half with mbox_send() on /dev/mbox.  The
 * parent waits with epoll_wait() and receives with read() from each fd
 * reported ready.
 *
 * Then it destroys one mailbox: epoll must report EPOLLHUP on its fd, and
 * read() on it must fail with EIDRM.
 *
 * Exits 0 only if every message was received exactly once, from the
 * mailbox it was sent to, in the order of its sends to that mailbox; the
 * set was quiet once all were received; and the destroyed mailbox's fd
 * reported EPOLLHUP and EIDRM.
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
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mbox.h>

#define NR_BOXES	100
#define MAX_MESSAGES	100000
#define MAX_EVENTS	32

struct message {
	unsigned int n;		/* 0, 1, 2...: the order of the sends */
	unsigned int box;	/* the index of the mailbox it was sent to */
};

static int ids[NR_BOXES];
static int fds[NR_BOXES];

/* The child: send @count messages to random mailboxes. */
static int send_random(int dev, unsigned int count, unsigned int seed)
{
	struct message m;
	unsigned int n;
	int ret;

	srandom(seed);
	for (n = 0; n < count; n++) {
		m.n = n;
		m.box = random() % NR_BOXES;
		if (n % 2 == 0)
			ret = write(fds[m.box], &m, sizeof(m)) == sizeof(m) ?
			      0 : -errno;
		else
			ret = mbox_send(dev, ids[m.box], &m, sizeof(m), 0);
		if (ret < 0) {
			fprintf(stderr, "child: message %u: %s\n", n,
				strerror(-ret));
			return 1;
		}
	}
	return 0;
}

/* Receive @count messages through the epoll set; check each. */
static bool receive_all(int ep, unsigned int count)
{
	unsigned int received = 0, calls = 0, most = 0, busiest = 0, i;
	static long long last[NR_BOXES];
	struct epoll_event ev[MAX_EVENTS];
	static unsigned int per_box[NR_BOXES];
	static bool seen[MAX_MESSAGES];
	struct message m;
	bool ok = true;
	ssize_t len;
	int nev, k;

	for (i = 0; i < NR_BOXES; i++)
		last[i] = -1;
	while (received < count) {
		nev = epoll_wait(ep, ev, MAX_EVENTS, 5000);
		if (nev <= 0) {
			fprintf(stderr, "epoll_wait: %s after %u messages\n",
				nev ? strerror(errno) : "timed out", received);
			return false;
		}
		calls++;
		if ((unsigned int)nev > most)
			most = nev;
		for (k = 0; k < nev; k++) {
			i = ev[k].data.u32;
			len = read(fds[i], &m, sizeof(m));
			if (len != sizeof(m)) {
				fprintf(stderr, "read mailbox %d: %s\n", ids[i],
					len < 0 ? strerror(errno) : "short");
				return false;
			}
			if (m.box != i || m.n >= count || seen[m.n] ||
			    (long long)m.n <= last[i]) {
				fprintf(stderr, "message %u (for box %u) in box %u: wrong\n",
					m.n, m.box, i);
				ok = false;
				continue;
			}
			seen[m.n] = true;
			last[i] = m.n;
			received++;
			if (++per_box[i] > per_box[busiest])
				busiest = i;
		}
	}
	printf("epoll_set: received %u messages in %u epoll_wait calls\n",
	       received, calls);
	printf("epoll_set: up to %u fds ready at once; mailbox %d got %u messages\n",
	       most, ids[busiest], per_box[busiest]);
	return ok;
}

/* Destroy mailbox @k: its fd must report EPOLLHUP, and read() EIDRM. */
static bool check_hangup(int dev, int ep, unsigned int k)
{
	struct epoll_event ev[MAX_EVENTS];
	struct message m;
	int nev, ret;
	bool ok;

	ret = mbox_destroy(dev, ids[k]);
	if (ret < 0) {
		fprintf(stderr, "destroy: %s\n", strerror(-ret));
		return false;
	}
	nev = epoll_wait(ep, ev, MAX_EVENTS, 1000);
	ok = nev == 1 && ev[0].data.u32 == k && (ev[0].events & EPOLLHUP);
	printf("epoll_set: destroyed mailbox %d: epoll reports %d fd(s), %s%s%s\n",
	       ids[k], nev, nev == 1 && ev[0].data.u32 == k ? "its own, " : "",
	       nev >= 1 && (ev[0].events & EPOLLHUP) ? "EPOLLHUP" : "no EPOLLHUP",
	       nev >= 1 && (ev[0].events & EPOLLERR) ? " | EPOLLERR" : "");
	if (read(fds[k], &m, sizeof(m)) >= 0 || errno != EIDRM)
		ok = false;
	printf("epoll_set: read() on its fd: %s\n", strerror(errno));
	epoll_ctl(ep, EPOLL_CTL_DEL, fds[k], NULL);
	close(fds[k]);
	fds[k] = -1;
	return ok;
}

int main(int argc, char **argv)
{
	unsigned int count = 400, seed = 1, i;
	struct epoll_event ev;
	struct message m;
	int c, dev, ep, status, nev;
	bool ok = true;
	pid_t pid;

	while ((c = getopt(argc, argv, "m:s:")) != -1) {
		switch (c) {
		case 'm':
			count = strtoul(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: epoll_set [-m MESSAGES] [-s SEED]\n");
			return 2;
		}
	}
	if (count > MAX_MESSAGES) {
		fprintf(stderr, "epoll_set: at most %d messages\n", MAX_MESSAGES);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	dev = mbox_open(0);
	if (dev < 0) {
		fprintf(stderr, "epoll_set: %s: %s\n", LIBMBOX_DEVICE,
			strerror(-dev));
		return 1;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		perror("epoll_set: epoll_create1");
		return 1;
	}
	for (i = 0; i < NR_BOXES; i++) {
		ids[i] = mbox_create(dev, NULL, 8, sizeof(struct message), 0, 0);
		fds[i] = ids[i] < 0 ? ids[i] :
			 mbox_open_mailbox(dev, ids[i], MBOX_FD_CLOEXEC);
		if (fds[i] < 0) {
			fprintf(stderr, "epoll_set: create, open: %s\n",
				strerror(-fds[i]));
			return 1;
		}
		ev.events = EPOLLIN;
		ev.data.u32 = i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) < 0) {
			perror("epoll_set: epoll_ctl");
			return 1;
		}
	}
	printf("epoll_set: mailboxes %d..%d, one fd each in one epoll set; %u messages, seed %u\n",
	       ids[0], ids[NR_BOXES - 1], count, seed);

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0)
		exit(send_random(dev, count, seed));

	ok = receive_all(ep, count);
	if (!ok)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ok = false;

	nev = epoll_wait(ep, &ev, 1, 0);
	printf("epoll_set: afterwards %d mailbox(es) ready\n", nev);
	if (nev != 0)
		ok = false;

	/* An empty mailbox's fd with O_NONBLOCK: read() does not wait. */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	if (read(fds[0], &m, sizeof(m)) >= 0 || errno != EAGAIN)
		ok = false;
	printf("epoll_set: read() with O_NONBLOCK on an empty mailbox: %s\n",
	       strerror(errno));

	ok = check_hangup(dev, ep, NR_BOXES / 2) && ok;

	for (i = 0; i < NR_BOXES; i++) {
		if (fds[i] >= 0) {
			mbox_destroy(dev, ids[i]);
			close(fds[i]);
		}
	}
	printf("epoll_set: %s\n",
	       ok ? "every message received exactly once, in order per mailbox"
		  : "FAILED");
	return ok ? 0 : 1;
}
