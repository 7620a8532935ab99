/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libmbox internals: the one ioctl helper every call goes through.
 *
 * Every source is built with -fvisibility=hidden; only the functions marked
 * MBOX_EXPORT, listed in libmbox.map (version MBOX_1.0), leave the library.
 */
#ifndef LIBMBOX_INTERNAL_H
#define LIBMBOX_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "mbox.h"

#define MBOX_EXPORT	__attribute__((visibility("default")))

/* A pointer as the kernel takes it: a __u64. */
static inline __u64 mbox__ptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/*
 * ioctl(@fd, @cmd, @arg): its result, or -errno; errno is left as the
 * caller had it.
 */
static inline int mbox__ioctl(int fd, unsigned long cmd, void *arg)
{
	int saved = errno;
	int ret = ioctl(fd, cmd, arg);

	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

/*
 * @cmd with its size field set to @size, the size of the caller's struct,
 * which is how the kernel learns which version of the struct it was given.
 * 0 if @size does not fit the size field.
 */
static inline unsigned long mbox__sized(unsigned long cmd, size_t size)
{
	if (size > _IOC_SIZEMASK)
		return 0;
	return (cmd & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
	       ((unsigned long)size << _IOC_SIZESHIFT);
}

/* mbox__ioctl() with the caller's struct size; -EINVAL if it is too big. */
static inline int mbox__ioctl_sized(int fd, unsigned long cmd, void *arg,
				    size_t size)
{
	unsigned long sized = mbox__sized(cmd, size);

	if (!sized)
		return -EINVAL;
	return mbox__ioctl(fd, sized, arg);
}

#endif /* LIBMBOX_INTERNAL_H */
