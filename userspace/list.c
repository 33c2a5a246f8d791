// SPDX-License-Identifier: GPL-2.0
/*
 * list.c - the connection table of "--list".
 *
 * As in iproute2's ss, the columns are a table of structs: every row is
 * formatted into cells first, then each column is as wide as its widest
 * cell, header included, so header and rows always line up.
 */
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "states.h"

enum tw_lcol {
	TW_LCOL_ID,
	TW_LCOL_CLIENT,
	TW_LCOL_SERVER,
	TW_LCOL_CLIENT_SK,
	TW_LCOL_SERVER_SK,
	TW_LCOL_CLIENT_OWNER,
	TW_LCOL_SERVER_OWNER,
	TW_LCOL_RECS,
	TW_LCOL_CLIENT_STATES,
	TW_LCOL_SERVER_STATES,
	TW_LCOL_CLIENT_REASON,
	TW_LCOL_SERVER_REASON,
	TW_LCOL_HANDSHAKE,
	TW_LCOL_TIME_WAIT,
	TW_LCOL_MS,
	TW_LCOL_MAX
};

static const struct tw_lcolumn {
	const char *title;
	bool right;		/* numbers align right */
} tw_lcols[TW_LCOL_MAX] = {
	[TW_LCOL_ID]		= { "ID", true },
	[TW_LCOL_CLIENT]	= { "CLIENT", false },
	[TW_LCOL_SERVER]	= { "SERVER", false },
	[TW_LCOL_CLIENT_SK]	= { "CLIENT-SK", false },
	[TW_LCOL_SERVER_SK]	= { "SERVER-SK", false },
	[TW_LCOL_CLIENT_OWNER]	= { "CLIENT-OWNER", false },
	[TW_LCOL_SERVER_OWNER]	= { "SERVER-OWNER", false },
	[TW_LCOL_RECS]		= { "RECS", true },
	[TW_LCOL_CLIENT_STATES]	= { "CLIENT-STATES", false },
	[TW_LCOL_SERVER_STATES]	= { "SERVER-STATES", false },
	[TW_LCOL_CLIENT_REASON]	= { "CLIENT-REASON", false },
	[TW_LCOL_SERVER_REASON]	= { "SERVER-REASON", false },
	[TW_LCOL_HANDSHAKE]	= { "HANDSHAKE-MS", true },
	[TW_LCOL_TIME_WAIT]	= { "TIME-WAIT-MS", true },
	[TW_LCOL_MS]		= { "MS", true },
};

/* One side's columns. */
struct tw_lside {
	enum tw_lcol ep;
	enum tw_lcol cookie;
	enum tw_lcol owner;
	enum tw_lcol states;
	enum tw_lcol reason;
};

static const struct tw_lside tw_lclient = {
	TW_LCOL_CLIENT, TW_LCOL_CLIENT_SK, TW_LCOL_CLIENT_OWNER,
	TW_LCOL_CLIENT_STATES, TW_LCOL_CLIENT_REASON,
};

static const struct tw_lside tw_lserver = {
	TW_LCOL_SERVER, TW_LCOL_SERVER_SK, TW_LCOL_SERVER_OWNER,
	TW_LCOL_SERVER_STATES, TW_LCOL_SERVER_REASON,
};

#define TW_LCOL_GAP	2
#define TW_CELL_LEN	96	/* > TW_EP_STRLEN, an escaped comm and pid */

struct tw_lrow {
	char cell[TW_LCOL_MAX][TW_CELL_LEN];
	bool red[TW_LCOL_MAX];		/* a bad close reason (tw_reason_bad()) */
};

/* The state a side was first seen in and the one it ended in. */
static void tw_list_states(char *buf, const struct tw_sock *sk, bool ascii)
{
	unsigned int from = tw_sock_first_state(sk);
	unsigned int to = tw_sock_last(sk)->newstate;
	char t[TW_TRANS_STRLEN], s[TW_STATE_STRLEN];

	if (from == to)
		snprintf(buf, TW_CELL_LEN, "%s", tw_state_str(from, s));
	else
		snprintf(buf, TW_CELL_LEN, "%s",
			 tw_fmt_trans(t, from, to, ascii));
}

/*
 * "pid/comm", as netstat -p shows a process; the comm escaped so that
 * the cell stays one word.
 */
static void tw_list_owner(char *buf, const struct tw_sock *sk)
{
	const struct tcpwave_record *r = tw_sock_owner(sk);
	struct tw_buf b = { 0 };

	if (!r) {
		snprintf(buf, TW_CELL_LEN, "?");
		return;
	}
	tw_buf_printf(&b, "%u/", r->pid);
	tw_buf_puts_word(&b, r->comm, sizeof(r->comm));
	snprintf(buf, TW_CELL_LEN, "%s", b.s);
	tw_buf_free(&b);
}

/*
 * Why it closed: "-" if it did not, or no reason was recorded (1.0).
 * Returns whether the reason is a bad one, for the colour.
 */
static bool tw_list_reason(char *buf, const struct tw_sock *sk)
{
	const struct tcpwave_record *end = tw_sock_end(sk);
	const char *name;

	if (!end || end->reason == TCPWAVE_REASON_none) {
		snprintf(buf, TW_CELL_LEN, "-");
		return false;
	}
	name = tw_reason_name(end->reason);
	snprintf(buf, TW_CELL_LEN, "%s", name ? name : "?");
	return tw_reason_bad(end->reason);
}

static void tw_list_side(struct tw_lrow *row, const struct tw_sock *sk,
			 const struct tw_lside *col, bool ascii)
{
	const struct tcpwave_record *r;
	char a[TW_EP_STRLEN], ck[TW_COOKIE_STRLEN];

	if (!sk) {
		strcpy(row->cell[col->ep], "-");
		strcpy(row->cell[col->cookie], "-");
		strcpy(row->cell[col->owner], "-");
		strcpy(row->cell[col->states], "-");
		strcpy(row->cell[col->reason], "-");
		return;
	}
	r = sk->tuple;
	snprintf(row->cell[col->ep], TW_CELL_LEN, "%s",
		 tw_fmt_ep(a, r->family, r->laddr, r->lport));
	snprintf(row->cell[col->cookie], TW_CELL_LEN, "%s",
		 tw_fmt_cookie(ck, sk->cookie));
	tw_list_owner(row->cell[col->owner], sk);
	tw_list_states(row->cell[col->states], sk, ascii);
	row->red[col->reason] = tw_list_reason(row->cell[col->reason], sk);
}

static void tw_list_row(struct tw_lrow *row, const struct tw_conn *conn,
			size_t id, bool ascii)
{
	__u64 ns;

	memset(row, 0, sizeof(*row));
	tw_list_side(row, conn->client, &tw_lclient, ascii);
	tw_list_side(row, conn->server, &tw_lserver, ascii);
	/* An untraced peer: the far end still has an address. */
	if (!conn->client && !conn->listener) {
		const struct tcpwave_record *r = conn->server->tuple;
		char a[TW_EP_STRLEN];

		snprintf(row->cell[TW_LCOL_CLIENT], TW_CELL_LEN, "%s",
			 tw_fmt_ep(a, r->family, r->raddr, r->rport));
	}
	if (!conn->server) {
		const struct tcpwave_record *r = conn->client->tuple;
		char a[TW_EP_STRLEN];

		snprintf(row->cell[TW_LCOL_SERVER], TW_CELL_LEN, "%s",
			 tw_fmt_ep(a, r->family, r->raddr, r->rport));
	}
	snprintf(row->cell[TW_LCOL_ID], TW_CELL_LEN, "%zu", id);
	snprintf(row->cell[TW_LCOL_RECS], TW_CELL_LEN, "%zu", conn->nrecs);
	/* The client's view of the handshake, the server's without it. */
	if ((conn->client && tw_sock_handshake(conn->client, &ns)) ||
	    (conn->server && !conn->listener &&
	     tw_sock_handshake(conn->server, &ns)))
		tw_fmt_ms(row->cell[TW_LCOL_HANDSHAKE], TW_CELL_LEN, ns);
	else
		strcpy(row->cell[TW_LCOL_HANDSHAKE], "-");
	if (tw_conn_time_wait(conn, &ns))
		tw_fmt_ms(row->cell[TW_LCOL_TIME_WAIT], TW_CELL_LEN, ns);
	else
		strcpy(row->cell[TW_LCOL_TIME_WAIT], "-");
	tw_fmt_ms(row->cell[TW_LCOL_MS], TW_CELL_LEN,
		  conn->last_ts - conn->first_ts);
}

/* One line; @red NULL for the title, which is bold instead. */
static void tw_list_emit(FILE *f, struct tw_buf *b, const char *const *cell,
			 const size_t *width, const struct tw_view *v,
			 const bool *red)
{
	bool title = !red;
	size_t col = 0, i;

	if (title)
		tw_buf_sgr(b, v, TW_SGR_BOLD);
	for (i = 0; i < TW_LCOL_MAX; i++) {
		tw_buf_pad_to(b, col);
		if (tw_lcols[i].right)
			tw_buf_pad_to(b, col + width[i] - tw_width(cell[i]));
		if (red && red[i])
			tw_buf_sgr(b, v, TW_SGR_RED);
		tw_buf_puts(b, cell[i]);
		if (red && red[i])
			tw_buf_sgr(b, v, TW_SGR_OFF);
		col += width[i] + TW_LCOL_GAP;
	}
	if (title)
		tw_buf_sgr(b, v, TW_SGR_OFF);
	tw_buf_emit(b, f);
}

void tw_list_print(FILE *f, const struct tw_conns *c,
		   const struct tw_view *v)
{
	struct tw_lrow *rows = tw_xrealloc(NULL, c->nconns, sizeof(*rows));
	const char *cell[TW_LCOL_MAX];
	size_t width[TW_LCOL_MAX];
	struct tw_buf b = { 0 };
	size_t n = 0, i, j;

	for (j = 0; j < TW_LCOL_MAX; j++) {
		cell[j] = tw_lcols[j].title;
		width[j] = tw_width(cell[j]);
	}
	for (i = 0; i < c->nconns; i++) {
		if (v->only && v->only != i + 1)
			continue;
		tw_list_row(&rows[n], &c->conns[i], i + 1, v->ascii);
		for (j = 0; j < TW_LCOL_MAX; j++)
			if (tw_width(rows[n].cell[j]) > width[j])
				width[j] = tw_width(rows[n].cell[j]);
		n++;
	}

	tw_list_emit(f, &b, cell, width, v, NULL);
	for (i = 0; i < n; i++) {
		for (j = 0; j < TW_LCOL_MAX; j++)
			cell[j] = rows[i].cell[j];
		tw_list_emit(f, &b, cell, width, v, rows[i].red);
	}
	tw_buf_free(&b);
	free(rows);
}
