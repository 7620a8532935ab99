#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Count the TAP result lines of FILE ("ok ..." and "not ok ..." at the start
# of a line; "ok ... # SKIP" is a skip).  Print, as TAP comments, the counts
# of each kernel (result lines tagged "[6.1]", "[6.12]", "[7.x]", "[debug]") and of
# the rest, then the summary of them all: "N passed, N failed" (and
# ", N skipped" if any).  Exit status 1 if anything failed or nothing passed.
set -euo pipefail

awk '
function count(part, what) {
	n[part, what]++
	if (!(part in seen)) {
		seen[part] = 1
		order[++parts] = part
	}
}
function line(part) {
	s = sprintf("%d passed, %d failed", n[part, "p"], n[part, "f"])
	if (n[part, "s"])
		s = s sprintf(", %d skipped", n[part, "s"])
	return s
}
/^(not )?ok / {
	part = "build and static checks"
	if (match($0, /^(not )?ok( [0-9]+)?( -)? \[[a-z0-9.x]+\] /)) {
		part = substr($0, 1, RLENGTH - 1)
		sub(/.*\[/, "", part)
		sub(/\]$/, "", part)
		part = part " kernel"
	}
	what = /^not ok / ? "f" : /# [Ss][Kk][Ii][Pp]/ ? "s" : "p"
	count(part, what)
	count("", what)
}
END {
	for (i = 1; i <= parts; i++)
		if (order[i] != "")
			printf "# %s: %s\n", order[i], line(order[i])
	print line("")
	exit (n["", "f"] || !n["", "p"])
}' "$1"
