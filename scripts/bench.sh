#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - tcpwave's benchmark (issue 6): its cost to the connections it
# watches, side by side with libbpf-tools' tcpstates in one VM boot, and
# the viewer's speed and memory natively on this host.  See README.md,
# "Performance".
#
# Usage: scripts/bench.sh [--short] [--readme] [--split] [-r ROUNDS]
#                         [-d SECONDS] [-c CLIENTS] [-o FILE] [--host-only]
#
# In the VM (scripts/vm-run.sh, tests/vm/bench.sh): the workload
# tcpwave-crr (TCP_CRR on loopback, CLIENTS threads, SECONDS a run) under
# (A) no tracer, (B) tcpwave with "tcpwave -E >/dev/null" following,
# (C) tcpstates >/dev/null, interleaved A B C over ROUNDS rounds (with
# --split A P R B C: (P) tcpwave loaded and nobody reading, (R) tcpwave
# with tcpwave-reader following, which parses nothing); then
# one run of B with the module's timing=1 for the in-kernel cost of a
# record.  On the host: tcpwave over a generated stream of 1,000,000
# records (scripts/bench-records.awk over recorded captures) in -E, the
# default ladders and -s, timed by /usr/bin/time; and -E's peak RSS fed
# 1,000,000 and then 5,000,000 records through a pipe.
#
# Prints a Markdown table and writes it to FILE (build/bench.md).
# --readme puts it in README.md between <!-- bench:begin --> and
# <!-- bench:end -->.  --short (2 rounds of 5 s, for make check) also
# prints TAP that catches a regression: the follower's losses are the ones
# the module counted, every connection worked, B's overhead over A stays
# under TW_BENCH_MAX_B percent (60), the viewer's -E does at least
# TW_BENCH_MIN_RATE records/s (600000) and follow memory stays flat.
# Issue 6's targets not met yet (no loss, no kprobe miss, 1,000,000
# records/s) are printed as comments, met or not.  --host-only skips
# the VM.
#
# Defaults: 10 rounds of 10 s, 4 clients.
#
# Exit status: 0; 1 when a run failed or (--short) a check failed;
# 2 on a usage error.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
prog=bench.sh
cmdline="scripts/bench.sh${*:+ $*}"

rounds=10
secs=10
clients=4
short=0
readme=0
hostonly=0
configs=A,B,C
out=$top/build/bench.md
# --short's bound on B's overhead over A, in percent: see README.
max_b=${TW_BENCH_MAX_B:-60}
# --short's floor for the viewer's -E, in records/s of CPU time.
min_rate=${TW_BENCH_MIN_RATE:-600000}

usage() {
	sed -n '/^# Usage:/,/^#$/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

num() {
	case $2 in ''|*[!0-9]*) echo "$prog: $1: not a number: $2" >&2; exit 2 ;; esac
}

while [ $# -gt 0 ]; do
	case $1 in
	--short) short=1; rounds=2; secs=5 ;;
	--readme) readme=1 ;;
	--host-only) hostonly=1 ;;
	--split) configs=A,P,R,B,C ;;
	-r) [ $# -ge 2 ] || usage; num -r "$2"; rounds=$2; shift ;;
	-d) [ $# -ge 2 ] || usage; num -d "$2"; secs=$2; shift ;;
	-c) [ $# -ge 2 ] || usage; num -c "$2"; clients=$2; shift ;;
	-o) [ $# -ge 2 ] || usage; out=$2; shift ;;
	-h|--help) usage ;;
	*) echo "$prog: unknown option '$1'" >&2; usage ;;
	esac
	shift
done

mkdir -p "$top/build"
log=$top/build/bench-vm.log
status=0

make -C "$top" -s viewer progs >/dev/null || exit 1

# --- in the VM ------------------------------------------------------------

if [ $hostonly = 0 ]; then
	nconf=$(echo "$configs" | tr ',' '\n' | wc -l)
	echo "$prog: VM: $rounds rounds x $nconf configurations x $secs s, $clients clients" >&2
	# shellcheck disable=SC2046
	"$top/scripts/vm-run.sh" $(sh "$top/tests/vm/scenarios.sh" --flags 2>/dev/null) \
		--add "$top/tests/vm" --timeout $((rounds * nconf * (secs + 40) + 300)) -- \
		sh /add/vm/bench.sh "$rounds" "$secs" "$clients" "$configs" >"$log" 2>&1 || {
		echo "$prog: the VM run failed; its output:" >&2
		cat "$log" >&2
		status=1
	}
else
	: >"$log"
fi

# --- on the host: the viewer ------------------------------------------------

# Captures whose every connection ends within the capture: a stream made
# of them holds no connection open forever, as a real one does not.
captures="abort client-close refused syn-timeout synack-drop"
files=""
for c in $captures; do
	files="$files $top/tests/fixtures/vm-$c.txt"
done
records=$top/build/bench-records.txt
nrec=1000000
if [ ! -s "$records" ] || [ "$top/scripts/bench-records.awk" -nt "$records" ]; then
	# shellcheck disable=SC2086
	awk -v n=$nrec -f "$top/scripts/bench-records.awk" $files >"$records"
fi
viewer=$top/userspace/tcpwave

# vtime NAME ARG...: time the viewer over the records; one line
# "host mode=NAME wall=S cpu=S rss=KB".
vtime() {
	local name=$1 t
	shift
	/usr/bin/time -o "$tfile" -f '%e %U %S %M' "$viewer" "$@" "$records" >/dev/null 2>&1
	t=$(tail -n 1 "$tfile")
	echo "host mode=$name wall=$(echo "$t" | awk '{print $1}')" \
		"cpu=$(echo "$t" | awk '{printf "%.2f", $2 + $3}')" \
		"rss=$(echo "$t" | awk '{print $4}')"
}

# frss N: peak RSS of "tcpwave -E" fed N records through a pipe.
frss() {
	# shellcheck disable=SC2086
	awk -v n="$1" -f "$top/scripts/bench-records.awk" $files |
		/usr/bin/time -o "$tfile" -f '%M' "$viewer" -E - >/dev/null 2>&1
	tail -n 1 "$tfile"
}

tfile=$(mktemp)
trap 'rm -f "$tfile"' EXIT
echo "$prog: host: the viewer over $nrec records" >&2
host=$( {
	vtime -E -E
	vtime ladders
	vtime -s -s
	echo "host follow rss1=$(frss 1000000) rss5=$(frss 5000000)"
} )

# --- the table --------------------------------------------------------------

# scripts/bench-table.awk over the VM's "bench ..." lines and the host's
# "host ..." lines.
table=$( { grep -a '^bench ' "$log"; echo "$host"; } | awk -v nrec=$nrec \
	-v rounds="$rounds" -v secs="$secs" -v clients="$clients" \
	-v cmdline="$cmdline" -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" \
	-v hostcpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')" \
	-v maxb="$max_b" -v minrate="$min_rate" -v short="$short" \
	-f "$top/scripts/bench-table.awk")

if [ $short = 1 ]; then
	# The table as TAP comments, the checks as they are.
	echo "$table" | sed '/^ok \|^not ok \|^1\.\./!s/^/# /'
	echo "$table" | grep -q '^not ok ' && status=1
else
	echo "$table"
fi
echo "$table" | grep -v '^ok \|^not ok \|^1\.\.' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$out"
echo "$prog: table written to $out" >&2

if [ $readme = 1 ]; then
	awk -v f="$out" '
		/<!-- bench:begin -->/ { print; while ((getline l < f) > 0) print l; skip = 1; next }
		/<!-- bench:end -->/ { skip = 0 }
		!skip' "$top/README.md" >"$top/README.md.new" &&
		grep -q '<!-- bench:end -->' "$top/README.md.new" &&
		mv "$top/README.md.new" "$top/README.md" ||
		{ rm -f "$top/README.md.new"; echo "$prog: README.md has no bench markers" >&2; status=1; }
fi
exit $status
