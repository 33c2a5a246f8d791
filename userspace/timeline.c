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

/* Segments sent by one side that nobody received yet, latest on top. */
struct tw_stack {
	size_t *v;
	size_t n;
	size_t cap;
};

struct tw_tl_side {
	const struct tw_sock *sk;
	size_t i;			/* next record */
	bool shown;			/* a transition cell was drawn */
	bool had_child;
	bool has_estab;			/* when it reached ESTABLISHED */
	__u64 estab_ts;
	unsigned int rtx[TW_SEG_MAX];	/* retransmissions so far */
	long first[TW_SEG_MAX];		/* the first segment of each kind */
	struct tw_stack pending[TW_SEG_MAX];
};

struct tw_tl {
	struct tw_timeline *tl;
	struct tw_tl_side side[2];
	bool track;			/* both ends traced: match segments */
	bool self;			/* one socket, connected to itself */
	bool ascii;
};

static void tw_push(struct tw_stack *st, size_t v)
{
	tw_grow((void **)&st->v, &st->cap, st->n + 1, sizeof(*st->v));
	st->v[st->n++] = v;
}

static bool tw_pop(struct tw_stack *st, size_t *v)
{
	if (!st->n)
		return false;
	*v = st->v[--st->n];
	return true;
}

static struct tw_row *tw_tl_row(struct tw_tl *x, __u64 ts, enum tw_side side,
				const char *cell)
{
	struct tw_timeline *tl = x->tl;
	struct tw_row *row;

	tw_grow((void **)&tl->rows, &tl->rows_cap, tl->nrows + 1,
		sizeof(*tl->rows));
	row = &tl->rows[tl->nrows++];
	memset(row, 0, sizeof(*row));
	row->ts = ts;
	row->side = side;
	tw_copy(row->cell, sizeof(row->cell), cell);
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
	struct tw_tl_seg *s;

	tw_grow((void **)&tl->segs, &tl->segs_cap, tl->nsegs + 1,
		sizeof(*tl->segs));
	s = &tl->segs[tl->nsegs];
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
static const char *tw_reason_suffix(char *buf, size_t size,
				    unsigned int reason)
{
	const char *name = tw_reason_name(reason);
	char *p = buf, *end = buf + size;

	if (reason == TCPWAVE_REASON_none || reason == TCPWAVE_REASON_close)
		return "";
	p = tw_cat(p, end, " (");
	p = tw_cat(p, end, name ? name : "?");
	tw_cat(p, end, ")");
	return buf;
}

/*
 * A transition's cell: the new state, "OLD→NEW" for a side's first one
 * unless it starts from CLOSE (so that a side first seen mid-life shows
 * where it was), and for the end of TIME_WAIT or of a timewait socket's
 * FIN_WAIT2, how long it lasted.
 */
static void tw_tl_trans_cell(struct tw_tl *x, struct tw_tl_side *me,
			     const struct tcpwave_record *r, char *cell)
{
	char o[TW_STATE_STRLEN], n[TW_STATE_STRLEN], t[TW_TRANS_STRLEN];
	char buf[32], dur[32];
	const char *why;
	__u64 since;

	why = tw_reason_suffix(buf, sizeof(buf), r->reason);
	if (r->newstate == TCPWAVE_CLOSE &&
	    (r->oldstate == TCPWAVE_TIME_WAIT ||
	     (r->event == TCPWAVE_EV_timewait &&
	      r->oldstate == TCPWAVE_FIN_WAIT2)) &&
	    tw_sock_since(me->sk, me->i, &since)) {
		/* 2MSL: TCP_TIMEWAIT_LEN, the timer that expired. */
		tw_fmt_dur(dur, sizeof(dur), r->ts_ns - since);
		snprintf(cell, TW_CELL_STRLEN, "%s %s%s %s %s%s",
			 tw_state_str(r->oldstate, o), dur,
			 r->oldstate == TCPWAVE_TIME_WAIT &&
			 r->reason == TCPWAVE_REASON_expired ? " (2MSL)" : "",
			 x->ascii ? "->" : "\u2192",
			 tw_state_str(r->newstate, n), why);
	} else {
		/* Most cells: without snprintf(). */
		char *p = cell, *end = cell + TW_CELL_STRLEN;

		if (!me->shown && r->oldstate != TCPWAVE_CLOSE)
			p = tw_cat(p, end, tw_fmt_trans(t, r->oldstate,
							r->newstate, x->ascii));
		else
			p = tw_cat(p, end, tw_state_str(r->newstate, n));
		tw_cat(p, end, r->newstate == TCPWAVE_CLOSE ? why : "");
	}
	me->shown = true;
}

static void tw_tl_cell(struct tw_tl *x, struct tw_tl_side *me,
		       const struct tcpwave_record *r,
		       const struct tw_segs *segs, char *cell)
{
	char dur[32], n[TW_STATE_STRLEN];

	cell[0] = '\0';
	switch (r->event) {
	case TCPWAVE_EV_retrans:
		snprintf(cell, TW_CELL_STRLEN, "retrans %u",
			 me->rtx[segs->sent]);
		return;
	case TCPWAVE_EV_accept:
		/* The accept queue: from ESTABLISHED to accept(). */
		if (me->has_estab) {
			tw_fmt_dur(dur, sizeof(dur), r->ts_ns - me->estab_ts);
			snprintf(cell, TW_CELL_STRLEN, "accept() after %s",
				 dur);
		} else {
			snprintf(cell, TW_CELL_STRLEN, "accept()");
		}
		return;
	case TCPWAVE_EV_rst:
	case TCPWAVE_EV_child:
		return;		/* its segment says it all */
	case TCPWAVE_EV_syn:
		if (r->newstate != TCPWAVE_SYN_RECV)
			break;
		/* LISTEN is the listener's state: its own ladder shows it. */
		tw_copy(cell, TW_CELL_STRLEN, tw_state_str(r->newstate, n));
		me->shown = true;
		return;
	case TCPWAVE_EV_timewait:
		if (r->oldstate != r->newstate)
			break;
		/* tcp_time_wait() in FIN_WAIT2: the full socket is gone. */
		snprintf(cell, TW_CELL_STRLEN, "(timewait sock)");
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
	char cell[TW_CELL_STRLEN];
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
	if (segs.optional && x->track && !them->pending[segs.recv].n) {
		segs.recv = TW_SEG_NONE;
		segs.sent = TW_SEG_NONE;
	}

	if (segs.recv != TW_SEG_NONE) {
		if (x->track && tw_pop(&them->pending[segs.recv], &k)) {
			got = k;
			if (tl->segs[k].same_as >= 0)
				k = tl->segs[k].same_as;
			tw_label_confirm(&tl->segs[k].s, r, me->sk);
			if (x->self) {
				row = tw_tl_row(x, r->ts_ns, s, "");
				tw_tl_arrow(row, s, got);
			}
		} else {
			got = tw_tl_seg_new(x, segs.recv);
			tw_label_received(&tl->segs[got].s, r, me->sk);
			row = tw_tl_row(x, r->ts_ns, s, "");
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
			tl->segs[k].same_as = me->first[segs.sent];
		else if (me->first[segs.sent] < 0)
			me->first[segs.sent] = k;
		if (x->track)
			tw_push(&me->pending[segs.sent], k);
	}

	tw_tl_cell(x, me, r, &segs, cell);
	row = NULL;
	if (segs.sent != TW_SEG_NONE) {
		row = tw_tl_row(x, r->ts_ns, s, cell);
		tw_tl_arrow(row, out, k);
	} else if (cell[0]) {
		row = tw_tl_row(x, r->ts_ns, s, cell);
	}
	if (row && cell[0] && r->newstate == TCPWAVE_CLOSE)
		row->bad = tw_reason_bad(r->reason);
}

void tw_timeline_build(struct tw_timeline *tl, const struct tw_conn *conn,
		       bool ascii)
{
	struct tw_tl x = { .tl = tl, .ascii = ascii, .self = conn->self };
	size_t s, k;

	memset(tl, 0, sizeof(*tl));
	x.side[TW_LEFT].sk = conn->client;
	x.side[TW_RIGHT].sk = conn->server;
	x.track = x.self || (conn->client && conn->server);
	for (s = 0; s < 2; s++)
		for (k = 0; k < TW_SEG_MAX; k++)
			x.side[s].first[k] = -1;

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

	for (s = 0; s < 2; s++)
		for (k = 0; k < TW_SEG_MAX; k++)
			free(x.side[s].pending[k].v);
}

void tw_timeline_free(struct tw_timeline *tl)
{
	free(tl->rows);
	free(tl->segs);
	memset(tl, 0, sizeof(*tl));
}
