/* SPDX-License-Identifier: GPL-2.0 */
/*
 * segments.h - the TCP segments a state transition implies.
 */
#ifndef TW_SEGMENTS_H
#define TW_SEGMENTS_H

#include <stdbool.h>

enum tw_seg {
	TW_SEG_NONE,
	TW_SEG_SYN,
	TW_SEG_SYNACK,
	TW_SEG_ACK,
	TW_SEG_FIN,
	TW_SEG_MAX
};

/* A transition received at most one segment and sent at most one. */
struct tw_segs {
	enum tw_seg recv;	/* arrived, and caused the transition */
	enum tw_seg sent;	/* sent by this side as it made it */
	bool optional;		/* may happen without either: see .c */
};

struct tw_segs tw_segs_implied(unsigned int oldstate, unsigned int newstate);
const char *tw_seg_name(enum tw_seg seg);

#endif /* TW_SEGMENTS_H */
