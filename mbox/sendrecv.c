// SPDX-License-Identifier: GPL-2.0
/*
 * MBOX_IOC_SENDRECV: send one message, then receive one, in one call.
 *
 * Each half is MBOX_IOC_SEND or MBOX_IOC_RECV, through the same helpers
 * (ioctl.c).  What this file adds is the order of the checks, so that
 * every error that can be found before the send is found before it, the
 * report of which half failed (@sent, @failed), the receive half's
 * relative timeout starting after the send, and the rule that a call whose
 * message was sent is never restarted: a restart would send it again.
 *
 * The send wakes a receiver it hands the message to with the synchronous
 * hint, since the caller is about to wait in the receive half: a client
 * and a server on one CPU then hand it over rather than bounce (module
 * parameter sendrecv_sync, on by default, to measure it).
 */
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "ioctl.h"
#include "mailbox.h"
#include "msg.h"
#include "ring.h"

static bool mbox_sendrecv_sync = true;
module_param_named(sendrecv_sync, mbox_sendrecv_sync, bool, 0644);
MODULE_PARM_DESC(sendrecv_sync,
		 "MBOX_IOC_SENDRECV wakes its receiver with the synchronous hint (default Y)");

static_assert(sizeof(struct mbox_sendrecv) == MBOX_SENDRECV_SIZE_VER1);

/* Store @sent and @failed in the caller's struct. */
static int mbox_sendrecv_report(struct mbox_sendrecv __user *usr, u32 sent,
				u32 failed)
{
	if (put_user(sent, &usr->sent) || put_user(failed, &usr->failed))
		return -EFAULT;
	return 0;
}

/* Fail with @err, blamed on half @failed, having sent @sent messages. */
static long mbox_sendrecv_fail(struct mbox_sendrecv __user *usr, u32 sent,
			       u32 failed, int err)
{
	if (mbox_sendrecv_report(usr, sent, failed))
		return -EFAULT;
	return err;
}

/*
 * A receive half that ends after its message was sent must not ask for a
 * restart: the restarted call would send again.  A signal ends it with
 * EINTR, even one that only stopped and continued the caller.
 */
static int mbox_sendrecv_no_restart(int err)
{
	switch (err) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return -EINTR;
	default:
		return err;
	}
}

/* The send half, once both mailboxes are found.  Returns 0 if sent. */
static int mbox_sendrecv_send(struct mbox *to, const struct mbox_send *arg,
			      ktime_t deadline)
{
	unsigned int flags = arg->flags;
	struct mbox_msg *msg;
	int ret;

	if (arg->len > READ_ONCE(to->max_msg_size))
		return -EMSGSIZE;
	if (mbox_ring_send_user(to, u64_to_user_ptr(arg->buf), arg->len,
				arg->type))
		return 0;
	msg = mbox_msg_load(to, u64_to_user_ptr(arg->buf), arg->len,
			    arg->type);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	if (READ_ONCE(mbox_sendrecv_sync))
		flags |= MBOX_SEND_WAKE_SYNC;
	ret = mbox_send(to, msg, flags, deadline);
	if (ret)
		mbox_msg_put(msg);
	return ret;
}

/**
 * mbox_ioctl_sendrecv() - MBOX_IOC_SENDRECV on /dev/mbox
 * @caller:	the file the call came through; never a bound one.
 * @uarg:	the caller's struct mbox_sendrecv.
 * @usize:	its size, from the command.
 *
 * Return: the bytes received, or a negative errno; see
 * include/uapi/linux/mbox.h.
 */
long mbox_ioctl_sendrecv(const struct mbox_caller *caller, void __user *uarg,
			 size_t usize)
{
	struct mbox_sendrecv __user *usr = uarg;
	struct mbox_sendrecv arg;
	struct mbox_recv_ctx ctx = {
		.arg = &arg.recv,
		.uarg = &usr->recv,
		.usize = sizeof(arg.recv),
	};
	struct mbox *to, *from;
	struct mbox_sel sel;
	ktime_t deadline;
	size_t len;
	int ret;

	ret = mbox_copy_in(&arg, sizeof(arg), uarg, usize);
	if (ret)
		return ret;
	/* Writable before anything is sent, or the report could be lost. */
	if (mbox_sendrecv_report(usr, 0, 0))
		return -EFAULT;
	if (usize > sizeof(arg) &&
	    clear_user(uarg + sizeof(arg), usize - sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.__reserved)
		return -EINVAL;

	ret = mbox_send_args(&arg.send, &deadline);
	if (ret)
		return mbox_sendrecv_fail(usr, 0, MBOX_SENDRECV_SEND, ret);
	ret = mbox_recv_args(&arg.recv, &sel);
	if (ret)
		return mbox_sendrecv_fail(usr, 0, MBOX_SENDRECV_RECV, ret);

	to = mbox_target(caller, arg.send.id, MAY_WRITE);
	if (IS_ERR(to))
		return mbox_sendrecv_fail(usr, 0, MBOX_SENDRECV_SEND,
					  PTR_ERR(to));
	from = mbox_target(caller, arg.recv.id, MAY_READ);
	if (IS_ERR(from)) {
		mbox_target_put(caller, to);
		return mbox_sendrecv_fail(usr, 0, MBOX_SENDRECV_RECV,
					  PTR_ERR(from));
	}

	ret = mbox_sendrecv_send(to, &arg.send, deadline);
	mbox_target_put(caller, to);
	if (ret) {
		/* Nothing sent: a restart (stop, continue) is harmless. */
		ret = mbox_sendrecv_fail(usr, 0, MBOX_SENDRECV_SEND, ret);
		goto out_put_from;
	}
	if (mbox_sendrecv_report(usr, 1, 0)) {
		ret = -EFAULT;	/* unmapped meanwhile: documented */
		goto out_put_from;
	}
	/*
	 * If the receiver the send woke should run on this CPU now, let it
	 * run before we wait: it may reply first, and the receive half then
	 * takes the reply without sleeping and being woken.  Between two
	 * calls, the return to userspace gives it this chance.
	 */
	cond_resched();

	/* A relative receive timeout starts now, after the send. */
	if (arg.recv.flags & MBOX_TIMEOUT)
		mbox_deadline(arg.recv.flags, arg.recv.timeout_ns,
			      &sel.deadline);
	ret = mbox_recv(from, &sel, &len, mbox_recv_deliver, &ctx);
	if (!ret) {
		ret = len;
		goto out_put_from;
	}
	if (ret == -EMSGSIZE)
		ret = mbox_recv_too_long(&arg.recv, &usr->recv,
					 sizeof(arg.recv), len);
	ret = mbox_sendrecv_fail(usr, 1, MBOX_SENDRECV_RECV,
				 mbox_sendrecv_no_restart(ret));

out_put_from:
	mbox_target_put(caller, from);
	return ret;
}
