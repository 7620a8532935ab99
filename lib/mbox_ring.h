/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * mbox_ring.h: the consumer side of an mbox receive ring
 * (MBOX_FEATURE_RING), as static inline functions.  See mbox_ring(3) and
 * "The receive ring" in Documentation/mbox.rst.
 *
 * A file from MBOX_IOC_OPEN becomes its mailbox's ring consumer with
 * mbox_ring_attach(), which makes MBOX_IOC_RING_SETUP and maps the ring.
 * Senders' messages then arrive as records in memory the kernel writes;
 * the consumer takes them with plain loads and gives their space back
 * with one store, and makes a system call, mbox_ring_wait(), only to
 * sleep when the ring is empty or to let the kernel bring in messages
 * that wait outside the ring:
 *
 *	const struct mbox_ring_rec *rec;
 *
 *	for (;;) {
 *		while ((rec = mbox_ring_next(&ring)) != NULL) {
 *			use(mbox_ring_data(rec), mbox_ring_len(rec));
 *			mbox_ring_release(&ring, rec);
 *		}
 *		if (mbox_ring_wait(&ring, 0, 0) == -EIDRM)
 *			break;			(destroyed, and drained)
 *	}
 *
 * Nothing here is exported from libmbox.so: the header stands alone
 * (<linux/mbox.h> and libc), is C11 and C++, and follows libmbox's
 * conventions: 0 or -errno, errno left as it was.  It needs GCC's or
 * Clang's __atomic built-ins.
 *
 * One thread consumes a ring (struct mbox_ring is not locked).  The
 * kernel trusts nothing the consumer writes: a wrong position in the
 * consumer page only makes the ring look full (or, moved back, fuller),
 * and messages then wait in the mailbox's queue.
 */
#ifndef LIBMBOX_MBOX_RING_H
#define LIBMBOX_MBOX_RING_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mbox.h>

/*
 * Orderings, in one place:
 * - the producer's @pos and a record's @len are loaded with acquire: the
 *   kernel stores each with release after writing what they cover (the
 *   record's header before it advances @pos, the data before it clears
 *   MBOX_RING_BUSY), so what the consumer reads after such a load is
 *   complete;
 * - the consumer's @pos is stored with release: every read of the records
 *   it gives back is done before the kernel, which loads it, may write
 *   new records over them.
 */

/**
 * struct mbox_ring - a consumer's view of its ring (fill it with
 * mbox_ring_attach(); read its fields, never write them)
 * @fd:		the consumer's file (mbox_ring_detach() does not close it).
 * @size:	bytes of the data area.
 * @prod:	the producer page (read-only).
 * @cons:	the consumer page, the one word the consumer writes.
 * @data:	the data area, mapped twice back to back (2 * @size bytes).
 * @head:	position of the next record mbox_ring_next() looks at.
 * @last:	end of the last record mbox_ring_next() returned (the
 *		discarded records it skipped after it end at @head).
 * @released:	position last stored into @cons->pos.
 * @cons_map, @ro_map, @ro_len: the two mappings, for munmap().
 */
struct mbox_ring {
	int fd;
	uint32_t size;
	const struct mbox_ring_producer *prod;
	struct mbox_ring_consumer *cons;
	const unsigned char *data;
	uint64_t head;
	uint64_t last;
	uint64_t released;
	void *cons_map;
	void *ro_map;
	size_t ro_len;
};

/*
 * Make @fd, a file from MBOX_IOC_OPEN (mbox_open_mailbox()) open for
 * reading and writing, its mailbox's ring consumer with a data area of @size bytes (a
 * power of two, MBOX_RING_SIZE_MIN and the page size to
 * MBOX_RING_SIZE_MAX), and map the ring into @r.  0 or -errno: the
 * errors of MBOX_IOC_RING_SETUP and of mmap(), or -EPROTO if the
 * kernel's offsets or sizes are not as <linux/mbox.h> says.  If the
 * setup worked and a mapping failed, the file stays the consumer (a
 * second setup fails with EBUSY): close it.
 */
static inline int mbox_ring_attach(struct mbox_ring *r, int fd, uint32_t size)
{
	struct mbox_ring_setup setup;
	long page = sysconf(_SC_PAGESIZE);
	int saved = errno;
	size_t lead;
	void *cons, *ro;
	int ret;

	memset(&setup, 0, sizeof(setup));
	setup.size = size;
	if (ioctl(fd, MBOX_IOC_RING_SETUP, &setup) < 0) {
		ret = -errno;
		goto out;
	}
	/* The data area follows the producer page, in one mapping. */
	if (page <= 0 || setup.data_off < setup.producer_off + (uint64_t)page ||
	    setup.data_off - setup.producer_off > SIZE_MAX / 2) {
		ret = -EPROTO;
		goto out;
	}
	lead = (size_t)(setup.data_off - setup.producer_off);
	cons = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)setup.consumer_off);
	if (cons == MAP_FAILED) {
		ret = -errno;
		goto out;
	}
	ro = mmap(NULL, lead + 2 * (size_t)size, PROT_READ, MAP_SHARED, fd,
		  (off_t)setup.producer_off);
	if (ro == MAP_FAILED) {
		ret = -errno;
		goto unmap_cons;
	}
	if (((const struct mbox_ring_producer *)ro)->size != size) {
		ret = -EPROTO;
		goto unmap_ro;
	}
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->size = size;
	r->prod = (const struct mbox_ring_producer *)ro;
	r->cons = (struct mbox_ring_consumer *)cons;
	r->data = (const unsigned char *)ro + lead;
	r->cons_map = cons;
	r->ro_map = ro;
	r->ro_len = lead + 2 * (size_t)size;
	/* 0 after a setup; whatever the consumer page says is our start. */
	r->head = __atomic_load_n(&r->cons->pos, __ATOMIC_RELAXED);
	r->last = r->head;
	r->released = r->head;
	ret = 0;
	goto out;
unmap_ro:
	munmap(ro, lead + 2 * (size_t)size);
unmap_cons:
	munmap(cons, (size_t)page);
out:
	errno = saved;
	return ret;
}

/*
 * Unmap @r's ring.  The file stays the consumer until it is released,
 * closed and with no mapping left; then the mailbox is back to plain
 * receives (records not yet consumed are lost: they counted as received).
 */
static inline void mbox_ring_detach(struct mbox_ring *r)
{
	long page = sysconf(_SC_PAGESIZE);
	int saved = errno;

	if (r->ro_map)
		munmap(r->ro_map, r->ro_len);
	if (r->cons_map)
		munmap(r->cons_map, (size_t)page);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	errno = saved;
}

/* Store @pos, the end of the records the consumer is done with. */
static inline void mbox_ring__store_pos(struct mbox_ring *r, uint64_t pos)
{
	r->released = pos;
	__atomic_store_n(&r->cons->pos, pos, __ATOMIC_RELEASE);
}

/*
 * The next complete record after those mbox_ring_next() returned already,
 * or NULL if there is none yet (the ring is empty, or the kernel is still
 * writing the next record).  Records marked MBOX_RING_DISCARD (a send
 * whose copy faulted, or a message too long for the ring: nothing to
 * deliver) are skipped.  The record
 * stays valid, in place, until mbox_ring_release() gives it back.
 */
static inline const struct mbox_ring_rec *mbox_ring_next(struct mbox_ring *r)
{
	uint64_t prod = __atomic_load_n(&r->prod->pos, __ATOMIC_ACQUIRE);

	while (r->head != prod) {
		const struct mbox_ring_rec *rec = (const struct mbox_ring_rec *)
			(r->data + (r->head & (r->size - 1)));
		uint32_t len = __atomic_load_n(&rec->len, __ATOMIC_ACQUIRE);
		bool held = r->released != r->head;

		if (len & MBOX_RING_BUSY)
			return NULL;
		r->head += MBOX_RING_REC_SIZE(len & MBOX_RING_LEN_MASK);
		if (!(len & MBOX_RING_DISCARD)) {
			r->last = r->head;
			return rec;
		}
		/* Give a skipped record's space back unless one is held. */
		if (!held)
			mbox_ring__store_pos(r, r->head);
	}
	return NULL;
}

/* The message's bytes, right after its header. */
static inline const void *mbox_ring_data(const struct mbox_ring_rec *rec)
{
	return (const void *)(rec + 1);
}

/* The message's length in bytes. */
static inline uint32_t mbox_ring_len(const struct mbox_ring_rec *rec)
{
	return rec->len & MBOX_RING_LEN_MASK;
}

/*
 * Give @rec, a record mbox_ring_next() returned, and every record before
 * it back to the kernel: their memory may be overwritten from now on.
 * Releasing a record already given back does nothing, so a consumer may
 * release only the last of a batch.  Releasing the last record returned
 * also gives back the discarded records skipped after it.
 */
static inline void mbox_ring_release(struct mbox_ring *r,
				     const struct mbox_ring_rec *rec)
{
	uint64_t off = (uint64_t)((const unsigned char *)rec - r->data);
	uint64_t pos = r->released + ((off - r->released) & (r->size - 1));
	uint64_t end = pos + MBOX_RING_REC_SIZE(mbox_ring_len(rec));

	if (end == r->last)
		end = r->head;
	if (end - r->released <= r->head - r->released && end != r->released)
		mbox_ring__store_pos(r, end);
}

/* Records the kernel has reserved beyond those the consumer took. */
static inline bool mbox_ring_empty(struct mbox_ring *r)
{
	return __atomic_load_n(&r->prod->pos, __ATOMIC_ACQUIRE) == r->head;
}

/*
 * MBOX_RING_REFILL: messages or blocked senders wait outside the ring;
 * mbox_ring_wait() (with MBOX_NONBLOCK not to sleep) brings them in once
 * the consumer has released space.
 */
static inline bool mbox_ring_refill_wanted(const struct mbox_ring *r)
{
	return __atomic_load_n(&r->prod->flags, __ATOMIC_ACQUIRE) &
	       MBOX_RING_REFILL;
}

/*
 * MBOX_RING_DEAD: the mailbox was destroyed.  Records already in the
 * ring can still be read; mbox_ring_wait() fails with -EIDRM once they
 * are released.
 */
static inline bool mbox_ring_dead(const struct mbox_ring *r)
{
	return __atomic_load_n(&r->prod->flags, __ATOMIC_ACQUIRE) &
	       MBOX_RING_DEAD;
}

/*
 * MBOX_IOC_RING_WAIT: bring messages waiting outside the ring into it,
 * then return 0 once the record at the consumer's released position is
 * complete, waiting as @flags say (0: as long as it takes; MBOX_NONBLOCK:
 * not at all; MBOX_TIMEOUT or MBOX_TIMEOUT_ABS with @timeout_ns).  It
 * returns at once while records are held (not released), and may return
 * for a discarded record, which mbox_ring_next() skips: call it in a loop
 * with mbox_ring_next().  0 or -errno: -EAGAIN, -ETIMEDOUT, -EINTR,
 * -EIDRM (destroyed and drained), -EINVAL.
 */
static inline int mbox_ring_wait(struct mbox_ring *r, uint32_t flags,
				 uint64_t timeout_ns)
{
	struct mbox_ring_wait w;
	int saved = errno;
	int ret;

	memset(&w, 0, sizeof(w));
	w.flags = flags;
	w.timeout_ns = timeout_ns;
	ret = ioctl(r->fd, MBOX_IOC_RING_WAIT, &w) < 0 ? -errno : 0;
	errno = saved;
	return ret;
}

#endif /* LIBMBOX_MBOX_RING_H */
