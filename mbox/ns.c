// SPDX-License-Identifier: GPL-2.0
/*
 * IPC namespaces: every mailbox belongs to the IPC namespace of its
 * creator, and is seen and reached only from there.
 *
 * Each namespace that has mailboxes gets a struct mbox_ns that holds a
 * reference to it (a "pin"), so that it cannot be freed while mailboxes
 * refer to it: a new namespace allocated at the same address, or given the
 * same inode number, can never see a dead one's mailboxes.  A module cannot
 * call put_ipc_ns() (it is not exported), so the reference is an nsfs file,
 * the object behind /proc/PID/ns/ipc, whose release drops it the proper
 * way.  open_related_ns() is the one exported way to make such a file, and
 * it installs a file descriptor; it is called from a work item, so the
 * descriptor lives briefly in the kernel threads' file table and never in
 * the caller's, where another thread could see or reuse it.
 *
 * The reaper.  A pinned namespace would outlive its last process for as
 * long as it has mailboxes.  SysV IPC objects die with their namespace, and
 * so do ours: a delayed work item looks, once a second while any record
 * exists, for namespaces that nothing but our pin keeps alive, destroys
 * their mailboxes (waiters fail with EIDRM) and drops the pin, which frees
 * the namespace.  "Nothing but our pin" is read from two counts, by the
 * same rule on every kernel from 6.1 to 7.3:
 *
 * - the namespace's reference count is 1 (mbox_ipc_ns_refs(), compat.h:
 *   ns_common.count up to 6.17, __ns_ref from 6.18).  Every nsproxy that
 *   points to the namespace holds one (ipc/namespace.c copy_ipcs() and
 *   ipcns_install(), released by kernel/nsproxy.c), and every task in it,
 *   or entering it with setns(), has such an nsproxy; our nsfs inode holds
 *   exactly one however many files or mounts share the inode's dentry: the
 *   dentry is stashed in the namespace and reused, and the extra reference
 *   dropped (6.1 fs/nsfs.c __ns_get_path(); from 6.9, fs/libfs.c
 *   path_from_stashed() with nsfs_put_data());
 * - the d_count of our file's dentry is 1.  Every other way to enter the
 *   namespace later, an open /proc/PID/ns/ipc or nsfs file, a bind mount of
 *   one, setns() in progress, holds that dentry.
 *
 * The initial namespace is never dead, and is tested by identity first:
 * 7.3 does not count its references at all (include/linux/ns_common.h:
 * __ns_ref stays 1 for an is_ns_init_id() namespace), so there the first
 * count says nothing about it.
 *
 * 7.3 also counts active references, __ns_ref_active
 * (include/linux/ns/ns_common_types.h, kernel/nscommon.c): one per nsproxy
 * installed in a task (kernel/nsproxy.c nsproxy_ns_active_get()) and one
 * per nsfs inode (fs/nsfs.c nsfs_init_inode()), each of which holds a
 * reference of the first count too.  So a reference count of 1 already
 * means that our inode is the only active user, and the active count
 * needs no test of its own.
 *
 * Once both hold, no task is in the namespace, and none can enter it but
 * through a reference to our dentry, which the next look sees.  On 6.1 and
 * 6.12 entering takes a task in the namespace or such a reference, so the
 * state cannot be left, and reading the counts without a lock is sound.
 * 7.3 has one more way in: because our inode keeps the namespace active, a
 * task privileged over all namespaces (CAP_SYS_ADMIN in the initial user
 * and pid namespaces, may_see_all_namespaces()) can find it with listns()
 * and reopen it by file handle (fs/nsfs.c nsfs_fh_to_dentry()) with
 * nothing but its id.  The file it gets shares our dentry, so the reaper
 * sees it at its next look; one that does so between the test and the
 * destroy finds the namespace without its mailboxes (and may lose one it
 * creates at that moment), as if it had come a moment later.  Nobody else
 * can enter it.  Other references (a mqueue filesystem's inodes,
 * /proc/sysvipc readers, SysV shm attachments, listns() walks) only delay
 * the reaping, they do not make it wrong: none of them lets a task make
 * the namespace its own again.
 *
 * Records are on a list under mbox_names_lock (names.c; a record belongs
 * to the list while pinned).  A mailbox holds a reference to its record's
 * memory until it is freed, so that @ns->user_ns stays valid for the
 * permission checks of a file still open on a destroyed mailbox.
 */
#include <linux/dcache.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ipc_namespace.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/nsproxy.h>
#include <linux/percpu_counter.h>
#include <linux/proc_fs.h>
#include <linux/proc_ns.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "mailbox.h"

/* How often the reaper looks for dead namespaces. */
#define MBOX_REAP_INTERVAL	HZ

/*
 * A CPU's part of a namespace's charged bytes goes to the shared count
 * once it reaches this; the share is compared exactly (summed over CPUs)
 * only within this times the number of CPUs of its limit.
 */
#define MBOX_NS_BYTES_BATCH	(256 * 1024)

/*
 * The queued counts are only ever summed over the CPUs (INFO), never read
 * approximately, so a CPU's part need not go to the shared count: with
 * percpu_counter_add()'s default batch (32 on a small machine) every
 * message of 32 bytes or more that was queued or taken took the counter's
 * lock and wrote its shared count, lines every mailbox of the namespace
 * shares.  A CPU's part stays below the batch (an add that would reach it
 * goes whole to the shared count), so any s32 batch is safe.
 */
#define MBOX_NS_QUEUED_BATCH	S32_MAX

/**
 * struct mbox_ns - an IPC namespace that has mailboxes
 * @link:	in mbox_nss while pinned.
 * @ipc_ns:	the namespace, held by @pin while @pinned; only compared.
 * @user_ns:	the user namespace that owns it, referenced until the
 *		record is freed: the capability checks use it.
 * @pin:	an nsfs file that holds a reference to @ipc_ns, or NULL.
 * @pinned:	@pin holds @ipc_ns (read locklessly under RCU).
 * @initial:	@ipc_ns is the initial IPC namespace, whose mailboxes the
 *		global limits (max_mailboxes, max_bytes) do not count.
 * @nr_mboxes:	registered mailboxes of the namespace; the pin goes with
 *		the last one.
 * @ref:	one for the list while pinned, one per mailbox struct (which
 *		each message charged to the namespace keeps, msg.c).
 * @charged:	bytes charged to the namespace (its share,
 *		max_bytes_per_ns): those of every message sent to its
 *		mailboxes from userspace, until freed.
 * @queued_msgs: messages queued in its mailboxes, for MBOX_IOC_INFO;
 *		updated under each mailbox's lock where its @nr_msgs
 *		changes (queue.c).
 * @queued_bytes: their data bytes, likewise with @nr_bytes.
 * @rcu:	the record is freed after a grace period.
 *
 * @link, @pin and @nr_mboxes are protected by mbox_names_lock.  The
 * counters are percpu_counters, as ipc/msg.c keeps a namespace's
 * msg_bytes and msg_hdrs, so that sends and receives on different CPUs
 * share no cache line while far from a limit.  They belong to this
 * record, not to the namespace: a record made after the last one's
 * mailboxes are gone starts from 0, and a message still held by a
 * receiver of a destroyed mailbox is uncharged from the record it was
 * charged to, which its mailbox keeps.
 */
struct mbox_ns {
	struct list_head link;
	struct ipc_namespace *ipc_ns;
	struct user_namespace *user_ns;
	struct file *pin;
	bool pinned;
	bool initial;
	u32 nr_mboxes;
	refcount_t ref;
	struct percpu_counter charged;
	struct percpu_counter queued_msgs;
	struct percpu_counter queued_bytes;
	struct rcu_head rcu;
};

static LIST_HEAD(mbox_nss);
static void mbox_reap_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(mbox_reap_work, mbox_reap_fn);

/*
 * The pin work items' own queue.  A pin is waited for with
 * mbox_names_lock held, by creates that may themselves run in work items
 * (the kernel API's, kapi.c), and by the many kernel API creates that may
 * wait for that lock meanwhile.  On a shared queue the pin could wait
 * behind them, for a free slot of its max_active or for its rescuer, and
 * never run: a deadlock.  Here it queues behind other pins only, which
 * take no lock and wait for nothing of ours; WQ_MEM_RECLAIM gives the
 * queue a rescuer, so a pin runs even when no worker can be created.
 */
static struct workqueue_struct *mbox_pin_wq;

struct mbox_pin_work {
	struct work_struct work;
	struct ipc_namespace *ipc_ns;
	struct file *file;
	int err;
};

/*
 * open_related_ns() callback: the reference the nsfs file will own, taken
 * with get_ipc_ns(), as every kernel's ipcns_get() takes it.
 */
static struct ns_common *mbox_ns_grab(struct ns_common *ns)
{
	return &get_ipc_ns(container_of(ns, struct ipc_namespace, ns))->ns;
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

/**
 * mbox_ns_pin() - take a reference to an IPC namespace
 * @ipc_ns:	the namespace, which the caller keeps alive meanwhile (its
 *		own, say).
 *
 * For a record, and for /proc/mbox, which keeps its opener's namespace.
 *
 * Context: process context; may sleep.
 * Return: an nsfs file that holds the reference until its last fput(), or
 * an ERR_PTR().
 */
struct file *mbox_ns_pin(struct ipc_namespace *ipc_ns)
{
	struct mbox_pin_work pw = { .ipc_ns = ipc_ns };

	INIT_WORK_ONSTACK(&pw.work, mbox_pin_fn);
	queue_work(mbox_pin_wq, &pw.work);
	flush_work(&pw.work);
	destroy_work_on_stack(&pw.work);
	return pw.err ? ERR_PTR(pw.err) : pw.file;
}

/**
 * mbox_current_ipc_ns() - the current task's IPC namespace
 *
 * Return: the namespace, or NULL once an exiting task has left its
 * namespaces.
 */
struct ipc_namespace *mbox_current_ipc_ns(void)
{
	struct nsproxy *nsproxy = current->nsproxy;

	return nsproxy ? nsproxy->ipc_ns : NULL;
}

static int mbox_ns_counters_init(struct mbox_ns *ns)
{
	int ret;

	ret = percpu_counter_init(&ns->charged, 0, GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret;
	ret = percpu_counter_init(&ns->queued_msgs, 0, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_destroy_charged;
	ret = percpu_counter_init(&ns->queued_bytes, 0, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_destroy_msgs;
	return 0;

err_destroy_msgs:
	percpu_counter_destroy(&ns->queued_msgs);
err_destroy_charged:
	percpu_counter_destroy(&ns->charged);
	return ret;
}

static void mbox_ns_counters_destroy(struct mbox_ns *ns)
{
	percpu_counter_destroy(&ns->queued_bytes);
	percpu_counter_destroy(&ns->queued_msgs);
	percpu_counter_destroy(&ns->charged);
}

/**
 * mbox_ns_put() - drop a reference to a record's memory
 * @ns:	the record.
 *
 * Context: any context.
 */
void mbox_ns_put(struct mbox_ns *ns)
{
	if (refcount_dec_and_test(&ns->ref)) {
		/* Every message uncharged, every mailbox emptied. */
		WARN_ON_ONCE(percpu_counter_sum(&ns->charged));
		WARN_ON_ONCE(percpu_counter_sum(&ns->queued_msgs));
		WARN_ON_ONCE(percpu_counter_sum(&ns->queued_bytes));
		mbox_ns_counters_destroy(ns);
		put_user_ns(ns->user_ns);
		kfree_rcu(ns, rcu);
	}
}

/* Drop the pin of a record whose namespace has no mailbox left. */
static void mbox_ns_unpin(struct mbox_ns *ns)
{
	mbox_names_lock_assert_held();

	list_del(&ns->link);
	WRITE_ONCE(ns->pinned, false);
	fput(ns->pin);
	ns->pin = NULL;
	mbox_ns_put(ns);
}

/**
 * mbox_ns_attach() - make an unpublished mailbox belong to the caller's
 * IPC namespace
 * @mbox:	the mailbox; its @ns is set.
 *
 * Context: process context; mbox_names_lock held; may sleep.
 * Return: 0; -ENOSPC if the namespace has max_mailboxes_per_ns mailboxes;
 * -ENOMEM or another error of pinning the namespace.
 */
int mbox_ns_attach(struct mbox *mbox)
{
	struct ipc_namespace *ipc_ns = mbox_current_ipc_ns();
	struct mbox_ns *ns;
	struct file *pin;
	int ret;

	mbox_names_lock_assert_held();

	if (!ipc_ns)
		return -ESRCH;
	list_for_each_entry(ns, &mbox_nss, link) {
		if (ns->ipc_ns == ipc_ns)
			goto found;
	}

	ns = kzalloc(sizeof(*ns), GFP_KERNEL_ACCOUNT);
	if (!ns)
		return -ENOMEM;
	ret = mbox_ns_counters_init(ns);
	if (ret)
		goto err_free_ns;
	pin = mbox_ns_pin(ipc_ns);
	if (IS_ERR(pin)) {
		ret = PTR_ERR(pin);
		goto err_destroy_counters;
	}
	ns->ipc_ns = ipc_ns;
	/* The initial task's nsproxy is init_nsproxy, for ever. */
	ns->initial = ipc_ns == init_task.nsproxy->ipc_ns;
	ns->user_ns = get_user_ns(ipc_ns->user_ns);
	ns->pin = pin;
	ns->pinned = true;
	refcount_set(&ns->ref, 1);
	list_add(&ns->link, &mbox_nss);
	schedule_delayed_work(&mbox_reap_work, MBOX_REAP_INTERVAL);

found:
	if (ns->nr_mboxes >= READ_ONCE(mbox_max_mailboxes_per_ns)) {
		if (!ns->nr_mboxes)
			mbox_ns_unpin(ns);
		return -ENOSPC;
	}
	ns->nr_mboxes++;
	refcount_inc(&ns->ref);
	mbox->ns = ns;
	return 0;

err_destroy_counters:
	mbox_ns_counters_destroy(ns);
err_free_ns:
	kfree(ns);
	return ret;
}

/**
 * mbox_ns_detach() - a mailbox leaves the registry
 * @mbox:	the mailbox, attached, being unpublished.
 *
 * The namespace's pin goes with its last mailbox.  The mailbox keeps its
 * reference to the record's memory until mbox_put() frees it.
 *
 * Context: process context; mbox_names_lock held.
 */
void mbox_ns_detach(struct mbox *mbox)
{
	struct mbox_ns *ns = mbox->ns;

	mbox_names_lock_assert_held();

	if (!--ns->nr_mboxes)
		mbox_ns_unpin(ns);
}

/* The namespace @ns pins; compare only, and only while it is pinned. */
struct ipc_namespace *mbox_ns_ipc(const struct mbox_ns *ns)
{
	return ns->ipc_ns;
}

struct user_namespace *mbox_ns_user(const struct mbox_ns *ns)
{
	return ns->user_ns;
}

/**
 * mbox_visible_rcu() - may the current task see this mailbox?
 * @mbox:	the mailbox.
 *
 * True if the mailbox belongs to the current task's IPC namespace.  A
 * namespace is freed an RCU grace period after its last reference goes
 * (free_ipc_ns() -> mq_put_mnt() -> kern_unmount() -> synchronize_rcu()),
 * so if the record was pinned inside this read-side section, its
 * namespace cannot have been freed and replaced by the caller's.
 *
 * Context: rcu_read_lock() held.
 */
bool mbox_visible_rcu(const struct mbox *mbox)
{
	return mbox_visible_in_rcu(mbox, mbox_current_ipc_ns());
}

/**
 * mbox_visible_in_rcu() - does this mailbox belong to that namespace?
 * @mbox:	the mailbox.
 * @ipc_ns:	an IPC namespace the caller keeps alive (its own, or one it
 *		pinned with mbox_ns_pin()), or NULL.
 *
 * As mbox_visible_rcu(), for the namespace of whoever opened /proc/mbox.
 *
 * Context: rcu_read_lock() held.
 */
bool mbox_visible_in_rcu(const struct mbox *mbox,
			 const struct ipc_namespace *ipc_ns)
{
	const struct mbox_ns *ns = mbox->ns;

	return ipc_ns && READ_ONCE(ns->pinned) && ns->ipc_ns == ipc_ns;
}

/**
 * mbox_visible() - may the current task see this mailbox?
 * @mbox:	the mailbox, referenced.
 *
 * Return: true if it belongs to the current task's IPC namespace.
 */
bool mbox_visible(const struct mbox *mbox)
{
	bool ret;

	rcu_read_lock();
	ret = mbox_visible_rcu(mbox);
	rcu_read_unlock();
	return ret;
}

/**
 * mbox_ns_initial() - is this the initial IPC namespace's record?
 * @ns:	the record.
 */
bool mbox_ns_initial(const struct mbox_ns *ns)
{
	return ns->initial;
}

/**
 * mbox_ns_charge() - charge bytes to a namespace's share
 * @ns:		the record of the namespace of the mailbox a message is for.
 * @len:	the bytes.
 *
 * Compared with max_bytes_per_ns exactly near the limit, so a namespace
 * at or over it (the limit may be lowered below its use) gets nothing;
 * charges made at the same instant on other CPUs may each pass once.
 *
 * Context: any context but hard IRQ.
 * Return: 0, or -ENOBUFS, having charged nothing.
 */
int mbox_ns_charge(struct mbox_ns *ns, size_t len)
{
	percpu_counter_add_batch(&ns->charged, len, MBOX_NS_BYTES_BATCH);
	if (__percpu_counter_compare(&ns->charged,
				     READ_ONCE(mbox_max_bytes_per_ns),
				     MBOX_NS_BYTES_BATCH) > 0) {
		percpu_counter_add_batch(&ns->charged, -(s64)len,
					 MBOX_NS_BYTES_BATCH);
		return -ENOBUFS;
	}
	return 0;
}

/**
 * mbox_ns_uncharge() - give back what mbox_ns_charge() took
 * @ns:		the record.
 * @len:	the bytes.
 *
 * Context: any context but hard IRQ.
 */
void mbox_ns_uncharge(struct mbox_ns *ns, size_t len)
{
	percpu_counter_add_batch(&ns->charged, -(s64)len, MBOX_NS_BYTES_BATCH);
}

/**
 * mbox_ns_queued() - messages were queued in or taken from a mailbox
 * @ns:		the record of the mailbox's namespace.
 * @msgs:	messages added (negative: taken).
 * @bytes:	their data bytes, likewise.
 *
 * Context: any context, the mailbox's lock held (so interrupts are off).
 */
void mbox_ns_queued(struct mbox_ns *ns, s64 msgs, s64 bytes)
{
	percpu_counter_add_batch(&ns->queued_msgs, msgs, MBOX_NS_QUEUED_BATCH);
	percpu_counter_add_batch(&ns->queued_bytes, bytes,
				 MBOX_NS_QUEUED_BATCH);
}

static u64 mbox_ns_sum(struct percpu_counter *fbc)
{
	s64 v = percpu_counter_sum(fbc);

	return v > 0 ? v : 0;
}

/**
 * mbox_ns_fill_info() - the caller's IPC namespace's figures, for INFO
 * @info:	its @nr_mailboxes, @ns_mailboxes, @total_msgs, @total_bytes and
 *		@pool_bytes are set: 0 if the namespace has no mailbox.
 *
 * Read from the namespace's counters; no mailbox and no other namespace
 * is looked at.  Each CPU's part is summed (percpu_counter_sum()), so the
 * work does not depend on what users do.
 *
 * Context: process context; takes mbox_names_lock.
 */
void mbox_ns_fill_info(struct mbox_info *info)
{
	struct ipc_namespace *ipc_ns = mbox_current_ipc_ns();
	struct mbox_ns *ns;

	info->nr_mailboxes = 0;
	info->ns_mailboxes = 0;
	info->total_msgs = 0;
	info->total_bytes = 0;
	info->pool_bytes = 0;
	mbox_names_lock_acquire();
	list_for_each_entry(ns, &mbox_nss, link) {
		if (ns->ipc_ns == ipc_ns) {
			info->nr_mailboxes = ns->nr_mboxes;
			info->ns_mailboxes = ns->nr_mboxes;
			info->total_msgs = mbox_ns_sum(&ns->queued_msgs);
			info->total_bytes = mbox_ns_sum(&ns->queued_bytes);
			info->pool_bytes = mbox_ns_sum(&ns->charged);
			break;
		}
	}
	mbox_names_lock_release();
}

/**
 * mbox_current_ns_initial() - is the caller in the initial IPC namespace?
 */
bool mbox_current_ns_initial(void)
{
	return mbox_current_ipc_ns() == init_task.nsproxy->ipc_ns;
}

/* Nothing but our pin keeps @ns->ipc_ns alive: see the top of this file. */
static bool mbox_ns_dead(const struct mbox_ns *ns)
{
	if (ns->initial)
		return false;
	return mbox_ipc_ns_refs(ns->ipc_ns) == 1 &&
	       d_count(ns->pin->f_path.dentry) == 1;
}

static void mbox_reap_fn(struct work_struct *work)
{
	struct mbox_ns *ns, *dead;
	bool more;

	for (;;) {
		dead = NULL;
		mbox_names_lock_acquire();
		list_for_each_entry(ns, &mbox_nss, link) {
			if (mbox_ns_dead(ns)) {
				dead = ns;
				refcount_inc(&dead->ref);
				break;
			}
		}
		more = !list_empty(&mbox_nss);
		mbox_names_lock_release();
		if (!dead)
			break;
		/* Its last mailbox takes the pin with it. */
		mbox_destroy_ns(dead);
		mbox_ns_put(dead);
	}
	if (more)
		schedule_delayed_work(&mbox_reap_work, MBOX_REAP_INTERVAL);
}

/**
 * mbox_ns_init() - make the pin work items' queue, at module load
 *
 * Return: 0, or -ENOMEM.
 */
int mbox_ns_init(void)
{
	mbox_pin_wq = alloc_workqueue("mbox_pin", WQ_UNBOUND | WQ_MEM_RECLAIM,
				      0);
	return mbox_pin_wq ? 0 : -ENOMEM;
}

/**
 * mbox_ns_exit() - stop the reaper and free the pin queue, at module unload
 *
 * Context: process context; with no file of the device or of /proc/mbox
 * open and no kernel API call running, so no pin in flight; before
 * mbox_destroy_all().
 */
void mbox_ns_exit(void)
{
	cancel_delayed_work_sync(&mbox_reap_work);
	destroy_workqueue(mbox_pin_wq);
}
