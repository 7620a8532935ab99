/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mbox: mailbox message passing through /dev/mbox.
 *
 * A mailbox is a bounded FIFO of messages, named by a positive integer id.
 * Every operation is an ioctl on an open file of /dev/mbox; mailboxes are
 * not tied to that file and live until MBOX_IOC_DESTROY, the death of
 * their IPC namespace, or module unload.
 *
 * Security model (MBOX_FEATURE_PERMS, _NS, _LIMITS)
 * =================================================
 *
 * A mailbox has an owner and a group, its creator's (effective ids, also
 * kept as the creator's), and a mode, 0600 by default.  As SysV IPC's
 * ipcperms(): the owner class applies to the owner and the creator, the
 * group class to members of their groups, the other class to the rest;
 * send needs write permission, receive, peek and stat read permission
 * (EACCES otherwise); CAP_IPC_OWNER in the user namespace owning the
 * mailbox's IPC namespace bypasses the mode; destroy and MBOX_IOC_SET need
 * the owner, the creator or CAP_SYS_ADMIN there (EPERM otherwise).  Looking
 * a name up needs no permission: ids are not secrets.
 *
 * A mailbox belongs to its creator's IPC namespace: from any other, its id
 * gives ENOENT and MBOX_STAT_NEXT skips it.  Once no process is in that
 * namespace and none can enter it, the mailbox is destroyed with it.
 *
 * Module parameters limit mailboxes per user (EDQUOT), per namespace
 * (ENOSPC) and for all namespaces but the initial one together (ENOSPC),
 * and the bytes charged for messages likewise (EDQUOT, ENOBUFS, ENOBUFS);
 * a send never waits for bytes.  A mailbox is charged to its creator (the
 * creator's effective uid at create, whoever owns it later) and to its
 * IPC namespace.  With MBOX_FEATURE_NS_SHARES, each message sent from
 * userspace is charged, from its send until it is freed, to the creator
 * of the mailbox it is sent to (max_bytes_per_user, EDQUOT; lifted if the
 * creator had CAP_SYS_RESOURCE at create), to that mailbox's namespace
 * (max_bytes_per_ns, ENOBUFS) and, unless that is the initial namespace,
 * to the pool the other namespaces share (max_bytes, ENOBUFS), checked in
 * that order; without it, to its sender and the pool.  A message counts
 * its length plus MBOX_MSG_OVERHEAD bytes for its header
 * (MBOX_FEATURE_MSG_CHARGE): an empty message is charged
 * MBOX_MSG_OVERHEAD bytes.  Messages the kernel sends are charged to
 * nobody.
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
 * ENOTTY.
 *
 * Output structs are zeroed before they are filled, so no kernel memory
 * reaches userspace through padding.  A call that succeeds writes an _IOR
 * or _IOWR struct back whole: its out fields with their results, its in
 * fields as they were given, its reserved fields as 0.  A call that fails
 * writes its struct only where its command says so (MBOX_IOC_RECV on
 * EMSGSIZE, the batch calls, MBOX_IOC_SENDRECV's @sent and @failed); one
 * that fails with EFAULT may have written part of its struct and of the
 * buffers it was given.
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
 * ENOENT  (commands taking an id) no mailbox has that id in the caller's
 *         IPC namespace.
 *
 * Which error is reported
 * -----------------------
 *
 * A call with several faults fails with the error of the first of these
 * stages that finds one:
 *
 * 1. the command: ENOTTY;
 * 2. the size of the argument struct: EINVAL;
 * 3. reading the struct: E2BIG or EFAULT;
 * 4. the struct's own fields, checked before any mailbox is looked at:
 *    EINVAL (flags, reserved fields, timeouts, and the fields each
 *    command's EINVAL lists but those that depend on the mailbox);
 * 5. the name of MBOX_IOC_CREATE and MBOX_IOC_LOOKUP: EFAULT,
 *    ENAMETOOLONG or EINVAL; then, for MBOX_IOC_CREATE, EPERM for a name
 *    that begins with MBOX_KERNEL_NAME_PREFIX;
 * 6. the mailbox: ENOENT; on a file from MBOX_IOC_OPEN, EINVAL for an
 *    @id that is not its mailbox's, then EBADF for a right it lacks;
 * 7. the caller's rights: EACCES, or EPERM for MBOX_IOC_DESTROY and
 *    MBOX_IOC_SET;
 * 8. the rest, in this order:
 *    MBOX_IOC_CREATE: EEXIST (or the id of the mailbox that has the name),
 *    then EDQUOT, ENOSPC or ENOMEM;
 *    MBOX_IOC_SEND: EMSGSIZE, then EDQUOT, ENOBUFS, ENOMEM or EFAULT
 *    (copying the message in), then EIDRM, EAGAIN or ETIMEDOUT, then
 *    the outcome of the wait (ETIMEDOUT, EINTR, EIDRM);
 *    MBOX_IOC_RECV: EIDRM, then EMSGSIZE, EAGAIN or ETIMEDOUT, or the
 *    outcome of the wait, then EFAULT (copying the message out);
 *    MBOX_IOC_SET: EINVAL for a capacity that would turn a rendezvous into
 *    a buffered mailbox or back, then EPERM for a limit above the module's;
 *    MBOX_IOC_OPEN: EMFILE, ENFILE or ENOMEM;
 *    the batch calls: the errors of their messages, in array order;
 *    and last, for every command that writes its struct, EFAULT if it
 *    cannot be written.
 * MBOX_IOC_SENDRECV has an order of its own, given under it: it checks
 * that its struct can be written right after reading it, and each of its
 * two mailboxes for ENOENT then EACCES before the next.
 *
 * Within one stage no order is promised: a struct with two invalid fields
 * gives EINVAL either way.  So E2BIG wins over an invalid flag, an invalid
 * flag over ENOENT, ENOENT over every error of the message, and EACCES over
 * EMSGSIZE.  Only the call's result tells which fault it found: a program
 * fixes one and retries.
 *
 * Failed calls
 * ------------
 *
 * A failed call changes nothing, with three exceptions:
 *
 * - a send that fails after it began to wait: see "Side effects of a
 *   failed send" under MBOX_IOC_SEND;
 * - a receive (not a peek) that fails with EFAULT after it took its
 *   message (from the queue or a waiting sender, or handed to it by a send
 *   while it waited): the message goes back, offered first to the blocked
 *   receivers as a send offers it, else to its place in the queue, and
 *   recv_msgs and recv_bytes are restored; but last_recv_pid and
 *   last_recv_ns keep the failed receiver and the time it took the
 *   message, and a blocked sender may have been moved into the slot the
 *   message freed, so that the mailbox then holds more messages than its
 *   capacity until receives drain it (with capacity 0, the sender whose
 *   message was taken has completed successfully and the message stays
 *   queued).  The same holds for each message a batch receive gives back.
 * - a send straight into a receive ring whose buffer, faulted in before its
 *   record was reserved, was unmapped before the copy (another thread's
 *   munmap() racing the send) and then fails with EFAULT: it leaves a
 *   MBOX_RING_DISCARD record whose seq is never reused, and last_send_pid,
 *   last_send_ns, last_recv_pid and last_recv_ns keep the values it set
 *   (the counts are restored).  A send from a bad pointer fails before any
 *   record and changes nothing.
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
#define MBOX_TIMEOUT		(1U << 1)	/* wait at most @timeout_ns */
#define MBOX_TIMEOUT_ABS	(1U << 2)	/* wait until CLOCK_MONOTONIC
						 * reaches @timeout_ns
						 */

/* Flags of struct mbox_recv only. */
#define MBOX_RECV_TYPE		(1U << 8)	/* first message of type @type */
#define MBOX_RECV_EXCEPT	(1U << 9)	/* first message not of @type */
#define MBOX_RECV_PEEK		(1U << 10)	/* copy, do not remove */
#define MBOX_RECV_TRUNC		(1U << 11)	/* cut a long message to @len */

/* Flags of struct mbox_create. */
#define MBOX_CREATE_AUTODESTROY	(1ULL << 0)	/* destroy on close of the
						 * creating file
						 */
#define MBOX_CREATE_EXCL	(1ULL << 1)	/* fail if @name exists */
#define MBOX_CREATE_MODE	(1ULL << 2)	/* use @mode, not 0600 */

/* Flags of struct mbox_set: which fields to apply. */
#define MBOX_SET_OWNER		(1U << 0)	/* @uid and @gid */
#define MBOX_SET_MODE		(1U << 1)	/* @mode */
#define MBOX_SET_CAPACITY	(1U << 2)	/* @capacity */
#define MBOX_SET_MSG_SIZE	(1U << 3)	/* @max_msg_size */

/*
 * Size of a name buffer: a name has 1 to MBOX_NAME_MAX - 1 bytes, each a
 * printable ASCII character (0x20 to 0x7e) other than '/', then a NUL.
 */
#define MBOX_NAME_MAX		64

/*
 * Names that begin with this prefix belong to the kernel API
 * (MBOX_FEATURE_KERNEL_NAMES): only a kernel module's mbox_kcreate() gives
 * them, in the initial IPC namespace, and MBOX_IOC_CREATE refuses them
 * with EPERM, so a mailbox found by such a name was made by the kernel.
 */
#define MBOX_KERNEL_NAME_PREFIX	"kernel."

/* Flags of struct mbox_open. */
#define MBOX_FD_CLOEXEC		(1U << 0)	/* the new fd is close-on-exec */
#define MBOX_FD_NONBLOCK	(1U << 1)	/* the new fd is O_NONBLOCK */

/* Flags of struct mbox_stat. */
#define MBOX_STAT_NEXT		(1U << 0)	/* stat the first id >= @id */

/*
 * Bits of struct mbox_info.features: what this module adds to version 1.
 * A program that needs one of these checks its bit first: a module without
 * it rejects the flag or the larger struct with EINVAL or E2BIG.
 */
#define MBOX_FEATURE_RENDEZVOUS	(1ULL << 0)	/* capacity 0 */
#define MBOX_FEATURE_FIFO_WAITERS (1ULL << 1)	/* waiters served in order */
#define MBOX_FEATURE_TIMEOUT	(1ULL << 2)	/* MBOX_TIMEOUT, _ABS */
#define MBOX_FEATURE_TYPES	(1ULL << 3)	/* @type, MBOX_RECV_TYPE, _EXCEPT */
#define MBOX_FEATURE_PEEK	(1ULL << 4)	/* MBOX_RECV_PEEK */
#define MBOX_FEATURE_TRUNC	(1ULL << 5)	/* MBOX_RECV_TRUNC */
#define MBOX_FEATURE_MSG_INFO	(1ULL << 6)	/* pid, uid, seq, send_ns */
#define MBOX_FEATURE_AUTODESTROY (1ULL << 7)	/* MBOX_CREATE_AUTODESTROY */
#define MBOX_FEATURE_FD		(1ULL << 8)	/* MBOX_IOC_OPEN */
#define MBOX_FEATURE_STAT_EXT	(1ULL << 9)	/* waiters, pids, times */
#define MBOX_FEATURE_NAMES	(1ULL << 10)	/* @name, MBOX_IOC_LOOKUP */
#define MBOX_FEATURE_PERMS	(1ULL << 11)	/* owner, mode, MBOX_IOC_SET */
#define MBOX_FEATURE_LIMITS	(1ULL << 12)	/* quotas, byte pool */
#define MBOX_FEATURE_NS		(1ULL << 13)	/* mailboxes per IPC namespace */
#define MBOX_FEATURE_BATCH	(1ULL << 14)	/* MBOX_IOC_SEND_BATCH, _RECV_BATCH */
#define MBOX_FEATURE_FD_IOCTL	(1ULL << 15)	/* data ioctls on MBOX_IOC_OPEN fds */
#define MBOX_FEATURE_MSG_CHARGE	(1ULL << 16)	/* MBOX_MSG_OVERHEAD charged */
#define MBOX_FEATURE_NS_SHARES	(1ULL << 17)	/* creator charged, namespace
						 * shares, INFO per namespace
						 */
#define MBOX_FEATURE_KERNEL_NAMES (1ULL << 18)	/* MBOX_KERNEL_NAME_PREFIX */
#define MBOX_FEATURE_SENDRECV	(1ULL << 19)	/* MBOX_IOC_SENDRECV */
#define MBOX_FEATURE_RING	(1ULL << 20)	/* MBOX_IOC_RING_SETUP, mmap */

/*
 * Bytes charged for each message on top of its length, for its header
 * (MBOX_FEATURE_MSG_CHARGE): a message of len bytes counts len +
 * MBOX_MSG_OVERHEAD against max_bytes, max_bytes_per_ns and
 * max_bytes_per_user, in pool_bytes, shared_bytes and user_bytes of
 * struct mbox_info.  Without that feature
 * bit, only len is charged.
 */
#define MBOX_MSG_OVERHEAD	128

/**
 * struct mbox_info - module version, features and limits
 *
 * With MBOX_FEATURE_NS_SHARES, every figure of use (@nr_mailboxes,
 * @total_msgs, @total_bytes, @pool_bytes, @ns_mailboxes) is that of the
 * caller's IPC namespace alone, read from counters: nothing about another
 * namespace's mailboxes shows.  What all namespaces but the initial one
 * share (@shared_bytes, @shared_mailboxes) is shown only to a caller in
 * the initial namespace, 0 elsewhere.  Without that feature, those figures
 * were global.
 *
 * @abi_version:	out: MBOX_ABI_VERSION of the running module.
 * @max_mailboxes:	out: most mailboxes all IPC namespaces but the
 *			initial one may have together (before
 *			MBOX_FEATURE_NS_SHARES: all namespaces).
 * @features:		out: MBOX_FEATURE_* bits for additions made after
 *			version 1 that this module has.
 * @max_capacity:	out: largest capacity MBOX_IOC_CREATE accepts.
 * @max_msg_size:	out: largest maximum message size MBOX_IOC_CREATE
 *			accepts, in bytes.
 * @nr_mailboxes:	out: mailboxes of the caller's IPC namespace now.
 * @__reserved:		out: 0.
 * @total_msgs:		out: messages queued in the mailboxes of the
 *			caller's IPC namespace now (not those of waiting
 *			senders).
 * @total_bytes:	out: bytes of message data queued there now
 *			(lengths only, no MBOX_MSG_OVERHEAD).
 * @max_mailboxes_per_ns: out: most mailboxes one IPC namespace may have.
 * @max_mailboxes_per_user: out: most mailboxes one user (effective uid)
 *			may have created and not destroyed.
 * @max_bytes:		out: size of the pool of charged bytes that the
 *			mailboxes of all IPC namespaces but the initial one
 *			share (queued messages and those of waiting senders);
 *			each message is charged its length plus
 *			MBOX_MSG_OVERHEAD.
 * @max_bytes_per_user:	out: most charged bytes the messages sent to the
 *			mailboxes one user created may hold.
 * @pool_bytes:		out: charged bytes held now by the messages sent to
 *			the mailboxes of the caller's IPC namespace, those
 *			counted against max_bytes_per_ns (before
 *			MBOX_FEATURE_NS_SHARES: the whole pool's).
 * @user_bytes:		out: charged bytes held now by the messages sent to
 *			the mailboxes the caller's effective uid created,
 *			in any namespace (before MBOX_FEATURE_NS_SHARES:
 *			those it sent).
 * @user_mailboxes:	out: mailboxes charged to the caller's effective uid.
 * @ns_mailboxes:	out: mailboxes of the caller's IPC namespace
 *			(@nr_mailboxes).
 * @max_bytes_per_ns:	out: most charged bytes the messages sent to one IPC
 *			namespace's mailboxes may hold.
 * @shared_bytes:	out: in the initial IPC namespace, the charged bytes
 *			of the pool in use now (max_bytes); elsewhere 0.
 * @shared_mailboxes:	out: in the initial IPC namespace, the mailboxes
 *			max_mailboxes counts now; elsewhere 0.
 * @__reserved2:	out: 0.
 */
struct mbox_info {
	__u32 abi_version;
	__u32 max_mailboxes;
	__u64 features;
	__u32 max_capacity;
	__u32 max_msg_size;
	__u32 nr_mailboxes;
	__u32 __reserved;
	/* since MBOX_FEATURE_STAT_EXT */
	__u64 total_msgs;
	__u64 total_bytes;
	/* since MBOX_FEATURE_LIMITS */
	__u32 max_mailboxes_per_ns;
	__u32 max_mailboxes_per_user;
	__u64 max_bytes;
	__u64 max_bytes_per_user;
	__u64 pool_bytes;
	__u64 user_bytes;
	__u32 user_mailboxes;
	__u32 ns_mailboxes;
	/* since MBOX_FEATURE_NS_SHARES */
	__u64 max_bytes_per_ns;
	__u64 shared_bytes;
	__u32 shared_mailboxes;
	__u32 __reserved2;
};

#define MBOX_INFO_SIZE_VER1	32
#define MBOX_INFO_SIZE_VER2	48
#define MBOX_INFO_SIZE_VER3	96
#define MBOX_INFO_SIZE_VER4	120

/**
 * struct mbox_create - arguments of MBOX_IOC_CREATE
 * @capacity:		in: messages the mailbox buffers, 0..max_capacity.
 *			0 (MBOX_FEATURE_RENDEZVOUS) buffers nothing: a send
 *			waits until a receiver takes its message.
 * @max_msg_size:	in: largest message, in bytes, 0..max_msg_size of
 *			struct mbox_info.  0 makes a mailbox of pure signals.
 * @flags:		in: 0 or MBOX_CREATE_AUTODESTROY: the mailbox is
 *			destroyed when the file it was created through is
 *			closed for the last time (for instance when its
 *			process exits, even by SIGKILL); MBOX_CREATE_EXCL:
 *			fail with EEXIST if @name is taken.
 * @name:		in: address of a NUL-terminated name
 *			(MBOX_FEATURE_NAMES), unique in the caller's IPC
 *			namespace, or 0 for none.  If the name is taken and
 *			MBOX_CREATE_EXCL is not set, nothing is created and
 *			the id of the mailbox that has it is returned, as
 *			msgget() does without IPC_EXCL.
 * @mode:		in: with MBOX_CREATE_MODE (MBOX_FEATURE_PERMS), the
 *			permission bits, 0..0777, used as given (no umask);
 *			without it, 0.  The mode is then 0600.
 * @__reserved:		in: 0.
 */
struct mbox_create {
	__u32 capacity;
	__u32 max_msg_size;
	__u64 flags;
	/* since MBOX_FEATURE_NAMES */
	__u64 name;
	/* since MBOX_FEATURE_PERMS */
	__u32 mode;
	__u32 __reserved;
};

#define MBOX_CREATE_SIZE_VER1	16
#define MBOX_CREATE_SIZE_VER2	24
#define MBOX_CREATE_SIZE_VER3	32

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
 * @flags:	in: 0, or one of MBOX_NONBLOCK, MBOX_TIMEOUT and
 *		MBOX_TIMEOUT_ABS.
 * @buf:	in: address of the message (may be 0 when @len is 0).
 * @len:	in: length of the message in bytes.
 * @timeout_ns:	in: with MBOX_TIMEOUT, the longest wait in nanoseconds
 *		(0: try once); with MBOX_TIMEOUT_ABS, the CLOCK_MONOTONIC
 *		time at which to give up; otherwise 0.
 * @type:	in: the message's type, any value; receivers may select
 *		by it.
 * @__reserved:	in: 0.
 */
struct mbox_send {
	__u32 id;
	__u32 flags;
	__u64 buf;
	__u64 len;
	/* since MBOX_FEATURE_TIMEOUT and MBOX_FEATURE_TYPES */
	__u64 timeout_ns;
	__u32 type;
	__u32 __reserved;
};

#define MBOX_SEND_SIZE_VER1	24
#define MBOX_SEND_SIZE_VER2	40

/**
 * struct mbox_recv - arguments of MBOX_IOC_RECV
 * @id:		in: mailbox to receive from.
 * @flags:	in: at most one of MBOX_NONBLOCK, MBOX_TIMEOUT and
 *		MBOX_TIMEOUT_ABS, with any of MBOX_RECV_PEEK,
 *		MBOX_RECV_TRUNC and one of MBOX_RECV_TYPE and
 *		MBOX_RECV_EXCEPT.
 * @buf:	in: address of the buffer (may be 0 when @len is 0).
 * @len:	in: size of the buffer in bytes.
 *		out: bytes stored in the buffer (less than the message's
 *		length only with MBOX_RECV_TRUNC), or on EMSGSIZE the
 *		length of the message that did not fit.
 * @timeout_ns:	in: as in struct mbox_send.
 * @type:	in: the type MBOX_RECV_TYPE or MBOX_RECV_EXCEPT select by
 *		(ignored without them).  out: the message's type.
 * @pid:	out: the sender's thread-group id in the receiver's pid
 *		namespace; 0 if it is not visible there.
 * @msg_len:	out: the message's whole length.
 * @seq:	out: the message's sequence number in its mailbox: 1 for
 *		the first message the mailbox accepted (queued or handed
 *		to a receiver), then one more per message, with no gaps.
 *		0 when peeking at a message whose sender still waits.
 * @send_ns:	out: CLOCK_MONOTONIC time of the send, in nanoseconds.
 * @uid:	out: the sender's effective uid in the receiver's user
 *		namespace (the overflow uid if it has no mapping there).
 * @__reserved:	in: 0.  out: 0.
 */
struct mbox_recv {
	__u32 id;
	__u32 flags;
	__u64 buf;
	__u64 len;
	/* since MBOX_FEATURE_TIMEOUT, _TYPES and _MSG_INFO */
	__u64 timeout_ns;
	__u32 type;
	__s32 pid;
	__u64 msg_len;
	__u64 seq;
	__u64 send_ns;
	__u32 uid;
	__u32 __reserved;
};

#define MBOX_RECV_SIZE_VER1	24
#define MBOX_RECV_SIZE_VER2	72

/**
 * struct mbox_stat - arguments of MBOX_IOC_STAT
 * @id:			in: mailbox to report on.
 *			out: the mailbox reported on (see MBOX_STAT_NEXT).
 * @flags:		in: 0 or MBOX_STAT_NEXT.
 * @capacity:		out: capacity given at create.
 * @max_msg_size:	out: maximum message size given at create.
 * @msgs:		out: messages queued now.
 * @__reserved:		out: 0.
 * @bytes:		out: bytes of message data queued now (lengths only,
 *			without MBOX_MSG_OVERHEAD).
 * @sent_msgs:		out: messages sent since create.
 * @sent_bytes:		out: bytes of data sent since create.
 * @recv_msgs:		out: messages received since create.
 * @recv_bytes:		out: bytes of data received since create.
 * @blocked_senders:	out: senders waiting now.  A waiter completed on
 *			its behalf (a blocked sender whose message a receive
 *			or a capacity raise moves into the mailbox, a blocked
 *			receiver a send hands a message to) stops counting at
 *			that moment, before it has run.
 * @blocked_receivers:	out: receivers waiting now (peekers included),
 *			likewise.
 * @last_send_pid:	out: the last sender, as @pid of struct mbox_recv;
 *			0 if none.
 * @last_recv_pid:	out: the last receiver, likewise.  A peek does not
 *			count; a receive that failed with EFAULT after it
 *			took its message does (see "Failed calls").
 * @last_send_ns:	out: CLOCK_MONOTONIC time of the last send; 0 if
 *			none.
 * @last_recv_ns:	out: CLOCK_MONOTONIC time of the last receive; 0
 *			if none.  Peeks and failures as for @last_recv_pid.
 * @create_ns:		out: CLOCK_MONOTONIC time of the create.
 * @create_flags:	out: the flags given at create.
 * @name:		out: the mailbox's name, NUL-terminated; empty if it
 *			has none, or if the caller is in another IPC
 *			namespace than the one the name belongs to.
 * @uid:		out: the owner's uid, in the caller's user namespace
 *			(the overflow uid if it has no mapping there).
 * @gid:		out: the owner's gid, likewise.
 * @cuid:		out: the creator's effective uid, likewise.
 * @cgid:		out: the creator's effective gid, likewise.
 * @mode:		out: the permission bits, 0..0777.
 * @__reserved2:	out: 0.
 *
 * All figures are one consistent snapshot taken under the mailbox's lock.
 * @capacity and @max_msg_size are the current ones (see MBOX_IOC_SET).
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
	/* since MBOX_FEATURE_STAT_EXT */
	__u32 blocked_senders;
	__u32 blocked_receivers;
	__s32 last_send_pid;
	__s32 last_recv_pid;
	__u64 last_send_ns;
	__u64 last_recv_ns;
	__u64 create_ns;
	__u64 create_flags;
	/* since MBOX_FEATURE_NAMES */
	char name[MBOX_NAME_MAX];
	/* since MBOX_FEATURE_PERMS */
	__u32 uid;
	__u32 gid;
	__u32 cuid;
	__u32 cgid;
	__u32 mode;
	__u32 __reserved2;
};

#define MBOX_STAT_SIZE_VER1	64
#define MBOX_STAT_SIZE_VER2	112
#define MBOX_STAT_SIZE_VER3	176
#define MBOX_STAT_SIZE_VER4	200

/**
 * struct mbox_open - arguments of MBOX_IOC_OPEN
 * @id:		in: mailbox to open.
 * @flags:	in: 0, MBOX_FD_CLOEXEC, MBOX_FD_NONBLOCK.
 */
struct mbox_open {
	__u32 id;
	__u32 flags;
};

#define MBOX_OPEN_SIZE_VER1	8

/**
 * struct mbox_lookup - arguments of MBOX_IOC_LOOKUP
 * @name:	in: address of the NUL-terminated name to look up.
 * @id:		out: the id of the mailbox that has it.
 * @flags:	in: 0.
 */
struct mbox_lookup {
	__u64 name;
	__u32 id;
	__u32 flags;
};

#define MBOX_LOOKUP_SIZE_VER1	16

/* Most messages one MBOX_IOC_SEND_BATCH or MBOX_IOC_RECV_BATCH moves. */
#define MBOX_BATCH_MAX		1024

/**
 * struct mbox_batch_msg - one message of a batch (MBOX_FEATURE_BATCH)
 * @buf:	in: address of the message (send) or of the buffer (receive);
 *		may be 0 when @len is 0.
 * @len:	in: length of the message (send) or size of the buffer
 *		(receive).  out (receive): bytes stored, or on EMSGSIZE the
 *		length of the message that did not fit.
 * @type:	in (send): the message's type.  out (receive): its type.
 * @__reserved:	in: 0.  out (receive): 0.
 * @msg_len:	in: 0.  out (receive): the message's whole length.
 * @seq:	in: 0.  out (receive): its sequence number, as @seq of
 *		struct mbox_recv.
 *
 * An array of these is not versioned by size: its element is always
 * MBOX_BATCH_MSG_SIZE bytes.
 */
struct mbox_batch_msg {
	__u64 buf;
	__u64 len;
	__u32 type;
	__u32 __reserved;
	__u64 msg_len;
	__u64 seq;
};

#define MBOX_BATCH_MSG_SIZE	40

/**
 * struct mbox_batch - arguments of MBOX_IOC_SEND_BATCH and _RECV_BATCH
 * @id:		in: the mailbox.
 * @flags:	in: as @flags of struct mbox_send (send) or struct mbox_recv
 *		(receive) but MBOX_RECV_PEEK; the waiting flags apply to the
 *		first message only.
 * @msgs:	in: address of an array of @count struct mbox_batch_msg.
 * @count:	in: messages to send, or most to receive: 1..MBOX_BATCH_MAX.
 * @type:	in (receive): the type MBOX_RECV_TYPE or MBOX_RECV_EXCEPT
 *		select by; (send) 0.
 * @timeout_ns:	in: as in struct mbox_send, for the first message.
 * @done:	out: messages sent or received: the call's return value.
 * @error:	out: 0 if all @count were done; otherwise the positive errno
 *		that stopped the call at message @done (EAGAIN: it would
 *		have had to wait).
 */
struct mbox_batch {
	__u32 id;
	__u32 flags;
	__u64 msgs;
	__u32 count;
	__u32 type;
	__u64 timeout_ns;
	__u32 done;
	__u32 error;
};

#define MBOX_BATCH_SIZE_VER1	40

/* Values of struct mbox_sendrecv.failed: the half that failed. */
#define MBOX_SENDRECV_SEND	1	/* the send half: nothing was sent */
#define MBOX_SENDRECV_RECV	2	/* the receive half */

/**
 * struct mbox_sendrecv - arguments of MBOX_IOC_SENDRECV
 * @send:	in: the send half, exactly as struct mbox_send of
 *		MBOX_IOC_SEND (its version-2 layout, all fields).
 * @recv:	in/out: the receive half, exactly as struct mbox_recv of
 *		MBOX_IOC_RECV (its version-2 layout, all fields).
 * @flags:	in: 0.
 * @sent:	in: ignored.  out: 1 if the send half sent its message, else
 *		0.
 * @failed:	in: ignored.  out: 0 on success or when @flags or
 *		@__reserved is not 0; else the half whose error the call
 *		returns, MBOX_SENDRECV_SEND or MBOX_SENDRECV_RECV.  A struct
 *		of the wrong size, or one that cannot be read or written, is
 *		not written at all: @sent and @failed keep what they held.
 * @__reserved:	in: 0.  out: 0.
 *
 * Later fields of struct mbox_send and struct mbox_recv, if they ever
 * grow, will be added at the end of this struct, not inside @send and
 * @recv, whose layout is fixed here.
 */
struct mbox_sendrecv {
	struct mbox_send send;
	struct mbox_recv recv;
	__u32 flags;
	__u32 sent;
	__u32 failed;
	__u32 __reserved;
};

#define MBOX_SENDRECV_SIZE_VER1	128

/*
 * The receive ring (MBOX_FEATURE_RING).  A receiver turns a file from
 * MBOX_IOC_OPEN into its mailbox's ring consumer with MBOX_IOC_RING_SETUP
 * and maps three areas of that file, at the offsets the call returns:
 *
 * - the consumer page (@consumer_off, one page), the only part mapped
 *   writable: struct mbox_ring_consumer, whose @pos the consumer stores;
 * - the producer page (@producer_off, one page), read-only:
 *   struct mbox_ring_producer, written by the kernel;
 * - the data area (@data_off, 2 * @size bytes), read-only: @size bytes of
 *   records mapped twice, back to back, so a record that starts at
 *   offset (pos % @size) is contiguous in memory and never wraps.
 *
 * Positions are byte counts since the setup, never reduced modulo @size:
 * the record at position p starts at data + (p & (@size - 1)).  Each
 * record is a struct mbox_ring_rec, then @len bytes of data, padded to a
 * multiple of MBOX_RING_ALIGN: MBOX_RING_REC_SIZE(len) bytes in all.
 *
 * The consumer takes records in order: while its @pos is not the
 * producer's @pos (acquire load), it loads @len of the record at its @pos
 * (acquire); MBOX_RING_BUSY means wait (MBOX_IOC_RING_WAIT or poll());
 * MBOX_RING_DISCARD means skip; otherwise it reads the record, then stores
 * its @pos advanced by MBOX_RING_REC_SIZE(@len & MBOX_RING_LEN_MASK)
 * (release).  A send is written straight into the ring while nothing
 * waits outside it and the ring has room; otherwise the message is queued
 * (or its sender waits) as without a ring, MBOX_RING_REFILL is set, and
 * MBOX_IOC_RING_WAIT brings it in.  A message too long to ever fit in the
 * ring (queued before max_msg_size was lowered, or sent by a sender that
 * checked the old value) comes in as a record of no data whose @len is
 * exactly MBOX_RING_DISCARD, with the message's other fields; its data is
 * dropped and it counts as received.  Documentation/mbox.rst, "The receive
 * ring", has the whole protocol.
 *
 * mmap() of the consumer's file, with MAP_SHARED, maps any whole pages of
 * [consumer page][producer page][data area] at their offsets.  A mapping
 * that covers more than the consumer page can never be made writable
 * (mprotect() then fails with EACCES).  A mapping keeps the ring's memory
 * (and the file) until it goes, whatever happens to the file or the
 * mailbox; fork() shares it.  Errors of mmap():
 * ENODEV  the file is not a ring consumer (no MBOX_IOC_RING_SETUP on it).
 * EINVAL  the offset or the length reaches beyond the data area; or
 *         PROT_WRITE with MAP_PRIVATE on the consumer page alone (a private
 *         copy would hide @pos from the kernel).  A MAP_PRIVATE mapping
 *         can never be made writable (mprotect() fails with EACCES).
 * EPERM   PROT_WRITE on a mapping that covers more than the consumer page.
 * EACCES  PROT_WRITE with MAP_SHARED on a file not open for writing (the
 *         VFS's rule; a consumer's file always is).
 */
#define MBOX_RING_SIZE_MIN	4096U		/* and at least the page size */
#define MBOX_RING_SIZE_MAX	(32U << 20)
#define MBOX_RING_ALIGN		8U

/* Bits of struct mbox_ring_rec.len above the length. */
#define MBOX_RING_BUSY		(1U << 31)	/* being written: stop here */
#define MBOX_RING_DISCARD	(1U << 30)	/* skip: nothing delivered */
#define MBOX_RING_LEN_MASK	(MBOX_RING_DISCARD - 1)

/* Bits of struct mbox_ring_producer.flags. */
#define MBOX_RING_DEAD		(1U << 0)	/* mailbox destroyed */
#define MBOX_RING_REFILL	(1U << 1)	/* messages or senders wait
						 * outside the ring: call
						 * MBOX_IOC_RING_WAIT
						 */

/**
 * struct mbox_ring_rec - header of one record of the ring
 * @len:	the message's length, with MBOX_RING_BUSY while the kernel
 *		writes it or MBOX_RING_DISCARD if the consumer must skip it.
 *		Read it with acquire ordering before anything after it.
 * @type:	the message's type.
 * @seq:	its sequence number, as @seq of struct mbox_recv.
 * @pid:	the sender's thread-group id in the consumer's pid namespace
 *		(that of the task that called MBOX_IOC_RING_SETUP); 0 if not
 *		visible there.
 * @uid:	the sender's effective uid in the consumer's user namespace.
 * @send_ns:	CLOCK_MONOTONIC time of the send, in nanoseconds.
 */
struct mbox_ring_rec {
	__u32 len;
	__u32 type;
	__u64 seq;
	__s32 pid;
	__u32 uid;
	__u64 send_ns;
};

#define MBOX_RING_REC_SIZE(len) \
	(((__u64)sizeof(struct mbox_ring_rec) + (len) + MBOX_RING_ALIGN - 1) & \
	 ~(__u64)(MBOX_RING_ALIGN - 1))

/**
 * struct mbox_ring_producer - the ring's read-only page
 * @pos:	bytes of records reserved so far; the records before @pos
 *		are complete unless MBOX_RING_BUSY.  Read it with acquire
 *		ordering.
 * @flags:	MBOX_RING_DEAD, MBOX_RING_REFILL.
 * @size:	size of the data area, as given to MBOX_IOC_RING_SETUP.
 */
struct mbox_ring_producer {
	__u64 pos;
	__u32 flags;
	__u32 size;
};

/**
 * struct mbox_ring_consumer - the ring's writable page
 * @pos:	bytes of records the consumer has finished with; store it
 *		with release ordering.  The kernel never trusts it: a value
 *		more than @size behind the producer's @pos, or ahead of it
 *		(both in 64-bit modular arithmetic), makes the ring look full
 *		to the kernel, which then queues messages outside it; a
 *		value behind the true one only leaves less room.  Records
 *		the kernel writes after a wrong value may overwrite records
 *		not yet read: only this consumer's view suffers.
 */
struct mbox_ring_consumer {
	__u64 pos;
};

/**
 * struct mbox_ring_setup - arguments of MBOX_IOC_RING_SETUP
 * @size:		in: bytes of the data area: a power of two from
 *			MBOX_RING_SIZE_MIN (and the page size) to
 *			MBOX_RING_SIZE_MAX, at least
 *			MBOX_RING_REC_SIZE(max_msg_size) of the mailbox.
 * @flags:		in: 0.
 * @consumer_off:	out: mmap() offset of the consumer page.
 * @producer_off:	out: mmap() offset of the producer page.
 * @data_off:		out: mmap() offset of the data area, right after
 *			the producer page, so one read-only mapping of
 *			page size + 2 * @size bytes from @producer_off
 *			covers both.
 */
struct mbox_ring_setup {
	__u32 size;
	__u32 flags;
	__u64 consumer_off;
	__u64 producer_off;
	__u64 data_off;
};

#define MBOX_RING_SETUP_SIZE_VER1	32

/**
 * struct mbox_ring_wait - arguments of MBOX_IOC_RING_WAIT
 * @flags:	in: 0 (wait for ever), or one of MBOX_NONBLOCK,
 *		MBOX_TIMEOUT and MBOX_TIMEOUT_ABS.
 * @__reserved:	in: 0.
 * @timeout_ns:	in: as in struct mbox_send: 0 without a timeout flag.
 */
struct mbox_ring_wait {
	__u32 flags;
	__u32 __reserved;
	__u64 timeout_ns;
};

#define MBOX_RING_WAIT_SIZE_VER1	16

/**
 * struct mbox_set - arguments of MBOX_IOC_SET
 * @id:			in: mailbox to change.
 * @flags:		in: which of the fields below to apply: any of
 *			MBOX_SET_OWNER, MBOX_SET_MODE, MBOX_SET_CAPACITY and
 *			MBOX_SET_MSG_SIZE.  A field whose flag is not set
 *			must be 0.
 * @uid:		in: the new owner, a uid of the caller's user
 *			namespace.
 * @gid:		in: the new owner group, likewise.
 * @mode:		in: the new permission bits, 0..0777.
 * @capacity:		in: the new capacity.
 * @max_msg_size:	in: the new maximum message size, in bytes.
 * @__reserved:		in: 0.
 */
struct mbox_set {
	__u32 id;
	__u32 flags;
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 capacity;
	__u32 max_msg_size;
	__u32 __reserved;
};

#define MBOX_SET_SIZE_VER1	32

/**
 * DOC: MBOX_IOC_INFO
 *
 * _IOR.  Fills struct mbox_info.  Never blocks, and takes no mailbox's
 * lock: the figures are read from counters.
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
 * With a @name, returns the existing mailbox's id instead if the name is
 * taken in the caller's IPC namespace, unless MBOX_CREATE_EXCL is set.
 *
 * Errors:
 * EINVAL        @flags has an unknown bit, or MBOX_CREATE_EXCL without a
 *               @name; @mode has bits outside 0777, or is not 0 without
 *               MBOX_CREATE_MODE; @__reserved is not 0; @capacity is above
 *               max_capacity, or @max_msg_size above max_msg_size (see
 *               struct mbox_info); @name is empty or has a byte that is
 *               not printable ASCII, or a '/'.
 * ENAMETOOLONG  @name has no NUL in its first MBOX_NAME_MAX bytes.
 * EFAULT        @name is not readable.
 * EPERM         @name begins with MBOX_KERNEL_NAME_PREFIX, which only the
 *               kernel API gives (MBOX_FEATURE_KERNEL_NAMES); whoever
 *               calls, and whether or not the name is taken.
 * EEXIST        MBOX_CREATE_EXCL is set and @name is taken.
 * EDQUOT        the caller's effective uid has max_mailboxes_per_user
 *               mailboxes or more and the caller lacks CAP_SYS_RESOURCE.
 * ENOSPC        (checked after EDQUOT) the caller's IPC namespace has
 *               max_mailboxes_per_ns mailboxes or more; or it is not the
 *               initial namespace and all namespaces but the initial one
 *               have max_mailboxes or more together; or no id is free.
 *               (More than a limit exist when root lowered it below
 *               their number.)
 * ENOMEM        out of memory.
 *
 * A taken @name needs no permission: its id is returned (or EEXIST).
 */
#define MBOX_IOC_CREATE		_IOW(MBOX_IOC_MAGIC, 0x01, struct mbox_create)

/**
 * DOC: MBOX_IOC_DESTROY
 *
 * _IOW.  Destroys mailbox @id: frees every queued message, and wakes every
 * sender and receiver blocked on it, whose calls then fail with EIDRM.
 * Files opened on it with MBOX_IOC_OPEN stay open, report EPOLLHUP and fail
 * reads and writes with EIDRM (see MBOX_IOC_OPEN).  Returns 0.
 *
 * Errors:
 * EINVAL  @flags is not 0.
 * ENOENT  no mailbox has id @id (or it was destroyed already).
 * EPERM   the caller is neither owner nor creator of the mailbox and lacks
 *         CAP_SYS_ADMIN in the user namespace owning its IPC namespace.
 */
#define MBOX_IOC_DESTROY	_IOW(MBOX_IOC_MAGIC, 0x02, struct mbox_destroy)

/**
 * DOC: Ordering and waiting
 *
 * Messages are delivered in the order they were sent: a receive takes the
 * oldest message it selects.  Waiters are served strictly in the order they
 * began to wait, and never overtaken by a later call:
 *
 * - a send that finds receivers waiting hands its message directly to the
 *   longest-waiting receiver whose selection matches it;
 * - when a receive frees a slot, the message of the longest-waiting sender
 *   moves into the mailbox at once, so a newcomer finds it full;
 * - a receive that finds no queued message it selects takes the message of
 *   the longest-waiting sender that matches, if any (with capacity 0, this
 *   is the only way messages move).
 *
 * A waiting peek (MBOX_RECV_PEEK) gets a copy of the first matching message
 * that arrives and lets it go on to the next waiter.
 *
 * A waiter that is stopped and continued (SIGSTOP, SIGCONT, a debugger)
 * restarts its call, and so waits again from the back of the line, as a
 * futex or POSIX mqueue waiter does.
 *
 * Timeouts: MBOX_TIMEOUT gives a relative limit and MBOX_TIMEOUT_ABS an
 * absolute CLOCK_MONOTONIC deadline, both in nanoseconds.  A call that
 * cannot complete in time fails with ETIMEDOUT; a limit of 0, or a
 * deadline already past, tries once.  MBOX_NONBLOCK tries once too but
 * fails with EAGAIN.
 *
 * Time namespaces: every CLOCK_MONOTONIC time the module takes or reports
 * (the MBOX_TIMEOUT_ABS deadline, @send_ns, @create_ns, @last_send_ns,
 * @last_recv_ns) is on the caller's clock, that of its time namespace,
 * as for futex(2) and timerfd: clock_gettime(CLOCK_MONOTONIC) and these
 * times agree inside any time namespace.  A reported time before the
 * caller's clock began reads as 0.
 *
 * Signals: a wait ends with EINTR when a signal handler runs, whatever
 * SA_RESTART says (as msgsnd(2) and msgrcv(2)); a signal without handler
 * (SIGSTOP, then SIGCONT) lets the call go on.  Because such a call is
 * restarted from the start, a relative timeout then starts again; use
 * MBOX_TIMEOUT_ABS where that matters.  A fatal signal ends the wait at
 * once.  A call that fails this way has sent or received nothing, but
 * for MBOX_IOC_SENDRECV after its send (see there).
 */

/**
 * DOC: MBOX_IOC_SEND
 *
 * _IOW.  Copies @len bytes from @buf and sends them as one message of type
 * @type: to a waiting receiver, else into a free slot, else it waits for
 * either (see "Ordering and waiting").  Returns 0.  A failed send sends
 * nothing: its message gets no sequence number, is not counted as sent,
 * and no receiver receives it.
 *
 * Side effects of a failed send.  A send that fails before it waits
 * changes nothing; this covers every failure of a send that may not wait
 * (MBOX_NONBLOCK, a timeout of 0, a deadline already past).  A send that
 * fails after it began to wait (ETIMEDOUT, EINTR, EIDRM) may have been
 * seen by other calls, which stay completed:
 *
 * - when it began to wait, it offered its message to the blocked
 *   receivers, longest-waiting first: each that selects the message but
 *   whose buffer is too small without MBOX_RECV_TRUNC (peekers included)
 *   was completed with EMSGSIZE and the message's length, and each
 *   blocked peeker that selects it and can hold it was given a copy, with
 *   @seq 0;
 * - while it waited, a peek that selected its message got a copy with
 *   @seq 0, and a receive that selected it with too small a buffer failed
 *   with EMSGSIZE and its length;
 * - while it waited, it counted in @blocked_senders, its message was
 *   charged (so other sends may have failed with EDQUOT or ENOBUFS), and
 *   files from MBOX_IOC_OPEN reported EPOLLIN for it.
 *
 * This holds for buffered and rendezvous mailboxes alike.  A buffered
 * mailbox makes a send wait only when it is full; its blocked receivers
 * then select by type and match no queued message, and only they can be
 * completed so.  With capacity 0, every blocked receiver can be.
 *
 * Errors:
 * EINVAL     @flags has an unknown bit, more than one of MBOX_NONBLOCK,
 *            MBOX_TIMEOUT and MBOX_TIMEOUT_ABS, or a receive-only bit;
 *            @timeout_ns is not 0 without a timeout flag; @__reserved is
 *            not 0.
 *            On a file from MBOX_IOC_OPEN: @id is neither 0 nor the id of
 *            the file's mailbox.
 * ENOENT     no mailbox has id @id.
 * EACCES     the caller may not write to the mailbox.
 * EBADF      on a file from MBOX_IOC_OPEN: the file is not open for
 *            writing.
 * EMSGSIZE   @len is above the mailbox's maximum message size.
 * EDQUOT     the messages sent to the mailboxes created by the mailbox's
 *            creator would hold more than max_bytes_per_user charged
 *            bytes (@len + MBOX_MSG_OVERHEAD per message, see
 *            MBOX_MSG_OVERHEAD), unless the creator had CAP_SYS_RESOURCE
 *            when it created the mailbox.  The sender's own uid and
 *            capabilities do not matter.
 * ENOBUFS    (checked after EDQUOT) the messages sent to the mailboxes
 *            of the mailbox's IPC namespace would hold more than
 *            max_bytes_per_ns charged bytes; or that namespace is not
 *            the initial one and the messages of all namespaces but the
 *            initial one would hold more than max_bytes.  Neither
 *            EDQUOT nor ENOBUFS waits, whatever @flags say.
 * EFAULT     @buf..@buf+@len is not readable; nothing is queued.
 * ENOMEM     out of memory, or the caller's memory cgroup is at its limit
 *            (the message is charged to it; no OOM kill is invoked).
 * EAGAIN     MBOX_NONBLOCK is set and the message could not be sent at
 *            once: the mailbox is full (with capacity 0: always) and no
 *            waiting receiver takes it.
 * ETIMEDOUT  the timeout expired first.
 * EINTR      a signal handler ran while the call waited.
 * EIDRM      the mailbox was destroyed while the call waited.
 */
#define MBOX_IOC_SEND		_IOW(MBOX_IOC_MAGIC, 0x03, struct mbox_send)

/**
 * DOC: MBOX_IOC_RECV
 *
 * _IOWR.  Takes the oldest message (with MBOX_RECV_TYPE, the oldest of type
 * @type; with MBOX_RECV_EXCEPT, the oldest of another type) and copies it
 * to @buf, waiting for one if there is none (see "Ordering and waiting").
 * With MBOX_RECV_PEEK the message is copied and left in place.  Returns
 * the number of bytes stored, also put in @len; @type, @pid, @uid, @seq,
 * @send_ns and @msg_len describe the message.  A failed receive removes
 * nothing: the message stays where it was, at the head of its selection
 * (but see "Failed calls" for EFAULT).  A peek (MBOX_RECV_PEEK) updates
 * neither @last_recv_pid and @last_recv_ns nor @recv_msgs and @recv_bytes
 * of struct mbox_stat.
 *
 * A message longer than @len fails with EMSGSIZE, unless MBOX_RECV_TRUNC
 * is set: then its first @len bytes are stored and the rest is dropped
 * (with MBOX_RECV_PEEK, nothing is dropped).
 *
 * Errors:
 * EINVAL     @flags has an unknown bit, more than one of MBOX_NONBLOCK,
 *            MBOX_TIMEOUT and MBOX_TIMEOUT_ABS, or both MBOX_RECV_TYPE
 *            and MBOX_RECV_EXCEPT; @timeout_ns is not 0 without a timeout
 *            flag; @__reserved is not 0.
 *            On a file from MBOX_IOC_OPEN: @id is neither 0 nor the id of
 *            the file's mailbox.
 * ENOENT     no mailbox has id @id.
 * EACCES     the caller may not read the mailbox (peeking included).
 * EBADF      on a file from MBOX_IOC_OPEN: the file is not open for
 *            reading.
 * EMSGSIZE   the message is longer than @len and MBOX_RECV_TRUNC is not
 *            set; @len and @msg_len are set to its length and it stays.
 * EFAULT     @buf is not writable for the bytes to store, or the struct is
 *            not writable; the message stays.
 * EAGAIN     MBOX_NONBLOCK is set and no message could be taken at once:
 *            none that the call selects is queued, and none is held by a
 *            waiting sender (with capacity 0, no sender is waiting).
 * ETIMEDOUT  the timeout expired first.
 * EINTR      a signal handler ran while the call waited.
 * EIDRM      the mailbox was destroyed while the call waited.
 * EBUSY      the mailbox has a ring consumer (MBOX_IOC_RING_SETUP), or got
 *            one while the call waited: its messages go to the ring.
 */
#define MBOX_IOC_RECV		_IOWR(MBOX_IOC_MAGIC, 0x04, struct mbox_recv)

/**
 * DOC: MBOX_IOC_STAT
 *
 * _IOWR.  Fills struct mbox_stat for mailbox @id.  With MBOX_STAT_NEXT it
 * reports the mailbox with the smallest id >= @id instead, and sets @id to
 * it: starting from 1 and continuing from @id + 1 lists every mailbox
 * the caller may read in its IPC namespace (the others are skipped).
 * Never blocks.  Returns 0.
 *
 * Errors:
 * EINVAL  @flags has a bit other than MBOX_STAT_NEXT.
 * ENOENT  no mailbox has id @id (with MBOX_STAT_NEXT: none the caller may
 *         read has an id >= @id).
 * EACCES  (without MBOX_STAT_NEXT) the caller may not read the mailbox.
 */
#define MBOX_IOC_STAT		_IOWR(MBOX_IOC_MAGIC, 0x05, struct mbox_stat)

/**
 * DOC: MBOX_IOC_OPEN
 *
 * _IOW.  Returns a new file descriptor bound to mailbox @id
 * (MBOX_FEATURE_FD).  It needs no id lookup per call and supports:
 *
 * - read(): receives one message, as MBOX_IOC_RECV without flags; a
 *   buffer shorter than the message fails with EMSGSIZE and the message
 *   stays;
 * - write(): sends one message of type 0, as MBOX_IOC_SEND without flags;
 *   write(fd, buf, 0) sends an empty message and returns 0, where a pipe
 *   does nothing; read() of an empty message returns 0, which is not an
 *   end of file;
 * - poll(), select(), epoll: EPOLLIN when a receive would not block,
 *   EPOLLOUT when a send would not block (with capacity 0, when a receiver
 *   is waiting), EPOLLHUP | EPOLLERR once the mailbox is destroyed.
 *
 * With MBOX_FD_NONBLOCK (or O_NONBLOCK set later with fcntl()), read and
 * write fail with EAGAIN instead of waiting.  The file holds the mailbox's
 * memory, not its life: destroy still destroys it.  After a destroy, read,
 * write and the data ioctls fail with EIDRM, unless an error in their own
 * arguments (EINVAL, EBADF, EMSGSIZE, EFAULT) or a quota (EDQUOT,
 * ENOBUFS, ENOMEM) comes first.
 *
 * The file gets the rights its opener has now, as open(2) does: O_RDWR,
 * or O_RDONLY or O_WRONLY if it may only read or only write the mailbox;
 * read() or write() without the right fails with EBADF, as on any file.
 * Each right is probed without audit, since lacking one is no failure; a
 * caller that has neither is checked once more, audited, and gets EACCES.
 *
 * With MBOX_FEATURE_FD_IOCTL, the data ioctls (MBOX_IOC_SEND, _RECV,
 * _SEND_BATCH and _RECV_BATCH) may be issued on the file too, with every
 * flag and field they take on /dev/mbox.  They act on the file's mailbox,
 * with no id lookup and no permission check: @id must be 0 or the
 * mailbox's id (else EINVAL), and a send on a file without write access,
 * or a receive on one without read access, fails with EBADF, as write()
 * and read() do.  Waiting follows the call's flags alone; the file's
 * O_NONBLOCK applies to read() and write().  With MBOX_FEATURE_RING, the
 * file also takes MBOX_IOC_RING_SETUP and MBOX_IOC_RING_WAIT, and mmap()
 * once it is a ring consumer; its poll() then reports the ring (see
 * MBOX_IOC_RING_WAIT).  Every other command on the file fails with
 * ENOTTY.
 *
 * Errors:
 * EINVAL  @flags has an unknown bit.
 * ENOENT  no mailbox has id @id.
 * EACCES  the caller may neither read nor write the mailbox.
 * EMFILE  the process has too many open files.
 * ENFILE  the system has too many open files.
 * ENOMEM  out of memory.
 */
#define MBOX_IOC_OPEN		_IOW(MBOX_IOC_MAGIC, 0x06, struct mbox_open)

/**
 * DOC: MBOX_IOC_LOOKUP
 *
 * _IOWR.  Finds the mailbox that has name @name in the caller's IPC
 * namespace (MBOX_FEATURE_NAMES), stores its id in @id and returns it.
 * Names are released when their mailbox is destroyed.  No permission is
 * needed: using the id is checked.
 *
 * Errors:
 * EINVAL        @flags is not 0, or @name is not a valid name (see
 *               MBOX_IOC_CREATE).
 * ENAMETOOLONG  @name has no NUL in its first MBOX_NAME_MAX bytes.
 * EFAULT        @name is not readable.
 * ENOENT        no mailbox has that name in the caller's IPC namespace.
 */
#define MBOX_IOC_LOOKUP		_IOWR(MBOX_IOC_MAGIC, 0x07, struct mbox_lookup)

/**
 * DOC: MBOX_IOC_SET
 *
 * _IOW.  Changes the owner, mode, capacity or maximum message size of
 * mailbox @id (MBOX_FEATURE_PERMS), all at once.  Only the owner or the
 * creator (by effective uid), or a caller with CAP_SYS_ADMIN in the user
 * namespace that owns the mailbox's IPC namespace, may do it.  Returns 0.
 *
 * A lower capacity keeps the messages queued beyond it: senders wait until
 * they drain.  A higher one moves the messages of waiting senders into the
 * mailbox at once, longest-waiting first.  A lower maximum message size
 * leaves queued messages alone.
 *
 * Errors:
 * EINVAL  @flags has an unknown bit; a field whose flag is not set, or
 *         @__reserved, is not 0; @mode has bits outside 0777; @uid or
 *         @gid has no mapping in the caller's user namespace; @capacity
 *         is above 16777216 or @max_msg_size above 16 MiB (hard
 *         ceilings); @capacity would turn a rendezvous (capacity 0) into
 *         a buffered mailbox or back.
 * ENOENT  no mailbox has id @id in the caller's IPC namespace.
 * EPERM   the caller is neither owner nor creator and lacks CAP_SYS_ADMIN;
 *         or @capacity is above max_capacity, or @max_msg_size above
 *         max_msg_size (see struct mbox_info), and the caller lacks
 *         CAP_SYS_RESOURCE.
 * EBUSY   the mailbox has a receive ring whose @size is below
 *         MBOX_RING_REC_SIZE(@max_msg_size); nothing was changed.
 */
#define MBOX_IOC_SET		_IOW(MBOX_IOC_MAGIC, 0x08, struct mbox_set)

/**
 * DOC: MBOX_IOC_SEND_BATCH
 *
 * _IOWR.  Sends up to @count messages, described by the array at @msgs, in
 * array order, as @count MBOX_IOC_SEND calls would, each in turn
 * (MBOX_FEATURE_BATCH).  Only the first message may wait (as @flags and
 * @timeout_ns say); the others are sent only if they can be at once
 * (a receiver waits, or a slot is free), like recvmmsg() with
 * MSG_WAITFORONE.  The call stops at the first message that is not sent:
 * that message and those after it are not sent, and a message that is not
 * sent is not queued anywhere.
 *
 * Returns the number of messages sent, also stored in @done, when it is
 * at least 1; then @error is 0 if all @count were sent, else the errno of
 * message @done (EAGAIN if it could not be sent without waiting, or its own
 * EINVAL, EMSGSIZE, EFAULT, ENOMEM, EDQUOT, ENOBUFS or EIDRM).  When the
 * first message is not sent, the call fails with its error and sends
 * nothing.  If @done and @error cannot be stored, the return value still
 * counts the messages sent.
 *
 * Sending needs write permission, as MBOX_IOC_SEND does.
 *
 * Errors (the first message's, or the call's):
 * EINVAL     as MBOX_IOC_SEND; @count is 0 or above MBOX_BATCH_MAX; @type
 *            is not 0; a message's @__reserved, @msg_len or @seq is not 0.
 * EFAULT     the array is not readable, or the first message's data.
 * other      as MBOX_IOC_SEND, for the first message.
 */
#define MBOX_IOC_SEND_BATCH	_IOWR(MBOX_IOC_MAGIC, 0x09, struct mbox_batch)

/**
 * DOC: MBOX_IOC_RECV_BATCH
 *
 * _IOWR.  Receives up to @count messages into the buffers described by the
 * array at @msgs, in order, as @count MBOX_IOC_RECV calls would
 * (MBOX_FEATURE_BATCH); MBOX_RECV_PEEK is not allowed.  Only the first
 * receive may wait (as @flags and @timeout_ns say); the others take what is
 * there without waiting, like recvmmsg() with MSG_WAITFORONE.  Each message
 * received fills its element's @len, @type, @msg_len and @seq.  The call
 * stops at the first receive that fails: as with MBOX_IOC_RECV, the
 * message it would have taken stays in the mailbox, in its place (a
 * message too long for its buffer without MBOX_RECV_TRUNC, a buffer or an
 * element that is not writable).
 *
 * Returns the number of messages received, also stored in @done, when it
 * is at least 1; then @error is 0 if @count were received, else the errno
 * of receive @done (EAGAIN if no further message was there, or EMSGSIZE,
 * with that element's @len and @msg_len set to the message's length, or
 * EFAULT, EINVAL for an invalid element, or EIDRM).  When the first
 * receive fails, the call fails with its error and receives nothing.  If
 * @done and @error cannot be stored, the return value still counts the
 * messages received.
 *
 * Receiving needs read permission, as MBOX_IOC_RECV does.
 *
 * Errors (the first receive's, or the call's):
 * EINVAL     as MBOX_IOC_RECV, or MBOX_RECV_PEEK is set; @count is 0 or
 *            above MBOX_BATCH_MAX; an element's @__reserved is not 0.
 * EFAULT     the array is not readable or writable.
 * other      as MBOX_IOC_RECV, for the first message.
 */
#define MBOX_IOC_RECV_BATCH	_IOWR(MBOX_IOC_MAGIC, 0x0A, struct mbox_batch)

/**
 * DOC: MBOX_IOC_SENDRECV
 *
 * _IOWR.  Sends one message to mailbox @send.id, then receives one from
 * mailbox @recv.id, in one call (MBOX_FEATURE_SENDRECV): a client's
 * request and wait for the reply, or a server's reply and wait for the
 * next request.  Only on /dev/mbox: on a file from MBOX_IOC_OPEN it fails
 * with ENOTTY.
 *
 * Each half is MBOX_IOC_SEND or MBOX_IOC_RECV with the same fields,
 * flags, permissions, waiting and errors; the receive half starts once
 * the send half has sent its message.  A relative receive timeout
 * (MBOX_TIMEOUT in @recv.flags) starts then too, not at the call's start;
 * the send half's timeout covers only the send.  The two mailboxes may be
 * the same one: the receive then takes the oldest message it selects,
 * which may be the one just sent.  On success, returns the number of
 * bytes received; @recv is filled as by MBOX_IOC_RECV, @sent is 1 and
 * @failed is 0.
 *
 * Every check that can be made before sending is made first, in this
 * order: the struct's size (EINVAL, E2BIG) and reading it (EFAULT); that
 * it can be written (EFAULT); @flags and @__reserved (EINVAL); the fields
 * of @send, then those of @recv (EINVAL); @send.id (ENOENT, then EACCES),
 * then @recv.id (ENOENT, then EACCES); then the message: its size against
 * @send.id's maximum (EMSGSIZE), its data (EFAULT) and its charge
 * (EDQUOT, ENOBUFS, ENOMEM).  So, unlike the other commands, an EACCES of
 * @send.id comes before an ENOENT of @recv.id.  Any of these errors sends
 * nothing.  After the send, only a receive error can happen, and the
 * message stays sent.
 *
 * On failure, @sent and @failed say what happened, and whose errno the
 * call returns:
 *
 * - @failed is 0, @sent is 0: @flags or @__reserved is not 0 (EINVAL);
 *   nothing was sent.  (A struct of the wrong size, or that cannot be
 *   read or written, is not written: EINVAL, E2BIG or EFAULT, nothing
 *   sent.)
 * - @failed is MBOX_SENDRECV_SEND, @sent is 0: the send half's error, as
 *   MBOX_IOC_SEND would give it; nothing was sent or queued.
 * - @failed is MBOX_SENDRECV_RECV, @sent is 0: the receive half's
 *   arguments or mailbox are wrong (EINVAL, ENOENT, EACCES), found
 *   before the send; nothing was sent.
 * - @failed is MBOX_SENDRECV_RECV, @sent is 1: the message was sent, and
 *   the receive failed, as MBOX_IOC_RECV would (EAGAIN, ETIMEDOUT,
 *   EINTR, EIDRM, EMSGSIZE, EFAULT, EBUSY); on EMSGSIZE, @recv.len and
 *   @recv.msg_len give the length of the message, which stays.  A caller
 *   finishes the call with MBOX_IOC_RECV.
 *
 * If the struct is not writable when the call starts, it fails with
 * EFAULT and sends nothing.  If it becomes unwritable during the call
 * (another thread unmaps it), EFAULT may come after the send, and @sent
 * cannot be stored.
 *
 * Signals: while the send half waits, as MBOX_IOC_SEND: the call fails
 * with EINTR when a handler runs, or is restarted from the start after a
 * stop and continue.  Once the message is sent, the call is never
 * restarted, since that would send it again: a signal that interrupts the
 * receive half's wait ends the call with EINTR and @sent = 1, even a
 * signal without handler (SIGSTOP, then SIGCONT), as epoll_wait() does.
 *
 * Destroy: if @send.id is destroyed while the send half waits, EIDRM with
 * @sent = 0; if @recv.id is destroyed before or during the receive half,
 * EIDRM with @sent = 1 (the send is not undone).  A destroy of @send.id
 * after the send does not affect the receive half.
 *
 * Errors (besides those of MBOX_IOC_SEND and MBOX_IOC_RECV, per half):
 * ENOTTY  issued on a file from MBOX_IOC_OPEN.
 * EINVAL  @flags or @__reserved is not 0 (@failed 0).
 * EFAULT  the struct is not readable, or not writable (nothing sent).
 */
#define MBOX_IOC_SENDRECV	_IOWR(MBOX_IOC_MAGIC, 0x0B, struct mbox_sendrecv)

/**
 * DOC: MBOX_IOC_RING_SETUP
 *
 * _IOWR.  Only on a file from MBOX_IOC_OPEN.  Makes the file its
 * mailbox's ring consumer, with a data area of @size bytes, and returns
 * the mmap() offsets (MBOX_FEATURE_RING).  See Documentation/mbox.rst,
 * "The receive ring", for what the ring changes.  Returns 0.
 *
 * The offsets do not depend on the outcome and are written before the
 * ring is allocated: a struct that cannot be written fails with EFAULT
 * before anything changes, and a setup that fails later (EDQUOT, ENOBUFS,
 * ENOMEM, or EIDRM, EBUSY or EMSGSIZE when the mailbox was destroyed, got
 * a consumer or had its max_msg_size raised meanwhile) has still written
 * @consumer_off, @producer_off and @data_off.
 *
 * The file must be open for reading and for writing (it receives, and its
 * consumer page is mapped shared and writable, which the VFS allows only
 * on a file open for writing): its opener must have had both rights.
 * The ring's memory (two pages and @size bytes) is charged to the
 * mailbox's creator and IPC namespace as a message's bytes are, from the
 * setup until the ring is freed, and its pages to the caller's memory
 * cgroup.  Records carry the sender's pid and uid as seen in the caller's
 * pid and user namespaces, and send times on the caller's CLOCK_MONOTONIC.
 *
 * From the setup on, every receive from the mailbox (MBOX_IOC_RECV with
 * any flags, peeking included, MBOX_IOC_RECV_BATCH, read(), the receive
 * half of MBOX_IOC_SENDRECV, mbox_krecv()) fails with EBUSY, and so do
 * the receivers waiting at the setup.  Messages queued and senders
 * waiting at the setup stay, and MBOX_RING_REFILL is set.  The file stays
 * the consumer until it is released (closed, and every mapping of it
 * gone); then receives work again, the messages queued outside the ring
 * stay for them, and records left in the ring are lost (they counted as
 * received).
 *
 * Errors:
 * EINVAL    @size is not a power of two, below MBOX_RING_SIZE_MIN or the
 *           page size, or above MBOX_RING_SIZE_MAX; @flags is not 0.
 * EBADF     the file is not open for both reading and writing.
 * EIDRM     the mailbox was destroyed.
 * EBUSY     the mailbox has a ring consumer already (this file or another).
 * EMSGSIZE  MBOX_RING_REC_SIZE(max_msg_size) of the mailbox is above @size.
 * EDQUOT    the ring's bytes would exceed the creator's max_bytes_per_user.
 * ENOBUFS   they would exceed the namespace's share or the pool.
 * ENOMEM    out of memory.
 * EFAULT    the struct is not readable or writable.
 * ENOTTY    on /dev/mbox.
 */
#define MBOX_IOC_RING_SETUP	_IOWR(MBOX_IOC_MAGIC, 0x0C, struct mbox_ring_setup)

/**
 * DOC: MBOX_IOC_RING_WAIT
 *
 * _IOW.  Only on the ring consumer's file.  Brings messages that wait
 * outside the ring into it, then returns 0 once the record at the
 * consumer's @pos is complete (or the ring looks non-empty), waiting as
 * @flags say.
 *
 * The refill moves the queued messages, then the waiting senders'
 * messages (longest-waiting first, as receives would take them), into
 * the ring in acceptance order while it has room, and clears
 * MBOX_RING_REFILL once none is left.  The call then returns 0 if the
 * record at the consumer's @pos is complete (committed or discarded), or
 * if that @pos makes no sense (not aligned to MBOX_RING_ALIGN, ahead of
 * the producer or more than @size behind it); else it waits until a
 * record is committed there, MBOX_RING_REFILL is set or the mailbox is
 * destroyed.  A record still being written when the mailbox is destroyed
 * is committed and waited for like any other.  poll() on the file gives
 * EPOLLIN in the same cases, when MBOX_RING_REFILL is set, and after a
 * destroy while records are left; EPOLLHUP once the mailbox is destroyed;
 * EPOLLOUT as for any file of the mailbox (it counts the slots outside
 * the ring, not the ring's room: never with capacity 0).  Use poll(),
 * select() or level-triggered epoll (added before or after the setup):
 * a commit wakes the consumer only when it has caught up with that
 * record, so edge-triggered epoll can miss one.
 *
 * Errors:
 * EINVAL     the file is not its mailbox's ring consumer; @flags has an
 *            unknown bit or more than one flag; @timeout_ns is not 0
 *            without a timeout flag; @__reserved is not 0.
 * EFAULT     the struct is not readable.
 * EAGAIN     MBOX_NONBLOCK is set and there is nothing to read.
 * ETIMEDOUT  the timeout expired first.
 * EINTR      a signal handler ran while the call waited.
 * EIDRM      the mailbox was destroyed and the consumer has read every
 *            record (records left are still read first).
 * ENOTTY     on /dev/mbox.
 */
#define MBOX_IOC_RING_WAIT	_IOW(MBOX_IOC_MAGIC, 0x0D, struct mbox_ring_wait)

#endif /* _UAPI_LINUX_MBOX_H */
