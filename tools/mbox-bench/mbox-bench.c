// SPDX-License-Identifier: GPL-2.0
/*
 * mbox-bench - mbox against SysV msg, POSIX mqueue, a framed pipe and
 * AF_UNIX SOCK_SEQPACKET, with floors, all in one boot.
 *
 * Run as root in the VM (make bench).  Every cell runs for a fixed time
 * (MBOX_BENCH_MS, default 400 ms, after a warm-up of a fifth of that), the
 * mechanisms of a cell run one after the other in a rotating order, and
 * every cell is repeated MBOX_BENCH_REPS times (default 5); the figures
 * reported are medians.  Output, on stdout:
 *
 *   csv,<workload>,<mechanism>,<size>,<n>,<metric>,<median>,<min>,<max>
 *
 * for every cell, then a ratio table (lines starting with "table,").
 * Absolute figures under TCG mean little; the ratios are what count.
 *
 * Workloads: single (a: one thread sends then receives, ns per message),
 * pingpong (b: round trip between two processes, p50 and p99), stream
 * (c: one producer, one consumer, messages per second), shared and pairs
 * (d: N producers and N consumers on one channel, or N pairs on N
 * channels), every size for single and stream (e), and scale (f: mbox
 * and SysV with 1 against 10,000 channels existing, and 1 against 10,000
 * messages queued).  The receive ring (MBOX_FEATURE_RING) is the mechanism
 * mbox-ring in all of them but shared (it has one consumer): a producer
 * sends with MBOX_IOC_SEND, the consumer takes records with <mbox_ring.h>
 * and calls MBOX_IOC_RING_WAIT only when the ring is empty; the rows of
 * its own table add the consumer's system calls per message.  The stream
 * also runs mbox-ring-b16, whose producer sends 16 messages per
 * MBOX_IOC_SEND_BATCH (a separate, batched row: mbox-ring stays one
 * MBOX_IOC_SEND per message).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <mbox.h>
#include <mbox_ring.h>

#define CAPACITY	64		/* messages every channel buffers */
#define HEADROOM	16		/* bytes before a buffer for headers */
#define MAX_SIZE	65536
#define MAX_PROCS	16
#define SCALE_N		10000

static const size_t sizes[] = { 0, 16, 64, 256, 1024, 4096, 16384, 65536 };
#define NR_SIZES	(sizeof(sizes) / sizeof(sizes[0]))

static long cell_ms = 400;
static int reps = 5;
static int mbox_dev = -1;
static uint64_t mbox_features_mask;	/* MBOX_FEATURE_* of the module */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Run on CPU @cpu only, or on every CPU if @cpu < 0. */
static void pin(int cpu)
{
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	for (i = 0; i < CPU_SETSIZE; i++)
		if (cpu < 0 ? i < sysconf(_SC_NPROCESSORS_ONLN) : i == cpu)
			CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void die(const char *what)
{
	fprintf(stderr, "mbox-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A channel: one message queue of some mechanism. */
struct chan {
	int fd[2];		/* pipe, socketpair, bound mbox fd */
	int id;			/* mbox id, SysV id */
	mqd_t mq;
	size_t size;
	struct mbox_ring ring;	/* mbox-ring: fd[1] is the consumer */
};

struct mech {
	const char *name;
	int (*open)(struct chan *c, size_t size, unsigned int cap);
	void (*close)(struct chan *c);
	/* @buf has HEADROOM writable bytes before it */
	int (*send)(struct chan *c, char *buf, size_t len);
	long (*recv)(struct chan *c, char *buf, size_t cap);
	int multi_reader;	/* N consumers on one channel keep framing */
	uint64_t feature;	/* MBOX_FEATURE_* it needs, or 0 */
};

/*
 * libmbox returns -errno; the mechanisms here return -1 with errno set, as
 * the other IPCs' calls do, so that die() can say why.
 */
static long lib_ret(long ret)
{
	if (ret >= 0)
		return ret;
	errno = -ret;
	return -1;
}

/* mbox, through libmbox on /dev/mbox */
static int mboxdev_open(struct chan *c, size_t size, unsigned int cap)
{
	c->id = lib_ret(mbox_create(mbox_dev, NULL, cap, size, 0, 0));
	c->fd[0] = -1;
	return c->id < 0 ? -1 : 0;
}

static void mboxdev_close(struct chan *c)
{
	if (c->fd[0] >= 0)
		close(c->fd[0]);
	if (lib_ret(mbox_destroy(mbox_dev, c->id)))
		die("mbox_destroy");
}

static int mboxdev_send(struct chan *c, char *buf, size_t len)
{
	return lib_ret(mbox_send(mbox_dev, c->id, buf, len, 0));
}

static long mboxdev_recv(struct chan *c, char *buf, size_t cap)
{
	return lib_ret(mbox_recv(mbox_dev, c->id, buf, cap, 0));
}

/* mbox, through read() and write() on a file bound by MBOX_IOC_OPEN */
static int mboxfd_open(struct chan *c, size_t size, unsigned int cap)
{
	if (mboxdev_open(c, size, cap))
		return -1;
	c->fd[0] = lib_ret(mbox_open_mailbox(mbox_dev, c->id, MBOX_FD_CLOEXEC));
	return c->fd[0] < 0 ? -1 : 0;
}

static int mboxfd_send(struct chan *c, char *buf, size_t len)
{
	return write(c->fd[0], buf, len) == (ssize_t)len ? 0 : -1;
}

static long mboxfd_recv(struct chan *c, char *buf, size_t cap)
{
	return read(c->fd[0], buf, cap);
}

/*
 * mbox, through mbox_send() and mbox_recv() (MBOX_IOC_SEND and _RECV) on a
 * file bound by MBOX_IOC_OPEN (MBOX_FEATURE_FD_IOCTL), id 0: no id lookup
 */
static int mbox_bound_send(struct chan *c, char *buf, size_t len)
{
	return lib_ret(mbox_send(c->fd[0], 0, buf, len, 0));
}

static long mbox_bound_recv(struct chan *c, char *buf, size_t cap)
{
	return lib_ret(mbox_recv(c->fd[0], 0, buf, cap, 0));
}

/* SysV: the type lives in the headroom, so no extra copy */
static int sysv_open(struct chan *c, size_t size, unsigned int cap)
{
	struct msqid_ds ds;

	c->id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (c->id < 0)
		return -1;
	/* Room for @cap messages of @size bytes (and @cap 0-byte ones). */
	if (msgctl(c->id, IPC_STAT, &ds))
		return -1;
	ds.msg_qbytes = (size ? size : 1) * (cap ? cap : 1);
	return msgctl(c->id, IPC_SET, &ds);
}

static void sysv_close(struct chan *c)
{
	if (msgctl(c->id, IPC_RMID, NULL))
		die("IPC_RMID");
}

static int sysv_send(struct chan *c, char *buf, size_t len)
{
	long *type = (long *)(buf - sizeof(long));

	*type = 1;
	return msgsnd(c->id, type, len, 0);
}

static long sysv_recv(struct chan *c, char *buf, size_t cap)
{
	return msgrcv(c->id, buf - sizeof(long), cap, 0, 0);
}

/* POSIX mqueue */
static int mq_open_chan(struct chan *c, size_t size, unsigned int cap)
{
	static unsigned int seq;
	struct mq_attr attr = {
		.mq_maxmsg = cap ? cap : 1,
		.mq_msgsize = size ? size : 1,
	};
	char name[64];

	snprintf(name, sizeof(name), "/mbox-bench-%d-%u", getpid(), seq++);
	c->mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (c->mq == (mqd_t)-1)
		return -1;
	c->size = attr.mq_msgsize;
	return mq_unlink(name);
}

static void mq_close_chan(struct chan *c)
{
	mq_close(c->mq);
}

static int mq_send_chan(struct chan *c, char *buf, size_t len)
{
	return mq_send(c->mq, buf, len, 0);
}

static long mq_recv_chan(struct chan *c, char *buf, size_t cap)
{
	(void)cap;
	/* mq_receive wants a buffer of at least the queue's message size. */
	return mq_receive(c->mq, buf, c->size, NULL);
}

/* A pipe with a 4-byte length before each message, written in one write */
static int pipe_open(struct chan *c, size_t size, unsigned int cap)
{
	if (pipe2(c->fd, O_CLOEXEC))
		return -1;
	fcntl(c->fd[1], F_SETPIPE_SZ, (int)((size + 4) * (cap ? cap : 1)));
	return 0;
}

static void fd2_close(struct chan *c)
{
	close(c->fd[0]);
	close(c->fd[1]);
}

static int pipe_send(struct chan *c, char *buf, size_t len)
{
	uint32_t n = len;

	memcpy(buf - 4, &n, 4);
	return write(c->fd[1], buf - 4, len + 4) == (ssize_t)len + 4 ? 0 : -1;
}

static int read_all(int fd, char *buf, size_t len)
{
	while (len) {
		ssize_t n = read(fd, buf, len);

		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

static long pipe_recv(struct chan *c, char *buf, size_t cap)
{
	uint32_t n;

	if (read_all(c->fd[0], (char *)&n, 4) || n > cap ||
	    read_all(c->fd[0], buf, n))
		return -1;
	return n;
}

/* AF_UNIX SOCK_SEQPACKET: fd[1] sends, fd[0] receives */
static int seqpacket_open(struct chan *c, size_t size, unsigned int cap)
{
	int sz = (int)((size + 1024) * (cap ? cap : 1));

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c->fd))
		return -1;
	/* The send buffer bounds what is in flight; root may force it. */
	setsockopt(c->fd[1], SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	setsockopt(c->fd[0], SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	return 0;
}

static int seqpacket_send(struct chan *c, char *buf, size_t len)
{
	return send(c->fd[1], buf, len, 0) == (ssize_t)len ? 0 : -1;
}

static long seqpacket_recv(struct chan *c, char *buf, size_t cap)
{
	return recv(c->fd[0], buf, cap, 0);
}

/*
 * mbox's receive ring: fd[0], a file bound to the mailbox, sends
 * (MBOX_IOC_SEND, id 0); fd[1] is the ring's consumer.  The ring holds
 * CAPACITY records of @size bytes and at least ring_min_bytes (rounded up
 * to a power of two), and the mailbox queues CAPACITY more once it is
 * full.  The consumer reads each
 * message in place and copies nothing out: that is the ring's point.  It
 * asks the kernel to refill the ring as soon as REFILL is set and half the
 * ring is free, and sleeps in RING_WAIT only when the ring is empty.
 */
static uint64_t ring_waits;	/* this process's RING_WAIT calls */
static uint64_t ring_sleeps;	/* of which blocking ones (ring empty) */
static uint64_t ring_refilled;	/* records a RING_WAIT's refill brought in */
static long ring_spin;		/* MBOX_BENCH_RING_SPIN: looks before those */
/*
 * MBOX_BENCH_RING_BYTES: a ring is at least this big (default 4 MiB),
 * besides holding CAPACITY messages.  Its consumer can then fall behind
 * for as long as the host keeps its vCPU away (milliseconds, under load)
 * before sends spill into the mailbox's queue.  The stream rows also run
 * a ring of CAPACITY messages only (mbox-ring-small), as much buffering
 * as the other mechanisms get.
 */
#define RING_MIN_BYTES	(4U << 20)
static uint64_t ring_min_bytes = RING_MIN_BYTES;
static volatile unsigned char ring_sink;

static int ring_open(struct chan *c, size_t size, unsigned int cap)
{
	uint64_t want = MBOX_RING_REC_SIZE(size) * (cap ? cap : 1);
	uint32_t bytes = MBOX_RING_SIZE_MIN;
	long ret;

	if (want < ring_min_bytes)
		want = ring_min_bytes;
	while (bytes < want && bytes < MBOX_RING_SIZE_MAX)
		bytes *= 2;
	while (bytes < (uint32_t)sysconf(_SC_PAGESIZE))
		bytes *= 2;
	if (mboxdev_open(c, size, cap))
		return -1;
	c->fd[0] = lib_ret(mbox_open_mailbox(mbox_dev, c->id, MBOX_FD_CLOEXEC));
	if (c->fd[0] < 0)
		return -1;
	c->fd[1] = lib_ret(mbox_open_mailbox(mbox_dev, c->id, MBOX_FD_CLOEXEC));
	if (c->fd[1] < 0)
		return -1;
	ret = lib_ret(mbox_ring_attach(&c->ring, c->fd[1], bytes));
	return ret < 0 ? -1 : 0;
}

static void ring_close(struct chan *c)
{
	mbox_ring_detach(&c->ring);
	close(c->fd[1]);
	mboxdev_close(c);
}

/*
 * RING_WAIT, counted.  When REFILL is set, every send queues (nothing
 * waits outside the ring only while it is clear), so the records the call
 * adds came through the mailbox's queue: two copies and an allocation
 * each instead of one copy.  Count them (messages of c->size bytes).
 */
static int ring_wait_counted(struct chan *c, uint32_t flags)
{
	struct mbox_ring *r = &c->ring;
	int refill = mbox_ring_refill_wanted(r);
	uint64_t p0 = __atomic_load_n(&r->prod->pos, __ATOMIC_ACQUIRE);
	int ret = mbox_ring_wait(r, flags, 0);

	ring_waits++;
	if (refill)
		ring_refilled += (__atomic_load_n(&r->prod->pos, __ATOMIC_ACQUIRE) -
				  p0) / MBOX_RING_REC_SIZE(c->size);
	return ret;
}

/* MBOX_BENCH_RING_WRITE=1: the producer sends with write(), not the ioctl. */
static int ring_write;

static int ring_send(struct chan *c, char *buf, size_t len)
{
	if (ring_write)
		return write(c->fd[0], buf, len) == (ssize_t)len ? 0 : -1;
	return lib_ret(mbox_send(c->fd[0], 0, buf, len, 0));
}

static long ring_recv(struct chan *c, char *buf, size_t cap)
{
	const struct mbox_ring_rec *rec;
	struct mbox_ring *r = &c->ring;
	uint32_t len;
	int ret;

	(void)buf;
	(void)cap;
	while (!(rec = mbox_ring_next(r))) {
		long spin;

		for (spin = 0; spin < ring_spin && mbox_ring_empty(r); spin++)
			__asm__ volatile("" ::: "memory");
		if (!mbox_ring_empty(r))
			continue;
		ret = ring_wait_counted(c, 0);
		ring_sleeps++;
		if (ret < 0 && ret != -EINTR)
			return lib_ret(ret);
	}
	len = mbox_ring_len(rec);
	if (len)	/* read the message where it is */
		ring_sink ^= ((const unsigned char *)mbox_ring_data(rec))[len - 1];
	mbox_ring_release(r, rec);
	/* Senders wait outside: let them in while the ring is half empty. */
	if (mbox_ring_refill_wanted(r) &&
	    __atomic_load_n(&r->prod->pos, __ATOMIC_ACQUIRE) - r->released <= r->size / 2)
		ring_wait_counted(c, MBOX_NONBLOCK);
	return len;
}

/*
 * mbox-ring-b16: the same ring, its producer sending RING_BATCH messages
 * per MBOX_IOC_SEND_BATCH (each element the same buffer).  Only the first
 * message of a batch may wait, so a call that stops early (the ring and
 * the queue full) is repeated for the rest.  A stream row only: its send
 * is RING_BATCH messages, which the one-thread workloads cannot take.
 */
#define RING_BATCH	16

static int ring_send_batch(struct chan *c, char *buf, size_t len)
{
	struct mbox_batch_msg v[RING_BATCH];
	unsigned int k, sent = 0;
	int n;

	for (k = 0; k < RING_BATCH; k++)
		v[k] = (struct mbox_batch_msg){ .buf = (uintptr_t)buf,
						.len = len };
	while (sent < RING_BATCH) {
		n = mbox_send_batch(c->fd[0], 0, v + sent, RING_BATCH - sent,
				    0, 0, NULL);
		if (n <= 0)
			return lib_ret(n ? n : -EIO);
		sent += n;
	}
	return 0;
}

static const struct mech ring_batch_mech = {
	"mbox-ring-b16", ring_open, ring_close, ring_send_batch, ring_recv, 0,
	MBOX_FEATURE_RING | MBOX_FEATURE_BATCH
};

static const struct mech mechs[] = {
	{ "mbox", mboxdev_open, mboxdev_close, mboxdev_send, mboxdev_recv, 1, 0 },
	{ "mbox-fd", mboxfd_open, mboxdev_close, mboxfd_send, mboxfd_recv, 1, 0 },
	{ "mbox-bound", mboxfd_open, mboxdev_close, mbox_bound_send,
	  mbox_bound_recv, 1, 0 },
	{ "sysv", sysv_open, sysv_close, sysv_send, sysv_recv, 1, 0 },
	{ "posix-mq", mq_open_chan, mq_close_chan, mq_send_chan, mq_recv_chan,
	  1, 0 },
	{ "pipe", pipe_open, fd2_close, pipe_send, pipe_recv, 0, 0 },
	{ "seqpacket", seqpacket_open, fd2_close, seqpacket_send,
	  seqpacket_recv, 1, 0 },
	{ "mbox-ring", ring_open, ring_close, ring_send, ring_recv, 0,
	  MBOX_FEATURE_RING },
};
#define NR_MECHS	(sizeof(mechs) / sizeof(mechs[0]))

/* Does the module have what @m needs? */
static int mech_ok(const struct mech *m)
{
	return (mbox_features_mask & m->feature) == m->feature;
}

static const struct mech *mech_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_MECHS; i++)
		if (!strcmp(mechs[i].name, name))
			return &mechs[i];
	fprintf(stderr, "mbox-bench: no mechanism %s\n", name);
	exit(2);
}

/* Results: every repetition of every cell, reduced to medians at the end. */
struct cell {
	char workload[16];
	char mech[16];
	size_t size;
	int n;
	char metric[16];
	double v[16];
	int nv;
};

static struct cell *cells;
static int nr_cells, max_cells;

static void record(const char *workload, const char *mech, size_t size, int n,
		   const char *metric, double v)
{
	struct cell *c;
	int i;

	for (i = 0; i < nr_cells; i++) {
		c = &cells[i];
		if (!strcmp(c->workload, workload) && !strcmp(c->mech, mech) &&
		    c->size == size && c->n == n && !strcmp(c->metric, metric))
			goto found;
	}
	if (nr_cells == max_cells) {
		max_cells = max_cells ? 2 * max_cells : 256;
		cells = realloc(cells, max_cells * sizeof(*cells));
		if (!cells)
			die("realloc");
	}
	c = &cells[nr_cells++];
	memset(c, 0, sizeof(*c));
	snprintf(c->workload, sizeof(c->workload), "%s", workload);
	snprintf(c->mech, sizeof(c->mech), "%s", mech);
	snprintf(c->metric, sizeof(c->metric), "%s", metric);
	c->size = size;
	c->n = n;
found:
	if (c->nv < 16)
		c->v[c->nv++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_of(struct cell *c)
{
	qsort(c->v, c->nv, sizeof(double), cmp_double);
	if (!c->nv)
		return 0;
	return c->nv % 2 ? c->v[c->nv / 2] :
	       (c->v[c->nv / 2 - 1] + c->v[c->nv / 2]) / 2;
}

static double lookup(const char *workload, const char *mech, size_t size,
		     int n, const char *metric)
{
	int i;

	for (i = 0; i < nr_cells; i++) {
		struct cell *c = &cells[i];

		if (!strcmp(c->workload, workload) && !strcmp(c->mech, mech) &&
		    c->size == size && c->n == n && !strcmp(c->metric, metric))
			return median_of(c);
	}
	return 0;
}

static char *alloc_buf(size_t size)
{
	char *p = aligned_alloc(64, size + HEADROOM + 64);

	if (!p)
		die("aligned_alloc");
	memset(p, 0x5a, size + HEADROOM + 64);
	return p + HEADROOM;
}

/* Shared between the processes of a cell: one counter per process. */
struct shared {
	volatile uint64_t count[MAX_PROCS][8];	/* a cache line each */
	volatile int go;
};

static struct shared *shm;

static void kill_all(pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
}

/* (a) one thread: send then receive, no wake-up.  Returns ns per message. */
static double single_cost(const struct mech *m, struct chan *c, size_t size)
{
	char *sbuf = alloc_buf(size), *rbuf = alloc_buf(MAX_SIZE);
	uint64_t t0, t, end, iters = 0;
	int i;

	end = now_ns() + cell_ms * 200000ull;	/* warm-up: a fifth */
	while (now_ns() < end) {
		if (m->send(c, sbuf, size) || m->recv(c, rbuf, MAX_SIZE) < 0)
			die(m->name);
	}
	t0 = now_ns();
	end = t0 + cell_ms * 1000000ull;
	do {
		for (i = 0; i < 16; i++) {
			if (m->send(c, sbuf, size) ||
			    m->recv(c, rbuf, MAX_SIZE) < 0)
				die(m->name);
		}
		iters += 16;
		t = now_ns();
	} while (t < end);
	free(sbuf - HEADROOM);
	free(rbuf - HEADROOM);
	return (double)(t - t0) / iters;
}

#define NOOP_CMD	_IO(MBOX_IOC_MAGIC, 0xff)	/* unknown: ENOTTY */

/* The floor of (a): 2 no-op ioctls and 2 memcpy of @size per message. */
static double run_floor(size_t size, int ioctls, int copies)
{
	char *a = alloc_buf(size), *b = alloc_buf(size);
	uint64_t t0, t, end, iters = 0;
	int i, k;

	t0 = now_ns();
	end = t0 + cell_ms * 1000000ull;
	do {
		for (i = 0; i < 16; i++) {
			for (k = 0; k < ioctls; k++)
				ioctl(mbox_dev, NOOP_CMD, 0);
			for (k = 0; k < copies; k++) {
				memcpy(k ? a : b, k ? b : a, size);
				__asm__ volatile("" ::: "memory");
			}
		}
		iters += 16;
		t = now_ns();
	} while (t < end);
	free(a - HEADROOM);
	free(b - HEADROOM);
	return (double)(t - t0) / iters;
}

/* (b) round trips between two processes; p50 and p99 in ns. */
static void run_pingpong(const struct mech *m, size_t size, int cross,
			 double *p50, double *p99)
{
	struct chan ab = { .size = size }, ba = { .size = size };
	char *buf = alloc_buf(MAX_SIZE);
	static double rtt[200000];
	uint64_t end, t;
	int n = 0;
	pid_t pid;

	if (m->open(&ab, size, CAPACITY) || m->open(&ba, size, CAPACITY))
		die(m->name);
	pin(0);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		pin(cross);
		for (;;) {
			if (m->recv(&ab, buf, MAX_SIZE) < 0 ||
			    m->send(&ba, buf, size))
				_exit(1);
		}
	}
	end = now_ns() + cell_ms * 200000ull;
	while (now_ns() < end) {
		if (m->send(&ab, buf, size) || m->recv(&ba, buf, MAX_SIZE) < 0)
			die(m->name);
	}
	end = now_ns() + cell_ms * 1000000ull;
	do {
		t = now_ns();
		if (m->send(&ab, buf, size) || m->recv(&ba, buf, MAX_SIZE) < 0)
			die(m->name);
		rtt[n++] = now_ns() - t;
	} while (now_ns() < end && n < 200000);
	kill_all(&pid, 1);
	pin(-1);
	m->close(&ab);
	m->close(&ba);
	free(buf - HEADROOM);
	qsort(rtt, n, sizeof(double), cmp_double);
	*p50 = rtt[n / 2];
	*p99 = rtt[n * 99 / 100];
}

/* eventfd ping-pong: the wake-up floor of (b) */
static void run_eventfd(int cross, double *p50, double *p99)
{
	static double rtt[200000];
	int ab = eventfd(0, EFD_CLOEXEC), ba = eventfd(0, EFD_CLOEXEC);
	uint64_t v = 1, end, t;
	int n = 0;
	pid_t pid;

	if (ab < 0 || ba < 0)
		die("eventfd");
	pin(0);
	pid = fork();
	if (!pid) {
		pin(cross);
		for (;;) {
			if (read(ab, &v, 8) != 8 || write(ba, &v, 8) != 8)
				_exit(1);
		}
	}
	end = now_ns() + cell_ms * 1200000ull;
	t = now_ns();
	do {
		uint64_t t1 = now_ns();

		if (write(ab, &v, 8) != 8 || read(ba, &v, 8) != 8)
			die("eventfd");
		if (t1 > t + cell_ms * 200000ull)	/* past the warm-up */
			rtt[n++] = now_ns() - t1;
	} while (now_ns() < end && n < 200000);
	kill_all(&pid, 1);
	pin(-1);
	close(ab);
	close(ba);
	qsort(rtt, n, sizeof(double), cmp_double);
	*p50 = rtt[n / 2];
	*p99 = rtt[n * 99 / 100];
}

static void producer(const struct mech *m, struct chan *c, size_t size,
		     int slot)
{
	char *buf = alloc_buf(size);

	for (;;) {
		if (m->send(c, buf, size))
			_exit(1);
		shm->count[slot][0]++;
	}
}

static void consumer(const struct mech *m, struct chan *c, int slot)
{
	char *buf = alloc_buf(MAX_SIZE);

	for (;;) {
		if (m->recv(c, buf, MAX_SIZE) < 0)
			_exit(1);
		shm->count[slot][0]++;
		shm->count[slot][1] = ring_waits;
		shm->count[slot][2] = ring_sleeps;
		shm->count[slot][3] = ring_refilled;
	}
}

static uint64_t consumed_k(int nprocs, int k)
{
	uint64_t sum = 0;
	int i;

	/* consumers have the odd slots */
	for (i = 1; i < nprocs; i += 2)
		sum += shm->count[i][k];
	return sum;
}

/* Messages the consumers took so far. */
static uint64_t consumed(int nprocs)
{
	return consumed_k(nprocs, 0);
}

/*
 * The consumers' RING_WAIT calls per message in the last run_stream(),
 * and those of them made to sleep (the ring was empty).
 */
static double stream_waits_per_msg, stream_sleeps_per_msg;
static double stream_refilled_per_msg;	/* the share that came via the queue */

/*
 * (c), (d): @pairs producer/consumer pairs on @nchan channels (1: all
 * share one; @pairs: one each).  Returns messages received per second.
 */
static double run_stream(const struct mech *m, size_t size, int pairs,
			 int nchan, int pinned)
{
	struct chan c[MAX_PROCS / 2];
	pid_t pids[MAX_PROCS];
	uint64_t t0, t1, c0, c1, w0, w1, s0, s1, q0, q1;
	int i;

	memset((void *)shm, 0, sizeof(*shm));
	for (i = 0; i < nchan; i++) {
		c[i] = (struct chan){ .size = size };
		if (m->open(&c[i], size, CAPACITY))
			die(m->name);
	}
	for (i = 0; i < 2 * pairs; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (!pids[i]) {
			struct chan *mine = &c[nchan == 1 ? 0 : i / 2];

			if (pinned)
				pin(i % 2);
			if (i % 2)
				consumer(m, mine, i);
			producer(m, mine, size, i);
		}
	}
	usleep(cell_ms * 200);			/* warm-up */
	t0 = now_ns();
	c0 = consumed(2 * pairs);
	w0 = consumed_k(2 * pairs, 1);
	s0 = consumed_k(2 * pairs, 2);
	q0 = consumed_k(2 * pairs, 3);
	usleep(cell_ms * 1000);
	t1 = now_ns();
	c1 = consumed(2 * pairs);
	w1 = consumed_k(2 * pairs, 1);
	s1 = consumed_k(2 * pairs, 2);
	q1 = consumed_k(2 * pairs, 3);
	kill_all(pids, 2 * pairs);
	for (i = 0; i < nchan; i++)
		m->close(&c[i]);
	stream_waits_per_msg = c1 > c0 ? (double)(w1 - w0) / (c1 - c0) : 0;
	stream_sleeps_per_msg = c1 > c0 ? (double)(s1 - s0) / (c1 - c0) : 0;
	stream_refilled_per_msg = c1 > c0 ? (double)(q1 - q0) / (c1 - c0) : 0;
	return (c1 - c0) * 1e9 / (t1 - t0);
}

/*
 * (d) without wake-ups: @n processes, process i on CPU i % CPUs, each
 * sending then receiving on a channel of its own.  With no lock or atomic
 * shared between channels, 2 processes on 2 CPUs do twice the work of one.
 * Returns messages per second, all processes together.
 */
static double run_self(const struct mech *m, int n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct chan c[MAX_PROCS];
	pid_t pids[MAX_PROCS];
	uint64_t t0, t1, c0 = 0, c1 = 0;
	int i;

	memset((void *)shm, 0, sizeof(*shm));
	for (i = 0; i < n; i++) {
		c[i] = (struct chan){ .size = 64 };
		if (m->open(&c[i], 64, CAPACITY))
			die(m->name);
	}
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (!pids[i]) {
			char *sbuf = alloc_buf(64), *rbuf = alloc_buf(MAX_SIZE);

			pin(i % cpus);
			for (;;) {
				if (m->send(&c[i], sbuf, 64) ||
				    m->recv(&c[i], rbuf, MAX_SIZE) < 0)
					_exit(1);
				shm->count[i][0]++;
			}
		}
	}
	usleep(cell_ms * 200);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		c0 += shm->count[i][0];
	usleep(cell_ms * 1000);
	t1 = now_ns();
	for (i = 0; i < n; i++)
		c1 += shm->count[i][0];
	kill_all(pids, n);
	for (i = 0; i < n; i++)
		m->close(&c[i]);
	return (c1 - c0) * 1e9 / (t1 - t0);
}

/* memcpy bandwidth of @size-byte copies, bytes per second */
static double run_memcpy_bw(size_t size)
{
	double ns = run_floor(size ? size : 1, 0, 1);

	return (size ? size : 1) * 1e9 / ns;
}

/*
 * (f) ns per message of (a) for mbox and SysV, at 64 bytes, with @extra
 * other channels existing, or with @queued messages queued ahead.
 */
static double run_scale(const struct mech *m, int extra, int queued)
{
	struct chan *others = NULL, c = { .size = 64 };
	char *buf = alloc_buf(64);
	double ns;
	int i;

	if (extra) {
		others = calloc(extra, sizeof(*others));
		if (!others)
			die("calloc");
		for (i = 0; i < extra; i++) {
			if (m->open(&others[i], 64, 4))
				die("scale: open");
		}
	}
	if (m->open(&c, 64, queued + CAPACITY))
		die("scale: open");
	if (!strcmp(m->name, "sysv")) {
		struct msqid_ds ds;

		msgctl(c.id, IPC_STAT, &ds);
		ds.msg_qbytes = (queued + CAPACITY) * 64;
		if (msgctl(c.id, IPC_SET, &ds))
			die("scale: IPC_SET");
	}
	for (i = 0; i < queued; i++) {
		if (m->send(&c, buf, 64))
			die("scale: fill");
	}
	ns = single_cost(m, &c, 64);
	m->close(&c);
	for (i = 0; i < extra; i++)
		m->close(&others[i]);
	free(others);
	free(buf - HEADROOM);
	return ns;
}

static int has_batch(void)
{
	return mbox_has_features(mbox_dev, MBOX_FEATURE_BATCH) == 1;
}

/*
 * (a) for every mechanism at once: the cell's time is cut into slices of
 * SLICE_MS, given to the contenders in turn, so that load from outside the
 * guest (the host's other work) falls on all of them alike.  A contender
 * is a mechanism, the floor, or mbox batches of @batch messages.
 */
#define SLICE_MS	10

struct contender {
	const char *name;
	const struct mech *m;	/* NULL: the floor or a batch */
	unsigned int batch;	/* mbox batches of this many */
	struct chan c;
	struct mbox_batch_msg *sv, *rv;
	uint64_t ns, msgs;
};

static void slice(struct contender *k, char *sbuf, char *rbuf, size_t size,
		  uint64_t end)
{
	uint64_t t0 = now_ns(), t, n = 0;
	int i;

	do {
		if (k->m) {
			for (i = 0; i < 8; i++) {
				if (k->m->send(&k->c, sbuf, size) ||
				    k->m->recv(&k->c, rbuf, MAX_SIZE) < 0)
					die(k->m->name);
			}
			n += 8;
		} else if (k->batch) {
			if (mbox_send_batch(mbox_dev, k->c.id, k->sv, k->batch,
					    0, 0, NULL) != (int)k->batch ||
			    mbox_recv_batch(mbox_dev, k->c.id, k->rv, k->batch,
					    0, 0, 0, NULL) != (int)k->batch)
				die("batch");
			n += k->batch;
		} else {
			for (i = 0; i < 8; i++) {
				ioctl(mbox_dev, NOOP_CMD, 0);
				memcpy(rbuf, sbuf, size);
				__asm__ volatile("" ::: "memory");
				ioctl(mbox_dev, NOOP_CMD, 0);
				memcpy(sbuf, rbuf, size);
				__asm__ volatile("" ::: "memory");
			}
			n += 8;
		}
		t = now_ns();
	} while (t < end);
	k->ns += t - t0;
	k->msgs += n;
}

static void run_single_all(size_t size, int rep)
{
	struct contender ks[NR_MECHS + 3];
	char *sbuf = alloc_buf(MAX_SIZE), *rbuf = alloc_buf(64 * MAX_SIZE);
	int nk = 0, i, j, slices;
	uint64_t end, waits;
	unsigned int b;

	memset(ks, 0, sizeof(ks));
	for (i = 0; i < (int)NR_MECHS; i++) {
		if (!mech_ok(&mechs[i]))
			continue;
		ks[nk].m = &mechs[i];
		ks[nk].name = mechs[i].name;
		if (mechs[i].open(&ks[nk].c, size, CAPACITY))
			die(mechs[i].name);
		nk++;
	}
	ks[nk++].name = "floor";
	for (b = 8; has_batch() && size <= 4096 && b <= 64; b *= 8) {
		struct contender *k = &ks[nk++];

		k->name = "mbox-batch";
		k->batch = b;
		k->sv = calloc(b, sizeof(*k->sv));
		k->rv = calloc(b, sizeof(*k->rv));
		if (!k->sv || !k->rv || mboxdev_open(&k->c, size, CAPACITY))
			die("batch");
		for (j = 0; j < (int)b; j++) {
			k->sv[j] = (struct mbox_batch_msg){
				.buf = (uintptr_t)sbuf, .len = size };
			k->rv[j] = (struct mbox_batch_msg){
				.buf = (uintptr_t)(rbuf + j * size), .len = size };
		}
	}
	/* warm-up: one slice each, not counted */
	for (i = 0; i < nk; i++)
		slice(&ks[i], sbuf, rbuf, size, now_ns() + SLICE_MS * 1000000ull);
	for (i = 0; i < nk; i++)
		ks[i].ns = ks[i].msgs = 0;
	waits = ring_waits;
	slices = cell_ms / SLICE_MS;
	if (slices < 1)
		slices = 1;
	for (j = 0; j < slices; j++) {
		for (i = 0; i < nk; i++) {
			struct contender *k = &ks[(i + j + rep) % nk];

			end = now_ns() + SLICE_MS * 1000000ull;
			slice(k, sbuf, rbuf, size, end);
		}
	}
	for (i = 0; i < nk; i++) {
		struct contender *k = &ks[i];

		if (k->batch)
			record("batch-single", k->name, size, k->batch,
			       "ns_per_msg", (double)k->ns / k->msgs);
		else
			record("single", k->name, size, 1, "ns_per_msg",
			       (double)k->ns / k->msgs);
		if (k->m && (k->m->feature & MBOX_FEATURE_RING))
			record("single-waits", k->name, size, 1, "waits_per_msg",
			       (double)(ring_waits - waits) / k->msgs);
		if (k->m)
			k->m->close(&k->c);
		if (k->batch) {
			mboxdev_close(&k->c);
			free(k->sv);
			free(k->rv);
		}
	}
	free(sbuf - HEADROOM);
	free(rbuf - HEADROOM);
}

/* Batched mbox streaming, one producer and one consumer; msgs/s. */
static double run_batch_stream(size_t size, unsigned int b)
{
	struct chan c = { .size = size };
	pid_t pids[2];
	uint64_t t0, t1, c0, c1;
	int i;

	memset((void *)shm, 0, sizeof(*shm));
	if (mboxdev_open(&c, size, CAPACITY))
		die("batch: open");
	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (!pids[i]) {
			struct mbox_batch_msg v[256];
			char *buf = alloc_buf(b * (size + 8));
			unsigned int k;

			for (k = 0; k < b; k++)
				v[k] = (struct mbox_batch_msg){
					.buf = (uintptr_t)(buf + (i ? k * (size + 8) : 0)),
					.len = size };
			for (;;) {
				int n = i ? mbox_recv_batch(mbox_dev, c.id, v, b,
							    0, 0, 0, NULL) :
					    mbox_send_batch(mbox_dev, c.id, v, b,
							    0, 0, NULL);

				if (n <= 0)
					_exit(1);
				shm->count[i][0] += n;
			}
		}
	}
	usleep(cell_ms * 200);
	t0 = now_ns();
	c0 = consumed(2);
	usleep(cell_ms * 1000);
	t1 = now_ns();
	c1 = consumed(2);
	kill_all(pids, 2);
	mboxdev_close(&c);
	return (c1 - c0) * 1e9 / (t1 - t0);
}

static void write_sysctl(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(val, f) < 0 || fclose(f))
		fprintf(stderr, "mbox-bench: cannot set %s to %s\n", path, val);
}

/* Give every mechanism room for CAPACITY messages of MAX_SIZE bytes. */
static void equalise(void)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	struct rlimit files = { 65536, 65536 };
	char v[32];

	snprintf(v, sizeof(v), "%d", MAX_SIZE);
	write_sysctl("/proc/sys/kernel/msgmax", v);
	write_sysctl("/proc/sys/fs/mqueue/msgsize_max", v);
	snprintf(v, sizeof(v), "%d", (SCALE_N + CAPACITY) * MAX_SIZE);
	write_sysctl("/proc/sys/kernel/msgmnb", v);
	snprintf(v, sizeof(v), "%d", SCALE_N + CAPACITY);
	write_sysctl("/proc/sys/fs/mqueue/msg_max", v);
	write_sysctl("/proc/sys/kernel/msgmni", "32000");
	write_sysctl("/proc/sys/fs/mqueue/queues_max", "32768");
	write_sysctl("/proc/sys/fs/pipe-max-size", "67108864");
	write_sysctl("/proc/sys/net/unix/max_dgram_qlen", "1024");
	if (setrlimit(RLIMIT_MSGQUEUE, &unlimited))
		die("RLIMIT_MSGQUEUE");
	setrlimit(RLIMIT_NOFILE, &files);
}

/*
 * Request and reply (issue 16): MBOX_IOC_SENDRECV against two calls per
 * side, SysV msgq, POSIX mq and a framed pipe, all doing the same thing.
 * A client sends a request on the server's channel and waits for the
 * reply on a channel of its own; the server receives a request, sends the
 * reply to the channel the request names (its first 4 bytes), and waits
 * for the next.  With SENDRECV each side makes one call per message: the
 * client sends and waits, the server replies and waits.
 *
 * Rows: rr-pingpong (1 client; n 1: both on CPU 0, n 2: on CPUs 0 and 1,
 * n 0: not pinned), p50 and p99 in ns; rpc (n clients on CPU 0 against
 * 1 server on CPU 1), round trips per second, the median of 3 windows
 * of a third of the cell's time.
 * mbox-sr-nosync is mbox-sr with the module's sendrecv_sync parameter
 * off: without the synchronous wake-up hint.
 */
struct rr_mech {
	const char *name;
	const char *chan;	/* the mechanism whose channels it uses */
	int sr;			/* one MBOX_IOC_SENDRECV per side and message */
	int sync;		/* sendrecv_sync for the row */
};

static const struct rr_mech rr_mechs[] = {
	{ "mbox-sr", "mbox", 1, 1 },
	{ "mbox-sr-nosync", "mbox", 1, 0 },
	{ "mbox", "mbox", 0, 1 },
	{ "sysv", "sysv", 0, 1 },
	{ "posix-mq", "posix-mq", 0, 1 },
	{ "pipe", "pipe", 0, 1 },
};
#define NR_RR_MECHS	(sizeof(rr_mechs) / sizeof(rr_mechs[0]))
#define RR_MAX_CLIENTS	4

static int has_sendrecv(void)
{
	return mbox_has_features(mbox_dev, MBOX_FEATURE_SENDRECV) == 1;
}

static void set_sendrecv_sync(int on)
{
	write_sysctl("/sys/module/mbox/parameters/sendrecv_sync",
		     on ? "Y" : "N");
}

/*
 * Send @len bytes of @sbuf to mailbox @to, then receive from @from:
 * mbox_sendrecv(), one MBOX_IOC_SENDRECV; the bytes received or -errno.
 */
static long sendrecv(int to, char *sbuf, size_t len, int from, char *rbuf,
		     size_t cap)
{
	return mbox_sendrecv(mbox_dev, to, sbuf, len, 0, from, rbuf, cap, 0,
			     NULL, NULL);
}

/* One round trip of client @me: request on @req, reply on @rep. */
static int rr_client_step(const struct rr_mech *r, const struct mech *m,
			  struct chan *req, struct chan *rep, char *buf,
			  size_t size, uint32_t me)
{
	memcpy(buf, &me, sizeof(me));
	if (r->sr)
		return sendrecv(req->id, buf, size, rep->id, buf,
				MAX_SIZE) < 0 ? -1 : 0;
	if (m->send(req, buf, size) || m->recv(rep, buf, MAX_SIZE) < 0)
		return -1;
	return 0;
}

/* The server: answers every request on @req on reps[its first 4 bytes]. */
static void __attribute__((noreturn))
rr_server(const struct rr_mech *r, const struct mech *m, struct chan *req,
	  struct chan *reps, size_t size)
{
	char *buf = alloc_buf(MAX_SIZE);
	uint32_t who;

	if (m->recv(req, buf, MAX_SIZE) < 0)
		_exit(1);
	for (;;) {
		memcpy(&who, buf, sizeof(who));
		if (who >= RR_MAX_CLIENTS)
			_exit(2);
		if (r->sr) {
			if (sendrecv(reps[who].id, buf, size, req->id, buf,
				     MAX_SIZE) < 0)
				_exit(1);
		} else if (m->send(&reps[who], buf, size) ||
			   m->recv(req, buf, MAX_SIZE) < 0) {
			_exit(1);
		}
	}
}

static void rr_open(const struct mech *m, struct chan *req, struct chan *reps,
		    int n, size_t size)
{
	int i;

	*req = (struct chan){ .size = size };
	if (m->open(req, size, CAPACITY))
		die(m->name);
	for (i = 0; i < n; i++) {
		reps[i] = (struct chan){ .size = size };
		if (m->open(&reps[i], size, CAPACITY))
			die(m->name);
	}
}

static void rr_close(const struct mech *m, struct chan *req,
		     struct chan *reps, int n)
{
	int i;

	m->close(req);
	for (i = 0; i < n; i++)
		m->close(&reps[i]);
}

/*
 * One client against the server: p50 and p99 of the round trip in ns.
 * @mode 1: both on CPU 0; 2: the server on CPU 1; 0: neither pinned.
 */
static void run_rr_pingpong(const struct rr_mech *r, size_t size, int mode,
			    double *p50, double *p99)
{
	const struct mech *m = mech_by_name(r->chan);
	struct chan req, rep;
	char *buf = alloc_buf(MAX_SIZE);
	static double rtt[200000];
	uint64_t end, t;
	int n = 0;
	pid_t pid;

	set_sendrecv_sync(r->sync);
	rr_open(m, &req, &rep, 1, size);
	pin(mode ? 0 : -1);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		pin(mode == 2 ? 1 : mode ? 0 : -1);
		rr_server(r, m, &req, &rep, size);
	}
	end = now_ns() + cell_ms * 200000ull;
	while (now_ns() < end) {
		if (rr_client_step(r, m, &req, &rep, buf, size, 0))
			die(r->name);
	}
	end = now_ns() + cell_ms * 1000000ull;
	do {
		t = now_ns();
		if (rr_client_step(r, m, &req, &rep, buf, size, 0))
			die(r->name);
		rtt[n++] = now_ns() - t;
	} while (now_ns() < end && n < 200000);
	kill_all(&pid, 1);
	pin(-1);
	rr_close(m, &req, &rep, 1);
	set_sendrecv_sync(1);
	free(buf - HEADROOM);
	qsort(rtt, n, sizeof(double), cmp_double);
	*p50 = rtt[n / 2];
	*p99 = rtt[n * 99 / 100];
}

/* Client @me of run_rpc(), counting its round trips. */
static void __attribute__((noreturn))
rr_client(const struct rr_mech *r, const struct mech *m, struct chan *req,
	  struct chan *rep, size_t size, int me)
{
	char *buf = alloc_buf(MAX_SIZE);

	for (;;) {
		if (rr_client_step(r, m, req, rep, buf, size, me))
			_exit(1);
		shm->count[2 * me + 1][0]++;	/* odd slots: consumed() */
	}
}

/*
 * @n clients against one server: round trips per second.  The server runs
 * on CPU 1 and the clients on CPU 0, so that where the scheduler happens
 * to put them does not change the figure; each of 3 windows of a third
 * of @cell_ms counts the round trips, and the median window is the
 * result: the cell takes as long as one window of @cell_ms would.
 */
static double run_rpc(const struct rr_mech *r, size_t size, int n)
{
	const struct mech *m = mech_by_name(r->chan);
	struct chan req, reps[RR_MAX_CLIENTS];
	pid_t pids[RR_MAX_CLIENTS + 1];
	double rate[3];
	uint64_t t0, t1, c0, c1;
	int i;

	set_sendrecv_sync(r->sync);
	memset((void *)shm, 0, sizeof(*shm));
	rr_open(m, &req, reps, n, size);
	for (i = 0; i <= n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i])
			continue;
		pin(i == n ? 1 : 0);
		if (i == n)
			rr_server(r, m, &req, reps, size);
		rr_client(r, m, &req, &reps[i], size, i);
	}
	usleep(cell_ms * 200);			/* warm-up */
	for (i = 0; i < 3; i++) {
		t0 = now_ns();
		c0 = consumed(2 * n);
		usleep(cell_ms * 1000 / 3);
		t1 = now_ns();
		c1 = consumed(2 * n);
		rate[i] = (c1 - c0) * 1e9 / (t1 - t0);
	}
	kill_all(pids, n + 1);
	rr_close(m, &req, reps, n);
	set_sendrecv_sync(1);
	qsort(rate, 3, sizeof(double), cmp_double);
	return rate[1];
}

/*
 * One thread, no wake-up: a send and a receive of 64 bytes on one mailbox,
 * as one MBOX_IOC_SENDRECV (@sr) or as MBOX_IOC_SEND then MBOX_IOC_RECV:
 * the path's cost without the scheduler.  ns per message.
 */
static double run_sr_self(int sr)
{
	struct chan c = { .size = 64 };
	char *buf = alloc_buf(MAX_SIZE);
	uint64_t t0, t, end, iters = 0;
	int i;

	if (mboxdev_open(&c, 64, CAPACITY))
		die("sr-self: open");
	t0 = now_ns();
	end = t0 + cell_ms * 1000000ull;
	do {
		for (i = 0; i < 16; i++) {
			if (sr ? sendrecv(c.id, buf, 64, c.id, buf, MAX_SIZE) < 0 :
			    mboxdev_send(&c, buf, 64) ||
			    mboxdev_recv(&c, buf, MAX_SIZE) < 0)
				die("sr-self");
		}
		iters += 16;
		t = now_ns();
	} while (t < end);
	mboxdev_close(&c);
	free(buf - HEADROOM);
	return (double)(t - t0) / iters;
}

/* One repetition of every request/reply cell, in a rotating order. */
static void run_sendrecv_all(int rep)
{
	int k, mode, n;

	for (k = 0; k < 2; k++) {
		int sr = (k + rep) % 2;

		record("sr-self", sr ? "mbox-sr" : "mbox", 64, 1, "ns_per_msg",
		       run_sr_self(sr));
	}
	for (mode = 0; mode < 3; mode++) {
		for (k = 0; k < (int)NR_RR_MECHS; k++) {
			const struct rr_mech *r = &rr_mechs[(k + rep) % NR_RR_MECHS];
			double p50, p99;

			run_rr_pingpong(r, 64, (mode + 1) % 3, &p50, &p99);
			record("rr-pingpong", r->name, 64, (mode + 1) % 3,
			       "p50_ns", p50);
			record("rr-pingpong", r->name, 64, (mode + 1) % 3,
			       "p99_ns", p99);
		}
	}
	for (n = 1; n <= RR_MAX_CLIENTS; n *= 2) {
		for (k = 0; k < (int)NR_RR_MECHS; k++) {
			const struct rr_mech *r = &rr_mechs[(k + rep + n) % NR_RR_MECHS];

			record("rpc", r->name, 64, n, "rtt_per_s",
			       run_rpc(r, 64, n));
		}
	}
}

/* MBOX_BENCH_SIZES (for example "64,4096"): only these sizes in (a), (c). */
static int want_size(size_t size)
{
	const char *e = getenv("MBOX_BENCH_SIZES");
	char *end;

	if (!e || !*e)
		return 1;
	for (;;) {
		if (strtoull(e, &end, 10) == size && end != e)
			return 1;
		if (!*end)
			return 0;
		e = end + 1;
	}
}

static int want(const char *what)
{
	const char *only = getenv("MBOX_BENCH_ONLY");

	return !only || !*only || strstr(only, what);
}

static const char *mech_name(int i)
{
	return mechs[i].name;
}

static void print_csv(void)
{
	int i;

	for (i = 0; i < nr_cells; i++) {
		struct cell *c = &cells[i];
		double med = median_of(c);

		printf("csv,%s,%s,%zu,%d,%s,%.6g,%.6g,%.6g\n", c->workload,
		       c->mech, c->size, c->n, c->metric, med, c->v[0],
		       c->v[c->nv - 1]);
	}
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void table_line(const char *target, double value, const char *want_s,
		       int met)
{
	if (value <= 0) {	/* a workload left out (MBOX_BENCH_ONLY) */
		printf("table,%-58s %8s  %-10s not run\n", target, "-", want_s);
		return;
	}
	printf("table,%-58s %8.3f  %-10s %s\n", target, value, want_s,
	       met ? "met" : "MISSED");
}

/*
 * An information row of a count (4 decimals), from a workload that ran if
 * @ran is positive (its count may be 0).
 */
static void count_line(const char *what, double value, double ran)
{
	printf("table,%-58s %8.4f  %-10s %s\n", what, value, "info",
	       ran > 0 ? "met" : "not run");
}

static void print_table(void)
{
	double mb, sv, mq, pp, sp, fl, v, eb;
	size_t s;
	int i, n;

	printf("table,=== ratios, same boot, medians of %d repetitions of %ld ms ===\n",
	       reps, cell_ms);
	/* (a) */
	mb = lookup("single", "mbox", 64, 1, "ns_per_msg");
	sv = lookup("single", "sysv", 64, 1, "ns_per_msg");
	mq = lookup("single", "posix-mq", 64, 1, "ns_per_msg");
	fl = lookup("single", "floor", 64, 1, "ns_per_msg");
	table_line("(a) 64B send+recv: mbox / sysv", ratio(mb, sv), "<= 1.0",
		   mb <= sv);
	table_line("(a) 64B send+recv: mbox / posix-mq", ratio(mb, mq), "<= 1.2",
		   mb <= 1.2 * mq);
	table_line("(a) 64B send+recv: mbox / floor (2 ioctl + 2 memcpy)",
		   ratio(mb, fl), "<= 1.3", mb <= 1.3 * fl);
	v = lookup("single", "mbox-bound", 64, 1, "ns_per_msg");
	table_line("(a) 64B, ioctls on a bound fd: mbox-bound / sysv",
		   ratio(v, sv), "<= 1.0", v <= sv);
	table_line("(a) 64B, ioctls on a bound fd: mbox-bound / posix-mq",
		   ratio(v, mq), "<= 1.2", v <= 1.2 * mq);
	table_line("(a) 64B, ioctls on a bound fd: mbox-bound / floor",
		   ratio(v, fl), "<= 1.3", v <= 1.3 * fl);
	v = lookup("single", "mbox-fd", 64, 1, "ns_per_msg");
	table_line("(a) 64B, bound fd write+read: mbox-fd / sysv", ratio(v, sv),
		   "info", 1);
	/* (b) */
	mb = lookup("pingpong", "mbox", 64, 1, "p50_ns");
	sv = lookup("pingpong", "sysv", 64, 1, "p50_ns");
	pp = lookup("pingpong", "pipe", 64, 1, "p50_ns");
	eb = lookup("pingpong", "eventfd", 8, 1, "p50_ns");
	table_line("(b) 64B round trip p50: mbox / sysv", ratio(mb, sv), "<= 1.0",
		   mb <= sv);
	table_line("(b) 64B round trip p50: mbox / pipe", ratio(mb, pp), "<= 1.0",
		   mb <= pp);
	table_line("(b) 64B round trip p50: mbox / eventfd", ratio(mb, eb),
		   "info", 1);
	v = lookup("pingpong", "mbox-bound", 64, 1, "p50_ns");
	table_line("(b) 64B round trip p50: mbox-bound / sysv", ratio(v, sv),
		   "<= 1.0", v <= sv);
	table_line("(b) 64B round trip p50: mbox-bound / pipe", ratio(v, pp),
		   "<= 1.0", v <= pp);
	v = lookup("pingpong", "mbox", 64, 2, "p50_ns");
	table_line("(b) across 2 CPUs, p50: mbox / sysv",
		   ratio(v, lookup("pingpong", "sysv", 64, 2, "p50_ns")), "info", 1);
	table_line("(b) across 2 CPUs, p50: mbox / pipe",
		   ratio(v, lookup("pingpong", "pipe", 64, 2, "p50_ns")), "info", 1);
	table_line("(b) across 2 CPUs, p50: mbox / eventfd",
		   ratio(v, lookup("pingpong", "eventfd", 8, 2, "p50_ns")), "info", 1);
	mb = lookup("pingpong", "mbox", 64, 1, "p99_ns");
	sv = lookup("pingpong", "sysv", 64, 1, "p99_ns");
	pp = lookup("pingpong", "pipe", 64, 1, "p99_ns");
	table_line("(b) 64B round trip p99: mbox / sysv", ratio(mb, sv), "<= 1.0",
		   mb <= sv);
	table_line("(b) 64B round trip p99: mbox / pipe", ratio(mb, pp), "<= 1.0",
		   mb <= pp);
	/* (c) */
	for (i = 0; i < (int)NR_SIZES; i++) {
		char t[80];

		s = sizes[i];
		if (s < 64 || s > 4096)
			continue;
		mb = lookup("stream", "mbox", s, 1, "msgs_per_s");
		sv = lookup("stream", "sysv", s, 1, "msgs_per_s");
		sp = lookup("stream", "seqpacket", s, 1, "msgs_per_s");
		snprintf(t, sizeof(t), "(c) stream %zuB msgs/s: mbox / sysv", s);
		table_line(t, ratio(mb, sv), ">= 1.5", mb >= 1.5 * sv);
		snprintf(t, sizeof(t), "(c) stream %zuB msgs/s: mbox / seqpacket", s);
		table_line(t, ratio(mb, sp), ">= 1.0", mb >= sp);
		v = lookup("stream", "mbox-bound", s, 1, "msgs_per_s");
		snprintf(t, sizeof(t), "(c) stream %zuB msgs/s: mbox-bound / sysv", s);
		table_line(t, ratio(v, sv), ">= 1.5", v >= 1.5 * sv);
	}
	mb = lookup("stream", "mbox", 65536, 1, "msgs_per_s") * 65536;
	v = lookup("memcpy", "memcpy", 65536, 1, "bytes_per_s");
	table_line("(c) stream 64KiB B/s: mbox / (memcpy B/s / 2)",
		   ratio(mb, v / 2), ">= 0.5", mb >= 0.25 * v);
	/* batching */
	mb = lookup("single", "mbox", 64, 1, "ns_per_msg");
	v = lookup("batch-single", "mbox-batch", 64, 64, "ns_per_msg");
	table_line("batch 64B x64, one thread msgs/s: batched / unbatched",
		   ratio(mb, v), ">= 4.0", v > 0 && mb >= 4 * v);
	mb = lookup("stream", "mbox", 64, 1, "msgs_per_s");
	v = lookup("batch-stream", "mbox-batch", 64, 64, "msgs_per_s");
	table_line("batch 64B x64, stream msgs/s: batched / unbatched",
		   ratio(v, mb), ">= 4.0", v >= 4 * mb);
	/* (d) */
	for (n = 2; n <= 8; n *= 2) {
		char t[80];

		mb = lookup("pairs", "mbox", 64, 1, "msgs_per_s");
		v = lookup("pairs", "mbox", 64, n, "msgs_per_s");
		snprintf(t, sizeof(t), "(d) %d pairs on %d mailboxes / 1 pair", n, n);
		table_line(t, ratio(v, mb), n == 2 ? ">= 1.6" : "info",
			   n != 2 || v >= 1.6 * mb);
		v = lookup("shared", "mbox", 64, n, "msgs_per_s");
		snprintf(t, sizeof(t), "(d) %d producers+%d consumers, 1 mailbox / 1+1", n, n);
		table_line(t, ratio(v, lookup("shared", "mbox", 64, 1, "msgs_per_s")),
			   "info", 1);
		sv = lookup("pairs", "sysv", 64, 1, "msgs_per_s");
		v = lookup("pairs", "sysv", 64, n, "msgs_per_s");
		snprintf(t, sizeof(t), "(d) %d pairs on %d SysV queues / 1 pair", n, n);
		table_line(t, ratio(v, sv), "info", 1);
	}
	mb = lookup("self", "mbox", 64, 1, "msgs_per_s");
	v = lookup("self", "mbox", 64, 2, "msgs_per_s");
	table_line("(d) no wake-ups: 2 loops on 2 mailboxes, 2 CPUs / 1", ratio(v, mb),
		   ">= 1.6", v >= 1.6 * mb);
	sv = lookup("self", "sysv", 64, 1, "msgs_per_s");
	v = lookup("self", "sysv", 64, 2, "msgs_per_s");
	table_line("(d) no wake-ups: 2 loops on 2 SysV queues / 1", ratio(v, sv),
		   "info", 1);
	/* (f) */
	mb = lookup("scale", "mbox", 64, 1, "ns_per_msg");
	v = lookup("scale", "mbox", 64, SCALE_N, "ns_per_msg");
	table_line("(f) 64B cost, 10000 mailboxes exist / 1", ratio(v, mb),
		   "< 1.1", v < 1.1 * mb);
	v = lookup("scale-queued", "mbox", 64, SCALE_N, "ns_per_msg");
	mb = lookup("scale-queued", "mbox", 64, 0, "ns_per_msg");
	table_line("(f) 64B cost, 10000 messages queued / none", ratio(v, mb),
		   "< 1.1", v < 1.1 * mb);
	sv = lookup("scale", "sysv", 64, 1, "ns_per_msg");
	v = lookup("scale", "sysv", 64, SCALE_N, "ns_per_msg");
	table_line("(f) SysV: 10000 queues exist / 1", ratio(v, sv), "info", 1);
	sv = lookup("scale-queued", "sysv", 64, 0, "ns_per_msg");
	v = lookup("scale-queued", "sysv", 64, SCALE_N, "ns_per_msg");
	table_line("(f) SysV: 10000 messages queued / none", ratio(v, sv), "info", 1);

	/* (a), (c) and (d) against every mechanism, as ratios to mbox */
	printf("table,\n");
	printf("table,=== per-mechanism figures, as ratios to mbox (>1: mbox better) ===\n");
	printf("table,%-24s", "workload size n");
	for (i = 0; i < (int)NR_MECHS; i++)
		printf(" %10s", mech_name(i));
	printf("\n");
	for (i = 0; i < nr_cells; i++) {
		struct cell *c = &cells[i];
		double base;
		int k, lower;

		if (strcmp(c->mech, "mbox"))
			continue;
		lower = !strcmp(c->metric, "ns_per_msg") ||
			strstr(c->metric, "_ns") != NULL;
		base = median_of(c);
		printf("table,%-12s %6zu %3d", c->workload, c->size, c->n);
		for (k = 0; k < (int)NR_MECHS; k++) {
			double o = lookup(c->workload, mech_name(k), c->size,
					  c->n, c->metric);

			if (!o)
				printf(" %10s", "-");
			else
				printf(" %10.2f", lower ? o / base : base / o);
		}
		printf("   %s mbox=%.4g\n", c->metric, base);
	}
}

/*
 * The receive ring's rows (issue 15): mbox-ring against SysV (and plain
 * mbox), same boot, and the system calls it made per message: the
 * producer makes one MBOX_IOC_SEND per message; the consumer's RING_WAIT
 * calls per message are counted.  The mbox-ring-b16 rows are the same
 * stream with the producer batched, for information only.
 */
static void print_ring_table(void)
{
	double rg, sv, mb, bt, w;
	char t[96];
	size_t s;
	int i;

	printf("table,\n");
	printf("table,=== receive ring (issue 15), same boot ===\n");
	for (i = 0; i < (int)NR_SIZES; i++) {
		s = sizes[i];
		if (s < 64)
			continue;
		rg = lookup("stream", "mbox-ring", s, 1, "msgs_per_s");
		sv = lookup("stream", "sysv", s, 1, "msgs_per_s");
		mb = lookup("stream", "mbox", s, 1, "msgs_per_s");
		snprintf(t, sizeof(t), "ring stream %zuB msgs/s: mbox-ring / sysv", s);
		table_line(t, ratio(rg, sv), s <= 4096 ? ">= 2.0" : "info",
			   s > 4096 || rg >= 2.0 * sv);
		snprintf(t, sizeof(t), "ring stream %zuB msgs/s: mbox-ring / mbox", s);
		table_line(t, ratio(rg, mb), "info", 1);
		/* Not the target's figure: one SEND_BATCH per 16 messages. */
		bt = lookup("stream", "mbox-ring-b16", s, 1, "msgs_per_s");
		snprintf(t, sizeof(t), "ring stream %zuB, SEND_BATCH x16: mbox-ring-b16 / sysv", s);
		table_line(t, ratio(bt, sv), "info", 1);
		snprintf(t, sizeof(t), "ring stream %zuB, SEND_BATCH x16: b16 / mbox-ring", s);
		table_line(t, ratio(bt, rg), "info", 1);
		w = lookup("stream-queued", "mbox-ring-b16", s, 1, "queued_per_msg");
		snprintf(t, sizeof(t), "ring stream %zuB, SEND_BATCH x16: share via the queue", s);
		count_line(t, w, bt);
		w = lookup("stream-waits", "mbox-ring", s, 1, "waits_per_msg");
		snprintf(t, sizeof(t), "ring stream %zuB: consumer RING_WAIT calls/msg", s);
		count_line(t, w, rg);
		w = lookup("stream-sleeps", "mbox-ring", s, 1, "sleeps_per_msg");
		snprintf(t, sizeof(t), "ring stream %zuB: of which on an empty ring", s);
		count_line(t, w, rg);
		w = lookup("stream-queued", "mbox-ring", s, 1, "queued_per_msg");
		snprintf(t, sizeof(t), "ring stream %zuB: share sent via the queue (2 copies)", s);
		count_line(t, w, rg);
		rg = lookup("stream", "mbox-ring-small", s, 1, "msgs_per_s");
		snprintf(t, sizeof(t), "ring of 64 msgs, stream %zuB: mbox-ring-small / sysv", s);
		table_line(t, ratio(rg, sv), "info", 1);
		w = lookup("stream-queued", "mbox-ring-small", s, 1, "queued_per_msg");
		snprintf(t, sizeof(t), "ring of 64 msgs, stream %zuB: share sent via the queue", s);
		count_line(t, w, rg);
	}
	rg = lookup("single", "mbox-ring", 64, 1, "ns_per_msg");
	sv = lookup("single", "sysv", 64, 1, "ns_per_msg");
	mb = lookup("single", "mbox-bound", 64, 1, "ns_per_msg");
	table_line("ring 64B one thread send+consume time: mbox-ring / sysv",
		   ratio(rg, sv), "<= 0.6", rg <= 0.6 * sv);
	table_line("ring 64B one thread send+consume time: mbox-ring / mbox-bound",
		   ratio(rg, mb), "info", 1);
	w = lookup("single-waits", "mbox-ring", 64, 1, "waits_per_msg");
	count_line("ring 64B one thread: system calls/msg (1 SEND + waits)",
		   1 + w, rg);
}

#define TRACEFS		"/sys/kernel/tracing/"

static int tracefs_write_mode(const char *file, const char *val, int mode)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), TRACEFS "%s", file);
	fd = open(path, O_WRONLY | mode | O_CLOEXEC);
	if (fd < 0) {
		printf("# profile: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	if (!ok)
		printf("# profile: %s < %s: %s\n", path, val, strerror(errno));
	close(fd);
	return ok ? 0 : -1;
}

static int tracefs_write(const char *file, const char *val)
{
	return tracefs_write_mode(file, val, O_TRUNC);
}

#define MAX_SAMPLES	4096

struct fn_stat {
	char name[64];
	double total_us;	/* median duration x calls: robust to stalls */
	long calls;
	double *us;
};

static int cmp_fn(const void *a, const void *b)
{
	const struct fn_stat *x = a, *y = b;

	return x->total_us < y->total_us ? 1 : x->total_us > y->total_us ? -1 : 0;
}

/*
 * Sum the function_graph trace by function: a leaf "name();" or a closing
 * "} /\* name *\/" line carries the function's duration, children included.
 */
static void profile_report(const char *what, long iters)
{
	static struct fn_stat fns[512];
	FILE *f = fopen(TRACEFS "trace", "r");
	char line[512];
	int nfn = 0, i, nraw = 0;

	if (!f)
		die("trace");
	while (fgets(line, sizeof(line), f)) {
		if (getenv("MBOX_BENCH_RAW") && nraw++ < 80)
			printf("# raw %s", line);
		{
		char *bar = strchr(line, '|'), *name, *end;
		double us;

		if (!bar || line[0] == '#')
			continue;
		*bar = '\0';
		end = strstr(line, "us");
		if (!end)
			continue;
		/* the duration is the last number before "us" */
		while (end > line && end[-1] == ' ')
			end--;
		name = end;
		while (name > line && (name[-1] == '.' ||
				       (name[-1] >= '0' && name[-1] <= '9')))
			name--;
		us = atof(name);
		name = bar + 1;
		while (*name == ' ' || *name == '}')
			name++;
		if (!strncmp(name, "/* ", 3))
			name += 3;
		end = name + strcspn(name, "(* \n");
		*end = '\0';
		if (!*name)
			continue;
		for (i = 0; i < nfn; i++)
			if (!strcmp(fns[i].name, name))
				break;
		if (i == nfn) {
			if (nfn == 512)
				continue;
			fns[nfn].calls = 0;
			fns[nfn].us = malloc(MAX_SAMPLES * sizeof(double));
			if (!fns[nfn].us)
				die("malloc");
			snprintf(fns[nfn++].name, sizeof(fns[0].name), "%s", name);
		}
		if (fns[i].calls < MAX_SAMPLES)
			fns[i].us[fns[i].calls] = us;
		fns[i].calls++;
		}
	}
	fclose(f);
	for (i = 0; i < nfn; i++) {
		long n = fns[i].calls < MAX_SAMPLES ? fns[i].calls : MAX_SAMPLES;

		qsort(fns[i].us, n, sizeof(double), cmp_double);
		fns[i].total_us = fns[i].us[n / 2] * fns[i].calls / iters;
	}
	qsort(fns, nfn, sizeof(fns[0]), cmp_fn);
	printf("# profile %s: ftrace function_graph, per message (send + "
	       "receive): calls, and median duration x calls; children and "
	       "tracing overhead included\n", what);
	printf("# profile %-36s %9s %10s %10s\n", "function", "calls/msg",
	       "median_us", "us/msg");
	for (i = 0; i < nfn && i < 32; i++) {
		long n = fns[i].calls < MAX_SAMPLES ? fns[i].calls : MAX_SAMPLES;

		printf("# profile %-36s %9.2f %10.3f %10.3f\n", fns[i].name,
		       (double)fns[i].calls / iters, fns[i].us[n / 2],
		       fns[i].total_us);
	}
	for (i = 0; i < nfn; i++)
		free(fns[i].us);
}

/*
 * --loop MECH SIZE SECONDS: one thread sends and receives @size bytes on
 * one channel of @mech for @secs seconds, for a profiler to watch.
 */
static int run_loop(const char *name, size_t size, int secs)
{
	const struct mech *m = mech_by_name(name);
	char *sbuf = alloc_buf(MAX_SIZE), *rbuf = alloc_buf(MAX_SIZE);
	struct chan c = { .size = size };
	uint64_t t0, end, n = 0;
	int i;

	if (size > MAX_SIZE || secs <= 0 || m->open(&c, size, CAPACITY))
		die(name);
	t0 = now_ns();
	end = t0 + secs * 1000000000ull;
	do {
		for (i = 0; i < 64; i++) {
			if (m->send(&c, sbuf, size) ||
			    m->recv(&c, rbuf, MAX_SIZE) < 0)
				die(name);
		}
		n += 64;
	} while (now_ns() < end);
	printf("loop %s %zu: %llu messages, %.0f ns per message\n", name, size,
	       (unsigned long long)n, (double)(now_ns() - t0) / n);
	m->close(&c);
	return 0;
}

static const struct rr_mech *rr_mech_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_RR_MECHS; i++)
		if (!strcmp(rr_mechs[i].name, name))
			return &rr_mechs[i];
	fprintf(stderr, "unknown request/reply mechanism %s\n", name);
	exit(1);
}

/*
 * A client and a server on CPU 0, as the 1-CPU rr-pingpong row, doing
 * 64-byte round trips until @end (ns) or @iters of them; returns how many.
 */
static long rr_loop(const struct rr_mech *r, uint64_t end, long iters)
{
	const struct mech *m = mech_by_name(r->chan);
	char *buf = alloc_buf(MAX_SIZE);
	struct chan req, rep;
	long n = 0;
	pid_t pid;

	set_sendrecv_sync(r->sync);
	rr_open(m, &req, &rep, 1, 64);
	pin(0);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		rr_server(r, m, &req, &rep, 64);
	for (n = 0; n < 2000; n++)	/* warm-up */
		if (rr_client_step(r, m, &req, &rep, buf, 64, 0))
			die(r->name);
	if (iters)
		tracefs_write("tracing_on", "1");
	for (n = 0; iters ? n < iters : now_ns() < end; n++)
		if (rr_client_step(r, m, &req, &rep, buf, 64, 0))
			die(r->name);
	if (iters)
		tracefs_write("tracing_on", "0");
	kill_all(&pid, 1);
	pin(-1);
	rr_close(m, &req, &rep, 1);
	set_sendrecv_sync(1);
	free(buf - HEADROOM);
	return n;
}

/* --rr-loop MECH SECONDS: round trips on CPU 0, for a profiler to watch. */
static int run_rr_loop(const char *name, int secs)
{
	uint64_t t0 = now_ns();
	long n = rr_loop(rr_mech_by_name(name), t0 + secs * 1000000000ull, 0);

	printf("rr-loop %s: %ld round trips, %.0f ns each\n", name, n,
	       (double)(now_ns() - t0) / n);
	return 0;
}

struct fn_count {
	char name[64];
	long calls;
};

static int cmp_count(const void *a, const void *b)
{
	const struct fn_count *x = a, *y = b;

	return y->calls > x->calls ? 1 : y->calls < x->calls ? -1 :
	       strcmp(x->name, y->name);
}

/*
 * Start ftrace's function tracer on an empty buffer of @kb KiB per CPU,
 * tracing off.
 */
static int count_start(const char *kb)
{
	return tracefs_write("tracing_on", "0") ||
	       tracefs_write("current_tracer", "function") ||
	       tracefs_write("buffer_size_kb", kb) ||
	       tracefs_write("trace", "");
}

/*
 * Print what CPU 0 traced since count_start(), per @iters: the kernel
 * functions it entered, in all and each one entered at least every 10th
 * time, as lines "# @what @name ...".
 */
static void count_report(const char *what, const char *name, long iters)
{
	static struct fn_count fns[4096];
	char line[512];
	int nfn = 0, i;
	long total = 0;
	FILE *f;

	f = fopen(TRACEFS "per_cpu/cpu0/trace", "r");
	if (!f)
		die("trace");
	while (fgets(line, sizeof(line), f)) {
		char *fn, *end;

		if (line[0] == '#' || !strstr(line, "] "))
			continue;
		fn = strstr(strstr(line, "] "), ": ");
		if (!fn)
			continue;
		fn += 2;
		end = fn + strcspn(fn, " \n");
		*end = '\0';
		for (i = 0; i < nfn; i++)
			if (!strcmp(fns[i].name, fn))
				break;
		if (i == nfn) {
			if (nfn == 4096)
				continue;
			snprintf(fns[nfn++].name, sizeof(fns[0].name), "%s", fn);
			fns[i].calls = 0;
		}
		fns[i].calls++;
		total++;
	}
	fclose(f);
	tracefs_write("current_tracer", "nop");
	tracefs_write("buffer_size_kb", "1408");
	qsort(fns, nfn, sizeof(fns[0]), cmp_count);
	printf("# %s %s: %ld iterations, %.1f kernel functions each\n",
	       what, name, iters, (double)total / iters);
	for (i = 0; i < nfn; i++)
		if (fns[i].calls * 10 >= iters)	/* at least every 10th */
			printf("# %s %s %-40s %8.2f\n", what, name, fns[i].name,
			       (double)fns[i].calls / iters);
}

/*
 * --rr-count MECH ITERS: every kernel function CPU 0 enters during @iters
 * round trips (ftrace's function tracer), counted per round trip: what
 * each mechanism does, not how long it takes.
 */
static int run_rr_count(const char *name, long iters)
{
	if (count_start("65536"))
		return 1;
	rr_loop(rr_mech_by_name(name), 0, iters);
	count_report("rr-count", name, iters);
	return 0;
}

/*
 * --count MECH SIZE ITERS: the same for one thread on CPU 0 sending and
 * receiving @size bytes @iters times (after a warm-up), per message: the
 * kernel's work of (a), or of a ring send and its consumption.
 */
static int run_count(const char *name, size_t size, long iters)
{
	const struct mech *m = mech_by_name(name);
	char *sbuf = alloc_buf(MAX_SIZE), *rbuf = alloc_buf(MAX_SIZE);
	struct chan c = { .size = size };
	long k;

	if (size > MAX_SIZE || iters <= 0 || !mech_ok(m) ||
	    m->open(&c, size, CAPACITY))
		die(name);
	pin(0);
	for (k = 0; k < 2000; k++)	/* warm-up */
		if (m->send(&c, sbuf, size) || m->recv(&c, rbuf, MAX_SIZE) < 0)
			die(name);
	/* About 40 functions of 4 KiB or less per message: 4 MiB is ample. */
	if (count_start("4096"))
		return 1;
	tracefs_write("tracing_on", "1");
	for (k = 0; k < iters; k++)
		if (m->send(&c, sbuf, size) || m->recv(&c, rbuf, MAX_SIZE) < 0)
			die(name);
	tracefs_write("tracing_on", "0");
	count_report("count", m->send == ring_send && ring_write ?
		     "mbox-ring-write" : name, iters);
	pin(-1);
	m->close(&c);
	free(sbuf - HEADROOM);
	free(rbuf - HEADROOM);
	return 0;
}

/* ftrace function_graph of 200 send+receive of 64 bytes, per mechanism. */
static int run_profile(void)
{
	static const char *const which[] = { "mbox", "mbox-bound", "sysv",
					      "posix-mq", "mbox-ring" };
	char *sbuf = alloc_buf(64), *rbuf = alloc_buf(MAX_SIZE), pid[32];
	long iters = 200, k;
	unsigned int i;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (tracefs_write("current_tracer", "function_graph") ||
	    tracefs_write("set_ftrace_pid", pid) ||
	    tracefs_write("max_graph_depth", "7") ||
	    tracefs_write("options/funcgraph-tail", "1") ||
	    tracefs_write("set_graph_function", "__x64_sys_ioctl") ||
	    tracefs_write_mode("set_graph_function", "__x64_sys_msgsnd",
			       O_APPEND) ||
	    tracefs_write_mode("set_graph_function", "__x64_sys_msgrcv",
			       O_APPEND) ||
	    tracefs_write_mode("set_graph_function", "__x64_sys_mq_timedsend",
			       O_APPEND) ||
	    tracefs_write_mode("set_graph_function",
			       "__x64_sys_mq_timedreceive", O_APPEND)) {
		printf("# profile: cannot set up function_graph in " TRACEFS "\n");
		return 1;
	}
	tracefs_write("buffer_size_kb", "16384");
	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		const struct mech *m = mech_by_name(which[i]);
		struct chan c = { .size = 64 };

		if (!mech_ok(m))
			continue;
		if (m->open(&c, 64, CAPACITY))
			die(m->name);
		for (k = 0; k < 100; k++)
			if (m->send(&c, sbuf, 64) || m->recv(&c, rbuf, MAX_SIZE) < 0)
				die(m->name);
		tracefs_write("tracing_on", "0");
		tracefs_write("trace", "");
		tracefs_write("tracing_on", "1");
		for (k = 0; k < iters; k++)
			if (m->send(&c, sbuf, 64) || m->recv(&c, rbuf, MAX_SIZE) < 0)
				die(m->name);
		tracefs_write("tracing_on", "0");
		m->close(&c);
		profile_report(m->name, iters);
	}
	/* mbox batches of 64: the same 200-ish messages, per message */
	{
		struct mbox_batch_msg sv[64], rv[64];
		struct chan c = { .size = 64 };
		char *rb = alloc_buf(64 * 64);

		if (!has_batch() || mboxdev_open(&c, 64, CAPACITY))
			goto out;
		for (k = 0; k < 64; k++) {
			sv[k] = (struct mbox_batch_msg){ .buf = (uintptr_t)sbuf,
							 .len = 64 };
			rv[k] = (struct mbox_batch_msg){
				.buf = (uintptr_t)(rb + 64 * k), .len = 64 };
		}
		tracefs_write("trace", "");
		tracefs_write("tracing_on", "1");
		for (k = 0; k < 4; k++) {
			if (mbox_send_batch(mbox_dev, c.id, sv, 64, 0, 0,
					    NULL) != 64 ||
			    mbox_recv_batch(mbox_dev, c.id, rv, 64, 0, 0, 0,
					    NULL) != 64)
				die("batch");
		}
		tracefs_write("tracing_on", "0");
		mboxdev_close(&c);
		profile_report("mbox-batch-64", 4 * 64);
	}
out:
	tracefs_write("current_tracer", "nop");
	printf("# end of profile\n");
	return 0;
}

/* The request/reply rows: SENDRECV against the others, same boot. */
static void print_sendrecv_table(void)
{
	static const char *const where[3] = { "not pinned", "1 CPU", "2 CPUs" };
	static const int modes[3] = { 1, 2, 0 };
	double sr, v;
	char t[96];
	int i, mode, n, k;

	printf("table,\n");
	printf("table,=== request/reply: MBOX_IOC_SENDRECV (issue 16), same boot ===\n");
	sr = lookup("sr-self", "mbox-sr", 64, 1, "ns_per_msg");
	v = lookup("sr-self", "mbox", 64, 1, "ns_per_msg");
	table_line("one thread, 64B: SENDRECV / SEND+RECV (no wake-up)",
		   ratio(sr, v), "info", 1);
	for (i = 0; i < 3; i++) {
		mode = modes[i];
		sr = lookup("rr-pingpong", "mbox-sr", 64, mode, "p50_ns");
		v = lookup("rr-pingpong", "sysv", 64, mode, "p50_ns");
		snprintf(t, sizeof(t), "SENDRECV 64B round trip p50, %s: mbox-sr / sysv",
			 where[mode]);
		table_line(t, ratio(sr, v), mode == 1 ? "<= 0.85" : "info",
			   mode != 1 || sr <= 0.85 * v);
		v = lookup("rr-pingpong", "pipe", 64, mode, "p50_ns");
		snprintf(t, sizeof(t), "SENDRECV 64B round trip p50, %s: mbox-sr / pipe",
			 where[mode]);
		table_line(t, ratio(sr, v), mode == 1 ? "<= 0.85" : "info",
			   mode != 1 || sr <= 0.85 * v);
		v = lookup("rr-pingpong", "mbox", 64, mode, "p50_ns");
		snprintf(t, sizeof(t), "SENDRECV 64B round trip p50, %s: mbox-sr / mbox",
			 where[mode]);
		table_line(t, ratio(sr, v), "info", 1);
		v = lookup("rr-pingpong", "mbox-sr-nosync", 64, mode, "p50_ns");
		snprintf(t, sizeof(t), "sync hint, p50, %s: mbox-sr / mbox-sr-nosync",
			 where[mode]);
		table_line(t, ratio(sr, v), "info", 1);
	}
	/*
	 * The floor of any round trip that sleeps: two wake-ups and two
	 * switches, nothing else.  Above 0.85, the 1-CPU targets are out of
	 * reach of a call that puts its caller to sleep.
	 */
	sr = lookup("pingpong", "eventfd", 8, 1, "p50_ns");
	v = lookup("rr-pingpong", "sysv", 64, 1, "p50_ns");
	table_line("floor, 1 CPU, p50: eventfd ping-pong / sysv round trip",
		   ratio(sr, v), "info", 1);
	v = lookup("rr-pingpong", "pipe", 64, 1, "p50_ns");
	table_line("floor, 1 CPU, p50: eventfd ping-pong / pipe round trip",
		   ratio(sr, v), "info", 1);
	for (n = 1; n <= RR_MAX_CLIENTS; n *= 2) {
		sr = lookup("rpc", "mbox-sr", 64, n, "rtt_per_s");
		for (k = 1; k < (int)NR_RR_MECHS; k++) {
			v = lookup("rpc", rr_mechs[k].name, 64, n, "rtt_per_s");
			snprintf(t, sizeof(t), "rpc %d client(s), round trips/s: mbox-sr / %s",
				 n, rr_mechs[k].name);
			table_line(t, ratio(sr, v), "info", 1);
		}
	}
}

int main(int argc, char **argv)
{
	const char *e;
	int r, i, k, n, batch, sendrecv_ok;
	uint64_t saved;

	e = getenv("MBOX_BENCH_MS");
	if (e && atol(e) > 0)
		cell_ms = atol(e);
	e = getenv("MBOX_BENCH_RING_SPIN");
	if (e)
		ring_spin = atol(e);
	e = getenv("MBOX_BENCH_RING_WRITE");
	if (e)
		ring_write = atoi(e);
	e = getenv("MBOX_BENCH_RING_BYTES");
	if (e && *e)
		ring_min_bytes = strtoull(e, NULL, 0);
	e = getenv("MBOX_BENCH_REPS");
	if (e && atoi(e) > 0 && atoi(e) <= 16)
		reps = atoi(e);
	setvbuf(stdout, NULL, _IOLBF, 0);
	mbox_dev = lib_ret(mbox_open(0));
	if (mbox_dev < 0)
		die(LIBMBOX_DEVICE);
	if (lib_ret(mbox_features(mbox_dev, &mbox_features_mask)))
		die("mbox_features");
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		die("mmap");
	equalise();
	if (argc > 1 && !strcmp(argv[1], "--profile"))
		return run_profile();
	if (argc == 4 && !strcmp(argv[1], "--rr-loop"))
		return run_rr_loop(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "--rr-count"))
		return run_rr_count(argv[2], atol(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "--count"))
		return run_count(argv[2], strtoul(argv[3], NULL, 0),
				 atol(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "--loop"))
		return run_loop(argv[2], strtoul(argv[3], NULL, 0), atoi(argv[4]));
	batch = has_batch();
	sendrecv_ok = has_sendrecv();
	printf("# mbox-bench: %d repetitions, %ld ms per cell, %ld CPUs, batch %s, sendrecv %s\n",
	       reps, cell_ms, sysconf(_SC_NPROCESSORS_ONLN), batch ? "yes" : "no",
	       sendrecv_ok ? "yes" : "no");

	for (r = 0; r < reps; r++) {
		uint64_t t = now_ns();

		printf("# repetition %d\n", r + 1);
		/* (a), (e): every size, all contenders in interleaved slices */
		for (i = 0; want("single") && i < (int)NR_SIZES; i++) {
			if (!want_size(sizes[i]))
				continue;
			run_single_all(sizes[i], r);
			record("memcpy", "memcpy", sizes[i], 1, "bytes_per_s",
			       run_memcpy_bw(sizes[i]));
		}
		if (want("single"))
			record("single", "noop-ioctl", 0, 1, "ns_per_msg",
			       run_floor(0, 1, 0));
		/* (b): both on CPU 0 (n 1), and on CPUs 0 and 1 (n 2) */
		for (k = 0; want("pingpong") && k < 2 * ((int)NR_MECHS + 1); k++) {
			int j = (k / 2 + r) % (NR_MECHS + 1), cross = k % 2;
			double p50, p99;

			if (j == NR_MECHS) {
				run_eventfd(cross, &p50, &p99);
				record("pingpong", "eventfd", 8, 1 + cross, "p50_ns", p50);
				record("pingpong", "eventfd", 8, 1 + cross, "p99_ns", p99);
				continue;
			}
			if (!mech_ok(&mechs[j]))
				continue;
			run_pingpong(&mechs[j], 64, cross, &p50, &p99);
			record("pingpong", mechs[j].name, 64, 1 + cross, "p50_ns", p50);
			record("pingpong", mechs[j].name, 64, 1 + cross, "p99_ns", p99);
		}
		/* (c), (e) */
		for (i = 0; want("stream") && i < (int)NR_SIZES; i++) {
			if (!want_size(sizes[i]))
				continue;
			for (k = 0; k < (int)NR_MECHS; k++) {
				const struct mech *m = &mechs[(k + r + i) % NR_MECHS];

				if (!mech_ok(m))
					continue;
				record("stream", m->name, sizes[i], 1,
				       "msgs_per_s", run_stream(m, sizes[i], 1, 1, 1));
				if (!(m->feature & MBOX_FEATURE_RING))
					continue;
				record("stream-waits", m->name, sizes[i], 1,
				       "waits_per_msg", stream_waits_per_msg);
				record("stream-sleeps", m->name, sizes[i], 1,
				       "sleeps_per_msg", stream_sleeps_per_msg);
				record("stream-queued", m->name, sizes[i], 1,
				       "queued_per_msg", stream_refilled_per_msg);
				/* The same with a ring of CAPACITY messages. */
				saved = ring_min_bytes;
				ring_min_bytes = 0;
				record("stream", "mbox-ring-small", sizes[i], 1,
				       "msgs_per_s", run_stream(m, sizes[i], 1, 1, 1));
				record("stream-queued", "mbox-ring-small", sizes[i], 1,
				       "queued_per_msg", stream_refilled_per_msg);
				ring_min_bytes = saved;
				/* Its producer batched: RING_BATCH per call. */
				if (!mech_ok(&ring_batch_mech))
					continue;
				record("stream", ring_batch_mech.name, sizes[i], 1,
				       "msgs_per_s",
				       run_stream(&ring_batch_mech, sizes[i], 1, 1, 1));
				record("stream-queued", ring_batch_mech.name, sizes[i],
				       1, "queued_per_msg", stream_refilled_per_msg);
			}
		}
		/* (d) */
		for (n = 1; want("pairs") && n <= 8; n *= 2) {
			for (k = 0; k < (int)NR_MECHS; k++) {
				const struct mech *m = &mechs[(k + r + n) % NR_MECHS];

				if (!mech_ok(m))
					continue;
				record("pairs", m->name, 64, n, "msgs_per_s",
				       run_stream(m, 64, n, n, 0));
				if (!m->multi_reader)
					continue;
				record("shared", m->name, 64, n, "msgs_per_s",
				       run_stream(m, 64, n, 1, 0));
			}
		}
		/* (d) without wake-ups: 1 and 2 loops on their own channels */
		for (n = 1; want("self") && n <= 2; n++) {
			for (k = 0; k < (int)NR_MECHS; k++) {
				const struct mech *m = &mechs[(k + r + n) % NR_MECHS];

				if (!mech_ok(m))
					continue;
				record("self", m->name, 64, n, "msgs_per_s",
				       run_self(m, n));
			}
		}
		/* (f): mbox and SysV */
		for (k = 0; want("scale") && k < 2; k++) {
			const struct mech *m = mech_by_name((k + r) % 2 ?
							    "sysv" : "mbox");

			record("scale", m->name, 64, 1, "ns_per_msg",
			       run_scale(m, 0, 0));
			record("scale", m->name, 64, SCALE_N, "ns_per_msg",
			       run_scale(m, SCALE_N - 1, 0));
			record("scale-queued", m->name, 64, 0, "ns_per_msg",
			       run_scale(m, 0, 0));
			record("scale-queued", m->name, 64, SCALE_N, "ns_per_msg",
			       run_scale(m, 0, SCALE_N));
		}
		/* request/reply, MBOX_IOC_SENDRECV */
		if (sendrecv_ok && want("sendrecv"))
			run_sendrecv_all(r);
		/* batching */
		if (batch && want("batch")) {
			record("batch-stream", "mbox-batch", 64, 64, "msgs_per_s",
			       run_batch_stream(64, 64));
		}
		printf("# repetition %d took %.1f s\n", r + 1,
		       (now_ns() - t) / 1e9);
	}
	print_csv();
	print_table();
	if (sendrecv_ok)
		print_sendrecv_table();
	if (mbox_features_mask & MBOX_FEATURE_RING)
		print_ring_table();
	return 0;
}
