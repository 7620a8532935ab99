// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libmbox: send one message and receive one in one call
 * (MBOX_FEATURE_SENDRECV).  See mbox_sendrecv(3).
 *
 * As in msg.c, nothing here allocates: one struct on the stack, one ioctl.
 * MBOX_IOC_SENDRECV is only for /dev/mbox, so @dev is never a mailbox file.
 */
#include "internal.h"

/*
 * Send @send_len bytes of @send_buf, of type @type, to mailbox @send_id,
 * then receive into @recv_buf of @recv_len bytes from @recv_id: the bytes
 * received, or -errno.  Both halves wait without limit when @timeout_ns is
 * 0, else until one deadline @timeout_ns from now, so that the whole call
 * waits at most that long.  *@sent and *@failed, where not NULL, get the
 * struct's @sent and @failed: whether the message went, and which half's
 * error the call returns.
 */
MBOX_EXPORT ssize_t mbox_sendrecv(int dev, uint32_t send_id,
				  const void *send_buf, size_t send_len,
				  uint32_t type, uint32_t recv_id,
				  void *recv_buf, size_t recv_len,
				  uint64_t timeout_ns, unsigned int *sent,
				  unsigned int *failed)
{
	struct mbox_sendrecv arg = {
		.send = {
			.id = send_id,
			.buf = mbox__ptr(send_buf),
			.len = send_len,
			.type = type,
		},
		.recv = {
			.id = recv_id,
			.buf = mbox__ptr(recv_buf),
			.len = recv_len,
		},
	};
	ssize_t ret;

	if (timeout_ns) {
		uint64_t now = mbox_now_ns();
		/* No wait reaches UINT64_MAX: a far timeout stays far. */
		uint64_t deadline = timeout_ns > UINT64_MAX - now ?
				    UINT64_MAX : now + timeout_ns;

		arg.send.flags = MBOX_TIMEOUT_ABS;
		arg.send.timeout_ns = deadline;
		arg.recv.flags = MBOX_TIMEOUT_ABS;
		arg.recv.timeout_ns = deadline;
	}
	ret = mbox__ioctl(dev, MBOX_IOC_SENDRECV, &arg);
	if (sent)
		*sent = arg.sent;
	if (failed)
		*failed = arg.failed;
	return ret;
}

/*
 * MBOX_IOC_SENDRECV with the caller's @size-byte struct, for every field of
 * both halves: the bytes received, or -errno; @args->sent and
 * @args->failed say what happened.
 */
MBOX_EXPORT ssize_t mbox_sendrecv_args(int dev, struct mbox_sendrecv *args,
				       size_t size)
{
	return mbox__ioctl_sized(dev, MBOX_IOC_SENDRECV, args, size);
}
