// SPDX-License-Identifier: GPL-2.0
/*
 * Which errno wins when a call has several faults: the order of checks the
 * uapi header and Documentation/mbox.rst ("Which error is reported")
 * promise.  A call fails at the first of these stages that finds a fault:
 *
 *   1. the command (ENOTTY);
 *   2. the argument struct's size (EINVAL);
 *   3. reading the struct (E2BIG, EFAULT);
 *   4. the struct's own fields, checked without a mailbox (EINVAL);
 *   5. the name a create or lookup passes (EFAULT, ENAMETOOLONG, EINVAL;
 *      then EPERM for a create of a kernel name);
 *   6. finding the mailbox (ENOENT; on a mailbox file, EINVAL for another
 *      id, EBADF for a missing right);
 *   7. the caller's rights (EACCES; EPERM for destroy and set);
 *   8. the rest, in the order each command lists.
 *
 * Each test gives one call two faults of different stages (or of ordered
 * parts of stage 8) and expects the earlier one's errno.
 */
#define _GNU_SOURCE

#include "cred_util.h"

#define MSG_LEN		16

FIXTURE(eo) {
	int fd;
	void *hole;		/* a page no call may read or write */
	long long saved_max;	/* max_mailboxes_per_ns, or -1 if not changed */
};

FIXTURE_SETUP(eo)
{
	self->saved_max = -1;
	MBOX_OPEN_OR_SKIP(&self->fd);
	self->hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	ASSERT_NE(MAP_FAILED, self->hole);
}

FIXTURE_TEARDOWN(eo)
{
	if (self->saved_max >= 0)
		cu_param_set("max_mailboxes_per_ns", self->saved_max);
	mbox_cleanup(self->fd);
	if (self->hole != MAP_FAILED)
		munmap(self->hole, 4096);
}

/*
 * The mailboxes of the caller's IPC namespace, the initial one here: the
 * limit that binds its creates is max_mailboxes_per_ns (max_mailboxes
 * counts the other namespaces only, MBOX_FEATURE_NS_SHARES).
 */
static __u32 ns_mailboxes(int fd)
{
	struct mbox_info info;

	memset(&info, 0, sizeof(info));
	return ioc_info(fd, &info) ? UINT32_MAX : info.nr_mailboxes;
}

static int tsend(int fd, __u32 id, __u32 flags, const void *buf, __u64 len)
{
	struct mbox_send s = {
		.id = id,
		.flags = flags,
		.buf = (__u64)(uintptr_t)buf,
		.len = len,
	};

	return ioc_send(fd, &s);
}

static int trecv(int fd, __u32 id, __u32 flags, void *buf, __u64 len)
{
	struct mbox_recv r = {
		.id = id,
		.flags = flags,
		.buf = (__u64)(uintptr_t)buf,
		.len = len,
	};

	return ioc_recv(fd, &r);
}

TEST_F(eo, enotty_wins_over_a_struct_smaller_than_version_1)
{
	struct mbox_send s = { .flags = ~0U };

	/* MBOX_IOC_SEND's number with the wrong direction and 8 bytes. */
	EXPECT_EQ(-ENOTTY, mbox_ioctl(self->fd,
				      MBOX_CMD(_IOC_READ,
					       _IOC_NR(MBOX_IOC_SEND), 8), &s));
}

TEST_F(eo, e2big_wins_over_an_invalid_flag_and_an_unknown_id)
{
	struct {
		struct mbox_send s;
		__u64 tail;
	} big = {
		.s = { .id = MBOX_ID_NEVER_HI, .flags = 1U << 31 },
		.tail = 1,
	};

	EXPECT_EQ(-E2BIG, mbox_ioctl(self->fd,
				     MBOX_CMD(_IOC_WRITE,
					      _IOC_NR(MBOX_IOC_SEND),
					      sizeof(big)), &big));
}

TEST_F(eo, an_unreadable_struct_is_efault_whatever_its_command_number_says)
{
	EXPECT_EQ(-EFAULT, mbox_ioctl(self->fd, MBOX_IOC_SEND, self->hole));
}

TEST_F(eo, an_invalid_field_wins_over_enoent_for_every_command_taking_an_id)
{
	struct mbox_destroy d = { .id = MBOX_ID_NEVER_HI, .flags = 1 };
	struct mbox_stat st = { .id = MBOX_ID_NEVER_HI, .flags = 1U << 31 };
	struct mbox_open o = { .id = MBOX_ID_NEVER_HI, .flags = 1U << 31 };
	struct mbox_set set = { .id = MBOX_ID_NEVER_HI, .flags = 1U << 31 };
	struct mbox_batch bt = { .id = MBOX_ID_NEVER_HI, .count = 0 };

	EXPECT_EQ(-EINVAL, tsend(self->fd, MBOX_ID_NEVER_HI, 1U << 31, NULL, 0));
	EXPECT_EQ(-EINVAL, trecv(self->fd, MBOX_ID_NEVER_HI,
				 MBOX_RECV_TYPE | MBOX_RECV_EXCEPT, NULL, 0));
	EXPECT_EQ(-EINVAL, ioc_destroy(self->fd, &d));
	EXPECT_EQ(-EINVAL, ioc_stat(self->fd, &st));
	EXPECT_EQ(-EINVAL, ioc_open(self->fd, &o));
	EXPECT_EQ(-EINVAL, mbox_ioctl(self->fd, MBOX_IOC_SET, &set));
	EXPECT_EQ(-EINVAL, mbox_ioctl(self->fd, MBOX_IOC_SEND_BATCH, &bt));
	EXPECT_EQ(-EINVAL, mbox_ioctl(self->fd, MBOX_IOC_RECV_BATCH, &bt));
}

TEST_F(eo, an_invalid_create_field_wins_over_an_unreadable_name)
{
	struct mbox_info info = { 0 };
	struct mbox_create c = {
		.max_msg_size = MSG_LEN,
		.name = (__u64)(uintptr_t)self->hole,
	};

	ASSERT_EQ(0, ioc_info(self->fd, &info));
	c.capacity = info.max_capacity + 1;
	EXPECT_EQ(-EINVAL, ioc_create(self->fd, &c));
}

TEST_F(eo, eexist_and_a_taken_names_id_win_over_the_mailbox_limit)
{
	static const char name[] = "errorder-taken";
	struct mbox_create c = {
		.capacity = 1,
		.name = (__u64)(uintptr_t)name,
	};
	int id;

	id = ioc_create(self->fd, &c);
	ASSERT_LT(0, id);
	mbox_track(id);
	self->saved_max = cu_param_read("max_mailboxes_per_ns");
	ASSERT_LT(0, self->saved_max);
	/* As many as exist now: no create may add one. */
	ASSERT_EQ(0, cu_param_set("max_mailboxes_per_ns",
				  ns_mailboxes(self->fd)));
	EXPECT_EQ(-ENOSPC, mbox_new(self->fd, 1, 0));
	EXPECT_EQ(id, ioc_create(self->fd, &c));
	c.flags = MBOX_CREATE_EXCL;
	EXPECT_EQ(-EEXIST, ioc_create(self->fd, &c));
}

TEST_F(eo, a_kernel_name_is_eperm_after_the_names_own_checks_and_before_the_limit)
{
	struct mbox_info info = { 0 };
	struct mbox_create c = { .capacity = 1 };
	int id;

	ASSERT_EQ(0, ioc_info(self->fd, &info));
	if (!(info.features & MBOX_FEATURE_KERNEL_NAMES))
		SKIP(return, "no MBOX_FEATURE_KERNEL_NAMES");
	/* An invalid field, then an invalid name, win over EPERM. */
	c.name = (__u64)(uintptr_t)MBOX_KERNEL_NAME_PREFIX "errorder";
	c.capacity = info.max_capacity + 1;
	EXPECT_EQ(-EINVAL, ioc_create(self->fd, &c));
	c.capacity = 1;
	c.name = (__u64)(uintptr_t)MBOX_KERNEL_NAME_PREFIX "error/order";
	EXPECT_EQ(-EINVAL, ioc_create(self->fd, &c));

	/* EPERM wins over the mailbox limit. */
	id = mbox_new(self->fd, 1, 0);
	ASSERT_LT(0, id);
	mbox_track(id);
	self->saved_max = cu_param_read("max_mailboxes_per_ns");
	ASSERT_LT(0, self->saved_max);
	ASSERT_EQ(0, cu_param_set("max_mailboxes_per_ns",
				  ns_mailboxes(self->fd)));
	c.name = (__u64)(uintptr_t)MBOX_KERNEL_NAME_PREFIX "errorder";
	EXPECT_EQ(-EPERM, ioc_create(self->fd, &c));
	EXPECT_EQ(-ENOSPC, mbox_new(self->fd, 1, 0));
}

/* Child bodies: as another user, with no capability. */
static int send_as_other(int fd, void *arg)
{
	__u32 id = *(__u32 *)arg;
	char b[2 * MSG_LEN] = { 0 };
	int ret = cu_become_class(2);

	return ret ?: tsend(fd, id, MBOX_NONBLOCK, b, sizeof(b));
}

static int recv_as_other(int fd, void *arg)
{
	__u32 id = *(__u32 *)arg;
	int ret = cu_become_class(2);

	return ret ?: trecv(fd, id, MBOX_NONBLOCK, (void *)1, MSG_LEN);
}

static int set_as_other(int fd, void *arg)
{
	struct mbox_set set = {
		.id = *(__u32 *)arg,
		.flags = MBOX_SET_CAPACITY,
		.capacity = 1,
	};
	int ret = cu_become_class(2);

	return ret ?: cu_set(fd, &set);
}

TEST_F(eo, eacces_wins_over_emsgsize_on_send)
{
	int id = cu_new_mode(self->fd, 1, MSG_LEN, 0600);

	ASSERT_LT(0, id);
	mbox_track(id);
	EXPECT_EQ(-EACCES, cu_run(self->fd, send_as_other, &id));
}

TEST_F(eo, eacces_wins_over_eagain_and_efault_on_recv)
{
	int id = cu_new_mode(self->fd, 1, MSG_LEN, 0600);

	ASSERT_LT(0, id);
	mbox_track(id);
	EXPECT_EQ(-EACCES, cu_run(self->fd, recv_as_other, &id));
}

TEST_F(eo, eperm_wins_over_a_capacity_that_would_end_a_rendezvous)
{
	__u32 id = NEW_MBOX(self->fd, 0, MSG_LEN);
	struct mbox_set set = {
		.id = id,
		.flags = MBOX_SET_CAPACITY,
		.capacity = 1,
	};

	EXPECT_EQ(-EPERM, cu_run(self->fd, set_as_other, &id));
	/* The owner gets the capacity's own error. */
	EXPECT_EQ(-EINVAL, cu_set(self->fd, &set));
}

TEST_F(eo, a_capacity_that_would_end_a_rendezvous_wins_over_the_capacity_limit)
{
	__u32 rdv = NEW_MBOX(self->fd, 0, MSG_LEN);
	__u32 buf = NEW_MBOX(self->fd, 1, MSG_LEN);
	struct mbox_info info = { 0 };
	struct mbox_set set = { .flags = MBOX_SET_CAPACITY };

	ASSERT_EQ(0, ioc_info(self->fd, &info));
	ASSERT_EQ(0, cu_drop_cap(CAP_SYS_RESOURCE));
	set.capacity = info.max_capacity + 1;
	set.id = rdv;
	EXPECT_EQ(-EINVAL, cu_set(self->fd, &set));
	set.id = buf;
	EXPECT_EQ(-EPERM, cu_set(self->fd, &set));
}

TEST_F(eo, an_unwritable_struct_is_efault_only_after_every_other_check)
{
	static const char name[] = "errorder-readonly";
	struct mbox_create c = {
		.capacity = 1,
		.max_msg_size = MSG_LEN,
		.name = (__u64)(uintptr_t)name,
	};
	char b[MSG_LEN] = { 0 };
	struct mbox_lookup *l;
	struct mbox_recv *r;
	__u64 len = sizeof(b);
	void *page;
	int id;

	id = ioc_create(self->fd, &c);
	ASSERT_LT(0, id);
	mbox_track(id);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	l = page;
	r = (struct mbox_recv *)(l + 1);
	l->name = (__u64)(uintptr_t)"errorder-nobody";
	r->id = id;
	r->flags = MBOX_NONBLOCK;
	r->buf = (__u64)(uintptr_t)b;
	r->len = 4;
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ));

	/* Errors found before the struct is written win. */
	EXPECT_EQ(-ENOENT, mbox_ioctl(self->fd, MBOX_IOC_LOOKUP, l));
	EXPECT_EQ(-EAGAIN, ioc_recv(self->fd, r));

	/* Then writing it back fails: a found name, a message too long. */
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ | PROT_WRITE));
	l->name = (__u64)(uintptr_t)name;
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, mbox_ioctl(self->fd, MBOX_IOC_LOOKUP, l));
	ASSERT_EQ(0, tsend(self->fd, id, 0, b, sizeof(b)));
	EXPECT_EQ(-EFAULT, ioc_recv(self->fd, r));
	/* The message stayed. */
	EXPECT_EQ(MSG_LEN, mbox_get(self->fd, id, b, &len, MBOX_NONBLOCK));
	munmap(page, 4096);
}

TEST_F(eo, send_emsgsize_wins_over_an_unreadable_buffer)
{
	__u32 id = NEW_MBOX(self->fd, 1, MSG_LEN);

	EXPECT_EQ(-EMSGSIZE, tsend(self->fd, id, 0, self->hole, MSG_LEN + 1));
}

TEST_F(eo, send_efault_wins_over_eagain)
{
	__u32 id = NEW_MBOX(self->fd, 1, MSG_LEN);
	struct mbox_stat st;

	ASSERT_EQ(0, tsend(self->fd, id, 0, "full", 4));
	EXPECT_EQ(-EFAULT, tsend(self->fd, id, MBOX_NONBLOCK, self->hole,
				 MSG_LEN));
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(1U, st.msgs);
}

TEST_F(eo, recv_eagain_wins_over_an_unwritable_buffer)
{
	__u32 id = NEW_MBOX(self->fd, 1, MSG_LEN);

	EXPECT_EQ(-EAGAIN, trecv(self->fd, id, MBOX_NONBLOCK, self->hole,
				 MSG_LEN));
}

TEST_F(eo, recv_emsgsize_wins_over_an_unwritable_buffer)
{
	__u32 id = NEW_MBOX(self->fd, 1, MSG_LEN);
	char b[MSG_LEN] = { 0 };

	ASSERT_EQ(0, tsend(self->fd, id, 0, b, sizeof(b)));
	EXPECT_EQ(-EMSGSIZE, trecv(self->fd, id, MBOX_NONBLOCK, self->hole, 4));
	EXPECT_EQ(-EFAULT, trecv(self->fd, id, MBOX_NONBLOCK, self->hole,
				 MSG_LEN));
}

TEST_F(eo, on_a_mailbox_file_ebadf_wins_over_emsgsize_and_efault)
{
	__u32 id = NEW_MBOX(self->fd, 1, MSG_LEN);
	struct mbox_send s = {
		.buf = (__u64)(uintptr_t)self->hole,
		.len = MSG_LEN + 1,
	};
	struct mbox_set set = { .id = id, .flags = MBOX_SET_MODE, .mode = 0400 };
	int mfd;

	/* Read-only: the owner, with mode 0400 and without CAP_IPC_OWNER. */
	ASSERT_EQ(0, cu_set(self->fd, &set));
	ASSERT_EQ(0, cu_drop_cap(CAP_IPC_OWNER));
	mfd = mbox_open_id(self->fd, id, MBOX_FD_CLOEXEC);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(O_RDONLY, fcntl(mfd, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(-EBADF, ioc_send(mfd, &s));
	/* A wrong id wins over the missing right. */
	s.id = id + 1;
	EXPECT_EQ(-EINVAL, ioc_send(mfd, &s));
	close(mfd);
}

TEST_HARNESS_MAIN
