// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls of /dev/mbox that manage mailboxes rather than move messages:
 * MBOX_IOC_CREATE, _LOOKUP, _DESTROY, _OPEN, _STAT and _SET.  Each
 * checks its struct's fields and calls the registry (mailbox.c, names.c)
 * or fd.c; ioctl.c dispatches to them.
 */
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "ioctl.h"
#include "mailbox.h"

/*
 * Copy a name from userspace and check it: 1 to MBOX_NAME_MAX - 1 bytes of
 * printable ASCII other than '/', then a NUL.
 */
static int mbox_copy_name(char *name, u64 uname)
{
	long len, i;

	len = strncpy_from_user(name, u64_to_user_ptr(uname), MBOX_NAME_MAX);
	if (len < 0)
		return len;
	if (len == MBOX_NAME_MAX)
		return -ENAMETOOLONG;
	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (name[i] < 0x20 || name[i] > 0x7e || name[i] == '/')
			return -EINVAL;
	}
	return 0;
}

long mbox_ioctl_create(struct mbox_owner *owner, void __user *uarg,
		       size_t usize)
{
	char name[MBOX_NAME_MAX];
	struct mbox_params p;
	struct mbox_create arg;
	int ret;

	ret = mbox_copy_in(&arg, sizeof(arg), uarg, usize);
	if (ret)
		return ret;
	if (arg.flags & ~(MBOX_CREATE_AUTODESTROY | MBOX_CREATE_EXCL |
			  MBOX_CREATE_MODE))
		return -EINVAL;
	if ((arg.flags & MBOX_CREATE_EXCL) && !arg.name)
		return -EINVAL;
	if (arg.__reserved)
		return -EINVAL;
	if ((arg.flags & MBOX_CREATE_MODE) ? arg.mode & ~0777U : arg.mode)
		return -EINVAL;
	if (arg.capacity > READ_ONCE(mbox_max_capacity))
		return -EINVAL;
	if (arg.max_msg_size > READ_ONCE(mbox_max_msg_size))
		return -EINVAL;
	if (arg.name) {
		ret = mbox_copy_name(name, arg.name);
		if (ret)
			return ret;
		if (mbox_name_is_kernel(name))
			return -EPERM;
	}

	p.capacity = arg.capacity;
	p.max_msg_size = arg.max_msg_size;
	p.flags = arg.flags;
	p.mode = (arg.flags & MBOX_CREATE_MODE) ? arg.mode : 0600;
	p.kernel = false;
	return mbox_create(&p, owner, arg.name ? name : NULL);
}

long mbox_ioctl_lookup(void __user *uarg, size_t usize)
{
	char name[MBOX_NAME_MAX];
	struct mbox_lookup arg;
	int ret;

	ret = mbox_copy_in(&arg, sizeof(arg), uarg, usize);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;
	ret = mbox_copy_name(name, arg.name);
	if (ret)
		return ret;

	ret = mbox_name_lookup(name);
	if (ret < 0)
		return ret;
	arg.id = ret;
	if (mbox_copy_out(uarg, usize, &arg, sizeof(arg)))
		return -EFAULT;
	return arg.id;
}

long mbox_ioctl_destroy(void __user *uarg, size_t usize)
{
	struct mbox_destroy arg;
	int ret;

	ret = mbox_copy_in(&arg, sizeof(arg), uarg, usize);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;

	return mbox_destroy(arg.id);
}

long mbox_ioctl_open(void __user *uarg, size_t usize)
{
	struct mbox_open arg;
	struct mbox *mbox;
	int may = 0;
	int ret;

	ret = mbox_copy_in(&arg, sizeof(arg), uarg, usize);
	if (ret)
		return ret;
	if (arg.flags & ~(MBOX_FD_CLOEXEC | MBOX_FD_NONBLOCK))
		return -EINVAL;

	mbox = mbox_get(arg.id);
	if (!mbox)
		return -ENOENT;
	/*
	 * The file gets the rights the caller has now, like open(2).  Each
	 * is probed without audit, since lacking one is no failure; lacking
	 * both is, and is checked once more the audited way.
	 */
	if (!mbox_perm_noaudit(mbox, MAY_READ))
		may |= MAY_READ;
	if (!mbox_perm_noaudit(mbox, MAY_WRITE))
		may |= MAY_WRITE;
	if (!may && !mbox_perm(mbox, MAY_READ | MAY_WRITE))
		may = MAY_READ | MAY_WRITE;
	ret = may ? mbox_open_fd(mbox, arg.flags, may) : -EACCES;
	if (ret < 0)
		mbox_put(mbox);
	return ret;
}

long mbox_ioctl_stat(void __user *uarg, size_t usize)
{
	struct mbox_stat st = {};
	struct mbox *mbox;
	u32 id;
	int ret;

	ret = mbox_copy_in(&st, sizeof(st), uarg, usize);
	if (ret)
		return ret;
	if (st.flags & ~MBOX_STAT_NEXT)
		return -EINVAL;

	id = st.id;
	if (!(st.flags & MBOX_STAT_NEXT)) {
		mbox = mbox_get(id);
		if (!mbox)
			return -ENOENT;
		ret = mbox_perm(mbox, MAY_READ);
		if (ret) {
			mbox_put(mbox);
			return ret;
		}
	} else {
		/*
		 * Skip what the caller may not read, as if it did not exist:
		 * a probe, so not audited.
		 */
		for (;;) {
			mbox = mbox_get_next(&id, mbox_current_ipc_ns());
			if (!mbox)
				return -ENOENT;
			if (!mbox_perm_noaudit(mbox, MAY_READ))
				break;
			mbox_put(mbox);
			if (id >= INT_MAX)
				return -ENOENT;
			id++;
		}
	}

	/* Every output field is rewritten; flags goes back as it came. */
	st = (struct mbox_stat){ .flags = st.flags };
	mbox_fill_stat(mbox, &st, mbox_current_ipc_ns(),
		       task_active_pid_ns(current));
	st.create_ns = mbox_time_from_host(st.create_ns);
	st.last_send_ns = mbox_time_from_host(st.last_send_ns);
	st.last_recv_ns = mbox_time_from_host(st.last_recv_ns);
	mbox_put(mbox);

	return mbox_copy_out(uarg, usize, &st, sizeof(st));
}

#define MBOX_SET_FLAGS	(MBOX_SET_OWNER | MBOX_SET_MODE | MBOX_SET_CAPACITY | \
			 MBOX_SET_MSG_SIZE)

long mbox_ioctl_set(void __user *uarg, size_t usize)
{
	struct user_namespace *user_ns = current_user_ns();
	struct mbox_set arg;
	int ret;

	ret = mbox_copy_in(&arg, sizeof(arg), uarg, usize);
	if (ret)
		return ret;
	if ((arg.flags & ~MBOX_SET_FLAGS) || arg.__reserved)
		return -EINVAL;
	if (arg.flags & MBOX_SET_OWNER) {
		if (!uid_valid(make_kuid(user_ns, arg.uid)) ||
		    !gid_valid(make_kgid(user_ns, arg.gid)))
			return -EINVAL;
	} else if (arg.uid || arg.gid) {
		return -EINVAL;
	}
	if ((arg.flags & MBOX_SET_MODE) ? arg.mode & ~0777U : arg.mode)
		return -EINVAL;
	if ((arg.flags & MBOX_SET_CAPACITY) ?
	    arg.capacity > MBOX_CAPACITY_LIMIT : arg.capacity)
		return -EINVAL;
	if ((arg.flags & MBOX_SET_MSG_SIZE) ?
	    arg.max_msg_size > MBOX_MSG_SIZE_LIMIT : arg.max_msg_size)
		return -EINVAL;

	return mbox_set(arg.id, &arg);
}
