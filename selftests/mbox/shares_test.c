// SPDX-License-Identifier: GPL-2.0
/*
 * Who is charged (MBOX_FEATURE_NS_SHARES), issue 14 items 4 and 6:
 *
 * - a message is charged to the creator of the mailbox it is sent to, not
 *   to its sender, so a user who fills someone else's mailbox spends that
 *   user's share, not its own, and cannot be starved through it;
 * - each IPC namespace has its own share of bytes and mailboxes; the
 *   global limits bound all namespaces but the initial one together, so
 *   no namespace starves another one or the initial one;
 * - MBOX_IOC_INFO shows the caller's namespace only.
 *
 * Every test that changes a parameter restores all of them in its
 * teardown.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>

#include "cred_util.h"

static const char *const params[] = {
	"max_mailboxes", "max_mailboxes_per_ns", "max_mailboxes_per_user",
	"max_bytes", "max_bytes_per_user", "max_bytes_per_ns",
};
#define NPARAMS	(sizeof(params) / sizeof(params[0]))

FIXTURE(shares) {
	int fd;
	struct mbox_info info;
	long long saved[NPARAMS];
};

FIXTURE_SETUP(shares)
{
	unsigned int i;

	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	if (!(self->info.features & MBOX_FEATURE_NS_SHARES))
		SKIP(return, "no MBOX_FEATURE_NS_SHARES");
	if (geteuid() != 0)
		SKIP(return, "needs root");
	for (i = 0; i < NPARAMS; i++) {
		self->saved[i] = cu_param_read(params[i]);
		ASSERT_LE(0, self->saved[i]) TH_LOG("read %s", params[i]);
	}
}

FIXTURE_TEARDOWN(shares)
{
	unsigned int i;

	mbox_cleanup(self->fd);
	for (i = 0; i < NPARAMS; i++) {
		if (self->saved[i] >= 0 &&
		    cu_param_read(params[i]) != self->saved[i])
			cu_param_set(params[i], self->saved[i]);
	}
	/*
	 * The namespaces a test made die with their last process, within
	 * seconds (the reaper): wait, so that the next test's counts of the
	 * other namespaces are not disturbed.
	 */
	mbox_wait_nr(self->fd, self->info.nr_mailboxes +
		     self->info.shared_mailboxes, 10000);
}

#define SET_PARAM(name, v) \
	ASSERT_EQ(0, cu_param_set(name, v)) TH_LOG("set %s to %lld", name, (long long)(v))

/* A 1024-byte message and what it is charged. */
static char msg[1024];
#define COST(len)	((__u64)(len) + MBOX_MSG_OVERHEAD)

/* Send @msg to @id until an error or @max sends: how many went. */
static int fill(int fd, __u32 id, int max, int *err)
{
	int n = 0, ret = 0;

	while (n < max) {
		ret = mbox_put(fd, id, msg, sizeof(msg), MBOX_NONBLOCK);
		if (ret)
			break;
		n++;
	}
	*err = ret;
	return n;
}

/* Create mailboxes until an error or @max: how many. */
static int make(int fd, int max, int *err, int *ids)
{
	int n = 0, ret = 0;

	while (n < max) {
		ret = mbox_new(fd, 1, 8);
		if (ret < 0)
			break;
		if (ids)
			ids[n] = ret;
		n++;
	}
	*err = ret < 0 ? ret : 0;
	return n;
}

static struct mbox_info info_of(int fd)
{
	struct mbox_info info;

	memset(&info, 0xff, sizeof(info));
	if (ioc_info(fd, &info))
		memset(&info, 0xff, sizeof(info));
	return info;
}

/*
 * The scenario of issue 14, item 4: uid 1001 (CU_OWNER) owns a 0666
 * mailbox it never reads; uid 1002 (CU_MEMBER) fills it, then sends to
 * its own mailbox.  Before this model the bytes stayed charged to the
 * sender, whose next send to its own mailbox failed with EDQUOT.
 */
struct two_uids {
	__u32 theirs, own;
	int step;
	int filled, fill_err;
	int own_sent, own_err;
	int stranger_err;
	struct mbox_info info;
};

static int create_child(int fd, void *p)
{
	struct two_uids *a = p;
	int ret = cu_become_class(a->step);

	if (ret)
		return ret;
	ret = cu_new_mode(fd, 100, sizeof(msg), a->step ? 0600 : 0666);
	if (ret < 0)
		return ret;
	if (a->step)
		a->own = ret;
	else
		a->theirs = ret;
	return 0;
}

static int sender_child(int fd, void *p)
{
	struct two_uids *a = p;
	int ret = cu_become_class(1);

	if (ret)
		return ret;
	a->filled = fill(fd, a->theirs, 100, &a->fill_err);
	a->own_sent = fill(fd, a->own, 100, &a->own_err);
	a->info = info_of(fd);
	return 0;
}

static int info_child(int fd, void *p)
{
	struct two_uids *a = p;
	int ret = cu_become_class(a->step);

	if (ret)
		return ret;
	a->info = info_of(fd);
	/* Anyone else is refused by that share too, and only by it. */
	if (a->step == 2)
		a->stranger_err = mbox_put(fd, a->theirs, msg, 0,
					   MBOX_NONBLOCK);
	return 0;
}

TEST_F(shares, filling_another_users_mailbox_spends_its_share_not_the_senders)
{
	struct two_uids *a = mbox_shared_mem(sizeof(*a));
	const __u64 share = 4 * COST(sizeof(msg)) + 10;

	ASSERT_NE(NULL, a);
	SET_PARAM("max_bytes_per_user", share);
	a->step = 0;
	ASSERT_EQ(0, cu_run(self->fd, create_child, a));
	mbox_track(a->theirs);
	a->step = 1;
	ASSERT_EQ(0, cu_run(self->fd, create_child, a));
	mbox_track(a->own);

	ASSERT_EQ(0, cu_run(self->fd, sender_child, a));
	TH_LOG("uid %d filled uid %d's mailbox: %d messages, then %s",
	       CU_MEMBER, CU_OWNER, a->filled, strerror(-a->fill_err));
	TH_LOG("then uid %d sent to its own: %d messages, then %s",
	       CU_MEMBER, a->own_sent, strerror(-a->own_err));
	EXPECT_EQ(4, a->filled);
	EXPECT_EQ(-EDQUOT, a->fill_err);
	EXPECT_EQ(4, a->own_sent) TH_LOG("the sender kept its whole share");
	EXPECT_EQ(-EDQUOT, a->own_err);
	EXPECT_EQ(4 * COST(sizeof(msg)), a->info.user_bytes)
		TH_LOG("the sender is charged for its own mailbox only");

	a->step = 0;
	ASSERT_EQ(0, cu_run(self->fd, info_child, a));
	EXPECT_EQ(4 * COST(sizeof(msg)), a->info.user_bytes)
		TH_LOG("the creator is charged for what its mailbox holds");
	EXPECT_EQ(1U, a->info.user_mailboxes);
	a->step = 2;
	ASSERT_EQ(0, cu_run(self->fd, info_child, a));
	EXPECT_EQ(0ULL, a->info.user_bytes);
	EXPECT_EQ(-EDQUOT, a->stranger_err);

	/* A receive gives the creator's bytes back. */
	{
		char buf[sizeof(msg)];
		__u64 len = sizeof(buf);

		ASSERT_EQ((int)sizeof(msg), mbox_get(self->fd, a->theirs, buf,
						     &len, MBOX_NONBLOCK));
	}
	a->step = 0;
	ASSERT_EQ(0, cu_run(self->fd, info_child, a));
	EXPECT_EQ(3 * COST(sizeof(msg)), a->info.user_bytes);
}

/*
 * MBOX_IOC_SET giving a mailbox away does not move its charges: they stay
 * with its creator, for the mailbox's life.
 */
TEST_F(shares, a_mailbox_given_away_stays_charged_to_its_creator)
{
	struct two_uids *a = mbox_shared_mem(sizeof(*a));
	struct mbox_set set = {
		.flags = MBOX_SET_OWNER,
		.uid = CU_OTHER,
		.gid = CU_OTHER_GID,
	};
	int err;

	ASSERT_NE(NULL, a);
	a->step = 0;
	ASSERT_EQ(0, cu_run(self->fd, create_child, a));
	mbox_track(a->theirs);
	set.id = a->theirs;
	ASSERT_EQ(0, cu_set(self->fd, &set));
	EXPECT_EQ(3, fill(self->fd, a->theirs, 3, &err));

	a->step = 0;
	ASSERT_EQ(0, cu_run(self->fd, info_child, a));
	EXPECT_EQ(3 * COST(sizeof(msg)), a->info.user_bytes);
	EXPECT_EQ(1U, a->info.user_mailboxes);
	a->step = 2;
	ASSERT_EQ(0, cu_run(self->fd, info_child, a));
	EXPECT_EQ(0ULL, a->info.user_bytes) TH_LOG("the new owner");
	EXPECT_EQ(0U, a->info.user_mailboxes);
}

/*
 * Two IPC namespaces, each trying to starve the other: one child process
 * makes namespace A and fills it, keeps it with an nsfs file, makes
 * namespace B and tries there, then goes back to the initial namespace
 * (by a file of it opened first) and tries there.
 */
enum { NS_A, NS_B, NS_INIT, NS_N };

struct starve {
	int bytes;		/* fill bytes (1) or mailboxes (0) */
	int init_ids[20];	/* mailboxes made in the initial namespace */
	int made[NS_N], made_err[NS_N];
	int sent[NS_N], sent_err[NS_N];
	struct mbox_info info[NS_N];
};

static int starve_in(int fd, struct starve *a, int ns)
{
	int id;

	if (!a->bytes) {
		a->made[ns] = make(fd, 20, &a->made_err[ns],
				   ns == NS_INIT ? a->init_ids : NULL);
		a->info[ns] = info_of(fd);
		return 0;
	}
	id = cu_new_mode(fd, 100, sizeof(msg), 0600);
	if (id < 0)
		return id;
	a->made[ns] = 1;
	a->sent[ns] = fill(fd, id, 20, &a->sent_err[ns]);
	a->info[ns] = info_of(fd);
	if (ns == NS_INIT)
		mbox_del(fd, id);
	return 0;
}

static int starve_child(int fd, void *p)
{
	struct starve *a = p;
	int init_ns, ns_a, ns_b, ret;

	init_ns = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	if (init_ns < 0)
		return -errno;
	if (unshare(CLONE_NEWIPC))
		return -errno;
	ret = starve_in(fd, a, NS_A);
	if (ret)
		return ret;
	ns_a = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	if (ns_a < 0 || unshare(CLONE_NEWIPC))
		return -errno;
	ret = starve_in(fd, a, NS_B);
	if (ret)
		return ret;
	/* Both stay alive (their files) until this process exits. */
	ns_b = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	if (ns_b < 0 || setns(init_ns, CLONE_NEWIPC))
		return -errno;
	return starve_in(fd, a, NS_INIT);
}

/* How many @msg the initial namespace can still take, at @limit. */
static int room_for(__u64 used, __u64 limit)
{
	return used >= limit ? 0 : (limit - used) / COST(sizeof(msg));
}

TEST_F_TIMEOUT(shares, a_namespace_that_fills_its_byte_share_starves_no_other, 60)
{
	struct starve *a = mbox_shared_mem(sizeof(*a));
	const __u64 limit = 5 * COST(sizeof(msg)) + 10;
	__u64 init_used = info_of(self->fd).pool_bytes;
	int i;

	ASSERT_NE(NULL, a);
	a->bytes = 1;
	SET_PARAM("max_bytes_per_ns", limit);
	ASSERT_EQ(0, cu_run(self->fd, starve_child, a));
	for (i = 0; i < NS_N; i++) {
		TH_LOG("namespace %s: %d messages, then %s; INFO: %u mailboxes, %llu msgs, %llu bytes, pool_bytes %llu",
		       i == NS_A ? "A" : i == NS_B ? "B" : "initial",
		       a->sent[i], strerror(-a->sent_err[i]),
		       a->info[i].nr_mailboxes,
		       (unsigned long long)a->info[i].total_msgs,
		       (unsigned long long)a->info[i].total_bytes,
		       (unsigned long long)a->info[i].pool_bytes);
	}
	EXPECT_EQ(5, a->sent[NS_A]);
	EXPECT_EQ(-ENOBUFS, a->sent_err[NS_A]);
	EXPECT_EQ(5 * COST(sizeof(msg)), a->info[NS_A].pool_bytes);
	EXPECT_EQ(5, a->sent[NS_B]) TH_LOG("B has its own share");
	EXPECT_EQ(-ENOBUFS, a->sent_err[NS_B]);
	EXPECT_EQ(5 * COST(sizeof(msg)), a->info[NS_B].pool_bytes);
	EXPECT_EQ(room_for(init_used, limit), a->sent[NS_INIT])
		TH_LOG("the initial namespace still sends");
	EXPECT_LT(0, a->sent[NS_INIT]);
}

/*
 * max_bytes bounds all namespaces but the initial one together: A and B
 * share it, and the initial namespace is not held to it at all.
 */
TEST_F_TIMEOUT(shares, the_global_pool_binds_the_other_namespaces_not_the_initial_one, 60)
{
	struct starve *a = mbox_shared_mem(sizeof(*a));
	const __u64 limit = 5 * COST(sizeof(msg)) + 10;
	struct mbox_info info;

	ASSERT_NE(NULL, a);
	info = info_of(self->fd);
	a->bytes = 1;
	SET_PARAM("max_bytes_per_ns", limit);
	SET_PARAM("max_bytes", info.shared_bytes + 7 * COST(sizeof(msg)) + 10);
	ASSERT_EQ(0, cu_run(self->fd, starve_child, a));
	EXPECT_EQ(5, a->sent[NS_A]);
	EXPECT_EQ(-ENOBUFS, a->sent_err[NS_A]) TH_LOG("its own share");
	EXPECT_EQ(2, a->sent[NS_B]);
	EXPECT_EQ(-ENOBUFS, a->sent_err[NS_B]) TH_LOG("the pool");
	EXPECT_EQ(room_for(info.pool_bytes, limit), a->sent[NS_INIT])
		TH_LOG("only its own share");
	EXPECT_EQ(-ENOBUFS, a->sent_err[NS_INIT]);
	/* Only the initial namespace sees the pool. */
	EXPECT_EQ(0ULL, a->info[NS_A].shared_bytes);
	EXPECT_EQ(0U, a->info[NS_A].shared_mailboxes);
	EXPECT_EQ(0ULL, a->info[NS_B].shared_bytes);
	EXPECT_EQ(info.shared_bytes + 7 * COST(sizeof(msg)),
		  a->info[NS_INIT].shared_bytes);
}

TEST_F_TIMEOUT(shares, a_namespace_that_fills_its_mailbox_share_starves_no_other, 60)
{
	struct starve *a = mbox_shared_mem(sizeof(*a));
	struct mbox_info info;
	int i, room;

	ASSERT_NE(NULL, a);
	info = info_of(self->fd);
	room = info.nr_mailboxes >= 4 ? 0 : 4 - info.nr_mailboxes;
	SET_PARAM("max_mailboxes_per_ns", 4);
	SET_PARAM("max_mailboxes", info.shared_mailboxes + 6);
	ASSERT_EQ(0, cu_run(self->fd, starve_child, a));
	for (i = 0; i < a->made[NS_INIT] && i < 20; i++)
		mbox_track(a->init_ids[i]);
	EXPECT_EQ(4, a->made[NS_A]);
	EXPECT_EQ(-ENOSPC, a->made_err[NS_A]) TH_LOG("its own share");
	EXPECT_EQ(4U, a->info[NS_A].nr_mailboxes);
	EXPECT_EQ(2, a->made[NS_B]);
	EXPECT_EQ(-ENOSPC, a->made_err[NS_B]) TH_LOG("max_mailboxes");
	EXPECT_EQ(2U, a->info[NS_B].nr_mailboxes);
	EXPECT_EQ(room, a->made[NS_INIT]) TH_LOG("only its own share");
	EXPECT_EQ(-ENOSPC, a->made_err[NS_INIT]);
	EXPECT_EQ(info.shared_mailboxes + 6, a->info[NS_INIT].shared_mailboxes);
	EXPECT_EQ(0U, a->info[NS_A].shared_mailboxes);
}

/* A namespace's byte share lowered at run time below its use binds at once. */
TEST_F(shares, max_bytes_per_ns_lowered_below_use_refuses_every_send)
{
	char buf[sizeof(msg)];
	__u64 len, used;
	int id, err;

	id = NEW_MBOX(self->fd, 16, sizeof(msg));
	ASSERT_EQ(4, fill(self->fd, id, 4, &err));
	used = info_of(self->fd).pool_bytes;
	SET_PARAM("max_bytes_per_ns", used - COST(sizeof(msg)) - 10);
	EXPECT_EQ(-ENOBUFS, mbox_put(self->fd, id, msg, 0, MBOX_NONBLOCK));
	EXPECT_EQ(-ENOBUFS, mbox_put(self->fd, id, msg, 1, MBOX_NONBLOCK));
	/* One message out: still above the limit. */
	len = sizeof(buf);
	ASSERT_EQ((int)sizeof(msg), mbox_get(self->fd, id, buf, &len, 0));
	EXPECT_EQ(-ENOBUFS, mbox_put(self->fd, id, msg, 0, MBOX_NONBLOCK));
	/* Two out: below it, and a small message fits again. */
	len = sizeof(buf);
	ASSERT_EQ((int)sizeof(msg), mbox_get(self->fd, id, buf, &len, 0));
	EXPECT_EQ(0, mbox_put(self->fd, id, msg, 0, MBOX_NONBLOCK));
	EXPECT_EQ(used - 2 * COST(sizeof(msg)) + COST(0),
		  info_of(self->fd).pool_bytes);
}

/*
 * Issue 14, item 6: INFO in a fresh IPC namespace showed another
 * namespace's mailboxes and messages (nr_mailboxes=1 total_msgs=7
 * total_bytes=42).  It shows the caller's namespace only.
 */
struct fresh {
	struct mbox_info empty, own, back;
	int err;
};

static int fresh_child(int fd, void *p)
{
	struct fresh *a = p;
	int init_ns, id, i;

	init_ns = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	if (init_ns < 0 || unshare(CLONE_NEWIPC))
		return -errno;
	a->empty = info_of(fd);
	id = mbox_new(fd, 4, 8);
	if (id < 0)
		return id;
	for (i = 0; i < 2; i++) {
		a->err = mbox_put(fd, id, "hello", 5, MBOX_NONBLOCK);
		if (a->err)
			return a->err;
	}
	a->own = info_of(fd);
	if (setns(init_ns, CLONE_NEWIPC))
		return -errno;
	a->back = info_of(fd);
	return 0;
}

TEST_F_TIMEOUT(shares, info_in_a_fresh_namespace_shows_none_of_anothers_mailboxes, 30)
{
	struct fresh *a = mbox_shared_mem(sizeof(*a));
	struct mbox_info before, after;
	int id, i;

	ASSERT_NE(NULL, a);
	id = NEW_MBOX(self->fd, 8, 8);
	for (i = 0; i < 7; i++)
		ASSERT_EQ(0, mbox_put(self->fd, id, "abcdef", 6, MBOX_NONBLOCK));
	before = info_of(self->fd);
	ASSERT_EQ(0, cu_run(self->fd, fresh_child, a));
	TH_LOG("initial namespace: nr_mailboxes=%u total_msgs=%llu total_bytes=%llu",
	       before.nr_mailboxes, (unsigned long long)before.total_msgs,
	       (unsigned long long)before.total_bytes);
	TH_LOG("fresh namespace: nr_mailboxes=%u total_msgs=%llu total_bytes=%llu pool_bytes=%llu",
	       a->empty.nr_mailboxes, (unsigned long long)a->empty.total_msgs,
	       (unsigned long long)a->empty.total_bytes,
	       (unsigned long long)a->empty.pool_bytes);
	EXPECT_EQ(0U, a->empty.nr_mailboxes);
	EXPECT_EQ(0U, a->empty.ns_mailboxes);
	EXPECT_EQ(0ULL, a->empty.total_msgs);
	EXPECT_EQ(0ULL, a->empty.total_bytes);
	EXPECT_EQ(0ULL, a->empty.pool_bytes);
	EXPECT_EQ(0ULL, a->empty.shared_bytes);
	EXPECT_EQ(0U, a->empty.shared_mailboxes);

	/* Its own figures, and nothing of the initial namespace's. */
	EXPECT_EQ(1U, a->own.nr_mailboxes);
	EXPECT_EQ(2ULL, a->own.total_msgs);
	EXPECT_EQ(10ULL, a->own.total_bytes);
	EXPECT_EQ(2 * COST(5), a->own.pool_bytes);

	/* The initial namespace's figures do not include the child's. */
	EXPECT_LE(7ULL, before.total_msgs);
	EXPECT_EQ(before.nr_mailboxes, a->back.nr_mailboxes);
	EXPECT_EQ(before.total_msgs, a->back.total_msgs);
	EXPECT_EQ(before.total_bytes, a->back.total_bytes);
	EXPECT_EQ(before.pool_bytes, a->back.pool_bytes);
	EXPECT_EQ(before.shared_mailboxes + 1, a->back.shared_mailboxes);
	EXPECT_EQ(before.shared_bytes + 2 * COST(5), a->back.shared_bytes);

	/* Its messages leave the counters when they are received. */
	for (i = 0; i < 7; i++) {
		char buf[8];
		__u64 len = sizeof(buf);

		ASSERT_EQ(6, mbox_get(self->fd, id, buf, &len, MBOX_NONBLOCK));
	}
	after = info_of(self->fd);
	EXPECT_EQ(before.total_msgs - 7, after.total_msgs);
	EXPECT_EQ(before.total_bytes - 42, after.total_bytes);
	EXPECT_EQ(before.pool_bytes - 7 * COST(6), after.pool_bytes);
}

TEST_HARNESS_MAIN
