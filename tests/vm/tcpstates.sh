#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tcpstates.sh - the peer tool: libbpf-tools' tcpstates (Debian package
# libbpf-tools, /usr/sbin/tcpstates), the BPF program on the
# sock:inet_sock_set_state tracepoint that tcpwave's records can be held
# against.  It runs in the background while a scenario runs, then prints
# what it saw.
#
# Usage:
#   tcpstates.sh start NAME [TCPSTATES-OPTION]...   start it, return once
#                                                   it is tracing
#   tcpstates.sh stop NAME                          stop it, print its lines
#
# The options go to tcpstates; without any it runs as "tcpstates -T -w"
# (timestamps, wide columns for IPv6).  Its output stays in
# $TCPWAVE_CAPTURE_DIR (/tmp/tcpwave-capture)/NAME.tcpstates.
#
# EXAMPLES
#   sh tcpstates.sh start peer
#   tcpwave-traffic client-close
#   sh tcpstates.sh stop peer
#
# What it needs from the VM, all there in Debian's kernel and
# scripts/vm-run.sh's guest: BTF (/sys/kernel/btf/vmlinux), the bpf()
# syscall, and tracefs for the tracepoint's id, mounted here at
# /sys/kernel/tracing when it is not.  tcpstates writes to a file with
# full buffering, so its lines show up only when it exits: readiness is
# told from its file descriptors instead, once its BPF link and one perf
# buffer per online CPU are open.
#
# Exit status: 0 on success, 1 on failure, 2 on a usage error.
set -eu

prog=tcpstates.sh
here=$(dirname "$0")
. "$here/tools.sh"

usage() {
	sed -n '/^# Usage:/,/^# EXAMPLES/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

# fds PID KIND: how many of PID's file descriptors are anon_inode KIND.
fds() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -c "anon_inode:$2" || true
}

start() {
	name=$1
	shift
	[ $# -gt 0 ] || set -- -T -w
	need tcpstates
	[ -e /sys/kernel/btf/vmlinux ] || die "no /sys/kernel/btf/vmlinux: the kernel lacks BTF"
	if [ ! -e /sys/kernel/tracing/events ] && [ ! -e /sys/kernel/debug/tracing/events ]; then
		mount -t tracefs tracefs /sys/kernel/tracing ||
			die "cannot mount tracefs at /sys/kernel/tracing"
	fi
	mkdir -p "$dir"
	out=$dir/$name.tcpstates
	"$TCPSTATES" "$@" </dev/null >"$out" 2>"$out.err" &
	pid=$!
	echo $pid >"$dir/$name.tcpstates.pid"
	cpus=$(grep -c '^processor' /proc/cpuinfo)
	i=0
	until [ "$(fds $pid bpf_link)" -ge 1 ] &&
	      [ "$(fds $pid '\[perf_event\]')" -ge $((cpus + 1)) ]; do
		alive $pid || die "tcpstates failed: $(cat "$out.err")"
		i=$((i + 1))
		[ $i -le 1200 ] || die "tcpstates did not start tracing in 120 s"
		sleep 0.1
	done
}

stop() {
	name=$1
	out=$dir/$name.tcpstates
	[ -r "$out.pid" ] || die "no tcpstates run named $name"
	# Events wait in the perf buffer until tcpstates polls it (100 ms).
	interrupt "$(cat "$out.pid")"
	rm -f "$out.pid"
	cat "$out"
	if [ -s "$out.err" ]; then
		sed 's/^/tcpstates: /' "$out.err" >&2
	fi
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
start) [ $# -ge 1 ] || usage; start "$@" ;;
stop) [ $# = 1 ] || usage; stop "$1" ;;
-h | --help) usage ;;
*) echo "$prog: unknown command '$cmd'" >&2; usage ;;
esac
