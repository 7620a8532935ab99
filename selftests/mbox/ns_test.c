// SPDX-License-Identifier: GPL-2.0
/*
 * IPC namespace isolation (MBOX_FEATURE_NS): a mailbox belongs to its
 * creator's IPC namespace; from another one its id is as good as none, it
 * is never listed, and it dies with its namespace (the reaper), unless
 * something can still enter the namespace (an nsfs file).  Pids and uids
 * are reported in the caller's namespaces; capabilities count only in the
 * user namespace that owns the mailbox's IPC namespace.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <poll.h>
#include <sched.h>

#include "cred_util.h"

#define NS_WAIT_MS	10000

FIXTURE(ns) {
	int fd;
	struct mbox_info info;
};

FIXTURE_SETUP(ns)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	if (!(self->info.features & MBOX_FEATURE_NS))
		SKIP(return, "no MBOX_FEATURE_NS");
	if (geteuid() != 0)
		SKIP(return, "needs root to unshare");
}

FIXTURE_TEARDOWN(ns)
{
	mbox_cleanup(self->fd);
}

static __u32 nr_mailboxes(int fd)
{
	struct mbox_info info;

	memset(&info, 0, sizeof(info));
	return ioc_info(fd, &info) ? UINT_MAX :
	       info.nr_mailboxes + info.shared_mailboxes;
}

/* Every operation on @id, each result in @res. */
enum { NO_SEND, NO_RECV, NO_PEEK, NO_STAT, NO_OPEN, NO_SET, NO_DESTROY,
       NO_LIST, NO_N };

static void every_op(int fd, __u32 id, int *res)
{
	struct mbox_set set = { .id = id, .flags = MBOX_SET_MODE, .mode = 0666 };
	struct mbox_stat st;
	char buf[8];
	__u64 len = sizeof(buf);
	int mfd;

	res[NO_SEND] = mbox_put(fd, id, "x", 1, MBOX_NONBLOCK);
	res[NO_RECV] = mbox_get(fd, id, buf, &len, MBOX_NONBLOCK);
	len = sizeof(buf);
	res[NO_PEEK] = mbox_get(fd, id, buf, &len,
				MBOX_NONBLOCK | MBOX_RECV_PEEK);
	res[NO_STAT] = mbox_stat_id(fd, id, &st);
	mfd = mbox_open_id(fd, id, MBOX_FD_CLOEXEC);
	res[NO_OPEN] = mfd;
	if (mfd >= 0)
		close(mfd);
	res[NO_SET] = cu_set(fd, &set);
	res[NO_DESTROY] = mbox_del(fd, id);
	/* Listed from 1: 1 if @id shows up. */
	res[NO_LIST] = 0;
	memset(&st, 0, sizeof(st));
	st.id = 1;
	st.flags = MBOX_STAT_NEXT;
	while (!ioc_stat(fd, &st)) {
		if (st.id == id)
			res[NO_LIST] = 1;
		if (st.id >= INT_MAX)
			break;
		st.id++;
	}
}

struct other_arg {
	__u32 id;
	int res[NO_N];
	int nlisted;
};

static int other_ns_child(int fd, void *p)
{
	struct other_arg *a = p;

	if (unshare(CLONE_NEWIPC))
		return -errno;
	every_op(fd, a->id, a->res);
	return 0;
}

TEST_F(ns, id_of_another_namespace_is_enoent_for_every_operation)
{
	struct other_arg *a = mbox_shared_mem(sizeof(*a));
	struct mbox_stat st;
	int i, id;

	ASSERT_NE(NULL, a);
	id = cu_new_mode(self->fd, 4, 8, 0666);
	ASSERT_LT(0, id);
	mbox_track(id);
	ASSERT_EQ(0, mbox_put(self->fd, id, "m", 1, MBOX_NONBLOCK));
	a->id = id;
	ASSERT_EQ(0, cu_run(self->fd, other_ns_child, a));
	for (i = 0; i < NO_LIST; i++)
		EXPECT_EQ(-ENOENT, a->res[i]) TH_LOG("operation %d", i);
	EXPECT_EQ(0, a->res[NO_LIST]) TH_LOG("listed in another namespace");
	/* Nothing changed. */
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(1U, st.msgs);
	EXPECT_EQ(0666U, st.mode);
	EXPECT_EQ(0ULL, st.recv_msgs);
}

/* A child in its own namespace with a mailbox, kept alive until released. */
struct holder {
	__u32 id;
	int ready;
	int release;
	int err;
};

static pid_t start_holder(int fd, struct holder *h, bool reenter_parent_ns)
{
	pid_t pid = mbox_fork();
	int parent_ns = -1, ret;

	if (pid)
		return pid;
	if (reenter_parent_ns)
		parent_ns = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	if (unshare(CLONE_NEWIPC)) {
		h->err = errno;
		_exit(CU_CHILD_SETUP);
	}
	{
		struct mbox_create c = {
			.capacity = 4, .max_msg_size = 8,
			.name = (__u64)(uintptr_t)"ns-held",
		};

		ret = ioc_create(fd, &c);
	}
	if (ret < 0) {
		h->err = -ret;
		_exit(CU_CHILD_SETUP);
	}
	h->id = ret;
	mbox_put(fd, ret, "held", 4, MBOX_NONBLOCK);
	if (reenter_parent_ns) {
		/* A file on it, then no process left in the namespace. */
		int mfd = mbox_open_id(fd, ret, MBOX_FD_CLOEXEC |
				       MBOX_FD_NONBLOCK);
		char buf[8];
		/* No events: poll() returns on EPOLLHUP only. */
		struct pollfd pfd = { .fd = mfd, .events = 0 };

		if (mfd < 0 || setns(parent_ns, CLONE_NEWIPC)) {
			h->err = errno;
			_exit(CU_CHILD_SETUP);
		}
		__atomic_store_n(&h->ready, 1, __ATOMIC_RELEASE);
		/* The reaper destroys it: the file reports it. */
		if (poll(&pfd, 1, NS_WAIT_MS) != 1 ||
		    !(pfd.revents & POLLHUP))
			_exit(1);
		_exit(read(mfd, buf, sizeof(buf)) < 0 && errno == EIDRM ? 0 : 2);
	}
	__atomic_store_n(&h->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&h->release, __ATOMIC_ACQUIRE))
		mbox_msleep(5);
	_exit(0);
}

static int wait_ready(struct holder *h, pid_t pid)
{
	long long end = mbox_now_ms() + NS_WAIT_MS;

	while (!__atomic_load_n(&h->ready, __ATOMIC_ACQUIRE)) {
		if (!mbox_alive(pid) || mbox_now_ms() > end)
			return -1;
		mbox_msleep(2);
	}
	return 0;
}

TEST_F(ns, mailbox_of_a_child_namespace_is_invisible_here_while_it_lives)
{
	struct holder *h = mbox_shared_mem(sizeof(*h));
	__u32 before = nr_mailboxes(self->fd);
	int res[NO_N];
	pid_t pid;
	int i;

	ASSERT_NE(NULL, h);
	pid = start_holder(self->fd, h, false);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_ready(h, pid)) TH_LOG("holder: %s", strerror(h->err));
	every_op(self->fd, h->id, res);
	for (i = 0; i < NO_LIST; i++)
		EXPECT_EQ(-ENOENT, res[i]) TH_LOG("operation %d", i);
	EXPECT_EQ(0, res[NO_LIST]);
	__atomic_store_n(&h->release, 1, __ATOMIC_RELEASE);
	EXPECT_EQ(0, mbox_child_result(pid, NS_WAIT_MS));
	/* And it goes with its namespace. */
	EXPECT_EQ(0, mbox_wait_nr(self->fd, before, NS_WAIT_MS));
}

#define wait_nr	mbox_wait_nr

TEST_F_TIMEOUT(ns, mailboxes_die_with_their_namespace_and_its_files_see_eidrm, 60)
{
	struct holder *h = mbox_shared_mem(sizeof(*h));
	__u32 before = nr_mailboxes(self->fd);
	pid_t pid;

	ASSERT_NE(NULL, h);
	pid = start_holder(self->fd, h, true);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_ready(h, pid)) TH_LOG("holder: %s", strerror(h->err));
	/* Its last process left: the reaper destroys it within seconds. */
	EXPECT_EQ(0, mbox_child_result(pid, NS_WAIT_MS))
		TH_LOG("the holder's file did not see EPOLLHUP then EIDRM");
	EXPECT_EQ(0, wait_nr(self->fd, before, NS_WAIT_MS));
}

/*
 * The initial IPC namespace never dies: the reaper, which looks once a
 * second for namespaces that nothing but mbox's pin holds, must never take
 * it for one, even with no nsfs file of it open anywhere (7.3 does not
 * count the initial namespace's references at all).
 */
TEST_F_TIMEOUT(ns, the_reaper_never_destroys_the_initial_namespaces_mailboxes, 30)
{
	struct mbox_stat st;
	__u32 id = NEW_MBOX(self->fd, 4, 16);

	ASSERT_EQ(0, mbox_put(self->fd, id, "kept", 4, MBOX_NONBLOCK));
	/* Three of the reaper's looks. */
	mbox_msleep(3500);
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(1U, st.msgs);
}

struct join_arg {
	int nsfd;
	int res[3];
};

static int join_child(int fd, void *p)
{
	struct join_arg *a = p;
	struct mbox_lookup l = { .name = (__u64)(uintptr_t)"ns-held" };
	struct mbox_stat st;

	if (setns(a->nsfd, CLONE_NEWIPC))
		return -errno;
	a->res[0] = mbox_ioctl(fd, MBOX_IOC_LOOKUP, &l);
	a->res[1] = a->res[0] > 0 ? mbox_stat_id(fd, a->res[0], &st) : -1;
	a->res[2] = a->res[1] ? -1 : (int)st.msgs;
	return 0;
}

TEST_F_TIMEOUT(ns, an_open_nsfs_file_keeps_a_namespace_and_its_mailboxes, 60)
{
	struct holder *h = mbox_shared_mem(sizeof(*h));
	struct join_arg *a = mbox_shared_mem(sizeof(*a));
	__u32 before = nr_mailboxes(self->fd);
	char path[64];
	pid_t pid;

	ASSERT_NE(NULL, h);
	ASSERT_NE(NULL, a);
	pid = start_holder(self->fd, h, false);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_ready(h, pid)) TH_LOG("holder: %s", strerror(h->err));
	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)pid);
	a->nsfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, a->nsfd);
	__atomic_store_n(&h->release, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, mbox_child_result(pid, NS_WAIT_MS));

	/* No process in it, but it can be entered: it is kept. */
	mbox_msleep(2500);
	EXPECT_EQ(before + 1, nr_mailboxes(self->fd));
	ASSERT_EQ(0, cu_run(self->fd, join_child, a));
	EXPECT_EQ((int)h->id, a->res[0]) TH_LOG("lookup after setns");
	EXPECT_EQ(0, a->res[1]);
	EXPECT_EQ(1, a->res[2]) TH_LOG("its message is still queued");

	/* The last way in closes: it goes. */
	close(a->nsfd);
	EXPECT_EQ(0, wait_nr(self->fd, before, NS_WAIT_MS));
}

/*
 * As CU_OWNER, in new user, IPC and pid namespaces (uid 0 there is
 * CU_OWNER): pid 1 creates a mailbox, sends and receives.
 */
struct triple_arg {
	int stage_err;
	__u32 id;
	struct mbox_recv r;
	struct mbox_stat st;
	int res[3];
};

static int triple_child(int fd, void *p)
{
	struct triple_arg *a = p;
	char map[32], buf[8];
	pid_t pid;
	int ret;

	ret = cu_become_class(0);
	if (ret)
		return ret;
	/* A uid change made us undumpable: /proc/self/uid_map root's. */
	if (prctl(PR_SET_DUMPABLE, 1))
		return -errno;
	if (unshare(CLONE_NEWUSER | CLONE_NEWIPC | CLONE_NEWPID))
		return -errno;
	snprintf(map, sizeof(map), "0 %d 1\n", CU_OWNER);
	if (mbox_write_file("/proc/self/uid_map", map) ||
	    mbox_write_file("/proc/self/setgroups", "deny\n"))
		return -EPROTO;
	snprintf(map, sizeof(map), "0 %d 1\n", CU_GROUP);
	if (mbox_write_file("/proc/self/gid_map", map))
		return -EPROTO;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		ret = mbox_new(fd, 4, 8);
		if (ret < 0)
			_exit(-ret);
		a->id = ret;
		a->res[0] = getpid();
		if (mbox_put(fd, ret, "t", 1, MBOX_NONBLOCK))
			_exit(EPROTO);
		a->r = (struct mbox_recv){ .id = ret,
					   .flags = MBOX_NONBLOCK,
					   .buf = (__u64)(uintptr_t)buf,
					   .len = sizeof(buf) };
		a->res[1] = ioc_recv(fd, &a->r);
		mbox_put(fd, ret, "u", 1, MBOX_NONBLOCK);
		a->res[2] = mbox_stat_id(fd, ret, &a->st);
		_exit(0);
	}
	if (waitpid(pid, &ret, 0) != pid || !WIFEXITED(ret))
		return -ECHILD;
	return -WEXITSTATUS(ret);
}

TEST_F_TIMEOUT(ns, user_ipc_and_pid_namespaces_see_their_own_pids_and_uids, 60)
{
	struct triple_arg *a = mbox_shared_mem(sizeof(*a));
	__u32 before = nr_mailboxes(self->fd);
	struct mbox_stat st;
	int ret;

	ASSERT_NE(NULL, a);
	ret = cu_run(self->fd, triple_child, a);
	if (ret == -EPERM || ret == -EINVAL || ret == -ENOSPC)
		SKIP(return, "unshare(USER|IPC|PID) as uid %d: %s", CU_OWNER,
		     strerror(-ret));
	ASSERT_EQ(0, ret) TH_LOG("%d (%s)", ret, ret < 0 ? strerror(-ret) : "");
	EXPECT_EQ(1, a->res[0]) TH_LOG("pid 1 of the new pid namespace");
	EXPECT_EQ(1, a->res[1]) TH_LOG("receive: %d", a->res[1]);
	EXPECT_EQ(1, a->r.pid) TH_LOG("the sender's pid, as the receiver sees it");
	EXPECT_EQ(0U, a->r.uid) TH_LOG("the sender's uid, mapped to 0");
	ASSERT_EQ(0, a->res[2]);
	EXPECT_EQ(0U, a->st.uid);
	EXPECT_EQ(0U, a->st.gid);
	EXPECT_EQ(0U, a->st.cuid);
	EXPECT_EQ(0U, a->st.cgid);
	EXPECT_EQ(1, a->st.last_send_pid);
	EXPECT_EQ(1, a->st.last_recv_pid);
	/* Invisible from here, and gone with its namespace. */
	EXPECT_EQ(-ENOENT, mbox_stat_id(self->fd, a->id, &st));
	EXPECT_EQ(0, wait_nr(self->fd, before, NS_WAIT_MS));
}

struct caps_arg {
	__u32 id;
	int res[3];
};

/* As CU_OTHER in a new user namespace: root there, nobody here. */
static int userns_caps_child(int fd, void *p)
{
	struct caps_arg *a = p;
	struct mbox_stat st;
	int ret = cu_become_class(2);

	if (ret)
		return ret;
	if (unshare(CLONE_NEWUSER))
		return -errno;
	a->res[0] = mbox_put(fd, a->id, "c", 1, MBOX_NONBLOCK);
	a->res[1] = mbox_stat_id(fd, a->id, &st);
	a->res[2] = mbox_del(fd, a->id);
	return 0;
}

TEST_F(ns, capabilities_of_a_child_user_namespace_do_not_count)
{
	struct caps_arg *a = mbox_shared_mem(sizeof(*a));
	struct mbox_set set;
	int id, ret;

	ASSERT_NE(NULL, a);
	id = cu_new_mode(self->fd, 4, 8, 0);
	ASSERT_LT(0, id);
	mbox_track(id);
	set = (struct mbox_set){ .id = id, .flags = MBOX_SET_OWNER,
				 .uid = CU_OWNER, .gid = CU_GROUP };
	ASSERT_EQ(0, cu_set(self->fd, &set));
	a->id = id;
	ret = cu_run(self->fd, userns_caps_child, a);
	if (ret == -EPERM || ret == -EINVAL || ret == -ENOSPC)
		SKIP(return, "unshare(CLONE_NEWUSER): %s", strerror(-ret));
	ASSERT_EQ(0, ret);
	EXPECT_EQ(-EACCES, a->res[0]) TH_LOG("CAP_IPC_OWNER of its own user namespace");
	EXPECT_EQ(-EACCES, a->res[1]);
	EXPECT_EQ(-EPERM, a->res[2]) TH_LOG("CAP_SYS_ADMIN of its own user namespace");
}

TEST_HARNESS_MAIN
