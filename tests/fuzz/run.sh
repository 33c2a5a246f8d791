#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/run.sh - fuzz the viewer's parser and renderers with
# libFuzzer under AddressSanitizer (leaks included) and
# UndefinedBehaviorSanitizer, printed as TAP.
#
# Usage: tests/fuzz/run.sh                     30 s per target
#        FUZZ_SECONDS=600 tests/fuzz/run.sh    a long run ("make fuzz")
#
# Targets: fuzz_parse.c (a capture: tw_trace_read(), tw_conns_build(),
# every capture renderer, the filters) and fuzz_stream.c (tw_follow_run():
# "-E" as text, JSON and Prometheus).  Each is first run once on every
# fixture, every hand-made seed below and every input of tests/fuzz/regress/
# (inputs that once crashed the viewer), then fuzzed for FUZZ_SECONDS from
# that corpus.  An input that crashes, leaks or hits undefined behaviour
# fails the test; it is kept as tests/fuzz/build/crash-* and shown in hex.
#
# The whole suite is skipped when clang cannot build with
# -fsanitize=fuzzer (scripts/deps.sh installs clang and libclang-rt-dev).
#
# Environment: CLANG (default clang), FUZZ_SECONDS (default 30),
# FUZZ_MAX_LEN (default 4096).  Exit status: 0 if every test passed.
set -u

cd "$(dirname "$0")/../.." || exit 1
FUZZ=tests/fuzz
BUILD=$FUZZ/build
CLANG=${CLANG:-clang}
SECONDS_EACH=${FUZZ_SECONDS:-30}
MAX_LEN=${FUZZ_MAX_LEN:-4096}
TARGETS="fuzz_parse fuzz_stream"
# Every source of the viewer but main.c (main(), which libFuzzer has) and
# live.c (ncurses); fuzz_common.c stands in for main.c's output helpers.
SRCS=
for f in userspace/*.c; do
	case $f in
	userspace/main.c | userspace/live.c) ;;
	*) SRCS="$SRCS $f" ;;
	esac
done
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=undefined -std=gnu11 -Wall -Wextra -Werror
	-Imodule -Iuserspace -I$FUZZ"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
. tests/tap.sh

# The last lines of a log as TAP diagnostics.
diag() {
	tail -n "${2:-30}" "$1" | sed 's/^/# /'
}

echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)
{ return d && n > 1000000; }' >"$tmp/probe.c"
if ! "$CLANG" -fsanitize=fuzzer,address,undefined -o "$tmp/probe" \
	"$tmp/probe.c" >"$tmp/probe.log" 2>&1; then
	# One test, skipped: tests/check.sh fails a suite that ran none.
	echo "ok 1 fuzz # SKIP $CLANG cannot build with -fsanitize=fuzzer" \
	     "(install clang and libclang-rt-dev: scripts/deps.sh)"
	echo "1..1"
	exit 0
fi
if ! pkg-config --exists jansson; then
	echo "Bail out! pkg-config finds no jansson: run scripts/deps.sh"
	exit 1
fi

# The seed corpus: the fixtures, and inputs that sit on the parser's
# edges, which no recorded capture has.
seeds=$tmp/seeds
mkdir "$seeds"
cp tests/fixtures/*.txt "$seeds/"
h11='# tcpwave 1.1 seq ts_ns cpu cookie netns family laddr raddr oldstate newstate ctx pid comm event reason snd_una snd_nxt rcv_nxt iss irs link'
h10='# tcpwave 1.0 seq ts_ns cpu cookie netns family laddr raddr oldstate newstate ctx pid comm'
r11='0 1000 0 00000001 4026531840 4 127.0.0.1:40000 127.0.0.1:80 CLOSE SYN_SENT task 7 curl connect - - - - 1000 - -'
r10='0 1000 0 00000001 4026531840 4 127.0.0.1:40000 127.0.0.1:80 CLOSE SYN_SENT task 7 curl'
printf '%s\n' "$h11" >"$seeds/header-only"
printf '%s\n%s\n' "$h10" "$r10" >"$seeds/v1.0"
printf '%s\n%s\n' "$h11" "$r11" >"$seeds/v1.1"
printf '%s extra\n%s x\n' "$(echo "$h11" | sed 's/1\.1/1.9/')" "$r11" \
	>"$seeds/v1.9"
printf '%s\n%s\n' "$(echo "$h11" | sed 's/1\.1/2.0/')" "$r11" >"$seeds/v2.0"
printf '%s\n%s\n' "$h11" "18446744073709551615 18446744073709551615 4294967295 ffffffffffffffff 4294967295 6 [ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535 [::]:0 CLOSE_WAIT CLOSE nmi 4294967295 - timewait dropped 4294967295 4294967295 4294967295 4294967295 4294967295 ffffffffffffffff" \
	>"$seeds/huge"
printf '%s\n%s\n' "$h11" "$(echo "$r11" | sed 's/ curl / \\\\\\377\\0\\12\\x\\ /')" \
	>"$seeds/bad-escape"
printf '%s\n%s\n' "$h11" "$r11" | tr 'c' '\000' >"$seeds/nul"
{ printf '%s\n' "$h11"; head -c 70000 /dev/zero | tr '\000' 'x'; echo; } \
	>"$seeds/long-line"
printf '%s\n# lost 0\n# lost 18446744073709551615\n%s\n# lost 3\n# lost x\n' \
	"$h11" "$r11" >"$seeds/lost"
printf '%s\n%s\n%s\n' "$h11" "$r11" "$h10" >"$seeds/two-headers"

mkdir -p "$BUILD"
for t in $TARGETS; do
	# shellcheck disable=SC2086,SC2046
	"$CLANG" $CFLAGS $(pkg-config --cflags jansson) -o "$BUILD/$t" \
		"$FUZZ/$t.c" "$FUZZ/fuzz_common.c" $SRCS \
		$(pkg-config --libs jansson) >"$tmp/build.log" 2>&1
	status=$?
	[ "$status" = 0 ] || diag "$tmp/build.log"
	result "$status" "$t builds with -fsanitize=fuzzer,address,undefined"
done

# Show the input that failed, for a CI log that is all there is.
crash_diag() {
	for a in "$BUILD"/crash-* "$BUILD"/leak-* "$BUILD"/timeout-* \
		 "$BUILD"/oom-*; do
		[ -f "$a" ] || continue
		echo "# input kept as $a:"
		od -A d -c "$a" | head -n 20 | sed 's/^/#   /'
	done
}

for t in $TARGETS; do
	bin=$BUILD/$t
	[ -x "$bin" ] || continue
	rm -f "$BUILD"/crash-* "$BUILD"/leak-* "$BUILD"/timeout-* \
	      "$BUILD"/oom-*

	# Once over every fixture, seed and regression input: deterministic.
	# libFuzzer runs them one by one only if each is a file.
	set -- "$seeds"/*
	for f in "$FUZZ"/regress/*; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
	"$bin" -artifact_prefix="$BUILD/" "$@" >"$tmp/$t.replay" 2>&1
	status=$?
	if [ "$status" != 0 ]; then
		diag "$tmp/$t.replay"
		crash_diag
	fi
	result "$status" "$t: every fixture, seed and regress/ input once"

	# Then fuzz, from a copy: libFuzzer adds what it finds to the corpus.
	corpus=$tmp/$t.corpus
	mkdir "$corpus"
	cp "$@" "$corpus/"
	"$bin" -max_total_time="$SECONDS_EACH" -max_len="$MAX_LEN" \
		-timeout=10 -rss_limit_mb=2048 -dict="$FUZZ/tcpwave.dict" \
		-close_fd_mask=3 -print_final_stats=1 \
		-artifact_prefix="$BUILD/" "$corpus" >"$tmp/$t.log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$t.log")
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$tmp/$t.log")
	last=$(grep -E '^#[0-9]+' "$tmp/$t.log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	echo "# $t: ${execs:-?} runs in ${SECONDS_EACH} s, coverage ${cov:-?}" \
	     "edges, ${ft:-?} features, corpus ${corp:-?} inputs," \
	     "peak RSS ${rss:-?} MB"
	if [ "$status" != 0 ]; then
		diag "$tmp/$t.log" 40
		crash_diag
	fi
	result "$status" "$t: fuzzed ${SECONDS_EACH} s, no crash, leak or UB"
done

echo "1..$n"
[ "$failed" = 0 ]
