#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The VM test suite, host side: boot the test VM once with tests/vm/ added
# and run tests/vm/guest.sh in it.  Prints the guest's TAP, plus a failing
# line when the VM itself failed (panic, oops, WARNING, hang): see the
# exit status of scripts/vm-run.sh.
#
# The VM also gets the scenario tools (tests/vm/scenarios.sh --flags: ip,
# tc, tcpdump, tcpstates and the network modules), so that guest.sh can
# use netsetup.sh, capture.sh and tcpstates.sh.
#
# Usage: tests/vm/run.sh [--kernel VERSION] [--timeout SECONDS]
#
# SOAK_CONNS=N sets the soak's number of connections (tests/vm/load.sh,
# 100000); the debug suite uses fewer, its kernel being slower.
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck disable=SC2046
"$top/scripts/vm-run.sh" $(sh "$top/tests/vm/scenarios.sh" --flags) \
	--add "$top/tests/vm" --timeout 3600 "$@" -- \
	"SOAK_CONNS=${SOAK_CONNS:-100000} sh /add/vm/guest.sh"
status=$?
if [ $status != 0 ]; then
	echo "not ok - the VM run exited with status $status"
	exit 1
fi
