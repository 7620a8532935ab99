// SPDX-License-Identifier: GPL-2.0
/*
 * Ownership and permissions (MBOX_FEATURE_PERMS): every mailbox has an
 * owner, a creator and a mode, checked on every operation as SysV IPC
 * does.  The VM runs the tests as root; each case runs in a child that
 * switches to an unprivileged uid (owner, group member, other) or keeps
 * root but drops one capability.
 *
 * Covered: the default mode and the creator's ids; CREATE's mode and its
 * invalid values; the whole matrix owner/group/other x mode bits x
 * send/receive/peek/stat/list/open/destroy/set; the file's rights;
 * CAP_IPC_OWNER, CAP_SYS_ADMIN and CAP_SYS_RESOURCE; the creator's rights
 * after giving the mailbox away; MBOX_IOC_SET's every invalid input, its
 * effect on waiting senders and queued messages; lookups need no right;
 * owner ids translated into the caller's user namespace.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sched.h>
#include <sys/stat.h>

#include "cred_util.h"

FIXTURE(perm) {
	int fd;
	struct mbox_info info;
};

FIXTURE_SETUP(perm)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	if (!(self->info.features & MBOX_FEATURE_PERMS))
		SKIP(return, "no MBOX_FEATURE_PERMS");
	if (geteuid() != 0)
		SKIP(return, "needs root to switch users");
}

FIXTURE_TEARDOWN(perm)
{
	mbox_cleanup(self->fd);
}

static int stat_of(int fd, __u32 id, struct mbox_stat *st)
{
	return mbox_stat_id(fd, id, st);
}

/* Create as @class's user (cu_become_class) with @mode: the id or -errno. */
struct create_as_arg {
	int class;
	__u32 mode;
	int *id;
};

static int create_as(int fd, void *p)
{
	struct create_as_arg *a = p;
	int ret = cu_become_class(a->class);

	if (ret)
		return ret;
	ret = cu_new_mode(fd, 4, 64, a->mode);
	*a->id = ret;
	return ret < 0 ? ret : 0;
}

static int new_as(int fd, int class, __u32 mode)
{
	int *id = mbox_shared_mem(sizeof(int));
	struct create_as_arg a = { .class = class, .mode = mode, .id = id };
	int ret;

	if (!id)
		return -ENOMEM;
	ret = cu_run(fd, create_as, &a);
	if (!ret) {
		ret = *id;
		mbox_track(ret);
	}
	munmap(id, sizeof(int));
	return ret;
}

TEST_F(perm, default_mode_is_0600_owned_by_the_creators_effective_ids)
{
	struct mbox_stat st;
	int id;

	id = NEW_MBOX(self->fd, 2, 8);
	ASSERT_EQ(0, stat_of(self->fd, id, &st));
	EXPECT_EQ(0600U, st.mode);
	EXPECT_EQ(0U, st.uid);
	EXPECT_EQ(0U, st.gid);
	EXPECT_EQ(0U, st.cuid);
	EXPECT_EQ(0U, st.cgid);

	id = new_as(self->fd, 0, 0640);
	ASSERT_LT(0, id) TH_LOG("create as %d: %d", CU_OWNER, id);
	ASSERT_EQ(0, stat_of(self->fd, id, &st));
	EXPECT_EQ(0640U, st.mode);
	EXPECT_EQ((__u32)CU_OWNER, st.uid);
	EXPECT_EQ((__u32)CU_GROUP, st.gid);
	EXPECT_EQ((__u32)CU_OWNER, st.cuid);
	EXPECT_EQ((__u32)CU_GROUP, st.cgid);
}

TEST_F(perm, create_mode_is_used_as_given_whatever_the_umask)
{
	static const __u32 modes[] = { 0, 0777, 0640, 0002, 0400 };
	struct mbox_stat st;
	unsigned int i;
	int id;

	umask(077);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		id = cu_new_mode(self->fd, 1, 8, modes[i]);
		ASSERT_LT(0, id);
		mbox_track(id);
		ASSERT_EQ(0, stat_of(self->fd, id, &st));
		EXPECT_EQ(modes[i], st.mode);
	}
}

static __u32 nr_mailboxes(int fd)
{
	struct mbox_info info = { 0 };

	return ioc_info(fd, &info) ? UINT_MAX : info.nr_mailboxes;
}

TEST_F(perm, create_bad_mode_or_reserved_is_einval_and_creates_nothing)
{
	__u32 before = nr_mailboxes(self->fd);
	struct mbox_create c = { .capacity = 1, .max_msg_size = 8 };

	c.flags = MBOX_CREATE_MODE;
	c.mode = 01000;
	EXPECT_EQ(-EINVAL, ioc_create(self->fd, &c)) TH_LOG("sticky bit");
	c.mode = 04000;
	EXPECT_EQ(-EINVAL, ioc_create(self->fd, &c)) TH_LOG("setuid bit");
	c.mode = 0x10000;
	EXPECT_EQ(-EINVAL, ioc_create(self->fd, &c)) TH_LOG("bit 16");
	c.mode = UINT_MAX;
	EXPECT_EQ(-EINVAL, ioc_create(self->fd, &c)) TH_LOG("all bits");
	c.flags = 0;
	c.mode = 0600;
	EXPECT_EQ(-EINVAL, ioc_create(self->fd, &c)) TH_LOG("mode without MBOX_CREATE_MODE");
	c.mode = 0;
	c.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioc_create(self->fd, &c)) TH_LOG("__reserved 1");
	c.__reserved = 0x80000000U;
	EXPECT_EQ(-EINVAL, ioc_create(self->fd, &c)) TH_LOG("__reserved bit 31");
	EXPECT_EQ(before, nr_mailboxes(self->fd));
}

/* The matrix: one child per (class, mode) runs every operation. */
enum { OP_STAT, OP_LIST, OP_PEEK, OP_RECV, OP_SEND, OP_OPEN, OP_FD_READ,
       OP_FD_WRITE, OP_ACCMODE, OP_SET, OP_DESTROY, OP_N };

static const char *const op_names[OP_N] = {
	"stat", "list", "peek", "recv", "send", "open", "fd read", "fd write",
	"fd access mode", "set", "destroy",
};

struct matrix_arg {
	int class;
	__u32 id;
	__u32 mode;
	int res[OP_N];
};

static int matrix_child(int fd, void *p)
{
	struct matrix_arg *a = p;
	struct mbox_stat st;
	struct mbox_set set = { .id = a->id, .flags = MBOX_SET_MODE,
				.mode = a->mode };
	char buf[16] = "m";
	__u64 len = sizeof(buf);
	int ret, mfd;

	ret = cu_become_class(a->class);
	if (ret)
		return ret;
	a->res[OP_STAT] = stat_of(fd, a->id, &st);
	memset(&st, 0, sizeof(st));
	st.id = a->id;
	st.flags = MBOX_STAT_NEXT;
	ret = ioc_stat(fd, &st);
	/* 0: listed; 1: skipped. */
	a->res[OP_LIST] = ret == -ENOENT ? 1 : ret ? ret : st.id != a->id;
	a->res[OP_PEEK] = mbox_get(fd, a->id, buf, &len,
				   MBOX_NONBLOCK | MBOX_RECV_PEEK);
	len = sizeof(buf);
	ret = mbox_get(fd, a->id, buf, &len, MBOX_NONBLOCK);
	a->res[OP_RECV] = ret < 0 ? ret : 0;
	a->res[OP_SEND] = mbox_put(fd, a->id, "x", 1, MBOX_NONBLOCK);
	mfd = mbox_open_id(fd, a->id, MBOX_FD_CLOEXEC | MBOX_FD_NONBLOCK);
	a->res[OP_OPEN] = mfd < 0 ? mfd : 0;
	if (mfd >= 0) {
		a->res[OP_ACCMODE] = fcntl(mfd, F_GETFL) & O_ACCMODE;
		a->res[OP_FD_READ] = read(mfd, buf, sizeof(buf)) < 0 ? -errno : 0;
		a->res[OP_FD_WRITE] = write(mfd, "y", 1) < 0 ? -errno : 0;
		close(mfd);
	}
	a->res[OP_SET] = cu_set(fd, &set);
	a->res[OP_DESTROY] = mbox_del(fd, a->id);
	return 0;
}

static void check_matrix(struct __test_metadata *_metadata, int fd,
			 int class, __u32 mode, struct matrix_arg *a)
{
	int bits = (class == 0 ? mode >> 6 : class == 1 ? mode >> 3 : mode) & 7;
	bool r = bits & 4, w = bits & 2;
	int want[OP_N];
	struct mbox_stat st;
	int i, ret, id;

	id = cu_new_mode(fd, 8, 16, mode);
	ASSERT_LT(0, id);
	mbox_track(id);
	/* Root (creator, and CAP_IPC_OWNER) fills it, then gives it away. */
	ASSERT_EQ(0, mbox_put(fd, id, "a", 1, MBOX_NONBLOCK));
	ASSERT_EQ(0, mbox_put(fd, id, "b", 1, MBOX_NONBLOCK));
	ASSERT_EQ(0, mbox_put(fd, id, "c", 1, MBOX_NONBLOCK));
	struct mbox_set set = { .id = id, .flags = MBOX_SET_OWNER,
				.uid = CU_OWNER, .gid = CU_GROUP };
	ASSERT_EQ(0, cu_set(fd, &set));

	memset(a, 0, sizeof(*a));
	a->class = class;
	a->id = id;
	a->mode = mode;
	for (i = 0; i < OP_N; i++)
		a->res[i] = 12345;
	ASSERT_EQ(0, cu_run(fd, matrix_child, a));

	want[OP_STAT] = r ? 0 : -EACCES;
	want[OP_LIST] = r ? 0 : 1;
	want[OP_PEEK] = r ? 1 : -EACCES;
	want[OP_RECV] = r ? 0 : -EACCES;
	want[OP_SEND] = w ? 0 : -EACCES;
	want[OP_OPEN] = (r || w) ? 0 : -EACCES;
	want[OP_ACCMODE] = !(r || w) ? 12345 :
			   r && w ? O_RDWR : r ? O_RDONLY : O_WRONLY;
	want[OP_FD_READ] = !(r || w) ? 12345 : r ? 0 : -EBADF;
	want[OP_FD_WRITE] = !(r || w) ? 12345 : w ? 0 : -EBADF;
	want[OP_SET] = class == 0 ? 0 : -EPERM;
	want[OP_DESTROY] = class == 0 ? 0 : -EPERM;
	for (i = 0; i < OP_N; i++) {
		EXPECT_EQ(want[i], a->res[i])
			TH_LOG("class %s, mode %04o: %s gave %d, not %d",
			       class == 0 ? "owner" : class == 1 ? "group" :
			       "other", mode, op_names[i], a->res[i], want[i]);
	}
	ret = stat_of(fd, id, &st);
	if (class == 0) {
		EXPECT_EQ(-ENOENT, ret) TH_LOG("the owner destroyed it");
		return;
	}
	/* Denials changed nothing; what was allowed did what it says. */
	ASSERT_EQ(0, ret);
	EXPECT_EQ(mode, st.mode);
	EXPECT_EQ((__u32)CU_OWNER, st.uid);
	EXPECT_EQ(3U - (r ? 2 : 0) + (w ? 2 : 0), st.msgs)
		TH_LOG("class %d mode %04o", class, mode);
	EXPECT_EQ(0, mbox_del(fd, id));
}

TEST_F_TIMEOUT(perm, matrix_of_owner_group_other_by_mode_bits_and_every_operation, 120)
{
	static const __u32 modes[] = {
		0, 0400, 0200, 0600, 0040, 0020, 0060, 0004, 0002, 0006,
		0777, 0066, 0606, 0460,
	};
	struct matrix_arg *a = mbox_shared_mem(sizeof(*a));
	unsigned int m;
	int class;

	ASSERT_NE(NULL, a);
	for (class = 0; class < 3; class++) {
		for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
			check_matrix(_metadata, self->fd, class, modes[m], a);
	}
	munmap(a, sizeof(*a));
}

/* A root child without capability @arg (if >= 0) works on mailbox @id. */
struct root_arg {
	int drop_cap;
	__u32 id;
	int res[6];
};

static int root_child(int fd, void *p)
{
	struct root_arg *a = p;
	struct mbox_stat st;
	struct mbox_set set = { .id = a->id, .flags = MBOX_SET_MODE,
				.mode = 0 };
	char buf[8];
	__u64 len = sizeof(buf);
	int ret, mfd;

	if (a->drop_cap >= 0) {
		ret = cu_drop_cap(a->drop_cap);
		if (ret)
			return ret;
	}
	a->res[0] = mbox_put(fd, a->id, "r", 1, MBOX_NONBLOCK);
	ret = mbox_get(fd, a->id, buf, &len, MBOX_NONBLOCK);
	a->res[1] = ret < 0 ? ret : 0;
	a->res[2] = stat_of(fd, a->id, &st);
	mfd = mbox_open_id(fd, a->id, MBOX_FD_CLOEXEC);
	a->res[3] = mfd < 0 ? mfd : 0;
	if (mfd >= 0)
		close(mfd);
	a->res[4] = cu_set(fd, &set);
	return 0;
}

TEST_F(perm, cap_ipc_owner_bypasses_the_mode_and_nothing_else_does_for_root)
{
	struct root_arg *a = mbox_shared_mem(sizeof(*a));
	int i, id;

	ASSERT_NE(NULL, a);
	id = new_as(self->fd, 0, 0);
	ASSERT_LT(0, id);

	/* Root is neither owner nor creator here: CAP_IPC_OWNER lets it in. */
	a->drop_cap = -1;
	a->id = id;
	ASSERT_EQ(0, cu_run(self->fd, root_child, a));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, a->res[i]) TH_LOG("op %d with CAP_IPC_OWNER", i);
	EXPECT_EQ(0, a->res[4]) TH_LOG("set with CAP_SYS_ADMIN");

	a->drop_cap = CAP_IPC_OWNER;
	ASSERT_EQ(0, cu_run(self->fd, root_child, a));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(-EACCES, a->res[i]) TH_LOG("op %d without CAP_IPC_OWNER", i);
	EXPECT_EQ(0, a->res[4]) TH_LOG("set needs CAP_SYS_ADMIN, not CAP_IPC_OWNER");
}

struct admin_arg {
	int drop_cap;
	__u32 id;
	int res[2];
};

static int admin_child(int fd, void *p)
{
	struct admin_arg *a = p;
	struct mbox_set set = { .id = a->id, .flags = MBOX_SET_MODE,
				.mode = 0666 };
	int ret;

	if (a->drop_cap >= 0) {
		ret = cu_drop_cap(a->drop_cap);
		if (ret)
			return ret;
	}
	a->res[0] = cu_set(fd, &set);
	a->res[1] = mbox_del(fd, a->id);
	return 0;
}

TEST_F(perm, cap_sys_admin_lets_a_non_owner_destroy_and_set)
{
	struct admin_arg *a = mbox_shared_mem(sizeof(*a));
	struct mbox_stat st;
	int id;

	ASSERT_NE(NULL, a);
	id = new_as(self->fd, 0, 0666);
	ASSERT_LT(0, id);
	a->id = id;
	a->drop_cap = CAP_SYS_ADMIN;
	ASSERT_EQ(0, cu_run(self->fd, admin_child, a));
	EXPECT_EQ(-EPERM, a->res[0]);
	EXPECT_EQ(-EPERM, a->res[1]);
	ASSERT_EQ(0, stat_of(self->fd, id, &st));
	EXPECT_EQ(0666U, st.mode);

	a->drop_cap = -1;
	ASSERT_EQ(0, cu_run(self->fd, admin_child, a));
	EXPECT_EQ(0, a->res[0]);
	EXPECT_EQ(0, a->res[1]);
	EXPECT_EQ(-ENOENT, stat_of(self->fd, id, &st));
}

/* As @class's user: SET @set, then destroy @id if @destroy. */
struct set_as_arg {
	int class;
	struct mbox_set set;
	bool destroy;
	int res[2];
};

static int set_as(int fd, void *p)
{
	struct set_as_arg *a = p;
	int ret = cu_become_class(a->class);

	if (ret)
		return ret;
	a->res[0] = cu_set(fd, &a->set);
	a->res[1] = a->destroy ? mbox_del(fd, a->set.id) : 0;
	return 0;
}

TEST_F(perm, creator_keeps_owner_rights_after_giving_the_mailbox_away)
{
	struct set_as_arg *a = mbox_shared_mem(sizeof(*a));
	struct mbox_stat st;
	int id;

	ASSERT_NE(NULL, a);
	id = new_as(self->fd, 0, 0600);
	ASSERT_LT(0, id);
	/* The creator gives it to CU_OTHER. */
	a->class = 0;
	a->set = (struct mbox_set){ .id = id, .flags = MBOX_SET_OWNER,
				    .uid = CU_OTHER, .gid = CU_OTHER_GID };
	ASSERT_EQ(0, cu_run(self->fd, set_as, a));
	EXPECT_EQ(0, a->res[0]);
	ASSERT_EQ(0, stat_of(self->fd, id, &st));
	EXPECT_EQ((__u32)CU_OTHER, st.uid);
	EXPECT_EQ((__u32)CU_OTHER_GID, st.gid);
	EXPECT_EQ((__u32)CU_OWNER, st.cuid);
	EXPECT_EQ((__u32)CU_GROUP, st.cgid);

	/* The new owner may change it; a third user may not. */
	a->class = 2;
	a->set = (struct mbox_set){ .id = id, .flags = MBOX_SET_MODE,
				    .mode = 0640 };
	ASSERT_EQ(0, cu_run(self->fd, set_as, a));
	EXPECT_EQ(0, a->res[0]);
	a->class = 1;
	a->set.mode = 0666;
	ASSERT_EQ(0, cu_run(self->fd, set_as, a));
	EXPECT_EQ(-EPERM, a->res[0]);
	ASSERT_EQ(0, stat_of(self->fd, id, &st));
	EXPECT_EQ(0640U, st.mode);

	/* The creator still may, and destroys it. */
	a->class = 0;
	a->set.mode = 0600;
	a->destroy = true;
	ASSERT_EQ(0, cu_run(self->fd, set_as, a));
	EXPECT_EQ(0, a->res[0]);
	EXPECT_EQ(0, a->res[1]);
	EXPECT_EQ(-ENOENT, stat_of(self->fd, id, &st));
}

/* Every invalid SET, alone, with its errno; the mailbox is unchanged. */
TEST_F(perm, set_invalid_inputs_each_fail_with_their_errno_and_change_nothing)
{
	struct mbox_stat before, after;
	struct mbox_set s;
	int id, rid;

	id = NEW_MBOX(self->fd, 4, 16);
	rid = NEW_MBOX(self->fd, 0, 16);
	ASSERT_EQ(0, stat_of(self->fd, id, &before));

#define BAD_SET(err, ...) do {						\
		s = (struct mbox_set){ .id = id, __VA_ARGS__ };		\
		EXPECT_EQ(err, cu_set(self->fd, &s)) TH_LOG(#__VA_ARGS__); \
	} while (0)
	BAD_SET(-EINVAL, .flags = 1U << 4);
	BAD_SET(-EINVAL, .flags = 1U << 31);
	BAD_SET(-EINVAL, .flags = MBOX_SET_MODE, .mode = 0600, .__reserved = 1);
	BAD_SET(-EINVAL, .flags = MBOX_SET_MODE, .mode = 01000);
	BAD_SET(-EINVAL, .flags = MBOX_SET_MODE, .mode = UINT_MAX);
	BAD_SET(-EINVAL, .flags = 0, .mode = 0600);
	BAD_SET(-EINVAL, .flags = 0, .uid = 1);
	BAD_SET(-EINVAL, .flags = 0, .gid = 1);
	BAD_SET(-EINVAL, .flags = 0, .capacity = 1);
	BAD_SET(-EINVAL, .flags = 0, .max_msg_size = 1);
	BAD_SET(-EINVAL, .flags = MBOX_SET_OWNER, .uid = UINT_MAX);
	BAD_SET(-EINVAL, .flags = MBOX_SET_OWNER, .gid = UINT_MAX);
	BAD_SET(-EINVAL, .flags = MBOX_SET_CAPACITY, .capacity = (1U << 24) + 1);
	BAD_SET(-EINVAL, .flags = MBOX_SET_CAPACITY, .capacity = UINT_MAX);
	BAD_SET(-EINVAL, .flags = MBOX_SET_CAPACITY, .capacity = 0);
	BAD_SET(-EINVAL, .flags = MBOX_SET_MSG_SIZE, .max_msg_size = (16U << 20) + 1);
	BAD_SET(-EINVAL, .flags = MBOX_SET_MSG_SIZE, .max_msg_size = UINT_MAX);
	s = (struct mbox_set){ .id = MBOX_ID_NEVER_HI, .flags = MBOX_SET_MODE };
	EXPECT_EQ(-ENOENT, cu_set(self->fd, &s)) TH_LOG("id never valid");
	s.id = 0;
	EXPECT_EQ(-ENOENT, cu_set(self->fd, &s)) TH_LOG("id 0");
	s = (struct mbox_set){ .id = rid, .flags = MBOX_SET_CAPACITY,
			       .capacity = 1 };
	EXPECT_EQ(-EINVAL, cu_set(self->fd, &s)) TH_LOG("rendezvous to buffered");
#undef BAD_SET

	ASSERT_EQ(0, stat_of(self->fd, id, &after));
	EXPECT_EQ(before.mode, after.mode);
	EXPECT_EQ(before.uid, after.uid);
	EXPECT_EQ(before.gid, after.gid);
	EXPECT_EQ(before.capacity, after.capacity);
	EXPECT_EQ(before.max_msg_size, after.max_msg_size);
	ASSERT_EQ(0, stat_of(self->fd, rid, &after));
	EXPECT_EQ(0U, after.capacity);

	/* An empty SET is valid and changes nothing. */
	s = (struct mbox_set){ .id = id };
	EXPECT_EQ(0, cu_set(self->fd, &s));
	/* Struct size: too small is EINVAL, a larger one needs a zero tail. */
	{
		__u64 big[8] = { 0 };

		memcpy(big, &s, sizeof(s));
		EXPECT_EQ(-EINVAL, mbox_ioctl(self->fd, MBOX_CMD(_IOC_WRITE, 8, 24), big));
		EXPECT_EQ(0, mbox_ioctl(self->fd, MBOX_CMD(_IOC_WRITE, 8, 64), big));
		big[7] = 1;
		EXPECT_EQ(-E2BIG, mbox_ioctl(self->fd, MBOX_CMD(_IOC_WRITE, 8, 64), big));
		EXPECT_EQ(-ENOTTY, mbox_ioctl(self->fd, MBOX_CMD(_IOC_READ, 8, 32), big));
		EXPECT_EQ(-EFAULT, mbox_ioctl(self->fd, MBOX_IOC_SET, NULL));
	}
}

/* As CU_OWNER (no capability): raise limits of its own mailbox @id. */
struct raise_arg {
	__u32 id;
	__u32 cap;
	__u32 size;
	int res[2];
};

static int raise_child(int fd, void *p)
{
	struct raise_arg *a = p;
	struct mbox_set s = { .id = a->id, .flags = MBOX_SET_CAPACITY,
			      .capacity = a->cap };
	int ret = cu_become_class(0);

	if (ret)
		return ret;
	a->res[0] = cu_set(fd, &s);
	s = (struct mbox_set){ .id = a->id, .flags = MBOX_SET_MSG_SIZE,
			       .max_msg_size = a->size };
	a->res[1] = cu_set(fd, &s);
	return 0;
}

TEST_F(perm, raising_limits_above_the_module_maximum_needs_cap_sys_resource)
{
	struct raise_arg *a = mbox_shared_mem(sizeof(*a));
	struct mbox_stat st;
	static char big[70000];
	int id;

	ASSERT_NE(NULL, a);
	if (self->info.max_capacity >= (1U << 24) ||
	    self->info.max_msg_size >= (16U << 20))
		SKIP(return, "module maxima at the hard ceilings");
	id = new_as(self->fd, 0, 0600);
	ASSERT_LT(0, id);

	/* Up to the maxima: the owner may. */
	a->id = id;
	a->cap = self->info.max_capacity;
	a->size = self->info.max_msg_size;
	ASSERT_EQ(0, cu_run(self->fd, raise_child, a));
	EXPECT_EQ(0, a->res[0]);
	EXPECT_EQ(0, a->res[1]);
	/* Beyond: only with CAP_SYS_RESOURCE. */
	a->cap = self->info.max_capacity + 1;
	a->size = self->info.max_msg_size + 1;
	ASSERT_EQ(0, cu_run(self->fd, raise_child, a));
	EXPECT_EQ(-EPERM, a->res[0]);
	EXPECT_EQ(-EPERM, a->res[1]);
	ASSERT_EQ(0, stat_of(self->fd, id, &st));
	EXPECT_EQ(self->info.max_capacity, st.capacity);
	EXPECT_EQ(self->info.max_msg_size, st.max_msg_size);

	struct mbox_set s = { .id = id, .flags = MBOX_SET_CAPACITY |
			      MBOX_SET_MSG_SIZE,
			      .capacity = self->info.max_capacity + 1,
			      .max_msg_size = sizeof(big) };
	ASSERT_EQ(0, cu_set(self->fd, &s)) TH_LOG("root raises both");
	ASSERT_EQ(0, stat_of(self->fd, id, &st));
	EXPECT_EQ(self->info.max_capacity + 1, st.capacity);
	EXPECT_EQ((__u32)sizeof(big), st.max_msg_size);
	EXPECT_EQ(0, mbox_put(self->fd, id, big, sizeof(big), MBOX_NONBLOCK))
		TH_LOG("a message above the module's max_msg_size now fits");
	EXPECT_EQ(0, mbox_del(self->fd, id));
}

struct sender_arg {
	__u32 id;
	char c;
};

static int blocking_sender(int fd, void *p)
{
	struct sender_arg *a = p;

	return mbox_put(fd, a->id, &a->c, 1, 0);
}

TEST_F(perm, raising_capacity_admits_waiting_senders_in_order_and_wakes_them)
{
	struct sender_arg *a = mbox_shared_mem(sizeof(*a) * 3);
	pid_t kids[3];
	struct mbox_set s;
	struct mbox_stat st;
	char buf[4];
	__u64 len;
	int i, id;

	ASSERT_NE(NULL, a);
	id = NEW_MBOX(self->fd, 1, 4);
	ASSERT_EQ(0, mbox_put(self->fd, id, "0", 1, MBOX_NONBLOCK));
	for (i = 0; i < 3; i++) {
		a[i].id = id;
		a[i].c = '1' + i;
		kids[i] = mbox_fork();
		ASSERT_LE(0, kids[i]);
		if (kids[i] == 0)
			_exit(-blocking_sender(self->fd, &a[i]));
		ASSERT_WAITERS(self->fd, id, i + 1, 0);
	}
	s = (struct mbox_set){ .id = id, .flags = MBOX_SET_CAPACITY,
			       .capacity = 3 };
	ASSERT_EQ(0, cu_set(self->fd, &s));
	/* Two of three fit, the longest-waiting ones. */
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, mbox_child_result(kids[i], 5000)) TH_LOG("sender %d", i);
	ASSERT_EQ(0, stat_of(self->fd, id, &st));
	EXPECT_EQ(3U, st.msgs);
	EXPECT_EQ(1U, st.blocked_senders);
	s.capacity = 10;
	ASSERT_EQ(0, cu_set(self->fd, &s));
	EXPECT_EQ(0, mbox_child_result(kids[2], 5000));
	for (i = 0; i < 4; i++) {
		len = sizeof(buf);
		ASSERT_EQ(1, mbox_get(self->fd, id, buf, &len, MBOX_NONBLOCK));
		EXPECT_EQ('0' + i, buf[0]) TH_LOG("message %d", i);
	}
	munmap(a, sizeof(*a) * 3);
}

TEST_F(perm, lowering_capacity_keeps_queued_messages_and_senders_wait_for_the_drain)
{
	struct mbox_set s;
	struct mbox_stat st;
	char buf[4];
	__u64 len;
	int i, id;

	id = NEW_MBOX(self->fd, 4, 4);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, mbox_put(self->fd, id, "q", 1, MBOX_NONBLOCK));
	s = (struct mbox_set){ .id = id, .flags = MBOX_SET_CAPACITY,
			       .capacity = 2 };
	ASSERT_EQ(0, cu_set(self->fd, &s));
	ASSERT_EQ(0, stat_of(self->fd, id, &st));
	EXPECT_EQ(2U, st.capacity);
	EXPECT_EQ(4U, st.msgs);
	EXPECT_EQ(-EAGAIN, mbox_put(self->fd, id, "q", 1, MBOX_NONBLOCK));
	for (i = 0; i < 3; i++) {
		len = sizeof(buf);
		ASSERT_EQ(1, mbox_get(self->fd, id, buf, &len, MBOX_NONBLOCK));
	}
	EXPECT_EQ(0, mbox_put(self->fd, id, "q", 1, MBOX_NONBLOCK));
	EXPECT_EQ(-EAGAIN, mbox_put(self->fd, id, "q", 1, MBOX_NONBLOCK));
}

TEST_F(perm, lowering_max_msg_size_keeps_queued_messages_whole)
{
	char msg[16] = "0123456789abcdef", buf[16];
	struct mbox_set s;
	struct mbox_stat st;
	__u64 len = sizeof(buf);
	int id;

	id = NEW_MBOX(self->fd, 4, 16);
	ASSERT_EQ(0, mbox_put(self->fd, id, msg, 16, MBOX_NONBLOCK));
	s = (struct mbox_set){ .id = id, .flags = MBOX_SET_MSG_SIZE,
			       .max_msg_size = 8 };
	ASSERT_EQ(0, cu_set(self->fd, &s));
	ASSERT_EQ(0, stat_of(self->fd, id, &st));
	EXPECT_EQ(8U, st.max_msg_size);
	EXPECT_EQ(-EMSGSIZE, mbox_put(self->fd, id, msg, 9, MBOX_NONBLOCK));
	EXPECT_EQ(0, mbox_put(self->fd, id, msg, 8, MBOX_NONBLOCK));
	ASSERT_EQ(16, mbox_get(self->fd, id, buf, &len, MBOX_NONBLOCK));
	EXPECT_EQ(0, memcmp(buf, msg, 16));
}

/* As CU_OTHER: look up @name, create it without EXCL, stat the id. */
struct lookup_arg {
	const char *name;
	int res[3];
};

static int lookup_child(int fd, void *p)
{
	struct lookup_arg *a = p;
	struct mbox_lookup l = { .name = (__u64)(uintptr_t)a->name };
	struct mbox_create c = { .capacity = 1, .max_msg_size = 1,
				 .name = (__u64)(uintptr_t)a->name };
	struct mbox_stat st;
	int ret = cu_become_class(2);

	if (ret)
		return ret;
	a->res[0] = mbox_ioctl(fd, MBOX_IOC_LOOKUP, &l);
	a->res[1] = ioc_create(fd, &c);
	a->res[2] = stat_of(fd, a->res[0] > 0 ? a->res[0] : 0, &st);
	return 0;
}

TEST_F(perm, lookup_and_create_of_a_taken_name_need_no_permission)
{
	struct lookup_arg *a = mbox_shared_mem(sizeof(*a));
	struct mbox_create c = { .capacity = 1, .max_msg_size = 1,
				 .flags = MBOX_CREATE_MODE, .mode = 0,
				 .name = (__u64)(uintptr_t)"perm-name" };
	int id;

	ASSERT_NE(NULL, a);
	id = ioc_create(self->fd, &c);
	ASSERT_LT(0, id);
	mbox_track(id);
	a->name = "perm-name";
	ASSERT_EQ(0, cu_run(self->fd, lookup_child, a));
	EXPECT_EQ(id, a->res[0]);
	EXPECT_EQ(id, a->res[1]);
	EXPECT_EQ(-EACCES, a->res[2]);
}

/* In a new user namespace, mapping uid 0 to @arg and gid 0 to @arg + 1. */
struct userns_arg {
	__u32 id;
	int map;
	struct mbox_stat st;
	int res;
};

static int userns_child(int fd, void *p)
{
	struct userns_arg *a = p;
	char map[32];

	if (unshare(CLONE_NEWUSER))
		return -errno;
	if (a->map) {
		snprintf(map, sizeof(map), "%d 0 1\n", a->map);
		if (mbox_write_file("/proc/self/uid_map", map) ||
		    mbox_write_file("/proc/self/setgroups", "deny\n"))
			return -EPROTO;
		snprintf(map, sizeof(map), "%d 0 1\n", a->map + 1);
		if (mbox_write_file("/proc/self/gid_map", map))
			return -EPROTO;
	}
	a->res = stat_of(fd, a->id, &a->st);
	return 0;
}

TEST_F(perm, stat_reports_owner_and_creator_in_the_callers_user_namespace)
{
	struct userns_arg *a = mbox_shared_mem(sizeof(*a));
	int ret, id;

	ASSERT_NE(NULL, a);
	id = NEW_MBOX(self->fd, 1, 1);
	a->id = id;
	a->map = 0;
	ret = cu_run(self->fd, userns_child, a);
	if (ret == -EPERM || ret == -EINVAL || ret == -ENOSPC)
		SKIP(return, "unshare(CLONE_NEWUSER): %s", strerror(-ret));
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, a->res);
	EXPECT_EQ(65534U, a->st.uid) TH_LOG("unmapped: the overflow uid");
	EXPECT_EQ(65534U, a->st.gid);
	EXPECT_EQ(65534U, a->st.cuid);
	EXPECT_EQ(65534U, a->st.cgid);

	a->map = 5;
	ASSERT_EQ(0, cu_run(self->fd, userns_child, a));
	ASSERT_EQ(0, a->res);
	EXPECT_EQ(5U, a->st.uid);
	EXPECT_EQ(6U, a->st.gid);
	EXPECT_EQ(5U, a->st.cuid);
	EXPECT_EQ(6U, a->st.cgid);
}

TEST_HARNESS_MAIN
