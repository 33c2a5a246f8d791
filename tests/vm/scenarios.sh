#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# scenarios.sh - host side: boot the test VM once with the network tools
# and run tcpwave-traffic scenarios in it through tests/vm/scenario.sh,
# each with its tcpdump capture.
#
# Usage: tests/vm/scenarios.sh [--kernel VERSION] [--tcpstates] [--tcpwave]
#                              ["[TRAFFIC-OPTION]... SCENARIO"]...
#        tests/vm/scenarios.sh --flags
#
# Each quoted argument is one scenario.sh run; without any, every scenario
# once.  --tcpstates and --tcpwave go to each run (see scenario.sh).
#
# --flags prints the scripts/vm-run.sh options that the scenario tools
# need, for use in other VM commands:
#   --add for iproute2's ip and tc, tcpdump and libbpf-tools' tcpstates
#   (with their libraries), and --modules for veth, bridge, sch_netem,
#   sch_ingress, cls_u32 and act_gact.
# A tool missing on the host is left out with a warning on stderr (the
# scripts in the VM then say which one they lack); scripts/deps.sh
# installs them all.
#
# EXAMPLES
#   tests/vm/scenarios.sh
#   tests/vm/scenarios.sh --tcpstates client-close refused
#   tests/vm/scenarios.sh --tcpwave "-6 simul-close" "-m client-close"
#   scripts/vm-run.sh $(tests/vm/scenarios.sh --flags) --add tests/vm -- \
#       'sh /add/vm/netsetup.sh synack-drop-up && tcpwave-traffic synack-drop'
#
# Exit status: scripts/vm-run.sh's: 0 when every scenario exited 0.
top=$(cd "$(dirname "$0")/../.." && pwd)

flags() {
	for t in /usr/sbin/ip /usr/sbin/tc /usr/bin/tcpdump /usr/sbin/tcpstates; do
		if [ -x "$t" ]; then
			printf -- '--add %s ' "$t"
		else
			echo "scenarios.sh: no $t: run scripts/deps.sh" >&2
		fi
	done
	echo "--modules veth,bridge,sch_netem,sch_ingress,cls_u32,act_gact"
}

if [ "${1:-}" = --flags ]; then
	flags
	exit 0
fi

kernel=""
opts=""
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) [ $# -ge 2 ] || { echo "scenarios.sh: --kernel needs a VERSION" >&2; exit 2; }
		kernel="--kernel $2"; shift ;;
	--tcpstates | --tcpwave) opts="$opts $1" ;;
	-h | --help) sed -n '/^# Usage:/,/^# EXAMPLES/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || set -- client-close server-close late-accept refused abort \
	self-connect "-n 300 -c 8 many" syn-timeout synack-drop simul-close \
	"-6 client-close" "-6 refused" "-m client-close" "-m refused"

cmd="rc=0"
for s in "$@"; do
	cmd="$cmd; sh /add/vm/scenario.sh$opts $s || rc=1"
done
cmd="$cmd; exit \$rc"

# shellcheck disable=SC2046,SC2086
exec "$top/scripts/vm-run.sh" $kernel $(flags) --add "$top/tests/vm" \
	--timeout 1200 -- "$cmd"
