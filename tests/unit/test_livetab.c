// SPDX-License-Identifier: GPL-2.0
/*
 * test_livetab.c - unit tests of the --live table, printed as TAP: the
 * spans, the order and filters of the view, and the columns that fit
 * every width from too narrow to wide.
 *
 * Built and run by tests/unit/run.sh against userspace/livetab.c,
 * track.c, filter.c, conn.c, parse.c, states.c and fmt.c.
 */
#include <stdio.h>
#include <string.h>

#include "livetab.h"
#include "parse.h"

static int tests;
static int failed;

static void ok(int cond, const char *name)
{
	tests++;
	if (!cond)
		failed++;
	printf("%sok %d %s\n", cond ? "" : "not ", tests, name);
}

static int span_is(unsigned long long ns, const char *want)
{
	char buf[32];

	tw_fmt_span(buf, sizeof(buf), ns);
	if (strcmp(buf, want))
		printf("# span %llu: got %s, want %s\n", ns, buf, want);
	return !strcmp(buf, want);
}

static void test_span(void)
{
	ok(span_is(0, "0.000ms"), "span: zero");
	ok(span_is(9999999, "9.999ms"), "span: below 10 ms, truncated");
	ok(span_is(10000000, "10.0ms"), "span: 10 ms");
	ok(span_is(999999999, "999.9ms"), "span: below 1 s");
	ok(span_is(1000000000, "1.00s"), "span: 1 s");
	ok(span_is(59999999999ULL, "59.99s"), "span: below a minute");
	ok(span_is(60000000000ULL, "1m00s"), "span: a minute");
	ok(span_is(3599999999999ULL, "59m59s"), "span: below an hour");
	ok(span_is(3600000000000ULL, "1h00m"), "span: an hour");
	ok(span_is(86399999999999ULL, "23h59m"), "span: below a day");
	ok(span_is(86400000000000ULL * 100 + 3600000000000ULL * 5,
		   "100d05h"), "span: days");
}

static void test_cut(void)
{
	ok(tw_cut("abc", 5) == 3, "cut: short text whole");
	ok(tw_cut("abc", 2) == 2, "cut: ASCII");
	ok(tw_cut("a\u25bcb", 2) == 4, "cut: keeps a whole UTF-8 character");
	ok(tw_cut("a\u25bcb", 1) == 1, "cut: before a UTF-8 character");
	ok(tw_cut("", 3) == 0 && tw_cut("abc", 0) == 0, "cut: nothing");
}

/* A record of the format's own text, parsed as the viewer parses it. */
static void feed(struct tw_tracker *tr, struct tw_parser *p, const char *s)
{
	struct tcpwave_record r;
	char line[512];
	__u64 lost;

	snprintf(line, sizeof(line), "%s", s);
	if (tw_parse_line(p, line, &r, &lost) == TW_LINE_RECORD)
		tw_track_add(tr, &r);
	else
		printf("# not a record: %s (%s)\n", s, p->err);
}

#define HDR "# tcpwave 1.1 seq ts_ns cpu cookie netns family laddr raddr " \
	    "oldstate newstate ctx pid comm event reason snd_una snd_nxt " \
	    "rcv_nxt iss irs link"

static const char *const recs[] = {
	"1 1000000000 0 00000010 1 4 0.0.0.0:443 0.0.0.0:0 CLOSE LISTEN "
	"task 812 nginx listen - - - - - - -",
	"2 5000000000 0 00000011 1 4 10.0.0.5:443 203.0.113.7:51234 LISTEN "
	"SYN_RECV softirq - - syn - - - - 1 2 00000010",
	"3 5000100000 0 00000011 1 4 10.0.0.5:443 203.0.113.7:51234 SYN_RECV "
	"ESTABLISHED softirq - - state - - - - - - -",
	"4 6000000000 0 00000012 1 6 [2001:db8::5]:443 "
	"[2001:db8:ffff:ffff::9]:60002 LISTEN SYN_RECV softirq - - syn - - - "
	"- 3 4 00000010",
	"5 6000100000 0 00000012 1 6 [2001:db8::5]:443 "
	"[2001:db8:ffff:ffff::9]:60002 SYN_RECV ESTABLISHED softirq - - state "
	"- - - - - - -",
	"6 7000000000 0 00000013 1 4 127.0.0.1:52010 127.0.0.1:8080 CLOSE "
	"SYN_SENT task 930 a\\040b\\040c\\040d\\040e\\040f connect - - - - "
	"5 - -",
	"7 7000100000 0 00000013 1 4 127.0.0.1:52010 127.0.0.1:8080 SYN_SENT "
	"ESTABLISHED softirq - - state - - - - - - -",
	"8 8000000000 0 00000013 1 4 127.0.0.1:52010 127.0.0.1:8080 "
	"ESTABLISHED CLOSE_WAIT softirq - - state - - - - - - -",
	"9 20000000000 0 00000014 1 4 10.0.0.5:41000 10.0.0.9:9100 CLOSE "
	"SYN_SENT task 1042 healthcheck connect - - - - 7 - -",
	"10 21000000000 0 00000014 1 4 10.0.0.5:41000 10.0.0.9:9100 SYN_SENT "
	"CLOSE softirq - - state refused - - - - - -",
	/* The RST after a close belongs to the end closed (track.c). */
	"11 21000000001 0 00000014 1 4 10.0.0.5:41000 10.0.0.9:9100 CLOSE "
	"CLOSE task 1042 healthcheck rst - - - - - - -",
	"12 22000000000 0 00000015 1 4 10.0.0.5:41002 10.0.0.9:9101 CLOSE "
	"SYN_SENT task 1042 healthcheck connect - - - - 9 - -",
};

#define NOW	23000000000ULL

static void build(struct tw_table *t, struct tw_tracker *tr)
{
	struct tw_filter f = { 0 };
	struct tw_parser p;
	char hdr[] = HDR;
	struct tcpwave_record r;
	__u64 lost;
	size_t i;

	tw_parser_init(&p);
	tw_parse_line(&p, hdr, &r, &lost);
	tw_track_init(tr, false, 100);
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		feed(tr, &p, recs[i]);
	tw_parser_free(&p);
	tw_table_init(t);
	tw_table_take(t, tr, &f, NOW, 10000000000ULL);
	tw_table_view(t);
}

static const char *cell(const struct tw_table *t, size_t i, enum tw_tcol c)
{
	return t->rows[t->shown[i]].cell[c];
}

static void test_rows(void)
{
	struct tw_buf b = { 0 };
	struct tw_tracker tr;
	struct tw_table t;

	build(&t, &tr);
	ok(t.nrows == 6 && t.nshown == 6, "rows: one per end");
	/* AGE, the largest first: the listener. */
	ok(t.sort == TW_TCOL_AGE && tw_table_desc(&t) &&
	   !strcmp(cell(&t, 0, TW_TCOL_COOKIE), "00000010"),
	   "view: AGE descending by default");
	ok(!strcmp(cell(&t, 0, TW_TCOL_REMOTE), "*"),
	   "row: a listener's peer is *");
	ok(!strcmp(cell(&t, 1, TW_TCOL_OWNER), "812/nginx"),
	   "row: not accepted yet: the listener's owner");
	ok(t.counts[TCPWAVE_ESTABLISHED] == 2 &&
	   t.counts[TCPWAVE_CLOSE_WAIT] == 1 && t.counts[TCPWAVE_LISTEN] == 1 &&
	   t.counts[TCPWAVE_CLOSE] == 1 && t.counts[TCPWAVE_SYN_SENT] == 1,
	   "view: counts per state");
	ok(t.leaks == 1 && t.failed == 1 && t.handshakes == 0,
	   "view: a leak (CLOSE_WAIT 15 s > 10 s) and a refused connect");
	ok(!strcmp(cell(&t, 4, TW_TCOL_STATE), "CLOSE (refused)") &&
	   t.rows[t.shown[4]].anomaly == TW_ANOM_FAILED &&
	   !strcmp(cell(&t, 4, TW_TCOL_AGE), "1.00s"),
	   "row: closed: its reason, its life as age, the RST kept in it");

	t.sort = TW_TCOL_COOKIE;
	tw_table_view(&t);
	ok(!tw_table_desc(&t) &&
	   !strcmp(cell(&t, 0, TW_TCOL_COOKIE), "00000010") &&
	   !strcmp(cell(&t, 5, TW_TCOL_COOKIE), "00000015"),
	   "view: COOKIE ascending");
	t.reverse = true;
	tw_table_view(&t);
	ok(tw_table_desc(&t) &&
	   !strcmp(cell(&t, 0, TW_TCOL_COOKIE), "00000015"),
	   "view: reversed");

	tw_table_counts(&b, &t, (size_t)-1, false);
	ok(b.s && !strcmp(b.s, "ESTABLISHED 2  SYN_SENT 1  CLOSE 1  "
			  "CLOSE_WAIT 1  LISTEN 1"), "counts: every state in use");
	tw_buf_free(&b);
	tw_table_counts(&b, &t, 30, false);
	ok(b.s && !strcmp(b.s, "ESTABLISHED 2  SYN_SENT 1  \u2026"),
	   "counts: as many as fit, then an ellipsis");
	tw_buf_free(&b);
	tw_table_counts(&b, &t, 58, true);
	ok(b.s && tw_width(b.s) == 58 && b.s[57] == '1',
	   "counts: the last one needs no room for the mark");
	tw_buf_free(&b);
	tw_table_counts(&b, &t, 57, true);
	ok(b.s && !strcmp(b.s + strlen(b.s) - 15, "CLOSE_WAIT 1  ~"),
	   "counts: --ascii: ~ for the ellipsis");
	tw_buf_free(&b);

	snprintf(t.text, sizeof(t.text), "established");
	tw_table_view(&t);
	ok(t.nshown == 2, "view: the text filter ignores case");
	snprintf(t.text, sizeof(t.text), "nginx");
	t.families = TW_FAMILY_6;
	tw_table_view(&t);
	ok(t.nshown == 1 && !strcmp(cell(&t, 0, TW_TCOL_COOKIE), "00000012"),
	   "view: IPv6 only, and a text");
	tw_table_free(&t);
	tw_track_free(&tr);
}

/* The display width of a line (every character is one column). */
static size_t width_of(const char *s)
{
	return s ? tw_width(s) : 0;
}

static void test_layout(void)
{
	static const enum tw_tcol hide_order[] = {
		TW_TCOL_COOKIE, TW_TCOL_AGE, TW_TCOL_OWNER, TW_TCOL_IN_STATE,
	};
	size_t w, i, c, k, widest = 0, minw = 0;
	bool fits = true, kept = true, order = true, grows = true;
	struct tw_tlayout l, prev;
	struct tw_buf b = { 0 };
	struct tw_tracker tr;
	struct tw_table t;

	memset(&prev, 0, sizeof(prev));
	build(&t, &tr);
	for (w = 30; w <= 200; w++) {
		tw_table_layout(&t, w, false, false, &l);
		tw_table_title(&b, &t, &l);
		widest = width_of(b.s);
		tw_buf_free(&b);
		for (i = 0; i < t.nshown; i++) {
			tw_table_row(&b, &t, &l, i);
			if (width_of(b.s) > widest)
				widest = width_of(b.s);
			tw_buf_free(&b);
		}
		/* 15 + 15 + STATE's 15, one space apart, at least. */
		if (widest > w && w >= 47) {
			printf("# width %zu: a line of %zu\n", w, widest);
			fits = false;
		}
		if (!l.width[TW_TCOL_STATE] || !l.width[TW_TCOL_LOCAL] ||
		    !l.width[TW_TCOL_REMOTE])
			kept = false;
		/* What is hidden is hidden in order. */
		for (k = 1; k < 4; k++)
			if (!l.width[hide_order[k]] &&
			    l.width[hide_order[k - 1]])
				order = false;
		/* A wider terminal never shows less. */
		for (c = 0; c < TW_TCOL_MAX; c++)
			if (prev.width[c] && !l.width[c])
				grows = false;
		if (!minw && l.width[TW_TCOL_COOKIE])
			minw = w;
		prev = l;
	}
	ok(fits, "layout: every line fits its width");
	ok(kept, "layout: STATE, LOCAL and REMOTE always shown");
	ok(order, "layout: COOKIE hidden first, then AGE, PID/COMM, IN-STATE");
	ok(grows, "layout: wider never shows fewer columns");

	tw_table_layout(&t, (size_t)-1, false, false, &l);
	ok(l.gap == 2 && l.width[TW_TCOL_REMOTE] == 21 &&
	   l.width[TW_TCOL_OWNER] == 23 && l.width[TW_TCOL_LOCAL] == 17,
	   "layout: natural widths, capped");
	for (i = 0; i < t.nshown; i++)
		if (!strcmp(cell(&t, i, TW_TCOL_COOKIE), "00000012"))
			break;
	tw_table_row(&b, &t, &l, i);
	ok(b.s && strstr(b.s, "[2001:db8:fff\u2026]:60002"),
	   "layout: a long address keeps its port");
	tw_buf_free(&b);
	tw_table_layout(&t, (size_t)-1, false, true, &l);
	tw_table_row(&b, &t, &l, i);
	ok(b.s && strstr(b.s, "[2001:db8:fff~]:60002"),
	   "layout: --ascii: ~ for the ellipsis");
	tw_buf_free(&b);
	tw_table_layout(&t, (size_t)-1, true, false, &l);
	tw_table_row(&b, &t, &l, i);
	ok(b.s && strstr(b.s, "[2001:db8:ffff:ffff::9]:60002"),
	   "layout: --wide: never shortened");
	tw_buf_free(&b);
	tw_table_layout(&t, 70, false, false, &l);
	ok(l.width[TW_TCOL_OWNER] && !l.width[TW_TCOL_AGE] &&
	   !l.width[TW_TCOL_COOKIE], "layout: 70 columns: no AGE, no COOKIE");
	printf("# COOKIE shown from %zu columns\n", minw);
	tw_table_free(&t);
	tw_track_free(&tr);
}

int main(void)
{
	test_span();
	test_cut();
	test_rows();
	test_layout();
	printf("1..%d\n", tests);
	return failed ? 1 : 0;
}
