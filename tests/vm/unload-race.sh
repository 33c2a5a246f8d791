#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Reproducer: load and unload tcpwave CYCLES times (default 40) while
# loopback connections run flat out on both CPUs, so that rmmod
# unregisters the kprobe while the other CPU is inside the handler.
#
#   scripts/vm-run.sh --add tests/vm/unload-race.sh -- 'sh /add/unload-race.sh'
#   TCPWAVE_QEMU_ACCEL=tcg scripts/vm-run.sh ...   (multi-threaded TCG:
#                                                   crashes, see vm-run.sh)
# Prints "cycles=N" and exits 0 when every cycle loaded and unloaded.
cycles=${1:-40}
tcpwave-traffic -p 6100 -n 10000000 -c 4 many >/dev/null 2>&1 &
traffic=$!
sleep 1
i=0
failed=0
while [ $i -lt "$cycles" ]; do
	insmod /tcpwave.ko || failed=1
	sleep 0.3
	rmmod tcpwave || failed=1
	i=$((i + 1))
done
kill $traffic
echo "cycles=$i"
exit $failed
