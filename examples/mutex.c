// SPDX-License-Identifier: GPL-2.0
/*
 * mutex - a mailbox holding one token, used as a lock
 *
 *	mutex [-p PROCS] [-k ROUNDS]
 *
 * A mailbox of capacity 1 and maximum message size 0 starts with one empty
 * message in it, the token.  Receiving the token takes the lock (it waits
 * while another process holds it); sending it back releases the lock.
 *
 * PROCS processes each increment a counter in shared memory ROUNDS times,
 * under the lock, with a deliberately racy read, yield, write.  Each also
 * counts the processes inside the critical section at the same moment.
 * Exits 0 only if the final counter is PROCS * ROUNDS, at most one process
 * was ever inside, and the token is back in its mailbox at the end.
 *
 * Waiting receivers are served in the order they began to wait, so the
 * lock is also fair: the trace shows how often it changed hands.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mbox.h>

#define MAX_PROCS	16
#define MAX_ROUNDS	10000

struct shared {
	long counter;
	int inside;		/* processes in the critical section now */
	int max_inside;		/* the most there ever were at once */
	unsigned int acquired;	/* entries used in @owner */
	unsigned char owner[MAX_PROCS * MAX_ROUNDS];	/* who held the lock */
};

/* Take the token (an empty message); wait while another process has it. */
static int lock(int fd, int id)
{
	return mbox_recv(fd, id, NULL, 0, 0);
}

/* Give the token back. */
static int unlock(int fd, int id)
{
	return mbox_send(fd, id, NULL, 0, 0);
}

static int worker(struct shared *sh, int fd, int id, unsigned int me,
		  unsigned int rounds)
{
	unsigned int i;
	int now, max, ret;
	long v;

	for (i = 0; i < rounds; i++) {
		ret = lock(fd, id);
		if (ret < 0) {
			fprintf(stderr, "lock: %s\n", strerror(-ret));
			return 1;
		}

		now = __atomic_add_fetch(&sh->inside, 1, __ATOMIC_SEQ_CST);
		max = __atomic_load_n(&sh->max_inside, __ATOMIC_SEQ_CST);
		while (now > max &&
		       !__atomic_compare_exchange_n(&sh->max_inside, &max, now,
						    false, __ATOMIC_SEQ_CST,
						    __ATOMIC_SEQ_CST))
			;
		if (sh->acquired < sizeof(sh->owner))
			sh->owner[sh->acquired++] = me;
		v = sh->counter;
		if (i % 4 == 0)
			sched_yield();	/* invite a race, should the lock fail */
		sh->counter = v + 1;
		__atomic_sub_fetch(&sh->inside, 1, __ATOMIC_SEQ_CST);

		ret = unlock(fd, id);
		if (ret < 0) {
			fprintf(stderr, "unlock: %s\n", strerror(-ret));
			return 1;
		}
	}
	printf("proc %u (pid %d): %u increments done\n", me, (int)getpid(),
	       rounds);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int procs = 4, rounds = 250, i, started = 0, switches = 0;
	struct timespec tick = { 0, 5 * 1000000L };
	unsigned int max_waiting = 0, running;
	struct mbox_stat st;
	struct shared *sh;
	int c, fd, id, ret, status;
	bool ok = true;
	pid_t pid;

	while ((c = getopt(argc, argv, "p:k:")) != -1) {
		switch (c) {
		case 'p':
			procs = strtoul(optarg, NULL, 10);
			break;
		case 'k':
			rounds = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: mutex [-p PROCS] [-k ROUNDS]\n");
			return 2;
		}
	}
	if (procs < 1 || procs > MAX_PROCS || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "mutex: 1 <= PROCS <= %d, 1 <= ROUNDS <= %d\n",
			MAX_PROCS, MAX_ROUNDS);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mutex: mmap");
		return 1;
	}
	fd = mbox_open(0);
	/* Capacity 1, messages of 0 bytes: the mailbox holds one token. */
	id = fd < 0 ? fd : mbox_create(fd, NULL, 1, 0, 0, 0);
	ret = id < 0 ? id : unlock(fd, id);	/* put the token in */
	if (ret < 0) {
		fprintf(stderr, "mutex: setup: %s\n", strerror(-ret));
		return 1;
	}
	printf("mutex: mailbox %d (capacity 1) holds the token; %u procs x %u rounds\n",
	       id, procs, rounds);

	for (i = 0; i < procs; i++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			ok = false;
			break;
		}
		if (pid == 0)
			exit(worker(sh, fd, id, i, rounds));
		started++;
	}

	/* Watch the lock from outside while the workers run. */
	running = started;
	while (running) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			running--;
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				ok = false;
			continue;
		}
		if (pid < 0)
			break;
		if (!mbox_stat(fd, id, &st, sizeof(st)) &&
		    st.blocked_receivers > max_waiting)
			max_waiting = st.blocked_receivers;
		nanosleep(&tick, NULL);
	}

	for (i = 1; i < sh->acquired; i++)
		switches += sh->owner[i] != sh->owner[i - 1];
	ret = mbox_stat(fd, id, &st, sizeof(st));
	if (ret < 0) {
		fprintf(stderr, "mutex: stat: %s\n", strerror(-ret));
		ok = false;
	}
	printf("mutex: counter %ld, expected %u\n", sh->counter, procs * rounds);
	printf("mutex: at most %d process(es) inside at once\n", sh->max_inside);
	printf("mutex: the lock changed hands %u times in %u acquisitions; up to %u waiting\n",
	       switches, sh->acquired, max_waiting);
	printf("mutex: token %s (%u msgs queued, %llu sends, %llu receives)\n",
	       st.msgs == 1 ? "back home" : "LOST", st.msgs,
	       (unsigned long long)st.sent_msgs,
	       (unsigned long long)st.recv_msgs);
	if (started != procs || sh->counter != (long)(procs * rounds) ||
	    sh->max_inside != 1 || st.msgs != 1)
		ok = false;

	mbox_destroy(fd, id);
	printf("mutex: %s\n", ok ? "mutual exclusion held" : "FAILED");
	return ok ? 0 : 1;
}
