#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make check: run the test suites, each of which prints TAP, and close
# with one line "N passed, N failed".  Exit status 0 only when nothing
# failed and every suite ran.
#
# Usage: tests/check.sh [SUITE]...     SUITE: style, unit, fuzz, install,
#                                       harness, vm, bench, debug
#                                       (default: all but debug)
#
# The VM suite runs once per kernel of the test matrix, as suites vm:6.1,
# vm:6.12 and vm:6.12-rt.  KERNELS="6.1 6.12" picks other kernels: each a
# flavour of scripts/kernel-version.sh (6.1, 6.12, 6.12-rt) or a Debian
# kernel version (6.1.0-NN-amd64), installed by scripts/deps.sh.  Naming
# one, "vm:6.12", runs that kernel alone.
#
# The debug suite is the VM suite on the debug kernel
# (scripts/debug-kernel.sh; make check-debug).
top=$(cd "$(dirname "$0")/.." && pwd)
logdir=${TMPDIR:-/tmp}/tcpwave-check.$$
mkdir -p "$logdir"
trap 'rm -rf "$logdir"' EXIT

[ $# -gt 0 ] || set -- style unit fuzz install harness vm bench
kernels=${KERNELS:-6.1 6.12 6.12-rt}
# vm: one suite per kernel.
for suite in "$@"; do
	shift
	if [ "$suite" = vm ]; then
		for k in $kernels; do set -- "$@" "vm:$k"; done
	else
		set -- "$@" "$suite"
	fi
done
passed=0
failed=0
for suite in "$@"; do
	case $suite in
	unit) cmd="$top/tests/unit/run.sh" ;;
	fuzz) cmd="$top/tests/fuzz/run.sh" ;;
	install) cmd="$top/tests/install/run.sh" ;;
	vm:?*) cmd="$top/tests/vm/run.sh --kernel ${suite#vm:}" ;;
	harness) cmd="$top/tests/vm/harness.sh" ;;
	style) cmd="$top/tests/style/run.sh" ;;
	debug) cmd="env SOAK_CONNS=${SOAK_CONNS:-20000} $top/tests/vm/run.sh --kernel debug --timeout ${TCPWAVE_DEBUG_TIMEOUT:-5400}" ;;
	bench) cmd="$top/scripts/bench.sh --short -o $logdir/bench.md" ;;
	*) echo "check.sh: unknown suite '$suite' (style, unit, fuzz, install, harness, vm, bench, debug)" >&2; exit 2 ;;
	esac
	echo "== $suite: $cmd"
	# shellcheck disable=SC2086
	(cd "$top" && $cmd) >"$logdir/$suite.tap" 2>&1
	status=$?
	cat "$logdir/$suite.tap"
	p=$(grep -c '^ok ' "$logdir/$suite.tap")
	f=$(grep -c '^not ok ' "$logdir/$suite.tap")
	if [ "$status" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - suite $suite exited with status $status"
		f=1
	fi
	if [ "$p" = 0 ] && [ "$f" = 0 ]; then
		echo "not ok - suite $suite ran no test"
		f=1
	fi
	echo "== $suite: $p passed, $f failed"
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
