/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Credentials for the permission, namespace and limit tests: run a function
 * in a child as another user, with or without one capability, and read or
 * set a module parameter.
 */
#ifndef MBOX_SELFTEST_CRED_UTIL_H
#define MBOX_SELFTEST_CRED_UTIL_H

#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#include "mbox_util.h"

/* The users the tests switch to (the VM runs the tests as root). */
#define CU_OWNER	1001	/* in group CU_GROUP */
#define CU_MEMBER	1002	/* CU_GROUP only as a supplementary group */
#define CU_OTHER	1003
#define CU_GROUP	2001
#define CU_MEMBER_GID	3002
#define CU_OTHER_GID	3003

/* Child exit code for a failed setup (setres*id, capset ...). */
#define CU_CHILD_SETUP	MBOX_CHILD_SETUP

/*
 * Become @uid/@gid with supplementary groups @groups, keeping no
 * capability.  Returns 0 or -errno.
 */
static inline int cu_become(uid_t uid, gid_t gid, const gid_t *groups,
			    size_t ngroups)
{
	if (setgroups(ngroups, groups) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

/* Become one of the three classes' users. */
static inline int cu_become_class(int class)
{
	static const gid_t member_groups[] = { CU_GROUP };

	switch (class) {
	case 0:
		return cu_become(CU_OWNER, CU_GROUP, NULL, 0);
	case 1:
		return cu_become(CU_MEMBER, CU_MEMBER_GID, member_groups, 1);
	default:
		return cu_become(CU_OTHER, CU_OTHER_GID, NULL, 0);
	}
}

/* Remove capability @cap from the effective set (the task stays root). */
static inline int cu_drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[cap / 32].effective &= ~(1U << (cap % 32));
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

/*
 * Run @fn(@fd, @arg) in a child, whose 0 or -errno comes back as its exit
 * code.  Returns what @fn returned; a code >= 200 when the child failed
 * its setup (exit code) or was killed (1000 + signal); 10000 when it did
 * not end in time.
 */
typedef int (*cu_fn)(int fd, void *arg);

#define CU_TIMEOUT	10000

static inline int cu_run(int fd, cu_fn fn, void *arg)
{
	int code;
	pid_t pid;

	pid = mbox_fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int ret = fn(fd, arg);

		_exit(ret < 0 ? -ret : 0);
	}
	code = mbox_child_result(pid, 20000);
	if (code < 0)
		return CU_TIMEOUT;
	if (code > 0 && code < 200)
		return -code;
	return code;
}

/* Module parameters: read, and write (0 or -errno). */
static inline long long cu_param_read(const char *name)
{
	char path[128], buf[64];
	ssize_t n;
	int pfd;

	snprintf(path, sizeof(path), "/sys/module/mbox/parameters/%s", name);
	pfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	n = read(pfd, buf, sizeof(buf) - 1);
	close(pfd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	return strtoll(buf, NULL, 0);
}

static inline int cu_param_write(const char *name, const char *val)
{
	char path[128];
	ssize_t n;
	int pfd;

	snprintf(path, sizeof(path), "/sys/module/mbox/parameters/%s", name);
	pfd = open(path, O_WRONLY | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	n = write(pfd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(pfd);
	return n;
}

static inline int cu_param_set(const char *name, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return cu_param_write(name, buf);
}

/* MBOX_IOC_SET */
static inline int cu_set(int fd, struct mbox_set *arg)
{
	return mbox_ioctl(fd, MBOX_IOC_SET, arg);
}

/* A mailbox with an explicit mode; the id or -errno. */
static inline int cu_new_mode(int fd, __u32 capacity, __u32 max_msg_size,
			      __u32 mode)
{
	struct mbox_create arg = {
		.capacity = capacity,
		.max_msg_size = max_msg_size,
		.flags = MBOX_CREATE_MODE,
		.mode = mode,
	};

	return ioc_create(fd, &arg);
}

#endif /* MBOX_SELFTEST_CRED_UTIL_H */
