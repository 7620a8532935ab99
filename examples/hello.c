// SPDX-License-Identifier: GPL-2.0
/* hello - the smallest mbox program: create, send, receive, destroy. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <linux/mbox.h>

int main(void)
{
	int fd = open("/dev/mbox", O_RDWR | O_CLOEXEC);
	struct mbox_create c = { .capacity = 16, .max_msg_size = 256 };
	int id = ioctl(fd, MBOX_IOC_CREATE, &c);
	char out[256];
	struct mbox_send s = { .id = id, .buf = (uintptr_t)"hello", .len = 5 };
	struct mbox_recv r = { .id = id, .buf = (uintptr_t)out, .len = sizeof(out) };
	struct mbox_destroy d = { .id = id };

	if (fd < 0 || id < 0 || ioctl(fd, MBOX_IOC_SEND, &s) ||
	    ioctl(fd, MBOX_IOC_RECV, &r) < 0) {
		perror("mbox");
		return 1;
	}
	printf("%.*s\n", (int)r.len, out);
	return ioctl(fd, MBOX_IOC_DESTROY, &d) ? 1 : 0;
}
