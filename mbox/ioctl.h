/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MBOX_IOCTL_H
#define MBOX_IOCTL_H

#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/types.h>
#include <linux/uaccess.h>

#include <uapi/linux/mbox.h>

struct mbox;
struct mbox_msg;
struct mbox_sel;
struct mbox_user;

/**
 * struct mbox_caller - the file a data ioctl came through
 * @bound:	for a file bound by MBOX_IOC_OPEN, its mailbox, referenced by
 *		the file; NULL for /dev/mbox.
 * @fmode:	the file's f_mode: a bound file's rights were checked when it
 *		was opened, as open(2) checks a file's.
 */
struct mbox_caller {
	struct mbox *bound;
	fmode_t fmode;
};

/*
 * Read the caller's @usize-byte struct into @karg, as copy_struct_from_user()
 * does.  When the caller's struct is this module's, the usual case, the copy
 * has a size known at compile time: like any fixed-size ioctl argument, it
 * is then checked by the compiler's object size, and the hardened-usercopy
 * walk of check_object_size(), which only variable sizes need, is skipped.
 * Always inlined, so that @ksize is a constant in every caller.
 */
static __always_inline int mbox_copy_in(void *karg, size_t ksize,
					const void __user *uarg, size_t usize)
{
	if (likely(usize == ksize))
		return copy_from_user(karg, uarg, ksize) ? -EFAULT : 0;
	return copy_struct_from_user(karg, ksize, uarg, usize);
}

/*
 * Copy @ksize bytes of @karg to the caller's @usize-byte struct, zeroing
 * whatever part of it this module does not know.  Inlined for the reason
 * mbox_copy_in() is.
 */
static __always_inline int mbox_copy_out(void __user *uarg, size_t usize,
					 const void *karg, size_t ksize)
{
	if (likely(usize == ksize))
		return copy_to_user(uarg, karg, ksize) ? -EFAULT : 0;
	if (copy_to_user(uarg, karg, min(usize, ksize)))
		return -EFAULT;
	if (usize > ksize && clear_user(uarg + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}

#define MBOX_WAIT_FLAGS	(MBOX_NONBLOCK | MBOX_TIMEOUT | MBOX_TIMEOUT_ABS)
#define MBOX_SEND_FLAGS	MBOX_WAIT_FLAGS
#define MBOX_RECV_FLAGS	(MBOX_WAIT_FLAGS | MBOX_RECV_TYPE | \
			 MBOX_RECV_EXCEPT | MBOX_RECV_PEEK | MBOX_RECV_TRUNC)

/* What mbox_recv_deliver() fills and where: a struct mbox_recv. */
struct mbox_recv_ctx {
	struct mbox_recv *arg;
	void __user *uarg;
	size_t usize;
};

/*
 * ioctl.c: the helpers MBOX_IOC_SEND and _RECV share with sendrecv.c, and
 * the time conversion ioctl_admin.c's MBOX_IOC_STAT uses
 */
ktime_t mbox_timens_offset(void);
struct mbox *mbox_target(const struct mbox_caller *caller, u32 id, int may);
void mbox_target_put(const struct mbox_caller *caller, struct mbox *mbox);
int mbox_deadline(unsigned int flags, u64 timeout_ns, ktime_t *deadline);
int mbox_send_args(const struct mbox_send *arg, ktime_t *deadline);
int mbox_recv_args(const struct mbox_recv *arg, struct mbox_sel *sel);
int mbox_recv_deliver(const struct mbox_msg *msg, size_t len, void *data);
int mbox_recv_too_long(struct mbox_recv *arg, void __user *uarg,
		       size_t usize, size_t len);

u64 mbox_time_from_host(u64 ns);

/* ioctl_admin.c: the calls that manage mailboxes */
struct mbox_owner;
long mbox_ioctl_create(struct mbox_owner *owner, void __user *uarg,
		       size_t usize);
long mbox_ioctl_lookup(void __user *uarg, size_t usize);
long mbox_ioctl_destroy(void __user *uarg, size_t usize);
long mbox_ioctl_open(void __user *uarg, size_t usize);
long mbox_ioctl_stat(void __user *uarg, size_t usize);
long mbox_ioctl_set(void __user *uarg, size_t usize);

/* sendrecv.c */
long mbox_ioctl_sendrecv(const struct mbox_caller *caller, void __user *uarg,
			 size_t usize);

long mbox_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
long mbox_ioctl_bound(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* MBOX_IOCTL_H */
