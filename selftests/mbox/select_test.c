// SPDX-License-Identifier: GPL-2.0
/*
 * Selective receives, hand-offs and waiting senders against a model
 * (include/uapi/linux/mbox.h: MBOX_IOC_RECV, MBOX_IOC_RECV_BATCH,
 * "Ordering and waiting").
 *
 * Each test drives a mailbox with pseudo-random calls from a fixed seed and
 * predicts every outcome with a few lines of C that follow the documented
 * rules literally: the oldest message a selection selects, a failed receive
 * that leaves the message in its place, receivers served in the order they
 * blocked (each that selects a message but is too small for it fails with
 * EMSGSIZE, each peeker that selects it sees it, the first other that
 * selects it takes it), waiting senders served in the order they blocked.
 * Types come in runs, and runs of one type are interleaved with others, so
 * that the oldest message of a type, or not of a type, is anywhere in the
 * queue.
 */
#include "proc_util.h"

#define CAP		256
#define MAXLEN		64
#define OPS		6000
#define NRX		10	/* blocked receivers per round */
#define NTX		8	/* blocked senders per round */
#define ROUNDS		6
#define SEL_TIMEOUT	300

static const __u32 types[] = { 0, 1, 2, 3, 7, 0xffffffffU };
#define NTYPES		(sizeof(types) / sizeof(types[0]))

static __u32 rnd_state;

static __u32 rnd(__u32 n)
{
	rnd_state = rnd_state * 1103515245U + 12345U;
	return (rnd_state >> 8) % n;
}

/* A selection: 0 (any), MBOX_RECV_TYPE or MBOX_RECV_EXCEPT, and a type. */
struct sel {
	__u32 mode;
	__u32 type;
};

static bool selects(const struct sel *s, __u32 type)
{
	if (s->mode == MBOX_RECV_TYPE)
		return type == s->type;
	if (s->mode == MBOX_RECV_EXCEPT)
		return type != s->type;
	return true;
}

static struct sel rnd_sel(void)
{
	static const __u32 modes[] = { 0, MBOX_RECV_TYPE, MBOX_RECV_EXCEPT };
	struct sel s = { modes[rnd(3)], types[rnd(NTYPES)] };

	return s;
}

/* The model of a queue: messages in acceptance order. */
struct qmsg {
	__u32 tag;	/* the number in its first bytes */
	__u32 type;
	__u64 seq;
	__u32 len;
};

struct model {
	struct qmsg m[CAP];
	unsigned int n;
	__u64 seq;	/* the mailbox's last seq */
};

/* Index of the oldest message @s selects, or -1. */
static int model_find(const struct model *q, const struct sel *s)
{
	unsigned int i;

	for (i = 0; i < q->n; i++)
		if (selects(s, q->m[i].type))
			return i;
	return -1;
}

static void model_del(struct model *q, unsigned int i)
{
	memmove(&q->m[i], &q->m[i + 1], (q->n - i - 1) * sizeof(q->m[0]));
	q->n--;
}

FIXTURE(select) {
	int fd;
	struct model q;
};

FIXTURE_SETUP(select)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	REQUIRE_FEATURES(self->fd, MBOX_FEATURE_TYPES | MBOX_FEATURE_PEEK |
			 MBOX_FEATURE_TRUNC | MBOX_FEATURE_MSG_INFO |
			 MBOX_FEATURE_BATCH | MBOX_FEATURE_STAT_EXT |
			 MBOX_FEATURE_FIFO_WAITERS | MBOX_FEATURE_RENDEZVOUS);
}

FIXTURE_TEARDOWN(select)
{
	mbox_cleanup(self->fd);
}

static int send_tagged(int fd, __u32 id, __u32 tag, __u32 type, __u32 len)
{
	unsigned char b[MAXLEN];

	pmsg_make(b, len, tag);
	return psend(fd, id, b, len, MBOX_NONBLOCK, 0, type);
}

/* An address no receive can store to. */
#define BAD_BUF		((__u64)8)

/* One MBOX_IOC_RECV, checked against the model. */
static void recv_one(struct __test_metadata *_metadata, int fd, __u32 id,
		     struct model *q, int op)
{
	unsigned char b[MAXLEN];
	struct sel s = rnd_sel();
	__u32 size = 4 + rnd(MAXLEN - 3);
	__u32 flags = MBOX_NONBLOCK | s.mode;
	bool bad = !rnd(12);
	struct mbox_recv a;
	int i, ret, want;

	if (!rnd(5))
		flags |= MBOX_RECV_PEEK;
	if (!rnd(5))
		flags |= MBOX_RECV_TRUNC;
	memset(&a, 0, sizeof(a));
	a.id = id;
	a.flags = flags;
	a.buf = bad ? BAD_BUF : (__u64)(uintptr_t)b;
	a.len = size;
	a.type = s.type;
	ret = ioc_recv(fd, &a);

	i = model_find(q, &s);
	if (i < 0)
		want = -EAGAIN;
	else if (q->m[i].len > size && !(flags & MBOX_RECV_TRUNC))
		want = -EMSGSIZE;
	else if (bad)
		want = -EFAULT;
	else
		want = q->m[i].len < size ? q->m[i].len : size;
	ASSERT_EQ(want, ret)
		TH_LOG("op %d: recv flags 0x%x type %u size %u: wanted %d",
		       op, flags, s.type, size, want);
	if (ret == -EMSGSIZE)
		ASSERT_EQ(q->m[i].len, a.msg_len);
	if (ret < 0)
		return;
	ASSERT_EQ(q->m[i].seq, a.seq) TH_LOG("op %d", op);
	ASSERT_EQ(q->m[i].type, a.type) TH_LOG("op %d", op);
	ASSERT_EQ(q->m[i].len, a.msg_len) TH_LOG("op %d", op);
	ASSERT_EQ((long)q->m[i].tag, pmsg_seq(b, ret)) TH_LOG("op %d", op);
	if (!(flags & MBOX_RECV_PEEK))
		model_del(q, i);
}

/* One MBOX_IOC_RECV_BATCH, checked against the model. */
static void recv_batch(struct __test_metadata *_metadata, int fd, __u32 id,
		       struct model *q, int op)
{
	static unsigned char bufs[MBOX_BATCH_MAX][MAXLEN];
	struct mbox_batch_msg v[MBOX_BATCH_MAX];
	struct sel s = rnd_sel();
	__u32 count = 1 + rnd(MBOX_BATCH_MAX);
	__u32 flags = MBOX_NONBLOCK | s.mode;
	int stop = rnd(3) ? -1 : (int)rnd(count);	/* a bad element */
	bool small = !rnd(2);	/* ... too small, or not writable */
	struct mbox_batch b;
	int want_err = 0, done = 0, ret, i;
	struct model before = *q;

	if (!rnd(4))
		flags |= MBOX_RECV_TRUNC;
	memset(v, 0, sizeof(v));
	for (i = 0; i < (int)count; i++) {
		v[i].buf = (__u64)(uintptr_t)bufs[i];
		v[i].len = MAXLEN;
	}
	if (stop >= 0) {
		if (small)
			v[stop].len = 3;
		else
			v[stop].buf = BAD_BUF;
	}
	memset(&b, 0, sizeof(b));
	b.id = id;
	b.flags = flags;
	b.msgs = (__u64)(uintptr_t)v;
	b.count = count;
	b.type = s.type;
	ret = mbox_ioctl(fd, MBOX_IOC_RECV_BATCH, &b);

	/* The model: take one by one, stop at the first that fails. */
	for (done = 0; done < (int)count; done++) {
		int k = model_find(q, &s);

		if (k < 0) {
			want_err = EAGAIN;
			break;
		}
		if (done == stop && small && q->m[k].len > 3 &&
		    !(flags & MBOX_RECV_TRUNC)) {
			want_err = EMSGSIZE;
			break;
		}
		if (done == stop && !small) {
			want_err = EFAULT;
			break;
		}
		before.m[done] = q->m[k];	/* what element done gets */
		model_del(q, k);
	}
	if (!done) {
		ASSERT_EQ(-want_err, ret) TH_LOG("op %d: batch of %u", op,
						 count);
		return;
	}
	ASSERT_EQ(done, ret) TH_LOG("op %d: batch of %u, flags 0x%x type %u",
				    op, count, flags, s.type);
	ASSERT_EQ((__u32)done, b.done);
	ASSERT_EQ((__u32)want_err, b.error) TH_LOG("op %d", op);
	for (i = 0; i < done; i++) {
		__u64 len = v[i].len;

		ASSERT_EQ(before.m[i].seq, v[i].seq) TH_LOG("op %d el %d", op, i);
		ASSERT_EQ(before.m[i].type, v[i].type);
		ASSERT_EQ(before.m[i].len, v[i].msg_len);
		if (len >= 4)
			ASSERT_EQ((long)before.m[i].tag,
				  pmsg_seq(bufs[i], len));
	}
}

/*
 * Random sends, receives (any, one type, all but one type; peeking,
 * truncating, too small, not writable) and receive batches: every outcome,
 * message and seq as the model says, and nothing lost or reordered.
 */
TEST_F_TIMEOUT(select, selective_receives_take_the_oldest_selected_message,
	       SEL_TIMEOUT)
{
	struct model *q = &self->q;
	struct mbox_stat st;
	__u32 id, tag = 0, type = 0, len;
	int op, ret;

	rnd_state = 14;
	id = NEW_MBOX(self->fd, CAP, MAXLEN);
	memset(q, 0, sizeof(*q));
	for (op = 0; op < OPS; op++) {
		switch (rnd(8)) {
		case 0: case 1: case 2: case 3:
			if (rnd(4) == 0)	/* else a run of the last type */
				type = types[rnd(NTYPES)];
			len = 4 + rnd(MAXLEN - 3);
			ret = send_tagged(self->fd, id, ++tag, type, len);
			if (q->n == CAP) {
				ASSERT_EQ(-EAGAIN, ret);
				break;
			}
			ASSERT_EQ(0, ret) TH_LOG("op %d", op);
			q->m[q->n++] = (struct qmsg){ tag, type, ++q->seq, len };
			break;
		case 4: case 5: case 6:
			recv_one(_metadata, self->fd, id, q, op);
			break;
		default:
			recv_batch(_metadata, self->fd, id, q, op);
			break;
		}
		if (op % 64 == 0) {
			ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
			ASSERT_EQ(q->n, st.msgs);
		}
	}
	/* What is left comes out in acceptance order. */
	while (q->n) {
		struct mbox_recv a;
		unsigned char b[MAXLEN];

		memset(&a, 0, sizeof(a));
		a.id = id;
		a.flags = MBOX_NONBLOCK;
		a.buf = (__u64)(uintptr_t)b;
		a.len = sizeof(b);
		ASSERT_EQ((int)q->m[0].len, ioc_recv(self->fd, &a));
		ASSERT_EQ(q->m[0].seq, a.seq);
		model_del(q, 0);
	}
}

/* A blocked receiver: its call and what came of it. */
struct rx {
	struct sel s;
	__u32 flags;	/* MBOX_RECV_PEEK, MBOX_RECV_TRUNC */
	__u32 size;
	/* shared with the child */
	int done;
	int ret;
	long tag;
	__u64 seq;
	__u64 len;
	__u64 msg_len;
};

static void __attribute__((noreturn)) rx_child(int fd, __u32 id, struct rx *r)
{
	unsigned char b[MAXLEN];
	struct mbox_recv a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.id = id;
	a.flags = r->s.mode | r->flags;
	a.type = r->s.type;
	a.buf = (__u64)(uintptr_t)b;
	a.len = r->size;
	ret = ioc_recv(fd, &a);
	r->ret = ret < 0 ? ret : 0;
	r->tag = ret >= 4 ? pmsg_seq(b, ret) : -1;
	r->seq = a.seq;
	r->len = a.len;
	r->msg_len = a.msg_len;
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	_exit(0);
}

/* What the model says receiver @r gets of message (@tag, @seq, @len). */
struct rx_want {
	bool done;
	int ret;
	long tag;
	__u64 seq;
	__u64 len;
};

static void rx_round(struct __test_metadata *_metadata, int fd, __u32 cap,
		     struct rx *rx)
{
	struct rx_want want[NRX];
	pid_t pid[NRX];
	__u32 id, queued = 0, waiting = NRX, tag, type, len, i, m;
	__u64 seq = 0;
	int ret, taker;

	id = NEW_MBOX(fd, cap, MAXLEN);
	memset(want, 0, sizeof(want));
	for (i = 0; i < NRX; i++) {
		memset(&rx[i], 0, sizeof(rx[i]));
		rx[i].s = rnd_sel();
		rx[i].size = rnd(2) ? 8 : MAXLEN;
		rx[i].flags = !rnd(6) ? MBOX_RECV_PEEK :
			      !rnd(5) ? MBOX_RECV_TRUNC : 0;
		pid[i] = mbox_fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i])
			rx_child(fd, id, &rx[i]);
		ASSERT_BLOCKED(fd, id, 0, i + 1);
	}
	for (m = 0; m < 2 * NRX && waiting; m++) {
		tag = 100 + m;
		type = types[1 + rnd(3)];
		len = rnd(2) ? 4 : 32;
		/* The first receiver that would take it: selects, fits. */
		taker = -1;
		for (i = 0; i < NRX && taker < 0; i++)
			if (!want[i].done && selects(&rx[i].s, type) &&
			    !(rx[i].flags & MBOX_RECV_PEEK) &&
			    (len <= rx[i].size ||
			     (rx[i].flags & MBOX_RECV_TRUNC)))
				taker = i;
		ret = send_tagged(fd, id, tag, type, len);
		if (taker < 0 && queued == cap) {
			/* Refused, and no receiver sees anything. */
			ASSERT_EQ(-EAGAIN, ret) TH_LOG("message %u", m);
			ASSERT_BLOCKED(fd, id, 0, waiting);
			continue;
		}
		ASSERT_EQ(0, ret) TH_LOG("message %u", m);
		seq++;
		for (i = 0; i < NRX; i++) {
			if (want[i].done || !selects(&rx[i].s, type))
				continue;
			want[i].done = true;
			waiting--;
			if ((len <= rx[i].size ||
			     (rx[i].flags & MBOX_RECV_TRUNC))) {
				want[i].tag = tag;
				want[i].seq = seq;
				want[i].len = len < rx[i].size ? len :
					      rx[i].size;
			} else {
				want[i].ret = -EMSGSIZE;
				want[i].len = len;
			}
			if ((int)i == taker)
				break;
		}
		if (taker < 0)
			queued++;
		ASSERT_BLOCKED(fd, id, 0, waiting);
	}
	/* The rest fail when the mailbox goes. */
	ASSERT_EQ(0, mbox_del(fd, id));
	for (i = 0; i < NRX; i++) {
		EXPECT_EQ(0, mbox_child_result(pid[i], PWAIT_MS));
		ASSERT_TRUE(__atomic_load_n(&rx[i].done, __ATOMIC_ACQUIRE));
		if (!want[i].done) {
			EXPECT_EQ(-EIDRM, rx[i].ret) TH_LOG("receiver %u", i);
			continue;
		}
		EXPECT_EQ(want[i].ret, rx[i].ret)
			TH_LOG("receiver %u (mode 0x%x type %u flags 0x%x size %u)",
			       i, rx[i].s.mode, rx[i].s.type, rx[i].flags,
			       rx[i].size);
		EXPECT_EQ(want[i].len, rx[i].len) TH_LOG("receiver %u", i);
		if (want[i].ret)
			continue;
		EXPECT_EQ(want[i].seq, rx[i].seq) TH_LOG("receiver %u", i);
		if (want[i].len >= 4)
			EXPECT_EQ(want[i].tag, rx[i].tag)
				TH_LOG("receiver %u", i);
	}
}

/*
 * Receivers of every kind blocked in a known order (any type, one type,
 * all but one; peeking, truncating, too small), then messages sent: each
 * message goes to the first of them that selects it and can take it, after
 * completing the peekers and too-small receivers before it that select
 * it; a message nobody can take is queued, or with no room refused
 * without touching anyone.
 */
TEST_F_TIMEOUT(select, messages_go_to_the_first_receiver_that_takes_them,
	       SEL_TIMEOUT)
{
	struct rx *rx = mmap(NULL, NRX * sizeof(*rx), PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int r;

	ASSERT_NE(MAP_FAILED, rx);
	rnd_state = 1400;
	for (r = 0; r < ROUNDS && _metadata->passed; r++) {
		rx_round(_metadata, self->fd, 0, rx);
		rx_round(_metadata, self->fd, 2, rx);
	}
	munmap(rx, NRX * sizeof(*rx));
}

static void tx_round(struct __test_metadata *_metadata, int fd, __u32 cap,
		     struct pout *out)
{
	struct qmsg q[CAP], s[NTX];
	struct pcall c;
	pid_t pid[NTX];
	__u32 id, nq = 0, ns = 0, i, k, tag = 0;
	int j, found, op, got[NTX];
	long ret;

	id = NEW_MBOX(fd, cap, PMSG_BUF);
	for (i = 0; i < cap; i++) {
		q[nq] = (struct qmsg){ ++tag, types[1 + rnd(3)], 0, PMSG_LEN };
		ASSERT_EQ(0, pmsg_send(fd, id, q[nq].tag, MBOX_NONBLOCK, 0,
				       q[nq].type));
		nq++;
	}
	for (i = 0; i < NTX; i++) {
		s[i] = (struct qmsg){ ++tag, types[1 + rnd(3)], i, PMSG_LEN };
		c = (struct pcall){ .id = id, .seq = s[i].tag,
				    .type = s[i].type };
		pid[i] = PSPAWN_BLOCKED(fd, &c, &out[i], i + 1, 0);
		got[i] = 0;
	}
	ns = NTX;
	for (op = 0; op < 2 * NTX; op++) {
		struct sel sl = rnd_sel();
		struct mbox_recv a;

		found = -1;
		for (k = 0; k < nq && found < 0; k++)
			if (selects(&sl, q[k].type))
				found = k;
		ret = pmsg_recv(fd, id, MBOX_NONBLOCK | sl.mode, 0, sl.type,
				&a);
		if (found >= 0) {
			ASSERT_EQ((long)q[found].tag, ret) TH_LOG("op %d", op);
			memmove(&q[found], &q[found + 1],
				(nq - found - 1) * sizeof(q[0]));
			nq--;
			/* The freed slot goes to the longest-waiting sender. */
			if (ns) {
				q[nq++] = s[0];
				got[s[0].seq] = 1;
				memmove(&s[0], &s[1], (ns - 1) * sizeof(s[0]));
				ns--;
			}
		} else {
			for (k = 0; k < ns && found < 0; k++)
				if (selects(&sl, s[k].type))
					found = k;
			if (found < 0) {
				ASSERT_EQ(-EAGAIN, ret) TH_LOG("op %d", op);
				continue;
			}
			ASSERT_EQ((long)s[found].tag, ret) TH_LOG("op %d", op);
			got[s[found].seq] = 1;
			memmove(&s[found], &s[found + 1],
				(ns - found - 1) * sizeof(s[0]));
			ns--;
		}
		ASSERT_BLOCKED(fd, id, ns, 0);
	}
	ASSERT_EQ(0, mbox_del(fd, id));
	for (j = 0; j < NTX; j++)
		EXPECT_CHILD(got[j] ? 0 : EIDRM, pid[j], "sender %d", j);
}

/*
 * Senders of several types blocked in a known order behind a full
 * mailbox, or on one of capacity 0: selective receives take the oldest
 * selected queued message, else the oldest selected waiting sender's; a
 * freed slot goes to the longest-waiting sender whatever its type.
 */
TEST_F_TIMEOUT(select, selective_receives_serve_waiting_senders_in_order,
	       SEL_TIMEOUT)
{
	struct pout *out = pouts_new(NTX);
	int r;

	ASSERT_NE(NULL, out);
	rnd_state = 140;
	for (r = 0; r < ROUNDS && _metadata->passed; r++) {
		tx_round(_metadata, self->fd, 0, out);
		tx_round(_metadata, self->fd, 3, out);
	}
	munmap(out, NTX * sizeof(*out));
}

TEST_HARNESS_MAIN
