// SPDX-License-Identifier: GPL-2.0
/*
 * track.c - connection ends as their records stream in (track.h).
 *
 * Records of one end share its cookie from the SYN to the end of 2MSL:
 * the kernel copies the request socket's cookie into the child and the
 * full socket's into the timewait socket (README, "Columns").  Only if
 * the module came between a SYN and its ACK do the child and the request
 * socket differ; the child record's link then names the request socket,
 * whose end is folded into the child's.  An end is over at its record
 * into CLOSE: the module records the full socket's hand-off to its
 * timewait socket as FIN_WAIT2/CLOSING -> TIME_WAIT, never as a CLOSE.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "track.h"

#define TW_TRACK_BUCKETS	4096
/*
 * Removed ends kept, with their record arrays, for the ends born next:
 * a stream of short connections would otherwise malloc() and free() two
 * blocks for each.  A few suffice, as ends die about as fast as they are
 * born.  An array grown past TW_SPARE_RECS is freed, not kept, so the
 * spares add a small bound to the memory, however long a life was.
 */
#define TW_TRACK_SPARE		64
#define TW_SPARE_RECS		32

static size_t tw_hash(const struct tw_tracker *t, __u64 cookie)
{
	cookie ^= cookie >> 33;
	cookie *= 0xff51afd7ed558ccdULL;
	cookie ^= cookie >> 33;
	return cookie & (t->nbuckets - 1);
}

/*
 * Keep records in each end when @keep_recs (-E draws ladders of them);
 * hold at most @max_ends ends, evicting the oldest beyond that.
 */
void tw_track_init(struct tw_tracker *t, bool keep_recs, size_t max_ends)
{
	memset(t, 0, sizeof(*t));
	t->nbuckets = TW_TRACK_BUCKETS;
	t->buckets = tw_xrealloc(NULL, t->nbuckets, sizeof(*t->buckets));
	memset(t->buckets, 0, t->nbuckets * sizeof(*t->buckets));
	t->tuples = tw_xrealloc(NULL, t->nbuckets, sizeof(*t->tuples));
	memset(t->tuples, 0, t->nbuckets * sizeof(*t->tuples));
	t->keep_recs = keep_recs;
	t->max_ends = max_ends;
}

struct tw_end *tw_track_find(const struct tw_tracker *t, __u64 cookie)
{
	struct tw_end *e = t->buckets[tw_hash(t, cookie)];

	while (e && e->cookie != cookie)
		e = e->hnext;
	return e;
}

static void tw_unhash(struct tw_tracker *t, struct tw_end *e)
{
	struct tw_end **pp = &t->buckets[tw_hash(t, e->cookie)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	for (pp = &t->tuples[e->tkey]; *pp != e; pp = &(*pp)->tnext)
		;
	*pp = e->tnext;
}

static void tw_unlink(struct tw_tracker *t, struct tw_end *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		t->oldest = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		t->newest = e->prev;
	tw_unhash(t, e);
	t->nends--;
}

void tw_track_remove(struct tw_tracker *t, struct tw_end *e)
{
	tw_unlink(t, e);
	if (t->free_data)
		t->free_data(e->data);
	else
		free(e->data);
	if (t->nspare < TW_TRACK_SPARE) {
		/* A spare keeps its room for records; hnext links them. */
		if (e->recs_cap > TW_SPARE_RECS) {
			free(e->recs);
			e->recs = NULL;
			e->recs_cap = 0;
		}
		e->hnext = t->spare;
		t->spare = e;
		t->nspare++;
		return;
	}
	free(e->recs);
	free(e);
}

void tw_track_free(struct tw_tracker *t)
{
	struct tw_end *e;

	while (t->oldest)
		tw_track_remove(t, t->oldest);
	while (t->spare) {
		e = t->spare;
		t->spare = e->hnext;
		free(e->recs);
		free(e);
	}
	free(t->buckets);
	free(t->tuples);
	memset(t, 0, sizeof(*t));
}

static bool tw_mirrors(const struct tcpwave_record *a,
		       const struct tcpwave_record *b)
{
	__u8 al[16], ar[16], bl[16], br[16];

	if (a->lport != b->rport || a->rport != b->lport)
		return false;
	tw_addr_v6(al, a->family, a->laddr);
	tw_addr_v6(ar, a->family, a->raddr);
	tw_addr_v6(bl, b->family, b->laddr);
	tw_addr_v6(br, b->family, b->raddr);
	return !memcmp(al, br, 16) && !memcmp(ar, bl, 16);
}

/*
 * The bucket of a 4-tuple, the same from either end: the hash of the
 * two endpoints in a fixed order.
 */
static size_t tw_tuple_key(const struct tw_tracker *t,
			   const struct tcpwave_record *r)
{
	__u8 l[18], rm[18], *lo, *hi;
	__u64 h = 1469598103934665603ULL;
	size_t i;

	tw_addr_v6(l, r->family, r->laddr);
	l[16] = r->lport >> 8;
	l[17] = r->lport;
	tw_addr_v6(rm, r->family, r->raddr);
	rm[16] = r->rport >> 8;
	rm[17] = r->rport;
	lo = memcmp(l, rm, 18) < 0 ? l : rm;
	hi = lo == l ? rm : l;
	for (i = 0; i < 18; i++)
		h = (h ^ lo[i]) * 1099511628211ULL;
	for (i = 0; i < 18; i++)
		h = (h ^ hi[i]) * 1099511628211ULL;
	return h & (t->nbuckets - 1);
}

/* Whether @a and @b name the same 4-tuple, so the same tw_tuple_key(). */
static bool tw_same_tuple(const struct tcpwave_record *a,
			  const struct tcpwave_record *b)
{
	return a->family == b->family && a->lport == b->lport &&
	       a->rport == b->rport && !memcmp(a->laddr, b->laddr, 16) &&
	       !memcmp(a->raddr, b->raddr, 16);
}

/* File @e under the tuple its newest record names. */
static void tw_track_retuple(struct tw_tracker *t, struct tw_end *e)
{
	size_t key = tw_tuple_key(t, &e->last);
	struct tw_end **pp;

	if (key == e->tkey)
		return;
	for (pp = &t->tuples[e->tkey]; *pp != e; pp = &(*pp)->tnext)
		;
	*pp = e->tnext;
	e->tkey = key;
	e->tnext = t->tuples[key];
	t->tuples[key] = e;
}

static struct tw_end *tw_track_new(struct tw_tracker *t, __u64 cookie,
				   __u64 ts)
{
	struct tcpwave_record *recs = NULL;
	size_t h = tw_hash(t, cookie), recs_cap = 0;
	struct tw_end *e;

	if (t->max_ends && t->nends >= t->max_ends) {
		tw_track_remove(t, t->oldest);
		t->evicted++;
	}
	if (t->spare) {
		e = t->spare;
		t->spare = e->hnext;
		t->nspare--;
		recs = e->recs;
		recs_cap = e->recs_cap;
	} else {
		e = tw_xrealloc(NULL, 1, sizeof(*e));
	}
	memset(e, 0, sizeof(*e));
	e->recs = recs;
	e->recs_cap = recs_cap;
	e->cookie = cookie;
	e->born_ns = ts;
	e->since_ns = ts;
	e->hnext = t->buckets[h];
	t->buckets[h] = e;
	e->tnext = t->tuples[0];	/* no tuple yet: tw_track_retuple() */
	t->tuples[0] = e;
	e->prev = t->newest;
	if (t->newest)
		t->newest->next = e;
	else
		t->oldest = e;
	t->newest = e;
	t->nends++;
	return e;
}

/*
 * Room for the records of a whole ordinary life at first: a client's
 * connect to its timewait socket's expiry, or a server's SYN to its
 * CLOSE, are 7 records.  tw_grow()'s 16 would double what tens of
 * thousands of ends hold at once.
 */
#define TW_END_RECS	8

static void tw_end_keep(struct tw_tracker *t, struct tw_end *e,
			const struct tcpwave_record *r)
{
	if (!t->keep_recs)
		return;
	if (!e->recs_cap) {
		e->recs = tw_xrealloc(NULL, TW_END_RECS, sizeof(*e->recs));
		e->recs_cap = TW_END_RECS;
	}
	tw_grow((void **)&e->recs, &e->recs_cap, e->nrecs + 1,
		sizeof(*e->recs));
	e->recs[e->nrecs++] = *r;
}

/* A child born of request socket @req, tracked under another cookie. */
static void tw_track_fold(struct tw_tracker *t, struct tw_end *e,
			  struct tw_end *req)
{
	size_t i;

	e->born_ns = req->born_ns;
	/* The child goes on in the request socket's SYN_RECV. */
	e->since_ns = req->since_ns;
	e->last = req->last;
	e->nseen += req->nseen;
	e->states |= req->states;
	e->nlost_before += req->nlost_before;
	if (!e->has_owner && req->has_owner) {
		e->has_owner = true;
		e->owner_listener = req->owner_listener;
		e->pid = req->pid;
		memcpy(e->comm, req->comm, sizeof(e->comm));
	}
	if (t->keep_recs) {
		/* The request socket's records came first. */
		for (i = 0; i < e->nrecs; i++)
			tw_end_keep(t, req, &e->recs[i]);
		free(e->recs);
		e->recs = req->recs;
		e->nrecs = req->nrecs;
		e->recs_cap = req->recs_cap;
		req->recs = NULL;
		req->recs_cap = 0;
	}
	if (!e->data) {
		e->data = req->data;
		req->data = NULL;
	}
	tw_track_remove(t, req);
}

/*
 * Whether @r may follow its end's CLOSE in the same life: an rst sent
 * from CLOSE (tcp_send_active_reset() after tcp_set_state()), an
 * accept() of a connection the peer already reset.  Anything else under
 * a closed end's cookie leaves CLOSE: the socket connect()s or
 * listen()s again, a life of its own.
 */
bool tw_track_trails_close(const struct tcpwave_record *r)
{
	return r->oldstate == TCPWAVE_CLOSE && r->newstate == TCPWAVE_CLOSE;
}

/* The task of a connect(), accept() or listen() record owns its end. */
static void tw_end_owner(struct tw_end *e, const struct tcpwave_record *r)
{
	if (r->ctx == TCPWAVE_CTX_task &&
	    (r->event == TCPWAVE_EV_connect || r->event == TCPWAVE_EV_accept ||
	     r->event == TCPWAVE_EV_listen)) {
		e->has_owner = true;
		e->owner_listener = false;
		e->pid = r->pid;
		memcpy(e->comm, r->comm, sizeof(e->comm));
	}
}

/*
 * Account record @r to its end, creating the end at its first record.
 * Returns the end; e->done once the record ended its life (the caller
 * draws or reports it, then calls tw_track_remove()).  Records that
 * trail a CLOSE join the closed end while it is there; a record that
 * starts a new life under the cookie of a closed end replaces it.
 */
struct tw_end *tw_track_add(struct tw_tracker *t,
			    const struct tcpwave_record *r)
{
	struct tw_end *e = tw_track_find(t, r->cookie), *req;
	bool fresh, retuple;

	/*
	 * A record trailing the end's CLOSE belongs to the same life; the
	 * closing record, with its reason, stays the last one.
	 */
	if (e && e->done && tw_track_trails_close(r)) {
		tw_end_keep(t, e, r);
		tw_end_owner(e, r);
		return e;
	}
	/* Its first record, or a new life: connect() or listen() again. */
	fresh = !e || e->done;
	if (fresh) {
		if (e)
			tw_track_remove(t, e);
		e = tw_track_new(t, r->cookie, r->ts_ns);
	}
	/*
	 * e->tkey is the bucket of e->last's tuple (a fold below may put
	 * another record there, not the bucket): most records keep their
	 * end's tuple, and the hash of its 36 bytes need not be made again.
	 */
	retuple = fresh || !tw_same_tuple(&e->last, r);
	tw_end_keep(t, e, r);
	if (r->event == TCPWAVE_EV_child && (r->have & TCPWAVE_HAVE_LINK) &&
	    r->link != r->cookie) {
		req = tw_track_find(t, r->link);
		if (req && req != e)
			tw_track_fold(t, e, req);
	}
	/*
	 * A new end's clock starts at its first record (not "!last.seq":
	 * the ring's first record has seq 0); a child folded into its
	 * request socket goes on with that socket's clock and state.
	 */
	if (!e->nseen || r->newstate != e->last.newstate)
		e->since_ns = r->ts_ns;
	e->nseen++;
	if (r->event != TCPWAVE_EV_syn && r->oldstate < 32)
		e->states |= 1u << r->oldstate;
	if (r->newstate < 32)
		e->states |= 1u << r->newstate;
	if (r->newstate == TCPWAVE_SYN_SENT)
		e->active = true;
	/* As conn.c: a syn record's LISTEN is its listener's state. */
	if (r->event == TCPWAVE_EV_listen ||
	    (r->event == TCPWAVE_EV_state &&
	     (r->oldstate == TCPWAVE_LISTEN || r->newstate == TCPWAVE_LISTEN)))
		e->listener = true;
	tw_end_owner(e, r);
	/*
	 * Until accept(), a passive end belongs to its listener's task, as
	 * tw_sock_owner() says for a capture: the syn record links to it.
	 */
	if (!e->has_owner && r->event == TCPWAVE_EV_syn &&
	    (r->have & TCPWAVE_HAVE_LINK)) {
		req = tw_track_find(t, r->link);
		if (req && req->listener && req->has_owner) {
			e->has_owner = true;
			e->owner_listener = true;
			e->pid = req->pid;
			memcpy(e->comm, req->comm, sizeof(e->comm));
		}
	}
	if (r->have & TCPWAVE_HAVE_ISS) {
		e->has_iss = true;
		e->iss = r->iss;
	}
	if (r->have & TCPWAVE_HAVE_IRS) {
		e->has_irs = true;
		e->irs = r->irs;
	}
	e->last = *r;
	e->done = r->newstate == TCPWAVE_CLOSE;
	if (retuple)
		tw_track_retuple(t, e);
	return e;
}

/* Records were lost: every end alive may miss some of its own. */
void tw_track_lost(struct tw_tracker *t, __u64 n)
{
	struct tw_end *e;

	for (e = t->oldest; e; e = e->next)
		e->nlost_before += n;
}

/*
 * The other end of @e's connection, if it is traced and alive: its
 * 4-tuple mirrors @e's and, where the records tell, each one's ISS is
 * the other's IRS.  Listeners and self-connected sockets have none.
 */
struct tw_end *tw_track_peer(const struct tw_tracker *t,
			     const struct tw_end *e)
{
	const struct tcpwave_record *a = &e->last;
	struct tw_end *p;

	if (e->listener || !a->lport || !a->rport)
		return NULL;
	for (p = t->tuples[e->tkey]; p; p = p->tnext) {
		if (p == e || p->listener || !tw_mirrors(a, &p->last))
			continue;
		if ((e->has_iss && p->has_irs && e->iss != p->irs) ||
		    (e->has_irs && p->has_iss && e->irs != p->iss))
			continue;
		return p;
	}
	return NULL;
}
