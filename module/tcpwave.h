/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpwave.h - the module's internal interfaces: the ring (ring.c), the
 * probes (probes.c) and the /proc files (procfs.c).
 */
#ifndef TCPWAVE_H
#define TCPWAVE_H

#include <linux/types.h>
#include <linux/wait.h>

#include "tcpwave_abi.h"

/* ring.c - one ring of records, written from any context, many readers. */
int tw_ring_init(unsigned int nr_records);
void tw_ring_exit(void);
void tw_ring_write(struct tcpwave_record *rec);
int tw_ring_read(u64 *cursor, struct tcpwave_record *rec, u64 *lost);
u64 tw_ring_head(void);
u64 tw_ring_oldest(void);
unsigned int tw_ring_size(void);
size_t tw_ring_bytes(void);
u64 tw_ring_nmi_dropped(void);
wait_queue_head_t *tw_ring_waitqueue(void);

struct kprobe;
struct kretprobe;
struct sock;

/* probes.c - registers every hook; the helpers all hooks share. */
int tw_probes_register(void);
void tw_probes_unregister(void);
unsigned long tw_probes_nmissed(void);
u64 tw_sock_cookie(struct sock *sk);
void tw_fill_tcp_seq(struct tcpwave_record *rec, const struct sock *sk);
void tw_emit(struct tcpwave_record *rec, struct sock *sk);
void tw_timing_set(bool on);
void tw_timing_read(u64 *ns, u64 *records);

/* hooks_sock.c - full sockets: state changes, connect, listen, accept. */
extern struct kprobe tw_kp_tcp_set_state;
extern struct kprobe tw_kp_tcp_connect;
extern struct kprobe tw_kp_tcp_retransmit_skb;
extern struct kprobe tw_kp_tcp_send_active_reset;
extern struct kretprobe tw_krp_listen_start;
extern struct kretprobe tw_krp_accept;

/* hooks_req.c - request sockets: SYN in, SYN-ACKs out, child or death. */
extern struct kprobe tw_kp_send_synack4;
extern struct kprobe tw_kp_send_synack6;
extern struct kprobe tw_kp_complete_hashdance;
extern struct kprobe tw_kp_reqsk_timer;
extern struct kprobe tw_kp_reqsk_destructor4;
extern struct kprobe tw_kp_reqsk_destructor6;

/* hooks_tw.c - timewait sockets: born, peer's FIN, death. */
extern struct kprobe tw_kp_twsk_hashdance;
extern struct kprobe tw_kp_twsk_state_process;
extern struct kprobe tw_kp_twsk_schedule;
extern struct kprobe tw_kp_twsk_destructor;

/* procfs.c - /proc/tcpwave and /proc/tcpwave_stats. */
int tw_proc_init(void);
void tw_proc_exit(void);

#endif /* TCPWAVE_H */
