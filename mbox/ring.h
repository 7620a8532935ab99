/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MBOX_RING_H
#define MBOX_RING_H

#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <uapi/linux/mbox.h>

#include "mailbox.h"

struct file;
struct mbox;
struct mbox_msg;
struct page;
struct pid;
struct pid_namespace;
struct user_namespace;
struct vm_area_struct;

/**
 * struct mbox_ring - a mailbox's receive ring (ring.c)
 *
 * Set at setup and never changed:
 * @mbox:	the mailbox, referenced until the ring is freed (its bytes
 *		are charged for it).
 * @size:	bytes of the data area, a power of two.
 * @nr_pages:	pages in @pages: the consumer page, the producer page and
 *		@size / PAGE_SIZE data pages.
 * @pages:	the pages.
 * @base:	their vmap(): consumer page, producer page, the data pages,
 *		the data pages again.
 * @cons:	the consumer page: written by the consumer, never trusted.
 * @prod:	the producer page, written by the kernel under @mbox->lock
 *		(@pos and @flags).
 * @data:	the data area, 2 * @size bytes of virtual memory.
 * @charge:	bytes charged with mbox_charge_bytes().
 * @pid:	the consumer's thread group (for STAT's last receiver).
 * @pid_ns:	the consumer's pid namespace, referenced.
 * @user_ns:	the consumer's user namespace, referenced.
 * @time_off:	the consumer's time namespace's CLOCK_MONOTONIC offset.
 *
 * Lifetime:
 * @ref:	one reference for the mailbox while the ring is bound to it,
 *		one for the consumer's file, one per vma mapping it, and one
 *		per sender writing a record it reserved.
 *
 * Protected by @refill_lock (the ring mutex, taken before @mbox->lock):
 * the refills of MBOX_IOC_RING_WAIT.
 *
 * Protected by @mbox->lock:
 * @prod_pos:	the producer position: bytes reserved so far.
 *
 * The consumer waits in MBOX_IOC_RING_WAIT or polls on @mbox->poll_wq,
 * which exists from the mailbox's creation: an epoll item added before
 * the setup is woken too, and flag changes are told to it after
 * @mbox->lock is dropped, as every other change of the mailbox.
 */
struct mbox_ring {
	struct mbox *mbox;
	u32 size;
	unsigned int nr_pages;
	struct page **pages;
	void *base;
	struct mbox_ring_consumer *cons;
	struct mbox_ring_producer *prod;
	u8 *data;
	size_t charge;
	struct pid *pid;
	struct pid_namespace *pid_ns;
	struct user_namespace *user_ns;
	s64 time_off;

	refcount_t ref;

	struct mutex refill_lock;	/* serializes refills */

	u64 prod_pos;
};

/**
 * struct mbox_ring_resv - a record reserved under @mbox->lock, to be
 * written and committed after it is dropped
 * @ring:	the ring, referenced until the commit.
 * @rec:	the record, whose @len is MBOX_RING_BUSY.
 * @pos:	its position.
 */
struct mbox_ring_resv {
	struct mbox_ring *ring;
	struct mbox_ring_rec *rec;
	u64 pos;
};

/* ring.c */
long mbox_ring_setup(struct file *file, void __user *uarg, size_t usize);
long mbox_ring_wait(struct file *file, void __user *uarg, size_t usize);
int mbox_ring_mmap(struct file *file, struct vm_area_struct *vma);
__poll_t mbox_ring_poll(struct mbox_ring *ring);
void mbox_ring_release(struct mbox_ring *ring);
void mbox_ring_put(struct mbox_ring *ring);
bool mbox_ring_reserve(struct mbox *mbox, size_t len,
		       struct mbox_ring_resv *resv);
void mbox_ring_commit_msg(struct mbox_ring_resv *resv,
			  const struct mbox_msg *msg);
bool mbox_ring_send_user_at(struct mbox *mbox, const void __user *buf,
			    size_t len, u32 type, u64 now);
bool mbox_ring_fits(u32 size, u32 max_msg_size);

/*
 * The two ring calls of the plain send and receive paths are inline, so
 * that a mailbox without a ring, which is most, pays a load and a branch
 * for them rather than a call each.
 */

/**
 * mbox_ring_send_user() - mbox_ring_send_user_at() at the current time
 * @mbox:	the mailbox, referenced.
 * @buf:	the sender's data.
 * @len:	its length, at most the mailbox's max_msg_size.
 * @type:	the message's type.
 *
 * Context: process context.
 * Return: as mbox_ring_send_user_at(); false at once, with no clock read,
 * for a mailbox without a ring.
 */
static inline bool mbox_ring_send_user(struct mbox *mbox,
				       const void __user *buf, size_t len,
				       u32 type)
{
	if (likely(!READ_ONCE(mbox->ring)))
		return false;
	return mbox_ring_send_user_at(mbox, buf, len, type, ktime_get_ns());
}

/**
 * mbox_ring_flag() - set and clear flags of the mailbox's ring, if any
 * @mbox:	the mailbox, locked.
 * @set:	MBOX_RING_* flags to set.
 * @clear:	flags to clear.
 *
 * Wakes nobody: the consumer waits on @mbox->poll_wq, and the caller
 * tells the pollers after unlocking (mbox_pollers(), or the destroy's
 * wake-up).  The consumer reads the flags after a hold of @mbox->lock
 * that follows its queueing, so either it sees the flag or the caller
 * sees it queued.
 */
static inline void mbox_ring_flag(struct mbox *mbox, u32 set, u32 clear)
{
	struct mbox_ring *ring = mbox->ring;

	lockdep_assert_held(&mbox->lock);

	if (ring)
		WRITE_ONCE(ring->prod->flags,
			   (ring->prod->flags | set) & ~clear);
}

/* queue_ring.c: the ring's side of the queue */
int mbox_ring_attach(struct mbox *mbox, struct mbox_ring *ring);
void mbox_ring_detach(struct mbox *mbox, struct mbox_ring *ring);
u64 mbox_ring_account(struct mbox *mbox, size_t len, u64 now,
		      struct mbox_ring *ring);
void mbox_ring_unaccount(struct mbox *mbox, size_t len);
unsigned int mbox_ring_refill_more(struct mbox *mbox, struct mbox_ring *ring,
				   struct mbox_msg **msgs,
				   struct mbox_ring_resv *resv,
				   unsigned int n);

#endif /* MBOX_RING_H */
