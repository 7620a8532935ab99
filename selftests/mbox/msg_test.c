// SPDX-License-Identifier: GPL-2.0
/*
 * mbox message tests: MBOX_IOC_SEND and MBOX_IOC_RECV, content, sizes,
 * FIFO order, bad buffers, and the STAT figures they leave behind.
 */
#define _GNU_SOURCE
#include <limits.h>

#include "mbox_util.h"

/* Bytes checked past the end of every received message. */
#define TAIL		256
#define POISON		0x5a
/* Largest message the long FIFO tests use, to keep them fast under TCG. */
#define BIG_CAP		(1U << 20)

FIXTURE(msg) {
	int fd;
	struct mbox_info info;
	size_t psz;
	__u64 bufsz;
	unsigned char *sbuf, *rbuf;
};

FIXTURE_SETUP(msg)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	self->psz = (size_t)sysconf(_SC_PAGESIZE);
	self->bufsz = (__u64)self->info.max_msg_size + 2 * self->psz + TAIL;
	self->sbuf = malloc(self->bufsz);
	self->rbuf = malloc(self->bufsz);
	ASSERT_NE(NULL, self->sbuf);
	ASSERT_NE(NULL, self->rbuf);
}

FIXTURE_TEARDOWN(msg)
{
	mbox_cleanup(self->fd);
	free(self->sbuf);
	free(self->rbuf);
}

static __u64 min_u64(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/* Send message @seq of @len bytes; returns what SEND returned. */
static int send_seq(FIXTURE_DATA(msg) *self, __u32 id, __u32 seq, __u64 len,
		    __u32 flags)
{
	mbox_fill(self->sbuf, len, seq);
	return mbox_put(self->fd, id, self->sbuf, len, flags);
}

/*
 * Receive into a buffer of @bufsize bytes and expect message @seq of @len
 * bytes, byte for byte, with nothing written past its end.
 */
static void recv_expect(struct __test_metadata *_metadata,
			FIXTURE_DATA(msg) *self, __u32 id, __u32 seq,
			__u64 len, __u64 bufsize, __u32 flags)
{
	__u64 got = bufsize, tail = min_u64(TAIL, self->bufsz - len);
	long long bad;
	int ret;

	memset(self->rbuf + len, POISON, tail);
	ret = mbox_get(self->fd, id, self->rbuf, &got, flags);
	ASSERT_EQ((int)len, ret) TH_LOG("message %u: %s", seq,
					 ret < 0 ? strerror(-ret) : "length");
	ASSERT_EQ(len, got) TH_LOG("message %u: len field", seq);
	bad = mbox_check(self->rbuf, len, seq);
	ASSERT_EQ(-1, bad) TH_LOG("message %u of %llu bytes: byte %lld differs",
				  seq, (unsigned long long)len, bad);
	bad = mbox_check_fill(self->rbuf + len, tail, POISON);
	ASSERT_EQ(-1, bad) TH_LOG("message %u: byte %llu past its end written",
				  seq, (unsigned long long)(len + bad));
}

static struct mbox_stat stat_of(int fd, __u32 id)
{
	struct mbox_stat st;

	if (mbox_stat_id(fd, id, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

/* Expect the figures of @a and @b to be the same. */
static void expect_same_figures(struct __test_metadata *_metadata,
				const struct mbox_stat *a,
				const struct mbox_stat *b, const char *what)
{
	EXPECT_EQ(a->msgs, b->msgs) TH_LOG("%s", what);
	EXPECT_EQ(a->bytes, b->bytes) TH_LOG("%s", what);
	EXPECT_EQ(a->sent_msgs, b->sent_msgs) TH_LOG("%s", what);
	EXPECT_EQ(a->sent_bytes, b->sent_bytes) TH_LOG("%s", what);
	EXPECT_EQ(a->recv_msgs, b->recv_msgs) TH_LOG("%s", what);
	EXPECT_EQ(a->recv_bytes, b->recv_bytes) TH_LOG("%s", what);
}

TEST_F(msg, send_then_recv_round_trips_the_content)
{
	static const char text[] = "hello, mailbox";
	char in[64];
	__u64 len = sizeof(in);
	__u32 id = NEW_MBOX(self->fd, 4, 64);

	memset(in, 0, sizeof(in));
	ASSERT_EQ(0, mbox_put(self->fd, id, text, sizeof(text), 0));
	ASSERT_EQ((int)sizeof(text), mbox_get(self->fd, id, in, &len, 0));
	EXPECT_EQ(sizeof(text), len);
	EXPECT_STREQ(text, in);
}

TEST_F(msg, recv_returns_the_length_and_stores_it_in_len)
{
	__u32 id = NEW_MBOX(self->fd, 4, 1000);
	__u64 len;

	ASSERT_EQ(0, send_seq(self, id, 1, 777, 0));
	len = 1000;
	EXPECT_EQ(777, mbox_get(self->fd, id, self->rbuf, &len, 0));
	EXPECT_EQ(777ULL, len);
	EXPECT_EQ(-1, mbox_check(self->rbuf, 777, 1));
}

TEST_F(msg, recv_writes_nothing_past_the_message)
{
	__u32 id = NEW_MBOX(self->fd, 4, 1000);

	ASSERT_EQ(0, send_seq(self, id, 3, 10, 0));
	recv_expect(_metadata, self, id, 3, 10, 1000, 0);
}

TEST_F(msg, mailboxes_do_not_share_messages)
{
	__u32 a = NEW_MBOX(self->fd, 4, 64);
	__u32 b = NEW_MBOX(self->fd, 4, 64);
	__u64 len = 64;

	ASSERT_EQ(0, send_seq(self, a, 100, 30, 0));
	ASSERT_EQ(0, send_seq(self, b, 200, 40, 0));
	recv_expect(_metadata, self, b, 200, 40, 64, MBOX_NONBLOCK);
	EXPECT_EQ(-EAGAIN, mbox_get(self->fd, b, self->rbuf, &len,
				    MBOX_NONBLOCK));
	recv_expect(_metadata, self, a, 100, 30, 64, MBOX_NONBLOCK);
}

TEST_F(msg, messages_around_page_boundaries_keep_every_byte)
{
	const __u64 p = self->psz, max = self->info.max_msg_size;
	const __u64 sizes[] = { 1, p - 1, p, p + 1, 2 * p - 1, 2 * p,
				2 * p + 1, 3 * p + 7, 4095, 4096, 4097,
				3 * 4096 + 7, max - 1, max };
	__u64 used[ARRAY_SIZE(sizes)];
	unsigned int i, n = 0;
	__u32 id, cap;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		if (sizes[i] <= max)
			used[n++] = sizes[i];
	cap = min_u64(n, self->info.max_capacity);
	id = NEW_MBOX(self->fd, cap, self->info.max_msg_size);

	/* One at a time, into a buffer of exactly the message's size. */
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, send_seq(self, id, i, used[i], MBOX_NONBLOCK));
		recv_expect(_metadata, self, id, i, used[i], used[i],
			    MBOX_NONBLOCK);
	}
	/* Queued together, received into a larger buffer. */
	for (i = 0; i < n; i += cap) {
		unsigned int j, end = min_u64(n, i + cap);

		for (j = i; j < end; j++) {
			ASSERT_EQ(0, send_seq(self, id, 1000 + j, used[j],
					      MBOX_NONBLOCK));
		}
		for (j = i; j < end; j++)
			recv_expect(_metadata, self, id, 1000 + j, used[j],
				    max + p, MBOX_NONBLOCK);
	}
}

TEST_F(msg, send_of_exactly_max_msg_size_is_accepted)
{
	__u32 id = NEW_MBOX(self->fd, 2, 100);

	ASSERT_EQ(0, send_seq(self, id, 5, 100, MBOX_NONBLOCK));
	recv_expect(_metadata, self, id, 5, 100, 100, MBOX_NONBLOCK);
}

/* The size of message @seq in the FIFO tests, at most @max. */
static __u64 fifo_size(__u32 seq, __u64 max, __u64 psz)
{
	const __u64 sizes[] = { 0, 1, 100, 4095, 4096, 4097, 3 * 4096 + 7,
				2 * 4096, 17, psz + 1 };

	if (seq % 97 == 0)
		return min_u64(max, BIG_CAP);
	return min_u64(max, sizes[seq % ARRAY_SIZE(sizes)]);
}

TEST_F_TIMEOUT(msg, fifo_order_holds_over_1000_messages_of_mixed_sizes, 120)
{
	const __u32 total = 1000;
	__u32 cap = min_u64(self->info.max_capacity, 64);
	__u32 id = NEW_MBOX(self->fd, cap, self->info.max_msg_size);
	__u32 sent = 0, got = 0, queued, k, rnd = 12345;
	__u64 bytes = 0, len;
	struct mbox_stat st;

	/* Fill and drain by pseudo-random amounts so the queue wraps. */
	while (got < total) {
		rnd = rnd * 1103515245 + 12345;
		k = 1 + (rnd >> 16) % cap;
		while (k-- && sent < total && sent - got < cap) {
			len = fifo_size(sent, self->info.max_msg_size,
					self->psz);
			ASSERT_EQ(0, send_seq(self, id, sent, len,
					      MBOX_NONBLOCK))
				TH_LOG("message %u", sent);
			bytes += len;
			sent++;
		}
		rnd = rnd * 1103515245 + 12345;
		queued = sent - got;
		k = 1 + (rnd >> 16) % queued;
		if (sent == total)
			k = queued;
		while (k--) {
			len = fifo_size(got, self->info.max_msg_size,
					self->psz);
			recv_expect(_metadata, self, id, got, len,
				    self->info.max_msg_size, MBOX_NONBLOCK);
			got++;
		}
	}
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ(0ULL, st.bytes);
	EXPECT_EQ(total, st.sent_msgs);
	EXPECT_EQ(total, st.recv_msgs);
	EXPECT_EQ(bytes, st.sent_bytes);
	EXPECT_EQ(bytes, st.recv_bytes);
}

TEST_F_TIMEOUT(msg, fifo_order_holds_with_a_blocking_sender_in_another_process,
	       120)
{
	const __u32 total = 1000;
	const __u64 max = min_u64(self->info.max_msg_size, 4 * 4096);
	__u32 id = NEW_MBOX(self->fd, min_u64(4, self->info.max_capacity),
			    max);
	__u32 seq;
	pid_t pid;
	int ret;

	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (seq = 0; seq < total; seq++) {
			ret = send_seq(self, id, seq,
				       fifo_size(seq, max, self->psz), 0);
			if (ret)
				_exit(mbox_exit_code(ret));
		}
		_exit(0);
	}
	for (seq = 0; seq < total; seq++)
		recv_expect(_metadata, self, id, seq,
			    fifo_size(seq, max, self->psz), max, 0);
	EXPECT_EQ(0, mbox_child_result(pid, 10000));
}

TEST_F(msg, send_above_max_msg_size_is_emsgsize_and_queues_nothing)
{
	__u32 id = NEW_MBOX(self->fd, 4, 100);
	__u32 big = NEW_MBOX(self->fd, 1, self->info.max_msg_size);
	struct mbox_stat before = stat_of(self->fd, id), after;
	__u64 len = (1ULL << 32) + 100;
	void *huge;

	EXPECT_EQ(-EMSGSIZE, send_seq(self, id, 1, 101, 0));
	EXPECT_EQ(-EMSGSIZE, send_seq(self, id, 1, 101, MBOX_NONBLOCK));
	EXPECT_EQ(-EMSGSIZE, send_seq(self, id, 1, self->info.max_msg_size + 1,
				      0));
	after = stat_of(self->fd, id);
	expect_same_figures(_metadata, &before, &after, "101 bytes");

	before = stat_of(self->fd, big);
	EXPECT_EQ(-EMSGSIZE, send_seq(self, big, 1,
				      self->info.max_msg_size + 1, 0));
	after = stat_of(self->fd, big);
	expect_same_figures(_metadata, &before, &after, "max_msg_size + 1");

	/* 2^32 + 100 bytes, all readable: not to be taken for 100 bytes. */
	huge = mmap(NULL, len, PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (huge != MAP_FAILED) {
		before = stat_of(self->fd, id);
		EXPECT_EQ(-EMSGSIZE, mbox_put(self->fd, id, huge, len, 0));
		after = stat_of(self->fd, id);
		expect_same_figures(_metadata, &before, &after, "2^32 + 100");
		munmap(huge, len);
	} else {
		TH_LOG("no 4 GiB mapping (%s): 2^32 + 100 not tried",
		       strerror(errno));
	}

	/* The mailbox still works, and holds only what comes next. */
	ASSERT_EQ(0, send_seq(self, id, 2, 100, 0));
	recv_expect(_metadata, self, id, 2, 100, 100, MBOX_NONBLOCK);
}

/* Sends from @buf that must fail with EFAULT and leave @id as it was. */
static void expect_send_efault(struct __test_metadata *_metadata,
			       FIXTURE_DATA(msg) *self, __u32 id,
			       const void *buf, __u64 len, const char *what)
{
	struct mbox_stat before = stat_of(self->fd, id), after;

	EXPECT_EQ(-EFAULT, mbox_put(self->fd, id, buf, len, 0))
		TH_LOG("%s", what);
	after = stat_of(self->fd, id);
	expect_same_figures(_metadata, &before, &after, what);
}

TEST_F(msg, send_from_unmapped_buffer_is_efault_and_queues_nothing)
{
	__u32 id = NEW_MBOX(self->fd, 4, 100);
	void *page = mbox_map_with_holes(1, 1);

	ASSERT_NE(NULL, page);
	expect_send_efault(_metadata, self, id, page, 10, "unmapped page");
	expect_send_efault(_metadata, self, id, NULL, 10, "NULL buffer");
	munmap(page, self->psz);

	/* Only the next good message is queued. */
	ASSERT_EQ(0, send_seq(self, id, 9, 50, 0));
	recv_expect(_metadata, self, id, 9, 50, 100, MBOX_NONBLOCK);
}

TEST_F(msg, send_from_partly_unmapped_buffer_is_efault_and_queues_nothing)
{
	const __u64 p = self->psz;
	unsigned char *map;
	__u32 id;

	if (self->info.max_msg_size < 20)
		SKIP(return, "max_msg_size %u < 20", self->info.max_msg_size);
	id = NEW_MBOX(self->fd, 4, self->info.max_msg_size);
	map = mbox_map_with_holes(4, 1UL << 3);
	ASSERT_NE(NULL, map);
	expect_send_efault(_metadata, self, id, map + 3 * p - 10, 20,
			   "last 10 bytes unmapped");
	if (self->info.max_msg_size >= 3 * p + 1)
		expect_send_efault(_metadata, self, id, map, 3 * p + 1,
				   "fourth page unmapped");
	munmap(map, 4 * p);

	ASSERT_EQ(0, send_seq(self, id, 11, 20, 0));
	recv_expect(_metadata, self, id, 11, 20, 20, MBOX_NONBLOCK);
}

/*
 * A receive that fails must leave message @seq of @len bytes at the head:
 * figures unchanged, and a good receive then gets it intact.
 */
static void expect_recv_fails_and_keeps(struct __test_metadata *_metadata,
					FIXTURE_DATA(msg) *self, __u32 id,
					void *buf, __u64 bufsize, int err,
					__u32 seq, __u64 len)
{
	struct mbox_stat before = stat_of(self->fd, id), after;
	__u64 got = bufsize;

	EXPECT_EQ(-err, mbox_get(self->fd, id, buf, &got, MBOX_NONBLOCK));
	if (err == EMSGSIZE) {
		EXPECT_EQ(len, got) TH_LOG("len must report the message size");
	}
	after = stat_of(self->fd, id);
	expect_same_figures(_metadata, &before, &after, strerror(err));
	recv_expect(_metadata, self, id, seq, len, len, MBOX_NONBLOCK);
}

TEST_F(msg, recv_buffer_too_small_keeps_message_and_reports_size)
{
	__u32 id = NEW_MBOX(self->fd, 4, self->info.max_msg_size);
	__u64 len = min_u64(3 * 4096 + 7, self->info.max_msg_size);

	if (len < 2)
		SKIP(return, "max_msg_size %u < 2", self->info.max_msg_size);
	ASSERT_EQ(0, send_seq(self, id, 21, len, 0));
	ASSERT_EQ(0, send_seq(self, id, 22, 1, 0));
	expect_recv_fails_and_keeps(_metadata, self, id, self->rbuf, len - 1,
				    EMSGSIZE, 21, len);
	/* The next message is still behind it. */
	recv_expect(_metadata, self, id, 22, 1, 1, MBOX_NONBLOCK);
}

TEST_F(msg, recv_zero_size_buffer_keeps_message_and_reports_size)
{
	__u32 id = NEW_MBOX(self->fd, 4, 100);

	ASSERT_EQ(0, send_seq(self, id, 23, 77, 0));
	expect_recv_fails_and_keeps(_metadata, self, id, NULL, 0, EMSGSIZE,
				    23, 77);
}

TEST_F(msg, recv_into_unmapped_buffer_is_efault_and_keeps_message)
{
	__u32 id = NEW_MBOX(self->fd, 4, 100);
	void *page = mbox_map_with_holes(1, 1);

	ASSERT_NE(NULL, page);
	ASSERT_EQ(0, send_seq(self, id, 31, 100, 0));
	expect_recv_fails_and_keeps(_metadata, self, id, page, 100, EFAULT,
				    31, 100);
	ASSERT_EQ(0, send_seq(self, id, 32, 100, 0));
	expect_recv_fails_and_keeps(_metadata, self, id, NULL, 100, EFAULT,
				    32, 100);
	munmap(page, self->psz);
}

TEST_F(msg, recv_into_readonly_buffer_is_efault_and_keeps_message)
{
	__u32 id = NEW_MBOX(self->fd, 4, 100);
	void *page = mbox_map_with_holes(1, 0);

	ASSERT_NE(NULL, page);
	ASSERT_EQ(0, mprotect(page, self->psz, PROT_READ));
	ASSERT_EQ(0, send_seq(self, id, 33, 100, 0));
	expect_recv_fails_and_keeps(_metadata, self, id, page, 100, EFAULT,
				    33, 100);
	munmap(page, self->psz);
}

TEST_F(msg, recv_into_partly_unmapped_buffer_is_efault_and_keeps_message)
{
	const __u64 p = self->psz;
	unsigned char *map;
	__u32 id;

	if (self->info.max_msg_size < 20)
		SKIP(return, "max_msg_size %u < 20", self->info.max_msg_size);
	id = NEW_MBOX(self->fd, 4, self->info.max_msg_size);
	map = mbox_map_with_holes(4, 1UL << 3);
	ASSERT_NE(NULL, map);
	ASSERT_EQ(0, send_seq(self, id, 34, 20, 0));
	expect_recv_fails_and_keeps(_metadata, self, id, map + 3 * p - 10, 20,
				    EFAULT, 34, 20);
	if (self->info.max_msg_size >= 3 * p + 1) {
		ASSERT_EQ(0, send_seq(self, id, 35, 3 * p + 1, 0));
		expect_recv_fails_and_keeps(_metadata, self, id, map,
					    3 * p + 1, EFAULT, 35, 3 * p + 1);
	}
	munmap(map, 4 * p);
}

TEST_F(msg, zero_length_messages_in_a_max_msg_size_0_mailbox)
{
	__u32 id = NEW_MBOX(self->fd, 4, 0);
	struct mbox_stat st;
	char one = 'x';
	__u64 len;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, mbox_put(self->fd, id, NULL, 0, MBOX_NONBLOCK));
	}
	EXPECT_EQ(-EMSGSIZE, mbox_put(self->fd, id, &one, 1, MBOX_NONBLOCK));
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(3U, st.msgs);
	EXPECT_EQ(0ULL, st.bytes);
	EXPECT_EQ(3ULL, st.sent_msgs);
	EXPECT_EQ(0ULL, st.sent_bytes);

	len = 0;
	EXPECT_EQ(0, mbox_get(self->fd, id, NULL, &len, MBOX_NONBLOCK));
	EXPECT_EQ(0ULL, len);
	/* A real buffer is left as it was. */
	memset(self->rbuf, POISON, 16);
	len = 16;
	EXPECT_EQ(0, mbox_get(self->fd, id, self->rbuf, &len, MBOX_NONBLOCK));
	EXPECT_EQ(0ULL, len);
	EXPECT_EQ(-1, mbox_check_fill(self->rbuf, 16, POISON));
	len = 0;
	EXPECT_EQ(0, mbox_get(self->fd, id, NULL, &len, 0));

	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ(3ULL, st.recv_msgs);
	EXPECT_EQ(0ULL, st.recv_bytes);
	len = 0;
	EXPECT_EQ(-EAGAIN, mbox_get(self->fd, id, NULL, &len, MBOX_NONBLOCK));
}

TEST_F(msg, zero_length_message_keeps_its_place_among_others)
{
	__u32 id = NEW_MBOX(self->fd, 4, 64);

	ASSERT_EQ(0, send_seq(self, id, 41, 10, 0));
	ASSERT_EQ(0, mbox_put(self->fd, id, NULL, 0, 0));
	ASSERT_EQ(0, send_seq(self, id, 43, 64, 0));
	recv_expect(_metadata, self, id, 41, 10, 64, MBOX_NONBLOCK);
	recv_expect(_metadata, self, id, 42, 0, 64, MBOX_NONBLOCK);
	recv_expect(_metadata, self, id, 43, 64, 64, MBOX_NONBLOCK);
}

/* Every bit but the waiting flags, the receive-only bits included. */
TEST_F(msg, send_unknown_flags_are_einval_and_queue_nothing)
{
	__u32 id = NEW_MBOX(self->fd, 4, 64);
	struct mbox_stat before = stat_of(self->fd, id), after;
	char what[32];
	int bit;

	mbox_fill(self->sbuf, 8, 1);
	for (bit = 1; bit < 32; bit++) {
		if (mbox_send_flags(MBOX_HDR_FEATURES) & (1U << bit))
			continue;
		snprintf(what, sizeof(what), "flags bit %d", bit);
		EXPECT_EQ(-EINVAL, mbox_put(self->fd, id, self->sbuf, 8,
					    1U << bit)) TH_LOG("%s", what);
		EXPECT_EQ(-EINVAL, mbox_put(self->fd, id, self->sbuf, 8,
					    MBOX_NONBLOCK | 1U << bit))
			TH_LOG("%s with MBOX_NONBLOCK", what);
		after = stat_of(self->fd, id);
		expect_same_figures(_metadata, &before, &after, what);
	}
}

/* Every bit but the waiting flags and MBOX_RECV_*. */
TEST_F(msg, recv_unknown_flags_are_einval_and_keep_the_message)
{
	__u32 id = NEW_MBOX(self->fd, 4, 64);
	struct mbox_stat before, after;
	char what[32];
	__u64 len;
	int bit;

	ASSERT_EQ(0, send_seq(self, id, 51, 64, 0));
	before = stat_of(self->fd, id);
	for (bit = 1; bit < 32; bit++) {
		if (mbox_recv_flags(MBOX_HDR_FEATURES) & (1U << bit))
			continue;
		snprintf(what, sizeof(what), "flags bit %d", bit);
		len = 64;
		EXPECT_EQ(-EINVAL, mbox_get(self->fd, id, self->rbuf, &len,
					    1U << bit)) TH_LOG("%s", what);
		len = 64;
		EXPECT_EQ(-EINVAL, mbox_get(self->fd, id, self->rbuf, &len,
					    MBOX_NONBLOCK | 1U << bit))
			TH_LOG("%s with MBOX_NONBLOCK", what);
		after = stat_of(self->fd, id);
		expect_same_figures(_metadata, &before, &after, what);
	}
	recv_expect(_metadata, self, id, 51, 64, 64, MBOX_NONBLOCK);
}

TEST_F(msg, stat_figures_follow_a_known_sequence)
{
	__u32 id = NEW_MBOX(self->fd, 8, 100);
	struct mbox_stat st;
	int fd2;

	ASSERT_EQ(0, send_seq(self, id, 1, 10, 0));
	ASSERT_EQ(0, send_seq(self, id, 2, 20, 0));
	ASSERT_EQ(0, send_seq(self, id, 3, 30, 0));
	ASSERT_EQ(0, mbox_put(self->fd, id, NULL, 0, 0));
	recv_expect(_metadata, self, id, 1, 10, 100, 0);
	/* Failures count for nothing. */
	EXPECT_EQ(-EMSGSIZE, send_seq(self, id, 9, 101, 0));
	expect_recv_fails_and_keeps(_metadata, self, id, self->rbuf, 5,
				    EMSGSIZE, 2, 20);
	/* That took message 2: 3 and the empty one remain. */

	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(id, st.id);
	EXPECT_EQ(8U, st.capacity);
	EXPECT_EQ(100U, st.max_msg_size);
	EXPECT_EQ(2U, st.msgs);
	EXPECT_EQ(30ULL, st.bytes);
	EXPECT_EQ(4ULL, st.sent_msgs);
	EXPECT_EQ(60ULL, st.sent_bytes);
	EXPECT_EQ(2ULL, st.recv_msgs);
	EXPECT_EQ(30ULL, st.recv_bytes);
	EXPECT_EQ(0U, st.__reserved);

	recv_expect(_metadata, self, id, 3, 30, 100, 0);
	recv_expect(_metadata, self, id, 4, 0, 100, 0);

	/* The same figures through another open file. */
	fd2 = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mbox_stat_id(fd2, id, &st));
	close(fd2);
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ(0ULL, st.bytes);
	EXPECT_EQ(4ULL, st.sent_msgs);
	EXPECT_EQ(60ULL, st.sent_bytes);
	EXPECT_EQ(4ULL, st.recv_msgs);
	EXPECT_EQ(60ULL, st.recv_bytes);
}

TEST_HARNESS_MAIN
