// SPDX-License-Identifier: GPL-2.0
/*
 * Files bound to one mailbox (MBOX_IOC_OPEN): read() receives one message,
 * write() sends one, poll() tells which of the two would not block, and
 * the data ioctls act on the mailbox without naming it (ioctl.c).
 * Such a file holds a reference to its mailbox, so it needs no lookup, but
 * not the mailbox's life: after a destroy it reports EPOLLHUP and EIDRM.
 */
#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>

#include "ioctl.h"
#include "mailbox.h"
#include "msg.h"
#include "ring.h"

struct mbox_fd_ctx {
	char __user *buf;
};

static int mbox_fd_deliver(const struct mbox_msg *msg, size_t len, void *data)
{
	struct mbox_fd_ctx *ctx = data;

	return mbox_msg_store(msg, ctx->buf, len);
}

static ssize_t mbox_fd_read(struct file *file, char __user *buf, size_t count,
			    loff_t *ppos)
{
	struct mbox_sel sel = {
		.flags = (file->f_flags & O_NONBLOCK) ? MBOX_NONBLOCK : 0,
		.size = count,
		.deadline = KTIME_MAX,
	};
	struct mbox_file *mf = file->private_data;
	struct mbox_fd_ctx ctx = { .buf = buf };
	size_t len;
	int ret;

	ret = mbox_recv(mf->mbox, &sel, &len, mbox_fd_deliver, &ctx);
	return ret ?: len;
}

static ssize_t mbox_fd_write(struct file *file, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	unsigned int flags = (file->f_flags & O_NONBLOCK) ? MBOX_NONBLOCK : 0;
	struct mbox_file *mf = file->private_data;
	struct mbox *mbox = mf->mbox;
	struct mbox_msg *msg;
	int ret;

	if (count > READ_ONCE(mbox->max_msg_size))
		return -EMSGSIZE;
	if (mbox_ring_send_user(mbox, buf, count, 0))
		return count;
	msg = mbox_msg_load(mbox, buf, count, 0);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	ret = mbox_send(mbox, msg, flags, KTIME_MAX);
	if (ret) {
		mbox_msg_put(msg);
		return ret;
	}
	return count;
}

static __poll_t mbox_fd_poll(struct file *file, poll_table *wait)
{
	struct mbox_file *mf = file->private_data;
	/* Pairs with mbox_ring_setup(): the ring is initialized. */
	struct mbox_ring *ring = smp_load_acquire(&mf->ring);

	poll_wait(file, &mf->mbox->poll_wq, wait);
	if (ring)
		return mbox_ring_poll(ring);
	return mbox_poll_mask(mf->mbox);
}

static int mbox_fd_release(struct inode *inode, struct file *file)
{
	struct mbox_file *mf = file->private_data;

	if (mf->ring)
		mbox_ring_release(mf->ring);
	mbox_put(mf->mbox);
	kfree(mf);
	return 0;
}

static const struct file_operations mbox_fd_fops = {
	.owner		= THIS_MODULE,
	.read		= mbox_fd_read,
	.write		= mbox_fd_write,
	.poll		= mbox_fd_poll,
	.mmap		= mbox_ring_mmap,
	.unlocked_ioctl	= mbox_ioctl_bound,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= mbox_fd_release,
};

/**
 * mbox_open_fd() - install a file descriptor bound to a mailbox
 * @mbox:	the mailbox; on success the file owns the caller's reference.
 * @flags:	MBOX_FD_CLOEXEC, MBOX_FD_NONBLOCK.
 * @may:	MAY_READ, MAY_WRITE or both: the rights the file gets.  A file
 *		opened without one of them is O_WRONLY or O_RDONLY, so read()
 *		or write() on it fails with EBADF, as on any file.
 *
 * Return: the new file descriptor, or a negative errno.
 */
int mbox_open_fd(struct mbox *mbox, unsigned int flags, int may)
{
	struct mbox_file *mf;
	int oflags, fd;

	if ((may & (MAY_READ | MAY_WRITE)) == (MAY_READ | MAY_WRITE))
		oflags = O_RDWR;
	else if (may & MAY_READ)
		oflags = O_RDONLY;
	else
		oflags = O_WRONLY;

	if (flags & MBOX_FD_CLOEXEC)
		oflags |= O_CLOEXEC;
	if (flags & MBOX_FD_NONBLOCK)
		oflags |= O_NONBLOCK;

	mf = kmalloc(sizeof(*mf), GFP_KERNEL_ACCOUNT);
	if (!mf)
		return -ENOMEM;
	mf->mbox = mbox;
	mf->ring = NULL;
	fd = anon_inode_getfd("[mbox]", &mbox_fd_fops, mf, oflags);
	if (fd < 0)
		kfree(mf);
	return fd;
}
