// SPDX-License-Identifier: GPL-2.0
/*
 * mbox stress test: several worker processes, each with several threads,
 * make random calls on a shared set of mailboxes for a bounded number of
 * calls and a bounded time, while the main process delivers signals at
 * random, stops and continues workers, and keeps short-lived processes
 * that own MBOX_CREATE_AUTODESTROY mailboxes exiting or being killed.
 *
 *   stress_test [-n CALLS] [-t SECONDS] [-s SEED] [-p PROCS] [-T THREADS]
 *
 * or the environment: MBOX_STRESS_OPS (default 200000 calls),
 * MBOX_STRESS_SECONDS (default 60), MBOX_STRESS_SEED (default from the
 * clock; always printed), MBOX_STRESS_PROCS (4), MBOX_STRESS_THREADS (3).
 * The options win over the environment.  Whichever of the call budget and
 * the time limit comes first ends the run.
 *
 * The mailboxes (slots):
 * - persistent: created at the start, never destroyed during the run,
 *   capacity 0 (rendezvous) to 1000;
 * - volatile: destroyed and created again by the workers at random, so
 *   destroy races with waiters blocked on them;
 * - auto: each created with MBOX_CREATE_AUTODESTROY by a short-lived owner
 *   process that receives from it until it exits or is SIGKILLed;
 * - odd: persistent, with a maximum message size below the size of a
 *   message header (0, 1, 7, 23 bytes): their messages are checked by
 *   content and counted, not identified.
 *
 * With MBOX_FEATURE_RING, two persistent mailboxes (the rendezvous one and
 * one of capacity 64) get receive ring consumers, one after another, for
 * tens to hundreds of milliseconds each: a process maps the ring and forks
 * a child that takes its records and sleeps in MBOX_IOC_RING_WAIT; the
 * child exits or is killed at any point, and the process then reads what
 * is left and lets the ring go (see ring_main()).  Every record is checked
 * and counted as a receipt like a received message, so the invariants
 * below cover the ring too; receives of those mailboxes may fail with
 * EBUSY, and only of those.
 *
 * Every other message starts with a header: magic, sender, the sender's
 * sequence number, the mailbox id it was sent to, its length, and a
 * checksum of header and payload; the payload is a function of (sender,
 * sequence), so a truncated message can be checked too.  Every sender has
 * one sequence for all its sends, and logs in shared memory, per sequence
 * number, the mailbox it sent to and the outcome; every receipt increments
 * that log entry's receive count.  A message's type is a function of its
 * sender, so every selection (MBOX_RECV_TYPE, _EXCEPT) takes all or none
 * of a sender's messages and per-sender FIFO is observable by each
 * receiver.
 *
 * Invariants (each a TAP result; failures print "# VIOLATION" lines):
 * 1. the run ends: no worker hangs in the module or dies;
 * 2. no message corrupted: header, checksum, length, payload prefix, type,
 *    sender pid and uid, the mailbox it was sent to;
 * 3. no message duplicated or reordered: per (sender, mailbox) every
 *    receiver sees strictly increasing sequence numbers (a peek never
 *    shows an older one), and no log entry is received twice;
 * 4. nothing lost but by destroy: after the final drain, every message a
 *    send reported as sent to a mailbox that still exists was received
 *    exactly once, and a failed send was never received;
 * 5. every errno is one the header documents for that call in that
 *    situation (e.g. EIDRM and ENOENT only on mailboxes that may be
 *    destroyed, EINTR only from calls that may wait, EMSGSIZE only with a
 *    buffer smaller than the maximum message size, EBUSY only from
 *    receives of a mailbox that may have a ring consumer);
 * 6. the module stays consistent: every STAT snapshot (msgs <= capacity,
 *    sent - received == queued, a blocked sender only on a full mailbox),
 *    and after the drain msgs == 0, no blocked caller, the sent and
 *    received counts equal to what the test counted, INFO totals 0, no
 *    mailbox left over;
 * 7. destroy is final: an auto-destroy mailbox is gone once its owner has
 *    been reaped, and EPOLLHUP, EIDRM from read() and a successful
 *    DESTROY all mean that STAT no longer finds the id;
 * 8. message sequence numbers (struct mbox_recv @seq) never exceed the
 *    number of messages sent to the mailbox ("1 for the first message
 *    sent to it, then one more per message").
 */
#define _GNU_SOURCE
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "mbox_util.h"

/* ------------------------------------------------------------------ */
/* Configuration */

#define MAX_PROCS	16
#define MAX_THREADS	8
#define MAX_SENDERS	(MAX_PROCS * MAX_THREADS)

#define NP		6	/* persistent checked mailboxes */
#define NV		6	/* volatile ones */
#define NA		3	/* auto-destroy ones, one owner process each */
#define NO		4	/* odd (tiny messages) ones, persistent */
#define NCHECKED	(NP + NV + NA)
#define NSLOTS		(NCHECKED + NO)
#define SLOT_V0		NP
#define SLOT_A0		(NP + NV)
#define SLOT_O0		NCHECKED

#define NTYPES		3	/* message type = sender % NTYPES */
#define NFDS		6	/* mailbox fds a thread keeps open */
#define BUF_SIZE	(65536 + 64)
#define MAX_PRINTED	60	/* violation lines printed, in all */

/* Results of calls, also indexes of struct row.err. */
enum {
	RS_OK, RS_EAGAIN, RS_ETIMEDOUT, RS_EINTR, RS_EIDRM, RS_ENOENT, RS_EMSGSIZE,
	RS_EBUSY, RS_OTHER, NR_RES
};

#define A_EAGAIN	(1U << RS_EAGAIN)
#define A_ETIMEDOUT	(1U << RS_ETIMEDOUT)
#define A_EINTR		(1U << RS_EINTR)
#define A_EIDRM		(1U << RS_EIDRM)
#define A_ENOENT	(1U << RS_ENOENT)
#define A_EMSGSIZE	(1U << RS_EMSGSIZE)
#define A_EBUSY		(1U << RS_EBUSY)

static const char *const res_name[NR_RES] = {
	"ok", "EAGAIN", "ETIMEDOUT", "EINTR", "EIDRM", "ENOENT", "EMSGSIZE",
	"EBUSY", "other",
};

/* Kinds of calls, also indexes of struct row.n. */
enum {
	K_SEND, K_SEND_FD, K_RECV, K_RECV_TYPED, K_RECV_TRUNC, K_RECV_SMALL,
	K_PEEK, K_READ, K_ODD_SEND, K_ODD_RECV, K_OVERSIZE, K_OPEN, K_CLOSE,
	K_POLL, K_EPOLL, K_STAT, K_STAT_NEXT, K_INFO, K_CREATE, K_DESTROY,
	K_AUTO_CREATE, K_DRAIN, K_SENDRECV, K_RING_SETUP, K_RING_WAIT,
	K_RING_REC, NR_KINDS
};

static const char *const kind_name[NR_KINDS] = {
	"send (ioctl)", "write (mailbox fd)", "recv", "recv typed",
	"recv truncating", "recv small buffer", "recv peek",
	"read (mailbox fd)", "send tiny", "recv tiny", "send oversize",
	"open fd", "close fd", "poll", "epoll_wait", "stat", "stat next",
	"info", "create", "destroy", "create auto-destroy (owner)",
	"recv (final drain)", "sendrecv", "ring setup (consumer)",
	"ring wait (consumer)", "ring record read (consumer)",
};

/* Violation categories: one TAP result each (see the top comment). */
enum {
	V_RUN, V_CORRUPT, V_ORDER, V_LOST, V_ERRNO, V_STATE, V_LIFE, V_SEQ,
	NR_VCAT
};

static const char *const vcat_name[NR_VCAT] = {
	"run", "corrupt", "dup/order", "lost", "errno", "state", "destroy",
	"seq",
};

static const char *const vcat_desc[NR_VCAT] = {
	"the run ended: no worker hung in the module or died",
	"no message corrupted (header, checksum, payload, type, pid, uid, mailbox)",
	"no message duplicated; per (sender, mailbox) strictly increasing sequence",
	"nothing lost but by destroy: each sent message on a surviving mailbox received exactly once, no failed send received",
	"every errno documented for its call and situation",
	"module consistent: stat snapshots, drained mailboxes empty with no waiters, counters match",
	"destroy is final: auto-destroy owner reaped, EPOLLHUP, EIDRM, DESTROY mean ENOENT",
	"message seq numbers never exceed the messages sent to the mailbox",
};

/* ------------------------------------------------------------------ */
/* Shared state */

/* A slot's mailbox, packed so it is read and replaced in one access. */
#define W_ID(w)		((__u32)(w))
#define W_CAP(w)	((__u32)((w) >> 32) & 0xfff)
#define W_MAX(w)	((__u32)((w) >> 44))
#define W_MAKE(id, cap, max) \
	((__u64)(id) | (__u64)(cap) << 32 | (__u64)(max) << 44)

enum { SK_PERSIST, SK_VOLATILE, SK_AUTO, SK_ODD };

struct slot {
	__u64 word;		/* W_MAKE(), 0: no mailbox now */
	__u64 ok_sends;		/* persistent/odd: sends that succeeded */
	__u64 receipts;		/* persistent/odd: messages received */
	__u64 max_seq;		/* persistent/odd: largest @seq received */
	__u64 wait_fails;	/* persistent/odd: sends that waited, failed */
	__u64 creates;
};

/* A thread's (or process's) counters; only its owner writes them. */
struct row {
	__u64 n[NR_KINDS];
	__u64 res[NR_RES];
	__u64 sigs;		/* signal handler runs */
	__u64 calls;
};

enum { ST_NONE, ST_PENDING, ST_OK, ST_FAILED };

/* One send of a checked message: sender's sequence number -> this. */
struct logent {
	__u32 id;		/* mailbox it was sent to */
	__u8 status;		/* ST_* */
	__u8 err;		/* R_* of a failed send */
	__u16 recvs;		/* times received */
};

#define NRC		2	/* persistent slots with a ring consumer */
#define MAX_ROWS	(MAX_SENDERS + 1 + NA + NRC)

struct shared {
	int stop;
	int printed;
	__u64 viol[NR_VCAT];
	pid_t worker_pid[MAX_PROCS];
	pid_t tid[MAX_SENDERS];		/* 0 once the thread is done */
	pid_t sender_pid[MAX_SENDERS];	/* thread-group id */
	__u32 next_seq[MAX_SENDERS];	/* last sequence number used */
	__u64 sigs_sent;
	__u64 stops_sent;
	__u64 auto_exits;
	__u64 auto_kills;
	struct slot slot[NSLOTS];
	struct row row[MAX_ROWS];
	/* the ring consumers (see ring_main()) */
	pid_t ring_pid[NRC];
	int ring_quit[NRC];		/* its consumer child should exit */
	__u64 ring_claim[NRC];		/* position the child is taking */
	__u64 ring_recs[NRC], ring_drained[NRC], ring_doubts[NRC];
	__u64 ring_deaths[NRC], ring_cycles[NRC], ring_refused[NRC];
};

static struct shared *sh;
static struct logent *logs;

/* Set before any fork, read-only afterwards. */
static unsigned long long cfg_ops = 200000;
static unsigned int cfg_seconds = 60;
static unsigned long long cfg_seed;
static unsigned int cfg_procs = 4;
static unsigned int cfg_threads = 3;
static unsigned int nsenders;
static unsigned long long calls_per_thread;
static __u32 logcap;
static long long t_end_ms;
static __u64 t0_ns;
static struct mbox_info info;
static uid_t my_euid;
static __u32 slot_max[NSLOTS];	/* of the fixed mailboxes */
static size_t psz_g;		/* the page size */

static struct logent *log_at(__u32 sender, __u32 seq)
{
	return &logs[(size_t)sender * logcap + seq];
}

static int slot_kind(int si)
{
	if (si < SLOT_V0)
		return SK_PERSIST;
	if (si < SLOT_A0)
		return SK_VOLATILE;
	if (si < SLOT_O0)
		return SK_AUTO;
	return SK_ODD;
}

/*
 * Persistent slots whose mailbox gets a ring consumer (the rendezvous one
 * and a buffered one), when the module has MBOX_FEATURE_RING.
 */
static const int ring_slot[NRC] = { 0, 4 };
static bool ring_on;

static bool is_ring_slot(int si)
{
	int i;

	for (i = 0; i < NRC; i++)
		if (ring_on && ring_slot[i] == si)
			return true;
	return false;
}

/* A receive from a slot with a ring consumer may find the ring bound. */
static unsigned int ring_errs(int si)
{
	return is_ring_slot(si) ? A_EBUSY : 0;
}

/* Mailboxes of these slots are never destroyed during the run. */
static bool slot_stays(int si)
{
	int k = slot_kind(si);

	return k == SK_PERSIST || k == SK_ODD;
}

static __u64 slot_word(int si)
{
	return __atomic_load_n(&sh->slot[si].word, __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------------------ */
/* Per-thread context */

struct cfd {
	int fd;			/* -1: free */
	int si;
	__u32 id;
	__u32 max;
	bool nb;
};

struct thr {
	int idx;		/* sender number; -1 for non-senders */
	bool owner;		/* owner of the auto-destroy mailbox it uses */
	const char *who;
	char whobuf[48];
	int devfd;
	int epfd;
	__u64 rng;
	struct row *row;
	unsigned long long calls;
	unsigned char *sbuf, *rbuf, *cbuf;
	struct cfd fds[NFDS];
	/* receiver state, per (slot, sender) */
	__u32 last_id[NCHECKED][MAX_SENDERS];
	__u32 last_seq[NCHECKED][MAX_SENDERS];
	__u64 last_mseq[NCHECKED][MAX_SENDERS];
};

static __thread volatile unsigned long nsig;

static void on_signal(int sig)
{
	(void)sig;
	nsig++;
}

static __u64 rnd(struct thr *t)
{
	__u64 x = t->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static __u32 rnd_below(struct thr *t, __u32 n)
{
	return n ? (__u32)((rnd(t) >> 32) % n) : 0;
}

static __u64 mix64(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static long long now_ms(void)
{
	return mbox_now_ms();
}

/* ------------------------------------------------------------------ */
/* Reporting */

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line to stdout with one write(), so processes do not mix lines. */
static void out(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

static void violation(struct thr *t, int cat, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void violation(struct thr *t, int cat, const char *fmt, ...)
{
	char msg[800];
	va_list ap;

	__atomic_add_fetch(&sh->viol[cat], 1, __ATOMIC_RELAXED);
	if (__atomic_fetch_add(&sh->printed, 1, __ATOMIC_RELAXED) >=
	    MAX_PRINTED)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	out("# VIOLATION [%s] %s: %s", vcat_name[cat], t ? t->who : "main",
	    msg);
}

static int res_of(int ret)
{
	if (ret >= 0)
		return RS_OK;
	switch (-ret) {
	case EAGAIN:
		return RS_EAGAIN;
	case ETIMEDOUT:
		return RS_ETIMEDOUT;
	case EINTR:
		return RS_EINTR;
	case EIDRM:
		return RS_EIDRM;
	case ENOENT:
		return RS_ENOENT;
	case EMSGSIZE:
		return RS_EMSGSIZE;
	case EBUSY:
		return RS_EBUSY;
	default:
		return RS_OTHER;
	}
}

static void mask_str(unsigned int allowed, char *buf, size_t size)
{
	size_t n = 0;
	int r;

	buf[0] = '\0';
	for (r = RS_EAGAIN; r < RS_OTHER && n < size; r++)
		if (allowed & (1U << r))
			n += snprintf(buf + n, size - n, "%s%s", n ? "," : "",
				      res_name[r]);
	if (!n)
		snprintf(buf, size, "none");
}

/*
 * Count call @kind and its result @ret (>= 0 or -errno); an error not in
 * @allowed is a violation, described by @fmt.
 */
static int outcome(struct thr *t, int kind, int ret, unsigned int allowed,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int outcome(struct thr *t, int kind, int ret, unsigned int allowed,
		   const char *fmt, ...)
{
	int r = res_of(ret);
	char what[300], ok[80];
	va_list ap;

	t->row->n[kind]++;
	t->row->res[r]++;
	t->row->calls++;
	t->calls++;
	if (r == RS_OK || (r != RS_OTHER && (allowed & (1U << r))))
		return ret;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	mask_str(allowed, ok, sizeof(ok));
	violation(t, V_ERRNO, "%s: %s gave %s (errno %d); documented here: %s",
		  kind_name[kind], what, strerror(-ret), -ret, ok);
	return ret;
}

/* The errors a send or receive with @flags may give while it waits. */
static unsigned int wait_errs(__u32 flags)
{
	if (flags & MBOX_NONBLOCK)
		return A_EAGAIN;
	if (flags & (MBOX_TIMEOUT | MBOX_TIMEOUT_ABS))
		return A_ETIMEDOUT | A_EINTR;
	return A_EINTR;
}

/* ...and on a mailbox of slot @si, which may be destroyed meanwhile. */
static unsigned int gone_errs(int si)
{
	return slot_stays(si) ? 0 : A_ENOENT | A_EIDRM;
}

/* After a sign that mailbox @id was destroyed, STAT must not find it. */
static void verify_gone(struct thr *t, __u32 id, const char *why)
{
	struct mbox_stat st;
	int ret = mbox_stat_id(t->devfd, id, &st);

	t->row->n[K_STAT]++;
	t->row->res[res_of(ret)]++;
	t->row->calls++;
	t->calls++;
	if (ret != -ENOENT)
		violation(t, V_LIFE, "%s, but STAT of mailbox %u gives %s",
			  why, id, ret ? strerror(-ret) : "success");
}

/* ------------------------------------------------------------------ */
/* Messages */

#define HDR_MAGIC	0x6d627374U

struct smsg_hdr {
	__u32 magic;
	__u32 sender;
	__u32 seq;
	__u32 id;
	__u32 len;
	__u32 csum;
};

#define HDR	((__u32)sizeof(struct smsg_hdr))

static __u32 msg_type(__u32 sender)
{
	return sender % NTYPES;
}

/* Payload bytes [HDR, @end) of message (@sender, @seq), into @p. */
static void gen_payload(unsigned char *p, __u32 end, __u32 sender, __u32 seq)
{
	__u64 x = mix64((__u64)sender << 32 | seq) | 1;
	__u32 off;

	for (off = HDR; off < end; off += 8) {
		__u32 n = end - off < 8 ? end - off : 8;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(p + off, &x, n);
	}
}

static __u32 msg_csum(const struct smsg_hdr *h, const unsigned char *p)
{
	__u64 x = mix64((__u64)h->sender << 32 | h->seq) ^
		  mix64((__u64)h->id << 32 | h->len);
	__u32 off;

	for (off = HDR; off + 8 <= h->len; off += 8) {
		__u64 w;

		memcpy(&w, p + off, 8);
		x = (x ^ w) * 0x100000001b3ULL;
		x ^= x >> 29;
	}
	for (; off < h->len; off++)
		x = (x ^ p[off]) * 0x100000001b3ULL;
	return (__u32)(x ^ (x >> 32));
}

static void build_msg(unsigned char *p, __u32 sender, __u32 seq, __u32 id,
		      __u32 len)
{
	struct smsg_hdr h = {
		.magic = HDR_MAGIC,
		.sender = sender,
		.seq = seq,
		.id = id,
		.len = len,
	};

	gen_payload(p, len, sender, seq);
	h.csum = msg_csum(&h, p);
	memcpy(p, &h, HDR);
}

/* A length for a checked message to a mailbox of maximum @max (>= HDR). */
static __u32 pick_len(struct thr *t, __u32 max)
{
	__u32 r = rnd_below(t, 1000), span = max - HDR + 1, lim;

	/* Mostly small: a message above a page costs one kmalloc per page. */
	if (r >= 995 && r < 997)
		return max;
	if (r < 850)
		lim = 105;
	else if (r < 970)
		lim = 4096;
	else if (r < 995)
		lim = 20000;
	else
		lim = span;
	return HDR + rnd_below(t, span < lim ? span : lim);
}

/* Byte @i of a tiny message of @len bytes. */
static unsigned char odd_byte(__u64 len, __u64 i)
{
	return (unsigned char)(len * 37 + i * 11 + 0x5a);
}

/* Waiting mode of a send or receive: flags and timeout_ns. */
static __u32 pick_mode(struct thr *t, __u64 *tmo)
{
	__u32 r = rnd_below(t, 100);

	*tmo = 0;
	if (r < 50)
		return MBOX_NONBLOCK;
	if (r < 75) {
		if (rnd_below(t, 10))
			*tmo = 1000 + rnd_below(t, 1500000);
		return MBOX_TIMEOUT;
	}
	if (r < 90) {
		*tmo = mbox_now_ns() - 500000 + rnd_below(t, 2000000);
		return MBOX_TIMEOUT_ABS;
	}
	if (r < 93)
		return 0;	/* wait without limit: signals end it */
	return MBOX_NONBLOCK;
}

/* ------------------------------------------------------------------ */
/* Receiving and checking */

/* Bump @*p to @v if larger. */
static void atomic_max(__u64 *p, __u64 v)
{
	__u64 old = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (old < v &&
	       !__atomic_compare_exchange_n(p, &old, v, false,
					    __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
}

/*
 * A checked message of @stored bytes arrived from mailbox @id of slot @si.
 * @meta: the struct of MBOX_IOC_RECV (NULL for read()); @rflags and
 * @rtype: the receive's selection.
 */
static void got_checked(struct thr *t, int si, __u32 id, __u32 max,
			const unsigned char *buf, __u64 stored,
			const struct mbox_recv *meta, __u32 rflags,
			__u32 rtype, const char *how)
{
	__u64 msg_len = meta ? meta->msg_len : stored;
	bool peek = rflags & MBOX_RECV_PEEK;
	/* @seq is 0 when peeking at a message whose sender still waits. */
	bool mseq = meta && (meta->seq || !peek);
	struct smsg_hdr h;
	struct logent *e;
	__u32 *lid, *lseq;
	__u64 *lmseq;
	__u16 old;

	if (stored < HDR) {
		violation(t, V_CORRUPT,
			  "%s mailbox %u: %llu bytes (msg_len %llu), less than a header",
			  how, id, (unsigned long long)stored,
			  (unsigned long long)msg_len);
		return;
	}
	memcpy(&h, buf, HDR);
	if (h.magic != HDR_MAGIC || h.sender >= nsenders || !h.seq ||
	    h.seq >= logcap || h.len < HDR || h.len > max) {
		violation(t, V_CORRUPT,
			  "%s mailbox %u: bad header magic %#x sender %u seq %u id %u len %u (stored %llu, msg_len %llu, max %u)",
			  how, id, h.magic, h.sender, h.seq, h.id, h.len,
			  (unsigned long long)stored,
			  (unsigned long long)msg_len, max);
		return;
	}
	if (h.id != id)
		violation(t, V_CORRUPT,
			  "%s mailbox %u: message (sender %u, seq %u) was sent to mailbox %u",
			  how, id, h.sender, h.seq, h.id);
	if (h.len != msg_len || stored > msg_len)
		violation(t, V_CORRUPT,
			  "%s mailbox %u: message (sender %u, seq %u) of %u bytes reported as %llu bytes, %llu stored",
			  how, id, h.sender, h.seq, h.len,
			  (unsigned long long)msg_len,
			  (unsigned long long)stored);
	else if (stored == h.len) {
		__u32 c = msg_csum(&h, buf);

		if (c != h.csum)
			violation(t, V_CORRUPT,
				  "%s mailbox %u: message (sender %u, seq %u, %u bytes): checksum %#x, computed %#x",
				  how, id, h.sender, h.seq, h.len, h.csum, c);
	} else if (!(rflags & MBOX_RECV_TRUNC)) {
		violation(t, V_CORRUPT,
			  "%s mailbox %u: message (sender %u, seq %u) of %u bytes cut to %llu without MBOX_RECV_TRUNC",
			  how, id, h.sender, h.seq, h.len,
			  (unsigned long long)stored);
	} else {
		__u32 off;

		gen_payload(t->cbuf, (__u32)stored, h.sender, h.seq);
		if (memcmp(t->cbuf + HDR, buf + HDR, stored - HDR)) {
			for (off = HDR; off < stored; off++)
				if (t->cbuf[off] != buf[off])
					break;
			violation(t, V_CORRUPT,
				  "%s mailbox %u: message (sender %u, seq %u) truncated to %llu: byte %u is %#x, sent %#x",
				  how, id, h.sender, h.seq,
				  (unsigned long long)stored, off, buf[off],
				  t->cbuf[off]);
		}
	}

	if (meta) {
		__u32 want = msg_type(h.sender);

		if (meta->type != want ||
		    ((rflags & MBOX_RECV_TYPE) && meta->type != rtype) ||
		    ((rflags & MBOX_RECV_EXCEPT) && meta->type == rtype))
			violation(t, V_CORRUPT,
				  "%s mailbox %u: message (sender %u, seq %u) has type %u, sent %u (selection flags %#x type %u)",
				  how, id, h.sender, h.seq, meta->type, want,
				  rflags, rtype);
		if (meta->pid != sh->sender_pid[h.sender] ||
		    meta->uid != my_euid || (!meta->seq && !peek) ||
		    meta->send_ns < t0_ns || meta->send_ns > mbox_now_ns())
			violation(t, V_CORRUPT,
				  "%s mailbox %u: message (sender %u, seq %u): pid %d (sender's %d) uid %u (%u) seq %llu send_ns %llu",
				  how, id, h.sender, h.seq, meta->pid,
				  sh->sender_pid[h.sender], meta->uid,
				  my_euid, (unsigned long long)meta->seq,
				  (unsigned long long)meta->send_ns);
	}

	e = log_at(h.sender, h.seq);
	if (__atomic_load_n(&e->id, __ATOMIC_ACQUIRE) != id) {
		violation(t, V_CORRUPT,
			  "%s mailbox %u: message (sender %u, seq %u), which the sender sent to mailbox %u",
			  how, id, h.sender, h.seq, e->id);
		return;
	}

	/* Per (sender, mailbox) FIFO, as this receiver sees it. */
	lid = &t->last_id[si][h.sender];
	lseq = &t->last_seq[si][h.sender];
	lmseq = &t->last_mseq[si][h.sender];
	if (*lid != id) {
		*lid = id;
		*lseq = 0;
		*lmseq = 0;
	}
	if (h.seq <= *lseq || (mseq && meta->seq <= *lmseq)) {
		char ms[24] = "unknown";

		if (mseq)
			snprintf(ms, sizeof(ms), "%llu",
				 (unsigned long long)meta->seq);
		violation(t, V_ORDER,
			  "%s mailbox %u: message (sender %u, seq %u, mailbox seq %s) after (seq %u, mailbox seq %llu)%s",
			  how, id, h.sender, h.seq, ms, *lseq,
			  (unsigned long long)*lmseq, peek ? " (peek)" : "");
	}
	if (peek)
		return;
	*lseq = h.seq;
	if (meta)
		*lmseq = meta->seq;

	old = __atomic_fetch_add(&e->recvs, 1, __ATOMIC_ACQ_REL);
	if (old)
		violation(t, V_ORDER,
			  "%s mailbox %u: message (sender %u, seq %u) received %u times",
			  how, id, h.sender, h.seq, old + 1);
	if (slot_stays(si)) {
		__atomic_add_fetch(&sh->slot[si].receipts, 1, __ATOMIC_RELAXED);
		if (meta)
			atomic_max(&sh->slot[si].max_seq, meta->seq);
	}
}

/* A tiny message of @stored bytes (of @msg_len) from odd mailbox @si. */
static void got_odd(struct thr *t, int si, __u32 id, __u32 max,
		    const unsigned char *buf, __u64 stored,
		    const struct mbox_recv *meta, __u32 rflags,
		    const char *how)
{
	__u64 msg_len = meta ? meta->msg_len : stored, i;

	if (msg_len > max || stored > msg_len ||
	    (stored < msg_len && !(rflags & MBOX_RECV_TRUNC))) {
		violation(t, V_CORRUPT,
			  "%s tiny mailbox %u (max %u): %llu bytes stored of a %llu-byte message, flags %#x",
			  how, id, max, (unsigned long long)stored,
			  (unsigned long long)msg_len, rflags);
		return;
	}
	for (i = 0; i < stored; i++) {
		if (buf[i] != odd_byte(msg_len, i)) {
			violation(t, V_CORRUPT,
				  "%s tiny mailbox %u: %llu-byte message, byte %llu is %#x, sent %#x",
				  how, id, (unsigned long long)msg_len,
				  (unsigned long long)i, buf[i],
				  odd_byte(msg_len, i));
			return;
		}
	}
	if (rflags & MBOX_RECV_PEEK)
		return;
	__atomic_add_fetch(&sh->slot[si].receipts, 1, __ATOMIC_RELAXED);
	if (meta)
		atomic_max(&sh->slot[si].max_seq, meta->seq);
}

/*
 * MBOX_IOC_RECV on mailbox @id (of slot @si, maximum @max) with @flags,
 * timeout @tmo, selection type @rtype and a buffer of @buflen bytes.
 * Returns the result.
 */
static int do_recv(struct thr *t, int kind, int si, __u32 id, __u32 max,
		   __u32 flags, __u64 tmo, __u32 rtype, __u64 buflen)
{
	struct mbox_recv a = {
		.id = id,
		.flags = flags,
		.buf = (__u64)(uintptr_t)t->rbuf,
		.len = buflen,
		.timeout_ns = tmo,
		.type = rtype,
	};
	unsigned int allowed = wait_errs(flags) |
			       (t->owner ? 0 : gone_errs(si)) |
			       (kind == K_DRAIN ? 0 : ring_errs(si));
	bool odd = slot_kind(si) == SK_ODD;
	int ret;

	if (buflen < max && !(flags & MBOX_RECV_TRUNC))
		allowed |= A_EMSGSIZE;
	ret = ioc_recv(t->devfd, &a);
	outcome(t, kind, ret, allowed,
		"mailbox %u (slot %d, max %u) flags %#x timeout %llu len %llu",
		id, si, max, flags, (unsigned long long)tmo,
		(unsigned long long)buflen);
	if (ret == -EMSGSIZE) {
		if (a.len != a.msg_len || a.len <= buflen || a.len > max ||
		    (!odd && a.len < HDR))
			violation(t, V_STATE,
				  "recv mailbox %u (max %u) with a %llu-byte buffer: EMSGSIZE with len %llu msg_len %llu",
				  id, max, (unsigned long long)buflen,
				  (unsigned long long)a.len,
				  (unsigned long long)a.msg_len);
		return ret;
	}
	if (ret < 0)
		return ret;
	if ((__u64)ret != a.len || a.len > buflen) {
		violation(t, V_STATE,
			  "recv mailbox %u: returned %d, len %llu, buffer %llu",
			  id, ret, (unsigned long long)a.len,
			  (unsigned long long)buflen);
		return ret;
	}
	if (odd)
		got_odd(t, si, id, max, t->rbuf, a.len, &a, flags, "recv");
	else
		got_checked(t, si, id, max, t->rbuf, a.len, &a, flags, rtype,
			    flags & MBOX_RECV_PEEK ? "peek" : "recv");
	return ret;
}

/* ------------------------------------------------------------------ */
/* Sending */

/*
 * Send a checked message to mailbox @id (slot @si, maximum @max): with
 * write() on @cf if given, else MBOX_IOC_SEND in a random mode.
 */
static void send_checked(struct thr *t, int si, __u32 id, __u32 max,
			 const struct cfd *cf)
{
	__u32 s = t->idx, seq = sh->next_seq[s] + 1, len = pick_len(t, max);
	struct logent *e;
	__u32 flags = 0;
	__u64 tmo = 0;
	int ret, r;

	if (seq >= logcap)
		return;
	e = log_at(s, seq);
	e->status = ST_PENDING;
	__atomic_store_n(&e->id, id, __ATOMIC_RELEASE);
	__atomic_store_n(&sh->next_seq[s], seq, __ATOMIC_RELEASE);
	build_msg(t->sbuf, s, seq, id, len);

	if (cf) {
		ssize_t n = write(cf->fd, t->sbuf, len);

		ret = n < 0 ? -errno : 0;
		outcome(t, K_SEND_FD, ret,
			(cf->nb ? A_EAGAIN : A_EINTR) |
			(slot_stays(si) ? 0 : A_EIDRM),
			"write mailbox %u (slot %d) fd %s, %u bytes", id, si,
			cf->nb ? "nonblocking" : "blocking", len);
		if (n >= 0 && (__u32)n != len)
			violation(t, V_STATE, "write of %u bytes returned %zd",
				  len, n);
	} else {
		struct mbox_send a = {
			.id = id,
			.buf = (__u64)(uintptr_t)t->sbuf,
			.len = len,
			.type = msg_type(s),
		};

		flags = pick_mode(t, &tmo);
		a.flags = flags;
		a.timeout_ns = tmo;
		ret = ioc_send(t->devfd, &a);
		outcome(t, K_SEND, ret, wait_errs(flags) | gone_errs(si),
			"mailbox %u (slot %d) flags %#x timeout %llu, %u bytes",
			id, si, flags, (unsigned long long)tmo, len);
	}
	r = res_of(ret);
	e->err = (__u8)r;
	__atomic_store_n(&e->status, r == RS_OK ? ST_OK : ST_FAILED,
			 __ATOMIC_RELEASE);
	if (r == RS_OK && slot_stays(si))
		__atomic_add_fetch(&sh->slot[si].ok_sends, 1, __ATOMIC_RELAXED);
	if ((r == RS_ETIMEDOUT || r == RS_EINTR) && slot_stays(si))
		__atomic_add_fetch(&sh->slot[si].wait_fails, 1,
				   __ATOMIC_RELAXED);
	if (r == RS_EIDRM && cf)
		verify_gone(t, id, "write() gave EIDRM");
}

static void send_odd(struct thr *t, int si, __u32 id, __u32 max,
		     const struct cfd *cf)
{
	__u32 len = rnd_below(t, max + 1), i;
	int ret;

	for (i = 0; i < len; i++)
		t->sbuf[i] = odd_byte(len, i);
	if (cf) {
		ssize_t n = write(cf->fd, t->sbuf, len);

		ret = n < 0 ? -errno : 0;
		outcome(t, K_ODD_SEND, ret, cf->nb ? A_EAGAIN : A_EINTR,
			"write tiny mailbox %u fd %s, %u bytes", id,
			cf->nb ? "nonblocking" : "blocking", len);
		if (n >= 0 && (__u32)n != len)
			violation(t, V_STATE, "write of %u bytes returned %zd",
				  len, n);
	} else {
		struct mbox_send a = {
			.id = id,
			.buf = (__u64)(uintptr_t)t->sbuf,
			.len = len,
			.type = rnd_below(t, 2),
		};
		__u64 tmo;

		a.flags = pick_mode(t, &tmo);
		a.timeout_ns = tmo;
		ret = ioc_send(t->devfd, &a);
		outcome(t, K_ODD_SEND, ret, wait_errs(a.flags),
			"tiny mailbox %u flags %#x timeout %llu, %u bytes", id,
			a.flags, (unsigned long long)tmo, len);
	}
	if (!ret)
		__atomic_add_fetch(&sh->slot[si].ok_sends, 1, __ATOMIC_RELAXED);
	if (ret == -ETIMEDOUT || ret == -EINTR)
		__atomic_add_fetch(&sh->slot[si].wait_fails, 1,
				   __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------ */
/* Operations */

/* A checked slot with a mailbox; @waiting prefers the destroyable ones. */
static int pick_checked(struct thr *t, bool waiting, __u64 *w)
{
	int tries, si;

	for (tries = 0; tries < 4; tries++) {
		if (waiting && rnd_below(t, 100) < 60)
			si = SLOT_V0 + rnd_below(t, NV + NA);
		else
			si = rnd_below(t, NCHECKED);
		*w = slot_word(si);
		if (*w)
			return si;
	}
	si = rnd_below(t, NP);
	*w = slot_word(si);
	return si;
}

static void op_send(struct thr *t)
{
	__u64 w;
	int si = pick_checked(t, rnd_below(t, 2), &w);

	send_checked(t, si, W_ID(w), W_MAX(w), NULL);
}

static void op_recv(struct thr *t)
{
	__u32 flags, rtype = 0, max, r = rnd_below(t, 100);
	int kind = K_RECV, si;
	__u64 tmo, w, buflen;

	flags = pick_mode(t, &tmo);
	si = pick_checked(t, !(flags & MBOX_NONBLOCK), &w);
	max = W_MAX(w);
	buflen = rnd_below(t, 2) ? max : BUF_SIZE;
	if (r < 15) {
		flags |= rnd_below(t, 2) ? MBOX_RECV_TYPE : MBOX_RECV_EXCEPT;
		rtype = rnd_below(t, NTYPES + 1);
		kind = K_RECV_TYPED;
	} else if (r < 30) {
		flags |= MBOX_RECV_TRUNC;
		buflen = HDR + rnd_below(t, max - HDR + 1);
		kind = K_RECV_TRUNC;
	} else if (r < 40) {
		buflen = HDR + rnd_below(t, max - HDR + 1);
		kind = K_RECV_SMALL;
	} else if (r < 50) {
		flags |= MBOX_RECV_PEEK;
		if (rnd_below(t, 2)) {
			flags |= MBOX_RECV_TRUNC;
			buflen = HDR + rnd_below(t, max - HDR + 1);
		}
		kind = K_PEEK;
	}
	do_recv(t, kind, si, W_ID(w), max, flags, tmo, rtype, buflen);
}

/*
 * MBOX_IOC_SENDRECV: a checked message to one slot's mailbox, then a
 * receive from another's (a quarter of the time the same), each half in a
 * random waiting mode.  The message is logged as sent exactly when @sent
 * says so, and @failed must name a half whose documented errors include
 * the one returned.
 */
static void op_sendrecv(struct thr *t)
{
	__u32 s = t->idx, seq = sh->next_seq[s] + 1, len, rmax;
	unsigned int allowed;
	struct mbox_sendrecv a;
	__u64 ws, wr, stmo, rtmo, buflen;
	int ssi, rsi, ret, r;
	struct logent *e;

	if (!(info.features & MBOX_FEATURE_SENDRECV) || seq >= logcap)
		return;
	ssi = pick_checked(t, rnd_below(t, 2), &ws);
	if (rnd_below(t, 4)) {
		rsi = pick_checked(t, true, &wr);
	} else {
		rsi = ssi;
		wr = ws;
	}
	len = pick_len(t, W_MAX(ws));
	rmax = W_MAX(wr);
	buflen = rnd_below(t, 4) ? BUF_SIZE : HDR + rnd_below(t, rmax - HDR + 1);
	e = log_at(s, seq);
	e->status = ST_PENDING;
	__atomic_store_n(&e->id, W_ID(ws), __ATOMIC_RELEASE);
	__atomic_store_n(&sh->next_seq[s], seq, __ATOMIC_RELEASE);
	build_msg(t->sbuf, s, seq, W_ID(ws), len);

	memset(&a, 0, sizeof(a));
	a.send.id = W_ID(ws);
	a.send.buf = (__u64)(uintptr_t)t->sbuf;
	a.send.len = len;
	a.send.type = msg_type(s);
	a.send.flags = pick_mode(t, &stmo);
	a.send.timeout_ns = stmo;
	a.recv.id = W_ID(wr);
	a.recv.buf = (__u64)(uintptr_t)t->rbuf;
	a.recv.len = buflen;
	a.recv.flags = pick_mode(t, &rtmo);
	a.recv.timeout_ns = rtmo;
	a.sent = 7;
	a.failed = 7;
	ret = mbox_ioctl(t->devfd, MBOX_IOC_SENDRECV, &a);

	if (ret >= 0 ? a.sent != 1 || a.failed :
	    a.sent > 1 || (a.failed != MBOX_SENDRECV_SEND &&
			   a.failed != MBOX_SENDRECV_RECV) ||
	    (a.sent && a.failed != MBOX_SENDRECV_RECV))
		violation(t, V_STATE, "sendrecv %u -> %u returned %d with sent %u failed %u",
			  W_ID(ws), W_ID(wr), ret, a.sent, a.failed);
	if (!a.sent)
		allowed = a.failed == MBOX_SENDRECV_SEND ?
			  wait_errs(a.send.flags) | gone_errs(ssi) :
			  gone_errs(rsi) & A_ENOENT;
	else
		allowed = wait_errs(a.recv.flags) | gone_errs(rsi) |
			  ring_errs(rsi) | (buflen < rmax ? A_EMSGSIZE : 0);
	outcome(t, K_SENDRECV, ret, allowed,
		"mailbox %u (slot %d) flags %#x, %u bytes, then mailbox %u (slot %d) flags %#x len %llu: sent %u failed %u",
		W_ID(ws), ssi, a.send.flags, len, W_ID(wr), rsi,
		a.recv.flags, (unsigned long long)buflen, a.sent, a.failed);

	r = a.sent == 1 ? RS_OK : res_of(ret);
	e->err = (__u8)r;
	__atomic_store_n(&e->status, r == RS_OK ? ST_OK : ST_FAILED,
			 __ATOMIC_RELEASE);
	if (r == RS_OK && slot_stays(ssi))
		__atomic_add_fetch(&sh->slot[ssi].ok_sends, 1,
				   __ATOMIC_RELAXED);
	if (!a.sent && a.failed == MBOX_SENDRECV_SEND &&
	    (r == RS_ETIMEDOUT || r == RS_EINTR) && slot_stays(ssi))
		__atomic_add_fetch(&sh->slot[ssi].wait_fails, 1,
				   __ATOMIC_RELAXED);
	if (a.sent != 1 || ret < 0)
		return;
	if ((__u64)ret != a.recv.len || a.recv.len > buflen) {
		violation(t, V_STATE,
			  "sendrecv from mailbox %u: returned %d, len %llu, buffer %llu",
			  W_ID(wr), ret, (unsigned long long)a.recv.len,
			  (unsigned long long)buflen);
		return;
	}
	got_checked(t, rsi, W_ID(wr), rmax, t->rbuf, a.recv.len, &a.recv,
		    a.recv.flags, 0, "sendrecv");
}

static void op_odd(struct thr *t, bool send)
{
	int si = SLOT_O0 + rnd_below(t, NO);
	__u64 w = slot_word(si), tmo, buflen;
	__u32 max = W_MAX(w), flags;

	if (send) {
		send_odd(t, si, W_ID(w), max, NULL);
		return;
	}
	flags = pick_mode(t, &tmo);
	switch (rnd_below(t, 4)) {
	case 0:
		buflen = rnd_below(t, max + 1);
		break;
	case 1:
		buflen = rnd_below(t, max + 1);
		flags |= MBOX_RECV_TRUNC;
		break;
	case 2:
		buflen = max;
		flags |= MBOX_RECV_PEEK;
		break;
	default:
		buflen = rnd_below(t, 2) ? max : BUF_SIZE;
		break;
	}
	do_recv(t, K_ODD_RECV, si, W_ID(w), max, flags, tmo, 0, buflen);
}

static void op_oversize(struct thr *t)
{
	int si = rnd_below(t, NP);
	__u64 w = slot_word(si), tmo;
	struct mbox_send a = {
		.id = W_ID(w),
		.buf = (__u64)(uintptr_t)t->sbuf,
		.len = W_MAX(w) + 1 + rnd_below(t, 64),
	};
	int ret;

	if (a.len > BUF_SIZE)
		a.len = BUF_SIZE;
	if (a.len <= W_MAX(w))
		return;
	a.flags = pick_mode(t, &tmo);
	a.timeout_ns = tmo;
	ret = ioc_send(t->devfd, &a);
	outcome(t, K_OVERSIZE, ret, A_EMSGSIZE,
		"mailbox %u (max %u) flags %#x, %llu bytes", a.id, W_MAX(w),
		a.flags, (unsigned long long)a.len);
	if (ret != -EMSGSIZE)
		violation(t, V_ERRNO,
			  "send of %llu bytes to mailbox %u of max %u gave %s, not EMSGSIZE",
			  (unsigned long long)a.len, a.id, W_MAX(w),
			  ret ? strerror(-ret) : "success");
}

/* Check one STAT snapshot of slot @si's mailbox @w. */
static void check_stat(struct thr *t, int si, __u64 w,
		       const struct mbox_stat *st)
{
	__u64 flags = slot_kind(si) == SK_AUTO ? MBOX_CREATE_AUTODESTROY : 0;

	if (st->id != W_ID(w) || st->capacity != W_CAP(w) ||
	    st->max_msg_size != W_MAX(w) || st->create_flags != flags ||
	    st->msgs > st->capacity ||
	    st->bytes > (__u64)st->msgs * st->max_msg_size ||
	    (st->blocked_senders && st->msgs != st->capacity) ||
	    st->recv_msgs > st->sent_msgs)
		violation(t, V_STATE,
			  "stat mailbox %u (slot %d; cap %u max %u): id %u capacity %u max %u create_flags %#llx msgs %u bytes %llu sent %llu recv %llu blocked senders %u receivers %u",
			  W_ID(w), si, W_CAP(w), W_MAX(w), st->id,
			  st->capacity, st->max_msg_size,
			  (unsigned long long)st->create_flags, st->msgs,
			  (unsigned long long)st->bytes,
			  (unsigned long long)st->sent_msgs,
			  (unsigned long long)st->recv_msgs,
			  st->blocked_senders, st->blocked_receivers);
	if (slot_stays(si) &&
	    (st->sent_msgs - st->recv_msgs != st->msgs ||
	     st->sent_bytes - st->recv_bytes != st->bytes))
		violation(t, V_STATE,
			  "stat mailbox %u: sent %llu - received %llu != msgs %u, or sent bytes %llu - received %llu != bytes %llu",
			  W_ID(w), (unsigned long long)st->sent_msgs,
			  (unsigned long long)st->recv_msgs, st->msgs,
			  (unsigned long long)st->sent_bytes,
			  (unsigned long long)st->recv_bytes,
			  (unsigned long long)st->bytes);
}

static void op_stat(struct thr *t)
{
	int si = rnd_below(t, NSLOTS);
	__u64 w = slot_word(si);
	struct mbox_stat st;
	int ret;

	if (!w)
		return;
	ret = mbox_stat_id(t->devfd, W_ID(w), &st);
	outcome(t, K_STAT, ret, slot_stays(si) ? 0 : A_ENOENT,
		"mailbox %u (slot %d)", W_ID(w), si);
	if (!ret)
		check_stat(t, si, w, &st);
}

static void op_stat_next(struct thr *t)
{
	struct mbox_stat st;
	__u32 id = 1, prev = 0;
	int i, ret;

	for (i = 0; i < 64; i++) {
		memset(&st, 0, sizeof(st));
		st.id = id;
		st.flags = MBOX_STAT_NEXT;
		ret = ioc_stat(t->devfd, &st);
		outcome(t, K_STAT_NEXT, ret, A_ENOENT, "from id %u", id);
		if (ret)
			break;
		if (st.id < id || st.id <= prev || st.msgs > st.capacity)
			violation(t, V_STATE,
				  "stat next from %u (previous %u) gave id %u, msgs %u capacity %u",
				  id, prev, st.id, st.msgs, st.capacity);
		prev = st.id;
		id = st.id + 1;
		if (!id)
			break;
	}
}

static void op_info(struct thr *t)
{
	struct mbox_info in;
	int ret;

	memset(&in, 0, sizeof(in));
	ret = ioc_info(t->devfd, &in);
	outcome(t, K_INFO, ret, 0, "info");
	if (!ret && (in.abi_version != info.abi_version ||
		     in.features != info.features ||
		     in.nr_mailboxes > mbox_initial_ns_max(&in)))
		violation(t, V_STATE,
			  "info: abi %u features %#llx mailboxes %u of %u",
			  in.abi_version, (unsigned long long)in.features,
			  in.nr_mailboxes, in.max_mailboxes);
}

/* Destroy a volatile slot's mailbox, or create one in an empty slot. */
static void op_churn(struct thr *t)
{
	int si = SLOT_V0 + rnd_below(t, NV);
	__u64 w = slot_word(si), nw;
	__u32 cap, max, lim;
	int ret;

	if (w) {
		__u32 id = W_ID(w);

		ret = mbox_del(t->devfd, id);
		outcome(t, K_DESTROY, ret, A_ENOENT, "mailbox %u (slot %d)",
			id, si);
		__atomic_compare_exchange_n(&sh->slot[si].word, &w, 0, false,
					    __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE);
		if (!ret)
			verify_gone(t, id, "DESTROY succeeded");
		if (!ret && !rnd_below(t, 4)) {
			ret = mbox_del(t->devfd, id);
			outcome(t, K_DESTROY, ret, A_ENOENT,
				"mailbox %u again", id);
			if (!ret)
				violation(t, V_LIFE,
					  "mailbox %u destroyed twice", id);
		}
		return;
	}
	cap = rnd_below(t, 6) ? 1 + rnd_below(t, 32) : 0;
	lim = info.max_msg_size < 16384 ? info.max_msg_size : 16384;
	max = HDR + rnd_below(t, lim - HDR + 1);
	if (cap > info.max_capacity)
		cap = info.max_capacity;
	ret = mbox_new(t->devfd, cap, max);
	outcome(t, K_CREATE, ret, 0, "capacity %u max %u", cap, max);
	if (ret <= 0)
		return;
	nw = W_MAKE(ret, cap, max);
	w = 0;
	__atomic_add_fetch(&sh->slot[si].creates, 1, __ATOMIC_RELAXED);
	if (!__atomic_compare_exchange_n(&sh->slot[si].word, &w, nw, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		/* Someone else filled the slot first: nobody knows ours. */
		ret = mbox_del(t->devfd, W_ID(nw));
		outcome(t, K_DESTROY, ret, 0, "unpublished mailbox %u",
			W_ID(nw));
	}
}

static void close_cfd(struct thr *t, struct cfd *c)
{
	int ret = close(c->fd) ? -errno : 0;

	outcome(t, K_CLOSE, ret, 0, "mailbox %u fd %d", c->id, c->fd);
	c->fd = -1;
}

static struct cfd *pick_cfd(struct thr *t)
{
	int i, k = rnd_below(t, NFDS);

	for (i = 0; i < NFDS; i++) {
		struct cfd *c = &t->fds[(k + i) % NFDS];

		if (c->fd >= 0)
			return c;
	}
	return NULL;
}

static void op_open(struct thr *t)
{
	int si = rnd_below(t, NSLOTS), ret, k, fl;
	__u64 w = slot_word(si);
	__u32 flags = 0;
	struct epoll_event ev;
	struct cfd *c;

	if (!w)
		return;
	if (rnd_below(t, 2))
		flags |= MBOX_FD_CLOEXEC;
	if (rnd_below(t, 2))
		flags |= MBOX_FD_NONBLOCK;
	ret = mbox_open_id(t->devfd, W_ID(w), flags);
	outcome(t, K_OPEN, ret, slot_stays(si) ? 0 : A_ENOENT,
		"mailbox %u (slot %d) flags %#x", W_ID(w), si, flags);
	if (ret < 0)
		return;
	fl = fcntl(ret, F_GETFL);
	k = fcntl(ret, F_GETFD);
	if (fl < 0 || k < 0 || !(fl & O_NONBLOCK) != !(flags & MBOX_FD_NONBLOCK) ||
	    !(k & FD_CLOEXEC) != !(flags & MBOX_FD_CLOEXEC) ||
	    (fl & O_ACCMODE) != O_RDWR)
		violation(t, V_STATE,
			  "open mailbox %u flags %#x: file flags %#x, fd flags %#x",
			  W_ID(w), flags, fl, k);
	for (k = 0; k < NFDS; k++)
		if (t->fds[k].fd < 0)
			break;
	if (k == NFDS) {
		k = rnd_below(t, NFDS);
		close_cfd(t, &t->fds[k]);
	}
	c = &t->fds[k];
	c->fd = ret;
	c->si = si;
	c->id = W_ID(w);
	c->max = W_MAX(w);
	c->nb = flags & MBOX_FD_NONBLOCK;
	ev.events = EPOLLIN | (rnd_below(t, 3) ? 0 : EPOLLOUT);
	ev.data.u64 = (__u64)c->id << 32 | (__u32)c->fd;
	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, c->fd, &ev))
		violation(t, V_STATE, "epoll_ctl add mailbox %u fd %d: %s",
			  c->id, c->fd, strerror(errno));
}

/* read() one message from a mailbox fd. */
static void fd_read(struct thr *t, struct cfd *c)
{
	bool odd = slot_kind(c->si) == SK_ODD;
	__u64 buflen;
	unsigned int allowed;
	ssize_t n;
	int ret;

	if (odd)
		buflen = rnd_below(t, 2) ? BUF_SIZE : rnd_below(t, c->max + 1);
	else if (rnd_below(t, 4))
		buflen = rnd_below(t, 2) ? BUF_SIZE : c->max;
	else
		buflen = HDR + rnd_below(t, c->max - HDR + 1);
	allowed = (c->nb ? A_EAGAIN : A_EINTR) | ring_errs(c->si);
	if (buflen < c->max)
		allowed |= A_EMSGSIZE;
	if (!slot_stays(c->si))
		allowed |= A_EIDRM;
	n = read(c->fd, t->rbuf, buflen);
	ret = n < 0 ? -errno : (int)n;
	outcome(t, K_READ, ret, allowed,
		"mailbox %u (slot %d) fd %s, %llu-byte buffer", c->id, c->si,
		c->nb ? "nonblocking" : "blocking",
		(unsigned long long)buflen);
	if (ret == -EIDRM) {
		verify_gone(t, c->id, "read() gave EIDRM");
		close_cfd(t, c);
		return;
	}
	if (ret < 0)
		return;
	if (odd)
		got_odd(t, c->si, c->id, c->max, t->rbuf, n, NULL, 0, "read");
	else
		got_checked(t, c->si, c->id, c->max, t->rbuf, n, NULL, 0, 0,
			    "read");
}

static void op_read(struct thr *t)
{
	struct cfd *c = pick_cfd(t);

	if (c)
		fd_read(t, c);
	else
		op_open(t);
}

static void op_write(struct thr *t)
{
	struct cfd *c = pick_cfd(t);

	if (!c) {
		op_open(t);
		return;
	}
	if (slot_kind(c->si) == SK_ODD)
		send_odd(t, c->si, c->id, c->max, c);
	else if (msg_type(t->idx) == 0)	/* write() sends type 0 */
		send_checked(t, c->si, c->id, c->max, c);
	else
		send_checked(t, c->si, c->id, c->max, NULL);
}

/* Act on what poll or epoll reported for @c. */
static void fd_ready(struct thr *t, struct cfd *c, unsigned int revents)
{
	if (revents & POLLNVAL) {
		violation(t, V_STATE, "POLLNVAL on mailbox %u fd %d", c->id,
			  c->fd);
		c->fd = -1;
		return;
	}
	if (revents & (POLLHUP | POLLERR)) {
		if (slot_stays(c->si))
			violation(t, V_LIFE,
				  "events %#x on mailbox %u, which nobody destroys",
				  revents, c->id);
		verify_gone(t, c->id, "poll gave EPOLLHUP");
		close_cfd(t, c);
		return;
	}
	if (revents & POLLIN) {
		if (c->nb && rnd_below(t, 2)) {
			fd_read(t, c);
		} else if (slot_kind(c->si) == SK_ODD) {
			do_recv(t, K_ODD_RECV, c->si, c->id, c->max,
				MBOX_NONBLOCK, 0, 0, BUF_SIZE);
		} else {
			do_recv(t, K_RECV, c->si, c->id, c->max,
				MBOX_NONBLOCK, 0, 0, BUF_SIZE);
		}
	} else if (revents & POLLOUT) {
		if (slot_kind(c->si) == SK_ODD)
			send_odd(t, c->si, c->id, c->max, NULL);
		else
			send_checked(t, c->si, c->id, c->max, NULL);
	}
}

static void op_poll(struct thr *t)
{
	struct pollfd pfd[NFDS];
	struct cfd *map[NFDS];
	int i, n = 0, ret;

	for (i = 0; i < NFDS; i++) {
		if (t->fds[i].fd < 0)
			continue;
		pfd[n].fd = t->fds[i].fd;
		pfd[n].events = POLLIN | (rnd_below(t, 2) ? POLLOUT : 0);
		pfd[n].revents = 0;
		map[n++] = &t->fds[i];
	}
	if (!n) {
		op_open(t);
		return;
	}
	ret = poll(pfd, n, rnd_below(t, 3) ? 0 : 1);
	ret = ret < 0 ? -errno : ret;
	outcome(t, K_POLL, ret, A_EINTR, "%d mailbox fds", n);
	for (i = 0; ret > 0 && i < n; i++)
		if (pfd[i].revents && map[i]->fd == pfd[i].fd)
			fd_ready(t, map[i], pfd[i].revents);
}

static void op_epoll(struct thr *t)
{
	struct epoll_event ev[NFDS];
	int i, k, ret;

	ret = epoll_wait(t->epfd, ev, NFDS, rnd_below(t, 3) ? 0 : 1);
	ret = ret < 0 ? -errno : ret;
	outcome(t, K_EPOLL, ret, A_EINTR, "epoll_wait");
	for (i = 0; i < ret; i++) {
		int fd = (int)(__u32)ev[i].data.u64;
		__u32 id = ev[i].data.u64 >> 32;

		for (k = 0; k < NFDS; k++) {
			struct cfd *c = &t->fds[k];

			if (c->fd == fd && c->id == id) {
				fd_ready(t, c, ev[i].events);
				break;
			}
		}
	}
}

/* One random operation of a worker thread. */
static void one_op(struct thr *t)
{
	__u32 r = rnd_below(t, 1000);

	if (r < 250)
		op_send(t);
	else if (r < 520)
		op_recv(t);
	else if (r < 580)
		op_odd(t, true);
	else if (r < 640)
		op_odd(t, false);
	else if (r < 690)
		op_write(t);
	else if (r < 750)
		op_read(t);
	else if (r < 770)
		op_open(t);
	else if (r < 820)
		op_poll(t);
	else if (r < 860)
		op_epoll(t);
	else if (r < 920)
		op_stat(t);
	else if (r < 923)
		op_stat_next(t);
	else if (r < 928)
		op_info(t);
	else if (r < 968)
		op_churn(t);
	else if (r < 978)
		op_oversize(t);
	else if (r < 993)
		op_sendrecv(t);
	else
		op_send(t);
}

/* ------------------------------------------------------------------ */
/* Threads and processes */

static struct thr *thr_new(int idx, int row, const char *who)
{
	struct thr *t = calloc(1, sizeof(*t));
	int i;

	if (!t)
		return NULL;
	t->idx = idx;
	snprintf(t->whobuf, sizeof(t->whobuf), "%s", who);
	t->who = t->whobuf;
	t->row = &sh->row[row];
	t->rng = mix64(cfg_seed * 0x9e3779b97f4a7c15ULL + (__u64)row + 1) | 1;
	t->sbuf = malloc(BUF_SIZE);
	t->rbuf = malloc(BUF_SIZE);
	t->cbuf = malloc(BUF_SIZE);
	t->devfd = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	for (i = 0; i < NFDS; i++)
		t->fds[i].fd = -1;
	if (!t->sbuf || !t->rbuf || !t->cbuf || t->devfd < 0 || t->epfd < 0) {
		violation(t, V_RUN, "thread setup failed: %s", strerror(errno));
		return NULL;
	}
	return t;
}

static void thr_free(struct thr *t)
{
	int i;

	for (i = 0; i < NFDS; i++)
		if (t->fds[i].fd >= 0)
			close(t->fds[i].fd);
	close(t->epfd);
	close(t->devfd);
	free(t->sbuf);
	free(t->rbuf);
	free(t->cbuf);
	free(t);
}

static bool stopping(void)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED) ||
	       now_ms() >= t_end_ms;
}

static void *worker_thread(void *arg)
{
	int idx = (int)(uintptr_t)arg;
	char who[48];
	struct thr *t;

	snprintf(who, sizeof(who), "worker %u.%u (pid %d tid %d)",
		 idx / cfg_threads, idx % cfg_threads, getpid(), gettid());
	t = thr_new(idx, idx, who);
	__atomic_store_n(&sh->tid[idx], gettid(), __ATOMIC_RELEASE);
	if (t) {
		unsigned long it;

		for (it = 0; t->calls < calls_per_thread; it++) {
			if (!(it & 15) && stopping())
				break;
			one_op(t);
		}
		t->row->sigs = nsig;
		thr_free(t);
	}
	__atomic_store_n(&sh->tid[idx], 0, __ATOMIC_RELEASE);
	return NULL;
}

static void install_handler(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void __attribute__((noreturn)) worker_main(unsigned int p)
{
	pthread_t th[MAX_THREADS];
	unsigned int i, n = 0;

	install_handler();
	for (i = 0; i < cfg_threads; i++)
		sh->sender_pid[p * cfg_threads + i] = getpid();
	for (i = 1; i < cfg_threads; i++) {
		if (pthread_create(&th[n], NULL, worker_thread,
				   (void *)(uintptr_t)(p * cfg_threads + i))) {
			violation(NULL, V_RUN, "pthread_create failed");
			continue;
		}
		n++;
	}
	worker_thread((void *)(uintptr_t)(p * cfg_threads));
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	_exit(0);
}

/*
 * The owner of auto-destroy slot @ai: creates the mailbox, publishes it,
 * receives from it for @life_ms (unless killed first), then exits with it
 * open or after closing it.
 */
static void __attribute__((noreturn)) auto_main(int ai, int life_ms,
						__u64 seed)
{
	int si = SLOT_A0 + ai, ret;
	long long end = now_ms() + life_ms;
	char who[48];
	__u32 cap, max, lim;
	struct thr *t;
	__u64 w;

	install_handler();
	setpriority(PRIO_PROCESS, 0, 0);	/* the main process's is raised */
	snprintf(who, sizeof(who), "owner of auto slot %d (pid %d)", ai,
		 getpid());
	t = thr_new(-1, MAX_SENDERS + 1 + ai, who);
	if (!t)
		_exit(1);
	t->owner = true;
	t->rng = mix64(seed) | 1;
	cap = rnd_below(t, 9);
	lim = info.max_msg_size < 8192 ? info.max_msg_size : 8192;
	max = HDR + rnd_below(t, lim - HDR + 1);
	if (cap > info.max_capacity)
		cap = info.max_capacity;
	{
		struct mbox_create c = {
			.capacity = cap,
			.max_msg_size = max,
			.flags = MBOX_CREATE_AUTODESTROY,
		};

		ret = ioc_create(t->devfd, &c);
	}
	outcome(t, K_AUTO_CREATE, ret, 0, "capacity %u max %u auto-destroy",
		cap, max);
	if (ret <= 0)
		_exit(1);
	w = W_MAKE(ret, cap, max);
	__atomic_store_n(&sh->slot[si].word, w, __ATOMIC_RELEASE);
	__atomic_add_fetch(&sh->slot[si].creates, 1, __ATOMIC_RELAXED);

	/* Its own mailbox lives as long as it does: no ENOENT, no EIDRM. */
	while (now_ms() < end && !__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		__u32 r = rnd_below(t, 10), flags;
		__u64 tmo;

		if (r < 7) {
			flags = pick_mode(t, &tmo);
			if (r == 6)
				flags |= MBOX_RECV_PEEK;
			do_recv(t, K_RECV, si, W_ID(w), max, flags, tmo,
				0, BUF_SIZE);
		} else {
			struct mbox_stat st;

			ret = mbox_stat_id(t->devfd, W_ID(w), &st);
			outcome(t, K_STAT, ret, 0, "own mailbox %u", W_ID(w));
			if (!ret)
				check_stat(t, si, w, &st);
		}
	}
	t->row->sigs += nsig;
	if (rnd_below(t, 2))
		close(t->devfd);	/* else exit closes it */
	_exit(0);
}

/*
 * The ring consumers.  Each ring slot's mailbox gets, again and again, a
 * consumer: a process (the keeper) opens a file of it, makes it the ring
 * consumer, maps the ring and forks a child that takes the records (each
 * checked and logged as a receipt, exactly as a receive's message) and
 * sleeps in MBOX_IOC_RING_WAIT when the ring is empty.  After a while the
 * keeper tells the child to exit, or kills it (a consumer that dies at any
 * instruction).  Then it takes what is left: it stores a consumer
 * position far ahead of the producer's, which the kernel must take as a
 * full ring (so new messages queue outside it, with MBOX_RING_REFILL),
 * waits for the reservations made before that to be visible (a STAT of
 * the mailbox takes its lock), reads every record up to the producer's
 * position, and only then unmaps and closes: the mailbox goes back to
 * receives, and nothing it accepted is lost.  A child killed after it
 * logged a record but before it stored its position leaves that record
 * in doubt: the keeper skips it if its log entry shows it received.
 * Meanwhile every other receive of the mailbox may fail with EBUSY, and
 * only then.
 */

/* Check and log the record at @pos; its size, or 0 while it is busy. */
static __u64 ring_take(struct thr *t, int rc, int si, __u64 w,
		       const unsigned char *data, __u32 size, __u64 pos,
		       bool doubt)
{
	const struct mbox_ring_rec *h =
		(const void *)(data + (pos & (size - 1)));
	__u32 len = __atomic_load_n(&h->len, __ATOMIC_ACQUIRE), n;
	const unsigned char *buf = (const unsigned char *)(h + 1);
	struct mbox_recv meta;

	if (len & MBOX_RING_BUSY)
		return 0;
	n = len & MBOX_RING_LEN_MASK;
	if (n > W_MAX(w) || MBOX_RING_REC_SIZE(n) > size) {
		violation(t, V_CORRUPT,
			  "ring of mailbox %u (slot %d): record at %llu has len %#x, the mailbox's maximum is %u",
			  W_ID(w), si, (unsigned long long)pos, len, W_MAX(w));
		return MBOX_RING_REC_SIZE(n & (size - 1));
	}
	if (len & MBOX_RING_DISCARD)
		return MBOX_RING_REC_SIZE(n);
	if (doubt && n >= HDR) {
		struct smsg_hdr hh;

		memcpy(&hh, buf, HDR);
		if (hh.sender < nsenders && hh.seq && hh.seq < logcap &&
		    __atomic_load_n(&log_at(hh.sender, hh.seq)->recvs,
				    __ATOMIC_ACQUIRE)) {
			__atomic_add_fetch(&sh->ring_doubts[rc], 1,
					   __ATOMIC_RELAXED);
			return MBOX_RING_REC_SIZE(n);
		}
	}
	memset(&meta, 0, sizeof(meta));
	meta.len = n;
	meta.msg_len = n;
	meta.type = h->type;
	meta.pid = h->pid;
	meta.uid = h->uid;
	meta.seq = h->seq;
	meta.send_ns = h->send_ns;
	t->row->n[K_RING_REC]++;
	t->row->calls++;
	got_checked(t, si, W_ID(w), W_MAX(w), buf, n, &meta, 0, 0, "ring");
	return MBOX_RING_REC_SIZE(n);
}

static void __attribute__((noreturn))
ring_child(struct thr *t, int rc, int si, __u64 w, int fd,
	   unsigned char *cmap, const unsigned char *pmap, __u32 size)
{
	const struct mbox_ring_producer *pp = (const void *)pmap;
	__u64 *cpos = (__u64 *)cmap;
	__u64 pos = __atomic_load_n(cpos, __ATOMIC_RELAXED), step;
	struct mbox_ring_wait a;
	int ret;

	snprintf(t->whobuf, sizeof(t->whobuf),
		 "ring consumer of slot %d (pid %d)", si, getpid());
	for (;;) {
		if (__atomic_load_n(&sh->ring_quit[rc], __ATOMIC_ACQUIRE))
			_exit(0);
		while (pos != __atomic_load_n(&pp->pos, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&sh->ring_claim[rc], pos,
					 __ATOMIC_SEQ_CST);
			step = ring_take(t, rc, si, w, pmap + psz_g, size, pos,
					 false);
			if (!step)
				break;
			pos += step;
			__atomic_store_n(cpos, pos, __ATOMIC_RELEASE);
			__atomic_add_fetch(&sh->ring_recs[rc], 1,
					   __ATOMIC_RELAXED);
		}
		if (__atomic_load_n(&pp->flags, __ATOMIC_ACQUIRE) &
		    MBOX_RING_DEAD) {
			violation(t, V_LIFE,
				  "ring of mailbox %u (slot %d), which nobody destroys, is dead",
				  W_ID(w), si);
			_exit(1);
		}
		memset(&a, 0, sizeof(a));
		a.flags = MBOX_TIMEOUT;
		a.timeout_ns = (5 + rnd_below(t, 20)) * 1000000ULL;
		ret = ioctl(fd, MBOX_IOC_RING_WAIT, &a) ? -errno : 0;
		outcome(t, K_RING_WAIT, ret, A_ETIMEDOUT | A_EINTR,
			"ring of mailbox %u (slot %d) at %llu", W_ID(w), si,
			(unsigned long long)pos);
	}
}

/* The smallest ring size that holds a message of @max bytes, times 1-4. */
static __u32 ring_size_for(struct thr *t, __u32 max)
{
	__u32 size = MBOX_RING_SIZE_MIN;

	while (size < psz_g || MBOX_RING_REC_SIZE(max) > size)
		size *= 2;
	return size << rnd_below(t, 3);
}

/* Take the records left after the child, then let the ring go. */
static void ring_finish(struct thr *t, int rc, int si, __u64 w,
			unsigned char *cmap, const unsigned char *pmap,
			__u32 size)
{
	const struct mbox_ring_producer *pp = (const void *)pmap;
	__u64 *cpos = (__u64 *)cmap, pos, prod, step;
	bool doubt;
	struct mbox_stat st;
	long spins = 0;
	int ret;

	pos = __atomic_load_n(cpos, __ATOMIC_ACQUIRE);
	doubt = __atomic_load_n(&sh->ring_claim[rc], __ATOMIC_ACQUIRE) == pos;
	prod = __atomic_load_n(&pp->pos, __ATOMIC_ACQUIRE);
	/* far ahead of the producer: the kernel must see a full ring */
	__atomic_store_n(cpos, prod + (1ULL << 40), __ATOMIC_SEQ_CST);
	ret = mbox_stat_id(t->devfd, W_ID(w), &st);	/* takes its lock */
	outcome(t, K_STAT, ret, 0, "ring slot %d's mailbox %u", si, W_ID(w));
	if (!ret)
		check_stat(t, si, w, &st);
	prod = __atomic_load_n(&pp->pos, __ATOMIC_ACQUIRE);
	while (pos != prod) {
		if (prod - pos > size) {
			violation(t, V_STATE,
				  "ring of mailbox %u (slot %d): producer at %llu, consumer at %llu, size %u",
				  W_ID(w), si, (unsigned long long)prod,
				  (unsigned long long)pos, size);
			break;
		}
		step = ring_take(t, rc, si, w, pmap + psz_g, size, pos, doubt);
		if (!step) {	/* being written: a sender is copying */
			if (++spins > 2000000) {
				violation(t, V_RUN,
					  "ring of mailbox %u (slot %d): record at %llu still busy",
					  W_ID(w), si, (unsigned long long)pos);
				break;
			}
			sched_yield();
			continue;
		}
		doubt = false;
		pos += step;
		__atomic_add_fetch(&sh->ring_drained[rc], 1, __ATOMIC_RELAXED);
	}
	if (__atomic_load_n(&pp->pos, __ATOMIC_ACQUIRE) != prod)
		violation(t, V_STATE,
			  "ring of mailbox %u (slot %d): a record entered at %llu after the consumer position said full",
			  W_ID(w), si, (unsigned long long)prod);
}

static void __attribute__((noreturn)) ring_main(int rc)
{
	int si = ring_slot[rc], fd, ret, st;
	__u64 w = slot_word(si);
	struct mbox_ring_setup s;
	unsigned char *cmap, *pmap;
	long long end;
	char who[48];
	struct thr *t;
	pid_t pid;

	install_handler();
	setpriority(PRIO_PROCESS, 0, 0);
	snprintf(who, sizeof(who), "ring keeper of slot %d (pid %d)", si,
		 getpid());
	t = thr_new(-1, MAX_SENDERS + 1 + NA + rc, who);
	if (!t)
		_exit(1);
	t->owner = true;	/* its mailbox stays */
	while (!stopping()) {
		fd = mbox_open_id(t->devfd, W_ID(w), MBOX_FD_CLOEXEC);
		outcome(t, K_OPEN, fd < 0 ? fd : 0, 0, "ring slot %d", si);
		if (fd < 0)
			break;
		memset(&s, 0, sizeof(s));
		s.size = ring_size_for(t, W_MAX(w));
		ret = ioctl(fd, MBOX_IOC_RING_SETUP, &s) ? -errno : 0;
		outcome(t, K_RING_SETUP, ret, 0, "mailbox %u (slot %d), %u bytes",
			W_ID(w), si, s.size);
		if (ret) {
			close(fd);
			break;
		}
		__atomic_add_fetch(&sh->ring_cycles[rc], 1, __ATOMIC_RELAXED);
		cmap = mmap(NULL, psz_g, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd, s.consumer_off);
		pmap = mmap(NULL, psz_g + 2 * (size_t)s.size, PROT_READ,
			    MAP_SHARED, fd, s.producer_off);
		if (cmap == MAP_FAILED || pmap == MAP_FAILED) {
			violation(t, V_RUN, "mmap of the ring of mailbox %u: %s",
				  W_ID(w), strerror(errno));
			break;
		}
		__atomic_store_n(&sh->ring_quit[rc], 0, __ATOMIC_RELEASE);
		__atomic_store_n(&sh->ring_claim[rc], ~0ULL, __ATOMIC_RELEASE);
		pid = fork();
		if (pid < 0) {
			violation(t, V_RUN, "fork: %s", strerror(errno));
			break;
		}
		if (!pid)
			ring_child(t, rc, si, w, fd, cmap, pmap, s.size);
		end = now_ms() + 20 + rnd_below(t, 400);
		while (now_ms() < end && !stopping())
			mbox_msleep(2);
		if (!stopping() && !rnd_below(t, 3)) {
			kill(pid, SIGKILL);	/* the consumer dies */
			__atomic_add_fetch(&sh->ring_deaths[rc], 1,
					   __ATOMIC_RELAXED);
		} else {
			__atomic_store_n(&sh->ring_quit[rc], 1,
					 __ATOMIC_RELEASE);
		}
		if (waitpid(pid, &st, 0) != pid ||
		    !((WIFEXITED(st) && !WEXITSTATUS(st)) ||
		      (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)))
			violation(t, V_RUN, "ring consumer of slot %d ended with %#x",
				  si, st);
		ring_finish(t, rc, si, w, cmap, pmap, s.size);
		munmap(cmap, psz_g);
		munmap(pmap, psz_g + 2 * (size_t)s.size);
		close(fd);	/* the mailbox has no ring now */
		mbox_msleep(rnd_below(t, 20));
	}
	t->row->sigs += nsig;
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* The main process */

struct owner_proc {
	pid_t pid;
	long long kill_at;	/* LLONG_MAX: let it exit by itself */
	bool killed;
};

static struct owner_proc owners[NA];
static bool worker_alive[MAX_PROCS];
static unsigned int live_workers;
static struct thr *mt;	/* the main process's context */

static void sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)us * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static unsigned long long env_num(const char *name, unsigned long long def)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return def;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno || *end) {
		out("# %s=%s is not a number; using %llu", name, v, def);
		return def;
	}
	return n;
}

static void usage(const char *prog)
{
	out("usage: %s [-n CALLS] [-t SECONDS] [-s SEED] [-p PROCS] [-T THREADS]",
	    prog);
	out("  environment: MBOX_STRESS_OPS, MBOX_STRESS_SECONDS, MBOX_STRESS_SEED, MBOX_STRESS_PROCS, MBOX_STRESS_THREADS");
	exit(2);
}

static void parse_config(int argc, char **argv)
{
	bool seed_set = getenv("MBOX_STRESS_SEED") &&
			*getenv("MBOX_STRESS_SEED");
	int c;

	cfg_ops = env_num("MBOX_STRESS_OPS", cfg_ops);
	cfg_seconds = env_num("MBOX_STRESS_SECONDS", cfg_seconds);
	cfg_seed = env_num("MBOX_STRESS_SEED", 0);
	cfg_procs = env_num("MBOX_STRESS_PROCS", cfg_procs);
	cfg_threads = env_num("MBOX_STRESS_THREADS", cfg_threads);
	while ((c = getopt(argc, argv, "n:t:s:p:T:h")) != -1) {
		switch (c) {
		case 'n':
			cfg_ops = strtoull(optarg, NULL, 0);
			break;
		case 't':
			cfg_seconds = strtoul(optarg, NULL, 0);
			break;
		case 's':
			cfg_seed = strtoull(optarg, NULL, 0);
			seed_set = true;
			break;
		case 'p':
			cfg_procs = strtoul(optarg, NULL, 0);
			break;
		case 'T':
			cfg_threads = strtoul(optarg, NULL, 0);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (!seed_set) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		cfg_seed = (unsigned long long)ts.tv_sec * 1000003ULL ^
			   (unsigned long long)ts.tv_nsec ^
			   (unsigned long long)getpid() << 20;
	}
	if (cfg_procs < 1)
		cfg_procs = 1;
	if (cfg_procs > MAX_PROCS)
		cfg_procs = MAX_PROCS;
	if (cfg_threads < 1)
		cfg_threads = 1;
	if (cfg_threads > MAX_THREADS)
		cfg_threads = MAX_THREADS;
	if (cfg_ops < 1)
		cfg_ops = 1;
	if (cfg_seconds < 1)
		cfg_seconds = 1;
}

static const __u32 p_cap[NP] = { 0, 1, 4, 16, 64, 1000 };
static const __u32 p_max[NP] = { 4096, 65536, 256, HDR, 8192, 512 };
static const __u32 o_cap[NO] = { 4, 0, 2, 8 };
static const __u32 o_max[NO] = { 0, 1, 7, HDR - 1 };

static int create_fixed(void)
{
	int i, ret;

	for (i = 0; i < NSLOTS; i++) {
		__u32 cap, max;

		if (slot_kind(i) == SK_PERSIST) {
			cap = p_cap[i];
			max = p_max[i];
		} else if (slot_kind(i) == SK_ODD) {
			cap = o_cap[i - SLOT_O0];
			max = o_max[i - SLOT_O0];
		} else {
			continue;
		}
		if (cap > info.max_capacity)
			cap = info.max_capacity;
		if (max > info.max_msg_size)
			max = info.max_msg_size;
		ret = mbox_new(mt->devfd, cap, max);
		outcome(mt, K_CREATE, ret, 0, "capacity %u max %u", cap, max);
		if (ret <= 0)
			return -1;
		slot_max[i] = max;
		sh->slot[i].word = W_MAKE(ret, cap, max);
	}
	return 0;
}

static void spawn_owner(int ai)
{
	int life = 5 + rnd_below(mt, 150);
	__u64 seed = rnd(mt);
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		violation(mt, V_RUN, "fork: %s", strerror(errno));
		return;
	}
	if (!pid)
		auto_main(ai, life, seed);
	owners[ai].pid = pid;
	owners[ai].killed = false;
	owners[ai].kill_at = rnd_below(mt, 2) ?
			     now_ms() + rnd_below(mt, life + 5) : LLONG_MAX;
}

/* Reap what has ended; @block: wait for one at least. */
static void reap(bool block)
{
	int st, i;
	pid_t pid;

	while ((pid = waitpid(-1, &st, block ? 0 : WNOHANG)) > 0) {
		block = false;
		for (i = 0; i < NRC; i++) {
			if (sh->ring_pid[i] != pid)
				continue;
			sh->ring_pid[i] = 0;
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				violation(mt, V_RUN,
					  "ring keeper of slot %d (pid %d) ended with %s %d",
					  ring_slot[i], pid,
					  WIFEXITED(st) ? "status" : "signal",
					  WIFEXITED(st) ? WEXITSTATUS(st) :
					  WTERMSIG(st));
		}
		for (i = 0; i < (int)cfg_procs; i++) {
			if (sh->worker_pid[i] != pid)
				continue;
			worker_alive[i] = false;
			live_workers--;
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				violation(mt, V_RUN,
					  "worker %d (pid %d) ended with %s %d",
					  i, pid,
					  WIFEXITED(st) ? "status" : "signal",
					  WIFEXITED(st) ? WEXITSTATUS(st) :
					  WTERMSIG(st));
		}
		for (i = 0; i < NA; i++) {
			int si = SLOT_A0 + i;
			__u64 w;
			char why[96];

			if (owners[i].pid != pid)
				continue;
			owners[i].pid = 0;
			w = __atomic_exchange_n(&sh->slot[si].word, 0,
						__ATOMIC_ACQ_REL);
			if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL &&
			    owners[i].killed) {
				sh->auto_kills++;
			} else if (WIFEXITED(st) && !WEXITSTATUS(st)) {
				sh->auto_exits++;
			} else {
				violation(mt, V_RUN,
					  "owner of auto slot %d (pid %d) ended with %s %d",
					  i, pid,
					  WIFEXITED(st) ? "status" : "signal",
					  WIFEXITED(st) ? WEXITSTATUS(st) :
					  WTERMSIG(st));
			}
			if (w) {
				snprintf(why, sizeof(why),
					 "owner (pid %d) of auto-destroy mailbox %u %s and was reaped",
					 pid, W_ID(w),
					 WIFSIGNALED(st) ? "was killed" :
					 "exited");
				verify_gone(mt, W_ID(w), why);
			}
		}
	}
}

static void show_file(const char *path, const char *label)
{
	char buf[2048], *line, *save = NULL;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		out("#   %s: %s", label, line);
}

/* Tell where every thread still running is, then kill the workers. */
static void report_hang(void)
{
	char path[96];
	unsigned int i;

	violation(mt, V_RUN,
		  "workers still running %u s after the time limit; their threads:",
		  cfg_seconds);
	for (i = 0; i < nsenders; i++) {
		pid_t tid = __atomic_load_n(&sh->tid[i], __ATOMIC_ACQUIRE);
		pid_t pid = sh->worker_pid[i / cfg_threads];

		if (!tid)
			continue;
		out("# thread %u (pid %d tid %d):", i, pid, tid);
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
		show_file(path, "stat");
		snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", pid,
			 tid);
		show_file(path, "wchan");
		snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", pid,
			 tid);
		show_file(path, "syscall");
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", pid,
			 tid);
		show_file(path, "stack");
	}
	for (i = 0; i < cfg_procs; i++)
		if (worker_alive[i])
			kill(sh->worker_pid[i], SIGKILL);
}

static void signal_thread(unsigned int i)
{
	pid_t tid = __atomic_load_n(&sh->tid[i], __ATOMIC_ACQUIRE);
	unsigned int p = i / cfg_threads;

	if (!tid || !worker_alive[p])
		return;
	if (!syscall(SYS_tgkill, sh->worker_pid[p], tid, SIGUSR1))
		sh->sigs_sent++;
}

/* Every 30 s, a line that shows the run goes on. */
static void progress(long long start, long long now)
{
	__u64 calls = 0;
	int i;

	for (i = 0; i < MAX_ROWS; i++)
		calls += __atomic_load_n(&sh->row[i].calls, __ATOMIC_RELAXED);
	out("# progress: %llu calls in %lld s, %.0f calls/s",
	    (unsigned long long)calls, (now - start) / 1000,
	    calls * 1000.0 / (now - start));
}

/* Run the workers and the owners until the workers are done. */
static bool run(void)
{
	long long start = now_ms(), next_progress = start + 30000;
	long long hard_end = t_end_ms + 60000, cont_at = 0, now;
	pid_t stopped = 0;
	bool stop = false, hung = false;
	unsigned int i;

	while (live_workers) {
		sleep_us(1000 + rnd_below(mt, 1000));
		reap(false);
		now = now_ms();
		if (!stop && now >= t_end_ms) {
			stop = true;
			__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
		}
		for (i = 0; i < NA; i++) {
			if (!owners[i].pid) {
				if (!stop)
					spawn_owner(i);
			} else if (!owners[i].killed &&
				   (stop || now >= owners[i].kill_at)) {
				kill(owners[i].pid, SIGKILL);
				owners[i].killed = true;
			} else if (!owners[i].killed && !rnd_below(mt, 8)) {
				kill(owners[i].pid, SIGUSR1);
				sh->sigs_sent++;
			}
		}
		if (stopped && (now >= cont_at || stop)) {
			kill(stopped, SIGCONT);
			stopped = 0;
		} else if (!stopped && !stop && !rnd_below(mt, 100)) {
			unsigned int p = rnd_below(mt, cfg_procs);

			if (worker_alive[p] && !kill(sh->worker_pid[p], SIGSTOP)) {
				stopped = sh->worker_pid[p];
				cont_at = now + 1 + rnd_below(mt, 3);
				sh->stops_sent++;
			}
		}
		if (stop) {
			/* End every wait: blocked calls give EINTR. */
			for (i = 0; i < nsenders; i++)
				signal_thread(i);
		} else {
			for (i = rnd_below(mt, 4); i > 0; i--)
				signal_thread(rnd_below(mt, nsenders));
		}
		if (now >= next_progress) {
			progress(start, now);
			next_progress += 30000;
		}
		if (now > hard_end && !hung) {
			report_hang();
			hung = true;
		}
	}
	if (stopped)
		kill(stopped, SIGCONT);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NA; i++) {
		if (owners[i].pid && !owners[i].killed) {
			kill(owners[i].pid, SIGKILL);
			owners[i].killed = true;
		}
	}
	for (i = 0; i < NA; i++)
		while (owners[i].pid)
			reap(true);
	/* The ring consumers let their rings go before the final drain. */
	for (i = 0; i < NRC; i++)
		while (sh->ring_pid[i])
			reap(true);
	return !hung;
}

static bool id_survives(__u32 id, const __u32 *surv, int nsurv)
{
	int i;

	for (i = 0; i < nsurv; i++)
		if (surv[i] == id)
			return true;
	return false;
}

struct totals {
	__u64 sent_ok, sent_failed[NR_RES], received, lost_to_destroy;
	__u64 drained;
};

/* Drain every mailbox left, then check it and the send logs. */
static void final_checks(struct totals *tot, bool complete)
{
	__u32 surv[NSLOTS];
	int nsurv = 0, si;
	__u32 s, seq;

	mt->owner = true;	/* nobody destroys anything now */
	for (si = 0; si < NSLOTS; si++) {
		__u64 w = slot_word(si), n = 0;
		struct mbox_stat st;
		int ret;

		if (!w)
			continue;
		surv[nsurv++] = W_ID(w);
		do {
			ret = do_recv(mt, K_DRAIN, si, W_ID(w), W_MAX(w),
				      MBOX_NONBLOCK, 0, 0, BUF_SIZE);
		} while (ret >= 0 && ++n < 10000000);
		if (ret != -EAGAIN)
			violation(mt, V_STATE,
				  "drain of mailbox %u (slot %d) ended with %s",
				  W_ID(w), si, strerror(-ret));
		tot->drained += n;
		ret = mbox_stat_id(mt->devfd, W_ID(w), &st);
		outcome(mt, K_STAT, ret, 0, "drained mailbox %u", W_ID(w));
		if (ret)
			continue;
		check_stat(mt, si, w, &st);
		if (st.msgs || st.bytes || st.blocked_senders ||
		    st.blocked_receivers || st.sent_msgs != st.recv_msgs ||
		    st.sent_bytes != st.recv_bytes)
			violation(mt, V_STATE,
				  "drained mailbox %u (slot %d): msgs %u bytes %llu blocked senders %u receivers %u, sent %llu (%llu bytes) received %llu (%llu bytes)",
				  W_ID(w), si, st.msgs,
				  (unsigned long long)st.bytes,
				  st.blocked_senders, st.blocked_receivers,
				  (unsigned long long)st.sent_msgs,
				  (unsigned long long)st.sent_bytes,
				  (unsigned long long)st.recv_msgs,
				  (unsigned long long)st.recv_bytes);
		if (!slot_stays(si))
			continue;
		if (complete && (st.sent_msgs != sh->slot[si].ok_sends ||
				 st.recv_msgs != sh->slot[si].receipts))
			violation(mt, V_STATE,
				  "mailbox %u (slot %d): module counts %llu sent, %llu received; the senders had %llu sends succeed, the receivers %llu receipts",
				  W_ID(w), si,
				  (unsigned long long)st.sent_msgs,
				  (unsigned long long)st.recv_msgs,
				  (unsigned long long)sh->slot[si].ok_sends,
				  (unsigned long long)sh->slot[si].receipts);
		if (sh->slot[si].max_seq > st.sent_msgs)
			violation(mt, V_SEQ,
				  "mailbox %u (slot %d): a message came with seq %llu, but only %llu messages were sent to it (and %llu sends to it failed with ETIMEDOUT or EINTR after waiting)",
				  W_ID(w), si,
				  (unsigned long long)sh->slot[si].max_seq,
				  (unsigned long long)st.sent_msgs,
				  (unsigned long long)sh->slot[si].wait_fails);
	}

	for (s = 0; s < nsenders; s++) {
		__u32 last = sh->next_seq[s];

		for (seq = 1; seq <= last && seq < logcap; seq++) {
			struct logent *e = log_at(s, seq);
			bool sv = id_survives(e->id, surv, nsurv);

			if (e->status == ST_OK) {
				tot->sent_ok++;
				tot->received += e->recvs ? 1 : 0;
				if (!e->recvs && sv && complete)
					violation(mt, V_LOST,
						  "message (sender %u, seq %u) sent to mailbox %u, which still exists, was never received",
						  s, seq, e->id);
				else if (!e->recvs)
					tot->lost_to_destroy++;
			} else if (e->status == ST_FAILED) {
				tot->sent_failed[e->err]++;
				if (e->recvs)
					violation(mt, V_LOST,
						  "message (sender %u, seq %u) to mailbox %u was received, but its send failed with %s",
						  s, seq, e->id,
						  res_name[e->err]);
			} else if (complete) {
				violation(mt, V_RUN,
					  "send (sender %u, seq %u) to mailbox %u never returned",
					  s, seq, e->id);
			}
		}
	}
}

/* Destroy what is left and check the module holds nothing of ours. */
static void cleanup_checks(const struct mbox_info *before)
{
	struct mbox_info in;
	int si, ret;

	memset(&in, 0, sizeof(in));
	ret = ioc_info(mt->devfd, &in);
	outcome(mt, K_INFO, ret, 0, "info after the drain");
	if (!ret && (in.total_msgs != before->total_msgs ||
		     in.total_bytes != before->total_bytes))
		violation(mt, V_STATE,
			  "info after the drain: %llu messages, %llu bytes queued in all mailboxes; %llu and %llu before the run",
			  (unsigned long long)in.total_msgs,
			  (unsigned long long)in.total_bytes,
			  (unsigned long long)before->total_msgs,
			  (unsigned long long)before->total_bytes);
	for (si = 0; si < NSLOTS; si++) {
		__u64 w = slot_word(si);

		if (!w)
			continue;
		ret = mbox_del(mt->devfd, W_ID(w));
		outcome(mt, K_DESTROY, ret, 0, "mailbox %u (slot %d)",
			W_ID(w), si);
		if (!ret)
			verify_gone(mt, W_ID(w), "DESTROY succeeded");
		sh->slot[si].word = 0;
	}
	memset(&in, 0, sizeof(in));
	ret = ioc_info(mt->devfd, &in);
	outcome(mt, K_INFO, ret, 0, "info at the end");
	if (!ret && in.nr_mailboxes != before->nr_mailboxes)
		violation(mt, V_STATE,
			  "%u mailboxes exist after the run; %u before it",
			  in.nr_mailboxes, before->nr_mailboxes);
}

/* The first line of /proc/stat: jiffies of user, nice, system, idle... */
static int read_cpu(unsigned long long v[8])
{
	char buf[256];
	ssize_t n;
	int fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);

	memset(v, 0, 8 * sizeof(v[0]));
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		      &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
		      &v[7]) >= 4 ? 0 : -1;
}

static void print_cpu(const unsigned long long a[8],
		      const unsigned long long b[8])
{
	unsigned long long d[8], sum = 0;
	int i;

	for (i = 0; i < 8; i++) {
		d[i] = b[i] - a[i];
		sum += d[i];
	}
	if (!sum)
		return;
	out("# cpu during the run: user %.0f%%, system %.0f%%, idle %.0f%%, other %.0f%% (%ld CPUs)",
	    100.0 * (d[0] + d[1]) / sum, 100.0 * d[2] / sum,
	    100.0 * (d[3] + d[4]) / sum,
	    100.0 * (sum - d[0] - d[1] - d[2] - d[3] - d[4]) / sum,
	    sysconf(_SC_NPROCESSORS_ONLN));
}

static void print_counts(double secs, const struct totals *tot)
{
	__u64 n[NR_KINDS] = { 0 }, res[NR_RES] = { 0 }, calls = 0, sigs = 0;
	__u64 worker_calls = 0;
	char line[600];
	size_t len = 0;
	int i, k;

	for (i = 0; i < MAX_ROWS; i++) {
		for (k = 0; k < NR_KINDS; k++)
			n[k] += sh->row[i].n[k];
		for (k = 0; k < NR_RES; k++)
			res[k] += sh->row[i].res[k];
		calls += sh->row[i].calls;
		sigs += sh->row[i].sigs;
		if (i < (int)nsenders)
			worker_calls += sh->row[i].calls;
	}
	out("# calls: %llu in %.1f s, %.0f calls/s (workers %llu of a budget of %llu, owners and main %llu)",
	    (unsigned long long)calls, secs, secs > 0 ? calls / secs : 0.0,
	    (unsigned long long)worker_calls, cfg_ops,
	    (unsigned long long)(calls - worker_calls));
	for (k = 0; k < NR_KINDS; k++)
		out("#   %-28s %llu", kind_name[k], (unsigned long long)n[k]);
	for (k = 0; k < NR_RES; k++)
		len += snprintf(line + len, sizeof(line) - len, " %s %llu",
				res_name[k], (unsigned long long)res[k]);
	out("# results:%s", line);
	len = 0;
	for (k = 1; k < NR_RES; k++)
		if (tot->sent_failed[k])
			len += snprintf(line + len, sizeof(line) - len,
					" %s %llu", res_name[k],
					(unsigned long long)tot->sent_failed[k]);
	out("# checked messages: %llu sent, %llu received (%llu in the final drain), %llu lost with a destroyed mailbox; failed sends:%s",
	    (unsigned long long)tot->sent_ok,
	    (unsigned long long)tot->received,
	    (unsigned long long)tot->drained,
	    (unsigned long long)tot->lost_to_destroy, len ? line : " none");
	len = 0;
	for (k = SLOT_O0; k < NSLOTS; k++)
		len += snprintf(line + len, sizeof(line) - len,
				" max %u: %llu/%llu", slot_max[k],
				(unsigned long long)sh->slot[k].ok_sends,
				(unsigned long long)sh->slot[k].receipts);
	out("# tiny messages sent/received:%s", line);
	out("# signals: %llu sent, %llu handler runs; %llu SIGSTOP+SIGCONT",
	    (unsigned long long)sh->sigs_sent, (unsigned long long)sigs,
	    (unsigned long long)sh->stops_sent);
	out("# volatile mailboxes created: %llu; auto-destroy owners: %llu exited, %llu killed",
	    (unsigned long long)(sh->slot[SLOT_V0].creates +
				 sh->slot[SLOT_V0 + 1].creates +
				 sh->slot[SLOT_V0 + 2].creates +
				 sh->slot[SLOT_V0 + 3].creates +
				 sh->slot[SLOT_V0 + 4].creates +
				 sh->slot[SLOT_V0 + 5].creates),
	    (unsigned long long)sh->auto_exits,
	    (unsigned long long)sh->auto_kills);
}

int main(int argc, char **argv)
{
	const __u64 need = MBOX_FEATURE_RENDEZVOUS | MBOX_FEATURE_TIMEOUT |
			   MBOX_FEATURE_TYPES | MBOX_FEATURE_PEEK |
			   MBOX_FEATURE_TRUNC | MBOX_FEATURE_MSG_INFO |
			   MBOX_FEATURE_AUTODESTROY | MBOX_FEATURE_FD |
			   MBOX_FEATURE_STAT_EXT;
	unsigned long long cpu0[8], cpu1[8];
	struct mbox_info before;
	struct totals tot;
	long long start;
	sigset_t set;
	size_t logsize;
	unsigned int p;
	int fd, k, fails = 0;
	bool ran;
	double secs;

	parse_config(argc, argv);
	out("TAP version 13");
	fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		out("1..0 # SKIP %s: %s", MBOX_DEV, strerror(errno));
		return KSFT_SKIP;
	}
	memset(&info, 0, sizeof(info));
	if (ioc_info(fd, &info) || (info.features & need) != need ||
	    info.max_msg_size < HDR) {
		out("1..0 # SKIP the module lacks features %#llx or max_msg_size %u < %u",
		    (unsigned long long)(need & ~info.features),
		    info.max_msg_size, HDR);
		return KSFT_SKIP;
	}
	before = info;
	close(fd);

	nsenders = cfg_procs * cfg_threads;
	calls_per_thread = (cfg_ops + nsenders - 1) / nsenders;
	logcap = calls_per_thread + 64 > UINT_MAX / 2 ? UINT_MAX / 2 :
		 (__u32)(calls_per_thread + 64);
	my_euid = geteuid();
	psz_g = sysconf(_SC_PAGESIZE);
	ring_on = info.features & MBOX_FEATURE_RING;
	out("1..%d", NR_VCAT);
	out("# mbox stress: seed %llu (MBOX_STRESS_SEED), %u processes x %u threads, budget %llu calls (MBOX_STRESS_OPS), limit %u s (MBOX_STRESS_SECONDS)",
	    cfg_seed, cfg_procs, cfg_threads, cfg_ops, cfg_seconds);

	sh = mbox_shared_mem(sizeof(*sh));
	logsize = (size_t)nsenders * logcap * sizeof(struct logent);
	logs = mbox_shared_mem(logsize);
	if (!sh || !logs) {
		out("Bail out! cannot map %zu bytes of shared memory", logsize);
		return KSFT_FAIL;
	}
	mt = thr_new(-1, MAX_SENDERS, "main");
	if (!mt || create_fixed()) {
		out("Bail out! cannot set up: %s", strerror(errno));
		return KSFT_FAIL;
	}

	/* Children unblock SIGUSR1 once their handler is in place. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);

	read_cpu(cpu0);
	t0_ns = mbox_now_ns();
	start = now_ms();
	t_end_ms = start + (long long)cfg_seconds * 1000;
	for (p = 0; p < cfg_procs; p++) {
		pid_t pid = fork();

		if (pid < 0) {
			out("Bail out! fork: %s", strerror(errno));
			return KSFT_FAIL;
		}
		if (!pid)
			worker_main(p);
		sh->worker_pid[p] = pid;
		worker_alive[p] = true;
		live_workers++;
	}
	for (k = 0; ring_on && k < NRC; k++) {
		pid_t pid = fork();

		if (pid < 0) {
			out("Bail out! fork: %s", strerror(errno));
			return KSFT_FAIL;
		}
		if (!pid)
			ring_main(k);
		sh->ring_pid[k] = pid;
	}
	/*
	 * The main process delivers the signals and watches the time: let it
	 * run soon after its short sleeps even with every CPU busy (root
	 * only; without it there are just fewer signals).
	 */
	setpriority(PRIO_PROCESS, 0, -10);
	ran = run();
	secs = (now_ms() - start) / 1000.0;
	read_cpu(cpu1);

	memset(&tot, 0, sizeof(tot));
	final_checks(&tot, ran);
	cleanup_checks(&before);

	print_counts(secs, &tot);
	for (k = 0; ring_on && k < NRC; k++)
		out("# ring consumers of slot %d: %llu rings, %llu records read by consumers, %llu by their keepers after them; %llu consumers killed, %llu records in doubt found received",
		    ring_slot[k], (unsigned long long)sh->ring_cycles[k],
		    (unsigned long long)sh->ring_recs[k],
		    (unsigned long long)sh->ring_drained[k],
		    (unsigned long long)sh->ring_deaths[k],
		    (unsigned long long)sh->ring_doubts[k]);
	print_cpu(cpu0, cpu1);
	out("# seed %llu; rerun with MBOX_STRESS_SEED=%llu (thread scheduling still varies)",
	    cfg_seed, cfg_seed);
	for (k = 0; k < NR_VCAT; k++) {
		__u64 v = sh->viol[k];

		if (v)
			fails++;
		out("%sok %d stress: %s%s", v ? "not " : "", k + 1,
		    vcat_desc[k], v ? "" : "");
		if (v)
			out("# %llu violation(s) of this invariant (the first %d violations of all kinds are printed above)",
			    (unsigned long long)v, MAX_PRINTED);
	}
	out("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0",
	    NR_VCAT - fails, fails);
	return fails ? KSFT_FAIL : KSFT_PASS;
}
