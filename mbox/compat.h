/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels mbox builds against: Linux 6.1 to 7.3.
 *
 * One entry per upstream change, named by its commit's subject and the
 * release it landed in, and guarded by LINUX_VERSION_CODE (or, where the
 * new interface is a macro, by that macro's presence).  The other files
 * use the newest interface and never test a version; an entry goes once
 * the oldest kernel supported has its change.  This is the one file where
 * checkpatch's LINUX_VERSION_CODE and CONSTANT_COMPARISON warnings are
 * expected (for "LINUX_VERSION_CODE < KERNEL_VERSION(...)"), and
 * scripts/static-checks.sh ignores those two rules here only.
 */
#ifndef MBOX_COMPAT_H
#define MBOX_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/ns_common.h>
#include <linux/refcount.h>
#include <linux/version.h>

/* The range this file covers, and make check tests (README.md). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "mbox supports Linux 6.1 and later"
#endif

/*
 * "tracing/treewide: Remove second parameter of __assign_str()", Linux
 * 6.10: the string is copied from the source given to __string().  For
 * TP_fast_assign() only.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define mbox_assign_str(dst, src)	__assign_str(dst)
#else
#define mbox_assign_str(dst, src)	__assign_str(dst, src)
#endif

/*
 * "hrtimers: Introduce hrtimer_setup() to replace hrtimer_init()", Linux
 * 6.13; hrtimer_init() is gone by 7.3.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/*
 * "ns: add reference count helpers" and "ns: rename to __ns_ref", Linux
 * 6.18: ns_common.count became __ns_ref, private, read with ns_ref_read().
 * The reaper reads an IPC namespace's count (ns.c) and no function exported
 * on any of these kernels does.  ns_ref_read() is a macro: it is the test.
 */
#ifdef ns_ref_read
static inline unsigned int mbox_ipc_ns_refs(const struct ipc_namespace *ipc_ns)
{
	return ns_ref_read(ipc_ns);
}
#else
static inline unsigned int mbox_ipc_ns_refs(const struct ipc_namespace *ipc_ns)
{
	return refcount_read(&ipc_ns->ns.count);
}
#endif

/*
 * "mm: introduce vma->vm_flags wrapper functions", Linux 6.3: vm_flags
 * became read-only outside them.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_clear(struct vm_area_struct *vma,
				  unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#endif /* MBOX_COMPAT_H */
