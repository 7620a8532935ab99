#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Count the TAP result lines of FILE ("ok ..." and "not ok ..." at the start
# of a line; "ok ... # SKIP" is a skip) and print "N passed, N failed" (and
# ", N skipped" if any).  Exit status 1 if anything failed or nothing passed.
set -euo pipefail

awk '
/^ok /     { if (/# [Ss][Kk][Ii][Pp]/) skipped++; else passed++ }
/^not ok / { failed++ }
END {
	line = sprintf("%d passed, %d failed", passed, failed)
	if (skipped)
		line = line sprintf(", %d skipped", skipped)
	print line
	exit (failed || !passed)
}' "$1"
