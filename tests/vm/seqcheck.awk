# SPDX-License-Identifier: GPL-2.0
#
# seqcheck.awk - check that the sequence numbers tcpwave recorded for one
# connection fit together as RFC 9293 says they must (3.4, 3.5, 3.6): the
# client's ISN x is the server's IRS, the server's ISN y is the client's
# IRS, each SYN and FIN takes one sequence number, and each is acked with
# ack = seq + 1.
#
# Usage: awk -v c=CLIENT_COOKIE -v s=SERVER_COOKIE -v closer=client|server
#            -f seqcheck.awk CAPTURE
# Prints one line per failed check; prints nothing when all hold.
# Cookies are compared as strings (busybox awk reads 00000011 as octal).

function key(ck, ev, o, n) { return ck "|" ev "|" o "|" n }
function get(ck, ev, o, n, col,    k) {
	k = key(ck, ev, o, n)
	if (!(k in line)) { print "missing " ev " " o "->" n " of " ck; bad = 1; return -1 }
	split(line[k], f, " ")
	return f[col]
}
function plus1(v) { return (v + 1) % 4294967296 }
function want(what, got, expected) {
	if (got == -1 || expected == -1) return
	if ((got "") != (expected "")) { print what ": got " got ", want " expected; bad = 1 }
}

$1 !~ /^#/ && (($4 "") == (c "") || ($4 "") == (s "")) {
	k = key($4 "", $14, $9, $10)
	if (!(k in line)) line[k] = $0
}

END {
	# columns: 16 snd_una 17 snd_nxt 18 rcv_nxt 19 iss 20 irs
	x = get(c, "connect", "CLOSE", "SYN_SENT", 19)
	y = get(s, "syn", "LISTEN", "SYN_RECV", 19)
	want("server IRS = client ISS", get(s, "syn", "LISTEN", "SYN_RECV", 20), x)
	want("client ESTABLISHED: SND.UNA = ISS+1", get(c, "state", "SYN_SENT", "ESTABLISHED", 16), plus1(x))
	want("client ESTABLISHED: RCV.NXT = server ISS+1", get(c, "state", "SYN_SENT", "ESTABLISHED", 18), plus1(y))
	want("server child: ISS", get(s, "child", "SYN_RECV", "SYN_RECV", 19), y)
	want("server child: IRS", get(s, "child", "SYN_RECV", "SYN_RECV", 20), x)
	want("server child: SND.NXT = ISS+1", get(s, "child", "SYN_RECV", "SYN_RECV", 17), plus1(y))
	want("server child: RCV.NXT = client ISS+1", get(s, "child", "SYN_RECV", "SYN_RECV", 18), plus1(x))

	a = closer == "server" ? s : c
	b = closer == "server" ? c : s
	u = get(a, "state", "ESTABLISHED", "FIN_WAIT1", 17)
	want("passive closer's RCV.NXT = FIN seq+1", get(b, "state", "ESTABLISHED", "CLOSE_WAIT", 18), plus1(u))
	want("FIN_WAIT2: SND.UNA = FIN seq+1", get(a, "state", "FIN_WAIT1", "FIN_WAIT2", 16), plus1(u))
	w = get(b, "state", "CLOSE_WAIT", "LAST_ACK", 17)
	want("TIME_WAIT: RCV.NXT = peer FIN seq+1", get(a, "timewait", "FIN_WAIT2", "TIME_WAIT", 18), plus1(w))
	want("TIME_WAIT: SND.NXT = own FIN seq+1", get(a, "timewait", "FIN_WAIT2", "TIME_WAIT", 17), plus1(u))
	want("LAST_ACK acked: SND.UNA = FIN seq+1", get(b, "state", "LAST_ACK", "CLOSE", 16), plus1(w))
	exit bad
}
