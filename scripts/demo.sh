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
echo "\$ cat /proc/tcpwave_stats"
cat /proc/tcpwave_stats
rmmod tcpwave
'
