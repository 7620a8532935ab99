// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libmbox: sending and receiving one message.  See mbox_send(3).
 *
 * Nothing here allocates: each call fills one struct on the stack and makes
 * one ioctl.  @dev may be /dev/mbox or, with MBOX_FEATURE_FD_IOCTL, a
 * mailbox file from mbox_open_mailbox() (then @id is 0 or its mailbox's).
 */
#include "internal.h"

#define MBOX_TIMED	(MBOX_TIMEOUT | MBOX_TIMEOUT_ABS)

/* -EINVAL unless @flags has exactly one of MBOX_TIMEOUT and _ABS. */
static int mbox__check_timed(unsigned int flags)
{
	unsigned int timed = flags & MBOX_TIMED;

	return timed == MBOX_TIMEOUT || timed == MBOX_TIMEOUT_ABS ? 0 : -EINVAL;
}

/* The timeout of the _timespec calls: none if NULL, else in nanoseconds. */
static int mbox__timespec(unsigned int flags, const struct timespec *timeout,
			  uint64_t *ns)
{
	*ns = 0;
	if (!timeout)
		return flags & MBOX_TIMED ? -EINVAL : 0;
	if (mbox__check_timed(flags))
		return -EINVAL;
	return mbox_timespec_to_ns(timeout, ns);
}

static int mbox__send(int dev, uint32_t id, const void *buf, size_t len,
		      unsigned int flags, uint64_t timeout_ns)
{
	struct mbox_send arg = {
		.id = id,
		.flags = flags,
		.buf = mbox__ptr(buf),
		.len = len,
		.timeout_ns = timeout_ns,
	};

	return mbox__ioctl(dev, MBOX_IOC_SEND, &arg);
}

static ssize_t mbox__recv(int dev, uint32_t id, void *buf, size_t len,
			  unsigned int flags, uint64_t timeout_ns)
{
	struct mbox_recv arg = {
		.id = id,
		.flags = flags,
		.buf = mbox__ptr(buf),
		.len = len,
		.timeout_ns = timeout_ns,
	};

	return mbox__ioctl(dev, MBOX_IOC_RECV, &arg);
}

/* Send @len bytes of @buf, type 0; wait as @flags say, without limit. */
MBOX_EXPORT int mbox_send(int dev, uint32_t id, const void *buf, size_t len,
			  unsigned int flags)
{
	return mbox__send(dev, id, buf, len, flags, 0);
}

/* mbox_send() waiting at most @timeout_ns (MBOX_TIMEOUT) or until it. */
MBOX_EXPORT int mbox_send_timeout(int dev, uint32_t id, const void *buf,
				  size_t len, unsigned int flags,
				  uint64_t timeout_ns)
{
	if (mbox__check_timed(flags))
		return -EINVAL;
	return mbox__send(dev, id, buf, len, flags, timeout_ns);
}

/* mbox_send_timeout() with a struct timespec; NULL: no limit. */
MBOX_EXPORT int mbox_send_timespec(int dev, uint32_t id, const void *buf,
				   size_t len, unsigned int flags,
				   const struct timespec *timeout)
{
	uint64_t ns;
	int ret;

	ret = mbox__timespec(flags, timeout, &ns);
	if (ret < 0)
		return ret;
	return mbox__send(dev, id, buf, len, flags, ns);
}

/* MBOX_IOC_SEND with the caller's @size-byte struct: 0 or -errno. */
MBOX_EXPORT int mbox_send_args(int dev, struct mbox_send *args, size_t size)
{
	return mbox__ioctl_sized(dev, MBOX_IOC_SEND, args, size);
}

/* Receive into @buf of @len bytes: the bytes stored, or -errno. */
MBOX_EXPORT ssize_t mbox_recv(int dev, uint32_t id, void *buf, size_t len,
			      unsigned int flags)
{
	return mbox__recv(dev, id, buf, len, flags, 0);
}

/* mbox_recv() waiting at most @timeout_ns (MBOX_TIMEOUT) or until it. */
MBOX_EXPORT ssize_t mbox_recv_timeout(int dev, uint32_t id, void *buf,
				      size_t len, unsigned int flags,
				      uint64_t timeout_ns)
{
	if (mbox__check_timed(flags))
		return -EINVAL;
	return mbox__recv(dev, id, buf, len, flags, timeout_ns);
}

/* mbox_recv_timeout() with a struct timespec; NULL: no limit. */
MBOX_EXPORT ssize_t mbox_recv_timespec(int dev, uint32_t id, void *buf,
				       size_t len, unsigned int flags,
				       const struct timespec *timeout)
{
	uint64_t ns;
	int ret;

	ret = mbox__timespec(flags, timeout, &ns);
	if (ret < 0)
		return ret;
	return mbox__recv(dev, id, buf, len, flags, ns);
}

/*
 * MBOX_IOC_RECV with the caller's @size-byte struct, for the type
 * selection and the message's details: the bytes stored, or -errno.
 */
MBOX_EXPORT ssize_t mbox_recv_args(int dev, struct mbox_recv *args,
				   size_t size)
{
	return mbox__ioctl_sized(dev, MBOX_IOC_RECV, args, size);
}
