// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl, driven as a user would: every subcommand is run as a child
 * process (/bin/mboxctl in the VM, or $MBOXCTL), and its standard output,
 * standard error and exit status are checked, the JSON included.  Then
 * /proc/mbox: its header, its figures, and pids in the reader's pid
 * namespace.
 */
#include "mbox_util.h"

#include <sched.h>
#include <sys/stat.h>

#define OUT_MAX		(1 << 16)

struct run {
	int status;		/* exit status, or 128 + signal */
	char out[OUT_MAX];	/* standard output, NUL-terminated */
	size_t out_len;
	char err[4096];		/* standard error, NUL-terminated */
};

static const char *mboxctl_path(void)
{
	const char *p = getenv("MBOXCTL");

	return p ? p : "/bin/mboxctl";
}

static size_t read_fd(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < size) {
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	buf[n] = '\0';
	return n;
}

/*
 * Runs mboxctl with @argv (NULL-terminated, without argv[0]) and @input
 * (@in_len bytes, or none if NULL) on its standard input.  Returns @r.
 */
static struct run *run_in(struct run *r, const void *input, size_t in_len,
			  const char *const *argv)
{
	int in[2], out[2], err[2], status;
	const char *args[32];
	pid_t pid;
	size_t i;

	args[0] = "mboxctl";
	for (i = 0; argv[i] && i < 30; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	if (pipe(in) || pipe(out) || pipe(err))
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (!pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[1]);
		close(out[0]);
		close(err[0]);
		execv(mboxctl_path(), (char *const *)args);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (input && in_len && write(in[1], input, in_len) != (ssize_t)in_len)
		abort();
	close(in[1]);
	r->out_len = read_fd(out[0], r->out, sizeof(r->out));
	read_fd(err[0], r->err, sizeof(r->err));
	close(out[0]);
	close(err[0]);
	waitpid(pid, &status, 0);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status);
	return r;
}

#define RUN(r, ...) run_in((r), NULL, 0, (const char *const []){ __VA_ARGS__, NULL })
#define RUN_IN(r, in, len, ...) \
	run_in((r), (in), (len), (const char *const []){ __VA_ARGS__, NULL })

/* The value of "key":N in a JSON text, or -1. */
static long long json_num(const char *json, const char *key)
{
	char pat[80];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	if (!p)
		return -1;
	return strtoll(p + strlen(pat), NULL, 10);
}

/* The string of "key":"..." in a JSON text (unescaped as is), or "". */
static const char *json_str(const char *json, const char *key, char *buf,
			    size_t size)
{
	char pat[80];
	const char *p;
	size_t n = 0;

	buf[0] = '\0';
	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(json, pat);
	if (!p)
		return buf;
	for (p += strlen(pat); *p && *p != '"' && n + 1 < size; p++) {
		if (*p == '\\' && p[1])
			buf[n++] = *p++;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	return buf;
}

/* Makes a mailbox with mboxctl create and returns its id. */
static unsigned int create(struct __test_metadata *_metadata, const char *cap,
			   const char *size, const char *name)
{
	struct run *r = malloc(sizeof(*r));
	unsigned int id;

	if (name)
		RUN(r, "create", "-c", cap, "-s", size, name);
	else
		RUN(r, "create", "-c", cap, "-s", size);
	EXPECT_EQ(0, r->status) TH_LOG("create: %s", r->err);
	id = strtoul(r->out, NULL, 10);
	EXPECT_LT(0, id);
	free(r);
	return id;
}

/* Does the module have owners and modes (MBOX_FEATURE_PERMS, bit 11)? */
static bool perms(int fd)
{
	struct mbox_info info = {};

	return !ioc_info(fd, &info) && (info.features & (1ULL << 11));
}

static const char *idstr(unsigned int id, char *buf)
{
	sprintf(buf, "%u", id);
	return buf;
}

FIXTURE(ctl) {
	struct run r;
	char id[16];
	char name[32];
	unsigned int n;
	int fd;
};

FIXTURE_SETUP(ctl)
{
	struct stat sb;

	if (stat(mboxctl_path(), &sb))
		SKIP(return, "%s not found", mboxctl_path());
	self->fd = open(MBOX_DEV, O_RDWR);
	ASSERT_LE(0, self->fd);
	snprintf(self->name, sizeof(self->name), "ctl-%d", getpid());
	self->n = create(_metadata, "4", "64", self->name);
	idstr(self->n, self->id);
}

FIXTURE_TEARDOWN(ctl)
{
	struct mbox_destroy d = { .id = self->n };

	if (self->n)
		ioc_destroy(self->fd, &d);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(ctl, create_prints_the_id_and_a_taken_name_gives_the_same_id)
{
	struct mbox_stat st = { .id = self->n };

	ASSERT_EQ(0, ioc_stat(self->fd, &st));
	EXPECT_EQ(4U, st.capacity);
	EXPECT_EQ(64U, st.max_msg_size);
	EXPECT_STREQ(self->name, st.name);
	RUN(&self->r, "create", self->name);
	EXPECT_EQ(0, self->r.status);
	EXPECT_EQ(self->n, strtoul(self->r.out, NULL, 10));
	RUN(&self->r, "create", "--excl", self->name);
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, ": File exists"));
	RUN(&self->r, "-j", "create", "-c", "0", "-s", "0");
	EXPECT_EQ(0, self->r.status);
	st.id = json_num(self->r.out, "id");
	ASSERT_EQ(0, ioc_stat(self->fd, &st));
	EXPECT_EQ(0U, st.capacity);
	RUN(&self->r, "rm", idstr(st.id, self->id));
	EXPECT_EQ(0, self->r.status);
}

TEST_F(ctl, list_shows_each_mailbox_in_text_and_json)
{
	char line[256], buf[64];
	const char *p;

	RUN(&self->r, "send", self->id, "hello");
	ASSERT_EQ(0, self->r.status);
	RUN(&self->r, "list");
	ASSERT_EQ(0, self->r.status);
	EXPECT_EQ(0, strncmp(self->r.out, "id ", 3));
	EXPECT_NE(NULL, strstr(self->r.out, "msgs/capacity"));
	if (perms(self->fd)) {
		char owner[16];

		/* Created by us, with the default mode. */
		snprintf(owner, sizeof(owner), "%u", geteuid());
		snprintf(line, sizeof(line),
			 "\n%-10s %-10s %-6s %-15s %-12s %-14s %-12s %-12s %-13s %-13s %s\n",
			 self->id, owner, "0600", "1/4", "5", "64", "1", "0", "0", "0",
			 self->name);
	} else {
		snprintf(line, sizeof(line),
			 "\n%-10s %-15s %-12s %-14s %-12s %-12s %-13s %-13s %s\n",
			 self->id, "1/4", "5", "64", "1", "0", "0", "0", self->name);
	}
	EXPECT_NE(NULL, strstr(self->r.out, line)) TH_LOG("%s", self->r.out);

	RUN(&self->r, "list", "--json");
	ASSERT_EQ(0, self->r.status);
	EXPECT_EQ('[', self->r.out[0]);
	EXPECT_EQ(0, strcmp(self->r.out + self->r.out_len - 2, "]\n"));
	snprintf(line, sizeof(line), "{\"id\":%u,", self->n);
	p = strstr(self->r.out, line);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(4, json_num(p, "capacity"));
	EXPECT_EQ(64, json_num(p, "max_msg_size"));
	EXPECT_EQ(1, json_num(p, "msgs"));
	EXPECT_EQ(5, json_num(p, "bytes"));
	EXPECT_EQ(1, json_num(p, "sent_msgs"));
	EXPECT_EQ(0, json_num(p, "blocked_senders"));
	EXPECT_STREQ(self->name, json_str(p, "name", buf, sizeof(buf)));
	if (perms(self->fd)) {
		EXPECT_EQ(geteuid(), json_num(p, "uid"));
		EXPECT_EQ(0600, json_num(p, "mode"));
	}
}

TEST_F(ctl, stat_by_id_and_by_name_agree_text_and_json)
{
	char byid[4096];

	RUN(&self->r, "send", self->id, "abc");
	ASSERT_EQ(0, self->r.status);
	RUN(&self->r, "stat", "-j", self->id);
	ASSERT_EQ(0, self->r.status);
	EXPECT_EQ(self->n, json_num(self->r.out, "id"));
	EXPECT_EQ(1, json_num(self->r.out, "msgs"));
	EXPECT_EQ(3, json_num(self->r.out, "bytes"));
	EXPECT_LT(0, json_num(self->r.out, "last_send_pid"));
	EXPECT_LT(0, json_num(self->r.out, "create_ns"));
	strcpy(byid, self->r.out);
	RUN(&self->r, "stat", "-j", self->name);
	ASSERT_EQ(0, self->r.status);
	EXPECT_STREQ(byid, self->r.out);
	RUN(&self->r, "stat", self->name);
	ASSERT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "capacity:           4\n"));
	EXPECT_NE(NULL, strstr(self->r.out, "msgs:               1\n"));
	EXPECT_NE(NULL, strstr(self->r.out, "bytes:              3\n"));
}

TEST_F(ctl, send_from_argument_file_and_stdin_recv_writes_the_exact_bytes)
{
	static const char bin[] = { 'a', 0, '\n', (char)0xff, 'z' };
	const char *file = "/tmp/mboxctl_test.msg";
	int f;

	f = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, f);
	ASSERT_EQ(6, write(f, "file\n!", 6));
	close(f);
	RUN(&self->r, "send", self->id, "arg");
	EXPECT_EQ(0, self->r.status);
	RUN(&self->r, "send", "-f", file, self->name);
	EXPECT_EQ(0, self->r.status);
	RUN_IN(&self->r, bin, sizeof(bin), "send", self->id);
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	unlink(file);

	RUN(&self->r, "recv", self->id);
	EXPECT_EQ(0, self->r.status);
	EXPECT_EQ(3U, self->r.out_len);
	EXPECT_EQ(0, memcmp(self->r.out, "arg", 3));
	RUN(&self->r, "recv", self->name);
	EXPECT_EQ(6U, self->r.out_len);
	EXPECT_EQ(0, memcmp(self->r.out, "file\n!", 6));
	RUN(&self->r, "recv", "-j", self->id);
	EXPECT_EQ(0, self->r.status);
	EXPECT_EQ(5, json_num(self->r.out, "len"));
	EXPECT_NE(NULL, strstr(self->r.out, "\"data\":\"a\\u0000\\u000a\\u00ffz\"}\n"))
		TH_LOG("%s", self->r.out);
}

TEST_F(ctl, recv_verbose_and_json_show_sender_pid_uid_seq_and_time)
{
	struct mbox_send s = { .id = self->n, .buf = (uintptr_t)"xy", .len = 2,
			       .type = 7 };
	char want[80];

	ASSERT_EQ(0, ioc_send(self->fd, &s));
	ASSERT_EQ(0, ioc_send(self->fd, &s));
	RUN(&self->r, "recv", "-v", self->id);
	EXPECT_EQ(0, self->r.status);
	snprintf(want, sizeof(want), "seq 1 type 7 len 2 pid %d uid %u sent ",
		 getpid(), getuid());
	EXPECT_EQ(0, strncmp(self->r.out, want, strlen(want))) TH_LOG("%s", self->r.out);
	EXPECT_EQ(0, strcmp(self->r.out + self->r.out_len - 4, "\nxy\n"));
	RUN(&self->r, "recv", "--json", self->id);
	EXPECT_EQ(0, self->r.status);
	EXPECT_EQ(2, json_num(self->r.out, "seq"));
	EXPECT_EQ(7, json_num(self->r.out, "type"));
	EXPECT_EQ(getpid(), json_num(self->r.out, "pid"));
	EXPECT_EQ(getuid(), json_num(self->r.out, "uid"));
	EXPECT_LT(0, json_num(self->r.out, "send_ns"));
}

TEST_F(ctl, recv_selects_by_type_and_except_peek_leaves_count_takes_n)
{
	struct mbox_stat st = { .id = self->n };

	RUN(&self->r, "send", "-t", "1", self->id, "one");
	RUN(&self->r, "send", "--type", "2", self->id, "two");
	RUN(&self->r, "send", "-t", "3", self->id, "three");
	RUN(&self->r, "recv", "--type", "2", self->id);
	EXPECT_STREQ("two", self->r.out);
	RUN(&self->r, "recv", "--except", "1", self->id);
	EXPECT_STREQ("three", self->r.out);
	RUN(&self->r, "recv", "--peek", self->id);
	EXPECT_STREQ("one", self->r.out);
	ASSERT_EQ(0, ioc_stat(self->fd, &st));
	EXPECT_EQ(1U, st.msgs);
	RUN(&self->r, "send", self->id, "four");
	RUN(&self->r, "recv", "-n", "2", self->id);
	EXPECT_EQ(0, self->r.status);
	EXPECT_STREQ("onefour", self->r.out);
	RUN(&self->r, "recv", "--type", "1", "--except", "2", self->id);
	EXPECT_EQ(2, self->r.status);
}

TEST_F(ctl, timeout_exits_3_nonblock_exits_1_with_the_errno_text)
{
	char want[96];
	int i;

	RUN(&self->r, "recv", "--timeout", "0.2", self->id);
	EXPECT_EQ(3, self->r.status);
	snprintf(want, sizeof(want), "mboxctl: mailbox %s: %s\n", self->id,
		 strerror(ETIMEDOUT));
	EXPECT_STREQ(want, self->r.err);
	RUN(&self->r, "recv", "--nonblock", self->name);
	EXPECT_EQ(1, self->r.status);
	snprintf(want, sizeof(want), "mboxctl: mailbox %s: %s\n", self->name,
		 strerror(EAGAIN));
	EXPECT_STREQ(want, self->r.err);
	for (i = 0; i < 4; i++)
		RUN(&self->r, "send", self->id, "x");
	RUN(&self->r, "send", "-N", self->id, "full");
	EXPECT_EQ(1, self->r.status);
	RUN(&self->r, "send", "-T", "0.1", self->id, "full");
	EXPECT_EQ(3, self->r.status);
	RUN(&self->r, "recv", "-n", "0", "-T", "0", self->id);
	EXPECT_EQ(0, self->r.status);
	EXPECT_STREQ("xxxx", self->r.out);
}

TEST_F(ctl, rm_destroys_every_argument_and_reports_each_missing_one)
{
	unsigned int a = create(_metadata, "1", "1", NULL);
	char ida[16];

	RUN(&self->r, "rm", idstr(a, ida), self->name);
	EXPECT_EQ(0, self->r.status);
	RUN(&self->r, "stat", self->id);
	EXPECT_EQ(1, self->r.status);
	snprintf(ida, sizeof(ida), "%s", self->id);
	self->n = 0;
	{
		char want[80];

		snprintf(want, sizeof(want), "mboxctl: mailbox %s: No such mailbox\n", ida);
		EXPECT_STREQ(want, self->r.err);
	}
	RUN(&self->r, "rm", "2147483647", "no-such-name");
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "mailbox 2147483647: No such mailbox\n"));
	EXPECT_NE(NULL, strstr(self->r.err, "mailbox no-such-name: No such mailbox\n"));
}

TEST_F(ctl, usage_errors_exit_2_and_every_command_has_help)
{
	static const char *const cmds[] = {
		"list", "stat", "info", "create", "rm", "send", "recv", "watch",
	};
	char want[40];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		RUN(&self->r, cmds[i], "--help");
		EXPECT_EQ(0, self->r.status);
		snprintf(want, sizeof(want), "Usage: mboxctl %s", cmds[i]);
		EXPECT_EQ(0, strncmp(self->r.out, want, strlen(want))) TH_LOG("%s", cmds[i]);
		RUN(&self->r, cmds[i], "--bogus");
		EXPECT_EQ(2, self->r.status) TH_LOG("%s", cmds[i]);
	}
	RUN(&self->r, "frobnicate");
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "unknown command 'frobnicate'"));
	RUN(&self->r, "stat");
	EXPECT_EQ(2, self->r.status);
	RUN(&self->r, "stat", "0");
	EXPECT_EQ(2, self->r.status);
	RUN(&self->r, "recv", "-T", "soon", self->id);
	EXPECT_EQ(2, self->r.status);
	RUN(&self->r, "create", "--auto-destroy");
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "needs --wait"));
	RUN(&self->r, "create", "12");
	EXPECT_EQ(2, self->r.status);
	RUN(&self->r, "-h");
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "3 timeout"));
}

TEST_F(ctl, create_mode_sets_the_mode_or_needs_the_perms_feature)
{
	struct mbox_info info = {};

	ASSERT_EQ(0, ioc_info(self->fd, &info));
	RUN(&self->r, "create", "-m", "0640", "ctl-mode");
	if (info.features & (1ULL << 11)) {
		EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
		RUN(&self->r, "stat", "-j", "ctl-mode");
		EXPECT_EQ(0640, json_num(self->r.out, "mode"));
		RUN(&self->r, "stat", "ctl-mode");
		EXPECT_NE(NULL, strstr(self->r.out, "mode:               0640\n"));
		RUN(&self->r, "rm", "ctl-mode");
		EXPECT_EQ(0, self->r.status);
		RUN(&self->r, "create", "-m", "999", "ctl-mode");
		EXPECT_EQ(2, self->r.status);
		return;
	}
	EXPECT_EQ(1, self->r.status);
	EXPECT_STREQ("mboxctl: --mode: not supported by this module (no perms feature)\n",
		     self->r.err);
	RUN(&self->r, "create", "-m", "999", "ctl-mode");
	EXPECT_EQ(2, self->r.status);
}

TEST_F(ctl, info_reports_version_abi_features_limits_and_usage)
{
	struct mbox_info info = {};
	char buf[32];

	ASSERT_EQ(0, ioc_info(self->fd, &info));
	RUN(&self->r, "info", "-j");
	ASSERT_EQ(0, self->r.status);
	EXPECT_STREQ("1.0", json_str(self->r.out, "version", buf, sizeof(buf)));
	EXPECT_EQ(1, json_num(self->r.out, "abi_version"));
	if (info.features & (1ULL << 12))	/* MBOX_FEATURE_LIMITS */
		EXPECT_LE(0, json_num(self->r.out, "max_bytes"));
	EXPECT_EQ((long long)info.features, json_num(self->r.out, "features"));
	EXPECT_NE(NULL, strstr(self->r.out, "\"feature_names\":[\"rendezvous\","));
	EXPECT_EQ(info.max_mailboxes, json_num(self->r.out, "max_mailboxes"));
	EXPECT_EQ(info.max_msg_size, json_num(self->r.out, "max_msg_size"));
	EXPECT_LE(1, json_num(self->r.out, "nr_mailboxes"));
	RUN(&self->r, "info");
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "version:        1.0\nabi_version:    1\n"));
}

/* An auto-destroyed mailbox lives exactly as long as `create -a -w`. */
TEST_F(ctl, create_auto_destroy_wait_holds_the_mailbox_until_signalled)
{
	const char *args[] = { "mboxctl", "create", "-a", "-w", "ctl-auto", NULL };
	struct mbox_stat st = {};
	char buf[32] = "";
	int out[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(out));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		dup2(out[1], 1);
		execv(mboxctl_path(), (char *const *)args);
		_exit(127);
	}
	close(out[1]);
	ASSERT_LT(0, read(out[0], buf, sizeof(buf) - 1));
	close(out[0]);
	st.id = strtoul(buf, NULL, 10);
	ASSERT_EQ(0, ioc_stat(self->fd, &st));
	EXPECT_EQ(MBOX_CREATE_AUTODESTROY, st.create_flags);
	usleep(100000);
	ASSERT_EQ(0, ioc_stat(self->fd, &st));
	kill(pid, SIGTERM);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	EXPECT_EQ(-ENOENT, ioc_stat(self->fd, &st));
}

TEST_F(ctl, watch_counts_the_messages_of_each_interval)
{
	char *line, *save;
	long long sent = 0;
	int lines = 0;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mbox_send s = { .id = self->n, .buf = (uintptr_t)"m", .len = 1 };
		struct mbox_recv r = { .id = self->n, .buf = (uintptr_t)"", .len = 0,
				       .flags = MBOX_RECV_TRUNC };
		int i;

		for (i = 0; i < 30; i++) {
			ioc_send(self->fd, &s);
			ioc_recv(self->fd, &r);
			usleep(20000);
		}
		_exit(0);
	}
	RUN(&self->r, "watch", "-j", "-i", "0.3", "-n", "3");
	waitpid(pid, NULL, 0);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	for (line = strtok_r(self->r.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[32];
		const char *p;

		lines++;
		EXPECT_EQ(0, strncmp(line, "{\"time_ns\":", 11));
		EXPECT_LE(300000000, json_num(line, "interval_ns"));
		snprintf(key, sizeof(key), "{\"id\":%u,", self->n);
		p = strstr(line, key);
		ASSERT_NE(NULL, p);
		sent += json_num(p, "sent_msgs");
		EXPECT_EQ(json_num(p, "sent_msgs"), json_num(p, "sent_bytes"));
	}
	EXPECT_EQ(3, lines);
	EXPECT_LT(5, sent);
	RUN(&self->r, "watch", "-i", "0.05", "-n", "1");
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "sent/s"));
	EXPECT_NE(NULL, strstr(self->r.out, self->name));
}

/* The line of /proc/mbox for mailbox @id, or "" (and the header line). */
static void proc_line(unsigned int id, char *line, size_t size, char *header)
{
	FILE *f = fopen("/proc/mbox", "r");
	unsigned int n;

	line[0] = '\0';
	if (!f)
		return;
	if (!fgets(header, 256, f))
		header[0] = '\0';
	while (fgets(line, size, f)) {
		if (sscanf(line, "%u", &n) == 1 && n == id)
			break;
		line[0] = '\0';
	}
	fclose(f);
}

TEST_F(ctl, proc_mbox_has_a_header_and_a_line_per_mailbox)
{
	unsigned int id, cap, size, msgs, bs, br, flags, uid, gid, mode;
	unsigned long long bytes, sm, sb, rm, rb;
	char line[512], header[256], name[64];
	int lspid, lrpid;

	RUN(&self->r, "send", self->id, "12345");
	RUN(&self->r, "send", self->id, "678");
	RUN(&self->r, "recv", self->id);
	proc_line(self->n, line, sizeof(line), header);
	EXPECT_EQ(0, strncmp(header, "        id   capacity   max_size       msgs      bytes  bsend  brecv  sent_msgs       sent_bytes  recv_msgs       recv_bytes  lspid  lrpid        uid        gid mode flags name\n",
			     sizeof(header)));
	ASSERT_EQ(18, sscanf(line, "%u %u %u %u %llu %u %u %llu %llu %llu %llu %d %d %u %u %o %x %63s",
			     &id, &cap, &size, &msgs, &bytes, &bs, &br, &sm, &sb,
			     &rm, &rb, &lspid, &lrpid, &uid, &gid, &mode, &flags,
			     name)) TH_LOG("%s", line);
	EXPECT_EQ(self->n, id);
	EXPECT_EQ(4U, cap);
	EXPECT_EQ(64U, size);
	EXPECT_EQ(1U, msgs);
	EXPECT_EQ(3ULL, bytes);
	EXPECT_EQ(0U, bs);
	EXPECT_EQ(0U, br);
	EXPECT_EQ(2ULL, sm);
	EXPECT_EQ(8ULL, sb);
	EXPECT_EQ(1ULL, rm);
	EXPECT_EQ(5ULL, rb);
	EXPECT_LT(0, lspid);
	EXPECT_LT(0, lrpid);
	EXPECT_EQ(0U, flags);
	EXPECT_STREQ(self->name, name);
	EXPECT_EQ(geteuid(), uid);
	EXPECT_EQ(getegid(), gid);
	if (perms(self->fd))
		EXPECT_EQ(0600U, mode);

	RUN(&self->r, "rm", self->id);
	proc_line(self->n, line, sizeof(line), header);
	EXPECT_STREQ("", line);
	self->n = 0;
}

/* A sender in a new pid namespace is pid 1 to itself, its own pid to us. */
TEST_F(ctl, proc_mbox_shows_pids_in_the_readers_pid_namespace)
{
	char line[512], header[256];
	int lspid = -1, status;
	pid_t child;

	if (unshare(CLONE_NEWPID))
		SKIP(return, "unshare(CLONE_NEWPID): %s", strerror(errno));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		struct mbox_send s = { .id = self->n, .buf = (uintptr_t)"ns", .len = 2 };

		if (ioc_send(self->fd, &s))
			_exit(10);
		proc_line(self->n, line, sizeof(line), header);
		if (sscanf(line, "%*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %d",
			   &lspid) != 1)
			_exit(11);
		_exit(lspid == 1 ? 0 : 12);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	proc_line(self->n, line, sizeof(line), header);
	ASSERT_EQ(1, sscanf(line, "%*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %d",
			    &lspid));
	EXPECT_EQ(child, lspid);
}

TEST_HARNESS_MAIN
