// SPDX-License-Identifier: GPL-2.0
/*
 * mbox lifetimes: a mailbox created with MBOX_CREATE_AUTODESTROY lives as
 * long as the /dev/mbox file it was created through (its last close, by
 * close(), exit or SIGKILL, destroys it and wakes its waiters with EIDRM);
 * any other mailbox lives until MBOX_IOC_DESTROY, whatever happens to its
 * creator.
 */
#define _GNU_SOURCE
#include <poll.h>

#include "mbox_util.h"

#define WAIT_MS		5000

/* What a creator child made, in memory shared with the test. */
struct creator_out {
	int ready;
	int err;
	__u32 ids[4];
};

FIXTURE(life) {
	int fd;
	struct mbox_info info;
	struct creator_out *out;	/* shared with children */
};

FIXTURE_SETUP(life)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	self->out = mbox_shared_mem(sizeof(*self->out));
	ASSERT_NE(NULL, self->out);
}

FIXTURE_TEARDOWN(life)
{
	mbox_cleanup(self->fd);
	if (self->out)
		munmap(self->out, sizeof(*self->out));
}

static int open_dev(void)
{
	return open(MBOX_DEV, O_RDWR | O_CLOEXEC);
}

/* Create a mailbox through @fd with @flags: its id, or -errno. */
static int create_flags(int fd, __u32 capacity, __u32 max_msg_size,
			__u64 flags)
{
	struct mbox_create c = {
		.capacity = capacity,
		.max_msg_size = max_msg_size,
		.flags = flags,
	};
	int id = ioc_create(fd, &c);

	/* Tracked all the same, in case a test fails before it is gone. */
	if (id > 0)
		mbox_track(id);
	return id;
}

static int exists(int fd, __u32 id)
{
	struct mbox_stat st;

	return mbox_stat_id(fd, id, &st);
}

static __u32 nr_mailboxes(int fd)
{
	struct mbox_info info;

	memset(&info, 0, sizeof(info));
	if (ioc_info(fd, &info))
		return UINT32_MAX;
	return info.nr_mailboxes;
}

/*
 * Child: open /dev/mbox, create @n mailboxes of capacity 1 with @flags (the
 * last one full), report their ids, then sleep until killed.
 */
static void __attribute__((noreturn))
creator_child(struct creator_out *out, int n, __u64 flags)
{
	int fd = open_dev(), id, i, ret;

	if (fd < 0) {
		out->err = errno;
		_exit(MBOX_CHILD_SETUP);
	}
	for (i = 0; i < n; i++) {
		id = create_flags(fd, 1, 8, flags);
		if (id < 0) {
			out->err = -id;
			_exit(MBOX_CHILD_SETUP);
		}
		out->ids[i] = id;
	}
	ret = mbox_put(fd, out->ids[n - 1], "full", 4, MBOX_NONBLOCK);
	if (ret) {
		out->err = -ret;
		_exit(MBOX_CHILD_SETUP);
	}
	__atomic_store_n(&out->ready, 1, __ATOMIC_RELEASE);
	for (;;)
		pause();
}

/* Start creator_child() and wait until its mailboxes exist. */
static pid_t spawn_creator(struct __test_metadata *_metadata,
			   struct creator_out *out, int n, __u64 flags)
{
	long long end = mbox_now_ms() + WAIT_MS;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		creator_child(out, n, flags);
	while (!__atomic_load_n(&out->ready, __ATOMIC_ACQUIRE)) {
		ASSERT_TRUE(mbox_alive(pid))
			TH_LOG("creator failed: %s", strerror(out->err));
		ASSERT_GT(end, mbox_now_ms()) TH_LOG("creator never ready");
		mbox_msleep(1);
	}
	return pid;
}

/* A child blocking in a send (@send) or receive on @id; exits with the result. */
static pid_t spawn_waiter(struct __test_metadata *_metadata, int fd,
			  __u32 id, bool send)
{
	char buf[8] = "waiter";
	__u64 len = sizeof(buf);
	pid_t pid = mbox_fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (send)
			_exit(mbox_exit_code(mbox_put(fd, id, buf, len, 0)));
		_exit(mbox_exit_code(mbox_get(fd, id, buf, &len, 0)));
	}
	return pid;
}

TEST_F(life, autodestroy_mailbox_is_destroyed_when_its_file_is_closed)
{
	__u32 before = nr_mailboxes(self->fd);
	char out[4] = "abc", in[4];
	__u64 len = sizeof(in);
	int fd2 = open_dev();
	int id;

	ASSERT_LE(0, fd2);
	id = create_flags(fd2, 2, 8, MBOX_CREATE_AUTODESTROY);
	ASSERT_LT(0, id) TH_LOG("%s", strerror(-id));
	EXPECT_EQ(before + 1, nr_mailboxes(self->fd));

	/* Until then it is a mailbox like any other, to every file. */
	ASSERT_EQ(0, mbox_put(self->fd, id, out, sizeof(out), 0));
	ASSERT_EQ(0, mbox_put(fd2, id, out, sizeof(out), 0));
	EXPECT_EQ((int)sizeof(out), mbox_get(self->fd, id, in, &len, 0));
	EXPECT_EQ(0, exists(self->fd, id));

	ASSERT_EQ(0, close(fd2));
	EXPECT_EQ(-ENOENT, exists(self->fd, id));
	EXPECT_EQ(-ENOENT, mbox_put(self->fd, id, out, sizeof(out), 0));
	EXPECT_EQ(-ENOENT, mbox_del(self->fd, id));
	EXPECT_EQ(before, nr_mailboxes(self->fd));
}

TEST_F(life, closing_a_file_destroys_only_the_autodestroy_mailboxes_it_created)
{
	__u32 before = nr_mailboxes(self->fd);
	int fd2 = open_dev(), fd3 = open_dev();
	int mine[16], kept, other, i;

	ASSERT_LE(0, fd2);
	ASSERT_LE(0, fd3);
	for (i = 0; i < 16; i++) {
		mine[i] = create_flags(fd2, 1, 8, MBOX_CREATE_AUTODESTROY);
		ASSERT_LT(0, mine[i]);
	}
	kept = create_flags(fd2, 1, 8, 0);
	other = create_flags(fd3, 1, 8, MBOX_CREATE_AUTODESTROY);
	ASSERT_LT(0, kept);
	ASSERT_LT(0, other);
	EXPECT_EQ(before + 18, nr_mailboxes(self->fd));

	ASSERT_EQ(0, close(fd2));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(-ENOENT, exists(self->fd, mine[i])) TH_LOG("#%d", i);
	EXPECT_EQ(0, exists(self->fd, kept));
	EXPECT_EQ(0, exists(self->fd, other));
	EXPECT_EQ(before + 2, nr_mailboxes(self->fd));

	ASSERT_EQ(0, close(fd3));
	EXPECT_EQ(-ENOENT, exists(self->fd, other));
	EXPECT_EQ(0, exists(self->fd, kept));
	EXPECT_EQ(before + 1, nr_mailboxes(self->fd));
}

TEST_F(life, creator_sigkill_destroys_its_autodestroy_mailboxes_and_waiters_get_eidrm)
{
	__u32 before = nr_mailboxes(self->fd);
	__u32 empty, full;
	pid_t creator, receiver, sender;

	creator = spawn_creator(_metadata, self->out, 2,
				MBOX_CREATE_AUTODESTROY);
	empty = self->out->ids[0];
	full = self->out->ids[1];
	EXPECT_EQ(before + 2, nr_mailboxes(self->fd));

	receiver = spawn_waiter(_metadata, self->fd, empty, false);
	sender = spawn_waiter(_metadata, self->fd, full, true);
	ASSERT_WAITERS(self->fd, empty, 0, 1);
	ASSERT_WAITERS(self->fd, full, 1, 0);

	ASSERT_EQ(0, kill(creator, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, mbox_child_result(creator, WAIT_MS));
	EXPECT_EQ(EIDRM, mbox_child_result(receiver, WAIT_MS));
	EXPECT_EQ(EIDRM, mbox_child_result(sender, WAIT_MS));
	EXPECT_EQ(-ENOENT, exists(self->fd, empty));
	EXPECT_EQ(-ENOENT, exists(self->fd, full));
	EXPECT_EQ(before, nr_mailboxes(self->fd));
}

TEST_F(life, persistent_mailbox_survives_its_creators_sigkill_and_keeps_its_waiters)
{
	__u32 empty, full;
	pid_t creator, receiver;
	char in[8];
	__u64 len = sizeof(in);
	struct mbox_stat st;

	creator = spawn_creator(_metadata, self->out, 2, 0);
	empty = self->out->ids[0];
	full = self->out->ids[1];
	mbox_track(empty);
	mbox_track(full);
	receiver = spawn_waiter(_metadata, self->fd, empty, false);
	ASSERT_WAITERS(self->fd, empty, 0, 1);

	ASSERT_EQ(0, kill(creator, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, mbox_child_result(creator, WAIT_MS));
	mbox_msleep(50);
	EXPECT_TRUE(mbox_alive(receiver)) TH_LOG("receiver woken");
	ASSERT_EQ(0, mbox_stat_id(self->fd, empty, &st));
	EXPECT_EQ(1U, st.blocked_receivers);
	ASSERT_EQ(0, mbox_stat_id(self->fd, full, &st));
	EXPECT_EQ(1U, st.msgs);
	EXPECT_EQ(0ULL, st.create_flags);

	EXPECT_EQ(4, mbox_get(self->fd, full, in, &len, MBOX_NONBLOCK));
	EXPECT_EQ(0, memcmp(in, "full", 4));
	ASSERT_EQ(0, mbox_put(self->fd, empty, "hi", 2, 0));
	EXPECT_EQ(0, mbox_child_result(receiver, WAIT_MS));
}

TEST_F(life, autodestroy_mailbox_lives_until_the_last_dup_of_its_file_is_closed)
{
	int fd2 = open_dev(), fd3, id;

	ASSERT_LE(0, fd2);
	id = create_flags(fd2, 1, 8, MBOX_CREATE_AUTODESTROY);
	ASSERT_LT(0, id);
	fd3 = dup(fd2);
	ASSERT_LE(0, fd3);
	ASSERT_EQ(0, close(fd2));
	EXPECT_EQ(0, exists(self->fd, id));
	ASSERT_EQ(0, mbox_put(fd3, id, "x", 1, 0));
	ASSERT_EQ(0, close(fd3));
	EXPECT_EQ(-ENOENT, exists(self->fd, id));
}

TEST_F(life, autodestroy_mailbox_lives_until_a_child_sharing_its_file_exits)
{
	int fd2 = open_dev(), go[2], id;
	char c;
	pid_t pid;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, pipe(go));
	id = create_flags(fd2, 1, 8, MBOX_CREATE_AUTODESTROY);
	ASSERT_LT(0, id);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Holds fd2 until the pipe closes. */
		close(go[1]);
		_exit(read(go[0], &c, 1) == 0 ? 0 : MBOX_CHILD_SETUP);
	}
	close(go[0]);
	ASSERT_EQ(0, close(fd2));
	EXPECT_EQ(0, exists(self->fd, id)) TH_LOG("gone while a child has it");
	close(go[1]);
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(-ENOENT, exists(self->fd, id));
}

/* The owner is the file, not the process that made the call. */
TEST_F(life, autodestroy_mailbox_created_by_a_child_through_a_shared_file_outlives_the_child)
{
	int fd2 = open_dev();
	pid_t pid;

	ASSERT_LE(0, fd2);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int id = create_flags(fd2, 1, 8, MBOX_CREATE_AUTODESTROY);

		if (id < 0)
			_exit(mbox_exit_code(id));
		self->out->ids[0] = id;
		_exit(0);
	}
	ASSERT_EQ(0, mbox_child_result(pid, WAIT_MS));
	ASSERT_LT(0U, self->out->ids[0]);
	mbox_track(self->out->ids[0]);
	EXPECT_EQ(0, exists(self->fd, self->out->ids[0]));
	ASSERT_EQ(0, close(fd2));
	EXPECT_EQ(-ENOENT, exists(self->fd, self->out->ids[0]));
}

TEST_F(life, creator_exit_destroys_its_autodestroy_mailbox)
{
	__u32 before = nr_mailboxes(self->fd);
	pid_t pid;

	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open_dev();
		int id = fd < 0 ? -errno :
			 create_flags(fd, 1, 8, MBOX_CREATE_AUTODESTROY);

		if (id < 0)
			_exit(mbox_exit_code(id));
		self->out->ids[0] = id;
		_exit(mbox_exit_code(mbox_put(fd, id, "bye", 3, 0)));
	}
	ASSERT_EQ(0, mbox_child_result(pid, WAIT_MS));
	ASSERT_LT(0U, self->out->ids[0]);
	mbox_track(self->out->ids[0]);
	EXPECT_EQ(-ENOENT, exists(self->fd, self->out->ids[0]));
	EXPECT_EQ(before, nr_mailboxes(self->fd));
}

TEST_F(life, destroying_an_autodestroy_mailbox_before_its_file_closes_is_fine)
{
	__u32 before = nr_mailboxes(self->fd);
	int fd2 = open_dev(), a, b, later, kept;

	ASSERT_LE(0, fd2);
	a = create_flags(fd2, 1, 8, MBOX_CREATE_AUTODESTROY);
	b = create_flags(fd2, 1, 8, MBOX_CREATE_AUTODESTROY);
	ASSERT_LT(0, a);
	ASSERT_LT(0, b);
	/* One by another file, one by the owner itself. */
	EXPECT_EQ(0, mbox_del(self->fd, a));
	EXPECT_EQ(0, mbox_del(fd2, b));
	EXPECT_EQ(-ENOENT, exists(self->fd, a));
	EXPECT_EQ(-ENOENT, mbox_del(fd2, a));
	EXPECT_EQ(before, nr_mailboxes(self->fd));

	later = create_flags(fd2, 1, 8, MBOX_CREATE_AUTODESTROY);
	kept = create_flags(self->fd, 1, 8, 0);
	ASSERT_LT(0, later);
	ASSERT_LT(0, kept);
	ASSERT_EQ(0, close(fd2));
	EXPECT_EQ(-ENOENT, exists(self->fd, later));
	EXPECT_EQ(0, exists(self->fd, kept));
	EXPECT_EQ(before + 1, nr_mailboxes(self->fd));
}

TEST_F(life, stat_reports_the_create_flags)
{
	int fd2 = open_dev(), ad, plain;
	struct mbox_stat st;

	ASSERT_LE(0, fd2);
	ad = create_flags(fd2, 1, 8, MBOX_CREATE_AUTODESTROY);
	plain = create_flags(fd2, 1, 8, 0);
	ASSERT_LT(0, ad);
	ASSERT_LT(0, plain);
	ASSERT_EQ(0, mbox_stat_id(self->fd, ad, &st));
	EXPECT_EQ(MBOX_CREATE_AUTODESTROY, st.create_flags);
	ASSERT_EQ(0, mbox_stat_id(self->fd, plain, &st));
	EXPECT_EQ(0ULL, st.create_flags);
	close(fd2);
}

/* A file from MBOX_IOC_OPEN holds the mailbox's memory, not its life. */
TEST_F(life, a_mailbox_fd_does_not_keep_an_autodestroy_mailbox_alive)
{
	int fd2 = open_dev(), id, mfd;
	struct pollfd p;
	char c = 0;

	ASSERT_LE(0, fd2);
	id = create_flags(fd2, 1, 8, MBOX_CREATE_AUTODESTROY);
	ASSERT_LT(0, id);
	mfd = mbox_open_id(fd2, id, MBOX_FD_CLOEXEC);
	ASSERT_LE(0, mfd) TH_LOG("%s", strerror(-mfd));
	ASSERT_EQ(1, write(mfd, &c, 1));

	ASSERT_EQ(0, close(fd2));
	EXPECT_EQ(-ENOENT, exists(self->fd, id));
	EXPECT_EQ(-1, read(mfd, &c, 1));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(-1, write(mfd, &c, 1));
	EXPECT_EQ(EIDRM, errno);
	p.fd = mfd;
	p.events = POLLIN | POLLOUT;
	p.revents = 0;
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLHUP | POLLERR, p.revents & (POLLHUP | POLLERR));
	close(mfd);
}

TEST_F(life, closing_the_file_frees_the_messages_of_its_autodestroy_mailboxes)
{
	struct mbox_info before, queued, after;
	int fd2 = open_dev(), id, i;
	char buf[100];

	ASSERT_LE(0, fd2);
	memset(buf, 'm', sizeof(buf));
	ASSERT_EQ(0, ioc_info(self->fd, &before));
	id = create_flags(fd2, 8, sizeof(buf), MBOX_CREATE_AUTODESTROY);
	ASSERT_LT(0, id);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, mbox_put(fd2, id, buf, sizeof(buf), 0));
	ASSERT_EQ(0, ioc_info(self->fd, &queued));
	EXPECT_EQ(before.total_msgs + 5, queued.total_msgs);
	EXPECT_EQ(before.total_bytes + 5 * sizeof(buf), queued.total_bytes);
	ASSERT_EQ(0, close(fd2));
	ASSERT_EQ(0, ioc_info(self->fd, &after));
	EXPECT_EQ(before.total_msgs, after.total_msgs);
	EXPECT_EQ(before.total_bytes, after.total_bytes);
	EXPECT_EQ(before.nr_mailboxes, after.nr_mailboxes);
}

TEST_HARNESS_MAIN
