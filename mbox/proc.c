// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/mbox: every mailbox the reader may see, one line each, as
 * /proc/sysvipc/msg shows SysV message queues.
 *
 * It is a file under /proc rather than debugfs because it is meant for
 * operators: /proc is mounted on every system, in containers and in a
 * rescue shell, where debugfs is usually not (and is root-only when it
 * is).  It is read-only, and shows what MBOX_IOC_STAT shows, through the
 * same snapshot (mbox_fill_stat()): pids are in the reader's pid
 * namespace, uids and gids in its user namespace, and the walk is that of
 * MBOX_STAT_NEXT: mbox_get_next() skips other IPC namespaces' mailboxes,
 * and those the reader may not read are skipped here.  So it lists what
 * the reader could stat.
 *
 * The seq_file position is the id to continue from, so a read that stops
 * and resumes (a small buffer, a concurrent create or destroy) neither
 * repeats nor skips a mailbox that exists throughout.
 */
#include <linux/fs.h>
#include <linux/limits.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "mailbox.h"

static struct proc_dir_entry *mbox_proc_entry;

/*
 * The readable mailbox with the smallest id >= *@pos, referenced; *@pos is
 * its id.
 */
static struct mbox *mbox_seq_find(loff_t *pos)
{
	struct mbox *mbox;
	u32 id;

	if (*pos > INT_MAX)
		return NULL;
	id = *pos;
	for (;;) {
		mbox = mbox_get_next(&id);
		if (!mbox || !mbox_perm_noaudit(mbox, MAY_READ))
			break;
		mbox_put(mbox);
		if (id >= INT_MAX) {
			mbox = NULL;
			break;
		}
		id++;
	}
	/* None left: a position past every id, which still moves forward. */
	*pos = mbox ? id : (loff_t)INT_MAX + 1;
	return mbox;
}

static void *mbox_seq_start(struct seq_file *m, loff_t *pos)
{
	if (!*pos)
		return SEQ_START_TOKEN;
	return mbox_seq_find(pos);
}

static void *mbox_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	if (v == SEQ_START_TOKEN) {
		*pos = 1;
	} else {
		*pos = ((struct mbox *)v)->id + 1;
		mbox_put(v);
	}
	return mbox_seq_find(pos);
}

static void mbox_seq_stop(struct seq_file *m, void *v)
{
	if (v && v != SEQ_START_TOKEN)
		mbox_put(v);
}

static int mbox_seq_show(struct seq_file *m, void *v)
{
	struct mbox_stat st = {};

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "        id   capacity   max_size       msgs      bytes  bsend  brecv  sent_msgs       sent_bytes  recv_msgs       recv_bytes  lspid  lrpid        uid        gid mode flags name\n");
		return 0;
	}
	mbox_fill_stat(v, &st);
	seq_printf(m, "%10u %10u %10u %10u %10llu %6u %6u %10llu %16llu %10llu %16llu %6d %6d %10u %10u %04o %5llx %s\n",
		   st.id, st.capacity, st.max_msg_size, st.msgs, st.bytes,
		   st.blocked_senders, st.blocked_receivers, st.sent_msgs,
		   st.sent_bytes, st.recv_msgs, st.recv_bytes,
		   st.last_send_pid, st.last_recv_pid, st.uid, st.gid,
		   st.mode & 0777, st.create_flags, st.name);
	return 0;
}

static const struct seq_operations mbox_seq_ops = {
	.start	= mbox_seq_start,
	.next	= mbox_seq_next,
	.stop	= mbox_seq_stop,
	.show	= mbox_seq_show,
};

/**
 * mbox_proc_init() - create /proc/mbox
 *
 * Return: 0, or -ENOMEM.
 */
int mbox_proc_init(void)
{
	mbox_proc_entry = proc_create_seq("mbox", 0444, NULL, &mbox_seq_ops);
	return mbox_proc_entry ? 0 : -ENOMEM;
}

/**
 * mbox_proc_exit() - remove /proc/mbox, after its last reader has left it
 */
void mbox_proc_exit(void)
{
	proc_remove(mbox_proc_entry);
}
