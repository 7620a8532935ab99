// SPDX-License-Identifier: GPL-2.0
/*
 * The send calls: one message, waiting if it must (mbox_send()), from any
 * context (mbox_send_atomic()), or a batch that does not wait
 * (mbox_send_more()).  A message goes into the mailbox's receive ring when
 * it can (queue_ring.c), else to a waiting receiver or the queue.
 */
#include <linux/errno.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/spinlock.h>

#include "mailbox.h"
#include "msg.h"
#include "queue.h"
#include "ring.h"
#include "trace.h"

/**
 * mbox_send() - send a message
 * @mbox:	the mailbox, referenced by the caller.
 * @msg:	the message, already loaded; on success the mailbox owns it,
 *		on failure the caller still does.
 * @flags:	0 or MBOX_NONBLOCK, with MBOX_SEND_WAKE_SYNC if the caller
 *		is about to wait (MBOX_IOC_SENDRECV): a receiver the message
 *		is handed to at once is woken with the synchronous hint.
 * @deadline:	CLOCK_MONOTONIC deadline, or KTIME_MAX to wait for ever.
 *
 * Context: process context; may sleep unless it may not wait (with a
 * ring, even then: the commit may drop the ring's last reference).
 * Return: 0, -EAGAIN, -ETIMEDOUT, -EIDRM or -ERESTARTNOHAND.
 */
int mbox_send(struct mbox *mbox, struct mbox_msg *msg, unsigned int flags,
	      ktime_t deadline)
{
	struct mbox_waiter w = { .msg = msg };
	struct mbox_ring_resv resv;
	LIST_HEAD(done);
	bool pollers;
	int ret;

	spin_lock_irq(&mbox->lock);
	if (mbox->dead) {
		spin_unlock_irq(&mbox->lock);
		return -EIDRM;
	}
	if (mbox->ring && mbox_ring_reserve_msg(mbox, msg, &resv)) {
		spin_unlock_irq(&mbox->lock);
		mbox_ring_commit_msg(&resv, msg);
		mbox_msg_put(msg);
		return 0;
	}
	if (mbox->nr_msgs >= mbox->capacity && !mbox_find_taker(mbox, msg) &&
	    mbox_no_wait(flags, deadline)) {
		spin_unlock_irq(&mbox->lock);
		return mbox_no_wait_error(flags);
	}
	/* Queued or waiting outside a ring: its consumer must refill. */
	mbox_ring_flag(mbox, MBOX_RING_REFILL, 0);

	if (mbox_place(mbox, msg, &done)) {
		pollers = mbox_pollers(mbox);
		spin_unlock_irq(&mbox->lock);
		if (flags & MBOX_SEND_WAKE_SYNC)
			mbox_complete_sync(&done);
		else
			mbox_complete(&done);
		mbox_poll_notify(mbox, pollers);
		return 0;
	}

	/* Full: wait.  Peekers and too-small receivers may have been served. */
	ret = mbox_wait(mbox, &w, deadline, &done);
	trace_mbox_wake(mbox->id, false, ret, w.since);
	if (!ret)
		mbox_poll_notify_unlocked(mbox);
	return ret;
}

/**
 * mbox_send_atomic() - send a message without waiting, in any context
 * @mbox:	the mailbox, referenced by the caller.
 * @msg:	the message, already loaded; on success the mailbox owns it,
 *		on failure the caller still does.
 *
 * Does what mbox_send() does with MBOX_NONBLOCK, but saves and restores
 * the interrupt state instead of enabling interrupts at unlock, so that
 * the kernel API can send from hard-IRQ and softirq context.
 *
 * Context: any context; does not sleep.  Takes @mbox->lock, IRQs saved.
 * Return: 0, -EAGAIN or -EIDRM.
 */
int mbox_send_atomic(struct mbox *mbox, struct mbox_msg *msg)
{
	unsigned long irqflags;
	LIST_HEAD(done);
	bool pollers;

	spin_lock_irqsave(&mbox->lock, irqflags);
	if (mbox->dead) {
		spin_unlock_irqrestore(&mbox->lock, irqflags);
		return -EIDRM;
	}
	if (mbox->nr_msgs >= mbox->capacity && !mbox_find_taker(mbox, msg)) {
		spin_unlock_irqrestore(&mbox->lock, irqflags);
		return -EAGAIN;
	}
	/* Never into a ring here (its commit may free it): queue. */
	mbox_ring_flag(mbox, MBOX_RING_REFILL, 0);
	/* Cannot fail now: a slot is free or a receiver takes it. */
	mbox_place(mbox, msg, &done);
	pollers = mbox_pollers(mbox);
	spin_unlock_irqrestore(&mbox->lock, irqflags);
	mbox_complete(&done);
	mbox_poll_notify(mbox, pollers);
	return 0;
}

/*
 * mbox_send_more() on a mailbox with a ring: one at a time, since each
 * one's record is committed unlocked, and mbox_send() sets REFILL for a
 * message that stays outside the ring.
 */
static unsigned int mbox_send_each(struct mbox *mbox, struct mbox_msg **msgs,
				   unsigned int n, int *err)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		*err = mbox_send(mbox, msgs[i], MBOX_NONBLOCK, KTIME_MAX);
		if (*err)
			break;
	}
	return i;
}

/**
 * mbox_send_more() - send messages that need not wait, under one lock
 * @mbox:	the mailbox, referenced by the caller.
 * @msgs:	loaded messages, in order.
 * @n:		how many.
 * @err:	out: when fewer than @n are sent, why the next was not:
 *		-EAGAIN (it would have had to wait) or -EIDRM.
 *
 * Each message goes to a waiting receiver or a free slot, as mbox_send()
 * with MBOX_NONBLOCK would send it; the first that cannot stops the rest.
 * The mailbox owns the messages sent; the caller still owns the others.
 *
 * Context: process context; does not sleep, but with a ring a commit may
 * drop the ring's last reference (vunmap()).
 * Return: the number of messages sent.
 */
unsigned int mbox_send_more(struct mbox *mbox, struct mbox_msg **msgs,
			    unsigned int n, int *err)
{
	unsigned int i = 0;
	LIST_HEAD(done);

	*err = 0;
	if (READ_ONCE(mbox->ring))
		return mbox_send_each(mbox, msgs, n, err);
	spin_lock_irq(&mbox->lock);
	if (mbox->dead) {
		*err = -EIDRM;
		goto out_unlock;
	}
	/* A setup since the check above: the ring's path after all. */
	if (mbox->ring) {
		spin_unlock_irq(&mbox->lock);
		return mbox_send_each(mbox, msgs, n, err);
	}
	for (; i < n; i++) {
		/* As mbox_send(): no side effect on a message that waits. */
		if (mbox->nr_msgs >= mbox->capacity &&
		    !mbox_find_taker(mbox, msgs[i])) {
			*err = -EAGAIN;
			break;
		}
		mbox_place(mbox, msgs[i], &done);	/* accounts it as sent */
	}
out_unlock:
	mbox_unlock_complete(mbox, &done, i > 0);
	return i;
}
