#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# netsetup.sh - the two-host network of tcpwave-traffic's [net] scenarios,
# made of network namespaces, for the test VM (or any Linux host with
# iproute2, as root).
#
#   netns tcpwave-a        netns tcpwave-sw                 netns tcpwave-b
#   (the client)           (the wire: a bridge)             (the server)
#   tw-a ----------------- tw-sw-a --[tw-br]-- tw-sw-b ---------------- tw-b
#   198.18.0.1/24                                           198.18.0.2/24
#   2001:2::1/64                                            2001:2::2/64
#
# The addresses are the benchmarking ranges of RFC 2544 and RFC 5180,
# never routed anywhere.  Everything that loses or delays segments sits in
# the switch, on the egress of tw-sw-a (frames towards A) and tw-sw-b
# (towards B), never on the hosts' own interfaces: a capture on tw-a or
# tw-b (capture.sh) shows what that host really sent and received, when it
# did.  The hosts' sysctls are per namespace, so nothing here touches the
# VM's own TCP settings.
#
# Usage: netsetup.sh COMMAND
#
#   up               the plain network: no loss, no delay
#   syn-timeout-up   up, plus: the switch drops every TCP segment towards B;
#                    A has tcp_syn_retries=2 (SYNs at 0, 1, 3 s, connect()
#                    fails with ETIMEDOUT at 7 s)
#   synack-drop-up   up, plus: the switch drops every TCP segment towards A,
#                    and towards B those marked TOS / traffic class 0x10
#                    (tcpwave-traffic marks the client's segments after its
#                    first SYN); A has tcp_syn_retries=2, B has
#                    tcp_synack_retries=2 (SYN-ACKs at 0, 1, 3 s, the
#                    request socket expires at 7 s)
#   simul-close-up [MS]
#                    up, plus: the switch delays every frame by MS (100)
#                    milliseconds each way, with netem
#   down             delete the three namespaces and all in them
#   show             addresses, qdiscs, filters and sysctls of the network
#
# Every *-up starts from scratch (down first).  Each ends with a ping from A
# to B over IPv4 and IPv6, which checks the network and leaves both
# neighbour caches filled, so a scenario's first segment leaves at once.
#
# Needs iproute2's ip and tc (not busybox's), and the kernel modules veth,
# bridge, sch_netem, sch_ingress (clsact), cls_u32 and act_gact; in the VM:
#   scripts/vm-run.sh $(tests/vm/scenarios.sh --flags) --add tests/vm -- \
#       'sh /add/vm/netsetup.sh simul-close-up && tcpwave-traffic simul-close'
#
# Exit status: 0 on success, 1 on any failure (with a message), 2 on a
# usage error.
set -eu

prog=netsetup.sh
here=$(dirname "$0")
. "$here/tools.sh"

A=tcpwave-a
B=tcpwave-b
SW=tcpwave-sw
MODULES="veth bridge sch_netem sch_ingress cls_u32 act_gact"

usage() {
	sed -n '/^# Usage:/,/^# Every/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

modules() {
	command -v modprobe >/dev/null || return 0
	for m in $MODULES; do
		# Built into the kernel, or already loaded, is fine too.
		modprobe "$m" 2>/dev/null || true
	done
}

down() {
	for ns in $A $B $SW; do
		"$IP" netns del "$ns" 2>/dev/null || true
	done
}

# nsexec NS COMMAND...: run COMMAND in netns NS.
nsexec() {
	ns=$1
	shift
	"$IP" netns exec "$ns" "$@"
}

# host NS IFACE SWITCHPORT V4 V6: a host namespace joined to the switch.
host() {
	"$IP" link add "$2" netns "$1" type veth peer name "$3" netns $SW
	"$IP" -n "$1" addr add "$4/24" dev "$2"
	# nodad: the address is usable at once, not after duplicate detection.
	"$IP" -n "$1" addr add "$5/64" dev "$2" nodad
	"$IP" -n "$1" link set "$2" up
	"$IP" -n $SW link set "$3" master tw-br up
}

up() {
	modules
	down
	for ns in $A $B $SW; do
		"$IP" netns add $ns
		"$IP" -n $ns link set lo up
	done
	# The switch has no address and says nothing of its own.
	nsexec $SW sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	nsexec $SW sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	# No STP, so ports forward at once; no multicast snooping, so
	# neighbour solicitations are flooded without waiting for MLD.
	"$IP" -n $SW link add tw-br type bridge stp_state 0 forward_delay 0 mcast_snooping 0
	"$IP" -n $SW link set tw-br up
	host $A tw-a tw-sw-a 198.18.0.1 2001:2::1
	host $B tw-b tw-sw-b 198.18.0.2 2001:2::2
	# No reverse-path filter: a host answers whatever arrives on its port.
	for ns in $A $B; do
		nsexec $ns sysctl -qw net.ipv4.conf.all.rp_filter=0
		nsexec $ns sysctl -qw net.ipv4.conf.tw-${ns#tcpwave-}.rp_filter=0
	done
}

# ping_check: A reaches B over both families, filling the neighbour caches.
ping_check() {
	nsexec $A ping -c 1 -W 5 198.18.0.2 >/dev/null ||
		die "198.18.0.1 cannot ping 198.18.0.2"
	nsexec $A ping -6 -c 1 -W 5 2001:2::2 >/dev/null ||
		die "2001:2::1 cannot ping 2001:2::2"
}

# drop PORT FILTER...: the switch drops, on its way out of PORT, each kind
# of packet named by a u32 match (one filter per family).
drop() {
	port=$1
	shift
	"$TC" -n $SW qdisc replace dev "$port" clsact
	pref=1
	for match in "$@"; do
		case $match in
		ip6\ *) proto=ipv6 ;;
		*) proto=ip ;;
		esac
		# shellcheck disable=SC2086
		"$TC" -n $SW filter add dev "$port" egress protocol $proto pref $pref \
			u32 match $match action drop
		pref=$((pref + 1))
	done
}

# syn_retries NS: tcp_syn_retries=2 with the classic exponential backoff,
# SYNs at 0, 1 and 3 s.  Since 6.5 the first tcp_syn_linear_timeouts (4)
# retransmissions are 1 s apart instead (RFC 6298 5.5 says double), and
# with the same 7 s budget the SYN goes out six times; that schedule is
# turned off where it exists so that every kernel of the matrix runs the
# same scenario.
syn_retries() {
	nsexec "$1" sysctl -qw net.ipv4.tcp_syn_retries=2
	if nsexec "$1" sysctl net.ipv4.tcp_syn_linear_timeouts >/dev/null 2>&1; then
		nsexec "$1" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0
	fi
}

syn_timeout_up() {
	up
	ping_check
	drop tw-sw-b "ip protocol 6 0xff" "ip6 protocol 6 0xff"
	syn_retries $A
}

synack_drop_up() {
	up
	ping_check
	drop tw-sw-a "ip protocol 6 0xff" "ip6 protocol 6 0xff"
	# 0xfc: the DSCP bits; ECN's two may change on the way.
	drop tw-sw-b "ip tos 0x10 0xfc" "ip6 priority 0x10 0xfc"
	syn_retries $A
	nsexec $B sysctl -qw net.ipv4.tcp_synack_retries=2
}

simul_close_up() {
	ms=${1:-100}
	case $ms in '' | *[!0-9]*) echo "$prog: simul-close-up: not a number of ms: $ms" >&2; exit 2 ;; esac
	up
	for port in tw-sw-a tw-sw-b; do
		"$TC" -n $SW qdisc add dev $port root netem delay "${ms}ms"
	done
	ping_check
}

show() {
	for ns in $A $SW $B; do
		"$IP" netns list | grep -q "^$ns\( \|$\)" || { echo "# $ns: none"; continue; }
		echo "# $ns"
		"$IP" -n $ns -br addr
		"$TC" -n $ns qdisc show | grep -v 'noqueue\|pfifo_fast\|qdisc mq'
		for dev in tw-sw-a tw-sw-b; do
			[ $ns = $SW ] || continue
			"$TC" -n $ns -s filter show dev $dev egress
		done
		nsexec $ns sysctl net.ipv4.tcp_syn_retries net.ipv4.tcp_synack_retries
	done
}

[ $# -ge 1 ] || usage
cmd=$1
shift
need ip tc
case $cmd in
up) up; ping_check ;;
syn-timeout-up) syn_timeout_up ;;
synack-drop-up) synack_drop_up ;;
simul-close-up) [ $# -le 1 ] || usage; simul_close_up "$@" ;;
down) down ;;
show) show ;;
-h | --help) usage ;;
*) echo "$prog: unknown command '$cmd'" >&2; usage ;;
esac
