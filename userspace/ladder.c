// SPDX-License-Identifier: GPL-2.0
/*
 * ladder.c - draw each connection as a ladder: the client's transitions
 * on the left, the server's on the right, the segments between them as
 * labelled arrows, one row per event in time order (timeline.c).
 *
 * The layout keeps a ladder within 80 columns: the arrows are as wide
 * as their widest label needs, the right cells beside an arrow as wide
 * as the widest of them (at least TW_CELL_MIN), and the left cells take
 * what is left, up to TW_CELL_W.  A cell too wide for its place moves
 * rather than push an arrow out of line: a left one onto a row of its
 * own, a right one without an arrow to end at the right margin.
 */
#include <string.h>

#include "ladder.h"
#include "states.h"
#include "timeline.h"

/*
 * Widths in display columns.  With an 8 column time and arrows of 22,
 * a ladder whose cells hold "ESTABLISHED->CLOSE_WAIT" fits 80 columns.
 */
#define TW_TIME_W	8	/* "9999.999"; grows for longer connections */
#define TW_CELL_W	23	/* the most a left cell gets */
#define TW_CELL_MIN	11	/* "ESTABLISHED": the least a cell gets */
#define TW_ARROW_W	22	/* the least an arrow gets */
#define TW_ARROW_PAD	7	/* head, a blank and two dashes each side */
#define TW_LINE_W	80

struct tw_ladder {
	FILE *f;
	const struct tw_view *v;
	struct tw_buf line;
	size_t time_w;
	size_t col_left;
	size_t col_arrow;
	size_t col_right;
	size_t arrow_w;
	size_t line_w;		/* TW_LINE_W, unless the layout cannot fit */
	__u64 t0;
};

static void tw_ladder_time(struct tw_ladder *l, __u64 ts)
{
	char ms[32];

	tw_fmt_ms(ms, sizeof(ms), ts - l->t0);
	tw_buf_rjust(&l->line, l->time_w, ms);
}

/* Colours of segments: the handshake green, the close cyan, RST red. */
static const char *tw_seg_sgr(enum tw_seg kind)
{
	switch (kind) {
	case TW_SEG_FIN:
		return TW_SGR_CYAN;
	case TW_SEG_RST:
	case TW_SEG_RSTACK:
		return TW_SGR_RED;
	default:
		return TW_SGR_GREEN;
	}
}

/* An arrow of l->arrow_w columns, toward @to, labelled @label. */
static void tw_ladder_arrow(struct tw_ladder *l, enum tw_side to,
			    const char *label, enum tw_seg kind)
{
	const char *dash = l->v->ascii ? "-" : "\u2500";
	size_t width = tw_width(label) + 2;
	size_t body = l->arrow_w - 1;
	size_t left, right, i;

	if (width > body)
		width = body;
	left = (body - width) / 2;
	right = body - width - left;
	tw_buf_pad_to(&l->line, l->col_arrow);
	tw_buf_sgr(&l->line, l->v, tw_seg_sgr(kind));
	if (to == TW_LEFT)
		tw_buf_puts(&l->line, l->v->ascii ? "<" : "\u25c0");
	for (i = 0; i < left; i++)
		tw_buf_puts(&l->line, dash);
	tw_buf_puts(&l->line, " ");
	tw_buf_puts(&l->line, label);
	tw_buf_puts(&l->line, " ");
	for (i = 0; i < right; i++)
		tw_buf_puts(&l->line, dash);
	if (to == TW_RIGHT)
		tw_buf_puts(&l->line, l->v->ascii ? ">" : "\u25b6");
	tw_buf_sgr(&l->line, l->v, TW_SGR_OFF);
}

/* A row's cell, red if it tells of a bad end ("CLOSE (refused)"). */
static void tw_ladder_cell(struct tw_ladder *l, const struct tw_row *row)
{
	if (row->bad)
		tw_buf_sgr(&l->line, l->v, TW_SGR_RED);
	tw_buf_puts(&l->line, row->cell);
	if (row->bad)
		tw_buf_sgr(&l->line, l->v, TW_SGR_OFF);
}

static void tw_ladder_layout(struct tw_ladder *l, const struct tw_conn *conn,
			     const struct tw_timeline *tl)
{
	size_t label = 0, right = TW_CELL_MIN, i;
	long room;
	char ms[32];

	l->t0 = conn->first_ts;
	tw_fmt_ms(ms, sizeof(ms), conn->last_ts - conn->first_ts);
	l->time_w = strlen(ms) > TW_TIME_W ? strlen(ms) : TW_TIME_W;
	for (i = 0; i < tl->nrows; i++) {
		const struct tw_row *row = &tl->rows[i];
		size_t w;

		if (!row->arrow)
			continue;
		w = tw_label_width(tw_timeline_seg(tl, row->seg));
		if (w > label)
			label = w;
		w = tw_width(row->cell);
		if (row->side == TW_RIGHT && w > right)
			right = w;
	}
	if (right > TW_CELL_W)
		right = TW_CELL_W;
	l->arrow_w = label + TW_ARROW_PAD > TW_ARROW_W ?
		     label + TW_ARROW_PAD : TW_ARROW_W;
	l->col_left = l->time_w + 2;
	/* Room for the left cells once the arrows and right cells fit. */
	room = (long)TW_LINE_W - (long)(l->col_left + 1 + l->arrow_w + 1 +
					right);
	if (room > TW_CELL_W)
		room = TW_CELL_W;
	if (room < TW_CELL_MIN)
		room = TW_CELL_MIN;
	l->col_arrow = l->col_left + room + 1;
	l->col_right = l->col_arrow + l->arrow_w + 1;
	l->line_w = l->col_right + TW_CELL_MIN > TW_LINE_W ?
		    l->col_right + TW_CELL_MIN : TW_LINE_W;
}

static void tw_ladder_row(struct tw_ladder *l, const struct tw_timeline *tl,
			  const struct tw_row *row)
{
	char label[TW_LABEL_STRLEN];
	size_t w = tw_width(row->cell);

	if (row->arrow)
		tw_label(label, tw_timeline_seg(tl, row->seg));
	tw_ladder_time(l, row->ts);
	if (row->side == TW_LEFT && row->cell[0]) {
		tw_buf_pad_to(&l->line, l->col_left);
		tw_ladder_cell(l, row);
		if (row->arrow && l->col_left + w >= l->col_arrow) {
			tw_buf_emit(&l->line, l->f);
			tw_ladder_time(l, row->ts);
		}
	}
	if (row->arrow)
		tw_ladder_arrow(l, row->to, label,
				tw_timeline_seg(tl, row->seg)->kind);
	if (row->side == TW_RIGHT && row->cell[0]) {
		size_t col = l->col_right;

		if (!row->arrow && col + w > l->line_w)
			col = l->line_w - w > l->col_arrow ?
			      l->line_w - w : l->col_arrow;
		tw_buf_pad_to(&l->line, col);
		tw_ladder_cell(l, row);
	}
	tw_buf_emit(&l->line, l->f);
}

/* " comm[pid]" of the owner (tw_sock_owner()), or " ?". */
static void tw_ladder_owner(struct tw_buf *b, const struct tw_sock *sk)
{
	const struct tcpwave_record *r = tw_sock_owner(sk);

	if (!r) {
		tw_buf_puts(b, " ?");
		return;
	}
	tw_buf_puts(b, " ");
	tw_buf_puts_safe(b, r->comm, sizeof(r->comm));
	tw_buf_puts(b, "[");
	tw_buf_u64(b, r->pid);
	tw_buf_puts(b, "]");
}

/*
 * "server sk:COOKIE comm[pid]", and on a line of its own the request
 * socket it grew from and its listener: the cookies "ss -e" and the
 * listener's own ladder show.
 */
static void tw_ladder_who(struct tw_ladder *l, const char *role,
			  const struct tw_sock *sk)
{
	char ck[TW_COOKIE_STRLEN];
	bool sep = false;

	/* "  %s %ssk:%s", without printf: two lines of every ladder. */
	tw_buf_puts(&l->line, "  ");
	tw_buf_puts(&l->line, role);
	tw_buf_puts(&l->line, sk->req_only ? " request sk:" : " sk:");
	tw_buf_puts(&l->line, tw_fmt_cookie(ck, sk->cookie));
	tw_ladder_owner(&l->line, sk);
	tw_buf_emit(&l->line, l->f);
	if (!sk->has_req && !sk->has_lcookie)
		return;
	tw_buf_puts(&l->line, "    ");
	if (sk->has_req) {
		tw_buf_printf(&l->line, "request sk:%s",
			      tw_fmt_cookie(ck, sk->req_cookie));
		sep = true;
	}
	if (sk->has_lcookie)
		tw_buf_printf(&l->line, "%slistener sk:%s", sep ? ", " : "",
			      tw_fmt_cookie(ck, sk->lcookie));
	tw_buf_emit(&l->line, l->f);
}

static void tw_ladder_say(struct tw_ladder *l, const char *s)
{
	tw_buf_puts(&l->line, s);
	tw_buf_emit(&l->line, l->f);
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
	const char *left = "client", *right = "server";

	if (conn->listener) {
		tw_buf_sgr(&l->line, l->v, TW_SGR_BOLD);
		tw_buf_puts(&l->line, "listener ");
		tw_buf_u64(&l->line, id);
		tw_buf_puts(&l->line, ": ");
		tw_buf_puts(&l->line,
			    tw_fmt_ep(a, r->family, r->laddr, r->lport));
		tw_buf_sgr(&l->line, l->v, TW_SGR_OFF);
		tw_buf_emit(&l->line, l->f);
		tw_ladder_who(l, "listener", sv);
		left = "";
		right = "listener";
	} else {
		tw_conn_endpoints(conn, a, b);
		tw_buf_sgr(&l->line, l->v, TW_SGR_BOLD);
		tw_buf_puts(&l->line, "connection ");
		tw_buf_u64(&l->line, id);
		tw_buf_puts(&l->line, ": ");
		tw_buf_puts(&l->line, a);
		tw_buf_puts(&l->line, " -> ");
		tw_buf_puts(&l->line, b);
		tw_buf_sgr(&l->line, l->v, TW_SGR_OFF);
		tw_buf_emit(&l->line, l->f);
		if (conn->self) {
			tw_ladder_say(l, cl->simopen ?
				      "  connected to itself (simultaneous open)" :
				      "  connected to itself");
			tw_ladder_who(l, "socket", cl);
			left = "socket";
			right = "itself";
		} else {
			if (cl)
				tw_ladder_who(l, "client", cl);
			else
				tw_ladder_say(l, "  client not traced");
			if (sv)
				tw_ladder_who(l, "server", sv);
			else if (tw_conn_refused(conn))
				tw_ladder_say(l,
					      "  server refused the connection");
			else
				tw_ladder_say(l, "  server not traced");
		}
	}

	tw_buf_rjust(&l->line, l->time_w, "ms");
	tw_buf_pad_to(&l->line, l->col_left);
	tw_buf_puts(&l->line, left);
	tw_buf_pad_to(&l->line, l->col_right);
	tw_buf_puts(&l->line, right);
	tw_buf_emit(&l->line, l->f);
}

/*
 * Footer items, ", " between them, wrapped at the line width: with the
 * close reasons, one line of them may not fit.
 */
struct tw_items {
	struct tw_ladder *l;
	bool any;
};

static void tw_item(struct tw_items *it, const char *s)
{
	struct tw_ladder *l = it->l;

	if (it->any && tw_buf_width(&l->line) + 2 + tw_width(s) > TW_LINE_W) {
		tw_buf_puts(&l->line, ",");
		tw_buf_emit(&l->line, l->f);
		it->any = false;
	}
	if (it->any)
		tw_buf_puts(&l->line, ", ");
	else
		tw_buf_pad_to(&l->line, l->col_left);
	tw_buf_puts(&l->line, s);
	it->any = true;
}

static void tw_ladder_ends(struct tw_items *it, const char *name,
			   const struct tw_sock *sk, const char *more)
{
	const struct tcpwave_record *end = tw_sock_end(sk);
	unsigned int state = tw_sock_last(sk)->newstate;
	char st[TW_STATE_STRLEN], s[128], *p = s, *e = s + sizeof(s);
	const char *why = NULL;

	if (state == TCPWAVE_CLOSE && end && end->reason) {
		why = tw_reason_name(end->reason);
		if (!why)
			why = "?";
	}
	/* "%s ends in %s%s%s%s%s", without printf. */
	p = tw_cat(p, e, name);
	p = tw_cat(p, e, " ends in ");
	p = tw_cat(p, e, tw_state_str(state, st));
	if (why) {
		p = tw_cat(p, e, " (");
		p = tw_cat(p, e, why);
		p = tw_cat(p, e, ")");
	}
	tw_cat(p, e, more);
	tw_item(it, s);
}

static void tw_ladder_footer(struct tw_ladder *l, const struct tw_conn *conn,
			     const struct tw_trace *t,
			     const struct tw_timeline *tl)
{
	struct tw_items it = { .l = l };
	__u64 lost = tw_conn_lost(conn, t);
	__u64 before = tw_conn_lost_before(conn, t);
	const char *alone = "";
	char s[64];

	tw_fmt_ms(s, sizeof(s), conn->last_ts - conn->first_ts);
	tw_buf_pad_to(&l->line, l->col_left);
	tw_buf_puts(&l->line, "duration ");
	tw_buf_puts(&l->line, s);
	tw_buf_puts(&l->line, " ms");
	it.any = true;
	if (!conn->listener && !conn->self && !tw_conn_refused(conn) &&
	    (!conn->client || !conn->server))
		alone = " (other end not traced)";
	if (conn->self)
		tw_ladder_ends(&it, "socket", conn->client, "");
	else if (conn->client)
		tw_ladder_ends(&it, "client", conn->client,
			       conn->server ? "" : alone);
	if (conn->server)
		tw_ladder_ends(&it, conn->listener ? "listener" : "server",
			       conn->server, alone);
	tw_buf_emit(&l->line, l->f);
	if (lost) {
		tw_buf_pad_to(&l->line, l->col_left);
		tw_buf_printf(&l->line,
			"%llu records lost meanwhile: steps may be missing",
			(unsigned long long)lost);
		tw_buf_emit(&l->line, l->f);
	}
	if (before) {
		tw_buf_pad_to(&l->line, l->col_left);
		tw_buf_printf(&l->line,
			"%llu records lost before it: its start may be missing",
			(unsigned long long)before);
		tw_buf_emit(&l->line, l->f);
	}
	if (tl->unknown) {
		tw_buf_pad_to(&l->line, l->col_left);
		tw_buf_printf(&l->line,
			"%zu record%s of events unknown to this viewer not drawn",
			tl->unknown, tl->unknown == 1 ? "" : "s");
		tw_buf_emit(&l->line, l->f);
	}
}

static void tw_ladder_conn(struct tw_ladder *l, const struct tw_conn *conn,
			   size_t id, const struct tw_trace *t)
{
	struct tw_timeline tl;
	size_t i;

	tw_timeline_build(&tl, conn, l->v->ascii);
	tw_ladder_layout(l, conn, &tl);
	tw_ladder_header(l, conn, id);
	for (i = 0; i < tl.nrows; i++)
		tw_ladder_row(l, &tl, &tl.rows[i]);
	tw_ladder_footer(l, conn, t, &tl);
	tw_timeline_free(&tl);
}

/*
 * The ladder of one connection, numbered @id: -E draws each connection
 * as it ends, numbered in the order they end.
 */
void tw_ladder_print_conn(FILE *f, const struct tw_conn *conn, size_t id,
			  const struct tw_trace *t, const struct tw_view *v)
{
	struct tw_ladder l = { .f = f, .v = v };

	tw_ladder_conn(&l, conn, id, t);
	tw_buf_free(&l.line);
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
