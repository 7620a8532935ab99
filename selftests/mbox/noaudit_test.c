// SPDX-License-Identifier: GPL-2.0
/*
 * Capability probes are not audited.  A check of CAP_IPC_OWNER that only
 * decides what a call does (the rights MBOX_IOC_OPEN gives a file, the
 * mailboxes MBOX_STAT_NEXT and /proc/mbox skip) must be made with
 * ns_capable_noaudit(), or an LSM logs a denial at every such call by an
 * ordinary user.  A check whose denial fails the call stays audited.
 *
 * An LSM's audit log is not available in the VM, so the tests watch the
 * calls themselves with the function tracer: ns_capable() and capable()
 * audit a denial, ns_capable_noaudit() does not.  Skipped where tracefs or
 * the function tracer is missing.
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/stat.h>

#include "cred_util.h"

#define TRACEFS		"/sys/kernel/tracing"
#define TRACE_MAX	(1 << 20)

/* Write @s to a tracefs file, truncated first: 0 or -errno. */
static int tr_write(const char *file, const char *s)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* Add @fn to set_ftrace_filter (opened without O_TRUNC, it appends). */
static int tr_filter_add(const char *fn)
{
	char path[] = TRACEFS "/set_ftrace_filter";

	return mbox_write_file(path, fn);
}

/* Is @word a whole word of the file @file? */
static int tr_has_word(const char *file, const char *word)
{
	char path[128], w[128];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!found && fscanf(f, "%127s", w) == 1)
		found = !strcmp(w, word);
	fclose(f);
	return found;
}

/* The function tracer, ready to trace the capability checks. */
static const char *tracer_ready(void)
{
	struct stat sb;

	if (stat(TRACEFS "/trace", &sb) &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return "cannot mount tracefs at " TRACEFS;
	if (!tr_has_word("available_tracers", "function"))
		return "no function tracer";
	if (!tr_has_word("available_filter_functions", "ns_capable") ||
	    !tr_has_word("available_filter_functions", "ns_capable_noaudit"))
		return "ns_capable or ns_capable_noaudit cannot be traced";
	return NULL;
}

/* The number of lines of the trace where @fn was called by mbox. */
static int calls_from_mbox(const char *trace, const char *fn)
{
	char pat[64];
	const char *p;
	int n = 0;

	/* "ns_capable <-mbox_perm": the space keeps ns_capable_noaudit out. */
	snprintf(pat, sizeof(pat), " %s <-mbox_", fn);
	for (p = trace; (p = strstr(p, pat)); p += strlen(pat))
		n++;
	return n;
}

FIXTURE(noaudit) {
	int fd;
	int id;
	char *trace;
};

FIXTURE_SETUP(noaudit)
{
	const char *why;

	self->trace = NULL;
	self->id = -1;
	MBOX_OPEN_OR_SKIP(&self->fd);
	if (geteuid() != 0)
		SKIP(return, "needs root to trace and to switch users");
	why = tracer_ready();
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, tr_write("tracing_on", "0"));
	ASSERT_EQ(0, tr_write("current_tracer", "nop"));
	ASSERT_EQ(0, tr_write("set_ftrace_filter", ""));
	ASSERT_EQ(0, tr_filter_add("ns_capable"));
	ASSERT_EQ(0, tr_filter_add("capable"));
	ASSERT_EQ(0, tr_filter_add("ns_capable_noaudit"));
	/* Owned by root; the other class may read, not write. */
	self->id = cu_new_mode(self->fd, 4, 64, 0604);
	ASSERT_LT(0, self->id);
	mbox_track(self->id);
}

FIXTURE_TEARDOWN(noaudit)
{
	tr_write("tracing_on", "0");
	tr_write("current_tracer", "nop");
	tr_write("set_ftrace_filter", "");
	free(self->trace);
	mbox_cleanup(self->fd);
}

/* Trace the capability checks of @fn(@fd, @arg), run as the other user. */
static int traced_as_other(char **trace, int fd, cu_fn fn, void *arg)
{
	char *buf = malloc(TRACE_MAX);
	size_t n = 0;
	ssize_t r;
	int ret, tfd;

	if (!buf || tr_write("trace", "") ||
	    tr_write("current_tracer", "function") ||
	    tr_write("tracing_on", "1")) {
		free(buf);
		return -EIO;
	}
	ret = cu_run(fd, fn, arg);
	tr_write("tracing_on", "0");
	tfd = open(TRACEFS "/trace", O_RDONLY);
	while (tfd >= 0 && n + 1 < TRACE_MAX &&
	       (r = read(tfd, buf + n, TRACE_MAX - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	if (tfd >= 0)
		close(tfd);
	*trace = buf;
	return ret;
}

static int open_as_other(int fd, void *p)
{
	struct mbox_open arg = { .id = *(int *)p };
	int ret = cu_become_class(2);

	if (ret)
		return ret;
	ret = ioc_open(fd, &arg);
	if (ret < 0)
		return ret;
	/* Read-only: the write right was probed and not given. */
	return (fcntl(ret, F_GETFL) & O_ACCMODE) == O_RDONLY ? 0 : -EPROTO;
}

TEST_F(noaudit, open_that_gets_one_right_probes_the_other_without_audit)
{
	EXPECT_EQ(0, traced_as_other(&self->trace, self->fd, open_as_other,
				     &self->id));
	EXPECT_EQ(0, calls_from_mbox(self->trace, "ns_capable"));
	EXPECT_EQ(0, calls_from_mbox(self->trace, "capable"));
	/* The probe was made, so the trace saw mbox's checks. */
	EXPECT_LE(1, calls_from_mbox(self->trace, "ns_capable_noaudit"));
}

static int stat_next_as_other(int fd, void *p)
{
	struct mbox_stat st = { .flags = MBOX_STAT_NEXT };
	int ret = cu_become_class(2);

	(void)p;
	if (ret)
		return ret;
	/* Skips every mailbox the other user may not read. */
	for (;;) {
		ret = ioc_stat(fd, &st);
		if (ret)
			return ret == -ENOENT ? 0 : ret;
		st.id++;
	}
}

TEST_F(noaudit, stat_next_skips_unreadable_mailboxes_without_audit)
{
	struct mbox_set set = { .id = self->id, .flags = MBOX_SET_MODE,
				.mode = 0600 };

	ASSERT_EQ(0, cu_set(self->fd, &set));
	EXPECT_EQ(0, traced_as_other(&self->trace, self->fd,
				     stat_next_as_other, NULL));
	EXPECT_EQ(0, calls_from_mbox(self->trace, "ns_capable"));
	EXPECT_EQ(0, calls_from_mbox(self->trace, "capable"));
	EXPECT_LE(1, calls_from_mbox(self->trace, "ns_capable_noaudit"));
}

static int proc_as_other(int fd, void *p)
{
	char buf[4096];
	int ret = cu_become_class(2);
	int pfd;

	(void)fd;
	(void)p;
	if (ret)
		return ret;
	pfd = open("/proc/mbox", O_RDONLY | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	while ((ret = read(pfd, buf, sizeof(buf))) > 0)
		;
	ret = ret < 0 ? -errno : 0;
	close(pfd);
	return ret;
}

TEST_F(noaudit, proc_mbox_skips_unreadable_mailboxes_without_audit)
{
	struct mbox_set set = { .id = self->id, .flags = MBOX_SET_MODE,
				.mode = 0600 };

	ASSERT_EQ(0, cu_set(self->fd, &set));
	EXPECT_EQ(0, traced_as_other(&self->trace, self->fd, proc_as_other,
				     NULL));
	EXPECT_EQ(0, calls_from_mbox(self->trace, "ns_capable"));
	EXPECT_EQ(0, calls_from_mbox(self->trace, "capable"));
	EXPECT_LE(1, calls_from_mbox(self->trace, "ns_capable_noaudit"));
}

/* Neither right: the call fails, and that denial is audited. */
TEST_F(noaudit, open_that_gets_no_right_is_eacces_and_audited)
{
	struct mbox_set set = { .id = self->id, .flags = MBOX_SET_MODE,
				.mode = 0600 };

	ASSERT_EQ(0, cu_set(self->fd, &set));
	EXPECT_EQ(-EACCES, traced_as_other(&self->trace, self->fd,
					   open_as_other, &self->id));
	EXPECT_LE(1, calls_from_mbox(self->trace, "ns_capable"));
}

TEST_HARNESS_MAIN
