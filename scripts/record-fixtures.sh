#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Record /proc/tcpwave captures from a real VM run, for the viewer's unit
# tests (tests/fixtures/vm-*.txt), and the normalized ladders the VM tests
# expect (tests/vm/expected/*.ladder).  Review the diff before committing:
# this rewrites expected output from what the code does now.
#
# Usage: scripts/record-fixtures.sh [--kernel VERSION]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$top/scripts/vm-run.sh" "$@" -- '
set -e
for s in "client-close client-close" "server-close server-close" \
	 "ipv6 -6 client-close" "refused refused" "abort abort" \
	 "many -n 20 -c 4 many"; do
	set -- $s
	name=$1
	shift
	insmod /tcpwave.ko
	tcpwave-traffic "$@" >/dev/null
	# The client'"'"'s TIME_WAIT ends 60 s (TCP_TIMEWAIT_LEN) later.
	[ "$name" != client-close ] || sleep 64
	echo "@@fixture $name"
	cat /proc/tcpwave
	rmmod tcpwave
done
' >"$out"

awk -v dir="$top/tests/fixtures" '
	/^@@fixture / { file = dir "/vm-" $2 ".txt"; printf "" > file; next }
	file { print >> file }' "$out"
for s in client-close server-close; do
	"$top/userspace/tcpwave" "$top/tests/fixtures/vm-$s.txt" |
		sed -E -f "$top/tests/vm/normalize.sed" \
		>"$top/tests/vm/expected/$s.ladder"
done
echo "record-fixtures.sh: wrote tests/fixtures/vm-*.txt and tests/vm/expected/*.ladder"
