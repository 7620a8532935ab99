// SPDX-License-Identifier: GPL-2.0
/*
 * What a call leaves behind besides its result, as Documentation/mbox.rst
 * ("Failed calls") and the uapi header state it:
 *
 * - a send that fails after it began to wait (timeout, signal, destroy) may
 *   already have completed blocked receivers whose buffers were too small
 *   (EMSGSIZE) and blocked peekers (a copy with seq 0), and its message may
 *   have been peeked at while it waited; a send that fails without waiting
 *   touches no waiter;
 * - a receive that fails with EFAULT after taking its message, or being
 *   handed it, leaves last_recv_pid and last_recv_ns set, and puts the
 *   message back (into the queue even at capacity 0);
 * - a peek updates neither last_recv_pid, last_recv_ns nor recv_msgs;
 * - a waiter completed on its behalf (by a capacity raise, by a send) no
 *   longer counts in blocked_senders or blocked_receivers, whether or not
 *   it has run since;
 * - the in fields of _IOWR structs are written back as they were given.
 */
#define _GNU_SOURCE

#include <sched.h>

#include "mbox_util.h"

#define MSG_LEN		16
#define WAIT_MS		5000
#define SHORT_NS	300000000ULL	/* a wait meant to time out */

/* What a child receiver (or peeker) got. */
struct kid_out {
	int ret;
	struct mbox_recv r;
	unsigned char buf[MSG_LEN];
};

FIXTURE(fx) {
	int fd;
	struct kid_out *out;	/* 2 of them, shared with children */
};

FIXTURE_SETUP(fx)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	self->out = mbox_shared_mem(2 * sizeof(*self->out));
	ASSERT_NE(NULL, self->out);
}

FIXTURE_TEARDOWN(fx)
{
	mbox_cleanup(self->fd);
	if (self->out)
		munmap(self->out, 2 * sizeof(*self->out));
}

static struct mbox_stat stat_of(int fd, __u32 id)
{
	struct mbox_stat st;

	if (mbox_stat_id(fd, id, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

/*
 * Keep the caller on CPU 0 and, for a child, below every normal task
 * (SCHED_IDLE): then a child the parent's call completes does not run until
 * the parent sleeps, so what the parent reads right after its call is what
 * the module shows before the completed waiter has run.  0 or -errno.
 */
static int pin_cpu0(bool idle)
{
	struct sched_param sp = { 0 };
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	if (idle && sched_setscheduler(0, SCHED_IDLE, &sp))
		return -errno;
	return 0;
}

/* A child that receives once from @id with @flags into a @len-byte buffer. */
static pid_t spawn_receiver(struct __test_metadata *_metadata, int fd,
			    __u32 id, __u32 flags, __u32 type, __u64 len,
			    struct kid_out *o)
{
	pid_t pid;

	memset(o, 0, sizeof(*o));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		o->r.id = id;
		o->r.flags = flags;
		o->r.type = type;
		o->r.buf = (__u64)(uintptr_t)o->buf;
		o->r.len = len;
		o->ret = ioc_recv(fd, &o->r);
		_exit(mbox_exit_code(o->ret));
	}
	return pid;
}

/* A send of MSG_LEN bytes of pattern @seq, type @type, with @flags. */
static int tsend(int fd, __u32 id, __u32 seq, __u32 type, __u32 flags,
		 __u64 timeout_ns)
{
	unsigned char b[MSG_LEN];
	struct mbox_send s = {
		.id = id,
		.flags = flags,
		.buf = (__u64)(uintptr_t)b,
		.len = sizeof(b),
		.timeout_ns = timeout_ns,
		.type = type,
	};

	mbox_fill(b, sizeof(b), seq);
	return ioc_send(fd, &s);
}

/* A non-blocking receive or peek of anything; its length or -errno. */
static int tpeek(int fd, __u32 id, __u32 flags, struct mbox_recv *r,
		 void *buf)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->flags = flags | MBOX_NONBLOCK;
	r->buf = (__u64)(uintptr_t)buf;
	r->len = MSG_LEN;
	return ioc_recv(fd, r);
}

TEST_F(fx, a_send_that_times_out_may_have_completed_a_short_receiver_with_emsgsize)
{
	__u32 id = NEW_MBOX(self->fd, 0, MSG_LEN);
	struct kid_out *o = &self->out[0];
	struct mbox_stat st;
	pid_t pid;

	pid = spawn_receiver(_metadata, self->fd, id, 0, 0, 4, o);
	ASSERT_WAITERS(self->fd, id, 0, 1);
	EXPECT_EQ(-ETIMEDOUT, tsend(self->fd, id, 1, 0, MBOX_TIMEOUT, SHORT_NS));
	EXPECT_EQ(EMSGSIZE, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(-EMSGSIZE, o->ret);
	EXPECT_EQ((__u64)MSG_LEN, o->r.len);
	EXPECT_EQ((__u64)MSG_LEN, o->r.msg_len);
	/* Nothing was sent or received. */
	st = stat_of(self->fd, id);
	EXPECT_EQ(0ULL, st.sent_msgs);
	EXPECT_EQ(0ULL, st.recv_msgs);
	EXPECT_EQ(0U, st.blocked_senders);
	EXPECT_EQ(0U, st.blocked_receivers);
}

TEST_F(fx, a_send_that_times_out_may_have_given_a_blocked_peeker_a_copy_with_seq_0)
{
	__u32 id = NEW_MBOX(self->fd, 0, MSG_LEN);
	struct kid_out *o = &self->out[0];
	unsigned char b[MSG_LEN];
	struct mbox_recv r;
	pid_t pid;

	pid = spawn_receiver(_metadata, self->fd, id, MBOX_RECV_PEEK, 0,
			     MSG_LEN, o);
	ASSERT_WAITERS(self->fd, id, 0, 1);
	EXPECT_EQ(-ETIMEDOUT, tsend(self->fd, id, 7, 0, MBOX_TIMEOUT, SHORT_NS));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(MSG_LEN, o->ret);
	EXPECT_EQ(0ULL, o->r.seq);
	EXPECT_EQ(-1, mbox_check(o->buf, MSG_LEN, 7));
	/* The message the peeker saw was never sent. */
	EXPECT_EQ(-EAGAIN, tpeek(self->fd, id, 0, &r, b));
	EXPECT_EQ(0ULL, stat_of(self->fd, id).sent_msgs);
}

TEST_F(fx, in_a_buffered_mailbox_a_send_that_waits_can_complete_a_typed_short_receiver)
{
	__u32 id = NEW_MBOX(self->fd, 1, MSG_LEN);
	struct kid_out *o = &self->out[0];
	struct mbox_stat st;
	pid_t pid;

	ASSERT_EQ(0, tsend(self->fd, id, 1, 1, MBOX_NONBLOCK, 0));	/* full */
	pid = spawn_receiver(_metadata, self->fd, id, MBOX_RECV_TYPE, 2, 4, o);
	ASSERT_WAITERS(self->fd, id, 0, 1);
	EXPECT_EQ(-ETIMEDOUT, tsend(self->fd, id, 2, 2, MBOX_TIMEOUT, SHORT_NS));
	EXPECT_EQ(EMSGSIZE, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ((__u64)MSG_LEN, o->r.len);
	st = stat_of(self->fd, id);
	EXPECT_EQ(1ULL, st.sent_msgs);
	EXPECT_EQ(1U, st.msgs);
}

TEST_F(fx, a_send_that_fails_without_waiting_leaves_blocked_receivers_alone)
{
	__u32 id = NEW_MBOX(self->fd, 0, MSG_LEN);
	struct kid_out *o = self->out;
	pid_t short_rx, peeker;

	short_rx = spawn_receiver(_metadata, self->fd, id, 0, 0, 4, &o[0]);
	ASSERT_WAITERS(self->fd, id, 0, 1);
	peeker = spawn_receiver(_metadata, self->fd, id, MBOX_RECV_PEEK, 0,
				MSG_LEN, &o[1]);
	ASSERT_WAITERS(self->fd, id, 0, 2);

	EXPECT_EQ(-EAGAIN, tsend(self->fd, id, 1, 0, MBOX_NONBLOCK, 0));
	EXPECT_EQ(-ETIMEDOUT, tsend(self->fd, id, 2, 0, MBOX_TIMEOUT, 0));
	EXPECT_EQ(-ETIMEDOUT, tsend(self->fd, id, 3, 0, MBOX_TIMEOUT_ABS, 1));
	mbox_msleep(50);
	EXPECT_EQ(2U, stat_of(self->fd, id).blocked_receivers);
	EXPECT_TRUE(mbox_alive(short_rx));
	EXPECT_TRUE(mbox_alive(peeker));

	ASSERT_EQ(0, mbox_del(self->fd, id));
	EXPECT_EQ(EIDRM, mbox_child_result(short_rx, WAIT_MS));
	EXPECT_EQ(EIDRM, mbox_child_result(peeker, WAIT_MS));
}

TEST_F(fx, a_peek_at_a_waiting_senders_message_reports_seq_0_and_the_send_may_still_fail)
{
	__u32 id = NEW_MBOX(self->fd, 0, MSG_LEN);
	unsigned char b[MSG_LEN];
	struct mbox_recv r;
	pid_t pid;

	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mbox_exit_code(tsend(self->fd, id, 9, 0, MBOX_TIMEOUT,
					   1000000000ULL)));
	ASSERT_WAITERS(self->fd, id, 1, 0);
	ASSERT_EQ(MSG_LEN, tpeek(self->fd, id, MBOX_RECV_PEEK, &r, b));
	EXPECT_EQ(0ULL, r.seq);
	EXPECT_EQ(-1, mbox_check(b, MSG_LEN, 9));
	/* A receiver too small for it is told its length, and it stays. */
	r.len = 4;
	r.flags = MBOX_NONBLOCK;
	EXPECT_EQ(-EMSGSIZE, ioc_recv(self->fd, &r));
	EXPECT_EQ((__u64)MSG_LEN, r.len);
	EXPECT_EQ(ETIMEDOUT, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(-EAGAIN, tpeek(self->fd, id, MBOX_RECV_PEEK, &r, b));
	EXPECT_EQ(0ULL, stat_of(self->fd, id).sent_msgs);
}

TEST_F(fx, a_peek_updates_neither_last_recv_pid_last_recv_ns_nor_recv_msgs)
{
	__u32 id = NEW_MBOX(self->fd, 2, MSG_LEN);
	struct kid_out *o = &self->out[0];
	unsigned char b[MSG_LEN];
	struct mbox_stat st;
	struct mbox_recv r;
	pid_t pid;

	/* A peek of a queued message. */
	ASSERT_EQ(0, tsend(self->fd, id, 1, 0, MBOX_NONBLOCK, 0));
	ASSERT_EQ(MSG_LEN, tpeek(self->fd, id, MBOX_RECV_PEEK, &r, b));
	st = stat_of(self->fd, id);
	EXPECT_EQ(0, st.last_recv_pid);
	EXPECT_EQ(0ULL, st.last_recv_ns);
	EXPECT_EQ(0ULL, st.recv_msgs);
	EXPECT_EQ(0ULL, st.recv_bytes);

	/* A blocked peeker completed by a send. */
	ASSERT_EQ(MSG_LEN, tpeek(self->fd, id, 0, &r, b));
	pid = spawn_receiver(_metadata, self->fd, id, MBOX_RECV_PEEK, 0,
			     MSG_LEN, o);
	ASSERT_WAITERS(self->fd, id, 0, 1);
	st = stat_of(self->fd, id);
	ASSERT_EQ(0, tsend(self->fd, id, 2, 0, MBOX_NONBLOCK, 0));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(MSG_LEN, o->ret);
	{
		struct mbox_stat after = stat_of(self->fd, id);

		EXPECT_EQ(st.last_recv_pid, after.last_recv_pid);
		EXPECT_EQ(getpid(), after.last_recv_pid);
		EXPECT_EQ(st.last_recv_ns, after.last_recv_ns);
		EXPECT_EQ(1ULL, after.recv_msgs);
		EXPECT_EQ(1U, after.msgs);
	}
}

TEST_F(fx, a_recv_that_fails_with_efault_sets_last_recv_pid_and_ns_and_nothing_else)
{
	__u32 id = NEW_MBOX(self->fd, 2, MSG_LEN);
	unsigned char b[MSG_LEN];
	struct mbox_stat st;
	struct mbox_recv r;
	void *hole;
	__u64 t0;

	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, tsend(self->fd, id, 1, 0, MBOX_NONBLOCK, 0));
	t0 = mbox_now_ns();
	ASSERT_EQ(-EFAULT, tpeek(self->fd, id, 0, &r, hole));
	st = stat_of(self->fd, id);
	EXPECT_EQ(getpid(), st.last_recv_pid);
	EXPECT_LE(t0, st.last_recv_ns);
	EXPECT_EQ(0ULL, st.recv_msgs);
	EXPECT_EQ(0ULL, st.recv_bytes);
	EXPECT_EQ(1U, st.msgs);
	EXPECT_EQ((__u64)MSG_LEN, st.bytes);
	/* The message stayed, and is received whole. */
	ASSERT_EQ(MSG_LEN, tpeek(self->fd, id, 0, &r, b));
	EXPECT_EQ(1ULL, r.seq);
	EXPECT_EQ(-1, mbox_check(b, MSG_LEN, 1));
	munmap(hole, 4096);
}

TEST_F(fx, a_blocked_receiver_whose_copy_faults_leaves_a_rendezvous_holding_the_message)
{
	__u32 id = NEW_MBOX(self->fd, 0, MSG_LEN);
	unsigned char b[MSG_LEN];
	struct mbox_stat st;
	struct mbox_recv r;
	void *hole;
	pid_t pid;

	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mbox_recv cr = {
			.id = id,
			.buf = (__u64)(uintptr_t)hole,
			.len = MSG_LEN,
		};

		_exit(mbox_exit_code(ioc_recv(self->fd, &cr)));
	}
	ASSERT_WAITERS(self->fd, id, 0, 1);
	/* Handed to the receiver: the send succeeds. */
	ASSERT_EQ(0, tsend(self->fd, id, 5, 0, MBOX_NONBLOCK, 0));
	EXPECT_EQ(EFAULT, mbox_child_result(pid, WAIT_MS));
	st = stat_of(self->fd, id);
	EXPECT_EQ(pid, st.last_recv_pid);
	EXPECT_EQ(0ULL, st.recv_msgs);
	EXPECT_EQ(1ULL, st.sent_msgs);
	EXPECT_EQ(1U, st.msgs);		/* above capacity 0 */
	ASSERT_EQ(MSG_LEN, tpeek(self->fd, id, 0, &r, b));
	EXPECT_EQ(1ULL, r.seq);
	EXPECT_EQ(-1, mbox_check(b, MSG_LEN, 5));
	EXPECT_EQ(0U, stat_of(self->fd, id).msgs);
	munmap(hole, 4096);
}

TEST_F(fx, a_peek_that_fails_with_efault_leaves_last_recv_alone)
{
	__u32 id = NEW_MBOX(self->fd, 2, MSG_LEN);
	struct mbox_stat st;
	struct mbox_recv r;
	void *hole;

	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, tsend(self->fd, id, 1, 0, MBOX_NONBLOCK, 0));
	ASSERT_EQ(-EFAULT, tpeek(self->fd, id, MBOX_RECV_PEEK, &r, hole));
	st = stat_of(self->fd, id);
	EXPECT_EQ(0, st.last_recv_pid);
	EXPECT_EQ(0ULL, st.last_recv_ns);
	EXPECT_EQ(1U, st.msgs);
	munmap(hole, 4096);
}

TEST_F(fx, a_sender_a_capacity_raise_completes_leaves_blocked_senders_at_once)
{
	__u32 id = NEW_MBOX(self->fd, 1, MSG_LEN);
	struct mbox_set set = {
		.id = id,
		.flags = MBOX_SET_CAPACITY,
		.capacity = 2,
	};
	struct mbox_stat st;
	pid_t pid;

	ASSERT_EQ(0, tsend(self->fd, id, 1, 0, MBOX_NONBLOCK, 0));
	ASSERT_EQ(0, pin_cpu0(false));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mbox_exit_code(pin_cpu0(true) ?:
				     tsend(self->fd, id, 2, 0, 0, 0)));
	ASSERT_WAITERS(self->fd, id, 1, 0);
	ASSERT_EQ(0, mbox_ioctl(self->fd, MBOX_IOC_SET, &set));
	/* Read before the sender has run again: it counts no more. */
	st = stat_of(self->fd, id);
	EXPECT_EQ(0U, st.blocked_senders);
	EXPECT_EQ(2U, st.msgs);
	EXPECT_EQ(2ULL, st.sent_msgs);
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
}

TEST_F(fx, a_receiver_a_send_completes_leaves_blocked_receivers_at_once)
{
	__u32 id = NEW_MBOX(self->fd, 0, MSG_LEN);
	struct kid_out *o = &self->out[0];
	struct mbox_stat st;
	pid_t pid;

	ASSERT_EQ(0, pin_cpu0(false));
	memset(o, 0, sizeof(*o));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		o->r.id = id;
		o->r.buf = (__u64)(uintptr_t)o->buf;
		o->r.len = MSG_LEN;
		o->ret = pin_cpu0(true) ?: ioc_recv(self->fd, &o->r);
		_exit(mbox_exit_code(o->ret));
	}
	ASSERT_WAITERS(self->fd, id, 0, 1);
	ASSERT_EQ(0, tsend(self->fd, id, 1, 0, MBOX_NONBLOCK, 0));
	/* Read before the receiver has run again: it counts no more. */
	st = stat_of(self->fd, id);
	EXPECT_EQ(0U, st.blocked_receivers);
	EXPECT_EQ(1ULL, st.recv_msgs);
	EXPECT_EQ(pid, st.last_recv_pid);
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(MSG_LEN, o->ret);
}

TEST_F(fx, recv_writes_its_in_fields_back_as_given)
{
	__u32 id = NEW_MBOX(self->fd, 2, MSG_LEN);
	unsigned char b[MSG_LEN];
	struct mbox_recv r = {
		.id = id,
		.flags = MBOX_TIMEOUT | MBOX_RECV_TYPE | MBOX_RECV_TRUNC,
		.buf = (__u64)(uintptr_t)b,
		.len = 4,
		.timeout_ns = 123456789,
		.type = 5,
	};

	ASSERT_EQ(0, tsend(self->fd, id, 1, 5, MBOX_NONBLOCK, 0));
	ASSERT_EQ(4, ioc_recv(self->fd, &r));
	EXPECT_EQ(id, r.id);
	EXPECT_EQ(MBOX_TIMEOUT | MBOX_RECV_TYPE | MBOX_RECV_TRUNC, r.flags);
	EXPECT_EQ((__u64)(uintptr_t)b, r.buf);
	EXPECT_EQ(123456789ULL, r.timeout_ns);
	EXPECT_EQ(0U, r.__reserved);
	/* The in/out fields are replaced. */
	EXPECT_EQ(4ULL, r.len);
	EXPECT_EQ(5U, r.type);
	EXPECT_EQ((__u64)MSG_LEN, r.msg_len);
}

TEST_F(fx, stat_and_lookup_write_their_in_fields_back_as_given)
{
	static const char name[] = "effects-writeback";
	struct mbox_create c = {
		.capacity = 1,
		.max_msg_size = MSG_LEN,
		.name = (__u64)(uintptr_t)name,
	};
	struct mbox_lookup l = { .name = (__u64)(uintptr_t)name };
	struct mbox_stat st;
	int id;

	id = ioc_create(self->fd, &c);
	ASSERT_LT(0, id);
	mbox_track(id);

	memset(&st, 0, sizeof(st));
	st.id = 1;
	st.flags = MBOX_STAT_NEXT;
	while (ioc_stat(self->fd, &st) == 0 && st.id != (__u32)id)
		st.id++;
	ASSERT_EQ((__u32)id, st.id);
	EXPECT_EQ(MBOX_STAT_NEXT, st.flags);

	ASSERT_EQ(id, mbox_ioctl(self->fd, MBOX_IOC_LOOKUP, &l));
	EXPECT_EQ((__u64)(uintptr_t)name, l.name);
	EXPECT_EQ(0U, l.flags);
	EXPECT_EQ((__u32)id, l.id);
}

TEST_F(fx, batch_header_in_fields_are_written_back_as_given)
{
	__u32 id = NEW_MBOX(self->fd, 4, MSG_LEN);
	unsigned char b[2][MSG_LEN];
	struct mbox_batch_msg v[2];
	struct mbox_batch bt = {
		.id = id,
		.flags = MBOX_TIMEOUT | MBOX_RECV_TYPE,
		.msgs = (__u64)(uintptr_t)v,
		.count = 2,
		.type = 3,
		.timeout_ns = 1000000,
	};
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, tsend(self->fd, id, i, 3, MBOX_NONBLOCK, 0));
		memset(&v[i], 0, sizeof(v[i]));
		v[i].buf = (__u64)(uintptr_t)b[i];
		v[i].len = MSG_LEN;
	}
	ASSERT_EQ(2, mbox_ioctl(self->fd, MBOX_IOC_RECV_BATCH, &bt));
	EXPECT_EQ(id, bt.id);
	EXPECT_EQ(MBOX_TIMEOUT | MBOX_RECV_TYPE, bt.flags);
	EXPECT_EQ((__u64)(uintptr_t)v, bt.msgs);
	EXPECT_EQ(2U, bt.count);
	EXPECT_EQ(3U, bt.type);
	EXPECT_EQ(1000000ULL, bt.timeout_ns);
	EXPECT_EQ(2U, bt.done);
	EXPECT_EQ(0U, bt.error);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ((__u64)(uintptr_t)b[i], v[i].buf);
		EXPECT_EQ(0U, v[i].__reserved);
	}
}

TEST_HARNESS_MAIN
