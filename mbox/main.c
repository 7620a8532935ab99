// SPDX-License-Identifier: GPL-2.0
/*
 * mbox: mailbox message passing for processes, through /dev/mbox.
 *
 * Files:
 *   main.c     the module, its parameters and the misc device
 *   ioctl.c    the ioctl ABI: argument checks, copies, the data calls,
 *              dispatch
 *   ioctl_admin.c  the calls that manage mailboxes (create, stat, set...)
 *   mailbox.c  the id registry and each mailbox's lifetime
 *   queue.c    the queue and its indexes, hand-off (queue.h: shared by
 *              the queue*.c files)
 *   queue_wait.c  waiting, and completing waiters after the unlock
 *   queue_send.c  the send calls
 *   queue_recv.c  the receive calls
 *   queue_ring.c  the queue's side of a receive ring: attach, refill
 *   index.c    the indexes of queued messages and of waiters
 *   fd.c       files bound to one mailbox: read, write, poll
 *   names.c    names, unique per IPC namespace
 *   ns.c       IPC namespaces: a pinned record each, and the reaper
 *   perm.c     ownership and permissions
 *   limits.c   the limits (module parameters), per-user records, the pool
 *   msg.c      message storage
 *   proc.c     /proc/mbox, the text view of every mailbox
 *   trace.c    the tracepoints of trace.h
 *   kapi.c     the kernel API (include/linux/mbox.h)
 *
 * Locking
 * =======
 *
 * Lock order, outermost first:
 *
 *   1. mbox_names_lock (mutex)  (names and namespace records; create,
 *                               destroy, lookup, stat of named
 *                               mailboxes, the reaper; never
 *                               send/receive)
 *   2. mbox_owner_lock          (auto-destroy ownership links)
 *   3. the registry's xa_lock   (create and destroy only)
 *   3a. a ring's refill_lock    (mutex; MBOX_IOC_RING_WAIT's refills of
 *                               one ring, ring.c)
 *   4. mbox->lock               (one mailbox's queue, waiters, counters,
 *                               its ring's producer position and flags;
 *                               IRQ-safe)
 *   5. the scheduler's locks    (wake_up_process), and the poll wait
 *                               queue's lock (wake_up_poll), a ring's
 *                               wait queue's lock included
 *
 * mbox->lock is taken in hard-IRQ context: mbox_ksend() may be called from
 * an interrupt handler or an hrtimer.  So every process-context acquisition
 * disables interrupts (spin_lock_irq; its callers always run with
 * interrupts enabled), and the one path for any context,
 * mbox_send_atomic(), uses spin_lock_irqsave.  Otherwise an interrupt
 * that sends to a mailbox whose lock its CPU holds would deadlock.  That
 * path takes nothing else of ours: no mutex (names are resolved before,
 * in process context), no allocation under the lock (the message is
 * allocated GFP_NOWAIT before it, and charged to no user), and its
 * wake-ups (wake_up_process, wake_up_interruptible_poll) and tracepoints
 * are IRQ-safe.  Locks 1 to 3 and the limits' locks are never taken in
 * interrupt context.
 *
 * Since holding mbox->lock keeps interrupts off, no hold walks the queue
 * or the waiters: searches go through indexes in O(log n) steps (queue.c,
 * index.c), a batch moves at most MBOX_BATCH_CHUNK messages per hold, and
 * destroy detaches what it frees and fails under the lock, then does it
 * after.
 *
 * A create holds mbox_names_lock while it allocates, pins the
 * namespace (a work item it waits for, which takes none of these locks),
 * links the owner (2) and publishes the id (3); destroy holds it around
 * xa_erase (3).  Otherwise no lock is taken while another is held: 2, 3
 * and 4 are each dropped before the next is taken, and wake-ups are
 * issued after mbox->lock is dropped (queue_wait.c: waiters are "claimed"
 * under the lock and woken after it).  Two exceptions, both rare: a
 * ring's consumer is woken under mbox->lock when MBOX_RING_REFILL or
 * MBOX_RING_DEAD is newly set (ring.c, mbox_ring_flag()), and a refill
 * takes mbox->lock inside its ring's refill_lock.  Records of a ring are
 * reserved under mbox->lock and written after it is dropped.
 *
 * Work items waited for are locks too.  A kernel API create (kapi.c) runs
 * in an item of the queue "mbox_kapi" and, holding mbox_names_lock, waits
 * for a pin item (ns.c) of the queue "mbox_pin"; so does a create from
 * userspace.  Each queue is mbox's own, with a rescuer (WQ_MEM_RECLAIM),
 * and no item waits for an item of its own queue: a pin never waits
 * behind the creates that wait for it.  "mbox_kapi" is ordered, since its
 * items all take mbox_names_lock.  The reaper (system_wq) takes
 * mbox_names_lock and waits for no item.
 *
 * Lookups by id take no lock: they walk the xarray under RCU and take a
 * reference with refcount_inc_not_zero(); a mailbox is freed an RCU grace
 * period after its last reference goes.  So the send and receive paths
 * take exactly one lock, their mailbox's.
 *
 * No copy to or from userspace and no allocation happens under mbox->lock:
 * a message is allocated and filled before the lock is taken, and copied
 * out after it is dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "ioctl.h"
#include "mailbox.h"

/* Each open file owns the mailboxes it creates with MBOX_CREATE_AUTODESTROY. */
static int mbox_open(struct inode *inode, struct file *file)
{
	struct mbox_owner *owner;

	owner = kmalloc(sizeof(*owner), GFP_KERNEL_ACCOUNT);
	if (!owner)
		return -ENOMEM;
	INIT_LIST_HEAD(&owner->owned);
	file->private_data = owner;
	return nonseekable_open(inode, file);
}

static int mbox_release(struct inode *inode, struct file *file)
{
	struct mbox_owner *owner = file->private_data;

	mbox_owner_release(owner);
	kfree(owner);
	return 0;
}

static const struct file_operations mbox_fops = {
	.owner		= THIS_MODULE,
	.open		= mbox_open,
	.release	= mbox_release,
	.unlocked_ioctl	= mbox_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/*
 * Mode 0666: access control is per mailbox (perm.c), not per device node.
 */
static struct miscdevice mbox_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "mbox",
	.fops	= &mbox_fops,
	.mode	= 0666,
};

static int __init mbox_init(void)
{
	int ret;

	/* The parameters were checked as they were set (limits.c). */
	ret = mbox_limits_init();
	if (ret)
		return ret;
	ret = mbox_ns_init();
	if (ret)
		goto err_limits;
	ret = mbox_kapi_init();
	if (ret)
		goto err_ns;
	ret = mbox_proc_init();
	if (ret) {
		pr_err("cannot create /proc/mbox: %d\n", ret);
		goto err_kapi;
	}
	ret = misc_register(&mbox_miscdev);
	if (ret) {
		pr_err("cannot register /dev/mbox: %d\n", ret);
		goto err_remove_proc;
	}
	return 0;

err_remove_proc:
	mbox_proc_exit();
err_kapi:
	mbox_kapi_exit();
err_ns:
	mbox_ns_exit();
err_limits:
	mbox_limits_exit();
	return ret;
}

/*
 * The device's files pin the module through fops.owner, so at exit no
 * file is open and no ioctl is running.
 */
static void __exit mbox_exit(void)
{
	misc_deregister(&mbox_miscdev);
	mbox_proc_exit();
	mbox_kapi_exit();
	mbox_ns_exit();
	mbox_destroy_all();
	mbox_limits_exit();
}

module_init(mbox_init);
module_exit(mbox_exit);

MODULE_DESCRIPTION("Mailbox message passing through /dev/mbox");
MODULE_AUTHOR("The mbox developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
