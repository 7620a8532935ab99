// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl - manage the mailboxes of the mbox module
 *
 * Every figure comes from an ioctl on /dev/mbox (see <linux/mbox.h>), and
 * every action is one.  With -j/--json the reading commands print JSON
 * whose keys are the field names of the uapi structs; Documentation/
 * mboxctl.8 lists them.  Figures and options added after ABI version 1 are
 * used only when MBOX_IOC_INFO reports their feature bit, so an older
 * module is reported as it is.
 *
 * Exit status: 0 success, 1 failure, 2 usage error, 3 timeout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mboxctl.h"

#ifndef MBOXCTL_VERSION
#define MBOXCTL_VERSION "1.1"
#endif

bool json;

static const struct command commands[] = {
	{
		"list", "", "list every mailbox, one line each",
		"List every mailbox, in id order, one line each: its id, owner and mode\n"
		"(if the module has permissions), messages queued and capacity, bytes\n"
		"queued, maximum message size, the messages sent and received since it\n"
		"was created, the senders and receivers blocked on it now, and its name\n"
		"(empty if it has none).\n"
		"\n"
		"Options:\n"
		"  -j, --json  print a JSON array of objects\n"
		"  -h, --help  show this help\n",
		cmd_list,
	}, {
		"stat", " ID|NAME", "show every figure of one mailbox",
		"Show every figure the module reports for one mailbox, one per line.\n"
		"ID is its id, a decimal number; any other argument is a NAME, which is\n"
		"looked up in the caller's IPC namespace.\n"
		"\n"
		"Options:\n"
		"  -j, --json  print a JSON object\n"
		"  -h, --help  show this help\n",
		cmd_stat,
	}, {
		"info", "", "show the module's ABI version, features and limits",
		"Show the module's version, ABI version, features and limits, the number\n"
		"of mailboxes of the caller's IPC namespace, and the messages and bytes\n"
		"queued in them.\n"
		"\n"
		"Options:\n"
		"  -j, --json  print a JSON object\n"
		"  -h, --help  show this help\n",
		cmd_info,
	}, {
		"create", " [OPTIONS] [NAME]", "create a mailbox and print its id",
		"Create a mailbox, named NAME if given, and print its id.  If NAME is\n"
		"taken already, print the id of the mailbox that has it (unless --excl).\n"
		"\n"
		"Options:\n"
		"  -c, --capacity N   messages it buffers, 0 for a rendezvous (default 16)\n"
		"  -s, --size BYTES   largest message (default 4096, or the module's limit)\n"
		"  -m, --mode MODE    octal permissions, e.g. 0600 (needs a module with\n"
		"                     the perms feature)\n"
		"  -x, --excl         fail if NAME is taken\n"
		"  -a, --auto-destroy destroy the mailbox when mboxctl exits; needs --wait\n"
		"  -w, --wait         after printing the id, keep running until SIGINT,\n"
		"                     SIGTERM or SIGHUP\n"
		"  -j, --json         print {\"id\":N}\n"
		"  -h, --help         show this help\n"
		"\n"
		"An auto-destroyed mailbox lives as long as the file it was created\n"
		"through: mboxctl's.  So --auto-destroy is refused without --wait.\n",
		cmd_create,
	}, {
		"rm", " ID|NAME...", "destroy mailboxes",
		"Destroy each mailbox given, by id or by name.  Blocked senders and\n"
		"receivers fail with EIDRM; queued messages are lost.  Every argument\n"
		"is tried; the exit status is 1 if any failed.\n"
		"\n"
		"Options:\n"
		"  -h, --help  show this help\n",
		cmd_rm,
	}, {
		"send", " [OPTIONS] ID|NAME [MESSAGE]", "send one message",
		"Send one message: MESSAGE if given, else the contents of FILE (-f),\n"
		"else all of standard input.  No newline is added.\n"
		"\n"
		"Options:\n"
		"  -f, --file FILE     send the contents of FILE\n"
		"  -t, --type N        the message's type (default 0)\n"
		"  -T, --timeout SECS  wait at most SECS seconds (decimal; 0: try once);\n"
		"                      exit status 3 if it expires\n"
		"  -N, --nonblock      fail at once (EAGAIN) if the mailbox is full\n"
		"  -h, --help          show this help\n",
		cmd_send,
	}, {
		"recv", " [OPTIONS] ID|NAME", "receive messages to standard output",
		"Receive one message (or N with -n) and write its bytes to standard\n"
		"output, as they are.\n"
		"\n"
		"Options:\n"
		"  -n, --count N       receive N messages (0: until the timeout or an\n"
		"                      error)\n"
		"  -p, --peek          copy the message, leave it in the mailbox\n"
		"  -t, --type N        take only messages of type N\n"
		"  -e, --except N      take only messages of a type other than N\n"
		"  -T, --timeout SECS  wait at most SECS seconds for each message (0: try\n"
		"                      once); exit status 3 if it expires\n"
		"  -N, --nonblock      fail at once (EAGAIN) if there is no message\n"
		"  -v, --verbose       before each message, a line with its sequence\n"
		"                      number, type, length, sender pid and uid, and\n"
		"                      when it was sent; after it, a newline\n"
		"  -j, --json          print one JSON object per message, one a line\n"
		"  -h, --help          show this help\n",
		cmd_recv,
	}, {
		"watch", " [OPTIONS]", "show message rates per mailbox, refreshed",
		"Show, for every mailbox, the messages and bytes sent and received per\n"
		"second over the last interval, and what is queued and blocked now,\n"
		"refreshed every interval like top(1).  The screen is cleared between\n"
		"refreshes only when standard output is a terminal.\n"
		"\n"
		"Options:\n"
		"  -i, --interval SECS  time between refreshes (default 1)\n"
		"  -n, --count N        stop after N refreshes (default: never)\n"
		"  -j, --json           print one JSON object per refresh, one a line\n"
		"  -h, --help           show this help\n",
		cmd_watch,
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
		"Manage the mailboxes of the mbox module (" LIBMBOX_DEVICE ").\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		char synopsis[40];

		snprintf(synopsis, sizeof(synopsis), "%s%s", commands[i].name,
			 commands[i].args);
		fprintf(out, "  %-33s %s\n", synopsis, commands[i].summary);
	}
	fprintf(out,
		"\n"
		"Options:\n"
		"  -j, --json     print JSON instead of text\n"
		"  -h, --help     show this help (after COMMAND: its help)\n"
		"  -V, --version  show the version\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error, 3 timeout.\n"
		"See mboxctl(8).\n");
}

static void command_usage(FILE *out, const struct command *cmd)
{
	fprintf(out, "Usage: mboxctl %s%s\n\n%s", cmd->name, cmd->args,
		cmd->help);
}

/* Prints "mboxctl: MSG 'ARG'" (ARG may be NULL) and a hint; returns 2. */
int usage_error(const struct command *cmd, const char *msg, const char *arg)
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
static int bad_option(const struct command *cmd, char **argv, bool missing)
{
	char letter[3] = { '-', (char)optopt, '\0' };

	return usage_error(cmd, missing ? "option needs an argument" :
			   "unrecognized option",
			   optopt ? letter : argv[optind - 1]);
}

/*
 * Parses the options of a subcommand; argv[0] is its name.  -j and -h are
 * handled here (if @shortopts has them), the others by @fn.  Returns -1
 * when the command should run with its arguments at argv[optind],
 * otherwise the exit status (after --help or a usage error).
 */
int parse_options(const struct command *cmd, int argc, char **argv,
		  const char *shortopts, const struct option *longopts,
		  option_fn fn, void *ctx)
{
	int c, ret;

	optind = 0;	/* glibc: start over on a new argv */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			command_usage(stdout, cmd);
			return EXIT_SUCCESS;
		case '?':
		case ':':
			return bad_option(cmd, argv, c == ':');
		default:
			ret = fn ? fn(cmd, c, optarg, ctx) : EXIT_USAGE;
			if (ret)
				return ret;
		}
	}
	return -1;
}

static const struct option reading_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Options of a command that takes only -j and -h, and no argument. */
int no_arguments(const struct command *cmd, int argc, char **argv)
{
	int ret;

	ret = parse_options(cmd, argc, argv, ":jh", reading_options, NULL, NULL);
	if (ret >= 0)
		return ret;
	if (optind < argc)
		return usage_error(cmd, "unexpected argument", argv[optind]);
	return -1;
}

/* /dev/mbox read-only: every ioctl works so, even where it is 0644. */
int open_device(void)
{
	int fd = mbox_open(LIBMBOX_OPEN_RDONLY);

	if (fd < 0)
		fprintf(stderr, "mboxctl: %s: %s\n", LIBMBOX_DEVICE, strerror(-fd));
	return fd;
}

/* The module's MBOX_FEATURE_* bits; 0 if it cannot tell (ABI version 1). */
unsigned long long module_features(int fd)
{
	uint64_t features;

	return mbox_features(fd, &features) < 0 ? 0 : features;
}

/* A decimal number from 0 to UINT32_MAX, and nothing else. */
bool parse_u32(const char *s, unsigned int *val)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*val = v;
	return true;
}

/*
 * A number of seconds, decimal with an optional fraction ("2", "0.25"),
 * into nanoseconds; at most a year, which is "for ever" for mboxctl.
 */
bool parse_seconds(const char *s, unsigned long long *ns)
{
	unsigned long long sec = 0, frac = 0, scale = 1000000000ULL;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		sec = sec * 10 + (*p - '0');
		if (sec > 366ULL * 86400)
			return false;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
		}
	}
	if (*p)
		return false;
	*ns = sec * 1000000000ULL + frac;
	return true;
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

/*
 * Checks an ID|NAME argument before anything is opened: an id is 1 to
 * INT_MAX (what MBOX_IOC_CREATE returns), a name a valid name.  On a bad
 * one, sets *@status to the usage error's and returns false.
 */
bool check_mailbox_arg(const struct command *cmd, const char *arg, int *status)
{
	unsigned int id;

	if (is_decimal(arg)) {
		if (!parse_u32(arg, &id) || !id || id > INT_MAX) {
			*status = usage_error(cmd, "invalid mailbox id", arg);
			return false;
		}
		return true;
	}
	if (!valid_name(arg)) {
		*status = usage_error(cmd, "invalid mailbox name", arg);
		return false;
	}
	return true;
}

/*
 * "mboxctl: mailbox ARG: strerror(ERR)", except that ENOENT, which the
 * module gives for an unknown id or name, reads "No such mailbox" rather
 * than "No such file or directory".
 */
void mailbox_error(const char *arg, int err)
{
	fprintf(stderr, "mboxctl: mailbox %s: %s\n", arg,
		err == ENOENT ? "No such mailbox" : strerror(err));
}

/* The exit status for a failed call: 3 for a timeout, else 1. */
int errno_status(int err)
{
	return err == ETIMEDOUT ? EXIT_TIMEOUT : EXIT_FAILURE;
}

/*
 * The id named by @arg (checked by check_mailbox_arg()): the number
 * itself, or the id MBOX_IOC_LOOKUP finds for a name.  0 after printing
 * why there is none.
 */
unsigned int resolve_mailbox(int fd, const char *arg)
{
	unsigned int id;
	int ret;

	if (is_decimal(arg) && parse_u32(arg, &id))
		return id;
	if (!(module_features(fd) & MBOX_FEATURE_NAMES)) {
		fprintf(stderr, "mboxctl: mailbox %s: this mbox module has no names\n",
			arg);
		return 0;
	}
	ret = mbox_lookup(fd, arg);
	if (ret < 0) {
		mailbox_error(arg, -ret);
		return 0;
	}
	return ret;
}

/*
 * Prints @len bytes as a JSON string: printable ASCII as itself (with '"'
 * and '\' escaped), every other byte as \u00XX, so a binary message maps
 * to a string whose code points are its bytes.
 */
void print_json_bytes(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	putchar('"');
	for (i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] > 0x7e)
			printf("\\u%04x", p[i]);
		else
			putchar(p[i]);
	}
	putchar('"');
}

void print_json_string(const char *s)
{
	print_json_bytes(s, strlen(s));
}

/* The name in @st, which the module terminates; a bad one shows as "". */
const char *stat_name(const struct mbox_stat *st)
{
	return memchr(st->name, '\0', sizeof(st->name)) ? st->name : "";
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
			return bad_option(NULL, argv, false);
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
