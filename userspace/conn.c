// SPDX-License-Identifier: GPL-2.0
/*
 * conn.c - from records to sockets to connections.
 *
 * A socket cookie names one socket for the life of the boot
 * (sock_gen_cookie()), so records group by cookie.  A server's request
 * socket has a cookie of its own: the child record's link names it, and
 * its records join the child's end.  Connections are harder: nothing in
 * a record names the peer socket, so two sockets are taken as the ends
 * of one loopback connection when their 4-tuples mirror each other,
 * their roles differ, they lived at the same time and, where format 1.1
 * tells them, each one's ISS is the other's IRS.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "fmt.h"

/*
 * The two ends of one connection always overlap in time: the server's
 * child is born of the client's ACK, sent after the client entered
 * SYN_SENT, and the client cannot finish closing before the server has
 * acknowledged its FIN.  The slack only forgives records lost at the
 * edges; anything further apart is a reused port pair, not a peer.
 */
#define TW_PAIR_SLACK_NS	1000000000ULL

/*
 * An endpoint, IPv4 written as IPv4-mapped IPv6 to compare across
 * families: a dual-stack server's child sees its IPv4 peer that way.
 * The address is kept as two big-endian halves, so that comparing the
 * numbers orders as memcmp() of the bytes would, without the call: the
 * sort of a whole capture's sockets compares them a million times.
 */
struct tw_ep {
	__u64 hi;		/* bytes 0-7 of the address, big-endian */
	__u64 lo;		/* bytes 8-15 */
	__u16 port;
};

struct tw_cand {
	struct tw_sock *sk;
	size_t idx;		/* in c->socks: keeps the order stable */
	struct tw_ep local;
	struct tw_ep remote;
	struct tw_ep lo;	/* the smaller of local and remote */
	struct tw_ep hi;
};

struct tw_match {
	struct tw_cand *a;
	struct tw_cand *b;
	bool other_netns;
	bool isn_unknown;	/* no ISN pair to confirm the match */
	__u64 gap;
};

static int tw_cmp_u64(__u64 a, __u64 b)
{
	return a < b ? -1 : a > b;
}

/* Records in time order, as each socket's records are kept. */
static int tw_cmp_ts(const struct tcpwave_record *a,
		     const struct tcpwave_record *b)
{
	if (a->ts_ns != b->ts_ns)
		return tw_cmp_u64(a->ts_ns, b->ts_ns);
	if (a->seq != b->seq)
		return tw_cmp_u64(a->seq, b->seq);
	/* Same seq twice (two captures concatenated): input order. */
	return a < b ? -1 : a > b;
}

/* Records by socket, then in time order: how tw_conns_build() groups them. */
static int tw_cmp_rec_p(const struct tcpwave_record *a,
			const struct tcpwave_record *b)
{
	if (a->cookie != b->cookie)
		return tw_cmp_u64(a->cookie, b->cookie);
	return tw_cmp_ts(a, b);
}

static int tw_cmp_rec(const void *pa, const void *pb)
{
	return tw_cmp_rec_p(*(const struct tcpwave_record **)pa,
			    *(const struct tcpwave_record **)pb);
}

/*
 * -E draws each connection as it ends, from a trace of its own few
 * records: for those, a sort by insertion, without qsort()'s setup and
 * its calls through a pointer.  Every order sorted here is total (the
 * last resort of each comparison is an index or an address), so any
 * correct sort gives the same result as qsort().
 */
#define TW_FEW	16

static void tw_sort(void *base, size_t n, size_t size,
		    int (*cmp)(const void *, const void *))
{
	char *v = base, tmp[128];
	size_t i, j;

	if (n > TW_FEW || size > sizeof(tmp)) {
		qsort(base, n, size, cmp);
		return;
	}
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && cmp(v + (j - 1) * size, v + i * size) > 0;
		     j--)
			;
		if (j == i)
			continue;
		memcpy(tmp, v + i * size, size);
		memmove(v + (j + 1) * size, v + j * size, (i - j) * size);
		memcpy(v + j * size, tmp, size);
	}
}

static int tw_cmp_ts_q(const void *pa, const void *pb)
{
	return tw_cmp_ts(*(const struct tcpwave_record **)pa,
			 *(const struct tcpwave_record **)pb);
}

/* Records in time order by insertion, the comparison inlined. */
static void tw_insert_ts(const struct tcpwave_record **v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		const struct tcpwave_record *r = v[i];

		for (j = i; j > 0 && tw_cmp_ts(v[j - 1], r) > 0; j--)
			v[j] = v[j - 1];
		v[j] = r;
	}
}

/*
 * @v by cookie, each cookie's records kept in the order they were:
 * a least significant digit radix sort, a byte a pass, that skips the
 * bytes all the cookies share.  The result is in @v; @tmp has room for
 * @n as well.
 */
static void tw_radix_cookie(const struct tcpwave_record **v,
			    const struct tcpwave_record **tmp, size_t n)
{
	const struct tcpwave_record **from = v, **to = tmp, **swap;
	__u64 any = 0, all = ~0ULL;
	unsigned int b, d;
	size_t i;

	for (i = 0; i < n; i++) {
		any |= v[i]->cookie;
		all &= v[i]->cookie;
	}
	for (b = 0; b < 64; b += 8) {
		size_t count[256] = { 0 }, sum = 0;

		/* A byte all of them share: nothing to sort by. */
		if (!(((any ^ all) >> b) & 0xff))
			continue;
		for (i = 0; i < n; i++)
			count[(from[i]->cookie >> b) & 0xff]++;
		for (d = 0; d < 256; d++) {
			size_t k = count[d];

			count[d] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			to[count[(from[i]->cookie >> b) & 0xff]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
}

/*
 * Records by socket, then in time order (tw_cmp_rec()).  A -E ladder's
 * trace has a few: those by insertion, without qsort()'s setup and its
 * calls through a pointer.  A whole capture's go by cookie in linear
 * time (tw_radix_cookie()), in their input order: each socket's records
 * are then in time order already, or nearly, and sorted in place.  The
 * order is total, so the result is qsort()'s.
 */
static void tw_sort_recs(const struct tcpwave_record **v, size_t n)
{
	const struct tcpwave_record **tmp;
	size_t i, j;

	if (n <= TW_FEW) {
		for (i = 1; i < n; i++) {
			const struct tcpwave_record *r = v[i];

			for (j = i; j > 0 && tw_cmp_rec_p(v[j - 1], r) > 0; j--)
				v[j] = v[j - 1];
			v[j] = r;
		}
		return;
	}
	/* v[] is in input order, which tw_cmp_ts() falls back on. */
	for (i = 1; i < n; i++)
		if (v[i - 1] > v[i])
			break;
	if (i < n) {
		qsort(v, n, sizeof(*v), tw_cmp_rec);
		return;
	}
	tmp = tw_xrealloc(NULL, n, sizeof(*tmp));
	tw_radix_cookie(v, tmp, n);
	free(tmp);
	for (i = 0; i < n; i = j) {
		bool sorted = true;

		for (j = i + 1; j < n && v[j]->cookie == v[i]->cookie; j++)
			if (sorted && tw_cmp_ts(v[j - 1], v[j]) > 0)
				sorted = false;
		if (sorted)
			continue;
		if (j - i <= TW_FEW)
			tw_insert_ts(v + i, j - i);
		else
			qsort(v + i, j - i, sizeof(*v), tw_cmp_ts_q);
	}
}

/* An event a newer module added: kept, but it tells us nothing. */
bool tw_rec_known(const struct tcpwave_record *r)
{
	return r->event < TCPWAVE_EV_MAX;
}

static bool tw_is_syn_recv(unsigned int state)
{
	return state == TCPWAVE_SYN_RECV || state == TCPWAVE_NEW_SYN_RECV;
}

/*
 * The first record of an active opener is CLOSE->SYN_SENT, taken in
 * tcp_v4_connect() before inet_hash_connect() picks the local port, so
 * in format 1.0 it may read 0.0.0.0:0.  Name the socket by its latest
 * record with both ports set.
 */
static const struct tcpwave_record *tw_tuple(const struct tw_sock *sk)
{
	size_t i = sk->nrecs;

	while (i--)
		if (sk->recs[i]->lport && sk->recs[i]->rport)
			return sk->recs[i];
	return sk->recs[sk->nrecs - 1];
}

/*
 * ISS and IRS from whichever record shows them: the iss and irs columns
 * (connect, syn, child), or SND.UNA in SYN_SENT, which is the ISS until
 * the SYN is acknowledged, or RCV.NXT on reaching ESTABLISHED from
 * SYN_SENT, which tcp_rcv_synsent_state_process() has just set to the
 * peer's ISN + 1.
 */
static void tw_learn_isn(struct tw_sock *sk, const struct tcpwave_record *r)
{
	if (r->have & TCPWAVE_HAVE_ISS) {
		sk->iss = r->iss;
		sk->has_iss = true;
	} else if (!sk->has_iss && r->oldstate == TCPWAVE_SYN_SENT &&
		   (r->have & TCPWAVE_HAVE_SND_UNA)) {
		sk->iss = r->snd_una;
		sk->has_iss = true;
	}
	if (r->have & TCPWAVE_HAVE_IRS) {
		sk->irs = r->irs;
		sk->has_irs = true;
	} else if (!sk->has_irs && r->event == TCPWAVE_EV_state &&
		   r->oldstate == TCPWAVE_SYN_SENT &&
		   r->newstate == TCPWAVE_ESTABLISHED &&
		   (r->have & TCPWAVE_HAVE_RCV_NXT)) {
		sk->irs = r->rcv_nxt - 1;
		sk->has_irs = true;
	}
}

static void tw_sock_classify(struct tw_sock *sk, const struct tw_trace *t)
{
	bool active = false, passive = false;
	size_t i;

	sk->tuple = tw_tuple(sk);
	sk->self = sk->tuple->lport == sk->tuple->rport && sk->tuple->lport &&
		   !memcmp(sk->tuple->laddr, sk->tuple->raddr,
			   sizeof(sk->tuple->laddr));
	for (i = 0; i < sk->nrecs; i++) {
		const struct tcpwave_record *r = sk->recs[i];

		if (!sk->v10_task && t->v10[r - t->recs] &&
		    r->ctx == TCPWAVE_CTX_task && r->comm[0])
			sk->v10_task = r;
		if (!tw_rec_known(r)) {
			sk->nunknown++;
			continue;
		}
		/* A syn record's LISTEN is its listener's state, not its. */
		if (r->event == TCPWAVE_EV_listen ||
		    (r->event == TCPWAVE_EV_state &&
		     (r->oldstate == TCPWAVE_LISTEN ||
		      r->newstate == TCPWAVE_LISTEN)))
			sk->listener = true;
		if (r->event == TCPWAVE_EV_syn &&
		    r->newstate == TCPWAVE_SYN_RECV &&
		    (r->have & TCPWAVE_HAVE_LINK)) {
			sk->lcookie = r->link;
			sk->has_lcookie = true;
		}
		if (r->oldstate == TCPWAVE_SYN_SENT ||
		    r->newstate == TCPWAVE_SYN_SENT)
			active = true;
		if (r->oldstate == TCPWAVE_SYN_SENT &&
		    r->newstate == TCPWAVE_SYN_RECV)
			sk->simopen = true;
		if (r->event == TCPWAVE_EV_syn ||
		    r->event == TCPWAVE_EV_child ||
		    tw_is_syn_recv(r->oldstate) || tw_is_syn_recv(r->newstate))
			passive = true;
		tw_learn_isn(sk, r);
	}
	/* SYN_SENT first: a simultaneous open also passes SYN_RECV. */
	if (active)
		sk->role = TW_ROLE_ACTIVE;
	else if (sk->listener || passive)
		sk->role = TW_ROLE_PASSIVE;
	else
		sk->role = TW_ROLE_UNKNOWN;
}

/*
 * The big-endian number of the first @n (1 to 8) bytes at @b, which
 * holds 8 at least: a record's addresses are 16 bytes.
 */
static __u64 tw_be(const __u8 *b, size_t n)
{
	__u64 v;

	memcpy(&v, b, sizeof(v));
	return be64toh(v) >> (64 - 8 * n);
}

/* tw_addr_v6() of the address, as two numbers. */
static void tw_ep_set(struct tw_ep *ep, unsigned int family,
		      const __u8 *addr, __u16 port)
{
	if (family == 4) {
		ep->hi = 0;
		ep->lo = 0xffff00000000ULL | tw_be(addr, 4);
	} else {
		ep->hi = tw_be(addr, 8);
		ep->lo = tw_be(addr + 8, 8);
	}
	ep->port = port;
}

/* As memcmp() of the addresses, then the ports. */
static int tw_ep_cmp(const struct tw_ep *a, const struct tw_ep *b)
{
	if (a->hi != b->hi)
		return tw_cmp_u64(a->hi, b->hi);
	if (a->lo != b->lo)
		return tw_cmp_u64(a->lo, b->lo);
	return (a->port > b->port) - (a->port < b->port);
}

static __u64 tw_first_ts(const struct tw_sock *sk)
{
	return sk->recs[0]->ts_ns;
}

static __u64 tw_last_ts(const struct tw_sock *sk)
{
	return sk->recs[sk->nrecs - 1]->ts_ns;
}

static int tw_cmp_cand(const void *pa, const void *pb)
{
	const struct tw_cand *a = pa, *b = pb;
	int r = tw_ep_cmp(&a->lo, &b->lo);

	if (!r)
		r = tw_ep_cmp(&a->hi, &b->hi);
	if (!r)
		r = tw_cmp_u64(tw_first_ts(a->sk), tw_first_ts(b->sk));
	if (!r)
		r = tw_cmp_u64(a->idx, b->idx);
	return r;
}

static int tw_cmp_match(const void *pa, const void *pb)
{
	const struct tw_match *a = pa, *b = pb;

	if (a->isn_unknown != b->isn_unknown)
		return a->isn_unknown - b->isn_unknown;
	if (a->other_netns != b->other_netns)
		return a->other_netns - b->other_netns;
	if (a->gap != b->gap)
		return tw_cmp_u64(a->gap, b->gap);
	if (a->a->idx != b->a->idx)
		return tw_cmp_u64(a->a->idx, b->a->idx);
	return tw_cmp_u64(a->b->idx, b->b->idx);
}

/* Time between two lifetimes, 0 when they overlap. */
static __u64 tw_gap(const struct tw_sock *a, const struct tw_sock *b)
{
	if (tw_last_ts(a) < tw_first_ts(b))
		return tw_first_ts(b) - tw_last_ts(a);
	if (tw_last_ts(b) < tw_first_ts(a))
		return tw_first_ts(a) - tw_last_ts(b);
	return 0;
}

/*
 * Each end's ISS is the other's IRS (RFC 9293 3.4): with both known, a
 * mismatch rules a pair out, whatever the tuples and times say.
 */
static bool tw_isn_conflict(const struct tw_sock *a, const struct tw_sock *b)
{
	return (a->has_iss && b->has_irs && a->iss != b->irs) ||
	       (b->has_iss && a->has_irs && b->iss != a->irs);
}

static bool tw_isn_confirmed(const struct tw_sock *a, const struct tw_sock *b)
{
	return (a->has_iss && b->has_irs) || (b->has_iss && a->has_irs);
}

static bool tw_may_pair(const struct tw_cand *a, const struct tw_cand *b)
{
	if (tw_ep_cmp(&a->local, &b->remote) ||
	    tw_ep_cmp(&a->remote, &b->local))
		return false;
	/* Two active openers meet only in a simultaneous open. */
	if (a->sk->role != TW_ROLE_UNKNOWN && a->sk->role == b->sk->role &&
	    !(a->sk->simopen && b->sk->simopen))
		return false;
	if (tw_isn_conflict(a->sk, b->sk))
		return false;
	return tw_gap(a->sk, b->sk) <= TW_PAIR_SLACK_NS;
}

/*
 * Candidate pairs, in a buffer the caller starts on its stack (@few, of
 * TW_FEW): one pair is all a -E ladder ever has.
 */
struct tw_matches {
	struct tw_match *v;
	size_t cap;
	struct tw_match few[TW_FEW];
};

static struct tw_match *tw_match_add(struct tw_matches *m, size_t n)
{
	if (n == m->cap) {
		if (m->v == m->few) {
			m->v = tw_xrealloc(NULL, 2 * m->cap, sizeof(*m->v));
			memcpy(m->v, m->few, sizeof(m->few));
		} else {
			m->v = tw_xrealloc(m->v, 2 * m->cap, sizeof(*m->v));
		}
		m->cap *= 2;
	}
	return &m->v[n];
}

/*
 * Within one group of sockets on the same address pair, pair the
 * closest in time first: ports get reused, and a greedy pass over the
 * candidates ordered by distance never lets a far socket steal the peer
 * of a near one.
 */
static void tw_pair_group(struct tw_cand *g, size_t n, struct tw_matches *m)
{
	size_t i, j, nm = 0;

	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			struct tw_match *k;

			/* By start time: all further ones start too late. */
			if (tw_first_ts(g[j].sk) > tw_last_ts(g[i].sk) &&
			    tw_first_ts(g[j].sk) - tw_last_ts(g[i].sk) >
			    TW_PAIR_SLACK_NS)
				break;
			if (!tw_may_pair(&g[i], &g[j]))
				continue;
			k = tw_match_add(m, nm++);
			k->a = &g[i];
			k->b = &g[j];
			k->other_netns =
				g[i].sk->tuple->netns != g[j].sk->tuple->netns;
			k->isn_unknown = !tw_isn_confirmed(g[i].sk, g[j].sk);
			k->gap = tw_gap(g[i].sk, g[j].sk);
		}
	}
	tw_sort(m->v, nm, sizeof(*m->v), tw_cmp_match);
	for (i = 0; i < nm; i++) {
		struct tw_sock *a = m->v[i].a->sk, *b = m->v[i].b->sk;

		if (a->peer || b->peer)
			continue;
		a->peer = b;
		b->peer = a;
	}
}

/* c->conns has room for one a socket (tw_conns_alloc()). */
static struct tw_conn *tw_conn_add(struct tw_conns *c)
{
	struct tw_conn *conn = &c->conns[c->nconns++];

	memset(conn, 0, sizeof(*conn));
	return conn;
}

/*
 * Left is the active opener.  With one role known the other end has the
 * opposite one; with none, the ephemeral port is usually the larger.
 */
static void tw_conn_set_pair(struct tw_conn *conn, struct tw_sock *a,
			     struct tw_sock *b)
{
	bool a_client;

	if (a->role == TW_ROLE_ACTIVE || b->role == TW_ROLE_PASSIVE)
		a_client = true;
	else if (b->role == TW_ROLE_ACTIVE || a->role == TW_ROLE_PASSIVE)
		a_client = false;
	else
		a_client = a->tuple->lport >= b->tuple->lport;
	conn->client = a_client ? a : b;
	conn->server = a_client ? b : a;
}

static void tw_conn_set_single(struct tw_conn *conn, struct tw_sock *sk)
{
	bool client;

	if (sk->self) {
		conn->self = true;
		client = true;
	} else if (sk->listener) {
		conn->listener = true;
		client = false;
	} else if (sk->role != TW_ROLE_UNKNOWN) {
		client = sk->role == TW_ROLE_ACTIVE;
	} else {
		client = sk->tuple->lport > sk->tuple->rport;
	}
	if (client)
		conn->client = sk;
	else
		conn->server = sk;
}

static void tw_conn_span(struct tw_conn *conn)
{
	struct tw_sock *side[2] = { conn->client, conn->server };
	bool first = true;
	size_t s, i;

	for (s = 0; s < 2; s++) {
		if (!side[s])
			continue;
		for (i = 0; i < side[s]->nrecs; i++) {
			const struct tcpwave_record *r = side[s]->recs[i];

			if (first || r->ts_ns < conn->first_ts ||
			    (r->ts_ns == conn->first_ts &&
			     r->seq < conn->first_seq)) {
				conn->first_ts = r->ts_ns;
				conn->first_seq = r->seq;
			}
			if (first || r->ts_ns > conn->last_ts)
				conn->last_ts = r->ts_ns;
			if (first || r->seq < conn->min_seq)
				conn->min_seq = r->seq;
			if (first || r->seq > conn->max_seq)
				conn->max_seq = r->seq;
			first = false;
		}
		conn->nrecs += side[s]->nrecs;
	}
}

static int tw_cmp_conn(const void *pa, const void *pb)
{
	const struct tw_conn *a = pa, *b = pb;

	if (a->first_ts != b->first_ts)
		return tw_cmp_u64(a->first_ts, b->first_ts);
	if (a->first_seq != b->first_seq)
		return tw_cmp_u64(a->first_seq, b->first_seq);
	/* Equal only across concatenated captures: keep socket order. */
	return tw_cmp_u64((a->client ? a->client : a->server)->cookie,
			  (b->client ? b->client : b->server)->cookie);
}

static void tw_conns_pair(struct tw_conns *c)
{
	struct tw_cand few[TW_FEW], *cand = few;
	struct tw_matches m;
	size_t ncand = 0;
	size_t i, j;

	/* At most a candidate a socket. */
	if (c->nsocks > TW_FEW)
		cand = tw_xrealloc(NULL, c->nsocks, sizeof(*cand));
	for (i = 0; i < c->nsocks; i++) {
		struct tw_sock *sk = &c->socks[i];
		const struct tcpwave_record *r = sk->tuple;
		struct tw_cand *k;

		if (sk->merged || sk->listener || !r->lport || !r->rport ||
		    sk->self)
			continue;
		k = &cand[ncand++];
		k->sk = sk;
		k->idx = i;
		tw_ep_set(&k->local, r->family, r->laddr, r->lport);
		tw_ep_set(&k->remote, r->family, r->raddr, r->rport);
		if (tw_ep_cmp(&k->local, &k->remote) < 0) {
			k->lo = k->local;
			k->hi = k->remote;
		} else {
			k->lo = k->remote;
			k->hi = k->local;
		}
	}
	tw_sort(cand, ncand, sizeof(*cand), tw_cmp_cand);

	/* Only sockets on the same address pair can be peers. */
	m.v = m.few;
	m.cap = TW_FEW;
	for (i = 0; i < ncand; i = j) {
		for (j = i + 1; j < ncand; j++)
			if (tw_ep_cmp(&cand[i].lo, &cand[j].lo) ||
			    tw_ep_cmp(&cand[i].hi, &cand[j].hi))
				break;
		if (j - i > 1)
			tw_pair_group(cand + i, j - i, &m);
	}
	if (m.v != m.few)
		free(m.v);
	if (cand != few)
		free(cand);
}

static int tw_cmp_sock_cookie(const void *key, const void *elem)
{
	const struct tw_sock *sk = elem;

	return tw_cmp_u64(*(const __u64 *)key, sk->cookie);
}

static struct tw_sock *tw_sock_find(struct tw_conns *c, __u64 cookie)
{
	return bsearch(&cookie, c->socks, c->nsocks, sizeof(*c->socks),
		       tw_cmp_sock_cookie);
}

/*
 * Only request-socket events: syn, and retrans of a SYN-ACK.  Anything
 * else under the cookie means it is no request socket, whatever a link
 * says: a hostile or damaged link must not splice two real sockets.
 */
static bool tw_sock_is_request(const struct tw_sock *sk)
{
	bool any = false;
	size_t i;

	for (i = 0; i < sk->nrecs; i++) {
		const struct tcpwave_record *r = sk->recs[i];

		if (!tw_rec_known(r))
			continue;
		if (r->event != TCPWAVE_EV_syn &&
		    !(r->event == TCPWAVE_EV_retrans &&
		      r->oldstate == TCPWAVE_SYN_RECV &&
		      (r->have & TCPWAVE_HAVE_IRS)))
			return false;
		any = true;
	}
	return any;
}

/* Merge the records of request socket @req into @sk's, in time order. */
static void tw_sock_merge(struct tw_sock *sk, struct tw_sock *req)
{
	const struct tcpwave_record **m;
	size_t i = 0, j = 0, n = 0;

	m = tw_xrealloc(NULL, sk->nrecs + req->nrecs, sizeof(*m));
	while (i < sk->nrecs || j < req->nrecs) {
		if (j == req->nrecs ||
		    (i < sk->nrecs && tw_cmp_ts(sk->recs[i], req->recs[j]) < 0))
			m[n++] = sk->recs[i++];
		else
			m[n++] = req->recs[j++];
	}
	if (sk->own_recs)
		free(sk->recs);
	sk->recs = m;
	sk->own_recs = true;
	sk->nrecs = n;
	sk->req_cookie = req->cookie;
	sk->has_req = true;
	req->merged = true;
}

/* The child record's link names the request socket it grew from. */
static void tw_socks_merge(struct tw_conns *c)
{
	size_t i, k;

	for (i = 0; i < c->nsocks; i++) {
		struct tw_sock *sk = &c->socks[i];
		struct tw_sock *req;

		for (k = 0; k < sk->nrecs; k++) {
			const struct tcpwave_record *r = sk->recs[k];

			if (r->event == TCPWAVE_EV_child &&
			    (r->have & TCPWAVE_HAVE_LINK))
				break;
		}
		if (k == sk->nrecs || sk->has_req)
			continue;
		req = tw_sock_find(c, sk->recs[k]->link);
		if (!req || req == sk || req->merged ||
		    !tw_sock_is_request(req))
			continue;
		tw_sock_merge(sk, req);
	}
}

/*
 * The sockets, their records and the connections, in one allocation:
 * a connection a socket at most, and each socket's records a run of
 * @order's, copied there.  c->socks is its start, for tw_conns_free().
 * Returns the copy of @order.
 */
static const struct tcpwave_record **tw_conns_alloc(struct tw_conns *c,
	size_t nsocks, const struct tcpwave_record **order, size_t nrecs)
{
	size_t socks = nsocks * sizeof(*c->socks);
	size_t conns = nsocks * sizeof(*c->conns);
	const struct tcpwave_record **recs;
	char *p;

	/* Each part starts aligned as the one before: all hold a __u64. */
	_Static_assert(sizeof(struct tw_sock) % sizeof(__u64) == 0 &&
		       sizeof(struct tw_conn) % sizeof(__u64) == 0 &&
		       _Alignof(struct tw_sock) <= sizeof(__u64) &&
		       _Alignof(struct tw_conn) <= sizeof(__u64) &&
		       _Alignof(struct tcpwave_record *) <= sizeof(__u64),
		       "sockets, connections and records share an allocation");
	p = tw_xrealloc(NULL, socks + conns + nrecs * sizeof(*recs), 1);
	c->socks = (struct tw_sock *)p;
	c->conns = (struct tw_conn *)(p + socks);
	recs = (const struct tcpwave_record **)(p + socks + conns);
	memcpy(recs, order, nrecs * sizeof(*recs));
	memset(c->socks, 0, socks);
	c->nsocks = nsocks;
	return recs;
}

void tw_conns_build(const struct tw_trace *t, struct tw_conns *c)
{
	const struct tcpwave_record *few[TW_FEW], **order = few;
	const struct tcpwave_record **recs;
	size_t i, j, n;

	memset(c, 0, sizeof(*c));
	if (!t->nrecs)
		return;
	if (t->nrecs > TW_FEW)
		order = tw_xrealloc(NULL, t->nrecs, sizeof(*order));
	for (i = 0; i < t->nrecs; i++)
		order[i] = &t->recs[i];
	tw_sort_recs(order, t->nrecs);

	for (i = 1, n = 1; i < t->nrecs; i++)
		n += order[i]->cookie != order[i - 1]->cookie;
	recs = tw_conns_alloc(c, n, order, t->nrecs);
	if (order != few)
		free(order);
	for (i = 0, n = 0; i < t->nrecs; i = j) {
		struct tw_sock *sk = &c->socks[n++];

		for (j = i + 1; j < t->nrecs; j++)
			if (recs[j]->cookie != recs[i]->cookie)
				break;
		sk->cookie = recs[i]->cookie;
		sk->recs = &recs[i];
		sk->nrecs = j - i;
	}

	/* c->socks is final from here on: pointers into it stay valid. */
	tw_socks_merge(c);
	for (i = 0; i < c->nsocks; i++) {
		struct tw_sock *sk = &c->socks[i];

		if (sk->merged)
			continue;
		tw_sock_classify(sk, t);
		sk->req_only = tw_sock_is_request(sk);
	}
	for (i = 0; i < c->nsocks; i++) {
		struct tw_sock *sk = &c->socks[i], *l;

		if (sk->merged || !sk->has_lcookie)
			continue;
		l = tw_sock_find(c, sk->lcookie);
		if (l && l != sk && !l->merged && l->listener)
			sk->lsk = l;
	}

	tw_conns_pair(c);

	for (i = 0; i < c->nsocks; i++) {
		struct tw_sock *sk = &c->socks[i];
		struct tw_conn *conn;

		if (sk->merged)
			continue;
		if (sk->peer && sk->peer < sk)
			continue;	/* already drawn with its peer */
		conn = tw_conn_add(c);
		if (sk->peer)
			tw_conn_set_pair(conn, sk, sk->peer);
		else
			tw_conn_set_single(conn, sk);
		tw_conn_span(conn);
	}
	tw_sort(c->conns, c->nconns, sizeof(*c->conns), tw_cmp_conn);
}

void tw_conns_free(struct tw_conns *c)
{
	size_t i;

	for (i = 0; i < c->nsocks; i++)
		if (c->socks[i].own_recs)
			free(c->socks[i].recs);
	free(c->socks);		/* and conns, of the same allocation */
	memset(c, 0, sizeof(*c));
}

/*
 * Records lost ("# lost N") with sequence numbers inside the span of
 * this connection's records: some of them may have been its own, so its
 * ladder may miss steps.  The lost ones are the N just before the next
 * record read (kernel/printk's -EPIPE model).
 */
__u64 tw_conn_lost(const struct tw_conn *conn, const struct tw_trace *t)
{
	__u64 total = 0;
	size_t i;

	for (i = 0; i < t->nlost; i++) {
		__u64 next, n = t->lost[i].count;

		if (t->lost[i].before >= t->nrecs || !n)
			continue;
		next = t->recs[t->lost[i].before].seq;
		if (n > next)
			n = next;	/* a lie in the input: clamp it */
		if (n && next - n <= conn->max_seq && next - 1 >= conn->min_seq)
			total += t->lost[i].count;
	}
	return total;
}

/*
 * A side whose first record is no beginning (connect, listen, a SYN in,
 * or a 1.0 transition out of CLOSE, LISTEN or SYN_RECV) was already
 * alive when its first record was taken.
 */
static bool tw_sock_midway(const struct tw_sock *sk)
{
	size_t i;

	for (i = 0; i < sk->nrecs; i++) {
		const struct tcpwave_record *r = sk->recs[i];

		if (!tw_rec_known(r))
			continue;
		switch (r->event) {
		case TCPWAVE_EV_connect:
		case TCPWAVE_EV_listen:
		case TCPWAVE_EV_syn:
			return false;
		case TCPWAVE_EV_state:
			return r->oldstate != TCPWAVE_CLOSE &&
			       r->oldstate != TCPWAVE_LISTEN &&
			       !tw_is_syn_recv(r->oldstate);
		default:
			return true;
		}
	}
	return false;
}

/*
 * Records lost just before this connection's first record, when one of
 * its sides starts mid-way: its beginning is probably among them.  Only
 * the nearest loss counts; an older one is no more likely to hold it
 * than any other stretch of the capture.
 */
__u64 tw_conn_lost_before(const struct tw_conn *conn,
			  const struct tw_trace *t)
{
	__u64 best_next = 0, count = 0;
	size_t i;

	if (!(conn->client && tw_sock_midway(conn->client)) &&
	    !(conn->server && tw_sock_midway(conn->server)))
		return 0;
	for (i = 0; i < t->nlost; i++) {
		__u64 next;

		if (t->lost[i].before >= t->nrecs || !t->lost[i].count)
			continue;
		next = t->recs[t->lost[i].before].seq;
		if (next > conn->min_seq || next < best_next)
			continue;
		best_next = next;
		count = t->lost[i].count;
	}
	return count;
}

/* The first record of @sk in task context that is @event. */
static const struct tcpwave_record *tw_sock_find_task(const struct tw_sock *sk,
						      unsigned int event)
{
	size_t i;

	for (i = 0; i < sk->nrecs; i++)
		if (sk->recs[i]->event == event &&
		    sk->recs[i]->ctx == TCPWAVE_CTX_task)
			return sk->recs[i];
	return NULL;
}

/*
 * The record naming the process that owns @sk, or NULL if none does.
 * The owner is who called connect(), accept() or listen() on it; a
 * server end never accepted belongs to its listener's owner.  Any other
 * record in task context may be a process that merely inherited the
 * descriptor, and softirq records name whoever the interrupt hit.
 * Format 1.0 has none of those events: there, as 1.0 viewers did, the
 * first record in task context names it (for a client, that is the
 * CLOSE->SYN_SENT of tcp_v4_connect(), in the caller's context).
 */
const struct tcpwave_record *tw_sock_owner(const struct tw_sock *sk)
{
	static const unsigned char by[] = {
		TCPWAVE_EV_connect, TCPWAVE_EV_accept, TCPWAVE_EV_listen,
	};
	const struct tcpwave_record *r;
	size_t i;

	for (i = 0; i < sizeof(by); i++) {
		r = tw_sock_find_task(sk, by[i]);
		if (r)
			return r;
	}
	if (sk->lsk) {
		r = tw_sock_find_task(sk->lsk, TCPWAVE_EV_listen);
		if (r)
			return r;
	}
	return sk->v10_task;
}

/* The last record of an event we know: the state @sk was left in. */
const struct tcpwave_record *tw_sock_last(const struct tw_sock *sk)
{
	size_t i = sk->nrecs;

	while (i--)
		if (tw_rec_known(sk->recs[i]))
			return sk->recs[i];
	return sk->recs[sk->nrecs - 1];
}

/*
 * The transition that closed @sk, the one whose reason says why, or
 * NULL.  Records after it (an rst sent from CLOSE, a late accept) stay
 * in CLOSE and repeat the reason at best.
 */
const struct tcpwave_record *tw_sock_end(const struct tw_sock *sk)
{
	size_t i = sk->nrecs;

	while (i--) {
		const struct tcpwave_record *r = sk->recs[i];

		if (tw_rec_known(r) && r->newstate == TCPWAVE_CLOSE &&
		    r->oldstate != TCPWAVE_CLOSE)
			return r;
	}
	return NULL;
}

/*
 * The state @sk was first seen in: the old state of its first record,
 * unless that is CLOSE (every new socket starts there) or the LISTEN
 * of a syn record, which is its listener's state.
 */
unsigned int tw_sock_first_state(const struct tw_sock *sk)
{
	size_t i;

	for (i = 0; i < sk->nrecs; i++) {
		const struct tcpwave_record *r = sk->recs[i];

		if (!tw_rec_known(r))
			continue;
		if (r->oldstate == TCPWAVE_CLOSE || r->event == TCPWAVE_EV_syn)
			return r->newstate;
		return r->oldstate;
	}
	return sk->recs[0]->oldstate;
}

/*
 * When recs[@i] was entered: the state that recs[@i] leaves, as the
 * latest earlier transition into it.  A timewait record that keeps the
 * state (the hand-off in FIN_WAIT2) is no entry.
 */
bool tw_sock_since(const struct tw_sock *sk, size_t i, __u64 *ts)
{
	unsigned int state = sk->recs[i]->oldstate;

	while (i--) {
		const struct tcpwave_record *r = sk->recs[i];

		if (!tw_rec_known(r))
			continue;
		if (r->newstate == state && r->oldstate != state) {
			*ts = r->ts_ns;
			return true;
		}
		if (r->newstate != state)
			return false;
	}
	return false;
}

/*
 * From the SYN to ESTABLISHED: connect() to SYN_SENT->ESTABLISHED on a
 * client (SYN_RECV->ESTABLISHED in a simultaneous open), or the SYN's
 * arrival to SYN_RECV->ESTABLISHED on a server.
 */
bool tw_sock_handshake(const struct tw_sock *sk, __u64 *ns)
{
	const struct tcpwave_record *start = NULL;
	size_t i;

	for (i = 0; i < sk->nrecs; i++) {
		const struct tcpwave_record *r = sk->recs[i];

		if (!tw_rec_known(r))
			continue;
		if (!start) {
			if (r->event == TCPWAVE_EV_connect ||
			    r->event == TCPWAVE_EV_syn ||
			    (r->event == TCPWAVE_EV_state &&
			     r->oldstate == TCPWAVE_CLOSE &&
			     r->newstate == TCPWAVE_SYN_SENT))
				start = r;
			continue;
		}
		if (r->event == TCPWAVE_EV_state &&
		    r->newstate == TCPWAVE_ESTABLISHED &&
		    (r->oldstate == TCPWAVE_SYN_SENT ||
		     r->oldstate == TCPWAVE_SYN_RECV)) {
			*ns = r->ts_ns - start->ts_ns;
			return true;
		}
	}
	return false;
}

/*
 * How long the connection's 4-tuple was held in TIME_WAIT: from the
 * first side entering it to the last leaving it.  In a simultaneous
 * close both sides hold one; otherwise only the one that closed first.
 */
bool tw_conn_time_wait(const struct tw_conn *conn, __u64 *ns)
{
	const struct tw_sock *side[2] = { conn->client, conn->server };
	__u64 from = 0, to = 0, since;
	bool any = false;
	size_t s, i;

	for (s = 0; s < 2; s++) {
		if (!side[s])
			continue;
		for (i = 0; i < side[s]->nrecs; i++) {
			const struct tcpwave_record *r = side[s]->recs[i];

			if (!tw_rec_known(r) ||
			    r->oldstate != TCPWAVE_TIME_WAIT ||
			    r->newstate != TCPWAVE_CLOSE ||
			    !tw_sock_since(side[s], i, &since))
				continue;
			if (!any || since < from)
				from = since;
			if (!any || r->ts_ns > to)
				to = r->ts_ns;
			any = true;
		}
	}
	if (any)
		*ns = to - from;
	return any;
}

/*
 * The connection's endpoints as the client sees them: @client its own,
 * @server its peer's.  Without a traced client, from the server's side.
 */
void tw_conn_endpoints(const struct tw_conn *conn, char client[TW_EP_STRLEN],
		       char server[TW_EP_STRLEN])
{
	const struct tcpwave_record *r = conn->client ? conn->client->tuple :
					 conn->server->tuple;

	if (conn->client) {
		tw_fmt_ep(client, r->family, r->laddr, r->lport);
		tw_fmt_ep(server, r->family, r->raddr, r->rport);
	} else {
		tw_fmt_ep(client, r->family, r->raddr, r->rport);
		tw_fmt_ep(server, r->family, r->laddr, r->lport);
	}
}

/* The client was refused: no socket answered, the peer's kernel did. */
bool tw_conn_refused(const struct tw_conn *conn)
{
	const struct tcpwave_record *end;

	if (!conn->client || conn->server || conn->self)
		return false;
	end = tw_sock_end(conn->client);
	return end && end->reason == TCPWAVE_REASON_refused;
}
