// SPDX-License-Identifier: GPL-2.0
/*
 * livetab.c - the table of "--live" (livetab.h).
 *
 * As in list.c and iproute2's ss, the columns are a table of structs.
 * Rows are taken from the tracker into cells at once, so that a paused
 * screen can still be sorted, filtered and redrawn at a new size while
 * the tracker goes on with the records that keep coming.
 */
#define _GNU_SOURCE		/* qsort_r, strcasestr */
#include <stdlib.h>
#include <string.h>

#include "livetab.h"
#include "states.h"

static const struct tw_tcolumn {
	const char *title;
	bool right;		/* numbers align right */
	bool desc;		/* natural order: the largest first */
	size_t cap;		/* widest drawn (-w lifts the addresses') */
	size_t min;		/* may shrink down to this; 0: never */
} tw_tcols[TW_TCOL_MAX] = {
	[TW_TCOL_STATE]		= { "STATE", false, false, 0, 0 },
	[TW_TCOL_IN_STATE]	= { "IN-STATE", true, true, 0, 0 },
	/* Any IPv4 endpoint fits: "255.255.255.255:65535". */
	[TW_TCOL_LOCAL]		= { "LOCAL", false, false, 21, 15 },
	[TW_TCOL_REMOTE]	= { "REMOTE", false, false, 21, 15 },
	/* A 7-digit pid, "/", a 15-byte comm: TASK_COMM_LEN - 1. */
	[TW_TCOL_OWNER]		= { "PID/COMM", false, false, 23, 12 },
	[TW_TCOL_AGE]		= { "AGE", true, true, 0, 0 },
	[TW_TCOL_COOKIE]	= { "COOKIE", false, false, 0, 0 },
};

/*
 * What a narrow terminal gives up, in turn, until the row fits: the
 * least telling column first, and an address is only shortened when
 * what is left to hide tells more than its middle does.
 */
static const struct tw_tstep {
	bool hide;		/* else: let it shrink */
	enum tw_tcol col;
} tw_tsteps[] = {
	{ true, TW_TCOL_COOKIE },
	{ false, TW_TCOL_OWNER },
	{ true, TW_TCOL_AGE },
	{ false, TW_TCOL_LOCAL },	/* and TW_TCOL_REMOTE */
	{ true, TW_TCOL_OWNER },
	{ true, TW_TCOL_IN_STATE },
};

#define TW_NSTEPS	(sizeof(tw_tsteps) / sizeof(tw_tsteps[0]))

void tw_table_init(struct tw_table *t)
{
	memset(t, 0, sizeof(*t));
	t->sort = TW_TCOL_AGE;
}

void tw_table_free(struct tw_table *t)
{
	free(t->rows);
	free(t->shown);
	memset(t, 0, sizeof(*t));
}

const char *tw_table_col_name(enum tw_tcol c)
{
	return c < TW_TCOL_MAX ? tw_tcols[c].title : "?";
}

/* Whether the rows run from the largest key down. */
bool tw_table_desc(const struct tw_table *t)
{
	return tw_tcols[t->sort].desc != t->reverse;
}

/*
 * A span in at most 7 columns, truncated, never rounded up: "1.234ms",
 * "123.4ms", "12.34s", "12m34s", "12h34m", "3d04h".  A time in a state
 * goes from milliseconds (a handshake) to days (a listener).
 */
void tw_fmt_span(char *buf, size_t size, __u64 ns)
{
	unsigned long long ms = ns / 1000000, s = ns / 1000000000;

	if (ns < 10000000ULL)
		snprintf(buf, size, "%llu.%03llums", ms,
			 (unsigned long long)(ns / 1000 % 1000));
	else if (ns < 1000000000ULL)
		snprintf(buf, size, "%llu.%llums", ms,
			 (unsigned long long)(ns / 100000 % 10));
	else if (s < 60)
		snprintf(buf, size, "%llu.%02llus", s, ms / 10 % 100);
	else if (s < 3600)
		snprintf(buf, size, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lluh%02llum", s / 3600, s / 60 % 60);
	else
		snprintf(buf, size, "%llud%02lluh", s / 86400, s / 3600 % 24);
}

/*
 * The bytes of the longest start of UTF-8 text @s that is at most @cols
 * display columns wide (every character we draw is one column: see
 * tw_width()).
 */
size_t tw_cut(const char *s, size_t cols)
{
	size_t i, w = 0;

	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (w++ == cols)
			break;
	}
	return i;
}

/*
 * A closed end failed when it did not end in an orderly close or its
 * TIME_WAIT: the peer refused or reset it, we reset it, it timed out or
 * met an error, or (a request socket) its handshake never completed.
 */
static bool tw_failed(unsigned int reason)
{
	switch (reason) {
	case TCPWAVE_REASON_refused:
	case TCPWAVE_REASON_timeout:
	case TCPWAVE_REASON_rst_sent:
	case TCPWAVE_REASON_rst_rcvd:
	case TCPWAVE_REASON_error:
	case TCPWAVE_REASON_dropped:
		return true;
	default:
		return false;
	}
}

static enum tw_anomaly tw_anomaly(const struct tw_trow *r,
				  unsigned int reason, __u64 close_wait_ns)
{
	if (r->done)
		return tw_failed(reason) ? TW_ANOM_FAILED : TW_ANOM_NONE;
	if (r->state == TCPWAVE_CLOSE_WAIT && r->in_state_ns > close_wait_ns)
		return TW_ANOM_LEAK;
	if ((r->state == TCPWAVE_SYN_SENT || r->state == TCPWAVE_SYN_RECV ||
	     r->state == TCPWAVE_NEW_SYN_RECV) &&
	    r->in_state_ns > TW_SLOW_HANDSHAKE_NS)
		return TW_ANOM_HANDSHAKE;
	return TW_ANOM_NONE;
}

/* The unspecified address, IPv4-mapped or not, as tw_addr_v6() makes it. */
static const __u8 tw_any4[16] = { [10] = 0xff, [11] = 0xff };
static const __u8 tw_any6[16];

/* One end into a row, its times as of @now. */
static void tw_row_fill(struct tw_trow *r, const struct tw_end *e,
			__u64 now, __u64 close_wait_ns)
{
	const struct tcpwave_record *last = &e->last;
	/* A closed end's age is its life: it stops at the close. */
	__u64 end = e->done ? e->since_ns : now;
	char sbuf[TW_STATE_STRLEN], ep[TW_EP_STRLEN];
	struct tw_buf b = { 0 };
	const char *reason, *st;

	memset(r, 0, sizeof(*r));
	r->state = last->newstate;
	r->done = e->done;
	r->in_state_ns = now > e->since_ns ? now - e->since_ns : 0;
	r->age_ns = end > e->born_ns ? end - e->born_ns : 0;
	r->family = last->family;
	tw_addr_v6(r->laddr, last->family, last->laddr);
	tw_addr_v6(r->raddr, last->family, last->raddr);
	r->lport = last->lport;
	r->rport = last->rport;
	r->has_owner = e->has_owner;
	r->pid = e->pid;
	r->cookie = e->cookie;
	r->anomaly = tw_anomaly(r, last->reason, close_wait_ns);

	st = tw_state_str(last->newstate, sbuf);
	reason = tw_reason_name(last->reason);
	if (e->done && last->reason != TCPWAVE_REASON_none)
		snprintf(r->cell[TW_TCOL_STATE], TW_TCELL_LEN, "%s (%s)", st,
			 reason ? reason : "?");
	else
		snprintf(r->cell[TW_TCOL_STATE], TW_TCELL_LEN, "%s", st);
	tw_fmt_span(r->cell[TW_TCOL_IN_STATE], TW_TCELL_LEN, r->in_state_ns);
	snprintf(r->cell[TW_TCOL_LOCAL], TW_TCELL_LEN, "%s",
		 tw_fmt_ep(ep, last->family, last->laddr, last->lport));
	/* A listener has no peer: "*", as ss shows it. */
	if (!last->rport && (!memcmp(r->raddr, tw_any4, 16) ||
			     !memcmp(r->raddr, tw_any6, 16)))
		strcpy(r->cell[TW_TCOL_REMOTE], "*");
	else
		snprintf(r->cell[TW_TCOL_REMOTE], TW_TCELL_LEN, "%s",
			 tw_fmt_ep(ep, last->family, last->raddr,
				   last->rport));
	if (e->has_owner) {
		tw_buf_printf(&b, "%u/", e->pid);
		tw_buf_puts_word(&b, e->comm, sizeof(e->comm));
		snprintf(r->cell[TW_TCOL_OWNER], TW_TCELL_LEN, "%s", b.s);
		tw_buf_free(&b);
	} else {
		strcpy(r->cell[TW_TCOL_OWNER], "-");
	}
	tw_fmt_span(r->cell[TW_TCOL_AGE], TW_TCELL_LEN, r->age_ns);
	tw_fmt_cookie(r->cell[TW_TCOL_COOKIE], e->cookie);
}

/*
 * Take the ends of @tr that pass the command line's filters @f (the
 * state filter sees the state each is in now) as rows, their times as
 * of @now_ns.  The view is then out of date: call tw_table_view().
 */
void tw_table_take(struct tw_table *t, struct tw_tracker *tr,
		   const struct tw_filter *f, __u64 now_ns,
		   __u64 close_wait_ns)
{
	struct tw_end *e, *tmp;
	struct tw_filter_end fe;
	size_t order = 0;

	t->nrows = 0;
	t->now_ns = now_ns;
	tw_track_for_each(tr, e, tmp) {
		order++;
		tw_filter_end_rec(&fe, &e->last, NULL);
		fe.has_owner = e->has_owner;
		fe.pid = e->pid;
		fe.comm = e->comm;
		if (!tw_filter_match(f, &fe))
			continue;
		tw_grow((void **)&t->rows, &t->rows_cap, t->nrows + 1,
			sizeof(*t->rows));
		tw_row_fill(&t->rows[t->nrows], e, now_ns, close_wait_ns);
		t->rows[t->nrows++].order = order;
	}
}

static int tw_cmp_u64(__u64 a, __u64 b)
{
	return a < b ? -1 : a > b;
}

static int tw_row_cmp(const void *pa, const void *pb, void *arg)
{
	const struct tw_table *t = arg;
	const struct tw_trow *a = &t->rows[*(const size_t *)pa];
	const struct tw_trow *b = &t->rows[*(const size_t *)pb];
	int c = 0;

	switch (t->sort) {
	case TW_TCOL_STATE:
		c = tw_cmp_u64(a->state, b->state);
		break;
	case TW_TCOL_IN_STATE:
		c = tw_cmp_u64(a->in_state_ns, b->in_state_ns);
		break;
	case TW_TCOL_LOCAL:
		c = memcmp(a->laddr, b->laddr, 16);
		if (!c)
			c = tw_cmp_u64(a->lport, b->lport);
		break;
	case TW_TCOL_REMOTE:
		c = memcmp(a->raddr, b->raddr, 16);
		if (!c)
			c = tw_cmp_u64(a->rport, b->rport);
		break;
	case TW_TCOL_OWNER:
		/* An unknown owner sorts after every pid. */
		c = tw_cmp_u64(a->has_owner ? a->pid : ~0ULL,
			       b->has_owner ? b->pid : ~0ULL);
		if (!c)
			c = strcmp(a->cell[TW_TCOL_OWNER],
				   b->cell[TW_TCOL_OWNER]);
		break;
	case TW_TCOL_AGE:
		c = tw_cmp_u64(a->age_ns, b->age_ns);
		break;
	default:
		c = tw_cmp_u64(a->cookie, b->cookie);
		break;
	}
	if (tw_table_desc(t))
		c = -c;
	/* Ties keep the tracker's order, so that rows do not swap. */
	return c ? c : tw_cmp_u64(a->order, b->order);
}

/* The "/" filter: the text anywhere in the row's cells, any case. */
static bool tw_row_has(const struct tw_trow *r, const char *text)
{
	char line[TW_TCOL_MAX * TW_TCELL_LEN];
	size_t c, n = 0;

	if (!*text)
		return true;
	for (c = 0; c < TW_TCOL_MAX; c++) {
		n += snprintf(line + n, sizeof(line) - n, "%s%s", c ? " " : "",
			      r->cell[c]);
		if (n >= sizeof(line))
			break;
	}
	return strcasestr(line, text);
}

/*
 * Apply the view to the rows: the family and text filters, the order,
 * and the counts over what is left.
 */
void tw_table_view(struct tw_table *t)
{
	size_t i;

	t->nshown = 0;
	memset(t->counts, 0, sizeof(t->counts));
	t->leaks = 0;
	t->handshakes = 0;
	t->failed = 0;
	tw_grow((void **)&t->shown, &t->shown_cap, t->nrows,
		sizeof(*t->shown));
	for (i = 0; i < t->nrows; i++) {
		const struct tw_trow *r = &t->rows[i];

		if (t->families &&
		    !(t->families & (r->family == 4 ? TW_FAMILY_4 :
				     TW_FAMILY_6)))
			continue;
		if (!tw_row_has(r, t->text))
			continue;
		t->shown[t->nshown++] = i;
		t->counts[r->state & 0xff]++;
		t->leaks += r->anomaly == TW_ANOM_LEAK;
		t->handshakes += r->anomaly == TW_ANOM_HANDSHAKE;
		t->failed += r->anomaly == TW_ANOM_FAILED;
	}
	qsort_r(t->shown, t->nshown, sizeof(*t->shown), tw_row_cmp, t);
}

/*
 * The widths of every column at @gap spaces apart within @cols, after
 * as few of tw_tsteps as possible.  Returns how many steps it took, or
 * TW_NSTEPS + 1 if even all of them do not make the row fit (then the
 * line is cut at the edge).
 */
static size_t tw_fit(const size_t nat[TW_TCOL_MAX], size_t cols, size_t gap,
		     size_t w[TW_TCOL_MAX])
{
	bool shrink[TW_TCOL_MAX] = { false };
	size_t c, step = 0, total, least, n, *big;

	memcpy(w, nat, sizeof(size_t) * TW_TCOL_MAX);
	for (;;) {
		total = 0;
		least = 0;
		n = 0;
		for (c = 0; c < TW_TCOL_MAX; c++) {
			if (!w[c])
				continue;
			n++;
			total += w[c];
			least += shrink[c] && tw_tcols[c].min < w[c] ?
				 tw_tcols[c].min : w[c];
		}
		total += n ? (n - 1) * gap : 0;
		least += n ? (n - 1) * gap : 0;
		if (least <= cols || step == TW_NSTEPS)
			break;
		c = tw_tsteps[step].col;
		if (tw_tsteps[step].hide) {
			w[c] = 0;
		} else {
			shrink[c] = true;
			if (c == TW_TCOL_LOCAL)
				shrink[TW_TCOL_REMOTE] = true;
		}
		step++;
	}
	/* Shrink just enough: the owner first, then the wider address. */
	while (total > cols) {
		if (shrink[TW_TCOL_OWNER] &&
		    w[TW_TCOL_OWNER] > tw_tcols[TW_TCOL_OWNER].min) {
			big = &w[TW_TCOL_OWNER];
		} else if (shrink[TW_TCOL_LOCAL]) {
			big = w[TW_TCOL_LOCAL] >= w[TW_TCOL_REMOTE] ?
			      &w[TW_TCOL_LOCAL] : &w[TW_TCOL_REMOTE];
			if (*big <= tw_tcols[TW_TCOL_LOCAL].min)
				break;
		} else {
			break;
		}
		(*big)--;
		total--;
	}
	return least <= cols ? step : TW_NSTEPS + 1;
}

/*
 * The columns for a line of @cols display columns: each as wide as its
 * widest shown cell or its title and sort mark, within its cap (-w
 * lifts the addresses'); on a narrow terminal, columns are hidden and
 * shortened in the order of tw_tsteps.  Two spaces apart when that
 * costs nothing, else one.
 */
void tw_table_layout(const struct tw_table *t, size_t cols, bool wide,
		     bool ascii, struct tw_tlayout *l)
{
	size_t nat[TW_TCOL_MAX], w1[TW_TCOL_MAX], c, i, len, s1, s2;
	const struct tw_tcolumn *col;

	for (c = 0; c < TW_TCOL_MAX; c++) {
		col = &tw_tcols[c];
		nat[c] = strlen(col->title) + 1;
		for (i = 0; i < t->nshown; i++) {
			len = strlen(t->rows[t->shown[i]].cell[c]);
			if (len > nat[c])
				nat[c] = len;
		}
		if (col->cap && nat[c] > col->cap &&
		    !(wide && (c == TW_TCOL_LOCAL || c == TW_TCOL_REMOTE)))
			nat[c] = col->cap;
	}
	l->ascii = ascii;
	l->gap = 2;
	s2 = tw_fit(nat, cols, 2, l->width);
	if (!s2)
		return;
	s1 = tw_fit(nat, cols, 1, w1);
	if (s1 < s2) {
		l->gap = 1;
		memcpy(l->width, w1, sizeof(w1));
	}
}

/*
 * @s, of display width @len, into exactly @w columns: padded, or cut
 * with an ellipsis.  An address keeps its port: "[2001:db8:…]:443".
 */
static void tw_cell(struct tw_buf *b, const char *s, size_t len, size_t w,
		    bool right, bool addr, bool ascii)
{
	const char *ell = ascii ? "~" : "\u2026", *tail = NULL;
	size_t head;

	if (len <= w) {
		if (right)
			tw_buf_printf(b, "%*s", (int)(w - len), "");
		tw_buf_puts(b, s);
		if (!right)
			tw_buf_printf(b, "%*s", (int)(w - len), "");
		return;
	}
	if (addr) {
		tail = strrchr(s, ']');
		if (!tail)
			tail = strrchr(s, ':');
		if (tail && strlen(tail) + 2 > w)
			tail = NULL;
	}
	/* Cells are ASCII: escaped comms, addresses, numbers and names. */
	head = w - 1 - (tail ? strlen(tail) : 0);
	tw_buf_printf(b, "%.*s%s%s", (int)head, s, ell, tail ? tail : "");
}

static bool tw_is_addr(size_t c)
{
	return c == TW_TCOL_LOCAL || c == TW_TCOL_REMOTE;
}

/* The column titles, the sort column marked ▼ (descending) or ▲. */
void tw_table_title(struct tw_buf *b, const struct tw_table *t,
		    const struct tw_tlayout *l)
{
	char title[32];
	bool first = true;
	size_t c;

	for (c = 0; c < TW_TCOL_MAX; c++) {
		if (!l->width[c])
			continue;
		if (!first)
			tw_buf_printf(b, "%*s", (int)l->gap, "");
		first = false;
		snprintf(title, sizeof(title), "%s%s", tw_tcols[c].title,
			 c != t->sort ? "" :
			 tw_table_desc(t) ? (l->ascii ? "v" : "\u25bc") :
			 (l->ascii ? "^" : "\u25b2"));
		tw_cell(b, title, tw_width(title), l->width[c],
			tw_tcols[c].right, false, l->ascii);
	}
}

/* Shown row @i (in the view's order) as one line of the layout. */
void tw_table_row(struct tw_buf *b, const struct tw_table *t,
		  const struct tw_tlayout *l, size_t i)
{
	const struct tw_trow *r = &t->rows[t->shown[i]];
	bool first = true;
	size_t c;

	for (c = 0; c < TW_TCOL_MAX; c++) {
		if (!l->width[c])
			continue;
		if (!first)
			tw_buf_printf(b, "%*s", (int)l->gap, "");
		first = false;
		tw_cell(b, r->cell[c], strlen(r->cell[c]), l->width[c],
			tw_tcols[c].right, tw_is_addr(c), l->ascii);
	}
}

/* Whether a state after @s has rows. */
static bool tw_more(const struct tw_table *t, size_t s)
{
	while (++s < 256)
		if (t->counts[s])
			return true;
	return false;
}

/*
 * "ESTABLISHED 12  TIME_WAIT 40  CLOSE_WAIT 2": the states in use, as
 * many as fit in @cols columns, then "…" (or "~" in @ascii).
 */
void tw_table_counts(struct tw_buf *b, const struct tw_table *t, size_t cols,
		     bool ascii)
{
	char st[TW_STATE_STRLEN], item[48];
	size_t s, w = 0, len;
	bool any = false;

	for (s = 0; s < 256; s++) {
		if (!t->counts[s])
			continue;
		len = snprintf(item, sizeof(item), "%s%s %zu", any ? "  " : "",
			       tw_state_str(s, st), t->counts[s]);
		/* Room for the mark after it, unless it is the last. */
		if (w + len > cols || (w + len + 3 > cols && s < 255 &&
				       tw_more(t, s))) {
			tw_buf_puts(b, any ? "  " : "");
			tw_buf_puts(b, ascii ? "~" : "\u2026");
			return;
		}
		tw_buf_puts(b, item);
		w += len;
		any = true;
	}
	if (!any)
		tw_buf_puts(b, "no connections");
}
