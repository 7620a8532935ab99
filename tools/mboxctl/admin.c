// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl create and rm: mbox_create() and mbox_destroy() (libmbox).
 *
 * A mailbox created with MBOX_CREATE_AUTODESTROY is destroyed when the
 * file it was created through is closed for the last time, that is when
 * mboxctl exits.  So `create --auto-destroy` is refused unless --wait keeps
 * mboxctl, and the mailbox, alive: until a signal ends it or its standard
 * input reaches end of file (so `mboxctl create -a -w NAME <&-`... or a
 * pipe whose writer is a script ties the mailbox to the script's life).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mboxctl.h"

struct create_opts {
	unsigned int capacity;
	unsigned int size;
	bool size_set;
	unsigned int mode;
	bool mode_set;
	bool excl;
	bool autodestroy;
	bool wait;
};

static const struct option create_options[] = {
	{ "capacity", required_argument, NULL, 'c' },
	{ "size", required_argument, NULL, 's' },
	{ "mode", required_argument, NULL, 'm' },
	{ "excl", no_argument, NULL, 'x' },
	{ "auto-destroy", no_argument, NULL, 'a' },
	{ "wait", no_argument, NULL, 'w' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* An octal mode of at most 0777. */
static bool parse_mode(const char *s, unsigned int *mode)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '7')
		return false;
	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || *end || v > 0777)
		return false;
	*mode = v;
	return true;
}

static int create_option(const struct command *cmd, int c, const char *arg,
			 void *ctx)
{
	struct create_opts *o = ctx;

	switch (c) {
	case 'c':
		if (!parse_u32(arg, &o->capacity))
			return usage_error(cmd, "invalid capacity", arg);
		break;
	case 's':
		if (!parse_u32(arg, &o->size))
			return usage_error(cmd, "invalid size", arg);
		o->size_set = true;
		break;
	case 'm':
		if (!parse_mode(arg, &o->mode))
			return usage_error(cmd, "invalid mode (octal, at most 0777)", arg);
		o->mode_set = true;
		break;
	case 'x':
		o->excl = true;
		break;
	case 'a':
		o->autodestroy = true;
		break;
	case 'w':
		o->wait = true;
		break;
	default:
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * Hold the device file (and so its auto-destroyed mailboxes) open until
 * SIGINT, SIGTERM or SIGHUP.
 */
static void wait_for_signal(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigwait(&set, &sig);
}

int cmd_create(const struct command *cmd, int argc, char **argv)
{
	struct create_opts o = { .capacity = 16, .size = 4096 };
	unsigned long long features;
	unsigned long long flags = 0;
	unsigned int mode = 0;
	struct mbox_info info;
	const char *name = NULL;
	int ret, fd, id;

	ret = parse_options(cmd, argc, argv, ":c:s:m:xawjh", create_options,
			    create_option, &o);
	if (ret >= 0)
		return ret;
	if (optind < argc) {
		name = argv[optind];
		if (optind + 1 < argc)
			return usage_error(cmd, "unexpected argument", argv[optind + 1]);
		/* An all-digit name could not be told from an id later. */
		if (!name[strspn(name, "0123456789")])
			return usage_error(cmd, "a name must not be a number", name);
		if (!check_mailbox_arg(cmd, name, &ret))
			return ret;
	}
	if (o.excl && !name)
		return usage_error(cmd, "--excl needs a NAME", NULL);
	if (o.autodestroy && !o.wait)
		return usage_error(cmd,
				   "--auto-destroy needs --wait: the mailbox is destroyed when mboxctl exits",
				   NULL);

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	ret = mbox_info(fd, &info, sizeof(info));
	if (ret < 0) {
		fprintf(stderr, "mboxctl: %s: %s\n", LIBMBOX_DEVICE, strerror(-ret));
		goto fail;
	}
	features = info.features;
	if (!o.size_set && o.size > info.max_msg_size)
		o.size = info.max_msg_size;

	if (o.excl)
		flags |= MBOX_CREATE_EXCL;
	if (o.autodestroy)
		flags |= MBOX_CREATE_AUTODESTROY;
	if (name && !(features & MBOX_FEATURE_NAMES)) {
		fprintf(stderr, "mboxctl: mailbox %s: %s\n", name,
			"names are not supported by this module");
		goto fail;
	}
	if (o.mode_set) {
		if (!(features & MBOX_FEATURE_PERMS)) {
			fprintf(stderr, "mboxctl: --mode: %s\n",
				"not supported by this module (no perms feature)");
			goto fail;
		}
		flags |= MBOX_CREATE_MODE;	/* the mode is used only with it */
		mode = o.mode;
	}
	if (o.autodestroy && !(features & MBOX_FEATURE_AUTODESTROY)) {
		fprintf(stderr, "mboxctl: --auto-destroy: not supported by this module\n");
		goto fail;
	}

	id = mbox_create(fd, name, o.capacity, o.size, flags, mode);
	if (id < 0) {
		if (name)
			mailbox_error(name, -id);
		else
			fprintf(stderr, "mboxctl: create: %s\n", strerror(-id));
		goto fail;
	}
	if (json)
		printf("{\"id\":%d}\n", id);
	else
		printf("%d\n", id);
	if (o.wait) {
		fflush(stdout);
		wait_for_signal();
	}
	close(fd);
	return EXIT_SUCCESS;

fail:
	close(fd);
	return EXIT_FAILURE;
}

static const struct option rm_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_rm(const struct command *cmd, int argc, char **argv)
{
	unsigned int id;
	int ret, fd, i, status = EXIT_SUCCESS;

	ret = parse_options(cmd, argc, argv, ":h", rm_options, NULL, NULL);
	if (ret >= 0)
		return ret;
	if (optind >= argc)
		return usage_error(cmd, "missing mailbox id or name", NULL);
	for (i = optind; i < argc; i++) {
		if (!check_mailbox_arg(cmd, argv[i], &ret))
			return ret;
	}

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	for (i = optind; i < argc; i++) {
		id = resolve_mailbox(fd, argv[i]);
		if (!id) {
			status = EXIT_FAILURE;
			continue;
		}
		ret = mbox_destroy(fd, id);
		if (ret < 0) {
			mailbox_error(argv[i], -ret);
			status = EXIT_FAILURE;
		}
	}
	close(fd);
	return status;
}
