#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/unit/run.sh - unit tests of the tcpwave viewer, printed as TAP.
#
# Usage: tests/unit/run.sh              (after "make -C userspace")
#        UPDATE=1 tests/unit/run.sh     regenerate the expected outputs
#
# For each tests/fixtures/NAME.txt the viewer's whole standard output is
# compared with NAME.ladder (default mode), NAME.ascii (--ascii) and
# NAME.list (--list); a missing expected file is a failure.  Then error
# cases (exit status and exact message), -E (NAME.events) on fixtures, a
# FIFO fed slowly, signals and a long synthetic stream (tests/unit/
# follow-gen.awk) for its memory, the C unit test of the parser,
# and, when valgrind is installed, a leak check over every fixture.
#
# Environment: CC (default cc) builds test_parse.c; VALGRIND=0 skips the
# leak checks.  Exit status: 0 if every test passed, 1 otherwise.
set -u

cd "$(dirname "$0")/../.." || exit 1
TW=userspace/tcpwave
FIX=tests/fixtures
CC=${CC:-cc}

if [ ! -x "$TW" ]; then
	echo "Bail out! $TW not built: run make -C userspace"
	exit 1
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
failed=0

# result STATUS NAME: one TAP line; details already went out as "# ".
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

# Show a file as TAP diagnostics.
diag() {
	sed 's/^/# /' "$1"
}

# golden NAME EXPECTED ARGS...: run the viewer on NAME.txt and compare
# its whole standard output with EXPECTED.
golden() {
	name=$1 expected=$2
	shift 2
	"$TW" "$@" "$FIX/$name.txt" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ -n "${UPDATE:-}" ] && [ $rc -eq 0 ]; then
		cp "$tmp/out" "$expected"
	fi
	if [ $rc -ne 0 ]; then
		echo "# exit status $rc"
		diag "$tmp/err"
		result 1 "$name: tcpwave $*"
	elif [ ! -f "$expected" ]; then
		echo "# missing $expected (UPDATE=1 $0 creates it)"
		result 1 "$name: tcpwave $*"
	elif ! diff -u "$expected" "$tmp/out" >"$tmp/diff"; then
		diag "$tmp/diff"
		result 1 "$name: tcpwave $*"
	else
		result 0 "$name: tcpwave $*"
	fi
}

# expect_error NAME STATUS MESSAGE CMD...: CMD exits STATUS and the first
# line of its standard error is exactly MESSAGE; nothing on stdout.
expect_error() {
	name=$1 status=$2 msg=$3
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	got=$(head -n 1 "$tmp/err")
	if [ $rc -ne "$status" ] || [ "$got" != "$msg" ] ||
	   [ -s "$tmp/out" ]; then
		printf '# expected status %s, got %s\n' "$status" "$rc"
		printf '# expected: %s\n# got:      %s\n' "$msg" "$got"
		result 1 "$name"
	else
		result 0 "$name"
	fi
}

# bad_input NAME LINE MESSAGE: $tmp/in.txt fails at LINE with MESSAGE.
bad_input() {
	expect_error "error: $1" 1 "tcpwave: $tmp/in.txt:$2: $3" \
		"$TW" "$tmp/in.txt"
}

HDR='# tcpwave 1.0 seq ts_ns cpu cookie netns family laddr raddr oldstate newstate ctx pid comm'
REC='17 1234567890123 1 00001003 4026531840 4 127.0.0.1:41234 127.0.0.1:8080 SYN_SENT ESTABLISHED task 123 curl'

# with_record TEXT...: a capture of the header, a good record, then TEXT.
with_record() {
	{
		echo "$HDR"
		echo "$REC"
		printf '%s\n' "$@"
	} >"$tmp/in.txt"
}

# --- golden outputs of every fixture ----------------------------------

for f in "$FIX"/*.txt; do
	name=$(basename "$f" .txt)
	golden "$name" "$FIX/$name.ladder"
	golden "$name" "$FIX/$name.ascii" --ascii
	golden "$name" "$FIX/$name.list" --list
done

# IPv4 ladders fit 80 columns; --ascii is never narrower than UTF-8.
wide=0
for f in "$FIX"/*.txt; do
	case $f in *ipv6*) continue ;; esac
	"$TW" --ascii "$f" 2>/dev/null |
		awk -v f="$f" 'length($0) > 80 { print "# " f ": " $0; bad = 1 }
			       END { exit bad }' || wide=1
done
result $wide "IPv4 ladders fit in 80 columns"

# --- input paths -------------------------------------------------------

"$TW" "$FIX/client-close.txt" >"$tmp/want" 2>/dev/null
"$TW" - <"$FIX/client-close.txt" >"$tmp/out" 2>/dev/null
cmp -s "$tmp/want" "$tmp/out"
result $? "FILE - reads standard input"
TCPWAVE_PROC=$FIX/client-close.txt "$TW" >"$tmp/out" 2>/dev/null
cmp -s "$tmp/want" "$tmp/out"
result $? "TCPWAVE_PROC replaces /proc/tcpwave"

"$TW" --ascii -c 2 "$FIX/client-close.txt" >"$tmp/out" 2>/dev/null &&
	head -n 1 "$tmp/out" | grep -qx 'listener 2: 0.0.0.0:8080'
result $? "--conn 2 shows only connection 2"

"$TW" "$FIX/lost.txt" >/dev/null 2>"$tmp/err"
[ $? -eq 0 ] && [ "$(cat "$tmp/err")" = \
	"tcpwave: 5 records lost (ring overwritten)" ]
result $? "lost records warned about on stderr"

"$TW" "$FIX/client-close.txt" >/dev/null 2>"$tmp/err"
[ $? -eq 0 ] && [ ! -s "$tmp/err" ]
result $? "a clean capture writes nothing to stderr"

# A complete last line without its newline parses.
printf '%s\n%s' "$HDR" "$REC" >"$tmp/in.txt"
"$TW" --list "$tmp/in.txt" >"$tmp/out" 2>"$tmp/err" &&
	[ "$(wc -l <"$tmp/out")" -eq 2 ] && [ ! -s "$tmp/err" ]
result $? "last line without newline"

# --- malformed input: exit status 1 and the exact message ---------------

printf '%s\n%s' "$HDR" "17 1234567890123 1 00001003 4026531840 4 127.0.0.1:4" \
	>"$tmp/in.txt"
bad_input "truncated last line" 2 "expected 13 fields, got 7"

with_record "18 1234567990123 0 00001004 4026531840"
bad_input "too few fields" 3 "expected 13 fields, got 5"

with_record "$REC extra"
bad_input "too many fields" 3 "expected 13 fields, got 14"

with_record "18 1 0 00001004 4026531840 4 1.2.3:80 127.0.0.1:1 SYN_RECV ESTABLISHED softirq - -"
bad_input "bad IPv4 laddr" 3 "bad laddr '1.2.3:80'"

with_record "18 1 0 00001004 4026531840 6 [::1]:80 [::1:1 SYN_RECV ESTABLISHED softirq - -"
bad_input "bad IPv6 raddr" 3 "bad raddr '[::1:1'"

with_record "18 1 0 00001004 4026531840 4 1.2.3.4:70000 127.0.0.1:1 SYN_RECV ESTABLISHED softirq - -"
bad_input "port out of range" 3 "bad laddr '1.2.3.4:70000'"

with_record "18 1 0 00001004 4026531840 4 1.2.3.4:80 127.0.0.1:1 SYN_RECV ESTABLISHD softirq - -"
bad_input "bad state name" 3 "bad newstate 'ESTABLISHD'"

with_record "18 1 0 00001004 4026531840 4 1.2.3.4:80 127.0.0.1:1 256 CLOSE softirq - -"
bad_input "state number above 255" 3 "bad oldstate '256'"

with_record "18x 1 0 00001004 4026531840 4 1.2.3.4:80 127.0.0.1:1 SYN_RECV CLOSE softirq - -"
bad_input "bad seq" 3 "bad seq '18x'"

with_record "18 -1 0 00001004 4026531840 4 1.2.3.4:80 127.0.0.1:1 SYN_RECV CLOSE softirq - -"
bad_input "negative ts_ns" 3 "bad ts_ns '-1'"

with_record "18 1 0 0x1004 4026531840 4 1.2.3.4:80 127.0.0.1:1 SYN_RECV CLOSE softirq - -"
bad_input "bad cookie" 3 "bad cookie '0x1004'"

with_record "18 1 0 1004 4294967296 4 1.2.3.4:80 127.0.0.1:1 SYN_RECV CLOSE softirq - -"
bad_input "netns above u32" 3 "bad netns '4294967296'"

with_record "18 1 0 1004 1 5 1.2.3.4:80 127.0.0.1:1 SYN_RECV CLOSE softirq - -"
bad_input "bad family" 3 "bad family '5'"

with_record "18 1 0 1004 1 4 1.2.3.4:80 127.0.0.1:1 SYN_RECV CLOSE irq - -"
bad_input "bad ctx" 3 "bad ctx 'irq'"

with_record "18 1 0 1004 1 4 1.2.3.4:80 127.0.0.1:1 SYN_RECV CLOSE task 12 a\\9b"
# The quoted field is escaped too: its backslash shows as \134.
bad_input "bad comm escape" 3 "bad comm 'a\\1349b'"

printf '%s\n' "$REC" >"$tmp/in.txt"
bad_input "record before header" 1 "record before header"

printf '%s\n' "# tcpwave 2.0 seq ts_ns" "$REC" >"$tmp/in.txt"
bad_input "unknown major version" 1 "unsupported format version 2.0"

echo "# tcpwave 1.0 seq ts_ns cpu cookie netns family laddr raddr oldstate newstate ctx pid" >"$tmp/in.txt"
bad_input "header lacks a column" 1 "header lacks column 'comm'"

with_record "# lost many"
bad_input "bad lost line" 3 "bad lost count 'many'"

# Format 1.1: the appended columns, each with its own line number.
HDR11="$HDR event reason snd_una snd_nxt rcv_nxt iss irs link"
REC11='1 1100000000 1 00000002 4026531840 4 127.0.0.1:40000 127.0.0.1:5555 CLOSE SYN_SENT task 201 client connect - - - - 1000 - -'
# with_record11 TEXT...: a 1.1 header, two good records, then TEXT.
with_record11() {
	{
		echo "$HDR11"
		echo "$REC11"
		echo "$REC11"
		printf '%s\n' "$@"
	} >"$tmp/in.txt"
}
R11='7 2 1 00000002 1 4 127.0.0.1:40000 127.0.0.1:5555 SYN_SENT ESTABLISHED softirq - -'

with_record11 "$R11 state - 1 2"
bad_input "1.1: too few fields" 4 "expected 21 fields, got 17"

with_record11 "$R11 state - 1 2 4294967296 - - -"
bad_input "1.1: rcv_nxt above u32" 4 "bad rcv_nxt '4294967296'"

with_record11 "$R11 state - x - - - - -"
bad_input "1.1: bad snd_una" 4 "bad snd_una 'x'"

with_record11 "$R11 state - - - - +5 - -"
bad_input "1.1: signed iss" 4 "bad iss '+5'"

with_record11 "$R11 state - - - - - - 0xff"
bad_input "1.1: bad link" 4 "bad link '0xff'"

with_record11 "$R11 st.ate - - - - - - -"
bad_input "1.1: bad event" 4 "bad event 'st.ate'"

with_record11 "$R11 state \$(x) - - - - - -"
bad_input "1.1: bad reason" 4 "bad reason '\$(x)'"

echo "$HDR event reason snd_una snd_nxt rcv_nxt iss irs" | sed 's/1\.0/1.1/' >"$tmp/in.txt"
bad_input "1.1 header lacks link" 1 "header lacks column 'link'"

# An event a later module added: kept, not drawn, and not an error.
with_record11 "$R11 sack_probe - - - - - - -"
"$TW" "$tmp/in.txt" >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ]
result $? "1.1: unknown event name is not an error"

printf '%s\n%s\n1 2\0003\n' "$HDR" "$REC" >"$tmp/in.txt"
bad_input "NUL byte" 3 "NUL byte in line"

with_record "1 2"
expect_error "error: stdin is named <stdin>" 1 \
	"tcpwave: <stdin>:3: expected 13 fields, got 2" \
	sh -c "exec \"$TW\" - <\"$tmp/in.txt\""

expect_error "error: cannot open" 1 \
	"tcpwave: cannot open $tmp/none.txt: No such file or directory" \
	"$TW" "$tmp/none.txt"
expect_error "error: no module, no /proc/tcpwave" 1 \
	"tcpwave: cannot open $tmp/none: No such file or directory (is the tcpwave module loaded?)" \
	env TCPWAVE_PROC="$tmp/none" "$TW"
expect_error "error: no such connection" 1 \
	"tcpwave: no connection 3 (2 in $FIX/client-close.txt)" \
	"$TW" -c 3 "$FIX/client-close.txt"

# --- usage errors: exit status 2 ----------------------------------------

expect_error "usage: unknown option" 2 "tcpwave: unknown option '-x'" \
	"$TW" -x "$FIX/empty.txt"
expect_error "usage: unknown long option" 2 \
	"tcpwave: unknown option '--bogus'" "$TW" --bogus
expect_error "usage: missing argument" 2 \
	"tcpwave: option '--conn' needs an argument" "$TW" --conn
expect_error "usage: bad number" 2 "tcpwave: bad connection ID '1x'" \
	"$TW" -c 1x "$FIX/empty.txt"
expect_error "usage: connection 0" 2 "tcpwave: bad connection ID '0'" \
	"$TW" -c 0 "$FIX/empty.txt"
expect_error "usage: number out of range" 2 \
	"tcpwave: bad connection ID '99999999999999999999'" \
	"$TW" -c 99999999999999999999 "$FIX/empty.txt"
expect_error "usage: two files" 2 \
	"tcpwave: too many arguments, starting at 'b'" "$TW" a b

"$TW" --help >"$tmp/out" 2>&1 && grep -q '^EXAMPLES' "$tmp/out" &&
	grep -q '^Exit status' "$tmp/out"
result $? "--help has EXAMPLES and exit status"
"$TW" -V | grep -q '^tcpwave .* (format 1\.1)$'
result $? "--version"

# --- -E, --events: following the records as they come --------------------

for name in vm-many vm-client-close vm-simul-close vm-ipv6 vm-abort lost \
	    v11-lost empty; do
	golden "$name" "$FIX/$name.events" -E
done
golden vm-ipv6 "$FIX/vm-ipv6.events-wide" -E --wide
golden vm-abort "$FIX/vm-abort.events-color" -E --color=always

# A transition line: the time since the first record, then the cookie.
EVENT_LINE='^ *[0-9]+\.[0-9]{3}  [0-9a-f]{8,16}  '

# blocks FILE: the ladders in a viewer's output, one per line, without
# their numbers, sorted.
blocks() {
	awk '/^(connection|listener) [0-9]+: / {
		b = 1; sub(/ [0-9]+: /, " N: "); s = $0; next }
	     b && /^$/ { print s; b = 0; next }
	     b { s = s "|" $0 }
	     END { if (b) print s }' "$1" | sort
}

# -E draws each ladder from the records of one connection alone: it must
# be the ladder the whole capture gives, lost records included.  And
# every record is one line.
bad=""
badn=""
for f in "$FIX"/*.txt; do
	name=$(basename "$f" .txt)
	"$TW" "$f" >"$tmp/cap" 2>/dev/null
	"$TW" -E "$f" >"$tmp/ev" 2>/dev/null || bad="$bad $name(status)"
	blocks "$tmp/cap" >"$tmp/cap.b"
	blocks "$tmp/ev" >"$tmp/ev.b"
	cmp -s "$tmp/cap.b" "$tmp/ev.b" || bad="$bad $name"
	[ "$(grep -c '^[0-9]' "$f")" = "$(grep -Ec "$EVENT_LINE" "$tmp/ev")" ] ||
		badn="$badn $name"
done
[ -z "$bad" ] || echo "# ladders differ:$bad"
[ -z "$bad" ]
result $? "-E: every ladder is the capture's ladder of that connection"
[ -z "$badn" ] || echo "# records and lines differ:$badn"
[ -z "$badn" ]
result $? "-E: one line per record"

# efilter NAME AWK-TEST ARGS...: the lines of -E ARGS on vm-many are those
# of the records AWK-TEST picks, in their order.
efilter() {
	name=$1 test=$2
	shift 2
	awk '$1 !~ /^#/ && ('"$test"') { print $4, $9 "->" $10, $14 }' \
		"$FIX/vm-many.txt" >"$tmp/want"
	"$TW" -E -a "$@" "$FIX/vm-many.txt" 2>"$tmp/err" |
		grep -E "$EVENT_LINE" | awk '{ print $2, $6, $8 }' >"$tmp/got"
	if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then
		result 0 "-E $*: $name ($(wc -l <"$tmp/got") lines)"
	else
		diff "$tmp/want" "$tmp/got" | head -n 10 | sed 's/^/# /'
		result 1 "-E $*: $name"
	fi
}
efilter "the local port's records" '$7 ~ /:5555$/' -L 5555
efilter "the remote port's records" '$8 ~ /:44026$/' -D 44026
efilter "records into the state" '$10 == "TIME_WAIT"' --state time-wait
efilter "records into either state" \
	'$10 == "CLOSE_WAIT" || $10 == "LAST_ACK"' --state CLOSE_WAIT,last-ack
efilter "both filters" '$7 ~ /:5555$/ && $10 == "CLOSE"' -L 5555 --state closed

# The ladders of a filtered stream are the connections the filters pass.
"$TW" -E -D 5555 "$FIX/vm-client-close.txt" >"$tmp/out" 2>&1 &&
	[ "$(grep -c '^connection ' "$tmp/out")" = 1 ] &&
	! grep -q '^listener ' "$tmp/out"
result $? "-E -D 5555: the connection's ladder, not the listener's"
"$TW" -E -p 4242 "$FIX/vm-client-close.txt" >"$tmp/out" 2>&1 &&
	[ "$(wc -l <"$tmp/out")" = 1 ]
result $? "-E -p: nobody's pid gives the header alone"

# A pipe is read as it comes: the first lines are out while its writer
# still sleeps, and the stream ends with the pipe.
mkfifo "$tmp/fifo"
(sed -n 1,3p "$FIX/vm-client-close.txt"; sleep 3
 sed -n '4,$p' "$FIX/vm-client-close.txt") >"$tmp/fifo" &
writer=$!
timeout 30 "$TW" -E "$tmp/fifo" >"$tmp/out" 2>"$tmp/err" &
follower=$!
i=0
while [ $i -lt 50 ] && ! grep -q 'SYN_SENT' "$tmp/out"; do
	sleep 0.1
	i=$((i + 1))
done
early=$(grep -Ec "$EVENT_LINE" "$tmp/out")
kill -0 $writer 2>/dev/null
asleep=$?
wait $follower
rc=$?
wait $writer
"$TW" -E "$FIX/vm-client-close.txt" >"$tmp/want"
echo "# $early lines out after $((i * 100)) ms, the writer still asleep: $([ $asleep = 0 ] && echo yes || echo no)"
[ "$early" = 2 ] && [ $asleep = 0 ] && [ $rc = 0 ] &&
	cmp -s "$tmp/want" "$tmp/out" && [ ! -s "$tmp/err" ]
result $? "-E streams a pipe: lines before the writer is done, all by its end"

# stop_by SIG: a follower waiting for more stops on SIG, with status 0,
# its lines out, and no ladder of connections not over.
stop_by() {
	rm -f "$tmp/fifo"
	mkfifo "$tmp/fifo"
	(sed -n 1,4p "$FIX/vm-client-close.txt"; exec sleep 30) >"$tmp/fifo" &
	writer=$!
	timeout 30 "$TW" -E "$tmp/fifo" >"$tmp/out" 2>"$tmp/err" &
	follower=$!
	i=0
	while [ $i -lt 50 ] && [ "$(grep -Ec "$EVENT_LINE" "$tmp/out")" != 3 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -"$1" $follower
	wait $follower
	rc=$?
	kill $writer 2>/dev/null
	wait $writer 2>/dev/null
	[ $rc = 0 ] && [ "$(grep -Ec "$EVENT_LINE" "$tmp/out")" = 3 ] &&
		! grep -q 'in progress' "$tmp/out" && [ ! -s "$tmp/err" ]
	result $? "-E stops on SIG$1 with status 0 (got $rc)"
}
stop_by INT
stop_by TERM

# A reader that goes away ends the follower quietly: SIGPIPE.
awk -v n=3000 -f tests/unit/follow-gen.awk >"$tmp/gen.txt"
("$TW" -E "$tmp/gen.txt" 2>"$tmp/err"; echo $? >"$tmp/rc") | head -n 1 >/dev/null
[ "$(cat "$tmp/rc")" = 0 ] && [ ! -s "$tmp/err" ]
result $? "-E | head: status 0, nothing on stderr (got $(cat "$tmp/rc"))"

# expect_error_E NAME STATUS MESSAGE ARGS...: -E exits STATUS, and the
# first line of its standard error is MESSAGE.
expect_error_E() {
	name=$1 status=$2 msg=$3
	shift 3
	"$TW" -E "$@" >/dev/null 2>"$tmp/err" </dev/null
	rc=$?
	got=$(head -n 1 "$tmp/err")
	if [ $rc -eq "$status" ] && [ "$got" = "$msg" ]; then
		result 0 "$name"
	else
		printf '# expected status %s, got %s\n' "$status" "$rc"
		printf '# expected: %s\n# got:      %s\n' "$msg" "$got"
		result 1 "$name"
	fi
}
expect_error_E "usage: -E --json, not yet" 2 \
	"tcpwave: --events writes text only, for now: no --json or --prometheus" \
	-j "$FIX/empty.txt"
expect_error_E "usage: -E --prometheus, not yet" 2 \
	"tcpwave: --events writes text only, for now: no --json or --prometheus" \
	--prometheus "$FIX/empty.txt"
expect_error_E "usage: -E --conn" 2 \
	"tcpwave: --conn picks a connection of a capture: not with --events" \
	-c 1 "$FIX/empty.txt"
with_record "18 1 0 00001004 4026531840"
expect_error_E "error: -E on a malformed line" 1 \
	"tcpwave: $tmp/in.txt:3: expected 13 fields, got 5" "$tmp/in.txt"
{ echo "$HDR"; head -c 70000 /dev/zero | tr '\0' 7; } >"$tmp/in.txt"
expect_error_E "error: -E on a line without end" 1 \
	"tcpwave: $tmp/in.txt:2: line too long" "$tmp/in.txt"
expect_error_E "error: -E, no such file" 1 \
	"tcpwave: cannot open $tmp/none.txt: No such file or directory" \
	"$tmp/none.txt"

# More ends alive than it follows: the oldest are dropped, and said so.
awk -v h="$HDR11" 'BEGIN { print h
	for (i = 0; i < 70000; i++)
		printf "%d %d 0 %08x 1 4 10.0.0.1:%d 10.0.0.2:80 CLOSE SYN_SENT task 1 x connect - - - - 1 - -\n",
			i, 1000000 + i, i + 16, 1024 + i % 60000 }' >"$tmp/many.txt"
"$TW" -E "$tmp/many.txt" 2>"$tmp/err" >"$tmp/out"
rc=$?
[ $rc = 0 ] && [ "$(cat "$tmp/err")" = \
	"tcpwave: 4464 connection ends dropped unfinished: more than 65536 followed at once" ] &&
	[ "$(grep -c '^connection ' "$tmp/out")" = 65536 ]
result $? "-E: at most 65536 ends followed; the dropped ones told on stderr"

# Memory stays flat however long it runs: finished connections are
# flushed.  Peak RSS for 30000 and for 300000 connections.
if [ -x /usr/bin/time ]; then
	rss() {
		awk -v n="$1" -f tests/unit/follow-gen.awk |
			/usr/bin/time -f %M -o "$tmp/rss" "$TW" -E - 2>"$tmp/err" |
			grep -c '^connection ' >"$tmp/count"
		echo "$(cat "$tmp/count") $(tail -n 1 "$tmp/rss") $(wc -c <"$tmp/err")"
	}
	# connections drawn, KiB, bytes on stderr (dropped ends), twice
	set -- $(rss 30000) $(rss 300000)
	echo "# peak RSS: $2 KiB for $1 connections, $5 KiB for $4"
	[ "$1" = 30000 ] && [ "$4" = 300000 ] && [ "$3" = 0 ] && [ "$6" = 0 ] &&
		[ $(($5 * 100)) -le $(($2 * 120)) ]
	result $? "-E: memory flat over 300000 connections ($2 KiB, then $5 KiB)"
else
	skip "-E: memory flat" "no /usr/bin/time (scripts/deps.sh installs it)"
fi

# --- C unit test of the parser -------------------------------------------

if $CC -std=gnu11 -Wall -Wextra -Werror -O2 -Imodule -Iuserspace \
	-o "$tmp/test_parse" tests/unit/test_parse.c userspace/parse.c \
	userspace/states.c userspace/fmt.c 2>"$tmp/err"; then
	"$tmp/test_parse" >"$tmp/out" 2>&1
	rc=$?
	grep -v '^ok ' "$tmp/out" | sed 's/^/# /'
	result $rc "test_parse ($(grep -c '^ok ' "$tmp/out") checks passed)"
else
	diag "$tmp/err"
	result 1 "test_parse builds"
fi

# --- leaks and memory errors --------------------------------------------

if [ "${VALGRIND:-1}" = 0 ] || ! command -v valgrind >/dev/null 2>&1; then
	skip "valgrind" "valgrind not installed or VALGRIND=0"
else
	rc=0
	for f in "$FIX"/*.txt "$tmp/in.txt"; do
		for mode in "" --list -E; do
			valgrind -q --leak-check=full --errors-for-leak-kinds=all \
				--error-exitcode=99 "$TW" $mode "$f" \
				>/dev/null 2>"$tmp/err"
			if [ $? -eq 99 ]; then
				diag "$tmp/err"
				rc=1
			fi
		done
	done
	result $rc "valgrind: no leaks or memory errors"
	if [ -x "$tmp/test_parse" ]; then
		valgrind -q --leak-check=full --errors-for-leak-kinds=all \
			--error-exitcode=99 "$tmp/test_parse" >/dev/null 2>"$tmp/err"
		[ $? -ne 99 ] || { diag "$tmp/err"; false; }
		result $? "valgrind: test_parse"
	fi
fi

echo "1..$n"
[ $failed -eq 0 ]
