/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mboxctl: what the subcommands share.
 *
 *   main.c   the command table, usage, option parsing, mailbox lookup,
 *            errors and JSON helpers
 *   show.c   list, stat, info: reading figures
 *   watch.c  watch: message rates, refreshed
 *   admin.c  create, rm
 *   msg.c    send, recv
 */
#ifndef MBOXCTL_H
#define MBOXCTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <mbox.h>	/* libmbox, and <linux/mbox.h> */

/* Exit status: 0 success, 1 failure (EXIT_FAILURE), and these. */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_TIMEOUT	3	/* --timeout expired (ETIMEDOUT) */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct command {
	const char *name;
	const char *args;	/* synopsis after the name */
	const char *summary;	/* one line, for mboxctl --help */
	const char *help;	/* the text of mboxctl NAME --help */
	int (*run)(const struct command *cmd, int argc, char **argv);
};

/* Set by -j/--json, globally or after the subcommand. */
extern bool json;

/* main.c */
int usage_error(const struct command *cmd, const char *msg, const char *arg);

/*
 * Called by parse_options() for each option other than -j and -h; returns
 * 0, or an exit status after printing why the option is bad.
 */
typedef int (*option_fn)(const struct command *cmd, int c, const char *arg,
			 void *ctx);
int parse_options(const struct command *cmd, int argc, char **argv,
		  const char *shortopts, const struct option *longopts,
		  option_fn fn, void *ctx);
int no_arguments(const struct command *cmd, int argc, char **argv);

int open_device(void);
unsigned long long module_features(int fd);
bool parse_u32(const char *s, unsigned int *val);
bool parse_seconds(const char *s, unsigned long long *ns);
bool check_mailbox_arg(const struct command *cmd, const char *arg, int *status);
unsigned int resolve_mailbox(int fd, const char *arg);
void mailbox_error(const char *arg, int err);
int errno_status(int err);
void print_json_string(const char *s);
void print_json_bytes(const void *buf, size_t len);
const char *stat_name(const struct mbox_stat *st);

/* show.c */
int cmd_list(const struct command *cmd, int argc, char **argv);
int cmd_stat(const struct command *cmd, int argc, char **argv);
int cmd_info(const struct command *cmd, int argc, char **argv);

/* watch.c */
int cmd_watch(const struct command *cmd, int argc, char **argv);

/* admin.c */
int cmd_create(const struct command *cmd, int argc, char **argv);
int cmd_rm(const struct command *cmd, int argc, char **argv);

/* msg.c */
int cmd_send(const struct command *cmd, int argc, char **argv);
int cmd_recv(const struct command *cmd, int argc, char **argv);

#endif /* MBOXCTL_H */
