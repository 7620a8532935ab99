// SPDX-License-Identifier: GPL-2.0
/*
 * Limits: the module parameters, a record per user, and the pool of
 * message bytes.
 *
 * Every limit is a module parameter under /sys/module/mbox/parameters,
 * writable by root at run time; a write is checked like a load-time value
 * and a bad one is refused with EINVAL.  A new value applies to calls made
 * after it: nothing that exists is shrunk or destroyed.  A limit may thus
 * be lowered below what is in use, so every check compares the count with
 * <= or >, never with ==: a call that would add to a count at or above
 * its limit fails until the count falls below it.
 *
 * Message bytes are charged when a message is allocated, before any lock,
 * and uncharged when it is freed, so the charge covers queued messages and
 * those of blocked senders alike, and a send that fails has charged
 * nothing.  A send never waits for bytes to be freed: the bytes it would
 * wait for may be held by mailboxes nobody drains, or by the very receiver
 * it waits for, so it fails with ENOBUFS (pool) or EDQUOT (its user's
 * share) instead.
 *
 * The send path takes no global lock and writes no global cache line while
 * far from the limit: the pool is a percpu_counter, compared exactly (by
 * summing the CPUs' parts) only within MBOX_POOL_BATCH * nr_cpus of the
 * limit.  Charges made at the same instant on other CPUs may not be seen
 * by that sum, so the pool may overshoot by at most one message per other
 * CPU charging at that instant.  Per-user records are in an xarray keyed by
 * kuid, found under RCU and taken with refcount_inc_not_zero(); each has
 * its own counters, exact.
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
unsigned int mbox_max_mailboxes_per_ns = 4096;
unsigned int mbox_max_mailboxes_per_user = 1024;
unsigned int mbox_max_capacity = 65536;
unsigned int mbox_max_msg_size = 65536;
unsigned long mbox_max_bytes = 256UL << 20;
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
MODULE_PARM_DESC(max_mailboxes, "most mailboxes that may exist at once (default 4096); beyond: ENOSPC");

static struct mbox_param mbox_param_max_mailboxes_per_ns = {
	.val = &mbox_max_mailboxes_per_ns, .min = 1, .max = INT_MAX,
};
module_param_cb(max_mailboxes_per_ns, &mbox_param_uint_ops, &mbox_param_max_mailboxes_per_ns, 0644);
MODULE_PARM_DESC(max_mailboxes_per_ns, "most mailboxes of one IPC namespace (default 4096); beyond: ENOSPC");

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
MODULE_PARM_DESC(max_bytes, "bytes all messages may hold together (default 256 MiB); beyond: ENOBUFS");

static struct mbox_param mbox_param_max_bytes_per_user = {
	.val = &mbox_max_bytes_per_user, .min = 0, .max = LONG_MAX,
};
module_param_cb(max_bytes_per_user, &mbox_param_ulong_ops, &mbox_param_max_bytes_per_user, 0644);
MODULE_PARM_DESC(max_bytes_per_user, "bytes one user's messages may hold, unless CAP_SYS_RESOURCE (default 64 MiB); beyond: EDQUOT");

/**
 * struct mbox_user - what one user (effective uid) is charged with
 * @uid:	the user.
 * @ref:	one per mailbox created and per message allocated by it, one
 *		per open /dev/mbox file and mailbox file it opened (struct
 *		mbox_owner, struct mbox_file), and one per lookup in progress.
 * @nr_mboxes:	mailboxes it created that are not destroyed.
 * @bytes:	bytes of its messages that are not freed.
 * @rcu:	freed after a grace period: lookups run under RCU.
 */
struct mbox_user {
	kuid_t uid;
	refcount_t ref;
	atomic_t nr_mboxes;
	atomic_long_t bytes;
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
		new->uid = uid;
		refcount_set(&new->ref, 1);
		ret = xa_insert_irq(&mbox_users, __kuid_val(uid), new,
				    GFP_KERNEL_ACCOUNT);
		if (!ret)
			return new;
		kfree(new);
		if (ret != -EBUSY)
			return NULL;
		/* A record being dropped is still there: look again. */
		cond_resched();
	}
}

/**
 * mbox_user_get_cached() - mbox_user_get(), trying a record at hand first
 * @cached:	a record the caller holds a reference to, or NULL: the
 *		record of the user who opened the file the call came
 *		through.
 * @uid:	the user.
 *
 * A file is nearly always used by the user who opened it, so this spares
 * the send path the lookup of its sender's record: a comparison and a
 * reference instead of an RCU walk of the xarray.
 *
 * Context: process context; may sleep.
 * Return: the record of @uid, referenced, or NULL if out of memory.
 */
struct mbox_user *mbox_user_get_cached(struct mbox_user *cached, kuid_t uid)
{
	if (cached && uid_eq(cached->uid, uid)) {
		refcount_inc(&cached->ref);
		return cached;
	}
	return mbox_user_get(uid);
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
 * mbox_charge_bytes() - charge a message's bytes to its sender and the pool
 * @user:	the sender's record.
 * @len:	the bytes.
 *
 * The user's share is checked first: a user over it gets EDQUOT even if
 * the pool is exhausted too.  CAP_SYS_RESOURCE lifts the user's share,
 * not the pool.
 *
 * Context: process context.
 * Return: 0, -EDQUOT or -ENOBUFS.
 */
int mbox_charge_bytes(struct mbox_user *user, size_t len)
{
	if (!len)
		return 0;
	if (atomic_long_add_return(len, &user->bytes) >
	    (long)READ_ONCE(mbox_max_bytes_per_user) &&
	    !capable(CAP_SYS_RESOURCE)) {
		atomic_long_sub(len, &user->bytes);
		return -EDQUOT;
	}
	percpu_counter_add_batch(&mbox_pool, len, MBOX_POOL_BATCH);
	if (__percpu_counter_compare(&mbox_pool, READ_ONCE(mbox_max_bytes),
				     MBOX_POOL_BATCH) > 0) {
		percpu_counter_add_batch(&mbox_pool, -(s64)len,
					 MBOX_POOL_BATCH);
		atomic_long_sub(len, &user->bytes);
		return -ENOBUFS;
	}
	return 0;
}

/**
 * mbox_uncharge_bytes() - give back what mbox_charge_bytes() took
 * @user:	the sender's record.
 * @len:	the bytes.
 *
 * Context: any context but hard IRQ.
 */
void mbox_uncharge_bytes(struct mbox_user *user, size_t len)
{
	if (!len)
		return;
	percpu_counter_add_batch(&mbox_pool, -(s64)len, MBOX_POOL_BATCH);
	atomic_long_sub(len, &user->bytes);
}

/**
 * mbox_fill_limits() - the limits and the usage of the caller's user
 * @info:	its MBOX_FEATURE_LIMITS fields are set.
 *
 * Context: process context.
 */
void mbox_fill_limits(struct mbox_info *info)
{
	struct mbox_user *user;
	s64 pool;

	info->max_mailboxes_per_ns = READ_ONCE(mbox_max_mailboxes_per_ns);
	info->max_mailboxes_per_user = READ_ONCE(mbox_max_mailboxes_per_user);
	info->max_bytes = READ_ONCE(mbox_max_bytes);
	info->max_bytes_per_user = READ_ONCE(mbox_max_bytes_per_user);
	pool = percpu_counter_sum(&mbox_pool);
	info->pool_bytes = pool > 0 ? pool : 0;
	info->ns_mailboxes = mbox_ns_count();

	user = mbox_user_find(current_euid());
	if (user) {
		info->user_bytes = atomic_long_read(&user->bytes);
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
