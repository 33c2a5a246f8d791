# SPDX-License-Identifier: GPL-2.0
#
# tests/tap.sh - the TAP counters of the host-side suites (unit, fuzz,
# install), sourced by each: result and skip print one "ok N" or
# "not ok N" line each and count; the suite prints "1..$n" at its end
# and exits non-zero if $failed.

n=0
failed=0

# result STATUS NAME: one TAP line; details already went out as "# ".
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

# skip NAME WHY: a test that cannot run here.
skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}
