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
#include <stdlib.h>
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

/*
 * The ladder's text collects in buf and goes to stdio in one fwrite() a
 * ladder (or a buffer's worth), not one a line.  A line is written only
 * once finished: its trailing blanks must go first.  A line longer than
 * buf (none that we draw is) moves the text to the heap.
 */
#define TW_LADDER_BUF	4096

struct tw_ladder {
	FILE *f;
	const struct tw_view *v;
	char *s;		/* the text not written yet: buf or the heap */
	size_t len;
	size_t cap;
	size_t bol;		/* where the line being built starts in s */
	size_t col;		/* and its display width so far */
	size_t time_w;
	size_t col_left;
	size_t col_arrow;
	size_t col_right;
	size_t arrow_w;
	size_t line_w;		/* TW_LINE_W, unless the layout cannot fit */
	__u64 t0;
	char buf[TW_LADDER_BUF];
};

static void tw_ladder_init(struct tw_ladder *l, FILE *f,
			   const struct tw_view *v)
{
	l->f = f;
	l->v = v;
	l->s = l->buf;
	l->len = 0;
	l->cap = sizeof(l->buf);
	l->bol = 0;
	l->col = 0;
}

/* Write the finished lines; the one being built moves to the front. */
static void tw_ladder_write(struct tw_ladder *l)
{
	if (l->bol)
		fwrite(l->s, 1, l->bol, l->f);
	memmove(l->s, l->s + l->bol, l->len - l->bol);
	l->len -= l->bol;
	l->bol = 0;
}

/* tw_ladder_room(), when the buffer is short of @n bytes. */
static void tw_ladder_room_slow(struct tw_ladder *l, size_t n)
{
	size_t cap = l->cap;
	char *p;

	tw_ladder_write(l);
	if (l->cap - l->len >= n)
		return;
	while (cap - l->len < n)
		cap *= 2;
	if (l->s == l->buf) {
		p = tw_xrealloc(NULL, cap, 1);
		memcpy(p, l->buf, l->len);
	} else {
		p = tw_xrealloc(l->s, cap, 1);
	}
	l->s = p;
	l->cap = cap;
}

static inline void tw_ladder_room(struct tw_ladder *l, size_t n)
{
	if (l->cap - l->len < n)
		tw_ladder_room_slow(l, n);
}

/* Write all of it, and give back the heap if a long line took any. */
static void tw_ladder_done(struct tw_ladder *l)
{
	tw_ladder_write(l);
	if (l->s != l->buf)
		free(l->s);
	l->s = l->buf;
	l->cap = sizeof(l->buf);
}

/*
 * The @n bytes at @s, @w display columns wide: the caller knows the
 * width of what it adds, so no line is ever measured (tw_width()).
 */
static inline void tw_ladder_add(struct tw_ladder *l, const char *s,
				 size_t n, size_t w)
{
	tw_ladder_room(l, n);
	memcpy(l->s + l->len, s, n);
	l->len += n;
	l->col += w;
}

/*
 * ASCII text, a column a byte.  Inline, so that the strlen() of a
 * literal is a constant.  The helpers below are inline too: each row
 * calls them several times (11 million instructions in the benchmark).
 */
static inline void tw_ladder_puts(struct tw_ladder *l, const char *s)
{
	size_t n = strlen(s);

	tw_ladder_add(l, s, n, n);
}

static inline void tw_ladder_spaces(struct tw_ladder *l, size_t n)
{
	tw_ladder_room(l, n);
	memset(l->s + l->len, ' ', n);
	l->len += n;
	l->col += n;
}

/* tw_buf_pad_to(): an overlong cell gets a single space after it. */
static inline void tw_ladder_pad_to(struct tw_ladder *l, size_t col)
{
	if (l->col < col)
		tw_ladder_spaces(l, col - l->col);
	else if (l->col && l->s[l->len - 1] != ' ')
		tw_ladder_add(l, " ", 1, 1);
}

/* An SGR escape (TW_SGR_ESC()), which takes no column; only in colour. */
static inline void tw_ladder_sgr(struct tw_ladder *l, const char *esc)
{
	if (l->v->color)
		tw_ladder_add(l, esc, strlen(esc), 0);
}

/* End the line, without its trailing blanks, as tw_buf_emit() does. */
static inline void tw_ladder_nl(struct tw_ladder *l)
{
	while (l->len > l->bol && l->s[l->len - 1] == ' ')
		l->len--;
	tw_ladder_room(l, 1);
	l->s[l->len++] = '\n';
	l->bol = l->len;
	l->col = 0;
}

static void tw_ladder_u64(struct tw_ladder *l, unsigned long long v)
{
	char d[TW_DIGITS_MAX], *p = tw_digits(d + sizeof(d), v);

	tw_ladder_add(l, p, d + sizeof(d) - p, d + sizeof(d) - p);
}

/*
 * tw_fmt_ms() of @ns, written backwards to end at @end: returns where
 * it starts.  The time of every row comes here.
 */
#define TW_MS_STRLEN	(TW_DIGITS_MAX + 4)
static char *tw_ladder_ms_text(char *end, __u64 ns)
{
	__u64 us = ns / 1000, ms = us / 1000;
	unsigned int frac = us - ms * 1000;

	/* tw_digits() of 1000 + frac: its three last digits, zeros kept. */
	end = tw_digits(end, 1000 + frac) + 1;
	*--end = '.';
	return tw_digits(end, ms);
}

/* Milliseconds, right-justified in @width columns. */
static void tw_ladder_ms(struct tw_ladder *l, size_t width, __u64 ns)
{
	char t[TW_MS_STRLEN], *p = tw_ladder_ms_text(t + sizeof(t), ns);
	size_t n = t + sizeof(t) - p;

	if (n < width)
		tw_ladder_spaces(l, width - n);
	tw_ladder_add(l, p, n, n);
}

static void tw_ladder_time(struct tw_ladder *l, __u64 ts)
{
	tw_ladder_ms(l, l->time_w, ts - l->t0);
}

/* Colours of segments: the handshake green, the close cyan, RST red. */
static const char *tw_seg_sgr(enum tw_seg kind)
{
	switch (kind) {
	case TW_SEG_FIN:
		return TW_SGR_ESC(TW_SGR_CYAN);
	case TW_SEG_RST:
	case TW_SEG_RSTACK:
		return TW_SGR_ESC(TW_SGR_RED);
	default:
		return TW_SGR_ESC(TW_SGR_GREEN);
	}
}

/* Enough dashes for any arrow in one copy: a label is at most 37 wide. */
#define TW_DASHES	48
static const char tw_dash_ascii[] =
	"------------------------------------------------";
static const char tw_dash_utf8[] =
	"\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
	"\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
	"\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
	"\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
	"\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
	"\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500";

/* @n dashes, a column each: copied from a run of them, not one by one. */
static inline void tw_ladder_dashes(struct tw_ladder *l, size_t n)
{
	const char *run = l->v->ascii ? tw_dash_ascii : tw_dash_utf8;
	size_t bytes = l->v->ascii ? 1 : sizeof("\u2500") - 1;

	while (n) {
		size_t k = n < TW_DASHES ? n : TW_DASHES;

		tw_ladder_add(l, run, k * bytes, k);
		n -= k;
	}
}

/* An arrow of l->arrow_w columns, toward @to, labelled @label (ASCII). */
static void tw_ladder_arrow(struct tw_ladder *l, enum tw_side to,
			    const char *label, size_t n, enum tw_seg kind)
{
	size_t width = n + 2;
	size_t body = l->arrow_w - 1;
	size_t left, right;

	if (width > body)
		width = body;
	left = (body - width) / 2;
	right = body - width - left;
	tw_ladder_pad_to(l, l->col_arrow);
	tw_ladder_sgr(l, tw_seg_sgr(kind));
	if (to == TW_LEFT) {
		if (l->v->ascii)
			tw_ladder_add(l, "<", 1, 1);
		else
			tw_ladder_add(l, "\u25c0", sizeof("\u25c0") - 1, 1);
	}
	tw_ladder_dashes(l, left);
	tw_ladder_add(l, " ", 1, 1);
	tw_ladder_add(l, label, n, n);
	tw_ladder_add(l, " ", 1, 1);
	tw_ladder_dashes(l, right);
	if (to == TW_RIGHT) {
		if (l->v->ascii)
			tw_ladder_add(l, ">", 1, 1);
		else
			tw_ladder_add(l, "\u25b6", sizeof("\u25b6") - 1, 1);
	}
	tw_ladder_sgr(l, TW_SGR_ESC(TW_SGR_OFF));
}

/* A row's cell, red if it tells of a bad end ("CLOSE (refused)"). */
static inline void tw_ladder_cell(struct tw_ladder *l,
				  const struct tw_row *row)
{
	if (row->bad)
		tw_ladder_sgr(l, TW_SGR_ESC(TW_SGR_RED));
	tw_ladder_add(l, row->cell, row->cell_len, row->cell_w);
	if (row->bad)
		tw_ladder_sgr(l, TW_SGR_ESC(TW_SGR_OFF));
}

static void tw_ladder_layout(struct tw_ladder *l, const struct tw_conn *conn,
			     const struct tw_timeline *tl)
{
	size_t label = 0, right = TW_CELL_MIN, i;
	char ms[TW_MS_STRLEN];
	size_t n;
	long room;

	l->t0 = conn->first_ts;
	n = ms + sizeof(ms) -
	    tw_ladder_ms_text(ms + sizeof(ms), conn->last_ts - conn->first_ts);
	l->time_w = n > TW_TIME_W ? n : TW_TIME_W;
	for (i = 0; i < tl->nrows; i++) {
		const struct tw_row *row = &tl->rows[i];
		size_t w;

		if (!row->arrow)
			continue;
		w = tw_label_width(tw_timeline_seg(tl, row->seg));
		if (w > label)
			label = w;
		if (row->side == TW_RIGHT && row->cell_w > right)
			right = row->cell_w;
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
	size_t w = row->cell_w, n = 0;

	if (row->arrow)
		n = tw_label_len(label, tw_timeline_seg(tl, row->seg));
	tw_ladder_time(l, row->ts);
	if (row->side == TW_LEFT && row->cell[0]) {
		tw_ladder_pad_to(l, l->col_left);
		tw_ladder_cell(l, row);
		if (row->arrow && l->col_left + w >= l->col_arrow) {
			tw_ladder_nl(l);
			tw_ladder_time(l, row->ts);
		}
	}
	if (row->arrow)
		tw_ladder_arrow(l, row->to, label, n,
				tw_timeline_seg(tl, row->seg)->kind);
	if (row->side == TW_RIGHT && row->cell[0]) {
		size_t col = l->col_right;

		if (!row->arrow && col + w > l->line_w)
			col = l->line_w - w > l->col_arrow ?
			      l->line_w - w : l->col_arrow;
		tw_ladder_pad_to(l, col);
		tw_ladder_cell(l, row);
	}
	tw_ladder_nl(l);
}

/*
 * tw_buf_puts_safe() of a comm, which parse.c always ends with a NUL
 * within TCPWAVE_COMM_LEN: as it is when every byte is graphic ASCII or
 * a space, as is almost always the case, else through fmt.c.  Either
 * way only ASCII comes out, a column a byte.
 */
static void tw_ladder_comm(struct tw_ladder *l, const char *comm)
{
	struct tw_buf b = { 0 };
	size_t n;

	for (n = 0; n < TCPWAVE_COMM_LEN && comm[n]; n++) {
		unsigned char c = comm[n];

		if (c < ' ' || c >= 0x7f || c == '\\')
			break;
	}
	if (n < TCPWAVE_COMM_LEN && !comm[n]) {
		tw_ladder_add(l, comm, n, n);
		return;
	}
	tw_buf_puts_safe(&b, comm, TCPWAVE_COMM_LEN);
	tw_ladder_add(l, b.s, b.len, b.len);
	tw_buf_free(&b);
}

/* " comm[pid]" of the owner (tw_sock_owner()), or " ?". */
static void tw_ladder_owner(struct tw_ladder *l, const struct tw_sock *sk)
{
	const struct tcpwave_record *r = tw_sock_owner(sk);

	if (!r) {
		tw_ladder_puts(l, " ?");
		return;
	}
	tw_ladder_puts(l, " ");
	tw_ladder_comm(l, r->comm);
	tw_ladder_puts(l, "[");
	tw_ladder_u64(l, r->pid);
	tw_ladder_puts(l, "]");
}

static void tw_ladder_cookie(struct tw_ladder *l, __u64 cookie)
{
	char ck[TW_COOKIE_STRLEN];

	tw_ladder_puts(l, tw_fmt_cookie(ck, cookie));
}

/*
 * "server sk:COOKIE comm[pid]", and on a line of its own the request
 * socket it grew from and its listener: the cookies "ss -e" and the
 * listener's own ladder show.
 */
static void tw_ladder_who(struct tw_ladder *l, const char *role,
			  const struct tw_sock *sk)
{
	tw_ladder_puts(l, "  ");
	tw_ladder_puts(l, role);
	if (sk->req_only)
		tw_ladder_puts(l, " request sk:");
	else
		tw_ladder_puts(l, " sk:");
	tw_ladder_cookie(l, sk->cookie);
	tw_ladder_owner(l, sk);
	tw_ladder_nl(l);
	if (!sk->has_req && !sk->has_lcookie)
		return;
	tw_ladder_puts(l, "    ");
	if (sk->has_req) {
		tw_ladder_puts(l, "request sk:");
		tw_ladder_cookie(l, sk->req_cookie);
		if (sk->has_lcookie)
			tw_ladder_puts(l, ", ");
	}
	if (sk->has_lcookie) {
		tw_ladder_puts(l, "listener sk:");
		tw_ladder_cookie(l, sk->lcookie);
	}
	tw_ladder_nl(l);
}

static void tw_ladder_say(struct tw_ladder *l, const char *s)
{
	tw_ladder_puts(l, s);
	tw_ladder_nl(l);
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
		tw_ladder_sgr(l, TW_SGR_ESC(TW_SGR_BOLD));
		tw_ladder_puts(l, "listener ");
		tw_ladder_u64(l, id);
		tw_ladder_puts(l, ": ");
		tw_ladder_puts(l, tw_fmt_ep(a, r->family, r->laddr, r->lport));
		tw_ladder_sgr(l, TW_SGR_ESC(TW_SGR_OFF));
		tw_ladder_nl(l);
		tw_ladder_who(l, "listener", sv);
		left = "";
		right = "listener";
	} else {
		tw_conn_endpoints(conn, a, b);
		tw_ladder_sgr(l, TW_SGR_ESC(TW_SGR_BOLD));
		tw_ladder_puts(l, "connection ");
		tw_ladder_u64(l, id);
		tw_ladder_puts(l, ": ");
		tw_ladder_puts(l, a);
		tw_ladder_puts(l, " -> ");
		tw_ladder_puts(l, b);
		tw_ladder_sgr(l, TW_SGR_ESC(TW_SGR_OFF));
		tw_ladder_nl(l);
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

	if (l->time_w > 2)
		tw_ladder_spaces(l, l->time_w - 2);
	tw_ladder_puts(l, "ms");
	tw_ladder_pad_to(l, l->col_left);
	tw_ladder_puts(l, left);
	tw_ladder_pad_to(l, l->col_right);
	tw_ladder_puts(l, right);
	tw_ladder_nl(l);
}

/*
 * Footer items, ", " between them, wrapped at the line width: with the
 * close reasons, one line of them may not fit.
 */
struct tw_items {
	struct tw_ladder *l;
	bool any;
};

/* Where the next item goes, ASCII @n bytes long: after ", ", or below. */
static void tw_item(struct tw_items *it, size_t n)
{
	struct tw_ladder *l = it->l;

	if (it->any && l->col + 2 + n > TW_LINE_W) {
		tw_ladder_puts(l, ",");
		tw_ladder_nl(l);
		it->any = false;
	}
	if (it->any)
		tw_ladder_puts(l, ", ");
	else
		tw_ladder_pad_to(l, l->col_left);
	it->any = true;
}

/*
 * "NAME ends in STATE (WHY)MORE", measured, then written piece by piece
 * into the line.  It was formatted into 128 bytes, which it never
 * filled: names of 8 bytes, states of 15 at most, reasons of 8, MORE of
 * 23.
 */
static void tw_ladder_ends(struct tw_items *it, const char *name,
			   const struct tw_sock *sk, const char *more)
{
	const struct tcpwave_record *end = tw_sock_end(sk);
	unsigned int state = tw_sock_last(sk)->newstate;
	char st[TW_STATE_STRLEN];
	const char *why = NULL, *s = tw_state_str(state, st);
	size_t n;

	if (state == TCPWAVE_CLOSE && end && end->reason) {
		why = tw_reason_name(end->reason);
		if (!why)
			why = "?";
	}
	n = strlen(name) + strlen(" ends in ") + strlen(s) + strlen(more);
	if (why)
		n += strlen(" (") + strlen(why) + strlen(")");
	tw_item(it, n);
	tw_ladder_puts(it->l, name);
	tw_ladder_puts(it->l, " ends in ");
	tw_ladder_puts(it->l, s);
	if (why) {
		tw_ladder_puts(it->l, " (");
		tw_ladder_puts(it->l, why);
		tw_ladder_puts(it->l, ")");
	}
	tw_ladder_puts(it->l, more);
}

/* A footer line of its own: "N records lost ...", @what after N. */
static void tw_ladder_note(struct tw_ladder *l, unsigned long long n,
			   const char *what, const char *more)
{
	tw_ladder_pad_to(l, l->col_left);
	tw_ladder_u64(l, n);
	tw_ladder_puts(l, what);
	tw_ladder_puts(l, more);
	tw_ladder_nl(l);
}

static void tw_ladder_footer(struct tw_ladder *l, const struct tw_conn *conn,
			     const struct tw_trace *t,
			     const struct tw_timeline *tl)
{
	struct tw_items it = { .l = l };
	__u64 lost = tw_conn_lost(conn, t);
	__u64 before = tw_conn_lost_before(conn, t);
	const char *alone = "";

	tw_ladder_pad_to(l, l->col_left);
	tw_ladder_puts(l, "duration ");
	tw_ladder_ms(l, 0, conn->last_ts - conn->first_ts);
	tw_ladder_puts(l, " ms");
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
	tw_ladder_nl(l);
	if (lost)
		tw_ladder_note(l, lost, " records lost meanwhile: ",
			       "steps may be missing");
	if (before)
		tw_ladder_note(l, before, " records lost before it: ",
			       "its start may be missing");
	if (tl->unknown)
		tw_ladder_note(l, tl->unknown,
			       tl->unknown == 1 ? " record" : " records",
			       " of events unknown to this viewer not drawn");
}

static void tw_ladder_conn(struct tw_ladder *l, const struct tw_conn *conn,
			   size_t id, const struct tw_trace *t)
{
	struct tw_timeline_room room;
	struct tw_timeline tl;
	size_t i;

	tw_timeline_build_in(&tl, conn, l->v->ascii, &room);
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
	struct tw_ladder l;

	tw_ladder_init(&l, f, v);
	tw_ladder_conn(&l, conn, id, t);
	tw_ladder_done(&l);
}

void tw_ladder_print(FILE *f, const struct tw_conns *c,
		     const struct tw_trace *t, const struct tw_view *v)
{
	struct tw_ladder l;
	bool first = true;
	size_t i;

	tw_ladder_init(&l, f, v);
	for (i = 0; i < c->nconns; i++) {
		if (v->only && v->only != i + 1)
			continue;
		/* A blank line between ladders. */
		if (!first)
			tw_ladder_nl(&l);
		first = false;
		tw_ladder_conn(&l, &c->conns[i], i + 1, t);
	}
	tw_ladder_done(&l);
}
