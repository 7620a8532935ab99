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
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ktime.h>
#include <linux/limits.h>
#include <linux/pid.h>
#include <linux/timekeeping.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>

#include "mailbox.h"
#include "msg.h"
#include "ring.h"
#include "trace.h"

static DEFINE_XARRAY_ALLOC1(mbox_ids);
static u32 mbox_next_id;		/* cyclic cursor, under the xa_lock */
/* Registered mailboxes of every IPC namespace but the initial one. */
static atomic_t mbox_nr_shared = ATOMIC_INIT(0);

/* Protects every mbox_owner.owned list and mbox.owner_link. */
static DEFINE_SPINLOCK(mbox_owner_lock);

/* Allocate, initialise and publish a mailbox; see mbox_create(). */
static int mbox_new(const struct mbox_params *p, struct mbox_owner *owner,
		    const char *name)
{
	struct mbox *mbox;
	u32 id;
	int ret;

	mbox_names_lock_assert_held();

	mbox = kzalloc(sizeof(*mbox), GFP_KERNEL_ACCOUNT);
	if (!mbox)
		return -ENOMEM;
	mbox->capacity = p->capacity;
	mbox->max_msg_size = p->max_msg_size;
	mbox->create_flags = p->flags;
	mbox->kernel = p->kernel;
	mbox->create_ns = ktime_get_ns();
	mbox->mode = p->mode;
	mbox->uid = current_euid();
	mbox->cuid = mbox->uid;
	mbox->gid = current_egid();
	mbox->cgid = mbox->gid;
	/* A probe: lacking it fails nothing now, so it is not audited. */
	mbox->exempt = ns_capable_noaudit(&init_user_ns, CAP_SYS_RESOURCE);
	refcount_set(&mbox->ref, 1);
	INIT_LIST_HEAD(&mbox->owner_link);
	spin_lock_init(&mbox->lock);
	mbox_ixtree_init(&mbox->msgs, true);
	mbox_ixtree_init(&mbox->senders, true);
	mbox_ixtree_init(&mbox->rx_all, false);
	mbox_ixtree_init(&mbox->rx_type, true);
	mbox_ixtree_init(&mbox->rx_except, false);
	init_waitqueue_head(&mbox->poll_wq);

	/* The creator's share (EDQUOT), its namespace's, then the global. */
	mbox->user = mbox_user_get(mbox->cuid);
	if (!mbox->user) {
		ret = -ENOMEM;
		goto err_free_mbox;
	}
	ret = mbox_user_charge_mailbox(mbox->user);
	if (ret)
		goto err_put_user;
	ret = mbox_ns_attach(mbox);
	if (ret)
		goto err_uncharge_user;
	/*
	 * Compared with >=, not ==: root may lower the limit below the
	 * count, and then no create may succeed until enough are destroyed.
	 * Creates are serialised by mbox_names_lock and destroys only lower
	 * the count, so it cannot pass the limit between the test and the
	 * increment.  The initial namespace is held to its own share only.
	 */
	if (!mbox_ns_initial(mbox->ns)) {
		if (atomic_read(&mbox_nr_shared) >=
		    READ_ONCE(mbox_max_mailboxes)) {
			ret = -ENOSPC;
			goto err_detach_ns;
		}
		atomic_inc(&mbox_nr_shared);
	}

	/*
	 * Reserve the id, fill it in, then publish the mailbox: once it is in
	 * the xarray a concurrent destroy may free it, so it is not touched
	 * after xa_store().
	 */
	ret = xa_alloc_cyclic(&mbox_ids, &id, NULL, XA_LIMIT(1, INT_MAX),
			      &mbox_next_id, GFP_KERNEL);
	if (ret < 0)
		goto err_uncount;
	mbox->id = id;
	if (name) {
		strscpy(mbox->name, name, sizeof(mbox->name));
		mbox_name_add(mbox);
	}
	if (p->flags & MBOX_CREATE_AUTODESTROY) {
		spin_lock(&mbox_owner_lock);
		list_add_tail(&mbox->owner_link, &owner->owned);
		spin_unlock(&mbox_owner_lock);
	}
	ret = xa_err(xa_store(&mbox_ids, id, mbox, GFP_KERNEL));
	if (ret)
		goto err_unown;
	/* Published: a destroy may free it now, so trace from the arguments. */
	trace_mbox_create(id, p, name);
	return id;

err_unown:
	spin_lock(&mbox_owner_lock);
	list_del(&mbox->owner_link);
	spin_unlock(&mbox_owner_lock);
	mbox_name_del(mbox);
	xa_release(&mbox_ids, id);
err_uncount:
	if (!mbox_ns_initial(mbox->ns))
		atomic_dec(&mbox_nr_shared);
err_detach_ns:
	mbox_ns_detach(mbox);
	mbox_ns_put(mbox->ns);
err_uncharge_user:
	mbox_user_uncharge_mailbox(mbox->user);
err_put_user:
	mbox_user_put(mbox->user);
err_free_mbox:
	kfree(mbox);
	return ret == -EBUSY ? -ENOSPC : ret;
}

/**
 * mbox_create() - create a mailbox and publish it in the registry
 * @p:		its capacity, maximum message size, flags and mode.
 * @owner:	the file to tie the mailbox to, with
 *		MBOX_CREATE_AUTODESTROY.
 * @name:	a valid name, or NULL.
 *
 * Ids are allocated cyclically from 1 to INT_MAX, so an id is not reused
 * until the id space wraps.  The mailbox belongs to the caller's IPC
 * namespace and is owned by its effective uid and gid.  Every create holds
 * mbox_names_lock, which guards the namespace records and, for a named
 * create, the name from the check that it is free until the mailbox is
 * published.
 *
 * Context: process context; may sleep.
 * Return: the new id; with a taken @name, the id of the mailbox that has
 * it, or -EEXIST with MBOX_CREATE_EXCL; or -ENOSPC, -EDQUOT or -ENOMEM.
 */
int mbox_create(const struct mbox_params *p, struct mbox_owner *owner,
		const char *name)
{
	struct mbox *found;
	int ret;

	mbox_names_lock_acquire();
	found = name ? mbox_name_find(name) : NULL;
	if (found)
		ret = (p->flags & MBOX_CREATE_EXCL) ? -EEXIST : found->id;
	else
		ret = mbox_new(p, owner, name);
	mbox_names_lock_release();
	return ret;
}

/**
 * mbox_get() - look up a mailbox by id and take a reference
 * @id:		the id.
 *
 * A mailbox of another IPC namespace than the caller's is not found.
 *
 * Context: any process context; takes no lock but RCU.
 * Return: the mailbox, or NULL if no mailbox has that id in the caller's
 * IPC namespace.
 */
struct mbox *mbox_get(u32 id)
{
	struct mbox *mbox;

	rcu_read_lock();
	mbox = xa_load(&mbox_ids, id);
	if (mbox && (!mbox_visible_rcu(mbox) ||
		     !refcount_inc_not_zero(&mbox->ref)))
		mbox = NULL;
	rcu_read_unlock();
	return mbox;
}

/**
 * mbox_get_any_ns() - look up a mailbox by id, whatever its IPC namespace
 * @id:		the id.
 *
 * For the kernel API, which may run in any task's context, or in none.
 *
 * Context: any context; takes no lock but RCU.
 * Return: the mailbox with a reference taken, or NULL.
 */
struct mbox *mbox_get_any_ns(u32 id)
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
 * @ipc_ns:	the IPC namespace of whoever looks (see
 *		mbox_visible_in_rcu()); mailboxes of others are skipped.
 *
 * Context: any process context; takes no lock but RCU.
 * Return: the mailbox with a reference taken, or NULL if there is none.
 */
struct mbox *mbox_get_next(u32 *id, const struct ipc_namespace *ipc_ns)
{
	unsigned long index = *id;
	struct mbox *mbox;

	rcu_read_lock();
	xa_for_each_start(&mbox_ids, index, mbox, *id) {
		if (mbox_visible_in_rcu(mbox, ipc_ns) &&
		    refcount_inc_not_zero(&mbox->ref)) {
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
		WARN_ON_ONCE(!mbox_ixtree_empty(&mbox->msgs));
		put_pid(mbox->last_send_pid);
		put_pid(mbox->last_recv_pid);
		mbox_user_put(mbox->user);
		mbox_ns_put(mbox->ns);
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
	mbox_user_uncharge_mailbox(mbox->user);
	if (!mbox_ns_initial(mbox->ns))
		atomic_dec(&mbox_nr_shared);
	mbox_put(mbox);
}

/*
 * Unpublish @mbox if it is still registered under its id: its id, name and
 * namespace membership go together, as seen by name operations.  Return
 * true if this call unpublished it; the caller then kills it.
 */
static bool mbox_unpublish(struct mbox *mbox)
{
	bool erased;

	mbox_names_lock_acquire();
	erased = xa_cmpxchg(&mbox_ids, mbox->id, mbox, NULL, 0) == mbox;
	if (erased) {
		mbox_name_del(mbox);
		mbox_ns_detach(mbox);
	}
	mbox_names_lock_release();
	return erased;
}

/**
 * mbox_destroy() - destroy a mailbox
 * @id:		its id.
 *
 * Blocked senders and receivers wake and fail with -EIDRM; queued
 * messages are freed.  The caller must be owner or creator, or have
 * CAP_SYS_ADMIN over the mailbox's IPC namespace.
 *
 * Context: process context.
 * Return: 0, -ENOENT or -EPERM.
 */
int mbox_destroy(u32 id)
{
	struct mbox *mbox;
	int ret;

	mbox = mbox_get(id);
	if (!mbox)
		return -ENOENT;
	ret = mbox_may_own(mbox);
	if (!ret && !mbox_unpublish(mbox))
		ret = -ENOENT;
	else if (!ret)
		mbox_kill(mbox);
	mbox_put(mbox);
	return ret;
}

/**
 * mbox_destroy_mbox() - destroy a mailbox the caller holds a reference to
 * @mbox:	the mailbox.
 *
 * For the kernel API: no permission check, and unlike mbox_destroy(), it
 * cannot hit another mailbox: if @mbox was destroyed already, nothing
 * happens, even if its id were reused.
 *
 * Context: process context.
 * Return: 0, or -ENOENT if @mbox was destroyed already.
 */
int mbox_destroy_mbox(struct mbox *mbox)
{
	if (!mbox_unpublish(mbox))
		return -ENOENT;
	mbox_kill(mbox);
	return 0;
}

/**
 * mbox_destroy_ns() - destroy every mailbox of a namespace
 * @ns:		the namespace's record, referenced by the caller.
 *
 * For the reaper (ns.c), once no task can enter the namespace any more.
 *
 * Context: process context.
 * Return: the number of mailboxes destroyed.
 */
int mbox_destroy_ns(struct mbox_ns *ns)
{
	struct mbox *mbox;
	unsigned long id;
	int n = 0;

	rcu_read_lock();
	xa_for_each(&mbox_ids, id, mbox) {
		if (mbox->ns != ns || !refcount_inc_not_zero(&mbox->ref))
			continue;
		rcu_read_unlock();
		if (mbox_unpublish(mbox)) {
			mbox_kill(mbox);
			n++;
		}
		mbox_put(mbox);
		rcu_read_lock();
	}
	rcu_read_unlock();
	return n;
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
		if (mbox_unpublish(mbox))
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

		if (mbox_unpublish(mbox))
			mbox_kill(mbox);
		mbox_put(mbox);
	}
}

/**
 * mbox_fill_stat() - take a snapshot of a mailbox's figures
 * @mbox:	the mailbox, referenced by the caller.
 * @st:		filled in; its other fields are left alone.
 * @ipc_ns:	the IPC namespace of whoever looks: the name is shown only
 *		there.
 * @pid_ns:	the pid namespace pids are translated into.
 *
 * Uids and gids are translated into the user namespace of the current
 * credentials.
 */
void mbox_fill_stat(struct mbox *mbox, struct mbox_stat *st,
		    const struct ipc_namespace *ipc_ns,
		    struct pid_namespace *pid_ns)
{
	struct user_namespace *user_ns = current_user_ns();
	kuid_t uid;
	kgid_t gid;

	st->id = mbox->id;
	st->create_ns = mbox->create_ns;
	st->create_flags = mbox->create_flags;
	mbox_name_get(mbox, ipc_ns, st->name);
	st->cuid = from_kuid_munged(user_ns, mbox->cuid);
	st->cgid = from_kgid_munged(user_ns, mbox->cgid);

	spin_lock_irq(&mbox->lock);
	st->capacity = mbox->capacity;
	st->max_msg_size = mbox->max_msg_size;
	st->mode = mbox->mode;
	uid = mbox->uid;
	gid = mbox->gid;
	st->msgs = mbox->nr_msgs;
	st->bytes = mbox->nr_bytes;
	st->sent_msgs = mbox->sent_msgs;
	st->sent_bytes = mbox->sent_bytes;
	st->recv_msgs = mbox->recv_msgs;
	st->recv_bytes = mbox->recv_bytes;
	st->blocked_senders = mbox->nr_senders;
	st->blocked_receivers = mbox->nr_receivers;
	st->last_send_pid = pid_nr_ns(mbox->last_send_pid, pid_ns);
	st->last_recv_pid = pid_nr_ns(mbox->last_recv_pid, pid_ns);
	st->last_send_ns = mbox->last_send_ns;
	st->last_recv_ns = mbox->last_recv_ns;
	spin_unlock_irq(&mbox->lock);
	st->uid = from_kuid_munged(user_ns, uid);
	st->gid = from_kgid_munged(user_ns, gid);
}

/**
 * mbox_set() - change a mailbox's owner, mode or limits (MBOX_IOC_SET)
 * @id:		its id.
 * @set:	the checked arguments; owner ids in the caller's user
 *		namespace, already known to be mapped.
 *
 * Context: process context.
 * Return: 0, -ENOENT, -EPERM, -EINVAL or -EBUSY (a ring consumer's
 * ring would not hold the new max_msg_size).
 */
int mbox_set(u32 id, const struct mbox_set *set)
{
	struct user_namespace *user_ns = current_user_ns();
	struct mbox *mbox;
	int ret;

	mbox = mbox_get(id);
	if (!mbox)
		return -ENOENT;
	ret = mbox_may_own(mbox);
	if (ret)
		goto out_put;
	ret = -EINVAL;
	if ((set->flags & MBOX_SET_CAPACITY) &&
	    !set->capacity != !READ_ONCE(mbox->capacity))
		goto out_put;
	ret = -EPERM;
	if ((set->flags & MBOX_SET_CAPACITY) &&
	    set->capacity > READ_ONCE(mbox_max_capacity) &&
	    !capable(CAP_SYS_RESOURCE))
		goto out_put;
	if ((set->flags & MBOX_SET_MSG_SIZE) &&
	    set->max_msg_size > READ_ONCE(mbox_max_msg_size) &&
	    !capable(CAP_SYS_RESOURCE))
		goto out_put;

	spin_lock_irq(&mbox->lock);
	/* A ring holds any message the mailbox accepts (ring.c). */
	if ((set->flags & MBOX_SET_MSG_SIZE) && mbox->ring &&
	    !mbox_ring_fits(mbox->ring->size, set->max_msg_size)) {
		spin_unlock_irq(&mbox->lock);
		ret = -EBUSY;
		goto out_put;
	}
	if (set->flags & MBOX_SET_OWNER) {
		WRITE_ONCE(mbox->uid, make_kuid(user_ns, set->uid));
		WRITE_ONCE(mbox->gid, make_kgid(user_ns, set->gid));
	}
	if (set->flags & MBOX_SET_MODE)
		WRITE_ONCE(mbox->mode, set->mode);
	if (set->flags & MBOX_SET_MSG_SIZE)
		WRITE_ONCE(mbox->max_msg_size, set->max_msg_size);
	spin_unlock_irq(&mbox->lock);
	/* Last, so that the senders it admits see the other changes. */
	if (set->flags & MBOX_SET_CAPACITY)
		mbox_set_capacity(mbox, set->capacity);
	ret = 0;

out_put:
	mbox_put(mbox);
	return ret;
}

/**
 * mbox_count_shared() - the number of mailboxes max_mailboxes counts: those
 * of every IPC namespace but the initial one
 */
u32 mbox_count_shared(void)
{
	return atomic_read(&mbox_nr_shared);
}
