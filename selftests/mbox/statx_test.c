// SPDX-License-Identifier: GPL-2.0
/*
 * mbox extended statistics (MBOX_FEATURE_STAT_EXT): the senders and
 * receivers waiting on a mailbox, its last sender and receiver and when
 * they came, its creation time, and the messages and bytes queued in all
 * mailboxes together (struct mbox_info).
 *
 * Waiting children are seen asleep in the ioctl through /proc, so that the
 * figures STAT reports are checked against something else than STAT.
 * Other mailboxes may hold messages: global figures are compared as deltas.
 */
#define _GNU_SOURCE

#include "mbox_util.h"

#define MSG_LEN		16
#define WAIT_MS		5000

/* What a child did. */
struct op_out {
	int done;
	int ret;
};

FIXTURE(sx) {
	int fd;
	struct mbox_info info;
	struct op_out *out;	/* 8 of them, shared with children */
	int hold[2];		/* children wait for its write end to close */
};

FIXTURE_SETUP(sx)
{
	self->hold[0] = -1;
	self->hold[1] = -1;
	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	self->out = mbox_shared_mem(8 * sizeof(*self->out));
	ASSERT_NE(NULL, self->out);
	ASSERT_EQ(0, pipe(self->hold));
}

FIXTURE_TEARDOWN(sx)
{
	if (self->hold[1] >= 0)
		close(self->hold[1]);
	mbox_cleanup(self->fd);
	if (self->out)
		munmap(self->out, 8 * sizeof(*self->out));
	if (self->hold[0] >= 0)
		close(self->hold[0]);
}

static struct mbox_stat stat_of(int fd, __u32 id)
{
	struct mbox_stat st;

	if (mbox_stat_id(fd, id, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

/*
 * A child that sends (@send) or receives once on @id with @flags, records
 * the result in @o, then, if @hold, stays until the test closes
 * self->hold[1], so that its pid still names it when STAT is read.
 */
static pid_t spawn_op(struct __test_metadata *_metadata,
		      FIXTURE_DATA(sx) *self, __u32 id, bool send,
		      __u32 flags, bool hold, struct op_out *o)
{
	unsigned char b[MSG_LEN];
	__u64 len = sizeof(b);
	pid_t pid;
	char c;

	memset(o, 0, sizeof(*o));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mbox_recv r = {
			.id = id,
			.flags = flags,
			.buf = (__u64)(uintptr_t)b,
			.len = len,
		};

		close(self->hold[1]);
		mbox_fill(b, len, getpid());
		if (send)
			o->ret = mbox_put(self->fd, id, b, len, flags);
		else
			o->ret = ioc_recv(self->fd, &r);
		__atomic_store_n(&o->done, 1, __ATOMIC_RELEASE);
		if (hold)
			while (read(self->hold[0], &c, 1) > 0)
				;
		_exit(mbox_exit_code(o->ret));
	}
	return pid;
}

/* Wait until the child that records in @o has made its call. */
static void wait_done(struct __test_metadata *_metadata, struct op_out *o)
{
	long long end = mbox_now_ms() + WAIT_MS;

	while (!__atomic_load_n(&o->done, __ATOMIC_ACQUIRE)) {
		ASSERT_GT(end, mbox_now_ms()) TH_LOG("child never done");
		mbox_msleep(1);
	}
}

/* Expect child @pid asleep in ioctl(@cmd): /proc says so, or cannot tell. */
static void expect_asleep(struct __test_metadata *_metadata, pid_t pid,
			  unsigned long cmd)
{
	int ret = mbox_wait_blocked(pid, cmd, WAIT_MS);

	ASSERT_TRUE(ret == 0 || ret == 1)
		TH_LOG("child %d did not block: %s", (int)pid, strerror(-ret));
	ASSERT_TRUE(mbox_alive(pid));
}

TEST_F(sx, new_mailbox_has_no_waiters_no_last_peers_and_its_create_time)
{
	__u64 t0, t1;
	struct mbox_stat st;
	__u32 id;

	t0 = mbox_now_ns();
	id = NEW_MBOX(self->fd, 3, MSG_LEN);
	t1 = mbox_now_ns();
	memset(&st, 0xff, sizeof(st));
	st.id = id;
	st.flags = 0;
	ASSERT_EQ(0, ioc_stat(self->fd, &st));
	EXPECT_EQ(0U, st.blocked_senders);
	EXPECT_EQ(0U, st.blocked_receivers);
	EXPECT_EQ(0, st.last_send_pid);
	EXPECT_EQ(0, st.last_recv_pid);
	EXPECT_EQ(0ULL, st.last_send_ns);
	EXPECT_EQ(0ULL, st.last_recv_ns);
	EXPECT_LE(t0, st.create_ns);
	EXPECT_GE(t1, st.create_ns);
	EXPECT_EQ(0ULL, st.create_flags);
	EXPECT_EQ(0U, st.__reserved);
}

TEST_F(sx, blocked_receivers_are_counted_while_they_wait)
{
	__u32 id = NEW_MBOX(self->fd, 1, MSG_LEN);
	struct mbox_stat st;
	pid_t kids[4];
	int i;

	/* A peeker first: peekers are receivers too.  Then three others. */
	for (i = 0; i < 4; i++) {
		kids[i] = spawn_op(_metadata, self, id, false,
				   i ? 0 : MBOX_RECV_PEEK, false,
				   &self->out[i]);
		expect_asleep(_metadata, kids[i], MBOX_IOC_RECV);
		st = stat_of(self->fd, id);
		EXPECT_EQ((__u32)i + 1, st.blocked_receivers);
		EXPECT_EQ(0U, st.blocked_senders);
	}

	/* One message: a copy to the peeker, the message to the next. */
	ASSERT_EQ(0, mbox_put(self->fd, id, "msg", 3, 0));
	EXPECT_EQ(2U, stat_of(self->fd, id).blocked_receivers);
	EXPECT_EQ(0, mbox_child_result(kids[0], WAIT_MS));
	EXPECT_EQ(0, mbox_child_result(kids[1], WAIT_MS));

	/* One killed. */
	ASSERT_EQ(0, kill(kids[3], SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, mbox_child_result(kids[3], WAIT_MS));
	EXPECT_EQ(1U, stat_of(self->fd, id).blocked_receivers);

	ASSERT_EQ(0, mbox_put(self->fd, id, "msg", 3, 0));
	EXPECT_EQ(0U, stat_of(self->fd, id).blocked_receivers);
	EXPECT_EQ(0, mbox_child_result(kids[2], WAIT_MS));
	EXPECT_EQ(0U, stat_of(self->fd, id).msgs);
}

TEST_F(sx, blocked_senders_are_counted_while_they_wait)
{
	__u32 id = NEW_MBOX(self->fd, 1, MSG_LEN);
	unsigned char b[MSG_LEN];
	__u64 len = sizeof(b);
	struct mbox_stat st;
	pid_t kids[2];
	int i;

	ASSERT_EQ(0, mbox_put(self->fd, id, "full", 4, 0));
	for (i = 0; i < 2; i++) {
		kids[i] = spawn_op(_metadata, self, id, true, 0, false,
				   &self->out[i]);
		expect_asleep(_metadata, kids[i], MBOX_IOC_SEND);
		st = stat_of(self->fd, id);
		EXPECT_EQ((__u32)i + 1, st.blocked_senders);
		EXPECT_EQ(0U, st.blocked_receivers);
		EXPECT_EQ(1U, st.msgs);
	}
	/* A freed slot takes the first sender's message at once. */
	ASSERT_EQ(4, mbox_get(self->fd, id, b, &len, 0));
	st = stat_of(self->fd, id);
	EXPECT_EQ(1U, st.blocked_senders);
	EXPECT_EQ(1U, st.msgs);
	EXPECT_EQ(0, mbox_child_result(kids[0], WAIT_MS));

	ASSERT_EQ(0, kill(kids[1], SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, mbox_child_result(kids[1], WAIT_MS));
	st = stat_of(self->fd, id);
	EXPECT_EQ(0U, st.blocked_senders);
	EXPECT_EQ(1U, st.msgs);
}

TEST_F(sx, last_send_pid_and_last_recv_pid_name_the_last_sender_and_receiver)
{
	__u32 id = NEW_MBOX(self->fd, 4, MSG_LEN);
	struct mbox_stat st;
	pid_t a, b;

	a = spawn_op(_metadata, self, id, true, 0, true, &self->out[0]);
	wait_done(_metadata, &self->out[0]);
	ASSERT_EQ(0, self->out[0].ret);
	st = stat_of(self->fd, id);
	EXPECT_EQ(a, st.last_send_pid);
	EXPECT_EQ(0, st.last_recv_pid);

	b = spawn_op(_metadata, self, id, false, MBOX_NONBLOCK, true,
		     &self->out[1]);
	wait_done(_metadata, &self->out[1]);
	ASSERT_EQ(MSG_LEN, self->out[1].ret);
	st = stat_of(self->fd, id);
	EXPECT_EQ(a, st.last_send_pid);
	EXPECT_EQ(b, st.last_recv_pid);

	ASSERT_EQ(0, mbox_put(self->fd, id, "me", 2, 0));
	st = stat_of(self->fd, id);
	EXPECT_EQ(getpid(), st.last_send_pid);
	EXPECT_EQ(b, st.last_recv_pid);

	close(self->hold[1]);
	self->hold[1] = -1;
	EXPECT_EQ(0, mbox_child_result(a, WAIT_MS));
	EXPECT_EQ(0, mbox_child_result(b, WAIT_MS));
}

/* The receiver a send completes is the last receiver, not the sender. */
TEST_F(sx, last_recv_pid_is_the_blocked_receiver_a_send_completes)
{
	__u32 id = NEW_MBOX(self->fd, 4, MSG_LEN);
	struct mbox_stat st;
	pid_t r;

	r = spawn_op(_metadata, self, id, false, 0, true, &self->out[0]);
	expect_asleep(_metadata, r, MBOX_IOC_RECV);
	ASSERT_EQ(0, mbox_put(self->fd, id, "handoff", 7, 0));
	st = stat_of(self->fd, id);
	EXPECT_EQ(getpid(), st.last_send_pid);
	EXPECT_EQ(r, st.last_recv_pid);
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ(1ULL, st.sent_msgs);
	EXPECT_EQ(1ULL, st.recv_msgs);
	wait_done(_metadata, &self->out[0]);
	EXPECT_EQ(7, self->out[0].ret);
	close(self->hold[1]);
	self->hold[1] = -1;
	EXPECT_EQ(0, mbox_child_result(r, WAIT_MS));
}

/* The sender a receive lets into the mailbox is the last sender. */
TEST_F(sx, last_send_pid_is_the_blocked_sender_a_receive_lets_in)
{
	__u32 id = NEW_MBOX(self->fd, 1, MSG_LEN);
	unsigned char b[MSG_LEN];
	__u64 len = sizeof(b);
	struct mbox_stat st;
	pid_t s;

	ASSERT_EQ(0, mbox_put(self->fd, id, "full", 4, 0));
	s = spawn_op(_metadata, self, id, true, 0, true, &self->out[0]);
	expect_asleep(_metadata, s, MBOX_IOC_SEND);
	EXPECT_EQ(getpid(), stat_of(self->fd, id).last_send_pid);
	ASSERT_EQ(4, mbox_get(self->fd, id, b, &len, 0));
	wait_done(_metadata, &self->out[0]);
	EXPECT_EQ(0, self->out[0].ret);
	st = stat_of(self->fd, id);
	EXPECT_EQ(s, st.last_send_pid);
	EXPECT_EQ(getpid(), st.last_recv_pid);
	EXPECT_EQ(1U, st.msgs);
	close(self->hold[1]);
	self->hold[1] = -1;
	EXPECT_EQ(0, mbox_child_result(s, WAIT_MS));
}

TEST_F(sx, last_send_ns_and_last_recv_ns_are_the_times_of_the_last_calls)
{
	__u32 id = NEW_MBOX(self->fd, 4, MSG_LEN);
	unsigned char b[MSG_LEN];
	__u64 len, t0, t1, t2, t3, t4, t5;
	struct mbox_stat st;

	mbox_msleep(2);
	t0 = mbox_now_ns();
	ASSERT_EQ(0, mbox_put(self->fd, id, "one", 3, 0));
	t1 = mbox_now_ns();
	st = stat_of(self->fd, id);
	EXPECT_LE(t0, st.last_send_ns);
	EXPECT_GE(t1, st.last_send_ns);
	EXPECT_EQ(0ULL, st.last_recv_ns);
	EXPECT_LT(st.create_ns, st.last_send_ns);

	mbox_msleep(2);
	len = sizeof(b);
	t2 = mbox_now_ns();
	ASSERT_EQ(3, mbox_get(self->fd, id, b, &len, 0));
	t3 = mbox_now_ns();
	st = stat_of(self->fd, id);
	EXPECT_LE(t2, st.last_recv_ns);
	EXPECT_GE(t3, st.last_recv_ns);
	EXPECT_GE(t1, st.last_send_ns);

	mbox_msleep(2);
	t4 = mbox_now_ns();
	ASSERT_EQ(0, mbox_put(self->fd, id, "two", 3, 0));
	t5 = mbox_now_ns();
	st = stat_of(self->fd, id);
	EXPECT_LE(t4, st.last_send_ns);
	EXPECT_GE(t5, st.last_send_ns);
	EXPECT_LE(t2, st.last_recv_ns) TH_LOG("the receive time moved");
	EXPECT_GE(t3, st.last_recv_ns) TH_LOG("the receive time moved");
}

/* The totals of struct mbox_info, as a change from @before. */
static void expect_totals(struct __test_metadata *_metadata, int fd,
			  const struct mbox_info *before, __u64 msgs,
			  __u64 bytes, const char *when)
{
	struct mbox_info now;

	ASSERT_EQ(0, ioc_info(fd, &now));
	EXPECT_EQ(before->total_msgs + msgs, now.total_msgs) TH_LOG("%s", when);
	EXPECT_EQ(before->total_bytes + bytes, now.total_bytes)
		TH_LOG("%s", when);
}

TEST_F(sx, info_totals_rise_and_fall_by_what_is_queued)
{
	unsigned char b[64];
	struct mbox_info before;
	struct mbox_recv r;
	__u32 a, z;
	__u64 len;

	memset(b, 'q', sizeof(b));
	ASSERT_EQ(0, ioc_info(self->fd, &before));
	a = NEW_MBOX(self->fd, 8, sizeof(b));
	z = NEW_MBOX(self->fd, 8, sizeof(b));
	expect_totals(_metadata, self->fd, &before, 0, 0, "created");

	ASSERT_EQ(0, mbox_put(self->fd, a, b, 10, 0));
	ASSERT_EQ(0, mbox_put(self->fd, a, b, 20, 0));
	ASSERT_EQ(0, mbox_put(self->fd, a, b, 30, 0));
	ASSERT_EQ(0, mbox_put(self->fd, z, b, 7, 0));
	expect_totals(_metadata, self->fd, &before, 4, 67, "sent");

	len = sizeof(b);
	ASSERT_EQ(10, mbox_get(self->fd, a, b, &len,
			       MBOX_RECV_PEEK | MBOX_NONBLOCK));
	expect_totals(_metadata, self->fd, &before, 4, 67, "peeked");

	len = sizeof(b);
	ASSERT_EQ(10, mbox_get(self->fd, a, b, &len, MBOX_NONBLOCK));
	expect_totals(_metadata, self->fd, &before, 3, 57, "received");

	memset(&r, 0, sizeof(r));
	r.id = a;
	r.flags = MBOX_RECV_TRUNC | MBOX_NONBLOCK;
	r.buf = (__u64)(uintptr_t)b;
	r.len = 5;
	ASSERT_EQ(5, ioc_recv(self->fd, &r));
	expect_totals(_metadata, self->fd, &before, 2, 37, "truncated");

	ASSERT_EQ(0, mbox_del(self->fd, z));
	expect_totals(_metadata, self->fd, &before, 1, 30, "destroyed");

	len = sizeof(b);
	ASSERT_EQ(30, mbox_get(self->fd, a, b, &len, MBOX_NONBLOCK));
	expect_totals(_metadata, self->fd, &before, 0, 0, "emptied");
}

TEST_F(sx, info_totals_are_the_sums_of_every_mailboxs_figures)
{
	__u32 a = NEW_MBOX(self->fd, 8, 64), z = NEW_MBOX(self->fd, 8, 64);
	__u64 msgs = 0, bytes = 0;
	struct mbox_info info;
	struct mbox_stat st;
	int ret;

	ASSERT_EQ(0, mbox_put(self->fd, a, "0123456789", 10, 0));
	ASSERT_EQ(0, mbox_put(self->fd, a, "0123", 4, 0));
	ASSERT_EQ(0, mbox_put(self->fd, z, "", 0, 0));
	memset(&st, 0, sizeof(st));
	st.id = 1;
	st.flags = MBOX_STAT_NEXT;
	while ((ret = ioc_stat(self->fd, &st)) == 0) {
		msgs += st.msgs;
		bytes += st.bytes;
		if (st.id == INT32_MAX)
			break;
		st.id++;
	}
	ASSERT_TRUE(ret == 0 || ret == -ENOENT) TH_LOG("%s", strerror(-ret));
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	EXPECT_EQ(msgs, info.total_msgs);
	EXPECT_EQ(bytes, info.total_bytes);
	EXPECT_LE(3ULL, info.total_msgs);
	EXPECT_LE(14ULL, info.total_bytes);
}

TEST_HARNESS_MAIN
