// SPDX-License-Identifier: GPL-2.0
/*
 * segments.c - which segments a record implies.
 *
 * The module never sees a segment, only state transitions and a few
 * kernel events, so segments are inferred from RFC 9293 section 3.3.2
 * (the state diagram) and from where Linux makes each transition.  A
 * transition not listed implies nothing we can draw; one into CLOSE is
 * explained by its reason (format 1.1): an RST received, a refusal, or
 * nothing to draw at all (a timeout, a timer, an abort whose RST the
 * rst record draws).
 */
#include "segments.h"
#include "tcpwave_abi.h"

/*
 * The rules, indexed by old and new state: a lookup for every record.
 * A transition without a rule is all zeros: no segments.
 */
#define R(old, new, recv, sent) \
	[TCPWAVE_##old][TCPWAVE_##new] = \
		{ TW_SEG_##recv, TW_SEG_##sent, false }
/* Either these segments, or none at all. */
#define R_OPT(old, new, recv, sent) \
	[TCPWAVE_##old][TCPWAVE_##new] = \
		{ TW_SEG_##recv, TW_SEG_##sent, true }

static const struct tw_rule {
	unsigned char recv;
	unsigned char sent;
	bool optional;
} tw_rules[TCPWAVE_STATE_MAX][TCPWAVE_STATE_MAX] = {
	/*
	 * tcp_v4_connect(), tcp_v6_connect(): set before tcp_connect();
	 * in 1.1 the connect record, taken in tcp_connect().
	 */
	R(CLOSE, SYN_SENT, NONE, SYN),
	/*
	 * A SYN in: the syn record of a request socket (1.1), a listener
	 * (kernels before 4.4), or a simultaneous open.
	 */
	R(LISTEN, SYN_RECV, SYN, SYNACK),
	R(NEW_SYN_RECV, SYN_RECV, SYN, SYNACK),
	R(SYN_SENT, SYN_RECV, SYN, SYNACK),
	/* tcp_rcv_synsent_state_process(): tcp_finish_connect(), ACK. */
	R(SYN_SENT, ESTABLISHED, SYNACK, ACK),
	/*
	 * tcp_rcv_state_process(), TCP_SYN_RECV: the handshake's ACK.  Not
	 * after a child record (1.1), which is where that ACK came in; a
	 * SYN-ACK in a simultaneous open: see tw_segs_implied().
	 */
	R(SYN_RECV, ESTABLISHED, ACK, NONE),
	/* tcp_close_state() then tcp_send_fin(). */
	R(ESTABLISHED, FIN_WAIT1, NONE, FIN),
	R(CLOSE_WAIT, LAST_ACK, NONE, FIN),
	R(SYN_RECV, FIN_WAIT1, NONE, FIN),
	/*
	 * tcp_fin(): the peer's FIN, acknowledged.  In 1.1 the move into
	 * TIME_WAIT is a timewait record: tcp_time_wait() on the full
	 * socket, or the FIN reaching a timewait socket in FIN_WAIT2.
	 */
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
	 * peer's FIN then reaches the timewait sock, which 1.0 never sees.
	 * Recordings show the latter is the common case on loopback.  The
	 * 1.1 module does not record this hand-off at all.
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
	[TW_SEG_RST]	= "RST",
	[TW_SEG_RSTACK]	= "RST+ACK",
};

static struct tw_segs tw_segs_table(unsigned int oldstate,
				    unsigned int newstate)
{
	struct tw_segs segs = { TW_SEG_NONE, TW_SEG_NONE, false, false };
	const struct tw_rule *rule;

	if (oldstate >= TCPWAVE_STATE_MAX || newstate >= TCPWAVE_STATE_MAX)
		return segs;
	rule = &tw_rules[oldstate][newstate];
	segs.recv = rule->recv;
	segs.sent = rule->sent;
	segs.optional = rule->optional;
	return segs;
}

/* What a retransmission timer resends in each state (tcp_retransmit_skb). */
static enum tw_seg tw_seg_resent(unsigned int state)
{
	switch (state) {
	case TCPWAVE_SYN_SENT:
		return TW_SEG_SYN;
	case TCPWAVE_SYN_RECV:
	case TCPWAVE_NEW_SYN_RECV:
		return TW_SEG_SYNACK;
	case TCPWAVE_FIN_WAIT1:
	case TCPWAVE_CLOSING:
	case TCPWAVE_LAST_ACK:
		return TW_SEG_FIN;
	default:
		return TW_SEG_NONE;
	}
}

struct tw_segs tw_segs_implied(const struct tcpwave_record *r,
			       const struct tw_seg_ctx *ctx)
{
	struct tw_segs segs = { TW_SEG_NONE, TW_SEG_NONE, false, false };

	switch (r->event) {
	case TCPWAVE_EV_child:
		/* tcp_check_req(): the ACK that completes the handshake. */
		segs.recv = TW_SEG_ACK;
		return segs;
	case TCPWAVE_EV_retrans:
		segs.sent = tw_seg_resent(r->oldstate);
		segs.rtx = true;
		return segs;
	case TCPWAVE_EV_rst:
		segs.sent = TW_SEG_RST;
		return segs;
	case TCPWAVE_EV_state:
	case TCPWAVE_EV_connect:
	case TCPWAVE_EV_syn:
	case TCPWAVE_EV_timewait:
		break;
	default:
		return segs;	/* listen, accept, and unknown events */
	}

	if (r->newstate == TCPWAVE_CLOSE && r->oldstate != TCPWAVE_CLOSE) {
		switch (r->reason) {
		case TCPWAVE_REASON_none:	/* 1.0: no reason given */
		case TCPWAVE_REASON_close:
			break;
		case TCPWAVE_REASON_rst_rcvd:
			segs.recv = TW_SEG_RST;
			return segs;
		case TCPWAVE_REASON_refused:
			/*
			 * No socket took the SYN: the peer's kernel answered
			 * RST+ACK itself (tcp_v4_send_reset()).
			 */
			segs.recv = TW_SEG_RSTACK;
			return segs;
		default:
			return segs;
		}
	}

	segs = tw_segs_table(r->oldstate, r->newstate);
	if (r->oldstate == TCPWAVE_SYN_RECV &&
	    r->newstate == TCPWAVE_ESTABLISHED) {
		/*
		 * In a simultaneous open the segment that completes it is
		 * the peer's SYN-ACK (RFC 9293 figure 7); after a child
		 * record the ACK is already in.
		 */
		if (ctx->active)
			segs.recv = TW_SEG_SYNACK;
		else if (ctx->had_child)
			segs.recv = TW_SEG_NONE;
	}
	return segs;
}

const char *tw_seg_name(enum tw_seg seg)
{
	if ((unsigned int)seg >= TW_SEG_MAX)
		return "?";
	return tw_seg_names[seg];
}
