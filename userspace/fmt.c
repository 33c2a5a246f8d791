// SPDX-License-Identifier: GPL-2.0
/*
 * fmt.c - text helpers for the renderers.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "states.h"

/*
 * Out of memory leaves a viewer nothing useful to do: say so and stop,
 * rather than thread an error through every renderer.
 */
void *tw_xrealloc(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		goto oom;
	/* realloc(p, 0) may free p and return NULL: ask for a byte. */
	if (!nmemb || !size)
		nmemb = size = 1;
	p = realloc(p, nmemb * size);
	if (p)
		return p;
oom:
	fputs("tcpwave: out of memory\n", stderr);
	exit(1);
}

/* tw_grow() when *@cap is short of @need. */
void tw_grow_slow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;

	while (n < need) {
		if (n > SIZE_MAX / 2)
			n = need;
		else
			n *= 2;
	}
	*p = tw_xrealloc(*p, n, size);
	*cap = n;
}

/* Empty the line, keeping its memory. */
void tw_buf_reset(struct tw_buf *b)
{
	b->len = 0;
	b->wlen = 0;
	b->width = 0;
	if (b->s)
		b->s[0] = '\0';
}

void tw_buf_free(struct tw_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/*
 * Formatted straight into the room the buffer has: vsnprintf() a second
 * time only when that was too small.  Every line of -E goes through
 * here (scripts/bench.sh measures it).
 */
void tw_buf_printf(struct tw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	tw_buf_room(b, 63);
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n <= 0) {
		b->s[b->len] = '\0';
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		tw_buf_room(b, n);
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += n;
}

/*
 * @n spaces, 8 a store rather than a call to memset(): padding is a
 * few spaces at a time, many times a line.  Room for up to 7 more.
 */
void tw_buf_spaces(struct tw_buf *b, size_t n)
{
	char *p;
	size_t i;

	tw_buf_room(b, n + 7);
	p = b->s + b->len;
	for (i = 0; i < n; i += 8)
		memcpy(p + i, "        ", 8);
	b->len += n;
	b->s[b->len] = '\0';
}

/* tw_buf_printf(b, "%llu", v), without printf. */
void tw_buf_u64(struct tw_buf *b, unsigned long long v)
{
	tw_buf_room(b, 20);
	b->len = tw_put_u64(b->s + b->len, v) - b->s;
	b->s[b->len] = '\0';
}

/* tw_buf_printf(b, "%*s", width, s), without printf. */
void tw_buf_rjust(struct tw_buf *b, size_t width, const char *s)
{
	size_t n = strlen(s);

	if (n < width)
		tw_buf_spaces(b, width - n);
	tw_buf_add(b, s, n);
}

/* The @n bytes at @t as a string in @buf, cut to @size like snprintf(). */
void tw_copy_cut(char *buf, size_t size, const char *t, size_t n)
{
	if (!size)
		return;
	if (n >= size)
		n = size - 1;
	memcpy(buf, t, n);
	buf[n] = '\0';
}

/* snprintf(dst, size, "%s", src), without printf. */
void tw_copy(char *dst, size_t size, const char *src)
{
	tw_copy_cut(dst, size, src, strlen(src));
}

/*
 * Append @s at @p, a string ending before @end, and return the new end:
 * a chain of these is snprintf(p, end - p, "%s%s...", ...) without
 * printf, truncated as it would be.
 */
char *tw_cat(char *p, char *end, const char *s)
{
	while (*s && p + 1 < end)
		*p++ = *s++;
	if (p < end)
		*p = '\0';
	return p;
}

static bool tw_plain(unsigned char c, bool space)
{
	return (c > ' ' || (space && c == ' ')) && c < 0x7f && c != '\\';
}

static void tw_buf_escape(struct tw_buf *b, const char *s, size_t max,
			  bool space)
{
	size_t i, j;

	for (i = 0; s[i] && i < max; i = j) {
		unsigned char c = s[i];
		char o[4];

		/* A run of plain bytes in one go: a comm is mostly one. */
		for (j = i; s[j] && j < max && tw_plain(s[j], space); j++)
			;
		if (j > i) {
			tw_buf_add(b, s + i, j - i);
			continue;
		}
		o[0] = '\\';
		o[1] = '0' + (c >> 6);
		o[2] = '0' + (c >> 3 & 7);
		o[3] = '0' + (c & 7);
		tw_buf_add(b, o, 4);
		j = i + 1;
	}
	if (s[i])
		tw_buf_puts(b, "...");
}

/*
 * Bytes that came from the traced system (a comm, a bad input field)
 * must not drive the terminal: print only graphic ASCII and space, the
 * rest as \ooo like the module's escaping.  At most @max input bytes.
 */
void tw_buf_puts_safe(struct tw_buf *b, const char *s, size_t max)
{
	tw_buf_escape(b, s, max, true);
}

/* The same as one word, for a table's cell: a space shows as \040. */
void tw_buf_puts_word(struct tw_buf *b, const char *s, size_t max)
{
	tw_buf_escape(b, s, max, false);
}

/* The 8 bytes at @s as a number, s[0] its lowest byte on any machine. */
static __u64 tw_le64(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	/* Compilers make this one load (and a byte swap if big-endian). */
	return (__u64)u[0] | (__u64)u[1] << 8 | (__u64)u[2] << 16 |
	       (__u64)u[3] << 24 | (__u64)u[4] << 32 | (__u64)u[5] << 40 |
	       (__u64)u[6] << 48 | (__u64)u[7] << 56;
}

/*
 * The top bit of each byte of @x that tw_buf_puts_word() would not copy
 * as it is, NUL included: below '!', above '~', or a backslash.  Each
 * test is on the low 7 bits of a byte, whose sums never carry into the
 * next.
 */
static __u64 tw_word_unplain(__u64 x)
{
	const __u64 ones = 0x0101010101010101ULL, high = ones * 0x80;
	__u64 low = x & ~high;
	__u64 graph = (low + ones * (0x80 - '!')) & high;	/* >= '!' */
	__u64 del = (low + ones) & high;			/* == 0x7f */
	__u64 bs = ((low ^ ones * '\\') + ~high) & high;	/* no backslash */

	return ~(~x & graph & ~del & bs) & high;
}

/*
 * The length of @comm, a comm's TCPWAVE_COMM_LEN bytes, if
 * tw_buf_puts_word() copies it as it is: graphic ASCII but the
 * backslash, up to a NUL within them, as nearly every comm is.  Else
 * TCPWAVE_COMM_LEN.  Eight bytes at a time.
 */
static_assert(TCPWAVE_COMM_LEN == 16, "tw_comm_plain(): two words");

size_t tw_comm_plain(const char *comm)
{
	__u64 bad = tw_word_unplain(tw_le64(comm));
	size_t n = 0;

	if (!bad) {
		bad = tw_word_unplain(tw_le64(comm + 8));
		n = 8;
	}
	if (!bad)
		return TCPWAVE_COMM_LEN;
	n += __builtin_ctzll(bad) / 8;
	return comm[n] ? TCPWAVE_COMM_LEN : n;
}

/* Whether any of the 8 bytes in @x is ESC. */
static bool tw_word_esc(__u64 x)
{
	const __u64 ones = 0x0101010101010101ULL;
	__u64 esc = x ^ (ones * '\033');

	/* (v - 1) & ~v sets a byte's top bit only if some byte is 0. */
	return ((esc - ones) & ~esc) & (ones * 0x80);
}

/*
 * How many of the 8 bytes in @x continue a UTF-8 character (10xxxxxx):
 * the top bit of each, set and with the next bit clear, is summed into
 * the top byte by the multiplication (8 at most: nothing carries out).
 */
static unsigned int tw_word_conts(__u64 x)
{
	const __u64 ones = 0x0101010101010101ULL;
	__u64 cont = x & ~(x << 1) & (ones * 0x80);

	/* ASCII, as most words are: none. */
	if (!(x & (ones * 0x80)))
		return 0;
	return (cont >> 7) * ones >> 56;
}

/*
 * Add the display columns of s[0..n) to *@w: every character we print,
 * box drawing included, is one column wide, so count the bytes that
 * start one.  The SGR sequences of tw_buf_sgr() ("ESC [ ... m") take no
 * column.  8 bytes at a time when they hold no ESC, as most do, box
 * drawing or not.  Returns the bytes measured: all, or those before an
 * ESC that ends @s or an "ESC [" with no "m" after it, which the caller
 * decides about.
 */
static size_t tw_width_scan(const char *s, size_t n, size_t *w)
{
	size_t i = 0;
	__u64 x;

	while (i < n) {
		unsigned char c;

		if (n - i >= 8) {
			memcpy(&x, s + i, 8);
			if (!tw_word_esc(x)) {
				*w += 8 - tw_word_conts(x);
				i += 8;
				continue;
			}
		}
		c = s[i];
		if (c == '\033') {
			const char *m;

			if (i + 1 == n)
				return i;
			if (s[i + 1] == '[') {
				m = memchr(s + i + 2, 'm', n - i - 2);
				if (!m)
					return i;
				i = m - s + 1;
				continue;
			}
		}
		*w += (c & 0xc0) != 0x80;
		i++;
	}
	return i;
}

/* Display columns of UTF-8 text, SGR escapes taking none. */
size_t tw_width(const char *s)
{
	size_t n = strlen(s), w = 0;

	/* A lone ESC at the end is a character like any other. */
	if (tw_width_scan(s, n, &w) + 1 == n)
		w++;
	return w;
}

/*
 * Switch the terminal's rendition (ECMA-48 SGR): @sgr is one of the
 * TW_SGR_* codes, TW_SGR_OFF to return to normal.  Nothing unless the
 * view has colour (--color, or a terminal without NO_COLOR).  Untrusted
 * text never reaches this: tw_buf_puts_safe() escapes ESC.
 */
void tw_buf_sgr(struct tw_buf *b, const struct tw_view *v, const char *sgr)
{
	if (!v->color)
		return;
	/* TW_SGR_ESC(sgr), without printf: a coloured cell has two. */
	tw_buf_puts(b, "\033[");
	tw_buf_puts(b, sgr);
	tw_buf_puts(b, "m");
}

/*
 * tw_width() of the line, measuring only the bytes added since the last
 * time.  An SGR escape not finished yet at the end (ESC, or "ESC [" and
 * no "m") is measured again once the rest of it came, so the answer is
 * always tw_width(b->s).
 */
size_t tw_buf_width(struct tw_buf *b)
{
	if (!b->s)
		return 0;
	b->wlen += tw_width_scan(b->s + b->wlen, b->len - b->wlen, &b->width);
	/* A lone ESC at the end: a column, unless a '[' comes next. */
	return b->width + (b->wlen + 1 == b->len);
}

/*
 * Pad with spaces up to display column @col.  Text that already reached
 * it gets a single space, so that an overlong cell pushes the rest of
 * the line right instead of running into it.
 */
void tw_buf_pad_to(struct tw_buf *b, size_t col)
{
	size_t w = tw_buf_width(b);

	if (w >= col && w && b->s[b->len - 1] != ' ') {
		tw_buf_add(b, " ", 1);
		return;
	}
	if (w < col)
		tw_buf_spaces(b, col - w);
}

/* Write the line without trailing blanks, then forget it. */
void tw_buf_emit(struct tw_buf *b, FILE *f)
{
	while (b->len && b->s[b->len - 1] == ' ')
		b->len--;
	/*
	 * With its newline, in the room of the NUL: one call to stdio, and
	 * without its lock, which the viewer's one thread does not need.
	 */
	if (b->s) {
		b->s[b->len] = '\n';
		fwrite_unlocked(b->s, 1, b->len + 1, f);
	} else {
		fputc('\n', f);
	}
	tw_buf_reset(b);
}

/* "00" to "99": two digits for each division by 100. */
static const char tw_digits2[201] =
	"0001020304050607080910111213141516171819"
	"2021222324252627282930313233343536373839"
	"4041424344454647484950515253545556575859"
	"6061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/*
 * How many decimal digits @u has, 1 for 0.  The bit length times
 * log10(2) (1233 / 4096) is the count or one less; a power of ten tells
 * which ("Bit Twiddling Hacks", IntegerLog10).  u | 1 has as many digits
 * as u: 10^k - 1 is odd.
 */
static inline unsigned int tw_u32_digits(unsigned int u)
{
	static const unsigned int pow10[10] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
		100000000, 1000000000,
	};
	unsigned int x = u | 1;
	unsigned int t = (32 - __builtin_clz(x)) * 1233 >> 12;

	return t + (x >= pow10[t]);
}

/* The same for 64 bits, for the few numbers that need them. */
unsigned int tw_u64_digits(unsigned long long v)
{
	static const unsigned long long pow10[20] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL,
		1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
		10000000000ULL, 100000000000ULL, 1000000000000ULL,
		10000000000000ULL, 100000000000000ULL,
		1000000000000000ULL, 10000000000000000ULL,
		100000000000000000ULL, 1000000000000000000ULL,
		10000000000000000000ULL,
	};
	unsigned long long x = v | 1;
	unsigned int t;

	if (v <= 0xffffffffULL)
		return tw_u32_digits(v);
	t = (64 - __builtin_clzll(x)) * 1233 >> 12;
	return t + (x >= pow10[t]);
}

/* The digits of @u, two at a time, backwards from @end. */
static inline void tw_put_u32_back(char *end, unsigned int u)
{
	while (u >= 100) {
		end -= 2;
		memcpy(end, tw_digits2 + u % 100 * 2, 2);
		u /= 100;
	}
	if (u >= 10)
		memcpy(end - 2, tw_digits2 + u * 2, 2);
	else
		end[-1] = '0' + u;
}

/*
 * tw_put_u64() of a number of 32 bits, as most are (ports, pids,
 * sequence numbers, milliseconds): their division by 100 is a shorter
 * multiplication than 64 bits', and inline in fmt.c, no call.
 */
static inline char *tw_put_u32(char *p, unsigned int u)
{
	char *end = p + tw_u32_digits(u);

	tw_put_u32_back(end, u);
	return end;
}

/*
 * Decimal digits of @v at @p, no NUL; returns the end.  Written from the
 * end, whose place the digit count tells, two digits at a time: every
 * line of -E has five to eight numbers.
 */
char *tw_put_u64(char *p, unsigned long long v)
{
	char *end, *q;

	if (v <= 0xffffffffULL)
		return tw_put_u32(p, v);
	end = p + tw_u64_digits(v);
	q = end;
	do {
		q -= 2;
		memcpy(q, tw_digits2 + v % 100 * 2, 2);
		v /= 100;
	} while (v > 0xffffffffULL);
	tw_put_u32_back(q, v);
	return end;
}

/* An IPv4 address's byte, in 1 to 3 digits. */
static char *tw_put_u8(char *p, unsigned int v)
{
	if (v >= 100) {
		*p++ = '0' + v / 100;
		v %= 100;
	} else if (v < 10) {
		*p = '0' + v;
		return p + 1;
	}
	memcpy(p, tw_digits2 + v * 2, 2);
	return p + 2;
}

/*
 * tw_fmt_ep() at @p, at most TW_EP_STRLEN - 1 bytes and no NUL; returns
 * the end.  By hand rather than inet_ntop() and snprintf(): -E formats
 * two of these a record.  IPv6 keeps inet_ntop() for RFC 5952's "::".
 */
char *tw_put_ep(char *p, unsigned int family, const __u8 *addr,
		unsigned int port)
{
	char a[INET6_ADDRSTRLEN];
	size_t n;
	int i;

	if (family == 6) {
		if (!inet_ntop(AF_INET6, addr, a, sizeof(a)))
			strcpy(a, "?");
		n = strlen(a);
		*p++ = '[';
		memcpy(p, a, n);
		p += n;
		*p++ = ']';
	} else {
		for (i = 0; i < 3; i++) {
			p = tw_put_u8(p, addr[i]);
			*p++ = '.';
		}
		p = tw_put_u8(p, addr[3]);
	}
	*p++ = ':';
	/* 5 digits, as most ephemeral ports have: no digit count, no loop. */
	if (port - 10000 < 90000) {
		unsigned int r = port % 10000;

		*p = '0' + port / 10000;
		memcpy(p + 1, tw_digits2 + r / 100 * 2, 2);
		memcpy(p + 3, tw_digits2 + r % 100 * 2, 2);
		return p + 5;
	}
	return tw_put_u32(p, port);
}

const char *tw_fmt_ep(char buf[TW_EP_STRLEN], unsigned int family,
		      const __u8 *addr, unsigned int port)
{
	*tw_put_ep(buf, family, addr, port) = '\0';
	return buf;
}

/*
 * tw_fmt_cookie() at @p, 8 or 16 bytes and no NUL; returns the end.
 * Spelled as the module spells it, which is how "ss -e" shows sk:.
 */
char *tw_put_cookie(char *p, __u64 cookie)
{
	/* "00" to "ff": a byte at a time. */
	static const char hex2[513] =
		"000102030405060708090a0b0c0d0e0f"
		"101112131415161718191a1b1c1d1e1f"
		"202122232425262728292a2b2c2d2e2f"
		"303132333435363738393a3b3c3d3e3f"
		"404142434445464748494a4b4c4d4e4f"
		"505152535455565758595a5b5c5d5e5f"
		"606162636465666768696a6b6c6d6e6f"
		"707172737475767778797a7b7c7d7e7f"
		"808182838485868788898a8b8c8d8e8f"
		"909192939495969798999a9b9c9d9e9f"
		"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
		"b0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
		"c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
		"d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
		"e0e1e2e3e4e5e6e7e8e9eaebecedeeef"
		"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
	int n = cookie >> 32 ? 16 : 8, i;

	for (i = n - 2; i >= 0; i -= 2) {
		memcpy(p + i, hex2 + (cookie & 0xff) * 2, 2);
		cookie >>= 8;
	}
	return p + n;
}

const char *tw_fmt_cookie(char buf[TW_COOKIE_STRLEN], __u64 cookie)
{
	*tw_put_cookie(buf, cookie) = '\0';
	return buf;
}

/*
 * tw_fmt_ms() at @p, at most 24 bytes and no NUL; returns the end.
 * Milliseconds with 3 decimals, in integers: no rounding surprises, and
 * a value is always the truncation of the exact one.
 */
char *tw_put_ms(char *p, __u64 ns)
{
	__u64 us = ns / 1000, ms = us / 1000;
	unsigned int frac = us - ms * 1000;

	p = ms <= 0xffffffffULL ? tw_put_u32(p, ms) : tw_put_u64(p, ms);
	*p++ = '.';
	*p++ = '0' + frac / 100;
	memcpy(p, tw_digits2 + frac % 100 * 2, 2);
	return p + 2;
}

/* tw_put_ms() as a string, cut to @size like snprintf(). */
void tw_fmt_ms(char *buf, size_t size, __u64 ns)
{
	char t[32];

	/* Room for the longest, as every caller has: no copy. */
	if (size > 24) {
		*tw_put_ms(buf, ns) = '\0';
		return;
	}
	tw_copy_cut(buf, size, t, tw_put_ms(t, ns) - t);
}

/*
 * A span, with about three significant digits and its unit: "0.070 ms",
 * "500.0 ms", "60.0 s".  Truncated like tw_fmt_ms(), never rounded up.
 * Without printf, as "%llu.%03llu ms", "%llu.%llu ms" or "%llu.%llu s".
 */
void tw_fmt_dur(char *buf, size_t size, __u64 ns)
{
	char t[32], *p;

	if (ns < 10000000ULL) {
		p = tw_put_ms(t, ns);
		memcpy(p, " ms", 3);
		p += 3;
	} else if (ns < 1000000000ULL) {
		p = tw_put_u32(t, ns / 1000000);
		*p++ = '.';
		*p++ = '0' + ns / 100000 % 10;
		memcpy(p, " ms", 3);
		p += 3;
	} else {
		p = tw_put_u64(t, ns / 1000000000);
		*p++ = '.';
		*p++ = '0' + ns / 100000000 % 10;
		memcpy(p, " s", 2);
		p += 2;
	}
	tw_copy_cut(buf, size, t, p - t);
}

/* "OLD→NEW", or "OLD->NEW" in ASCII. */
const char *tw_fmt_trans(char buf[TW_TRANS_STRLEN], unsigned int oldstate,
			 unsigned int newstate, bool ascii)
{
	char o[TW_STATE_STRLEN], n[TW_STATE_STRLEN];
	const char *parts[3] = {
		tw_state_str(oldstate, o), ascii ? "->" : "\u2192",
		tw_state_str(newstate, n),
	};
	size_t len = 0, k, i;

	/* snprintf(buf, TW_TRANS_STRLEN, "%s%s%s", ...), without printf. */
	for (i = 0; i < 3; i++)
		for (k = 0; parts[i][k] && len < TW_TRANS_STRLEN - 1; k++)
			buf[len++] = parts[i][k];
	buf[len] = '\0';
	return buf;
}

/*
 * A close reason worth a red flag: anything but a normal close or the
 * end of 2MSL (README, "Close reasons").
 */
bool tw_reason_bad(unsigned int reason)
{
	return reason != TCPWAVE_REASON_none &&
	       reason != TCPWAVE_REASON_close &&
	       reason != TCPWAVE_REASON_expired;
}

/*
 * An address as IPv6 (@out, 16 bytes): IPv4 as IPv4-mapped ::ffff:a.b.c.d
 * (RFC 4291 2.5.5.2), the form a dual-stack server's socket sees its IPv4
 * peer in, so that the two families compare and sort together.
 */
void tw_addr_v6(__u8 out[16], unsigned int family, const __u8 *addr)
{
	memset(out, 0, 16);
	if (family == 4) {
		out[10] = 0xff;
		out[11] = 0xff;
		memcpy(out + 12, addr, 4);
	} else {
		memcpy(out, addr, 16);
	}
}
