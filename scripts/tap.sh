# SPDX-License-Identifier: GPL-2.0
# Sourced by the check scripts: report STATUS DESCRIPTION [FINDINGS-FILE]
# prints one TAP line, "ok" for status 0, and under a "not ok" the
# findings, each line as a TAP comment.  It always returns 0, so a failed
# check never stops the script under set -e.
report() {
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
		[ -s "${3:-}" ] && sed 's/^/#   /' "$3"
	fi
	return 0
}
