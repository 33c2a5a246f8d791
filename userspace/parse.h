/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse.h - the /proc/tcpwave text format (README.md, "The /proc/tcpwave
 * ABI") into struct tcpwave_record.
 */
#ifndef TW_PARSE_H
#define TW_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tcpwave_abi.h"

enum tw_col {
#define TW_COL_ENUM(name) TW_COL_##name,
	TCPWAVE_COLUMNS(TW_COL_ENUM)
#undef TW_COL_ENUM
	TW_COL_MAX
};

/* What one line turned out to be. */
enum tw_line {
	TW_LINE_ERROR = -1,	/* p->err says why */
	TW_LINE_SKIP,		/* empty, or metadata we do not know */
	TW_LINE_HEADER,
	TW_LINE_RECORD,		/* *rec filled in */
	TW_LINE_LOST,		/* "# lost N": *lost = N */
};

/*
 * Names (states, contexts, events, reasons) hashed for tw_parse_fast():
 * each of at most 16 bytes, as two words with zeros after it.
 */
#define TW_NAMES_BITS	5
/* Over twice as many slots as names: a search ends soon. */
#define TW_NAMES_SLOTS	(1 << TW_NAMES_BITS)

struct tw_names {
	__u64 key[TW_NAMES_SLOTS][2];	/* [i][0] == 0: a free slot */
	__u8 val[TW_NAMES_SLOTS];
};

/*
 * tw_parse_fast() reads a line a word at a time: this many bytes after
 * the line's NUL must be readable, and not uninitialized memory.
 */
#define TW_PARSE_PAD	16

/* A column the header does not name: one appended after its version. */
#define TW_COL_ABSENT	((size_t)-1)

struct tw_parser {
	unsigned int major;
	unsigned int minor;
	int have_header;
	size_t ncols;			/* columns named by the header */
	size_t col[TW_COL_MAX];		/* where each known column sits */
	char **fields;			/* the current line, split */
	size_t fields_cap;
	char err[256];
	/*
	 * tw_parse_fast(): the header names the columns of 1.0 or of 1.1
	 * in the module's order, the first @fast fields, and @fast_tail
	 * columns of later versions follow.  0: it names them otherwise.
	 */
	size_t fast;
	size_t fast_tail;
	struct tw_names states;
	struct tw_names ctxs;
	struct tw_names events;
	struct tw_names reasons;
};

/* "# lost N" before the record at index @before of the trace. */
struct tw_lost {
	__u64 count;
	size_t before;
};

struct tw_trace {
	struct tcpwave_record *recs;
	size_t nrecs;
	size_t recs_cap;
	/*
	 * recs[i] came under a 1.0 header: its event is "state" only
	 * because 1.0 had no event column (see tw_sock_owner()).
	 */
	bool *v10;
	size_t v10_cap;
	struct tw_lost *lost;
	size_t nlost;
	size_t lost_cap;
};

void tw_parser_init(struct tw_parser *p);
void tw_parser_free(struct tw_parser *p);
enum tw_line tw_parse_line(struct tw_parser *p, char *line,
			   struct tcpwave_record *rec, __u64 *lost);
bool tw_parse_fast(const struct tw_parser *p, const char *line, size_t len,
		   struct tcpwave_record *rec);
bool tw_parser_v10(const struct tw_parser *p);

int tw_parse_u64(const char *s, int base, unsigned long long max,
		 unsigned long long *val);
int tw_parse_addr(const char *s, unsigned int family, __u8 addr[16],
		  __u16 *port);
int tw_unescape_comm(const char *s, char comm[TCPWAVE_COMM_LEN]);

int tw_trace_read(FILE *f, const char *name, struct tw_trace *t);
void tw_trace_free(struct tw_trace *t);

#endif /* TW_PARSE_H */
