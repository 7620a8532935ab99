// SPDX-License-Identifier: GPL-2.0
/*
 * MBOX_IOC_SENDRECV: a send to mailbox A, then a receive from mailbox B,
 * in one call.  Every error is checked alone, with which half it is blamed
 * on (@failed), whether the send happened (@sent), and what A and B then
 * hold: a failed send queues nothing, a receive that fails after the send
 * leaves the message in A.  Then the waits between and inside the halves:
 * timeouts, signals, destroys; then a request/reply workload between
 * processes.
 */
#define _GNU_SOURCE

#include "mbox_util.h"
#include "cred_util.h"

#ifndef MBOX_FEATURE_SENDRECV
#error "this test needs a header with MBOX_IOC_SENDRECV"
#endif

#define CAP		4
#define MAX		64
#define WAIT_MS		5000

static int sr_call(int fd, struct mbox_sendrecv *sr)
{
	return mbox_ioctl(fd, MBOX_IOC_SENDRECV, sr);
}

/* A call sending @slen bytes of @sbuf to @a, receiving into @rbuf from @b. */
static void sr_init(struct mbox_sendrecv *sr, __u32 a, const void *sbuf,
		    __u64 slen, __u32 b, void *rbuf, __u64 rlen)
{
	memset(sr, 0, sizeof(*sr));
	sr->send.id = a;
	sr->send.buf = (__u64)(uintptr_t)sbuf;
	sr->send.len = slen;
	sr->recv.id = b;
	sr->recv.buf = (__u64)(uintptr_t)rbuf;
	sr->recv.len = rlen;
	/* out fields start wrong, to see that they are written */
	sr->sent = 77;
	sr->failed = 77;
}

/* Messages queued in @id, or -errno. */
static long long sr_msgs(int fd, __u32 id)
{
	struct mbox_stat st;
	int ret = mbox_stat_id(fd, id, &st);

	return ret ? ret : (long long)st.msgs;
}

FIXTURE(sr) {
	int fd;
	__u32 a, b;
	char sbuf[MAX], rbuf[MAX];
};

FIXTURE_SETUP(sr)
{
	struct mbox_info info;

	MBOX_OPEN_OR_SKIP(&self->fd);
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	if (!(info.features & MBOX_FEATURE_SENDRECV))
		SKIP(return, "the module lacks MBOX_FEATURE_SENDRECV");
	self->a = NEW_MBOX(self->fd, CAP, MAX);
	self->b = NEW_MBOX(self->fd, CAP, MAX);
	memcpy(self->sbuf, "request", 8);
	memset(self->rbuf, 0, sizeof(self->rbuf));
}

FIXTURE_TEARDOWN(sr)
{
	mbox_cleanup(self->fd);
}

/* The send half failed with @err: nothing queued in A, B untouched. */
#define EXPECT_SEND_FAILED(sr, err, ret) do {				\
	EXPECT_EQ(-(err), ret);						\
	EXPECT_EQ(0U, (sr)->sent);					\
	EXPECT_EQ((__u32)MBOX_SENDRECV_SEND, (sr)->failed);		\
	EXPECT_EQ(0, sr_msgs(self->fd, self->a));			\
	EXPECT_EQ(1, sr_msgs(self->fd, self->b));			\
} while (0)

/* The receive half failed before the send: nothing sent. */
#define EXPECT_RECV_REFUSED(sr, err, ret) do {				\
	EXPECT_EQ(-(err), ret);						\
	EXPECT_EQ(0U, (sr)->sent);					\
	EXPECT_EQ((__u32)MBOX_SENDRECV_RECV, (sr)->failed);		\
	EXPECT_EQ(0, sr_msgs(self->fd, self->a));			\
} while (0)

/* The receive half failed after the send: the message is in A. */
#define EXPECT_RECV_FAILED(sr, err, ret) do {				\
	EXPECT_EQ(-(err), ret);						\
	EXPECT_EQ(1U, (sr)->sent);					\
	EXPECT_EQ((__u32)MBOX_SENDRECV_RECV, (sr)->failed);		\
	EXPECT_EQ(1, sr_msgs(self->fd, self->a));			\
} while (0)

TEST_F(sr, abi_size_and_number)
{
	EXPECT_EQ(128U, sizeof(struct mbox_sendrecv));
	EXPECT_EQ((unsigned long)MBOX_SENDRECV_SIZE_VER1,
		  sizeof(struct mbox_sendrecv));
	EXPECT_EQ(0x0BU, _IOC_NR(MBOX_IOC_SENDRECV));
	EXPECT_EQ((unsigned int)(_IOC_READ | _IOC_WRITE),
		  _IOC_DIR(MBOX_IOC_SENDRECV));
}

TEST_F(sr, sends_then_receives_a_queued_reply)
{
	struct mbox_sendrecv sr;
	struct mbox_recv r;
	char got[MAX];

	ASSERT_EQ(0, mbox_put(self->fd, self->b, "reply!", 6, 0));
	sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	sr.send.type = 5;
	EXPECT_EQ(6, sr_call(self->fd, &sr));
	EXPECT_EQ(1U, sr.sent);
	EXPECT_EQ(0U, sr.failed);
	EXPECT_EQ(0U, sr.__reserved);
	EXPECT_EQ(0, memcmp(self->rbuf, "reply!", 6));
	/* @recv is filled as MBOX_IOC_RECV fills it */
	EXPECT_EQ(6U, sr.recv.len);
	EXPECT_EQ(6U, sr.recv.msg_len);
	EXPECT_EQ(1U, sr.recv.seq);
	EXPECT_EQ(getpid(), sr.recv.pid);
	EXPECT_EQ(geteuid(), sr.recv.uid);
	EXPECT_NE(0U, sr.recv.send_ns);
	/* @send comes back as it went */
	EXPECT_EQ(self->a, sr.send.id);
	EXPECT_EQ(8U, sr.send.len);
	/* the request is in A, with its type */
	EXPECT_EQ(0, sr_msgs(self->fd, self->b));
	memset(&r, 0, sizeof(r));
	r.id = self->a;
	r.buf = (uintptr_t)got;
	r.len = sizeof(got);
	r.flags = MBOX_NONBLOCK;
	EXPECT_EQ(8, ioc_recv(self->fd, &r));
	EXPECT_EQ(5U, r.type);
	EXPECT_EQ(0, strcmp(got, "request"));
}

TEST_F(sr, same_mailbox_receives_the_message_just_sent)
{
	struct mbox_sendrecv sr;

	sr_init(&sr, self->a, self->sbuf, 8, self->a, self->rbuf, MAX);
	EXPECT_EQ(8, sr_call(self->fd, &sr));
	EXPECT_EQ(1U, sr.sent);
	EXPECT_EQ(0, strcmp(self->rbuf, "request"));
	EXPECT_EQ(0, sr_msgs(self->fd, self->a));
}

TEST_F(sr, same_mailbox_receives_the_oldest_message_first)
{
	struct mbox_sendrecv sr;

	ASSERT_EQ(0, mbox_put(self->fd, self->a, "old", 4, 0));
	sr_init(&sr, self->a, self->sbuf, 8, self->a, self->rbuf, MAX);
	EXPECT_EQ(4, sr_call(self->fd, &sr));
	EXPECT_EQ(0, strcmp(self->rbuf, "old"));
	EXPECT_EQ(1, sr_msgs(self->fd, self->a));
}

TEST_F(sr, receive_half_may_peek)
{
	struct mbox_sendrecv sr;

	ASSERT_EQ(0, mbox_put(self->fd, self->b, "keep", 5, 0));
	sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	sr.recv.flags = MBOX_RECV_PEEK;
	EXPECT_EQ(5, sr_call(self->fd, &sr));
	EXPECT_EQ(1, sr_msgs(self->fd, self->b));
	EXPECT_EQ(1, sr_msgs(self->fd, self->a));
}

/* Each invalid send field alone: EINVAL from the send half. */
TEST_F(sr, invalid_send_fields_fail_the_send_half_with_einval)
{
	struct mbox_sendrecv sr;
	int i, ret;

	ASSERT_EQ(0, mbox_put(self->fd, self->b, "reply", 6, 0));
	for (i = 0; i < 6; i++) {
		sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
		switch (i) {
		case 0: sr.send.flags = 1U << 7; break;	/* unknown */
		case 1: sr.send.flags = MBOX_NONBLOCK | MBOX_TIMEOUT; break;
		case 2: sr.send.timeout_ns = 1; break;	/* without a flag */
		case 3: sr.send.__reserved = 1; break;
		case 4: sr.send.flags = MBOX_RECV_PEEK; break;	/* receive's */
		case 5: sr.send.flags = MBOX_TIMEOUT | MBOX_TIMEOUT_ABS; break;
		}
		ret = sr_call(self->fd, &sr);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("case %d", i);
		EXPECT_SEND_FAILED(&sr, EINVAL, ret);
	}
}

TEST_F(sr, send_to_a_missing_mailbox_fails_the_send_half_with_enoent)
{
	struct mbox_sendrecv sr;

	ASSERT_EQ(0, mbox_put(self->fd, self->b, "reply", 6, 0));
	sr_init(&sr, MBOX_ID_NEVER_HI, self->sbuf, 8, self->b, self->rbuf,
		MAX);
	EXPECT_SEND_FAILED(&sr, ENOENT, sr_call(self->fd, &sr));
}

TEST_F(sr, too_long_a_request_fails_the_send_half_with_emsgsize)
{
	struct mbox_sendrecv sr;
	char big[MAX + 1];

	memset(big, 1, sizeof(big));
	ASSERT_EQ(0, mbox_put(self->fd, self->b, "reply", 6, 0));
	sr_init(&sr, self->a, big, MAX + 1, self->b, self->rbuf, MAX);
	EXPECT_SEND_FAILED(&sr, EMSGSIZE, sr_call(self->fd, &sr));
}

TEST_F(sr, unreadable_request_fails_the_send_half_with_efault)
{
	struct mbox_sendrecv sr;
	void *hole = mbox_map_with_holes(1, 1);

	ASSERT_NE(NULL, hole);
	ASSERT_EQ(0, mbox_put(self->fd, self->b, "reply", 6, 0));
	sr_init(&sr, self->a, hole, 8, self->b, self->rbuf, MAX);
	EXPECT_SEND_FAILED(&sr, EFAULT, sr_call(self->fd, &sr));
}

/* Fill A so that a send must wait. */
static void fill_a(struct __test_metadata *_metadata, int fd, __u32 a)
{
	int i;

	for (i = 0; i < CAP; i++)
		ASSERT_EQ(0, mbox_put(fd, a, "x", 1, 0));
}

TEST_F(sr, full_mailbox_fails_a_nonblocking_send_half_with_eagain)
{
	struct mbox_sendrecv sr;

	fill_a(_metadata, self->fd, self->a);
	ASSERT_EQ(0, mbox_put(self->fd, self->b, "reply", 6, 0));
	sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	sr.send.flags = MBOX_NONBLOCK;
	EXPECT_EQ(-EAGAIN, sr_call(self->fd, &sr));
	EXPECT_EQ(0U, sr.sent);
	EXPECT_EQ((__u32)MBOX_SENDRECV_SEND, sr.failed);
	EXPECT_EQ(CAP, sr_msgs(self->fd, self->a));
	EXPECT_EQ(1, sr_msgs(self->fd, self->b));
}

TEST_F(sr, full_mailbox_fails_a_timed_send_half_with_etimedout)
{
	struct mbox_sendrecv sr;

	fill_a(_metadata, self->fd, self->a);
	ASSERT_EQ(0, mbox_put(self->fd, self->b, "reply", 6, 0));
	sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	sr.send.flags = MBOX_TIMEOUT;
	sr.send.timeout_ns = 20 * 1000000ULL;
	EXPECT_EQ(-ETIMEDOUT, sr_call(self->fd, &sr));
	EXPECT_EQ(0U, sr.sent);
	EXPECT_EQ((__u32)MBOX_SENDRECV_SEND, sr.failed);
	EXPECT_EQ(CAP, sr_msgs(self->fd, self->a));
	EXPECT_EQ(1, sr_msgs(self->fd, self->b));
}

/* Each invalid receive field alone: EINVAL before anything is sent. */
TEST_F(sr, invalid_recv_fields_fail_the_recv_half_before_the_send)
{
	struct mbox_sendrecv sr;
	int i, ret;

	for (i = 0; i < 5; i++) {
		sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
		switch (i) {
		case 0: sr.recv.flags = 1U << 20; break;	/* unknown */
		case 1: sr.recv.flags = MBOX_RECV_TYPE | MBOX_RECV_EXCEPT;
			break;
		case 2: sr.recv.timeout_ns = 1; break;	/* without a flag */
		case 3: sr.recv.__reserved = 1; break;
		case 4: sr.recv.flags = MBOX_NONBLOCK | MBOX_TIMEOUT_ABS;
			break;
		}
		ret = sr_call(self->fd, &sr);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("case %d", i);
		EXPECT_RECV_REFUSED(&sr, EINVAL, ret);
	}
}

TEST_F(sr, receive_from_a_missing_mailbox_fails_before_the_send)
{
	struct mbox_sendrecv sr;

	sr_init(&sr, self->a, self->sbuf, 8, MBOX_ID_NEVER_HI, self->rbuf,
		MAX);
	EXPECT_RECV_REFUSED(&sr, ENOENT, sr_call(self->fd, &sr));
}

/* As another user: may write A but not read B, or the other way. */
struct sr_perm {
	__u32 a, b;
	int result, sent, failed;
};

static int sr_as_other(int fd, void *arg)
{
	struct sr_perm *p = arg;
	struct mbox_sendrecv sr;
	char rbuf[MAX];
	int ret;

	ret = cu_become_class(2);
	if (ret)
		return ret;
	sr_init(&sr, p->a, "hi", 3, p->b, rbuf, MAX);
	sr.recv.flags = MBOX_NONBLOCK;
	ret = sr_call(fd, &sr);
	p->sent = sr.sent;
	p->failed = sr.failed;
	return ret;
}

TEST_F(sr, no_write_permission_fails_the_send_half_with_eacces)
{
	struct sr_perm *p = mbox_shared_mem(sizeof(*p));
	int a = cu_new_mode(self->fd, CAP, MAX, 0604);	/* others read */
	int b = cu_new_mode(self->fd, CAP, MAX, 0606);

	ASSERT_LT(0, a);
	mbox_track(a);
	ASSERT_LT(0, b);
	mbox_track(b);
	ASSERT_NE(NULL, p);
	p->a = a;
	p->b = b;
	EXPECT_EQ(-EACCES, cu_run(self->fd, sr_as_other, p));
	EXPECT_EQ(0, p->sent);
	EXPECT_EQ(MBOX_SENDRECV_SEND, p->failed);
	EXPECT_EQ(0, sr_msgs(self->fd, a));
}

TEST_F(sr, no_read_permission_fails_the_recv_half_before_the_send)
{
	struct sr_perm *p = mbox_shared_mem(sizeof(*p));
	int a = cu_new_mode(self->fd, CAP, MAX, 0606);
	int b = cu_new_mode(self->fd, CAP, MAX, 0602);	/* others write */

	ASSERT_LT(0, a);
	mbox_track(a);
	ASSERT_LT(0, b);
	mbox_track(b);
	ASSERT_NE(NULL, p);
	p->a = a;
	p->b = b;
	EXPECT_EQ(-EACCES, cu_run(self->fd, sr_as_other, p));
	EXPECT_EQ(0, p->sent);
	EXPECT_EQ(MBOX_SENDRECV_RECV, p->failed);
	EXPECT_EQ(0, sr_msgs(self->fd, a));
}

TEST_F(sr, call_flags_and_reserved_give_einval_blaming_no_half)
{
	struct mbox_sendrecv sr;

	sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	sr.flags = 1;
	EXPECT_EQ(-EINVAL, sr_call(self->fd, &sr));
	EXPECT_EQ(0U, sr.sent);
	EXPECT_EQ(0U, sr.failed);
	EXPECT_EQ(0, sr_msgs(self->fd, self->a));

	sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	sr.__reserved = 1;
	EXPECT_EQ(-EINVAL, sr_call(self->fd, &sr));
	EXPECT_EQ(0U, sr.sent);
	EXPECT_EQ(0U, sr.failed);
	EXPECT_EQ(0, sr_msgs(self->fd, self->a));
}

TEST_F(sr, struct_smaller_than_version_1_gives_einval)
{
	struct mbox_sendrecv sr;
	unsigned long cmd = MBOX_CMD(_IOC_READ | _IOC_WRITE, 0x0B,
				     MBOX_SENDRECV_SIZE_VER1 - 8);

	sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	EXPECT_EQ(-EINVAL, mbox_ioctl(self->fd, cmd, &sr));
	EXPECT_EQ(0, sr_msgs(self->fd, self->a));
}

TEST_F(sr, larger_struct_with_nonzero_tail_gives_e2big)
{
	struct { struct mbox_sendrecv sr; __u64 tail; } big;
	unsigned long cmd = MBOX_CMD(_IOC_READ | _IOC_WRITE, 0x0B,
				     sizeof(big));

	sr_init(&big.sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	big.tail = 1;
	EXPECT_EQ(-E2BIG, mbox_ioctl(self->fd, cmd, &big));
	EXPECT_EQ(0, sr_msgs(self->fd, self->a));
}

TEST_F(sr, larger_struct_with_zero_tail_works_and_tail_stays_zero)
{
	struct { struct mbox_sendrecv sr; __u64 tail; } big;
	unsigned long cmd = MBOX_CMD(_IOC_READ | _IOC_WRITE, 0x0B,
				     sizeof(big));

	ASSERT_EQ(0, mbox_put(self->fd, self->b, "reply", 6, 0));
	sr_init(&big.sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	big.tail = 0;
	EXPECT_EQ(6, mbox_ioctl(self->fd, cmd, &big));
	EXPECT_EQ(1U, big.sr.sent);
	EXPECT_EQ(0U, big.tail);
}

TEST_F(sr, unreadable_struct_gives_efault_and_sends_nothing)
{
	void *hole = mbox_map_with_holes(1, 1);

	ASSERT_NE(NULL, hole);
	EXPECT_EQ(-EFAULT, mbox_ioctl(self->fd, MBOX_IOC_SENDRECV, hole));
	EXPECT_EQ(0, sr_msgs(self->fd, self->a));
}

TEST_F(sr, read_only_struct_gives_efault_and_sends_nothing)
{
	struct mbox_sendrecv *sr;

	sr = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sr);
	ASSERT_EQ(0, mbox_put(self->fd, self->b, "reply", 6, 0));
	sr_init(sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	ASSERT_EQ(0, mprotect(sr, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, sr_call(self->fd, sr));
	EXPECT_EQ(0, sr_msgs(self->fd, self->a));
	EXPECT_EQ(1, sr_msgs(self->fd, self->b));
	munmap(sr, 4096);
}

TEST_F(sr, mailbox_file_refuses_it_with_enotty)
{
	struct mbox_sendrecv sr;
	int mfd = mbox_open_id(self->fd, self->a, 0);

	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, mbox_put(self->fd, self->b, "reply", 6, 0));
	sr_init(&sr, 0, self->sbuf, 8, self->b, self->rbuf, MAX);
	EXPECT_EQ(-ENOTTY, sr_call(mfd, &sr));
	sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	EXPECT_EQ(-ENOTTY, sr_call(mfd, &sr));
	EXPECT_EQ(0, sr_msgs(self->fd, self->a));
	close(mfd);
}

TEST_F(sr, empty_reply_box_fails_a_nonblocking_recv_half_after_the_send)
{
	struct mbox_sendrecv sr;

	sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	sr.recv.flags = MBOX_NONBLOCK;
	EXPECT_RECV_FAILED(&sr, EAGAIN, sr_call(self->fd, &sr));
}

TEST_F(sr, empty_reply_box_fails_a_timed_recv_half_after_the_send)
{
	struct mbox_sendrecv sr;

	sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	sr.recv.flags = MBOX_TIMEOUT;
	sr.recv.timeout_ns = 20 * 1000000ULL;
	EXPECT_RECV_FAILED(&sr, ETIMEDOUT, sr_call(self->fd, &sr));
}

TEST_F(sr, past_absolute_deadline_tries_the_recv_half_once)
{
	struct mbox_sendrecv sr;

	sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, MAX);
	sr.recv.flags = MBOX_TIMEOUT_ABS;
	sr.recv.timeout_ns = 1;
	EXPECT_RECV_FAILED(&sr, ETIMEDOUT, sr_call(self->fd, &sr));
}

TEST_F(sr, too_long_a_reply_gives_emsgsize_with_its_length_and_stays)
{
	struct mbox_sendrecv sr;

	ASSERT_EQ(0, mbox_put(self->fd, self->b, "a long reply", 13, 0));
	sr_init(&sr, self->a, self->sbuf, 8, self->b, self->rbuf, 4);
	EXPECT_RECV_FAILED(&sr, EMSGSIZE, sr_call(self->fd, &sr));
	EXPECT_EQ(13U, sr.recv.len);
	EXPECT_EQ(13U, sr.recv.msg_len);
	EXPECT_EQ(0U, sr.recv.seq);
	EXPECT_EQ(0, sr.recv.pid);
	EXPECT_EQ(1, sr_msgs(self->fd, self->b));
}

TEST_F(sr, unwritable_reply_buffer_gives_efault_and_the_reply_stays)
{
	struct mbox_sendrecv sr;
	void *hole = mbox_map_with_holes(1, 1);

	ASSERT_NE(NULL, hole);
	ASSERT_EQ(0, mbox_put(self->fd, self->b, "reply", 6, 0));
	sr_init(&sr, self->a, self->sbuf, 8, self->b, hole, MAX);
	EXPECT_RECV_FAILED(&sr, EFAULT, sr_call(self->fd, &sr));
	EXPECT_EQ(1, sr_msgs(self->fd, self->b));
}

/* A call made by a child, whose struct the parent reads afterwards. */
struct sr_child {
	struct mbox_sendrecv sr;
	char rbuf[MAX];
	long long t0_ms, t1_ms;
	int ret;
};

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled = 1;
}

/*
 * In a child: make the call in @c (with a SIGUSR1 handler if @handler,
 * SA_RESTART so that only the module could turn it into EINTR), store
 * its result and exit with its errno.
 */
static void __attribute__((noreturn)) sr_child_call(int fd,
						    struct sr_child *c,
						    int handler)
{
	struct sigaction sa;

	if (handler) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr1;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGUSR1, &sa, NULL))
			_exit(MBOX_CHILD_SETUP);
	}
	c->t0_ms = mbox_now_ms();
	c->ret = sr_call(fd, &c->sr);
	c->t1_ms = mbox_now_ms();
	if (handler && c->ret == -EINTR && !handled)
		_exit(MBOX_CHILD_NO_HANDLER);
	_exit(mbox_exit_code(c->ret));
}

static struct sr_child *sr_child_new(__u32 a, __u32 b)
{
	struct sr_child *c = mbox_shared_mem(sizeof(*c));

	if (c)
		sr_init(&c->sr, a, "request", 8, b, c->rbuf, MAX);
	return c;
}

TEST_F(sr, blocked_recv_half_gets_the_reply_sent_later)
{
	struct sr_child *c = sr_child_new(self->a, self->b);
	pid_t pid;

	ASSERT_NE(NULL, c);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		sr_child_call(self->fd, c, 0);
	ASSERT_WAITERS(self->fd, self->b, 0, 1);
	/* the request is there while the caller waits for the reply */
	EXPECT_EQ(1, sr_msgs(self->fd, self->a));
	ASSERT_EQ(0, mbox_put(self->fd, self->b, "late", 5, 0));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(5, c->ret);
	EXPECT_EQ(1U, c->sr.sent);
	EXPECT_EQ(0, strcmp(c->rbuf, "late"));
}

TEST_F(sr, relative_recv_timeout_starts_after_the_send)
{
	struct sr_child *c = sr_child_new(self->a, self->b);
	char buf[MAX];
	__u64 len = MAX;
	pid_t pid;

	ASSERT_NE(NULL, c);
	fill_a(_metadata, self->fd, self->a);
	c->sr.recv.flags = MBOX_TIMEOUT;
	c->sr.recv.timeout_ns = 300 * 1000000ULL;
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		sr_child_call(self->fd, c, 0);
	/* The send half waits for a slot; free one after 400 ms. */
	ASSERT_WAITERS(self->fd, self->a, 1, 0);
	mbox_msleep(400);
	ASSERT_EQ(1, mbox_get(self->fd, self->a, buf, &len, MBOX_NONBLOCK));
	EXPECT_EQ(ETIMEDOUT, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(1U, c->sr.sent);
	EXPECT_EQ((__u32)MBOX_SENDRECV_RECV, c->sr.failed);
	/* 400 ms of send, then 300 of receive: not 300 from the start */
	EXPECT_LE(400 + 300 - 20, c->t1_ms - c->t0_ms)
		TH_LOG("the call took %lld ms", c->t1_ms - c->t0_ms);
	EXPECT_EQ(CAP, sr_msgs(self->fd, self->a));
}

TEST_F(sr, signal_in_the_recv_half_gives_eintr_after_the_send_once)
{
	struct sr_child *c = sr_child_new(self->a, self->b);
	pid_t pid;

	ASSERT_NE(NULL, c);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		sr_child_call(self->fd, c, 1);
	ASSERT_WAITERS(self->fd, self->b, 0, 1);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	/* SA_RESTART does not restart it: that would send again */
	EXPECT_EQ(EINTR, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(1U, c->sr.sent);
	EXPECT_EQ((__u32)MBOX_SENDRECV_RECV, c->sr.failed);
	EXPECT_EQ(1, sr_msgs(self->fd, self->a));
	EXPECT_EQ(0, sr_msgs(self->fd, self->b));
}

/* Wait until child @pid is stopped (state T in /proc/PID/stat). */
static int sr_wait_stopped(pid_t pid)
{
	long long end = mbox_now_ms() + WAIT_MS;
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	while (mbox_now_ms() < end) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			p = strrchr(buf, ')');
			if (p && p[1] == ' ' && (p[2] == 'T' || p[2] == 't'))
				return 0;
		}
		mbox_msleep(2);
	}
	return -ETIMEDOUT;
}

TEST_F(sr, stop_and_continue_in_the_recv_half_never_sends_twice)
{
	struct sr_child *c = sr_child_new(self->a, self->b);
	pid_t pid;

	ASSERT_NE(NULL, c);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		sr_child_call(self->fd, c, 0);
	ASSERT_WAITERS(self->fd, self->b, 0, 1);
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(0, sr_wait_stopped(pid));
	ASSERT_EQ(0, kill(pid, SIGCONT));
	EXPECT_EQ(EINTR, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(1U, c->sr.sent);
	EXPECT_EQ((__u32)MBOX_SENDRECV_RECV, c->sr.failed);
	EXPECT_EQ(1, sr_msgs(self->fd, self->a));
}

TEST_F(sr, signal_in_the_send_half_gives_eintr_and_sends_nothing)
{
	struct sr_child *c = sr_child_new(self->a, self->b);
	pid_t pid;

	ASSERT_NE(NULL, c);
	fill_a(_metadata, self->fd, self->a);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		sr_child_call(self->fd, c, 1);
	ASSERT_WAITERS(self->fd, self->a, 1, 0);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ(EINTR, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(0U, c->sr.sent);
	EXPECT_EQ((__u32)MBOX_SENDRECV_SEND, c->sr.failed);
	EXPECT_EQ(CAP, sr_msgs(self->fd, self->a));
	EXPECT_EQ(0, mbox_wait_waiters(self->fd, self->b, 0, 0, 100));
}

TEST_F(sr, destroy_of_the_reply_box_in_the_recv_half_gives_eidrm)
{
	struct sr_child *c = sr_child_new(self->a, self->b);
	pid_t pid;

	ASSERT_NE(NULL, c);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		sr_child_call(self->fd, c, 0);
	ASSERT_WAITERS(self->fd, self->b, 0, 1);
	ASSERT_EQ(0, mbox_del(self->fd, self->b));
	EXPECT_EQ(EIDRM, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(1U, c->sr.sent);
	EXPECT_EQ((__u32)MBOX_SENDRECV_RECV, c->sr.failed);
	EXPECT_EQ(1, sr_msgs(self->fd, self->a));
}

TEST_F(sr, destroy_of_the_target_in_the_send_half_gives_eidrm)
{
	struct sr_child *c = sr_child_new(self->a, self->b);
	pid_t pid;

	ASSERT_NE(NULL, c);
	fill_a(_metadata, self->fd, self->a);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		sr_child_call(self->fd, c, 0);
	ASSERT_WAITERS(self->fd, self->a, 1, 0);
	ASSERT_EQ(0, mbox_del(self->fd, self->a));
	EXPECT_EQ(EIDRM, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(0U, c->sr.sent);
	EXPECT_EQ((__u32)MBOX_SENDRECV_SEND, c->sr.failed);
	EXPECT_EQ(0, mbox_wait_waiters(self->fd, self->b, 0, 0, 100));
}

TEST_F(sr, reply_box_destroyed_while_the_send_half_waits_still_sends)
{
	struct sr_child *c = sr_child_new(self->a, self->b);
	char buf[MAX];
	__u64 len = MAX;
	pid_t pid;

	ASSERT_NE(NULL, c);
	fill_a(_metadata, self->fd, self->a);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		sr_child_call(self->fd, c, 0);
	ASSERT_WAITERS(self->fd, self->a, 1, 0);
	ASSERT_EQ(0, mbox_del(self->fd, self->b));
	ASSERT_EQ(1, mbox_get(self->fd, self->a, buf, &len, MBOX_NONBLOCK));
	EXPECT_EQ(EIDRM, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(1U, c->sr.sent);
	EXPECT_EQ((__u32)MBOX_SENDRECV_RECV, c->sr.failed);
	EXPECT_EQ(CAP, sr_msgs(self->fd, self->a));
}

TEST_F(sr, destroy_of_the_target_after_the_send_leaves_the_recv_half)
{
	struct sr_child *c = sr_child_new(self->a, self->b);
	pid_t pid;

	ASSERT_NE(NULL, c);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		sr_child_call(self->fd, c, 0);
	ASSERT_WAITERS(self->fd, self->b, 0, 1);
	ASSERT_EQ(0, mbox_del(self->fd, self->a));
	mbox_msleep(50);
	EXPECT_EQ(1, mbox_alive(pid));
	ASSERT_EQ(0, mbox_put(self->fd, self->b, "reply", 6, 0));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(6, c->ret);
}

/*
 * Request and reply between processes: NCLIENTS clients, each with a
 * reply mailbox of its own, send NREQ numbered requests each to one
 * server mailbox with SENDRECV and wait for the reply; the server answers
 * each with SENDRECV (reply, then wait for the next request).  Every
 * request is answered exactly once, in order, with its own reply.
 */
#define NCLIENTS	3
#define NREQ		300

struct sr_req {
	__u32 client, seq, reply_box, stop;
};

struct sr_rep {
	__u32 client, seq, answer, pad;
};

static int sr_server(int fd, __u32 box)
{
	__u32 next[NCLIENTS] = { 0 };
	struct mbox_sendrecv sr;
	struct sr_req req;
	struct sr_rep rep;
	struct mbox_recv r;
	int ret, done = 0;

	memset(&req, 0, sizeof(req));
	memset(&r, 0, sizeof(r));
	r.id = box;
	r.buf = (uintptr_t)&req;
	r.len = sizeof(req);
	ret = ioc_recv(fd, &r);
	for (;;) {
		if (ret != (int)sizeof(req))
			return ret < 0 ? ret : -EPROTO;
		if (req.stop)
			return done == NCLIENTS * NREQ ? 0 : -ENODATA;
		if (req.client >= NCLIENTS || req.seq != next[req.client])
			return -EBADMSG;	/* lost, doubled or reordered */
		next[req.client]++;
		done++;
		rep.client = req.client;
		rep.seq = req.seq;
		rep.answer = req.seq * 3 + req.client;
		rep.pad = 0;
		sr_init(&sr, req.reply_box, &rep, sizeof(rep), box, &req,
			sizeof(req));
		ret = sr_call(fd, &sr);
		if (ret < 0 || sr.sent != 1)
			return ret < 0 ? ret : -EPROTO;
	}
}

static int sr_client(int fd, __u32 server, __u32 client, __u32 box)
{
	struct mbox_sendrecv sr;
	struct sr_req req;
	struct sr_rep rep;
	__u32 i;
	int ret;

	for (i = 0; i < NREQ; i++) {
		req = (struct sr_req){ .client = client, .seq = i,
				       .reply_box = box };
		memset(&rep, 0xff, sizeof(rep));
		sr_init(&sr, server, &req, sizeof(req), box, &rep,
			sizeof(rep));
		ret = sr_call(fd, &sr);
		if (ret != (int)sizeof(rep))
			return ret < 0 ? ret : -EPROTO;
		if (rep.client != client || rep.seq != i ||
		    rep.answer != i * 3 + client || sr.sent != 1)
			return -EBADMSG;
	}
	return 0;
}

TEST_F(sr, request_reply_answers_every_request_once_in_order)
{
	pid_t server, clients[NCLIENTS];
	__u32 boxes[NCLIENTS];
	struct sr_req stop = { .stop = 1 };
	int i;

	for (i = 0; i < NCLIENTS; i++)
		boxes[i] = NEW_MBOX(self->fd, 1, MAX);
	server = mbox_fork();
	ASSERT_LE(0, server);
	if (server == 0)
		_exit(mbox_exit_code(sr_server(self->fd, self->a)));
	for (i = 0; i < NCLIENTS; i++) {
		clients[i] = mbox_fork();
		ASSERT_LE(0, clients[i]);
		if (clients[i] == 0)
			_exit(mbox_exit_code(sr_client(self->fd, self->a, i,
						       boxes[i])));
	}
	for (i = 0; i < NCLIENTS; i++)
		EXPECT_EQ(0, mbox_child_result(clients[i], 60000))
			TH_LOG("client %d", i);
	ASSERT_EQ(0, mbox_put(self->fd, self->a, &stop, sizeof(stop), 0));
	EXPECT_EQ(0, mbox_child_result(server, WAIT_MS));
	for (i = 0; i < NCLIENTS; i++)
		EXPECT_EQ(0, sr_msgs(self->fd, boxes[i]));
	EXPECT_EQ(0, sr_msgs(self->fd, self->a));
}

TEST_HARNESS_MAIN
