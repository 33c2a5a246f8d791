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

static void tw_names_init(struct tw_names *t,
			  const char *(*name)(unsigned int), unsigned int n);

void tw_parser_init(struct tw_parser *p)
{
	memset(p, 0, sizeof(*p));
	tw_names_init(&p->states, tw_state_name, TCPWAVE_STATE_MAX);
	tw_names_init(&p->ctxs, tw_ctx_name, TCPWAVE_CTX_MAX);
	tw_names_init(&p->events, tw_event_name, TCPWAVE_EV_MAX);
	/* "-" is how the module writes TCPWAVE_REASON_none, not "none". */
	tw_names_init(&p->reasons, tw_reason_name, TCPWAVE_REASON_MAX);
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

/*
 * How many columns tw_parse_fast() reads under a header that puts column
 * c at field @col[c]: those of 1.0, or of 1.1, each at its place in the
 * module's order, and no other known column after them.  0 for any other
 * order, which tw_parse_line() alone reads.
 */
static size_t tw_fast_cols(const size_t col[TW_COL_MAX])
{
	size_t c, k;

	for (k = 0; k < TW_COL_MAX && col[k] == k; k++)
		;
	if (k != TW_COL_event && k != TW_COL_MAX)
		return 0;
	for (c = k; c < TW_COL_MAX; c++)
		if (col[c] != TW_COL_ABSENT)
			return 0;
	return k;
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
	p->fast = tw_fast_cols(col);
	p->fast_tail = p->ncols - p->fast;
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
 * The fast path.
 *
 * tw_parse_line() splits a line at its blanks, then walks each field
 * again in helpers that take any string: strcmp(), strrchr(), a digit
 * loop that asks of every byte whether it is hex.  A long trace is
 * nearly all record lines, though, with their fields in the order the
 * module writes them.  tw_parse_fast() reads those fields as they come,
 * each once, eight bytes at a time where it can: a field's bytes are
 * classified and converted as a 64-bit word, and its end found in it.
 *
 * It only ever takes a line that tw_parse_line() reads as a record, and
 * fills in the record that it would.  Anything else, a header, metadata,
 * a bad line or one merely unusual (a comm with escapes, a number of
 * over 16 digits, an event name of a newer module), it declines, and
 * the careful path decides and says what is wrong.  So the fast path
 * need not be complete, only never more lenient: tests/unit/test_parse.c
 * runs both on the lines it parses, and on every line one edit away,
 * and checks that they agree.
 *
 * Each tw_fast_*() below reads the field at *@sp, moves *@sp past it
 * and the blanks after it to the next field, and returns true; or
 * returns false to decline the line.  A word may be read from anywhere
 * up to the line's NUL, hence TW_PARSE_PAD.  The readers and what they
 * use are forced inline where they are called (gcc declines, in one big
 * function): a call and its spills cost as much as a field.
 */
#define TW_INLINE static inline __attribute__((always_inline))

/* 0x0101...01 times @c: the byte @c in each byte of a word. */
TW_INLINE __u64 tw_bytes(unsigned int c)
{
	return 0x0101010101010101ULL * c;
}

/* The eight bytes at @s as a word, s[0] its lowest byte on any machine. */
TW_INLINE __u64 tw_word(const char *s)
{
	__u64 w;

	memcpy(&w, s, sizeof(w));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* Store @w, as tw_word() reads it, at @s. */
TW_INLINE void tw_store_word(char *s, __u64 w)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	memcpy(s, &w, sizeof(w));
}

/*
 * The top bit of each byte of @w that is in [@lo, @hi] (at most 0x7f),
 * and no other bit.  Each byte is compared in its low 7 bits, with the
 * top one as a guard that no carry crosses into the next byte: so every
 * byte's answer is exact, whatever its neighbours are.
 */
TW_INLINE __u64 tw_in(__u64 w, unsigned int lo, unsigned int hi)
{
	__u64 x = w & tw_bytes(0x7f);
	__u64 ge = x + tw_bytes(0x80 - lo);	/* top bit: x >= lo */
	__u64 gt = x + tw_bytes(0x7f - hi);	/* top bit: x > hi */

	return ge & ~gt & ~w & tw_bytes(0x80);
}

/*
 * The top bit of each byte of @w that is not a decimal digit: cheaper
 * than tw_in(), but exact only up to the first such byte, as a borrow
 * or a carry comes only out of a byte that is none.  That first one is
 * all a reader of a number needs: where the number ends.
 */
TW_INLINE __u64 tw_nondigits(__u64 w)
{
	__u64 t = w - tw_bytes('0');		/* a digit: 0-9 */

	return (t | (t + tw_bytes(0x80 - 10))) & tw_bytes(0x80);
}

/*
 * The top bit of each byte of @w below '!': a blank, a control byte or
 * the NUL, where a field ends.  Exact up to the first, as above.
 */
TW_INLINE __u64 tw_ends(__u64 w)
{
	return (w - tw_bytes('!')) & ~w & tw_bytes(0x80);
}

/* The index of the first byte flagged in @flags, which is not 0. */
TW_INLINE unsigned int tw_first(__u64 flags)
{
	return __builtin_ctzll(flags) / 8;
}

/* The first @k (0 to 7) bytes of a word: the rest zero. */
TW_INLINE __u64 tw_head(unsigned int k)
{
	return (1ULL << (8 * k)) - 1;
}

/*
 * The number the first @k (1 to 8) bytes of @w spell in decimal, all of
 * them digits.  Shifted so that they end at the top byte, the digits
 * are a number of 8 with leading zeros; then three multiplies fold each
 * two neighbours, first digits into pairs, then pairs into fours, then
 * fours into eight: x * (10 << 8 | 1) >> 8 puts 10 * a + b where a was,
 * b being a's neighbour above.  No lane overflows: 99 < 2^8, 9999 <
 * 2^16, 99999999 < 2^32; what the products carry out of 64 bits is
 * nothing we keep.
 */
TW_INLINE __u64 tw_dec8(__u64 w, unsigned int k)
{
	w = (w & tw_bytes(0x0f)) << (64 - 8 * k);
	w = (w * (10 << 8 | 1)) >> 8 & 0x00ff00ff00ff00ffULL;
	w = (w * (100 << 16 | 1)) >> 16 & 0x0000ffff0000ffffULL;
	return (w * (10000ULL << 32 | 1)) >> 32;
}

/*
 * The same for the first @k (1 to 8) bytes of @w in hex: @letters are
 * the tw_in() flags of its 'a'-'f' (or 'A'-'F'), whose low nibble is 1-6.
 */
TW_INLINE __u64 tw_hex8(__u64 w, __u64 letters, unsigned int k)
{
	w = ((w & tw_bytes(0x0f)) + (letters >> 7) * 9) << (64 - 8 * k);
	w = (w << 4 | w >> 8) & 0x00ff00ff00ff00ffULL;
	w = (w << 8 | w >> 16) & 0x0000ffff0000ffffULL;
	return (w << 16 | w >> 32) & 0xffffffffULL;
}

static const __u64 tw_pow10[9] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000
};

/*
 * The field at *@sp ends at @s: move past the space there to the next
 * field; at a NUL, to the NUL, so that the next field is empty and
 * declined.  False, and no move, if no field ends at @s: a byte that
 * the field's reader did not take.  The module writes one space between
 * fields: more blanks, or a tab, make the next field start with one,
 * which no reader takes, and the line goes to tw_parse_line().
 */
TW_INLINE bool tw_fast_next(const char **sp, const char *s)
{
	if (*s == ' ')
		s++;
	else if (*s)
		return false;
	*sp = s;
	return true;
}

/* The careful loop of tw_fast_dec(), for over 16 digits. */
static bool tw_fast_dec_long(const char **sp, unsigned long long max,
			     unsigned long long *val)
{
	const char *s = *sp;
	unsigned long long v = 0;
	unsigned int d;

	/* At most 19 digits: below 10^19, a u64 does not overflow. */
	for (d = *s - '0'; d <= 9; d = *++s - '0')
		v = v * 10 + d;
	if (s - *sp > 19 || v > max)
		return false;
	*val = v;
	return tw_fast_next(sp, s);
}

/* A decimal field no more than @max, as tw_parse_u64(s, 10, @max). */
TW_INLINE bool tw_fast_dec(const char **sp, unsigned long long max,
			   unsigned long long *val)
{
	const char *s = *sp;
	__u64 w = tw_word(s), w2, end = tw_nondigits(w);
	unsigned long long v;
	unsigned int k;

	if (end) {
		k = tw_first(end);
		if (!k)
			return false;
		v = tw_dec8(w, k);
	} else {
		w2 = tw_word(s + 8);
		end = tw_nondigits(w2);
		if (!end)
			return tw_fast_dec_long(sp, max, val);
		k = tw_first(end);
		v = tw_dec8(w, 8);
		if (k)
			v = v * tw_pow10[k] + tw_dec8(w2, k);
		k += 8;
	}
	if (v > max)
		return false;
	*val = v;
	return tw_fast_next(sp, s + k);
}

/* A hex field of 1 to 16 digits, in either case, as tw_parse_u64(). */
TW_INLINE bool tw_fast_hex(const char **sp, unsigned long long *val)
{
	const char *s = *sp;
	__u64 w = tw_word(s), w2, letters, letters2, end;
	unsigned long long v;
	unsigned int k;

	/*
	 * Only 'A'-'F' become 'a'-'f' by the 0x20 bit; digits have it.
	 * tw_nondigits() is exact up to the first byte that is no hex
	 * digit: a letter neither borrows nor carries there.
	 */
	letters = tw_in(w | tw_bytes(0x20), 'a', 'f');
	end = tw_nondigits(w) & ~letters;
	if (end) {
		k = tw_first(end);
		if (!k)
			return false;
		v = tw_hex8(w, letters, k);
	} else {
		w2 = tw_word(s + 8);
		letters2 = tw_in(w2 | tw_bytes(0x20), 'a', 'f');
		end = tw_nondigits(w2) & ~letters2;
		/*
		 * A 17th digit is no blank to tw_fast_next(): more than 16
		 * are left to tw_parse_u64().
		 */
		k = end ? tw_first(end) : 8;
		v = tw_hex8(w, letters, 8);
		if (k)
			v = v << (4 * k) | tw_hex8(w2, letters2, k);
		k += 8;
	}
	*val = v;
	return tw_fast_next(sp, s + k);
}

/* A field that is "-" alone: no value.  False, and no move, otherwise. */
TW_INLINE bool tw_fast_dash(const char **sp)
{
	const char *s = *sp;

	return *s == '-' && tw_fast_next(sp, s + 1);
}

/*
 * The field at *@sp, if it has 1 to 16 bytes, as two words with zeros
 * after its end (a blank, a control byte or the NUL): tw_names' keys.
 * Returns its end, NULL if it is empty or longer.
 */
TW_INLINE const char *tw_fast_key(const char *s, __u64 key[2])
{
	__u64 w = tw_word(s), end = tw_ends(w);
	unsigned int k;

	if (end) {
		k = tw_first(end);
		key[0] = w & tw_head(k);
		key[1] = 0;
		return k ? s + k : NULL;
	}
	key[0] = w;
	w = tw_word(s + 8);
	end = tw_ends(w);
	if (!end)
		return NULL;
	k = tw_first(end);
	key[1] = w & tw_head(k);
	return s + 8 + k;
}

/* Where the search for @key starts in a struct tw_names. */
TW_INLINE size_t tw_names_hash(const __u64 key[2])
{
	/* Fibonacci hashing: the top bits of the product. */
	return ((key[0] + key[1] * 31) * 0x9e3779b97f4a7c15ULL) >>
	       (64 - TW_NAMES_BITS);
}

_Static_assert(TCPWAVE_STATE_MAX <= TW_NAMES_SLOTS / 2 &&
	       TCPWAVE_CTX_MAX <= TW_NAMES_SLOTS / 2 &&
	       TCPWAVE_EV_MAX <= TW_NAMES_SLOTS / 2 &&
	       TCPWAVE_REASON_MAX <= TW_NAMES_SLOTS / 2,
	       "a name table would be more than half full");

/*
 * Hash the names @name(0) to @name(@n - 1) into @t; values without a
 * name (NULL) or one over 16 bytes are left out, so tw_names_find()
 * does not find them and the line goes to tw_parse_line().
 */
static void tw_names_init(struct tw_names *t,
			  const char *(*name)(unsigned int), unsigned int n)
{
	char buf[2 * sizeof(__u64)];
	unsigned int v;
	size_t i, len;
	const char *s;
	__u64 key[2];

	memset(t, 0, sizeof(*t));
	for (v = 0; v < n; v++) {
		s = name(v);
		len = s ? strlen(s) : 0;
		if (!len || len > sizeof(buf))
			continue;
		memset(buf, 0, sizeof(buf));
		memcpy(buf, s, len);
		key[0] = tw_word(buf);
		key[1] = tw_word(buf + 8);
		for (i = tw_names_hash(key); t->key[i][0];
		     i = (i + 1) % TW_NAMES_SLOTS)
			;
		t->key[i][0] = key[0];
		t->key[i][1] = key[1];
		t->val[i] = v;
	}
}

/* The value of the name @key, or -1 if the table has no such name. */
TW_INLINE int tw_names_find(const struct tw_names *t, const __u64 key[2])
{
	size_t i = tw_names_hash(key);

	/* Linear probing; never full, so a free slot (0) ends the search. */
	for (; t->key[i][0]; i = (i + 1) % TW_NAMES_SLOTS)
		if (t->key[i][0] == key[0] && t->key[i][1] == key[1])
			return t->val[i];
	return -1;
}

/* A name from table @t: its value in *@val. */
TW_INLINE bool tw_fast_name(const char **sp, const struct tw_names *t,
			    int *val)
{
	const char *end;
	__u64 key[2];

	end = tw_fast_key(*sp, key);
	if (!end)
		return false;
	*val = tw_names_find(t, key);
	return *val >= 0 && tw_fast_next(sp, end);
}

/* A state: a name, or a number up to 255, as tw_state_parse(). */
TW_INLINE bool tw_fast_state(const char **sp, const struct tw_parser *p,
			     __u8 *state)
{
	unsigned long long v;
	int i;

	if ((unsigned char)**sp - '0' <= 9) {
		if (!tw_fast_dec(sp, 255, &v))
			return false;
		*state = v;
	} else {
		if (!tw_fast_name(sp, &p->states, &i))
			return false;
		*state = i;
	}
	return true;
}

/*
 * An octet of IPv4 and the byte after it, @sep, as tw_parse_ipv4() reads
 * them: 0 to 255, no leading zero.
 */
TW_INLINE bool tw_fast_octet(const char **sp, __u8 *octet, char sep)
{
	const char *s = *sp;
	unsigned int d0, d1, d2, v;

	d0 = (unsigned char)s[0] - '0';
	if (d0 > 9)
		return false;
	d1 = (unsigned char)s[1] - '0';
	if (d1 > 9) {
		v = d0;
		s += 1;
	} else {
		d2 = (unsigned char)s[2] - '0';
		if (!d0)
			return false;
		if (d2 > 9) {
			v = d0 * 10 + d1;
			s += 2;
		} else {
			v = d0 * 100 + d1 * 10 + d2;
			s += 3;
		}
	}
	if (v > 255 || *s != sep)
		return false;
	*octet = v;
	*sp = s + 1;
	return true;
}

/* "a.b.c.d:port" or "[ipv6]:port", as tw_parse_addr() for @family. */
TW_INLINE bool tw_fast_addr(const char **sp, unsigned int family,
			    __u8 addr[16], __u16 *port)
{
	const char *s = *sp, *rb;
	unsigned long long v;

	if (family == 4) {
		if (!tw_fast_octet(sp, &addr[0], '.') ||
		    !tw_fast_octet(sp, &addr[1], '.') ||
		    !tw_fast_octet(sp, &addr[2], '.') ||
		    !tw_fast_octet(sp, &addr[3], ':'))
			return false;
	} else {
		/* The first ']', as strchr() finds it, within the field. */
		if (*s != '[')
			return false;
		for (rb = s + 1; *rb != ']'; rb++)
			if ((unsigned char)*rb <= ' ')
				return false;
		if (rb[1] != ':' || tw_parse_ipv6(s + 1, rb, addr))
			return false;
		*sp = rb + 2;
	}
	if (!tw_fast_dec(sp, 65535, &v))
		return false;
	*port = v;
	return true;
}

/*
 * The top bit of each byte of @w that may not stand for itself in a comm
 * (tw_unescape_comm()): below '!', above '~', or the backslash.  Exact
 * up to the first, as tw_nondigits(): a carry out of w + 1 comes only
 * from 0xff, a borrow out of tw_ends() or bs - 1 only from a byte each
 * flags.
 */
TW_INLINE __u64 tw_comm_special(__u64 w)
{
	__u64 bs = w ^ tw_bytes('\\');		/* the backslash: 0 */

	return tw_ends(w) | (((w + tw_bytes(1)) | w) & tw_bytes(0x80)) |
	       ((bs - tw_bytes(1)) & ~bs & tw_bytes(0x80));
}

/* A comm of plain bytes, or "-".  One with an escape is left to it. */
TW_INLINE bool tw_fast_comm(const char **sp, char comm[TCPWAVE_COMM_LEN])
{
	const char *s = *sp;
	__u64 w = tw_word(s), w2 = 0, end;
	unsigned int k;

	if (tw_fast_dash(sp))
		return true;
	end = tw_comm_special(w);
	if (end) {
		k = tw_first(end);
		if (!k)
			return false;
		w &= tw_head(k);
	} else {
		w2 = tw_word(s + 8);
		end = tw_comm_special(w2);
		/* 16 bytes or more leave no room for the NUL. */
		if (!end)
			return false;
		k = tw_first(end);
		w2 &= tw_head(k);
		k += 8;
	}
	/* Two words, zeros after the comm: as tw_unescape_comm() leaves it. */
	_Static_assert(TCPWAVE_COMM_LEN == 16, "a comm is two words");
	tw_store_word(comm, w);
	tw_store_word(comm + 8, w2);
	return tw_fast_next(sp, s + k);
}

/* "-", or a decimal u32 that sets @bit in *@have (tw_seqnum()). */
TW_INLINE bool tw_fast_seqnum(const char **sp, __u32 *val, __u8 *have,
			      __u8 bit)
{
	unsigned long long v;

	if (tw_fast_dash(sp))
		return true;
	if (!tw_fast_dec(sp, UINT32_MAX, &v))
		return false;
	*val = v;
	*have |= bit;
	return true;
}

/*
 * Read the record line @line of @len bytes, as tw_parse_line() would.
 * line[@len] is its NUL, and TW_PARSE_PAD bytes after it are readable;
 * the line is not modified.  Returns true with *@r filled in; false if
 * tw_parse_line() must read the line, which may still be a record (*@r
 * is then undefined).  The header decides whether there is a fast path
 * at all (tw_fast_cols()).
 */
bool tw_parse_fast(const struct tw_parser *p, const char *line, size_t len,
		   struct tcpwave_record *r)
{
	const char *s = line;
	unsigned long long seq, ts, cpu, cookie, netns, pid = 0, link;
	int ctx, event, reason;
	size_t i;

	if (!p->fast)
		return false;
	memset(r, 0, sizeof(*r));
	/*
	 * A '#' line, a blank one, or one that starts with a blank has no
	 * seq here: tw_parse_line() reads it.
	 */
	if (!tw_fast_dec(&s, ULLONG_MAX, &seq) ||
	    !tw_fast_dec(&s, ULLONG_MAX, &ts) ||
	    !tw_fast_dec(&s, UINT_MAX, &cpu) ||
	    !tw_fast_hex(&s, &cookie) ||
	    !tw_fast_dec(&s, UINT_MAX, &netns))
		return false;
	r->seq = seq;
	r->ts_ns = ts;
	r->cpu = cpu;
	r->cookie = cookie;
	r->netns = netns;
	if (*s != '4' && *s != '6')
		return false;
	r->family = *s - '0';
	if (!tw_fast_next(&s, s + 1) ||
	    !tw_fast_addr(&s, r->family, r->laddr, &r->lport) ||
	    !tw_fast_addr(&s, r->family, r->raddr, &r->rport) ||
	    !tw_fast_state(&s, p, &r->oldstate) ||
	    !tw_fast_state(&s, p, &r->newstate) ||
	    !tw_fast_name(&s, &p->ctxs, &ctx) ||
	    (!tw_fast_dash(&s) && !tw_fast_dec(&s, UINT_MAX, &pid)) ||
	    !tw_fast_comm(&s, r->comm))
		return false;
	r->ctx = ctx;
	/* Outside task context, current is whoever the interrupt hit. */
	if (r->ctx == TCPWAVE_CTX_task)
		r->pid = pid;
	else
		memset(r->comm, 0, sizeof(r->comm));

	/* Without the columns of 1.1, the record is as of 1.0 (zeros). */
	if (p->fast == TW_COL_MAX) {
		if (!tw_fast_name(&s, &p->events, &event) ||
		    !tw_fast_name(&s, &p->reasons, &reason) ||
		    !tw_fast_seqnum(&s, &r->snd_una, &r->have,
				    TCPWAVE_HAVE_SND_UNA) ||
		    !tw_fast_seqnum(&s, &r->snd_nxt, &r->have,
				    TCPWAVE_HAVE_SND_NXT) ||
		    !tw_fast_seqnum(&s, &r->rcv_nxt, &r->have,
				    TCPWAVE_HAVE_RCV_NXT) ||
		    !tw_fast_seqnum(&s, &r->iss, &r->have, TCPWAVE_HAVE_ISS) ||
		    !tw_fast_seqnum(&s, &r->irs, &r->have, TCPWAVE_HAVE_IRS))
			return false;
		r->event = event;
		r->reason = reason;
		if (!tw_fast_dash(&s)) {
			if (!tw_fast_hex(&s, &link))
				return false;
			r->link = link;
			r->have |= TCPWAVE_HAVE_LINK;
		}
	}

	/* Columns of later versions: any bytes but blanks, ignored. */
	for (i = 0; i < p->fast_tail; i++) {
		if ((unsigned char)*s <= ' ')
			return false;
		while ((unsigned char)*s > ' ')
			s++;
		if (!tw_fast_next(&s, s))
			return false;
	}
	/* At the end of the line: not at a NUL within it. */
	return s == line + len;
}

static void tw_trace_add(struct tw_trace *t, const struct tcpwave_record *r,
			 bool v10)
{
	tw_grow((void **)&t->recs, &t->recs_cap, t->nrecs + 1,
		sizeof(*t->recs));
	tw_grow((void **)&t->v10, &t->v10_cap, t->nrecs + 1, sizeof(*t->v10));
	t->v10[t->nrecs] = v10;
	t->recs[t->nrecs++] = *r;
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
		/* getline()'s buffer is realloc()ed, as tw_grow() does. */
		tw_grow((void **)&line, &size, len + 1 + TW_PARSE_PAD, 1);
		memset(line + len + 1, 0, TW_PARSE_PAD);
		if (tw_parse_fast(&p, line, len, &rec)) {
			tw_trace_add(t, &rec, tw_parser_v10(&p));
			continue;
		}
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
			tw_trace_add(t, &rec, tw_parser_v10(&p));
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
