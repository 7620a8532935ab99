// SPDX-License-Identifier: GPL-2.0
/*
 * Limits (MBOX_FEATURE_LIMITS): module parameters, readable and writable
 * at run time with validation; mailboxes per user (EDQUOT), per IPC
 * namespace and for the other namespaces than the initial one together
 * (ENOSPC); the bytes a namespace's mailboxes hold (ENOBUFS) and those of
 * the mailboxes one user created (EDQUOT), charged for queued messages and
 * blocked senders' alike, never waited for; messages charged to the
 * sender's memory cgroup, where a full cgroup gives ENOMEM, not an OOM
 * kill.  Who is charged, and the namespaces' shares against each other,
 * are tested in shares_test.c.
 *
 * Every test that changes a parameter restores all of them in its
 * teardown.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "cred_util.h"

static const char *const params[] = {
	"max_mailboxes", "max_mailboxes_per_ns", "max_mailboxes_per_user",
	"max_capacity", "max_msg_size", "max_bytes", "max_bytes_per_user",
	"max_bytes_per_ns",
};
#define NPARAMS	(sizeof(params) / sizeof(params[0]))

FIXTURE(limits) {
	int fd;
	struct mbox_info info;
	long long saved[NPARAMS];
};

FIXTURE_SETUP(limits)
{
	unsigned int i;

	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	if (!(self->info.features & MBOX_FEATURE_LIMITS))
		SKIP(return, "no MBOX_FEATURE_LIMITS");
	for (i = 0; i < NPARAMS; i++) {
		self->saved[i] = cu_param_read(params[i]);
		ASSERT_LE(0, self->saved[i]) TH_LOG("read %s", params[i]);
	}
	if (geteuid() != 0)
		SKIP(return, "needs root");
}

FIXTURE_TEARDOWN(limits)
{
	unsigned int i;

	mbox_cleanup(self->fd);
	for (i = 0; i < NPARAMS; i++) {
		if (self->saved[i] >= 0 &&
		    cu_param_read(params[i]) != self->saved[i])
			cu_param_set(params[i], self->saved[i]);
	}
}

#define SET_PARAM(name, v) \
	ASSERT_EQ(0, cu_param_set(name, v)) TH_LOG("set %s to %lld", name, (long long)(v))

TEST_F(limits, parameters_are_root_writable_files_that_match_info)
{
	struct stat sb;
	char path[128];
	unsigned int i;

	for (i = 0; i < NPARAMS; i++) {
		snprintf(path, sizeof(path), "/sys/module/mbox/parameters/%s",
			 params[i]);
		ASSERT_EQ(0, stat(path, &sb)) TH_LOG("%s", path);
		EXPECT_EQ(0644U, sb.st_mode & 07777) TH_LOG("%s", path);
	}
	EXPECT_EQ(self->info.max_mailboxes, (__u32)self->saved[0]);
	EXPECT_EQ(self->info.max_mailboxes_per_ns, (__u32)self->saved[1]);
	EXPECT_EQ(self->info.max_mailboxes_per_user, (__u32)self->saved[2]);
	EXPECT_EQ(self->info.max_capacity, (__u32)self->saved[3]);
	EXPECT_EQ(self->info.max_msg_size, (__u32)self->saved[4]);
	EXPECT_EQ(self->info.max_bytes, (__u64)self->saved[5]);
	EXPECT_EQ(self->info.max_bytes_per_user, (__u64)self->saved[6]);
	EXPECT_EQ(self->info.max_bytes_per_ns, (__u64)self->saved[7]);

	/* A write shows in INFO at once. */
	SET_PARAM("max_capacity", self->saved[3] - 1);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	EXPECT_EQ((__u32)self->saved[3] - 1, self->info.max_capacity);
	EXPECT_EQ(-EINVAL, mbox_new(self->fd, self->saved[3], 1));
}

TEST_F(limits, invalid_parameter_values_are_einval_and_change_nothing)
{
	static const struct { const char *name, *val; } bad[] = {
		{ "max_mailboxes", "0" },
		{ "max_mailboxes", "-1" },
		{ "max_mailboxes", "4294967296" },
		{ "max_mailboxes", "many" },
		{ "max_mailboxes_per_ns", "0" },
		{ "max_mailboxes_per_user", "0" },
		{ "max_capacity", "0" },
		{ "max_capacity", "16777217" },
		{ "max_msg_size", "16777217" },
		{ "max_bytes", "-5" },
		{ "max_bytes", "9223372036854775808" },
		{ "max_bytes_per_user", "x" },
		{ "max_bytes_per_ns", "-1" },
		{ "max_bytes_per_ns", "9223372036854775808" },
		{ "max_bytes_per_ns", "lots" },
	};
	unsigned int i, j;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = cu_param_write(bad[i].name, bad[i].val);

		EXPECT_TRUE(ret == -EINVAL || ret == -ERANGE)
			TH_LOG("%s=\"%s\": %d", bad[i].name, bad[i].val, ret);
		for (j = 0; j < NPARAMS; j++)
			EXPECT_EQ(self->saved[j], cu_param_read(params[j]))
				TH_LOG("parameter %u after bad value %u", j, i);
	}
	/* The edges are accepted. */
	SET_PARAM("max_capacity", 16777216);
	SET_PARAM("max_msg_size", 16 << 20);
	SET_PARAM("max_msg_size", 0);
	SET_PARAM("max_bytes", 0);
	SET_PARAM("max_bytes_per_ns", 0);
}

/* As @class's user: create up to @n mailboxes; how many, the errno after. */
struct fill_arg {
	int class;
	int n;
	int made;
	int err;
	__u32 ids[64];
	struct mbox_info info;
};

static int fill_child(int fd, void *p)
{
	struct fill_arg *a = p;
	int ret = a->class >= 0 ? cu_become_class(a->class) : 0;

	if (ret)
		return ret;
	a->made = 0;
	a->err = 0;
	while (a->made < a->n) {
		ret = mbox_new(fd, 1, 8);
		if (ret < 0) {
			a->err = ret;
			break;
		}
		a->ids[a->made++] = ret;
	}
	memset(&a->info, 0, sizeof(a->info));
	ioc_info(fd, &a->info);
	return 0;
}

TEST_F(limits, mailboxes_per_user_give_edquot_to_that_user_only)
{
	struct fill_arg *a = mbox_shared_mem(sizeof(*a));
	int i;

	ASSERT_NE(NULL, a);
	SET_PARAM("max_mailboxes_per_user", 3);
	a->class = 2;
	a->n = 10;
	ASSERT_EQ(0, cu_run(self->fd, fill_child, a));
	for (i = 0; i < a->made; i++)
		mbox_track(a->ids[i]);
	EXPECT_EQ(3, a->made);
	EXPECT_EQ(-EDQUOT, a->err);
	EXPECT_EQ(3U, a->info.user_mailboxes);
	EXPECT_EQ(3U, a->info.max_mailboxes_per_user);

	/* Another user is not affected; root (CAP_SYS_RESOURCE) is not limited. */
	a->class = 1;
	a->n = 2;
	ASSERT_EQ(0, cu_run(self->fd, fill_child, a));
	for (i = 0; i < a->made; i++)
		mbox_track(a->ids[i]);
	EXPECT_EQ(2, a->made);
	EXPECT_EQ(0, a->err);
	a->class = -1;
	a->n = 5;
	ASSERT_EQ(0, cu_run(self->fd, fill_child, a));
	for (i = 0; i < a->made; i++)
		mbox_track(a->ids[i]);
	EXPECT_EQ(5, a->made) TH_LOG("root: %s", strerror(-a->err));

	/* A destroyed mailbox gives its slot back. */
	a->class = 2;
	a->n = 1;
	ASSERT_EQ(0, cu_run(self->fd, fill_child, a));
	EXPECT_EQ(-EDQUOT, a->err);
	SET_PARAM("max_mailboxes_per_user", 100);
	ASSERT_EQ(0, cu_run(self->fd, fill_child, a));
	EXPECT_EQ(1, a->made);
	EXPECT_EQ(4U, a->info.user_mailboxes);
	EXPECT_EQ(0, mbox_del(self->fd, a->ids[0]));
}

static int ns_fill_child(int fd, void *p)
{
	if (unshare(CLONE_NEWIPC))
		return -errno;
	return fill_child(fd, p);
}

TEST_F(limits, mailboxes_per_namespace_give_enospc)
{
	struct fill_arg *a = mbox_shared_mem(sizeof(*a));

	ASSERT_NE(NULL, a);
	SET_PARAM("max_mailboxes_per_ns", 4);
	a->class = -1;
	a->n = 10;
	ASSERT_EQ(0, cu_run(self->fd, ns_fill_child, a));
	EXPECT_EQ(4, a->made);
	EXPECT_EQ(-ENOSPC, a->err);
	EXPECT_EQ(4U, a->info.ns_mailboxes);
	EXPECT_EQ(4U, a->info.max_mailboxes_per_ns);
}

/*
 * Root lowers max_mailboxes below the number that exist: every create
 * fails until enough are destroyed to go below the new limit, not only
 * when the count happens to equal it.  max_mailboxes counts the mailboxes
 * of every IPC namespace but the initial one, so the creates are made in a
 * new namespace; @base is how many other namespaces have (shared_mailboxes
 * of the initial namespace's INFO).
 */
struct lower_arg {
	__u32 base;
	int created;
	int refused;
	int at_limit;
	int one_below;
	int after;
	int set;
};

static int lower_child(int fd, void *p)
{
	struct lower_arg *a = p;
	int ids[6], i;

	if (unshare(CLONE_NEWIPC))
		return -errno;
	for (i = 0; i < 6; i++) {
		ids[i] = mbox_new(fd, 1, 8);
		if (ids[i] < 0)
			return ids[i];
		a->created++;
	}
	/* Two below the count: a create no longer meets the limit exactly. */
	a->set = cu_param_set("max_mailboxes", a->base + 4);
	for (i = 0; i < 4; i++)
		if (mbox_new(fd, 1, 8) == -ENOSPC)
			a->refused++;
	/* Down to the limit: still full. */
	mbox_del(fd, ids[0]);
	mbox_del(fd, ids[1]);
	a->at_limit = mbox_new(fd, 1, 8);
	/* One below it: one create succeeds, the next fails again. */
	mbox_del(fd, ids[2]);
	a->one_below = mbox_new(fd, 1, 8);
	a->after = mbox_new(fd, 1, 8);
	return 0;
}

TEST_F(limits, max_mailboxes_lowered_below_the_count_refuses_every_create)
{
	struct lower_arg *a = mbox_shared_mem(sizeof(*a));
	struct mbox_info info;

	ASSERT_NE(NULL, a);
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	a->base = info.shared_mailboxes;
	ASSERT_EQ(0, cu_run(self->fd, lower_child, a));
	EXPECT_EQ(6, a->created);
	EXPECT_EQ(0, a->set);
	EXPECT_EQ(4, a->refused);
	EXPECT_EQ(-ENOSPC, a->at_limit);
	EXPECT_LT(0, a->one_below);
	EXPECT_EQ(-ENOSPC, a->after);
}

/*
 * The same shape for a namespace's own share: max_mailboxes_per_ns
 * lowered below the count of the caller's namespace (the initial one).
 */
TEST_F(limits, max_mailboxes_per_ns_lowered_below_the_count_refuses_every_create)
{
	struct mbox_info info;
	int ids[6], id, i;
	__u32 before;

	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	before = info.nr_mailboxes;
	for (i = 0; i < 6; i++) {
		ids[i] = mbox_new(self->fd, 1, 8);
		ASSERT_LT(0, ids[i]);
		mbox_track(ids[i]);
	}
	SET_PARAM("max_mailboxes_per_ns", before + 4);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(-ENOSPC, mbox_new(self->fd, 1, 8)) TH_LOG("create %d", i);
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	EXPECT_EQ(before + 6, info.nr_mailboxes);

	ASSERT_EQ(0, mbox_del(self->fd, ids[0]));
	ASSERT_EQ(0, mbox_del(self->fd, ids[1]));
	EXPECT_EQ(-ENOSPC, mbox_new(self->fd, 1, 8));
	ASSERT_EQ(0, mbox_del(self->fd, ids[2]));
	id = mbox_new(self->fd, 1, 8);
	ASSERT_LT(0, id);
	mbox_track(id);
	EXPECT_EQ(-ENOSPC, mbox_new(self->fd, 1, 8));
}

/* Bytes: a 4096-byte message. */
static char page[4096];

/* What a message of @len bytes is charged (MBOX_FEATURE_MSG_CHARGE). */
#define COST(len)	((__u64)(len) + MBOX_MSG_OVERHEAD)

static __u64 pool_bytes(int fd)
{
	struct mbox_info info;

	memset(&info, 0, sizeof(info));
	return ioc_info(fd, &info) ? ~0ULL : info.pool_bytes;
}

/*
 * The share of the caller's namespace (the initial one, which max_bytes
 * does not bound); pool_bytes is that namespace's charged bytes.
 */
TEST_F(limits, namespace_share_gives_enobufs_without_waiting_and_queues_nothing)
{
	struct mbox_stat st;
	char buf[4096];
	__u64 base, len = sizeof(buf);
	int id;

	id = NEW_MBOX(self->fd, 16, sizeof(page));
	base = pool_bytes(self->fd);
	SET_PARAM("max_bytes_per_ns", base + 2 * COST(sizeof(page)) + COST(100) +
		  MBOX_MSG_OVERHEAD / 2);
	ASSERT_EQ(0, mbox_put(self->fd, id, page, sizeof(page), 0));
	ASSERT_EQ(0, mbox_put(self->fd, id, page, sizeof(page), 0));
	EXPECT_EQ(base + 2 * COST(sizeof(page)), pool_bytes(self->fd));
	/* A blocking send does not wait for bytes: ENOBUFS at once. */
	EXPECT_EQ(-ENOBUFS, mbox_put(self->fd, id, page, sizeof(page), 0));
	EXPECT_EQ(-ENOBUFS, mbox_put(self->fd, id, page, sizeof(page),
				     MBOX_NONBLOCK));
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(2U, st.msgs);
	EXPECT_EQ(2ULL, st.sent_msgs);
	EXPECT_EQ(base + 2 * COST(sizeof(page)), pool_bytes(self->fd));
	/* Small ones still fit; then not even an empty one: its header. */
	EXPECT_EQ(0, mbox_put(self->fd, id, page, 100, MBOX_NONBLOCK));
	EXPECT_EQ(-ENOBUFS, mbox_put(self->fd, id, page, 1, MBOX_NONBLOCK));
	EXPECT_EQ(MBOX_MSG_OVERHEAD ? -ENOBUFS : 0,
		  mbox_put(self->fd, id, page, 0, MBOX_NONBLOCK));
	/* A receive gives bytes back. */
	ASSERT_EQ(4096, mbox_get(self->fd, id, buf, &len, MBOX_NONBLOCK));
	EXPECT_EQ(0, mbox_put(self->fd, id, page, sizeof(page), MBOX_NONBLOCK));
	EXPECT_EQ(0, mbox_del(self->fd, id));
	EXPECT_EQ(base, pool_bytes(self->fd));
}

TEST_F(limits, blocked_senders_messages_are_charged_too)
{
	__u64 base;
	pid_t pid;
	int id;

	id = NEW_MBOX(self->fd, 1, sizeof(page));
	base = pool_bytes(self->fd);
	SET_PARAM("max_bytes_per_ns", base + 2 * COST(sizeof(page)) + 100);
	ASSERT_EQ(0, mbox_put(self->fd, id, page, sizeof(page), 0));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mbox_exit_code(mbox_put(self->fd, id, page,
					      sizeof(page), 0)));
	ASSERT_WAITERS(self->fd, id, 1, 0);
	EXPECT_EQ(base + 2 * COST(sizeof(page)), pool_bytes(self->fd));
	EXPECT_EQ(-ENOBUFS, mbox_put(self->fd, id, page, sizeof(page), 0));
	kill(pid, SIGKILL);
	EXPECT_EQ(1000 + SIGKILL, mbox_child_result(pid, 5000));
	EXPECT_EQ(base + COST(sizeof(page)), pool_bytes(self->fd))
		TH_LOG("the killed sender's message was uncharged");
}

/* As @class's user: send 4096-byte messages to @id until an error. */
struct bytes_arg {
	int class;
	__u32 id;
	int sent;
	int err;
	struct mbox_info info;
};

static int bytes_child(int fd, void *p)
{
	struct bytes_arg *a = p;
	int ret = a->class >= 0 ? cu_become_class(a->class) : 0;

	if (ret)
		return ret;
	a->sent = 0;
	while (a->sent < 100) {
		ret = mbox_put(fd, a->id, page, sizeof(page), MBOX_NONBLOCK);
		if (ret) {
			a->err = ret;
			break;
		}
		a->sent++;
	}
	memset(&a->info, 0, sizeof(a->info));
	ioc_info(fd, &a->info);
	return 0;
}

/* As @class's user (root if < 0): create a mailbox of mode @mode. */
struct make_arg {
	int class;
	__u32 capacity;
	__u32 size;
	__u32 mode;
	int id;
};

static int make_child(int fd, void *p)
{
	struct make_arg *a = p;
	int ret = a->class >= 0 ? cu_become_class(a->class) : 0;

	if (ret)
		return ret;
	a->id = cu_new_mode(fd, a->capacity, a->size, a->mode);
	return a->id < 0 ? a->id : 0;
}

static int make_as(int fd, int class, __u32 capacity, __u32 size)
{
	struct make_arg *a = mbox_shared_mem(sizeof(*a));
	int ret;

	if (!a)
		return -ENOMEM;
	a->class = class;
	a->capacity = capacity;
	a->size = size;
	a->mode = 0666;
	ret = cu_run(fd, make_child, a);
	if (ret)
		return ret > 0 ? -ECHILD : ret;
	mbox_track(a->id);
	return a->id;
}

/*
 * max_bytes_per_user bounds what the mailboxes one user created hold,
 * whoever sends: the creator's share is full for every sender, root
 * included, and the mailboxes of a creator with CAP_SYS_RESOURCE are not
 * held to it.
 */
TEST_F(limits, bytes_per_user_bound_what_that_users_mailboxes_hold)
{
	struct bytes_arg *a = mbox_shared_mem(sizeof(*a));
	struct mbox_stat st;
	int id, root_id;

	ASSERT_NE(NULL, a);
	id = make_as(self->fd, 2, 200, sizeof(page));
	ASSERT_LT(0, id);
	root_id = cu_new_mode(self->fd, 200, sizeof(page), 0666);
	ASSERT_LT(0, root_id);
	mbox_track(root_id);
	SET_PARAM("max_bytes_per_user", 3 * COST(sizeof(page)) + 10);
	a->id = id;
	a->class = 2;
	ASSERT_EQ(0, cu_run(self->fd, bytes_child, a));
	EXPECT_EQ(3, a->sent);
	EXPECT_EQ(-EDQUOT, a->err);
	EXPECT_EQ(3 * COST(sizeof(page)), a->info.user_bytes);
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(3U, st.msgs);

	/* Its share is full for any sender. */
	a->class = 1;
	a->err = 0;
	ASSERT_EQ(0, cu_run(self->fd, bytes_child, a));
	EXPECT_EQ(0, a->sent) TH_LOG("another user's send to it");
	EXPECT_EQ(-EDQUOT, a->err);
	EXPECT_EQ(0ULL, a->info.user_bytes) TH_LOG("nothing charged to the sender");
	a->class = -1;
	a->err = 0;
	ASSERT_EQ(0, cu_run(self->fd, bytes_child, a));
	EXPECT_EQ(0, a->sent) TH_LOG("root's send to it");
	EXPECT_EQ(-EDQUOT, a->err);

	/* Root's mailbox (created with CAP_SYS_RESOURCE) is not held to it. */
	a->id = root_id;
	a->class = 2;
	a->err = 0;
	ASSERT_EQ(0, cu_run(self->fd, bytes_child, a));
	EXPECT_EQ(100, a->sent) TH_LOG("uid %d to root's: %s", CU_OTHER,
				       strerror(-a->err));
	EXPECT_EQ(3 * COST(sizeof(page)), a->info.user_bytes);

	/* Destroying it gives the creator's share back. */
	ASSERT_EQ(0, mbox_del(self->fd, id));
	a->id = make_as(self->fd, 2, 200, sizeof(page));
	ASSERT_LT(0, a->id);
	a->err = 0;
	ASSERT_EQ(0, cu_run(self->fd, bytes_child, a));
	EXPECT_EQ(3, a->sent);
	EXPECT_EQ(-EDQUOT, a->err);
}

/* As @class's user: send empty messages to @id until an error. */
static int empty_child(int fd, void *p)
{
	struct bytes_arg *a = p;
	int ret = cu_become_class(a->class);

	if (ret)
		return ret;
	a->sent = 0;
	while (a->sent < 1000) {
		ret = mbox_put(fd, a->id, NULL, 0, MBOX_NONBLOCK);
		if (ret) {
			a->err = ret;
			break;
		}
		a->sent++;
	}
	memset(&a->info, 0, sizeof(a->info));
	ioc_info(fd, &a->info);
	return 0;
}

/*
 * An empty message still costs its header: each is charged
 * MBOX_MSG_OVERHEAD, so a user at a small byte limit can queue only so
 * many of them (issue 14, item 3: they were free, and unbounded).
 */
TEST_F(limits, empty_messages_are_charged_their_header)
{
	/*
	 * 128 is MBOX_MSG_OVERHEAD, as documented; spelt out, so that the
	 * test also fails on a module built before it existed.
	 */
	struct bytes_arg *a = mbox_shared_mem(sizeof(*a));
	struct mbox_stat st;
	__u64 base;
	int id, root_id;

	ASSERT_NE(NULL, a);
	base = pool_bytes(self->fd);
	id = make_as(self->fd, 2, 1000, 0);
	ASSERT_LT(0, id);
	root_id = cu_new_mode(self->fd, 1000, 0, 0666);
	ASSERT_LT(0, root_id);
	mbox_track(root_id);
	SET_PARAM("max_bytes_per_user", 10 * 128 + 64);
	a->id = id;
	a->class = 2;
	ASSERT_EQ(0, cu_run(self->fd, empty_child, a));
	EXPECT_EQ(10, a->sent) TH_LOG("%d empty messages queued", a->sent);
	EXPECT_EQ(-EDQUOT, a->err);
	EXPECT_EQ(10ULL * 128, a->info.user_bytes);
	EXPECT_EQ(base + 10 * 128, pool_bytes(self->fd));
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(10U, st.msgs);
	EXPECT_EQ(0ULL, st.bytes) TH_LOG("stat counts data only");

	/* The namespace's share too: ENOBUFS in root's mailbox. */
	SET_PARAM("max_bytes_per_ns", pool_bytes(self->fd) + 3 * 128 + 64);
	a->id = root_id;
	a->class = 1;
	a->err = 0;
	ASSERT_EQ(0, cu_run(self->fd, empty_child, a));
	EXPECT_EQ(3, a->sent);
	EXPECT_EQ(-ENOBUFS, a->err);

	/* Freeing them gives the charges back. */
	EXPECT_EQ(0, mbox_del(self->fd, id));
	EXPECT_EQ(0, mbox_del(self->fd, root_id));
	EXPECT_EQ(base, pool_bytes(self->fd));
}

/* memory cgroups */

#define CG_ROOT	"/sys/fs/cgroup"
#define CG_DIR	CG_ROOT "/mbox_limits_test"

static int cg_write(const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", CG_DIR, file);
	return mbox_write_file(path, val);
}

static long long cg_event(const char *key)
{
	char path[256], buf[1024], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "%s/memory.events", CG_DIR);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n < 0)
		return -EIO;
	buf[n] = 0;
	for (p = strtok(buf, "\n"); p; p = strtok(NULL, "\n")) {
		if (!strncmp(p, key, strlen(key)) && p[strlen(key)] == ' ')
			return atoll(p + strlen(key) + 1);
	}
	return -ENOENT;
}

struct memcg_arg {
	__u32 id;
	int sent;
	int err;
};

static int memcg_child(int fd, void *p)
{
	struct memcg_arg *a = p;
	static char big[65536];
	char pid[32];
	int ret;

	snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (cg_write("cgroup.procs", pid))
		return -EPROTO;
	for (a->sent = 0; a->sent < 100000; a->sent++) {
		ret = mbox_put(fd, a->id, big, sizeof(big), MBOX_NONBLOCK);
		if (ret) {
			a->err = ret;
			break;
		}
	}
	return 0;
}

TEST_F_TIMEOUT(limits, sender_over_its_memory_cgroup_gets_enomem_not_an_oom_kill, 120)
{
	struct memcg_arg *a = mbox_shared_mem(sizeof(*a));
	struct mbox_create c = { .capacity = 60000, .max_msg_size = 65536 };
	struct stat sb;
	int ret, id, id2, i;

	ASSERT_NE(NULL, a);
	if (stat(CG_ROOT "/cgroup.controllers", &sb)) {
		mkdir(CG_ROOT, 0755);
		if (mount("none", CG_ROOT, "cgroup2", 0, NULL))
			SKIP(return, "cannot mount cgroup2: %s", strerror(errno));
	}
	if (mbox_write_file(CG_ROOT "/cgroup.subtree_control", "+memory"))
		SKIP(return, "no memory controller");
	rmdir(CG_DIR);
	ASSERT_EQ(0, mkdir(CG_DIR, 0755));
	ASSERT_EQ(0, cg_write("memory.max", "16M"));

	/* The shares of the namespace and the user are far above it. */
	SET_PARAM("max_bytes_per_ns", 1LL << 32);
	SET_PARAM("max_capacity", 60000);
	SET_PARAM("max_msg_size", 65536);
	id = ioc_create(self->fd, &c);
	ASSERT_LT(0, id);
	mbox_track(id);
	a->id = id;
	ret = cu_run(self->fd, memcg_child, a);
	EXPECT_EQ(0, ret) TH_LOG("the sender was not killed: %d", ret);
	EXPECT_EQ(-ENOMEM, a->err) TH_LOG("after %d messages", a->sent);
	EXPECT_LT(10, a->sent);
	EXPECT_GT(16 * 16, a->sent) TH_LOG("16 MiB holds no more than 256 messages of 64 KiB");
	EXPECT_EQ(0, cg_event("oom_kill"));
	TH_LOG("%d messages of 64 KiB fit in 16M; memory.events max %lld oom %lld",
	       a->sent, cg_event("max"), cg_event("oom"));

	/* Outside the cgroup, sending goes on. */
	c.capacity = 64;
	id2 = ioc_create(self->fd, &c);
	ASSERT_LT(0, id2);
	mbox_track(id2);
	for (i = 0; i < 64; i++) {
		static char big[65536];

		ASSERT_EQ(0, mbox_put(self->fd, id2, big, sizeof(big),
				      MBOX_NONBLOCK)) TH_LOG("message %d", i);
	}
	/* The charge goes with the messages. */
	EXPECT_EQ(0, mbox_del(self->fd, id));
	EXPECT_EQ(0, mbox_del(self->fd, id2));
	EXPECT_EQ(0, rmdir(CG_DIR)) TH_LOG("rmdir: %s", strerror(errno));
}

TEST_HARNESS_MAIN
