// SPDX-License-Identifier: GPL-2.0
/*
 * mbox data ioctls on a file bound by MBOX_IOC_OPEN (MBOX_FEATURE_FD_IOCTL):
 * MBOX_IOC_SEND, _RECV, _SEND_BATCH and _RECV_BATCH act on the file's
 * mailbox, named by id 0 or by its own id, with the rights the file was
 * opened with; their flags and checks are those they have on /dev/mbox;
 * every other command is ENOTTY there.
 */
#define _GNU_SOURCE

#include "mbox_util.h"
#include "cred_util.h"

#if MBOX_FEATURE_FD_IOCTL	/* 0 when the header lacks it (mbox_util.h) */

#define CAP		4
#define MAX_LEN		64

FIXTURE(bound) {
	int fd;
	__u32 id;
	int mfd;
	unsigned char buf[MAX_LEN];
};

FIXTURE_SETUP(bound)
{
	struct mbox_info info = {};

	self->mfd = -1;
	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	if (!(info.features & MBOX_FEATURE_FD_IOCTL))
		SKIP(return, "the module lacks MBOX_FEATURE_FD_IOCTL");
	self->id = NEW_MBOX(self->fd, CAP, MAX_LEN);
	self->mfd = mbox_open_id(self->fd, self->id, MBOX_FD_CLOEXEC);
	ASSERT_LE(0, self->mfd) TH_LOG("MBOX_IOC_OPEN: %s",
				       strerror(-self->mfd));
}

FIXTURE_TEARDOWN(bound)
{
	mbox_cleanup(self->fd);
	if (self->mfd >= 0)
		close(self->mfd);
}

static __u32 queued(int fd, __u32 id)
{
	struct mbox_stat st;

	return mbox_stat_id(fd, id, &st) ? ~0U : st.msgs;
}

static __u64 sent(int fd, __u32 id)
{
	struct mbox_stat st;

	return mbox_stat_id(fd, id, &st) ? ~0ULL : st.sent_msgs;
}

TEST(the_module_announces_mbox_feature_fd_ioctl)
{
	struct mbox_info info = {};
	int fd;

	MBOX_OPEN_OR_SKIP(&fd);
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_TRUE(info.features & MBOX_FEATURE_FD_IOCTL);
	close(fd);
}

TEST_F(bound, send_with_id_0_queues_on_the_files_mailbox)
{
	__u64 len = MAX_LEN;

	ASSERT_EQ(0, mbox_put(self->mfd, 0, "hello", 5, 0));
	EXPECT_EQ(1U, queued(self->fd, self->id));
	EXPECT_EQ(5, mbox_get(self->fd, self->id, self->buf, &len,
			      MBOX_NONBLOCK));
	EXPECT_EQ(0, memcmp(self->buf, "hello", 5));
}

TEST_F(bound, send_with_the_mailboxs_own_id_works_too)
{
	ASSERT_EQ(0, mbox_put(self->mfd, self->id, "x", 1, 0));
	EXPECT_EQ(1U, queued(self->fd, self->id));
}

TEST_F(bound, send_with_another_mailboxs_id_is_einval_and_sends_nothing)
{
	__u32 other = NEW_MBOX(self->fd, CAP, MAX_LEN);

	EXPECT_EQ(-EINVAL, mbox_put(self->mfd, other, "x", 1, 0));
	EXPECT_EQ(0ULL, sent(self->fd, self->id));
	EXPECT_EQ(0ULL, sent(self->fd, other));
}

TEST_F(bound, recv_with_another_mailboxs_id_is_einval_and_takes_nothing)
{
	__u32 other = NEW_MBOX(self->fd, CAP, MAX_LEN);
	__u64 len = MAX_LEN;

	ASSERT_EQ(0, mbox_put(self->fd, self->id, "a", 1, 0));
	ASSERT_EQ(0, mbox_put(self->fd, other, "b", 1, 0));
	EXPECT_EQ(-EINVAL, mbox_get(self->mfd, other, self->buf, &len,
				    MBOX_NONBLOCK));
	EXPECT_EQ(1U, queued(self->fd, self->id));
	EXPECT_EQ(1U, queued(self->fd, other));
}

TEST_F(bound, recv_reports_the_message_as_on_dev_mbox)
{
	struct mbox_send s = {
		.buf = (uintptr_t)"typed",
		.len = 5,
		.type = 7,
	};
	struct mbox_recv r = {
		.flags = MBOX_NONBLOCK,
		.buf = (uintptr_t)self->buf,
		.len = sizeof(self->buf),
	};

	ASSERT_EQ(0, mbox_put(self->fd, self->id, "first", 5, 0));
	ASSERT_EQ(0, ioc_send(self->mfd, &s));
	ASSERT_EQ(5, ioc_recv(self->mfd, &r));
	EXPECT_EQ(0, memcmp(self->buf, "first", 5));
	EXPECT_EQ(1ULL, r.seq);
	ASSERT_EQ(5, ioc_recv(self->mfd, &r));
	EXPECT_EQ(0, memcmp(self->buf, "typed", 5));
	EXPECT_EQ(7U, r.type);
	EXPECT_EQ(5ULL, r.len);
	EXPECT_EQ(5ULL, r.msg_len);
	EXPECT_EQ(2ULL, r.seq);
	EXPECT_EQ(getpid(), r.pid);
	EXPECT_EQ(geteuid(), r.uid);
	EXPECT_NE(0ULL, r.send_ns);
}

TEST_F(bound, recv_selects_by_type_as_on_dev_mbox)
{
	struct mbox_send s = { .buf = (uintptr_t)"t", .len = 1, .type = 3 };
	struct mbox_recv r = {
		.flags = MBOX_NONBLOCK | MBOX_RECV_TYPE,
		.buf = (uintptr_t)self->buf,
		.len = sizeof(self->buf),
		.type = 3,
	};

	ASSERT_EQ(0, mbox_put(self->mfd, 0, "u", 1, 0));
	ASSERT_EQ(0, ioc_send(self->mfd, &s));
	ASSERT_EQ(1, ioc_recv(self->mfd, &r));
	EXPECT_EQ('t', self->buf[0]);
	EXPECT_EQ(1U, queued(self->fd, self->id));
}

/* Each invalid input alone, on the bound file: its errno, no effect. */

TEST_F(bound, send_unknown_flag_is_einval)
{
	EXPECT_EQ(-EINVAL, mbox_put(self->mfd, 0, "x", 1, 1U << 31));
	EXPECT_EQ(0ULL, sent(self->fd, self->id));
}

TEST_F(bound, send_reserved_field_is_einval)
{
	struct mbox_send s = { .buf = (uintptr_t)"x", .len = 1,
			       .__reserved = 1 };

	EXPECT_EQ(-EINVAL, ioc_send(self->mfd, &s));
	EXPECT_EQ(0ULL, sent(self->fd, self->id));
}

TEST_F(bound, send_above_max_msg_size_is_emsgsize)
{
	unsigned char big[MAX_LEN + 1] = {};

	EXPECT_EQ(-EMSGSIZE, mbox_put(self->mfd, 0, big, sizeof(big), 0));
	EXPECT_EQ(0ULL, sent(self->fd, self->id));
}

TEST_F(bound, send_from_unreadable_memory_is_efault)
{
	void *page = mbox_map_with_holes(1, 1);

	ASSERT_NE(NULL, page);
	EXPECT_EQ(-EFAULT, mbox_put(self->mfd, 0, page, 8, 0));
	EXPECT_EQ(0ULL, sent(self->fd, self->id));
}

TEST_F(bound, recv_into_unwritable_memory_is_efault_and_the_message_stays)
{
	void *page = mbox_map_with_holes(1, 1);
	__u64 len = MAX_LEN;

	ASSERT_NE(NULL, page);
	ASSERT_EQ(0, mbox_put(self->fd, self->id, "stay", 4, 0));
	EXPECT_EQ(-EFAULT, mbox_get(self->mfd, 0, page, &len, MBOX_NONBLOCK));
	EXPECT_EQ(1U, queued(self->fd, self->id));
}

TEST_F(bound, recv_with_a_short_buffer_is_emsgsize_and_the_message_stays)
{
	__u64 len = 3;

	ASSERT_EQ(0, mbox_put(self->fd, self->id, "four", 4, 0));
	EXPECT_EQ(-EMSGSIZE, mbox_get(self->mfd, 0, self->buf, &len,
				      MBOX_NONBLOCK));
	EXPECT_EQ(4ULL, len);
	EXPECT_EQ(1U, queued(self->fd, self->id));
}

TEST_F(bound, recv_from_empty_with_mbox_nonblock_is_eagain)
{
	__u64 len = MAX_LEN;

	EXPECT_EQ(-EAGAIN, mbox_get(self->mfd, 0, self->buf, &len,
				    MBOX_NONBLOCK));
}

TEST_F(bound, send_to_a_full_mailbox_with_mbox_nonblock_is_eagain)
{
	int i;

	for (i = 0; i < CAP; i++)
		ASSERT_EQ(0, mbox_put(self->mfd, 0, "f", 1, MBOX_NONBLOCK));
	EXPECT_EQ(-EAGAIN, mbox_put(self->mfd, 0, "f", 1, MBOX_NONBLOCK));
	EXPECT_EQ((__u64)CAP, sent(self->fd, self->id));
}

TEST_F(bound, the_files_o_nonblock_does_not_change_the_ioctls_waiting)
{
	struct mbox_recv r = {
		.flags = MBOX_TIMEOUT,
		.timeout_ns = 30 * 1000 * 1000,
		.buf = (uintptr_t)self->buf,
		.len = sizeof(self->buf),
	};
	int nb = mbox_open_id(self->fd, self->id, MBOX_FD_NONBLOCK);

	ASSERT_LE(0, nb);
	/* read() would say EAGAIN; the ioctl waits as its flags say. */
	EXPECT_EQ(-ETIMEDOUT, ioc_recv(nb, &r));
	close(nb);
}

TEST_F(bound, a_blocking_recv_waits_for_a_send_from_another_process)
{
	__u64 len = MAX_LEN;
	pid_t pid;

	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		mbox_msleep(100);
		_exit(mbox_put(self->fd, self->id, "late", 4, 0) ? 1 : 0);
	}
	EXPECT_EQ(4, mbox_get(self->mfd, 0, self->buf, &len, 0));
	EXPECT_EQ(0, memcmp(self->buf, "late", 4));
	EXPECT_EQ(0, mbox_child_result(pid, 10000));
}

TEST_F(bound, batches_send_and_receive_in_order_with_id_0)
{
	struct mbox_batch_msg sv[CAP], rv[CAP];
	char in[CAP][8];
	struct mbox_batch b;
	int i;

	for (i = 0; i < CAP; i++) {
		sv[i] = (struct mbox_batch_msg){ .buf = (uintptr_t)"0123",
						 .len = 1 + i, .type = i };
		rv[i] = (struct mbox_batch_msg){ .buf = (uintptr_t)in[i],
						 .len = sizeof(in[i]) };
	}
	b = (struct mbox_batch){ .msgs = (uintptr_t)sv, .count = CAP };
	ASSERT_EQ(CAP, mbox_ioctl(self->mfd, MBOX_IOC_SEND_BATCH, &b));
	b = (struct mbox_batch){ .msgs = (uintptr_t)rv, .count = CAP,
				 .flags = MBOX_NONBLOCK };
	ASSERT_EQ(CAP, mbox_ioctl(self->mfd, MBOX_IOC_RECV_BATCH, &b));
	for (i = 0; i < CAP; i++) {
		EXPECT_EQ((__u64)(1 + i), rv[i].len);
		EXPECT_EQ((__u32)i, rv[i].type);
		EXPECT_EQ((__u64)(1 + i), rv[i].seq);
	}
	EXPECT_EQ(0U, queued(self->fd, self->id));
}

TEST_F(bound, batch_with_another_mailboxs_id_is_einval)
{
	__u32 other = NEW_MBOX(self->fd, CAP, MAX_LEN);
	struct mbox_batch_msg m = { .buf = (uintptr_t)"x", .len = 1 };
	struct mbox_batch b = { .id = other, .msgs = (uintptr_t)&m,
				.count = 1 };

	EXPECT_EQ(-EINVAL, mbox_ioctl(self->mfd, MBOX_IOC_SEND_BATCH, &b));
	EXPECT_EQ(-EINVAL, mbox_ioctl(self->mfd, MBOX_IOC_RECV_BATCH, &b));
	EXPECT_EQ(0ULL, sent(self->fd, other));
	EXPECT_EQ(0ULL, sent(self->fd, self->id));
}

TEST_F(bound, every_other_command_is_enotty_and_does_nothing)
{
	char name[] = "bound-enotty";
	struct mbox_info info = {};
	struct mbox_create cr = { .capacity = 1, .max_msg_size = 1,
				  .name = (uintptr_t)name };
	struct mbox_destroy d = { .id = self->id };
	struct mbox_stat st = { .id = self->id };
	struct mbox_open o = { .id = self->id };
	struct mbox_lookup l = { .name = (uintptr_t)name };
	struct mbox_set set = { .id = self->id, .flags = MBOX_SET_MODE };
	__u32 before = mbox_nr_mailboxes(self->fd);

	EXPECT_EQ(-ENOTTY, mbox_ioctl(self->mfd, MBOX_IOC_INFO, &info));
	EXPECT_EQ(-ENOTTY, mbox_ioctl(self->mfd, MBOX_IOC_CREATE, &cr));
	EXPECT_EQ(-ENOTTY, mbox_ioctl(self->mfd, MBOX_IOC_DESTROY, &d));
	EXPECT_EQ(-ENOTTY, mbox_ioctl(self->mfd, MBOX_IOC_STAT, &st));
	EXPECT_EQ(-ENOTTY, mbox_ioctl(self->mfd, MBOX_IOC_OPEN, &o));
	EXPECT_EQ(-ENOTTY, mbox_ioctl(self->mfd, MBOX_IOC_LOOKUP, &l));
	EXPECT_EQ(-ENOTTY, mbox_ioctl(self->mfd, MBOX_IOC_SET, &set));
	EXPECT_EQ(-ENOTTY, mbox_ioctl(self->mfd, _IO('T', 1), NULL));
	EXPECT_EQ(before, mbox_nr_mailboxes(self->fd));
	EXPECT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(0600U, st.mode);
}

TEST_F(bound, after_destroy_send_and_recv_are_eidrm)
{
	__u64 len = MAX_LEN;

	ASSERT_EQ(0, mbox_del(self->fd, self->id));
	EXPECT_EQ(-EIDRM, mbox_put(self->mfd, 0, "x", 1, MBOX_NONBLOCK));
	EXPECT_EQ(-EIDRM, mbox_get(self->mfd, 0, self->buf, &len,
				   MBOX_NONBLOCK));
}

/*
 * Rights: the file's, as for read() and write().  These run as CU_OWNER,
 * with no capability, on a mailbox of its own.
 */
struct rights_case {
	__u32 mode;	/* the mailbox's mode when the file is opened */
	int expect_send, expect_recv;
};

static int rights_child(int fd, void *arg)
{
	const struct rights_case *c = arg;
	unsigned char buf[MAX_LEN];
	__u64 len = sizeof(buf);
	int id, mfd, ret;

	(void)fd;
	if (cu_become_class(0))
		return -200;
	fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -201;
	id = cu_new_mode(fd, CAP, MAX_LEN, 0600);
	if (id < 0)
		return -202;
	/* One message, so that a receive that is allowed succeeds. */
	if (mbox_put(fd, id, "m", 1, 0))
		return -203;
	if (c->mode != 0600) {
		struct mbox_set set = { .id = id, .flags = MBOX_SET_MODE,
					.mode = c->mode };

		if (cu_set(fd, &set))
			return -204;
	}
	mfd = mbox_open_id(fd, id, 0);
	if (mfd < 0)
		return -205;
	ret = mbox_put(mfd, 0, "n", 1, MBOX_NONBLOCK);
	if (ret != c->expect_send)
		return -206;
	ret = mbox_get(mfd, 0, buf, &len, MBOX_NONBLOCK);
	if (ret != c->expect_recv)
		return -207;
	if (ret < 0) {
		/* It took nothing: both messages are still there. */
		struct mbox_set set = { .id = id, .flags = MBOX_SET_MODE,
					.mode = 0600 };
		struct mbox_stat st;

		if (cu_set(fd, &set) || mbox_stat_id(fd, id, &st) ||
		    st.msgs != 2)
			return -212;
	}
	/* Taking the rights away now changes nothing for the open file. */
	if (c->mode == 0600) {
		struct mbox_set set = { .id = id, .flags = MBOX_SET_MODE,
					.mode = 0 };

		if (cu_set(fd, &set))
			return -208;
		if (mbox_put(fd, id, "o", 1, MBOX_NONBLOCK) != -EACCES)
			return -209;
		if (mbox_put(mfd, 0, "p", 1, MBOX_NONBLOCK))
			return -210;
		len = sizeof(buf);
		if (mbox_get(mfd, 0, buf, &len, MBOX_NONBLOCK) != 1)
			return -211;
	}
	mbox_del(fd, id);
	return 0;
}

static void skip_unless_root_with_perms(struct __test_metadata *_metadata,
					int fd)
{
	struct mbox_info info = {};

	if (ioc_info(fd, &info) || !(info.features & MBOX_FEATURE_PERMS) ||
	    getuid() != 0)
		SKIP(return, "needs MBOX_FEATURE_PERMS and root");
}

TEST_F(bound, send_on_a_file_without_write_access_is_ebadf)
{
	struct rights_case c = { .mode = 0400, .expect_send = -EBADF,
				 .expect_recv = 1 };

	skip_unless_root_with_perms(_metadata, self->fd);
	if (_metadata->skip)
		return;
	EXPECT_EQ(0, cu_run(self->fd, rights_child, &c));
}

TEST_F(bound, recv_on_a_file_without_read_access_is_ebadf_and_takes_nothing)
{
	struct rights_case c = { .mode = 0200, .expect_send = 0,
				 .expect_recv = -EBADF };

	skip_unless_root_with_perms(_metadata, self->fd);
	if (_metadata->skip)
		return;
	EXPECT_EQ(0, cu_run(self->fd, rights_child, &c));
}

TEST_F(bound, rights_are_fixed_when_the_file_is_opened)
{
	struct rights_case c = { .mode = 0600, .expect_send = 0,
				 .expect_recv = 1 };

	skip_unless_root_with_perms(_metadata, self->fd);
	if (_metadata->skip)
		return;
	EXPECT_EQ(0, cu_run(self->fd, rights_child, &c));
}

#else

TEST(mbox_feature_fd_ioctl_not_in_this_header)
{
	SKIP(return, "include/uapi/linux/mbox.h lacks MBOX_FEATURE_FD_IOCTL");
}

#endif

TEST_HARNESS_MAIN
