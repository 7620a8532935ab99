// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_tick: a clock that wakes processes through mailboxes.
 *
 * An hrtimer, expiring in hard-IRQ context, posts a tick message
 *
 *	struct mbox_tick_msg { __u64 tick; __u64 ns; };	(type 1)
 *
 * (the tick number from 1 and the CLOCK_MONOTONIC time it fired) into one
 * mailbox per subscriber, named "kernel.tick.0" to "kernel.tick.N-1" (names
 * that only the kernel API gives, MBOX_KERNEL_NAME_PREFIX) in the initial IPC
 * namespace, @hz times a second.  A tick that a mailbox cannot take (full,
 * out of memory, destroyed) is dropped and counted for that subscriber.
 *
 * One mailbox per subscriber, not a broadcast send: a mailbox is a queue
 * whose messages each go to one receiver, so a broadcast would have to be
 * a send to a set of mailboxes anyway; owning the set here keeps mbox's
 * send path a single-lock operation and lets each subscriber fall behind
 * (and drop ticks) on its own without holding back the others.
 *
 * If userspace destroys a subscriber's mailbox, the timer sees -EIDRM and
 * a work item creates a new one under the same name (unless the create
 * fails: then it retries at the next tick).  The timer reads
 * the mailbox pointers under RCU; the work item swaps one and waits for a
 * grace period before it drops the old reference.
 *
 * Parameters (read-only in /sys/module/mbox_tick/parameters/):
 *   hz=1000          ticks per second (1 to 100000)
 *   subscribers=4    mailboxes, one per subscriber (1 to 64)
 *   capacity=64      each mailbox's capacity
 *   mode=0644        their permission bits (owner root): anyone may
 *                    subscribe, only root may send or destroy
 *   count=0          stop after this many ticks (0: never)
 *   selftest=0       at load, check the kernel API from process context
 *                    and a kernel thread first, and refuse to load if a
 *                    check fails
 *   deputy=0         at load, act as a driver that the loading process
 *                    hands this mailbox id: deputy_kget tells what
 *                    mbox_kget() gave (0 or -errno), deputy_read and
 *                    deputy_write what mbox_kget_user() gave for
 *                    MAY_READ and MAY_WRITE
 *   storm=0          kernel threads that look "kernel.tick.0" up in a loop until
 *                    unload (0 to 1024), so that many kernel API work
 *                    items wait for mbox's name lock at once: tick_test
 *                    checks that creates still finish meanwhile
 * and the figures, updated as it runs:
 *   ticks            ticks fired
 *   hardirq_ticks    of which in hard-IRQ context (all, on a kernel where
 *                    hrtimers expire in hard IRQ)
 *   overruns         timer periods that passed without a tick (the timer
 *                    fired late)
 *   dropped          per subscriber: ticks it did not get
 *   nomem            ticks dropped because a message could not be allocated
 *   renewed          mailboxes re-created after userspace destroyed them
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mbox.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "compat.h"

#define MBOX_TICK_TYPE		1
#define MBOX_TICK_MAX_SUBS	64
#define MBOX_TICK_MAX_HZ	100000

struct mbox_tick_msg {
	u64 tick;
	u64 ns;
};

static unsigned int hz = 1000;
module_param(hz, uint, 0444);
MODULE_PARM_DESC(hz, "ticks per second (1 to 100000, default 1000)");

static unsigned int subscribers = 4;
module_param(subscribers, uint, 0444);
MODULE_PARM_DESC(subscribers, "mailboxes kernel.tick.0 to kernel.tick.N-1, one per subscriber (1 to 64, default 4)");

static unsigned int capacity = 64;
module_param(capacity, uint, 0444);
MODULE_PARM_DESC(capacity, "capacity of each mailbox (default 64)");

static ushort mode = 0644;
module_param(mode, ushort, 0444);
MODULE_PARM_DESC(mode, "permission bits of the mailboxes, owned by root (default 0644: anyone may receive, only root send)");

static unsigned long count;
module_param(count, ulong, 0444);
MODULE_PARM_DESC(count, "stop after this many ticks (default 0: never)");

static bool selftest;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "check the kernel API from process context and a kthread at load (default no)");

#define MBOX_TICK_MAX_STORM	1024

static unsigned int storm;
module_param(storm, uint, 0444);
MODULE_PARM_DESC(storm, "kernel threads looking kernel.tick.0 up in a loop until unload (0 to 1024, default 0)");

static unsigned int deputy;
module_param(deputy, uint, 0444);
MODULE_PARM_DESC(deputy, "at load, look this mailbox id up as a driver given it by the loading process (default 0: none)");

/* What the deputy lookups gave: 0 or -errno. */
static int deputy_kget, deputy_read, deputy_write;
module_param(deputy_kget, int, 0444);
MODULE_PARM_DESC(deputy_kget, "mbox_kget(deputy): 0 or -errno");
module_param(deputy_read, int, 0444);
MODULE_PARM_DESC(deputy_read, "mbox_kget_user(deputy, MAY_READ): 0 or -errno");
module_param(deputy_write, int, 0444);
MODULE_PARM_DESC(deputy_write, "mbox_kget_user(deputy, MAY_WRITE): 0 or -errno");

/* Written by the timer callback only (or the work item: renewed). */
static unsigned long ticks;
module_param(ticks, ulong, 0444);
MODULE_PARM_DESC(ticks, "ticks fired");

static unsigned long hardirq_ticks;
module_param(hardirq_ticks, ulong, 0444);
MODULE_PARM_DESC(hardirq_ticks, "ticks fired in hard-IRQ context");

static unsigned long overruns;
module_param(overruns, ulong, 0444);
MODULE_PARM_DESC(overruns, "timer periods that passed without a tick");

static unsigned long dropped[MBOX_TICK_MAX_SUBS];
static unsigned int nr_dropped;
module_param_array(dropped, ulong, &nr_dropped, 0444);
MODULE_PARM_DESC(dropped, "per subscriber, ticks it did not get (full, no memory, destroyed)");

static unsigned long nomem;
module_param(nomem, ulong, 0444);
MODULE_PARM_DESC(nomem, "ticks dropped for want of memory");

static unsigned long renewed;
module_param(renewed, ulong, 0444);
MODULE_PARM_DESC(renewed, "mailboxes re-created after a destroy");

static struct mbox __rcu *subs[MBOX_TICK_MAX_SUBS];
static struct task_struct **storm_tasks;
static DECLARE_BITMAP(renew_mask, MBOX_TICK_MAX_SUBS);
static struct hrtimer tick_timer;
static ktime_t period;

/* The counters have one writer and are read by sysfs at any time. */
static void mbox_tick_inc(unsigned long *counter, unsigned long n)
{
	WRITE_ONCE(*counter, *counter + n);
}

static void mbox_tick_name(char *buf, unsigned int i)
{
	snprintf(buf, MBOX_NAME_MAX, MBOX_KERNEL_NAME_PREFIX "tick.%u", i);
}

/* Re-create the mailboxes the timer found destroyed.  Process context. */
static void mbox_tick_renew_fn(struct work_struct *work)
{
	char name[MBOX_NAME_MAX];
	struct mbox *old, *new;
	unsigned int i;

	for_each_set_bit(i, renew_mask, subscribers) {
		clear_bit(i, renew_mask);
		mbox_tick_name(name, i);
		new = mbox_kcreate(capacity, sizeof(struct mbox_tick_msg),
				   mode, name);
		if (IS_ERR(new))
			continue;	/* the next tick asks again */
		/* Only this work item (and init and exit) write subs[]. */
		old = rcu_replace_pointer(subs[i], new, true);
		synchronize_rcu();
		/* The timer saw the old one dead: forget what it said since. */
		clear_bit(i, renew_mask);
		mbox_kdestroy(old);
		mbox_tick_inc(&renewed, 1);
	}
}

static DECLARE_WORK(renew_work, mbox_tick_renew_fn);

static enum hrtimer_restart mbox_tick_fire(struct hrtimer *timer)
{
	struct mbox_tick_msg msg;
	unsigned int i;
	u64 missed;
	int ret;

	if (in_hardirq())
		mbox_tick_inc(&hardirq_ticks, 1);
	mbox_tick_inc(&ticks, 1);
	msg.tick = ticks;
	msg.ns = ktime_get_ns();

	/* Hard IRQ context is an RCU read-side section; this says so. */
	rcu_read_lock();
	for (i = 0; i < subscribers; i++) {
		ret = mbox_ksend(rcu_dereference(subs[i]), MBOX_TICK_TYPE,
				 &msg, sizeof(msg));
		if (!ret)
			continue;
		mbox_tick_inc(&dropped[i], 1);
		if (ret == -ENOMEM)
			mbox_tick_inc(&nomem, 1);
		if (ret == -EIDRM && !test_and_set_bit(i, renew_mask))
			schedule_work(&renew_work);
	}
	rcu_read_unlock();

	if (count && ticks >= count)
		return HRTIMER_NORESTART;
	missed = hrtimer_forward_now(timer, period);
	if (missed > 1)
		mbox_tick_inc(&overruns, missed - 1);
	return HRTIMER_RESTART;
}

/* Log a failed check of the selftest; returns whether it passed. */
static bool mbox_tick_check(bool ok, int line, const char *what)
{
	if (!ok)
		pr_err("selftest: line %d: %s\n", line, what);
	return ok;
}

#define TICK_CHECK(cond)	mbox_tick_check((cond), __LINE__, #cond)

/* A kernel thread blocked in mbox_krecv(), for the selftest. */
struct mbox_tick_waiter {
	struct mbox *mbox;
	u64 buf[3];
	struct mbox_kmsg info;
	ssize_t ret;
	struct completion done;
};

static int mbox_tick_waiter_fn(void *data)
{
	struct mbox_tick_waiter *w = data;

	w->ret = mbox_krecv(w->mbox, w->buf, sizeof(w->buf), MBOX_TIMEOUT,
			    0, 10 * NSEC_PER_SEC, &w->info);
	complete(&w->done);
	return 0;
}

/*
 * Start a kernel thread that receives from @mbox, wait until it sleeps in
 * mbox_krecv(), then send @buf with mbox_ksend() (which must not fail: a
 * receiver waits) or destroy @mbox.  Returns what the thread's receive
 * returned, or -EBUSY if the send failed.
 */
static ssize_t mbox_tick_kthread_recv(struct mbox *mbox, const u64 *buf,
				      size_t len, bool destroy,
				      struct mbox_tick_waiter *w)
{
	struct task_struct *task;
	ssize_t ret = 0;
	int i;

	/* The thread's own reference: @mbox's may go with a destroy. */
	w->mbox = mbox_kget(mbox_kid(mbox));
	if (IS_ERR(w->mbox))
		return PTR_ERR(w->mbox);
	init_completion(&w->done);
	task = kthread_create(mbox_tick_waiter_fn, w, "mbox_tick_recv");
	if (IS_ERR(task)) {
		mbox_kput(w->mbox);
		return PTR_ERR(task);
	}
	get_task_struct(task);
	wake_up_process(task);
	/*
	 * Only mbox_krecv() sleeps interruptibly in this thread (a new
	 * kthread waits to be woken uninterruptibly), and it is on the
	 * mailbox's wait list by then.
	 */
	for (i = 0; i < 5000 && READ_ONCE(task->__state) != TASK_INTERRUPTIBLE;
	     i++)
		usleep_range(1000, 2000);
	if (destroy)
		mbox_kdestroy(mbox);
	else if (mbox_ksend(mbox, 9, buf, len))
		ret = -EBUSY;
	wait_for_completion(&w->done);
	put_task_struct(task);
	mbox_kput(w->mbox);
	return ret ?: w->ret;
}

/*
 * The kernel API from process context: send and receive, the limits and
 * errors, lookups, a kernel thread waiting to receive, and a mailbox
 * destroyed under a reference and under a waiter.  Runs before the timer
 * starts, with subs[0] created.
 */
static int mbox_tick_selftest(void)
{
	static struct mbox_tick_waiter w;
	u64 buf[3] = { 1, 2, 3 };
	struct mbox *mbox, *ref;
	struct mbox_kmsg info;
	u64 out[3] = {};
	bool ok = true;

	mbox = mbox_kcreate(1, sizeof(buf), 0600, NULL);
	if (IS_ERR(mbox))
		return PTR_ERR(mbox);

	ok &= TICK_CHECK(mbox_ksend(mbox, 7, buf, sizeof(buf) + 1) ==
			 -EMSGSIZE);
	ok &= TICK_CHECK(mbox_ksend(mbox, 7, buf, sizeof(buf)) == 0);
	ok &= TICK_CHECK(mbox_ksend(mbox, 7, buf, sizeof(buf)) == -EAGAIN);
	ok &= TICK_CHECK(mbox_krecv(mbox, out, 8, MBOX_NONBLOCK, 0, 0,
				    &info) == -EMSGSIZE &&
			 info.len == sizeof(buf));
	ok &= TICK_CHECK(mbox_krecv(mbox, out, sizeof(out), MBOX_NONBLOCK |
				    MBOX_RECV_TYPE, 8, 0, NULL) == -EAGAIN);
	ok &= TICK_CHECK(mbox_krecv(mbox, out, sizeof(out), MBOX_NONBLOCK |
				    MBOX_TIMEOUT, 0, 0, NULL) == -EINVAL);
	ok &= TICK_CHECK(mbox_krecv(mbox, out, sizeof(out), 0, 0, 5,
				    NULL) == -EINVAL);
	/* A receive that may wait, bounded should the send have failed. */
	ok &= TICK_CHECK(mbox_krecv(mbox, out, sizeof(out), MBOX_RECV_TYPE |
				    MBOX_TIMEOUT, 7, NSEC_PER_SEC, &info) ==
			 sizeof(buf));
	ok &= TICK_CHECK(!memcmp(out, buf, sizeof(buf)));
	ok &= TICK_CHECK(info.type == 7 && info.len == sizeof(buf) &&
			 info.seq == 1 && info.pid == 0 &&
			 uid_eq(info.uid, GLOBAL_ROOT_UID) && info.send_ns);
	ok &= TICK_CHECK(mbox_krecv(mbox, out, sizeof(out), MBOX_NONBLOCK, 0,
				    0, NULL) == -EAGAIN);
	ok &= TICK_CHECK(mbox_krecv(mbox, out, sizeof(out), MBOX_TIMEOUT, 0,
				    2 * NSEC_PER_MSEC, NULL) == -ETIMEDOUT);

	ref = mbox_kget(mbox_kid(mbox));
	ok &= TICK_CHECK(ref == mbox);
	if (!IS_ERR(ref))
		mbox_kput(ref);
	ok &= TICK_CHECK(mbox_kget_user(mbox_kid(mbox), 0) == ERR_PTR(-EINVAL));
	ok &= TICK_CHECK(mbox_kget_user(mbox_kid(mbox), MAY_EXEC) ==
			 ERR_PTR(-EINVAL));
	ok &= TICK_CHECK(mbox_kget_user(0, MAY_READ) == ERR_PTR(-ENOENT));
	ref = mbox_kget_by_name("kernel.tick.0");
	ok &= TICK_CHECK(ref == rcu_access_pointer(subs[0]));
	if (!IS_ERR(ref))
		mbox_kput(ref);
	ok &= TICK_CHECK(mbox_kget_by_name("kernel.tick/0") ==
			 ERR_PTR(-EINVAL));
	ok &= TICK_CHECK(mbox_kget_by_name("tick.0") == ERR_PTR(-EINVAL));
	ok &= TICK_CHECK(mbox_kget_by_name("kernel.no.such.tick") ==
			 ERR_PTR(-ENOENT));
	ok &= TICK_CHECK(mbox_kcreate(1, 8, 0600, "kernel.tick.0") ==
			 ERR_PTR(-EEXIST));
	ok &= TICK_CHECK(mbox_kcreate(1, 8, 0600, "tick.x") ==
			 ERR_PTR(-EINVAL));
	ok &= TICK_CHECK(mbox_kcreate(1, 8, 0600, "") == ERR_PTR(-EINVAL));
	ok &= TICK_CHECK(mbox_kcreate(1, 8, 01000, NULL) == ERR_PTR(-EINVAL));
	ok &= TICK_CHECK(mbox_kcreate(U32_MAX, 8, 0600, NULL) ==
			 ERR_PTR(-EINVAL));

	/* Destroyed under a second reference: both ends see -EIDRM. */
	ref = mbox_kget(mbox_kid(mbox));
	ok &= TICK_CHECK(!IS_ERR(ref));
	mbox_kdestroy(mbox);
	if (!IS_ERR(ref)) {
		ok &= TICK_CHECK(mbox_kget(mbox_kid(ref)) == ERR_PTR(-ENOENT));
		ok &= TICK_CHECK(mbox_ksend(ref, 7, buf, sizeof(buf)) ==
				 -EIDRM);
		ok &= TICK_CHECK(mbox_krecv(ref, out, sizeof(out), 0, 0, 0,
					    NULL) == -EIDRM);
		mbox_kput(ref);
	}

	/* A rendezvous: a kernel thread waits, the send is handed to it. */
	mbox = mbox_kcreate(0, sizeof(buf), 0600, NULL);
	if (IS_ERR(mbox))
		return PTR_ERR(mbox);
	ok &= TICK_CHECK(mbox_ksend(mbox, 9, buf, sizeof(buf)) == -EAGAIN);
	ok &= TICK_CHECK(mbox_tick_kthread_recv(mbox, buf, sizeof(buf), false,
						&w) == sizeof(buf));
	ok &= TICK_CHECK(!memcmp(w.buf, buf, sizeof(buf)) && w.info.type == 9);
	/* Destroyed while a kernel thread waits in it: -EIDRM. */
	ok &= TICK_CHECK(mbox_tick_kthread_recv(mbox, NULL, 0, true, &w) ==
			 -EIDRM);

	if (ok)
		pr_info("selftest: the kernel API checks passed\n");
	return ok ? 0 : -EINVAL;
}

/* A storm thread: look a name up, again and again, until stopped. */
static int mbox_tick_storm_fn(void *data)
{
	struct mbox *mbox;

	while (!kthread_should_stop()) {
		mbox = mbox_kget_by_name("kernel.tick.0");
		if (!IS_ERR(mbox))
			mbox_kput(mbox);
		cond_resched();
	}
	return 0;
}

/* Stop the first @n storm threads and free their array. */
static void mbox_tick_storm_stop(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		kthread_stop(storm_tasks[i]);
	kfree(storm_tasks);
	storm_tasks = NULL;
}

static int mbox_tick_storm_start(void)
{
	unsigned int i;
	int ret;

	if (!storm)
		return 0;
	storm_tasks = kcalloc(storm, sizeof(*storm_tasks), GFP_KERNEL);
	if (!storm_tasks)
		return -ENOMEM;
	for (i = 0; i < storm; i++) {
		storm_tasks[i] = kthread_run(mbox_tick_storm_fn, NULL,
					     "mbox_tick_storm");
		if (IS_ERR(storm_tasks[i])) {
			ret = PTR_ERR(storm_tasks[i]);
			mbox_tick_storm_stop(i);
			return ret;
		}
	}
	return 0;
}

static void mbox_tick_destroy_all(void)
{
	unsigned int i;

	for (i = 0; i < subscribers; i++) {
		struct mbox *mbox = rcu_dereference_protected(subs[i], true);

		if (mbox)
			mbox_kdestroy(mbox);
		RCU_INIT_POINTER(subs[i], NULL);
	}
}

/* 0, or the error of a lookup; drops the reference it took. */
static int mbox_tick_deputy_res(struct mbox *mbox)
{
	if (IS_ERR(mbox))
		return PTR_ERR(mbox);
	mbox_kput(mbox);
	return 0;
}

/*
 * Look @deputy up as a driver would that the loading process handed the
 * id (in an ioctl, say): in that process's context.
 */
static void mbox_tick_deputy(void)
{
	deputy_kget = mbox_tick_deputy_res(mbox_kget(deputy));
	deputy_read = mbox_tick_deputy_res(mbox_kget_user(deputy, MAY_READ));
	deputy_write = mbox_tick_deputy_res(mbox_kget_user(deputy,
							   MAY_WRITE));
}

static int __init mbox_tick_init(void)
{
	char name[MBOX_NAME_MAX];
	struct mbox *mbox;
	unsigned int i;
	int ret;

	if (!hz || hz > MBOX_TICK_MAX_HZ || !subscribers ||
	    subscribers > MBOX_TICK_MAX_SUBS || (mode & ~0777) ||
	    storm > MBOX_TICK_MAX_STORM) {
		pr_err("hz must be 1 to %u, subscribers 1 to %u, mode at most 0777, storm at most %u\n",
		       MBOX_TICK_MAX_HZ, MBOX_TICK_MAX_SUBS,
		       MBOX_TICK_MAX_STORM);
		return -EINVAL;
	}
	period = ns_to_ktime(NSEC_PER_SEC / hz);
	nr_dropped = subscribers;

	for (i = 0; i < subscribers; i++) {
		mbox_tick_name(name, i);
		mbox = mbox_kcreate(capacity, sizeof(struct mbox_tick_msg),
				    mode, name);
		if (IS_ERR(mbox)) {
			ret = PTR_ERR(mbox);
			pr_err("cannot create mailbox %s: %d\n", name, ret);
			/*
			 * A module's init must not return -EEXIST: that
			 * tells modprobe the module is loaded already (and
			 * 6.18 turns it into -EBUSY with a warning).
			 */
			if (ret == -EEXIST)
				ret = -EBUSY;
			goto err_destroy_mailboxes;
		}
		RCU_INIT_POINTER(subs[i], mbox);
	}

	if (deputy)
		mbox_tick_deputy();
	if (selftest) {
		ret = mbox_tick_selftest();
		if (ret)
			goto err_destroy_mailboxes;
	}
	ret = mbox_tick_storm_start();
	if (ret)
		goto err_destroy_mailboxes;

	/* _HARD: expire in hard-IRQ context even on PREEMPT_RT. */
	hrtimer_setup(&tick_timer, mbox_tick_fire, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_HARD);
	hrtimer_start(&tick_timer, period, HRTIMER_MODE_REL_HARD);
	return 0;

err_destroy_mailboxes:
	mbox_tick_destroy_all();
	return ret;
}

/*
 * Stop the storm, then the timer, so nothing sends or asks for a
 * renewal; then let a renewal in flight finish; then destroy the
 * mailboxes.  One that userspace destroyed already only loses its
 * reference.
 */
static void __exit mbox_tick_exit(void)
{
	if (storm_tasks)
		mbox_tick_storm_stop(storm);
	hrtimer_cancel(&tick_timer);
	cancel_work_sync(&renew_work);
	mbox_tick_destroy_all();
}

module_init(mbox_tick_init);
module_exit(mbox_tick_exit);

MODULE_DESCRIPTION("mbox sample: hrtimer ticks posted from hard IRQ into mailboxes");
MODULE_AUTHOR("The mbox developers");
MODULE_LICENSE("GPL");
