#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - the guest side of scripts/bench.sh: the workload
# (tcpwave-crr) under three configurations, interleaved A B C A B C ...
# so that drift in the machine's speed hits all three alike:
#   A  no tracer: tcpwave not loaded, no tcpstates
#   B  tcpwave loaded, "tcpwave -E >/dev/null" following /proc/tcpwave
#   C  libbpf-tools' tcpstates (tcpstates.sh), its output to /dev/null
# and, when CONFIGS names them (scripts/bench.sh --split), two that take
# B apart:
#   P  tcpwave loaded, nobody reading: the probes and the ring alone
#   R  tcpwave loaded, tcpwave-reader following /proc/tcpwave into
#      /dev/null: the kernel's formatting and the wake-ups, no parsing
# then once more B with the module's timing parameter on (T), for the
# in-kernel cost of a record.  Prints "bench ..." lines of key=value
# fields for scripts/bench.sh to tabulate, and "# ..." notes.
#
# Usage: sh bench.sh ROUNDS SECONDS CLIENTS [CONFIGS]
#
# CONFIGS: the configurations of a round, in order, comma-separated
# (default A,B,C).
#
# The module is loaded afresh for every B round (and unloaded after), so
# its counters are that round's: records_written, reader_lost (the
# follower's "# lost" lines), kprobe_nmissed.  tcpstates reports the
# perf buffer samples it lost on stderr ("lost N events on CPU #C").
#
# Exit status: 0 when every run worked, 1 otherwise.
set -u
prog=bench.sh
here=$(dirname "$0")
. "$here/tools.sh"

[ $# = 3 ] || [ $# = 4 ] ||
	{ echo "usage: sh bench.sh ROUNDS SECONDS CLIENTS [CONFIGS]" >&2; exit 2; }
rounds=$1
secs=$2
clients=$3
configs=$(echo "${4:-A,B,C}" | tr ',' ' ')
for c in $configs; do
	case $c in A|B|C|P|R) ;; *) echo "$prog: unknown configuration $c" >&2; exit 2 ;; esac
done
port=5201
tmp=/tmp/tcpwave-bench
mkdir -p "$tmp" "$dir"
rc=0

twstat() {
	awk -v k="$1" '$1 == k { print $2 }' /proc/tcpwave_stats
}

meminfo_kb() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

# field KEY LINE: the value of KEY=value in LINE.
field() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# crr: run the workload; prints its "crr ..." line, or fails.
crr() {
	if ! tcpwave-crr -c "$clients" -d "$secs" -p $port >"$tmp/crr" 2>"$tmp/crr.err"; then
		sed 's/^/# crr: /' "$tmp/crr.err"
		rc=1
	fi
	cat "$tmp/crr"
}

# follower_start: tcpwave -E on the freshly loaded module, back once it
# has /proc/tcpwave open.
follower_start() {
	tcpwave -E >/dev/null 2>"$tmp/follow.err" &
	fpid=$!
	i=0
	until [ "$(twstat readers)" = 1 ]; do
		i=$((i + 1))
		[ $i -le 300 ] || { echo "# the follower did not open /proc/tcpwave"; rc=1; return 1; }
		sleep 0.1
	done
}

# follower_stop: give it a second to catch up, then SIGINT.
follower_stop() {
	sleep 1
	interrupt "$fpid"
	wait "$fpid" 2>/dev/null
}

run_a() {
	line=$(crr)
	echo "bench round=$1 config=A $(echo "$line" | cut -d' ' -f2-)"
}

run_b() {
	insmod /tcpwave.ko "$2" || { echo "# insmod failed"; rc=1; return; }
	follower_start
	line=$(crr)
	follower_stop
	flost=$(awk '/records lost/ { n += $2 } END { print n + 0 }' "$tmp/follow.err")
	echo "bench round=$1 config=$3 $(echo "$line" | cut -d' ' -f2-)" \
		"written=$(twstat records_written)" \
		"overwritten=$(twstat records_overwritten)" \
		"reader_lost=$(twstat reader_lost)" \
		"follower_lost=$flost" \
		"nmissed=$(twstat kprobe_nmissed)" \
		"timed_records=$(twstat timed_records)" \
		"timed_ns=$(twstat timed_ns)"
	rmmod tcpwave
}

run_p() {
	insmod /tcpwave.ko || { echo "# insmod failed"; rc=1; return; }
	line=$(crr)
	echo "bench round=$1 config=P $(echo "$line" | cut -d' ' -f2-)" \
		"written=$(twstat records_written)" \
		"nmissed=$(twstat kprobe_nmissed)"
	rmmod tcpwave
}

# R: tcpwave-reader copies what it reads to /dev/null and counts lines;
# it ends once a poll() has waited 1.5 s in vain, and says on stderr
# "reader: records=N lost=M wakeups=K end=...".
run_r() {
	insmod /tcpwave.ko || { echo "# insmod failed"; rc=1; return; }
	tcpwave-reader -b 65536 -f 1500 >/dev/null 2>"$tmp/reader.err" &
	rpid=$!
	line=$(crr)
	wait "$rpid"
	summary=$(sed -n 's/^reader: //p' "$tmp/reader.err")
	echo "bench round=$1 config=R $(echo "$line" | cut -d' ' -f2-)" \
		"written=$(twstat records_written)" \
		"reader_lost=$(twstat reader_lost)" \
		"nmissed=$(twstat kprobe_nmissed)" \
		"read=$(field records "$summary")" \
		"wakeups=$(field wakeups "$summary")"
	rmmod tcpwave
}

run_c() {
	# tcpstates.sh writes tcpstates' stdout to $dir/NAME.tcpstates:
	# make that /dev/null.  Its stderr (lost samples) stays a file.
	ln -sf /dev/null "$dir/bench.tcpstates"
	if ! sh "$here/tcpstates.sh" start bench -T -w; then
		echo "# tcpstates did not start"
		rc=1
		return
	fi
	line=$(crr)
	sh "$here/tcpstates.sh" stop bench >/dev/null 2>"$tmp/tcpstates.err"
	lost=$(awk '/lost [0-9]+ events/ { for (i = 1; i < NF; i++)
		if ($i == "lost") n += $(i + 1) } END { print n + 0 }' "$tmp/tcpstates.err")
	echo "bench round=$1 config=C $(echo "$line" | cut -d' ' -f2-) lost=$lost"
}

# tcpwave-crr's clients end in TIME_WAIT.  The kernel default of
# tcp_max_tw_buckets in a 1 GiB guest (4096) would make most of them skip
# it ("time wait bucket table overflow") and change what is measured; a
# timewait socket is some 200 bytes.  tcp_tw_reuse stays at its default,
# 2: loopback connect() reuses timewait ports a second old (tcpwave-crr.c).
echo 262144 >/proc/sys/net/ipv4/tcp_max_tw_buckets

echo "bench system kernel=$(uname -r) cpus=$(grep -c '^processor' /proc/cpuinfo)" \
	"tw_reuse=$(cat /proc/sys/net/ipv4/tcp_tw_reuse)" \
	"max_tw_buckets=$(cat /proc/sys/net/ipv4/tcp_max_tw_buckets)" \
	"ports=$(tr '\t' '-' </proc/sys/net/ipv4/ip_local_port_range)"

# Kernel memory the module holds, measured while nothing else runs.
slab0=$(meminfo_kb Slab)
vm0=$(meminfo_kb VmallocUsed)
insmod /tcpwave.ko || { echo "# insmod failed"; exit 1; }
sleep 1
echo "bench memory ring_bytes=$(twstat ring_bytes) ring_records=$(twstat ring_records)" \
	"coresize=$(cat /sys/module/tcpwave/coresize)" \
	"slab_kb=$(($(meminfo_kb Slab) - slab0))" \
	"vmalloc_kb=$(($(meminfo_kb VmallocUsed) - vm0))"
rmmod tcpwave

r=1
while [ $r -le "$rounds" ]; do
	for c in $configs; do
		case $c in
		A) run_a $r ;;
		B) run_b $r timing=0 B ;;
		C) run_c $r ;;
		P) run_p $r ;;
		R) run_r $r ;;
		esac
	done
	r=$((r + 1))
done
run_b 1 timing=1 T

dmesg | grep -E 'WARNING|BUG|Oops|lockdep|Call Trace|time wait bucket' | sed 's/^/# dmesg: /'
exit $rc
