// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/mbox is judged for whoever opened it, never for whoever reads it,
 * as /proc/sysvipc is: a descriptor passed to another process, or read
 * after its opener changed its uid or namespaces, shows what its opener
 * may see, with the opener's IPC namespace, credentials and pid namespace.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/wait.h>

#include "cred_util.h"

#define PROC_MBOX	"/proc/mbox"

/*
 * Read the whole of the /proc/mbox descriptor @pfd from its start: 1 if it
 * has a line for mailbox @id (its lspid column in *@lspid, if not NULL),
 * 0 if not, -errno.
 */
static int proc_fd_line(int pfd, unsigned int id, int *lspid)
{
	static char buf[1 << 16];
	size_t n = 0;
	ssize_t r;
	char *line;
	unsigned int lid;

	if (lseek(pfd, 0, SEEK_SET))
		return -errno;
	while (n + 1 < sizeof(buf) &&
	       (r = read(pfd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	if (r < 0)
		return -errno;
	buf[n] = '\0';
	for (line = buf; line && *line; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL) {
		if (sscanf(line, "%u", &lid) != 1 || lid != id)
			continue;
		if (lspid &&
		    sscanf(line, "%*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %d",
			   lspid) != 1)
			return -EPROTO;
		return 1;
	}
	return 0;
}

FIXTURE(procview) {
	int fd;
	int id;		/* root's, mode 0600: the other user may not read it */
	int pfd;	/* /proc/mbox, opened by the test (root) */
};

FIXTURE_SETUP(procview)
{
	self->pfd = -1;
	MBOX_OPEN_OR_SKIP(&self->fd);
	if (geteuid() != 0)
		SKIP(return, "needs root to switch users");
	self->id = cu_new_mode(self->fd, 4, 64, 0600);
	ASSERT_LT(0, self->id);
	mbox_track(self->id);
	self->pfd = open(PROC_MBOX, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->pfd);
	ASSERT_EQ(1, proc_fd_line(self->pfd, self->id, NULL));
}

FIXTURE_TEARDOWN(procview)
{
	if (self->pfd >= 0)
		close(self->pfd);
	mbox_cleanup(self->fd);
}

struct view_arg {
	int pfd;
	int id;
};

static int read_as_other(int fd, void *p)
{
	struct view_arg *a = p;
	int ret = cu_become_class(2);

	(void)fd;
	if (ret)
		return ret;
	ret = proc_fd_line(a->pfd, a->id, NULL);
	return ret < 0 ? ret : ret ? 0 : -ENOENT;
}

TEST_F(procview, passed_to_another_user_it_shows_what_its_opener_may_read)
{
	struct view_arg a = { .pfd = self->pfd, .id = self->id };

	EXPECT_EQ(0, cu_run(self->fd, read_as_other, &a));
}

/* Opened as the other user, read as root: root's rights do not apply. */
static int open_as_other_read_as_root(int fd, void *p)
{
	struct view_arg *a = p;
	int pfd, ret;

	(void)fd;
	/* The saved uid stays 0, so root can come back. */
	if (setresuid(0, CU_OTHER, 0))
		return -errno;
	pfd = open(PROC_MBOX, O_RDONLY | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	if (setresuid(0, 0, 0))
		return -errno;
	ret = proc_fd_line(pfd, a->id, NULL);
	close(pfd);
	return ret < 0 ? ret : ret ? -EEXIST : 0;
}

TEST_F(procview, opened_by_a_user_it_shows_that_users_view_to_root)
{
	struct view_arg a = { .pfd = -1, .id = self->id };

	EXPECT_EQ(0, cu_run(self->fd, open_as_other_read_as_root, &a));
}

static int read_in_new_ipc_ns(int fd, void *p)
{
	struct view_arg *a = p;
	int ret;

	(void)fd;
	if (unshare(CLONE_NEWIPC))
		return -errno;
	ret = proc_fd_line(a->pfd, a->id, NULL);
	return ret < 0 ? ret : ret ? 0 : -ENOENT;
}

TEST_F(procview, read_in_another_ipc_namespace_it_shows_the_openers)
{
	struct view_arg a = { .pfd = self->pfd, .id = self->id };

	EXPECT_EQ(0, cu_run(self->fd, read_in_new_ipc_ns, &a));
}

/* Opened in a new IPC namespace, read back in the first one. */
static int open_in_new_ipc_ns_read_back(int fd, void *p)
{
	struct view_arg *a = p;
	int ns, pfd, ret;

	(void)fd;
	ns = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return -errno;
	if (unshare(CLONE_NEWIPC))
		return -errno;
	pfd = open(PROC_MBOX, O_RDONLY | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	if (setns(ns, CLONE_NEWIPC))
		return -errno;
	close(ns);
	ret = proc_fd_line(pfd, a->id, NULL);
	close(pfd);
	return ret < 0 ? ret : ret ? -EEXIST : 0;
}

TEST_F(procview, opened_in_another_ipc_namespace_it_shows_that_namespace)
{
	struct view_arg a = { .pfd = -1, .id = self->id };

	EXPECT_EQ(0, cu_run(self->fd, open_in_new_ipc_ns_read_back, &a));
}

struct pid_arg {
	int lspid;	/* as the grandchild read it */
	int found;
	pid_t gpid;	/* the grandchild, in the test's pid namespace */
};

/*
 * The grandchild is pid 1 of a new pid namespace: it sends, so that it is
 * the last sender, then reads the test's descriptor.
 */
TEST_F(procview, read_in_another_pid_namespace_it_shows_the_openers_pids)
{
	struct pid_arg *a = mbox_shared_mem(sizeof(*a));
	int status, lspid = -1;
	pid_t child;

	ASSERT_NE(NULL, a);
	a->lspid = -1;
	child = mbox_fork();
	ASSERT_LE(0, child);
	if (!child) {
		pid_t g;

		if (unshare(CLONE_NEWPID))
			_exit(20);
		g = fork();
		if (g < 0)
			_exit(21);
		if (!g) {
			if (mbox_put(self->fd, self->id, "ns", 2, 0))
				_exit(22);
			a->found = proc_fd_line(self->pfd, self->id, &a->lspid);
			_exit(getpid() == 1 ? 0 : 23);
		}
		a->gpid = g;
		if (waitpid(g, &status, 0) != g || !WIFEXITED(status))
			_exit(24);
		_exit(WEXITSTATUS(status));
	}
	ASSERT_EQ(0, mbox_child_result(child, 20000));
	ASSERT_EQ(1, a->found);
	EXPECT_NE(1, a->gpid);
	EXPECT_EQ(a->gpid, a->lspid);
	/* And the test itself, which opened it, reads the same. */
	ASSERT_EQ(1, proc_fd_line(self->pfd, self->id, &lspid));
	EXPECT_EQ(a->gpid, lspid);
}

TEST_HARNESS_MAIN
