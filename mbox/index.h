/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MBOX_INDEX_H
#define MBOX_INDEX_H

#include <linux/rbtree.h>
#include <linux/types.h>

/*
 * An index of queued messages or of waiters, so that a selective receive
 * or a hand-off finds what it wants in O(log n) steps, with no allocation:
 * mbox->lock is IRQ-safe, and a scan under it would keep interrupts off
 * for as long as the queue is long (index.c).
 */

struct mbox_ix;

/* What a subtree knows about itself; see index.c. */
struct mbox_ix_aug {
	struct mbox_ix *first;
	struct mbox_ix *other;
};

/**
 * struct mbox_ix - an entry, embedded in a message or a waiter
 * @rb:		in the tree.
 * @aug:	@first: the entry of least @order in the subtree rooted
 *		here; @other: the entry of least @order in it among those of
 *		a @type other than @first's, or NULL.
 * @order:	the entry's rank: a message's seq, a waiter's ticket; unique
 *		in a tree.
 * @type:	a message's type, or the type a receiver selects by.
 * @size:	a second key, for receivers (queue.c); 0 for others.
 *
 * Set @order, @type and @size before mbox_ix_insert(); they must not
 * change while the entry is in a tree.
 */
struct mbox_ix {
	struct rb_node rb;
	struct mbox_ix_aug aug;
	u64 order;
	u32 type;
	u32 size;
};

/**
 * struct mbox_ixtree - a tree of entries
 * @root:	the red-black tree.
 * @typed:	keyed by (@type, @size, @order) if true, by (@size, @order)
 *		if false.
 */
struct mbox_ixtree {
	struct rb_root root;
	bool typed;
};

/**
 * struct mbox_ix_range - which entries a lookup considers
 * @type_lo, @type_hi:	@type in this range (inclusive); typed trees only,
 *			ignored by the others.
 * @size_lo, @size_hi:	@size in this range (inclusive); in a typed tree,
 *			only within one type (@type_lo == @type_hi).
 * @except:		skip entries whose @type is @not_type.
 * @not_type:		see @except.
 */
struct mbox_ix_range {
	u32 type_lo, type_hi;
	u32 size_lo, size_hi;
	bool except;
	u32 not_type;
};

static inline void mbox_ixtree_init(struct mbox_ixtree *t, bool typed)
{
	t->root = RB_ROOT;
	t->typed = typed;
}

static inline bool mbox_ixtree_empty(const struct mbox_ixtree *t)
{
	return RB_EMPTY_ROOT(&t->root);
}

void mbox_ix_insert(struct mbox_ixtree *t, struct mbox_ix *e);
void mbox_ix_erase(struct mbox_ixtree *t, struct mbox_ix *e);
struct mbox_ix *mbox_ix_first(const struct mbox_ixtree *t);
struct mbox_ix *mbox_ix_first_except(const struct mbox_ixtree *t, u32 type);
struct mbox_ix *mbox_ix_find(const struct mbox_ixtree *t,
			     const struct mbox_ix_range *r);
struct mbox_ix *mbox_ix_earlier(struct mbox_ix *a, struct mbox_ix *b);

#endif /* MBOX_INDEX_H */
