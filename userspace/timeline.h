/* SPDX-License-Identifier: GPL-2.0 */
/*
 * timeline.h - one connection as rows in time order: each side's
 * transitions, and the segments between them, each matched to the
 * record that sent it and the one that received it.
 */
#ifndef TW_TIMELINE_H
#define TW_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"
#include "label.h"

enum tw_side { TW_LEFT, TW_RIGHT };

/* "TIME_WAIT 60.0 s (2MSL) → CLOSE (expired)", with room to spare */
#define TW_CELL_STRLEN	96

struct tw_row {
	__u64 ts;
	char cell[TW_CELL_STRLEN];	/* what a side did; may be empty */
	size_t cell_len;		/* strlen(cell) */
	size_t cell_w;			/* tw_width(cell) */
	bool bad;			/* the cell ends it badly: refused, ... */
	enum tw_side side;		/* where the cell goes */
	bool arrow;			/* a segment goes by in this row */
	enum tw_side to;		/* toward which side it goes */
	size_t seg;			/* which one: index in segs */
};

struct tw_tl_seg {
	struct tw_segment s;
	long same_as;		/* a retransmission of segs[same_as], or -1 */
};

/*
 * rows and segs share one allocation, sized for the most a connection's
 * records can make: two rows and two segments each (tw_tl_record()).
 */
struct tw_timeline {
	struct tw_row *rows;
	size_t nrows;
	struct tw_tl_seg *segs;
	size_t nsegs;
	size_t unknown;		/* records of unknown events, not drawn */
	void *heap;		/* that allocation, if not the caller's room */
};

/*
 * Room for the timeline of a connection of up to TW_TL_FEW records, on
 * the caller's stack: -E draws one per connection, most of them short.
 */
#define TW_TL_FEW	16

struct tw_timeline_room {
	struct tw_row rows[2 * TW_TL_FEW];
	struct tw_tl_seg segs[2 * TW_TL_FEW];
	size_t below[2 * TW_TL_FEW];
};

void tw_timeline_build(struct tw_timeline *tl, const struct tw_conn *conn,
		       bool ascii);
void tw_timeline_build_in(struct tw_timeline *tl, const struct tw_conn *conn,
			  bool ascii, struct tw_timeline_room *room);
void tw_timeline_free(struct tw_timeline *tl);
const struct tw_segment *tw_timeline_seg(const struct tw_timeline *tl,
					 size_t i);

#endif /* TW_TIMELINE_H */
