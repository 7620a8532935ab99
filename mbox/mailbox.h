/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MBOX_MAILBOX_H
#define MBOX_MAILBOX_H

#include <linux/bits.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>

#include <uapi/linux/mbox.h>

#include "index.h"

struct file;
struct ipc_namespace;
struct mbox_msg;
struct mbox_ns;
struct mbox_ring;
struct mbox_user;
struct pid;
struct pid_namespace;
struct task_struct;

/**
 * struct mbox - a mailbox
 *
 * Set before the mailbox is published and never changed:
 * @id:			its id in the registry.
 * @create_flags:	the flags given at create.
 * @create_ns:		CLOCK_MONOTONIC time of the create.
 * @name:		its name, or "" (names.c).
 * @ns:			the record of the IPC namespace it belongs to (ns.c),
 *			referenced until the mailbox is freed.
 * @cuid, @cgid:	its creator's effective uid and gid.
 * @user:		the creator's per-user record, referenced until the
 *			mailbox is freed: charged for the mailbox until
 *			destroy, and for the messages sent to it (limits.c).
 *			MBOX_IOC_SET does not change it.
 * @kernel:		made by mbox_kcreate() (kapi.c).
 * @exempt:		the creator had CAP_SYS_RESOURCE at create: the
 *			messages sent to it are not held to the creator's
 *			max_bytes_per_user.
 *
 * Written under @lock by MBOX_IOC_SET, read locklessly (READ_ONCE) by the
 * permission checks, as SysV's ipcperms() does:
 * @uid, @gid:		its owner.
 * @mode:		its permission bits, 0..0777.
 * @max_msg_size:	largest message it accepts, in bytes.
 *
 * Protected by mbox_names_lock (names.c):
 * @name_node:		entry in the name hash table while named.
 *
 * Lifetime:
 * @ref:		the registry holds one reference until destroy; every
 *			caller of mbox_get(), every file opened on the
 *			mailbox and every message charged for it (msg.c)
 *			holds one.
 * @rcu:		the mailbox is freed after an RCU grace period, so a
 *			lookup under rcu_read_lock() may still touch @ref.
 * @owner_link:		entry in the creating file's list of mailboxes to
 *			destroy on its release (MBOX_CREATE_AUTODESTROY);
 *			protected by mbox_owner_lock in mailbox.c.
 *
 * Protected by @lock:
 * @dead:		destroyed: nothing is sent or received any more.
 * @capacity:		most messages it buffers; 0 for a rendezvous (never
 *			changes between 0 and non-zero).
 * @nr_msgs:		messages in @msgs.
 * @nr_bytes:		bytes of data in @msgs.
 * @msgs:		queued messages, indexed by (type, seq) (index.h):
 *			their acceptance order is seq order.
 * @senders:		senders waiting, their messages indexed by (type,
 *			ticket): the order they began to wait is ticket order.
 * @rx_all:		receivers waiting that select any type,
 * @rx_type:		those with MBOX_RECV_TYPE, indexed by (type, size,
 *			ticket),
 * @rx_except:		those with MBOX_RECV_EXCEPT; @rx_all and @rx_except
 *			are indexed by (size, ticket).  A receiver's size key
 *			is 0 for a peeker, else what its buffer takes plus
 *			one (queue.c, mbox_rx_size()).
 * @nr_senders:		entries in @senders.
 * @nr_receivers:	entries in @rx_all, @rx_type and @rx_except.
 * @seq:		sequence number of the last message accepted.
 * @ticket:		ticket of the last waiter that began to wait.
 * @sent_msgs, @sent_bytes, @recv_msgs, @recv_bytes: totals since create.
 * @last_send_pid, @last_recv_pid: referenced, or NULL.
 * @last_send_ns, @last_recv_ns: CLOCK_MONOTONIC times, or 0.
 * @ring:		the receive ring its consumer set up (ring.c), or NULL;
 *			read with READ_ONCE() for a hint without the lock.
 *
 * With its own internal lock (see the lock order in main.c):
 * @poll_wq:		files polling the mailbox.
 *
 * Invariants, under @lock: a sender waits only while the mailbox is full
 * (so a newcomer cannot take a slot a waiter is owed); no waiting receiver
 * selects a queued message or a waiting sender's message (each would have
 * been handed to it).
 *
 * Every lock hold does O(log n) work per message it moves and per waiter it
 * completes, n being the entries of one index, and no more: no walk over
 * the queue or the waiters, whatever their number (see queue.c).
 */
struct mbox {
	u32 id;
	u64 create_flags;
	u64 create_ns;
	char name[MBOX_NAME_MAX];
	struct mbox_ns *ns;
	kuid_t cuid;
	kgid_t cgid;
	struct mbox_user *user;
	bool kernel;
	bool exempt;

	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	u32 max_msg_size;

	struct hlist_node name_node;

	refcount_t ref;
	struct rcu_head rcu;
	struct list_head owner_link;

	spinlock_t lock;		/* protects the fields below */
	bool dead;
	u32 capacity;
	u32 nr_msgs;
	u64 nr_bytes;
	struct mbox_ixtree msgs;
	struct mbox_ixtree senders;
	struct mbox_ixtree rx_all;
	struct mbox_ixtree rx_type;
	struct mbox_ixtree rx_except;
	u32 nr_senders;
	u32 nr_receivers;
	u64 seq;
	u64 ticket;
	u64 sent_msgs;
	u64 sent_bytes;
	u64 recv_msgs;
	u64 recv_bytes;
	struct pid *last_send_pid;
	struct pid *last_recv_pid;
	u64 last_send_ns;
	u64 last_recv_ns;
	struct mbox_ring *ring;

	wait_queue_head_t poll_wq;
};

/**
 * struct mbox_sel - what a receive takes
 * @flags:	MBOX_RECV_* and MBOX_NONBLOCK bits.
 * @type:	the type MBOX_RECV_TYPE or MBOX_RECV_EXCEPT select by.
 * @size:	the caller's buffer size.
 * @deadline:	CLOCK_MONOTONIC deadline, or KTIME_MAX to wait for ever;
 *		ignored with MBOX_NONBLOCK.
 */
struct mbox_sel {
	unsigned int flags;
	u32 type;
	size_t size;
	ktime_t deadline;
};

/*
 * An open file of /dev/mbox: the owner of the mailboxes it creates with
 * MBOX_CREATE_AUTODESTROY.
 */
struct mbox_owner {
	struct list_head owned;		/* under mbox_owner_lock */
};

/* A file bound to one mailbox by MBOX_IOC_OPEN (fd.c). */
struct mbox_file {
	struct mbox *mbox;		/* referenced */
	struct mbox_ring *ring;		/* referenced once the file is its
					 * mailbox's ring consumer (ring.c);
					 * set once, with release semantics
					 */
};

/*
 * Limits, module parameters writable at run time by root (limits.c); read
 * them with READ_ONCE().
 */
extern unsigned int mbox_max_mailboxes;
extern unsigned int mbox_max_mailboxes_per_ns;
extern unsigned int mbox_max_mailboxes_per_user;
extern unsigned int mbox_max_capacity;
extern unsigned int mbox_max_msg_size;
extern unsigned long mbox_max_bytes;
extern unsigned long mbox_max_bytes_per_ns;
extern unsigned long mbox_max_bytes_per_user;

/* Hard ceilings: no parameter and no MBOX_IOC_SET goes beyond them. */
#define MBOX_CAPACITY_LIMIT	16777216U
#define MBOX_MSG_SIZE_LIMIT	(16U << 20)

/* limits.c: per-user records, the shares and the pool of message bytes */
int mbox_limits_init(void);
void mbox_limits_exit(void);
struct mbox_user *mbox_user_get(kuid_t uid);
void mbox_user_put(struct mbox_user *user);
int mbox_user_charge_mailbox(struct mbox_user *user);
void mbox_user_uncharge_mailbox(struct mbox_user *user);
int mbox_charge_bytes(struct mbox *mbox, size_t len);
void mbox_uncharge_bytes(struct mbox *mbox, size_t len);
void mbox_fill_limits(struct mbox_info *info);

/* mailbox.c: the registry and the mailbox's lifetime */
/**
 * struct mbox_params - what a new mailbox is created with
 * @capacity:		messages it buffers; checked by the caller.
 * @max_msg_size:	largest message; checked by the caller.
 * @flags:		MBOX_CREATE_* flags; checked by the caller.
 * @mode:		permission bits, 0..0777.
 * @kernel:		made by mbox_kcreate(): only the kernel API's
 *			mbox_kget() finds it by id.
 */
struct mbox_params {
	u32 capacity;
	u32 max_msg_size;
	u64 flags;
	umode_t mode;
	bool kernel;
};

/* Does @name begin with MBOX_KERNEL_NAME_PREFIX? */
static inline bool mbox_name_is_kernel(const char *name)
{
	return !strncmp(name, MBOX_KERNEL_NAME_PREFIX,
			sizeof(MBOX_KERNEL_NAME_PREFIX) - 1);
}

int mbox_create(const struct mbox_params *p, struct mbox_owner *owner,
		const char *name);
int mbox_destroy(u32 id);
int mbox_destroy_mbox(struct mbox *mbox);
int mbox_set(u32 id, const struct mbox_set *set);
void mbox_destroy_all(void);
void mbox_owner_release(struct mbox_owner *owner);
struct mbox *mbox_get(u32 id);
struct mbox *mbox_get_any_ns(u32 id);
struct mbox *mbox_get_next(u32 *id, const struct ipc_namespace *ipc_ns);
void mbox_put(struct mbox *mbox);
void mbox_fill_stat(struct mbox *mbox, struct mbox_stat *st,
		    const struct ipc_namespace *ipc_ns,
		    struct pid_namespace *pid_ns);
u32 mbox_count_shared(void);
int mbox_destroy_ns(struct mbox_ns *ns);

/* perm.c: ownership and permissions, as SysV IPC's */
bool mbox_visible(const struct mbox *mbox);
bool mbox_visible_rcu(const struct mbox *mbox);
bool mbox_visible_in_rcu(const struct mbox *mbox,
			 const struct ipc_namespace *ipc_ns);
int mbox_perm(const struct mbox *mbox, int may);
int mbox_perm_noaudit(const struct mbox *mbox, int may);
struct mbox *mbox_get_checked(u32 id, int may);
int mbox_may_own(const struct mbox *mbox);

/* ns.c: a record per IPC namespace that has mailboxes; the reaper */
int mbox_ns_attach(struct mbox *mbox);
void mbox_ns_detach(struct mbox *mbox);
void mbox_ns_put(struct mbox_ns *ns);
struct ipc_namespace *mbox_ns_ipc(const struct mbox_ns *ns);
struct user_namespace *mbox_ns_user(const struct mbox_ns *ns);
bool mbox_ns_initial(const struct mbox_ns *ns);
bool mbox_current_ns_initial(void);
int mbox_ns_charge(struct mbox_ns *ns, size_t len);
void mbox_ns_uncharge(struct mbox_ns *ns, size_t len);
void mbox_ns_queued(struct mbox_ns *ns, s64 msgs, s64 bytes);
void mbox_ns_fill_info(struct mbox_info *info);
struct ipc_namespace *mbox_current_ipc_ns(void);
struct file *mbox_ns_pin(struct ipc_namespace *ipc_ns);
int mbox_ns_init(void);
void mbox_ns_exit(void);

/* names.c: names, unique per IPC namespace */
void mbox_names_lock_acquire(void);
void mbox_names_lock_release(void);
void mbox_names_lock_assert_held(void);
struct mbox *mbox_name_find(const char *name);
void mbox_name_add(struct mbox *mbox);
void mbox_name_del(struct mbox *mbox);
int mbox_name_lookup(const char *name);
void mbox_name_get(struct mbox *mbox, const struct ipc_namespace *ipc_ns,
		   char *buf);

/* queue*.c: sending and receiving */

/**
 * typedef mbox_deliver_t - hand a received message to the caller
 * @msg:	the message; read-only.  Unless peeking, it is removed from
 *		its mailbox.
 * @len:	bytes to store: @msg->len, or less when truncating.
 * @ctx:	the caller's context.
 *
 * Called without any lock held, so it may copy to userspace.  If it
 * fails, the message goes back where it was.
 *
 * Return: 0, or a negative errno to give back the message.
 */
typedef int (*mbox_deliver_t)(const struct mbox_msg *msg, size_t len,
			      void *ctx);

/*
 * Internal flag of mbox_send(), never taken from userspace (whose send
 * flags are checked before): wake a receiver with the synchronous hint.
 */
#define MBOX_SEND_WAKE_SYNC	BIT(31)

int mbox_send(struct mbox *mbox, struct mbox_msg *msg, unsigned int flags,
	      ktime_t deadline);
int mbox_send_atomic(struct mbox *mbox, struct mbox_msg *msg);
int mbox_recv(struct mbox *mbox, const struct mbox_sel *sel, size_t *len,
	      mbox_deliver_t deliver, void *ctx);
unsigned int mbox_send_more(struct mbox *mbox, struct mbox_msg **msgs,
			    unsigned int n, int *err);
unsigned int mbox_recv_more(struct mbox *mbox, const struct mbox_sel *sel,
			    size_t *sizes, struct mbox_msg **msgs,
			    unsigned int n, int *err);
void mbox_give_back(struct mbox *mbox, struct mbox_msg *msg);
void mbox_kill_queue(struct mbox *mbox);
void mbox_set_capacity(struct mbox *mbox, u32 capacity);
__poll_t mbox_poll_mask(struct mbox *mbox);

/* fd.c: files bound to one mailbox */
int mbox_open_fd(struct mbox *mbox, unsigned int flags, int may);

/* kapi.c: the kernel API's work queue */
int mbox_kapi_init(void);
void mbox_kapi_exit(void);

/* proc.c: /proc/mbox */
int mbox_proc_init(void);
void mbox_proc_exit(void);

#endif /* MBOX_MAILBOX_H */
