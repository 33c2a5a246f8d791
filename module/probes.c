// SPDX-License-Identifier: GPL-2.0
/*
 * probes.c - registers the hooks of hooks_sock.c, hooks_req.c and
 * hooks_tw.c, and holds what they share: a record's task, socket and
 * sequence-number fields, and the one way a record reaches the ring.
 *
 * A connection lives in up to three kernel objects: a request socket
 * from SYN to final ACK on the passive side, a full socket, and a
 * timewait socket after tcp_time_wait().  All three begin with a struct
 * sock_common, which holds the 4-tuple, the namespace and the cookie, so
 * one fill function serves them all (as inet_diag's does).
 *
 * Handlers run with preemption disabled, in process context or in
 * softirq (segment arrival, timers).  They never sleep, never allocate
 * and take no lock but the ring's raw spinlock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irqflags.h>
#include <linux/jump_label.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sock_diag.h>
#include <linux/string.h>
#include <net/inet_sock.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>

#include "tcpwave.h"
#include "tcpwave_compat.h"

static u8 tw_context(void)
{
	if (in_nmi())
		return TCPWAVE_CTX_nmi;
	if (in_hardirq())
		return TCPWAVE_CTX_hardirq;
	if (in_serving_softirq())
		return TCPWAVE_CTX_softirq;
	return TCPWAVE_CTX_task;
}

/*
 * The cookie "ss -e" shows as sk: and SO_COOKIE returns.
 * sock_diag_save_cookie() assigns it on first use, exactly as inet_diag
 * would, for full, request and timewait sockets alike.
 */
u64 tw_sock_cookie(struct sock *sk)
{
	u32 cookie[2];

	sock_diag_save_cookie(sk, cookie);
	return (u64)cookie[1] << 32 | cookie[0];
}

/* The socket's identity and 4-tuple: sock_common fields only. */
static void tw_fill_sock(struct tcpwave_record *rec, struct sock *sk)
{
	rec->cookie = tw_sock_cookie(sk);
	rec->netns = sock_net(sk)->ns.inum;
	rec->lport = READ_ONCE(sk->sk_num);
	rec->rport = ntohs(READ_ONCE(sk->sk_dport));
	/*
	 * tcp_set_state(sk, TCP_CLOSE) releases the port (sk_num = 0), but
	 * the RST that tcp_disconnect() sends next still carries
	 * inet_sport.
	 */
	if (!rec->lport && sk_fullsock(sk))
		rec->lport = ntohs(READ_ONCE(inet_sk(sk)->inet_sport));

#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		rec->family = 6;
		memcpy(rec->laddr, &sk->sk_v6_rcv_saddr, 16);
		memcpy(rec->raddr, &sk->sk_v6_daddr, 16);
		return;
	}
#endif /* IS_ENABLED(CONFIG_IPV6) */
	rec->family = 4;
	memcpy(rec->laddr, &sk->sk_rcv_saddr, 4);
	memcpy(rec->raddr, &sk->sk_daddr, 4);
}

/*
 * pid and comm name the task only in process context.  In softirq the
 * current task is whoever was interrupted (often swapper or ksoftirqd),
 * a bystander: record it as not meaningful rather than blame it.
 */
static void tw_fill_task(struct tcpwave_record *rec)
{
	rec->cpu = smp_processor_id();
	rec->ctx = tw_context();
	if (rec->ctx == TCPWAVE_CTX_task) {
		rec->pid = task_tgid_nr(current);
		/* As bpf_get_current_comm(): no task_lock in a probe. */
		strscpy(rec->comm, current->comm, sizeof(rec->comm));
	}
}

/*
 * SND.UNA, SND.NXT and RCV.NXT of a full TCP socket (RFC 9293 3.3.1),
 * for a record whose states are already set.  RCV.NXT means nothing until
 * the peer's SYN arrived: records in SYN_SENT and its ends leave it out,
 * but for ESTABLISHED (tcp_rcv_synsent_state_process() sets RCV.NXT
 * before that transition, and only after the one to SYN_RECV).
 */
void tw_fill_tcp_seq(struct tcpwave_record *rec, const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	rec->snd_una = READ_ONCE(tp->snd_una);
	rec->snd_nxt = READ_ONCE(tp->snd_nxt);
	rec->have |= TCPWAVE_HAVE_SND_UNA | TCPWAVE_HAVE_SND_NXT;
	if (rec->newstate == TCP_SYN_SENT ||
	    (rec->oldstate == TCP_SYN_SENT &&
	     rec->newstate != TCP_ESTABLISHED))
		return;
	rec->rcv_nxt = READ_ONCE(tp->rcv_nxt);
	rec->have |= TCPWAVE_HAVE_RCV_NXT;
}

/*
 * The timing parameter (main.c): when on, tw_emit() adds the time it
 * took, local_clock() before and after, to its CPU's counters, shown in
 * /proc/tcpwave_stats for the benchmark (scripts/bench.sh).  Off, the
 * static key leaves a no-op in tw_emit(): no clock read, no branch on a
 * variable.  The counters only grow, from load on.
 */
static DEFINE_STATIC_KEY_FALSE(tw_timing_key);

struct tw_timing {
	u64 ns;
	u64 records;
};

static DEFINE_PER_CPU(struct tw_timing, tw_timing);

void tw_timing_set(bool on)
{
	if (on)
		static_branch_enable(&tw_timing_key);
	else
		static_branch_disable(&tw_timing_key);
}

/* Sums over all CPUs; a writer may be midway on another, so approximate. */
void tw_timing_read(u64 *ns, u64 *records)
{
	int cpu;

	*ns = 0;
	*records = 0;
	for_each_possible_cpu(cpu) {
		const struct tw_timing *t = per_cpu_ptr(&tw_timing, cpu);

		*ns += READ_ONCE(t->ns);
		*records += READ_ONCE(t->records);
	}
}

/*
 * Complete rec with the task and the socket and put it in the ring.  sk
 * may be a full, request or timewait socket.
 *
 * A softirq arriving on this CPU while a handler runs would hit its
 * probe nested, and kprobes drops nested hits (counted in nmissed).  The
 * work is short: keep interrupts off for all of it, which also covers
 * the ring's lock (tw_ring_write()).
 */
static void tw_emit_irqoff(struct tcpwave_record *rec, struct sock *sk)
{
	tw_fill_task(rec);
	tw_fill_sock(rec, sk);
	tw_ring_write(rec);
}

void tw_emit(struct tcpwave_record *rec, struct sock *sk)
{
	unsigned long flags;

	local_irq_save(flags);
	if (static_branch_unlikely(&tw_timing_key)) {
		struct tw_timing *t = this_cpu_ptr(&tw_timing);
		u64 t0 = local_clock();

		tw_emit_irqoff(rec, sk);
		t->ns += local_clock() - t0;
		t->records++;
	} else {
		tw_emit_irqoff(rec, sk);
	}
	local_irq_restore(flags);
}

static struct kprobe *tw_kprobes[] = {
	&tw_kp_tcp_set_state,
	&tw_kp_tcp_connect,
	&tw_kp_tcp_retransmit_skb,
	&tw_kp_tcp_send_active_reset,
	&tw_kp_send_synack4,
#if IS_ENABLED(CONFIG_IPV6)
	&tw_kp_send_synack6,
	&tw_kp_reqsk_destructor6,
#endif /* IS_ENABLED(CONFIG_IPV6) */
	&tw_kp_complete_hashdance,
	&tw_kp_reqsk_timer,
	&tw_kp_reqsk_destructor4,
	&tw_kp_twsk_hashdance,
	&tw_kp_twsk_state_process,
	&tw_kp_twsk_schedule,
	&tw_kp_twsk_destructor,
};

static struct kretprobe *tw_kretprobes[] = {
	&tw_krp_listen_start,
	&tw_krp_accept,
};

/* Fail the build, not the machine, when the kernel drifts from us. */
static void __init tw_build_checks(void)
{
	/* The ABI header's state numbers are the kernel's. */
	BUILD_BUG_ON(TCPWAVE_ESTABLISHED != (int)TCP_ESTABLISHED);
	BUILD_BUG_ON(TCPWAVE_SYN_SENT != (int)TCP_SYN_SENT);
	BUILD_BUG_ON(TCPWAVE_SYN_RECV != (int)TCP_SYN_RECV);
	BUILD_BUG_ON(TCPWAVE_FIN_WAIT1 != (int)TCP_FIN_WAIT1);
	BUILD_BUG_ON(TCPWAVE_FIN_WAIT2 != (int)TCP_FIN_WAIT2);
	BUILD_BUG_ON(TCPWAVE_TIME_WAIT != (int)TCP_TIME_WAIT);
	BUILD_BUG_ON(TCPWAVE_CLOSE != (int)TCP_CLOSE);
	BUILD_BUG_ON(TCPWAVE_CLOSE_WAIT != (int)TCP_CLOSE_WAIT);
	BUILD_BUG_ON(TCPWAVE_LAST_ACK != (int)TCP_LAST_ACK);
	BUILD_BUG_ON(TCPWAVE_LISTEN != (int)TCP_LISTEN);
	BUILD_BUG_ON(TCPWAVE_CLOSING != (int)TCP_CLOSING);
	BUILD_BUG_ON(TCPWAVE_NEW_SYN_RECV != (int)TCP_NEW_SYN_RECV);
	BUILD_BUG_ON(TCPWAVE_STATE_MAX != (int)TCP_NEW_SYN_RECV + 1);
	BUILD_BUG_ON(TCP_MAX_STATES > 255);
	BUILD_BUG_ON(TCPWAVE_EV_MAX > 255 || TCPWAVE_REASON_MAX > 255);
}

int __init tw_probes_register(void)
{
	int ret;

	tw_build_checks();
	tw_compat_build_checks();
	ret = register_kprobes(tw_kprobes, ARRAY_SIZE(tw_kprobes));
	if (ret < 0) {
		pr_err("register_kprobes failed, returned %d\n", ret);
		return ret;
	}
	ret = register_kretprobes(tw_kretprobes, ARRAY_SIZE(tw_kretprobes));
	if (ret < 0) {
		pr_err("register_kretprobes failed, returned %d\n", ret);
		goto err_unregister_kprobes;
	}
	return 0;

err_unregister_kprobes:
	unregister_kprobes(tw_kprobes, ARRAY_SIZE(tw_kprobes));
	return ret;
}

void tw_probes_unregister(void)
{
	unsigned int i;

	unregister_kretprobes(tw_kretprobes, ARRAY_SIZE(tw_kretprobes));
	unregister_kprobes(tw_kprobes, ARRAY_SIZE(tw_kprobes));
	for (i = 0; i < ARRAY_SIZE(tw_kprobes); i++)
		pr_info("kprobe %s missed %lu hits\n",
			tw_kprobes[i]->symbol_name, tw_kprobes[i]->nmissed);
	for (i = 0; i < ARRAY_SIZE(tw_kretprobes); i++) {
		struct kretprobe *rp = tw_kretprobes[i];

		pr_info("kretprobe %s missed %lu hits, %d returns\n",
			rp->kp.symbol_name, rp->kp.nmissed, rp->nmissed);
	}
}

/*
 * Hits lost because they nested inside another kprobe on that CPU, and
 * kretprobe returns lost because all maxactive instances were in use.
 */
unsigned long tw_probes_nmissed(void)
{
	unsigned long sum = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tw_kprobes); i++)
		sum += READ_ONCE(tw_kprobes[i]->nmissed);
	for (i = 0; i < ARRAY_SIZE(tw_kretprobes); i++)
		sum += READ_ONCE(tw_kretprobes[i]->kp.nmissed) +
		       READ_ONCE(tw_kretprobes[i]->nmissed);
	return sum;
}
