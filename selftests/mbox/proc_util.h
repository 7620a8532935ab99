/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the mbox selftests that put child processes to sleep inside
 * the module (order_test, rendezvous_test, timeout_test).
 *
 * A child makes one send or receive described by a struct pcall and writes
 * what came of it into a struct pout in memory it shares with the test, then
 * exits with mbox_exit_code() of the result.  The test knows a child is
 * blocked when STAT's blocked_senders or blocked_receivers has gone up by
 * one: started one at a time this way, children are known to wait in the
 * order they were started.
 *
 * Messages carry their number in their first four bytes (when they have
 * four), then bytes that depend on it, so a receiver knows which message it
 * got and that it got all of it.
 */
#ifndef MBOX_SELFTEST_PROC_UTIL_H
#define MBOX_SELFTEST_PROC_UTIL_H

#include "mbox_util.h"

#define PMSG_LEN	16
#define PMSG_BUF	64
#define PWAIT_MS	5000	/* for anything that should happen soon */

/* Results of pmsg_recv() other than a message number or -errno. */
#define PMSG_BAD	(-1000L)	/* content not what the sender wrote */
#define PMSG_EMPTY	(-1001L)	/* too short to carry a number */

static inline __u64 pnow_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

#define MS_NS(ms)	((__u64)(ms) * 1000000ULL)

/* Message @seq of @len bytes into @b. */
static inline void pmsg_make(unsigned char *b, __u64 len, __u32 seq)
{
	__u64 i;

	for (i = 0; i < len; i++)
		b[i] = mbox_pattern_byte(seq, i);
	if (len >= sizeof(seq))
		memcpy(b, &seq, sizeof(seq));
}

/* The number of message @b of @len bytes, PMSG_EMPTY or PMSG_BAD. */
static inline long pmsg_seq(const unsigned char *b, __u64 len)
{
	__u32 seq;
	__u64 i;

	if (len < sizeof(seq))
		return PMSG_EMPTY;
	memcpy(&seq, b, sizeof(seq));
	for (i = sizeof(seq); i < len; i++)
		if (b[i] != mbox_pattern_byte(seq, i))
			return PMSG_BAD;
	return seq;
}

/* MBOX_IOC_SEND with every field: 0 or -errno. */
static inline int psend(int fd, __u32 id, const void *buf, __u64 len,
			__u32 flags, __u64 timeout_ns, __u32 type)
{
	struct mbox_send arg = {
		.id = id,
		.flags = flags,
		.buf = (__u64)(uintptr_t)buf,
		.len = len,
		.timeout_ns = timeout_ns,
		.type = type,
	};

	return ioc_send(fd, &arg);
}

/* Send message @seq (PMSG_LEN bytes) of type @type. */
static inline int pmsg_send(int fd, __u32 id, __u32 seq, __u32 flags,
			    __u64 timeout_ns, __u32 type)
{
	unsigned char b[PMSG_LEN];

	pmsg_make(b, sizeof(b), seq);
	return psend(fd, id, b, sizeof(b), flags, timeout_ns, type);
}

/*
 * Receive one message into a PMSG_BUF-byte buffer.  Returns its number,
 * -errno, PMSG_BAD or PMSG_EMPTY; *@arg (if not NULL) gets what the module
 * returned in the struct.
 */
static inline long pmsg_recv(int fd, __u32 id, __u32 flags, __u64 timeout_ns,
			     __u32 type, struct mbox_recv *arg)
{
	unsigned char b[PMSG_BUF];
	struct mbox_recv a = {
		.id = id,
		.flags = flags,
		.buf = (__u64)(uintptr_t)b,
		.len = sizeof(b),
		.timeout_ns = timeout_ns,
		.type = type,
	};
	int ret;

	ret = ioc_recv(fd, &a);
	if (arg)
		*arg = a;
	if (ret < 0)
		return ret;
	if ((__u64)ret != a.len)
		return PMSG_BAD;
	return pmsg_seq(b, a.len);
}

/* One call a child makes. */
struct pcall {
	bool recv;		/* a receive, else a send */
	__u32 id;
	__u32 flags;
	__u64 timeout_ns;
	__u32 type;		/* send: the type; receive: the selection */
	__u32 seq;		/* send: the message's number */
	__u64 len;		/* send: the message's length (PMSG_LEN if 0
				 * and !zero_len)
				 */
	bool zero_len;		/* send: a message of 0 bytes, buf 0 */
	bool on_usr1;		/* handle SIGUSR1 ... */
	int sa_flags;		/* ... with these sigaction flags */
};

/* What came of it, written by the child into shared memory. */
struct pout {
	int done;		/* 1 once the fields below are set */
	int handled;		/* the SIGUSR1 handler ran */
	long ret;		/* the call's return value or -errno */
	long seq;		/* receive: pmsg_recv()'s result */
	__u32 type;		/* receive: the message's type */
	__u64 len;		/* receive: @len out */
	__u64 start_ns;		/* CLOCK_MONOTONIC before the call */
	__u64 end_ns;		/* and after it */
};

/* @n struct pout in memory shared with children; NULL on failure. */
static inline struct pout *pouts_new(size_t n)
{
	struct pout *p = mmap(NULL, n * sizeof(*p), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline void pouts_reset(struct pout *p, size_t n)
{
	memset(p, 0, n * sizeof(*p));
}

static volatile sig_atomic_t pchild_handled;

static inline void pchild_on_usr1(int sig)
{
	(void)sig;
	pchild_handled = 1;
}

/* In the child: make @c, record it in @o, exit with its result. */
static inline void __attribute__((noreturn))
pchild_run(int fd, const struct pcall *c, struct pout *o)
{
	unsigned char b[PMSG_BUF];
	struct mbox_recv a = {
		.id = c->id,
		.flags = c->flags,
		.buf = (__u64)(uintptr_t)b,
		.len = sizeof(b),
		.timeout_ns = c->timeout_ns,
		.type = c->type,
	};
	struct sigaction sa;
	__u64 len = c->len ? c->len : PMSG_LEN;
	bool bad = false;
	int ret;

	if (c->on_usr1) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = pchild_on_usr1;
		sa.sa_flags = c->sa_flags;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGUSR1, &sa, NULL))
			_exit(MBOX_CHILD_SETUP);
	}
	if (len > sizeof(b))
		_exit(MBOX_CHILD_SETUP);

	if (c->recv) {
		o->start_ns = pnow_ns();
		ret = ioc_recv(fd, &a);
		o->end_ns = pnow_ns();
		if (ret >= 0) {
			o->seq = pmsg_seq(b, ret);
			o->type = a.type;
			o->len = a.len;
			bad = o->seq == PMSG_BAD || a.len != (__u64)ret;
		}
	} else {
		pmsg_make(b, len, c->seq);
		o->start_ns = pnow_ns();
		if (c->zero_len)
			ret = psend(fd, c->id, NULL, 0, c->flags,
				    c->timeout_ns, c->type);
		else
			ret = psend(fd, c->id, b, len, c->flags,
				    c->timeout_ns, c->type);
		o->end_ns = pnow_ns();
	}
	o->ret = ret;
	o->handled = pchild_handled;
	__atomic_store_n(&o->done, 1, __ATOMIC_RELEASE);
	if (bad)
		_exit(MBOX_CHILD_BAD_DATA);
	if (ret == -EINTR && !pchild_handled)
		_exit(MBOX_CHILD_NO_HANDLER);
	_exit(mbox_exit_code(ret));
}

/* Start a child making @c; it records the outcome in @o. */
static inline pid_t __pspawn(struct __test_metadata *_metadata, int fd,
			     const struct pcall *c, struct pout *o)
{
	pid_t pid;

	memset(o, 0, sizeof(*o));
	pid = mbox_fork();
	ASSERT_LE(0, pid) TH_LOG("fork: %s", strerror(errno));
	if (pid == 0)
		pchild_run(fd, c, o);
	return pid;
}

#define PSPAWN(fd, c, o)	__pspawn(_metadata, fd, c, o)

/* The blocked figures of mailbox @id, or -errno. */
static inline int pblocked(int fd, __u32 id, __u32 *senders, __u32 *receivers)
{
	struct mbox_stat st;
	int ret = mbox_stat_id(fd, id, &st);

	if (ret)
		return ret;
	*senders = st.blocked_senders;
	*receivers = st.blocked_receivers;
	return 0;
}

/*
 * Wait up to @ms for STAT of @id to show exactly @senders blocked senders
 * and @receivers blocked receivers.  0, or -ETIMEDOUT / -errno.
 */
static inline int pwait_blocked(int fd, __u32 id, __u32 senders,
				__u32 receivers, int ms)
{
	long long end = mbox_now_ms() + ms;
	__u32 s, r;
	int ret;

	for (;;) {
		ret = pblocked(fd, id, &s, &r);
		if (ret)
			return ret;
		if (s == senders && r == receivers)
			return 0;
		if (mbox_now_ms() >= end)
			return -ETIMEDOUT;
		mbox_msleep(1);
	}
}

#define ASSERT_BLOCKED(fd, id, senders, receivers) do {			\
	__u32 __s = 0, __r = 0;						\
	int __ret = pwait_blocked(fd, id, senders, receivers, PWAIT_MS);	\
									\
	if (__ret)							\
		pblocked(fd, id, &__s, &__r);				\
	ASSERT_EQ(0, __ret)						\
		TH_LOG("waiting for %u blocked senders, %u receivers: "	\
		       "%s; STAT shows %u, %u", (__u32)(senders),	\
		       (__u32)(receivers), strerror(-__ret), __s, __r);	\
} while (0)

/*
 * Start a child making @c and wait until it is blocked: until STAT of
 * @c->id shows @senders blocked senders and @receivers blocked receivers
 * (the figures before, plus this child).
 */
#define PSPAWN_BLOCKED(fd, c, o, senders, receivers) ({			\
	pid_t __pid = PSPAWN(fd, c, o);					\
									\
	ASSERT_BLOCKED(fd, (c)->id, senders, receivers);		\
	__pid;								\
})

/*
 * Wait up to @ms for child @pid: its result as mbox_child_result(), and
 * the test fails unless it is @want.
 */
#define EXPECT_CHILD(want, pid, what, ...) do {				\
	int __res = mbox_child_result(pid, PWAIT_MS);			\
									\
	EXPECT_EQ(want, __res)						\
		TH_LOG(what ": child result %d (%s), wanted %d",		\
		       ##__VA_ARGS__, __res,				\
		       __res > 0 && __res < 200 ? strerror(__res) :	\
		       __res == -ETIMEDOUT ? "still running" : "-",	\
		       want);						\
} while (0)

/* The features this module has (0 if INFO fails). */
static inline __u64 pfeatures(int fd)
{
	struct mbox_info info;

	memset(&info, 0, sizeof(info));
	if (ioc_info(fd, &info))
		return 0;
	return info.features;
}

/*
 * In a fixture's setup: skip the test unless the module has every feature
 * in @mask (the 6.1 harness would run the test body after SKIP(return)).
 */
#define REQUIRE_FEATURES(fd, mask) do {					\
	__u64 __have = pfeatures(fd);					\
									\
	if ((__have & (mask)) != (mask))				\
		SKIP(_exit(255), "module lacks features 0x%llx",	\
		     (unsigned long long)((mask) & ~__have));		\
} while (0)

/* Stop child @pid and wait until it is stopped. */
static inline int pstop(pid_t pid)
{
	long long end = mbox_now_ms() + PWAIT_MS;
	int status = 0;
	pid_t r;

	if (kill(pid, SIGSTOP))
		return -errno;
	for (;;) {
		r = waitpid(pid, &status, WUNTRACED | WNOHANG);
		if (r < 0)
			return -errno;
		if (r == pid)
			return WIFSTOPPED(status) ? 0 : -ECHILD;
		if (mbox_now_ms() >= end)
			return -ETIMEDOUT;
		mbox_msleep(1);
	}
}

#endif /* MBOX_SELFTEST_PROC_UTIL_H */
