// SPDX-License-Identifier: GPL-2.0
/*
 * Time namespaces: the MBOX_TIMEOUT_ABS deadline is taken, and send_ns,
 * create_ns, last_send_ns and last_recv_ns are reported, on the caller's
 * CLOCK_MONOTONIC, that of its time namespace, whose offset from the
 * host's clock may be positive (a container started later) or negative
 * (one restored by CRIU).  Each test runs in a child of a new time
 * namespace.  Skipped without CONFIG_TIME_NS or root.
 */
#define _GNU_SOURCE
#include <sched.h>

#include "proc_util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif

/* Results of a child, in memory it shares with the test. */
struct tn_out {
	int err;		/* of the call under test, 0 or -errno */
	__u64 before, after;	/* the child's clock around it */
	__u64 send_ns, create_ns, last_send_ns, last_recv_ns;
};

/*
 * Fork a child into a new time namespace whose CLOCK_MONOTONIC is the
 * host's plus @offset_s seconds.  Returns its pid (0 in the child), or
 * -errno; -EOPNOTSUPP without time namespaces.
 */
static pid_t tn_fork(int offset_s)
{
	char buf[64];
	int fd, n;

	if (unshare(CLONE_NEWTIME))
		return errno == EINVAL ? -EOPNOTSUPP : -errno;
	fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "monotonic %d 0\n", offset_s);
	if (write(fd, buf, n) != n) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return mbox_fork();
}

FIXTURE(timens) {
	int fd;
	struct tn_out *out;
};

FIXTURE_SETUP(timens)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	if (geteuid() != 0)
		SKIP(return, "needs root for a time namespace");
	if (access("/proc/self/ns/time", F_OK))
		SKIP(return, "no time namespaces (CONFIG_TIME_NS)");
	self->out = mbox_shared_mem(sizeof(*self->out));
	ASSERT_NE(NULL, self->out);
}

FIXTURE_TEARDOWN(timens)
{
	mbox_cleanup(self->fd);
}

/* An empty mailbox's receive, until 200 ms from now on the child's clock. */
static void tn_recv_until(int fd, int id, struct tn_out *out)
{
	char buf[8];
	struct mbox_recv r = {
		.id = id, .buf = (uintptr_t)buf, .len = sizeof(buf),
		.flags = MBOX_TIMEOUT_ABS,
	};

	out->before = pnow_ns();
	r.timeout_ns = out->before + MS_NS(200);
	out->err = ioc_recv(fd, &r);
	out->after = pnow_ns();
	_exit(0);
}

static void tn_check_deadline(struct __test_metadata *_metadata, int fd,
			      struct tn_out *out, int offset_s)
{
	int id = mbox_new(fd, 1, 8);
	pid_t pid;

	ASSERT_LT(0, id);
	mbox_track(id);
	pid = tn_fork(offset_s);
	if (pid == -EOPNOTSUPP)
		SKIP(return, "no time namespaces");
	ASSERT_LE(0, pid);
	if (!pid)
		tn_recv_until(fd, id, out);
	ASSERT_EQ(0, mbox_child_result(pid, 20000));
	EXPECT_EQ(-ETIMEDOUT, out->err);
	/* 200 ms on the child's clock: not 0, not 200 ms plus the offset. */
	EXPECT_LE(MS_NS(190), out->after - out->before);
	EXPECT_GT(MS_NS(1500), out->after - out->before)
		TH_LOG("waited %llu ms", (unsigned long long)
		       ((out->after - out->before) / 1000000));
}

TEST_F(timens, abs_deadline_is_on_the_callers_clock_ahead_of_the_host)
{
	tn_check_deadline(_metadata, self->fd, self->out, 3);
}

TEST_F(timens, abs_deadline_is_on_the_callers_clock_behind_the_host)
{
	/* The guest has been up longer than this by the time tests run. */
	tn_check_deadline(_metadata, self->fd, self->out, -2);
}

/* Create, send, receive and stat in the child; its clock around them. */
static void tn_times(int fd, struct tn_out *out)
{
	struct mbox_stat st = { 0 };
	struct mbox_recv r = { 0 };
	char buf[8];
	int id;

	out->before = pnow_ns();
	id = mbox_new(fd, 1, 8);
	if (id < 0)
		_exit(10);
	if (mbox_put(fd, id, "t", 1, 0))
		_exit(11);
	r.id = id;
	r.buf = (uintptr_t)buf;
	r.len = sizeof(buf);
	if (ioc_recv(fd, &r) != 1)
		_exit(12);
	if (mbox_stat_id(fd, id, &st))
		_exit(13);
	out->after = pnow_ns();
	out->send_ns = r.send_ns;
	out->create_ns = st.create_ns;
	out->last_send_ns = st.last_send_ns;
	out->last_recv_ns = st.last_recv_ns;
	mbox_del(fd, id);
	_exit(0);
}

static void tn_check_times(struct __test_metadata *_metadata, int fd,
			   struct tn_out *out, int offset_s)
{
	pid_t pid = tn_fork(offset_s);

	if (pid == -EOPNOTSUPP)
		SKIP(return, "no time namespaces");
	ASSERT_LE(0, pid);
	if (!pid)
		tn_times(fd, out);
	ASSERT_EQ(0, mbox_child_result(pid, 20000));
	EXPECT_LE(out->before, out->create_ns);
	EXPECT_LE(out->create_ns, out->send_ns);
	EXPECT_EQ(out->send_ns, out->last_send_ns);
	EXPECT_LE(out->send_ns, out->last_recv_ns);
	EXPECT_GE(out->after, out->last_recv_ns);
}

TEST_F(timens, reported_times_are_on_the_callers_clock_ahead_of_the_host)
{
	tn_check_times(_metadata, self->fd, self->out, 3);
}

TEST_F(timens, reported_times_are_on_the_callers_clock_behind_the_host)
{
	tn_check_times(_metadata, self->fd, self->out, -2);
}

TEST_HARNESS_MAIN
