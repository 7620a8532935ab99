/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A receive ring's consumer read by hand, for the tests that check the
 * raw layout of <linux/mbox.h> rather than <mbox_ring.h>: set up a ring,
 * map its consumer page read-write and its producer page and data area
 * (twice, back to back) read-only, and read the producer's position and
 * flags with acquire loads.  Include after mbox_util.h.
 */
#ifndef MBOX_SELFTEST_RING_UTIL_H
#define MBOX_SELFTEST_RING_UTIL_H

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MBOX_FEATURE_RING
#error "this test needs a header with MBOX_IOC_RING_SETUP"
#endif

/* A consumer: its file and its two mappings. */
struct ring {
	int fd;
	__u32 size;
	long page;
	struct mbox_ring_setup st;
	struct mbox_ring_consumer *cons;
	const struct mbox_ring_producer *prod;
	const unsigned char *data;
	void *rw, *ro;
	size_t ro_len;
};

/* MBOX_IOC_RING_SETUP of @size bytes on @fd, into @st; 0 or -errno. */
static inline int rs_setup(int fd, __u32 size, struct mbox_ring_setup *st)
{
	memset(st, 0, sizeof(*st));
	st->size = size;
	return mbox_ioctl(fd, MBOX_IOC_RING_SETUP, st);
}

static inline int ring_wait(int fd, __u32 flags, __u64 timeout_ns)
{
	struct mbox_ring_wait w = { .flags = flags, .timeout_ns = timeout_ns };

	return mbox_ioctl(fd, MBOX_IOC_RING_WAIT, &w);
}

/* Set up a ring of @size bytes on @fd and map it; 0 or -errno. */
static inline int ring_open(struct ring *r, int fd, __u32 size)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->size = size;
	r->page = sysconf(_SC_PAGESIZE);
	ret = rs_setup(fd, size, &r->st);
	if (ret)
		return ret;
	r->rw = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		     r->st.consumer_off);
	if (r->rw == MAP_FAILED)
		return -errno;
	r->ro_len = r->page + 2 * (size_t)size;
	r->ro = mmap(NULL, r->ro_len, PROT_READ, MAP_SHARED, fd,
		     r->st.producer_off);
	if (r->ro == MAP_FAILED)
		return -errno;
	r->cons = r->rw;
	r->prod = r->ro;
	r->data = (const unsigned char *)r->ro + r->page;
	return 0;
}

static inline void ring_unmap(struct ring *r)
{
	if (r->rw && r->rw != MAP_FAILED)
		munmap(r->rw, r->page);
	if (r->ro && r->ro != MAP_FAILED)
		munmap(r->ro, r->ro_len);
	r->rw = r->ro = NULL;
}

static inline __u64 ring_prod_pos(const struct ring *r)
{
	return __atomic_load_n(&r->prod->pos, __ATOMIC_ACQUIRE);
}

static inline __u32 ring_flags(const struct ring *r)
{
	return __atomic_load_n(&r->prod->flags, __ATOMIC_ACQUIRE);
}

#endif /* MBOX_SELFTEST_RING_UTIL_H */
