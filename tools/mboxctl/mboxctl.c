// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl - show the mailboxes of the mbox module
 *
 * Every figure comes from an ioctl on /dev/mbox (see <linux/mbox.h>):
 * "list" walks the mailboxes with MBOX_IOC_STAT and MBOX_STAT_NEXT, "stat"
 * reports one mailbox, given by id or by name (MBOX_IOC_LOOKUP), and "info"
 * prints MBOX_IOC_INFO.  With -j/--json the output is one line of JSON whose
 * keys are the field names of the uapi structs; Documentation/mboxctl.8
 * lists them.
 *
 * The figures added after ABI version 1 (blocked senders and receivers,
 * last pids and times, totals) are shown only when MBOX_IOC_INFO reports
 * MBOX_FEATURE_STAT_EXT, and names only with MBOX_FEATURE_NAMES, so an
 * older module is reported as it is.
 *
 * Exit status: 0 success, 1 failure, 2 usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/mbox.h>

#ifndef MBOXCTL_VERSION
#define MBOXCTL_VERSION "1.0"
#endif

#define MBOX_DEVICE	"/dev/mbox"

#define EXIT_USAGE	2

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct command {
	const char *name;
	const char *args;
	const char *summary;
	const char *help;
	int (*run)(const struct command *cmd, int argc, char **argv);
};

/* Set by -j/--json, globally or after the subcommand. */
static bool json;

static int cmd_list(const struct command *cmd, int argc, char **argv);
static int cmd_stat(const struct command *cmd, int argc, char **argv);
static int cmd_info(const struct command *cmd, int argc, char **argv);

static const struct command commands[] = {
	{
		"list", "", "list every mailbox, one line each",
		"List every mailbox, in id order, one line each: its id, messages queued\n"
		"and capacity, bytes queued, maximum message size, the messages sent and\n"
		"received since it was created, the senders and receivers blocked on it\n"
		"now, and its name (empty if it has none).\n",
		cmd_list,
	}, {
		"stat", " ID|NAME", "show every figure of one mailbox",
		"Show every figure the module reports for one mailbox, one per line.\n"
		"ID is its id, a decimal number; any other argument is a NAME, which is\n"
		"looked up in the caller's IPC namespace.\n",
		cmd_stat,
	}, {
		"info", "", "show the module's ABI version, features and limits",
		"Show the module's ABI version, features and limits, the number of\n"
		"mailboxes that exist now, and the messages and bytes queued in them.\n",
		cmd_info,
	},
};

static void print_usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: mboxctl [-j] COMMAND [ARGS]\n"
		"       mboxctl -h|--help\n"
		"       mboxctl -V|--version\n"
		"\n"
		"Show the mailboxes of the mbox module (" MBOX_DEVICE ").\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		char synopsis[32];

		snprintf(synopsis, sizeof(synopsis), "%s%s", commands[i].name,
			 commands[i].args);
		fprintf(out, "  %-13s %s\n", synopsis, commands[i].summary);
	}
	fprintf(out,
		"\n"
		"Options:\n"
		"  -j, --json     print JSON instead of text\n"
		"  -h, --help     show this help (after COMMAND: its help)\n"
		"  -V, --version  show the version\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n"
		"See mboxctl(8).\n");
}

static void command_usage(FILE *out, const struct command *cmd)
{
	fprintf(out,
		"Usage: mboxctl %s [-j]%s\n"
		"\n"
		"%s\n"
		"Options:\n"
		"  -j, --json  print JSON instead of text\n"
		"  -h, --help  show this help\n",
		cmd->name, cmd->args, cmd->help);
}

/* Prints "mboxctl: MSG 'ARG'" (ARG may be NULL) and a hint; returns 2. */
static int usage_error(const struct command *cmd, const char *msg, const char *arg)
{
	if (arg)
		fprintf(stderr, "mboxctl: %s '%s'", msg, arg);
	else
		fprintf(stderr, "mboxctl: %s", msg);
	if (cmd)
		fprintf(stderr, "\nTry 'mboxctl %s --help'.\n", cmd->name);
	else
		fputs("\nTry 'mboxctl --help'.\n", stderr);
	return EXIT_USAGE;
}

/*
 * Reports an option getopt_long() rejected.  For a short option optopt is
 * the letter; for a long one it is 0 and the option is the last argument
 * getopt_long() consumed.
 */
static int bad_option(const struct command *cmd, char **argv)
{
	char letter[3] = { '-', (char)optopt, '\0' };

	return usage_error(cmd, "unrecognized option",
			   optopt ? letter : argv[optind - 1]);
}

static const struct option command_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Parses the options of a subcommand; argv[0] is its name.  Returns -1 when
 * the command should run with its arguments at argv[optind], otherwise the
 * exit status (after --help or a usage error).
 */
static int parse_command_options(int argc, char **argv, const struct command *cmd)
{
	int c;

	optind = 0;	/* glibc: start over on a new argv */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", command_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			command_usage(stdout, cmd);
			return EXIT_SUCCESS;
		default:
			return bad_option(cmd, argv);
		}
	}
	return -1;
}

/*
 * Parses a mailbox id: a decimal number from 1 to INT_MAX, the range of the
 * ids MBOX_IOC_CREATE returns.  Returns 0 on any other text.
 */
static unsigned int parse_id(const char *s)
{
	unsigned long val;
	char *end;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	val = strtoul(s, &end, 10);
	if (errno || *end || val > INT_MAX)
		return 0;
	return val;
}

/* A plain decimal number: one or more digits and nothing else. */
static bool is_decimal(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

/*
 * Is @s a name MBOX_IOC_LOOKUP accepts: 1 to MBOX_NAME_MAX - 1 bytes of
 * printable ASCII other than '/'?
 */
static bool valid_name(const char *s)
{
	size_t len = strlen(s), i;

	if (!len || len >= MBOX_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '/')
			return false;
	}
	return true;
}

static int open_device(void)
{
	int fd = open(MBOX_DEVICE, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "mboxctl: %s: %s\n", MBOX_DEVICE, strerror(errno));
	return fd;
}

/* The MBOX_FEATURE_* bits by name, in bit order. */
static const char *const feature_names[] = {
	"rendezvous",		/* MBOX_FEATURE_RENDEZVOUS */
	"fifo_waiters",		/* MBOX_FEATURE_FIFO_WAITERS */
	"timeout",		/* MBOX_FEATURE_TIMEOUT */
	"types",		/* MBOX_FEATURE_TYPES */
	"peek",			/* MBOX_FEATURE_PEEK */
	"trunc",		/* MBOX_FEATURE_TRUNC */
	"msg_info",		/* MBOX_FEATURE_MSG_INFO */
	"autodestroy",		/* MBOX_FEATURE_AUTODESTROY */
	"fd",			/* MBOX_FEATURE_FD */
	"stat_ext",		/* MBOX_FEATURE_STAT_EXT */
	"names",		/* MBOX_FEATURE_NAMES */
	"perms",		/* MBOX_FEATURE_PERMS */
	"limits",		/* MBOX_FEATURE_LIMITS */
	"ns",			/* MBOX_FEATURE_NS */
};

/*
 * Prints the names of the bits of @features separated by @sep, each
 * quoted if @quote; a bit without a name as "bitN".
 */
static void print_feature_names(unsigned long long features, const char *sep,
				bool quote)
{
	const char *q = quote ? "\"" : "";
	unsigned int bit;
	bool first = true;

	for (bit = 0; bit < 64; bit++) {
		if (!(features & (1ULL << bit)))
			continue;
		printf("%s%s", first ? "" : sep, q);
		if (bit < ARRAY_SIZE(feature_names))
			printf("%s", feature_names[bit]);
		else
			printf("bit%u", bit);
		printf("%s", q);
		first = false;
	}
}

/* The module's MBOX_FEATURE_* bits; 0 if it cannot tell (ABI version 1). */
static unsigned long long module_features(int fd)
{
	struct mbox_info info;

	memset(&info, 0, sizeof(info));
	if (ioctl(fd, MBOX_IOC_INFO, &info) < 0)
		return 0;
	return info.features;
}

/* Prints @s as a JSON string.  Names are printable ASCII, but be safe. */
static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* The figures a module reports beyond version 1, by feature. */
struct stat_features {
	bool ext;	/* MBOX_FEATURE_STAT_EXT */
	bool names;	/* MBOX_FEATURE_NAMES */
	bool perms;	/* MBOX_FEATURE_PERMS */
};

static struct stat_features stat_features(int fd)
{
	unsigned long long features = module_features(fd);

	return (struct stat_features){
		.ext = features & MBOX_FEATURE_STAT_EXT,
		.names = features & MBOX_FEATURE_NAMES,
		.perms = features & MBOX_FEATURE_PERMS,
	};
}

/* The name in @st, which the module terminates; a bad one shows as "". */
static const char *stat_name(const struct mbox_stat *st)
{
	return memchr(st->name, '\0', sizeof(st->name)) ? st->name : "";
}

static void print_stat_json(const struct mbox_stat *st,
			    const struct stat_features *f)
{
	bool ext = f->ext;

	printf("{\"id\":%u,\"capacity\":%u,\"max_msg_size\":%u,\"msgs\":%u,",
	       st->id, st->capacity, st->max_msg_size, st->msgs);
	printf("\"bytes\":%llu,\"sent_msgs\":%llu,\"sent_bytes\":%llu,",
	       (unsigned long long)st->bytes,
	       (unsigned long long)st->sent_msgs,
	       (unsigned long long)st->sent_bytes);
	printf("\"recv_msgs\":%llu,\"recv_bytes\":%llu",
	       (unsigned long long)st->recv_msgs,
	       (unsigned long long)st->recv_bytes);
	if (ext) {
		printf(",\"blocked_senders\":%u,\"blocked_receivers\":%u,",
		       st->blocked_senders, st->blocked_receivers);
		printf("\"last_send_pid\":%d,\"last_recv_pid\":%d,",
		       st->last_send_pid, st->last_recv_pid);
		printf("\"last_send_ns\":%llu,\"last_recv_ns\":%llu,",
		       (unsigned long long)st->last_send_ns,
		       (unsigned long long)st->last_recv_ns);
		printf("\"create_ns\":%llu,\"create_flags\":%llu",
		       (unsigned long long)st->create_ns,
		       (unsigned long long)st->create_flags);
	}
	if (f->names) {
		printf(",\"name\":");
		print_json_string(stat_name(st));
	}
	if (f->perms)
		printf(",\"uid\":%u,\"gid\":%u,\"cuid\":%u,\"cgid\":%u,\"mode\":%u",
		       st->uid, st->gid, st->cuid, st->cgid, st->mode);
	putchar('}');
}

#define LIST_FORMAT "%-10s %-15s %-12s %-14s %-12s %-12s %-13s %-13s %s"

/*
 * Prints a line of the list.  The name comes last, whole, since it may hold
 * spaces; without one, the padding before it is left out.
 */
static void print_list_line(const char *id, const char *fill, const char *bytes,
			    const char *size, const char *sent, const char *recv,
			    const char *senders, const char *receivers,
			    const char *name)
{
	char line[256];
	size_t len;

	snprintf(line, sizeof(line), LIST_FORMAT, id, fill, bytes, size, sent,
		 recv, senders, receivers, name);
	len = strlen(line);
	while (!*name && len && line[len - 1] == ' ')
		len--;
	printf("%.*s\n", (int)len, line);
}

static void print_list_row(const struct mbox_stat *st, bool ext)
{
	char id[16], fill[32], bytes[24], size[16], sent[24], recv[24];
	char senders[16] = "-", receivers[16] = "-";

	snprintf(id, sizeof(id), "%u", st->id);
	snprintf(fill, sizeof(fill), "%u/%u", st->msgs, st->capacity);
	snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)st->bytes);
	snprintf(size, sizeof(size), "%u", st->max_msg_size);
	snprintf(sent, sizeof(sent), "%llu", (unsigned long long)st->sent_msgs);
	snprintf(recv, sizeof(recv), "%llu", (unsigned long long)st->recv_msgs);
	if (ext) {
		snprintf(senders, sizeof(senders), "%u", st->blocked_senders);
		snprintf(receivers, sizeof(receivers), "%u",
			 st->blocked_receivers);
	}
	print_list_line(id, fill, bytes, size, sent, recv, senders, receivers,
			stat_name(st));
}

static int cmd_list(const struct command *cmd, int argc, char **argv)
{
	struct stat_features f;
	struct mbox_stat st;
	unsigned int next = 1;
	int ret, fd, n = 0;

	ret = parse_command_options(argc, argv, cmd);
	if (ret >= 0)
		return ret;
	if (optind < argc)
		return usage_error(cmd, "unexpected argument", argv[optind]);

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	f = stat_features(fd);

	if (json)
		putchar('[');
	else
		print_list_line("id", "msgs/capacity", "bytes", "max-msg-size",
				"sent", "received", "blocked-send",
				"blocked-recv", "name");
	ret = EXIT_SUCCESS;
	for (;;) {
		memset(&st, 0, sizeof(st));
		st.id = next;
		st.flags = MBOX_STAT_NEXT;
		if (ioctl(fd, MBOX_IOC_STAT, &st) < 0) {
			if (errno != ENOENT) {
				fprintf(stderr, "mboxctl: mailbox %u: %s\n", next,
					strerror(errno));
				ret = EXIT_FAILURE;
			}
			break;
		}
		if (json) {
			if (n)
				putchar(',');
			print_stat_json(&st, &f);
		} else {
			print_list_row(&st, f.ext);
		}
		n++;
		/* Guard against a cursor that does not advance. */
		if (st.id < next || st.id >= INT_MAX)
			break;
		next = st.id + 1;
	}
	if (json)
		puts("]");
	close(fd);
	return ret;
}

static unsigned long long monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Prints a CLOCK_MONOTONIC time in ns, and how long ago it was. */
static void print_time(const char *label, unsigned long long t,
		       unsigned long long now)
{
	printf("%-20s%llu", label, t);
	if (t && t <= now)
		printf(" (%.3f s ago)", (now - t) / 1e9);
	putchar('\n');
}

static void print_stat_ext(const struct mbox_stat *st)
{
	unsigned long long now = monotonic_ns();

	printf("blocked_senders:    %u\n", st->blocked_senders);
	printf("blocked_receivers:  %u\n", st->blocked_receivers);
	printf("last_send_pid:      %d\n", st->last_send_pid);
	printf("last_recv_pid:      %d\n", st->last_recv_pid);
	print_time("last_send_ns:", st->last_send_ns, now);
	print_time("last_recv_ns:", st->last_recv_ns, now);
	print_time("create_ns:", st->create_ns, now);
	printf("create_flags:       0x%llx", (unsigned long long)st->create_flags);
	if (st->create_flags & MBOX_CREATE_AUTODESTROY)
		printf(" (autodestroy)");
	putchar('\n');
}

/*
 * The id of the mailbox named @name in the caller's IPC namespace, or 0
 * after printing why there is none.
 */
static unsigned int lookup_name(int fd, const char *name,
				const struct stat_features *f)
{
	struct mbox_lookup arg;
	int ret;

	if (!f->names) {
		fprintf(stderr, "mboxctl: mailbox %s: this mbox module has no names\n",
			name);
		return 0;
	}
	memset(&arg, 0, sizeof(arg));
	arg.name = (uintptr_t)name;
	ret = ioctl(fd, MBOX_IOC_LOOKUP, &arg);
	if (ret < 0) {
		fprintf(stderr, "mboxctl: mailbox %s: %s\n", name, strerror(errno));
		return 0;
	}
	return arg.id;
}

static int cmd_stat(const struct command *cmd, int argc, char **argv)
{
	struct stat_features f;
	struct mbox_stat st;
	const char *name = NULL;
	unsigned int id = 0;
	int ret, fd;

	ret = parse_command_options(argc, argv, cmd);
	if (ret >= 0)
		return ret;
	if (optind >= argc)
		return usage_error(cmd, "missing mailbox id or name", NULL);
	if (optind + 1 < argc)
		return usage_error(cmd, "unexpected argument", argv[optind + 1]);
	if (is_decimal(argv[optind])) {
		id = parse_id(argv[optind]);
		if (!id)
			return usage_error(cmd, "invalid mailbox id", argv[optind]);
	} else {
		name = argv[optind];
		if (!valid_name(name))
			return usage_error(cmd, "invalid mailbox name", name);
	}

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	f = stat_features(fd);
	if (name) {
		id = lookup_name(fd, name, &f);
		if (!id) {
			close(fd);
			return EXIT_FAILURE;
		}
	}
	memset(&st, 0, sizeof(st));
	st.id = id;
	ret = ioctl(fd, MBOX_IOC_STAT, &st);
	if (ret < 0) {
		if (name)
			fprintf(stderr, "mboxctl: mailbox %s: %s\n", name,
				strerror(errno));
		else
			fprintf(stderr, "mboxctl: mailbox %u: %s\n", id,
				strerror(errno));
		close(fd);
		return EXIT_FAILURE;
	}
	close(fd);

	if (json) {
		print_stat_json(&st, &f);
		putchar('\n');
		return EXIT_SUCCESS;
	}
	printf("id:                 %u\n", st.id);
	if (f.names) {
		name = stat_name(&st);
		printf("name:%s%s\n", *name ? "               " : "", name);
	}
	printf("capacity:           %u\n", st.capacity);
	printf("max_msg_size:       %u\n", st.max_msg_size);
	printf("msgs:               %u\n", st.msgs);
	printf("bytes:              %llu\n", (unsigned long long)st.bytes);
	printf("sent_msgs:          %llu\n", (unsigned long long)st.sent_msgs);
	printf("sent_bytes:         %llu\n", (unsigned long long)st.sent_bytes);
	printf("recv_msgs:          %llu\n", (unsigned long long)st.recv_msgs);
	printf("recv_bytes:         %llu\n", (unsigned long long)st.recv_bytes);
	if (f.ext)
		print_stat_ext(&st);
	if (f.perms) {
		printf("uid:                %u\n", st.uid);
		printf("gid:                %u\n", st.gid);
		printf("cuid:               %u\n", st.cuid);
		printf("cgid:               %u\n", st.cgid);
		printf("mode:               0%03o\n", st.mode);
	}
	return EXIT_SUCCESS;
}

static int cmd_info(const struct command *cmd, int argc, char **argv)
{
	struct mbox_info info;
	int ret, fd;
	bool ext;

	ret = parse_command_options(argc, argv, cmd);
	if (ret >= 0)
		return ret;
	if (optind < argc)
		return usage_error(cmd, "unexpected argument", argv[optind]);

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	memset(&info, 0, sizeof(info));
	ret = ioctl(fd, MBOX_IOC_INFO, &info);
	if (ret < 0) {
		fprintf(stderr, "mboxctl: %s: %s\n", MBOX_DEVICE, strerror(errno));
		close(fd);
		return EXIT_FAILURE;
	}
	close(fd);

	ext = info.features & MBOX_FEATURE_STAT_EXT;
	if (json) {
		printf("{\"abi_version\":%u,\"features\":%llu,\"feature_names\":[",
		       info.abi_version, (unsigned long long)info.features);
		print_feature_names(info.features, ",", true);
		printf("],\"max_mailboxes\":%u,\"max_capacity\":%u,\"max_msg_size\":%u,",
		       info.max_mailboxes, info.max_capacity, info.max_msg_size);
		printf("\"nr_mailboxes\":%u", info.nr_mailboxes);
		if (ext)
			printf(",\"total_msgs\":%llu,\"total_bytes\":%llu",
			       (unsigned long long)info.total_msgs,
			       (unsigned long long)info.total_bytes);
		printf("}\n");
		return EXIT_SUCCESS;
	}
	printf("abi_version:    %u\n", info.abi_version);
	printf("features:       0x%llx", (unsigned long long)info.features);
	if (info.features) {
		printf(" (");
		print_feature_names(info.features, " ", false);
		putchar(')');
	}
	putchar('\n');
	printf("max_mailboxes:  %u\n", info.max_mailboxes);
	printf("max_capacity:   %u\n", info.max_capacity);
	printf("max_msg_size:   %u\n", info.max_msg_size);
	printf("nr_mailboxes:   %u\n", info.nr_mailboxes);
	if (ext) {
		printf("total_msgs:     %llu\n", (unsigned long long)info.total_msgs);
		printf("total_bytes:    %llu\n", (unsigned long long)info.total_bytes);
	}
	return EXIT_SUCCESS;
}

/* Reports a failed write to stdout (a full disk, a closed pipe). */
static int finish_output(int ret)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "mboxctl: write error: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	return ret;
}

static const struct option global_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	size_t i;
	int c;

	/* "+": stop at the subcommand, whose options are parsed by itself. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jhV", global_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			print_usage(stdout);
			return finish_output(EXIT_SUCCESS);
		case 'V':
			printf("mboxctl %s (mbox ABI %d)\n", MBOXCTL_VERSION,
			       MBOX_ABI_VERSION);
			return finish_output(EXIT_SUCCESS);
		default:
			return bad_option(NULL, argv);
		}
	}
	if (optind >= argc)
		return usage_error(NULL, "missing command", NULL);

	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(argv[optind], commands[i].name))
			return finish_output(commands[i].run(&commands[i], argc - optind,
							     argv + optind));
	}
	return usage_error(NULL, "unknown command", argv[optind]);
}
