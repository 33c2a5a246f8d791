// SPDX-License-Identifier: GPL-2.0
/*
 * stats_report.c - "tcpwave -s" as text (a few lines of totals as
 * "ss -s" prints them, then one table per question) and as one JSON
 * object (-s -j).
 *
 * Everything comes out in a fixed order (states and reasons by their
 * number, leak suspects longest first), so that the output of one input
 * is always the same bytes.  Colour, when on, marks only what needs a
 * look: lost records, failed handshakes, aborts and leak suspects.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "states.h"
#include "stats.h"

#define TW_RPT_WARN	TW_SGR_ESC(TW_SGR_YELLOW)
#define TW_RPT_BAD	TW_SGR_ESC(TW_SGR_BOLD ";" TW_SGR_RED)
#define TW_RPT_OFF	TW_SGR_ESC(TW_SGR_OFF)

#define TW_TCOLS	8
#define TW_TCELL	128	/* an endpoint, an escaped comm and pid */
#define TW_TGAP		2

/* A table: cells first, then every column as wide as its widest cell. */
struct tw_trow {
	char cell[TW_TCOLS][TW_TCELL];
	const char *sgr;	/* colour of the whole row, or NULL */
};

struct tw_table {
	struct tw_trow *rows;
	size_t nrows;
	size_t cap;
	size_t ncols;
	unsigned int right;	/* bit i: column i aligns right */
};

static struct tw_trow *tw_table_row(struct tw_table *t, const char *sgr)
{
	struct tw_trow *r;

	tw_grow((void **)&t->rows, &t->cap, t->nrows + 1, sizeof(*t->rows));
	r = &t->rows[t->nrows++];
	memset(r, 0, sizeof(*r));
	r->sgr = sgr;
	return r;
}

/*
 * Rows after the first (the header) are indented by two spaces; columns
 * are TW_TGAP apart.  Frees the rows.
 */
static void tw_table_print(FILE *f, struct tw_table *t, bool color)
{
	size_t w[TW_TCOLS] = { 0 }, i, c, n;
	struct tw_buf b = { 0 };

	for (i = 0; i < t->nrows; i++)
		for (c = 0; c < t->ncols; c++) {
			n = tw_width(t->rows[i].cell[c]) + (!c && i ? 2 : 0);
			if (n > w[c])
				w[c] = n;
		}
	for (i = 0; i < t->nrows; i++) {
		const struct tw_trow *r = &t->rows[i];
		bool right;

		if (color && r->sgr)
			tw_buf_puts(&b, r->sgr);
		for (c = 0; c < t->ncols; c++) {
			right = t->right & (1U << c);
			n = tw_width(r->cell[c]);
			if (!c && i) {
				tw_buf_puts(&b, "  ");
				n += 2;
			}
			for (; right && n < w[c]; n++)
				tw_buf_puts(&b, " ");
			tw_buf_puts(&b, r->cell[c]);
			if (c + 1 == t->ncols)
				break;
			for (; n < w[c] + TW_TGAP; n++)
				tw_buf_puts(&b, " ");
		}
		if (color && r->sgr)
			tw_buf_puts(&b, TW_RPT_OFF);
		tw_buf_emit(&b, f);
	}
	tw_buf_free(&b);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

static void tw_cell_ms(char *cell, __u64 ns, bool have)
{
	if (have)
		tw_fmt_ms(cell, TW_TCELL, ns);
	else
		snprintf(cell, TW_TCELL, "-");
}

static void tw_cell_u64(char *cell, __u64 v)
{
	snprintf(cell, TW_TCELL, "%llu", (unsigned long long)v);
}

/*
 * The order reasons are listed in: the module's, no_reason (none was
 * recorded) last.  Returns the number of entries in @order.
 */
static size_t tw_reason_order(unsigned int order[TW_STATS_NREASONS])
{
	size_t n = 0;
	unsigned int r;

	for (r = 1; r < TW_STATS_NREASONS; r++)
		order[n++] = r;
	order[n++] = TCPWAVE_REASON_none;
	return n;
}

static __u64 tw_hs_failed(const struct tw_stats *s, enum tw_side side)
{
	__u64 n = 0;
	size_t r;

	for (r = 0; r < TW_STATS_NREASONS; r++)
		n += s->hs_fail[side][r];
	return n;
}

static void tw_text_handshakes(FILE *f, const struct tw_stats *s,
			       const struct tw_view *v)
{
	static const char *const head[] = {
		"Handshakes", "done", "failed", "min ms", "p50 ms", "p90 ms",
		"p99 ms", "max ms",
	};
	struct tw_table t = { .ncols = 8, .right = ~1U };
	struct tw_trow *row = tw_table_row(&t, NULL);
	struct tw_dist_sum d;
	size_t c;
	int side;

	for (c = 0; c < t.ncols; c++)
		snprintf(row->cell[c], TW_TCELL, "%s", head[c]);
	for (side = 0; side < TW_SIDE_MAX; side++) {
		tw_dist_summary(&s->hs[side], &d);
		row = tw_table_row(&t, NULL);
		snprintf(row->cell[0], TW_TCELL, "%s", tw_side_name(side));
		tw_cell_u64(row->cell[1], d.count);
		tw_cell_u64(row->cell[2], tw_hs_failed(s, side));
		tw_cell_ms(row->cell[3], d.min, d.count);
		tw_cell_ms(row->cell[4], d.p50, d.count);
		tw_cell_ms(row->cell[5], d.p90, d.count);
		tw_cell_ms(row->cell[6], d.p99, d.count);
		tw_cell_ms(row->cell[7], d.max, d.count);
	}
	tw_table_print(f, &t, v->color);
}

static void tw_text_states(FILE *f, const struct tw_stats *s,
			   const struct tw_stats_now *n,
			   const struct tw_view *v)
{
	static const char *const head[] = {
		"Time in state", "visits", "p50 ms", "p99 ms", "max ms", "now",
	};
	struct tw_table t = { .ncols = 6, .right = ~1U };
	struct tw_trow *row = tw_table_row(&t, NULL);
	unsigned int order[TW_STATS_NSTATES], st;
	char name[TW_STATE_STRLEN];
	struct tw_dist_sum d;
	size_t c, k;

	for (c = 0; c < t.ncols; c++)
		snprintf(row->cell[c], TW_TCELL, "%s", head[c]);
	tw_state_order(order);
	for (k = 0; k < TW_STATS_NSTATES; k++) {
		st = order[k];
		if (!s->state_time[st].count && !n->sockets[st])
			continue;
		tw_dist_summary(&s->state_time[st], &d);
		row = tw_table_row(&t, NULL);
		snprintf(row->cell[0], TW_TCELL, "%s", tw_state_str(st, name));
		tw_cell_u64(row->cell[1], d.count);
		tw_cell_ms(row->cell[2], d.p50, d.count);
		tw_cell_ms(row->cell[3], d.p99, d.count);
		tw_cell_ms(row->cell[4], d.max, d.count);
		tw_cell_u64(row->cell[5], n->sockets[st]);
	}
	if (t.nrows == 1) {
		fputs("Time in state: no transitions\n", f);
		free(t.rows);
		return;
	}
	tw_table_print(f, &t, v->color);
}

static void tw_text_failures(FILE *f, const struct tw_stats *s,
			     const struct tw_view *v)
{
	struct tw_table t = { .ncols = 3, .right = 1U << 2 };
	unsigned int order[TW_STATS_NREASONS];
	struct tw_trow *row = tw_table_row(&t, NULL);
	size_t nr = tw_reason_order(order), k;
	int side;

	snprintf(row->cell[0], TW_TCELL, "Failed handshakes");
	snprintf(row->cell[1], TW_TCELL, "reason");
	snprintf(row->cell[2], TW_TCELL, "count");
	for (side = 0; side < TW_SIDE_MAX; side++)
		for (k = 0; k < nr; k++) {
			__u64 c = s->hs_fail[side][order[k]];

			if (!c)
				continue;
			row = tw_table_row(&t, TW_RPT_WARN);
			snprintf(row->cell[0], TW_TCELL, "%s",
				 tw_side_name(side));
			snprintf(row->cell[1], TW_TCELL, "%s",
				 tw_stats_reason(order[k]));
			tw_cell_u64(row->cell[2], c);
		}
	if (t.nrows == 1) {
		fputs("Failed handshakes: none\n", f);
		free(t.rows);
		return;
	}
	tw_table_print(f, &t, v->color);
}

static void tw_text_aborts(FILE *f, const struct tw_stats *s,
			   const struct tw_view *v)
{
	struct tw_table t = { .ncols = 2, .right = 1U << 1 };
	unsigned int order[TW_STATS_NREASONS];
	struct tw_trow *row = tw_table_row(&t, NULL);
	size_t nr = tw_reason_order(order), k;

	snprintf(row->cell[0], TW_TCELL, "Aborts");
	snprintf(row->cell[1], TW_TCELL, "count");
	for (k = 0; k < nr; k++) {
		if (!s->aborts[order[k]])
			continue;
		row = tw_table_row(&t, TW_RPT_WARN);
		snprintf(row->cell[0], TW_TCELL, "%s",
			 tw_stats_reason(order[k]));
		tw_cell_u64(row->cell[1], s->aborts[order[k]]);
	}
	if (t.nrows == 1) {
		fputs("Aborts: none\n", f);
		free(t.rows);
		return;
	}
	tw_table_print(f, &t, v->color);
}

static void tw_text_closes(FILE *f, const struct tw_stats *s)
{
	unsigned int order[TW_STATS_NREASONS];
	size_t nr = tw_reason_order(order), k;
	bool any = false;

	fputs("Closes by reason:", f);
	for (k = 0; k < nr; k++) {
		if (!s->closes[order[k]])
			continue;
		fprintf(f, "%s %s %llu", any ? "," : "",
			tw_stats_reason(order[k]),
			(unsigned long long)s->closes[order[k]]);
		any = true;
	}
	fputs(any ? "\n" : " none\n", f);
}

/* "pid/comm", as --list shows an owner; "?" when none is known. */
static void tw_owner_cell(char *cell, const struct tw_suspect *x)
{
	struct tw_buf b = { 0 };

	if (!x->has_owner) {
		snprintf(cell, TW_TCELL, "?");
		return;
	}
	tw_buf_printf(&b, "%u/", x->pid);
	tw_buf_puts_word(&b, x->comm, sizeof(x->comm));
	snprintf(cell, TW_TCELL, "%s", b.s);
	tw_buf_free(&b);
}

static void tw_text_suspects(FILE *f, const struct tw_stats *s,
			     const struct tw_stats_now *n,
			     const struct tw_view *v)
{
	static const char *const head[] = {
		"socket", "local", "remote", "owner", "in CLOSE_WAIT",
	};
	struct tw_table t = { .ncols = 5, .right = 1U << 4 };
	char ep[TW_EP_STRLEN], ck[TW_COOKIE_STRLEN];
	struct tw_trow *row;
	size_t i, c;

	fprintf(f, "%sCLOSE_WAIT longer than %llu ms (leak suspects): ",
		v->color && n->nsuspects ? TW_RPT_BAD : "",
		(unsigned long long)(s->close_wait_ns / 1000000));
	if (!n->nsuspects) {
		fputs("none\n", f);
		return;
	}
	fprintf(f, "%zu%s\n", n->nsuspects, v->color ? TW_RPT_OFF : "");
	row = tw_table_row(&t, NULL);
	for (c = 0; c < t.ncols; c++)
		snprintf(row->cell[c], TW_TCELL, "%s", head[c]);
	for (i = 0; i < n->nsuspects; i++) {
		const struct tw_suspect *x = &n->suspects[i];

		row = tw_table_row(&t, TW_RPT_BAD);
		snprintf(row->cell[0], TW_TCELL, "sk:%s",
			 tw_fmt_cookie(ck, x->cookie));
		snprintf(row->cell[1], TW_TCELL, "%s",
			 x->lport ? tw_fmt_ep(ep, x->family, x->laddr,
					       x->lport) : "?");
		snprintf(row->cell[2], TW_TCELL, "%s",
			 x->lport ? tw_fmt_ep(ep, x->family, x->raddr,
					       x->rport) : "?");
		tw_owner_cell(row->cell[3], x);
		tw_fmt_dur(row->cell[4], TW_TCELL, x->age);
	}
	tw_table_print(f, &t, v->color);
}

/**
 * tw_summary_text() - "tcpwave -s": totals, then one table per question
 * @f: where to
 * @s: the engine
 * @v: v->color for the anomalies
 */
void tw_summary_text(FILE *f, const struct tw_stats *s,
		     const struct tw_view *v)
{
	struct tw_stats_now n;
	char now[32];
	__u64 ended = s->ends_normal + s->ends_aborted + s->ends_failed +
		      s->ends_listener + s->ends_other;

	tw_stats_now(s, &n);
	tw_fmt_ms(now, sizeof(now), n.now);
	fprintf(f, "Records: %llu read, %s%llu lost%s, "
		"%llu of unknown events\n",
		(unsigned long long)s->records,
		v->color && s->lost ? TW_RPT_WARN : "",
		(unsigned long long)s->lost,
		v->color && s->lost ? TW_RPT_OFF : "",
		(unsigned long long)s->unknown);
	fprintf(f, "Now: %s ms (%s)\n", now,
		n.clock ? "CLOCK_MONOTONIC" : "the last record");
	fprintf(f, "Sockets: %llu open, %llu ended (normal %llu, "
		"aborted %llu, handshake failed %llu, listener %llu, "
		"no reason %llu)\n",
		(unsigned long long)n.open, (unsigned long long)ended,
		(unsigned long long)s->ends_normal,
		(unsigned long long)s->ends_aborted,
		(unsigned long long)s->ends_failed,
		(unsigned long long)s->ends_listener,
		(unsigned long long)s->ends_other);
	if (s->forgotten)
		fprintf(f, "         %llu forgotten (more than %zu at once)\n",
			(unsigned long long)s->forgotten, s->max_socks);
	fprintf(f, "TIME_WAIT: %llu entered, %llu now, %llu expired, "
		"%llu killed\n",
		(unsigned long long)s->tw_entered,
		(unsigned long long)n.sockets[TCPWAVE_TIME_WAIT],
		(unsigned long long)s->tw_expired,
		(unsigned long long)s->tw_killed);
	fputc('\n', f);
	tw_text_handshakes(f, s, v);
	fputc('\n', f);
	tw_text_states(f, s, &n, v);
	fputc('\n', f);
	tw_text_failures(f, s, v);
	tw_text_aborts(f, s, v);
	tw_text_closes(f, s);
	fputc('\n', f);
	tw_text_suspects(f, s, &n, v);
	tw_stats_now_free(&n);
}

/* --- JSON ------------------------------------------------------------ */

/* As tw_xrealloc() does: nothing useful is left to do. */
static void __attribute__((noreturn)) tw_oom(void)
{
	fputs("tcpwave: out of memory\n", stderr);
	exit(1);
}

/* Insertion with the reference stolen; NULL is jansson out of memory. */
static void tw_jset(json_t *o, const char *key, json_t *v)
{
	if (!o || !v || json_object_set_new(o, key, v))
		tw_oom();
}

static void tw_jappend(json_t *a, json_t *v)
{
	if (!a || !v || json_array_append_new(a, v))
		tw_oom();
}

/* A value that does not exist (no sample): null, as jq expects. */
static json_t *tw_jns(__u64 v, bool have)
{
	return have ? tw_json_u64(v) : json_null();
}

static json_t *tw_json_reasons(const __u64 *count)
{
	unsigned int order[TW_STATS_NREASONS];
	size_t nr = tw_reason_order(order), k;
	json_t *o = json_object();

	for (k = 0; k < nr; k++)
		if (count[order[k]])
			tw_jset(o, tw_stats_reason(order[k]),
				tw_json_u64(count[order[k]]));
	return o;
}

static json_t *tw_json_handshakes(const struct tw_stats *s)
{
	json_t *all = json_object();
	struct tw_dist_sum d;
	int side;

	for (side = 0; side < TW_SIDE_MAX; side++) {
		json_t *o = json_object();

		tw_dist_summary(&s->hs[side], &d);
		tw_jset(o, "count", tw_json_u64(d.count));
		tw_jset(o, "failed", tw_json_u64(tw_hs_failed(s, side)));
		tw_jset(o, "min_ns", tw_jns(d.min, d.count));
		tw_jset(o, "p50_ns", tw_jns(d.p50, d.count));
		tw_jset(o, "p90_ns", tw_jns(d.p90, d.count));
		tw_jset(o, "p99_ns", tw_jns(d.p99, d.count));
		tw_jset(o, "max_ns", tw_jns(d.max, d.count));
		tw_jset(o, "sum_ns", tw_json_u64(d.sum));
		tw_jset(o, "failures", tw_json_reasons(s->hs_fail[side]));
		tw_jset(all, tw_side_name(side), o);
	}
	return all;
}

static json_t *tw_json_states(const struct tw_stats *s,
			      const struct tw_stats_now *n)
{
	unsigned int order[TW_STATS_NSTATES], st;
	char name[TW_STATE_STRLEN];
	json_t *all = json_object();
	struct tw_dist_sum d;
	size_t k;

	tw_state_order(order);
	for (k = 0; k < TW_STATS_NSTATES; k++) {
		json_t *o;

		st = order[k];

		if (!s->state_time[st].count && !n->sockets[st])
			continue;
		tw_dist_summary(&s->state_time[st], &d);
		o = json_object();
		tw_jset(o, "visits", tw_json_u64(d.count));
		tw_jset(o, "p50_ns", tw_jns(d.p50, d.count));
		tw_jset(o, "p99_ns", tw_jns(d.p99, d.count));
		tw_jset(o, "max_ns", tw_jns(d.max, d.count));
		tw_jset(o, "sum_ns", tw_json_u64(d.sum));
		tw_jset(o, "now", tw_json_u64(n->sockets[st]));
		tw_jset(all, tw_state_str(st, name), o);
	}
	return all;
}

static json_t *tw_json_transitions(const struct tw_stats *s)
{
	char a[TW_STATE_STRLEN], b[TW_STATE_STRLEN];
	unsigned int order[TW_STATS_NSTATES], from, to;
	json_t *all = json_array();
	size_t i, j;

	tw_state_order(order);
	for (i = 0; i < TW_STATS_NSTATES; i++)
		for (j = 0; j < TW_STATS_NSTATES; j++) {
			json_t *o;
			__u64 c;

			from = order[i];
			to = order[j];
			c = s->trans[(size_t)from * TW_STATS_NSTATES + to];

			if (!c)
				continue;
			o = json_object();
			tw_jset(o, "from", json_string(tw_state_str(from, a)));
			tw_jset(o, "to", json_string(tw_state_str(to, b)));
			tw_jset(o, "count", tw_json_u64(c));
			tw_jappend(all, o);
		}
	return all;
}

static json_t *tw_json_suspects(const struct tw_stats *s,
				const struct tw_stats_now *n)
{
	char ep[TW_EP_STRLEN], ck[TW_COOKIE_STRLEN];
	json_t *o = json_object(), *a = json_array();
	size_t i;

	tw_jset(o, "threshold_ms", tw_json_u64(s->close_wait_ns / 1000000));
	tw_jset(o, "count", tw_json_u64(n->nsuspects));
	for (i = 0; i < n->nsuspects; i++) {
		const struct tw_suspect *x = &n->suspects[i];
		json_t *j = json_object();

		tw_jset(j, "cookie", json_string(tw_fmt_cookie(ck, x->cookie)));
		tw_jset(j, "netns", tw_json_u64(x->netns));
		if (x->lport) {
			tw_jset(j, "family", tw_json_u64(x->family));
			tw_fmt_ep(ep, x->family, x->laddr, x->lport);
			tw_jset(j, "laddr", json_string(ep));
			tw_fmt_ep(ep, x->family, x->raddr, x->rport);
			tw_jset(j, "raddr", json_string(ep));
		} else {
			tw_jset(j, "family", json_null());
			tw_jset(j, "laddr", json_null());
			tw_jset(j, "raddr", json_null());
		}
		tw_jset(j, "pid", x->has_owner ? tw_json_u64(x->pid) :
			json_null());
		tw_jset(j, "comm", x->has_owner ?
			tw_json_bytes(x->comm, sizeof(x->comm)) :
			json_null());
		tw_jset(j, "close_wait_ns", tw_json_u64(x->age));
		tw_jappend(a, j);
	}
	tw_jset(o, "sockets", a);
	return o;
}

/**
 * tw_summary_json() - "tcpwave -s -j": one JSON object on one line
 * @f: where to
 * @s: the engine
 *
 * Durations are integers in ns (no float rounding); a percentile of
 * nothing is null.  README "Statistics" lists the members.
 *
 * Return: 0, or -1 when writing failed.
 */
int tw_summary_json(FILE *f, const struct tw_stats *s)
{
	unsigned int order[TW_STATS_NSTATES], st;
	char ck[TW_STATE_STRLEN];
	struct tw_stats_now n;
	json_t *o = json_object(), *x;
	size_t k;
	int ret;

	tw_stats_now(s, &n);
	tw_jset(o, "type", json_string("summary"));
	tw_jset(o, "now_ns", tw_json_u64(n.now));
	tw_jset(o, "now_from", json_string(n.clock ? "clock" :
					   "last_record"));

	x = json_object();
	tw_jset(x, "read", tw_json_u64(s->records));
	tw_jset(x, "lost", tw_json_u64(s->lost));
	tw_jset(x, "unknown_events", tw_json_u64(s->unknown));
	tw_jset(o, "records", x);

	x = json_object();
	tw_jset(x, "open", tw_json_u64(n.open));
	tw_state_order(order);
	for (k = 0; k < TW_STATS_NSTATES; k++) {
		st = order[k];
		if (n.sockets[st])
			tw_jset(x, tw_state_str(st, ck),
				tw_json_u64(n.sockets[st]));
	}
	tw_jset(x, "forgotten", tw_json_u64(s->forgotten));
	tw_jset(o, "sockets", x);

	x = json_object();
	tw_jset(x, "normal", tw_json_u64(s->ends_normal));
	tw_jset(x, "aborted", tw_json_u64(s->ends_aborted));
	tw_jset(x, "handshake_failed", tw_json_u64(s->ends_failed));
	tw_jset(x, "listeners", tw_json_u64(s->ends_listener));
	tw_jset(x, "no_reason", tw_json_u64(s->ends_other));
	tw_jset(o, "ends", x);

	tw_jset(o, "handshakes", tw_json_handshakes(s));
	tw_jset(o, "states", tw_json_states(s, &n));
	tw_jset(o, "aborts", tw_json_reasons(s->aborts));
	tw_jset(o, "closes", tw_json_reasons(s->closes));

	x = json_object();
	tw_jset(x, "entered", tw_json_u64(s->tw_entered));
	tw_jset(x, "now", tw_json_u64(n.sockets[TCPWAVE_TIME_WAIT]));
	tw_jset(x, "expired", tw_json_u64(s->tw_expired));
	tw_jset(x, "killed", tw_json_u64(s->tw_killed));
	tw_jset(o, "time_wait", x);

	tw_jset(o, "transitions", tw_json_transitions(s));
	tw_jset(o, "close_wait_leak_suspects", tw_json_suspects(s, &n));

	ret = json_dumpf(o, f, JSON_COMPACT);
	if (!ret && fputc('\n', f) == EOF)
		ret = -1;
	json_decref(o);
	tw_stats_now_free(&n);
	return ret ? -1 : 0;
}
