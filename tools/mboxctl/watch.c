// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl watch: message rates per mailbox, refreshed like top(1).
 *
 * Each refresh walks the mailboxes with MBOX_STAT_NEXT and compares their
 * sent and received totals with those of the previous walk; a mailbox seen
 * for the first time is compared with nothing, i.e. its rates count from
 * its creation if that was within the interval, else from zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mboxctl.h"

struct sample {
	struct mbox_stat *st;
	size_t nr, size;
	unsigned long long ns;	/* CLOCK_MONOTONIC time of the walk */
};

struct watch_opts {
	unsigned long long interval_ns;
	unsigned int count;
};

static const struct option watch_options[] = {
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int watch_option(const struct command *cmd, int c, const char *arg,
			void *ctx)
{
	struct watch_opts *o = ctx;

	switch (c) {
	case 'i':
		if (!parse_seconds(arg, &o->interval_ns) || o->interval_ns < 1000000)
			return usage_error(cmd, "invalid interval (at least 0.001)", arg);
		return 0;
	case 'n':
		if (!parse_u32(arg, &o->count) || !o->count)
			return usage_error(cmd, "invalid count", arg);
		return 0;
	}
	return EXIT_USAGE;
}

/* Every mailbox, in id order; 0, or -errno. */
static int take_sample(int fd, struct sample *s)
{
	struct mbox_stat st, *p;
	unsigned int next = 1;
	int ret;

	s->nr = 0;
	s->ns = mbox_now_ns();
	for (;;) {
		ret = mbox_stat_next(fd, next, &st, sizeof(st));
		if (ret < 0)
			return ret == -ENOENT ? 0 : ret;
		if (s->nr == s->size) {
			s->size = s->size ? 2 * s->size : 64;
			p = realloc(s->st, s->size * sizeof(*p));
			if (!p)
				return -ENOMEM;
			s->st = p;
		}
		s->st[s->nr++] = st;
		if (st.id < next || st.id >= INT_MAX)
			return 0;
		next = st.id + 1;
	}
}

/* The previous figures of mailbox @id, or NULL. */
static const struct mbox_stat *find_prev(const struct sample *prev,
					 unsigned int id)
{
	size_t lo = 0, hi = prev->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (prev->st[mid].id == id)
			return &prev->st[mid];
		if (prev->st[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct rates {
	unsigned long long sent, recv, sent_bytes, recv_bytes;	/* deltas */
	double sent_ps, recv_ps, sent_bytes_ps, recv_bytes_ps;
};

static void compute(const struct mbox_stat *st, const struct mbox_stat *old,
		    double secs, struct rates *r)
{
	r->sent = st->sent_msgs - (old ? old->sent_msgs : 0);
	r->recv = st->recv_msgs - (old ? old->recv_msgs : 0);
	r->sent_bytes = st->sent_bytes - (old ? old->sent_bytes : 0);
	r->recv_bytes = st->recv_bytes - (old ? old->recv_bytes : 0);
	r->sent_ps = r->sent / secs;
	r->recv_ps = r->recv / secs;
	r->sent_bytes_ps = r->sent_bytes / secs;
	r->recv_bytes_ps = r->recv_bytes / secs;
}

static void print_json(const struct sample *cur, const struct sample *prev)
{
	double secs = (cur->ns - prev->ns) / 1e9;
	struct rates r;
	size_t i;

	printf("{\"time_ns\":%llu,\"interval_ns\":%llu,\"mailboxes\":[",
	       cur->ns, cur->ns - prev->ns);
	for (i = 0; i < cur->nr; i++) {
		const struct mbox_stat *st = &cur->st[i];

		compute(st, find_prev(prev, st->id), secs, &r);
		printf("%s{\"id\":%u,\"name\":", i ? "," : "", st->id);
		print_json_string(stat_name(st));
		printf(",\"msgs\":%u,\"capacity\":%u,\"bytes\":%llu,",
		       st->msgs, st->capacity, (unsigned long long)st->bytes);
		printf("\"blocked_senders\":%u,\"blocked_receivers\":%u,",
		       st->blocked_senders, st->blocked_receivers);
		printf("\"sent_msgs\":%llu,\"recv_msgs\":%llu,", r.sent, r.recv);
		printf("\"sent_bytes\":%llu,\"recv_bytes\":%llu,", r.sent_bytes,
		       r.recv_bytes);
		printf("\"sent_msgs_per_s\":%.1f,\"recv_msgs_per_s\":%.1f,",
		       r.sent_ps, r.recv_ps);
		printf("\"sent_bytes_per_s\":%.1f,\"recv_bytes_per_s\":%.1f}",
		       r.sent_bytes_ps, r.recv_bytes_ps);
	}
	printf("]}\n");
}

static void print_text(const struct sample *cur, const struct sample *prev,
		       bool tty)
{
	double secs = (cur->ns - prev->ns) / 1e9;
	struct rates r;
	size_t i;

	if (tty)
		fputs("\033[H\033[2J", stdout);
	printf("mboxctl watch: %zu mailboxes, every %.3f s\n", cur->nr, secs);
	printf("%-10s %-15s %-10s %-10s %-12s %-12s %-8s %-8s %s\n",
	       "id", "msgs/capacity", "sent/s", "recv/s", "sent-B/s",
	       "recv-B/s", "blk-snd", "blk-rcv", "name");
	for (i = 0; i < cur->nr; i++) {
		const struct mbox_stat *st = &cur->st[i];
		char fill[32];

		compute(st, find_prev(prev, st->id), secs, &r);
		snprintf(fill, sizeof(fill), "%u/%u", st->msgs, st->capacity);
		printf("%-10u %-15s %-10.1f %-10.1f %-12.1f %-12.1f %-8u %-8u %s\n",
		       st->id, fill, r.sent_ps, r.recv_ps, r.sent_bytes_ps,
		       r.recv_bytes_ps, st->blocked_senders,
		       st->blocked_receivers, stat_name(st));
	}
}

static void sleep_ns(unsigned long long ns)
{
	struct timespec ts = {
		.tv_sec = ns / 1000000000ULL,
		.tv_nsec = ns % 1000000000ULL,
	};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int cmd_watch(const struct command *cmd, int argc, char **argv)
{
	struct watch_opts o = { .interval_ns = 1000000000ULL };
	struct sample a = { 0 }, b = { 0 }, *prev = &a, *cur = &b, *tmp;
	bool tty = isatty(STDOUT_FILENO);
	unsigned int n;
	int ret, fd, err;

	ret = parse_options(cmd, argc, argv, ":i:n:jh", watch_options,
			    watch_option, &o);
	if (ret >= 0)
		return ret;
	if (optind < argc)
		return usage_error(cmd, "unexpected argument", argv[optind]);

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	ret = EXIT_SUCCESS;
	err = take_sample(fd, prev);
	for (n = 0; !err && (!o.count || n < o.count); n++) {
		sleep_ns(o.interval_ns);
		err = take_sample(fd, cur);
		if (err)
			break;
		if (json)
			print_json(cur, prev);
		else
			print_text(cur, prev, tty);
		if (fflush(stdout))
			break;
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	if (err) {
		fprintf(stderr, "mboxctl: watch: %s\n", strerror(-err));
		ret = EXIT_FAILURE;
	}
	free(a.st);
	free(b.st);
	close(fd);
	return ret;
}
