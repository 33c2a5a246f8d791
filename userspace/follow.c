// SPDX-License-Identifier: GPL-2.0
/*
 * follow.c - "-E", "--events", "--follow" (follow.h): every transition as
 * a line as soon as it is read, as "ss -E" and tcpstates print them, and
 * every connection's ladder once it is over.
 *
 * Records come from stream.c: from the ring, waiting in poll() when
 * caught up; from a pipe or a file, to its end.  track.c follows each
 * connection end and keeps its records.  An end is over at its record
 * into CLOSE; a connection when its traced ends are all over (a listener
 * alone, or an end whose peer is not traced).  Its ladder is then drawn
 * from a capture of its own records only, and its memory freed: so the
 * viewer's memory is the connections alive at once, however many days
 * it runs.  At most TW_FOLLOW_MAX_ENDS ends are followed; beyond that
 * the oldest is dropped, and standard error says so.
 *
 * A ladder waits TW_FOLLOW_GRACE_NS after the last end closed, for the
 * records that trail a CLOSE: the RST a SO_LINGER {1, 0} close sends
 * after its tcp_set_state(), an accept() after the peer's reset.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filter.h"
#include "follow.h"
#include "fmt.h"
#include "json.h"
#include "ladder.h"
#include "states.h"
#include "stats.h"
#include "stream.h"

/*
 * Connection ends followed at once.  An end holds about 1.5 KiB with
 * its records, so this bounds the viewer near 100 MiB.  It is some 500
 * new loopback connections a second, both of whose ends the kernel
 * keeps for 60 s of TIME_WAIT, or twice that to hosts not traced.
 */
#define TW_FOLLOW_MAX_ENDS	65536
#define TW_FOLLOW_GRACE_NS	100000000ULL	/* 100 ms */
#define TW_FOLLOW_TICK_MS	1000
/* Losses remembered per end; more are added up into the last one. */
#define TW_FOLLOW_MARKS		8
/* Ends drawn lately, whose trailing records are no new connection. */
#define TW_FOLLOW_RECENT	256

/* "# lost count", just before the record of seq @next. */
struct tw_mark {
	__u64 count;
	__u64 next;
};

/* What follow.c keeps of an end beyond track.c: tw_end.data. */
struct tw_fend {
	/* The listen record of its listener, for a server end not accepted. */
	struct tcpwave_record *lrec;
	/* Format 1.0: the record that named its owner (tw_sock_owner()). */
	bool has_v10_owner;
	__u64 v10_owner_seq;
	bool pending;			/* over: its ladder is due */
	struct tw_mark *marks;		/* losses while it lived */
	size_t nmarks;
};

/* A connection over, its ladder due at @deadline (ts_ns). */
struct tw_group {
	__u64 cookie[2];
	size_t n;
	__u64 deadline;
};

struct tw_recent {
	__u64 cookie;
	bool has_owner;
	__u32 pid;
	char comm[TCPWAVE_COMM_LEN];
};

struct tw_follow {
	const struct tw_opts *o;
	const struct tw_fsink *sink;
	struct tw_fout out;
	struct tw_stream s;
	struct tw_tracker t;
	bool has_t0;
	__u64 t0;
	__u64 lost_pending;		/* lost before the next record */
	bool has_last_loss;
	struct tw_mark last_loss;
	struct tw_group *groups;	/* due ladders, oldest first */
	size_t ghead;
	size_t ngroups;
	size_t gcap;
	struct tw_recent recent[TW_FOLLOW_RECENT];
	size_t nrecent;
	size_t nconns;			/* ladders drawn: their numbers */
	__u64 evicted_told;
	__u64 evicted_seen;		/* by tw_follow_orphans() */
	__u64 tick_ns;
};

static volatile sig_atomic_t tw_follow_sig;

static void tw_follow_on_signal(int sig)
{
	tw_follow_sig = sig;
}

/*
 * Without SA_RESTART, so that a signal ends the wait in poll() with
 * EINTR.  A signal just before poll() is seen at the next wake-up at
 * the latest: the wait never exceeds TW_FOLLOW_TICK_MS.
 */
static void tw_follow_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGPIPE };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tw_follow_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* CLOCK_MONOTONIC, the clock of the records' ts_ns, in ns. */
static __u64 tw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void tw_fend_free(void *data)
{
	struct tw_fend *fd = data;

	if (!fd)
		return;
	free(fd->lrec);
	free(fd->marks);
	free(fd);
}

static struct tw_fend *tw_fend(struct tw_end *e)
{
	if (!e->data) {
		e->data = tw_xrealloc(NULL, 1, sizeof(struct tw_fend));
		memset(e->data, 0, sizeof(struct tw_fend));
	}
	return e->data;
}

static void tw_fend_mark(struct tw_fend *fd, const struct tw_mark *m)
{
	size_t i;

	for (i = 0; i < fd->nmarks; i++)
		if (fd->marks[i].next == m->next)
			return;
	if (!fd->marks)
		fd->marks = tw_xrealloc(NULL, TW_FOLLOW_MARKS,
					sizeof(*fd->marks));
	if (fd->nmarks == TW_FOLLOW_MARKS) {
		/* Later in its life still: the ladder says as much. */
		fd->marks[fd->nmarks - 1].count += m->count;
		fd->marks[fd->nmarks - 1].next = m->next;
		return;
	}
	fd->marks[fd->nmarks++] = *m;
}

/* Its owner, from its own records or its listener's; false if unknown. */
static bool tw_follow_owner(const struct tw_end *e, __u32 *pid,
			    const char **comm)
{
	const struct tw_fend *fd = e->data;

	if (e->has_owner) {
		*pid = e->pid;
		*comm = e->comm;
		return true;
	}
	if (fd && fd->lrec) {
		*pid = fd->lrec->pid;
		*comm = fd->lrec->comm;
		return true;
	}
	return false;
}

/* --- drawing a connection ------------------------------------------- */

static int tw_cmp_seq(const void *pa, const void *pb)
{
	const struct tcpwave_record *a = pa, *b = pb;

	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return (a->ts_ns > b->ts_ns) - (a->ts_ns < b->ts_ns);
}

/*
 * The capture of @n ends alone, as if read from a file: their records
 * in seq order, the listen record that names an unaccepted server end's
 * owner, and each loss they lived through before the first of their
 * records that followed it, where tw_conn_lost() and
 * tw_conn_lost_before() look for it.
 */
static void tw_follow_trace(struct tw_trace *t, struct tw_end **ends,
			    size_t n)
{
	size_t total = 0, i, j, k;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < n; i++)
		total += ends[i]->nrecs + 1;
	t->recs = tw_xrealloc(NULL, total, sizeof(*t->recs));
	for (i = 0; i < n; i++) {
		const struct tw_fend *fd = ends[i]->data;

		memcpy(t->recs + t->nrecs, ends[i]->recs,
		       ends[i]->nrecs * sizeof(*t->recs));
		t->nrecs += ends[i]->nrecs;
		if ((!ends[i]->has_owner || ends[i]->owner_listener) &&
		    fd && fd->lrec)
			t->recs[t->nrecs++] = *fd->lrec;
	}
	qsort(t->recs, t->nrecs, sizeof(*t->recs), tw_cmp_seq);

	t->v10 = tw_xrealloc(NULL, t->nrecs, sizeof(*t->v10));
	for (k = 0; k < t->nrecs; k++) {
		t->v10[k] = false;
		for (i = 0; i < n; i++) {
			const struct tw_fend *fd = ends[i]->data;

			if (fd && fd->has_v10_owner &&
			    fd->v10_owner_seq == t->recs[k].seq &&
			    ends[i]->cookie == t->recs[k].cookie)
				t->v10[k] = true;
		}
	}

	for (i = 0; i < n; i++) {
		const struct tw_fend *fd = ends[i]->data;

		for (j = 0; fd && j < fd->nmarks; j++) {
			const struct tw_mark *m = &fd->marks[j];

			for (k = 0; k < t->nlost; k++)
				if (t->recs[t->lost[k].before].seq == m->next)
					break;
			if (k < t->nlost)
				continue;	/* the other end's too */
			for (k = 0; k < t->nrecs; k++)
				if (t->recs[k].seq >= m->next)
					break;
			if (k == t->nrecs)
				continue;	/* after all of it */
			tw_grow((void **)&t->lost, &t->lost_cap, t->nlost + 1,
				sizeof(*t->lost));
			t->lost[t->nlost].count = m->count;
			t->lost[t->nlost].before = k;
			t->nlost++;
		}
	}
}

/*
 * Whether @conn is a listener brought in by its listen record alone (for
 * its owner): that one is drawn when it closes, not with its children.
 */
static bool tw_follow_guest(const struct tw_conn *conn, struct tw_end **ends,
			    size_t n)
{
	size_t i;

	if (!conn->listener)
		return false;
	for (i = 0; i < n; i++)
		if (ends[i]->cookie == conn->server->cookie)
			return false;
	return true;
}

/* Draw the connection of @n ends (those that pass the filters). */
static void tw_follow_draw(struct tw_follow *fw, struct tw_end **ends,
			   size_t n, bool in_progress)
{
	struct tw_trace t;
	struct tw_conns c;
	size_t i, m = 0;

	tw_follow_trace(&t, ends, n);
	tw_conns_build(&t, &c);
	for (i = 0; i < c.nconns; i++)
		if (!tw_follow_guest(&c.conns[i], ends, n))
			c.conns[m++] = c.conns[i];
	c.nconns = m;
	tw_filter_conns(&fw->o->filter, &c);
	for (i = 0; i < c.nconns; i++)
		if (fw->sink->conn)
			fw->sink->conn(&fw->out, &c.conns[i], &t, ++fw->nconns,
				       in_progress);
	tw_conns_free(&c);
	free(t.recs);
	free(t.v10);
	free(t.lost);
}

/* Forget an end drawn, remembering who owned it for its stragglers. */
static void tw_follow_forget(struct tw_follow *fw, struct tw_end *e)
{
	struct tw_recent *r = &fw->recent[fw->nrecent++ % TW_FOLLOW_RECENT];
	const char *comm;

	memset(r, 0, sizeof(*r));
	r->cookie = e->cookie;
	r->has_owner = tw_follow_owner(e, &r->pid, &comm);
	if (r->has_owner)
		memcpy(r->comm, comm, sizeof(r->comm));
	tw_track_remove(&fw->t, e);
}

/* Draw the ladder of group @g now, and forget its ends. */
static void tw_follow_flush_group(struct tw_follow *fw, struct tw_group *g)
{
	struct tw_end *ends[2];
	size_t i, n = 0;

	for (i = 0; i < g->n; i++) {
		struct tw_end *e = tw_track_find(&fw->t, g->cookie[i]);

		/* Dropped to stay bounded, or replaced by a new life. */
		if (e && e->data && ((struct tw_fend *)e->data)->pending)
			ends[n++] = e;
	}
	g->n = 0;
	if (!n)
		return;
	tw_follow_draw(fw, ends, n, false);
	for (i = 0; i < n; i++)
		tw_follow_forget(fw, ends[i]);
}

/* Draw the ladders due by @now (ts_ns); all of them for ~0. */
static void tw_follow_due(struct tw_follow *fw, __u64 now)
{
	while (fw->ghead < fw->ngroups &&
	       fw->groups[fw->ghead].deadline <= now)
		tw_follow_flush_group(fw, &fw->groups[fw->ghead++]);
	if (fw->ghead == fw->ngroups) {
		fw->ghead = 0;
		fw->ngroups = 0;
	}
}

/* The connection of @e, over at @ts: queue its ladder. */
static void tw_follow_over(struct tw_follow *fw, struct tw_end *e,
			   struct tw_end *p, __u64 ts)
{
	struct tw_group *g;

	if (fw->ghead && fw->ngroups == fw->gcap) {
		memmove(fw->groups, fw->groups + fw->ghead,
			(fw->ngroups - fw->ghead) * sizeof(*fw->groups));
		fw->ngroups -= fw->ghead;
		fw->ghead = 0;
	}
	tw_grow((void **)&fw->groups, &fw->gcap, fw->ngroups + 1,
		sizeof(*fw->groups));
	g = &fw->groups[fw->ngroups++];
	g->n = 0;
	g->cookie[g->n++] = e->cookie;
	tw_fend(e)->pending = true;
	if (p) {
		g->cookie[g->n++] = p->cookie;
		tw_fend(p)->pending = true;
	}
	g->deadline = ts + TW_FOLLOW_GRACE_NS;
}

/*
 * @e reached CLOSE.  Its connection is over if it is a listener, if its
 * peer is not traced (or gone), or if its peer is over too; else the
 * peer's own CLOSE will end it.
 */
static void tw_follow_done(struct tw_follow *fw, struct tw_end *e, __u64 ts)
{
	struct tw_end *p = NULL;

	if (!e->listener) {
		p = tw_track_peer(&fw->t, e);
		if (p && !p->done)
			return;
		if (p && tw_fend(p)->pending)
			p = NULL;	/* drawn alone already: so is this */
	}
	tw_follow_over(fw, e, p, ts);
}

/* A new life under the cookie of @e, over but not drawn: draw it now. */
static void tw_follow_flush_end(struct tw_follow *fw, struct tw_end *e)
{
	struct tw_fend *fd = tw_fend(e);
	size_t i, j;

	if (!fd->pending) {
		tw_follow_draw(fw, &e, 1, false);
		tw_follow_forget(fw, e);
		return;
	}
	for (i = fw->ghead; i < fw->ngroups; i++)
		for (j = 0; j < fw->groups[i].n; j++)
			if (fw->groups[i].cookie[j] == e->cookie) {
				tw_follow_flush_group(fw, &fw->groups[i]);
				return;
			}
}

/*
 * Ends over that wait for a peer that was dropped to stay bounded would
 * wait for ever: end their connections.
 */
static void tw_follow_orphans(struct tw_follow *fw)
{
	struct tw_end *e, *tmp;

	if (fw->t.evicted == fw->evicted_seen)
		return;
	fw->evicted_seen = fw->t.evicted;
	tw_track_for_each(&fw->t, e, tmp) {
		struct tw_end *p;

		if (!e->done || tw_fend(e)->pending)
			continue;
		p = tw_track_peer(&fw->t, e);
		if (!p || p->done)
			tw_follow_done(fw, e, e->last.ts_ns);
	}
}

static void tw_follow_tell_evicted(struct tw_follow *fw)
{
	__u64 n = fw->t.evicted - fw->evicted_told;

	if (!n)
		return;
	fprintf(stderr, "tcpwave: %llu connection end%s dropped unfinished: "
		"more than %d followed at once\n", (unsigned long long)n,
		n == 1 ? "" : "s", TW_FOLLOW_MAX_ENDS);
	fw->evicted_told = fw->t.evicted;
}

/* --- the records ---------------------------------------------------- */

/* Every end alive lived through the loss just before record @next. */
static void tw_follow_mark_all(struct tw_follow *fw, __u64 next)
{
	struct tw_end *e, *tmp;

	fw->last_loss.count = fw->lost_pending;
	fw->last_loss.next = next;
	fw->has_last_loss = true;
	fw->lost_pending = 0;
	tw_track_for_each(&fw->t, e, tmp)
		tw_fend_mark(tw_fend(e), &fw->last_loss);
}

/*
 * The listener named by the syn record @r (link): its listen record
 * names the owner of a server end that was never accept()ed.
 */
static void tw_follow_listener(struct tw_follow *fw, struct tw_fend *fd,
			       const struct tcpwave_record *r)
{
	const struct tw_end *l;
	size_t i;

	if (fd->lrec || r->event != TCPWAVE_EV_syn ||
	    !(r->have & TCPWAVE_HAVE_LINK))
		return;
	l = tw_track_find(&fw->t, r->link);
	if (!l || !l->listener)
		return;
	for (i = 0; i < l->nrecs; i++) {
		if (l->recs[i].event == TCPWAVE_EV_listen &&
		    l->recs[i].ctx == TCPWAVE_CTX_task) {
			fd->lrec = tw_xrealloc(NULL, 1, sizeof(*fd->lrec));
			*fd->lrec = l->recs[i];
			return;
		}
	}
}

/* Hand the transition to the sink, if it passes the filters. */
static void tw_follow_emit(struct tw_follow *fw, struct tw_fevent *ev)
{
	struct tcpwave_record owner;
	struct tw_filter_end fe;

	if (tw_filter_active(&fw->o->filter)) {
		memset(&owner, 0, sizeof(owner));
		if (ev->has_owner) {
			owner.pid = ev->pid;
			memcpy(owner.comm, ev->comm, sizeof(owner.comm));
		}
		tw_filter_end_rec(&fe, ev->rec, ev->has_owner ? &owner : NULL);
		if (!tw_filter_match(&fw->o->filter, &fe))
			return;
	}
	if (fw->sink->record)
		fw->sink->record(&fw->out, ev);
}

/*
 * A record trailing the CLOSE of an end drawn already: its line, but no
 * ladder of its own.  Returns false if @r is no such record.
 */
static bool tw_follow_straggler(struct tw_follow *fw,
				const struct tcpwave_record *r,
				struct tw_fevent *ev)
{
	const struct tw_recent *rc = NULL;
	size_t i, n = fw->nrecent < TW_FOLLOW_RECENT ? fw->nrecent :
		      TW_FOLLOW_RECENT;

	if (r->oldstate != TCPWAVE_CLOSE || r->newstate != TCPWAVE_CLOSE)
		return false;
	for (i = 0; i < n && !rc; i++)
		if (fw->recent[i].cookie == r->cookie)
			rc = &fw->recent[i];
	if (!rc)
		return false;
	ev->has_owner = rc->has_owner;
	ev->pid = rc->pid;
	ev->comm = rc->comm;
	tw_follow_emit(fw, ev);
	return true;
}

static void tw_follow_record(struct tw_follow *fw,
			     const struct tcpwave_record *r)
{
	struct tw_fevent ev = { .rec = r };
	struct tw_end *old, *e;
	struct tw_fend *fd;
	bool fresh;

	if (fw->sink->raw)
		fw->sink->raw(&fw->out, r);
	if (!fw->has_t0) {
		fw->t0 = r->ts_ns;
		fw->has_t0 = true;
	}
	ev.t_ns = r->ts_ns > fw->t0 ? r->ts_ns - fw->t0 : 0;
	/* Record time: a file or pipe says when the grace is over. */
	tw_follow_due(fw, r->ts_ns);
	if (fw->lost_pending)
		tw_follow_mark_all(fw, r->seq);

	old = tw_track_find(&fw->t, r->cookie);
	if (!old && tw_follow_straggler(fw, r, &ev))
		return;
	if (old && old->done && !tw_track_trails_close(r)) {
		tw_follow_flush_end(fw, old);
		old = NULL;
	}
	if (old && old->last.newstate == r->oldstate &&
	    r->ts_ns >= old->since_ns) {
		ev.has_old_ns = true;
		ev.old_ns = r->ts_ns - old->since_ns;
	}

	e = tw_track_add(&fw->t, r);
	fresh = !e->data;
	fd = tw_fend(e);
	/* Born after a loss: the nearest one may hold its beginning. */
	if (fresh && fw->has_last_loss)
		tw_fend_mark(fd, &fw->last_loss);
	/* 1.0 names no owner: its first task record does, as in conn.c. */
	if (tw_parser_v10(&fw->s.p) && !e->has_owner &&
	    r->ctx == TCPWAVE_CTX_task && r->comm[0]) {
		e->has_owner = true;
		e->pid = r->pid;
		memcpy(e->comm, r->comm, sizeof(e->comm));
		fd->has_v10_owner = true;
		fd->v10_owner_seq = r->seq;
	}
	tw_follow_listener(fw, fd, r);
	if (e->has_owner && !e->owner_listener && fd->lrec) {
		free(fd->lrec);
		fd->lrec = NULL;
	}

	ev.end = e;
	ev.has_owner = tw_follow_owner(e, &ev.pid, &ev.comm);
	tw_follow_emit(fw, &ev);
	if (e->done && !fd->pending)
		tw_follow_done(fw, e, r->ts_ns);
}

static void tw_follow_lost(struct tw_follow *fw, __u64 n)
{
	fprintf(stderr, "tcpwave: %llu records lost (ring overwritten)\n",
		(unsigned long long)n);
	fw->lost_pending += n;
	tw_track_lost(&fw->t, n);
	if (fw->sink->lost)
		fw->sink->lost(&fw->out, n);
}

/*
 * Caught up.  The ring's records carry the clock we read, so a ladder
 * waits out its grace; a pipe's may come from another host, and nothing
 * more is there to wait for.
 */
static void tw_follow_idle(struct tw_follow *fw)
{
	tw_follow_due(fw, fw->s.ring ? tw_now_ns() : ~0ULL);
	tw_follow_orphans(fw);
	tw_follow_tell_evicted(fw);
	if (fw->sink->idle)
		fw->sink->idle(&fw->out);
}

/* How long to wait for input: until the next ladder is due, at most. */
static int tw_follow_wait_ms(struct tw_follow *fw)
{
	__u64 now, due;

	if (!fw->s.ring || fw->ghead == fw->ngroups)
		return TW_FOLLOW_TICK_MS;
	now = tw_now_ns();
	due = fw->groups[fw->ghead].deadline;
	if (due <= now)
		return 0;
	if (due - now >= TW_FOLLOW_TICK_MS * 1000000ULL)
		return TW_FOLLOW_TICK_MS;
	return (due - now) / 1000000 + 1;
}

static void tw_follow_tick(struct tw_follow *fw)
{
	__u64 now = tw_now_ns();

	if (now - fw->tick_ns < TW_FOLLOW_TICK_MS * 1000000ULL)
		return;
	fw->tick_ns = now;
	tw_follow_orphans(fw);
	tw_follow_tell_evicted(fw);
	if (fw->sink->tick)
		fw->sink->tick(&fw->out);
}

/*
 * The end of a file or pipe: the connections not over yet are drawn as
 * they are, for nothing more will come to finish them.
 */
static void tw_follow_in_progress(struct tw_follow *fw)
{
	struct tw_end *ends[2], *e;
	size_t n, i;

	while ((e = fw->t.oldest)) {
		n = 0;
		ends[n++] = e;
		if (!e->listener) {
			struct tw_end *p = tw_track_peer(&fw->t, e);

			if (p)
				ends[n++] = p;
		}
		tw_follow_draw(fw, ends, n, true);
		for (i = 0; i < n; i++)
			tw_track_remove(&fw->t, ends[i]);
	}
}

/* --- text ------------------------------------------------------------ */

enum tw_fcol {
	TW_FCOL_TIME,
	TW_FCOL_COOKIE,
	TW_FCOL_OWNER,
	TW_FCOL_LOCAL,
	TW_FCOL_REMOTE,
	TW_FCOL_TRANS,
	TW_FCOL_OLD_MS,
	TW_FCOL_EVENT,
	TW_FCOL_REASON,
	TW_FCOL_SEQ,
	TW_FCOL_MAX
};

/*
 * A stream cannot measure its rows first as list.c does: each column
 * has a width, wider with -w for IPv6, and a cell that does not fit
 * pushes the rest of its line right.
 */
static const struct tw_fcolumn {
	const char *title;
	unsigned char width;
	unsigned char wide;		/* with -w */
	bool right;			/* numbers align right */
} tw_fcols[TW_FCOL_MAX] = {
	[TW_FCOL_TIME]		= { "TIME-MS", 10, 10, true },
	[TW_FCOL_COOKIE]	= { "COOKIE", 8, 16, false },
	[TW_FCOL_OWNER]		= { "PID/COMM", 20, 26, false },
	[TW_FCOL_LOCAL]		= { "LOCAL", 21, 47, false },
	[TW_FCOL_REMOTE]	= { "REMOTE", 21, 47, false },
	[TW_FCOL_TRANS]		= { "TRANSITION", 23, 25, false },
	[TW_FCOL_OLD_MS]	= { "OLD-MS", 9, 9, true },
	[TW_FCOL_EVENT]		= { "EVENT", 8, 8, false },
	[TW_FCOL_REASON]	= { "REASON", 8, 8, false },
	[TW_FCOL_SEQ]		= { "SEQ", 0, 0, false },
};

#define TW_FCOL_GAP	2

/*
 * A name the event line prints (a state, an event, a close reason), in
 * a slot that is copied whole, a move of fixed size: no strlen(), no
 * call to memcpy().  A name longer than its slot (none is, today) is
 * copied from @name instead.
 */
#define TW_TNAME_SLOT	16

struct tw_tname {
	char s[TW_TNAME_SLOT];
	size_t len;
	const char *name;		/* static, when longer than @s */
};

/* A time in ms: 20 digits at most, the point and 3 decimals. */
#define TW_TEXT_MS	24

/* The longest text of a line's cells, padding and names aside. */
#define TW_TEXT_MAX	(TW_TEXT_MS +			/* TIME-MS */	\
			 TW_COOKIE_STRLEN +		/* COOKIE */	\
			 20 + 1 + 4 * TCPWAVE_COMM_LEN + 3 + /* OWNER */ \
			 2 * TW_EP_STRLEN +		/* LOCAL, REMOTE */ \
			 2 * TW_TNAME_SLOT + 4 +	/* TRANSITION */ \
			 TW_TEXT_MS +			/* OLD-MS */	\
			 128 +				/* SEQ */	\
			 3 * 2 * 8)			/* colours */

struct tw_text {
	struct tw_buf line;
	size_t width[TW_FCOL_MAX];	/* of each column: -w or not */
	size_t room;			/* the longest a line can be */
	char arrow[4];			/* of TRANSITION: "→" or "->" */
	size_t arrow_len;
	size_t arrow_width;
	struct tw_tname state[256];	/* by the __u8 of a record */
	struct tw_tname event[256];
	struct tw_tname reason[256];
	bool after_ladder;		/* a blank line ended the last one */
	bool said_in_progress;
};

static struct tw_text tw_text;

static void tw_tname_set(struct tw_tname *t, const char *name)
{
	t->len = strlen(name);
	t->name = NULL;
	memset(t->s, 0, sizeof(t->s));
	if (t->len <= sizeof(t->s))
		memcpy(t->s, name, t->len);
	else
		t->name = name;
}

/* @t at @p, which has room for TW_TNAME_SLOT bytes at least. */
static char *tw_tname_put(char *p, const struct tw_tname *t)
{
	if (t->name)
		memcpy(p, t->name, t->len);
	else
		memcpy(p, t->s, sizeof(t->s));
	return p + t->len;
}

/* @n spaces at @p, 8 at a time: the line has room for 7 more. */
static char *tw_text_spaces(char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += 8)
		memcpy(p + i, "        ", 8);
	return p + n;
}

/*
 * Where a line being written stands.  A local of the function writing
 * it, not a member of struct tw_text: then no byte written through a
 * char pointer can be it, and it stays in registers.
 */
struct tw_tpos {
	size_t at;			/* display columns written */
	size_t col;			/* where the next column starts */
};

/*
 * Start cell @c at @p, the end of the line, and return where its text
 * goes: after spaces up to its column (numbers, @w columns wide, up to
 * where they end at its right edge), or after one space when what came
 * before reached that far, so that an overlong cell pushes the rest of
 * the line right.  The caller adds the cell's width to k->at once it is
 * written.  Inline: @c is a constant, and so is tw_fcols[c].right.
 */
static inline char *tw_text_pad(const struct tw_text *x, struct tw_tpos *k,
				char *p, enum tw_fcol c, size_t w)
{
	size_t to = k->col;

	if (tw_fcols[c].right && w < x->width[c])
		to += x->width[c] - w;
	k->col += x->width[c] + TW_FCOL_GAP;
	if (k->at && k->at >= to)
		to = k->at + 1;
	else if (k->at >= to)
		return p;		/* at the very start */
	p = tw_text_spaces(p, to - k->at);
	k->at = to;
	return p;
}

/*
 * The time @ns in ms, aligned right in column @c at @p; returns its end.
 * Written aside first, since its width decides the padding before it,
 * then moved in one copy of fixed size: the line has room for it.
 */
static inline char *tw_text_ms(const struct tw_text *x, struct tw_tpos *k,
			       char *p, enum tw_fcol c, __u64 ns)
{
	char t[TW_TEXT_MS];
	size_t n = tw_put_ms(t, ns) - t;

	p = tw_text_pad(x, k, p, c, n);
	memcpy(p, t, sizeof(t));
	k->at += n;
	return p + n;
}

/* tw_buf_sgr() at @p: the colour @sgr (TW_SGR_*) is on. */
static char *tw_text_sgr(char *p, const char *sgr)
{
	size_t n = strlen(sgr);

	memcpy(p, "\033[", 2);
	memcpy(p + 2, sgr, n);
	p[n + 2] = 'm';
	return p + n + 3;
}

/* @t at @p, in the colour @sgr (none if NULL) when colour is on. */
static inline char *tw_text_name(const struct tw_fout *out, char *p,
				 const struct tw_tname *t, const char *sgr)
{
	if (!sgr || !out->o->view.color || !t->len)
		return tw_tname_put(p, t);
	p = tw_text_sgr(p, sgr);
	p = tw_tname_put(p, t);
	return tw_text_sgr(p, TW_SGR_OFF);
}

/* A cell of plain ASCII text @s: the header's titles. */
static void tw_text_cell(struct tw_text *x, struct tw_tpos *k,
			 enum tw_fcol c, const char *s)
{
	size_t n = strlen(s);
	char *p;

	tw_buf_room(&x->line, x->room + n);
	p = tw_text_pad(x, k, x->line.s + x->line.len, c, n);
	memcpy(p, s, n);
	x->line.len = p + n - x->line.s;
	k->at += n;
}

static void tw_text_emit(struct tw_fout *out)
{
	struct tw_text *x = out->priv;

	tw_buf_emit(&x->line, out->f);
	x->after_ladder = false;
}

/*
 * The names and the widths of the line, found once: a record's fields
 * are bytes, and a table of 256 answers each in one look.
 */
static int tw_text_start(struct tw_fout *out)
{
	const struct tw_view *v = &out->o->view;
	struct tw_text *x = &tw_text;
	struct tw_tpos k = { 0, 0 };
	char buf[TW_STATE_STRLEN];
	size_t i, span = 0, ename = TW_TNAME_SLOT, rname = TW_TNAME_SLOT;
	const char *name;

	memset(x, 0, sizeof(*x));
	out->priv = x;
	for (i = 0; i < TW_FCOL_MAX; i++) {
		x->width[i] = v->wide ? tw_fcols[i].wide : tw_fcols[i].width;
		span += x->width[i] + TW_FCOL_GAP;
	}
	memcpy(x->arrow, v->ascii ? "->" : "\u2192", v->ascii ? 3 : 4);
	x->arrow_len = v->ascii ? 2 : 3;
	x->arrow_width = v->ascii ? 2 : 1;
	for (i = 0; i < 256; i++) {
		/* A state the ABI does not name is its number: it fits. */
		tw_tname_set(&x->state[i], tw_state_str(i, buf));
		name = tw_event_name(i);
		tw_tname_set(&x->event[i], name ? name : "?");
		name = tw_reason_name(i);
		tw_tname_set(&x->reason[i], name ? name : "?");
		if (x->event[i].len > ename)
			ename = x->event[i].len;
		if (x->reason[i].len > rname)
			rname = x->reason[i].len;
	}
	/*
	 * Padding takes a line at most to the end of the last column, or one
	 * space past the cell before; tw_text_spaces() may write 7 more.
	 */
	x->room = TW_TEXT_MAX + ename + rname + span + TW_FCOL_MAX + 8;
	for (i = 0; i < TW_FCOL_MAX; i++)
		tw_text_cell(x, &k, i, tw_fcols[i].title);
	tw_text_emit(out);
	return 0;
}

static bool tw_fin_state(unsigned int state)
{
	switch (state) {
	case TCPWAVE_FIN_WAIT1:
	case TCPWAVE_FIN_WAIT2:
	case TCPWAVE_CLOSING:
	case TCPWAVE_TIME_WAIT:
	case TCPWAVE_CLOSE_WAIT:
	case TCPWAVE_LAST_ACK:
		return true;
	default:
		return false;
	}
}

/* " @key@v" at @p: inline, so that @key, a literal, is a constant move. */
static inline char *tw_text_num(char *p, const char *key, __u64 v)
{
	size_t n = strlen(key);

	memcpy(p, key, n);
	return tw_put_u64(p + n, v);
}

static inline char *tw_text_link(char *p, const char *key, __u64 cookie)
{
	size_t n = strlen(key);

	memcpy(p, key, n);
	return tw_put_cookie(p + n, cookie);
}

/*
 * The numbers that tell most about a transition, each " key=value" at
 * @p: the initial sequence numbers of a handshake, the socket a syn or
 * child record names, and where each side's byte stream stood when a
 * FIN went or came.  Returns the end: @p if there is none.
 */
static char *tw_text_seq(char *p, const struct tcpwave_record *r)
{
	if (r->have & TCPWAVE_HAVE_ISS)
		p = tw_text_num(p, " iss=", r->iss);
	if (r->have & TCPWAVE_HAVE_IRS)
		p = tw_text_num(p, " irs=", r->irs);
	if ((r->have & TCPWAVE_HAVE_LINK) && r->event == TCPWAVE_EV_syn)
		p = tw_text_link(p, " listener=", r->link);
	if ((r->have & TCPWAVE_HAVE_LINK) && r->event == TCPWAVE_EV_child &&
	    r->link != r->cookie)
		p = tw_text_link(p, " request=", r->link);
	if ((r->have & (TCPWAVE_HAVE_ISS | TCPWAVE_HAVE_IRS)) ||
	    (!tw_fin_state(r->oldstate) && !tw_fin_state(r->newstate)))
		return p;
	if (r->have & TCPWAVE_HAVE_SND_NXT)
		p = tw_text_num(p, " snd_nxt=", r->snd_nxt);
	if (r->have & TCPWAVE_HAVE_RCV_NXT)
		p = tw_text_num(p, " rcv_nxt=", r->rcv_nxt);
	return p;
}

/*
 * @comm as tw_buf_puts_word() writes it: nearly every comm needs no
 * escape, and is copied whole in one move.
 */
static char *tw_text_comm(struct tw_buf *b, char *p, const char *comm)
{
	size_t n = tw_comm_plain(comm);

	if (n < TCPWAVE_COMM_LEN) {
		memcpy(p, comm, TCPWAVE_COMM_LEN);
		return p + n;
	}
	/* The line has room for the longest escape: no realloc(). */
	b->len = p - b->s;
	tw_buf_puts_word(b, comm, TCPWAVE_COMM_LEN);
	return b->s + b->len;
}

/*
 * A record's line, written straight into the line buffer: each cell
 * knows its length as it writes it, and every cell but TRANSITION is
 * ASCII (a comm is escaped), so its length is its width.
 */
static void tw_text_record(struct tw_fout *out, const struct tw_fevent *ev)
{
	const struct tcpwave_record *r = ev->rec;
	const struct tw_tname *from, *to;
	struct tw_text *x = out->priv;
	struct tw_tpos k = { 0, 0 };
	bool bad = tw_reason_bad(r->reason);
	const char *color = NULL;
	char *p, *s;

	tw_buf_room(&x->line, x->room);
	p = x->line.s + x->line.len;

	p = tw_text_ms(x, &k, p, TW_FCOL_TIME, ev->t_ns);

	s = tw_text_pad(x, &k, p, TW_FCOL_COOKIE, 0);
	p = tw_put_cookie(s, r->cookie);
	k.at += p - s;

	s = tw_text_pad(x, &k, p, TW_FCOL_OWNER, 0);
	if (ev->has_owner) {
		p = tw_put_u64(s, ev->pid);
		*p++ = '/';
		p = tw_text_comm(&x->line, p, ev->comm);
	} else {
		p = s;
		*p++ = '-';
	}
	k.at += p - s;

	s = tw_text_pad(x, &k, p, TW_FCOL_LOCAL, 0);
	p = tw_put_ep(s, r->family, r->laddr, r->lport);
	k.at += p - s;

	s = tw_text_pad(x, &k, p, TW_FCOL_REMOTE, 0);
	p = tw_put_ep(s, r->family, r->raddr, r->rport);
	k.at += p - s;

	/* The arrow's bytes are not its width: the one cell with UTF-8. */
	from = &x->state[r->oldstate];
	to = &x->state[r->newstate];
	if (r->newstate == TCPWAVE_ESTABLISHED &&
	    r->oldstate != TCPWAVE_ESTABLISHED)
		color = TW_SGR_GREEN;
	if (bad)
		color = TW_SGR_RED;
	p = tw_text_pad(x, &k, p, TW_FCOL_TRANS, 0);
	if (color && out->o->view.color)
		p = tw_text_sgr(p, color);
	p = tw_tname_put(p, from);
	memcpy(p, x->arrow, sizeof(x->arrow));
	p = tw_tname_put(p + x->arrow_len, to);
	if (color && out->o->view.color)
		p = tw_text_sgr(p, TW_SGR_OFF);
	k.at += from->len + x->arrow_width + to->len;

	if (ev->has_old_ns) {
		p = tw_text_ms(x, &k, p, TW_FCOL_OLD_MS, ev->old_ns);
	} else {
		p = tw_text_pad(x, &k, p, TW_FCOL_OLD_MS, 1);
		*p++ = '-';
		k.at++;
	}

	color = r->event == TCPWAVE_EV_rst ? TW_SGR_RED :
		r->event == TCPWAVE_EV_retrans ? TW_SGR_YELLOW : NULL;
	p = tw_text_pad(x, &k, p, TW_FCOL_EVENT, 0);
	p = tw_text_name(out, p, &x->event[r->event], color);
	k.at += x->event[r->event].len;

	p = tw_text_pad(x, &k, p, TW_FCOL_REASON, 0);
	p = tw_text_name(out, p, &x->reason[r->reason],
			 bad ? TW_SGR_RED : NULL);
	k.at += x->reason[r->reason].len;

	/*
	 * SEQ, the last cell: the space that starts its first item falls on
	 * the last of its padding, of which there is at least one, TIME-MS
	 * never being empty.  With no item the line ends at REASON, as
	 * tw_buf_emit() would have trimmed it.
	 */
	s = tw_text_pad(x, &k, p, TW_FCOL_SEQ, 0) - 1;
	s = tw_text_seq(s, r);
	if (s > p)
		p = s;
	x->line.len = p - x->line.s;
	tw_text_emit(out);
}

static void tw_text_lost(struct tw_fout *out, __u64 n)
{
	struct tw_text *x = out->priv;

	tw_buf_sgr(&x->line, &out->o->view, TW_SGR_RED);
	tw_buf_printf(&x->line, "--- %llu records lost (ring overwritten) ---",
		      (unsigned long long)n);
	tw_buf_sgr(&x->line, &out->o->view, TW_SGR_OFF);
	tw_text_emit(out);
}

/* A ladder, between blank lines. */
static void tw_text_conn(struct tw_fout *out, const struct tw_conn *conn,
			 const struct tw_trace *t, size_t id, bool in_progress)
{
	struct tw_text *x = out->priv;

	if (in_progress && !x->said_in_progress) {
		if (!x->after_ladder)
			fputc('\n', out->f);
		fputs("--- still in progress at the end of the input ---\n",
		      out->f);
		x->after_ladder = false;
		x->said_in_progress = true;
	}
	if (!x->after_ladder)
		fputc('\n', out->f);
	tw_ladder_print_conn(out->f, conn, id, t, &out->o->view);
	fputc('\n', out->f);
	x->after_ladder = true;
}

/*
 * Standard output is flushed whenever the input has nothing more for
 * now, and at least once a second: "tcpwave -E | grep" sees each line
 * as soon as it is read, as with line buffering, but a burst of records
 * is written in a few write()s, not one per line.
 */
static void tw_text_idle(struct tw_fout *out)
{
	fflush(out->f);
}

static void tw_text_stop(struct tw_fout *out)
{
	struct tw_text *x = out->priv;

	tw_buf_free(&x->line);
}

static const struct tw_fsink tw_text_sink = {
	.start = tw_text_start,
	.record = tw_text_record,
	.lost = tw_text_lost,
	.conn = tw_text_conn,
	.idle = tw_text_idle,
	.tick = tw_text_idle,
	.stop = tw_text_stop,
};

/* --- JSON Lines: -E -j ----------------------------------------------- */

/*
 * One object per line, as README "JSON Lines" documents them: a
 * "transition" as each record is read, a "lost" when the ring overwrote
 * records, a "connection" when one is over, with "in_progress": true for
 * those still open at the end of a file or pipe.
 */
static void tw_json_sink_record(struct tw_fout *out,
				const struct tw_fevent *ev)
{
	tw_json_print(out->f, tw_json_record(ev->rec));
}

static void tw_json_sink_lost(struct tw_fout *out, __u64 n)
{
	tw_json_print(out->f, tw_json_lost(n, 0));
}

static void tw_json_sink_conn(struct tw_fout *out, const struct tw_conn *conn,
			      const struct tw_trace *t, size_t id,
			      bool in_progress)
{
	json_t *o = tw_json_conn(conn, id, t);

	/* Fails only without memory, and then the line lacks the key. */
	if (in_progress)
		json_object_set_new(o, "in_progress", json_true());
	tw_json_print(out->f, o);
}

static const struct tw_fsink tw_json_sink = {
	.record = tw_json_sink_record,
	.lost = tw_json_sink_lost,
	.conn = tw_json_sink_conn,
	.idle = tw_text_idle,
	.tick = tw_text_idle,
};

/* --- Prometheus: -E --prometheus ---------------------------------------- */

/*
 * The counters of every record read since the start, so they only grow,
 * as Prometheus counters must: the exposition is rewritten every
 * --interval seconds and at the end.  With -o FILE each one replaces
 * FILE atomically, as node_exporter's textfile collector requires;
 * without, each one goes to standard output after the one before.
 */
struct tw_prom_sink {
	struct tw_stats s;
	__u64 written_ns;
};

static int tw_prom_flush(struct tw_fout *out)
{
	struct tw_prom_sink *p = out->priv;
	struct tw_out file;

	p->written_ns = tw_now_ns();
	if (!out->o->output) {
		if (tw_prom_write(out->f, &p->s) || fflush(out->f))
			return -1;
		return 0;
	}
	if (tw_out_open(&file, out->o->output))
		return -1;
	tw_prom_write(file.f, &p->s);
	return tw_out_close(&file);
}

static int tw_prom_start(struct tw_fout *out)
{
	struct tw_prom_sink *p = tw_xrealloc(NULL, 1, sizeof(*p));

	tw_stats_init(&p->s, out->o);
	tw_stats_filter(&p->s, &out->o->filter);
	out->priv = p;
	/* -o FILE exists from the start: the collector sees zeros. */
	return out->o->output ? tw_prom_flush(out) : 0;
}

static void tw_prom_raw(struct tw_fout *out, const struct tcpwave_record *r)
{
	struct tw_prom_sink *p = out->priv;

	tw_stats_add(&p->s, r);
}

static void tw_prom_lost(struct tw_fout *out, __u64 n)
{
	struct tw_prom_sink *p = out->priv;

	tw_stats_lost(&p->s, n);
}

static void tw_prom_tick(struct tw_fout *out)
{
	struct tw_prom_sink *p = out->priv;

	if (tw_now_ns() - p->written_ns >= out->o->interval_s * 1000000000ULL)
		tw_prom_flush(out);
}

static void tw_prom_stop(struct tw_fout *out)
{
	struct tw_prom_sink *p = out->priv;

	if (!p)
		return;
	tw_prom_flush(out);
	tw_stats_free(&p->s);
	free(p);
	out->priv = NULL;
}

static const struct tw_fsink tw_prom_sink = {
	.owns_output = true,
	.start = tw_prom_start,
	.raw = tw_prom_raw,
	.lost = tw_prom_lost,
	.tick = tw_prom_tick,
	.stop = tw_prom_stop,
};

/* The sink of each output format. */
static const struct tw_fsink *const tw_fsinks[] = {
	[TW_FORMAT_TEXT] = &tw_text_sink,
	[TW_FORMAT_JSON] = &tw_json_sink,
	[TW_FORMAT_PROM] = &tw_prom_sink,
};

/* --- the loop --------------------------------------------------------- */

static int tw_follow_usage(const char *what)
{
	fprintf(stderr, "tcpwave: %s\n"
		"Try 'tcpwave --help' for more information.\n", what);
	return TW_EXIT_USAGE;
}

/* Read until a signal, or the end of a file or pipe. */
static int tw_follow_loop(struct tw_follow *fw, bool *eof)
{
	struct tcpwave_record rec;
	bool idle = false;
	__u64 lost;

	while (!tw_follow_sig && !ferror(fw->out.f)) {
		switch (tw_stream_next(&fw->s, &rec, &lost,
				       idle ? tw_follow_wait_ms(fw) : 0)) {
		case TW_SEV_RECORD:
			idle = false;
			tw_follow_record(fw, &rec);
			break;
		case TW_SEV_LOST:
			idle = false;
			tw_follow_lost(fw, lost);
			break;
		case TW_SEV_IDLE:
			tw_follow_idle(fw);
			idle = true;
			break;
		case TW_SEV_EOF:
			*eof = true;
			return 0;
		case TW_SEV_ERROR:
		default:
			return -1;
		}
		tw_follow_tick(fw);
	}
	return 0;
}

/*
 * Follow the input of @o until SIGINT, SIGTERM or SIGPIPE, or the end of
 * a file or pipe.  Returns the exit status: 0 then, 1 on an input or
 * output error, 2 for options -E cannot do.
 */
int tw_follow_run(const struct tw_opts *o)
{
	struct tw_follow fw;
	struct tw_out out;
	bool eof = false, quiet;
	int ret = TW_EXIT_OK;

	memset(&fw, 0, sizeof(fw));
	fw.o = o;
	if ((size_t)o->format < sizeof(tw_fsinks) / sizeof(tw_fsinks[0]))
		fw.sink = tw_fsinks[o->format];
	if (!fw.sink)
		return tw_follow_usage("--events writes text, --json or "
				       "--prometheus: no --svg");
	if (o->view.only)
		return tw_follow_usage("--conn picks a connection of a "
				       "capture: not with --events");
	if (tw_stream_open(&fw.s, o))
		return TW_EXIT_INPUT;
	if (tw_out_open(&out, fw.sink->owns_output ? NULL : o->output)) {
		tw_stream_close(&fw.s);
		return TW_EXIT_INPUT;
	}
	fw.out.f = out.f;
	fw.out.o = o;
	tw_track_init(&fw.t, true, TW_FOLLOW_MAX_ENDS);
	fw.t.free_data = tw_fend_free;
	fw.tick_ns = tw_now_ns();
	tw_follow_signals();

	if (fw.sink->start && fw.sink->start(&fw.out))
		ret = TW_EXIT_INPUT;
	else if (tw_follow_loop(&fw, &eof))
		ret = TW_EXIT_INPUT;

	/* A reader that went away (tcpwave -E | head) is no error. */
	quiet = tw_follow_sig == SIGPIPE && ferror(out.f);
	if (!quiet) {
		tw_follow_due(&fw, ~0ULL);
		if (eof)
			tw_follow_in_progress(&fw);
	}
	tw_follow_tell_evicted(&fw);
	if (fw.sink->stop)
		fw.sink->stop(&fw.out);
	tw_track_free(&fw.t);
	free(fw.groups);
	tw_stream_close(&fw.s);
	if (quiet && !out.path)
		return ret;
	if (tw_out_close(&out))
		ret = TW_EXIT_INPUT;
	return ret;
}
