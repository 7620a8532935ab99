// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel API through its sample, samples/mbox_tick: an hrtimer posts
 * {tick, CLOCK_MONOTONIC ns} from hard-IRQ context into mailboxes
 * "kernel.tick.0".."kernel.tick.N-1", one per subscriber.
 *
 * Covered: the sample's process-context checks of the kernel API (load with
 * selftest=1); 4 processes each receive every tick in order, with no gap
 * but the drops the module counted for them, and the ticks really ran in
 * hard IRQ; slow subscribers drop ticks and every drop is counted; no
 * process can take the kernel's names; a driver handed an id by a process
 * (the sample's deputy= parameter) gets only what the process could use
 * itself, and mbox_kget() only the kernel's mailboxes; the IRQ-context send while
 * processes send, receive, poll, stat, destroy and re-create the same
 * mailboxes (on the debug kernel, lockdep and DEBUG_ATOMIC_SLEEP watch);
 * creates that pin a new IPC namespace finish while hundreds of kernel API
 * work items wait for mbox's name lock (load with storm=640); and after
 * every unload, the sample's mailboxes are gone.
 *
 * The module is loaded from $MBOX_TICK_KO (default /mbox_tick.ko) with
 * finit_module(); the tests skip if it is absent.  MBOX_TICK_HZ,
 * MBOX_TICK_COUNT and MBOX_TICK_HAMMER_MS scale the runs.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sched.h>

#include "cred_util.h"

#define TICK_TYPE		1
#define TICK_SUBS_MAX		8
#define TICK_PARAMS		"/sys/module/mbox_tick/parameters/"
#define TICK_RECV_TIMEOUT_NS	200000000ULL	/* 200 ms */

/* The sample's message. */
struct tick_msg {
	__u64 tick;
	__u64 ns;
};

/* What a subscriber saw, in memory shared with the parent. */
struct tick_sub {
	__u64 received;
	__u64 gaps;
	__u64 last;
	__u64 first_tick, first_ns;
	__u64 last_ns;
	int bad;		/* 0, or why the subscriber gave up */
	__u64 bad_value;
};

struct tick_shared {
	int done;		/* set by the parent: the timer has stopped */
	struct tick_sub sub[TICK_SUBS_MAX];
};

static unsigned long tick_env(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

static const char *tick_ko(void)
{
	const char *ko = getenv("MBOX_TICK_KO");

	return ko && *ko ? ko : "/mbox_tick.ko";
}

/* finit_module() of the sample with @params: 0 or -errno. */
static int tick_load(const char *params)
{
	int fd = open(tick_ko(), O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

static int tick_loaded(void)
{
	return access("/sys/module/mbox_tick", F_OK) == 0;
}

static int tick_unload(void)
{
	return syscall(SYS_delete_module, "mbox_tick", O_NONBLOCK) ? -errno : 0;
}

/* A parameter's value; the first of a list.  -1 if unreadable. */
static long long tick_param(const char *name)
{
	char path[128], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), TICK_PARAMS "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtoll(buf, NULL, 10);
}

/* The per-subscriber list "dropped": how many values were read, or -1. */
static int tick_dropped(unsigned long long *out, int max)
{
	char buf[1024], *p, *end;
	ssize_t n;
	int fd, i;

	fd = open(TICK_PARAMS "dropped", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (i = 0, p = buf; i < max; i++, p = end + 1) {
		out[i] = strtoull(p, &end, 10);
		if (end == p)
			break;
		if (*end != ',') {
			i++;
			break;
		}
	}
	return i;
}

static int tick_lookup(int fd, unsigned int i)
{
	char name[MBOX_NAME_MAX];
	struct mbox_lookup arg = { .name = (__u64)(uintptr_t)name };

	snprintf(name, sizeof(name), MBOX_KERNEL_NAME_PREFIX "tick.%u", i);
	return mbox_ioctl(fd, MBOX_IOC_LOOKUP, &arg);
}

/* Wait until the sample fired @count ticks; then until its last send ended. */
static int tick_wait_ticks(long long count, int timeout_ms)
{
	long long end = mbox_now_ms() + timeout_ms;

	while (tick_param("ticks") < count) {
		if (mbox_now_ms() > end)
			return -ETIMEDOUT;
		mbox_msleep(10);
	}
	mbox_msleep(100);
	return 0;
}

#define TICK_BAD_LEN	1
#define TICK_BAD_TYPE	2
#define TICK_BAD_SENDER	3
#define TICK_BAD_ORDER	4
#define TICK_BAD_TIME	5
#define TICK_BAD_ERRNO	6
#define TICK_BAD_LOOKUP	7

static const char *const tick_bad_what[] = {
	"", "length", "type", "sender pid/uid", "tick order", "time order",
	"receive errno", "lookup errno",
};

/*
 * Subscriber @i: receive ticks until tick @count, or until the parent says
 * the timer stopped and the mailbox is empty.  Every @slow_every ticks it
 * sleeps @slow_ms, to fall behind.
 */
static void tick_subscribe(unsigned int i, __u64 count,
			   unsigned int slow_every, unsigned int slow_ms,
			   struct tick_shared *sh)
{
	struct tick_sub *s = &sh->sub[i];
	int fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	int id = fd < 0 ? -errno : tick_lookup(fd, i);

	if (id < 0) {
		s->bad = TICK_BAD_LOOKUP;
		s->bad_value = -id;
		_exit(1);
	}
	for (;;) {
		struct tick_msg m;
		struct mbox_recv r = {
			.id = id,
			.flags = MBOX_TIMEOUT,
			.timeout_ns = TICK_RECV_TIMEOUT_NS,
			.buf = (__u64)(uintptr_t)&m,
			.len = sizeof(m),
		};
		int done = __atomic_load_n(&sh->done, __ATOMIC_ACQUIRE);
		int ret;

		if (done)
			r.flags = MBOX_NONBLOCK, r.timeout_ns = 0;
		ret = ioc_recv(fd, &r);
		if ((ret == -ETIMEDOUT && !done))
			continue;
		if (ret == -EAGAIN && done)
			break;
		if (ret < 0) {
			s->bad = TICK_BAD_ERRNO;
			s->bad_value = -ret;
			_exit(1);
		}
		if (r.len != sizeof(m) || r.msg_len != sizeof(m)) {
			s->bad = TICK_BAD_LEN;
			s->bad_value = r.msg_len;
		} else if (r.type != TICK_TYPE) {
			s->bad = TICK_BAD_TYPE;
			s->bad_value = r.type;
		} else if (r.pid != 0 || r.uid != 0) {
			s->bad = TICK_BAD_SENDER;
			s->bad_value = r.pid;
		} else if (m.tick <= s->last || m.tick > count) {
			s->bad = TICK_BAD_ORDER;
			s->bad_value = m.tick;
		} else if (m.ns < s->last_ns || r.send_ns < m.ns) {
			s->bad = TICK_BAD_TIME;
			s->bad_value = m.ns;
		}
		if (s->bad)
			_exit(1);
		if (!s->received) {
			s->first_tick = m.tick;
			s->first_ns = m.ns;
		}
		s->gaps += m.tick - s->last - 1;
		s->last = m.tick;
		s->last_ns = m.ns;
		s->received++;
		if (slow_every && s->received % slow_every == 0)
			mbox_msleep(slow_ms);
		if (m.tick == count)
			break;
	}
	s->gaps += count - s->last;
	_exit(0);
}

FIXTURE(tick) {
	int fd;
};

FIXTURE_SETUP(tick)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	if (access(tick_ko(), R_OK))
		SKIP(_exit(255), "%s is absent", tick_ko());
	if (tick_loaded())
		ASSERT_EQ(0, tick_unload());
}

FIXTURE_TEARDOWN(tick)
{
	mbox_kill_kids();
	if (tick_loaded())
		tick_unload();
	mbox_cleanup(self->fd);
}

/* Unload the sample, then check that no kernel.tick.N is left. */
#define TICK_UNLOAD_AND_CHECK_GONE(fd, subs) do {			\
	unsigned int __i;						\
	ASSERT_EQ(0, tick_unload());					\
	ASSERT_FALSE(tick_loaded());					\
	for (__i = 0; __i < (subs); __i++)				\
		EXPECT_EQ(-ENOENT, tick_lookup(fd, __i))		\
			TH_LOG("kernel.tick.%u after unload", __i);	\
} while (0)

/*
 * Run @nsubs subscribers on a sample loaded with hz, count and capacity,
 * then check each one's ticks against the module's counts.
 */
static void tick_run(struct __test_metadata *_metadata, int fd,
		     unsigned int nsubs, unsigned long hz, unsigned long count,
		     unsigned int capacity, unsigned int slow_every,
		     unsigned int slow_ms, int expect_drops)
{
	unsigned long long dropped[TICK_SUBS_MAX];
	__u64 t0 = 0, ns0 = 0, t1 = 0, ns1 = 0;
	struct tick_shared *sh;
	pid_t pid[TICK_SUBS_MAX];
	long long ticks, hard, overruns;
	char params[256];
	unsigned int i;

	sh = mbox_shared_mem(sizeof(*sh));
	ASSERT_NE(NULL, sh);
	snprintf(params, sizeof(params),
		 "hz=%lu count=%lu subscribers=%u capacity=%u", hz, count,
		 nsubs, capacity);
	ASSERT_EQ(0, tick_load(params)) TH_LOG("load %s", params);

	for (i = 0; i < nsubs; i++) {
		pid[i] = mbox_fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i])
			tick_subscribe(i, count, slow_every, slow_ms, sh);
	}
	ASSERT_EQ(0, tick_wait_ticks(count, 60000 + count * 20000 / hz))
		TH_LOG("the sample fired %lld of %lu ticks",
		       tick_param("ticks"), count);
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	for (i = 0; i < nsubs; i++) {
		struct tick_sub *s = &sh->sub[i];

		EXPECT_EQ(0, mbox_child_result(pid[i], 30000))
			TH_LOG("subscriber %u: bad %s %llu after tick %llu", i,
			       tick_bad_what[s->bad],
			       (unsigned long long)s->bad_value,
			       (unsigned long long)s->last);
	}

	ticks = tick_param("ticks");
	hard = tick_param("hardirq_ticks");
	overruns = tick_param("overruns");
	EXPECT_EQ((long long)count, ticks);
	EXPECT_EQ(ticks, hard) TH_LOG("ticks not fired in hard-IRQ context");
	EXPECT_EQ((int)nsubs, tick_dropped(dropped, TICK_SUBS_MAX));
	EXPECT_EQ(0, tick_param("nomem"));

	for (i = 0; i < nsubs; i++) {
		struct tick_sub *s = &sh->sub[i];

		EXPECT_EQ(dropped[i], s->gaps)
			TH_LOG("subscriber %u: gaps %llu, dropped %llu", i,
			       (unsigned long long)s->gaps, dropped[i]);
		EXPECT_EQ(count, s->received + dropped[i]);
		if (expect_drops)
			EXPECT_LT(0, dropped[i]);
		if (s->received && (!t0 || s->first_tick < t0)) {
			t0 = s->first_tick;
			ns0 = s->first_ns;
		}
		if (s->last_ns > ns1) {
			t1 = s->last;
			ns1 = s->last_ns;
		}
	}

	printf("# hz=%lu count=%lu capacity=%u: %lld ticks", hz, count,
	       capacity, ticks);
	if (ns1 > ns0)
		printf(" at %.1f Hz (ticks %llu..%llu in %.3f s)",
		       (double)(t1 - t0) * 1e9 / (double)(ns1 - ns0),
		       (unsigned long long)t0, (unsigned long long)t1,
		       (double)(ns1 - ns0) / 1e9);
	printf(", %lld in hard IRQ, %lld timer overruns\n", hard, overruns);
	for (i = 0; i < nsubs; i++)
		printf("#   subscriber %u: received %llu, dropped %llu, gaps %llu\n",
		       i, (unsigned long long)sh->sub[i].received, dropped[i],
		       (unsigned long long)sh->sub[i].gaps);
	fflush(stdout);

	TICK_UNLOAD_AND_CHECK_GONE(fd, nsubs);
	munmap(sh, sizeof(*sh));
}

TEST_F(tick, kernel_api_checks_pass_from_process_context)
{
	ASSERT_EQ(0, tick_load("selftest=1 count=1 subscribers=1"))
		TH_LOG("the sample's checks failed: see dmesg");
	ASSERT_EQ(0, tick_wait_ticks(1, 10000));
	EXPECT_EQ(1, tick_param("hardirq_ticks"));
	TICK_UNLOAD_AND_CHECK_GONE(self->fd, 1);
}

TEST_F(tick, four_subscribers_get_every_tick_in_order_gaps_are_counted_drops)
{
	tick_run(_metadata, self->fd, 4, tick_env("MBOX_TICK_HZ", 1000),
		 tick_env("MBOX_TICK_COUNT", 5000), 64, 0, 0, 0);
}

TEST_F(tick, slow_subscribers_drop_ticks_and_every_drop_is_counted)
{
	/*
	 * 4 slots and a 50 ms nap every 8 ticks: more than 4 ticks pass
	 * during each nap even where hrtimers only fire at a 250 Hz tick.
	 */
	tick_run(_metadata, self->fd, 4, 1000, 1000, 4, 8, 50, 1);
}

/* MBOX_IOC_CREATE of @name with @flags: the id or -errno. */
static int tick_create_named(int fd, const char *name, __u64 flags)
{
	struct mbox_create c = {
		.capacity = 1,
		.max_msg_size = 16,
		.flags = flags,
		.name = (__u64)(uintptr_t)name,
	};

	return ioc_create(fd, &c);
}

TEST_F(tick, no_process_can_take_or_create_a_kernel_name)
{
	struct mbox_info info = { 0 };
	int id;

	ASSERT_EQ(0, ioc_info(self->fd, &info));
	EXPECT_TRUE(info.features & MBOX_FEATURE_KERNEL_NAMES);
	/* Root, free names, with and without MBOX_CREATE_EXCL. */
	EXPECT_EQ(-EPERM, tick_create_named(self->fd, "kernel.tick.1", 0));
	EXPECT_EQ(-EPERM, tick_create_named(self->fd, "kernel.tick.1",
					    MBOX_CREATE_EXCL));
	EXPECT_EQ(-EPERM, tick_create_named(self->fd, "kernel.", 0));
	EXPECT_EQ(-ENOENT, tick_lookup(self->fd, 1));
	/* Names that only look alike are anyone's. */
	id = tick_create_named(self->fd, "kernel", 0);
	ASSERT_LT(0, id);
	mbox_track(id);
	id = tick_create_named(self->fd, "Kernel.tick.1", 0);
	ASSERT_LT(0, id);
	mbox_track(id);

	ASSERT_EQ(0, tick_load("subscribers=2"));
	id = tick_lookup(self->fd, 1);
	EXPECT_LT(0, id);
	/* Taken by the kernel: still EPERM, not its id. */
	EXPECT_EQ(-EPERM, tick_create_named(self->fd, "kernel.tick.1", 0));
	TICK_UNLOAD_AND_CHECK_GONE(self->fd, 2);
}

/* The sample's deputy results after a load with deputy=@id, in @out[3]. */
static void tick_deputy_results(long long *out)
{
	out[0] = tick_param("deputy_kget");
	out[1] = tick_param("deputy_read");
	out[2] = tick_param("deputy_write");
}

/* In a child (cu_run): as CU_OWNER, a mailbox of mode 0604, id in @arg. */
static int tick_create_as_owner(int fd, void *arg)
{
	int ret = cu_become_class(0);

	if (ret)
		return ret;
	ret = cu_new_mode(fd, 1, 16, 0604);
	*(int *)arg = ret;
	return ret < 0 ? ret : 0;
}

/* Load the sample as a driver handed @arg's id, in a child (cu_run). */
static int tick_load_deputy(int fd, void *arg)
{
	char params[64];

	(void)fd;
	snprintf(params, sizeof(params), "subscribers=1 deputy=%d",
		 *(int *)arg);
	return tick_load(params);
}

static int tick_load_deputy_no_ipc_owner(int fd, void *arg)
{
	if (cu_drop_cap(CAP_IPC_OWNER))
		return -EPERM;
	return tick_load_deputy(fd, arg);
}

static int tick_load_deputy_new_ipc_ns(int fd, void *arg)
{
	if (unshare(CLONE_NEWIPC))
		return -errno;
	return tick_load_deputy(fd, arg);
}

/*
 * A driver that takes a mailbox id from a process (the sample with
 * deputy=ID, loaded by that process) must not be a confused deputy: it
 * gets the mailbox only if the process could open it so itself.
 */
TEST_F(tick, a_driver_given_an_id_gets_only_what_the_process_may_use)
{
	int *shared = mbox_shared_mem(sizeof(int));
	long long r[3];
	int id;

	/* Made by another user; others (root without CAP_IPC_OWNER) read. */
	ASSERT_NE(NULL, shared);
	ASSERT_EQ(0, cu_run(self->fd, tick_create_as_owner, shared));
	id = *shared;
	ASSERT_LT(0, id);
	mbox_track(id);

	/* Root with CAP_IPC_OWNER: a user's mailbox, never mbox_kget()'s. */
	ASSERT_EQ(0, cu_run(self->fd, tick_load_deputy, &id));
	tick_deputy_results(r);
	EXPECT_EQ(-ENOENT, r[0]);
	EXPECT_EQ(0, r[1]);
	EXPECT_EQ(0, r[2]);
	ASSERT_EQ(0, tick_unload());

	/* Without CAP_IPC_OWNER, root is "other": read only. */
	ASSERT_EQ(0, cu_run(self->fd, tick_load_deputy_no_ipc_owner, &id));
	tick_deputy_results(r);
	EXPECT_EQ(-ENOENT, r[0]);
	EXPECT_EQ(0, r[1]);
	EXPECT_EQ(-EACCES, r[2]);
	ASSERT_EQ(0, tick_unload());

	/* From another IPC namespace, the id names nothing. */
	ASSERT_EQ(0, cu_run(self->fd, tick_load_deputy_new_ipc_ns, &id));
	tick_deputy_results(r);
	EXPECT_EQ(-ENOENT, r[0]);
	EXPECT_EQ(-ENOENT, r[1]);
	EXPECT_EQ(-ENOENT, r[2]);
	ASSERT_EQ(0, tick_unload());

	/*
	 * mbox_kget() of a kernel mailbox, mbox_kget_user()'s EINVAL: the
	 * sample's own checks (kernel_api_checks_pass_from_process_context).
	 */
}

/*
 * The first mailbox of a new IPC namespace waits, holding mbox_names_lock,
 * for a work item that pins the namespace.  Hundreds of kernel API work
 * items waiting for that lock at once (the sample's storm threads, each
 * looking a name up in a loop) must not hold that work item back: with
 * both on one shared work queue, they filled its max_active and it never
 * ran.  Each create runs in a child of its own, with a 20 s bound.
 */
static int create_in_new_ipc_ns(int fd, void *arg)
{
	int id;

	(void)arg;
	if (unshare(CLONE_NEWIPC))
		return -errno;
	id = mbox_new(fd, 1, 8);
	if (id < 0)
		return id;
	return mbox_del(fd, id);
}

TEST_F_TIMEOUT(tick, namespace_pins_finish_while_kernel_api_items_crowd_the_lock,
	       180)
{
	__u64 t0;
	int i;

	ASSERT_EQ(0, tick_load("storm=640 hz=10 subscribers=1"));
	/* Time for the storm's work items to fill the workers. */
	mbox_msleep(3000);
	for (i = 0; i < 4; i++) {
		t0 = mbox_now_ns();
		EXPECT_EQ(0, cu_run(self->fd, create_in_new_ipc_ns, NULL))
			TH_LOG("create %d in a new IPC namespace", i);
		printf("# create %d in a new IPC namespace: %.3f s\n", i,
		       (double)(mbox_now_ns() - t0) / 1e9);
	}
	TICK_UNLOAD_AND_CHECK_GONE(self->fd, 1);
}

/* One hammering process: random operations on tick.(@i % 2) until @end. */
static void tick_hammer(unsigned int i, long long end)
{
	unsigned int seed = 1234 + i, k = i % 2;
	int fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	char name[MBOX_NAME_MAX];
	struct tick_msg m;

	snprintf(name, sizeof(name), "tick.%u", k);
	while (mbox_now_ms() < end) {
		int id = tick_lookup(fd, k), op = rand_r(&seed) % 100, ret;
		struct mbox_recv r = {
			.buf = (__u64)(uintptr_t)&m,
			.len = sizeof(m),
		};
		struct mbox_stat st;

		if (id == -ENOENT) {
			mbox_msleep(1);
			continue;
		}
		if (id < 0)
			_exit(MBOX_CHILD_SETUP);
		r.id = id;
		if (op < 40) {
			/* A waiting receiver: the timer hands ticks to it. */
			r.flags = MBOX_TIMEOUT;
			r.timeout_ns = 1000000;
			ret = ioc_recv(fd, &r);
		} else if (op < 55) {
			ret = mbox_put(fd, id, &m, sizeof(m), MBOX_NONBLOCK);
		} else if (op < 70) {
			ret = mbox_stat_id(fd, id, &st);
		} else if (op < 85) {
			struct pollfd p = { .events = POLLIN };

			ret = p.fd = mbox_open_id(fd, id, MBOX_FD_NONBLOCK);
			if (p.fd >= 0) {
				poll(&p, 1, 1);
				ret = read(p.fd, &m, sizeof(m)) < 0 ? -errno : 0;
				close(p.fd);
			}
		} else if (op < 88) {
			ret = mbox_del(fd, id);
			if (!ret && op == 87) {
				/* Re-create it ourselves, racing the sample. */
				struct mbox_create c = {
					.capacity = 8,
					.max_msg_size = sizeof(m),
					.name = (__u64)(uintptr_t)name,
				};

				ret = ioc_create(fd, &c);
				ret = ret > 0 ? 0 : ret;
			}
		} else {
			r.flags = MBOX_NONBLOCK;
			ret = ioc_recv(fd, &r);
		}
		if (ret < 0 && ret != -ENOENT && ret != -EIDRM &&
		    ret != -EAGAIN && ret != -ETIMEDOUT)
			_exit(-ret & 0xff);
	}
	_exit(0);
}

TEST_F(tick, irq_sends_race_send_recv_poll_stat_destroy_recreate)
{
	long long end = mbox_now_ms() + tick_env("MBOX_TICK_HAMMER_MS", 3000);
	long long ticks;
	unsigned int i;
	pid_t pid[4];
	int id;

	ASSERT_EQ(0, tick_load("hz=2000 subscribers=2 capacity=8"));
	for (i = 0; i < 4; i++) {
		pid[i] = mbox_fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i])
			tick_hammer(i, end);
	}
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, mbox_child_result(pid[i], 120000))
			TH_LOG("hammer %u", i);

	/*
	 * The timer still runs, and counts a tick as hard IRQ before it
	 * counts it: read after the ticks, hardirq_ticks is at least as high.
	 */
	ticks = tick_param("ticks");
	EXPECT_LT(0, ticks);
	EXPECT_LE(ticks, tick_param("hardirq_ticks"));
	EXPECT_LT(0, tick_param("renewed"));
	printf("# %lld ticks, %lld mailboxes renewed after destroys\n", ticks,
	       tick_param("renewed"));
	fflush(stdout);
	ASSERT_EQ(0, tick_unload());
	/* What is left under these names, processes created. */
	for (i = 0; i < 2; i++) {
		id = tick_lookup(self->fd, i);
		if (id > 0)
			mbox_del(self->fd, id);
	}
}

TEST_HARNESS_MAIN
