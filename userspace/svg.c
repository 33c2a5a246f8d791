// SPDX-License-Identifier: GPL-2.0
/*
 * svg.c - "--svg": the ladders as one SVG 1.1 sequence diagram, a
 * picture for a bug report or a lesson.
 *
 * It draws the model the text ladder draws (timeline.c): the same rows
 * in the same order, one step per row and not to time scale, the same
 * cells and the same segment labels, so that the picture and the ladder
 * always agree.  The client's lifeline is on the left, the server's on
 * the right, each headed by its endpoint, socket cookie and owner; a
 * cell sits beside its side's lifeline, a segment is an arrow between
 * them.  Arrows are level: a row knows when a segment was sent, not
 * when it arrived.  A TIME_WAIT is a shaded span along its lifeline,
 * from the row entering it to the row leaving it, or to the end.
 *
 * Layout is in whole pixels from a fixed advance per character, so the
 * output is the same on every machine; text from the capture goes
 * through tw_svg_text(), nowhere else.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "states.h"
#include "svg.h"
#include "timeline.h"

/*
 * Pixels.  TW_SVG_CW is the advance of one character of the 12 px
 * monospace font, rounded up: DejaVu Sans Mono's is 0.602 em, 7.2 px.
 */
#define TW_SVG_CW	8
#define TW_SVG_MARGIN	16
#define TW_SVG_ROW	24	/* a row: an arrow and its label above it */
#define TW_SVG_LINE	16	/* a line of a header box or of the footer */
#define TW_SVG_PAD	12	/* from a lifeline to the text beside it */
#define TW_SVG_ARROW	280	/* the least space between the lifelines */
#define TW_SVG_SEP	32	/* between two connections */
#define TW_SVG_TW_W	10	/* a TIME_WAIT span's width */

#define TW_SVG_HEAD_LINES	5
#define TW_SVG_FOOT_LINES	8
#define TW_SVG_STRLEN		192

/* A side's TIME_WAIT, as rows of the timeline. */
struct tw_svg_span {
	enum tw_side side;
	size_t from;		/* the row entering it */
	size_t to;		/* the row leaving it; nrows: never left */
	char label[TW_SVG_STRLEN];
};

/* The box heading a lifeline. */
struct tw_svg_head {
	bool drawn;		/* no box, no lifeline: a listener's left */
	bool traced;		/* a socket of ours, not just an address */
	size_t n;
	char line[TW_SVG_HEAD_LINES][TW_SVG_STRLEN];
};

struct tw_svg {
	struct tw_buf body;	/* the groups, drawn before the size is known */
	const struct tw_trace *t;
	__u64 end_ts;		/* the capture's last record */
	int width;		/* of the widest group */
	int height;		/* of the groups so far */
	size_t n;		/* groups drawn */
	char first[TW_SVG_STRLEN];	/* the first one's title */
};

/* One connection, laid out: x of its columns, y of its rows. */
struct tw_svg_conn {
	struct tw_svg *svg;
	const struct tw_conn *conn;
	size_t id;
	struct tw_timeline tl;
	struct tw_svg_span *spans;
	size_t nspans;
	size_t spans_cap;
	struct tw_svg_head head[2];
	char title[TW_SVG_STRLEN];
	const char *note;	/* a line under the title, or NULL */
	char foot[TW_SVG_FOOT_LINES][TW_SVG_STRLEN];
	size_t nfoot;
	int *y;			/* each row's */
	int x_time;		/* right edge of the times */
	int x_life[2];		/* the lifelines */
	int width;
	int y_box;		/* top of the header boxes */
	int box_h;
	int y_top;		/* lifelines from here */
	int y_end;		/* to here */
	int height;
};

/*
 * Characters XML 1.0 allows (its production Char) that would still
 * mislead a reader: C1 controls, and the bidirectional overrides that
 * can make a comm look like something else (Unicode TR 9, "Trojan
 * Source").  U+FFFE and U+FFFF are no Char at all.
 */
static bool tw_svg_hidden(unsigned int c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x200e || c == 0x200f ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0xfffe || c == 0xffff;
}

/*
 * The character at @s, of at most @n bytes: its length in *@len, and
 * whether it may be drawn as it is.  A byte that starts no valid UTF-8
 * sequence (RFC 3629 section 4: no overlong forms, surrogates or values
 * above U+10FFFF) is a character of its own, never drawn.  Neither are
 * controls, and the backslash, which starts our \ooo escapes.
 */
static bool tw_svg_char(const unsigned char *s, size_t n, size_t *len)
{
	unsigned int c = s[0], min, need, i;

	*len = 1;
	if (c < 0x80)
		return c >= 0x20 && c != 0x7f && c != '\\';
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		min = 0x80;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		need = 2;
		min = 0x800;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		min = 0x10000;
		c &= 0x07;
	} else {
		return false;
	}
	if (n <= need)
		return false;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return false;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return false;
	*len = need + 1;
	return !tw_svg_hidden(c);
}

/*
 * Append at most @max bytes of @s as XML character data that is valid
 * UTF-8 and safe in an attribute too: &, <, > and " as entities, and
 * what may not be drawn as \ooo per byte, as the ladder shows such a
 * byte (fmt.c).  XML 1.0 forbids most C0 controls even as character
 * references, so an escape is the only way to show them.
 */
static void tw_svg_text(struct tw_buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strnlen(s, max), len, i;

	while (n) {
		if (!tw_svg_char(p, n, &len)) {
			for (i = 0; i < len; i++)
				tw_buf_printf(b, "\\%03o", p[i]);
		} else if (*p == '&') {
			tw_buf_puts(b, "&amp;");
		} else if (*p == '<') {
			tw_buf_puts(b, "&lt;");
		} else if (*p == '>') {
			tw_buf_puts(b, "&gt;");
		} else if (*p == '"') {
			tw_buf_puts(b, "&quot;");
		} else {
			tw_buf_printf(b, "%.*s", (int)len, (const char *)p);
		}
		p += len;
		n -= len;
	}
}

/* The characters tw_svg_text() draws for @s: an escape takes four. */
static size_t tw_svg_cols(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), len, cols = 0;

	while (n) {
		cols += tw_svg_char(p, n, &len) ? 1 : 4 * len;
		p += len;
		n -= len;
	}
	return cols;
}

static int tw_svg_px(size_t cols)
{
	return (int)cols * TW_SVG_CW;
}

static int tw_max(int a, int b)
{
	return a > b ? a : b;
}

/* <text ATTRS>S</text> on a line of its own. */
static void tw_svg_put_text(struct tw_buf *b, int x, int y, const char *cls,
			    const char *s)
{
	tw_buf_printf(b, "<text x=\"%d\" y=\"%d\"", x, y);
	if (cls)
		tw_buf_printf(b, " class=\"%s\"", cls);
	tw_buf_puts(b, ">");
	tw_svg_text(b, s, strlen(s));
	tw_buf_puts(b, "</text>\n");
}

/* --- the model: what the ladder shows, as strings --------------------- */

static void tw_svg_head_add(struct tw_svg_head *h, const char *fmt,
			    const char *a, const char *b)
{
	if (h->n < TW_SVG_HEAD_LINES)
		snprintf(h->line[h->n++], TW_SVG_STRLEN, fmt, a, b);
}

/*
 * A socket's box: role and endpoint, its cookie, its owner (the comm
 * as the capture has it: raw bytes, escaped when drawn), and the
 * request socket and listener it came from, as the ladder says them.
 */
static void tw_svg_head_sock(struct tw_svg_head *h, const char *role,
			     const char *ep, const struct tw_sock *sk)
{
	const struct tcpwave_record *r = tw_sock_owner(sk);
	char ck[TW_COOKIE_STRLEN], who[TW_SVG_STRLEN];

	h->drawn = true;
	h->traced = true;
	tw_svg_head_add(h, "%s %s", role, ep);
	tw_svg_head_add(h, "%ssk:%s", sk->req_only ? "request " : "",
			tw_fmt_cookie(ck, sk->cookie));
	if (r)
		snprintf(who, sizeof(who), "%.*s[%u]", (int)sizeof(r->comm),
			 r->comm, r->pid);
	else
		snprintf(who, sizeof(who), "owner ?");
	tw_svg_head_add(h, "%s%s", who, "");
	if (sk->has_req)
		tw_svg_head_add(h, "request sk:%s%s",
				tw_fmt_cookie(ck, sk->req_cookie), "");
	if (sk->has_lcookie)
		tw_svg_head_add(h, "listener sk:%s%s",
				tw_fmt_cookie(ck, sk->lcookie), "");
}

static void tw_svg_head_none(struct tw_svg_head *h, const char *role,
			     const char *ep, const char *why)
{
	h->drawn = true;
	tw_svg_head_add(h, "%s %s", role, ep);
	tw_svg_head_add(h, "%s%s", why, "");
}

/* The title, and the boxes over the lifelines: ladder.c's header. */
static void tw_svg_heads(struct tw_svg_conn *x)
{
	const struct tw_conn *conn = x->conn;
	const struct tw_sock *cl = conn->client, *sv = conn->server;
	const struct tcpwave_record *r = cl ? cl->tuple : sv->tuple;
	char a[TW_EP_STRLEN], b[TW_EP_STRLEN];

	if (conn->listener) {
		tw_fmt_ep(a, r->family, r->laddr, r->lport);
		snprintf(x->title, sizeof(x->title), "listener %zu: %s",
			 x->id, a);
		tw_svg_head_sock(&x->head[TW_RIGHT], "listener", a, sv);
		return;
	}
	tw_conn_endpoints(conn, a, b);
	snprintf(x->title, sizeof(x->title), "connection %zu: %s -> %s",
		 x->id, a, b);
	if (conn->self) {
		x->note = cl->simopen ?
			  "connected to itself (simultaneous open)" :
			  "connected to itself";
		tw_svg_head_sock(&x->head[TW_LEFT], "socket", a, cl);
		tw_svg_head_none(&x->head[TW_RIGHT], "itself", b,
				 "the same socket");
		return;
	}
	if (cl)
		tw_svg_head_sock(&x->head[TW_LEFT], "client", a, cl);
	else
		tw_svg_head_none(&x->head[TW_LEFT], "client", a, "not traced");
	if (sv)
		tw_svg_head_sock(&x->head[TW_RIGHT], "server", b, sv);
	else
		tw_svg_head_none(&x->head[TW_RIGHT], "server", b,
				 tw_conn_refused(conn) ?
				 "refused the connection" : "not traced");
}

static void tw_svg_foot(struct tw_svg_conn *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tw_svg_foot(struct tw_svg_conn *x, const char *fmt, ...)
{
	va_list ap;

	if (x->nfoot >= TW_SVG_FOOT_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(x->foot[x->nfoot++], TW_SVG_STRLEN, fmt, ap);
	va_end(ap);
}

/* "client ends in CLOSE (expired)", as the ladder's footer says it. */
static void tw_svg_ends(struct tw_svg_conn *x, const char *name,
			const struct tw_sock *sk, const char *more)
{
	const struct tcpwave_record *end = tw_sock_end(sk);
	unsigned int state = tw_sock_last(sk)->newstate;
	char st[TW_STATE_STRLEN];
	const char *why = NULL;

	if (state == TCPWAVE_CLOSE && end && end->reason) {
		why = tw_reason_name(end->reason);
		if (!why)
			why = "?";
	}
	tw_svg_foot(x, "%s ends in %s%s%s%s%s", name, tw_state_str(state, st),
		    why ? " (" : "", why ? why : "", why ? ")" : "", more);
}

/* ladder.c's footer, a line per item: no line wrapping to do here. */
static void tw_svg_foots(struct tw_svg_conn *x)
{
	const struct tw_conn *conn = x->conn;
	const struct tw_trace *t = x->svg->t;
	__u64 lost = tw_conn_lost(conn, t);
	__u64 before = tw_conn_lost_before(conn, t);
	const char *alone = "";
	char s[32];

	tw_fmt_ms(s, sizeof(s), conn->last_ts - conn->first_ts);
	tw_svg_foot(x, "duration %s ms", s);
	if (!conn->listener && !conn->self && !tw_conn_refused(conn) &&
	    (!conn->client || !conn->server))
		alone = " (other end not traced)";
	if (conn->self)
		tw_svg_ends(x, "socket", conn->client, "");
	else if (conn->client)
		tw_svg_ends(x, "client", conn->client,
			    conn->server ? "" : alone);
	if (conn->server)
		tw_svg_ends(x, conn->listener ? "listener" : "server",
			    conn->server, alone);
	if (lost)
		tw_svg_foot(x,
			"%llu records lost meanwhile: steps may be missing",
			(unsigned long long)lost);
	if (before)
		tw_svg_foot(x,
			"%llu records lost before it: its start may be missing",
			(unsigned long long)before);
	if (x->tl.unknown)
		tw_svg_foot(x,
			"%zu record%s of events unknown to this viewer not drawn",
			x->tl.unknown, x->tl.unknown == 1 ? "" : "s");
}

/*
 * The row that drew the record at @ts on @side: the one with a cell
 * (an arrow's own row at the same time has none), else the first one
 * at or after it.  nrows if there is none.
 */
static size_t tw_svg_row_at(const struct tw_timeline *tl, enum tw_side side,
			    __u64 ts)
{
	size_t i, first = tl->nrows;

	for (i = 0; i < tl->nrows; i++) {
		const struct tw_row *row = &tl->rows[i];

		if (row->side != side || row->ts < ts)
			continue;
		if (row->ts == ts && row->cell[0])
			return i;
		if (first == tl->nrows)
			first = i;
	}
	return first;
}

/*
 * Each time @side's socket entered TIME_WAIT: a span from that row to
 * the row where it left (how long, and why: 2MSL expired, or a reset),
 * or to the end, labelled with how long it had lasted at the end of
 * the capture.
 */
static void tw_svg_spans_of(struct tw_svg_conn *x, enum tw_side side,
			    const struct tw_sock *sk)
{
	const struct tw_timeline *tl = &x->tl;
	size_t i, j;

	for (i = 0; i < sk->nrecs; i++) {
		const struct tcpwave_record *r = sk->recs[i], *out = NULL;
		struct tw_svg_span *sp;
		const char *why;
		char dur[32];

		if (!tw_rec_known(r) || r->newstate != TCPWAVE_TIME_WAIT ||
		    r->oldstate == TCPWAVE_TIME_WAIT)
			continue;
		for (j = i + 1; j < sk->nrecs && !out; j++)
			if (tw_rec_known(sk->recs[j]) &&
			    sk->recs[j]->oldstate == TCPWAVE_TIME_WAIT &&
			    sk->recs[j]->newstate != TCPWAVE_TIME_WAIT)
				out = sk->recs[j];
		tw_grow((void **)&x->spans, &x->spans_cap, x->nspans + 1,
			sizeof(*x->spans));
		sp = &x->spans[x->nspans];
		sp->side = side;
		sp->from = tw_svg_row_at(tl, side, r->ts_ns);
		if (sp->from == tl->nrows)
			continue;	/* not drawn: nowhere to start */
		x->nspans++;
		if (!out) {
			sp->to = tl->nrows;
			tw_fmt_dur(dur, sizeof(dur),
				   x->svg->end_ts - r->ts_ns);
			snprintf(sp->label, sizeof(sp->label),
				 "TIME_WAIT \u2265 %s, at the end of the capture",
				 dur);
			continue;
		}
		sp->to = tw_svg_row_at(tl, side, out->ts_ns);
		tw_fmt_dur(dur, sizeof(dur), out->ts_ns - r->ts_ns);
		why = tw_reason_name(out->reason);
		if (out->reason == TCPWAVE_REASON_expired)
			snprintf(sp->label, sizeof(sp->label),
				 "TIME_WAIT %s (2MSL), expired", dur);
		else if (out->reason == TCPWAVE_REASON_none)
			snprintf(sp->label, sizeof(sp->label),
				 "TIME_WAIT %s", dur);
		else
			snprintf(sp->label, sizeof(sp->label),
				 "TIME_WAIT %s, %s", dur, why ? why : "?");
	}
}

/* --- layout -------------------------------------------------------- */

static int tw_svg_head_w(const struct tw_svg_head *h)
{
	size_t i, cols = 0;

	for (i = 0; i < h->n; i++)
		if (tw_svg_cols(h->line[i]) > cols)
			cols = tw_svg_cols(h->line[i]);
	return h->drawn ? tw_svg_px(cols) + 2 * TW_SVG_PAD : 0;
}

/*
 * Columns: the times, the left cells (right-aligned against the left
 * lifeline), the arrows between the lifelines, the right cells; each as
 * wide as its widest text, the arrows as their widest label (every
 * number 10 digits: tw_label_width()), and the boxes centred on their
 * lifelines.  Rows: one per timeline row, and under the row entering a
 * TIME_WAIT one more for the span's label.
 */
static void tw_svg_layout(struct tw_svg_conn *x)
{
	const struct tw_timeline *tl = &x->tl;
	size_t cells[2] = { 11, 11 }, label = 0, span = 0, i, k, slot = 0;
	int box[2], arrows, y;
	char ms[32];

	tw_fmt_ms(ms, sizeof(ms), x->conn->last_ts - x->conn->first_ts);
	x->x_time = TW_SVG_MARGIN + tw_svg_px(strlen(ms));
	for (i = 0; i < tl->nrows; i++) {
		const struct tw_row *row = &tl->rows[i];
		size_t w = tw_svg_cols(row->cell);

		if (w > cells[row->side])
			cells[row->side] = w;
		if (row->arrow &&
		    tw_label_width(tw_timeline_seg(tl, row->seg)) > label)
			label = tw_label_width(tw_timeline_seg(tl, row->seg));
	}
	for (i = 0; i < x->nspans; i++)
		if (tw_svg_cols(x->spans[i].label) > span)
			span = tw_svg_cols(x->spans[i].label);

	box[TW_LEFT] = tw_svg_head_w(&x->head[TW_LEFT]);
	box[TW_RIGHT] = tw_svg_head_w(&x->head[TW_RIGHT]);
	x->x_life[TW_LEFT] = tw_max(x->x_time + 2 * TW_SVG_PAD +
				    tw_svg_px(cells[TW_LEFT]),
				    TW_SVG_MARGIN + box[TW_LEFT] / 2);
	arrows = tw_max(TW_SVG_ARROW, tw_svg_px(label) + 8 * TW_SVG_PAD);
	arrows = tw_max(arrows, tw_svg_px(span) + 3 * TW_SVG_PAD);
	arrows = tw_max(arrows, (box[TW_LEFT] + box[TW_RIGHT]) / 2 +
			2 * TW_SVG_PAD);
	x->x_life[TW_RIGHT] = x->x_life[TW_LEFT] + arrows;
	x->width = x->x_life[TW_RIGHT] + TW_SVG_PAD +
		   tw_svg_px(cells[TW_RIGHT]) + TW_SVG_MARGIN;
	x->width = tw_max(x->width, x->x_life[TW_RIGHT] + box[TW_RIGHT] / 2 +
			  TW_SVG_MARGIN);
	x->width = tw_max(x->width, 2 * TW_SVG_MARGIN +
			  tw_svg_px(tw_svg_cols(x->title)) * 14 / 12);
	for (i = 0; i < x->nfoot; i++)
		x->width = tw_max(x->width, x->x_time + TW_SVG_PAD +
				  tw_svg_px(tw_svg_cols(x->foot[i])) +
				  TW_SVG_MARGIN);

	y = 24;				/* the title's baseline */
	if (x->note)
		y += TW_SVG_LINE;
	x->y_box = y + 12;
	k = tw_max(x->head[TW_LEFT].n, x->head[TW_RIGHT].n);
	x->box_h = (int)k * TW_SVG_LINE + 8;
	x->y_top = x->y_box + x->box_h;
	/* The first row under the "ms" heading. */
	y = x->y_top + 2 * TW_SVG_ROW;
	x->y = tw_xrealloc(NULL, tl->nrows, sizeof(*x->y));
	for (i = 0; i < tl->nrows; i++) {
		x->y[i] = y + (int)slot * TW_SVG_ROW;
		slot++;
		for (k = 0; k < x->nspans; k++)
			if (x->spans[k].from == i)
				slot++;
	}
	x->y_end = y + (slot ? (int)slot - 1 : 0) * TW_SVG_ROW +
		   TW_SVG_ROW / 2;
	x->height = x->y_end + TW_SVG_LINE + (int)x->nfoot * TW_SVG_LINE;
}

/* --- drawing ------------------------------------------------------- */

static void tw_svg_draw_head(struct tw_svg_conn *x, enum tw_side side)
{
	const struct tw_svg_head *h = &x->head[side];
	struct tw_buf *b = &x->svg->body;
	int w = tw_svg_head_w(h), cx = x->x_life[side];
	size_t i;

	if (!h->drawn)
		return;
	tw_buf_printf(b, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" "
		      "height=\"%d\" rx=\"4\"/>\n",
		      h->traced ? "box" : "box none", cx - w / 2, x->y_box, w,
		      x->box_h);
	for (i = 0; i < h->n; i++)
		tw_svg_put_text(b, cx, x->y_box + 4 + 12 +
				(int)i * TW_SVG_LINE,
				i ? "mid" : "mid who", h->line[i]);
	tw_buf_printf(b, "<line class=\"%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
		      "y2=\"%d\"/>\n", h->traced ? "life" : "life none",
		      cx, x->y_top, cx, x->y_end);
}

static void tw_svg_draw_span(struct tw_svg_conn *x,
			     const struct tw_svg_span *sp)
{
	struct tw_buf *b = &x->svg->body;
	int cx = x->x_life[sp->side];
	int top = x->y[sp->from];
	int bottom = sp->to < x->tl.nrows ? x->y[sp->to] : x->y_end;

	tw_buf_printf(b, "<rect class=\"tw\" x=\"%d\" y=\"%d\" width=\"%d\" "
		      "height=\"%d\"/>\n", cx - TW_SVG_TW_W / 2, top,
		      TW_SVG_TW_W, bottom - top);
	/* In the row kept free for it, inside the lifelines. */
	if (sp->side == TW_LEFT)
		tw_svg_put_text(b, cx + TW_SVG_PAD, top + TW_SVG_ROW + 4,
				"twl", sp->label);
	else
		tw_svg_put_text(b, cx - TW_SVG_PAD, top + TW_SVG_ROW + 4,
				"twl end", sp->label);
}

/* A state is in capitals; "retrans 1", "accept() ..." are notes. */
static const char *tw_svg_cell_class(const char *cell, enum tw_side side)
{
	bool state = cell[0] >= 'A' && cell[0] <= 'Z';

	if (side == TW_LEFT)
		return state ? "state end" : "note end";
	return state ? "state" : "note";
}

static void tw_svg_draw_row(struct tw_svg_conn *x, size_t i)
{
	const struct tw_row *row = &x->tl.rows[i];
	struct tw_buf *b = &x->svg->body;
	int y = x->y[i], from, to, xl = x->x_life[TW_LEFT];
	char ms[32], label[TW_LABEL_STRLEN];
	const char *dir;
	bool rtx;

	tw_fmt_ms(ms, sizeof(ms), row->ts - x->conn->first_ts);
	tw_svg_put_text(b, x->x_time, y + 4, "time end", ms);
	if (row->arrow) {
		rtx = x->tl.segs[row->seg].same_as >= 0;
		from = x->x_life[!row->to];
		to = x->x_life[row->to];
		dir = row->to == TW_RIGHT ? "r" : "l";
		/* Stop short of the lifeline by the marker's tip. */
		to += row->to == TW_RIGHT ? -2 : 2;
		tw_buf_printf(b, "<line class=\"seg %s%s\" x1=\"%d\" y1=\"%d\" "
			      "x2=\"%d\" y2=\"%d\" marker-end=\"url(#tw-%s)\"/>"
			      "\n", dir, rtx ? " rtx" : "", from, y, to, y,
			      dir);
		tw_label(label, tw_timeline_seg(&x->tl, row->seg));
		tw_buf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"mid %s\">",
			      (xl + x->x_life[TW_RIGHT]) / 2, y - 5, dir);
		tw_svg_text(b, label, sizeof(label));
		tw_buf_puts(b, "</text>\n");
	}
	if (!row->cell[0])
		return;
	tw_buf_printf(b, "<circle class=\"dot\" cx=\"%d\" cy=\"%d\" "
		      "r=\"3\"/>\n", x->x_life[row->side], y);
	tw_svg_put_text(b, row->side == TW_LEFT ? xl - TW_SVG_PAD :
			x->x_life[TW_RIGHT] + TW_SVG_PAD, y + 4,
			tw_svg_cell_class(row->cell, row->side), row->cell);
}

/* One connection as a <g>, below the ones already drawn. */
static void tw_svg_draw(struct tw_svg_conn *x)
{
	struct tw_buf *b = &x->svg->body;
	size_t i;
	int y;

	tw_buf_printf(b, "<g id=\"conn-%zu\" transform=\"translate(0,%d)\">\n",
		      x->id, x->svg->height);
	tw_buf_puts(b, "<title>");
	tw_svg_text(b, x->title, sizeof(x->title));
	tw_buf_puts(b, "</title>\n");
	tw_svg_put_text(b, TW_SVG_MARGIN, 24, "title", x->title);
	if (x->note)
		tw_svg_put_text(b, TW_SVG_MARGIN, 24 + TW_SVG_LINE, "note",
				x->note);
	tw_svg_draw_head(x, TW_LEFT);
	tw_svg_draw_head(x, TW_RIGHT);
	tw_svg_put_text(b, x->x_time, x->y_top + TW_SVG_ROW, "time end",
			"ms");
	for (i = 0; i < x->nspans; i++)
		tw_svg_draw_span(x, &x->spans[i]);
	for (i = 0; i < x->tl.nrows; i++)
		tw_svg_draw_row(x, i);
	y = x->y_end + TW_SVG_LINE;
	for (i = 0; i < x->nfoot; i++, y += TW_SVG_LINE)
		tw_svg_put_text(b, x->x_time + TW_SVG_PAD, y,
				strstr(x->foot[i], " lost ") ? "warn" : NULL,
				x->foot[i]);
	tw_buf_puts(b, "</g>\n");
}

static void tw_svg_conn(struct tw_svg *svg, const struct tw_conn *conn,
			size_t id)
{
	struct tw_svg_conn x = { .svg = svg, .conn = conn, .id = id };

	tw_timeline_build(&x.tl, conn, false);
	tw_svg_heads(&x);
	if (conn->client)
		tw_svg_spans_of(&x, TW_LEFT, conn->client);
	if (conn->server)
		tw_svg_spans_of(&x, TW_RIGHT, conn->server);
	tw_svg_foots(&x);
	tw_svg_layout(&x);
	if (svg->height)
		svg->height += TW_SVG_SEP;
	tw_svg_draw(&x);
	svg->height += x.height;
	if (!svg->n++)
		snprintf(svg->first, sizeof(svg->first), "%s", x.title);
	svg->width = tw_max(svg->width, x.width);
	free(x.y);
	free(x.spans);
	tw_timeline_free(&x.tl);
}

/*
 * Printable in black and white: dark ink on white, the two directions
 * told apart by their side as much as by their colour, retransmissions
 * dashed, TIME_WAIT light grey.
 */
static const char tw_svg_style[] =
"<style type=\"text/css\"><![CDATA[\n"
"text { font-family: monospace; font-size: 12px; fill: #000000; }\n"
".bg { fill: #ffffff; }\n"
".title { font-size: 14px; font-weight: bold; }\n"
".mid { text-anchor: middle; }\n"
".end { text-anchor: end; }\n"
".who { font-weight: bold; }\n"
".time { fill: #555555; }\n"
".state { font-weight: bold; }\n"
".note { font-style: italic; fill: #444444; }\n"
".warn { font-weight: bold; fill: #a00000; }\n"
".box { fill: #eeeeee; stroke: #000000; stroke-width: 1; }\n"
".box.none { fill: #ffffff; stroke: #888888; stroke-dasharray: 4 3; }\n"
".life { stroke: #000000; stroke-width: 1.5; }\n"
".life.none { stroke: #888888; stroke-dasharray: 4 4; }\n"
".dot { fill: #000000; }\n"
".seg { stroke-width: 1.5; fill: none; }\n"
".seg.rtx { stroke-dasharray: 6 3; }\n"
"line.r { stroke: #1a3f8f; }\n"
"line.l { stroke: #8f2a1a; }\n"
"text.r { fill: #1a3f8f; }\n"
"text.l { fill: #8f2a1a; }\n"
"path.r { fill: #1a3f8f; }\n"
"path.l { fill: #8f2a1a; }\n"
".tw { fill: #d4d4d4; stroke: #555555; stroke-width: 1; }\n"
".twl { font-style: italic; fill: #333333; }\n"
"]]></style>\n";

static void tw_svg_marker(FILE *f, const char *dir)
{
	fprintf(f, "<marker id=\"tw-%s\" viewBox=\"0 0 10 10\" refX=\"10\" "
		"refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" "
		"orient=\"auto\"><path class=\"%s\" d=\"M0,0 L10,5 L0,10 z\"/>"
		"</marker>\n", dir, dir);
}

void tw_svg_print(FILE *f, const struct tw_conns *c, const struct tw_trace *t,
		  const struct tw_view *v)
{
	struct tw_svg svg = { .t = t };
	struct tw_buf title = { 0 };
	size_t i;

	for (i = 0; i < t->nrecs; i++)
		if (t->recs[i].ts_ns > svg.end_ts)
			svg.end_ts = t->recs[i].ts_ns;
	for (i = 0; i < c->nconns; i++)
		if (!v->only || v->only == i + 1)
			tw_svg_conn(&svg, &c->conns[i], i + 1);
	if (!svg.n) {
		tw_svg_put_text(&svg.body, TW_SVG_MARGIN, 28, "title",
				"no connections");
		svg.width = 2 * TW_SVG_MARGIN + tw_svg_px(14) * 14 / 12;
		svg.height = 28;
	}
	svg.height += TW_SVG_MARGIN;

	tw_buf_puts(&title, "tcpwave: ");
	if (svg.n == 1)
		tw_svg_text(&title, svg.first, sizeof(svg.first));
	else if (svg.n)
		tw_buf_printf(&title, "%zu connections", svg.n);
	else
		tw_buf_puts(&title, "no connections");
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"xml:space=\"preserve\">\n", svg.width, svg.height, svg.width,
		svg.height);
	fprintf(f, "<title>%s</title>\n", title.s);
	fputs(tw_svg_style, f);
	fputs("<defs>\n", f);
	tw_svg_marker(f, "r");
	tw_svg_marker(f, "l");
	fputs("</defs>\n", f);
	fprintf(f, "<rect class=\"bg\" x=\"0\" y=\"0\" width=\"%d\" "
		"height=\"%d\"/>\n", svg.width, svg.height);
	if (svg.body.len)
		fwrite(svg.body.s, 1, svg.body.len, f);
	fputs("</svg>\n", f);
	tw_buf_free(&title);
	tw_buf_free(&svg.body);
}
