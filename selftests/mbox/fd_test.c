// SPDX-License-Identifier: GPL-2.0
/*
 * mbox per-mailbox files (MBOX_IOC_OPEN): read() receives one message and
 * write() sends one, boundaries kept as with SOCK_SEQPACKET; non-blocking
 * modes; poll(), select() and epoll report EPOLLIN when a receive would not
 * block, EPOLLOUT when a send would not, and EPOLLHUP | EPOLLERR once the
 * mailbox is destroyed; one epoll set serves as a set of mailboxes.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include "mbox_util.h"

#define CAP		4
#define MAX_LEN		64
#define WAIT_MS		5000
#define POISON		0x5a
#define EVENTS		(POLLIN | POLLOUT | POLLHUP | POLLERR)

FIXTURE(mfd) {
	int fd;
	struct mbox_info info;
	__u32 id;
	int mfd;
	unsigned char sbuf[256], rbuf[256];
};

FIXTURE_SETUP(mfd)
{
	self->mfd = -1;
	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	self->id = NEW_MBOX(self->fd, CAP, MAX_LEN);
	self->mfd = mbox_open_id(self->fd, self->id, MBOX_FD_CLOEXEC);
	ASSERT_LE(0, self->mfd) TH_LOG("MBOX_IOC_OPEN: %s",
				       strerror(-self->mfd));
}

FIXTURE_TEARDOWN(mfd)
{
	mbox_cleanup(self->fd);
	if (self->mfd >= 0)
		close(self->mfd);
}

/* The poll events of @fd now, or -errno. */
static int poll_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	int ret = poll(&p, 1, 0);

	if (ret < 0)
		return -errno;
	return p.revents & EVENTS;
}

/* read() or write() as 0-or-length, or -errno. */
static ssize_t xread(int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return n < 0 ? -errno : n;
}

static ssize_t xwrite(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	return n < 0 ? -errno : n;
}

static struct mbox_stat stat_of(int fd, __u32 id)
{
	struct mbox_stat st;

	if (mbox_stat_id(fd, id, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

/*
 * Is @pid asleep in system call @nr1 or @nr2?  1 or 0, or -1 if /proc
 * cannot tell.
 */
static int in_syscall(pid_t pid, long nr1, long nr2)
{
	unsigned long long arg1;
	long nr;
	int r = mbox_asleep_in_syscall(pid, &nr, &arg1);

	if (r != 1)
		return r;
	return nr == nr1 || nr == nr2;
}

/* Wait until child @pid sleeps in @nr1 or @nr2 (or 200 ms if unknown). */
static void wait_in_syscall(struct __test_metadata *_metadata, pid_t pid,
			    long nr1, long nr2)
{
	long long end = mbox_now_ms() + WAIT_MS;
	int r;

	for (;;) {
		r = in_syscall(pid, nr1, nr2);
		if (r == 1)
			break;
		if (r < 0) {
			mbox_msleep(200);
			break;
		}
		ASSERT_TRUE(mbox_alive(pid)) TH_LOG("child %d ended", (int)pid);
		ASSERT_GT(end, mbox_now_ms())
			TH_LOG("child %d never slept in syscall %ld",
			       (int)pid, nr1);
		mbox_msleep(2);
	}
	/* And it keeps sleeping. */
	mbox_msleep(50);
	ASSERT_TRUE(mbox_alive(pid)) TH_LOG("child %d ended", (int)pid);
}

TEST_F(mfd, open_returns_a_new_fd_per_call_bound_to_the_mailbox)
{
	int other = mbox_open_id(self->fd, self->id, MBOX_FD_CLOEXEC);
	char in[8];

	ASSERT_LE(0, other);
	EXPECT_NE(self->mfd, other);
	ASSERT_EQ(5, xwrite(other, "hello", 5));
	EXPECT_EQ(1U, stat_of(self->fd, self->id).msgs);
	EXPECT_EQ(5, xread(self->mfd, in, sizeof(in)));
	EXPECT_EQ(0, memcmp(in, "hello", 5));
	close(other);
}

TEST_F(mfd, write_sends_one_message_and_read_receives_one)
{
	static const size_t lens[] = { 5, 17, 1, MAX_LEN };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		mbox_fill(self->sbuf, lens[i], i);
		ASSERT_EQ((ssize_t)lens[i], xwrite(self->mfd, self->sbuf,
						   lens[i]));
	}
	EXPECT_EQ(ARRAY_SIZE(lens), stat_of(self->fd, self->id).msgs);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		memset(self->rbuf, POISON, sizeof(self->rbuf));
		EXPECT_EQ((ssize_t)lens[i], xread(self->mfd, self->rbuf,
						  sizeof(self->rbuf)))
			TH_LOG("message %u", i);
		EXPECT_EQ(-1, mbox_check(self->rbuf, lens[i], i));
		EXPECT_EQ(-1, mbox_check_fill(self->rbuf + lens[i],
					      sizeof(self->rbuf) - lens[i],
					      POISON));
	}
	EXPECT_EQ(0U, stat_of(self->fd, self->id).msgs);
}

TEST_F(mfd, write_and_read_interoperate_with_the_ioctls)
{
	unsigned char b[MAX_LEN];
	struct mbox_recv r = {
		.id = self->id,
		.flags = MBOX_NONBLOCK,
		.buf = (__u64)(uintptr_t)b,
		.len = sizeof(b),
		.type = 0xffff,
	};
	struct mbox_send s = {
		.id = self->id,
		.buf = (__u64)(uintptr_t)"typed",
		.len = 5,
		.type = 9,
	};

	/* write() sends a message of type 0 from this process. */
	ASSERT_EQ(3, xwrite(self->mfd, "abc", 3));
	EXPECT_EQ(3, ioc_recv(self->fd, &r));
	EXPECT_EQ(0, memcmp(b, "abc", 3));
	EXPECT_EQ(0U, r.type);
	EXPECT_EQ(getpid(), r.pid);
	EXPECT_EQ(3ULL, r.msg_len);

	/* read() takes the oldest message, whatever its type. */
	ASSERT_EQ(0, ioc_send(self->fd, &s));
	EXPECT_EQ(5, xread(self->mfd, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(b, "typed", 5));
}

TEST_F(mfd, zero_length_write_sends_an_empty_message)
{
	char c = 'x';

	ASSERT_EQ(0, xwrite(self->mfd, &c, 0));
	EXPECT_EQ(1U, stat_of(self->fd, self->id).msgs);
	ASSERT_EQ(2, xwrite(self->mfd, "yz", 2));
	EXPECT_EQ(0, xread(self->mfd, self->rbuf, sizeof(self->rbuf)));
	EXPECT_EQ(2, xread(self->mfd, self->rbuf, sizeof(self->rbuf)));
	EXPECT_EQ(0U, stat_of(self->fd, self->id).msgs);
}

TEST_F(mfd, read_with_a_short_buffer_is_emsgsize_and_the_message_stays)
{
	mbox_fill(self->sbuf, 20, 1);
	ASSERT_EQ(20, xwrite(self->mfd, self->sbuf, 20));
	EXPECT_EQ(-EMSGSIZE, xread(self->mfd, self->rbuf, 19));
	EXPECT_EQ(-EMSGSIZE, xread(self->mfd, self->rbuf, 0));
	EXPECT_EQ(1U, stat_of(self->fd, self->id).msgs);
	EXPECT_EQ(20, xread(self->mfd, self->rbuf, 20));
	EXPECT_EQ(-1, mbox_check(self->rbuf, 20, 1));
}

TEST_F(mfd, write_above_max_msg_size_is_emsgsize_and_sends_nothing)
{
	struct mbox_stat st;

	EXPECT_EQ(-EMSGSIZE, xwrite(self->mfd, self->sbuf, MAX_LEN + 1));
	EXPECT_EQ(-EMSGSIZE, xwrite(self->mfd, self->sbuf,
				    sizeof(self->sbuf)));
	st = stat_of(self->fd, self->id);
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ(0ULL, st.sent_msgs);
}

TEST_F(mfd, read_into_and_write_from_bad_memory_is_efault_and_moves_nothing)
{
	void *page = mbox_map_with_holes(1, 1);

	ASSERT_NE(NULL, page);
	EXPECT_EQ(-EFAULT, xwrite(self->mfd, page, 8));
	EXPECT_EQ(0ULL, stat_of(self->fd, self->id).sent_msgs);
	mbox_fill(self->sbuf, 8, 2);
	ASSERT_EQ(8, xwrite(self->mfd, self->sbuf, 8));
	EXPECT_EQ(-EFAULT, xread(self->mfd, page, MAX_LEN));
	EXPECT_EQ(1U, stat_of(self->fd, self->id).msgs);
	EXPECT_EQ(8, xread(self->mfd, self->rbuf, MAX_LEN));
	EXPECT_EQ(-1, mbox_check(self->rbuf, 8, 2));
	munmap(page, (size_t)sysconf(_SC_PAGESIZE));
}

/*
 * Neither file has a position: lseek() is ESPIPE, as on a pipe, on every
 * kernel (no .llseek; 6.12 removed no_llseek, which said the same).
 */
TEST_F(mfd, lseek_on_the_device_file_is_espipe)
{
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_CUR));
	EXPECT_EQ(ESPIPE, errno);
}

TEST_F(mfd, lseek_on_a_mailbox_file_is_espipe)
{
	ASSERT_EQ(0, mbox_put(self->fd, self->id, "x", 1, MBOX_NONBLOCK));
	EXPECT_EQ(-1, lseek(self->mfd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, lseek(self->mfd, 0, SEEK_END));
	EXPECT_EQ(ESPIPE, errno);
	/* And nothing moved. */
	EXPECT_EQ(1U, stat_of(self->fd, self->id).msgs);
}

TEST_F(mfd, fd_flags_follow_mbox_fd_cloexec_and_mbox_fd_nonblock)
{
	static const __u32 flags[] = { 0, MBOX_FD_CLOEXEC, MBOX_FD_NONBLOCK,
				       MBOX_FD_CLOEXEC | MBOX_FD_NONBLOCK };
	unsigned int i;
	int fd, fl;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		fd = mbox_open_id(self->fd, self->id, flags[i]);
		ASSERT_LE(0, fd) TH_LOG("flags %#x: %s", flags[i],
					strerror(-fd));
		fl = fcntl(fd, F_GETFD);
		EXPECT_EQ(!!(flags[i] & MBOX_FD_CLOEXEC), !!(fl & FD_CLOEXEC))
			TH_LOG("flags %#x", flags[i]);
		fl = fcntl(fd, F_GETFL);
		EXPECT_EQ(O_RDWR, fl & O_ACCMODE) TH_LOG("flags %#x", flags[i]);
		EXPECT_EQ(!!(flags[i] & MBOX_FD_NONBLOCK), !!(fl & O_NONBLOCK))
			TH_LOG("flags %#x", flags[i]);
		close(fd);
	}
}

TEST_F(mfd, mbox_fd_nonblock_makes_read_and_write_eagain)
{
	int nfd = mbox_open_id(self->fd, self->id,
			       MBOX_FD_NONBLOCK | MBOX_FD_CLOEXEC);
	int i;

	ASSERT_LE(0, nfd);
	EXPECT_EQ(-EAGAIN, xread(nfd, self->rbuf, MAX_LEN));
	for (i = 0; i < CAP; i++)
		ASSERT_EQ(1, xwrite(nfd, "m", 1));
	EXPECT_EQ(-EAGAIN, xwrite(nfd, "m", 1));
	EXPECT_EQ((__u32)CAP, stat_of(self->fd, self->id).msgs);
	close(nfd);
}

TEST_F(mfd, o_nonblock_set_with_fcntl_makes_read_and_write_eagain)
{
	int fl = fcntl(self->mfd, F_GETFL), i;

	ASSERT_LE(0, fl);
	ASSERT_EQ(0, fcntl(self->mfd, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, xread(self->mfd, self->rbuf, MAX_LEN));
	for (i = 0; i < CAP; i++)
		ASSERT_EQ(1, xwrite(self->mfd, "m", 1));
	EXPECT_EQ(-EAGAIN, xwrite(self->mfd, "m", 1));
	EXPECT_EQ((__u32)CAP, stat_of(self->fd, self->id).msgs);
}

TEST_F(mfd, blocking_read_waits_for_a_message)
{
	pid_t pid;

	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ssize_t n = xread(self->mfd, self->rbuf, MAX_LEN);

		if (n < 0)
			_exit(mbox_exit_code(n));
		_exit(n == 7 && !memcmp(self->rbuf, "arrived", 7) ?
		      0 : MBOX_CHILD_BAD_DATA);
	}
	ASSERT_WAITERS(self->fd, self->id, 0, 1);
	mbox_msleep(50);
	ASSERT_TRUE(mbox_alive(pid));
	ASSERT_EQ(0, mbox_put(self->fd, self->id, "arrived", 7, 0));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
}

TEST_F(mfd, blocking_write_waits_for_a_free_slot)
{
	__u64 len = MAX_LEN;
	pid_t pid;
	int i;

	for (i = 0; i < CAP; i++)
		ASSERT_EQ(1, xwrite(self->mfd, "m", 1));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ssize_t n = xwrite(self->mfd, "late", 4);

		_exit(n < 0 ? mbox_exit_code(n) :
		      n == 4 ? 0 : MBOX_CHILD_BAD_DATA);
	}
	ASSERT_WAITERS(self->fd, self->id, 1, 0);
	mbox_msleep(50);
	ASSERT_TRUE(mbox_alive(pid));
	ASSERT_EQ(1, mbox_get(self->fd, self->id, self->rbuf, &len, 0));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ((__u32)CAP, stat_of(self->fd, self->id).msgs);
}

TEST_F(mfd, poll_reports_epollin_iff_a_message_is_queued_and_epollout_iff_a_slot_is_free)
{
	int i;

	EXPECT_EQ(POLLOUT, poll_now(self->mfd));
	ASSERT_EQ(1, xwrite(self->mfd, "m", 1));
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(self->mfd));
	for (i = 1; i < CAP; i++)
		ASSERT_EQ(1, xwrite(self->mfd, "m", 1));
	EXPECT_EQ(POLLIN, poll_now(self->mfd)) TH_LOG("full");
	ASSERT_EQ(1, xread(self->mfd, self->rbuf, MAX_LEN));
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(self->mfd));
	for (i = 1; i < CAP; i++)
		ASSERT_EQ(1, xread(self->mfd, self->rbuf, MAX_LEN));
	EXPECT_EQ(POLLOUT, poll_now(self->mfd)) TH_LOG("empty again");
}

TEST_F(mfd, select_reports_readable_and_writable_like_poll)
{
	struct timeval tv;
	fd_set rd, wr;
	int i;

	for (i = 0; i <= CAP; i++) {
		FD_ZERO(&rd);
		FD_ZERO(&wr);
		FD_SET(self->mfd, &rd);
		FD_SET(self->mfd, &wr);
		tv.tv_sec = 0;
		tv.tv_usec = 0;
		ASSERT_LE(0, select(self->mfd + 1, &rd, &wr, NULL, &tv));
		EXPECT_EQ(i > 0, !!FD_ISSET(self->mfd, &rd)) TH_LOG("%d queued",
								   i);
		EXPECT_EQ(i < CAP, !!FD_ISSET(self->mfd, &wr))
			TH_LOG("%d queued", i);
		if (i < CAP)
			ASSERT_EQ(1, xwrite(self->mfd, "m", 1));
	}
}

/*
 * With capacity 0 nothing is ever queued: a send would not block only while
 * a receiver waits, a receive only while a sender waits.
 */
TEST_F(mfd, poll_of_a_rendezvous_mailbox_follows_the_waiting_peers)
{
	__u32 id = NEW_MBOX(self->fd, 0, MAX_LEN);
	int rfd = mbox_open_id(self->fd, id, MBOX_FD_CLOEXEC);
	__u64 len = MAX_LEN;
	pid_t pid;

	ASSERT_LE(0, rfd);
	EXPECT_EQ(0, poll_now(rfd)) TH_LOG("nobody waits");

	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mbox_exit_code(mbox_get(self->fd, id, self->rbuf, &len,
					      0)));
	ASSERT_WAITERS(self->fd, id, 0, 1);
	EXPECT_EQ(POLLOUT, poll_now(rfd)) TH_LOG("a receiver waits");
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, mbox_child_result(pid, WAIT_MS));
	ASSERT_WAITERS(self->fd, id, 0, 0);
	EXPECT_EQ(0, poll_now(rfd)) TH_LOG("the receiver is gone");

	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mbox_exit_code(xwrite(rfd, "rdv", 3)));
	ASSERT_WAITERS(self->fd, id, 1, 0);
	EXPECT_EQ(POLLIN, poll_now(rfd)) TH_LOG("a sender waits");
	EXPECT_EQ(3, xread(rfd, self->rbuf, MAX_LEN));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(0, poll_now(rfd)) TH_LOG("the sender is done");
	close(rfd);
}

TEST_F(mfd, destroy_gives_epollhup_and_epollerr_and_eidrm_to_read_and_write)
{
	struct pollfd p = { .fd = self->mfd, .events = 0 };

	ASSERT_EQ(1, xwrite(self->mfd, "m", 1));
	ASSERT_EQ(0, mbox_del(self->fd, self->id));
	/* Reported even when not asked for. */
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLHUP | POLLERR, p.revents & (POLLHUP | POLLERR));
	EXPECT_EQ(-EIDRM, xread(self->mfd, self->rbuf, MAX_LEN));
	EXPECT_EQ(-EIDRM, xwrite(self->mfd, "m", 1));
	EXPECT_EQ(-ENOENT, mbox_open_id(self->fd, self->id, 0));
}

struct poll_out {
	int ret;
	int revents;
};

/* A child polling @fd for @events for up to 10 s; exits 0 if it got one. */
static pid_t spawn_poller(struct __test_metadata *_metadata, int fd,
			  short events, struct poll_out *o)
{
	pid_t pid = mbox_fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd p = { .fd = fd, .events = events };

		o->ret = poll(&p, 1, 10000);
		o->revents = p.revents;
		_exit(o->ret == 1 ? 0 : MBOX_CHILD_BAD_DATA);
	}
	return pid;
}

TEST_F(mfd, destroy_wakes_a_blocked_reader_with_eidrm_and_a_poller_with_epollhup)
{
	struct poll_out *o = mbox_shared_mem(sizeof(*o));
	pid_t reader, poller;

	ASSERT_NE(NULL, o);
	reader = mbox_fork();
	ASSERT_LE(0, reader);
	if (reader == 0)
		_exit(mbox_exit_code(xread(self->mfd, self->rbuf, MAX_LEN)));
	ASSERT_WAITERS(self->fd, self->id, 0, 1);
	poller = spawn_poller(_metadata, self->mfd, POLLIN, o);
	wait_in_syscall(_metadata, poller, SYS_poll, SYS_ppoll);

	ASSERT_EQ(0, mbox_del(self->fd, self->id));
	EXPECT_EQ(EIDRM, mbox_child_result(reader, WAIT_MS));
	EXPECT_EQ(0, mbox_child_result(poller, WAIT_MS));
	EXPECT_EQ(POLLHUP | POLLERR, o->revents & (POLLHUP | POLLERR));
	munmap(o, sizeof(*o));
}

TEST_F(mfd, a_blocked_poll_is_woken_by_a_send_from_another_process)
{
	struct poll_out *o = mbox_shared_mem(sizeof(*o));
	pid_t poller;

	ASSERT_NE(NULL, o);
	poller = spawn_poller(_metadata, self->mfd, POLLIN, o);
	wait_in_syscall(_metadata, poller, SYS_poll, SYS_ppoll);
	ASSERT_EQ(0, mbox_put(self->fd, self->id, "wake", 4, 0));
	EXPECT_EQ(0, mbox_child_result(poller, WAIT_MS));
	EXPECT_EQ(POLLIN, o->revents & EVENTS);
	munmap(o, sizeof(*o));
}

TEST_F(mfd, a_blocked_poll_for_epollout_is_woken_when_a_receive_frees_a_slot)
{
	struct poll_out *o = mbox_shared_mem(sizeof(*o));
	__u64 len = MAX_LEN;
	pid_t poller;
	int i;

	ASSERT_NE(NULL, o);
	for (i = 0; i < CAP; i++)
		ASSERT_EQ(1, xwrite(self->mfd, "m", 1));
	poller = spawn_poller(_metadata, self->mfd, POLLOUT, o);
	wait_in_syscall(_metadata, poller, SYS_poll, SYS_ppoll);
	ASSERT_EQ(1, mbox_get(self->fd, self->id, self->rbuf, &len, 0));
	EXPECT_EQ(0, mbox_child_result(poller, WAIT_MS));
	EXPECT_EQ(POLLOUT, o->revents & (POLLOUT | POLLHUP | POLLERR));
	munmap(o, sizeof(*o));
}

TEST_F(mfd, a_blocked_epoll_wait_is_woken_by_a_send)
{
	struct poll_out *o = mbox_shared_mem(sizeof(*o));
	pid_t pid;

	ASSERT_NE(NULL, o);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 77 };
		int ep = epoll_create1(EPOLL_CLOEXEC);

		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, self->mfd, &ev))
			_exit(MBOX_CHILD_SETUP);
		memset(&ev, 0, sizeof(ev));
		o->ret = epoll_wait(ep, &ev, 1, 10000);
		o->revents = ev.events;
		_exit(o->ret == 1 && ev.data.u32 == 77 ? 0 :
		      MBOX_CHILD_BAD_DATA);
	}
	wait_in_syscall(_metadata, pid, SYS_epoll_wait, SYS_epoll_pwait);
	ASSERT_EQ(0, mbox_put(self->fd, self->id, "wake", 4, 0));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(EPOLLIN, o->revents);
	munmap(o, sizeof(*o));
}

#define NR_SET	100

/* The mailboxes epoll reports readable now: a bit per index in @seen. */
static int epoll_ready(int ep, bool *seen)
{
	struct epoll_event evs[NR_SET + 8];
	int n, i;

	memset(seen, 0, NR_SET * sizeof(*seen));
	n = epoll_wait(ep, evs, ARRAY_SIZE(evs), 0);
	for (i = 0; i < n; i++) {
		if (evs[i].data.u32 >= NR_SET || seen[evs[i].data.u32] ||
		    evs[i].events != EPOLLIN)
			return -1000;
		seen[evs[i].data.u32] = true;
	}
	return n;
}

TEST_F_TIMEOUT(mfd, one_epoll_set_over_100_mailbox_fds_reports_exactly_those_with_messages,
	       60)
{
	__u32 ids[NR_SET];
	int fds[NR_SET], ep, i, want;
	bool seen[NR_SET];
	struct epoll_event ev;

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	for (i = 0; i < NR_SET; i++)
		fds[i] = -1;
	for (i = 0; i < NR_SET; i++) {
		ids[i] = NEW_MBOX(self->fd, 2, 8);
		fds[i] = mbox_open_id(self->fd, ids[i],
				      MBOX_FD_CLOEXEC | MBOX_FD_NONBLOCK);
		ASSERT_LE(0, fds[i]) TH_LOG("mailbox %d: %s", i,
					    strerror(-fds[i]));
		ev.events = EPOLLIN;
		ev.data.u32 = i;
		ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev));
	}
	EXPECT_EQ(0, epoll_ready(ep, seen));

	/* Messages sent with the ioctl to some. */
	want = 0;
	for (i = 0; i < NR_SET; i++) {
		if (i % 7 != 3)
			continue;
		ASSERT_EQ(0, mbox_put(self->fd, ids[i], "x", 1, 0));
		want++;
	}
	EXPECT_EQ(want, epoll_ready(ep, seen));
	for (i = 0; i < NR_SET; i++)
		EXPECT_EQ(i % 7 == 3, seen[i]) TH_LOG("mailbox %d", i);
	/* Level-triggered: still there until received. */
	EXPECT_EQ(want, epoll_ready(ep, seen));
	for (i = 0; i < NR_SET; i++) {
		if (seen[i])
			EXPECT_EQ(1, xread(fds[i], self->rbuf, 8));
	}
	EXPECT_EQ(0, epoll_ready(ep, seen));

	/* Written to others, two messages in one of them. */
	want = 0;
	for (i = 0; i < NR_SET; i++) {
		if (i % 10 != 0)
			continue;
		ASSERT_EQ(1, xwrite(fds[i], "y", 1));
		want++;
	}
	ASSERT_EQ(1, xwrite(fds[50], "z", 1));
	EXPECT_EQ(want, epoll_ready(ep, seen));
	for (i = 0; i < NR_SET; i++)
		EXPECT_EQ(i % 10 == 0, seen[i]) TH_LOG("mailbox %d", i);
	for (i = 0; i < NR_SET; i++) {
		if (seen[i])
			EXPECT_EQ(1, xread(fds[i], self->rbuf, 8));
	}
	EXPECT_EQ(1, epoll_ready(ep, seen));
	EXPECT_TRUE(seen[50]);

	for (i = 0; i < NR_SET; i++)
		close(fds[i]);
	close(ep);
}

TEST_F(mfd, the_fd_keeps_working_without_any_dev_mbox_file)
{
	int fl;

	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	EXPECT_EQ(POLLOUT, poll_now(self->mfd));
	ASSERT_EQ(6, xwrite(self->mfd, "alone!", 6));
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(self->mfd));
	EXPECT_EQ(6, xread(self->mfd, self->rbuf, MAX_LEN));
	EXPECT_EQ(0, memcmp(self->rbuf, "alone!", 6));
	fl = fcntl(self->mfd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->mfd, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, xread(self->mfd, self->rbuf, MAX_LEN));

	/* For the teardown, which destroys the mailbox. */
	self->fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

TEST_HARNESS_MAIN
