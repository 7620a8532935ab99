// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl send and recv: MBOX_IOC_SEND and MBOX_IOC_RECV.
 *
 * send takes its message from an argument, a file or standard input, and
 * sends it as is.  recv writes each message's bytes to standard output as
 * they are; with -v, a header line before it and a newline after it; with
 * -j, one JSON object per message instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mboxctl.h"

/* The longest message the module can accept: its load-time limit. */
#define MSG_SIZE_LIMIT	(16U << 20)

#define TIMEOUT_NONBLOCK	"--timeout and --nonblock exclude each other"

/* What send and recv share: how to wait. */
struct wait_opts {
	unsigned int flags;		/* MBOX_NONBLOCK or MBOX_TIMEOUT */
	unsigned long long timeout_ns;
};

static int wait_option(const struct command *cmd, int c, const char *arg,
		       struct wait_opts *w)
{
	if (c == 'T') {
		if (!parse_seconds(arg, &w->timeout_ns))
			return usage_error(cmd, "invalid timeout", arg);
		if (w->flags & MBOX_NONBLOCK)
			return usage_error(cmd, TIMEOUT_NONBLOCK, NULL);
		w->flags |= MBOX_TIMEOUT;
	} else {
		if (w->flags & MBOX_TIMEOUT)
			return usage_error(cmd, TIMEOUT_NONBLOCK, NULL);
		w->flags |= MBOX_NONBLOCK;
	}
	return 0;
}

struct send_opts {
	struct wait_opts wait;
	const char *file;
	unsigned int type;
};

static const struct option send_options[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "type", required_argument, NULL, 't' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "nonblock", no_argument, NULL, 'N' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int send_option(const struct command *cmd, int c, const char *arg,
		       void *ctx)
{
	struct send_opts *o = ctx;

	switch (c) {
	case 'f':
		o->file = arg;
		return 0;
	case 't':
		if (!parse_u32(arg, &o->type))
			return usage_error(cmd, "invalid type", arg);
		return 0;
	case 'T':
	case 'N':
		return wait_option(cmd, c, arg, &o->wait);
	}
	return EXIT_USAGE;
}

/*
 * Reads all of @fd, at most MSG_SIZE_LIMIT + 1 bytes (enough for the
 * module to refuse a longer message with EMSGSIZE).  Returns the buffer
 * (to free), or NULL with errno set.
 */
static char *read_all(int fd, size_t *len)
{
	size_t size = 4096, n = 0;
	char *buf = malloc(size), *p;
	ssize_t r;

	if (!buf)
		return NULL;
	for (;;) {
		if (n == size) {
			if (size > MSG_SIZE_LIMIT)
				break;
			size *= 2;
			p = realloc(buf, size);
			if (!p)
				goto fail;
			buf = p;
		}
		r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (!r)
			break;
		n += r;
	}
	*len = n > MSG_SIZE_LIMIT + 1 ? MSG_SIZE_LIMIT + 1 : n;
	return buf;

fail:
	free(buf);
	return NULL;
}

int cmd_send(const struct command *cmd, int argc, char **argv)
{
	struct send_opts o = { { 0, 0 }, NULL, 0 };
	const char *target, *text = NULL;
	struct mbox_send arg;
	char *data = NULL;
	size_t len = 0;
	int ret, err, fd, in;

	ret = parse_options(cmd, argc, argv, ":f:t:T:Nh", send_options,
			    send_option, &o);
	if (ret >= 0)
		return ret;
	if (optind >= argc)
		return usage_error(cmd, "missing mailbox id or name", NULL);
	target = argv[optind];
	if (!check_mailbox_arg(cmd, target, &ret))
		return ret;
	if (optind + 1 < argc) {
		text = argv[optind + 1];
		if (optind + 2 < argc)
			return usage_error(cmd, "unexpected argument", argv[optind + 2]);
		if (o.file)
			return usage_error(cmd, "a MESSAGE and --file exclude each other", NULL);
	}

	if (text) {
		len = strlen(text);
	} else {
		in = o.file ? open(o.file, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
		if (in < 0) {
			fprintf(stderr, "mboxctl: %s: %s\n", o.file, strerror(errno));
			return EXIT_FAILURE;
		}
		data = read_all(in, &len);
		if (!data) {
			fprintf(stderr, "mboxctl: %s: %s\n",
				o.file ? o.file : "standard input", strerror(errno));
			if (o.file)
				close(in);
			return EXIT_FAILURE;
		}
		if (o.file)
			close(in);
		text = data;
	}

	fd = open_device();
	if (fd < 0) {
		free(data);
		return EXIT_FAILURE;
	}
	ret = EXIT_FAILURE;
	memset(&arg, 0, sizeof(arg));
	arg.id = resolve_mailbox(fd, target);
	if (!arg.id)
		goto out;
	arg.flags = o.wait.flags;
	arg.timeout_ns = o.wait.timeout_ns;
	arg.buf = (uintptr_t)text;
	arg.len = len;
	arg.type = o.type;
	err = mbox_send_args(fd, &arg, sizeof(arg));
	if (err < 0) {
		ret = errno_status(-err);
		mailbox_error(target, -err);
		goto out;
	}
	ret = EXIT_SUCCESS;
out:
	close(fd);
	free(data);
	return ret;
}

struct recv_opts {
	struct wait_opts wait;
	unsigned int count;
	unsigned int type;
	unsigned int sel;	/* MBOX_RECV_TYPE or MBOX_RECV_EXCEPT */
	bool peek;
	bool verbose;
};

static const struct option recv_options[] = {
	{ "count", required_argument, NULL, 'n' },
	{ "peek", no_argument, NULL, 'p' },
	{ "type", required_argument, NULL, 't' },
	{ "except", required_argument, NULL, 'e' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "nonblock", no_argument, NULL, 'N' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int recv_option(const struct command *cmd, int c, const char *arg,
		       void *ctx)
{
	struct recv_opts *o = ctx;

	switch (c) {
	case 'n':
		if (!parse_u32(arg, &o->count))
			return usage_error(cmd, "invalid count", arg);
		return 0;
	case 'p':
		o->peek = true;
		return 0;
	case 't':
	case 'e':
		if (o->sel)
			return usage_error(cmd, "--type and --except exclude each other", NULL);
		if (!parse_u32(arg, &o->type))
			return usage_error(cmd, "invalid type", arg);
		o->sel = c == 't' ? MBOX_RECV_TYPE : MBOX_RECV_EXCEPT;
		return 0;
	case 'T':
	case 'N':
		return wait_option(cmd, c, arg, &o->wait);
	case 'v':
		o->verbose = true;
		return 0;
	}
	return EXIT_USAGE;
}

static void print_msg_json(const struct mbox_recv *r, const void *buf)
{
	printf("{\"id\":%u,\"type\":%u,\"len\":%llu,\"msg_len\":%llu,",
	       r->id, r->type, (unsigned long long)r->len,
	       (unsigned long long)r->msg_len);
	printf("\"pid\":%d,\"uid\":%u,\"seq\":%llu,\"send_ns\":%llu,\"data\":",
	       r->pid, r->uid, (unsigned long long)r->seq,
	       (unsigned long long)r->send_ns);
	print_json_bytes(buf, r->len);
	printf("}\n");
}

static void print_msg_header(const struct mbox_recv *r)
{
	unsigned long long now = mbox_now_ns();

	printf("seq %llu type %u len %llu pid %d uid %u sent %llu.%09llu",
	       (unsigned long long)r->seq, r->type, (unsigned long long)r->len,
	       r->pid, r->uid, (unsigned long long)r->send_ns / 1000000000ULL,
	       (unsigned long long)r->send_ns % 1000000000ULL);
	if (r->send_ns && r->send_ns <= now)
		printf(" (%.6f s ago)", (now - r->send_ns) / 1e9);
	putchar('\n');
}

int cmd_recv(const struct command *cmd, int argc, char **argv)
{
	struct recv_opts o = { .count = 1 };
	struct mbox_stat st;
	struct mbox_recv arg;
	const char *target;
	unsigned int n, id;
	ssize_t err;
	int ret, fd;
	char *buf;

	ret = parse_options(cmd, argc, argv, ":n:pt:e:T:Nvjh", recv_options,
			    recv_option, &o);
	if (ret >= 0)
		return ret;
	if (optind >= argc)
		return usage_error(cmd, "missing mailbox id or name", NULL);
	if (optind + 1 < argc)
		return usage_error(cmd, "unexpected argument", argv[optind + 1]);
	target = argv[optind];
	if (!check_mailbox_arg(cmd, target, &ret))
		return ret;
	/* Each peek would see the same message again. */
	if (o.peek && o.count != 1)
		return usage_error(cmd, "--peek takes one message: no --count", NULL);

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	id = resolve_mailbox(fd, target);
	if (!id) {
		close(fd);
		return EXIT_FAILURE;
	}
	/* A buffer for the mailbox's longest message. */
	ret = mbox_stat(fd, id, &st, sizeof(st));
	if (ret < 0) {
		mailbox_error(target, -ret);
		close(fd);
		return EXIT_FAILURE;
	}
	buf = malloc(st.max_msg_size ? st.max_msg_size : 1);
	if (!buf) {
		fprintf(stderr, "mboxctl: %s\n", strerror(errno));
		close(fd);
		return EXIT_FAILURE;
	}

	ret = EXIT_SUCCESS;
	for (n = 0; !o.count || n < o.count; n++) {
		memset(&arg, 0, sizeof(arg));
		arg.id = st.id;
		arg.flags = o.wait.flags | o.sel | (o.peek ? MBOX_RECV_PEEK : 0);
		arg.timeout_ns = o.wait.timeout_ns;
		arg.type = o.type;
		arg.buf = (uintptr_t)buf;
		arg.len = st.max_msg_size;
		err = mbox_recv_args(fd, &arg, sizeof(arg));
		if (err < 0) {
			/* -n 0 ends quietly when the mailbox runs dry. */
			if (!o.count && n && (err == -ETIMEDOUT || err == -EAGAIN))
				break;
			ret = errno_status((int)-err);
			mailbox_error(target, (int)-err);
			break;
		}
		if (json) {
			print_msg_json(&arg, buf);
		} else {
			if (o.verbose)
				print_msg_header(&arg);
			fwrite(buf, 1, arg.len, stdout);
			if (o.verbose)
				putchar('\n');
		}
		if (fflush(stdout))
			break;
	}
	free(buf);
	close(fd);
	return ret;
}
