/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of mbox, in the "mbox" event system: mbox_create,
 * mbox_destroy, mbox_send, mbox_recv, mbox_block and mbox_wake.  See
 * Documentation/mbox.rst, "Tracepoints", for their fields.
 *
 * Pids are global (the initial pid namespace's), as the tracing
 * infrastructure's own are.  Times are CLOCK_MONOTONIC nanoseconds.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mbox

#if !defined(MBOX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define MBOX_TRACE_H

#include <linux/ktime.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/tracepoint.h>

#include "compat.h"
#include "mailbox.h"
#include "msg.h"

TRACE_EVENT(mbox_create,
	    TP_PROTO(u32 id, const struct mbox_params *p, const char *name),
	    TP_ARGS(id, p, name),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, capacity)
			     __field(u32, max_msg_size)
			     __field(u32, mode)
			     __field(u64, flags)
			     __field(pid_t, pid)
			     __string(name, name ? name : "")),
	    TP_fast_assign(__entry->id = id;
			   __entry->capacity = p->capacity;
			   __entry->max_msg_size = p->max_msg_size;
			   __entry->mode = p->mode;
			   __entry->flags = p->flags;
			   __entry->pid = current->tgid;
			   mbox_assign_str(name, name ? name : "");),
	    TP_printk("id=%u capacity=%u max_msg_size=%u mode=%04o flags=0x%llx pid=%d name=%s",
		      __entry->id, __entry->capacity, __entry->max_msg_size,
		      __entry->mode, __entry->flags, __entry->pid,
		      __get_str(name))
);

/* Under the mailbox's lock, as destroy marks it dead. */
TRACE_EVENT(mbox_destroy,
	    TP_PROTO(const struct mbox *mbox),
	    TP_ARGS(mbox),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, msgs)
			     __field(u64, bytes)
			     __field(u32, senders)
			     __field(u32, receivers)),
	    TP_fast_assign(__entry->id = mbox->id;
			   __entry->msgs = mbox->nr_msgs;
			   __entry->bytes = mbox->nr_bytes;
			   __entry->senders = mbox->nr_senders;
			   __entry->receivers = mbox->nr_receivers;),
	    TP_printk("id=%u msgs=%u bytes=%llu senders=%u receivers=%u",
		      __entry->id, __entry->msgs, __entry->bytes,
		      __entry->senders, __entry->receivers)
);

/*
 * A message enters the mailbox's custody (queued or handed to a receiver),
 * under its lock; it now has its sequence number.  @wait_ns is how long its
 * sender waited for that (0 if it did not).
 */
TRACE_EVENT(mbox_send,
	    TP_PROTO(const struct mbox *mbox, const struct mbox_msg *msg, u64 now),
	    TP_ARGS(mbox, msg, now),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, type)
			     __field(u64, len)
			     __field(u64, seq)
			     __field(pid_t, pid)
			     __field(u64, wait_ns)),
	    TP_fast_assign(__entry->id = mbox->id;
			   __entry->type = msg->type;
			   __entry->len = msg->len;
			   __entry->seq = msg->seq;
			   __entry->pid = pid_nr(msg->pid);
			   __entry->wait_ns = now > msg->send_ns ? now - msg->send_ns : 0;),
	    TP_printk("id=%u seq=%llu type=%u len=%llu pid=%d wait_ns=%llu",
		      __entry->id, __entry->seq, __entry->type, __entry->len,
		      __entry->pid, __entry->wait_ns)
);

/*
 * A message sent straight from its sender's buffer into the mailbox's
 * receive ring got its record and its sequence number, under the lock;
 * the copy follows (if it faults, the record is discarded).  Messages the
 * ordinary path writes into the ring fire mbox_send instead.
 */
TRACE_EVENT(mbox_ring_send,
	    TP_PROTO(u32 id, u64 seq, u32 type, size_t len),
	    TP_ARGS(id, seq, type, len),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, type)
			     __field(u64, len)
			     __field(u64, seq)
			     __field(pid_t, pid)),
	    TP_fast_assign(__entry->id = id;
			   __entry->type = type;
			   __entry->len = len;
			   __entry->seq = seq;
			   __entry->pid = current->tgid;),
	    TP_printk("id=%u seq=%llu type=%u len=%llu pid=%d",
		      __entry->id, __entry->seq, __entry->type, __entry->len,
		      __entry->pid)
);

/*
 * A message leaves the mailbox for a receiver, under its lock.
 * @latency_ns is the time from the send call to now: how long the message
 * waited, queued or in its blocked sender's hands.
 */
TRACE_EVENT(mbox_recv,
	    TP_PROTO(const struct mbox *mbox, const struct mbox_msg *msg,
		     struct task_struct *task, u64 now),
	    TP_ARGS(mbox, msg, task, now),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, type)
			     __field(u64, len)
			     __field(u64, seq)
			     __field(pid_t, sender)
			     __field(pid_t, pid)
			     __field(u64, latency_ns)),
	    TP_fast_assign(__entry->id = mbox->id;
			   __entry->type = msg->type;
			   __entry->len = msg->len;
			   __entry->seq = msg->seq;
			   __entry->sender = pid_nr(msg->pid);
			   __entry->pid = task->tgid;
			   __entry->latency_ns = now > msg->send_ns ? now - msg->send_ns : 0;),
	    TP_printk("id=%u seq=%llu type=%u len=%llu sender=%d pid=%d latency_ns=%llu",
		      __entry->id, __entry->seq, __entry->type, __entry->len,
		      __entry->sender, __entry->pid, __entry->latency_ns)
);

/* The current task starts to wait, as a sender or a receiver. */
TRACE_EVENT(mbox_block,
	    TP_PROTO(const struct mbox *mbox, bool recv),
	    TP_ARGS(mbox, recv),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(pid_t, pid)
			     __field(bool, recv)
			     __field(u32, senders)
			     __field(u32, receivers)),
	    TP_fast_assign(__entry->id = mbox->id;
			   __entry->pid = current->tgid;
			   __entry->recv = recv;
			   __entry->senders = mbox->nr_senders;
			   __entry->receivers = mbox->nr_receivers;),
	    TP_printk("id=%u pid=%d op=%s senders=%u receivers=%u",
		      __entry->id, __entry->pid, __entry->recv ? "recv" : "send",
		      __entry->senders, __entry->receivers)
);

/*
 * The current task's wait ended: completed (@ret 0), or failed with -@ret
 * (ETIMEDOUT, EIDRM, EMSGSIZE, a signal's ERESTARTNOHAND); @wait_ns since
 * its mbox_block, or 0 if this event was enabled only after the wait began
 * (the start is timed only while it is on).
 */
TRACE_EVENT(mbox_wake,
	    TP_PROTO(u32 id, bool recv, int ret, u64 since),
	    TP_ARGS(id, recv, ret, since),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(pid_t, pid)
			     __field(bool, recv)
			     __field(int, ret)
			     __field(u64, wait_ns)),
	    TP_fast_assign(__entry->id = id;
			   __entry->pid = current->tgid;
			   __entry->recv = recv;
			   __entry->ret = ret;
			   __entry->wait_ns = since ? ktime_get_ns() - since : 0;),
	    TP_printk("id=%u pid=%d op=%s ret=%d wait_ns=%llu",
		      __entry->id, __entry->pid, __entry->recv ? "recv" : "send",
		      __entry->ret, __entry->wait_ns)
);

#endif /* MBOX_TRACE_H */

/* An out-of-tree module: define_trace.h finds this file in its directory. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
