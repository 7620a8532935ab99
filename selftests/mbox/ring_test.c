// SPDX-License-Identifier: GPL-2.0
/*
 * The receive ring (MBOX_FEATURE_RING): MBOX_IOC_RING_SETUP, mmap() of the
 * consumer file, records written by sends, MBOX_IOC_RING_WAIT and poll(),
 * the refill of messages queued while the ring was full, destroy, and the
 * lifetime of the mapping against close and destroy.  Each errno alone.
 *
 * The consumer here is a few lines of its own: an acquire load of the
 * producer's @pos and of a record's @len, a release store of the
 * consumer's @pos.
 */
#define _GNU_SOURCE

#include <poll.h>
#include <stdatomic.h>

#include "mbox_util.h"
#include "cred_util.h"

#ifndef MBOX_FEATURE_RING
#error "this test needs a header with MBOX_IOC_RING_SETUP"
#endif

#define CAP		4
#define MAX		64
#define RSIZE		4096U
#define WAIT_MS		5000

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

static int rs_setup(int fd, __u32 size, struct mbox_ring_setup *st)
{
	memset(st, 0, sizeof(*st));
	st->size = size;
	return mbox_ioctl(fd, MBOX_IOC_RING_SETUP, st);
}

static int ring_wait(int fd, __u32 flags, __u64 timeout_ns)
{
	struct mbox_ring_wait w = { .flags = flags, .timeout_ns = timeout_ns };

	return mbox_ioctl(fd, MBOX_IOC_RING_WAIT, &w);
}

/* Set up a ring of @size bytes on @fd and map it; 0 or -errno. */
static int ring_open(struct ring *r, int fd, __u32 size)
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

static void ring_unmap(struct ring *r)
{
	if (r->rw && r->rw != MAP_FAILED)
		munmap(r->rw, r->page);
	if (r->ro && r->ro != MAP_FAILED)
		munmap(r->ro, r->ro_len);
	r->rw = r->ro = NULL;
}

static __u64 ring_prod_pos(const struct ring *r)
{
	return __atomic_load_n(&r->prod->pos, __ATOMIC_ACQUIRE);
}

static __u32 ring_flags(const struct ring *r)
{
	return __atomic_load_n(&r->prod->flags, __ATOMIC_ACQUIRE);
}

/*
 * The next complete record, discarded ones skipped, or NULL.  @len gets
 * its length.
 */
static const struct mbox_ring_rec *ring_next(struct ring *r, __u32 *len)
{
	for (;;) {
		__u64 pos = r->cons->pos;
		const struct mbox_ring_rec *rec;
		__u32 l;

		if (pos == ring_prod_pos(r))
			return NULL;
		rec = (const void *)(r->data + (pos & (r->size - 1)));
		l = __atomic_load_n(&rec->len, __ATOMIC_ACQUIRE);
		if (l & MBOX_RING_BUSY)
			return NULL;
		if (!(l & MBOX_RING_DISCARD)) {
			*len = l & MBOX_RING_LEN_MASK;
			return rec;
		}
		__atomic_store_n(&r->cons->pos,
				 pos + MBOX_RING_REC_SIZE(l & MBOX_RING_LEN_MASK),
				 __ATOMIC_RELEASE);
	}
}

/* Done with the record @ring_next() returned. */
static void ring_done(struct ring *r, __u32 len)
{
	__atomic_store_n(&r->cons->pos, r->cons->pos + MBOX_RING_REC_SIZE(len),
			 __ATOMIC_RELEASE);
}

/*
 * Take the next record, waiting for it (and refilling) with
 * MBOX_IOC_RING_WAIT: copy its header to @hdr and data to @buf.  0 or
 * -errno of the wait.
 */
static int ring_take(struct ring *r, struct mbox_ring_rec *hdr, void *buf,
		     size_t size)
{
	const struct mbox_ring_rec *rec;
	__u32 len;
	int ret;

	for (;;) {
		rec = ring_next(r, &len);
		if (rec)
			break;
		ret = ring_wait(r->fd, MBOX_TIMEOUT, WAIT_MS * 1000000ULL);
		if (ret)
			return ret;
	}
	*hdr = *rec;
	hdr->len = len;
	memcpy(buf, rec + 1, len < size ? len : size);
	ring_done(r, len);
	return 0;
}

FIXTURE(rg) {
	int fd;
	__u32 id;
	int cfd;
	struct ring r;
	unsigned char buf[MAX];
};

FIXTURE_SETUP(rg)
{
	struct mbox_info info;

	MBOX_OPEN_OR_SKIP(&self->fd);
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	if (!(info.features & MBOX_FEATURE_RING))
		SKIP(return, "the module lacks MBOX_FEATURE_RING");
	self->id = NEW_MBOX(self->fd, CAP, MAX);
	self->cfd = mbox_open_id(self->fd, self->id, 0);
	ASSERT_LE(0, self->cfd);
	memset(&self->r, 0, sizeof(self->r));
}

FIXTURE_TEARDOWN(rg)
{
	ring_unmap(&self->r);
	if (self->cfd >= 0)
		close(self->cfd);
	mbox_cleanup(self->fd);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

TEST_F(rg, records_carry_seq_type_pid_uid_len_time_and_data)
{
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	__u64 before = now_ns();
	int i;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	EXPECT_EQ(RSIZE, self->r.prod->size);
	EXPECT_EQ(0ULL, ring_prod_pos(&self->r));
	EXPECT_EQ(0U, ring_flags(&self->r));
	for (i = 0; i < 3; i++) {
		mbox_fill(self->buf, 10 + i, i);
		ASSERT_EQ(0, mbox_send(self->fd, self->id, self->buf, 10 + i, 0));
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
		EXPECT_EQ((__u32)(10 + i), hdr.len);
		EXPECT_EQ((__u64)(i + 1), hdr.seq);
		EXPECT_EQ(0U, hdr.type);
		EXPECT_EQ(getpid(), hdr.pid);
		EXPECT_EQ(geteuid(), hdr.uid);
		EXPECT_LE(before, hdr.send_ns);
		EXPECT_GE(now_ns(), hdr.send_ns);
		EXPECT_EQ(-1, mbox_check(out, 10 + i, i));
	}
	EXPECT_EQ(-EAGAIN, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
}

TEST_F(rg, write_and_typed_send_land_in_the_ring)
{
	struct mbox_send s = { .id = self->id, .type = 7, .len = 5 };
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	s.buf = (__u64)(uintptr_t)"hello";
	ASSERT_EQ(0, ioc_send(self->fd, &s));
	ASSERT_EQ(3, write(self->cfd, "abc", 3));
	ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
	EXPECT_EQ(7U, hdr.type);
	EXPECT_EQ(5U, hdr.len);
	EXPECT_EQ(0, memcmp(out, "hello", 5));
	ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
	EXPECT_EQ(0U, hdr.type);
	EXPECT_EQ(3U, hdr.len);
	EXPECT_EQ(0, memcmp(out, "abc", 3));
}

TEST_F(rg, many_messages_wrap_the_ring_in_order_and_intact)
{
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	int i, n = 1000;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	for (i = 0; i < n; i++) {
		__u64 len = 1 + i % MAX;

		mbox_fill(self->buf, len, i);
		ASSERT_EQ(0, mbox_send(self->fd, self->id, self->buf, len, 0));
		ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
		ASSERT_EQ(len, hdr.len);
		ASSERT_EQ((__u64)i + 1, hdr.seq);
		ASSERT_EQ(-1, mbox_check(out, len, i));
	}
	EXPECT_LT((__u64)RSIZE * 4, ring_prod_pos(&self->r));
}

/* Messages sent while the ring is full queue, and a wait brings them in. */
TEST_F(rg, full_ring_queues_sets_refill_and_wait_brings_messages_in_order)
{
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	__u64 per = MBOX_RING_REC_SIZE(MAX), fit = RSIZE / per;
	struct mbox_stat st;
	__u64 i;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	for (i = 0; i < fit + CAP; i++) {
		mbox_fill(self->buf, MAX, i);
		ASSERT_EQ(0, mbox_send(self->fd, self->id, self->buf, MAX,
				       MBOX_NONBLOCK)) TH_LOG("message %llu", i);
	}
	/* The ring and the queue are full now. */
	EXPECT_EQ(-EAGAIN, mbox_send(self->fd, self->id, self->buf, MAX,
				     MBOX_NONBLOCK));
	EXPECT_EQ(fit * per, ring_prod_pos(&self->r));
	EXPECT_EQ(MBOX_RING_REFILL, ring_flags(&self->r));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ((__u64)CAP, st.msgs);
	for (i = 0; i < fit + CAP; i++) {
		ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
		ASSERT_EQ(i + 1, hdr.seq);
		ASSERT_EQ(-1, mbox_check(out, MAX, i));
	}
	EXPECT_EQ(0U, ring_flags(&self->r));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(0ULL, st.msgs);
	EXPECT_EQ(-EAGAIN, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
}

TEST_F(rg, destroy_sets_dead_records_stay_readable_then_wait_is_eidrm)
{
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	struct pollfd pfd;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	ASSERT_EQ(0, mbox_send(self->fd, self->id, "x", 1, 0));
	ASSERT_EQ(0, mbox_del(self->fd, self->id));
	EXPECT_EQ(MBOX_RING_DEAD, ring_flags(&self->r) & MBOX_RING_DEAD);
	pfd.fd = self->cfd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLHUP, pfd.revents);
	EXPECT_EQ(0, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
	ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
	EXPECT_EQ(1U, hdr.len);
	EXPECT_EQ(-EIDRM, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
	EXPECT_EQ(-EIDRM, ring_wait(self->cfd, 0, 0));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLHUP, pfd.revents);
}

TEST_F(rg, releasing_the_consumer_file_gives_the_mailbox_back_to_receives)
{
	__u64 len = MAX;
	struct mbox_stat st;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	ASSERT_EQ(0, mbox_send(self->fd, self->id, "in ring", 7, 0));
	EXPECT_EQ(-EBUSY, mbox_get(self->fd, self->id, self->buf, &len,
				   MBOX_NONBLOCK));
	ASSERT_EQ(0, close(self->cfd));
	self->cfd = -1;
	/* The mappings hold the file: still the consumer, record there. */
	EXPECT_EQ(MBOX_RING_REC_SIZE(7), ring_prod_pos(&self->r));
	EXPECT_EQ(-EBUSY, mbox_get(self->fd, self->id, self->buf, &len,
				   MBOX_NONBLOCK));
	ring_unmap(&self->r);
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(1ULL, st.recv_msgs);
	EXPECT_EQ(0U, st.msgs);
	ASSERT_EQ(0, mbox_send(self->fd, self->id, "queued", 6, 0));
	len = MAX;
	ASSERT_EQ(6, mbox_get(self->fd, self->id, self->buf, &len,
			      MBOX_NONBLOCK));
	EXPECT_EQ(0, memcmp(self->buf, "queued", 6));
}

TEST_HARNESS_MAIN
