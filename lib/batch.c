// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libmbox: several messages in one call (MBOX_FEATURE_BATCH).
 * See mbox_batch(3).
 */
#include "internal.h"

/*
 * One batch ioctl: the count done (at least 1), or -errno when the first
 * message failed.  *@error, if @error is not NULL, gets 0 when all @count
 * were done, else -errno of the message that stopped the call.
 */
static int mbox__batch(int dev, unsigned long cmd, uint32_t id,
		       struct mbox_batch_msg *msgs, unsigned int count,
		       unsigned int flags, uint32_t type, uint64_t timeout_ns,
		       int *error)
{
	struct mbox_batch arg = {
		.id = id,
		.flags = flags,
		.msgs = mbox__ptr(msgs),
		.count = count,
		.type = type,
		.timeout_ns = timeout_ns,
	};
	int ret;

	ret = mbox__ioctl(dev, cmd, &arg);
	if (error)
		*error = ret < 0 ? ret : -(int)arg.error;
	return ret;
}

/* MBOX_IOC_SEND_BATCH: the messages sent (at least 1), or -errno. */
MBOX_EXPORT int mbox_send_batch(int dev, uint32_t id,
				struct mbox_batch_msg *msgs,
				unsigned int count, unsigned int flags,
				uint64_t timeout_ns, int *error)
{
	return mbox__batch(dev, MBOX_IOC_SEND_BATCH, id, msgs, count, flags,
			   0, timeout_ns, error);
}

/* MBOX_IOC_RECV_BATCH: the messages received (at least 1), or -errno. */
MBOX_EXPORT int mbox_recv_batch(int dev, uint32_t id,
				struct mbox_batch_msg *msgs,
				unsigned int count, unsigned int flags,
				uint32_t type, uint64_t timeout_ns, int *error)
{
	return mbox__batch(dev, MBOX_IOC_RECV_BATCH, id, msgs, count, flags,
			   type, timeout_ns, error);
}
