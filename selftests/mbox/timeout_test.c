// SPDX-License-Identifier: GPL-2.0
/*
 * mbox timeout tests: MBOX_TIMEOUT (relative) and MBOX_TIMEOUT_ABS
 * (CLOCK_MONOTONIC deadline) on sends and receives: ETIMEDOUT not before
 * the limit, a limit of 0 or a past deadline tries once, a call served in
 * time succeeds, a call that times out changes nothing; invalid flag and
 * timeout combinations; and signals during a timed wait (a handler gives
 * EINTR, stop and continue do not move an absolute deadline, SIGKILL ends
 * the wait at once).
 *
 * Elapsed times are measured with CLOCK_MONOTONIC around the call.  Upper
 * bounds are generous (the VM emulates its CPUs): they only tell "returned
 * after the timeout" from "waited for something else".
 */
#define _GNU_SOURCE
#include <limits.h>

#include "proc_util.h"

#define CAP		2
#define NOUT		4
#define SHORT_MS	200	/* the timeouts that are meant to expire */
#define LATE_MS		5000	/* returning this late is a failure */
#define LONG_NS		MS_NS(20000)	/* timeouts that must not expire */

struct tmo_data {
	int fd;
	__u32 id;
	struct pout *out;
};

#define TMO_SETUP(d, features, capacity) do {				\
	MBOX_OPEN_OR_SKIP(&(d)->fd);					\
	REQUIRE_FEATURES((d)->fd, MBOX_FEATURE_TIMEOUT |		\
			 MBOX_FEATURE_STAT_EXT | (features));		\
	(d)->out = pouts_new(NOUT);					\
	ASSERT_NE(NULL, (d)->out);					\
	(d)->id = NEW_MBOX((d)->fd, capacity, PMSG_BUF);		\
} while (0)

static void tdata_teardown(struct tmo_data *d)
{
	mbox_cleanup(d->fd);
	if (d->out)
		munmap(d->out, NOUT * sizeof(*d->out));
}

/* A mailbox of capacity CAP, empty. */
FIXTURE(tmo) {
	struct tmo_data d;
};

FIXTURE_SETUP(tmo)
{
	TMO_SETUP(&self->d, 0, CAP);
}

FIXTURE_TEARDOWN(tmo)
{
	tdata_teardown(&self->d);
}

static void get_stat(struct __test_metadata *_metadata, int fd, __u32 id,
		     struct mbox_stat *st)
{
	ASSERT_EQ(0, mbox_stat_id(fd, id, st));
}

/* STAT of @id is exactly @before. */
static void expect_unchanged(struct __test_metadata *_metadata, int fd,
			     __u32 id, const struct mbox_stat *before)
{
	struct mbox_stat now;

	get_stat(_metadata, fd, id, &now);
	EXPECT_EQ(before->msgs, now.msgs);
	EXPECT_EQ(before->bytes, now.bytes);
	EXPECT_EQ(before->sent_msgs, now.sent_msgs);
	EXPECT_EQ(before->recv_msgs, now.recv_msgs);
	EXPECT_EQ(0U, now.blocked_senders);
	EXPECT_EQ(0U, now.blocked_receivers);
	EXPECT_EQ(0, memcmp(before, &now, sizeof(now)))
		TH_LOG("STAT changed");
}

#define EXPECT_UNCHANGED(before) \
	expect_unchanged(_metadata, self->d.fd, self->d.id, before)

/* @t0..@t1 is at least @ms and less than LATE_MS. */
#define EXPECT_WAITED(t0, t1, ms) do {					\
	__u64 __el = (t1) - (t0);					\
									\
	EXPECT_LE(MS_NS(ms), __el)					\
		TH_LOG("returned after %llu us, before %d ms",		\
		       (unsigned long long)__el / 1000, ms);		\
	EXPECT_GT(MS_NS(LATE_MS), __el)					\
		TH_LOG("returned after %llu ms",			\
		       (unsigned long long)__el / 1000000);		\
} while (0)

/* @t0..@t1 is short: the call did not wait. */
#define EXPECT_AT_ONCE(t0, t1) do {					\
	__u64 __el = (t1) - (t0);					\
									\
	EXPECT_GT(MS_NS(SHORT_MS), __el)				\
		TH_LOG("took %llu ms", (unsigned long long)__el / 1000000); \
} while (0)

static void fill(struct __test_metadata *_metadata, int fd, __u32 id)
{
	int i;

	for (i = 0; i < CAP; i++)
		ASSERT_EQ(0, pmsg_send(fd, id, i, MBOX_NONBLOCK, 0, 0));
}

static struct pcall sender(__u32 id, __u32 seq, __u32 flags, __u64 timeout)
{
	return (struct pcall){
		.id = id, .seq = seq, .flags = flags, .timeout_ns = timeout,
	};
}

static struct pcall receiver(__u32 id, __u32 flags, __u64 timeout)
{
	return (struct pcall){
		.recv = true, .id = id, .flags = flags, .timeout_ns = timeout,
	};
}

TEST_F(tmo, relative_timeout_recv_from_an_empty_mailbox_gives_etimedout_after_it)
{
	struct mbox_stat before;
	__u64 t0, t1;
	long ret;

	get_stat(_metadata, self->d.fd, self->d.id, &before);
	t0 = pnow_ns();
	ret = pmsg_recv(self->d.fd, self->d.id, MBOX_TIMEOUT, MS_NS(SHORT_MS),
			0, NULL);
	t1 = pnow_ns();
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_WAITED(t0, t1, SHORT_MS);
	EXPECT_UNCHANGED(&before);
}

TEST_F(tmo, relative_timeout_send_to_a_full_mailbox_gives_etimedout_after_it)
{
	struct mbox_stat before;
	__u64 t0, t1;
	int ret;

	fill(_metadata, self->d.fd, self->d.id);
	get_stat(_metadata, self->d.fd, self->d.id, &before);
	t0 = pnow_ns();
	ret = pmsg_send(self->d.fd, self->d.id, 9, MBOX_TIMEOUT,
			MS_NS(SHORT_MS), 0);
	t1 = pnow_ns();
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_WAITED(t0, t1, SHORT_MS);
	EXPECT_UNCHANGED(&before);
	/* The timed-out message is nowhere. */
	EXPECT_EQ(0, pmsg_recv(self->d.fd, self->d.id, MBOX_NONBLOCK, 0, 0,
			       NULL));
	EXPECT_EQ(1, pmsg_recv(self->d.fd, self->d.id, MBOX_NONBLOCK, 0, 0,
			       NULL));
	EXPECT_EQ(-EAGAIN, pmsg_recv(self->d.fd, self->d.id, MBOX_NONBLOCK, 0,
				     0, NULL));
}

TEST_F(tmo, timed_out_waiters_are_counted_while_they_wait_and_change_nothing)
{
	struct pcall r = receiver(self->d.id, MBOX_TIMEOUT, MS_NS(600));
	struct pcall s = sender(self->d.id, 9, MBOX_TIMEOUT_ABS, 0);
	struct mbox_stat before, during;
	pid_t pid;

	get_stat(_metadata, self->d.fd, self->d.id, &before);
	pid = PSPAWN_BLOCKED(self->d.fd, &r, &self->d.out[0], 0, 1);
	get_stat(_metadata, self->d.fd, self->d.id, &during);
	EXPECT_EQ(0U, during.msgs);
	EXPECT_EQ(0ULL, during.recv_msgs);
	EXPECT_CHILD(ETIMEDOUT, pid, "timed receiver");
	EXPECT_WAITED(self->d.out[0].start_ns, self->d.out[0].end_ns, 600);
	EXPECT_UNCHANGED(&before);

	fill(_metadata, self->d.fd, self->d.id);
	get_stat(_metadata, self->d.fd, self->d.id, &before);
	s.timeout_ns = pnow_ns() + MS_NS(600);
	pid = PSPAWN_BLOCKED(self->d.fd, &s, &self->d.out[1], 1, 0);
	get_stat(_metadata, self->d.fd, self->d.id, &during);
	EXPECT_EQ((__u32)CAP, during.msgs);
	EXPECT_EQ((__u64)CAP, during.sent_msgs);
	EXPECT_CHILD(ETIMEDOUT, pid, "timed sender");
	EXPECT_LE(s.timeout_ns, self->d.out[1].end_ns);
	EXPECT_UNCHANGED(&before);
}

TEST_F(tmo, zero_relative_timeout_tries_once)
{
	__u64 t0, t1;

	t0 = pnow_ns();
	EXPECT_EQ(-ETIMEDOUT, pmsg_recv(self->d.fd, self->d.id, MBOX_TIMEOUT,
					0, 0, NULL));
	t1 = pnow_ns();
	EXPECT_AT_ONCE(t0, t1);

	EXPECT_EQ(0, pmsg_send(self->d.fd, self->d.id, 0, MBOX_TIMEOUT, 0, 0));
	EXPECT_EQ(0, pmsg_send(self->d.fd, self->d.id, 1, MBOX_TIMEOUT, 0, 0));
	t0 = pnow_ns();
	EXPECT_EQ(-ETIMEDOUT, pmsg_send(self->d.fd, self->d.id, 2,
					MBOX_TIMEOUT, 0, 0));
	t1 = pnow_ns();
	EXPECT_AT_ONCE(t0, t1);

	EXPECT_EQ(0, pmsg_recv(self->d.fd, self->d.id, MBOX_TIMEOUT, 0, 0,
			       NULL));
	EXPECT_EQ(1, pmsg_recv(self->d.fd, self->d.id, MBOX_TIMEOUT, 0, 0,
			       NULL));
	EXPECT_EQ(-ETIMEDOUT, pmsg_recv(self->d.fd, self->d.id, MBOX_TIMEOUT,
					0, 0, NULL));
}

TEST_F(tmo, deadline_in_the_past_tries_once)
{
	const __u64 pasts[] = { 0, 1, pnow_ns() - MS_NS(1000) };
	__u64 t0, t1;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pasts); i++) {
		__u64 past = pasts[i];

		t0 = pnow_ns();
		EXPECT_EQ(-ETIMEDOUT, pmsg_recv(self->d.fd, self->d.id,
						MBOX_TIMEOUT_ABS, past, 0,
						NULL));
		t1 = pnow_ns();
		EXPECT_AT_ONCE(t0, t1);

		EXPECT_EQ(0, pmsg_send(self->d.fd, self->d.id, 0,
				       MBOX_TIMEOUT_ABS, past, 0));
		EXPECT_EQ(0, pmsg_send(self->d.fd, self->d.id, 1,
				       MBOX_TIMEOUT_ABS, past, 0));
		t0 = pnow_ns();
		EXPECT_EQ(-ETIMEDOUT, pmsg_send(self->d.fd, self->d.id, 2,
						MBOX_TIMEOUT_ABS, past, 0));
		t1 = pnow_ns();
		EXPECT_AT_ONCE(t0, t1);

		EXPECT_EQ(0, pmsg_recv(self->d.fd, self->d.id,
				       MBOX_TIMEOUT_ABS, past, 0, NULL));
		EXPECT_EQ(1, pmsg_recv(self->d.fd, self->d.id,
				       MBOX_TIMEOUT_ABS, past, 0, NULL));
	}
}

TEST_F(tmo, absolute_deadline_ahead_gives_etimedout_not_before_it)
{
	struct mbox_stat before;
	__u64 deadline, t0, t1;

	get_stat(_metadata, self->d.fd, self->d.id, &before);
	t0 = pnow_ns();
	deadline = t0 + MS_NS(SHORT_MS);
	EXPECT_EQ(-ETIMEDOUT, pmsg_recv(self->d.fd, self->d.id,
					MBOX_TIMEOUT_ABS, deadline, 0, NULL));
	t1 = pnow_ns();
	EXPECT_LE(deadline, t1);
	EXPECT_WAITED(t0, t1, SHORT_MS);
	EXPECT_UNCHANGED(&before);

	fill(_metadata, self->d.fd, self->d.id);
	get_stat(_metadata, self->d.fd, self->d.id, &before);
	t0 = pnow_ns();
	deadline = t0 + MS_NS(SHORT_MS);
	EXPECT_EQ(-ETIMEDOUT, pmsg_send(self->d.fd, self->d.id, 9,
					MBOX_TIMEOUT_ABS, deadline, 0));
	t1 = pnow_ns();
	EXPECT_LE(deadline, t1);
	EXPECT_WAITED(t0, t1, SHORT_MS);
	EXPECT_UNCHANGED(&before);
}

TEST_F(tmo, timed_recv_that_gets_a_message_in_time_succeeds)
{
	struct pcall c[2] = {
		receiver(self->d.id, MBOX_TIMEOUT, LONG_NS),
		receiver(self->d.id, MBOX_TIMEOUT_ABS, pnow_ns() + LONG_NS),
	};
	struct pout *o;
	pid_t pid;
	int i;

	for (i = 0; i < 2; i++) {
		o = &self->d.out[i];
		pid = PSPAWN_BLOCKED(self->d.fd, &c[i], o, 0, 1);
		EXPECT_EQ(0, pmsg_send(self->d.fd, self->d.id, 40 + i,
				       MBOX_NONBLOCK, 0, 0));
		EXPECT_CHILD(0, pid, "receiver %d", i);
		EXPECT_EQ(PMSG_LEN, o->ret);
		EXPECT_EQ(40 + i, o->seq);
		EXPECT_GT(MS_NS(LATE_MS), o->end_ns - o->start_ns);
	}
}

TEST_F(tmo, timed_send_that_gets_a_slot_in_time_succeeds)
{
	struct pcall c[2] = {
		sender(self->d.id, 50, MBOX_TIMEOUT, LONG_NS),
		sender(self->d.id, 51, MBOX_TIMEOUT_ABS, pnow_ns() + LONG_NS),
	};
	struct pout *o;
	pid_t pid;
	int i;

	fill(_metadata, self->d.fd, self->d.id);
	for (i = 0; i < 2; i++) {
		o = &self->d.out[i];
		pid = PSPAWN_BLOCKED(self->d.fd, &c[i], o, 1, 0);
		EXPECT_EQ(i, pmsg_recv(self->d.fd, self->d.id, MBOX_NONBLOCK,
				       0, 0, NULL));
		EXPECT_CHILD(0, pid, "sender %d", i);
		EXPECT_EQ(0, o->ret);
		EXPECT_GT(MS_NS(LATE_MS), o->end_ns - o->start_ns);
	}
	EXPECT_EQ(50, pmsg_recv(self->d.fd, self->d.id, MBOX_NONBLOCK, 0, 0,
				NULL));
	EXPECT_EQ(51, pmsg_recv(self->d.fd, self->d.id, MBOX_NONBLOCK, 0, 0,
				NULL));
}

static const __u32 bad_wait_flags[] = {
	MBOX_NONBLOCK | MBOX_TIMEOUT,
	MBOX_TIMEOUT | MBOX_TIMEOUT_ABS,
	MBOX_NONBLOCK | MBOX_TIMEOUT_ABS,
	MBOX_NONBLOCK | MBOX_TIMEOUT | MBOX_TIMEOUT_ABS,
};

#define NR_BAD	ARRAY_SIZE(bad_wait_flags)

/*
 * Each call would succeed at once with valid flags: a slot is free for the
 * send and a message is queued for the receive.
 */
TEST_F(tmo, send_with_more_than_one_wait_flag_is_einval)
{
	struct mbox_stat before;
	size_t i;

	get_stat(_metadata, self->d.fd, self->d.id, &before);
	for (i = 0; i < NR_BAD; i++) {
		EXPECT_EQ(-EINVAL, pmsg_send(self->d.fd, self->d.id, 1,
					     bad_wait_flags[i], 0, 0))
			TH_LOG("flags 0x%x, timeout 0", bad_wait_flags[i]);
		EXPECT_EQ(-EINVAL, pmsg_send(self->d.fd, self->d.id, 1,
					     bad_wait_flags[i], LONG_NS, 0))
			TH_LOG("flags 0x%x", bad_wait_flags[i]);
	}
	EXPECT_UNCHANGED(&before);
}

TEST_F(tmo, recv_with_more_than_one_wait_flag_is_einval)
{
	struct mbox_stat before;
	size_t i;

	ASSERT_EQ(0, pmsg_send(self->d.fd, self->d.id, 1, MBOX_NONBLOCK, 0,
			       0));
	get_stat(_metadata, self->d.fd, self->d.id, &before);
	for (i = 0; i < NR_BAD; i++) {
		EXPECT_EQ(-EINVAL, pmsg_recv(self->d.fd, self->d.id,
					     bad_wait_flags[i], 0, 0, NULL))
			TH_LOG("flags 0x%x, timeout 0", bad_wait_flags[i]);
		EXPECT_EQ(-EINVAL, pmsg_recv(self->d.fd, self->d.id,
					     bad_wait_flags[i], LONG_NS, 0,
					     NULL))
			TH_LOG("flags 0x%x", bad_wait_flags[i]);
	}
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(1, pmsg_recv(self->d.fd, self->d.id, MBOX_NONBLOCK, 0, 0,
			       NULL));
}

TEST_F(tmo, send_with_timeout_ns_but_no_timeout_flag_is_einval)
{
	struct mbox_stat before;

	get_stat(_metadata, self->d.fd, self->d.id, &before);
	EXPECT_EQ(-EINVAL, pmsg_send(self->d.fd, self->d.id, 1, 0, 1, 0));
	EXPECT_EQ(-EINVAL, pmsg_send(self->d.fd, self->d.id, 1, 0,
				     MS_NS(SHORT_MS), 0));
	EXPECT_EQ(-EINVAL, pmsg_send(self->d.fd, self->d.id, 1, MBOX_NONBLOCK,
				     MS_NS(SHORT_MS), 0));
	EXPECT_EQ(-EINVAL, pmsg_send(self->d.fd, self->d.id, 1, 0, ULLONG_MAX,
				     0));
	EXPECT_UNCHANGED(&before);
}

TEST_F(tmo, recv_with_timeout_ns_but_no_timeout_flag_is_einval)
{
	struct mbox_stat before;

	ASSERT_EQ(0, pmsg_send(self->d.fd, self->d.id, 1, MBOX_NONBLOCK, 0,
			       0));
	get_stat(_metadata, self->d.fd, self->d.id, &before);
	EXPECT_EQ(-EINVAL, pmsg_recv(self->d.fd, self->d.id, 0, 1, 0, NULL));
	EXPECT_EQ(-EINVAL, pmsg_recv(self->d.fd, self->d.id, 0,
				     MS_NS(SHORT_MS), 0, NULL));
	EXPECT_EQ(-EINVAL, pmsg_recv(self->d.fd, self->d.id, MBOX_NONBLOCK,
				     MS_NS(SHORT_MS), 0, NULL));
	EXPECT_EQ(-EINVAL, pmsg_recv(self->d.fd, self->d.id, 0, ULLONG_MAX, 0,
				     NULL));
	EXPECT_UNCHANGED(&before);
}

/*
 * A call with timeout @timeout (as @flags says) made by a child is still
 * waiting 200 ms after it blocked; a SIGUSR1 handler then ends it.
 */
static void expect_waits(struct __test_metadata *_metadata,
			 struct tmo_data *d, struct pcall *c, struct pout *o)
{
	unsigned long cmd = c->recv ? MBOX_IOC_RECV : MBOX_IOC_SEND;
	pid_t pid;

	c->on_usr1 = true;
	pid = PSPAWN_BLOCKED(d->fd, c, o, c->recv ? 0 : 1, c->recv ? 1 : 0);
	mbox_msleep(SHORT_MS);
	ASSERT_TRUE(mbox_alive(pid)) TH_LOG("the call ended: %ld", o->ret);
	EXPECT_NE(0, mbox_in_ioctl(pid, cmd));
	ASSERT_BLOCKED(d->fd, d->id, c->recv ? 0 : 1, c->recv ? 1 : 0);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_CHILD(EINTR, pid, "flags 0x%x, timeout %llu", c->flags,
		     (unsigned long long)c->timeout_ns);
}

TEST_F(tmo, huge_relative_timeout_waits)
{
	struct pcall r = receiver(self->d.id, MBOX_TIMEOUT, ULLONG_MAX);
	struct pcall s = sender(self->d.id, 9, MBOX_TIMEOUT, ULLONG_MAX);
	struct pcall r2 = receiver(self->d.id, MBOX_TIMEOUT, ULLONG_MAX / 2);

	expect_waits(_metadata, &self->d, &r, &self->d.out[0]);
	expect_waits(_metadata, &self->d, &r2, &self->d.out[1]);
	fill(_metadata, self->d.fd, self->d.id);
	expect_waits(_metadata, &self->d, &s, &self->d.out[2]);
}

TEST_F(tmo, huge_absolute_deadline_waits)
{
	struct pcall r = receiver(self->d.id, MBOX_TIMEOUT_ABS, ULLONG_MAX);
	struct pcall s = sender(self->d.id, 9, MBOX_TIMEOUT_ABS, ULLONG_MAX);
	struct pcall r2 = receiver(self->d.id, MBOX_TIMEOUT_ABS,
				   (__u64)LLONG_MAX);

	expect_waits(_metadata, &self->d, &r, &self->d.out[0]);
	expect_waits(_metadata, &self->d, &r2, &self->d.out[1]);
	fill(_metadata, self->d.fd, self->d.id);
	expect_waits(_metadata, &self->d, &s, &self->d.out[2]);
}

/*
 * A child makes timed call @c; it is stopped from about @stop_ms to about
 * @cont_ms after it blocked.  Returns its outcome in @o and the time at
 * which it was continued in *@cont_ns.
 */
static void stop_during(struct __test_metadata *_metadata, struct tmo_data *d,
			struct pcall *c, struct pout *o, int stop_ms,
			int cont_ms, int want, __u64 *cont_ns)
{
	long long t0;
	pid_t pid;

	pid = PSPAWN_BLOCKED(d->fd, c, o, c->recv ? 0 : 1, c->recv ? 1 : 0);
	t0 = mbox_now_ms();
	mbox_msleep(stop_ms);
	ASSERT_EQ(0, pstop(pid));
	mbox_msleep(t0 + cont_ms - mbox_now_ms() > 0 ?
		    t0 + cont_ms - mbox_now_ms() : 0);
	*cont_ns = pnow_ns();
	ASSERT_EQ(0, kill(pid, SIGCONT));
	EXPECT_CHILD(want, pid, "stopped and continued");
}

/* The absolute deadline stays where it was: the wait is not stretched. */
TEST_F(tmo, stop_and_continue_do_not_move_an_absolute_deadline)
{
	struct pcall c = receiver(self->d.id, MBOX_TIMEOUT_ABS, 0);
	struct pout *o = &self->d.out[0];
	struct mbox_stat before;
	__u64 cont;

	get_stat(_metadata, self->d.fd, self->d.id, &before);
	c.timeout_ns = pnow_ns() + MS_NS(1500);
	stop_during(_metadata, &self->d, &c, o, 100, 1100, ETIMEDOUT, &cont);
	EXPECT_EQ(-ETIMEDOUT, o->ret);
	EXPECT_LE(c.timeout_ns, o->end_ns);
	EXPECT_GT(MS_NS(700), o->end_ns - c.timeout_ns)
		TH_LOG("ended %llu ms after the deadline",
		       (unsigned long long)(o->end_ns - c.timeout_ns) / 1000000);
	EXPECT_UNCHANGED(&before);
}

/* Stopped until after its deadline, the call times out when continued. */
TEST_F(tmo, stopped_past_an_absolute_deadline_times_out_when_continued)
{
	struct pcall c = sender(self->d.id, 9, MBOX_TIMEOUT_ABS, 0);
	struct pout *o = &self->d.out[0];
	struct mbox_stat before;
	__u64 cont;

	fill(_metadata, self->d.fd, self->d.id);
	get_stat(_metadata, self->d.fd, self->d.id, &before);
	c.timeout_ns = pnow_ns() + MS_NS(300);
	stop_during(_metadata, &self->d, &c, o, 0, 800, ETIMEDOUT, &cont);
	EXPECT_LE(c.timeout_ns, cont);
	EXPECT_LE(cont, o->end_ns);
	EXPECT_GT(MS_NS(700), o->end_ns - cont)
		TH_LOG("ended %llu ms after SIGCONT",
		       (unsigned long long)(o->end_ns - cont) / 1000000);
	EXPECT_UNCHANGED(&before);
}

/*
 * Stop and continue restart a relative wait (the header says so): the call
 * still ends with ETIMEDOUT, not EINTR, and not before its timeout.
 */
TEST_F(tmo, stop_and_continue_end_a_relative_wait_with_etimedout)
{
	struct pcall c = receiver(self->d.id, MBOX_TIMEOUT, MS_NS(600));
	struct pout *o = &self->d.out[0];
	struct mbox_stat before;
	__u64 cont;

	get_stat(_metadata, self->d.fd, self->d.id, &before);
	stop_during(_metadata, &self->d, &c, o, 100, 300, ETIMEDOUT, &cont);
	EXPECT_WAITED(o->start_ns, o->end_ns, 600);
	EXPECT_UNCHANGED(&before);
}

TEST_F(tmo, sigkill_ends_a_timed_wait_at_once)
{
	struct pcall c[3] = {
		receiver(self->d.id, MBOX_TIMEOUT, LONG_NS),
		receiver(self->d.id, MBOX_TIMEOUT_ABS, pnow_ns() + LONG_NS),
		sender(self->d.id, 9, MBOX_TIMEOUT, LONG_NS),
	};
	struct mbox_stat before;
	__u64 t0, t1;
	pid_t pid;
	int i;

	for (i = 0; i < 3; i++) {
		if (i == 2)
			fill(_metadata, self->d.fd, self->d.id);
		get_stat(_metadata, self->d.fd, self->d.id, &before);
		pid = PSPAWN_BLOCKED(self->d.fd, &c[i], &self->d.out[i],
				     c[i].recv ? 0 : 1, c[i].recv ? 1 : 0);
		t0 = pnow_ns();
		ASSERT_EQ(0, kill(pid, SIGKILL));
		EXPECT_CHILD(1000 + SIGKILL, pid, "call %d", i);
		t1 = pnow_ns();
		EXPECT_GT(MS_NS(3000), t1 - t0)
			TH_LOG("reaped %llu ms after SIGKILL",
			       (unsigned long long)(t1 - t0) / 1000000);
		EXPECT_UNCHANGED(&before);
	}
}

/* A signal handler ends a timed wait with EINTR, whatever SA_RESTART says. */
FIXTURE(tmo_sig) {
	struct tmo_data d;
};

FIXTURE_VARIANT(tmo_sig) {
	int sa_flags;
};

FIXTURE_VARIANT_ADD(tmo_sig, no_restart) {
	.sa_flags = 0,
};

FIXTURE_VARIANT_ADD(tmo_sig, sa_restart) {
	.sa_flags = SA_RESTART,
};

FIXTURE_SETUP(tmo_sig)
{
	TMO_SETUP(&self->d, 0, CAP);
}

FIXTURE_TEARDOWN(tmo_sig)
{
	tdata_teardown(&self->d);
}

static void expect_eintr(struct __test_metadata *_metadata,
			 struct tmo_data *d, struct pcall *c, struct pout *o,
			 int sa_flags)
{
	struct mbox_stat before;
	pid_t pid;

	get_stat(_metadata, d->fd, d->id, &before);
	c->on_usr1 = true;
	c->sa_flags = sa_flags;
	pid = PSPAWN_BLOCKED(d->fd, c, o, c->recv ? 0 : 1, c->recv ? 1 : 0);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_CHILD(EINTR, pid, "flags 0x%x", c->flags);
	EXPECT_EQ(1, o->handled);
	EXPECT_GT(MS_NS(LATE_MS), o->end_ns - o->start_ns);
	expect_unchanged(_metadata, d->fd, d->id, &before);
}

TEST_F(tmo_sig, handler_ends_a_timed_recv_with_eintr)
{
	struct pcall c = receiver(self->d.id, MBOX_TIMEOUT, LONG_NS);

	expect_eintr(_metadata, &self->d, &c, &self->d.out[0],
		     variant->sa_flags);
	c = receiver(self->d.id, MBOX_TIMEOUT_ABS, pnow_ns() + LONG_NS);
	expect_eintr(_metadata, &self->d, &c, &self->d.out[1],
		     variant->sa_flags);
	/* Nothing was taken on their behalf: the next message is there. */
	EXPECT_EQ(0, pmsg_send(self->d.fd, self->d.id, 7, MBOX_NONBLOCK, 0,
			       0));
	EXPECT_EQ(7, pmsg_recv(self->d.fd, self->d.id, MBOX_NONBLOCK, 0, 0,
			       NULL));
}

TEST_F(tmo_sig, handler_ends_a_timed_send_with_eintr)
{
	struct pcall c = sender(self->d.id, 9, MBOX_TIMEOUT, LONG_NS);

	fill(_metadata, self->d.fd, self->d.id);
	expect_eintr(_metadata, &self->d, &c, &self->d.out[0],
		     variant->sa_flags);
	c = sender(self->d.id, 10, MBOX_TIMEOUT_ABS, pnow_ns() + LONG_NS);
	expect_eintr(_metadata, &self->d, &c, &self->d.out[1],
		     variant->sa_flags);
	EXPECT_EQ(0, pmsg_recv(self->d.fd, self->d.id, MBOX_NONBLOCK, 0, 0,
			       NULL));
	EXPECT_EQ(1, pmsg_recv(self->d.fd, self->d.id, MBOX_NONBLOCK, 0, 0,
			       NULL));
	EXPECT_EQ(-EAGAIN, pmsg_recv(self->d.fd, self->d.id, MBOX_NONBLOCK, 0,
				     0, NULL));
}

/* Capacity 0. */
FIXTURE(tmo_rdv) {
	struct tmo_data d;
};

FIXTURE_SETUP(tmo_rdv)
{
	TMO_SETUP(&self->d, MBOX_FEATURE_RENDEZVOUS, 0);
}

FIXTURE_TEARDOWN(tmo_rdv)
{
	tdata_teardown(&self->d);
}

TEST_F(tmo_rdv, timed_send_without_a_receiver_times_out_and_delivers_nothing)
{
	struct mbox_stat before;
	__u64 t0, t1;

	get_stat(_metadata, self->d.fd, self->d.id, &before);
	t0 = pnow_ns();
	EXPECT_EQ(-ETIMEDOUT, pmsg_send(self->d.fd, self->d.id, 1,
					MBOX_TIMEOUT, MS_NS(SHORT_MS), 0));
	t1 = pnow_ns();
	EXPECT_WAITED(t0, t1, SHORT_MS);
	EXPECT_EQ(-ETIMEDOUT, pmsg_send(self->d.fd, self->d.id, 2,
					MBOX_TIMEOUT, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, pmsg_send(self->d.fd, self->d.id, 3,
					MBOX_TIMEOUT_ABS, 1, 0));
	EXPECT_UNCHANGED(&before);
	EXPECT_EQ(-EAGAIN, pmsg_recv(self->d.fd, self->d.id, MBOX_NONBLOCK, 0,
				     0, NULL));
}

TEST_F(tmo_rdv, timed_recv_without_a_sender_times_out)
{
	struct mbox_stat before;
	__u64 t0, t1;

	get_stat(_metadata, self->d.fd, self->d.id, &before);
	t0 = pnow_ns();
	EXPECT_EQ(-ETIMEDOUT, pmsg_recv(self->d.fd, self->d.id,
					MBOX_TIMEOUT_ABS,
					t0 + MS_NS(SHORT_MS), 0, NULL));
	t1 = pnow_ns();
	EXPECT_WAITED(t0, t1, SHORT_MS);
	EXPECT_EQ(-ETIMEDOUT, pmsg_recv(self->d.fd, self->d.id, MBOX_TIMEOUT,
					0, 0, NULL));
	EXPECT_UNCHANGED(&before);
}

TEST_F(tmo_rdv, zero_timeout_succeeds_when_the_other_side_waits)
{
	struct pcall r = receiver(self->d.id, 0, 0);
	struct pcall s = sender(self->d.id, 61, 0, 0);
	pid_t pid;

	pid = PSPAWN_BLOCKED(self->d.fd, &r, &self->d.out[0], 0, 1);
	EXPECT_EQ(0, pmsg_send(self->d.fd, self->d.id, 60, MBOX_TIMEOUT, 0,
			       0));
	EXPECT_CHILD(0, pid, "receiver");
	EXPECT_EQ(60, self->d.out[0].seq);

	pid = PSPAWN_BLOCKED(self->d.fd, &s, &self->d.out[1], 1, 0);
	EXPECT_EQ(61, pmsg_recv(self->d.fd, self->d.id, MBOX_TIMEOUT, 0, 0,
				NULL));
	EXPECT_CHILD(0, pid, "sender");
}

/*
 * Races between a wait ending (timeout, signal) and a completer serving it:
 * whatever a call reports is what happened.  Children loop over timed or
 * interruptible calls and record each one that succeeded; the parent sends
 * or receives the other side and records what it got.  Every message must
 * then be accounted for exactly once, in each sender's order.
 */
#define RACE_KIDS	3
#define RACE_MAX	300	/* calls per child */
#define RACE_MSGS	(RACE_KIDS * RACE_MAX)
#define RACE_MSGS_U	((__u32)RACE_MSGS)

struct race_kid {
	int ready;		/* set up: SIGUSR1 will not kill it */
	int done;
	int err;		/* an unexpected errno, else 0 */
	__u32 nok, nfail;
	__u32 ok[RACE_MSGS];	/* messages sent or received, in order */
};

struct race {
	int stop;
	__u32 ngot;
	__u32 got[RACE_MSGS];	/* what the parent received, in order */
	struct race_kid kid[RACE_KIDS];
};

FIXTURE(race) {
	struct tmo_data d;
	struct race *r;
	pid_t pid[RACE_KIDS];
};

FIXTURE_VARIANT(race) {
	__u32 capacity;
	__u64 features;
};

FIXTURE_VARIANT_ADD(race, capacity_1) {
	.capacity = 1,
};

FIXTURE_VARIANT_ADD(race, rendezvous) {
	.capacity = 0,
	.features = MBOX_FEATURE_RENDEZVOUS,
};

FIXTURE_SETUP(race)
{
	TMO_SETUP(&self->d, variant->features, variant->capacity);
	self->r = mmap(NULL, sizeof(*self->r), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->r);
}

FIXTURE_TEARDOWN(race)
{
	tdata_teardown(&self->d);
	if (self->r && self->r != MAP_FAILED)
		munmap(self->r, sizeof(*self->r));
}

static bool race_stopped(struct race *r)
{
	return __atomic_load_n(&r->stop, __ATOMIC_ACQUIRE);
}

/* A timeout of 0 to 1.5 ms, or a deadline as far ahead. */
static __u64 race_timeout(unsigned int *seed, __u32 flags)
{
	__u64 ns = (rand_r(seed) % 4) * 500000ULL;

	return flags & MBOX_TIMEOUT_ABS ? pnow_ns() + ns : ns;
}

/* Record outcome @ret of call @i of kid @k; false to stop. */
static bool race_note(struct race_kid *k, long ret, __u32 seq, int failure)
{
	if (ret >= 0) {
		if (k->nok == RACE_MSGS) {
			k->err = E2BIG;
			return false;
		}
		k->ok[k->nok++] = seq;
		return true;
	}
	if (ret == -failure) {
		k->nfail++;
		return true;
	}
	k->err = ret == PMSG_BAD ? EBADMSG : (int)-ret;
	return false;
}

static void __attribute__((noreturn)) race_exit(struct race_kid *k)
{
	__atomic_store_n(&k->done, 1, __ATOMIC_RELEASE);
	_exit(k->err ? 1 : 0);
}

/* Kid @n: receive with short timeouts until told to stop. */
static void __attribute__((noreturn))
race_timed_receiver(int fd, __u32 id, struct race *r, int n)
{
	unsigned int seed = n + 1;
	__u32 flags = n % 2 ? MBOX_TIMEOUT_ABS : MBOX_TIMEOUT;
	struct race_kid *k = &r->kid[n];
	long ret;

	__atomic_store_n(&k->ready, 1, __ATOMIC_RELEASE);
	while (!race_stopped(r)) {
		ret = pmsg_recv(fd, id, flags, race_timeout(&seed, flags), 0,
				NULL);
		if (!race_note(k, ret, ret, ETIMEDOUT))
			break;
	}
	race_exit(k);
}

/* Kid @n: send RACE_MAX messages with short timeouts, each only once. */
static void __attribute__((noreturn))
race_timed_sender(int fd, __u32 id, struct race *r, int n)
{
	unsigned int seed = n + 1;
	__u32 flags = n % 2 ? MBOX_TIMEOUT_ABS : MBOX_TIMEOUT;
	struct race_kid *k = &r->kid[n];
	__u32 seq;
	int i;

	__atomic_store_n(&k->ready, 1, __ATOMIC_RELEASE);
	for (i = 0; i < RACE_MAX; i++) {
		seq = n * RACE_MAX + i;
		if (!race_note(k, pmsg_send(fd, id, seq, flags,
					    race_timeout(&seed, flags), 0),
			       seq, ETIMEDOUT))
			break;
	}
	race_exit(k);
}

/* Kid @n: RACE_MAX blocking sends that SIGUSR1 may interrupt. */
static void __attribute__((noreturn))
race_interrupted_sender(int fd, __u32 id, struct race *r, int n)
{
	struct race_kid *k = &r->kid[n];
	struct sigaction sa;
	__u32 seq;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pchild_on_usr1;
	sa.sa_flags = n % 2 ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		_exit(MBOX_CHILD_SETUP);
	__atomic_store_n(&k->ready, 1, __ATOMIC_RELEASE);
	for (i = 0; i < RACE_MAX; i++) {
		seq = n * RACE_MAX + i;
		if (!race_note(k, pmsg_send(fd, id, seq, 0, 0, 0), seq, EINTR))
			break;
	}
	race_exit(k);
}

/* Kid @n: receives that SIGUSR1 may interrupt, until told to stop. */
static void __attribute__((noreturn))
race_interrupted_receiver(int fd, __u32 id, struct race *r, int n)
{
	struct race_kid *k = &r->kid[n];
	struct sigaction sa;
	long ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pchild_on_usr1;
	sa.sa_flags = n % 2 ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		_exit(MBOX_CHILD_SETUP);
	__atomic_store_n(&k->ready, 1, __ATOMIC_RELEASE);
	while (!race_stopped(r)) {
		/* The timeout only lets it see the stop flag. */
		ret = pmsg_recv(fd, id, MBOX_TIMEOUT, MS_NS(50), 0, NULL);
		if (ret == -ETIMEDOUT)
			continue;
		if (!race_note(k, ret, ret, EINTR))
			break;
	}
	race_exit(k);
}

static void race_start(struct __test_metadata *_metadata, int fd, __u32 id,
		       struct race *r, pid_t *pid,
		       void (*fn)(int fd, __u32 id, struct race *r, int n))
{
	int n;

	memset(r, 0, sizeof(*r));
	for (n = 0; n < RACE_KIDS; n++) {
		pid[n] = mbox_fork();
		ASSERT_LE(0, pid[n]);
		if (pid[n] == 0)
			fn(fd, id, r, n);
	}
	/* Signal them only once they handle SIGUSR1. */
	for (n = 0; n < RACE_KIDS; n++) {
		long long end = mbox_now_ms() + PWAIT_MS;

		while (!__atomic_load_n(&r->kid[n].ready, __ATOMIC_ACQUIRE)) {
			ASSERT_GT(end, mbox_now_ms()) TH_LOG("kid %d", n);
			mbox_msleep(1);
		}
	}
}

static bool race_kids_done(struct race *r)
{
	int n;

	for (n = 0; n < RACE_KIDS; n++)
		if (!__atomic_load_n(&r->kid[n].done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

/* Parent: receive until every kid is done and nothing more comes. */
static void race_drain(struct __test_metadata *_metadata, int fd, __u32 id,
		       struct race *r, const pid_t *pid, bool poke)
{
	long long end = mbox_now_ms() + 60000;
	unsigned int seed = 7, i = 0;
	long ret;

	for (;;) {
		bool done = race_kids_done(r);

		ret = pmsg_recv(fd, id, MBOX_TIMEOUT, MS_NS(1), 0, NULL);
		if (ret >= 0) {
			ASSERT_GT(RACE_MSGS_U, r->ngot);
			r->got[r->ngot++] = ret;
		} else {
			ASSERT_EQ(-ETIMEDOUT, ret);
			if (done)
				break;
		}
		if (poke && !done)
			kill(pid[rand_r(&seed) % RACE_KIDS], SIGUSR1);
		if (++i % 16 == 0)
			mbox_msleep(1);
		ASSERT_GT(end, mbox_now_ms()) TH_LOG("the kids never finished");
	}
}

/* Parent: send RACE_MSGS messages, each until it goes through. */
static void race_feed(struct __test_metadata *_metadata, int fd, __u32 id,
		      const pid_t *pid, bool poke)
{
	unsigned int seed = 7;
	__u32 seq;
	int ret;

	for (seq = 0; seq < RACE_MSGS; seq++) {
		do {
			if (poke)
				kill(pid[rand_r(&seed) % RACE_KIDS], SIGUSR1);
			ret = pmsg_send(fd, id, seq, MBOX_TIMEOUT, MS_NS(5000),
					0);
		} while (ret == -ETIMEDOUT);
		ASSERT_EQ(0, ret) TH_LOG("message %u", seq);
		if (seq % 16 == 0)
			mbox_msleep(1);
	}
}

static void race_reap(struct __test_metadata *_metadata, struct race *r,
		      const pid_t *pid)
{
	int n;

	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	for (n = 0; n < RACE_KIDS; n++) {
		EXPECT_CHILD(0, pid[n], "kid %d (errno %d)", n, r->kid[n].err);
		TH_LOG("kid %d: %u calls succeeded, %u failed", n,
		       r->kid[n].nok, r->kid[n].nfail);
	}
}

/* What race_check() found wrong, with the first example of each. */
struct race_faults {
	__u32 dup, ghost, lost, disorder;
	long first_dup, first_ghost, first_lost, first_disorder;
};

/* Message @seq was received; @sent: its send reported success. */
static void race_got(struct race_faults *f, unsigned char *seen, __u32 seq)
{
	if (seen[seq] & 2) {
		if (!f->dup++)
			f->first_dup = seq;
	} else if (!(seen[seq] & 1)) {
		if (!f->ghost++)
			f->first_ghost = seq;
	}
	seen[seq] |= 2;
}

/* A receiver got @seq after a message numbered *@last - 1 of its sender. */
static void race_order(struct race_faults *f, __u32 *last, __u32 seq)
{
	if (seq < *last && !f->disorder++)
		f->first_disorder = seq;
	*last = seq + 1;
}

/*
 * Check that each message sent (every kid's ok[] for sending kids, 0 ..
 * RACE_MSGS - 1 for a sending parent) was received exactly once (by the
 * parent, or by a kid), that no message whose send failed was received,
 * and that each receiver got each sender's messages in the order they were
 * sent.
 */
static void race_check(struct __test_metadata *_metadata, int fd, __u32 id,
		       struct race *r, bool kids_send)
{
	static unsigned char seen[RACE_MSGS];
	struct race_faults f = { 0 };
	__u32 i, seq, nsent = 0, nrecv = r->ngot, last;
	struct mbox_stat st;
	int n;

	memset(seen, 0, sizeof(seen));
	for (n = 0; n < RACE_KIDS; n++) {
		for (i = 0; i < r->kid[n].nok; i++)
			ASSERT_GT(RACE_MSGS_U, r->kid[n].ok[i]);
	}
	for (i = 0; i < r->ngot; i++)
		ASSERT_GT(RACE_MSGS_U, r->got[i]);

	if (kids_send) {
		for (n = 0; n < RACE_KIDS; n++) {
			for (i = 0; i < r->kid[n].nok; i++)
				seen[r->kid[n].ok[i]] |= 1;
			nsent += r->kid[n].nok;
		}
		for (i = 0; i < r->ngot; i++)
			race_got(&f, seen, r->got[i]);
		for (n = 0; n < RACE_KIDS; n++) {
			last = 0;
			for (i = 0; i < r->ngot; i++)
				if (r->got[i] / RACE_MAX == (__u32)n)
					race_order(&f, &last, r->got[i]);
		}
	} else {
		memset(seen, 1, sizeof(seen));
		nsent = RACE_MSGS;
		for (n = 0; n < RACE_KIDS; n++) {
			last = 0;
			for (i = 0; i < r->kid[n].nok; i++) {
				race_got(&f, seen, r->kid[n].ok[i]);
				race_order(&f, &last, r->kid[n].ok[i]);
			}
			nrecv += r->kid[n].nok;
		}
		for (i = 0; i < r->ngot; i++)
			race_got(&f, seen, r->got[i]);
	}
	for (seq = 0; seq < RACE_MSGS; seq++) {
		if (seen[seq] == 1 && !f.lost++)
			f.first_lost = seq;
	}

	EXPECT_EQ(0U, f.lost)
		TH_LOG("sent, never received: %u messages, the first %ld",
		       f.lost, f.first_lost);
	EXPECT_EQ(0U, f.dup)
		TH_LOG("received twice: %u messages, the first %ld", f.dup,
		       f.first_dup);
	EXPECT_EQ(0U, f.ghost)
		TH_LOG("received though the send failed: %u, the first %ld",
		       f.ghost, f.first_ghost);
	EXPECT_EQ(0U, f.disorder)
		TH_LOG("received out of order: %u, the first %ld", f.disorder,
		       f.first_disorder);
	EXPECT_EQ(nsent, nrecv);
	ASSERT_EQ(0, mbox_stat_id(fd, id, &st));
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ(0U, st.blocked_senders);
	EXPECT_EQ(0U, st.blocked_receivers);
	EXPECT_EQ((__u64)nsent, st.sent_msgs);
	EXPECT_EQ((__u64)nsent, st.recv_msgs);
}

TEST_F_TIMEOUT(race, timed_receivers_get_each_message_once_whatever_times_out,
	       120)
{
	race_start(_metadata, self->d.fd, self->d.id, self->r, self->pid,
		   race_timed_receiver);
	race_feed(_metadata, self->d.fd, self->d.id, self->pid, false);
	race_reap(_metadata, self->r, self->pid);
	race_drain(_metadata, self->d.fd, self->d.id, self->r, self->pid,
		   false);
	race_check(_metadata, self->d.fd, self->d.id, self->r, false);
}

TEST_F_TIMEOUT(race, timed_senders_deliver_exactly_the_sends_that_succeeded,
	       120)
{
	race_start(_metadata, self->d.fd, self->d.id, self->r, self->pid,
		   race_timed_sender);
	race_drain(_metadata, self->d.fd, self->d.id, self->r, self->pid,
		   false);
	race_reap(_metadata, self->r, self->pid);
	race_check(_metadata, self->d.fd, self->d.id, self->r, true);
}

TEST_F_TIMEOUT(race, interrupted_senders_deliver_exactly_the_sends_that_succeeded,
	       120)
{
	race_start(_metadata, self->d.fd, self->d.id, self->r, self->pid,
		   race_interrupted_sender);
	race_drain(_metadata, self->d.fd, self->d.id, self->r, self->pid,
		   true);
	race_reap(_metadata, self->r, self->pid);
	race_check(_metadata, self->d.fd, self->d.id, self->r, true);
}

TEST_F_TIMEOUT(race, interrupted_receivers_get_each_message_once, 120)
{
	race_start(_metadata, self->d.fd, self->d.id, self->r, self->pid,
		   race_interrupted_receiver);
	race_feed(_metadata, self->d.fd, self->d.id, self->pid, true);
	race_reap(_metadata, self->r, self->pid);
	race_drain(_metadata, self->d.fd, self->d.id, self->r, self->pid,
		   false);
	race_check(_metadata, self->d.fd, self->d.id, self->r, false);
}

TEST_HARNESS_MAIN
