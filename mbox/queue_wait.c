// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting and completing waiters: a blocked sender or receiver waits in
 * mbox_wait() until a completer publishes its result; completers claim
 * waiters under @mbox->lock and complete them, and tell pollers, after
 * dropping it.  See queue.c for the scheme.
 */
#include <linux/errno.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/poll.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

#include "mailbox.h"
#include "queue.h"
#include "trace.h"

/* Take @w off its wait list, to be completed with @result after unlock. */
void mbox_claim(struct mbox *mbox, struct mbox_waiter *w, int result,
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
void mbox_complete(struct list_head *done)
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
void mbox_complete_sync(struct list_head *done)
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
void mbox_unlock_complete(struct mbox *mbox, struct list_head *done,
			  bool changed)
	__releases(&mbox->lock)
{
	bool pollers = changed && mbox_pollers(mbox);

	spin_unlock_irq(&mbox->lock);
	mbox_complete(done);
	mbox_poll_notify(mbox, pollers);
}

/*
 * Wait until a completer publishes a result for @w, the deadline passes or
 * a signal comes.  Called with @mbox->lock held; returns with it dropped,
 * after completing the waiters the caller claimed on @done.
 * A signal gives -ERESTARTNOHAND: EINTR when a handler runs (never
 * restarted, as SysV msgsnd/msgrcv), a transparent restart otherwise.
 */
int mbox_wait(struct mbox *mbox, struct mbox_waiter *w,
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

/*
 * Fail with -EIDRM every waiter of @root, a tree taken off a dead mailbox.
 * No lock held: each waiter stays until its result is published (see
 * mbox_wait()), and a postorder walk reads only entries not yet visited.
 */
void mbox_fail_waiters(struct rb_root *root)
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
