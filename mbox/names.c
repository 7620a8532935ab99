// SPDX-License-Identifier: GPL-2.0
/*
 * Mailbox names, unique within an IPC namespace.
 *
 * A name is keyed by (IPC namespace, string) in one hash table under
 * mbox_names_lock, a mutex taken by create, destroy, lookup and stat of a
 * named mailbox, never by send or receive.
 *
 * The namespace is identified by its address, which is only safe while the
 * namespace cannot be freed: otherwise a new namespace allocated at the same
 * address would see a dead one's names.  So each namespace that has named
 * mailboxes gets a struct mbox_ns holding a reference to it, dropped with
 * its last name.  A module cannot call put_ipc_ns() (it is not exported),
 * so the reference is an nsfs file, the object behind /proc/PID/ns/ipc,
 * whose release drops it the proper way.  open_related_ns() is the one
 * exported way to make such a file, and it installs a file descriptor;
 * it is called from a work item, so the descriptor lives briefly in the
 * kernel threads' file table and never in the caller's, where another
 * thread could see or reuse it.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/proc_fs.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringhash.h>
#include <linux/workqueue.h>

#include "mailbox.h"

/**
 * struct mbox_ns - an IPC namespace that has named mailboxes
 * @link:	in mbox_nss.
 * @ipc_ns:	the namespace, held by @pin; only compared, never used.
 * @pin:	an nsfs file that holds a reference to @ipc_ns.
 * @nr_names:	named mailboxes in @ipc_ns; the record goes with the last.
 *
 * All fields are protected by mbox_names_lock.
 */
struct mbox_ns {
	struct list_head link;
	struct ipc_namespace *ipc_ns;
	struct file *pin;
	unsigned int nr_names;
};

static DEFINE_MUTEX(mbox_names_lock);
static LIST_HEAD(mbox_nss);
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

static struct ipc_namespace *mbox_current_ipc_ns(void)
{
	return current->nsproxy->ipc_ns;
}

static u32 mbox_name_hash(struct ipc_namespace *ipc_ns, const char *name)
{
	return full_name_hash(ipc_ns, name, strlen(name));
}

struct mbox_pin_work {
	struct work_struct work;
	struct ipc_namespace *ipc_ns;
	struct file *file;
	int err;
};

/* open_related_ns() callback: the reference the nsfs file will own. */
static struct ns_common *mbox_ns_grab(struct ns_common *ns)
{
	refcount_inc(&ns->count);
	return ns;
}

static void mbox_pin_fn(struct work_struct *work)
{
	struct mbox_pin_work *pw = container_of(work, struct mbox_pin_work,
						work);
	int fd;

	fd = open_related_ns(&pw->ipc_ns->ns, mbox_ns_grab);
	if (fd < 0) {
		pw->err = fd;
		return;
	}
	pw->file = fget(fd);
	close_fd(fd);
	pw->err = pw->file ? 0 : -EBADF;
}

/* Take a reference to @ipc_ns, which the caller keeps alive meanwhile. */
static struct file *mbox_ns_pin(struct ipc_namespace *ipc_ns)
{
	struct mbox_pin_work pw = { .ipc_ns = ipc_ns };

	INIT_WORK_ONSTACK(&pw.work, mbox_pin_fn);
	queue_work(system_unbound_wq, &pw.work);
	flush_work(&pw.work);
	destroy_work_on_stack(&pw.work);
	return pw.err ? ERR_PTR(pw.err) : pw.file;
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

	hash_for_each_possible(mbox_names, mbox, name_node,
			       mbox_name_hash(ipc_ns, name)) {
		if (mbox->ns->ipc_ns == ipc_ns && !strcmp(mbox->name, name))
			return mbox;
	}
	return NULL;
}

/**
 * mbox_name_add() - give an unpublished mailbox a name
 * @mbox:	the mailbox, whose @name is set and free in the caller's
 *		namespace (checked with mbox_name_find() under the lock).
 *
 * Context: process context; mbox_names_lock held; may sleep.
 * Return: 0, or -ENOMEM or another error of pinning the namespace.
 */
int mbox_name_add(struct mbox *mbox)
{
	struct ipc_namespace *ipc_ns = mbox_current_ipc_ns();
	struct mbox_ns *ns;
	struct file *pin;

	lockdep_assert_held(&mbox_names_lock);

	list_for_each_entry(ns, &mbox_nss, link) {
		if (ns->ipc_ns == ipc_ns)
			goto found;
	}

	ns = kmalloc(sizeof(*ns), GFP_KERNEL_ACCOUNT);
	if (!ns)
		return -ENOMEM;
	pin = mbox_ns_pin(ipc_ns);
	if (IS_ERR(pin)) {
		kfree(ns);
		return PTR_ERR(pin);
	}
	ns->ipc_ns = ipc_ns;
	ns->pin = pin;
	ns->nr_names = 0;
	list_add(&ns->link, &mbox_nss);

found:
	ns->nr_names++;
	mbox->ns = ns;
	hash_add(mbox_names, &mbox->name_node, mbox_name_hash(ipc_ns, mbox->name));
	return 0;
}

/**
 * mbox_name_del() - take a mailbox's name away, if it has one
 * @mbox:	the mailbox, unpublished or being unpublished.
 *
 * Drops the namespace's reference with its last name.
 *
 * Context: process context; mbox_names_lock held.
 */
void mbox_name_del(struct mbox *mbox)
{
	struct mbox_ns *ns = mbox->ns;

	lockdep_assert_held(&mbox_names_lock);

	if (!ns || hlist_unhashed(&mbox->name_node))
		return;
	hash_del(&mbox->name_node);
	if (--ns->nr_names)
		return;
	list_del(&ns->link);
	fput(ns->pin);
	kfree(ns);
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
 * mbox_name_get() - copy a mailbox's name, as the caller may see it
 * @mbox:	the mailbox, referenced.
 * @buf:	MBOX_NAME_MAX bytes; left alone unless the mailbox has a name
 *		in the caller's IPC namespace.
 *
 * Context: process context; takes mbox_names_lock if @mbox was named.
 */
void mbox_name_get(struct mbox *mbox, char *buf)
{
	if (!mbox->ns)
		return;
	mutex_lock(&mbox_names_lock);
	if (!hlist_unhashed(&mbox->name_node) &&
	    mbox->ns->ipc_ns == mbox_current_ipc_ns())
		strscpy(buf, mbox->name, MBOX_NAME_MAX);
	mutex_unlock(&mbox_names_lock);
}
