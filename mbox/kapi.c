// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel API (include/linux/mbox.h, documented there and in
 * Documentation/mbox.rst): mailboxes for interrupt handlers, kernel threads
 * and other modules.
 *
 * Create and name lookup run in a work item: a kernel worker has the
 * initial namespaces and the root user's credentials, so the mailbox's
 * namespace, name and owner do not depend on which task called, and
 * mailbox.c, names.c and ns.c, which work in the current task's IPC
 * namespace, need no other path.
 *
 * No user can make the kernel API act on a mailbox the user chose: the
 * kernel's names begin with MBOX_KERNEL_NAME_PREFIX, which MBOX_IOC_CREATE
 * refuses, and mbox_kget() finds only mailboxes that mbox_kcreate() made.
 * A driver given an id by a process uses mbox_kget_user(), which checks it
 * as that process's own call would be checked.
 *
 * The send is the only function meant for atomic context: it allocates
 * with GFP_NOWAIT and sends with mbox_send_atomic(), which saves the
 * interrupt state around the mailbox's lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/mbox.h>
#include <linux/pid.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "mailbox.h"
#include "msg.h"

#define MBOX_KRECV_WAIT_FLAGS	(MBOX_NONBLOCK | MBOX_TIMEOUT | \
				 MBOX_TIMEOUT_ABS)
#define MBOX_KRECV_FLAGS	(MBOX_KRECV_WAIT_FLAGS | MBOX_RECV_TYPE | \
				 MBOX_RECV_EXCEPT | MBOX_RECV_PEEK | \
				 MBOX_RECV_TRUNC)

/*
 * The queue of those work items.  A create holds mbox_names_lock while it
 * waits for a pin item (ns.c), which has a queue of its own, so nothing
 * here waits for an item of this queue; WQ_MEM_RECLAIM gives it a
 * rescuer, so a caller's item runs even when no worker can be created.
 * It is ordered (one item at a time): every item takes mbox_names_lock,
 * so running more at once would only make more workers wait for it.
 */
static struct workqueue_struct *mbox_kapi_wq;

/* A create or a name lookup, done by a kernel worker. */
struct mbox_kwork {
	struct work_struct work;
	struct mbox_params params;
	const char *name;
	struct mbox *mbox;	/* the result, or an ERR_PTR() */
};

/* Run @fn on @kw in a kernel worker and wait for it. */
static struct mbox *mbox_kwork_run(struct mbox_kwork *kw, work_func_t fn)
{
	INIT_WORK_ONSTACK(&kw->work, fn);
	queue_work(mbox_kapi_wq, &kw->work);
	flush_work(&kw->work);
	destroy_work_on_stack(&kw->work);
	return kw->mbox;
}

static void mbox_kcreate_fn(struct work_struct *work)
{
	struct mbox_kwork *kw = container_of(work, struct mbox_kwork, work);
	struct mbox *mbox;
	int id;

	kw->params.kernel = true;
	id = mbox_create(&kw->params, NULL, kw->name);
	if (id < 0) {
		kw->mbox = ERR_PTR(id);
		return;
	}
	/* Published already: userspace may have destroyed it meanwhile. */
	mbox = mbox_get_any_ns(id);
	kw->mbox = mbox ?: ERR_PTR(-EIDRM);
}

static void mbox_klookup_fn(struct work_struct *work)
{
	struct mbox_kwork *kw = container_of(work, struct mbox_kwork, work);
	struct mbox *mbox = NULL;
	int id;

	id = mbox_name_lookup(kw->name);
	if (id > 0)
		mbox = mbox_get_any_ns(id);
	/* The prefix is the kernel's, so this is one of its mailboxes. */
	WARN_ON_ONCE(mbox && !mbox->kernel);
	kw->mbox = mbox ?: ERR_PTR(-ENOENT);
}

/*
 * The rules of MBOX_IOC_CREATE (1 to 63 printable ASCII bytes, no '/'),
 * and the kernel's prefix.
 */
static bool mbox_kname_valid(const char *name)
{
	size_t len = strnlen(name, MBOX_NAME_MAX);
	size_t i;

	if (len == MBOX_NAME_MAX || !mbox_name_is_kernel(name))
		return false;
	for (i = 0; i < len; i++) {
		if (name[i] < 0x20 || name[i] > 0x7e || name[i] == '/')
			return false;
	}
	return true;
}

struct mbox *mbox_kget(u32 id)
{
	struct mbox *mbox = mbox_get_any_ns(id);

	if (mbox && !mbox->kernel) {
		mbox_put(mbox);
		mbox = NULL;
	}
	return mbox ?: ERR_PTR(-ENOENT);
}
EXPORT_SYMBOL_GPL(mbox_kget);

struct mbox *mbox_kget_user(u32 id, int may)
{
	might_sleep();
	if (!may || (may & ~(MAY_READ | MAY_WRITE)))
		return ERR_PTR(-EINVAL);
	return mbox_get_checked(id, may);
}
EXPORT_SYMBOL_GPL(mbox_kget_user);

struct mbox *mbox_kget_by_name(const char *name)
{
	struct mbox_kwork kw = { .name = name };

	might_sleep();
	if (!mbox_kname_valid(name))
		return ERR_PTR(-EINVAL);
	return mbox_kwork_run(&kw, mbox_klookup_fn);
}
EXPORT_SYMBOL_GPL(mbox_kget_by_name);

void mbox_kput(struct mbox *mbox)
{
	mbox_put(mbox);
}
EXPORT_SYMBOL_GPL(mbox_kput);

struct mbox *mbox_kcreate(u32 capacity, u32 max_msg_size, umode_t mode,
			  const char *name)
{
	struct mbox_kwork kw = {
		.params = {
			.capacity = capacity,
			.max_msg_size = max_msg_size,
			.flags = name ? MBOX_CREATE_EXCL : 0,
			.mode = mode,
		},
		.name = name,
	};

	might_sleep();
	if (capacity > READ_ONCE(mbox_max_capacity) ||
	    max_msg_size > READ_ONCE(mbox_max_msg_size) || (mode & ~0777))
		return ERR_PTR(-EINVAL);
	if (name && !mbox_kname_valid(name))
		return ERR_PTR(-EINVAL);
	return mbox_kwork_run(&kw, mbox_kcreate_fn);
}
EXPORT_SYMBOL_GPL(mbox_kcreate);

void mbox_kdestroy(struct mbox *mbox)
{
	might_sleep();
	/* -ENOENT: destroyed already, which is fine. */
	mbox_destroy_mbox(mbox);
	mbox_put(mbox);
}
EXPORT_SYMBOL_GPL(mbox_kdestroy);

u32 mbox_kid(const struct mbox *mbox)
{
	return mbox->id;
}
EXPORT_SYMBOL_GPL(mbox_kid);

int mbox_ksend(struct mbox *mbox, u32 type, const void *data, size_t len)
{
	struct mbox_msg *msg;
	int ret;

	if (len > READ_ONCE(mbox->max_msg_size))
		return -EMSGSIZE;
	/*
	 * GFP_NOWAIT, not GFP_ATOMIC: a message that cannot be allocated is
	 * an -ENOMEM the caller counts, not a reason to drain the reserves
	 * that the rest of the kernel needs in order to free memory.
	 */
	msg = mbox_msg_kload(data, len, type, GFP_NOWAIT | __GFP_NOWARN);
	if (!msg)
		return -ENOMEM;
	ret = mbox_send_atomic(mbox, msg);
	if (ret)
		mbox_msg_put(msg);
	return ret;
}
EXPORT_SYMBOL_GPL(mbox_ksend);

struct mbox_krecv_ctx {
	void *buf;
	struct mbox_kmsg *info;
};

static int mbox_krecv_deliver(const struct mbox_msg *msg, size_t len,
			      void *data)
{
	struct mbox_krecv_ctx *ctx = data;
	struct mbox_kmsg *info = ctx->info;

	mbox_msg_kstore(msg, ctx->buf, len);
	if (info) {
		info->type = msg->type;
		info->len = msg->len;
		info->seq = msg->seq;
		info->send_ns = msg->send_ns;
		info->pid = pid_nr(msg->pid);
		info->uid = msg->uid;
	}
	return 0;
}

ssize_t mbox_krecv(struct mbox *mbox, void *buf, size_t size,
		   unsigned int flags, u32 type, u64 timeout_ns,
		   struct mbox_kmsg *info)
{
	struct mbox_krecv_ctx ctx = { .buf = buf, .info = info };
	struct mbox_sel sel = {
		.flags = flags,
		.type = type,
		.size = size,
		.deadline = KTIME_MAX,
	};
	size_t len;
	int ret;

	might_sleep_if(!(flags & MBOX_NONBLOCK));
	if ((flags & ~MBOX_KRECV_FLAGS) ||
	    hweight32(flags & MBOX_KRECV_WAIT_FLAGS) > 1 ||
	    ((flags & MBOX_RECV_TYPE) && (flags & MBOX_RECV_EXCEPT)))
		return -EINVAL;
	if (flags & MBOX_TIMEOUT)
		sel.deadline = ktime_add_safe(ktime_get(),
					      ns_to_ktime(min_t(u64, timeout_ns,
								KTIME_MAX)));
	else if (flags & MBOX_TIMEOUT_ABS)
		sel.deadline = ns_to_ktime(min_t(u64, timeout_ns, KTIME_MAX));
	else if (timeout_ns)
		return -EINVAL;

	ret = mbox_recv(mbox, &sel, &len, mbox_krecv_deliver, &ctx);
	if (ret == -EMSGSIZE && info)
		info->len = len;
	if (ret == -ERESTARTNOHAND)
		ret = -EINTR;
	return ret ?: len;
}
EXPORT_SYMBOL_GPL(mbox_krecv);

/**
 * mbox_kapi_init() - make the kernel API's work queue, at module load
 *
 * Return: 0, or -ENOMEM.
 */
int mbox_kapi_init(void)
{
	mbox_kapi_wq = alloc_ordered_workqueue("mbox_kapi", WQ_MEM_RECLAIM);
	return mbox_kapi_wq ? 0 : -ENOMEM;
}

/**
 * mbox_kapi_exit() - free the kernel API's work queue, at module unload
 *
 * Context: no kernel API call is running: a module that uses the API
 * holds mbox by its symbols.
 */
void mbox_kapi_exit(void)
{
	destroy_workqueue(mbox_kapi_wq);
}
