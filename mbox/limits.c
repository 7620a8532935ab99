// SPDX-License-Identifier: GPL-2.0
/*
 * Limits: the module parameters, a record per user, the shares of users
 * and namespaces, and the shared pool of message bytes.
 *
 * Every limit is a module parameter under /sys/module/mbox/parameters,
 * writable by root at run time; a write is checked like a load-time value
 * and a bad one is refused with EINVAL.  A new value applies to calls made
 * after it: nothing that exists is shrunk or destroyed.  A limit may thus
 * be lowered below what is in use, so every check compares the count with
 * <= or >, never with ==: a call that would add to a count at or above
 * its limit fails until the count falls below it.
 *
 * Who is charged.  A mailbox is charged to its creator's record (for
 * max_mailboxes_per_user) and to its IPC namespace (max_mailboxes_per_ns),
 * and, unless that namespace is the initial one, to the count all other
 * namespaces share (max_mailboxes).  A message sent from userspace is
 * charged its length plus MBOX_MSG_OVERHEAD to the same three parties of
 * the mailbox it is sent to, not to its sender: the creator's record
 * (max_bytes_per_user, EDQUOT), the namespace's share (max_bytes_per_ns,
 * ENOBUFS) and, outside the initial namespace, the pool the other
 * namespaces share (max_bytes, ENOBUFS), checked in that order.  So what
 * a user's mailboxes hold counts against that user alone, and others can
 * use that share only by sending to mailboxes the user created and let
 * them write to, as far as the capacity and message size the creator
 * chose.  No container can take from the initial namespace (where the
 * kernel API's mailboxes live), and no namespace from the others more
 * than its own share.  The creator's CAP_SYS_RESOURCE, probed at create,
 * lifts its mailbox's charges from the per-user share for the mailbox's
 * life; the namespace shares and the pool have no exemption.  A message
 * the kernel sends (mbox_ksend()) is charged to nobody: it may be sent
 * from an interrupt, and the driver that sends it bounds it.
 *
 * Message bytes are charged when a message is allocated, before any lock,
 * and uncharged when it is freed, so the charge covers queued messages and
 * those of blocked senders alike, and a send that fails has charged
 * nothing.  A message keeps the records it charged, referenced, so the
 * uncharge goes back exactly where the charge went.  A send never waits
 * for bytes to be freed: the bytes it would wait for may be held by
 * mailboxes nobody drains, or by the very receiver it waits for, so it
 * fails with ENOBUFS or EDQUOT instead.
 *
 * The send path takes no global lock and writes no global cache line while
 * far from the limits: the pool and the shares of namespaces and users
 * are percpu_counters, compared exactly (by summing the CPUs' parts) only
 * within their batch times nr_cpus of the limit.  Charges made at the same
 * instant on other CPUs may not be seen by that sum, so a share may
 * overshoot by at most one message per other CPU charging at that instant.
 * Per-user records are in an xarray keyed by kuid, found under RCU and
 * taken with refcount_inc_not_zero(); each counts its mailboxes exactly,
 * in an atomic_t.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/percpu_counter.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uidgid.h>
#include <linux/xarray.h>

#include "mailbox.h"

#define MBOX_POOL_BATCH		(256 * 1024)

unsigned int mbox_max_mailboxes = 4096;
unsigned int mbox_max_mailboxes_per_ns = 1024;
unsigned int mbox_max_mailboxes_per_user = 1024;
unsigned int mbox_max_capacity = 65536;
unsigned int mbox_max_msg_size = 65536;
unsigned long mbox_max_bytes = 256UL << 20;
unsigned long mbox_max_bytes_per_ns = 64UL << 20;
unsigned long mbox_max_bytes_per_user = 64UL << 20;

/* The range of a parameter. */
struct mbox_param {
	void *val;
	unsigned long min;
	unsigned long max;
};

static int mbox_param_set_uint(const char *buf, const struct kernel_param *kp)
{
	const struct mbox_param *p = kp->arg;
	unsigned int v;
	int ret;

	ret = kstrtouint(buf, 0, &v);
	if (ret)
		return ret;
	if (v < p->min || v > p->max)
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)p->val, v);
	return 0;
}

static int mbox_param_get_uint(char *buf, const struct kernel_param *kp)
{
	const struct mbox_param *p = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*(unsigned int *)p->val));
}

static int mbox_param_set_ulong(const char *buf, const struct kernel_param *kp)
{
	const struct mbox_param *p = kp->arg;
	unsigned long v;
	int ret;

	ret = kstrtoul(buf, 0, &v);
	if (ret)
		return ret;
	if (v < p->min || v > p->max)
		return -EINVAL;
	WRITE_ONCE(*(unsigned long *)p->val, v);
	return 0;
}

static int mbox_param_get_ulong(char *buf, const struct kernel_param *kp)
{
	const struct mbox_param *p = kp->arg;

	return sysfs_emit(buf, "%lu\n", READ_ONCE(*(unsigned long *)p->val));
}

static const struct kernel_param_ops mbox_param_uint_ops = {
	.set = mbox_param_set_uint,
	.get = mbox_param_get_uint,
};

static const struct kernel_param_ops mbox_param_ulong_ops = {
	.set = mbox_param_set_ulong,
	.get = mbox_param_get_ulong,
};

/* Each parameter's variable and range; the ops check every write. */
static struct mbox_param mbox_param_max_mailboxes = {
	.val = &mbox_max_mailboxes, .min = 1, .max = INT_MAX,
};
module_param_cb(max_mailboxes, &mbox_param_uint_ops, &mbox_param_max_mailboxes, 0644);
MODULE_PARM_DESC(max_mailboxes, "most mailboxes all IPC namespaces but the initial one may have together (default 4096); beyond: ENOSPC");

static struct mbox_param mbox_param_max_mailboxes_per_ns = {
	.val = &mbox_max_mailboxes_per_ns, .min = 1, .max = INT_MAX,
};
module_param_cb(max_mailboxes_per_ns, &mbox_param_uint_ops, &mbox_param_max_mailboxes_per_ns, 0644);
MODULE_PARM_DESC(max_mailboxes_per_ns, "most mailboxes of one IPC namespace (default 1024); beyond: ENOSPC");

static struct mbox_param mbox_param_max_mailboxes_per_user = {
	.val = &mbox_max_mailboxes_per_user, .min = 1, .max = INT_MAX,
};
module_param_cb(max_mailboxes_per_user, &mbox_param_uint_ops,
		&mbox_param_max_mailboxes_per_user, 0644);
MODULE_PARM_DESC(max_mailboxes_per_user, "most mailboxes one user may have created and not destroyed, unless CAP_SYS_RESOURCE (default 1024); beyond: EDQUOT");

static struct mbox_param mbox_param_max_capacity = {
	.val = &mbox_max_capacity, .min = 1, .max = MBOX_CAPACITY_LIMIT,
};
module_param_cb(max_capacity, &mbox_param_uint_ops, &mbox_param_max_capacity, 0644);
MODULE_PARM_DESC(max_capacity, "largest capacity of a mailbox, in messages (default 65536, at most 16777216)");

static struct mbox_param mbox_param_max_msg_size = {
	.val = &mbox_max_msg_size, .min = 0, .max = MBOX_MSG_SIZE_LIMIT,
};
module_param_cb(max_msg_size, &mbox_param_uint_ops, &mbox_param_max_msg_size, 0644);
MODULE_PARM_DESC(max_msg_size, "largest message size of a mailbox, in bytes (default 65536, at most 16 MiB)");

static struct mbox_param mbox_param_max_bytes = {
	.val = &mbox_max_bytes, .min = 0, .max = LONG_MAX,
};
module_param_cb(max_bytes, &mbox_param_ulong_ops, &mbox_param_max_bytes, 0644);
MODULE_PARM_DESC(max_bytes, "charged bytes the messages of all IPC namespaces but the initial one may hold together (default 256 MiB); beyond: ENOBUFS");

static struct mbox_param mbox_param_max_bytes_per_ns = {
	.val = &mbox_max_bytes_per_ns, .min = 0, .max = LONG_MAX,
};
module_param_cb(max_bytes_per_ns, &mbox_param_ulong_ops, &mbox_param_max_bytes_per_ns, 0644);
MODULE_PARM_DESC(max_bytes_per_ns, "charged bytes the messages in one IPC namespace's mailboxes may hold (default 64 MiB); beyond: ENOBUFS");

static struct mbox_param mbox_param_max_bytes_per_user = {
	.val = &mbox_max_bytes_per_user, .min = 0, .max = LONG_MAX,
};
module_param_cb(max_bytes_per_user, &mbox_param_ulong_ops, &mbox_param_max_bytes_per_user, 0644);
MODULE_PARM_DESC(max_bytes_per_user, "charged bytes the messages in the mailboxes one user created may hold, unless it had CAP_SYS_RESOURCE at create (default 64 MiB); beyond: EDQUOT");

/**
 * struct mbox_user - what one user (effective uid) is charged with
 * @uid:	the user.
 * @ref:	one per mailbox it created, until the mailbox is freed (which
 *		each message charged for it keeps), and one per lookup in
 *		progress.
 * @nr_mboxes:	mailboxes it created that are not destroyed.
 * @bytes:	charged bytes of the messages sent to the mailboxes it
 *		created that are not freed; a percpu_counter, since the
 *		senders to one user's mailboxes (a daemon's, one per
 *		client, say) would otherwise all write one cache line.
 * @rcu:	freed after a grace period: lookups run under RCU.
 */
struct mbox_user {
	kuid_t uid;
	refcount_t ref;
	atomic_t nr_mboxes;
	struct percpu_counter bytes;
	struct rcu_head rcu;
};

/* Records may be dropped with interrupts off, so the lock is IRQ-safe. */
static DEFINE_XARRAY_FLAGS(mbox_users, XA_FLAGS_LOCK_IRQ);
static struct percpu_counter mbox_pool;

static struct mbox_user *mbox_user_find(kuid_t uid)
{
	struct mbox_user *user;

	rcu_read_lock();
	user = xa_load(&mbox_users, __kuid_val(uid));
	if (user && !refcount_inc_not_zero(&user->ref))
		user = NULL;
	rcu_read_unlock();
	return user;
}

/**
 * mbox_user_get() - the record of a user, made if need be
 * @uid:	the user.
 *
 * Context: process context; may sleep.
 * Return: the record, referenced, or NULL if out of memory.
 */
struct mbox_user *mbox_user_get(kuid_t uid)
{
	struct mbox_user *user, *new;
	int ret;

	for (;;) {
		user = mbox_user_find(uid);
		if (user)
			return user;
		new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
		if (!new)
			return NULL;
		if (percpu_counter_init(&new->bytes, 0, GFP_KERNEL_ACCOUNT)) {
			kfree(new);
			return NULL;
		}
		new->uid = uid;
		refcount_set(&new->ref, 1);
		ret = xa_insert_irq(&mbox_users, __kuid_val(uid), new,
				    GFP_KERNEL_ACCOUNT);
		if (!ret)
			return new;
		percpu_counter_destroy(&new->bytes);
		kfree(new);
		if (ret != -EBUSY)
			return NULL;
		/* A record being dropped is still there: look again. */
		cond_resched();
	}
}

/**
 * mbox_user_put() - drop a reference to a user's record
 * @user:	the record.
 *
 * Context: any context but hard IRQ.
 */
void mbox_user_put(struct mbox_user *user)
{
	unsigned long flags;

	if (!refcount_dec_and_test(&user->ref))
		return;
	xa_lock_irqsave(&mbox_users, flags);
	__xa_cmpxchg(&mbox_users, __kuid_val(user->uid), user, NULL, 0);
	xa_unlock_irqrestore(&mbox_users, flags);
	/* Lookups under RCU touch @ref only, which is 0 now. */
	WARN_ON_ONCE(percpu_counter_sum(&user->bytes));
	percpu_counter_destroy(&user->bytes);
	kfree_rcu(user, rcu);
}

/**
 * mbox_user_charge_mailbox() - count a new mailbox against its creator
 * @user:	the creator's record.
 *
 * Context: process context (the capability check is the caller's).
 * Return: 0, or -EDQUOT.
 */
int mbox_user_charge_mailbox(struct mbox_user *user)
{
	if (atomic_inc_return(&user->nr_mboxes) <=
	    READ_ONCE(mbox_max_mailboxes_per_user) ||
	    capable(CAP_SYS_RESOURCE))
		return 0;
	atomic_dec(&user->nr_mboxes);
	return -EDQUOT;
}

void mbox_user_uncharge_mailbox(struct mbox_user *user)
{
	atomic_dec(&user->nr_mboxes);
}

/**
 * mbox_charge_bytes() - charge a message's bytes for the mailbox it is for
 * @mbox:	the mailbox.
 * @len:	the bytes.
 *
 * Charged to the mailbox's creator (unless it had CAP_SYS_RESOURCE at
 * create), then to its namespace's share, then, unless that is the
 * initial namespace, to the pool: the first that is full fails the call,
 * so a creator over its share gets EDQUOT even if the namespace's share is
 * exhausted too.  The caller keeps @mbox referenced until
 * mbox_uncharge_bytes().
 *
 * Context: process context.
 * Return: 0, -EDQUOT or -ENOBUFS, having charged nothing.
 */
int mbox_charge_bytes(struct mbox *mbox, size_t len)
{
	struct mbox_user *user = mbox->user;
	int ret;

	percpu_counter_add_batch(&user->bytes, len, MBOX_POOL_BATCH);
	if (!mbox->exempt &&
	    __percpu_counter_compare(&user->bytes,
				     READ_ONCE(mbox_max_bytes_per_user),
				     MBOX_POOL_BATCH) > 0) {
		ret = -EDQUOT;
		goto err_uncharge_user;
	}
	ret = mbox_ns_charge(mbox->ns, len);
	if (ret)
		goto err_uncharge_user;
	if (mbox_ns_initial(mbox->ns))
		return 0;
	percpu_counter_add_batch(&mbox_pool, len, MBOX_POOL_BATCH);
	if (__percpu_counter_compare(&mbox_pool, READ_ONCE(mbox_max_bytes),
				     MBOX_POOL_BATCH) > 0) {
		ret = -ENOBUFS;
		goto err_uncharge_pool;
	}
	return 0;

err_uncharge_pool:
	percpu_counter_add_batch(&mbox_pool, -(s64)len, MBOX_POOL_BATCH);
	mbox_ns_uncharge(mbox->ns, len);
err_uncharge_user:
	percpu_counter_add_batch(&user->bytes, -(s64)len, MBOX_POOL_BATCH);
	return ret;
}

/**
 * mbox_uncharge_bytes() - give back what mbox_charge_bytes() took
 * @mbox:	the mailbox it was charged for, referenced by the caller; its
 *		@user and @ns do not change while it lives.
 * @len:	the bytes.
 *
 * Context: any context but hard IRQ.
 */
void mbox_uncharge_bytes(struct mbox *mbox, size_t len)
{
	if (!mbox_ns_initial(mbox->ns))
		percpu_counter_add_batch(&mbox_pool, -(s64)len,
					 MBOX_POOL_BATCH);
	mbox_ns_uncharge(mbox->ns, len);
	percpu_counter_add_batch(&mbox->user->bytes, -(s64)len,
				 MBOX_POOL_BATCH);
}

/**
 * mbox_fill_limits() - the limits and the usage of the caller's user
 * @info:	its MBOX_FEATURE_LIMITS and MBOX_FEATURE_NS_SHARES fields but
 *		those of the namespace (mbox_ns_fill_info()) are set.
 *
 * What all namespaces but the initial one share (the pool, the count of
 * their mailboxes) is shown only to a caller in the initial namespace:
 * elsewhere it would tell one container what the others do.
 *
 * Context: process context.
 */
void mbox_fill_limits(struct mbox_info *info)
{
	struct mbox_user *user;
	s64 sum;

	info->max_mailboxes_per_ns = READ_ONCE(mbox_max_mailboxes_per_ns);
	info->max_mailboxes_per_user = READ_ONCE(mbox_max_mailboxes_per_user);
	info->max_bytes = READ_ONCE(mbox_max_bytes);
	info->max_bytes_per_user = READ_ONCE(mbox_max_bytes_per_user);
	info->max_bytes_per_ns = READ_ONCE(mbox_max_bytes_per_ns);
	if (mbox_current_ns_initial()) {
		sum = percpu_counter_sum(&mbox_pool);
		info->shared_bytes = sum > 0 ? sum : 0;
		info->shared_mailboxes = mbox_count_shared();
	}

	user = mbox_user_find(current_euid());
	if (user) {
		sum = percpu_counter_sum(&user->bytes);
		info->user_bytes = sum > 0 ? sum : 0;
		info->user_mailboxes = atomic_read(&user->nr_mboxes);
		mbox_user_put(user);
	}
}

int mbox_limits_init(void)
{
	return percpu_counter_init(&mbox_pool, 0, GFP_KERNEL);
}

/* At unload, with every mailbox and message freed. */
void mbox_limits_exit(void)
{
	WARN_ON_ONCE(percpu_counter_sum(&mbox_pool));
	WARN_ON_ONCE(!xa_empty(&mbox_users));
	percpu_counter_destroy(&mbox_pool);
	xa_destroy(&mbox_users);
}
