/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of sending and receiving share (queue.c, queue_wait.c,
 * queue_send.c, queue_recv.c, queue_ring.c): the waiter and the helpers
 * they call across files.  Their entry points for the rest of the module
 * are declared in mailbox.h and ring.h.
 */
#ifndef MBOX_QUEUE_H
#define MBOX_QUEUE_H

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "index.h"
#include "mailbox.h"
#include "msg.h"

struct mbox_ring_resv;
struct pid;
struct rb_root;
struct task_struct;

/* mbox_waiter.state until the waiter's result is published */
#define MBOX_WAITING	1

/**
 * struct mbox_waiter - a blocked sender or receiver, on its own stack
 * @ix:		its entry in @tree while it waits; @ix.order is its ticket.
 * @tree:	@mbox->senders, or the receivers' index that fits @sel.
 * @link:	once claimed, in the completer's private list.
 * @task:	the waiting task.
 * @msg:	a sender's message; the message a receiver was given.
 * @sel:	a receiver's selection; NULL for a sender.
 * @msg_len:	for a receiver completed with -EMSGSIZE, the length of the
 *		message that did not fit.
 * @claimed:	a completer owns @link and will publish @result.
 * @result:	the result recorded by the completer.
 * @state:	MBOX_WAITING, then @result, stored with release semantics.
 * @since:	CLOCK_MONOTONIC time the wait began, for the mbox_wake event;
 *		0 if that event was off then, so an untraced wait reads no
 *		clock under the lock.
 *
 * All fields but @state are protected by the mailbox's lock.
 */
struct mbox_waiter {
	struct mbox_ix ix;
	struct mbox_ixtree *tree;
	struct list_head link;
	struct task_struct *task;
	struct mbox_msg *msg;
	const struct mbox_sel *sel;
	size_t msg_len;
	bool claimed;
	int result;
	int state;
	u64 since;
};

static inline bool mbox_fits(const struct mbox_sel *sel,
			     const struct mbox_msg *msg)
{
	return msg->len <= sel->size || (sel->flags & MBOX_RECV_TRUNC);
}

static inline struct mbox_waiter *mbox_ix_waiter(struct mbox_ix *ix)
{
	return ix ? container_of(ix, struct mbox_waiter, ix) : NULL;
}

/* True if a call with these flags and deadline may not wait. */
static inline bool mbox_no_wait(unsigned int flags, ktime_t deadline)
{
	return (flags & MBOX_NONBLOCK) ||
	       (deadline != KTIME_MAX && ktime_compare(deadline, ktime_get()) <= 0);
}

static inline int mbox_no_wait_error(unsigned int flags)
{
	return (flags & MBOX_NONBLOCK) ? -EAGAIN : -ETIMEDOUT;
}

/*
 * Whether a change made under @mbox->lock must be told to pollers: asked
 * before the lock is dropped, the wake-up issued after it.  No barrier is
 * needed, unlike wq_has_sleeper()'s: a poller queues itself on @poll_wq
 * before mbox_poll_mask() takes @mbox->lock.  So either its lock section
 * comes after ours, and it sees our change, or before, and then its entry
 * was queued before we took the lock, and we see it.
 */
static inline bool mbox_pollers(struct mbox *mbox)
{
	lockdep_assert_held(&mbox->lock);

	/* Ordered by @mbox->lock against mbox_poll_mask(): see above. */
	return waitqueue_active(&mbox->poll_wq);
}

/* Tell pollers the mailbox changed, if mbox_pollers() saw any.  No lock. */
static inline void mbox_poll_notify(struct mbox *mbox, bool pollers)
{
	if (pollers)
		wake_up_interruptible_poll(&mbox->poll_wq,
					   EPOLLIN | EPOLLRDNORM |
					   EPOLLOUT | EPOLLWRNORM);
}

/* The same, for a change made by someone else while we waited. */
static inline void mbox_poll_notify_unlocked(struct mbox *mbox)
{
	mbox_poll_notify(mbox, wq_has_sleeper(&mbox->poll_wq));
}

/*
 * Make @slot reference @pid (a last sender or receiver), if it does not
 * already: per message, so inline.
 */
static inline void mbox_set_pid(struct pid **slot, struct pid *pid)
{
	if (*slot != pid) {
		put_pid(*slot);
		*slot = get_pid(pid);
	}
}

/* queue.c: the queue, its indexes, hand-off, taking a message */
void mbox_account_send(struct mbox *mbox, struct mbox_msg *msg);
void mbox_queue_add(struct mbox *mbox, struct mbox_msg *msg);
struct mbox_ixtree *mbox_rx_tree(struct mbox *mbox,
				 const struct mbox_sel *sel);
u32 mbox_rx_size(const struct mbox_sel *sel);
struct mbox_waiter *mbox_find_taker(struct mbox *mbox,
				    const struct mbox_msg *msg);
bool mbox_hand_off(struct mbox *mbox, struct mbox_msg *msg,
		   struct list_head *done);
bool mbox_place(struct mbox *mbox, struct mbox_msg *msg,
		struct list_head *done);
struct mbox_msg *mbox_find_msg(struct mbox *mbox,
			       const struct mbox_sel *sel,
			       struct mbox_waiter **from);
void mbox_take(struct mbox *mbox, struct mbox_msg *msg,
	       struct mbox_waiter *from, struct list_head *done,
	       u64 now);

/* queue_wait.c: waiting, claiming and completing waiters, pollers */
void mbox_claim(struct mbox *mbox, struct mbox_waiter *w, int result,
		struct list_head *done);
void mbox_complete(struct list_head *done);
void mbox_complete_sync(struct list_head *done);
void mbox_unlock_complete(struct mbox *mbox, struct list_head *done,
			  bool changed)
	__releases(&mbox->lock);
int mbox_wait(struct mbox *mbox, struct mbox_waiter *w,
	      ktime_t deadline, struct list_head *done)
	__releases(&mbox->lock);
void mbox_fail_waiters(struct rb_root *root);

/* queue_ring.c: the queue's side of a receive ring */
bool mbox_ring_reserve_msg(struct mbox *mbox, struct mbox_msg *msg,
			   struct mbox_ring_resv *resv);

#endif /* MBOX_QUEUE_H */
