/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fmt.h - small text helpers shared by the renderers: a growable line
 * buffer that pads by display columns, endpoint and cookie formatting,
 * and terminal-safe printing of untrusted bytes.
 */
#ifndef TW_FMT_H
#define TW_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tcpwave_abi.h"

/* "[" + INET6_ADDRSTRLEN + "]:65535" */
#define TW_EP_STRLEN	64
/* Two 8-digit halves, as the module prints a cookie */
#define TW_COOKIE_STRLEN	20

/* Longest "OLD→NEW": two state names and the arrow. */
#define TW_TRANS_STRLEN	48

/* How to draw: chosen once by the command line. */
struct tw_view {
	bool ascii;		/* --ascii: no box drawing, no UTF-8 */
	bool color;		/* --color, or auto: a TTY without NO_COLOR */
	bool wide;		/* --wide: never shorten addresses */
	size_t only;		/* --conn ID: just that one; 0 = all */
};

struct tw_buf {
	char *s;
	size_t len;
	size_t cap;
	/*
	 * s[0..wlen) is tw_width() columns wide: tw_buf_pad_to() measures
	 * only what was added since, not the whole line again.
	 */
	size_t wlen;
	size_t width;
};

void *tw_xrealloc(void *p, size_t nmemb, size_t size);
void tw_grow_slow(void **p, size_t *cap, size_t need, size_t size);

/*
 * Make room for @need elements of @size bytes in *@p, doubling.  Inline:
 * every append asks, and almost always the room is there already.
 */
static inline void tw_grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need > *cap)
		tw_grow_slow(p, cap, need, size);
}

void tw_buf_free(struct tw_buf *b);
void tw_buf_reset(struct tw_buf *b);

/*
 * Room for @n more bytes and the NUL.  A line starts with room for 256,
 * not tw_grow()'s 16: most lines fit, without a realloc() each time
 * the line doubles on its way to 80 columns and its escapes.
 */
static inline void tw_buf_room(struct tw_buf *b, size_t n)
{
	size_t need = b->len + n + 1;

	if (need > b->cap)
		tw_grow_slow((void **)&b->s, &b->cap, need < 256 ? 256 : need,
			     1);
}

/* The @n bytes at @s, which need not end in a NUL. */
static inline void tw_buf_add(struct tw_buf *b, const char *s, size_t n)
{
	tw_buf_room(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/*
 * Inline, so that the strlen() of a string literal, which most callers
 * pass, is a constant, and the copy a move of that many bytes.
 */
static inline void tw_buf_puts(struct tw_buf *b, const char *s)
{
	tw_buf_add(b, s, strlen(s));
}

void tw_buf_printf(struct tw_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tw_buf_puts_safe(struct tw_buf *b, const char *s, size_t max);
void tw_buf_puts_word(struct tw_buf *b, const char *s, size_t max);
size_t tw_comm_plain(const char *comm);
void tw_buf_pad_to(struct tw_buf *b, size_t col);
void tw_buf_spaces(struct tw_buf *b, size_t n);
void tw_buf_u64(struct tw_buf *b, unsigned long long v);
void tw_buf_rjust(struct tw_buf *b, size_t width, const char *s);
void tw_copy(char *dst, size_t size, const char *src);
void tw_copy_cut(char *buf, size_t size, const char *t, size_t n);
char *tw_cat(char *p, char *end, const char *s);
char *tw_put_u64(char *p, unsigned long long v);
unsigned int tw_u64_digits(unsigned long long v);
void tw_buf_emit(struct tw_buf *b, FILE *f);

size_t tw_width(const char *s);
size_t tw_buf_width(struct tw_buf *b);
void tw_addr_v6(__u8 out[16], unsigned int family, const __u8 *addr);

/* SGR codes (ECMA-48) for tw_buf_sgr() */
#define TW_SGR_OFF	"0"
#define TW_SGR_BOLD	"1"
#define TW_SGR_RED	"31"
#define TW_SGR_GREEN	"32"
#define TW_SGR_YELLOW	"33"
#define TW_SGR_CYAN	"36"
/* The escape sequence of an SGR code, as a string literal. */
#define TW_SGR_ESC(sgr)	"\033[" sgr "m"
void tw_buf_sgr(struct tw_buf *b, const struct tw_view *v, const char *sgr);
bool tw_reason_bad(unsigned int reason);
const char *tw_fmt_ep(char buf[TW_EP_STRLEN], unsigned int family,
		      const __u8 *addr, unsigned int port);
const char *tw_fmt_cookie(char buf[TW_COOKIE_STRLEN], __u64 cookie);
const char *tw_fmt_trans(char buf[TW_TRANS_STRLEN], unsigned int oldstate,
			 unsigned int newstate, bool ascii);
void tw_fmt_ms(char *buf, size_t size, __u64 ns);
/*
 * The same at @p, without the NUL, for a line that made room for them:
 * each returns the end of what it wrote.
 */
char *tw_put_ep(char *p, unsigned int family, const __u8 *addr,
		unsigned int port);
char *tw_put_cookie(char *p, __u64 cookie);
char *tw_put_ms(char *p, __u64 ns);
void tw_fmt_dur(char *buf, size_t size, __u64 ns);

#endif /* TW_FMT_H */
