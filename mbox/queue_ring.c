// SPDX-License-Identifier: GPL-2.0
/*
 * The queue's side of a receive ring (ring.c): binding and unbinding the
 * ring, accounting the messages written into it, reserving a record for a
 * send, and the refill that moves queued messages and waiting senders'
 * messages into it.
 */
#include <linux/errno.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>

#include "mailbox.h"
#include "msg.h"
#include "queue.h"
#include "ring.h"

/*
 * A message of @len bytes sent at @send_ns enters @ring: it is received
 * by the ring's consumer at once (STAT counts it so).
 */
static void mbox_account_ring_recv(struct mbox *mbox, size_t len, u64 send_ns,
				   struct mbox_ring *ring)
{
	lockdep_assert_held(&mbox->lock);

	mbox->recv_msgs++;
	mbox->recv_bytes += len;
	mbox->last_recv_ns = max(send_ns, mbox->last_recv_ns);
	mbox_set_pid(&mbox->last_recv_pid, ring->pid);
}

/**
 * mbox_ring_account() - account a message the current task writes into
 * @ring itself, sent and received at @now
 * @mbox:	the mailbox, locked.
 * @len:	the message's length.
 * @now:	CLOCK_MONOTONIC time of the send.
 * @ring:	the mailbox's ring.
 *
 * Return: the message's seq.
 */
u64 mbox_ring_account(struct mbox *mbox, size_t len, u64 now,
		      struct mbox_ring *ring)
{
	lockdep_assert_held(&mbox->lock);

	mbox->sent_msgs++;
	mbox->sent_bytes += len;
	mbox->last_send_ns = now;
	mbox_set_pid(&mbox->last_send_pid, task_tgid(current));
	mbox_account_ring_recv(mbox, len, now, ring);
	return ++mbox->seq;
}

/**
 * mbox_ring_unaccount() - undo mbox_ring_account() for a discarded record
 * @mbox:	the mailbox, locked.
 * @len:	the message's length.
 *
 * The seq stays used: the consumer skips the record that has it.
 */
void mbox_ring_unaccount(struct mbox *mbox, size_t len)
{
	lockdep_assert_held(&mbox->lock);

	mbox->sent_msgs--;
	mbox->sent_bytes -= len;
	mbox->recv_msgs--;
	mbox->recv_bytes -= len;
}

/*
 * Reserve a record for @msg in the mailbox's ring, if it has one, with
 * room, and nothing waits outside it (which goes first); number and
 * account @msg.  The caller commits after unlocking.
 */
bool mbox_ring_reserve_msg(struct mbox *mbox, struct mbox_msg *msg,
			   struct mbox_ring_resv *resv)
{
	lockdep_assert_held(&mbox->lock);

	if (!mbox->ring || mbox->nr_msgs || mbox->nr_senders ||
	    !mbox_ring_reserve(mbox, msg->len, resv))
		return false;
	mbox_account_send(mbox, msg);
	mbox_account_ring_recv(mbox, msg->len, msg->send_ns, resv->ring);
	return true;
}

/*
 * Fail with -EBUSY every receiver waiting in @t: the ring's consumer takes
 * every message from now on.
 */
static void mbox_fail_receivers(struct mbox *mbox, struct mbox_ixtree *t,
				struct list_head *done)
{
	struct mbox_waiter *w;

	lockdep_assert_held(&mbox->lock);

	while ((w = mbox_ix_waiter(mbox_ix_first(t))))
		mbox_claim(mbox, w, -EBUSY, done);
}

/**
 * mbox_ring_attach() - make @ring the mailbox's ring
 * @mbox:	the mailbox.
 * @ring:	the ring, with a reference that the mailbox takes on success.
 *
 * Receivers waiting fail with -EBUSY, as receives do from now on; each is
 * completed once, for the call that made it wait.  Messages queued and
 * senders waiting stay, and set MBOX_RING_REFILL.
 *
 * Context: process context.
 * Return: 0, -EIDRM, -EBUSY (the mailbox has a ring) or -EMSGSIZE (its
 * max_msg_size does not fit in @ring).
 */
int mbox_ring_attach(struct mbox *mbox, struct mbox_ring *ring)
{
	LIST_HEAD(done);
	int ret = 0;

	spin_lock_irq(&mbox->lock);
	if (mbox->dead) {
		ret = -EIDRM;
	} else if (mbox->ring) {
		ret = -EBUSY;
	} else if (!mbox_ring_fits(ring->size, mbox->max_msg_size)) {
		ret = -EMSGSIZE;
	} else {
		WRITE_ONCE(mbox->ring, ring);
		mbox_fail_receivers(mbox, &mbox->rx_all, &done);
		mbox_fail_receivers(mbox, &mbox->rx_type, &done);
		mbox_fail_receivers(mbox, &mbox->rx_except, &done);
		if (mbox->nr_msgs || mbox->nr_senders)
			mbox_ring_flag(mbox, MBOX_RING_REFILL, 0);
	}
	spin_unlock_irq(&mbox->lock);
	mbox_complete(&done);
	return ret;
}

/**
 * mbox_ring_detach() - the mailbox's ring consumer goes
 * @mbox:	the mailbox.
 * @ring:	its ring; the mailbox's reference is dropped.
 *
 * Receives work again; messages queued and senders waiting stay for them.
 *
 * Context: process context.
 */
void mbox_ring_detach(struct mbox *mbox, struct mbox_ring *ring)
{
	bool pollers;

	spin_lock_irq(&mbox->lock);
	WARN_ON_ONCE(mbox->ring != ring);
	WRITE_ONCE(mbox->ring, NULL);
	pollers = mbox_pollers(mbox);
	spin_unlock_irq(&mbox->lock);
	mbox_poll_notify(mbox, pollers);
	mbox_ring_put(ring);
}

/**
 * mbox_ring_refill_more() - move messages waiting outside the ring into it,
 * under one lock
 * @mbox:	the mailbox.
 * @ring:	its ring.
 * @msgs:	out: the messages moved, in acceptance order; the caller
 *		writes each into its record, then frees it.
 * @resv:	out: their records.
 * @n:		most messages to move.
 *
 * Queued messages first, then the waiting senders', as receives take them:
 * the slot a queued message frees goes to the longest-waiting sender.
 * A message too long for the ring (queued before a SET lowered
 * max_msg_size, or by a sender that checked the old one) gets a record
 * of no data, which its commit marks MBOX_RING_DISCARD.
 * MBOX_RING_REFILL is cleared once none is left.
 *
 * Context: process context, under @ring's refill lock.
 * Return: the number of messages moved.
 */
unsigned int mbox_ring_refill_more(struct mbox *mbox, struct mbox_ring *ring,
				   struct mbox_msg **msgs,
				   struct mbox_ring_resv *resv,
				   unsigned int n)
{
	const struct mbox_sel sel = { .size = SIZE_MAX };
	struct mbox_waiter *from;
	struct mbox_msg *msg;
	unsigned int i = 0;
	LIST_HEAD(done);
	size_t len;
	u64 now;

	lockdep_assert_held(&ring->refill_lock);

	now = ktime_get_ns();	/* before the lock: see mbox_account_recv() */
	spin_lock_irq(&mbox->lock);
	if (mbox->dead || mbox->ring != ring)
		goto out_unlock;
	for (; i < n; i++) {
		msg = mbox_find_msg(mbox, &sel, &from);
		if (!msg)
			break;
		/* One that never fits takes a header: mbox_ring_commit_msg(). */
		len = mbox_ring_fits(ring->size, msg->len) ? msg->len : 0;
		if (!mbox_ring_reserve(mbox, len, &resv[i]))
			break;
		mbox_take(mbox, msg, from, &done, now);
		msgs[i] = msg;
	}
	if (!mbox->nr_msgs && !mbox->nr_senders)
		mbox_ring_flag(mbox, 0, MBOX_RING_REFILL);
out_unlock:
	mbox_unlock_complete(mbox, &done, i > 0);
	return i;
}
