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
	TW_LCOL_RECS,
	TW_LCOL_CLIENT_STATES,
	TW_LCOL_SERVER_STATES,
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
	[TW_LCOL_RECS]		= { "RECS", true },
	[TW_LCOL_CLIENT_STATES]	= { "CLIENT-STATES", false },
	[TW_LCOL_SERVER_STATES]	= { "SERVER-STATES", false },
	[TW_LCOL_MS]		= { "MS", true },
};

#define TW_LCOL_GAP	2
#define TW_CELL_LEN	64	/* > TW_EP_STRLEN, TW_TRANS_STRLEN */

struct tw_lrow {
	char cell[TW_LCOL_MAX][TW_CELL_LEN];
};

/*
 * The state a side was first seen in and the one it ended in: the old
 * state of its first record, unless that is CLOSE (every new socket
 * starts there), then its new state.
 */
static void tw_list_states(char *buf, const struct tw_sock *sk, bool ascii)
{
	const struct tcpwave_record *first = sk->recs[0];
	const struct tcpwave_record *last = sk->recs[sk->nrecs - 1];
	unsigned int from = first->oldstate;
	char t[TW_TRANS_STRLEN], s[TW_STATE_STRLEN];

	if (from == TCPWAVE_CLOSE)
		from = first->newstate;
	if (from == last->newstate)
		snprintf(buf, TW_CELL_LEN, "%s", tw_state_str(from, s));
	else
		snprintf(buf, TW_CELL_LEN, "%s",
			 tw_fmt_trans(t, from, last->newstate, ascii));
}

static void tw_list_side(struct tw_lrow *row, const struct tw_sock *sk,
			 enum tw_lcol ep, enum tw_lcol cookie,
			 enum tw_lcol states, bool ascii)
{
	const struct tcpwave_record *r;
	char a[TW_EP_STRLEN], ck[TW_COOKIE_STRLEN];

	if (!sk) {
		strcpy(row->cell[ep], "-");
		strcpy(row->cell[cookie], "-");
		strcpy(row->cell[states], "-");
		return;
	}
	r = sk->tuple;
	snprintf(row->cell[ep], TW_CELL_LEN, "%s",
		 tw_fmt_ep(a, r->family, r->laddr, r->lport));
	snprintf(row->cell[cookie], TW_CELL_LEN, "%s",
		 tw_fmt_cookie(ck, sk->cookie));
	tw_list_states(row->cell[states], sk, ascii);
}

static void tw_list_row(struct tw_lrow *row, const struct tw_conn *conn,
			size_t id, bool ascii)
{
	tw_list_side(row, conn->client, TW_LCOL_CLIENT, TW_LCOL_CLIENT_SK,
		     TW_LCOL_CLIENT_STATES, ascii);
	tw_list_side(row, conn->server, TW_LCOL_SERVER, TW_LCOL_SERVER_SK,
		     TW_LCOL_SERVER_STATES, ascii);
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
	tw_fmt_ms(row->cell[TW_LCOL_MS], TW_CELL_LEN,
		  conn->last_ts - conn->first_ts);
}

static void tw_list_emit(FILE *f, struct tw_buf *b, const char *const *cell,
			 const size_t *width)
{
	size_t col = 0, i;

	for (i = 0; i < TW_LCOL_MAX; i++) {
		tw_buf_pad_to(b, col);
		if (tw_lcols[i].right)
			tw_buf_pad_to(b, col + width[i] - tw_width(cell[i]));
		tw_buf_puts(b, cell[i]);
		col += width[i] + TW_LCOL_GAP;
	}
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

	tw_list_emit(f, &b, cell, width);
	for (i = 0; i < n; i++) {
		for (j = 0; j < TW_LCOL_MAX; j++)
			cell[j] = rows[i].cell[j];
		tw_list_emit(f, &b, cell, width);
	}
	tw_buf_free(&b);
	free(rows);
}
