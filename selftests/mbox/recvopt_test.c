// SPDX-License-Identifier: GPL-2.0
/*
 * mbox receive options: selection by type (MBOX_RECV_TYPE and
 * MBOX_RECV_EXCEPT), peeking (MBOX_RECV_PEEK), truncation
 * (MBOX_RECV_TRUNC), and what a receive reports about its message: type,
 * length, the sender's pid and uid, the sequence number and the send time.
 *
 * Messages carry their number in their first four bytes, then bytes that
 * depend on it, so a receiver knows which message it got and that it got
 * all of it.  A process that has to block runs in a child, which reports
 * what it received in shared memory and its result as its exit code.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>

#include "mbox_util.h"

#define MSG_LEN		16
#define BUF_LEN		64
#define CAP		32
#define WAIT_MS		5000
#define BAD_MSG		(-1000L)
#define POISON		0x5a

static void msg_make(unsigned char *b, __u64 len, __u32 nr)
{
	mbox_fill(b, len, nr);
	if (len >= sizeof(nr))
		memcpy(b, &nr, sizeof(nr));
}

/* The number of message @b of @len bytes, or BAD_MSG. */
static long msg_nr(const unsigned char *b, __u64 len)
{
	__u32 nr;
	__u64 i;

	if (len < sizeof(nr))
		return BAD_MSG;
	memcpy(&nr, b, sizeof(nr));
	for (i = sizeof(nr); i < len; i++)
		if (b[i] != mbox_pattern_byte(nr, i))
			return BAD_MSG;
	return nr;
}

/* Send message @nr of @len bytes (at most BUF_LEN) and type @type. */
static int tsend(int fd, __u32 id, __u32 nr, __u64 len, __u32 type,
		 __u32 flags)
{
	unsigned char b[BUF_LEN];
	struct mbox_send arg = {
		.id = id,
		.flags = flags,
		.buf = (__u64)(uintptr_t)b,
		.len = len,
		.type = type,
	};

	msg_make(b, len, nr);
	return ioc_send(fd, &arg);
}

/*
 * Receive into a buffer of BUF_LEN bytes with @flags, selecting by @type.
 * Returns the message's number, -errno, or BAD_MSG if the message is not
 * whole or @len and @msg_len disagree with the return value; *@r (if not
 * NULL) gets the struct as the module left it.
 */
static long trecv(int fd, __u32 id, __u32 flags, __u32 type,
		  struct mbox_recv *r)
{
	unsigned char b[BUF_LEN];
	struct mbox_recv a = {
		.id = id,
		.flags = flags,
		.buf = (__u64)(uintptr_t)b,
		.len = sizeof(b),
		.type = type,
	};
	int ret;

	ret = ioc_recv(fd, &a);
	if (r)
		*r = a;
	if (ret < 0)
		return ret;
	if ((__u64)ret != a.len || a.msg_len != a.len)
		return BAD_MSG;
	return msg_nr(b, a.len);
}

/* What a child received. */
struct kid_out {
	long nr;
	struct mbox_recv r;
};

/* A child that receives once from @id and exits with the result. */
static pid_t spawn_receiver(struct __test_metadata *_metadata, int fd,
			    __u32 id, __u32 flags, __u32 type,
			    struct kid_out *out)
{
	pid_t pid = mbox_fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		out->nr = trecv(fd, id, flags, type, &out->r);
		if (out->nr == BAD_MSG)
			_exit(MBOX_CHILD_BAD_DATA);
		_exit(mbox_exit_code(out->nr));
	}
	return pid;
}

static __u32 msgs_of(int fd, __u32 id)
{
	struct mbox_stat st;

	if (mbox_stat_id(fd, id, &st))
		return UINT32_MAX;
	return st.msgs;
}

struct ropt_data {
	int fd;
	struct mbox_info info;
	__u32 id;
	struct kid_out *out;	/* 4 of them, shared with children */
};

static void ropt_setup(struct __test_metadata *_metadata,
		       struct ropt_data *self)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	self->id = NEW_MBOX(self->fd, CAP, BUF_LEN);
	self->out = mbox_shared_mem(4 * sizeof(*self->out));
	ASSERT_NE(NULL, self->out);
}

static void ropt_teardown(struct ropt_data *self)
{
	mbox_cleanup(self->fd);
	if (self->out)
		munmap(self->out, 4 * sizeof(*self->out));
}

/* Selection by type. */

FIXTURE(sel) {
	struct ropt_data d;
};

FIXTURE_SETUP(sel)
{
	ropt_setup(_metadata, &self->d);
}

FIXTURE_TEARDOWN(sel)
{
	ropt_teardown(&self->d);
}

/* Send messages 0 .. n-1 with types @types. */
static void send_typed(struct __test_metadata *_metadata, int fd, __u32 id,
		       const __u32 *types, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, tsend(fd, id, i, MSG_LEN, types[i], MBOX_NONBLOCK))
			TH_LOG("message %u", i);
	}
}

TEST_F(sel, recv_type_takes_the_oldest_message_of_that_type)
{
	static const __u32 types[] = { 1, 2, 1, 3, 2 };
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct mbox_recv r;

	send_typed(_metadata, fd, id, types, ARRAY_SIZE(types));
	EXPECT_EQ(1, trecv(fd, id, MBOX_RECV_TYPE | MBOX_NONBLOCK, 2, &r));
	EXPECT_EQ(2U, r.type);
	EXPECT_EQ(4, trecv(fd, id, MBOX_RECV_TYPE | MBOX_NONBLOCK, 2, &r));
	EXPECT_EQ(2U, r.type);
	EXPECT_EQ(-EAGAIN, trecv(fd, id, MBOX_RECV_TYPE | MBOX_NONBLOCK, 2,
				 NULL));
	EXPECT_EQ(-EAGAIN, trecv(fd, id, MBOX_RECV_TYPE | MBOX_NONBLOCK, 9,
				 NULL));
	EXPECT_EQ(3, trecv(fd, id, MBOX_RECV_TYPE | MBOX_NONBLOCK, 3, &r));
	EXPECT_EQ(3U, r.type);
	/* The others, untouched and in order. */
	EXPECT_EQ(0, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(1U, r.type);
	EXPECT_EQ(2, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(1U, r.type);
	EXPECT_EQ(0U, msgs_of(fd, id));
}

TEST_F(sel, recv_except_takes_the_oldest_message_of_another_type)
{
	static const __u32 types[] = { 5, 5, 7, 5, 8 };
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct mbox_recv r;

	send_typed(_metadata, fd, id, types, ARRAY_SIZE(types));
	EXPECT_EQ(2, trecv(fd, id, MBOX_RECV_EXCEPT | MBOX_NONBLOCK, 5, &r));
	EXPECT_EQ(7U, r.type);
	EXPECT_EQ(4, trecv(fd, id, MBOX_RECV_EXCEPT | MBOX_NONBLOCK, 5, &r));
	EXPECT_EQ(8U, r.type);
	EXPECT_EQ(-EAGAIN, trecv(fd, id, MBOX_RECV_EXCEPT | MBOX_NONBLOCK, 5,
				 NULL));
	/* Except a type no message has: the head. */
	EXPECT_EQ(0, trecv(fd, id, MBOX_RECV_EXCEPT | MBOX_NONBLOCK, 6, &r));
	EXPECT_EQ(5U, r.type);
	EXPECT_EQ(1, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(3, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(0U, msgs_of(fd, id));
}

/* 30 messages of types 0, 1 and 2 in an irregular order. */
static void send_mixed(struct __test_metadata *_metadata, int fd, __u32 id,
		       __u32 *types)
{
	__u32 x = 12345;
	int i;

	for (i = 0; i < 30; i++) {
		x = x * 1103515245 + 12345;
		types[i] = (x >> 16) % 3;
	}
	send_typed(_metadata, fd, id, types, 30);
}

TEST_F(sel, fifo_order_holds_within_each_type_selection)
{
	int fd = self->d.fd;
	__u32 id = self->d.id, types[30], t;
	unsigned int want, got;
	struct mbox_recv r;
	long nr, prev;

	send_mixed(_metadata, fd, id, types);
	for (t = 0; t < 3; t++) {
		want = 0;
		for (nr = 0; nr < 30; nr++)
			want += types[nr] == t;
		got = 0;
		prev = -1;
		while ((nr = trecv(fd, id, MBOX_RECV_TYPE | MBOX_NONBLOCK, t,
				   &r)) >= 0) {
			ASSERT_LT(nr, 30);
			EXPECT_EQ(t, types[nr]) TH_LOG("message %ld", nr);
			EXPECT_EQ(t, r.type);
			EXPECT_LT(prev, nr) TH_LOG("type %u: %ld after %ld", t,
						   nr, prev);
			prev = nr;
			got++;
		}
		EXPECT_EQ(-EAGAIN, nr);
		EXPECT_EQ(want, got) TH_LOG("type %u", t);
	}
	EXPECT_EQ(0U, msgs_of(fd, id));
}

TEST_F(sel, fifo_order_holds_within_an_except_selection)
{
	int fd = self->d.fd;
	__u32 id = self->d.id, types[30];
	unsigned int want = 0, got = 0;
	struct mbox_recv r;
	long nr, prev = -1;

	send_mixed(_metadata, fd, id, types);
	for (nr = 0; nr < 30; nr++)
		want += types[nr] != 1;
	while ((nr = trecv(fd, id, MBOX_RECV_EXCEPT | MBOX_NONBLOCK, 1,
			   &r)) >= 0) {
		ASSERT_LT(nr, 30);
		EXPECT_NE(1U, types[nr]) TH_LOG("message %ld", nr);
		EXPECT_EQ(types[nr], r.type);
		EXPECT_LT(prev, nr);
		prev = nr;
		got++;
	}
	EXPECT_EQ(-EAGAIN, nr);
	EXPECT_EQ(want, got);
	EXPECT_EQ(30 - want, msgs_of(fd, id));
}

TEST_F(sel, messages_a_selection_skips_keep_their_order)
{
	int fd = self->d.fd;
	__u32 id = self->d.id, types[10];
	long nr;
	int i;

	for (i = 0; i < 10; i++)
		types[i] = i == 3 || i == 4 || i == 8 ? 2 : 1;
	send_typed(_metadata, fd, id, types, 10);
	EXPECT_EQ(3, trecv(fd, id, MBOX_RECV_TYPE | MBOX_NONBLOCK, 2, NULL));
	EXPECT_EQ(4, trecv(fd, id, MBOX_RECV_TYPE | MBOX_NONBLOCK, 2, NULL));
	/* Taken from the middle: the rest is as it was, 8 included. */
	for (i = 0; i < 10; i++) {
		if (i == 3 || i == 4)
			continue;
		nr = trecv(fd, id, MBOX_NONBLOCK, 0, NULL);
		EXPECT_EQ(i, nr);
	}
	EXPECT_EQ(0U, msgs_of(fd, id));
}

/*
 * A receive that selects a message from the middle and then cannot store
 * it gives it back to its place: not to the head, ahead of older messages.
 */
TEST_F(sel, failed_typed_recv_puts_the_message_back_in_its_place)
{
	static const __u32 types[] = { 1, 2, 1, 2 };
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct mbox_recv r;
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	struct mbox_recv bad = {
		.id = id,
		.flags = MBOX_RECV_TYPE | MBOX_NONBLOCK,
		.type = 2,
		.buf = (__u64)(uintptr_t)ro,
		.len = 4096,
	};

	ASSERT_NE(MAP_FAILED, ro);
	send_typed(_metadata, fd, id, types, ARRAY_SIZE(types));
	/* Message 1, the oldest of type 2, cannot be stored. */
	EXPECT_EQ(-EFAULT, ioc_recv(fd, &bad));
	EXPECT_EQ(4U, msgs_of(fd, id));
	/* Every message in its order, 1 between 0 and 2. */
	EXPECT_EQ(0, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(1, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(2U, r.type);
	EXPECT_EQ(2, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(3, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(0U, msgs_of(fd, id));
	munmap(ro, 4096);
}

TEST_F(sel, recv_type_and_except_together_is_einval_and_takes_nothing)
{
	static const __u32 extra[] = { 0, MBOX_NONBLOCK, MBOX_RECV_PEEK,
				       MBOX_RECV_TRUNC };
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct mbox_stat before, after;
	unsigned int i;

	ASSERT_EQ(0, tsend(fd, id, 7, MSG_LEN, 3, 0));
	ASSERT_EQ(0, mbox_stat_id(fd, id, &before));
	for (i = 0; i < ARRAY_SIZE(extra); i++) {
		EXPECT_EQ(-EINVAL, trecv(fd, id, MBOX_RECV_TYPE |
					 MBOX_RECV_EXCEPT | extra[i], 3, NULL))
			TH_LOG("with %#x", extra[i]);
		EXPECT_EQ(-EINVAL, trecv(fd, id, MBOX_RECV_TYPE |
					 MBOX_RECV_EXCEPT | extra[i], 4, NULL))
			TH_LOG("with %#x", extra[i]);
	}
	ASSERT_EQ(0, mbox_stat_id(fd, id, &after));
	EXPECT_EQ(before.msgs, after.msgs);
	EXPECT_EQ(before.recv_msgs, after.recv_msgs);
	EXPECT_EQ(7, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
	/* Rejected before it could wait, on an empty mailbox too. */
	EXPECT_EQ(-EINVAL, trecv(fd, id, MBOX_RECV_TYPE | MBOX_RECV_EXCEPT, 3,
				 NULL));
}

TEST_F(sel, recv_reports_the_type_each_message_was_sent_with)
{
	static const __u32 types[] = { 0, 1, 0xffffffffU, 0x80000000U, 42 };
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct mbox_recv r;
	unsigned int i;

	send_typed(_metadata, fd, id, types, ARRAY_SIZE(types));
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		/* Without a selection flag, @type is ignored on input. */
		EXPECT_EQ((long)i, trecv(fd, id, MBOX_NONBLOCK, 42, &r));
		EXPECT_EQ(types[i], r.type) TH_LOG("message %u", i);
	}
}

TEST_F(sel, a_blocked_typed_receiver_is_handed_only_messages_of_its_type)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct kid_out *out = self->d.out;
	pid_t pid;

	pid = spawn_receiver(_metadata, fd, id, MBOX_RECV_TYPE, 7, out);
	ASSERT_WAITERS(fd, id, 0, 1);
	ASSERT_EQ(0, tsend(fd, id, 1, MSG_LEN, 3, 0));
	ASSERT_EQ(0, tsend(fd, id, 2, MSG_LEN, 0, 0));
	EXPECT_EQ(2U, msgs_of(fd, id));
	mbox_msleep(50);
	ASSERT_TRUE(mbox_alive(pid)) TH_LOG("woken by another type");
	ASSERT_EQ(0, tsend(fd, id, 3, MSG_LEN, 7, 0));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(3, out->nr);
	EXPECT_EQ(7U, out->r.type);
	EXPECT_EQ(1, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(2, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
}

TEST_F(sel, a_blocked_except_receiver_is_not_handed_its_excluded_type)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct kid_out *out = self->d.out;
	pid_t pid;

	pid = spawn_receiver(_metadata, fd, id, MBOX_RECV_EXCEPT, 3, out);
	ASSERT_WAITERS(fd, id, 0, 1);
	ASSERT_EQ(0, tsend(fd, id, 1, MSG_LEN, 3, 0));
	EXPECT_EQ(1U, msgs_of(fd, id));
	mbox_msleep(50);
	ASSERT_TRUE(mbox_alive(pid)) TH_LOG("woken by the excluded type");
	ASSERT_EQ(0, tsend(fd, id, 2, MSG_LEN, 4, 0));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(2, out->nr);
	EXPECT_EQ(4U, out->r.type);
	EXPECT_EQ(1, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
}

/* Peeking. */

FIXTURE(peek) {
	struct ropt_data d;
};

FIXTURE_SETUP(peek)
{
	ropt_setup(_metadata, &self->d);
}

FIXTURE_TEARDOWN(peek)
{
	ropt_teardown(&self->d);
}

TEST_F(peek, peek_copies_the_head_message_and_leaves_it_in_place)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct mbox_stat before, after;
	struct mbox_recv p, p2, r;

	ASSERT_EQ(0, tsend(fd, id, 10, MSG_LEN, 4, 0));
	ASSERT_EQ(0, tsend(fd, id, 11, MSG_LEN, 5, 0));
	ASSERT_EQ(0, mbox_stat_id(fd, id, &before));

	EXPECT_EQ(10, trecv(fd, id, MBOX_RECV_PEEK | MBOX_NONBLOCK, 0, &p));
	EXPECT_EQ(4U, p.type);
	EXPECT_EQ((__u64)MSG_LEN, p.msg_len);
	ASSERT_EQ(0, mbox_stat_id(fd, id, &after));
	EXPECT_EQ(before.msgs, after.msgs);
	EXPECT_EQ(before.bytes, after.bytes);
	EXPECT_EQ(before.recv_msgs, after.recv_msgs);

	/* Again: the same message, with the same sequence number. */
	EXPECT_EQ(10, trecv(fd, id, MBOX_RECV_PEEK, 0, &p2));
	EXPECT_EQ(p.seq, p2.seq);

	/* A receive takes that very message, then the next. */
	EXPECT_EQ(10, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(p.seq, r.seq);
	EXPECT_EQ(p.type, r.type);
	EXPECT_EQ(p.pid, r.pid);
	EXPECT_EQ(p.uid, r.uid);
	EXPECT_EQ(p.send_ns, r.send_ns);
	EXPECT_EQ(11, trecv(fd, id, MBOX_RECV_PEEK | MBOX_NONBLOCK, 0, &p));
	EXPECT_EQ(r.seq + 1, p.seq);
	EXPECT_EQ(11, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(0U, msgs_of(fd, id));
}

TEST_F(peek, peek_with_a_selection_copies_the_oldest_selected_message)
{
	static const __u32 types[] = { 1, 2, 2, 3 };
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct mbox_recv p;

	send_typed(_metadata, fd, id, types, ARRAY_SIZE(types));
	EXPECT_EQ(1, trecv(fd, id, MBOX_RECV_PEEK | MBOX_RECV_TYPE |
			   MBOX_NONBLOCK, 2, &p));
	EXPECT_EQ(2U, p.type);
	EXPECT_EQ(3, trecv(fd, id, MBOX_RECV_PEEK | MBOX_RECV_TYPE |
			   MBOX_NONBLOCK, 3, &p));
	EXPECT_EQ(1, trecv(fd, id, MBOX_RECV_PEEK | MBOX_RECV_EXCEPT |
			   MBOX_NONBLOCK, 1, &p));
	EXPECT_EQ(-EAGAIN, trecv(fd, id, MBOX_RECV_PEEK | MBOX_RECV_TYPE |
				 MBOX_NONBLOCK, 9, NULL));
	EXPECT_EQ(4U, msgs_of(fd, id));
	EXPECT_EQ(0, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(1, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(2, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(3, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
}

TEST_F(peek, peek_of_an_empty_mailbox_with_nonblock_is_eagain)
{
	EXPECT_EQ(-EAGAIN, trecv(self->d.fd, self->d.id,
				 MBOX_RECV_PEEK | MBOX_NONBLOCK, 0, NULL));
}

TEST_F(peek, peek_into_a_short_buffer_is_emsgsize_and_reports_the_size)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	unsigned char b[BUF_LEN];
	struct mbox_recv r = {
		.id = id,
		.flags = MBOX_RECV_PEEK | MBOX_NONBLOCK,
		.buf = (__u64)(uintptr_t)b,
		.len = MSG_LEN - 1,
	};

	ASSERT_EQ(0, tsend(fd, id, 5, MSG_LEN, 0, 0));
	EXPECT_EQ(-EMSGSIZE, ioc_recv(fd, &r));
	EXPECT_EQ((__u64)MSG_LEN, r.len);
	EXPECT_EQ((__u64)MSG_LEN, r.msg_len);
	EXPECT_EQ(1U, msgs_of(fd, id));
	EXPECT_EQ(5, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
}

TEST_F(peek, peek_with_trunc_copies_the_first_bytes_and_keeps_the_whole_message)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	unsigned char want[BUF_LEN], b[BUF_LEN];
	struct mbox_recv r = {
		.id = id,
		.flags = MBOX_RECV_PEEK | MBOX_RECV_TRUNC | MBOX_NONBLOCK,
		.buf = (__u64)(uintptr_t)b,
		.len = 10,
	};
	struct mbox_stat st;

	msg_make(want, 40, 6);
	ASSERT_EQ(0, tsend(fd, id, 6, 40, 0, 0));
	memset(b, POISON, sizeof(b));
	EXPECT_EQ(10, ioc_recv(fd, &r));
	EXPECT_EQ(10ULL, r.len);
	EXPECT_EQ(40ULL, r.msg_len);
	EXPECT_EQ(0, memcmp(want, b, 10));
	EXPECT_EQ(-1, mbox_check_fill(b + 10, sizeof(b) - 10, POISON));
	ASSERT_EQ(0, mbox_stat_id(fd, id, &st));
	EXPECT_EQ(1U, st.msgs);
	EXPECT_EQ(40ULL, st.bytes);
	memset(&r, 0, sizeof(r));
	EXPECT_EQ(6, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(40ULL, r.len);
}

TEST_F(peek, a_blocked_peeker_gets_a_copy_and_the_message_stays)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct kid_out *out = self->d.out;
	struct mbox_recv r;
	pid_t pid;

	pid = spawn_receiver(_metadata, fd, id, MBOX_RECV_PEEK, 0, out);
	ASSERT_WAITERS(fd, id, 0, 1);
	ASSERT_EQ(0, tsend(fd, id, 21, MSG_LEN, 0, 0));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(21, out->nr);
	EXPECT_EQ(1U, msgs_of(fd, id));
	EXPECT_EQ(21, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(out->r.seq, r.seq);
}

TEST_F(peek, a_blocked_peeker_lets_the_message_go_on_to_a_blocked_receiver)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct kid_out *out = self->d.out;
	pid_t peeker, taker;

	peeker = spawn_receiver(_metadata, fd, id, MBOX_RECV_PEEK, 0, &out[0]);
	ASSERT_WAITERS(fd, id, 0, 1);
	taker = spawn_receiver(_metadata, fd, id, 0, 0, &out[1]);
	ASSERT_WAITERS(fd, id, 0, 2);
	ASSERT_EQ(0, tsend(fd, id, 22, MSG_LEN, 0, 0));
	EXPECT_EQ(0, mbox_child_result(peeker, WAIT_MS));
	EXPECT_EQ(0, mbox_child_result(taker, WAIT_MS));
	EXPECT_EQ(22, out[0].nr);
	EXPECT_EQ(22, out[1].nr);
	EXPECT_EQ(out[0].r.seq, out[1].r.seq);
	EXPECT_EQ(0U, msgs_of(fd, id));
}

/* Truncation. */

FIXTURE(trunc) {
	struct ropt_data d;
	unsigned char *sbuf, *rbuf;
	size_t psz;
};

#define BIG_LEN(psz)	(3 * (psz) + 100)

FIXTURE_SETUP(trunc)
{
	ropt_setup(_metadata, &self->d);
	self->psz = (size_t)sysconf(_SC_PAGESIZE);
	self->sbuf = malloc(BIG_LEN(self->psz) + 256);
	self->rbuf = malloc(BIG_LEN(self->psz) + 256);
	ASSERT_NE(NULL, self->sbuf);
	ASSERT_NE(NULL, self->rbuf);
}

FIXTURE_TEARDOWN(trunc)
{
	ropt_teardown(&self->d);
	free(self->sbuf);
	free(self->rbuf);
}

/* Send message @nr of @len bytes from self->sbuf. */
static int big_send(FIXTURE_DATA(trunc) *self, __u32 id, __u32 nr,
		    __u64 len)
{
	msg_make(self->sbuf, len, nr);
	return mbox_put(self->d.fd, id, self->sbuf, len, 0);
}

/* Receive into self->rbuf, poisoned first, with a buffer of @len bytes. */
static int big_recv(FIXTURE_DATA(trunc) *self, __u32 id, __u64 len,
		    __u32 flags, struct mbox_recv *r)
{
	memset(self->rbuf, POISON, BIG_LEN(self->psz) + 256);
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->flags = flags;
	r->buf = (__u64)(uintptr_t)self->rbuf;
	r->len = len;
	return ioc_recv(self->d.fd, r);
}

TEST_F(trunc, short_buffer_without_trunc_is_emsgsize_and_keeps_the_message)
{
	__u32 id = self->d.id;
	struct mbox_recv r;

	ASSERT_EQ(0, big_send(self, id, 1, 50));
	EXPECT_EQ(-EMSGSIZE, big_recv(self, id, 10, MBOX_NONBLOCK, &r));
	EXPECT_EQ(50ULL, r.len);
	EXPECT_EQ(50ULL, r.msg_len);
	EXPECT_EQ(1U, msgs_of(self->d.fd, id));
	EXPECT_EQ(50, big_recv(self, id, 50, MBOX_NONBLOCK, &r));
	EXPECT_EQ(0, memcmp(self->sbuf, self->rbuf, 50));
	EXPECT_EQ(50ULL, r.msg_len);
}

TEST_F(trunc, trunc_stores_the_first_len_bytes_returns_len_and_consumes_the_message)
{
	__u32 id = self->d.id;
	struct mbox_recv r;

	ASSERT_EQ(0, big_send(self, id, 2, 50));
	ASSERT_EQ(0, tsend(self->d.fd, id, 3, MSG_LEN, 0, 0));
	EXPECT_EQ(10, big_recv(self, id, 10, MBOX_RECV_TRUNC | MBOX_NONBLOCK,
			       &r));
	EXPECT_EQ(10ULL, r.len);
	EXPECT_EQ(50ULL, r.msg_len);
	EXPECT_EQ(0, memcmp(self->sbuf, self->rbuf, 10));
	EXPECT_EQ(-1, mbox_check_fill(self->rbuf + 10, 256, POISON));
	/* The rest of it is gone: next is the following message. */
	EXPECT_EQ(1U, msgs_of(self->d.fd, id));
	EXPECT_EQ(3, trecv(self->d.fd, id, MBOX_NONBLOCK, 0, NULL));
}

TEST_F(trunc, trunc_with_a_large_enough_buffer_receives_the_whole_message)
{
	__u32 id = self->d.id;
	struct mbox_recv r;

	ASSERT_EQ(0, big_send(self, id, 4, 50));
	EXPECT_EQ(50, big_recv(self, id, 64, MBOX_RECV_TRUNC | MBOX_NONBLOCK,
			       &r));
	EXPECT_EQ(50ULL, r.len);
	EXPECT_EQ(50ULL, r.msg_len);
	EXPECT_EQ(0, memcmp(self->sbuf, self->rbuf, 50));
	EXPECT_EQ(-1, mbox_check_fill(self->rbuf + 50, 256, POISON));
}

TEST_F(trunc, trunc_into_a_zero_length_buffer_consumes_the_message)
{
	__u32 id = self->d.id;
	struct mbox_recv r = {
		.id = id,
		.flags = MBOX_RECV_TRUNC | MBOX_NONBLOCK,
	};

	ASSERT_EQ(0, big_send(self, id, 5, 50));
	EXPECT_EQ(0, ioc_recv(self->d.fd, &r));
	EXPECT_EQ(0ULL, r.len);
	EXPECT_EQ(50ULL, r.msg_len);
	EXPECT_EQ(0U, msgs_of(self->d.fd, id));
}

/* Cuts before, at and after the page-sized pieces the module stores. */
TEST_F(trunc, trunc_cuts_a_multi_page_message_at_any_length)
{
	const __u64 len = BIG_LEN(self->psz);
	const __u64 cuts[] = { 1, self->psz - 100, self->psz - 1, self->psz,
			       self->psz + 1, 2 * self->psz,
			       2 * self->psz + 7, len - 1 };
	struct mbox_recv r;
	unsigned int i;
	__u32 id;

	if (self->d.info.max_msg_size < len)
		SKIP(return, "max_msg_size %u < %llu",
		     self->d.info.max_msg_size, (unsigned long long)len);
	id = NEW_MBOX(self->d.fd, 1, len);
	for (i = 0; i < ARRAY_SIZE(cuts); i++) {
		ASSERT_EQ(0, big_send(self, id, 100 + i, len));
		EXPECT_EQ((int)cuts[i],
			  big_recv(self, id, cuts[i],
				   MBOX_RECV_TRUNC | MBOX_NONBLOCK, &r))
			TH_LOG("cut at %llu", (unsigned long long)cuts[i]);
		EXPECT_EQ(cuts[i], r.len);
		EXPECT_EQ(len, r.msg_len);
		EXPECT_EQ(0, memcmp(self->sbuf, self->rbuf, cuts[i]))
			TH_LOG("cut at %llu", (unsigned long long)cuts[i]);
		EXPECT_EQ(-1, mbox_check_fill(self->rbuf + cuts[i], 256,
					      POISON))
			TH_LOG("cut at %llu: written past the cut",
			       (unsigned long long)cuts[i]);
		EXPECT_EQ(0U, msgs_of(self->d.fd, id));
	}
}

TEST_F(trunc, a_blocked_receiver_with_a_short_buffer_gets_emsgsize_and_the_message_stays)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct kid_out *out = self->d.out;
	unsigned char b[8];
	pid_t pid;

	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		out->r.id = id;
		out->r.buf = (__u64)(uintptr_t)b;
		out->r.len = sizeof(b);
		_exit(mbox_exit_code(ioc_recv(fd, &out->r)));
	}
	ASSERT_WAITERS(fd, id, 0, 1);
	ASSERT_EQ(0, tsend(fd, id, 31, MSG_LEN, 0, 0));
	EXPECT_EQ(EMSGSIZE, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ((__u64)MSG_LEN, out->r.len);
	EXPECT_EQ((__u64)MSG_LEN, out->r.msg_len);
	EXPECT_EQ(1U, msgs_of(fd, id));
	EXPECT_EQ(31, trecv(fd, id, MBOX_NONBLOCK, 0, NULL));
}

TEST_F(trunc, a_blocked_receiver_with_trunc_gets_the_first_bytes)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct kid_out *out = self->d.out;
	unsigned char *b = (unsigned char *)&out[1];
	unsigned char want[MSG_LEN];
	pid_t pid;

	memset(b, POISON, 16);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		out->r.id = id;
		out->r.flags = MBOX_RECV_TRUNC;
		out->r.buf = (__u64)(uintptr_t)b;
		out->r.len = 8;
		_exit(mbox_exit_code(ioc_recv(fd, &out->r)));
	}
	ASSERT_WAITERS(fd, id, 0, 1);
	ASSERT_EQ(0, tsend(fd, id, 32, MSG_LEN, 0, 0));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(8ULL, out->r.len);
	EXPECT_EQ((__u64)MSG_LEN, out->r.msg_len);
	msg_make(want, MSG_LEN, 32);
	EXPECT_EQ(0, memcmp(want, b, 8));
	EXPECT_EQ(-1, mbox_check_fill(b + 8, 8, POISON));
	EXPECT_EQ(0U, msgs_of(fd, id));
}

/* What a receive reports about the message. */

FIXTURE(minfo) {
	struct ropt_data d;
};

FIXTURE_SETUP(minfo)
{
	ropt_setup(_metadata, &self->d);
}

FIXTURE_TEARDOWN(minfo)
{
	ropt_teardown(&self->d);
}

TEST_F(minfo, pid_is_the_senders_process_id)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct mbox_recv r;
	pid_t pid;

	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mbox_exit_code(tsend(fd, id, 1, MSG_LEN, 0, 0)));
	ASSERT_EQ(0, mbox_child_result(pid, WAIT_MS));
	ASSERT_EQ(0, tsend(fd, id, 2, MSG_LEN, 0, 0));

	EXPECT_EQ(1, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(pid, r.pid);
	EXPECT_EQ(2, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(getpid(), r.pid);
}

struct thread_send {
	int fd;
	__u32 id;
	pid_t tid;
	int ret;
};

static void *thread_send_fn(void *arg)
{
	struct thread_send *t = arg;

	t->tid = (pid_t)syscall(SYS_gettid);
	t->ret = tsend(t->fd, t->id, 3, MSG_LEN, 0, 0);
	return NULL;
}

TEST_F(minfo, pid_of_a_send_from_a_thread_is_its_process_id)
{
	struct thread_send t = { .fd = self->d.fd, .id = self->d.id };
	struct mbox_recv r;
	pthread_t th;

	ASSERT_EQ(0, pthread_create(&th, NULL, thread_send_fn, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, t.ret);
	ASSERT_NE(getpid(), t.tid);
	EXPECT_EQ(3, trecv(self->d.fd, self->d.id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(getpid(), r.pid);
}

TEST_F(minfo, uid_is_the_senders_effective_uid)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct mbox_recv r;
	pid_t pid;

	ASSERT_EQ(0, tsend(fd, id, 1, MSG_LEN, 0, 0));
	EXPECT_EQ(1, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(geteuid(), r.uid);

	if (geteuid() != 0)
		SKIP(return, "not root: cannot send with another euid");
	if (self->d.info.features & MBOX_FEATURE_PERMS) {
		/* Let uid 4321 send: the default mode is 0600. */
		struct mbox_set set = { .id = id, .flags = MBOX_SET_MODE,
					.mode = 0622 };

		ASSERT_EQ(0, mbox_ioctl(fd, MBOX_IOC_SET, &set));
	}
	/* Effective uid 4321, real uid still 0. */
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (seteuid(4321))
			_exit(MBOX_CHILD_SETUP);
		_exit(mbox_exit_code(tsend(fd, id, 2, MSG_LEN, 0, 0)));
	}
	ASSERT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(2, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(4321U, r.uid);
}

TEST_F(minfo, seq_starts_at_1_and_grows_by_one_per_message_in_each_mailbox)
{
	int fd = self->d.fd;
	__u32 id = self->d.id, other = NEW_MBOX(fd, 4, BUF_LEN);
	struct mbox_recv r;
	__u32 i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, tsend(fd, id, i, MSG_LEN, i, 0));
	ASSERT_EQ(0, tsend(fd, other, 50, MSG_LEN, 0, 0));
	for (i = 0; i < 5; i++) {
		EXPECT_EQ((long)i, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
		EXPECT_EQ(i + 1ULL, r.seq);
	}
	EXPECT_EQ(50, trecv(fd, other, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(1ULL, r.seq);
	/* Receiving does not reset it; selecting does not change it. */
	ASSERT_EQ(0, tsend(fd, id, 5, MSG_LEN, 1, 0));
	ASSERT_EQ(0, tsend(fd, id, 6, MSG_LEN, 2, 0));
	EXPECT_EQ(6, trecv(fd, id, MBOX_RECV_TYPE | MBOX_NONBLOCK, 2, &r));
	EXPECT_EQ(7ULL, r.seq);
	EXPECT_EQ(5, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(6ULL, r.seq);
}

TEST_F(minfo, seq_counts_a_message_handed_to_a_blocked_receiver)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct kid_out *out = self->d.out;
	struct mbox_recv r;
	pid_t pid;

	pid = spawn_receiver(_metadata, fd, id, 0, 0, out);
	ASSERT_WAITERS(fd, id, 0, 1);
	ASSERT_EQ(0, tsend(fd, id, 1, MSG_LEN, 0, 0));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(1ULL, out->r.seq);
	ASSERT_EQ(0, tsend(fd, id, 2, MSG_LEN, 0, 0));
	EXPECT_EQ(2, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(2ULL, r.seq);
}

/*
 * A failed send sends no message, so it takes no sequence number: the
 * numbers a receiver sees have no gap unless a message was lost.
 */
TEST_F(minfo, seq_has_no_gap_after_failed_sends)
{
	int fd = self->d.fd;
	__u32 id = NEW_MBOX(fd, 1, MSG_LEN);
	unsigned char b[MSG_LEN];
	struct mbox_send s = {
		.id = id,
		.flags = MBOX_TIMEOUT,
		.buf = (__u64)(uintptr_t)b,
		.len = MSG_LEN,
		.timeout_ns = 20 * 1000 * 1000,
	};
	struct mbox_recv r;

	ASSERT_EQ(0, tsend(fd, id, 1, MSG_LEN, 0, 0));
	/* Full: no wait, a timed wait, too long. */
	EXPECT_EQ(-EAGAIN, tsend(fd, id, 2, MSG_LEN, 0, MBOX_NONBLOCK));
	msg_make(b, MSG_LEN, 3);
	EXPECT_EQ(-ETIMEDOUT, ioc_send(fd, &s));
	EXPECT_EQ(-EMSGSIZE, tsend(fd, id, 4, MSG_LEN + 1, 0, 0));
	EXPECT_EQ(1, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(1ULL, r.seq);
	ASSERT_EQ(0, tsend(fd, id, 5, MSG_LEN, 0, 0));
	EXPECT_EQ(5, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(2ULL, r.seq) TH_LOG("the failed sends took numbers");
}

TEST_F(minfo, send_ns_is_the_clock_monotonic_time_of_the_send)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	__u64 before[3], after[3], recv_at;
	struct mbox_recv r;
	int i;

	for (i = 0; i < 3; i++) {
		before[i] = mbox_now_ns();
		ASSERT_EQ(0, tsend(fd, id, i, MSG_LEN, 0, 0));
		after[i] = mbox_now_ns();
		mbox_msleep(2);
	}
	recv_at = mbox_now_ns();
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(i, trecv(fd, id, MBOX_NONBLOCK, 0, &r));
		EXPECT_LE(before[i], r.send_ns) TH_LOG("message %d", i);
		EXPECT_GE(after[i], r.send_ns) TH_LOG("message %d", i);
		EXPECT_GT(recv_at, r.send_ns);
	}
}

/* Namespaces: what a receiver in a child namespace sees. */

struct ns_out {
	int setup_errno;
	pid_t inner_pid;	/* the grandchild's getpid(), in its namespace */
	pid_t outer_pid;	/* the grandchild's pid here */
	long parents_msg;
	__s32 parents_pid_seen;
	long own_msg;
	__s32 own_pid_seen;
	long msg[2];
	__u32 uid_seen[2];
};

static bool ns_unsupported(int err)
{
	return err == EPERM || err == EINVAL || err == ENOSPC ||
	       err == ENOSYS || err == EUSERS;
}

TEST_F(minfo, pid_is_translated_into_the_receivers_pid_namespace)
{
	int fd = self->d.fd;
	__u32 from_parent = NEW_MBOX(fd, 2, BUF_LEN);
	__u32 to_parent = NEW_MBOX(fd, 2, BUF_LEN);
	__u32 own = NEW_MBOX(fd, 2, BUF_LEN);
	struct ns_out *o = mbox_shared_mem(sizeof(*o));
	struct mbox_recv r;
	int status, res;
	pid_t pid, g;

	ASSERT_NE(NULL, o);
	ASSERT_EQ(0, tsend(fd, from_parent, 1, MSG_LEN, 0, 0));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWPID)) {
			o->setup_errno = errno;
			_exit(MBOX_CHILD_SETUP);
		}
		g = fork();
		if (g < 0)
			_exit(MBOX_CHILD_SETUP);
		if (g == 0) {
			/* Pid 1 of a new namespace, where we are unseen. */
			o->inner_pid = getpid();
			o->parents_msg = trecv(fd, from_parent, MBOX_NONBLOCK,
					       0, &r);
			o->parents_pid_seen = r.pid;
			if (tsend(fd, to_parent, 2, MSG_LEN, 0, 0) ||
			    tsend(fd, own, 3, MSG_LEN, 0, 0))
				_exit(MBOX_CHILD_SETUP);
			o->own_msg = trecv(fd, own, MBOX_NONBLOCK, 0, &r);
			o->own_pid_seen = r.pid;
			_exit(0);
		}
		o->outer_pid = g;
		if (waitpid(g, &status, 0) != g || !WIFEXITED(status))
			_exit(MBOX_CHILD_SETUP);
		_exit(WEXITSTATUS(status));
	}
	res = mbox_child_result(pid, WAIT_MS);
	if (res == MBOX_CHILD_SETUP && ns_unsupported(o->setup_errno))
		SKIP(return, "unshare(CLONE_NEWPID): %s",
		     strerror(o->setup_errno));
	ASSERT_EQ(0, res);
	EXPECT_EQ(1, o->inner_pid);
	EXPECT_EQ(1, o->parents_msg);
	EXPECT_EQ(0, o->parents_pid_seen) TH_LOG("a pid from outside");
	EXPECT_EQ(3, o->own_msg);
	EXPECT_EQ(1, o->own_pid_seen);

	ASSERT_LT(0, o->outer_pid);
	EXPECT_EQ(2, trecv(fd, to_parent, MBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(o->outer_pid, r.pid);
	munmap(o, sizeof(*o));
}

static __u32 overflow_uid(void)
{
	unsigned int uid = 65534;
	FILE *f = fopen("/proc/sys/kernel/overflowuid", "r");

	if (f) {
		if (fscanf(f, "%u", &uid) != 1)
			uid = 65534;
		fclose(f);
	}
	return uid;
}

TEST_F(minfo, uid_is_translated_into_the_receivers_user_namespace)
{
	int fd = self->d.fd;
	__u32 id = self->d.id;
	struct ns_out *o = mbox_shared_mem(sizeof(*o));
	int to_parent[2], to_child[2], res, i;
	char c = 0, path[64], map[64];
	bool can_map = geteuid() == 0;
	struct mbox_recv r;
	ssize_t n;
	pid_t pid;
	int mfd;

	ASSERT_NE(NULL, o);
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, tsend(fd, id, 1, MSG_LEN, 0, 0));
	ASSERT_EQ(0, tsend(fd, id, 2, MSG_LEN, 0, 0));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(to_parent[0]);
		close(to_child[1]);
		if (unshare(CLONE_NEWUSER)) {
			o->setup_errno = errno;
			_exit(MBOX_CHILD_SETUP);
		}
		/* No mapping yet: every uid is the overflow uid. */
		o->msg[0] = trecv(fd, id, MBOX_NONBLOCK, 0, &r);
		o->uid_seen[0] = r.uid;
		if (write(to_parent[1], &c, 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(MBOX_CHILD_SETUP);
		o->msg[1] = trecv(fd, id, MBOX_NONBLOCK, 0, &r);
		o->uid_seen[1] = r.uid;
		_exit(0);
	}
	close(to_parent[1]);
	close(to_child[0]);
	n = read(to_parent[0], &c, 1);
	if (n == 1 && can_map) {
		/* The sender's euid is 5000 in there. */
		snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
		snprintf(map, sizeof(map), "5000 %u 1\n",
			 (unsigned int)geteuid());
		mfd = open(path, O_WRONLY | O_CLOEXEC);
		EXPECT_LE(0, mfd) TH_LOG("open %s: %s", path, strerror(errno));
		if (mfd >= 0) {
			EXPECT_EQ((ssize_t)strlen(map),
				  write(mfd, map, strlen(map)))
				TH_LOG("write %s: %s", path, strerror(errno));
			close(mfd);
		}
	}
	if (n == 1)
		EXPECT_EQ(1, write(to_child[1], &c, 1));
	close(to_child[1]);
	close(to_parent[0]);
	res = mbox_child_result(pid, WAIT_MS);
	if (res == MBOX_CHILD_SETUP && ns_unsupported(o->setup_errno))
		SKIP(return, "unshare(CLONE_NEWUSER): %s",
		     strerror(o->setup_errno));
	ASSERT_EQ(0, res);
	for (i = 0; i < 2; i++)
		EXPECT_EQ(i + 1, o->msg[i]);
	EXPECT_EQ(overflow_uid(), o->uid_seen[0]);
	if (!can_map)
		SKIP(return, "not root: cannot write a uid_map");
	EXPECT_EQ(5000U, o->uid_seen[1]);
	munmap(o, sizeof(*o));
}

TEST_HARNESS_MAIN
