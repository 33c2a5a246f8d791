# SPDX-License-Identifier: GPL-2.0
#
# tests/unit/live.sh - "tcpwave --live" on a real terminal: tmux runs it in
# a pane of a known size, capture-pane reads the screen back and send-keys
# types.  Sourced by tests/unit/run.sh, whose TW, FIX, tmp, result, skip
# and diag it uses; UPDATE=1 rewrites the expected screens.
#
# Every wait polls the screen (at most 10 s) until it shows what is
# expected and two captures in a row agree, so that a frame is never read
# half drawn; none is a fixed sleep.  A replayed file shows the same
# times on every run ("now" is its newest record), so the screens are
# compared whole, normalized in nothing.

LIVE=tests/unit/live

# tm ARGS...: our own tmux server, away from the user's.
tm() {
	env -u TMUX tmux -L tcpwave-test -f "$tmp/tmux.conf" "$@"
}

# live_start W H COMMAND: a new session "live", one W x H pane running
# COMMAND, whose exit status goes to $tmp/status.  tmux's own
# #{pane_dead_status} is not always filled in.  The server stays
# (exit-empty off): a new one could race the old one's exit for the
# socket.
live_start() {
	tm kill-session -t live 2>/dev/null
	rm -f "$tmp/status"
	tm new-session -d -s live -x "$1" -y "$2" \
		"$3; echo \$? >$tmp/status.tmp; mv $tmp/status.tmp $tmp/status"
}

# The command line of tcpwave in a pane: a UTF-8 terminal with colours.
live_cmd() {
	echo "env TERM=tmux-256color LC_ALL=C.UTF-8 NO_COLOR= $*"
}

# pane_wait ERE [OPTS]: until the screen shows ERE, steadily; the screen
# (capture-pane OPTS -p) is left in $tmp/pane.  Status 1 after 10 s.
pane_wait() {
	pw_prev= pw_i=0
	while [ $pw_i -lt 100 ]; do
		tm capture-pane ${2:-} -p -t live >"$tmp/pane" 2>/dev/null
		pw_cur=$(cat "$tmp/pane")
		if [ "$pw_cur" = "$pw_prev" ] && grep -Eq -- "$1" "$tmp/pane"
		then
			return 0
		fi
		pw_prev=$pw_cur
		pw_i=$((pw_i + 1))
		sleep 0.1
	done
	echo "# the screen never showed /$1/:"
	diag "$tmp/pane"
	return 1
}

# pane_status: the exit status of the pane's command once it has ended.
pane_status() {
	ps_i=0
	while [ $ps_i -lt 100 ]; do
		if [ -f "$tmp/status" ]; then
			cat "$tmp/status"
			return 0
		fi
		ps_i=$((ps_i + 1))
		sleep 0.1
	done
	echo "still running"
	return 1
}

# pane_is EXPECTED: the screen in $tmp/pane is exactly EXPECTED.
pane_is() {
	if [ -n "${UPDATE:-}" ]; then
		cp "$tmp/pane" "$1"
	fi
	if [ ! -f "$1" ]; then
		echo "# missing $1 (UPDATE=1 tests/unit/run.sh creates it)"
		return 1
	fi
	diff -u "$1" "$tmp/pane" >"$tmp/diff" && return 0
	diag "$tmp/diff"
	return 1
}

# The table's rows on the screen in $tmp/pane: the lines after the
# column titles, up to the keys line.
pane_rows() {
	awk '/^STATE/ { on = 1; next } /^q quit/ { on = 0 } on && NF' \
		"$tmp/pane"
}

# --- not on a terminal: the table once, or why not ------------------------

with_record "$REC" "1 2"
expect_error "--live: bad input, not on a terminal" 1 \
	"tcpwave: $tmp/in.txt:4: expected 13 fields, got 2" "$TW" --live "$tmp/in.txt"
expect_error "--live: no input" 1 \
	"tcpwave: cannot open $tmp/none.txt: No such file or directory" \
	"$TW" --live "$tmp/none.txt"
expect_error "--live: usage: no --json" 2 \
	"tcpwave: --live is a terminal view: no --json, --prometheus or --svg" \
	"$TW" --live --json "$FIX/empty.txt"

if ! command -v tmux >/dev/null 2>&1; then
	skip "--live in a terminal" "tmux not installed (scripts/deps.sh)"
else
	printf '%s\n' 'set -g remain-on-exit on' 'set -g exit-empty off' \
		'set -g status off' 'set -g default-terminal tmux-256color' \
		>"$tmp/tmux.conf"
	tm kill-server 2>/dev/null

	# --- a replayed capture: the final table, then the keys ----------

	live_start 120 30 "$(live_cmd "$TW" --live "$FIX/vm-many.txt")"
	pane_wait '\(end of input\)' && pane_is "$LIVE/vm-many.pane"
	result $? "--live: vm-many on 120x30 is the expected screen"

	grep -qx 'TIME_WAIT 20  CLOSE 21' "$tmp/pane" &&
		grep -qx 'leak suspects 0  slow handshakes 0  failed 0' \
			"$tmp/pane"
	result $? "--live: counts per state and anomalies in the header"

	pane_rows | awk '{ print $NF }' >"$tmp/before"
	tm send-keys -t live s
	pane_wait 'COOKIE▲' && pane_rows | awk '{ print $NF }' >"$tmp/after" &&
		sort -c "$tmp/after" && ! cmp -s "$tmp/before" "$tmp/after" &&
		[ "$(head -n 1 "$tmp/after")" = 0000000a ] &&
		[ "$(head -n 1 "$tmp/before")" = 0000000a ] &&
		[ "$(sed -n 2p "$tmp/before")" = 00001005 ] &&
		[ "$(sed -n 2p "$tmp/after")" = 0000000b ]
	result $? "--live: s sorts by the next column (AGE, then COOKIE)"

	tm send-keys -t live r
	pane_wait 'COOKIE▼' && pane_rows | awk '{ print $NF }' >"$tmp/after" &&
		sort -rc "$tmp/after" &&
		[ "$(head -n 1 "$tmp/after")" = 0000100e ]
	result $? "--live: r reverses the order"

	tm send-keys -t live S
	pane_wait 'AGE▼' && pane_rows | awk '{ print $NF }' >"$tmp/after" &&
		cmp -s "$tmp/before" "$tmp/after"
	result $? "--live: S sorts by the previous column, in its own order"

	tm send-keys -t live / && tm send-keys -t live -l 44168 &&
		tm send-keys -t live Enter
	pane_wait 'filter "44168"' &&
		[ "$(pane_rows | grep -c 44168)" = 2 ] &&
		[ "$(pane_rows | wc -l)" = 2 ] &&
		grep -q '1-2 of 2$' "$tmp/pane" &&
		grep -qx 'TIME_WAIT 1  CLOSE 1' "$tmp/pane"
	result $? "--live: / filters rows by their text, counts follow"

	tm send-keys -t live / && tm send-keys -t live -l nomatch &&
		tm send-keys -t live Escape
	pane_wait '1-2 of 2$' && ! grep -q nomatch "$tmp/pane"
	result $? "--live: Esc cancels a filter being typed"

	tm send-keys -t live / && tm send-keys -t live Enter
	pane_wait '1-25 of 41$' && ! grep -q 'filter "' "$tmp/pane"
	result $? "--live: an empty filter shows every row again"

	tm send-keys -t live 6
	pane_wait 'IPv6 only' && grep -q '0 rows$' "$tmp/pane" &&
		grep -qx 'no connections' "$tmp/pane"
	tm send-keys -t live 6
	pane_wait '1-25 of 41$' && ! grep -q 'IPv6 only' "$tmp/pane"
	result $? "--live: 6 shows IPv6 only, and again both"

	# Pause, resume, and an unknown key: three frames, of which curses
	# sends only the difference: "PAUSED", then its erasure.  Never a
	# clear screen (ED, ESC [ J): that would flicker.
	tm pipe-pane -t live -o "cat >$tmp/bytes"
	tm send-keys -t live p
	pane_wait 'PAUSED$'
	st=$?
	tm send-keys -t live p
	pane_wait '1-25 of 41$' && ! grep -q PAUSED "$tmp/pane"
	result $((st | $?)) "--live: p pauses and resumes"
	tm send-keys -t live x
	tm pipe-pane -t live
	bytes=$(wc -c <"$tmp/bytes")
	[ "$bytes" -gt 6 ] && [ "$bytes" -lt 100 ] &&
		! grep -q "$(printf '\033\\[[0-9]*J')" "$tmp/bytes"
	result $? "--live: no flicker: a frame sends only what changed ($bytes bytes)"

	tm send-keys -t live '?'
	pane_wait 'this help; any key closes it' &&
		tm send-keys -t live x &&
		pane_wait '1-25 of 41$' && ! grep -q 'any key' "$tmp/pane"
	result $? "--live: ? shows the keys, any key closes them"

	tm send-keys -t live End
	pane_wait '17-41 of 41$'
	st=$?
	tm send-keys -t live Up PageUp
	pane_wait '1-25 of 41$'
	result $((st | $?)) "--live: End, Up and PgUp scroll"

	tm resize-window -t live -x 70 -y 15 &&
		pane_wait '^STATE +IN-STATE +LOCAL +REMOTE +PID/COMM$' &&
		pane_is "$LIVE/vm-many-70x15.pane" &&
		[ "$(tm capture-pane -p -J -t live | wc -l)" = 15 ] &&
		LC_ALL=C awk '{ t = $0; if (length($0) - gsub(/[\200-\277]/, "", t) > 70) exit 1 }' \
			"$tmp/pane"
	result $? "--live: resized to 70x15, columns hide and shrink, no line wraps"

	tm send-keys -t live q
	st=$(pane_status)
	[ "$st" = 0 ]
	result $? "--live: q quits with status 0 (got $st)"

	# --- colours and attributes -------------------------------------

	live_start 120 30 "$(live_cmd "$TW" --live "$LIVE/demo.txt")"
	pane_wait '\(end of input\)' && pane_is "$LIVE/demo.pane"
	result $? "--live: the demo capture: anomalies counted"

	# The attributes, read through the SVG converter (which tracks the
	# SGR state, however tmux chose to spell it): red #cd3131, yellow
	# #e5e510, dim at 0.6, reverse as the background's colour #1e1e1e.
	pane_wait '\(end of input\)' -e &&
		LC_ALL=C awk -f scripts/pane2svg.awk "$tmp/pane" >"$tmp/svg" &&
		grep -q '"#cd3131" font-weight="bold">CLOSE_WAIT ' "$tmp/svg" &&
		grep -q '"#e5e510" font-weight="bold">SYN_SENT ' "$tmp/svg" &&
		grep -q '"#cd3131">CLOSE (refused) ' "$tmp/svg" &&
		grep -q '"#cd3131">CLOSE (rst_rcvd) ' "$tmp/svg" &&
		grep -q 'fill-opacity="0.6">CLOSE (close) ' "$tmp/svg" &&
		grep -q '"#d4d4d4">ESTABLISHED ' "$tmp/svg"
	result $? "--live: leak red, slow handshake yellow, failure red, closed dim"
	tm send-keys -t live q

	live_start 120 30 "$(live_cmd env NO_COLOR=1 "$TW" --live "$LIVE/demo.txt")"
	pane_wait '\(end of input\)' -e &&
		LC_ALL=C awk -f scripts/pane2svg.awk "$tmp/pane" >"$tmp/svg" &&
		grep -q '"#1e1e1e">CLOSE_WAIT ' "$tmp/svg" &&
		grep -q '"#d4d4d4" font-weight="bold">SYN_SENT ' "$tmp/svg" &&
		grep -q '"#d4d4d4" font-weight="bold">CLOSE (refused) ' \
			"$tmp/svg" &&
		! grep -q '#cd3131\|#e5e510' "$tmp/svg"
	result $? "--live: NO_COLOR: reverse and bold, no colour"
	tm send-keys -t live q

	# --- records as they come: a FIFO fed a line at a time ----------

	rm -f "$tmp/fifo"
	mkfifo "$tmp/fifo"
	live_start 120 12 "$(live_cmd "$TW" --live "$tmp/fifo")"
	# Read-write: opening never blocks, even if tcpwave did not start.
	exec 3<>"$tmp/fifo"
	feed() {	# feed FIRST LAST: lines FIRST..LAST of vm-client-close
		sed -n "$1,$2p" "$FIX/vm-client-close.txt" | while IFS= read -r l
		do
			printf '%s\n' "$l" >&3
			sleep 0.02
		done
	}
	feed 1 3
	pane_wait '^SYN_SENT ' && cp "$tmp/pane" "$tmp/pane1" &&
		grep -q '127.0.0.1:46582  127.0.0.1:5555' "$tmp/pane1" &&
		grep -qx 'SYN_SENT 1  LISTEN 1' "$tmp/pane1"
	st=$?
	feed 4 15
	pane_wait '^TIME_WAIT ' && cp "$tmp/pane" "$tmp/pane2" &&
		! cmp -s "$tmp/pane1" "$tmp/pane2" &&
		grep -q '^TIME_WAIT .*127.0.0.1:46582  127.0.0.1:5555' \
			"$tmp/pane2" &&
		grep -q '^CLOSE (close) .*127.0.0.1:5555 .*127.0.0.1:46582' \
			"$tmp/pane2" && ! grep -q '(end of input)' "$tmp/pane2"
	result $((st | $?)) "--live: a FIFO: SYN_SENT first, TIME_WAIT later"

	# The TIME_WAIT ends a minute later: the ends closed back then
	# have lingered their 5 s and are gone; the input ends.
	feed 16 17
	exec 3>&-
	pane_wait '\(end of input\)' &&
		[ "$(pane_rows | wc -l)" = 1 ] &&
		pane_rows | grep -q '^CLOSE (expired) .*00001001$'
	result $? "--live: closed ends go after 5 s; the end of a FIFO is shown"
	tm send-keys -t live q
	st=$(pane_status)
	[ "$st" = 0 ]
	result $? "--live: a FIFO at its end: q quits with 0 (got $st)"

	# --- records on stdin, keys from the terminal --------------------

	live_start 100 10 "$(live_cmd "sh -c 'exec $TW --live - <$FIX/vm-refused.txt'")"
	pane_wait '\(end of input\)' &&
		grep -q '^CLOSE (refused) ' "$tmp/pane" &&
		grep -q '^tcpwave --live  <stdin> ' "$tmp/pane" &&
		tm send-keys -t live q && st=$(pane_status) && [ "$st" = 0 ]
	result $? "--live -: records on stdin, keys from /dev/tty"

	# --- an error: the table stays, q quits with 1, the message after --

	with_record "$REC" "1 2"
	live_start 100 10 "$(live_cmd "sh -c 'exec $TW --live $tmp/in.txt 2>$tmp/lerr'")"
	pane_wait 'error: .*expected 13 fields, got 2' &&
		grep -q '(stopped by an error)' "$tmp/pane" &&
		tm send-keys -t live q && st=$(pane_status) && [ "$st" = 1 ] &&
		[ "$(cat "$tmp/lerr")" = \
		  "tcpwave: $tmp/in.txt:4: expected 13 fields, got 2" ]
	result $? "--live: bad input shown, exit 1, message on stderr after"

	live_start 100 10 "env TERM=nosuchterm $TW --live $FIX/vm-abort.txt 2>$tmp/lerr"
	st=$(pane_status) && [ "$st" = 1 ] &&
		[ "$(cat "$tmp/lerr")" = \
		  "tcpwave: --live: unknown terminal 'nosuchterm'" ]
	result $? "--live: an unknown terminal type: exit 1, a message"

	# --- SIGTERM ends it as q does -------------------------------------

	st=
	live_start 100 10 "$(live_cmd "$TW" --live "$FIX/vm-abort.txt")"
	pane_wait '\(end of input\)' &&
		pid=$(pgrep -P "$(tm display-message -p -t live '#{pane_pid}')") &&
		kill -TERM "$pid" &&
		st=$(pane_status) && [ "$st" = 0 ]
	result $? "--live: SIGTERM restores the terminal, status 0 (got $st)"

	tm kill-server 2>/dev/null
fi

# --- the README's picture ---------------------------------------------

if ! command -v tmux >/dev/null 2>&1 ||
   ! command -v rsvg-convert >/dev/null 2>&1; then
	skip "--live picture" "tmux or rsvg-convert not installed"
else
	# A PNG: its signature, then an IHDR of 1027 x 556 pixels.
	scripts/live-png.sh "$tmp/png" >/dev/null 2>"$tmp/err" &&
		[ "$(od -An -tx1 -N24 "$tmp/png/live.png" | tr -d ' \n')" = \
		  89504e470d0a1a0a0000000d4948445200000403""0000022c ] &&
		grep -q 'fill="#cd3131" font-weight="bold">CLOSE_WAIT' \
			"$tmp/png/live.svg"
	st=$?
	[ $st -eq 0 ] || diag "$tmp/err"
	result $st "--live: scripts/live-png.sh renders the screen as a PNG"
fi
