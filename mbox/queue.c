// SPDX-License-Identifier: GPL-2.0
/*
 * Sending and receiving: the bounded FIFO and its waiters.
 *
 * Messages are loaded before @mbox->lock is taken and stored after it is
 * dropped; under the lock a send or a receive only links or unlinks a
 * message and updates counters.  Wake-ups are issued after the lock is
 * dropped, and wake one exclusive waiter, except destroy, which wakes all.
 *
 * A waiter sleeps on a wait queue with the lock dropped and retakes it to
 * recheck, so a newcomer may take a slot or a message before a waiter that
 * was woken for it; the woken waiter then waits again.
 */
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include "mailbox.h"
#include "msg.h"

static bool mbox_send_ready(const struct mbox *mbox)
{
	return READ_ONCE(mbox->dead) ||
	       READ_ONCE(mbox->nr_msgs) < mbox->capacity;
}

static bool mbox_recv_ready(const struct mbox *mbox)
{
	return READ_ONCE(mbox->dead) || READ_ONCE(mbox->nr_msgs) > 0;
}

static void mbox_enqueue(struct mbox *mbox, struct mbox_msg *msg)
{
	lockdep_assert_held(&mbox->lock);

	list_add_tail(&msg->link, &mbox->msgs);
	WRITE_ONCE(mbox->nr_msgs, mbox->nr_msgs + 1);
	mbox->nr_bytes += msg->len;
	mbox->sent_msgs++;
	mbox->sent_bytes += msg->len;
}

static void mbox_dequeue(struct mbox *mbox, struct mbox_msg *msg)
{
	lockdep_assert_held(&mbox->lock);

	list_del_init(&msg->link);
	WRITE_ONCE(mbox->nr_msgs, mbox->nr_msgs - 1);
	mbox->nr_bytes -= msg->len;
	mbox->recv_msgs++;
	mbox->recv_bytes += msg->len;
}

/* Undo mbox_dequeue(): put @msg back at the head, where it was. */
static void mbox_requeue(struct mbox *mbox, struct mbox_msg *msg)
{
	lockdep_assert_held(&mbox->lock);

	list_add(&msg->link, &mbox->msgs);
	WRITE_ONCE(mbox->nr_msgs, mbox->nr_msgs + 1);
	mbox->nr_bytes += msg->len;
	mbox->recv_msgs--;
	mbox->recv_bytes -= msg->len;
}

/*
 * Sleep until @ready(mbox) may be true.  Called and returns with
 * @mbox->lock held; drops it while sleeping.  Returns 0 to recheck, or
 * -ERESTARTNOHAND on a signal: a handler that ran makes the call fail with
 * EINTR (never restarted, as SysV msgsnd/msgrcv); otherwise, as after a
 * SIGSTOP, the call restarts transparently.  A fatal signal ends the wait.
 */
static int mbox_wait(struct mbox *mbox, wait_queue_head_t *wq,
		     bool (*ready)(const struct mbox *mbox))
	__must_hold(&mbox->lock)
{
	int ret;

	lockdep_assert_held(&mbox->lock);

	spin_unlock(&mbox->lock);
	ret = wait_event_interruptible_exclusive(*wq, ready(mbox));
	spin_lock(&mbox->lock);
	return ret ? -ERESTARTNOHAND : 0;
}

/**
 * mbox_send() - queue a message
 * @mbox:	the mailbox, referenced by the caller.
 * @msg:	the message, already loaded; on success the mailbox owns it,
 *		on failure the caller still does.
 * @flags:	0 or MBOX_NONBLOCK.
 *
 * Context: process context; may sleep unless MBOX_NONBLOCK.
 * Return: 0, -EAGAIN, -EIDRM or -ERESTARTNOHAND.
 */
int mbox_send(struct mbox *mbox, struct mbox_msg *msg, unsigned int flags)
{
	int ret;

	spin_lock(&mbox->lock);
	for (;;) {
		if (mbox->dead) {
			ret = -EIDRM;
			break;
		}
		if (mbox->nr_msgs < mbox->capacity) {
			mbox_enqueue(mbox, msg);
			ret = 0;
			break;
		}
		if (flags & MBOX_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		ret = mbox_wait(mbox, &mbox->senders, mbox_send_ready);
		if (ret)
			break;
	}
	spin_unlock(&mbox->lock);

	if (!ret)
		wake_up(&mbox->receivers);
	return ret;
}

/**
 * mbox_recv() - take the oldest message and hand it to @deliver
 * @mbox:	the mailbox, referenced by the caller.
 * @flags:	0 or MBOX_NONBLOCK.
 * @len:	in: the size of the caller's buffer; out: the length of the
 *		message delivered, or of the one that did not fit.
 * @deliver:	called with the message unlinked and no lock held.
 * @ctx:	passed to @deliver.
 *
 * If @deliver fails, the message goes back to the head of the mailbox, so
 * a failed receive loses nothing.  While it is out, another receiver may
 * take the next message, and a sender may fill its slot, so that the
 * mailbox briefly holds one message more than its capacity.
 *
 * Context: process context; may sleep unless MBOX_NONBLOCK.
 * Return: 0, -EMSGSIZE, -EAGAIN, -EIDRM, -ERESTARTNOHAND, or the error of
 * @deliver.
 */
int mbox_recv(struct mbox *mbox, unsigned int flags, size_t *len,
	      mbox_deliver_t deliver, void *ctx)
{
	struct mbox_msg *msg;
	int ret;

	spin_lock(&mbox->lock);
	for (;;) {
		if (mbox->dead) {
			ret = -EIDRM;
			goto out_unlock;
		}
		msg = list_first_entry_or_null(&mbox->msgs, struct mbox_msg,
					       link);
		if (msg)
			break;
		if (flags & MBOX_NONBLOCK) {
			ret = -EAGAIN;
			goto out_unlock;
		}
		ret = mbox_wait(mbox, &mbox->receivers, mbox_recv_ready);
		if (ret)
			goto out_unlock;
	}

	if (msg->len > *len) {
		*len = msg->len;
		ret = -EMSGSIZE;
		goto out_pass_wakeup;
	}
	*len = msg->len;
	mbox_dequeue(mbox, msg);
	spin_unlock(&mbox->lock);

	ret = deliver(msg, ctx);
	if (!ret) {
		mbox_msg_free(msg);
		wake_up(&mbox->senders);
		return 0;
	}

	spin_lock(&mbox->lock);
	if (mbox->dead) {
		spin_unlock(&mbox->lock);
		mbox_msg_free(msg);
		return ret;
	}
	mbox_requeue(mbox, msg);

out_pass_wakeup:
	/*
	 * The message stays queued but this receiver leaves: if it was the
	 * one woken for it, wake another so that the message is not stranded.
	 */
	spin_unlock(&mbox->lock);
	wake_up(&mbox->receivers);
	return ret;

out_unlock:
	spin_unlock(&mbox->lock);
	return ret;
}
