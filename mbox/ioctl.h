/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MBOX_IOCTL_H
#define MBOX_IOCTL_H

#include <linux/fs.h>

struct mbox;
struct mbox_user;

/**
 * struct mbox_caller - the file a data ioctl came through
 * @bound:	for a file bound by MBOX_IOC_OPEN, its mailbox, referenced by
 *		the file; NULL for /dev/mbox.
 * @fmode:	the file's f_mode: a bound file's rights were checked when it
 *		was opened, as open(2) checks a file's.
 * @user:	the per-user record of the file's opener, referenced by the
 *		file: its sends charge it without a lookup.
 */
struct mbox_caller {
	struct mbox *bound;
	fmode_t fmode;
	struct mbox_user *user;
};

long mbox_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
long mbox_ioctl_bound(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* MBOX_IOCTL_H */
