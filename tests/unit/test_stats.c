// SPDX-License-Identifier: GPL-2.0
/*
 * test_stats.c - unit tests of the statistics engine, printed as TAP.
 *
 * Built and run by tests/unit/run.sh against userspace/stats.c and what
 * it needs (conn.c, filter.c, parse.c, states.c, fmt.c).  Run from the
 * project root: it reads tests/fixtures/.
 *
 * What it checks, that the golden outputs cannot:
 * - the histogram's buckets: every value falls in a bucket whose highest
 *   value is at most 1/64 above it, buckets in order;
 * - percentiles of the bounded (stream) mode against exact ones;
 * - the engine fed record by record, as -E feeds it, gives what the
 *   capture path gives, on every fixture;
 * - memory stays bounded: entries freed at each end, a full table
 *   forgets the least recently touched socket;
 * - the stream filter counts only the ends that pass.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "filter.h"
#include "parse.h"
#include "stats.h"
#include "rnd.h"

static int tests;
static int failed;

static void ok(int cond, const char *fmt, const char *arg)
{
	tests++;
	if (!cond)
		failed++;
	printf("%sok %d ", cond ? "" : "not ", tests);
	printf(fmt, arg);
	putchar('\n');
}

/* Log-uniform from 1 us to about 100 s: handshakes and states alike. */
static __u64 rnd_ns(void)
{
	unsigned int bits = 10 + rnd() % 27;

	return (rnd() & ((1ULL << bits) - 1)) | (1ULL << (bits - 1));
}

static void test_hist(void)
{
	__u64 v, prev_v = 0, hi;
	size_t i, idx, prev = 0;
	int good = 1, mono = 1;

	for (i = 0; i < 200000; i++) {
		v = i < 100000 ? i * 7 : rnd() >> (rnd() % 64);
		idx = tw_hist_index(v);
		hi = tw_hist_high(idx);
		if (idx >= TW_HIST_BUCKETS || hi < v ||
		    (v < TW_HIST_LINEAR && hi != v) ||
		    (v >= TW_HIST_LINEAR && (hi - v) >= v / TW_HIST_SUB) ||
		    (idx && tw_hist_high(idx - 1) >= v))
			good = 0;
		if (i < 100000) {
			if (v < prev_v || idx < prev)
				mono = 0;
			prev = idx;
			prev_v = v;
		}
	}
	v = ~0ULL;
	ok(good && tw_hist_index(v) == TW_HIST_BUCKETS - 1 &&
	   tw_hist_high(TW_HIST_BUCKETS - 1) == v,
	   "histogram: each value in a bucket at most 1/64 wide%s", "");
	ok(mono, "histogram: buckets in order of value%s", "");
}

static void test_pct(void)
{
	struct tw_dist exact = { 0 }, hist = { 0 };
	struct tw_dist_sum e, h;
	int good;
	size_t i;

	for (i = 0; i < 20000; i++) {
		__u64 v = rnd_ns();

		tw_dist_add(&exact, true, v);
		tw_dist_add(&hist, false, v);
	}
	tw_dist_summary(&exact, &e);
	tw_dist_summary(&hist, &h);
	good = e.count == h.count && e.sum == h.sum && e.min == h.min &&
	       e.max == h.max;
	good &= h.p50 >= e.p50 && h.p50 - e.p50 < e.p50 / 64 + 1;
	good &= h.p90 >= e.p90 && h.p90 - e.p90 < e.p90 / 64 + 1;
	good &= h.p99 >= e.p99 && h.p99 - e.p99 < e.p99 / 64 + 1;
	ok(good, "percentiles: histogram within 1/64 above exact%s", "");
	tw_dist_free(&exact);
	tw_dist_free(&hist);

	/* Nearest rank over 1..10: p50 5, p90 9, p99 10. */
	for (i = 1; i <= 10; i++)
		tw_dist_add(&exact, true, i);
	tw_dist_summary(&exact, &e);
	ok(e.p50 == 5 && e.p90 == 9 && e.p99 == 10 && e.min == 1 &&
	   e.max == 10, "percentiles: nearest rank%s", "");
	tw_dist_free(&exact);
}

static void rec_init(struct tcpwave_record *r, __u64 cookie, __u16 port)
{
	memset(r, 0, sizeof(*r));
	r->cookie = cookie;
	r->family = 4;
	r->laddr[0] = 127;
	r->laddr[3] = 1;
	r->raddr[0] = 127;
	r->raddr[3] = 1;
	r->lport = port;
	r->rport = 80;
}

static void rec_add(struct tw_stats *s, struct tcpwave_record *r, __u64 ts,
		    unsigned int old, unsigned int new, unsigned int event,
		    unsigned int reason)
{
	static __u64 seq;

	r->seq = seq++;
	r->ts_ns = ts;
	r->oldstate = old;
	r->newstate = new;
	r->event = event;
	r->reason = reason;
	r->ctx = event == TCPWAVE_EV_connect ? TCPWAVE_CTX_task :
		 TCPWAVE_CTX_softirq;
	r->pid = 42;
	tw_stats_add(s, r);
}

static struct tw_opts opts(void)
{
	struct tw_opts o;

	memset(&o, 0, sizeof(o));
	o.path = "test";
	o.close_wait_ms = 10000;
	return o;
}

/*
 * An end whose way to ESTABLISHED was lost: no handshake time, and its
 * close from FIN_WAIT1 is no failed handshake.
 */
static void test_lost_middle(void)
{
	struct tw_opts o = opts();
	struct tcpwave_record r;
	struct tw_stats s;

	tw_stats_init(&s, &o);
	rec_init(&r, 0x77, 40000);
	rec_add(&s, &r, 1000, TCPWAVE_CLOSE, TCPWAVE_SYN_SENT,
		TCPWAVE_EV_connect, 0);
	tw_stats_lost(&s, 3);
	rec_add(&s, &r, 9000, TCPWAVE_ESTABLISHED, TCPWAVE_FIN_WAIT1,
		TCPWAVE_EV_state, 0);
	rec_add(&s, &r, 9500, TCPWAVE_FIN_WAIT1, TCPWAVE_CLOSE,
		TCPWAVE_EV_state, TCPWAVE_REASON_timeout);
	ok(!s.hs[TW_SIDE_ACTIVE].count && !s.ends_failed &&
	   s.aborts[TCPWAVE_REASON_timeout] == 1 && s.lost == 3 &&
	   !s.state_time[TCPWAVE_SYN_SENT].count &&
	   !s.state_time[TCPWAVE_ESTABLISHED].count &&
	   s.state_time[TCPWAVE_FIN_WAIT1].count == 1 && !s.live,
	   "records lost mid-life: no false handshake, visit or failure%s",
	   "");
	tw_stats_free(&s);
}

/* 100000 connections, one after the other: the table stays tiny. */
static void test_bounded(void)
{
	struct tw_opts o = opts();
	struct tcpwave_record r;
	struct tw_stats s;
	struct tw_stats_now n;
	__u64 t = 1000, i;

	tw_stats_init(&s, &o);
	for (i = 0; i < 100000; i++) {
		rec_init(&r, 0x1000 + i, 30000 + i % 30000);
		rec_add(&s, &r, t, TCPWAVE_CLOSE, TCPWAVE_SYN_SENT,
			TCPWAVE_EV_connect, 0);
		rec_add(&s, &r, t + 1000 + i, TCPWAVE_SYN_SENT,
			TCPWAVE_ESTABLISHED, TCPWAVE_EV_state, 0);
		rec_add(&s, &r, t + 5000, TCPWAVE_ESTABLISHED, TCPWAVE_CLOSE,
			TCPWAVE_EV_state, TCPWAVE_REASON_rst_rcvd);
		t += 10000;
	}
	tw_stats_now(&s, &n);
	ok(s.live == 0 && s.nsocks == 1 && n.open == 0 &&
	   s.hs[TW_SIDE_ACTIVE].count == 100000 && !s.hs[0].samples &&
	   s.aborts[TCPWAVE_REASON_rst_rcvd] == 100000 && !s.forgotten,
	   "memory: an entry per socket alive, freed at its end%s", "");
	tw_stats_now_free(&n);
	tw_stats_free(&s);

	/* Sockets that never end: a full table forgets the oldest. */
	tw_stats_init(&s, &o);
	s.max_socks = 8;
	for (i = 0; i < 100; i++) {
		rec_init(&r, 0x1000 + i, 30000 + i);
		rec_add(&s, &r, 1000 + i, TCPWAVE_CLOSE, TCPWAVE_SYN_SENT,
			TCPWAVE_EV_connect, 0);
		/* The first keeps being touched: it is never forgotten. */
		rec_init(&r, 0x1000, 30000);
		rec_add(&s, &r, 1000 + i, TCPWAVE_SYN_SENT, TCPWAVE_SYN_SENT,
			TCPWAVE_EV_retrans, 0);
	}
	rec_add(&s, &r, 5000, TCPWAVE_SYN_SENT, TCPWAVE_ESTABLISHED,
		TCPWAVE_EV_state, 0);
	tw_stats_now(&s, &n);
	ok(s.live == 8 && s.nsocks == 8 && s.forgotten == 92 && n.open == 8 &&
	   n.sockets[TCPWAVE_SYN_SENT] == 7 &&
	   s.hs[TW_SIDE_ACTIVE].count == 1,
	   "memory: a full table forgets the least recently touched%s", "");
	tw_stats_now_free(&n);
	tw_stats_free(&s);
}

static int read_trace(const char *path, struct tw_trace *t)
{
	FILE *f = fopen(path, "r");
	int ret;

	memset(t, 0, sizeof(*t));
	if (!f)
		return -1;
	ret = tw_trace_read(f, path, t);
	fclose(f);
	return ret;
}

/* Feed @t as -E would: record by record, "# lost" where it was. */
static void feed_stream(struct tw_stats *s, const struct tw_trace *t)
{
	size_t i, l = 0;

	for (i = 0; i <= t->nrecs; i++) {
		while (l < t->nlost && t->lost[l].before <= i)
			tw_stats_lost(s, t->lost[l++].count);
		if (i < t->nrecs)
			tw_stats_add(s, &t->recs[i]);
	}
}

static int same_dist(const struct tw_dist *a, const struct tw_dist *b)
{
	struct tw_dist_sum x, y;

	tw_dist_summary(a, &x);
	tw_dist_summary(b, &y);
	return x.count == y.count && x.sum == y.sum && x.min == y.min &&
	       x.max == y.max && y.p50 >= x.p50 && y.p99 >= x.p99 &&
	       y.p50 - x.p50 <= x.p50 / 64 && y.p99 - x.p99 <= x.p99 / 64;
}

/* The totals of @a (capture, exact) and @b (stream, bounded) agree. */
static int same_stats(const struct tw_stats *a, const struct tw_stats *b)
{
	struct tw_stats_now na, nb;
	int same;
	size_t i;

	same = a->records == b->records && a->lost == b->lost &&
	       a->unknown == b->unknown && a->last_ts == b->last_ts &&
	       !memcmp(a->trans, b->trans, sizeof(*a->trans) *
		       TW_STATS_NSTATES * TW_STATS_NSTATES) &&
	       !memcmp(a->closes, b->closes, sizeof(a->closes)) &&
	       !memcmp(a->hs_fail, b->hs_fail, sizeof(a->hs_fail)) &&
	       !memcmp(a->aborts, b->aborts, sizeof(a->aborts)) &&
	       !memcmp(a->hs_le, b->hs_le, sizeof(a->hs_le)) &&
	       a->ends_normal == b->ends_normal &&
	       a->ends_failed == b->ends_failed &&
	       a->ends_listener == b->ends_listener &&
	       a->tw_entered == b->tw_entered &&
	       a->tw_expired == b->tw_expired;
	for (i = 0; i < TW_SIDE_MAX; i++)
		same &= same_dist(&a->hs[i], &b->hs[i]);
	for (i = 0; i < TW_STATS_NSTATES; i++)
		same &= same_dist(&a->state_time[i], &b->state_time[i]);
	tw_stats_now(a, &na);
	tw_stats_now(b, &nb);
	same &= na.open == nb.open && na.nsuspects == nb.nsuspects &&
		!memcmp(na.sockets, nb.sockets, sizeof(na.sockets));
	tw_stats_now_free(&na);
	tw_stats_now_free(&nb);
	return same;
}

/*
 * With @filter options (or none), the capture path (connections that
 * pass, main.c's way) and the stream path give the same totals.
 */
static void compare(const char *name, int opt, const char *arg,
		    const char *label)
{
	struct tw_filter f = { 0 };
	struct tw_opts o = opts();
	struct tw_stats cap, str;
	struct tw_conns c;
	struct tw_trace t;
	char path[256], err[256], what[512];

	snprintf(path, sizeof(path), "tests/fixtures/%s", name);
	snprintf(what, sizeof(what), "%s%s%s", name, opt ? " filtered " : "",
		 opt ? label : "");
	if (opt && tw_filter_option(&f, opt, arg, err, sizeof(err))) {
		ok(0, "stream = capture: %s: bad filter", what);
		return;
	}
	if (read_trace(path, &t)) {
		ok(0, "stream = capture: %s: cannot read", what);
		tw_trace_free(&t);
		return;
	}
	tw_conns_build(&t, &c);
	tw_filter_conns(&f, &c);
	tw_stats_init(&cap, &o);
	tw_stats_exact(&cap);
	tw_stats_capture(&cap, &t, &c, 0);
	tw_stats_init(&str, &o);
	tw_stats_filter(&str, &f);
	feed_stream(&str, &t);
	ok(same_stats(&cap, &str), "stream = capture: %s", what);
	tw_stats_free(&cap);
	tw_stats_free(&str);
	tw_conns_free(&c);
	tw_trace_free(&t);
	tw_filter_free(&f);
}

static int is_txt(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && !strcmp(d->d_name + n - 4, ".txt");
}

static void test_stream(void)
{
	struct dirent **names;
	int n, i;

	n = scandir("tests/fixtures", &names, is_txt, alphasort);
	ok(n > 30, "fixtures found%s", "");
	for (i = 0; i < n; i++) {
		compare(names[i]->d_name, 0, NULL, NULL);
		free(names[i]);
	}
	free(names);
	/*
	 * Both ends of these connections share the family and the netns:
	 * per end (stream) = per connection (capture).  Not so in
	 * v11-ipv6.txt, where an IPv4 client talks to an IPv6 server.
	 */
	compare("vm-ipv6.txt", TW_FOPT_IPV6, NULL, "-6");
	compare("vm-ipv6.txt", TW_FOPT_IPV4, NULL, "-4");
	compare("vm-many.txt", TW_FOPT_NETNS, "4026531840",
		"--netns 4026531840");
}

/* The stream filter counts only the ends that pass, from then on. */
static void test_filter(void)
{
	struct tw_filter f = { 0 };
	struct tw_opts o = opts();
	struct tw_stats_now n;
	struct tw_stats s;
	struct tw_trace t;
	char err[256];

	read_trace("tests/fixtures/v11-many.txt", &t);
	/* loadsrv[1200] listens and accepts; loadgen[1201] connects. */
	tw_filter_option(&f, TW_FOPT_PID, "1200", err, sizeof(err));
	tw_stats_init(&s, &o);
	tw_stats_filter(&s, &f);
	feed_stream(&s, &t);
	ok(s.hs[TW_SIDE_PASSIVE].count == 50 &&
	   s.hs[TW_SIDE_ACTIVE].count == 0 && s.records == t.nrecs,
	   "stream filter --pid: the server ends only, from the SYN on%s",
	   "");
	tw_stats_free(&s);
	tw_filter_free(&f);
	memset(&f, 0, sizeof(f));
	tw_trace_free(&t);

	read_trace("tests/fixtures/stats-leak.txt", &t);
	tw_filter_option(&f, TW_FOPT_STATE, "close-wait", err, sizeof(err));
	tw_stats_init(&s, &o);
	tw_stats_filter(&s, &f);
	feed_stream(&s, &t);
	tw_stats_now(&s, &n);
	ok(n.nsuspects == 2 && n.open == 3 &&
	   n.sockets[TCPWAVE_CLOSE_WAIT] == 3 && !n.sockets[TCPWAVE_LISTEN] &&
	   s.ends_normal == 1 && !s.ends_failed &&
	   !s.hs[TW_SIDE_PASSIVE].count,
	   "stream filter --state: ends count once they were in it%s", "");
	tw_stats_now_free(&n);
	tw_stats_free(&s);
	tw_filter_free(&f);
	tw_trace_free(&t);
}

int main(void)
{
	test_hist();
	test_pct();
	test_bounded();
	test_lost_middle();
	test_stream();
	test_filter();
	printf("1..%d\n", tests);
	return failed ? 1 : 0;
}
