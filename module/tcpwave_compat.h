/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpwave_compat.h - every difference between the kernels tcpwave builds
 * for lives here, one small inline or macro per difference, each with the
 * kernel version that changed it.  Nothing else in the module tests
 * LINUX_VERSION_CODE.
 *
 * Supported: 6.1 (Debian bookworm linux-image-amd64) through 6.12.
 */
#ifndef TCPWAVE_COMPAT_H
#define TCPWAVE_COMPAT_H

#include <linux/version.h>
#include <linux/ptrace.h>
#include <net/inet_connection_sock.h>
#include <net/inet_timewait_sock.h>
#include <net/request_sock.h>
#include <net/tcp.h>

#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
#error "tcpwave needs Linux 6.1 or later"
#endif /* KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE */

/*
 * The hooked functions' signatures, as the kernels we support declare
 * them.  tw_compat_build_checks() checks each against the kernel's
 * prototype with BUILD_BUG_ON(), so a kernel that changes one fails the
 * build instead of feeding a probe handler the wrong arguments.  The
 * handlers read only the arguments named in their comments.
 */
typedef void (tw_tcp_set_state_t)(struct sock *sk, int state);
typedef int (tw_tcp_connect_t)(struct sock *sk);
typedef int (tw_tcp_retransmit_skb_t)(struct sock *sk, struct sk_buff *skb,
				       int segs);
typedef int (tw_inet_csk_listen_start_t)(struct sock *sk);
typedef struct sock *(tw_inet_csk_complete_hashdance_t)(struct sock *sk,
		struct sock *child, struct request_sock *req, bool own_req);
typedef void (tw_inet_twsk_schedule_t)(struct inet_timewait_sock *tw,
				       int timeo, bool rearm);
typedef void (tw_tcp_twsk_destructor_t)(struct sock *sk);
/* tcp_v4_send_synack(), tcp_v6_send_synack(): static, seen as af_ops. */
typedef int (tw_send_synack_t)(const struct sock *sk, struct dst_entry *dst,
			       struct flowi *fl, struct request_sock *req,
			       struct tcp_fastopen_cookie *foc,
			       enum tcp_synack_type synack_type,
			       struct sk_buff *syn_skb);
/* tcp_v{4,6}_reqsk_destructor(): static, seen as rsk_ops->destructor. */
typedef void (tw_reqsk_destructor_t)(struct request_sock *req);

#if KERNEL_VERSION(6, 10, 0) <= LINUX_VERSION_CODE
/*
 * 6.10 merged the timewait timer's arming into the hashdance
 * (inet_twsk_hashdance_schedule()) and passed accept()'s arguments in a
 * struct.
 */
#define TW_SYM_TWSK_HASHDANCE	"inet_twsk_hashdance_schedule"
typedef void (tw_twsk_hashdance_t)(struct inet_timewait_sock *tw,
				   struct sock *sk,
				   struct inet_hashinfo *hashinfo, int timeo);
#define tw_twsk_hashdance	inet_twsk_hashdance_schedule
typedef struct sock *(tw_inet_csk_accept_t)(struct sock *sk,
					    struct proto_accept_arg *arg);
#else /* KERNEL_VERSION(6, 10, 0) > LINUX_VERSION_CODE */
#define TW_SYM_TWSK_HASHDANCE	"inet_twsk_hashdance"
typedef void (tw_twsk_hashdance_t)(struct inet_timewait_sock *tw,
				   struct sock *sk,
				   struct inet_hashinfo *hashinfo);
#define tw_twsk_hashdance	inet_twsk_hashdance
typedef struct sock *(tw_inet_csk_accept_t)(struct sock *sk, int flags,
					    int *err, bool kern);
#endif /* KERNEL_VERSION(6, 10, 0) <= LINUX_VERSION_CODE */

/*
 * tcp_send_active_reset(): 6.10 added the RST reason; "tcp: use
 * GFP_ATOMIC in tcp_send_active_reset()" then dropped the gfp_t, and
 * 6.12.111 took that from mainline into the 6.12 stable line (Debian's
 * 6.12.107 has the gfp_t, its 6.12.117 not).  Kernels after 6.12 are
 * assumed to have the new form; one that does not fails the build below.
 * The handler reads only sk.
 */
#if KERNEL_VERSION(6, 12, 111) <= LINUX_VERSION_CODE
typedef void (tw_tcp_send_active_reset_t)(struct sock *sk,
					  enum sk_rst_reason reason);
#elif KERNEL_VERSION(6, 10, 0) <= LINUX_VERSION_CODE
typedef void (tw_tcp_send_active_reset_t)(struct sock *sk, gfp_t priority,
					  enum sk_rst_reason reason);
#else /* KERNEL_VERSION(6, 10, 0) > LINUX_VERSION_CODE */
typedef void (tw_tcp_send_active_reset_t)(struct sock *sk, gfp_t priority);
#endif /* KERNEL_VERSION(6, 12, 111) <= LINUX_VERSION_CODE */

/* Fail the build, not the machine, when a hooked function changes. */
static inline void tw_compat_build_checks(void)
{
	BUILD_BUG_ON(!__same_type(tcp_set_state, tw_tcp_set_state_t));
	BUILD_BUG_ON(!__same_type(tcp_connect, tw_tcp_connect_t));
	BUILD_BUG_ON(!__same_type(tcp_retransmit_skb,
				  tw_tcp_retransmit_skb_t));
	BUILD_BUG_ON(!__same_type(tcp_send_active_reset,
				  tw_tcp_send_active_reset_t));
	BUILD_BUG_ON(!__same_type(inet_csk_listen_start,
				  tw_inet_csk_listen_start_t));
	BUILD_BUG_ON(!__same_type(inet_csk_accept, tw_inet_csk_accept_t));
	BUILD_BUG_ON(!__same_type(inet_csk_complete_hashdance,
				  tw_inet_csk_complete_hashdance_t));
	BUILD_BUG_ON(!__same_type(tw_twsk_hashdance, tw_twsk_hashdance_t));
	BUILD_BUG_ON(!__same_type(__inet_twsk_schedule,
				  tw_inet_twsk_schedule_t));
	BUILD_BUG_ON(!__same_type(tcp_twsk_destructor,
				  tw_tcp_twsk_destructor_t));
	BUILD_BUG_ON(!__same_type(((struct tcp_request_sock_ops *)0)->send_synack,
				  tw_send_synack_t *));
	BUILD_BUG_ON(!__same_type(((struct request_sock_ops *)0)->destructor,
				  tw_reqsk_destructor_t *));
	/* reqsk_timer_handler() is a timer_list callback. */
	BUILD_BUG_ON(!__same_type(((struct timer_list *)0)->function,
				  void (*)(struct timer_list *)));
}

/*
 * Function arguments at a kprobe on the first instruction of a function.
 * regs_get_kernel_argument() exists on x86 since 5.1 and on the other
 * HAVE_REGS_AND_STACK_ACCESS_API architectures we can build for.
 */
static inline unsigned long tw_probe_arg(struct pt_regs *regs, unsigned int n)
{
	return regs_get_kernel_argument(regs, n);
}

#endif /* TCPWAVE_COMPAT_H */
