// SPDX-License-Identifier: GPL-2.0
/*
 * mbox rendezvous tests: a mailbox of capacity 0 buffers nothing, so a
 * send waits for a receiver to take its message and a receive waits for a
 * sender; MBOX_NONBLOCK succeeds only when the other side already waits.
 * Also zero-size messages (max_msg_size 0): pure signals, queued or not.
 *
 * The waiting side runs in a child process (see proc_util.h).  The parent
 * knows the child waits when STAT's blocked_senders or blocked_receivers
 * shows it, checks that it still waits 200 ms later, then meets it.
 */
#define _GNU_SOURCE
#include "proc_util.h"

static void expect_stat(struct __test_metadata *_metadata, int fd, __u32 id,
			__u32 msgs, __u64 sent, __u64 recv,
			__u32 senders, __u32 receivers)
{
	struct mbox_stat st;

	ASSERT_EQ(0, mbox_stat_id(fd, id, &st));
	EXPECT_EQ(0U, st.capacity);
	EXPECT_EQ(msgs, st.msgs);
	EXPECT_EQ(0ULL, st.bytes);
	EXPECT_EQ(sent, st.sent_msgs);
	EXPECT_EQ(recv, st.recv_msgs);
	EXPECT_EQ(senders, st.blocked_senders);
	EXPECT_EQ(receivers, st.blocked_receivers);
}

#define EXPECT_STAT(id, msgs, sent, recv, senders, receivers) \
	expect_stat(_metadata, self->fd, id, msgs, sent, recv, senders, \
		    receivers)

/* 200 ms after it blocked, child @pid must still be in ioctl(@cmd). */
static void expect_still_waiting(struct __test_metadata *_metadata, pid_t pid,
				 unsigned long cmd)
{
	mbox_msleep(200);
	ASSERT_TRUE(mbox_alive(pid)) TH_LOG("child %d ended", (int)pid);
	ASSERT_NE(0, mbox_in_ioctl(pid, cmd))
		TH_LOG("child %d left the ioctl", (int)pid);
}

#define NOUT	8

/* A mailbox of capacity 0, messages up to PMSG_BUF bytes. */
FIXTURE(rdv) {
	int fd;
	__u32 id;
	struct pout *out;
};

FIXTURE_SETUP(rdv)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	REQUIRE_FEATURES(self->fd, MBOX_FEATURE_RENDEZVOUS |
			 MBOX_FEATURE_STAT_EXT);
	self->out = pouts_new(NOUT);
	ASSERT_NE(NULL, self->out);
	self->id = NEW_MBOX(self->fd, 0, PMSG_BUF);
}

FIXTURE_TEARDOWN(rdv)
{
	mbox_cleanup(self->fd);
	if (self->out)
		munmap(self->out, NOUT * sizeof(*self->out));
}

/* A send of message @seq to @id, made by a child. */
static struct pcall sender(__u32 id, __u32 seq, __u32 flags)
{
	return (struct pcall){ .id = id, .seq = seq, .flags = flags };
}

/* A receive from @id, made by a child. */
static struct pcall receiver(__u32 id, __u32 flags)
{
	return (struct pcall){ .recv = true, .id = id, .flags = flags };
}

TEST_F(rdv, send_blocks_until_a_receiver_takes_the_message)
{
	struct pcall c = sender(self->id, 5, 0);
	pid_t pid;

	pid = PSPAWN_BLOCKED(self->fd, &c, &self->out[0], 1, 0);
	expect_still_waiting(_metadata, pid, MBOX_IOC_SEND);
	/* Nothing was queued, nothing counts as sent yet. */
	EXPECT_STAT(self->id, 0, 0, 0, 1, 0);

	EXPECT_EQ(5, pmsg_recv(self->fd, self->id, 0, 0, 0, NULL));
	EXPECT_CHILD(0, pid, "sender");
	EXPECT_STAT(self->id, 0, 1, 1, 0, 0);
}

TEST_F(rdv, recv_blocks_until_a_sender_arrives)
{
	struct pcall c = receiver(self->id, 0);
	pid_t pid;

	pid = PSPAWN_BLOCKED(self->fd, &c, &self->out[0], 0, 1);
	expect_still_waiting(_metadata, pid, MBOX_IOC_RECV);
	EXPECT_STAT(self->id, 0, 0, 0, 0, 1);

	EXPECT_EQ(0, pmsg_send(self->fd, self->id, 6, 0, 0, 0));
	EXPECT_CHILD(0, pid, "receiver");
	EXPECT_EQ(PMSG_LEN, self->out[0].ret);
	EXPECT_EQ(6, self->out[0].seq);
	EXPECT_STAT(self->id, 0, 1, 1, 0, 0);
}

TEST_F(rdv, nonblock_send_without_a_waiting_receiver_is_eagain_and_sends_nothing)
{
	struct pcall c = receiver(self->id, 0);
	pid_t pid;

	EXPECT_EQ(-EAGAIN, pmsg_send(self->fd, self->id, 1, MBOX_NONBLOCK,
				     0, 0));
	EXPECT_STAT(self->id, 0, 0, 0, 0, 0);

	/* The refused message is nowhere: the next receiver gets the next. */
	pid = PSPAWN_BLOCKED(self->fd, &c, &self->out[0], 0, 1);
	EXPECT_EQ(0, pmsg_send(self->fd, self->id, 2, MBOX_NONBLOCK, 0, 0));
	EXPECT_CHILD(0, pid, "receiver");
	EXPECT_EQ(2, self->out[0].seq);
	EXPECT_STAT(self->id, 0, 1, 1, 0, 0);
}

TEST_F(rdv, nonblock_send_to_a_waiting_receiver_hands_the_message_over)
{
	struct pcall c = receiver(self->id, 0);
	pid_t pid;

	pid = PSPAWN_BLOCKED(self->fd, &c, &self->out[0], 0, 1);
	EXPECT_EQ(0, pmsg_send(self->fd, self->id, 3, MBOX_NONBLOCK, 0, 0));
	EXPECT_CHILD(0, pid, "receiver");
	EXPECT_EQ(3, self->out[0].seq);
	EXPECT_STAT(self->id, 0, 1, 1, 0, 0);

	/* That receiver is served: nobody waits any more. */
	EXPECT_EQ(-EAGAIN, pmsg_send(self->fd, self->id, 4, MBOX_NONBLOCK,
				     0, 0));
	EXPECT_STAT(self->id, 0, 1, 1, 0, 0);
}

TEST_F(rdv, nonblock_recv_without_a_waiting_sender_is_eagain)
{
	struct pcall c = sender(self->id, 7, 0);
	pid_t pid;

	EXPECT_EQ(-EAGAIN, pmsg_recv(self->fd, self->id, MBOX_NONBLOCK, 0, 0,
				     NULL));
	EXPECT_STAT(self->id, 0, 0, 0, 0, 0);

	pid = PSPAWN_BLOCKED(self->fd, &c, &self->out[0], 1, 0);
	EXPECT_EQ(7, pmsg_recv(self->fd, self->id, MBOX_NONBLOCK, 0, 0, NULL));
	EXPECT_CHILD(0, pid, "sender");
	/* Its sender served, the mailbox holds nothing for the next one. */
	EXPECT_EQ(-EAGAIN, pmsg_recv(self->fd, self->id, MBOX_NONBLOCK, 0, 0,
				     NULL));
	EXPECT_STAT(self->id, 0, 1, 1, 0, 0);
}

TEST_F(rdv, nonblock_recv_takes_a_waiting_senders_message_and_completes_it)
{
	struct pcall c = sender(self->id, 9, 0);
	struct mbox_recv arg;
	pid_t pid;

	pid = PSPAWN_BLOCKED(self->fd, &c, &self->out[0], 1, 0);
	expect_still_waiting(_metadata, pid, MBOX_IOC_SEND);
	EXPECT_EQ(9, pmsg_recv(self->fd, self->id, MBOX_NONBLOCK, 0, 0, &arg));
	EXPECT_EQ((__u64)PMSG_LEN, arg.len);
	/* The sender's call completes, with 0, as soon as it is taken. */
	EXPECT_CHILD(0, pid, "sender");
	EXPECT_EQ(0, self->out[0].ret);
	EXPECT_STAT(self->id, 0, 1, 1, 0, 0);
}

TEST_F(rdv, stat_never_shows_a_queued_message_and_counts_blocked_callers)
{
	struct pcall c;
	pid_t pid[3];
	int i;

	EXPECT_STAT(self->id, 0, 0, 0, 0, 0);
	for (i = 0; i < 3; i++) {
		c = sender(self->id, 10 + i, 0);
		pid[i] = PSPAWN_BLOCKED(self->fd, &c, &self->out[i], i + 1, 0);
		EXPECT_STAT(self->id, 0, 0, 0, i + 1, 0);
	}
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(10 + i, pmsg_recv(self->fd, self->id, MBOX_NONBLOCK,
					    0, 0, NULL));
		EXPECT_CHILD(0, pid[i], "sender %d", i);
		EXPECT_STAT(self->id, 0, i + 1, i + 1, 2 - i, 0);
	}

	for (i = 0; i < 3; i++) {
		c = receiver(self->id, 0);
		pid[i] = PSPAWN_BLOCKED(self->fd, &c, &self->out[i], 0, i + 1);
		EXPECT_STAT(self->id, 0, 3, 3, 0, i + 1);
	}
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, pmsg_send(self->fd, self->id, 20 + i,
				       MBOX_NONBLOCK, 0, 0));
		EXPECT_CHILD(0, pid[i], "receiver %d", i);
		EXPECT_EQ(20 + i, self->out[i].seq);
		EXPECT_STAT(self->id, 0, 4 + i, 4 + i, 0, 2 - i);
	}
}

TEST_F(rdv, interrupted_send_delivers_nothing)
{
	struct pcall c = sender(self->id, 30, 0);
	pid_t pid;

	c.on_usr1 = true;
	pid = PSPAWN_BLOCKED(self->fd, &c, &self->out[0], 1, 0);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_CHILD(EINTR, pid, "sender");
	EXPECT_STAT(self->id, 0, 0, 0, 0, 0);
	EXPECT_EQ(-EAGAIN, pmsg_recv(self->fd, self->id, MBOX_NONBLOCK, 0, 0,
				     NULL));
}

TEST_F(rdv, killed_sender_delivers_nothing)
{
	struct pcall c = sender(self->id, 31, 0);
	pid_t pid;

	pid = PSPAWN_BLOCKED(self->fd, &c, &self->out[0], 1, 0);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_CHILD(1000 + SIGKILL, pid, "sender");
	EXPECT_STAT(self->id, 0, 0, 0, 0, 0);
	EXPECT_EQ(-EAGAIN, pmsg_recv(self->fd, self->id, MBOX_NONBLOCK, 0, 0,
				     NULL));
}

TEST_F(rdv, killed_receiver_takes_nothing)
{
	struct pcall c = receiver(self->id, 0);
	pid_t pid;

	pid = PSPAWN_BLOCKED(self->fd, &c, &self->out[0], 0, 1);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_CHILD(1000 + SIGKILL, pid, "receiver");
	EXPECT_STAT(self->id, 0, 0, 0, 0, 0);
	EXPECT_EQ(-EAGAIN, pmsg_send(self->fd, self->id, 32, MBOX_NONBLOCK,
				     0, 0));
}

TEST_F(rdv, destroy_wakes_a_blocked_sender_and_a_blocked_receiver_with_eidrm)
{
	__u32 other = NEW_MBOX(self->fd, 0, PMSG_BUF);
	struct pcall s = sender(self->id, 33, 0);
	struct pcall r = receiver(other, 0);
	pid_t ps, pr;

	ps = PSPAWN_BLOCKED(self->fd, &s, &self->out[0], 1, 0);
	pr = PSPAWN_BLOCKED(self->fd, &r, &self->out[1], 0, 1);
	ASSERT_EQ(0, mbox_del(self->fd, self->id));
	EXPECT_CHILD(EIDRM, ps, "sender");
	ASSERT_EQ(0, mbox_del(self->fd, other));
	EXPECT_CHILD(EIDRM, pr, "receiver");
}

/* Capacity 0 and max_msg_size 0: a send is a pure signal. */
TEST_F(rdv, zero_size_signals_pass_through_a_rendezvous_mailbox)
{
	__u32 id = NEW_MBOX(self->fd, 0, 0);
	struct pcall c = { .id = id, .zero_len = true };
	struct mbox_recv arg = { .id = id, .flags = MBOX_NONBLOCK };
	char one = 1;
	pid_t pid;

	/* A signal waits for its receiver ... */
	pid = PSPAWN_BLOCKED(self->fd, &c, &self->out[0], 1, 0);
	expect_still_waiting(_metadata, pid, MBOX_IOC_SEND);
	EXPECT_EQ(0, ioc_recv(self->fd, &arg));
	EXPECT_EQ(0ULL, arg.len);
	EXPECT_CHILD(0, pid, "signal sender");

	/* ... and a receiver for its signal. */
	c = receiver(id, 0);
	pid = PSPAWN_BLOCKED(self->fd, &c, &self->out[1], 0, 1);
	EXPECT_EQ(0, psend(self->fd, id, NULL, 0, MBOX_NONBLOCK, 0, 0));
	EXPECT_CHILD(0, pid, "signal receiver");
	EXPECT_EQ(0, self->out[1].ret);
	EXPECT_EQ(0ULL, self->out[1].len);

	EXPECT_EQ(-EAGAIN, psend(self->fd, id, NULL, 0, MBOX_NONBLOCK, 0, 0));
	EXPECT_EQ(-EMSGSIZE, psend(self->fd, id, &one, 1, MBOX_NONBLOCK, 0,
				   0));
	EXPECT_STAT(id, 0, 2, 2, 0, 0);
}

/* Needs nothing added after version 1. */
FIXTURE(zero) {
	int fd;
};

FIXTURE_SETUP(zero)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
}

FIXTURE_TEARDOWN(zero)
{
	mbox_cleanup(self->fd);
}

TEST_F(zero, create_with_capacity_0_succeeds_and_info_reports_rendezvous)
{
	struct mbox_info info;
	struct mbox_stat st;
	int id;

	ASSERT_EQ(0, ioc_info(self->fd, &info));
	EXPECT_NE(0ULL, info.features & MBOX_FEATURE_RENDEZVOUS);

	id = mbox_new(self->fd, 0, 16);
	ASSERT_LT(0, id) TH_LOG("create(capacity 0): %s", strerror(-id));
	mbox_track(id);
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(0U, st.capacity);
	EXPECT_EQ(16U, st.max_msg_size);
	EXPECT_EQ(0U, st.msgs);

	id = mbox_new(self->fd, 0, 0);
	ASSERT_LT(0, id) TH_LOG("create(0, 0): %s", strerror(-id));
	mbox_track(id);
}

TEST_F(zero, zero_size_messages_fill_and_drain_a_max_msg_size_0_mailbox)
{
	__u32 id = NEW_MBOX(self->fd, 3, 0);
	unsigned char buf[8];
	struct mbox_stat st;
	__u64 len;
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, mbox_put(self->fd, id, NULL, 0, MBOX_NONBLOCK));
	EXPECT_EQ(-EAGAIN, mbox_put(self->fd, id, NULL, 0, MBOX_NONBLOCK));
	EXPECT_EQ(-EMSGSIZE, mbox_put(self->fd, id, buf, 1, MBOX_NONBLOCK));
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(3U, st.msgs);
	EXPECT_EQ(0ULL, st.bytes);
	EXPECT_EQ(3ULL, st.sent_msgs);
	EXPECT_EQ(0ULL, st.sent_bytes);

	/* Into no buffer, or into one that stays untouched. */
	len = 0;
	EXPECT_EQ(0, mbox_get(self->fd, id, NULL, &len, MBOX_NONBLOCK));
	EXPECT_EQ(0ULL, len);
	memset(buf, 0xa5, sizeof(buf));
	len = sizeof(buf);
	EXPECT_EQ(0, mbox_get(self->fd, id, buf, &len, MBOX_NONBLOCK));
	EXPECT_EQ(0ULL, len);
	EXPECT_EQ(-1, mbox_check_fill(buf, sizeof(buf), 0xa5));
	len = 0;
	EXPECT_EQ(0, mbox_get(self->fd, id, NULL, &len, 0));
	len = 0;
	EXPECT_EQ(-EAGAIN, mbox_get(self->fd, id, NULL, &len, MBOX_NONBLOCK));

	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ(3ULL, st.recv_msgs);
	EXPECT_EQ(0ULL, st.recv_bytes);
}

TEST_F(zero, zero_size_message_wakes_a_blocked_receiver)
{
	__u32 id = NEW_MBOX(self->fd, 1, 0);
	struct pout *out = pouts_new(1);
	struct pcall c = { .recv = true, .id = id };
	pid_t pid;

	ASSERT_NE(NULL, out);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		pchild_run(self->fd, &c, out);
	ASSERT_EQ(0, mbox_wait_blocked(pid, MBOX_IOC_RECV, PWAIT_MS) < 0);
	EXPECT_EQ(0, mbox_put(self->fd, id, NULL, 0, MBOX_NONBLOCK));
	EXPECT_CHILD(0, pid, "receiver");
	EXPECT_EQ(0, out->ret);
	EXPECT_EQ(0ULL, out->len);
	munmap(out, sizeof(*out));
}

TEST_HARNESS_MAIN
