// SPDX-License-Identifier: GPL-2.0
/*
 * mbox waiting tests: a full mailbox blocks senders and an empty one blocks
 * receivers until another process acts; MBOX_NONBLOCK; destroy waking
 * waiters with EIDRM; signals ending a wait.
 *
 * The waiting side always runs in a child process.  The parent checks that
 * the child really sleeps inside the ioctl (/proc/PID/stat and
 * /proc/PID/syscall), that it still does ~200 ms later, and that STAT shows
 * nothing happened, before it unblocks the child and checks the child's
 * result, which the child reports as its exit code (0 or an errno).
 */
#define _GNU_SOURCE
#include <limits.h>

#include "mbox_util.h"

#define CAP		2
#define MSG_LEN		16
#define NR_SLOTS	16
#define WAIT_MS		5000	/* for anything that should happen at once */

/*
 * Messages of these tests: a sequence number, then bytes that depend on
 * it, so a receiver knows which message it got and that it is whole.
 */
static void bmsg_make(unsigned char *b, __u32 seq)
{
	int i;

	memcpy(b, &seq, sizeof(seq));
	for (i = sizeof(seq); i < MSG_LEN; i++)
		b[i] = mbox_pattern_byte(seq, i);
}

/* The sequence number of message @b of @len bytes, or -1 if it is bad. */
static long bmsg_seq(const unsigned char *b, long len)
{
	__u32 seq;
	int i;

	if (len != MSG_LEN)
		return -1;
	memcpy(&seq, b, sizeof(seq));
	for (i = sizeof(seq); i < MSG_LEN; i++)
		if (b[i] != mbox_pattern_byte(seq, i))
			return -1;
	return seq;
}

static int bmsg_send(int fd, __u32 id, __u32 seq, __u32 flags)
{
	unsigned char b[MSG_LEN];

	bmsg_make(b, seq);
	return mbox_put(fd, id, b, MSG_LEN, flags);
}

/* Receive one message: its sequence number, -errno, or -1000 if bad. */
static long bmsg_recv(int fd, __u32 id, __u32 flags)
{
	unsigned char b[64];
	__u64 len = sizeof(b);
	long seq;
	int ret;

	ret = mbox_get(fd, id, b, &len, flags);
	if (ret < 0)
		return ret;
	if ((__u64)ret != len)
		return -1000;
	seq = bmsg_seq(b, ret);
	return seq < 0 ? -1000 : seq;
}

struct block_data {
	int fd;
	struct mbox_info info;
	__u32 id;
	long *slots;	/* shared with the children: what each received */
};

static void bdata_setup(struct __test_metadata *_metadata,
			struct block_data *self)
{
	int i;

	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	ASSERT_LE((__u32)CAP, self->info.max_capacity);
	ASSERT_LE((__u32)MSG_LEN, self->info.max_msg_size);
	self->id = NEW_MBOX(self->fd, CAP, 64);
	self->slots = mmap(NULL, NR_SLOTS * sizeof(long),
			   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			   -1, 0);
	ASSERT_NE(MAP_FAILED, self->slots);
	for (i = 0; i < NR_SLOTS; i++)
		self->slots[i] = -1;
}

static void bdata_teardown(struct block_data *self)
{
	mbox_cleanup(self->fd);
	if (self->slots && self->slots != MAP_FAILED)
		munmap(self->slots, NR_SLOTS * sizeof(long));
}

/* Fill mailbox @id with messages 0 .. CAP-1. */
static void fill(struct __test_metadata *_metadata, struct block_data *self,
		 __u32 id)
{
	__u32 seq;

	for (seq = 0; seq < CAP; seq++) {
		ASSERT_EQ(0, bmsg_send(self->fd, id, seq, MBOX_NONBLOCK));
	}
}

/* A child that sends message @seq to @id and exits with the result. */
static pid_t spawn_sender(struct __test_metadata *_metadata,
			  struct block_data *self, __u32 id, __u32 seq)
{
	pid_t pid = mbox_fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mbox_exit_code(bmsg_send(self->fd, id, seq, 0)));
	return pid;
}

/*
 * A child that receives one message from @id, stores its sequence number in
 * slots[@slot] and exits with 0, the errno, or MBOX_CHILD_BAD_DATA.
 */
static pid_t spawn_receiver(struct __test_metadata *_metadata,
			    struct block_data *self, __u32 id, int slot)
{
	pid_t pid = mbox_fork();
	long seq;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		seq = bmsg_recv(self->fd, id, 0);
		if (seq == -1000)
			_exit(MBOX_CHILD_BAD_DATA);
		if (seq < 0)
			_exit(mbox_exit_code(seq));
		self->slots[slot] = seq;
		_exit(0);
	}
	return pid;
}

/* Expect child @pid to be asleep inside ioctl(@cmd), soon. */
static void expect_blocked(struct __test_metadata *_metadata, pid_t pid,
			   unsigned long cmd)
{
	int ret = mbox_wait_blocked(pid, cmd, WAIT_MS);

	ASSERT_TRUE(ret == 0 || ret == 1)
		TH_LOG("child %d did not block in the ioctl: %s", (int)pid,
		       strerror(-ret));
	ASSERT_TRUE(mbox_alive(pid)) TH_LOG("child %d ended", (int)pid);
	if (ret == 1)
		TH_LOG("/proc cannot tell where child %d sleeps; gave it 200 ms",
		       (int)pid);
}

/* ~200 ms later, expect child @pid to be blocked still. */
static void expect_still_blocked(struct __test_metadata *_metadata,
				 pid_t pid, unsigned long cmd)
{
	ASSERT_TRUE(mbox_alive(pid)) TH_LOG("child %d ended", (int)pid);
	ASSERT_NE(0, mbox_in_ioctl(pid, cmd))
		TH_LOG("child %d left the ioctl", (int)pid);
}

static void expect_figures(struct __test_metadata *_metadata, int fd,
			   __u32 id, __u32 msgs, __u64 sent, __u64 recv)
{
	struct mbox_stat st;

	ASSERT_EQ(0, mbox_stat_id(fd, id, &st));
	EXPECT_EQ(msgs, st.msgs);
	EXPECT_EQ(sent, st.sent_msgs);
	EXPECT_EQ(recv, st.recv_msgs);
	EXPECT_EQ((__u64)msgs * MSG_LEN, st.bytes);
}

FIXTURE(block) {
	struct block_data d;
};

FIXTURE_SETUP(block)
{
	bdata_setup(_metadata, &self->d);
}

FIXTURE_TEARDOWN(block)
{
	bdata_teardown(&self->d);
}

TEST_F(block, full_mailbox_blocks_sender_until_a_receiver_takes_a_message)
{
	struct block_data *d = &self->d;
	pid_t pid;

	fill(_metadata, d, d->id);
	pid = spawn_sender(_metadata, d, d->id, CAP);
	expect_blocked(_metadata, pid, MBOX_IOC_SEND);
	mbox_msleep(200);
	expect_still_blocked(_metadata, pid, MBOX_IOC_SEND);
	expect_figures(_metadata, d->fd, d->id, CAP, CAP, 0);

	ASSERT_EQ(0, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	ASSERT_EQ(0, mbox_child_result(pid, WAIT_MS));
	expect_figures(_metadata, d->fd, d->id, CAP, CAP + 1, 1);
	ASSERT_EQ(1, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	ASSERT_EQ(CAP, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
}

TEST_F(block, empty_mailbox_blocks_receiver_until_a_message_arrives)
{
	struct block_data *d = &self->d;
	pid_t pid;

	pid = spawn_receiver(_metadata, d, d->id, 0);
	expect_blocked(_metadata, pid, MBOX_IOC_RECV);
	mbox_msleep(200);
	expect_still_blocked(_metadata, pid, MBOX_IOC_RECV);
	expect_figures(_metadata, d->fd, d->id, 0, 0, 0);

	ASSERT_EQ(0, bmsg_send(d->fd, d->id, 7, MBOX_NONBLOCK));
	ASSERT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(7, d->slots[0]);
	expect_figures(_metadata, d->fd, d->id, 0, 1, 1);
}

TEST_F(block, nonblock_send_to_a_full_mailbox_is_eagain_and_changes_nothing)
{
	struct block_data *d = &self->d;

	fill(_metadata, d, d->id);
	EXPECT_EQ(-EAGAIN, bmsg_send(d->fd, d->id, 99, MBOX_NONBLOCK));
	expect_figures(_metadata, d->fd, d->id, CAP, CAP, 0);
	ASSERT_EQ(0, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	ASSERT_EQ(1, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	EXPECT_EQ(-EAGAIN, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
}

TEST_F(block, nonblock_recv_from_an_empty_mailbox_is_eagain_and_changes_nothing)
{
	struct block_data *d = &self->d;

	EXPECT_EQ(-EAGAIN, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	expect_figures(_metadata, d->fd, d->id, 0, 0, 0);
	/* Drained, it gives EAGAIN again. */
	ASSERT_EQ(0, bmsg_send(d->fd, d->id, 3, MBOX_NONBLOCK));
	ASSERT_EQ(3, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	EXPECT_EQ(-EAGAIN, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	expect_figures(_metadata, d->fd, d->id, 0, 1, 1);
}

TEST_F(block, nonblock_calls_succeed_when_they_need_not_wait)
{
	struct block_data *d = &self->d;
	__u32 seq;

	for (seq = 0; seq < 10; seq++) {
		ASSERT_EQ(0, bmsg_send(d->fd, d->id, seq, MBOX_NONBLOCK));
		ASSERT_EQ(seq, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	}
	expect_figures(_metadata, d->fd, d->id, 0, 10, 10);
}

TEST_F(block, every_blocked_sender_gets_through_as_slots_free_up)
{
	struct block_data *d = &self->d;
	int seen[3] = { 0 }, i;
	pid_t pid[3];
	long seq;

	fill(_metadata, d, d->id);
	for (i = 0; i < 3; i++)
		pid[i] = spawn_sender(_metadata, d, d->id, 10 + i);
	for (i = 0; i < 3; i++)
		expect_blocked(_metadata, pid[i], MBOX_IOC_SEND);
	expect_figures(_metadata, d->fd, d->id, CAP, CAP, 0);

	ASSERT_EQ(0, bmsg_recv(d->fd, d->id, 0));
	ASSERT_EQ(1, bmsg_recv(d->fd, d->id, 0));
	for (i = 0; i < 3; i++) {
		seq = bmsg_recv(d->fd, d->id, 0);
		ASSERT_LE(10, seq);
		ASSERT_GE(12, seq);
		seen[seq - 10]++;
	}
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(1, seen[i]) TH_LOG("message %d", 10 + i);
		EXPECT_EQ(0, mbox_child_result(pid[i], WAIT_MS));
	}
	expect_figures(_metadata, d->fd, d->id, 0, CAP + 3, CAP + 3);
}

TEST_F(block, each_message_wakes_one_of_several_blocked_receivers)
{
	struct block_data *d = &self->d;
	int seen[3] = { 0 }, i;
	pid_t pid[3];

	for (i = 0; i < 3; i++)
		pid[i] = spawn_receiver(_metadata, d, d->id, i);
	for (i = 0; i < 3; i++)
		expect_blocked(_metadata, pid[i], MBOX_IOC_RECV);

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, bmsg_send(d->fd, d->id, 20 + i, 0));
	}
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, mbox_child_result(pid[i], WAIT_MS));
		ASSERT_LE(20, d->slots[i]);
		ASSERT_GE(22, d->slots[i]);
		seen[d->slots[i] - 20]++;
	}
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(1, seen[i]) TH_LOG("message %d", 20 + i);
	}
	expect_figures(_metadata, d->fd, d->id, 0, 3, 3);
}

TEST_F(block, destroy_wakes_every_blocked_sender_with_eidrm)
{
	struct block_data *d = &self->d;
	struct mbox_stat st;
	pid_t pid[3];
	int i;

	fill(_metadata, d, d->id);
	for (i = 0; i < 3; i++)
		pid[i] = spawn_sender(_metadata, d, d->id, 30 + i);
	for (i = 0; i < 3; i++)
		expect_blocked(_metadata, pid[i], MBOX_IOC_SEND);
	mbox_msleep(200);
	for (i = 0; i < 3; i++)
		expect_still_blocked(_metadata, pid[i], MBOX_IOC_SEND);
	expect_figures(_metadata, d->fd, d->id, CAP, CAP, 0);

	ASSERT_EQ(0, mbox_del(d->fd, d->id));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(EIDRM, mbox_child_result(pid[i], WAIT_MS))
			TH_LOG("sender %d", i);
	}
	EXPECT_EQ(-ENOENT, mbox_stat_id(d->fd, d->id, &st));
}

TEST_F(block, destroy_wakes_every_blocked_receiver_with_eidrm)
{
	struct block_data *d = &self->d;
	struct mbox_stat st;
	pid_t pid[3];
	int i;

	for (i = 0; i < 3; i++)
		pid[i] = spawn_receiver(_metadata, d, d->id, i);
	for (i = 0; i < 3; i++)
		expect_blocked(_metadata, pid[i], MBOX_IOC_RECV);
	mbox_msleep(200);
	for (i = 0; i < 3; i++)
		expect_still_blocked(_metadata, pid[i], MBOX_IOC_RECV);
	expect_figures(_metadata, d->fd, d->id, 0, 0, 0);

	ASSERT_EQ(0, mbox_del(d->fd, d->id));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(EIDRM, mbox_child_result(pid[i], WAIT_MS))
			TH_LOG("receiver %d", i);
		EXPECT_EQ(-1, d->slots[i]);
	}
	EXPECT_EQ(-ENOENT, mbox_stat_id(d->fd, d->id, &st));
}

TEST_F(block, destroy_wakes_senders_and_receivers_of_that_mailbox_only)
{
	struct block_data *d = &self->d;
	__u32 other = NEW_MBOX(d->fd, CAP, 64);
	pid_t victim, bystander;

	fill(_metadata, d, other);
	victim = spawn_receiver(_metadata, d, d->id, 0);
	bystander = spawn_sender(_metadata, d, other, 40);
	expect_blocked(_metadata, victim, MBOX_IOC_RECV);
	expect_blocked(_metadata, bystander, MBOX_IOC_SEND);

	ASSERT_EQ(0, mbox_del(d->fd, d->id));
	EXPECT_EQ(EIDRM, mbox_child_result(victim, WAIT_MS));
	mbox_msleep(200);
	expect_still_blocked(_metadata, bystander, MBOX_IOC_SEND);
	ASSERT_EQ(0, bmsg_recv(d->fd, other, MBOX_NONBLOCK));
	EXPECT_EQ(0, mbox_child_result(bystander, WAIT_MS));
}

/* MemAvailable from /proc/meminfo, in KiB, or -1. */
static long long mem_available_kib(void)
{
	char line[128];
	long long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

TEST_F_TIMEOUT(block, destroy_frees_queued_messages, 120)
{
	struct block_data *d = &self->d;
	const __u32 len = d->info.max_msg_size < 65536 ?
			  d->info.max_msg_size : 65536;
	const __u32 cap = d->info.max_capacity < 16 ? d->info.max_capacity : 16;
	const int rounds = 64;
	long long before, after;
	unsigned char *buf = malloc(len);
	struct mbox_stat st;
	__u32 nr, i;
	int r, id;

	ASSERT_NE(NULL, buf);
	mbox_fill(buf, len, 1);
	ASSERT_EQ(0, ioc_info(d->fd, &d->info));
	nr = d->info.nr_mailboxes;

	/*
	 * Queue cap * len bytes (1 MiB at most) and destroy, @rounds times:
	 * were the messages not freed, MemAvailable would drop by 64 MiB.
	 */
	before = mem_available_kib();
	for (r = 0; r < rounds; r++) {
		id = mbox_new(d->fd, cap, len);
		ASSERT_LT(0, id);
		mbox_track(id);
		for (i = 0; i < cap; i++) {
			ASSERT_EQ(0, mbox_put(d->fd, id, buf, len,
					      MBOX_NONBLOCK));
		}
		ASSERT_EQ(0, mbox_stat_id(d->fd, id, &st));
		ASSERT_EQ(cap, st.msgs);
		ASSERT_EQ(0, mbox_del(d->fd, id));
		ASSERT_EQ(-ENOENT, mbox_stat_id(d->fd, id, &st));
		ASSERT_EQ(-ENOENT, bmsg_recv(d->fd, id, MBOX_NONBLOCK));
	}
	after = mem_available_kib();
	ASSERT_EQ(0, ioc_info(d->fd, &d->info));
	EXPECT_EQ(nr, d->info.nr_mailboxes);
	if (before >= 0 && after >= 0) {
		EXPECT_GT(32LL * 1024, before - after)
			TH_LOG("MemAvailable %lld -> %lld KiB, %d rounds of %u x %u B",
			       before, after, rounds, cap, len);
	}
	free(buf);
}

static void expect_killed_promptly(struct __test_metadata *_metadata,
				   pid_t pid)
{
	long long t0 = mbox_now_ms();

	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, mbox_child_result(pid, WAIT_MS));
	TH_LOG("reaped %lld ms after SIGKILL", mbox_now_ms() - t0);
}

TEST_F(block, sigkill_ends_a_blocked_send_at_once)
{
	struct block_data *d = &self->d;
	pid_t pid;

	fill(_metadata, d, d->id);
	pid = spawn_sender(_metadata, d, d->id, 50);
	expect_blocked(_metadata, pid, MBOX_IOC_SEND);
	expect_killed_promptly(_metadata, pid);
	expect_figures(_metadata, d->fd, d->id, CAP, CAP, 0);
	ASSERT_EQ(0, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	ASSERT_EQ(1, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	EXPECT_EQ(-EAGAIN, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
}

TEST_F(block, sigkill_ends_a_blocked_recv_at_once)
{
	struct block_data *d = &self->d;
	pid_t pid;

	pid = spawn_receiver(_metadata, d, d->id, 0);
	expect_blocked(_metadata, pid, MBOX_IOC_RECV);
	expect_killed_promptly(_metadata, pid);
	expect_figures(_metadata, d->fd, d->id, 0, 0, 0);
	/* The next message is not lost to the dead receiver. */
	ASSERT_EQ(0, bmsg_send(d->fd, d->id, 51, MBOX_NONBLOCK));
	EXPECT_EQ(51, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
}

/* Stop child @pid, wait until it is stopped, then continue it. */
static void stop_and_continue(struct __test_metadata *_metadata, pid_t pid)
{
	long long end = mbox_now_ms() + WAIT_MS;
	int status = 0;
	pid_t r;

	ASSERT_EQ(0, kill(pid, SIGSTOP));
	for (;;) {
		r = waitpid(pid, &status, WUNTRACED | WNOHANG);
		ASSERT_LE(0, r);
		if (r == pid)
			break;
		ASSERT_GT(end, mbox_now_ms()) TH_LOG("child did not stop");
		mbox_msleep(2);
	}
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, kill(pid, SIGCONT));
}

/*
 * A stop signal has no handler, so per the header the wait goes on: the
 * call must not fail with EINTR once the process continues.
 */
TEST_F(block, stop_and_continue_do_not_interrupt_a_blocked_send)
{
	struct block_data *d = &self->d;
	pid_t pid;

	fill(_metadata, d, d->id);
	pid = spawn_sender(_metadata, d, d->id, 60);
	expect_blocked(_metadata, pid, MBOX_IOC_SEND);
	stop_and_continue(_metadata, pid);
	expect_blocked(_metadata, pid, MBOX_IOC_SEND);
	mbox_msleep(200);
	expect_still_blocked(_metadata, pid, MBOX_IOC_SEND);
	expect_figures(_metadata, d->fd, d->id, CAP, CAP, 0);

	ASSERT_EQ(0, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	ASSERT_EQ(1, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	ASSERT_EQ(60, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
}

TEST_F(block, stop_and_continue_do_not_interrupt_a_blocked_recv)
{
	struct block_data *d = &self->d;
	pid_t pid;

	pid = spawn_receiver(_metadata, d, d->id, 0);
	expect_blocked(_metadata, pid, MBOX_IOC_RECV);
	stop_and_continue(_metadata, pid);
	expect_blocked(_metadata, pid, MBOX_IOC_RECV);
	mbox_msleep(200);
	expect_still_blocked(_metadata, pid, MBOX_IOC_RECV);
	expect_figures(_metadata, d->fd, d->id, 0, 0, 0);

	ASSERT_EQ(0, bmsg_send(d->fd, d->id, 61, MBOX_NONBLOCK));
	EXPECT_EQ(0, mbox_child_result(pid, WAIT_MS));
	EXPECT_EQ(61, d->slots[0]);
}

/*
 * A handler interrupting a wait: EINTR with or without SA_RESTART (the
 * header says the call is never restarted), and the call did nothing.
 */
FIXTURE(signals) {
	struct block_data d;
};

FIXTURE_VARIANT(signals) {
	int sa_flags;
};

FIXTURE_VARIANT_ADD(signals, no_restart) {
	.sa_flags = 0,
};

FIXTURE_VARIANT_ADD(signals, sa_restart) {
	.sa_flags = SA_RESTART,
};

FIXTURE_SETUP(signals)
{
	bdata_setup(_metadata, &self->d);
}

FIXTURE_TEARDOWN(signals)
{
	bdata_teardown(&self->d);
}

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled = 1;
}

/* In the child: install the SIGUSR1 handler with @sa_flags. */
static void child_handle_usr1(int sa_flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = sa_flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		_exit(MBOX_CHILD_SETUP);
}

/* In the child: exit with the result of a call a handler interrupted. */
static void __attribute__((noreturn)) child_exit_interrupted(long ret)
{
	if (ret == -EINTR && !handled)
		_exit(MBOX_CHILD_NO_HANDLER);
	_exit(mbox_exit_code(ret));
}

TEST_F(signals, handler_interrupts_a_blocked_send_with_eintr_and_queues_nothing)
{
	struct block_data *d = &self->d;
	pid_t pid;

	fill(_metadata, d, d->id);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		child_handle_usr1(variant->sa_flags);
		child_exit_interrupted(bmsg_send(d->fd, d->id, 70, 0));
	}
	expect_blocked(_metadata, pid, MBOX_IOC_SEND);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ(EINTR, mbox_child_result(pid, WAIT_MS));

	expect_figures(_metadata, d->fd, d->id, CAP, CAP, 0);
	ASSERT_EQ(0, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	ASSERT_EQ(1, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
	EXPECT_EQ(-EAGAIN, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
}

TEST_F(signals, handler_interrupts_a_blocked_recv_with_eintr_and_takes_nothing)
{
	struct block_data *d = &self->d;
	pid_t pid;

	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		child_handle_usr1(variant->sa_flags);
		child_exit_interrupted(bmsg_recv(d->fd, d->id, 0));
	}
	expect_blocked(_metadata, pid, MBOX_IOC_RECV);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ(EINTR, mbox_child_result(pid, WAIT_MS));

	expect_figures(_metadata, d->fd, d->id, 0, 0, 0);
	/* The next message goes to the next receiver. */
	ASSERT_EQ(0, bmsg_send(d->fd, d->id, 71, MBOX_NONBLOCK));
	EXPECT_EQ(71, bmsg_recv(d->fd, d->id, MBOX_NONBLOCK));
}

TEST_HARNESS_MAIN
