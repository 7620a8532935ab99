// SPDX-License-Identifier: GPL-2.0
/*
 * mbox ordering tests: waiters are served strictly in the order they began
 * to wait, and a newcomer never overtakes one (include/uapi/linux/mbox.h,
 * "Ordering and waiting").
 *
 * Each test starts NR waiting children one at a time and, before starting
 * the next, waits until STAT's blocked_senders or blocked_receivers has
 * gone up by one: so the order in which they wait is known.  Then the
 * parent serves them, and each child reports in shared memory what it got;
 * or the parent receives and checks what order the messages come in.
 *
 * MBOX_ORDER_REPEAT=N in the environment runs each test's round N times in
 * a row (each on a new mailbox), to catch an order that holds only by luck.
 */
#define _GNU_SOURCE
#include <limits.h>

#include "proc_util.h"

#define NR		6	/* waiters per round */
#define NOUT		(NR + 2)
#define ORDER_TIMEOUT	120	/* seconds: MBOX_ORDER_REPEAT=100 takes ~5 */

struct order_data {
	int fd;
	int repeat;
	struct pout *out;
};

static int order_repeat(void)
{
	const char *s = getenv("MBOX_ORDER_REPEAT");
	long n;

	if (!s || !*s)
		return 1;
	n = strtol(s, NULL, 10);
	if (n < 1)
		return 1;
	return n > 100000 ? 100000 : (int)n;
}

/* Open /dev/mbox, skip unless the module has @features, set up. */
#define ORDER_SETUP(d, features) do {					\
	MBOX_OPEN_OR_SKIP(&(d)->fd);					\
	REQUIRE_FEATURES((d)->fd, MBOX_FEATURE_FIFO_WAITERS |		\
			 MBOX_FEATURE_STAT_EXT | (features));		\
	(d)->out = pouts_new(NOUT);					\
	ASSERT_NE(NULL, (d)->out);					\
	(d)->repeat = order_repeat();					\
	if ((d)->repeat > 1)						\
		TH_LOG("%d rounds (MBOX_ORDER_REPEAT)", (d)->repeat);	\
} while (0)

static void odata_teardown(struct order_data *d)
{
	mbox_cleanup(d->fd);
	if (d->out)
		munmap(d->out, NOUT * sizeof(*d->out));
}

/* Mailboxes of capacity > 0. */
FIXTURE(order) {
	struct order_data d;
};

FIXTURE_SETUP(order)
{
	ORDER_SETUP(&self->d, 0);
}

FIXTURE_TEARDOWN(order)
{
	odata_teardown(&self->d);
}

/* Capacity 0: skipped alone when the module lacks it. */
FIXTURE(order_rdv) {
	struct order_data d;
};

FIXTURE_SETUP(order_rdv)
{
	ORDER_SETUP(&self->d, MBOX_FEATURE_RENDEZVOUS);
}

FIXTURE_TEARDOWN(order_rdv)
{
	odata_teardown(&self->d);
}

/* Types: likewise. */
FIXTURE(order_types) {
	struct order_data d;
};

FIXTURE_SETUP(order_types)
{
	ORDER_SETUP(&self->d, MBOX_FEATURE_TYPES);
}

FIXTURE_TEARDOWN(order_types)
{
	odata_teardown(&self->d);
}

/*
 * Run @round (a block using @rep) self->d.repeat times, stopping at the first
 * failed round.
 */
#define ROUNDS(rep)							\
	for ((rep) = 0; (rep) < self->d.repeat &&			\
	     ((rep) == 0 || _metadata->passed); (rep)++)

#define LOG_ROUND(rep) do {						\
	if (!_metadata->passed)						\
		TH_LOG("failed in round %d of %d", rep + 1,		\
		       self->d.repeat);					\
} while (0)

static void expect_queue(struct __test_metadata *_metadata, int fd, __u32 id,
			 __u32 msgs, __u32 senders, __u32 receivers)
{
	struct mbox_stat st;

	ASSERT_EQ(0, mbox_stat_id(fd, id, &st));
	EXPECT_EQ(msgs, st.msgs);
	EXPECT_EQ(senders, st.blocked_senders);
	EXPECT_EQ(receivers, st.blocked_receivers);
}

static struct pcall sender(__u32 id, __u32 seq, __u32 type)
{
	return (struct pcall){ .id = id, .seq = seq, .type = type };
}

static struct pcall receiver(__u32 id, __u32 flags, __u32 type)
{
	return (struct pcall){
		.recv = true, .id = id, .flags = flags, .type = type,
	};
}

/* Make the mailbox of one round. */
static __u32 round_mbox(struct __test_metadata *_metadata, int fd,
			__u32 capacity)
{
	return __mbox_new_tracked(_metadata, fd, capacity, PMSG_BUF);
}

/* End a round: destroy its mailbox. */
static void end_round(struct __test_metadata *_metadata, int fd, __u32 id)
{
	ASSERT_EQ(0, mbox_del(fd, id));
}

/*
 * NR receivers blocked in a known order on an empty mailbox; NR messages
 * sent: receiver i must get message i.
 */
static void receivers_round(struct __test_metadata *_metadata, int fd,
			    struct pout *out, __u32 capacity)
{
	__u32 id = round_mbox(_metadata, fd, capacity);
	pid_t pid[NR];
	struct pcall c;
	int i;

	for (i = 0; i < NR; i++) {
		c = receiver(id, 0, 0);
		pid[i] = PSPAWN_BLOCKED(fd, &c, &out[i], 0, i + 1);
	}
	for (i = 0; i < NR; i++) {
		/* A receiver waits: even MBOX_NONBLOCK hands it over. */
		EXPECT_EQ(0, pmsg_send(fd, id, 100 + i, MBOX_NONBLOCK, 0, 0));
		expect_queue(_metadata, fd, id, 0, 0, NR - i - 1);
	}
	for (i = 0; i < NR; i++) {
		EXPECT_CHILD(0, pid[i], "receiver %d", i);
		EXPECT_EQ(100 + i, out[i].seq) TH_LOG("receiver %d", i);
	}
	end_round(_metadata, fd, id);
}

TEST_F_TIMEOUT(order, receivers_get_messages_in_the_order_they_blocked,
	       ORDER_TIMEOUT)
{
	int rep;

	ROUNDS(rep)
		receivers_round(_metadata, self->d.fd, self->d.out, 4);
	LOG_ROUND(rep - 1);
}

/*
 * A full mailbox of capacity @capacity (messages 200...), then NR senders
 * blocked in a known order with messages 0..NR-1: receiving everything
 * gives the queued messages, then the senders' in the order they blocked,
 * each sender completing when its message is taken (capacity 0) or moves
 * into the slot just freed.
 */
static void senders_round(struct __test_metadata *_metadata, int fd,
			  struct pout *out, __u32 capacity)
{
	__u32 id = round_mbox(_metadata, fd, capacity);
	__u32 total = capacity + NR, k, left;
	pid_t pid[NR];
	struct pcall c;
	long want;
	int i;

	for (k = 0; k < capacity; k++)
		ASSERT_EQ(0, pmsg_send(fd, id, 200 + k, MBOX_NONBLOCK, 0, 0));
	for (i = 0; i < NR; i++) {
		c = sender(id, i, 0);
		pid[i] = PSPAWN_BLOCKED(fd, &c, &out[i], i + 1, 0);
	}
	expect_queue(_metadata, fd, id, capacity, NR, 0);

	for (k = 0; k < total; k++) {
		want = k < capacity ? 200 + k : k - capacity;
		EXPECT_EQ(want, pmsg_recv(fd, id, MBOX_NONBLOCK, 0, 0, NULL))
			TH_LOG("receive %u of %u", k + 1, total);
		/* This receive served sender k, and no other. */
		if (k < NR)
			EXPECT_CHILD(0, pid[k], "sender %u", k);
		left = total - k - 1;
		expect_queue(_metadata, fd, id,
			     left < capacity ? left : capacity,
			     left > capacity ? left - capacity : 0, 0);
	}
	EXPECT_EQ(-EAGAIN, pmsg_recv(fd, id, MBOX_NONBLOCK, 0, 0, NULL));
	end_round(_metadata, fd, id);
}

TEST_F_TIMEOUT(order, senders_get_slots_in_the_order_they_blocked,
	       ORDER_TIMEOUT)
{
	int rep;

	ROUNDS(rep)
		senders_round(_metadata, self->d.fd, self->d.out, 3);
	LOG_ROUND(rep - 1);
}

/*
 * Senders wait on a full mailbox; a receive frees a slot, which goes to the
 * longest-waiting sender at once: a newcomer that does not wait finds the
 * mailbox full, and one that waits queues up behind the others.
 */
static void no_barging_senders_round(struct __test_metadata *_metadata,
				     int fd, struct pout *out)
{
	const long want[] = { 1, 10, 11, 12, 97 };
	__u32 id = round_mbox(_metadata, fd, 2);
	bool timeout = pfeatures(fd) & MBOX_FEATURE_TIMEOUT;
	pid_t pid[4];
	struct pcall c;
	size_t k;
	int i;

	ASSERT_EQ(0, pmsg_send(fd, id, 0, MBOX_NONBLOCK, 0, 0));
	ASSERT_EQ(0, pmsg_send(fd, id, 1, MBOX_NONBLOCK, 0, 0));
	for (i = 0; i < 3; i++) {
		c = sender(id, 10 + i, 0);
		pid[i] = PSPAWN_BLOCKED(fd, &c, &out[i], i + 1, 0);
	}

	EXPECT_EQ(0, pmsg_recv(fd, id, MBOX_NONBLOCK, 0, 0, NULL));
	/* The slot went to sender 10 already: nothing for a newcomer. */
	EXPECT_EQ(-EAGAIN, pmsg_send(fd, id, 99, MBOX_NONBLOCK, 0, 0));
	if (timeout)
		EXPECT_EQ(-ETIMEDOUT, pmsg_send(fd, id, 98, MBOX_TIMEOUT, 0,
						0));
	expect_queue(_metadata, fd, id, 2, 2, 0);
	EXPECT_CHILD(0, pid[0], "sender 10");

	c = sender(id, 97, 0);
	pid[3] = PSPAWN_BLOCKED(fd, &c, &out[3], 3, 0);
	for (k = 0; k < ARRAY_SIZE(want); k++) {
		EXPECT_EQ(want[k], pmsg_recv(fd, id, MBOX_NONBLOCK, 0, 0,
					     NULL))
			TH_LOG("receive %zu", k + 1);
		/* Each free slot is taken again at once while senders wait. */
		if (k < 2)
			EXPECT_EQ(-EAGAIN, pmsg_send(fd, id, 99, MBOX_NONBLOCK,
						     0, 0));
	}
	EXPECT_EQ(-EAGAIN, pmsg_recv(fd, id, MBOX_NONBLOCK, 0, 0, NULL));
	for (i = 1; i < 4; i++)
		EXPECT_CHILD(0, pid[i], "sender %d", i);
	end_round(_metadata, fd, id);
}

TEST_F_TIMEOUT(order, newcomer_sender_never_overtakes_a_blocked_sender,
	       ORDER_TIMEOUT)
{
	int rep;

	ROUNDS(rep)
		no_barging_senders_round(_metadata, self->d.fd, self->d.out);
	LOG_ROUND(rep - 1);
}

/*
 * Receivers wait on an empty mailbox; a message sent goes to the
 * longest-waiting one directly, so a newcomer finds nothing to take, and
 * one that waits is served after the others.
 */
static void no_barging_receivers_round(struct __test_metadata *_metadata,
				       int fd, struct pout *out)
{
	__u32 id = round_mbox(_metadata, fd, 2);
	pid_t pid[3];
	struct pcall c;
	int i;

	for (i = 0; i < 2; i++) {
		c = receiver(id, 0, 0);
		pid[i] = PSPAWN_BLOCKED(fd, &c, &out[i], 0, i + 1);
	}
	EXPECT_EQ(0, pmsg_send(fd, id, 50, MBOX_NONBLOCK, 0, 0));
	EXPECT_EQ(-EAGAIN, pmsg_recv(fd, id, MBOX_NONBLOCK, 0, 0, NULL));
	expect_queue(_metadata, fd, id, 0, 0, 1);

	c = receiver(id, 0, 0);
	pid[2] = PSPAWN_BLOCKED(fd, &c, &out[2], 0, 2);
	EXPECT_EQ(0, pmsg_send(fd, id, 51, MBOX_NONBLOCK, 0, 0));
	EXPECT_EQ(-EAGAIN, pmsg_recv(fd, id, MBOX_NONBLOCK, 0, 0, NULL));
	EXPECT_EQ(0, pmsg_send(fd, id, 52, MBOX_NONBLOCK, 0, 0));
	expect_queue(_metadata, fd, id, 0, 0, 0);
	for (i = 0; i < 3; i++) {
		EXPECT_CHILD(0, pid[i], "receiver %d", i);
		EXPECT_EQ(50 + i, out[i].seq) TH_LOG("receiver %d", i);
	}
	end_round(_metadata, fd, id);
}

TEST_F_TIMEOUT(order, newcomer_receiver_never_overtakes_a_blocked_receiver,
	       ORDER_TIMEOUT)
{
	int rep;

	ROUNDS(rep)
		no_barging_receivers_round(_metadata, self->d.fd, self->d.out);
	LOG_ROUND(rep - 1);
}

/*
 * A waiter that is stopped and continued restarts its call, and so waits
 * again from the back of the line.  Three senders (or receivers) wait; the
 * first is stopped, which takes it out of the line, and continued, which
 * puts it back last.
 */
static void stopped_waiter_round(struct __test_metadata *_metadata, int fd,
				 struct pout *out, bool senders)
{
	__u32 id = round_mbox(_metadata, fd, 1);
	const int order[] = { 1, 2, 0 };
	pid_t pid[3];
	struct pcall c;
	int i;

	if (senders)
		ASSERT_EQ(0, pmsg_send(fd, id, 100, MBOX_NONBLOCK, 0, 0));
	for (i = 0; i < 3; i++) {
		c = senders ? sender(id, i, 0) : receiver(id, 0, 0);
		pid[i] = PSPAWN_BLOCKED(fd, &c, &out[i], senders ? i + 1 : 0,
					senders ? 0 : i + 1);
	}
	ASSERT_EQ(0, pstop(pid[0]));
	expect_queue(_metadata, fd, id, senders, senders ? 2 : 0,
		     senders ? 0 : 2);
	ASSERT_EQ(0, kill(pid[0], SIGCONT));
	ASSERT_BLOCKED(fd, id, senders ? 3 : 0, senders ? 0 : 3);

	if (senders) {
		EXPECT_EQ(100, pmsg_recv(fd, id, MBOX_NONBLOCK, 0, 0, NULL));
		for (i = 0; i < 3; i++) {
			EXPECT_EQ(order[i], pmsg_recv(fd, id, MBOX_NONBLOCK, 0,
						      0, NULL))
				TH_LOG("receive %d", i + 2);
		}
	} else {
		for (i = 0; i < 3; i++)
			EXPECT_EQ(0, pmsg_send(fd, id, 50 + i, MBOX_NONBLOCK,
					       0, 0));
	}
	for (i = 0; i < 3; i++) {
		EXPECT_CHILD(0, pid[order[i]], "waiter %d", order[i]);
		if (!senders)
			EXPECT_EQ(50 + i, out[order[i]].seq)
				TH_LOG("receiver %d", order[i]);
	}
	end_round(_metadata, fd, id);
}

TEST_F_TIMEOUT(order, stopped_and_continued_sender_waits_again_at_the_back,
	       ORDER_TIMEOUT)
{
	int rep;

	ROUNDS(rep)
		stopped_waiter_round(_metadata, self->d.fd, self->d.out, true);
	LOG_ROUND(rep - 1);
}

TEST_F_TIMEOUT(order, stopped_and_continued_receiver_waits_again_at_the_back,
	       ORDER_TIMEOUT)
{
	int rep;

	ROUNDS(rep)
		stopped_waiter_round(_metadata, self->d.fd, self->d.out, false);
	LOG_ROUND(rep - 1);
}

TEST_F_TIMEOUT(order_rdv, rendezvous_receivers_get_messages_in_the_order_they_blocked,
	       ORDER_TIMEOUT)
{
	int rep;

	ROUNDS(rep)
		receivers_round(_metadata, self->d.fd, self->d.out, 0);
	LOG_ROUND(rep - 1);
}

TEST_F_TIMEOUT(order_rdv, rendezvous_senders_are_taken_in_the_order_they_blocked,
	       ORDER_TIMEOUT)
{
	int rep;

	ROUNDS(rep)
		senders_round(_metadata, self->d.fd, self->d.out, 0);
	LOG_ROUND(rep - 1);
}

/*
 * Receivers select by type, blocked in this order: type 2, type 1, type 2,
 * any, any but type 1.  Each message goes to the longest-waiting receiver
 * that selects it; one that nobody waiting selects is queued.
 */
static void typed_receivers_round(struct __test_metadata *_metadata, int fd,
				  struct pout *out)
{
	static const struct { __u32 flags, type; } sel[] = {
		{ MBOX_RECV_TYPE, 2 },
		{ MBOX_RECV_TYPE, 1 },
		{ MBOX_RECV_TYPE, 2 },
		{ 0, 0 },
		{ MBOX_RECV_EXCEPT, 1 },
	};
	/* Message i + 1 of type sent[i] goes to receiver to[i] (-1: queued). */
	static const __u32 sent[] = { 1, 2, 3, 1, 2, 5 };
	static const int to[] = { 1, 0, 3, -1, 2, 4 };
	static const __u32 left[] = { 4, 3, 2, 2, 1, 0 };
	__u32 id = round_mbox(_metadata, fd, 4);
	struct mbox_recv arg;
	pid_t pid[5];
	struct pcall c;
	int i, r;

	for (i = 0; i < 5; i++) {
		c = receiver(id, sel[i].flags, sel[i].type);
		pid[i] = PSPAWN_BLOCKED(fd, &c, &out[i], 0, i + 1);
	}
	for (i = 0; i < 6; i++) {
		EXPECT_EQ(0, pmsg_send(fd, id, i + 1, MBOX_NONBLOCK, 0,
				       sent[i]));
		expect_queue(_metadata, fd, id, i < 3 ? 0 : 1, 0, left[i]);
		r = to[i];
		if (r < 0)
			continue;
		EXPECT_CHILD(0, pid[r], "receiver %d, message %d", r, i + 1);
		EXPECT_EQ(i + 1, out[r].seq) TH_LOG("receiver %d", r);
		EXPECT_EQ(sent[i], out[r].type) TH_LOG("receiver %d", r);
	}
	EXPECT_EQ(4, pmsg_recv(fd, id, MBOX_NONBLOCK, 0, 0, &arg));
	EXPECT_EQ(1U, arg.type);
	end_round(_metadata, fd, id);
}

TEST_F_TIMEOUT(order_types, typed_receivers_get_the_first_message_they_select,
	       ORDER_TIMEOUT)
{
	int rep;

	ROUNDS(rep)
		typed_receivers_round(_metadata, self->d.fd, self->d.out);
	LOG_ROUND(rep - 1);
}

/*
 * A full mailbox (capacity 1, a type-1 message) and senders blocked in
 * this order with types 2, 3, 2: a receive selecting type 2 takes the
 * oldest waiting sender's message of that type; a receive that frees the
 * slot lets the oldest waiting sender in.
 */
static void typed_senders_round(struct __test_metadata *_metadata, int fd,
				struct pout *out)
{
	static const __u32 types[] = { 2, 3, 2 };
	__u32 id = round_mbox(_metadata, fd, 1);
	struct mbox_recv arg;
	pid_t pid[3];
	struct pcall c;
	int i;

	ASSERT_EQ(0, pmsg_send(fd, id, 100, MBOX_NONBLOCK, 0, 1));
	for (i = 0; i < 3; i++) {
		c = sender(id, i, types[i]);
		pid[i] = PSPAWN_BLOCKED(fd, &c, &out[i], i + 1, 0);
	}

	EXPECT_EQ(0, pmsg_recv(fd, id, MBOX_NONBLOCK | MBOX_RECV_TYPE, 0, 2,
			       &arg));
	EXPECT_EQ(2U, arg.type);
	EXPECT_CHILD(0, pid[0], "sender 0");
	expect_queue(_metadata, fd, id, 1, 2, 0);

	EXPECT_EQ(2, pmsg_recv(fd, id, MBOX_NONBLOCK | MBOX_RECV_TYPE, 0, 2,
			       &arg));
	EXPECT_EQ(2U, arg.type);
	EXPECT_CHILD(0, pid[2], "sender 2");
	expect_queue(_metadata, fd, id, 1, 1, 0);
	EXPECT_EQ(-EAGAIN, pmsg_recv(fd, id, MBOX_NONBLOCK | MBOX_RECV_TYPE, 0,
				     2, NULL));

	EXPECT_EQ(100, pmsg_recv(fd, id, MBOX_NONBLOCK, 0, 0, &arg));
	EXPECT_EQ(1U, arg.type);
	EXPECT_CHILD(0, pid[1], "sender 1");
	expect_queue(_metadata, fd, id, 1, 0, 0);
	EXPECT_EQ(1, pmsg_recv(fd, id, MBOX_NONBLOCK, 0, 0, &arg));
	EXPECT_EQ(3U, arg.type);
	end_round(_metadata, fd, id);
}

TEST_F_TIMEOUT(order_types, typed_receive_takes_the_oldest_matching_blocked_sender,
	       ORDER_TIMEOUT)
{
	int rep;

	ROUNDS(rep)
		typed_senders_round(_metadata, self->d.fd, self->d.out);
	LOG_ROUND(rep - 1);
}

TEST_HARNESS_MAIN
