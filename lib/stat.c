// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libmbox: a mailbox's figures, and the list of mailboxes.
 * See mbox_stat(3).
 */
#include <string.h>

#include "internal.h"

static int mbox__stat(int dev, uint32_t id, uint32_t flags,
		      struct mbox_stat *st, size_t size)
{
	if (size < MBOX_STAT_SIZE_VER1 || size > _IOC_SIZEMASK)
		return -EINVAL;
	if (!st)
		return -EFAULT;
	/*
	 * The kernel reads @id and @flags, and (from a newer header than the
	 * module's) wants the bytes it does not know zero: the whole struct
	 * is zeroed, then those two are set.
	 */
	memset(st, 0, size);
	st->id = id;
	st->flags = flags;
	return mbox__ioctl_sized(dev, MBOX_IOC_STAT, st, size);
}

/* MBOX_IOC_STAT of mailbox @id into the caller's struct: 0 or -errno. */
MBOX_EXPORT int mbox_stat(int dev, uint32_t id, struct mbox_stat *st,
			  size_t size)
{
	return mbox__stat(dev, id, 0, st, size);
}

/*
 * MBOX_IOC_STAT with MBOX_STAT_NEXT: the mailbox with the smallest id >= @id
 * that the caller may read.  Returns its id, or -ENOENT when there is none,
 * or another -errno.  Listing: start at 1, go on from the last id + 1.
 */
MBOX_EXPORT int mbox_stat_next(int dev, uint32_t id, struct mbox_stat *st,
			       size_t size)
{
	int ret;

	ret = mbox__stat(dev, id, MBOX_STAT_NEXT, st, size);
	if (ret < 0)
		return ret;
	return (int)st->id;
}
