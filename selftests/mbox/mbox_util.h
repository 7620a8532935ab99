/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the mbox selftests.
 *
 * One raw wrapper per ioctl, ioc_*(), each returning what the ioctl
 * returns or -errno, so a test of the ABI reads ASSERT_EQ(-ENOENT,
 * ioc_send(fd, &arg)).  Then shortcuts for the common argument shapes,
 * through libmbox (<mbox.h>, whose functions the tests of behaviour may
 * call directly; mbox_now_ns() is the library's), a byte pattern that
 * depends on a message's sequence number and on the offset, and process
 * helpers for the tests that need a second process blocked inside the
 * module.
 */
#ifndef MBOX_SELFTEST_UTIL_H
#define MBOX_SELFTEST_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mbox.h>
#include <mbox.h>	/* libmbox: the shortcuts below */

#include "kselftest_harness.h"

#define MBOX_DEV		"/dev/mbox"

/*
 * These tests cover the version-1 ABI and build against any version of the
 * header.  Later headers add flags and MBOX_FEATURE_* bits; a module only
 * accepts a later flag when it reports the feature.  Names a header lacks
 * are 0 here, so the masks below are right for whichever header this is.
 */
#ifndef MBOX_TIMEOUT
#define MBOX_TIMEOUT			0U
#define MBOX_TIMEOUT_ABS		0U
#endif
#ifndef MBOX_RECV_TYPE
#define MBOX_RECV_TYPE			0U
#define MBOX_RECV_EXCEPT		0U
#endif
#ifndef MBOX_RECV_PEEK
#define MBOX_RECV_PEEK			0U
#endif
#ifndef MBOX_RECV_TRUNC
#define MBOX_RECV_TRUNC			0U
#endif
#ifndef MBOX_CREATE_AUTODESTROY
#define MBOX_CREATE_AUTODESTROY		0ULL
#endif
#ifndef MBOX_CREATE_EXCL
#define MBOX_CREATE_EXCL		0ULL
#endif
#ifndef MBOX_FEATURE_RENDEZVOUS
#define MBOX_FEATURE_RENDEZVOUS		0ULL
#endif
#ifndef MBOX_FEATURE_FIFO_WAITERS
#define MBOX_FEATURE_FIFO_WAITERS	0ULL
#endif
#ifndef MBOX_FEATURE_TIMEOUT
#define MBOX_FEATURE_TIMEOUT		0ULL
#endif
#ifndef MBOX_FEATURE_TYPES
#define MBOX_FEATURE_TYPES		0ULL
#endif
#ifndef MBOX_FEATURE_PEEK
#define MBOX_FEATURE_PEEK		0ULL
#endif
#ifndef MBOX_FEATURE_TRUNC
#define MBOX_FEATURE_TRUNC		0ULL
#endif
#ifndef MBOX_FEATURE_MSG_INFO
#define MBOX_FEATURE_MSG_INFO		0ULL
#endif
#ifndef MBOX_FEATURE_AUTODESTROY
#define MBOX_FEATURE_AUTODESTROY	0ULL
#endif
#ifndef MBOX_FEATURE_FD
#define MBOX_FEATURE_FD			0ULL
#endif
#ifndef MBOX_FEATURE_STAT_EXT
#define MBOX_FEATURE_STAT_EXT		0ULL
#endif
#ifndef MBOX_FEATURE_NAMES
#define MBOX_FEATURE_NAMES		0ULL
#endif
#ifndef MBOX_FEATURE_PERMS
#define MBOX_FEATURE_PERMS		0ULL
#define MBOX_CREATE_MODE		0ULL
#endif
#ifndef MBOX_FEATURE_LIMITS
#define MBOX_FEATURE_LIMITS		0ULL
#endif
#ifndef MBOX_FEATURE_NS
#define MBOX_FEATURE_NS			0ULL
#endif
#ifndef MBOX_FEATURE_BATCH
#define MBOX_FEATURE_BATCH		0ULL
#endif
#ifndef MBOX_FEATURE_FD_IOCTL
#define MBOX_FEATURE_FD_IOCTL		0ULL
#endif
#ifndef MBOX_FEATURE_MSG_CHARGE
#define MBOX_FEATURE_MSG_CHARGE		0ULL
#define MBOX_MSG_OVERHEAD		0
#endif
#ifndef MBOX_FEATURE_KERNEL_NAMES
#define MBOX_FEATURE_KERNEL_NAMES	0ULL
#define MBOX_KERNEL_NAME_PREFIX		"kernel."
#endif
#ifndef MBOX_FEATURE_SENDRECV
#define MBOX_FEATURE_SENDRECV		0ULL
#endif
#ifndef MBOX_FEATURE_RING
#define MBOX_FEATURE_RING		0ULL
#endif

/* Every feature bit this header defines. */
#define MBOX_HDR_FEATURES						\
	(MBOX_FEATURE_RENDEZVOUS | MBOX_FEATURE_FIFO_WAITERS |		\
	 MBOX_FEATURE_TIMEOUT | MBOX_FEATURE_TYPES | MBOX_FEATURE_PEEK |	\
	 MBOX_FEATURE_TRUNC | MBOX_FEATURE_MSG_INFO |			\
	 MBOX_FEATURE_AUTODESTROY | MBOX_FEATURE_FD |			\
	 MBOX_FEATURE_STAT_EXT | MBOX_FEATURE_NAMES |			\
	 MBOX_FEATURE_PERMS | MBOX_FEATURE_LIMITS | MBOX_FEATURE_NS |	\
	 MBOX_FEATURE_BATCH | MBOX_FEATURE_FD_IOCTL |			\
	 MBOX_FEATURE_MSG_CHARGE | MBOX_FEATURE_NS_SHARES |		\
	 MBOX_FEATURE_KERNEL_NAMES | MBOX_FEATURE_SENDRECV |		\
	 MBOX_FEATURE_RING)

/* The flags each command accepts from a module reporting @features. */
static inline __u64 mbox_create_flags(__u64 features)
{
	__u64 flags = 0;

	if (features & MBOX_FEATURE_AUTODESTROY)
		flags |= MBOX_CREATE_AUTODESTROY;
	if (features & MBOX_FEATURE_NAMES)
		flags |= MBOX_CREATE_EXCL;
	if (features & MBOX_FEATURE_PERMS)
		flags |= MBOX_CREATE_MODE;
	return flags;
}

static inline __u32 mbox_send_flags(__u64 features)
{
	__u32 flags = MBOX_NONBLOCK;

	if (features & MBOX_FEATURE_TIMEOUT)
		flags |= MBOX_TIMEOUT | MBOX_TIMEOUT_ABS;
	return flags;
}

static inline __u32 mbox_recv_flags(__u64 features)
{
	__u32 flags = mbox_send_flags(features);

	if (features & MBOX_FEATURE_TYPES)
		flags |= MBOX_RECV_TYPE | MBOX_RECV_EXCEPT;
	if (features & MBOX_FEATURE_PEEK)
		flags |= MBOX_RECV_PEEK;
	if (features & MBOX_FEATURE_TRUNC)
		flags |= MBOX_RECV_TRUNC;
	return flags;
}

/* An mbox ioctl number with any direction, number and size. */
#define MBOX_CMD(dir, nr, size)	_IOC(dir, MBOX_IOC_MAGIC, nr, size)

/* Ids no mailbox can have: ids are positive ints. */
#define MBOX_ID_NEVER_HI	0x80000000U
#define MBOX_ID_NEVER_MAX	0xffffffffU

static inline int mbox_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static inline int ioc_info(int fd, struct mbox_info *arg)
{
	return mbox_ioctl(fd, MBOX_IOC_INFO, arg);
}

static inline int ioc_create(int fd, struct mbox_create *arg)
{
	return mbox_ioctl(fd, MBOX_IOC_CREATE, arg);
}

static inline int ioc_destroy(int fd, struct mbox_destroy *arg)
{
	return mbox_ioctl(fd, MBOX_IOC_DESTROY, arg);
}

static inline int ioc_send(int fd, struct mbox_send *arg)
{
	return mbox_ioctl(fd, MBOX_IOC_SEND, arg);
}

static inline int ioc_recv(int fd, struct mbox_recv *arg)
{
	return mbox_ioctl(fd, MBOX_IOC_RECV, arg);
}

static inline int ioc_stat(int fd, struct mbox_stat *arg)
{
	return mbox_ioctl(fd, MBOX_IOC_STAT, arg);
}

static inline int ioc_open(int fd, struct mbox_open *arg)
{
	return mbox_ioctl(fd, MBOX_IOC_OPEN, arg);
}

/* Mailboxes that exist, all namespaces together; UINT32_MAX on error. */
/*
 * The mailboxes of every IPC namespace, for a caller in the initial one:
 * INFO's nr_mailboxes counts the caller's namespace only, and, with
 * MBOX_FEATURE_NS_SHARES, shared_mailboxes all the others (shown only in
 * the initial namespace; 0 elsewhere).
 */
static inline __u32 mbox_nr_mailboxes(int fd)
{
	struct mbox_info info;

	memset(&info, 0, sizeof(info));
	if (ioc_info(fd, &info))
		return UINT32_MAX;
	return info.nr_mailboxes + info.shared_mailboxes;
}

/*
 * The most mailboxes the initial IPC namespace may have: its own share
 * with MBOX_FEATURE_NS_SHARES (max_mailboxes counts the other namespaces
 * only); before it, max_mailboxes too.
 */
static inline __u32 mbox_initial_ns_max(const struct mbox_info *info)
{
	__u32 max = info->max_mailboxes;

	if (info->features & MBOX_FEATURE_NS_SHARES)
		return info->max_mailboxes_per_ns;
	if ((info->features & MBOX_FEATURE_LIMITS) &&
	    info->max_mailboxes_per_ns < max)
		max = info->max_mailboxes_per_ns;
	return max;
}

/*
 * Wait up to @ms until at most @n mailboxes exist (mbox_nr_mailboxes():
 * every namespace's, seen from the initial one): those of IPC namespaces
 * whose last process exited go within a few seconds (the module's reaper
 * looks once a second).  Tests that leave such namespaces behind wait, so
 * that the next test's counts are not disturbed.  0 or -ETIMEDOUT.
 */
static inline int mbox_wait_nr(int fd, __u32 n, int ms)
{
	struct timespec ts;
	long long end;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 + ms;
	while (mbox_nr_mailboxes(fd) > n) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 > end)
			return -ETIMEDOUT;
		usleep(20000);
	}
	return 0;
}

/*
 * Shortcuts for the tests of behaviour, through libmbox (which returns
 * -errno too); the ABI tests call the ioc_*() wrappers above.
 */

static inline int mbox_new(int fd, __u32 capacity, __u32 max_msg_size)
{
	return mbox_create(fd, NULL, capacity, max_msg_size, 0, 0);
}

static inline int mbox_del(int fd, __u32 id)
{
	return mbox_destroy(fd, id);
}

static inline int mbox_put(int fd, __u32 id, const void *buf, __u64 len,
			   __u32 flags)
{
	return mbox_send(fd, id, buf, len, flags);
}

/* @len: in, the buffer's size; out, what the module stored in @len. */
static inline int mbox_get(int fd, __u32 id, void *buf, __u64 *len,
			   __u32 flags)
{
	struct mbox_recv arg = {
		.id = id,
		.flags = flags,
		.buf = (__u64)(uintptr_t)buf,
		.len = *len,
	};
	int ret = mbox_recv_args(fd, &arg, sizeof(arg));

	*len = arg.len;
	return ret;
}

static inline int mbox_stat_id(int fd, __u32 id, struct mbox_stat *st)
{
	return mbox_stat(fd, id, st, sizeof(*st));
}

/* A new file descriptor bound to mailbox @id, or -errno. */
static inline int mbox_open_id(int fd, __u32 id, __u32 flags)
{
	return mbox_open_mailbox(fd, id, flags);
}

/*
 * Message content: a byte for every (sequence number, offset) pair, so a
 * message swapped with another, a page copied twice or a segment out of
 * order are all told apart.
 */
static inline unsigned char mbox_pattern_byte(__u32 seq, __u64 off)
{
	__u64 x = ((__u64)seq << 40) ^ (off + 1);

	x *= 0x9e3779b97f4a7c15ULL;
	return (unsigned char)(x >> 56);
}

static inline void mbox_fill(void *buf, __u64 len, __u32 seq)
{
	unsigned char *p = buf;
	__u64 i;

	for (i = 0; i < len; i++)
		p[i] = mbox_pattern_byte(seq, i);
}

/* Returns -1 if @buf holds message @seq's @len bytes, else the first bad offset. */
static inline long long mbox_check(const void *buf, __u64 len, __u32 seq)
{
	const unsigned char *p = buf;
	__u64 i;

	for (i = 0; i < len; i++)
		if (p[i] != mbox_pattern_byte(seq, i))
			return (long long)i;
	return -1;
}

/* Returns -1 if all @len bytes of @buf are @c, else the first other one. */
static inline long long mbox_check_fill(const void *buf, __u64 len, int c)
{
	const unsigned char *p = buf;
	__u64 i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)c)
			return (long long)i;
	return -1;
}

/* Write @s to the file @path (sysfs, procfs, tracefs): 0 or -errno. */
static inline int mbox_write_file(const char *path, const char *s)
{
	int f = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (f < 0)
		return -errno;
	n = write(f, s, strlen(s));
	n = n < 0 ? -errno : n == (ssize_t)strlen(s) ? 0 : -EIO;
	close(f);
	return n;
}

static inline void mbox_msleep(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static inline long long mbox_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* @size bytes of zeroed memory shared with children; NULL on failure. */
static inline void *mbox_shared_mem(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Anonymous memory of @pages pages whose pages listed in @holes (a bit per
 * page) are PROT_NONE, so that a buffer can run from mapped into unmapped
 * memory.  Returns NULL on failure.
 */
static inline void *mbox_map_with_holes(size_t pages, unsigned long holes)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, pages * psz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (p == MAP_FAILED)
		return NULL;
	for (i = 0; i < pages; i++) {
		if (!(holes & (1UL << i)))
			continue;
		if (mprotect(p + i * psz, psz, PROT_NONE)) {
			munmap(p, pages * psz);
			return NULL;
		}
	}
	return p;
}

/*
 * Mailboxes and child processes a test made, so that the fixture's teardown
 * can remove them even when an assertion ended the test early.  Each test
 * runs in a process of its own, so plain globals are per test.
 */
static __u32 *mbox_tracked;
static size_t mbox_ntracked, mbox_tracked_size;

static inline void mbox_track(__u32 id)
{
	if (mbox_ntracked == mbox_tracked_size) {
		size_t n = mbox_tracked_size ? 2 * mbox_tracked_size : 64;
		__u32 *p = realloc(mbox_tracked, n * sizeof(*p));

		if (!p)
			return;
		mbox_tracked = p;
		mbox_tracked_size = n;
	}
	mbox_tracked[mbox_ntracked++] = id;
}

#define MBOX_MAX_KIDS	64
static pid_t mbox_kids[MBOX_MAX_KIDS];

/*
 * fork() for tests: flushes stdio first and records the child.  The child
 * must leave with _exit() and must not use ASSERT_*() (that would run the
 * fixture's teardown in the child).
 */
static inline pid_t mbox_fork(void)
{
	pid_t pid;
	int i;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid > 0) {
		for (i = 0; i < MBOX_MAX_KIDS; i++) {
			if (!mbox_kids[i]) {
				mbox_kids[i] = pid;
				break;
			}
		}
	}
	return pid;
}

static inline void mbox_forget_kid(pid_t pid)
{
	int i;

	for (i = 0; i < MBOX_MAX_KIDS; i++)
		if (mbox_kids[i] == pid)
			mbox_kids[i] = 0;
}

/*
 * The exit code a child reports the result of a call with: 0 for success
 * (or a length), the errno otherwise.  Codes above 200 are the child's own
 * failures (bad content and so on).
 */
static inline int mbox_exit_code(int ret)
{
	return ret >= 0 ? 0 : (-ret) & 0xff;
}

#define MBOX_CHILD_BAD_DATA	201
#define MBOX_CHILD_NO_HANDLER	202
#define MBOX_CHILD_SETUP	203

/*
 * Waits up to @timeout_ms for child @pid to end.  Returns its wait status,
 * or -ETIMEDOUT if it still runs (it is then left alone).
 */
static inline int mbox_reap(pid_t pid, int timeout_ms)
{
	long long end = mbox_now_ms() + timeout_ms;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			mbox_forget_kid(pid);
			return status;
		}
		if (r < 0 && errno != EINTR)
			return -errno;
		if (mbox_now_ms() >= end)
			return -ETIMEDOUT;
		mbox_msleep(2);
	}
}

/*
 * Waits for child @pid to exit and returns its exit code, 1000 + signal
 * number if a signal killed it, or -ETIMEDOUT.
 */
static inline int mbox_child_result(pid_t pid, int timeout_ms)
{
	int status = mbox_reap(pid, timeout_ms);

	if (status < 0)
		return status;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 1000 + WTERMSIG(status);
	return -EINVAL;
}

/* Kills and reaps every child the test still has. */
static inline void mbox_kill_kids(void)
{
	int i;

	for (i = 0; i < MBOX_MAX_KIDS; i++) {
		if (!mbox_kids[i])
			continue;
		kill(mbox_kids[i], SIGKILL);
		waitpid(mbox_kids[i], NULL, 0);
		mbox_kids[i] = 0;
	}
}

/* The teardown of every fixture: children first, then mailboxes. */
static inline void mbox_cleanup(int fd)
{
	size_t i;

	mbox_kill_kids();
	if (fd >= 0) {
		for (i = 0; i < mbox_ntracked; i++)
			mbox_del(fd, mbox_tracked[i]);
		close(fd);
	}
	free(mbox_tracked);
	mbox_tracked = NULL;
	mbox_ntracked = 0;
	mbox_tracked_size = 0;
}

/*
 * Is @pid asleep, interruptibly, in a system call?  Reads the state from
 * /proc/PID/stat and the call from /proc/PID/syscall, storing its number
 * in *@nr and its second argument in *@arg1.  Returns 1 or 0, or -1 when
 * /proc cannot tell.
 */
static inline int mbox_asleep_in_syscall(pid_t pid, long *nr,
					 unsigned long long *arg1)
{
	char path[64], buf[512], *p;
	unsigned long long arg0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -1;
	if (p[2] != 'S')
		return 0;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%ld 0x%llx 0x%llx", nr, &arg0, arg1) != 3)
		return 0;	/* "running", or in user space ("-1 ...") */
	return 1;
}

/* Is @pid asleep inside ioctl(@cmd)?  1 or 0, or -1 if /proc cannot tell. */
static inline int mbox_in_ioctl(pid_t pid, unsigned long cmd)
{
	unsigned long long arg1;
	long nr;
	int r = mbox_asleep_in_syscall(pid, &nr, &arg1);

	if (r != 1)
		return r;
	return nr == SYS_ioctl && arg1 == (unsigned long long)cmd;
}

/*
 * Waits up to @timeout_ms until child @pid sleeps inside ioctl(@cmd).
 * Returns 0 once it does; -ETIMEDOUT if it never did; 1 if /proc cannot
 * tell, after 200 ms of sleep that give it time to block (the tests then
 * rely on the checks they make after it).
 */
static inline int mbox_wait_blocked(pid_t pid, unsigned long cmd,
				    int timeout_ms)
{
	long long end = mbox_now_ms() + timeout_ms;
	int r;

	for (;;) {
		r = mbox_in_ioctl(pid, cmd);
		if (r == 1)
			return 0;
		if (r < 0) {
			mbox_msleep(200);
			return 1;
		}
		if (mbox_now_ms() >= end)
			return -ETIMEDOUT;
		mbox_msleep(2);
	}
}

/*
 * Waits up to @timeout_ms until STAT of mailbox @id shows exactly @senders
 * blocked senders and @receivers blocked receivers.  Returns 0, -ETIMEDOUT
 * or the error of STAT.
 */
static inline int mbox_wait_waiters(int fd, __u32 id, __u32 senders,
				    __u32 receivers, int timeout_ms)
{
	long long end = mbox_now_ms() + timeout_ms;
	struct mbox_stat st;
	int ret;

	for (;;) {
		ret = mbox_stat_id(fd, id, &st);
		if (ret)
			return ret;
		if (st.blocked_senders == senders &&
		    st.blocked_receivers == receivers)
			return 0;
		if (mbox_now_ms() >= end)
			return -ETIMEDOUT;
		mbox_msleep(1);
	}
}

/* In a test: wait up to 5 s for mbox_wait_waiters() to see that many. */
#define ASSERT_WAITERS(fd, id, senders, receivers)			\
	ASSERT_EQ(0, mbox_wait_waiters(fd, id, senders, receivers, 5000)) \
		TH_LOG("waiting for %u senders and %u receivers on %u",	\
		       (unsigned int)(senders), (unsigned int)(receivers), \
		       (unsigned int)(id))

/* Is child @pid still running (not exited, not killed)? */
static inline int mbox_alive(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT))
		return 0;
	return si.si_pid == 0;
}

/*
 * Create a mailbox the fixture's teardown will destroy; the test fails
 * unless the module accepts it.
 */
static inline __u32 __mbox_new_tracked(struct __test_metadata *_metadata,
				       int fd, __u32 capacity,
				       __u32 max_msg_size)
{
	int id = mbox_new(fd, capacity, max_msg_size);

	ASSERT_LT(0, id) TH_LOG("create(capacity %u, max_msg_size %u): %s",
				capacity, max_msg_size, strerror(-id));
	mbox_track(id);
	return id;
}

#define NEW_MBOX(fd, capacity, max_msg_size) \
	__mbox_new_tracked(_metadata, fd, capacity, max_msg_size)

/*
 * Open /dev/mbox or skip the test when the module is not loaded.  The 6.1
 * harness runs the test body even after SKIP() in a fixture setup, so this
 * leaves the test process the way the harness does for a skipped test.
 */
#define MBOX_OPEN_OR_SKIP(fdp) do {					\
	*(fdp) = open(MBOX_DEV, O_RDWR | O_CLOEXEC);			\
	if (*(fdp) < 0 && (errno == ENOENT || errno == ENXIO ||	\
			   errno == ENODEV))				\
		SKIP(_exit(255), MBOX_DEV " is absent: %s",		\
		     strerror(errno));					\
	ASSERT_LE(0, *(fdp)) TH_LOG("open " MBOX_DEV ": %s",		\
				    strerror(errno));			\
} while (0)

#endif /* MBOX_SELFTEST_UTIL_H */
