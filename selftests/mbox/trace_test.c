// SPDX-License-Identifier: GPL-2.0
/*
 * The mbox tracepoints, through tracefs: each event appears, once per
 * operation, with the fields the operation had (ids, lengths, types,
 * sequence numbers, pids) and latencies that match what was done.
 * Skipped where tracefs or the events are missing.
 */
#include "mbox_util.h"
#include "ring_util.h"

#include <sys/mount.h>
#include <sys/stat.h>

#define TRACEFS		"/sys/kernel/tracing"
#define TRACE_MAX	(1 << 20)

/* tracefs mounted, and the mbox events in it; else a reason to skip. */
static const char *tracing_ready(void)
{
	struct stat sb;

	if (stat(TRACEFS "/events", &sb) &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return "cannot mount tracefs at " TRACEFS;
	if (stat(TRACEFS "/events/mbox/enable", &sb))
		return "no mbox events in " TRACEFS "/events";
	return NULL;
}

/* The trace so far: the text of TRACEFS/trace, NUL-terminated. */
static char *read_trace(void)
{
	char *buf = malloc(TRACE_MAX);
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = open(TRACEFS "/trace", O_RDONLY);
	if (!buf || fd < 0)
		abort();
	while (n + 1 < TRACE_MAX && (r = read(fd, buf + n, TRACE_MAX - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	close(fd);
	return buf;
}

/* The number of lines of @trace with event @event and the text @with. */
static int count_events(const char *trace, const char *event, const char *with)
{
	const char *line = trace, *end;
	char pat[64];
	int n = 0;

	snprintf(pat, sizeof(pat), " %s: ", event);
	for (; *line; line = *end ? end + 1 : end) {
		char buf[512];
		size_t len;

		end = strchrnul(line, '\n');
		len = end - line < (long)sizeof(buf) - 1 ? (size_t)(end - line) :
		      sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (strstr(buf, pat) && strstr(buf, with))
			n++;
	}
	return n;
}

/* The value of "key=N" on the first line of @event with @with, or -1. */
static long long event_field(const char *trace, const char *event,
			     const char *with, const char *key)
{
	const char *line = trace, *end, *p;
	char pat[64], k[40];

	snprintf(pat, sizeof(pat), " %s: ", event);
	snprintf(k, sizeof(k), " %s=", key);
	for (; *line; line = *end ? end + 1 : end) {
		char buf[512];
		size_t len;

		end = strchrnul(line, '\n');
		len = end - line < (long)sizeof(buf) - 1 ? (size_t)(end - line) :
		      sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (!strstr(buf, pat) || !strstr(buf, with))
			continue;
		p = strstr(buf, k);
		return p ? strtoll(p + strlen(k), NULL, 0) : -1;
	}
	return -1;
}

FIXTURE(trace) {
	int fd;
	char *trace;
};

FIXTURE_SETUP(trace)
{
	const char *why = tracing_ready();

	self->trace = NULL;
	self->fd = -1;
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, mbox_write_file(TRACEFS "/tracing_on", "0"));
	ASSERT_EQ(0, mbox_write_file(TRACEFS "/trace", ""));
	ASSERT_EQ(0, mbox_write_file(TRACEFS "/events/mbox/enable", "1"));
	ASSERT_EQ(0, mbox_write_file(TRACEFS "/tracing_on", "1"));
	self->fd = open(MBOX_DEV, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(trace)
{
	mbox_write_file(TRACEFS "/events/mbox/enable", "0");
	free(self->trace);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(trace, create_send_recv_destroy_each_give_one_event_with_their_fields)
{
	struct mbox_create c = { .capacity = 2, .max_msg_size = 100,
				 .name = (uintptr_t)"traced" };
	struct mbox_send s = { .buf = (uintptr_t)"hello", .len = 5, .type = 9 };
	char buf[16], with[32], pid[32];
	struct mbox_recv r = { .buf = (uintptr_t)buf, .len = sizeof(buf) };
	struct mbox_destroy d = {};
	int id;

	id = ioc_create(self->fd, &c);
	ASSERT_LT(0, id);
	s.id = r.id = d.id = id;
	ASSERT_EQ(0, ioc_send(self->fd, &s));
	usleep(20000);
	ASSERT_EQ(5, ioc_recv(self->fd, &r));
	ASSERT_EQ(0, ioc_send(self->fd, &s));
	ASSERT_EQ(0, ioc_destroy(self->fd, &d));
	ASSERT_EQ(0, mbox_write_file(TRACEFS "/tracing_on", "0"));
	self->trace = read_trace();

	snprintf(with, sizeof(with), "id=%d ", id);
	snprintf(pid, sizeof(pid), "pid=%d ", getpid());
	EXPECT_EQ(1, count_events(self->trace, "mbox_create", with)) TH_LOG("%s", self->trace);
	EXPECT_EQ(2, event_field(self->trace, "mbox_create", with, "capacity"));
	EXPECT_EQ(100, event_field(self->trace, "mbox_create", with, "max_msg_size"));
	EXPECT_EQ(getpid(), event_field(self->trace, "mbox_create", with, "pid"));
	EXPECT_NE(NULL, strstr(self->trace, "name=traced"));

	EXPECT_EQ(2, count_events(self->trace, "mbox_send", with));
	EXPECT_EQ(1, count_events(self->trace, "mbox_send", "seq=1 type=9 len=5"));
	EXPECT_EQ(1, count_events(self->trace, "mbox_send", "seq=2 type=9 len=5"));
	EXPECT_EQ(getpid(), event_field(self->trace, "mbox_send", with, "pid"));

	EXPECT_EQ(1, count_events(self->trace, "mbox_recv", with));
	EXPECT_EQ(1, event_field(self->trace, "mbox_recv", with, "seq"));
	EXPECT_EQ(5, event_field(self->trace, "mbox_recv", with, "len"));
	EXPECT_EQ(getpid(), event_field(self->trace, "mbox_recv", with, "sender"));
	EXPECT_EQ(getpid(), event_field(self->trace, "mbox_recv", with, "pid"));
	/* The message waited the 20 ms the test slept, and not a second. */
	EXPECT_LE(20000000, event_field(self->trace, "mbox_recv", with, "latency_ns"));
	EXPECT_GT(1000000000, event_field(self->trace, "mbox_recv", with, "latency_ns"));

	EXPECT_EQ(1, count_events(self->trace, "mbox_destroy", with));
	EXPECT_EQ(1, event_field(self->trace, "mbox_destroy", with, "msgs"));
	EXPECT_EQ(5, event_field(self->trace, "mbox_destroy", with, "bytes"));
}

TEST_F(trace, a_blocked_receiver_gives_block_then_wake_with_its_wait_time)
{
	struct mbox_send s = { .buf = (uintptr_t)"abc", .len = 3 };
	char with[32], recv_with[64];
	struct mbox_destroy d = {};
	struct mbox_stat st;
	int id, status, i;
	pid_t child;

	id = mbox_new(self->fd, 1, 16);
	ASSERT_LT(0, id);
	s.id = d.id = id;
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		char buf[16];
		struct mbox_recv r = { .id = id, .buf = (uintptr_t)buf, .len = 16 };

		_exit(ioc_recv(self->fd, &r) == 3 ? 0 : 1);
	}
	/* Wait until it blocks, then some more, then send. */
	for (i = 0; i < 500; i++) {
		memset(&st, 0, sizeof(st));
		st.id = id;
		ASSERT_EQ(0, ioc_stat(self->fd, &st));
		if (st.blocked_receivers)
			break;
		usleep(10000);
	}
	ASSERT_EQ(1U, st.blocked_receivers);
	usleep(50000);
	ASSERT_EQ(0, ioc_send(self->fd, &s));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, ioc_destroy(self->fd, &d));
	ASSERT_EQ(0, mbox_write_file(TRACEFS "/tracing_on", "0"));
	self->trace = read_trace();

	snprintf(with, sizeof(with), "id=%d pid=%d op=recv", id, child);
	EXPECT_EQ(1, count_events(self->trace, "mbox_block", with)) TH_LOG("%s", self->trace);
	EXPECT_EQ(1, event_field(self->trace, "mbox_block", with, "receivers"));
	EXPECT_EQ(1, count_events(self->trace, "mbox_wake", with));
	EXPECT_EQ(0, event_field(self->trace, "mbox_wake", with, "ret"));
	EXPECT_LE(50000000, event_field(self->trace, "mbox_wake", with, "wait_ns"));
	EXPECT_GT(60000000000LL, event_field(self->trace, "mbox_wake", with, "wait_ns"));
	/* The message was handed to the child directly. */
	snprintf(recv_with, sizeof(recv_with), "id=%d seq=1 ", id);
	EXPECT_EQ(child, event_field(self->trace, "mbox_recv", recv_with, "pid"));
	EXPECT_EQ(getpid(), event_field(self->trace, "mbox_recv", recv_with, "sender"));
}

/*
 * The start of a wait is timed only while mbox_wake is on (an untraced
 * wait reads no clock under the lock), so a wait that began before the
 * event was enabled reports 0, not the time since boot.
 */
TEST_F(trace, a_wait_begun_before_mbox_wake_was_enabled_reports_wait_ns_0)
{
	struct mbox_send s = { .buf = (uintptr_t)"abc", .len = 3 };
	struct mbox_destroy d = {};
	struct mbox_stat st;
	char with[48];
	int id, status, i;
	pid_t child;

	ASSERT_EQ(0, mbox_write_file(TRACEFS "/events/mbox/mbox_wake/enable", "0"));
	id = mbox_new(self->fd, 1, 16);
	ASSERT_LT(0, id);
	s.id = d.id = id;
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		char buf[16];
		struct mbox_recv r = { .id = id, .buf = (uintptr_t)buf, .len = 16 };

		_exit(ioc_recv(self->fd, &r) == 3 ? 0 : 1);
	}
	for (i = 0; i < 500; i++) {
		memset(&st, 0, sizeof(st));
		st.id = id;
		ASSERT_EQ(0, ioc_stat(self->fd, &st));
		if (st.blocked_receivers)
			break;
		usleep(10000);
	}
	ASSERT_EQ(1U, st.blocked_receivers);
	ASSERT_EQ(0, mbox_write_file(TRACEFS "/events/mbox/mbox_wake/enable", "1"));
	usleep(20000);
	ASSERT_EQ(0, ioc_send(self->fd, &s));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, ioc_destroy(self->fd, &d));
	ASSERT_EQ(0, mbox_write_file(TRACEFS "/tracing_on", "0"));
	self->trace = read_trace();

	snprintf(with, sizeof(with), "id=%d pid=%d op=recv", id, child);
	EXPECT_EQ(1, count_events(self->trace, "mbox_block", with)) TH_LOG("%s", self->trace);
	EXPECT_EQ(1, count_events(self->trace, "mbox_wake", with));
	EXPECT_EQ(0, event_field(self->trace, "mbox_wake", with, "ret"));
	EXPECT_EQ(0, event_field(self->trace, "mbox_wake", with, "wait_ns"));
}

TEST_F(trace, a_timed_out_send_gives_wake_with_minus_etimedout)
{
	struct mbox_send s = { .buf = (uintptr_t)"z", .len = 1,
			       .flags = MBOX_TIMEOUT, .timeout_ns = 30000000 };
	struct mbox_destroy d = {};
	char with[48];
	int id;

	id = mbox_new(self->fd, 0, 16);
	ASSERT_LT(0, id);
	s.id = d.id = id;
	ASSERT_EQ(-ETIMEDOUT, ioc_send(self->fd, &s));
	ASSERT_EQ(0, ioc_destroy(self->fd, &d));
	ASSERT_EQ(0, mbox_write_file(TRACEFS "/tracing_on", "0"));
	self->trace = read_trace();

	snprintf(with, sizeof(with), "id=%d pid=%d op=send", id, getpid());
	EXPECT_EQ(1, count_events(self->trace, "mbox_block", with)) TH_LOG("%s", self->trace);
	EXPECT_EQ(-ETIMEDOUT, event_field(self->trace, "mbox_wake", with, "ret"));
	/*
	 * The 30 ms deadline is set on entry, the wait is timed from when the
	 * sender blocks, a little later; and the debug guest's clock moves in
	 * 4 ms steps.  So the wait is at most 30 ms plus slack, and more than
	 * most of it: 20 ms leaves room for both without letting a wake that
	 * did not wait for the timeout pass.
	 */
	EXPECT_LE(20000000, event_field(self->trace, "mbox_wake", with, "wait_ns"));
	EXPECT_GT(10000000000LL, event_field(self->trace, "mbox_wake", with, "wait_ns"));
	snprintf(with, sizeof(with), "id=%d ", id);
	EXPECT_EQ(0, count_events(self->trace, "mbox_send", with));
}

/*
 * A send straight into a receive ring fires mbox_ring_send with its
 * fields, and neither mbox_send nor mbox_recv.
 */
TEST_F(trace, a_send_into_a_ring_gives_mbox_ring_send_and_no_mbox_send)
{
	struct mbox_send s = { .buf = (uintptr_t)"hello", .len = 5, .type = 9 };
	struct mbox_destroy d = {};
	struct mbox_info info = {};
	char with[32];
	struct ring r;
	int id, cfd;

	ASSERT_EQ(0, ioc_info(self->fd, &info));
	if (!(info.features & MBOX_FEATURE_RING))
		SKIP(return, "the module lacks MBOX_FEATURE_RING");
	id = mbox_new(self->fd, 4, 16);
	ASSERT_LT(0, id);
	cfd = mbox_open_id(self->fd, id, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, ring_open(&r, cfd, 4096));
	s.id = d.id = id;
	ASSERT_EQ(0, ioc_send(self->fd, &s));
	ASSERT_EQ(0, mbox_write_file(TRACEFS "/tracing_on", "0"));
	self->trace = read_trace();
	ring_unmap(&r);
	close(cfd);
	ASSERT_EQ(0, ioc_destroy(self->fd, &d));

	snprintf(with, sizeof(with), "id=%d ", id);
	EXPECT_EQ(1, count_events(self->trace, "mbox_ring_send", with)) TH_LOG("%s", self->trace);
	EXPECT_EQ(1, count_events(self->trace, "mbox_ring_send", "seq=1 type=9 len=5"));
	EXPECT_EQ(getpid(), event_field(self->trace, "mbox_ring_send", with, "pid"));
	EXPECT_EQ(0, count_events(self->trace, "mbox_send", with));
	EXPECT_EQ(0, count_events(self->trace, "mbox_recv", with));
}

TEST_HARNESS_MAIN
