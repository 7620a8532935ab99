// SPDX-License-Identifier: GPL-2.0
/*
 * MBOX_IOC_SEND_BATCH into a receive ring (MBOX_FEATURE_RING and
 * MBOX_FEATURE_BATCH): every message becomes a record, in array order,
 * with consecutive seq and its own length, type and data; a batch bigger
 * than the ring's room queues the rest outside it (MBOX_RING_REFILL) and
 * MBOX_IOC_RING_WAIT brings them in, in order; a message queued outside
 * the ring holds the batch's messages behind it; an element that fails
 * (a bad buffer, too long, invalid) stops the batch with its errno and
 * @done, the messages before it in the ring and nothing of it or after
 * it; and a message that goes into the ring is charged nothing, as a
 * single send's is.
 *
 * The ring is mapped and read by hand (the raw layout of <linux/mbox.h>).
 */
#define _GNU_SOURCE

#include "mbox_util.h"
#include "cred_util.h"
#include "ring_util.h"

#define CAP		4
#define MAX		64
#define RSIZE		4096U
#define WAIT_MS		5000
/* Records of MAX bytes that fit in the ring: 42 of 96 bytes. */
#define FULL		((int)(RSIZE / MBOX_RING_REC_SIZE(MAX)))
#define NMSG		100

/*
 * The next record, discarded ones included (@len keeps its flags): copy
 * its header to @hdr and its data to @buf (MAX bytes), waiting with
 * MBOX_IOC_RING_WAIT, which also refills.  0 or the wait's -errno.
 */
static int take(struct ring *v, struct mbox_ring_rec *hdr, void *buf)
{
	const struct mbox_ring_rec *rec;
	__u64 pos;
	__u32 len;
	int ret;

	for (;;) {
		pos = v->cons->pos;
		if (pos != ring_prod_pos(v)) {
			rec = (const void *)(v->data + (pos & (RSIZE - 1)));
			len = __atomic_load_n(&rec->len, __ATOMIC_ACQUIRE);
			if (!(len & MBOX_RING_BUSY))
				break;
		}
		ret = ring_wait(v->fd, MBOX_TIMEOUT, WAIT_MS * 1000000ULL);
		if (ret)
			return ret;
	}
	*hdr = *rec;
	hdr->len = len;
	len &= MBOX_RING_LEN_MASK;
	memcpy(buf, rec + 1, len < MAX ? len : MAX);
	__atomic_store_n(&v->cons->pos, pos + MBOX_RING_REC_SIZE(len),
			 __ATOMIC_RELEASE);
	return 0;
}

/* Message i of a test: length and type from i, data mbox_fill(i). */
static __u64 len_of(int i)
{
	return (__u64)(i * 7) % (MAX + 1);
}

FIXTURE(rb) {
	int fd;
	__u32 id;
	int cfd;
	struct ring v;
	unsigned char in[NMSG][MAX];
	struct mbox_batch_msg bm[NMSG];
	struct mbox_batch b;
};

FIXTURE_SETUP(rb)
{
	struct mbox_info info;
	int i;

	MBOX_OPEN_OR_SKIP(&self->fd);
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	if (!(info.features & MBOX_FEATURE_RING) ||
	    !(info.features & MBOX_FEATURE_BATCH))
		SKIP(return, "the module lacks MBOX_FEATURE_RING or _BATCH");
	self->id = NEW_MBOX(self->fd, CAP, MAX);
	self->cfd = mbox_open_id(self->fd, self->id, 0);
	ASSERT_LE(0, self->cfd);
	memset(&self->v, 0, sizeof(self->v));
	memset(self->bm, 0, sizeof(self->bm));
	for (i = 0; i < NMSG; i++) {
		mbox_fill(self->in[i], MAX, i);
		self->bm[i].buf = (__u64)(uintptr_t)self->in[i];
		self->bm[i].len = len_of(i);
		self->bm[i].type = 1000 + i;
	}
	memset(&self->b, 0, sizeof(self->b));
	self->b.id = self->id;
	self->b.msgs = (__u64)(uintptr_t)self->bm;
}

FIXTURE_TEARDOWN(rb)
{
	ring_unmap(&self->v);
	if (self->cfd >= 0)
		close(self->cfd);
	mbox_cleanup(self->fd);
}

static int send_batch(FIXTURE_DATA(rb) *self, __u32 count)
{
	self->b.count = count;
	self->b.done = 0;
	self->b.error = 0;
	return mbox_ioctl(self->fd, MBOX_IOC_SEND_BATCH, &self->b);
}

/*
 * Take @n records and check that they are messages @first.. of the array,
 * numbered from @seq on.
 */
static void expect_records(struct __test_metadata *_metadata,
			   FIXTURE_DATA(rb) *self, int first, int n, __u64 seq)
{
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	int i;

	for (i = first; i < first + n; i++) {
		ASSERT_EQ(0, take(&self->v, &hdr, out)) TH_LOG("message %d", i);
		EXPECT_EQ(len_of(i), hdr.len) TH_LOG("message %d", i);
		EXPECT_EQ((__u32)(1000 + i), hdr.type);
		EXPECT_EQ(seq + (i - first), hdr.seq) TH_LOG("message %d", i);
		EXPECT_EQ(getpid(), hdr.pid);
		EXPECT_EQ(geteuid(), hdr.uid);
		EXPECT_EQ(-1, mbox_check(out, len_of(i), i)) TH_LOG("message %d", i);
	}
}

static __u64 ring_bytes(int first, int n)
{
	__u64 sum = 0;
	int i;

	for (i = first; i < first + n; i++)
		sum += MBOX_RING_REC_SIZE(len_of(i));
	return sum;
}

static __u64 msg_bytes(int first, int n)
{
	__u64 sum = 0;
	int i;

	for (i = first; i < first + n; i++)
		sum += len_of(i);
	return sum;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Three chunks of the kernel's 16, the last one short. */
TEST_F(rb, a_batch_lands_as_records_in_order_with_consecutive_seq)
{
	__u64 before = now_ns(), after;
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	struct mbox_stat st;
	int i;

	ASSERT_EQ(0, ring_open(&self->v, self->cfd, RSIZE));
	ASSERT_EQ(40, send_batch(self, 40));
	after = now_ns();
	EXPECT_EQ(40U, self->b.done);
	EXPECT_EQ(0U, self->b.error);
	/* All in the ring, nothing queued outside it. */
	EXPECT_EQ(ring_bytes(0, 40), ring_prod_pos(&self->v));
	EXPECT_EQ(0U, ring_flags(&self->v));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ(40ULL, st.sent_msgs);
	EXPECT_EQ(msg_bytes(0, 40), st.sent_bytes);
	EXPECT_EQ(40ULL, st.recv_msgs);
	EXPECT_EQ(msg_bytes(0, 40), st.recv_bytes);
	EXPECT_EQ(getpid(), st.last_send_pid);
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, take(&self->v, &hdr, out));
		EXPECT_EQ(len_of(i), hdr.len);
		EXPECT_EQ((__u32)(1000 + i), hdr.type);
		EXPECT_EQ((__u64)i + 1, hdr.seq);
		EXPECT_EQ(getpid(), hdr.pid);
		EXPECT_EQ(geteuid(), hdr.uid);
		EXPECT_LE(before, hdr.send_ns);
		EXPECT_GE(after, hdr.send_ns);
		EXPECT_EQ(-1, mbox_check(out, len_of(i), i)) TH_LOG("message %d", i);
	}
	EXPECT_EQ(-EAGAIN, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
	/* A later single send follows on. */
	ASSERT_EQ(0, mbox_send(self->fd, self->id, "x", 1, 0));
	ASSERT_EQ(0, take(&self->v, &hdr, out));
	EXPECT_EQ(41ULL, hdr.seq);
}

/* The ring takes FULL; a mailbox of capacity 64 queues the rest. */
TEST_F(rb, a_batch_bigger_than_the_ring_queues_the_rest_and_refill_brings_them_in_order)
{
	struct mbox_stat st;
	int cfd, i;
	__u32 id;

	id = NEW_MBOX(self->fd, 64, MAX);
	cfd = mbox_open_id(self->fd, id, 0);
	ASSERT_LE(0, cfd);
	close(self->cfd);
	self->cfd = cfd;
	self->b.id = id;
	for (i = 0; i < 60; i++)
		self->bm[i].len = MAX;
	ASSERT_EQ(0, ring_open(&self->v, self->cfd, RSIZE));
	ASSERT_EQ(60, send_batch(self, 60));
	EXPECT_EQ(60U, self->b.done);
	EXPECT_EQ(0U, self->b.error);
	EXPECT_EQ(FULL * MBOX_RING_REC_SIZE(MAX), ring_prod_pos(&self->v));
	EXPECT_EQ(MBOX_RING_REFILL, ring_flags(&self->v));
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ((__u32)(60 - FULL), st.msgs);
	EXPECT_EQ(60ULL, st.sent_msgs);
	EXPECT_EQ((__u64)FULL, st.recv_msgs);
	for (i = 0; i < 60; i++) {
		struct mbox_ring_rec hdr;
		unsigned char out[MAX];

		ASSERT_EQ(0, take(&self->v, &hdr, out)) TH_LOG("message %d", i);
		EXPECT_EQ((__u32)MAX, hdr.len);
		EXPECT_EQ((__u32)(1000 + i), hdr.type);
		EXPECT_EQ((__u64)i + 1, hdr.seq);
		EXPECT_EQ(-1, mbox_check(out, MAX, i)) TH_LOG("message %d", i);
	}
	EXPECT_EQ(0U, ring_flags(&self->v));
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ(60ULL, st.recv_msgs);
}

/* Ring full and CAP queued: the next one would have to wait. */
TEST_F(rb, a_batch_past_the_ring_and_the_capacity_stops_with_eagain)
{
	struct mbox_stat st;
	int i;

	for (i = 0; i < NMSG; i++)
		self->bm[i].len = MAX;
	ASSERT_EQ(0, ring_open(&self->v, self->cfd, RSIZE));
	ASSERT_EQ(FULL + CAP, send_batch(self, 60));
	EXPECT_EQ((__u32)(FULL + CAP), self->b.done);
	EXPECT_EQ((__u32)EAGAIN, self->b.error);
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ((__u32)CAP, st.msgs);
	EXPECT_EQ((__u64)FULL + CAP, st.sent_msgs);
	for (i = 0; i < FULL + CAP; i++) {
		struct mbox_ring_rec hdr;
		unsigned char out[MAX];

		ASSERT_EQ(0, take(&self->v, &hdr, out)) TH_LOG("message %d", i);
		EXPECT_EQ((__u64)i + 1, hdr.seq);
		EXPECT_EQ(-1, mbox_check(out, MAX, i)) TH_LOG("message %d", i);
	}
	EXPECT_EQ(-EAGAIN, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
}

/*
 * A message queued outside the ring goes first: a batch sent while it
 * waits queues behind it even though the consumer made room, and the
 * refill brings them all in acceptance order.
 */
TEST_F(rb, a_message_queued_outside_the_ring_holds_the_batch_behind_it)
{
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	struct mbox_stat st;
	__u64 pos;
	int i;

	ASSERT_EQ(0, ring_open(&self->v, self->cfd, RSIZE));
	memset(self->in[NMSG - 1], 'q', MAX);
	for (i = 0; i <= FULL; i++)
		ASSERT_EQ(0, mbox_send(self->fd, self->id, self->in[NMSG - 1],
				       MAX, MBOX_NONBLOCK));
	EXPECT_EQ(MBOX_RING_REFILL, ring_flags(&self->v));
	/* Room for 5 records, but no RING_WAIT: one message still waits. */
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, take(&self->v, &hdr, out));
	pos = ring_prod_pos(&self->v);
	ASSERT_EQ(3, send_batch(self, 3));
	EXPECT_EQ(pos, ring_prod_pos(&self->v));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(4U, st.msgs);
	for (i = 5; i <= FULL; i++) {
		ASSERT_EQ(0, take(&self->v, &hdr, out));
		EXPECT_EQ((__u64)i + 1, hdr.seq);
		EXPECT_EQ(-1, mbox_check_fill(out, MAX, 'q'));
	}
	expect_records(_metadata, self, 0, 3, FULL + 2);
	EXPECT_EQ(-EAGAIN, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
}

/*
 * Element @bad of a batch of @count fails with @err: @bad messages were
 * sent, all into the ring, and nothing of the others; no record was
 * reserved for the failed one.
 */
static void expect_stopped_at(struct __test_metadata *_metadata,
			      FIXTURE_DATA(rb) *self, int bad, int count,
			      int err)
{
	struct mbox_stat st;

	ASSERT_EQ(0, ring_open(&self->v, self->cfd, RSIZE));
	if (!bad) {
		EXPECT_EQ(-err, send_batch(self, count));
		EXPECT_EQ(0U, self->b.done);	/* not written */
	} else {
		EXPECT_EQ(bad, send_batch(self, count));
		EXPECT_EQ((__u32)bad, self->b.done);
		EXPECT_EQ((__u32)err, self->b.error);
	}
	EXPECT_EQ(ring_bytes(0, bad), ring_prod_pos(&self->v));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ((__u64)bad, st.sent_msgs);
	EXPECT_EQ(msg_bytes(0, bad), st.sent_bytes);
	EXPECT_EQ((__u64)bad, st.recv_msgs);
	expect_records(_metadata, self, 0, bad, 1);
	EXPECT_EQ(-EAGAIN, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
	EXPECT_EQ(0U, ring_flags(&self->v));
	/* The next send takes the next seq. */
	ASSERT_EQ(0, mbox_send(self->fd, self->id, "n", 1, 0));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ((__u64)bad + 1, st.sent_msgs);
}

TEST_F(rb, a_bad_buffer_mid_batch_stops_it_with_efault_after_the_ones_before)
{
	self->bm[5].buf = 8;
	self->bm[5].len = 16;
	expect_stopped_at(_metadata, self, 5, 10, EFAULT);
}

TEST_F(rb, a_bad_buffer_in_a_later_chunk_stops_the_batch_there)
{
	self->bm[21].buf = 8;
	self->bm[21].len = 16;
	expect_stopped_at(_metadata, self, 21, 40, EFAULT);
}

TEST_F(rb, a_buffer_running_into_an_unmapped_page_stops_the_batch_with_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mbox_map_with_holes(2, 2);

	ASSERT_NE(NULL, p);
	memset(p + page - 10, 'a', 10);
	self->bm[7].buf = (__u64)(uintptr_t)(p + page - 10);
	self->bm[7].len = 20;
	expect_stopped_at(_metadata, self, 7, 16, EFAULT);
	munmap(p, 2 * page);
}

TEST_F(rb, a_bad_first_buffer_fails_the_batch_with_efault_and_no_record)
{
	self->bm[0].buf = 8;
	self->bm[0].len = 1;
	expect_stopped_at(_metadata, self, 0, 10, EFAULT);
}

TEST_F(rb, a_too_long_element_mid_batch_stops_it_with_emsgsize)
{
	self->bm[3].len = MAX + 1;
	expect_stopped_at(_metadata, self, 3, 10, EMSGSIZE);
}

TEST_F(rb, a_too_long_element_in_a_later_chunk_stops_the_batch_there)
{
	self->bm[16].len = MAX + 1;
	expect_stopped_at(_metadata, self, 16, 40, EMSGSIZE);
}

TEST_F(rb, an_invalid_element_mid_batch_stops_it_with_einval)
{
	self->bm[9].__reserved = 1;
	expect_stopped_at(_metadata, self, 9, 12, EINVAL);
}

/*
 * A message that goes into the ring is charged nothing (the ring's bytes
 * are): with the creator's share exactly the ring's, a batch into the
 * ring still goes through, while a send to its mailbox without a ring is
 * EDQUOT.
 */
struct quota_arg {
	int batch_ret, batch_done, plain_ret, seq_ok;
};

static int quota_child(int fd, void *data)
{
	struct quota_arg *a = data;
	struct mbox_batch_msg bm[20];
	unsigned char buf[20][MAX];
	struct mbox_batch b;
	struct ring v = { 0 };
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	int id, plain, f, ret, i;

	ret = cu_become_class(2);
	if (ret)
		return ret;
	id = mbox_create(fd, NULL, CAP, MAX, 0, 0);
	plain = mbox_create(fd, NULL, CAP, MAX, 0, 0);
	if (id < 0 || plain < 0)
		return id < 0 ? id : plain;
	f = mbox_open_id(fd, id, 0);
	if (f < 0)
		return f;
	ret = ring_open(&v, f, RSIZE);
	if (ret)
		return ret;
	memset(bm, 0, sizeof(bm));
	for (i = 0; i < 20; i++) {
		mbox_fill(buf[i], MAX, i);
		bm[i].buf = (__u64)(uintptr_t)buf[i];
		bm[i].len = MAX;
	}
	memset(&b, 0, sizeof(b));
	b.id = id;
	b.msgs = (__u64)(uintptr_t)bm;
	b.count = 20;
	a->batch_ret = mbox_ioctl(fd, MBOX_IOC_SEND_BATCH, &b);
	a->batch_done = b.done;
	a->plain_ret = mbox_send(fd, plain, buf[0], MAX, MBOX_NONBLOCK);
	a->seq_ok = 1;
	for (i = 0; i < 20 && a->batch_ret == 20; i++) {
		if (take(&v, &hdr, out) || hdr.seq != (__u64)i + 1 ||
		    hdr.len != MAX || mbox_check(out, MAX, i) != -1)
			a->seq_ok = 0;
	}
	ring_unmap(&v);
	close(f);
	mbox_del(fd, id);
	mbox_del(fd, plain);
	return 0;
}

TEST_F(rb, a_batch_into_the_ring_is_charged_nothing)
{
	struct quota_arg *a = mbox_shared_mem(sizeof(*a));
	long page = sysconf(_SC_PAGESIZE);
	long long saved = cu_param_read("max_bytes_per_user");

	ASSERT_NE(NULL, a);
	if (geteuid() != 0)
		SKIP(return, "needs root to set max_bytes_per_user");
	ASSERT_LE(0, saved);
	ASSERT_EQ(0, cu_param_set("max_bytes_per_user", 2 * page + RSIZE));
	EXPECT_EQ(0, cu_run(self->fd, quota_child, a));
	cu_param_set("max_bytes_per_user", saved);
	EXPECT_EQ(20, a->batch_ret);
	EXPECT_EQ(20, a->batch_done);
	EXPECT_EQ(1, a->seq_ok);
	/* The share is really used up. */
	EXPECT_EQ(-EDQUOT, a->plain_ret);
}

TEST_HARNESS_MAIN
