/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MBOX_MSG_H
#define MBOX_MSG_H

#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/uidgid.h>
#include <linux/types.h>

#include "index.h"

struct mbox;
struct mbox_msgseg;
struct pid;

/**
 * struct mbox_msg - one message, shaped like ipc/msgutil.c's msg_msg
 * @ix:		entry in &struct mbox.msgs while queued; protected by
 *		&struct mbox.lock.
 * @next:	the data past the first page, in page-sized segments.
 * @len:	length of the data in bytes.
 * @ref:	the owner's reference (the mailbox's queue, a waiting sender
 *		or the receiver that took it) plus one per peeker copying it.
 * @type:	the type given by the sender.
 * @seq:	sequence number in the mailbox, set under &struct mbox.lock
 *		when the mailbox accepts the message; 0 before.
 * @send_ns:	CLOCK_MONOTONIC time of the send call.
 * @pid:	the sender's thread group, referenced; NULL if the kernel sent it.
 * @uid:	the sender's effective uid; GLOBAL_ROOT_UID if the kernel sent it.
 * @mbox:	the mailbox it was sent to, whose creator's and namespace's
 *		records its bytes are charged to (limits.c), referenced so
 *		that they are uncharged where they were charged; NULL until
 *		they are, and for good if the kernel sent it.
 * @data:	the first bytes of the data, up to the end of this page.
 *
 * The header and the first data share one allocation of at most a page and
 * every further segment is one page, so no message needs a high-order
 * allocation.  Only @ix and @seq change once a message is loaded.
 */
struct mbox_msg {
	struct mbox_ix ix;
	struct mbox_msgseg *next;
	size_t len;
	refcount_t ref;
	u32 type;
	u64 seq;
	u64 send_ns;
	struct pid *pid;
	kuid_t uid;
	struct mbox *mbox;
	u8 data[];
};

struct mbox_msg *mbox_msg_load(struct mbox *mbox, const void __user *src,
			       size_t len, u32 type);
struct mbox_msg *mbox_msg_load_at(struct mbox *mbox, const void __user *src,
				  size_t len, u32 type, u64 now);
int mbox_msg_store(const struct mbox_msg *msg, void __user *dst, size_t len);
struct mbox_msg *mbox_msg_kload(const void *src, size_t len, u32 type,
				gfp_t gfp);
void mbox_msg_kstore(const struct mbox_msg *msg, void *dst, size_t len);
void mbox_msg_put(struct mbox_msg *msg);

#endif /* MBOX_MSG_H */
