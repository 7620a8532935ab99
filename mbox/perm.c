// SPDX-License-Identifier: GPL-2.0
/*
 * Ownership and permissions, checked on every operation as SysV IPC does
 * (ipc/util.c ipcperms()):
 *
 * - the owner class applies to the owner's and to the creator's effective
 *   uid, the group class to a caller in the owner's or the creator's group
 *   (effective or supplementary), the other class to everyone else;
 * - send needs write permission, receive, peek and stat read permission;
 * - CAP_IPC_OWNER in the user namespace that owns the mailbox's IPC
 *   namespace bypasses the mode; it is checked without audit when the
 *   check is a probe (mbox_perm_noaudit()) rather than a decision;
 * - destroy and MBOX_IOC_SET need to be owner or creator, or CAP_SYS_ADMIN
 *   in that user namespace.
 *
 * The fields are read without the mailbox's lock (MBOX_IOC_SET writes them
 * under it): a check that races with a change sees the old or the new
 * value of each, as in SysV.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/uidgid.h>

#include "mailbox.h"

/*
 * The check of mbox_perm() and mbox_perm_noaudit(); @audit says whether a
 * denial of CAP_IPC_OWNER is audited (by an LSM such as SELinux).
 */
static int mbox_perm_check(const struct mbox *mbox, int may, bool audit)
{
	kuid_t euid = current_euid();
	umode_t mode = READ_ONCE(mbox->mode);
	int granted;

	if (uid_eq(euid, READ_ONCE(mbox->uid)) || uid_eq(euid, mbox->cuid))
		granted = mode >> 6;
	else if (in_group_p(READ_ONCE(mbox->gid)) || in_group_p(mbox->cgid))
		granted = mode >> 3;
	else
		granted = mode;

	may &= MAY_READ | MAY_WRITE;
	if ((may & granted) == may)
		return 0;
	if (audit ? ns_capable(mbox_ns_user(mbox->ns), CAP_IPC_OWNER) :
		    ns_capable_noaudit(mbox_ns_user(mbox->ns), CAP_IPC_OWNER))
		return 0;
	return -EACCES;
}

/**
 * mbox_perm() - may the current task use a mailbox so?
 * @mbox:	the mailbox, referenced.
 * @may:	MAY_READ, MAY_WRITE or both.
 *
 * For a check whose denial fails the call: a denial of CAP_IPC_OWNER is
 * audited.
 *
 * Return: 0, or -EACCES.
 */
int mbox_perm(const struct mbox *mbox, int may)
{
	return mbox_perm_check(mbox, may, true);
}

/**
 * mbox_get_checked() - look up a mailbox the current task may use so
 * @id:		its id, in the current task's IPC namespace.
 * @may:	MAY_READ, MAY_WRITE or both.
 *
 * Return: the mailbox, referenced (put it with mbox_put()), or
 * ERR_PTR(-ENOENT) or the error of mbox_perm().
 */
struct mbox *mbox_get_checked(u32 id, int may)
{
	struct mbox *mbox = mbox_get(id);
	int ret;

	if (!mbox)
		return ERR_PTR(-ENOENT);
	ret = mbox_perm(mbox, may);
	if (ret) {
		mbox_put(mbox);
		return ERR_PTR(ret);
	}
	return mbox;
}

/**
 * mbox_perm_noaudit() - mbox_perm(), for a probe
 * @mbox:	the mailbox, referenced.
 * @may:	MAY_READ, MAY_WRITE or both.
 *
 * For a check whose denial does not fail the call, but only decides what
 * it does: which rights a file gets, which mailboxes a listing skips.  A
 * denial of CAP_IPC_OWNER is not audited, as ns_capable_noaudit() is
 * meant for: an ordinary user would otherwise leave a denial in the audit
 * log at every such call.
 *
 * Return: 0, or -EACCES.
 */
int mbox_perm_noaudit(const struct mbox *mbox, int may)
{
	return mbox_perm_check(mbox, may, false);
}

/**
 * mbox_may_own() - may the current task destroy or change a mailbox?
 * @mbox:	the mailbox, referenced.
 *
 * Return: 0, or -EPERM.
 */
int mbox_may_own(const struct mbox *mbox)
{
	kuid_t euid = current_euid();

	if (uid_eq(euid, READ_ONCE(mbox->uid)) || uid_eq(euid, mbox->cuid))
		return 0;
	if (ns_capable(mbox_ns_user(mbox->ns), CAP_SYS_ADMIN))
		return 0;
	return -EPERM;
}
