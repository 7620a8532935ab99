// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints' definitions: trace.h, read once with CREATE_TRACE_POINTS.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
