// SPDX-License-Identifier: GPL-2.0
/*
 * Message storage: a header with the data inline up to the end of its page,
 * then a chain of page-sized segments.  Every buffer of a message sent from
 * userspace is charged to the memory cgroup of the task that sends it, and
 * its bytes to the creator and the namespace of the mailbox it is for
 * (limits.c).  A message sent by the kernel (mbox_msg_kload()) is charged
 * to nobody, no memory cgroup and no record: it may be sent from an
 * interrupt, when "the current task" is whichever task the interrupt
 * happened to stop.
 */
#include <linux/err.h>
#include <linux/cred.h>
#include <linux/minmax.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/timekeeping.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "mailbox.h"
#include "msg.h"

struct mbox_msgseg {
	struct mbox_msgseg *next;
	u8 data[];
};

#define MBOX_DATALEN_MSG	((size_t)PAGE_SIZE - sizeof(struct mbox_msg))
#define MBOX_DATALEN_SEG	((size_t)PAGE_SIZE - sizeof(struct mbox_msgseg))

/*
 * What a message is charged to the mailbox's creator, namespace and the
 * pool: its data plus
 * MBOX_MSG_OVERHEAD for its header, so that even an empty message, which
 * still costs an allocation, is counted.  A fixed figure rather than the
 * allocation's size, so that userspace can compute it (uapi mbox.h).
 */
static size_t mbox_msg_charge(size_t len)
{
	BUILD_BUG_ON(sizeof(struct mbox_msg) > MBOX_MSG_OVERHEAD);
	return len + MBOX_MSG_OVERHEAD;
}

/*
 * Charged to the sender's memory cgroup.  __GFP_RETRY_MAYFAIL: a sender
 * over its cgroup's memory.max gets ENOMEM instead of invoking the OOM
 * killer (Linux 6.1 mm/memcontrol.c, try_charge_memcg(): such a charge
 * fails once reclaim has been retried), and the page allocator does not
 * invoke the global OOM killer for it either.
 */
#define MBOX_MSG_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL)

static void mbox_msg_free(struct mbox_msg *msg)
{
	struct mbox_msgseg *seg = msg->next;

	if (msg->mbox) {
		mbox_uncharge_bytes(msg->mbox, mbox_msg_charge(msg->len));
		mbox_put(msg->mbox);
	}
	put_pid(msg->pid);
	kfree(msg);
	while (seg) {
		struct mbox_msgseg *next = seg->next;

		kfree(seg);
		seg = next;
	}
}

/**
 * mbox_msg_put() - drop a reference to a message, freeing it with the last
 * @msg:	the message.
 *
 * Context: any context but hard IRQ; does not sleep.  In hard IRQ, a
 * message that holds no mailbox (a kernel message) may be put too.
 */
void mbox_msg_put(struct mbox_msg *msg)
{
	if (refcount_dec_and_test(&msg->ref))
		mbox_msg_free(msg);
}

static struct mbox_msg *mbox_msg_alloc(size_t len, gfp_t gfp)
{
	struct mbox_msgseg **tail;
	struct mbox_msg *msg;
	size_t chunk;

	chunk = min(len, MBOX_DATALEN_MSG);
	msg = kmalloc(sizeof(*msg) + chunk, gfp);
	if (!msg)
		return NULL;
	RB_CLEAR_NODE(&msg->ix.rb);
	msg->next = NULL;
	msg->len = len;
	refcount_set(&msg->ref, 1);
	msg->pid = NULL;
	msg->mbox = NULL;

	tail = &msg->next;
	for (len -= chunk; len > 0; len -= chunk) {
		struct mbox_msgseg *seg;

		chunk = min(len, MBOX_DATALEN_SEG);
		seg = kmalloc(sizeof(*seg) + chunk, gfp);
		if (!seg)
			goto err_free_msg;
		seg->next = NULL;
		*tail = seg;
		tail = &seg->next;
	}
	return msg;

err_free_msg:
	mbox_msg_free(msg);
	return NULL;
}

/**
 * mbox_msg_load() - allocate a message and copy its data from userspace
 * @mbox:	the mailbox it is for, referenced by the caller.
 * @src:	the data.
 * @len:	its length, already checked against the mailbox's limit.
 * @type:	its type.
 *
 * The message records the calling thread group, its effective uid and the
 * time, for the receiver.  Its length plus MBOX_MSG_OVERHEAD is charged to
 * @mbox's creator, its namespace and the pool (limits.c) until it is
 * freed, so an empty message is charged too.
 *
 * Context: process context; may sleep.  Must not hold any mbox lock.
 * Return: the message, or ERR_PTR(-ENOMEM), ERR_PTR(-EDQUOT),
 * ERR_PTR(-ENOBUFS) or ERR_PTR(-EFAULT).
 */
struct mbox_msg *mbox_msg_load(struct mbox *mbox, const void __user *src,
			       size_t len, u32 type)
{
	return mbox_msg_load_at(mbox, src, len, type, ktime_get_ns());
}

/**
 * mbox_msg_load_at() - mbox_msg_load() with the time of the send given
 * @mbox:	the mailbox it is for, referenced by the caller.
 * @src:	the data.
 * @len:	its length, already checked against the mailbox's limit.
 * @type:	its type.
 * @now:	CLOCK_MONOTONIC time of the send call, in nanoseconds; the
 *		messages of one batch share one.
 *
 * Context: process context; may sleep.  Must not hold any mbox lock.
 * Return: as mbox_msg_load().
 */
struct mbox_msg *mbox_msg_load_at(struct mbox *mbox, const void __user *src,
				  size_t len, u32 type, u64 now)
{
	struct mbox_msgseg *seg;
	struct mbox_msg *msg;
	size_t chunk;
	int ret;

	ret = mbox_charge_bytes(mbox, mbox_msg_charge(len));
	if (ret)
		return ERR_PTR(ret);
	msg = mbox_msg_alloc(len, MBOX_MSG_GFP);
	if (!msg) {
		mbox_uncharge_bytes(mbox, mbox_msg_charge(len));
		return ERR_PTR(-ENOMEM);
	}
	/*
	 * From here on mbox_msg_free() uncharges and drops this reference:
	 * one count on the mailbox, whose lines its senders share anyway,
	 * rather than on its creator's and namespace's records.
	 */
	refcount_inc(&mbox->ref);
	msg->mbox = mbox;
	msg->type = type;
	msg->seq = 0;
	msg->send_ns = now;
	msg->pid = get_pid(task_tgid(current));
	msg->uid = current_euid();

	chunk = min(len, MBOX_DATALEN_MSG);
	if (copy_from_user(msg->data, src, chunk))
		goto err_free_msg;

	for (seg = msg->next; seg; seg = seg->next) {
		src += chunk;
		len -= chunk;
		chunk = min(len, MBOX_DATALEN_SEG);
		if (copy_from_user(seg->data, src, chunk))
			goto err_free_msg;
	}
	return msg;

err_free_msg:
	mbox_msg_free(msg);
	return ERR_PTR(-EFAULT);
}

/**
 * mbox_msg_store() - copy a message's data to userspace
 * @msg:	the message; it is not changed.
 * @dst:	the buffer.
 * @len:	bytes to copy, at most @msg->len (less to truncate).
 *
 * Context: process context; may sleep.  Must not hold any mbox lock.
 * Return: 0, or -EFAULT.
 */
int mbox_msg_store(const struct mbox_msg *msg, void __user *dst, size_t len)
{
	const struct mbox_msgseg *seg;
	size_t chunk;

	chunk = min(len, MBOX_DATALEN_MSG);
	if (copy_to_user(dst, msg->data, chunk))
		return -EFAULT;

	for (seg = msg->next; seg && len > chunk; seg = seg->next) {
		dst += chunk;
		len -= chunk;
		chunk = min(len, MBOX_DATALEN_SEG);
		if (copy_to_user(dst, seg->data, chunk))
			return -EFAULT;
	}
	return 0;
}

/**
 * mbox_msg_kload() - allocate a message and copy its data from the kernel
 * @src:	the data.
 * @len:	its length, already checked against the mailbox's limit.
 * @type:	its type.
 * @gfp:	the allocation flags: GFP_NOWAIT or GFP_ATOMIC where the caller
 *		may not sleep.
 *
 * The message has no sender pid (receivers see 0) and the uid
 * GLOBAL_ROOT_UID, and is charged to no memory cgroup and no user record.
 *
 * Context: any context if @gfp does not allow sleeping.
 * Return: the message, or NULL if out of memory.
 */
struct mbox_msg *mbox_msg_kload(const void *src, size_t len, u32 type,
				gfp_t gfp)
{
	struct mbox_msgseg *seg;
	struct mbox_msg *msg;
	size_t chunk;

	msg = mbox_msg_alloc(len, gfp);
	if (!msg)
		return NULL;
	msg->type = type;
	msg->seq = 0;
	msg->send_ns = ktime_get_ns();
	msg->uid = GLOBAL_ROOT_UID;

	chunk = min(len, MBOX_DATALEN_MSG);
	memcpy(msg->data, src, chunk);
	for (seg = msg->next; seg; seg = seg->next) {
		src += chunk;
		len -= chunk;
		chunk = min(len, MBOX_DATALEN_SEG);
		memcpy(seg->data, src, chunk);
	}
	return msg;
}

/**
 * mbox_msg_kstore() - copy a message's data to a kernel buffer
 * @msg:	the message; it is not changed.
 * @dst:	the buffer.
 * @len:	bytes to copy, at most @msg->len (less to truncate).
 *
 * Context: any context.
 */
void mbox_msg_kstore(const struct mbox_msg *msg, void *dst, size_t len)
{
	const struct mbox_msgseg *seg;
	size_t chunk;

	chunk = min(len, MBOX_DATALEN_MSG);
	memcpy(dst, msg->data, chunk);
	for (seg = msg->next; seg && len > chunk; seg = seg->next) {
		dst += chunk;
		len -= chunk;
		chunk = min(len, MBOX_DATALEN_SEG);
		memcpy(dst, seg->data, chunk);
	}
}
