// SPDX-License-Identifier: GPL-2.0
/*
 * libmbox against an older module, simulated.  The module cannot be
 * downgraded in the VM, so this program puts its own ioctl() in front of
 * libc's (libmbox.a is linked statically, and glibc's ioctl is a weak
 * symbol): it answers as a version-1 module with a chosen feature mask
 * would, and records the command each library call makes.
 *
 * What it shows: the library probes features with the version-1 struct,
 * which every module knows, and reports a missing feature as missing;
 * the calls that take a versioned struct put the caller's size in the
 * ioctl number, so an older or newer program's struct reaches the module
 * as that program built it; the others use this header's structs;
 * mbox_sendrecv() gives both halves one MBOX_TIMEOUT_ABS deadline; and a
 * failing ioctl() that sets errno still leaves the caller's errno alone.
 * No module is needed: nothing reaches the kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mbox.h>

#include "kselftest_harness.h"

#define FAKE_FD		1000	/* no such descriptor: never a real call */

static struct {
	uint64_t features;	/* the simulated module's mask */
	unsigned long cmd;	/* the last command made */
	int calls;
	struct mbox_sendrecv sr;	/* the last MBOX_IOC_SENDRECV's */
} fake;

/*
 * The simulated version-1 module on FAKE_FD: INFO and STAT answer, CREATE
 * gives id 7, the rest succeeds.
 */
int ioctl(int fd, unsigned long cmd, ...)
{
	size_t size = _IOC_SIZE(cmd);
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != FAKE_FD)	/* anyone else's: the real one */
		return syscall(SYS_ioctl, fd, cmd, arg);
	fake.cmd = cmd;
	fake.calls++;
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(MBOX_IOC_INFO):
		if (size < MBOX_INFO_SIZE_VER1) {
			errno = EINVAL;
			return -1;
		}
		/* Output beyond what a version-1 module knows is zeroed. */
		memset(arg, 0, size);
		((struct mbox_info *)arg)->abi_version = 1;
		((struct mbox_info *)arg)->features = fake.features;
		return 0;
	case _IOC_NR(MBOX_IOC_STAT):
		if (size < MBOX_STAT_SIZE_VER1) {
			errno = EINVAL;
			return -1;
		}
		memset((char *)arg + 8, 0, size - 8);
		((struct mbox_stat *)arg)->capacity = 3;
		return 0;
	case _IOC_NR(MBOX_IOC_CREATE):
		return 7;
	case _IOC_NR(MBOX_IOC_SENDRECV):
		memcpy(&fake.sr, arg, size < sizeof(fake.sr) ?
		       size : sizeof(fake.sr));
		return 0;
	default:
		return 0;
	}
}

TEST(an_older_module_lacks_what_its_mask_lacks)
{
	uint64_t features = 0;

	fake.features = MBOX_FEATURE_RENDEZVOUS | MBOX_FEATURE_TIMEOUT;
	ASSERT_EQ(0, mbox_features(FAKE_FD, &features));
	EXPECT_EQ(fake.features, features);
	/* Probed with the version-1 struct, which every module knows. */
	EXPECT_EQ(MBOX_INFO_SIZE_VER1, _IOC_SIZE(fake.cmd));
	EXPECT_EQ(1, mbox_has_features(FAKE_FD, MBOX_FEATURE_TIMEOUT));
	EXPECT_EQ(0, mbox_has_features(FAKE_FD, MBOX_FEATURE_NAMES));
	EXPECT_EQ(0, mbox_has_features(FAKE_FD, MBOX_FEATURE_TIMEOUT |
						MBOX_FEATURE_BATCH));
	EXPECT_EQ(1, mbox_has_features(FAKE_FD, 0));
}

TEST(an_older_module_zeroes_the_fields_it_lacks)
{
	struct mbox_info info;
	struct mbox_stat st;

	fake.features = 0;
	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, mbox_info(FAKE_FD, &info, sizeof(info)));
	EXPECT_EQ(1U, info.abi_version);
	EXPECT_EQ(0U, info.total_msgs);
	EXPECT_EQ(0U, info.user_mailboxes);
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, mbox_stat(FAKE_FD, 5, &st, sizeof(st)));
	EXPECT_EQ(3U, st.capacity);
	EXPECT_EQ(0U, st.create_ns);
	EXPECT_EQ('\0', st.name[0]);
	EXPECT_EQ(0U, st.mode);
}

TEST(versioned_structs_reach_the_module_with_the_callers_size)
{
	unsigned char buf[512] = { 0 };

	ASSERT_EQ(0, mbox_info(FAKE_FD, (void *)buf, MBOX_INFO_SIZE_VER1));
	EXPECT_EQ(MBOX_INFO_SIZE_VER1, _IOC_SIZE(fake.cmd));
	EXPECT_EQ(_IOC_NR(MBOX_IOC_INFO), _IOC_NR(fake.cmd));
	EXPECT_EQ(_IOC_READ, _IOC_DIR(fake.cmd));
	ASSERT_EQ(0, mbox_info(FAKE_FD, (void *)buf, sizeof(buf)));
	EXPECT_EQ(sizeof(buf), _IOC_SIZE(fake.cmd));

	ASSERT_EQ(0, mbox_stat(FAKE_FD, 1, (void *)buf, MBOX_STAT_SIZE_VER2));
	EXPECT_EQ(MBOX_STAT_SIZE_VER2, _IOC_SIZE(fake.cmd));
	EXPECT_EQ(_IOC_READ | _IOC_WRITE, _IOC_DIR(fake.cmd));
	ASSERT_LE(0, mbox_stat_next(FAKE_FD, 1, (void *)buf,
				    MBOX_STAT_SIZE_VER3));
	EXPECT_EQ(MBOX_STAT_SIZE_VER3, _IOC_SIZE(fake.cmd));

	ASSERT_EQ(0, mbox_set(FAKE_FD, (void *)buf, MBOX_SET_SIZE_VER1 + 8));
	EXPECT_EQ(MBOX_SET_SIZE_VER1 + 8, _IOC_SIZE(fake.cmd));
	EXPECT_EQ(_IOC_NR(MBOX_IOC_SET), _IOC_NR(fake.cmd));

	ASSERT_EQ(0, mbox_send_args(FAKE_FD, (void *)buf, MBOX_SEND_SIZE_VER1));
	EXPECT_EQ(MBOX_SEND_SIZE_VER1, _IOC_SIZE(fake.cmd));
	EXPECT_EQ(_IOC_NR(MBOX_IOC_SEND), _IOC_NR(fake.cmd));

	ASSERT_EQ(0, mbox_recv_args(FAKE_FD, (void *)buf, MBOX_RECV_SIZE_VER1));
	EXPECT_EQ(MBOX_RECV_SIZE_VER1, _IOC_SIZE(fake.cmd));
	EXPECT_EQ(_IOC_NR(MBOX_IOC_RECV), _IOC_NR(fake.cmd));

	ASSERT_EQ(0, mbox_sendrecv_args(FAKE_FD, (void *)buf,
					MBOX_SENDRECV_SIZE_VER1 + 8));
	EXPECT_EQ(MBOX_SENDRECV_SIZE_VER1 + 8, _IOC_SIZE(fake.cmd));
	EXPECT_EQ(_IOC_NR(MBOX_IOC_SENDRECV), _IOC_NR(fake.cmd));
	EXPECT_EQ(_IOC_READ | _IOC_WRITE, _IOC_DIR(fake.cmd));
}

TEST(a_size_no_ioctl_number_can_carry_is_einval_and_not_sent)
{
	unsigned char buf[16];

	fake.calls = 0;
	EXPECT_EQ(-EINVAL, mbox_info(FAKE_FD, (void *)buf, _IOC_SIZEMASK + 1));
	EXPECT_EQ(-EINVAL, mbox_set(FAKE_FD, (void *)buf, _IOC_SIZEMASK + 1));
	EXPECT_EQ(-EINVAL, mbox_send_args(FAKE_FD, (void *)buf,
					  _IOC_SIZEMASK + 1));
	EXPECT_EQ(-EINVAL, mbox_recv_args(FAKE_FD, (void *)buf,
					  _IOC_SIZEMASK + 1));
	EXPECT_EQ(-EINVAL, mbox_sendrecv_args(FAKE_FD, (void *)buf,
					      _IOC_SIZEMASK + 1));
	EXPECT_EQ(-EINVAL, mbox_stat(FAKE_FD, 1, (void *)buf,
				     _IOC_SIZEMASK + 1));
	EXPECT_EQ(-EINVAL, mbox_stat(FAKE_FD, 1, (void *)buf,
				     MBOX_STAT_SIZE_VER1 - 1));
	EXPECT_EQ(0, fake.calls);
}

TEST(the_other_calls_use_this_headers_structs)
{
	struct mbox_batch_msg m = { 0 };
	char b[4];

	EXPECT_EQ(7, mbox_create(FAKE_FD, "n", 1, 1, 0, 0));
	EXPECT_EQ(sizeof(struct mbox_create), _IOC_SIZE(fake.cmd));
	EXPECT_EQ(MBOX_IOC_CREATE, fake.cmd);
	EXPECT_EQ(0, mbox_destroy(FAKE_FD, 7));
	EXPECT_EQ(MBOX_IOC_DESTROY, fake.cmd);
	EXPECT_EQ(0, mbox_lookup(FAKE_FD, "n"));
	EXPECT_EQ(MBOX_IOC_LOOKUP, fake.cmd);
	EXPECT_EQ(0, mbox_open_mailbox(FAKE_FD, 7, 0));
	EXPECT_EQ(MBOX_IOC_OPEN, fake.cmd);
	EXPECT_EQ(0, mbox_send(FAKE_FD, 7, "x", 1, 0));
	EXPECT_EQ(MBOX_IOC_SEND, fake.cmd);
	EXPECT_EQ(0, mbox_recv_timeout(FAKE_FD, 7, b, sizeof(b),
				       MBOX_TIMEOUT, 1));
	EXPECT_EQ(MBOX_IOC_RECV, fake.cmd);
	EXPECT_EQ(0, mbox_send_batch(FAKE_FD, 7, &m, 1, 0, 0, NULL));
	EXPECT_EQ(MBOX_IOC_SEND_BATCH, fake.cmd);
	EXPECT_EQ(0, mbox_recv_batch(FAKE_FD, 7, &m, 1, 0, 0, 0, NULL));
	EXPECT_EQ(MBOX_IOC_RECV_BATCH, fake.cmd);
}

TEST(mbox_sendrecv_gives_both_halves_one_deadline)
{
	unsigned int sent = 9, failed = 9;
	uint64_t before, after;
	char b[4];

	before = mbox_now_ns();
	EXPECT_EQ(0, mbox_sendrecv(FAKE_FD, 3, "x", 1, 9, 4, b, sizeof(b),
				   1000000, &sent, &failed));
	after = mbox_now_ns();
	EXPECT_EQ(MBOX_IOC_SENDRECV, fake.cmd);
	EXPECT_EQ(0U, sent);	/* what the module left in the struct */
	EXPECT_EQ(0U, failed);
	EXPECT_EQ(3U, fake.sr.send.id);
	EXPECT_EQ(1U, fake.sr.send.len);
	EXPECT_EQ(9U, fake.sr.send.type);
	EXPECT_EQ(4U, fake.sr.recv.id);
	EXPECT_EQ(sizeof(b), fake.sr.recv.len);
	EXPECT_EQ(0U, fake.sr.flags);
	EXPECT_EQ(MBOX_TIMEOUT_ABS, fake.sr.send.flags);
	EXPECT_EQ(MBOX_TIMEOUT_ABS, fake.sr.recv.flags);
	EXPECT_EQ(fake.sr.send.timeout_ns, fake.sr.recv.timeout_ns);
	EXPECT_LE(before + 1000000, fake.sr.send.timeout_ns);
	EXPECT_GE(after + 1000000, fake.sr.send.timeout_ns);

	/* No timeout: both halves wait without limit. */
	EXPECT_EQ(0, mbox_sendrecv(FAKE_FD, 3, "x", 1, 0, 4, b, sizeof(b), 0,
				   NULL, NULL));
	EXPECT_EQ(0U, fake.sr.send.flags);
	EXPECT_EQ(0U, fake.sr.recv.flags);
	EXPECT_EQ(0U, fake.sr.send.timeout_ns);
	EXPECT_EQ(0U, fake.sr.recv.timeout_ns);

	/* A timeout past the end of the clock is the farthest deadline. */
	EXPECT_EQ(0, mbox_sendrecv(FAKE_FD, 3, "x", 1, 0, 4, b, sizeof(b),
				   UINT64_MAX - 1, NULL, NULL));
	EXPECT_EQ(UINT64_MAX, fake.sr.send.timeout_ns);
	EXPECT_EQ(UINT64_MAX, fake.sr.recv.timeout_ns);
}

TEST(errno_set_by_a_failing_ioctl_does_not_leak_out)
{
	errno = 4321;
	EXPECT_EQ(-EBADF, mbox_destroy(FAKE_FD + 1, 7));
	EXPECT_EQ(4321, errno);
	fake.features = 0;
	EXPECT_EQ(-EINVAL, mbox_info(FAKE_FD, NULL, 8));
	EXPECT_EQ(4321, errno);
}

TEST_HARNESS_MAIN
