// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - the statistics engine of "tcpwave -s", fed one record at a
 * time.
 *
 * One connection end is a succession of kernel objects (conn.c): on a
 * server, a request socket from the SYN (the syn record, LISTEN ->
 * SYN_RECV, whose link names the listener) to the final ACK, where a full
 * socket takes over (the child record, whose link names the request
 * socket: usually the same cookie, not always); at the end, maybe a
 * timewait socket, which keeps the full socket's cookie.  The end's life
 * is over at its one transition to CLOSE (README, "Events": the hand-off
 * to the timewait socket is not recorded, so every -> CLOSE is an end).
 * The engine keeps one entry per end alive, keyed by cookie, moves a
 * request socket's entry to its child at the child record, and drops the
 * entry at the end, so that its memory follows the sockets alive, not
 * the length of the stream.
 *
 * "Now" is CLOCK_MONOTONIC when the input is the live ring (ts_ns is
 * ktime_get_ns(), the same clock), else the time of the latest record.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>

#include "states.h"
#include "stats.h"

#define TW_NIL		UINT32_MAX
#define TW_PROC_MAGIC	0x9fa0	/* PROC_SUPER_MAGIC, <linux/magic.h> */
#define TW_HBITS_MIN	10

enum tw_owner_kind {
	TW_OWNER_NONE,
	TW_OWNER_TASK,		/* the first record in task context */
	TW_OWNER_LISTENER,	/* a server end not accepted yet */
	TW_OWNER_CALLER,	/* connect(), accept() or listen() */
};

/*
 * One end alive.  Its tuple is the latest one with both ports (the
 * listener's has no remote port), as conn.c's tw_tuple() picks it.
 */
struct tw_stats_sock {
	__u64 cookie;
	__u64 since;		/* ns: when it entered state, if has_since */
	__u64 hs_start;		/* ns: its SYN, if hs_pending */
	__u32 hnext;		/* hash chain; the free list when unused */
	__u32 lprev;		/* LRU list */
	__u32 lnext;
	__u32 netns;
	__u32 pid;
	__u32 states;		/* 1 << state, each state it was in */
	__u16 lport;
	__u16 rport;
	__u8 family;
	__u8 state;
	__u8 side;		/* enum tw_side, if has_side */
	__u8 owner;		/* enum tw_owner_kind */
	bool used;
	bool has_since;
	bool hs_pending;
	bool has_side;
	bool counted;		/* passed the filter */
	__u8 laddr[16];
	__u8 raddr[16];
	char comm[TCPWAVE_COMM_LEN];
};

const __u64 tw_prom_le_ns[TW_PROM_BUCKETS] = {
	100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
	25000000, 50000000, 100000000, 250000000, 500000000, 1000000000,
	2500000000ULL, 5000000000ULL, 10000000000ULL,
};

const char *const tw_prom_le[TW_PROM_BUCKETS] = {
	"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
	"0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10",
};

const char *tw_side_name(enum tw_side side)
{
	return side == TW_SIDE_ACTIVE ? "active" : "passive";
}

/*
 * A reason as a word for reports and labels: "no_reason" where the
 * record had none (format 1.0), "unknown" for a name a newer module
 * added.
 */
const char *tw_stats_reason(unsigned int reason)
{
	if (reason == TCPWAVE_REASON_none)
		return "no_reason";
	if (reason >= TCPWAVE_REASON_MAX)
		return "unknown";
	return tw_reason_name(reason);
}

/*
 * The order reports list states in: as a connection lives through them
 * (RFC 9293 figure 5), then any number a newer module may print.
 */
void tw_state_order(unsigned int order[TW_STATS_NSTATES])
{
	static const unsigned char life[] = {
		TCPWAVE_LISTEN, TCPWAVE_SYN_SENT, TCPWAVE_SYN_RECV,
		TCPWAVE_NEW_SYN_RECV, TCPWAVE_ESTABLISHED, TCPWAVE_FIN_WAIT1,
		TCPWAVE_FIN_WAIT2, TCPWAVE_CLOSING, TCPWAVE_TIME_WAIT,
		TCPWAVE_CLOSE_WAIT, TCPWAVE_LAST_ACK, TCPWAVE_CLOSE,
	};
	bool seen[TW_STATS_NSTATES] = { false };
	size_t i, n = 0;

	for (i = 0; i < sizeof(life); i++) {
		order[n++] = life[i];
		seen[life[i]] = true;
	}
	for (i = 0; i < TW_STATS_NSTATES; i++)
		if (!seen[i])
			order[n++] = i;
}

/* --- durations ------------------------------------------------------- */

static unsigned int tw_msb(__u64 v)
{
	return 63 - __builtin_clzll(v);
}

/* The histogram bucket of @ns: see TW_HIST_SUB_BITS. */
size_t tw_hist_index(__u64 ns)
{
	unsigned int shift;

	if (ns < TW_HIST_LINEAR)
		return ns;
	shift = tw_msb(ns) - TW_HIST_SUB_BITS;
	return TW_HIST_LINEAR + (size_t)(shift - 1) * TW_HIST_SUB +
	       ((ns >> shift) - TW_HIST_SUB);
}

/* The highest value, in ns, that falls into bucket @i. */
__u64 tw_hist_high(size_t i)
{
	unsigned int shift;
	__u64 top;

	if (i < TW_HIST_LINEAR)
		return i;
	i -= TW_HIST_LINEAR;
	shift = i / TW_HIST_SUB + 1;
	top = TW_HIST_SUB + i % TW_HIST_SUB;
	return (top << shift) + ((1ULL << shift) - 1);
}

void tw_dist_add(struct tw_dist *d, bool exact, __u64 ns)
{
	if (!d->count || ns < d->min)
		d->min = ns;
	if (ns > d->max)
		d->max = ns;
	d->sum += ns;
	if (exact) {
		tw_grow((void **)&d->samples, &d->samples_cap, d->count + 1,
			sizeof(*d->samples));
		d->samples[d->count] = ns;
	} else {
		if (!d->hist) {
			d->hist = tw_xrealloc(NULL, TW_HIST_BUCKETS,
					      sizeof(*d->hist));
			memset(d->hist, 0, TW_HIST_BUCKETS * sizeof(*d->hist));
		}
		d->hist[tw_hist_index(ns)]++;
	}
	d->count++;
}

void tw_dist_free(struct tw_dist *d)
{
	free(d->samples);
	free(d->hist);
	memset(d, 0, sizeof(*d));
}

static int tw_cmp_u64p(const void *pa, const void *pb)
{
	__u64 a = *(const __u64 *)pa, b = *(const __u64 *)pb;

	return a < b ? -1 : a > b;
}

/*
 * Nearest rank (the smallest value with at least @pct % of the samples
 * at or below it): rank ceil(pct * n / 100), from 1.
 */
static __u64 tw_rank(__u64 n, unsigned int pct)
{
	__u64 r = (n * pct + 99) / 100;

	return r ? r : 1;
}

static __u64 tw_hist_pct(const struct tw_dist *d, unsigned int pct)
{
	__u64 rank = tw_rank(d->count, pct), seen = 0, v;
	size_t i;

	for (i = 0; i < TW_HIST_BUCKETS; i++) {
		seen += d->hist[i];
		if (seen >= rank)
			break;
	}
	v = tw_hist_high(i);
	if (v > d->max)
		v = d->max;
	if (v < d->min)
		v = d->min;
	return v;
}

void tw_dist_summary(const struct tw_dist *d, struct tw_dist_sum *sum)
{
	static const unsigned int pct[3] = { 50, 90, 99 };
	__u64 *v[3] = { &sum->p50, &sum->p90, &sum->p99 };
	__u64 *sorted;
	size_t k;

	memset(sum, 0, sizeof(*sum));
	if (!d->count)
		return;
	sum->count = d->count;
	sum->sum = d->sum;
	sum->min = d->min;
	sum->max = d->max;
	if (d->samples) {
		sorted = tw_xrealloc(NULL, d->count, sizeof(*sorted));
		memcpy(sorted, d->samples, d->count * sizeof(*sorted));
		qsort(sorted, d->count, sizeof(*sorted), tw_cmp_u64p);
		for (k = 0; k < 3; k++)
			*v[k] = sorted[tw_rank(d->count, pct[k]) - 1];
		free(sorted);
	} else {
		for (k = 0; k < 3; k++)
			*v[k] = tw_hist_pct(d, pct[k]);
	}
}

/* --- the socket table ------------------------------------------------ */

static size_t tw_hash(const struct tw_stats *s, __u64 cookie)
{
	return (cookie * 0x9e3779b97f4a7c15ULL) >> (64 - s->hbits);
}

static struct tw_stats_sock *tw_sk(const struct tw_stats *s, __u32 i)
{
	return i == TW_NIL ? NULL : &s->socks[i];
}

static __u32 tw_ent_find(const struct tw_stats *s, __u64 cookie)
{
	__u32 i;

	if (!s->heads)
		return TW_NIL;
	for (i = s->heads[tw_hash(s, cookie)]; i != TW_NIL;
	     i = s->socks[i].hnext)
		if (s->socks[i].cookie == cookie)
			return i;
	return TW_NIL;
}

static void tw_lru_unlink(struct tw_stats *s, __u32 i)
{
	struct tw_stats_sock *sk = &s->socks[i];

	if (sk->lprev != TW_NIL)
		s->socks[sk->lprev].lnext = sk->lnext;
	else
		s->lru_head = sk->lnext;
	if (sk->lnext != TW_NIL)
		s->socks[sk->lnext].lprev = sk->lprev;
	else
		s->lru_tail = sk->lprev;
}

static void tw_lru_append(struct tw_stats *s, __u32 i)
{
	struct tw_stats_sock *sk = &s->socks[i];

	sk->lprev = s->lru_tail;
	sk->lnext = TW_NIL;
	if (s->lru_tail != TW_NIL)
		s->socks[s->lru_tail].lnext = i;
	else
		s->lru_head = i;
	s->lru_tail = i;
}

static void tw_hash_link(struct tw_stats *s, __u32 i)
{
	size_t h = tw_hash(s, s->socks[i].cookie);

	s->socks[i].hnext = s->heads[h];
	s->heads[h] = i;
}

/* Chains stay about one entry long: double the heads when they are not. */
static void tw_hash_resize(struct tw_stats *s, unsigned int hbits)
{
	size_t i, n = (size_t)1 << hbits;

	free(s->heads);
	s->heads = tw_xrealloc(NULL, n, sizeof(*s->heads));
	for (i = 0; i < n; i++)
		s->heads[i] = TW_NIL;
	s->hbits = hbits;
	for (i = 0; i < s->nsocks; i++)
		if (s->socks[i].used)
			tw_hash_link(s, i);
}

static void tw_ent_drop(struct tw_stats *s, __u32 i)
{
	struct tw_stats_sock *sk = &s->socks[i];
	__u32 *p = &s->heads[tw_hash(s, sk->cookie)];

	while (*p != i)
		p = &s->socks[*p].hnext;
	*p = sk->hnext;
	tw_lru_unlink(s, i);
	memset(sk, 0, sizeof(*sk));
	sk->hnext = s->free_head;
	s->free_head = i;
	s->live--;
}

/*
 * A new entry for @cookie, in state CLOSE with nothing known.  Pointers
 * into the table are stale after it: the pool may move.
 */
static __u32 tw_ent_new(struct tw_stats *s, __u64 cookie)
{
	struct tw_stats_sock *sk;
	__u32 i;

	/* Two at least: tw_adopt() needs the request and its child. */
	if (s->free_head == TW_NIL && s->nsocks >= s->max_socks &&
	    s->nsocks >= 2) {
		tw_ent_drop(s, s->lru_head);
		s->forgotten++;
	}
	if (s->free_head != TW_NIL) {
		i = s->free_head;
		s->free_head = s->socks[i].hnext;
	} else {
		tw_grow((void **)&s->socks, &s->socks_cap, s->nsocks + 1,
			sizeof(*s->socks));
		i = s->nsocks++;
	}
	sk = &s->socks[i];
	memset(sk, 0, sizeof(*sk));
	sk->cookie = cookie;
	sk->state = TCPWAVE_CLOSE;
	sk->used = true;
	s->live++;
	/* A resize links every entry in use, this one included. */
	if (s->live > ((size_t)1 << s->hbits))
		tw_hash_resize(s, s->hbits + 1);
	else
		tw_hash_link(s, i);
	tw_lru_append(s, i);
	return i;
}

static void tw_ent_touch(struct tw_stats *s, __u32 i)
{
	if (s->lru_tail == i)
		return;
	tw_lru_unlink(s, i);
	tw_lru_append(s, i);
}

/* --- set-up ---------------------------------------------------------- */

/*
 * The live ring is a file of procfs; a capture, or $TCPWAVE_PROC naming
 * one, is not, and its "now" is its last record.
 */
static bool tw_on_procfs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == TW_PROC_MAGIC;
}

/**
 * tw_stats_init() - an empty engine for the options @o
 * @s: the engine
 * @o: the leak threshold (--close-wait-ms) and the input: when it is the
 *     live ring, "now" is the clock and the module's counters are read
 *     from $TCPWAVE_STATS, else /proc/tcpwave_stats
 *
 * Every end counts until tw_stats_filter() says otherwise.  Free with
 * tw_stats_free().
 */
void tw_stats_init(struct tw_stats *s, const struct tw_opts *o)
{
	const char *env = getenv("TCPWAVE_STATS");

	memset(s, 0, sizeof(*s));
	s->close_wait_ns = o->close_wait_ms * 1000000ULL;
	s->clock = o->ring && tw_on_procfs(o->path);
	if (env && *env)
		s->module_path = env;
	else if (s->clock)
		s->module_path = "/proc/tcpwave_stats";
	s->max_socks = TW_STATS_MAX_SOCKS;
	s->trans = tw_xrealloc(NULL, (size_t)TW_STATS_NSTATES *
			       TW_STATS_NSTATES, sizeof(*s->trans));
	memset(s->trans, 0, (size_t)TW_STATS_NSTATES * TW_STATS_NSTATES *
	       sizeof(*s->trans));
	s->free_head = TW_NIL;
	s->lru_head = TW_NIL;
	s->lru_tail = TW_NIL;
	tw_hash_resize(s, TW_HBITS_MIN);
}

/**
 * tw_stats_filter() - count only the ends that pass @f (a stream)
 *
 * For a capture, main.c keeps the connections that pass and feeds only
 * their records: leave the filter unset there.  On a stream the engine
 * cannot see an end's future, so an end counts from the first of its
 * records at which it passes @f, tested with tw_filter_match() on its
 * tuple, the owner known by then (connect(), accept() or listen(); a
 * server end inherits its listener's at the SYN) and the states it has
 * been in so far; what it did before that record is not counted (a
 * handshake begun before it and completed after is).  @f must outlive
 * @s; NULL counts every end.
 */
void tw_stats_filter(struct tw_stats *s, const struct tw_filter *f)
{
	s->filter = f && tw_filter_active(f) ? f : NULL;
}

/* Keep every duration for exact percentiles: for an input of known size. */
void tw_stats_exact(struct tw_stats *s)
{
	s->exact = true;
}

void tw_stats_free(struct tw_stats *s)
{
	size_t i;

	for (i = 0; i < TW_SIDE_MAX; i++)
		tw_dist_free(&s->hs[i]);
	for (i = 0; i < TW_STATS_NSTATES; i++)
		tw_dist_free(&s->state_time[i]);
	free(s->trans);
	free(s->socks);
	free(s->heads);
	memset(s, 0, sizeof(*s));
}

/* --- one record ------------------------------------------------------- */

static bool tw_syn_state(unsigned int state)
{
	return state == TCPWAVE_SYN_SENT || state == TCPWAVE_SYN_RECV ||
	       state == TCPWAVE_NEW_SYN_RECV;
}

static void tw_set_owner(struct tw_stats_sock *sk,
			 const struct tcpwave_record *r, enum tw_owner_kind k)
{
	if (sk->owner >= k)
		return;
	sk->owner = k;
	sk->pid = r->pid;
	memcpy(sk->comm, r->comm, sizeof(sk->comm));
}

/* What record @r tells about its end, besides a change of state. */
static void tw_learn(struct tw_stats *s, struct tw_stats_sock *sk,
		     const struct tcpwave_record *r)
{
	const struct tw_stats_sock *l;

	if (r->lport && (r->rport || !sk->lport)) {
		sk->family = r->family;
		sk->lport = r->lport;
		sk->rport = r->rport;
		memcpy(sk->laddr, r->laddr, sizeof(sk->laddr));
		memcpy(sk->raddr, r->raddr, sizeof(sk->raddr));
	}
	sk->netns = r->netns;
	if (r->ctx == TCPWAVE_CTX_task) {
		if (r->event == TCPWAVE_EV_connect ||
		    r->event == TCPWAVE_EV_accept ||
		    r->event == TCPWAVE_EV_listen)
			tw_set_owner(sk, r, TW_OWNER_CALLER);
		else
			tw_set_owner(sk, r, TW_OWNER_TASK);
	}
	if (r->event == TCPWAVE_EV_syn && (r->have & TCPWAVE_HAVE_LINK)) {
		l = tw_sk(s, tw_ent_find(s, r->link));
		if (l && l->owner == TW_OWNER_CALLER &&
		    sk->owner < TW_OWNER_LISTENER) {
			sk->owner = TW_OWNER_LISTENER;
			sk->pid = l->pid;
			memcpy(sk->comm, l->comm, sizeof(sk->comm));
		}
	}
	/* A syn record's LISTEN is its listener's state, not this end's. */
	if (r->oldstate < 32 && r->event != TCPWAVE_EV_syn)
		sk->states |= 1U << r->oldstate;
	if (r->newstate < 32)
		sk->states |= 1U << r->newstate;
}

/* Whether @sk counts from now on: see tw_stats_filter(). */
static bool tw_counts(const struct tw_stats *s, struct tw_stats_sock *sk)
{
	struct tw_filter_end e = { 0 };

	if (sk->counted || !s->filter)
		return sk->counted = true;
	e.family = sk->family ? sk->family : 4;
	e.laddr = sk->laddr;
	e.raddr = sk->raddr;
	e.lport = sk->lport;
	e.rport = sk->rport;
	e.netns = sk->netns;
	e.has_owner = sk->owner != TW_OWNER_NONE;
	e.pid = sk->pid;
	e.comm = sk->comm;
	e.states = sk->states;
	sk->counted = tw_filter_match(s->filter, &e);
	return sk->counted;
}

/*
 * The child record: the request socket's entry, if it had a cookie of
 * its own, becomes the child's.  Returns the child's entry.
 */
static __u32 tw_adopt(struct tw_stats *s, __u32 child,
		      const struct tcpwave_record *r)
{
	struct tw_stats_sock *req, *sk;
	__u32 ri;

	if (!(r->have & TCPWAVE_HAVE_LINK) || r->link == r->cookie)
		return child;
	ri = tw_ent_find(s, r->link);
	if (ri == TW_NIL)
		return child;
	/* The newest entry: a full table must not forget it for the child. */
	tw_ent_touch(s, ri);
	if (child == TW_NIL)
		child = tw_ent_new(s, r->cookie);
	req = &s->socks[ri];
	sk = &s->socks[child];
	if (!sk->has_since && req->has_since) {
		sk->state = req->state;
		sk->since = req->since;
		sk->has_since = true;
	}
	if (!sk->hs_pending && req->hs_pending) {
		sk->hs_pending = true;
		sk->hs_start = req->hs_start;
	}
	if (!sk->has_side && req->has_side) {
		sk->has_side = true;
		sk->side = req->side;
	}
	if (req->owner > sk->owner) {
		sk->owner = req->owner;
		sk->pid = req->pid;
		memcpy(sk->comm, req->comm, sizeof(sk->comm));
	}
	sk->states |= req->states;
	sk->counted |= req->counted;
	tw_ent_drop(s, ri);
	return child;
}

/* The end of an end: one -> CLOSE transition, sorted by why. */
static void tw_count_end(struct tw_stats *s, const struct tw_stats_sock *sk,
			 const struct tcpwave_record *r)
{
	unsigned int old = r->oldstate, reason = r->reason;
	enum tw_side side;

	if (reason >= TW_STATS_NREASONS)
		reason = TCPWAVE_REASON_MAX;
	s->closes[reason]++;
	if (old == TCPWAVE_TIME_WAIT) {
		if (reason == TCPWAVE_REASON_expired)
			s->tw_expired++;
		else if (reason == TCPWAVE_REASON_killed)
			s->tw_killed++;
	}
	if (old == TCPWAVE_LISTEN && r->event != TCPWAVE_EV_syn) {
		s->ends_listener++;
	} else if (tw_syn_state(old)) {
		if (sk && sk->has_side)
			side = sk->side;
		else
			side = old == TCPWAVE_SYN_SENT ? TW_SIDE_ACTIVE :
			       TW_SIDE_PASSIVE;
		s->hs_fail[side][reason]++;
		s->ends_failed++;
	} else if (reason == TCPWAVE_REASON_close ||
		   reason == TCPWAVE_REASON_expired ||
		   reason == TCPWAVE_REASON_killed) {
		s->ends_normal++;
	} else if (reason == TCPWAVE_REASON_none) {
		s->ends_other++;
	} else {
		s->aborts[reason]++;
		s->ends_aborted++;
	}
}

static size_t tw_prom_bucket(__u64 ns)
{
	size_t i;

	for (i = 0; i < TW_PROM_BUCKETS; i++)
		if (ns <= tw_prom_le_ns[i])
			break;
	return i;
}

static void tw_handshake_done(struct tw_stats *s, struct tw_stats_sock *sk,
			      __u64 ts, bool counted)
{
	enum tw_side side = sk->has_side ? sk->side : TW_SIDE_ACTIVE;
	size_t b;

	sk->hs_pending = false;
	if (!counted || ts < sk->hs_start)
		return;
	tw_dist_add(&s->hs[side], s->exact, ts - sk->hs_start);
	b = tw_prom_bucket(ts - sk->hs_start);
	if (b < TW_PROM_BUCKETS)
		s->hs_le[side][b]++;
}

/* Count a record read, whatever becomes of it. */
static void tw_stats_read(struct tw_stats *s, const struct tcpwave_record *r)
{
	s->records++;
	if (r->ts_ns > s->last_ts)
		s->last_ts = r->ts_ns;
	if (!tw_rec_known(r))
		s->unknown++;
}

static void tw_stats_update(struct tw_stats *s, const struct tcpwave_record *r)
{
	unsigned int old = r->oldstate, new = r->newstate;
	struct tw_stats_sock *sk, tmp;
	bool ends = new == TCPWAVE_CLOSE && old != TCPWAVE_CLOSE;
	bool counted;
	__u32 i;

	i = tw_ent_find(s, r->cookie);
	if (r->event == TCPWAVE_EV_child)
		i = tw_adopt(s, i, r);
	if (i == TW_NIL && new == TCPWAVE_CLOSE) {
		/*
		 * An end first seen closing (its start before the input's),
		 * or a record after the end (an rst, a late accept): no
		 * entry, which would never be dropped.
		 */
		if (!ends)
			return;
		memset(&tmp, 0, sizeof(tmp));
		tmp.state = old;
		sk = &tmp;
	} else {
		if (i == TW_NIL)
			i = tw_ent_new(s, r->cookie);
		else
			tw_ent_touch(s, i);
		sk = &s->socks[i];
	}
	tw_learn(s, sk, r);
	counted = tw_counts(s, sk);

	/* Handshake starts: the SYN sent (connect), the SYN received. */
	if (r->event == TCPWAVE_EV_connect ||
	    (r->event == TCPWAVE_EV_state && old == TCPWAVE_CLOSE &&
	     new == TCPWAVE_SYN_SENT)) {
		sk->hs_pending = true;
		sk->hs_start = r->ts_ns;
		sk->has_side = true;
		sk->side = TW_SIDE_ACTIVE;
	} else if (r->event == TCPWAVE_EV_syn && new == TCPWAVE_SYN_RECV) {
		sk->hs_pending = true;
		sk->hs_start = r->ts_ns;
		sk->has_side = true;
		sk->side = TW_SIDE_PASSIVE;
		sk->has_since = false;	/* LISTEN was the listener's */
		sk->state = old;
	}

	if (old == new) {
		/* No transition: retrans, accept, child, rst, hand-off. */
		if (sk->state != new) {
			sk->state = new;
			sk->has_since = false;
		}
		return;
	}

	if (counted) {
		s->trans[(size_t)old * TW_STATS_NSTATES + new]++;
		if (sk->has_since && sk->state == old && r->ts_ns >= sk->since)
			tw_dist_add(&s->state_time[old], s->exact,
				    r->ts_ns - sk->since);
		if (new == TCPWAVE_TIME_WAIT)
			s->tw_entered++;
	}
	if (new == TCPWAVE_ESTABLISHED && sk->hs_pending &&
	    (old == TCPWAVE_SYN_SENT || old == TCPWAVE_SYN_RECV))
		tw_handshake_done(s, sk, r->ts_ns, counted);
	/* Past the handshake, by a way whose records were lost. */
	if (!tw_syn_state(new))
		sk->hs_pending = false;

	if (ends) {
		if (counted)
			tw_count_end(s, sk, r);
		if (sk != &tmp)
			tw_ent_drop(s, i);
		return;
	}
	sk->state = new;
	sk->since = r->ts_ns;
	sk->has_since = true;
}

/**
 * tw_stats_add() - one record, in the order the ring gave them
 * @s: the engine
 * @r: the record; not kept
 *
 * Records of events this viewer does not know are counted and skipped.
 */
void tw_stats_add(struct tw_stats *s, const struct tcpwave_record *r)
{
	tw_stats_read(s, r);
	if (tw_rec_known(r))
		tw_stats_update(s, r);
}

/* "# lost N": @n records the ring overwrote before we read them. */
void tw_stats_lost(struct tw_stats *s, __u64 n)
{
	s->lost += n;
}

/**
 * tw_stats_capture() - feed a whole capture
 * @s: the engine, as tw_stats_init() left it
 * @t: the capture
 * @c: its connections, those main.c's filters kept
 * @only: a connection's number (-c ID), or 0 for all of @c
 *
 * Records of the connections kept (and of the request sockets merged
 * into them) go in, in the capture's order; the others are only counted
 * as read, so that the record counts and "now" are the capture's.
 */
void tw_stats_capture(struct tw_stats *s, const struct tw_trace *t,
		      const struct tw_conns *c, size_t only)
{
	size_t i, j, k, lost = 0;
	bool *keep;

	keep = tw_xrealloc(NULL, t->nrecs, sizeof(*keep));
	memset(keep, 0, t->nrecs * sizeof(*keep));
	for (i = 0; i < c->nconns; i++) {
		const struct tw_sock *side[2] = {
			c->conns[i].client, c->conns[i].server,
		};

		if (only && i + 1 != only)
			continue;
		for (j = 0; j < 2; j++)
			for (k = 0; side[j] && k < side[j]->nrecs; k++)
				keep[side[j]->recs[k] - t->recs] = true;
	}
	for (i = 0; i <= t->nrecs; i++) {
		while (lost < t->nlost && t->lost[lost].before <= i)
			tw_stats_lost(s, t->lost[lost++].count);
		if (i == t->nrecs)
			break;
		if (keep[i])
			tw_stats_add(s, &t->recs[i]);
		else
			tw_stats_read(s, &t->recs[i]);
	}
	free(keep);
}

/* --- now -------------------------------------------------------------- */

static int tw_cmp_suspect(const void *pa, const void *pb)
{
	const struct tw_suspect *a = pa, *b = pb;

	if (a->age != b->age)
		return a->age > b->age ? -1 : 1;
	return (a->cookie > b->cookie) - (a->cookie < b->cookie);
}

/**
 * tw_stats_now() - the sockets alive and the leak suspects at "now"
 * @s: the engine
 * @n: filled in; free with tw_stats_now_free()
 *
 * A leak suspect is a socket in CLOSE_WAIT for longer than the threshold:
 * the peer closed, and the application has not called close() since.
 * One whose records were lost may be a false suspect: its way out of
 * CLOSE_WAIT was among them.
 */
void tw_stats_now(const struct tw_stats *s, struct tw_stats_now *n)
{
	struct timespec ts;
	size_t i, cap = 0;

	memset(n, 0, sizeof(*n));
	n->now = s->last_ts;
	if (s->clock && !clock_gettime(CLOCK_MONOTONIC, &ts)) {
		__u64 c = ts.tv_sec * 1000000000ULL + ts.tv_nsec;

		n->clock = true;
		if (c > n->now)
			n->now = c;
	}
	for (i = 0; i < s->nsocks; i++) {
		const struct tw_stats_sock *sk = &s->socks[i];
		struct tw_suspect *x;

		if (!sk->used || !sk->counted)
			continue;
		n->open++;
		n->sockets[sk->state]++;
		if (sk->state != TCPWAVE_CLOSE_WAIT || !sk->has_since ||
		    n->now - sk->since <= s->close_wait_ns ||
		    sk->since > n->now)
			continue;
		tw_grow((void **)&n->suspects, &cap, n->nsuspects + 1,
			sizeof(*n->suspects));
		x = &n->suspects[n->nsuspects++];
		memset(x, 0, sizeof(*x));
		x->cookie = sk->cookie;
		x->age = n->now - sk->since;
		x->netns = sk->netns;
		x->has_owner = sk->owner != TW_OWNER_NONE;
		x->pid = sk->pid;
		memcpy(x->comm, sk->comm, sizeof(x->comm));
		x->family = sk->family;
		x->lport = sk->lport;
		x->rport = sk->rport;
		memcpy(x->laddr, sk->laddr, sizeof(x->laddr));
		memcpy(x->raddr, sk->raddr, sizeof(x->raddr));
	}
	if (n->nsuspects)
		qsort(n->suspects, n->nsuspects, sizeof(*n->suspects),
		      tw_cmp_suspect);
}

void tw_stats_now_free(struct tw_stats_now *n)
{
	free(n->suspects);
	memset(n, 0, sizeof(*n));
}
