// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libmbox: the device, mailbox files, and what the module offers.
 * See mbox_open(3) and mbox_info(3).
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Open /dev/mbox read-write and close-on-exec: the descriptor, or -errno. */
MBOX_EXPORT int mbox_open(unsigned int flags)
{
	int saved = errno;
	int oflags = O_CLOEXEC;
	int fd;

	if (flags & ~(LIBMBOX_OPEN_NONBLOCK | LIBMBOX_OPEN_RDONLY))
		return -EINVAL;
	oflags |= flags & LIBMBOX_OPEN_RDONLY ? O_RDONLY : O_RDWR;
	if (flags & LIBMBOX_OPEN_NONBLOCK)
		oflags |= O_NONBLOCK;
	fd = open(LIBMBOX_DEVICE, oflags);
	if (fd < 0)
		fd = -errno;
	errno = saved;
	return fd;
}

/* MBOX_IOC_OPEN: a descriptor bound to mailbox @id, or -errno. */
MBOX_EXPORT int mbox_open_mailbox(int dev, uint32_t id, unsigned int flags)
{
	struct mbox_open arg = { .id = id, .flags = flags };

	return mbox__ioctl(dev, MBOX_IOC_OPEN, &arg);
}

/* MBOX_IOC_INFO into the caller's @size-byte struct: 0 or -errno. */
MBOX_EXPORT int mbox_info(int dev, struct mbox_info *info, size_t size)
{
	return mbox__ioctl_sized(dev, MBOX_IOC_INFO, info, size);
}

/* The module's MBOX_FEATURE_* mask in *@features: 0 or -errno. */
MBOX_EXPORT int mbox_features(int dev, uint64_t *features)
{
	struct mbox_info info;
	int ret;

	ret = mbox_info(dev, &info, MBOX_INFO_SIZE_VER1);
	if (ret < 0)
		return ret;
	*features = info.features;
	return 0;
}

/* 1 if the module has every feature of @mask, 0 if not, or -errno. */
MBOX_EXPORT int mbox_has_features(int dev, uint64_t mask)
{
	uint64_t features;
	int ret;

	ret = mbox_features(dev, &features);
	if (ret < 0)
		return ret;
	return (features & mask) == mask;
}
