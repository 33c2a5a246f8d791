// SPDX-License-Identifier: GPL-2.0
/*
 * hooks_tw.c - the hooks on timewait sockets: TIME_WAIT and its 2MSL.
 *
 * tcp_time_wait() replaces a full socket in FIN_WAIT2 or CLOSING with a
 * small inet_timewait_sock, whose tw_substate is TIME_WAIT or, for an
 * orphan still waiting for the peer's FIN, FIN_WAIT2.  None of this goes
 * through tcp_set_state().  The timewait socket answers segments in
 * tcp_timewait_state_process(), and dies when its timer fires (60 s,
 * TCP_TIMEWAIT_LEN, RFC 9293 3.10.7.4's 2MSL) or early through
 * inet_twsk_deschedule_put(): an RST, reuse of the 4-tuple, netns exit.
 */
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <net/inet_timewait_sock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>

#include "tcpwave.h"
#include "tcpwave_compat.h"

/*
 * The timewait socket this CPU's tcp_timewait_state_process() is working
 * on, and its substate on entry.  It reschedules the timer before it
 * returns, on this CPU, in the same softirq.
 */
struct tw_twsk_mark {
	const struct inet_timewait_sock *tw;
	u8 substate;
};

static DEFINE_PER_CPU(struct tw_twsk_mark, tw_twsk_mark);

static void tw_fill_twsk_seq(struct tcpwave_record *rec,
			     const struct inet_timewait_sock *tw)
{
	const struct tcp_timewait_sock *tcptw = tcp_twsk((struct sock *)tw);

	rec->snd_nxt = READ_ONCE(tcptw->tw_snd_nxt);
	rec->rcv_nxt = READ_ONCE(tcptw->tw_rcv_nxt);
	rec->have |= TCPWAVE_HAVE_SND_NXT | TCPWAVE_HAVE_RCV_NXT;
}

/*
 * The hashdance (TW_SYM_TWSK_HASHDANCE): tcp_time_wait() puts tw in the
 * established hash in place of sk.  tw is complete: tuple, substate,
 * SND.NXT and RCV.NXT copied from sk.
 */
static int tw_twsk_hashdance_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct inet_timewait_sock *tw =
		(struct inet_timewait_sock *)tw_probe_arg(regs, 0);
	struct sock *sk = (struct sock *)tw_probe_arg(regs, 1);
	struct tcpwave_record rec = {
		.event = TCPWAVE_EV_timewait,
		.oldstate = READ_ONCE(sk->sk_state),
		.newstate = READ_ONCE(tw->tw_substate),
	};
	u64 cookie;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	/*
	 * inet_twsk_alloc() copied sk's cookie to tw, or 0 if sk never had
	 * one (it was created before this module loaded).  Give both the
	 * same, as sock_gen_cookie() would: first writer wins.
	 */
	cookie = tw_sock_cookie(sk);
	atomic64_cmpxchg(&tw->tw_cookie, 0, cookie);
	tw_fill_twsk_seq(&rec, tw);
	tw_emit(&rec, (struct sock *)tw);
	return 0;
}

struct kprobe tw_kp_twsk_hashdance = {
	.symbol_name	= TW_SYM_TWSK_HASHDANCE,
	.pre_handler	= tw_twsk_hashdance_pre,
};

/* tcp_timewait_state_process(tw, skb, th, ...): a segment for tw. */
static int tw_twsk_state_process_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct inet_timewait_sock *tw =
		(struct inet_timewait_sock *)tw_probe_arg(regs, 0);
	struct tw_twsk_mark *mark = this_cpu_ptr(&tw_twsk_mark);

	mark->tw = tw;
	mark->substate = READ_ONCE(tw->tw_substate);
	return 0;
}

struct kprobe tw_kp_twsk_state_process = {
	.symbol_name	= "tcp_timewait_state_process",
	.pre_handler	= tw_twsk_state_process_pre,
};

/*
 * __inet_twsk_schedule(tw, timeo, rearm), rearm true through
 * inet_twsk_reschedule(): in the FIN_WAIT2 substate the peer's FIN has
 * arrived, tcp_timewait_state_process() set TIME_WAIT and starts the
 * 2MSL timer.  (In TIME_WAIT a retransmitted FIN restarts the timer too;
 * that is no transition.)
 */
static int tw_twsk_schedule_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct inet_timewait_sock *tw =
		(struct inet_timewait_sock *)tw_probe_arg(regs, 0);
	bool rearm = (u8)tw_probe_arg(regs, 2);
	struct tw_twsk_mark *mark = this_cpu_ptr(&tw_twsk_mark);
	struct tcpwave_record rec = {
		.event = TCPWAVE_EV_timewait,
		.oldstate = TCP_FIN_WAIT2,
		.newstate = TCP_TIME_WAIT,
	};

	if (!rearm || mark->tw != tw)
		return 0;
	mark->tw = NULL;
	if (mark->substate != TCP_FIN_WAIT2 ||
	    READ_ONCE(tw->tw_substate) != TCP_TIME_WAIT)
		return 0;
	tw_fill_twsk_seq(&rec, tw);
	tw_emit(&rec, (struct sock *)tw);
	return 0;
}

struct kprobe tw_kp_twsk_schedule = {
	.symbol_name	= "__inet_twsk_schedule",
	.pre_handler	= tw_twsk_schedule_pre,
};

/*
 * tcp_twsk_destructor(struct sock *sk): the timewait socket is freed.
 * Its timer fired if jiffies reached tw_timer.expires (timers never fire
 * early); otherwise inet_twsk_deschedule_put() killed it first.
 */
static int tw_twsk_destructor_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct inet_timewait_sock *tw =
		(struct inet_timewait_sock *)tw_probe_arg(regs, 0);
	bool expired = time_after_eq(jiffies, READ_ONCE(tw->tw_timer.expires));
	struct tcpwave_record rec = {
		.event = TCPWAVE_EV_timewait,
		.oldstate = READ_ONCE(tw->tw_substate),
		.newstate = TCP_CLOSE,
		.reason = expired ? TCPWAVE_REASON_expired :
				    TCPWAVE_REASON_killed,
	};

	tw_fill_twsk_seq(&rec, tw);
	tw_emit(&rec, (struct sock *)tw);
	return 0;
}

struct kprobe tw_kp_twsk_destructor = {
	.symbol_name	= "tcp_twsk_destructor",
	.pre_handler	= tw_twsk_destructor_pre,
};
