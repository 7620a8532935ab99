// SPDX-License-Identifier: GPL-2.0
/*
 * The mailbox registry and the mailbox's lifetime.
 *
 * Ids live in an allocating xarray.  Lookups walk it under RCU and take a
 * reference with refcount_inc_not_zero(), so the send and receive paths
 * take no global lock; only create and destroy take the xarray's lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/ktime.h>
#include <linux/limits.h>
#include <linux/pid.h>
#include <linux/timekeeping.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "mailbox.h"
#include "msg.h"

static DEFINE_XARRAY_ALLOC1(mbox_ids);
static u32 mbox_next_id;		/* cyclic cursor, under the xa_lock */
static atomic_t mbox_nr = ATOMIC_INIT(0);

/* Protects every mbox_owner.owned list and mbox.owner_link. */
static DEFINE_SPINLOCK(mbox_owner_lock);

/* Allocate, initialise and publish a mailbox; see mbox_create(). */
static int mbox_new(u32 capacity, u32 max_msg_size, u64 flags,
		    struct mbox_owner *owner, const char *name)
{
	struct mbox *mbox;
	u32 id;
	int ret;

	if (!atomic_add_unless(&mbox_nr, 1, mbox_max_mailboxes))
		return -ENOSPC;

	mbox = kzalloc(sizeof(*mbox), GFP_KERNEL_ACCOUNT);
	if (!mbox) {
		ret = -ENOMEM;
		goto err_uncount;
	}
	mbox->capacity = capacity;
	mbox->max_msg_size = max_msg_size;
	mbox->create_flags = flags;
	mbox->create_ns = ktime_get_ns();
	refcount_set(&mbox->ref, 1);
	INIT_LIST_HEAD(&mbox->owner_link);
	spin_lock_init(&mbox->lock);
	INIT_LIST_HEAD(&mbox->msgs);
	INIT_LIST_HEAD(&mbox->senders);
	INIT_LIST_HEAD(&mbox->receivers);
	init_waitqueue_head(&mbox->poll_wq);

	/*
	 * Reserve the id, fill it in, then publish the mailbox: once it is in
	 * the xarray a concurrent destroy may free it, so it is not touched
	 * after xa_store().
	 */
	ret = xa_alloc_cyclic(&mbox_ids, &id, NULL, XA_LIMIT(1, INT_MAX),
			      &mbox_next_id, GFP_KERNEL);
	if (ret < 0)
		goto err_free_mbox;
	mbox->id = id;
	if (name) {
		strscpy(mbox->name, name, sizeof(mbox->name));
		ret = mbox_name_add(mbox);
		if (ret)
			goto err_release_id;
	}
	if (flags & MBOX_CREATE_AUTODESTROY) {
		spin_lock(&mbox_owner_lock);
		list_add_tail(&mbox->owner_link, &owner->owned);
		spin_unlock(&mbox_owner_lock);
	}
	ret = xa_err(xa_store(&mbox_ids, id, mbox, GFP_KERNEL));
	if (ret)
		goto err_unown;
	return id;

err_unown:
	spin_lock(&mbox_owner_lock);
	list_del(&mbox->owner_link);
	spin_unlock(&mbox_owner_lock);
	mbox_name_del(mbox);
err_release_id:
	xa_release(&mbox_ids, id);
err_free_mbox:
	kfree(mbox);
err_uncount:
	atomic_dec(&mbox_nr);
	return ret == -EBUSY ? -ENOSPC : ret;
}

/**
 * mbox_create() - create a mailbox and publish it in the registry
 * @capacity:		messages it buffers; checked by the caller.
 * @max_msg_size:	largest message; checked by the caller.
 * @flags:		MBOX_CREATE_* flags; checked by the caller.
 * @owner:		the file to tie the mailbox to, with
 *			MBOX_CREATE_AUTODESTROY.
 * @name:		a valid name, or NULL.
 *
 * Ids are allocated cyclically from 1 to INT_MAX, so an id is not reused
 * until the id space wraps.  A named create holds mbox_names_lock from the
 * check that the name is free until the mailbox is published.
 *
 * Context: process context; may sleep.
 * Return: the new id; with a taken @name, the id of the mailbox that has
 * it, or -EEXIST with MBOX_CREATE_EXCL; or -ENOSPC or -ENOMEM.
 */
int mbox_create(u32 capacity, u32 max_msg_size, u64 flags,
		struct mbox_owner *owner, const char *name)
{
	struct mbox *found;
	int ret;

	if (!name)
		return mbox_new(capacity, max_msg_size, flags, owner, NULL);

	mbox_names_lock_acquire();
	found = mbox_name_find(name);
	if (found)
		ret = (flags & MBOX_CREATE_EXCL) ? -EEXIST : found->id;
	else
		ret = mbox_new(capacity, max_msg_size, flags, owner, name);
	mbox_names_lock_release();
	return ret;
}

/**
 * mbox_get() - look up a mailbox by id and take a reference
 * @id:		the id.
 *
 * Context: any process context; takes no lock but RCU.
 * Return: the mailbox, or NULL if no mailbox has that id.
 */
struct mbox *mbox_get(u32 id)
{
	struct mbox *mbox;

	rcu_read_lock();
	mbox = xa_load(&mbox_ids, id);
	if (mbox && !refcount_inc_not_zero(&mbox->ref))
		mbox = NULL;
	rcu_read_unlock();
	return mbox;
}

/**
 * mbox_get_next() - find the mailbox with the smallest id >= *@id
 * @id:		in: where to start; out: the id found.
 *
 * Context: any process context; takes no lock but RCU.
 * Return: the mailbox with a reference taken, or NULL if there is none.
 */
struct mbox *mbox_get_next(u32 *id)
{
	unsigned long index = *id;
	struct mbox *mbox;

	rcu_read_lock();
	xa_for_each_start(&mbox_ids, index, mbox, *id) {
		if (refcount_inc_not_zero(&mbox->ref)) {
			*id = index;
			break;
		}
	}
	rcu_read_unlock();
	return mbox;
}

/**
 * mbox_put() - drop a reference taken by mbox_get() or at create
 * @mbox:	the mailbox.
 *
 * The last reference is dropped only after destroy has emptied the
 * mailbox, so there is nothing left to free but the mailbox itself.
 */
void mbox_put(struct mbox *mbox)
{
	if (refcount_dec_and_test(&mbox->ref)) {
		WARN_ON_ONCE(!list_empty(&mbox->msgs));
		put_pid(mbox->last_send_pid);
		put_pid(mbox->last_recv_pid);
		kfree_rcu(mbox, rcu);
	}
}

/*
 * Destroy @mbox, which the caller has just removed from the registry:
 * untie it from its owner, kill its queue, drop the registry's reference.
 */
static void mbox_kill(struct mbox *mbox)
{
	spin_lock(&mbox_owner_lock);
	list_del_init(&mbox->owner_link);
	spin_unlock(&mbox_owner_lock);

	mbox_kill_queue(mbox);
	atomic_dec(&mbox_nr);
	mbox_put(mbox);
}

/**
 * mbox_destroy() - destroy a mailbox
 * @id:		its id.
 *
 * Blocked senders and receivers wake and fail with -EIDRM; queued
 * messages are freed.
 *
 * Context: process context.
 * Return: 0, or -ENOENT.
 */
int mbox_destroy(u32 id)
{
	struct mbox *mbox;

	/* The id and the name go together, as seen by name operations. */
	mbox_names_lock_acquire();
	mbox = xa_erase(&mbox_ids, id);
	if (mbox)
		mbox_name_del(mbox);
	mbox_names_lock_release();
	if (!mbox)
		return -ENOENT;
	mbox_kill(mbox);
	return 0;
}

/**
 * mbox_destroy_all() - destroy every mailbox, at module unload
 *
 * Context: process context, with no file of the device open, so no
 * operation is in flight.
 */
void mbox_destroy_all(void)
{
	struct mbox *mbox;
	unsigned long id;

	xa_for_each(&mbox_ids, id, mbox) {
		mbox_names_lock_acquire();
		xa_erase(&mbox_ids, id);
		mbox_name_del(mbox);
		mbox_names_lock_release();
		mbox_kill(mbox);
	}
	xa_destroy(&mbox_ids);
}

/**
 * mbox_owner_release() - destroy the mailboxes tied to a closing file
 * @owner:	the file's owner record.
 *
 * A mailbox destroyed meanwhile by id is skipped: only the one still
 * registered under its id is erased.
 *
 * Context: process context.
 */
void mbox_owner_release(struct mbox_owner *owner)
{
	struct mbox *mbox;
	bool erased;

	for (;;) {
		spin_lock(&mbox_owner_lock);
		mbox = list_first_entry_or_null(&owner->owned, struct mbox,
						owner_link);
		if (mbox) {
			list_del_init(&mbox->owner_link);
			/* Still registered, so the registry's reference holds. */
			refcount_inc(&mbox->ref);
		}
		spin_unlock(&mbox_owner_lock);
		if (!mbox)
			break;

		mbox_names_lock_acquire();
		erased = xa_cmpxchg(&mbox_ids, mbox->id, mbox, NULL, 0) == mbox;
		if (erased)
			mbox_name_del(mbox);
		mbox_names_lock_release();
		if (erased)
			mbox_kill(mbox);
		mbox_put(mbox);
	}
}

/**
 * mbox_fill_stat() - take a snapshot of a mailbox's figures
 * @mbox:	the mailbox, referenced by the caller.
 * @st:		filled in; its other fields are left alone.
 */
void mbox_fill_stat(struct mbox *mbox, struct mbox_stat *st)
{
	st->id = mbox->id;
	st->capacity = mbox->capacity;
	st->max_msg_size = mbox->max_msg_size;

	st->create_ns = mbox->create_ns;
	st->create_flags = mbox->create_flags;
	mbox_name_get(mbox, st->name);

	spin_lock(&mbox->lock);
	st->msgs = mbox->nr_msgs;
	st->bytes = mbox->nr_bytes;
	st->sent_msgs = mbox->sent_msgs;
	st->sent_bytes = mbox->sent_bytes;
	st->recv_msgs = mbox->recv_msgs;
	st->recv_bytes = mbox->recv_bytes;
	st->blocked_senders = mbox->nr_senders;
	st->blocked_receivers = mbox->nr_receivers;
	st->last_send_pid = pid_vnr(mbox->last_send_pid);
	st->last_recv_pid = pid_vnr(mbox->last_recv_pid);
	st->last_send_ns = mbox->last_send_ns;
	st->last_recv_ns = mbox->last_recv_ns;
	spin_unlock(&mbox->lock);
}

/**
 * mbox_fill_totals() - sum the messages and bytes queued in all mailboxes
 * @info:	its @total_msgs and @total_bytes are set.
 *
 * Each mailbox is read under its own lock, one after the other, so the sum
 * is not one snapshot; no lock is shared with the send and receive paths.
 */
void mbox_fill_totals(struct mbox_info *info)
{
	struct mbox *mbox;
	unsigned long id;

	info->total_msgs = 0;
	info->total_bytes = 0;
	rcu_read_lock();
	xa_for_each(&mbox_ids, id, mbox) {
		spin_lock(&mbox->lock);
		info->total_msgs += mbox->nr_msgs;
		info->total_bytes += mbox->nr_bytes;
		spin_unlock(&mbox->lock);
	}
	rcu_read_unlock();
}

/**
 * mbox_count() - the number of mailboxes that exist
 */
u32 mbox_count(void)
{
	return atomic_read(&mbox_nr);
}
