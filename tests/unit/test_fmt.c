// SPDX-License-Identifier: GPL-2.0
/*
 * test_fmt.c - unit tests of the text helpers of fmt.c, printed as TAP.
 *
 * Built and run by tests/unit/run.sh against userspace/fmt.c and what it
 * needs (states.c, parse.c).
 *
 * fmt.c writes numbers, cookies and endpoints by hand, not by printf, for
 * speed: each is checked here against snprintf() (and inet_ntop()) over
 * the edges of every digit count and many random values, which the
 * golden outputs of the fixtures cannot all reach.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "rnd.h"

static int tests;
static int failed;

static void ok(int cond, const char *what, const char *got,
	       const char *want)
{
	tests++;
	if (!cond) {
		failed++;
		printf("not ok %d %s: got '%s', want '%s'\n", tests, what,
		       got, want);
		return;
	}
	printf("ok %d %s\n", tests, what);
}

/* Random, but as often short as long: any bit length is as likely. */
static __u64 rnd_len(void)
{
	return rnd() >> (rnd() % 64);
}

/*
 * The values where a digit count changes, 10^k - 1 and 10^k, and the
 * powers of two, each with a neighbour: @i from 0 to TW_EDGES - 1.
 */
#define TW_EDGES	(20 * 4 + 64 * 3)

static __u64 edge(int i)
{
	__u64 p = 1;
	int k;

	if (i < 20 * 4) {
		for (k = 0; k < i / 4; k++)
			p *= 10;
		return p - 2 + i % 4;	/* from 10^k - 2 to 10^k + 1 */
	}
	i -= 20 * 4;
	return (1ULL << (i / 3)) - 1 + i % 3;
}

static void test_u64(void)
{
	char got[32], want[32];
	int i, bad = 0;

	for (i = 0; i < TW_EDGES + 1000000 && !bad; i++) {
		__u64 v = i < TW_EDGES ? edge(i) : rnd_len();

		*tw_put_u64(got, v) = '\0';
		snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
		bad = strcmp(got, want) || tw_u64_digits(v) != strlen(want);
	}
	ok(!bad, "tw_put_u64(), tw_u64_digits(): as %llu", got, want);
}

static void test_ms(void)
{
	char got[32], want[32];
	int i, bad = 0;
	size_t size;

	for (i = 0; i < TW_EDGES + 1000000 && !bad; i++) {
		__u64 ns = i < TW_EDGES ? edge(i) : rnd_len();

		*tw_put_ms(got, ns) = '\0';
		snprintf(want, sizeof(want), "%llu.%03llu",
			 (unsigned long long)ns / 1000000,
			 (unsigned long long)ns / 1000 % 1000);
		bad = strcmp(got, want);
	}
	ok(!bad, "tw_put_ms(): as %llu.%03llu", got, want);

	/* Cut short as snprintf() would cut it, or not at all. */
	for (size = 0; size <= sizeof(got) && !bad; size++) {
		memset(got, 'x', sizeof(got));
		memset(want, 'x', sizeof(want));
		tw_fmt_ms(got, size, 123456789012ULL);
		snprintf(want, size, "%s", "123456.789");
		bad = memcmp(got, want, sizeof(got));
	}
	got[sizeof(got) - 1] = '\0';
	want[sizeof(want) - 1] = '\0';
	ok(!bad, "tw_fmt_ms(): cut to its size", got, want);

	for (i = 0; i < TW_EDGES + 1000000 && !bad; i++) {
		__u64 ns = i < TW_EDGES ? edge(i) : rnd_len();
		unsigned long long v = ns;

		size = i % 7 ? sizeof(got) : (size_t)(i % 14);
		memset(got, 'x', sizeof(got));
		memset(want, 'x', sizeof(want));
		tw_fmt_dur(got, size, ns);
		if (v < 10000000ULL)
			snprintf(want, size, "%llu.%03llu ms", v / 1000000,
				 v / 1000 % 1000);
		else if (v < 1000000000ULL)
			snprintf(want, size, "%llu.%llu ms", v / 1000000,
				 v / 100000 % 10);
		else
			snprintf(want, size, "%llu.%llu s", v / 1000000000,
				 v / 100000000 % 10);
		bad = memcmp(got, want, sizeof(got));
	}
	got[sizeof(got) - 1] = '\0';
	want[sizeof(want) - 1] = '\0';
	ok(!bad, "tw_fmt_dur(): as printf writes it, cut to its size", got,
	   want);
}

static void test_cookie(void)
{
	char got[TW_COOKIE_STRLEN], want[TW_COOKIE_STRLEN];
	int i, bad = 0;

	for (i = 0; i < TW_EDGES + 100000 && !bad; i++) {
		__u64 c = i < TW_EDGES ? edge(i) : rnd_len();

		tw_fmt_cookie(got, c);
		snprintf(want, sizeof(want), c >> 32 ? "%016llx" : "%08llx",
			 (unsigned long long)c);
		bad = strcmp(got, want);
	}
	ok(!bad, "tw_fmt_cookie(): 8 hex digits, or 16", got, want);
}

static void test_ep(void)
{
	char got[TW_EP_STRLEN], want[TW_EP_STRLEN], a[INET6_ADDRSTRLEN];
	__u8 addr[16];
	int i, k, bad = 0;
	unsigned int port;

	/* Every byte value in every place, and random addresses. */
	for (i = 0; i < 256 * 4 + 100000 && !bad; i++) {
		__u64 r = rnd();

		memcpy(addr, &r, 4);
		if (i < 256 * 4)
			addr[i % 4] = i / 4;
		port = i < 256 * 4 ? edge(i % TW_EDGES) % 65536 : r >> 48;
		tw_fmt_ep(got, 4, addr, port);
		snprintf(want, sizeof(want), "%u.%u.%u.%u:%u", addr[0],
			 addr[1], addr[2], addr[3], port);
		bad = strcmp(got, want);
	}
	ok(!bad, "tw_fmt_ep(): IPv4 as %u.%u.%u.%u:%u", got, want);

	/* IPv6: runs of zeros for "::", and IPv4-mapped. */
	for (i = 0; i < 100000 && !bad; i++) {
		for (k = 0; k < 16; k++)
			addr[k] = rnd() % 4 ? 0 : rnd();
		if (i % 7 == 0) {
			memset(addr, 0, 10);
			addr[10] = 0xff;
			addr[11] = 0xff;
		}
		port = rnd() % 65536;
		tw_fmt_ep(got, 6, addr, port);
		inet_ntop(AF_INET6, addr, a, sizeof(a));
		snprintf(want, sizeof(want), "[%s]:%u", a, port);
		bad = strcmp(got, want);
	}
	ok(!bad, "tw_fmt_ep(): IPv6 as inet_ntop() in brackets", got, want);
}

/*
 * tw_comm_plain() against the byte-by-byte rule, on comms of bytes from
 * either side of each edge, the NUL anywhere or nowhere; where it says
 * plain, tw_buf_puts_word() must copy the comm as it is.
 */
static void test_comm(void)
{
	static const unsigned char pick[] = {
		'a', 'Z', '0', '-', '!', '~', '[', ']', ' ', '\\', 0x1f,
		0x7f, 0x80, 0xa0, 0xdc, 0xff, 0x01, 0x21, 0x7e, 0x5b, 0x5d,
	};
	char comm[TCPWAVE_COMM_LEN + 1], want[8];
	struct tw_buf b = { 0 };
	int i, k, bad = 0;
	size_t n, len;

	for (i = 0; i < 1000000 && !bad; i++) {
		/* Mostly plain: one odd byte at most, or none. */
		for (k = 0; k < TCPWAVE_COMM_LEN + 1; k++)
			comm[k] = pick[rnd() % 8];
		if (i % 3)
			comm[rnd() % (TCPWAVE_COMM_LEN + 1)] =
				pick[rnd() % sizeof(pick)];
		if (i % 5)
			comm[rnd() % (TCPWAVE_COMM_LEN + 1)] = '\0';
		for (len = 0; len < TCPWAVE_COMM_LEN; len++) {
			unsigned char c = comm[len];

			if (c <= ' ' || c >= 0x7f || c == '\\')
				break;
		}
		if (len == TCPWAVE_COMM_LEN || comm[len])
			len = TCPWAVE_COMM_LEN;
		n = tw_comm_plain(comm);
		tw_buf_reset(&b);
		tw_buf_puts_word(&b, comm, TCPWAVE_COMM_LEN);
		bad = n != len || (n < TCPWAVE_COMM_LEN &&
				   (b.len != n || memcmp(b.s, comm, n)));
	}
	snprintf(want, sizeof(want), "%zu", len);
	ok(!bad, "tw_comm_plain(): plain up to a NUL, or not", b.s, want);
	tw_buf_free(&b);
}

/* tw_width() as it was first written: a byte at a time. */
static size_t ref_width(const char *s)
{
	size_t n = strlen(s), i = 0, w = 0;

	while (i < n) {
		unsigned char c = s[i];

		if (c == '\033' && i + 1 < n && s[i + 1] == '[') {
			const char *m = memchr(s + i + 2, 'm', n - i - 2);

			if (!m)
				return w + (n - i == 1);
			i = m - s + 1;
			continue;
		}
		w += (c & 0xc0) != 0x80;
		i++;
	}
	return w;
}

/*
 * tw_width(), and tw_buf_width() of a line growing a piece at a time,
 * against ref_width() on strings of ASCII, box drawing, stray UTF-8
 * bytes and SGR escapes, finished, unfinished or lone.
 */
static void test_width(void)
{
	static const char *const piece[] = {
		"a", "ab c", "0123456789", " ", "\u2502", "\u2500\u2500",
		"\u2192", "\u2026", "\033", "\033[", "\033[31m", "\033[0m",
		"m", "[", "\x80", "\xbf", "\xff", "\xc3", "--- x ---",
	};
	struct tw_buf b = { 0 };
	char s[256], want[24], got[24];
	int i, k, bad = 0;
	size_t n;

	for (i = 0; i < 200000 && !bad; i++) {
		s[0] = '\0';
		tw_buf_reset(&b);
		n = rnd() % 16;
		for (k = 0; k < (int)n && !bad; k++) {
			const char *q = piece[rnd() % (sizeof(piece) /
						      sizeof(piece[0]))];

			strcat(s, q);
			tw_buf_puts(&b, q);
			bad = tw_buf_width(&b) != ref_width(s);
		}
		bad |= tw_width(s) != ref_width(s);
	}
	snprintf(want, sizeof(want), "%zu", ref_width(s));
	snprintf(got, sizeof(got), "%zu", tw_width(s));
	ok(!bad, "tw_width(), tw_buf_width(): a column a character", got,
	   want);
	tw_buf_free(&b);
}

int main(void)
{
	test_u64();
	test_ms();
	test_cookie();
	test_ep();
	test_comm();
	test_width();
	printf("1..%d\n", tests);
	return failed ? 1 : 0;
}
