# SPDX-License-Identifier: GPL-2.0
#
# Load and faults, sourced by guest.sh (which gives ok, not_ok, check,
# diag, load, twstat, $out and $EVENT_LINE), with the module not loaded:
#
#  - concurrent readers: four followers with different read() sizes each
#    get every record, byte for byte what a later cat gets;
#  - lseek() as README documents it;
#  - unloading: UNLOAD_CYCLES (50) insmod/rmmod cycles under traffic, with
#    a reader in poll(), one in 1-byte read()s and a file left open;
#    then the kernel memory the module could have left behind;
#  - soak: SOAK_CONNS connections (100000) on 8 threads, flat out, with
#    tcpwave-reader and tcpwave -E following: each accounts for every
#    record, read + lost = written.
#
# Each TAP line carries its numbers.

# Milliseconds since boot (busybox date has no %N).
now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# wait_idle PID...: until the PIDs together used no CPU time for two
# seconds in a row (at most 600 s): a follower has then read all there
# is.  Give it what reads the follower's output too: a follower blocked
# writing into a full pipe uses no CPU either.
wait_idle() {
	last=""
	same=0
	t=0
	while [ $same -lt 2 ] && [ $t -lt 600 ]; do
		cpu=$(for pid; do cat "/proc/$pid/stat" 2>/dev/null; done |
			awk '{ s += $14 + $15 } END { print s + 0 }')
		if [ "$cpu" = "$last" ]; then same=$((same + 1)); else same=0; fi
		last=$cpu
		sleep 1
		t=$((t + 1))
	done
}

# reader_field FILE NAME: records, lost, ... of tcpwave-reader's summary.
reader_field() {
	sed -n "s/.* $2=\([0-9]*\).*/\1/p" "$1"
}

# --- four readers at once ------------------------------------------------

load
i=0
for bs in 1 7 512 65536; do
	i=$((i + 1))
	tcpwave-reader -b $bs -f 10000 >"$out/conc$i" 2>"$out/conc$i.err" &
	eval "conc$i=\$!"
done
sleep 0.5
tcpwave-traffic -p 6200 -n 300 -c 4 many >/dev/null
written=$(twstat records_written)
wait $conc1 $conc2 $conc3 $conc4
# Records may still come after the burst (an older connection's TIME_WAIT
# expiring), so a reader must hold at least the burst's, and be what cat
# gives up to where it stopped.
cat /proc/tcpwave >"$out/conc.all"
for i in 1 2 3 4; do
	records=$(reader_field "$out/conc$i.err" records)
	size=$(wc -c <"$out/conc$i")
	if [ "$records" -ge "$written" ] &&
	   head -c "$size" "$out/conc.all" | cmp -s - "$out/conc$i"; then
		ok "concurrent reader $i of 4 saw all $written records, as cat does"
	else
		not_ok "concurrent reader $i of 4 saw all $written records, as cat does (it read $records)"
		diag <"$out/conc$i.err"
	fi
done

# --- lseek ----------------------------------------------------------------

cp "$out/conc.all" "$out/seek.all"
size=$(wc -c <"$out/seek.all")
# The header: the "#" lines before the first record.
awk '!/^#/ { exit } { print }' "$out/seek.all" >"$out/seek.head"
# 100 bytes, then all of it again from the start: what cat gave, and
# whatever came since (a TIME_WAIT may still expire).
tcpwave-reader -S r100,c,s,c,R,c >"$out/seek1" 2>"$out/seek1.err"
tail -c +101 "$out/seek1" >"$out/seek1.all"
size1=$(wc -c <"$out/seek1.all")
head -c 100 "$out/seek1" >"$out/seek1.r100"
check "lseek SEEK_CUR gives the bytes read, SEEK_SET rewinds to the header" sh -c \
	"head -c 100 $out/seek1.all | cmp -s - $out/seek1.r100 &&
	 head -c $size $out/seek1.all | cmp -s - $out/seek.all &&
	 [ \"\$(tr '\n' ' ' <$out/seek1.err)\" = 'r100=100 c=100 s=0 c=0 R=0 c=$size1 ' ]"
tcpwave-reader -S e,R >"$out/seek2" 2>/dev/null
check "lseek SEEK_END on a fresh file: the header, then no old record" \
	cmp -s "$out/seek2" "$out/seek.head"
tcpwave-reader -S x,d,c >/dev/null 2>"$out/seek3.err"
check "lseek to an offset or with SEEK_DATA: EINVAL, position unchanged" sh -c \
	"[ \"\$(tr '\n' ' ' <$out/seek3.err)\" = 'x=-22 d=-22 c=0 ' ]"
head_before=$(twstat records_written)
tcpwave-reader -S R,e,w2500,R >"$out/seek4" 2>/dev/null &
seeker=$!
sleep 0.5
tcpwave-traffic -p 6201 client-close >/dev/null
wait $seeker
new=$(($(twstat records_written) - head_before))
# What the second R read: the records from head_before on (the first R
# may have read a record or two more than seek.all holds).
awk -v h="$head_before" '!/^#/ && $1 + 0 >= h + 0' "$out/seek4" >"$out/seek4.new"
first=$(awk '{ print $1; exit }' "$out/seek4.new")
got=$(wc -l <"$out/seek4.new")
if [ "$first" = "$head_before" ] && [ "$got" = "$new" ]; then
	ok "lseek SEEK_END after reading: only the $new new records follow, from seq $head_before"
else
	not_ok "lseek SEEK_END after reading: only the $new new records follow, from seq $head_before (got $got from seq $first)"
fi
rmmod tcpwave

# --- unloading under load ---------------------------------------------------

cycles=${UNLOAD_CYCLES:-50}
# Kernel memory at rest, in KiB.
meminfo() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}
# The rest of what the module allocates, its readers' state, is kmalloc'ed
# at open(), never in a probe handler: struct tw_reader, a 3584-byte
# buffer of lines and a cursor, some 3650 bytes on x86_64, so kmalloc-4k.
# It is counted over the same number of cycles without traffic, first,
# where sockets (and the namespace the traffic runs in, torn down in the
# background) add no noise: the objects in use in kmalloc-4k (SLUB's
# "objects", which /sys/kernel/slab has with CONFIG_SLUB_DEBUG, as
# Debian's kernels do).  SLUB counts a partly used slab whole, 8 objects
# of 4 KiB, so that is the noise; a reader leaked per cycle would be 50
# objects, one per file 150.
kmalloc_slab=kmalloc-4k
kmalloc_objects() {
	cut -d' ' -f1 /sys/kernel/slab/$kmalloc_slab/objects 2>/dev/null || echo 0
}
if [ -e /sys/kernel/debug/kmemleak ]; then
	# A debug kernel: KASAN's quarantine holds freed objects, and kmemleak
	# (guest.sh, at the end) is the real check.
	TRAFFIC=0 sh "$here/unload-race.sh" "$cycles" >"$out/unload.quiet" 2>&1
	ok "unload: no reader state left behind # SKIP KASAN quarantine; kmemleak checks"
else
	sleep 1
	kmalloc0=$(kmalloc_objects)
	slab0=$(meminfo SUnreclaim)
	TRAFFIC=0 sh "$here/unload-race.sh" "$cycles" >"$out/unload.quiet" 2>&1
	qrc=$?
	sleep 1
	kmalloc1=$(kmalloc_objects)
	slab1=$(meminfo SUnreclaim)
	echo "# unload without traffic: $kmalloc_slab objects $kmalloc0 -> $kmalloc1, unreclaimable slab $slab0 -> $slab1 KiB over $cycles cycles"
	if [ $qrc = 0 ] && [ "$kmalloc0" -gt 0 ] &&
	   [ $((kmalloc1 - kmalloc0)) -lt 48 ]; then
		ok "unload: no reader state left behind: $((kmalloc1 - kmalloc0)) $kmalloc_slab objects after $cycles cycles of 3 files"
	else
		not_ok "unload: no reader state left behind: $((kmalloc1 - kmalloc0)) $kmalloc_slab objects after $cycles cycles of 3 files"
		diag <"$out/unload.quiet"
	fi
fi

vmalloc0=$(meminfo VmallocUsed)
# In a network namespace of its own: its sockets, TIME_WAIT included, go
# with it.
if unshare -n sh "$here/unload-race.sh" "$cycles" >"$out/unload" 2>&1; then
	ok "unload: $cycles insmod/rmmod cycles under traffic, with readers in poll() and read() and a file open"
else
	not_ok "unload: $cycles insmod/rmmod cycles under traffic, with readers in poll() and read() and a file open"
	diag <"$out/unload"
fi
# A ring left behind would be 2 MiB of vmalloc (16384 records of 128
# bytes) per cycle.
vmalloc1=$(meminfo VmallocUsed)
echo "# unload under traffic: vmalloc $vmalloc0 -> $vmalloc1 KiB over $cycles cycles"
check "unload: no ring left behind: vmalloc $((vmalloc1 - vmalloc0)) KiB after $cycles cycles" \
	[ $((vmalloc1 - vmalloc0)) -lt 1024 ]

# --- soak -------------------------------------------------------------------

soak=${SOAK_CONNS:-100000}
load
tcpwave-reader -b 65536 -f 5000 >/dev/null 2>"$out/soak.reader" &
sreader=$!
# Its lines are counted, not kept: a million of them would fill the VM.
rm -f "$out/soak.fifo"
mkfifo "$out/soak.fifo"
grep -Ec "$EVENT_LINE" <"$out/soak.fifo" >"$out/soak.E.lines" &
scount=$!
tcpwave -E -a >"$out/soak.fifo" 2>"$out/soak.E.err" &
sfollow=$!
sleep 0.5
t0=$(now_ms)
tcpwave-traffic -p 6300 -n "$soak" -c 8 many >/dev/null 2>"$out/soak.traffic"
trc=$?
t1=$(now_ms)
wait $sreader
written=$(twstat records_written)
overwritten=$(twstat records_overwritten)
nmissed=$(twstat kprobe_nmissed)
ms=$((t1 - t0))
[ "$ms" -gt 0 ] || ms=1
records=$(reader_field "$out/soak.reader" records)
lost=$(reader_field "$out/soak.reader" lost)
echo "# soak: $soak connections in $ms ms ($((soak * 1000 / ms)) conn/s), $written records ($((written * 1000 / ms)) records/s), overwritten $overwritten, kprobe nmissed $nmissed"
if [ "$trc" = 0 ] && [ $((records + lost)) = "$written" ]; then
	ok "soak: $soak connections at $((soak * 1000 / ms))/s; reader: read $records + lost $lost = written $written; nmissed $nmissed"
else
	not_ok "soak: $soak connections at $((soak * 1000 / ms))/s; reader: read $records + lost $lost = written $written (traffic status $trc)"
	diag <"$out/soak.traffic"
fi
# tcpwave -E: one line per record, the losses told on stderr.
wait_idle $sfollow $scount
kill -INT $sfollow
wait $sfollow $scount
lines=$(cat "$out/soak.E.lines")
told=$(sed -n 's/^tcpwave: \([0-9]*\) records lost (ring overwritten)$/\1/p' \
	"$out/soak.E.err" | awk '{ s += $1 } END { print s + 0 }')
if [ $((lines + told)) = "$written" ]; then
	ok "soak: tcpwave -E: lines $lines + lost $told = written $written"
else
	not_ok "soak: tcpwave -E: lines $lines + lost $told = written $written"
	diag <"$out/soak.E.err"
fi
rmmod tcpwave
