// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/mbox: every mailbox the opener may see, one line each, as
 * /proc/sysvipc/msg shows SysV message queues.
 *
 * It is a file under /proc rather than debugfs because it is meant for
 * operators: /proc is mounted on every system, in containers and in a
 * rescue shell, where debugfs is usually not (and is root-only when it
 * is).  It is read-only, and shows what MBOX_IOC_STAT shows, through the
 * same snapshot (mbox_fill_stat()), and the walk is that of
 * MBOX_STAT_NEXT: mbox_get_next() skips other IPC namespaces' mailboxes,
 * and those the opener may not read are skipped here.  So it lists what
 * the opener could stat.
 *
 * Everything is judged for whoever opened the file, never for whoever
 * reads it, as /proc/sysvipc does (ipc/util.c sysvipc_proc_open()), so
 * that a descriptor passed to another process, or kept across setuid() or
 * setns(), shows what it showed: the open takes the opener's IPC
 * namespace (pinned, mbox_ns_pin()) and pid namespace (referenced), and
 * each read runs with the file's credentials, the opener's (f_cred), put
 * in place with override_creds() from ->start to ->stop, for the
 * permission checks and the uid translation.
 *
 * The seq_file position is the id to continue from, so a read that stops
 * and resumes (a small buffer, a concurrent create or destroy) neither
 * repeats nor skips a mailbox that exists throughout.
 */
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/limits.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include "mailbox.h"

/**
 * struct mbox_proc_view - whom an open /proc/mbox is for: its opener
 * @pin:	an nsfs file that holds @ipc_ns.
 * @ipc_ns:	the opener's IPC namespace: whose mailboxes and names show.
 * @pid_ns:	the opener's pid namespace, referenced: pids are shown in it.
 * @saved_cred:	the reader's credentials, while the opener's are in place
 *		(from ->start to ->stop; reads are serialised by the
 *		seq_file's lock).
 */
struct mbox_proc_view {
	struct file *pin;
	struct ipc_namespace *ipc_ns;
	struct pid_namespace *pid_ns;
	const struct cred *saved_cred;
};

static struct proc_dir_entry *mbox_proc_entry;

/*
 * The readable mailbox of @view with the smallest id >= *@pos, referenced;
 * *@pos is its id.  Skipping is a probe, so not audited.
 */
static struct mbox *mbox_seq_find(const struct mbox_proc_view *view,
				  loff_t *pos)
{
	struct mbox *mbox;
	u32 id;

	if (*pos > INT_MAX)
		return NULL;
	id = *pos;
	for (;;) {
		mbox = mbox_get_next(&id, view->ipc_ns);
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
	struct mbox_proc_view *view = m->private;

	/* Undone by ->stop, which seq_file calls after every ->start. */
	view->saved_cred = override_creds(m->file->f_cred);
	if (!*pos)
		return SEQ_START_TOKEN;
	return mbox_seq_find(view, pos);
}

static void *mbox_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	if (v == SEQ_START_TOKEN) {
		*pos = 1;
	} else {
		*pos = ((struct mbox *)v)->id + 1;
		mbox_put(v);
	}
	return mbox_seq_find(m->private, pos);
}

static void mbox_seq_stop(struct seq_file *m, void *v)
{
	struct mbox_proc_view *view = m->private;

	if (v && v != SEQ_START_TOKEN)
		mbox_put(v);
	revert_creds(view->saved_cred);
}

static int mbox_seq_show(struct seq_file *m, void *v)
{
	struct mbox_proc_view *view = m->private;
	struct mbox_stat st = {};

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "        id   capacity   max_size       msgs      bytes  bsend  brecv  sent_msgs       sent_bytes  recv_msgs       recv_bytes  lspid  lrpid        uid        gid mode flags name\n");
		return 0;
	}
	mbox_fill_stat(v, &st, view->ipc_ns, view->pid_ns);
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

/* Take the opener's namespaces; its credentials are the file's. */
static int mbox_proc_open(struct inode *inode, struct file *file)
{
	struct ipc_namespace *ipc_ns = mbox_current_ipc_ns();
	struct mbox_proc_view *view;
	int ret;

	if (!ipc_ns)
		return -ESRCH;
	view = __seq_open_private(file, &mbox_seq_ops, sizeof(*view));
	if (!view)
		return -ENOMEM;
	view->pin = mbox_ns_pin(ipc_ns);
	if (IS_ERR(view->pin)) {
		ret = PTR_ERR(view->pin);
		goto err_release_seq;
	}
	view->ipc_ns = ipc_ns;
	view->pid_ns = get_pid_ns(task_active_pid_ns(current));
	return 0;

err_release_seq:
	seq_release_private(inode, file);
	return ret;
}

static int mbox_proc_release(struct inode *inode, struct file *file)
{
	struct mbox_proc_view *view =
		((struct seq_file *)file->private_data)->private;

	put_pid_ns(view->pid_ns);
	fput(view->pin);
	return seq_release_private(inode, file);
}

static const struct proc_ops mbox_proc_ops = {
	.proc_open	= mbox_proc_open,
	.proc_read_iter	= seq_read_iter,
	.proc_lseek	= seq_lseek,
	.proc_release	= mbox_proc_release,
};

/**
 * mbox_proc_init() - create /proc/mbox
 *
 * Return: 0, or -ENOMEM.
 */
int mbox_proc_init(void)
{
	mbox_proc_entry = proc_create("mbox", 0444, NULL, &mbox_proc_ops);
	return mbox_proc_entry ? 0 : -ENOMEM;
}

/**
 * mbox_proc_exit() - remove /proc/mbox, after its last reader has left it
 */
void mbox_proc_exit(void)
{
	proc_remove(mbox_proc_entry);
}
