// SPDX-License-Identifier: GPL-2.0
/*
 * ladder.c - draw each connection as a ladder: the client's transitions
 * on the left, the server's on the right, the segments they imply as
 * arrows between them, one row per event in time order.
 *
 * Each segment is drawn once.  A sent segment is drawn on its sender's
 * row; when the receiver's transition comes, the segment it received is
 * matched (per kind, first in first out) against those the other side
 * already drew, and only an unmatched one - its sender was not traced,
 * or lost - gets a row of its own, pointing at the receiver.
 */
#include <string.h>

#include "ladder.h"
#include "segments.h"
#include "states.h"

/*
 * Widths in display columns.  With an 8 column time, a ladder whose
 * cells hold "ESTABLISHED->CLOSE_WAIT" still fits 80 columns.
 */
#define TW_TIME_W	8	/* "9999.999"; grows for longer connections */
#define TW_CELL_W	23
#define TW_ARROW_W	22

enum tw_side { TW_LEFT, TW_RIGHT };

struct tw_ladder {
	FILE *f;
	const struct tw_view *v;
	struct tw_buf line;
	size_t time_w;
	size_t col_left;
	size_t col_arrow;
	size_t col_right;
	__u64 t0;
	/* Segments drawn as sent by each side, not yet received. */
	unsigned long pending[2][TW_SEG_MAX];
};

static void tw_ladder_time(struct tw_ladder *l, __u64 ts)
{
	char ms[32];

	tw_fmt_ms(ms, sizeof(ms), ts - l->t0);
	tw_buf_printf(&l->line, "%*s", (int)l->time_w, ms);
}

/* An arrow of TW_ARROW_W columns, toward @to, labelled by @seg. */
static void tw_ladder_arrow(struct tw_ladder *l, enum tw_side to,
			    enum tw_seg seg)
{
	const char *dash = l->v->ascii ? "-" : "\u2500";
	const char *name = tw_seg_name(seg);
	size_t label = strlen(name) + 2;
	size_t body = TW_ARROW_W - 1;
	size_t left, right, i;

	if (label > body)
		label = body;
	left = (body - label) / 2;
	right = body - label - left;
	tw_buf_pad_to(&l->line, l->col_arrow);
	if (to == TW_LEFT)
		tw_buf_puts(&l->line, l->v->ascii ? "<" : "\u25c0");
	for (i = 0; i < left; i++)
		tw_buf_puts(&l->line, dash);
	tw_buf_printf(&l->line, " %s ", name);
	for (i = 0; i < right; i++)
		tw_buf_puts(&l->line, dash);
	if (to == TW_RIGHT)
		tw_buf_puts(&l->line, l->v->ascii ? ">" : "\u25b6");
}

/*
 * "OLD→NEW" for a side's first transition unless it starts from CLOSE,
 * so that a socket first seen mid-life (an accepted child: SYN_RECV)
 * shows where it started; the new state alone otherwise.
 */
static const char *tw_ladder_cell(char buf[TW_TRANS_STRLEN],
				  const struct tcpwave_record *r, bool first,
				  bool ascii)
{
	if (first && r->oldstate != TCPWAVE_CLOSE)
		return tw_fmt_trans(buf, r->oldstate, r->newstate, ascii);
	return tw_state_str(r->newstate, buf);
}

static void tw_ladder_event(struct tw_ladder *l, enum tw_side side,
			    const struct tcpwave_record *r, bool first,
			    bool peer_traced)
{
	struct tw_segs segs = tw_segs_implied(r->oldstate, r->newstate);
	enum tw_side other = side == TW_LEFT ? TW_RIGHT : TW_LEFT;
	char buf[TW_TRANS_STRLEN];
	const char *cell;

	/*
	 * A transition that happens with or without its segments: with
	 * the peer traced, believe in them only if the peer sent them.
	 * Alone, we cannot tell: draw what the transition usually means.
	 */
	if (segs.optional && peer_traced && !l->pending[other][segs.recv]) {
		segs.recv = TW_SEG_NONE;
		segs.sent = TW_SEG_NONE;
	}
	if (segs.recv != TW_SEG_NONE) {
		if (l->pending[other][segs.recv]) {
			l->pending[other][segs.recv]--;
		} else {
			tw_ladder_time(l, r->ts_ns);
			tw_ladder_arrow(l, side, segs.recv);
			tw_buf_emit(&l->line, l->f);
		}
	}

	tw_ladder_time(l, r->ts_ns);
	cell = tw_ladder_cell(buf, r, first, l->v->ascii);
	if (side == TW_LEFT) {
		tw_buf_pad_to(&l->line, l->col_left);
		tw_buf_puts(&l->line, cell);
	}
	if (segs.sent != TW_SEG_NONE) {
		tw_ladder_arrow(l, other, segs.sent);
		if (peer_traced)
			l->pending[side][segs.sent]++;
	}
	if (side == TW_RIGHT) {
		tw_buf_pad_to(&l->line, l->col_right);
		tw_buf_puts(&l->line, cell);
	}
	tw_buf_emit(&l->line, l->f);
}

/*
 * "client sk:COOKIE comm[pid]", the process that owns the socket
 * (tw_sock_owner()), or "?" when no record names it.
 */
static void tw_ladder_who(struct tw_buf *b, const char *role,
			  const struct tw_sock *sk)
{
	const struct tcpwave_record *r;
	char ck[TW_COOKIE_STRLEN];

	if (!sk) {
		tw_buf_printf(b, "%s not traced", role);
		return;
	}
	tw_buf_printf(b, "%s sk:%s", role, tw_fmt_cookie(ck, sk->cookie));
	r = tw_sock_owner(sk);
	if (!r) {
		tw_buf_puts(b, " ?");
		return;
	}
	tw_buf_puts(b, " ");
	tw_buf_puts_safe(b, r->comm, sizeof(r->comm));
	tw_buf_printf(b, "[%u]", r->pid);
}

/*
 * The connection, who is at each end (a line each: two comms of 15
 * bytes do not fit one line of 80 columns), and the column titles.
 */
static void tw_ladder_header(struct tw_ladder *l, const struct tw_conn *conn,
			     size_t id)
{
	const struct tw_sock *cl = conn->client, *sv = conn->server;
	const struct tcpwave_record *r = cl ? cl->tuple : sv->tuple;
	char a[TW_EP_STRLEN], b[TW_EP_STRLEN];

	if (conn->listener) {
		tw_buf_printf(&l->line, "listener %zu: %s", id,
			      tw_fmt_ep(a, r->family, r->laddr, r->lport));
		tw_buf_emit(&l->line, l->f);
		tw_buf_puts(&l->line, "  ");
		tw_ladder_who(&l->line, "listener", sv);
	} else {
		if (cl) {
			tw_fmt_ep(a, r->family, r->laddr, r->lport);
			tw_fmt_ep(b, r->family, r->raddr, r->rport);
		} else {
			tw_fmt_ep(a, r->family, r->raddr, r->rport);
			tw_fmt_ep(b, r->family, r->laddr, r->lport);
		}
		tw_buf_printf(&l->line, "connection %zu: %s -> %s", id, a, b);
		tw_buf_emit(&l->line, l->f);
		tw_buf_puts(&l->line, "  ");
		tw_ladder_who(&l->line, "client", cl);
		tw_buf_emit(&l->line, l->f);
		tw_buf_puts(&l->line, "  ");
		tw_ladder_who(&l->line, "server", sv);
	}
	tw_buf_emit(&l->line, l->f);

	tw_buf_printf(&l->line, "%*s", (int)l->time_w, "ms");
	tw_buf_pad_to(&l->line, l->col_left);
	if (!conn->listener)
		tw_buf_puts(&l->line, "client");
	tw_buf_pad_to(&l->line, l->col_right);
	tw_buf_puts(&l->line, conn->listener ? "listener" : "server");
	tw_buf_emit(&l->line, l->f);
}

static void tw_ladder_footer(struct tw_ladder *l, const struct tw_conn *conn,
			     const struct tw_trace *t)
{
	const struct tw_sock *side[2] = { conn->client, conn->server };
	const char *name[2] = {
		"client", conn->listener ? "listener" : "server"
	};
	char ms[32], st[TW_STATE_STRLEN];
	__u64 lost = tw_conn_lost(conn, t);
	size_t s;

	tw_fmt_ms(ms, sizeof(ms), conn->last_ts - conn->first_ts);
	tw_buf_pad_to(&l->line, l->col_left);
	tw_buf_printf(&l->line, "duration %s ms", ms);
	for (s = 0; s < 2; s++) {
		const struct tw_sock *sk = side[s];

		if (!sk)
			continue;
		tw_buf_printf(&l->line, ", %s ends in %s", name[s],
			      tw_state_str(sk->recs[sk->nrecs - 1]->newstate,
					   st));
		if (sk->self)
			tw_buf_puts(&l->line, " (connected to itself)");
	}
	if (!conn->listener && (!side[0] || !side[1]) &&
	    !(side[0] ? side[0] : side[1])->self)
		tw_buf_puts(&l->line, " (other end not traced)");
	tw_buf_emit(&l->line, l->f);
	if (lost) {
		tw_buf_pad_to(&l->line, l->col_left);
		tw_buf_printf(&l->line,
			"%llu records lost meanwhile: steps may be missing",
			(unsigned long long)lost);
		tw_buf_emit(&l->line, l->f);
	}
}

static void tw_ladder_conn(struct tw_ladder *l, const struct tw_conn *conn,
			   size_t id, const struct tw_trace *t)
{
	const struct tw_sock *side[2] = { conn->client, conn->server };
	size_t i[2] = { 0, 0 };
	char ms[32];

	memset(l->pending, 0, sizeof(l->pending));
	l->t0 = conn->first_ts;
	tw_fmt_ms(ms, sizeof(ms), conn->last_ts - conn->first_ts);
	l->time_w = strlen(ms) > TW_TIME_W ? strlen(ms) : TW_TIME_W;
	l->col_left = l->time_w + 2;
	l->col_arrow = l->col_left + TW_CELL_W + 1;
	l->col_right = l->col_arrow + TW_ARROW_W + 1;

	tw_ladder_header(l, conn, id);

	/* Merge the two sides, each already in (ts, seq) order. */
	for (;;) {
		const struct tcpwave_record *r[2] = { NULL, NULL };
		enum tw_side s;

		if (side[0] && i[0] < side[0]->nrecs)
			r[0] = side[0]->recs[i[0]];
		if (side[1] && i[1] < side[1]->nrecs)
			r[1] = side[1]->recs[i[1]];
		if (!r[0] && !r[1])
			break;
		if (!r[1])
			s = TW_LEFT;
		else if (!r[0])
			s = TW_RIGHT;
		else if (r[0]->ts_ns != r[1]->ts_ns)
			s = r[0]->ts_ns < r[1]->ts_ns ? TW_LEFT : TW_RIGHT;
		else
			s = r[0]->seq <= r[1]->seq ? TW_LEFT : TW_RIGHT;
		tw_ladder_event(l, s, r[s], i[s] == 0, side[!s] != NULL);
		i[s]++;
	}

	tw_ladder_footer(l, conn, t);
}

void tw_ladder_print(FILE *f, const struct tw_conns *c,
		     const struct tw_trace *t, const struct tw_view *v)
{
	struct tw_ladder l = { .f = f, .v = v };
	bool first = true;
	size_t i;

	for (i = 0; i < c->nconns; i++) {
		if (v->only && v->only != i + 1)
			continue;
		if (!first)
			fputc('\n', f);
		first = false;
		tw_ladder_conn(&l, &c->conns[i], i + 1, t);
	}
	tw_buf_free(&l.line);
}
