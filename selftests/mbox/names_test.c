// SPDX-License-Identifier: GPL-2.0
/*
 * mbox names (MBOX_FEATURE_NAMES): a mailbox may be created with a name,
 * unique in the creator's IPC namespace, and found by it with
 * MBOX_IOC_LOOKUP.
 *
 * Covered: what a name may be (each invalid input alone, with its errno),
 * CREATE with and without MBOX_CREATE_EXCL, the name in MBOX_IOC_STAT, when
 * a name is freed (destroy, auto-destroy on close and on SIGKILL), ids not
 * reused, IPC namespaces (isolation both ways, setns(), a dead namespace's
 * names never seen by a new one, the namespace kept while it has names and
 * released after), LOOKUP's ABI, races on one name, and many names.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <sys/stat.h>

#include "proc_util.h"

#define NT_WAIT_MS		10000

/* Child exit codes of these tests, besides errnos and mbox_util.h's. */
#define NT_CHILD_UNSHARE	204	/* unshare() failed: errno in its out */
#define NT_CHILD_SKIP		205	/* a setup the kernel refused */

#define NT_NAME_BUF		(2 * MBOX_NAME_MAX)

/* MBOX_IOC_LOOKUP: what it returns, or -errno. */
static int nt_lookup_arg(int fd, struct mbox_lookup *arg)
{
	return mbox_ioctl(fd, MBOX_IOC_LOOKUP, arg);
}

/* LOOKUP of @name: the id or -errno; @id (if not NULL) gets @id out. */
static int nt_lookup(int fd, const void *name, __u32 *id)
{
	struct mbox_lookup arg = { .name = (__u64)(uintptr_t)name };
	int ret = nt_lookup_arg(fd, &arg);

	if (id)
		*id = arg.id;
	return ret;
}

/* CREATE with every field; an id it returns is destroyed at teardown. */
static int nt_create(int fd, const void *name, __u64 flags, __u32 capacity,
		     __u32 max_msg_size)
{
	struct mbox_create arg = {
		.capacity = capacity,
		.max_msg_size = max_msg_size,
		.flags = flags,
		.name = (__u64)(uintptr_t)name,
	};
	int id = ioc_create(fd, &arg);

	if (id > 0)
		mbox_track(id);
	return id;
}

/* A named mailbox of capacity 4 and messages up to 64 bytes. */
static int nt_named(int fd, const void *name, __u64 flags)
{
	return nt_create(fd, name, flags, 4, 64);
}

/* The name STAT reports for @id into @name (MBOX_NAME_MAX bytes). */
static int nt_name_of(int fd, __u32 id, char *name)
{
	struct mbox_stat st;
	int ret = mbox_stat_id(fd, id, &st);

	memcpy(name, st.name, MBOX_NAME_MAX);
	return ret;
}

static __u32 nt_nr(int fd)
{
	struct mbox_info info;

	memset(&info, 0, sizeof(info));
	if (ioc_info(fd, &info))
		return UINT_MAX;
	return info.nr_mailboxes;
}

/* The inode number of the caller's IPC namespace, 0 if unknown. */
static unsigned long long nt_ipc_ns_ino(void)
{
	struct stat sb;

	if (stat("/proc/self/ns/ipc", &sb))
		return 0;
	return sb.st_ino;
}

/* A pointer @n bytes before the end of a page that unmapped memory follows. */
static char *nt_before_hole(struct __test_metadata *_metadata, size_t n)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mbox_map_with_holes(2, 2);

	ASSERT_NE(NULL, p);
	return p + psz - n;
}

/* @len bytes of @c, NUL-terminated, in @buf (NT_NAME_BUF bytes). */
static char *nt_fill_name(char *buf, size_t len, char c)
{
	memset(buf, c, len);
	buf[len] = '\0';
	return buf;
}

/* A CREATE of @name with @flags fails with @err and creates nothing. */
static void nt_expect_create_fails(struct __test_metadata *_metadata, int fd,
				   const void *name, __u64 flags, int err,
				   const char *what)
{
	__u32 before = nt_nr(fd);
	int ret = nt_create(fd, name, flags, 1, 8);

	EXPECT_EQ(-err, ret) TH_LOG("create, %s, flags %#llx: got %d (%s)",
				    what, (unsigned long long)flags, ret,
				    ret < 0 ? strerror(-ret) : "created");
	EXPECT_EQ(before, nt_nr(fd)) TH_LOG("create, %s: mailbox count", what);
}

/* A CREATE of @name fails with @err, with and without MBOX_CREATE_EXCL. */
static void nt_expect_bad_name(struct __test_metadata *_metadata, int fd,
			       const void *name, int err, const char *what)
{
	nt_expect_create_fails(_metadata, fd, name, 0, err, what);
	nt_expect_create_fails(_metadata, fd, name, MBOX_CREATE_EXCL, err,
			       what);
}

static void nt_expect_lookup_fails(struct __test_metadata *_metadata, int fd,
				   const void *name, int err, const char *what)
{
	int ret = nt_lookup(fd, name, NULL);

	EXPECT_EQ(-err, ret) TH_LOG("lookup, %s: got %d (%s)", what, ret,
				    ret < 0 ? strerror(-ret) : "found");
}

FIXTURE(names) {
	int fd;
	struct mbox_info info;
};

FIXTURE_SETUP(names)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	REQUIRE_FEATURES(self->fd, MBOX_FEATURE_NAMES);
}

FIXTURE_TEARDOWN(names)
{
	mbox_cleanup(self->fd);
}

/* Create, lookup, stat */

TEST_F(names, create_with_a_name_returns_an_id_that_lookup_returns_too)
{
	struct mbox_lookup arg = { .id = 0xdeadbeef };
	int id, ret;

	id = nt_named(self->fd, "nt-basic", 0);
	ASSERT_LT(0, id) TH_LOG("create: %s", strerror(-id));
	arg.name = (__u64)(uintptr_t)"nt-basic";
	ret = nt_lookup_arg(self->fd, &arg);
	EXPECT_EQ(id, ret) TH_LOG("lookup returned %d", ret);
	EXPECT_EQ((__u32)id, arg.id);
	EXPECT_EQ(0U, arg.flags);
	EXPECT_EQ((__u64)(uintptr_t)"nt-basic", arg.name);
}

TEST_F(names, stat_reports_the_name_zero_padded)
{
	struct mbox_stat st;
	int id;
	size_t i;

	id = nt_named(self->fd, "nt-stat", 0);
	ASSERT_LT(0, id);
	memset(&st, 0xa5, sizeof(st));
	st.id = id;
	st.flags = 0;
	ASSERT_EQ(0, ioc_stat(self->fd, &st));
	EXPECT_STREQ("nt-stat", st.name);
	for (i = strlen("nt-stat"); i < sizeof(st.name); i++) {
		EXPECT_EQ(0, st.name[i]) TH_LOG("name byte %zu", i);
	}
	EXPECT_EQ(4U, st.capacity);
	EXPECT_EQ(64U, st.max_msg_size);
}

TEST_F(names, unnamed_mailboxes_have_an_empty_name)
{
	struct mbox_stat st;
	__u32 ids[2];
	int i;

	ids[0] = NEW_MBOX(self->fd, 1, 8);
	ids[1] = nt_create(self->fd, NULL, 0, 1, 8);	/* name 0 spelt out */
	ASSERT_LT(0, (int)ids[1]);
	for (i = 0; i < 2; i++) {
		memset(&st, 0xa5, sizeof(st));
		st.id = ids[i];
		st.flags = 0;
		ASSERT_EQ(0, ioc_stat(self->fd, &st));
		EXPECT_EQ(-1, mbox_check_fill(st.name, sizeof(st.name), 0))
			TH_LOG("mailbox %u has a name", ids[i]);
	}
}

TEST_F(names, version_1_create_reads_no_name_and_makes_an_unnamed_mailbox)
{
	struct mbox_create arg = {
		.capacity = 1,
		.max_msg_size = 8,
		.name = (__u64)(uintptr_t)"nt-v1",
	};
	unsigned long cmd = MBOX_CMD(_IOC_WRITE, 1, MBOX_CREATE_SIZE_VER1);
	char name[MBOX_NAME_MAX];
	int id;

	id = mbox_ioctl(self->fd, cmd, &arg);
	ASSERT_LT(0, id) TH_LOG("version-1 create: %s", strerror(-id));
	mbox_track(id);
	EXPECT_EQ(0, nt_name_of(self->fd, id, name));
	EXPECT_STREQ("", name);
	EXPECT_EQ(-ENOENT, nt_lookup(self->fd, "nt-v1", NULL));
}

TEST_F(names, version_2_stat_gets_no_name_and_nothing_past_its_size)
{
	unsigned char buf[sizeof(struct mbox_stat)];
	struct mbox_stat *st = (struct mbox_stat *)buf;
	unsigned long cmd = MBOX_CMD(_IOC_READ | _IOC_WRITE, 5,
				     MBOX_STAT_SIZE_VER2);
	int id;

	id = nt_named(self->fd, "nt-stat-v2", 0);
	ASSERT_LT(0, id);
	memset(buf, 0xa5, sizeof(buf));
	memset(buf, 0, MBOX_STAT_SIZE_VER2);
	st->id = id;
	ASSERT_EQ(0, mbox_ioctl(self->fd, cmd, buf));
	EXPECT_EQ((__u32)id, st->id);
	EXPECT_EQ(-1, mbox_check_fill(buf + MBOX_STAT_SIZE_VER2,
				      sizeof(buf) - MBOX_STAT_SIZE_VER2, 0xa5));
}

TEST_F(names, stat_in_a_larger_struct_gets_the_name_and_a_zeroed_tail)
{
	unsigned char buf[sizeof(struct mbox_stat) + 16];
	struct mbox_stat *st = (struct mbox_stat *)buf;
	unsigned long cmd = MBOX_CMD(_IOC_READ | _IOC_WRITE, 5, sizeof(buf));
	int id;

	id = nt_named(self->fd, "nt-stat-big", 0);
	ASSERT_LT(0, id);
	memset(buf, 0, sizeof(buf));
	st->id = id;
	ASSERT_EQ(0, mbox_ioctl(self->fd, cmd, buf));
	EXPECT_STREQ("nt-stat-big", st->name);
	EXPECT_EQ(-1, mbox_check_fill(buf + sizeof(*st), 16, 0));
}

TEST_F(names, create_in_a_larger_struct_with_a_name_and_zero_tail_works)
{
	unsigned char buf[sizeof(struct mbox_create) + 16];
	struct mbox_create *c = (struct mbox_create *)buf;
	unsigned long cmd = MBOX_CMD(_IOC_WRITE, 1, sizeof(buf));
	int id;

	memset(buf, 0, sizeof(buf));
	c->capacity = 1;
	c->name = (__u64)(uintptr_t)"nt-big";
	id = mbox_ioctl(self->fd, cmd, buf);
	ASSERT_LT(0, id) TH_LOG("%s", strerror(-id));
	mbox_track(id);
	EXPECT_EQ(id, nt_lookup(self->fd, "nt-big", NULL));
}

TEST_F(names, create_in_a_larger_struct_with_nonzero_tail_is_e2big_and_takes_no_name)
{
	unsigned char buf[sizeof(struct mbox_create) + 16];
	struct mbox_create *c = (struct mbox_create *)buf;
	unsigned long cmd = MBOX_CMD(_IOC_WRITE, 1, sizeof(buf));
	__u32 before = nt_nr(self->fd);
	int ret;

	memset(buf, 0, sizeof(buf));
	c->capacity = 1;
	c->name = (__u64)(uintptr_t)"nt-big-e2big";
	buf[sizeof(*c) + 15] = 1;
	ret = mbox_ioctl(self->fd, cmd, buf);
	EXPECT_EQ(-E2BIG, ret);
	if (ret > 0)
		mbox_track(ret);
	EXPECT_EQ(before, nt_nr(self->fd));
	EXPECT_EQ(-ENOENT, nt_lookup(self->fd, "nt-big-e2big", NULL));
}

TEST_F(names, create_with_excl_of_a_free_name_creates_it)
{
	__u32 before = nt_nr(self->fd);
	int id;

	id = nt_named(self->fd, "nt-excl-free", MBOX_CREATE_EXCL);
	ASSERT_LT(0, id) TH_LOG("%s", strerror(-id));
	EXPECT_EQ(before + 1, nt_nr(self->fd));
	EXPECT_EQ(id, nt_lookup(self->fd, "nt-excl-free", NULL));
}

TEST_F(names, create_without_excl_of_a_taken_name_returns_its_id_and_creates_nothing)
{
	struct mbox_stat st;
	__u32 before;
	int id, again;

	id = nt_create(self->fd, "nt-dup", 0, 2, 8);
	ASSERT_LT(0, id);
	before = nt_nr(self->fd);
	again = nt_create(self->fd, "nt-dup", 0, 5, 16);
	EXPECT_EQ(id, again);
	EXPECT_EQ(before, nt_nr(self->fd));
	/* The other arguments were not applied to the existing mailbox. */
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(2U, st.capacity);
	EXPECT_EQ(8U, st.max_msg_size);
	EXPECT_EQ(0ULL, st.create_flags);
	EXPECT_EQ(id, nt_lookup(self->fd, "nt-dup", NULL));
}

TEST_F(names, create_with_excl_of_a_taken_name_is_eexist_and_changes_nothing)
{
	struct mbox_stat st;
	__u32 before;
	int id;

	id = nt_create(self->fd, "nt-excl", 0, 2, 8);
	ASSERT_LT(0, id);
	before = nt_nr(self->fd);
	EXPECT_EQ(-EEXIST, nt_create(self->fd, "nt-excl", MBOX_CREATE_EXCL,
				     5, 16));
	EXPECT_EQ(-EEXIST, nt_create(self->fd, "nt-excl", MBOX_CREATE_EXCL |
				     MBOX_CREATE_AUTODESTROY, 5, 16));
	EXPECT_EQ(before, nt_nr(self->fd));
	EXPECT_EQ(id, nt_lookup(self->fd, "nt-excl", NULL));
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(2U, st.capacity);
	EXPECT_EQ(8U, st.max_msg_size);
	EXPECT_STREQ("nt-excl", st.name);
}

TEST_F(names, create_of_a_taken_name_still_checks_its_other_arguments)
{
	int id;

	id = nt_named(self->fd, "nt-checked", 0);
	ASSERT_LT(0, id);
	EXPECT_EQ(-EINVAL, nt_create(self->fd, "nt-checked", 0,
				     self->info.max_capacity + 1, 8));
	EXPECT_EQ(-EINVAL, nt_create(self->fd, "nt-checked", 0, 1,
				     self->info.max_msg_size + 1));
	EXPECT_EQ(-EINVAL, nt_create(self->fd, "nt-checked", 1ULL << 63, 1,
				     8));
}

/* Returning an existing mailbox creates nothing, so it ties nothing. */
TEST_F(names, create_that_returns_an_existing_mailbox_does_not_tie_it_to_the_callers_file)
{
	char name[MBOX_NAME_MAX];
	int fd2, fd3, id, id2;

	/* A persistent mailbox stays persistent ... */
	id = nt_named(self->fd, "nt-tie", 0);
	ASSERT_LT(0, id);
	fd2 = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(id, nt_named(fd2, "nt-tie", MBOX_CREATE_AUTODESTROY));
	close(fd2);
	EXPECT_EQ(0, nt_name_of(self->fd, id, name));
	EXPECT_EQ(id, nt_lookup(self->fd, "nt-tie", NULL));

	/* ... and an auto-destroyed one goes with its own creator only. */
	fd2 = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	fd3 = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_LE(0, fd3);
	id2 = nt_named(fd2, "nt-tie-auto", MBOX_CREATE_AUTODESTROY);
	ASSERT_LT(0, id2);
	EXPECT_EQ(id2, nt_named(fd3, "nt-tie-auto", 0));
	close(fd3);
	EXPECT_EQ(id2, nt_lookup(self->fd, "nt-tie-auto", NULL));
	close(fd2);
	EXPECT_EQ(-ENOENT, nt_lookup(self->fd, "nt-tie-auto", NULL));
	EXPECT_EQ(-ENOENT, nt_name_of(self->fd, id2, name));
}

TEST_F(names, names_are_compared_byte_for_byte)
{
	static const char *const set[] = {
		"nt-case", "nt-Case", "nt-case ", " nt-case", "nt-cas",
		"nt-case.", "nt-casE",
	};
	int ids[ARRAY_SIZE(set)];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(set); i++) {
		ids[i] = nt_named(self->fd, set[i], MBOX_CREATE_EXCL);
		ASSERT_LT(0, ids[i]) TH_LOG("'%s': %s", set[i],
					    strerror(-ids[i]));
	}
	for (i = 0; i < ARRAY_SIZE(set); i++) {
		EXPECT_EQ(ids[i], nt_lookup(self->fd, set[i], NULL))
			TH_LOG("'%s'", set[i]);
		for (j = 0; j < i; j++) {
			EXPECT_NE(ids[i], ids[j]);
		}
	}
}

TEST_F(names, every_printable_ascii_byte_but_slash_is_valid_in_a_name)
{
	char name[NT_NAME_BUF], got[MBOX_NAME_MAX];
	int c, id, n = 0, chunks = 0;

	/* 0x20 .. 0x7e less '/': 94 bytes, in two names of up to 63. */
	for (c = 0x20; c <= 0x7f; c++) {
		if (c != '/' && c != 0x7f)
			name[n++] = (char)c;
		if (n == MBOX_NAME_MAX - 1 || (c == 0x7f && n)) {
			name[n] = '\0';
			id = nt_named(self->fd, name, MBOX_CREATE_EXCL);
			ASSERT_LT(0, id) TH_LOG("'%s': %s", name,
						strerror(-id));
			EXPECT_EQ(id, nt_lookup(self->fd, name, NULL))
				TH_LOG("'%s'", name);
			EXPECT_EQ(0, nt_name_of(self->fd, id, got));
			EXPECT_STREQ(name, got);
			n = 0;
			chunks++;
		}
	}
	EXPECT_EQ(2, chunks);
	/* A name of one space, and one of one '~'. */
	EXPECT_LT(0, nt_named(self->fd, " ", MBOX_CREATE_EXCL));
	EXPECT_LT(0, nt_named(self->fd, "~", MBOX_CREATE_EXCL));
}

/* Invalid names, each alone */

TEST_F(names, create_with_an_empty_name_is_einval)
{
	nt_expect_bad_name(_metadata, self->fd, "", EINVAL, "empty name");
}

TEST_F(names, create_with_a_slash_in_the_name_is_einval)
{
	nt_expect_bad_name(_metadata, self->fd, "/", EINVAL, "'/'");
	nt_expect_bad_name(_metadata, self->fd, "nt/slash", EINVAL,
			   "'nt/slash'");
	nt_expect_bad_name(_metadata, self->fd, "/nt-slash", EINVAL,
			   "'/nt-slash'");
	nt_expect_bad_name(_metadata, self->fd, "nt-slash/", EINVAL,
			   "'nt-slash/'");
	EXPECT_EQ(-ENOENT, nt_lookup(self->fd, "nt-slash", NULL));
}

TEST_F(names, create_with_a_control_byte_in_the_name_is_einval)
{
	nt_expect_bad_name(_metadata, self->fd, "\x01", EINVAL, "\"\\x01\"");
	nt_expect_bad_name(_metadata, self->fd, "nt\x1f", EINVAL,
			   "\"nt\\x1f\"");
	nt_expect_bad_name(_metadata, self->fd, "nt\tctl", EINVAL,
			   "\"nt\\tctl\"");
	nt_expect_bad_name(_metadata, self->fd, "nt-ctl\n", EINVAL,
			   "\"nt-ctl\\n\"");
}

TEST_F(names, create_with_a_byte_above_0x7e_in_the_name_is_einval)
{
	nt_expect_bad_name(_metadata, self->fd, "\x7f", EINVAL, "\"\\x7f\"");
	nt_expect_bad_name(_metadata, self->fd, "nt\x80", EINVAL,
			   "\"nt\\x80\"");
	nt_expect_bad_name(_metadata, self->fd, "nt\xff", EINVAL,
			   "\"nt\\xff\"");
	nt_expect_bad_name(_metadata, self->fd, "nt-\xc3\xa9", EINVAL,
			   "UTF-8 \"nt-\\xc3\\xa9\"");
}

TEST_F(names, create_with_a_name_of_63_bytes_works_and_stat_reports_it_whole)
{
	char name[NT_NAME_BUF], got[MBOX_NAME_MAX];
	int id;

	nt_fill_name(name, MBOX_NAME_MAX - 1, 'L');
	id = nt_named(self->fd, name, MBOX_CREATE_EXCL);
	ASSERT_LT(0, id) TH_LOG("%s", strerror(-id));
	EXPECT_EQ(id, nt_lookup(self->fd, name, NULL));
	EXPECT_EQ(0, nt_name_of(self->fd, id, got));
	EXPECT_EQ(0, memcmp(name, got, MBOX_NAME_MAX));
}

TEST_F(names, create_with_64_bytes_and_no_nul_is_enametoolong)
{
	char name[NT_NAME_BUF];

	nt_fill_name(name, MBOX_NAME_MAX, 'T');
	nt_expect_bad_name(_metadata, self->fd, name, ENAMETOOLONG,
			   "64 bytes");
	nt_fill_name(name, NT_NAME_BUF - 1, 'T');
	nt_expect_bad_name(_metadata, self->fd, name, ENAMETOOLONG,
			   "127 bytes");
	/* Nor was the name cut to 63 bytes and taken. */
	nt_fill_name(name, MBOX_NAME_MAX - 1, 'T');
	EXPECT_EQ(-ENOENT, nt_lookup(self->fd, name, NULL));
}

/* Only MBOX_NAME_MAX bytes are read: what follows them does not matter. */
TEST_F(names, create_with_64_bytes_before_unmapped_memory_is_enametoolong)
{
	char *name = nt_before_hole(_metadata, MBOX_NAME_MAX);

	memset(name, 'H', MBOX_NAME_MAX);
	nt_expect_bad_name(_metadata, self->fd, name, ENAMETOOLONG,
			   "64 bytes then a hole");
}

TEST_F(names, create_with_a_name_ending_right_before_unmapped_memory_works)
{
	char *name = nt_before_hole(_metadata, MBOX_NAME_MAX);
	int id;

	memset(name, 'E', MBOX_NAME_MAX - 1);
	name[MBOX_NAME_MAX - 1] = '\0';
	id = nt_named(self->fd, name, MBOX_CREATE_EXCL);
	ASSERT_LT(0, id) TH_LOG("%s", strerror(-id));
	EXPECT_EQ(id, nt_lookup(self->fd, name, NULL));

	name += MBOX_NAME_MAX - 2;	/* "E" and its NUL */
	id = nt_named(self->fd, name, MBOX_CREATE_EXCL);
	ASSERT_LT(0, id) TH_LOG("%s", strerror(-id));
	EXPECT_EQ(id, nt_lookup(self->fd, "E", NULL));
}

TEST_F(names, create_with_a_name_at_an_unmapped_address_is_efault)
{
	char *hole = nt_before_hole(_metadata, 0);

	nt_expect_bad_name(_metadata, self->fd, hole, EFAULT, "unmapped name");
	nt_expect_bad_name(_metadata, self->fd, (void *)(uintptr_t)8, EFAULT,
			   "name at address 8");
}

TEST_F(names, create_with_a_name_running_into_unmapped_memory_is_efault)
{
	char *name = nt_before_hole(_metadata, 5);

	memcpy(name, "nt-ru", 5);	/* no NUL before the hole */
	nt_expect_bad_name(_metadata, self->fd, name, EFAULT,
			   "5 bytes then a hole");
	EXPECT_EQ(-ENOENT, nt_lookup(self->fd, "nt-ru", NULL));
}

TEST_F(names, create_with_excl_and_no_name_is_einval)
{
	nt_expect_create_fails(_metadata, self->fd, NULL, MBOX_CREATE_EXCL,
			       EINVAL, "EXCL without a name");
	nt_expect_create_fails(_metadata, self->fd, NULL, MBOX_CREATE_EXCL |
			       MBOX_CREATE_AUTODESTROY, EINVAL,
			       "EXCL | AUTODESTROY without a name");
}

/* LOOKUP */

TEST_F(names, lookup_of_a_name_no_mailbox_has_is_enoent)
{
	nt_expect_lookup_fails(_metadata, self->fd, "nt-missing", ENOENT,
			       "missing name");
	/* A prefix or extension of an existing name is another name. */
	ASSERT_LT(0, nt_named(self->fd, "nt-missing-not", 0));
	nt_expect_lookup_fails(_metadata, self->fd, "nt-missing", ENOENT,
			       "prefix of a name");
	nt_expect_lookup_fails(_metadata, self->fd, "nt-missing-not!", ENOENT,
			       "extension of a name");
}

TEST_F(names, lookup_with_an_empty_name_is_einval)
{
	nt_expect_lookup_fails(_metadata, self->fd, "", EINVAL, "empty");
}

TEST_F(names, lookup_with_a_slash_in_the_name_is_einval)
{
	nt_expect_lookup_fails(_metadata, self->fd, "/", EINVAL, "'/'");
	nt_expect_lookup_fails(_metadata, self->fd, "nt/slash", EINVAL,
			       "'nt/slash'");
}

TEST_F(names, lookup_with_a_control_byte_in_the_name_is_einval)
{
	nt_expect_lookup_fails(_metadata, self->fd, "\x01", EINVAL, "\\x01");
	nt_expect_lookup_fails(_metadata, self->fd, "nt\n", EINVAL, "nt\\n");
}

TEST_F(names, lookup_with_a_byte_above_0x7e_in_the_name_is_einval)
{
	nt_expect_lookup_fails(_metadata, self->fd, "\x7f", EINVAL, "\\x7f");
	nt_expect_lookup_fails(_metadata, self->fd, "nt\x80", EINVAL,
			       "nt\\x80");
	nt_expect_lookup_fails(_metadata, self->fd, "\xff", EINVAL, "\\xff");
}

TEST_F(names, lookup_with_a_name_of_63_bytes_finds_its_mailbox)
{
	char name[NT_NAME_BUF];
	int id;

	nt_fill_name(name, MBOX_NAME_MAX - 1, 'k');
	nt_expect_lookup_fails(_metadata, self->fd, name, ENOENT,
			       "63 bytes, before create");
	id = nt_named(self->fd, name, 0);
	ASSERT_LT(0, id);
	EXPECT_EQ(id, nt_lookup(self->fd, name, NULL));
}

TEST_F(names, lookup_with_64_bytes_and_no_nul_is_enametoolong)
{
	char name[NT_NAME_BUF];
	char *edge = nt_before_hole(_metadata, MBOX_NAME_MAX);

	nt_fill_name(name, MBOX_NAME_MAX, 'k');
	nt_expect_lookup_fails(_metadata, self->fd, name, ENAMETOOLONG,
			       "64 bytes");
	memset(edge, 'k', MBOX_NAME_MAX);
	nt_expect_lookup_fails(_metadata, self->fd, edge, ENAMETOOLONG,
			       "64 bytes then a hole");
}

TEST_F(names, lookup_with_an_unreadable_name_is_efault)
{
	char *hole = nt_before_hole(_metadata, 0);
	char *run = nt_before_hole(_metadata, 3);

	memcpy(run, "abc", 3);
	nt_expect_lookup_fails(_metadata, self->fd, hole, EFAULT, "unmapped");
	nt_expect_lookup_fails(_metadata, self->fd, NULL, EFAULT, "name 0");
	nt_expect_lookup_fails(_metadata, self->fd, run, EFAULT,
			       "3 bytes then a hole");
}

TEST_F(names, lookup_with_nonzero_flags_is_einval_even_for_an_existing_name)
{
	static const __u32 bad[] = { 1, 2, 0x80000000U, 0xffffffffU };
	struct mbox_lookup arg;
	unsigned int i;

	ASSERT_LT(0, nt_named(self->fd, "nt-flags", 0));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&arg, 0, sizeof(arg));
		arg.name = (__u64)(uintptr_t)"nt-flags";
		arg.flags = bad[i];
		EXPECT_EQ(-EINVAL, nt_lookup_arg(self->fd, &arg))
			TH_LOG("flags %#x", bad[i]);
	}
}

TEST_F(names, lookup_with_wrong_direction_bits_or_magic_is_enotty)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE };
	struct mbox_lookup arg;
	unsigned long cmd;
	unsigned int i;

	ASSERT_LT(0, nt_named(self->fd, "nt-dir", 0));
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		memset(&arg, 0, sizeof(arg));
		arg.name = (__u64)(uintptr_t)"nt-dir";
		arg.id = 0xdeadbeef;
		cmd = MBOX_CMD(dirs[i], 7, sizeof(arg));
		EXPECT_EQ(-ENOTTY, mbox_ioctl(self->fd, cmd, &arg))
			TH_LOG("direction %u", dirs[i]);
		EXPECT_EQ(0xdeadbeefU, arg.id) TH_LOG("direction %u", dirs[i]);
	}
	memset(&arg, 0, sizeof(arg));
	arg.name = (__u64)(uintptr_t)"nt-dir";
	cmd = _IOC(_IOC_READ | _IOC_WRITE, MBOX_IOC_MAGIC + 1, 7, sizeof(arg));
	EXPECT_EQ(-ENOTTY, mbox_ioctl(self->fd, cmd, &arg));
}

TEST_F(names, lookup_struct_smaller_than_version_1_is_einval)
{
	static const unsigned int sizes[] = { 0, 8, MBOX_LOOKUP_SIZE_VER1 - 1 };
	struct mbox_lookup arg;
	unsigned long cmd;
	unsigned int i;

	ASSERT_EQ(16, MBOX_LOOKUP_SIZE_VER1);
	ASSERT_EQ(MBOX_LOOKUP_SIZE_VER1, (int)sizeof(struct mbox_lookup));
	ASSERT_LT(0, nt_named(self->fd, "nt-small", 0));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(&arg, 0, sizeof(arg));
		arg.name = (__u64)(uintptr_t)"nt-small";
		cmd = MBOX_CMD(_IOC_READ | _IOC_WRITE, 7, sizes[i]);
		EXPECT_EQ(-EINVAL, mbox_ioctl(self->fd, cmd, &arg))
			TH_LOG("%u bytes", sizes[i]);
		EXPECT_EQ(0U, arg.id) TH_LOG("%u bytes: id written", sizes[i]);
	}
}

TEST_F(names, lookup_with_a_null_or_unmapped_struct_is_efault)
{
	void *hole = nt_before_hole(_metadata, 0);

	EXPECT_EQ(-EFAULT, mbox_ioctl(self->fd, MBOX_IOC_LOOKUP, NULL));
	EXPECT_EQ(-EFAULT, mbox_ioctl(self->fd, MBOX_IOC_LOOKUP, hole));
}

TEST_F(names, lookup_struct_in_readonly_memory_is_efault)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	struct mbox_lookup *arg;
	void *page;

	ASSERT_LT(0, nt_named(self->fd, "nt-ro", 0));
	page = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	arg = page;
	arg->name = (__u64)(uintptr_t)"nt-ro";
	ASSERT_EQ(0, mprotect(page, psz, PROT_READ));
	EXPECT_EQ(-EFAULT, mbox_ioctl(self->fd, MBOX_IOC_LOOKUP, arg));
	munmap(page, psz);
}

TEST_F(names, lookup_in_a_larger_struct_with_zero_tail_works_and_keeps_it_zero)
{
	unsigned char buf[sizeof(struct mbox_lookup) + 16];
	struct mbox_lookup *arg = (struct mbox_lookup *)buf;
	unsigned long cmd = MBOX_CMD(_IOC_READ | _IOC_WRITE, 7, sizeof(buf));
	int id;

	id = nt_named(self->fd, "nt-big-lookup", 0);
	ASSERT_LT(0, id);
	memset(buf, 0, sizeof(buf));
	arg->name = (__u64)(uintptr_t)"nt-big-lookup";
	EXPECT_EQ(id, mbox_ioctl(self->fd, cmd, buf));
	EXPECT_EQ((__u32)id, arg->id);
	EXPECT_EQ(-1, mbox_check_fill(buf + sizeof(*arg), 16, 0));
}

TEST_F(names, lookup_in_a_larger_struct_with_nonzero_tail_is_e2big)
{
	unsigned char buf[sizeof(struct mbox_lookup) + 16];
	struct mbox_lookup *arg = (struct mbox_lookup *)buf;
	unsigned long cmd = MBOX_CMD(_IOC_READ | _IOC_WRITE, 7, sizeof(buf));

	ASSERT_LT(0, nt_named(self->fd, "nt-big-lookup", 0));
	memset(buf, 0, sizeof(buf));
	arg->name = (__u64)(uintptr_t)"nt-big-lookup";
	buf[sizeof(*arg)] = 1;
	EXPECT_EQ(-E2BIG, mbox_ioctl(self->fd, cmd, buf));
	EXPECT_EQ(0U, arg->id);
}

/* When a name is freed */

TEST_F(names, destroy_frees_the_name_for_a_new_mailbox_with_another_id)
{
	char name[MBOX_NAME_MAX];
	int id, id2;

	id = nt_named(self->fd, "nt-destroy", 0);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, mbox_del(self->fd, id));
	EXPECT_EQ(-ENOENT, nt_lookup(self->fd, "nt-destroy", NULL));
	id2 = nt_named(self->fd, "nt-destroy", MBOX_CREATE_EXCL);
	ASSERT_LT(0, id2) TH_LOG("%s", strerror(-id2));
	EXPECT_NE(id, id2);
	EXPECT_EQ(id2, nt_lookup(self->fd, "nt-destroy", NULL));
	EXPECT_EQ(-ENOENT, nt_name_of(self->fd, id, name));
	EXPECT_EQ(0, nt_name_of(self->fd, id2, name));
	EXPECT_STREQ("nt-destroy", name);
}

TEST_F(names, auto_destroyed_mailbox_frees_its_name_when_its_creators_file_is_closed)
{
	char name[MBOX_NAME_MAX];
	int fd2, id, id2;

	fd2 = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	id = nt_named(fd2, "nt-auto-close", MBOX_CREATE_AUTODESTROY);
	ASSERT_LT(0, id);
	EXPECT_EQ(id, nt_lookup(self->fd, "nt-auto-close", NULL));
	close(fd2);
	EXPECT_EQ(-ENOENT, nt_lookup(self->fd, "nt-auto-close", NULL));
	EXPECT_EQ(-ENOENT, nt_name_of(self->fd, id, name));
	id2 = nt_named(self->fd, "nt-auto-close", MBOX_CREATE_EXCL);
	ASSERT_LT(0, id2) TH_LOG("%s", strerror(-id2));
	EXPECT_NE(id, id2);
}

struct nt_creator {
	int ready;
	int ret;
};

TEST_F(names, auto_destroyed_mailbox_frees_its_name_when_its_creator_is_sigkilled)
{
	struct nt_creator *out = mbox_shared_mem(sizeof(*out));
	long long end = mbox_now_ms() + NT_WAIT_MS;
	int id, id2, res;
	pid_t pid;

	ASSERT_NE(NULL, out);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC);

		out->ret = fd < 0 ? -errno :
			   nt_named(fd, "nt-auto-kill", MBOX_CREATE_AUTODESTROY |
				    MBOX_CREATE_EXCL);
		__atomic_store_n(&out->ready, 1, __ATOMIC_RELEASE);
		for (;;)
			pause();
	}
	while (!__atomic_load_n(&out->ready, __ATOMIC_ACQUIRE)) {
		ASSERT_GT(end, mbox_now_ms()) TH_LOG("creator never ready");
		mbox_msleep(1);
	}
	ASSERT_LT(0, out->ret) TH_LOG("creator: %s", strerror(-out->ret));
	id = nt_lookup(self->fd, "nt-auto-kill", NULL);
	EXPECT_EQ(out->ret, id);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	res = mbox_child_result(pid, NT_WAIT_MS);
	ASSERT_EQ(1000 + SIGKILL, res);
	EXPECT_EQ(-ENOENT, nt_lookup(self->fd, "nt-auto-kill", NULL));
	EXPECT_EQ(-ENOENT, mbox_del(self->fd, out->ret));
	id2 = nt_named(self->fd, "nt-auto-kill", MBOX_CREATE_EXCL);
	EXPECT_LT(0, id2) TH_LOG("%s", strerror(-id2));
	EXPECT_NE(out->ret, id2);
	munmap(out, sizeof(*out));
}

TEST_F(names, persistent_named_mailbox_keeps_its_name_after_its_creator_exits)
{
	struct nt_creator *out = mbox_shared_mem(sizeof(*out));
	char name[MBOX_NAME_MAX];
	pid_t pid;

	ASSERT_NE(NULL, out);
	pid = mbox_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC);

		out->ret = fd < 0 ? -errno :
			   nt_named(fd, "nt-persist", MBOX_CREATE_EXCL);
		_exit(0);
	}
	ASSERT_EQ(0, mbox_child_result(pid, NT_WAIT_MS));
	ASSERT_LT(0, out->ret) TH_LOG("creator: %s", strerror(-out->ret));
	mbox_track(out->ret);
	EXPECT_EQ(out->ret, nt_lookup(self->fd, "nt-persist", NULL));
	EXPECT_EQ(0, nt_name_of(self->fd, out->ret, name));
	EXPECT_STREQ("nt-persist", name);
	munmap(out, sizeof(*out));
}

/*
 * The close of the file that created an auto-destroyed mailbox destroys
 * that mailbox only, not whichever holds its name by then.
 */
TEST_F(names, closing_the_creator_of_a_destroyed_auto_mailbox_spares_the_new_holder_of_its_name)
{
	int fd2, id, id2;

	fd2 = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	id = nt_named(fd2, "nt-spare", MBOX_CREATE_AUTODESTROY);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, mbox_del(self->fd, id));
	id2 = nt_named(self->fd, "nt-spare", MBOX_CREATE_EXCL);
	ASSERT_LT(0, id2);
	close(fd2);
	EXPECT_EQ(id2, nt_lookup(self->fd, "nt-spare", NULL));
	EXPECT_EQ(0, mbox_put(self->fd, id2, "x", 1, MBOX_NONBLOCK));
}

/* Ids are not reused soon */

TEST_F(names, destroyed_id_is_enoent_and_the_next_creates_get_other_ids)
{
	__u32 ids[64];
	char buf[8];
	__u64 len;
	int i, j, fdo;

	for (i = 0; i < 64; i++) {
		ids[i] = NEW_MBOX(self->fd, 1, 8);
		for (j = 0; j < i; j++) {
			ASSERT_NE(ids[i], ids[j]) TH_LOG("id %u again", ids[i]);
		}
		ASSERT_EQ(0, mbox_del(self->fd, ids[i]));
	}
	for (i = 0; i < 64; i++) {
		struct mbox_stat st;

		len = sizeof(buf);
		EXPECT_EQ(-ENOENT, mbox_stat_id(self->fd, ids[i], &st));
		EXPECT_EQ(-ENOENT, mbox_put(self->fd, ids[i], "x", 1,
					    MBOX_NONBLOCK));
		EXPECT_EQ(-ENOENT, mbox_get(self->fd, ids[i], buf, &len,
					    MBOX_NONBLOCK));
		EXPECT_EQ(-ENOENT, mbox_del(self->fd, ids[i]));
		fdo = mbox_open_id(self->fd, ids[i], MBOX_FD_CLOEXEC);
		EXPECT_EQ(-ENOENT, fdo);
		if (fdo >= 0)
			close(fdo);
	}
}

TEST_F(names, a_stale_id_does_not_reach_the_mailbox_that_took_its_name)
{
	struct mbox_stat st;
	int id, id2;

	id = nt_named(self->fd, "nt-stale", 0);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, mbox_del(self->fd, id));
	id2 = nt_named(self->fd, "nt-stale", 0);
	ASSERT_LT(0, id2);
	EXPECT_NE(id, id2);
	EXPECT_EQ(-ENOENT, mbox_put(self->fd, id, "x", 1, MBOX_NONBLOCK));
	ASSERT_EQ(0, mbox_stat_id(self->fd, id2, &st));
	EXPECT_EQ(0ULL, st.sent_msgs);
	EXPECT_EQ(id2, nt_lookup(self->fd, "nt-stale", NULL));
}

/* IPC namespaces */

/* What a child in its own namespace saw, in memory shared with the test. */
struct nt_ns_out {
	int unshare_err;
	int ret[8];
	char name[4][MBOX_NAME_MAX];
	unsigned long long ino;
};

typedef void (*nt_ns_fn)(int fd, struct nt_ns_out *o, __u32 arg);

/*
 * Fork a child that enters new namespaces (@flags for unshare(), after
 * dropping to uid and gid 65534 if @drop) and runs @fn with the test's
 * file, which it inherits.  Returns as mbox_child_result(): 0 when @fn
 * returned, NT_CHILD_UNSHARE if unshare() failed.
 */
static int nt_in_ns(int fd, int flags, bool drop, nt_ns_fn fn,
		    struct nt_ns_out *o, __u32 arg)
{
	pid_t pid;

	memset(o, 0, sizeof(*o));
	pid = mbox_fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (drop && (setgroups(0, NULL) ||
			     setresgid(65534, 65534, 65534) ||
			     setresuid(65534, 65534, 65534))) {
			o->unshare_err = errno;
			_exit(NT_CHILD_UNSHARE);
		}
		if (unshare(flags)) {
			o->unshare_err = errno;
			_exit(NT_CHILD_UNSHARE);
		}
		o->ino = nt_ipc_ns_ino();
		fn(fd, o, arg);
		_exit(0);
	}
	return mbox_child_result(pid, NT_WAIT_MS);
}

/*
 * In a new namespace: the parent's name @arg ("nt-ns" has id @arg) is not
 * found (ret 0) and its mailbox shows no name (ret 1, name 0); the same
 * name can be taken here (ret 2), then found (ret 3) and shown (name 1);
 * a freshly opened file sees the same (ret 4).
 */
static void nt_isolation_child(int fd, struct nt_ns_out *o, __u32 parent_id)
{
	int fd2;

	o->ret[0] = nt_lookup(fd, "nt-ns", NULL);
	o->ret[1] = nt_name_of(fd, parent_id, o->name[0]);
	o->ret[2] = nt_named(fd, "nt-ns", MBOX_CREATE_EXCL);
	o->ret[3] = nt_lookup(fd, "nt-ns", NULL);
	if (o->ret[2] > 0)
		nt_name_of(fd, o->ret[2], o->name[1]);
	fd2 = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	o->ret[4] = fd2 < 0 ? -errno : nt_lookup(fd2, "nt-ns", NULL);
}

static void nt_check_isolation(struct __test_metadata *_metadata, int fd,
			       int parent_id, struct nt_ns_out *o)
{
	char name[MBOX_NAME_MAX];

	if (o->ret[2] > 0)
		mbox_track(o->ret[2]);
	EXPECT_EQ(-ENOENT, o->ret[0]) TH_LOG("child's lookup of the parent's name");
	/* MBOX_FEATURE_NS: another namespace's id is as good as none. */
	EXPECT_EQ(-ENOENT, o->ret[1]) TH_LOG("child's stat of the parent's mailbox by id");
	EXPECT_STREQ("", o->name[0]) TH_LOG("the name the child sees");
	ASSERT_LT(0, o->ret[2]) TH_LOG("child's create of the same name: %s",
				       strerror(-o->ret[2]));
	EXPECT_NE(parent_id, o->ret[2]);
	EXPECT_EQ(o->ret[2], o->ret[3]) TH_LOG("child's lookup of its own name");
	EXPECT_STREQ("nt-ns", o->name[1]);
	EXPECT_EQ(o->ret[2], o->ret[4]) TH_LOG("lookup through a new file");

	/* The parent's name is undisturbed, and the child's invisible here. */
	EXPECT_EQ(parent_id, nt_lookup(fd, "nt-ns", NULL));
	EXPECT_EQ(0, nt_name_of(fd, parent_id, name));
	EXPECT_STREQ("nt-ns", name);
	EXPECT_EQ(-ENOENT, nt_name_of(fd, o->ret[2], name))
		TH_LOG("the parent reaches the child's mailbox by id");
}

TEST_F(names, child_ipc_namespace_has_its_own_names_and_the_parents_are_undisturbed)
{
	struct nt_ns_out *o = mbox_shared_mem(sizeof(*o));
	__u32 before = mbox_nr_mailboxes(self->fd);
	int id, res;

	ASSERT_NE(NULL, o);
	id = nt_named(self->fd, "nt-ns", MBOX_CREATE_EXCL);
	ASSERT_LT(0, id);
	res = nt_in_ns(self->fd, CLONE_NEWIPC, false, nt_isolation_child, o,
		       id);
	ASSERT_EQ(0, res) TH_LOG("child: unshare: %s", strerror(o->unshare_err));
	EXPECT_NE(nt_ipc_ns_ino(), o->ino);
	nt_check_isolation(_metadata, self->fd, id, o);
	/* The child's namespace died with it, and its mailbox with it. */
	EXPECT_EQ(0, mbox_wait_nr(self->fd, before + 1, 10000));
	munmap(o, sizeof(*o));
}

TEST_F(names, unprivileged_user_and_ipc_namespace_has_its_own_names_too)
{
	struct nt_ns_out *o = mbox_shared_mem(sizeof(*o));
	__u32 before = mbox_nr_mailboxes(self->fd);
	int id, res;

	ASSERT_NE(NULL, o);
	id = nt_named(self->fd, "nt-ns", MBOX_CREATE_EXCL);
	ASSERT_LT(0, id);
	res = nt_in_ns(self->fd, CLONE_NEWUSER | CLONE_NEWIPC, true,
		       nt_isolation_child, o, id);
	if (res == NT_CHILD_UNSHARE) {
		munmap(o, sizeof(*o));
		SKIP(return, "uid 65534 cannot unshare a user namespace: %s",
		     strerror(o->unshare_err));
	}
	ASSERT_EQ(0, res);
	nt_check_isolation(_metadata, self->fd, id, o);
	EXPECT_EQ(0, mbox_wait_nr(self->fd, before + 1, 10000));
	munmap(o, sizeof(*o));
}

/* setns(): a name belongs to the namespace, not to the process. */
TEST_F(names, process_that_joins_a_namespace_with_setns_sees_its_names)
{
	struct nt_ns_out *o = mbox_shared_mem(sizeof(*o));
	long long end = mbox_now_ms() + NT_WAIT_MS;
	char path[64];
	pid_t owner, joiner;
	int nsfd, id;

	ASSERT_NE(NULL, o);
	owner = mbox_fork();
	ASSERT_LE(0, owner);
	if (owner == 0) {
		int fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC);

		if (unshare(CLONE_NEWIPC)) {
			o->unshare_err = errno;
			_exit(NT_CHILD_UNSHARE);
		}
		/* Its own file, so that its death closes it. */
		o->ret[0] = fd < 0 ? -errno :
			    nt_named(fd, "nt-setns", MBOX_CREATE_AUTODESTROY |
				     MBOX_CREATE_EXCL);
		__atomic_store_n(&o->ret[7], 1, __ATOMIC_RELEASE);
		for (;;)
			pause();
	}
	while (!__atomic_load_n(&o->ret[7], __ATOMIC_ACQUIRE)) {
		ASSERT_TRUE(mbox_alive(owner))
			TH_LOG("owner: unshare: %s", strerror(o->unshare_err));
		ASSERT_GT(end, mbox_now_ms());
		mbox_msleep(1);
	}
	id = o->ret[0];
	ASSERT_LT(0, id) TH_LOG("owner's create: %s", strerror(-id));
	EXPECT_EQ(-ENOENT, nt_lookup(self->fd, "nt-setns", NULL));

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)owner);
	joiner = mbox_fork();
	ASSERT_LE(0, joiner);
	if (joiner == 0) {
		nsfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWIPC))
			_exit(MBOX_CHILD_SETUP);
		o->ret[1] = nt_lookup(self->fd, "nt-setns", NULL);
		nt_name_of(self->fd, id, o->name[0]);
		_exit(0);
	}
	ASSERT_EQ(0, mbox_child_result(joiner, NT_WAIT_MS));
	EXPECT_EQ(id, o->ret[1]) TH_LOG("joiner's lookup: %d", o->ret[1]);
	EXPECT_STREQ("nt-setns", o->name[0]);

	/* The owner's file closes with it: the name goes. */
	kill(owner, SIGKILL);
	EXPECT_EQ(1000 + SIGKILL, mbox_child_result(owner, NT_WAIT_MS));
	EXPECT_EQ(-ENOENT, mbox_del(self->fd, id));
	munmap(o, sizeof(*o));
}

/* In a fresh namespace: LOOKUP of "nt-alias" (ret 0), then take it (ret 1). */
static void nt_alias_child(int fd, struct nt_ns_out *o, __u32 unused)
{
	(void)unused;
	o->ret[0] = nt_lookup(fd, "nt-alias", NULL);
	o->ret[1] = nt_named(fd, "nt-alias", MBOX_CREATE_EXCL);
}

/*
 * A child takes "nt-alias" in a fresh namespace and exits without
 * destroying it, so no process is left in that namespace.  Round after
 * round, the next child's fresh namespace must not see that name, which
 * it would if the module mistook it for the dead one (say, one allocated
 * at the same address, or given the same number once the dead one was
 * reaped and freed).
 */
TEST_F_TIMEOUT(names, names_of_a_namespace_whose_processes_exited_are_not_seen_by_a_new_one, 60)
{
	struct nt_ns_out *o = mbox_shared_mem(sizeof(*o));
	__u32 before = mbox_nr_mailboxes(self->fd);
	unsigned long long inos[8];
	char name[MBOX_NAME_MAX];
	int ids[8], i, j, res;

	ASSERT_NE(NULL, o);
	for (i = 0; i < 8; i++) {
		res = nt_in_ns(self->fd, CLONE_NEWIPC, false, nt_alias_child,
			       o, 0);
		ASSERT_EQ(0, res) TH_LOG("round %d: unshare: %s", i,
					 strerror(o->unshare_err));
		ids[i] = o->ret[1];
		inos[i] = o->ino;
		if (ids[i] > 0)
			mbox_track(ids[i]);
		EXPECT_EQ(-ENOENT, o->ret[0])
			TH_LOG("round %d: the fresh namespace %llu sees a dead one's name (id %d)",
			       i, inos[i], o->ret[0]);
		ASSERT_LT(0, ids[i]) TH_LOG("round %d: create: %s", i,
					    strerror(-ids[i]));
		for (j = 0; j < i; j++)
			EXPECT_NE(ids[j], ids[i]);
		/* Time for the reaper to free some dead namespaces. */
		mbox_msleep(i & 1 ? 1500 : 100);
	}
	EXPECT_EQ(-ENOENT, nt_lookup(self->fd, "nt-alias", NULL));
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(-ENOENT, nt_name_of(self->fd, ids[i], name));
		EXPECT_EQ(-ENOENT, mbox_del(self->fd, ids[i]));
	}
	EXPECT_EQ(0, mbox_wait_nr(self->fd, before, 10000));
	munmap(o, sizeof(*o));
}

/* In a grandchild: unshare(CLONE_NEWIPC), then @name, if any, taken. */
static int nt_new_ipc_ns(int fd, const char *name, int *id)
{
	int *shared = mbox_shared_mem(sizeof(int));
	int status, ret;
	pid_t pid;

	if (!shared)
		return -ENOMEM;
	*shared = 0;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (unshare(CLONE_NEWIPC))
			_exit(errno & 0xff);
		if (name)
			*shared = nt_named(fd, name, MBOX_CREATE_EXCL);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		ret = -ECHILD;
	else
		ret = -WEXITSTATUS(status);
	if (id)
		*id = *shared;
	munmap(shared, sizeof(int));
	return ret;
}

#define NT_NS_LIMIT	3

/*
 * In a new user namespace whose limit of IPC namespaces is NT_NS_LIMIT:
 * fill the limit with namespaces that each name a mailbox and then lose
 * their last process (ret 0..2: results); then unshare again, retried for
 * a while since the reaper releases dead namespaces about once a second
 * and namespaces are freed after an RCU grace period (ret 3); the time it
 * took (ret 4, ms).
 */
static void nt_limit_child(int fd, struct nt_ns_out *o, __u32 unused)
{
	long long start, end;
	int i, id, fds;
	char val[16];

	(void)unused;
	fds = open("/proc/sys/user/max_ipc_namespaces", O_WRONLY | O_CLOEXEC);
	snprintf(val, sizeof(val), "%d\n", NT_NS_LIMIT);
	if (fds < 0 || write(fds, val, strlen(val)) != (ssize_t)strlen(val)) {
		o->unshare_err = errno;
		_exit(NT_CHILD_SKIP);
	}
	close(fds);
	for (i = 0; i < NT_NS_LIMIT; i++) {
		id = 0;
		o->ret[i] = nt_new_ipc_ns(fd, "nt-kept", &id);
		if (!o->ret[i] && id <= 0)
			o->ret[i] = id ? id : -EPROTO;
	}
	start = mbox_now_ms();
	end = start + 10000;
	do {
		o->ret[3] = nt_new_ipc_ns(fd, NULL, NULL);
		if (o->ret[3] != -ENOSPC)
			break;
		mbox_msleep(20);
	} while (mbox_now_ms() < end);
	o->ret[4] = mbox_now_ms() - start;
}

static __u32 nt_nr_mailboxes(int fd)
{
	struct mbox_info info;

	memset(&info, 0, sizeof(info));
	return ioc_info(fd, &info) ? UINT_MAX :
	       info.nr_mailboxes + info.shared_mailboxes;
}

/*
 * The count of IPC namespaces a user namespace allows shows which are
 * alive: a namespace whose last process exits is released, and its
 * mailboxes destroyed, by the reaper, although the module pinned it.
 */
TEST_F_TIMEOUT(names, namespace_is_released_with_its_mailboxes_after_its_last_process_exits, 60)
{
	struct nt_ns_out *o = mbox_shared_mem(sizeof(*o));
	__u32 before = nt_nr_mailboxes(self->fd);
	long long end;
	int res, i;

	ASSERT_NE(NULL, o);
	res = nt_in_ns(self->fd, CLONE_NEWUSER, false, nt_limit_child, o, 0);
	if (res == NT_CHILD_UNSHARE || res == NT_CHILD_SKIP) {
		munmap(o, sizeof(*o));
		SKIP(return, "no user namespace with a namespace limit: %s",
		     strerror(o->unshare_err));
	}
	ASSERT_EQ(0, res);
	for (i = 0; i < NT_NS_LIMIT; i++) {
		ASSERT_EQ(0, o->ret[i]) TH_LOG("namespace %d with a name: %s",
					       i, strerror(-o->ret[i]));
	}
	EXPECT_EQ(0, o->ret[3])
		TH_LOG("a namespace after the others died: %s; they were not released",
		       strerror(-o->ret[3]));
	TH_LOG("released after %d ms", o->ret[4]);
	end = mbox_now_ms() + 10000;
	while (nt_nr_mailboxes(self->fd) != before && mbox_now_ms() < end)
		mbox_msleep(20);
	EXPECT_EQ(before, nt_nr_mailboxes(self->fd))
		TH_LOG("the dead namespaces' mailboxes were not destroyed");
	munmap(o, sizeof(*o));
}

/* Races on one name */

struct nt_race {
	int ready;
	int go;
	int ret[8];
};

/* @n children create @name with @flags at once; their results in @r. */
static void nt_race(struct __test_metadata *_metadata, int fd,
		    struct nt_race *r, int n, const char *name, __u64 flags)
{
	long long end = mbox_now_ms() + NT_WAIT_MS;
	pid_t pids[8];
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < n; i++) {
		pids[i] = mbox_fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			__atomic_add_fetch(&r->ready, 1, __ATOMIC_ACQ_REL);
			while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE))
				sched_yield();
			r->ret[i] = nt_named(fd, name, flags);
			_exit(0);
		}
	}
	while (__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE) < n) {
		ASSERT_GT(end, mbox_now_ms());
		mbox_msleep(1);
	}
	__atomic_store_n(&r->go, 1, __ATOMIC_RELEASE);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, mbox_child_result(pids[i], NT_WAIT_MS));
	}
	for (i = 0; i < n; i++)
		if (r->ret[i] > 0)
			mbox_track(r->ret[i]);
}

TEST_F(names, concurrent_creates_of_one_name_make_one_mailbox_whose_id_all_get)
{
	struct nt_race *r = mbox_shared_mem(sizeof(*r));
	char name[32];
	__u32 before;
	int round, i;

	ASSERT_NE(NULL, r);
	for (round = 0; round < 10; round++) {
		snprintf(name, sizeof(name), "nt-race-%d", round);
		before = nt_nr(self->fd);
		nt_race(_metadata, self->fd, r, 8, name, 0);
		ASSERT_LT(0, r->ret[0]) TH_LOG("%s", strerror(-r->ret[0]));
		for (i = 1; i < 8; i++) {
			EXPECT_EQ(r->ret[0], r->ret[i])
				TH_LOG("round %d, child %d", round, i);
		}
		EXPECT_EQ(before + 1, nt_nr(self->fd)) TH_LOG("round %d", round);
		EXPECT_EQ(r->ret[0], nt_lookup(self->fd, name, NULL));
	}
	munmap(r, sizeof(*r));
}

TEST_F(names, concurrent_exclusive_creates_of_one_name_let_exactly_one_succeed)
{
	struct nt_race *r = mbox_shared_mem(sizeof(*r));
	int round, i, winners, winner;
	char name[32];
	__u32 before;

	ASSERT_NE(NULL, r);
	for (round = 0; round < 10; round++) {
		snprintf(name, sizeof(name), "nt-xrace-%d", round);
		before = nt_nr(self->fd);
		nt_race(_metadata, self->fd, r, 8, name, MBOX_CREATE_EXCL);
		winners = 0;
		winner = 0;
		for (i = 0; i < 8; i++) {
			if (r->ret[i] > 0) {
				winners++;
				winner = r->ret[i];
			} else {
				EXPECT_EQ(-EEXIST, r->ret[i])
					TH_LOG("round %d, child %d", round, i);
			}
		}
		EXPECT_EQ(1, winners) TH_LOG("round %d", round);
		EXPECT_EQ(before + 1, nt_nr(self->fd)) TH_LOG("round %d", round);
		EXPECT_EQ(winner, nt_lookup(self->fd, name, NULL));
	}
	munmap(r, sizeof(*r));
}

/* Many names */

#define NT_MANY	500

TEST_F_TIMEOUT(names, five_hundred_names_are_created_found_and_destroyed, 120)
{
	char name[32], got[MBOX_NAME_MAX];
	__u32 before = nt_nr(self->fd);
	static int ids[NT_MANY];
	int i;

	if (self->info.max_mailboxes - before < NT_MANY)
		SKIP(return, "max_mailboxes %u leaves no room for %d",
		     self->info.max_mailboxes, NT_MANY);
	for (i = 0; i < NT_MANY; i++) {
		snprintf(name, sizeof(name), "nt-many-%03d", i);
		ids[i] = nt_create(self->fd, name, MBOX_CREATE_EXCL, 1, 0);
		ASSERT_LT(0, ids[i]) TH_LOG("%s: %s", name, strerror(-ids[i]));
	}
	EXPECT_EQ(before + NT_MANY, nt_nr(self->fd));
	for (i = 0; i < NT_MANY; i++) {
		snprintf(name, sizeof(name), "nt-many-%03d", i);
		ASSERT_EQ(ids[i], nt_lookup(self->fd, name, NULL))
			TH_LOG("%s", name);
		ASSERT_EQ(0, nt_name_of(self->fd, ids[i], got));
		ASSERT_STREQ(name, got);
	}
	for (i = 0; i < NT_MANY; i++) {
		ASSERT_EQ(0, mbox_del(self->fd, ids[i]));
	}
	for (i = 0; i < NT_MANY; i++) {
		snprintf(name, sizeof(name), "nt-many-%03d", i);
		ASSERT_EQ(-ENOENT, nt_lookup(self->fd, name, NULL))
			TH_LOG("%s", name);
	}
	EXPECT_EQ(before, nt_nr(self->fd));
}

TEST_F(names, stat_next_listing_shows_each_mailboxs_name)
{
	static const char *const set[] = { "nt-list-a", "", "nt-list-c" };
	struct mbox_stat st;
	int ids[3], seen = 0;
	unsigned int i;
	__u32 next = 1;

	for (i = 0; i < 3; i++) {
		ids[i] = nt_named(self->fd, set[i][0] ? set[i] : NULL, 0);
		ASSERT_LT(0, ids[i]);
	}
	for (;;) {
		memset(&st, 0, sizeof(st));
		st.id = next;
		st.flags = MBOX_STAT_NEXT;
		if (ioc_stat(self->fd, &st))
			break;
		for (i = 0; i < 3; i++) {
			if (st.id == (__u32)ids[i]) {
				EXPECT_STREQ(set[i], st.name);
				seen++;
			}
		}
		next = st.id + 1;
	}
	EXPECT_EQ(3, seen);
}

TEST_HARNESS_MAIN
