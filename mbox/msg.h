/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MBOX_MSG_H
#define MBOX_MSG_H

#include <linux/list.h>
#include <linux/types.h>

struct mbox_msgseg;

/**
 * struct mbox_msg - one message, shaped like ipc/msgutil.c's msg_msg
 * @link:	entry in &struct mbox.msgs; protected by &struct mbox.lock.
 * @next:	the data past the first page, in page-sized segments.
 * @len:	length of the data in bytes.
 * @data:	the first bytes of the data, up to the end of this page.
 *
 * The header and the first data share one allocation of at most a page and
 * every further segment is one page, so no message needs a high-order
 * allocation.  A message is immutable once loaded.
 */
struct mbox_msg {
	struct list_head link;
	struct mbox_msgseg *next;
	size_t len;
	u8 data[];
};

struct mbox_msg *mbox_msg_load(const void __user *src, size_t len);
int mbox_msg_store(const struct mbox_msg *msg, void __user *dst);
void mbox_msg_free(struct mbox_msg *msg);

#endif /* MBOX_MSG_H */
