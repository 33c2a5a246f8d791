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
wait_queue_head_t *tw_ring_waitqueue(void);

/* probes.c - the kprobes that feed the ring. */
int tw_probes_register(void);
void tw_probes_unregister(void);
unsigned long tw_probes_nmissed(void);

/* procfs.c - /proc/tcpwave and /proc/tcpwave_stats. */
int tw_proc_init(void);
void tw_proc_exit(void);

#endif /* TCPWAVE_H */
