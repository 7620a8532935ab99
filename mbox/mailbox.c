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
#include <linux/limits.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "mailbox.h"
#include "msg.h"

static DEFINE_XARRAY_ALLOC1(mbox_ids);
static u32 mbox_next_id;		/* cyclic cursor, under the xa_lock */
static atomic_t mbox_nr = ATOMIC_INIT(0);

/**
 * mbox_create() - create a mailbox and publish it in the registry
 * @capacity:		messages it buffers; checked by the caller.
 * @max_msg_size:	largest message; checked by the caller.
 *
 * Ids are allocated cyclically from 1 to INT_MAX, so an id is not reused
 * until the id space wraps.
 *
 * Context: process context; may sleep.
 * Return: the new id, or -ENOSPC or -ENOMEM.
 */
int mbox_create(u32 capacity, u32 max_msg_size)
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
	refcount_set(&mbox->ref, 1);
	spin_lock_init(&mbox->lock);
	INIT_LIST_HEAD(&mbox->msgs);
	init_waitqueue_head(&mbox->senders);
	init_waitqueue_head(&mbox->receivers);

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
	ret = xa_err(xa_store(&mbox_ids, id, mbox, GFP_KERNEL));
	if (ret)
		goto err_release_id;
	return id;

err_release_id:
	xa_release(&mbox_ids, id);
err_free_mbox:
	kfree(mbox);
err_uncount:
	atomic_dec(&mbox_nr);
	return ret == -EBUSY ? -ENOSPC : ret;
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
		kfree_rcu(mbox, rcu);
	}
}

/* Mark @mbox dead, free its messages, wake its waiters, drop the registry's
 * reference.  @mbox has been removed from the registry already.
 */
static void mbox_kill(struct mbox *mbox)
{
	struct mbox_msg *msg, *tmp;
	LIST_HEAD(msgs);

	spin_lock(&mbox->lock);
	WRITE_ONCE(mbox->dead, true);
	list_splice_init(&mbox->msgs, &msgs);
	WRITE_ONCE(mbox->nr_msgs, 0);
	mbox->nr_bytes = 0;
	spin_unlock(&mbox->lock);

	wake_up_all(&mbox->senders);
	wake_up_all(&mbox->receivers);

	list_for_each_entry_safe(msg, tmp, &msgs, link)
		mbox_msg_free(msg);

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

	mbox = xa_erase(&mbox_ids, id);
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
		xa_erase(&mbox_ids, id);
		mbox_kill(mbox);
	}
	xa_destroy(&mbox_ids);
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

	spin_lock(&mbox->lock);
	st->msgs = mbox->nr_msgs;
	st->bytes = mbox->nr_bytes;
	st->sent_msgs = mbox->sent_msgs;
	st->sent_bytes = mbox->sent_bytes;
	st->recv_msgs = mbox->recv_msgs;
	st->recv_bytes = mbox->recv_bytes;
	spin_unlock(&mbox->lock);
}

/**
 * mbox_count() - the number of mailboxes that exist
 */
u32 mbox_count(void)
{
	return atomic_read(&mbox_nr);
}
