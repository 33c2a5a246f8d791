// SPDX-License-Identifier: GPL-2.0
/*
 * probes.c - the kprobes that turn TCP state transitions into records.
 *
 * tcp_set_state(sk, state) (net/ipv4/tcp.c) is where the kernel moves a
 * full TCP socket from one state to the next.  At its first instruction
 * sk->sk_state still holds the old state, so one probe there sees both
 * ends of the transition.
 *
 * Handlers run with preemption disabled, in process context or in
 * softirq (segment arrival, timers).  They never sleep, never allocate
 * and take no lock but the ring's raw spinlock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irqflags.h>
#include <linux/kprobes.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sock_diag.h>
#include <linux/string.h>
#include <net/inet_sock.h>
#include <net/net_namespace.h>
#include <net/sock.h>
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
 * The socket's identity and 4-tuple.  The cookie is the one "ss -e" shows
 * as sk: and SO_COOKIE returns; sock_diag_save_cookie() assigns it on
 * first use, exactly as inet_diag would.
 */
static void tw_fill_sock(struct tcpwave_record *rec, struct sock *sk)
{
	u32 cookie[2];

	sock_diag_save_cookie(sk, cookie);
	rec->cookie = (u64)cookie[1] << 32 | cookie[0];
	rec->netns = sock_net(sk)->ns.inum;
	rec->lport = READ_ONCE(sk->sk_num);
	rec->rport = ntohs(READ_ONCE(sk->sk_dport));

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

static void tw_record_transition(struct sock *sk, int oldstate, int newstate)
{
	struct tcpwave_record rec = {};
	unsigned long flags;

	rec.oldstate = oldstate;
	rec.newstate = newstate;
	/*
	 * A softirq arriving on this CPU while we run would hit the probe
	 * nested, and kprobes drops nested hits (counted in nmissed).  The
	 * handler is short: keep interrupts off for all of it, which also
	 * covers the ring's lock (tw_ring_write()).
	 */
	local_irq_save(flags);
	tw_fill_task(&rec);
	tw_fill_sock(&rec, sk);
	tw_ring_write(&rec);
	local_irq_restore(flags);
}

/* tcp_set_state(struct sock *sk, int state) */
static int tw_tcp_set_state_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)tw_probe_arg(regs, 0);
	int newstate = (int)tw_probe_arg(regs, 1);
	int oldstate = READ_ONCE(sk->sk_state);

	/*
	 * tcp_close() of a never-connected socket, and the error paths of
	 * connect(), call tcp_set_state(sk, TCP_CLOSE) on a closed socket.
	 * That is no transition.
	 */
	if (oldstate == newstate)
		return 0;
	tw_record_transition(sk, oldstate, newstate);
	return 0;
}

static struct kprobe tw_kp_tcp_set_state = {
	.symbol_name	= "tcp_set_state",
	.pre_handler	= tw_tcp_set_state_pre,
};

static struct kprobe *tw_kprobes[] = {
	&tw_kp_tcp_set_state,
};

/* Fail the build, not the machine, when the kernel drifts from us. */
static void __init tw_build_checks(void)
{
	BUILD_BUG_ON(!__same_type(tcp_set_state, tw_tcp_set_state_t));

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
}

int __init tw_probes_register(void)
{
	int ret;

	tw_build_checks();
	ret = register_kprobes(tw_kprobes, ARRAY_SIZE(tw_kprobes));
	if (ret < 0)
		pr_err("register_kprobes failed, returned %d\n", ret);
	return ret;
}

void tw_probes_unregister(void)
{
	unsigned int i;

	unregister_kprobes(tw_kprobes, ARRAY_SIZE(tw_kprobes));
	for (i = 0; i < ARRAY_SIZE(tw_kprobes); i++)
		pr_info("kprobe %s missed %lu hits\n",
			tw_kprobes[i]->symbol_name, tw_kprobes[i]->nmissed);
}

/* Hits lost because they nested inside another kprobe on that CPU. */
unsigned long tw_probes_nmissed(void)
{
	unsigned long sum = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tw_kprobes); i++)
		sum += READ_ONCE(tw_kprobes[i]->nmissed);
	return sum;
}
