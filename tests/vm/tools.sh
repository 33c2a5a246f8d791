# SPDX-License-Identifier: GPL-2.0
#
# Sourced by netsetup.sh, capture.sh, tcpstates.sh and scenario.sh: find
# the real programs behind busybox's applets.
#
# In the test VM busybox's sh runs its own applet for a name like "ip"
# even when PATH has iproute2's /add/ip first, and busybox's ip and tc
# know no netns, veth, bridge, netem or clsact.  So these scripts run
# "$IP", "$TC", "$TCPDUMP" and "$TCPSTATES": the first file of that name
# on PATH that is not a symbolic link (busybox --install -s makes links).
# On an ordinary host that is just /usr/sbin/ip and friends.

# tool NAME: the path of the real NAME, or nothing.
tool() {
	(
		IFS=:
		for d in $PATH /usr/sbin /sbin /usr/bin /bin; do
			if [ -f "$d/$1" ] && [ -x "$d/$1" ] && [ ! -L "$d/$1" ]; then
				echo "$d/$1"
				exit 0
			fi
		done
	)
}

# need NAME...: set $NAME (upper case) to each tool's path, or die.
need() {
	for t in "$@"; do
		p=$(tool "$t")
		[ -n "$p" ] || die "no $t on PATH (host: scripts/deps.sh; VM: scripts/vm-run.sh \$(tests/vm/scenarios.sh --flags))"
		eval "$(echo "$t" | tr a-z A-Z)=\$p"
	done
}

die() {
	echo "$prog: $*" >&2
	exit 1
}

# Where captures, tcpstates output and their logs go.
dir=${TCPWAVE_CAPTURE_DIR:-/tmp/tcpwave-capture}

# alive PID: the process exists and is not a zombie.
alive() {
	[ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat"
}

# interrupt PID: SIGINT after 0.3 s (for the last events to come in),
# then wait up to 10 s for PID to go, and SIGKILL it if it did not.
interrupt() {
	sleep 0.3
	kill -INT "$1" 2>/dev/null || true
	i=0
	while alive "$1"; do
		i=$((i + 1))
		[ $i -le 100 ] || { kill -KILL "$1"; break; }
		sleep 0.1
	done
}

# iproute2's "ip netns" keeps its namespaces in /var/run/netns, and the
# VM has /run but no /var.
[ -e /var/run ] || { mkdir -p /var && ln -s /run /var/run; }
