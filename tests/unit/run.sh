#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/unit/run.sh - unit tests of the tcpwave viewer, printed as TAP.
#
# Usage: tests/unit/run.sh              (after "make -C userspace")
#        UPDATE=1 tests/unit/run.sh     regenerate the expected outputs
#
# For each tests/fixtures/NAME.txt the viewer's whole standard output is
# compared with NAME.ladder (default mode), NAME.ascii (--ascii),
# NAME.list (--list) and NAME.live (--live, not on a terminal); a missing
# expected file is a failure.  Then error cases (exit status and exact
# message), --live on a terminal in tmux (tests/unit/live.sh), the C unit
# tests of the parser and of the --live table, and, when valgrind is
# installed, a leak check over every fixture.
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
	golden "$name" "$FIX/$name.live" --live
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

# --- --live: the text table, and the screen in tmux ---------------------

"$TW" --live tests/unit/live/demo.txt >"$tmp/out" 2>"$tmp/err"
rc=$?
[ -z "${UPDATE:-}" ] || [ $rc -ne 0 ] || cp "$tmp/out" tests/unit/live/demo.live
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] &&
	diff -u tests/unit/live/demo.live "$tmp/out" >"$tmp/diff"
rc=$?
[ $rc -eq 0 ] || { diag "$tmp/err"; [ ! -f "$tmp/diff" ] || diag "$tmp/diff"; }
result $rc "demo: tcpwave --live (not a terminal: the table once, as text)"
"$TW" --live -o "$tmp/live.txt" "$FIX/vm-many.txt" >"$tmp/out" 2>&1 &&
	[ ! -s "$tmp/out" ] && cmp -s "$FIX/vm-many.live" "$tmp/live.txt"
result $? "--live -o FILE writes the table there"
. tests/unit/live.sh

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

# The --live table: spans, order, filters, the columns at every width.
if $CC -std=gnu11 -Wall -Wextra -Werror -O2 -Imodule -Iuserspace \
	-o "$tmp/test_livetab" tests/unit/test_livetab.c userspace/livetab.c \
	userspace/track.c userspace/filter.c userspace/conn.c \
	userspace/parse.c userspace/states.c userspace/fmt.c 2>"$tmp/err"; then
	"$tmp/test_livetab" >"$tmp/out" 2>&1
	rc=$?
	grep -v '^ok ' "$tmp/out" | sed 's/^/# /'
	result $rc "test_livetab ($(grep -c '^ok ' "$tmp/out") checks passed)"
else
	diag "$tmp/err"
	result 1 "test_livetab builds"
fi

# --- leaks and memory errors --------------------------------------------

if [ "${VALGRIND:-1}" = 0 ] || ! command -v valgrind >/dev/null 2>&1; then
	skip "valgrind" "valgrind not installed or VALGRIND=0"
else
	rc=0
	for f in "$FIX"/*.txt "$tmp/in.txt"; do
		for mode in "" --list --live; do
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
	if [ -x "$tmp/test_livetab" ]; then
		valgrind -q --leak-check=full --errors-for-leak-kinds=all \
			--error-exitcode=99 "$tmp/test_livetab" >/dev/null 2>"$tmp/err"
		[ $? -ne 99 ] || { diag "$tmp/err"; false; }
		result $? "valgrind: test_livetab"
	fi
fi

echo "1..$n"
[ $failed -eq 0 ]
