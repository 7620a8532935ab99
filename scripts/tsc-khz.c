// SPDX-License-Identifier: GPL-2.0
/*
 * tsc-khz - print this machine's TSC frequency in kHz, measured.
 *
 * scripts/vm.sh boots the debug kernel with tsc_early_khz=<this>
 * tsc=reliable: without ACPI that kernel has no timer to calibrate the
 * TSC against, and under TCG the guest's TSC is the host's.  The host's
 * own figure is in its boot log only, so count TSC ticks against
 * CLOCK_MONOTONIC_RAW over a fifth of a second, three times, and print
 * the median.  Exits 1 (printing nothing) where there is no usable TSC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned long long measure_khz(void)
{
	struct timespec pause = { 0, 200000000 };
	unsigned long long t0, t1, c0, c1;

	t0 = now_ns();
	c0 = __rdtsc();
	nanosleep(&pause, NULL);
	t1 = now_ns();
	c1 = __rdtsc();
	if (t1 <= t0 || c1 <= c0)
		return 0;
	return (c1 - c0) * 1000000ULL / (t1 - t0);
}

int main(void)
{
	unsigned long long k[3], t;
	int i, j;

	for (i = 0; i < 3; i++) {
		k[i] = measure_khz();
		for (j = i; j > 0 && k[j] < k[j - 1]; j--) {
			t = k[j];
			k[j] = k[j - 1];
			k[j - 1] = t;
		}
	}
	/* Three readings that disagree by more than 1 %: no stable TSC. */
	if (!k[0] || (k[2] - k[0]) * 100 > k[1])
		return 1;
	printf("%llu\n", k[1]);
	return 0;
}
#else
int main(void)
{
	return 1;
}
#endif
