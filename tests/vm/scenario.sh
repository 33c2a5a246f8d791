#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# scenario.sh - run one tcpwave-traffic scenario in the test VM with its
# ground truth: build its network (netsetup.sh) when it needs one, capture
# its segments (capture.sh) on lo or on both hosts' interfaces, optionally
# record tcpstates (tcpstates.sh) and tcpwave (/proc/tcpwave) alongside,
# tear the network down, and print it all.
#
# Usage: scenario.sh [--tcpstates] [--tcpwave] [TRAFFIC-OPTION]... SCENARIO
#
#   --tcpstates   also run libbpf-tools' tcpstates and print its lines
#   --tcpwave     insmod /tcpwave.ko first, print /proc/tcpwave, rmmod
#
# Output, in sections:
#   == tcpwave-traffic ARGS: exit N    its output (conn lines, ...)
#   == segments on IFACE [in NETNS]    capture.sh's lines, TIME made
#                                      relative to the first segment of
#                                      all the captures
#   == tcpstates                       (--tcpstates)
#   == /proc/tcpwave                   (--tcpwave)
#
# EXAMPLES
#   sh scenario.sh client-close
#   sh scenario.sh --tcpstates -6 refused
#   sh scenario.sh --tcpwave simul-close
#
# Exit status: tcpwave-traffic's; 1 when the set-up failed or a capture
# lost packets, 2 on a usage error.
set -eu

prog=scenario.sh
here=$(dirname "$0")
. "$here/tools.sh"

usage() {
	sed -n '/^# Usage:/,/^# Output/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

peer=0
tcpwave=0
while [ $# -gt 0 ]; do
	case $1 in
	--tcpstates) peer=1 ;;
	--tcpwave) tcpwave=1 ;;
	-h | --help) usage ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 1 ] || usage
eval "scenario=\${$#}"

mkdir -p "$dir"

case $scenario in
syn-timeout | synack-drop | simul-close)
	sh "$here/netsetup.sh" "$scenario-up"
	captures="a:tw-a:tcpwave-a b:tw-b:tcpwave-b"
	;;
*)
	captures="lo:lo:"
	;;
esac

for c in $captures; do
	IFS=: read -r name iface ns <<EOF
$c
EOF
	sh "$here/capture.sh" start "$name" "$iface" $ns
done
[ $peer = 0 ] || sh "$here/tcpstates.sh" start peer
[ $tcpwave = 0 ] || insmod /tcpwave.ko

status=0
tcpwave-traffic "$@" >"$dir/traffic.out" 2>&1 || status=$?

[ $tcpwave = 0 ] || { cat /proc/tcpwave >"$dir/tcpwave.txt"; rmmod tcpwave; }
[ $peer = 0 ] || sh "$here/tcpstates.sh" stop peer >"$dir/peer.txt" || status=1
for c in $captures; do
	sh "$here/capture.sh" stop "${c%%:*}" >"$dir/${c%%:*}.segs" || status=1
done
case $captures in
a:*) sh "$here/netsetup.sh" down ;;
esac

echo "== tcpwave-traffic $*: exit $status"
cat "$dir/traffic.out"

# Times relative to the first segment of any capture, in integer
# microseconds: awk's doubles cannot hold epoch seconds to the
# microsecond.  Leading zeros go before a string becomes a number:
# busybox awk reads "007554" as octal.
t0=$(for c in $captures; do head -n 1 "$dir/${c%%:*}.segs"; done |
	awk 'NF { print $1 }' | sort -n | head -n 1)
for c in $captures; do
	IFS=: read -r name iface ns <<EOF
$c
EOF
	echo "== segments on $iface${ns:+ in $ns}"
	awk -v t0="${t0:-0.0}" '
	function decimal(s) {
		sub(/^0+/, "", s)
		return s == "" ? 0 : s + 0
	}
	function usec(t,   p) {
		split(t, p, ".")
		return decimal(p[1]) * 1000000 + decimal(substr(p[2] "000000", 1, 6))
	}
	{
		d = usec($1) - usec(t0)
		$1 = sprintf("%d.%06d", d / 1000000, d % 1000000)
		print
	}' "$dir/$name.segs"
done
if [ $peer = 1 ]; then
	echo "== tcpstates"
	cat "$dir/peer.txt"
fi
if [ $tcpwave = 1 ]; then
	echo "== /proc/tcpwave"
	cat "$dir/tcpwave.txt"
fi
exit $status
