// SPDX-License-Identifier: GPL-2.0
/*
 * mbox: mailbox message passing for processes, through /dev/mbox.
 *
 * Files:
 *   main.c     the module, its parameters and the misc device
 *   ioctl.c    the ioctl ABI: argument checks, copies, dispatch
 *   mailbox.c  the id registry and each mailbox's lifetime
 *   queue.c    sending, receiving and waiting
 *   msg.c      message storage
 *
 * Locking
 * =======
 *
 * Lock order, outermost first:
 *
 *   1. the registry's xa_lock   (create and destroy only)
 *   2. mbox->lock               (one mailbox's queue and counters)
 *   3. a wait queue's lock      (inside wait_event/wake_up only)
 *
 * No lock is taken while another is held: destroy takes the xa_lock to
 * unpublish a mailbox and drops it before taking mbox->lock; wake-ups are
 * issued after mbox->lock is dropped, and waiters drop mbox->lock before
 * they sleep.  Should a nesting ever be needed, it must follow the order
 * above.
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

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "ioctl.h"
#include "mailbox.h"

/* The largest max_msg_size this module accepts at load time: 16 MiB. */
#define MBOX_MSG_SIZE_LIMIT	(16U << 20)

unsigned int mbox_max_mailboxes = 4096;
module_param_named(max_mailboxes, mbox_max_mailboxes, uint, 0444);
MODULE_PARM_DESC(max_mailboxes, "most mailboxes that may exist at once (default 4096)");

unsigned int mbox_max_capacity = 65536;
module_param_named(max_capacity, mbox_max_capacity, uint, 0444);
MODULE_PARM_DESC(max_capacity, "largest capacity of a mailbox, in messages (default 65536)");

unsigned int mbox_max_msg_size = 65536;
module_param_named(max_msg_size, mbox_max_msg_size, uint, 0444);
MODULE_PARM_DESC(max_msg_size, "largest message size of a mailbox, in bytes (default 65536, at most 16 MiB)");

static const struct file_operations mbox_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.llseek		= no_llseek,
	.unlocked_ioctl	= mbox_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/*
 * Mode 0666: access control is to be per mailbox, not per device node.
 * ABI version 1 has none yet: any user may use or destroy any mailbox.
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

	if (!mbox_max_mailboxes || !mbox_max_capacity ||
	    mbox_max_msg_size > MBOX_MSG_SIZE_LIMIT) {
		pr_err("invalid limits: max_mailboxes and max_capacity must be positive, max_msg_size at most %u\n",
		       MBOX_MSG_SIZE_LIMIT);
		return -EINVAL;
	}

	ret = misc_register(&mbox_miscdev);
	if (ret) {
		pr_err("cannot register /dev/mbox: %d\n", ret);
		return ret;
	}
	return 0;
}

/*
 * The device's files pin the module through fops.owner, so at exit no
 * file is open and no ioctl is running.
 */
static void __exit mbox_exit(void)
{
	misc_deregister(&mbox_miscdev);
	mbox_destroy_all();
}

module_init(mbox_init);
module_exit(mbox_exit);

MODULE_DESCRIPTION("Mailbox message passing through /dev/mbox");
MODULE_AUTHOR("The mbox developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
