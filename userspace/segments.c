// SPDX-License-Identifier: GPL-2.0
/*
 * segments.c - which segments a state transition implies.
 *
 * Only tcp_set_state() is hooked, so segments are never seen, only
 * inferred from RFC 9293 section 3.3.2 (the state diagram) and from
 * where Linux makes each transition.  A transition not listed implies
 * nothing we can draw: ESTABLISHED->CLOSE is an RST or an abort,
 * SYN_SENT->CLOSE a refusal or a timeout, TIME_WAIT->CLOSE a timer.
 */
#include "segments.h"
#include "tcpwave_abi.h"

#define R(old, new, recv, sent) \
	{ TCPWAVE_##old, TCPWAVE_##new, TW_SEG_##recv, TW_SEG_##sent, false }
/* Either these segments, or none at all. */
#define R_OPT(old, new, recv, sent) \
	{ TCPWAVE_##old, TCPWAVE_##new, TW_SEG_##recv, TW_SEG_##sent, true }

static const struct tw_rule {
	unsigned char oldstate;
	unsigned char newstate;
	unsigned char recv;
	unsigned char sent;
	bool optional;
} tw_rules[] = {
	/* tcp_v4_connect(), tcp_v6_connect(): set before tcp_connect(). */
	R(CLOSE, SYN_SENT, NONE, SYN),
	/* A SYN in: the listener (later versions), simultaneous open. */
	R(LISTEN, SYN_RECV, SYN, SYNACK),
	R(NEW_SYN_RECV, SYN_RECV, SYN, SYNACK),
	R(SYN_SENT, SYN_RECV, SYN, SYNACK),
	/* tcp_rcv_synsent_state_process(): tcp_finish_connect(), ACK. */
	R(SYN_SENT, ESTABLISHED, SYNACK, ACK),
	/* tcp_rcv_state_process(), TCP_SYN_RECV: the handshake's ACK. */
	R(SYN_RECV, ESTABLISHED, ACK, NONE),
	/* tcp_close_state() then tcp_send_fin(). */
	R(ESTABLISHED, FIN_WAIT1, NONE, FIN),
	R(CLOSE_WAIT, LAST_ACK, NONE, FIN),
	R(SYN_RECV, FIN_WAIT1, NONE, FIN),
	/* tcp_fin(): the peer's FIN, acknowledged. */
	R(ESTABLISHED, CLOSE_WAIT, FIN, ACK),
	R(FIN_WAIT1, CLOSING, FIN, ACK),
	R(FIN_WAIT1, TIME_WAIT, FIN, ACK),
	R(FIN_WAIT2, TIME_WAIT, FIN, ACK),
	/*
	 * tcp_fin() -> tcp_time_wait(): the peer's FIN makes the socket
	 * hand the connection to a timewait sock, and tcp_done() closes
	 * it.  But an orphan (close() was called) makes the same handoff
	 * with no FIN, in FIN_WAIT2 substate: from tcp_rcv_state_process()
	 * as soon as its FIN is acked, or from tcp_keepalive_timer().  The
	 * peer's FIN then reaches the timewait sock, which we never see.
	 * Recordings show the latter is the common case on loopback.
	 */
	R_OPT(FIN_WAIT2, CLOSE, FIN, ACK),
	/* tcp_rcv_state_process(): our FIN acknowledged. */
	R(FIN_WAIT1, FIN_WAIT2, ACK, NONE),
	R(CLOSING, TIME_WAIT, ACK, NONE),
	R(CLOSING, CLOSE, ACK, NONE),
	R(LAST_ACK, CLOSE, ACK, NONE),
};

#undef R_OPT
#undef R

static const char *const tw_seg_names[TW_SEG_MAX] = {
	[TW_SEG_NONE]	= "",
	[TW_SEG_SYN]	= "SYN",
	[TW_SEG_SYNACK]	= "SYN+ACK",
	[TW_SEG_ACK]	= "ACK",
	[TW_SEG_FIN]	= "FIN",
};

struct tw_segs tw_segs_implied(unsigned int oldstate, unsigned int newstate)
{
	struct tw_segs segs = { TW_SEG_NONE, TW_SEG_NONE, false };
	unsigned int i;

	for (i = 0; i < sizeof(tw_rules) / sizeof(tw_rules[0]); i++) {
		if (tw_rules[i].oldstate == oldstate &&
		    tw_rules[i].newstate == newstate) {
			segs.recv = tw_rules[i].recv;
			segs.sent = tw_rules[i].sent;
			segs.optional = tw_rules[i].optional;
			break;
		}
	}
	return segs;
}

const char *tw_seg_name(enum tw_seg seg)
{
	if ((unsigned int)seg >= TW_SEG_MAX)
		return "?";
	return tw_seg_names[seg];
}
