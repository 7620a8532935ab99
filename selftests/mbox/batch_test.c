// SPDX-License-Identifier: GPL-2.0
/*
 * mbox batch tests: MBOX_IOC_SEND_BATCH and MBOX_IOC_RECV_BATCH
 * (MBOX_FEATURE_BATCH).  Each invalid input alone gets its errno; a batch
 * that stops part way reports how many it did and why it stopped, and the
 * message it stopped at is neither sent nor lost; order is kept within and
 * across batches; only the first message of a batch waits; and producers
 * and consumers using batches concurrently lose and duplicate nothing.
 */
#define _GNU_SOURCE
#include <stdbool.h>

#include "mbox_util.h"

#ifdef MBOX_IOC_SEND_BATCH

#define MAX_SIZE	64
#define CAPACITY	8

static int send_batch(int fd, struct mbox_batch *b)
{
	return mbox_ioctl(fd, MBOX_IOC_SEND_BATCH, b);
}

static int recv_batch(int fd, struct mbox_batch *b)
{
	return mbox_ioctl(fd, MBOX_IOC_RECV_BATCH, b);
}

FIXTURE(batch) {
	int fd;
	__u32 id;
	char out[64][MAX_SIZE];
	char in[64][MAX_SIZE];
	struct mbox_batch_msg sv[64];
	struct mbox_batch_msg rv[64];
};

FIXTURE_SETUP(batch)
{
	struct mbox_info info = {};
	int i, id;

	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	if (!(info.features & MBOX_FEATURE_BATCH))
		SKIP(return, "the module lacks MBOX_FEATURE_BATCH");
	id = mbox_new(self->fd, CAPACITY, MAX_SIZE);
	ASSERT_LT(0, id);
	self->id = id;
	mbox_track(id);
	for (i = 0; i < 64; i++) {
		mbox_fill(self->out[i], MAX_SIZE, i);
		self->sv[i] = (struct mbox_batch_msg){
			.buf = (uintptr_t)self->out[i],
			.len = 8 + i % 8,
			.type = 100 + i,
		};
		self->rv[i] = (struct mbox_batch_msg){
			.buf = (uintptr_t)self->in[i],
			.len = MAX_SIZE,
		};
	}
}

FIXTURE_TEARDOWN(batch)
{
	mbox_cleanup(self->fd);
}

static struct mbox_batch batch_of(__u32 id, struct mbox_batch_msg *v,
				  __u32 count, __u32 flags)
{
	return (struct mbox_batch){
		.id = id,
		.flags = flags,
		.msgs = (uintptr_t)v,
		.count = count,
	};
}

/* Receive one message singly; returns its length or -errno. */
static int recv_one(int fd, __u32 id, void *buf, __u32 *type)
{
	struct mbox_recv r = {
		.id = id,
		.flags = MBOX_NONBLOCK,
		.buf = (uintptr_t)buf,
		.len = MAX_SIZE,
	};
	int ret = ioc_recv(fd, &r);

	if (type)
		*type = r.type;
	return ret;
}

static __u32 queued(int fd, __u32 id)
{
	struct mbox_stat st;

	if (mbox_stat_id(fd, id, &st))
		return ~0U;
	return st.msgs;
}

/* The invalid inputs, each alone, and their errno; nothing is sent. */

TEST_F(batch, send_count_0_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 0, 0);

	EXPECT_EQ(-EINVAL, send_batch(self->fd, &b));
	EXPECT_EQ(0, queued(self->fd, self->id));
}

TEST_F(batch, send_count_above_max_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->sv, MBOX_BATCH_MAX + 1,
				       0);

	EXPECT_EQ(-EINVAL, send_batch(self->fd, &b));
	EXPECT_EQ(0, queued(self->fd, self->id));
}

TEST_F(batch, send_unknown_flag_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 1, 1U << 31);

	EXPECT_EQ(-EINVAL, send_batch(self->fd, &b));
}

TEST_F(batch, send_receive_only_flag_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 1, MBOX_RECV_TRUNC);

	EXPECT_EQ(-EINVAL, send_batch(self->fd, &b));
}

TEST_F(batch, send_two_wait_flags_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 1,
				       MBOX_NONBLOCK | MBOX_TIMEOUT);

	EXPECT_EQ(-EINVAL, send_batch(self->fd, &b));
}

TEST_F(batch, send_timeout_without_flag_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 1, 0);

	b.timeout_ns = 1;
	EXPECT_EQ(-EINVAL, send_batch(self->fd, &b));
}

TEST_F(batch, send_nonzero_type_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 1, 0);

	b.type = 1;
	EXPECT_EQ(-EINVAL, send_batch(self->fd, &b));
}

TEST_F(batch, send_first_element_reserved_is_einval_and_sends_nothing)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 2, 0);

	self->sv[0].__reserved = 1;
	EXPECT_EQ(-EINVAL, send_batch(self->fd, &b));
	EXPECT_EQ(0, queued(self->fd, self->id));
}

TEST_F(batch, send_first_element_msg_len_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 1, 0);

	self->sv[0].msg_len = 1;
	EXPECT_EQ(-EINVAL, send_batch(self->fd, &b));
}

TEST_F(batch, send_first_element_seq_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 1, 0);

	self->sv[0].seq = 1;
	EXPECT_EQ(-EINVAL, send_batch(self->fd, &b));
}

TEST_F(batch, send_header_below_ver1_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 1, 0);

	EXPECT_EQ(-EINVAL, mbox_ioctl(self->fd,
				      MBOX_CMD(_IOC_READ | _IOC_WRITE, 0x09,
					       MBOX_BATCH_SIZE_VER1 - 8), &b));
}

TEST_F(batch, send_header_with_unknown_nonzero_tail_is_e2big)
{
	struct { struct mbox_batch b; __u64 tail; } big = {
		.b = batch_of(self->id, self->sv, 1, 0),
		.tail = 1,
	};

	EXPECT_EQ(-E2BIG, mbox_ioctl(self->fd,
				     MBOX_CMD(_IOC_READ | _IOC_WRITE, 0x09,
					      sizeof(big)), &big));
	EXPECT_EQ(0, queued(self->fd, self->id));
}

TEST_F(batch, send_header_with_zero_tail_works)
{
	struct { struct mbox_batch b; __u64 tail; } big = {
		.b = batch_of(self->id, self->sv, 1, 0),
	};

	EXPECT_EQ(1, mbox_ioctl(self->fd,
				MBOX_CMD(_IOC_READ | _IOC_WRITE, 0x09,
					 sizeof(big)), &big));
	EXPECT_EQ(1, big.b.done);
	EXPECT_EQ(0, big.tail);
}

TEST_F(batch, send_write_only_direction_is_enotty)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 1, 0);

	EXPECT_EQ(-ENOTTY, mbox_ioctl(self->fd,
				      MBOX_CMD(_IOC_WRITE, 0x09, sizeof(b)), &b));
}

TEST_F(batch, send_unknown_id_is_enoent)
{
	struct mbox_batch b = batch_of(MBOX_ID_NEVER_HI, self->sv, 1, 0);

	EXPECT_EQ(-ENOENT, send_batch(self->fd, &b));
}

TEST_F(batch, send_unreadable_array_is_efault)
{
	struct mbox_batch b = batch_of(self->id, NULL, 1, 0);

	b.msgs = 8;
	EXPECT_EQ(-EFAULT, send_batch(self->fd, &b));
	EXPECT_EQ(0, queued(self->fd, self->id));
}

TEST_F(batch, send_unreadable_header_is_efault)
{
	EXPECT_EQ(-EFAULT, mbox_ioctl(self->fd, MBOX_IOC_SEND_BATCH,
				      (void *)8));
}

TEST_F(batch, send_first_message_too_long_is_emsgsize)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 2, 0);

	self->sv[0].len = MAX_SIZE + 1;
	EXPECT_EQ(-EMSGSIZE, send_batch(self->fd, &b));
	EXPECT_EQ(0, queued(self->fd, self->id));
}

TEST_F(batch, send_first_message_unreadable_is_efault)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 2, 0);

	self->sv[0].buf = 8;
	EXPECT_EQ(-EFAULT, send_batch(self->fd, &b));
	EXPECT_EQ(0, queued(self->fd, self->id));
}

TEST_F(batch, send_to_full_mailbox_nonblock_is_eagain_and_sends_nothing)
{
	struct mbox_batch b = batch_of(self->id, self->sv, CAPACITY, 0);

	ASSERT_EQ(CAPACITY, send_batch(self->fd, &b));
	b = batch_of(self->id, self->sv, 3, MBOX_NONBLOCK);
	EXPECT_EQ(-EAGAIN, send_batch(self->fd, &b));
	EXPECT_EQ(0, b.done);
	EXPECT_EQ(CAPACITY, queued(self->fd, self->id));
}

TEST_F(batch, send_to_full_mailbox_with_timeout_is_etimedout)
{
	struct mbox_batch b = batch_of(self->id, self->sv, CAPACITY, 0);

	ASSERT_EQ(CAPACITY, send_batch(self->fd, &b));
	b = batch_of(self->id, self->sv, 3, MBOX_TIMEOUT);
	b.timeout_ns = 20 * 1000 * 1000;
	EXPECT_EQ(-ETIMEDOUT, send_batch(self->fd, &b));
	EXPECT_EQ(CAPACITY, queued(self->fd, self->id));
}

TEST_F(batch, recv_count_0_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->rv, 0, MBOX_NONBLOCK);

	EXPECT_EQ(-EINVAL, recv_batch(self->fd, &b));
}

TEST_F(batch, recv_count_above_max_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->rv, MBOX_BATCH_MAX + 1,
				       MBOX_NONBLOCK);

	EXPECT_EQ(-EINVAL, recv_batch(self->fd, &b));
}

TEST_F(batch, recv_peek_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->rv, 1,
				       MBOX_NONBLOCK | MBOX_RECV_PEEK);

	ASSERT_EQ(0, mbox_put(self->fd, self->id, "x", 1, 0));
	EXPECT_EQ(-EINVAL, recv_batch(self->fd, &b));
	EXPECT_EQ(1, queued(self->fd, self->id));
}

TEST_F(batch, recv_type_and_except_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->rv, 1,
				       MBOX_NONBLOCK | MBOX_RECV_TYPE |
				       MBOX_RECV_EXCEPT);

	EXPECT_EQ(-EINVAL, recv_batch(self->fd, &b));
}

TEST_F(batch, recv_unknown_flag_is_einval)
{
	struct mbox_batch b = batch_of(self->id, self->rv, 1, 1U << 31);

	EXPECT_EQ(-EINVAL, recv_batch(self->fd, &b));
}

TEST_F(batch, recv_first_element_reserved_is_einval_and_takes_nothing)
{
	struct mbox_batch b = batch_of(self->id, self->rv, 2, MBOX_NONBLOCK);

	ASSERT_EQ(0, mbox_put(self->fd, self->id, "x", 1, 0));
	self->rv[0].__reserved = 1;
	EXPECT_EQ(-EINVAL, recv_batch(self->fd, &b));
	EXPECT_EQ(1, queued(self->fd, self->id));
}

TEST_F(batch, recv_unknown_id_is_enoent)
{
	struct mbox_batch b = batch_of(MBOX_ID_NEVER_HI, self->rv, 1,
				       MBOX_NONBLOCK);

	EXPECT_EQ(-ENOENT, recv_batch(self->fd, &b));
}

TEST_F(batch, recv_from_empty_nonblock_is_eagain)
{
	struct mbox_batch b = batch_of(self->id, self->rv, 4, MBOX_NONBLOCK);

	EXPECT_EQ(-EAGAIN, recv_batch(self->fd, &b));
}

TEST_F(batch, recv_from_empty_with_timeout_is_etimedout)
{
	struct mbox_batch b = batch_of(self->id, self->rv, 4, MBOX_TIMEOUT);

	b.timeout_ns = 20 * 1000 * 1000;
	EXPECT_EQ(-ETIMEDOUT, recv_batch(self->fd, &b));
}

TEST_F(batch, recv_unreadable_array_is_efault_and_takes_nothing)
{
	struct mbox_batch b = batch_of(self->id, NULL, 1, MBOX_NONBLOCK);

	ASSERT_EQ(0, mbox_put(self->fd, self->id, "x", 1, 0));
	b.msgs = 8;
	EXPECT_EQ(-EFAULT, recv_batch(self->fd, &b));
	EXPECT_EQ(1, queued(self->fd, self->id));
}

TEST_F(batch, recv_read_only_array_is_efault_and_the_message_stays)
{
	struct mbox_batch_msg *ro;
	struct mbox_batch b;
	char buf[MAX_SIZE];
	__u32 type;

	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ro[0] = self->rv[0];
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
	b = batch_of(self->id, ro, 1, MBOX_NONBLOCK);
	self->sv[0].len = 5;
	{
		struct mbox_batch s = batch_of(self->id, self->sv, 2, 0);

		ASSERT_EQ(2, send_batch(self->fd, &s));
	}
	EXPECT_EQ(-EFAULT, recv_batch(self->fd, &b));
	EXPECT_EQ(2, queued(self->fd, self->id));
	EXPECT_EQ(5, recv_one(self->fd, self->id, buf, &type));
	EXPECT_EQ(100, type);
	munmap(ro, 4096);
}

/*
 * The bound on the excess after failed copy-outs (Documentation/mbox.rst):
 * a batch takes a chunk of 16 under one lock hold, and each slot it frees
 * admits a blocked sender; when the copy of element 1 faults, the 15
 * messages not delivered go back, in order, to a mailbox the senders have
 * filled meanwhile.  The mailbox then holds 15 more than its capacity:
 * nothing is lost or reordered, no sender gets in while it is over, and
 * receives drain it.
 */
TEST_F_TIMEOUT(batch, a_faulting_batch_gives_back_up_to_a_chunk_over_capacity, 60)
{
	enum { SENDERS = 16, TOTAL = CAPACITY + SENDERS };
	pid_t pids[SENDERS];
	struct mbox_batch b;
	struct mbox_stat st;
	char buf[MAX_SIZE], *ro;
	long long end;
	__u32 type;
	int i;

	for (i = 0; i < CAPACITY; i++)
		ASSERT_EQ(0, mbox_put(self->fd, self->id, &i, sizeof(i),
				      MBOX_NONBLOCK));
	for (i = 0; i < SENDERS; i++) {
		int n = CAPACITY + i;

		pids[i] = mbox_fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			_exit(mbox_put(self->fd, self->id, &n, sizeof(n), 0) ?
			      1 : 0);
		/* One at a time, so they block, and are served, in order. */
		end = mbox_now_ms() + 10000;
		do {
			ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
			ASSERT_GT(end, mbox_now_ms());
			if (st.blocked_senders < (__u32)i + 1)
				mbox_msleep(2);
		} while (st.blocked_senders < (__u32)i + 1);
	}

	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	self->rv[1].buf = (uintptr_t)ro;
	b = batch_of(self->id, self->rv, 16, MBOX_NONBLOCK);
	/* One received; it stopped at element 1, the fault. */
	EXPECT_EQ(1, recv_batch(self->fd, &b));
	EXPECT_EQ(EFAULT, b.error);
	for (i = 0; i < SENDERS; i++)
		EXPECT_EQ(0, mbox_child_result(pids[i], 10000));

	/* Message 0 was delivered; 15 went back over 16 admitted senders. */
	EXPECT_EQ(0, memcmp(self->in[0], &(int){ 0 }, sizeof(int)));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(CAPACITY + 15U, st.msgs);
	EXPECT_EQ(0U, st.blocked_senders);
	EXPECT_EQ(-EAGAIN, mbox_put(self->fd, self->id, "x", 1,
				    MBOX_NONBLOCK));
	for (i = 1; i < TOTAL; i++) {
		int n = -1;

		ASSERT_EQ((int)sizeof(n), recv_one(self->fd, self->id, buf,
						   &type));
		memcpy(&n, buf, sizeof(n));
		EXPECT_EQ(i, n);
	}
	EXPECT_EQ(0U, queued(self->fd, self->id));
	munmap(ro, 4096);
}

/*
 * Permissions (MBOX_FEATURE_PERMS): a batch needs what its single
 * counterpart needs.  The child runs as nobody, without capabilities, on a
 * mailbox of root's with mode 0600.
 */
static int as_nobody(int fd, unsigned long cmd, struct mbox_batch *b)
{
	pid_t pid = mbox_fork();
	int ret;

	if (pid < 0)
		return -1000;
	if (!pid) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(MBOX_CHILD_SETUP);
		ret = mbox_ioctl(fd, cmd, b);
		_exit(ret >= 0 ? 0 : -ret);
	}
	return mbox_child_result(pid, 10000);
}

TEST_F(batch, send_without_write_permission_is_eacces)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 2, MBOX_NONBLOCK);
	struct mbox_info info = {};

	ASSERT_EQ(0, ioc_info(self->fd, &info));
	if (!(info.features & MBOX_FEATURE_PERMS) || getuid() != 0)
		SKIP(return, "needs MBOX_FEATURE_PERMS and root");
	EXPECT_EQ(EACCES, as_nobody(self->fd, MBOX_IOC_SEND_BATCH, &b));
	EXPECT_EQ(0, queued(self->fd, self->id));
}

TEST_F(batch, recv_without_read_permission_is_eacces_and_takes_nothing)
{
	struct mbox_batch b = batch_of(self->id, self->rv, 2, MBOX_NONBLOCK);
	struct mbox_info info = {};

	ASSERT_EQ(0, ioc_info(self->fd, &info));
	if (!(info.features & MBOX_FEATURE_PERMS) || getuid() != 0)
		SKIP(return, "needs MBOX_FEATURE_PERMS and root");
	ASSERT_EQ(0, mbox_put(self->fd, self->id, "x", 1, 0));
	EXPECT_EQ(EACCES, as_nobody(self->fd, MBOX_IOC_RECV_BATCH, &b));
	EXPECT_EQ(1, queued(self->fd, self->id));
}

/* What a batch does: all in order, the outputs of each element. */

TEST_F(batch, send_sends_all_in_array_order_and_returns_the_count)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 5, 0);
	char buf[MAX_SIZE];
	__u32 type;
	int i;

	EXPECT_EQ(5, send_batch(self->fd, &b));
	EXPECT_EQ(5, b.done);
	EXPECT_EQ(0, b.error);
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(8 + i, recv_one(self->fd, self->id, buf, &type));
		EXPECT_EQ(100 + i, type);
		EXPECT_EQ(-1, mbox_check(buf, 8 + i, i));
	}
	EXPECT_EQ(-EAGAIN, recv_one(self->fd, self->id, buf, NULL));
}

TEST_F(batch, recv_fills_each_element_in_queue_order)
{
	struct mbox_batch s = batch_of(self->id, self->sv, 6, 0);
	struct mbox_batch b = batch_of(self->id, self->rv, 6, MBOX_NONBLOCK);
	int i;

	ASSERT_EQ(6, send_batch(self->fd, &s));
	EXPECT_EQ(6, recv_batch(self->fd, &b));
	EXPECT_EQ(6, b.done);
	EXPECT_EQ(0, b.error);
	for (i = 0; i < 6; i++) {
		EXPECT_EQ(8 + i, self->rv[i].len);
		EXPECT_EQ(8 + i, self->rv[i].msg_len);
		EXPECT_EQ(100 + i, self->rv[i].type);
		EXPECT_EQ(i + 1, self->rv[i].seq);
		EXPECT_EQ(0, self->rv[i].__reserved);
		EXPECT_EQ(-1, mbox_check(self->in[i], 8 + i, i));
	}
	EXPECT_EQ(0, queued(self->fd, self->id));
}

TEST_F(batch, batches_longer_than_a_chunk_keep_order)
{
	struct mbox_batch_msg *sv, *rv;
	struct mbox_batch b;
	__u32 id, *out, *in;
	int i, n = 1000;

	id = mbox_new(self->fd, n, 4);
	ASSERT_LT(0, (int)id);
	mbox_track(id);
	sv = calloc(n, sizeof(*sv));
	rv = calloc(n, sizeof(*rv));
	out = calloc(n, 4);
	in = calloc(n, 4);
	ASSERT_TRUE(sv && rv && out && in);
	for (i = 0; i < n; i++) {
		out[i] = i * 7 + 1;
		sv[i] = (struct mbox_batch_msg){ .buf = (uintptr_t)&out[i],
						 .len = 4, .type = i };
		rv[i] = (struct mbox_batch_msg){ .buf = (uintptr_t)&in[i],
						 .len = 4 };
	}
	b = batch_of(id, sv, n, 0);
	EXPECT_EQ(n, send_batch(self->fd, &b));
	b = batch_of(id, rv, n, MBOX_NONBLOCK);
	EXPECT_EQ(n, recv_batch(self->fd, &b));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(out[i], in[i]);
		ASSERT_EQ((__u32)i, rv[i].type);
		ASSERT_EQ((__u64)i + 1, rv[i].seq);
	}
	free(sv);
	free(rv);
	free(out);
	free(in);
}

TEST_F(batch, recv_truncates_with_trunc)
{
	struct mbox_batch s = batch_of(self->id, self->sv, 2, 0);
	struct mbox_batch b = batch_of(self->id, self->rv, 2,
				       MBOX_NONBLOCK | MBOX_RECV_TRUNC);

	self->sv[0].len = 40;
	self->sv[1].len = 40;
	self->rv[0].len = 10;
	self->rv[1].len = 20;
	ASSERT_EQ(2, send_batch(self->fd, &s));
	EXPECT_EQ(2, recv_batch(self->fd, &b));
	EXPECT_EQ(10, self->rv[0].len);
	EXPECT_EQ(40, self->rv[0].msg_len);
	EXPECT_EQ(20, self->rv[1].len);
	EXPECT_EQ(40, self->rv[1].msg_len);
	EXPECT_EQ(-1, mbox_check(self->in[1], 20, 1));
}

TEST_F(batch, recv_selects_by_type)
{
	struct mbox_batch s = batch_of(self->id, self->sv, 4, 0);
	struct mbox_batch b = batch_of(self->id, self->rv, 4,
				       MBOX_NONBLOCK | MBOX_RECV_TYPE);
	int i;

	for (i = 0; i < 4; i++)
		self->sv[i].type = i % 2;
	ASSERT_EQ(4, send_batch(self->fd, &s));
	b.type = 1;
	EXPECT_EQ(2, recv_batch(self->fd, &b));
	EXPECT_EQ(EAGAIN, b.error);
	EXPECT_EQ(1, self->rv[0].type);
	EXPECT_EQ(2, self->rv[0].seq);
	EXPECT_EQ(4, self->rv[1].seq);
	EXPECT_EQ(2, queued(self->fd, self->id));
}

/* Partial success: the count, then the error of the first not done. */

TEST_F(batch, send_into_too_few_slots_sends_what_fits_then_eagain)
{
	struct mbox_batch b = batch_of(self->id, self->sv, CAPACITY + 3,
				       MBOX_NONBLOCK);
	char buf[MAX_SIZE];
	int i;

	EXPECT_EQ(CAPACITY, send_batch(self->fd, &b));
	EXPECT_EQ(CAPACITY, b.done);
	EXPECT_EQ(EAGAIN, b.error);
	EXPECT_EQ(CAPACITY, queued(self->fd, self->id));
	for (i = 0; i < CAPACITY; i++)
		EXPECT_EQ(8 + i % 8, recv_one(self->fd, self->id, buf, NULL));
}

TEST_F(batch, send_stops_at_an_invalid_element)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 4, 0);

	self->sv[2].__reserved = 1;
	EXPECT_EQ(2, send_batch(self->fd, &b));
	EXPECT_EQ(2, b.done);
	EXPECT_EQ(EINVAL, b.error);
	EXPECT_EQ(2, queued(self->fd, self->id));
}

TEST_F(batch, send_stops_at_a_too_long_message)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 3, 0);

	self->sv[1].len = MAX_SIZE + 1;
	EXPECT_EQ(1, send_batch(self->fd, &b));
	EXPECT_EQ(EMSGSIZE, b.error);
	EXPECT_EQ(1, queued(self->fd, self->id));
}

TEST_F(batch, send_stops_at_an_unreadable_message_and_queues_nothing_of_it)
{
	struct mbox_batch b = batch_of(self->id, self->sv, 3, 0);
	char buf[MAX_SIZE];
	__u32 type;

	self->sv[1].buf = 8;
	EXPECT_EQ(1, send_batch(self->fd, &b));
	EXPECT_EQ(EFAULT, b.error);
	EXPECT_EQ(1, queued(self->fd, self->id));
	EXPECT_EQ(8, recv_one(self->fd, self->id, buf, &type));
	EXPECT_EQ(100, type);
}

TEST_F(batch, send_stops_at_an_unreadable_element_past_a_chunk)
{
	struct mbox_batch_msg *v;
	struct mbox_batch b;
	char *p;
	__u32 id;
	int i, n;

	/* The array runs into an unmapped page after 20 elements. */
	p = mbox_map_with_holes(2, 2);
	ASSERT_NE(NULL, p);
	n = 20;
	v = (struct mbox_batch_msg *)(p + 4096) - n;
	for (i = 0; i < n; i++)
		v[i] = (struct mbox_batch_msg){ .buf = (uintptr_t)"abcd",
						.len = 4 };
	id = mbox_new(self->fd, 64, 4);
	ASSERT_LT(0, (int)id);
	mbox_track(id);
	b = batch_of(id, v, n + 5, 0);
	EXPECT_EQ(n, send_batch(self->fd, &b));
	EXPECT_EQ(EFAULT, b.error);
	EXPECT_EQ(n, queued(self->fd, id));
	munmap(p, 2 * 4096);
}

TEST_F(batch, recv_takes_what_is_there_then_eagain)
{
	struct mbox_batch s = batch_of(self->id, self->sv, 3, 0);
	struct mbox_batch b = batch_of(self->id, self->rv, 5, MBOX_NONBLOCK);

	ASSERT_EQ(3, send_batch(self->fd, &s));
	EXPECT_EQ(3, recv_batch(self->fd, &b));
	EXPECT_EQ(3, b.done);
	EXPECT_EQ(EAGAIN, b.error);
}

TEST_F(batch, recv_stops_at_a_message_too_long_which_stays_in_place)
{
	struct mbox_batch s = batch_of(self->id, self->sv, 3, 0);
	struct mbox_batch b = batch_of(self->id, self->rv, 3, MBOX_NONBLOCK);
	char buf[MAX_SIZE];
	__u32 type;

	self->sv[1].len = 32;
	self->rv[0].len = 16;
	self->rv[1].len = 16;
	self->rv[2].len = 16;
	ASSERT_EQ(3, send_batch(self->fd, &s));
	EXPECT_EQ(1, recv_batch(self->fd, &b));
	EXPECT_EQ(EMSGSIZE, b.error);
	EXPECT_EQ(32, self->rv[1].len);
	EXPECT_EQ(32, self->rv[1].msg_len);
	EXPECT_EQ(32, recv_one(self->fd, self->id, buf, &type));
	EXPECT_EQ(101, type);
	EXPECT_EQ(10, recv_one(self->fd, self->id, buf, &type));
	EXPECT_EQ(102, type);
}

TEST_F(batch, recv_first_message_too_long_is_emsgsize_with_its_length)
{
	struct mbox_batch b = batch_of(self->id, self->rv, 2, MBOX_NONBLOCK);

	ASSERT_EQ(0, mbox_put(self->fd, self->id, self->out[0], 30, 0));
	self->rv[0].len = 10;
	EXPECT_EQ(-EMSGSIZE, recv_batch(self->fd, &b));
	EXPECT_EQ(30, self->rv[0].len);
	EXPECT_EQ(30, self->rv[0].msg_len);
	EXPECT_EQ(1, queued(self->fd, self->id));
}

TEST_F(batch, recv_stops_at_an_unwritable_buffer_and_that_message_stays)
{
	struct mbox_batch s = batch_of(self->id, self->sv, 4, 0);
	struct mbox_batch b = batch_of(self->id, self->rv, 4, MBOX_NONBLOCK);
	char buf[MAX_SIZE];
	__u32 type;

	ASSERT_EQ(4, send_batch(self->fd, &s));
	self->rv[1].buf = 8;
	EXPECT_EQ(1, recv_batch(self->fd, &b));
	EXPECT_EQ(EFAULT, b.error);
	EXPECT_EQ(100, self->rv[0].type);
	EXPECT_EQ(3, queued(self->fd, self->id));
	/* The one that failed, and the ones after it, in their order. */
	EXPECT_EQ(9, recv_one(self->fd, self->id, buf, &type));
	EXPECT_EQ(101, type);
	EXPECT_EQ(-1, mbox_check(buf, 9, 1));
	EXPECT_EQ(10, recv_one(self->fd, self->id, buf, &type));
	EXPECT_EQ(102, type);
	EXPECT_EQ(11, recv_one(self->fd, self->id, buf, &type));
	EXPECT_EQ(103, type);
}

TEST_F(batch, recv_stops_at_an_invalid_element)
{
	struct mbox_batch s = batch_of(self->id, self->sv, 4, 0);
	struct mbox_batch b = batch_of(self->id, self->rv, 4, MBOX_NONBLOCK);

	ASSERT_EQ(4, send_batch(self->fd, &s));
	self->rv[2].__reserved = 1;
	EXPECT_EQ(2, recv_batch(self->fd, &b));
	EXPECT_EQ(EINVAL, b.error);
	EXPECT_EQ(2, queued(self->fd, self->id));
}

/* Waiting: only for the first message. */

TEST_F(batch, recv_waits_for_the_first_message_only)
{
	struct mbox_batch b = batch_of(self->id, self->rv, 8, 0);
	char buf[MAX_SIZE];
	int got, rest = 0;
	pid_t pid;

	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mbox_batch s = batch_of(self->id, self->sv, 3, 0);

		mbox_msleep(100);
		_exit(send_batch(self->fd, &s) == 3 ? 0 : 1);
	}
	got = recv_batch(self->fd, &b);
	EXPECT_LE(1, got);
	EXPECT_GE(3, got);
	EXPECT_EQ(0, mbox_child_result(pid, 10000));
	while (recv_one(self->fd, self->id, buf, NULL) >= 0)
		rest++;
	EXPECT_EQ(3, got + rest);
	EXPECT_EQ(100, self->rv[0].type);
}

TEST_F(batch, send_waits_for_the_first_slot_only)
{
	struct mbox_batch b = batch_of(self->id, self->sv, CAPACITY, 0);
	char buf[MAX_SIZE];
	__u32 type;
	pid_t pid;
	int got;

	ASSERT_EQ(CAPACITY, send_batch(self->fd, &b));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		mbox_msleep(100);
		_exit(recv_one(self->fd, self->id, buf, NULL) < 0);
	}
	b = batch_of(self->id, self->sv + CAPACITY, 3, 0);
	got = send_batch(self->fd, &b);
	/* One slot freed: the first waits for it, the others find none. */
	EXPECT_EQ(1, got);
	EXPECT_EQ(EAGAIN, b.error);
	EXPECT_EQ(0, mbox_child_result(pid, 10000));
	EXPECT_EQ(CAPACITY, queued(self->fd, self->id));
	EXPECT_EQ(9, recv_one(self->fd, self->id, buf, &type));
	EXPECT_EQ(101, type);
}

TEST_F(batch, send_hands_off_to_waiting_receivers_in_a_rendezvous)
{
	struct mbox_batch b;
	char buf[MAX_SIZE];
	pid_t pid[2];
	__u32 id;
	int i;

	id = mbox_new(self->fd, 0, MAX_SIZE);
	ASSERT_LT(0, (int)id);
	mbox_track(id);
	for (i = 0; i < 2; i++) {
		pid[i] = mbox_fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			struct mbox_recv r = { .id = id, .buf = (uintptr_t)buf,
					       .len = MAX_SIZE };

			_exit(ioc_recv(self->fd, &r) == 8 + i ? 0 : 1);
		}
		ASSERT_EQ(0, mbox_wait_waiters(self->fd, id, 0, i + 1, 10000));
	}
	b = batch_of(id, self->sv, 3, 0);
	EXPECT_EQ(2, send_batch(self->fd, &b));
	EXPECT_EQ(EAGAIN, b.error);
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, mbox_child_result(pid[i], 10000));
}

/* Concurrency: batched producers and consumers lose nothing. */

#define PRODUCERS	2
#define CONSUMERS	2
#define PER_PRODUCER	3000

struct seen {
	int count[PRODUCERS * PER_PRODUCER];
	int total;
	int bad;
};

TEST_F_TIMEOUT(batch, concurrent_batches_lose_duplicate_and_reorder_nothing,
	       240)
{
	struct seen *sh = mbox_shared_mem(sizeof(*sh));
	pid_t pid[PRODUCERS + CONSUMERS];
	int i, k, missing = 0, dup = 0;

	ASSERT_NE(NULL, sh);
	for (i = 0; i < PRODUCERS + CONSUMERS; i++) {
		pid[i] = mbox_fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i])
			continue;
		srand(i + 1);
		if (i < PRODUCERS) {
			struct mbox_batch_msg v[32];
			__u32 data[PER_PRODUCER];
			int next = 0;

			while (next < PER_PRODUCER) {
				int n = 1 + rand() % 32;
				struct mbox_batch b;
				int r;

				if (n > PER_PRODUCER - next)
					n = PER_PRODUCER - next;
				for (k = 0; k < n; k++) {
					data[next + k] = i * PER_PRODUCER + next + k;
					v[k] = (struct mbox_batch_msg){
						.buf = (uintptr_t)&data[next + k],
						.len = 4, .type = i };
				}
				b = batch_of(self->id, v, n, 0);
				r = send_batch(self->fd, &b);
				if (r < 1)
					_exit(1);
				next += r;
			}
			_exit(0);
		} else {
			struct mbox_batch_msg v[32];
			__u32 data[32], last[PRODUCERS] = { 0 };
			bool any[PRODUCERS] = { false };

			for (;;) {
				int n = 1 + rand() % 32, r;
				struct mbox_batch b;

				for (k = 0; k < n; k++)
					v[k] = (struct mbox_batch_msg){
						.buf = (uintptr_t)&data[k],
						.len = 4 };
				b = batch_of(self->id, v, n, MBOX_TIMEOUT);
				b.timeout_ns = 50 * 1000 * 1000;
				r = recv_batch(self->fd, &b);
				if (r == -ETIMEDOUT) {
					if (__atomic_load_n(&sh->total, __ATOMIC_SEQ_CST) ==
					    PRODUCERS * PER_PRODUCER)
						_exit(0);
					continue;
				}
				if (r < 1)
					_exit(2);
				for (k = 0; k < r; k++) {
					__u32 x = data[k], p = v[k].type;

					if (p >= PRODUCERS || x / PER_PRODUCER != p ||
					    v[k].len != 4)
						_exit(3);
					/* Each producer's messages in its order. */
					if (any[p] && x <= last[p])
						__atomic_add_fetch(&sh->bad, 1,
								   __ATOMIC_SEQ_CST);
					any[p] = true;
					last[p] = x;
					__atomic_add_fetch(&sh->count[x], 1,
							   __ATOMIC_SEQ_CST);
				}
				__atomic_add_fetch(&sh->total, r, __ATOMIC_SEQ_CST);
			}
		}
	}
	for (i = 0; i < PRODUCERS + CONSUMERS; i++)
		EXPECT_EQ(0, mbox_child_result(pid[i], 200000));
	for (i = 0; i < PRODUCERS * PER_PRODUCER; i++) {
		missing += !sh->count[i];
		dup += sh->count[i] > 1;
	}
	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, dup);
	EXPECT_EQ(0, sh->bad);
	EXPECT_EQ(PRODUCERS * PER_PRODUCER, sh->total);
	EXPECT_EQ(0, queued(self->fd, self->id));
}

#else /* !MBOX_IOC_SEND_BATCH */

TEST(batch_ioctls_not_in_this_header)
{
	SKIP(return, "the header has no MBOX_IOC_SEND_BATCH");
}

#endif

TEST_HARNESS_MAIN
