// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI: argument checking, copying in and out, the data calls
 * (send, receive, the batches), MBOX_IOC_INFO and dispatch.  The calls
 * that manage mailboxes are in ioctl_admin.c.
 *
 * The size of the caller's struct is _IOC_SIZE(cmd).  It must be at least
 * the struct's version-1 size; bytes past what this module knows must be
 * zero on input (copy_struct_from_user() gives -E2BIG otherwise) and are
 * zeroed on output.  See include/uapi/linux/mbox.h.
 */
#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/time64.h>
#include <linux/time_namespace.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "ioctl.h"
#include "mailbox.h"
#include "msg.h"
#include "ring.h"

/*
 * Check @cmd against the command it claims to be: the direction must match
 * exactly (else it is not our command: -ENOTTY) and the size must be at
 * least the version-1 size (else -EINVAL).
 */
static int mbox_check_cmd(unsigned int cmd, unsigned int want,
			  size_t ver1_size)
{
	if (_IOC_DIR(cmd) != _IOC_DIR(want))
		return -ENOTTY;
	if (_IOC_SIZE(cmd) < ver1_size)
		return -EINVAL;
	return 0;
}

/*
 * The mailbox a data call acts on.  Through /dev/mbox it is the one @id
 * names, if the caller may @may it, referenced here.  Through a file bound
 * by MBOX_IOC_OPEN it is the file's own, whose reference the file holds,
 * and whose rights were checked at open as for read() and write(): @id
 * must be 0 or its id.  Put it with mbox_target_put().
 */
struct mbox *mbox_target(const struct mbox_caller *caller, u32 id, int may)
{
	struct mbox *mbox = caller->bound;

	if (mbox) {
		if (id && id != mbox->id)
			return ERR_PTR(-EINVAL);
		if (!(caller->fmode & (may == MAY_WRITE ? FMODE_WRITE :
						      FMODE_READ)))
			return ERR_PTR(-EBADF);
		return mbox;
	}
	return mbox_get_checked(id, may);
}

void mbox_target_put(const struct mbox_caller *caller, struct mbox *mbox)
{
	if (!caller->bound)
		mbox_put(mbox);
}

#define MBOX_FEATURES	(MBOX_FEATURE_RENDEZVOUS | MBOX_FEATURE_FIFO_WAITERS | \
			 MBOX_FEATURE_TIMEOUT | MBOX_FEATURE_TYPES | \
			 MBOX_FEATURE_PEEK | MBOX_FEATURE_TRUNC | \
			 MBOX_FEATURE_MSG_INFO | MBOX_FEATURE_AUTODESTROY | \
			 MBOX_FEATURE_FD | MBOX_FEATURE_STAT_EXT | \
			 MBOX_FEATURE_NAMES | MBOX_FEATURE_PERMS | \
			 MBOX_FEATURE_LIMITS | MBOX_FEATURE_NS | \
			 MBOX_FEATURE_BATCH | MBOX_FEATURE_FD_IOCTL | \
			 MBOX_FEATURE_MSG_CHARGE | MBOX_FEATURE_NS_SHARES | \
			 MBOX_FEATURE_KERNEL_NAMES | MBOX_FEATURE_SENDRECV | \
			 MBOX_FEATURE_RING)

/*
 * Times cross the ABI on the caller's CLOCK_MONOTONIC, that of its time
 * namespace, as futex and timerfd take them (timens_ktime_to_host()): the
 * host's clock plus the namespace's offset.  The offset is read from the
 * namespace itself, since do_timens_ktime_to_host() is exported only from
 * Linux 7.x; the initial namespace's is 0.
 */
ktime_t mbox_timens_offset(void)
{
	struct nsproxy *nsproxy = current->nsproxy;

	if (!nsproxy)
		return 0;
	return timespec64_to_ktime(nsproxy->time_ns->offsets.monotonic);
}

/*
 * An absolute deadline of the caller's clock, on the host's: one before
 * the host's 0 is 0 (past), one beyond KTIME_MAX is KTIME_MAX.
 */
static ktime_t mbox_time_to_host(ktime_t t)
{
	ktime_t off = mbox_timens_offset();

	if (off >= 0)
		return t < off ? 0 : t - off;
	return t > KTIME_MAX + off ? KTIME_MAX : t - off;
}

/*
 * A time of the host's clock (a send, a receive, a create), on the
 * caller's: 0 (never) stays 0, and so does a time before the caller's 0.
 */
u64 mbox_time_from_host(u64 ns)
{
	ktime_t t;

	if (!ns)
		return 0;
	t = (ktime_t)ns + mbox_timens_offset();
	return t > 0 ? t : 0;
}

/*
 * Check the waiting flags and turn a timeout into a CLOCK_MONOTONIC
 * deadline of the host: KTIME_MAX waits for ever, a deadline already past
 * tries once.  An absolute one is on the caller's clock.
 */
int mbox_deadline(unsigned int flags, u64 timeout_ns, ktime_t *deadline)
{
	u64 ns = min_t(u64, timeout_ns, KTIME_MAX);

	if (hweight32(flags & MBOX_WAIT_FLAGS) > 1)
		return -EINVAL;
	if (!(flags & (MBOX_TIMEOUT | MBOX_TIMEOUT_ABS)) && timeout_ns)
		return -EINVAL;

	*deadline = KTIME_MAX;
	if (flags & MBOX_TIMEOUT)
		*deadline = ktime_add_safe(ktime_get(), ns_to_ktime(ns));
	if (flags & MBOX_TIMEOUT_ABS)
		*deadline = mbox_time_to_host(ns_to_ktime(ns));
	return 0;
}

static long mbox_ioctl_info(void __user *uarg, size_t usize)
{
	struct mbox_info info = {
		.abi_version = MBOX_ABI_VERSION,
		.max_mailboxes = READ_ONCE(mbox_max_mailboxes),
		.features = MBOX_FEATURES,
		.max_capacity = READ_ONCE(mbox_max_capacity),
		.max_msg_size = READ_ONCE(mbox_max_msg_size),
	};

	mbox_ns_fill_info(&info);
	mbox_fill_limits(&info);
	return mbox_copy_out(uarg, usize, &info, sizeof(info));
}

/* Check the fields of a send and turn its timeout into a deadline. */
int mbox_send_args(const struct mbox_send *arg, ktime_t *deadline)
{
	if ((arg->flags & ~MBOX_SEND_FLAGS) || arg->__reserved)
		return -EINVAL;
	return mbox_deadline(arg->flags, arg->timeout_ns, deadline);
}

static long mbox_ioctl_send(const struct mbox_caller *caller,
			    void __user *uarg, size_t usize)
{
	struct mbox_send arg;
	struct mbox_msg *msg;
	struct mbox *mbox;
	ktime_t deadline;
	int ret;

	ret = mbox_copy_in(&arg, sizeof(arg), uarg, usize);
	if (ret)
		return ret;
	ret = mbox_send_args(&arg, &deadline);
	if (ret)
		return ret;

	mbox = mbox_target(caller, arg.id, MAY_WRITE);
	if (IS_ERR(mbox))
		return PTR_ERR(mbox);
	if (arg.len > READ_ONCE(mbox->max_msg_size)) {
		ret = -EMSGSIZE;
		goto out_put_mbox;
	}

	ret = 0;
	if (mbox_ring_send_user(mbox, u64_to_user_ptr(arg.buf), arg.len,
				arg.type))
		goto out_put_mbox;
	msg = mbox_msg_load(mbox, u64_to_user_ptr(arg.buf), arg.len, arg.type);
	if (IS_ERR(msg)) {
		ret = PTR_ERR(msg);
		goto out_put_mbox;
	}
	ret = mbox_send(mbox, msg, arg.flags, deadline);
	if (ret)
		mbox_msg_put(msg);

out_put_mbox:
	mbox_target_put(caller, mbox);
	return ret;
}

/*
 * Copy the message out, then the struct that describes it, both before the
 * receive commits: if either copy faults, the message goes back.
 */
int mbox_recv_deliver(const struct mbox_msg *msg, size_t len, void *data)
{
	struct mbox_recv_ctx *ctx = data;
	struct mbox_recv *arg = ctx->arg;

	if (mbox_msg_store(msg, u64_to_user_ptr(arg->buf), len))
		return -EFAULT;
	arg->len = len;
	arg->type = msg->type;
	arg->pid = pid_vnr(msg->pid);
	arg->msg_len = msg->len;
	arg->seq = msg->seq;
	arg->send_ns = mbox_time_from_host(msg->send_ns);
	arg->uid = from_kuid_munged(current_user_ns(), msg->uid);
	return mbox_copy_out(ctx->uarg, ctx->usize, arg, sizeof(*arg));
}

/*
 * Check the fields of a receive and fill @sel from them, the deadline
 * included.
 */
int mbox_recv_args(const struct mbox_recv *arg, struct mbox_sel *sel)
{
	if ((arg->flags & ~MBOX_RECV_FLAGS) || arg->__reserved)
		return -EINVAL;
	if ((arg->flags & MBOX_RECV_TYPE) && (arg->flags & MBOX_RECV_EXCEPT))
		return -EINVAL;
	sel->flags = arg->flags;
	sel->type = arg->type;
	sel->size = min_t(u64, arg->len, SIZE_MAX);
	return mbox_deadline(arg->flags, arg->timeout_ns, &sel->deadline);
}

/*
 * A receive failed with -EMSGSIZE: report the message's length @len only,
 * its other details stay hidden.  Returns -EMSGSIZE, or -EFAULT if the
 * struct cannot be written.
 */
int mbox_recv_too_long(struct mbox_recv *arg, void __user *uarg,
		       size_t usize, size_t len)
{
	arg->len = len;
	arg->msg_len = len;
	arg->pid = 0;
	arg->seq = 0;
	arg->send_ns = 0;
	arg->uid = 0;
	if (mbox_copy_out(uarg, usize, arg, sizeof(*arg)))
		return -EFAULT;
	return -EMSGSIZE;
}

static long mbox_ioctl_recv(const struct mbox_caller *caller,
			    void __user *uarg, size_t usize)
{
	struct mbox_recv arg;
	struct mbox_recv_ctx ctx = {
		.arg = &arg,
		.uarg = uarg,
		.usize = usize,
	};
	struct mbox_sel sel;
	struct mbox *mbox;
	size_t len;
	int ret;

	ret = mbox_copy_in(&arg, sizeof(arg), uarg, usize);
	if (ret)
		return ret;
	ret = mbox_recv_args(&arg, &sel);
	if (ret)
		return ret;

	mbox = mbox_target(caller, arg.id, MAY_READ);
	if (IS_ERR(mbox))
		return PTR_ERR(mbox);
	ret = mbox_recv(mbox, &sel, &len, mbox_recv_deliver, &ctx);
	mbox_target_put(caller, mbox);

	if (!ret)
		return len;
	if (ret == -EMSGSIZE)
		return mbox_recv_too_long(&arg, uarg, usize, len);
	return ret;
}

/*
 * Batches are handled MBOX_BATCH_CHUNK messages at a time, so their element
 * arrays and message pointers fit on the stack.
 */
#define MBOX_BATCH_CHUNK	16

static_assert(sizeof(struct mbox_batch_msg) == MBOX_BATCH_MSG_SIZE);

/* Check a batch header common to send and receive. */
static int mbox_batch_args(struct mbox_batch *arg, void __user *uarg,
			   size_t usize, unsigned int allowed,
			   ktime_t *deadline)
{
	int ret;

	ret = mbox_copy_in(arg, sizeof(*arg), uarg, usize);
	if (ret)
		return ret;
	if (arg->flags & ~allowed)
		return -EINVAL;
	if (!arg->count || arg->count > MBOX_BATCH_MAX)
		return -EINVAL;
	return mbox_deadline(arg->flags, arg->timeout_ns, deadline);
}

/*
 * Finish a batch call: fail with @err if nothing was done, else report
 * @done and @err in the header and return @done.  A header that cannot be
 * written does not hide what was done: the return value counts it.
 */
static long mbox_batch_result(struct mbox_batch *arg, void __user *uarg,
			      size_t usize, unsigned int done, int err)
{
	if (!done)
		return err;
	arg->done = done;
	arg->error = -err;
	mbox_copy_out(uarg, usize, arg, sizeof(*arg));
	return done;
}

/*
 * Read up to @n elements of a batch's array.  Returns how many could be
 * read, so a fault stops the batch at the first unreadable element and
 * not at the start of its chunk; *@err is -EFAULT when it is fewer.
 */
static unsigned int mbox_batch_read(struct mbox_batch_msg *v,
				    const struct mbox_batch_msg __user *uv,
				    unsigned int n, int *err)
{
	unsigned int i;

	if (!copy_from_user(v, uv, n * sizeof(*v)))
		return n;
	for (i = 0; i < n; i++) {
		if (copy_from_user(&v[i], &uv[i], sizeof(*v)))
			break;
	}
	*err = -EFAULT;
	return i;
}

/*
 * Load the next messages of a send batch, up to the first that is invalid
 * or cannot be loaded.  Returns how many were loaded; *@err says why the
 * next one was not.
 */
static unsigned int mbox_batch_load(struct mbox *mbox,
				    const struct mbox_batch_msg *v,
				    unsigned int n, struct mbox_msg **msgs,
				    int *err)
{
	u64 now = ktime_get_ns();	/* one clock read: it may be slow */
	unsigned int i;

	*err = 0;
	for (i = 0; i < n; i++) {
		if (v[i].__reserved || v[i].msg_len || v[i].seq) {
			*err = -EINVAL;
			break;
		}
		if (v[i].len > READ_ONCE(mbox->max_msg_size)) {
			*err = -EMSGSIZE;
			break;
		}
		msgs[i] = mbox_msg_load_at(mbox, u64_to_user_ptr(v[i].buf),
					   v[i].len, v[i].type, now);
		if (IS_ERR(msgs[i])) {
			*err = PTR_ERR(msgs[i]);
			break;
		}
	}
	return i;
}

/*
 * Send the next messages of a send batch straight into the mailbox's ring,
 * as mbox_ring_send_user() sends one: one copy, no allocation.  Stops at
 * the first message that is invalid or does not go into the ring; the
 * caller sends that one and the rest of the batch the ordinary way, which
 * gives their errors as without a ring.  Returns how many went in.
 */
static unsigned int mbox_batch_ring(struct mbox *mbox,
				    const struct mbox_batch_msg *v,
				    unsigned int n)
{
	unsigned int i;
	u64 now;

	if (!READ_ONCE(mbox->ring))
		return 0;	/* no clock read for a mailbox without one */
	now = ktime_get_ns();	/* as mbox_batch_load() */
	for (i = 0; i < n; i++) {
		if (v[i].__reserved || v[i].msg_len || v[i].seq ||
		    v[i].len > READ_ONCE(mbox->max_msg_size))
			break;
		if (!mbox_ring_send_user_at(mbox, u64_to_user_ptr(v[i].buf),
					    v[i].len, v[i].type, now))
			break;
	}
	return i;
}

static long mbox_ioctl_send_batch(const struct mbox_caller *caller,
				  void __user *uarg, size_t usize)
{
	struct mbox_batch_msg v[MBOX_BATCH_CHUNK];
	struct mbox_msg *msgs[MBOX_BATCH_CHUNK];
	unsigned int done = 0, n, in_ring, loaded, sent, i;
	struct mbox_batch_msg __user *uv;
	struct mbox_batch arg;
	bool ring = true;
	struct mbox *mbox;
	ktime_t deadline;
	int ret, err = 0;

	ret = mbox_batch_args(&arg, uarg, usize, MBOX_SEND_FLAGS, &deadline);
	if (ret)
		return ret;
	if (arg.type)
		return -EINVAL;
	uv = u64_to_user_ptr(arg.msgs);

	mbox = mbox_target(caller, arg.id, MAY_WRITE);
	if (IS_ERR(mbox))
		return PTR_ERR(mbox);
	while (done < arg.count && !err) {
		n = min_t(unsigned int, arg.count - done, MBOX_BATCH_CHUNK);
		n = mbox_batch_read(v, uv + done, n, &err);
		/*
		 * Into the ring while the messages go there; from the first
		 * that does not, the ordinary way, which queues the rest
		 * behind it (a ring takes no send while a message waits
		 * outside it), so seq order stays array order.
		 */
		in_ring = 0;
		if (ring) {
			in_ring = mbox_batch_ring(mbox, v, n);
			done += in_ring;
			ring = in_ring == n;
		}
		n -= in_ring;
		loaded = mbox_batch_load(mbox, v + in_ring, n, msgs, &ret);
		if (loaded < n)
			err = ret;
		sent = 0;
		/* Only the first message of the batch may wait. */
		if (!done && loaded) {
			ret = mbox_send(mbox, msgs[0], arg.flags, deadline);
			if (ret)
				err = ret;
			else
				sent = 1;
		}
		if ((sent || done) && loaded > sent) {
			sent += mbox_send_more(mbox, msgs + sent,
					       loaded - sent, &ret);
			if (sent < loaded)
				err = ret;
		}
		for (i = sent; i < loaded; i++)
			mbox_msg_put(msgs[i]);
		done += sent;
	}
	mbox_target_put(caller, mbox);

	return mbox_batch_result(&arg, uarg, usize, done, err);
}

/* Store a received message and its element's outputs, before it commits. */
static int mbox_batch_store(const struct mbox_msg *msg, size_t len,
			    const struct mbox_batch_msg *in,
			    struct mbox_batch_msg __user *uel)
{
	struct mbox_batch_msg out = {
		.buf = in->buf,
		.len = len,
		.type = msg->type,
		.msg_len = msg->len,
		.seq = msg->seq,
	};

	if (mbox_msg_store(msg, u64_to_user_ptr(in->buf), len) ||
	    copy_to_user(uel, &out, sizeof(out)))
		return -EFAULT;
	return 0;
}

struct mbox_batch_ctx {
	const struct mbox_batch_msg *in;
	struct mbox_batch_msg __user *uel;
};

static int mbox_batch_deliver(const struct mbox_msg *msg, size_t len,
			      void *data)
{
	struct mbox_batch_ctx *ctx = data;

	return mbox_batch_store(msg, len, ctx->in, ctx->uel);
}

/* Tell the caller the length of message that did not fit in element @uel. */
static void mbox_batch_too_long(struct mbox_batch_msg __user *uel,
				const struct mbox_batch_msg *in, size_t len)
{
	struct mbox_batch_msg out = { .buf = in->buf, .len = len,
				      .msg_len = len };

	if (copy_to_user(uel, &out, sizeof(out)))
		return;	/* the errno says EMSGSIZE; the length is lost */
}

static long mbox_ioctl_recv_batch(const struct mbox_caller *caller,
				  void __user *uarg, size_t usize)
{
	struct mbox_batch_msg v[MBOX_BATCH_CHUNK];
	struct mbox_msg *msgs[MBOX_BATCH_CHUNK];
	size_t sizes[MBOX_BATCH_CHUNK];
	unsigned int done = 0, n, first, taken, i, j;
	struct mbox_batch_msg __user *uv;
	struct mbox_batch_ctx ctx;
	struct mbox_batch arg;
	struct mbox_sel sel;
	struct mbox *mbox;
	size_t len;
	int ret, err = 0;

	ret = mbox_batch_args(&arg, uarg, usize,
			      MBOX_RECV_FLAGS & ~MBOX_RECV_PEEK, &sel.deadline);
	if (ret)
		return ret;
	if ((arg.flags & MBOX_RECV_TYPE) && (arg.flags & MBOX_RECV_EXCEPT))
		return -EINVAL;
	sel.flags = arg.flags;
	sel.type = arg.type;
	uv = u64_to_user_ptr(arg.msgs);

	mbox = mbox_target(caller, arg.id, MAY_READ);
	if (IS_ERR(mbox))
		return PTR_ERR(mbox);
	while (done < arg.count && !err) {
		n = min_t(unsigned int, arg.count - done, MBOX_BATCH_CHUNK);
		n = mbox_batch_read(v, uv + done, n, &err);
		for (i = 0; i < n && !v[i].__reserved; i++)
			sizes[i] = min_t(u64, v[i].len, SIZE_MAX);
		if (i < n) {
			err = -EINVAL;	/* at element done + i */
			n = i;
		}
		first = 0;
		/* Only the first receive of the batch may wait. */
		if (!done && n) {
			sel.size = sizes[0];
			ctx.in = &v[0];
			ctx.uel = uv;
			ret = mbox_recv(mbox, &sel, &len, mbox_batch_deliver,
					&ctx);
			if (ret == -EMSGSIZE)
				mbox_batch_too_long(uv, &v[0], len);
			if (ret) {
				err = ret;
				break;
			}
			first = 1;
		}
		taken = mbox_recv_more(mbox, &sel, sizes + first, msgs + first,
				       n - first, &ret);
		if (taken < n - first) {
			if (ret == -EMSGSIZE)
				mbox_batch_too_long(uv + done + first + taken,
						    &v[first + taken],
						    sizes[first + taken]);
			err = ret;	/* it stopped before any invalid element */
		}
		taken += first;
		for (i = first; i < taken; i++) {
			size_t cut = min_t(size_t, msgs[i]->len, sizes[i]);

			if (mbox_batch_store(msgs[i], cut, &v[i],
					     uv + done + i)) {
				/* It and those after it go back, in order. */
				for (j = i; j < taken; j++)
					mbox_give_back(mbox, msgs[j]);
				err = -EFAULT;
				break;
			}
			mbox_msg_put(msgs[i]);
		}
		done += i;
	}
	mbox_target_put(caller, mbox);

	return mbox_batch_result(&arg, uarg, usize, done, err);
}

/*
 * The data calls: on /dev/mbox, and on a file bound to a mailbox.
 * -ENOIOCTLCMD: not one of them.
 */
static long mbox_ioctl_data(const struct mbox_caller *caller,
			    unsigned int cmd, void __user *uarg)
{
	size_t usize = _IOC_SIZE(cmd);
	int ret;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(MBOX_IOC_SEND):
		ret = mbox_check_cmd(cmd, MBOX_IOC_SEND, MBOX_SEND_SIZE_VER1);
		return ret ?: mbox_ioctl_send(caller, uarg, usize);
	case _IOC_NR(MBOX_IOC_RECV):
		ret = mbox_check_cmd(cmd, MBOX_IOC_RECV, MBOX_RECV_SIZE_VER1);
		return ret ?: mbox_ioctl_recv(caller, uarg, usize);
	case _IOC_NR(MBOX_IOC_SEND_BATCH):
		ret = mbox_check_cmd(cmd, MBOX_IOC_SEND_BATCH,
				     MBOX_BATCH_SIZE_VER1);
		return ret ?: mbox_ioctl_send_batch(caller, uarg, usize);
	case _IOC_NR(MBOX_IOC_RECV_BATCH):
		ret = mbox_check_cmd(cmd, MBOX_IOC_RECV_BATCH,
				     MBOX_BATCH_SIZE_VER1);
		return ret ?: mbox_ioctl_recv_batch(caller, uarg, usize);
	default:
		return -ENOIOCTLCMD;
	}
}

/**
 * mbox_ioctl() - the unlocked_ioctl of /dev/mbox
 * @file:	the open file, owner of its MBOX_CREATE_AUTODESTROY mailboxes.
 * @cmd:	the command; its size field is the caller's struct size.
 * @arg:	the address of the caller's struct.
 *
 * Return: as documented per command in include/uapi/linux/mbox.h.
 */
long mbox_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mbox_owner *owner = file->private_data;
	struct mbox_caller caller = {
		.fmode = file->f_mode,
	};
	void __user *uarg = (void __user *)arg;
	size_t usize = _IOC_SIZE(cmd);
	long ret;

	if (_IOC_TYPE(cmd) != MBOX_IOC_MAGIC)
		return -ENOTTY;
	ret = mbox_ioctl_data(&caller, cmd, uarg);
	if (ret != -ENOIOCTLCMD)
		return ret;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(MBOX_IOC_INFO):
		ret = mbox_check_cmd(cmd, MBOX_IOC_INFO, MBOX_INFO_SIZE_VER1);
		return ret ?: mbox_ioctl_info(uarg, usize);
	case _IOC_NR(MBOX_IOC_CREATE):
		ret = mbox_check_cmd(cmd, MBOX_IOC_CREATE,
				     MBOX_CREATE_SIZE_VER1);
		return ret ?: mbox_ioctl_create(owner, uarg, usize);
	case _IOC_NR(MBOX_IOC_DESTROY):
		ret = mbox_check_cmd(cmd, MBOX_IOC_DESTROY,
				     MBOX_DESTROY_SIZE_VER1);
		return ret ?: mbox_ioctl_destroy(uarg, usize);
	case _IOC_NR(MBOX_IOC_STAT):
		ret = mbox_check_cmd(cmd, MBOX_IOC_STAT, MBOX_STAT_SIZE_VER1);
		return ret ?: mbox_ioctl_stat(uarg, usize);
	case _IOC_NR(MBOX_IOC_OPEN):
		ret = mbox_check_cmd(cmd, MBOX_IOC_OPEN, MBOX_OPEN_SIZE_VER1);
		return ret ?: mbox_ioctl_open(uarg, usize);
	case _IOC_NR(MBOX_IOC_LOOKUP):
		ret = mbox_check_cmd(cmd, MBOX_IOC_LOOKUP,
				     MBOX_LOOKUP_SIZE_VER1);
		return ret ?: mbox_ioctl_lookup(uarg, usize);
	case _IOC_NR(MBOX_IOC_SET):
		ret = mbox_check_cmd(cmd, MBOX_IOC_SET, MBOX_SET_SIZE_VER1);
		return ret ?: mbox_ioctl_set(uarg, usize);
	case _IOC_NR(MBOX_IOC_SENDRECV):
		ret = mbox_check_cmd(cmd, MBOX_IOC_SENDRECV,
				     MBOX_SENDRECV_SIZE_VER1);
		return ret ?: mbox_ioctl_sendrecv(&caller, uarg, usize);
	default:
		return -ENOTTY;
	}
}

/**
 * mbox_ioctl_bound() - the unlocked_ioctl of a file bound to a mailbox
 * @file:	the file, opened by MBOX_IOC_OPEN.
 * @cmd:	the command; its size field is the caller's struct size.
 * @arg:	the address of the caller's struct.
 *
 * The data calls, MBOX_IOC_SEND, _RECV, _SEND_BATCH and _RECV_BATCH, act
 * on the file's mailbox, with no lookup and with the rights of the file.
 *
 * Return: as on /dev/mbox; -ENOTTY for every other command.
 */
long mbox_ioctl_bound(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mbox_file *mf = file->private_data;
	struct mbox_caller caller = {
		.bound = mf->mbox,
		.fmode = file->f_mode,
	};
	void __user *uarg = (void __user *)arg;
	size_t usize = _IOC_SIZE(cmd);
	long ret;

	if (_IOC_TYPE(cmd) != MBOX_IOC_MAGIC)
		return -ENOTTY;
	ret = mbox_ioctl_data(&caller, cmd, uarg);
	if (ret != -ENOIOCTLCMD)
		return ret;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(MBOX_IOC_RING_SETUP):
		ret = mbox_check_cmd(cmd, MBOX_IOC_RING_SETUP,
				     MBOX_RING_SETUP_SIZE_VER1);
		return ret ?: mbox_ring_setup(file, uarg, usize);
	case _IOC_NR(MBOX_IOC_RING_WAIT):
		ret = mbox_check_cmd(cmd, MBOX_IOC_RING_WAIT,
				     MBOX_RING_WAIT_SIZE_VER1);
		return ret ?: mbox_ring_wait(file, uarg, usize);
	default:
		return -ENOTTY;
	}
}
