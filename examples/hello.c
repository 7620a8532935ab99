// SPDX-License-Identifier: GPL-2.0
/* hello - the smallest mbox program: create, send, receive, destroy. */
#include <stdio.h>
#include <string.h>
#include <mbox.h>

int main(void)
{
	char out[256];
	int dev = mbox_open(0);
	int id = dev < 0 ? dev : mbox_create(dev, NULL, 16, 256, 0, 0);
	int ret = id < 0 ? id : mbox_send(dev, id, "hello", 5, 0);
	ssize_t len = ret < 0 ? ret : mbox_recv(dev, id, out, sizeof(out), 0);

	if (len < 0)
		return fprintf(stderr, "mbox: %s\n", strerror((int)-len)), 1;
	printf("%.*s\n", (int)len, out);
	return mbox_destroy(dev, id) < 0;
}
