// SPDX-License-Identifier: GPL-2.0
/*
 * hooks_sock.c - the hooks on full TCP sockets: every tcp_set_state(),
 * the active open at tcp_connect(), the passive open at listen(), accept(),
 * SYN and FIN retransmissions, and the RSTs we send.
 */
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>

#include "tcpwave.h"
#include "tcpwave_compat.h"

/*
 * The states from which closing a socket sends an RST: tcp_need_reset()
 * in net/ipv4/tcp.c, which tcp_disconnect() and tcp_abort() consult.
 */
#define TW_NEED_RESET	(TCPF_ESTABLISHED | TCPF_CLOSE_WAIT | TCPF_FIN_WAIT1 | \
			 TCPF_FIN_WAIT2 | TCPF_SYN_RECV)

/*
 * tcp_time_wait() hands the connection to a timewait socket and then
 * calls tcp_done() on the full socket: FIN_WAIT2 or CLOSING -> CLOSE.
 * The hashdance (inet_twsk_hashdance() in 6.1) has already taken the
 * full socket out of the established hash by then; every other way into
 * CLOSE enters tcp_set_state() still hashed, and is unhashed there.  The
 * connection lives on in the timewait socket (hooks_tw.c), so this is
 * bookkeeping, not the connection's end.
 */
static bool tw_is_timewait_handoff(const struct sock *sk, int oldstate)
{
	return (oldstate == TCP_FIN_WAIT2 || oldstate == TCP_CLOSING) &&
	       sk_unhashed(sk);
}

/*
 * Why a full socket enters CLOSE.  The error paths store sk_err before
 * they call tcp_done(): tcp_reset() (RST received), tcp_write_err()
 * (retransmissions exhausted), tcp_abort(), and the ICMP handlers.  With
 * no error the application closed it; from the states of tcp_need_reset()
 * that close aborts the connection with an RST (SO_LINGER 0, unread data
 * at close(), a listener closed with unaccepted children).
 */
static u8 tw_close_reason(const struct sock *sk, int oldstate)
{
	bool resets = BIT(oldstate) & TW_NEED_RESET;

	if (oldstate == TCP_LISTEN)
		return TCPWAVE_REASON_close;
	switch (READ_ONCE(sk->sk_err)) {
	case 0:
		break;
	case ECONNREFUSED:	/* tcp_reset() in SYN_SENT */
		return TCPWAVE_REASON_refused;
	case ECONNRESET:	/* tcp_reset() */
	case EPIPE:		/* tcp_reset() in CLOSE_WAIT */
		return TCPWAVE_REASON_rst_rcvd;
	case ETIMEDOUT:		/* tcp_write_err() */
		return TCPWAVE_REASON_timeout;
	case ECONNABORTED:	/* tcp_abort(): SOCK_DESTROY, "ss -K" */
		return resets ? TCPWAVE_REASON_rst_sent : TCPWAVE_REASON_close;
	default:
		return TCPWAVE_REASON_error;
	}
	return resets ? TCPWAVE_REASON_rst_sent : TCPWAVE_REASON_close;
}

/* tcp_set_state(struct sock *sk, int state) */
static int tw_tcp_set_state_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)tw_probe_arg(regs, 0);
	int newstate = (int)tw_probe_arg(regs, 1);
	int oldstate = READ_ONCE(sk->sk_state);
	struct tcpwave_record rec = {
		.event = TCPWAVE_EV_state,
		.oldstate = oldstate,
		.newstate = newstate,
	};

	/*
	 * tcp_close() of a never-connected socket, and the error paths of
	 * connect(), call tcp_set_state(sk, TCP_CLOSE) on a closed socket.
	 * That is no transition.
	 */
	if (oldstate == newstate)
		return 0;
	/*
	 * tcp_v4_connect() and tcp_v6_connect() enter SYN_SENT before they
	 * pick the source port (inet_hash_connect()) and the ISN: the
	 * tcp_connect() hook records this transition, complete.
	 */
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT)
		return 0;
	if (newstate == TCP_CLOSE) {
		if (tw_is_timewait_handoff(sk, oldstate))
			return 0;
		rec.reason = tw_close_reason(sk, oldstate);
	}
	if (oldstate != TCP_LISTEN)
		tw_fill_tcp_seq(&rec, sk);
	tw_emit(&rec, sk);
	return 0;
}

struct kprobe tw_kp_tcp_set_state = {
	.symbol_name	= "tcp_set_state",
	.pre_handler	= tw_tcp_set_state_pre,
};

/*
 * tcp_connect(struct sock *sk): the active open's SYN is about to be
 * built.  The source port is bound and write_seq holds the ISN, which
 * tcp_connect_init() copies into SND.UNA and SND.NXT.
 */
static int tw_tcp_connect_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)tw_probe_arg(regs, 0);
	struct tcpwave_record rec = {
		.event = TCPWAVE_EV_connect,
		.oldstate = TCP_CLOSE,
		.newstate = TCP_SYN_SENT,
		.iss = READ_ONCE(tcp_sk(sk)->write_seq),
		.have = TCPWAVE_HAVE_ISS,
	};

	tw_emit(&rec, sk);
	return 0;
}

struct kprobe tw_kp_tcp_connect = {
	.symbol_name	= "tcp_connect",
	.pre_handler	= tw_tcp_connect_pre,
};

/*
 * tcp_retransmit_skb(struct sock *sk, struct sk_buff *skb, int segs):
 * record retransmitted SYNs (SYN_SENT, and SYN-ACKs of a full socket in
 * SYN_RECV) and FINs, the segments of the handshake and the wave.  Data
 * retransmissions are not state changes and are left out.
 */
static int tw_tcp_retransmit_skb_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)tw_probe_arg(regs, 0);
	struct sk_buff *skb = (struct sk_buff *)tw_probe_arg(regs, 1);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	struct tcpwave_record rec = { .event = TCPWAVE_EV_retrans };

	/* The common case under loss: leave before touching anything. */
	if (!(cb->tcp_flags & (TCPHDR_SYN | TCPHDR_FIN)))
		return 0;
	rec.oldstate = READ_ONCE(sk->sk_state);
	rec.newstate = rec.oldstate;
	if (cb->tcp_flags & TCPHDR_SYN) {
		rec.iss = cb->seq;
		rec.have = TCPWAVE_HAVE_ISS;
	}
	tw_fill_tcp_seq(&rec, sk);
	tw_emit(&rec, sk);
	return 0;
}

struct kprobe tw_kp_tcp_retransmit_skb = {
	.symbol_name	= "tcp_retransmit_skb",
	.pre_handler	= tw_tcp_retransmit_skb_pre,
};

/*
 * tcp_send_active_reset(struct sock *sk, ...): we abort
 * the connection with an RST.  tcp_disconnect() and __tcp_close() call it
 * right after tcp_set_state(sk, TCP_CLOSE), tcp_abort() and the timers
 * right before tcp_done().
 */
static int tw_tcp_send_active_reset_pre(struct kprobe *p,
					struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)tw_probe_arg(regs, 0);
	int state = READ_ONCE(sk->sk_state);
	struct tcpwave_record rec = {
		.event = TCPWAVE_EV_rst,
		.oldstate = state,
		.newstate = state,
	};

	tw_fill_tcp_seq(&rec, sk);
	tw_emit(&rec, sk);
	return 0;
}

struct kprobe tw_kp_tcp_send_active_reset = {
	.symbol_name	= "tcp_send_active_reset",
	.pre_handler	= tw_tcp_send_active_reset_pre,
};

/*
 * inet_csk_listen_start(struct sock *sk): listen() moves the socket to
 * LISTEN with inet_sk_state_store(), not tcp_set_state(), and only then
 * binds the port (get_port()); it falls back to CLOSE if that fails.  So
 * record on return, when it returned 0, with the port final.  DCCP shares
 * the function; only TCP is ours.
 */
static int tw_listen_start_entry(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)tw_probe_arg(regs, 0);

	if (sk->sk_protocol != IPPROTO_TCP)
		return 1;	/* no return handler for this call */
	*(struct sock **)ri->data = sk;
	return 0;
}

static int tw_listen_start_ret(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct sock *sk = *(struct sock **)ri->data;
	struct tcpwave_record rec = {
		.event = TCPWAVE_EV_listen,
		.oldstate = TCP_CLOSE,
		.newstate = TCP_LISTEN,
	};

	if (regs_return_value(regs))
		return 0;
	tw_emit(&rec, sk);
	return 0;
}

struct kretprobe tw_krp_listen_start = {
	.kp.symbol_name	= "inet_csk_listen_start",
	.entry_handler	= tw_listen_start_entry,
	.handler	= tw_listen_start_ret,
	.data_size	= sizeof(struct sock *),
	.maxactive	= 64,
};

/*
 * inet_csk_accept() returns the child socket taken off the accept queue,
 * or NULL, in the task that called accept(): the connection's owner.
 * Each caller blocked in accept() holds one of maxactive instances; a
 * call that finds none free is counted in nmissed and not recorded.
 */
static int tw_accept_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_return_value(regs);
	struct tcpwave_record rec = { .event = TCPWAVE_EV_accept };

	if (!sk || sk->sk_protocol != IPPROTO_TCP)
		return 0;
	rec.oldstate = READ_ONCE(sk->sk_state);
	rec.newstate = rec.oldstate;
	tw_fill_tcp_seq(&rec, sk);
	tw_emit(&rec, sk);
	return 0;
}

struct kretprobe tw_krp_accept = {
	.kp.symbol_name	= "inet_csk_accept",
	.handler	= tw_accept_ret,
	.maxactive	= 256,
};
