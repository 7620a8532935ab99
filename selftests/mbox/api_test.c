// SPDX-License-Identifier: GPL-2.0
/*
 * mbox ABI tests: MBOX_IOC_INFO, CREATE, DESTROY and STAT, ids, and the
 * rules every command follows (command numbers, struct sizes, flags, bad
 * argument pointers).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stddef.h>

#include "mbox_util.h"

/*
 * The header itself.  Structs only grow at their end: the version-1 sizes
 * are what the first header said, every version-1 field is where it was,
 * and each struct is as large as its latest version (a multiple of 8
 * bytes).  Command numbers carry the magic, number, direction and the
 * struct's size.
 */
#if defined(MBOX_CREATE_SIZE_VER3)
#define CREATE_SIZE_LATEST	MBOX_CREATE_SIZE_VER3
#elif defined(MBOX_CREATE_SIZE_VER2)
#define CREATE_SIZE_LATEST	MBOX_CREATE_SIZE_VER2
#else
#define CREATE_SIZE_LATEST	MBOX_CREATE_SIZE_VER1
#endif
#if defined(MBOX_STAT_SIZE_VER4)
#define STAT_SIZE_LATEST	MBOX_STAT_SIZE_VER4
#elif defined(MBOX_STAT_SIZE_VER3)
#define STAT_SIZE_LATEST	MBOX_STAT_SIZE_VER3
#else
#define STAT_SIZE_LATEST	MBOX_STAT_SIZE_VER2
#endif
#define CHECK_STRUCT(type, ver1_size, size, latest_size)		\
	_Static_assert((ver1_size) == (size) &&				\
		       sizeof(type) == (latest_size) &&			\
		       sizeof(type) % 8 == 0, #type)
#define CHECK_FIELD(type, field, off)					\
	_Static_assert(offsetof(type, field) == (off), #type "." #field)
#define CHECK_CMD(cmd, dir, nr, type)					\
	_Static_assert(_IOC_TYPE(cmd) == MBOX_IOC_MAGIC &&		\
		       _IOC_NR(cmd) == (nr) && _IOC_DIR(cmd) == (dir) &&	\
		       _IOC_SIZE(cmd) == sizeof(type), #cmd)

#if defined(MBOX_INFO_SIZE_VER4)
#define INFO_SIZE_LATEST	MBOX_INFO_SIZE_VER4
#elif defined(MBOX_INFO_SIZE_VER3)
#define INFO_SIZE_LATEST	MBOX_INFO_SIZE_VER3
#else
#define INFO_SIZE_LATEST	MBOX_INFO_SIZE_VER2
#endif

CHECK_STRUCT(struct mbox_info, MBOX_INFO_SIZE_VER1, 32, INFO_SIZE_LATEST);
CHECK_STRUCT(struct mbox_create, MBOX_CREATE_SIZE_VER1, 16,
	     CREATE_SIZE_LATEST);
CHECK_STRUCT(struct mbox_destroy, MBOX_DESTROY_SIZE_VER1, 8,
	     MBOX_DESTROY_SIZE_VER1);
CHECK_STRUCT(struct mbox_send, MBOX_SEND_SIZE_VER1, 24, MBOX_SEND_SIZE_VER2);
CHECK_STRUCT(struct mbox_recv, MBOX_RECV_SIZE_VER1, 24, MBOX_RECV_SIZE_VER2);
CHECK_STRUCT(struct mbox_stat, MBOX_STAT_SIZE_VER1, 64, STAT_SIZE_LATEST);
CHECK_STRUCT(struct mbox_open, MBOX_OPEN_SIZE_VER1, 8, MBOX_OPEN_SIZE_VER1);

CHECK_FIELD(struct mbox_info, abi_version, 0);
CHECK_FIELD(struct mbox_info, max_mailboxes, 4);
CHECK_FIELD(struct mbox_info, features, 8);
CHECK_FIELD(struct mbox_info, max_capacity, 16);
CHECK_FIELD(struct mbox_info, max_msg_size, 20);
CHECK_FIELD(struct mbox_info, nr_mailboxes, 24);
CHECK_FIELD(struct mbox_info, __reserved, 28);
CHECK_FIELD(struct mbox_create, capacity, 0);
CHECK_FIELD(struct mbox_create, max_msg_size, 4);
CHECK_FIELD(struct mbox_create, flags, 8);
CHECK_FIELD(struct mbox_destroy, id, 0);
CHECK_FIELD(struct mbox_destroy, flags, 4);
CHECK_FIELD(struct mbox_send, id, 0);
CHECK_FIELD(struct mbox_send, flags, 4);
CHECK_FIELD(struct mbox_send, buf, 8);
CHECK_FIELD(struct mbox_send, len, 16);
CHECK_FIELD(struct mbox_recv, id, 0);
CHECK_FIELD(struct mbox_recv, flags, 4);
CHECK_FIELD(struct mbox_recv, buf, 8);
CHECK_FIELD(struct mbox_recv, len, 16);
CHECK_FIELD(struct mbox_stat, id, 0);
CHECK_FIELD(struct mbox_stat, flags, 4);
CHECK_FIELD(struct mbox_stat, capacity, 8);
CHECK_FIELD(struct mbox_stat, max_msg_size, 12);
CHECK_FIELD(struct mbox_stat, msgs, 16);
CHECK_FIELD(struct mbox_stat, __reserved, 20);
CHECK_FIELD(struct mbox_stat, bytes, 24);
CHECK_FIELD(struct mbox_stat, sent_msgs, 32);
CHECK_FIELD(struct mbox_stat, sent_bytes, 40);
CHECK_FIELD(struct mbox_stat, recv_msgs, 48);
CHECK_FIELD(struct mbox_stat, recv_bytes, 56);
CHECK_FIELD(struct mbox_open, id, 0);
CHECK_FIELD(struct mbox_open, flags, 4);

/* Version 2, likewise. */
_Static_assert(MBOX_INFO_SIZE_VER2 == 48 && MBOX_SEND_SIZE_VER2 == 40 &&
	       MBOX_RECV_SIZE_VER2 == 72 && MBOX_STAT_SIZE_VER2 == 112,
	       "version-2 sizes");
CHECK_FIELD(struct mbox_info, total_msgs, 32);
CHECK_FIELD(struct mbox_info, total_bytes, 40);
CHECK_FIELD(struct mbox_send, timeout_ns, 24);
CHECK_FIELD(struct mbox_send, type, 32);
CHECK_FIELD(struct mbox_send, __reserved, 36);
CHECK_FIELD(struct mbox_recv, timeout_ns, 24);
CHECK_FIELD(struct mbox_recv, type, 32);
CHECK_FIELD(struct mbox_recv, pid, 36);
CHECK_FIELD(struct mbox_recv, msg_len, 40);
CHECK_FIELD(struct mbox_recv, seq, 48);
CHECK_FIELD(struct mbox_recv, send_ns, 56);
CHECK_FIELD(struct mbox_recv, uid, 64);
CHECK_FIELD(struct mbox_recv, __reserved, 68);
CHECK_FIELD(struct mbox_stat, blocked_senders, 64);
CHECK_FIELD(struct mbox_stat, blocked_receivers, 68);
CHECK_FIELD(struct mbox_stat, last_send_pid, 72);
CHECK_FIELD(struct mbox_stat, last_recv_pid, 76);
CHECK_FIELD(struct mbox_stat, last_send_ns, 80);
CHECK_FIELD(struct mbox_stat, last_recv_ns, 88);
CHECK_FIELD(struct mbox_stat, create_ns, 96);
CHECK_FIELD(struct mbox_stat, create_flags, 104);

#ifdef MBOX_FEATURE_PERMS
/* Version 3 (MBOX_FEATURE_PERMS, _LIMITS, _NS), likewise. */
_Static_assert(MBOX_INFO_SIZE_VER3 == 96 && MBOX_CREATE_SIZE_VER3 == 32 &&
	       MBOX_STAT_SIZE_VER4 == 200 && MBOX_SET_SIZE_VER1 == 32 &&
	       sizeof(struct mbox_set) == MBOX_SET_SIZE_VER1,
	       "version-3 sizes");
CHECK_FIELD(struct mbox_info, max_mailboxes_per_ns, 48);
CHECK_FIELD(struct mbox_info, max_mailboxes_per_user, 52);
CHECK_FIELD(struct mbox_info, max_bytes, 56);
CHECK_FIELD(struct mbox_info, max_bytes_per_user, 64);
CHECK_FIELD(struct mbox_info, pool_bytes, 72);
CHECK_FIELD(struct mbox_info, user_bytes, 80);
CHECK_FIELD(struct mbox_info, user_mailboxes, 88);
CHECK_FIELD(struct mbox_info, ns_mailboxes, 92);
CHECK_FIELD(struct mbox_create, mode, 24);
CHECK_FIELD(struct mbox_create, __reserved, 28);
CHECK_FIELD(struct mbox_stat, uid, 176);
CHECK_FIELD(struct mbox_stat, gid, 180);
CHECK_FIELD(struct mbox_stat, cuid, 184);
CHECK_FIELD(struct mbox_stat, cgid, 188);
#endif

#ifdef MBOX_FEATURE_NS_SHARES
/* MBOX_FEATURE_NS_SHARES: struct mbox_info grew by 24 bytes at its end. */
_Static_assert(MBOX_INFO_SIZE_VER4 == 120 &&
	       MBOX_FEATURE_NS_SHARES == (1ULL << 17), "NS_SHARES sizes");
CHECK_FIELD(struct mbox_info, max_bytes_per_ns, 96);
CHECK_FIELD(struct mbox_info, shared_bytes, 104);
CHECK_FIELD(struct mbox_info, shared_mailboxes, 112);
CHECK_FIELD(struct mbox_info, __reserved2, 116);
CHECK_FIELD(struct mbox_stat, mode, 192);
CHECK_FIELD(struct mbox_stat, __reserved2, 196);
CHECK_FIELD(struct mbox_set, id, 0);
CHECK_FIELD(struct mbox_set, flags, 4);
CHECK_FIELD(struct mbox_set, uid, 8);
CHECK_FIELD(struct mbox_set, gid, 12);
CHECK_FIELD(struct mbox_set, mode, 16);
CHECK_FIELD(struct mbox_set, capacity, 20);
CHECK_FIELD(struct mbox_set, max_msg_size, 24);
CHECK_FIELD(struct mbox_set, __reserved, 28);
_Static_assert(MBOX_FEATURE_PERMS == 1ULL << 11 &&
	       MBOX_FEATURE_LIMITS == 1ULL << 12 &&
	       MBOX_FEATURE_NS == 1ULL << 13, "version-3 feature bits");
CHECK_CMD(MBOX_IOC_SET, _IOC_WRITE, 8, struct mbox_set);
#endif

#ifdef MBOX_IOC_SEND_BATCH
/* MBOX_FEATURE_BATCH: the batch header and its fixed-size element. */
CHECK_STRUCT(struct mbox_batch, MBOX_BATCH_SIZE_VER1, 40,
	     MBOX_BATCH_SIZE_VER1);
_Static_assert(sizeof(struct mbox_batch_msg) == MBOX_BATCH_MSG_SIZE &&
	       MBOX_BATCH_MSG_SIZE == 40 && MBOX_BATCH_MAX == 1024,
	       "struct mbox_batch_msg");
CHECK_FIELD(struct mbox_batch, id, 0);
CHECK_FIELD(struct mbox_batch, flags, 4);
CHECK_FIELD(struct mbox_batch, msgs, 8);
CHECK_FIELD(struct mbox_batch, count, 16);
CHECK_FIELD(struct mbox_batch, type, 20);
CHECK_FIELD(struct mbox_batch, timeout_ns, 24);
CHECK_FIELD(struct mbox_batch, done, 32);
CHECK_FIELD(struct mbox_batch, error, 36);
CHECK_FIELD(struct mbox_batch_msg, buf, 0);
CHECK_FIELD(struct mbox_batch_msg, len, 8);
CHECK_FIELD(struct mbox_batch_msg, type, 16);
CHECK_FIELD(struct mbox_batch_msg, __reserved, 20);
CHECK_FIELD(struct mbox_batch_msg, msg_len, 24);
CHECK_FIELD(struct mbox_batch_msg, seq, 32);
CHECK_CMD(MBOX_IOC_SEND_BATCH, _IOC_READ | _IOC_WRITE, 9, struct mbox_batch);
CHECK_CMD(MBOX_IOC_RECV_BATCH, _IOC_READ | _IOC_WRITE, 10, struct mbox_batch);
#endif

CHECK_CMD(MBOX_IOC_INFO, _IOC_READ, 0, struct mbox_info);
CHECK_CMD(MBOX_IOC_CREATE, _IOC_WRITE, 1, struct mbox_create);
CHECK_CMD(MBOX_IOC_DESTROY, _IOC_WRITE, 2, struct mbox_destroy);
CHECK_CMD(MBOX_IOC_SEND, _IOC_WRITE, 3, struct mbox_send);
CHECK_CMD(MBOX_IOC_RECV, _IOC_READ | _IOC_WRITE, 4, struct mbox_recv);
CHECK_CMD(MBOX_IOC_STAT, _IOC_READ | _IOC_WRITE, 5, struct mbox_stat);
CHECK_CMD(MBOX_IOC_OPEN, _IOC_WRITE, 6, struct mbox_open);

FIXTURE(api) {
	int fd;
	struct mbox_info info;
};

FIXTURE_SETUP(api)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
}

FIXTURE_TEARDOWN(api)
{
	mbox_cleanup(self->fd);
}

static __u32 nr_mailboxes(int fd)
{
	struct mbox_info info;

	memset(&info, 0, sizeof(info));
	if (ioc_info(fd, &info))
		return UINT_MAX;
	return info.nr_mailboxes;
}

/* Additions are feature bits, not a new version: all those of the header. */
TEST_F(api, info_reports_abi_version_1_and_exactly_the_header_features)
{
	EXPECT_EQ((__u32)MBOX_ABI_VERSION, self->info.abi_version);
	EXPECT_EQ(1U, self->info.abi_version);
	EXPECT_EQ(MBOX_HDR_FEATURES, self->info.features)
		TH_LOG("features %#llx, the header knows %#llx",
		       (unsigned long long)self->info.features,
		       (unsigned long long)MBOX_HDR_FEATURES);
}

TEST_F(api, info_reports_nonzero_limits)
{
	EXPECT_LT(0U, self->info.max_mailboxes);
	EXPECT_LT(0U, self->info.max_capacity);
	EXPECT_LT(0U, self->info.max_msg_size);
	EXPECT_LT(0U, self->info.max_mailboxes_per_ns);
	EXPECT_LT(0ULL, self->info.max_bytes_per_ns);
	EXPECT_GE(self->info.max_mailboxes_per_ns, self->info.nr_mailboxes);
}

TEST_F(api, info_zeroes_its_reserved_field)
{
	struct mbox_info info;

	memset(&info, 0xff, sizeof(info));
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	EXPECT_EQ(0U, info.__reserved);
	EXPECT_EQ(0U, info.__reserved2);
	EXPECT_EQ(self->info.abi_version, info.abi_version);
	EXPECT_EQ(self->info.max_capacity, info.max_capacity);
}

TEST_F(api, info_counts_created_and_destroyed_mailboxes)
{
	__u32 before = nr_mailboxes(self->fd);
	int a, b;

	a = NEW_MBOX(self->fd, 1, 8);
	EXPECT_EQ(before + 1, nr_mailboxes(self->fd));
	b = NEW_MBOX(self->fd, 1, 8);
	EXPECT_EQ(before + 2, nr_mailboxes(self->fd));
	ASSERT_EQ(0, mbox_del(self->fd, a));
	EXPECT_EQ(before + 1, nr_mailboxes(self->fd));
	ASSERT_EQ(0, mbox_del(self->fd, b));
	EXPECT_EQ(before, nr_mailboxes(self->fd));
}

TEST_F(api, create_returns_distinct_positive_ids)
{
	int ids[8], i, j;

	for (i = 0; i < 8; i++) {
		ids[i] = mbox_new(self->fd, 1 + i, 16 * i);
		ASSERT_LT(0, ids[i]) TH_LOG("create #%d: %s", i,
					     strerror(-ids[i]));
		mbox_track(ids[i]);
	}
	for (i = 0; i < 8; i++) {
		for (j = i + 1; j < 8; j++) {
			EXPECT_NE(ids[i], ids[j]);
		}
	}
}

TEST_F(api, create_accepts_the_largest_and_smallest_limits)
{
	struct mbox_stat st;
	__u32 id;

	id = NEW_MBOX(self->fd, self->info.max_capacity,
		      self->info.max_msg_size);
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(self->info.max_capacity, st.capacity);
	EXPECT_EQ(self->info.max_msg_size, st.max_msg_size);

	id = NEW_MBOX(self->fd, 1, 0);
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(1U, st.capacity);
	EXPECT_EQ(0U, st.max_msg_size);
}

/* Capacity 0 is valid since MBOX_FEATURE_RENDEZVOUS. */
TEST_F(api, create_capacity_zero_makes_a_rendezvous_mailbox)
{
	__u32 before = nr_mailboxes(self->fd);
	struct mbox_stat st;
	int id;

	id = mbox_new(self->fd, 0, 8);
	ASSERT_LT(0, id) TH_LOG("capacity 0: %s", strerror(-id));
	mbox_track(id);
	EXPECT_EQ(before + 1, nr_mailboxes(self->fd));
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(0U, st.capacity);
	EXPECT_EQ(8U, st.max_msg_size);
}

TEST_F(api, create_capacity_above_max_capacity_is_einval)
{
	__u32 before = nr_mailboxes(self->fd);

	if (self->info.max_capacity == UINT_MAX)
		SKIP(return, "max_capacity is UINT_MAX");
	EXPECT_EQ(-EINVAL, mbox_new(self->fd, self->info.max_capacity + 1, 8));
	EXPECT_EQ(-EINVAL, mbox_new(self->fd, UINT_MAX, 8));
	EXPECT_EQ(-EINVAL, mbox_new(self->fd, 1U << 31, 8));
	EXPECT_EQ(before, nr_mailboxes(self->fd));
}

TEST_F(api, create_max_msg_size_above_limit_is_einval)
{
	__u32 before = nr_mailboxes(self->fd);

	if (self->info.max_msg_size == UINT_MAX)
		SKIP(return, "max_msg_size is UINT_MAX");
	EXPECT_EQ(-EINVAL, mbox_new(self->fd, 1, self->info.max_msg_size + 1));
	EXPECT_EQ(-EINVAL, mbox_new(self->fd, 1, UINT_MAX));
	EXPECT_EQ(-EINVAL, mbox_new(self->fd, 1, 1U << 31));
	EXPECT_EQ(before, nr_mailboxes(self->fd));
}

TEST_F(api, create_unknown_flags_are_einval)
{
	__u32 before = nr_mailboxes(self->fd);
	struct mbox_create c = { .capacity = 1, .max_msg_size = 8 };
	__u64 valid = mbox_create_flags(MBOX_HDR_FEATURES);
	int bit;

	for (bit = 0; bit < 64; bit++) {
		if (valid & (1ULL << bit))
			continue;
		c.flags = 1ULL << bit;
		EXPECT_EQ(-EINVAL, ioc_create(self->fd, &c))
			TH_LOG("flags bit %d", bit);
	}
	EXPECT_EQ(before, nr_mailboxes(self->fd));
}

/*
 * Run as root in the initial IPC namespace, whose mailboxes
 * max_mailboxes_per_ns bounds (max_mailboxes counts only the other
 * namespaces'), and with CAP_SYS_RESOURCE, which lifts the per-user share.
 */
TEST_F_TIMEOUT(api, create_beyond_the_namespace_share_is_enospc, 120)
{
	__u32 max = self->info.max_mailboxes_per_ns;
	__u32 room = max - nr_mailboxes(self->fd);
	__u32 i;
	int id;

	if (room > (1U << 16))
		SKIP(return, "max_mailboxes_per_ns %u is too many to fill", max);
	for (i = 0; i < room; i++) {
		id = mbox_new(self->fd, 1, 0);
		ASSERT_LT(0, id) TH_LOG("create #%u of %u: %s", i, room,
					strerror(-id));
		mbox_track(id);
	}
	EXPECT_EQ(max, nr_mailboxes(self->fd));
	EXPECT_EQ(-ENOSPC, mbox_new(self->fd, 1, 0));
	EXPECT_EQ(max, nr_mailboxes(self->fd));

	/* One destroyed makes room for one more. */
	ASSERT_EQ(0, mbox_del(self->fd, mbox_tracked[0]));
	id = mbox_new(self->fd, 1, 0);
	EXPECT_LT(0, id);
	if (id > 0)
		mbox_track(id);
}

TEST_F(api, destroy_removes_the_mailbox)
{
	struct mbox_stat st;
	__u32 before = nr_mailboxes(self->fd);
	__u32 id = NEW_MBOX(self->fd, 2, 8);

	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	ASSERT_EQ(0, mbox_del(self->fd, id));
	EXPECT_EQ(-ENOENT, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(before, nr_mailboxes(self->fd));
	EXPECT_EQ(-ENOENT, mbox_del(self->fd, id));
}

TEST_F(api, destroy_unknown_flags_are_einval_and_keep_the_mailbox)
{
	struct mbox_destroy d;
	struct mbox_stat st;
	__u32 id = NEW_MBOX(self->fd, 2, 8);
	int bit;

	for (bit = 0; bit < 32; bit++) {
		d.id = id;
		d.flags = 1U << bit;
		EXPECT_EQ(-EINVAL, ioc_destroy(self->fd, &d))
			TH_LOG("flags bit %d", bit);
		ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	}
}

/* Every command taking an id, with @id, must give ENOENT. */
static void expect_enoent_everywhere(struct __test_metadata *_metadata,
				     int fd, __u32 id)
{
	char buf[16] = "abc";
	struct mbox_stat st;
	__u64 len = sizeof(buf);

	EXPECT_EQ(-ENOENT, mbox_put(fd, id, buf, 3, 0)) TH_LOG("id %u", id);
	EXPECT_EQ(-ENOENT, mbox_put(fd, id, buf, 3, MBOX_NONBLOCK))
		TH_LOG("id %u", id);
	EXPECT_EQ(-ENOENT, mbox_get(fd, id, buf, &len, 0)) TH_LOG("id %u", id);
	len = sizeof(buf);
	EXPECT_EQ(-ENOENT, mbox_get(fd, id, buf, &len, MBOX_NONBLOCK))
		TH_LOG("id %u", id);
	EXPECT_EQ(-ENOENT, mbox_stat_id(fd, id, &st)) TH_LOG("id %u", id);
	EXPECT_EQ(-ENOENT, mbox_del(fd, id)) TH_LOG("id %u", id);
}

TEST_F(api, destroyed_id_is_enoent_for_every_command)
{
	__u32 id = NEW_MBOX(self->fd, 2, 8);
	__u32 before;

	ASSERT_EQ(0, mbox_del(self->fd, id));
	before = nr_mailboxes(self->fd);
	expect_enoent_everywhere(_metadata, self->fd, id);
	EXPECT_EQ(before, nr_mailboxes(self->fd));
}

TEST_F(api, id_zero_is_enoent_for_every_command)
{
	__u32 before = nr_mailboxes(self->fd);

	expect_enoent_everywhere(_metadata, self->fd, 0);
	EXPECT_EQ(before, nr_mailboxes(self->fd));
}

TEST_F(api, ids_above_int_max_are_enoent_for_every_command)
{
	__u32 before = nr_mailboxes(self->fd);

	expect_enoent_everywhere(_metadata, self->fd, MBOX_ID_NEVER_HI);
	expect_enoent_everywhere(_metadata, self->fd, MBOX_ID_NEVER_MAX);
	EXPECT_EQ(before, nr_mailboxes(self->fd));
}

TEST_F(api, destroyed_id_is_not_handed_out_again)
{
	__u32 a = NEW_MBOX(self->fd, 1, 0);
	__u32 b;

	ASSERT_EQ(0, mbox_del(self->fd, a));
	b = NEW_MBOX(self->fd, 1, 0);
	EXPECT_NE(a, b);
}

TEST_F(api, mailbox_outlives_the_file_that_created_it)
{
	char out[8] = "persist", in[8] = "";
	__u64 len = sizeof(in);
	int fd2 = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
	int id;

	ASSERT_LE(0, fd2);
	id = mbox_new(fd2, 2, 8);
	ASSERT_LT(0, id);
	mbox_track(id);
	ASSERT_EQ(0, mbox_put(fd2, id, out, sizeof(out), 0));
	ASSERT_EQ(0, close(fd2));

	EXPECT_EQ((int)sizeof(out), mbox_get(self->fd, id, in, &len, 0));
	EXPECT_EQ(0, memcmp(out, in, sizeof(out)));
}

TEST_F(api, stat_reports_limits_and_zero_counters_of_a_new_mailbox)
{
	struct mbox_stat st;
	__u32 id = NEW_MBOX(self->fd, 5, 77);

	memset(&st, 0xff, sizeof(st));
	st.id = id;
	st.flags = 0;
	ASSERT_EQ(0, ioc_stat(self->fd, &st));
	EXPECT_EQ(id, st.id);
	EXPECT_EQ(5U, st.capacity);
	EXPECT_EQ(77U, st.max_msg_size);
	EXPECT_EQ(0U, st.msgs);
	EXPECT_EQ(0U, st.__reserved);
	EXPECT_EQ(0ULL, st.bytes);
	EXPECT_EQ(0ULL, st.sent_msgs);
	EXPECT_EQ(0ULL, st.sent_bytes);
	EXPECT_EQ(0ULL, st.recv_msgs);
	EXPECT_EQ(0ULL, st.recv_bytes);
}

TEST_F(api, stat_next_lists_every_mailbox_in_increasing_id_order)
{
	__u32 ids[4], found[4] = { 0 }, prev = 0, listed = 0;
	struct mbox_stat st;
	int i, ret;

	for (i = 0; i < 4; i++)
		ids[i] = NEW_MBOX(self->fd, 10 + i, 20 + i);

	memset(&st, 0, sizeof(st));
	st.id = 1;
	st.flags = MBOX_STAT_NEXT;
	while ((ret = ioc_stat(self->fd, &st)) == 0) {
		EXPECT_LT(prev, st.id);
		prev = st.id;
		listed++;
		for (i = 0; i < 4; i++) {
			if (st.id != ids[i])
				continue;
			found[i]++;
			EXPECT_EQ(10U + i, st.capacity);
			EXPECT_EQ(20U + i, st.max_msg_size);
		}
		ASSERT_GE(1U << 20, listed);
		if (st.id == INT_MAX)
			break;
		st.id++;
		st.flags = MBOX_STAT_NEXT;
	}
	EXPECT_EQ(-ENOENT, ret);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(1U, found[i]) TH_LOG("mailbox %u", ids[i]);
	}
	EXPECT_EQ(nr_mailboxes(self->fd), listed);
}

TEST_F(api, stat_next_from_an_existing_id_reports_that_mailbox)
{
	struct mbox_stat st;
	__u32 id = NEW_MBOX(self->fd, 3, 33);

	memset(&st, 0, sizeof(st));
	st.id = id;
	st.flags = MBOX_STAT_NEXT;
	ASSERT_EQ(0, ioc_stat(self->fd, &st));
	EXPECT_EQ(id, st.id);
	EXPECT_EQ(3U, st.capacity);
	EXPECT_EQ(33U, st.max_msg_size);
}

TEST_F(api, stat_next_from_a_destroyed_id_reports_the_next_mailbox)
{
	struct mbox_stat st;
	__u32 a, b, c;

	a = NEW_MBOX(self->fd, 1, 1);
	b = NEW_MBOX(self->fd, 2, 2);
	c = NEW_MBOX(self->fd, 3, 3);
	ASSERT_LT(a, b);
	ASSERT_LT(b, c);
	ASSERT_EQ(0, mbox_del(self->fd, b));

	memset(&st, 0, sizeof(st));
	st.id = b;
	EXPECT_EQ(-ENOENT, ioc_stat(self->fd, &st));

	memset(&st, 0, sizeof(st));
	st.id = b;
	st.flags = MBOX_STAT_NEXT;
	ASSERT_EQ(0, ioc_stat(self->fd, &st));
	/* c, unless another process made one in between. */
	EXPECT_LT(b, st.id);
	EXPECT_GE(c, st.id);
	if (st.id == c) {
		EXPECT_EQ(3U, st.capacity);
	}
}

TEST_F(api, stat_next_past_the_last_id_is_enoent)
{
	struct mbox_stat st;

	NEW_MBOX(self->fd, 1, 0);
	memset(&st, 0, sizeof(st));
	st.id = MBOX_ID_NEVER_HI;
	st.flags = MBOX_STAT_NEXT;
	EXPECT_EQ(-ENOENT, ioc_stat(self->fd, &st));
	memset(&st, 0, sizeof(st));
	st.id = MBOX_ID_NEVER_MAX;
	st.flags = MBOX_STAT_NEXT;
	EXPECT_EQ(-ENOENT, ioc_stat(self->fd, &st));
}

TEST_F(api, stat_unknown_flags_are_einval)
{
	struct mbox_stat st;
	__u32 id = NEW_MBOX(self->fd, 1, 0);
	int bit;

	for (bit = 1; bit < 32; bit++) {
		memset(&st, 0, sizeof(st));
		st.id = id;
		st.flags = 1U << bit;
		EXPECT_EQ(-EINVAL, ioc_stat(self->fd, &st))
			TH_LOG("flags bit %d", bit);
		st.flags = MBOX_STAT_NEXT | 1U << bit;
		EXPECT_EQ(-EINVAL, ioc_stat(self->fd, &st))
			TH_LOG("flags bit %d with MBOX_STAT_NEXT", bit);
	}
}

TEST_F(api, open_unknown_flags_are_einval)
{
	const __u32 valid = MBOX_FD_CLOEXEC | MBOX_FD_NONBLOCK;
	__u32 id = NEW_MBOX(self->fd, 1, 0);
	int bit, ret;

	for (bit = 0; bit < 32; bit++) {
		if (valid & (1U << bit))
			continue;
		ret = mbox_open_id(self->fd, id, 1U << bit);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("flags bit %d", bit);
		if (ret >= 0)
			close(ret);
		ret = mbox_open_id(self->fd, id, valid | 1U << bit);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("flags bit %d with the valid ones",
					       bit);
		if (ret >= 0)
			close(ret);
	}
}

TEST_F(api, open_of_an_id_no_mailbox_has_is_enoent)
{
	const __u32 never[] = { 0, MBOX_ID_NEVER_HI, MBOX_ID_NEVER_MAX };
	__u32 id = NEW_MBOX(self->fd, 1, 0);
	unsigned int i;
	int ret;

	ASSERT_EQ(0, mbox_del(self->fd, id));
	ret = mbox_open_id(self->fd, id, 0);
	EXPECT_EQ(-ENOENT, ret) TH_LOG("destroyed id %u", id);
	if (ret >= 0)
		close(ret);
	for (i = 0; i < ARRAY_SIZE(never); i++) {
		ret = mbox_open_id(self->fd, never[i], MBOX_FD_CLOEXEC);
		EXPECT_EQ(-ENOENT, ret) TH_LOG("id %u", never[i]);
		if (ret >= 0)
			close(ret);
	}
}

/*
 * The ABI rules, checked on every command.  The fixture makes a mailbox
 * holding one message (so that RECV has something to take) and a victim
 * mailbox (for DESTROY), prepares a valid argument for each command, and
 * takes a snapshot of what a wrongly accepted call would change: the number
 * of mailboxes, the figures of the mailbox, whether the victim exists.
 */
#define ABI_MSG		"ping"
#define ABI_MSG_LEN	4
#define ABI_NR_CMDS	7

struct abi_snap {
	__u32 nr_mailboxes;
	int stat_ret;
	int victim_ret;
	struct mbox_stat st;
};

FIXTURE(abi) {
	int fd;
	struct mbox_info info;
	__u32 id, victim;
	char rbuf[64];
	struct abi_snap snap;
};

struct abi_cmd {
	unsigned int nr;
	unsigned int dir;
	unsigned int size;	/* of this header's struct */
	unsigned int ver1;	/* of the version-1 struct */
	const char *name;
};

static const struct abi_cmd abi_cmds[ABI_NR_CMDS] = {
	{ 0, _IOC_READ, sizeof(struct mbox_info), MBOX_INFO_SIZE_VER1,
	  "INFO" },
	{ 1, _IOC_WRITE, sizeof(struct mbox_create), MBOX_CREATE_SIZE_VER1,
	  "CREATE" },
	{ 2, _IOC_WRITE, sizeof(struct mbox_destroy), MBOX_DESTROY_SIZE_VER1,
	  "DESTROY" },
	{ 3, _IOC_WRITE, sizeof(struct mbox_send), MBOX_SEND_SIZE_VER1,
	  "SEND" },
	{ 4, _IOC_READ | _IOC_WRITE, sizeof(struct mbox_recv),
	  MBOX_RECV_SIZE_VER1, "RECV" },
	{ 5, _IOC_READ | _IOC_WRITE, sizeof(struct mbox_stat),
	  MBOX_STAT_SIZE_VER1, "STAT" },
	{ 6, _IOC_WRITE, sizeof(struct mbox_open), MBOX_OPEN_SIZE_VER1,
	  "OPEN" },
};

static void abi_take_snap(int fd, __u32 id, __u32 victim, struct abi_snap *s)
{
	struct mbox_stat vst;

	memset(s, 0, sizeof(*s));
	s->nr_mailboxes = nr_mailboxes(fd);
	s->stat_ret = mbox_stat_id(fd, id, &s->st);
	s->victim_ret = mbox_stat_id(fd, victim, &vst);
}

/* Expect that nothing changed since the fixture's snapshot. */
static void abi_expect_unchanged(struct __test_metadata *_metadata,
				 FIXTURE_DATA(abi) *self, const char *what)
{
	struct abi_snap now;

	abi_take_snap(self->fd, self->id, self->victim, &now);
	EXPECT_EQ(self->snap.nr_mailboxes, now.nr_mailboxes) TH_LOG("%s", what);
	EXPECT_EQ(0, now.stat_ret) TH_LOG("%s", what);
	EXPECT_EQ(0, now.victim_ret) TH_LOG("%s: victim destroyed", what);
	EXPECT_EQ(self->snap.st.msgs, now.st.msgs) TH_LOG("%s", what);
	EXPECT_EQ(self->snap.st.bytes, now.st.bytes) TH_LOG("%s", what);
	EXPECT_EQ(self->snap.st.sent_msgs, now.st.sent_msgs) TH_LOG("%s", what);
	EXPECT_EQ(self->snap.st.recv_msgs, now.st.recv_msgs) TH_LOG("%s", what);
	/* Start over from here if something did change. */
	self->snap = now;
}

/* A valid argument for command @nr into @arg (zeroed first, 256 bytes). */
static void abi_prepare(FIXTURE_DATA(abi) *self, unsigned int nr, void *arg)
{
	memset(arg, 0, 256);
	switch (nr) {
	case 1: {
		struct mbox_create *c = arg;

		c->capacity = 1;
		c->max_msg_size = 8;
		break;
	}
	case 2: {
		struct mbox_destroy *d = arg;

		d->id = self->victim;
		break;
	}
	case 3: {
		struct mbox_send *s = arg;

		s->id = self->id;
		s->flags = MBOX_NONBLOCK;
		s->buf = (__u64)(uintptr_t)ABI_MSG;
		s->len = ABI_MSG_LEN;
		break;
	}
	case 4: {
		struct mbox_recv *r = arg;

		r->id = self->id;
		r->flags = MBOX_NONBLOCK;
		r->buf = (__u64)(uintptr_t)self->rbuf;
		r->len = sizeof(self->rbuf);
		break;
	}
	case 5: {
		struct mbox_stat *st = arg;

		st->id = self->id;
		break;
	}
	case 6: {
		struct mbox_open *o = arg;

		o->id = self->id;
		o->flags = MBOX_FD_CLOEXEC;
		break;
	}
	}
}

/* A call that should have failed returned @ret: undo what it may have done. */
static void abi_undo(int fd, unsigned int nr, int ret)
{
	if (nr == 1 && ret > 0)
		mbox_del(fd, ret);
	if (nr == 6 && ret >= 0)
		close(ret);
}

FIXTURE_SETUP(abi)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	self->id = NEW_MBOX(self->fd, 4, 64);
	self->victim = NEW_MBOX(self->fd, 1, 0);
	ASSERT_EQ(0, mbox_put(self->fd, self->id, ABI_MSG, ABI_MSG_LEN, 0));
	abi_take_snap(self->fd, self->id, self->victim, &self->snap);
	ASSERT_EQ(1U, self->snap.st.msgs);
}

FIXTURE_TEARDOWN(abi)
{
	mbox_cleanup(self->fd);
}

TEST_F(abi, unknown_command_numbers_are_enotty)
{
	/* Far above the version-1 commands and what later versions add. */
	static const unsigned int nrs[] = { 0x40, 0x41, 0x7f, 0x80, 0xc0, 0xfe,
					    0xff };
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	__u64 arg[32];
	unsigned int i, j;
	unsigned long cmd;
	char what[64];
	int ret;

	for (i = 0; i < ARRAY_SIZE(nrs); i++) {
		for (j = 0; j < ARRAY_SIZE(dirs); j++) {
			memset(arg, 0, sizeof(arg));
			cmd = MBOX_CMD(dirs[j], nrs[i], 64);
			ret = mbox_ioctl(self->fd, cmd, arg);
			EXPECT_EQ(-ENOTTY, ret) TH_LOG("cmd %#lx", cmd);
			snprintf(what, sizeof(what), "cmd %#lx", cmd);
			abi_expect_unchanged(_metadata, self, what);
		}
	}
	/* The same numbers with no argument at all. */
	for (i = 0; i < ARRAY_SIZE(nrs); i++) {
		cmd = MBOX_CMD(_IOC_NONE, nrs[i], 0);
		EXPECT_EQ(-ENOTTY, mbox_ioctl(self->fd, cmd, NULL))
			TH_LOG("cmd %#lx", cmd);
	}
	abi_expect_unchanged(_metadata, self, "no-argument commands");
}

TEST_F(abi, known_commands_with_wrong_direction_bits_are_enotty)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	const struct abi_cmd *c;
	__u64 arg[32];
	unsigned long cmd;
	char what[64];
	unsigned int i, j;
	int ret;

	for (i = 0; i < ABI_NR_CMDS; i++) {
		c = &abi_cmds[i];
		for (j = 0; j < ARRAY_SIZE(dirs); j++) {
			if (dirs[j] == c->dir)
				continue;
			abi_prepare(self, c->nr, arg);
			cmd = MBOX_CMD(dirs[j], c->nr, c->size);
			ret = mbox_ioctl(self->fd, cmd, arg);
			EXPECT_EQ(-ENOTTY, ret)
				TH_LOG("%s with direction %u", c->name, dirs[j]);
			abi_undo(self->fd, c->nr, ret);
			snprintf(what, sizeof(what), "%s with direction %u",
				 c->name, dirs[j]);
			abi_expect_unchanged(_metadata, self, what);
		}
	}
}

TEST_F(abi, known_commands_with_wrong_magic_are_enotty)
{
	static const unsigned int magics[] = { MBOX_IOC_MAGIC - 1,
					       MBOX_IOC_MAGIC + 1, 0x00,
					       0xff };
	const struct abi_cmd *c;
	__u64 arg[32];
	unsigned long cmd;
	char what[64];
	unsigned int i, j;
	int ret;

	for (i = 0; i < ABI_NR_CMDS; i++) {
		c = &abi_cmds[i];
		for (j = 0; j < ARRAY_SIZE(magics); j++) {
			abi_prepare(self, c->nr, arg);
			cmd = _IOC(c->dir, magics[j], c->nr, c->size);
			ret = mbox_ioctl(self->fd, cmd, arg);
			EXPECT_EQ(-ENOTTY, ret)
				TH_LOG("%s with magic %#x", c->name, magics[j]);
			abi_undo(self->fd, c->nr, ret);
			snprintf(what, sizeof(what), "%s with magic %#x",
				 c->name, magics[j]);
			abi_expect_unchanged(_metadata, self, what);
		}
	}
}

TEST_F(abi, struct_smaller_than_version_1_is_einval)
{
	const struct abi_cmd *c;
	unsigned int sizes[3], i, j;
	__u64 arg[32];
	unsigned long cmd;
	char what[64];
	int ret;

	for (i = 0; i < ABI_NR_CMDS; i++) {
		c = &abi_cmds[i];
		sizes[0] = 0;
		sizes[1] = c->ver1 - 8;
		sizes[2] = c->ver1 - 1;
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			abi_prepare(self, c->nr, arg);
			if (c->nr == 0)
				memset(arg, 0xa5, sizeof(arg));
			cmd = MBOX_CMD(c->dir, c->nr, sizes[j]);
			ret = mbox_ioctl(self->fd, cmd, arg);
			EXPECT_EQ(-EINVAL, ret)
				TH_LOG("%s of %u bytes", c->name, sizes[j]);
			abi_undo(self->fd, c->nr, ret);
			if (c->nr == 0) {
				EXPECT_EQ(-1, mbox_check_fill(arg, sizeof(arg),
							      0xa5))
					TH_LOG("INFO of %u bytes wrote to it",
					       sizes[j]);
			}
			snprintf(what, sizeof(what), "%s of %u bytes",
				 c->name, sizes[j]);
			abi_expect_unchanged(_metadata, self, what);
		}
	}
}

TEST_F(abi, null_argument_is_efault_for_every_command)
{
	const struct abi_cmd *c;
	unsigned long cmd;
	unsigned int i;
	int ret;

	for (i = 0; i < ABI_NR_CMDS; i++) {
		c = &abi_cmds[i];
		cmd = MBOX_CMD(c->dir, c->nr, c->size);
		ret = mbox_ioctl(self->fd, cmd, NULL);
		EXPECT_EQ(-EFAULT, ret) TH_LOG("%s", c->name);
		abi_undo(self->fd, c->nr, ret);
		abi_expect_unchanged(_metadata, self, c->name);
	}
}

TEST_F(abi, unmapped_argument_is_efault_for_every_command)
{
	const struct abi_cmd *c;
	unsigned long cmd;
	unsigned int i;
	void *page = mbox_map_with_holes(1, 1);
	int ret;

	ASSERT_NE(NULL, page);
	for (i = 0; i < ABI_NR_CMDS; i++) {
		c = &abi_cmds[i];
		cmd = MBOX_CMD(c->dir, c->nr, c->size);
		ret = mbox_ioctl(self->fd, cmd, page);
		EXPECT_EQ(-EFAULT, ret) TH_LOG("%s", c->name);
		abi_undo(self->fd, c->nr, ret);
		abi_expect_unchanged(_metadata, self, c->name);
	}
}

/* Output structs must be writable: INFO, RECV and STAT in read-only memory. */
TEST_F(abi, output_argument_in_readonly_memory_is_efault)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	char *page = mbox_map_with_holes(1, 0);
	struct mbox_info *info = (void *)page;
	struct mbox_recv *r = (void *)page;
	struct mbox_stat *st = (void *)page;
	__u64 len = sizeof(self->rbuf);

	ASSERT_NE(NULL, page);

	memset(page, 0, psz);
	ASSERT_EQ(0, mprotect(page, psz, PROT_READ));
	EXPECT_EQ(-EFAULT, ioc_info(self->fd, info));
	abi_expect_unchanged(_metadata, self, "INFO");

	ASSERT_EQ(0, mprotect(page, psz, PROT_READ | PROT_WRITE));
	abi_prepare(self, 5, st);
	ASSERT_EQ(0, mprotect(page, psz, PROT_READ));
	EXPECT_EQ(-EFAULT, ioc_stat(self->fd, st));
	abi_expect_unchanged(_metadata, self, "STAT");

	/* A receive that cannot report its length must not take the message. */
	ASSERT_EQ(0, mprotect(page, psz, PROT_READ | PROT_WRITE));
	abi_prepare(self, 4, r);
	ASSERT_EQ(0, mprotect(page, psz, PROT_READ));
	EXPECT_EQ(-EFAULT, ioc_recv(self->fd, r));
	abi_expect_unchanged(_metadata, self, "RECV");

	memset(self->rbuf, 0, sizeof(self->rbuf));
	EXPECT_EQ(ABI_MSG_LEN, mbox_get(self->fd, self->id, self->rbuf, &len,
					MBOX_NONBLOCK));
	EXPECT_EQ(0, memcmp(self->rbuf, ABI_MSG, ABI_MSG_LEN));
	munmap(page, psz);
}

/* Input-only commands never write their argument. */
TEST_F(abi, input_arguments_in_readonly_memory_are_accepted)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	char *page = mbox_map_with_holes(1, 0);
	struct mbox_stat st;
	int ret;

	ASSERT_NE(NULL, page);

	abi_prepare(self, 1, page);
	ASSERT_EQ(0, mprotect(page, psz, PROT_READ));
	ret = ioc_create(self->fd, (void *)page);
	EXPECT_LT(0, ret);
	if (ret > 0)
		mbox_track(ret);

	ASSERT_EQ(0, mprotect(page, psz, PROT_READ | PROT_WRITE));
	abi_prepare(self, 3, page);
	ASSERT_EQ(0, mprotect(page, psz, PROT_READ));
	EXPECT_EQ(0, ioc_send(self->fd, (void *)page));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(2U, st.msgs);

	ASSERT_EQ(0, mprotect(page, psz, PROT_READ | PROT_WRITE));
	abi_prepare(self, 2, page);
	ASSERT_EQ(0, mprotect(page, psz, PROT_READ));
	EXPECT_EQ(0, ioc_destroy(self->fd, (void *)page));
	EXPECT_EQ(-ENOENT, mbox_stat_id(self->fd, self->victim, &st));
	munmap(page, psz);
}

/*
 * Larger structs, as a newer header would make them: a zero tail is
 * accepted, and an output tail is zeroed.
 */
TEST_F(abi, info_in_a_larger_struct_works_and_zeroes_the_tail)
{
	const unsigned int size = sizeof(struct mbox_info) + 64;
	unsigned char arg[512] __attribute__((aligned(8)));
	struct mbox_info *info = (void *)arg;

	memset(arg, 0xff, sizeof(arg));
	ASSERT_EQ(0, mbox_ioctl(self->fd, MBOX_CMD(_IOC_READ, 0, size), arg));
	EXPECT_EQ(1U, info->abi_version);
	EXPECT_EQ(self->info.max_capacity, info->max_capacity);
	EXPECT_EQ(self->info.max_msg_size, info->max_msg_size);
	EXPECT_EQ(self->snap.nr_mailboxes, info->nr_mailboxes);
	EXPECT_EQ(0U, info->__reserved);
	EXPECT_EQ(-1, mbox_check_fill(arg + sizeof(*info), 64, 0));
	/* Not a byte past the caller's struct. */
	EXPECT_EQ(-1, mbox_check_fill(arg + size, sizeof(arg) - size, 0xff));
}

TEST_F(abi, create_in_a_larger_struct_with_zero_tail_works)
{
	__u64 arg[32];
	struct mbox_stat st;
	int id;

	abi_prepare(self, 1, arg);
	id = mbox_ioctl(self->fd, MBOX_CMD(_IOC_WRITE, 1,
					    sizeof(struct mbox_create) + 64),
			arg);
	ASSERT_LT(0, id);
	mbox_track(id);
	ASSERT_EQ(0, mbox_stat_id(self->fd, id, &st));
	EXPECT_EQ(1U, st.capacity);
	EXPECT_EQ(8U, st.max_msg_size);
}

TEST_F(abi, destroy_in_a_larger_struct_with_zero_tail_works)
{
	__u64 arg[32];
	struct mbox_stat st;

	abi_prepare(self, 2, arg);
	ASSERT_EQ(0, mbox_ioctl(self->fd, MBOX_CMD(_IOC_WRITE, 2,
						    sizeof(struct mbox_destroy) + 8),
				arg));
	EXPECT_EQ(-ENOENT, mbox_stat_id(self->fd, self->victim, &st));
}

TEST_F(abi, send_in_a_larger_struct_with_zero_tail_works)
{
	__u64 arg[32];
	struct mbox_stat st;

	abi_prepare(self, 3, arg);
	ASSERT_EQ(0, mbox_ioctl(self->fd, MBOX_CMD(_IOC_WRITE, 3,
						    sizeof(struct mbox_send) + 64),
				arg));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(2U, st.msgs);
	EXPECT_EQ(2ULL * ABI_MSG_LEN, st.bytes);
}

TEST_F(abi, recv_in_a_larger_struct_with_zero_tail_works_and_keeps_it_zero)
{
	const unsigned int size = sizeof(struct mbox_recv) + 64;
	unsigned char arg[512] __attribute__((aligned(8)));
	struct mbox_recv *r = (void *)arg;
	struct mbox_stat st;

	abi_prepare(self, 4, arg);
	memset(arg + size, 0xff, sizeof(arg) - size);
	EXPECT_EQ(ABI_MSG_LEN, mbox_ioctl(self->fd,
					  MBOX_CMD(_IOC_READ | _IOC_WRITE, 4,
						   size), arg));
	EXPECT_EQ((__u64)ABI_MSG_LEN, r->len);
	EXPECT_EQ(0, memcmp(self->rbuf, ABI_MSG, ABI_MSG_LEN));
	EXPECT_EQ(-1, mbox_check_fill(arg + sizeof(*r), 64, 0));
	EXPECT_EQ(-1, mbox_check_fill(arg + size, sizeof(arg) - size, 0xff));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &st));
	EXPECT_EQ(0U, st.msgs);
}

TEST_F(abi, stat_in_a_larger_struct_with_zero_tail_works_and_keeps_it_zero)
{
	const unsigned int size = sizeof(struct mbox_stat) + 64;
	unsigned char arg[512] __attribute__((aligned(8)));
	struct mbox_stat *st = (void *)arg;

	abi_prepare(self, 5, arg);
	memset(arg + size, 0xff, sizeof(arg) - size);
	ASSERT_EQ(0, mbox_ioctl(self->fd, MBOX_CMD(_IOC_READ | _IOC_WRITE, 5,
						    size), arg));
	EXPECT_EQ(self->id, st->id);
	EXPECT_EQ(4U, st->capacity);
	EXPECT_EQ(64U, st->max_msg_size);
	EXPECT_EQ(1U, st->msgs);
	EXPECT_EQ(-1, mbox_check_fill(arg + sizeof(*st), 64, 0));
	EXPECT_EQ(-1, mbox_check_fill(arg + size, sizeof(arg) - size, 0xff));
}

TEST_F(abi, open_in_a_larger_struct_with_zero_tail_works)
{
	__u64 arg[32];
	char in[8];
	int mfd;

	abi_prepare(self, 6, arg);
	mfd = mbox_ioctl(self->fd, MBOX_CMD(_IOC_WRITE, 6,
					     sizeof(struct mbox_open) + 64),
			 arg);
	ASSERT_LE(0, mfd) TH_LOG("%s", strerror(-mfd));
	EXPECT_EQ(ABI_MSG_LEN, read(mfd, in, sizeof(in)));
	EXPECT_EQ(0, memcmp(in, ABI_MSG, ABI_MSG_LEN));
	close(mfd);
}

/*
 * Version-1 structs, as a program built against the first header passes
 * them: every command works, and nothing past the struct is written.
 */
TEST_F(abi, version_1_structs_work_and_nothing_past_them_is_written)
{
	unsigned char arg[512] __attribute__((aligned(8)));
	struct mbox_info *info = (void *)arg;
	struct mbox_recv *r = (void *)arg;
	struct mbox_stat *st = (void *)arg;
	const struct abi_cmd *c;
	struct mbox_stat now;
	unsigned long cmd;
	int ret;

	c = &abi_cmds[0];
	memset(arg, 0xa5, sizeof(arg));
	cmd = MBOX_CMD(c->dir, c->nr, c->ver1);
	ASSERT_EQ(0, mbox_ioctl(self->fd, cmd, arg));
	EXPECT_EQ(1U, info->abi_version);
	EXPECT_EQ(self->info.max_msg_size, info->max_msg_size);
	EXPECT_EQ(-1, mbox_check_fill(arg + c->ver1, sizeof(arg) - c->ver1,
				      0xa5)) TH_LOG("INFO wrote past 32 bytes");

	c = &abi_cmds[5];
	abi_prepare(self, c->nr, arg);
	memset(arg + c->ver1, 0xa5, sizeof(arg) - c->ver1);
	cmd = MBOX_CMD(c->dir, c->nr, c->ver1);
	ASSERT_EQ(0, mbox_ioctl(self->fd, cmd, arg));
	EXPECT_EQ(self->id, st->id);
	EXPECT_EQ(4U, st->capacity);
	EXPECT_EQ(1U, st->msgs);
	EXPECT_EQ((__u64)ABI_MSG_LEN, st->bytes);
	EXPECT_EQ(-1, mbox_check_fill(arg + c->ver1, sizeof(arg) - c->ver1,
				      0xa5)) TH_LOG("STAT wrote past 64 bytes");

	c = &abi_cmds[4];
	abi_prepare(self, c->nr, arg);
	memset(arg + c->ver1, 0xa5, sizeof(arg) - c->ver1);
	/* Bytes past a version-1 struct are not the kernel's to read. */
	cmd = MBOX_CMD(c->dir, c->nr, c->ver1);
	EXPECT_EQ(ABI_MSG_LEN, mbox_ioctl(self->fd, cmd, arg));
	EXPECT_EQ((__u64)ABI_MSG_LEN, r->len);
	EXPECT_EQ(0, memcmp(self->rbuf, ABI_MSG, ABI_MSG_LEN));
	EXPECT_EQ(-1, mbox_check_fill(arg + c->ver1, sizeof(arg) - c->ver1,
				      0xa5)) TH_LOG("RECV wrote past 24 bytes");

	c = &abi_cmds[3];
	abi_prepare(self, c->nr, arg);
	memset(arg + c->ver1, 0xa5, sizeof(arg) - c->ver1);
	cmd = MBOX_CMD(c->dir, c->nr, c->ver1);
	EXPECT_EQ(0, mbox_ioctl(self->fd, cmd, arg));
	ASSERT_EQ(0, mbox_stat_id(self->fd, self->id, &now));
	EXPECT_EQ(1U, now.msgs);

	c = &abi_cmds[1];
	abi_prepare(self, c->nr, arg);
	memset(arg + c->ver1, 0xa5, sizeof(arg) - c->ver1);
	cmd = MBOX_CMD(c->dir, c->nr, c->ver1);
	ret = mbox_ioctl(self->fd, cmd, arg);
	EXPECT_LT(0, ret);
	if (ret > 0)
		mbox_track(ret);

	c = &abi_cmds[2];
	abi_prepare(self, c->nr, arg);
	memset(arg + c->ver1, 0xa5, sizeof(arg) - c->ver1);
	cmd = MBOX_CMD(c->dir, c->nr, c->ver1);
	EXPECT_EQ(0, mbox_ioctl(self->fd, cmd, arg));
	EXPECT_EQ(-ENOENT, mbox_stat_id(self->fd, self->victim, &now));
}

/*
 * The version-2 reserved fields of SEND and RECV must be zero, each bit of
 * them: EINVAL, and nothing sent or received.
 */
TEST_F(abi, send_reserved_field_nonzero_is_einval_and_sends_nothing)
{
	__u64 buf[32];
	struct mbox_send *arg = (void *)buf;
	char what[48];
	int bit;

	for (bit = 0; bit < 32; bit++) {
		abi_prepare(self, 3, buf);
		arg->__reserved = 1U << bit;
		snprintf(what, sizeof(what), "SEND, __reserved bit %d", bit);
		EXPECT_EQ(-EINVAL, ioc_send(self->fd, arg)) TH_LOG("%s", what);
		abi_expect_unchanged(_metadata, self, what);
	}
}

TEST_F(abi, recv_reserved_field_nonzero_is_einval_and_takes_nothing)
{
	__u64 buf[32];
	struct mbox_recv *arg = (void *)buf;
	char what[48];
	int bit;

	for (bit = 0; bit < 32; bit++) {
		abi_prepare(self, 4, buf);
		arg->__reserved = 1U << bit;
		snprintf(what, sizeof(what), "RECV, __reserved bit %d", bit);
		EXPECT_EQ(-EINVAL, ioc_recv(self->fd, arg)) TH_LOG("%s", what);
		abi_expect_unchanged(_metadata, self, what);
	}
}

/*
 * A version-1 SEND carries no type: its message is of type 0.  A
 * version-1 RECV has no selection: it takes the oldest message, whatever
 * its type.
 */
TEST_F(abi, version_1_send_sends_type_0_and_version_1_recv_takes_any_type)
{
	unsigned char arg[512] __attribute__((aligned(8)));
	struct mbox_send *s = (void *)arg;
	struct mbox_recv *r = (void *)arg;
	char out[8] = "typed", in[8];
	__u32 id = NEW_MBOX(self->fd, 4, 8);
	struct mbox_send typed = {
		.id = id,
		.buf = (__u64)(uintptr_t)out,
		.len = sizeof(out),
		.type = 77,
	};
	struct mbox_recv full = {
		.id = id,
		.flags = MBOX_NONBLOCK,
		.buf = (__u64)(uintptr_t)self->rbuf,
		.len = sizeof(self->rbuf),
		.type = 0xa5a5a5a5,
	};

	/* Bytes past a version-1 struct are not the kernel's to read. */
	memset(arg, 0xa5, sizeof(arg));
	memset(arg, 0, MBOX_SEND_SIZE_VER1);
	s->id = id;
	s->buf = (__u64)(uintptr_t)ABI_MSG;
	s->len = ABI_MSG_LEN;
	ASSERT_EQ(0, mbox_ioctl(self->fd, MBOX_CMD(_IOC_WRITE, 3,
						    MBOX_SEND_SIZE_VER1), arg));
	EXPECT_EQ(ABI_MSG_LEN, ioc_recv(self->fd, &full));
	EXPECT_EQ(0U, full.type);
	EXPECT_EQ(0, memcmp(self->rbuf, ABI_MSG, ABI_MSG_LEN));

	ASSERT_EQ(0, ioc_send(self->fd, &typed));
	memset(arg, 0xa5, sizeof(arg));
	memset(arg, 0, MBOX_RECV_SIZE_VER1);
	r->id = id;
	r->flags = MBOX_NONBLOCK;
	r->buf = (__u64)(uintptr_t)in;
	r->len = sizeof(in);
	EXPECT_EQ((int)sizeof(out),
		  mbox_ioctl(self->fd, MBOX_CMD(_IOC_READ | _IOC_WRITE, 4,
						MBOX_RECV_SIZE_VER1), arg));
	EXPECT_EQ((__u64)sizeof(out), r->len);
	EXPECT_EQ(0, memcmp(out, in, sizeof(out)));
	EXPECT_EQ(-1, mbox_check_fill(arg + MBOX_RECV_SIZE_VER1,
				      sizeof(arg) - MBOX_RECV_SIZE_VER1, 0xa5))
		TH_LOG("RECV wrote past 24 bytes");
}

/*
 * A larger struct with a non-zero byte past what the kernel knows: E2BIG,
 * and nothing done.  Tried with the first byte of a short tail and the last
 * byte of a long one.
 */
static void abi_expect_e2big(struct __test_metadata *_metadata,
			     FIXTURE_DATA(abi) *self, unsigned int nr)
{
	const struct abi_cmd *c = &abi_cmds[nr];
	unsigned int tails[2] = { 8, 64 }, i;
	unsigned char arg[512] __attribute__((aligned(8)));
	unsigned long cmd;
	char what[64];
	int ret;

	for (i = 0; i < 2; i++) {
		abi_prepare(self, nr, arg);
		arg[c->size + (i ? tails[i] - 1 : 0)] = 1;
		cmd = MBOX_CMD(c->dir, nr, c->size + tails[i]);
		ret = mbox_ioctl(self->fd, cmd, arg);
		EXPECT_EQ(-E2BIG, ret) TH_LOG("%s with a %u-byte tail",
					      c->name, tails[i]);
		abi_undo(self->fd, nr, ret);
		snprintf(what, sizeof(what), "%s with a %u-byte tail", c->name,
			 tails[i]);
		abi_expect_unchanged(_metadata, self, what);
	}
}

TEST_F(abi, create_in_a_larger_struct_with_nonzero_tail_is_e2big)
{
	abi_expect_e2big(_metadata, self, 1);
}

TEST_F(abi, destroy_in_a_larger_struct_with_nonzero_tail_is_e2big)
{
	abi_expect_e2big(_metadata, self, 2);
}

TEST_F(abi, send_in_a_larger_struct_with_nonzero_tail_is_e2big)
{
	abi_expect_e2big(_metadata, self, 3);
}

TEST_F(abi, recv_in_a_larger_struct_with_nonzero_tail_is_e2big)
{
	abi_expect_e2big(_metadata, self, 4);
}

TEST_F(abi, stat_in_a_larger_struct_with_nonzero_tail_is_e2big)
{
	abi_expect_e2big(_metadata, self, 5);
}

TEST_F(abi, open_in_a_larger_struct_with_nonzero_tail_is_e2big)
{
	abi_expect_e2big(_metadata, self, 6);
}

TEST_HARNESS_MAIN
