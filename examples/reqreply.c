// SPDX-License-Identifier: GPL-2.0
/*
 * reqreply - request/reply with a private reply mailbox per client
 *
 *	reqreply [-c CLIENTS] [-r REQUESTS]
 *
 * A server process receives requests from one public mailbox.  Each client
 * process creates a private reply mailbox with MBOX_CREATE_AUTODESTROY, so
 * that it disappears when the client exits, however it exits.  A request
 * carries the client's reply mailbox id and a number; the server answers
 * with the number's square, and with the sender's pid as the message info
 * of MBOX_IOC_RECV reported it.  A client sends each request and waits for
 * its reply in one MBOX_IOC_SENDRECV (mbox_sendrecv_args()).  Many clients
 * share the public mailbox, but each reply goes only to the client that
 * asked.
 *
 * Exits 0 only if every client got the right answer to each of its own
 * requests, the server saw each request come from the right pid, every
 * reply came from the server, and every reply mailbox was gone once its
 * client had exited.
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
#include <unistd.h>

#include <mbox.h>

#define MAX_CLIENTS	16

/* Message types on the public mailbox. */
#define TYPE_REQUEST	1
#define TYPE_STOP	2

struct request {
	unsigned int reply_id;	/* where to send the answer */
	int x;
};

struct reply {
	long long square;		/* x * x */
	int x;		/* the request answered */
	int client_pid;	/* the request's sender, as the server saw it */
};

/* Send a message of type @type: mbox_send_args(), since it has a type. */
static int send_typed(int fd, int id, unsigned int type, const void *buf,
		      size_t len)
{
	struct mbox_send s = {
		.id = id,
		.buf = (uintptr_t)buf,
		.len = len,
		.type = type,
	};

	return mbox_send_args(fd, &s, sizeof(s));
}

/* Serve requests from mailbox @pub until a message of type TYPE_STOP. */
static int serve(int fd, int pub)
{
	struct request req;
	struct reply rep;
	struct mbox_recv r;
	unsigned int served = 0;
	int ret;

	for (;;) {
		/* mbox_recv_args(): for the type and the sender's pid. */
		r = (struct mbox_recv){
			.id = pub,
			.buf = (uintptr_t)&req,
			.len = sizeof(req),
		};
		ret = mbox_recv_args(fd, &r, sizeof(r));
		if (ret < 0) {
			fprintf(stderr, "server: receive: %s\n", strerror(-ret));
			return 1;
		}
		if (r.type == TYPE_STOP)
			break;
		if (r.type != TYPE_REQUEST || r.len != sizeof(req)) {
			fprintf(stderr, "server: bad message, type %u\n", r.type);
			return 1;
		}
		rep.square = (long long)req.x * req.x;
		rep.x = req.x;
		rep.client_pid = r.pid;
		printf("server: request #%llu from pid %d (uid %u): %d^2 -> reply to mailbox %u\n",
		       (unsigned long long)r.seq, r.pid, r.uid, req.x,
		       req.reply_id);
		ret = mbox_send(fd, req.reply_id, &rep, sizeof(rep), 0);
		if (ret < 0)
			fprintf(stderr, "server: reply to mailbox %u: %s\n",
				req.reply_id, strerror(-ret));
		served++;
	}
	printf("server: stop after %u requests\n", served);
	return 0;
}

/*
 * A client: its own file of /dev/mbox (the reply mailbox is tied to it),
 * its own reply mailbox, @requests questions asked one after the other.
 */
static int ask(int pub, unsigned int me, unsigned int requests,
	       pid_t server_pid, unsigned int *reply_id)
{
	struct request req;
	struct reply rep;
	struct mbox_sendrecv sr;
	const struct mbox_recv *r;
	unsigned int i;
	int fd, id, ret, bad = 0;

	fd = mbox_open(0);
	id = fd < 0 ? fd : mbox_create(fd, NULL, 1, sizeof(struct reply),
				       MBOX_CREATE_AUTODESTROY, 0);
	if (id < 0) {
		fprintf(stderr, "client: create reply mailbox: %s\n",
			strerror(-id));
		return 1;
	}
	*reply_id = id;

	for (i = 0; i < requests; i++) {
		req.reply_id = id;
		req.x = me * 100 + i;
		/*
		 * The request and the wait for its reply in one call:
		 * mbox_sendrecv_args(), since the request has a type and the
		 * reply's sender is wanted.
		 */
		sr = (struct mbox_sendrecv){
			.send = {
				.id = pub,
				.buf = (uintptr_t)&req,
				.len = sizeof(req),
				.type = TYPE_REQUEST,
			},
			.recv = {
				.id = id,
				.buf = (uintptr_t)&rep,
				.len = sizeof(rep),
			},
		};
		ret = mbox_sendrecv_args(fd, &sr, sizeof(sr));
		if (ret < 0) {
			fprintf(stderr, "client: request%s: %s\n",
				sr.sent ? " sent, reply" : "", strerror(-ret));
			return 1;
		}
		r = &sr.recv;
		printf("client %u (pid %d): %d^2 = %lld, answered by pid %d\n",
		       me, (int)getpid(), req.x, (long long)rep.square, r->pid);
		if (rep.x != req.x || rep.square != (long long)req.x * req.x ||
		    rep.client_pid != getpid() || r->pid != server_pid) {
			fprintf(stderr,
				"client %u: wrong reply: x %d square %lld for pid %d, from pid %d\n",
				me, rep.x, (long long)rep.square,
				rep.client_pid, r->pid);
			bad = 1;
		}
	}
	return bad;	/* exit closes fd: the reply mailbox goes with it */
}

static bool wait_ok(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv)
{
	unsigned int clients = 4, requests = 3, i, gone = 0;
	pid_t server_pid, pids[MAX_CLIENTS];
	struct mbox_stat st;
	unsigned int *reply_ids;
	int c, fd, pub;
	bool ok = true;

	while ((c = getopt(argc, argv, "c:r:")) != -1) {
		switch (c) {
		case 'c':
			clients = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			requests = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: reqreply [-c CLIENTS] [-r REQUESTS]\n");
			return 2;
		}
	}
	if (clients < 1 || clients > MAX_CLIENTS || requests > 100) {
		fprintf(stderr, "reqreply: 1 <= CLIENTS <= %d, REQUESTS <= 100\n",
			MAX_CLIENTS);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	reply_ids = mmap(NULL, MAX_CLIENTS * sizeof(*reply_ids),
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			 -1, 0);
	if (reply_ids == MAP_FAILED) {
		perror("reqreply: mmap");
		return 1;
	}
	fd = mbox_open(0);
	pub = fd < 0 ? fd : mbox_create(fd, NULL, 4, sizeof(struct request),
					0, 0);
	if (pub < 0) {
		fprintf(stderr, "reqreply: create: %s\n", strerror(-pub));
		return 1;
	}
	printf("reqreply: public mailbox %d; %u clients x %u requests\n", pub,
	       clients, requests);

	server_pid = fork();
	if (server_pid < 0) {
		perror("fork");
		return 1;
	}
	if (server_pid == 0)
		exit(serve(fd, pub));

	for (i = 0; i < clients; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(fd);	/* the client works through its own file */
			exit(ask(pub, i + 1, requests, server_pid,
				 &reply_ids[i]));
		}
	}
	for (i = 0; i < clients; i++) {
		if (pids[i] < 0 || !wait_ok(pids[i]))
			ok = false;
	}

	/* Each client has exited: its reply mailbox must be gone. */
	for (i = 0; i < clients; i++) {
		if (reply_ids[i] &&
		    mbox_stat(fd, reply_ids[i], &st, sizeof(st)) == -ENOENT)
			gone++;
	}
	printf("reqreply: %u of %u reply mailboxes destroyed with their clients\n",
	       gone, clients);
	if (gone != clients)
		ok = false;

	if (send_typed(fd, pub, TYPE_STOP, NULL, 0) < 0 || !wait_ok(server_pid))
		ok = false;
	mbox_destroy(fd, pub);
	printf("reqreply: %s\n", ok ? "every client got its own answers" : "FAILED");
	return ok ? 0 : 1;
}
