// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libmbox: timeouts as struct timespec or nanoseconds, on CLOCK_MONOTONIC.
 * See mbox_send(3).
 */
#include <time.h>

#include "internal.h"

#define NSEC_PER_SEC	1000000000ULL

/*
 * *@ts in nanoseconds into *@ns: 0, or -EINVAL if @ts is negative or its
 * tv_nsec is not below one second.  A time beyond UINT64_MAX nanoseconds
 * (about 584 years) is UINT64_MAX, which no wait reaches.
 */
MBOX_EXPORT int mbox_timespec_to_ns(const struct timespec *ts, uint64_t *ns)
{
	uint64_t sec;

	if (ts->tv_sec < 0 || ts->tv_nsec < 0 ||
	    (uint64_t)ts->tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	sec = (uint64_t)ts->tv_sec;
	if (sec > (UINT64_MAX - (uint64_t)ts->tv_nsec) / NSEC_PER_SEC)
		*ns = UINT64_MAX;
	else
		*ns = sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
	return 0;
}

/*
 * clock_gettime(CLOCK_MONOTONIC) in nanoseconds, the clock of
 * MBOX_TIMEOUT_ABS deadlines and of the times the module reports.
 */
MBOX_EXPORT uint64_t mbox_now_ns(void)
{
	struct timespec ts;
	int saved = errno;
	uint64_t ns = 0;

	if (!clock_gettime(CLOCK_MONOTONIC, &ts))
		mbox_timespec_to_ns(&ts, &ns);
	errno = saved;
	return ns;
}
