// SPDX-License-Identifier: GPL-2.0
/*
 * mbox concurrency tests: several producer and consumer processes on one
 * small mailbox, each with a file of its own.  Every consumer records what
 * it received in shared memory; the parent then checks that nothing was
 * lost or duplicated, that every message arrived whole, and that each
 * consumer saw each producer's messages in the order they were sent.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sched.h>

#include "mbox_util.h"

#define PRODUCERS	4
#define CONSUMERS	4
#define PER_PRODUCER	1000
#define TOTAL		(PRODUCERS * PER_PRODUCER)
#define STOP		0xffffffffU	/* producer number of a stop message */
#define MAX_LEN		(3 * 4096 + 7)

struct cmsg_head {
	__u32 producer;
	__u32 seq;
};

/* One message's pattern: the same for any (producer, seq) pair only. */
static __u32 cmsg_key(__u32 producer, __u32 seq)
{
	return producer * PER_PRODUCER + seq;
}

static __u64 cmsg_len(__u32 seq, __u32 max)
{
	__u64 len = sizeof(struct cmsg_head) + (seq * 7) % 57;

	if (seq % 50 == 49)
		len = MAX_LEN;
	return len < max ? len : max;
}

/* Is every byte after the head of message @buf what its sender wrote? */
static bool cmsg_intact(const unsigned char *buf, __u64 len)
{
	const struct cmsg_head *h = (const void *)buf;
	__u32 key = cmsg_key(h->producer, h->seq);
	__u64 i;

	for (i = sizeof(*h); i < len; i++)
		if (buf[i] != mbox_pattern_byte(key, i))
			return false;
	return true;
}

struct record {
	__u32 producer;
	__u32 seq;
};

/* Shared with the children: what each consumer received, in order. */
struct shared {
	__u32 count[CONSUMERS];
	struct record rec[CONSUMERS][TOTAL];
};

FIXTURE(conc) {
	int fd;
	struct mbox_info info;
	struct shared *sh;
};

FIXTURE_VARIANT(conc) {
	__u32 flags;	/* of every send and receive */
	__u32 capacity;
};

FIXTURE_VARIANT_ADD(conc, blocking) {
	.flags = 0,
	.capacity = 3,
};

FIXTURE_VARIANT_ADD(conc, nonblocking) {
	.flags = MBOX_NONBLOCK,
	.capacity = 3,
};

FIXTURE_VARIANT_ADD(conc, capacity_1) {
	.flags = 0,
	.capacity = 1,
};

FIXTURE_SETUP(conc)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
}

FIXTURE_TEARDOWN(conc)
{
	mbox_cleanup(self->fd);
	if (self->sh && self->sh != MAP_FAILED)
		munmap(self->sh, sizeof(*self->sh));
}

/* Send, retrying EAGAIN when @flags asks not to block. */
static int put_retry(int fd, __u32 id, const void *buf, __u64 len,
		     __u32 flags)
{
	int ret;

	while ((ret = mbox_put(fd, id, buf, len, flags)) == -EAGAIN &&
	       (flags & MBOX_NONBLOCK))
		sched_yield();
	return ret;
}

static int get_retry(int fd, __u32 id, void *buf, __u64 *len, __u32 flags)
{
	__u64 size = *len;
	int ret;

	for (;;) {
		*len = size;
		ret = mbox_get(fd, id, buf, len, flags);
		if (ret != -EAGAIN || !(flags & MBOX_NONBLOCK))
			return ret;
		sched_yield();
	}
}

static void __attribute__((noreturn)) producer(__u32 id, __u32 p, __u32 max,
					       __u32 flags)
{
	unsigned char buf[MAX_LEN];
	struct cmsg_head *h = (void *)buf;
	__u32 seq;
	__u64 len;
	int fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		_exit(MBOX_CHILD_SETUP);
	for (seq = 0; seq < PER_PRODUCER; seq++) {
		len = cmsg_len(seq, max);
		mbox_fill(buf, len, cmsg_key(p, seq));
		h->producer = p;
		h->seq = seq;
		ret = put_retry(fd, id, buf, len, flags);
		if (ret)
			_exit(mbox_exit_code(ret));
	}
	_exit(0);
}

static void __attribute__((noreturn)) consumer(struct shared *sh, __u32 id,
					       int c, __u32 max, __u32 flags)
{
	unsigned char buf[MAX_LEN + 64];
	struct cmsg_head *h = (void *)buf;
	__u64 len;
	__u32 n = 0;
	int fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		_exit(MBOX_CHILD_SETUP);
	for (;;) {
		len = sizeof(buf);
		ret = get_retry(fd, id, buf, &len, flags);
		if (ret < 0)
			_exit(mbox_exit_code(ret));
		if ((__u64)ret != len || len < sizeof(*h))
			_exit(MBOX_CHILD_BAD_DATA);
		if (h->producer == STOP)
			_exit(0);
		if (h->producer >= PRODUCERS || h->seq >= PER_PRODUCER ||
		    len != cmsg_len(h->seq, max))
			_exit(MBOX_CHILD_BAD_DATA);
		if (!cmsg_intact(buf, len))
			_exit(MBOX_CHILD_BAD_DATA);
		if (n >= TOTAL)
			_exit(MBOX_CHILD_BAD_DATA);
		sh->rec[c][n].producer = h->producer;
		sh->rec[c][n].seq = h->seq;
		sh->count[c] = ++n;
	}
}

/*
 * While the producers run, STAT over and over: every snapshot must be
 * consistent (queued = sent - received, in messages and in bytes, within
 * capacity) and the totals must never go down.
 */
static void watch_figures(struct __test_metadata *_metadata, int fd,
			  __u32 id, __u32 capacity, const pid_t *prod)
{
	long long end = mbox_now_ms() + 200000;
	struct mbox_stat st, prev;
	unsigned int samples = 0;
	int i, running;

	memset(&prev, 0, sizeof(prev));
	do {
		ASSERT_EQ(0, mbox_stat_id(fd, id, &st));
		ASSERT_EQ(st.sent_msgs - st.recv_msgs, (__u64)st.msgs)
			TH_LOG("sent %llu, received %llu, queued %u",
			       (unsigned long long)st.sent_msgs,
			       (unsigned long long)st.recv_msgs, st.msgs);
		ASSERT_EQ(st.sent_bytes - st.recv_bytes, st.bytes)
			TH_LOG("sent %llu B, received %llu B, queued %llu B",
			       (unsigned long long)st.sent_bytes,
			       (unsigned long long)st.recv_bytes,
			       (unsigned long long)st.bytes);
		ASSERT_GE(capacity, st.msgs);
		ASSERT_LE(prev.sent_msgs, st.sent_msgs);
		ASSERT_LE(prev.recv_msgs, st.recv_msgs);
		ASSERT_LE(prev.sent_bytes, st.sent_bytes);
		ASSERT_LE(prev.recv_bytes, st.recv_bytes);
		prev = st;
		samples++;

		running = 0;
		for (i = 0; i < PRODUCERS; i++)
			running += mbox_alive(prod[i]);
		if (running)
			mbox_msleep(1);
	} while (running && mbox_now_ms() < end);
	TH_LOG("%u consistent STAT snapshots", samples);
}

TEST_F_TIMEOUT(conc, producers_and_consumers_lose_duplicate_and_reorder_nothing,
	       240)
{
	const __u32 max = self->info.max_msg_size < MAX_LEN ?
			  self->info.max_msg_size : MAX_LEN;
	static unsigned char seen[PRODUCERS][PER_PRODUCER];
	pid_t prod[PRODUCERS], cons[CONSUMERS];
	struct cmsg_head stop = { .producer = STOP };
	long long t0 = mbox_now_ms();
	__u32 id, p, s, n, last[PRODUCERS];
	struct mbox_stat st;
	int c, i;

	ASSERT_LE((__u32)sizeof(stop), max);
	id = NEW_MBOX(self->fd, variant->capacity, max);

	for (c = 0; c < CONSUMERS; c++) {
		cons[c] = mbox_fork();
		ASSERT_LE(0, cons[c]);
		if (cons[c] == 0)
			consumer(self->sh, id, c, max, variant->flags);
	}
	for (i = 0; i < PRODUCERS; i++) {
		prod[i] = mbox_fork();
		ASSERT_LE(0, prod[i]);
		if (prod[i] == 0)
			producer(id, i, max, variant->flags);
	}
	watch_figures(_metadata, self->fd, id, variant->capacity, prod);
	for (i = 0; i < PRODUCERS; i++) {
		ASSERT_EQ(0, mbox_child_result(prod[i], 200000))
			TH_LOG("producer %d", i);
	}
	/* All data is queued or taken: now one stop message per consumer. */
	for (c = 0; c < CONSUMERS; c++) {
		ASSERT_EQ(0, put_retry(self->fd, id, &stop, sizeof(stop),
				       variant->flags));
	}
	for (c = 0; c < CONSUMERS; c++) {
		ASSERT_EQ(0, mbox_child_result(cons[c], 20000))
			TH_LOG("consumer %d", c);
	}
	TH_LOG("%d messages through %u slots in %lld ms", TOTAL + CONSUMERS,
	       variant->capacity, mbox_now_ms() - t0);

	memset(seen, 0, sizeof(seen));
	n = 0;
	for (c = 0; c < CONSUMERS; c++) {
		for (p = 0; p < PRODUCERS; p++)
			last[p] = UINT_MAX;
		for (i = 0; i < (int)self->sh->count[c]; i++) {
			p = self->sh->rec[c][i].producer;
			s = self->sh->rec[c][i].seq;
			seen[p][s]++;
			/* One producer's messages reach a consumer in order. */
			ASSERT_TRUE(last[p] == UINT_MAX || last[p] < s)
				TH_LOG("consumer %d got %u.%u after %u.%u", c,
				       p, s, p, last[p]);
			last[p] = s;
		}
		n += self->sh->count[c];
	}
	EXPECT_EQ((__u32)TOTAL, n);
	for (p = 0; p < PRODUCERS; p++) {
		for (s = 0; s < PER_PRODUCER; s++) {
			ASSERT_EQ(1, seen[p][s])
				TH_LOG("message %u.%u received %d times", p, s,
				       seen[p][s]);
		}
	}

	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ(0ULL, st.bytes);
	EXPECT_EQ((__u64)TOTAL + CONSUMERS, st.sent_msgs);
	EXPECT_EQ((__u64)TOTAL + CONSUMERS, st.recv_msgs);
	EXPECT_EQ(st.sent_bytes, st.recv_bytes);
}

/*
 * Destroy while processes send and receive: each must end with EIDRM (it
 * was waiting) or ENOENT (it called after the destroy), none may hang.
 */
TEST_F_TIMEOUT(conc, destroy_under_traffic_ends_every_process_with_eidrm_or_enoent,
	       60)
{
	pid_t kids[4];
	unsigned char buf[64];
	__u64 len;
	int id, i, ret, code;

	id = NEW_MBOX(self->fd, variant->capacity, sizeof(buf));
	for (i = 0; i < 4; i++) {
		kids[i] = mbox_fork();
		ASSERT_LE(0, kids[i]);
		if (kids[i])
			continue;
		memset(buf, i, sizeof(buf));
		for (;;) {
			len = sizeof(buf);
			if (i % 2)
				ret = put_retry(self->fd, id, buf, 1 + i,
						variant->flags);
			else
				ret = get_retry(self->fd, id, buf, &len,
						variant->flags);
			if (ret < 0)
				_exit(mbox_exit_code(ret));
		}
	}
	mbox_msleep(300);
	ASSERT_EQ(0, mbox_del(self->fd, id));
	for (i = 0; i < 4; i++) {
		code = mbox_child_result(kids[i], 10000);
		EXPECT_TRUE(code == EIDRM || code == ENOENT)
			TH_LOG("%s %d ended with %d", i % 2 ? "sender" :
			       "receiver", i, code);
	}
}

TEST_HARNESS_MAIN
