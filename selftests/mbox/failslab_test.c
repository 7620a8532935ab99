// SPDX-License-Identifier: GPL-2.0
/*
 * mbox under failslab: slab allocations made by the module fail on purpose,
 * one at a time, through /proc/thread-self/fail-nth (the n-th fault point
 * the calling thread reaches fails).  Needs a kernel with FAILSLAB and
 * FAULT_INJECTION_DEBUG_FS (the debug kernel); skips elsewhere.
 *
 * failslab/ignore-gfp-wait is set to N for the run (the module allocates
 * with GFP_KERNEL, which failslab skips by default) and verbose to 0 (with
 * the default 2, every failure would print a stack trace); all failslab
 * settings are restored at exit.  Fault points are counted per thread, so a failure
 * aimed at n lands on the n-th slab allocation of the call itself.
 * kmemleak's own allocations count too, but a failure there is absorbed
 * (kmemleak falls back to its pool), so a call may succeed although the
 * fault was injected: for each call the test tries n = 1, 2, ... until the
 * call succeeds without reaching the fault, and never assumes a given n
 * fails.
 *
 * Sends: message sizes from 0 to several pages (a header with data up to
 * the end of its page, then one page-sized segment per page), sent by
 * MBOX_IOC_SEND and by write() on an MBOX_IOC_OPEN file, so that every
 * segment's allocation fails in turn.  Each attempt carries its own number
 * (in @type, and in a header with a checksum of the payload) and a payload
 * that depends on it.  Every failed send must return ENOMEM and leave STAT
 * (msgs, bytes, sent_msgs, sent_bytes) unchanged; the mailbox is drained
 * as it fills, and what it gives must be exactly the sends that succeeded,
 * in order, intact, numbered 1, 2, 3... by the mailbox.
 *
 * Create: failures give ENOMEM and leave nr_mailboxes unchanged, and no
 * mailbox appears.  MBOX_IOC_RING_SETUP (MBOX_FEATURE_RING): failures give
 * ENOMEM, charge nothing (user_bytes of INFO unchanged) and leave no ring:
 * the mailbox still receives, and a later setup works.  MBOX_IOC_OPEN (and open() of /dev/mbox): failures give
 * a documented errno and leak no file descriptor.  Leaks of kernel memory
 * are for the guest's kmemleak scan after rmmod.
 *
 * Each part ends with a storm: failslab's task filter with
 * /proc/thread-self/make-it-fail, every slab allocation of the thread
 * failing with probability STORM_PERCENT, so that one call can see two
 * failures (an xarray node allocation and its retry, say) and reach error
 * paths a single failure does not.  The same checks hold.
 *
 * Environment: MBOX_FAILSLAB_SENDS (default 20000 send attempts),
 * MBOX_FAILSLAB_SECONDS (default 300, a bound on the send part),
 * MBOX_FAILSLAB_SEED (message sizes; default from the clock, printed).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "mbox_util.h"

#define FAILSLAB	"/sys/kernel/debug/failslab"
#define CAP		64
#define NMAX		200	/* fault points tried per call, at most */
#define CREATE_ROUNDS	400
#define OPEN_ROUNDS	150
#define STORM_PERCENT	30	/* storms: allocations failing, percent */
#define STORM_SENDS	4000
#define STORM_CREATES	1500
#define STORM_OPENS	1000
#define HDR		16	/* attempt, ~attempt, checksum */
#define RING_ROUNDS	60
#define STORM_RINGS	300
#define NRESULTS	5

static int nth_fd = -1, mif_fd = -1;
static char saved_wait[16], saved_verbose[16];
static bool restore_needed, mounted_debugfs;

/* The failslab attributes a storm (random failures) changes. */
static const char *const storm_attr[] = {
	"probability", "interval", "times", "space", "task-filter",
};

#define NSTORM	ARRAY_SIZE(storm_attr)
static char storm_saved[NSTORM][32];

static void bad(__u64 *counter, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* While a storm blows, printing could allocate: messages wait here. */
static bool storming;
static char deferred[8192];
static size_t ndeferred;

static void bad(__u64 *counter, const char *fmt, ...)
{
	va_list ap;

	if ((*counter)++ >= 10)
		return;
	va_start(ap, fmt);
	if (storming) {
		if (ndeferred < sizeof(deferred) - 2) {
			ndeferred += vsnprintf(deferred + ndeferred,
					       sizeof(deferred) - ndeferred - 1,
					       fmt, ap);
			if (ndeferred > sizeof(deferred) - 2)
				ndeferred = sizeof(deferred) - 2;
			deferred[ndeferred++] = '\n';
			deferred[ndeferred] = '\0';
		}
	} else {
		printf("# ");
		vprintf(fmt, ap);
		printf("\n");
	}
	va_end(ap);
}

static void flush_deferred(void)
{
	char *line, *save = NULL;

	for (line = strtok_r(deferred, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	ndeferred = 0;
	deferred[0] = '\0';
}

static unsigned long long seed_state;

static unsigned long long rnd(unsigned long long n)
{
	unsigned long long z = (seed_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return n ? z % n : 0;
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void storm_off(void);

static void restore_failslab(void)
{
	char path[96];
	size_t i;

	if (restore_needed) {
		storm_off();
		for (i = 0; i < NSTORM; i++) {
			snprintf(path, sizeof(path), FAILSLAB "/%s",
				 storm_attr[i]);
			mbox_write_file(path, storm_saved[i]);
		}
		mbox_write_file(FAILSLAB "/ignore-gfp-wait", saved_wait);
		mbox_write_file(FAILSLAB "/verbose", saved_verbose);
		restore_needed = false;
	}
	if (mounted_debugfs) {
		umount("/sys/kernel/debug");
		mounted_debugfs = false;
	}
}

/* Make the @n-th fault point of this thread fail; 0: none. */
static void nth_set(unsigned int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%u", n);

	if (pwrite(nth_fd, b, len, 0) != len)
		ksft_exit_fail_msg("write fail-nth: %s\n", strerror(errno));
}

/* Was the fault injected?  0 if it was, else the points still to go. */
static long nth_left(void)
{
	char b[16];
	ssize_t n = pread(nth_fd, b, sizeof(b) - 1, 0);

	if (n <= 0)
		ksft_exit_fail_msg("read fail-nth: %s\n", strerror(errno));
	b[n] = '\0';
	return strtol(b, NULL, 10);
}

/*
 * A storm: every slab allocation of this thread fails with probability
 * @percent (failslab's task filter and /proc/thread-self/make-it-fail), so
 * that two failures in one call reach error paths a single one does not
 * (an allocation retried after failing once).  All memory the test touches
 * meanwhile is locked in first, so its own page faults allocate nothing.
 */
static void __attribute__((noinline)) touch_stack(void)
{
	char pad[64 << 10];

	memset(pad, 0, sizeof(pad));
	__asm__ volatile("" : : "r"(pad) : "memory");	/* keep the memset */
}

static void storm_on(int percent)
{
	char b[16];

	touch_stack();
	snprintf(b, sizeof(b), "%d", percent);
	if (mbox_write_file(FAILSLAB "/interval", "1") ||
	    mbox_write_file(FAILSLAB "/times", "-1") ||
	    mbox_write_file(FAILSLAB "/space", "0") ||
	    mbox_write_file(FAILSLAB "/task-filter", "Y") ||
	    mbox_write_file(FAILSLAB "/probability", b))
		ksft_exit_fail_msg("set up failslab: %s\n", strerror(errno));
	if (mlockall(MCL_CURRENT))
		ksft_print_msg("mlockall: %s (going on)\n", strerror(errno));
	fflush(stdout);
	storming = true;
	if (pwrite(mif_fd, "1", 1, 0) != 1)
		ksft_exit_fail_msg("make-it-fail: %s\n", strerror(errno));
}

static void storm_off(void)
{
	if (mif_fd >= 0 && pwrite(mif_fd, "0", 1, 0) != 1)
		ksft_exit_fail_msg("make-it-fail: %s\n", strerror(errno));
	storming = false;
	mbox_write_file(FAILSLAB "/probability", "0");
	munlockall();
	flush_deferred();
}

/*
 * Run @call with the @n-th fault point failing.  Returns what it returns
 * (>= 0 or -errno); *@injected says whether the fault was injected.
 */
#define WITH_FAULT(n, injected, call) ({				\
	long __ret;							\
									\
	nth_set(n);							\
	__ret = (call);							\
	if (__ret < 0)							\
		__ret = -errno;						\
	*(injected) = nth_left() == 0;					\
	nth_set(0);							\
	__ret;								\
})

/* Open the failslab controls, or say why not. */
static const char *setup_failslab(void)
{
	static char why[160];
	char path[96];
	struct stat st;

	if (stat(FAILSLAB, &st)) {
		if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) == 0)
			mounted_debugfs = true;
		if (stat(FAILSLAB, &st)) {
			snprintf(why, sizeof(why),
				 "%s is absent (kernel without FAILSLAB and FAULT_INJECTION_DEBUG_FS)",
				 FAILSLAB);
			return why;
		}
	}
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0) {
		snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
			 (long)syscall(SYS_gettid));
		nth_fd = open(path, O_RDWR | O_CLOEXEC);
	}
	if (nth_fd < 0) {
		snprintf(why, sizeof(why), "no fail-nth in /proc: %s",
			 strerror(errno));
		return why;
	}
	mif_fd = open("/proc/thread-self/make-it-fail", O_RDWR | O_CLOEXEC);
	if (mif_fd < 0) {
		snprintf(why, sizeof(why), "no make-it-fail in /proc: %s",
			 strerror(errno));
		return why;
	}
	for (size_t i = 0; i < NSTORM; i++) {
		snprintf(path, sizeof(path), FAILSLAB "/%s", storm_attr[i]);
		if (read_file(path, storm_saved[i], sizeof(storm_saved[i]))) {
			snprintf(why, sizeof(why), "cannot read %s: %s", path,
				 strerror(errno));
			return why;
		}
	}
	if (read_file(FAILSLAB "/ignore-gfp-wait", saved_wait,
		      sizeof(saved_wait)) ||
	    read_file(FAILSLAB "/verbose", saved_verbose,
		      sizeof(saved_verbose))) {
		snprintf(why, sizeof(why), "cannot read %s: %s", FAILSLAB,
			 strerror(errno));
		return why;
	}
	restore_needed = true;
	atexit(restore_failslab);
	if (mbox_write_file(FAILSLAB "/ignore-gfp-wait", "N") ||
	    mbox_write_file(FAILSLAB "/verbose", "0")) {
		snprintf(why, sizeof(why), "cannot set %s: %s", FAILSLAB,
			 strerror(errno));
		return why;
	}
	return NULL;
}

static unsigned long long env_ull(const char *name, unsigned long long def)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return def;
	v = strtoull(s, &end, 0);
	return *end ? def : v;
}

/* ---------------------------------------------------------------------- */
/* Messages: attempt number a, length len. */

static __u64 fnv64(const unsigned char *p, size_t n)
{
	__u64 h = 0xcbf29ce484222325ULL;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void msg_make(unsigned char *b, size_t len, __u32 a)
{
	__u32 na = ~a;
	__u64 sum;

	mbox_fill(b, len, a);
	if (len < HDR)
		return;
	sum = fnv64(b + HDR, len - HDR);
	memcpy(b, &a, 4);
	memcpy(b + 4, &na, 4);
	memcpy(b + 8, &sum, 8);
}

/* The attempt a received message of @len bytes says it is, or -1. */
static long long msg_attempt(const unsigned char *b, size_t len, __u32 type)
{
	__u32 a, na;
	__u64 sum;

	if (len < HDR)
		return mbox_check(b, len, type) < 0 ? (long long)type : -1;
	memcpy(&a, b, 4);
	memcpy(&na, b + 4, 4);
	memcpy(&sum, b + 8, 8);
	if (na != ~a || sum != fnv64(b + HDR, len - HDR))
		return -1;
	/* the pattern too, past the header */
	for (size_t i = HDR; i < len; i++)
		if (b[i] != mbox_pattern_byte(a, i))
			return -1;
	return a;
}

struct sent {
	__u32 attempt;
	__u32 len;
	bool by_write;
};

struct sendstate {
	int fd, mfd;
	__u32 id;
	size_t maxlen;
	unsigned char *buf, *rbuf;
	struct sent ring[CAP];
	unsigned int head, n;		/* messages queued, oldest first */
	__u64 msgs, bytes;		/* queued now */
	__u64 sent_msgs, sent_bytes;	/* accepted since create */
	__u64 mseq;			/* mailbox seq of the last received */
	/* figures */
	__u64 attempts, injected, enomem, absorbed, not_reached, verified;
	__u64 rounds, bad_errno, bad_stat, bad_recv, unfinished;
	__u64 storm_attempts, storm_enomem;
	unsigned int points_min, points_max;	/* fault points per send */
};

/* STAT must agree with what the test knows is queued and was sent. */
static void check_stat(struct sendstate *s, const char *when)
{
	struct mbox_stat st;
	int ret = mbox_stat_id(s->fd, s->id, &st);

	if (ret) {
		bad(&s->bad_stat, "STAT %s: %s", when, strerror(-ret));
		return;
	}
	if (st.msgs != s->msgs || st.bytes != s->bytes ||
	    st.sent_msgs != s->sent_msgs || st.sent_bytes != s->sent_bytes ||
	    st.recv_msgs != s->sent_msgs - s->msgs ||
	    st.recv_bytes != s->sent_bytes - s->bytes)
		bad(&s->bad_stat,
		    "STAT %s: msgs %u bytes %llu sent %llu/%llu received %llu/%llu; expected msgs %llu bytes %llu sent %llu/%llu received %llu/%llu",
		    when, st.msgs, (unsigned long long)st.bytes,
		    (unsigned long long)st.sent_msgs,
		    (unsigned long long)st.sent_bytes,
		    (unsigned long long)st.recv_msgs,
		    (unsigned long long)st.recv_bytes,
		    (unsigned long long)s->msgs, (unsigned long long)s->bytes,
		    (unsigned long long)s->sent_msgs,
		    (unsigned long long)s->sent_bytes,
		    (unsigned long long)(s->sent_msgs - s->msgs),
		    (unsigned long long)(s->sent_bytes - s->bytes));
}

/* Receive everything queued; each must be the next send that succeeded. */
static void drain(struct sendstate *s)
{
	while (s->n) {
		struct sent *want = &s->ring[s->head];
		struct mbox_recv r = {
			.id = s->id,
			.flags = MBOX_NONBLOCK,
			.buf = (__u64)(uintptr_t)s->rbuf,
			.len = s->maxlen,
		};
		long long a;
		int ret = ioc_recv(s->fd, &r);

		if (ret < 0) {
			bad(&s->bad_recv, "receive with %u queued: %s", s->n,
			    strerror(-ret));
			return;
		}
		a = msg_attempt(s->rbuf, ret, r.type);
		if ((__u32)ret != want->len || a != want->attempt ||
		    r.seq != s->mseq + 1 ||
		    r.type != (want->by_write ? 0 : want->attempt) ||
		    r.msg_len != (__u64)ret)
			bad(&s->bad_recv,
			    "received %d bytes, attempt %lld, type %u, seq %llu; expected the message of attempt %u (%u bytes, by %s), seq %llu",
			    ret, a, r.type, (unsigned long long)r.seq,
			    want->attempt, want->len,
			    want->by_write ? "write" : "ioctl",
			    (unsigned long long)s->mseq + 1);
		else
			s->verified++;
		s->mseq++;
		s->msgs--;
		s->bytes -= want->len;
		s->head = (s->head + 1) % CAP;
		s->n--;
	}
	check_stat(s, "after draining");
}

/* Attempt @a of @len bytes succeeded: it is queued, last. */
static void record_sent(struct sendstate *s, __u32 a, size_t len,
			bool by_write)
{
	struct sent *e = &s->ring[(s->head + s->n) % CAP];

	e->attempt = a;
	e->len = len;
	e->by_write = by_write;
	s->n++;
	s->msgs++;
	s->bytes += len;
	s->sent_msgs++;
	s->sent_bytes += len;
}

/* One send of @len bytes as attempt @a with fault point @n failing. */
static long send_one(struct sendstate *s, size_t len, __u32 a, bool by_write,
		     unsigned int n, bool *injected)
{
	struct mbox_send arg = {
		.id = s->id,
		.flags = MBOX_NONBLOCK,
		.buf = (__u64)(uintptr_t)s->buf,
		.len = len,
		.type = a,
	};

	if (by_write)
		return WITH_FAULT(n, injected, write(s->mfd, s->buf, len));
	return WITH_FAULT(n, injected, ioctl(s->fd, MBOX_IOC_SEND, &arg));
}

/* Sizes: the interesting ones around every page boundary, then random. */
static size_t pick_size(struct sendstate *s, __u64 round)
{
	size_t psz = sysconf(_SC_PAGESIZE), k, len;

	if (round < 2 * 5 * 8) {
		k = round / 16;			/* page 0..4 */
		/* offsets from a page boundary; the last one random */
		static const long at[] = { -128, 1, -100, -64, -40, 0, 7 };
		unsigned int j = round % 16 / 2;

		if (j == 7)
			len = k * psz + rnd(psz);
		else if (j == 0)
			len = k ? k * psz - 128 : 0;
		else
			len = (k + (j > 1)) * psz + at[j];
	} else if (rnd(4) == 0) {
		len = rnd(64);
	} else {
		len = rnd(s->maxlen + 1);
	}
	return len > s->maxlen ? s->maxlen : len;
}

static void test_sends(int fd, const struct mbox_info *info)
{
	unsigned long long target = env_ull("MBOX_FAILSLAB_SENDS", 20000);
	unsigned long long secs = env_ull("MBOX_FAILSLAB_SECONDS", 300);
	size_t psz = sysconf(_SC_PAGESIZE);
	long long end = mbox_now_ms() + (long long)secs * 1000;
	struct sendstate s = { .fd = fd };
	__u32 attempt = 0;
	int id;

	s.maxlen = 4 * psz + psz / 2;
	if (s.maxlen > info->max_msg_size)
		s.maxlen = info->max_msg_size;
	id = mbox_new(fd, CAP, s.maxlen);
	if (id < 0)
		ksft_exit_fail_msg("create: %s\n", strerror(-id));
	s.id = id;
	s.mfd = mbox_open_id(fd, s.id, MBOX_FD_NONBLOCK | MBOX_FD_CLOEXEC);
	s.buf = mmap(NULL, 2 * s.maxlen + 2 * psz, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (s.mfd < 0 || s.buf == MAP_FAILED)
		ksft_exit_fail_msg("open mailbox / mmap: %s\n",
				   strerror(s.mfd < 0 ? -s.mfd : errno));
	s.rbuf = s.buf + s.maxlen + psz;
	memset(s.buf, 1, 2 * s.maxlen + 2 * psz);

	while (s.attempts < target && mbox_now_ms() < end) {
		size_t len = pick_size(&s, s.rounds);
		bool by_write = len >= HDR && rnd(4) == 0, done = false;
		unsigned int n;

		s.rounds++;
		for (n = 1; n <= NMAX && !done; n++) {
			bool inj;
			long ret;
			char when[96];

			if (s.n == CAP)
				drain(&s);
			msg_make(s.buf, len, ++attempt);
			ret = send_one(&s, len, attempt, by_write, n, &inj);
			s.attempts++;
			s.injected += inj;
			if (ret >= 0) {
				if (ret != (by_write ? (long)len : 0))
					bad(&s.bad_errno, "%s of %zu bytes returned %ld",
					    by_write ? "write" : "SEND", len,
					    ret);
				record_sent(&s, attempt, len, by_write);
				if (inj) {
					s.absorbed++;
				} else {
					s.not_reached++;
					done = true;
				}
				continue;
			}
			if (ret != -ENOMEM)
				bad(&s.bad_errno, "%s of %zu bytes with fault point %u failing: %s, not ENOMEM",
				    by_write ? "write" : "SEND", len, n,
				    strerror(-ret));
			else
				s.enomem++;
			if (!inj)
				bad(&s.bad_errno, "%s of %zu bytes failed with %s although fault point %u was not reached",
				    by_write ? "write" : "SEND", len,
				    strerror(-ret), n);
			snprintf(when, sizeof(when),
				 "after a failed %s of %zu bytes (fault point %u)",
				 by_write ? "write" : "SEND", len, n);
			check_stat(&s, when);
		}
		if (!done)
			bad(&s.unfinished, "a send of %zu bytes still reached the fault at point %u",
			    len, NMAX);
		/* the call that got through passed n - 2 fault points */
		if (done && (!s.points_min || n - 2 < s.points_min))
			s.points_min = n - 2;
		if (done && n - 2 > s.points_max)
			s.points_max = n - 2;
	}

	/* a storm: several allocations of one send may fail */
	storm_on(STORM_PERCENT);
	while (s.storm_attempts < STORM_SENDS) {
		size_t len = pick_size(&s, 1000);
		bool by_write = len >= HDR && rnd(4) == 0;
		struct mbox_send arg = {
			.id = s.id,
			.flags = MBOX_NONBLOCK,
			.buf = (__u64)(uintptr_t)s.buf,
			.len = len,
			.type = ++attempt,
		};
		long ret;

		if (s.n == CAP)
			drain(&s);
		msg_make(s.buf, len, attempt);
		ret = by_write ? write(s.mfd, s.buf, len) :
				 ioctl(s.fd, MBOX_IOC_SEND, &arg);
		s.storm_attempts++;
		if (ret >= 0) {
			record_sent(&s, attempt, len, by_write);
			continue;
		}
		if (errno != ENOMEM)
			bad(&s.bad_errno, "%s of %zu bytes in a storm: %s, not ENOMEM",
			    by_write ? "write" : "SEND", len, strerror(errno));
		else
			s.storm_enomem++;
		check_stat(&s, "after a send failed in a storm");
	}
	drain(&s);	/* receives allocate nothing: in the storm too */
	storm_off();

	ksft_print_msg("sends (fail-nth): %llu attempted (%llu sizes, %u to %u fault points a send), %llu injected failures: %llu ENOMEM, %llu absorbed (send succeeded)\n",
		       (unsigned long long)s.attempts,
		       (unsigned long long)s.rounds, s.points_min,
		       s.points_max,
		       (unsigned long long)s.injected,
		       (unsigned long long)s.enomem,
		       (unsigned long long)s.absorbed);
	ksft_print_msg("sends (storm, %d%% of allocations failing): %llu attempted, %llu ENOMEM\n",
		       STORM_PERCENT, (unsigned long long)s.storm_attempts,
		       (unsigned long long)s.storm_enomem);
	ksft_print_msg("sends: %llu succeeded, %llu received and verified\n",
		       (unsigned long long)s.sent_msgs,
		       (unsigned long long)s.verified);
	if (s.attempts < target)
		ksft_print_msg("MBOX_FAILSLAB_SECONDS (%llu) ended the sends before MBOX_FAILSLAB_SENDS (%llu)\n",
			       secs, target);
	ksft_test_result(!s.bad_errno && !s.bad_stat && !s.unfinished &&
			 s.enomem > 0,
			 "failslab: %llu sends, %llu failed: every failure ENOMEM, nothing queued (STAT unchanged)\n",
			 (unsigned long long)(s.attempts + s.storm_attempts),
			 (unsigned long long)(s.enomem + s.storm_enomem));
	ksft_test_result(!s.bad_recv && !s.bad_stat &&
			 s.verified == s.sent_msgs && s.verified > 0,
			 "failslab: the %llu sends that succeeded were received in order, intact, numbered without gaps\n",
			 (unsigned long long)s.verified);
	close(s.mfd);
	mbox_del(fd, s.id);
	munmap(s.buf, 2 * s.maxlen + 2 * psz);
}

/* ---------------------------------------------------------------------- */

static __u32 nr_mailboxes(int fd)
{
	struct mbox_info info;

	memset(&info, 0, sizeof(info));
	if (ioc_info(fd, &info))
		ksft_exit_fail_msg("INFO: %s\n", strerror(errno));
	return info.nr_mailboxes;
}

static void test_create(int fd)
{
	__u64 attempts = 0, injected = 0, enomem = 0, absorbed = 0, bad_n = 0;
	__u64 s_attempts = 0, s_enomem = 0;
	__u32 before, highest = 0;
	unsigned int pmin = 0, pmax = 0;
	int owner = open(MBOX_DEV, O_RDWR | O_CLOEXEC), round;

	if (owner < 0)
		ksft_exit_fail_msg("open: %s\n", strerror(errno));
	for (round = 0; round < CREATE_ROUNDS; round++) {
		__u32 made[NMAX];
		unsigned int n, nmade = 0, i;
		bool done = false;
		struct mbox_create arg = {
			.capacity = 1 + rnd(8),
			.max_msg_size = rnd(5000),
			.flags = round % 2 ? MBOX_CREATE_AUTODESTROY : 0,
		};
		int cfd = round % 2 ? owner : fd;

		for (n = 1; n <= NMAX && !done; n++) {
			struct mbox_stat st;
			bool inj;
			long ret;

			before = nr_mailboxes(fd);
			ret = WITH_FAULT(n, &inj,
					 ioctl(cfd, MBOX_IOC_CREATE, &arg));
			attempts++;
			injected += inj;
			if (ret > 0) {
				made[nmade++] = ret;
				if ((__u32)ret > highest)
					highest = ret;
				absorbed += inj;
				done = !inj;
				continue;
			}
			if (ret != -ENOMEM)
				bad(&bad_n, "CREATE with fault point %u failing: %s, not ENOMEM",
				    n, strerror(-ret));
			else
				enomem++;
			if (nr_mailboxes(fd) != before)
				bad(&bad_n, "CREATE failed with %s (fault point %u) but nr_mailboxes went from %u to %u",
				    strerror(-ret), n, before,
				    nr_mailboxes(fd));
			memset(&st, 0, sizeof(st));
			st.id = highest + 1;
			st.flags = MBOX_STAT_NEXT;
			if (ioc_stat(fd, &st) == 0)
				bad(&bad_n, "CREATE failed with %s (fault point %u) but mailbox %u exists",
				    strerror(-ret), n, st.id);
		}
		if (!done)
			bad(&bad_n, "CREATE still reached the fault at point %u",
			    NMAX);
		if (done && (!pmin || n - 2 < pmin))
			pmin = n - 2;
		if (done && n - 2 > pmax)
			pmax = n - 2;
		for (i = 0; i < nmade; i++)
			if (mbox_del(fd, made[i]))
				bad(&bad_n, "destroy of mailbox %u created under failslab: %s",
				    made[i], strerror(errno));
	}
	/*
	 * A storm, each new mailbox destroyed at once so that every create
	 * needs new xarray nodes: an id allocation fails only if the node
	 * allocation and its retry both fail.
	 */
	storm_on(STORM_PERCENT);
	for (round = 0; round < STORM_CREATES; round++) {
		struct mbox_create arg = {
			.capacity = 1,
			.flags = round % 2 ? MBOX_CREATE_AUTODESTROY : 0,
		};
		long ret;

		before = nr_mailboxes(fd);
		ret = ioctl(round % 2 ? owner : fd, MBOX_IOC_CREATE, &arg);
		s_attempts++;
		if (ret > 0) {
			if (mbox_del(fd, ret))
				bad(&bad_n, "destroy in a storm: %s",
				    strerror(errno));
			continue;
		}
		if (errno != ENOMEM)
			bad(&bad_n, "CREATE in a storm: %s, not ENOMEM",
			    strerror(errno));
		else
			s_enomem++;
		if (nr_mailboxes(fd) != before)
			bad(&bad_n, "CREATE failed in a storm but nr_mailboxes went from %u to %u",
			    before, nr_mailboxes(fd));
	}
	storm_off();

	before = nr_mailboxes(fd);
	close(owner);
	if (nr_mailboxes(fd) != before)
		bad(&bad_n, "closing the owner of the auto-destroy mailboxes (all destroyed already) changed nr_mailboxes from %u to %u",
		    before, nr_mailboxes(fd));
	ksft_print_msg("create: %llu attempted (%d rounds, %u to %u fault points a create), %llu injected failures: %llu ENOMEM, %llu absorbed\n",
		       (unsigned long long)attempts, CREATE_ROUNDS, pmin, pmax,
		       (unsigned long long)injected,
		       (unsigned long long)enomem,
		       (unsigned long long)absorbed);
	ksft_print_msg("create (storm, %d%% of allocations failing): %llu attempted, %llu ENOMEM\n",
		       STORM_PERCENT, (unsigned long long)s_attempts,
		       (unsigned long long)s_enomem);
	ksft_test_result(!bad_n && enomem > 0,
			 "failslab: %llu creates, %llu failed: every failure ENOMEM, no mailbox made\n",
			 (unsigned long long)(attempts + s_attempts),
			 (unsigned long long)(enomem + s_enomem));
}

/* ---------------------------------------------------------------------- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		ksft_exit_fail_msg("/proc/self/fd: %s\n", strerror(errno));
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

static void test_open(int fd)
{
	__u64 attempts = 0, injected = 0, failed = 0, absorbed = 0, bad_n = 0;
	__u64 dev_attempts = 0, dev_failed = 0, s_attempts = 0, s_failed = 0;
	int id = mbox_new(fd, 4, 64), round, fds_before;
	char msg[8] = "ping", got[8];

	if (id < 0)
		ksft_exit_fail_msg("create: %s\n", strerror(-id));
	for (round = 0; round < OPEN_ROUNDS; round++) {
		struct mbox_open arg = { .id = id, .flags = rnd(4) };
		bool done = false, dev = round % 3 == 2;
		unsigned int n;

		for (n = 1; n <= NMAX && !done; n++) {
			int before = count_fds(), after;
			bool inj;
			long ret;

			if (dev)
				ret = WITH_FAULT(n, &inj,
						 open(MBOX_DEV, O_RDWR | O_CLOEXEC));
			else
				ret = WITH_FAULT(n, &inj,
						 ioctl(fd, MBOX_IOC_OPEN, &arg));
			attempts++;
			dev_attempts += dev;
			injected += inj;
			if (ret >= 0) {
				absorbed += inj;
				done = !inj;
				if (!dev && (write(ret, msg, 4) != 4 ||
					     mbox_put(fd, id, msg, 4,
						      MBOX_NONBLOCK) ||
					     read(ret, got, 8) != 4 ||
					     mbox_get(fd, id, got, &(__u64){ 8 },
						      MBOX_NONBLOCK) != 4))
					bad(&bad_n, "the file MBOX_IOC_OPEN gave under failslab does not work: %s",
					    strerror(errno));
				close(ret);
				continue;
			}
			failed++;
			dev_failed += dev;
			if (ret != -ENOMEM && ret != -EMFILE && ret != -ENFILE)
				bad(&bad_n, "%s with fault point %u failing: %s",
				    dev ? "open(" MBOX_DEV ")" : "MBOX_IOC_OPEN",
				    n, strerror(-ret));
			after = count_fds();
			if (after != before)
				bad(&bad_n, "%s failed with %s (fault point %u) but the process went from %d to %d open files",
				    dev ? "open(" MBOX_DEV ")" : "MBOX_IOC_OPEN",
				    strerror(-ret), n, before, after);
		}
		if (!done)
			bad(&bad_n, "open still reached the fault at point %u",
			    NMAX);
	}
	/* a storm; a leaked file shows in the count afterwards */
	fds_before = count_fds();
	storm_on(STORM_PERCENT);
	for (round = 0; round < STORM_OPENS; round++) {
		struct mbox_open arg = { .id = id, .flags = rnd(4) };
		bool dev = round % 3 == 2;
		long ret;

		ret = dev ? open(MBOX_DEV, O_RDWR | O_CLOEXEC) :
			    ioctl(fd, MBOX_IOC_OPEN, &arg);
		s_attempts++;
		if (ret >= 0) {
			close(ret);
			continue;
		}
		s_failed++;
		if (errno != ENOMEM && errno != EMFILE && errno != ENFILE)
			bad(&bad_n, "%s in a storm: %s",
			    dev ? "open(" MBOX_DEV ")" : "MBOX_IOC_OPEN",
			    strerror(errno));
	}
	storm_off();
	if (count_fds() != fds_before)
		bad(&bad_n, "after the storm the process has %d open files, %d before",
		    count_fds(), fds_before);

	if (mbox_del(fd, id))
		bad(&bad_n, "destroy: %s", strerror(errno));
	ksft_print_msg("open (storm, %d%% of allocations failing): %llu attempted, %llu failed\n",
		       STORM_PERCENT, (unsigned long long)s_attempts,
		       (unsigned long long)s_failed);
	ksft_print_msg("open: %llu attempted (%llu of them open(" MBOX_DEV ")), %llu injected failures: %llu failed (%llu open(" MBOX_DEV ")), %llu absorbed\n",
		       (unsigned long long)attempts,
		       (unsigned long long)dev_attempts,
		       (unsigned long long)injected,
		       (unsigned long long)failed,
		       (unsigned long long)dev_failed,
		       (unsigned long long)absorbed);
	ksft_test_result(!bad_n && failed > dev_failed,
			 "failslab: %llu MBOX_IOC_OPEN and open(" MBOX_DEV "), %llu failed: documented errno, no file leaked\n",
			 (unsigned long long)(attempts + s_attempts),
			 (unsigned long long)(failed + s_failed));
}

/* The ring of file @f works: one message through it. */
static bool ring_works(int fd, int f, __u32 id, __u32 size)
{
	struct mbox_ring_setup st = { .size = size };
	const struct mbox_ring_rec *rec;
	long page = sysconf(_SC_PAGESIZE);
	const struct mbox_ring_producer *prod;
	char msg[4];
	bool ok;
	void *ro;

	/* Offsets of the setup that succeeded: as documented. */
	st.producer_off = page;
	ro = mmap(NULL, page + 2 * (size_t)size, PROT_READ, MAP_SHARED, f,
		  st.producer_off);
	if (ro == MAP_FAILED)
		return false;
	prod = ro;
	rec = (const void *)((const char *)ro + page);
	/* From the stack, which is mapped: no discarded record first. */
	memcpy(msg, "ring", 4);
	ok = !mbox_put(fd, id, msg, 4, MBOX_NONBLOCK) &&
	     __atomic_load_n(&prod->pos, __ATOMIC_ACQUIRE) ==
	     MBOX_RING_REC_SIZE(4) &&
	     __atomic_load_n(&rec->len, __ATOMIC_ACQUIRE) == 4 &&
	     !memcmp(rec + 1, "ring", 4);
	munmap(ro, page + 2 * (size_t)size);
	return ok;
}

static __u64 user_bytes(int fd)
{
	struct mbox_info info;

	memset(&info, 0, sizeof(info));
	return ioc_info(fd, &info) ? ~0ULL : info.user_bytes;
}

static void test_ring_setup(int fd, const struct mbox_info *info)
{
	__u64 attempts = 0, injected = 0, failed = 0, absorbed = 0, bad_n = 0;
	__u64 s_attempts = 0, s_failed = 0;
	char got[8];
	int round;

	if (!(info->features & MBOX_FEATURE_RING)) {
		ksft_test_result_skip("failslab: ring setup: no MBOX_FEATURE_RING\n");
		return;
	}
	for (round = 0; round < RING_ROUNDS + STORM_RINGS; round++) {
		bool storm = round >= RING_ROUNDS, done = false;
		__u32 size = 4096U << rnd(5);
		int id = mbox_new(fd, 4, 64), f;
		unsigned int n;

		if (id < 0)
			ksft_exit_fail_msg("create: %s\n", strerror(-id));
		f = mbox_open_id(fd, id, 0);
		if (f < 0)
			ksft_exit_fail_msg("open: %s\n", strerror(-f));
		for (n = 1; n <= NMAX && !done; n++) {
			struct mbox_ring_setup st = { .size = size };
			__u64 before = user_bytes(fd);
			bool inj = false;
			long ret;

			if (storm) {
				storm_on(STORM_PERCENT);
				ret = ioctl(f, MBOX_IOC_RING_SETUP, &st) ? -errno : 0;
				storm_off();
			} else
				ret = WITH_FAULT(n, &inj,
						 ioctl(f, MBOX_IOC_RING_SETUP, &st));
			attempts += !storm;
			s_attempts += storm;
			injected += inj;
			if (ret == 0) {
				absorbed += inj;
				done = true;
				break;
			}
			failed += !storm;
			s_failed += storm;
			if (ret != -ENOMEM)
				bad(&bad_n, "MBOX_IOC_RING_SETUP of %u bytes with fault point %u failing: %s",
				    size, n, strerror(-ret));
			if (user_bytes(fd) != before)
				bad(&bad_n, "a failed ring setup left user_bytes at %llu, %llu before",
				    (unsigned long long)user_bytes(fd),
				    (unsigned long long)before);
			/* No ring: the mailbox receives as before. */
			if (mbox_put(fd, id, "q", 1, MBOX_NONBLOCK) ||
			    mbox_get(fd, id, got, &(__u64){ 8 },
				     MBOX_NONBLOCK) != 1)
				bad(&bad_n, "after a failed ring setup the mailbox does not receive: %s",
				    strerror(errno));
		}
		if (!done)
			bad(&bad_n, "ring setup still failing at point %u", NMAX);
		else if (!ring_works(fd, f, id, size))
			bad(&bad_n, "the ring set up under failslab does not work");
		close(f);
		if (mbox_del(fd, id))
			bad(&bad_n, "destroy: %s", strerror(errno));
	}
	ksft_print_msg("ring setup: %llu attempted, %llu injected failures: %llu failed, %llu absorbed; storm: %llu attempted, %llu failed\n",
		       (unsigned long long)attempts,
		       (unsigned long long)injected,
		       (unsigned long long)failed,
		       (unsigned long long)absorbed,
		       (unsigned long long)s_attempts,
		       (unsigned long long)s_failed);
	ksft_test_result(!bad_n && failed,
			 "failslab: %llu MBOX_IOC_RING_SETUP, %llu failed: ENOMEM, nothing charged, no ring left\n",
			 (unsigned long long)(attempts + s_attempts),
			 (unsigned long long)(failed + s_failed));
}

int main(void)
{
	struct mbox_info info;
	const char *why;
	int fd, i;

	ksft_print_header();
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_set_plan(NRESULTS);
	fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	why = fd < 0 ? MBOX_DEV " is absent" : setup_failslab();
	if (why) {
		for (i = 0; i < NRESULTS; i++)
			ksft_test_result_skip("failslab: %s\n", why);
		ksft_print_cnts();
		restore_failslab();
		exit(KSFT_SKIP);
	}
	seed_state = env_ull("MBOX_FAILSLAB_SEED", mbox_now_ns());
	ksft_print_msg("MBOX_FAILSLAB_SEED=%llu; failslab ignore-gfp-wait was %s, verbose %s (set to N and 0 for the test)\n",
		       seed_state, saved_wait, saved_verbose);
	memset(&info, 0, sizeof(info));
	if (ioc_info(fd, &info))
		ksft_exit_fail_msg("INFO: %s\n", strerror(errno));

	test_sends(fd, &info);
	test_create(fd);
	test_open(fd);
	test_ring_setup(fd, &info);

	close(fd);
	restore_failslab();
	if (ksft_get_fail_cnt())
		ksft_exit_fail();
	ksft_exit_pass();
	return 0;
}
