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
# NAME.list (--list), NAME.json (--json) and NAME.live (--live, not on a
# terminal), and for some NAME.svg (--svg; every fixture's SVG must be
# valid XML that rsvg-convert renders), NAME.summary, NAME.summary.json
# and NAME.prom (-s, -s -j, --prometheus) and NAME.events (-E); a missing
# expected file is a failure.  Then error cases (exit status and exact
# message), the JSON output checked by jq against json-schema.jq, -E on a
# FIFO fed slowly, signals and a long synthetic stream
# (tests/unit/follow-gen.awk) for its memory, --live on a terminal in
# tmux (tests/unit/live.sh), the C unit tests of the parser, of json.c,
# of the statistics engine and of the --live table, and, when valgrind is
# installed, a leak check over every fixture.
#
# Environment: CC (default cc) builds test_parse.c and test_json.c;
# VALGRIND=0 skips the leak checks.  Exit status: 0 if every test passed,
# 1 otherwise.
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
. tests/tap.sh

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

# stats_tests: what -s computes, checked against hand-computed values,
# and its JSON and Prometheus outputs against jq and promtool.
stats_tests() {
	# -s -j is one JSON object on one line, of type "summary".
	rc=0
	for f in "$FIX"/*.txt; do
		"$TW" -s -j "$f" >"$tmp/out" 2>/dev/null &&
			[ "$(wc -l <"$tmp/out")" -eq 1 ] &&
			jq -e '.type == "summary" and (.records.read | type) ==
			       "number"' "$tmp/out" >/dev/null ||
			{ echo "# $f"; rc=1; }
	done
	result $rc "-s -j: one JSON object per capture (jq)"

	# The exposition format, checked by Prometheus's own parser.
	if command -v promtool >/dev/null 2>&1; then
		rc=0
		for f in "$FIX"/*.txt; do
			"$TW" --prometheus "$f" 2>/dev/null |
				promtool check metrics >"$tmp/err" 2>&1 ||
				{ echo "# $f"; diag "$tmp/err"; rc=1; }
		done
		result $rc "--prometheus: promtool check metrics"
	else
		skip "--prometheus: promtool check metrics" \
			"promtool not installed (scripts/deps.sh installs it)"
	fi

	# stats-percentiles.txt, written for this: 10 connect()s whose
	# handshakes took 5 1 9 3 7 2 10 4 8 6 ms, then 1 refused and 1
	# timed out; 3 server ends (request socket 0x30N, child 0x40N) whose
	# SYN-to-ESTABLISHED took 0.5 0.25 2 ms, 1 request dropped.  Nearest
	# rank (rank = ceil(p * n / 100)): sorted 1..10 ms, p50 is the 5th
	# (5 ms), p90 the 9th, p99 the 10th; sorted 0.25 0.5 2, p50 is the
	# 2nd (0.5 ms), p90 and p99 the 3rd (2 ms).
	"$TW" -s -j "$FIX/stats-percentiles.txt" >"$tmp/out" 2>&1 &&
		jq -e '.handshakes.active | [.count, .failed, .min_ns,
		       .p50_ns, .p90_ns, .p99_ns, .max_ns, .sum_ns] ==
		       [10, 2, 1000000, 5000000, 9000000, 10000000, 10000000,
		        55000000] and .failures == {refused: 1, timeout: 1}' \
		"$tmp/out" >/dev/null &&
		jq -e '.handshakes.passive | [.count, .failed, .min_ns,
		       .p50_ns, .p90_ns, .p99_ns, .max_ns] ==
		       [3, 1, 250000, 500000, 2000000, 2000000, 2000000] and
		       .failures == {dropped: 1}' "$tmp/out" >/dev/null
	result $? "-s: handshake percentiles as computed by hand"
	# ESTABLISHED lasted 10, 20, ... 100 ms on the clients; the odd
	# ones were reset (rst_rcvd), the even ones closed and waited 60 s
	# in TIME_WAIT.  The 3 server ends are still ESTABLISHED.
	jq -e '.states.ESTABLISHED | [.visits, .p50_ns, .p99_ns, .max_ns,
	       .now] == [10, 50000000, 100000000, 100000000, 3]' \
		"$tmp/out" >/dev/null &&
		jq -e '.aborts == {rst_rcvd: 5} and .time_wait == {entered: 5,
		       now: 0, expired: 5, killed: 0} and
		       .states.TIME_WAIT.p50_ns == 60000000000' \
		"$tmp/out" >/dev/null
	result $? "-s: time in state, aborts and TIME_WAIT by hand"
	"$TW" --prometheus "$FIX/stats-percentiles.txt" >"$tmp/out" 2>&1 &&
		grep -qx 'tcpwave_handshake_duration_seconds_bucket{side="active",le="0.0025"} 2' "$tmp/out" &&
		grep -qx 'tcpwave_handshake_duration_seconds_bucket{side="active",le="0.005"} 5' "$tmp/out" &&
		grep -qx 'tcpwave_handshake_duration_seconds_bucket{side="active",le="0.01"} 10' "$tmp/out" &&
		grep -qx 'tcpwave_handshake_duration_seconds_bucket{side="active",le="+Inf"} 10' "$tmp/out" &&
		grep -qx 'tcpwave_handshake_duration_seconds_sum{side="active"} 0.055' "$tmp/out" &&
		grep -qx 'tcpwave_handshake_duration_seconds_bucket{side="passive",le="0.00025"} 1' "$tmp/out" &&
		grep -qx 'tcpwave_handshake_failures_total{side="passive",reason="dropped"} 1' "$tmp/out"
	result $? "--prometheus: cumulative buckets by hand"

	# stats-leak.txt: now is the last record, 20 s; server ends entered
	# CLOSE_WAIT at 2 s (sk 701), 10 s (702) and 5 s (704), and 703 left
	# it.  "Longer than" is strict: 702, in it exactly 10 s, is no
	# suspect at the default 10000 ms.
	for case in "10000 701,704" "9999 701,704,702" "15000 701" \
		    "18000 " "0 701,704,702"; do
		ms=${case% *} want=${case#* }
		"$TW" -s -j --close-wait-ms "$ms" "$FIX/stats-leak.txt" \
			>"$tmp/out" 2>&1
		got=$(jq -r '[.close_wait_leak_suspects.sockets[].cookie |
			      ltrimstr("00000")] | join(",")' "$tmp/out")
		[ "$got" = "$want" ]
		result $? "-s: leak suspects over $ms ms: ${want:-none}"
	done
	"$TW" -s -j "$FIX/stats-leak.txt" >"$tmp/out" 2>&1 &&
		jq -e '.close_wait_leak_suspects.sockets[0] == {cookie:
		       "00000701", netns: 4026531840, family: 4, laddr:
		       "10.0.0.2:8080", raddr: "10.0.0.3:41001", pid: 700,
		       comm: "leaky", close_wait_ns: 18000000000}' \
		"$tmp/out" >/dev/null
	result $? "-s -j: a leak suspect's endpoints, owner and age"
	# 704 was never accepted: its owner is its listener's.  702's comm
	# holds a space and a byte that is no UTF-8.
	"$TW" -s -j --close-wait-ms 5000 "$FIX/stats-leak.txt" >"$tmp/out" &&
		jq -e '[.close_wait_leak_suspects.sockets[] | [.pid, .comm]]
		       == [[700, "leaky"], [700, "leaky"], [701, "my app\ufffd"]]' \
		"$tmp/out" >/dev/null
	result $? "-s -j: owners of leak suspects, comm as valid UTF-8"
	"$TW" --prometheus --close-wait-ms 9999 "$FIX/stats-leak.txt" |
		grep -qx 'tcpwave_close_wait_leak_suspects 3'
	result $? "--prometheus: leak suspects gauge"

	# Colour marks the anomalies only, and only when asked for.
	esc=$(printf '\033')
	"$TW" -s --color=always "$FIX/stats-leak.txt" >"$tmp/out" 2>&1 &&
		[ "$(grep -c "$esc" "$tmp/out")" -eq 4 ] &&
		grep -q "^$esc\[1;31m  sk:00000701" "$tmp/out" &&
		! "$TW" -s "$FIX/stats-leak.txt" | grep -q "$esc"
	result $? "-s: colour for failures and leak suspects only"

	# The module's counters, read from $TCPWAVE_STATS for the ring.
	TCPWAVE_PROC=$FIX/vm-client-close.txt TCPWAVE_STATS=$FIX/module.stats \
		"$TW" --prometheus >"$tmp/out" 2>&1 &&
		sed -n '/^# HELP tcpwave_module_info/,$p' "$tmp/out" \
		>"$tmp/mod" && diff -u - "$tmp/mod" >"$tmp/diff" <<'EOF'
# HELP tcpwave_module_info The tcpwave module: format of /proc/tcpwave.
# TYPE tcpwave_module_info gauge
tcpwave_module_info{format="1.1"} 1
# HELP tcpwave_module_ring_records Ring size, in records (module parameter ring_records).
# TYPE tcpwave_module_ring_records gauge
tcpwave_module_ring_records 16384
# HELP tcpwave_module_ring_bytes Kernel memory held by the ring, in bytes.
# TYPE tcpwave_module_ring_bytes gauge
tcpwave_module_ring_bytes 2097152
# HELP tcpwave_module_records_written_total Records written since the module was loaded.
# TYPE tcpwave_module_records_written_total counter
tcpwave_module_records_written_total 1042
# HELP tcpwave_module_records_overwritten_total Records no longer in the ring because newer ones replaced them.
# TYPE tcpwave_module_records_overwritten_total counter
tcpwave_module_records_overwritten_total 0
# HELP tcpwave_module_reader_lost_total Records readers of /proc/tcpwave fell behind on (sum of # lost).
# TYPE tcpwave_module_reader_lost_total counter
tcpwave_module_reader_lost_total 3
# HELP tcpwave_module_kprobe_nmissed_total Probe hits the kernel dropped (nested kprobes, kretprobe instances exhausted): events missing from the ring.
# TYPE tcpwave_module_kprobe_nmissed_total counter
tcpwave_module_kprobe_nmissed_total 2
# HELP tcpwave_module_readers Files open on /proc/tcpwave now.
# TYPE tcpwave_module_readers gauge
tcpwave_module_readers 1
# HELP tcpwave_module_a_future_value A counter of /proc/tcpwave_stats this tcpwave does not know.
# TYPE tcpwave_module_a_future_value gauge
tcpwave_module_a_future_value 7
EOF
	rc=$?
	[ $rc -eq 0 ] || diag "$tmp/diff"
	if [ $rc -eq 0 ] && command -v promtool >/dev/null 2>&1; then
		promtool check metrics <"$tmp/out" >"$tmp/err" 2>&1 ||
			{ diag "$tmp/err"; rc=1; }
	fi
	result $rc "--prometheus: the module's counters from \$TCPWAVE_STATS"
	! "$TW" --prometheus "$FIX/vm-client-close.txt" | grep -q module
	result $? "--prometheus: no module counters for a capture"

	# -o FILE: the same bytes, renamed into place, no temporary left.
	"$TW" --prometheus "$FIX/vm-many.txt" >"$tmp/want" &&
		"$TW" --prometheus -o "$tmp/m.prom" "$FIX/vm-many.txt" &&
		cmp -s "$tmp/want" "$tmp/m.prom" &&
		[ -z "$(find "$tmp" -name 'm.prom.tmp*')" ]
	result $? "--prometheus -o FILE"

	# Filters and -c choose the connections summed up.
	"$TW" -s -j -D 81 "$FIX/stats-percentiles.txt" >"$tmp/out" &&
		jq -e '.records.read == 71 and .handshakes.active.count == 0
		       and .handshakes.active.failures == {refused: 1} and
		       .handshakes.passive.failed == 0' "$tmp/out" >/dev/null
	result $? "-s with a filter: only the connections that pass"
	"$TW" -s -j -c 6 "$FIX/stats-leak.txt" >"$tmp/out" &&
		jq -e '.close_wait_leak_suspects.count == 1 and
		       .sockets.open == 1 and
		       .close_wait_leak_suspects.sockets[0].cookie ==
		       "00000704"' "$tmp/out" >/dev/null
	result $? "-s -c ID: one connection"
}

# --- golden outputs of every fixture ----------------------------------

for f in "$FIX"/*.txt; do
	name=$(basename "$f" .txt)
	golden "$name" "$FIX/$name.ladder"
	golden "$name" "$FIX/$name.ascii" --ascii
	golden "$name" "$FIX/$name.list" --list
	golden "$name" "$FIX/$name.json" --json
	golden "$name" "$FIX/$name.live" --live
done

# --- statistics: -s, -s -j, --prometheus ------------------------------

for f in "$FIX"/*.txt; do
	name=$(basename "$f" .txt)
	golden "$name" "$FIX/$name.summary" -s --color=never
	golden "$name" "$FIX/$name.summary.json" -s -j
	golden "$name" "$FIX/$name.prom" --prometheus
done
stats_tests

# IPv4 ladders fit 80 columns; --ascii is never narrower than UTF-8.
# Not with a comm of 15 bytes that all need escaping: 60 columns alone.
wide=0
for f in "$FIX"/*.txt; do
	case $f in *ipv6* | *comm-bytes*) continue ;; esac
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

# --- filters (-4 -6 -L -D --laddr --raddr -p --comm --state -N) ----------

# pairs ARGS...: the CLIENT and SERVER columns of --list, one line per
# connection that passes, joined by "|" so one string compares.
pairs() {
	"$TW" --list "$@" 2>"$tmp/err" | awk 'NR > 1 { printf "%s%s %s", sep, $2, $3; sep = "|" }'
}

# expect_pairs NAME WANT ARGS...
expect_pairs() {
	name=$1 want=$2
	shift 2
	got=$(pairs "$@")
	if [ "$got" != "$want" ]; then
		printf '# want: %s\n# got:  %s\n' "$want" "$got"
		diag "$tmp/err"
		result 1 "filter: $name"
	else
		result 0 "filter: $name"
	fi
}

V6=$FIX/v11-ipv6.txt
MANY=$FIX/vm-many.txt
CCL=$FIX/vm-client-close.txt
SIM=$FIX/vm-simul-close.txt
ALL6='- [::1]:5555|[::1]:40000 [::1]:5555|[::1]:40010 [::1]:9|- [::]:8080|127.0.0.1:39002 [::ffff:127.0.0.1]:8080'
expect_pairs "no filter" "$ALL6" "$V6"
expect_pairs "-4: the IPv4 client of a dual-stack server" \
	'127.0.0.1:39002 [::ffff:127.0.0.1]:8080' -4 "$V6"
expect_pairs "-6: IPv6 sockets, IPv4-mapped included" "$ALL6" -6 "$V6"
expect_pairs "-4 -6: both, as ss" "$ALL6" -4 -6 "$V6"
expect_pairs "-L 9: the local port of no traced end" '' -L 9 "$V6"
expect_pairs "-D 9: a remote port" '[::1]:40010 [::1]:9' -D 9 "$V6"
expect_pairs "-L 8080,5555: a list" \
	'- [::1]:5555|[::1]:40000 [::1]:5555|- [::]:8080|127.0.0.1:39002 [::ffff:127.0.0.1]:8080' \
	-L 8080,5555 "$V6"
expect_pairs "-L 40000 -D 5555: both must hold" '[::1]:40000 [::1]:5555' \
	-L 40000 -D 5555 "$V6"
expect_pairs "-L 40000 -D 9: no end has both" '' -L 40000 -D 9 "$V6"
expect_pairs "--laddr 127.0.0.1 finds the mapped ::ffff:127.0.0.1" \
	'127.0.0.1:39002 [::ffff:127.0.0.1]:8080' --laddr 127.0.0.1 "$V6"
expect_pairs "--raddr ::1/128" '[::1]:40000 [::1]:5555|[::1]:40010 [::1]:9' \
	--raddr ::1/128 "$V6"
expect_pairs "--laddr [::]: brackets as we print them" '- [::]:8080' \
	--laddr '[::]' "$V6"
expect_pairs "--laddr 198.18.0.0/31: the client's end" \
	'198.18.0.1:54008 198.18.0.2:5555' --laddr 198.18.0.0/31 "$SIM"
expect_pairs "--laddr 198.18.0.0/30: both ends" \
	'- 198.18.0.2:5555|198.18.0.1:54008 198.18.0.2:5555' \
	--laddr 198.18.0.0/30 "$SIM"
expect_pairs "--laddr 198.18.0.2 --raddr 128.0.0.0/1: both must hold" \
	'198.18.0.1:54008 198.18.0.2:5555' --laddr 198.18.0.2 \
	--raddr 128.0.0.0/1 "$SIM"
expect_pairs "-p: the owner's pid" '[::1]:40010 [::1]:9' -p 1002 "$V6"
expect_pairs "-p 1000,1003: the listeners' children too" \
	'- [::1]:5555|[::1]:40000 [::1]:5555|- [::]:8080|127.0.0.1:39002 [::ffff:127.0.0.1]:8080' \
	-p 1000,1003 "$V6"
expect_pairs "--comm nginx" \
	'- [::]:8080|127.0.0.1:39002 [::ffff:127.0.0.1]:8080' --comm nginx "$V6"
expect_pairs "--comm ngin: exact, not a prefix" '' --comm ngin "$V6"
expect_pairs "-N INODE: the server's namespace" \
	'- 198.18.0.2:5555|198.18.0.1:54008 198.18.0.2:5555' -N 4026532166 "$SIM"
expect_pairs "-N INODE: the client's namespace" \
	'198.18.0.1:54008 198.18.0.2:5555' -N 4026532114 "$SIM"
expect_pairs "-N /proc/self/ns/net: a path, here no traced end" '' \
	-N /proc/self/ns/net "$SIM"
tw_state=$("$TW" --list --state TIME_WAIT "$MANY" | md5sum)
ss_state=$("$TW" --list --state time-wait "$MANY" | md5sum)
[ "$tw_state" = "$ss_state" ] &&
	[ "$("$TW" --list --state time-wait "$MANY" | wc -l)" -gt 2 ]
result $? "filter: --state time-wait is --state TIME_WAIT"
expect_pairs "--state established: refused never was" '' \
	--state established "$FIX/vm-refused.txt"
expect_pairs "--state syn-sent,listening" \
	'- 127.0.0.1:5555|127.0.0.1:46582 127.0.0.1:5555' \
	--state syn-sent,listening "$CCL"
"$TW" --ascii -L 40000,40010 -c 2 "$V6" | head -n 1 >"$tmp/out"
grep -qx 'connection 2: \[::1\]:40010 -> \[::1\]:9' "$tmp/out"
result $? "filter: -c numbers the connections that pass"

expect_error "filter: bad port" 2 "tcpwave: bad local port '80,,81'" \
	"$TW" -L 80,,81 "$CCL"
expect_error "filter: port above 65535" 2 "tcpwave: bad remote port '65536'" \
	"$TW" -D 65536 "$CCL"
expect_error "filter: bad state" 2 "tcpwave: bad state 'time_wait'" \
	"$TW" --state time_wait "$CCL"
expect_error "filter: bad address" 2 "tcpwave: bad local address '10.0.0.0/33'" \
	"$TW" --laddr 10.0.0.0/33 "$CCL"
expect_error "filter: pid 0" 2 "tcpwave: bad pid '0'" "$TW" -p 0 "$CCL"
expect_error "filter: comm too long" 2 \
	"tcpwave: bad task name '0123456789abcdef'" \
	"$TW" --comm 0123456789abcdef "$CCL"
expect_error "filter: no such netns" 2 \
	"tcpwave: network namespace 'tcpwave-none': /run/netns/tcpwave-none: No such file or directory" \
	"$TW" -N tcpwave-none "$CCL"
expect_error "filter: -c past the filtered ones" 1 \
	"tcpwave: no connection 3 (2 in $CCL that pass the filters)" \
	"$TW" -p 100 -c 3 "$CCL"
expect_error "two modes" 2 \
	"tcpwave: choose one mode: --list, --events, --live or --summary" \
	"$TW" --list --summary "$CCL"
expect_error "bad --color" 2 \
	"tcpwave: bad --color 'yes' (auto, always or never)" \
	"$TW" --color=yes "$CCL"

# --- -o FILE: written whole, then renamed into place --------------------

"$TW" --list "$CCL" >"$tmp/want"
echo old >"$tmp/o.txt"
"$TW" --list -o "$tmp/o.txt" "$CCL" >"$tmp/out" 2>"$tmp/err" &&
	cmp -s "$tmp/want" "$tmp/o.txt" && [ ! -s "$tmp/out" ] &&
	[ -z "$(ls "$tmp" | grep 'o\.txt\.tmp')" ]
result $? "-o FILE replaces FILE with the output, no temporary left"
expect_error "-o into a missing directory" 1 \
	"tcpwave: cannot create $tmp/none/o.txt.tmp.PID: No such file or directory" \
	sh -c "'$TW' -o '$tmp/none/o.txt' '$CCL' 2>&1 >/dev/null | sed 's/tmp\.[0-9]*:/tmp.PID:/' >&2; exit 1"
"$TW" --list -o "$tmp/o2.txt" "$FIX/nonexistent.txt" 2>/dev/null
[ $? -eq 1 ] && [ ! -e "$tmp/o2.txt" ]
result $? "-o FILE: a failed run leaves no FILE"
if [ -w /dev/full ]; then
	expect_error "write error: exit 1" 1 \
		"tcpwave: write error: No space left on device" \
		sh -c "'$TW' --list '$CCL' >/dev/full"
fi

# --- colour: only on a terminal, never with NO_COLOR --------------------

esc=$(printf '\033')
"$TW" --color=always "$FIX/vm-refused.txt" >"$tmp/out"
grep -q "$esc\[31mCLOSE (refused)$esc\[0m" "$tmp/out"
result $? "colour: --color=always marks a refused close red"
sed "s/$esc\[[0-9;]*m//g" "$tmp/out" | cmp -s - "$FIX/vm-refused.ladder"
result $? "colour: the same ladder once the colours are taken out"
"$TW" "$FIX/vm-refused.txt" | grep -q "$esc"
[ $? -ne 0 ]
result $? "colour: none into a pipe"
if command -v script >/dev/null; then
	TERM=xterm script -qec "$TW $FIX/vm-refused.txt" /dev/null >"$tmp/out"
	grep -q "$esc\[1m" "$tmp/out"
	result $? "colour: on a terminal (script(1))"
	NO_COLOR=1 TERM=xterm script -qec "$TW $FIX/vm-refused.txt" /dev/null \
		>"$tmp/out"
	! grep -q "$esc" "$tmp/out"
	result $? "colour: NO_COLOR=1 on a terminal: none"
	TERM=xterm script -qec "$TW --color=never $FIX/vm-refused.txt" \
		/dev/null >"$tmp/out"
	! grep -q "$esc" "$tmp/out"
	result $? "colour: --color=never on a terminal: none"
else
	skip "colour: on a terminal" "no script(1)"
	skip "colour: NO_COLOR=1" "no script(1)"
	skip "colour: --color=never" "no script(1)"
fi

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

# --- JSON Lines ---------------------------------------------------------

SCHEMA=tests/unit/json-schema.jq

# json_lines FILE: every line of FILE is one JSON value on its own, and
# that value passes the schema.  Says which line failed.
json_lines() {
	jq -R -f "$SCHEMA" "$1" >"$tmp/jq" 2>"$tmp/jqerr"
	rc=$?
	if [ $rc -ne 0 ]; then
		diag "$tmp/jqerr"
		return 1
	fi
	[ "$(wc -l <"$tmp/jq")" -eq "$(wc -l <"$1")" ] &&
		! grep -vnx true "$tmp/jq" |
		sed 's/^/# schema fails at line /' | grep .
}

if ! command -v jq >/dev/null 2>&1; then
	echo "# jq not installed: run scripts/deps.sh"
	result 1 "json: jq is installed"
else
	for f in "$FIX"/*.txt; do
		name=$(basename "$f" .txt)
		rc=0
		"$TW" --json "$f" >"$tmp/json" 2>/dev/null || rc=1
		[ $rc -ne 0 ] || json_lines "$tmp/json" || rc=1
		# --list --json prints the same objects as --json.
		"$TW" --list -j "$f" 2>/dev/null | cmp -s - "$tmp/json" || rc=1
		result $rc "json: $name: every line valid, schema holds"
	done

	# The schema can fail: a wrong type, a missing key, bad JSON.
	L='{"type":"lost","count":5,"before_seq":207}'
	printf '%s\n' "$L" >"$tmp/json"
	json_lines "$tmp/json"
	result $? "json: schema accepts a lost object"
	bad=0
	for line in '{"type":"lost","count":"5","before_seq":207}' \
		    '{"type":"lost","count":5}' \
		    '{"type":"lost","count":5,"before_seq":207,"x":1}' \
		    '{"type":"nothing"}' "$L$L" "${L%\}}"; do
		printf '%s\n' "$line" >"$tmp/json"
		if json_lines "$tmp/json" >/dev/null 2>&1; then
			echo "# schema passed: $line"
			bad=1
		fi
	done
	result $bad "json: schema rejects bad objects and bad lines"

	# Comms with any byte (v11-comm-bytes.txt), as JSON strings: each
	# connection's owner, then its connect transition.  Escaped by
	# jansson; one U+FFFD per byte of invalid UTF-8 (see its comments).
	R=$(printf '\357\277\275')
	{
		printf '%s\n' '"a\"b\\c'"'"'d"'
		printf '"\\u0001\\t\\n\\u001B[31m\177"\n'
		printf '"%s"\n' "$R${R}x$R$R$R$R$R"
		printf '"\303\251\342\202\254\360\237\230\200"\n'
		printf '"%s"\n' "$R${R}z$R$R$R$R"
		printf '"%s"\n' "$R$R$R$R$R$R$R$R$R$R$R$R$R$R$R"
		printf '"-"\n'
	} | sed p >"$tmp/want"
	"$TW" -j "$FIX/v11-comm-bytes.txt" 2>"$tmp/err" |
		grep -o '"comm":"\([^"\\]\|\\.\)*"' | sed 's/^"comm"://' \
		>"$tmp/out"
	diff -u "$tmp/want" "$tmp/out" >"$tmp/diff"
	rc=$?
	diag "$tmp/diff"
	# In characters: 7; 9; 2 + x + 2 + 3; 3 (9 bytes); 2 + z + 4; 15; 1.
	"$TW" -j "$FIX/v11-comm-bytes.txt" 2>/dev/null | jq -e -s \
		'map(.client.owner.comm | explode | length) ==
		 [7, 9, 8, 3, 7, 15, 1]' >/dev/null || {
		echo "# comm lengths in characters differ"
		rc=1
	}
	result $rc "json: comm bytes escaped exactly, one U+FFFD per bad byte"

	# Format 1.0 captures: the 1.1 fields are null, never 0.
	rc=0
	for f in client-close comm-escape ipv6 lost one-sided port-reuse \
		 server-close; do
		head -n 1 "$FIX/$f.txt" | grep -q '^# tcpwave 1\.0 ' || rc=1
		"$TW" -j "$FIX/$f.txt" 2>/dev/null | jq -e -s '
			[.[] | select(.type == "connection") |
			 .client, .server | values] as $ends |
			($ends | length) > 0 and
			all($ends[]; .iss == null and .irs == null and
			    .req_cookie == null and .listener_cookie == null and
			    all(.transitions[]; .event == "state" and
				.reason == null and .snd_una == null and
				.snd_nxt == null and .rcv_nxt == null and
				.iss == null and .irs == null and
				.link == null))' >/dev/null || {
			echo "# $f: a 1.1 field is not null"
			rc=1
		}
	done
	result $rc "json: 1.0 captures give null for the 1.1 fields"

	"$TW" -j "$FIX/v11-lost.txt" 2>/dev/null | head -n 2 >"$tmp/out"
	printf '%s\n' '{"type":"lost","count":6,"before_seq":6}' \
		'{"type":"lost","count":2,"before_seq":21}' |
		cmp -s - "$tmp/out"
	result $? "json: lost objects first, in order"

	"$TW" -j -c 2 "$FIX/client-close.txt" 2>/dev/null >"$tmp/out" &&
		[ "$(wc -l <"$tmp/out")" -eq 1 ] &&
		jq -e '.id == 2 and .listener and .client == null' \
		"$tmp/out" >/dev/null
	result $? "json: --conn 2 prints connection 2 alone"

	"$TW" -j -D 9 "$FIX/v11-comm-bytes.txt" 2>/dev/null >"$tmp/out" &&
		[ "$(wc -l <"$tmp/out")" -eq 7 ] &&
		"$TW" -j -D 10 "$FIX/v11-comm-bytes.txt" >"$tmp/out" \
		2>/dev/null && [ ! -s "$tmp/out" ]
	result $? "json: filters apply"

	"$TW" -j "$FIX/empty.txt" >"$tmp/out" 2>"$tmp/err" &&
		[ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]
	result $? "json: no connections, no lines"

	"$TW" -j -o "$tmp/out.json" "$FIX/client-close.txt" >"$tmp/out" &&
		[ ! -s "$tmp/out" ] && cmp -s "$tmp/out.json" \
		"$FIX/client-close.json"
	result $? "json: -o FILE"
fi

if [ -w /dev/full ]; then
	"$TW" -j "$FIX/vm-many.txt" >/dev/full 2>"$tmp/err"
	rc=$?
	[ $rc -eq 1 ] && [ "$(cat "$tmp/err")" = \
		"tcpwave: write error: No space left on device" ]
	result $? "json: a write error exits 1 (got $rc)"
else
	skip "json: a write error exits 1" "no /dev/full"
fi

# --- --svg --------------------------------------------------------------

# The goldens: the interesting connection of each, or all of them.
golden vm-client-close "$FIX/vm-client-close.svg" --svg -c 2
golden vm-server-close "$FIX/vm-server-close.svg" --svg -c 2
golden vm-ipv6 "$FIX/vm-ipv6.svg" --svg -c 2
golden vm-refused "$FIX/vm-refused.svg" --svg
golden vm-syn-timeout "$FIX/vm-syn-timeout.svg" --svg
golden vm-simul-close "$FIX/vm-simul-close.svg" --svg
golden vm-self-connect "$FIX/vm-self-connect.svg" --svg
golden comm-escape "$FIX/comm-escape.svg" --svg
golden lost "$FIX/lost.svg" --svg
golden empty "$FIX/empty.svg" --svg

# png_size FILE: "WIDTH HEIGHT" from the PNG's IHDR chunk.
png_size() {
	od -An -tu1 -j16 -N8 "$1" | awk '{
		printf "%d %d\n", (($1 * 256 + $2) * 256 + $3) * 256 + $4,
			(($5 * 256 + $6) * 256 + $7) * 256 + $8 }'
}

# svg_renders FILE.svg: well-formed XML, and rsvg-convert draws it as a
# PNG of the size its <svg> says, not blank: bigger than twice a white
# PNG of that size (text and lines do not compress like a plain field).
svg_renders() {
	xmllint --noout "$1" 2>"$tmp/err" || { diag "$tmp/err"; return 1; }
	size=$(sed -n 's/^<svg [^>]* width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2/p' "$1")
	[ -n "$size" ] || { echo "# $1: no width and height"; return 1; }
	rsvg-convert -o "$tmp/svg.png" "$1" 2>"$tmp/err" ||
		{ diag "$tmp/err"; return 1; }
	got=$(png_size "$tmp/svg.png")
	[ "$got" = "$size" ] ||
		{ echo "# $1: PNG is $got, SVG says $size"; return 1; }
	set -- $size
	printf '<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s"><rect width="100%%" height="100%%" fill="#fff"/></svg>\n' \
		"$1" "$2" >"$tmp/blank.svg"
	rsvg-convert -o "$tmp/blank.png" "$tmp/blank.svg" || return 1
	[ "$(wc -c <"$tmp/svg.png")" -gt $((2 * $(wc -c <"$tmp/blank.png"))) ] ||
		{ echo "# PNG as small as a blank one"; return 1; }
}

if ! command -v xmllint >/dev/null 2>&1 ||
   ! command -v rsvg-convert >/dev/null 2>&1; then
	skip "--svg of every fixture renders" \
		"no xmllint or rsvg-convert: run scripts/deps.sh"
	skip "--svg: a hostile comm" \
		"no xmllint or rsvg-convert: run scripts/deps.sh"
else
	rc=0
	for f in "$FIX"/*.txt; do
		"$TW" --svg "$f" >"$tmp/out.svg" 2>/dev/null &&
			svg_renders "$tmp/out.svg" || { echo "# $f"; rc=1; }
	done
	result $rc "--svg of every fixture is valid XML and renders"

	# Comms of bytes XML must not see raw (C0, DEL, C1, bad UTF-8 of
	# every kind, a bidi override) and of markup: escaped as \ooo or
	# entities, valid UTF-8 left as it is.
	{
		echo "$HDR"
		# printf, not echo: dash's echo would decode the \ooo.
		printf '%s\n' '1 1000000 0 00000a01 4026531840 4 127.0.0.1:41000 127.0.0.1:80 CLOSE SYN_SENT task 11 <&"\001\377\303\251\342\200\256x'
		printf '%s\n' '2 2000000 0 00000a02 4026531840 4 127.0.0.1:41001 127.0.0.1:80 CLOSE SYN_SENT task 12 \300\200\355\240\200\364\220\200\200'
		printf '%s\n' '3 3000000 0 00000a03 4026531840 4 127.0.0.1:41002 127.0.0.1:80 CLOSE SYN_SENT task 13 a\302\205b\011c\177\134>'
	} >"$tmp/in.txt"
	rc=0
	"$TW" --svg "$tmp/in.txt" >"$tmp/out.svg" 2>"$tmp/err" &&
		svg_renders "$tmp/out.svg" || rc=1
	for want in \
	    '>&lt;&amp;&quot;\001\377é\342\200\256x[11]<' \
	    '>\300\200\355\240\200\364\220\200\200[12]<' \
	    '>a\302\205b\011c\177\134&gt;[13]<'; do
		grep -aqF "$want" "$tmp/out.svg" || { printf '# no %s\n' "$want"; rc=1; }
	done
	# No control character but the newlines, and valid UTF-8.
	LC_ALL=C tr -d '\n' <"$tmp/out.svg" | LC_ALL=C grep -aq '[[:cntrl:]]' &&
		{ echo "# a control character"; rc=1; }
	iconv -f UTF-8 -t UTF-8 "$tmp/out.svg" >/dev/null 2>&1 ||
		{ echo "# not UTF-8"; rc=1; }
	result $rc "--svg: a hostile comm is escaped, the XML well-formed"
fi

# The README's picture is the golden: "make docs" redraws both.
cmp -s docs/ladder.svg "$FIX/vm-client-close.svg"
result $? "docs/ladder.svg is what --svg draws now (make docs)"

"$TW" --svg -c 2 -o "$tmp/o.svg" "$FIX/vm-client-close.txt" >"$tmp/out" &&
	[ ! -s "$tmp/out" ] && cmp -s "$tmp/o.svg" "$FIX/vm-client-close.svg"
result $? "--svg -o FILE writes the same SVG"

expect_error "usage: --svg with --list" 2 \
	"tcpwave: --svg draws ladders: no other mode" \
	"$TW" --svg --list "$FIX/empty.txt"
expect_error "error: --svg, no such connection" 1 \
	"tcpwave: no connection 2 (1 in $FIX/vm-refused.txt)" \
	"$TW" --svg -c 2 "$FIX/vm-refused.txt"

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
	# Emptied here, not by the redirection below: that runs in the
	# child, maybe after the loop has counted the last run's lines.
	: >"$tmp/out"
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
expect_error_E "usage: -E --svg" 2 \
	"tcpwave: --svg draws ladders: no other mode" \
	--svg "$FIX/empty.txt"

# -E -j: every line valid and in the schema; one "transition" per record
# that -E prints a line for, one "connection" per ladder it draws.
if command -v jq >/dev/null 2>&1; then
	rc=0
	for f in "$FIX"/*.txt; do
		"$TW" -E -j "$f" >"$tmp/ej" 2>/dev/null || { rc=1; break; }
		json_lines "$tmp/ej" || { echo "# $f"; rc=1; break; }
		"$TW" -E --color=never "$f" >"$tmp/et" 2>/dev/null
		lad=$(grep -c '^\(connection\|listener\) [0-9]*:' "$tmp/et")
		con=$(grep -c '^{"type":"connection"' "$tmp/ej")
		rec=$(grep -c '^{"type":"transition"' "$tmp/ej")
		want=$(grep -c '^[0-9]' "$f")
		if [ "$lad" != "$con" ] || [ "$rec" != "$want" ]; then
			echo "# $f: $con connections for $lad ladders, $rec transitions for $want records"
			rc=1
		fi
	done
	result $rc "-E -j: valid JSON Lines, a transition per record, a connection per ladder"
	"$TW" -E -j "$FIX/v11-lost.txt" | grep -c '"type":"lost"' >"$tmp/n"
	[ "$(cat "$tmp/n")" -ge 1 ]
	result $? "-E -j: the ring's losses as lost objects"
	printf '%s\n' "$HDR11" "$REC11" >"$tmp/in.txt"
	"$TW" -E -j "$tmp/in.txt" | tail -n 1 |
		jq -e '.type == "connection" and .in_progress == true' >/dev/null
	result $? "-E -j: a connection open at the end of the input is in_progress"
else
	result 1 "-E -j: jq is installed"
fi

# -E --prometheus: the counters of every record read, the same as the
# one-shot --prometheus of the same capture (but for the quantiles: the
# stream's come from a histogram); -o FILE rewritten every --interval.
rc=0
for f in "$FIX"/*.txt; do
	"$TW" -E --prometheus "$f" 2>/dev/null | grep -v 'quantile=' >"$tmp/p1"
	"$TW" --prometheus "$f" 2>/dev/null | grep -v 'quantile=' >"$tmp/p2"
	cmp -s "$tmp/p1" "$tmp/p2" || { echo "# $f"; diff "$tmp/p2" "$tmp/p1" | diag /dev/stdin; rc=1; }
done
result $rc "-E --prometheus: the one-shot's metrics, from the stream"
if command -v promtool >/dev/null 2>&1; then
	"$TW" -E --prometheus "$FIX/vm-many.txt" | promtool check metrics \
		>"$tmp/err" 2>&1
	result $? "-E --prometheus: promtool check metrics"
fi
# A FIFO that stays open: the file exists at once (zeros), and is
# rewritten with the records' counts within --interval 1.
rm -f "$tmp/fifo" "$tmp/m.prom"
mkfifo "$tmp/fifo"
"$TW" -E --prometheus --interval 1 -o "$tmp/m.prom" "$tmp/fifo" &
pid=$!
exec 7>"$tmp/fifo"
grep '^[#0-9]' "$FIX/vm-many.txt" >&7
i=0
until grep -q '^tcpwave_records_total 262$' "$tmp/m.prom" 2>/dev/null ||
      [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
grep -q '^tcpwave_records_total 262$' "$tmp/m.prom" 2>/dev/null
rc=$?
echo "# records_total in the file after $((i * 100)) ms: $(grep '^tcpwave_records_total' "$tmp/m.prom" 2>/dev/null)"
exec 7>&-
wait $pid
[ $rc -eq 0 ] && [ $? -eq 0 ] && [ -z "$(ls "$tmp" | grep 'm\.prom\.tmp')" ]
result $? "-E --prometheus -o FILE: rewritten while the input stays open"
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

# --- C unit tests --------------------------------------------------------

# c_test NAME ARGS...: build tests/unit/NAME.c with the viewer sources and
# compiler arguments ARGS, run it, and sum its checks up in one TAP line.
c_test() {
	name=$1
	shift
	if $CC -std=gnu11 -Wall -Wextra -Werror -O2 -Imodule -Iuserspace \
		-o "$tmp/$name" "tests/unit/$name.c" "$@" 2>"$tmp/err"; then
		"$tmp/$name" >"$tmp/out" 2>&1
		rc=$?
		grep -v '^ok \|^1\.\.' "$tmp/out" | sed 's/^/# /'
		result $rc "$name ($(grep -c '^ok ' "$tmp/out") checks passed)"
	else
		diag "$tmp/err"
		result 1 "$name builds"
	fi
}

# The parser.
c_test test_parse userspace/parse.c userspace/states.c userspace/fmt.c
# The text helpers: numbers, cookies and endpoints against printf.
c_test test_fmt userspace/fmt.c userspace/states.c userspace/parse.c
# The statistics engine.
c_test test_stats userspace/stats.c userspace/conn.c userspace/filter.c \
	userspace/parse.c userspace/states.c userspace/fmt.c
# json.c, the comm sanitizer above all.
# shellcheck disable=SC2046
c_test test_json userspace/json.c userspace/conn.c userspace/parse.c \
	userspace/states.c userspace/fmt.c $(pkg-config --cflags --libs jansson)
# The --live table: spans, order, filters, the columns at every width.
c_test test_livetab userspace/livetab.c userspace/track.c \
	userspace/filter.c userspace/conn.c userspace/parse.c \
	userspace/states.c userspace/fmt.c

# --- leaks and memory errors --------------------------------------------

if [ "${VALGRIND:-1}" = 0 ] || ! command -v valgrind >/dev/null 2>&1; then
	skip "valgrind" "valgrind not installed or VALGRIND=0"
else
	rc=0
	for f in "$FIX"/*.txt "$tmp/in.txt"; do
		for mode in "" --list --json --svg -s "-s -j" --prometheus -E --live; do
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
	for t in test_parse test_fmt test_stats test_json test_livetab; do
		[ -x "$tmp/$t" ] || continue
		valgrind -q --leak-check=full --errors-for-leak-kinds=all \
			--error-exitcode=99 "$tmp/$t" >/dev/null 2>"$tmp/err"
		[ $? -ne 99 ] || { diag "$tmp/err"; false; }
		result $? "valgrind: $t"
	done
fi

echo "1..$n"
[ $failed -eq 0 ]
