/* SPDX-License-Identifier: GPL-2.0 */
/*
 * livetab.h - the table of "--live": one row per connection end that the
 * tracker follows, its anomalies, the order and filters the keys choose,
 * and the columns that fit a given width.  The screen (live.c) and the
 * plain-text copy for a non-terminal both draw from it.
 */
#ifndef TW_LIVETAB_H
#define TW_LIVETAB_H

#include <stdbool.h>
#include <stddef.h>

#include "filter.h"
#include "fmt.h"
#include "track.h"

enum tw_tcol {
	TW_TCOL_STATE,
	TW_TCOL_IN_STATE,
	TW_TCOL_LOCAL,
	TW_TCOL_REMOTE,
	TW_TCOL_OWNER,
	TW_TCOL_AGE,
	TW_TCOL_COOKIE,
	TW_TCOL_MAX
};

/* What makes a row stand out, the worst first. */
enum tw_anomaly {
	TW_ANOM_NONE,
	TW_ANOM_LEAK,		/* CLOSE_WAIT longer than --close-wait-ms */
	TW_ANOM_HANDSHAKE,	/* SYN_SENT or SYN_RECV longer than 1 s */
	TW_ANOM_FAILED,		/* closed: refused, reset, timed out ... */
};

/* A handshake this slow has retransmitted: the first SYN RTO is 1 s. */
#define TW_SLOW_HANDSHAKE_NS	1000000000ULL

#define TW_TCELL_LEN	96	/* > TW_EP_STRLEN, an escaped comm and pid */
#define TW_TTEXT_LEN	64	/* the "/" filter text, NUL included */

struct tw_trow {
	char cell[TW_TCOL_MAX][TW_TCELL_LEN];
	unsigned int state;	/* newstate of the end's newest record */
	bool done;		/* closed, shown for a while */
	enum tw_anomaly anomaly;
	__u64 in_state_ns;
	__u64 age_ns;
	/* sort keys: addresses IPv4-mapped, so that families compare */
	__u8 laddr[16];
	__u8 raddr[16];
	__u16 lport;
	__u16 rport;
	unsigned int family;
	bool has_owner;
	__u32 pid;
	__u64 cookie;
	size_t order;		/* the tracker's order: first record first */
};

struct tw_table {
	struct tw_trow *rows;	/* every end that passes the options */
	size_t nrows;
	size_t rows_cap;
	size_t *shown;		/* rows that pass the view, sorted */
	size_t nshown;
	size_t shown_cap;
	__u64 now_ns;		/* when the rows were taken */
	/* The view, as the keys set it. */
	enum tw_tcol sort;
	bool reverse;		/* against the column's natural order */
	char text[TW_TTEXT_LEN];	/* "/" filter; "" for none */
	unsigned int families;	/* TW_FAMILY_*; 0 for both */
	/* Over the shown rows. */
	size_t counts[256];	/* by state */
	size_t leaks;
	size_t handshakes;
	size_t failed;
};

/* The columns as drawn: a width of 0 hides a column. */
struct tw_tlayout {
	size_t width[TW_TCOL_MAX];
	size_t gap;
	bool ascii;
};

void tw_table_init(struct tw_table *t);
void tw_table_free(struct tw_table *t);
void tw_table_take(struct tw_table *t, struct tw_tracker *tr,
		   const struct tw_filter *f, __u64 now_ns,
		   __u64 close_wait_ns);
void tw_table_view(struct tw_table *t);
bool tw_table_desc(const struct tw_table *t);

void tw_table_layout(const struct tw_table *t, size_t cols, bool wide,
		     bool ascii, struct tw_tlayout *l);
void tw_table_title(struct tw_buf *b, const struct tw_table *t,
		    const struct tw_tlayout *l);
void tw_table_row(struct tw_buf *b, const struct tw_table *t,
		  const struct tw_tlayout *l, size_t i);
void tw_table_counts(struct tw_buf *b, const struct tw_table *t, size_t cols,
		     bool ascii);
const char *tw_table_col_name(enum tw_tcol c);

void tw_fmt_span(char *buf, size_t size, __u64 ns);
size_t tw_cut(const char *s, size_t cols);

#endif /* TW_LIVETAB_H */
