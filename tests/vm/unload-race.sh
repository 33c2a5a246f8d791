#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload tcpwave CYCLES times (default 50) while loopback
# connections run flat out on both CPUs, so that rmmod unregisters the
# kprobes while the other CPU is inside a handler.  In every cycle a
# reader waits in poll(), another reads one byte per read() (so it is
# nearly always inside read()), and a file stays open without reading;
# each must be released by rmmod and then fail cleanly.
#
#   scripts/vm-run.sh --add tests/vm/unload-race.sh -- 'sh /add/unload-race.sh'
#   TCPWAVE_QEMU_ACCEL=tcg scripts/vm-run.sh ...   (multi-threaded TCG:
#                                                   crashes, see vm-run.sh)
#
# Run it in a network namespace of its own (unshare -n) to have every
# socket it made, TIME_WAIT included, gone with it: guest.sh measures
# the kernel memory left behind that way.
#
# With TRAFFIC=0 no connection is made: guest.sh measures the slab the
# module's open() and load paths could leak that way, free of the noise
# of sockets.
#
# Prints "cycles=N failed=WHAT@CYCLE..." and exits 0 when every cycle
# loaded, unloaded and released its readers.
cycles=${1:-50}
out=${TMPDIR:-/tmp}/unload-race.$$
mkdir -p "$out"
ip link set lo up 2>/dev/null
traffic=""
if [ "${TRAFFIC:-1}" != 0 ]; then
	tcpwave-traffic -p 6100 -n 100000000 -c 4 many >/dev/null 2>&1 &
	traffic=$!
	sleep 1
fi
i=0
bad=""
while [ $i -lt "$cycles" ]; do
	i=$((i + 1))
	insmod /tcpwave.ko || { bad="$bad insmod@$i"; continue; }
	tcpwave-reader -f 60000 >/dev/null 2>"$out/poll" &
	pr=$!
	tcpwave-reader -b 1 -f 60000 >/dev/null 2>"$out/read" &
	rr=$!
	exec 3</proc/tcpwave
	sleep 0.3
	rmmod tcpwave || bad="$bad rmmod@$i"
	wait $pr $rr
	grep -q 'end=' "$out/poll" || bad="$bad poll@$i"
	grep -q 'end=' "$out/read" || bad="$bad read@$i"
	! cat <&3 >/dev/null 2>&1 || bad="$bad open-file@$i"
	exec 3<&-
done
if [ -n "$traffic" ]; then
	kill $traffic
	wait $traffic 2>/dev/null
fi
rm -rf "$out"
echo "cycles=$i failed=${bad:-none}"
[ -z "$bad" ]
