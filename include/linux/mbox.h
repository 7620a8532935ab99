/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mbox's kernel API: mailboxes shared by interrupt handlers, kernel threads
 * and processes.  Exported by mbox.ko (EXPORT_SYMBOL_GPL); implemented in
 * mbox/kapi.c.  Documentation/mbox.rst, "Kernel API", has the context rules
 * of every function and an example (samples/mbox_tick).
 *
 * A module that uses it is built with mbox's include/ directory on its
 * include path and either in the same kbuild run as mbox.ko or with mbox's
 * Module.symvers in KBUILD_EXTRA_SYMBOLS.
 */
#ifndef _LINUX_MBOX_H
#define _LINUX_MBOX_H

#include <linux/types.h>
#include <linux/uidgid.h>

#include <uapi/linux/mbox.h>	/* MBOX_NONBLOCK, MBOX_RECV_*, MBOX_NAME_MAX */

struct mbox;

/**
 * struct mbox_kmsg - what mbox_krecv() tells about the message it took
 * @type:	the message's type.
 * @len:	the message's full length; with MBOX_RECV_TRUNC it may be
 *		more than mbox_krecv() stored.
 * @seq:	its sequence number in the mailbox (1, 2, 3... in the order
 *		the mailbox accepted them).
 * @send_ns:	CLOCK_MONOTONIC time of the send call.
 * @pid:	the sending thread group's pid in the initial pid namespace,
 *		or 0 if the kernel sent it.
 * @uid:	the sender's effective uid; GLOBAL_ROOT_UID if the kernel sent
 *		it.
 */
struct mbox_kmsg {
	u32 type;
	size_t len;
	u64 seq;
	u64 send_ns;
	pid_t pid;
	kuid_t uid;
};

/**
 * mbox_kget() - look up a kernel mailbox by id and take a reference to it
 * @id:		the id of a mailbox that mbox_kcreate() made.
 *
 * Only the kernel's own mailboxes are found, so a user cannot make a driver
 * act on another mailbox by handing it an id: a driver that takes an id
 * from a process uses mbox_kget_user() instead.
 *
 * The reference keeps the &struct mbox valid, not the mailbox alive: if it
 * is destroyed meanwhile (by its owner, or by the reaper of a namespace
 * whose last process is gone), sends and receives fail with -EIDRM.
 *
 * Context: any context; does not sleep.
 * Return: the mailbox, or ERR_PTR(-ENOENT) if no mailbox that
 * mbox_kcreate() made has that id.  Release it with mbox_kput().
 */
struct mbox *mbox_kget(u32 id);

/**
 * mbox_kget_user() - look up a mailbox by an id a process gave
 * @id:		the id, as the current task sees it.
 * @may:	MAY_READ (to receive), MAY_WRITE (to send), or both: what
 *		the driver will do with it for the current task.
 *
 * For a driver that takes a mailbox id from userspace (in an ioctl, say):
 * the id is looked up in the current task's IPC namespace and checked
 * against the current task's credentials, as the task's own MBOX_IOC_OPEN
 * with that access would be, so the driver does only what the task could
 * do itself.  The check is made once, here, as open() makes it for a file.
 *
 * Context: process context, in the task the id came from.
 * Return: the mailbox, ERR_PTR(-EINVAL) if @may is 0 or has other bits,
 * ERR_PTR(-ENOENT) if the task's IPC namespace has no mailbox with that
 * id, or ERR_PTR(-EACCES).  Release it with mbox_kput().
 */
struct mbox *mbox_kget_user(u32 id, int may);

/**
 * mbox_kget_by_name() - look up a mailbox by name and take a reference
 * @name:	its name, as given to mbox_kcreate(): it begins with
 *		MBOX_KERNEL_NAME_PREFIX ("kernel.").
 *
 * Names are looked up in the initial IPC namespace, whatever the caller's:
 * the kernel's mailboxes are the system's, not a container's, and the
 * answer must not depend on which task happens to load a module.  Only the
 * kernel gives names with the prefix (MBOX_IOC_CREATE refuses them), so
 * the mailbox found is one that mbox_kcreate() made.
 *
 * Context: process context; may sleep (waits for a work item, which takes
 * mbox's name mutex).
 * Return: the mailbox, ERR_PTR(-ENOENT) if no mailbox has that name in the
 * initial IPC namespace, or ERR_PTR(-EINVAL) if @name is not a valid name
 * or lacks the prefix.
 * Release it with mbox_kput().
 */
struct mbox *mbox_kget_by_name(const char *name);

/**
 * mbox_kput() - drop a reference taken by mbox_kget() or mbox_kget_by_name()
 * @mbox:	the mailbox.
 *
 * Context: process context.
 */
void mbox_kput(struct mbox *mbox);

/**
 * mbox_kcreate() - create a kernel-owned mailbox
 * @capacity:		messages it buffers (0: a rendezvous), at most the
 *			module's max_capacity.
 * @max_msg_size:	its largest message, at most the module's
 *			max_msg_size.
 * @mode:		its permission bits (0777 at most), as
 *			MBOX_CREATE_MODE's: processes need read permission to
 *			receive and stat, write permission to send.
 * @name:		its name in the initial IPC namespace, or NULL.  A name
 *			begins with MBOX_KERNEL_NAME_PREFIX ("kernel."),
 *			which userspace cannot take.
 *
 * The mailbox is like one userspace creates: processes find it by id or
 * name and may use it as @mode allows.  It is created by a kernel worker
 * thread, so it belongs to the initial IPC namespace, is owned by root
 * (uid and gid 0, which only root or CAP_SYS_ADMIN may destroy or change
 * with MBOX_IOC_SET), and is counted against the initial IPC namespace's
 * share of mailboxes (max_mailboxes_per_ns) as one of root's; the worker
 * has CAP_SYS_RESOURCE, so what userspace sends to it is charged to root's
 * record, which no per-user limit binds then, and to that namespace's
 * max_bytes_per_ns.
 * Unlike MBOX_IOC_CREATE, a name that is taken is an error.
 *
 * Context: process context; may sleep.
 * Return: the mailbox with a reference for mbox_kdestroy(), or
 * ERR_PTR(-EINVAL) (bad capacity, size, mode or name, or a name without
 * the prefix), ERR_PTR(-EEXIST)
 * (name taken), ERR_PTR(-ENOSPC) or ERR_PTR(-EDQUOT) (too many mailboxes),
 * ERR_PTR(-ENOMEM), or ERR_PTR(-EIDRM) if userspace destroyed it before
 * this returned.
 */
struct mbox *mbox_kcreate(u32 capacity, u32 max_msg_size, umode_t mode,
			  const char *name);

/**
 * mbox_kdestroy() - destroy a mailbox and drop the caller's reference
 * @mbox:	the mailbox, from mbox_kcreate() (or a reference from
 *		mbox_kget(), which this drops).
 *
 * If the mailbox is still alive, it is destroyed as MBOX_IOC_DESTROY does
 * it, without a permission check: waiters fail with -EIDRM and queued
 * messages are freed.  If it was
 * destroyed already (by userspace, say), only the reference is dropped;
 * another mailbox that has since taken its name is left alone.
 *
 * Context: process context; may sleep.
 */
void mbox_kdestroy(struct mbox *mbox);

/**
 * mbox_kid() - a mailbox's id, to tell userspace
 * @mbox:	the mailbox, referenced.
 *
 * Context: any context.
 * Return: the id; it stays the mailbox's after a destroy.
 */
u32 mbox_kid(const struct mbox *mbox);

/**
 * mbox_ksend() - send a message without waiting; usable in interrupts
 * @mbox:	the mailbox, referenced.
 * @type:	the message's type.
 * @data:	the message.
 * @len:	its length in bytes.
 *
 * The message is copied into memory allocated with GFP_NOWAIT, charged to
 * no memory cgroup, no user, no namespace's share and not the module's
 * pool of message bytes
 * (the mailbox's capacity bounds it), and received with sender pid 0 and
 * uid 0
 * (GLOBAL_ROOT_UID, which a reader in a user namespace that does not map
 * it sees as the overflow uid).  If a receiver is waiting for it, it is
 * handed over and the receiver is woken; pollers are woken.  It never
 * writes into a receive ring (MBOX_IOC_RING_SETUP): on a mailbox with one,
 * the message is queued outside it, MBOX_RING_REFILL is set and the
 * consumer is woken; with capacity 0 no receiver can wait, so it always
 * fails with -EAGAIN there.
 *
 * Context: any context: process, softirq, hard IRQ, or with interrupts
 * disabled; never sleeps.  Takes the mailbox's spinlock (IRQ-safe) and,
 * to wake waiters, the scheduler's and the poll wait queue's locks.
 * Return: 0; -EMSGSIZE if @len is more than the mailbox's max_msg_size;
 * -ENOMEM if the message could not be allocated; -EIDRM if the mailbox was
 * destroyed; -EAGAIN if it is full (or has capacity 0 and no receiver
 * waits).  On error nothing was sent.
 */
int mbox_ksend(struct mbox *mbox, u32 type, const void *data, size_t len);

/**
 * mbox_krecv() - receive a message into a kernel buffer
 * @mbox:	the mailbox, referenced.
 * @buf:	the buffer.
 * @size:	its size in bytes.
 * @flags:	as MBOX_IOC_RECV's: at most one of MBOX_NONBLOCK,
 *		MBOX_TIMEOUT and MBOX_TIMEOUT_ABS, with any of MBOX_RECV_PEEK,
 *		MBOX_RECV_TRUNC and one of MBOX_RECV_TYPE and
 *		MBOX_RECV_EXCEPT.
 * @type:	the type MBOX_RECV_TYPE or MBOX_RECV_EXCEPT select by;
 *		otherwise ignored.
 * @timeout_ns:	with MBOX_TIMEOUT, the longest wait; with MBOX_TIMEOUT_ABS,
 *		the CLOCK_MONOTONIC deadline; otherwise 0.
 * @info:	out, may be NULL: the message's type, length, sequence
 *		number, time and sender.  On -EMSGSIZE only @info->len is set.
 *
 * Takes the oldest message the flags select, with the same order, hand-off
 * and waiter rules as MBOX_IOC_RECV.  Without MBOX_NONBLOCK it waits
 * (interruptibly) for a message, the timeout or a signal.  A kernel thread
 * normally gets no signal, and kthread_stop() does not end the wait: wait
 * with a timeout and check kthread_should_stop(), or destroy the mailbox.
 *
 * Context: process context; sleeps unless MBOX_NONBLOCK.  Takes the
 * mailbox's spinlock with interrupts disabled.
 * Return: the bytes stored in @buf; or -EINVAL (bad @flags or
 * @timeout_ns), -EAGAIN (MBOX_NONBLOCK and nothing to take), -ETIMEDOUT,
 * -EINTR (a signal), -EIDRM (destroyed, also while waiting), -EBUSY (the
 * mailbox has a receive ring consumer, also for a receiver waiting when
 * it is set up), or -EMSGSIZE (the message is longer than @size and
 * MBOX_RECV_TRUNC is not set; it stays in the mailbox).
 */
ssize_t mbox_krecv(struct mbox *mbox, void *buf, size_t size,
		   unsigned int flags, u32 type, u64 timeout_ns,
		   struct mbox_kmsg *info);

#endif /* _LINUX_MBOX_H */
