// SPDX-License-Identifier: GPL-2.0
/*
 * The receive ring (MBOX_IOC_RING_SETUP, MBOX_IOC_RING_WAIT, mmap()).
 *
 * A consumer file gets a ring of records that the kernel writes and the
 * consumer reads through its own mapping.  Its memory is a consumer page,
 * a producer page and the data pages, vmap()ed as
 *
 *	[consumer][producer][data 0 .. n-1][data 0 .. n-1 again]
 *
 * so that a record starting anywhere in the data area is contiguous, for
 * the kernel as for the consumer: nobody ever splits one.  The user maps
 * the same pages at the same offsets.
 *
 * Records are reserved under the mailbox's lock: the producer position
 * advances and the record's @len is MBOX_RING_BUSY.  The data and the rest
 * of the header are written after the lock is dropped, then @len is stored
 * with release semantics (the commit).  So nothing of a user's length is
 * done under the spinlock.  The consumer's position is read once per
 * reservation and never trusted: if it is ahead of the producer or more
 * than the size behind, the ring looks full and messages queue outside it.
 * The kernel writes only inside the vmap()ed pages, whatever it holds.
 *
 * A reservation holds a reference to the ring, so a consumer that closes
 * its file or a destroy that runs meanwhile never frees the pages under a
 * writer.
 *
 * Wake-ups: the consumer sleeps only when the record at its position is
 * missing or busy.  So a commit wakes it only if its position is the
 * committed record's: as the BPF ring buffer does, one wake-up per time
 * the consumer catches up, not one per message.  The commit's store of
 * @len, then a full barrier, then the load of the consumer's position,
 * pairs with the consumer's store of its position, then the full barrier
 * of set_current_state() in MBOX_IOC_RING_WAIT (or poll's), then its load
 * of @len: one of the two sees the other's store.  The consumer waits on
 * the mailbox's poll_wq (struct mbox_ring); the flags are set under the
 * mailbox's lock and told after it, as every other change of the mailbox.
 */
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "ioctl.h"
#include "mailbox.h"
#include "msg.h"
#include "ring.h"
#include "trace.h"

/* Messages a refill moves per hold of the mailbox's lock. */
#define MBOX_RING_REFILL_CHUNK	16

static_assert(sizeof(struct mbox_ring_rec) == 32);
static_assert(sizeof(struct mbox_ring_setup) == MBOX_RING_SETUP_SIZE_VER1);
static_assert(sizeof(struct mbox_ring_wait) == MBOX_RING_WAIT_SIZE_VER1);
/* The u64 positions are stored with smp_store_release(): 64-bit only. */
static_assert(IS_ENABLED(CONFIG_64BIT));

/* Does a ring of @size bytes hold a message of @max_msg_size bytes? */
bool mbox_ring_fits(u32 size, u32 max_msg_size)
{
	return MBOX_RING_REC_SIZE(max_msg_size) <= size;
}

static struct mbox_ring_rec *mbox_ring_rec_at(struct mbox_ring *ring, u64 pos)
{
	return (struct mbox_ring_rec *)(ring->data + (pos & (ring->size - 1)));
}

static void mbox_ring_free(struct mbox_ring *ring)
{
	unsigned int i;

	vunmap(ring->base);
	for (i = 0; i < ring->nr_pages; i++)
		__free_page(ring->pages[i]);
	kvfree(ring->pages);
	mbox_uncharge_bytes(ring->mbox, ring->charge);
	put_user_ns(ring->user_ns);
	put_pid_ns(ring->pid_ns);
	put_pid(ring->pid);
	mbox_put(ring->mbox);
	kfree(ring);
}

/*
 * Drop a reference to @ring.  The last one frees it, which may sleep:
 * process context only.
 */
void mbox_ring_put(struct mbox_ring *ring)
{
	if (refcount_dec_and_test(&ring->ref))
		mbox_ring_free(ring);
}

/*
 * Allocate and map a ring of @size bytes for @mbox, and charge its bytes
 * as a message's: to the mailbox's creator and namespace.  Its pages are
 * charged to the caller's memory cgroup.  Returned with one reference,
 * unbound.
 */
static struct mbox_ring *mbox_ring_alloc(struct mbox *mbox, u32 size)
{
	unsigned int nr_data = size >> PAGE_SHIFT;
	struct mbox_ring *ring;
	struct page **map;
	unsigned int i;
	int ret;

	ring = kzalloc(sizeof(*ring), GFP_KERNEL_ACCOUNT);
	if (!ring)
		return ERR_PTR(-ENOMEM);
	ring->size = size;
	ring->nr_pages = 2 + nr_data;
	ring->charge = 2 * PAGE_SIZE + (size_t)size;
	ret = mbox_charge_bytes(mbox, ring->charge);
	if (ret)
		goto err_free_ring;

	ret = -ENOMEM;
	ring->pages = kvcalloc(ring->nr_pages, sizeof(*ring->pages),
			       GFP_KERNEL_ACCOUNT);
	if (!ring->pages)
		goto err_uncharge;
	for (i = 0; i < ring->nr_pages; i++) {
		ring->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO |
					    __GFP_NOWARN);
		if (!ring->pages[i])
			goto err_free_pages;
	}
	map = kvmalloc_array(ring->nr_pages + nr_data, sizeof(*map),
			     GFP_KERNEL);
	if (!map)
		goto err_free_pages;
	memcpy(map, ring->pages, ring->nr_pages * sizeof(*map));
	memcpy(map + ring->nr_pages, ring->pages + 2, nr_data * sizeof(*map));
	ring->base = vmap(map, ring->nr_pages + nr_data, VM_MAP | VM_USERMAP,
			  PAGE_KERNEL);
	kvfree(map);
	if (!ring->base)
		goto err_free_pages;

	ring->cons = ring->base;
	ring->prod = ring->base + PAGE_SIZE;
	ring->data = ring->base + 2 * PAGE_SIZE;
	ring->prod->size = size;
	refcount_inc(&mbox->ref);
	ring->mbox = mbox;
	ring->pid = get_pid(task_tgid(current));
	ring->pid_ns = get_pid_ns(task_active_pid_ns(current));
	ring->user_ns = get_user_ns(current_user_ns());
	ring->time_off = mbox_timens_offset();
	refcount_set(&ring->ref, 1);
	mutex_init(&ring->refill_lock);
	return ring;

err_free_pages:
	while (i--)
		__free_page(ring->pages[i]);
	kvfree(ring->pages);
err_uncharge:
	mbox_uncharge_bytes(mbox, ring->charge);
err_free_ring:
	kfree(ring);
	return ERR_PTR(ret);
}

/**
 * mbox_ring_reserve() - reserve a record in the mailbox's ring
 * @mbox:	the mailbox, locked.
 * @len:	the message's length, at most its max_msg_size.
 * @resv:	out: the reservation, to give to a commit.
 *
 * Return: true if the mailbox has a ring with room for the record as the
 * kernel sees it; false, having done nothing, otherwise.
 */
bool mbox_ring_reserve(struct mbox *mbox, size_t len,
		       struct mbox_ring_resv *resv)
{
	struct mbox_ring *ring = mbox->ring;
	u64 need = MBOX_RING_REC_SIZE(len);
	u64 used;

	lockdep_assert_held(&mbox->lock);

	if (!ring)
		return false;
	/* Garbage (ahead, or too far behind) looks full. */
	/* Pairs with the consumer's release: it is done with those bytes. */
	used = ring->prod_pos - smp_load_acquire(&ring->cons->pos);
	if (used > ring->size || need > ring->size - used)
		return false;

	resv->ring = ring;
	resv->pos = ring->prod_pos;
	resv->rec = mbox_ring_rec_at(ring, resv->pos);
	WRITE_ONCE(resv->rec->len, MBOX_RING_BUSY);
	ring->prod_pos += need;
	/* The busy header before the position that covers it. */
	smp_store_release(&ring->prod->pos, ring->prod_pos);
	refcount_inc(&ring->ref);
	return true;
}

/* The header of a reserved record, but for @len. */
static void mbox_ring_fill(struct mbox_ring_resv *resv, u32 type, u64 seq,
			   struct pid *pid, kuid_t uid, u64 send_ns)
{
	struct mbox_ring *ring = resv->ring;
	struct mbox_ring_rec *rec = resv->rec;
	s64 t = (s64)send_ns + ring->time_off;

	rec->type = type;
	rec->seq = seq;
	rec->pid = pid ? pid_nr_ns(pid, ring->pid_ns) : 0;
	rec->uid = from_kuid_munged(ring->user_ns, uid);
	rec->send_ns = t > 0 ? t : 0;
}

/*
 * Publish a record written since its reservation, and wake the consumer if
 * it may be waiting for this very record (see the top of this file).
 * Drops the reservation's reference.
 */
static void mbox_ring_commit(struct mbox_ring_resv *resv, u32 len)
{
	struct mbox_ring *ring = resv->ring;
	u64 cons;

	/* The record before its length: pairs with the consumer's acquire. */
	smp_store_release(&resv->rec->len, len);
	/*
	 * Pairs with set_current_state() in mbox_ring_wait() and the barrier
	 * in mbox_ring_poll(): the waiter queued itself, then read @len; we
	 * stored @len, then look for it (the top of this file).
	 */
	smp_mb();
	cons = READ_ONCE(ring->cons->pos);
	/* waitqueue_active() is ordered by the smp_mb() above. */
	if (cons == resv->pos && waitqueue_active(&ring->mbox->poll_wq))
		wake_up_interruptible_poll(&ring->mbox->poll_wq,
					   EPOLLIN | EPOLLRDNORM);
	mbox_ring_put(ring);
}

/**
 * mbox_ring_commit_msg() - write a loaded message into its reserved record
 * @resv:	the reservation, made for @msg's length, or for none if
 *		@msg can never fit in the ring (then a MBOX_RING_DISCARD
 *		record of no data, with @msg's header, is committed).
 * @msg:	the message, accepted (numbered) under the same lock hold;
 *		still the caller's.
 *
 * Context: process context, no lock held.
 */
void mbox_ring_commit_msg(struct mbox_ring_resv *resv,
			  const struct mbox_msg *msg)
{
	mbox_ring_fill(resv, msg->type, msg->seq, msg->pid, msg->uid,
		       msg->send_ns);
	/* Too long for the ring: its header alone, to be skipped. */
	if (!mbox_ring_fits(resv->ring->size, msg->len)) {
		mbox_ring_commit(resv, MBOX_RING_DISCARD);
		return;
	}
	mbox_msg_kstore(msg, resv->rec + 1, msg->len);
	mbox_ring_commit(resv, msg->len);
}

/**
 * mbox_ring_send_user_at() - send straight from the sender's memory into
 * the ring, if the mailbox has one with room and nothing waits outside it
 * @mbox:	the mailbox, referenced.
 * @buf:	the sender's data.
 * @len:	its length, at most the mailbox's max_msg_size.
 * @type:	the message's type.
 * @now:	CLOCK_MONOTONIC time of the send call, in nanoseconds; the
 *		messages of one batch share one.
 *
 * One copy, no allocation, no charge (the ring's bytes are charged).  The
 * buffer is faulted in first; the copy is made with page faults disabled,
 * since the record is reserved: if it still faults, the record is
 * committed as MBOX_RING_DISCARD, the accounting undone (its seq stays
 * skipped), and the caller sends the normal way, which faults the page in
 * or fails with EFAULT.
 *
 * Context: process context.
 * Return: true if the message is in the ring; false if the caller must
 * send it the normal way.
 */
bool mbox_ring_send_user_at(struct mbox *mbox, const void __user *buf,
			    size_t len, u32 type, u64 now)
{
	struct mbox_ring_resv resv;
	unsigned long left = len;
	u64 seq;

	if (!READ_ONCE(mbox->ring) || !access_ok(buf, len))
		return false;
	/*
	 * Fault the buffer in before reserving, so that the no-fault copy
	 * fails only on a bad pointer's race (munmap meanwhile).  A buffer
	 * that cannot be faulted in takes the normal way: EFAULT.
	 */
	if (fault_in_readable(buf, len))
		return false;
	spin_lock_irq(&mbox->lock);
	if (mbox->dead || mbox->nr_msgs || mbox->nr_senders ||
	    !mbox_ring_reserve(mbox, len, &resv)) {
		spin_unlock_irq(&mbox->lock);
		return false;
	}
	seq = mbox_ring_account(mbox, len, now, resv.ring);
	trace_mbox_ring_send(mbox->id, seq, type, len);
	spin_unlock_irq(&mbox->lock);

	pagefault_disable();
	left = __copy_from_user_inatomic(resv.rec + 1, buf, len);
	pagefault_enable();
	mbox_ring_fill(&resv, type, seq, task_tgid(current), current_euid(),
		       now);
	if (likely(!left)) {
		mbox_ring_commit(&resv, len);
		return true;
	}
	spin_lock_irq(&mbox->lock);
	mbox_ring_unaccount(mbox, len);
	spin_unlock_irq(&mbox->lock);
	mbox_ring_commit(&resv, MBOX_RING_DISCARD | len);
	return false;
}

/*
 * Has the consumer something to read, as the kernel sees it: a complete
 * record at its position, or a position that makes no sense (its own
 * problem: it is told to look).  Called after a full barrier.
 */
static bool mbox_ring_ready(struct mbox_ring *ring)
{
	u64 prod = READ_ONCE(ring->prod->pos);
	u64 cons = READ_ONCE(ring->cons->pos);

	if (prod - cons > ring->size || (cons & (MBOX_RING_ALIGN - 1)))
		return true;
	if (cons == prod)
		return false;
	return !(READ_ONCE(mbox_ring_rec_at(ring, cons)->len) & MBOX_RING_BUSY);
}

/*
 * Has the consumer read every record reserved so far, busy ones included.
 * A record still being written at its position is committed later, and
 * that commit wakes it (cons == its pos).  Called after a full barrier.
 */
static bool mbox_ring_drained(struct mbox_ring *ring)
{
	return READ_ONCE(ring->cons->pos) == READ_ONCE(ring->prod->pos);
}

/*
 * Move the messages and the waiting senders' messages into the ring, in
 * acceptance order, while there is room.  Return how many moved.
 */
static unsigned int mbox_ring_refill(struct mbox_ring *ring)
{
	struct mbox_ring_resv resv[MBOX_RING_REFILL_CHUNK];
	struct mbox_msg *msgs[MBOX_RING_REFILL_CHUNK];
	unsigned int i, n, moved = 0;

	mutex_lock(&ring->refill_lock);
	do {
		n = mbox_ring_refill_more(ring->mbox, ring, msgs, resv,
					  MBOX_RING_REFILL_CHUNK);
		for (i = 0; i < n; i++) {
			mbox_ring_commit_msg(&resv[i], msgs[i]);
			mbox_msg_put(msgs[i]);
		}
		moved += n;
		cond_resched();
	} while (n == MBOX_RING_REFILL_CHUNK);
	mutex_unlock(&ring->refill_lock);
	return moved;
}

static struct mbox_ring *mbox_file_ring(struct file *file)
{
	struct mbox_file *mf = file->private_data;

	/* Pairs with mbox_ring_setup(): the ring is initialized. */
	return smp_load_acquire(&mf->ring);
}

/**
 * mbox_ring_setup() - MBOX_IOC_RING_SETUP on a file bound to a mailbox
 * @file:	the file.
 * @uarg:	the caller's struct mbox_ring_setup.
 * @usize:	its size.
 *
 * Return: 0, or -EINVAL, -EBADF, -EBUSY, -EIDRM, -EMSGSIZE, -EDQUOT,
 * -ENOBUFS, -ENOMEM, -EFAULT (include/uapi/linux/mbox.h).
 */
long mbox_ring_setup(struct file *file, void __user *uarg, size_t usize)
{
	struct mbox_file *mf = file->private_data;
	struct mbox *mbox = mf->mbox;
	struct mbox_ring_setup arg;
	struct mbox_ring *ring;
	int ret;

	ret = mbox_copy_in(&arg, sizeof(arg), uarg, usize);
	if (ret)
		return ret;
	if (arg.flags || arg.size < MBOX_RING_SIZE_MIN ||
	    arg.size < PAGE_SIZE || arg.size > MBOX_RING_SIZE_MAX ||
	    !is_power_of_2(arg.size))
		return -EINVAL;
	/* The consumer page is mapped shared and writable. */
	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) !=
	    (FMODE_READ | FMODE_WRITE))
		return -EBADF;
	/* Fail early, before allocating; mbox_ring_attach() decides. */
	if (READ_ONCE(mbox->dead))
		return -EIDRM;
	if (READ_ONCE(mbox->ring))
		return -EBUSY;
	if (!mbox_ring_fits(arg.size, READ_ONCE(mbox->max_msg_size)))
		return -EMSGSIZE;

	/*
	 * Written before anything is allocated or attached, so that a
	 * struct that cannot be written changes nothing: after the attach,
	 * an undo would lose what senders wrote into the ring meanwhile.  A
	 * later failure leaves these (fixed) offsets written, as documented.
	 */
	arg.consumer_off = 0;
	arg.producer_off = PAGE_SIZE;
	arg.data_off = 2 * PAGE_SIZE;
	ret = mbox_copy_out(uarg, usize, &arg, sizeof(arg));
	if (ret)
		return ret;

	ring = mbox_ring_alloc(mbox, arg.size);
	if (IS_ERR(ring))
		return PTR_ERR(ring);
	/* The file's reference; the mailbox gets the first one. */
	refcount_inc(&ring->ref);
	ret = mbox_ring_attach(mbox, ring);
	if (ret) {
		refcount_set(&ring->ref, 1);
		mbox_ring_put(ring);
		return ret;
	}
	/* The ring initialized before the file shows it (mbox_file_ring()). */
	smp_store_release(&mf->ring, ring);
	/* Pollers of the file re-poll it as a consumer (REFILL may be set). */
	if (wq_has_sleeper(&mbox->poll_wq))
		wake_up_interruptible_poll(&mbox->poll_wq,
					   EPOLLIN | EPOLLRDNORM);
	return 0;
}

/**
 * mbox_ring_wait() - MBOX_IOC_RING_WAIT on the consumer's file
 * @file:	the file.
 * @uarg:	the caller's struct mbox_ring_wait.
 * @usize:	its size.
 *
 * Return: 0, or -EINVAL, -EFAULT, -EIDRM, -EAGAIN, -ETIMEDOUT,
 * -ERESTARTNOHAND (include/uapi/linux/mbox.h).
 */
long mbox_ring_wait(struct file *file, void __user *uarg, size_t usize)
{
	struct mbox_ring *ring;
	struct mbox *mbox;
	struct mbox_ring_wait arg;
	ktime_t deadline;
	DEFINE_WAIT(wait);
	u32 flags;
	int ret;

	ret = mbox_copy_in(&arg, sizeof(arg), uarg, usize);
	if (ret)
		return ret;
	if ((arg.flags & ~MBOX_WAIT_FLAGS) || arg.__reserved)
		return -EINVAL;
	ret = mbox_deadline(arg.flags, arg.timeout_ns, &deadline);
	if (ret)
		return ret;
	ring = mbox_file_ring(file);
	if (!ring)
		return -EINVAL;
	mbox = ring->mbox;

	for (;;) {
		if (READ_ONCE(ring->prod->flags) & MBOX_RING_REFILL)
			mbox_ring_refill(ring);
		prepare_to_wait(&mbox->poll_wq, &wait, TASK_INTERRUPTIBLE);
		/*
		 * Queued, then the lock: pairs with the flag setters'
		 * mbox_pollers() (mbox_ring_flag()).
		 */
		spin_lock_irq(&mbox->lock);
		flags = ring->prod->flags;
		spin_unlock_irq(&mbox->lock);
		ret = 0;
		if (mbox_ring_ready(ring))
			break;
		/* A record accepted before the destroy may still be written. */
		ret = -EIDRM;
		if ((flags & MBOX_RING_DEAD) && mbox_ring_drained(ring))
			break;
		ret = -EAGAIN;
		if (arg.flags & MBOX_NONBLOCK)
			break;
		ret = -ETIMEDOUT;
		if (deadline != KTIME_MAX &&
		    ktime_compare(deadline, ktime_get()) <= 0)
			break;
		ret = -ERESTARTNOHAND;
		if (signal_pending(current))
			break;
		/*
		 * REFILL set on a drained ring: no commit will wake us, and
		 * the flag may have been set before we queued (so its setter
		 * did not wake us): refill again.  On a ring with records left
		 * the refill stopped for room, and the commit of the record at
		 * our position wakes us.
		 */
		if ((flags & MBOX_RING_REFILL) && !(flags & MBOX_RING_DEAD) &&
		    mbox_ring_drained(ring)) {
			finish_wait(&mbox->poll_wq, &wait);
			continue;
		}
		if (deadline == KTIME_MAX)
			schedule();
		else
			schedule_hrtimeout_range(&deadline,
						 current->timer_slack_ns,
						 HRTIMER_MODE_ABS);
		finish_wait(&mbox->poll_wq, &wait);
	}
	finish_wait(&mbox->poll_wq, &wait);
	return ret;
}

/**
 * mbox_ring_poll() - poll() of the consumer's file, queued on its
 * mailbox's poll_wq by the caller
 * @ring:	its ring.
 *
 * Return: EPOLLIN if the consumer has a record to read or REFILL is set,
 * EPOLLHUP once the mailbox is destroyed; EPOLLOUT as for other files.
 */
__poll_t mbox_ring_poll(struct mbox_ring *ring)
{
	__poll_t mask;
	u32 flags;

	/* Pairs with the barrier before a commit's wake-up (top of file). */
	smp_mb();
	/* Takes @mbox->lock: the flags read after it (mbox_ring_flag()). */
	mask = mbox_poll_mask(ring->mbox) & (EPOLLOUT | EPOLLWRNORM);
	flags = READ_ONCE(ring->prod->flags);
	if (flags & MBOX_RING_DEAD)
		mask = EPOLLHUP;
	if ((flags & MBOX_RING_REFILL) || mbox_ring_ready(ring) ||
	    ((flags & MBOX_RING_DEAD) && !mbox_ring_drained(ring)))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static void mbox_ring_vm_open(struct vm_area_struct *vma)
{
	struct mbox_ring *ring = vma->vm_private_data;

	refcount_inc(&ring->ref);
}

static void mbox_ring_vm_close(struct vm_area_struct *vma)
{
	mbox_ring_put(vma->vm_private_data);
}

static const struct vm_operations_struct mbox_ring_vm_ops = {
	.open	= mbox_ring_vm_open,
	.close	= mbox_ring_vm_close,
};

/**
 * mbox_ring_mmap() - mmap() of a file bound to a mailbox
 * @file:	the file.
 * @vma:	the new mapping.
 *
 * Only the consumer page may be mapped writable; a mapping that covers
 * anything else loses VM_MAYWRITE, so mprotect() cannot add it.
 *
 * Return: 0, -ENODEV (no ring on this file), -EINVAL (outside the ring),
 * -EPERM (writable beyond the consumer page).
 */
int mbox_ring_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mbox_ring *ring = mbox_file_ring(file);
	unsigned long pages = vma_pages(vma);
	unsigned long total;
	int ret;

	if (!ring)
		return -ENODEV;
	total = 2 + 2 * ((unsigned long)ring->size >> PAGE_SHIFT);
	if (vma->vm_pgoff >= total || pages > total - vma->vm_pgoff)
		return -EINVAL;
	if (vma->vm_pgoff + pages > 1) {
		if (vma->vm_flags & VM_WRITE)
			return -EPERM;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	/* A private copy of the consumer page hides its pos from the kernel. */
	if (!(vma->vm_flags & VM_SHARED)) {
		if (vma->vm_flags & VM_WRITE)
			return -EINVAL;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	ret = remap_vmalloc_range(vma, ring->base, vma->vm_pgoff);
	if (ret)
		return ret;
	refcount_inc(&ring->ref);
	vma->vm_private_data = ring;
	vma->vm_ops = &mbox_ring_vm_ops;
	return 0;
}

/**
 * mbox_ring_release() - the consumer's file is closed
 * @ring:	its ring.
 *
 * The mailbox goes back to receives; records still in the ring were
 * received.  Mappings keep the ring's memory until they go.
 */
void mbox_ring_release(struct mbox_ring *ring)
{
	mbox_ring_detach(ring->mbox, ring);
	mbox_ring_put(ring);
}
