/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MBOX_MAILBOX_H
#define MBOX_MAILBOX_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <uapi/linux/mbox.h>

struct mbox_msg;

/**
 * struct mbox - a mailbox
 *
 * Set before the mailbox is published and never changed:
 * @id:			its id in the registry.
 * @capacity:		most messages it buffers.
 * @max_msg_size:	largest message it accepts, in bytes.
 *
 * Lifetime:
 * @ref:		the registry holds one reference until destroy; every
 *			caller of mbox_get() holds one until mbox_put().
 * @rcu:		the mailbox is freed after an RCU grace period, so a
 *			lookup under rcu_read_lock() may still touch @ref.
 *
 * Protected by @lock:
 * @dead:		destroyed: no message is queued or taken any more.
 * @nr_msgs:		messages in @msgs (read unlocked by the wait
 *			conditions, so written with WRITE_ONCE()).
 * @nr_bytes:		bytes of data in @msgs.
 * @msgs:		queued messages, oldest first.
 * @sent_msgs:		messages queued since create.
 * @sent_bytes:		bytes queued since create.
 * @recv_msgs:		messages received since create.
 * @recv_bytes:		bytes received since create.
 *
 * Wait queues, with their own internal locks (see the lock order in
 * main.c):
 * @senders:		senders waiting for a free slot.
 * @receivers:		receivers waiting for a message.
 */
struct mbox {
	u32 id;
	u32 capacity;
	u32 max_msg_size;

	refcount_t ref;
	struct rcu_head rcu;

	spinlock_t lock;		/* protects the fields below */
	bool dead;
	u32 nr_msgs;
	u64 nr_bytes;
	struct list_head msgs;
	u64 sent_msgs;
	u64 sent_bytes;
	u64 recv_msgs;
	u64 recv_bytes;

	wait_queue_head_t senders;
	wait_queue_head_t receivers;
};

/* Module parameters, fixed at load time (main.c). */
extern unsigned int mbox_max_mailboxes;
extern unsigned int mbox_max_capacity;
extern unsigned int mbox_max_msg_size;

/* mailbox.c: the registry and the mailbox's lifetime */
int mbox_create(u32 capacity, u32 max_msg_size);
int mbox_destroy(u32 id);
void mbox_destroy_all(void);
struct mbox *mbox_get(u32 id);
struct mbox *mbox_get_next(u32 *id);
void mbox_put(struct mbox *mbox);
void mbox_fill_stat(struct mbox *mbox, struct mbox_stat *st);
u32 mbox_count(void);

/* queue.c: sending and receiving */

/**
 * typedef mbox_deliver_t - hand a received message to the caller
 * @msg:	the message, removed from its mailbox; read-only.
 * @ctx:	the caller's context.
 *
 * Called without any lock held, so it may copy to userspace.  If it
 * fails, the message goes back to the head of the mailbox.
 *
 * Return: 0, or a negative errno to give back the message.
 */
typedef int (*mbox_deliver_t)(const struct mbox_msg *msg, void *ctx);

int mbox_send(struct mbox *mbox, struct mbox_msg *msg, unsigned int flags);
int mbox_recv(struct mbox *mbox, unsigned int flags, size_t *len,
	      mbox_deliver_t deliver, void *ctx);

#endif /* MBOX_MAILBOX_H */
