/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MBOX_IOCTL_H
#define MBOX_IOCTL_H

struct file;

long mbox_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* MBOX_IOCTL_H */
