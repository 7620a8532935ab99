/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libmbox: the C library for mbox mailboxes (/dev/mbox).
 *
 * One small function per ioctl of <linux/mbox.h>, plus shortcuts for the
 * common cases.  See libmbox(3) and the section-3 pages it lists.
 *
 * Error convention
 * ================
 *
 * Every function returns a negative errno value on failure (-ENOENT,
 * -EAGAIN...) and 0 or a non-negative result on success, as liburing and
 * the kernel's own interfaces do.  errno is left as it was before the call.
 * Why: a result and its error travel together, so the library is
 * thread-safe and signal-safe without errno juggling, a caller writes
 * `if (ret == -EAGAIN)`, and the values are exactly those the ioctls'
 * documentation lists (include/uapi/linux/mbox.h, mbox(4)).
 *
 * Threads, fork, memory
 * =====================
 *
 * The library keeps no state: every call is one ioctl (or open()) on the
 * descriptor it is given, so it is thread-safe and async-signal-safe, and
 * a child of fork() uses it as its parent did.  It never allocates memory.
 *
 * Versioned structs
 * =================
 *
 * The calls that take a struct of <linux/mbox.h> (mbox_info(),
 * mbox_stat(), mbox_set(), mbox_send_args(), mbox_recv_args(),
 * mbox_sendrecv_args()) also take its size, sizeof() of the caller's
 * struct, and pass it to the kernel unchanged, so a program built against
 * an older or newer header gets the kernel's documented behaviour for its
 * struct: smaller than version 1 is -EINVAL, unknown non-zero input bytes
 * are -E2BIG, unknown output bytes are zeroed.
 */
#ifndef LIBMBOX_MBOX_H
#define LIBMBOX_MBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <linux/mbox.h>

#ifdef __cplusplus
extern "C" {
#endif

/* <time.h> declares it only with POSIX or C11: a strict C99 build. */
struct timespec;

/* Version of this library's API; libmbox.so.1 exports MBOX_1.0. */
#define LIBMBOX_VERSION_MAJOR	1
#define LIBMBOX_VERSION_MINOR	0

/* The device mbox_open() opens. */
#define LIBMBOX_DEVICE		"/dev/mbox"

/* Flags of mbox_open(). */
#define LIBMBOX_OPEN_NONBLOCK	(1U << 0)	/* open /dev/mbox O_NONBLOCK */
#define LIBMBOX_OPEN_RDONLY	(1U << 1)	/* O_RDONLY, not O_RDWR: enough
						 * for every ioctl, where the
						 * node is not writable
						 */

/* Device and features: mbox_open(3), mbox_info(3). */
int mbox_open(unsigned int flags);
int mbox_open_mailbox(int dev, uint32_t id, unsigned int flags);
int mbox_info(int dev, struct mbox_info *info, size_t size);
int mbox_features(int dev, uint64_t *features);
int mbox_has_features(int dev, uint64_t mask);

/* Mailboxes: mbox_create(3). */
int mbox_create(int dev, const char *name, uint32_t capacity,
		uint32_t max_msg_size, uint64_t flags, uint32_t mode);
int mbox_destroy(int dev, uint32_t id);
int mbox_lookup(int dev, const char *name);
int mbox_set(int dev, const struct mbox_set *set, size_t size);

/* Messages: mbox_send(3). */
int mbox_send(int dev, uint32_t id, const void *buf, size_t len,
	      unsigned int flags);
int mbox_send_timeout(int dev, uint32_t id, const void *buf, size_t len,
		      unsigned int flags, uint64_t timeout_ns);
int mbox_send_timespec(int dev, uint32_t id, const void *buf, size_t len,
		       unsigned int flags, const struct timespec *timeout);
int mbox_send_args(int dev, struct mbox_send *args, size_t size);
ssize_t mbox_recv(int dev, uint32_t id, void *buf, size_t len,
		  unsigned int flags);
ssize_t mbox_recv_timeout(int dev, uint32_t id, void *buf, size_t len,
			  unsigned int flags, uint64_t timeout_ns);
ssize_t mbox_recv_timespec(int dev, uint32_t id, void *buf, size_t len,
			   unsigned int flags, const struct timespec *timeout);
ssize_t mbox_recv_args(int dev, struct mbox_recv *args, size_t size);

/* Send, then receive, in one call: mbox_sendrecv(3). */
ssize_t mbox_sendrecv(int dev, uint32_t send_id, const void *send_buf,
		      size_t send_len, uint32_t type, uint32_t recv_id,
		      void *recv_buf, size_t recv_len, uint64_t timeout_ns,
		      unsigned int *sent, unsigned int *failed);
ssize_t mbox_sendrecv_args(int dev, struct mbox_sendrecv *args, size_t size);

/* Batches: mbox_batch(3). */
int mbox_send_batch(int dev, uint32_t id, struct mbox_batch_msg *msgs,
		    unsigned int count, unsigned int flags,
		    uint64_t timeout_ns, int *error);
int mbox_recv_batch(int dev, uint32_t id, struct mbox_batch_msg *msgs,
		    unsigned int count, unsigned int flags, uint32_t type,
		    uint64_t timeout_ns, int *error);

/* Reading figures: mbox_stat(3). */
int mbox_stat(int dev, uint32_t id, struct mbox_stat *st, size_t size);
int mbox_stat_next(int dev, uint32_t id, struct mbox_stat *st, size_t size);

/* Time: mbox_send(3). */
int mbox_timespec_to_ns(const struct timespec *ts, uint64_t *ns);
uint64_t mbox_now_ns(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBMBOX_MBOX_H */
