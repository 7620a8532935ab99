// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl create and rm: MBOX_IOC_CREATE and MBOX_IOC_DESTROY.
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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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

/* Does <linux/mbox.h> have struct mbox_create's mode (issue 4's VER3)? */
#ifdef MBOX_CREATE_SIZE_VER3
#define MODE_IN_HEADER	1
static void set_mode(struct mbox_create *arg, unsigned int mode)
{
	arg->mode = mode;
#ifdef MBOX_CREATE_MODE
	arg->flags |= MBOX_CREATE_MODE;	/* @mode is used only with it */
#endif
}
#else
#define MODE_IN_HEADER	0
static void set_mode(struct mbox_create *arg, unsigned int mode)
{
	(void)arg;
	(void)mode;
}
#endif

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
	struct mbox_create arg;
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
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, MBOX_IOC_INFO, &info) < 0) {
		fprintf(stderr, "mboxctl: %s: %s\n", MBOX_DEVICE, strerror(errno));
		goto fail;
	}
	features = info.features;
	if (!o.size_set && o.size > info.max_msg_size)
		o.size = info.max_msg_size;

	memset(&arg, 0, sizeof(arg));
	arg.capacity = o.capacity;
	arg.max_msg_size = o.size;
	if (o.excl)
		arg.flags |= MBOX_CREATE_EXCL;
	if (o.autodestroy)
		arg.flags |= MBOX_CREATE_AUTODESTROY;
	if (name) {
		if (!(features & MBOX_FEATURE_NAMES)) {
			fprintf(stderr, "mboxctl: mailbox %s: %s\n", name,
				"names are not supported by this module");
			goto fail;
		}
		arg.name = (uintptr_t)name;
	}
	if (o.mode_set) {
		if (!(features & MBOX_FEATURE_PERMS) || !MODE_IN_HEADER) {
			fprintf(stderr, "mboxctl: --mode: %s\n",
				"not supported by this module (no perms feature)");
			goto fail;
		}
		set_mode(&arg, o.mode);
	}
	if (o.autodestroy && !(features & MBOX_FEATURE_AUTODESTROY)) {
		fprintf(stderr, "mboxctl: --auto-destroy: not supported by this module\n");
		goto fail;
	}

	id = ioctl(fd, MBOX_IOC_CREATE, &arg);
	if (id < 0) {
		if (name)
			mailbox_error(name, errno);
		else
			fprintf(stderr, "mboxctl: create: %s\n", strerror(errno));
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
	struct mbox_destroy arg;
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
		memset(&arg, 0, sizeof(arg));
		arg.id = resolve_mailbox(fd, argv[i]);
		if (!arg.id) {
			status = EXIT_FAILURE;
			continue;
		}
		if (ioctl(fd, MBOX_IOC_DESTROY, &arg) < 0) {
			mailbox_error(argv[i], errno);
			status = EXIT_FAILURE;
		}
	}
	close(fd);
	return status;
}
