#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The VM tests, run inside the test VM by tests/vm/run.sh through
# scripts/vm-run.sh.  Prints TAP; exits non-zero if any test failed.
#
# Each scenario: insmod, run tcpwave-traffic, read /proc/tcpwave, rmmod,
# then assert the exact sequence of transitions on each socket, picked out
# by the cookies tcpwave-traffic printed (SO_COOKIE).  At the end, no
# leak of the module's may be left for kmemleak to find (when the kernel
# has it), and the guest's dmesg must hold no WARNING, BUG (KASAN's
# reports among them), Oops or lockdep report.

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
# skip NAME REASON: a test this kernel cannot run.
skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
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

# The records of one connection (its request, full and timewait sockets
# share the cookie), one "event oldstate newstate [reason]" per line.
# Cookies are compared as strings: busybox awk reads "00000011" as octal 9.
# The race above, accept() before the child's SYN_RECV -> ESTABLISHED,
# is put back in the usual order: ESTABLISHED, then accept() in it.
transitions() {
	awk -v c="$2" '$1 !~ /^#/ && ($4 "") == (c "") {
		print $14 " " $9 " " $10 ($15 != "-" ? " " $15 : "") }' "$1" |
		awk '$0 == "accept SYN_RECV SYN_RECV" { held = 1; next }
		     held && $0 == "state SYN_RECV ESTABLISHED" {
			print; print "accept ESTABLISHED ESTABLISHED"; held = 0; next }
		     held { print "accept SYN_RECV SYN_RECV"; held = 0 }
		     { print }
		     END { if (held) print "accept SYN_RECV SYN_RECV" }'
}

# record CAPTURE COOKIE EVENT OLD NEW: the first such record of COOKIE.
record() {
	awk -v c="$2" -v e="$3" -v o="$4" -v n="$5" '$1 !~ /^#/ &&
		($4 "") == (c "") && $14 == e && $9 == o && $10 == n {
		print; exit }' "$1"
}

# field N of a record line
fld() {
	echo "$1" | awk -v n="$2" '{ print $n }'
}

# expect_seq NAME CAPTURE COOKIE "EVENT OLD NEW [REASON]" ...
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

# twstat KEY: a counter of /proc/tcpwave_stats.
twstat() {
	awk -v k="$1" '$1 == k { print $2 }' /proc/tcpwave_stats
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
	cat /proc/tcpwave_stats >"$out/$name.stats"
	rmmod tcpwave || not_ok "$name: rmmod"
	return 0
}

# Normalize a ladder for comparison: times and ports vary run to run.
# A race of the kernel's: the child is in the accept queue
# (inet_csk_complete_hashdance()) before tcp_child_process() moves it to
# ESTABLISHED, so an accept() already waiting on another CPU can return
# it in between.  The viewer draws what happened, "accept() after" above
# the server's ESTABLISHED; the expected ladders have the usual order, so
# the two rows are put back in it.
normalize() {
	sed -E -f "$here/normalize.sed" "$@" |
		awk '/accept\(\) after/ { held = $0; next }
		     held != "" && $0 == " T ESTABLISHED" {
			print; print held; held = ""; next }
		     held != "" { print held; held = "" }
		     { print }
		     END { if (held != "") print held }'
}

# expect_ladder NAME CAPTURE EXPECTED [any-order]: the viewer's ladder of
# CAPTURE, normalized, is EXPECTED.  With any-order only the rows must
# match, for scenarios where two ends act within a millisecond of each
# other and either may come first.
expect_ladder() {
	name=$1 cap=$2 want=$3 order=${4:-}
	if ! tcpwave "$cap" >"$out/ladder" 2>"$out/ladder.err"; then
		not_ok "$name"
		diag <"$out/ladder.err"
		return
	fi
	if [ "$order" = any-order ]; then
		normalize "$out/ladder" | sort >"$out/ladder.norm"
		sort "$want" >"$out/ladder.want"
	else
		normalize "$out/ladder" >"$out/ladder.norm"
		cp "$want" "$out/ladder.want"
	fi
	if cmp -s "$out/ladder.want" "$out/ladder.norm"; then
		ok "$name"
	else
		not_ok "$name"
		diff "$out/ladder.want" "$out/ladder.norm" | diag
	fi
}

# --- module parameters -------------------------------------------------

for bad in 0 3 63 2097152 abc -1 64abc 1e3 99999999999999999999 ""; do
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

# --- timing: the benchmark's per-record cost (scripts/bench.sh) -----------


dmesg -c >/dev/null
if load timing=abc 2>/dev/null; then
	not_ok "insmod timing=abc is refused"
	rmmod tcpwave
else
	check "insmod timing=abc is refused with a message naming it" sh -c \
		'dmesg | grep -q "timing=abc: must be 0 or 1"'
fi
if load; then
	tcpwave-traffic abort >/dev/null
	check "timing off by default: timed_records 0 after traffic" \
		[ "$(twstat timed_records) $(twstat timed_ns)" = "0 0" ]
	echo 1 >/sys/module/tcpwave/parameters/timing
	w0=$(twstat records_written)
	tcpwave-traffic abort >/dev/null
	w1=$(twstat records_written)
	t1=$(twstat timed_records)
	ns=$(twstat timed_ns)
	echo "# timing=1: $((w1 - w0)) records written, $t1 timed, $ns ns"
	check "timing switched on at run time times every record written since" \
		[ "$t1" -eq $((w1 - w0)) -a "$t1" -gt 0 ]
	check "timed_ns is between 1 ns and 1 ms a record" \
		[ "$ns" -ge "$t1" -a "$ns" -le $((t1 * 1000000)) ]
	echo 0 >/sys/module/tcpwave/parameters/timing
	tcpwave-traffic abort >/dev/null
	check "timing switched off again: no more records timed" \
		[ "$(twstat timed_records)" = "$t1" -a "$(twstat records_written)" -gt "$w1" ]
	rmmod tcpwave
else
	not_ok "insmod"
fi

# --- the header and the counters ----------------------------------------

load
check "header names format 1.1 and the columns" sh -c \
	'head -n 1 /proc/tcpwave | grep -qx "# tcpwave 1.1 seq ts_ns cpu cookie netns family laddr raddr oldstate newstate ctx pid comm event reason snd_una snd_nxt rcv_nxt iss irs link"'
# Mode 0444: who may read is CAP_NET_ADMIN, checked at open() (below).
check "/proc/tcpwave is mode 0444" sh -c \
	'[ "$(stat -c %a /proc/tcpwave)" = 444 ]'
# Nothing accepts writes.  The files are 0444, and root, whom the mode
# does not stop, gets EIO from write(), as from any /proc file without a
# write method (proc_reg_write(); /proc/cpuinfo alike).  Garbage, an
# oversized and a partial line are all refused at the first write() and
# change nothing: the ring after them starts with what it held before,
# and no counter but records_written moved.
tcpwave-traffic -p 5600 refused >/dev/null
cat /proc/tcpwave >"$out/w.before"
cat /proc/tcpwave_stats >"$out/ws.before"
wbad=""
for f in /proc/tcpwave /proc/tcpwave_stats; do
	for data in "clear" "$(head -c 70000 /dev/zero | tr '\0' x)" "1"; do
		if printf '%s' "$data" |
		   dd of="$f" bs=100000 conv=notrunc 2>"$out/w.err" ||
		   ! grep -q 'Input/output error' "$out/w.err"; then
			wbad="$wbad $f:${#data}"
		fi
	done
done
head -c "$(wc -c <"$out/w.before")" /proc/tcpwave >"$out/w.after"
grep -v '^records_written ' "$out/ws.before" >"$out/ws.before.c"
grep -v '^records_written ' /proc/tcpwave_stats >"$out/ws.after.c"
if [ -z "$wbad" ] && cmp -s "$out/w.before" "$out/w.after" &&
   cmp -s "$out/ws.before.c" "$out/ws.after.c"; then
	ok "writes (garbage, 70000 bytes, partial) get EIO and change nothing"
else
	not_ok "writes (garbage, 70000 bytes, partial) get EIO and change nothing:$wbad"
	diag <"$out/w.err"
fi
check "stats name every counter" sh -c \
	'for k in format ring_records ring_bytes records_written records_overwritten reader_lost kprobe_nmissed readers timed_records timed_ns nmi_dropped; do
		grep -q "^$k [0-9.]*\$" /proc/tcpwave_stats || exit 1; done'
rmmod tcpwave

# expect_numbers NAME CAPTURE CLIENT SERVER CLOSER: seqcheck.awk holds.
expect_numbers() {
	if awk -v c="$3" -v s="$4" -v closer="$5" -f "$here/seqcheck.awk" \
	       "$2" >"$out/seqcheck"; then
		ok "$1"
	else
		not_ok "$1"
		diag <"$out/seqcheck"
	fi
}

# expect_owner NAME CAPTURE COOKIE EVENT: that record names tcpwave-traffic.
expect_owner() {
	if awk -v c="$3" -v e="$4" '($4 "") == (c "") && $14 == e' "$2" |
	   grep -q ' task [0-9][0-9]* tcpwave-traffic '; then
		ok "$1"
	else
		not_ok "$1"
		awk -v c="$3" '($4 "") == (c "")' "$2" | diag
	fi
}

# --- scenario 1: the client closes first, and its TIME_WAIT expires ------

load
# tcpwave -E follows this traffic as it happens (checked further down),
# and then a refused connect().
tcpwave -E -a >"$out/follow.out" 2>"$out/follow.err" &
follower=$!
tcpwave-traffic client-close >"$out/client-close.conn" 2>&1 ||
	not_ok "client-close: tcpwave-traffic"
sleep 2
cp "$out/follow.out" "$out/follow.early"
# --live on the ring, not on a terminal: the table once, times from
# CLOCK_MONOTONIC.  The client is in TIME_WAIT, entered just now.
if tcpwave --live >"$out/live.txt" 2>&1 &&
   grep -q '^tcpwave --live  /proc/tcpwave  records [1-9]' "$out/live.txt" &&
   grep -Eq '^TIME_WAIT +([0-9.]+ms|[0-9][.][0-9]+s) +127[.]0[.]0[.]1:[0-9]+ +127[.]0[.]0[.]1:' \
	"$out/live.txt"; then
	ok "client-close: --live on the ring: the client in TIME_WAIT under 10 s"
	diag <"$out/live.txt"
else
	not_ok "client-close: --live on the ring: the client in TIME_WAIT under 10 s"
	diag <"$out/live.txt"
fi
# The client's timewait socket lives TCP_TIMEWAIT_LEN (60 s) from the
# server's FIN; the timer wheel may fire it a little late.
sleep 62
cat /proc/tcpwave >"$out/client-close.txt"
tcpwave-traffic refused >"$out/follow-refused.conn" 2>&1 ||
	not_ok "follow: tcpwave-traffic refused"
sleep 2
kill -INT $follower
wait $follower
follow_rc=$?
cat /proc/tcpwave >"$out/follow.ring"
rmmod tcpwave
conn_vars client-close
expect_seq "client-close: client sequence, TIME_WAIT to its expiry" "$cap" "$c" \
	"connect CLOSE SYN_SENT" "state SYN_SENT ESTABLISHED" \
	"state ESTABLISHED FIN_WAIT1" "state FIN_WAIT1 FIN_WAIT2" \
	"timewait FIN_WAIT2 FIN_WAIT2" "timewait FIN_WAIT2 TIME_WAIT" \
	"timewait TIME_WAIT CLOSE expired"
expect_seq "client-close: server sequence from the SYN to LAST_ACK" "$cap" "$s" \
	"syn LISTEN SYN_RECV" "child SYN_RECV SYN_RECV" \
	"state SYN_RECV ESTABLISHED" "accept ESTABLISHED ESTABLISHED" \
	"state ESTABLISHED CLOSE_WAIT" "state CLOSE_WAIT LAST_ACK" \
	"state LAST_ACK CLOSE close"
expect_tuple "client-close: client tuple" "$cap" "$c" "$ca" "$sa"
expect_tuple "client-close: server tuple" "$cap" "$s" "$sa" "$ca"
expect_attribution "client-close: pid/comm only in task context" "$cap"
expect_owner "client-close: connect() names tcpwave-traffic" "$cap" "$c" connect
expect_owner "client-close: accept() names tcpwave-traffic" "$cap" "$s" accept
check "client-close: listen() recorded with the port and its owner" sh -c \
	"grep ' CLOSE LISTEN task [0-9]* tcpwave-traffic listen ' $cap | grep -q ' $sa '"
tw_in=$(record "$cap" "$c" timewait FIN_WAIT2 TIME_WAIT)
tw_out=$(record "$cap" "$c" timewait TIME_WAIT CLOSE)
tw_ms=$(( ($(fld "$tw_out" 2) - $(fld "$tw_in" 2)) / 1000000 ))
check "client-close: TIME_WAIT lasted 2MSL (60 s): $tw_ms ms" \
	sh -c "[ '$tw_ms' -ge 60000 ] && [ '$tw_ms' -le 64000 ]"
expect_numbers "client-close: ISS, IRS, SND.UNA, SND.NXT, RCV.NXT fit" \
	"$cap" "$c" "$s" client
check "client-close: the link of the child names the request socket" sh -c \
	"awk '\$14 == \"child\" { print \$21 }' $cap | grep -qx '$s'"
check "client-close: seq numbers are consecutive" sh -c \
	"awk '\$1 !~ /^#/ { if (NR > 2 && \$1 != prev + 1) exit 1; prev = \$1 }' $cap"
check "client-close: timestamps never go back" sh -c \
	"awk '\$1 !~ /^#/ { if (\$2 < prev) exit 1; prev = \$2 }' $cap"
check "client-close: no port 0 in any record but a listener's remote" sh -c \
	"! awk '\$1 !~ /^#/ && \$9 != \"LISTEN\" && \$10 != \"LISTEN\" && (\$7 ~ /:0\$/ || \$8 ~ /:0\$/)' $cap | grep -q ."
expect_ladder "client-close: ladder" "$cap" "$expected/client-close.ladder"

# --- tcpwave -E on the live ring, beside scenario 1 ----------------------

# A line of tcpwave -E: the time, then the cookie (ladder rows have none).
EVENT_LINE='^ *[0-9]+\.[0-9]{3}  [0-9a-f]{8,16}  '

# follow_lines FILE: "cookie OLD->NEW event" of each line of tcpwave -E -a.
follow_lines() {
	grep -E "$EVENT_LINE" "$1" | awk '{ print $2, $6, $8 }'
}

# ladders FILE: the ladders of a viewer's output, one per line, without
# their numbers, sorted.
ladders() {
	awk '/^(connection|listener) [0-9]+: / {
		b = 1; sub(/ [0-9]+: /, " N: "); s = $0; next }
	     b && /^$/ { print s; b = 0; next }
	     b { s = s "|" $0 }
	     END { if (b) print s }' "$1" | sort
}

check "follow: -E stops on SIGINT with status 0 ($follow_rc), nothing on stderr" \
	sh -c "[ '$follow_rc' = 0 ] && [ ! -s $out/follow.err ]"
conn_vars client-close
check "follow: the server's CLOSE was out while the client was in TIME_WAIT" \
	grep -q "^ *[0-9.]*  $s  .* LAST_ACK->CLOSE " "$out/follow.early"
awk '$1 !~ /^#/ { print $4, $9 "->" $10, $14 }' "$out/follow.ring" \
	>"$out/follow.want"
follow_lines "$out/follow.out" >"$out/follow.got"
if [ -s "$out/follow.want" ] && cmp -s "$out/follow.want" "$out/follow.got"; then
	ok "follow: each of the ring's $(wc -l <"$out/follow.want") records is a line, in order"
else
	not_ok "follow: each of the ring's records is a line, in order"
	diff "$out/follow.want" "$out/follow.got" | diag
fi
# Its ladders are those of the listener and the client-close connection
# (drawn once the client's TIME_WAIT ended) and of the refused connect(),
# each as a capture of their records draws it.
# tcpwave-traffic refused names no cookie: its socket's is the one the
# ring says was refused.
rc_ck=$(awk '$15 == "refused" { print $4; exit }' "$out/follow.ring")
awk -v c="$rc_ck" '/^#/ || ($4 "") == (c "")' "$out/follow.ring" \
	>"$out/follow-refused.txt"
tcpwave -a "$cap" >"$out/follow.l1"
tcpwave -a "$out/follow-refused.txt" >"$out/follow.l2"
{ ladders "$out/follow.l1"; ladders "$out/follow.l2"; } | sort >"$out/follow.lwant"
ladders "$out/follow.out" >"$out/follow.lgot"
if [ "$(wc -l <"$out/follow.lwant")" = 3 ] &&
   grep -q "client ends in CLOSE (expired)" "$out/follow.lwant" &&
   grep -q "server refused the connection" "$out/follow.lwant" &&
   cmp -s "$out/follow.lwant" "$out/follow.lgot"; then
	ok "follow: the listener's, client-close's and refused ladders, as captures draw them"
else
	not_ok "follow: the listener's, client-close's and refused ladders, as captures draw them"
	diff "$out/follow.lwant" "$out/follow.lgot" | tr '|' '\n' | diag
fi

# --- scenario 2: the server closes first ---------------------------------

capture server-close server-close
conn_vars server-close
expect_seq "server-close: client sequence" "$cap" "$c" \
	"connect CLOSE SYN_SENT" "state SYN_SENT ESTABLISHED" \
	"state ESTABLISHED CLOSE_WAIT" "state CLOSE_WAIT LAST_ACK" \
	"state LAST_ACK CLOSE close"
expect_seq "server-close: server sequence" "$cap" "$s" \
	"syn LISTEN SYN_RECV" "child SYN_RECV SYN_RECV" \
	"state SYN_RECV ESTABLISHED" "accept ESTABLISHED ESTABLISHED" \
	"state ESTABLISHED FIN_WAIT1" "state FIN_WAIT1 FIN_WAIT2" \
	"timewait FIN_WAIT2 FIN_WAIT2" "timewait FIN_WAIT2 TIME_WAIT"
expect_tuple "server-close: client tuple" "$cap" "$c" "$ca" "$sa"
expect_tuple "server-close: server tuple" "$cap" "$s" "$sa" "$ca"
expect_attribution "server-close: pid/comm only in task context" "$cap"
expect_numbers "server-close: sequence numbers fit" "$cap" "$c" "$s" server
expect_ladder "server-close: ladder" "$cap" "$expected/server-close.ladder"

# --- scenario 10: IPv6, and IPv4-mapped IPv6 -----------------------------

capture client-close6 -6 client-close
conn_vars client-close6
expect_seq "ipv6 client-close: client sequence" "$cap" "$c" \
	"connect CLOSE SYN_SENT" "state SYN_SENT ESTABLISHED" \
	"state ESTABLISHED FIN_WAIT1" "state FIN_WAIT1 FIN_WAIT2" \
	"timewait FIN_WAIT2 FIN_WAIT2" "timewait FIN_WAIT2 TIME_WAIT"
expect_seq "ipv6 client-close: server sequence" "$cap" "$s" \
	"syn LISTEN SYN_RECV" "child SYN_RECV SYN_RECV" \
	"state SYN_RECV ESTABLISHED" "accept ESTABLISHED ESTABLISHED" \
	"state ESTABLISHED CLOSE_WAIT" "state CLOSE_WAIT LAST_ACK" \
	"state LAST_ACK CLOSE close"
expect_tuple "ipv6 client-close: [addr]:port tuple" "$cap" "$c" "$ca" "$sa"
expect_tuple "ipv6 client-close: server [addr]:port tuple" "$cap" "$s" "$sa" "$ca"
check "ipv6 client-close: family 6" sh -c \
	"awk '\$4 == \"$c\"' $cap | awk '\$6 != 6 { exit 1 }'"
expect_numbers "ipv6 client-close: sequence numbers fit" "$cap" "$c" "$s" client

# --- scenario 5: refused -------------------------------------------------

capture refused refused
check "refused: connect with the real port, then CLOSE, reason refused" sh -c \
	"awk '\$1 !~ /^#/ { print \$14, \$9, \$10, \$15 }' $out/refused.txt |
	 tr '\n' ';' | grep -qx 'connect CLOSE SYN_SENT -;state SYN_SENT CLOSE refused;'"
check "refused: no port 0" sh -c \
	"! awk '\$1 !~ /^#/ && (\$7 ~ /:0\$/ || \$8 ~ /:0\$/)' $out/refused.txt | grep -q ."
capture refused6 -6 refused
check "ipv6 refused: connect, then CLOSE, reason refused" sh -c \
	"awk '\$1 !~ /^#/ { print \$6, \$14, \$9, \$10, \$15 }' $out/refused6.txt |
	 tr '\n' ';' | grep -qx '6 connect CLOSE SYN_SENT -;6 state SYN_SENT CLOSE refused;'"

# --- scenario 7: abort with SO_LINGER {1, 0} -----------------------------

capture abort abort
conn_vars abort
expect_seq "abort: client ESTABLISHED→CLOSE, reason rst_sent, and the RST" "$cap" "$c" \
	"connect CLOSE SYN_SENT" "state SYN_SENT ESTABLISHED" \
	"state ESTABLISHED CLOSE rst_sent" "rst CLOSE CLOSE"
expect_seq "abort: server ESTABLISHED→CLOSE, reason rst_rcvd" "$cap" "$s" \
	"syn LISTEN SYN_RECV" "child SYN_RECV SYN_RECV" \
	"state SYN_RECV ESTABLISHED" "accept ESTABLISHED ESTABLISHED" \
	"state ESTABLISHED CLOSE rst_rcvd"
expect_tuple "abort: the RST record keeps the client's port" "$cap" "$c" "$ca" "$sa"

# --- scenario 11: many concurrent connections ----------------------------

capture many -n 300 -c 8 many
cap=$out/many.txt
conns=$(grep -c '^conn ' "$out/many.conn")
check "many: 300 connections made" [ "$conns" = 300 ]
bad=0
# tcpwave-traffic knows the client's cookie; the server's is that of the
# request socket whose tuple is the client's, reversed.
awk '$1 !~ /^#/ && $14 == "syn" && $9 == "LISTEN" { print $8, $4 }' "$cap" \
	>"$out/many.servers"
sed -n 's/.* client=\([^ ]*\) .* client_sk=\([^ ]*\) .*/\1 \2/p' "$out/many.conn" |
	awk 'NR == FNR { srv[$1] = $2; next } ($1 in srv) { print $1, $2, srv[$1] }' \
	"$out/many.servers" - >"$out/many.pairs"
for line in $(awk '{ print $2 "," $3 }' "$out/many.pairs"); do
	ck=${line%,*}
	sk=${line#*,}
	got=$(transitions "$cap" "$ck" | tr '\n' ';')
	got_s=$(transitions "$cap" "$sk" | tr '\n' ';')
	case "$got/$got_s" in
	# The client's socket is orphaned when its FIN is acked and goes to
	# the FIN_WAIT2 substate, unless the server's FIN came in the same
	# segment as that ACK (its ACK was delayed): then straight to TIME_WAIT.
	"connect CLOSE SYN_SENT;state SYN_SENT ESTABLISHED;state ESTABLISHED FIN_WAIT1;state FIN_WAIT1 FIN_WAIT2;timewait FIN_WAIT2 FIN_WAIT2;timewait FIN_WAIT2 TIME_WAIT;/syn LISTEN SYN_RECV;child SYN_RECV SYN_RECV;state SYN_RECV ESTABLISHED;accept ESTABLISHED ESTABLISHED;state ESTABLISHED CLOSE_WAIT;state CLOSE_WAIT LAST_ACK;state LAST_ACK CLOSE close;" | \
	"connect CLOSE SYN_SENT;state SYN_SENT ESTABLISHED;state ESTABLISHED FIN_WAIT1;state FIN_WAIT1 FIN_WAIT2;timewait FIN_WAIT2 TIME_WAIT;/syn LISTEN SYN_RECV;child SYN_RECV SYN_RECV;state SYN_RECV ESTABLISHED;accept ESTABLISHED ESTABLISHED;state ESTABLISHED CLOSE_WAIT;state CLOSE_WAIT LAST_ACK;state LAST_ACK CLOSE close;") ;;
	*)
		bad=$((bad + 1))
		if [ $bad -le 3 ]; then
			echo "$ck: $got" | diag
			echo "$sk: $got_s" | diag
			grep "client_sk=$ck " "$out/many.conn" | diag
		fi
		;;
	esac
done
check "many: 300 connections paired with their server end" \
	[ "$(wc -l <"$out/many.pairs")" = 300 ]
check "many: every connection has its complete sequence on both ends" [ $bad = 0 ]
check "many: no record lost" sh -c "! grep -q '^# lost' $cap"
check "many: no kprobe hit missed" grep -qx 'kprobe_nmissed 0' "$out/many.stats"
check "many: every accept() names tcpwave-traffic, no softirq record names a task" sh -c \
	"! awk '\$14 == \"accept\" && \$13 != \"tcpwave-traffic\"' $cap | grep -q . &&
	 ! awk '\$1 !~ /^#/ && \$11 != \"task\" && \$12 != \"-\"' $cap | grep -q ."

# --- scenarios with a network, ground truth and the peer ------------------

# tcpstates is a BPF CO-RE program: it needs the kernel's BTF, which the
# debug kernel (scripts/debug-kernel.sh) is built without.
if [ -e /sys/kernel/btf/vmlinux ]; then
	peer=--tcpstates
else
	peer=""
fi

# scen NAME [TRAFFIC-ARGS...]: run tests/vm/scenario.sh with tcpwave and
# tcpstates; its sections go to $out/NAME.conn (tcpwave-traffic), .seg
# (tcpdump, one line per segment), .peer (tcpstates), .txt (/proc/tcpwave).
scen() {
	name=$1
	shift
	rm -f "$out/$name".*
	sh "$here/scenario.sh" --tcpwave $peer "$@" >"$out/$name.scen" 2>&1 ||
		{ not_ok "$name: scenario.sh $*"; diag <"$out/$name.scen"; }
	awk -v o="$out/$name" '
		/^== tcpwave-traffic/ { f = o ".conn"; next }
		/^== segments/ { f = o ".seg"; next }
		/^== tcpstates/ { f = o ".peer"; next }
		/^== \/proc\/tcpwave/ { f = o ".txt"; next }
		f { print >> f }' "$out/$name.scen"
	touch "$out/$name.conn" "$out/$name.seg" "$out/$name.peer" "$out/$name.txt"
}

# only CAPTURE COOKIE...: CAPTURE.only, the header and the records of these
# cookies and of the listener they link to.  Timewait sockets of earlier
# scenarios can die while a later one runs; keep them out of its ladder.
only() {
	f=$1
	shift
	awk -v want=" $* " '
		NR == FNR { if ($1 !~ /^#/ && index(want, " " $4 " ") && $21 != "-")
				link[$21] = 1
			    next }
		/^#/ || index(want, " " $4 " ") || ($4 in link)' "$f" "$f" >"$f.only"
}

# ms_between CAPTURE "COOKIE EVENT OLD NEW" "COOKIE EVENT OLD NEW": the
# time from the first record to the second, in ms.
ms_between() {
	a=$(record "$1" $2)
	b=$(record "$1" $3)
	[ -n "$a" ] && [ -n "$b" ] || { echo -1; return; }
	echo $(( ($(fld "$b" 2) - $(fld "$a" 2)) / 1000000 ))
}

# wire NAME SRC FLAGS FIELD: FIELD (seq or ack) of the first segment from
# SRC with exactly FLAGS that tcpdump saw.
wire() {
	awk -v s="$2" -v f="$3" -v k="$4" '$2 == s && $5 == f {
		for (i = 6; i <= NF; i++) if (index($i, k "=") == 1) {
			print substr($i, length(k) + 2); exit } }' "$out/$1.seg"
}

# expect_equal NAME GOT WANT
expect_equal() {
	if [ -n "$2" ] && [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "got '$2', want '$3'" | diag
	fi
}

# expect_wire NAME SCENARIO SRC FLAGS FIELD COOKIE "EVENT OLD NEW" COLUMN:
# the seq or ack FIELD of the first segment tcpdump saw from SRC with
# FLAGS is COLUMN of that tcpwave record of COOKIE.
expect_wire() {
	expect_equal "$1" "$(wire "$2" "$3" "$4" "$5")" \
		"$(fld "$(record "$out/$2.txt" "$6" $7)" "$8")"
}

# Scenario 1 again, against tcpdump: the numbers are the wire's.
scen wire-client-close client-close
conn_vars wire-client-close
expect_wire "wire: SYN seq = client ISS" wire-client-close "$ca" SYN seq \
	"$c" "connect CLOSE SYN_SENT" 19
expect_wire "wire: SYN+ACK seq = server ISS" wire-client-close "$sa" SYN+ACK seq \
	"$s" "syn LISTEN SYN_RECV" 19
expect_wire "wire: SYN+ACK ack = server RCV.NXT at the child" wire-client-close "$sa" SYN+ACK ack \
	"$s" "child SYN_RECV SYN_RECV" 18
expect_wire "wire: client FIN seq = SND.NXT at ESTABLISHED→FIN_WAIT1" wire-client-close "$ca" FIN+ACK seq \
	"$c" "state ESTABLISHED FIN_WAIT1" 17
expect_wire "wire: server FIN seq = SND.NXT at CLOSE_WAIT→LAST_ACK" wire-client-close "$sa" FIN+ACK seq \
	"$s" "state CLOSE_WAIT LAST_ACK" 17
last_ack=$(awk -v s="$ca" '$2 == s && $5 == "ACK"' "$out/wire-client-close.seg" |
	tail -n 1 | sed -n 's/.* ack=\([0-9]*\).*/\1/p')
expect_equal "wire: the client's last ACK = RCV.NXT entering TIME_WAIT" \
	"$last_ack" "$(fld "$(record "$cap" "$c" timewait FIN_WAIT2 TIME_WAIT)" 18)"

# The peer on the same traffic: what tcpstates misses that tcpwave shows.
nobtf="no /sys/kernel/btf/vmlinux for tcpstates"
if [ -n "$peer" ]; then
	check "peer: tcpstates shows port 0 at CLOSE -> SYN_SENT" sh -c \
		"awk '\$10 == \"CLOSE\" && \$12 == \"SYN_SENT\" && \$7 == 0' $out/wire-client-close.peer | grep -q ."
	check "peer: tcpstates ends the client at FIN_WAIT2 -> CLOSE, no TIME_WAIT" sh -c \
		"grep -q 'FIN_WAIT2 *-> CLOSE' $out/wire-client-close.peer &&
		 ! grep -q TIME_WAIT $out/wire-client-close.peer"
else
	skip "peer: tcpstates shows port 0 at CLOSE -> SYN_SENT" "$nobtf"
	skip "peer: tcpstates ends the client at FIN_WAIT2 -> CLOSE, no TIME_WAIT" "$nobtf"
fi
port_ok=$(record "$cap" "$c" connect CLOSE SYN_SENT | awk '$7 !~ /:0$/')
tw_ok=$(record "$cap" "$c" timewait FIN_WAIT2 TIME_WAIT)
check "peer: tcpwave has the port at connect and the client's TIME_WAIT" \
	[ -n "$port_ok" -a -n "$tw_ok" ]
peer_n=$(grep -c ' -> ' "$out/wire-client-close.peer")
if [ -n "$peer" ]; then
	check "peer: every tcpstates transition ($peer_n) is in tcpwave's records" sh -c "
		awk '/ -> / && \$1 != \"TIME(s)\" { print \$(NF - 3), \$(NF - 1) }' $out/wire-client-close.peer |
		sed 's/FIN_WAIT2 CLOSE/FIN_WAIT2 TIME_WAIT/' |
		sort >$out/peer.pairs
		awk '\$1 !~ /^#/ { print \$9, \$10 }' $cap | sort -u >$out/wave.pairs
		[ -s $out/peer.pairs ] && ! grep -vxFf $out/wave.pairs $out/peer.pairs"
else
	skip "peer: every tcpstates transition is in tcpwave's records" "$nobtf"
fi

# --- scenario 3: simultaneous close --------------------------------------

scen simul-close simul-close
conn_vars simul-close
expect_seq "simul-close: client FIN_WAIT1→CLOSING→TIME_WAIT" "$cap" "$c" \
	"connect CLOSE SYN_SENT" "state SYN_SENT ESTABLISHED" \
	"state ESTABLISHED FIN_WAIT1" "state FIN_WAIT1 CLOSING" \
	"timewait CLOSING TIME_WAIT"
expect_seq "simul-close: server FIN_WAIT1→CLOSING→TIME_WAIT" "$cap" "$s" \
	"syn LISTEN SYN_RECV" "child SYN_RECV SYN_RECV" \
	"state SYN_RECV ESTABLISHED" "accept ESTABLISHED ESTABLISHED" \
	"state ESTABLISHED FIN_WAIT1" "state FIN_WAIT1 CLOSING" \
	"timewait CLOSING TIME_WAIT"
ns_c=$(fld "$(record "$cap" "$c" connect CLOSE SYN_SENT)" 5)
ns_s=$(fld "$(record "$cap" "$s" syn LISTEN SYN_RECV)" 5)
check "simul-close: the two ends are in two network namespaces ($ns_c, $ns_s)" \
	[ -n "$ns_c" -a -n "$ns_s" -a "$ns_c" != "$ns_s" ]
expect_wire "simul-close: wire: client FIN seq = its SND.NXT at FIN_WAIT1" simul-close "$ca" FIN+ACK seq \
	"$c" "state ESTABLISHED FIN_WAIT1" 17
only "$cap" "$c" "$s"
expect_ladder "simul-close: ladder" "$cap.only" "$expected/simul-close.ladder" any-order

# --- scenario 4: simultaneous open, a socket connected to itself ---------

scen self-connect self-connect
conn_vars self-connect
expect_seq "self-connect: SYN_SENT→SYN_RECV→ESTABLISHED, then a close with itself" "$cap" "$c" \
	"connect CLOSE SYN_SENT" "state SYN_SENT SYN_RECV" \
	"state SYN_RECV ESTABLISHED" "state ESTABLISHED FIN_WAIT1" \
	"state FIN_WAIT1 CLOSING" "timewait CLOSING TIME_WAIT"
expect_tuple "self-connect: local = remote" "$cap" "$c" "$ca" "$ca"
only "$cap" "$c"
expect_ladder "self-connect: ladder" "$cap.only" "$expected/self-connect.ladder"

# --- scenario 6: SYN timeout ---------------------------------------------

scen syn-timeout syn-timeout
conn_vars syn-timeout
expect_seq "syn-timeout: SYN retransmitted twice, then CLOSE, reason timeout" "$cap" "$c" \
	"connect CLOSE SYN_SENT" "retrans SYN_SENT SYN_SENT" \
	"retrans SYN_SENT SYN_SENT" "state SYN_SENT CLOSE timeout"
rtx=$(awk -v c="$c" '($4 "") == (c "") && ($14 == "connect" || $14 == "retrans") {
	printf "%d ", $2 / 1000000 }' "$cap")
set -- $rtx
check "syn-timeout: exponential backoff: retransmissions at ~1 s and ~3 s ($(( $2 - $1 )), $(( $3 - $1 )) ms)" \
	sh -c "[ $(( $2 - $1 )) -ge 900 ] && [ $(( $2 - $1 )) -le 1600 ] &&
	       [ $(( $3 - $1 )) -ge 2800 ] && [ $(( $3 - $1 )) -le 4000 ]"
expect_wire "syn-timeout: wire: the retransmitted SYN carries the ISS" syn-timeout "$ca" SYN seq \
	"$c" "retrans SYN_SENT SYN_SENT" 19
only "$cap" "$c"
expect_ladder "syn-timeout: ladder" "$cap.only" "$expected/syn-timeout.ladder"

# --- scenario 8: the server's handshake never completes ------------------

scen synack-drop synack-drop
conn_vars synack-drop
s=$(awk -v a="$ca" '$1 !~ /^#/ && $14 == "syn" && $9 == "LISTEN" && $8 == a {
	print $4; exit }' "$cap")
expect_seq "synack-drop: request socket: SYN-ACK retransmitted, then expired" "$cap" "$s" \
	"syn LISTEN SYN_RECV" "retrans SYN_RECV SYN_RECV" \
	"retrans SYN_RECV SYN_RECV" "syn SYN_RECV CLOSE timeout"
expect_seq "synack-drop: client: SYNs, then timeout" "$cap" "$c" \
	"connect CLOSE SYN_SENT" "retrans SYN_SENT SYN_SENT" \
	"retrans SYN_SENT SYN_SENT" "state SYN_SENT CLOSE timeout"
expect_equal "synack-drop: the request socket links to its listener" \
	"$(fld "$(record "$cap" "$s" syn LISTEN SYN_RECV)" 21)" \
	"$(conn_field "$out/synack-drop.conn" listen_sk)"
only "$cap" "$c" "$s"
expect_ladder "synack-drop: ladder" "$cap.only" "$expected/synack-drop.ladder" any-order

# --- scenario 9: a late accept() -----------------------------------------

scen late-accept -w 500 late-accept
conn_vars late-accept
# accept() comes 500 ms after connect() returned; the server's child may
# reach ESTABLISHED a little after that return, when the client's ACK is
# processed later (498 ms on the debug kernel), so allow 50 ms of it.
wait_ms=$(ms_between "$cap" "$s state SYN_RECV ESTABLISHED" "$s accept ESTABLISHED ESTABLISHED")
check "late-accept: the accept-queue wait shows: $wait_ms ms" \
	sh -c "[ '$wait_ms' -ge 450 ] && [ '$wait_ms' -le 1500 ]"
expect_owner "late-accept: accept() names its caller" "$cap" "$s" accept

# --- scenario 10: IPv4-mapped IPv6 ---------------------------------------

scen mapped -m client-close
conn_vars mapped
expect_seq "mapped: client sequence" "$cap" "$c" \
	"connect CLOSE SYN_SENT" "state SYN_SENT ESTABLISHED" \
	"state ESTABLISHED FIN_WAIT1" "state FIN_WAIT1 FIN_WAIT2" \
	"timewait FIN_WAIT2 FIN_WAIT2" "timewait FIN_WAIT2 TIME_WAIT"
expect_tuple "mapped: [::ffff:127.0.0.1]:port tuple" "$cap" "$c" "$ca" "$sa"
mapped_rec=$(record "$cap" "$c" connect CLOSE SYN_SENT)
check "mapped: family 6, mapped addresses" sh -c \
	"echo '$mapped_rec' | grep -q ' 6 \[::ffff:127.0.0.1\]:'"
expect_numbers "mapped: sequence numbers fit" "$cap" "$c" "$s" client

# --- readers ------------------------------------------------------------

load
tcpwave-traffic client-close >/dev/null
cat /proc/tcpwave >"$out/r1"
check "a read consumes nothing: a second cat gives the same bytes" \
	sh -c "cat /proc/tcpwave | cmp -s - $out/r1"
for bs in 1 3 7 13 100 257 4095 4096; do
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
	"grep -q ' LAST_ACK CLOSE .* close ' $out/follow &&
	 grep -q ' FIN_WAIT2 TIME_WAIT .* timewait ' $out/follow"
rmmod tcpwave

# A ring too small for the burst: every record is either read or lost.
# The file is opened before the burst and read once it is over, however
# long the kernel takes (a debug kernel takes long).
load ring_records=64
exec 5</proc/tcpwave
tcpwave-traffic -n 100 -c 4 many >/dev/null
sleep 0.5
cat <&5 >"$out/small"
exec 5<&-
written=$(twstat records_written)
records=$(grep -vc '^#' "$out/small")
lost=$(sed -n 's/^# lost \([0-9]*\)$/\1/p' "$out/small" | awk '{ s += $1 } END { print s + 0 }')
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

# tcpwave -E stopped while a ring too small fills: it tells what it lost,
# and every record is either a line or lost.
load ring_records=64
tcpwave -E -a >"$out/flost.out" 2>"$out/flost.err" &
follower=$!
# Stopped only once it has the file open: on a slow kernel one second
# was not enough, and a follower opening late starts at the oldest
# record and loses nothing.
i=0
while [ "$(twstat readers)" != 1 ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
kill -STOP $follower
tcpwave-traffic -n 100 -c 4 many >/dev/null
kill -CONT $follower
sleep 3
written=$(twstat records_written)
kill -INT $follower
wait $follower
frc=$?
printed=$(grep -Ec "$EVENT_LINE" "$out/flost.out")
told=$(sed -n 's/^tcpwave: \([0-9]*\) records lost (ring overwritten)$/\1/p' \
	"$out/flost.err" | awk '{ s += $1 } END { print s + 0 }')
marked=$(sed -n 's/^--- \([0-9]*\) records lost (ring overwritten) ---$/\1/p' \
	"$out/flost.out" | awk '{ s += $1 } END { print s + 0 }')
if [ "$frc" = 0 ] && [ "$told" -gt 0 ] && [ "$marked" = "$told" ] &&
   [ $((printed + told)) = "$written" ]; then
	ok "follow overflow: lines ($printed) + lost ($told) = written ($written)"
else
	not_ok "follow overflow: lines ($printed) + lost ($told, $marked in the stream) = written ($written), status $frc"
	diag <"$out/flost.err"
fi
check "follow overflow: the stats count the same loss" \
	grep -qx "reader_lost $told" /proc/tcpwave_stats
rmmod tcpwave

# --- who may read: CAP_NET_ADMIN; a container sees its own --------------

load
tcpwave-traffic server-close >/dev/null 2>&1
init_ns=$(readlink /proc/self/ns/net | tr -cd 0-9)
# refused NAME READER-OPTION: tcpwave-reader so started cannot open it.
refused() {
	tcpwave-reader "$2" >"$out/perm.out" 2>"$out/perm.err"
	rc=$?
	if [ $rc = 1 ] && [ ! -s "$out/perm.out" ] &&
	   grep -q 'Operation not permitted' "$out/perm.err"; then
		ok "who may read: $1 gets EPERM"
	else
		not_ok "who may read: $1 gets EPERM (status $rc)"
		diag <"$out/perm.err"
	fi
}
refused "uid 65534" -u65534
refused "root without CAP_NET_ADMIN" -C
check "who may read: the counters stay readable by anyone" \
	tcpwave-reader -u 65534 -p /proc/tcpwave_stats
# A reader in a child network namespace, as in a container: its own
# connection's records and no other, while the initial one sees all.
unshare -n sh -c 'ip link set lo up &&
	tcpwave-traffic server-close >/dev/null 2>&1 &&
	readlink /proc/self/ns/net | tr -cd 0-9 && echo &&
	cat /proc/tcpwave && echo "--- tcpwave --list" &&
	tcpwave --list' >"$out/perm-child.txt" 2>&1
child_ns=$(head -n 1 "$out/perm-child.txt")
cat /proc/tcpwave >"$out/perm-init.txt"
# own OTHER: records of the child's netns, and of any other, in a capture
# (record lines only: the viewer's list after them does not count).
own() {
	awk -v ns="$1" '/^--- / { exit } NF >= 13 && $1 ~ /^[0-9]+$/ &&
			$5 == ns { n++ } END { print n + 0 }' "$2"
}
other() {
	awk -v ns="$1" '/^--- / { exit } NF >= 13 && $1 ~ /^[0-9]+$/ &&
			$5 != ns { n++ } END { print n + 0 }' "$2"
}
c_own=$(own "$child_ns" "$out/perm-child.txt")
c_other=$(other "$child_ns" "$out/perm-child.txt")
i_child=$(own "$child_ns" "$out/perm-init.txt")
i_init=$(own "$init_ns" "$out/perm-init.txt")
echo "# netns $child_ns reader: $c_own own records, $c_other others; initial reader: $i_child of the child's, $i_init of its own"
if [ -n "$child_ns" ] && [ "$child_ns" != "$init_ns" ] &&
   [ "$c_own" -ge 5 ] && [ "$c_other" = 0 ] && [ "$i_child" = "$c_own" ] &&
   [ "$i_init" -ge 5 ]; then
	ok "who may read: a reader in a child netns sees its own records only"
else
	not_ok "who may read: a reader in a child netns sees its own records only"
	diag <"$out/perm-child.txt"
fi
# The viewer there: the listener and the one connection, nothing else.
check "who may read: the viewer in the child netns lists its own two" \
	sh -c "sed -n '/^--- tcpwave --list/,\$p' $out/perm-child.txt |
	       awk 'NR > 2 { n++; if (\$3 !~ /127\\.0\\.0\\.1:5555/) bad = 1 }
		    END { exit !(n == 2 && !bad) }'"
rmmod tcpwave

# --- load and faults: readers, lseek, soak, unloading -------------------

. "$here/load.sh"

# --- kmemleak (the debug kernel: scripts/debug-kernel.sh) -----------------

# Every tcpwave.ko is unloaded by now.  kmemleak reports objects older
# than 5 s that no scan found a pointer to; it takes two scans.  A leak
# of the module's names it in its backtrace while it is loaded, and once
# unloaded shows its frames as bare addresses in x86_64's module area
# (0xffffffffc0000000 up): the debug kernel has everything else built in,
# so those frames are tcpwave's too.
kml=/sys/kernel/debug/kmemleak
if [ -e $kml ]; then
	sleep 6
	echo scan >$kml
	echo scan >$kml
	cat $kml >"$out/kmemleak"
	leaks=$(grep -c '^unreferenced object' "$out/kmemleak")
	awk '/^unreferenced object/ { if (mine) printf "%s", obj; obj = ""; mine = 0 }
	     { obj = obj $0 "\n" }
	     /\[<[0-9a-f]*>\] .*(tcpwave|0xffffffff[c-f][0-9a-f]+$)/ { mine = 1 }
	     END { if (mine) printf "%s", obj }' "$out/kmemleak" >"$out/kmemleak.mine"
	mine=$(grep -c '^unreferenced object' "$out/kmemleak.mine")
	if [ "$mine" = 0 ]; then
		ok "kmemleak: none of the $leaks unreferenced objects is tcpwave's"
	else
		not_ok "kmemleak: $mine of the $leaks unreferenced objects are tcpwave's"
		diag <"$out/kmemleak.mine"
	fi
else
	skip "kmemleak: none of the unreferenced objects is tcpwave's" "no $kml"
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
