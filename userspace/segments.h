/* SPDX-License-Identifier: GPL-2.0 */
/*
 * segments.h - the TCP segments a record implies.
 */
#ifndef TW_SEGMENTS_H
#define TW_SEGMENTS_H

#include <stdbool.h>

#include "tcpwave_abi.h"

enum tw_seg {
	TW_SEG_NONE,
	TW_SEG_SYN,
	TW_SEG_SYNACK,
	TW_SEG_ACK,
	TW_SEG_FIN,
	TW_SEG_RST,
	TW_SEG_RSTACK,		/* a kernel's answer to a SYN no socket took */
	TW_SEG_MAX
};

/* A record received at most one segment and sent at most one. */
struct tw_segs {
	enum tw_seg recv;	/* arrived, and caused the transition */
	enum tw_seg sent;	/* sent by this side as it made it */
	bool optional;		/* may happen without either: see .c */
	bool rtx;		/* sent is a retransmission */
};

/* What earlier records of the same socket say about this one. */
struct tw_seg_ctx {
	bool active;		/* it went through SYN_SENT */
	bool had_child;		/* a child record: the handshake ACK is in */
};

struct tw_segs tw_segs_implied(const struct tcpwave_record *r,
			       const struct tw_seg_ctx *ctx);
const char *tw_seg_name(enum tw_seg seg);

#endif /* TW_SEGMENTS_H */
