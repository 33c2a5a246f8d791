// SPDX-License-Identifier: GPL-2.0
/*
 * conn.c - from records to sockets to connections.
 *
 * A socket cookie names one socket for the life of the boot
 * (sock_gen_cookie()), so records group by cookie.  Connections are
 * harder: nothing in a record names the peer socket, so two sockets are
 * taken as the ends of one loopback connection when their 4-tuples
 * mirror each other, their roles differ and they lived at the same time.
 */
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
 */
struct tw_ep {
	__u8 addr[16];
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
	__u64 gap;
};

static int tw_cmp_u64(__u64 a, __u64 b)
{
	return a < b ? -1 : a > b;
}

static int tw_cmp_rec(const void *pa, const void *pb)
{
	const struct tcpwave_record *a = *(const struct tcpwave_record **)pa;
	const struct tcpwave_record *b = *(const struct tcpwave_record **)pb;

	if (a->cookie != b->cookie)
		return tw_cmp_u64(a->cookie, b->cookie);
	if (a->ts_ns != b->ts_ns)
		return tw_cmp_u64(a->ts_ns, b->ts_ns);
	if (a->seq != b->seq)
		return tw_cmp_u64(a->seq, b->seq);
	/* Same seq twice (two captures concatenated): input order. */
	return a < b ? -1 : a > b;
}

static bool tw_has_state(const struct tw_sock *sk, unsigned int state)
{
	size_t i;

	for (i = 0; i < sk->nrecs; i++)
		if (sk->recs[i]->oldstate == state ||
		    sk->recs[i]->newstate == state)
			return true;
	return false;
}

/*
 * The first record of an active opener is CLOSE->SYN_SENT, taken in
 * tcp_v4_connect() before inet_hash_connect() picks the local port, so
 * it may read 0.0.0.0:0.  Name the socket by its latest record with
 * both ports set.
 */
static const struct tcpwave_record *tw_tuple(const struct tw_sock *sk)
{
	size_t i = sk->nrecs;

	while (i--)
		if (sk->recs[i]->lport && sk->recs[i]->rport)
			return sk->recs[i];
	return sk->recs[sk->nrecs - 1];
}

static void tw_sock_classify(struct tw_sock *sk)
{
	sk->tuple = tw_tuple(sk);
	sk->listener = tw_has_state(sk, TCPWAVE_LISTEN);
	/* SYN_SENT first: a simultaneous open also passes SYN_RECV. */
	if (tw_has_state(sk, TCPWAVE_SYN_SENT))
		sk->role = TW_ROLE_ACTIVE;
	else if (sk->listener || tw_has_state(sk, TCPWAVE_SYN_RECV) ||
		 tw_has_state(sk, TCPWAVE_NEW_SYN_RECV))
		sk->role = TW_ROLE_PASSIVE;
	else
		sk->role = TW_ROLE_UNKNOWN;
}

static void tw_ep_set(struct tw_ep *ep, unsigned int family,
		      const __u8 *addr, __u16 port)
{
	memset(ep, 0, sizeof(*ep));
	if (family == 4) {
		ep->addr[10] = 0xff;
		ep->addr[11] = 0xff;
		memcpy(ep->addr + 12, addr, 4);
	} else {
		memcpy(ep->addr, addr, 16);
	}
	ep->port = port;
}

static int tw_ep_cmp(const struct tw_ep *a, const struct tw_ep *b)
{
	int r = memcmp(a->addr, b->addr, sizeof(a->addr));

	return r ? r : (a->port > b->port) - (a->port < b->port);
}

bool tw_sock_self_connected(const struct tw_sock *sk)
{
	const struct tcpwave_record *r = sk->tuple;

	return r->lport == r->rport && r->lport &&
	       !memcmp(r->laddr, r->raddr, sizeof(r->laddr));
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

static bool tw_may_pair(const struct tw_cand *a, const struct tw_cand *b)
{
	if (tw_ep_cmp(&a->local, &b->remote) ||
	    tw_ep_cmp(&a->remote, &b->local))
		return false;
	if (a->sk->role != TW_ROLE_UNKNOWN && a->sk->role == b->sk->role)
		return false;
	return tw_gap(a->sk, b->sk) <= TW_PAIR_SLACK_NS;
}

/*
 * Within one group of sockets on the same address pair, pair the
 * closest in time first: ports get reused, and a greedy pass over the
 * candidates ordered by distance never lets a far socket steal the peer
 * of a near one.
 */
static void tw_pair_group(struct tw_cand *g, size_t n,
			  struct tw_match **m, size_t *cap)
{
	size_t i, j, nm = 0;

	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			/* By start time: all further ones start too late. */
			if (tw_first_ts(g[j].sk) > tw_last_ts(g[i].sk) &&
			    tw_first_ts(g[j].sk) - tw_last_ts(g[i].sk) >
			    TW_PAIR_SLACK_NS)
				break;
			if (!tw_may_pair(&g[i], &g[j]))
				continue;
			tw_grow((void **)m, cap, nm + 1, sizeof(**m));
			(*m)[nm].a = &g[i];
			(*m)[nm].b = &g[j];
			(*m)[nm].other_netns =
				g[i].sk->tuple->netns != g[j].sk->tuple->netns;
			(*m)[nm].gap = tw_gap(g[i].sk, g[j].sk);
			nm++;
		}
	}
	if (!nm)
		return;
	qsort(*m, nm, sizeof(**m), tw_cmp_match);
	for (i = 0; i < nm; i++) {
		struct tw_sock *a = (*m)[i].a->sk, *b = (*m)[i].b->sk;

		if (a->peer || b->peer)
			continue;
		a->peer = b;
		b->peer = a;
	}
}

static struct tw_conn *tw_conn_add(struct tw_conns *c, size_t *cap)
{
	struct tw_conn *conn;

	tw_grow((void **)&c->conns, cap, c->nconns + 1, sizeof(*c->conns));
	conn = &c->conns[c->nconns++];
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

	if (sk->listener) {
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
	struct tw_cand *cand = NULL;
	struct tw_match *m = NULL;
	size_t ncand = 0, cand_cap = 0, mcap = 0;
	size_t i, j;

	for (i = 0; i < c->nsocks; i++) {
		struct tw_sock *sk = &c->socks[i];
		const struct tcpwave_record *r = sk->tuple;
		struct tw_cand *k;

		if (sk->listener || !r->lport || !r->rport ||
		    tw_sock_self_connected(sk))
			continue;
		tw_grow((void **)&cand, &cand_cap, ncand + 1, sizeof(*cand));
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
	if (ncand)
		qsort(cand, ncand, sizeof(*cand), tw_cmp_cand);

	/* Only sockets on the same address pair can be peers. */
	for (i = 0; i < ncand; i = j) {
		for (j = i + 1; j < ncand; j++)
			if (tw_ep_cmp(&cand[i].lo, &cand[j].lo) ||
			    tw_ep_cmp(&cand[i].hi, &cand[j].hi))
				break;
		if (j - i > 1)
			tw_pair_group(cand + i, j - i, &m, &mcap);
	}
	free(m);
	free(cand);
}

void tw_conns_build(const struct tw_trace *t, struct tw_conns *c)
{
	size_t i, j, sock_cap = 0, conn_cap = 0;

	memset(c, 0, sizeof(*c));
	if (!t->nrecs)
		return;
	c->order = tw_xrealloc(NULL, t->nrecs, sizeof(*c->order));
	for (i = 0; i < t->nrecs; i++)
		c->order[i] = &t->recs[i];
	qsort(c->order, t->nrecs, sizeof(*c->order), tw_cmp_rec);

	for (i = 0; i < t->nrecs; i = j) {
		struct tw_sock *sk;

		for (j = i + 1; j < t->nrecs; j++)
			if (c->order[j]->cookie != c->order[i]->cookie)
				break;
		tw_grow((void **)&c->socks, &sock_cap, c->nsocks + 1,
			sizeof(*c->socks));
		sk = &c->socks[c->nsocks++];
		memset(sk, 0, sizeof(*sk));
		sk->cookie = c->order[i]->cookie;
		sk->recs = &c->order[i];
		sk->nrecs = j - i;
		tw_sock_classify(sk);
	}

	tw_conns_pair(c);

	for (i = 0; i < c->nsocks; i++) {
		struct tw_sock *sk = &c->socks[i];
		struct tw_conn *conn;

		if (sk->peer && sk->peer < sk)
			continue;	/* already drawn with its peer */
		conn = tw_conn_add(c, &conn_cap);
		if (sk->peer)
			tw_conn_set_pair(conn, sk, sk->peer);
		else
			tw_conn_set_single(conn, sk);
		tw_conn_span(conn);
	}
	qsort(c->conns, c->nconns, sizeof(*c->conns), tw_cmp_conn);
}

void tw_conns_free(struct tw_conns *c)
{
	free(c->order);
	free(c->socks);
	free(c->conns);
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
