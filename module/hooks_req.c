// SPDX-License-Identifier: GPL-2.0
/*
 * hooks_req.c - the hooks on request sockets: the passive side of a
 * handshake from the SYN to the final ACK.
 *
 * tcp_conn_request() answers a SYN on a listener with a request socket
 * (TCP_NEW_SYN_RECV, RFC 9293's SYN-RECEIVED) and a SYN-ACK.  The request
 * socket either becomes a full socket when the final ACK arrives
 * (inet_csk_complete_hashdance()), or ends: its SYN-ACK retries run out
 * (reqsk_timer_handler()), an RST or a bad ACK drops it, or its listener
 * closes.  The ISNs live here (tcp_rsk(req)->snt_isn, rcv_isn), not in
 * the full socket.
 */
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <net/inet_connection_sock.h>
#include <net/request_sock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>

#include "tcpwave.h"
#include "tcpwave_compat.h"

/*
 * The request socket whose SYN-ACK timer this CPU ran last.  The timer
 * drops an expired request socket before it returns, so its destructor
 * runs on this CPU with num_timeout unchanged (a resend increments it).
 * Not necessarily in the same jiffy: a loaded or PREEMPT_RT machine may
 * take longer.  The ISS tells a later request socket at the same address
 * from this one.  Only the probe handlers touch it, with preemption
 * disabled.
 */
struct tw_req_timer_mark {
	const struct request_sock *req;
	u32 snt_isn;
	u8 num_timeout;
};

static DEFINE_PER_CPU(struct tw_req_timer_mark, tw_req_timer_mark);

static void tw_fill_req_isn(struct tcpwave_record *rec,
			    const struct request_sock *req)
{
	rec->iss = tcp_rsk(req)->snt_isn;
	rec->irs = tcp_rsk(req)->rcv_isn;
	rec->have |= TCPWAVE_HAVE_ISS | TCPWAVE_HAVE_IRS;
}

/*
 * tcp_v4_send_synack() and tcp_v6_send_synack(), through
 * af_ops->send_synack(sk, dst, fl, req, foc, synack_type, syn_skb):
 * tcp_conn_request() sends the first SYN-ACK with the SYN as syn_skb,
 * right after the SYN arrived; tcp_rtx_synack() sends each retransmission
 * with syn_skb NULL, from the timer or for a retransmitted SYN.
 */
static int tw_send_synack_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *listener = (struct sock *)tw_probe_arg(regs, 0);
	struct request_sock *req = (struct request_sock *)tw_probe_arg(regs, 3);
	int type = (int)tw_probe_arg(regs, 5);
	bool first = tw_probe_arg(regs, 6);
	struct tcpwave_record rec = {};

	/*
	 * With SYN cookies no request socket is kept; with Fast Open the
	 * child is a full socket from the SYN on, and tcp_set_state()
	 * records it.
	 */
	if (type != TCP_SYNACK_NORMAL)
		return 0;
	tw_fill_req_isn(&rec, req);
	if (first) {
		rec.event = TCPWAVE_EV_syn;
		rec.oldstate = TCP_LISTEN;
		rec.newstate = TCP_SYN_RECV;
		rec.link = tw_sock_cookie(listener);
		rec.have |= TCPWAVE_HAVE_LINK;
	} else {
		rec.event = TCPWAVE_EV_retrans;
		rec.oldstate = TCP_SYN_RECV;
		rec.newstate = TCP_SYN_RECV;
	}
	tw_emit(&rec, req_to_sk(req));
	return 0;
}

struct kprobe tw_kp_send_synack4 = {
	.symbol_name	= "tcp_v4_send_synack",
	.pre_handler	= tw_send_synack_pre,
};

struct kprobe tw_kp_send_synack6 = {
	.symbol_name	= "tcp_v6_send_synack",
	.pre_handler	= tw_send_synack_pre,
};

/*
 * inet_csk_complete_hashdance(sk, child, req, own_req): tcp_check_req()
 * made a full socket, in SYN_RECV, from req when the final ACK arrived.
 * If own_req is false another CPU won the race for req and child is
 * thrown away unseen.  The child's tcp_set_state() to ESTABLISHED follows.
 */
static int tw_complete_hashdance_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *child = (struct sock *)tw_probe_arg(regs, 1);
	struct request_sock *req = (struct request_sock *)tw_probe_arg(regs, 2);
	bool own_req = (u8)tw_probe_arg(regs, 3);
	struct tcpwave_record rec = {
		.event = TCPWAVE_EV_child,
		.oldstate = TCP_SYN_RECV,
		.newstate = TCP_SYN_RECV,
	};

	if (!own_req || !child || child->sk_protocol != IPPROTO_TCP)
		return 0;
	tw_fill_req_isn(&rec, req);
	tw_fill_tcp_seq(&rec, child);
	rec.link = tw_sock_cookie(req_to_sk(req));
	rec.have |= TCPWAVE_HAVE_LINK;
	tw_emit(&rec, child);
	return 0;
}

struct kprobe tw_kp_complete_hashdance = {
	.symbol_name	= "inet_csk_complete_hashdance",
	.pre_handler	= tw_complete_hashdance_pre,
};

/* reqsk_timer_handler(struct timer_list *t): a request socket's timer. */
static int tw_reqsk_timer_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct timer_list *t = (struct timer_list *)tw_probe_arg(regs, 0);
	struct request_sock *req = container_of(t, struct request_sock,
						rsk_timer);
	struct tw_req_timer_mark *mark = this_cpu_ptr(&tw_req_timer_mark);

	mark->req = req;
	mark->snt_isn = tcp_rsk(req)->snt_isn;
	mark->num_timeout = req->num_timeout;
	return 0;
}

struct kprobe tw_kp_reqsk_timer = {
	.symbol_name	= "reqsk_timer_handler",
	.pre_handler	= tw_reqsk_timer_pre,
};

/* Why a request socket that never became a full socket ended. */
static u8 tw_req_end_reason(const struct request_sock *req)
{
	struct tw_req_timer_mark *mark = this_cpu_ptr(&tw_req_timer_mark);
	const struct sock *listener = req->rsk_listener;
	bool timer = mark->req == req &&
		     mark->snt_isn == tcp_rsk(req)->snt_isn &&
		     mark->num_timeout == req->num_timeout;

	if (mark->req == req)
		mark->req = NULL;
	if (!listener || inet_sk_state_load(listener) != TCP_LISTEN)
		return TCPWAVE_REASON_close;
	if (timer)
		return TCPWAVE_REASON_timeout;
	return TCPWAVE_REASON_dropped;
}

/*
 * tcp_v4_reqsk_destructor() and tcp_v6_reqsk_destructor(req): every
 * request socket is freed through rsk_ops->destructor, whichever way it
 * ended, so this is its death.
 */
static int tw_reqsk_destructor_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct request_sock *req = (struct request_sock *)tw_probe_arg(regs, 0);
	struct tcpwave_record rec = {
		.event = TCPWAVE_EV_syn,
		.oldstate = TCP_SYN_RECV,
		.newstate = TCP_CLOSE,
	};

	/* It became a full socket (inet_csk_reqsk_queue_add()). */
	if (READ_ONCE(req->sk))
		return 0;
	/*
	 * No SYN-ACK was ever built for it (tcp_make_synack() stamps
	 * snt_synack), so no syn record began it: a SYN cookie, or
	 * tcp_conn_request() gave up.
	 */
	if (req->syncookie || !tcp_rsk(req)->snt_synack)
		return 0;
	rec.reason = tw_req_end_reason(req);
	tw_fill_req_isn(&rec, req);
	tw_emit(&rec, req_to_sk(req));
	return 0;
}

struct kprobe tw_kp_reqsk_destructor4 = {
	.symbol_name	= "tcp_v4_reqsk_destructor",
	.pre_handler	= tw_reqsk_destructor_pre,
};

struct kprobe tw_kp_reqsk_destructor6 = {
	.symbol_name	= "tcp_v6_reqsk_destructor",
	.pre_handler	= tw_reqsk_destructor_pre,
};
