// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libmbox: creating, finding, changing and destroying mailboxes.
 * See mbox_create(3).
 */
#include "internal.h"

/*
 * MBOX_IOC_CREATE: the mailbox's id (a positive int), or -errno.  @name may
 * be NULL; @flags and @mode are passed as given (MBOX_CREATE_MODE makes the
 * kernel use @mode; without it @mode must be 0).
 */
MBOX_EXPORT int mbox_create(int dev, const char *name, uint32_t capacity,
			    uint32_t max_msg_size, uint64_t flags,
			    uint32_t mode)
{
	struct mbox_create arg = {
		.capacity = capacity,
		.max_msg_size = max_msg_size,
		.flags = flags,
		.name = mbox__ptr(name),
		.mode = mode,
	};

	return mbox__ioctl(dev, MBOX_IOC_CREATE, &arg);
}

/* MBOX_IOC_DESTROY: 0 or -errno. */
MBOX_EXPORT int mbox_destroy(int dev, uint32_t id)
{
	struct mbox_destroy arg = { .id = id };

	return mbox__ioctl(dev, MBOX_IOC_DESTROY, &arg);
}

/* MBOX_IOC_LOOKUP: the id of the mailbox named @name, or -errno. */
MBOX_EXPORT int mbox_lookup(int dev, const char *name)
{
	struct mbox_lookup arg = { .name = mbox__ptr(name) };

	return mbox__ioctl(dev, MBOX_IOC_LOOKUP, &arg);
}

/* MBOX_IOC_SET with the caller's @size-byte struct: 0 or -errno. */
MBOX_EXPORT int mbox_set(int dev, const struct mbox_set *set, size_t size)
{
	/* _IOW: the kernel only reads it. */
	return mbox__ioctl_sized(dev, MBOX_IOC_SET, (void *)set, size);
}
