// SPDX-License-Identifier: GPL-2.0
/*
 * Indexes of queued messages and of waiters (index.h).
 *
 * A red-black tree keyed by (type, size, order) or by (size, order),
 * where order is a message's seq or a waiter's ticket.  Each node also
 * keeps, for its subtree, the entry of least order ("first") and the
 * entry of least order among those whose type differs from first's
 * ("other").  Both combine from a node and its children's: the subtree's
 * first is the least of the node and the children's firsts; its other is
 * the least, among those candidates and the children's others, of a type
 * other than first's.  (A child's best entry of a type other than T is its
 * first if that is not of type T, else its other.)
 *
 * So, in O(log n) steps and under the caller's lock:
 *   - the oldest entry of all: the root's first, O(1);
 *   - the oldest entry not of type T: the root's first, or else its other,
 *     O(1);
 *   - the oldest entry whose key lies in a range, optionally not of type
 *     T: the range splits into O(log n) nodes and whole subtrees, and each
 *     subtree answers from its first and other.
 *
 * The trees allocate nothing: entries are embedded in the messages and
 * waiters.  Locking is the caller's (mbox->lock).
 */
#include <linux/rbtree_augmented.h>

#include "index.h"

/* Whether @a comes before @b: NULL comes after anything. */
static bool mbox_ix_before(const struct mbox_ix *a, const struct mbox_ix *b)
{
	return a && (!b || a->order < b->order);
}

struct mbox_ix *mbox_ix_earlier(struct mbox_ix *a, struct mbox_ix *b)
{
	return mbox_ix_before(a, b) ? a : b;
}

/* The first and other of a node, from the node and its children. */
static struct mbox_ix_aug mbox_ix_combine(struct mbox_ix *n)
{
	struct mbox_ix *c[5], *child;
	struct mbox_ix_aug a = { .first = n };
	struct rb_node *kids[2] = { n->rb.rb_left, n->rb.rb_right };
	int i, k = 0;

	c[k++] = n;
	for (i = 0; i < 2; i++) {
		if (!kids[i])
			continue;
		child = rb_entry(kids[i], struct mbox_ix, rb);
		c[k++] = child->aug.first;
		if (child->aug.other)
			c[k++] = child->aug.other;
	}
	for (i = 1; i < k; i++)
		if (mbox_ix_before(c[i], a.first))
			a.first = c[i];
	for (i = 0; i < k; i++)
		if (c[i]->type != a.first->type &&
		    mbox_ix_before(c[i], a.other))
			a.other = c[i];
	return a;
}

/* Recompute @n's summary; with @exit, true if it did not change. */
static bool mbox_ix_compute(struct mbox_ix *n, bool exit)
{
	struct mbox_ix_aug a = mbox_ix_combine(n);

	if (exit && a.first == n->aug.first && a.other == n->aug.other)
		return true;
	n->aug = a;
	return false;
}

RB_DECLARE_CALLBACKS(static, mbox_ix_cb, struct mbox_ix, rb, aug,
		     mbox_ix_compute);

/* The first key component: the type in a typed tree, else nothing. */
static u32 mbox_ix_k1(const struct mbox_ixtree *t, const struct mbox_ix *e)
{
	return t->typed ? e->type : 0;
}

/* Compare @e's key, without its order, with (@k1, @k2). */
static int mbox_ix_cmp(const struct mbox_ixtree *t, const struct mbox_ix *e,
		       u32 k1, u32 k2)
{
	u32 e1 = mbox_ix_k1(t, e);

	if (e1 != k1)
		return e1 < k1 ? -1 : 1;
	if (e->size != k2)
		return e->size < k2 ? -1 : 1;
	return 0;
}

/**
 * mbox_ix_insert() - add an entry
 * @t:	the tree.
 * @e:	the entry, its @order, @type and @size set; @order unique in @t.
 */
void mbox_ix_insert(struct mbox_ixtree *t, struct mbox_ix *e)
{
	struct rb_node **link = &t->root.rb_node, *parent = NULL;
	struct mbox_ix *p;
	int c;

	while (*link) {
		parent = *link;
		p = rb_entry(parent, struct mbox_ix, rb);
		c = mbox_ix_cmp(t, p, mbox_ix_k1(t, e), e->size);
		if (c > 0 || (!c && p->order > e->order))
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	e->aug.first = e;
	e->aug.other = NULL;
	rb_link_node(&e->rb, parent, link);
	/* The summaries of the path down to @e, before rebalancing. */
	mbox_ix_cb_propagate(parent, NULL);
	rb_insert_augmented(&e->rb, &t->root, &mbox_ix_cb);
}

/**
 * mbox_ix_erase() - remove an entry
 * @t:	the tree that holds it.
 * @e:	the entry.
 */
void mbox_ix_erase(struct mbox_ixtree *t, struct mbox_ix *e)
{
	rb_erase_augmented(&e->rb, &t->root, &mbox_ix_cb);
	RB_CLEAR_NODE(&e->rb);
}

/**
 * mbox_ix_first() - the entry of least order
 * @t:	the tree.
 *
 * Return: the entry, or NULL if @t is empty.  O(1).
 */
struct mbox_ix *mbox_ix_first(const struct mbox_ixtree *t)
{
	struct rb_node *root = t->root.rb_node;

	return root ? rb_entry(root, struct mbox_ix, rb)->aug.first : NULL;
}

/* The best entry of a whole subtree @rb that is not of type @type. */
static struct mbox_ix *mbox_ix_subtree(struct rb_node *rb, bool except,
				       u32 type)
{
	struct mbox_ix *n;

	if (!rb)
		return NULL;
	n = rb_entry(rb, struct mbox_ix, rb);
	if (!except || n->aug.first->type != type)
		return n->aug.first;
	return n->aug.other;
}

/**
 * mbox_ix_first_except() - the entry of least order not of a type
 * @t:		the tree.
 * @type:	the type to skip.
 *
 * Return: the entry, or NULL if there is none.  O(1).
 */
struct mbox_ix *mbox_ix_first_except(const struct mbox_ixtree *t, u32 type)
{
	return mbox_ix_subtree(t->root.rb_node, true, type);
}

/* @n itself, if the range's type condition admits it. */
static struct mbox_ix *mbox_ix_self(struct mbox_ix *n,
				    const struct mbox_ix_range *r)
{
	return r->except && n->type == r->not_type ? NULL : n;
}

/**
 * mbox_ix_find() - the entry of least order in a range of keys
 * @t:	the tree.
 * @r:	the range, and the type to skip if any.
 *
 * Return: the entry, or NULL if there is none.  O(log n): one descent to
 * the node where the range splits, then one down each of its edges.
 */
struct mbox_ix *mbox_ix_find(const struct mbox_ixtree *t,
			     const struct mbox_ix_range *r)
{
	u32 lo1 = t->typed ? r->type_lo : 0, hi1 = t->typed ? r->type_hi : 0;
	struct rb_node *rb = t->root.rb_node, *x;
	struct mbox_ix *n, *best;

	/* The highest node inside the range: where it splits. */
	while (rb) {
		n = rb_entry(rb, struct mbox_ix, rb);
		if (mbox_ix_cmp(t, n, lo1, r->size_lo) < 0)
			rb = rb->rb_right;
		else if (mbox_ix_cmp(t, n, hi1, r->size_hi) > 0)
			rb = rb->rb_left;
		else
			break;
	}
	if (!rb)
		return NULL;
	best = mbox_ix_self(n, r);

	/* Left of the split, everything is below the top: check the bottom. */
	for (x = rb->rb_left; x; ) {
		n = rb_entry(x, struct mbox_ix, rb);
		if (mbox_ix_cmp(t, n, lo1, r->size_lo) >= 0) {
			best = mbox_ix_earlier(best, mbox_ix_self(n, r));
			best = mbox_ix_earlier(best,
					       mbox_ix_subtree(x->rb_right,
							       r->except,
							       r->not_type));
			x = x->rb_left;
		} else {
			x = x->rb_right;
		}
	}
	/* Right of it, everything is above the bottom: check the top. */
	for (x = rb->rb_right; x; ) {
		n = rb_entry(x, struct mbox_ix, rb);
		if (mbox_ix_cmp(t, n, hi1, r->size_hi) <= 0) {
			best = mbox_ix_earlier(best, mbox_ix_self(n, r));
			best = mbox_ix_earlier(best,
					       mbox_ix_subtree(x->rb_left,
							       r->except,
							       r->not_type));
			x = x->rb_right;
		} else {
			x = x->rb_left;
		}
	}
	return best;
}
