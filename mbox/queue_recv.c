// SPDX-License-Identifier: GPL-2.0
/*
 * The receive calls: one message, waiting if it must (mbox_recv()), or a
 * batch that does not wait (mbox_recv_more()), and the return of a
 * message whose delivery failed (mbox_give_back()).
 */
#include <linux/errno.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>

#include "mailbox.h"
#include "msg.h"
#include "queue.h"
#include "ring.h"
#include "trace.h"

/* Deliver @msg (owned, or a peek reference) and settle the outcome. */
static int mbox_finish_recv(struct mbox *mbox, const struct mbox_sel *sel,
			    struct mbox_msg *msg, size_t *len,
			    mbox_deliver_t deliver, void *ctx)
{
	size_t n = min(msg->len, sel->size);
	int ret;

	ret = deliver(msg, n, ctx);
	if (!ret)
		*len = n;
	if (!ret || (sel->flags & MBOX_RECV_PEEK)) {
		mbox_msg_put(msg);
		return ret;
	}
	mbox_give_back(mbox, msg);
	return ret;
}

/**
 * mbox_recv() - receive (or peek at) a message and hand it to @deliver
 * @mbox:	the mailbox, referenced by the caller.
 * @sel:	what to take, the buffer size, the flags and the deadline.
 * @len:	out: the bytes delivered, or on -EMSGSIZE the length of the
 *		message that did not fit.
 * @deliver:	called with the message and no lock held.
 * @ctx:	passed to @deliver.
 *
 * If @deliver fails, the message goes back to its place in the queue (or
 * to a receiver waiting for it), so a failed receive loses nothing.  While
 * it is out, another receiver may take the next message, and a sender may
 * fill its slot, so that the mailbox then holds one message more than its
 * capacity (a batch, up to a chunk more: Documentation/mbox.rst) until
 * receives drain it; no sender adds to it meanwhile.
 *
 * Context: process context; may sleep unless it may not wait.
 * Return: 0, -EMSGSIZE, -EAGAIN, -ETIMEDOUT, -EIDRM, -ERESTARTNOHAND, or
 * the error of @deliver.
 */
int mbox_recv(struct mbox *mbox, const struct mbox_sel *sel, size_t *len,
	      mbox_deliver_t deliver, void *ctx)
{
	struct mbox_waiter w = { .sel = sel };
	struct mbox_waiter *from;
	struct mbox_msg *msg;
	LIST_HEAD(done);
	u64 now;
	int ret;

	now = ktime_get_ns();	/* before the lock: see mbox_account_recv() */
	spin_lock_irq(&mbox->lock);
	if (mbox->dead) {
		spin_unlock_irq(&mbox->lock);
		return -EIDRM;
	}
	if (mbox->ring) {
		/* Its consumer takes every message. */
		spin_unlock_irq(&mbox->lock);
		return -EBUSY;
	}

	msg = mbox_find_msg(mbox, sel, &from);
	if (!msg) {
		if (mbox_no_wait(sel->flags, sel->deadline)) {
			spin_unlock_irq(&mbox->lock);
			return mbox_no_wait_error(sel->flags);
		}
		ret = mbox_wait(mbox, &w, sel->deadline, &done);
		trace_mbox_wake(mbox->id, true, ret, w.since);
		if (ret == -EMSGSIZE)
			*len = w.msg_len;
		if (ret)
			return ret;
		mbox_poll_notify_unlocked(mbox);
		return mbox_finish_recv(mbox, sel, w.msg, len, deliver, ctx);
	}

	if (!mbox_fits(sel, msg)) {
		*len = msg->len;
		spin_unlock_irq(&mbox->lock);
		return -EMSGSIZE;
	}
	if (sel->flags & MBOX_RECV_PEEK) {
		refcount_inc(&msg->ref);
		spin_unlock_irq(&mbox->lock);
		return mbox_finish_recv(mbox, sel, msg, len, deliver, ctx);
	}

	mbox_take(mbox, msg, from, &done, now);
	mbox_unlock_complete(mbox, &done, true);

	return mbox_finish_recv(mbox, sel, msg, len, deliver, ctx);
}

/**
 * mbox_recv_more() - take messages that need not be waited for, under one
 * lock
 * @mbox:	the mailbox, referenced by the caller.
 * @sel:	what to take; its size and deadline are ignored, and it must
 *		not peek.
 * @sizes:	the buffer size for each message.  When a message does not
 *		fit, the entry of its buffer is set to its length.
 * @msgs:	out: the messages taken, in order; the caller owns them, and
 *		gives back with mbox_give_back() any it cannot deliver.
 * @n:		most messages to take.
 * @err:	out: when fewer than @n are taken, why the next was not:
 *		-EAGAIN (none left), -EMSGSIZE (it stays) or -EIDRM.
 *
 * Context: process context; does not sleep.
 * Return: the number of messages taken.
 */
unsigned int mbox_recv_more(struct mbox *mbox, const struct mbox_sel *sel,
			    size_t *sizes, struct mbox_msg **msgs,
			    unsigned int n, int *err)
{
	struct mbox_waiter *from;
	struct mbox_msg *msg;
	unsigned int i = 0;
	LIST_HEAD(done);
	u64 now;

	/* One time for the lot, read before the lock (mbox_account_recv()). */
	now = ktime_get_ns();
	*err = 0;
	spin_lock_irq(&mbox->lock);
	if (mbox->dead) {
		*err = -EIDRM;
		goto out_unlock;
	}
	if (mbox->ring) {
		*err = -EBUSY;
		goto out_unlock;
	}
	for (; i < n; i++) {
		msg = mbox_find_msg(mbox, sel, &from);
		if (!msg) {
			*err = -EAGAIN;
			break;
		}
		if (msg->len > sizes[i] && !(sel->flags & MBOX_RECV_TRUNC)) {
			sizes[i] = msg->len;
			*err = -EMSGSIZE;
			break;
		}
		mbox_take(mbox, msg, from, &done, now);
		msgs[i] = msg;
	}
out_unlock:
	mbox_unlock_complete(mbox, &done, i > 0);
	return i;
}

/**
 * mbox_give_back() - put back a message whose delivery failed
 * @mbox:	the mailbox it was taken from.
 * @msg:	the message, owned by the caller (not a peek reference).
 *
 * It goes where it was in the queue, or to a receiver waiting for it.
 * If the mailbox got a ring consumer since the message was taken, it is
 * queued for the refill, behind the records sends wrote into the ring
 * meanwhile: the one case where the ring's order is not seq order
 * (Documentation/mbox.rst, "The receive ring").
 */
void mbox_give_back(struct mbox *mbox, struct mbox_msg *msg)
{
	LIST_HEAD(done);

	spin_lock_irq(&mbox->lock);
	if (mbox->dead) {
		spin_unlock_irq(&mbox->lock);
		mbox_msg_put(msg);
		return;
	}
	mbox->recv_msgs--;
	mbox->recv_bytes -= msg->len;
	if (!mbox_hand_off(mbox, msg, &done)) {
		mbox_queue_add(mbox, msg);	/* where it was: by its seq */
		mbox_ring_flag(mbox, MBOX_RING_REFILL, 0);
	}
	mbox_unlock_complete(mbox, &done, true);
}
