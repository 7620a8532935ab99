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
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mbox.h>

#define MAX_PROCS	16
#define MAX_ROUNDS	10000

struct shared {
	long counter;
	int inside;		/* processes in the critical section now */
	int max_inside;		/* the most there ever were at once */
	unsigned int acquired;	/* entries used in @owner */
	unsigned char owner[MAX_PROCS * MAX_ROUNDS];	/* who held the lock */
};

static int lock(int fd, int id)
{
	struct mbox_recv r = { .id = id };

	return ioctl(fd, MBOX_IOC_RECV, &r);
}

static int unlock(int fd, int id)
{
	struct mbox_send s = { .id = id };

	return ioctl(fd, MBOX_IOC_SEND, &s);
}

static int worker(struct shared *sh, int fd, int id, unsigned int me,
		  unsigned int rounds)
{
	unsigned int i;
	int now, max;
	long v;

	for (i = 0; i < rounds; i++) {
		if (lock(fd, id) < 0) {
			perror("lock");
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

		if (unlock(fd, id) < 0) {
			perror("unlock");
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
	struct mbox_create create = { .capacity = 1, .max_msg_size = 0 };
	struct mbox_destroy destroy = { 0 };
	struct timespec tick = { 0, 5 * 1000000L };
	unsigned int max_waiting = 0, running;
	struct mbox_stat st;
	struct shared *sh;
	int c, fd, id, status;
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
	fd = open("/dev/mbox", O_RDWR | O_CLOEXEC);
	if (sh == MAP_FAILED || fd < 0) {
		perror("mutex: setup");
		return 1;
	}
	id = ioctl(fd, MBOX_IOC_CREATE, &create);
	if (id < 0 || unlock(fd, id) < 0) {	/* put the token in */
		perror("mutex: create");
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
		st = (struct mbox_stat){ .id = id };
		if (!ioctl(fd, MBOX_IOC_STAT, &st) &&
		    st.blocked_receivers > max_waiting)
			max_waiting = st.blocked_receivers;
		nanosleep(&tick, NULL);
	}

	for (i = 1; i < sh->acquired; i++)
		switches += sh->owner[i] != sh->owner[i - 1];
	st = (struct mbox_stat){ .id = id };
	if (ioctl(fd, MBOX_IOC_STAT, &st) < 0) {
		perror("mutex: stat");
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

	destroy.id = id;
	ioctl(fd, MBOX_IOC_DESTROY, &destroy);
	printf("mutex: %s\n", ok ? "mutual exclusion held" : "FAILED");
	return ok ? 0 : 1;
}
