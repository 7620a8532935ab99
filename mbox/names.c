// SPDX-License-Identifier: GPL-2.0
/*
 * Mailbox names, unique within an IPC namespace.
 *
 * A name is keyed by (IPC namespace, string) in one hash table under
 * mbox_names_lock, a mutex taken by create, destroy, lookup and stat of a
 * named mailbox, never by send or receive.
 *
 * The namespace is identified by its address, which is safe because a
 * named mailbox is registered, so its namespace is pinned (ns.c).
 */
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/stringhash.h>

#include "mailbox.h"

static DEFINE_MUTEX(mbox_names_lock);
static DEFINE_HASHTABLE(mbox_names, 10);

/* Create and destroy hold the lock around their registry updates too. */
void mbox_names_lock_acquire(void)
{
	mutex_lock(&mbox_names_lock);
}

void mbox_names_lock_release(void)
{
	mutex_unlock(&mbox_names_lock);
}

void mbox_names_lock_assert_held(void)
{
	lockdep_assert_held(&mbox_names_lock);
}

static u32 mbox_name_hash(struct ipc_namespace *ipc_ns, const char *name)
{
	return full_name_hash(ipc_ns, name, strlen(name));
}

/**
 * mbox_name_find() - the mailbox that has @name in the caller's namespace
 * @name:	a valid name.
 *
 * Context: mbox_names_lock held.
 * Return: the mailbox, or NULL.  It stays valid while the lock is held.
 */
struct mbox *mbox_name_find(const char *name)
{
	struct ipc_namespace *ipc_ns = mbox_current_ipc_ns();
	struct mbox *mbox;

	lockdep_assert_held(&mbox_names_lock);

	if (!ipc_ns)
		return NULL;
	hash_for_each_possible(mbox_names, mbox, name_node,
			       mbox_name_hash(ipc_ns, name)) {
		if (mbox_ns_ipc(mbox->ns) == ipc_ns && !strcmp(mbox->name, name))
			return mbox;
	}
	return NULL;
}

/**
 * mbox_name_add() - give an unpublished mailbox a name
 * @mbox:	the mailbox, attached to the caller's namespace, whose @name
 *		is set and free there (checked with mbox_name_find() under
 *		the lock).
 *
 * Context: mbox_names_lock held.
 */
void mbox_name_add(struct mbox *mbox)
{
	lockdep_assert_held(&mbox_names_lock);

	hash_add(mbox_names, &mbox->name_node,
		 mbox_name_hash(mbox_ns_ipc(mbox->ns), mbox->name));
}

/**
 * mbox_name_del() - take a mailbox's name away, if it has one
 * @mbox:	the mailbox, unpublished or being unpublished.
 *
 * Context: mbox_names_lock held.
 */
void mbox_name_del(struct mbox *mbox)
{
	lockdep_assert_held(&mbox_names_lock);

	if (!hlist_unhashed(&mbox->name_node))
		hash_del(&mbox->name_node);
}

/**
 * mbox_name_lookup() - the id of the mailbox named @name
 * @name:	a valid name.
 *
 * Context: process context; takes mbox_names_lock.
 * Return: the id, or -ENOENT.
 */
int mbox_name_lookup(const char *name)
{
	struct mbox *mbox;
	int id;

	mutex_lock(&mbox_names_lock);
	mbox = mbox_name_find(name);
	id = mbox ? mbox->id : -ENOENT;
	mutex_unlock(&mbox_names_lock);
	return id;
}

/**
 * mbox_name_get() - copy a mailbox's name, as a namespace sees it
 * @mbox:	the mailbox, referenced.
 * @ipc_ns:	the IPC namespace of whoever looks.
 * @buf:	MBOX_NAME_MAX bytes; left alone unless the mailbox has a name
 *		in @ipc_ns.
 *
 * Context: process context; takes mbox_names_lock if @mbox was named.
 */
void mbox_name_get(struct mbox *mbox, const struct ipc_namespace *ipc_ns,
		   char *buf)
{
	if (!mbox->name[0])
		return;
	mutex_lock(&mbox_names_lock);
	if (!hlist_unhashed(&mbox->name_node) &&
	    mbox_ns_ipc(mbox->ns) == ipc_ns)
		strscpy(buf, mbox->name, MBOX_NAME_MAX);
	mutex_unlock(&mbox_names_lock);
}
