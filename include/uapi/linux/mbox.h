/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mbox: mailbox message passing through /dev/mbox.
 *
 * A mailbox is a bounded FIFO of messages, named by a positive integer id.
 * Every operation is an ioctl on an open file of /dev/mbox; mailboxes are
 * not tied to that file and live until MBOX_IOC_DESTROY or module unload.
 *
 * ABI versioning
 * ==============
 *
 * Every argument is a struct of fixed-size, naturally aligned fields whose
 * size is a multiple of 8 bytes, so 32-bit and 64-bit callers share one
 * layout.  Pointers travel as __u64.
 *
 * Structs only ever grow at their end.  The size of the caller's struct is
 * the size encoded in the ioctl number (_IOC_SIZE), so a program built
 * against an older or newer header keeps working:
 *
 * - a struct smaller than its version-1 size (MBOX_*_SIZE_VER1) gives
 *   EINVAL;
 * - input bytes beyond the fields this kernel knows must be zero, or the
 *   call gives E2BIG (as clone3() and openat2() do);
 * - output bytes beyond the fields this kernel knows are zeroed.
 *
 * Unknown bits in a flags field and non-zero reserved fields give EINVAL.
 * An unknown command, or a known one with the wrong direction bits, gives
 * ENOTTY.  Output structs are zeroed before they are filled, so no kernel
 * memory reaches userspace through padding.
 *
 * MBOX_IOC_INFO reports the ABI version and a mask of features added after
 * version 1; probe it before relying on a later addition.
 *
 * Errors common to every command
 * ------------------------------
 *
 * ENOTTY  unknown command.
 * EINVAL  argument struct smaller than its version-1 size, unknown flag bit,
 *         or non-zero reserved field.
 * E2BIG   argument struct larger than this kernel knows, with non-zero bytes
 *         in the part it does not know.
 * EFAULT  the argument struct is not readable (or, for output, writable).
 * ENOENT  (commands taking an id) no mailbox has that id.
 */
#ifndef _UAPI_LINUX_MBOX_H
#define _UAPI_LINUX_MBOX_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Version of the ABI described by this header. */
#define MBOX_ABI_VERSION	1

/*
 * 0xB8 is unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst
 * of Linux 6.1 and no header under include/uapi uses it, so mbox ioctls
 * cannot be mistaken for another driver's if sent to the wrong file.
 */
#define MBOX_IOC_MAGIC		0xB8

/* Flags of struct mbox_send and struct mbox_recv. */
#define MBOX_NONBLOCK		(1U << 0)	/* fail with EAGAIN, never block */

/* Flags of struct mbox_stat. */
#define MBOX_STAT_NEXT		(1U << 0)	/* stat the first id >= @id */

/**
 * struct mbox_info - module version, features and limits
 * @abi_version:	out: MBOX_ABI_VERSION of the running module.
 * @max_mailboxes:	out: most mailboxes that may exist at once.
 * @features:		out: MBOX_FEATURE_* bits for additions made after
 *			version 1.  Version 1 defines none, so it is 0.
 * @max_capacity:	out: largest capacity MBOX_IOC_CREATE accepts.
 * @max_msg_size:	out: largest maximum message size MBOX_IOC_CREATE
 *			accepts, in bytes.
 * @nr_mailboxes:	out: mailboxes that exist now.
 * @__reserved:		out: 0.
 */
struct mbox_info {
	__u32 abi_version;
	__u32 max_mailboxes;
	__u64 features;
	__u32 max_capacity;
	__u32 max_msg_size;
	__u32 nr_mailboxes;
	__u32 __reserved;
};

#define MBOX_INFO_SIZE_VER1	32

/**
 * struct mbox_create - arguments of MBOX_IOC_CREATE
 * @capacity:		in: messages the mailbox buffers, 1..max_capacity.
 * @max_msg_size:	in: largest message, in bytes, 0..max_msg_size of
 *			struct mbox_info.  0 makes a mailbox of pure signals.
 * @flags:		in: 0.
 */
struct mbox_create {
	__u32 capacity;
	__u32 max_msg_size;
	__u64 flags;
};

#define MBOX_CREATE_SIZE_VER1	16

/**
 * struct mbox_destroy - arguments of MBOX_IOC_DESTROY
 * @id:		in: mailbox to destroy.
 * @flags:	in: 0.
 */
struct mbox_destroy {
	__u32 id;
	__u32 flags;
};

#define MBOX_DESTROY_SIZE_VER1	8

/**
 * struct mbox_send - arguments of MBOX_IOC_SEND
 * @id:		in: mailbox to send to.
 * @flags:	in: 0 or MBOX_NONBLOCK.
 * @buf:	in: address of the message (may be 0 when @len is 0).
 * @len:	in: length of the message in bytes.
 */
struct mbox_send {
	__u32 id;
	__u32 flags;
	__u64 buf;
	__u64 len;
};

#define MBOX_SEND_SIZE_VER1	24

/**
 * struct mbox_recv - arguments of MBOX_IOC_RECV
 * @id:		in: mailbox to receive from.
 * @flags:	in: 0 or MBOX_NONBLOCK.
 * @buf:	in: address of the buffer (may be 0 when @len is 0).
 * @len:	in: size of the buffer in bytes.
 *		out: length of the message received, or on EMSGSIZE the
 *		length of the message that did not fit.
 */
struct mbox_recv {
	__u32 id;
	__u32 flags;
	__u64 buf;
	__u64 len;
};

#define MBOX_RECV_SIZE_VER1	24

/**
 * struct mbox_stat - arguments of MBOX_IOC_STAT
 * @id:			in: mailbox to report on.
 *			out: the mailbox reported on (see MBOX_STAT_NEXT).
 * @flags:		in: 0 or MBOX_STAT_NEXT.
 * @capacity:		out: capacity given at create.
 * @max_msg_size:	out: maximum message size given at create.
 * @msgs:		out: messages queued now.
 * @__reserved:		out: 0.
 * @bytes:		out: bytes of message data queued now.
 * @sent_msgs:		out: messages sent since create.
 * @sent_bytes:		out: bytes sent since create.
 * @recv_msgs:		out: messages received since create.
 * @recv_bytes:		out: bytes received since create.
 *
 * All figures are one consistent snapshot taken under the mailbox's lock.
 */
struct mbox_stat {
	__u32 id;
	__u32 flags;
	__u32 capacity;
	__u32 max_msg_size;
	__u32 msgs;
	__u32 __reserved;
	__u64 bytes;
	__u64 sent_msgs;
	__u64 sent_bytes;
	__u64 recv_msgs;
	__u64 recv_bytes;
};

#define MBOX_STAT_SIZE_VER1	64

/**
 * DOC: MBOX_IOC_INFO
 *
 * _IOR.  Fills struct mbox_info.  Never blocks.
 *
 * Errors: only the common ones.
 */
#define MBOX_IOC_INFO		_IOR(MBOX_IOC_MAGIC, 0x00, struct mbox_info)

/**
 * DOC: MBOX_IOC_CREATE
 *
 * _IOW.  Creates a mailbox with the capacity and maximum message size of
 * struct mbox_create.  Returns the new mailbox's id, a positive int.  Ids
 * are allocated cyclically, so a destroyed mailbox's id is not handed out
 * again until the id space wraps; a stale id gives ENOENT.
 *
 * Errors:
 * EINVAL  @flags is not 0, @capacity is 0 or above max_capacity, or
 *         @max_msg_size is above max_msg_size (see struct mbox_info).
 * ENOSPC  max_mailboxes mailboxes exist already, or no id is free.
 * ENOMEM  out of memory.
 */
#define MBOX_IOC_CREATE		_IOW(MBOX_IOC_MAGIC, 0x01, struct mbox_create)

/**
 * DOC: MBOX_IOC_DESTROY
 *
 * _IOW.  Destroys mailbox @id: frees every queued message, and wakes every
 * sender and receiver blocked on it, whose calls then fail with EIDRM.
 * Returns 0.
 *
 * Errors:
 * EINVAL  @flags is not 0.
 * ENOENT  no mailbox has id @id (or it was destroyed already).
 */
#define MBOX_IOC_DESTROY	_IOW(MBOX_IOC_MAGIC, 0x02, struct mbox_destroy)

/**
 * DOC: MBOX_IOC_SEND
 *
 * _IOW.  Copies @len bytes from @buf and appends them as one message.  If
 * the mailbox is full, waits until a receiver frees a slot, unless
 * MBOX_NONBLOCK is set.  Returns 0.  A failed send queues nothing.
 *
 * Errors:
 * EINVAL    @flags has a bit other than MBOX_NONBLOCK.
 * ENOENT    no mailbox has id @id.
 * EMSGSIZE  @len is above the mailbox's maximum message size.
 * EFAULT    @buf..@buf+@len is not readable.
 * ENOMEM    out of memory (the message is charged to the caller's memory
 *           cgroup).
 * EAGAIN    MBOX_NONBLOCK is set and the mailbox is full.
 * EINTR     a signal handler ran while the call waited.  The call is not
 *           restarted, whatever SA_RESTART says (as msgsnd(2)); nothing
 *           was queued.
 * EIDRM     the mailbox was destroyed while the call waited.
 */
#define MBOX_IOC_SEND		_IOW(MBOX_IOC_MAGIC, 0x03, struct mbox_send)

/**
 * DOC: MBOX_IOC_RECV
 *
 * _IOWR.  Removes the oldest message and copies it to @buf.  If the mailbox
 * is empty, waits until a message arrives, unless MBOX_NONBLOCK is set.
 * Returns the message's length, also stored in @len.  A failed receive
 * removes nothing: the message stays at the head of the mailbox.
 *
 * Errors:
 * EINVAL    @flags has a bit other than MBOX_NONBLOCK.
 * ENOENT    no mailbox has id @id.
 * EMSGSIZE  the oldest message is longer than @len; @len is set to its
 *           length and it stays queued.
 * EFAULT    @buf is not writable for the message's length; the message
 *           stays queued.
 * EAGAIN    MBOX_NONBLOCK is set and the mailbox is empty.
 * EINTR     a signal handler ran while the call waited (never restarted,
 *           as msgrcv(2)).
 * EIDRM     the mailbox was destroyed while the call waited.
 */
#define MBOX_IOC_RECV		_IOWR(MBOX_IOC_MAGIC, 0x04, struct mbox_recv)

/**
 * DOC: MBOX_IOC_STAT
 *
 * _IOWR.  Fills struct mbox_stat for mailbox @id.  With MBOX_STAT_NEXT it
 * reports the mailbox with the smallest id >= @id instead, and sets @id to
 * it: starting from 1 and continuing from @id + 1 lists every mailbox.
 * Never blocks.  Returns 0.
 *
 * Errors:
 * EINVAL  @flags has a bit other than MBOX_STAT_NEXT.
 * ENOENT  no mailbox has id @id (with MBOX_STAT_NEXT: none has an id
 *         >= @id).
 */
#define MBOX_IOC_STAT		_IOWR(MBOX_IOC_MAGIC, 0x05, struct mbox_stat)

#endif /* _UAPI_LINUX_MBOX_H */
