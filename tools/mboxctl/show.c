// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl list, stat and info: the figures of MBOX_IOC_STAT (walked with
 * MBOX_STAT_NEXT for list) and MBOX_IOC_INFO, as text or JSON.
 *
 * The figures added after ABI version 1 (blocked senders and receivers,
 * last pids and times, totals) are shown only when MBOX_IOC_INFO reports
 * MBOX_FEATURE_STAT_EXT, names only with MBOX_FEATURE_NAMES, and owner and
 * mode only with MBOX_FEATURE_PERMS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mboxctl.h"

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
	"batch",		/* MBOX_FEATURE_BATCH */
	"fd_ioctl",		/* MBOX_FEATURE_FD_IOCTL */
	"msg_charge",		/* MBOX_FEATURE_MSG_CHARGE */
	"ns_shares",		/* MBOX_FEATURE_NS_SHARES */
	"kernel_names",		/* MBOX_FEATURE_KERNEL_NAMES */
	"sendrecv",		/* MBOX_FEATURE_SENDRECV */
	"ring",			/* MBOX_FEATURE_RING */
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
		if (bit < ARRAY_SIZE(feature_names) && feature_names[bit])
			printf("%s", feature_names[bit]);
		else
			printf("bit%u", bit);
		printf("%s", q);
		first = false;
	}
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
#ifdef MBOX_STAT_SIZE_VER4
	if (f->perms)
		printf(",\"uid\":%u,\"gid\":%u,\"cuid\":%u,\"cgid\":%u,\"mode\":%u",
		       st->uid, st->gid, st->cuid, st->cgid, st->mode);
#endif
	putchar('}');
}

/* The columns of list, in order; the name comes last, whole. */
enum { COL_ID, COL_OWNER, COL_MODE, COL_FILL, COL_BYTES, COL_SIZE, COL_SENT,
	COL_RECV, COL_BSEND, COL_BRECV, COL_NAME, NR_COLS };

/* The widest column: a name. */
#define COL_MAX		MBOX_NAME_MAX

static const int col_width[NR_COLS] = { 10, 10, 6, 15, 12, 14, 12, 12, 13, 13, 0 };

/*
 * Prints a line of the list: owner and mode only with permissions.  The
 * name comes last, whole, since it may hold spaces; without one, the
 * padding before it is left out.
 */
static void print_list_line(char cols[NR_COLS][COL_MAX], bool perms)
{
	char line[512];
	size_t len = 0;
	int i;

	for (i = 0; i < NR_COLS; i++) {
		if (!perms && (i == COL_OWNER || i == COL_MODE))
			continue;
		len += snprintf(line + len, sizeof(line) - len, "%-*s%s",
				col_width[i], cols[i], i == COL_NAME ? "" : " ");
	}
	while (len && line[len - 1] == ' ')
		len--;
	printf("%.*s\n", (int)len, line);
}

static void print_list_row(const struct mbox_stat *st,
			   const struct stat_features *f)
{
	char cols[NR_COLS][COL_MAX] = { { 0 } };

	snprintf(cols[COL_ID], COL_MAX, "%u", st->id);
#ifdef MBOX_STAT_SIZE_VER4
	snprintf(cols[COL_OWNER], COL_MAX, "%u", st->uid);
	snprintf(cols[COL_MODE], COL_MAX, "%04o", st->mode & 07777);
#endif
	snprintf(cols[COL_FILL], COL_MAX, "%u/%u", st->msgs, st->capacity);
	snprintf(cols[COL_BYTES], COL_MAX, "%llu", (unsigned long long)st->bytes);
	snprintf(cols[COL_SIZE], COL_MAX, "%u", st->max_msg_size);
	snprintf(cols[COL_SENT], COL_MAX, "%llu", (unsigned long long)st->sent_msgs);
	snprintf(cols[COL_RECV], COL_MAX, "%llu", (unsigned long long)st->recv_msgs);
	strcpy(cols[COL_BSEND], "-");
	strcpy(cols[COL_BRECV], "-");
	if (f->ext) {
		snprintf(cols[COL_BSEND], COL_MAX, "%u", st->blocked_senders);
		snprintf(cols[COL_BRECV], COL_MAX, "%u", st->blocked_receivers);
	}
	snprintf(cols[COL_NAME], COL_MAX, "%s", stat_name(st));
	print_list_line(cols, f->perms);
}

static void print_list_header(const struct stat_features *f)
{
	static const char *const names[NR_COLS] = {
		"id", "owner", "mode", "msgs/capacity", "bytes", "max-msg-size",
		"sent", "received", "blocked-send", "blocked-recv", "name",
	};
	char cols[NR_COLS][COL_MAX];
	int i;

	for (i = 0; i < NR_COLS; i++)
		snprintf(cols[i], COL_MAX, "%s", names[i]);
	print_list_line(cols, f->perms);
}

int cmd_list(const struct command *cmd, int argc, char **argv)
{
	struct stat_features f;
	struct mbox_stat st;
	unsigned int next = 1;
	int ret, err, fd, n = 0;

	ret = no_arguments(cmd, argc, argv);
	if (ret >= 0)
		return ret;

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	f = stat_features(fd);

	if (json)
		putchar('[');
	else
		print_list_header(&f);
	ret = EXIT_SUCCESS;
	for (;;) {
		err = mbox_stat_next(fd, next, &st, sizeof(st));
		if (err < 0) {
			if (err != -ENOENT) {
				fprintf(stderr, "mboxctl: mailbox %u: %s\n", next,
					strerror(-err));
				ret = EXIT_FAILURE;
			}
			break;
		}
		if (json) {
			if (n)
				putchar(',');
			print_stat_json(&st, &f);
		} else {
			print_list_row(&st, &f);
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
	unsigned long long now = mbox_now_ns();

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

static const struct option stat_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_stat(const struct command *cmd, int argc, char **argv)
{
	struct stat_features f;
	struct mbox_stat st;
	const char *arg, *name;
	unsigned int id;
	int ret, fd;

	ret = parse_options(cmd, argc, argv, ":jh", stat_options, NULL, NULL);
	if (ret >= 0)
		return ret;
	if (optind >= argc)
		return usage_error(cmd, "missing mailbox id or name", NULL);
	if (optind + 1 < argc)
		return usage_error(cmd, "unexpected argument", argv[optind + 1]);
	arg = argv[optind];
	if (!check_mailbox_arg(cmd, arg, &ret))
		return ret;

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	f = stat_features(fd);
	id = resolve_mailbox(fd, arg);
	if (!id) {
		close(fd);
		return EXIT_FAILURE;
	}
	ret = mbox_stat(fd, id, &st, sizeof(st));
	if (ret < 0) {
		mailbox_error(arg, -ret);
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
#ifdef MBOX_STAT_SIZE_VER4
	if (f.perms) {
		printf("uid:                %u\n", st.uid);
		printf("gid:                %u\n", st.gid);
		printf("cuid:               %u\n", st.cuid);
		printf("cgid:               %u\n", st.cgid);
		printf("mode:               %04o\n", st.mode & 07777);
	}
#endif
	return EXIT_SUCCESS;
}

/*
 * The module's version (MODULE_VERSION), from sysfs: @buf, or "" if it
 * cannot be read (sysfs not mounted, a module built in).
 */
static const char *module_version(char *buf, size_t size)
{
	FILE *f = fopen("/sys/module/mbox/version", "re");
	size_t len;

	buf[0] = '\0';
	if (!f)
		return buf;
	if (!fgets(buf, size, f))
		buf[0] = '\0';
	fclose(f);
	len = strlen(buf);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return buf;
}

#ifdef MBOX_INFO_SIZE_VER3
/*
 * Print @n named numbers of MBOX_IOC_INFO: as ",\"name\":value" members
 * of the JSON object being printed, or as aligned "name: value" lines.
 */
static void print_fields(const char *const *names,
			 const unsigned long long *vals, size_t n, bool as_json)
{
	char label[32];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "%s:", names[i]);
		if (as_json)
			printf(",\"%s\":%llu", names[i], vals[i]);
		else
			printf("%-24s%llu\n", label, vals[i]);
	}
}
#endif

/*
 * The limits and usage of MBOX_FEATURE_LIMITS (struct mbox_info version 3),
 * as JSON members or text lines; nothing without the feature, or with a
 * header that predates it.
 */
static void print_limits(const struct mbox_info *info, bool as_json)
{
#ifdef MBOX_INFO_SIZE_VER3
	static const char *const names[] = {
		"max_mailboxes_per_ns", "max_mailboxes_per_user", "max_bytes",
		"max_bytes_per_user", "pool_bytes", "user_bytes",
		"user_mailboxes", "ns_mailboxes",
	};
	const unsigned long long vals[] = {
		info->max_mailboxes_per_ns, info->max_mailboxes_per_user,
		info->max_bytes, info->max_bytes_per_user, info->pool_bytes,
		info->user_bytes, info->user_mailboxes, info->ns_mailboxes,
	};

	if (info->features & MBOX_FEATURE_LIMITS)
		print_fields(names, vals, ARRAY_SIZE(names), as_json);
#else
	(void)info;
	(void)as_json;
#endif
}

/*
 * The shares of MBOX_FEATURE_NS_SHARES (struct mbox_info version 4), as
 * print_limits() prints those of MBOX_FEATURE_LIMITS.  shared_bytes and
 * shared_mailboxes are 0 outside the initial IPC namespace.
 */
static void print_shares(const struct mbox_info *info, bool as_json)
{
#ifdef MBOX_INFO_SIZE_VER4
	static const char *const names[] = {
		"max_bytes_per_ns", "shared_bytes", "shared_mailboxes",
	};
	const unsigned long long vals[] = {
		info->max_bytes_per_ns, info->shared_bytes,
		info->shared_mailboxes,
	};

	if (info->features & MBOX_FEATURE_NS_SHARES)
		print_fields(names, vals, ARRAY_SIZE(names), as_json);
#else
	(void)info;
	(void)as_json;
#endif
}

int cmd_info(const struct command *cmd, int argc, char **argv)
{
	struct mbox_info info;
	char version[64];
	int ret, fd;
	bool ext;

	ret = no_arguments(cmd, argc, argv);
	if (ret >= 0)
		return ret;

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	ret = mbox_info(fd, &info, sizeof(info));
	if (ret < 0) {
		fprintf(stderr, "mboxctl: %s: %s\n", LIBMBOX_DEVICE, strerror(-ret));
		close(fd);
		return EXIT_FAILURE;
	}
	close(fd);

	ext = info.features & MBOX_FEATURE_STAT_EXT;
	module_version(version, sizeof(version));
	if (json) {
		printf("{\"version\":");
		print_json_string(version);
		printf(",\"abi_version\":%u,\"features\":%llu,\"feature_names\":[",
		       info.abi_version, (unsigned long long)info.features);
		print_feature_names(info.features, ",", true);
		printf("],\"max_mailboxes\":%u,\"max_capacity\":%u,\"max_msg_size\":%u,",
		       info.max_mailboxes, info.max_capacity, info.max_msg_size);
		printf("\"nr_mailboxes\":%u", info.nr_mailboxes);
		if (ext)
			printf(",\"total_msgs\":%llu,\"total_bytes\":%llu",
			       (unsigned long long)info.total_msgs,
			       (unsigned long long)info.total_bytes);
		print_limits(&info, true);
		print_shares(&info, true);
		printf("}\n");
		return EXIT_SUCCESS;
	}
	printf("version:        %s\n", *version ? version : "-");
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
	print_limits(&info, false);
	print_shares(&info, false);
	return EXIT_SUCCESS;
}

