// SPDX-License-Identifier: GPL-2.0
/*
 * Sending and receiving: the bounded FIFO, hand-off to waiters, waiting.
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
 * waiting peekers or too-small receivers select, and a capacity raised by
 * MBOX_IOC_SET; each waiter is completed once, for the call that made it
 * wait.  Destroy completes its waiters after dropping the lock.
 */
#include <linux/errno.h>
#include <linux/hrtimer.h>
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
#include <linux/sched/task.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

#include "mailbox.h"
#include "msg.h"
#include "ring.h"
#include "trace.h"

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

static bool mbox_selects(const struct mbox_sel *sel, const struct mbox_msg *msg)
{
	if (sel->flags & MBOX_RECV_TYPE)
		return msg->type == sel->type;
	if (sel->flags & MBOX_RECV_EXCEPT)
		return msg->type != sel->type;
	return true;
}

static bool mbox_fits(const struct mbox_sel *sel, const struct mbox_msg *msg)
{
	return msg->len <= sel->size || (sel->flags & MBOX_RECV_TRUNC);
}

static void mbox_set_pid(struct pid **slot, struct pid *pid)
{
	if (*slot != pid) {
		put_pid(*slot);
		*slot = get_pid(pid);
	}
}

/*
 * @msg enters the mailbox's custody: queued, or given to a receiver.  It is
 * numbered now, so sequence numbers have no gaps: a send that waits and
 * then fails never had one.
 */
static void mbox_account_send(struct mbox *mbox, struct mbox_msg *msg)
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
static bool mbox_ring_reserve_msg(struct mbox *mbox, struct mbox_msg *msg,
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
 * Queue @msg, already numbered by mbox_account_send().  The queue is
 * indexed by (type, seq), and seq order is acceptance order, so a message
 * put back after a failed receive (which a selective receive may have taken
 * from the middle) goes back where it was, in O(log n) steps.
 */
static void mbox_queue_add(struct mbox *mbox, struct mbox_msg *msg)
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

static struct mbox_waiter *mbox_ix_waiter(struct mbox_ix *ix)
{
	return ix ? container_of(ix, struct mbox_waiter, ix) : NULL;
}

/* The index of waiting receivers that holds receivers selecting as @sel. */
static struct mbox_ixtree *mbox_rx_tree(struct mbox *mbox,
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
static u32 mbox_rx_size(const struct mbox_sel *sel)
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

/* Take @w off its wait list, to be completed with @result after unlock. */
static void mbox_claim(struct mbox *mbox, struct mbox_waiter *w, int result,
		       struct list_head *done)
{
	lockdep_assert_held(&mbox->lock);

	if (w->sel)
		mbox->nr_receivers--;
	else
		mbox->nr_senders--;
	mbox_ix_erase(w->tree, &w->ix);
	list_add_tail(&w->link, done);
	w->claimed = true;
	w->result = result;
}

/* Publish the results of the waiters claimed on @done.  No lock held. */
static void mbox_complete(struct list_head *done)
{
	struct mbox_waiter *w, *next;

	list_for_each_entry_safe(w, next, done, link) {
		struct task_struct *task = get_task_struct(w->task);

		/* After this store the waiter may return: @w is gone. */
		smp_store_release(&w->state, w->result);
		wake_up_process(task);
		put_task_struct(task);
	}
}

/*
 * Wake @task as wake_up_process() does, but with the synchronous hint
 * (WF_SYNC) that only a wait-queue wake-up carries: the waker is about to
 * sleep, so the scheduler may run @task on the waker's CPU.  The wait
 * queue is a private one on our stack, with @task's entry alone on it.
 */
static void mbox_wake_sync(struct task_struct *task)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(wq);
	struct wait_queue_entry entry;

	init_waitqueue_entry(&entry, task);
	__add_wait_queue(&wq, &entry);
	__wake_up_sync_key(&wq, TASK_NORMAL, NULL);
}

/* mbox_complete(), the wake-ups with the synchronous hint. */
static void mbox_complete_sync(struct list_head *done)
{
	struct mbox_waiter *w, *next;

	list_for_each_entry_safe(w, next, done, link) {
		struct task_struct *task = get_task_struct(w->task);

		/* After this store the waiter may return: @w is gone. */
		smp_store_release(&w->state, w->result);
		mbox_wake_sync(task);
		put_task_struct(task);
	}
}

/*
 * Whether a change made under @mbox->lock must be told to pollers: asked
 * before the lock is dropped, the wake-up issued after it.  No barrier is
 * needed, unlike wq_has_sleeper()'s: a poller queues itself on @poll_wq
 * before mbox_poll_mask() takes @mbox->lock.  So either its lock section
 * comes after ours, and it sees our change, or before, and then its entry
 * was queued before we took the lock, and we see it.
 */
static bool mbox_pollers(struct mbox *mbox)
{
	lockdep_assert_held(&mbox->lock);

	/* Ordered by @mbox->lock against mbox_poll_mask(): see above. */
	return waitqueue_active(&mbox->poll_wq);
}

/* Tell pollers the mailbox changed, if mbox_pollers() saw any.  No lock. */
static void mbox_poll_notify(struct mbox *mbox, bool pollers)
{
	if (pollers)
		wake_up_interruptible_poll(&mbox->poll_wq,
					   EPOLLIN | EPOLLRDNORM |
					   EPOLLOUT | EPOLLWRNORM);
}

/* The same, for a change made by someone else while we waited. */
static void mbox_poll_notify_unlocked(struct mbox *mbox)
{
	mbox_poll_notify(mbox, wq_has_sleeper(&mbox->poll_wq));
}

/**
 * mbox_unlock_complete() - end a lock hold that may have changed the mailbox
 * @mbox:	the mailbox, locked with spin_lock_irq().
 * @done:	the waiters claimed during the hold, to complete.
 * @changed:	whether the hold changed what pollers see.
 *
 * Asks mbox_pollers() while the lock is still held, if @changed, then
 * releases @mbox->lock (enabling interrupts), completes the waiters on
 * @done and wakes the pollers: every wake-up comes after the unlock.
 *
 * Context: process context, @mbox->lock held; returns with it released.
 */
static void mbox_unlock_complete(struct mbox *mbox, struct list_head *done,
				 bool changed)
	__releases(&mbox->lock)
{
	bool pollers = changed && mbox_pollers(mbox);

	spin_unlock_irq(&mbox->lock);
	mbox_complete(done);
	mbox_poll_notify(mbox, pollers);
}

/*
 * The first waiting receiver that would take @msg (not a peeker, and @msg
 * fits), or NULL.  O(log n), however many receivers are too small for it.
 */
static struct mbox_waiter *mbox_find_taker(struct mbox *mbox,
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
static bool mbox_hand_off(struct mbox *mbox, struct mbox_msg *msg,
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
static bool mbox_place(struct mbox *mbox, struct mbox_msg *msg,
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

/*
 * Wait until a completer publishes a result for @w, the deadline passes or
 * a signal comes.  Called with @mbox->lock held; returns with it dropped,
 * after completing the waiters the caller claimed on @done.
 * A signal gives -ERESTARTNOHAND: EINTR when a handler runs (never
 * restarted, as SysV msgsnd/msgrcv), a transparent restart otherwise.
 */
static int mbox_wait(struct mbox *mbox, struct mbox_waiter *w,
		     ktime_t deadline, struct list_head *done)
	__releases(&mbox->lock)
{
	int state, ret;

	lockdep_assert_held(&mbox->lock);

	w->task = current;
	w->claimed = false;
	w->state = MBOX_WAITING;
	w->since = trace_mbox_wake_enabled() ? ktime_get_ns() : 0;
	w->ix.order = ++mbox->ticket;
	if (w->sel) {
		w->tree = mbox_rx_tree(mbox, w->sel);
		w->ix.type = w->tree == &mbox->rx_all ? 0 : w->sel->type;
		w->ix.size = mbox_rx_size(w->sel);
		mbox->nr_receivers++;
	} else {
		w->tree = &mbox->senders;
		w->ix.type = w->msg->type;
		w->ix.size = 0;
		mbox->nr_senders++;
	}
	mbox_ix_insert(w->tree, &w->ix);
	trace_mbox_block(mbox, !!w->sel);
	/* With capacity 0, a waiter makes the other side ready. */
	mbox_unlock_complete(mbox, done, true);

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		/* Pairs with mbox_complete(): see what the completer set. */
		state = smp_load_acquire(&w->state);
		if (state != MBOX_WAITING) {
			__set_current_state(TASK_RUNNING);
			return state;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTNOHAND;
			break;
		}
		if (deadline == KTIME_MAX) {
			schedule();
		} else if (!schedule_hrtimeout_range(&deadline,
						     current->timer_slack_ns,
						     HRTIMER_MODE_ABS)) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	__set_current_state(TASK_RUNNING);

	spin_lock_irq(&mbox->lock);
	/* A dead mailbox's waiters are failed by mbox_kill_queue(). */
	if (!w->claimed && !mbox->dead) {
		if (w->sel)
			mbox->nr_receivers--;
		else
			mbox->nr_senders--;
		mbox_ix_erase(w->tree, &w->ix);
		spin_unlock_irq(&mbox->lock);
		return ret;
	}
	spin_unlock_irq(&mbox->lock);

	/* Claimed (or failed) before we gave up: the completer wins. */
	for (;;) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		/* Pairs with mbox_complete(), as above. */
		state = smp_load_acquire(&w->state);
		if (state != MBOX_WAITING)
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return state;
}

/* True if a call with these flags and deadline may not wait. */
static bool mbox_no_wait(unsigned int flags, ktime_t deadline)
{
	return (flags & MBOX_NONBLOCK) ||
	       (deadline != KTIME_MAX && ktime_compare(deadline, ktime_get()) <= 0);
}

static int mbox_no_wait_error(unsigned int flags)
{
	return (flags & MBOX_NONBLOCK) ? -EAGAIN : -ETIMEDOUT;
}

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
	if (mbox_ring_reserve_msg(mbox, msg, &resv)) {
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

/**
 * mbox_give_back() - put back a message whose delivery failed
 * @mbox:	the mailbox it was taken from.
 * @msg:	the message, owned by the caller (not a peek reference).
 *
 * It goes where it was in the queue, or to a receiver waiting for it.
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
static struct mbox_msg *mbox_find_msg(struct mbox *mbox,
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
static void mbox_take(struct mbox *mbox, struct mbox_msg *msg,
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

/*
 * Fail with -EIDRM every waiter of @root, a tree taken off a dead mailbox.
 * No lock held: each waiter stays until its result is published (see
 * mbox_wait()), and a postorder walk reads only entries not yet visited.
 */
static void mbox_fail_waiters(struct rb_root *root)
{
	struct mbox_waiter *w, *next;
	struct task_struct *task;

	rbtree_postorder_for_each_entry_safe(w, next, root, ix.rb) {
		task = get_task_struct(w->task);
		/* After this store the waiter may return: @w is gone. */
		smp_store_release(&w->state, -EIDRM);
		wake_up_process(task);
		put_task_struct(task);
	}
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
