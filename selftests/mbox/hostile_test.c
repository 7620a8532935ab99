// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input, each bad value alone against its exact errno, and no
 * state change afterwards (checked with STAT and INFO): kernel addresses
 * as pointers, lengths at 0, max, max + 1 and near SIZE_MAX, ids that
 * never existed or were destroyed, names that are empty, too long,
 * unterminated or contain '/', buffers unmapped or read-only; and output
 * structs that never carry kernel bytes (filled with 0xA5 first, every
 * reserved field and every byte past the known fields must come back 0).
 *
 * api_test and fuzz_test cover struct sizes, flags and reserved fields;
 * names_test covers names in depth; ns_test covers ids of other IPC
 * namespaces.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdint.h>

#include "cred_util.h"

/* Where the kernel's text is on x86-64 (without KASLR). */
#define KADDR		0xffffffff81000000ULL
/* The first byte past user space, and the top of the address space. */
#define KADDR_LOW	0xffff800000000000ULL
#define KADDR_TOP	0xfffffffffffff000ULL

FIXTURE(hostile) {
	int fd;
	struct mbox_info info;
	__u32 id;		/* capacity 4, max_msg_size 8192 */
	long psz;
};

FIXTURE_SETUP(hostile)
{
	MBOX_OPEN_OR_SKIP(&self->fd);
	ASSERT_EQ(0, ioc_info(self->fd, &self->info));
	self->id = NEW_MBOX(self->fd, 4, 8192);
	self->psz = sysconf(_SC_PAGESIZE);
}

FIXTURE_TEARDOWN(hostile)
{
	mbox_cleanup(self->fd);
}

/* What must not change across a failed call. */
struct snap {
	struct mbox_stat st;
	__u32 nr;
	__u64 pool;
	__u64 total_msgs;
};

static void take(int fd, __u32 id, struct snap *s)
{
	struct mbox_info info;

	memset(s, 0, sizeof(*s));
	memset(&info, 0, sizeof(info));
	mbox_stat_id(fd, id, &s->st);
	ioc_info(fd, &info);
	s->nr = info.nr_mailboxes;
	s->pool = info.pool_bytes;
	s->total_msgs = info.total_msgs;
}

#define ASSERT_UNCHANGED(fd, id, before) do {				\
	struct snap __after;						\
	take(fd, id, &__after);						\
	EXPECT_EQ((before)->nr, __after.nr);				\
	EXPECT_EQ((before)->pool, __after.pool);			\
	EXPECT_EQ((before)->total_msgs, __after.total_msgs);		\
	EXPECT_EQ((before)->st.msgs, __after.st.msgs);			\
	EXPECT_EQ((before)->st.sent_msgs, __after.st.sent_msgs);	\
	EXPECT_EQ((before)->st.recv_msgs, __after.st.recv_msgs);	\
	EXPECT_EQ((before)->st.mode, __after.st.mode);			\
	EXPECT_EQ((before)->st.capacity, __after.st.capacity);		\
} while (0)

TEST_F(hostile, kernel_address_as_the_argument_struct_is_efault_for_every_ioctl)
{
	static const unsigned long cmds[] = {
		MBOX_IOC_INFO, MBOX_IOC_CREATE, MBOX_IOC_DESTROY, MBOX_IOC_SEND,
		MBOX_IOC_RECV, MBOX_IOC_STAT, MBOX_IOC_OPEN, MBOX_IOC_LOOKUP,
		MBOX_IOC_SET,
	};
	static const __u64 addrs[] = { KADDR, KADDR_LOW, KADDR_TOP, 0 };
	struct snap before;
	unsigned int i, j;

	take(self->fd, self->id, &before);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		for (j = 0; j < sizeof(addrs) / sizeof(addrs[0]); j++) {
			EXPECT_EQ(-EFAULT, mbox_ioctl(self->fd, cmds[i],
						      (void *)(uintptr_t)addrs[j]))
				TH_LOG("ioctl nr %u, arg %#llx", _IOC_NR(cmds[i]),
				       (unsigned long long)addrs[j]);
		}
	}
	ASSERT_UNCHANGED(self->fd, self->id, &before);
}

TEST_F(hostile, send_from_a_kernel_or_unmapped_buffer_is_efault_and_queues_nothing)
{
	char *holey = mbox_map_with_holes(3, 0x2);	/* page 1 unmapped */
	struct snap before;

	ASSERT_NE(NULL, holey);
	take(self->fd, self->id, &before);
	EXPECT_EQ(-EFAULT, mbox_put(self->fd, self->id, (void *)(uintptr_t)KADDR,
				    16, MBOX_NONBLOCK));
	EXPECT_EQ(-EFAULT, mbox_put(self->fd, self->id, (void *)(uintptr_t)KADDR_TOP,
				    8192, MBOX_NONBLOCK));
	EXPECT_EQ(-EFAULT, mbox_put(self->fd, self->id, NULL, 1, MBOX_NONBLOCK));
	EXPECT_EQ(-EFAULT, mbox_put(self->fd, self->id, holey + self->psz, 1,
				    MBOX_NONBLOCK)) TH_LOG("unmapped page");
	EXPECT_EQ(-EFAULT, mbox_put(self->fd, self->id, holey + self->psz - 8,
				    16, MBOX_NONBLOCK)) TH_LOG("runs into a hole");
	/* A blocking send faults before it could wait. */
	EXPECT_EQ(-EFAULT, mbox_put(self->fd, self->id, holey + self->psz, 1, 0));
	ASSERT_UNCHANGED(self->fd, self->id, &before);
	munmap(holey, 3 * self->psz);
}

TEST_F(hostile, receive_into_a_bad_buffer_is_efault_and_the_message_stays_at_the_head)
{
	char *holey = mbox_map_with_holes(3, 0x2);
	char *ro = mmap(NULL, self->psz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	char msg[100], buf[100];
	struct mbox_recv r;
	struct snap before;
	__u64 len;
	int i;

	ASSERT_NE(NULL, holey);
	ASSERT_NE(MAP_FAILED, ro);
	for (i = 0; i < 3; i++) {
		memset(msg, 'a' + i, sizeof(msg));
		ASSERT_EQ(0, mbox_put(self->fd, self->id, msg, sizeof(msg),
				      MBOX_NONBLOCK));
	}
	take(self->fd, self->id, &before);
	struct { char *buf; const char *what; } bad[] = {
		{ (char *)(uintptr_t)KADDR, "kernel address" },
		{ (char *)(uintptr_t)KADDR_TOP, "top of the address space" },
		{ NULL, "NULL" },
		{ holey + self->psz, "unmapped" },
		{ holey + self->psz - 50, "runs into a hole" },
		{ ro, "read-only" },
	};
	for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
		len = sizeof(msg);
		EXPECT_EQ(-EFAULT, mbox_get(self->fd, self->id, bad[i].buf, &len,
					    MBOX_NONBLOCK)) TH_LOG("%s", bad[i].what);
		len = sizeof(msg);
		EXPECT_EQ(-EFAULT, mbox_get(self->fd, self->id, bad[i].buf, &len,
					    MBOX_NONBLOCK | MBOX_RECV_PEEK))
			TH_LOG("peek, %s", bad[i].what);
	}
	ASSERT_UNCHANGED(self->fd, self->id, &before);
	/* The first message is still first, with its sequence number. */
	memset(&r, 0, sizeof(r));
	r.id = self->id;
	r.flags = MBOX_NONBLOCK;
	r.buf = (__u64)(uintptr_t)buf;
	r.len = sizeof(buf);
	ASSERT_EQ(100, ioc_recv(self->fd, &r));
	EXPECT_EQ('a', buf[0]);
	EXPECT_EQ(1ULL, r.seq);
	munmap(holey, 3 * self->psz);
	munmap(ro, self->psz);
}

TEST_F(hostile, lengths_at_zero_max_max_plus_one_and_near_size_max)
{
	static char big[8193];
	static const __u64 huge[] = {
		8193, 8192ULL + 4096, 1ULL << 31, 1ULL << 32, 1ULL << 63,
		SIZE_MAX - 4095, SIZE_MAX - 1, SIZE_MAX,
	};
	char *holey = mbox_map_with_holes(2, 0x2);
	char *buf = holey + self->psz - 16;	/* 16 bytes, then a hole */
	struct snap before;
	__u64 len;
	unsigned int i;

	ASSERT_NE(NULL, holey);
	/* 0 and max are accepted. */
	EXPECT_EQ(0, mbox_put(self->fd, self->id, NULL, 0, MBOX_NONBLOCK));
	EXPECT_EQ(0, mbox_put(self->fd, self->id, big, 8192, MBOX_NONBLOCK));
	take(self->fd, self->id, &before);
	for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		EXPECT_EQ(-EMSGSIZE, mbox_put(self->fd, self->id, big, huge[i],
					      MBOX_NONBLOCK))
			TH_LOG("len %#llx", (unsigned long long)huge[i]);
	}
	ASSERT_UNCHANGED(self->fd, self->id, &before);

	/* A receive buffer "of" SIZE_MAX bytes: only the message is stored. */
	len = 0;
	EXPECT_EQ(0, mbox_get(self->fd, self->id, NULL, &len, MBOX_NONBLOCK))
		TH_LOG("the empty message into a 0-byte buffer");
	len = SIZE_MAX;
	EXPECT_EQ(-EFAULT, mbox_get(self->fd, self->id, buf, &len, MBOX_NONBLOCK))
		TH_LOG("8192 bytes do not fit in 16 mapped bytes, whatever len says");
	len = 8191;
	EXPECT_EQ(-EMSGSIZE, mbox_get(self->fd, self->id, big, &len, MBOX_NONBLOCK));
	EXPECT_EQ(8192ULL, len);
	len = SIZE_MAX;
	EXPECT_EQ(8192, mbox_get(self->fd, self->id, big, &len, MBOX_NONBLOCK));
	EXPECT_EQ(8192ULL, len);
	munmap(holey, 2 * self->psz);
}

TEST_F(hostile, ids_that_never_existed_or_were_destroyed_are_enoent_everywhere)
{
	struct mbox_set set = { .flags = MBOX_SET_MODE, .mode = 0 };
	__u32 ids[] = { 0, INT_MAX, 0x80000000U, UINT_MAX, 0 };
	struct mbox_stat st;
	struct snap before;
	char buf[8];
	__u64 len;
	unsigned int i;
	int dead;

	dead = mbox_new(self->fd, 1, 8);
	ASSERT_LT(0, dead);
	ASSERT_EQ(0, mbox_del(self->fd, dead));
	ids[4] = dead;
	take(self->fd, self->id, &before);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		len = sizeof(buf);
		set.id = ids[i];
		EXPECT_EQ(-ENOENT, mbox_put(self->fd, ids[i], "x", 1, MBOX_NONBLOCK));
		EXPECT_EQ(-ENOENT, mbox_get(self->fd, ids[i], buf, &len, MBOX_NONBLOCK));
		EXPECT_EQ(-ENOENT, mbox_stat_id(self->fd, ids[i], &st));
		EXPECT_EQ(-ENOENT, mbox_open_id(self->fd, ids[i], 0));
		EXPECT_EQ(-ENOENT, mbox_del(self->fd, ids[i]));
		EXPECT_EQ(-ENOENT, cu_set(self->fd, &set)) TH_LOG("id %u", ids[i]);
	}
	ASSERT_UNCHANGED(self->fd, self->id, &before);
}

static int create_named(int fd, const void *name, __u64 flags)
{
	struct mbox_create c = { .capacity = 1, .max_msg_size = 1,
				 .flags = flags, .name = (__u64)(uintptr_t)name };

	return ioc_create(fd, &c);
}

static int lookup(int fd, const void *name)
{
	struct mbox_lookup l = { .name = (__u64)(uintptr_t)name };

	return mbox_ioctl(fd, MBOX_IOC_LOOKUP, &l);
}

TEST_F(hostile, names_empty_too_long_unterminated_with_a_slash_or_kernel_are_refused)
{
	char *holey = mbox_map_with_holes(2, 0x2);
	char *edge = holey + self->psz - 5;
	char longname[MBOX_NAME_MAX + 1];
	struct snap before;

	ASSERT_NE(NULL, holey);
	memset(longname, 'n', MBOX_NAME_MAX);
	longname[MBOX_NAME_MAX] = 0;
	memcpy(edge, "abcde", 5);	/* no NUL before the hole */
	take(self->fd, self->id, &before);

	EXPECT_EQ(-EINVAL, create_named(self->fd, "", 0));
	EXPECT_EQ(-EINVAL, lookup(self->fd, ""));
	EXPECT_EQ(-ENAMETOOLONG, create_named(self->fd, longname, 0));
	EXPECT_EQ(-ENAMETOOLONG, lookup(self->fd, longname));
	EXPECT_EQ(-EFAULT, create_named(self->fd, edge, 0));
	EXPECT_EQ(-EFAULT, lookup(self->fd, edge));
	EXPECT_EQ(-EINVAL, create_named(self->fd, "a/b", 0));
	EXPECT_EQ(-EINVAL, lookup(self->fd, "/"));
	EXPECT_EQ(-EFAULT, create_named(self->fd, (void *)(uintptr_t)KADDR, 0));
	EXPECT_EQ(-EFAULT, lookup(self->fd, (void *)(uintptr_t)KADDR));
	EXPECT_EQ(-EFAULT, lookup(self->fd, holey + self->psz));
	ASSERT_UNCHANGED(self->fd, self->id, &before);
	munmap(holey, 2 * self->psz);
}

/*
 * An output struct in a read-only page: EFAULT, and a receive gives its
 * message back (it stays at the head, nothing counted as received).
 */
TEST_F(hostile, read_only_output_structs_are_efault_and_a_receive_keeps_its_message)
{
	char *page = mmap(NULL, self->psz, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mbox_recv *r = (void *)page;
	struct mbox_stat *st = (void *)page;
	struct mbox_lookup *l = (void *)page;
	struct snap before;
	char buf[16];
	__u64 len = sizeof(buf);
	int id;

	ASSERT_NE(MAP_FAILED, page);
	id = create_named(self->fd, "hostile-ro", 0);
	ASSERT_LT(0, id);
	mbox_track(id);
	ASSERT_EQ(0, mbox_put(self->fd, self->id, "first", 5, MBOX_NONBLOCK));
	ASSERT_EQ(0, mbox_put(self->fd, self->id, "second", 6, MBOX_NONBLOCK));
	take(self->fd, self->id, &before);

	memset(page, 0, self->psz);
	r->id = self->id;
	r->flags = MBOX_NONBLOCK;
	r->buf = (__u64)(uintptr_t)buf;
	r->len = sizeof(buf);
	ASSERT_EQ(0, mprotect(page, self->psz, PROT_READ));
	EXPECT_EQ(-EFAULT, mbox_ioctl(self->fd, MBOX_IOC_RECV, page));
	EXPECT_EQ(-EFAULT, mbox_ioctl(self->fd, MBOX_IOC_INFO, page));
	ASSERT_UNCHANGED(self->fd, self->id, &before);

	ASSERT_EQ(0, mprotect(page, self->psz, PROT_READ | PROT_WRITE));
	memset(page, 0, self->psz);
	st->id = self->id;
	ASSERT_EQ(0, mprotect(page, self->psz, PROT_READ));
	EXPECT_EQ(-EFAULT, mbox_ioctl(self->fd, MBOX_IOC_STAT, page));
	ASSERT_EQ(0, mprotect(page, self->psz, PROT_READ | PROT_WRITE));
	memset(page, 0, self->psz);
	l->name = (__u64)(uintptr_t)"hostile-ro";
	ASSERT_EQ(0, mprotect(page, self->psz, PROT_READ));
	EXPECT_EQ(-EFAULT, mbox_ioctl(self->fd, MBOX_IOC_LOOKUP, page));
	ASSERT_UNCHANGED(self->fd, self->id, &before);

	/* The message whose struct could not be written is still first. */
	ASSERT_EQ(5, mbox_get(self->fd, self->id, buf, &len, MBOX_NONBLOCK));
	EXPECT_EQ(0, memcmp(buf, "first", 5));
	munmap(page, self->psz);
}

/* Output structs: filled with 0xA5, reserved and unknown bytes come back 0. */
#define POISON	0xA5

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

TEST_F(hostile, output_structs_carry_no_kernel_bytes)
{
	unsigned char raw[512] __attribute__((aligned(8)));
	struct mbox_info *info = (void *)raw;
	struct mbox_stat *st = (void *)raw;
	struct mbox_recv *r = (void *)raw;
	struct mbox_lookup *l = (void *)raw;
	char buf[16];
	size_t n;
	int id;

	/* INFO, at its size and larger. */
	memset(raw, POISON, sizeof(raw));
	ASSERT_EQ(0, mbox_ioctl(self->fd, MBOX_IOC_INFO, raw));
	EXPECT_EQ(0U, info->__reserved);
	memset(raw, POISON, sizeof(raw));
	ASSERT_EQ(0, mbox_ioctl(self->fd, MBOX_CMD(_IOC_READ, 0, 256), raw));
	EXPECT_TRUE(all_zero(raw + sizeof(*info), 256 - sizeof(*info)));
	EXPECT_EQ(POISON, raw[256]);

	/* STAT: every input byte but id and flags is ignored and rewritten. */
	id = create_named(self->fd, "hostile-x", 0);
	ASSERT_LT(0, id);
	mbox_track(id);
	memset(raw, POISON, sizeof(raw));
	st->id = id;
	st->flags = 0;
	ASSERT_EQ(0, mbox_ioctl(self->fd, MBOX_IOC_STAT, raw));
	EXPECT_EQ(0U, st->__reserved);
	EXPECT_EQ(0U, st->__reserved2);
	EXPECT_STREQ("hostile-x", st->name);
	n = strlen(st->name);
	EXPECT_TRUE(all_zero(st->name + n, sizeof(st->name) - n))
		TH_LOG("the name's tail");
	memset(raw, POISON, sizeof(raw));
	st->id = id;
	st->flags = 0;
	memset(raw + sizeof(*st), 0, 64);	/* input: the tail must be 0 */
	ASSERT_EQ(0, mbox_ioctl(self->fd, MBOX_CMD(_IOC_READ | _IOC_WRITE, 5,
						    sizeof(*st) + 64), raw));
	EXPECT_TRUE(all_zero(raw + sizeof(*st), 64));
	EXPECT_EQ(0U, st->__reserved2);

	/* RECV: reserved out is 0; padding none; the tail is zeroed. */
	ASSERT_EQ(0, mbox_put(self->fd, self->id, "hello", 5, MBOX_NONBLOCK));
	memset(raw, POISON, sizeof(raw));
	memset(r, 0, sizeof(*r));
	r->id = self->id;
	r->flags = MBOX_NONBLOCK;
	r->buf = (__u64)(uintptr_t)buf;
	r->len = sizeof(buf);
	memset(raw + sizeof(*r), 0, 64);
	r->type = 0xA5A5A5A5U;	/* ignored without a selection flag */
	ASSERT_EQ(5, mbox_ioctl(self->fd, MBOX_CMD(_IOC_READ | _IOC_WRITE, 4,
						    sizeof(*r) + 64), raw));
	EXPECT_EQ(0U, r->__reserved);
	EXPECT_EQ(0U, r->type);
	EXPECT_TRUE(all_zero(raw + sizeof(*r), 64));
	EXPECT_EQ(POISON, raw[sizeof(*r) + 64]);

	/* RECV failing with EMSGSIZE reports the size only. */
	ASSERT_EQ(0, mbox_put(self->fd, self->id, "hello world", 11, MBOX_NONBLOCK));
	memset(raw, POISON, sizeof(raw));
	memset(r, 0, sizeof(*r));
	r->id = self->id;
	r->flags = MBOX_NONBLOCK;
	r->buf = (__u64)(uintptr_t)buf;
	r->len = 4;
	ASSERT_EQ(-EMSGSIZE, mbox_ioctl(self->fd, MBOX_IOC_RECV, raw));
	EXPECT_EQ(11ULL, r->len);
	EXPECT_EQ(0, r->pid);
	EXPECT_EQ(0U, r->uid);
	EXPECT_EQ(0ULL, r->seq);
	EXPECT_EQ(0U, r->__reserved);

	/* LOOKUP: the id out, flags as they came. */
	memset(raw, POISON, sizeof(raw));
	l->name = (__u64)(uintptr_t)"hostile-x";
	l->flags = 0;
	memset(raw + sizeof(*l), 0, 64);
	ASSERT_EQ(id, mbox_ioctl(self->fd, MBOX_CMD(_IOC_READ | _IOC_WRITE, 7,
						     sizeof(*l) + 64), raw));
	EXPECT_EQ((__u32)id, l->id);
	EXPECT_EQ(0U, l->flags);
	EXPECT_TRUE(all_zero(raw + sizeof(*l), 64));
}

TEST_HARNESS_MAIN
