// SPDX-License-Identifier: GPL-2.0
/*
 * timeline.c - one connection, as rows in time order.
 *
 * The two sides' records are merged by time.  Each record becomes a row
 * on its side: its new state, or what it did (a retransmission, an
 * accept()), and the segment it sent.  Each segment is drawn once, in
 * its sender's row.  When the receiver's record comes, the segment it
 * received is matched with the latest one of that kind the other side
 * sent and nobody received yet: a retransmission that got through
 * shadows the lost original.  Only an unmatched segment - its sender was
 * not traced, or its record lost - gets a row of its own, at the
 * receiver's time, pointing at the receiver.
 *
 * A socket connected to itself is both sender and receiver: its
 * segments go out at their sending time and come back at their
 * arrival, each drawn both ways.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "states.h"
#include "timeline.h"

/*
 * Each side's segments that nobody received yet are a stack per kind,
 * latest on top, linked through below[]: a segment is pushed once, when
 * sent, so one link each is all the stacks need, and no allocation.
 * Indices are stored plus one, so that 0, what the side starts with, is
 * none.
 */
struct tw_tl_side {
	const struct tw_sock *sk;
	size_t i;			/* next record */
	bool shown;			/* a transition cell was drawn */
	bool had_child;
	bool has_estab;			/* when it reached ESTABLISHED */
	__u64 estab_ts;
	unsigned int rtx[TW_SEG_MAX];	/* retransmissions so far */
	size_t first[TW_SEG_MAX];	/* each kind's first segment, + 1 */
	size_t pending[TW_SEG_MAX];	/* top of each stack, + 1 */
};

struct tw_tl {
	struct tw_timeline *tl;
	size_t *below;			/* what is under each segment, + 1 */
	struct tw_tl_side side[2];
	bool track;			/* both ends traced: match segments */
	bool self;			/* one socket, connected to itself */
	bool ascii;
};

static void tw_push(struct tw_tl *x, size_t *top, size_t k)
{
	x->below[k] = *top;
	*top = k + 1;
}

static bool tw_pop(struct tw_tl *x, size_t *top, size_t *k)
{
	if (!*top)
		return false;
	*k = *top - 1;
	*top = x->below[*k];
	return true;
}

/*
 * A cell being written: its text, length and display width.  Like
 * snprintf(), it keeps what fits in TW_CELL_STRLEN with the NUL; the
 * longest cell ("TIME_WAIT 60.0 s (2MSL) → CLOSE (expired)" with the
 * longest names and numbers) takes under 80 bytes, so that is all.
 */
struct tw_cell {
	char s[TW_CELL_STRLEN];
	size_t len;
	size_t w;
};

/* @n bytes of @s, @w columns wide. */
static void tw_cell_add(struct tw_cell *c, const char *s, size_t n, size_t w)
{
	if (n > TW_CELL_STRLEN - 1 - c->len)
		n = w = TW_CELL_STRLEN - 1 - c->len;
	memcpy(c->s + c->len, s, n);
	c->len += n;
	c->w += w;
	c->s[c->len] = '\0';
}

/* ASCII: a column a byte, as all but the arrow are. */
static void tw_cell_cat(struct tw_cell *c, const char *s)
{
	size_t n = strlen(s);

	tw_cell_add(c, s, n, n);
}

static void tw_cell_u64(struct tw_cell *c, unsigned long long v)
{
	char d[24];
	size_t n = tw_put_u64(d, v) - d;

	tw_cell_add(c, d, n, n);
}

/* tw_fmt_dur(), without snprintf(): "0.070 ms", "500.0 ms", "60.0 s". */
static void tw_cell_dur(struct tw_cell *c, __u64 ns)
{
	unsigned long long v = ns;
	char d[4];

	if (v < 10000000ULL) {
		tw_cell_u64(c, v / 1000000);
		d[0] = '.';
		d[1] = '0' + v / 100000 % 10;
		d[2] = '0' + v / 10000 % 10;
		d[3] = '0' + v / 1000 % 10;
		tw_cell_add(c, d, 4, 4);
		tw_cell_cat(c, " ms");
	} else if (v < 1000000000ULL) {
		tw_cell_u64(c, v / 1000000);
		d[0] = '.';
		d[1] = '0' + v / 100000 % 10;
		tw_cell_add(c, d, 2, 2);
		tw_cell_cat(c, " ms");
	} else {
		tw_cell_u64(c, v / 1000000000);
		d[0] = '.';
		d[1] = '0' + v / 100000000 % 10;
		tw_cell_add(c, d, 2, 2);
		tw_cell_cat(c, " s");
	}
}

static struct tw_row *tw_tl_row(struct tw_tl *x, __u64 ts, enum tw_side side,
				const struct tw_cell *cell)
{
	struct tw_timeline *tl = x->tl;
	struct tw_row *row = &tl->rows[tl->nrows++];

	row->ts = ts;
	row->bad = false;
	row->side = side;
	row->arrow = false;
	row->to = TW_LEFT;
	row->seg = 0;
	if (cell) {
		memcpy(row->cell, cell->s, cell->len + 1);
		row->cell_len = cell->len;
		row->cell_w = cell->w;
	} else {
		row->cell[0] = '\0';
		row->cell_len = 0;
		row->cell_w = 0;
	}
	return row;
}

static void tw_tl_arrow(struct tw_row *row, enum tw_side to, size_t seg)
{
	row->arrow = true;
	row->to = to;
	row->seg = seg;
}

static size_t tw_tl_seg_new(struct tw_tl *x, enum tw_seg kind)
{
	struct tw_timeline *tl = x->tl;
	struct tw_tl_seg *s = &tl->segs[tl->nsegs];

	memset(s, 0, sizeof(*s));
	s->s.kind = kind;
	s->same_as = -1;
	return tl->nsegs++;
}

/* A retransmission shows its original's numbers: it is that segment. */
const struct tw_segment *tw_timeline_seg(const struct tw_timeline *tl,
					 size_t i)
{
	if (tl->segs[i].same_as >= 0)
		return &tl->segs[tl->segs[i].same_as].s;
	return &tl->segs[i].s;
}

/* " (timeout)": why a socket closed; an orderly close says nothing. */
static void tw_cell_reason(struct tw_cell *c, unsigned int reason)
{
	const char *name = tw_reason_name(reason);

	if (reason == TCPWAVE_REASON_none || reason == TCPWAVE_REASON_close)
		return;
	tw_cell_cat(c, " (");
	tw_cell_cat(c, name ? name : "?");
	tw_cell_cat(c, ")");
}

static void tw_cell_state(struct tw_cell *c, unsigned int state)
{
	char buf[TW_STATE_STRLEN];

	tw_cell_cat(c, tw_state_str(state, buf));
}

static void tw_cell_arrow(struct tw_cell *c, bool ascii)
{
	if (ascii)
		tw_cell_cat(c, "->");
	else
		tw_cell_add(c, "\u2192", sizeof("\u2192") - 1, 1);
}

/*
 * A transition's cell: the new state, "OLD→NEW" for a side's first one
 * unless it starts from CLOSE (so that a side first seen mid-life shows
 * where it was), and for the end of TIME_WAIT or of a timewait socket's
 * FIN_WAIT2, how long it lasted.
 */
static void tw_tl_trans_cell(struct tw_tl *x, struct tw_tl_side *me,
			     const struct tcpwave_record *r,
			     struct tw_cell *cell)
{
	__u64 since;

	if (r->newstate == TCPWAVE_CLOSE &&
	    (r->oldstate == TCPWAVE_TIME_WAIT ||
	     (r->event == TCPWAVE_EV_timewait &&
	      r->oldstate == TCPWAVE_FIN_WAIT2)) &&
	    tw_sock_since(me->sk, me->i, &since)) {
		/* 2MSL: TCP_TIMEWAIT_LEN, the timer that expired. */
		tw_cell_state(cell, r->oldstate);
		tw_cell_cat(cell, " ");
		tw_cell_dur(cell, r->ts_ns - since);
		if (r->oldstate == TCPWAVE_TIME_WAIT &&
		    r->reason == TCPWAVE_REASON_expired)
			tw_cell_cat(cell, " (2MSL)");
		tw_cell_cat(cell, " ");
		tw_cell_arrow(cell, x->ascii);
		tw_cell_cat(cell, " ");
		tw_cell_state(cell, r->newstate);
		tw_cell_reason(cell, r->reason);
	} else {
		/* "OLD→NEW" as tw_fmt_trans() writes it. */
		if (!me->shown && r->oldstate != TCPWAVE_CLOSE) {
			tw_cell_state(cell, r->oldstate);
			tw_cell_arrow(cell, x->ascii);
		}
		tw_cell_state(cell, r->newstate);
		if (r->newstate == TCPWAVE_CLOSE)
			tw_cell_reason(cell, r->reason);
	}
	me->shown = true;
}

static void tw_tl_cell(struct tw_tl *x, struct tw_tl_side *me,
		       const struct tcpwave_record *r,
		       const struct tw_segs *segs, struct tw_cell *cell)
{
	cell->len = 0;
	cell->w = 0;
	cell->s[0] = '\0';
	switch (r->event) {
	case TCPWAVE_EV_retrans:
		tw_cell_cat(cell, "retrans ");
		tw_cell_u64(cell, me->rtx[segs->sent]);
		return;
	case TCPWAVE_EV_accept:
		/* The accept queue: from ESTABLISHED to accept(). */
		tw_cell_cat(cell, "accept()");
		if (me->has_estab) {
			tw_cell_cat(cell, " after ");
			tw_cell_dur(cell, r->ts_ns - me->estab_ts);
		}
		return;
	case TCPWAVE_EV_rst:
	case TCPWAVE_EV_child:
		return;		/* its segment says it all */
	case TCPWAVE_EV_syn:
		if (r->newstate != TCPWAVE_SYN_RECV)
			break;
		/* LISTEN is the listener's state: its own ladder shows it. */
		tw_cell_state(cell, r->newstate);
		me->shown = true;
		return;
	case TCPWAVE_EV_timewait:
		if (r->oldstate != r->newstate)
			break;
		/* tcp_time_wait() in FIN_WAIT2: the full socket is gone. */
		tw_cell_cat(cell, "(timewait sock)");
		return;
	default:
		break;
	}
	if (r->oldstate != r->newstate || !me->shown)
		tw_tl_trans_cell(x, me, r, cell);
}

/* What the records before this one on the same side tell about it. */
static void tw_tl_note(struct tw_tl_side *me, const struct tcpwave_record *r)
{
	if (r->event == TCPWAVE_EV_child) {
		me->had_child = true;
		if (!me->has_estab) {
			me->has_estab = true;
			me->estab_ts = r->ts_ns;
		}
	}
	if (r->event == TCPWAVE_EV_state &&
	    r->newstate == TCPWAVE_ESTABLISHED &&
	    (r->oldstate == TCPWAVE_SYN_RECV ||
	     r->oldstate == TCPWAVE_SYN_SENT)) {
		me->has_estab = true;
		me->estab_ts = r->ts_ns;
	}
}

static void tw_tl_record(struct tw_tl *x, enum tw_side s,
			 const struct tcpwave_record *r)
{
	struct tw_tl_side *me = &x->side[s];
	struct tw_tl_side *them = x->self ? me : &x->side[!s];
	enum tw_side out = x->self ? TW_RIGHT : !s;
	struct tw_seg_ctx ctx = {
		.active = me->sk->role == TW_ROLE_ACTIVE,
		.had_child = me->had_child,
	};
	struct tw_timeline *tl = x->tl;
	struct tw_cell cell;
	struct tw_segs segs;
	struct tw_row *row;
	long got = -1;
	size_t k = 0;

	if (!tw_rec_known(r)) {
		tl->unknown++;
		return;
	}
	segs = tw_segs_implied(r, &ctx);
	/*
	 * A transition that happens with or without its segments: with
	 * the peer traced, believe in them only if the peer sent them.
	 * Alone, we cannot tell: draw what the transition usually means.
	 */
	if (segs.optional && x->track && !them->pending[segs.recv]) {
		segs.recv = TW_SEG_NONE;
		segs.sent = TW_SEG_NONE;
	}

	if (segs.recv != TW_SEG_NONE) {
		if (x->track && tw_pop(x, &them->pending[segs.recv], &k)) {
			got = k;
			if (tl->segs[k].same_as >= 0)
				k = tl->segs[k].same_as;
			tw_label_confirm(&tl->segs[k].s, r, me->sk);
			if (x->self) {
				row = tw_tl_row(x, r->ts_ns, s, NULL);
				tw_tl_arrow(row, s, got);
			}
		} else {
			got = tw_tl_seg_new(x, segs.recv);
			tw_label_received(&tl->segs[got].s, r, me->sk);
			row = tw_tl_row(x, r->ts_ns, s, NULL);
			tw_tl_arrow(row, s, got);
		}
	}

	tw_tl_note(me, r);
	if (segs.rtx)
		me->rtx[segs.sent]++;
	if (segs.sent != TW_SEG_NONE) {
		k = tw_tl_seg_new(x, segs.sent);
		tw_label_sent(&tl->segs[k].s, r, me->sk,
			      got >= 0 ? tw_timeline_seg(tl, got) : NULL);
		if (segs.rtx)
			tl->segs[k].same_as = (long)me->first[segs.sent] - 1;
		else if (!me->first[segs.sent])
			me->first[segs.sent] = k + 1;
		if (x->track)
			tw_push(x, &me->pending[segs.sent], k);
	}

	tw_tl_cell(x, me, r, &segs, &cell);
	row = NULL;
	if (segs.sent != TW_SEG_NONE) {
		row = tw_tl_row(x, r->ts_ns, s, &cell);
		tw_tl_arrow(row, out, k);
	} else if (cell.len) {
		row = tw_tl_row(x, r->ts_ns, s, &cell);
	}
	if (row && cell.len && r->newstate == TCPWAVE_CLOSE)
		row->bad = tw_reason_bad(r->reason);
}

/*
 * Rows, segments and the stacks' links in one allocation, or in the
 * caller's @room when they fit: a record makes at most two rows (a
 * segment received from nobody traced, and its own) and two segments
 * (one received, one sent).
 */
static void tw_tl_alloc(struct tw_tl *x, size_t nrecs,
			struct tw_timeline_room *room)
{
	struct tw_timeline *tl = x->tl;
	size_t n = 2 * nrecs, rows = n * sizeof(*tl->rows);
	size_t segs = n * sizeof(*tl->segs);
	char *p;

	if (room && nrecs <= TW_TL_FEW) {
		tl->rows = room->rows;
		tl->segs = room->segs;
		x->below = room->below;
		return;
	}
	/* Each part starts aligned as the one before: all hold a __u64. */
	_Static_assert(sizeof(*tl->rows) % sizeof(__u64) == 0 &&
		       sizeof(*tl->segs) % sizeof(__u64) == 0 &&
		       _Alignof(struct tw_row) <= sizeof(__u64) &&
		       _Alignof(struct tw_tl_seg) <= sizeof(__u64) &&
		       _Alignof(size_t) <= sizeof(__u64),
		       "timeline parts share an allocation");
	p = tw_xrealloc(NULL, rows + segs + n * sizeof(*x->below), 1);
	tl->heap = p;
	tl->rows = (struct tw_row *)p;
	tl->segs = (struct tw_tl_seg *)(p + rows);
	x->below = (size_t *)(p + rows + segs);
}

/*
 * The timeline of @conn, in @room if it fits there (@room may be NULL);
 * tw_timeline_free() when done, and @room kept until then.
 */
void tw_timeline_build_in(struct tw_timeline *tl, const struct tw_conn *conn,
			  bool ascii, struct tw_timeline_room *room)
{
	struct tw_tl x = { .tl = tl, .ascii = ascii, .self = conn->self };
	size_t s, nrecs = 0;

	memset(tl, 0, sizeof(*tl));
	x.side[TW_LEFT].sk = conn->client;
	x.side[TW_RIGHT].sk = conn->server;
	x.track = x.self || (conn->client && conn->server);
	for (s = 0; s < 2; s++)
		if (x.side[s].sk)
			nrecs += x.side[s].sk->nrecs;
	tw_tl_alloc(&x, nrecs, room);

	/* Merge the two sides, each already in (ts, seq) order. */
	for (;;) {
		const struct tcpwave_record *r[2] = { NULL, NULL };
		enum tw_side side;

		for (s = 0; s < 2; s++)
			if (x.side[s].sk && x.side[s].i < x.side[s].sk->nrecs)
				r[s] = x.side[s].sk->recs[x.side[s].i];
		if (!r[0] && !r[1])
			break;
		if (!r[1])
			side = TW_LEFT;
		else if (!r[0])
			side = TW_RIGHT;
		else if (r[0]->ts_ns != r[1]->ts_ns)
			side = r[0]->ts_ns < r[1]->ts_ns ? TW_LEFT : TW_RIGHT;
		else
			side = r[0]->seq <= r[1]->seq ? TW_LEFT : TW_RIGHT;
		tw_tl_record(&x, side, r[side]);
		x.side[side].i++;
	}
}

void tw_timeline_build(struct tw_timeline *tl, const struct tw_conn *conn,
		       bool ascii)
{
	tw_timeline_build_in(tl, conn, ascii, NULL);
}

void tw_timeline_free(struct tw_timeline *tl)
{
	free(tl->heap);
	memset(tl, 0, sizeof(*tl));
}
