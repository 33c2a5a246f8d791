// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c - /proc/tcpwave text into struct tcpwave_record.
 *
 * Columns are found by the names in the header line, never by position:
 * the format only ever appends columns (tcpwave_abi.h), so a reader of
 * 1.0 reads any 1.x by ignoring the columns it does not know, as readers
 * of /dev/kmsg do (Documentation/ABI/testing/dev-kmsg).  Everything else
 * is strict: a line we cannot fully account for is an error, because a
 * ladder drawn from half-understood input would be a confident lie.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "parse.h"
#include "states.h"

static const char *const tw_col_names[TW_COL_MAX] = {
#define TW_COL_NAME(name) [TW_COL_##name] = #name,
	TCPWAVE_COLUMNS(TW_COL_NAME)
#undef TW_COL_NAME
};

/*
 * The minor version that appended each column; 0 for those of 1.0.  A
 * header of version 1.N must name every column of 1.0 to 1.N: the
 * format only ever appends, so one that does not is broken.
 */
static const unsigned char tw_col_since[TW_COL_MAX] = {
	[TW_COL_event]		= 1,
	[TW_COL_reason]		= 1,
	[TW_COL_snd_una]	= 1,
	[TW_COL_snd_nxt]	= 1,
	[TW_COL_rcv_nxt]	= 1,
	[TW_COL_iss]		= 1,
	[TW_COL_irs]		= 1,
	[TW_COL_link]		= 1,
};

/* Input bytes quoted in an error message, at most this many. */
#define TW_QUOTE_MAX	64

void tw_parser_init(struct tw_parser *p)
{
	memset(p, 0, sizeof(*p));
}

void tw_parser_free(struct tw_parser *p)
{
	free(p->fields);
	p->fields = NULL;
	p->fields_cap = 0;
}

static void tw_err(struct tw_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tw_err(struct tw_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
}

/* "bad <what> '<field>'", the field made safe for a terminal. */
static void tw_err_bad(struct tw_parser *p, const char *what, const char *s)
{
	struct tw_buf b = { 0 };

	tw_buf_puts_safe(&b, s, TW_QUOTE_MAX);
	tw_err(p, "bad %s '%s'", what, b.s ? b.s : "");
	tw_buf_free(&b);
}

/*
 * strtoull() alone accepts leading blanks, a sign ("-1" is ULLONG_MAX)
 * and a "0x" prefix: allow digits of @base and nothing else.
 */
static inline __attribute__((always_inline))
int tw_parse_digits(const char *s, unsigned int base, unsigned long long max,
		    unsigned long long *val)
{
	unsigned long long v = 0;
	unsigned int d, c;

	/* strtoull() without its sign, blanks, "0x" or locale: digits only. */
	if (!*s)
		return -1;
	for (; *s; s++) {
		d = (unsigned char)*s - '0';
		if (d > 9) {
			/* 'A'-'F' and 'a'-'f' alone land in 'a'-'f'. */
			c = (unsigned char)*s | 0x20;
			if (c < 'a' || c > 'f')
				return -1;
			d = c - 'a' + 10;
		}
		if (d >= base)
			return -1;
		/* Below 2^59, v * 16 + 15 cannot wrap: no check a digit. */
		if (v >> 59) {
			if (__builtin_mul_overflow(v, base, &v) ||
			    __builtin_add_overflow(v, d, &v))
				return -1;
		} else {
			v = v * base + d;
		}
	}
	if (v > max)
		return -1;
	*val = v;
	return 0;
}

int tw_parse_u64(const char *s, int base, unsigned long long max,
		 unsigned long long *val)
{
	/* Each base its own loop, with a constant to multiply by. */
	if (base == 10)
		return tw_parse_digits(s, 10, max, val);
	if (base == 16)
		return tw_parse_digits(s, 16, max, val);
	return tw_parse_digits(s, base, max, val);
}

/*
 * inet_pton(AF_INET) by hand, as glibc's inet_pton4() reads it: four
 * decimal octets of at most 255 without leading zeros, between dots,
 * and nothing else.  Two of these a record made inet_pton() count.
 */
static int tw_parse_ipv4(const char *s, const char *end, __u8 addr[4])
{
	__u8 a[4];
	unsigned int v;
	int i;

	for (i = 0; i < 4; i++) {
		if (i && (s == end || *s++ != '.'))
			return -1;
		if (s == end || *s < '0' || *s > '9')
			return -1;
		v = *s++ - '0';
		while (s < end && *s >= '0' && *s <= '9') {
			if (!v)
				return -1;	/* a leading zero */
			v = v * 10 + (*s++ - '0');
			if (v > 255)
				return -1;
		}
		a[i] = v;
	}
	if (s != end)
		return -1;
	memcpy(addr, a, sizeof(a));
	return 0;
}

/* The IPv6 address in s[0..@end), for inet_pton(), which wants a string. */
static int tw_parse_ipv6(const char *s, const char *end, __u8 addr[16])
{
	char a[INET6_ADDRSTRLEN];
	size_t n = end - s;

	if (!n || n >= sizeof(a))
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	return inet_pton(AF_INET6, a, addr) == 1 ? 0 : -1;
}

/*
 * "a.b.c.d:port" for family 4, "[ipv6]:port" for family 6, as the
 * module prints them with %pI4 and %pI6c.  @addr gets network order.
 */
int tw_parse_addr(const char *s, unsigned int family, __u8 addr[16],
		  __u16 *port)
{
	const char *colon;
	unsigned long long v;

	memset(addr, 0, 16);
	if (family == 6) {
		const char *rb;

		if (*s != '[')
			return -1;
		rb = strchr(s, ']');
		if (!rb || rb[1] != ':' || tw_parse_ipv6(s + 1, rb, addr))
			return -1;
		colon = rb + 1;
	} else if (family == 4) {
		colon = strrchr(s, ':');
		if (!colon || tw_parse_ipv4(s, colon, addr))
			return -1;
	} else {
		return -1;
	}
	if (tw_parse_u64(colon + 1, 10, 65535, &v))
		return -1;
	*port = v;
	return 0;
}

static int tw_isodigit(char c)
{
	return c >= '0' && c <= '7';
}

/*
 * Undo the module's escaping (procfs.c, tw_print_comm()): bytes <= 0x20,
 * >= 0x7f and the backslash come as a backslash and exactly three octal
 * digits, everything else as itself.  A comm holds no NUL and fits in
 * TASK_COMM_LEN with its terminator.
 */
int tw_unescape_comm(const char *s, char comm[TCPWAVE_COMM_LEN])
{
	size_t n = 0;

	memset(comm, 0, TCPWAVE_COMM_LEN);
	while (*s) {
		unsigned char c = *s;

		if (n >= TCPWAVE_COMM_LEN - 1)
			return -1;
		if (c == '\\') {
			unsigned int v;

			if (!tw_isodigit(s[1]) || !tw_isodigit(s[2]) ||
			    !tw_isodigit(s[3]))
				return -1;
			v = (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
			if (!v || v > 0xff)
				return -1;
			c = v;
			s += 4;
		} else {
			if (c <= ' ' || c >= 0x7f)
				return -1;
			s++;
		}
		comm[n++] = c;
	}
	return 0;
}

/* The bytes that end a field: a blank, or the end of the line. */
static const bool tw_field_end[256] = {
	['\0'] = true, [' '] = true, ['\t'] = true,
};

/* Split @line in place at blanks into p->fields; returns the count. */
static size_t tw_split(struct tw_parser *p, char *line)
{
	size_t n = 0;

	for (;;) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line)
			return n;
		tw_grow((void **)&p->fields, &p->fields_cap, n + 1,
			sizeof(*p->fields));
		p->fields[n++] = line;
		/* One look-up a byte: every byte of the input comes here. */
		while (!tw_field_end[(unsigned char)*line])
			line++;
		if (*line)
			*line++ = '\0';
	}
}

/* "# tcpwave MAJOR.MINOR col...": learn where the columns are. */
static enum tw_line tw_parse_header(struct tw_parser *p, size_t n)
{
	unsigned long long major, minor;
	size_t col[TW_COL_MAX];
	char *ver, *dot;
	size_t i, c;

	if (n < 3) {
		tw_err(p, "header lacks format version");
		return TW_LINE_ERROR;
	}
	ver = p->fields[2];
	dot = strchr(ver, '.');
	if (!dot) {
		tw_err_bad(p, "format version", ver);
		return TW_LINE_ERROR;
	}
	*dot = '\0';
	if (tw_parse_u64(ver, 10, UINT_MAX, &major) ||
	    tw_parse_u64(dot + 1, 10, UINT_MAX, &minor)) {
		*dot = '.';
		tw_err_bad(p, "format version", ver);
		return TW_LINE_ERROR;
	}
	if (major != TCPWAVE_FORMAT_MAJOR) {
		tw_err(p, "unsupported format version %llu.%llu",
		       major, minor);
		return TW_LINE_ERROR;
	}

	for (c = 0; c < TW_COL_MAX; c++)
		col[c] = TW_COL_ABSENT;
	for (i = 3; i < n; i++) {
		for (c = 0; c < TW_COL_MAX; c++)
			if (!strcmp(p->fields[i], tw_col_names[c]))
				break;
		if (c == TW_COL_MAX)
			continue;	/* appended by a later minor */
		if (col[c] != TW_COL_ABSENT) {
			tw_err_bad(p, "header: duplicate column", p->fields[i]);
			return TW_LINE_ERROR;
		}
		col[c] = i - 3;
	}
	for (c = 0; c < TW_COL_MAX; c++) {
		if (col[c] == TW_COL_ABSENT && tw_col_since[c] <= minor) {
			tw_err(p, "header lacks column '%s'", tw_col_names[c]);
			return TW_LINE_ERROR;
		}
	}
	memcpy(p->col, col, sizeof(col));
	p->ncols = n - 3;
	p->major = major;
	p->minor = minor;
	p->have_header = 1;
	return TW_LINE_HEADER;
}

/* "# lost N": the reader fell N records behind the ring's writer. */
static enum tw_line tw_parse_lost(struct tw_parser *p, size_t n, __u64 *lost)
{
	unsigned long long v;

	if (n < 3 || tw_parse_u64(p->fields[2], 10, ULLONG_MAX, &v)) {
		tw_err_bad(p, "lost count", n < 3 ? "" : p->fields[2]);
		return TW_LINE_ERROR;
	}
	*lost = v;
	return TW_LINE_LOST;
}

/* The field of column @c, or NULL when the header has no such column. */
static const char *tw_field(struct tw_parser *p, enum tw_col c)
{
	if (p->col[c] == TW_COL_ABSENT)
		return NULL;
	return p->fields[p->col[c]];
}

/* Records of a 1.0 header carry no event, reason or sequence numbers. */
bool tw_parser_v10(const struct tw_parser *p)
{
	return p->col[TW_COL_event] == TW_COL_ABSENT;
}

/* A decimal or hex column that must fit in @max. */
static int tw_num(struct tw_parser *p, enum tw_col c, int base,
		  unsigned long long max, unsigned long long *v)
{
	if (!tw_parse_u64(tw_field(p, c), base, max, v))
		return 0;
	tw_err_bad(p, tw_col_names[c], tw_field(p, c));
	return -1;
}

/* A sequence number column: "-" or a decimal u32 (RFC 9293 3.3.1). */
static int tw_seqnum(struct tw_parser *p, enum tw_col c, __u8 bit,
		     __u32 *val, __u8 *have)
{
	const char *s = tw_field(p, c);
	unsigned long long v;

	if (!s || !strcmp(s, "-"))
		return 0;
	if (tw_num(p, c, 10, UINT32_MAX, &v))
		return -1;
	*val = v;
	*have |= bit;
	return 0;
}

/*
 * The columns 1.1 appended.  Without them (a 1.0 header) a record is a
 * tcp_set_state() with no reason and no sequence numbers, which is what
 * every 1.0 record was.  An event or reason name we do not know comes
 * from a newer module: keep the record, its renderers skip it.
 */
static enum tw_line tw_parse_record_11(struct tw_parser *p,
				       struct tcpwave_record *r)
{
	unsigned long long v;
	const char *s;

	r->event = TCPWAVE_EV_state;
	r->reason = TCPWAVE_REASON_none;
	s = tw_field(p, TW_COL_event);
	if (s && tw_event_parse(s, &r->event)) {
		tw_err_bad(p, "event", s);
		return TW_LINE_ERROR;
	}
	s = tw_field(p, TW_COL_reason);
	if (s && tw_reason_parse(s, &r->reason)) {
		tw_err_bad(p, "reason", s);
		return TW_LINE_ERROR;
	}
	if (tw_seqnum(p, TW_COL_snd_una, TCPWAVE_HAVE_SND_UNA, &r->snd_una,
		      &r->have) ||
	    tw_seqnum(p, TW_COL_snd_nxt, TCPWAVE_HAVE_SND_NXT, &r->snd_nxt,
		      &r->have) ||
	    tw_seqnum(p, TW_COL_rcv_nxt, TCPWAVE_HAVE_RCV_NXT, &r->rcv_nxt,
		      &r->have) ||
	    tw_seqnum(p, TW_COL_iss, TCPWAVE_HAVE_ISS, &r->iss, &r->have) ||
	    tw_seqnum(p, TW_COL_irs, TCPWAVE_HAVE_IRS, &r->irs, &r->have))
		return TW_LINE_ERROR;
	s = tw_field(p, TW_COL_link);
	if (s && strcmp(s, "-")) {
		if (tw_num(p, TW_COL_link, 16, ULLONG_MAX, &v))
			return TW_LINE_ERROR;
		r->link = v;
		r->have |= TCPWAVE_HAVE_LINK;
	}
	return TW_LINE_RECORD;
}

static enum tw_line tw_parse_record(struct tw_parser *p, size_t n,
				    struct tcpwave_record *r)
{
	unsigned long long v;
	const char *s;

	if (!p->have_header) {
		tw_err(p, "record before header");
		return TW_LINE_ERROR;
	}
	if (n != p->ncols) {
		tw_err(p, "expected %zu fields, got %zu", p->ncols, n);
		return TW_LINE_ERROR;
	}
	memset(r, 0, sizeof(*r));

	if (tw_num(p, TW_COL_seq, 10, ULLONG_MAX, &v))
		return TW_LINE_ERROR;
	r->seq = v;
	if (tw_num(p, TW_COL_ts_ns, 10, ULLONG_MAX, &v))
		return TW_LINE_ERROR;
	r->ts_ns = v;
	if (tw_num(p, TW_COL_cpu, 10, UINT_MAX, &v))
		return TW_LINE_ERROR;
	r->cpu = v;
	if (tw_num(p, TW_COL_cookie, 16, ULLONG_MAX, &v))
		return TW_LINE_ERROR;
	r->cookie = v;
	if (tw_num(p, TW_COL_netns, 10, UINT_MAX, &v))
		return TW_LINE_ERROR;
	r->netns = v;

	s = tw_field(p, TW_COL_family);
	if (strcmp(s, "4") && strcmp(s, "6")) {
		tw_err_bad(p, "family", s);
		return TW_LINE_ERROR;
	}
	r->family = s[0] - '0';

	s = tw_field(p, TW_COL_laddr);
	if (tw_parse_addr(s, r->family, r->laddr, &r->lport)) {
		tw_err_bad(p, "laddr", s);
		return TW_LINE_ERROR;
	}
	s = tw_field(p, TW_COL_raddr);
	if (tw_parse_addr(s, r->family, r->raddr, &r->rport)) {
		tw_err_bad(p, "raddr", s);
		return TW_LINE_ERROR;
	}

	s = tw_field(p, TW_COL_oldstate);
	if (tw_state_parse(s, &r->oldstate)) {
		tw_err_bad(p, "oldstate", s);
		return TW_LINE_ERROR;
	}
	s = tw_field(p, TW_COL_newstate);
	if (tw_state_parse(s, &r->newstate)) {
		tw_err_bad(p, "newstate", s);
		return TW_LINE_ERROR;
	}

	s = tw_field(p, TW_COL_ctx);
	if (tw_ctx_parse(s, &r->ctx)) {
		tw_err_bad(p, "ctx", s);
		return TW_LINE_ERROR;
	}
	s = tw_field(p, TW_COL_pid);
	if (strcmp(s, "-")) {
		if (tw_num(p, TW_COL_pid, 10, UINT_MAX, &v))
			return TW_LINE_ERROR;
		r->pid = v;
	}
	s = tw_field(p, TW_COL_comm);
	if (strcmp(s, "-") && tw_unescape_comm(s, r->comm)) {
		tw_err_bad(p, "comm", s);
		return TW_LINE_ERROR;
	}

	/* Outside task context, current is whoever the interrupt hit. */
	if (r->ctx != TCPWAVE_CTX_task) {
		r->pid = 0;
		memset(r->comm, 0, sizeof(r->comm));
	}
	return tw_parse_record_11(p, r);
}

/*
 * Parse one line, without its newline.  @line is modified.  Returns what
 * the line was; TW_LINE_ERROR leaves the reason in p->err.
 */
enum tw_line tw_parse_line(struct tw_parser *p, char *line,
			   struct tcpwave_record *rec, __u64 *lost)
{
	size_t n = tw_split(p, line);

	if (!n)
		return TW_LINE_SKIP;
	if (p->fields[0][0] != '#')
		return tw_parse_record(p, n, rec);
	if (strcmp(p->fields[0], "#") || n < 2)
		return TW_LINE_SKIP;
	if (!strcmp(p->fields[1], TCPWAVE_HEADER_TAG))
		return tw_parse_header(p, n);
	if (!strcmp(p->fields[1], TCPWAVE_META_LOST))
		return tw_parse_lost(p, n, lost);
	return TW_LINE_SKIP;	/* metadata of a later version */
}

/*
 * Read a whole capture.  Errors are reported on stderr as
 * "tcpwave: FILE:LINE: what"; returns 0 or -1.
 */
int tw_trace_read(FILE *f, const char *name, struct tw_trace *t)
{
	struct tw_parser p;
	struct tcpwave_record rec;
	unsigned long lineno = 0;
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	__u64 lost;
	int ret = 0;

	tw_parser_init(&p);
	while ((len = getline(&line, &size, f)) >= 0) {
		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strlen(line) != (size_t)len) {
			fprintf(stderr, "tcpwave: %s:%lu: NUL byte in line\n",
				name, lineno);
			ret = -1;
			break;
		}
		switch (tw_parse_line(&p, line, &rec, &lost)) {
		case TW_LINE_ERROR:
			fprintf(stderr, "tcpwave: %s:%lu: %s\n",
				name, lineno, p.err);
			ret = -1;
			break;
		case TW_LINE_RECORD:
			tw_grow((void **)&t->recs, &t->recs_cap, t->nrecs + 1,
				sizeof(*t->recs));
			tw_grow((void **)&t->v10, &t->v10_cap, t->nrecs + 1,
				sizeof(*t->v10));
			t->v10[t->nrecs] = tw_parser_v10(&p);
			t->recs[t->nrecs++] = rec;
			break;
		case TW_LINE_LOST:
			tw_grow((void **)&t->lost, &t->lost_cap, t->nlost + 1,
				sizeof(*t->lost));
			t->lost[t->nlost].count = lost;
			t->lost[t->nlost].before = t->nrecs;
			t->nlost++;
			break;
		default:
			break;
		}
		if (ret)
			break;
	}
	/*
	 * The ring read with O_NONBLOCK may say EAGAIN at its newest
	 * record instead of end of file, as /dev/kmsg does: that is the end.
	 */
	if (!ret && ferror(f) && errno != EAGAIN) {
		fprintf(stderr, "tcpwave: %s: read error: %s\n",
			name, strerror(errno));
		ret = -1;
	}
	free(line);
	tw_parser_free(&p);
	return ret;
}

void tw_trace_free(struct tw_trace *t)
{
	free(t->recs);
	free(t->v10);
	free(t->lost);
	memset(t, 0, sizeof(*t));
}
