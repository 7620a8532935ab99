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
#include <sys/epoll.h>
#include <stdatomic.h>

#include "mbox_util.h"
#include "cred_util.h"
#include "ring_util.h"

#define CAP		4
#define MAX		64
#define RSIZE		4096U
#define WAIT_MS		5000

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
	EXPECT_LE(MBOX_RING_REC_SIZE(7), ring_prod_pos(&self->r));
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

/* Setup errors, each alone. */

TEST_F(rg, setup_with_a_bad_size_is_einval)
{
	static const __u32 bad[] = {
		0, 1, 2048, 4095, 4097, 6144, 3 * 4096, 64U << 20,
		(32U << 20) + 4096, 0x80000000U,
	};
	struct mbox_ring_setup st;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, rs_setup(self->cfd, bad[i], &st))
			TH_LOG("size %u", bad[i]);
	/* Nothing was set up: a good call works. */
	EXPECT_EQ(0, rs_setup(self->cfd, RSIZE, &st));
}

TEST_F(rg, setup_with_flags_is_einval)
{
	struct mbox_ring_setup st = { .size = RSIZE, .flags = 1 };

	EXPECT_EQ(-EINVAL, mbox_ioctl(self->cfd, MBOX_IOC_RING_SETUP, &st));
	st.flags = 0x80000000U;
	EXPECT_EQ(-EINVAL, mbox_ioctl(self->cfd, MBOX_IOC_RING_SETUP, &st));
}

TEST_F(rg, setup_returns_the_offsets_of_the_three_areas)
{
	struct mbox_ring_setup st;
	long page = sysconf(_SC_PAGESIZE);

	memset(&st, 0xff, sizeof(st));
	st.size = RSIZE;
	st.flags = 0;
	ASSERT_EQ(0, mbox_ioctl(self->cfd, MBOX_IOC_RING_SETUP, &st));
	EXPECT_EQ(0ULL, st.consumer_off);
	EXPECT_EQ((__u64)page, st.producer_off);
	EXPECT_EQ((__u64)page * 2, st.data_off);
	EXPECT_EQ(RSIZE, st.size);
}

TEST_F(rg, setup_on_dev_mbox_is_enotty)
{
	struct mbox_ring_setup st;

	EXPECT_EQ(-ENOTTY, rs_setup(self->fd, RSIZE, &st));
	EXPECT_EQ(-ENOTTY, ring_wait(self->fd, MBOX_NONBLOCK, 0));
}

struct one_right {
	__u32 id;
	int setup_err;
};

/* As another user: open the mailbox (one right only), set up a ring. */
static int setup_as_other(int fd, void *arg)
{
	struct one_right *a = arg;
	struct mbox_ring_setup st;
	int f, ret;

	ret = cu_become_class(2);
	if (ret)
		return ret;
	f = mbox_open_id(fd, a->id, 0);
	if (f < 0)
		return f;
	a->setup_err = rs_setup(f, RSIZE, &st);
	close(f);
	return 0;
}

static int set_mode(int fd, __u32 id, __u32 mode)
{
	struct mbox_set set = { .id = id, .flags = MBOX_SET_MODE,
				.mode = mode };

	return mbox_set(fd, &set, sizeof(set));
}

TEST_F(rg, setup_on_a_write_only_or_read_only_file_is_ebadf)
{
	struct one_right *a = mbox_shared_mem(sizeof(*a));

	ASSERT_NE(NULL, a);
	if (geteuid() != 0)
		SKIP(return, "needs root to become another user");
	a->id = self->id;
	ASSERT_EQ(0, set_mode(self->fd, self->id, 0602));
	ASSERT_EQ(0, cu_run(self->fd, setup_as_other, a));
	EXPECT_EQ(-EBADF, a->setup_err) TH_LOG("write-only file");
	ASSERT_EQ(0, set_mode(self->fd, self->id, 0604));
	ASSERT_EQ(0, cu_run(self->fd, setup_as_other, a));
	EXPECT_EQ(-EBADF, a->setup_err) TH_LOG("read-only file");
	ASSERT_EQ(0, set_mode(self->fd, self->id, 0606));
	ASSERT_EQ(0, cu_run(self->fd, setup_as_other, a));
	EXPECT_EQ(0, a->setup_err) TH_LOG("a file with both rights");
}

TEST_F(rg, second_setup_on_the_same_file_is_ebusy)
{
	struct mbox_ring_setup st;

	ASSERT_EQ(0, rs_setup(self->cfd, RSIZE, &st));
	EXPECT_EQ(-EBUSY, rs_setup(self->cfd, RSIZE, &st));
	EXPECT_EQ(-EBUSY, rs_setup(self->cfd, 2 * RSIZE, &st));
}

TEST_F(rg, second_consumer_of_the_mailbox_is_ebusy)
{
	struct mbox_ring_setup st;
	int other = mbox_open_id(self->fd, self->id, 0);

	ASSERT_LE(0, other);
	ASSERT_EQ(0, rs_setup(self->cfd, RSIZE, &st));
	EXPECT_EQ(-EBUSY, rs_setup(other, RSIZE, &st));
	close(other);
}

TEST_F(rg, setup_smaller_than_the_largest_record_is_emsgsize)
{
	struct mbox_ring_setup st;
	__u32 id = NEW_MBOX(self->fd, CAP, RSIZE);
	int f = mbox_open_id(self->fd, id, 0);

	ASSERT_LE(0, f);
	EXPECT_EQ(-EMSGSIZE, rs_setup(f, RSIZE, &st));
	EXPECT_EQ(0, rs_setup(f, 2 * RSIZE, &st));
	close(f);
	/* The largest message that fits exactly. */
	id = NEW_MBOX(self->fd, CAP, RSIZE - sizeof(struct mbox_ring_rec));
	f = mbox_open_id(self->fd, id, 0);
	ASSERT_LE(0, f);
	EXPECT_EQ(0, rs_setup(f, RSIZE, &st));
	close(f);
}

TEST_F(rg, setup_on_a_destroyed_mailbox_is_eidrm)
{
	struct mbox_ring_setup st;

	ASSERT_EQ(0, mbox_del(self->fd, self->id));
	EXPECT_EQ(-EIDRM, rs_setup(self->cfd, RSIZE, &st));
}

TEST_F(rg, info_reports_the_ring_feature)
{
	struct mbox_info info;

	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	EXPECT_EQ(MBOX_FEATURE_RING, info.features & MBOX_FEATURE_RING);
}

/* RING_WAIT errors. */

TEST_F(rg, wait_on_a_file_that_is_not_the_consumer_is_einval)
{
	int other = mbox_open_id(self->fd, self->id, 0);

	ASSERT_LE(0, other);
	EXPECT_EQ(-EINVAL, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	EXPECT_EQ(-EINVAL, ring_wait(other, MBOX_NONBLOCK, 0));
	close(other);
}

TEST_F(rg, wait_with_bad_flags_or_reserved_is_einval)
{
	struct mbox_ring_wait w = { .flags = MBOX_NONBLOCK };

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	w.__reserved = 1;
	EXPECT_EQ(-EINVAL, mbox_ioctl(self->cfd, MBOX_IOC_RING_WAIT, &w));
	EXPECT_EQ(-EINVAL, ring_wait(self->cfd, 1U << 20, 0));
	EXPECT_EQ(-EINVAL, ring_wait(self->cfd, MBOX_NONBLOCK | MBOX_TIMEOUT, 0));
	EXPECT_EQ(-EINVAL, ring_wait(self->cfd, 0, 5));
}

TEST_F(rg, wait_on_an_empty_ring_is_eagain_or_etimedout)
{
	__u64 t0;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	EXPECT_EQ(-EAGAIN, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ring_wait(self->cfd, MBOX_TIMEOUT, 50000000ULL));
	EXPECT_LE(t0 + 50000000ULL, now_ns());
	EXPECT_EQ(-ETIMEDOUT, ring_wait(self->cfd, MBOX_TIMEOUT_ABS, 1));
}

TEST_F(rg, wait_returns_when_a_send_commits_a_record)
{
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	pid_t pid;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		mbox_msleep(100);
		_exit(mbox_exit_code(mbox_send(self->fd, self->id, "w", 1, 0)));
	}
	EXPECT_EQ(0, ring_wait(self->cfd, MBOX_TIMEOUT, WAIT_MS * 1000000ULL));
	EXPECT_LE(MBOX_RING_REC_SIZE(1), ring_prod_pos(&self->r));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	/*
	 * A new child's pages of "w" may not be mapped yet: a discarded
	 * record may come before the message's.
	 */
	ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
	EXPECT_EQ(1U, hdr.len);
	EXPECT_EQ('w', out[0]);
	EXPECT_EQ(NULL, ring_next(&self->r, &hdr.len));
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST_F(rg, wait_interrupted_by_a_handled_signal_is_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	EXPECT_EQ(-EINTR, ring_wait(self->cfd, 0, 0));
	signal(SIGALRM, SIG_DFL);
}

/* mmap. */

TEST_F(rg, mmap_before_setup_is_enodev)
{
	long page = sysconf(_SC_PAGESIZE);

	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED,
				   self->cfd, 0));
	EXPECT_EQ(ENODEV, errno);
}

TEST_F(rg, mmap_of_producer_or_data_writable_is_eperm)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, self->cfd,
		 self->r.st.producer_off);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, self->cfd,
		 self->r.st.data_off);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);
	/* The consumer page with the producer page after it. */
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->cfd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);
}

TEST_F(rg, a_private_writable_mapping_is_einval_and_a_private_one_stays_read_only)
{
	void *p;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	p = mmap(NULL, self->r.page, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->cfd, self->r.st.consumer_off);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, self->r.page, PROT_READ, MAP_PRIVATE, self->cfd,
		 self->r.st.consumer_off);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, self->r.page, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, self->r.page);
}

TEST_F(rg, mprotect_cannot_make_the_read_only_part_writable)
{
	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	EXPECT_EQ(-1, mprotect(self->r.ro, self->r.page, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
}

TEST_F(rg, mmap_outside_the_ring_is_einval)
{
	long page = sysconf(_SC_PAGESIZE);
	off_t end = 2 * page + 2 * RSIZE;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED,
				   self->cfd, end));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * page, PROT_READ, MAP_SHARED,
				   self->cfd, end - page));
	EXPECT_EQ(EINVAL, errno);
	/* The last page alone is inside. */
	void *p = mmap(NULL, page, PROT_READ, MAP_SHARED, self->cfd, end - page);

	EXPECT_NE(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, page);
}

TEST_F(rg, the_data_area_is_mapped_twice_back_to_back)
{
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	__u64 i, n = RSIZE / MBOX_RING_REC_SIZE(MAX) + 3;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	for (i = 0; i < n; i++) {
		mbox_fill(self->buf, MAX, i);
		ASSERT_EQ(0, mbox_send(self->fd, self->id, self->buf, MAX, 0));
		ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
		ASSERT_EQ(-1, mbox_check(out, MAX, i));
	}
	EXPECT_EQ(0, memcmp(self->r.data, self->r.data + RSIZE, RSIZE));
}

/* Receives refused while the mailbox has a ring. */

TEST_F(rg, every_kind_of_receive_is_ebusy_with_a_ring)
{
	struct mbox_batch_msg bm = { .buf = (__u64)(uintptr_t)self->buf,
				     .len = MAX };
	struct mbox_recv rv = { .id = self->id, .len = MAX,
				.buf = (__u64)(uintptr_t)self->buf };
	__u32 flags[] = { MBOX_NONBLOCK, 0, MBOX_RECV_PEEK | MBOX_NONBLOCK,
			  MBOX_RECV_TYPE | MBOX_NONBLOCK,
			  MBOX_RECV_EXCEPT | MBOX_NONBLOCK,
			  MBOX_RECV_TRUNC | MBOX_NONBLOCK };
	struct mbox_sendrecv sr;
	unsigned int i;
	int err = 0;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	/* Something queued, so nothing would wait. */
	ASSERT_EQ(0, mbox_send(self->fd, self->id, "q", 1, 0));
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		rv.flags = flags[i];
		EXPECT_EQ(-EBUSY, ioc_recv(self->fd, &rv)) TH_LOG("flags %#x", flags[i]);
		EXPECT_EQ(-EBUSY, ioc_recv(self->cfd, &rv)) TH_LOG("flags %#x", flags[i]);
	}
	EXPECT_EQ(-EBUSY, mbox_recv_batch(self->fd, self->id, &bm, 1,
					  MBOX_NONBLOCK, 0, 0, &err));
	EXPECT_EQ(-1, read(self->cfd, self->buf, MAX));
	EXPECT_EQ(EBUSY, errno);
	memset(&sr, 0, sizeof(sr));
	sr.send.id = NEW_MBOX(self->fd, CAP, MAX);
	sr.send.buf = (__u64)(uintptr_t)"a";
	sr.send.len = 1;
	sr.recv.id = self->id;
	sr.recv.buf = (__u64)(uintptr_t)self->buf;
	sr.recv.len = MAX;
	EXPECT_EQ(-EBUSY, mbox_ioctl(self->fd, MBOX_IOC_SENDRECV, &sr));
	EXPECT_EQ((__u32)MBOX_SENDRECV_RECV, sr.failed);
}

TEST_F(rg, receivers_waiting_at_setup_fail_with_ebusy)
{
	struct mbox_ring_setup st;
	pid_t pid;

	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u64 len = MAX;

		_exit(mbox_exit_code(mbox_get(self->fd, self->id, self->buf,
					      &len, 0)));
	}
	ASSERT_EQ(0, mbox_wait_waiters(self->fd, self->id, 0, 1, WAIT_MS));
	ASSERT_EQ(0, rs_setup(self->cfd, RSIZE, &st));
	EXPECT_EQ(EBUSY, mbox_child_result(pid, WAIT_MS));
}

TEST_F(rg, set_max_msg_size_beyond_the_ring_is_ebusy)
{
	struct mbox_set set = { .id = self->id, .flags = MBOX_SET_MSG_SIZE };
	struct mbox_stat st;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	set.max_msg_size = RSIZE;
	EXPECT_EQ(-EBUSY, mbox_set(self->fd, &set, sizeof(set)));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ((__u32)MAX, st.max_msg_size);
	set.max_msg_size = RSIZE - sizeof(struct mbox_ring_rec);
	EXPECT_EQ(0, mbox_set(self->fd, &set, sizeof(set)));
}

/* Senders and the refill. */

TEST_F(rg, rendezvous_senders_wait_until_a_refill_takes_them_in_fifo_order)
{
	__u64 per = MBOX_RING_REC_SIZE(MAX), fit = RSIZE / per, i;
	__u32 id = NEW_MBOX(self->fd, 0, MAX);
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	int f = mbox_open_id(self->fd, id, 0);
	pid_t pids[3];
	struct ring r;

	ASSERT_LE(0, f);
	ASSERT_EQ(0, ring_open(&r, f, RSIZE));
	/* An empty ring takes sends even with capacity 0. */
	for (i = 0; i < fit; i++) {
		mbox_fill(self->buf, MAX, i);
		ASSERT_EQ(0, mbox_send(self->fd, id, self->buf, MAX,
				       MBOX_NONBLOCK));
	}
	EXPECT_EQ(-EAGAIN, mbox_send(self->fd, id, self->buf, MAX,
				     MBOX_NONBLOCK));
	for (i = 0; i < 3; i++) {
		pids[i] = mbox_fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			mbox_fill(self->buf, MAX, fit + i);
			_exit(mbox_exit_code(mbox_send(self->fd, id, self->buf,
						       MAX, 0)));
		}
		ASSERT_EQ(0, mbox_wait_waiters(self->fd, id, i + 1, 0, WAIT_MS));
	}
	EXPECT_EQ(MBOX_RING_REFILL, ring_flags(&r));
	for (i = 0; i < fit + 3; i++) {
		ASSERT_EQ(0, ring_take(&r, &hdr, out, sizeof(out)));
		ASSERT_EQ(i + 1, hdr.seq);
		ASSERT_EQ(-1, mbox_check(out, MAX, i)) TH_LOG("message %llu", i);
	}
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, mbox_child_result(pids[i], WAIT_MS));
	EXPECT_EQ(0U, ring_flags(&r));
	ring_unmap(&r);
	close(f);
}

TEST_F(rg, messages_queued_before_setup_set_refill_and_come_first)
{
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	__u64 i;

	for (i = 0; i < 2; i++) {
		mbox_fill(self->buf, 8, i);
		ASSERT_EQ(0, mbox_send(self->fd, self->id, self->buf, 8, 0));
	}
	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	EXPECT_EQ(MBOX_RING_REFILL, ring_flags(&self->r));
	/* A send now queues behind them. */
	mbox_fill(self->buf, 8, 2);
	ASSERT_EQ(0, mbox_send(self->fd, self->id, self->buf, 8, 0));
	EXPECT_EQ(0ULL, ring_prod_pos(&self->r));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
		EXPECT_EQ(i + 1, hdr.seq);
		EXPECT_EQ(-1, mbox_check(out, 8, i));
	}
}

TEST_F(rg, a_queued_message_too_long_for_the_ring_becomes_a_discarded_header)
{
	struct mbox_set set = { .flags = MBOX_SET_MSG_SIZE };
	const struct mbox_ring_rec *rec;
	static unsigned char big[RSIZE + 100];
	__u32 id = NEW_MBOX(self->fd, CAP, sizeof(big));
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	int f = mbox_open_id(self->fd, id, 0);
	struct mbox_stat st;
	struct ring r;

	ASSERT_LE(0, f);
	mbox_fill(big, sizeof(big), 0);
	ASSERT_EQ(0, mbox_send(self->fd, id, big, sizeof(big), 0));
	mbox_fill(self->buf, 8, 1);
	ASSERT_EQ(0, mbox_send(self->fd, id, self->buf, 8, 0));
	set.id = id;
	set.max_msg_size = MAX;
	ASSERT_EQ(0, mbox_set(self->fd, &set, sizeof(set)));
	ASSERT_EQ(0, ring_open(&r, f, RSIZE));
	EXPECT_EQ(MBOX_RING_REFILL, ring_flags(&r));
	ASSERT_EQ(0, ring_wait(f, MBOX_NONBLOCK, 0));
	/* The long one: a header of no data, to skip, with its seq. */
	rec = (const void *)r.data;
	EXPECT_EQ(MBOX_RING_DISCARD, rec->len);
	EXPECT_EQ(1ULL, rec->seq);
	ASSERT_EQ(0, ring_take(&r, &hdr, out, sizeof(out)));
	EXPECT_EQ(2ULL, hdr.seq);
	EXPECT_EQ(8U, hdr.len);
	EXPECT_EQ(-1, mbox_check(out, 8, 1));
	EXPECT_EQ(0U, ring_flags(&r));
	EXPECT_EQ(-EAGAIN, ring_wait(f, MBOX_NONBLOCK, 0));
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ(2ULL, st.recv_msgs);
	ring_unmap(&r);
	close(f);
}

TEST_F(rg, poll_gives_epollin_for_a_record_or_refill_and_nothing_when_empty)
{
	struct pollfd pfd = { .events = POLLIN };
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];

	pfd.fd = self->cfd;
	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, mbox_send(self->fd, self->id, "p", 1, 0));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
}

TEST_F(rg, batch_sends_land_in_the_ring_in_order)
{
	struct mbox_batch_msg bm[4];
	struct mbox_ring_rec hdr;
	unsigned char in[4][8], out[MAX];
	struct mbox_batch b;
	int i;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	memset(bm, 0, sizeof(bm));
	for (i = 0; i < 4; i++) {
		mbox_fill(in[i], 8, i);
		bm[i].buf = (__u64)(uintptr_t)in[i];
		bm[i].len = 8;
		bm[i].type = i;
	}
	memset(&b, 0, sizeof(b));
	b.id = self->id;
	b.msgs = (__u64)(uintptr_t)bm;
	b.count = 4;
	ASSERT_EQ(4, mbox_ioctl(self->fd, MBOX_IOC_SEND_BATCH, &b));
	EXPECT_EQ(4U, b.done);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
		EXPECT_EQ((__u32)i, hdr.type);
		EXPECT_EQ((__u64)i + 1, hdr.seq);
		EXPECT_EQ(-1, mbox_check(out, 8, i));
	}
}

/* A bad pointer: EFAULT, nothing delivered. */

TEST_F(rg, send_from_a_bad_pointer_is_efault_and_delivers_nothing)
{
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	struct mbox_stat st;
	const struct mbox_ring_rec *rec;
	__u32 len;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	/* An address the compiler cannot see through. */
	void *volatile bad = (void *)8;

	EXPECT_EQ(-EFAULT, mbox_send(self->fd, self->id, bad, 16, 0));
	EXPECT_EQ(-1, write(self->cfd, bad, 16));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(0ULL, st.sent_msgs);
	EXPECT_EQ(0ULL, st.recv_msgs);
	EXPECT_EQ(0U, st.msgs);
	/* Refused before any record is reserved. */
	EXPECT_EQ(0ULL, ring_prod_pos(&self->r));
	rec = ring_next(&self->r, &len);
	EXPECT_EQ(NULL, rec);
	EXPECT_EQ(-EAGAIN, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
	ASSERT_EQ(0, mbox_send(self->fd, self->id, "ok", 2, 0));
	ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
	EXPECT_EQ(2U, hdr.len);
	EXPECT_EQ(0, memcmp(out, "ok", 2));
}

TEST_F(rg, a_send_from_a_page_not_yet_faulted_in_leaves_no_discarded_record)
{
	long page = sysconf(_SC_PAGESIZE);
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	void *fresh;
	__u32 len;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	fresh = mmap(NULL, page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, fresh);
	ASSERT_EQ(0, mbox_send(self->fd, self->id, fresh, 16, 0));
	/* Faulted in before the reservation: one record, the message's. */
	EXPECT_EQ((__u64)MBOX_RING_REC_SIZE(16), ring_prod_pos(&self->r));
	ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
	EXPECT_EQ(16U, hdr.len);
	EXPECT_EQ(1ULL, hdr.seq);
	EXPECT_EQ(-1, mbox_check_fill(out, 16, 0));
	EXPECT_EQ(NULL, ring_next(&self->r, &len));
	munmap(fresh, page);
}

/* STAT */

TEST_F(rg, stat_counts_messages_as_received_when_they_enter_the_ring)
{
	__u64 per = MBOX_RING_REC_SIZE(MAX), fit = RSIZE / per, i;
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	struct mbox_stat st;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	for (i = 0; i < fit + 2; i++)
		ASSERT_EQ(0, mbox_send(self->fd, self->id, self->buf, MAX, 0));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(fit + 2, st.sent_msgs);
	EXPECT_EQ((fit + 2) * MAX, st.sent_bytes);
	EXPECT_EQ(fit, st.recv_msgs);
	EXPECT_EQ(fit * MAX, st.recv_bytes);
	EXPECT_EQ(2U, st.msgs);
	EXPECT_EQ((__u64)2 * MAX, st.bytes);
	EXPECT_EQ(getpid(), st.last_send_pid);
	EXPECT_EQ(getpid(), st.last_recv_pid);
	ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
	ASSERT_EQ(0, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(fit + 1, st.recv_msgs);
	EXPECT_EQ(1U, st.msgs);
}

/* Lifetime: munmap, close and destroy in every order. */
TEST_F(rg, munmap_close_and_destroy_are_safe_in_every_order)
{
	static const char orders[6][4] = {
		"umd", "udm", "mud", "mdu", "dum", "dmu",
	};
	unsigned int o, k;

	for (o = 0; o < 6; o++) {
		__u32 id = NEW_MBOX(self->fd, CAP, MAX);
		int f = mbox_open_id(self->fd, id, 0);
		bool dead = false;
		struct ring r;

		ASSERT_LE(0, f);
		ASSERT_EQ(0, ring_open(&r, f, RSIZE));
		ASSERT_EQ(0, mbox_send(self->fd, id, "life", 4, 0));
		for (k = 0; k < 3; k++) {
			switch (orders[o][k]) {
			case 'u':
				ring_unmap(&r);
				break;
			case 'm':
				ASSERT_EQ(0, close(f));
				break;
			case 'd':
				ASSERT_EQ(0, mbox_del(self->fd, id));
				dead = true;
				break;
			}
			if (!dead)
				EXPECT_EQ(0, mbox_send(self->fd, id, "more", 4,
						       MBOX_NONBLOCK))
					TH_LOG("order %.3s step %u", orders[o], k);
			if (r.ro && r.ro != MAP_FAILED) {
				/* What stays mapped stays readable. */
				EXPECT_LE(MBOX_RING_REC_SIZE(4), ring_prod_pos(&r));
				EXPECT_EQ(dead ? MBOX_RING_DEAD : 0U,
					  ring_flags(&r) & MBOX_RING_DEAD);
			}
		}
	}
}

TEST_F(rg, a_forked_child_reads_the_same_ring)
{
	pid_t pid;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	ASSERT_EQ(0, mbox_send(self->fd, self->id, "fork", 4, 0));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mbox_ring_rec hdr;
		unsigned char out[MAX];

		if (ring_take(&self->r, &hdr, out, sizeof(out)) ||
		    hdr.len != 4 || memcmp(out, "fork", 4))
			_exit(MBOX_CHILD_BAD_DATA);
		_exit(0);
	}
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	/* The child's store of the position is the parent's too. */
	EXPECT_EQ(ring_prod_pos(&self->r), self->r.cons->pos);
	ring_unmap(&self->r);
	close(self->cfd);
	self->cfd = -1;
}

/* Garbage in the consumer's position only makes the ring look full. */
TEST_F(rg, a_garbage_consumer_position_makes_the_ring_look_full)
{
	/* Ahead of the producer (0), or more than the size behind it. */
	static const __u64 bad[] = { 8, 1ULL << 63, 3, ~0ULL - RSIZE };
	struct mbox_stat st;
	unsigned int i;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		self->r.cons->pos = bad[i];
		/* The consumer is told to look (its own problem). */
		if (i)
			EXPECT_EQ(0, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
		ASSERT_EQ(0, mbox_send(self->fd, self->id, "g", 1, MBOX_NONBLOCK))
			TH_LOG("pos %#llx", (unsigned long long)bad[i]);
	}
	/* Nothing entered the ring. */
	EXPECT_EQ(0ULL, ring_prod_pos(&self->r));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(4U, st.msgs);
	EXPECT_EQ(MBOX_RING_REFILL, ring_flags(&self->r));
	self->r.cons->pos = ring_prod_pos(&self->r);
	EXPECT_EQ(0, ring_wait(self->cfd, MBOX_NONBLOCK, 0));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(0U, st.msgs);
}

/* The ring's bytes are charged to the mailbox's creator at setup. */
struct quota_arg {
	int create_err, setup_err, small_err;
	struct mbox_ring_setup failed;	/* the struct of the EDQUOT setup */
};

static int quota_child(int fd, void *arg)
{
	struct quota_arg *a = arg;
	struct mbox_ring_setup st;
	int id, f, ret;

	ret = cu_become_class(2);
	if (ret)
		return ret;
	id = mbox_create(fd, NULL, CAP, MAX, MBOX_CREATE_AUTODESTROY, 0);
	a->create_err = id < 0 ? id : 0;
	if (id < 0)
		return 0;
	f = mbox_open_id(fd, id, 0);
	if (f < 0)
		return f;
	a->setup_err = rs_setup(f, 4 * RSIZE, &st);
	a->failed = st;
	a->small_err = rs_setup(f, RSIZE, &st);
	close(f);
	mbox_del(fd, id);
	return 0;
}

/*
 * Run quota_child() with max_bytes_per_user lowered to room for a ring of
 * RSIZE (and its two pages), not one of 4 * RSIZE; then restore it.
 * Returns 0 or -errno (root only).
 */
static int quota_run(int fd, struct quota_arg *a)
{
	long long saved = cu_param_read("max_bytes_per_user");
	long page = sysconf(_SC_PAGESIZE);
	int ret;

	if (saved < 0)
		return saved;
	ret = cu_param_set("max_bytes_per_user", 2 * page + 2 * RSIZE);
	if (ret)
		return ret;
	ret = cu_run(fd, quota_child, a);
	cu_param_set("max_bytes_per_user", saved);
	return ret;
}

TEST_F(rg, setup_charges_the_ring_to_the_creator_and_is_edquot_over_its_share)
{
	struct quota_arg *a = mbox_shared_mem(sizeof(*a));

	ASSERT_NE(NULL, a);
	if (geteuid() != 0)
		SKIP(return, "needs root to set max_bytes_per_user");
	ASSERT_EQ(0, quota_run(self->fd, a));
	EXPECT_EQ(0, a->create_err);
	EXPECT_EQ(-EDQUOT, a->setup_err);
	EXPECT_EQ(0, a->small_err);
}

/*
 * The offsets are written before the ring is allocated (so that a struct
 * that cannot be written changes nothing): a setup that fails after its
 * checks, here with EDQUOT, has written them, and size and flags as given.
 */
TEST_F(rg, setup_failing_after_its_checks_has_written_the_offsets)
{
	struct quota_arg *a = mbox_shared_mem(sizeof(*a));
	long page = sysconf(_SC_PAGESIZE);

	ASSERT_NE(NULL, a);
	if (geteuid() != 0)
		SKIP(return, "needs root to set max_bytes_per_user");
	ASSERT_EQ(0, quota_run(self->fd, a));
	ASSERT_EQ(0, a->create_err);
	ASSERT_EQ(-EDQUOT, a->setup_err);
	EXPECT_EQ(4U * RSIZE, a->failed.size);
	EXPECT_EQ(0U, a->failed.flags);
	EXPECT_EQ(0ULL, a->failed.consumer_off);
	EXPECT_EQ((__u64)page, a->failed.producer_off);
	EXPECT_EQ(2ULL * page, a->failed.data_off);
}

/* Two processes: a producer sends, the consumer checks every record. */
TEST_F(rg, producer_and_consumer_processes_lose_duplicate_and_reorder_nothing)
{
	const __u64 n = 20000;
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	pid_t pid;
	__u64 i;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char buf[MAX];

		for (i = 0; i < n; i++) {
			__u64 len = i % (MAX + 1);
			int ret;

			mbox_fill(buf, len, i);
			ret = mbox_send(self->fd, self->id, buf, len, 0);
			if (ret)
				_exit(mbox_exit_code(ret));
		}
		_exit(0);
	}
	for (i = 0; i < n; i++) {
		__u64 len = i % (MAX + 1);

		ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)))
			TH_LOG("message %llu", i);
		ASSERT_EQ(len, hdr.len) TH_LOG("message %llu", i);
		ASSERT_EQ(-1, mbox_check(out, len, i)) TH_LOG("message %llu", i);
		ASSERT_EQ(pid, hdr.pid);
	}
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(NULL, ring_next(&self->r, (__u32 *)&i));
}

TEST_F(rg, a_consumer_sleeping_in_poll_is_woken_by_a_send)
{
	struct pollfd pfd = { .events = POLLIN };
	pid_t pid;

	pfd.fd = self->cfd;
	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		mbox_msleep(100);
		_exit(mbox_exit_code(mbox_send(self->fd, self->id, "e", 1, 0)));
	}
	EXPECT_EQ(1, poll(&pfd, 1, WAIT_MS));
	EXPECT_EQ(POLLIN, pfd.revents);
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
}

TEST_F(rg, an_epoll_added_before_the_setup_is_woken_by_a_ring_send)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(0);
	pid_t pid;

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->cfd, &ev));
	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* On the stack, present after fork: the fast path. */
		volatile char e = 'e';

		mbox_msleep(100);
		_exit(mbox_exit_code(mbox_send(self->fd, self->id,
					       (const void *)&e, 1, 0)));
	}
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, WAIT_MS));
	EXPECT_EQ((__u32)EPOLLIN, ev.events);
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	/* Straight into the ring: no queueing woke the mailbox's pollers. */
	EXPECT_EQ((__u64)MBOX_RING_REC_SIZE(1), ring_prod_pos(&self->r));
	close(ep);
}

TEST_F(rg, a_consumer_waiting_on_an_empty_ring_gets_eidrm_at_destroy)
{
	pid_t pid;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mbox_exit_code(ring_wait(self->cfd, 0, 0)));
	ASSERT_EQ(0, mbox_wait_blocked(pid, MBOX_IOC_RING_WAIT, WAIT_MS));
	ASSERT_EQ(0, mbox_del(self->fd, self->id));
	EXPECT_EQ(EIDRM, mbox_child_result(pid, WAIT_MS));
}

TEST_F(rg, a_consumer_that_catches_up_and_waits_is_woken_by_the_next_send)
{
	__u64 per = MBOX_RING_REC_SIZE(MAX), fit = RSIZE / per, i;
	struct mbox_ring_rec hdr;
	unsigned char out[MAX];
	pid_t pid;

	ASSERT_EQ(0, ring_open(&self->r, self->cfd, RSIZE));
	for (i = 0; i < fit; i++)
		ASSERT_EQ(0, mbox_send(self->fd, self->id, self->buf, MAX, 0));
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		mbox_msleep(100);
		_exit(mbox_exit_code(mbox_send(self->fd, self->id, "late", 4,
					       0)));
	}
	/* The consumer catches up and waits; the late send wakes it. */
	for (i = 0; i < fit; i++)
		ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
	ASSERT_EQ(0, ring_take(&self->r, &hdr, out, sizeof(out)));
	EXPECT_EQ(4U, hdr.len);
	EXPECT_EQ(0, memcmp(out, "late", 4));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
}

TEST_HARNESS_MAIN
