#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Tests of scripts/vm-run.sh itself, host side, printed as TAP: the exit
# status of COMMAND comes back, --add works for files, directories and
# programs we did not write, and a guest that hangs or panics fails.
top=$(cd "$(dirname "$0")/../.." && pwd)
vmrun=$top/scripts/vm-run.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
		sed 's/^/# /' "$tmp/out"
	fi
}

"$vmrun" -- 'echo hello; exit 3' >"$tmp/out" 2>&1
status=$?
[ $status = 3 ] && grep -qx hello "$tmp/out"
result $? "COMMAND's output and exit status 3 come back (got $status)"

echo "added file" >"$tmp/note.txt"
mkdir -p "$tmp/dir" && echo inside >"$tmp/dir/f"
"$vmrun" --add "$tmp/note.txt" --add "$tmp/dir" -- \
	'cat /add/note.txt /add/dir/f; test -e /tcpwave.ko && command -v tcpwave && command -v tcpwave-traffic' \
	>"$tmp/out" 2>&1
[ $? = 0 ] && grep -qx 'added file' "$tmp/out" && grep -qx inside "$tmp/out" &&
	grep -q '/tcpwave-traffic$' "$tmp/out"
result $? "--add puts files and directories at /add/<basename>; module and programs are there"

# A dynamically linked program from the host brings its libraries along.
if [ -x /usr/bin/curl ]; then
	"$vmrun" --add /usr/bin/curl -- '
		insmod /tcpwave.ko
		mkdir -p /tmp/www && echo served >/tmp/www/index.html
		httpd -p 127.0.0.1:8080 -h /tmp/www
		curl -s http://localhost:8080/
		cat /proc/tcpwave | grep -c " task [0-9]* curl "
		rmmod tcpwave' >"$tmp/out" 2>&1
	[ $? = 0 ] && grep -qx served "$tmp/out" && grep -qx '[1-9]' "$tmp/out"
	result $? "--add /usr/bin/curl runs in the guest and its connects are recorded"
else
	n=$((n + 1))
	echo "ok $n # SKIP no /usr/bin/curl on this host"
fi

"$vmrun" --timeout 20 -- 'sleep 600' >"$tmp/out" 2>&1
status=$?
[ $status = 124 ]
result $? "a guest that hangs past --timeout exits 124 (got $status)"

"$vmrun" -- 'echo c >/proc/sysrq-trigger; sleep 60' >"$tmp/out" 2>&1
status=$?
[ $status = 125 ] && grep -q 'Kernel panic' "$tmp/out"
result $? "a guest kernel panic exits 125 with the console log (got $status)"

# Written through /dev/kmsg, at the level a real WARN() uses.
"$vmrun" -- 'echo "<4>WARNING: CPU: 0 PID: 1 at test" >/dev/kmsg; exit 0' \
	>"$tmp/out" 2>&1
status=$?
[ $status = 125 ]
result $? "a WARNING in the guest's kernel log exits 125 (got $status)"

echo "1..$n"
[ $failed = 0 ]
