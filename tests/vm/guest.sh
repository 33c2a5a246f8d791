#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The VM tests, run inside the test VM by tests/vm/run.sh through
# scripts/vm-run.sh.  Prints TAP; exits non-zero if any test failed.
#
# Each scenario: insmod, run tcpwave-traffic, read /proc/tcpwave, rmmod,
# then assert the exact sequence of transitions on each socket, picked out
# by the cookies tcpwave-traffic printed (SO_COOKIE).  At the end, the
# guest's dmesg must hold no WARNING, BUG, Oops or lockdep report.

here=$(dirname "$0")
expected=$here/expected
out=/tmp/tcpwave-tests
mkdir -p "$out"

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n $1"
}
# check NAME COMMAND...: ok if COMMAND succeeds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
diag() {
	sed 's/^/# /'
}

# field N of the conn line of tcpwave-traffic: client= server= ...
conn_field() {
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1" | head -n 1
}

# conn_vars NAME: the capture of scenario NAME and its first connection:
# cap, c and s (client and server cookies), ca and sa (their addr:port).
conn_vars() {
	cap=$out/$1.txt
	c=$(conn_field "$out/$1.conn" client_sk)
	s=$(conn_field "$out/$1.conn" server_sk)
	ca=$(conn_field "$out/$1.conn" client)
	sa=$(conn_field "$out/$1.conn" server)
}

# The "oldstate newstate" pairs of one socket, one per line.  Cookies are
# compared as strings: busybox awk reads "00000011" as octal 9.
transitions() {
	awk -v c="$2" '$1 !~ /^#/ && ($4 "") == (c "") { print $9 " " $10 }' "$1"
}

# expect_seq NAME CAPTURE COOKIE "OLD NEW" ...
expect_seq() {
	name=$1 cap=$2 ck=$3
	shift 3
	printf '%s\n' "$@" >"$out/want"
	transitions "$cap" "$ck" >"$out/got"
	if [ -n "$ck" ] && cmp -s "$out/want" "$out/got"; then
		ok "$name"
	else
		not_ok "$name"
		{
			echo "cookie '$ck': want"
			cat "$out/want"
			echo "got"
			cat "$out/got"
		} | diag
	fi
}

# Every record of COOKIE once the port is known carries LADDR RADDR, and
# the task-context ones name COMM.
expect_tuple() {
	name=$1 cap=$2 ck=$3 laddr=$4 raddr=$5
	bad=$(awk -v c="$ck" -v l="$laddr" -v r="$raddr" '
		$1 !~ /^#/ && ($4 "") == (c "") && $7 !~ /:0$/ &&
		($7 != l || $8 != r) { print }' "$cap")
	if [ -n "$ck" ] && [ -z "$bad" ]; then
		ok "$name"
	else
		not_ok "$name"
		echo "$bad" | diag
	fi
}

# Records in softirq must not name a task; records in task context must.
expect_attribution() {
	name=$1 cap=$2
	bad=$(awk '$1 !~ /^#/ && (($11 == "task" && ($12 == "-" || $13 == "-")) ||
		   ($11 != "task" && ($12 != "-" || $13 != "-"))) { print }' "$cap")
	if [ -z "$bad" ]; then ok "$name"; else not_ok "$name"; echo "$bad" | diag; fi
}

load() {
	insmod /tcpwave.ko "$@"
}

# Run one scenario with the module loaded; the capture is $out/NAME.txt,
# tcpwave-traffic's output $out/NAME.conn.
capture() {
	name=$1
	shift
	load || { not_ok "$name: insmod"; return 1; }
	tcpwave-traffic "$@" >"$out/$name.conn" 2>&1 ||
		{ not_ok "$name: tcpwave-traffic $*"; diag <"$out/$name.conn"; }
	cat /proc/tcpwave >"$out/$name.txt"
	rmmod tcpwave || not_ok "$name: rmmod"
	return 0
}

# Normalize a ladder for comparison: times and ports vary run to run.
normalize() {
	sed -E -f "$here/normalize.sed" "$@"
}

expect_ladder() {
	name=$1 cap=$2 want=$3
	if ! tcpwave "$cap" >"$out/ladder" 2>"$out/ladder.err"; then
		not_ok "$name"
		diag <"$out/ladder.err"
		return
	fi
	normalize "$out/ladder" >"$out/ladder.norm"
	if cmp -s "$want" "$out/ladder.norm"; then
		ok "$name"
	else
		not_ok "$name"
		diff "$want" "$out/ladder.norm" | diag
	fi
}

# --- module parameters -------------------------------------------------

for bad in 0 3 63 2097152 abc -1; do
	dmesg -c >/dev/null
	if load ring_records=$bad 2>/dev/null; then
		not_ok "insmod ring_records=$bad is refused"
		rmmod tcpwave
	elif dmesg | grep -q "ring_records=$bad: must be a power of two from 64 to 1048576" &&
	     [ ! -e /proc/tcpwave ]; then
		ok "insmod ring_records=$bad is refused with a message naming it"
	else
		not_ok "insmod ring_records=$bad is refused with a message naming it"
		dmesg | tail -n 3 | diag
	fi
done

if load ring_records=64; then
	check "ring_records=64 is taken" grep -qx 'ring_records 64' /proc/tcpwave_stats
	rmmod tcpwave
else
	not_ok "insmod ring_records=64"
fi

# --- the header and the counters ----------------------------------------

load
check "header names format 1.0 and the columns" sh -c \
	'head -n 1 /proc/tcpwave | grep -qx "# tcpwave 1.0 seq ts_ns cpu cookie netns family laddr raddr oldstate newstate ctx pid comm"'
check "/proc/tcpwave is root-only" sh -c \
	'[ "$(stat -c %a /proc/tcpwave)" = 400 ]'
check "stats name every counter" sh -c \
	'for k in format ring_records ring_bytes records_written records_overwritten reader_lost kprobe_nmissed readers; do
		grep -q "^$k [0-9.]*\$" /proc/tcpwave_stats || exit 1; done'
rmmod tcpwave

# --- scenario: the client closes first ----------------------------------

capture client-close client-close
conn_vars client-close
expect_seq "client-close: client socket sequence" "$cap" "$c" \
	"CLOSE SYN_SENT" "SYN_SENT ESTABLISHED" "ESTABLISHED FIN_WAIT1" \
	"FIN_WAIT1 FIN_WAIT2" "FIN_WAIT2 CLOSE"
expect_seq "client-close: server socket sequence" "$cap" "$s" \
	"SYN_RECV ESTABLISHED" "ESTABLISHED CLOSE_WAIT" "CLOSE_WAIT LAST_ACK" \
	"LAST_ACK CLOSE"
expect_tuple "client-close: client tuple" "$cap" "$c" "$ca" "$sa"
expect_tuple "client-close: server tuple" "$cap" "$s" "$sa" "$ca"
expect_attribution "client-close: pid/comm only in task context" "$cap"
check "client-close: connect() names tcpwave-traffic" sh -c \
	"awk '\$4 == \"$c\" && \$10 == \"SYN_SENT\"' $cap | grep -q ' task [0-9]* tcpwave-traffic\$'"
check "client-close: seq numbers are consecutive" sh -c \
	"awk '\$1 !~ /^#/ { if (NR > 2 && \$1 != prev + 1) exit 1; prev = \$1 }' $cap"
check "client-close: timestamps never go back" sh -c \
	"awk '\$1 !~ /^#/ { if (\$2 < prev) exit 1; prev = \$2 }' $cap"
expect_ladder "client-close: ladder" "$cap" "$expected/client-close.ladder"

# --- scenario: the server closes first ----------------------------------

capture server-close server-close
conn_vars server-close
expect_seq "server-close: client socket sequence" "$cap" "$c" \
	"CLOSE SYN_SENT" "SYN_SENT ESTABLISHED" "ESTABLISHED CLOSE_WAIT" \
	"CLOSE_WAIT LAST_ACK" "LAST_ACK CLOSE"
expect_seq "server-close: server socket sequence" "$cap" "$s" \
	"SYN_RECV ESTABLISHED" "ESTABLISHED FIN_WAIT1" "FIN_WAIT1 FIN_WAIT2" \
	"FIN_WAIT2 CLOSE"
expect_tuple "server-close: client tuple" "$cap" "$c" "$ca" "$sa"
expect_tuple "server-close: server tuple" "$cap" "$s" "$sa" "$ca"
expect_attribution "server-close: pid/comm only in task context" "$cap"
expect_ladder "server-close: ladder" "$cap" "$expected/server-close.ladder"

# --- IPv6, refused, abort -----------------------------------------------

capture client-close6 -6 client-close
conn_vars client-close6
expect_seq "ipv6 client-close: client socket sequence" "$cap" "$c" \
	"CLOSE SYN_SENT" "SYN_SENT ESTABLISHED" "ESTABLISHED FIN_WAIT1" \
	"FIN_WAIT1 FIN_WAIT2" "FIN_WAIT2 CLOSE"
expect_tuple "ipv6 client-close: [addr]:port tuple" "$cap" "$c" "$ca" "$sa"
check "ipv6 client-close: family 6" sh -c \
	"awk '\$4 == \"$c\"' $cap | awk '\$6 != 6 { exit 1 }'"

capture refused refused
check "refused: SYN_SENT then CLOSE" sh -c \
	"awk '\$1 !~ /^#/ { print \$9, \$10 }' $out/refused.txt |
	 tr '\n' ';' | grep -qx 'CLOSE SYN_SENT;SYN_SENT CLOSE;'"

capture abort abort
conn_vars abort
expect_seq "abort: client ESTABLISHED→CLOSE, no FIN" "$cap" "$c" \
	"CLOSE SYN_SENT" "SYN_SENT ESTABLISHED" "ESTABLISHED CLOSE"
expect_seq "abort: server ESTABLISHED→CLOSE on the RST" "$cap" "$s" \
	"SYN_RECV ESTABLISHED" "ESTABLISHED CLOSE"

# --- many concurrent connections ----------------------------------------

capture many -n 300 -c 8 many
cap=$out/many.txt
conns=$(grep -c '^conn ' "$out/many.conn")
check "many: 300 connections made" [ "$conns" = 300 ]
bad=0
for ck in $(sed -n 's/.* client_sk=\([^ ]*\).*/\1/p' "$out/many.conn"); do
	got=$(transitions "$cap" "$ck" | tr '\n' ';')
	case "$got" in
	"CLOSE SYN_SENT;SYN_SENT ESTABLISHED;ESTABLISHED FIN_WAIT1;FIN_WAIT1 FIN_WAIT2;FIN_WAIT2 CLOSE;") ;;
	*)
		bad=$((bad + 1))
		if [ $bad -le 3 ]; then
			echo "$ck: $got" | diag
			awk -v c="$ck" '($4 "") == (c "")' "$cap" | diag
			grep "client_sk=$ck " "$out/many.conn" | diag
		fi
		;;
	esac
done
check "many: every client socket has the complete active-close sequence" [ $bad = 0 ]
check "many: no record lost" sh -c "! grep -q '^# lost' $cap"
servers=$(awk '$1 !~ /^#/ && $9 == "SYN_RECV" && $10 == "ESTABLISHED"' "$cap" | wc -l)
check "many: 300 server sockets established" [ "$servers" = 300 ]

# --- readers ------------------------------------------------------------

load
tcpwave-traffic client-close >/dev/null
cat /proc/tcpwave >"$out/r1"
check "a read consumes nothing: a second cat gives the same bytes" \
	sh -c "cat /proc/tcpwave | cmp -s - $out/r1"
for bs in 1 7 100 4096; do
	check "read() size $bs gives byte-identical output" \
		sh -c "tcpwave-reader -b $bs 2>/dev/null | cmp -s - $out/r1"
done
exec 3</proc/tcpwave 4</proc/tcpwave
head -c 50 <&3 >/dev/null
check "two open files keep their own cursors" sh -c "cat <&4 | cmp -s - $out/r1"
check "stats count the open readers" grep -qx 'readers 2' /proc/tcpwave_stats
exec 3<&- 4<&-

tcpwave-reader -f 3000 >"$out/follow" 2>"$out/follow.err" &
reader=$!
sleep 1
tcpwave-traffic server-close >/dev/null
wait $reader
check "poll() wakes a reader at the end of the ring for new records" \
	grep -q 'wakeups=[1-9].* end=timeout' "$out/follow.err"
check "the follower read the new connection's records" sh -c \
	"[ \$(grep -c ' FIN_WAIT2 CLOSE ' $out/follow) = 2 ]"
rmmod tcpwave

# A ring too small for the burst: every record is either read or lost.
load ring_records=64
tcpwave-reader -s 4000 >"$out/small" 2>"$out/small.err" &
reader=$!
sleep 0.5
tcpwave-traffic -n 100 -c 4 many >/dev/null
wait $reader
written=$(awk '$1 == "records_written" { print $2 }' /proc/tcpwave_stats)
records=$(sed -n 's/.*records=\([0-9]*\).*/\1/p' "$out/small.err")
lost=$(sed -n 's/.*lost=\([0-9]*\).*/\1/p' "$out/small.err")
if [ "$records" = 64 ] && [ $((records + lost)) = "$written" ]; then
	ok "overflow: records read ($records) + lost ($lost) = written ($written)"
else
	not_ok "overflow: records read ($records) + lost ($lost) = written ($written)"
fi
check "overflow: the lost count is in the stats" \
	grep -qx "reader_lost $lost" /proc/tcpwave_stats
check "overflow: the first record after the loss has seq = lost" sh -c \
	"grep -A1 '^# lost' $out/small | tail -n 1 | grep -q '^$lost '"
rmmod tcpwave

# --- unloading under load -----------------------------------------------

load
tcpwave-traffic -p 6000 -n 2000 -c 4 many >/dev/null 2>&1 &
traffic=$!
tcpwave-reader -f 60000 >/dev/null 2>"$out/blocked.err" &
reader=$!
exec 3</proc/tcpwave
sleep 1
if rmmod tcpwave; then
	ok "rmmod with traffic, a reader in poll() and an open file"
else
	not_ok "rmmod with traffic, a reader in poll() and an open file"
fi
wait $reader
check "the blocked reader is released by rmmod" grep -q 'end=' "$out/blocked.err"
check "reading a file left open across rmmod fails cleanly" sh -c '! cat <&3 >/dev/null 2>&1'
exec 3<&-
wait $traffic

if sh "$here/unload-race.sh" 30 >"$out/race" 2>&1; then
	ok "30 insmod/rmmod cycles with connections running flat out"
else
	not_ok "30 insmod/rmmod cycles with connections running flat out"
	diag <"$out/race"
fi

# --- the kernel log -----------------------------------------------------

if dmesg | grep -E 'WARNING|BUG|Oops|lockdep|Call Trace|circular locking|use-after-free' >"$out/dmesg.bad"; then
	not_ok "dmesg is free of WARNING, BUG, Oops and lockdep reports"
	diag <"$out/dmesg.bad"
else
	ok "dmesg is free of WARNING, BUG, Oops and lockdep reports"
fi
check "unload reports kprobe misses" sh -c \
	'dmesg | grep -q "tcpwave: kprobe tcp_set_state missed [0-9]* hits"'

echo "1..$n"
[ $failed = 0 ]
