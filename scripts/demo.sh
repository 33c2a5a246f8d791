#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the test VM, load tcpwave, make real connections, and show
# /proc/tcpwave, its counters and the viewer's ladders.
#
# The connections come from programs nobody on this project wrote
# (busybox httpd and wget) and from tcpwave-traffic's scenarios.
#
# Usage: scripts/demo.sh [--kernel VERSION]
top=$(cd "$(dirname "$0")/.." && pwd)
exec "$top/scripts/vm-run.sh" "$@" -- '
set -e
insmod /tcpwave.ko
echo "\$ insmod /tcpwave.ko"
dmesg | grep tcpwave: | tail -n 1

# Follow the ring from the start, as "tcpwave -E" does on a live host.
tcpwave -E >/tmp/events.txt 2>&1 &
follower=$!
sleep 0.2

mkdir -p /tmp/www && echo hello >/tmp/www/index.html
httpd -p 127.0.0.1:8080 -h /tmp/www
echo "\$ wget -q -O - http://127.0.0.1:8080/"
wget -q -O - http://127.0.0.1:8080/
echo "\$ tcpwave-traffic server-close"
tcpwave-traffic server-close
echo "\$ tcpwave-traffic -6 client-close"
tcpwave-traffic -6 client-close
sleep 0.2

echo
echo "\$ cat /proc/tcpwave"
cat /proc/tcpwave
echo
echo "\$ tcpwave"
tcpwave
echo
echo "\$ tcpwave --list"
tcpwave --list
echo
echo "\$ tcpwave -E     # started before the traffic, stopped with ^C now"
kill -INT $follower
wait $follower || true
cat /tmp/events.txt
echo
echo "\$ tcpwave -s"
tcpwave -s
echo
echo "\$ tcpwave --live | cat     # the live table, printed once off a terminal"
tcpwave --live | cat
echo
echo "\$ tcpwave --json --list | head -n 1"
tcpwave --json --list | head -n 1
echo
echo "\$ tcpwave --prometheus | grep -v \"^#\" | grep -E \"handshake_duration_seconds_count|closes_total\""
tcpwave --prometheus | grep -v "^#" | grep -E "handshake_duration_seconds_count|closes_total"
echo
echo "\$ cat /proc/tcpwave_stats"
cat /proc/tcpwave_stats
rmmod tcpwave
'
