// SPDX-License-Identifier: GPL-2.0
/*
 * libmbox (lib/, <mbox.h>) against the module: every function's success
 * path and each error it documents (mbox_open(3) and its family, and for
 * mbox_sendrecv(3) the half that failed); the convention (-errno returned,
 * errno left alone); the versioned structs of a program built against an
 * older or a newer header, passed through by size; and the library used
 * from several threads and after fork().  Then the receive ring's inline
 * consumer, <mbox_ring.h>: attach and its errors, records in order and
 * what release gives back, a discarded record skipped, waits that fail,
 * refill, and a dead ring.
 *
 * It includes <mbox.h> and <mbox_ring.h> alone, not mbox_util.h, so that
 * it calls nothing but the library.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mbox.h>
#include <mbox_ring.h>

#include "kselftest_harness.h"

#define CAP		4
#define MAX_LEN		64
#define MS		1000000ULL
#define CANARY		0xa5

FIXTURE(lib) {
	int dev;
	uint32_t id;
	char buf[MAX_LEN];
};

/* A mailbox gone when the test's /dev/mbox file closes, even on failure. */
static int new_box(int dev, uint32_t capacity, uint32_t max_msg_size)
{
	return mbox_create(dev, NULL, capacity, max_msg_size,
			   MBOX_CREATE_AUTODESTROY, 0);
}

FIXTURE_SETUP(lib)
{
	int ret;

	self->dev = mbox_open(0);
	if (self->dev == -ENOENT)
		SKIP(return, "no /dev/mbox: is mbox.ko loaded?");
	ASSERT_LE(0, self->dev) TH_LOG("mbox_open: %s", strerror(-self->dev));
	ret = new_box(self->dev, CAP, MAX_LEN);
	ASSERT_LT(0, ret) TH_LOG("mbox_create: %s", strerror(-ret));
	self->id = ret;
}

FIXTURE_TEARDOWN(lib)
{
	if (self->dev >= 0)
		close(self->dev);
}

/* Is every byte of @p..@p+@len @c? */
static int all_bytes(const void *p, size_t len, int c)
{
	const unsigned char *b = p;

	while (len--) {
		if (*b++ != c)
			return 0;
	}
	return 1;
}

/* The convention. */

TEST_F(lib, a_failure_returns_minus_errno_and_leaves_errno_alone)
{
	errno = 12345;
	EXPECT_EQ(-ENOENT, mbox_destroy(self->dev, self->id + 1000));
	EXPECT_EQ(12345, errno);
	EXPECT_EQ(-EBADF, mbox_send(-1, self->id, "x", 1, 0));
	EXPECT_EQ(12345, errno);
	EXPECT_EQ(0, mbox_send(self->dev, self->id, "x", 1, 0));
	EXPECT_EQ(12345, errno);
}

/* mbox_open(3) */

TEST_F(lib, mbox_open_gives_a_close_on_exec_read_write_descriptor)
{
	int fl = fcntl(self->dev, F_GETFL), fdfl = fcntl(self->dev, F_GETFD);

	EXPECT_EQ(O_RDWR, fl & O_ACCMODE);
	EXPECT_FALSE(fl & O_NONBLOCK);
	EXPECT_TRUE(fdfl & FD_CLOEXEC);
}

TEST(mbox_open_flags_give_read_only_and_nonblocking_descriptors)
{
	int fd = mbox_open(LIBMBOX_OPEN_RDONLY | LIBMBOX_OPEN_NONBLOCK);
	struct mbox_info info;

	if (fd == -ENOENT)
		SKIP(return, "no /dev/mbox");
	ASSERT_LE(0, fd);
	EXPECT_EQ(O_RDONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(0, mbox_info(fd, &info, sizeof(info)));
	close(fd);
}

TEST(mbox_open_rejects_an_unknown_flag)
{
	EXPECT_EQ(-EINVAL, mbox_open(1U << 31));
	EXPECT_EQ(-EINVAL, mbox_open(1U << 2));
}

TEST_F(lib, mbox_open_mailbox_gives_a_file_of_that_mailbox)
{
	char out[8];
	int fd;

	fd = mbox_open_mailbox(self->dev, self->id,
			       MBOX_FD_CLOEXEC | MBOX_FD_NONBLOCK);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(3, write(fd, "abc", 3));
	EXPECT_EQ(3, mbox_recv(self->dev, self->id, out, sizeof(out),
			       MBOX_NONBLOCK));
	EXPECT_EQ(0, memcmp(out, "abc", 3));
	close(fd);
}

TEST_F(lib, mbox_open_mailbox_errors)
{
	EXPECT_EQ(-EINVAL, mbox_open_mailbox(self->dev, self->id, 1U << 31));
	EXPECT_EQ(-ENOENT, mbox_open_mailbox(self->dev, self->id + 1000, 0));
	EXPECT_EQ(-EBADF, mbox_open_mailbox(-1, self->id, 0));
}

TEST_F(lib, data_calls_work_on_a_mailbox_file_with_id_0)
{
	char out[8];
	int fd;

	if (mbox_has_features(self->dev, MBOX_FEATURE_FD_IOCTL) != 1)
		SKIP(return, "no MBOX_FEATURE_FD_IOCTL");
	fd = mbox_open_mailbox(self->dev, self->id, MBOX_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, mbox_send(fd, 0, "hi", 2, 0));
	EXPECT_EQ(2, mbox_recv(fd, 0, out, sizeof(out), MBOX_NONBLOCK));
	EXPECT_EQ(-EINVAL, mbox_send(fd, self->id + 1, "hi", 2, 0));
	close(fd);
}

/* mbox_info(3) */

TEST_F(lib, mbox_info_fills_the_struct)
{
	struct mbox_info info;

	memset(&info, CANARY, sizeof(info));
	ASSERT_EQ(0, mbox_info(self->dev, &info, sizeof(info)));
	EXPECT_EQ(MBOX_ABI_VERSION, info.abi_version);
	EXPECT_LE(1U, info.nr_mailboxes);
	EXPECT_EQ(0U, info.__reserved);
}

TEST_F(lib, mbox_info_of_an_older_header_writes_only_its_size)
{
	unsigned char raw[sizeof(struct mbox_info)];
	struct mbox_info *info = (struct mbox_info *)raw;

	memset(raw, CANARY, sizeof(raw));
	ASSERT_EQ(0, mbox_info(self->dev, info, MBOX_INFO_SIZE_VER1));
	EXPECT_EQ(MBOX_ABI_VERSION, info->abi_version);
	EXPECT_TRUE(all_bytes(raw + MBOX_INFO_SIZE_VER1,
			      sizeof(raw) - MBOX_INFO_SIZE_VER1, CANARY));
}

TEST_F(lib, mbox_info_of_a_newer_header_zeroes_what_the_module_lacks)
{
	struct {
		struct mbox_info info;
		unsigned char later[24];
	} big;

	memset(&big, CANARY, sizeof(big));
	ASSERT_EQ(0, mbox_info(self->dev, &big.info, sizeof(big)));
	EXPECT_TRUE(all_bytes(big.later, sizeof(big.later), 0));
}

TEST_F(lib, mbox_info_errors)
{
	struct mbox_info info;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	EXPECT_EQ(-EINVAL, mbox_info(self->dev, &info, MBOX_INFO_SIZE_VER1 - 8));
	EXPECT_EQ(-EINVAL, mbox_info(self->dev, &info, 1 << 20));
	EXPECT_EQ(-EFAULT, mbox_info(self->dev, NULL, sizeof(info)));
	EXPECT_EQ(-EBADF, mbox_info(-1, &info, sizeof(info)));
	ASSERT_LE(0, null);
	EXPECT_EQ(-ENOTTY, mbox_info(null, &info, sizeof(info)));
	close(null);
}

TEST_F(lib, mbox_features_and_mbox_has_features_probe_the_mask)
{
	struct mbox_info info;
	uint64_t features;

	ASSERT_EQ(0, mbox_info(self->dev, &info, sizeof(info)));
	ASSERT_EQ(0, mbox_features(self->dev, &features));
	EXPECT_EQ(info.features, features);
	EXPECT_EQ(1, mbox_has_features(self->dev, 0));
	EXPECT_EQ(1, mbox_has_features(self->dev, features));
	EXPECT_EQ(1, mbox_has_features(self->dev, MBOX_FEATURE_NAMES));
	/* A bit no module has yet stands for a feature of a later header. */
	EXPECT_EQ(0, mbox_has_features(self->dev, 1ULL << 63));
	EXPECT_EQ(0, mbox_has_features(self->dev, features | 1ULL << 63));
	EXPECT_EQ(-EBADF, mbox_features(-1, &features));
	EXPECT_EQ(-EBADF, mbox_has_features(-1, 0));
}

/* mbox_create(3) */

TEST_F(lib, mbox_create_gives_a_new_id_each_time)
{
	int a = new_box(self->dev, 0, 0), b = new_box(self->dev, 1, 1);

	EXPECT_LT(0, a);
	EXPECT_LT(0, b);
	EXPECT_NE(a, b);
	EXPECT_NE((int)self->id, a);
}

TEST_F(lib, mbox_create_with_a_name_is_found_by_mbox_lookup)
{
	char name[32];
	int id;

	snprintf(name, sizeof(name), "libmbox-%d", getpid());
	id = mbox_create(self->dev, name, 2, 8, MBOX_CREATE_AUTODESTROY, 0);
	ASSERT_LT(0, id);
	EXPECT_EQ(id, mbox_lookup(self->dev, name));
	/* Taken, without MBOX_CREATE_EXCL: that mailbox's id. */
	EXPECT_EQ(id, mbox_create(self->dev, name, 2, 8, 0, 0));
	EXPECT_EQ(-EEXIST, mbox_create(self->dev, name, 2, 8,
				       MBOX_CREATE_EXCL, 0));
	EXPECT_EQ(0, mbox_destroy(self->dev, id));
	EXPECT_EQ(-ENOENT, mbox_lookup(self->dev, name));
}

TEST_F(lib, mbox_create_uses_the_mode_with_mbox_create_mode)
{
	struct mbox_stat st;
	int id;

	id = mbox_create(self->dev, NULL, 1, 1,
			 MBOX_CREATE_AUTODESTROY | MBOX_CREATE_MODE, 0640);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, mbox_stat(self->dev, id, &st, sizeof(st)));
	EXPECT_EQ(0640U, st.mode);
	ASSERT_EQ(0, mbox_stat(self->dev, self->id, &st, sizeof(st)));
	EXPECT_EQ(0600U, st.mode);
}

TEST_F(lib, mbox_create_errors)
{
	struct mbox_info info;
	char long_name[MBOX_NAME_MAX + 8];

	ASSERT_EQ(0, mbox_info(self->dev, &info, sizeof(info)));
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	EXPECT_EQ(-EINVAL, mbox_create(self->dev, NULL, 1, 1, 1ULL << 40, 0));
	EXPECT_EQ(-EINVAL, mbox_create(self->dev, NULL, 1, 1,
				       MBOX_CREATE_EXCL, 0));
	EXPECT_EQ(-EINVAL, mbox_create(self->dev, NULL, 1, 1, 0, 0600));
	EXPECT_EQ(-EINVAL, mbox_create(self->dev, NULL, 1, 1,
				       MBOX_CREATE_MODE, 01000));
	if (info.max_capacity < UINT32_MAX)
		EXPECT_EQ(-EINVAL, mbox_create(self->dev, NULL,
					       info.max_capacity + 1, 1, 0, 0));
	if (info.max_msg_size < UINT32_MAX)
		EXPECT_EQ(-EINVAL, mbox_create(self->dev, NULL, 1,
					       info.max_msg_size + 1, 0, 0));
	EXPECT_EQ(-EINVAL, mbox_create(self->dev, "", 1, 1, 0, 0));
	EXPECT_EQ(-EINVAL, mbox_create(self->dev, "a/b", 1, 1, 0, 0));
	EXPECT_EQ(-ENAMETOOLONG, mbox_create(self->dev, long_name, 1, 1, 0, 0));
	EXPECT_EQ(-EFAULT, mbox_create(self->dev, (const char *)8, 1, 1, 0, 0));
	EXPECT_EQ(-EBADF, mbox_create(-1, NULL, 1, 1, 0, 0));
}

TEST_F(lib, mbox_destroy_destroys_once)
{
	EXPECT_EQ(0, mbox_destroy(self->dev, self->id));
	EXPECT_EQ(-ENOENT, mbox_destroy(self->dev, self->id));
	EXPECT_EQ(-ENOENT, mbox_send(self->dev, self->id, "x", 1, 0));
}

TEST_F(lib, mbox_lookup_errors)
{
	char long_name[MBOX_NAME_MAX + 8];

	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	EXPECT_EQ(-ENOENT, mbox_lookup(self->dev, "libmbox-no-such-name"));
	EXPECT_EQ(-EINVAL, mbox_lookup(self->dev, ""));
	EXPECT_EQ(-EINVAL, mbox_lookup(self->dev, "a/b"));
	EXPECT_EQ(-ENAMETOOLONG, mbox_lookup(self->dev, long_name));
	EXPECT_EQ(-EFAULT, mbox_lookup(self->dev, (const char *)8));
}

TEST_F(lib, mbox_set_changes_capacity_mode_and_size)
{
	struct mbox_set set = {
		.id = self->id,
		.flags = MBOX_SET_CAPACITY | MBOX_SET_MODE | MBOX_SET_MSG_SIZE,
		.capacity = CAP + 2,
		.mode = 0604,
		.max_msg_size = 16,
	};
	struct mbox_stat st;

	ASSERT_EQ(0, mbox_set(self->dev, &set, sizeof(set)));
	ASSERT_EQ(0, mbox_stat(self->dev, self->id, &st, sizeof(st)));
	EXPECT_EQ(CAP + 2U, st.capacity);
	EXPECT_EQ(0604U, st.mode);
	EXPECT_EQ(16U, st.max_msg_size);
}

TEST_F(lib, mbox_set_errors)
{
	struct mbox_set set = { .id = self->id, .flags = MBOX_SET_MODE };
	struct {
		struct mbox_set set;
		uint64_t later;
	} big = { .set = set, .later = 1 };

	set.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, mbox_set(self->dev, &set, sizeof(set)));
	set.flags = MBOX_SET_MODE;
	set.mode = 01000;
	EXPECT_EQ(-EINVAL, mbox_set(self->dev, &set, sizeof(set)));
	set.mode = 0600;
	set.capacity = 3;	/* without MBOX_SET_CAPACITY */
	EXPECT_EQ(-EINVAL, mbox_set(self->dev, &set, sizeof(set)));
	set.capacity = 0;
	EXPECT_EQ(-EINVAL, mbox_set(self->dev, &set, MBOX_SET_SIZE_VER1 - 8));
	EXPECT_EQ(-E2BIG, mbox_set(self->dev, &big.set, sizeof(big)));
	set.id = self->id + 1000;
	EXPECT_EQ(-ENOENT, mbox_set(self->dev, &set, sizeof(set)));
}

/* mbox_send(3) */

TEST_F(lib, mbox_send_and_mbox_recv_move_one_message)
{
	EXPECT_EQ(0, mbox_send(self->dev, self->id, "hello", 5, 0));
	EXPECT_EQ(5, mbox_recv(self->dev, self->id, self->buf,
			       sizeof(self->buf), 0));
	EXPECT_EQ(0, memcmp(self->buf, "hello", 5));
	EXPECT_EQ(0, mbox_send(self->dev, self->id, NULL, 0, MBOX_NONBLOCK));
	EXPECT_EQ(0, mbox_recv(self->dev, self->id, NULL, 0, MBOX_NONBLOCK));
}

TEST_F(lib, mbox_recv_peeks_and_truncates)
{
	ASSERT_EQ(0, mbox_send(self->dev, self->id, "abcdef", 6, 0));
	EXPECT_EQ(6, mbox_recv(self->dev, self->id, self->buf,
			       sizeof(self->buf), MBOX_RECV_PEEK));
	EXPECT_EQ(-EMSGSIZE, mbox_recv(self->dev, self->id, self->buf, 3, 0));
	EXPECT_EQ(3, mbox_recv(self->dev, self->id, self->buf, 3,
			       MBOX_RECV_TRUNC));
	EXPECT_EQ(0, memcmp(self->buf, "abc", 3));
	EXPECT_EQ(-EAGAIN, mbox_recv(self->dev, self->id, self->buf,
				     sizeof(self->buf), MBOX_NONBLOCK));
}

TEST_F(lib, mbox_send_errors)
{
	unsigned char big[MAX_LEN + 1] = { 0 };
	int i;

	EXPECT_EQ(-EINVAL, mbox_send(self->dev, self->id, "x", 1, 1U << 30));
	EXPECT_EQ(-EINVAL, mbox_send(self->dev, self->id, "x", 1,
				     MBOX_RECV_PEEK));
	EXPECT_EQ(-EINVAL, mbox_send(self->dev, self->id, "x", 1,
				     MBOX_NONBLOCK | MBOX_TIMEOUT));
	EXPECT_EQ(-ENOENT, mbox_send(self->dev, self->id + 1000, "x", 1, 0));
	EXPECT_EQ(-EMSGSIZE, mbox_send(self->dev, self->id, big, sizeof(big),
				       0));
	EXPECT_EQ(-EFAULT, mbox_send(self->dev, self->id, (void *)8, 1, 0));
	for (i = 0; i < CAP; i++)
		ASSERT_EQ(0, mbox_send(self->dev, self->id, "x", 1, 0));
	EXPECT_EQ(-EAGAIN, mbox_send(self->dev, self->id, "x", 1,
				     MBOX_NONBLOCK));
}

TEST_F(lib, mbox_recv_errors)
{
	EXPECT_EQ(-EINVAL, mbox_recv(self->dev, self->id, self->buf,
				     sizeof(self->buf), 1U << 30));
	EXPECT_EQ(-EINVAL, mbox_recv(self->dev, self->id, self->buf,
				     sizeof(self->buf),
				     MBOX_RECV_TYPE | MBOX_RECV_EXCEPT));
	EXPECT_EQ(-ENOENT, mbox_recv(self->dev, self->id + 1000, self->buf,
				     sizeof(self->buf), 0));
	EXPECT_EQ(-EAGAIN, mbox_recv(self->dev, self->id, self->buf,
				     sizeof(self->buf), MBOX_NONBLOCK));
	ASSERT_EQ(0, mbox_send(self->dev, self->id, "x", 1, 0));
	EXPECT_EQ(-EFAULT, mbox_recv(self->dev, self->id, (void *)8, 1, 0));
	EXPECT_EQ(1, mbox_recv(self->dev, self->id, self->buf, 1, 0));
}

TEST_F(lib, relative_and_absolute_timeouts_expire)
{
	struct timespec ts = { .tv_nsec = 20 * MS };
	uint64_t t0 = mbox_now_ns();

	EXPECT_EQ(-ETIMEDOUT, mbox_recv_timeout(self->dev, self->id, self->buf,
						sizeof(self->buf),
						MBOX_TIMEOUT, 20 * MS));
	EXPECT_LE(t0 + 20 * MS, mbox_now_ns());
	t0 = mbox_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbox_recv_timeout(self->dev, self->id, self->buf,
						sizeof(self->buf),
						MBOX_TIMEOUT_ABS, t0 + 20 * MS));
	EXPECT_LE(t0 + 20 * MS, mbox_now_ns());
	t0 = mbox_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbox_recv_timespec(self->dev, self->id,
						 self->buf, sizeof(self->buf),
						 MBOX_TIMEOUT, &ts));
	EXPECT_LE(t0 + 20 * MS, mbox_now_ns());
}

TEST_F(lib, timed_sends_expire_on_a_full_mailbox)
{
	struct timespec ts;
	uint64_t t0;
	int i;

	for (i = 0; i < CAP; i++)
		ASSERT_EQ(0, mbox_send(self->dev, self->id, "x", 1, 0));
	t0 = mbox_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbox_send_timeout(self->dev, self->id, "x", 1,
						MBOX_TIMEOUT, 20 * MS));
	EXPECT_LE(t0 + 20 * MS, mbox_now_ns());
	t0 = mbox_now_ns() + 20 * MS;
	ts.tv_sec = t0 / 1000000000ULL;
	ts.tv_nsec = t0 % 1000000000ULL;
	EXPECT_EQ(-ETIMEDOUT, mbox_send_timespec(self->dev, self->id, "x", 1,
						 MBOX_TIMEOUT_ABS, &ts));
	EXPECT_LE(t0, mbox_now_ns());
	/* Zero: try once. */
	EXPECT_EQ(-ETIMEDOUT, mbox_send_timeout(self->dev, self->id, "x", 1,
						MBOX_TIMEOUT, 0));
}

TEST_F(lib, timed_calls_succeed_when_they_can)
{
	struct timespec ts = { .tv_sec = 5 };

	EXPECT_EQ(0, mbox_send_timeout(self->dev, self->id, "ab", 2,
				       MBOX_TIMEOUT, 5000 * MS));
	EXPECT_EQ(0, mbox_send_timespec(self->dev, self->id, "cd", 2,
					MBOX_TIMEOUT, &ts));
	EXPECT_EQ(0, mbox_send_timespec(self->dev, self->id, "ef", 2, 0, NULL));
	EXPECT_EQ(2, mbox_recv_timeout(self->dev, self->id, self->buf,
				       sizeof(self->buf), MBOX_TIMEOUT_ABS,
				       mbox_now_ns() + 5000 * MS));
	EXPECT_EQ(2, mbox_recv_timespec(self->dev, self->id, self->buf,
					sizeof(self->buf), MBOX_TIMEOUT, &ts));
	EXPECT_EQ(2, mbox_recv_timespec(self->dev, self->id, self->buf,
					sizeof(self->buf), MBOX_NONBLOCK,
					NULL));
	EXPECT_EQ(0, memcmp(self->buf, "ef", 2));
}

TEST_F(lib, timed_calls_need_exactly_one_timeout_flag)
{
	struct timespec ts = { .tv_nsec = MS };

	EXPECT_EQ(-EINVAL, mbox_send_timeout(self->dev, self->id, "x", 1, 0,
					     MS));
	EXPECT_EQ(-EINVAL, mbox_send_timeout(self->dev, self->id, "x", 1,
					     MBOX_TIMEOUT | MBOX_TIMEOUT_ABS,
					     MS));
	EXPECT_EQ(-EINVAL, mbox_recv_timeout(self->dev, self->id, self->buf,
					     1, MBOX_NONBLOCK, MS));
	EXPECT_EQ(-EINVAL, mbox_send_timespec(self->dev, self->id, "x", 1, 0,
					      &ts));
	EXPECT_EQ(-EINVAL, mbox_recv_timespec(self->dev, self->id, self->buf,
					      1, MBOX_TIMEOUT, NULL));
}

TEST_F(lib, timespecs_out_of_range_are_einval)
{
	struct timespec bad_nsec = { .tv_nsec = 1000000000L };
	struct timespec neg_nsec = { .tv_nsec = -1 };
	struct timespec neg_sec = { .tv_sec = -1 };

	EXPECT_EQ(-EINVAL, mbox_send_timespec(self->dev, self->id, "x", 1,
					      MBOX_TIMEOUT, &bad_nsec));
	EXPECT_EQ(-EINVAL, mbox_recv_timespec(self->dev, self->id, self->buf,
					      1, MBOX_TIMEOUT, &neg_nsec));
	EXPECT_EQ(-EINVAL, mbox_recv_timespec(self->dev, self->id, self->buf,
					      1, MBOX_TIMEOUT_ABS, &neg_sec));
	EXPECT_EQ(-EAGAIN, mbox_recv(self->dev, self->id, self->buf, 1,
				     MBOX_NONBLOCK));	/* nothing was sent */
}

TEST(mbox_timespec_to_ns_converts_and_saturates)
{
	struct timespec ts = { .tv_sec = 3, .tv_nsec = 5 };
	uint64_t ns = 1;

	EXPECT_EQ(0, mbox_timespec_to_ns(&ts, &ns));
	EXPECT_EQ(3000000005ULL, ns);
	ts.tv_sec = INT64_MAX;
	ts.tv_nsec = 999999999;
	EXPECT_EQ(0, mbox_timespec_to_ns(&ts, &ns));
	EXPECT_EQ(UINT64_MAX, ns);
	ts.tv_sec = 0;
	ts.tv_nsec = 1000000000L;
	ns = 7;
	EXPECT_EQ(-EINVAL, mbox_timespec_to_ns(&ts, &ns));
	EXPECT_EQ(7U, ns);
}

TEST(mbox_now_ns_is_clock_monotonic)
{
	struct timespec ts;
	uint64_t before, now, after;

	ASSERT_EQ(0, clock_gettime(CLOCK_MONOTONIC, &ts));
	before = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	now = mbox_now_ns();
	ASSERT_EQ(0, clock_gettime(CLOCK_MONOTONIC, &ts));
	after = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	EXPECT_LE(before, now);
	EXPECT_LE(now, after);
}

TEST_F(lib, mbox_send_args_and_mbox_recv_args_carry_type_and_details)
{
	struct mbox_send s = {
		.id = self->id, .buf = (uintptr_t)"typed", .len = 5, .type = 7,
	};
	struct mbox_recv r = {
		.id = self->id, .flags = MBOX_RECV_TYPE | MBOX_NONBLOCK,
		.type = 7, .buf = (uintptr_t)self->buf, .len = sizeof(self->buf),
	};

	ASSERT_EQ(0, mbox_send(self->dev, self->id, "plain", 5, 0));
	ASSERT_EQ(0, mbox_send_args(self->dev, &s, sizeof(s)));
	EXPECT_EQ(5, mbox_recv_args(self->dev, &r, sizeof(r)));
	EXPECT_EQ(0, memcmp(self->buf, "typed", 5));
	EXPECT_EQ(7U, r.type);
	EXPECT_EQ(5U, r.msg_len);
	EXPECT_EQ(2U, r.seq);
	EXPECT_EQ(getpid(), r.pid);
	EXPECT_EQ(geteuid(), r.uid);
	EXPECT_NE(0U, r.send_ns);
}

TEST_F(lib, mbox_recv_args_reports_the_length_that_did_not_fit)
{
	struct mbox_recv r = {
		.id = self->id, .buf = (uintptr_t)self->buf, .len = 2,
	};

	ASSERT_EQ(0, mbox_send(self->dev, self->id, "toolong", 7, 0));
	EXPECT_EQ(-EMSGSIZE, mbox_recv_args(self->dev, &r, sizeof(r)));
	EXPECT_EQ(7U, r.len);
	EXPECT_EQ(7U, r.msg_len);
}

TEST_F(lib, args_of_an_older_header_work_and_are_written_no_further)
{
	unsigned char raw[sizeof(struct mbox_recv)];
	struct mbox_recv *r = (struct mbox_recv *)raw;
	/* Only the version-1 fields are passed: those of an older header. */
	struct mbox_send s = {
		.id = self->id, .buf = (uintptr_t)"old", .len = 3,
		.type = 9,
	};

	ASSERT_EQ(0, mbox_send_args(self->dev, &s, MBOX_SEND_SIZE_VER1));
	memset(raw, CANARY, sizeof(raw));
	memset(raw, 0, MBOX_RECV_SIZE_VER1);
	r->id = self->id;
	r->buf = (uintptr_t)self->buf;
	r->len = sizeof(self->buf);
	EXPECT_EQ(3, mbox_recv_args(self->dev, r, MBOX_RECV_SIZE_VER1));
	EXPECT_EQ(3U, r->len);
	EXPECT_EQ(0, memcmp(self->buf, "old", 3));
	EXPECT_TRUE(all_bytes(raw + MBOX_RECV_SIZE_VER1,
			      sizeof(raw) - MBOX_RECV_SIZE_VER1, CANARY));
}

TEST_F(lib, args_of_a_newer_header_need_their_unknown_bytes_zero)
{
	struct {
		struct mbox_send s;
		uint64_t later;
	} big = {
		.s = { .id = self->id, .buf = (uintptr_t)"new", .len = 3 },
		.later = 1,
	};

	EXPECT_EQ(-E2BIG, mbox_send_args(self->dev, &big.s, sizeof(big)));
	big.later = 0;
	EXPECT_EQ(0, mbox_send_args(self->dev, &big.s, sizeof(big)));
	EXPECT_EQ(-EINVAL, mbox_send_args(self->dev, &big.s,
					  MBOX_SEND_SIZE_VER1 - 8));
	EXPECT_EQ(-EINVAL, mbox_recv_args(self->dev, NULL,
					  MBOX_RECV_SIZE_VER1 - 8));
	EXPECT_EQ(-EFAULT, mbox_recv_args(self->dev, NULL,
					  sizeof(struct mbox_recv)));
}

/* mbox_sendrecv(3) */

#define HAS_SENDRECV(dev)	(mbox_has_features(dev, MBOX_FEATURE_SENDRECV) == 1)

/* Is mailbox @id empty?  (It then has nothing to receive at once.) */
static int box_empty(int dev, uint32_t id)
{
	return mbox_recv(dev, id, NULL, 0, MBOX_NONBLOCK | MBOX_RECV_PEEK |
			 MBOX_RECV_TRUNC) == -EAGAIN;
}

TEST_F(lib, mbox_sendrecv_sends_then_receives_the_reply)
{
	struct mbox_recv r = {
		.buf = (uintptr_t)self->buf, .len = sizeof(self->buf),
	};
	unsigned int sent = 9, failed = 9;
	int reply;

	if (!HAS_SENDRECV(self->dev))
		SKIP(return, "no MBOX_FEATURE_SENDRECV");
	reply = new_box(self->dev, CAP, MAX_LEN);
	ASSERT_LT(0, reply);
	ASSERT_EQ(0, mbox_send(self->dev, reply, "answer", 6, 0));
	EXPECT_EQ(6, mbox_sendrecv(self->dev, self->id, "ask", 3, 5, reply,
				   self->buf, sizeof(self->buf), 0, &sent,
				   &failed));
	EXPECT_EQ(0, memcmp(self->buf, "answer", 6));
	EXPECT_EQ(1U, sent);
	EXPECT_EQ(0U, failed);
	/* The request went to the other mailbox, with its type. */
	r.id = self->id;
	EXPECT_EQ(3, mbox_recv_args(self->dev, &r, sizeof(r)));
	EXPECT_EQ(0, memcmp(self->buf, "ask", 3));
	EXPECT_EQ(5U, r.type);
	EXPECT_TRUE(box_empty(self->dev, reply));
}

TEST_F(lib, mbox_sendrecv_on_one_mailbox_receives_what_it_sent)
{
	if (!HAS_SENDRECV(self->dev))
		SKIP(return, "no MBOX_FEATURE_SENDRECV");
	EXPECT_EQ(4, mbox_sendrecv(self->dev, self->id, "echo", 4, 0,
				   self->id, self->buf, sizeof(self->buf), 0,
				   NULL, NULL));
	EXPECT_EQ(0, memcmp(self->buf, "echo", 4));
	EXPECT_TRUE(box_empty(self->dev, self->id));
}

TEST_F(lib, mbox_sendrecv_with_a_far_timeout_waits_as_without_one)
{
	if (!HAS_SENDRECV(self->dev))
		SKIP(return, "no MBOX_FEATURE_SENDRECV");
	EXPECT_EQ(2, mbox_sendrecv(self->dev, self->id, "hi", 2, 0, self->id,
				   self->buf, sizeof(self->buf), UINT64_MAX,
				   NULL, NULL));
}

TEST_F(lib, mbox_sendrecv_send_half_error_sends_nothing)
{
	unsigned int sent = 9, failed = 9;
	char big[MAX_LEN + 1] = { 0 };
	int other, i;

	if (!HAS_SENDRECV(self->dev))
		SKIP(return, "no MBOX_FEATURE_SENDRECV");
	other = new_box(self->dev, CAP, MAX_LEN);
	ASSERT_LT(0, other);

	EXPECT_EQ(-ENOENT, mbox_sendrecv(self->dev, self->id + 1000, "x", 1,
					 0, other, self->buf, MAX_LEN, 0,
					 &sent, &failed));
	EXPECT_EQ(0U, sent);
	EXPECT_EQ((unsigned int)MBOX_SENDRECV_SEND, failed);

	sent = failed = 9;
	EXPECT_EQ(-EMSGSIZE, mbox_sendrecv(self->dev, self->id, big,
					   sizeof(big), 0, other, self->buf,
					   MAX_LEN, 0, &sent, &failed));
	EXPECT_EQ(0U, sent);
	EXPECT_EQ((unsigned int)MBOX_SENDRECV_SEND, failed);

	sent = failed = 9;
	EXPECT_EQ(-EFAULT, mbox_sendrecv(self->dev, self->id, (void *)8, 1, 0,
					 other, self->buf, MAX_LEN, 0, &sent,
					 &failed));
	EXPECT_EQ(0U, sent);
	EXPECT_EQ((unsigned int)MBOX_SENDRECV_SEND, failed);
	EXPECT_TRUE(box_empty(self->dev, self->id));

	/* A full mailbox: the send half times out, nothing is received. */
	for (i = 0; i < CAP; i++)
		ASSERT_EQ(0, mbox_send(self->dev, self->id, "f", 1, 0));
	ASSERT_EQ(0, mbox_send(self->dev, other, "r", 1, 0));
	sent = failed = 9;
	EXPECT_EQ(-ETIMEDOUT, mbox_sendrecv(self->dev, self->id, "x", 1, 0,
					    other, self->buf, MAX_LEN, 10 * MS,
					    &sent, &failed));
	EXPECT_EQ(0U, sent);
	EXPECT_EQ((unsigned int)MBOX_SENDRECV_SEND, failed);
	EXPECT_FALSE(box_empty(self->dev, other));
}

TEST_F(lib, mbox_sendrecv_receive_half_error_found_before_sending)
{
	unsigned int sent = 9, failed = 9;

	if (!HAS_SENDRECV(self->dev))
		SKIP(return, "no MBOX_FEATURE_SENDRECV");
	EXPECT_EQ(-ENOENT, mbox_sendrecv(self->dev, self->id, "x", 1, 0,
					 self->id + 1000, self->buf, MAX_LEN,
					 0, &sent, &failed));
	EXPECT_EQ(0U, sent);
	EXPECT_EQ((unsigned int)MBOX_SENDRECV_RECV, failed);
	EXPECT_TRUE(box_empty(self->dev, self->id));
}

TEST_F(lib, mbox_sendrecv_receive_half_error_after_the_send)
{
	unsigned int sent = 9, failed = 9;
	struct mbox_stat st;
	uint64_t start;
	int other;

	if (!HAS_SENDRECV(self->dev))
		SKIP(return, "no MBOX_FEATURE_SENDRECV");
	other = new_box(self->dev, CAP, MAX_LEN);
	ASSERT_LT(0, other);

	/* Nothing to receive: the timeout ends the wait, the message stays. */
	start = mbox_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbox_sendrecv(self->dev, self->id, "a", 1, 0,
					    other, self->buf, MAX_LEN, 10 * MS,
					    &sent, &failed));
	EXPECT_LE(10 * MS, mbox_now_ns() - start);
	EXPECT_EQ(1U, sent);
	EXPECT_EQ((unsigned int)MBOX_SENDRECV_RECV, failed);
	EXPECT_EQ(1, mbox_recv(self->dev, self->id, self->buf, MAX_LEN,
			       MBOX_NONBLOCK));

	/* A reply too long for the buffer stays for a later receive. */
	ASSERT_EQ(0, mbox_send(self->dev, other, "toolong", 7, 0));
	sent = failed = 9;
	EXPECT_EQ(-EMSGSIZE, mbox_sendrecv(self->dev, self->id, "b", 1, 0,
					   other, self->buf, 2, 0, &sent,
					   &failed));
	EXPECT_EQ(1U, sent);
	EXPECT_EQ((unsigned int)MBOX_SENDRECV_RECV, failed);
	EXPECT_EQ(7, mbox_recv(self->dev, other, self->buf, MAX_LEN,
			       MBOX_NONBLOCK));

	/* An unwritable receive buffer. */
	ASSERT_EQ(0, mbox_send(self->dev, other, "reply", 5, 0));
	sent = failed = 9;
	EXPECT_EQ(-EFAULT, mbox_sendrecv(self->dev, self->id, "c", 1, 0,
					 other, (void *)8, MAX_LEN, 0, &sent,
					 &failed));
	EXPECT_EQ(1U, sent);
	EXPECT_EQ((unsigned int)MBOX_SENDRECV_RECV, failed);
	/* Both requests after the first are still there. */
	ASSERT_EQ(0, mbox_stat(self->dev, self->id, &st, sizeof(st)));
	EXPECT_EQ(2U, st.msgs);
}

TEST_F(lib, mbox_sendrecv_fails_with_enotty_on_a_mailbox_file)
{
	unsigned int sent = 9, failed = 9;
	int fd;

	if (!HAS_SENDRECV(self->dev) ||
	    mbox_has_features(self->dev, MBOX_FEATURE_FD_IOCTL) != 1)
		SKIP(return, "no MBOX_FEATURE_SENDRECV or _FD_IOCTL");
	fd = mbox_open_mailbox(self->dev, self->id, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, mbox_sendrecv(fd, self->id, "x", 1, 0, self->id,
					 self->buf, MAX_LEN, 0, &sent,
					 &failed));
	EXPECT_EQ(0U, sent);
	EXPECT_EQ(0U, failed);
	close(fd);
	EXPECT_TRUE(box_empty(self->dev, self->id));
}

TEST_F(lib, mbox_sendrecv_args_passes_every_field_and_reports)
{
	struct mbox_sendrecv sr = {
		.send = { .id = self->id, .buf = (uintptr_t)"req", .len = 3,
			  .type = 4 },
		.recv = { .id = self->id, .flags = MBOX_RECV_TYPE, .type = 4,
			  .buf = (uintptr_t)self->buf,
			  .len = sizeof(self->buf) },
	};

	if (!HAS_SENDRECV(self->dev))
		SKIP(return, "no MBOX_FEATURE_SENDRECV");
	ASSERT_EQ(0, mbox_send(self->dev, self->id, "other", 5, 0));
	EXPECT_EQ(3, mbox_sendrecv_args(self->dev, &sr, sizeof(sr)));
	EXPECT_EQ(0, memcmp(self->buf, "req", 3));
	EXPECT_EQ(1U, sr.sent);
	EXPECT_EQ(0U, sr.failed);
	EXPECT_EQ(4U, sr.recv.type);
	EXPECT_EQ(3U, sr.recv.msg_len);
	EXPECT_EQ(2U, sr.recv.seq);
	EXPECT_EQ(getpid(), sr.recv.pid);

	/* A receive half that may not wait, with nothing of its type. */
	sr.recv.flags = MBOX_NONBLOCK | MBOX_RECV_TYPE;
	sr.recv.type = 6;
	sr.recv.len = sizeof(self->buf);
	EXPECT_EQ(-EAGAIN, mbox_sendrecv_args(self->dev, &sr, sizeof(sr)));
	EXPECT_EQ(1U, sr.sent);
	EXPECT_EQ((unsigned int)MBOX_SENDRECV_RECV, sr.failed);
}

TEST_F(lib, mbox_sendrecv_args_errors)
{
	struct {
		struct mbox_sendrecv sr;
		uint64_t later;
	} big;

	if (!HAS_SENDRECV(self->dev))
		SKIP(return, "no MBOX_FEATURE_SENDRECV");
	memset(&big, 0, sizeof(big));
	big.sr.send.id = self->id;
	big.sr.recv.id = self->id;
	big.sr.recv.buf = (uintptr_t)self->buf;
	big.sr.recv.len = sizeof(self->buf);

	big.sr.flags = 1;
	big.sr.failed = 9;
	EXPECT_EQ(-EINVAL, mbox_sendrecv_args(self->dev, &big.sr,
					      sizeof(big.sr)));
	EXPECT_EQ(0U, big.sr.sent);
	EXPECT_EQ(0U, big.sr.failed);
	big.sr.flags = 0;

	big.sr.__reserved = 1;
	EXPECT_EQ(-EINVAL, mbox_sendrecv_args(self->dev, &big.sr,
					      sizeof(big.sr)));
	big.sr.__reserved = 0;

	EXPECT_EQ(-EINVAL, mbox_sendrecv_args(self->dev, &big.sr,
					      MBOX_SENDRECV_SIZE_VER1 - 8));
	big.later = 1;
	EXPECT_EQ(-E2BIG, mbox_sendrecv_args(self->dev, &big.sr,
					     sizeof(big)));
	EXPECT_EQ(-EFAULT, mbox_sendrecv_args(self->dev, NULL,
					      sizeof(big.sr)));
	EXPECT_EQ(-EINVAL, mbox_sendrecv_args(self->dev, &big.sr,
					      (size_t)_IOC_SIZEMASK + 1));
	/* Nothing was sent by any of them. */
	EXPECT_TRUE(box_empty(self->dev, self->id));
}

/* mbox_batch(3) */

TEST_F(lib, batches_send_and_receive_in_order)
{
	struct mbox_batch_msg out[3] = {
		{ .buf = (uintptr_t)"one", .len = 3, .type = 1 },
		{ .buf = (uintptr_t)"two", .len = 3, .type = 2 },
		{ .buf = (uintptr_t)"three", .len = 5, .type = 3 },
	};
	char bufs[4][MAX_LEN];
	struct mbox_batch_msg in[4];
	int error = 1, i;

	if (mbox_has_features(self->dev, MBOX_FEATURE_BATCH) != 1)
		SKIP(return, "no MBOX_FEATURE_BATCH");
	EXPECT_EQ(3, mbox_send_batch(self->dev, self->id, out, 3, 0, 0,
				     &error));
	EXPECT_EQ(0, error);
	memset(in, 0, sizeof(in));
	for (i = 0; i < 4; i++) {
		in[i].buf = (uintptr_t)bufs[i];
		in[i].len = MAX_LEN;
	}
	error = 1;
	EXPECT_EQ(3, mbox_recv_batch(self->dev, self->id, in, 4, 0, 0, 0,
				     &error));
	EXPECT_EQ(-EAGAIN, error);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(out[i].len, in[i].len);
		EXPECT_EQ(out[i].type, in[i].type);
		EXPECT_EQ(i + 1U, in[i].seq);
		EXPECT_EQ(0, memcmp(bufs[i], (void *)(uintptr_t)out[i].buf,
				    out[i].len));
	}
}

TEST_F(lib, batch_errors)
{
	struct mbox_batch_msg m[CAP + 1];
	int error = 1, i;

	if (mbox_has_features(self->dev, MBOX_FEATURE_BATCH) != 1)
		SKIP(return, "no MBOX_FEATURE_BATCH");
	memset(m, 0, sizeof(m));
	EXPECT_EQ(-EAGAIN, mbox_recv_batch(self->dev, self->id, m, 1,
					   MBOX_NONBLOCK, 0, 0, &error));
	EXPECT_EQ(-EAGAIN, error);
	EXPECT_EQ(-EINVAL, mbox_send_batch(self->dev, self->id, m, 0, 0, 0,
					   NULL));
	EXPECT_EQ(-EINVAL, mbox_send_batch(self->dev, self->id, m,
					   MBOX_BATCH_MAX + 1, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, mbox_recv_batch(self->dev, self->id, m, 1,
					   MBOX_RECV_PEEK, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, mbox_send_batch(self->dev, self->id, NULL, 1, 0, 0,
					   NULL));
	EXPECT_EQ(-ENOENT, mbox_send_batch(self->dev, self->id + 1000, m, 1,
					   0, 0, NULL));
	/* Stopped at a full mailbox: the count sent, and why it stopped. */
	EXPECT_EQ(CAP, mbox_send_batch(self->dev, self->id, m, CAP + 1, 0, 0,
				       &error));
	EXPECT_EQ(-EAGAIN, error);
	for (i = 0; i < CAP; i++)
		EXPECT_EQ(0, mbox_recv(self->dev, self->id, NULL, 0, 0));
}

/* mbox_stat(3) */

TEST_F(lib, mbox_stat_reports_the_mailbox)
{
	struct mbox_stat st;

	ASSERT_EQ(0, mbox_send(self->dev, self->id, "abc", 3, 0));
	memset(&st, CANARY, sizeof(st));
	ASSERT_EQ(0, mbox_stat(self->dev, self->id, &st, sizeof(st)));
	EXPECT_EQ(self->id, st.id);
	EXPECT_EQ((uint32_t)CAP, st.capacity);
	EXPECT_EQ((uint32_t)MAX_LEN, st.max_msg_size);
	EXPECT_EQ(1U, st.msgs);
	EXPECT_EQ(3U, st.bytes);
	EXPECT_EQ(getpid(), st.last_send_pid);
	EXPECT_EQ(MBOX_CREATE_AUTODESTROY, st.create_flags);
}

TEST_F(lib, mbox_stat_of_an_older_header_writes_only_its_size)
{
	unsigned char raw[sizeof(struct mbox_stat)];
	struct mbox_stat *st = (struct mbox_stat *)raw;

	memset(raw, CANARY, sizeof(raw));
	ASSERT_EQ(0, mbox_stat(self->dev, self->id, st, MBOX_STAT_SIZE_VER1));
	EXPECT_EQ((uint32_t)CAP, st->capacity);
	EXPECT_TRUE(all_bytes(raw + MBOX_STAT_SIZE_VER1,
			      sizeof(raw) - MBOX_STAT_SIZE_VER1, CANARY));
}

TEST_F(lib, mbox_stat_errors)
{
	struct mbox_stat st;

	EXPECT_EQ(-EINVAL, mbox_stat(self->dev, self->id, &st,
				     MBOX_STAT_SIZE_VER1 - 8));
	EXPECT_EQ(-EINVAL, mbox_stat(self->dev, self->id, &st, 1 << 20));
	EXPECT_EQ(-ENOENT, mbox_stat(self->dev, self->id + 1000, &st,
				     sizeof(st)));
	EXPECT_EQ(-EBADF, mbox_stat(-1, self->id, &st, sizeof(st)));
	EXPECT_EQ(-EFAULT, mbox_stat(self->dev, self->id, NULL, sizeof(st)));
	EXPECT_EQ(-EFAULT, mbox_stat_next(self->dev, 1, NULL, sizeof(st)));
}

TEST_F(lib, mbox_stat_next_lists_every_mailbox_in_id_order)
{
	int ids[3], i, found = 0, id, last = 0;
	struct mbox_stat st;

	for (i = 0; i < 3; i++) {
		ids[i] = new_box(self->dev, 1, 1);
		ASSERT_LT(0, ids[i]);
	}
	for (id = mbox_stat_next(self->dev, 1, &st, sizeof(st)); id > 0;
	     id = mbox_stat_next(self->dev, id + 1, &st, sizeof(st))) {
		EXPECT_LT(last, id);
		EXPECT_EQ((uint32_t)id, st.id);
		last = id;
		for (i = 0; i < 3; i++)
			found += id == ids[i];
		found += id == (int)self->id;
	}
	EXPECT_EQ(-ENOENT, id);
	EXPECT_EQ(4, found);
	EXPECT_EQ(-ENOENT, mbox_stat_next(self->dev, last + 1, &st,
					  sizeof(st)));
}

/* Threads and fork. */

#define THREADS		4
#define PER_THREAD	200

struct worker {
	int dev;
	uint32_t id;
	int bad;
};

/* Sends and receives PER_THREAD numbered messages on its own mailbox. */
static void *worker(void *arg)
{
	struct worker *w = arg;
	unsigned int n, got;

	for (n = 0; n < PER_THREAD; n++) {
		if (mbox_send(w->dev, w->id, &n, sizeof(n), 0) ||
		    mbox_recv(w->dev, w->id, &got, sizeof(got), 0) !=
			    sizeof(got) || got != n ||
		    mbox_recv(w->dev, w->id, &got, sizeof(got),
			      MBOX_NONBLOCK) != -EAGAIN) {
			w->bad = 1;
			break;
		}
	}
	return NULL;
}

TEST_F(lib, threads_share_one_descriptor_and_see_their_own_errors)
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	int i, ret;

	for (i = 0; i < THREADS; i++) {
		ret = new_box(self->dev, 2, sizeof(unsigned int));
		ASSERT_LT(0, ret);
		w[i] = (struct worker){ .dev = self->dev, .id = ret };
	}
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker, &w[i]));
	for (i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, w[i].bad) TH_LOG("thread %d", i);
	}
}

TEST_F(lib, a_forked_child_uses_the_inherited_descriptor)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mbox_send(self->dev, self->id, "child", 5, 0) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(5, mbox_recv(self->dev, self->id, self->buf,
			       sizeof(self->buf), MBOX_NONBLOCK));
	EXPECT_EQ(0, memcmp(self->buf, "child", 5));
}

/* <mbox_ring.h>: the receive ring's consumer. */

#define HAS_RING(dev)	(mbox_has_features(dev, MBOX_FEATURE_RING) == 1)
#define RING		4096U

/* A new file of mailbox @id made its ring consumer in @r: the fd, or -errno. */
static int ring_consumer(int dev, uint32_t id, struct mbox_ring *r)
{
	int fd = mbox_open_mailbox(dev, id, MBOX_FD_CLOEXEC);
	int ret;

	if (fd < 0)
		return fd;
	ret = mbox_ring_attach(r, fd, RING);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

TEST_F(lib, mbox_ring_attach_maps_an_empty_ring_and_detach_unmaps_it)
{
	struct mbox_ring r;
	int fd;

	if (!HAS_RING(self->dev))
		SKIP(return, "no MBOX_FEATURE_RING");
	fd = ring_consumer(self->dev, self->id, &r);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	EXPECT_EQ(fd, r.fd);
	EXPECT_EQ(RING, r.size);
	EXPECT_EQ(RING, r.prod->size);
	EXPECT_EQ(0U, r.prod->pos);
	EXPECT_EQ(0U, r.cons->pos);
	EXPECT_EQ(NULL, mbox_ring_next(&r));
	EXPECT_TRUE(mbox_ring_empty(&r));
	EXPECT_FALSE(mbox_ring_dead(&r));
	EXPECT_FALSE(mbox_ring_refill_wanted(&r));
	mbox_ring_detach(&r);
	EXPECT_EQ(-1, r.fd);
	EXPECT_EQ(NULL, r.prod);
	/* The file is still the consumer: plain receives are refused. */
	EXPECT_EQ(-EBUSY, mbox_recv(self->dev, self->id, self->buf,
				    sizeof(self->buf), MBOX_NONBLOCK));
	close(fd);
	/* Closed, it is not: the mailbox receives as before. */
	EXPECT_EQ(-EAGAIN, mbox_recv(self->dev, self->id, self->buf,
				     sizeof(self->buf), MBOX_NONBLOCK));
}

TEST_F(lib, mbox_ring_attach_errors)
{
	struct mbox_ring r, other;
	int fd, fd2, big;

	if (!HAS_RING(self->dev))
		SKIP(return, "no MBOX_FEATURE_RING");
	errno = 12345;
	EXPECT_EQ(-ENOTTY, mbox_ring_attach(&r, self->dev, RING));
	EXPECT_EQ(12345, errno);
	EXPECT_EQ(-EBADF, mbox_ring_attach(&r, -1, RING));
	fd = mbox_open_mailbox(self->dev, self->id, MBOX_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, mbox_ring_attach(&r, fd, RING + 1));
	EXPECT_EQ(-EINVAL, mbox_ring_attach(&r, fd, MBOX_RING_SIZE_MIN / 2));
	EXPECT_EQ(-EINVAL, mbox_ring_attach(&r, fd, MBOX_RING_SIZE_MAX * 2));
	ASSERT_EQ(0, mbox_ring_attach(&r, fd, RING));
	/* One consumer per mailbox, and one setup per file. */
	EXPECT_EQ(-EBUSY, mbox_ring_attach(&other, fd, RING));
	fd2 = mbox_open_mailbox(self->dev, self->id, MBOX_FD_CLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EBUSY, mbox_ring_attach(&other, fd2, RING));
	close(fd2);
	mbox_ring_detach(&r);
	close(fd);
	/* A message bigger than the ring could hold. */
	big = new_box(self->dev, CAP, RING);
	ASSERT_LT(0, big);
	fd = mbox_open_mailbox(self->dev, big, MBOX_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EMSGSIZE, mbox_ring_attach(&r, fd, RING));
	close(fd);
}

TEST_F(lib, mbox_ring_next_gives_records_in_order_and_release_gives_them_back)
{
	const struct mbox_ring_rec *rec[3];
	struct mbox_send s = { .id = self->id };
	static const char *const text[3] = { "one", "second", "third one" };
	uint64_t end[3], pos = 0;
	struct mbox_ring r;
	int fd, i;

	if (!HAS_RING(self->dev))
		SKIP(return, "no MBOX_FEATURE_RING");
	fd = ring_consumer(self->dev, self->id, &r);
	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++) {
		s.buf = (uintptr_t)text[i];
		s.len = strlen(text[i]);
		s.type = 10 + i;
		ASSERT_EQ(0, mbox_send_args(self->dev, &s, sizeof(s)));
		pos += MBOX_RING_REC_SIZE(s.len);
		end[i] = pos;
	}
	for (i = 0; i < 3; i++) {
		rec[i] = mbox_ring_next(&r);
		ASSERT_NE(NULL, rec[i]) TH_LOG("record %d", i);
		EXPECT_EQ(strlen(text[i]), mbox_ring_len(rec[i]));
		EXPECT_EQ(0, memcmp(mbox_ring_data(rec[i]), text[i], strlen(text[i])));
		EXPECT_EQ(10U + i, rec[i]->type);
		EXPECT_EQ(getpid(), rec[i]->pid);
		EXPECT_EQ(getuid(), rec[i]->uid);
		EXPECT_LT(0U, rec[i]->send_ns);
		if (i)
			EXPECT_LT(rec[i - 1]->seq, rec[i]->seq);
	}
	EXPECT_EQ(NULL, mbox_ring_next(&r));
	EXPECT_TRUE(mbox_ring_empty(&r));
	/* Nothing is given back before release; then up to the record. */
	EXPECT_EQ(0U, r.cons->pos);
	mbox_ring_release(&r, rec[1]);
	EXPECT_EQ(end[1], r.cons->pos);
	mbox_ring_release(&r, rec[0]);		/* given back already */
	EXPECT_EQ(end[1], r.cons->pos);
	mbox_ring_release(&r, rec[2]);
	EXPECT_EQ(end[2], r.cons->pos);
	EXPECT_EQ(r.prod->pos, r.cons->pos);
	mbox_ring_detach(&r);
	close(fd);
}

TEST_F(lib, mbox_ring_next_skips_a_discarded_record_and_gives_its_space_back)
{
	struct mbox_set set = { .flags = MBOX_SET_MSG_SIZE,
				.max_msg_size = MAX_LEN };
	static unsigned char big[RING + 1];
	const struct mbox_ring_rec *rec;
	struct mbox_ring r;
	int id, fd;

	if (!HAS_RING(self->dev))
		SKIP(return, "no MBOX_FEATURE_RING");
	/*
	 * Two messages too long for the ring, queued before it, around a
	 * short one: each long one enters it as a discarded record.
	 */
	id = new_box(self->dev, CAP, sizeof(big));
	ASSERT_LT(0, id);
	ASSERT_EQ(0, mbox_send(self->dev, id, big, sizeof(big), 0));
	ASSERT_EQ(0, mbox_send(self->dev, id, "after", 5, 0));
	ASSERT_EQ(0, mbox_send(self->dev, id, big, sizeof(big), 0));
	set.id = id;
	ASSERT_EQ(0, mbox_set(self->dev, &set, sizeof(set)));
	fd = ring_consumer(self->dev, id, &r);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mbox_ring_wait(&r, MBOX_NONBLOCK, 0));
	ASSERT_EQ(2 * MBOX_RING_REC_SIZE(0) + MBOX_RING_REC_SIZE(5),
		  r.prod->pos);
	/* The first is skipped and its space given back at once. */
	rec = mbox_ring_next(&r);
	ASSERT_NE(NULL, rec);
	EXPECT_EQ(5U, mbox_ring_len(rec));
	EXPECT_EQ(0, memcmp(mbox_ring_data(rec), "after", 5));
	EXPECT_EQ(MBOX_RING_REC_SIZE(0), r.cons->pos);
	/* One skipped after a record still held: released with it. */
	EXPECT_EQ(NULL, mbox_ring_next(&r));
	EXPECT_NE(r.prod->pos, r.cons->pos);
	mbox_ring_release(&r, rec);
	EXPECT_EQ(r.prod->pos, r.cons->pos);
	EXPECT_EQ(-EAGAIN, mbox_ring_wait(&r, MBOX_NONBLOCK, 0));
	mbox_ring_detach(&r);
	close(fd);
	mbox_destroy(self->dev, id);
}

TEST_F(lib, mbox_ring_wait_fails_with_eagain_or_etimedout_when_empty)
{
	struct mbox_ring r;
	uint64_t t0;
	int fd;

	if (!HAS_RING(self->dev))
		SKIP(return, "no MBOX_FEATURE_RING");
	fd = ring_consumer(self->dev, self->id, &r);
	ASSERT_LE(0, fd);
	errno = 12345;
	EXPECT_EQ(-EAGAIN, mbox_ring_wait(&r, MBOX_NONBLOCK, 0));
	EXPECT_EQ(12345, errno);
	t0 = mbox_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbox_ring_wait(&r, MBOX_TIMEOUT, 20 * MS));
	EXPECT_LE(t0 + 20 * MS, mbox_now_ns());
	EXPECT_EQ(-ETIMEDOUT, mbox_ring_wait(&r, MBOX_TIMEOUT_ABS,
					     mbox_now_ns() + 10 * MS));
	EXPECT_EQ(-EINVAL, mbox_ring_wait(&r, 1U << 30, 0));
	mbox_ring_detach(&r);
	close(fd);
}

TEST_F(lib, mbox_ring_wait_returns_once_a_message_arrives)
{
	const struct mbox_ring_rec *rec;
	struct mbox_ring r;
	int fd, status, ret;
	pid_t pid;

	if (!HAS_RING(self->dev))
		SKIP(return, "no MBOX_FEATURE_RING");
	fd = ring_consumer(self->dev, self->id, &r);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(50000);
		_exit(mbox_send(self->dev, self->id, "late", 4, 0) ? 1 : 0);
	}
	/*
	 * A wait may end on a discarded record (the child's first copy of
	 * a page it never touched faults, and its send goes the slow way):
	 * next() skips it, and the consumer waits again.
	 */
	while ((rec = mbox_ring_next(&r)) == NULL) {
		ret = mbox_ring_wait(&r, MBOX_TIMEOUT, 5000 * MS);
		ASSERT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
	}
	EXPECT_EQ(4U, mbox_ring_len(rec));
	EXPECT_EQ(0, memcmp(mbox_ring_data(rec), "late", 4));
	EXPECT_EQ(pid, rec->pid);
	mbox_ring_release(&r, rec);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	mbox_ring_detach(&r);
	close(fd);
}

TEST_F(lib, mbox_ring_refill_wanted_until_mbox_ring_wait_brings_the_queue_in)
{
	const struct mbox_ring_rec *rec;
	unsigned int n = 0, got = 0, i;
	struct mbox_ring r;
	int fd;

	if (!HAS_RING(self->dev))
		SKIP(return, "no MBOX_FEATURE_RING");
	fd = ring_consumer(self->dev, self->id, &r);
	ASSERT_LE(0, fd);
	/* The ring fills, then the mailbox's queue of CAP. */
	while (mbox_send(self->dev, self->id, &n, sizeof(n), MBOX_NONBLOCK) == 0)
		n++;
	ASSERT_LT(CAP, n);
	EXPECT_TRUE(mbox_ring_refill_wanted(&r));
	while ((rec = mbox_ring_next(&r)) != NULL) {
		EXPECT_EQ(0, memcmp(mbox_ring_data(rec), &got, sizeof(got)));
		got++;
		mbox_ring_release(&r, rec);
	}
	EXPECT_EQ(n - CAP, got);
	EXPECT_TRUE(mbox_ring_refill_wanted(&r));
	EXPECT_EQ(0, mbox_ring_wait(&r, MBOX_NONBLOCK, 0));
	EXPECT_FALSE(mbox_ring_refill_wanted(&r));
	for (i = 0; i < CAP; i++) {
		rec = mbox_ring_next(&r);
		ASSERT_NE(NULL, rec);
		EXPECT_EQ(0, memcmp(mbox_ring_data(rec), &got, sizeof(got)));
		got++;
		mbox_ring_release(&r, rec);
	}
	EXPECT_EQ(NULL, mbox_ring_next(&r));
	EXPECT_EQ(n, got);
	mbox_ring_detach(&r);
	close(fd);
}

TEST_F(lib, mbox_ring_dead_after_destroy_and_wait_eidrm_once_drained)
{
	const struct mbox_ring_rec *rec;
	struct mbox_ring r;
	int fd;

	if (!HAS_RING(self->dev))
		SKIP(return, "no MBOX_FEATURE_RING");
	fd = ring_consumer(self->dev, self->id, &r);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mbox_send(self->dev, self->id, "last", 4, 0));
	ASSERT_EQ(0, mbox_destroy(self->dev, self->id));
	EXPECT_TRUE(mbox_ring_dead(&r));
	/* What the ring holds can still be read. */
	rec = mbox_ring_next(&r);
	ASSERT_NE(NULL, rec);
	EXPECT_EQ(0, memcmp(mbox_ring_data(rec), "last", 4));
	EXPECT_EQ(0, mbox_ring_wait(&r, MBOX_NONBLOCK, 0));
	mbox_ring_release(&r, rec);
	EXPECT_EQ(-EIDRM, mbox_ring_wait(&r, 0, 0));
	mbox_ring_detach(&r);
	close(fd);
}

TEST_HARNESS_MAIN
