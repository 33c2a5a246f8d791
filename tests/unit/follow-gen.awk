# SPDX-License-Identifier: GPL-2.0
#
# follow-gen.awk - a synthetic /proc/tcpwave stream of N loopback
# connections (awk -v n=N), each a complete client-close: the client
# closes first, and its timewait socket expires once `alive' more
# connections have begun, so that about that many are alive at once.
# Every connection has its own cookies; ports wrap around at 50000.
# For tests/unit/run.sh: tcpwave -E must hold its memory flat however
# long the stream.

# A number as digits: mawk writes those past 2^31 as "2.14757e+09".
function u(x) {
	return sprintf("%.0f", x)
}

function rec(cookie, l, r, o, nw, ctx, ev, reason, una, nxt, rcv, iss, irs, link) {
	printf "%s %s 0 %08x 4026531840 4 %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s\n",
		u(seq++), u(ts), cookie, l, r, o, nw, ctx,
		ctx == "task" ? 100 : "-", ctx == "task" ? "gen" : "-",
		ev, reason, una, nxt, rcv, iss, irs, link
	ts += 100000
}

function conn(i,   c, s, cp, cl, sv, ci, si) {
	c = 4096 + 2 * i
	s = c + 1
	cp = 10000 + i % 50000
	cl = "127.0.0.1:" cp
	sv = "127.0.0.1:5555"
	ci = (i * 7919 + 1) % 4294967000
	si = (i * 104729 + 7) % 4294967000
	rec(c, cl, sv, "CLOSE", "SYN_SENT", "task", "connect", "-", "-", "-", "-", u(ci), "-", "-")
	rec(s, sv, cl, "LISTEN", "SYN_RECV", "softirq", "syn", "-", "-", "-", "-", u(si), u(ci), "00000001")
	rec(c, cl, sv, "SYN_SENT", "ESTABLISHED", "task", "state", "-", u(ci + 1), u(ci + 1), u(si + 1), "-", "-", "-")
	rec(s, sv, cl, "SYN_RECV", "SYN_RECV", "softirq", "child", "-", u(si + 1), u(si + 1), u(ci + 1), u(si), u(ci), sprintf("%08x", s))
	rec(s, sv, cl, "SYN_RECV", "ESTABLISHED", "softirq", "state", "-", u(si + 1), u(si + 1), u(ci + 1), "-", "-", "-")
	rec(s, sv, cl, "ESTABLISHED", "ESTABLISHED", "task", "accept", "-", u(si + 1), u(si + 1), u(ci + 1), "-", "-", "-")
	rec(c, cl, sv, "ESTABLISHED", "FIN_WAIT1", "task", "state", "-", u(ci + 5), u(ci + 5), u(si + 5), "-", "-", "-")
	rec(s, sv, cl, "ESTABLISHED", "CLOSE_WAIT", "softirq", "state", "-", u(si + 5), u(si + 5), u(ci + 6), "-", "-", "-")
	rec(c, cl, sv, "FIN_WAIT1", "FIN_WAIT2", "softirq", "state", "-", u(ci + 6), u(ci + 6), u(si + 5), "-", "-", "-")
	rec(c, cl, sv, "FIN_WAIT2", "FIN_WAIT2", "softirq", "timewait", "-", "-", u(ci + 6), u(si + 5), "-", "-", "-")
	rec(s, sv, cl, "CLOSE_WAIT", "LAST_ACK", "task", "state", "-", u(si + 5), u(si + 5), u(ci + 6), "-", "-", "-")
	rec(c, cl, sv, "FIN_WAIT2", "TIME_WAIT", "softirq", "timewait", "-", "-", u(ci + 6), u(si + 6), "-", "-", "-")
	rec(s, sv, cl, "LAST_ACK", "CLOSE", "task", "state", "close", u(si + 6), u(si + 6), u(ci + 6), "-", "-", "-")
}

function expire(i,   c, cl, ci, si) {
	c = 4096 + 2 * i
	cl = "127.0.0.1:" (10000 + i % 50000)
	ci = (i * 7919 + 1) % 4294967000
	si = (i * 104729 + 7) % 4294967000
	rec(c, cl, "127.0.0.1:5555", "TIME_WAIT", "CLOSE", "softirq", "timewait", "expired", "-", u(ci + 6), u(si + 6), "-", "-", "-")
}

BEGIN {
	if (alive == "")
		alive = 50
	ts = 1000000000
	print "# tcpwave 1.1 seq ts_ns cpu cookie netns family laddr raddr oldstate newstate ctx pid comm event reason snd_una snd_nxt rcv_nxt iss irs link"
	rec(1, "127.0.0.1:5555", "0.0.0.0:0", "CLOSE", "LISTEN", "task", "listen", "-", "-", "-", "-", "-", "-", "-")
	for (i = 0; i < n; i++) {
		conn(i)
		if (i >= alive)
			expire(i - alive)
	}
	for (i = n - alive; i < n; i++)
		if (i >= 0)
			expire(i)
	rec(1, "127.0.0.1:5555", "0.0.0.0:0", "LISTEN", "CLOSE", "task", "state", "close", "-", "-", "-", "-", "-", "-")
}
