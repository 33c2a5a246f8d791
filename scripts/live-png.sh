#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# live-png.sh - draw the picture of "tcpwave --live" for the README: the
# demo capture tests/unit/live/demo.txt shown in a 120x30 tmux pane, read
# back with its colours (capture-pane -e), turned into SVG by
# scripts/pane2svg.awk and rendered by rsvg-convert.
#
# Usage: scripts/live-png.sh [OUTDIR]    writes OUTDIR/live.svg and
#        OUTDIR/live.png (default OUTDIR: docs); "make live-png" runs it.
#
# Needs tmux, rsvg-convert (librsvg2-bin) and a monospace font
# (fonts-dejavu-core): scripts/deps.sh installs them.  Exit status 0, or
# 1 if a step failed.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/docs}
cd "$top"	# the header shows the input as given: keep it relative

sock=tcpwave-png-$$
tm() {
	env -u TMUX tmux -L "$sock" -f /dev/null "$@"
}
trap 'tm kill-server 2>/dev/null || true' EXIT

tm new-session -d -s png -x 120 -y 30 \
	"env TERM=tmux-256color LC_ALL=C.UTF-8 NO_COLOR= userspace/tcpwave --live tests/unit/live/demo.txt"
# The last frame: the input ended, and two captures in a row agree.
prev= i=0
while :; do
	cur=$(tm capture-pane -e -p -t png)
	case $cur in
	*"(end of input)"*) [ "$cur" = "$prev" ] && break ;;
	esac
	prev=$cur
	i=$((i + 1))
	if [ $i -ge 100 ]; then
		echo "live-png.sh: the screen did not settle in 10 s" >&2
		exit 1
	fi
	sleep 0.1
done
mkdir -p "$out"
printf '%s\n' "$cur" |
	LC_ALL=C awk -v cols=120 -v rows=30 -f scripts/pane2svg.awk \
	>"$out/live.svg"
rsvg-convert -o "$out/live.png" "$out/live.svg"
echo "live-png.sh: wrote $out/live.svg and $out/live.png"
