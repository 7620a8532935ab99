// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile receive-ring consumer (MBOX_FEATURE_RING, issue 15): the one
 * word it may write, its position in the consumer page, set to garbage
 * (just ahead of the producer, far from it, more than the ring's size
 * behind, behind what it released, all ones, random values under load); its mappings removed while
 * senders are blocked or busy with big messages; the mapping shared with
 * a forked child, which reads, outlives the parent's file and mailbox, or
 * exits while the parent goes on; threads racing RING_WAIT against close
 * and destroy on one consumer file; and writes to, or mprotect() of, the
 * read-only producer page and data area.
 *
 * What must hold: the kernel stays sound (the debug kernel's KASAN,
 * lockdep and kmemleak watch), only that consumer's view suffers (other
 * mailboxes, with or without a ring, carry on intact), a position the
 * kernel cannot trust makes the ring look full so that sends queue as on
 * a mailbox without one, a position it may believe never lets it reserve
 * more than the ring's size beyond it, and nothing accepted is lost,
 * duplicated or reordered once the consumer behaves again.
 *
 * The tests map and read the ring themselves (the raw layout of
 * <linux/mbox.h>), not through <mbox_ring.h>, so that they check the
 * kernel alone; libmbox_test covers the header.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdint.h>

#include "mbox_util.h"

#define RING_SIZE	4096U
#define MAXLEN		256U
#define CAP		4U
#define MS		1000000ULL

/* The consumer's side of one ring, mapped by hand. */
struct view {
	int fd;
	struct mbox_ring_setup setup;
	const struct mbox_ring_producer *prod;
	struct mbox_ring_consumer *cons;
	const unsigned char *data;
	size_t ro_len;
	__u32 size;
	__u64 pos;		/* where this consumer reads next */
};

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* Map @v's consumer page and its producer page + data area: 0 or -errno. */
static int view_map(struct view *v)
{
	void *cons, *ro;

	v->ro_len = v->setup.data_off - v->setup.producer_off + 2 * (size_t)v->size;
	cons = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_SHARED,
		    v->fd, v->setup.consumer_off);
	if (cons == MAP_FAILED)
		return -errno;
	ro = mmap(NULL, v->ro_len, PROT_READ, MAP_SHARED, v->fd,
		  v->setup.producer_off);
	if (ro == MAP_FAILED) {
		munmap(cons, page_size());
		return -errno;
	}
	v->cons = cons;
	v->prod = ro;
	v->data = (const unsigned char *)ro +
		  (v->setup.data_off - v->setup.producer_off);
	return 0;
}

static void view_unmap(struct view *v)
{
	if (v->prod)
		munmap((void *)v->prod, v->ro_len);
	if (v->cons)
		munmap(v->cons, page_size());
	v->prod = NULL;
	v->cons = NULL;
	v->data = NULL;
}

/* MBOX_IOC_RING_SETUP on @fd, without mapping: 0 or -errno. */
static int view_setup(struct view *v, int fd, __u32 size)
{
	memset(v, 0, sizeof(*v));
	v->fd = fd;
	v->size = size;
	v->setup.size = size;
	return mbox_ioctl(fd, MBOX_IOC_RING_SETUP, &v->setup);
}

static __u64 prod_pos(const struct view *v)
{
	return __atomic_load_n(&v->prod->pos, __ATOMIC_ACQUIRE);
}

static __u32 prod_flags(const struct view *v)
{
	return __atomic_load_n(&v->prod->flags, __ATOMIC_ACQUIRE);
}

static void set_cons_pos(struct view *v, __u64 pos)
{
	__atomic_store_n(&v->cons->pos, pos, __ATOMIC_RELEASE);
}

/*
 * The next complete record at @v->pos into @hdr and @buf (its data, up
 * to @cap bytes), discarded records skipped; with @release, the position
 * past it is stored.  Its length, or -1 if there is none yet.
 */
static long view_take(struct view *v, struct mbox_ring_rec *hdr, void *buf,
		      size_t cap, int release)
{
	for (;;) {
		const struct mbox_ring_rec *rec;
		__u32 len;

		if (v->pos == prod_pos(v))
			return -1;
		rec = (const void *)(v->data + (v->pos & (v->size - 1)));
		len = __atomic_load_n(&rec->len, __ATOMIC_ACQUIRE);
		if (len & MBOX_RING_BUSY)
			return -1;
		v->pos += MBOX_RING_REC_SIZE(len & MBOX_RING_LEN_MASK);
		if (len & MBOX_RING_DISCARD) {
			if (release)
				set_cons_pos(v, v->pos);
			continue;
		}
		*hdr = *rec;
		memcpy(buf, rec + 1, len < cap ? len : cap);
		if (release)
			set_cons_pos(v, v->pos);
		return len;
	}
}

static int ring_wait(int fd, __u32 flags, __u64 timeout_ns)
{
	struct mbox_ring_wait w = { .flags = flags, .timeout_ns = timeout_ns };

	return mbox_ioctl(fd, MBOX_IOC_RING_WAIT, &w);
}

/* The length of message number @n: from 1 to @max bytes. */
static __u32 msg_len(__u32 n, __u32 max)
{
	return 1 + (n * 37) % max;
}

/* Send message number @n (mbox_fill()'s pattern) to @id: 0 or -errno. */
static int send_nr(int dev, __u32 id, __u32 n, __u32 len, __u32 flags)
{
	static __thread unsigned char buf[65536];

	mbox_fill(buf, len, n);
	return mbox_send(dev, id, buf, len, flags);
}

FIXTURE(ring) {
	int dev;
	__u32 id;		/* CAP, MAXLEN, with a ring of RING_SIZE */
	int fd;			/* its consumer */
	struct view v;
};

/* A mailbox of @cap, @maxlen, gone with @dev; a file of it in *@fd. */
static __u32 new_box(struct __test_metadata *_metadata, int dev, __u32 cap,
		     __u32 maxlen, int *fd)
{
	int id = mbox_create(dev, NULL, cap, maxlen, MBOX_CREATE_AUTODESTROY, 0);

	ASSERT_LT(0, id) TH_LOG("mbox_create: %s", strerror(-id));
	if (fd) {
		*fd = mbox_open_mailbox(dev, id, MBOX_FD_CLOEXEC);
		ASSERT_LE(0, *fd) TH_LOG("mbox_open_mailbox: %s", strerror(-*fd));
	}
	return id;
}

/* A mailbox with a mapped ring of @size bytes in @v. */
static __u32 new_ring(struct __test_metadata *_metadata, int dev, __u32 cap,
		      __u32 maxlen, __u32 size, struct view *v)
{
	int fd, ret;
	__u32 id = new_box(_metadata, dev, cap, maxlen, &fd);

	ret = view_setup(v, fd, size);
	ASSERT_EQ(0, ret) TH_LOG("MBOX_IOC_RING_SETUP: %s", strerror(-ret));
	ret = view_map(v);
	ASSERT_EQ(0, ret) TH_LOG("mmap: %s", strerror(-ret));
	return id;
}

FIXTURE_SETUP(ring)
{
	uint64_t features = 0;

	MBOX_OPEN_OR_SKIP(&self->dev);
	ASSERT_EQ(0, mbox_features(self->dev, &features));
	if (!(features & MBOX_FEATURE_RING))
		SKIP(_exit(255), "the module lacks MBOX_FEATURE_RING");
	self->id = new_ring(_metadata, self->dev, CAP, MAXLEN, RING_SIZE,
			    &self->v);
	self->fd = self->v.fd;
}

FIXTURE_TEARDOWN(ring)
{
	view_unmap(&self->v);
	close(self->fd);
	close(self->dev);	/* the mailboxes go with it */
}

/* Take @count records from @v, messages @first.. in order, intact. */
static void expect_records(struct __test_metadata *_metadata, struct view *v,
			   __u32 first, __u32 count, __u32 maxlen)
{
	static unsigned char buf[65536];
	struct mbox_ring_rec hdr;
	__u64 last_seq = 0;
	__u32 i;
	long len;

	for (i = 0; i < count; i++) {
		len = view_take(v, &hdr, buf, sizeof(buf), 1);
		ASSERT_EQ((long)msg_len(first + i, maxlen), len)
			TH_LOG("record %u of %u", i, count);
		EXPECT_EQ(-1, mbox_check(buf, len, first + i))
			TH_LOG("message %u's bytes", first + i);
		if (i)
			EXPECT_LT(last_seq, hdr.seq);
		last_seq = hdr.seq;
	}
}

/* A mailbox without a ring still passes a message, intact. */
static void expect_plain_box_works(struct __test_metadata *_metadata, int dev)
{
	unsigned char buf[MAXLEN];
	__u32 id = new_box(_metadata, dev, CAP, MAXLEN, NULL);

	ASSERT_EQ(0, send_nr(dev, id, 77, 200, MBOX_NONBLOCK));
	ASSERT_EQ(200, mbox_recv(dev, id, buf, sizeof(buf), MBOX_NONBLOCK));
	EXPECT_EQ(-1, mbox_check(buf, 200, 77));
	mbox_destroy(dev, id);
}

/* Another ring mailbox, with a sane consumer, still works. */
static void expect_other_ring_works(struct __test_metadata *_metadata, int dev)
{
	struct view o;
	__u32 id = new_ring(_metadata, dev, CAP, MAXLEN, RING_SIZE, &o);

	ASSERT_EQ(0, send_nr(dev, id, 5, msg_len(5, MAXLEN), MBOX_NONBLOCK));
	expect_records(_metadata, &o, 5, 1, MAXLEN);
	view_unmap(&o);
	close(o.fd);
	mbox_destroy(dev, id);
}

/*
 * With @garbage in the consumer's position, sends queue (nothing enters
 * the ring, REFILL is set, capacity applies) and RING_WAIT brings nothing
 * in; other mailboxes work.  Once the true position is back, RING_WAIT
 * brings the queued messages in, in order.  Messages @first.. are sent.
 */
static void expect_distrusted(struct __test_metadata *_metadata,
			      FIXTURE_DATA(ring) *self, __u64 garbage,
			      __u32 first)
{
	struct view *v = &self->v;
	__u64 before = prod_pos(v);
	struct mbox_stat st;
	__u32 i;
	int ret;

	set_cons_pos(v, garbage);
	for (i = 0; i < CAP; i++)
		ASSERT_EQ(0, send_nr(self->dev, self->id, first + i,
				     msg_len(first + i, MAXLEN), MBOX_NONBLOCK));
	EXPECT_EQ(before, prod_pos(v)) TH_LOG("a record entered the ring");
	EXPECT_TRUE(prod_flags(v) & MBOX_RING_REFILL);
	ASSERT_EQ(0, mbox_stat(self->dev, self->id, &st, sizeof(st)));
	EXPECT_EQ(CAP, st.msgs);
	/* The queue's capacity applies as without a ring. */
	EXPECT_EQ(-EAGAIN, send_nr(self->dev, self->id, 999, 8, MBOX_NONBLOCK));
	ret = ring_wait(self->fd, MBOX_NONBLOCK, 0);
	EXPECT_TRUE(ret == 0 || ret == -EAGAIN) TH_LOG("RING_WAIT: %d", ret);
	EXPECT_EQ(before, prod_pos(v)) TH_LOG("a refill trusted the position");
	expect_plain_box_works(_metadata, self->dev);
	expect_other_ring_works(_metadata, self->dev);

	/* The consumer behaves again: everything comes in, in order. */
	set_cons_pos(v, v->pos);
	EXPECT_EQ(0, ring_wait(self->fd, MBOX_NONBLOCK, 0));
	expect_records(_metadata, v, first, CAP, MAXLEN);
	EXPECT_FALSE(prod_flags(v) & MBOX_RING_REFILL);
	ASSERT_EQ(0, mbox_stat(self->dev, self->id, &st, sizeof(st)));
	EXPECT_EQ(0U, st.msgs);
}

TEST_F(ring, consumer_pos_just_ahead_of_the_producer_makes_the_ring_look_full)
{
	ASSERT_EQ(0, send_nr(self->dev, self->id, 0, msg_len(0, MAXLEN), 0));
	expect_records(_metadata, &self->v, 0, 1, MAXLEN);
	expect_distrusted(_metadata, self, prod_pos(&self->v) + MBOX_RING_ALIGN, 1);
}

TEST_F(ring, consumer_pos_far_from_the_producer_makes_the_ring_look_full)
{
	ASSERT_EQ(0, send_nr(self->dev, self->id, 0, msg_len(0, MAXLEN), 0));
	expect_records(_metadata, &self->v, 0, 1, MAXLEN);
	expect_distrusted(_metadata, self, prod_pos(&self->v) + (1ULL << 63), 1);
}

TEST_F(ring, consumer_pos_more_than_the_size_behind_makes_the_ring_look_full)
{
	__u32 n = 0;

	/* Go round the ring more than once. */
	while (prod_pos(&self->v) <= RING_SIZE + MAXLEN) {
		ASSERT_EQ(0, send_nr(self->dev, self->id, n, msg_len(n, MAXLEN), 0));
		expect_records(_metadata, &self->v, n, 1, MAXLEN);
		n++;
	}
	expect_distrusted(_metadata, self,
			  prod_pos(&self->v) - RING_SIZE - MBOX_RING_ALIGN, n);
}

/*
 * With @garbage in the consumer's position, within the ring's size behind
 * the producer but behind what the consumer released: the kernel may
 * believe it, but then it only sees less room, never reserves beyond
 * @garbage + size (so it writes nothing the consumer has not released),
 * and queues the rest.  Once the true position is back, every message
 * sent arrives, in order.  Messages @first.. are sent.
 */
static void expect_behind_is_harmless(struct __test_metadata *_metadata,
				      FIXTURE_DATA(ring) *self, __u64 garbage,
				      __u32 first)
{
	struct view *v = &self->v;
	__u64 before = prod_pos(v);
	struct mbox_stat st;
	__u32 n = 0;
	int ret;

	set_cons_pos(v, garbage);
	while (send_nr(self->dev, self->id, first + n, msg_len(first + n, MAXLEN),
		       MBOX_NONBLOCK) == 0)
		n++;
	ASSERT_LE(CAP, n);
	EXPECT_LE(before, prod_pos(v));
	EXPECT_GE(RING_SIZE, prod_pos(v) - garbage)
		TH_LOG("reserved beyond the stored position + size");
	ASSERT_EQ(0, mbox_stat(self->dev, self->id, &st, sizeof(st)));
	EXPECT_EQ(CAP, st.msgs);
	EXPECT_TRUE(prod_flags(v) & MBOX_RING_REFILL);
	ret = ring_wait(self->fd, MBOX_NONBLOCK, 0);
	EXPECT_TRUE(ret == 0 || ret == -EAGAIN) TH_LOG("RING_WAIT: %d", ret);
	EXPECT_GE(RING_SIZE, prod_pos(v) - garbage);
	expect_plain_box_works(_metadata, self->dev);

	/* The consumer behaves again: everything comes in, in order. */
	set_cons_pos(v, v->pos);
	while (n) {
		if (v->pos == prod_pos(v)) {
			/* What queued outside the ring comes in now. */
			ASSERT_EQ(0, ring_wait(self->fd, MBOX_NONBLOCK, 0));
			continue;
		}
		expect_records(_metadata, v, first++, 1, MAXLEN);
		n--;
	}
	EXPECT_FALSE(prod_flags(v) & MBOX_RING_REFILL);
	ASSERT_EQ(0, mbox_stat(self->dev, self->id, &st, sizeof(st)));
	EXPECT_EQ(0U, st.msgs);
}

TEST_F(ring, consumer_pos_behind_what_it_released_never_gets_unread_records_overwritten)
{
	ASSERT_EQ(0, send_nr(self->dev, self->id, 0, msg_len(0, MAXLEN), 0));
	ASSERT_EQ(0, send_nr(self->dev, self->id, 1, msg_len(1, MAXLEN), 0));
	expect_records(_metadata, &self->v, 0, 2, MAXLEN);
	expect_behind_is_harmless(_metadata, self, 0, 2);
}

TEST_F(ring, consumer_pos_all_ones_unaligned_and_just_behind_is_harmless)
{
	/* ~0 is one byte behind 0: believable, unaligned. */
	expect_behind_is_harmless(_metadata, self, ~0ULL, 0);
}

/* Shared by the scribbler thread, the test and the sending child. */
struct race {
	struct view v;
	volatile int stop;
	volatile __u32 sent;
	volatile int errors;
};

/* Store random positions, and positions near the true ones, until told. */
static void *scribble(void *arg)
{
	struct race *r = arg;
	struct view *v = &r->v;
	__u64 x = 0x9e3779b97f4a7c15ULL;

	while (!r->stop) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		set_cons_pos(v, x & 1 ? x : prod_pos(v) - (x >> 52));
	}
	return NULL;
}

TEST_F(ring, random_positions_under_load_hurt_only_that_consumer)
{
	struct race *r = mbox_shared_mem(sizeof(*r));
	unsigned char buf[MAXLEN];
	struct mbox_ring_rec hdr;
	struct mbox_stat st;
	pthread_t t;
	__u32 plain, i, n;
	pid_t pid;
	long len;
	int status, ret;

	ASSERT_NE(NULL, r);
	r->v = self->v;
	ASSERT_EQ(0, pthread_create(&t, NULL, scribble, r));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		for (i = 0; i < 3000; i++) {
			ret = send_nr(self->dev, self->id, i, msg_len(i, MAXLEN),
				      MBOX_NONBLOCK);
			if (ret == 0)
				r->sent++;
			else if (ret != -EAGAIN)
				r->errors++;
		}
		_exit(0);
	}
	/* Meanwhile a plain mailbox carries on, intact. */
	plain = new_box(_metadata, self->dev, CAP, MAXLEN, NULL);
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(0, send_nr(self->dev, plain, i, msg_len(i, MAXLEN),
				     MBOX_NONBLOCK));
		ASSERT_EQ((int)msg_len(i, MAXLEN),
			  mbox_recv(self->dev, plain, buf, sizeof(buf), MBOX_NONBLOCK));
		ASSERT_EQ(-1, mbox_check(buf, msg_len(i, MAXLEN), i));
	}
	expect_other_ring_works(_metadata, self->dev);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	r->stop = 1;
	pthread_join(t, NULL);
	EXPECT_EQ(0, r->errors);
	EXPECT_LT(0U, r->sent);

	/*
	 * Sane again: skip what the ring holds (its records counted as
	 * received), bring in what queued, and read it all: whole records,
	 * each message intact, none twice, in order.
	 */
	self->v.pos = prod_pos(&self->v);
	set_cons_pos(&self->v, self->v.pos);
	ret = ring_wait(self->fd, MBOX_NONBLOCK, 0);
	EXPECT_TRUE(ret == 0 || ret == -EAGAIN) TH_LOG("RING_WAIT: %d", ret);
	n = 0;
	i = 0;
	while ((len = view_take(&self->v, &hdr, buf, sizeof(buf), 1)) >= 0) {
		__u32 k;

		ASSERT_GE(MAXLEN, (__u32)len);
		/* Which message is it?  Later than the last one. */
		for (k = i; k < 3000; k++) {
			if ((__u32)len == msg_len(k, MAXLEN) &&
			    mbox_check(buf, len, k) == -1)
				break;
		}
		ASSERT_GT(3000U, k) TH_LOG("record %u is no message, or out of order", n);
		i = k + 1;
		n++;
	}
	EXPECT_GE(CAP, n);
	ASSERT_EQ(0, mbox_stat(self->dev, self->id, &st, sizeof(st)));
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ(r->sent, st.sent_msgs);
	EXPECT_EQ(st.sent_msgs, st.recv_msgs);
	munmap(r, sizeof(*r));
}

/* A sender in a thread: message @n, blocking; its result in @ret. */
struct sender {
	int dev;
	__u32 id, n, len, count;
	volatile int done;
	int ret;
};

static void *send_thread(void *arg)
{
	struct sender *s = arg;
	__u32 i;

	for (i = 0; i < s->count; i++) {
		s->ret = send_nr(s->dev, s->id, s->n + i, s->len ? s->len :
				 msg_len(s->n + i, MAXLEN), 0);
		if (s->ret)
			break;
	}
	s->done = 1;
	return NULL;
}

TEST_F(ring, unmapping_the_ring_under_a_blocked_sender_loses_nothing)
{
	struct sender s = { .dev = self->dev, .id = self->id, .count = 1 };
	pthread_t t;
	__u32 n = 0;

	/* Fill the ring, then the queue. */
	while (send_nr(self->dev, self->id, n, msg_len(n, MAXLEN), MBOX_NONBLOCK) == 0)
		n++;
	ASSERT_LT(CAP, n);
	s.n = n;
	ASSERT_EQ(0, pthread_create(&t, NULL, send_thread, &s));
	mbox_msleep(100);
	EXPECT_FALSE(s.done) TH_LOG("the sender did not block");

	view_unmap(&self->v);
	EXPECT_EQ(0, ring_wait(self->fd, MBOX_NONBLOCK, 0));
	mbox_msleep(50);
	EXPECT_FALSE(s.done) TH_LOG("a sender got in with the ring full");

	/* Map again: the records are there; make room; the rest follow. */
	ASSERT_EQ(0, view_map(&self->v));
	expect_records(_metadata, &self->v, 0, n - CAP, MAXLEN);
	ASSERT_EQ(0, ring_wait(self->fd, MBOX_TIMEOUT, 2000 * MS));
	pthread_join(t, NULL);
	EXPECT_EQ(0, s.ret);
	expect_records(_metadata, &self->v, n - CAP, CAP + 1, MAXLEN);
	EXPECT_EQ(self->v.pos, prod_pos(&self->v));
}

TEST_F(ring, unmapping_and_remapping_during_big_sends_corrupts_nothing)
{
	struct sender s = { .dev = self->dev, .count = 60, .len = 16384 };
	static unsigned char buf[16384];
	struct mbox_ring_rec hdr;
	struct view v;
	pthread_t t;
	__u32 got = 0;
	long len;

	/* Room for 3 records of 16 KiB; 2 more queue; then the sender waits. */
	s.id = new_ring(_metadata, self->dev, 2, 16384, 65536, &v);
	ASSERT_EQ(0, pthread_create(&t, NULL, send_thread, &s));
	while (got < s.count) {
		len = view_take(&v, &hdr, buf, sizeof(buf), 1);
		if (len < 0) {
			ASSERT_EQ(0, ring_wait(v.fd, MBOX_TIMEOUT, 5000 * MS))
				TH_LOG("after %u messages", got);
			continue;
		}
		ASSERT_EQ(16384, len);
		ASSERT_EQ(-1, mbox_check(buf, len, got)) TH_LOG("message %u", got);
		got++;
		/* Every other message, unmap everything for a while. */
		if (got % 2) {
			view_unmap(&v);
			mbox_msleep(got % 3);
			ASSERT_EQ(0, view_map(&v));
		}
	}
	pthread_join(t, NULL);
	EXPECT_EQ(0, s.ret);
	view_unmap(&v);
	close(v.fd);
}

TEST_F(ring, a_forked_child_reads_the_same_records_and_its_exit_harms_nothing)
{
	unsigned char buf[MAXLEN];
	struct mbox_ring_rec hdr;
	int status;
	__u32 i;
	pid_t pid;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, send_nr(self->dev, self->id, i, msg_len(i, MAXLEN), 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* The child reads them too, in its copy of the mapping. */
		for (i = 0; i < 3; i++) {
			if (view_take(&self->v, &hdr, buf, sizeof(buf), 0) !=
			    msg_len(i, MAXLEN) ||
			    mbox_check(buf, msg_len(i, MAXLEN), i) != -1)
				_exit(1);
		}
		_exit(0);
	}
	/* The parent reads them while the child does, then goes on. */
	expect_records(_metadata, &self->v, 0, 3, MAXLEN);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	for (i = 3; i < 40; i++) {
		ASSERT_EQ(0, send_nr(self->dev, self->id, i, msg_len(i, MAXLEN), 0));
		expect_records(_metadata, &self->v, i, 1, MAXLEN);
	}
	EXPECT_EQ(-EAGAIN, ring_wait(self->fd, MBOX_NONBLOCK, 0));
}

TEST_F(ring, a_child_keeps_its_mapping_after_the_parent_closes_and_destroys)
{
	unsigned char buf[MAXLEN];
	struct mbox_ring_rec hdr;
	int sync[2], status;
	char c = 0;
	__u32 i;
	pid_t pid;

	ASSERT_EQ(0, pipe(sync));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, send_nr(self->dev, self->id, i, msg_len(i, MAXLEN), 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(sync[1]);
		if (read(sync[0], &c, 1) != 1)
			_exit(2);
		for (i = 0; i < 2; i++) {
			if (view_take(&self->v, &hdr, buf, sizeof(buf), 1) !=
			    msg_len(i, MAXLEN) ||
			    mbox_check(buf, msg_len(i, MAXLEN), i) != -1)
				_exit(1);
		}
		_exit(0);
	}
	close(sync[0]);
	/* The parent lets go of everything: mapping, file, mailbox. */
	view_unmap(&self->v);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, mbox_destroy(self->dev, self->id));
	ASSERT_EQ(1, write(sync[1], &c, 1));
	close(sync[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status) TH_LOG("the child's records were not intact");
	expect_plain_box_works(_metadata, self->dev);
}

/* A thread in RING_WAIT on @fd with @flags, @timeout_ns. */
struct waiter {
	int fd;
	__u32 flags;
	__u64 timeout_ns;
	int ret;
	volatile int *stop;	/* loop until *stop, if set */
	unsigned long calls;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	do {
		w->ret = ring_wait(w->fd, w->flags, w->timeout_ns);
		w->calls++;
	} while (w->stop && !*w->stop && (w->ret == 0 || w->ret == -ETIMEDOUT));
	return NULL;
}

#define NR_WAITERS	4

TEST_F(ring, closing_the_file_under_ring_waiters_unbinds_it_once_they_return)
{
	struct waiter w[NR_WAITERS];
	pthread_t t[NR_WAITERS];
	unsigned char buf[MAXLEN];
	struct view v, again;
	int fd, i;
	__u32 id;

	/* The file alone (a mapping would hold it open). */
	id = new_box(_metadata, self->dev, CAP, MAXLEN, &fd);
	ASSERT_EQ(0, view_setup(&v, fd, RING_SIZE));
	ASSERT_EQ(-EBUSY, mbox_recv(self->dev, id, buf, sizeof(buf), MBOX_NONBLOCK));
	for (i = 0; i < NR_WAITERS; i++) {
		w[i] = (struct waiter){ .fd = fd, .flags = MBOX_TIMEOUT,
					.timeout_ns = 300 * MS };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, wait_thread, &w[i]));
	}
	mbox_msleep(50);
	close(fd);
	for (i = 0; i < NR_WAITERS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(-ETIMEDOUT, w[i].ret) TH_LOG("waiter %d", i);
	}
	/* The mailbox is a plain one again, and may get a new consumer. */
	EXPECT_EQ(-EAGAIN, mbox_recv(self->dev, id, buf, sizeof(buf), MBOX_NONBLOCK));
	ASSERT_EQ(0, send_nr(self->dev, id, 3, 50, MBOX_NONBLOCK));
	EXPECT_EQ(50, mbox_recv(self->dev, id, buf, sizeof(buf), MBOX_NONBLOCK));
	EXPECT_EQ(-1, mbox_check(buf, 50, 3));
	fd = mbox_open_mailbox(self->dev, id, MBOX_FD_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, view_setup(&again, fd, RING_SIZE));
	close(fd);
}

TEST_F(ring, destroy_wakes_every_ring_waiter_with_eidrm)
{
	struct waiter w[NR_WAITERS];
	pthread_t t[NR_WAITERS];
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	int i;

	for (i = 0; i < NR_WAITERS; i++) {
		w[i] = (struct waiter){ .fd = self->fd };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, wait_thread, &w[i]));
	}
	mbox_msleep(50);
	EXPECT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, mbox_destroy(self->dev, self->id));
	for (i = 0; i < NR_WAITERS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(-EIDRM, w[i].ret) TH_LOG("waiter %d", i);
	}
	EXPECT_TRUE(prod_flags(&self->v) & MBOX_RING_DEAD);
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLHUP);
	EXPECT_EQ(-EIDRM, ring_wait(self->fd, MBOX_NONBLOCK, 0));
}

TEST_F(ring, threads_racing_ring_wait_with_the_consumer_lose_nothing)
{
	struct waiter w[NR_WAITERS];
	pthread_t t[NR_WAITERS];
	struct sender s = { .dev = self->dev, .id = self->id, .count = 400 };
	volatile int stop = 0;
	unsigned char buf[MAXLEN];
	struct mbox_ring_rec hdr;
	pthread_t st;
	__u32 got = 0;
	long len;
	int i;

	for (i = 0; i < NR_WAITERS; i++) {
		w[i] = (struct waiter){ .fd = self->fd, .flags = MBOX_TIMEOUT,
					.timeout_ns = 2 * MS, .stop = &stop };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, wait_thread, &w[i]));
	}
	ASSERT_EQ(0, pthread_create(&st, NULL, send_thread, &s));
	while (got < s.count) {
		len = view_take(&self->v, &hdr, buf, sizeof(buf), 1);
		if (len < 0) {
			int ret = ring_wait(self->fd, MBOX_TIMEOUT, 5000 * MS);

			ASSERT_EQ(0, ret) TH_LOG("after %u messages", got);
			continue;
		}
		ASSERT_EQ((long)msg_len(got, MAXLEN), len) TH_LOG("message %u", got);
		ASSERT_EQ(-1, mbox_check(buf, len, got)) TH_LOG("message %u", got);
		got++;
	}
	stop = 1;
	pthread_join(st, NULL);
	EXPECT_EQ(0, s.ret);
	for (i = 0; i < NR_WAITERS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_TRUE(w[i].ret == 0 || w[i].ret == -ETIMEDOUT)
			TH_LOG("waiter %d: %d", i, w[i].ret);
	}
	EXPECT_EQ(self->v.pos, prod_pos(&self->v));
}

/* Run @fn(@v) in a child: its wait status. */
static int in_child(void (*fn)(const struct view *), const struct view *v)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		fn(v);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static void write_prod_pos(const struct view *v)
{
	*(volatile __u64 *)&v->prod->pos = 4096;
}

static void write_prod_flags(const struct view *v)
{
	*(volatile __u32 *)&v->prod->flags = 0;
}

static void write_data(const struct view *v)
{
	*(volatile unsigned char *)v->data = 0xff;
}

static void write_data_copy(const struct view *v)
{
	*(volatile unsigned char *)(v->data + v->size + v->size - 1) = 0xff;
}

TEST_F(ring, writing_the_producer_page_is_sigsegv)
{
	int status;

	status = in_child(write_prod_pos, &self->v);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		TH_LOG("status %#x", status);
	status = in_child(write_prod_flags, &self->v);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		TH_LOG("status %#x", status);
	EXPECT_EQ(0ULL, prod_pos(&self->v));
	EXPECT_EQ(0U, prod_flags(&self->v));
}

TEST_F(ring, writing_the_data_area_is_sigsegv)
{
	int status;

	ASSERT_EQ(0, send_nr(self->dev, self->id, 0, msg_len(0, MAXLEN), 0));
	status = in_child(write_data, &self->v);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		TH_LOG("status %#x", status);
	status = in_child(write_data_copy, &self->v);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		TH_LOG("status %#x", status);
	expect_records(_metadata, &self->v, 0, 1, MAXLEN);
}

TEST_F(ring, mprotect_cannot_make_the_producer_page_or_data_writable)
{
	void *prod = (void *)self->v.prod;
	void *data = (void *)self->v.data;

	EXPECT_EQ(-1, mprotect(prod, page_size(), PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(data, 2 * RING_SIZE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(data, page_size(), PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* Still mapped and read-only: reading works. */
	EXPECT_EQ(RING_SIZE, self->v.prod->size);
}

TEST_F(ring, a_private_mapping_of_the_read_only_areas_cannot_become_writable)
{
	void *p = mmap(NULL, page_size(), PROT_READ, MAP_PRIVATE, self->fd,
		       self->v.setup.producer_off);

	if (p == MAP_FAILED)
		return;		/* refused outright: as good */
	EXPECT_EQ(-1, mprotect(p, page_size(), PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, page_size());
	p = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, self->v.setup.data_off);
	EXPECT_EQ(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, page_size());
}

TEST_HARNESS_MAIN
