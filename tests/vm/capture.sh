#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# capture.sh - packet-level ground truth for the scenarios: every TCP
# segment tcpdump sees on one interface, one normalised line each:
#
#   TIME SRC > DST FLAGS seq=N ack=M len=L
#
#   TIME   tcpdump -tt's timestamp, seconds since the epoch: one clock for
#          every capture in the VM, so captures merge with sort -n
#   SRC    sender and receiver as /proc/tcpwave prints them:
#   DST    a.b.c.d:port, [v6addr]:port
#   FLAGS  the TCP flags by name, joined with '+': SYN, SYN+ACK, ACK,
#          PSH+ACK, FIN+ACK, RST, RST+ACK, ... (order: SYN FIN RST PSH ACK
#          URG ECE CWR)
#   seq    the segment's absolute sequence number (tcpdump -S), also for
#          pure ACKs, where tcpdump itself prints none
#   ack    the absolute acknowledgment number, or - without ACK
#   len    the payload length
#
# seq, ack, flags and len are read from the TCP header itself (tcpdump -x),
# addresses and time from tcpdump's own line.  IPv6 extension headers are
# not followed (the scenarios send none).
#
# Usage:
#   capture.sh start NAME IFACE [NETNS]   start tcpdump on IFACE (in NETNS),
#                                         in the background, and return
#                                         once it is capturing
#   capture.sh stop NAME                  stop it and print its segments
#   capture.sh print PCAP                 print the segments of a pcap file
#
# NAME names one capture; several may run at once.  The raw capture stays
# in $TCPWAVE_CAPTURE_DIR (/tmp/tcpwave-capture)/NAME.pcap.
#
# EXAMPLES
#   sh capture.sh start lo lo
#   tcpwave-traffic client-close
#   sh capture.sh stop lo
#
#   sh netsetup.sh simul-close-up
#   sh capture.sh start a tw-a tcpwave-a
#   sh capture.sh start b tw-b tcpwave-b
#   tcpwave-traffic simul-close
#   { sh capture.sh stop a; sh capture.sh stop b; } | sort -n
#
# tcpdump runs with -Z root: Debian's drops to a user "tcpdump" that the
# VM does not have.  --immediate-mode hands each packet over at once, so
# nothing waits in a ring block when tcpdump is stopped.  The ring's slots
# are sized by the snapshot length, so -s 200 (the headers, options
# included, of IPv4 or IPv6 and TCP) and -B 16 MiB keep up with hundreds
# of connections.
#
# Exit status: 0 on success; 1 on failure, and for "stop" also when
# tcpdump reports packets dropped by the kernel (the lines printed are
# then incomplete); 2 on a usage error.
set -eu

prog=capture.sh
here=$(dirname "$0")
. "$here/tools.sh"

usage() {
	sed -n '/^# Usage:/,/^# NAME/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

start() {
	name=$1 iface=$2 ns=${3:-}
	need tcpdump
	mkdir -p "$dir"
	rm -f "$dir/$name.pcap" "$dir/$name.pid"
	: >"$dir/$name.err"
	if [ -n "$ns" ]; then
		need ip
		set -- "$IP" netns exec "$ns"
	else
		set --
	fi
	# "ip netns exec" execs tcpdump: $! is tcpdump's pid either way.
	"$@" "$TCPDUMP" -Z root -n -i "$iface" --immediate-mode -U -s 200 -B 16384 \
		-w "$dir/$name.pcap" tcp </dev/null >/dev/null 2>"$dir/$name.err" &
	pid=$!
	echo $pid >"$dir/$name.pid"
	i=0
	until grep -q 'listening on' "$dir/$name.err"; do
		alive $pid || die "tcpdump on $iface${ns:+ in $ns} failed: $(cat "$dir/$name.err")"
		i=$((i + 1))
		[ $i -le 300 ] || die "tcpdump on $iface did not start in 30 s"
		sleep 0.1
	done
}

stop() {
	name=$1
	[ -r "$dir/$name.pid" ] || die "no capture named $name"
	# The last segments of the scenario reach the capture meanwhile.
	interrupt "$(cat "$dir/$name.pid")"
	rm -f "$dir/$name.pid"
	print "$dir/$name.pcap"
	dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$dir/$name.err")
	[ "${dropped:-0}" = 0 ] ||
		die "$name: tcpdump lost $dropped packets: the capture is incomplete"
}

print() {
	[ -r "$1" ] || die "cannot read $1"
	need tcpdump
	"$TCPDUMP" -Z root -n -S -tt -x -r "$1" 2>/dev/null | awk '
	function hexval(s,   i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function byte(off) {
		return hexval(substr(hex, 2 * off + 1, 2))
	}
	function num(off, n,   v, i) {
		v = 0
		for (i = 0; i < n; i++)
			v = v * 256 + byte(off + i)
		return v
	}
	# "1.2.3.4.80" or "2001:2::1.80" as /proc/tcpwave writes them.
	function endpoint(s,   addr) {
		sub(/:$/, "", s)
		match(s, /\.[0-9]+$/)
		addr = substr(s, 1, RSTART - 1)
		if (index(addr, ":"))
			addr = "[" addr "]"
		return addr ":" substr(s, RSTART + 1)
	}
	# No ^ or and(): busybox awk may be built without math.
	function bit(v, n) {
		for (; n > 0; n--)
			v = int(v / 2)
		return v % 2
	}
	function emit(   ver, ip, tcp, doff, fl, flags, ack, len) {
		if ($2 != "IP" && $2 != "IP6")
			return
		ver = int(byte(0) / 16)
		if (ver == 4) {
			ip = (byte(0) % 16) * 4
			len = num(2, 2) - ip
		} else {
			ip = 40
			len = num(4, 2)
		}
		tcp = ip
		doff = int(byte(tcp + 12) / 16) * 4
		len -= doff
		fl = byte(tcp + 13)
		flags = ""
		if (bit(fl, 1)) flags = flags "+SYN"
		if (bit(fl, 0)) flags = flags "+FIN"
		if (bit(fl, 2)) flags = flags "+RST"
		if (bit(fl, 3)) flags = flags "+PSH"
		if (bit(fl, 4)) flags = flags "+ACK"
		if (bit(fl, 5)) flags = flags "+URG"
		if (bit(fl, 6)) flags = flags "+ECE"
		if (bit(fl, 7)) flags = flags "+CWR"
		ack = bit(fl, 4) ? sprintf("%.0f", num(tcp + 8, 4)) : "-"
		printf "%s %s > %s %s seq=%.0f ack=%s len=%d\n", $1, endpoint($3),
		       endpoint($5), substr(flags, 2), num(tcp + 4, 4), ack, len
	}
	/^[0-9]/ {
		if (line != "")
			flush()
		line = $0
		hex = ""
		next
	}
	/^[ \t]+0x[0-9a-f]+:/ {
		for (i = 2; i <= NF; i++)
			hex = hex $i
		next
	}
	function flush(   saved) {
		saved = $0
		$0 = line
		emit()
		$0 = saved
		line = ""
	}
	END {
		if (line != "")
			flush()
	}'
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
start) [ $# = 2 ] || [ $# = 3 ] || usage; start "$@" ;;
stop) [ $# = 1 ] || usage; stop "$1" ;;
print) [ $# = 1 ] || usage; print "$1" ;;
-h | --help) usage ;;
*) echo "$prog: unknown command '$cmd'" >&2; usage ;;
esac
