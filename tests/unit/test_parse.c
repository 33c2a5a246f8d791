// SPDX-License-Identifier: GPL-2.0
/*
 * test_parse.c - unit tests of the viewer's parser, printed as TAP.
 *
 * Built and run by tests/unit/run.sh against userspace/parse.c,
 * states.c and fmt.c.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "states.h"

static int tests;
static int failed;

static void ok(int cond, const char *name)
{
	tests++;
	if (!cond)
		failed++;
	printf("%sok %d %s\n", cond ? "" : "not ", tests, name);
}

static void test_unescape(void)
{
	char comm[TCPWAVE_COMM_LEN];

	ok(!tw_unescape_comm("curl", comm) && !strcmp(comm, "curl"),
	   "comm: plain");
	ok(!tw_unescape_comm("my\\040client", comm) &&
	   !strcmp(comm, "my client"), "comm: escaped space");
	ok(!tw_unescape_comm("a\\012b\\134c", comm) &&
	   !strcmp(comm, "a\nb\\c"), "comm: escaped newline and backslash");
	ok(!tw_unescape_comm("\\303\\251t\\303\\251", comm) &&
	   !strcmp(comm, "\xc3\xa9t\xc3\xa9"), "comm: escaped UTF-8 bytes");
	ok(!tw_unescape_comm("abcdefghijklmno", comm) &&
	   strlen(comm) == 15, "comm: 15 bytes fit");
	ok(tw_unescape_comm("abcdefghijklmnop", comm),
	   "comm: 16 bytes do not fit");
	ok(tw_unescape_comm("ab\\01", comm), "comm: short escape");
	ok(tw_unescape_comm("ab\\", comm), "comm: lone backslash");
	ok(tw_unescape_comm("ab\\018", comm), "comm: non-octal escape");
	ok(tw_unescape_comm("\\400", comm), "comm: escape above 0377");
	ok(tw_unescape_comm("a\\000", comm), "comm: escaped NUL");
	ok(tw_unescape_comm("a\tb", comm), "comm: raw control byte");
	ok(tw_unescape_comm("a\xc3\xa9", comm), "comm: raw high byte");
}

static void test_addr(void)
{
	static const __u8 mapped[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4
	};
	static const __u8 one6[16] = { [15] = 1 };
	__u8 a[16];
	__u16 port = 0;

	ok(!tw_parse_addr("127.0.0.1:8080", 4, a, &port) &&
	   !memcmp(a, "\x7f\x00\x00\x01", 4) && port == 8080,
	   "addr: IPv4");
	ok(!tw_parse_addr("0.0.0.0:0", 4, a, &port) && port == 0 &&
	   !memcmp(a, "\0\0\0\0", 4), "addr: IPv4 unbound");
	ok(!tw_parse_addr("1.2.3.4:65535", 4, a, &port) && port == 65535,
	   "addr: port 65535");
	ok(tw_parse_addr("1.2.3.4:65536", 4, a, &port), "addr: port 65536");
	ok(tw_parse_addr("1.2.3:80", 4, a, &port), "addr: 3-part IPv4");
	ok(tw_parse_addr("1.2.3.4", 4, a, &port), "addr: no port");
	ok(tw_parse_addr("1.2.3.4:", 4, a, &port), "addr: empty port");
	ok(tw_parse_addr("1.2.3.4:-1", 4, a, &port), "addr: negative port");
	ok(tw_parse_addr("1.2.3.4:+80", 4, a, &port), "addr: signed port");
	ok(tw_parse_addr("1.2.3.4:0x50", 4, a, &port), "addr: hex port");
	ok(tw_parse_addr("[1.2.3.4]:80", 4, a, &port),
	   "addr: IPv4 in brackets");
	ok(!tw_parse_addr("[::1]:443", 6, a, &port) &&
	   !memcmp(a, one6, 16) && port == 443, "addr: IPv6");
	ok(!tw_parse_addr("[::ffff:1.2.3.4]:80", 6, a, &port) &&
	   !memcmp(a, mapped, 16) && port == 80, "addr: IPv4-mapped");
	ok(!tw_parse_addr("[2001:db8::a:b]:1", 6, a, &port) && port == 1,
	   "addr: IPv6 global");
	ok(tw_parse_addr("::1:443", 6, a, &port), "addr: IPv6 unbracketed");
	ok(tw_parse_addr("[::1]", 6, a, &port), "addr: IPv6 no port");
	ok(tw_parse_addr("[::1]443", 6, a, &port), "addr: IPv6 no colon");
	ok(tw_parse_addr("[::g]:443", 6, a, &port), "addr: IPv6 bad digit");
	ok(tw_parse_addr("[127.0.0.1]:80", 6, a, &port),
	   "addr: IPv4 as family 6");
	ok(tw_parse_addr("1.2.3.4:80", 5, a, &port), "addr: family 5");
}

static void test_numbers(void)
{
	unsigned long long v;

	ok(!tw_parse_u64("18446744073709551615", 10, ~0ULL, &v) &&
	   v == ~0ULL, "u64: max");
	ok(tw_parse_u64("18446744073709551616", 10, ~0ULL, &v),
	   "u64: overflow");
	ok(tw_parse_u64("-1", 10, ~0ULL, &v), "u64: negative");
	ok(tw_parse_u64(" 1", 10, ~0ULL, &v), "u64: leading blank");
	ok(tw_parse_u64("", 10, ~0ULL, &v), "u64: empty");
	ok(tw_parse_u64("256", 10, 255, &v), "u64: above range");
	ok(!tw_parse_u64("00001003", 16, ~0ULL, &v) && v == 0x1003,
	   "u64: hex cookie");
	ok(tw_parse_u64("0x1003", 16, ~0ULL, &v), "u64: 0x prefix");
}

static void test_states(void)
{
	char buf[TW_STATE_STRLEN];
	int all = 1;
	__u8 st;

#define TW_CHECK_STATE(name, value)					\
	do {								\
		if (tw_state_parse(#name, &st) || st != (value) ||	\
		    strcmp(tw_state_name(value), #name))		\
			all = 0;					\
	} while (0);
	TCPWAVE_STATES(TW_CHECK_STATE)
#undef TW_CHECK_STATE
	ok(all, "states: every ABI name round-trips");
	ok(tw_state_parse("FOO", &st), "states: unknown name");
	ok(tw_state_parse("established", &st), "states: lower case");
	ok(tw_state_parse("TCP_CLOSE", &st), "states: TCP_ prefix");
	ok(!tw_state_parse("13", &st) && st == 13, "states: number");
	ok(!tw_state_parse("7", &st) && st == TCPWAVE_CLOSE,
	   "states: number of a known state");
	ok(tw_state_parse("256", &st), "states: number above 255");
	ok(!tw_state_name(0) && !tw_state_name(TCPWAVE_STATE_MAX) &&
	   !tw_state_name(255) && !tw_state_name(~0u),
	   "states: unnamed values give NULL");
	ok(!strcmp(tw_state_str(200, buf), "200"), "states: shown as number");
	ok(!tw_ctx_parse("softirq", &st) && st == TCPWAVE_CTX_softirq &&
	   !tw_ctx_parse("nmi", &st) && st == TCPWAVE_CTX_nmi,
	   "ctx: names");
	ok(tw_ctx_parse("irq", &st) && !tw_ctx_name(TCPWAVE_CTX_MAX),
	   "ctx: unknown");
}

/* Lines on which tw_parse_fast() and tw_parse_line() disagreed. */
static int fast_wrong;
/* Lines tw_parse_fast() took. */
static int fast_taken;

/*
 * Run the @len bytes at @text, which may hold NULs, through both paths:
 * tw_parse_fast() on a copy padded as it needs, then tw_parse_line() on
 * another.  The fast path may decline any line, but one it takes must
 * be a record to tw_parse_line(), the same record; and with a NUL in it
 * (the stream's "NUL byte in line") it must decline.  Returns what
 * tw_parse_line() made of the line up to its first NUL.
 */
static enum tw_line both(struct tw_parser *p, const char *text, size_t len,
			 struct tcpwave_record *r)
{
	char buf[512 + 1 + TW_PARSE_PAD], pad[512 + 1 + TW_PARSE_PAD];
	struct tcpwave_record fast;
	enum tw_line ret;
	bool took;
	__u64 lost;

	if (len > 512)
		len = 512;
	memset(pad, 0, sizeof(pad));
	memcpy(pad, text, len);
	took = tw_parse_fast(p, pad, len, &fast);
	memcpy(buf, pad, sizeof(buf));
	ret = tw_parse_line(p, buf, r, &lost);
	if (took) {
		fast_taken++;
		if (ret != TW_LINE_RECORD || memchr(pad, '\0', len) ||
		    memcmp(&fast, r, sizeof(fast))) {
			fast_wrong++;
			printf("# fast path took '%.*s'\n", (int)len, text);
		}
	}
	return ret;
}

/* Run one line through the parser; the line is copied, it is modified. */
static enum tw_line line(struct tw_parser *p, const char *text,
			 struct tcpwave_record *r)
{
	return both(p, text, strlen(text), r);
}

/* Column names of 1.1, for headers that reorder or extend them. */
#define TW_HDR10 "seq ts_ns cpu cookie netns family laddr raddr oldstate " \
	"newstate ctx pid comm"
#define TW_COLS11 " event reason snd_una snd_nxt rcv_nxt iss irs link"
#define TW_REC10 "17 1234567890123 1 00001003 4026531840 4 " \
	"127.0.0.1:41234 127.0.0.1:8080 SYN_SENT ESTABLISHED task 123 curl"

static void test_header(void)
{
	struct tcpwave_record r;
	struct tw_parser p;

	tw_parser_init(&p);
	ok(line(&p, "1 2 3 00001003 4026531840 4 1.2.3.4:5 6.7.8.9:10 "
		"CLOSE SYN_SENT task 1 x", &r) == TW_LINE_ERROR &&
	   !strcmp(p.err, "record before header"), "record before header");

	ok(line(&p, "# tcpwave 1.7 " TW_HDR10 TW_COLS11 " foo", &r) ==
	   TW_LINE_HEADER && p.minor == 7 && p.ncols == 22,
	   "header 1.7 with column foo appended");
	ok(line(&p, "17 1234567890123 1 00001003 4026531840 4 "
		"127.0.0.1:41234 127.0.0.1:8080 SYN_SENT ESTABLISHED "
		"task 123 my\\040curl state - 1 2 3 - - - bar", &r) ==
	   TW_LINE_RECORD &&
	   r.seq == 17 && r.ts_ns == 1234567890123ULL && r.cpu == 1 &&
	   r.cookie == 0x1003 && r.netns == 4026531840U && r.family == 4 &&
	   r.lport == 41234 && r.rport == 8080 &&
	   r.oldstate == TCPWAVE_SYN_SENT &&
	   r.newstate == TCPWAVE_ESTABLISHED &&
	   r.ctx == TCPWAVE_CTX_task && r.pid == 123 &&
	   !strcmp(r.comm, "my curl"), "record under 1.7");
	ok(line(&p, "17 1234567890123 1 00001003 4026531840 4 "
		"127.0.0.1:41234 127.0.0.1:8080 SYN_SENT ESTABLISHED "
		"task 123 curl state - 1 2 3 - - -", &r) == TW_LINE_ERROR &&
	   !strcmp(p.err, "expected 22 fields, got 21"),
	   "1.7 record without foo");

	ok(line(&p, "# tcpwave 1.1 link irs iss rcv_nxt snd_nxt snd_una "
		"reason event comm pid ctx newstate oldstate raddr "
		"laddr family netns cookie cpu ts_ns seq", &r) ==
	   TW_LINE_HEADER, "header with columns reordered");
	ok(line(&p, "a - - 7 - 6 close state - - softirq CLOSE LAST_ACK "
		"[::1]:80 [::1]:5000 6 9 ff 3 99 5", &r) == TW_LINE_RECORD &&
	   r.seq == 5 && r.ts_ns == 99 && r.cpu == 3 && r.cookie == 0xff &&
	   r.family == 6 && r.lport == 5000 && r.rport == 80 &&
	   r.ctx == TCPWAVE_CTX_softirq && r.pid == 0 && !r.comm[0] &&
	   r.event == TCPWAVE_EV_state &&
	   r.reason == TCPWAVE_REASON_close && r.snd_una == 6 &&
	   r.rcv_nxt == 7 && r.link == 0xa &&
	   r.have == (TCPWAVE_HAVE_SND_UNA | TCPWAVE_HAVE_RCV_NXT |
		      TCPWAVE_HAVE_LINK),
	   "record found by column name");

	ok(line(&p, "# tcpwave 2.0 seq ts_ns", &r) == TW_LINE_ERROR &&
	   !strcmp(p.err, "unsupported format version 2.0"),
	   "header 2.0 refused");
	ok(line(&p, "# tcpwave 1.x seq", &r) == TW_LINE_ERROR &&
	   !strcmp(p.err, "bad format version '1.x'"), "header bad version");
	ok(line(&p, "# tcpwave 1.0 seq ts_ns cpu cookie netns family laddr "
		"raddr oldstate newstate ctx pid", &r) == TW_LINE_ERROR &&
	   !strcmp(p.err, "header lacks column 'comm'"),
	   "header without comm");
	ok(line(&p, "# tcpwave 1.0 seq seq ts_ns cpu cookie netns family "
		"laddr raddr oldstate newstate ctx pid comm", &r) ==
	   TW_LINE_ERROR, "header with a duplicate column");
	ok(line(&p, "# lost 5", &r) == TW_LINE_LOST, "lost line");
	ok(line(&p, "# lost five", &r) == TW_LINE_ERROR &&
	   !strcmp(p.err, "bad lost count 'five'"), "bad lost line");
	ok(line(&p, "# boot 1234", &r) == TW_LINE_SKIP &&
	   line(&p, "#tcpwave 9.9", &r) == TW_LINE_SKIP &&
	   line(&p, "  \t ", &r) == TW_LINE_SKIP,
	   "unknown metadata and blank lines skipped");
	tw_parser_free(&p);
}

/* Format 1.1: the appended columns, their absence in 1.0, bad values. */
static void test_columns_11(void)
{
	struct tcpwave_record r;
	struct tw_parser p;
	const char *rec11 = "2 1100050000 1 00000003 4026531840 4 "
		"127.0.0.1:5555 127.0.0.1:40000 LISTEN SYN_RECV softirq - - "
		"syn - - - - 5000 1000 00000001";

	tw_parser_init(&p);
	ok(line(&p, "# tcpwave 1.0 " TW_HDR10, &r) == TW_LINE_HEADER &&
	   tw_parser_v10(&p), "1.0 header: no 1.1 columns needed");
	ok(line(&p, TW_REC10, &r) == TW_LINE_RECORD &&
	   r.event == TCPWAVE_EV_state &&
	   r.reason == TCPWAVE_REASON_none && !r.have && !r.link &&
	   !r.snd_una && !r.iss, "1.0 record: event state, nothing else");
	ok(line(&p, "# tcpwave 1.1 " TW_HDR10 " event reason snd_una "
		"snd_nxt rcv_nxt iss irs", &r) == TW_LINE_ERROR &&
	   !strcmp(p.err, "header lacks column 'link'"),
	   "1.1 header without link");

	ok(line(&p, "# tcpwave 1.1 " TW_HDR10 TW_COLS11, &r) ==
	   TW_LINE_HEADER && !tw_parser_v10(&p), "1.1 header");
	ok(line(&p, rec11, &r) == TW_LINE_RECORD &&
	   r.event == TCPWAVE_EV_syn && r.reason == TCPWAVE_REASON_none &&
	   r.iss == 5000 && r.irs == 1000 && r.link == 1 &&
	   r.have == (TCPWAVE_HAVE_ISS | TCPWAVE_HAVE_IRS |
		      TCPWAVE_HAVE_LINK), "1.1 syn record");
	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"CLOSE task 1 a state rst_sent 4294967295 0 4294967295 - - -",
		&r) == TW_LINE_RECORD && r.reason == TCPWAVE_REASON_rst_sent &&
	   r.snd_una == 4294967295U && r.snd_nxt == 0 &&
	   r.rcv_nxt == 4294967295U && !(r.have & TCPWAVE_HAVE_ISS),
	   "1.1 sequence numbers at the u32 limits");
	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"ESTABLISHED softirq - - sack_probe - - - - - - -", &r) ==
	   TW_LINE_RECORD && r.event == TCPWAVE_EV_MAX &&
	   !tw_event_name(r.event), "unknown event name kept as unknown");
	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"CLOSE softirq - - state cosmic_ray - - - - - -", &r) ==
	   TW_LINE_RECORD && r.reason == TCPWAVE_REASON_MAX,
	   "unknown reason name kept as unknown");
	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"CLOSE softirq - - state none - - - - - -", &r) ==
	   TW_LINE_RECORD && r.reason == TCPWAVE_REASON_MAX,
	   "reason 'none' is not how '-' is spelled");

	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"CLOSE softirq - - state - 4294967296 - - - - -", &r) ==
	   TW_LINE_ERROR && !strcmp(p.err, "bad snd_una '4294967296'"),
	   "snd_una above u32");
	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"CLOSE softirq - - state - - -1 - - - -", &r) ==
	   TW_LINE_ERROR && !strcmp(p.err, "bad snd_nxt '-1'"),
	   "negative snd_nxt");
	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"CLOSE softirq - - state - - - 0x10 - - -", &r) ==
	   TW_LINE_ERROR && !strcmp(p.err, "bad rcv_nxt '0x10'"),
	   "hex rcv_nxt");
	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"CLOSE softirq - - state - - - - 1e3 - -", &r) ==
	   TW_LINE_ERROR && !strcmp(p.err, "bad iss '1e3'"), "bad iss");
	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"CLOSE softirq - - state - - - - - -- -", &r) ==
	   TW_LINE_ERROR && !strcmp(p.err, "bad irs '--'"), "bad irs");
	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"CLOSE softirq - - state - - - - - - 0x3", &r) ==
	   TW_LINE_ERROR && !strcmp(p.err, "bad link '0x3'"), "bad link");
	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"CLOSE softirq - - state - - - - - - 10000000000000000", &r) ==
	   TW_LINE_ERROR, "link above u64");
	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"CLOSE softirq - - - - - - - - - -", &r) == TW_LINE_ERROR &&
	   !strcmp(p.err, "bad event '-'"), "event '-'");
	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"CLOSE softirq - - st@te - - - - - - -", &r) ==
	   TW_LINE_ERROR && !strcmp(p.err, "bad event 'st@te'"),
	   "event that is no name");
	ok(line(&p, "9 1 0 00000004 1 4 1.2.3.4:80 5.6.7.8:9 ESTABLISHED "
		"CLOSE softirq - - state rst-sent - - - - - -", &r) ==
	   TW_LINE_ERROR && !strcmp(p.err, "bad reason 'rst-sent'"),
	   "reason that is no name");
	tw_parser_free(&p);
}

static void test_names(void)
{
	__u8 v;
	int all = 1;

#define TW_CHECK_EVENT(name, value)					\
	do {								\
		if (tw_event_parse(#name, &v) || v != (value) ||	\
		    strcmp(tw_event_name(value), #name))		\
			all = 0;					\
	} while (0);
	TCPWAVE_EVENTS(TW_CHECK_EVENT)
#undef TW_CHECK_EVENT
	ok(all, "events: every ABI name round-trips");
	ok(!tw_reason_parse("-", &v) && v == TCPWAVE_REASON_none &&
	   !strcmp(tw_reason_name(v), "-") &&
	   !tw_reason_parse("expired", &v) &&
	   v == TCPWAVE_REASON_expired &&
	   !strcmp(tw_reason_name(v), "expired") &&
	   !tw_reason_name(TCPWAVE_REASON_MAX), "reasons: names");
	ok(!tw_event_parse("STATE", &v) && v == TCPWAVE_EV_MAX,
	   "events: case matters");
}

/* Lines as the module writes them, each under the header before it. */
static const char *const fast_lines[] = {
	"# tcpwave 1.1 " TW_HDR10 TW_COLS11,
	"0 1000000 1 0000004100001002 4026531840 4 127.0.0.1:5555 "
	"0.0.0.0:0 CLOSE LISTEN task 117 tcpwave-traffic listen - - - - - "
	"- -",
	"2 1820660 1 0000004100001004 4026531840 4 127.0.0.1:5555 "
	"127.0.0.1:44019 LISTEN SYN_RECV softirq - - syn - - - - 1738890151 "
	"2907580890 0000004100001002",
	"99999 177294609185410 0 0002458200000002 4026531840 4 "
	"127.0.0.1:5555 127.0.0.1:48588 LAST_ACK CLOSE task 100 "
	"tcpwave-traffic state close 2430388498 2430388498 1196144926 - - -",
	"9999999999999999999 1000000000000000000 4294967295 "
	"FFFFFFFFffffffff 4294967295 4 255.255.255.255:65535 "
	"10.0.0.1:1 NEW_SYN_RECV 255 task 4294967295 abcdefghijklmno "
	"timewait rst_sent 4294967295 0 1 12345678 123456789 "
	"abcdef0123456789",
	"18446744073709551615 00000000000000000001 1 0000000000000000a 1 4 "
	"1.1.1.1:1 2.2.2.2:2 CLOSE CLOSE task 1 a state close - - - - - -",
	"7 8 9 a 10 6 [::1]:80 [2001:db8::a:b]:65535 ESTABLISHED "
	"FIN_WAIT1 hardirq 5 x retrans timeout 1 2 3 4 5 0",
	"7 8 9 a 10 6 [::ffff:1.2.3.4]:80 [::]:0 CLOSE_WAIT LAST_ACK "
	"nmi - -- accept expired - - - - - -",
	"  1\t2  3 a 4  4 1.2.3.4:5 6.7.8.9:10 CLOSE SYN_SENT task 1 "
	"my\\040curl connect - - - - 1 - -  ",
	"1 2 3 a 4 4 1.2.3.4:5 6.7.8.9:10 CLOSE SYN_SENT task 1 a "
	"sack_probe none - - - - - -",
	/* Each just past a limit: tw_parse_line() refuses them. */
	"1 2 3 a 4 4 1.2.3.4:65536 6.7.8.9:10 CLOSE 256 task 1 a "
	"state - 4294967296 - - - - 10000000000000000",
	"18446744073709551616 2 4294967296 00000000000000001 4294967296 4 "
	"1.2.3.256:5 6.7.8.9:10 CLOSE SYN_SENT task 4294967296 "
	"abcdefghijklmnop state - - - - - 4294967296 -",
	"1 2 3 a 4 6 [1.2.3.4]:5 [::1]:65536 CLOSE SYN_SENT task 1 a "
	"state - - - - - - -",
	"# tcpwave 1.0 " TW_HDR10,
	TW_REC10,
	"17 1234567890123 1 00001003 4026531840 4 0.0.0.0:0 1.2.3.4:80 "
	"CLOSE SYN_SENT softirq - -",
	"# tcpwave 1.7 " TW_HDR10 TW_COLS11 " foo bar",
	"2 1820660 1 0000004100001004 4026531840 4 127.0.0.1:5555 "
	"127.0.0.1:44019 LISTEN SYN_RECV softirq - - syn - - - - 1738890151 "
	"2907580890 0000004100001002 x\200y -",
	"# tcpwave 1.1 link irs iss rcv_nxt snd_nxt snd_una reason event "
	"comm pid ctx newstate oldstate raddr laddr family netns cookie cpu "
	"ts_ns seq",
	"a - - 7 - 6 close state - - softirq CLOSE LAST_ACK [::1]:80 "
	"[::1]:5000 6 9 ff 3 99 5",
	/* Orders a record of the module's order would fit, misread. */
	"# tcpwave 1.1 seq cpu ts_ns cookie netns family laddr raddr "
	"oldstate newstate ctx pid comm" TW_COLS11,
	"1 2 3 a 4 4 1.2.3.4:5 6.7.8.9:10 CLOSE SYN_SENT task 1 a "
	"connect - - - - 1 - -",
	"# tcpwave 1.1 " TW_HDR10 " foo" TW_COLS11,
	"1 2 3 a 4 4 1.2.3.4:5 6.7.8.9:10 CLOSE SYN_SENT task 1 a "
	"connect - - - - 1 - - -",
};

/* Bytes that mean something to one field or another. */
static const char fast_bytes[] = " \t-01569aAfFgx:.[]\\#_\x7f\x80\xff\001";

/*
 * tw_parse_fast() against tw_parse_line() on lines as the module
 * writes them, and on every line one edit away: each byte replaced by
 * one of fast_bytes or a NUL, deleted, or doubled; then random edits.
 */
static void test_fast(void)
{
	static const int expect_fast[] = { 1, 2, 3, 4, 6, 7, 14, 15, 17 };
	struct tcpwave_record r;
	struct tw_parser p;
	char buf[512];
	unsigned int seed = 1;
	size_t i, j, k, len, n;
	int all = 1;

	tw_parser_init(&p);
	for (i = 0; i < sizeof(expect_fast) / sizeof(expect_fast[0]); i++) {
		k = expect_fast[i];
		for (j = 0; j < k; j++)
			if (fast_lines[j][0] == '#')
				line(&p, fast_lines[j], &r);
		n = fast_taken;
		line(&p, fast_lines[k], &r);
		if (fast_taken == (int)n) {
			printf("# fast path declined '%s'\n", fast_lines[k]);
			all = 0;
		}
	}
	ok(all, "fast path: takes the module's lines, 1.0, 1.1 and later");

	for (i = 0; i < sizeof(fast_lines) / sizeof(fast_lines[0]); i++) {
		if (fast_lines[i][0] == '#') {
			line(&p, fast_lines[i], &r);
			continue;
		}
		len = strlen(fast_lines[i]);
		both(&p, fast_lines[i], len, &r);
		for (j = 0; j < len; j++) {
			for (k = 0; k <= sizeof(fast_bytes) - 1; k++) {
				memcpy(buf, fast_lines[i], len);
				/* k at the end: the NUL. */
				buf[j] = fast_bytes[k];
				both(&p, buf, len, &r);
			}
			/* Byte j deleted, then doubled. */
			memcpy(buf, fast_lines[i], j);
			memcpy(buf + j, fast_lines[i] + j + 1, len - j - 1);
			both(&p, buf, len - 1, &r);
			memcpy(buf, fast_lines[i], j + 1);
			memcpy(buf + j + 1, fast_lines[i] + j, len - j);
			both(&p, buf, len + 1, &r);
		}
		/* A few random edits at once, 2000 times a line. */
		for (n = 0; n < 2000; n++) {
			memcpy(buf, fast_lines[i], len);
			for (k = 0; k < 3; k++) {
				seed = seed * 1103515245 + 12345;
				j = (seed >> 8) % len;
				seed = seed * 1103515245 + 12345;
				buf[j] = fast_bytes[(seed >> 8) %
						    sizeof(fast_bytes)];
			}
			both(&p, buf, len, &r);
		}
	}
	tw_parser_free(&p);
	ok(!fast_wrong, "fast path: never takes a line the careful one "
	   "would not, nor reads it otherwise");
}

int main(void)
{
	test_unescape();
	test_addr();
	test_numbers();
	test_states();
	test_header();
	test_columns_11();
	test_names();
	test_fast();
	printf("1..%d\n", tests);
	return failed ? 1 : 0;
}
