// SPDX-License-Identifier: GPL-2.0
/*
 * mbox ioctl fuzzer: a seeded, reproducible random sequence of calls on
 * /dev/mbox and on files made by MBOX_IOC_OPEN, with random and partly
 * malformed arguments:
 *
 * - commands: the real ones, wrong direction bits, sizes below the
 *   version-1 size, between versions, larger with zero or non-zero tails,
 *   wrong magic, unknown numbers, garbage in the upper 32 bits, random
 *   numbers;
 * - structs at valid, misaligned, read-only, unmapped, kernel and
 *   non-canonical addresses, and ones that run into an unmapped page;
 * - ids live, destroyed, 0, huge; flags valid, conflicting and unknown;
 *   lengths 0, small, page boundaries, max, max + 1, near SIZE_MAX;
 *   buffers valid, read-only, unmapped, in the kernel, partly unmapped;
 * - MBOX_IOC_SEND_BATCH and MBOX_IOC_RECV_BATCH with arrays of 0 to 1025
 *   elements, readable, read-only, unmapped or running into an unmapped
 *   page, whose elements carry every kind of buffer and length;
 * - the receive ring (MBOX_FEATURE_RING): MBOX_IOC_RING_SETUP and
 *   MBOX_IOC_RING_WAIT with the same variations, mmap() of its parts
 *   (and mappings it must refuse), reading its records and storing the
 *   consumer position, sometimes garbage, through the mapping, and the
 *   consumer's fd closed, its mappings unmapped and its mailbox destroyed
 *   in any order;
 * - read(), write(), poll() and fcntl(O_NONBLOCK) on mailbox files,
 *   close() of mailbox files and of /dev/mbox files (which destroys their
 *   MBOX_CREATE_AUTODESTROY mailboxes).
 *
 * The test is single-threaded, so it keeps an exact model of every mailbox
 * it made (queued messages with their content, type and sequence number,
 * counters).  For each call it works out which documented errors apply to
 * the arguments and the state (include/uapi/linux/mbox.h) and accepts only
 * those; success only when none applies.  It does not assume an order
 * between two errors that both apply.  Successful calls are checked in
 * detail against the model (the message received, STAT and INFO figures,
 * poll masks), and output structs for bytes written past their size.  A
 * batch call is predicted message by message: its return value, @done and
 * @error, which messages moved in which order, and each element's report
 * (see op_batch()).  A ring's model holds the records between the
 * consumer's and the producer's positions: which messages went in and
 * in which order, what stayed queued
 * outside, MBOX_RING_REFILL and MBOX_RING_DEAD; every record read is
 * compared with it, and so are the producer page and the consumer file's
 * poll() (see "The receive ring's model").  Environment variables reach the guest's tests from
 * the kernel command line: VM_APPEND="mboxtests=fuzz MBOX_FUZZ_ITERS=...".
 *
 * The size of the struct the module reads for each command is probed at
 * start (the smallest size whose non-zero last byte gives E2BIG), so the
 * test follows a module built from a later header; command numbers it
 * does not know but the module has are called and not judged.  Fields it
 * does not know are left zero.
 *
 * It never waits long: a send or receive that the kernel would accept has
 * MBOX_NONBLOCK, or MBOX_TIMEOUT of at most 1 ms, or MBOX_TIMEOUT_ABS at
 * most 1 ms ahead; read() and write() on a blocking file are made only
 * when the model says they cannot block.  A watchdog thread interrupts a
 * call that still runs after a few seconds, and reports it.
 *
 * Environment: MBOX_FUZZ_SEED (default: from the clock; always printed),
 * MBOX_FUZZ_ITERS (default 100000), MBOX_FUZZ_SECONDS (default 60),
 * MBOX_FUZZ_VERBOSE=1 (a progress line every 100000 iterations).  The same
 * seed on a module in the same state makes the same calls.  Kernel splats
 * are the guest's dmesg scan's business.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/mbox.h>

#include "kselftest.h"

#define MBOX_DEV	"/dev/mbox"

#define WAIT_FLAGS	(MBOX_NONBLOCK | MBOX_TIMEOUT | MBOX_TIMEOUT_ABS)
#define SEND_FLAGS	WAIT_FLAGS
#define RECV_FLAGS	(WAIT_FLAGS | MBOX_RECV_TYPE | MBOX_RECV_EXCEPT | \
			 MBOX_RECV_PEEK | MBOX_RECV_TRUNC)

#define MS_NS		1000000ULL
#define MAX_RW_COUNT	(INT_MAX & ~4095UL)
/* x86-64 with 4-level page tables; only values far from it are used. */
#define USER_LIMIT	((1UL << 47) - 4096)

#define MAX_BOXES	48	/* live mailboxes the fuzzer aims to keep */
#define MAX_LIVE	512	/* room for surprises */
#define MAX_MFDS	48
#define NCTL		3
#define NDEAD		64
#define MAX_FOREIGN	256
#define MAX_VIOL_SHOWN	25
#define BUDGET_BYTES	(8ULL << 20)
#define BUDGET_MSGS	20000
#define ARG_PAGES	5	/* room for the largest _IOC_SIZE, 16383 */
#define CBUF		16384

/* ---------------------------------------------------------------------- */
/* Random numbers: splitmix64, reproducible from the seed. */

static __u64 rng_state;

static __u64 rnd64(void)
{
	__u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0 .. n - 1 */
static __u64 rnd(__u64 n)
{
	return n ? rnd64() % n : 0;
}

static bool chance(unsigned int per_mille)
{
	return rnd(1000) < per_mille;
}

/* ---------------------------------------------------------------------- */
/* Errno sets. */

typedef unsigned __int128 eset;

static inline eset E(int e)
{
	return e > 0 && e < 128 ? (eset)1 << e : 0;
}

static const char *ename(int e)
{
	static char buf[16];

	switch (e) {
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENFILE: return "ENFILE";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case ENOSPC: return "ENOSPC";
	case EIDRM: return "EIDRM";
	case EMSGSIZE: return "EMSGSIZE";
	case EBUSY: return "EBUSY";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENODEV: return "ENODEV";
	case EDQUOT: return "EDQUOT";
	case ENOBUFS: return "ENOBUFS";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EEXIST: return "EEXIST";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	}
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

static void eset_str(eset s, char *buf, size_t size)
{
	size_t n = 0;
	int e;

	buf[0] = '\0';
	for (e = 1; e < 128 && n < size; e++)
		if (s & E(e))
			n += snprintf(buf + n, size - n, "%s%s",
				      n ? "," : "", ename(e));
}

/* ---------------------------------------------------------------------- */
/* The commands, as the module dispatches them. */

enum {
	H_INFO, H_CREATE, H_DESTROY, H_SEND, H_RECV, H_STAT, H_OPEN, H_NR,
	H_UNKNOWN_PRESENT = 100,	/* a command this test does not know */
	H_NONE = -1,			/* not a command of the module */
};

struct hinfo {
	const char *name;
	unsigned int cmd;	/* as in the header */
	unsigned int ver1;	/* MBOX_*_SIZE_VER1 */
	unsigned int known;	/* the fields this test knows */
	unsigned int ksize;	/* what the module reads: probed */
};

static struct hinfo hi[H_NR] = {
	[H_INFO] = { "INFO", MBOX_IOC_INFO, MBOX_INFO_SIZE_VER1, 48, 0 },
	[H_CREATE] = { "CREATE", MBOX_IOC_CREATE, MBOX_CREATE_SIZE_VER1, 16, 0 },
	[H_DESTROY] = { "DESTROY", MBOX_IOC_DESTROY, MBOX_DESTROY_SIZE_VER1, 8, 0 },
	[H_SEND] = { "SEND", MBOX_IOC_SEND, MBOX_SEND_SIZE_VER1, 40, 0 },
	[H_RECV] = { "RECV", MBOX_IOC_RECV, MBOX_RECV_SIZE_VER1, 72, 0 },
	[H_STAT] = { "STAT", MBOX_IOC_STAT, MBOX_STAT_SIZE_VER1, 112, 0 },
	[H_OPEN] = { "OPEN", MBOX_IOC_OPEN, MBOX_OPEN_SIZE_VER1, 8, 0 },
};

/* Command numbers beyond H_OPEN that the module turned out to have. */
static bool nr_present[256];

/*
 * The generic ioctls the VFS handles before the driver (fs/ioctl.c) have
 * these types; random commands avoid them (FIONBIO would change a file's
 * blocking mode behind the model's back).
 */
static bool vfs_type(unsigned int type)
{
	return type == 0x00 || type == 'T' || type == 'X' || type == 'f' ||
	       type == 0x94;
}

/* ---------------------------------------------------------------------- */
/*
 * Memory: an argument area and a data area, each seen read-write and
 * read-only (one memfd mapped twice) and followed by an unmapped page.
 */

struct area {
	unsigned char *rw, *ro;
	size_t size;
};

struct region {
	unsigned long addr;	/* what the kernel gets */
	unsigned char *alias;	/* a writable view of it, or NULL */
	size_t rd, wr;		/* bytes readable, writable from addr */
	const char *kind;
};

static size_t psz;
static struct area arga, data;
/*
 * PROT_NONE pages; "unmapped" addresses are in the first two, so that even
 * a 16383-byte struct there ends inside them (the module checks a struct's
 * tail before its start).
 */
static unsigned char *holes;
#define NHOLES	8

static const unsigned long bad_addrs[] = {
	0, 0x10, 0x1000, 0xffffffff81000000UL, 0xffff888000000000UL,
	0xffffffffff600000UL, 0xfffffffffffff000UL, 0x8000000000000000UL,
	0xffffffffffffffffUL, 0xdead000000000000UL,
};

static int map_area(struct area *a, size_t size)
{
	int fd = memfd_create("mbox-fuzz", MFD_CLOEXEC);
	void *p;

	a->size = size;
	a->rw = mmap(NULL, size + psz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	if (a->rw == MAP_FAILED)
		return -1;
	if (fd < 0) {	/* no read-only view then */
		p = mmap(a->rw, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		a->ro = NULL;
		return p == MAP_FAILED ? -1 : 0;
	}
	if (ftruncate(fd, size))
		return -1;
	p = mmap(a->rw, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, 0);
	if (p == MAP_FAILED)
		return -1;
	a->ro = mmap(NULL, size + psz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	if (a->ro == MAP_FAILED)
		return -1;
	p = mmap(a->ro, size, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? -1 : 0;
}

/* An offset for @len bytes in @a: mostly aligned, sometimes not. */
static size_t pick_off(const struct area *a, size_t len)
{
	size_t span = len < a->size ? a->size - len : 0;
	size_t off;

	off = chance(500) ? rnd((span < 512 ? span : 512) + 1)
			  : rnd(span + 1);
	if (chance(700))
		off &= ~7UL;
	else if (off < span)
		off |= 1 + rnd(7);
	return off > span ? span : off;
}

/*
 * Where to put @len bytes: a buffer or struct of any kind.  Without
 * @allow_bad, always somewhere the test can write through an alias.
 */
static void pick_region(const struct area *a, __u64 len64, struct region *r,
			bool allow_bad)
{
	size_t len = len64 > a->size ? a->size : (size_t)len64;
	unsigned int k = allow_bad ? rnd(1000) : rnd(900);
	size_t off;

	memset(r, 0, sizeof(*r));
	if (k >= 900) {
		if (k < 930) {
			r->addr = (unsigned long)holes + rnd(2 * psz);
			r->kind = "unmapped";
		} else {
			r->addr = bad_addrs[rnd(sizeof(bad_addrs) /
						sizeof(bad_addrs[0]))];
			if (r->addr && r->addr != ~0UL && chance(300))
				r->addr += rnd(64);
			r->kind = r->addr < 0x10000 ? "low" : "kernel";
		}
		return;
	}
	if (k >= 860 && a->ro) {
		off = pick_off(a, len);
		r->addr = (unsigned long)(a->ro + off);
		r->alias = a->rw + off;
		r->rd = a->size - off;
		r->kind = "read-only";
		return;
	}
	if (k >= 820 && k < 860 && len > 0 && len64 <= a->size) {
		off = a->size - len + 1 + rnd(len < 64 ? len - 1 : 63);
		if (off >= a->size)
			off = a->size - 1;
		r->kind = "crossing";
	} else if (k >= 780 && k < 820) {
		off = a->size - len;
		r->kind = "at-end";
	} else {
		off = pick_off(a, len);
		r->kind = (off & 7) ? "misaligned" : "valid";
	}
	r->addr = (unsigned long)(a->rw + off);
	r->alias = a->rw + off;
	r->rd = a->size - off;
	r->wr = r->rd;
}

static bool readable(const struct region *r, __u64 n)
{
	return n == 0 || n <= r->rd;
}

static bool writable(const struct region *r, __u64 n)
{
	return n == 0 || n <= r->wr;
}

/* access_ok() of read(2) and write(2). */
static bool access_bad(unsigned long addr, __u64 n)
{
	return n > USER_LIMIT || addr > USER_LIMIT - n;
}

/* ---------------------------------------------------------------------- */
/* The model. */

struct mmsg {
	__u64 len;
	__u32 type;
	__u64 seq;
	unsigned char *data;	/* NULL if not known (should not happen) */
};

/* A call on a mailbox, for the history shown with its first violation. */
struct note {
	__u64 iter;
	const char *op;
	__u32 flags, type;
	__u64 len;
	long ret;	/* >= 0, or -errno */
	__u64 seq;	/* RECV: the seq reported, if any */
};

#define NNOTES	12

struct mring;

struct mbx {
	struct mring *ring;	/* its receive ring, or NULL */
	struct note notes[NNOTES];
	unsigned int nnotes;
	bool shown;
	__u32 id, cap, maxsz;
	__u64 cflags;
	__u32 mode;		/* permission bits */
	int owner;		/* index in ctl[] */
	bool live;
	int nfds;
	struct mmsg *q;
	size_t qn, qsz;
	__u64 bytes, seq;
	__u64 sent_msgs, sent_bytes, recv_msgs, recv_bytes;
};

struct mfd {
	int fd;
	struct mbx *m;
	struct mring *ring;	/* the ring this file consumes, or NULL */
	bool nonblock, cloexec;
};

static struct mbx *live[MAX_LIVE];
static int nlive;
static __u32 dead_ids[NDEAD];
static int ndead;
static struct mfd mfds[MAX_MFDS + 16];
static int nmfds;
static int ctl[NCTL];
static __u32 foreign[MAX_FOREIGN];
static int nforeign;
static __u64 foreign_msgs, foreign_bytes;
static __u32 max_id_seen;
static __u64 model_msgs, model_bytes;
static struct mbx *viol_m;	/* the mailbox the current call is on */

static struct mbox_info info0;
static __u32 ns_max;	/* see read_ns_max() */

/*
 * The most mailboxes this (the initial) IPC namespace may have: its own
 * share with MBOX_FEATURE_NS_SHARES, which takes it out of max_mailboxes;
 * before that, both limits.  From a whole struct (@info0 is read at the
 * version-2 size only).
 */
static void read_ns_max(int fd)
{
	struct mbox_info full;

	memset(&full, 0, sizeof(full));
	ns_max = info0.max_mailboxes;
	if (ioctl(fd, MBOX_IOC_INFO, &full))
		return;
	if (full.features & MBOX_FEATURE_NS_SHARES)
		ns_max = full.max_mailboxes_per_ns;
	else if ((full.features & MBOX_FEATURE_LIMITS) &&
		 full.max_mailboxes_per_ns < ns_max)
		ns_max = full.max_mailboxes_per_ns;
}
static __u64 features;
static pid_t mypid;
static uid_t myeuid;
static __u64 t0_ns;

static struct mbx *find_live(__u32 id)
{
	int i;

	for (i = 0; i < nlive; i++)
		if (live[i]->id == id)
			return live[i];
	return NULL;
}

static bool is_foreign(__u32 id)
{
	int i;

	for (i = 0; i < nforeign; i++)
		if (foreign[i] == id)
			return true;
	return false;
}

static void q_push(struct mbx *m, __u64 len, __u32 type, const void *src)
{
	struct mmsg *x;

	if (m->qn == m->qsz) {
		size_t n = m->qsz ? 2 * m->qsz : 8;
		struct mmsg *q = realloc(m->q, n * sizeof(*q));

		if (!q)
			ksft_exit_fail_msg("out of memory\n");
		m->q = q;
		m->qsz = n;
	}
	x = &m->q[m->qn++];
	x->len = len;
	x->type = type;
	x->seq = ++m->seq;
	x->data = NULL;
	if (src && len) {
		x->data = malloc(len);
		if (!x->data)
			ksft_exit_fail_msg("out of memory\n");
		memcpy(x->data, src, len);
	}
	m->bytes += len;
	m->sent_msgs++;
	m->sent_bytes += len;
	model_msgs++;
	model_bytes += len;
}

static void q_del(struct mbx *m, size_t i)
{
	m->bytes -= m->q[i].len;
	model_msgs--;
	model_bytes -= m->q[i].len;
	m->recv_msgs++;
	m->recv_bytes += m->q[i].len;
	free(m->q[i].data);
	memmove(&m->q[i], &m->q[i + 1], (m->qn - i - 1) * sizeof(m->q[0]));
	m->qn--;
}

static void mbx_free_queue(struct mbx *m)
{
	size_t i;

	for (i = 0; i < m->qn; i++)
		free(m->q[i].data);
	model_msgs -= m->qn;
	model_bytes -= m->bytes;
	free(m->q);
	m->q = NULL;
	m->qn = 0;
	m->qsz = 0;
	m->bytes = 0;
}

static struct mbx *mbx_new(__u32 id, __u32 cap, __u32 maxsz, __u64 cflags,
			   int owner)
{
	struct mbx *m = calloc(1, sizeof(*m));

	if (!m || nlive >= MAX_LIVE)
		ksft_exit_fail_msg("too many mailboxes\n");
	m->id = id;
	m->cap = cap;
	m->maxsz = maxsz;
	m->cflags = cflags;
	m->owner = owner;
	m->live = true;
	live[nlive++] = m;
	if (id > max_id_seen)
		max_id_seen = id;
	return m;
}

/* ---------------------------------------------------------------------- */
/*
 * The receive ring's model (MBOX_FEATURE_RING).  A ring is bound to its
 * mailbox from MBOX_IOC_RING_SETUP until its consumer file is closed, and
 * its model lives on while the test still maps it.  It holds the records
 * the kernel has written and the consumer has not passed, in order, and
 * the two positions: the kernel's producer position, and what the
 * consumer page holds (the consumed position, or garbage the test wrote).
 * While a mailbox has a ring, a send goes into it when nothing is queued
 * outside it and it has room as the kernel computes room from the
 * consumer page; otherwise it queues as before and sets MBOX_RING_REFILL.
 */

#define MAX_RINGS	64

struct rrec {
	__u64 pos, len, seq;
	__u32 type;
	bool discard;
	unsigned char *data;	/* NULL if not known or a discard */
};

struct mring {
	struct mbx *m;		/* while bound, else NULL */
	bool fd_open;		/* the consumer's fd is not closed yet */
	__u32 size;
	__u64 prod;		/* the kernel's producer position */
	__u64 cons;		/* what the test consumed up to */
	__u64 cons_page;	/* what the consumer page holds */
	bool dead;
	int refill;		/* MBOX_RING_REFILL: 0, 1, or -1 not known */
	struct rrec *r;		/* records from @cons to @prod */
	size_t rn, rsz;
	unsigned char *cmap;	/* the consumer page, mapped, or NULL */
	unsigned char *pmap;	/* producer page and data, or NULL */
	__u64 off_cons, off_prod, off_data;
};

static struct mring *rings[MAX_RINGS];
static int nrings;
static __u64 ring_recs_read, ring_discards_read, ring_refilled;

static __u64 rec_size(__u64 len)
{
	return MBOX_RING_REC_SIZE(len);
}

/* Room for a record of @len bytes, as the kernel sees it. */
static bool ring_room(const struct mring *r, __u64 prod, __u64 len)
{
	__u64 used = prod - r->cons_page;

	return used <= r->size && rec_size(len) <= r->size - used;
}

/* Does a message of @len bytes sent to @m now go into its ring? */
static bool ring_takes(const struct mbx *m, __u64 len)
{
	const struct mring *r = m->ring;

	return r && !r->dead && !m->qn && ring_room(r, r->prod, len);
}

static void ring_push(struct mring *r, __u64 len, __u32 type, __u64 seq,
		      const void *src, bool discard)
{
	struct rrec *x;

	if (r->rn == r->rsz) {
		size_t n = r->rsz ? 2 * r->rsz : 16;
		struct rrec *q = realloc(r->r, n * sizeof(*q));

		if (!q)
			ksft_exit_fail_msg("out of memory\n");
		r->r = q;
		r->rsz = n;
	}
	x = &r->r[r->rn++];
	x->pos = r->prod;
	x->len = len;
	x->seq = seq;
	x->type = type;
	x->discard = discard;
	x->data = NULL;
	if (src && len && !discard) {
		x->data = malloc(len);
		if (!x->data)
			ksft_exit_fail_msg("out of memory\n");
		memcpy(x->data, src, len);
	}
	r->prod += rec_size(len);
}

/* The consumer passed the first record. */
static void ring_pop(struct mring *r)
{
	free(r->r[0].data);
	memmove(&r->r[0], &r->r[1], (r->rn - 1) * sizeof(r->r[0]));
	r->rn--;
}

/* A message accepted by @m: into its ring, or queued. */
static void send_push(struct mbx *m, __u64 len, __u32 type, const void *src)
{
	if (ring_takes(m, len)) {
		ring_push(m->ring, len, type, ++m->seq, src, false);
		m->sent_msgs++;
		m->sent_bytes += len;
		m->recv_msgs++;		/* received as it enters the ring */
		m->recv_bytes += len;
		return;
	}
	q_push(m, len, type, src);
	if (m->ring)
		m->ring->refill = 1;
}

/*
 * A send whose buffer cannot be read fails with EFAULT before the module
 * reserves a record (it faults the buffer in first), so it leaves nothing
 * in the ring.  Only a munmap() racing the copy leaves a discarded record,
 * and this fuzzer, one thread, never does that.
 */

/* A sender waited outside the ring (and timed out): REFILL may be set. */
static void send_waited(struct mbx *m)
{
	if (m && m->ring && !m->ring->dead && m->ring->refill != 1)
		m->ring->refill = -1;
}

/*
 * MBOX_IOC_RING_WAIT's refill: the queued messages, oldest first, while
 * they fit; each counts as received.  Returns how many moved.
 */
static unsigned int ring_refill(struct mring *r)
{
	struct mbx *m = r->m;
	unsigned int moved = 0;

	if (!m || r->dead || !r->refill)
		return 0;
	while (m->qn && ring_room(r, r->prod, m->q[0].len)) {
		ring_push(r, m->q[0].len, m->q[0].type, m->q[0].seq,
			  m->q[0].data, false);
		q_del(m, 0);
		moved++;
	}
	r->refill = m->qn ? 1 : 0;
	ring_refilled += moved;
	return moved;
}

static void ring_free_if_gone(struct mring *r)
{
	int i;

	if (r->m || r->cmap || r->pmap)
		return;
	for (i = 0; i < nrings; i++)
		if (rings[i] == r)
			rings[i] = rings[--nrings];
	while (r->rn)
		ring_pop(r);
	free(r->r);
	free(r);
}

/*
 * The consumer's file is released once its fd is closed and the ring is
 * no longer mapped (a mapping holds the file): then the mailbox has no
 * ring any more, and the model forgets it.
 */
static void ring_release_check(struct mring *r)
{
	struct mbx *m = r->m;

	if (r->fd_open || r->cmap || r->pmap || !m)
		return;
	if (m->ring == r)
		m->ring = NULL;
	r->m = NULL;
	if (--m->nfds == 0 && !m->live)		/* the ring held it */
		free(m);
	ring_free_if_gone(r);
}

/* The mailbox is gone (destroy, or close of its owner). */
static void mbx_kill(struct mbx *m)
{
	int i;

	for (i = 0; i < nlive; i++) {
		if (live[i] == m) {
			live[i] = live[--nlive];
			break;
		}
	}
	m->live = false;
	if (m->ring) {		/* MBOX_RING_DEAD, REFILL cleared */
		m->ring->dead = true;
		m->ring->refill = 0;
	}
	if (viol_m == m)
		viol_m = NULL;
	dead_ids[ndead++ % NDEAD] = m->id;
	mbx_free_queue(m);
	if (!m->nfds)
		free(m);
}

/* The first message a receive with @flags and @type selects, or -1. */
static long q_select(const struct mbx *m, __u32 flags, __u32 type)
{
	size_t i;

	for (i = 0; i < m->qn; i++) {
		if ((flags & MBOX_RECV_TYPE) && m->q[i].type != type)
			continue;
		if ((flags & MBOX_RECV_EXCEPT) && m->q[i].type == type)
			continue;
		return (long)i;
	}
	return -1;
}

/* ---------------------------------------------------------------------- */
/* Results, violations, counters. */

static __u64 seed, iter, calls, violations, skipped_blocking, wd_fires;
enum {
	OP_GARBAGE = H_NR, OP_FDIOCTL, OP_READ, OP_WRITE, OP_POLL, OP_CLOSE,
	OP_CTLRW, OP_FCNTL, OP_SENDRECV, OP_SEND_BATCH, OP_RECV_BATCH,
	OP_RING_SETUP, OP_RING_MAP, OP_RING_READ, OP_RING_WAIT, NOPS
};

static __u64 hist[NOPS][130];	/* per op, per errno (0: success) */
static __u64 histn[NOPS];
static const char *const opname[NOPS] = {
	"INFO", "CREATE", "DESTROY", "SEND", "RECV", "STAT", "OPEN",
	"ioctl(garbage)", "ioctl(mbox fd)", "read", "write", "poll",
	"close/open", "ctl read/write", "fcntl", "sendrecv", "SEND_BATCH",
	"RECV_BATCH", "RING_SETUP", "ring mmap", "ring read", "RING_WAIT",
};

static void count(int op, long ret, int err)
{
	int e = ret >= 0 ? 0 : err;

	calls++;
	histn[op]++;
	hist[op][e < 130 ? e : 129]++;
}

static void note(struct mbx *m, const char *op, __u32 flags, __u32 type,
		 __u64 len, long ret, int err, __u64 seq)
{
	struct note *n;

	if (!m)
		return;
	n = &m->notes[m->nnotes++ % NNOTES];
	n->iter = iter;
	n->op = op;
	n->flags = flags;
	n->type = type;
	n->len = len;
	n->ret = ret < 0 ? -err : ret;
	n->seq = seq;
}

static void show_notes(struct mbx *m)
{
	unsigned int i = m->nnotes > NNOTES ? m->nnotes - NNOTES : 0;

	printf("#   the last calls on mailbox %u (capacity %u, max %u), oldest first:\n",
	       m->id, m->cap, m->maxsz);
	for (; i < m->nnotes; i++) {
		const struct note *n = &m->notes[i % NNOTES];

		printf("#     iteration %llu: %s flags 0x%x type %u len %llu -> ",
		       (unsigned long long)n->iter, n->op, n->flags, n->type,
		       (unsigned long long)n->len);
		if (n->ret < 0)
			printf("%s", ename(-n->ret));
		else
			printf("%ld", n->ret);
		if (n->seq)
			printf(" (seq %llu)", (unsigned long long)n->seq);
		printf("\n");
	}
}

static void __attribute__((format(printf, 1, 2)))
violation(const char *fmt, ...)
{
	va_list ap;

	violations++;
	if (violations > MAX_VIOL_SHOWN)
		return;
	printf("# VIOLATION %llu (MBOX_FUZZ_SEED=%llu, iteration %llu): ",
	       (unsigned long long)violations, (unsigned long long)seed,
	       (unsigned long long)iter);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (viol_m && !viol_m->shown) {
		viol_m->shown = true;
		show_notes(viol_m);
	}
	fflush(stdout);
}

/* ---------------------------------------------------------------------- */
/* The watchdog: a call still running after a few seconds gets a signal. */

static __u64 progress;	/* these three: __atomic_*() only */
static int wd_stop, wd_fired;
static pthread_t main_thread;

static void wd_handler(int sig)
{
	(void)sig;
}

static void *watchdog(void *arg)
{
	__u64 last = ~0ULL;
	int stale = 0;

	(void)arg;
	while (!__atomic_load_n(&wd_stop, __ATOMIC_RELAXED)) {
		struct timespec ts = { .tv_sec = 1 };
		__u64 now = __atomic_load_n(&progress, __ATOMIC_RELAXED);

		nanosleep(&ts, NULL);
		if (now != last) {
			last = now;
			stale = 0;
			continue;
		}
		if (++stale >= 5) {
			__atomic_store_n(&wd_fired, 1, __ATOMIC_SEQ_CST);
			pthread_kill(main_thread, SIGUSR1);
			stale = 0;
		}
	}
	return NULL;
}

/* Did the watchdog interrupt the last call?  Then say which it was. */
static bool watchdog_fired(void)
{
	if (!__atomic_exchange_n(&wd_fired, 0, __ATOMIC_SEQ_CST))
		return false;
	wd_fires++;
	return true;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* ---------------------------------------------------------------------- */
/* Argument generators. */

static __u32 pick_id(void)
{
	__u32 id;
	unsigned int k = rnd(100);

	if (k < 76 && nlive)
		return live[rnd(nlive)]->id;
	if (k < 84 && ndead)
		return dead_ids[rnd(ndead < NDEAD ? ndead : NDEAD)];
	if (k < 87)
		return 0;
	if (k < 91) {
		static const __u32 huge[] = { INT_MAX, INT_MAX - 1,
					      0x80000000U, 0xffffffffU,
					      0xfffffffeU, 0x7fffff00U };

		return huge[rnd(ARRAY_SIZE(huge))];
	}
	if (k < 95)
		id = max_id_seen + 1 + rnd(4);
	else if (k < 98)
		id = 1 + rnd(max_id_seen + 8);
	else
		id = (__u32)rnd64();
	return is_foreign(id) ? 0 : id;
}

/* A message length for a mailbox of maximum size @maxsz. */
static __u64 pick_len(__u32 maxsz)
{
	static const __u64 huge[] = { ~0ULL, ~0ULL - 1, 1ULL << 63,
				      1ULL << 62, 1ULL << 32,
				      (1ULL << 32) + 1, 0xffffffffULL };
	__u64 top = info0.max_msg_size;

	switch (rnd(20)) {
	case 0: case 1:
		return 0;
	case 2: case 3: case 4: case 5: case 6: case 7:
		return rnd(65);
	case 8: case 9:
		return rnd((__u64)maxsz + 1);
	case 10:
		return maxsz;
	case 11:
		return (__u64)maxsz + 1;
	case 12: case 13: {
		/* around the page and segment boundaries */
		__u64 l = psz * (1 + rnd(4)) - rnd(96);

		return chance(500) ? l : l + rnd(3);
	}
	case 14:
		return rnd(top + psz);
	case 15:
		return huge[rnd(ARRAY_SIZE(huge))];
	default:
		return rnd(300);
	}
}

static __u32 pick_type(void)
{
	return chance(900) ? (__u32)rnd(4) : (__u32)rnd64();
}

/* The waiting part of send/recv flags, and a timeout to go with it. */
static __u32 pick_wait(__u64 *timeout)
{
	__u32 f;
	unsigned int k;

	*timeout = 0;
	switch (rnd(40)) {
	case 0:
		f = 0;	/* made MBOX_NONBLOCK by bound_wait() if accepted */
		break;
	case 1:
		f = MBOX_NONBLOCK | MBOX_TIMEOUT;
		break;
	case 2:
		f = MBOX_TIMEOUT | MBOX_TIMEOUT_ABS;
		break;
	case 3: case 4: case 5: case 6: case 7: case 8: case 9:
		f = MBOX_TIMEOUT;
		*timeout = chance(400) ? 0 : chance(900) ? rnd(20000) :
			   rnd(MS_NS + 1);
		break;
	case 10: case 11: case 12: case 13:
		f = MBOX_TIMEOUT_ABS;
		k = rnd(5);
		if (k < 2)
			*timeout = k;		/* long past */
		else if (k == 2)
			*timeout = now_ns() - rnd(MS_NS);
		else
			*timeout = now_ns() + rnd(MS_NS / 4);
		break;
	default:
		f = MBOX_NONBLOCK;
		break;
	}
	if (chance(15))		/* a timeout without its flag */
		*timeout = rnd64();
	if (chance(30))
		f |= 1U << rnd(32);
	return f;
}

/* ---------------------------------------------------------------------- */
/* One ioctl: the command, the struct and what to expect. */

struct ictx {
	int fd, ctl_idx;
	struct mbx *bound;	/* a mailbox file's mailbox, or NULL */
	int h;			/* what the module runs, or H_NONE ... */
	unsigned long cmd;
	unsigned int usize;
	struct region arg;
	unsigned char *cbuf;	/* the struct, usize bytes */
	bool dir_ok, in_bad, out_bad, e2big;
	unsigned char eff[CBUF];	/* what the module reads (ksize) */
	struct region buf;	/* send/recv data */
	bool canary;
};

static unsigned char cbuf[CBUF];

/* Build the command number for handler @h, mostly right. */
static unsigned long pick_cmd(int h)
{
	unsigned int dir = _IOC_DIR(hi[h].cmd), type = MBOX_IOC_MAGIC, nr = h;
	unsigned int size = hi[h].ksize, k = rnd(1000);
	unsigned long cmd;
	bool high = false;

	if (k < 620) {
		size = hi[h].ksize;
	} else if (k < 700) {
		size = hi[h].ver1;
	} else if (k < 740) {
		size = hi[h].ver1 + rnd(hi[h].ksize - hi[h].ver1 + 1);
	} else if (k < 780) {
		size = rnd(hi[h].ver1);
	} else if (k < 860) {
		size = hi[h].ksize + 1 +
		       rnd(chance(800) ? 64 : _IOC_SIZEMASK - hi[h].ksize);
	} else if (k < 900) {
		do
			dir = rnd(4);
		while (dir == _IOC_DIR(hi[h].cmd));
	} else if (k < 930) {
		do
			type = rnd(256);
		while (type == MBOX_IOC_MAGIC || vfs_type(type));
	} else if (k < 950) {
		nr = H_NR + rnd(256 - H_NR);
	} else if (k < 980) {
		high = true;
	}
	cmd = _IOC(dir, type, nr, size);
	if (high)
		cmd |= rnd64() << 32;
	return cmd;
}

/* Decide what the module does with @cmd, as its dispatcher does. */
static void decode(struct ictx *c)
{
	unsigned int cmd = (unsigned int)c->cmd;
	unsigned int nr = _IOC_NR(cmd);

	c->usize = _IOC_SIZE(cmd);
	c->h = H_NONE;
	c->dir_ok = false;
	if (_IOC_TYPE(cmd) != MBOX_IOC_MAGIC)
		return;
	if (c->bound) {
		/* A mailbox file runs the data commands only; ENOTTY else. */
		if (nr == H_SEND || nr == H_RECV) {
			c->h = nr;
			c->dir_ok = _IOC_DIR(cmd) == _IOC_DIR(hi[nr].cmd);
		} else if (nr == _IOC_NR(MBOX_IOC_SEND_BATCH) ||
			   nr == _IOC_NR(MBOX_IOC_RECV_BATCH) ||
			   ((features & MBOX_FEATURE_RING) &&
			    (nr == _IOC_NR(MBOX_IOC_RING_SETUP) ||
			     nr == _IOC_NR(MBOX_IOC_RING_WAIT)))) {
			c->h = H_UNKNOWN_PRESENT;	/* as on /dev/mbox */
		}
		return;
	}
	if (nr >= H_NR) {
		if (nr_present[nr])
			c->h = H_UNKNOWN_PRESENT;
		return;
	}
	c->h = nr;
	c->dir_ok = _IOC_DIR(cmd) == _IOC_DIR(hi[nr].cmd);
}

/*
 * Fill cbuf with a struct for @h: the caller wrote the fields; bytes
 * between the fields it knows and the module's size are left zero, those
 * past the module's size are a zero or garbage tail.
 */
static void tail(unsigned int from, unsigned int usize)
{
	if (usize > from && chance(250)) {
		int i, n = 1 + rnd(3);

		for (i = 0; i < n; i++)
			cbuf[from + rnd(usize - from)] = 1 + rnd(255);
	}
}

/* Put cbuf where the kernel reads it. */
static void place(struct ictx *c)
{
	size_t n;

	c->canary = false;
	if (!c->arg.alias)
		return;
	n = c->usize < c->arg.rd ? c->usize : c->arg.rd;
	memcpy(c->arg.alias, cbuf, n);
	if (c->arg.wr >= (size_t)c->usize + 16) {
		memset(c->arg.alias + c->usize, 0xa5, 16);
		c->canary = true;
	}
}

static void eff_read(struct ictx *c, int h)
{
	unsigned int n = c->usize < hi[h].ksize ? c->usize : hi[h].ksize;

	memset(c->eff, 0, hi[h].ksize);
	if (c->arg.alias && c->arg.rd >= n)
		memcpy(c->eff, c->arg.alias, n);
}

static __u32 get32(const unsigned char *p, size_t off)
{
	__u32 v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static __u64 get64(const unsigned char *p, size_t off)
{
	__u64 v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/*
 * A send or receive the module would accept must not wait long: see what
 * the module will read, and bound it.  Flags are at offset 4 and the
 * timeout at 24 in both structs.
 */
static void bound_wait(struct ictx *c)
{
	unsigned int n = c->usize < hi[c->h].ksize ? c->usize : hi[c->h].ksize;
	__u32 flags, wait;
	__u64 to, v, now;
	unsigned int tn;

	if (!c->arg.alias || c->arg.rd < c->usize || n < 8)
		return;	/* EFAULT (or EINVAL) before anything */
	eff_read(c, c->h);
	flags = get32(c->eff, 4);
	to = get64(c->eff, 24);	/* the low bytes only, if the struct ends in it */
	tn = n > 24 ? (n - 24 < 8 ? n - 24 : 8) : 0;	/* those bytes */
	wait = flags & WAIT_FLAGS;
	if (!wait && !to) {
		flags |= MBOX_NONBLOCK;
		memcpy(c->arg.alias + 4, &flags, 4);
	} else if (wait == MBOX_TIMEOUT && to > MS_NS) {
		v = rnd(MS_NS + 1);	/* cut short, it can only get shorter */
		memcpy(c->arg.alias + 24, &v, tn);
	} else if (wait == MBOX_TIMEOUT_ABS) {
		now = now_ns();
		if (to > now + MS_NS) {
			/* a deadline cut short could be anything: the past */
			v = n >= 32 ? now + rnd(MS_NS / 4) : 0;
			memcpy(c->arg.alias + 24, &v, tn);
		}
	}
	eff_read(c, c->h);
}

/* Exactly the documented errors that apply, and whether success may come. */
struct expect {
	eset errs;	/* applicable */
	eset extra;	/* always allowed (ENOMEM, EMFILE, ...) */
	long sel;	/* RECV: the message selected, or -1 */
	__u64 n;	/* RECV: bytes it stores */
	struct mbx *m;
	__u32 target;	/* STAT: id reported */
};

/*
 * The struct-level part, common to every command.  Returns true if the
 * module goes on to the command's own checks.
 */
static bool expect_struct(struct ictx *c, struct expect *x)
{
	unsigned int dir;
	size_t i;

	if (c->h == H_NONE) {
		x->errs |= E(ENOTTY);
		return false;
	}
	if (c->h == H_UNKNOWN_PRESENT)
		return false;	/* anything goes */
	dir = _IOC_DIR(hi[c->h].cmd);
	if (!c->dir_ok) {
		x->errs |= E(ENOTTY);
		if (c->usize < hi[c->h].ver1)
			x->errs |= E(EINVAL);
		return false;
	}
	if (c->usize < hi[c->h].ver1) {
		x->errs |= E(EINVAL);
		return false;
	}
	c->in_bad = (dir & _IOC_WRITE) && !readable(&c->arg, c->usize);
	c->out_bad = (dir & _IOC_READ) && !writable(&c->arg, c->usize);
	c->e2big = false;
	if ((dir & _IOC_WRITE) && c->usize > hi[c->h].ksize)
		for (i = hi[c->h].ksize; i < c->usize; i++)
			if (cbuf[i]) {
				c->e2big = true;
				break;
			}
	if (c->in_bad)
		x->errs |= E(EFAULT);
	if (c->e2big)
		x->errs |= E(E2BIG);
	if (c->in_bad || c->e2big)
		return false;
	eff_read(c, c->h);
	return true;
}

/* ---------------------------------------------------------------------- */
/* Building and checking each command. */

static void build_info(void)
{
	size_t i, n = 64;

	for (i = 0; i < n; i++)
		cbuf[i] = rnd(256);	/* output only: must be overwritten */
}

static void build_create(void)
{
	struct mbox_create a = { 0 };
	static const __u32 caps[] = { 0, 1, 2, 3, 4, 8, 16, 64 };
	static const __u32 sizes[] = { 0, 1, 16, 100, 4000, 4096, 4097,
				       8192, 12289 };

	const __u32 cap_odd[] = { info0.max_capacity, info0.max_capacity + 1,
				  (__u32)rnd64() };
	const __u32 size_odd[] = { info0.max_msg_size, info0.max_msg_size + 1,
				   (__u32)rnd64() };
	unsigned int k = rnd(10);

	a.capacity = k < 3 ? cap_odd[k] : caps[rnd(ARRAY_SIZE(caps))];
	k = rnd(10);
	a.max_msg_size = k < 3 ? size_odd[k] : sizes[rnd(ARRAY_SIZE(sizes))];
	a.flags = chance(250) ? MBOX_CREATE_AUTODESTROY : 0;
	if (chance(40))
		a.flags |= 1ULL << rnd(64);
	memcpy(cbuf, &a, sizeof(a) < 16 ? sizeof(a) : 16);
}

static void build_destroy(void)
{
	struct mbox_destroy a = { .id = pick_id() };

	if (chance(40))
		a.flags = (__u32)rnd64() | 1;
	memcpy(cbuf, &a, 8);
}

static __u64 stamp_counter;

/* Make valid send data distinct: a counter at its start. */
static void stamp(const struct region *r, __u64 len)
{
	__u64 v = ++stamp_counter;

	if (r->alias && len >= 8 && r->rd >= len)
		memcpy(r->alias, &v, 8);
}

/*
 * The id a send or receive names, and its mailbox in the model: on a
 * mailbox file mostly 0 or the file's own id, which name the file's
 * mailbox (MBOX_FEATURE_FD_IOCTL), sometimes another.
 */
static __u32 pick_call_id(const struct ictx *c, struct mbx **m)
{
	__u32 id;

	if (c->bound && !chance(100)) {
		id = chance(700) ? 0 : c->bound->id;
		*m = c->bound->live ? c->bound : NULL;
		return id;
	}
	id = pick_id();
	*m = c->bound ? NULL : find_live(id);
	return id;
}

static void build_send(struct ictx *c)
{
	struct mbx *m;
	__u64 len, to;
	__u32 id = pick_call_id(c, &m);

	len = pick_len(m ? m->maxsz : info0.max_msg_size);
	pick_region(&data, len, &c->buf, true);
	stamp(&c->buf, len);
	memset(cbuf, 0, 40);
	memcpy(cbuf, &id, 4);
	{
		__u32 f = pick_wait(&to);
		__u32 type = pick_type(), res = chance(20) ? 1 + rnd(1000) : 0;

		if (chance(20))
			f |= MBOX_RECV_TYPE << rnd(4);	/* recv-only bits */
		memcpy(cbuf + 4, &f, 4);
		memcpy(cbuf + 24, &to, 8);
		memcpy(cbuf + 32, &type, 4);
		memcpy(cbuf + 36, &res, 4);
	}
	memcpy(cbuf + 8, &c->buf.addr, 8);
	memcpy(cbuf + 16, &len, 8);
}

static void build_recv(struct ictx *c)
{
	struct mbx *m;
	__u64 len, to;
	__u32 id = pick_call_id(c, &m), f, type, res;
	long i;
	size_t k;

	f = pick_wait(&to);
	k = rnd(10);
	if (k < 2)
		f |= MBOX_RECV_TYPE;
	else if (k == 2)
		f |= MBOX_RECV_EXCEPT;
	else if (k == 3 && chance(200))
		f |= MBOX_RECV_TYPE | MBOX_RECV_EXCEPT;	/* EINVAL */
	if (chance(150))
		f |= MBOX_RECV_PEEK;
	if (chance(150))
		f |= MBOX_RECV_TRUNC;
	type = pick_type();
	i = m ? q_select(m, f, type) : -1;
	if (i >= 0 && chance(400)) {
		len = m->q[i].len;
		if (chance(300) && len)
			len -= 1 + rnd(len);
	} else {
		len = pick_len(m ? m->maxsz : info0.max_msg_size);
	}
	pick_region(&data, len, &c->buf, true);
	res = chance(20) ? 1 + rnd(1000) : 0;
	for (k = 0; k < 72; k++)	/* out fields: garbage in */
		cbuf[k] = chance(500) ? rnd(256) : 0;
	memcpy(cbuf, &id, 4);
	memcpy(cbuf + 4, &f, 4);
	memcpy(cbuf + 8, &c->buf.addr, 8);
	memcpy(cbuf + 16, &len, 8);
	memcpy(cbuf + 24, &to, 8);
	memcpy(cbuf + 32, &type, 4);
	memcpy(cbuf + 68, &res, 4);
}

static void build_stat(void)
{
	__u32 id = pick_id(), f = 0;
	size_t k;

	if (chance(300))
		id = rnd(max_id_seen + 2);
	if (chance(400))
		f = MBOX_STAT_NEXT;
	if (chance(40))
		f |= 1U << rnd(32);
	for (k = 0; k < 112; k++)
		cbuf[k] = chance(300) ? rnd(256) : 0;
	memcpy(cbuf, &id, 4);
	memcpy(cbuf + 4, &f, 4);
}

static void build_open(void)
{
	__u32 id = pick_id(), f = rnd(4);

	if (chance(40))
		f |= 1U << rnd(32);
	memcpy(cbuf, &id, 4);
	memcpy(cbuf + 4, &f, 4);
}

/* Check the bytes of the module's output struct past @known are zero. */
static void check_tail_zero(const struct ictx *c, unsigned int from,
			    const char *what)
{
	unsigned int i;

	for (i = from; i < c->usize; i++) {
		if (c->arg.alias[i]) {
			violation("%s: byte %u of a %u-byte output struct is 0x%02x, not zeroed",
				  what, i, c->usize, c->arg.alias[i]);
			return;
		}
	}
}

#define VIS(c, type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field) <= (c)->usize)

static void expect_cmd(struct ictx *c, struct expect *x)
{
	__u32 id, flags, cap, maxsz, wait;
	__u64 cflags, to, len;
	struct mbx *m;
	int i;

	switch (c->h) {
	case H_INFO:
		if (c->out_bad)
			x->errs |= E(EFAULT);
		break;
	case H_CREATE:
		cap = get32(c->eff, 0);
		maxsz = get32(c->eff, 4);
		cflags = get64(c->eff, 8);
		if ((cflags & ~(MBOX_CREATE_AUTODESTROY |
				((features & MBOX_FEATURE_PERMS) ?
				 MBOX_CREATE_MODE : 0))) ||
		    cap > info0.max_capacity || maxsz > info0.max_msg_size)
			x->errs |= E(EINVAL);
		if (hi[H_CREATE].ksize >= 32 &&
		    (get32(c->eff, 28) ||
		     ((cflags & MBOX_CREATE_MODE) ? get32(c->eff, 24) & ~0777U :
		      get32(c->eff, 24))))
			x->errs |= E(EINVAL);
		if ((__u32)(nlive + nforeign) >= ns_max)
			x->errs |= E(ENOSPC);
		x->extra |= E(ENOMEM);
		break;
	case H_DESTROY:
		if (get32(c->eff, 4))
			x->errs |= E(EINVAL);
		x->m = find_live(get32(c->eff, 0));
		if (!x->m)
			x->errs |= E(ENOENT);
		break;
	case H_OPEN:
		if (get32(c->eff, 4) & ~(MBOX_FD_CLOEXEC | MBOX_FD_NONBLOCK))
			x->errs |= E(EINVAL);
		x->m = find_live(get32(c->eff, 0));
		if (!x->m)
			x->errs |= E(ENOENT);
		x->extra |= E(ENOMEM) | E(EMFILE) | E(ENFILE);
		break;
	case H_STAT:
		id = get32(c->eff, 0);
		flags = get32(c->eff, 4);
		if (flags & ~MBOX_STAT_NEXT)
			x->errs |= E(EINVAL);
		x->target = 0;
		if (flags & MBOX_STAT_NEXT) {
			for (i = 0; i < nlive; i++)
				if (live[i]->id >= id &&
				    (!x->target || live[i]->id < x->target))
					x->target = live[i]->id;
			for (i = 0; i < nforeign; i++)
				if (foreign[i] >= id &&
				    (!x->target || foreign[i] < x->target))
					x->target = foreign[i];
		} else if (find_live(id) || (id && is_foreign(id))) {
			x->target = id;
		}
		if (!x->target)
			x->errs |= E(ENOENT);
		if (c->out_bad)
			x->errs |= E(EFAULT);
		break;
	case H_SEND:
	case H_RECV:
		id = get32(c->eff, 0);
		flags = get32(c->eff, 4);
		len = get64(c->eff, 16);
		to = get64(c->eff, 24);
		wait = flags & WAIT_FLAGS;
		if (flags & ~(c->h == H_SEND ? SEND_FLAGS : RECV_FLAGS))
			x->errs |= E(EINVAL);
		if (wait & (wait - 1))
			x->errs |= E(EINVAL);
		if (to && !(flags & (MBOX_TIMEOUT | MBOX_TIMEOUT_ABS)))
			x->errs |= E(EINVAL);
		if (c->h == H_SEND && get32(c->eff, 36))
			x->errs |= E(EINVAL);
		if (c->h == H_RECV && get32(c->eff, 68))
			x->errs |= E(EINVAL);
		if ((flags & MBOX_RECV_TYPE) && (flags & MBOX_RECV_EXCEPT))
			x->errs |= E(EINVAL);
		if (c->bound) {
			/* The file's mailbox, named by 0 or its id. */
			if (id && id != c->bound->id)
				x->errs |= E(EINVAL);
			m = c->bound;
			x->m = m->live ? m : NULL;
			if (!m->live) {
				if (c->h == H_SEND && len > m->maxsz)
					x->errs |= E(EMSGSIZE);
				else if (c->h == H_SEND && !readable(&c->buf, len))
					x->errs |= E(EFAULT);
				x->errs |= E(EIDRM);
				x->extra |= E(ENOMEM);
				break;
			}
		} else {
			m = find_live(id);
			x->m = m;
			if (!m) {
				x->errs |= E(ENOENT);
				break;
			}
		}
		if (c->h == H_SEND) {
			x->extra |= E(ENOMEM);
			if (len > m->maxsz) {
				x->errs |= E(EMSGSIZE);
				break;
			}
			if (!readable(&c->buf, len))
				x->errs |= E(EFAULT);
			if (!ring_takes(m, len) && m->qn >= m->cap)
				x->errs |= (flags & MBOX_NONBLOCK) ? E(EAGAIN) :
					   (flags & (MBOX_TIMEOUT |
						     MBOX_TIMEOUT_ABS)) ?
					   E(ETIMEDOUT) : 0;
			break;
		}
		if (m->ring) {	/* its consumer takes every message */
			x->errs |= E(EBUSY);
			break;
		}
		x->sel = q_select(m, flags, get32(c->eff, 32));
		if (x->sel < 0) {
			x->errs |= (flags & MBOX_NONBLOCK) ? E(EAGAIN) :
				   (flags & (MBOX_TIMEOUT | MBOX_TIMEOUT_ABS)) ?
				   E(ETIMEDOUT) : 0;
			break;
		}
		if (m->q[x->sel].len > len && !(flags & MBOX_RECV_TRUNC)) {
			x->errs |= E(EMSGSIZE);
			if (c->out_bad)
				x->errs |= E(EFAULT);
			break;
		}
		x->n = m->q[x->sel].len < len ? m->q[x->sel].len : len;
		if (!writable(&c->buf, x->n) || c->out_bad)
			x->errs |= E(EFAULT);
		break;
	}
}

/*
 * The message a receive that did not do what the model expected took:
 * by its sequence number if known, else the first selected one whose
 * length and content match.  -1 if none.
 */
static long find_taken(const struct mbx *m, __u32 flags, __u32 type,
		       long ret, const struct region *buf, __u64 seq)
{
	size_t j;

	for (j = 0; j < m->qn; j++) {
		const struct mmsg *q = &m->q[j];

		if (seq) {
			if (q->seq == seq)
				return j;
			continue;
		}
		if ((flags & MBOX_RECV_TYPE) && q->type != type)
			continue;
		if ((flags & MBOX_RECV_EXCEPT) && q->type == type)
			continue;
		if (q->len != (__u64)ret &&
		    !((flags & MBOX_RECV_TRUNC) && q->len > (__u64)ret))
			continue;
		if (ret && q->data && buf->wr >= (__u64)ret &&
		    memcmp((void *)buf->addr, q->data, ret))
			continue;
		return j;
	}
	return -1;
}

/* After a successful call: check the output, update the model. */
static void after_success(struct ictx *c, struct expect *x, long ret)
{
	const unsigned char *o = c->arg.alias;
	struct mbx *m = x->m;
	__u32 flags;
	char what[64];

	snprintf(what, sizeof(what), "%s (size %u)", hi[c->h].name, c->usize);
	switch (c->h) {
	case H_INFO: {
		struct mbox_info v = { 0 };

		if (ret)
			violation("%s returned %ld, not 0", what, ret);
		memcpy(&v, o, c->usize < sizeof(v) ? c->usize : sizeof(v));
		if (v.abi_version != info0.abi_version ||
		    v.max_mailboxes != info0.max_mailboxes ||
		    v.features != info0.features ||
		    v.max_capacity != info0.max_capacity ||
		    v.max_msg_size != info0.max_msg_size)
			violation("%s: limits changed: abi %u max_mailboxes %u features 0x%llx",
				  what, v.abi_version, v.max_mailboxes,
				  (unsigned long long)v.features);
		if (v.nr_mailboxes != (__u32)(nlive + nforeign))
			violation("%s: nr_mailboxes %u, the model has %d",
				  what, v.nr_mailboxes, nlive + nforeign);
		if (v.__reserved)
			violation("%s: __reserved is %u", what, v.__reserved);
		if ((features & MBOX_FEATURE_STAT_EXT) &&
		    VIS(c, struct mbox_info, total_bytes) &&
		    (v.total_msgs != model_msgs + foreign_msgs ||
		     v.total_bytes != model_bytes + foreign_bytes))
			violation("%s: total_msgs %llu total_bytes %llu, the model has %llu, %llu",
				  what, (unsigned long long)v.total_msgs,
				  (unsigned long long)v.total_bytes,
				  (unsigned long long)(model_msgs + foreign_msgs),
				  (unsigned long long)(model_bytes + foreign_bytes));
		check_tail_zero(c, 512, what);
		break;
	}
	case H_CREATE: {
		__u32 cap = get32(c->eff, 0), maxsz = get32(c->eff, 4);

		if (ret <= 0 || ret > INT_MAX) {
			violation("%s returned %ld, not an id", what, ret);
			break;
		}
		if (find_live(ret) || is_foreign(ret)) {
			violation("%s returned id %ld, which is live", what, ret);
			break;
		}
		m = mbx_new(ret, cap, maxsz, get64(c->eff, 8), c->ctl_idx);
		m->mode = (m->cflags & MBOX_CREATE_MODE) ? get32(c->eff, 24) :
			  0600;
		break;
	}
	case H_DESTROY:
		if (ret)
			violation("%s returned %ld, not 0", what, ret);
		if (m)
			mbx_kill(m);
		break;
	case H_OPEN:
		flags = get32(c->eff, 4);
		if (ret < 0 || !m) {
			if (ret >= 0)
				close(ret);
			break;
		}
		if (nmfds >= (int)ARRAY_SIZE(mfds)) {
			close(ret);
			break;
		}
		mfds[nmfds].fd = ret;
		mfds[nmfds].m = m;
		mfds[nmfds].ring = NULL;
		mfds[nmfds].nonblock = flags & MBOX_FD_NONBLOCK;
		mfds[nmfds].cloexec = flags & MBOX_FD_CLOEXEC;
		nmfds++;
		m->nfds++;
		break;
	case H_STAT: {
		unsigned char sb[512] = { 0 };
		struct mbox_stat *s = (struct mbox_stat *)sb;
		unsigned int i;

		if (ret)
			violation("%s returned %ld, not 0", what, ret);
		memcpy(sb, o, c->usize < sizeof(sb) ? c->usize : sizeof(sb));
		if (s->id != x->target) {
			violation("%s (flags 0x%x, id %u): reported id %u, expected %u",
				  what, get32(c->eff, 4), get32(c->eff, 0),
				  s->id, x->target);
			break;
		}
		m = find_live(s->id);
		if (!m)
			break;	/* foreign */
		if (s->capacity != m->cap || s->max_msg_size != m->maxsz ||
		    s->msgs != m->qn || s->bytes != m->bytes ||
		    s->sent_msgs != m->sent_msgs ||
		    s->sent_bytes != m->sent_bytes ||
		    s->recv_msgs != m->recv_msgs ||
		    s->recv_bytes != m->recv_bytes || s->__reserved)
			violation("%s of %u: cap %u max %u msgs %u bytes %llu sent %llu/%llu recv %llu/%llu; model: cap %u max %u msgs %zu bytes %llu sent %llu/%llu recv %llu/%llu",
				  what, m->id, s->capacity, s->max_msg_size,
				  s->msgs, (unsigned long long)s->bytes,
				  (unsigned long long)s->sent_msgs,
				  (unsigned long long)s->sent_bytes,
				  (unsigned long long)s->recv_msgs,
				  (unsigned long long)s->recv_bytes,
				  m->cap, m->maxsz, m->qn,
				  (unsigned long long)m->bytes,
				  (unsigned long long)m->sent_msgs,
				  (unsigned long long)m->sent_bytes,
				  (unsigned long long)m->recv_msgs,
				  (unsigned long long)m->recv_bytes);
		if (!(features & MBOX_FEATURE_STAT_EXT))
			break;
		if (VIS(c, struct mbox_stat, blocked_receivers) &&
		    (s->blocked_senders || s->blocked_receivers))
			violation("%s of %u: %u blocked senders, %u receivers; none waits",
				  what, m->id, s->blocked_senders,
				  s->blocked_receivers);
		if (VIS(c, struct mbox_stat, last_recv_pid) &&
		    (s->last_send_pid != (m->sent_msgs ? mypid : 0) ||
		     (s->last_recv_pid != 0 && s->last_recv_pid != mypid) ||
		     (m->recv_msgs && s->last_recv_pid != mypid)))
			violation("%s of %u: last_send_pid %d last_recv_pid %d (me %d, sent %llu, received %llu)",
				  what, m->id, s->last_send_pid,
				  s->last_recv_pid, mypid,
				  (unsigned long long)m->sent_msgs,
				  (unsigned long long)m->recv_msgs);
		if (VIS(c, struct mbox_stat, create_ns) &&
		    (s->create_ns < t0_ns ||
		     (m->sent_msgs && s->last_send_ns < s->create_ns)))
			violation("%s of %u: create_ns %llu, last_send_ns %llu, test began at %llu",
				  what, m->id,
				  (unsigned long long)s->create_ns,
				  (unsigned long long)s->last_send_ns,
				  (unsigned long long)t0_ns);
		if (VIS(c, struct mbox_stat, create_flags) &&
		    s->create_flags != m->cflags)
			violation("%s of %u: create_flags 0x%llx, created with 0x%llx",
				  what, m->id,
				  (unsigned long long)s->create_flags,
				  (unsigned long long)m->cflags);
		/* past the known fields: zero (no name for these) */
		if (!(features & MBOX_FEATURE_PERMS)) {
			if (c->usize > hi[H_STAT].known)
				check_tail_zero(c, hi[H_STAT].known, what);
			break;
		}
		for (i = hi[H_STAT].known; i < c->usize && i < 176; i++) {
			if (c->arg.alias[i]) {
				violation("%s: byte %u (name) is 0x%02x", what,
					  i, c->arg.alias[i]);
				break;
			}
		}
		/* owner and creator: root; the mode given at create */
		if (VIS(c, struct mbox_stat, __reserved2) &&
		    (s->uid || s->gid || s->cuid || s->cgid ||
		     s->mode != m->mode || s->__reserved2))
			violation("%s of %u: uid %u gid %u cuid %u cgid %u mode %o (model %o) reserved %u",
				  what, m->id, s->uid, s->gid, s->cuid,
				  s->cgid, s->mode, m->mode, s->__reserved2);
		if (c->usize > 200)
			check_tail_zero(c, 200, what);
		break;
	}
	case H_SEND: {
		__u64 len = get64(c->eff, 16);

		if (ret)
			violation("%s returned %ld, not 0", what, ret);
		if (!m)
			break;
		send_push(m, len, get32(c->eff, 32),
			  c->buf.rd >= len ? (void *)c->buf.addr : NULL);
		break;
	}
	case H_RECV: {
		unsigned char rb[128] = { 0 };
		struct mbox_recv *r = (struct mbox_recv *)rb;
		bool info = c->usize >= 72 && (features & MBOX_FEATURE_MSG_INFO);
		struct mmsg *msg = NULL;

		if (!m)
			break;
		memcpy(rb, o, c->usize < 72 ? c->usize : 72);
		flags = get32(c->eff, 4);
		if (x->sel >= 0)
			msg = &m->q[x->sel];
		if (msg && ((__u64)ret != x->n || r->len != x->n ||
			    (c->buf.wr >= x->n && msg->data &&
			     memcmp((void *)c->buf.addr, msg->data, x->n)) ||
			    (info && (r->type != msg->type || r->pid != mypid ||
				      r->msg_len != msg->len ||
				      r->seq != msg->seq || r->uid != myeuid ||
				      r->send_ns < t0_ns || r->__reserved)))) {
			violation("%s of %u (flags 0x%x type %u len %llu): returned %ld, len %llu, type %u pid %d msg_len %llu seq %llu uid %u; expected %llu bytes of the message seq %llu (type %u, %llu bytes), pid %d uid %u",
				  what, m->id, flags, get32(c->eff, 32),
				  (unsigned long long)get64(c->eff, 16), ret,
				  (unsigned long long)r->len, r->type, r->pid,
				  (unsigned long long)r->msg_len,
				  (unsigned long long)r->seq, r->uid,
				  (unsigned long long)x->n,
				  (unsigned long long)msg->seq, msg->type,
				  (unsigned long long)msg->len, mypid, myeuid);
			msg = NULL;
		}
		if (!msg)	/* follow the module: the message it gave */
			x->sel = find_taken(m, flags, get32(c->eff, 32), ret,
					    &c->buf, info ? r->seq : 0);
		if (c->usize > 72)
			check_tail_zero(c, 72, what);
		if (!(flags & MBOX_RECV_PEEK) && x->sel >= 0)
			q_del(m, x->sel);
		break;
	}
	}
}

/* After EMSGSIZE from RECV: @len (and @msg_len) tell the message's size. */
static void after_emsgsize(struct ictx *c, struct expect *x)
{
	__u64 len, want;

	if (!x->m || x->sel < 0 || c->out_bad)
		return;
	want = x->m->q[x->sel].len;
	len = get64(c->arg.alias, 16);
	if (len != want ||
	    (c->usize >= 48 && get64(c->arg.alias, 40) != want))
		violation("RECV (size %u) of %u: EMSGSIZE with len %llu msg_len %llu; the message has %llu bytes",
			  c->usize, x->m->id, (unsigned long long)len,
			  (unsigned long long)(c->usize >= 48 ?
					       get64(c->arg.alias, 40) : 0),
			  (unsigned long long)want);
}

static void describe(const struct ictx *c, char *buf, size_t size)
{
	size_t n;
	unsigned int i, show = c->usize < 48 ? c->usize : 48;

	n = snprintf(buf, size, "ioctl(fd %d, cmd 0x%lx = %s dir %u nr %u size %u, arg 0x%lx %s) struct:",
		     c->fd, c->cmd,
		     c->h >= 0 && c->h < H_NR ? hi[c->h].name : "?",
		     _IOC_DIR((unsigned int)c->cmd),
		     _IOC_NR((unsigned int)c->cmd), c->usize, c->arg.addr,
		     c->arg.kind);
	for (i = 0; i < show && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%02x", i % 8 ? "" : " ",
			      cbuf[i]);
	if (n < size && (c->h == H_SEND || c->h == H_RECV))
		snprintf(buf + n, size - n, " buf %s rd %zu wr %zu",
			 c->buf.kind ? c->buf.kind : "-", c->buf.rd, c->buf.wr);
}

/*
 * Run one ioctl as planned by the op's builder: on /dev/mbox, or with
 * @mfd >= 0 on that mailbox file.
 */
static void do_ioctl(int op, int intended, int mfd)
{
	static struct ictx c;
	struct expect x = { .sel = -1 };
	char desc[512], want[160];
	long ret;
	int err = 0, i;

	c.ctl_idx = rnd(NCTL);
	c.fd = ctl[c.ctl_idx];
	c.bound = NULL;
	if (mfd >= 0) {
		c.fd = mfds[mfd].fd;
		c.bound = mfds[mfd].m;
	}
	memset(&c.buf, 0, sizeof(c.buf));
	if (intended >= 0) {
		c.cmd = pick_cmd(intended);
	} else {
		unsigned int t;

		c.cmd = (unsigned int)rnd64();
		t = _IOC_TYPE((unsigned int)c.cmd);
		if (chance(300))	/* an mbox number, any dir, size */
			c.cmd = (c.cmd & ~(0xffUL << _IOC_TYPESHIFT)) |
				((unsigned long)MBOX_IOC_MAGIC << _IOC_TYPESHIFT);
		else if (vfs_type(t))
			c.cmd ^= 0x40UL << _IOC_TYPESHIFT;
		if (chance(100))
			c.cmd |= rnd64() << 32;
	}
	decode(&c);
	/* build the struct of what the module will run (or intended) */
	{
		int b = c.h >= 0 && c.h < H_NR ? c.h : intended;
		unsigned int ks = b >= 0 ? hi[b].ksize : 0;
		unsigned int clr = c.usize > ks ? c.usize : ks;

		memset(cbuf, 0, clr > 128 ? clr : 128);
		if (b == H_INFO) {
			build_info();
		} else if (b == H_CREATE) {
			build_create();
		} else if (b == H_DESTROY) {
			build_destroy();
		} else if (b == H_SEND) {
			build_send(&c);
		} else if (b == H_RECV) {
			build_recv(&c);
		} else if (b == H_STAT) {
			build_stat();
		} else if (b == H_OPEN) {
			build_open();
		} else {
			for (i = 0; i < 64; i++)
				cbuf[i] = chance(500) ? rnd(256) : 0;
		}
		if (b >= 0)
			tail(ks, c.usize);
	}
	/*
	 * A random call with a batch command's number (op_batch() judges
	 * those) gets an array no one can read, so that it cannot move a
	 * message behind the model's back.
	 */
	if (c.h == H_UNKNOWN_PRESENT &&
	    (_IOC_NR((unsigned int)c.cmd) == _IOC_NR(MBOX_IOC_SEND_BATCH) ||
	     _IOC_NR((unsigned int)c.cmd) == _IOC_NR(MBOX_IOC_RECV_BATCH))) {
		__u64 nowhere = 0x8000000000000000ULL;

		memcpy(cbuf + 8, &nowhere, 8);
	}
	/* ... MBOX_IOC_SET invalid flags (it would change the mailbox) ... */
	if (c.h == H_UNKNOWN_PRESENT &&
	    _IOC_NR((unsigned int)c.cmd) == _IOC_NR(MBOX_IOC_SET))
		memset(cbuf + 4, 0xff, 4);
	/* ... and the ring's commands (op_ring_*()) an invalid first field */
	if (c.h == H_UNKNOWN_PRESENT &&
	    (_IOC_NR((unsigned int)c.cmd) == _IOC_NR(MBOX_IOC_RING_SETUP) ||
	     _IOC_NR((unsigned int)c.cmd) == _IOC_NR(MBOX_IOC_RING_WAIT)))
		memset(cbuf, 0xff, 4);
	pick_region(&arga, c.usize, &c.arg, chance(500));
	place(&c);
	if ((c.h == H_SEND || c.h == H_RECV) && c.dir_ok &&
	    c.usize >= hi[c.h].ver1) {
		bound_wait(&c);
		if (c.arg.alias)
			memcpy(cbuf, c.arg.alias,
			       c.usize < c.arg.rd ? c.usize : c.arg.rd);
	}
	if (expect_struct(&c, &x))
		expect_cmd(&c, &x);

	__atomic_store_n(&progress, iter, __ATOMIC_RELAXED);
	ret = ioctl(c.fd, c.cmd, c.arg.addr);
	if (ret < 0)
		err = errno;
	count(op, ret, err);
	viol_m = x.m;
	if (x.m && (c.h == H_SEND || c.h == H_RECV))
		note(x.m, hi[c.h].name, get32(c.eff, 4), get32(c.eff, 32),
		     get64(c.eff, 16), ret, err,
		     c.h == H_RECV && ret >= 0 && c.usize >= 64 && c.arg.alias ?
		     get64(c.arg.alias, 48) : 0);
	else if (x.m)
		note(x.m, hi[c.h].name, get32(c.eff, 4), 0, 0, ret, err, 0);
	if (watchdog_fired()) {
		describe(&c, desc, sizeof(desc));
		violation("%s: still ran after 5 s (result %ld, %s): interrupted by the watchdog",
			  desc, ret, ret < 0 ? ename(err) : "success");
	}

	if (c.canary)
		for (i = 0; i < 16; i++)
			if (c.arg.alias[c.usize + i] != 0xa5) {
				describe(&c, desc, sizeof(desc));
				violation("%s: wrote byte %d past the %u-byte struct",
					  desc, i, c.usize);
				break;
			}
	if (c.h == H_UNKNOWN_PRESENT)
		return;	/* a command this test does not know */
	if (ret >= 0) {
		if (x.errs) {
			describe(&c, desc, sizeof(desc));
			eset_str(x.errs, want, sizeof(want));
			violation("%s: returned %ld; expected one of %s",
				  desc, ret, want);
			/* follow the module, so that one bug is one report */
			if (c.h == H_SEND && x.m && x.m->live) {
				after_success(&c, &x, ret);
			} else if (c.h == H_RECV || c.h == H_DESTROY) {
				x.sel = -1;
				after_success(&c, &x, ret);
			} else if (c.h == H_CREATE && ret > 0 && !find_live(ret)) {
				mbx_new(ret, get32(c.eff, 0), get32(c.eff, 4),
					get64(c.eff, 8), c.ctl_idx);
			} else if (c.h == H_OPEN) {
				close(ret);
			}
			return;
		}
		after_success(&c, &x, ret);
		return;
	}
	if (err == EINTR && wd_fires)
		return;
	if (!(x.errs & E(err)) && !(x.extra & E(err))) {
		describe(&c, desc, sizeof(desc));
		if (x.errs)
			eset_str(x.errs, want, sizeof(want));
		else
			snprintf(want, sizeof(want), "success");
		violation("%s: got %s; expected %s", desc, ename(err), want);
		return;
	}
	if (err == EMSGSIZE && c.h == H_RECV)
		after_emsgsize(&c, &x);
	if (c.h == H_SEND && x.m && x.m->live) {
		if (err == ETIMEDOUT)
			send_waited(x.m);
	}
}

/* ---------------------------------------------------------------------- */
/* Calls on mailbox files and other fd-level calls. */

/* A mailbox file, mostly one whose mailbox is live; -1 if none. */
static int pick_mfd(void)
{
	int i, tries;

	if (!nmfds)
		return -1;
	for (tries = 0; tries < 4; tries++) {
		i = rnd(nmfds);
		if (mfds[i].m->live || chance(250))
			return i;
	}
	return i;
}

static void mfd_forget(int i)
{
	struct mbx *m = mfds[i].m;

	if (mfds[i].ring) {	/* the consumer's fd */
		mfds[i].ring->fd_open = false;
		ring_release_check(mfds[i].ring);
	}
	if (--m->nfds == 0 && !m->live)
		free(m);
	mfds[i] = mfds[--nmfds];
}

static void check_errno(const char *what, long ret, int err, eset errs,
			eset extra, long want_ret)
{
	char want[160];

	if (ret >= 0) {
		if (errs) {
			eset_str(errs, want, sizeof(want));
			violation("%s: returned %ld; expected one of %s", what,
				  ret, want);
		} else if (want_ret >= 0 && ret != want_ret) {
			violation("%s: returned %ld; expected %ld", what, ret,
				  want_ret);
		}
		return;
	}
	if (err == EINTR && wd_fires)
		return;
	if (!((errs | extra) & E(err))) {
		if (errs)
			eset_str(errs, want, sizeof(want));
		else
			snprintf(want, sizeof(want), "success");
		violation("%s: got %s; expected %s", what, ename(err), want);
	}
}

static void op_read(void)
{
	int i = pick_mfd(), err = 0;
	struct region r;
	struct mfd *f;
	struct mbx *m;
	__u64 count64;
	size_t cnt;
	eset errs = 0;
	char what[200];
	long ret;

	if (i < 0)
		return;
	f = &mfds[i];
	m = f->m;
	if (!f->nonblock && m->live && !m->qn && !m->ring) {
		skipped_blocking++;
		return;
	}
	count64 = m->qn && chance(400) ? m->q[0].len + (chance(300) ? 0 : 1) :
		  pick_len(m->maxsz);
	if (chance(30))
		count64 = m->qn && m->q[0].len ? m->q[0].len - 1 : 0;
	cnt = (size_t)count64;
	pick_region(&data, cnt, &r, true);
	if (access_bad(r.addr, cnt))
		errs = E(EFAULT);	/* by the VFS, before the module */
	else if (!m->live)
		errs = E(EIDRM);
	else if (m->ring)
		errs = E(EBUSY);
	else if (!m->qn)
		errs = E(EAGAIN);
	else if (m->q[0].len > (cnt < MAX_RW_COUNT ? cnt : MAX_RW_COUNT))
		errs = E(EMSGSIZE);
	else if (!writable(&r, m->q[0].len))
		errs = E(EFAULT);
	__atomic_store_n(&progress, iter, __ATOMIC_RELAXED);
	ret = read(f->fd, (void *)r.addr, cnt);
	if (ret < 0)
		err = errno;
	count(OP_READ, ret, err);
	viol_m = m;
	note(m, "read", f->nonblock, 0, cnt, ret, err, 0);
	snprintf(what, sizeof(what), "read(mailbox %u fd%s%s, %s buf 0x%lx, %zu)",
		 m->id, f->nonblock ? " nonblocking" : "",
		 m->live ? "" : " destroyed", r.kind, r.addr, cnt);
	if (watchdog_fired())
		violation("%s: still ran after 5 s, with %zu queued: interrupted by the watchdog",
			  what, m->qn);
	check_errno(what, ret, err, errs, 0, -1);
	if (ret >= 0 && m->qn && !m->ring) {	/* expected or not: follow it */
		size_t j = 0;

		if (errs) {
			j = m->qn;	/* reported above; find the one it gave */
		} else if ((__u64)ret != m->q[0].len ||
			   (m->q[0].data && r.wr >= m->q[0].len &&
			    memcmp((void *)r.addr, m->q[0].data,
				   m->q[0].len))) {
			violation("%s: returned %ld bytes, not the message seq %llu (%llu bytes) at the head",
				  what, ret, (unsigned long long)m->q[0].seq,
				  (unsigned long long)m->q[0].len);
			j = m->qn;
		}
		if (j == m->qn) {
			for (j = 0; j < m->qn; j++)
				if (m->q[j].len == (__u64)ret &&
				    (!ret || (m->q[j].data &&
					      !memcmp((void *)r.addr,
						      m->q[j].data, ret))))
					break;
			if (j == m->qn)
				j = 0;
		}
		q_del(m, j);
	}
}

static void op_write(void)
{
	int i = pick_mfd(), err = 0;
	struct region r;
	struct mfd *f;
	struct mbx *m;
	size_t cnt, c;
	eset errs = 0;
	char what[200];
	long ret;

	if (i < 0)
		return;
	f = &mfds[i];
	m = f->m;
	if (model_bytes > BUDGET_BYTES || model_msgs > BUDGET_MSGS)
		cnt = rnd(8);
	else
		cnt = (size_t)pick_len(m->maxsz);
	c = cnt < MAX_RW_COUNT ? cnt : MAX_RW_COUNT;
	if (!f->nonblock && m->live && !ring_takes(m, c) && m->qn >= m->cap) {
		skipped_blocking++;
		return;
	}
	pick_region(&data, cnt, &r, true);
	stamp(&r, cnt);
	if (access_bad(r.addr, cnt)) {
		errs = E(EFAULT);
	} else {
		if (c > m->maxsz)
			errs |= E(EMSGSIZE);
		if (!readable(&r, c))
			errs |= E(EFAULT);
		if (!m->live)
			errs |= E(EIDRM);
		else if (!ring_takes(m, c) && m->qn >= m->cap)
			errs |= E(EAGAIN);
	}
	__atomic_store_n(&progress, iter, __ATOMIC_RELAXED);
	ret = write(f->fd, (void *)r.addr, cnt);
	if (ret < 0)
		err = errno;
	count(OP_WRITE, ret, err);
	viol_m = m;
	note(m, "write", f->nonblock, 0, cnt, ret, err, 0);
	snprintf(what, sizeof(what), "write(mailbox %u fd%s%s, %s buf 0x%lx, %zu)",
		 m->id, f->nonblock ? " nonblocking" : "",
		 m->live ? "" : " destroyed", r.kind, r.addr, cnt);
	if (watchdog_fired())
		violation("%s: still ran after 5 s, with %zu queued of %u: interrupted by the watchdog",
			  what, m->qn, m->cap);
	check_errno(what, ret, err, errs, access_bad(r.addr, cnt) ? 0 :
		    E(ENOMEM), (long)c);
	if (ret >= 0 && m->live)	/* expected or not: follow the module */
		send_push(m, c, 0, r.rd >= c ? (void *)r.addr : NULL);
}

static short poll_mask(const struct mbx *m)
{
	short mask = 0;

	if (!m->live)
		return POLLHUP | POLLERR;
	if (m->qn)
		mask |= POLLIN | POLLRDNORM;
	if (m->qn < m->cap)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static void op_poll(void)
{
	static const short evs[] = { POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM,
				     POLLPRI };
	struct pollfd p[16];
	struct mbx *who[16];
	struct mring *rw[16];
	int n = 0, i, j, err = 0, nready = 0;
	char what[120];
	long ret;

	if (chance(30)) {	/* a bad array */
		__atomic_store_n(&progress, iter, __ATOMIC_RELAXED);
		ret = poll((struct pollfd *)bad_addrs[3 + rnd(5)], 1 + rnd(4), 0);
		err = errno;
		count(OP_POLL, ret, err);
		check_errno("poll(kernel address, n, 0)", ret, err, E(EFAULT),
			    0, -1);
		return;
	}
	for (i = 0; i < 16 && (nmfds || i < 2); i++) {
		if (nmfds && (i >= 2 || chance(700))) {
			j = rnd(nmfds);
			p[n].fd = mfds[j].fd;
			who[n] = mfds[j].m;
			rw[n] = mfds[j].ring;
		} else {
			p[n].fd = ctl[rnd(NCTL)];
			who[n] = NULL;
			rw[n] = NULL;
		}
		p[n].events = 0;
		for (j = 0; j < 5; j++)
			if (chance(500))
				p[n].events |= evs[j];
		p[n].revents = (short)rnd(0x10000);
		n++;
		if (chance(300))
			break;
	}
	__atomic_store_n(&progress, iter, __ATOMIC_RELAXED);
	ret = poll(p, n, 0);
	if (ret < 0)
		err = errno;
	count(OP_POLL, ret, err);
	snprintf(what, sizeof(what), "poll(%d fds, timeout 0)", n);
	check_errno(what, ret, err, 0, 0, -1);
	if (ret < 0)
		return;
	for (i = 0; i < n; i++) {
		short mask = who[i] ? poll_mask(who[i]) :
			     POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
		short want, alt;

		if (rw[i]) {	/* the consumer's file: the ring's state */
			mask &= POLLOUT | POLLWRNORM;
			if (rw[i]->dead)
				mask = POLLHUP;
			if (rw[i]->cons_page != rw[i]->prod ||
			    rw[i]->refill == 1)
				mask |= POLLIN | POLLRDNORM;
		}
		want = mask & (p[i].events | POLLERR | POLLHUP);
		/* REFILL not known: a sender may have waited outside */
		alt = rw[i] && rw[i]->refill < 0 ?
		      (want | ((POLLIN | POLLRDNORM) & p[i].events)) : want;
		if (p[i].revents)
			nready++;
		if (p[i].revents != want && p[i].revents != alt)
			violation("poll: fd %d (%s %u, %zu queued, capacity %u) events 0x%x: revents 0x%x, expected 0x%x",
				  p[i].fd, who[i] ? (who[i]->live ? "mailbox" :
						     "destroyed mailbox") :
				  "/dev/mbox", who[i] ? who[i]->id : 0,
				  who[i] ? who[i]->qn : 0,
				  who[i] ? who[i]->cap : 0, p[i].events,
				  p[i].revents, want);
	}
	if (ret != nready)
		violation("poll returned %ld with %d fds ready", ret, nready);
}

/*
 * An mbox command (or another) on a mailbox file: with
 * MBOX_FEATURE_FD_IOCTL it runs the data commands on its mailbox, judged
 * as on /dev/mbox; without it, every command is ENOTTY.
 */
static void op_fdioctl(void)
{
	int i = pick_mfd(), err = 0;
	unsigned long cmd;
	struct region r;
	char what[120];
	long ret;

	if (i < 0)
		return;
	if (features & MBOX_FEATURE_FD_IOCTL) {
		int h = chance(800) ? (chance(500) ? H_SEND : H_RECV) :
			chance(800) ? (int)rnd(H_NR) : -1;

		do_ioctl(OP_FDIOCTL, h, i);
		return;
	}
	cmd = chance(700) ? hi[rnd(H_NR)].cmd : (unsigned int)rnd64();
	if (vfs_type(_IOC_TYPE((unsigned int)cmd)))
		cmd ^= 0x40UL << _IOC_TYPESHIFT;
	pick_region(&arga, _IOC_SIZE((unsigned int)cmd), &r, true);
	__atomic_store_n(&progress, iter, __ATOMIC_RELAXED);
	ret = ioctl(mfds[i].fd, cmd, r.addr);
	if (ret < 0)
		err = errno;
	count(OP_FDIOCTL, ret, err);
	snprintf(what, sizeof(what), "ioctl(mailbox fd, 0x%lx, %s 0x%lx)", cmd,
		 r.kind, r.addr);
	check_errno(what, ret, err, E(ENOTTY), 0, -1);
}

static void op_ctlrw(void)
{
	int fd = ctl[rnd(NCTL)], err = 0;
	struct region r;
	size_t n = rnd(300);
	bool wr = chance(500);
	long ret;

	pick_region(&data, n, &r, true);
	__atomic_store_n(&progress, iter, __ATOMIC_RELAXED);
	ret = wr ? write(fd, (void *)r.addr, n) : read(fd, (void *)r.addr, n);
	if (ret < 0)
		err = errno;
	count(OP_CTLRW, ret, err);
	check_errno(wr ? "write(/dev/mbox)" : "read(/dev/mbox)", ret, err,
		    E(EINVAL), 0, -1);
}

static void op_fcntl(void)
{
	int i = pick_mfd(), fl, fdfl;
	struct mfd *f;

	if (i < 0)
		return;
	f = &mfds[i];
	fl = fcntl(f->fd, F_GETFL);
	fdfl = fcntl(f->fd, F_GETFD);
	count(OP_FCNTL, 0, 0);
	count(OP_FCNTL, 0, 0);
	if (fl < 0 || fdfl < 0) {
		violation("fcntl(mailbox fd, F_GETFL/F_GETFD): %s",
			  strerror(errno));
		return;
	}
	if (!!(fl & O_NONBLOCK) != f->nonblock ||
	    !!(fdfl & FD_CLOEXEC) != f->cloexec || (fl & O_ACCMODE) != O_RDWR)
		violation("mailbox fd of %u: flags 0x%x fd flags 0x%x; opened with%s MBOX_FD_NONBLOCK, with%s MBOX_FD_CLOEXEC",
			  f->m->id, fl, fdfl, f->nonblock ? "" : "out",
			  f->cloexec ? "" : "out");
	if (fcntl(f->fd, F_SETFL, fl ^ O_NONBLOCK) == 0)
		f->nonblock = !f->nonblock;
	else
		violation("fcntl(F_SETFL): %s", strerror(errno));
	count(OP_FCNTL, 0, 0);
}

static void op_close(void)
{
	int i, k, ret;

	if (nmfds && chance(800)) {
		i = rnd(nmfds);
		for (k = 0; k < 4 && mfds[i].m->live; k++)
			i = rnd(nmfds);
		ret = close(mfds[i].fd);
		count(OP_CLOSE, ret, errno);
		if (ret)
			violation("close(mailbox fd of %u): %s",
				  mfds[i].m->id, strerror(errno));
		mfd_forget(i);
		return;
	}
	/* close a /dev/mbox file: its auto-destroy mailboxes go */
	k = rnd(NCTL);
	ret = close(ctl[k]);
	count(OP_CLOSE, ret, errno);
	if (ret)
		violation("close(/dev/mbox): %s", strerror(errno));
	for (i = 0; i < nlive; ) {
		struct mbx *m = live[i];

		if (m->owner == k && (m->cflags & MBOX_CREATE_AUTODESTROY)) {
			mbx_kill(m);
			continue;
		}
		i++;
	}
	ctl[k] = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	count(OP_CLOSE, ctl[k], errno);
	if (ctl[k] < 0)
		ksft_exit_fail_msg("reopen %s: %s\n", MBOX_DEV, strerror(errno));
}

/*
 * MBOX_IOC_SENDRECV, with its own exact expectations: every error that
 * applies before the send (the call's fields, the send half's, the
 * receive half's fields and mailbox) fails it with @sent 0 and @failed
 * naming a half whose error it is; otherwise the message is sent (pushed
 * on the model) and the receive half is judged as a RECV would be, with
 * @sent 1.  Waits are bounded as bound_wait() bounds them.
 */
#define SR_SIZE		((unsigned int)sizeof(struct mbox_sendrecv))

static __u32 sr_bound(__u32 f, __u64 *to)
{
	if (!(f & WAIT_FLAGS))
		f |= MBOX_NONBLOCK;
	if ((f & MBOX_TIMEOUT) && *to > MS_NS)
		*to = rnd(MS_NS + 1);
	if ((f & MBOX_TIMEOUT_ABS) && *to > now_ns() + MS_NS)
		*to = now_ns() + rnd(MS_NS / 4);
	return f;
}

/* The EINVAL of a send's or receive's own fields. */
static bool sr_half_invalid(__u32 f, __u64 to, __u32 res, bool recv)
{
	__u32 wait = f & WAIT_FLAGS;

	return (f & ~(recv ? RECV_FLAGS : SEND_FLAGS)) || (wait & (wait - 1)) ||
	       (to && !(f & (MBOX_TIMEOUT | MBOX_TIMEOUT_ABS))) || res ||
	       (recv && (f & MBOX_RECV_TYPE) && (f & MBOX_RECV_EXCEPT));
}

/* The error a wait that cannot be met gives, for flags @f. */
static eset sr_no_wait(__u32 f)
{
	return (f & MBOX_NONBLOCK) ? E(EAGAIN) : E(ETIMEDOUT);
}

static void op_sendrecv(void)
{
	struct mbox_sendrecv a, o;
	struct region ar, sb, rb;
	eset call_errs = 0, send_errs = 0, recv_pre = 0, recv_errs = 0;
	struct mbx *ma, *mb;
	unsigned char *saved = NULL;
	__u64 slen, rlen, sto, rto, n = 0;
	__u32 sf, rf, rtype;
	char what[240];
	long ret, sel = -1;
	int err = 0;

	if (!(features & MBOX_FEATURE_SENDRECV))
		return;
	memset(&a, 0, sizeof(a));
	a.send.id = pick_id();
	a.recv.id = chance(250) ? a.send.id : pick_id();
	ma = find_live(a.send.id);
	mb = find_live(a.recv.id);
	slen = model_bytes > BUDGET_BYTES || model_msgs > BUDGET_MSGS ?
	       rnd(8) : pick_len(ma ? ma->maxsz : info0.max_msg_size);
	pick_region(&data, slen, &sb, true);
	stamp(&sb, slen);
	sf = sr_bound(pick_wait(&sto), &sto);
	rf = pick_wait(&rto);
	if (chance(100))
		rf |= MBOX_RECV_TYPE << rnd(2);
	if (chance(100))
		rf |= MBOX_RECV_TRUNC;
	if (chance(50))
		rf |= MBOX_RECV_PEEK;
	rf = sr_bound(rf, &rto);
	rtype = pick_type();
	rlen = mb && mb->qn && chance(300) ? mb->q[0].len : pick_len(mb ? mb->maxsz : 64);
	pick_region(&data, rlen, &rb, true);
	a.send.buf = sb.addr;
	a.send.len = slen;
	a.send.flags = sf;
	a.send.timeout_ns = sto;
	a.send.type = pick_type();
	a.send.__reserved = chance(10) ? 1 : 0;
	a.recv.buf = rb.addr;
	a.recv.len = rlen;
	a.recv.flags = rf;
	a.recv.timeout_ns = rto;
	a.recv.type = rtype;
	a.recv.__reserved = chance(10) ? 1 : 0;
	a.flags = chance(10) ? 1U << rnd(32) : 0;
	a.__reserved = chance(10) ? 1 : 0;
	a.sent = 7;
	a.failed = 7;
	pick_region(&arga, SR_SIZE, &ar, chance(100));

	/* What applies before the send, in no particular order. */
	if (a.flags || a.__reserved)
		call_errs |= E(EINVAL);
	if (sr_half_invalid(sf, sto, a.send.__reserved, false))
		send_errs |= E(EINVAL);
	if (sr_half_invalid(rf, rto, a.recv.__reserved, true))
		recv_pre |= E(EINVAL);
	if (!ma)
		send_errs |= E(ENOENT);
	if (!mb)
		recv_pre |= E(ENOENT);
	if (ma && slen > ma->maxsz)
		send_errs |= E(EMSGSIZE);
	else if (ma && !readable(&sb, slen))
		send_errs |= E(EFAULT);
	else if (ma && !ring_takes(ma, slen) && ma->qn >= ma->cap)
		send_errs |= sr_no_wait(sf);
	if (!readable(&ar, SR_SIZE) || !writable(&ar, SR_SIZE)) {
		call_errs = E(EFAULT);	/* and nothing else is looked at */
		send_errs = 0;
		recv_pre = 0;
	}

	if (!(call_errs | send_errs | recv_pre) && ma && mb) {
		/* Sent: what the receive half finds after it. */
		if (slen && sb.rd >= slen) {
			saved = malloc(slen);
			if (!saved)
				ksft_exit_fail_msg("out of memory\n");
			memcpy(saved, (void *)sb.addr, slen);
		}
		send_push(ma, slen, a.send.type, saved);
		sel = mb->ring ? -1 : q_select(mb, rf, rtype);
		if (mb->ring) {
			recv_errs = E(EBUSY);
		} else if (sel < 0) {
			recv_errs = sr_no_wait(rf);
		} else if (mb->q[sel].len > rlen && !(rf & MBOX_RECV_TRUNC)) {
			recv_errs = E(EMSGSIZE);
		} else {
			n = mb->q[sel].len < rlen ? mb->q[sel].len : rlen;
			if (!writable(&rb, n))
				recv_errs = E(EFAULT);
		}
	}
	if (ar.alias && readable(&ar, SR_SIZE))
		memcpy(ar.alias, &a, SR_SIZE);

	__atomic_store_n(&progress, iter, __ATOMIC_RELAXED);
	ret = ioctl(ctl[rnd(NCTL)], MBOX_IOC_SENDRECV, ar.addr);
	if (ret < 0)
		err = errno;
	count(OP_SENDRECV, ret, err);
	viol_m = ma ? ma : mb;
	snprintf(what, sizeof(what),
		 "SENDRECV(%s struct 0x%lx: %u <- %llu bytes %s flags 0x%x; %u -> %s buf %llu flags 0x%x type %u; flags 0x%x)",
		 ar.kind, ar.addr, a.send.id, (unsigned long long)slen, sb.kind,
		 sf, a.recv.id, rb.kind, (unsigned long long)rlen, rf, rtype,
		 a.flags);
	if (watchdog_fired())
		violation("%s: still ran after 5 s: interrupted by the watchdog",
			  what);
	memset(&o, 0, sizeof(o));
	if (ar.alias && readable(&ar, SR_SIZE))
		memcpy(&o, ar.alias, SR_SIZE);

	if (call_errs | send_errs | recv_pre) {
		/* nothing may be sent */
		check_errno(what, ret, err, call_errs | send_errs | recv_pre,
			    E(ENOMEM), -1);
		if (ret < 0 && ar.wr >= SR_SIZE && !(call_errs & E(EFAULT)) &&
		    (o.sent ||
		     (o.failed == 0 && !(call_errs & E(err))) ||
		     (o.failed == MBOX_SENDRECV_SEND &&
		      !(send_errs & E(err)) && err != ENOMEM) ||
		     (o.failed == MBOX_SENDRECV_RECV && !(recv_pre & E(err))) ||
		     o.failed > MBOX_SENDRECV_RECV))
			violation("%s: %s with sent %u failed %u", what,
				  ename(err), o.sent, o.failed);
		if (o.sent == 1 && ma && ar.wr >= SR_SIZE)	/* follow it */
			send_push(ma, slen, a.send.type, NULL);
		else if (ret < 0 && err == ETIMEDOUT &&
			 o.failed == MBOX_SENDRECV_SEND)
			send_waited(ma);
		goto out;
	}
	if (!ma || !mb)
		goto out;
	check_errno(what, ret, err, recv_errs, 0, (long)n);
	if (o.sent != 1 || (ret < 0 ? o.failed != MBOX_SENDRECV_RECV : o.failed))
		violation("%s: returned %ld (%s) after the send, with sent %u failed %u",
			  what, ret, ret < 0 ? ename(err) : "success", o.sent,
			  o.failed);
	if (ret < 0 && err == EMSGSIZE && sel >= 0 &&
	    (o.recv.len != mb->q[sel].len || o.recv.msg_len != mb->q[sel].len))
		violation("%s: EMSGSIZE with len %llu msg_len %llu; the message has %llu bytes",
			  what, (unsigned long long)o.recv.len,
			  (unsigned long long)o.recv.msg_len,
			  (unsigned long long)mb->q[sel].len);
	if (ret < 0)
		goto out;
	if (sel >= 0 && !recv_errs) {
		struct mmsg *msg = &mb->q[sel];

		if (o.recv.len != n || o.recv.seq != msg->seq ||
		    o.recv.type != msg->type || o.recv.msg_len != msg->len ||
		    (n && msg->data && rb.wr >= n &&
		     memcmp((void *)rb.addr, msg->data, n)))
			violation("%s: got len %llu seq %llu type %u msg_len %llu; expected %llu bytes of seq %llu (type %u, %llu bytes)",
				  what, (unsigned long long)o.recv.len,
				  (unsigned long long)o.recv.seq, o.recv.type,
				  (unsigned long long)o.recv.msg_len,
				  (unsigned long long)n,
				  (unsigned long long)msg->seq, msg->type,
				  (unsigned long long)msg->len);
	} else {	/* not expected: follow the module */
		sel = find_taken(mb, rf, rtype, ret, &rb, o.recv.seq);
	}
	if (!(rf & MBOX_RECV_PEEK) && sel >= 0)
		q_del(mb, sel);
out:
	free(saved);
}

/* ---------------------------------------------------------------------- */
/*
 * MBOX_IOC_SEND_BATCH and MBOX_IOC_RECV_BATCH, judged exactly.  Before the
 * call the model works out the errors that stop it before any message
 * (the command, the header's size, fields and mailbox: any of those that
 * apply), else the outcome of each message in array order, as that many
 * single calls would have it (include/uapi/linux/mbox.h): its element
 * unreadable (EFAULT) or invalid (EINVAL), then for a send EMSGSIZE, its
 * data unreadable (EFAULT), no free slot; for a receive no message it
 * selects, a message too long (EMSGSIZE), its buffer or element not
 * writable (EFAULT); the first message waits as the flags say, the others
 * give EAGAIN.  So it knows the return value, @done and @error, which
 * messages move in which order, and what each element reports: their
 * @len, @type, @msg_len, @seq and data, the length on EMSGSIZE, and that
 * elements the call did not reach are left alone.
 */

#define BEL		MBOX_BATCH_MSG_SIZE
#define BCHUNK		16	/* elements the module reads at a time */
#define BATCH_GEN	(MBOX_BATCH_MAX + 1)	/* most elements generated */

static struct area batcha;	/* element arrays */
static unsigned int batch_ksize;	/* header size the module reads */

struct belem {
	struct mbox_batch_msg in;	/* as given */
	struct region buf;
	__u64 cut;	/* receive: bytes it stores */
	long sel;	/* receive: the message it takes, index in the queue */
};

static struct belem bel[BATCH_GEN];
static __u64 batch_sent, batch_recvd, batch_partial;	/* as predicted */
static unsigned char bimg[BATCH_GEN * BEL];	/* the array as written */

static __u32 pick_batch_count(void)
{
	static const __u32 edge[] = { 15, 16, 17, 31, 32, 33, 48, 64 };

	switch (rnd(25)) {
	case 0:
		return 0;
	case 1:
		return chance(500) ? MBOX_BATCH_MAX + 1 : (__u32)rnd64();
	case 2: case 3:
		return edge[rnd(ARRAY_SIZE(edge))];
	case 4:
		return chance(500) ? MBOX_BATCH_MAX : 1 + rnd(MBOX_BATCH_MAX);
	case 5: case 6: case 7: case 8:
		return 1 + rnd(40);
	default:
		return 1 + rnd(4);
	}
}

/* The oldest message @flags and @type select that is not @taken, or -1. */
static long q_select_from(const struct mbx *m, __u32 flags, __u32 type,
			  const bool *taken)
{
	size_t i;

	for (i = 0; i < m->qn; i++) {
		if (taken[i])
			continue;
		if ((flags & MBOX_RECV_TYPE) && m->q[i].type != type)
			continue;
		if ((flags & MBOX_RECV_EXCEPT) && m->q[i].type == type)
			continue;
		return (long)i;
	}
	return -1;
}

static long q_find_seq(const struct mbx *m, __u64 seq)
{
	size_t i;

	for (i = 0; i < m->qn; i++)
		if (m->q[i].seq == seq)
			return (long)i;
	return -1;
}

static bool regions_overlap(const struct region *a, __u64 alen,
			    const struct region *b, __u64 blen)
{
	return alen && blen && a->addr < b->addr + blen &&
	       b->addr < a->addr + alen;
}

/* Element @i of the array the kernel reads, as it is in memory now. */
static bool bel_now(const struct region *arr, __u32 i,
		    struct mbox_batch_msg *out)
{
	if ((size_t)(i + 1) * BEL > arr->rd || !arr->alias)
		return false;
	memcpy(out, arr->alias + (size_t)i * BEL, BEL);
	return true;
}

/*
 * The versioned struct @a (@asize bytes) of a call that passes @usize bytes:
 * built in @hb (HDR_BUF bytes), zero past @asize, with now and then a
 * garbage byte past @from (the module's size: E2BIG), and placed in a
 * region picked for it, @ar.  Returns whether the garbage byte was put.
 */
#define HDR_BUF 128

static bool fuzz_hdr(unsigned char *hb, const void *a, size_t asize,
		     unsigned int usize, unsigned int from, struct region *ar)
{
	bool e2big = false;

	memset(hb, 0, HDR_BUF);
	memcpy(hb, a, asize);
	if (usize > from && chance(300)) {
		hb[from + rnd(usize - from)] = 1 + rnd(255);
		e2big = true;
	}
	pick_region(&arga, usize, ar, chance(100));
	if (ar->alias)
		memcpy(ar->alias, hb, usize < ar->rd ? usize : ar->rd);
	return e2big;
}

/*
 * The errors a versioned struct's call gives before it looks at the
 * struct's fields: ENOTTY if the file does not run the command as passed
 * (!@cmd_ok), EINVAL below the first version's size @ver1, then E2BIG for
 * a garbage tail and EFAULT for a struct it cannot read (either: the tail
 * is checked as far as it can be read).  0 if the call gets past them.
 */
static eset hdr_errs(bool cmd_ok, unsigned int usize, unsigned int ver1,
		     const struct region *ar, bool e2big)
{
	if (!cmd_ok)
		return E(ENOTTY);
	if (usize < ver1)
		return E(EINVAL);
	return (e2big ? E(E2BIG) : 0) |
	       (!readable(ar, usize) ? E(EFAULT) : 0);
}

static void op_batch(bool recv)
{
	const int op = recv ? OP_RECV_BATCH : OP_SEND_BATCH;
	unsigned int nr = _IOC_NR(recv ? MBOX_IOC_RECV_BATCH :
				   MBOX_IOC_SEND_BATCH);
	unsigned int dir = _IOC_READ | _IOC_WRITE, usize = batch_ksize, k;
	unsigned char hb[HDR_BUF], ho[128];
	struct mbox_batch a, o;
	struct region ar, arr;
	struct mbx *m = NULL, *bound = NULL;
	bool over = model_bytes > BUDGET_BYTES || model_msgs > BUDGET_MSGS;
	bool e2big = false, canary = false, *taken = NULL, dead = false, pre;
	__u32 ngen, i, j, done = 0, wait, first_end;
	__u64 to, seqs_n = 0, hprod;
	__u32 qd = 0;
	eset errs = 0;
	int err = 0, berr = 0, mfd = -1, fd;
	char what[300], want[160];
	unsigned long cmd;
	long ret;

	if (!(features & MBOX_FEATURE_BATCH))
		return;
	if ((features & MBOX_FEATURE_FD_IOCTL) && nmfds && chance(250)) {
		mfd = pick_mfd();
		bound = mfds[mfd].m;
	}
	fd = mfd >= 0 ? mfds[mfd].fd : ctl[rnd(NCTL)];

	/* the header */
	memset(&a, 0, sizeof(a));
	if (bound && !chance(50)) {
		a.id = chance(700) ? 0 : bound->id;
		m = bound;
	} else {
		a.id = pick_id();
		m = bound ? NULL : find_live(a.id);
		if (bound && a.id == bound->id)
			m = bound;
	}
	a.flags = sr_bound(pick_wait(&to), &to);
	a.timeout_ns = to;
	if (recv) {
		k = rnd(10);
		if (k < 2)
			a.flags |= MBOX_RECV_TYPE;
		else if (k == 2)
			a.flags |= MBOX_RECV_EXCEPT;
		else if (k == 3 && chance(200))
			a.flags |= MBOX_RECV_TYPE | MBOX_RECV_EXCEPT;
		if (chance(30))
			a.flags |= MBOX_RECV_PEEK;	/* EINVAL */
		if (chance(200))
			a.flags |= MBOX_RECV_TRUNC;
		a.type = pick_type();
	} else if (chance(20)) {
		a.type = 1 + rnd(100);	/* EINVAL */
	} else if (chance(10)) {
		a.flags |= MBOX_RECV_TYPE << rnd(4);	/* receive-only bits */
	}
	a.count = pick_batch_count();
	if (over && !recv && a.count > 4)
		a.count = 1 + rnd(4);
	a.done = (__u32)rnd64();
	a.error = (__u32)rnd64();

	/* the elements */
	ngen = a.count < BATCH_GEN ? a.count : BATCH_GEN;
	memset(bimg, 0, (size_t)ngen * BEL);
	for (i = 0; i < ngen; i++) {
		struct belem *e = &bel[i];
		__u64 len;

		memset(e, 0, sizeof(*e));
		e->sel = -1;
		if (recv) {
			long s = m && m->live && i < m->qn ? (long)i : -1;

			if (s >= 0 && chance(400))
				len = m->q[s].len - (chance(100) && m->q[s].len);
			else if (m && chance(400))
				len = m->maxsz;
			else
				len = pick_len(m ? m->maxsz : info0.max_msg_size);
			e->in.type = chance(300) ? (__u32)rnd64() : 0;
			e->in.msg_len = chance(300) ? rnd64() : 0;
			e->in.seq = chance(300) ? rnd64() : 0;
		} else {
			if (over || i >= 8 || a.count > 64)
				len = chance(20) ? pick_len(m ? m->maxsz : 64) :
				      rnd(100);
			else
				len = pick_len(m ? m->maxsz :
					       info0.max_msg_size);
			e->in.type = pick_type();
			if (chance(5))
				e->in.msg_len = 1 + rnd(100);
			if (chance(5))
				e->in.seq = 1 + rnd64();
		}
		if (chance(5))
			e->in.__reserved = 1 + rnd(1000);
		pick_region(&data, len, &e->buf, chance(40));
		if (!recv)
			stamp(&e->buf, len);
		e->in.buf = e->buf.addr;
		e->in.len = len;
		memcpy(bimg + (size_t)i * BEL, &e->in, BEL);
	}
	pick_region(&batcha, (__u64)ngen * BEL, &arr, chance(150));
	if (arr.alias)
		memcpy(arr.alias, bimg,
		       (size_t)ngen * BEL < arr.rd ? (size_t)ngen * BEL : arr.rd);
	a.msgs = arr.addr;

	/* the command and where its header is */
	k = rnd(1000);
	if (k < 60)
		usize = batch_ksize + 1 + rnd(64);
	else if (k < 80)
		usize = rnd(MBOX_BATCH_SIZE_VER1);
	else if (k < 95)
		dir = chance(500) ? _IOC_WRITE : chance(500) ? _IOC_READ : 0;
	cmd = _IOC(dir, MBOX_IOC_MAGIC, nr, usize);
	e2big = fuzz_hdr(hb, &a, sizeof(a), usize, batch_ksize, &ar);
	if (ar.alias && ar.wr >= (size_t)usize + 16) {
		memset(ar.alias + usize, 0xa5, 16);
		canary = true;
	}

	/* what must happen: first the call's own errors, any that applies */
	wait = a.flags & WAIT_FLAGS;
	errs = hdr_errs(dir == (_IOC_READ | _IOC_WRITE), usize,
			MBOX_BATCH_SIZE_VER1, &ar, e2big);
	if (!errs) {
		if (a.flags & ~(recv ? RECV_FLAGS & ~MBOX_RECV_PEEK :
				SEND_FLAGS))
			errs |= E(EINVAL);
		if (!a.count || a.count > MBOX_BATCH_MAX)
			errs |= E(EINVAL);
		if ((wait & (wait - 1)) ||
		    (a.timeout_ns && !(a.flags & (MBOX_TIMEOUT |
						  MBOX_TIMEOUT_ABS))))
			errs |= E(EINVAL);
		if (!recv && a.type)
			errs |= E(EINVAL);
		if (recv && (a.flags & MBOX_RECV_TYPE) &&
		    (a.flags & MBOX_RECV_EXCEPT))
			errs |= E(EINVAL);
		if (bound) {
			if (a.id && a.id != bound->id)
				errs |= E(EINVAL);
			m = bound;
			dead = !m->live;
		} else if (!m) {
			errs |= E(ENOENT);
		}
	}

	/* then each message in turn */
	pre = errs != 0;
	if (!errs) {
		hprod = m->ring ? m->ring->prod : 0;
		if (recv) {
			taken = calloc(m->qn + 1, sizeof(*taken));
			if (!taken)
				ksft_exit_fail_msg("out of memory\n");
		}
		for (i = 0; i < a.count; i++) {
			struct belem *e = &bel[i];

			if ((size_t)(i + 1) * BEL > arr.rd) {
				berr = EFAULT;
				break;
			}
			if (e->in.__reserved ||
			    (!recv && (e->in.msg_len || e->in.seq))) {
				berr = EINVAL;
				break;
			}
			if (dead) {
				if (!recv && e->in.len > m->maxsz)
					berr = EMSGSIZE;
				else if (!recv && !readable(&e->buf, e->in.len))
					berr = EFAULT;
				else
					berr = EIDRM;
				break;
			}
			if (!recv) {
				if (e->in.len > m->maxsz) {
					berr = EMSGSIZE;
					break;
				}
				if (!readable(&e->buf, e->in.len)) {
					berr = EFAULT;
					break;
				}
				if (m->ring && !m->ring->dead && !m->qn &&
				    !qd && ring_room(m->ring, hprod,
						     e->in.len)) {
					hprod += rec_size(e->in.len);
				} else if (m->qn + qd < m->cap) {
					qd++;
				} else {
					berr = i ? EAGAIN :
					       (a.flags & MBOX_NONBLOCK) ?
					       EAGAIN : ETIMEDOUT;
					break;
				}
				done++;
				continue;
			}
			if (m->ring) {	/* its consumer takes every message */
				berr = EBUSY;
				break;
			}
			e->sel = q_select_from(m, a.flags, a.type, taken);
			if (e->sel < 0) {
				berr = i ? EAGAIN : (a.flags & MBOX_NONBLOCK) ?
				       EAGAIN : ETIMEDOUT;
				break;
			}
			if (m->q[e->sel].len > e->in.len &&
			    !(a.flags & MBOX_RECV_TRUNC)) {
				berr = EMSGSIZE;
				break;
			}
			e->cut = m->q[e->sel].len < e->in.len ?
				 m->q[e->sel].len : e->in.len;
			if (!writable(&e->buf, e->cut) ||
			    (size_t)(i + 1) * BEL > arr.wr) {
				berr = EFAULT;
				break;
			}
			taken[e->sel] = true;
			done++;
		}
		if (!done)
			errs = E(berr);
	}

	__atomic_store_n(&progress, iter, __ATOMIC_RELAXED);
	ret = ioctl(fd, cmd, ar.addr);
	if (ret < 0)
		err = errno;
	count(op, ret, err);
	viol_m = m && m->live ? m : NULL;
	note(viol_m, opname[op], a.flags, a.type, a.count, ret, err, 0);
	snprintf(what, sizeof(what),
		 "%s(%s%s, cmd 0x%lx size %u, %s header 0x%lx: id %u flags 0x%x count %u type %u timeout %llu; %s array 0x%lx rd %zu wr %zu)",
		 opname[op], mfd >= 0 ? "mailbox fd" : "/dev/mbox",
		 dead ? " destroyed" : "", cmd, usize, ar.kind, ar.addr, a.id,
		 a.flags, a.count, a.type, (unsigned long long)a.timeout_ns,
		 arr.kind, arr.addr, arr.rd, arr.wr);
	if (watchdog_fired())
		violation("%s: still ran after 5 s: interrupted by the watchdog",
			  what);
	if (canary)
		for (i = 0; i < 16; i++)
			if (ar.alias[usize + i] != 0xa5) {
				violation("%s: wrote byte %u past the %u-byte header",
					  what, i, usize);
				break;
			}
	memset(ho, 0, sizeof(ho));
	if (ar.alias)
		memcpy(ho, ar.alias, usize < ar.rd ? usize : ar.rd);
	memcpy(&o, ho, sizeof(o));

	if (ret < 0) {
		if (err == EINTR && wd_fires)
			goto out;
		if (!(errs & E(err)) && !(err == ENOMEM && !recv && !pre)) {
			if (errs)
				eset_str(errs, want, sizeof(want));
			else
				snprintf(want, sizeof(want),
					 "%u messages %s (then %s)", done,
					 recv ? "received" : "sent",
					 berr ? ename(berr) : "all");
			violation("%s: got %s; expected %s", what, ename(err),
				  want);
		}
		if (!recv && err == ETIMEDOUT && !pre)
			send_waited(m);
		/* a failed call writes no header; a receive at most element 0 */
		if (ar.alias && memcmp(ho, hb, usize < ar.rd ? usize : ar.rd))
			violation("%s: failed with %s and changed its header (done %u error %u)",
				  what, ename(err), o.done, o.error);
		first_end = recv ? 1 : 0;
		if (recv && err == EMSGSIZE && !errs && berr == EMSGSIZE &&
		    bel[0].sel >= 0 && BEL <= arr.wr) {
			struct mbox_batch_msg out;
			__u64 want_len = m->q[bel[0].sel].len;

			bel_now(&arr, 0, &out);
			if (out.len != want_len || out.msg_len != want_len ||
			    out.buf != bel[0].in.buf)
				violation("%s: EMSGSIZE, element 0 has len %llu msg_len %llu; the message has %llu bytes",
					  what, (unsigned long long)out.len,
					  (unsigned long long)out.msg_len,
					  (unsigned long long)want_len);
		}
		goto check_rest;
	}

	/* success: @ret messages done */
	if (errs || (__u32)ret != done) {
		if (errs)
			eset_str(errs, want, sizeof(want));
		else
			snprintf(want, sizeof(want), "%u (then %s)", done,
				 berr ? ename(berr) : "all done");
		if (!(!recv && !errs && (__u32)ret < done &&
		      ar.wr >= usize && o.error == ENOMEM))
			violation("%s: returned %ld (header: done %u error %s); expected %s",
				  what, ret, o.done, ename(o.error), want);
		/* follow the module: what its elements say it did */
		if (!m || !m->live || (__u32)ret > a.count)
			goto out;
		for (i = 0; i < (__u32)ret && i < ngen; i++) {
			if (!recv) {
				send_push(m, bel[i].in.len, bel[i].in.type,
				       bel[i].buf.rd >= bel[i].in.len ?
				       (void *)bel[i].buf.addr : NULL);
			} else {
				struct mbox_batch_msg out;
				long s;

				if (!bel_now(&arr, i, &out))
					break;
				s = q_find_seq(m, out.seq);
				if (s >= 0)
					q_del(m, s);
			}
		}
		goto out;
	}
	if (ar.wr >= usize) {
		struct mbox_batch want_h = a;

		want_h.done = done;
		want_h.error = done == a.count ? 0 : berr;
		if (memcmp(&o, &want_h, sizeof(o)))
			violation("%s: returned %ld; header done %u error %s (expected %u, %s), id %u flags 0x%x msgs 0x%llx count %u type %u timeout %llu",
				  what, ret, o.done, ename(o.error),
				  want_h.done, want_h.error ?
				  ename(want_h.error) : "0", o.id, o.flags,
				  (unsigned long long)o.msgs, o.count, o.type,
				  (unsigned long long)o.timeout_ns);
		for (k = sizeof(a); k < usize; k++)
			if (ho[k]) {
				violation("%s: header byte %u of %u is 0x%02x, not zeroed",
					  what, k, usize, ho[k]);
				break;
			}
	}
	batch_partial += done < a.count;
	if (!recv) {
		batch_sent += done;
		for (i = 0; i < done; i++)
			send_push(m, bel[i].in.len, bel[i].in.type,
				  bel[i].buf.rd >= bel[i].in.len ?
				  (void *)bel[i].buf.addr : NULL);
		first_end = 0;
		goto check_rest;
	}
	for (i = 0; i < done; i++) {
		const struct mmsg *q = &m->q[bel[i].sel];
		struct mbox_batch_msg out;
		bool clobbered = false;

		bel_now(&arr, i, &out);
		if (out.buf != bel[i].in.buf || out.len != bel[i].cut ||
		    out.type != q->type || out.__reserved ||
		    out.msg_len != q->len || out.seq != q->seq)
			violation("%s: element %u: buf 0x%llx len %llu type %u reserved %u msg_len %llu seq %llu; expected %llu bytes of seq %llu (type %u, %llu bytes)",
				  what, i, (unsigned long long)out.buf,
				  (unsigned long long)out.len, out.type,
				  out.__reserved,
				  (unsigned long long)out.msg_len,
				  (unsigned long long)out.seq,
				  (unsigned long long)bel[i].cut,
				  (unsigned long long)q->seq, q->type,
				  (unsigned long long)q->len);
		/* a later element's buffer (or the failed one's) may overlap */
		for (j = i + 1; j <= done && j < ngen; j++)
			if (regions_overlap(&bel[i].buf, bel[i].cut,
					    &bel[j].buf,
					    j < done ? bel[j].cut :
					    bel[j].in.len))
				clobbered = true;
		if (!clobbered && bel[i].cut && q->data &&
		    bel[i].buf.wr >= bel[i].cut &&
		    memcmp((void *)bel[i].buf.addr, q->data, bel[i].cut))
			violation("%s: element %u: the data differ from message seq %llu's",
				  what, i, (unsigned long long)q->seq);
	}
	if (berr == EMSGSIZE && done < a.count &&
	    (size_t)(done + 1) * BEL <= arr.wr) {
		struct mbox_batch_msg out;
		long s = q_select_from(m, a.flags, a.type, taken);

		bel_now(&arr, done, &out);
		if (s >= 0 && (out.len != m->q[s].len ||
			       out.msg_len != m->q[s].len))
			violation("%s: stopped by EMSGSIZE at element %u, which has len %llu msg_len %llu; the message has %llu bytes",
				  what, done, (unsigned long long)out.len,
				  (unsigned long long)out.msg_len,
				  (unsigned long long)m->q[s].len);
	}
	/* the messages taken leave the model, in the order taken */
	batch_recvd += done;
	{
		__u64 *seqs = malloc((done + 1) * sizeof(*seqs));

		if (!seqs)
			ksft_exit_fail_msg("out of memory\n");
		for (i = 0; i < done; i++)
			seqs[seqs_n++] = m->q[bel[i].sel].seq;
		for (i = 0; i < seqs_n; i++)
			q_del(m, q_find_seq(m, seqs[i]));
		free(seqs);
	}
	/* elements past the chunk it stopped in: the module read no further */
	first_end = (done / BCHUNK + 1) * BCHUNK;
check_rest:
	for (i = first_end; i < ngen; i++) {
		struct mbox_batch_msg out;

		if (!bel_now(&arr, i, &out))
			break;
		if (memcmp(&out, bimg + (size_t)i * BEL, BEL)) {
			violation("%s: returned %ld (%s); element %u, past those it did, was changed",
				  what, ret, ret < 0 ? ename(err) : "ok", i);
			break;
		}
	}
out:
	free(taken);
}

/* ---------------------------------------------------------------------- */
/*
 * The ring's calls, judged against its model: MBOX_IOC_RING_SETUP (its
 * errors, then the offsets it returns), mmap() and munmap() of its parts
 * (and the mappings it refuses), reading records through the mapping and
 * storing the consumer position (sometimes garbage, later set right),
 * and MBOX_IOC_RING_WAIT, which refills the ring from the queue.  What a
 * record holds, the producer page's position and flags, and what the
 * consumer file's poll() says are compared with the model.
 */

static __u64 ring_pages(const struct mring *r)
{
	return 2 + 2 * (__u64)r->size / psz;
}

static struct mring *ring_new(struct mbx *m, __u32 size,
			      const struct mbox_ring_setup *o)
{
	struct mring *r = calloc(1, sizeof(*r));

	if (!r || nrings >= MAX_RINGS)
		ksft_exit_fail_msg("too many rings\n");
	r->m = m;
	r->fd_open = true;
	m->nfds++;		/* the ring holds the mailbox */
	r->size = size;
	r->refill = m->qn ? 1 : 0;
	r->off_cons = o->consumer_off;
	r->off_prod = o->producer_off;
	r->off_data = o->data_off;
	rings[nrings++] = r;
	m->ring = r;
	return r;
}

static void *ring_mmap(int fd, __u64 off, __u64 len, int prot, int flags,
		       int *err)
{
	void *p;

	__atomic_store_n(&progress, iter, __ATOMIC_RELAXED);
	p = mmap(NULL, len, prot, flags, fd, off);
	*err = p == MAP_FAILED ? errno : 0;
	count(OP_RING_MAP, p == MAP_FAILED ? -1 : 0, *err);
	return p == MAP_FAILED ? NULL : p;
}

/* These two may release the consumer's file, and free @r. */
static void ring_unmap_cons(struct mring *r)
{
	munmap(r->cmap, psz);
	r->cmap = NULL;
	count(OP_RING_MAP, 0, 0);
	ring_release_check(r);
}

static void ring_unmap_prod(struct mring *r)
{
	munmap(r->pmap, psz + 2 * (size_t)r->size);
	r->pmap = NULL;
	count(OP_RING_MAP, 0, 0);
	ring_release_check(r);
}

static void ring_map_cons(struct mring *r, int fd)
{
	int err;

	r->cmap = ring_mmap(fd, r->off_cons, psz, PROT_READ | PROT_WRITE,
			    MAP_SHARED, &err);
	if (!r->cmap)
		violation("mmap(consumer page of a ring of %u bytes, offset %llu, read-write): %s",
			  r->size, (unsigned long long)r->off_cons,
			  ename(err));
}

static void ring_map_prod(struct mring *r, int fd)
{
	int err;

	r->pmap = ring_mmap(fd, r->off_prod, psz + 2 * (__u64)r->size,
			    PROT_READ, chance(900) ? MAP_SHARED : MAP_PRIVATE,
			    &err);
	if (!r->pmap)
		violation("mmap(producer page and data of a ring of %u bytes, offset %llu, read-only): %s",
			  r->size, (unsigned long long)r->off_prod,
			  ename(err));
}

/*
 * Rings are charged like messages, to the mailbox's creator: the test's
 * rings together stay far below max_bytes_per_user, so that no send is
 * refused for them (the model knows no EDQUOT).
 */
#define RING_BYTES_MAX	(16U << 20)

static __u64 ring_bytes(void)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < nrings; i++)
		n += rings[i]->size + 2 * psz;
	return n;
}

static __u32 pick_ring_size(void)
{
	unsigned int k = rnd(100);

	if (k < 80 && ring_bytes() + (2 << 20) > RING_BYTES_MAX)
		return (__u32)psz << rnd(2);
	if (k < 70)
		return (__u32)psz << rnd(5);
	if (k < 80)
		return (__u32)psz << (5 + rnd(4));
	if (k < 83)
		return 0;
	if (k < 87)
		return (__u32)psz + 8 * (1 + rnd(psz / 8 - 1));
	if (k < 90)
		return MBOX_RING_SIZE_MAX * 2;
	if (k < 93)
		return MBOX_RING_SIZE_MIN / 2;
	if (k < 96)
		return MBOX_RING_SIZE_MIN - 8;
	return (__u32)rnd64();
}

static bool ring_size_ok(__u32 size)
{
	return size >= MBOX_RING_SIZE_MIN && size >= psz &&
	       size <= MBOX_RING_SIZE_MAX && !(size & (size - 1));
}

/* A command of @want with, mostly, its own size and direction. */
static unsigned long ring_cmd(unsigned long want, unsigned int *usize,
			      bool *dir_ok)
{
	unsigned int dir = _IOC_DIR(want), k = rnd(1000);

	*usize = _IOC_SIZE(want);
	if (k < 50)
		*usize += 8 * (1 + rnd(8));
	else if (k < 70)
		*usize = rnd(*usize);
	else if (k < 85)
		dir = (dir + 1 + rnd(3)) & 3;
	*dir_ok = dir == _IOC_DIR(want);
	return _IOC(dir, MBOX_IOC_MAGIC, _IOC_NR(want), *usize);
}

static void op_ring_setup(void)
{
	unsigned char hb[HDR_BUF], ho[128];
	struct mbox_ring_setup a, o;
	unsigned int usize, ver1 = MBOX_RING_SETUP_SIZE_VER1, k;
	int i = -1, fd, err = 0;
	struct mbx *m = NULL;
	struct region ar;
	bool dir_ok, e2big = false;
	eset errs = 0;
	unsigned long cmd;
	char what[240], want[160];
	long ret;

	if (!(features & MBOX_FEATURE_RING) || nrings >= MAX_RINGS - 1)
		return;
	if (!chance(30))
		i = pick_mfd();
	fd = i >= 0 ? mfds[i].fd : ctl[rnd(NCTL)];
	if (i >= 0)
		m = mfds[i].m;
	memset(&a, 0, sizeof(a));
	a.size = pick_ring_size();
	if (chance(30))
		a.flags = 1U << rnd(32);
	if (chance(300)) {	/* out fields: anything in */
		a.consumer_off = rnd64();
		a.data_off = rnd64();
	}
	cmd = ring_cmd(MBOX_IOC_RING_SETUP, &usize, &dir_ok);
	e2big = fuzz_hdr(hb, &a, sizeof(a), usize, ver1, &ar);

	errs = hdr_errs(i >= 0 && dir_ok, usize, ver1, &ar, e2big);
	if (errs) {
		/* the header fails: the fields are not looked at */
	} else if (a.flags || !ring_size_ok(a.size)) {
		errs = E(EINVAL);
	} else {
		if (!m->live)
			errs |= E(EIDRM);
		if (m->ring)
			errs |= E(EBUSY);
		if (rec_size(m->maxsz) > a.size)
			errs |= E(EMSGSIZE);
		if (!errs && !writable(&ar, usize))
			errs = E(EFAULT);
	}

	__atomic_store_n(&progress, iter, __ATOMIC_RELAXED);
	ret = ioctl(fd, cmd, ar.addr);
	if (ret < 0)
		err = errno;
	count(OP_RING_SETUP, ret, err);
	viol_m = m && m->live ? m : NULL;
	note(viol_m, "RING_SETUP", a.flags, 0, a.size, ret, err, 0);
	snprintf(what, sizeof(what),
		 "RING_SETUP(%s%s, cmd 0x%lx size %u, %s struct: size %u flags 0x%x)",
		 i >= 0 ? "mailbox fd" : "/dev/mbox",
		 m && !m->live ? " destroyed" : "", cmd, usize, ar.kind,
		 a.size, a.flags);
	if (ret < 0) {
		/* its memory may be short; its quotas are the messages' */
		if (!(errs & E(err)) &&
		    !(!errs && (err == ENOMEM || err == EDQUOT ||
				err == ENOBUFS))) {
			if (errs)
				eset_str(errs, want, sizeof(want));
			else
				snprintf(want, sizeof(want), "success");
			violation("%s: got %s; expected %s", what, ename(err),
				  want);
		}
		return;
	}
	if (errs) {
		eset_str(errs, want, sizeof(want));
		violation("%s: returned %ld; expected one of %s", what, ret,
			  want);
		if (i < 0 || m->ring || !m->live || !ar.alias)
			return;	/* cannot follow it */
	} else if (ret) {
		violation("%s: returned %ld, not 0", what, ret);
	}
	memset(ho, 0, sizeof(ho));
	memcpy(ho, ar.alias, usize < sizeof(ho) ? usize : sizeof(ho));
	memcpy(&o, ho, sizeof(o));
	if (o.size != a.size || o.flags != a.flags ||
	    (o.consumer_off | o.producer_off | o.data_off) & (psz - 1) ||
	    o.data_off != o.producer_off + psz ||
	    (o.consumer_off >= o.producer_off &&
	     o.consumer_off < o.data_off + 2 * (__u64)a.size))
		violation("%s: size %u flags 0x%x, offsets: consumer %llu producer %llu data %llu",
			  what, o.size, o.flags,
			  (unsigned long long)o.consumer_off,
			  (unsigned long long)o.producer_off,
			  (unsigned long long)o.data_off);
	for (k = ver1; k < usize; k++)
		if (ho[k]) {
			violation("%s: byte %u of the struct is 0x%02x, not zeroed",
				  what, k, ho[k]);
			break;
		}
	mfds[i].ring = ring_new(m, a.size, &o);
	if (chance(800))
		ring_map_cons(mfds[i].ring, fd);
	if (chance(800))
		ring_map_prod(mfds[i].ring, fd);
}

/* A mailbox file, mostly a ring consumer's if there is one; -1 if none. */
static int pick_consumer_mfd(void)
{
	int i = pick_mfd(), j, k;

	if (i < 0 || mfds[i].ring || chance(300))
		return i;
	k = rnd(nmfds);
	for (j = 0; j < nmfds; j++)
		if (mfds[(k + j) % nmfds].ring)
			return (k + j) % nmfds;
	return i;
}

/* mmap() and munmap() of a mailbox file's ring, the refused ones too. */
static void op_ring_map(void)
{
	int i = pick_consumer_mfd(), err;
	struct mring *r;
	__u64 total;
	char what[200];
	void *p;

	if (i < 0 || !(features & MBOX_FEATURE_RING))
		return;
	r = mfds[i].ring;
	if (!r) {	/* not a consumer: nothing to map */
		p = ring_mmap(mfds[i].fd, psz * rnd(3), psz * (1 + rnd(3)),
			      PROT_READ, MAP_SHARED, &err);
		if (p || err != ENODEV)
			violation("mmap(mailbox %u fd, not its ring consumer): %s; expected ENODEV",
				  mfds[i].m->id, p ? "mapped" : ename(err));
		if (p)
			munmap(p, psz);
		return;
	}
	total = ring_pages(r);
	switch (rnd(10)) {
	case 0: case 1:
		if (r->cmap)
			ring_unmap_cons(r);
		else
			ring_map_cons(r, mfds[i].fd);
		break;
	case 2: case 3:
		if (r->pmap)
			ring_unmap_prod(r);
		else
			ring_map_prod(r, mfds[i].fd);
		break;
	case 4:	/* writable beyond the consumer page */
		if (chance(500))
			p = ring_mmap(mfds[i].fd, r->off_prod, psz,
				      PROT_READ | PROT_WRITE, MAP_SHARED, &err);
		else
			p = ring_mmap(mfds[i].fd, 0, total * psz,
				      PROT_READ | PROT_WRITE, MAP_SHARED, &err);
		snprintf(what, sizeof(what),
			 "mmap(ring of %u bytes, producer page or all, read-write)",
			 r->size);
		if (p || err != EPERM)
			violation("%s: %s; expected EPERM", what,
				  p ? "mapped" : ename(err));
		if (p)
			munmap(p, psz);
		break;
	case 5:	/* outside the ring */
		if (chance(500))
			p = ring_mmap(mfds[i].fd, total * psz, psz, PROT_READ,
				      MAP_SHARED, &err);
		else
			p = ring_mmap(mfds[i].fd, 0, (total + 1) * psz,
				      PROT_READ, MAP_SHARED, &err);
		if (p || err != EINVAL)
			violation("mmap(ring of %u bytes, %llu pages, past its end): %s; expected EINVAL",
				  r->size, (unsigned long long)total,
				  p ? "mapped" : ename(err));
		if (p)
			munmap(p, (total + 1) * psz);
		break;
	case 6:	/* all of it, read-only; then the producer page's size */
		p = ring_mmap(mfds[i].fd, 0, total * psz, PROT_READ,
			      MAP_SHARED, &err);
		if (!p) {
			violation("mmap(ring of %u bytes, all %llu pages, read-only): %s",
				  r->size, (unsigned long long)total,
				  ename(err));
			break;
		}
		if (((struct mbox_ring_producer *)((char *)p +
						   r->off_prod))->size !=
		    r->size)
			violation("ring of %u bytes: its producer page says %u",
				  r->size,
				  ((struct mbox_ring_producer *)((char *)p +
								 r->off_prod))->size);
		munmap(p, total * psz);
		break;
	case 7:	/* mprotect() cannot make the data writable */
		if (!r->pmap)
			break;
		if (!mprotect(r->pmap, psz, PROT_READ | PROT_WRITE)) {
			violation("mprotect(ring of %u bytes, producer page, read-write) succeeded",
				  r->size);
			mprotect(r->pmap, psz, PROT_READ);
		}
		count(OP_RING_MAP, -1, errno);
		break;
	default:
		break;
	}
}

/* The producer page against the model. */
static void ring_check_prod(struct mring *r)
{
	const struct mbox_ring_producer *pp = (void *)r->pmap;
	__u64 pos = __atomic_load_n(&pp->pos, __ATOMIC_ACQUIRE);
	__u32 flags = pp->flags, want = r->dead ? MBOX_RING_DEAD : 0;

	if (r->refill == 1)
		want |= MBOX_RING_REFILL;
	if (r->refill < 0)
		flags &= ~MBOX_RING_REFILL;	/* either */
	if (pos != r->prod || flags != want || pp->size != r->size)
		violation("ring of %u bytes%s: producer page pos %llu flags 0x%x size %u; the model has pos %llu flags 0x%x",
			  r->size, r->m ? "" : " (consumer gone)",
			  (unsigned long long)pos, pp->flags, pp->size,
			  (unsigned long long)r->prod, want);
	if (r->cmap && *(volatile __u64 *)r->cmap != r->cons_page)
		violation("ring of %u bytes: consumer page holds %llu, the test stored %llu",
			  r->size,
			  (unsigned long long)*(volatile __u64 *)r->cmap,
			  (unsigned long long)r->cons_page);
}

/* Read records through the mapping; store the consumer position. */
static void op_ring_read(void)
{
	const unsigned char *d;
	unsigned int n, want_n;
	struct mring *r;
	__u64 p;

	if (!nrings)
		return;
	r = rings[rnd(nrings)];
	if (!r->fd_open && chance(50)) {	/* the last of its consumer */
		if (r->cmap && r->pmap)
			ring_unmap_cons(r);
		else if (r->cmap)
			ring_unmap_cons(r);	/* frees it */
		else if (r->pmap)
			ring_unmap_prod(r);	/* frees it */
		return;
	}
	if (!r->pmap)
		return;
	viol_m = r->m && r->m->live ? r->m : NULL;
	count(OP_RING_READ, 0, 0);
	ring_check_prod(r);
	d = r->pmap + psz;
	want_n = chance(300) ? 1 + rnd(4) : ~0U;
	for (n = 0, p = r->cons; n < r->rn && n < want_n; n++) {
		const struct rrec *x = &r->r[n];
		const struct mbox_ring_rec *h =
			(const void *)(d + (p & (r->size - 1)));
		__u32 len = __atomic_load_n(&h->len, __ATOMIC_ACQUIRE);
		__u32 wlen = (__u32)x->len | (x->discard ? MBOX_RING_DISCARD :
					      0);

		if (x->pos != p)
			ksft_exit_fail_msg("ring model: record at %llu, expected at %llu\n",
					   (unsigned long long)x->pos,
					   (unsigned long long)p);
		if (len != wlen ||
		    (!x->discard &&
		     (h->type != x->type || h->seq != x->seq ||
		      h->pid != mypid || h->uid != myeuid ||
		      h->send_ns < t0_ns || h->send_ns > now_ns())))
			violation("ring of %u bytes, record at %llu: len 0x%x type %u seq %llu pid %d uid %u send_ns %llu; expected len 0x%x type %u seq %llu pid %d uid %u",
				  r->size, (unsigned long long)p, len, h->type,
				  (unsigned long long)h->seq, h->pid, h->uid,
				  (unsigned long long)h->send_ns, wlen,
				  x->type, (unsigned long long)x->seq, mypid,
				  myeuid);
		else if (x->data && memcmp(h + 1, x->data, x->len))
			violation("ring of %u bytes, record at %llu (seq %llu): the data differ from what was sent",
				  r->size, (unsigned long long)p,
				  (unsigned long long)x->seq);
		if (x->discard)
			ring_discards_read++;
		else
			ring_recs_read++;
		p += rec_size(x->len);
	}
	if (!r->cmap)
		return;		/* cannot tell the kernel */
	while (n--)
		ring_pop(r);
	r->cons = p;
	if (chance(50)) {	/* garbage: the kernel must not trust it */
		switch (rnd(4)) {
		case 0:
			p = r->prod + 8 * (1 + rnd(64));	/* ahead */
			break;
		case 1:
			p = r->prod - r->size - 8 * (1 + rnd(64));
			break;
		case 2:
			p = r->cons | (1 + rnd(7));	/* misaligned */
			break;
		default:
			p = rnd64();
			break;
		}
	}
	__atomic_store_n((__u64 *)r->cmap, p, __ATOMIC_RELEASE);
	r->cons_page = p;
}

static void op_ring_wait(void)
{
	unsigned char hb[HDR_BUF];
	struct mbox_ring_wait a;
	unsigned int usize, ver1 = MBOX_RING_WAIT_SIZE_VER1;
	int i = -1, fd, err = 0;
	struct mring *r = NULL;
	struct region ar;
	bool dir_ok, e2big = false;
	eset errs = 0;
	unsigned long cmd;
	char what[240];
	__u64 to;
	long ret;

	if (!(features & MBOX_FEATURE_RING))
		return;
	if (!chance(20))
		i = pick_consumer_mfd();
	fd = i >= 0 ? mfds[i].fd : ctl[rnd(NCTL)];
	if (i >= 0)
		r = mfds[i].ring;
	memset(&a, 0, sizeof(a));
	a.flags = sr_bound(pick_wait(&to), &to);
	a.timeout_ns = to;
	if (chance(20))
		a.__reserved = 1 + rnd(100);
	cmd = ring_cmd(MBOX_IOC_RING_WAIT, &usize, &dir_ok);
	e2big = fuzz_hdr(hb, &a, sizeof(a), usize, ver1, &ar);

	errs = hdr_errs(i >= 0 && dir_ok, usize, ver1, &ar, e2big);
	if (errs) {
		/* the header fails: the fields are not looked at */
	} else if (sr_half_invalid(a.flags, a.timeout_ns, a.__reserved,
				   false) || !r) {
		errs = E(EINVAL);
	} else {
		ring_refill(r);	/* what the call does first */
		if (r->cons_page != r->prod)
			errs = 0;
		else if (r->dead)
			errs = E(EIDRM);
		else
			errs = sr_no_wait(a.flags);
	}

	__atomic_store_n(&progress, iter, __ATOMIC_RELAXED);
	ret = ioctl(fd, cmd, ar.addr);
	if (ret < 0)
		err = errno;
	count(OP_RING_WAIT, ret, err);
	viol_m = r && r->m && r->m->live ? r->m : NULL;
	note(viol_m, "RING_WAIT", a.flags, 0, 0, ret, err, 0);
	snprintf(what, sizeof(what),
		 "RING_WAIT(%s%s, cmd 0x%lx size %u, %s struct: flags 0x%x timeout %llu reserved %u)",
		 i < 0 ? "/dev/mbox" : r ? "consumer fd" : "mailbox fd",
		 r && r->dead ? " destroyed" : "", cmd, usize, ar.kind,
		 a.flags, (unsigned long long)a.timeout_ns, a.__reserved);
	if (watchdog_fired())
		violation("%s: still ran after 5 s: interrupted by the watchdog",
			  what);
	check_errno(what, ret, err, errs, 0, 0);
	if (r && r->pmap)
		ring_check_prod(r);
}

/* ---------------------------------------------------------------------- */

static void one_op(void)
{
	unsigned int k = rnd(1000);
	bool over = model_bytes > BUDGET_BYTES || model_msgs > BUDGET_MSGS;

	viol_m = NULL;
	if (k < 40) {
		do_ioctl(H_INFO, H_INFO, -1);
	} else if (k < 50) {
		if (features & MBOX_FEATURE_RING) {
			unsigned int r = rnd(20);

			if (r < 3)
				op_ring_setup();
			else if (r < 6)
				op_ring_map();
			else if (r < 10)
				op_ring_wait();
			else
				op_ring_read();
		} else {
			do_ioctl(H_INFO, H_INFO, -1);
		}
	} else if (k < 150) {
		if (nlive >= MAX_BOXES)
			do_ioctl(H_DESTROY, H_DESTROY, -1);
		else
			do_ioctl(H_CREATE, H_CREATE, -1);
	} else if (k < 200) {
		do_ioctl(H_DESTROY, H_DESTROY, -1);
	} else if (k < 400) {
		int h = !over || chance(200) ? H_SEND :
			chance(700) ? H_RECV : H_DESTROY;

		do_ioctl(h, h, -1);	/* over budget: drain instead */
	} else if (k < 430) {
		op_batch(over && chance(800));
	} else if (k < 630) {
		do_ioctl(H_RECV, H_RECV, -1);
	} else if (k < 660) {
		op_batch(true);
	} else if (k < 700) {
		do_ioctl(H_STAT, H_STAT, -1);
	} else if (k < 720) {
		if (features & MBOX_FEATURE_RING)
			op_ring_read();
		else
			do_ioctl(H_STAT, H_STAT, -1);
	} else if (k < 780) {
		if (nmfds >= MAX_MFDS)
			op_close();
		else
			do_ioctl(H_OPEN, H_OPEN, -1);
	} else if (k < 820) {
		do_ioctl(OP_GARBAGE, -1, -1);
	} else if (k < 835) {
		op_fdioctl();
	} else if (k < 885) {
		op_read();
	} else if (k < 925) {
		op_write();
	} else if (k < 970) {
		op_poll();
	} else if (k < 985) {
		op_close();
	} else if (k < 992) {
		op_fcntl();
	} else if (k < 995) {
		op_ctlrw();
	} else {
		op_sendrecv();
	}
}

/* ---------------------------------------------------------------------- */
/* Setup: limits, the module's struct sizes, mailboxes that exist already. */

/*
 * The size of the struct the module reads for command @h: the smallest
 * size whose last byte, if not zero, the module calls E2BIG.  The other
 * fields make the call fail harmlessly (an id no mailbox has, an invalid
 * capacity), so probing creates nothing.
 */
static unsigned int probe_ksize(int fd, int h)
{
	unsigned char b[600];
	unsigned int off;
	__u32 bad = 0xffffffffU;

	for (off = hi[h].ver1; off < 512; off++) {
		memset(b, 0, sizeof(b));
		if (h == H_CREATE) {
			memcpy(b, &bad, 4);	/* capacity: EINVAL */
		} else if (h == H_SEND || h == H_RECV) {
			__u32 f = MBOX_NONBLOCK;

			memcpy(b + 4, &f, 4);	/* id 0: ENOENT */
		}
		b[off] = 1;
		if (ioctl(fd, _IOC(_IOC_DIR(hi[h].cmd), MBOX_IOC_MAGIC, h,
				   off + 1), b) < 0 && errno == E2BIG)
			return off;
	}
	return 512;
}

/* The same for the batch header, which both batch commands share. */
static unsigned int probe_batch_ksize(int fd)
{
	unsigned char b[600];
	unsigned int off;

	for (off = MBOX_BATCH_SIZE_VER1; off < 512; off++) {
		memset(b, 0, sizeof(b));	/* count 0: EINVAL */
		b[off] = 1;
		if (ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, MBOX_IOC_MAGIC,
				   _IOC_NR(MBOX_IOC_SEND_BATCH), off + 1),
			  b) < 0 && errno == E2BIG)
			return off;
	}
	return 512;
}

static void probe(int fd)
{
	struct mbox_stat st;
	unsigned int nr, dir;
	int h;

	for (h = 0; h < H_NR; h++) {
		if (_IOC_DIR(hi[h].cmd) & _IOC_WRITE)
			hi[h].ksize = probe_ksize(fd, h);
		else
			hi[h].ksize = sizeof(struct mbox_info);
		if (hi[h].ksize < hi[h].ver1)
			hi[h].ksize = hi[h].ver1;
	}
	batch_ksize = probe_batch_ksize(fd);
	if (batch_ksize > 64)	/* the header buffers of op_batch() */
		ksft_exit_fail_msg("the module reads a %u-byte batch header\n",
				   batch_ksize);
	/* commands this test does not know: take them as they come */
	for (nr = H_NR; nr < 256; nr++)
		for (dir = 0; dir < 4; dir++)
			if (ioctl(fd, _IOC(dir, MBOX_IOC_MAGIC, nr, 64), NULL) >= 0 ||
			    errno != ENOTTY)
				nr_present[nr] = true;
	/* mailboxes that exist already: left alone */
	memset(&st, 0, sizeof(st));
	st.id = 1;
	st.flags = MBOX_STAT_NEXT;
	while (nforeign < MAX_FOREIGN &&
	       ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, MBOX_IOC_MAGIC, H_STAT,
			      MBOX_STAT_SIZE_VER1), &st) == 0) {
		foreign[nforeign++] = st.id;
		foreign_msgs += st.msgs;
		foreign_bytes += st.bytes;
		if (st.id > max_id_seen)
			max_id_seen = st.id;
		if (st.id == 0xffffffffU)
			break;
		st.id++;
		st.flags = MBOX_STAT_NEXT;
	}
}

static __u64 env_u64(const char *name, __u64 def)
{
	const char *s = getenv(name);
	char *end;
	__u64 v;

	if (!s || !*s)
		return def;
	v = strtoull(s, &end, 0);
	return *end ? def : v;
}

/* Destroy what the fuzzer made; check that nothing else is left. */
static bool cleanup(void)
{
	struct mbox_info inf;
	bool ok = true;
	int i;

	while (nmfds) {
		if (close(mfds[0].fd)) {
			ksft_print_msg("close: %s\n", strerror(errno));
			ok = false;
		}
		mfd_forget(0);
	}
	while (nrings) {
		struct mring *r = rings[0];

		if (r->pmap)
			ring_unmap_prod(r);
		if (r->cmap)
			ring_unmap_cons(r);	/* frees it */
	}
	while (nlive) {
		struct mbox_destroy d = { .id = live[0]->id };

		if (ioctl(ctl[0], MBOX_IOC_DESTROY, &d)) {
			ksft_print_msg("destroy %u: %s\n", d.id,
				       strerror(errno));
			ok = false;
		}
		mbx_kill(live[0]);
	}
	for (i = 1; i < NCTL; i++)
		close(ctl[i]);
	memset(&inf, 0, sizeof(inf));
	if (ioctl(ctl[0], _IOC(_IOC_READ, MBOX_IOC_MAGIC, H_INFO,
			       MBOX_INFO_SIZE_VER1), &inf) ||
	    inf.nr_mailboxes != (__u32)nforeign) {
		ksft_print_msg("after cleanup: %u mailboxes, %d expected\n",
			       inf.nr_mailboxes, nforeign);
		ok = false;
	}
	close(ctl[0]);
	return ok;
}

int main(void)
{
	__u64 iters, secs, t_end, t_start, elapsed, ns;
	struct sigaction sa;
	bool verbose;
	pthread_t wd;
	int fd, i, e;

	ksft_print_header();
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		ksft_exit_skip(MBOX_DEV " is absent: %s\n", strerror(errno));
	ksft_set_plan(3);

	seed = env_u64("MBOX_FUZZ_SEED", now_ns() ^ ((__u64)getpid() << 32));
	iters = env_u64("MBOX_FUZZ_ITERS", 100000);
	secs = env_u64("MBOX_FUZZ_SECONDS", 60);
	rng_state = seed;
	ksft_print_msg("MBOX_FUZZ_SEED=%llu MBOX_FUZZ_ITERS=%llu MBOX_FUZZ_SECONDS=%llu\n",
		       (unsigned long long)seed, (unsigned long long)iters,
		       (unsigned long long)secs);

	psz = sysconf(_SC_PAGESIZE);
	memset(&info0, 0, sizeof(info0));
	if (ioctl(fd, _IOC(_IOC_READ, MBOX_IOC_MAGIC, H_INFO,
			   sizeof(info0) < 48 ? sizeof(info0) : 48), &info0))
		ksft_exit_fail_msg("INFO: %s\n", strerror(errno));
	read_ns_max(fd);
	features = info0.features;
	if (info0.max_capacity == 0xffffffffU)
		ksft_exit_fail_msg("max_capacity %u: the size probe needs an invalid capacity\n",
				   info0.max_capacity);
	probe(fd);
	ksft_print_msg("module: abi %u features 0x%llx max_capacity %u max_msg_size %u max_mailboxes %u; %d mailboxes exist already\n",
		       info0.abi_version, (unsigned long long)features,
		       info0.max_capacity, info0.max_msg_size,
		       info0.max_mailboxes, nforeign);
	ksft_print_msg("struct sizes read by the module: info %u create %u destroy %u send %u recv %u stat %u open %u\n",
		       hi[H_INFO].ksize, hi[H_CREATE].ksize,
		       hi[H_DESTROY].ksize, hi[H_SEND].ksize,
		       hi[H_RECV].ksize, hi[H_STAT].ksize, hi[H_OPEN].ksize);
	for (i = H_NR; i < 256; i++)
		if (nr_present[i] && i != _IOC_NR(MBOX_IOC_SEND_BATCH) &&
		    i != _IOC_NR(MBOX_IOC_RECV_BATCH))
			ksft_print_msg("command number %d exists: calls with it are made but not judged\n",
				       i);

	if (map_area(&arga, ARG_PAGES * psz) ||
	    map_area(&batcha, ((size_t)BATCH_GEN * BEL + 2 * psz - 1) &
			      ~(psz - 1)) ||
	    map_area(&data, ((info0.max_msg_size + 2 * psz) + psz - 1) &
			    ~(psz - 1)))
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	holes = mmap(NULL, NHOLES * psz, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (holes == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	for (ns = 0; ns < data.size; ns += 8) {
		__u64 v = rnd64();

		memcpy(data.rw + ns, &v, 8);
	}

	ctl[0] = fd;
	for (i = 1; i < NCTL; i++) {
		ctl[i] = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
		if (ctl[i] < 0)
			ksft_exit_fail_msg("open: %s\n", strerror(errno));
	}
	mypid = getpid();
	myeuid = geteuid();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wd_handler;	/* no SA_RESTART: the call ends */
	sigaction(SIGUSR1, &sa, NULL);
	main_thread = pthread_self();
	if (pthread_create(&wd, NULL, watchdog, NULL))
		ksft_exit_fail_msg("pthread_create failed\n");

	verbose = getenv("MBOX_FUZZ_VERBOSE");
	t_start = now_ns();
	t0_ns = t_start;
	t_end = t_start + secs * 1000000000ULL;
	for (iter = 0; iter < iters; iter++) {
		if (!(iter & 255) && now_ns() > t_end)
			break;
		if (verbose && iter && !(iter % 100000))
			ksft_print_msg("%llu iterations, %llu calls, %llu violations\n",
				       (unsigned long long)iter,
				       (unsigned long long)calls,
				       (unsigned long long)violations);
		one_op();
	}
	elapsed = now_ns() - t_start;
	__atomic_store_n(&wd_stop, 1, __ATOMIC_RELAXED);
	pthread_join(wd, NULL);

	ksft_print_msg("%llu iterations, %llu calls in %.1f s: %.0f calls/s (seed %llu)%s\n",
		       (unsigned long long)iter, (unsigned long long)calls,
		       elapsed / 1e9, calls / (elapsed / 1e9),
		       (unsigned long long)seed,
		       iter < iters ? ", stopped by MBOX_FUZZ_SECONDS" : "");
	for (i = 0; i < NOPS; i++) {
		char line[600];
		size_t n;

		if (!histn[i])
			continue;
		n = snprintf(line, sizeof(line), "%-15s %8llu:", opname[i],
			     (unsigned long long)histn[i]);
		for (e = 0; e < 130 && n < sizeof(line); e++)
			if (hist[i][e])
				n += snprintf(line + n, sizeof(line) - n,
					      " %s %llu", e ? ename(e) : "ok",
					      (unsigned long long)hist[i][e]);
		ksft_print_msg("%s\n", line);
	}
	ksft_print_msg("rings: %llu records and %llu discarded ones read as predicted, %llu messages moved in by RING_WAIT; %d rings left\n",
		       (unsigned long long)ring_recs_read,
		       (unsigned long long)ring_discards_read,
		       (unsigned long long)ring_refilled, nrings);
	ksft_print_msg("batches as predicted: %llu messages sent, %llu received; %llu stopped part way\n",
		       (unsigned long long)batch_sent,
		       (unsigned long long)batch_recvd,
		       (unsigned long long)batch_partial);
	ksft_print_msg("model at the end: %d mailboxes, %d mailbox fds, %llu messages, %llu bytes; %llu blocking read/write skipped\n",
		       nlive, nmfds, (unsigned long long)model_msgs,
		       (unsigned long long)model_bytes,
		       (unsigned long long)skipped_blocking);

	ksft_test_result(violations == 0,
			 "fuzz: %llu calls (seed %llu): every result documented and as the model predicts (%llu violations)\n",
			 (unsigned long long)calls, (unsigned long long)seed,
			 (unsigned long long)violations);
	ksft_test_result(wd_fires == 0,
			 "fuzz: no call waited longer than its bound (%llu watchdog interrupts)\n",
			 (unsigned long long)wd_fires);
	ksft_test_result(cleanup(),
			 "fuzz: every mailbox made was destroyed, every fd closed\n");
	ksft_finished();
	return 0;
}
