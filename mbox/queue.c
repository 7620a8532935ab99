// SPDX-License-Identifier: GPL-2.0
/*
 * Sending and receiving, the core: the bounded FIFO and its indexes,
 * hand-off to waiting receivers, taking a message for a receiver, and the
 * changes of a whole mailbox (destroy, capacity, poll state).  The rest
 * is in queue_wait.c (waiting and completing waiters), queue_send.c and
 * queue_recv.c (the send and receive calls) and queue_ring.c (the queue's
 * side of a receive ring); queue.h is what they share.
 *
 * Messages are loaded before @mbox->lock is taken and stored after it is
 * dropped; under the lock an operation only moves pointers and counts.
 *
 * Waiters are served strictly in the order they began to wait.  Each waiter
 * is a struct mbox_waiter on its own stack, linked on @mbox->senders or
 * @mbox->receivers.  Whoever can complete a waiter does it under the lock,
 * on the waiter's behalf: a sender gives its message to the first receiver
 * that selects it; a receiver that frees a slot moves the first waiting
 * sender's message into the mailbox.  So nobody can overtake a waiter: the
 * waiter never has to win a race for the slot or the message it is owed.
 *
 * Completing a waiter is done in two steps.  Under the lock, the completer
 * "claims" it: moves it to a private list and records its result.  After
 * the lock is dropped, it publishes the result with a release store and
 * wakes the task.  A waiter that gives up (signal, timeout) takes the lock:
 * if it was not claimed it unlinks itself and fails; if it was, the
 * completer has won, and it waits for the result.  This keeps wake-ups out
 * of the spinlock without allocating.  The waiter may return as soon as it
 * sees its result, so the completer holds a task reference for the wake-up.
 *
 * Time with the lock held (and so with interrupts off) does not grow with
 * the queue or with the number of waiters: every search goes through an
 * index (index.c) in O(log n) steps.  Queued messages are indexed by
 * (type, seq), waiting senders by (type, ticket), waiting receivers by what
 * they select and the size they take.  The oldest message or sender a
 * receive selects, the oldest receiver a message can go to, and the oldest
 * receiver that selects a message at all are each found with O(1) or
 * O(log n) steps.  A hold then does O(log n) work per message it moves
 * (at most MBOX_BATCH_CHUNK in a batch) and per waiter it completes.  The
 * only holds that complete many waiters at once are a send that many
 * waiting peekers or too-small receivers select, a capacity raised by
 * MBOX_IOC_SET, and a ring's attach, which fails every waiting receiver
 * (queue_ring.c, mbox_fail_receivers()); each waiter is completed once,
 * for the call that made it wait.  Destroy completes its waiters after
 * dropping the lock.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

#include "mailbox.h"
#include "msg.h"
#include "queue.h"
#include "ring.h"
#include "trace.h"

static bool mbox_selects(const struct mbox_sel *sel, const struct mbox_msg *msg)
{
	if (sel->flags & MBOX_RECV_TYPE)
		return msg->type == sel->type;
	if (sel->flags & MBOX_RECV_EXCEPT)
		return msg->type != sel->type;
	return true;
}

/*
 * @msg enters the mailbox's custody: queued, or given to a receiver.  It is
 * numbered now, so sequence numbers have no gaps: a send that waits and
 * then fails never had one.
 */
void mbox_account_send(struct mbox *mbox, struct mbox_msg *msg)
{
	lockdep_assert_held(&mbox->lock);

	msg->seq = ++mbox->seq;
	mbox->sent_msgs++;
	mbox->sent_bytes += msg->len;
	mbox->last_send_ns = msg->send_ns;
	mbox_set_pid(&mbox->last_send_pid, msg->pid);
	trace_mbox_send(mbox, msg, trace_mbox_send_enabled() ? ktime_get_ns() : 0);
}

/*
 * @msg leaves the mailbox for @task at CLOCK_MONOTONIC time @now.  A
 * receiver may read @now before it takes the lock, to keep the clock out
 * of it; then a message sent meanwhile could look received before it was
 * sent, and a later receive earlier than the last.  So the time recorded
 * is never before the message's send time nor before the last receive's.
 */
static void mbox_account_recv(struct mbox *mbox, struct mbox_msg *msg,
			      struct task_struct *task, u64 now)
{
	lockdep_assert_held(&mbox->lock);

	mbox->recv_msgs++;
	mbox->recv_bytes += msg->len;
	mbox->last_recv_ns = max3(now, msg->send_ns, mbox->last_recv_ns);
	mbox_set_pid(&mbox->last_recv_pid, task_tgid(task));
	trace_mbox_recv(mbox, msg, task, mbox->last_recv_ns);
}

/*
 * Queue @msg, already numbered by mbox_account_send().  The queue is
 * indexed by (type, seq), and seq order is acceptance order, so a message
 * put back after a failed receive (which a selective receive may have taken
 * from the middle) goes back where it was, in O(log n) steps.
 */
void mbox_queue_add(struct mbox *mbox, struct mbox_msg *msg)
{
	lockdep_assert_held(&mbox->lock);

	msg->ix.order = msg->seq;
	msg->ix.type = msg->type;
	msg->ix.size = 0;
	mbox_ix_insert(&mbox->msgs, &msg->ix);
	mbox->nr_msgs++;
	mbox->nr_bytes += msg->len;
	mbox_ns_queued(mbox->ns, 1, msg->len);
}

static void mbox_queue_del(struct mbox *mbox, struct mbox_msg *msg)
{
	lockdep_assert_held(&mbox->lock);

	mbox_ix_erase(&mbox->msgs, &msg->ix);
	mbox->nr_msgs--;
	mbox->nr_bytes -= msg->len;
	mbox_ns_queued(mbox->ns, -1, -(s64)msg->len);
}

static struct mbox_msg *mbox_ix_msg(struct mbox_ix *ix)
{
	return ix ? container_of(ix, struct mbox_msg, ix) : NULL;
}

/* The index of waiting receivers that holds receivers selecting as @sel. */
struct mbox_ixtree *mbox_rx_tree(struct mbox *mbox,
				 const struct mbox_sel *sel)
{
	if (sel->flags & MBOX_RECV_TYPE)
		return &mbox->rx_type;
	if (sel->flags & MBOX_RECV_EXCEPT)
		return &mbox->rx_except;
	return &mbox->rx_all;
}

/* The size key for a message of @len bytes: below U32_MAX. */
static u32 mbox_len_key(size_t len)
{
	return min_t(size_t, len, U32_MAX - 1);
}

/*
 * A receiver's size key: 0 for a peeker, else one more than the longest
 * message it takes whole or truncated.  So the receivers a message of
 * @len bytes can go to are those whose key is above mbox_len_key(@len),
 * and the peekers and receivers too small for it the others: as
 * mbox_fits(), since no message is longer than U32_MAX - 1 bytes.
 */
u32 mbox_rx_size(const struct mbox_sel *sel)
{
	if (sel->flags & MBOX_RECV_PEEK)
		return 0;
	if (sel->flags & MBOX_RECV_TRUNC)
		return U32_MAX;
	return mbox_len_key(sel->size) + 1;
}

/*
 * The longest-waiting receiver that selects @msg and whose size key is in
 * [@lo, U32_MAX]: three index lookups, O(log n) each.
 */
static struct mbox_waiter *mbox_find_rx(struct mbox *mbox,
					const struct mbox_msg *msg, u32 lo)
{
	struct mbox_ix_range r = {
		.type_lo = msg->type, .type_hi = msg->type,
		.size_lo = lo, .size_hi = U32_MAX,
	};
	struct mbox_ix *best;

	lockdep_assert_held(&mbox->lock);

	/* The common case of a send: nobody waits, no index to search. */
	if (!mbox->nr_receivers)
		return NULL;
	best = mbox_ix_find(&mbox->rx_type, &r);
	if (lo)
		best = mbox_ix_earlier(best, mbox_ix_find(&mbox->rx_all, &r));
	else
		best = mbox_ix_earlier(best, mbox_ix_first(&mbox->rx_all));
	r.except = true;
	r.not_type = msg->type;
	if (lo)
		best = mbox_ix_earlier(best, mbox_ix_find(&mbox->rx_except, &r));
	else
		best = mbox_ix_earlier(best,
				       mbox_ix_first_except(&mbox->rx_except,
							    msg->type));
	return mbox_ix_waiter(best);
}

/*
 * The first waiting receiver that would take @msg (not a peeker, and @msg
 * fits), or NULL.  O(log n), however many receivers are too small for it.
 */
struct mbox_waiter *mbox_find_taker(struct mbox *mbox,
				    const struct mbox_msg *msg)
{
	return mbox_find_rx(mbox, msg, mbox_len_key(msg->len) + 1);
}

/*
 * Offer @msg to the waiting receivers, longest-waiting first.  A receiver
 * that selects it but whose buffer is too small is completed with
 * -EMSGSIZE, a peeker with a reference to it; the first other receiver that
 * selects it takes it.  Returns true if one did.  Only receivers that
 * select @msg are visited, each found in O(log n) steps, and each but the
 * last is completed.
 */
bool mbox_hand_off(struct mbox *mbox, struct mbox_msg *msg,
		   struct list_head *done)
{
	struct mbox_waiter *r;

	lockdep_assert_held(&mbox->lock);

	while ((r = mbox_find_rx(mbox, msg, 0))) {
		if (WARN_ON_ONCE(!mbox_selects(r->sel, msg)))
			return false;
		if (!mbox_fits(r->sel, msg)) {
			r->msg_len = msg->len;
			mbox_claim(mbox, r, -EMSGSIZE, done);
			continue;
		}
		if (r->sel->flags & MBOX_RECV_PEEK) {
			refcount_inc(&msg->ref);
			r->msg = msg;
			mbox_claim(mbox, r, 0, done);
			continue;
		}
		r->msg = msg;
		mbox_account_recv(mbox, msg, r->task, ktime_get_ns());
		mbox_claim(mbox, r, 0, done);
		return true;
	}
	return false;
}

/*
 * Hand @msg off or queue it, and account it as sent.  Returns false if the
 * mailbox is full.  A message that will be accepted is numbered before a
 * receiver takes it, so the receive (and its trace event) sees its seq.
 */
bool mbox_place(struct mbox *mbox, struct mbox_msg *msg,
		struct list_head *done)
{
	lockdep_assert_held(&mbox->lock);

	if (mbox->nr_msgs < mbox->capacity || mbox_find_taker(mbox, msg))
		mbox_account_send(mbox, msg);
	if (mbox_hand_off(mbox, msg, done))
		return true;
	if (mbox->nr_msgs >= mbox->capacity)
		return false;
	mbox_queue_add(mbox, msg);
	return true;
}

/* The entry of least order in @t that @sel selects: O(log n) at most. */
static struct mbox_ix *mbox_ix_select(const struct mbox_ixtree *t,
				      const struct mbox_sel *sel)
{
	struct mbox_ix_range r = { .type_lo = sel->type, .type_hi = sel->type };

	if (sel->flags & MBOX_RECV_TYPE)
		return mbox_ix_find(t, &r);
	if (sel->flags & MBOX_RECV_EXCEPT)
		return mbox_ix_first_except(t, sel->type);
	return mbox_ix_first(t);
}

/*
 * Find the oldest message @sel selects: queued, else held by a waiting
 * sender (*@from is set to that sender).
 */
struct mbox_msg *mbox_find_msg(struct mbox *mbox,
			       const struct mbox_sel *sel,
			       struct mbox_waiter **from)
{
	struct mbox_waiter *s;
	struct mbox_msg *msg;

	lockdep_assert_held(&mbox->lock);

	*from = NULL;
	if (mbox->nr_msgs) {
		msg = mbox_ix_msg(mbox_ix_select(&mbox->msgs, sel));
		if (msg)
			return msg;
	}
	if (!mbox->nr_senders)
		return NULL;
	s = mbox_ix_waiter(mbox_ix_select(&mbox->senders, sel));
	if (!s)
		return NULL;
	*from = s;
	return s->msg;
}

/* The longest-waiting sender, or NULL. */
static struct mbox_waiter *mbox_first_sender(struct mbox *mbox)
{
	lockdep_assert_held(&mbox->lock);

	if (!mbox->nr_senders)
		return NULL;
	return mbox_ix_waiter(mbox_ix_first(&mbox->senders));
}

/*
 * Take @msg, found by mbox_find_msg() (from waiting sender @from, or NULL),
 * for the current task, at time @now.  A slot it frees goes to the
 * longest-waiting sender.
 */
void mbox_take(struct mbox *mbox, struct mbox_msg *msg,
	       struct mbox_waiter *from, struct list_head *done,
	       u64 now)
{
	lockdep_assert_held(&mbox->lock);

	if (from) {
		/* Straight from a waiting sender: it never took a slot. */
		mbox_account_send(mbox, msg);
		mbox_claim(mbox, from, 0, done);
	} else {
		mbox_queue_del(mbox, msg);
		/* The slot goes to the longest-waiting sender, if any. */
		from = mbox_first_sender(mbox);
		if (from && mbox->nr_msgs < mbox->capacity) {
			mbox_account_send(mbox, from->msg);	/* its seq */
			mbox_queue_add(mbox, from->msg);
			mbox_claim(mbox, from, 0, done);
		}
	}
	mbox_account_recv(mbox, msg, current, now);
}

/**
 * mbox_kill_queue() - mark a mailbox dead, free its messages, fail its waiters
 * @mbox:	the mailbox, already unpublished.
 *
 * Waiters fail with -EIDRM; a waiting sender keeps its message and frees
 * it.  Pollers see EPOLLHUP.  Under the lock, the indexes are only taken
 * off the mailbox; their messages and waiters are seen to after it.
 */
void mbox_kill_queue(struct mbox *mbox)
{
	struct rb_root msgs, senders, rx_all, rx_type, rx_except;
	struct mbox_msg *msg, *tmp;

	spin_lock_irq(&mbox->lock);
	trace_mbox_destroy(mbox);
	mbox->dead = true;
	mbox_ring_flag(mbox, MBOX_RING_DEAD, MBOX_RING_REFILL);
	mbox_ns_queued(mbox->ns, -(s64)mbox->nr_msgs, -(s64)mbox->nr_bytes);
	msgs = mbox->msgs.root;
	senders = mbox->senders.root;
	rx_all = mbox->rx_all.root;
	rx_type = mbox->rx_type.root;
	rx_except = mbox->rx_except.root;
	mbox->msgs.root = RB_ROOT;
	mbox->senders.root = RB_ROOT;
	mbox->rx_all.root = RB_ROOT;
	mbox->rx_type.root = RB_ROOT;
	mbox->rx_except.root = RB_ROOT;
	mbox->nr_msgs = 0;
	mbox->nr_bytes = 0;
	mbox->nr_senders = 0;
	mbox->nr_receivers = 0;
	spin_unlock_irq(&mbox->lock);

	mbox_fail_waiters(&senders);
	mbox_fail_waiters(&rx_all);
	mbox_fail_waiters(&rx_type);
	mbox_fail_waiters(&rx_except);
	wake_up_interruptible_poll(&mbox->poll_wq, EPOLLHUP | EPOLLERR);

	rbtree_postorder_for_each_entry_safe(msg, tmp, &msgs, ix.rb)
		mbox_msg_put(msg);
}

/**
 * mbox_set_capacity() - change a mailbox's capacity (MBOX_IOC_SET)
 * @mbox:	the mailbox, referenced.
 * @capacity:	the new capacity, 0 only if it was 0.
 *
 * Messages queued beyond a lower capacity stay; senders wait until they
 * drain.  A higher capacity admits the messages of waiting senders at
 * once, longest-waiting first, as a receive that frees a slot does.
 *
 * Context: process context.
 */
void mbox_set_capacity(struct mbox *mbox, u32 capacity)
{
	struct mbox_waiter *s;
	LIST_HEAD(done);

	spin_lock_irq(&mbox->lock);
	WRITE_ONCE(mbox->capacity, capacity);
	while (!mbox->dead && mbox->nr_msgs < mbox->capacity) {
		s = mbox_first_sender(mbox);
		if (!s)
			break;
		mbox_account_send(mbox, s->msg);	/* its seq */
		mbox_queue_add(mbox, s->msg);
		mbox_claim(mbox, s, 0, &done);
	}
	mbox_unlock_complete(mbox, &done, true);
}

/**
 * mbox_poll_mask() - what read() and write() on a mailbox file would do now
 * @mbox:	the mailbox.
 *
 * Return: EPOLLIN if a receive would not wait (a message is queued or a
 * sender waits), EPOLLOUT if a send would not wait (a slot is free or a
 * receiver waits), EPOLLHUP | EPOLLERR once the mailbox is destroyed.
 */
__poll_t mbox_poll_mask(struct mbox *mbox)
{
	__poll_t mask = 0;

	spin_lock_irq(&mbox->lock);
	if (mbox->dead) {
		mask = EPOLLHUP | EPOLLERR;
	} else {
		if (mbox->nr_msgs || mbox->nr_senders)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (mbox->nr_msgs < mbox->capacity || mbox->nr_receivers)
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	spin_unlock_irq(&mbox->lock);
	return mask;
}
